"""The baselines of the backtest: fits that others use, with no priors.

Logistic curve per benchmark
    ``score = chance + (1 - chance) * logistic(slope * (log10_flop - midpoint))`` fitted
    by least squares to one benchmark's training results with a known training FLOP.
    Predictive distribution of a new model's fraction of tasks solved: normal around the
    curve with the residual sd (fraction points, dof-corrected), plug-in (parameter
    uncertainty ignored, as is usual for this baseline).

Item-response fit (least squares)
    Every training model ``m`` has a latent capability ``theta_m``; every benchmark ``b``
    a slope ``a_b`` and a midpoint ``b_b``:
    ``score = chance_b + (1 - chance_b) * logistic(a_b * (theta_m - b_b))``, fitted
    jointly by least squares on the fraction scale (unweighted, no priors), separately for
    each group of benchmarks linked by shared models (:func:`linked_benchmarks`). The
    scale is
    fixed by ``mean(theta) = 0`` and ``sd(theta) = 1`` over the training models (two
    exactly satisfiable constraint residuals, so they fix the gauge without biasing the
    fit); ``theta`` is bounded to +-:data:`IRT_THETA_BOUND` so that a model whose every
    score sits at the floor or the ceiling stays finite. A new model is placed by a
    least-squares regression of ``theta`` on log10 training FLOP and release date (years
    since 2023-01-01) over the training models with a known FLOP whose ``theta`` is not at
    a bound; its predictive ``theta`` is normal with the regression's prediction sd
    (residual and coefficient uncertainty), and its score is the curve at that ``theta``
    plus a normal residual with the benchmark's residual sd.

Logistic trend of the best score by date (frontier target)
    For one benchmark instrument, the best fraction solved in each pre-cutoff window of
    :data:`~riskmodel.validation.splits.WINDOW_MONTHS` months, against the window's last
    day (years since :data:`TREND_REFERENCE_DATE`):
    ``best = chance + (1 - chance) * logistic(intercept + slope * years)``, fitted by
    least squares on the fraction scale (no priors). Predictive distribution of a later
    window's best: normal around the curve with sd ``sqrt(s^2 + g' C g)`` (``s`` the
    residual sd, ``C = s^2 (J'J)^+`` the parameters' covariance from the Jacobian at the
    optimum, ``g`` the curve's gradient at the new date: residual plus parameter
    uncertainty, as for any extrapolated least-squares fit), censored to [0, 1]. Needs
    :data:`MIN_TREND_WINDOWS` windows with results.

Linear trend (frontier compute)
    Ordinary least squares of log10 training FLOP of frontier-flagged language models
    on their release date (years since :data:`TREND_REFERENCE_DATE`); a later frontier
    model's log10 FLOP is normal with the regression's prediction sd (residual and
    coefficient uncertainty). Needs :data:`MIN_FRONTIER_FLOP_MODELS` models.

Poisson trend of counts
    Runs per calendar year at or above a compute threshold: ``log E[count] = a + b *
    (year - reference_year)``, Poisson, fitted by Firth-penalised maximum likelihood
    (Firth 1993; the penalty ``0.5 log det I(a, b)`` keeps the estimate finite when a
    threshold has no run yet in the training years) with parameter uncertainty from the
    inverse Fisher information (normal approximation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.optimize import least_squares
from scipy.special import expit, logit

from riskmodel.errors import RiskmodelError

__all__ = [
    "MIN_BASELINE_ROWS",
    "IRT_THETA_BOUND",
    "fit_logistic_baseline",
    "logistic_curve",
    "IrtFit",
    "fit_irt_baseline",
    "linked_benchmarks",
    "ThetaRegression",
    "fit_theta_regression",
    "PoissonTrend",
    "fit_poisson_trend",
    "MIN_TREND_WINDOWS",
    "MIN_FRONTIER_FLOP_MODELS",
    "TREND_REFERENCE_DATE",
    "ScoreTrend",
    "fit_score_trend",
    "LinearTrend",
    "fit_linear_trend",
]

#: Minimum training rows with a known FLOP for a per-benchmark baseline fit (and for a
#: benchmark to be scored at all): two curve parameters plus two residual dof.
MIN_BASELINE_ROWS = 4
#: Bounds of the logistic baseline's parameters: slope (logit per dex of FLOP) and
#: midpoint (log10 FLOP). Wide enough never to bind on the shipped data's benchmarks.
LOGISTIC_SLOPE_BOUNDS = (0.0, 20.0)
LOGISTIC_MIDPOINT_BOUNDS = (10.0, 35.0)
#: Bound on |theta| of the item-response fit (sd units of the training models).
IRT_THETA_BOUND = 6.0
#: Bounds of the item-response slopes (logit per sd of theta) and midpoints (sd units).
IRT_SLOPE_BOUNDS = (0.01, 20.0)
IRT_MIDPOINT_BOUNDS = (-10.0, 10.0)
#: Weight (per square root of a data row) of the two gauge residuals (mean 0, sd 1 of
#: theta) of the item-response fit. Both can be met exactly, so any positive weight
#: fixes the gauge without moving the fit; 1 keeps the problem well conditioned.
IRT_GAUGE_WEIGHT = 1.0
#: Clip of chance-corrected scores before the logit of the item-response start values.
IRT_START_CLIP = 0.02
#: Reference date of the release-date covariate of the theta regression (years since).
THETA_REGRESSION_REFERENCE_DATE = "2023-01-01"
#: Reference date of the date covariate of the score and compute trends (years since).
TREND_REFERENCE_DATE = "2023-01-01"
#: Fewest pre-cutoff windows with a result for a score trend of an instrument: two curve
#: parameters plus one residual degree of freedom.
MIN_TREND_WINDOWS = 3
#: Bounds of the score trend's intercept (logit units at the reference date) and slope
#: (logit per year); wide enough never to bind on the shipped data's instruments except
#: where every window is at the floor or the ceiling.
SCORE_TREND_INTERCEPT_BOUNDS = (-30.0, 30.0)
SCORE_TREND_SLOPE_BOUNDS = (-10.0, 10.0)
#: Clip (fraction of the way from chance to 1) of the scores that start the score trend.
SCORE_TREND_START_CLIP = 0.01
#: Fewest frontier-flagged language models with a FLOP value for the compute trend.
MIN_FRONTIER_FLOP_MODELS = 4
#: Smallest residual sd (fraction points or theta units) used in a predictive
#: distribution, so that a fit that happens to be exact does not predict a point mass.
MIN_RESIDUAL_SD = 1e-3


def logistic_curve(
    params: np.ndarray, log10_flop: np.ndarray | float, *, chance: float
) -> np.ndarray:
    """The logistic baseline's curve: fraction of tasks solved at ``log10_flop``.

    Parameters
    ----------
    params
        ``[slope, midpoint]`` (logit per dex of FLOP; log10 FLOP).
    log10_flop
        log10 training FLOP.
    chance
        Score of random guessing (fraction of tasks).
    """
    return chance + (1 - chance) * expit(params[0] * (np.asarray(log10_flop) - params[1]))


def fit_logistic_baseline(
    log10_flop: np.ndarray, fraction: np.ndarray, *, chance: float
) -> tuple[np.ndarray, float]:
    """Least-squares logistic curve of score on log10 FLOP for one benchmark.

    ``score = chance + (1 - chance) * logistic(slope * (log10_flop - midpoint))``.

    Parameters
    ----------
    log10_flop
        Shape (row,), log10 training FLOP of the training results.
    fraction
        Shape (row,), fraction of tasks solved.
    chance
        Score of random guessing (fraction of tasks).

    Returns
    -------
    (numpy.ndarray, float)
        Parameters ``[slope, midpoint]`` and the residual sd (fraction points,
        ``sqrt(SSR / (n - 2))``), which gives the baseline's normal predictive sd.
    """
    log10_flop = np.asarray(log10_flop, dtype=float)
    fraction = np.asarray(fraction, dtype=float)

    def residual(theta: np.ndarray) -> np.ndarray:
        return logistic_curve(theta, log10_flop, chance=chance) - fraction

    start = np.array([1.0, float(np.median(log10_flop))])
    bounds = (
        [LOGISTIC_SLOPE_BOUNDS[0], LOGISTIC_MIDPOINT_BOUNDS[0]],
        [LOGISTIC_SLOPE_BOUNDS[1], LOGISTIC_MIDPOINT_BOUNDS[1]],
    )
    result = least_squares(residual, start, bounds=bounds)
    dof = max(len(fraction) - 2, 1)
    sd = float(np.sqrt(np.sum(result.fun**2) / dof))
    return result.x, max(sd, MIN_RESIDUAL_SD)


@dataclass(frozen=True)
class IrtFit:
    """Least-squares item-response fit (see the module docstring).

    Attributes
    ----------
    models, benchmarks
        Names, in the order of ``theta`` and of the benchmark arrays.
    theta
        Shape (model,), latent capability (sd units of the training models).
    slope, midpoint
        Shape (benchmark,), logit per unit theta; theta units.
    chance
        Shape (benchmark,), score of random guessing (fraction of tasks).
    residual_sd
        Shape (benchmark,), residual sd of the fit per benchmark (fraction points,
        ``sqrt(SSR_b / (n_b - 2))``).
    at_bound
        Shape (model,), whether ``theta`` sits at +-:data:`IRT_THETA_BOUND`.
    cost
        Half the sum of squared residuals at the optimum.
    """

    models: tuple[str, ...]
    benchmarks: tuple[str, ...]
    theta: np.ndarray
    slope: np.ndarray
    midpoint: np.ndarray
    chance: np.ndarray
    residual_sd: np.ndarray
    at_bound: np.ndarray
    cost: float

    def curve(self, benchmark: str, theta: np.ndarray | float) -> np.ndarray:
        """Fraction of ``benchmark``'s tasks solved at latent capability ``theta``."""
        b = self.benchmarks.index(benchmark)
        return self.chance[b] + (1 - self.chance[b]) * expit(
            self.slope[b] * (np.asarray(theta) - self.midpoint[b])
        )


