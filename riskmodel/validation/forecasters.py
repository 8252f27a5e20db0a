"""Predictive draws of one benchmark result by each method of the backtest.

A method forecasts the fraction of a benchmark's ``n`` tasks that a new model (release
date and training FLOP given) solves. :class:`MemberDraws` holds ``S`` joint draws of
that fraction together with the distribution of the solved count *given* each draw
(a binomial for the Bayesian model, a discretised normal for the baselines). Draw ``s``
of different results shares the method's parameter draw ``s``, so the maximum over
several results (the best score of a window) is forecast jointly, and its log score
is computed exactly given the draws:
``P(max = y) = mean_s [prod_m P(F_m <= y | s) - prod_m P(F_m < y | s)]``.

* :class:`BayesianForecaster`: posterior draws of the capability model; the capability
  of the new model includes its model-specific scatter, then the item-response curve,
  the beta draw of the overdispersed success probability ``q`` and the binomial count.
* :class:`LogisticForecaster`: the least-squares logistic curve with a normal residual
  (plug-in), censored to [0, 1].
* :class:`IrtForecaster`: the least-squares item-response fit; ``theta`` of the new
  model from the theta regression (coefficient draws shared across results, residual
  per result), then the curve plus a normal residual, censored to [0, 1].

Best score per window (the ``frontier`` target): :meth:`BayesianForecaster.frontier`
(the capability of the best frontier release of the window,
:func:`~riskmodel.capability.predict.frontier_capability_draws`, read through the
instrument), :class:`ScoreTrendForecaster` (the least-squares trend of the best score by
date), and the two FLOP baselines at draws of the frontier compute trend
(:class:`FrontierFlopTrend`; ``log10_flop`` of :meth:`LogisticForecaster.member` and
:meth:`IrtForecaster.member` may be an array of per-draw values).

Benchmark keys are instrument keys (:class:`~riskmodel.capability.data.Instrument`):
the benchmark slug for its main harness kind, else ``slug@kind``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats
from scipy.special import expit

from riskmodel._time import years_since
from riskmodel.capability.predict import (
    PosteriorView,
    benchmark_fraction_draws,
    capability_draws,
    frontier_capability_draws,
)
from riskmodel.validation.baselines import (
    THETA_REGRESSION_REFERENCE_DATE,
    TREND_REFERENCE_DATE,
    IrtFit,
    LinearTrend,
    ScoreTrend,
    ThetaRegression,
    logistic_curve,
)
from riskmodel.validation.scores import (
    NormalForecast,
    SampleForecast,
    log_beta_binomial_mixture_pmf,
    log_normal_bin_mass,
)

__all__ = [
    "MemberDraws",
    "log_mass_of_max",
    "BayesianForecaster",
    "LogisticForecaster",
    "IrtForecaster",
    "ScoreTrendForecaster",
    "FrontierFlopTrend",
]

#: Tolerance when mapping an observed fraction back to a count of tasks.
_COUNT_TOLERANCE = 1e-9


def _binomial_log_tails(k: int, n: int, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``log P(K <= k)`` and ``log P(K > k)`` for ``K ~ Binomial(n, q)``, ``0 <= k < n``.

    Where scipy's values underflow to ``-inf`` (far tails), a tail is its first term over
    ``1 - r``, ``r`` the ratio of the next term to the first (the terms fall at least that
    fast, so this is a tight upper bound deep in the tail).
    """
    log_cdf = stats.binom.logcdf(k, n, q)
    log_sf = stats.binom.logsf(k, n, q)
    odds = q / (1 - q)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio_up = np.minimum((n - k - 1) / (k + 2) * odds, 1 - 1e-12)
        sf_tail = stats.binom.logpmf(k + 1, n, q) - np.log1p(-ratio_up)
        ratio_down = np.minimum(k / (n - k + 1) / odds, 1 - 1e-12)
        cdf_tail = stats.binom.logpmf(k, n, q) - np.log1p(-ratio_down)
    log_sf = np.where(np.isneginf(log_sf), sf_tail, log_sf)
    log_cdf = np.where(np.isneginf(log_cdf), cdf_tail, log_cdf)
    return log_cdf, log_sf


