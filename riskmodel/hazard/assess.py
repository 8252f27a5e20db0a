"""Hazard assessment of a model, and where each bar is crossed.

:func:`assess`
    For a model of given training FLOP and release date, the posterior probability of
    each bar's condition (:mod:`riskmodel.hazard.bars`), its Monte Carlo standard error
    and the verdict.
:func:`crossing`
    The training FLOP (for a model released on a date) and the date (for the frontier)
    at which the **pooled** probability of a bar's condition reaches the bar's required
    probability, each with its Monte Carlo standard error.
:func:`crossing_sensitivity`
    How far the FLOP crossing moves when one epistemic input is restricted to its lower
    or upper third: the sensitivity of the crossing, shown separately from it.
:func:`capability_needed`
    Per sample, the base capability above which a bar's condition holds (the
    simulation's truth and assessment).

Monte Carlo (every function)
----------------------------
One sample is a posterior draw of the capability fit (method progress, reasoning gain,
capability scatter and, for the Amdahl link, the cyber task curve of the reference
suite) with independent draws of the uplift link's parameters, the enhancement
parameters and the risk-chain parameters, weighted by the observed record of incidents
and resampled (:mod:`riskmodel.hazard.samples`; ``record=False`` switches the evidence
off). By default (``link_params="studies"``) the link parameters are posterior draws
given the uplift studies (``data/uplift_studies.csv``, :func:`riskmodel.uplift.update.
updated_link_params`: one NUTS run, stored in the fit's DataTree); ``link_params="prior"`` uses
the elicited priors alone, and a mapping of draws is resampled as given. Each source of
randomness has its own generator spawned from ``seed``, so for one seed the samples do
not depend on the FLOP, the bars or the allowance: the probability is exactly
non-decreasing in FLOP and in the allowance (common random numbers).

A bar's condition for one sample is ``uplift(enhanced capability) > u*``
(:func:`riskmodel.hazard.bars.uplift_threshold`), with the enhancement of
:mod:`riskmodel.hazard.enhancement` (saturating, with a fresh-run ceiling) and, for a
bar whose counterfactual is ``non_covered``, ``u*`` measured from the uplift of the best
model available without a covered model (:func:`riskmodel.hazard.samples.
reference_capability`): a model no better than it is never hazardous.

``mc_se`` is the larger of the binomial standard error ``sqrt(p (1 - p) / n)`` and the
batch-means standard error over :data:`MC_BATCHES` contiguous batches of samples (in
chain/draw order, so autocorrelation of the posterior draws and duplicates from the
resampling are accounted for).

Crossings (pooled, DOMAIN.md section 6)
---------------------------------------
The bar is a statement about the pooled probability, so the crossing is where the
pooled probability meets it. Capability rises by exactly one dex per dex of FLOP, so
each sample ``j`` has the log10 FLOP ``x_j`` above which its condition holds (capability
threshold from inverting the link by bisection, minus the enhancement gain, the method
progress and reasoning gain at the release date and the sample's scatter), and
``P(FLOP) = mean_j [x_j < log10 FLOP]``. The crossing is the smallest FLOP at which ``P``
exceeds the required probability ``r``: the ``k``-th smallest ``x_j`` with
``k = floor(r n) + 1``, so ``assess`` at the crossing FLOP returns ``r`` up to Monte Carlo
error (tested). Its Monte Carlo standard error (dex) is the batch-means error of the
same order statistic over :data:`MC_BATCHES` contiguous batches. Crossings above
:data:`MAX_LOG10_FLOP` (1e32 FLOP) are ``inf``.

The frontier date is where the pooled probability that the frontier (the best model
released in the :data:`FRONTIER_WINDOW_YEARS` up to ``D``,
:func:`riskmodel.capability.predict.frontier_capability_draws`, the same random numbers
at every date so each sample's frontier slides rigidly) meets the condition first
exceeds ``r``: found on a grid of years from :data:`FRONTIER_GRID_START` to
:data:`DATE_HORIZON`, refined to months, and interpolated linearly within the month;
its Monte Carlo error (months) is the batch-means error of ``P`` there divided by the
slope of ``P``. ``None`` when not reached by the horizon.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.stats import beta as beta_dist

from riskmodel._rng import streams
from riskmodel._time import date_after_years, parse_date, years_since
from riskmodel.capability.predict import (
    PosteriorView,
    frontier_capability_draws,
    posterior_view,
    progress_with_reasoning_at,
)
from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.hazard.bars import (
    HARM_MODELS,
    HazardBar,
    RiskChainPriors,
    load_hazard_bars,
    uplift_threshold,
)
from riskmodel.hazard.enhancement import (
    UNBOUNDED,
    EnhancementAllowance,
    EnhancementParams,
    EnhancementPriors,
    gain_for,
    resolved_allowance,
)
from riskmodel.hazard.inputs import HazardInputs, resolve_hazard_inputs
from riskmodel.hazard.samples import (
    FRONTIER_WINDOW_YEARS,
    HazardSample,
    draw_hazard_sample,
    reference_capability,
    rows_view,
)
from riskmodel.uplift.elicitation import ElicitedPriors
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
    "NeededCapability",
    "assess",
    "assess_flops",
    "crossing",
    "crossing_sensitivity",
    "crossing_with_sensitivity",
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
#: First date of the grid on which :func:`crossing` follows the frontier.
FRONTIER_GRID_START = "2015-01-01"
#: Capability bracket (dex of effective compute) of the link inversion: 1e-7 to 1e63
#: FLOP-equivalent at the reference date, far outside any model.
CAPABILITY_BRACKET = (-30.0, 40.0)
#: Bisection steps of the link inversion (bracket / 2**14 ~ 0.004 dex, i.e. 1% in FLOP:
#: far below the evaluation noise and the posterior spread; each step costs one link
#: evaluation of every sample, the bulk of a crossing's run time).
BISECTION_STEPS = 14
#: Rows per chunk in the link inversion (bounds memory: rows x quadrature grid floats).
INVERSION_CHUNK = 8192
#: Times of use (years after release) at which a ``non_covered`` bar's condition is
#: checked; the enhancement used at time ``tau`` has the methods of ``min(tau, horizon)``.
#: A fixed grid (ending at the 5-year cap of an unbounded horizon), so a longer horizon
#: raises the gain at every point and the probability is exactly monotone in it.
USAGE_TIMES = (0.0, 0.5, 1.0, 2.0, 3.5, 5.0)
#: Independent random streams spawned from the seed.

# --- shared set-up -----------------------------------------------------------------


def select_bars(
    bars: Sequence[str | HazardBar] | str | HazardBar | None,
    bars_path: str | Path | None,
    inputs: HazardInputs | None = None,
) -> list[HazardBar]:
    """Bars by name or object (``None``: every bar of the file) from ``bars_path``, else
    ``inputs`` (``None``: the shipped file); refuses unknown names and unmodelled harms."""
    if bars_path is not None:
        available = load_hazard_bars(bars_path)
    elif inputs is not None:
        available = dict(inputs.bars)
    else:
        available = load_hazard_bars()
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
    bar: HazardBar,
    flop_fraction: float | str | None,
    horizon_years: float | str | None,
    cost_fraction: float | str | None = None,
) -> EnhancementAllowance:
    """The bar's default allowance with per-axis overrides (None = keep the bar's)."""
    return EnhancementAllowance(
        flop_fraction=_axis(
            flop_fraction, bar.enhancement.flop_fraction, "enhancement_flop_fraction"
        ),
        cost_fraction=_axis(
            cost_fraction, bar.enhancement.cost_fraction, "enhancement_cost_fraction"
        ),
        horizon_years=_axis(
            horizon_years, bar.enhancement.horizon_years, "enhancement_horizon_years"
        ),
    )


class _Setting:
    """Loaded priors, link and task curve for one fit."""

    def __init__(self, fit: Any, link: str | UpliftLink | None, inputs: HazardInputs) -> None:
        self.view: PosteriorView = posterior_view(fit)
        self.uplift_priors: ElicitedPriors = inputs.uplift_priors
        self.enhancement: EnhancementPriors = inputs.enhancement_priors
        self.chain: RiskChainPriors = inputs.risk_chain
        self.studies: pd.DataFrame = inputs.studies
        if link is None or isinstance(link, str):
            link = make_link(link or self.uplift_priors.default_link, priors=self.uplift_priors)
        self.link: UpliftLink = link
        self.curve: TaskCurve | None = (
            task_curve_from_view(self.view, suite=self.uplift_priors.reference_suite)
            if link.needs_task_curve
            else None
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

    def sample(
        self,
        pool_rows: np.ndarray,
        *,
        rng: Mapping[str, np.random.Generator],
        link_params: LinkParams,
        studies: pd.DataFrame | str | Path | None,
        record: bool,
    ) -> HazardSample:
        """The record-weighted joint sample for posterior rows ``pool_rows``."""
        draw = self.link_draws(link_params, studies=studies, rng=rng["link"], size=pool_rows.size)
        return draw_hazard_sample(
            self.view,
            pool_rows,
            link=self.link,
            link_draw=draw,
            curve=self.curve,
            enhancement=self.enhancement,
            chain=self.chain,
            rng=rng,
            record=record,
        )

    def years(self, date: str) -> float:
        """Years from the capability scale's reference date to ``date``."""
        return float(years_since(date, self.view.reference_date))

    def progress(self, sample: HazardSample, years: float | np.ndarray) -> np.ndarray:
        """Method progress plus reasoning gain (dex) of each sample's posterior draw for a
        model released at ``years`` (reasoning-trained from ``reasoning_since`` on)."""
        return progress_with_reasoning_at(self.view, sample.rows, years)

    def reference_uplift(
        self, bar: HazardBar, sample: HazardSample, years: float | np.ndarray
    ) -> np.ndarray | float:
        """Uplift of the bar's counterfactual per sample (1.0 for ``no_ai``)."""
        if bar.counterfactual == "no_ai":
            return 1.0
        reference = reference_capability(
            self.view, sample, years=years, covered_flop=self.chain.covered_flop
        )
        # A team can always work without AI: a reference that slows it down counts as 1.
        return np.maximum(self.link.uplift(reference, sample.link, task_curve=sample.curve), 1.0)

    def target_uplift(
        self, bar: HazardBar, sample: HazardSample, years: float | np.ndarray
    ) -> np.ndarray:
        """Per-sample uplift the enhanced model must exceed (``u*``, from the reference)."""
        return uplift_threshold(
            bar,
            chain=self.chain,
            params=sample.chain,
            size=sample.size,
            reference_uplift=self.reference_uplift(bar, sample, years),
        )

    def conditions(
        self,
        bar: HazardBar,
        sample: HazardSample,
        allowance: EnhancementAllowance,
        years: float,
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """``(gain, target)`` pairs per usage time: the bar's condition holds for a model
        released at ``years`` when, for at least one pair, ``uplift(capability + gain) >
        target``.

        Against no AI the reference does not move, so the best time of use is the end of
        the allowed horizon ``h`` (one pair, the full gain). Against the best non-covered
        model, the reference of the time of use counts (it improves with the methods of
        that time too): the condition is checked at the times of use
        :data:`USAGE_TIMES` ``tau``, with the gain of the methods up to ``min(tau, h)``
        and the reference at ``tau``; holding at any of them is enough. Every pair's gain
        is non-decreasing in every allowance axis and its target does not depend on the
        allowance, so the probability is too.
        """
        f, h = resolved_allowance(allowance, sample.enhancement)
        if bar.counterfactual == "no_ai":
            uses = [(h, 0.0)]
        else:
            uses = [(min(tau, h), tau) for tau in USAGE_TIMES]
        return [
            (
                gain_for(f, horizon, sample.enhancement, method_rate=sample.method_rate),
                self.target_uplift(bar, sample, years + tau),
            )
            for horizon, tau in uses
        ]


def _streams(seed: int) -> dict[str, np.random.Generator]:
    """The hazard family of named random streams (:mod:`riskmodel._rng`)."""
    return streams(seed, "hazard")


def _batches(n: int) -> list[np.ndarray]:
    return np.array_split(np.arange(n), min(MC_BATCHES, n))


def _mc_se(indicator: np.ndarray) -> float:
    n = indicator.size
    p = float(indicator.mean())
    binomial = math.sqrt(p * (1.0 - p) / n)
    means = np.array([indicator[b].mean() for b in _batches(n)])
    batch = float(means.std(ddof=1) / math.sqrt(len(means))) if len(means) > 1 else 0.0
    return max(binomial, batch)


def _upper_bound(successes: int, n: int, level: float = UPPER_BOUND_LEVEL) -> float:
    """One-sided Clopper-Pearson upper bound of a binomial proportion."""
    if successes >= n:
        return 1.0
    return float(beta_dist.ppf(level, successes + 1, n - successes))


def _pool(n_post: int, n_samples: int | None) -> np.ndarray:
    n = n_post if n_samples is None else int(n_samples)
    if n < 1:
        raise RiskmodelError(f"n_samples must be positive, got {n_samples}")
    return np.arange(n) % n_post


# --- assess --------------------------------------------------------------------------


def assess(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    flop: float,
    date: str,
    bars: Sequence[str | HazardBar] | str | HazardBar | None = None,
    bars_path: str | Path | None = None,
    enhancement_flop_fraction: float | str | None = None,
    enhancement_cost_fraction: float | str | None = None,
    enhancement_horizon_years: float | str | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
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
    enhancement_flop_fraction, enhancement_cost_fraction, enhancement_horizon_years
        Override the bars' enhancement allowance per axis: extra compute and extra
        spending as fractions of the original training's, and the methods horizon in
        years; ``"unbounded"`` (or ``math.inf``) for the bill as written; ``None`` keeps
        each bar's default.
    link
        ``"amdahl"``, ``"direct"`` or an :class:`UpliftLink`; default from the priors file.
    link_params
        ``"studies"`` (default): the link's posterior given the uplift studies, with each
        study's capability from ``fit``; ``"prior"``: the elicited priors alone; or a
        mapping prior name -> draws (e.g. ``UpliftPosterior.params``), resampled.
    studies
        Uplift studies (DataFrame or CSV path) for ``link_params="studies"``; default
        ``data/uplift_studies.csv``.
    record
        Weight the samples by the observed record of incidents (default; module
        docstring); ``False`` is the sensitivity without it.
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
        ``counterfactual``, ``probability_upper_95`` (one-sided 95% Clopper-Pearson upper
        bound from the ``n_samples`` Monte Carlo samples: the useful statement when no
        sample meets the condition), ``n_samples`` and ``record_ess`` (effective sample
        size of the record weights).
    """
    return assess_flops(
        fit,
        flops=[flop],
        date=date,
        bars=bars,
        bars_path=bars_path,
        enhancement_flop_fraction=enhancement_flop_fraction,
        enhancement_cost_fraction=enhancement_cost_fraction,
        enhancement_horizon_years=enhancement_horizon_years,
        link=link,
        link_params=link_params,
        studies=studies,
        record=record,
        seed=seed,
        n_samples=n_samples,
        inputs=inputs,
    )[0]


def assess_flops(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    flops: Sequence[float],
    date: str,
    bars: Sequence[str | HazardBar] | str | HazardBar | None = None,
    bars_path: str | Path | None = None,
    enhancement_flop_fraction: float | str | None = None,
    enhancement_cost_fraction: float | str | None = None,
    enhancement_horizon_years: float | str | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    seed: int = 0,
    n_samples: int | None = None,
    inputs: HazardInputs | None = None,
) -> list[list[dict[str, Any]]]:
    """:func:`assess` for several training computes from one joint sample.

    Same arguments as :func:`assess` with ``flops`` (FLOP, shape (point,)) for ``flop``;
    the sample (and its record weights) is drawn once, so the result for each FLOP equals
    ``assess`` at that FLOP with the same seed. Returns one list of per-bar dicts per FLOP.
    """
    parse_date(date, what="date")
    if len(flops) == 0:
        raise RiskmodelError("flops: give at least one training compute (FLOP)")
    for flop in flops:
        ok = isinstance(flop, int | float) and not isinstance(flop, bool)
        if not (ok and flop > 0 and math.isfinite(flop)):
            raise RiskmodelError(f"training FLOP must be a positive number, got {flop}")
    inputs = resolve_hazard_inputs(inputs)
    selected = select_bars(bars, bars_path, inputs)
    setting = _Setting(fit, link, inputs)
    view = setting.view
    pool = _pool(view.n_samples, n_samples)
    rng = _streams(seed)
    sample = setting.sample(pool, rng=rng, link_params=link_params, studies=studies, record=record)
    n = sample.size
    t = setting.years(date)
    base = (
        setting.progress(sample, t)
        - view.reference_log10_flop
        + view.values("capability_scatter")[sample.rows] * rng["capability"].standard_normal(n)
    )
    per_bar = []
    for bar in selected:
        allowance = _allowance(
            bar, enhancement_flop_fraction, enhancement_horizon_years, enhancement_cost_fraction
        )
        per_bar.append((bar, allowance, setting.conditions(bar, sample, allowance, t)))
    out = []
    for flop in flops:
        results = []
        for bar, allowance, conditions in per_bar:
            indicator = np.zeros(n, dtype=bool)
            for gain, target in conditions:
                enhanced = math.log10(flop) + base + gain
                uplift = setting.link.uplift(enhanced, sample.link, task_curve=sample.curve)
                indicator |= np.asarray(uplift > target)
            probability = float(indicator.mean())
            results.append(
                {
                    "bar": bar.name,
                    "probability": probability,
                    "mc_se": _mc_se(indicator),
                    "required_probability": bar.required_probability,
                    "hazardous": bool(probability > bar.required_probability),
                    "enhancement": allowance.describe(),
                    "counterfactual": bar.counterfactual,
                    "probability_upper_95": _upper_bound(int(indicator.sum()), n),
                    "n_samples": n,
                    "record_ess": sample.record_ess,
                }
            )
        out.append(results)
    return out


# --- capability needed ------------------------------------------------------------------


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
        c = None if curve is None else curve.take(sl)
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


def _base_needed(
    setting: _Setting,
    bar: HazardBar,
    allowance: EnhancementAllowance,
    sample: HazardSample,
    years: float,
) -> np.ndarray:
    """Per sample: the base capability (dex, before enhancement) above which the bar's
    condition holds for a model released at ``years``."""
    needed = np.full(sample.size, np.inf)
    for gain, target in setting.conditions(bar, sample, allowance, years):
        c_star = _capability_for_uplift(setting.link, sample.link, sample.curve, target)
        needed = np.minimum(needed, c_star - gain)
    return needed


@dataclass(frozen=True)
class NeededCapability:
    """Result of :func:`capability_needed`.

    Attributes
    ----------
    rows
        Posterior rows of the samples (after the record resampling), shape (sample,).
    needed
        Base capability (dex; ``inf`` when never met) above which the condition holds,
        shape (sample, date).
    dates
        The release dates (YYYY-MM-DD) of the columns of ``needed``.
    enhancement
        Enhancement-parameter draws of the samples.
    method_rate
        Rate of method progress at the vintage (dex/year) of the samples.
    record_ess
        Effective sample size of the record weights.
    """

    rows: np.ndarray
    needed: np.ndarray
    dates: tuple[str, ...]
    enhancement: EnhancementParams
    method_rate: np.ndarray
    record_ess: float


def capability_needed(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    posterior_index: np.ndarray,
    dates: Sequence[str],
    enhancement: EnhancementAllowance | None = None,
    bars_path: str | Path | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    seed: int = 0,
    inputs: HazardInputs | None = None,
) -> NeededCapability:
    """Capability above which a bar's condition holds, one Monte Carlo sample per entry.

    The pool is the posterior rows ``posterior_index`` with fresh draws of the link,
    enhancement and risk-chain parameters, weighted by the record and resampled (so the
    returned ``rows`` may repeat and differ from ``posterior_index``). For sample ``i``, a
    model released on ``dates[d]`` whose base capability exceeds ``needed[i, d]`` meets
    the bar's condition after the allowed enhancement. The simulation uses it both as the
    truth of a simulated world (one sample per world) and, pooled over many samples, as
    the developer's assessed probability. The draws, the weights and the resampling do
    not depend on the bar, so every bar at one seed gets the same samples.

    Parameters
    ----------
    fit
        Fitted capability model.
    bar
        Bar name or :class:`HazardBar`.
    posterior_index
        int array, shape (sample,), rows of the fit's flattened posterior draws.
    dates
        Release dates (YYYY-MM-DD); the threshold depends on the date only through the
        counterfactual of a ``non_covered`` bar.
    enhancement
        Allowance; default the bar's own.
    bars_path, link, link_params, studies, record, seed, inputs
        As for :func:`assess`.
    """
    inputs = resolve_hazard_inputs(inputs)
    (selected,) = select_bars([bar], bars_path, inputs)
    setting = _Setting(fit, link, inputs)
    pool = np.asarray(posterior_index, dtype=int)
    if pool.ndim != 1 or pool.size == 0 or pool.min() < 0 or pool.max() >= setting.view.n_samples:
        raise RiskmodelError(
            f"posterior_index must be a non-empty 1-d array of rows in 0 .. "
            f"{setting.view.n_samples - 1}"
        )
    dates = tuple(parse_date(d, what="date").isoformat() for d in dates)
    if not dates:
        raise RiskmodelError("capability_needed needs at least one date")
    allowance = enhancement if enhancement is not None else selected.enhancement
    sample = setting.sample(
        pool, rng=_streams(seed), link_params=link_params, studies=studies, record=record
    )
    if selected.counterfactual == "no_ai":
        column = _base_needed(setting, selected, allowance, sample, setting.years(dates[0]))
        needed = np.repeat(column[:, None], len(dates), axis=1)
    else:
        needed = np.stack(
            [_base_needed(setting, selected, allowance, sample, setting.years(d)) for d in dates],
            axis=1,
        )
    return NeededCapability(
        rows=sample.rows,
        needed=needed,
        dates=dates,
        enhancement=sample.enhancement,
        method_rate=sample.method_rate,
        record_ess=sample.record_ess,
    )


# --- crossing -------------------------------------------------------------------------


def _kth_smallest(values: np.ndarray, required_probability: float) -> float:
    """The smallest value at which the share of entries below it exceeds ``r``."""
    k = math.floor(required_probability * values.size) + 1
    if k > values.size:
        return math.inf
    return float(np.partition(values, k - 1)[k - 1])


def _order_statistic_se(values: np.ndarray, required_probability: float) -> float:
    """Batch-means standard error of :func:`_kth_smallest` (nan when a batch is infinite)."""
    per_batch = np.array(
        [_kth_smallest(values[b], required_probability) for b in _batches(values.size)]
    )
    if per_batch.size < 2 or not np.all(np.isfinite(per_batch)):
        return math.nan
    return float(per_batch.std(ddof=1) / math.sqrt(per_batch.size))


@dataclass(frozen=True)
class _FlopCrossing:
    """Per-sample pieces of a FLOP crossing (for :func:`crossing_sensitivity`)."""

    log10_flop_needed: np.ndarray
    inputs: dict[str, np.ndarray]
    sample: HazardSample


def _flop_crossing_samples(
    setting: _Setting,
    bar: HazardBar,
    allowance: EnhancementAllowance,
    sample: HazardSample,
    rng: Mapping[str, np.random.Generator],
    years: float,
) -> _FlopCrossing:
    view = setting.view
    n = sample.size
    conditions = setting.conditions(bar, sample, allowance, years)
    c_stars = np.stack(
        [_capability_for_uplift(setting.link, sample.link, sample.curve, t) for _, t in conditions]
    )
    gains = np.stack([g for g, _ in conditions])
    best = np.argmin(c_stars - gains, axis=0)
    columns = np.arange(n)
    c_star, gain = c_stars[best, columns], gains[best, columns]
    progress = setting.progress(sample, years)
    scatter = view.values("capability_scatter")[sample.rows] * rng["capability"].standard_normal(n)
    # capability = log10 FLOP - reference + progress + scatter (+ gain after enhancement)
    x = c_star - gain - progress - scatter + view.reference_log10_flop
    return _FlopCrossing(
        log10_flop_needed=x,
        inputs={
            "capability fit (method progress at the date)": progress,
            "uplift link and its threshold (capability needed)": c_star,
            "enhancement gain": gain,
        },
        sample=sample,
    )


def _frontier_crossing(
    setting: _Setting,
    bar: HazardBar,
    allowance: EnhancementAllowance,
    sample: HazardSample,
    seed: int,
) -> tuple[float, float]:
    """Years (since the reference date) at which the pooled probability that the frontier
    meets the condition first exceeds the required probability, and its Monte Carlo
    standard error (years); ``(inf, nan)`` when not reached by the horizon."""
    view = setting.view
    sub = rows_view(view, sample.rows)
    r = bar.required_probability
    cache: dict[str, np.ndarray] = {}

    def indicator(date: str) -> np.ndarray:
        if date not in cache:
            frontier = frontier_capability_draws(
                sub,
                date=date,
                window_years=FRONTIER_WINDOW_YEARS,
                rng=np.random.default_rng(seed),
            )
            met = np.zeros(sample.size, dtype=bool)
            for gain, target in setting.conditions(bar, sample, allowance, setting.years(date)):
                uplift = setting.link.uplift(frontier + gain, sample.link, task_curve=sample.curve)
                met |= uplift > target
            cache[date] = met
        return cache[date]

    def p(date: str) -> float:
        return float(indicator(date).mean())

    months = pd.date_range(
        FRONTIER_GRID_START, pd.Timestamp(DATE_HORIZON) + pd.offsets.MonthBegin(1), freq="MS"
    )
    labels = months.strftime("%Y-%m-%d").tolist()
    if p(labels[0]) > r:
        return setting.years(labels[0]), math.nan
    lo, hi = 0, None
    for step in (12, 1):
        start = lo
        stop = len(labels) - 1 if hi is None else hi
        found = None
        for month in range(start + step, stop + 1, step):
            if p(labels[month]) > r:
                found = month
                break
            lo = month
        if found is None:
            if hi is None and p(labels[-1]) > r:
                found = len(labels) - 1
            else:
                if hi is None:
                    return math.inf, math.nan
                found = hi
        hi = found
    before, after = p(labels[lo]), p(labels[hi])
    t_lo, t_hi = setting.years(labels[lo]), setting.years(labels[hi])
    fraction = (r - before) / (after - before) if after > before else 1.0
    t = t_lo + min(max(fraction, 0.0), 1.0) * (t_hi - t_lo)
    slope = (after - before) / (t_hi - t_lo)
    se = _mc_se(indicator(labels[hi]).astype(float)) / slope if slope > 0 else math.nan
    return t, se


def _as_date(setting: _Setting, years: float) -> str | None:
    horizon = setting.years(DATE_HORIZON)
    if not np.isfinite(years) or years > horizon:
        return None
    return date_after_years(setting.view.reference_date, years)


@dataclass(frozen=True)
class _CrossingRun:
    """One bar's joint sample and its per-sample FLOP needed (shared by :func:`crossing`
    and :func:`crossing_sensitivity`, so asking for both inverts the link once)."""

    setting: _Setting
    bar: HazardBar
    allowance: EnhancementAllowance
    pieces: _FlopCrossing
    rng: Mapping[str, np.random.Generator]
    date: str


def _crossing_run(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    date: str | None,
    bars_path: str | Path | None,
    enhancement_flop_fraction: float | str | None,
    enhancement_cost_fraction: float | str | None,
    enhancement_horizon_years: float | str | None,
    link: str | UpliftLink | None,
    link_params: LinkParams,
    studies: pd.DataFrame | str | Path | None,
    record: bool,
    seed: int,
    n_samples: int | None,
    inputs: HazardInputs,
) -> _CrossingRun:
    day = parse_date(date, what="date") if date is not None else dt.date.today()
    date = day.isoformat()
    (selected,) = select_bars([bar], bars_path, inputs)
    setting = _Setting(fit, link, inputs)
    rng = _streams(_check_seed(seed))
    sample = setting.sample(
        _pool(setting.view.n_samples, n_samples),
        rng=rng,
        link_params=link_params,
        studies=studies,
        record=record,
    )
    allowance = _allowance(
        selected, enhancement_flop_fraction, enhancement_horizon_years, enhancement_cost_fraction
    )
    pieces = _flop_crossing_samples(setting, selected, allowance, sample, rng, setting.years(date))
    return _CrossingRun(setting, selected, allowance, pieces, rng, date)


def _crossing_result(run: _CrossingRun, *, frontier: bool) -> dict[str, Any]:
    """The :func:`crossing` dict of one run."""
    bar, sample = run.bar, run.pieces.sample
    needed = run.pieces.log10_flop_needed
    x = _kth_smallest(needed, bar.required_probability)
    out: dict[str, Any] = {
        "bar": bar.name,
        "date": run.date,
        "required_probability": bar.required_probability,
        "flop": float(10.0**x) if x <= MAX_LOG10_FLOP else math.inf,
        "flop_mc_se_dex": (
            _order_statistic_se(needed, bar.required_probability)
            if x <= MAX_LOG10_FLOP
            else math.nan
        ),
        "frontier_date": None,
        "frontier_date_mc_se_months": math.nan,
        "n_samples": sample.size,
        "record_ess": sample.record_ess,
    }
    if frontier:
        frontier_seed = int(run.rng["frontier"].integers(0, 2**63))
        years, se = _frontier_crossing(run.setting, bar, run.allowance, sample, frontier_seed)
        out["frontier_date"] = _as_date(run.setting, years)
        out["frontier_date_mc_se_months"] = se * 12.0 if out["frontier_date"] else math.nan
    return out


def _sensitivity_result(run: _CrossingRun) -> pd.DataFrame:
    """The :func:`crossing_sensitivity` table of one run."""
    bar, sample = run.bar, run.pieces.sample
    inputs_by_name = dict(run.pieces.inputs)
    if bar.quantity == "incident_probability":
        inputs_by_name["risk chain (threshold uplift u*)"] = uplift_threshold(
            bar, chain=run.setting.chain, params=sample.chain, size=sample.size
        )
    x = run.pieces.log10_flop_needed
    rows = []
    for name, values in inputs_by_name.items():
        lo_cut, hi_cut = np.quantile(values, [1 / 3, 2 / 3])
        low = _kth_smallest(x[values <= lo_cut], bar.required_probability)
        high = _kth_smallest(x[values >= hi_cut], bar.required_probability)
        low = low if low <= MAX_LOG10_FLOP else math.inf
        high = high if high <= MAX_LOG10_FLOP else math.inf
        spread = abs(high - low) if np.isfinite(low) and np.isfinite(high) else math.inf
        rows.append(
            {
                "assumption": name,
                "flop_low_third": 10.0**low if np.isfinite(low) else math.inf,
                "flop_high_third": 10.0**high if np.isfinite(high) else math.inf,
                "spread_dex": spread,
            }
        )
    table = pd.DataFrame(rows)
    return table.sort_values("spread_dex", ascending=False, kind="stable").reset_index(drop=True)


def crossing(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    date: str | None = None,
    bars_path: str | Path | None = None,
    enhancement_flop_fraction: float | str | None = None,
    enhancement_cost_fraction: float | str | None = None,
    enhancement_horizon_years: float | str | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    seed: int = 0,
    n_samples: int | None = None,
    frontier: bool = True,
    inputs: HazardInputs | None = None,
) -> dict[str, Any]:
    """Where on the compute axis and the calendar a bar's pooled probability meets it.

    Parameters
    ----------
    fit
        Fitted capability model.
    bar
        Bar name or :class:`HazardBar`.
    date
        Release date (YYYY-MM-DD) of the model whose crossing FLOP is computed; default
        today.
    bars_path, enhancement_flop_fraction, enhancement_cost_fraction,
    enhancement_horizon_years, link, link_params, studies, record, seed, n_samples, inputs
        As for :func:`assess` (the same seed and ``n_samples`` give the same samples, so
        ``assess`` at the crossing FLOP returns the required probability up to Monte
        Carlo error).
    frontier
        Also compute the frontier date (the slower part).

    Returns
    -------
    dict
        ``bar``, ``date``, ``required_probability``; ``flop``: the smallest training FLOP
        at which the pooled probability of the condition exceeds the required
        probability (``inf`` beyond 1e32 FLOP), ``flop_mc_se_dex`` its Monte Carlo
        standard error (dex of FLOP); ``frontier_date``: the date at which the pooled
        probability that the frontier meets the condition first exceeds it
        (YYYY-MM-DD, ``None`` after :data:`DATE_HORIZON` or with ``frontier=False``),
        ``frontier_date_mc_se_months``; ``n_samples``, ``record_ess``. See the module
        docstring; for how far the crossing moves under the main assumptions see
        :func:`crossing_sensitivity` (or :func:`crossing_with_sensitivity` for both from
        one sample).
    """
    run = _crossing_run(
        fit,
        bar=bar,
        date=date,
        bars_path=bars_path,
        enhancement_flop_fraction=enhancement_flop_fraction,
        enhancement_cost_fraction=enhancement_cost_fraction,
        enhancement_horizon_years=enhancement_horizon_years,
        link=link,
        link_params=link_params,
        studies=studies,
        record=record,
        seed=seed,
        n_samples=n_samples,
        inputs=resolve_hazard_inputs(inputs),
    )
    return _crossing_result(run, frontier=frontier)


def crossing_sensitivity(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    date: str,
    bars_path: str | Path | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    seed: int = 0,
    n_samples: int | None = None,
    inputs: HazardInputs | None = None,
) -> pd.DataFrame:
    """How far the pooled FLOP crossing moves under each main epistemic input.

    The samples of :func:`crossing` (same seed, same ``n_samples``) are split by one
    input at a time into its lower and upper third; the crossing is recomputed within
    each third. A wide spread means the crossing hinges on that input: this is the
    sensitivity of the crossing, not its uncertainty (the bar pools all of it).

    Returns
    -------
    pandas.DataFrame
        One row per input, sorted by the spread: ``assumption``, ``flop_low_third``,
        ``flop_high_third`` (FLOP: crossing among the samples in the input's lower /
        upper third), ``spread_dex`` (|difference| in dex; ``inf`` when one side never
        crosses below 1e32 FLOP).
    """
    _, table = crossing_with_sensitivity(
        fit,
        bar=bar,
        date=parse_date(date, what="date").isoformat(),
        bars_path=bars_path,
        link=link,
        link_params=link_params,
        studies=studies,
        record=record,
        seed=seed,
        n_samples=n_samples,
        frontier=False,
        inputs=inputs,
    )
    return table


def crossing_with_sensitivity(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    bar: str | HazardBar,
    date: str | None = None,
    bars_path: str | Path | None = None,
    enhancement_flop_fraction: float | str | None = None,
    enhancement_cost_fraction: float | str | None = None,
    enhancement_horizon_years: float | str | None = None,
    link: str | UpliftLink | None = None,
    link_params: LinkParams = "studies",
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    seed: int = 0,
    n_samples: int | None = None,
    frontier: bool = True,
    inputs: HazardInputs | None = None,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`crossing` and :func:`crossing_sensitivity` from one joint sample.

    Same arguments as :func:`crossing`; equal to calling both with the same seed, at the
    cost of one sample and one inversion of the uplift link.
    """
    run = _crossing_run(
        fit,
        bar=bar,
        date=date,
        bars_path=bars_path,
        enhancement_flop_fraction=enhancement_flop_fraction,
        enhancement_cost_fraction=enhancement_cost_fraction,
        enhancement_horizon_years=enhancement_horizon_years,
        link=link,
        link_params=link_params,
        studies=studies,
        record=record,
        seed=seed,
        n_samples=n_samples,
        inputs=resolve_hazard_inputs(inputs),
    )
    return _crossing_result(run, frontier=frontier), _sensitivity_result(run)


def _check_seed(seed: int) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise RiskmodelError(f"seed must be a whole number >= 0, got {seed!r}")
    return seed
