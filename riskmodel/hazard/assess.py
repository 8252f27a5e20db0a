"""Hazard assessment of a model, and where each bar is first crossed.

:func:`assess`
    For a model of given training FLOP and release date, the posterior probability of
    each bar's condition (:mod:`riskmodel.hazard.bars`), its Monte Carlo standard error
    and the verdict.
:func:`crossing`
    Quantiles of the training FLOP at which a bar is first crossed for a model released
    on a date, and of the date at which the frontier (the best model released in the year
    up to that date) first crosses it.

Monte Carlo (both functions)
----------------------------
One Monte Carlo sample combines a posterior draw of the capability fit (effective-compute
parameters, capability scatter and, for the Amdahl link, the cyber task curve of the
reference suite) with independent draws of the uplift link's parameters, the
enhancement parameters and the risk-chain parameters. By default (``link_params=
"studies"``) the link parameters are posterior draws given the uplift studies
(``data/uplift_studies.csv``), each study's model capability taken from this fit
(:func:`riskmodel.uplift.update.updated_link_params`: one NUTS run, memoised per process);
``link_params="prior"`` uses the elicited priors alone
(``data/elicitation/uplift_priors.toml``), and a mapping of draws is resampled as given.
Each source of
randomness has its own generator spawned from ``seed``, so for one seed the samples do not
depend on the FLOP, the bars or the allowance: the probability is exactly non-decreasing
in FLOP and in the allowance (common random numbers).

Every bar's condition for one sample is ``uplift(enhanced capability) > u*`` with the
per-sample threshold ``u*`` of :func:`riskmodel.hazard.bars.uplift_threshold`.

``mc_se`` is the larger of the binomial standard error ``sqrt(p (1 - p) / n)`` and the
batch-means standard error over :data:`MC_BATCHES` contiguous batches of samples (in
chain/draw order, so autocorrelation of the posterior draws is accounted for).

Crossings (per posterior draw)
------------------------------
For each of ``n_draws`` posterior draws of the global parameters (evenly spaced over the
chains), the condition's probability is evaluated over the *within-draw* uncertainty
(``n_inner`` draws of the model's capability scatter, the link, enhancement and chain
parameters), and compared with the bar's required probability. Because the capability
rises by exactly one dex per dex of FLOP, each inner sample ``j`` has a required log10 FLOP
``x_j`` (capability threshold ``c*_j`` from inverting the link by bisection, minus the
enhancement gain, the method progress ``M(t)`` of the draw at the release date
(:func:`riskmodel.capability.predict.method_progress_at`; not linear in ``t``), the
reasoning gain if the model is reasoning-trained (released on or after
``PosteriorView.reasoning_since``) and the scatter), and the smallest FLOP at
which the within-draw probability exceeds ``r`` is the ``k``-th smallest ``x_j`` with
``k = floor(r * n_inner) + 1``: the exact crossing, i.e. the limit of an infinitely fine
log-FLOP grid. Crossings above :data:`MAX_LOG10_FLOP` (1e32 FLOP) are reported as
``inf``. Quantiles are then taken across the posterior draws.

The frontier date works the same way on the time axis. The frontier on date ``D`` is the
**best model released in the** :data:`FRONTIER_WINDOW_YEARS` **(one year) up to** ``D``
(:func:`riskmodel.capability.predict.frontier_capability_draws`: a Poisson number of
frontier releases in the window, each on the frontier compute trend with its scatter,
method progress, reasoning gain and capability scatter). Its capability is not linear in
time, so the date is solved numerically on a monthly grid of dates from
:data:`FRONTIER_GRID_START` to :data:`DATE_HORIZON`. Every inner sample ``j`` gets its
own frontier realisation, drawn with the same random numbers at every date: the window
slides rigidly, so ``j``'s frontier capability is non-decreasing in ``D`` (each release
in it moves later, up the compute trend and method progress; only a draw whose frontier
compute fell faster than method progress rises would break this) and so is the number
of inner samples whose frontier has met their ``c*_j``. The draw's date is the first date at
which that number reaches ``k`` (as for the FLOP), i.e. the ``k``-th smallest of the inner
samples' dates: its month is found by refining year, quarter and month brackets (the
same answer as scanning every month), and the date within that month by linear
interpolation of each inner sample's frontier capability between the month's ends. A
crossing already met at the grid's start is reported at the start; dates after
:data:`DATE_HORIZON` are reported as ``None``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import beta as beta_dist

from riskmodel.capability.data import DAYS_PER_YEAR, years_since
from riskmodel.capability.predict import (
    PosteriorView,
    capability_draws,
    frontier_capability_draws,
    method_progress_at,
    posterior_view,
)
from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.hazard.bars import (
    HARM_MODELS,
    HazardBar,
    RiskChainPriors,
    load_hazard_bars,
    load_risk_chain_priors,
    uplift_threshold,
)
from riskmodel.hazard.enhancement import (
    UNBOUNDED,
    EnhancementAllowance,
    EnhancementParams,
    EnhancementPriors,
    enhanced_capability,
    load_enhancement_priors,
)
from riskmodel.hazard.inputs import HazardInputs
from riskmodel.uplift.elicitation import ElicitedPriors, load_uplift_priors
from riskmodel.uplift.links import TaskCurve, UpliftLink, make_link, task_curve_from_view
from riskmodel.uplift.update import updated_link_params

#: How the link parameters are drawn: ``"studies"`` (posterior given the uplift studies),
#: ``"prior"`` (elicited priors only) or a mapping prior name -> draws.
LinkParams = Mapping[str, np.ndarray] | str

__all__ = [
    "MC_BATCHES",
    "MAX_LOG10_FLOP",
    "DATE_HORIZON",
    "FRONTIER_GRID_START",
    "FRONTIER_WINDOW_YEARS",
    "CROSSING_POSTERIOR_DRAWS",
    "CROSSING_INNER_SAMPLES",
    "CROSSING_QUANTILES",
    "assess",
    "crossing",
    "capability_needed",
]

#: Batches of the batch-means Monte Carlo standard error.
MC_BATCHES = 20
#: Confidence level of the reported upper bound of P(hazard) (Clopper-Pearson, one-sided).
UPPER_BOUND_LEVEL = 0.95
#: Largest training compute searched by :func:`crossing` (log10 FLOP); beyond: ``inf``.
MAX_LOG10_FLOP = 32.0
#: Last date reported by :func:`crossing`; later frontier crossings are ``None``.
DATE_HORIZON = "2040-12-31"
#: First date of the monthly grid on which :func:`crossing` follows the frontier.
FRONTIER_GRID_START = "2015-01-01"
#: The frontier on date D is the best model released in this many years up to D.
FRONTIER_WINDOW_YEARS = 1.0
#: Bracket widths (months) by which :func:`crossing` refines the frontier date.
_REFINE_MONTHS = (12, 3, 1)
#: Posterior draws (evenly spaced) used by :func:`crossing`.
CROSSING_POSTERIOR_DRAWS = 400
#: Within-draw Monte Carlo samples per posterior draw in :func:`crossing`.
CROSSING_INNER_SAMPLES = 200
#: Quantile levels reported by :func:`crossing`.
CROSSING_QUANTILES = (0.05, 0.5, 0.95)
#: Capability bracket (dex of effective compute) of the link inversion: 1e-7 to 1e63
#: FLOP-equivalent at the reference date, far outside any model.
CAPABILITY_BRACKET = (-30.0, 40.0)
#: Bisection steps of the link inversion (bracket / 2**14 ~ 0.004 dex, i.e. 1% in FLOP:
#: far below the evaluation noise and the posterior spread; each step costs one link
#: evaluation of every sample, the bulk of a crossing's run time).
BISECTION_STEPS = 14
#: Rows per chunk in the link inversion (bounds memory: rows x quadrature grid floats).
INVERSION_CHUNK = 8192
#: Number of independent random streams spawned from the seed.
_STREAMS = ("capability", "link", "enhancement", "chain", "frontier")


# --- shared set-up -----------------------------------------------------------------


def _check_date(date: str) -> str:
    try:
        dt.date.fromisoformat(date)
        if len(date) != len("YYYY-MM-DD"):
            raise ValueError
    except (TypeError, ValueError):
        raise RiskmodelError(f"date must be YYYY-MM-DD, got '{date}'") from None
    return date


def select_bars(
    bars: Sequence[str | HazardBar] | str | HazardBar | None,
    bars_path: str | Path | None,
    inputs: HazardInputs | None = None,
) -> list[HazardBar]:
    """Bars by name or object (``None``: every bar of the file) from ``bars_path``, else
    ``inputs``, else the shipped file; refuses unknown names and unmodelled harms."""
    if bars_path is None and inputs is not None:
        available = dict(inputs.bars)
    else:
        available = load_hazard_bars(bars_path)
    if bars is None:
        selected = list(available.values())
    else:
        items = [bars] if isinstance(bars, str | HazardBar) else list(bars)
        selected = []
        for item in items:
            if isinstance(item, HazardBar):
                selected.append(item)
            elif item in available:
                selected.append(available[item])
            else:
                raise ConfigError(
                    f"unknown hazard bar '{item}' (key 'bar'); defined: {', '.join(available)}"
                )
    for bar in selected:
        if bar.harm not in HARM_MODELS:
            raise ConfigError(
                f"hazard bar '{bar.name}': no uplift model is shipped for harm category "
                f"'{bar.harm}' (key 'harm'); available: {', '.join(HARM_MODELS)}"
            )
    return selected


def _axis(value: float | str | None, default: float | None, name: str) -> float | None:
    if value is None:
        return default
    if value == UNBOUNDED or (isinstance(value, float) and math.isinf(value) and value > 0):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"'{name}' must be a number >= 0 or \"{UNBOUNDED}\", got {value!r}")
    if not (math.isfinite(value) and value >= 0):
        raise ConfigError(f"'{name}' must be a number >= 0 or \"{UNBOUNDED}\", got {value!r}")
    return float(value)


def _allowance(
    bar: HazardBar, flop_fraction: float | str | None, horizon_years: float | str | None
) -> EnhancementAllowance:
    """The bar's default allowance with per-axis overrides (None = keep the bar's)."""
    return EnhancementAllowance(
        flop_fraction=_axis(
            flop_fraction, bar.enhancement.flop_fraction, "enhancement_flop_fraction"
        ),
        horizon_years=_axis(
            horizon_years, bar.enhancement.horizon_years, "enhancement_horizon_years"
        ),
    )


class _Setting:
    """Loaded priors, link and task curve for one fit."""

    def __init__(
        self, fit: Any, link: str | UpliftLink | None, inputs: HazardInputs | None = None
    ) -> None:
        self.view: PosteriorView = posterior_view(fit)
        self.studies: pd.DataFrame | None = None
        if inputs is None:
            self.uplift_priors: ElicitedPriors = load_uplift_priors()
            self.enhancement: EnhancementPriors = load_enhancement_priors()
            self.chain: RiskChainPriors = load_risk_chain_priors()
        else:
            self.uplift_priors = inputs.uplift_priors
            self.enhancement = inputs.enhancement_priors
            self.chain = inputs.risk_chain
            self.studies = inputs.studies
        if link is None or isinstance(link, str):
            link = make_link(link or self.uplift_priors.default_link, priors=self.uplift_priors)
        self.link: UpliftLink = link
        self.curve: TaskCurve | None = (
            task_curve_from_view(self.view, suite=self.uplift_priors.reference_suite)
            if link.needs_task_curve
            else None
        )

    def curve_at(self, index: np.ndarray) -> TaskCurve | None:
        if self.curve is None:
            return None
        return TaskCurve(
            discrimination=self.curve.discrimination[index],
            horizon_slope=self.curve.horizon_slope[index],
            horizon_offset=self.curve.horizon_offset[index],
            suite=self.curve.suite,
        )

    def link_draws(
        self,
        link_params: LinkParams,
        *,
        studies: pd.DataFrame | str | Path | None,
        rng: np.random.Generator,
        size: int | tuple[int, ...],
    ) -> dict[str, np.ndarray]:
        if isinstance(link_params, str):
            if link_params == "prior":
                return self.link.sample_prior(rng=rng, size=size)
            if link_params != "studies":
                raise ConfigError(
                    f"link_params must be 'studies', 'prior' or a mapping of draws, "
                    f"got '{link_params}'"
                )
            link_params = updated_link_params(
                self.view,
                link=self.link,
                priors=self.uplift_priors,
                studies=studies if studies is not None else self.studies,
            ).params
        missing = [n for n in self.link.parameter_names if n not in link_params]
        if missing:
            raise ConfigError(
                f"link_params lacks {', '.join(missing)} for the {self.link.name} link"
            )
        n_post = len(np.asarray(link_params[self.link.parameter_names[0]]))
        pick = rng.integers(0, n_post, size=size)
        return {n: np.asarray(link_params[n])[pick] for n in self.link.parameter_names}


def _streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(_STREAMS))
    return {name: np.random.default_rng(s) for name, s in zip(_STREAMS, children, strict=True)}


def _mc_se(indicator: np.ndarray) -> float:
    n = indicator.size
    p = float(indicator.mean())
    binomial = math.sqrt(p * (1.0 - p) / n)
    batches = np.array_split(indicator.astype(float), min(MC_BATCHES, n))
    means = np.array([b.mean() for b in batches])
    batch = float(means.std(ddof=1) / math.sqrt(len(means))) if len(means) > 1 else 0.0
    return max(binomial, batch)


def _upper_bound(successes: int, n: int, level: float = UPPER_BOUND_LEVEL) -> float:
    """One-sided Clopper-Pearson upper bound of a binomial proportion."""
    if successes >= n:
        return 1.0
    return float(beta_dist.ppf(level, successes + 1, n - successes))


# --- assess --------------------------------------------------------------------------


def assess(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    flop: float,
    date: str,
    bars: Sequence[str | HazardBar] | str | HazardBar | None = None,
    bars_path: str | Path | None = None,
    enhancement_flop_fraction: float | str | None = None,
    enhancement_horizon_years: float | str | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    seed: int = 0,
    n_samples: int | None = None,
    inputs: HazardInputs | None = None,
) -> list[dict[str, Any]]:
    """Posterior probability that a model meets each hazard bar's condition.

    Parameters
    ----------
    fit
        Fitted capability model (DataTree, path, or :class:`PosteriorView`).
    flop
        Training compute (FLOP).
    date
        Release date, YYYY-MM-DD.
    bars
        Bar names (or :class:`HazardBar` objects); default: every bar of the bar file.
    bars_path
        User bar file (TOML); default ``data/hazard_bars.toml``.
    enhancement_flop_fraction, enhancement_horizon_years
        Override the bars' enhancement allowance per axis: extra compute as a fraction
        of the original training FLOP, and the methods horizon in years; ``"unbounded"``
        (or ``math.inf``) for the bill as written; ``None`` keeps each bar's default.
    link
        ``"amdahl"``, ``"direct"`` or an :class:`UpliftLink`; default from the priors file.
    link_params
        ``"studies"`` (default): the link's posterior given the uplift studies, with each
        study's capability from ``fit``; ``"prior"``: the elicited priors alone; or a
        mapping prior name -> draws (e.g. ``UpliftPosterior.params``), resampled.
    studies
        Uplift studies (DataFrame or CSV path) for ``link_params="studies"``; default
        ``data/uplift_studies.csv``.
    seed
        Seed of every Monte Carlo stream.
    n_samples
        Monte Carlo samples; default one per posterior draw. Larger values cycle through
        the posterior draws with fresh within-draw randomness.
    inputs
        Elicited priors, bars and studies (:func:`~riskmodel.hazard.inputs.load_hazard_inputs`);
        default the shipped files. ``bars_path`` and ``studies``, when given, take precedence.

    Returns
    -------
    list of dict
        One per bar: ``bar``, ``probability`` (of the condition), ``mc_se`` (its Monte
        Carlo standard error), ``required_probability``, ``hazardous``
        (``probability > required_probability``), ``enhancement`` (the allowance used),
        ``probability_upper_95`` (one-sided 95% Clopper-Pearson upper bound from the
        ``n_samples`` Monte Carlo samples: the useful statement when no sample meets the
        condition) and ``n_samples``.
    """
    _check_date(date)
    if not (isinstance(flop, int | float) and flop > 0 and math.isfinite(flop)):
        raise RiskmodelError(f"training FLOP must be a positive number, got {flop}")
    selected = select_bars(bars, bars_path, inputs)
    setting = _Setting(fit, link, inputs)
    n_post = setting.view.n_samples
    n = n_post if n_samples is None else int(n_samples)
    if n < 1:
        raise RiskmodelError(f"n_samples must be positive, got {n_samples}")
    rng = _streams(seed)
    repeats = -(-n // n_post)
    capability = np.concatenate(
        [
            capability_draws(setting.view, date=date, flop=float(flop), rng=rng["capability"])
            for _ in range(repeats)
        ]
    )[:n]
    index = np.arange(n) % n_post
    curve = setting.curve_at(index)
    params = setting.link_draws(link_params, studies=studies, rng=rng["link"], size=n)
    enhancement = setting.enhancement.sample(rng=rng["enhancement"], size=n)
    chain = setting.chain.sample(rng=rng["chain"], size=n)
    results = []
    for bar in selected:
        allowance = _allowance(bar, enhancement_flop_fraction, enhancement_horizon_years)
        enhanced = enhanced_capability(capability, allowance, enhancement)
        uplift = setting.link.uplift(enhanced, params, task_curve=curve)
        u_star = uplift_threshold(bar, chain=setting.chain, params=chain, size=n)
        indicator = np.asarray(uplift > u_star)
        probability = float(indicator.mean())
        results.append(
            {
                "bar": bar.name,
                "probability": probability,
                "mc_se": _mc_se(indicator),
                "required_probability": bar.required_probability,
                "hazardous": bool(probability > bar.required_probability),
                "enhancement": allowance.describe(),
                "probability_upper_95": _upper_bound(int(indicator.sum()), n),
                "n_samples": n,
            }
        )
    return results


# --- crossing -------------------------------------------------------------------------


def _capability_for_uplift(
    link: UpliftLink,
    params: Mapping[str, np.ndarray],
    curve: TaskCurve | None,
    u_star: np.ndarray,
) -> np.ndarray:
    """Smallest capability (dex) with ``uplift > u_star``, per row, by bisection.

    All inputs are flat arrays of one length. ``inf`` where the uplift stays at or below
    ``u_star`` up to the top of :data:`CAPABILITY_BRACKET` (e.g. ``u_star`` >= the Amdahl
    speed advantage); the bottom of the bracket where it already exceeds it there.
    """
    lo_cap, hi_cap = CAPABILITY_BRACKET
    out = np.empty(u_star.shape)
    for start in range(0, u_star.size, INVERSION_CHUNK):
        sl = slice(start, start + INVERSION_CHUNK)
        p = {k: v[sl] for k, v in params.items()}
        c = (
            None
            if curve is None
            else TaskCurve(
                discrimination=curve.discrimination[sl],
                horizon_slope=curve.horizon_slope[sl],
                horizon_offset=curve.horizon_offset[sl],
                suite=curve.suite,
            )
        )
        target = u_star[sl]
        m = target.size

        def above(cap: np.ndarray, p: dict = p, c: TaskCurve | None = c, t: np.ndarray = target):
            return link.uplift(cap, p, task_curve=c) > t

        lo = np.full(m, lo_cap)
        hi = np.full(m, hi_cap)
        never = ~above(hi)
        already = above(lo)
        for _ in range(BISECTION_STEPS):
            mid = 0.5 * (lo + hi)
            ok = above(mid)
            hi = np.where(ok, mid, hi)
            lo = np.where(ok, lo, mid)
        result = np.where(already, lo_cap, hi)
        out[sl] = np.where(never, np.inf, result)
    return out


def _kth(values: np.ndarray, required_probability: float) -> np.ndarray:
    """Per row, the smallest value at which the share of entries <= it exceeds ``r``."""
    n_inner = values.shape[1]
    k = math.floor(required_probability * n_inner) + 1
    if k > n_inner:
        return np.full(values.shape[0], np.inf)
    return np.sort(values, axis=1)[:, k - 1]


def _quantiles(values: np.ndarray) -> np.ndarray:
    """:data:`CROSSING_QUANTILES` as order statistics (``inverted_cdf``: no interpolation,
    so ``inf`` entries (never crossed) stay ``inf`` instead of producing NaN)."""
    return np.quantile(values, CROSSING_QUANTILES, method="inverted_cdf")


def _capability_needed(
    setting: _Setting,
    bar: HazardBar,
    allowance: EnhancementAllowance,
    rows: np.ndarray,
    *,
    rng: dict[str, np.random.Generator],
    link_params: LinkParams,
    studies: pd.DataFrame | str | Path | None,
) -> tuple[np.ndarray, EnhancementParams]:
    """Per sample (posterior rows ``rows``): the base capability (dex, before
    enhancement) above which the bar's condition holds, and the enhancement draws."""
    n = rows.size
    params = setting.link_draws(link_params, studies=studies, rng=rng["link"], size=n)
    enhancement = setting.enhancement.sample(rng=rng["enhancement"], size=n)
    chain = setting.chain.sample(rng=rng["chain"], size=n)
    u_star = uplift_threshold(bar, chain=setting.chain, params=chain, size=n)
    c_star = _capability_for_uplift(setting.link, params, setting.curve_at(rows), u_star)
    # Capability needed before enhancement (the gain is added to the base capability).
    return c_star - enhanced_capability(np.zeros(n), allowance, enhancement), enhancement


