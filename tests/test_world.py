"""Tests of the simulated world of training runs: fit, calibration, population, assumptions."""

from __future__ import annotations

import dataclasses
import json
import re
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.errors import ConfigError, EvidenceError, RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.world.fit import (
    DEFAULT_ASSUMPTIONS_PATH,
    DEFAULT_MODELS_PATH,
    PARAMETER_UNITS,
    CountParams,
    WorldFit,
    fit_count_model,
    fit_world,
    load_world_assumptions,
)
from riskmodel.world.generate import (
    calibration_table,
    expected_base_runs,
    predictive_counts,
    sample_population,
    simulate_recorded_runs,
)
from riskmodel.world.population import Population

FIT_YEARS = range(2018, 2025)
FUTURE = (2025, 2026, 2027)
#: Parameter draws of the shared fit (enough for stable 90% intervals, fast to fit).
N_DRAWS = 2000
#: Simulated worlds per population test.
N_WORLDS = 200
#: Known count-model parameters for recovery: the shipped fit's MLE with 3x the runs.
KNOWN = {"alpha": 2.87 + np.log(3.0), "beta": 0.63, "gamma": 0.6, "delta": 2.5, "mu": 0.61}
#: Replicate datasets in the recovery test.
N_REPLICATES = 40


@pytest.fixture(scope="module")
def world() -> WorldFit:
    return fit_world(n_draws=N_DRAWS, seed=0)


@pytest.fixture(scope="module")
def population(world: WorldFit) -> Population:
    return sample_population(
        world, draw_index=np.arange(N_WORLDS), years=FUTURE, rng=np.random.default_rng(7)
    )


# --- fit -------------------------------------------------------------------------------


def test_fit_shapes_names_and_provenance(world: WorldFit) -> None:
    for name in PARAMETER_UNITS:
        values = getattr(world, name)
        assert values.shape == (N_DRAWS,), name
        assert np.all(np.isfinite(values)), name
        assert not values.flags.writeable, name
    assert world.frontier_developers[:3] == ("OpenAI", "Google DeepMind", "Anthropic")
    assert len(world.frontier_developers) == world.assumptions.n_frontier_developers == 5
    assert set(world.draws) == set(PARAMETER_UNITS)
    assert world.data_vintage == "2025-02-27"
    assert world.fit_years == (2018, 2024)
    assert np.all(world.delta > 0) and np.all(world.cost_s > 0)
    summary = json.loads(json.dumps(world.to_dict()))
    assert summary["count_form"] == "curved"
    assert {row["parameter"] for row in summary["parameters"]} == set(PARAMETER_UNITS)
    counts = world.observed_counts.set_index("year")
    assert list(counts.columns) == ["ge_1e23", "ge_1e24", "ge_1e25", "ge_1e26"]
    assert counts.loc[2024, "ge_1e25"] == 12 and counts.loc[2023, "ge_1e25"] == 4
    assert counts["ge_1e26"].sum() == 0
    assert np.all(np.diff(counts.to_numpy(), axis=1) <= 0)


def test_loglinear_form_is_checked_and_fits_worse(world: WorldFit) -> None:
    d = world.diagnostics
    assert d["aic_curved"] < d["aic_loglinear"] - 10
    assert d["lr_p_value"] < 1e-6
    assert d["tier_aic_relative"] < d["tier_aic_absolute"]


def test_calibration_in_sample(world: WorldFit) -> None:
    table = calibration_table(world, thresholds=(1e24, 1e25), n_draws=1000, seed=0)
    assert list(table.columns) == [
        "year",
        "threshold",
        "observed",
        "mean",
        "q05",
        "q95",
        "covered",
    ]
    assert len(table) == 14
    print("\n" + table.to_string())
    missed = table[~table["covered"]]
    assert len(missed) <= 1, f"counts outside the 90% predictive interval:\n{missed}"


