"""Fit the world of training runs to Epoch AI's notable-model records.

The simulated world (:mod:`riskmodel.world.generate`) needs four fitted pieces, each
fitted here to Epoch AI's notable-model rows of ``data/models.csv`` (rows whose
``source`` contains ``epoch_notable_models``; base runs only, i.e. rows without a
``base_model``, with a known FLOP value; full calendar years 2018-2024, because 2025 is
a partial year at the 2025-02-27 data vintage).

Units and coordinates
---------------------
``x`` is log10 training compute (log10 FLOP) and ``u = x - 25`` its distance from 1e25
FLOP in dex; ``tau = year - 2024`` is years from the reference year (an integer calendar
year for the count model, a decimal release year for the per-run models). Every rate is
per calendar year.

Count model (runs per year at or above a compute level)
-------------------------------------------------------
Base runs with ``x >= floor`` (assumption, default 23) are a Poisson process in (year,
x) with intensity, in runs per year per dex of log10 FLOP (natural-log parameters)::

    log lambda(x, tau) = alpha + beta * tau - gamma * u - delta / 2 * (u - mu * tau)**2

``alpha`` is the log intensity at 1e25 FLOP in 2024 (ln of runs/year/dex), ``beta`` its
growth (1/year, e-folds per year at 1e25), ``gamma`` the local decline with compute at
(1e25, 2024) (e-folds per dex; ``gamma / ln 10`` decades of count per dex), ``delta`` a
curvature (1/dex**2) and ``mu`` (dex/year) the drift of the curvature's centre.

* ``form = "loglinear"`` is ``delta = 0``: the count at or above ``x`` is
  ``exp(alpha + beta * tau - gamma * u) / gamma`` and ``x - floor`` of each run is
  Exponential with rate ``gamma`` per dex (mean ``1 / gamma`` dex) in every year.
* ``form = "curved"`` (default): each year's log10 FLOP is a normal shape with sd
  ``1 / sqrt(delta)`` dex whose centre ``25 + mu * tau - gamma / delta`` moves up by
  ``mu`` dex per year, truncated at the floor; the count at or above ``x`` is
  ``exp(alpha + (beta - gamma * mu) * tau + gamma**2 / (2 * delta))
  * sqrt(2 * pi / delta) * Phi(-sqrt(delta) * (u - mu * tau + gamma / delta))``.

``alpha``, ``beta`` and ``gamma`` mean the same in both forms: the log-linear model is the
first-order expansion of the curved one at (1e25, 2024).

*Check of the log-linear form.* It fits poorly: it forces the same FLOP distribution
above the floor in every year, but the runs Epoch records move up (mean excess over 1e23
0.6 dex in 2022, 1.8 dex in 2024; a Kolmogorov-Smirnov test of the pooled excesses
against its exponential gives p = 0.01), and it puts the 2024 count at or above 1e24 at 16
(observed 28, outside its Poisson range). The curved form adds two parameters and
raises the log-likelihood by 38.7 (AIC lower by 73); its 90% predictive intervals cover
every in-sample count at 1e24 and 1e25 (:func:`riskmodel.world.generate.calibration_table`).
Both fits are kept in :attr:`WorldFit.diagnostics`.

The fitted centre moves up ~0.6 dex/year (4x/year), as Epoch's frontier compute does,
with ~0.6 dex of spread: Epoch records runs that are notable *relative to the frontier*,
so the recorded count at a fixed compute level rises while the frontier approaches it and
falls once the frontier has moved on. That fall is a recording effect, not fewer runs
being trained; the simulated world therefore holds, by default, the intensity at each
compute level at its peak once the frontier has passed (``sub_frontier = "hold_peak"``,
an assumption; ``"as_recorded"`` keeps the fitted decline). Held-peak runs are a lower
bound on the runs actually trained far below the frontier.

*Estimation.* Maximum likelihood of the inhomogeneous Poisson process on the individual
runs' x and the yearly totals above the floor (log L = sum over runs of log lambda minus,
per year, the expected number of runs above the floor). Parameter uncertainty by a
Laplace approximation: multivariate normal draws around the MLE with the inverse
numerical Hessian as covariance. It is taken on the scale of :data:`FITTING_SCALE`
(curved form: ln of the total recorded runs in 2024, their growth rate, the 2024 centre
of the shape, ln delta and mu, which are nearly orthogonal; log-linear form: alpha, beta,
ln gamma), and the draws are mapped back to (alpha, beta, gamma, delta, mu). On data
simulated at the fitted parameters with the real sample size (~75 runs, 150 replicates)
the 90% Laplace intervals cover 86-91% of the time on that scale, so the approximation
is adequate. Taken directly on (alpha, beta, gamma, ln delta, mu) the approximation was
worse (77-90% coverage in 60 replicates at three times the data). A full MCMC fit would
change little and cost a PyMC compile.

*Data caveats.* Only runs with a FLOP estimate count (Epoch has none for some closed
models; none of its 2023-2024 frontier-flagged rows lacks one). Records of 2024 may still
be incomplete at the vintage (Epoch lists 55 notable models for 2024 against 105 for
2023), mostly for small runs, which the curved form absorbs as a shape rather than a
trend; counts near 1e25 and above, where policy thresholds sit, are the best recorded.

Cost model
----------
``log10(cost_usd / FLOP) = a + b * tau + e``, ``e ~ Normal(0, s**2)``, on the Epoch base
runs of 2018-2024 with both a cost (2023 USD) and a FLOP value (``tau`` decimal years).
Bayesian linear regression under the reference prior ``p(a, b, s**2) ~ 1 / s**2`` (the
flat limit of the conjugate normal-inverse-gamma prior), whose posterior is exact:
``s**2 ~ nu * s_hat**2 / chi2(nu)``, ``nu = n - 2``, and ``(a, b) | s ~ Normal(OLS,
s**2 (X'X)^-1)``. Epoch's cost column is sparse after 2023 (130 rows, one of them in
2024), so ``a`` (the 2024 level) is the trend's extrapolation by about a year.

Developer tier and open weights
-------------------------------
The frontier developers are the ``n_frontier`` organisations (assumption, default 5) with
the most base runs at or above ``frontier_log10_flop`` (default 1e25) in 2018-2024, after
merging aliases (e.g. Google Brain and DeepMind into Google DeepMind); ties are broken by
runs at or above 1e24, then by the largest run, then by name. A run is by a frontier
developer when any of its listed organisations is one.
``P(frontier | x, tau) = expit(c0 + c1 * (u - m * tau))`` and
``P(open | frontier, x, tau) = expit(o0 + o1 * frontier + o2 * (u - m * tau))`` are
logistic regressions on the same base runs above the floor as the count model, fitted
at the posterior mode under weak normal priors (sd :data:`LOGISTIC_INTERCEPT_PRIOR_SD` on
the intercept, :data:`LOGISTIC_SLOPE_PRIOR_SD` on the other coefficients, which keeps the
mode finite if a small sample is separated) with Laplace draws.

Both measure compute from the frontier path ``25 + m * tau`` (log10 FLOP), with ``m``
(:attr:`WorldFit.frontier_drift`, dex/year) the count model's MLE of ``mu`` (0 for the
log-linear form, which makes them models of absolute log10 FLOP), so the year enters
through the moving frontier. Alternatives are fitted and their AIC kept in
:attr:`WorldFit.diagnostics`:

* tier on absolute log10 FLOP alone fits much worse (AIC 104 against 86): runs of a
  given size were mostly frontier developers' in 2020-2021 and mostly others' in 2024,
  and with compute drifting up it would make nearly every future run a frontier
  developer's. A free year term on top of relative compute improves the fit only
  slightly (AIC 85.3, likelihood-ratio p = 0.10);
* open weights on absolute log10 FLOP and a free year (the same as relative compute plus
  a free year) has AIC 85.5 against 84.2: openness of runs above 1e23 rose from 0% in
  2020-2021 to ~40% in 2022-2024 and then levelled off, and a free year term would
  extrapolate the early rise to ~75% open by 2030.

So the shares of frontier developers and of open weights at a given distance below the
frontier are held constant over time; a trend in either would be an assumption, not a
finding of these data.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from riskmodel.errors import ConfigError, EvidenceError, RiskmodelError
from riskmodel.uplift.elicitation import (
    FittedPrior,
    read_date,
    read_parameter,
    read_scalar,
    read_table,
    read_toml,
)

__all__ = [
    "DEFAULT_ASSUMPTIONS_PATH",
    "DEFAULT_MODELS_PATH",
    "EPOCH_SOURCE_TOKEN",
    "FIT_YEARS",
    "REFERENCE_YEAR",
    "REFERENCE_LOG10_FLOP",
    "SUMMARY_LOG10_THRESHOLDS",
    "COUNT_FORMS",
    "SUB_FRONTIER_MODES",
    "FITTING_SCALE",
    "PARAMETER_UNITS",
    "WorldAssumptions",
    "CountParams",
    "CountModelFit",
    "WorldFit",
    "load_world_assumptions",
    "fit_count_model",
    "fit_world",
]

_REPO = Path(__file__).resolve().parents[2]
#: Shipped world assumptions.
DEFAULT_ASSUMPTIONS_PATH = _REPO / "data" / "world_assumptions.toml"
#: Shipped models table (Epoch notable models and evidence models).
DEFAULT_MODELS_PATH = _REPO / "data" / "models.csv"
#: Token in the ``source`` column that marks Epoch's notable-model records.
EPOCH_SOURCE_TOKEN = "epoch_notable_models"
#: Full calendar years of Epoch records used by every fit (first, last; inclusive).
FIT_YEARS = (2018, 2024)
#: Year at which ``tau = 0`` (the last full year before the vintage).
REFERENCE_YEAR = 2024
#: log10 FLOP at which ``u = 0`` (1e25 FLOP, the scale of the 2023-2024 frontier).
REFERENCE_LOG10_FLOP = 25.0
#: Thresholds (log10 FLOP) of the observed-count summary.
SUMMARY_LOG10_THRESHOLDS = (23.0, 24.0, 25.0, 26.0)
#: Forms of the count model (see the module docstring).
COUNT_FORMS = ("curved", "loglinear")
#: How the simulated world treats compute levels the frontier has passed.
SUB_FRONTIER_MODES = ("hold_peak", "as_recorded")
#: Parameters on which the count model is fitted and its Laplace approximation taken.
#: Curved form: ln of the recorded runs per year in 2024 over all compute levels (the
#: untruncated normal shape), their growth (1/year), the 2024 centre of the shape (dex
#: from 1e25), ln delta and mu; this parameterisation is close to orthogonal and its
#: likelihood close to normal (see the module docstring). Log-linear form: alpha, beta,
#: ln gamma.
FITTING_SCALE: dict[str, tuple[str, ...]] = {
    "curved": ("log_total", "growth", "centre", "ln_delta", "mu"),
    "loglinear": ("alpha", "beta", "ln_gamma"),
}
#: Prior sd (logit units per dex or per year) of logistic slopes: weak, keeps the mode
#: finite under separation (Gelman et al. 2008 use 2.5 for standardised inputs).
LOGISTIC_SLOPE_PRIOR_SD = 2.5
#: Prior sd (logit units) of logistic intercepts: effectively flat.
LOGISTIC_INTERCEPT_PRIOR_SD = 10.0
#: Threshold (log10 FLOP) of the first tie-breaker when ranking frontier developers.
TIE_BREAK_LOG10_FLOP = 24.0
#: Relative step of central-difference gradients of a negative log-likelihood.
GRADIENT_STEP = 1e-6
#: Step of central-difference Hessians (parameters are O(1) on the fitted scales).
HESSIAN_STEP = 1e-4
#: Largest absolute gradient component accepted at a maximum-likelihood estimate.
GRADIENT_TOLERANCE = 1e-4
#: Newton iterations polishing a Nelder-Mead optimum (and iterations of logistic fits).
NEWTON_ITERATIONS = 50
#: Nelder-Mead iteration budget of the count-model fit.
SIMPLEX_ITERATIONS = 20000

#: Units of every parameter of :class:`WorldFit`.
PARAMETER_UNITS: dict[str, str] = {
    "alpha": "ln(runs per year per dex) at 1e25 FLOP in 2024",
    "beta": "1/year (growth of the intensity at 1e25 FLOP)",
    "gamma": "1/dex (decline of the intensity with log10 FLOP at 1e25 FLOP, 2024)",
    "delta": "1/dex^2 (curvature in log10 FLOP; 0 for the log-linear form)",
    "mu": "dex/year (drift of the curvature's centre; 0 for the log-linear form)",
    "cost_a": "log10(2023 USD per FLOP) in 2024",
    "cost_b": "dex/year (trend of log10 cost per FLOP)",
    "cost_s": "dex (residual sd of log10 cost per FLOP)",
    "tier_intercept": "logit P(frontier developer) on the frontier path (1e25 FLOP in 2024)",
    "tier_flop": "logit per dex of log10 FLOP above the frontier path",
    "open_intercept": "logit P(open weights) of a non-frontier run on the frontier path",
    "open_frontier": "logit difference, frontier developer vs other",
    "open_flop": "logit per dex of log10 FLOP above the frontier path",
}
_COUNT_NAMES = ("alpha", "beta", "gamma", "delta", "mu")
_TIER_NAMES = ("tier_intercept", "tier_flop")
_OPEN_NAMES = ("open_intercept", "open_frontier", "open_flop")


# ---------------------------------------------------------------------------------------
# Assumptions file
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorldAssumptions:
    """The validated world assumptions (``data/world_assumptions.toml``).

    Attributes
    ----------
    path, version, updated, data_vintage
        Provenance (dates as YYYY-MM-DD).
    floor_log10_flop
        Smallest run modelled (log10 FLOP).
    count_form
        ``"curved"`` or ``"loglinear"`` (see the module docstring).
    sub_frontier
        ``"hold_peak"`` or ``"as_recorded"``.
    n_frontier_developers
        Number of frontier developers.
    frontier_log10_flop
        Runs at or above this log10 FLOP rank the frontier developers.
    organization_aliases
        Epoch organisation name -> developer it belongs to.
    other_developer_pool
        Number of non-frontier developers that can train runs.
    other_developer_zipf_exponent
        Zipf exponent of their shares (0 = equal shares).
    derivatives_per_open_base, derivatives_per_closed_base
        Mean derivatives (runs) per open-weight / closed base run.
    derivative_mean_lag_years
        Mean time (years) from a base run's release to a derivative's.
    derivative_flop_fraction
        Distribution of a derivative's extra compute as a fraction of its parent's FLOP
        (lognormal; the quantiles are across derivatives).
    derivative_frontier_share
        Probability that a derivative is by a frontier developer.
    derivative_open_if_parent_open, derivative_open_if_parent_closed
        Probability that a derivative's weights are open, by the parent's openness.
    loophole_share
        Probability that a would-be base run at or above ``loophole_min_log10_flop`` is
        declared a derivative of an earlier, smaller model.
    loophole_min_log10_flop
        Smallest run (log10 FLOP) for which a loophole declaration is attempted.
    loophole_min_flop_multiple
        The run's compute is at least this multiple of the declared parent's FLOP.
    """

    path: str
    version: str
    updated: str
    data_vintage: str
    floor_log10_flop: float
    count_form: str
    sub_frontier: str
    n_frontier_developers: int
    frontier_log10_flop: float
    organization_aliases: Mapping[str, str]
    other_developer_pool: int
    other_developer_zipf_exponent: float
    derivatives_per_open_base: float
    derivatives_per_closed_base: float
    derivative_mean_lag_years: float
    derivative_flop_fraction: FittedPrior
    derivative_frontier_share: float
    derivative_open_if_parent_open: float
    derivative_open_if_parent_closed: float
    loophole_share: float
    loophole_min_log10_flop: float
    loophole_min_flop_multiple: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values (the flop-fraction distribution as its elicited quantiles)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, FittedPrior):
                value = {
                    "family": value.family,
                    **{
                        f"q{round(q * 100):02d}": v
                        for q, v in zip(value.levels, value.values, strict=True)
                    },
                }
            elif isinstance(value, Mapping):
                value = dict(value)
            out[name] = value
        return out


def _positive(v: float) -> str | None:
    return None if v > 0 else "must be > 0"


def _nonnegative(v: float) -> str | None:
    return None if v >= 0 else "must be >= 0"


def _probability(v: float) -> str | None:
    return None if 0 <= v <= 1 else "must be a probability in [0, 1]"


def _at_least(bound: float) -> Callable[[float], str | None]:
    def check(v: float) -> str | None:
        return None if v >= bound else f"must be >= {bound:g}"

    return check


def _above(bound: float) -> Callable[[float], str | None]:
    def check(v: float) -> str | None:
        return None if v > bound else f"must be > {bound:g}"

    return check


def _log10_flop(v: float) -> str | None:
    return None if 18 <= v <= 30 else "must be a log10 FLOP between 18 and 30"


# (section, key) -> (kind, check). Kinds: float, int, choice tuple, "aliases",
# "lognormal" (a quantile table read by read_parameter).
_SPEC: dict[str, dict[str, tuple[Any, Any]]] = {
    "count_model": {
        "floor_log10_flop": (float, _log10_flop),
        "form": (COUNT_FORMS, None),
        "sub_frontier": (SUB_FRONTIER_MODES, None),
    },
    "developers": {
        "n_frontier": (int, _at_least(1)),
        "frontier_log10_flop": (float, _log10_flop),
        "other_pool_size": (int, _at_least(2)),
        "other_zipf_exponent": (float, _nonnegative),
        "organization_aliases": ("aliases", None),
    },
    "derivatives": {
        "per_open_base": (float, _nonnegative),
        "per_closed_base": (float, _nonnegative),
        "mean_lag_years": (float, _positive),
        "flop_fraction": ("lognormal", None),
        "frontier_share": (float, _probability),
        "open_if_parent_open": (float, _probability),
        "open_if_parent_closed": (float, _probability),
    },
    "loopholes": {
        "share": (float, _probability),
        "min_log10_flop": (float, _log10_flop),
        "min_flop_multiple": (float, _above(1.0)),
    },
}
_TOP_LEVEL = ("version", "updated", "data_vintage", *_SPEC)
_ASSUMPTION_KEYS = ("value", "units", "rationale", "source", "elicited")


def _read_assumption(table: Mapping[str, Any], key: str, origin: str, kind: Any, check: Any) -> Any:
    """One ``{value, units, rationale, source | elicited}`` table, validated."""
    for name in table:
        if name not in _ASSUMPTION_KEYS:
            raise ConfigError(f"{origin}: unknown key '{key}.{name}'")
    read_scalar(table, f"{key}.units", origin, str)
    read_scalar(table, f"{key}.rationale", origin, str)
    source = table.get("source")
    elicited = table.get("elicited", False)
    if source is not None and not isinstance(source, str):
        raise ConfigError(f"{origin}: '{key}.source' must be a string")
    if not isinstance(elicited, bool):
        raise ConfigError(f"{origin}: '{key}.elicited' must be true or false")
    if not (source or elicited):
        raise ConfigError(f"{origin}: '{key}' needs a 'source' citation or 'elicited = true'")
    if isinstance(kind, tuple):
        value = read_scalar(table, f"{key}.value", origin, str)
        if value not in kind:
            raise ConfigError(
                f"{origin}: '{key}.value' must be one of {', '.join(kind)}, got '{value}'"
            )
        return value
    if kind == "aliases":
        if "value" not in table:
            raise ConfigError(f"{origin}: missing key '{key}.value'")
        value = table["value"]
        if not isinstance(value, Mapping):
            raise ConfigError(f"{origin}: '{key}.value' must be a table of names")
        for alias, target in value.items():
            if not isinstance(target, str) or not target.strip():
                raise ConfigError(
                    f"{origin}: '{key}.value.{alias}' must be a developer name, got {target!r}"
                )
        return {str(k).strip(): v.strip() for k, v in value.items()}
    value = read_scalar(table, f"{key}.value", origin, kind)
    problem = check(value) if check is not None else None
    if problem is not None:
        raise ConfigError(f"{origin}: '{key}.value' {problem}, got {value!r}")
    return value


def load_world_assumptions(path: str | Path | None = None) -> WorldAssumptions:
    """Load and validate the world assumptions file.

    Parameters
    ----------
    path
        TOML file; defaults to :data:`DEFAULT_ASSUMPTIONS_PATH`.

    Returns
    -------
    WorldAssumptions

    Raises
    ------
    ConfigError
        Unreadable or unparsable file, a missing, unknown or mistyped key, or an
        impossible value (negative rate, probability outside [0, 1], ...); the message
        names the file and the dotted key.
    """
    path = Path(path) if path is not None else DEFAULT_ASSUMPTIONS_PATH
    origin = str(path)
    data = read_toml(path, "world assumptions")
    for name in data:
        if name not in _TOP_LEVEL:
            raise ConfigError(f"{origin}: unknown key '{name}'")
    version = read_scalar(data, "version", origin, str)
    updated = read_date(data, "updated", origin)
    vintage = read_date(data, "data_vintage", origin)
    values: dict[str, Any] = {}
    for section, spec in _SPEC.items():
        table = read_table(data, section, origin)
        for name in table:
            if name not in spec:
                raise ConfigError(f"{origin}: unknown key '{section}.{name}'")
        for key, (kind, check) in spec.items():
            dotted = f"{section}.{key}"
            sub = read_table(table, key, origin) if key in table else None
            if sub is None:
                raise ConfigError(f"{origin}: missing table '{dotted}'")
            if kind == "lognormal":
                prior = read_parameter(sub, dotted, origin)
                if prior.family != "lognormal":
                    raise ConfigError(f"{origin}: '{dotted}.family' must be lognormal")
                values[dotted] = prior
            else:
                values[dotted] = _read_assumption(sub, dotted, origin, kind, check)
    if values["loopholes.min_log10_flop"] < values["count_model.floor_log10_flop"]:
        raise ConfigError(
            f"{origin}: 'loopholes.min_log10_flop.value' must not be below "
            "'count_model.floor_log10_flop.value'"
        )
    return WorldAssumptions(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        floor_log10_flop=values["count_model.floor_log10_flop"],
        count_form=values["count_model.form"],
        sub_frontier=values["count_model.sub_frontier"],
        n_frontier_developers=values["developers.n_frontier"],
        frontier_log10_flop=values["developers.frontier_log10_flop"],
        organization_aliases=values["developers.organization_aliases"],
        other_developer_pool=values["developers.other_pool_size"],
        other_developer_zipf_exponent=values["developers.other_zipf_exponent"],
        derivatives_per_open_base=values["derivatives.per_open_base"],
        derivatives_per_closed_base=values["derivatives.per_closed_base"],
        derivative_mean_lag_years=values["derivatives.mean_lag_years"],
        derivative_flop_fraction=values["derivatives.flop_fraction"],
        derivative_frontier_share=values["derivatives.frontier_share"],
        derivative_open_if_parent_open=values["derivatives.open_if_parent_open"],
        derivative_open_if_parent_closed=values["derivatives.open_if_parent_closed"],
        loophole_share=values["loopholes.share"],
        loophole_min_log10_flop=values["loopholes.min_log10_flop"],
        loophole_min_flop_multiple=values["loopholes.min_flop_multiple"],
    )


# ---------------------------------------------------------------------------------------
# Count model
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountParams:
    """Count-model parameters (arrays broadcastable against each other, or scalars).

    See the module docstring for the intensity. ``delta`` and ``mu`` are ignored by the
    log-linear form.
    """

    form: str
    alpha: Any
    beta: Any
    gamma: Any
    delta: Any
    mu: Any

    def log_density(self, log10_flop: Any, year: Any) -> np.ndarray:
        """ln of the recorded intensity (runs per year per dex of log10 FLOP)."""
        u = np.asarray(log10_flop, dtype=float) - REFERENCE_LOG10_FLOP
        tau = np.asarray(year, dtype=float) - REFERENCE_YEAR
        out = self.alpha + self.beta * tau - self.gamma * u
        if self.form == "curved":
            out = out - 0.5 * self.delta * (u - self.mu * tau) ** 2
        return out

    def log_count_above(self, log10_flop: Any, year: Any) -> np.ndarray:
        """ln of the expected recorded runs per year at or above ``log10_flop``."""
        u = np.asarray(log10_flop, dtype=float) - REFERENCE_LOG10_FLOP
        tau = np.asarray(year, dtype=float) - REFERENCE_YEAR
        if self.form == "loglinear":
            return self.alpha + self.beta * tau - self.gamma * u - np.log(self.gamma)
        centre, sd = self.centre(tau), 1.0 / np.sqrt(self.delta)
        return (
            self.alpha
            + (self.beta - self.gamma * self.mu) * tau
            + self.gamma**2 / (2.0 * self.delta)
            + 0.5 * np.log(2.0 * np.pi / self.delta)
            + special.log_ndtr(-(u - centre) / sd)
        )

    def centre(self, tau: Any) -> np.ndarray:
        """Curved form: centre of the normal shape (dex from 1e25) in year ``tau``."""
        return self.mu * tau - self.gamma / self.delta

    def held_boundary(self, tau: Any) -> np.ndarray:
        """Curved form: ``u`` (dex from 1e25) below which the recorded intensity of year
        ``tau`` has passed its peak over time (meaningful where ``delta * mu > 0``)."""
        return self.mu * tau - self.beta / (self.delta * self.mu)

    def held_log_density(self, u: Any) -> np.ndarray:
        """Curved form: ln of the peak-over-time intensity at ``u`` (log-linear in u)."""
        return (
            self.alpha
            + self.beta**2 / (2.0 * self.delta * self.mu**2)
            + (self.beta / self.mu - self.gamma) * u
        )

    def to_vector(self) -> np.ndarray:
        """The parameters on the fitting scale (see :data:`FITTING_SCALE`)."""
        if self.form == "loglinear":
            return np.array([self.alpha, self.beta, np.log(self.gamma)], dtype=float)
        log_total = (
            self.alpha + self.gamma**2 / (2.0 * self.delta) + 0.5 * np.log(2.0 * np.pi / self.delta)
        )
        values = (
            log_total,
            self.beta - self.gamma * self.mu,
            -self.gamma / self.delta,
            np.log(self.delta),
            self.mu,
        )
        return np.array(values, dtype=float)

    @classmethod
    def from_vector(cls, theta: np.ndarray, form: str) -> CountParams:
        """From the fitting scale (see :data:`FITTING_SCALE`)."""
        if form == "loglinear":
            return cls(form, theta[0], theta[1], np.exp(theta[2]), 0.0, 0.0)
        log_total, growth, centre, log_delta, mu = theta
        delta = np.exp(log_delta)
        gamma = -centre * delta
        alpha = log_total - gamma**2 / (2.0 * delta) - 0.5 * np.log(2.0 * np.pi / delta)
        return cls(form, alpha, growth + gamma * mu, gamma, delta, mu)


def _count_nll(
    theta: np.ndarray, form: str, x: np.ndarray, year: np.ndarray, years: np.ndarray, floor: float
) -> float:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        params = CountParams.from_vector(theta, form)
        value = -(
            np.sum(params.log_density(x, year))
            - np.sum(np.exp(params.log_count_above(floor, years)))
        )
    return float(value) if np.isfinite(value) else np.inf


def _gradient(f: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    out = np.empty_like(theta)
    for i in range(theta.size):
        h = GRADIENT_STEP * max(1.0, abs(theta[i]))
        e = np.zeros_like(theta)
        e[i] = h
        out[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


def _hessian(f: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    k = theta.size
    h = HESSIAN_STEP
    out = np.empty((k, k))
    f0 = f(theta)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h
        out[i, i] = (f(theta + 2 * ei) - 2 * f0 + f(theta - 2 * ei)) / (4 * h * h)
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = h
            value = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h * h)
            out[i, j] = out[j, i] = value
    return out


def _inverse_pd(hessian: np.ndarray, what: str) -> np.ndarray:
    """Inverse of a positive-definite Hessian (the Laplace covariance)."""
    try:
        chol = np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        raise RiskmodelError(
            f"{what}: the Hessian at the optimum is not positive definite; the parameters "
            "are not identified by these data"
        ) from None
    inv_chol = np.linalg.inv(chol)
    return inv_chol.T @ inv_chol


def _minimise(nll: Callable[[np.ndarray], float], start: np.ndarray, what: str) -> np.ndarray:
    """Nelder-Mead, then Newton steps with backtracking on a numerical Hessian."""
    result = optimize.minimize(
        nll,
        start,
        method="Nelder-Mead",
        options={
            "xatol": 1e-9,
            "fatol": 1e-11,
            "maxiter": SIMPLEX_ITERATIONS,
            "maxfev": 2 * SIMPLEX_ITERATIONS,
        },
    )
    theta = np.asarray(result.x, dtype=float)
    for _ in range(NEWTON_ITERATIONS):
        grad = _gradient(nll, theta)
        if np.max(np.abs(grad)) < GRADIENT_TOLERANCE:
            return theta
        step = _inverse_pd(_hessian(nll, theta), what) @ grad
        current, t = nll(theta), 1.0
        while nll(theta - t * step) > current and t > 1e-8:
            t /= 2
        theta = theta - t * step
    if np.max(np.abs(_gradient(nll, theta))) >= GRADIENT_TOLERANCE:
        raise RiskmodelError(f"{what}: maximum likelihood did not converge")
    return theta


@dataclass(frozen=True, eq=False)
class CountModelFit:
    """Maximum-likelihood fit of the count model with its Laplace covariance.

    Attributes
    ----------
    form
        ``"curved"`` or ``"loglinear"``.
    theta, covariance
        MLE and inverse Hessian on the fitting scale (see :meth:`CountParams.from_vector`).
    log_likelihood
        Maximised log-likelihood (natural log).
    n_runs
        Runs fitted.
    floor_log10_flop, years
        Floor (log10 FLOP) and calendar years of the fit.
    """

    form: str
    theta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    n_runs: int
    floor_log10_flop: float
    years: tuple[int, ...]

    @property
    def n_parameters(self) -> int:
        """Number of free parameters."""
        return int(self.theta.size)

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2 k - 2 log L``."""
        return 2.0 * self.n_parameters - 2.0 * self.log_likelihood

    @property
    def params(self) -> CountParams:
        """Parameters at the MLE."""
        return CountParams.from_vector(self.theta, self.form)

    def estimates(self) -> dict[str, float]:
        """MLE on the natural scale: alpha, beta, gamma, delta, mu."""
        p = self.params
        return {name: float(getattr(p, name)) for name in _COUNT_NAMES}

    def standard_errors(self) -> dict[str, float]:
        """Laplace standard errors on the fitting scale (``ln delta``, ``ln gamma`` for
        the transformed parameters)."""
        names = FITTING_SCALE[self.form]
        return dict(zip(names, np.sqrt(np.diag(self.covariance)).tolist(), strict=True))

    def draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Laplace draws on the natural scale, each of shape ``(n,)``."""
        theta = rng.multivariate_normal(self.theta, self.covariance, size=n, method="cholesky")
        p = CountParams.from_vector(theta.T, self.form)
        return {
            name: np.broadcast_to(np.asarray(getattr(p, name), dtype=float), (n,)).copy()
            for name in _COUNT_NAMES
        }


def fit_count_model(
    log10_flop: np.ndarray,
    year: np.ndarray,
    *,
    years: Sequence[int],
    floor_log10_flop: float,
    form: str = "curved",
) -> CountModelFit:
    """Maximum-likelihood fit of the Poisson count model with Laplace covariance.

    Parameters
    ----------
    log10_flop
        log10 training FLOP of each base run, shape (n,); runs below the floor or outside
        ``years`` are ignored.
    year
        Calendar year of each run's release, shape (n,).
    years
        Calendar years observed (a year without runs still counts: zero runs).
    floor_log10_flop
        Smallest log10 FLOP modelled.
    form
        ``"curved"`` or ``"loglinear"``.

    Returns
    -------
    CountModelFit

    Raises
    ------
    RiskmodelError
        Unknown form, too few runs, or no interior maximum.
    """
    if form not in COUNT_FORMS:
        raise RiskmodelError(f"unknown count-model form '{form}'; use one of {COUNT_FORMS}")
    x = np.asarray(log10_flop, dtype=float)
    yr = np.asarray(year, dtype=float)
    years_arr = np.asarray(sorted(set(int(y) for y in years)), dtype=float)
    keep = (x >= floor_log10_flop) & np.isin(yr, years_arr)
    x, yr = x[keep], yr[keep]
    n_theta = 3 if form == "loglinear" else 5
    if x.size < 2 * n_theta:
        raise RiskmodelError(
            f"count model: {x.size} runs at or above 1e{floor_log10_flop:g} FLOP are too few "
            f"to fit {n_theta} parameters"
        )
    last = years_arr.max()
    start_alpha = math.log(max(1.0, float(np.sum(yr == last))))
    start = (
        np.array([start_alpha, 0.5, 0.0])
        if form == "loglinear"
        else np.array([start_alpha, 0.3, 0.0, 0.0, 0.5])
    )

    def nll(theta: np.ndarray) -> float:
        return _count_nll(theta, form, x, yr, years_arr, floor_log10_flop)

    what = f"count model ({form})"
    theta = _minimise(nll, start, what)
    covariance = _inverse_pd(_hessian(nll, theta), what)
    return CountModelFit(
        form=form,
        theta=theta,
        covariance=covariance,
        log_likelihood=-nll(theta),
        n_runs=int(x.size),
        floor_log10_flop=float(floor_log10_flop),
        years=tuple(int(y) for y in years_arr),
    )


# ---------------------------------------------------------------------------------------
# Logistic and cost regressions
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _LaplaceFit:
    names: tuple[str, ...]
    mode: np.ndarray
    covariance: np.ndarray
    n_rows: int

    def draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        theta = rng.multivariate_normal(self.mode, self.covariance, size=n, method="cholesky")
        return {name: theta[:, i].copy() for i, name in enumerate(self.names)}


def _fit_logistic(X: np.ndarray, y: np.ndarray, names: tuple[str, ...], what: str) -> _LaplaceFit:
    """Posterior mode and Laplace covariance of a logistic regression (weak normal prior)."""
    prior_sd = np.full(X.shape[1], LOGISTIC_SLOPE_PRIOR_SD)
    prior_sd[0] = LOGISTIC_INTERCEPT_PRIOR_SD
    precision = 1.0 / prior_sd**2
    theta = np.zeros(X.shape[1])
    for _ in range(NEWTON_ITERATIONS):
        p = special.expit(X @ theta)
        grad = X.T @ (y - p) - precision * theta
        hess = (X.T * (p * (1 - p))) @ X + np.diag(precision)
        step = np.linalg.solve(hess, grad)
        theta = theta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise RiskmodelError(f"{what}: logistic regression did not converge")
    p = special.expit(X @ theta)
    hess = (X.T * (p * (1 - p))) @ X + np.diag(precision)
    return _LaplaceFit(names, theta, _inverse_pd(hess, what), int(y.size))


def _fit_logistic_variants(
    designs: Mapping[str, list[np.ndarray]], y: np.ndarray, names: tuple[str, ...], what: str
) -> tuple[_LaplaceFit, dict[str, float]]:
    """Fit the first design (named ``names``) and report every design's AIC.

    Parameters
    ----------
    designs
        Name -> covariate columns (intercept first); the first entry is the model used.
    y
        0/1 outcomes, shape (n,).
    """
    fits: dict[str, _LaplaceFit] = {}
    aic: dict[str, float] = {}
    for name, columns in designs.items():
        X = np.column_stack(columns)
        labels = tuple(f"c{i}" for i in range(X.shape[1])) if fits else names
        fits[name] = _fit_logistic(X, y, labels, what)
        p = special.expit(X @ fits[name].mode)
        loglik = float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
        aic[name] = 2.0 * X.shape[1] - 2.0 * loglik
    return fits[next(iter(designs))], aic


@dataclass(frozen=True, eq=False)
class _CostFit:
    coef: np.ndarray
    xtx_inv: np.ndarray
    s2: float
    nu: int

    def draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        sigma2 = self.nu * self.s2 / rng.chisquare(self.nu, size=n)
        z = rng.standard_normal((n, 2)) @ np.linalg.cholesky(self.xtx_inv).T
        coef = self.coef + z * np.sqrt(sigma2)[:, None]
        return {"cost_a": coef[:, 0], "cost_b": coef[:, 1], "cost_s": np.sqrt(sigma2)}


def _fit_cost(tau: np.ndarray, y: np.ndarray) -> _CostFit:
    """Reference-prior Bayesian regression of log10 cost per FLOP on decimal years."""
    if y.size < 4:
        raise RiskmodelError(f"cost model: {y.size} runs with cost and FLOP are too few")
    X = np.column_stack([np.ones_like(tau), tau])
    xtx_inv = np.linalg.inv(X.T @ X)
    coef = xtx_inv @ X.T @ y
    nu = int(y.size - 2)
    s2 = float(np.sum((y - X @ coef) ** 2) / nu)
    return _CostFit(coef, xtx_inv, s2, nu)


# ---------------------------------------------------------------------------------------
# Data preparation
# ---------------------------------------------------------------------------------------


def _decimal_year(dates: pd.Series) -> np.ndarray:
    dates = pd.to_datetime(dates)
    start = pd.to_datetime(dates.dt.year.astype(str) + "-01-01")
    days = np.where(dates.dt.is_leap_year, 366.0, 365.0)
    return dates.dt.year.to_numpy(float) + (dates - start).dt.days.to_numpy(float) / days


def _developers(organization: Any, aliases: Mapping[str, str]) -> tuple[str, ...]:
    """Canonical developer names of an Epoch ``organization`` cell (comma-separated)."""
    if not isinstance(organization, str) or not organization.strip():
        return ("unknown",)
    names = []
    for part in organization.split(","):
        name = aliases.get(part.strip(), part.strip())
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _epoch_rows(models: pd.DataFrame, vintage: str) -> pd.DataFrame:
    """Epoch notable-model base runs of the fit years, with derived columns."""
    table = models.reset_index() if "model" not in models.columns else models
    needed = (
        "organization",
        "release_date",
        "training_flop",
        "training_cost_usd",
        "open_weights",
        "base_model",
        "source",
    )
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise EvidenceError(f"models table lacks column(s) {', '.join(missing)}")
    epoch = table[table["source"].astype(str).str.contains(EPOCH_SOURCE_TOKEN, regex=False)]
    dates = pd.to_datetime(epoch["release_date"])
    late = dates > pd.Timestamp(vintage)
    if late.any():
        first = epoch.loc[late, "model"].iloc[0]
        raise EvidenceError(
            f"models table has {int(late.sum())} Epoch row(s) released after the data "
            f"vintage {vintage} (e.g. '{first}'); data after the vintage must not be used",
            column="release_date",
        )
    base = epoch["base_model"].isna() | (epoch["base_model"].astype(str).str.strip() == "")
    year = dates.dt.year
    rows = epoch[base & year.between(*FIT_YEARS)].copy()
    rows["year"] = pd.to_datetime(rows["release_date"]).dt.year.astype(int)
    rows["t"] = _decimal_year(rows["release_date"])
    with np.errstate(divide="ignore"):
        rows["log10_flop"] = np.log10(rows["training_flop"].astype(float))
    rows["open_weights"] = rows["open_weights"].astype(bool)
    return rows


def _rank_frontier(
    rows: pd.DataFrame, aliases: Mapping[str, str], n: int, frontier_log10_flop: float
) -> tuple[str, ...]:
    """The ``n`` developers with most runs at or above ``frontier_log10_flop``."""
    stats_by_dev: dict[str, list[float]] = {}
    for org, x in zip(rows["organization"], rows["log10_flop"], strict=True):
        if not np.isfinite(x):
            continue
        for dev in _developers(org, aliases):
            entry = stats_by_dev.setdefault(dev, [0.0, 0.0, -np.inf])
            entry[0] += x >= frontier_log10_flop
            entry[1] += x >= TIE_BREAK_LOG10_FLOP
            entry[2] = max(entry[2], x)
    if len(stats_by_dev) < n:
        raise ConfigError(
            f"developers.n_frontier = {n} exceeds the {len(stats_by_dev)} developers with a "
            "FLOP value in the Epoch records"
        )
    ranked = sorted(
        stats_by_dev,
        key=lambda d: (-stats_by_dev[d][0], -stats_by_dev[d][1], -stats_by_dev[d][2], d),
    )
    return tuple(ranked[:n])


# ---------------------------------------------------------------------------------------
# The fitted world
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class WorldFit:
    """Parameter draws of the world of training runs with the data and assumptions used.

    Every parameter is a read-only float64 array of shape ``(n_draws,)`` (units in
    :data:`PARAMETER_UNITS`; see the module docstring for the models).

    Attributes
    ----------
    count_form
        ``"curved"`` or ``"loglinear"``.
    alpha, beta, gamma, delta, mu
        Count model (Laplace draws).
    cost_a, cost_b, cost_s
        Cost model (exact posterior draws).
    tier_intercept, tier_flop
        P(frontier developer) logistic in log10 FLOP above the frontier path
        (Laplace draws).
    open_intercept, open_frontier, open_flop
        P(open weights) logistic (Laplace draws).
    estimates
        Point estimates: MLE (count), posterior mean (cost), posterior mode (logistic).
    frontier_drift
        Slope (dex/year) of the frontier path ``25 + frontier_drift * (year - 2024)``
        from which the tier model measures compute; a fixed number (the count MLE of
        ``mu``), not a draw, because the tier coefficients were fitted with it.
    assumptions
        The assumptions used.
    frontier_developers
        Names of frontier developers ``0 .. n - 1`` (the developer ids of a population).
    observed_counts
        Base runs per year (rows, 2018-2024) at or above each summary threshold
        (columns ``ge_1e23`` ... ``ge_1e26``), as Epoch records them.
    data_log10_flop, data_year
        The runs fitted by the count model (log10 FLOP; calendar year), shape (n_runs,).
    data_vintage
        Vintage (YYYY-MM-DD) of the data the fit may use.
    fit_years
        First and last calendar year fitted.
    n_draws, seed
        Number of draws and the seed that produced them.
    diagnostics
        Data sizes, log-likelihoods and AIC of both count forms, the likelihood-ratio
        statistic and p-value of curved vs log-linear.
    """

    count_form: str
    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    delta: np.ndarray
    mu: np.ndarray
    cost_a: np.ndarray
    cost_b: np.ndarray
    cost_s: np.ndarray
    tier_intercept: np.ndarray
    tier_flop: np.ndarray
    open_intercept: np.ndarray
    open_frontier: np.ndarray
    open_flop: np.ndarray
    estimates: dict[str, float]
    frontier_drift: float
    assumptions: WorldAssumptions
    frontier_developers: tuple[str, ...]
    observed_counts: pd.DataFrame
    data_log10_flop: np.ndarray
    data_year: np.ndarray
    data_vintage: str
    fit_years: tuple[int, int]
    n_draws: int
    seed: int
    diagnostics: dict[str, float] = field(default_factory=dict)

    @property
    def draws(self) -> dict[str, np.ndarray]:
        """Every parameter's draws by name (a new dict of the read-only arrays), shape
        ``(n_draws,)`` each."""
        return {name: getattr(self, name) for name in PARAMETER_UNITS}

    def count_params(self, index: np.ndarray | None = None) -> CountParams:
        """Count-model parameters of the draws ``index`` (all draws by default)."""
        sel = slice(None) if index is None else np.asarray(index)
        return CountParams(
            self.count_form,
            *(getattr(self, name)[sel] for name in _COUNT_NAMES),
        )

    def parameter_table(self) -> pd.DataFrame:
        """One row per parameter: ``parameter``, ``units``, ``estimate``, ``mean``,
        ``q05``, ``q50``, ``q95`` (over the draws)."""
        rows = []
        for name, units in PARAMETER_UNITS.items():
            d = getattr(self, name)
            q05, q50, q95 = np.quantile(d, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "parameter": name,
                    "units": units,
                    "estimate": self.estimates[name],
                    "mean": float(d.mean()),
                    "q05": float(q05),
                    "q50": float(q50),
                    "q95": float(q95),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able provenance summary: parameters, data, assumptions, diagnostics."""
        return {
            "data_vintage": self.data_vintage,
            "fit_years": list(self.fit_years),
            "source": f"Epoch AI notable models (rows with '{EPOCH_SOURCE_TOKEN}' in source)",
            "count_form": self.count_form,
            "n_draws": self.n_draws,
            "seed": self.seed,
            "frontier_developers": list(self.frontier_developers),
            "parameters": self.parameter_table().to_dict(orient="records"),
            "observed_counts": self.observed_counts.to_dict(orient="records"),
            "assumptions": self.assumptions.to_dict(),
            "diagnostics": dict(self.diagnostics),
        }