def fit_irt_baseline(
    model: np.ndarray,
    benchmark: np.ndarray,
    fraction: np.ndarray,
    *,
    chance: dict[str, float],
) -> IrtFit:
    """Joint least-squares item-response fit (no priors; see the module docstring).

    Parameters
    ----------
    model, benchmark
        Shape (row,), model and benchmark name of each training result.
    fraction
        Shape (row,), fraction of tasks solved.
    chance
        Chance score (fraction of tasks) of every benchmark in ``benchmark``.

    Returns
    -------
    IrtFit

    Raises
    ------
    RiskmodelError
        Fewer than two models or no benchmark.
    """
    model = np.asarray(model, dtype=object)
    benchmark = np.asarray(benchmark, dtype=object)
    y = np.asarray(fraction, dtype=float)
    models = tuple(sorted(set(model.tolist())))
    benchmarks = tuple(sorted(set(benchmark.tolist())))
    if len(models) < 2 or not benchmarks:
        raise RiskmodelError(
            "the item-response baseline needs results of at least two models; "
            f"got {len(models)} model(s) and {len(benchmarks)} benchmark(s)"
        )
    mi = np.array([models.index(m) for m in model])
    bi = np.array([benchmarks.index(b) for b in benchmark])
    c = np.array([chance[b] for b in benchmarks], dtype=float)
    n_m, n_b = len(models), len(benchmarks)

    # start: standardised mean logit of the chance-corrected score of each model
    corrected = np.clip((y - c[bi]) / (1 - c[bi]), IRT_START_CLIP, 1 - IRT_START_CLIP)
    raw = np.bincount(mi, weights=logit(corrected), minlength=n_m) / np.bincount(mi, minlength=n_m)
    spread = raw.std() if raw.std() > 0 else 1.0
    theta0 = np.clip((raw - raw.mean()) / spread, -IRT_THETA_BOUND + 0.1, IRT_THETA_BOUND - 0.1)
    start = np.concatenate([theta0, np.ones(n_b), np.zeros(n_b)])
    weight = IRT_GAUGE_WEIGHT * np.sqrt(y.size)

    def unpack(params: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return params[:n_m], params[n_m : n_m + n_b], params[n_m + n_b :]

    def residual(params: np.ndarray) -> np.ndarray:
        theta, a, b = unpack(params)
        fitted = c[bi] + (1 - c[bi]) * expit(a[bi] * (theta[mi] - b[bi]))
        gauge = [weight * theta.mean(), weight * (theta.std() - 1.0)]
        return np.concatenate([fitted - y, gauge])

    data_rows = np.concatenate([np.arange(y.size)] * 3)
    gauge_rows = np.repeat([y.size, y.size + 1], n_m)
    gauge_cols = np.tile(np.arange(n_m), 2)
    shape = (y.size + 2, n_m + 2 * n_b)

    def jacobian(params: np.ndarray) -> sparse.csr_array:
        theta, a, b = unpack(params)
        s = expit(a[bi] * (theta[mi] - b[bi]))
        ds = (1 - c[bi]) * s * (1 - s)
        sd = max(theta.std(), 1e-12)
        values = np.concatenate(
            [
                ds * a[bi],
                ds * (theta[mi] - b[bi]),
                -ds * a[bi],
                np.full(n_m, weight / n_m),
                weight * (theta - theta.mean()) / (n_m * sd),
            ]
        )
        rows = np.concatenate([data_rows, gauge_rows])
        cols = np.concatenate([mi, n_m + bi, n_m + n_b + bi, gauge_cols])
        return sparse.csr_array((values, (rows, cols)), shape=shape)

    lower = np.concatenate(
        [
            np.full(n_m, -IRT_THETA_BOUND),
            np.full(n_b, IRT_SLOPE_BOUNDS[0]),
            np.full(n_b, IRT_MIDPOINT_BOUNDS[0]),
        ]
    )
    upper = np.concatenate(
        [
            np.full(n_m, IRT_THETA_BOUND),
            np.full(n_b, IRT_SLOPE_BOUNDS[1]),
            np.full(n_b, IRT_MIDPOINT_BOUNDS[1]),
        ]
    )
    result = least_squares(
        residual, start, jac=jacobian, bounds=(lower, upper), x_scale="jac", tr_solver="lsmr"
    )
    params = result.x
    theta, a, b = params[:n_m], params[n_m : n_m + n_b], params[n_m + n_b :]
    fit_res = result.fun[: y.size]
    ssr = np.bincount(bi, weights=fit_res**2, minlength=n_b)
    count = np.bincount(bi, minlength=n_b)
    sd = np.sqrt(ssr / np.maximum(count - 2, 1))
    return IrtFit(
        models=models,
        benchmarks=benchmarks,
        theta=theta,
        slope=a,
        midpoint=b,
        chance=c,
        residual_sd=np.maximum(sd, MIN_RESIDUAL_SD),
        at_bound=np.abs(theta) >= IRT_THETA_BOUND - 1e-6,
        cost=float(0.5 * np.sum(fit_res**2)),
    )


def linked_benchmarks(model: np.ndarray, benchmark: np.ndarray) -> list[tuple[str, ...]]:
    """Groups of benchmarks connected through models with results on both.

    An item-response fit puts two benchmarks on one latent scale only if a chain of
    shared models links them; each group (a connected component of the model-benchmark
    graph) needs its own fit, else the relative location of the groups is arbitrary.
    In the shipped data the Observational Scaling Laws benchmarks form one group and the
    Cybench aggregates another (no model has results in both).

    Parameters
    ----------
    model, benchmark
        Shape (row,), the model and benchmark of each result.

    Returns
    -------
    list of tuple of str
        Sorted benchmark names per group, groups ordered by their first name.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_bench: dict[str, str] = {}
    for m, b in zip(np.asarray(model).tolist(), np.asarray(benchmark).tolist(), strict=True):
        find(b)
        if m in first_bench:
            parent[find(b)] = find(first_bench[m])
        else:
            first_bench[m] = b
    groups: dict[str, list[str]] = {}
    for b in parent:
        groups.setdefault(find(b), []).append(b)
    return sorted(tuple(sorted(g)) for g in groups.values())


@dataclass(frozen=True)
class ThetaRegression:
    """Least-squares regression of a latent capability on log10 FLOP and release date.

    ``theta = coef[0] + coef[1] * log10_flop + coef[2] * years``, ``years`` since
    :data:`THETA_REGRESSION_REFERENCE_DATE`.

    Attributes
    ----------
    coef
        Shape (3,), intercept (theta units), per dex of FLOP, per year.
    xtx_inv
        Shape (3, 3), ``(X'X)^-1``.
    sd
        Residual sd (theta units, ``sqrt(SSR / (n - 3))``).
    n
        Models fitted.
    """

    coef: np.ndarray
    xtx_inv: np.ndarray
    sd: float
    n: int

    def predict(
        self, log10_flop: np.ndarray | float, years: np.ndarray | float
    ) -> tuple[np.ndarray, np.ndarray]:
        """Predictive mean and sd (theta units) of a new model's theta.

        The sd is ``sd * sqrt(1 + x' (X'X)^-1 x)``: residual and coefficient
        uncertainty (normal approximation).
        """
        x = np.stack(
            np.broadcast_arrays(
                np.ones_like(np.asarray(log10_flop, float)),
                np.asarray(log10_flop, float),
                np.asarray(years, float),
            ),
            axis=-1,
        )
        mean = x @ self.coef
        leverage = np.einsum("...i,ij,...j->...", x, self.xtx_inv, x)
        return mean, self.sd * np.sqrt(1.0 + leverage)


def fit_theta_regression(
    theta: np.ndarray, log10_flop: np.ndarray, years: np.ndarray
) -> ThetaRegression:
    """Ordinary least squares of ``theta`` on log10 FLOP and years (see
    :class:`ThetaRegression`).

    Raises
    ------
    RiskmodelError
        Fewer than four models, or a design matrix of rank below 3 (e.g. every model
        released on the same day).
    """
    theta = np.asarray(theta, dtype=float)
    X = np.column_stack([np.ones_like(theta), np.asarray(log10_flop, float), np.asarray(years)])
    if theta.size < 4 or np.linalg.matrix_rank(X) < 3:
        raise RiskmodelError(
            f"the theta regression needs at least 4 models with distinct FLOP and dates; "
            f"got {theta.size}"
        )
    coef, *_ = np.linalg.lstsq(X, theta, rcond=None)
    resid = theta - X @ coef
    sd = float(np.sqrt(np.sum(resid**2) / max(theta.size - 3, 1)))
    return ThetaRegression(
        coef=coef,
        xtx_inv=np.linalg.inv(X.T @ X),
        sd=max(sd, MIN_RESIDUAL_SD),
        n=int(theta.size),
    )


@dataclass(frozen=True)
class PoissonTrend:
    """Firth-penalised Poisson log-linear trend of yearly counts (see the module
    docstring).

    Attributes
    ----------
    coef
        ``[a, b]``: ln of the expected count in ``reference_year``; growth per year (1/year).
    covariance
        Shape (2, 2), inverse Fisher information at the estimate.
    reference_year
        Calendar year at which ``a`` applies.
    """

    coef: np.ndarray
    covariance: np.ndarray
    reference_year: int

    def draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Shape (n, 2) normal draws of ``[a, b]``."""
        return rng.multivariate_normal(self.coef, self.covariance, size=n, method="cholesky")

    def log_rate(self, params: np.ndarray, year: float) -> np.ndarray:
        """ln expected runs per calendar year in ``year`` for rows of ``params``."""
        params = np.atleast_2d(params)
        return params[:, 0] + params[:, 1] * (year - self.reference_year)


def fit_poisson_trend(
    years: np.ndarray, counts: np.ndarray, *, reference_year: int
) -> PoissonTrend:
    """Fit a :class:`PoissonTrend` to counts per calendar year.

    Parameters
    ----------
    years
        Shape (year,), calendar years (each year once; years without runs count 0).
    counts
        Shape (year,), runs in each year.
    reference_year
        Year at which the intercept applies (e.g. the last training year).

    Raises
    ------
    RiskmodelError
        Fewer than two years.
    """
    years = np.asarray(years, dtype=float)
    counts = np.asarray(counts, dtype=float)
    if years.size < 2:
        raise RiskmodelError("the Poisson trend needs counts of at least two years")
    X = np.column_stack([np.ones_like(years), years - reference_year])

    def information(beta: np.ndarray) -> np.ndarray:
        mu = np.exp(X @ beta)
        return X.T @ (mu[:, None] * X)

    def penalised_nll(beta: np.ndarray) -> float:
        eta = X @ beta
        sign, logdet = np.linalg.slogdet(information(beta))
        if sign <= 0 or not np.all(np.isfinite(eta)) or np.max(eta) > 50:
            return np.inf
        return float(-(np.sum(counts * eta - np.exp(eta)) + 0.5 * logdet))

    start = np.array([np.log(counts.mean() + 0.5), 0.0])
    result = optimize.minimize(
        penalised_nll,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000},
    )
    coef = np.asarray(result.x, dtype=float)
    return PoissonTrend(
        coef=coef,
        covariance=np.linalg.inv(information(coef)),
        reference_year=int(reference_year),
    )