def capability_needed(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    posterior_index: np.ndarray,
    enhancement: EnhancementAllowance | None = None,
    bars_path: str | Path | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    seed: int = 0,
    inputs: HazardInputs | None = None,
) -> tuple[np.ndarray, EnhancementParams]:
    """Capability above which a bar's condition holds, one Monte Carlo sample per entry.

    For sample ``i`` (posterior draw ``posterior_index[i]`` of the capability fit, with
    fresh draws of the link, enhancement and risk-chain parameters), a model whose base
    capability exceeds the returned value meets the bar's condition after the allowed
    enhancement: ``uplift(c + gain) > u*``. The simulation uses it both as the truth of a
    simulated world (one sample per world) and, pooled over many samples, as the
    developer's assessed probability.

    Parameters
    ----------
    fit
        Fitted capability model.
    bar
        Bar name or :class:`HazardBar`.
    posterior_index
        int array, shape (sample,), rows of the fit's flattened posterior draws.
    enhancement
        Allowance; default the bar's own.
    bars_path, link, link_params, studies, seed, inputs
        As for :func:`assess`.

    Returns
    -------
    (numpy.ndarray, EnhancementParams)
        Capability needed (dex; ``inf`` when never met), shape (sample,), and the
        enhancement-parameter draws of the same samples (same for every bar at one seed).
    """
    (selected,) = select_bars([bar], bars_path, inputs)
    setting = _Setting(fit, link, inputs)
    rows = np.asarray(posterior_index, dtype=int)
    if rows.ndim != 1 or rows.size == 0 or rows.min() < 0 or rows.max() >= setting.view.n_samples:
        raise RiskmodelError(
            f"posterior_index must be a non-empty 1-d array of rows in 0 .. "
            f"{setting.view.n_samples - 1}"
        )
    allowance = enhancement if enhancement is not None else selected.enhancement
    return _capability_needed(
        setting,
        selected,
        allowance,
        rows,
        rng=_streams(seed),
        link_params=link_params,
        studies=studies,
    )


