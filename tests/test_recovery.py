"""Parameter recovery on the shipped data's structure (slow). The time-split backtest
moved to tests/test_validation.py."""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytest

from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.fit import sample_model
from riskmodel.capability.model import build_capability_model
from riskmodel.capability.simulate import draw_truth, simulate_data
from riskmodel.config import load_config
from riskmodel.evidence import Evidence

#: Parameters whose recovery is checked (all elements of each).
RECOVERED = (
    "compute_trend_level",
    "compute_trend_slope",
    "compute_trend_scatter",
    "frontier_offset",
    "algorithmic_progress",
    "capability_scatter",
    "discrimination",
    "difficulty",
    "horizon_slope",
    "horizon_offset",
    "task_discrimination",
    "capability",
)


@pytest.mark.slow
def test_parameter_recovery_at_shipped_size(shipped_evidence: Evidence) -> None:
    config = load_config({"sampler": {"draws": 500, "tune": 700, "chains": 2, "seed": 11}})
    data = prepare_capability_data(shipped_evidence, config.capability)
    truth = draw_truth(data, config.capability, seed=2024)
    simulated = simulate_data(data, config.capability, truth, seed=2025)
    # the simulation really replaced the observations
    assert not np.array_equal(simulated.result_k, data.result_k)
    model = build_capability_model(simulated, config.capability)
    tree, _ = sample_model(model, config)
    post = tree["posterior"]

    # capability is a deterministic in the fit; its truth comes from the latents
    true_values = dict(truth)
    fixed = pm.do(model, {k: v for k, v in truth.items() if k in model.named_vars})
    true_values["capability"] = pm.draw(fixed["capability"], random_seed=0)

    inside, total, misses = 0, 0, []
    for name in RECOVERED:
        draws = post[name].stack(sample=("chain", "draw")).transpose(..., "sample").values
        draws = draws.reshape(-1, draws.shape[-1])
        true = np.atleast_1d(np.asarray(true_values[name], dtype=float)).ravel()
        low, high = np.quantile(draws, [0.05, 0.95], axis=1)
        ok = (low <= true) & (true <= high)
        inside += int(ok.sum())
        total += ok.size
        misses += [f"{name}[{i}]" for i in np.flatnonzero(~ok)]
    coverage = inside / total
    print(f"recovery: {inside}/{total} = {coverage:.3f} of true values inside 90% intervals")
    # nominal 0.90; with ~200 correlated checks allow sampling noise but catch real bias
    assert coverage >= 0.8, f"coverage {coverage:.3f}; misses: {misses[:20]}"
    # the headline parameters must be recovered
    for name in ("algorithmic_progress", "compute_trend_slope", "capability_scatter"):
        assert name not in misses, f"{name} not recovered"
