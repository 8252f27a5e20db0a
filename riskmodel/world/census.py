"""The census of training runs: runs with and without a compute estimate, fitted jointly.

See :mod:`riskmodel.world.fit` for the model, its units and the data choices. This
module holds the pieces that make the count model describe the runs Epoch *lists*
whether or not it gives them a compute estimate:

* :class:`CensusRuns` -- the base runs of the census (Epoch's large-scale list), each
  with its log10 FLOP (NaN where Epoch has no estimate), release year and time,
  developer tier, open weights and Epoch's verdict against 1e25 FLOP;
* :class:`GroupParams` -- ``P(group | log10 FLOP, time)`` of the eight recording groups
  (frontier or other developer x language or other domain x closed or open weights),
  the product of the tier, domain and open-weights logistic regressions;
* :func:`fit_census_model` -- the joint maximum of the count, tier, domain and
  open-weights likelihood over every census run, with a Laplace covariance;
* :class:`RecordingFit` -- the share of runs of each group and year that carry a
  compute estimate (independent Beta posteriors), and :func:`recorded_fraction`, the
  share at a given log10 FLOP that follows from it.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special

from riskmodel.errors import RiskmodelError
from riskmodel.world.counts import (
    COUNT_NAMES,
    FITTING_SCALE,
    GRADIENT_TOLERANCE,
    NEWTON_ITERATIONS,
    REFERENCE_LOG10_FLOP,
    REFERENCE_YEAR,
    CountParams,
    _gradient,
    _hessian,
    _inverse_pd,
    exposure_array,
    fit_count_model,
    newton_polish,
)

__all__ = [
    "GROUPS",
    "TIER_NAMES",
    "OPEN_NAMES",
    "LANGUAGE_NAMES",
    "VERDICT_LOG10_FLOP",
    "RECORDING_PRIOR",
    "LOGISTIC_NAMES",
    "LOGISTIC_SLOPE_PRIOR_SD",
    "LOGISTIC_INTERCEPT_PRIOR_SD",
    "CensusRuns",
    "GroupParams",
    "CensusFit",
    "RecordingFit",
    "group_index",
    "fit_census_model",
    "fit_recording",
    "recorded_fraction",
    "share_recorded_above",
    "log10_flop_grid",
]

#: Recording groups: (frontier developer or other) x (language or other domain) x
#: (closed or open weights). Index ``4 * other + 2 * other_domain + open`` (see
#: :func:`group_index`).
GROUPS = tuple(
    f"{tier}_{domain}_{access}"
    for tier in ("frontier", "other")
    for domain in ("language", "nonlanguage")
    for access in ("closed", "open")
)
#: Names of the tier logistic coefficients.
TIER_NAMES = ("tier_intercept", "tier_flop")
#: Names of the open-weights logistic coefficients.
OPEN_NAMES = ("open_intercept", "open_frontier", "open_flop")
#: Names of the domain logistic coefficients (P(language or multimodal model)).
LANGUAGE_NAMES = ("language_intercept", "language_flop")
#: The compute level (log10 FLOP) of Epoch's verdicts (``compute_note_vs_1e25``).
VERDICT_LOG10_FLOP = 25.0
#: Beta prior (a, b) of each group's and year's recording share: uniform.
RECORDING_PRIOR = (1.0, 1.0)
#: Prior sd (logit units per dex) of logistic slopes: weak, keeps the mode finite under
#: separation (Gelman et al. 2008 use 2.5 for standardised inputs).
LOGISTIC_SLOPE_PRIOR_SD = 2.5
#: Prior sd (logit units) of logistic intercepts: effectively flat.
LOGISTIC_INTERCEPT_PRIOR_SD = 10.0
#: Upper end (log10 FLOP) of the quadrature over an unrecorded run's compute; the fitted
#: intensity there is negligible in every fitted year (the 2025 centre is near 1e24.6
#: with sd ~0.9 dex, so 1e30 is 6 sd above it).
GRID_TOP_LOG10_FLOP = 30.0
#: Quadrature step (dex). The maximised log-likelihood of the shipped fit moves by 0.01
#: (its estimates by < 1e-4) against a step of 0.02 dex.
GRID_STEP = 0.05
LOGISTIC_NAMES = TIER_NAMES + OPEN_NAMES + LANGUAGE_NAMES
#: Prior sd of each logistic coefficient (intercepts effectively flat, slopes weak).
_LOGISTIC_PRIOR_SD = np.array(
    [
        LOGISTIC_INTERCEPT_PRIOR_SD if name.endswith("intercept") else LOGISTIC_SLOPE_PRIOR_SD
        for name in LOGISTIC_NAMES
    ]
)


def group_index(frontier: Any, language: Any, open_weights: Any) -> np.ndarray:
    """Recording group (index into :data:`GROUPS`) of runs by tier, domain and open
    weights."""
    other = (~np.asarray(frontier, dtype=bool)).astype(np.int64)
    nonlanguage = (~np.asarray(language, dtype=bool)).astype(np.int64)
    return 4 * other + 2 * nonlanguage + np.asarray(open_weights, dtype=bool).astype(np.int64)


def log10_flop_grid(floor: float, step: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Quadrature nodes from ``floor`` to :data:`GRID_TOP_LOG10_FLOP` with the verdict
    level as a node, and trapezoid weights of the parts below and above that level.

    Returns
    -------
    tuple
        ``x`` (K,), ``weights`` (2, K): row 0 integrates over [floor, 1e25], row 1 over
        [1e25, top] (one row is zero if the floor is at or above the level).
    """
    level = VERDICT_LOG10_FLOP
    step = GRID_STEP if step is None else step
    pieces = []
    bounds = [floor, max(level, floor), GRID_TOP_LOG10_FLOP]
    for k in range(2):
        lo, hi = bounds[k], bounds[k + 1]
        n = max(1, int(round((hi - lo) / step)))
        pieces.append(np.linspace(lo, hi, n + 1))
    x = np.concatenate([pieces[0], pieces[1][1:]])
    weights = np.zeros((2, x.size))
    start = 0
    for k, nodes in enumerate(pieces):
        h = np.diff(nodes)
        w = np.zeros(nodes.size)
        w[:-1] += h / 2
        w[1:] += h / 2
        if nodes[-1] > nodes[0]:
            weights[k, start : start + nodes.size] = w
        start += nodes.size - 1
    return x, weights