def _rows_view(view: PosteriorView, rows: np.ndarray) -> PosteriorView:
    """A view whose samples are the posterior rows ``rows`` (repeats allowed), keeping only
    the per-sample scalar variables (all that the frontier's capability needs)."""
    scalars = [name for name, var in view.draws.data_vars.items() if var.dims == ("sample",)]
    path = None if view.progress_path is None else view.progress_path[rows]
    return replace(view, draws=view.draws[scalars].isel(sample=rows), progress_path=path)


def _frontier_crossing_years(
    view: PosteriorView, draws: np.ndarray, needed: np.ndarray, *, k: int, seed: int
) -> np.ndarray:
    """Per posterior draw: when the frontier first meets the ``k``-th inner sample's
    capability threshold (the ``k``-th smallest of the inner samples' crossing dates).

    The frontier capability of every inner sample is drawn by
    :func:`~riskmodel.capability.predict.frontier_capability_draws` with the same random
    numbers at every date, so each inner sample's frontier path rises with the date
    (the releases in the window slide with it); the number of inner samples already
    met is then non-decreasing in the date. The first month at which at least ``k`` are
    met is found on the monthly grid by refining brackets of :data:`_REFINE_MONTHS`
    (a year, a quarter, a month: the same answer as scanning every month, from far
    fewer evaluations), and the ``k``-th crossing is interpolated linearly within that
    month from each inner sample's frontier capability at its two ends.

    Parameters
    ----------
    draws
        Posterior rows, shape (draw,).
    needed
        Capability (dex) needed per inner sample, shape (draw, inner).
    k
        Order statistic per draw (1 <= k <= inner).
    seed
        Seed of the frontier's random numbers, reused at every grid date.

    Returns
    -------
    numpy.ndarray
        Shape (draw,): years since the reference date (the grid's start if met there;
        ``inf`` if not met by its end, one month after :data:`DATE_HORIZON`).
    """
    n_draws, n_inner = needed.shape
    sub = _rows_view(view, np.repeat(draws, n_inner))
    end = pd.Timestamp(DATE_HORIZON) + pd.offsets.MonthBegin(1)
    dates = pd.date_range(FRONTIER_GRID_START, end, freq="MS")
    labels = dates.strftime("%Y-%m-%d").tolist()
    years = years_since(pd.Series(dates), view.reference_date)
    last = len(dates) - 1
    cache: dict[int, np.ndarray] = {}

    def frontier_at(month: int) -> np.ndarray:
        """Frontier capability (dex) at grid month ``month``, shape (draw, inner)."""
        if month not in cache:
            cache[month] = frontier_capability_draws(
                sub,
                date=labels[month],
                window_years=FRONTIER_WINDOW_YEARS,
                reasoning=None,
                rng=np.random.default_rng(seed),
            ).reshape(n_draws, n_inner)
        return cache[month]

    def met(month: int, rows: np.ndarray) -> np.ndarray:
        """Whether at least ``k`` inner samples of each draw in ``rows`` are met."""
        return (frontier_at(month)[rows] >= needed[rows]).sum(axis=1) >= k

    out = np.full(n_draws, np.inf)
    everything = np.arange(n_draws)
    at_start = met(0, everything)
    out[at_start] = years[0]
    active = everything[~at_start & met(last, everything)]
    # Bracket (lo, hi] of grid months per active draw: not met at lo, met at hi.
    lo = np.zeros(n_draws, dtype=int)
    hi = np.full(n_draws, last)
    for step in _REFINE_MONTHS:
        points: dict[int, list[int]] = {}
        for d in active:
            for month in range(lo[d] - lo[d] % step + step, hi[d], step):
                points.setdefault(month, []).append(d)
        for month in sorted(points):
            rows = np.array([d for d in points[month] if month < hi[d]], dtype=int)
            if rows.size:
                now = met(month, rows)
                hi[rows[now]] = month
                lo[rows[~now]] = np.maximum(lo[rows[~now]], month)
    for d in active:
        before, after = frontier_at(lo[d])[d], frontier_at(hi[d])[d]
        target = needed[d]
        rise = after - before
        fraction = np.clip((target - before) / np.where(rise > 0, rise, 1.0), 0.0, 1.0)
        t = years[lo[d]] + fraction * (years[hi[d]] - years[lo[d]])
        t = np.where(before >= target, -np.inf, np.where(after >= target, t, np.inf))
        out[d] = np.sort(t)[k - 1]
    return out


