"""Parameter recovery on the shipped data's structure (slow). The time-split backtest
moved to tests/test_validation.py."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import TEST_SEED

from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.model import build_capability_model
from riskmodel.capability.sampling import sample_model
from riskmodel.capability.simulate import REPORTED, draw_truth, simulate_data
from riskmodel.config import default_config, load_config
from riskmodel.evidence import Evidence

#: Sampler seed of the recovery fit (the truth and the data have seeds of their own):
#: 11 at the default ``RISKMODEL_TEST_SEED`` (7), shifted with it.
RECOVERY_SAMPLER_SEED = TEST_SEED + 4
#: Seeds of the true parameters and of the simulated data.
TRUTH_SEED = 2024
DATA_SEED = 2025

#: Global scalars that must be among the recovered ones (every scalar free parameter of
#: the fitted model is checked; these are named so that a renamed one is noticed). The
#: method change point (``method_change_year``) is a fixed assumption of the model, not a
#: parameter: there is nothing to recover.
GLOBALS = (
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
#: Per-instrument and per-domain parameters whose recovery is checked (all elements),
#: besides the reported location quantities (simulate.REPORTED): capabilities,
#: difficulties, suite offsets, task difficulties and harness offsets, which mean the
#: same in the anchored fit as in the generative model the truth comes from.
VECTORS = ("discrimination", "horizon_slope", "task_discrimination")
#: Parameters that must be recovered (every element inside its 90% interval).
HEADLINE = ("algorithmic_progress", "compute_trend_slope", "capability_scatter")
#: Nominal coverage is 0.90; with ~1000 strongly correlated checks (a common shift of a
#: group's capabilities moves them all) allow sampling noise but catch real bias.
MIN_COVERAGE = 0.8


def recovery(shipped_evidence: Evidence, sampler_seed: int) -> dict:
    """Simulate from a typical truth, fit with the default anchored model and sampler
    (nutpie, its pinned adaptation and target_accept; fewer draws), and count the true
    values inside their central 90% posterior intervals.

    Returns
    -------
    dict
        ``inside``, ``total``, ``coverage``, ``misses`` (labels), ``by_name``
        (name -> (inside, total)), ``intervals`` (scalar name -> (truth, 5%, 95%)),
        ``divergences``, ``checked`` (names), ``posterior``, ``truth`` and ``data`` (the
        simulated data).
    """
    config = load_config(
        {"sampler": {"draws": 500, "tune": 700, "chains": 2, "seed": sampler_seed}}
    )
    default = default_config().sampler
    assert (config.sampler.nuts_sampler, config.sampler.adaptation) == (
        default.nuts_sampler,
        default.adaptation,
    )
    assert config.sampler.target_accept == default.target_accept
    data = prepare_capability_data(shipped_evidence, config.capability)
    truth = draw_truth(data, config.capability, seed=TRUTH_SEED)
    simulated = simulate_data(data, config.capability, truth, seed=DATA_SEED)
    # the simulation really replaced the observations
    assert not np.array_equal(simulated.result_k, data.result_k)
    model = build_capability_model(simulated, config.capability)  # anchored (default)
    scalars = [rv.name for rv in model.free_RVs if rv.ndim == 0]
    assert set(GLOBALS) <= set(scalars), set(GLOBALS) - set(scalars)
    checked = scalars + list(VECTORS) + [n for n in REPORTED if n in model.named_vars]
    tree, _ = sample_model(model, config)
    post = tree["posterior"]

    inside, total, misses, by_name, intervals = 0, 0, [], {}, {}
    for name in checked:
        draws = post[name].stack(sample=("chain", "draw")).transpose(..., "sample").values
        draws = draws.reshape(-1, draws.shape[-1])
        true = np.atleast_1d(np.asarray(truth[name], dtype=float)).ravel()
        assert true.shape == draws.shape[:1], name
        low, high = np.quantile(draws, [0.05, 0.95], axis=1)
        ok = (low <= true) & (true <= high)
        inside += int(ok.sum())
        total += ok.size
        by_name[name] = (int(ok.sum()), ok.size)
        if true.size == 1:
            intervals[name] = (float(true[0]), float(low[0]), float(high[0]))
        misses += [f"{name}[{i}]" if ok.size > 1 else name for i in np.flatnonzero(~ok)]
    return {
        "inside": inside,
        "total": total,
        "coverage": inside / total,
        "misses": misses,
        "by_name": by_name,
        "intervals": intervals,
        "divergences": int(tree["sample_stats"]["diverging"].sum()),
        "posterior": post,
        "truth": truth,
        "data": simulated,
        "checked": checked,
    }


@pytest.mark.slow
def test_parameter_recovery_at_shipped_size(shipped_evidence: Evidence) -> None:
    result = recovery(shipped_evidence, RECOVERY_SAMPLER_SEED)
    coverage = result["coverage"]
    print(
        f"recovery (sampler seed {RECOVERY_SAMPLER_SEED}): {result['inside']}/{result['total']}"
        f" = {coverage:.3f} of true values inside 90% intervals; "
        f"{result['divergences']} divergences"
    )
    for name, (k, n) in result["by_name"].items():
        detail = ""
        if name in result["intervals"]:
            true, low, high = result["intervals"][name]
            detail = f" (truth {true:.3g}, 90% interval {low:.3g} to {high:.3g})"
        print(f"  {name}: {k}/{n}{detail}")
    assert coverage >= MIN_COVERAGE, f"coverage {coverage:.3f}; misses: {result['misses'][:20]}"
    # the headline parameters must be recovered
    for name in HEADLINE:
        assert name not in result["misses"], f"{name} not recovered"