@dataclass(frozen=True)
class ScoreTrend:
    """Least-squares logistic trend of an instrument's best score by date (see the
    module docstring).

    Attributes
    ----------
    params
        ``[intercept, slope]``: logit at :data:`TREND_REFERENCE_DATE`, logit per year.
    chance
        Score of random guessing (fraction of tasks).
    sd
        Residual sd (fraction points, ``sqrt(SSR / (n - 2))``).
    covariance
        Shape (2, 2), ``sd^2 (J'J)^+`` at the optimum.
    n
        Windows fitted.
    """

    params: np.ndarray
    chance: float
    sd: float
    covariance: np.ndarray
    n: int

    def curve(self, years: np.ndarray | float, params: np.ndarray | None = None) -> np.ndarray:
        """Fraction of tasks solved on the trend at ``years``."""
        a, b = self.params if params is None else params
        return self.chance + (1 - self.chance) * expit(a + b * np.asarray(years, float))

    def predict(self, years: float) -> tuple[float, float]:
        """Predictive mean and sd (fraction points) of the best score at ``years``."""
        a, b = self.params
        s = expit(a + b * years)
        grad = (1 - self.chance) * s * (1 - s) * np.array([1.0, years])
        var = self.sd**2 + float(grad @ self.covariance @ grad)
        return float(self.chance + (1 - self.chance) * s), float(np.sqrt(var))


