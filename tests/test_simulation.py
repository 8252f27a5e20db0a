"""Tests of the policy simulation: science draws, reproducibility, dask, outputs, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from helpers import golden_world
from scipy import stats

from riskmodel.capability.predict import posterior_view
from riskmodel.capability.store import save_fit
from riskmodel.cli import EXIT_USAGE, main
from riskmodel.errors import ConfigError
from riskmodel.hazard.assess import capability_needed
from riskmodel.hazard.bars import load_hazard_bars
from riskmodel.policy.engine import (
    OUTCOMES,
    PER_DRAW_OUTCOMES,
    TRUTH_OUTCOMES,
    WORLD_OUTCOMES,
    apply_variant,
    count_hazardous,
)
from riskmodel.policy.variants import SHIPPED_VARIANTS, load_variants
from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.run import (
    COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS,
    DEVELOPERS_COLUMNS,
    SIMULATION_FORMAT,
    SUMMARY_COLUMNS,
    developers_table,
    save_simulation,
    simulate,
    summary_table,
)
from riskmodel.simulation.science import Science, prepare_science, run_attributes

#: A small run: 40 worlds, and 500 pooled samples for the developer's assessment (the
#: default 4,000 buys Monte Carlo precision these tests do not check).
SMALL = SimulationConfig(
    first_year=2025, last_year=2027, draws=40, chunk_draws=20, seed=11, assessment_samples=500
)
#: Outcomes of the simulation under truth = the raised bar alone on
#: :func:`helpers.golden_world`: v1 from the single-truth code (commit 9da249d); v2
#: regenerated when derivatives took the enhancement rule with its ceiling (issue 13 item 1)
#: and thresholds became functions of the release date.
GOLDEN = Path(__file__).resolve().parent / "golden" / "raised_truth_v2.npz"


@pytest.fixture(scope="module")
def world(shipped_world):  # noqa: ANN001, ANN201
    return shipped_world


@pytest.fixture(scope="module")
def small_simulation(small_fit, world) -> xr.Dataset:
    return simulate(small_fit, config=SMALL, world=world, link_params="prior")


def test_simulation_dataset(small_simulation: xr.Dataset) -> None:
    ds = small_simulation
    assert list(ds["variant"].values) == list(SHIPPED_VARIANTS)
    assert list(ds["year"].values) == [2025, 2026, 2027]
    assert list(ds["truth_bar"].values) == ["current", "raised"] == list(SMALL.truth_bars)
    assert ds.sizes["draw"] == 40
    # The truth_bar dimension on exactly the outcomes that depend on the truth.
    assert set(ds.data_vars) == {*OUTCOMES, *PER_DRAW_OUTCOMES, *WORLD_OUTCOMES}
    for name in ds.data_vars:
        judged = name in TRUTH_OUTCOMES
        assert ("truth_bar" in ds[name].dims) == judged, name
        assert ("truth" in ds[name].attrs) == judged, name
    for outcome in OUTCOMES:
        truth = ("truth_bar",) if outcome in TRUTH_OUTCOMES else ()
        assert ds[outcome].dims == ("variant", *truth, "year", "draw")
        assert np.all(ds[outcome].values >= 0) and ds[outcome].attrs["units"]
    for outcome in PER_DRAW_OUTCOMES:
        assert ds[outcome].dims == ("variant", "truth_bar", "draw")
    assert ds["hazardous_runs"].dims == ("truth_bar", "year", "draw")
    assert ds["runs"].dims == ("year", "draw")
    assert ds["first_hazard_time"].dims == ("truth_bar", "draw")
    assert ds.attrs["simulation_format"] == SIMULATION_FORMAT == 2
    assert json.loads(ds.attrs["truth_bars"]) == ["current", "raised"]
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
    # The two truth bars are different conditions (the current bar against the best
    # non-covered model, the raised bar against no AI): neither implies the other.
    hazardous = ds["hazardous_runs"].sum(["year", "draw"])
    assert hazardous.sel(truth_bar="current") != hazardous.sel(truth_bar="raised")
    assert float(hazardous.sum()) > 0
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


@pytest.mark.slow
def test_dask_local_cluster_equals_local(small_fit, world, small_simulation) -> None:
    distributed = pytest.importorskip("distributed")
    # ':0': a free port. With None the scheduler's HTTP routes still bind 8787, so two
    # test processes on one machine (xdist workers, two checkouts) collided.
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
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
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    truths = table.groupby("outcome")["truth_bar"].unique()
    for outcome, bars in truths.items():
        expected = ["current", "raised"] if outcome in TRUTH_OUTCOMES else [""]
        assert list(bars) == expected, outcome
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
    kwargs = {"bar": "raised", "posterior_index": index, "link_params": "prior"}
    a = capability_needed(view, dates=["2026-01-01"], seed=1, **kwargs).needed[:, 0]
    b = capability_needed(view, dates=["2026-01-01"], seed=2, **kwargs).needed[:, 0]
    finite = np.isfinite(a) & np.isfinite(b)
    a, b = a[finite], b[finite]
    # The samples are resampled by the record's weights, so values repeat and the KS
    # test's p-value for n iid draws is too small (it failed a fresh CI run at 0.00099).
    # Its asymptotic p-value at the number of distinct draws is the honest one.
    statistic = stats.ks_2samp(a, b).statistic
    n_a, n_b = np.unique(a).size, np.unique(b).size
    assert stats.kstwobign.sf(statistic * np.sqrt(n_a * n_b / (n_a + n_b))) > 1e-3


def test_a_higher_uplift_threshold_needs_more_capability(small_fit) -> None:
    view = posterior_view(small_fit)
    raised = load_hazard_bars()["raised"]
    higher = raised.model_copy(update={"threshold": 3.0, "name": "raised_3x"})
    index = np.arange(0, view.n_samples, 3)
    kwargs = {"posterior_index": index, "link_params": "prior", "dates": ["2026-01-01"]}
    low = capability_needed(view, bar=raised, **kwargs)
    high = capability_needed(view, bar=higher, **kwargs)
    np.testing.assert_array_equal(low.rows, high.rows)
    assert np.all(high.needed >= low.needed)


def test_the_current_bar_threshold_rises_with_the_non_covered_reference(small_fit) -> None:
    view = posterior_view(small_fit)
    index = np.arange(0, view.n_samples, 3)
    dates = ["2025-01-01", "2027-01-01", "2029-01-01"]
    result = capability_needed(
        view, bar="current", posterior_index=index, link_params="prior", dates=dates
    )
    assert result.needed.shape == (index.size, 3)
    finite = np.all(np.isfinite(result.needed), axis=1)
    # The best non-covered model improves with its methods, so the bar moves up with time.
    assert np.all(np.diff(result.needed[finite], axis=1) >= -1e-9)


def test_science_thresholds(small_fit) -> None:
    variants = load_variants("all")
    science = prepare_science(small_fit, variants=variants, config=SMALL, link_params="prior")
    assert set(science.assessment_thresholds) == {
        "current|unbounded",
        "current|f=0.25, cost 0.25, 2 years",
        "raised|f=0.25, cost 0.25, 2 years",
    }
    n_times = SMALL.last_year - SMALL.first_year + 2
    assert science.threshold_times.shape == (n_times,)
    # A bounded allowance makes the current bar harder to meet than the unbounded one.
    t = science.assessment_thresholds
    assert np.all(t["current|f=0.25, cost 0.25, 2 years"] >= t["current|unbounded"])
    assert list(science.truth_thresholds) == ["current", "raised"]
    assert science.truth_bars == ("current", "raised")
    for threshold in science.truth_thresholds.values():
        assert threshold.shape == (SMALL.draws, n_times)
    assert np.all(np.isfinite(science.initial_reference))
    # The raised truth is drawn exactly as when it was the only truth: one call with the
    # truth stream's seed (the other truth bars take the same worlds and draws).
    view = posterior_view(small_fit)
    rng = np.random.default_rng(np.random.SeedSequence(SMALL.seed).spawn(1)[0])
    pool = rng.integers(0, view.n_samples, size=SMALL.draws)
    dates = [f"{y}-01-01" for y in range(SMALL.first_year, SMALL.last_year + 2)]
    raised = capability_needed(
        view,
        bar="raised",
        posterior_index=pool,
        dates=dates,
        link_params="prior",
        seed=SMALL.seed + 1,
    )
    np.testing.assert_array_equal(science.posterior_index, raised.rows)
    np.testing.assert_array_equal(science.truth_thresholds["raised"], raised.needed)
    np.testing.assert_array_equal(
        science.enhancement.cheap_gain_max, raised.enhancement.cheap_gain_max
    )
    alone = prepare_science(
        small_fit,
        variants=variants,
        config=SMALL.model_copy(update={"truth_bars": ("raised",)}),
        link_params="prior",
    )
    np.testing.assert_array_equal(alone.truth_thresholds["raised"], raised.needed)
    np.testing.assert_array_equal(alone.method_rate, science.method_rate)


def test_cli_simulate_and_population(small_fit, tmp_path: Path, capsys) -> None:
    fit_file = save_fit(small_fit, tmp_path / "fit.nc")
    out = tmp_path / "sim.nc"
    args = ["simulate", "--fit", str(fit_file), "--years", "2025:2026", "--draws", "20"]
    args += ["--variants", "enrolled,commentary_raised_bar", "--out", str(out)]
    assert main([*args, "--uplift-evidence", "prior", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "runs_covered" in printed and "commentary_raised_bar" in printed
    for bar in ("current", "raised"):
        assert f"hazardous_not_covered (truth: {bar} bar)" in printed
        assert f"nonhazardous_burdened (truth: {bar} bar)" in printed
    assert "compliance_cost_usd (truth" not in printed
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


# --- truth bars ---------------------------------------------------------------------------


def _golden_outcomes(truth_bars: tuple[str, ...]) -> tuple[dict[str, np.ndarray], tuple]:
    """Outcomes of every shipped variant on :func:`helpers.golden_world` with these truths."""
    pop, fields, truth = golden_world()
    science = Science(
        **fields, truth_thresholds={b: truth[b] for b in truth_bars}, truth_bars=truth_bars
    )
    runs = run_attributes(pop, science, rng=np.random.default_rng(5))
    out = {f"world/{name}": v for name, v in count_hazardous(pop, runs).items()}
    for variant in load_variants("all"):
        for name, values in apply_variant(pop, runs, variant).items():
            out[f"{variant.name}/{name}"] = values
    return out, runs.truth_bars


@pytest.mark.parametrize("truth_bars", [("current", "raised"), ("raised", "current"), ("raised",)])
def test_raised_truth_reproduces_the_single_truth_code_bit_for_bit(truth_bars) -> None:
    """Under truth "raised", every outcome equals, bit for bit, what the code gave when the
    raised bar was the only truth (same seed and world, ``tests/golden``); the outcomes
    that do not depend on the truth are unchanged too."""
    out, order = _golden_outcomes(truth_bars)
    assert order == truth_bars
    k = truth_bars.index("raised")
    with np.load(GOLDEN) as golden:
        assert set(out) == set(golden.files)
        for key in golden.files:
            expected = golden[key]
            name = key.split("/", 1)[1]
            got = out[key][k] if name in TRUTH_OUTCOMES else out[key]
            assert got.dtype == expected.dtype and got.shape == expected.shape, key
            assert got.tobytes() == expected.tobytes(), key
    if "current" in truth_bars:  # the other truth is really another condition
        c = truth_bars.index("current")
        hazardous = out["world/hazardous_runs"]
        assert hazardous[c].sum() > hazardous[k].sum() > 0


def _two_truth_dataset() -> xr.Dataset:
    """Two variants, two truth bars, two years, four worlds; hand-set counts."""
    variants, truths, years = ["a", "b"], ["current", "raised"], [2026, 2027]
    missed = np.zeros((2, 2, 2, 4))
    missed[:, 0] = 5.0  # truth: current bar
    missed[:, 1] = 1.0  # truth: raised bar
    data = {}
    for name, (units, description) in OUTCOMES.items():
        if name in TRUTH_OUTCOMES:
            values, dims = missed, ("variant", "truth_bar", "year", "draw")
        else:
            values, dims = np.full((2, 2, 4), 2.0), ("variant", "year", "draw")
        data[name] = (dims, values, {"units": units, "description": description})
    for name, (units, _) in PER_DRAW_OUTCOMES.items():
        values = np.full((2, 2, 4), 2027.0)
        data[name] = (("variant", "truth_bar", "draw"), values, {"units": units})
    coords = {"variant": variants, "truth_bar": truths, "year": years, "draw": np.arange(4)}
    return xr.Dataset(data, coords=coords)


def test_summary_table_reports_each_truth_bar_and_reads_single_truth_files() -> None:
    table = summary_table(_two_truth_dataset())
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    missed = table[table["outcome"] == "hazardous_not_covered"]
    assert list(zip(missed["truth_bar"], missed["variant"], strict=True)) == [
        ("current", "a"),
        ("current", "b"),
        ("raised", "a"),
        ("raised", "b"),
    ]
    assert list(missed["q50"]) == [10.0, 10.0, 2.0, 2.0]  # summed over the two years
    cost = table[table["outcome"] == "compliance_cost_usd"]
    assert list(cost["truth_bar"]) == ["", ""] and list(cost["q50"]) == [4.0, 4.0]
    # A saved simulation of format 1 (no truth_bar dimension, one truth in its config).
    old = _two_truth_dataset().sel(truth_bar="raised", drop=True)
    old.attrs["simulation_config"] = json.dumps({"truth_bar": "raised"})
    table = summary_table(old)
    missed = table[table["outcome"] == "hazardous_not_covered"]
    assert list(missed["truth_bar"]) == ["raised", "raised"] and list(missed["q50"]) == [2, 2]
    assert set(table.loc[table["outcome"] == "runs_covered", "truth_bar"]) == {""}


def test_saved_two_truth_simulation_loads(tmp_path: Path) -> None:
    dataset = _two_truth_dataset()
    path = save_simulation(dataset, tmp_path / "sim.nc")
    with xr.open_dataset(path, engine="h5netcdf") as loaded:
        xr.testing.assert_identical(loaded.load(), dataset)
        assert loaded["truth_bar"].values.tolist() == ["current", "raised"]


def test_truth_bars_are_validated() -> None:
    assert SimulationConfig().truth_bars == ("current", "raised")
    with pytest.raises(ValueError, match="listed twice"):
        SimulationConfig(truth_bars=("raised", "raised"))
    with pytest.raises(ValueError, match="at least 1"):
        SimulationConfig(truth_bars=())
    # The former single truth bar still loads (deprecated), if it is one of truth_bars.
    assert SimulationConfig(truth_bar="raised").truth_bars == ("current", "raised")
    with pytest.raises(ValueError, match="not one of truth_bars"):
        SimulationConfig(truth_bars=("current",), truth_bar="raised")


def test_simulate_refuses_a_variant_whose_bar_is_not_in_use(small_fit, world) -> None:
    """Checked against the hazard bars of the run before any work."""
    (variant,) = load_variants(["commentary"])
    bad = variant.model_copy(
        update={"hazard": variant.hazard.model_copy(update={"bar": "nope"}), "path": ""}
    )
    with pytest.raises(ConfigError, match="variant 'commentary': 'hazard.bar' names unknown"):
        simulate(small_fit, variants=[bad], config=SMALL, world=world, link_params="prior")


def test_cli_simulate_reads_the_settings_file(small_fit, tmp_path: Path, capsys) -> None:
    """``simulate --config`` takes the [simulation] table, the uplift settings of [hazard]
    and the [files] of the one settings file (as ``riskmodel report``); flags override."""
    fit_file = save_fit(small_fit, tmp_path / "fit.nc")
    settings = tmp_path / "settings.toml"
    settings.write_text(
        "[simulation]\nfirst_year = 2025\nlast_year = 2026\ndraws = 30\n"
        'assessment_samples = 200\nevaluation_noise_sd = 0.6\ntruth_bars = ["raised"]\n\n'
        '[hazard]\nlink_params = "prior"\n',
        encoding="utf-8",
    )
    out = tmp_path / "sim.nc"
    args = ["simulate", "--fit", str(fit_file), "--variants", "enrolled", "--out", str(out)]
    assert main([*args, "--config", str(settings), "--draws", "20", "--no-progress"]) == 0
    assert "2025-2026, 20 simulated worlds" in capsys.readouterr().out
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        config = json.loads(ds.attrs["simulation_config"])
        assert config["draws"] == 20  # the flag wins over the file's 30
        assert config["evaluation_noise_sd"] == 0.6 and config["assessment_samples"] == 200
        assert config["truth_bars"] == ["raised"]
        assert ds.attrs["link_params"] == "prior"
    bad = tmp_path / "bad.toml"
    bad.write_text("[simulation]\ndraws_typo = 3\n", encoding="utf-8")
    assert main([*args, "--config", str(bad)]) == EXIT_USAGE
    assert "draws_typo" in capsys.readouterr().err