def test_count_model_recovers_known_parameters() -> None:
    known = CountParams("curved", **KNOWN)
    truth = known.to_vector()
    z, covered = [], []
    for seed in range(N_REPLICATES):
        rng = np.random.default_rng(seed)
        x, year = simulate_recorded_runs(known, years=FIT_YEARS, floor_log10_flop=23.0, rng=rng)
        fit = fit_count_model(x, year, years=FIT_YEARS, floor_log10_flop=23.0)
        se = np.sqrt(np.diag(fit.covariance))
        z.append((fit.theta - truth) / se)
        covered.append(np.abs(fit.theta - truth) <= 1.645 * se)
    z_arr, coverage = np.array(z), np.mean(covered, axis=0)
    assert np.all(np.abs(z_arr.mean(axis=0)) < 0.5), z_arr.mean(axis=0)
    assert np.all(coverage >= 0.75), coverage


def test_count_model_recovery_with_much_data() -> None:
    known = CountParams("curved", **{**KNOWN, "alpha": KNOWN["alpha"] + np.log(10.0)})
    x, year = simulate_recorded_runs(
        known, years=FIT_YEARS, floor_log10_flop=23.0, rng=np.random.default_rng(3)
    )
    fit = fit_count_model(x, year, years=FIT_YEARS, floor_log10_flop=23.0)
    estimates = fit.estimates()
    for name, tolerance in {"beta": 0.2, "gamma": 0.2, "mu": 0.05}.items():
        assert abs(estimates[name] - KNOWN[name]) < tolerance, (name, estimates[name])
    assert abs(np.log(estimates["delta"] / KNOWN["delta"])) < 0.2


def test_loglinear_recovery() -> None:
    known = CountParams("loglinear", alpha=3.0, beta=0.6, gamma=0.8, delta=0.0, mu=0.0)
    x, year = simulate_recorded_runs(
        known, years=FIT_YEARS, floor_log10_flop=23.0, rng=np.random.default_rng(5)
    )
    assert np.all(x >= 23.0)
    fit = fit_count_model(x, year, years=FIT_YEARS, floor_log10_flop=23.0, form="loglinear")
    se = fit.standard_errors()
    estimates = fit.estimates()
    assert abs(estimates["alpha"] - 3.0) < 3 * se["alpha"]
    assert abs(estimates["beta"] - 0.6) < 3 * se["beta"]
    assert abs(np.log(estimates["gamma"] / 0.8)) < 3 * se["ln_gamma"]


def test_cost_per_flop_falls(world: WorldFit, population: Population) -> None:
    assert np.mean(world.cost_b < 0) > 0.99
    assert -18.5 < world.estimates["cost_a"] < -17.5
    base = ~population.is_derivative
    per_flop = np.log10(population.cost_usd[base]) - population.log10_flop[base]
    years = population.year[base]
    medians = [np.median(per_flop[years == y]) for y in FUTURE]
    assert medians[0] > medians[1] > medians[2]


def test_fit_refuses_data_after_vintage() -> None:
    models = pd.read_csv(DEFAULT_MODELS_PATH)
    row = models[models["source"].str.contains("epoch_notable_models")].iloc[[0]].copy()
    row["model"], row["release_date"] = "future model", "2025-06-01"
    with pytest.raises(EvidenceError, match="after the data vintage"):
        fit_world(pd.concat([models, row]), n_draws=10)


def test_fit_accepts_evidence_models_table(world: WorldFit, shipped_evidence: Evidence) -> None:
    other = fit_world(shipped_evidence.models, n_draws=N_DRAWS, seed=0)
    np.testing.assert_allclose(other.alpha, world.alpha)
    assert other.frontier_developers == world.frontier_developers


# --- population ------------------------------------------------------------------------


