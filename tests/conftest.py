"""Shared fixtures: a small real-data subset and two fits of it reused across tests.

``small_fit`` is synthetic (:mod:`synthetic_fit`: a Gaussian approximation of the same
model, with the layout and provenance of a real fit, built in seconds without MCMC); it
serves every test of what comes after sampling. ``small_mcmc_fit`` is the real short NUTS
fit, for the tests whose meaning depends on sampling; those are marked ``slow``.

The same holds for the uplift-study update (``riskmodel.uplift.update``, one NUTS run per
fit and link, memoised per process): in tests not marked ``slow`` it draws from the
Gaussian approximation of the same model (:func:`synthetic_fit.synthetic_uplift_posterior`,
see :func:`_uplift_update_without_nuts`), so the fast tier runs no MCMC at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xarray as xr
from helpers import TEST_SEED
from synthetic_fit import synthetic_fit, synthetic_uplift_posterior

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
    """A synthetic fit of the small subset: draws of a Gaussian approximation, not MCMC
    (seconds to build; ``attrs["synthetic"]`` says so; it never passes the quality
    gate)."""
    return synthetic_fit(small_evidence, small_config)


@pytest.fixture(scope="session")
def small_mcmc_fit(small_evidence: Evidence, small_config: FitConfig) -> xr.DataTree:
    """The real short NUTS fit of the small subset (about a minute per test process; not
    gated: too short to meet the gate). Only for tests marked ``slow``."""
    return fit_evidence_model(small_evidence, small_config, allow_unconverged=True)


@pytest.fixture(autouse=True)
def _uplift_update_without_nuts(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fast tests: the uplift-study update draws from its Gaussian approximation instead
    of NUTS (``riskmodel.uplift.update.sample_uplift_posterior`` replaced for the test).

    The update is stored in the fit's DataTree under a key that includes
    ``UPDATE_METHOD``; fast tests set it to the approximation's name, so a fast test
    never reads a real update that a slow test stored in a shared fit, and a slow test,
    which samples for real, never reads an approximate one.
    """
    import riskmodel.uplift.update as update

    if request.node.get_closest_marker("slow"):
        return
    monkeypatch.setattr(update, "sample_uplift_posterior", synthetic_uplift_posterior)
    monkeypatch.setattr(update, "UPDATE_METHOD", "gaussian-approximation (tests)")