# ---------------------------------------------------------------------------------------
# Runs and group probabilities
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CensusRuns:
    """Base runs of the census (every array of shape (n,)).

    Attributes
    ----------
    log10_flop
        float, log10 training FLOP; NaN where the record has no compute estimate.
    year
        int, calendar year of release.
    time
        float, decimal release year.
    frontier
        bool, by one of the frontier developers.
    language
        bool, a language or multimodal model (Epoch's domain names ``Language`` or
        ``Multimodal``); false for image, video, speech, audio, biology, robotics ...
    open_weights
        bool, weights released openly.
    p_above
        float, for a run without an estimate that carries a verdict against 1e25 FLOP,
        the probability of being at or above 1e25 that the verdict stands for (even prior
        odds; see :class:`~riskmodel.world.assumptions.WorldAssumptions`); NaN otherwise.
    """

    log10_flop: np.ndarray
    year: np.ndarray
    time: np.ndarray
    frontier: np.ndarray
    language: np.ndarray
    open_weights: np.ndarray
    p_above: np.ndarray

    def __post_init__(self) -> None:
        n = np.shape(self.year)
        for name in _RUN_FIELDS:
            if np.shape(getattr(self, name)) != n:
                raise RiskmodelError(f"census column '{name}' must have shape {n}")

    @property
    def recorded(self) -> np.ndarray:
        """bool, the run has a compute estimate."""
        return np.isfinite(self.log10_flop)

    @property
    def group(self) -> np.ndarray:
        """int, recording group (index into :data:`GROUPS`)."""
        return group_index(self.frontier, self.language, self.open_weights)

    def select(self, keep: np.ndarray) -> CensusRuns:
        """The runs where ``keep`` is true."""
        return CensusRuns(*(np.asarray(getattr(self, name))[keep] for name in _RUN_FIELDS))