def crossing(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    date: str | None = None,
    bars_path: str | Path | None = None,
    enhancement_flop_fraction: float | str | None = None,
    enhancement_horizon_years: float | str | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    seed: int = 0,
    n_draws: int = CROSSING_POSTERIOR_DRAWS,
    n_inner: int = CROSSING_INNER_SAMPLES,
    inputs: HazardInputs | None = None,
) -> dict[str, Any]:
    """Where on the compute axis and the calendar a bar is first crossed.

    Parameters
    ----------
    fit
        Fitted capability model.
    bar
        Bar name or :class:`HazardBar`.
    date
        Release date (YYYY-MM-DD) of the model whose crossing FLOP is computed; default
        today.
    bars_path, enhancement_flop_fraction, enhancement_horizon_years, link, link_params
        As for :func:`assess`.
    studies, seed, inputs
        As for :func:`assess`.
    n_draws
        Posterior draws of the global parameters (evenly spaced; at most all).
    n_inner
        Within-draw Monte Carlo samples per posterior draw.

    Returns
    -------
    dict
        ``bar``, ``date``; ``flop_q05``, ``flop_q50``, ``flop_q95``: quantiles (order
        statistics) across posterior draws of the smallest training FLOP at which the
        bar's condition holds (``inf`` beyond 1e32 FLOP); ``frontier_date_q05``,
        ``frontier_date_q50``,
        ``frontier_date_q95``: the same for the date at which the frontier (the best model
        released in the year up to that date) first meets it (YYYY-MM-DD, ``None`` after
        :data:`DATE_HORIZON`). See the module docstring.
    """
    date = _check_date(date) if date is not None else dt.date.today().isoformat()
    (selected,) = select_bars([bar], bars_path, inputs)
    if n_draws < 1 or n_inner < 1:
        raise RiskmodelError("n_draws and n_inner must be positive")
    setting = _Setting(fit, link, inputs)
    view = setting.view
    n_post = view.n_samples
    g = min(n_draws, n_post)
    draw_index = np.unique(np.linspace(0, n_post - 1, g).round().astype(int))
    g = draw_index.size
    shape = (g, n_inner)
    rows = np.repeat(draw_index, n_inner)
    rng = _streams(seed)
    allowance = _allowance(selected, enhancement_flop_fraction, enhancement_horizon_years)
    base_needed, _ = _capability_needed(
        setting, selected, allowance, rows, rng=rng, link_params=link_params, studies=studies
    )
    base_needed = base_needed.reshape(shape)

    scatter = view.values("capability_scatter")[draw_index][:, None] * rng[
        "capability"
    ].standard_normal(shape)
    t_release = float(years_since(date, view.reference_date))
    progress = method_progress_at(view, draw_index, np.full(g, t_release))[:, None]
    if view.reasoning_since is not None and date >= view.reasoning_since:
        progress = progress + view.values("reasoning_gain")[draw_index][:, None]
    # capability = log10 FLOP - reference + M(t) [+ reasoning gain] + scatter
    # (capability_draws).
    log10_flop_needed = base_needed - progress + view.reference_log10_flop - scatter
    flop_cross = _kth(log10_flop_needed, selected.required_probability)
    flop_cross = np.where(flop_cross > MAX_LOG10_FLOP, np.inf, flop_cross)
    flop_q = _quantiles(flop_cross)

    date_cross = np.full(g, np.inf)
    k = math.floor(selected.required_probability * n_inner) + 1
    if k <= n_inner:
        per_chunk = max(1, INVERSION_CHUNK // n_inner)
        starts = range(0, g, per_chunk)
        seeds = rng["frontier"].integers(0, 2**63, size=len(starts))
        for start, chunk_seed in zip(starts, seeds, strict=True):
            sl = slice(start, start + per_chunk)
            date_cross[sl] = _frontier_crossing_years(
                view, draw_index[sl], base_needed[sl], k=k, seed=int(chunk_seed)
            )
    date_q = _quantiles(date_cross)
    horizon = float(years_since(DATE_HORIZON, view.reference_date))
    reference = pd.Timestamp(view.reference_date)

    def as_date(years: float) -> str | None:
        if not np.isfinite(years) or years > horizon:
            return None
        return (reference + pd.Timedelta(days=round(years * DAYS_PER_YEAR))).date().isoformat()

    out: dict[str, Any] = {"bar": selected.name, "date": date}
    for level, value in zip(CROSSING_QUANTILES, flop_q, strict=True):
        out[f"flop_q{round(level * 100):02d}"] = (
            float(10.0**value) if np.isfinite(value) else math.inf
        )
    for level, value in zip(CROSSING_QUANTILES, date_q, strict=True):
        out[f"frontier_date_q{round(level * 100):02d}"] = as_date(float(value))
    return out
