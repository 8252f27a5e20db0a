"""Scoring rules of the backtest: interval coverage, CRPS, log score, absolute error.

Every forecast of the backtest is one of three kinds, each scored the same way:

* :class:`SampleForecast` - draws from the predictive distribution (the Bayesian model,
  the item-response baseline, every forecast of a best score). CRPS by the energy form
  of the empirical distribution of the draws.
* :class:`NormalForecast` - a normal predictive distribution censored to the target's
  support (the logistic baseline). CRPS in closed form.
* :class:`CountForecast` - a probability mass function on the integers 0..K (counts of
  training runs). CRPS, quantiles and log score exact.

The **log score** is always the natural log of the predictive *probability* of the
observed value on its discrete support, never a density, so methods are comparable:

* a benchmark result is ``k`` of ``n`` tasks solved; its log score is ``log P(K = k)``
  under the method's predictive distribution of the count (for a continuous forecast of
  the fraction, the mass of the bin ``[(k - 1/2) / n, (k + 1/2) / n]``, the two end bins
  taking the tails: the distribution of ``round(n * clip(Y, 0, 1))``);
* a count of runs is an integer; its log score is ``log P(N = count)``.

Each forecast carries its log score for its observation (computed by the code that
built it, which knows the structure of the distribution); this module computes the
other scores and summarises them. Higher log score is better; lower CRPS, lower MAE
and coverage near nominal are better.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special, stats

from riskmodel.errors import RiskmodelError

__all__ = [
    "INTERVALS",
    "QUANTILE_LEVELS",
    "SampleForecast",
    "NormalForecast",
    "CountForecast",
    "Forecast",
    "crps_samples",
    "crps_normal",
    "crps_censored_normal",
    "crps_pmf",
    "log_normal_bin_mass",
    "log_binomial_mixture_pmf",
    "log_beta_binomial_mixture_pmf",
    "score_forecast",
    "summarise_scores",
    "interval_coverage",
]

#: Central interval masses whose coverage is reported (probabilities).
INTERVALS = (0.5, 0.9)
#: Quantile levels stored for every forecast (probabilities): the ends of the central
#: 90% and 50% intervals and the median.
QUANTILE_LEVELS: dict[str, float] = {
    "q05": 0.05,
    "q25": 0.25,
    "q50": 0.5,
    "q75": 0.75,
    "q95": 0.95,
}
#: Probability mass beyond which a count distribution is truncated (upper tail left out).
COUNT_TAIL_MASS = 1e-10


@dataclass(frozen=True)
class SampleForecast:
    """Draws from a predictive distribution.

    Attributes
    ----------
    samples
        Shape (sample,), in the units of the target (fraction of tasks, or runs).
    log_score
        Natural log of the predictive probability of the observation (see the module
        docstring).
    """

    samples: np.ndarray
    log_score: float


@dataclass(frozen=True)
class NormalForecast:
    """A normal predictive distribution, optionally with quantiles clipped to a support.

    Attributes
    ----------
    mean, sd
        Mean and standard deviation (target units).
    log_score
        Natural log of the predictive probability of the observation (see the module
        docstring).
    support
        ``(low, high)``: the forecast is the normal censored to this interval (mass
        beyond a bound sits on it), e.g. ``(0, 1)`` for a fraction of tasks. Quantiles
        are clipped to it and the CRPS is that of the censored normal, in closed form.
    """

    mean: float
    sd: float
    log_score: float
    support: tuple[float, float] = (-np.inf, np.inf)


@dataclass(frozen=True)
class CountForecast:
    """A probability mass function on the integers ``0 .. len(pmf) - 1``.

    Attributes
    ----------
    pmf
        Shape (K + 1,), probabilities summing to 1 up to :data:`COUNT_TAIL_MASS`.
    """

    pmf: np.ndarray

    def log_score_at(self, value: int) -> float:
        """Natural log of ``P(N = value)`` (``-inf`` outside the stored support)."""
        if value < 0 or value >= self.pmf.size or self.pmf[value] <= 0:
            return -np.inf
        return float(np.log(self.pmf[value]))


Forecast = SampleForecast | NormalForecast | CountForecast


def crps_samples(samples: np.ndarray, observed: float) -> float:
    """CRPS of the empirical distribution of ``samples`` (energy form).

    ``CRPS = E|X - y| - E|X - X'| / 2`` with X, X' independent draws from the empirical
    distribution (the V-statistic, so a single repeated value gives ``|x - y|``).

    Parameters
    ----------
    samples
        Shape (sample,), draws of the predictive distribution.
    observed
        The observation, same units.

    Returns
    -------
    float
        CRPS in the units of the target (>= 0).
    """
    x = np.sort(np.asarray(samples, dtype=float).ravel())
    n = x.size
    first = float(np.mean(np.abs(x - observed)))
    weights = 2.0 * np.arange(1, n + 1) - n - 1
    half_spread = float(np.sum(weights * x)) / (n * n)
    return first - half_spread


def crps_normal(mean: float, sd: float, observed: float) -> float:
    """CRPS of ``Normal(mean, sd**2)`` at ``observed`` in closed form (Gneiting &
    Raftery 2007): ``sd * (z (2 Phi(z) - 1) + 2 phi(z) - 1 / sqrt(pi))``,
    ``z = (observed - mean) / sd``. ``sd = 0`` gives ``|observed - mean|``."""
    if sd <= 0:
        return float(abs(observed - mean))
    z = (observed - mean) / sd
    return float(sd * (z * (2 * special.ndtr(z) - 1) + 2 * _phi(z) - 1 / np.sqrt(np.pi)))


def _phi(t: np.ndarray | float) -> np.ndarray:
    """Standard normal density."""
    return np.exp(-0.5 * np.square(t)) / np.sqrt(2 * np.pi)


def _crps_antiderivative(t: np.ndarray | float) -> np.ndarray:
    """``G(t) = t Phi(t)**2 + 2 phi(t) Phi(t) - Phi(sqrt(2) t) / sqrt(pi)``, an
    antiderivative of ``Phi(t)**2`` with ``G(-inf) = 0``."""
    t = np.asarray(t, dtype=float)
    with np.errstate(invalid="ignore"):
        cdf = special.ndtr(t)
        value = t * cdf**2 + 2 * _phi(t) * cdf - special.ndtr(np.sqrt(2) * t) / np.sqrt(np.pi)
    return np.where(np.isneginf(t), 0.0, value)


def crps_censored_normal(
    mean: float, sd: float, observed: float, *, low: float = -np.inf, high: float = np.inf
) -> float:
    """Closed-form CRPS of ``clip(Y, low, high)``, ``Y ~ Normal(mean, sd**2)``, at an
    observation in ``[low, high]``.

    With ``z``, ``l``, ``u`` the standardised observation and bounds and ``G`` an
    antiderivative of ``Phi**2``: ``CRPS = sd * (G(z) - G(l) + G(-z) - G(-u))``. With
    infinite bounds this is :func:`crps_normal`.

    Raises
    ------
    RiskmodelError
        If the observation lies outside ``[low, high]`` or ``sd <= 0``.
    """
    if not low <= observed <= high:
        raise RiskmodelError(f"observation {observed} outside the support [{low}, {high}]")
    if sd <= 0:
        raise RiskmodelError(f"sd must be positive, got {sd}")
    z = (observed - mean) / sd
    lo = (low - mean) / sd
    hi = (high - mean) / sd
    g = _crps_antiderivative
    return float(sd * (g(z) - g(lo) + g(-z) - g(-hi)))


def crps_pmf(pmf: np.ndarray, observed: int) -> float:
    """Exact CRPS of a distribution on the integers ``0..K`` at an integer observation:
    ``sum_k (F(k) - 1[k >= observed])**2`` (unit spacing; units of the count)."""
    cdf = np.cumsum(np.asarray(pmf, dtype=float))
    k = np.arange(cdf.size)
    value = float(np.sum((cdf - (k >= observed)) ** 2))
    if observed >= cdf.size:  # beyond the stored support F stays at its last value
        value += float((observed - cdf.size) * cdf[-1] ** 2)
    return value


def _log_diff_ndtr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``log(Phi(b) - Phi(a))`` for ``a < b``, accurate in both tails."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    upper = a > 0
    # in the upper tail use Phi(b) - Phi(a) = Phi(-a) - Phi(-b)
    hi = np.where(upper, -a, b)
    lo = np.where(upper, -b, a)
    log_hi, log_lo = special.log_ndtr(hi), special.log_ndtr(lo)
    with np.errstate(divide="ignore"):
        return log_hi + np.log1p(-np.exp(np.minimum(log_lo - log_hi, 0.0)))


def log_normal_bin_mass(
    mean: np.ndarray | float, sd: np.ndarray | float, *, k: int, n: int
) -> np.ndarray:
    """``log P(round(n * clip(Y, 0, 1)) = k)`` for ``Y ~ Normal(mean, sd**2)``.

    The bin of ``k`` is ``[(k - 1/2) / n, (k + 1/2) / n]``; the bin of 0 extends to
    ``-inf`` and the bin of ``n`` to ``+inf``.

    Parameters
    ----------
    mean, sd
        Arrays (broadcast) of the normal's mean and sd, fraction of tasks.
    k, n
        Observed tasks solved and tasks attempted.

    Returns
    -------
    numpy.ndarray
        Log probabilities (nats), the broadcast shape of ``mean`` and ``sd``.
    """
    mean, sd = np.broadcast_arrays(np.asarray(mean, float), np.asarray(sd, float))
    lo = -np.inf if k <= 0 else (k - 0.5) / n
    hi = np.inf if k >= n else (k + 0.5) / n
    return _log_diff_ndtr((lo - mean) / sd, (hi - mean) / sd)


def log_beta_binomial_mixture_pmf(
    k: int, n: int, p: np.ndarray, concentration: np.ndarray
) -> float:
    """``log mean_d BetaBinomial(k; n, p_d c_d, (1 - p_d) c_d)``: the predictive
    probability of ``k`` of ``n`` under an equal-weight mixture over draws ``d``.

    Parameters
    ----------
    k, n
        Tasks solved and attempted.
    p
        Shape (draw,), mean success probability of each draw.
    concentration
        Shape (draw,), beta concentration (the capability model's ``overdispersion``).

    Returns
    -------
    float
        Log probability (nats).
    """
    p = np.clip(np.asarray(p, dtype=float), 1e-12, 1 - 1e-12)
    c = np.asarray(concentration, dtype=float)
    logs = stats.betabinom.logpmf(k, n, p * c, (1 - p) * c)
    return float(special.logsumexp(logs) - np.log(logs.size))


def log_binomial_mixture_pmf(k: int, n: int, q: np.ndarray) -> float:
    """``log mean_d Binomial(k; n, q_d)``: predictive probability of ``k`` of ``n``
    under an equal-weight mixture of binomials with success probabilities ``q``.

    Returns
    -------
    float
        Log probability (nats).
    """
    logs = stats.binom.logpmf(k, n, np.asarray(q, dtype=float))
    return float(special.logsumexp(logs) - np.log(logs.size))


def _pmf_quantile(pmf: np.ndarray, level: float) -> float:
    cdf = np.cumsum(pmf)
    return float(np.searchsorted(cdf, level * cdf[-1], side="left"))


def score_forecast(forecast: Forecast, observed: float) -> dict[str, float]:
    """Quantiles, CRPS, log score and absolute error of the median of one forecast.

    Parameters
    ----------
    forecast
        A :class:`SampleForecast`, :class:`NormalForecast` or :class:`CountForecast`.
    observed
        The observation (fraction of tasks, or an integer count of runs).

    Returns
    -------
    dict
        ``q05`` ... ``q95`` (target units), ``crps`` (target units), ``log_score``
        (nats, see the module docstring), ``abs_error`` (|median - observed|),
        ``in_50`` and ``in_90`` (1.0 if the observation lies in the closed central
        interval, else 0.0).
    """
    if isinstance(forecast, SampleForecast):
        quantiles = dict(
            zip(
                QUANTILE_LEVELS,
                np.quantile(forecast.samples, list(QUANTILE_LEVELS.values())).tolist(),
                strict=True,
            )
        )
        crps, log_score = crps_samples(forecast.samples, observed), forecast.log_score
    elif isinstance(forecast, NormalForecast):
        low, high = forecast.support
        quantiles = {
            key: float(np.clip(forecast.mean + forecast.sd * special.ndtri(q), low, high))
            for key, q in QUANTILE_LEVELS.items()
        }
        crps = crps_censored_normal(forecast.mean, forecast.sd, observed, low=low, high=high)
        log_score = forecast.log_score
    elif isinstance(forecast, CountForecast):
        quantiles = {key: _pmf_quantile(forecast.pmf, q) for key, q in QUANTILE_LEVELS.items()}
        crps = crps_pmf(forecast.pmf, int(observed))
        log_score = forecast.log_score_at(int(observed))
    else:  # pragma: no cover - guarded by the type
        raise TypeError(type(forecast))
    return {
        **quantiles,
        "crps": float(crps),
        "log_score": float(log_score),
        "abs_error": float(abs(quantiles["q50"] - observed)),
        "in_50": float(quantiles["q25"] <= observed <= quantiles["q75"]),
        "in_90": float(quantiles["q05"] <= observed <= quantiles["q95"]),
    }


def interval_coverage(observed: np.ndarray, low: np.ndarray, high: np.ndarray) -> float:
    """Share of observations inside their closed interval ``[low, high]``."""
    observed = np.asarray(observed, dtype=float)
    return float(np.mean((np.asarray(low) <= observed) & (observed <= np.asarray(high))))


def summarise_scores(rows: pd.DataFrame, by: Sequence[str] = ("target", "method")) -> pd.DataFrame:
    """Mean scores per group of scored rows.

    Parameters
    ----------
    rows
        One row per (item, method) with the columns of :func:`score_forecast`.
    by
        Grouping columns.

    Returns
    -------
    pandas.DataFrame
        Index ``by``; columns ``n`` (rows), ``coverage_50``, ``coverage_90`` (shares),
        ``crps`` (mean, target units), ``log_score`` (mean, nats), ``mae`` (mean
        absolute error of the median, target units).
    """
    grouped = rows.groupby(list(by), sort=True)
    return pd.DataFrame(
        {
            "n": grouped.size(),
            "coverage_50": grouped["in_50"].mean(),
            "coverage_90": grouped["in_90"].mean(),
            "crps": grouped["crps"].mean(),
            "log_score": grouped["log_score"].mean(),
            "mae": grouped["abs_error"].mean(),
        }
    )