_RUN_FIELDS = ("log10_flop", "year", "time", "frontier", "language", "open_weights", "p_above")


@dataclass(frozen=True)
class GroupParams:
    """Tier, open-weights and domain logistic coefficients (arrays broadcastable, or
    scalars).

    ``P(frontier | x, t) = expit(tier_intercept + tier_flop * r)``,
    ``P(open | frontier, x, t) = expit(open_intercept + open_frontier * frontier +
    open_flop * r)`` and ``P(language | x, t) = expit(language_intercept +
    language_flop * r)``, with ``r = x - 25 - drift * (t - 2024)`` (dex above the
    frontier path; ``t`` decimal years); domain is independent of tier and openness
    given ``x`` and ``t``.
    """

    tier_intercept: Any
    tier_flop: Any
    open_intercept: Any
    open_frontier: Any
    open_flop: Any
    language_intercept: Any
    language_flop: Any
    drift: Any

    def log_prob(self, group: Any, log10_flop: Any, time: Any) -> np.ndarray:
        """ln P(group | log10 FLOP, decimal time), broadcast over the arguments."""
        group = np.asarray(group)
        frontier = group < 4
        # +1 where the group has the attribute, -1 where it has not: log P = log expit(s * logit).
        s_tier = np.where(frontier, 1.0, -1.0)
        s_language = np.where((group % 4) < 2, 1.0, -1.0)
        s_open = np.where((group % 2) == 1, 1.0, -1.0)
        rel = (
            np.asarray(log10_flop, dtype=float)
            - REFERENCE_LOG10_FLOP
            - self.drift * (np.asarray(time, dtype=float) - REFERENCE_YEAR)
        )
        tier_logit = self.tier_intercept + self.tier_flop * rel
        open_logit = self.open_intercept + self.open_frontier * frontier + self.open_flop * rel
        language_logit = self.language_intercept + self.language_flop * rel
        return (
            special.log_expit(s_tier * tier_logit)
            + special.log_expit(s_open * open_logit)
            + special.log_expit(s_language * language_logit)
        )

    def probabilities(self, log10_flop: Any, time: Any) -> np.ndarray:
        """P(group | log10 FLOP, time) of every group, shape ``broadcast + (8,)``."""
        return np.stack(
            [np.exp(self.log_prob(g, log10_flop, time)) for g in range(len(GROUPS))], axis=-1
        )


