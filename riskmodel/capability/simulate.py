"""Simulating evidence from the capability model with known parameters.

Used by parameter-recovery and simulation-based-calibration tests: the simulated data
keep the real data's structure (models, dates, FLOP availability, benchmarks, task
counts) and replace only the observations.
"""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pymc as pm

from riskmodel.capability.checks import NUMBA_OBJECT_MODE
from riskmodel.capability.data import CapabilityData
from riskmodel.capability.model import build_capability_model
from riskmodel.config import CapabilityConfig

__all__ = ["draw_truth", "simulate_data", "OBSERVED_FIELDS"]

#: Observed variable -> CapabilityData field it replaces.
OBSERVED_FIELDS = {
    "trend_flop_obs": "trend_log10_flop",
    "solved": "result_k",
    "task_successes": "cell_k",
}

#: Per-model and per-task latents, drawn after the simulated FLOP reports exist.
LATENTS = ("capability", "capability_z", "capability_centered", "task_difficulty", "task_z")

#: Global parameters fixed at their prior median in a "typical" truth, so that a
#: recovery test probes the data's information rather than extreme prior corners.
TYPICAL_GLOBALS = (
    "compute_trend_level",
    "compute_trend_slope",
    "compute_trend_scatter",
    "frontier_offset",
    "algorithmic_progress",
    "capability_scatter",
)


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
    model = build_capability_model(data, config)
    names = [rv.name for rv in model.free_RVs if rv.name not in LATENTS]
    values = pm.draw([model[n] for n in names], random_seed=seed)
    truth = {n: np.asarray(v) for n, v in zip(names, values, strict=True)}
    if typical:
        for name in TYPICAL_GLOBALS:
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
    updated in place with the drawn latents so that it describes the simulated world.

    Returns
    -------
    CapabilityData
        ``data`` with every observed quantity (and the FLOP reports) replaced.
    """
    rng = np.random.default_rng(seed)
    globals_only = {k: v for k, v in truth.items() if k not in LATENTS}
    model = build_capability_model(data, config)
    if "model_flop_obs" in model.named_vars:
        fixed = pm.do(model, globals_only)
        reports = pm.draw(fixed["model_flop_obs"], random_seed=rng)
        reported = data.model_log10_flop.copy()
        reported[np.isfinite(reported)] = reports
        data = dataclasses.replace(data, model_log10_flop=reported)
        model = build_capability_model(data, config)
    fixed = pm.do(model, globals_only)
    latents = [
        n for n in LATENTS if n in fixed.named_vars and n in {rv.name for rv in model.free_RVs}
    ]
    observed = [n for n in OBSERVED_FIELDS if n in fixed.named_vars]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NUMBA_OBJECT_MODE, category=UserWarning)
        draws = pm.draw([fixed[n] for n in latents + observed], random_seed=rng)
    values = dict(zip(latents + observed, draws, strict=True))
    for name in latents:
        truth[name] = np.asarray(values[name])
    return dataclasses.replace(
        data, **{OBSERVED_FIELDS[n]: np.asarray(values[n]) for n in observed}
    )
