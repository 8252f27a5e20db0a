"""Tests of the policy simulation: science draws, reproducibility, dask, outputs, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from scipy import stats

from riskmodel.capability.predict import posterior_view
from riskmodel.capability.store import save_fit
from riskmodel.cli import EXIT_USAGE, main
from riskmodel.errors import ConfigError
from riskmodel.hazard.assess import capability_needed
from riskmodel.hazard.bars import load_hazard_bars
from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES
from riskmodel.policy.variants import SHIPPED_VARIANTS, load_variants
from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.run import (
    COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS,
    DEVELOPERS_COLUMNS,
    developers_table,
    save_simulation,
    simulate,
    summary_table,
)
from riskmodel.simulation.science import prepare_science
from riskmodel.world.fit import fit_world

SMALL = SimulationConfig(first_year=2025, last_year=2027, draws=40, chunk_draws=20, seed=11)


@pytest.fixture(scope="module")
def world():
    return fit_world(n_draws=500, seed=1)


@pytest.fixture(scope="module")
def small_simulation(small_fit, world) -> xr.Dataset:
    return simulate(small_fit, config=SMALL, world=world, link_params="prior")


def test_simulation_dataset(small_simulation: xr.Dataset) -> None:
    ds = small_simulation
    assert list(ds["variant"].values) == list(SHIPPED_VARIANTS)
    assert list(ds["year"].values) == [2025, 2026, 2027]
    assert ds.sizes["draw"] == 40
    for outcome in OUTCOMES:
        assert ds[outcome].dims == ("variant", "year", "draw")
        assert np.all(ds[outcome].values >= 0) and ds[outcome].attrs["units"]
    for outcome in PER_DRAW_OUTCOMES:
        assert ds[outcome].dims == ("variant", "draw")
    # Counts are bounded by the runs of each world and year.
    assert np.all(ds["runs_covered"] <= ds["runs"])
    assert np.all(ds["runs_exempt"] <= ds["runs_covered"])
    assert np.all(ds["hazardous_not_covered"] <= ds["hazardous_runs"])
    # Provenance.
    for key in (
        "fit_config_hash",
        "variant_hashes",
        "simulation_config",
        "seed",
        "package_versions",
    ):
        assert key in ds.attrs
    assert json.loads(ds.attrs["simulation_config"])["draws"] == 40
    # The amended bill (no LDE) covers exactly what the introduced bill covers, at no lower cost.
    intro, amended = ds.sel(variant="as_introduced"), ds.sel(variant="as_amended")
    np.testing.assert_array_equal(intro["runs_covered"], amended["runs_covered"])
    assert np.all(amended["compliance_cost_usd"] >= intro["compliance_cost_usd"] - 1e-6)


def test_same_seed_same_result_and_chunking_is_provenance(small_fit, world, small_simulation):
    again = simulate(small_fit, config=SMALL, world=world, link_params="prior")
    for name in small_simulation.data_vars:
        np.testing.assert_array_equal(again[name].values, small_simulation[name].values)
    other = simulate(
        small_fit, config=SMALL.model_copy(update={"seed": 12}), world=world, link_params="prior"
    )
    assert not np.array_equal(other["runs"].values, small_simulation["runs"].values)


def test_dask_local_cluster_equals_local(small_fit, world, small_simulation) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        on_cluster = simulate(
            small_fit,
            config=SMALL,
            world=world,
            link_params="prior",
            scheduler=cluster.scheduler_address,
        )
    for name in small_simulation.data_vars:
        np.testing.assert_array_equal(on_cluster[name].values, small_simulation[name].values)


def test_save_is_atomic_and_roundtrips(small_simulation, tmp_path: Path) -> None:
    path = save_simulation(small_simulation, tmp_path / "out" / "sim.nc")
    loaded = xr.open_dataset(path, engine="h5netcdf")
    xr.testing.assert_identical(loaded.load(), small_simulation)
    loaded.close()
    assert [p.name for p in path.parent.iterdir()] == ["sim.nc"]


def test_summary_table(small_simulation) -> None:
    table = summary_table(small_simulation)
    assert set(table["variant"]) == set(SHIPPED_VARIANTS)
    finite = table.dropna()
    assert np.all(finite["q05"] <= finite["q50"]) and np.all(finite["q50"] <= finite["q95"])


def _developers_dataset() -> xr.Dataset:
    """Two variants, two years, ten worlds of hand-set developer counts."""
    counts = np.array(
        [
            [[0, 1, 2, 3, 3, 3, 4, 5, 6, 20], [0] * 10],  # "few": 2026, 2027
            [[9] * 10, list(range(10, 20))],  # "many"
        ],
        dtype=float,
    )
    return xr.Dataset(
        {"developers_full_obligations": (("variant", "year", "draw"), counts)},
        coords={"variant": ["few", "many"], "year": [2026, 2027], "draw": np.arange(10)},
    )


def test_developers_table_beside_the_commentary_expectation() -> None:
    assert COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS == 3
    dataset = _developers_dataset()
    table = developers_table(dataset, year=2026).set_index("variant")
    assert list(table.reset_index().columns) == list(DEVELOPERS_COLUMNS)
    few = table.loc["few"]
    # inverted-cdf quantiles of 0,1,2,3,3,3,4,5,6,20: 5% -> 0, 50% -> 3, 95% -> 20
    assert (few["q05"], few["q50"], few["q95"]) == (0.0, 3.0, 20.0)
    assert few["mean"] == pytest.approx(4.7)
    assert few["share_at_most_expected"] == pytest.approx(0.6)  # 0,1,2,3,3,3
    assert few["commentary_expectation"] == 3 and few["year"] == 2026
    assert table.loc["many", "share_at_most_expected"] == 0.0
    # default: the last simulated year, named in the table
    last = developers_table(dataset).set_index("variant")
    assert set(last["year"]) == {2027}
    assert last.loc["few", "q95"] == 0.0 and last.loc["few", "share_at_most_expected"] == 1.0
    assert (last.loc["many", "q05"], last.loc["many", "q50"]) == (10.0, 14.0)
    assert developers_table(dataset, expected=10).set_index("variant").loc[
        "many", "share_at_most_expected"
    ] == pytest.approx(0.1)
    with pytest.raises(ConfigError, match="year 2030 was not simulated"):
        developers_table(dataset, year=2030)


def test_truth_and_assessment_come_from_one_posterior(small_fit) -> None:
    """Per-world truth thresholds and the pooled assessment samples have one distribution."""
    view = posterior_view(small_fit)
    index = np.arange(view.n_samples)
    a, _ = capability_needed(view, bar="raised", posterior_index=index, link_params="prior", seed=1)
    b, _ = capability_needed(view, bar="raised", posterior_index=index, link_params="prior", seed=2)
    finite = np.isfinite(a) & np.isfinite(b)
    assert stats.ks_2samp(a[finite], b[finite]).pvalue > 1e-3


def test_a_higher_uplift_threshold_needs_more_capability(small_fit) -> None:
    view = posterior_view(small_fit)
    raised = load_hazard_bars()["raised"]
    higher = raised.model_copy(update={"threshold": 3.0, "name": "raised_3x"})
    index = np.arange(0, view.n_samples, 3)
    low, _ = capability_needed(view, bar=raised, posterior_index=index, link_params="prior")
    high, _ = capability_needed(view, bar=higher, posterior_index=index, link_params="prior")
    assert np.all(high >= low)


def test_science_thresholds(small_fit) -> None:
    variants = load_variants("all")
    science = prepare_science(small_fit, variants=variants, config=SMALL, link_params="prior")
    assert set(science.assessment_thresholds) == {
        "current|unbounded",
        "current|f=0.25, 2 years",
        "raised|f=0.25, 2 years",
    }
    # A bounded allowance makes the current bar harder to meet than the unbounded one.
    t = science.assessment_thresholds
    assert t["current|f=0.25, 2 years"] >= t["current|unbounded"]
    assert science.truth_threshold.shape == (SMALL.draws,)
    assert np.all(np.isfinite(science.initial_reference))


def test_cli_simulate_and_population(small_fit, tmp_path: Path, capsys) -> None:
    fit_file = save_fit(small_fit, tmp_path / "fit.nc")
    out = tmp_path / "sim.nc"
    args = ["simulate", "--fit", str(fit_file), "--years", "2025:2026", "--draws", "20"]
    args += ["--variants", "enrolled,commentary_raised_bar", "--out", str(out)]
    assert main([*args, "--uplift-evidence", "prior", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "runs_covered" in printed and "commentary_raised_bar" in printed
    assert "Developers under full obligations in 2026" in printed
    assert "commentary's expectation (about 3" in printed
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert list(ds["variant"].values) == ["enrolled", "commentary_raised_bar"]
    before = out.read_bytes()
    assert main([*args, "--variants", "nonexistent"]) == EXIT_USAGE
    assert "nonexistent" in capsys.readouterr().err
    assert out.read_bytes() == before
    with pytest.raises(SystemExit) as info:
        main(["simulate", "--fit", str(fit_file), "--years", "2027:2025"])
    assert info.value.code == EXIT_USAGE and "FIRST <= LAST" in capsys.readouterr().err

    assert (
        main(
            [
                "population",
                "--years",
                "2025:2026",
                "--thresholds",
                "1e25",
                "1e26",
                "--draws",
                "200",
                "--format",
                "json",
            ]
        )
        == 0
    )
    records = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert len(records) == 4
    for record in records:
        assert list(record) == ["year", "threshold", "mean", "q05", "q50", "q95"]
        assert record["q05"] <= record["q50"] <= record["q95"]


def test_variant_objects_edited_in_memory_can_be_simulated(small_fit, world) -> None:
    (commentary,) = load_variants(["commentary"])
    higher = commentary.model_copy(
        update={
            "name": "commentary_1e27",
            "covered": commentary.covered.model_copy(update={"flop_threshold": 1e27}),
        }
    )
    dataset = simulate(
        small_fit, variants=["commentary", higher], config=SMALL, world=world, link_params="prior"
    )
    assert dataset["variant"].values.tolist() == ["commentary", "commentary_1e27"]
    covered = dataset["runs_covered"].sum("year")
    assert (covered.sel(variant="commentary_1e27") <= covered.sel(variant="commentary")).all()
    assert covered.sel(variant="commentary_1e27").sum() < covered.sel(variant="commentary").sum()
    rules = json.loads(dataset.attrs["variant_rules"])
    assert rules["commentary_1e27"]["covered"]["flop_threshold"] == 1e27
    with pytest.raises(ConfigError, match="selected twice"):
        simulate(small_fit, variants=[commentary, "commentary"], config=SMALL, world=world)