# ---------------------------------------------------------------------------------------
# Recording shares
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RecordingFit:
    """Share of each group's census runs per year that carry a compute estimate.

    Under the assumption that, within a group and year, whether Epoch gives a run a
    compute estimate does not depend on the run's compute, the recorded runs of group
    ``g`` in year ``y`` are Binomial(listed runs, ``r[g, y]``); with the uniform prior
    :data:`RECORDING_PRIOR` the posterior of each ``r[g, y]`` is
    ``Beta(1 + recorded, 1 + listed - recorded)``, independent of each other and of the
    count model (the likelihood factorises).

    Attributes
    ----------
    years
        Fitted calendar years.
    recorded, listed
        int arrays (group, year): runs with a compute estimate, and all census runs.
    pool_years
        Years after the fit use the pooled counts of the last ``pool_years`` fitted
        years.
    """

    years: tuple[int, ...]
    recorded: np.ndarray
    listed: np.ndarray
    pool_years: int

    def beta_parameters(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """Beta posterior (a, b) of every group's share in ``year``, shape (8,) each.

        Years before the fit use the first fitted year; years after it pool the last
        :attr:`pool_years` fitted years.
        """
        if year in self.years:
            k = self.years.index(year)
            rec, lis = self.recorded[:, k], self.listed[:, k]
        elif year < self.years[0]:
            rec, lis = self.recorded[:, 0], self.listed[:, 0]
        else:
            rec = self.recorded[:, -self.pool_years :].sum(axis=1)
            lis = self.listed[:, -self.pool_years :].sum(axis=1)
        a0, b0 = RECORDING_PRIOR
        return a0 + rec, b0 + lis - rec

    def draws(self, year: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """Posterior draws of every group's share in ``year``, shape (n, 8)."""
        a, b = self.beta_parameters(year)
        return rng.beta(a, b, size=(n, a.size))

    def table(self) -> list[dict[str, Any]]:
        """One record per (group, year): counts, posterior mean and 90% interval."""
        from scipy import stats

        rows = []
        for k, year in enumerate(self.years):
            a, b = self.beta_parameters(year)
            for g, name in enumerate(GROUPS):
                q05, q95 = stats.beta.ppf([0.05, 0.95], a[g], b[g])
                rows.append(
                    {
                        "year": int(year),
                        "group": name,
                        "listed": int(self.listed[g, k]),
                        "recorded": int(self.recorded[g, k]),
                        "mean": float(a[g] / (a[g] + b[g])),
                        "q05": float(q05),
                        "q95": float(q95),
                    }
                )
        return rows


def fit_recording(runs: CensusRuns, *, years: Sequence[int], pool_years: int) -> RecordingFit:
    """Counts of listed and recorded census runs per group and year.

    Raises
    ------
    RiskmodelError
        ``pool_years`` is not between 1 and the number of years.
    """
    years = tuple(sorted({int(y) for y in years}))
    if not 1 <= pool_years <= len(years):
        raise RiskmodelError(f"recording pool of {pool_years} years is not in 1 .. {len(years)}")
    group, year, rec = runs.group, np.asarray(runs.year), runs.recorded
    listed = np.zeros((len(GROUPS), len(years)), dtype=np.int64)
    recorded = np.zeros_like(listed)
    for k, y in enumerate(years):
        in_year = year == y
        listed[:, k] = np.bincount(group[in_year], minlength=len(GROUPS))
        recorded[:, k] = np.bincount(group[in_year & rec], minlength=len(GROUPS))
    listed.flags.writeable = False
    recorded.flags.writeable = False
    return RecordingFit(years, recorded, listed, int(pool_years))


def recorded_fraction(
    groups: GroupParams, shares: np.ndarray, log10_flop: Any, time: Any
) -> np.ndarray:
    """Share of runs at ``log10_flop`` that carry a compute estimate.

    ``sum_g P(g | x, t) * shares[..., g]``; ``shares`` has a last axis of length 8
    (one share per group) and broadcasts against ``log10_flop`` and ``time``
    after a trailing group axis is added.
    """
    probs = groups.probabilities(log10_flop, time)
    return np.sum(probs * shares, axis=-1)


# ---------------------------------------------------------------------------------------
# Joint fit of count, tier and open weights
# ---------------------------------------------------------------------------------------


def _split(theta: np.ndarray, form: str) -> tuple[CountParams, GroupParams]:
    k = len(FITTING_SCALE[form])
    count = CountParams.from_vector(theta[:k], form)
    drift = count.mu if form == "curved" else 0.0
    return count, GroupParams(*theta[k:], drift=drift)


def _logistic_log_prior(theta: np.ndarray) -> float:
    return float(-0.5 * np.sum((theta / _LOGISTIC_PRIOR_SD) ** 2))


@dataclass(frozen=True, eq=False)
class _CensusData:
    x: np.ndarray  # recorded runs
    year_x: np.ndarray
    time_x: np.ndarray
    group_x: np.ndarray
    year_idx_m: np.ndarray  # unrecorded runs
    time_m: np.ndarray
    group_m: np.ndarray
    weight_below: np.ndarray
    weight_above: np.ndarray
    years: np.ndarray
    exposure: np.ndarray
    floor: float
    grid: np.ndarray
    grid_weights: np.ndarray
    n_verdicts: int


def _census_data(
    runs: CensusRuns, years: Sequence[int], exposure: np.ndarray, floor: float
) -> _CensusData:
    years_arr = np.asarray(sorted({int(y) for y in years}), dtype=np.int64)
    year = np.asarray(runs.year, dtype=np.int64)
    in_years = np.isin(year, years_arr)
    rec = runs.recorded & in_years
    x = np.asarray(runs.log10_flop, dtype=float)
    rec &= np.where(np.isfinite(x), x, -np.inf) >= floor
    miss = ~runs.recorded & in_years
    p = np.asarray(runs.p_above, dtype=float)[miss]
    has_verdict = np.isfinite(p)
    grid, grid_weights = log10_flop_grid(floor)
    return _CensusData(
        x=x[rec],
        year_x=year[rec],
        time_x=np.asarray(runs.time, dtype=float)[rec],
        group_x=runs.group[rec],
        year_idx_m=np.searchsorted(years_arr, year[miss]),
        time_m=np.asarray(runs.time, dtype=float)[miss],
        group_m=runs.group[miss],
        weight_below=np.where(has_verdict, 1.0 - np.nan_to_num(p), 1.0),
        weight_above=np.where(has_verdict, np.nan_to_num(p), 1.0),
        years=years_arr,
        exposure=exposure,
        floor=float(floor),
        grid=grid,
        grid_weights=grid_weights,
        n_verdicts=int(has_verdict.sum()),
    )


def _census_log_likelihood(theta: np.ndarray, form: str, data: _CensusData) -> float:
    """Log-likelihood of the census (natural log) plus the logistic log prior."""
    count, groups = _split(theta, form)
    k = len(FITTING_SCALE[form])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        recorded = np.sum(count.log_density(data.x, data.year_x)) + np.sum(
            groups.log_prob(data.group_x, data.x, data.time_x)
        )
        total = np.sum(data.exposure * np.exp(count.log_count_above(data.floor, data.years)))
        missing = 0.0
        if data.group_m.size:
            log_lam = count.log_density(data.grid[None, :], data.years[:, None].astype(float))
            log_f = log_lam[data.year_idx_m] + groups.log_prob(
                data.group_m[:, None], data.grid[None, :], data.time_m[:, None]
            )
            shift = np.max(log_f, axis=1, keepdims=True)
            f = np.exp(log_f - shift)
            below = f @ data.grid_weights[0]
            above = f @ data.grid_weights[1]
            mass = data.weight_below * below + data.weight_above * above
            missing = np.sum(np.log(mass) + shift[:, 0])
        value = recorded + missing - total + _logistic_log_prior(theta[k:])
    return float(value) if np.isfinite(value) else -np.inf


@dataclass(frozen=True, eq=False)
class CensusFit:
    """Joint posterior mode of the count, tier, open-weights and domain models, with its
    Laplace covariance.

    Attributes
    ----------
    form
        ``"curved"`` or ``"loglinear"``.
    theta, covariance
        Mode and inverse Hessian: the count model on :data:`FITTING_SCALE`, then
        :data:`LOGISTIC_NAMES`.
    log_likelihood
        Maximised log-likelihood (natural log, logistic log prior excluded).
    n_recorded, n_unrecorded
        Census runs fitted with and without a compute estimate.
    n_verdicts
        Runs without an estimate whose compute is weighted by a verdict (Epoch's, or
        the reading of its absence from the review start on).
    years, exposure, floor_log10_flop
        Calendar years, their observed shares, the floor.
    """

    form: str
    theta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    n_recorded: int
    n_unrecorded: int
    n_verdicts: int
    years: tuple[int, ...]
    exposure: tuple[float, ...]
    floor_log10_flop: float

    @property
    def n_parameters(self) -> int:
        """Number of free parameters."""
        return int(self.theta.size)

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2 k - 2 log L``."""
        return 2.0 * self.n_parameters - 2.0 * self.log_likelihood

    @property
    def count_params(self) -> CountParams:
        """Count parameters at the mode."""
        return _split(self.theta, self.form)[0]

    @property
    def group_params(self) -> GroupParams:
        """Tier, open-weights and domain coefficients at the mode."""
        return _split(self.theta, self.form)[1]

    def estimates(self) -> dict[str, float]:
        """Mode on the natural scale: count parameters and logistic coefficients."""
        count, groups = self.count_params, self.group_params
        out = {name: float(getattr(count, name)) for name in COUNT_NAMES}
        out.update({name: float(getattr(groups, name)) for name in LOGISTIC_NAMES})
        return out

    def standard_errors(self) -> dict[str, float]:
        """Laplace standard errors on the fitting scale."""
        names = FITTING_SCALE[self.form] + LOGISTIC_NAMES
        return dict(zip(names, np.sqrt(np.diag(self.covariance)).tolist(), strict=True))

    def draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Laplace draws on the natural scale, each of shape ``(n,)``."""
        theta = rng.multivariate_normal(self.theta, self.covariance, size=n, method="cholesky")
        count, groups = _split(theta.T, self.form)
        out = {
            name: np.broadcast_to(np.asarray(getattr(count, name), dtype=float), (n,)).copy()
            for name in COUNT_NAMES
        }
        out.update(
            {name: np.asarray(getattr(groups, name), dtype=float) for name in LOGISTIC_NAMES}
        )
        return out


def _minimise_smooth(
    nll: Callable[[np.ndarray], float], start: np.ndarray, what: str
) -> np.ndarray:
    """BFGS with central-difference gradients, then Newton steps on a numerical Hessian."""
    result = optimize.minimize(
        nll,
        start,
        jac=lambda t: _gradient(nll, t),
        method="BFGS",
        options={"gtol": GRADIENT_TOLERANCE / 10, "maxiter": 2000},
    )
    return newton_polish(nll, np.asarray(result.x, dtype=float), what)


def _logistic_start(data: _CensusData, drift: float) -> np.ndarray:
    """Tier, open-weights and domain coefficients fitted to the recorded runs alone."""
    rel = data.x - REFERENCE_LOG10_FLOP - drift * (data.time_x - REFERENCE_YEAR)
    frontier = (data.group_x < 4).astype(float)
    opened = (data.group_x % 2).astype(float)
    language = ((data.group_x % 4) < 2).astype(float)
    ones = np.ones_like(rel)
    out = []
    for X, y in (
        (np.column_stack([ones, rel]), frontier),
        (np.column_stack([ones, frontier, rel]), opened),
        (np.column_stack([ones, rel]), language),
    ):
        out.append(logistic_mode(X, y)[0])  # a start value: used even if not converged
    return np.concatenate(out)


def logistic_prior_precision(n_columns: int) -> np.ndarray:
    """Precision of the weak normal prior of a logistic regression (intercept first)."""
    sd = np.full(n_columns, LOGISTIC_SLOPE_PRIOR_SD)
    sd[0] = LOGISTIC_INTERCEPT_PRIOR_SD
    return 1.0 / sd**2


def logistic_mode(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, bool]:
    """Posterior mode of a logistic regression of 0/1 ``y`` on ``X`` (intercept column
    first) under :func:`logistic_prior_precision`, by Newton's method.

    Returns
    -------
    (numpy.ndarray, bool)
        The coefficients and whether the Newton steps converged (step < 1e-10) within
        :data:`NEWTON_ITERATIONS`.
    """
    precision = logistic_prior_precision(X.shape[1])
    beta = np.zeros(X.shape[1])
    for _ in range(NEWTON_ITERATIONS):
        p = special.expit(X @ beta)
        grad = X.T @ (y - p) - precision * beta
        hess = (X.T * (p * (1 - p))) @ X + np.diag(precision)
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            return beta, True
    return beta, False


#: Census fits kept in this process (the most recent ones). A fit is a deterministic
#: function of its inputs and costs about a second (a quasi-Newton search with numerical
#: gradients and Hessian); ``fit_world`` fits both count forms each time, and the report's
#: sensitivity analysis refits the world for assumptions that leave the census as it is.
KEPT_CENSUS_FITS = 8
_FITS: OrderedDict[str, CensusFit] = OrderedDict()


def _fit_key(
    runs: CensusRuns, years: Sequence[int], exposure: np.ndarray, floor: float, form: str
) -> str:
    """Digest of everything :func:`fit_census_model` reads."""
    digest = hashlib.sha256(repr((tuple(years), float(floor), form)).encode())
    for values in (*(getattr(runs, name) for name in _RUN_FIELDS), exposure):
        array = np.ascontiguousarray(values)
        digest.update(f"{array.dtype.str}{array.shape}".encode() + array.tobytes())
    return digest.hexdigest()


def fit_census_model(
    runs: CensusRuns,
    *,
    years: Sequence[int],
    floor_log10_flop: float,
    form: str = "curved",
    exposure: Mapping[int, float] | None = None,
) -> CensusFit:
    """Joint posterior mode of the count, tier, open-weights and domain models on the
    census.

    Every census run counts: a run with a compute estimate by its log10 FLOP and group
    (tier, domain, openness); a run without one by its group, its log10 FLOP integrated out
    over [floor, 1e31] under the fitted intensity and ``P(group | x)``, weighted by its
    verdict if it has one (see :mod:`riskmodel.world.fit`).

    Parameters
    ----------
    runs
        Census runs (runs outside ``years``, and recorded runs below the floor, are
        ignored).
    years
        Calendar years observed.
    floor_log10_flop
        Floor of the census (log10 FLOP).
    form
        ``"curved"`` or ``"loglinear"``.
    exposure
        Observed share of a calendar year (default 1).

    Returns
    -------
    CensusFit
        The same object for the same inputs within a process (the last
        :data:`KEPT_CENSUS_FITS` are kept; a fit is immutable).

    Raises
    ------
    RiskmodelError
        Too few recorded runs, or no interior maximum.
    """
    years_sorted = sorted({int(y) for y in years})
    share = exposure_array(years_sorted, exposure)
    key = _fit_key(runs, years_sorted, share, floor_log10_flop, form)
    if key in _FITS:
        _FITS.move_to_end(key)
        return _FITS[key]
    data = _census_data(runs, years_sorted, share, floor_log10_flop)
    start_count = fit_count_model(
        data.x,
        data.year_x,
        years=years_sorted,
        floor_log10_flop=floor_log10_flop,
        form=form,
        exposure=dict(zip(years_sorted, share.tolist(), strict=True)),
    )
    drift = float(start_count.estimates()["mu"])
    start = np.concatenate([start_count.theta, _logistic_start(data, drift)])
    k = len(FITTING_SCALE[form])

    def nll(theta: np.ndarray) -> float:
        return -_census_log_likelihood(theta, form, data)

    what = f"census model ({form})"
    theta = _minimise_smooth(nll, start, what)
    covariance = _inverse_pd(_hessian(nll, theta), what)
    fit = CensusFit(
        form=form,
        theta=theta,
        covariance=covariance,
        log_likelihood=-nll(theta) - _logistic_log_prior(theta[k:]),
        n_recorded=int(data.x.size),
        n_unrecorded=int(data.group_m.size),
        n_verdicts=data.n_verdicts,
        years=tuple(years_sorted),
        exposure=tuple(float(e) for e in share),
        floor_log10_flop=float(floor_log10_flop),
    )
    for array in (fit.theta, fit.covariance):  # shared by every caller: read-only
        array.setflags(write=False)
    _FITS[key] = fit
    while len(_FITS) > KEPT_CENSUS_FITS:
        _FITS.popitem(last=False)
    return fit


def share_recorded_above(
    count: CountParams,
    groups: GroupParams,
    shares: np.ndarray,
    year: int,
    log10_flop: float = VERDICT_LOG10_FLOP,
) -> np.ndarray:
    """Share of the fitted runs of ``year`` at or above ``log10_flop`` that carry a
    compute estimate: ``int lambda * rho / int lambda`` over [level, 1e30], with
    ``rho = sum_g P(g | x, mid-year) * shares[..., g]``.

    ``count`` and ``groups`` hold arrays of shape (n, 1) (or scalars) and ``shares`` has
    shape (n, 8) (or (8,)); returns shape (n,) (or a scalar array).
    """
    x, weights = log10_flop_grid(log10_flop)
    w = weights.sum(axis=0)
    density = np.exp(count.log_density(x, year))
    fraction = recorded_fraction(groups, np.asarray(shares)[..., None, :], x, year + 0.5)
    return (density * fraction) @ w / (density @ w)