def _observed_counts(x: np.ndarray, year: np.ndarray) -> pd.DataFrame:
    years = np.arange(FIT_YEARS[0], FIT_YEARS[1] + 1)
    table = {"year": years}
    for thr in SUMMARY_LOG10_THRESHOLDS:
        table[f"ge_1e{thr:g}"] = np.array([np.sum((year == y) & (x >= thr)) for y in years])
    return pd.DataFrame(table)


def _read_only(values: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(values, dtype=float)
    out.flags.writeable = False
    return out


def _read_only_int(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=np.int64)
    out.flags.writeable = False
    return out


def fit_world(
    models: pd.DataFrame | None = None,
    *,
    assumptions: WorldAssumptions | None = None,
    n_draws: int = 4000,
    seed: int = 0,
) -> WorldFit:
    """Fit the count, cost, tier and open-weights models to Epoch's records.

    Parameters
    ----------
    models
        The models table (``pd.read_csv("data/models.csv")`` or ``Evidence.models``);
        defaults to :data:`DEFAULT_MODELS_PATH`. Only Epoch notable-model base runs of
        2018-2024 are used.
    assumptions
        World assumptions; defaults to :func:`load_world_assumptions`.
    n_draws
        Number of parameter draws (>= 1).
    seed
        Seed of the draws.

    Returns
    -------
    WorldFit

    Raises
    ------
    EvidenceError
        The table lacks a column or holds Epoch rows after the data vintage.
    RiskmodelError
        A model cannot be fitted (too few rows, no interior maximum).
    """
    if n_draws < 1:
        raise RiskmodelError(f"n_draws must be >= 1, got {n_draws}")
    assumptions = assumptions if assumptions is not None else load_world_assumptions()
    if models is None:
        models = pd.read_csv(DEFAULT_MODELS_PATH)
    rows = _epoch_rows(models, assumptions.data_vintage)
    floor = assumptions.floor_log10_flop
    years = tuple(range(FIT_YEARS[0], FIT_YEARS[1] + 1))
    with_flop = rows[np.isfinite(rows["log10_flop"])]
    above = with_flop[with_flop["log10_flop"] >= floor]
    x = above["log10_flop"].to_numpy(float)
    year = above["year"].to_numpy(int)

    fits = {
        form: fit_count_model(x, year, years=years, floor_log10_flop=floor, form=form)
        for form in COUNT_FORMS
    }
    count_fit = fits[assumptions.count_form]

    costed = with_flop[with_flop["training_cost_usd"].notna()]
    cost_usd = costed["training_cost_usd"].to_numpy(float)
    cost_y = np.log10(cost_usd) - costed["log10_flop"].to_numpy(float)
    cost_fit = _fit_cost(costed["t"].to_numpy(float) - REFERENCE_YEAR, cost_y)

    aliases = assumptions.organization_aliases
    frontier = _rank_frontier(
        with_flop, aliases, assumptions.n_frontier_developers, assumptions.frontier_log10_flop
    )
    is_frontier = np.array(
        [any(d in frontier for d in _developers(org, aliases)) for org in above["organization"]],
        dtype=float,
    )
    u = x - REFERENCE_LOG10_FLOP
    tau = above["t"].to_numpy(float) - REFERENCE_YEAR
    ones = np.ones_like(u)
    drift = float(count_fit.estimates()["mu"])
    relative = u - drift * tau
    is_open = above["open_weights"].to_numpy(float)
    tier_fit, tier_aic = _fit_logistic_variants(
        {
            "relative": [ones, relative],
            "absolute": [ones, u],
            "relative_and_year": [ones, relative, tau],
        },
        is_frontier,
        _TIER_NAMES,
        "developer-tier model",
    )
    open_fit, open_aic = _fit_logistic_variants(
        {
            "relative": [ones, is_frontier, relative],
            "absolute_and_year": [ones, is_frontier, u, tau],
        },
        is_open,
        _OPEN_NAMES,
        "open-weights model",
    )

    rng = np.random.default_rng(seed)
    draws: dict[str, np.ndarray] = {}
    draws.update(count_fit.draws(n_draws, rng))
    draws.update(cost_fit.draws(n_draws, rng))
    draws.update(tier_fit.draws(n_draws, rng))
    draws.update(open_fit.draws(n_draws, rng))

    estimates = count_fit.estimates()
    estimates.update(
        cost_a=float(cost_fit.coef[0]),
        cost_b=float(cost_fit.coef[1]),
        cost_s=math.sqrt(cost_fit.s2),
    )
    estimates.update(zip(_TIER_NAMES, tier_fit.mode.tolist(), strict=True))
    estimates.update(zip(_OPEN_NAMES, open_fit.mode.tolist(), strict=True))

    lr = 2.0 * (fits["curved"].log_likelihood - fits["loglinear"].log_likelihood)
    diagnostics = {
        "n_count_runs": float(count_fit.n_runs),
        "n_cost_rows": float(cost_y.size),
        "n_tier_rows": float(tier_fit.n_rows),
        "n_open_rows": float(open_fit.n_rows),
        "n_frontier_runs": float(is_frontier.sum()),
        "n_open_runs": float(above["open_weights"].sum()),
        "loglik_curved": fits["curved"].log_likelihood,
        "loglik_loglinear": fits["loglinear"].log_likelihood,
        "aic_curved": fits["curved"].aic,
        "aic_loglinear": fits["loglinear"].aic,
        "lr_curved_vs_loglinear": lr,
        "lr_p_value": float(stats.chi2.sf(lr, df=2)),
        "loglinear_alpha": fits["loglinear"].estimates()["alpha"],
        "loglinear_beta": fits["loglinear"].estimates()["beta"],
        "loglinear_gamma": fits["loglinear"].estimates()["gamma"],
        **{f"tier_aic_{name}": value for name, value in tier_aic.items()},
        **{f"open_aic_{name}": value for name, value in open_aic.items()},
    }
    return WorldFit(
        count_form=assumptions.count_form,
        **{name: _read_only(draws[name]) for name in PARAMETER_UNITS},
        estimates=estimates,
        frontier_drift=drift,
        assumptions=assumptions,
        frontier_developers=frontier,
        observed_counts=_observed_counts(x, year),
        data_log10_flop=_read_only(x),
        data_year=_read_only_int(year),
        data_vintage=assumptions.data_vintage,
        fit_years=FIT_YEARS,
        n_draws=int(n_draws),
        seed=int(seed),
        diagnostics=diagnostics,
    )
