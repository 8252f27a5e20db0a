"""Shared fixtures: a small real-data subset and one small fit reused across tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr
from helpers import TEST_SEED

from riskmodel.capability.sampling import fit_evidence_model
from riskmodel.config import FitConfig, load_config
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.examples import example_config, example_evidence

REPO = Path(__file__).resolve().parent.parent


def small_subset(evidence: Evidence) -> Evidence:
    """A few dozen real models on a few benchmarks and task suites (fast to fit)."""
    return example_evidence(evidence)


@pytest.fixture(scope="session")
def shipped_evidence() -> Evidence:
    return load_evidence()


@pytest.fixture(scope="session")
def small_evidence(shipped_evidence: Evidence) -> Evidence:
    return small_subset(shipped_evidence)


@pytest.fixture(scope="session")
def small_config() -> FitConfig:
    config = example_config()
    return load_config({"sampler": {"seed": TEST_SEED}}, base=config)


@pytest.fixture(scope="session")
def small_fit(small_evidence: Evidence, small_config: FitConfig) -> xr.DataTree:
    """One short fit on the small subset (not gated: too short to meet the gate)."""
    return fit_evidence_model(small_evidence, small_config, allow_unconverged=True)
