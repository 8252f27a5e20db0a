"""Plain helpers shared by several test modules (not fixtures).

``tests/`` is not a package: pytest puts this folder on ``sys.path`` (``pythonpath`` in
``pyproject.toml``), so test modules import these as ``from helpers import ...``.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

__all__ = ["TEST_SEED", "linear_progress", "golden_world"]

#: Base sampler seed of the tests that run NUTS (the shared small fit, the uplift-study
#: update, parameter recovery), and of the draws of the synthetic small fit
#: (``tests/synthetic_fit.py``). ``RISKMODEL_TEST_SEED`` overrides it, so the suite can be
#: run with other sampler seeds: the margin of every sampler test is meant to hold for
#: any seed, not for one.
TEST_SEED = int(os.environ.get("RISKMODEL_TEST_SEED", "7"))


def linear_progress(
    rates: np.ndarray, reference_time: float = 2023.0
) -> Callable[[float], np.ndarray]:
    """A ``RunAttributes.progress_at`` for worlds whose progress is ``rate * (T - t_ref)``
    (dex; a test stand-in for the fitted, non-linear method progress).

    Parameters
    ----------
    rates
        Shape (draw,), progress per year of each posterior draw (dex per year).
    reference_time
        Decimal year at which the progress is 0.

    Returns
    -------
    callable
        ``progress_at(time)``: shape (draw,), the progress at decimal year ``time``.
    """
    rates = np.asarray(rates, dtype=float)

    def progress_at(time: float) -> np.ndarray:
        return rates * (time - reference_time)

    return progress_at


def golden_world(n_draws: int = 3, runs_per_draw: int = 300, seed: int = 2024):  # noqa: ANN201
    """A small simulated world built without any fit: a population of training runs and
    the fields of a :class:`riskmodel.simulation.science.Science` except its truth.

    Input of ``tests/golden/raised_truth_v2.npz`` (the outcomes of the simulation code
    before truth-dependent outcomes were reported per truth bar, when truth was the raised
    bar alone; regenerate it only for a change that is meant to alter those outcomes).

    Returns
    -------
    (Population, dict, dict)
        The population (years 2025-2027); the science fields other than the truth (a
        synthetic posterior view, per-world parameters, assessment thresholds of the
        shipped variants' bars); truth bar name -> per-world truth threshold (dex), for
        ``"raised"`` and ``"current"``.
    """
    import pandas as pd
    import xarray as xr

    from riskmodel.capability.predict import PosteriorView
    from riskmodel.hazard.enhancement import EnhancementParams
    from riskmodel.world.population import Population

    rng = np.random.default_rng(seed)
    draw, time, parent, flop, cost, developer, open_weights = [], [], [], [], [], [], []
    for d in range(n_draws):
        t = np.sort(rng.uniform(2025.0, 2028.0, runs_per_draw))
        start = d * runs_per_draw
        for i in range(runs_per_draw):
            bases = [j for j in range(start, start + i) if parent[j] < 0]
            derivative = bool(bases) and rng.random() < 0.3
            parent.append(int(rng.choice(bases)) if derivative else -1)
            own = rng.uniform(21.0, 25.5) if derivative else rng.uniform(23.0, 27.5)
            flop.append(own)
            cost.append(10.0 ** (own - 17.5 + rng.normal(0.0, 0.3)))
            developer.append(int(rng.integers(0, 12)))
            open_weights.append(bool(rng.random() < 0.4))
            draw.append(d)
        time.extend(t.tolist())
    parent_a = np.array(parent, dtype=np.int64)
    pop = Population(
        draw=np.array(draw, dtype=np.int64),
        year=np.floor(np.array(time)).astype(np.int64),
        release_time=np.array(time),
        log10_flop=np.array(flop),
        cost_usd=np.array(cost),
        developer=np.array(developer, dtype=np.int64),
        frontier_tier=np.array(developer) < 4,
        open_weights=np.array(open_weights),
        parent=parent_a,
        loophole_attempt=(parent_a >= 0) & (rng.random(parent_a.size) < 0.2),
        n_draws=n_draws,
        years=(2025, 2026, 2027),
        n_frontier_developers=4,
    ).validate()
    samples = 50
    view = PosteriorView(
        draws=xr.Dataset(
            {
                "algorithmic_progress": ("sample", rng.lognormal(np.log(0.45), 0.25, samples)),
                "post_training_rate": ("sample", rng.lognormal(np.log(0.3), 0.5, samples)),
                "method_change_year": ("sample", rng.normal(1.7, 0.5, samples)),
                "reasoning_gain": ("sample", rng.lognormal(np.log(0.5), 0.5, samples)),
                "capability_scatter": ("sample", np.full(samples, 0.3)),
            }
        ),
        reference_date="2023-01-01",
        reference_log10_flop=23.0,
        benchmarks=pd.DataFrame(),
        tasks=pd.DataFrame({"task_id": [], "suite": [], "domain": []}),
        data_vintage="2025-09-01",
        reasoning_since="2024-09-12",
    )
    index = rng.integers(0, samples, n_draws)
    times = np.arange(2025.0, 2029.0)
    fields = {
        "posterior_index": index,
        "view": view,
        "reasoning_gain": view.values("reasoning_gain")[index],
        "reasoning_time": 2024.7,
        "capability_scatter": view.values("capability_scatter")[index],
        "enhancement": EnhancementParams(
            cheap_gain_max=rng.lognormal(np.log(0.6), 0.3, n_draws),
            cheap_half_fraction=rng.lognormal(np.log(0.003), 0.5, n_draws),
            elicitation_progress=rng.lognormal(np.log(0.2), 0.3, n_draws),
            elicitation_headroom=rng.lognormal(np.log(0.25), 0.5, n_draws),
            posttraining_cost_ratio=rng.lognormal(np.log(1.5), 0.5, n_draws),
            unbounded_flop_fraction=10.0,
            unbounded_horizon_years=5.0,
        ),
        "method_rate": rng.lognormal(np.log(0.8), 0.2, n_draws),
        "initial_reference": rng.uniform(2.0, 3.0, n_draws),
        "threshold_times": times,
        "record_ess": float(n_draws),
        "assessment_thresholds": {
            "current|unbounded": np.full(times.size, 3.6),
            "current|f=0.25, cost 0.25, 2 years": np.linspace(4.1, 4.6, times.size),
            "raised|f=0.25, cost 0.25, 2 years": np.full(times.size, 5.0),
        },
        "evaluation_noise_sd": 0.3,
        "reference_log10_flop": 23.0,
        "reference_time": 2023.0,
    }
    truth = {
        "raised": np.repeat(rng.normal(5.3, 0.6, n_draws)[:, None], times.size, axis=1),
        "current": rng.normal(4.0, 0.6, n_draws)[:, None] + np.linspace(0.0, 0.5, times.size),
    }
    return pop, fields, truth


def load_script(path: Path) -> ModuleType:
    """Import a script that is not in a package (e.g. one of ``benchmarks/``) by its path."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
