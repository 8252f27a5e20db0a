"""Capability model: data preparation, prior predictive, fitting, storage, prediction."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from riskmodel.capability.checks import prior_predictive_coverage, sample_prior_predictive
from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.fit import fit_evidence_model
from riskmodel.capability.predict import (
    capability_draws,
    fitted_capability_draws,
    forecast,
    posterior_view,
    time_horizon_minutes,
)
from riskmodel.capability.store import fit_evidence, load_fit, save_fit
from riskmodel.config import FitConfig, default_config, load_config
from riskmodel.errors import ConvergenceError, FitFileError, RiskmodelError
from riskmodel.evidence import Evidence

FORECAST_KEYS = ["benchmark", "date", "flop", "mean", "q05", "q25", "q50", "q75", "q95"]


# ----------------------------------------------------------------------------- data


def test_prepared_data_indexes_shipped_evidence(shipped_evidence: Evidence) -> None:
    data = prepare_capability_data(shipped_evidence, default_config().capability)
    n_model = len(data.coords["model"])
    assert n_model == len(shipped_evidence.evidence_models())
    assert data.model_years.shape == data.model_log10_flop.shape == (n_model,)
    # unknown FLOP is NaN in both the value and its sd, known FLOP has a finite sd
    known = np.isfinite(data.model_log10_flop)
    assert np.array_equal(known, np.isfinite(data.model_flop_sd))
    assert 0 < known.sum() < n_model
    # trend-only models exclude models with evidence
    assert not set(data.coords["trend_model"]) & set(data.coords["model"])
    assert (data.result_k <= data.result_n).all()
    assert (data.cell_k <= data.cell_n).all()
    assert data.result_model.max() < n_model
    assert set(data.coords["suite"]) >= {"cybench", "hcast", "nl2bash"}


def test_prior_predictive_covers_observed_range(shipped_evidence: Evidence) -> None:
    data = prepare_capability_data(shipped_evidence, default_config().capability)
    prior = sample_prior_predictive(data, default_config().capability, draws=400, seed=3)
    coverage = prior_predictive_coverage(prior, data)
    assert set(coverage.index) == set(data.coords["benchmark"])
    assert coverage["covered"].all(), coverage[~coverage["covered"]]
    # and the prior is not absurdly wide either: it does not pile up at 0 and 1 only
    solved = prior["prior_predictive"]["solved"].to_numpy().reshape(-1, len(data.result_n))
    fraction = solved / data.result_n
    interior = ((fraction > 0.05) & (fraction < 0.95)).mean()
    assert interior > 0.3


# ------------------------------------------------------------------------------ fit


def test_fit_carries_provenance(small_fit: xr.DataTree, small_config: FitConfig) -> None:
    attrs = small_fit.attrs
    for key in (
        "config",
        "config_hash",
        "evidence_hash",
        "package_versions",
        "data_vintage",
        "seed",
        "diagnostics",
        "nuts_sampler",
    ):
        assert key in attrs, key
    assert attrs["seed"] == small_config.sampler.seed
    assert attrs["nuts_sampler"] == "nutpie"
    diagnostics = json.loads(attrs["diagnostics"])
    assert {"max_rhat", "min_ess_bulk", "divergences", "failures", "passed"} <= set(diagnostics)
    assert "pymc" in json.loads(attrs["package_versions"])
    post = small_fit["posterior"]
    assert post.sizes["chain"] == 2 and post.sizes["draw"] == 300
    assert "capability" in post.data_vars


def test_save_load_round_trip(
    small_fit: xr.DataTree, small_evidence: Evidence, tmp_path: Path
) -> None:
    path = save_fit(small_fit, tmp_path / "fit.nc")
    loaded = load_fit(path)
    np.testing.assert_array_equal(
        loaded["posterior"]["capability"].values, small_fit["posterior"]["capability"].values
    )
    assert loaded.attrs["config_hash"] == small_fit.attrs["config_hash"]
    assert fit_evidence(loaded).content_hash() == small_evidence.content_hash()
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


def _rewrite(path: Path, mutate) -> Path:  # noqa: ANN001
    tree = load_fit(path)
    mutate(tree)
    out = path.with_name(f"tampered_{mutate.__name__}.nc")
    tree.to_netcdf(out, engine="h5netcdf")
    return out


def test_load_refuses_tampered_config(small_fit: xr.DataTree, tmp_path: Path) -> None:
    path = save_fit(small_fit, tmp_path / "fit.nc")

    def change_prior(tree: xr.DataTree) -> None:
        config = json.loads(tree.attrs["config"])
        config["capability"]["priors"]["algorithmic_progress"]["median"] = 0.9
        tree.attrs["config"] = json.dumps(config)

    with pytest.raises(FitFileError, match="config hash mismatch"):
        load_fit(_rewrite(path, change_prior))


def test_load_refuses_tampered_evidence(small_fit: xr.DataTree, tmp_path: Path) -> None:
    path = save_fit(small_fit, tmp_path / "fit.nc")

    def change_score(tree: xr.DataTree) -> None:
        ds = tree["evidence/results"].to_dataset()
        score = ds["score"].values.copy()
        i = int(np.flatnonzero(np.isfinite(score) & (score < 0.9))[0])
        score[i] += 0.05
        tree["evidence/results"] = xr.DataTree(ds.assign(score=("row", score, ds["score"].attrs)))

    def change_flop(tree: xr.DataTree) -> None:
        ds = tree["evidence/models"].to_dataset()
        flop = ds["training_flop"].values.copy()
        flop[np.isfinite(flop).argmax()] *= 10
        tree["evidence/models"] = xr.DataTree(
            ds.assign(training_flop=("row", flop, ds["training_flop"].attrs))
        )

    for mutate in (change_score, change_flop):
        with pytest.raises(FitFileError, match="modified after fitting"):
            load_fit(_rewrite(path, mutate))


@pytest.mark.parametrize("content", [b"", b"not a netcdf file"])
def test_load_refuses_non_fit_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.nc"
    path.write_bytes(content)
    with pytest.raises(FitFileError):
        load_fit(path)
    with pytest.raises(FitFileError, match="does not exist"):
        load_fit(tmp_path / "missing.nc")


def test_load_refuses_foreign_netcdf(tmp_path: Path) -> None:
    path = tmp_path / "other.nc"
    xr.DataTree(xr.Dataset({"x": ("a", [1.0, 2.0])})).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(FitFileError, match="not a riskmodel fit"):
        load_fit(path)


def test_same_seed_same_draws_and_gate(small_evidence: Evidence) -> None:
    tiny = load_config({"sampler": {"draws": 40, "tune": 40, "chains": 2, "seed": 5}})
    first = fit_evidence_model(small_evidence, tiny, allow_unconverged=True)
    second = fit_evidence_model(small_evidence, tiny, allow_unconverged=True)
    np.testing.assert_array_equal(
        first["posterior"]["capability"].values, second["posterior"]["capability"].values
    )
    # 40 draws cannot pass the gate: the refusal names parameters and keeps the tree
    with pytest.raises(ConvergenceError) as info:
        fit_evidence_model(small_evidence, tiny)
    assert "bulk ESS" in str(info.value)
    assert info.value.failures
    assert json.loads(info.value.tree.attrs["diagnostics"])["passed"] is False


# ------------------------------------------------------------------------- predict


def test_forecast_shape_and_order(small_fit: xr.DataTree) -> None:
    record = forecast(small_fit, benchmark="mmlu", date="2026-06-01", flop=1e26)
    assert list(record) == FORECAST_KEYS
    qs = [record[k] for k in ("q05", "q25", "q50", "q75", "q95")]
    assert qs == sorted(qs)
    assert qs[0] >= 0.0 and qs[-1] <= 1.0
    frontier = forecast(small_fit, benchmark="mmlu", date="2026-06-01", frontier=True)
    assert frontier["flop"] is None


def test_forecast_rises_with_compute_and_date(small_fit: xr.DataTree) -> None:
    medians = [
        forecast(small_fit, benchmark="gsm8k", date="2024-01-01", flop=f, seed=1)["mean"]
        for f in (1e21, 1e23, 1e25)
    ]
    assert medians == sorted(medians) and medians[-1] - medians[0] > 0.2
    early = forecast(small_fit, benchmark="gsm8k", date="2022-01-01", flop=1e23, seed=1)["mean"]
    late = forecast(small_fit, benchmark="gsm8k", date="2026-01-01", flop=1e23, seed=1)["mean"]
    assert late > early  # algorithmic progress makes the same FLOP worth more later


def test_forecast_task_suite_and_horizon(small_fit: xr.DataTree) -> None:
    record = forecast(small_fit, benchmark="nl2bash", date="2025-01-01", frontier=True)
    assert 0 <= record["q05"] <= record["q95"] <= 1
    view = posterior_view(small_fit)
    rng = np.random.default_rng(0)
    weak = capability_draws(view, date="2024-01-01", flop=1e22, rng=rng)
    strong = weak + 2.0
    h_weak = time_horizon_minutes(view, weak, suite="hcast")
    h_strong = time_horizon_minutes(view, strong, suite="hcast")
    assert (h_strong > h_weak).all()
    h80 = time_horizon_minutes(view, strong, suite="hcast", success_probability=0.8)
    assert (h80 < h_strong).all()


def test_fitted_capability_by_name(small_fit: xr.DataTree) -> None:
    view = posterior_view(small_fit)
    draws = fitted_capability_draws(view, "meta-llama/Meta-Llama-3-70B")
    weaker = fitted_capability_draws(view, "EleutherAI/pythia-160m-deduped")
    assert draws.shape == (view.n_samples,)
    assert np.median(draws) > np.median(weaker) + 1.0
    with pytest.raises(RiskmodelError, match="did you mean"):
        fitted_capability_draws(view, "meta-llama/Meta-Llama-3-70b")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"benchmark": "nope", "date": "2025-01-01", "flop": 1e25}, "no fitted parameters"),
        ({"benchmark": "mmlu", "date": "2025-13-01", "flop": 1e25}, "YYYY-MM-DD"),
        ({"benchmark": "mmlu", "date": "2025-01-01", "flop": -5.0}, "positive"),
        ({"benchmark": "mmlu", "date": "2025-01-01"}, "exactly one"),
        (
            {"benchmark": "mmlu", "date": "2025-01-01", "flop": 1e25, "frontier": True},
            "exactly one",
        ),
    ],
)
def test_forecast_bad_arguments(small_fit: xr.DataTree, kwargs: dict, fragment: str) -> None:
    with pytest.raises(RiskmodelError, match=fragment):
        forecast(small_fit, **kwargs)
