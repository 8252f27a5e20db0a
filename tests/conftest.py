"""Shared fixtures: a small real-data subset and one small fit reused across tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr

from riskmodel.capability.fit import fit_evidence_model
from riskmodel.config import FitConfig, load_config
from riskmodel.evidence import Evidence, load_evidence

REPO = Path(__file__).resolve().parent.parent

#: Benchmarks and task suites kept in the small test subset.
SMALL_BENCHMARKS = ("mmlu", "arc_c", "gsm8k", "cybench")
SMALL_SUITES = ("nl2bash", "intercode_ctf", "cybench", "hcast")
#: ObsScaling families kept in the small subset (a spread of compute and dates).
SMALL_FAMILIES = (
    "meta-llama/",
    "EleutherAI/pythia",
    "Qwen/Qwen1.5",
    "facebook/opt",
    "google/gemma",
)


def small_subset(evidence: Evidence) -> Evidence:
    """A few dozen real models on a few benchmarks and task suites (fast to fit)."""
    tables = evidence.to_tables()
    results = tables["results"]
    keep_model = results["model"].str.startswith(SMALL_FAMILIES) | (
        results["benchmark"] == "cybench"
    )
    tables["results"] = results[keep_model & results["benchmark"].isin(SMALL_BENCHMARKS)]
    runs = tables["task_runs"]
    tables["task_runs"] = runs[runs["benchmark"].isin(SMALL_SUITES)]
    return Evidence.from_tables(tables)


@pytest.fixture(scope="session")
def shipped_evidence() -> Evidence:
    return load_evidence()


@pytest.fixture(scope="session")
def small_evidence(shipped_evidence: Evidence) -> Evidence:
    return small_subset(shipped_evidence)


@pytest.fixture(scope="session")
def small_config() -> FitConfig:
    return load_config({"sampler": {"draws": 300, "tune": 300, "chains": 2, "seed": 7}})


@pytest.fixture(scope="session")
def small_fit(small_evidence: Evidence, small_config: FitConfig) -> xr.DataTree:
    """One short fit on the small subset (not gated: too short to meet the gate)."""
    return fit_evidence_model(small_evidence, small_config, allow_unconverged=True)