def test_population_invariants(world: WorldFit, population: Population) -> None:
    pop = population.validate()
    assert pop.n_draws == N_WORLDS and pop.years == FUTURE
    assert set(np.unique(pop.draw)) == set(range(N_WORLDS))
    for name, dtype in {
        "draw": np.int64,
        "year": np.int64,
        "developer": np.int64,
        "parent": np.int64,
        "release_time": np.float64,
        "frontier_tier": np.bool_,
        "loophole_attempt": np.bool_,
    }.items():
        assert getattr(pop, name).dtype == dtype, name
    assert np.all(np.floor(pop.release_time).astype(np.int64) == pop.year)
    same_draw = np.diff(pop.draw) == 0
    assert np.all(np.diff(pop.release_time)[same_draw] >= 0)
    derived = np.flatnonzero(pop.is_derivative)
    parents = pop.parent[derived]
    assert derived.size > 0
    assert np.all(pop.release_time[parents] < pop.release_time[derived])
    assert np.all(pop.frontier_tier == (pop.developer < pop.n_frontier_developers))
    ordinary = derived[~pop.loophole_attempt[derived]]
    assert np.all(pop.developer[ordinary] != pop.developer[pop.parent[ordinary]])
    assert np.all(pop.log10_flop[~pop.is_derivative] >= world.assumptions.floor_log10_flop)
    assert np.all(pop.cost_usd > 0)


def test_loophole_rows(world: WorldFit, population: Population) -> None:
    pop, a = population, world.assumptions
    loophole = np.flatnonzero(pop.loophole_attempt)
    assert loophole.size > 0
    assert np.all(pop.is_derivative[loophole])
    parent = pop.parent[loophole]
    ratio = pop.log10_flop[loophole] - pop.log10_flop[parent]
    assert np.all(ratio >= np.log10(a.loophole_min_flop_multiple) - 1e-9)
    assert np.all(pop.log10_flop[loophole] >= a.loophole_min_log10_flop)
    assert np.all(pop.open_weights[parent] | (pop.developer[parent] == pop.developer[loophole]))
    eligible = (~pop.is_derivative | pop.loophole_attempt) & (
        pop.log10_flop >= a.loophole_min_log10_flop
    )
    share = loophole.size / eligible.sum()
    assert 0.5 * a.loophole_share < share < 1.5 * a.loophole_share


def test_same_seed_same_population_and_different_seeds_differ(world: WorldFit) -> None:
    def make(seed: int) -> Population:
        return sample_population(
            world, draw_index=np.arange(20), years=FUTURE, rng=np.random.default_rng(seed)
        )

    a, b, c = make(11), make(11), make(12)
    for field in dataclasses.fields(Population):
        value = getattr(a, field.name)
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, getattr(b, field.name), err_msg=field.name)
    assert a.n_runs != c.n_runs or not np.array_equal(a.log10_flop, c.log10_flop)


def test_draw_index_selects_parameter_draws(world: WorldFit) -> None:
    pop = sample_population(
        world, draw_index=np.array([5, 5, 9]), years=(2026,), rng=np.random.default_rng(0)
    )
    assert pop.n_draws == 3 and pop.years == (2026,)
    with pytest.raises(RiskmodelError, match="draw_index"):
        sample_population(
            world, draw_index=np.array([N_DRAWS]), years=(2026,), rng=np.random.default_rng(0)
        )


@pytest.mark.parametrize(
    ("form", "sub_frontier"), [("loglinear", "as_recorded"), ("curved", "as_recorded")]
)
def test_other_model_choices_generate(world: WorldFit, form: str, sub_frontier: str) -> None:
    assumptions = dataclasses.replace(world.assumptions, count_form=form, sub_frontier=sub_frontier)
    other = fit_world(assumptions=assumptions, n_draws=200, seed=1)
    pop = sample_population(
        other, draw_index=np.arange(50), years=FUTURE, rng=np.random.default_rng(2)
    )
    assert pop.n_runs > 0
    if form == "loglinear":
        assert np.all(other.delta == 0)


def test_hold_peak_adds_runs_below_the_frontier(world: WorldFit) -> None:
    held = expected_base_runs(world, years=(2030,))["mean"].iloc[0]
    recorded = predictive_counts(world, years=(2030,), thresholds=(1e23,))["mean"].iloc[0]
    assert held > recorded


# --- predictive counts -----------------------------------------------------------------