@dataclass(frozen=True)
class MemberDraws:
    """Joint predictive draws of one result (see the module docstring).

    Attributes
    ----------
    samples
        Shape (S,), fraction of tasks solved (in [0, 1]).
    n
        Tasks attempted.
    q
        Shape (S,), binomial success probability given draw ``s`` (Bayesian), or None.
    mean, sd
        Shape (S,) mean and scalar sd (fraction points) of the normal given draw ``s``
        whose discretisation ``round(n * clip(Y, 0, 1))`` is the count (baselines), or
        None.
    """

    samples: np.ndarray
    n: int
    q: np.ndarray | None = None
    mean: np.ndarray | None = None
    sd: float | None = None

    def _log_tails(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Shape (S,) each: ``log P(count <= k | s)`` and ``log P(count > k | s)``."""
        size = self.samples.size
        if k < 0:
            return np.full(size, -np.inf), np.zeros(size)
        if k >= self.n:
            return np.zeros(size), np.full(size, -np.inf)
        if self.q is not None:
            return _binomial_log_tails(k, self.n, self.q)
        z = ((k + 0.5) / self.n - self.mean) / self.sd
        return special.log_ndtr(z), special.log_ndtr(-z)

    def log_cdf(self, k: int) -> np.ndarray:
        """Shape (S,): ``log P(count <= k | draw s)``, accurate also near 0 (computed
        from the survival function where that is below one half)."""
        log_cdf, log_sf = self._log_tails(k)
        with np.errstate(divide="ignore"):  # the unused branch where sf = 1
            from_sf = np.log1p(-np.exp(log_sf))
        return np.where(log_sf < -np.log(2.0), from_sf, log_cdf)

    def log_sf(self, k: int) -> np.ndarray:
        """Shape (S,): ``log P(count > k | draw s)``."""
        return self._log_tails(k)[1]


#: Below this log survival probability of every member, the survival of their maximum is
#: the sum of theirs (relative error ~exp(-30)), computed in log space.
_TINY_LOG_SF = -30.0


def _log_survival_of_max(log_sf: np.ndarray) -> np.ndarray:
    """``log P(max_m F_m > y)`` per draw from each member's ``log P(F_m > y)``.

    Parameters
    ----------
    log_sf
        Shape (member, S).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        log_prod_cdf = np.sum(np.log1p(-np.exp(log_sf)), axis=0)
        general = np.log(-np.expm1(log_prod_cdf))
        tiny = special.logsumexp(log_sf, axis=0)
    return np.where(np.max(log_sf, axis=0) < _TINY_LOG_SF, tiny, general)


def log_mass_of_max(members: list[MemberDraws], observed: float) -> float:
    """``log P(max_m F_m = observed)``, F_m the fraction solved of member ``m``.

    Per draw the mass is ``exp(A) - exp(B)`` with ``A = sum_m log P(F_m <= observed)``
    and ``B = sum_m log P(F_m < observed)``. Where ``A`` is close to 0 (an observation in
    the upper tail) it is computed instead as the difference of the survival functions
    of the maximum, in log space, so that no tail underflows to a log score of ``-inf``.

    Parameters
    ----------
    members
        Draw-aligned members (same ``S``).
    observed
        The observed best fraction (a count of some member over its ``n``).

    Returns
    -------
    float
        Log probability (nats); with one member, the log predictive probability of its
        count.
    """
    k_le = [int(np.floor(observed * m.n + _COUNT_TOLERANCE)) for m in members]
    k_lt = [int(np.ceil(observed * m.n - _COUNT_TOLERANCE)) - 1 for m in members]
    log_le = np.sum([m.log_cdf(k) for m, k in zip(members, k_le, strict=True)], axis=0)
    log_lt = np.sum([m.log_cdf(k) for m, k in zip(members, k_lt, strict=True)], axis=0)
    surv_le = _log_survival_of_max(
        np.stack([m.log_sf(k) for m, k in zip(members, k_le, strict=True)])
    )
    surv_lt = _log_survival_of_max(
        np.stack([m.log_sf(k) for m, k in zip(members, k_lt, strict=True)])
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        # lower region: exp(A) - exp(B) = exp(A) (1 - exp(B - A))
        gap = np.where(np.isneginf(log_le), -np.inf, log_lt - log_le)
        lower = log_le + np.log1p(-np.exp(np.minimum(gap, 0.0)))
        # upper region: S(B) - S(A) = S(B) (1 - exp(log S(A) - log S(B)))
        gap = np.where(np.isneginf(surv_lt), 0.0, surv_le - surv_lt)
        upper = surv_lt + np.log1p(-np.exp(np.minimum(gap, 0.0)))
        per_draw = np.where(log_le < -np.log(2.0), lower, upper)
    per_draw = np.where(np.isnan(per_draw), -np.inf, per_draw)
    return float(special.logsumexp(per_draw) - np.log(per_draw.size))


def max_forecast(members: list[MemberDraws], observed: float) -> SampleForecast:
    """Joint forecast of the best fraction among ``members`` (draw-wise maximum)."""
    samples = np.max(np.stack([m.samples for m in members]), axis=0)
    return SampleForecast(samples=samples, log_score=log_mass_of_max(members, observed))


class BayesianForecaster:
    """Forecasts from the posterior of the capability model.

    Parameters
    ----------
    view
        Posterior view of the training fit. Its ``benchmarks`` registry must have a row
        (``chance``, ``n_tasks``) for every instrument key forecast, ``slug@kind`` keys
        included (see :func:`~riskmodel.validation.harness.instrument_view`).
    rng
        Random generator of the predictive noise (model scatter, beta, binomial).
    """

    def __init__(self, view: PosteriorView, rng: np.random.Generator) -> None:
        self.view = view
        self.rng = rng

    @property
    def benchmarks(self) -> set[str]:
        """Instruments with aggregate-result parameters in the fit."""
        if "benchmark" not in self.view.draws.coords:
            return set()
        return set(self.view.draws["benchmark"].values.tolist())

    def _curve(self, benchmark: str, capability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per draw: expected fraction solved at ``capability`` and the overdispersion."""
        sel = {"benchmark": benchmark}
        draws = self.view.draws
        a = draws["discrimination"].sel(sel).values
        b = draws["difficulty"].sel(sel).values
        lapse = draws["lapse"].sel(sel).values
        concentration = draws["overdispersion"].sel(sel).values
        chance = float(self.view.benchmark_info(benchmark)["chance"])
        p = chance + (1 - lapse - chance) * expit(a * (capability - b))
        return np.clip(p, 1e-9, 1 - 1e-9), concentration

    def _success(
        self, benchmark: str, *, date: str, log10_flop: float
    ) -> tuple[np.ndarray, np.ndarray]:
        capability = capability_draws(self.view, date=date, flop=10.0**log10_flop, rng=self.rng)
        return self._curve(benchmark, capability)

    def member(self, benchmark: str, *, date: str, log10_flop: float, n: int) -> MemberDraws:
        """Joint draws of one result (see :class:`MemberDraws`)."""
        p, concentration = self._success(benchmark, date=date, log10_flop=log10_flop)
        q = np.clip(self.rng.beta(p * concentration, (1 - p) * concentration), 1e-12, 1 - 1e-12)
        samples = self.rng.binomial(n, q) / n
        return MemberDraws(samples=samples, n=n, q=q)

    def result(
        self, benchmark: str, *, date: str, log10_flop: float, k: int, n: int
    ) -> SampleForecast:
        """Forecast of one result; log score of ``k`` of ``n`` from the beta-binomial
        mixture over posterior draws (exact given the capability draws)."""
        p, concentration = self._success(benchmark, date=date, log10_flop=log10_flop)
        q = self.rng.beta(p * concentration, (1 - p) * concentration)
        samples = self.rng.binomial(n, np.clip(q, 0, 1)) / n
        return SampleForecast(
            samples=samples, log_score=log_beta_binomial_mixture_pmf(k, n, p, concentration)
        )

    def frontier(
        self, benchmark: str, *, date: str, window_years: float, k: int, n: int
    ) -> SampleForecast:
        """Forecast of the best score on ``benchmark`` among the models released in the
        ``window_years`` up to ``date``: per posterior draw, the capability of the best
        frontier release of the window
        (:func:`~riskmodel.capability.predict.frontier_capability_draws`), then
        :func:`~riskmodel.capability.predict.benchmark_fraction_draws`. Log score of
        ``k`` of ``n`` from the beta-binomial mixture at the same capability draws."""
        capability = frontier_capability_draws(
            self.view, date=date, window_years=window_years, rng=self.rng
        )
        samples = benchmark_fraction_draws(self.view, benchmark, capability, rng=self.rng)
        p, concentration = self._curve(benchmark, capability)
        return SampleForecast(
            samples=samples, log_score=log_beta_binomial_mixture_pmf(k, n, p, concentration)
        )


class LogisticForecaster:
    """Forecasts of the per-benchmark least-squares logistic baseline.

    Parameters
    ----------
    fits
        Benchmark -> (``[slope, midpoint]``, residual sd) from
        :func:`~riskmodel.validation.baselines.fit_logistic_baseline`.
    chance
        Benchmark -> chance score (fraction of tasks).
    n_samples
        Draws per forecast (the ``S`` of joint forecasts).
    rng
        Random generator.
    """

    def __init__(
        self,
        fits: dict[str, tuple[np.ndarray, float]],
        chance: dict[str, float],
        *,
        n_samples: int,
        rng: np.random.Generator,
    ) -> None:
        self.fits = fits
        self.chance = chance
        self.n_samples = n_samples
        self.rng = rng

    def _normal(self, benchmark: str, log10_flop: float) -> tuple[float, float]:
        params, sd = self.fits[benchmark]
        return float(logistic_curve(params, log10_flop, chance=self.chance[benchmark])), sd

    def member(
        self, benchmark: str, *, date: str, log10_flop: float | np.ndarray, n: int
    ) -> MemberDraws:
        """Joint draws of one result (independent across results: plug-in fit).

        ``log10_flop`` may be shape (``n_samples``,): one compute value per draw (e.g.
        draws of the frontier compute trend)."""
        del date  # the curve depends on compute only
        params, sd = self.fits[benchmark]
        mean = np.broadcast_to(
            logistic_curve(params, log10_flop, chance=self.chance[benchmark]), (self.n_samples,)
        )
        samples = np.clip(mean + sd * self.rng.standard_normal(self.n_samples), 0.0, 1.0)
        return MemberDraws(samples=samples, n=n, mean=np.array(mean, dtype=float), sd=sd)

    def result(
        self, benchmark: str, *, date: str, log10_flop: float, k: int, n: int
    ) -> NormalForecast:
        """Censored-normal forecast of one result, log score of its count in closed form."""
        del date
        mean, sd = self._normal(benchmark, log10_flop)
        log_score = float(log_normal_bin_mass(mean, sd, k=k, n=n))
        return NormalForecast(mean=mean, sd=sd, log_score=log_score, support=(0.0, 1.0))


class IrtForecaster:
    """Forecasts of the least-squares item-response baseline.

    Parameters
    ----------
    components
        One (item-response fit, theta regression) pair per group of linked benchmarks.
    n_samples
        Draws (``S``); each group's regression coefficients are drawn once per draw
        index and shared by every forecast, so joint forecasts carry their correlation.
    rng
        Random generator.
    """

    def __init__(
        self,
        components: list[tuple[IrtFit, ThetaRegression]],
        *,
        n_samples: int,
        rng: np.random.Generator,
    ) -> None:
        self.components = components
        self.n_samples = n_samples
        self.rng = rng
        self._by_benchmark: dict[str, int] = {}
        self.coef_draws = []
        for index, (irt, regression) in enumerate(components):
            self._by_benchmark.update({b: index for b in irt.benchmarks})
            cov = regression.sd**2 * regression.xtx_inv
            self.coef_draws.append(
                rng.multivariate_normal(regression.coef, cov, size=n_samples, method="cholesky")
            )

    @property
    def benchmarks(self) -> set[str]:
        """Benchmarks the baseline can forecast."""
        return set(self._by_benchmark)

    def member(
        self, benchmark: str, *, date: str, log10_flop: float | np.ndarray, n: int
    ) -> MemberDraws:
        """Joint draws of one result (see :class:`MemberDraws`); ``log10_flop`` may be
        shape (``n_samples``,), one compute value per draw."""
        index = self._by_benchmark[benchmark]
        irt, regression = self.components[index]
        years = float(years_since(date, THETA_REGRESSION_REFERENCE_DATE))
        coef = self.coef_draws[index]
        theta = (
            coef[:, 0]
            + coef[:, 1] * np.asarray(log10_flop, dtype=float)
            + coef[:, 2] * years
            + regression.sd * self.rng.standard_normal(self.n_samples)
        )
        mean = irt.curve(benchmark, theta)
        sd = float(irt.residual_sd[irt.benchmarks.index(benchmark)])
        samples = np.clip(mean + sd * self.rng.standard_normal(mean.size), 0.0, 1.0)
        return MemberDraws(samples=samples, n=n, mean=mean, sd=sd)

    def result(
        self, benchmark: str, *, date: str, log10_flop: float, k: int, n: int
    ) -> SampleForecast:
        """Forecast of one result; log score of ``k`` of ``n`` from the mixture over
        theta draws of the discretised normal (exact given the draws)."""
        member = self.member(benchmark, date=date, log10_flop=log10_flop, n=n)
        return SampleForecast(samples=member.samples, log_score=log_mass_of_max([member], k / n))


class ScoreTrendForecaster:
    """Forecasts of the best score per window by the least-squares score trend.

    Parameters
    ----------
    trends
        Instrument key -> :class:`~riskmodel.validation.baselines.ScoreTrend`.
    """

    def __init__(self, trends: dict[str, ScoreTrend]) -> None:
        self.trends = trends

    @property
    def benchmarks(self) -> set[str]:
        """Instruments with a trend."""
        return set(self.trends)

    def frontier(self, benchmark: str, *, date: str, k: int, n: int) -> NormalForecast:
        """Censored-normal forecast of the window's best score (window ending ``date``);
        log score of ``k`` of ``n`` in closed form."""
        years = float(years_since(date, TREND_REFERENCE_DATE))
        mean, sd = self.trends[benchmark].predict(years)
        log_score = float(log_normal_bin_mass(mean, sd, k=k, n=n))
        return NormalForecast(mean=mean, sd=sd, log_score=log_score, support=(0.0, 1.0))


class FrontierFlopTrend:
    """Draws of the log10 FLOP of a frontier model from the least-squares compute trend.

    Parameters
    ----------
    trend
        :class:`~riskmodel.validation.baselines.LinearTrend` of log10 FLOP of
        frontier-flagged language models on the release date.
    n_samples
        Draws per forecast.
    rng
        Random generator.
    """

    def __init__(self, trend: LinearTrend, *, n_samples: int, rng: np.random.Generator) -> None:
        self.trend = trend
        self.n_samples = n_samples
        self.rng = rng

    def draws(self, date: str) -> np.ndarray:
        """Shape (n_samples,): log10 FLOP of a frontier model released on ``date``."""
        mean, sd = self.trend.predict(float(years_since(date, TREND_REFERENCE_DATE)))
        return mean + sd * self.rng.standard_normal(self.n_samples)

    def frontier(
        self,
        forecaster: LogisticForecaster | IrtForecaster,
        benchmark: str,
        *,
        date: str,
        k: int,
        n: int,
    ) -> SampleForecast:
        """A FLOP baseline's forecast of the best score of the window ending ``date``:
        the baseline's result of a model at the frontier compute trend on that date
        (compute drawn per draw); log score of ``k`` of ``n`` from the mixture over the
        draws (exact given the draws)."""
        member = forecaster.member(benchmark, date=date, log10_flop=self.draws(date), n=n)
        return SampleForecast(samples=member.samples, log_score=log_mass_of_max([member], k / n))