def fit_score_trend(years: np.ndarray, best: np.ndarray, *, chance: float) -> ScoreTrend:
    """Least-squares logistic trend of the best score per window on the date.

    Parameters
    ----------
    years
        Shape (window,), each window's last day in years since
        :data:`TREND_REFERENCE_DATE`.
    best
        Shape (window,), the window's best fraction of tasks solved.
    chance
        Score of random guessing (fraction of tasks).

    Returns
    -------
    ScoreTrend

    Raises
    ------
    RiskmodelError
        Fewer than :data:`MIN_TREND_WINDOWS` windows.
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(best, dtype=float)
    if x.size < MIN_TREND_WINDOWS or np.unique(x).size < 2:
        raise RiskmodelError(
            f"the score trend needs at least {MIN_TREND_WINDOWS} windows with results; got {x.size}"
        )
    # start: ordinary least squares on the logit of the clipped chance-corrected score
    corrected = np.clip(
        (y - chance) / (1 - chance), SCORE_TREND_START_CLIP, 1 - SCORE_TREND_START_CLIP
    )
    X = np.column_stack([np.ones_like(x), x])
    start, *_ = np.linalg.lstsq(X, logit(corrected), rcond=None)
    lower = np.array([SCORE_TREND_INTERCEPT_BOUNDS[0], SCORE_TREND_SLOPE_BOUNDS[0]])
    upper = np.array([SCORE_TREND_INTERCEPT_BOUNDS[1], SCORE_TREND_SLOPE_BOUNDS[1]])
    start = np.clip(start, lower + 1e-6, upper - 1e-6)

    def residual(params: np.ndarray) -> np.ndarray:
        return chance + (1 - chance) * expit(params[0] + params[1] * x) - y

    result = least_squares(residual, start, bounds=(lower, upper))
    dof = max(x.size - 2, 1)
    sd = max(float(np.sqrt(np.sum(result.fun**2) / dof)), MIN_RESIDUAL_SD)
    jac = np.asarray(result.jac, dtype=float)
    covariance = sd**2 * np.linalg.pinv(jac.T @ jac)
    return ScoreTrend(
        params=np.asarray(result.x, dtype=float),
        chance=float(chance),
        sd=sd,
        covariance=covariance,
        n=int(x.size),
    )


@dataclass(frozen=True)
class LinearTrend:
    """Ordinary least squares ``y = coef[0] + coef[1] * years`` (see the module docstring).

    Attributes
    ----------
    coef
        Shape (2,), intercept at :data:`TREND_REFERENCE_DATE` and slope per year.
    xtx_inv
        Shape (2, 2), ``(X'X)^-1``.
    sd
        Residual sd (``sqrt(SSR / (n - 2))``).
    n
        Points fitted.
    """

    coef: np.ndarray
    xtx_inv: np.ndarray
    sd: float
    n: int

    def predict(self, years: float) -> tuple[float, float]:
        """Predictive mean and sd of a new point at ``years`` (residual and coefficient
        uncertainty)."""
        x = np.array([1.0, float(years)])
        leverage = float(x @ self.xtx_inv @ x)
        return float(x @ self.coef), self.sd * float(np.sqrt(1.0 + leverage))


def fit_linear_trend(years: np.ndarray, values: np.ndarray) -> LinearTrend:
    """Fit a :class:`LinearTrend`.

    Raises
    ------
    RiskmodelError
        Fewer than :data:`MIN_FRONTIER_FLOP_MODELS` points, or all on one date.
    """
    x = np.asarray(years, dtype=float)
    y = np.asarray(values, dtype=float)
    if x.size < MIN_FRONTIER_FLOP_MODELS or np.unique(x).size < 2:
        raise RiskmodelError(
            f"the compute trend needs at least {MIN_FRONTIER_FLOP_MODELS} models on "
            f"distinct dates; got {x.size}"
        )
    X = np.column_stack([np.ones_like(x), x])
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    sd = float(np.sqrt(np.sum((y - X @ coef) ** 2) / (x.size - 2)))
    return LinearTrend(
        coef=coef, xtx_inv=np.linalg.inv(X.T @ X), sd=max(sd, MIN_RESIDUAL_SD), n=int(x.size)
    )
