"""Shared fixtures: a small real-data subset and two fits of it reused across tests.

Tiers: a test is marked ``slow`` if it samples (MCMC), compiles a full PyMC model of its
own, starts a Python process or a dask cluster, runs a notebook, or is the thorough
pass of a fuzz test; everything else is the fast tier (``pytest -m "not slow"``). CI
runs both.

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

import hashlib
import shutil
from importlib import metadata
from pathlib import Path

import pytest
import synthetic_fit as synthetic_fit_module
import xarray as xr
from helpers import TEST_SEED
from synthetic_fit import kept_pickle, synthetic_fit, synthetic_uplift_posterior

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
def shipped_world():  # noqa: ANN201 - riskmodel.world.fit.WorldFit (imported lazily)
    """The world model fitted to the shipped data and assumptions, 500 draws, seed 1
    (a census fit: about 2 s), for the tests that use a world rather than test its fit."""
    from riskmodel.world.fit import fit_world

    return fit_world(n_draws=500, seed=1)


@pytest.fixture(scope="session")
def small_config() -> FitConfig:
    config = example_config()
    return load_config({"sampler": {"seed": TEST_SEED}}, base=config)


#: Libraries whose versions key the cached stand-ins below.
_NUMERICAL_LIBRARIES = ("numpy", "scipy", "pymc", "pytensor", "xarray", "arviz-base")


def _sources_digest(*layers: str) -> str:
    """Digest of what a stand-in built by :mod:`synthetic_fit` depends on besides its
    arguments: the package's top-level modules, the sources of ``layers`` (packages of
    ``riskmodel``; none imports a later layer, see test_architecture), the builder
    ``tests/synthetic_fit.py`` and the numerical libraries' versions."""
    package = REPO / "riskmodel"
    paths = sorted(package.glob("*.py"))
    for layer in layers:
        paths += sorted((package / layer).rglob("*.py"))
    paths.append(REPO / "tests" / "synthetic_fit.py")
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(REPO)).encode() + path.read_bytes())
    for name in _NUMERICAL_LIBRARIES:
        digest.update(f"{name}={metadata.version(name)}".encode())
    return digest.hexdigest()[:24]


def _cache_folder(config: pytest.Config, name: str, digest: str) -> Path | None:
    """``name/digest`` in pytest's cache folder (``.pytest_cache``), the other digests
    of ``name`` removed; ``None`` without the cache (``-p no:cacheprovider``)."""
    cache = getattr(config, "cache", None)
    if cache is None:
        return None
    root = cache.mkdir(name)
    for stale in root.iterdir():
        if stale.name != digest:
            shutil.rmtree(stale, ignore_errors=True)
    folder = root / digest
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def small_fit(
    small_evidence: Evidence, small_config: FitConfig, request: pytest.FixtureRequest
) -> xr.DataTree:
    """A synthetic fit of the small subset: draws of a Gaussian approximation, not MCMC
    (10-15 s to build; ``attrs["synthetic"]`` says so; it never passes the quality
    gate).

    Kept between test runs in pytest's cache folder, under a digest of everything it is
    built from (:func:`_sources_digest` of the evidence and capability layers, the
    evidence's content hash, the config): a run reuses it only while they are unchanged.
    A fresh checkout builds it.
    """
    folder = _cache_folder(
        request.config, "synthetic_fit", _sources_digest("evidence", "capability")
    )
    key = hashlib.sha256(
        small_evidence.content_hash().encode() + small_config.model_dump_json().encode()
    ).hexdigest()[:24]
    return kept_pickle(
        folder / f"{key}.pickle" if folder is not None else None,
        xr.DataTree,
        lambda: synthetic_fit(small_evidence, small_config),
    )


@pytest.fixture(scope="session", autouse=True)
def _keep_approximate_updates(request: pytest.FixtureRequest) -> None:
    """The fast tier's uplift-study updates (``synthetic_uplift_posterior``) are kept
    between runs too, in pytest's cache folder under a digest of the layers they are
    built from; each file is named by a digest of its arguments."""
    synthetic_fit_module.UPDATE_STORE = _cache_folder(
        request.config, "synthetic_uplift", _sources_digest("evidence", "capability", "uplift")
    )


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
