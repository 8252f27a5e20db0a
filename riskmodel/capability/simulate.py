"""Simulating evidence from the capability model with known parameters.

Used by parameter-recovery and simulation-based-calibration tests: the simulated data
keep the real data's structure (models, dates, FLOP availability, benchmarks, task
counts) and replace only the observations.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pymc as pm

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
    """Draw one set of true parameter values from the prior.

    Parameters
    ----------
    typical
        Fix the global scalars listed in :data:`TYPICAL_GLOBALS` at their prior medians
        (per-benchmark, per-model and per-task values are still drawn).

    Returns
    -------
    dict
        Free random variable name -> value (numpy array, model's shapes).
    """
    model = build_capability_model(data, config)
    names = [rv.name for rv in model.free_RVs]
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

    Models with a FLOP report get a true log10 FLOP drawn from the compute trend at
    ``truth`` and a new report drawn around it with their measurement sd; ``truth`` is
    updated in place with the implied ``flop_error`` so that it describes the simulated
    world completely.

    Returns
    -------
    CapabilityData
        ``data`` with every observed quantity replaced.
    """
    rng = np.random.default_rng(seed)
    replacements: dict[str, np.ndarray] = {}
    known = np.isfinite(data.model_log10_flop)
    if known.any():
        level, slope, scatter, offset = (
            float(truth[n])
            for n in (
                "compute_trend_level",
                "compute_trend_slope",
                "compute_trend_scatter",
                "frontier_offset",
            )
        )
        trend = level + slope * data.model_years[known] + offset * data.model_frontier[known]
        true_log10_flop = trend + scatter * rng.standard_normal(known.sum())
        noise = rng.standard_normal(known.sum())
        reported = data.model_log10_flop.copy()
        reported[known] = true_log10_flop + data.model_flop_sd[known] * noise
        replacements["model_log10_flop"] = reported
        # true = reported + sd * flop_error  =>  flop_error = -noise
        truth["flop_error"] = -noise
    data = dataclasses.replace(data, **replacements)
    model = build_capability_model(data, config)
    fixed = pm.do(model, dict(truth.items()))
    observed = [name for name in OBSERVED_FIELDS if name in fixed.named_vars]
    draws = pm.draw([fixed[name] for name in observed], random_seed=seed)
    if len(observed) == 1:
        draws = [draws]
    return dataclasses.replace(
        data,
        **{OBSERVED_FIELDS[n]: np.asarray(v) for n, v in zip(observed, draws, strict=True)},
    )
