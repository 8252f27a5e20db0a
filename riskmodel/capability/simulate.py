"""Simulating evidence from the capability model with known parameters.

Used by parameter-recovery and simulation-based-calibration tests: the simulated data
keep the real data's structure (models, dates, FLOP availability, benchmarks, task
counts) and replace only the observations.

Simulation uses the generative form of the model (``build_capability_model(...,
anchored=False)``): the fitting geometry's flat anchor levels cannot be drawn forward,
and both forms have the same joint distribution. The truth records the *reported*
quantities (``capability``, ``difficulty``, ``horizon_offset``, ``task_difficulty``,
``harness_offset``), which mean the same in every parameterisation, so that a fit with
the anchored model can be compared with it.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pandas as pd
import pymc as pm

from riskmodel.capability.checks import NUMBA_OBJECT_MODE
from riskmodel.capability.data import CapabilityData, _informative_results
from riskmodel.capability.model import build_capability_model
from riskmodel.config import CapabilityConfig

__all__ = ["draw_truth", "simulate_data", "OBSERVED_FIELDS", "LATENTS", "REPORTED"]

#: Observed variable -> CapabilityData field it replaces.
OBSERVED_FIELDS = {
    "trend_flop_obs": "trend_log10_flop",
    "solved": "result_k",
    "task_successes": "cell_k",
}

#: Per-model and per-task latents, drawn after the simulated FLOP reports exist.
LATENTS = (
    "capability",
    "capability_z",
    "capability_centered",
    "task_difficulty",
    "task_logit_difficulty",
    "task_z",
)

#: Dims of per-model and per-task variables: a free variable over one of them is a latent
#: too, whatever its name.
LATENT_DIMS = (
    "model",
    "model_centered",
    "model_noncentered",
    "task",
    "task_centered",
    "task_noncentered",
)

#: Reported (deterministic) quantities recorded in the truth after simulation.
REPORTED = ("capability", "difficulty", "horizon_offset", "task_difficulty", "harness_offset")

#: Global parameters fixed at their prior median in a "typical" truth, so that a
#: recovery test probes the data's information rather than extreme prior corners.
TYPICAL_GLOBALS = (
    "compute_trend_level",
    "compute_trend_slope",
    "compute_trend_scatter",
    "frontier_offset",
    "frontier_slope_offset",
    "frontier_scatter",
    "algorithmic_progress",
    "post_training_rate",
    "reasoning_gain",
    "capability_scatter",
)


def _is_latent(model: pm.Model, name: str) -> bool:
    """Whether free variable ``name`` is a per-model or per-task latent."""
    dims = model.named_vars_to_dims.get(name) or ()
    return name in LATENTS or any(d in LATENT_DIMS for d in dims)


def draw_truth(
    data: CapabilityData, config: CapabilityConfig, *, seed: int, typical: bool = True
) -> dict[str, np.ndarray]:
    """Draw the global (non-latent) parameters from the prior.

    Parameters
    ----------
    typical
        Fix the global scalars listed in :data:`TYPICAL_GLOBALS` at their prior medians
        (per-benchmark and per-domain values are still drawn).

    Returns
    -------
    dict
        Free random variable name -> value; per-model and per-task latents are left out
        (:func:`simulate_data` draws them given the simulated FLOP reports).
    """
    model = build_capability_model(data, config, anchored=False)
    names = [rv.name for rv in model.free_RVs if not _is_latent(model, rv.name)]
    values = pm.draw([model[n] for n in names], random_seed=seed)
    truth = {n: np.asarray(v) for n, v in zip(names, values, strict=True)}
    if typical:
        for name in TYPICAL_GLOBALS:
            if name in truth:
                truth[name] = np.asarray(getattr(config.priors, name).to_scipy().median())
    return truth


def simulate_data(
    data: CapabilityData,
    config: CapabilityConfig,
    truth: dict[str, np.ndarray],
    *,
    seed: int,
) -> CapabilityData:
    """Observations simulated from the model at ``truth``, in ``data``'s structure.

    Generation follows the model's factorisation: FLOP reports of models with evidence
    (from the trend plus measurement error), then per-model capabilities and per-task
    difficulties given those reports, then benchmark and task outcomes. ``truth`` is
    updated in place with the drawn latents and the reported quantities
    (:data:`REPORTED`) so that it describes the simulated world.

    Returns
    -------
    CapabilityData
        ``data`` with every observed quantity (and the FLOP reports) replaced, and the
        per-model counts of informative results and mixed task cells (which choose the
        fit's centred capabilities) recomputed from the simulated observations.
    """
    rng = np.random.default_rng(seed)
    globals_only = {k: v for k, v in truth.items() if k not in LATENTS + REPORTED}
    model = build_capability_model(data, config, anchored=False)
    if "model_flop_obs" in model.named_vars:
        fixed = pm.do(model, globals_only)
        reports = pm.draw(fixed["model_flop_obs"], random_seed=rng)
        reported = data.model_log10_flop.copy()
        reported[np.isfinite(reported)] = reports
        data = dataclasses.replace(data, model_log10_flop=reported)
        model = build_capability_model(data, config, anchored=False)
    fixed = pm.do(model, globals_only)
    free = [rv.name for rv in model.free_RVs]
    # every free variable not fixed by the truth is drawn (the known latents first)
    latents = [n for n in LATENTS if n in free and n not in globals_only] + [
        n for n in free if n not in LATENTS and n not in globals_only
    ]
    observed = [n for n in OBSERVED_FIELDS if n in fixed.named_vars]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NUMBA_OBJECT_MODE, category=UserWarning)
        draws = pm.draw([fixed[n] for n in latents + observed], random_seed=rng)
    values = dict(zip(latents + observed, draws, strict=True))
    for name in latents:
        truth[name] = np.asarray(values[name])
    done = pm.do(
        model, {k: v for k, v in truth.items() if k in model.named_vars and k not in REPORTED}
    )
    names = [n for n in REPORTED if n in done.named_vars]
    for name, value in zip(names, pm.draw([done[n] for n in names], random_seed=0), strict=True):
        truth[name] = np.asarray(value)
    simulated = dataclasses.replace(
        data, **{OBSERVED_FIELDS[n]: np.asarray(values[n]) for n in observed}
    )
    return _with_informative_counts(simulated)


def _with_informative_counts(data: CapabilityData) -> CapabilityData:
    """``data`` with the per-model counts of informative results and mixed task cells
    recomputed from its (simulated) observations, as
    :func:`~riskmodel.capability.data.prepare_capability_data` computes them from real
    ones. They choose which capabilities the fit centres (a sampling choice only)."""
    n_model = len(data.coords["model"])
    results = pd.DataFrame(
        {
            "benchmark": np.asarray(data.coords["benchmark"], dtype=object)[data.result_benchmark],
            "n_solved_effective": data.result_k,
            "n_tasks": data.result_n,
        }
    )
    registry = pd.DataFrame({"chance": data.benchmark_chance}, index=data.coords["benchmark"])
    informative = _informative_results(results, registry).astype(float)
    mixed = ((data.cell_k > 0) & (data.cell_k < data.cell_n)).astype(float)
    return dataclasses.replace(
        data,
        model_informative_results=np.bincount(
            data.result_model, weights=informative, minlength=n_model
        ).astype(int),
        model_informative_cells=np.bincount(
            data.cell_model, weights=mixed, minlength=n_model
        ).astype(int),
    )