def test_predictive_counts_columns_and_monotone(world: WorldFit) -> None:
    thresholds = (1e23, 1e24, 1e25, 1e26, 1e27)
    table = predictive_counts(world, years=range(2024, 2031), thresholds=thresholds, n_draws=500)
    assert list(table.columns) == ["year", "threshold", "mean", "q05", "q50", "q95"]
    assert len(table) == 7 * len(thresholds)
    for _, group in table.groupby("year"):
        group = group.sort_values("threshold")
        for column in ("mean", "q05", "q50", "q95"):
            assert np.all(np.diff(group[column].to_numpy()) <= 1e-9), column
    assert np.all(table["q05"] <= table["q50"]) and np.all(table["q50"] <= table["q95"])
    at_1e26 = table[table["threshold"] == 1e26].set_index("year")["mean"]
    assert at_1e26.loc[2030] > at_1e26.loc[2025] > at_1e26.loc[2024]


def test_predictive_counts_refuses_threshold_below_floor(world: WorldFit) -> None:
    with pytest.raises(RiskmodelError, match="below the model's floor"):
        predictive_counts(world, years=(2025,), thresholds=(1e22,))


# --- assumptions file ------------------------------------------------------------------

BAD_EDITS = [
    # (regex on the shipped text, replacement, key the message must name)
    (r"(\[derivatives\.per_open_base\]\nvalue = )2\.0", r"\g<1>-1.0", "derivatives.per_open_base"),
    (r"(\[derivatives\.frontier_share\]\nvalue = )0\.1", r"\g<1>1.5", "derivatives.frontier_share"),
    (r"(\[developers\.n_frontier\]\nvalue = )5", r'\g<1>"five"', "developers.n_frontier"),
    (r"(\[developers\.n_frontier\]\nvalue = )5", r"\g<1>0", "developers.n_frontier"),
    (r"(\[count_model\.form\]\nvalue = )\"curved\"", r'\g<1>"cubic"', "count_model.form"),
    (r"(\[loopholes\.share\]\n)value = 0\.05\n", r"\1", "loopholes.share.value"),
    (r"(\[loopholes\.share\]\n)", r"\1colour = 1\n", "loopholes.share.colour"),
    (r"\[loopholes\.min_flop_multiple\]", "[loopholes.max_flop_multiple]", "max_flop_multiple"),
    (r"(\[derivatives\.mean_lag_years\]\nvalue = )0\.5", r"\g<1>0.0", "mean_lag_years"),
    (r"(\[derivatives\.per_closed_base\](?:\n.*)*?\n)elicited = true", r"\1", "per_closed_base"),
    (r"q95 = 0\.2\n", "q95 = 0.001\n", "derivatives.flop_fraction"),
    (r'version = "0\.1\.0"', 'version = "0.1.0"\nextra = 1', "extra"),
]


@pytest.mark.parametrize(("pattern", "replacement", "key"), BAD_EDITS)
def test_bad_assumptions_raise_config_error(
    tmp_path: Path, pattern: str, replacement: str, key: str
) -> None:
    text = DEFAULT_ASSUMPTIONS_PATH.read_text(encoding="utf-8")
    edited, n = re.subn(pattern, replacement, text, count=1)
    assert n == 1, pattern
    path = tmp_path / "world.toml"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_world_assumptions(path)
    assert key in str(info.value) and str(path) in str(info.value)


def test_unreadable_assumptions_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_world_assumptions(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[count_model\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not parse"):
        load_world_assumptions(broken)


def test_shipped_assumptions_are_documented() -> None:
    a = load_world_assumptions()
    assert a.floor_log10_flop == 23.0 and a.n_frontier_developers == 5
    assert a.derivative_flop_fraction.ok
    assert abs(a.derivative_flop_fraction.ppf(0.5) - 0.01) < 1e-9
    assert json.loads(json.dumps(a.to_dict()))["count_form"] == "curved"


# --- size and speed --------------------------------------------------------------------


@pytest.mark.slow
def test_thousand_worlds_are_fast_and_small(world: WorldFit) -> None:
    start = time.perf_counter()
    pop = sample_population(
        world,
        draw_index=np.arange(1000),
        years=range(2025, 2031),
        rng=np.random.default_rng(0),
    )
    elapsed = time.perf_counter() - start
    nbytes = sum(
        getattr(pop, f.name).nbytes
        for f in dataclasses.fields(Population)
        if isinstance(getattr(pop, f.name), np.ndarray)
    )
    assert elapsed < 30.0
    assert nbytes < 512 * 2**20
