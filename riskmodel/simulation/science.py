"""The science of the simulated worlds: capability and hazard status of each run.

:func:`prepare_science` draws, once per simulation, everything that is per world
(``draw``) or global, from the capability fit and the hazard model
(:func:`riskmodel.hazard.assess.capability_needed`):

* for world ``d``: a posterior draw ``s_d`` of the capability fit (method-progress curve
  and its forecast path, reasoning gain, capability scatter), one draw of the uplift-link,
  enhancement and risk-chain parameters, hence for each truth bar ``t`` of
  :attr:`SimulationConfig.truth_bars` the **truth threshold** ``b_{t,d}`` (base
  capability above which a run is truly hazardous under that bar's realised condition;
  every truth bar uses the same draws of the link, enhancement and risk-chain
  parameters, from one seed, so the truths differ only by their conditions), and the
  capability of the best model existing when the simulation starts (the first LDE
  reference);
* for every bar and allowance a variant uses: the **assessment threshold** ``a_k``. A
  developer measures its model's capability with noise ``evaluation_noise_sd`` (sigma)
  and finds it hazardous when the assessed probability
  ``P_k(m) = mean_s Phi((m - b_{k,s}) / sigma)`` over ``assessment_samples`` pooled
  samples exceeds the bar's required probability; ``P_k`` increases in ``m``, so this is
  ``m > a_k`` with ``P_k(a_k) = required probability``.

:func:`run_attributes` then gives each run of a population its capability
(``log10 FLOP - reference + M_d(t - t_ref) + reasoning_gain_d * [t >= t_reasoning] +
scatter_d * z`` for a base run released at decimal year ``t``, where ``M_d`` is the method
progress (dex of effective compute; not linear in time) of posterior draw ``s_d`` from
:func:`riskmodel.capability.predict.method_progress_at`, and ``t_reasoning`` the release
of the first reasoning-trained model in the evidence; a derivative inherits its parent's
capability plus the enhancement gain of its extra compute fraction and of the methods
developed between the two releases), its measured capability, truth and findings. Truth
and assessment come from the same posterior, so across worlds the share of truly
hazardous runs at a capability matches the assessed probability there (tested).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import brentq
from scipy.special import ndtr

from riskmodel._rng import streams
from riskmodel._time import decimal_year
from riskmodel.capability.predict import PosteriorView, method_progress_at, posterior_view
from riskmodel.capability.store import fit_evidence, load_fit
from riskmodel.hazard.assess import capability_needed
from riskmodel.hazard.enhancement import EnhancementAllowance, EnhancementParams, gain_for
from riskmodel.hazard.inputs import HazardInputs, resolve_hazard_inputs
from riskmodel.policy.engine import RunAttributes, hazard_key
from riskmodel.policy.variants import PolicyVariant
from riskmodel.simulation.config import SimulationConfig
from riskmodel.world.population import Population

__all__ = ["Science", "prepare_science", "run_attributes"]

#: Bracket (dex) searched for an assessment threshold; beyond it the bar is never
#: (``+inf``) or always (``-inf``) found.
ASSESSMENT_BRACKET = (-40.0, 60.0)
#: Stream offsets: the hazard samples of the truth and of the assessment are drawn from
#: seeds derived from the simulation seed with these offsets (independent streams).
_TRUTH_STREAM, _ASSESSMENT_STREAM = 1, 2


@dataclass(frozen=True)
class Science:
    """Per-world and global inputs of :func:`run_attributes` (arrays shape (draw,)).

    Attributes
    ----------
    posterior_index
        Row of the capability fit's flattened posterior used by each world.
    view
        The capability fit's posterior view, reduced to its per-sample scalar variables
        and method-progress forecast paths (rows indexed by ``posterior_index``); the
        method progress of world ``d`` is
        ``method_progress_at(view, posterior_index[d], years since the reference date)``.
    reasoning_gain
        Dex of effective compute added by reasoning training, per world.
    reasoning_time
        Decimal year of the first reasoning-trained release in the evidence: runs
        released at or after it are reasoning-trained (``inf``: none are).
    capability_scatter
        Sd (dex) of model-specific capability deviations.
    truth_thresholds
        Truth bar name -> base capability (dex) above which a run is truly hazardous
        under that bar (``inf``: never), shape (draw, time) on :attr:`threshold_times`,
        in :attr:`truth_bars` order.
    enhancement
        Enhancement parameter draws of each world (shape (draw,)).
    method_rate
        Rate of method progress at the vintage (dex/year) of each world: the ceiling of
        a derivative's gain from newer methods.
    initial_reference
        Capability (dex) of the best model released before the first simulated year.
    assessment_thresholds
        :func:`~riskmodel.policy.engine.hazard_key` -> measured capability (dex) above
        which a developer finds a run hazardous, shape (time,) on
        :attr:`threshold_times`.
    record_ess
        Effective sample size of the record weights behind the worlds' draws (of
        ``draws`` pooled worlds).
    threshold_times
        Decimal years of the threshold grid (1 January of every simulated year and of
        the year after); thresholds between them are interpolated linearly (they move
        with the release date only through a bar's ``non_covered`` counterfactual).
    evaluation_noise_sd
        Dex.
    reference_log10_flop, reference_time
        The capability scale's anchor (log10 FLOP; decimal year).
    truth_bars
        Names of the truth bars (the keys of :attr:`truth_thresholds`).
    """

    posterior_index: np.ndarray
    view: PosteriorView
    reasoning_gain: np.ndarray
    reasoning_time: float
    capability_scatter: np.ndarray
    truth_thresholds: dict[str, np.ndarray]
    enhancement: EnhancementParams
    method_rate: np.ndarray
    initial_reference: np.ndarray
    assessment_thresholds: dict[str, np.ndarray]
    threshold_times: np.ndarray
    record_ess: float
    evaluation_noise_sd: float
    reference_log10_flop: float
    reference_time: float
    truth_bars: tuple[str, ...]

    def subset(self, draws: slice) -> Science:
        """The same science for a contiguous range of worlds."""
        per_draw = (
            "posterior_index",
            "reasoning_gain",
            "capability_scatter",
            "method_rate",
            "initial_reference",
        )
        values = {name: getattr(self, name)[draws] for name in per_draw}
        index = np.arange(self.posterior_index.size)[draws]
        return Science(
            **values,
            enhancement=self.enhancement.take(index),
            threshold_times=self.threshold_times,
            record_ess=self.record_ess,
            truth_thresholds={bar: t[draws] for bar, t in self.truth_thresholds.items()},
            view=self.view,
            reasoning_time=self.reasoning_time,
            assessment_thresholds=dict(self.assessment_thresholds),
            evaluation_noise_sd=self.evaluation_noise_sd,
            reference_log10_flop=self.reference_log10_flop,
            reference_time=self.reference_time,
            truth_bars=self.truth_bars,
        )

    def progress(self, draw: np.ndarray, time: np.ndarray) -> np.ndarray:
        """Effective compute (dex) gained by a model released at ``time`` in world ``draw``.

        Method progress of the world's posterior draw
        (:func:`~riskmodel.capability.predict.method_progress_at`) plus its reasoning gain
        when ``time >= reasoning_time``, relative to a model released at
        ``reference_time``.

        Parameters
        ----------
        draw
            int array, world indices (rows of this science's per-world arrays).
        time
            Release times (decimal years), same shape as ``draw``.

        Returns
        -------
        numpy.ndarray
            Same shape as ``time``, dex of effective compute.
        """
        draw = np.asarray(draw, dtype=int)
        time = np.asarray(time, dtype=float)
        method = method_progress_at(
            self.view, self.posterior_index[draw], time - self.reference_time
        )
        return method + np.where(time >= self.reasoning_time, self.reasoning_gain[draw], 0.0)

    def progress_at(self, time: float) -> np.ndarray:
        """Shape (draw,): :meth:`progress` of every world at one decimal year ``time``
        (:attr:`riskmodel.policy.engine.RunAttributes.progress_at`)."""
        n = self.posterior_index.size
        return self.progress(np.arange(n), np.full(n, float(time)))


def _interp_rows(
    values: np.ndarray, rows: np.ndarray, time: np.ndarray, times: np.ndarray
) -> np.ndarray:
    """``values[rows[i]]`` (a row per world on the grid ``times``) interpolated linearly
    at ``time[i]``, constant beyond the grid's ends; ``inf`` stays ``inf``."""
    position = np.clip(np.interp(time, times, np.arange(times.size)), 0, times.size - 1)
    lo = np.floor(position).astype(int)
    hi = np.minimum(lo + 1, times.size - 1)
    frac = position - lo
    a, b = values[rows, lo], values[rows, hi]
    with np.errstate(invalid="ignore"):
        mixed = a + frac * (b - a)
    return np.where(np.isinf(a) | np.isinf(b), np.where(frac < 1.0, a, b), mixed)


def _progress_view(view: PosteriorView) -> PosteriorView:
    """``view`` with only its per-sample scalar variables (those the method progress and
    reasoning gain need), without the fit it came from: small enough to ship with every
    chunk of work."""
    scalars = [name for name, var in view.draws.data_vars.items() if var.dims == ("sample",)]
    return replace(view, draws=view.draws[scalars], tree=None)


def _assessment_threshold(needed: np.ndarray, required: float, sigma: float) -> float:
    finite = needed[np.isfinite(needed)]

    def excess(m: float) -> float:
        return float(ndtr((m - finite) / sigma).sum() / needed.size) - required

    lo, hi = ASSESSMENT_BRACKET
    if excess(hi) <= 0:
        return float("inf")
    if excess(lo) > 0:
        return float("-inf")
    return float(brentq(excess, lo, hi, xtol=1e-6))


def _initial_reference(tree: xr.DataTree, view: PosteriorView, start: str) -> np.ndarray:
    """Shape (sample,): max posterior capability over models released before ``start``."""
    dates = pd.to_datetime(fit_evidence(tree).models["release_date"])
    released = set(dates.index[dates < pd.Timestamp(start)])
    names = [m for m in view.draws["capability"]["model"].values.tolist() if m in released]
    if not names:
        return np.full(view.n_samples, -np.inf)
    values = view.draws["capability"].sel(model=names).transpose("sample", "model").values
    return np.asarray(values).max(axis=1)


def prepare_science(
    fit: xr.DataTree | str | Path,
    *,
    variants: list[PolicyVariant],
    config: SimulationConfig,
    link_params: str = "studies",
    link: str | None = None,
    inputs: HazardInputs | None = None,
) -> Science:
    """Draw the per-world science and the assessment thresholds (see the module docstring).

    Parameters
    ----------
    fit
        Fitted capability model (DataTree or path).
    variants
        The variants to be simulated (their bars and allowances get thresholds).
    config
        Simulation settings (draws, seed, truth bars, evaluation noise).
    link_params
        ``"studies"`` or ``"prior"``, as for :func:`riskmodel.hazard.assess.assess`.
    link
        Uplift link, ``"amdahl"`` or ``"direct"``; default from the uplift priors.
    inputs
        Elicited priors, bars and studies; default the shipped files.
    """
    inputs = resolve_hazard_inputs(inputs)
    tree = load_fit(fit) if isinstance(fit, str | Path) else fit
    view = posterior_view(tree)
    rng = streams(config.seed, "simulation")["science"]
    pool = rng.integers(0, view.n_samples, size=config.draws)
    dates = [f"{year}-01-01" for year in range(config.first_year, config.last_year + 2)]
    # One call per truth bar, each with the same seed: the same draws of the link,
    # enhancement and risk-chain parameters and the same record resampling per world (a
    # bar's threshold does not depend on which other bars are truths, so each equals a
    # simulation with that truth alone).
    truth_thresholds: dict[str, np.ndarray] = {}
    drawn = []
    for bar in config.truth_bars:
        result = capability_needed(
            view,
            bar=bar,
            posterior_index=pool,
            dates=dates,
            link_params=link_params,
            seed=config.seed + _TRUTH_STREAM,
            link=link,
            inputs=inputs,
        )
        truth_thresholds[bar] = result.needed
        drawn.append(result)
    first = drawn[0]
    for result in drawn[1:]:
        if not np.array_equal(result.rows, first.rows):  # pragma: no cover - same seed
            raise RuntimeError("the truth bars drew different worlds")
    posterior_index = first.rows
    bars = dict(inputs.bars)
    pooled = np.linspace(0, view.n_samples - 1, config.assessment_samples).round().astype(int)
    thresholds: dict[str, np.ndarray] = {}
    for variant in variants:
        key = hazard_key(variant)
        if key in thresholds:
            continue
        needed = capability_needed(
            view,
            bar=variant.hazard.bar,
            enhancement=EnhancementAllowance(**variant.hazard.enhancement.model_dump()),
            posterior_index=pooled,
            dates=dates,
            link_params=link_params,
            seed=config.seed + _ASSESSMENT_STREAM,
            link=link,
            inputs=inputs,
        ).needed
        required = bars[variant.hazard.bar].required_probability
        thresholds[key] = np.array(
            [
                _assessment_threshold(needed[:, j], required, config.evaluation_noise_sd)
                for j in range(len(dates))
            ]
        )
    start = f"{config.first_year}-01-01"
    return Science(
        posterior_index=posterior_index,
        view=_progress_view(view),
        reasoning_gain=view.values("reasoning_gain")[posterior_index],
        reasoning_time=(
            float(decimal_year(view.reasoning_since))
            if view.reasoning_since is not None
            else np.inf
        ),
        capability_scatter=view.values("capability_scatter")[posterior_index],
        truth_thresholds=truth_thresholds,
        enhancement=first.enhancement,
        method_rate=first.method_rate,
        initial_reference=_initial_reference(tree, view, start)[posterior_index],
        assessment_thresholds=thresholds,
        threshold_times=decimal_year(dates),
        record_ess=first.record_ess,
        evaluation_noise_sd=config.evaluation_noise_sd,
        reference_log10_flop=view.reference_log10_flop,
        reference_time=float(decimal_year(view.reference_date)),
        truth_bars=tuple(config.truth_bars),
    )


def run_attributes(pop: Population, science: Science, *, rng: np.random.Generator) -> RunAttributes:
    """Capability, truth, findings and common random numbers of every run.

    ``science`` must cover exactly the population's worlds (``science.subset``).
    """
    d = pop.draw
    z = rng.standard_normal(pop.n_runs)
    noise = rng.standard_normal(pop.n_runs) * science.evaluation_noise_sd
    lde_uniform = rng.random(pop.n_runs)
    capability = (
        pop.log10_flop
        - science.reference_log10_flop
        + science.progress(d, pop.release_time)
        + science.capability_scatter[d] * z
    )
    derived = np.flatnonzero(pop.parent >= 0)
    if derived.size:
        parent = pop.parent[derived]
        fraction = 10.0 ** (pop.log10_flop[derived] - pop.log10_flop[parent])
        years_later = np.maximum(pop.release_time[derived] - pop.release_time[parent], 0.0)
        dd = d[derived]
        # The enhancement rule (saturating gain, fresh-run ceiling) with the derivative's
        # extra compute and the methods developed since its parent's release.
        capability[derived] = capability[parent] + gain_for(
            fraction,
            years_later,
            science.enhancement.take(dd),
            method_rate=science.method_rate[dd],
        )
    measured = capability + noise
    times = science.threshold_times
    found = {
        key: measured > np.interp(pop.release_time, times, threshold)
        for key, threshold in science.assessment_thresholds.items()
    }
    return RunAttributes(
        capability=capability,
        truly_hazardous={
            bar: capability > _interp_rows(threshold, d, pop.release_time, times)
            for bar, threshold in science.truth_thresholds.items()
        },
        found_hazardous=found,
        lde_uniform=lde_uniform,
        initial_reference=science.initial_reference,
        progress_at=science.progress_at,
        reference_log10_flop=science.reference_log10_flop,
        reference_time=science.reference_time,
    )
