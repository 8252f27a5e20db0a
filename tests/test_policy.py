"""Tests of the policy variants and the engine: hand-computed worlds and rule properties."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import numpy as np
import pytest
from helpers import linear_progress
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.policy.engine import (
    OUTCOMES,
    PER_DRAW_OUTCOMES,
    TRUTH_OUTCOMES,
    WORLD_OUTCOMES,
    RunAttributes,
    _lde_reference,
    apply_variant,
    count_hazardous,
    hazard_key,
)
from riskmodel.policy.lde import pass_probability
from riskmodel.policy.variants import (
    SHIPPED_VARIANTS,
    VARIANTS_DIR,
    PolicyVariant,
    load_variant,
    load_variants,
    variant_toml,
)
from riskmodel.world.population import Population

# --- variants as data -----------------------------------------------------------------


def test_shipped_variants_load_and_are_annotated() -> None:
    variants = load_variants("all")
    assert [v.name for v in variants] == list(SHIPPED_VARIANTS)
    for variant in variants:
        for rule in (variant.covered, variant.derivatives, variant.lde, variant.hazard):
            assert len(rule.annotation) > 20
    by_name = {v.name: v for v in variants}
    assert by_name["as_introduced"].covered.performance_equivalent_year == 2024
    assert by_name["as_amended"].lde.pretraining == "none"
    assert by_name["enrolled"].covered.cost_threshold_usd == 1e8
    assert by_name["enrolled"].derivatives.finetune_flop_threshold == 3e25
    assert by_name["commentary"].derivatives.max_flop_fraction == 0.25
    assert by_name["commentary"].hazard.bar == "current"
    assert by_name["commentary_raised_bar"].hazard.bar == "raised"
    assert by_name["commentary_raised_bar"].hazard.enhancement.flop_fraction == 0.25


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = (VARIANTS_DIR / "commentary.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("flop_threshold = 1e26", "flop_threshold = -1", "covered.flop_threshold"),
        ('rule = "fraction_limit"', 'rule = "sometimes"', "derivatives.rule"),
        ("max_flop_fraction = 0.25\n", "", "derivatives"),
        ('pretraining = "mean"', 'pretraining = "most"', "lde.pretraining"),
        ('bar = "current"', 'bar = "medium"', "hazard.bar"),
        ("horizon_years = 2.0", "horizon_years = -2.0", "hazard.enhancement.horizon_years"),
        ("[covered]", "[covered]\nflop_treshold = 1e25", "covered.flop_treshold"),
        ('title = "', 'titel = "x"\ntitle = "', "titel"),
    ],
)
def test_bad_variant_file_names_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    assert old in BASE
    path = _write(tmp_path, BASE.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_variant(path)
    assert str(path) in str(info.value)
    assert key in str(info.value)


def test_variant_cost_consistency_and_toml_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE + "\n[obligations]\nsafety_case_cost_usd = 9e6\n")
    with pytest.raises(ConfigError, match="obligations.*protocol_cost_usd"):
        load_variant(path)
    with pytest.raises(ConfigError, match="does not parse"):
        load_variant(_write(tmp_path, "title = \n"))
    with pytest.raises(ConfigError, match="unknown policy variant 'enroled'"):
        load_variants("enroled")


def test_user_variant_by_path(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE.replace("flop_threshold = 1e26", "flop_threshold = 1e25"))
    (variant,) = load_variants([str(path)])
    assert variant.name == "mine" and variant.covered.flop_threshold == 1e25


# --- a hand-computed world ---------------------------------------------------------------
#
# One world, 2026-2027, reference: capability 0 = 1e23 FLOP at 2023.0, progress (method
# progress plus reasoning gain) taken linear at 0.5 dex/year, so the performance-equivalence
# reference (the best 1e26 model of 2024's methods, progress at the end of 2024) is 4.0.
# row  time    own log10 FLOP  cost    dev open parent capability truly found
#  0   2026.1  26.5            5e8     0   no   -      4.0        no    no
#  1   2026.3  25.5            5e7     5   yes  -      3.2        no    no
#  2   2026.5  24.0 (1%)       2e6     6   yes  0      4.05       no    no
#  3   2026.8  26.3 (6.3x)     3e8     7   yes  1      4.5        yes   yes  (loophole)
#  4   2027.2  26.2            8e7     1   yes  -      4.0        no    no
#  5   2027.5  25.0            3e7     8   yes  -      4.2        no    no
# Initial LDE reference 3.0; all LDE uniforms 0.5. Under the introduced bill row 4's LDE
# reference is row 3 (4.5: a derivative, so not covered), a 0.5 dex gap: it passes.


@pytest.fixture()
def hand_world() -> tuple[Population, RunAttributes]:
    pop = Population(
        draw=np.zeros(6, dtype=np.int64),
        year=np.array([2026, 2026, 2026, 2026, 2027, 2027]),
        release_time=np.array([2026.1, 2026.3, 2026.5, 2026.8, 2027.2, 2027.5]),
        log10_flop=np.array([26.5, 25.5, 24.0, 26.3, 26.2, 25.0]),
        cost_usd=np.array([5e8, 5e7, 2e6, 3e8, 8e7, 3e7]),
        developer=np.array([0, 5, 6, 7, 1, 8]),
        frontier_tier=np.array([True, False, False, False, True, False]),
        open_weights=np.array([False, True, True, True, True, True]),
        parent=np.array([-1, -1, 0, 1, -1, -1]),
        loophole_attempt=np.array([False, False, False, True, False, False]),
        n_draws=1,
        years=(2026, 2027),
        n_frontier_developers=5,
    ).validate()
    truly = np.array([False, False, False, True, False, False])
    keys = {hazard_key(v) for v in load_variants("all")}
    runs = RunAttributes(
        capability=np.array([4.0, 3.2, 4.05, 4.5, 4.0, 4.2]),
        truly_hazardous={"raised": truly},
        found_hazardous=dict.fromkeys(keys, truly.copy()),
        lde_uniform=np.full(6, 0.5),
        initial_reference=np.array([3.0]),
        progress_at=linear_progress(np.array([0.5])),
        reference_log10_flop=23.0,
        reference_time=2023.0,
    )
    return pop, runs


EXPECTED = {
    # outcome: {variant: (2026, 2027)}
    "runs_covered": {
        "as_introduced": (1, 2),
        "as_amended": (1, 2),
        "enrolled": (1, 0),
        "commentary": (2, 1),
    },
    "runs_exempt": {
        "as_introduced": (1, 2),
        "as_amended": (0, 0),
        "enrolled": (0, 0),
        "commentary": (1, 1),
    },
    "compliance_cost_usd": {
        "as_introduced": (2.5e6, 1.0e6),
        "as_amended": (1.5e7, 1.22e7),
        "enrolled": (1.5e7, 0.0),
        "commentary": (2.45e7, 5e5),
    },
    "developers_full_obligations": {
        "as_introduced": (0, 0),
        "as_amended": (1, 2),
        "enrolled": (1, 0),
        "commentary": (1, 0),
    },
    "hazardous_not_covered": {
        "as_introduced": (1, 0),
        "as_amended": (1, 0),
        "enrolled": (1, 0),
        "commentary": (0, 0),
    },
    "nonhazardous_burdened": {
        "as_introduced": (0, 0),
        "as_amended": (1, 2),
        "enrolled": (1, 0),
        "commentary": (0, 0),
    },
    "open_weights_blocked_hazardous": {
        "as_introduced": (0, 0),
        "as_amended": (0, 0),
        "enrolled": (0, 0),
        "commentary": (1, 0),
    },
    "open_weights_blocked_nonhazardous": {
        "as_introduced": (0, 0),
        "as_amended": (0, 0),
        "enrolled": (0, 0),
        "commentary": (0, 0),
    },
    "derivative_loophole_uses": {
        "as_introduced": (1, 0),
        "as_amended": (1, 0),
        "enrolled": (1, 0),
        "commentary": (0, 0),
    },
}


@pytest.mark.parametrize("variant_name", ["as_introduced", "as_amended", "enrolled", "commentary"])
def test_hand_computed_world(hand_world, variant_name: str) -> None:
    pop, runs = hand_world
    (variant,) = load_variants([variant_name])
    out = apply_variant(pop, runs, variant)
    assert set(OUTCOMES) <= set(out)
    for outcome, by_variant in EXPECTED.items():
        expected = np.array(by_variant[variant_name], dtype=float)[:, None]
        got = out[outcome][0] if outcome in TRUTH_OUTCOMES else out[outcome]  # one truth
        np.testing.assert_allclose(got, expected, rtol=1e-12, err_msg=outcome)
    gap = out["hazard_coverage_gap_years"][0, 0]
    if variant_name == "commentary":
        assert gap == 0.0 and out["first_covered_hazard_time"][0, 0] == pytest.approx(2026.8)
    else:
        assert np.isinf(gap) and np.isnan(out["first_covered_hazard_time"][0, 0])


def test_open_weights_blocked_if_covered(hand_world) -> None:
    pop, runs = hand_world
    (variant,) = load_variants(["as_amended"])
    strict = variant.model_copy(
        update={
            "obligations": variant.obligations.model_copy(
                update={"open_weights_blocked_if": "covered"}
            )
        }
    )
    out = apply_variant(pop, runs, strict)
    # Obligated open-weight runs: row 2 (derivative of row 0) in 2026, rows 4 and 5 in 2027.
    np.testing.assert_array_equal(out["open_weights_blocked_nonhazardous"][0, :, 0], [1, 2])


# --- properties of the rules ---------------------------------------------------------


@st.composite
def worlds(draw) -> tuple[Population, RunAttributes, np.ndarray]:
    """Random small worlds (2 draws, 2 years) with structure, attributes and findings."""
    n = draw(st.integers(min_value=1, max_value=25))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    draw_id = np.sort(rng.integers(0, 2, n))
    time = np.empty(n)
    for d in (0, 1):
        idx = np.flatnonzero(draw_id == d)
        time[idx] = np.sort(rng.uniform(2026.0, 2028.0, idx.size))
    parent = np.full(n, -1)
    for i in range(n):
        earlier = [j for j in range(i) if draw_id[j] == draw_id[i] and parent[j] < 0]
        if earlier and rng.random() < 0.4:
            parent[i] = rng.choice(earlier)
    log10_flop = rng.uniform(23.0, 27.5, n)
    pop = Population(
        draw=draw_id.astype(np.int64),
        year=np.floor(time).astype(np.int64),
        release_time=time,
        log10_flop=log10_flop,
        cost_usd=10.0 ** (log10_flop - 17.5 + rng.normal(0, 0.3, n)),
        developer=rng.integers(0, 8, n),
        frontier_tier=rng.random(n) < 0.3,
        open_weights=rng.random(n) < 0.5,
        parent=parent,
        loophole_attempt=(parent >= 0) & (rng.random(n) < 0.3),
        n_draws=2,
        years=(2026, 2027),
        n_frontier_developers=3,
    ).validate()
    capability = log10_flop - 23.0 + 0.5 * (time - 2023.0) + rng.normal(0, 0.4, n)
    found = rng.random(n) < 0.3
    runs = RunAttributes(
        capability=capability,
        truly_hazardous={"current": rng.random(n) < 0.4, "raised": rng.random(n) < 0.3},
        found_hazardous={},
        lde_uniform=rng.random(n),
        initial_reference=rng.uniform(2.0, 4.0, 2),
        progress_at=linear_progress(np.array([0.4, 0.6])),
        reference_log10_flop=23.0,
        reference_time=2023.0,
    )
    return pop, runs, found


def _with_found(runs: RunAttributes, variant: PolicyVariant, found: np.ndarray) -> RunAttributes:
    return RunAttributes(**{**runs.__dict__, "found_hazardous": {hazard_key(variant): found}})


def _covered_variant(variant: PolicyVariant, log10_threshold: float) -> PolicyVariant:
    covered = variant.covered.model_copy(update={"flop_threshold": 10.0**log10_threshold})
    return variant.model_copy(update={"covered": covered})


@settings(max_examples=60, deadline=None)
@given(
    world=worlds(),
    name=st.sampled_from(SHIPPED_VARIANTS),
    t1=st.floats(24, 27.5),
    dt=st.floats(0, 2),
)
def test_lower_flop_threshold_never_covers_fewer(world, name, t1, dt) -> None:
    pop, runs, found = world
    (variant,) = load_variants([name])
    runs = _with_found(runs, variant, found)
    high = apply_variant(pop, runs, _covered_variant(variant, t1 + dt))
    low = apply_variant(pop, runs, _covered_variant(variant, t1))
    assert np.all(low["runs_covered"] >= high["runs_covered"])


@settings(max_examples=60, deadline=None)
@given(
    world=worlds(), name=st.sampled_from(["as_introduced", "commentary", "commentary_raised_bar"])
)
def test_removing_the_lde_never_lowers_cost_nor_covers_fewer(world, name) -> None:
    pop, runs, found = world
    (variant,) = load_variants([name])
    runs = _with_found(runs, variant, found)
    no_lde = variant.model_copy(
        update={"lde": variant.lde.model_copy(update={"pretraining": "none", "safety_case": False})}
    )
    with_lde = apply_variant(pop, runs, variant)
    without = apply_variant(pop, runs, no_lde)
    assert np.all(without["runs_covered"] >= with_lde["runs_covered"])
    assert np.all(without["compliance_cost_usd"] >= with_lde["compliance_cost_usd"] - 1e-6)
    assert np.all(without["hazardous_not_covered"] <= with_lde["hazardous_not_covered"])


@settings(max_examples=60, deadline=None)
@given(world=worlds(), name=st.sampled_from(SHIPPED_VARIANTS), data=st.data())
def test_a_higher_hazard_bar_never_blocks_more_open_weight_releases(world, name, data) -> None:
    """A higher bar finds a subset of the runs hazardous (the assessment threshold rises)."""
    pop, runs, found = world
    (variant,) = load_variants([name])
    keep = np.array(data.draw(st.lists(st.booleans(), min_size=pop.n_runs, max_size=pop.n_runs)))
    lower_bar = apply_variant(pop, _with_found(runs, variant, found), variant)
    higher_bar = apply_variant(pop, _with_found(runs, variant, found & keep), variant)
    for outcome in ("open_weights_blocked_hazardous", "open_weights_blocked_nonhazardous"):
        assert np.all(higher_bar[outcome] <= lower_bar[outcome])


def test_segmented_reference_ignores_other_draws(hand_world) -> None:
    """Appending a second world must not change the first world's outcomes."""
    pop, runs = hand_world
    (variant,) = load_variants(["as_introduced"])
    alone = apply_variant(pop, runs, variant)
    twice = Population(
        **{
            **{
                k: np.concatenate([v, v])
                for k, v in pop.__dict__.items()
                if isinstance(v, np.ndarray)
            },
            "draw": np.repeat([0, 1], pop.n_runs),
            "parent": np.concatenate(
                [pop.parent, np.where(pop.parent >= 0, pop.parent + pop.n_runs, -1)]
            ),
            "n_draws": 2,
            "years": pop.years,
            "n_frontier_developers": pop.n_frontier_developers,
        }
    ).validate()
    runs2 = RunAttributes(
        **{
            **runs.__dict__,
            "capability": np.concatenate([runs.capability, runs.capability + 5.0]),
            "truly_hazardous": {
                bar: np.concatenate([truly] * 2) for bar, truly in runs.truly_hazardous.items()
            },
            "found_hazardous": {k: np.concatenate([v, v]) for k, v in runs.found_hazardous.items()},
            "lde_uniform": np.concatenate([runs.lde_uniform] * 2),
            "initial_reference": np.array([3.0, 3.0]),
            "progress_at": linear_progress(np.array([0.5, 0.5])),
        }
    )
    both = apply_variant(twice, runs2, variant)
    for outcome in OUTCOMES:
        np.testing.assert_array_equal(both[outcome][..., :1], alone[outcome], err_msg=outcome)


def test_empty_world_gives_zero_outcomes() -> None:
    empty_f, empty_i, empty_b = np.array([]), np.array([], dtype=np.int64), np.array([], bool)
    pop = Population(
        draw=empty_i,
        year=empty_i,
        release_time=empty_f,
        log10_flop=empty_f,
        cost_usd=empty_f,
        developer=empty_i,
        frontier_tier=empty_b,
        open_weights=empty_b,
        parent=empty_i,
        loophole_attempt=empty_b,
        n_draws=2,
        years=(2026,),
        n_frontier_developers=3,
    ).validate()
    for variant in load_variants("all"):
        runs = RunAttributes(
            capability=empty_f,
            truly_hazardous={"current": empty_b, "raised": empty_b},
            found_hazardous={hazard_key(variant): empty_b},
            lde_uniform=empty_f,
            initial_reference=np.zeros(2),
            progress_at=linear_progress(np.full(2, 0.5)),
            reference_log10_flop=23.0,
            reference_time=2023.0,
        )
        out = apply_variant(pop, runs, variant)
        for outcome in OUTCOMES:
            shape = (2, 1, 2) if outcome in TRUTH_OUTCOMES else (1, 2)
            np.testing.assert_array_equal(out[outcome], np.zeros(shape))
        assert np.all(np.isnan(out["hazard_coverage_gap_years"]))


# --- truth: outcomes judged under each truth bar ----------------------------------------

#: The outcomes that count runs by whether they are truly hazardous (per truth bar); the
#: others follow from the rules and the developers' findings alone.
JUDGED_BY_TRUTH = {
    "hazardous_not_covered",
    "nonhazardous_burdened",
    "open_weights_blocked_hazardous",
    "open_weights_blocked_nonhazardous",
    "first_covered_hazard_time",
    "hazard_coverage_gap_years",
    "hazardous_runs",
    "first_hazard_time",
}


def _with_truths(runs: RunAttributes, truths: dict[str, np.ndarray]) -> RunAttributes:
    return RunAttributes(**{**runs.__dict__, "truly_hazardous": truths})


def _finds_exactly(base: PolicyVariant) -> PolicyVariant:
    """``base`` with every run covered, every derivative a new model, no pre-training
    exemption and a safety case: full obligations fall exactly on the runs found
    hazardous."""
    covered = base.covered.model_copy(
        update={
            "flop_threshold": 1e20,
            "cost_threshold_usd": None,
            "performance_equivalent_year": None,
            "performance_equivalent_flop": None,
        }
    )
    derivatives = base.derivatives.model_copy(
        update={"rule": "fraction_limit", "max_flop_fraction": 1e-9, "max_cost_fraction": 1e-9}
    )
    lde = base.lde.model_copy(update={"pretraining": "none", "safety_case": True})
    obligations = base.obligations.model_copy(update={"open_weights_blocked_if": "hazardous"})
    return base.model_copy(
        update={
            "name": f"{base.name}_exact",
            "covered": covered,
            "derivatives": derivatives,
            "lde": lde,
            "obligations": obligations,
        }
    )


def _per_cell(pop: Population, mask: np.ndarray) -> np.ndarray:
    """Count of ``mask`` per (year, draw), by a plain loop."""
    out = np.zeros((len(pop.years), pop.n_draws))
    for i in np.flatnonzero(mask):
        out[pop.years.index(int(pop.year[i])), pop.draw[i]] += 1
    return out


def _first_times(pop: Population, mask: np.ndarray) -> np.ndarray:
    """Earliest release time of the ``mask`` runs per draw (NaN: none), by a plain loop."""
    out = np.full(pop.n_draws, np.nan)
    for i in np.flatnonzero(mask):
        d = pop.draw[i]
        out[d] = pop.release_time[i] if np.isnan(out[d]) else min(out[d], pop.release_time[i])
    return out


def test_truth_dependent_outcomes_are_the_documented_ones() -> None:
    names = {*OUTCOMES, *PER_DRAW_OUTCOMES, *WORLD_OUTCOMES}
    assert set(TRUTH_OUTCOMES) == JUDGED_BY_TRUTH
    assert JUDGED_BY_TRUTH.issubset(names)
    assert len(TRUTH_OUTCOMES) == len(set(TRUTH_OUTCOMES))


@settings(max_examples=60, deadline=None)
@given(world=worlds(), name=st.sampled_from(SHIPPED_VARIANTS), seed=st.integers(0, 2**32 - 1))
def test_a_truth_axis_exactly_on_the_outcomes_judged_by_the_truth(world, name, seed) -> None:
    """Truth-dependent outcomes get one entry per truth bar, in order, each computed from
    that bar alone; the others have no truth axis and do not change with the truths."""
    pop, runs, found = world
    (variant,) = load_variants([name])
    runs = _with_found(runs, variant, found)
    rng = np.random.default_rng(seed)
    other = _with_truths(
        runs,
        {
            "raised": rng.random(pop.n_runs) < 0.5,
            "current": runs.truly_hazardous["current"],
            "third": rng.random(pop.n_runs) < 0.2,
        },
    )
    assert runs.truth_bars == ("current", "raised")
    assert other.truth_bars == ("raised", "current", "third")
    for apply in (functools.partial(apply_variant, variant=variant), count_hazardous):
        out, changed = apply(pop, runs), apply(pop, other)
        assert set(out) == set(changed)
        for outcome, values in out.items():
            per_year = outcome in OUTCOMES or outcome in ("hazardous_runs", "runs")
            cell = (len(pop.years), pop.n_draws) if per_year else (pop.n_draws,)
            if outcome in JUDGED_BY_TRUTH:
                assert values.shape == (2, *cell), outcome
                assert changed[outcome].shape == (3, *cell), outcome
                np.testing.assert_array_equal(changed[outcome][1], values[0], err_msg=outcome)
            else:
                assert values.shape == changed[outcome].shape == cell, outcome
                np.testing.assert_array_equal(changed[outcome], values, err_msg=outcome)


def test_run_attributes_refuse_a_truth_without_a_bar_name() -> None:
    with pytest.raises(TypeError, match="truth-bar names"):
        RunAttributes(
            capability=np.zeros(2),
            truly_hazardous=np.zeros(2, dtype=bool),  # type: ignore[arg-type]
            found_hazardous={},
            lde_uniform=np.zeros(2),
            initial_reference=np.zeros(1),
            progress_at=linear_progress(np.array([0.5])),
            reference_log10_flop=23.0,
            reference_time=2023.0,
        )


@settings(max_examples=80, deadline=None)
@given(
    world=worlds(),
    name=st.sampled_from(SHIPPED_VARIANTS),
    truth=st.sampled_from(["current", "raised"]),
)
def test_a_variant_finding_exactly_one_truth_has_no_false_alarm_nor_miss_under_it(
    world, name, truth
) -> None:
    """Full obligations on exactly the runs truly hazardous under one bar: no false alarm,
    no miss and no harmless open-weight release blocked under that truth bar; under the
    other truth bar, misses and false alarms exactly where the two truths disagree."""
    pop, runs, _ = world
    (base,) = load_variants([name])
    variant = _finds_exactly(base)
    truly = runs.truly_hazardous[truth]
    (other_bar,) = [bar for bar in runs.truth_bars if bar != truth]
    other = runs.truly_hazardous[other_bar]
    out = apply_variant(pop, _with_found(runs, variant, truly.copy()), variant)
    at, elsewhere = runs.truth_bars.index(truth), runs.truth_bars.index(other_bar)
    zeros = np.zeros((len(pop.years), pop.n_draws))
    for outcome in (
        "hazardous_not_covered",
        "nonhazardous_burdened",
        "open_weights_blocked_nonhazardous",
    ):
        np.testing.assert_array_equal(out[outcome][at], zeros, err_msg=outcome)
    first = _first_times(pop, truly)
    np.testing.assert_array_equal(out["first_covered_hazard_time"][at], first)
    np.testing.assert_array_equal(
        out["hazard_coverage_gap_years"][at], np.where(np.isnan(first), np.nan, 0.0)
    )
    np.testing.assert_array_equal(
        out["open_weights_blocked_hazardous"][at], _per_cell(pop, truly & pop.open_weights)
    )
    np.testing.assert_array_equal(
        out["hazardous_not_covered"][elsewhere], _per_cell(pop, other & ~truly)
    )
    np.testing.assert_array_equal(
        out["nonhazardous_burdened"][elsewhere], _per_cell(pop, truly & ~other)
    )


def test_one_variant_judged_by_each_truth(hand_world) -> None:
    """The hand-computed world with a second, wider truth (the current bar's condition also
    holding for the base run 4): under it the amended bill's obligations on row 4 are no
    false alarm; under the raised truth (row 3 only) the outcomes are those of the world
    with that truth alone."""
    pop, runs = hand_world
    raised = runs.truly_hazardous["raised"]
    current = raised | (np.arange(pop.n_runs) == 4)
    both = _with_truths(runs, {"current": current, "raised": raised})
    (variant,) = load_variants(["as_amended"])
    alone = apply_variant(pop, runs, variant)
    out = apply_variant(pop, both, variant)
    for outcome, values in alone.items():
        if outcome in JUDGED_BY_TRUTH:
            np.testing.assert_array_equal(out[outcome][1], values[0], err_msg=outcome)
        else:
            np.testing.assert_array_equal(out[outcome], values, err_msg=outcome)
    # as_amended: row 0 (2026) and rows 4, 5 (2027) under full obligations, row 3 (a
    # derivative of row 1) under none: under the current truth one false alarm fewer in
    # 2027, row 3 missed under both truths.
    np.testing.assert_array_equal(out["nonhazardous_burdened"][:, :, 0], [[1, 1], [1, 2]])
    np.testing.assert_array_equal(out["hazardous_not_covered"][:, :, 0], [[1, 0], [1, 0]])


# --- the LDE reference: "noncovered or exempt" -----------------------------------------


def _old_previous_noncovered_max(
    pop: Population, capability: np.ndarray, covered: np.ndarray, initial: np.ndarray
) -> np.ndarray:
    """The engine's reference before ``reference_includes_exempt`` existed (frozen copy of
    ``riskmodel.policy.engine._previous_noncovered_max`` at e174664)."""
    if pop.n_runs == 0:
        return np.empty(0)
    values = np.where(covered, -900.0, np.clip(capability, -800.0, 800.0))
    shifted = values + pop.draw * 3600.0
    running = np.maximum.accumulate(shifted)
    previous = np.empty_like(running)
    previous[0] = -np.inf
    previous[1:] = running[:-1]
    previous = previous - pop.draw * 3600.0
    previous = np.where(previous < -900.0, -np.inf, previous)
    return np.maximum(previous, initial[pop.draw])


def _lde_variant(
    rule: str = "all", *, safety_case: bool = True, includes_exempt: bool = True, **lde
) -> PolicyVariant:
    """``commentary`` (covered = more than 1e26 FLOP, nothing else) with the LDE settings."""
    (variant,) = load_variants(["commentary"])
    update = {
        "pretraining": rule,
        "safety_case": safety_case,
        "reference_includes_exempt": includes_exempt,
        **lde,
    }
    return variant.model_copy(update={"lde": variant.lde.model_copy(update=update)})


def _probability(variant: PolicyVariant):  # noqa: ANN202
    lde = variant.lde
    return functools.partial(
        pass_probability,
        n_benchmarks=lde.n_benchmarks,
        noise_sd=lde.noise_sd,
        rule=lde.pretraining,
        correlation=lde.correlation,
        margin=lde.margin,
        share=lde.share,
    )


def _repeated_world(
    variant: PolicyVariant,
    uniform: np.ndarray,
    *,
    time: list[float],
    log10_flop: list[float],
    capability: list[float],
    found: list[bool],
    initial: float,
) -> tuple[Population, RunAttributes]:
    """``uniform.shape[0]`` copies of one world of base runs (one per draw), differing only
    in their LDE uniforms (``uniform``: shape (draw, run))."""
    n_draws, k = uniform.shape
    n = n_draws * k
    time_ = np.asarray(time, dtype=float)
    flop = np.asarray(log10_flop, dtype=float)
    pop = Population(
        draw=np.repeat(np.arange(n_draws), k),
        year=np.tile(np.floor(time_).astype(np.int64), n_draws),
        release_time=np.tile(time_, n_draws),
        log10_flop=np.tile(flop, n_draws),
        cost_usd=np.tile(10.0 ** (flop - 17.5), n_draws),
        developer=np.tile(np.arange(k), n_draws),
        frontier_tier=np.zeros(n, dtype=bool),
        open_weights=np.zeros(n, dtype=bool),
        parent=np.full(n, -1),
        loophole_attempt=np.zeros(n, dtype=bool),
        n_draws=n_draws,
        years=tuple(sorted({int(t) for t in time_})),
        n_frontier_developers=3,
    ).validate()
    runs = RunAttributes(
        capability=np.tile(np.asarray(capability, dtype=float), n_draws),
        truly_hazardous={"raised": np.zeros(n, dtype=bool)},
        found_hazardous={hazard_key(variant): np.tile(np.asarray(found, dtype=bool), n_draws)},
        lde_uniform=uniform.ravel(),
        initial_reference=np.full(n_draws, initial),
        progress_at=linear_progress(np.full(n_draws, 0.5)),
        reference_log10_flop=23.0,
        reference_time=2023.0,
    )
    return pop, runs


def _reference_of(pop: Population, runs: RunAttributes, variant: PolicyVariant):  # noqa: ANN202
    """``_lde_reference`` with the inputs ``apply_variant`` gives it (base runs only)."""
    covered = pop.log10_flop > np.log10(variant.covered.flop_threshold)
    found = runs.found_hazardous[hazard_key(variant)]
    anyway = covered & ~found if variant.lde.safety_case else np.zeros(pop.n_runs, dtype=bool)
    return _lde_reference(
        pop,
        runs.capability,
        covered,
        anyway,
        runs.lde_uniform,
        runs.initial_reference,
        _probability(variant),
        includes_exempt=variant.lde.reference_includes_exempt,
    )


def _exempt_weaker_world(
    variant: PolicyVariant,
    uniform: np.ndarray,
    *,
    strong: float,
    gap: float,
    below: float,
    via_safety_case: bool,
) -> tuple[Population, RunAttributes]:
    """Per draw: a non-covered run, a covered run E of capability ``strong`` that is exempt
    (by the safety case, or by passing the pre-training comparison: uniform 0), then a
    covered run W, ``gap`` dex weaker, found hazardous (so only the pre-training LDE can
    exempt it). Every other model is more than ``below`` dex weaker than W."""
    uniform = uniform.copy()
    if not via_safety_case:
        uniform[:, 1] = 0.0  # the claim of E passes whenever its probability is positive
    weak = strong - gap
    return _repeated_world(
        variant,
        uniform,
        time=[2026.2, 2026.5, 2027.3],
        log10_flop=[25.0, 26.5, 26.4],
        capability=[weak - below, strong, weak],
        found=[False, not via_safety_case, True],
        initial=weak - below - 0.5,
    )


@settings(max_examples=40, deadline=None)
@given(
    rule=st.sampled_from(["all", "mean", "share"]),
    strong=st.floats(2.0, 8.0),
    gap=st.floats(0.05, 0.6),
    below=st.floats(0.2, 0.6),
    via_safety_case=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_run_weaker_than_an_earlier_exempt_covered_run_is_compared_with_it(
    rule, strong, gap, below, via_safety_case, seed
) -> None:
    """Bill 22603(a): the reference is "an existing noncovered or exempt model"."""
    variant = _lde_variant(rule)
    n_draws = 200
    uniform = np.random.default_rng(seed).random((n_draws, 3))
    pop, runs = _exempt_weaker_world(
        variant, uniform, strong=strong, gap=gap, below=below, via_safety_case=via_safety_case
    )
    cap = runs.capability
    probability = _probability(variant)
    if not via_safety_case:  # precondition: E's claim has a positive probability
        assert probability(np.array([max(cap[0], runs.initial_reference[0]) - cap[1]]))[0] > 0
    reference, passed = _reference_of(pop, runs, variant)
    weaker = np.arange(n_draws) * 3 + 2
    np.testing.assert_array_equal(reference[weaker], np.full(n_draws, cap[1]))
    expected = uniform[:, 2] < probability(np.full(n_draws, cap[1] - cap[2]))
    np.testing.assert_array_equal(passed[weaker], expected)
    # End to end: W (the only covered run of 2027) is exempt exactly when its claim passes.
    out = apply_variant(pop, runs, variant)
    np.testing.assert_array_equal(out["runs_exempt"][0], np.ones(n_draws))
    np.testing.assert_array_equal(out["runs_exempt"][1], expected.astype(float))


@pytest.mark.parametrize(
    ("rule", "gap"), [("all", 0.25), ("all", 0.4), ("mean", 0.03), ("share", 0.05)]
)
def test_pass_rate_against_an_exempt_reference_is_pass_probability(rule: str, gap: float) -> None:
    """Over many worlds, W passes at the rate pass_probability(gap) (binomial, 4.5 sd); the
    old, non-covered-only reference is 0.3 dex lower and gives the rate at gap - 0.3."""
    n_draws = 4000
    uniform = np.random.default_rng(20240829).random((n_draws, 3))
    for includes, expected_gap in ((True, gap), (False, -0.3)):
        variant = _lde_variant(rule, includes_exempt=includes)
        pop, runs = _exempt_weaker_world(
            variant, uniform, strong=5.0, gap=gap, below=0.3, via_safety_case=True
        )
        rate = apply_variant(pop, runs, variant)["runs_exempt"][1].mean()
        p = float(_probability(variant)(np.array([expected_gap]))[0])
        tolerance = 4.5 * np.sqrt(max(p * (1 - p), 1e-4) / n_draws)
        assert abs(rate - p) < tolerance, (includes, rate, p)
    assert float(_probability(variant)(np.array([gap]))[0]) > 0.2  # the two rates differ


def test_a_covered_run_that_is_not_exempt_is_never_a_reference() -> None:
    """S is covered, found hazardous and 2 dex above every other model: its claim fails and
    it is not exempt. W, weaker than S by 0.5 dex, is compared with the non-covered N."""
    variant = _lde_variant("all")
    uniform = np.tile([0.5, 0.5, 0.5], (3, 1))
    pop, runs = _repeated_world(
        variant,
        uniform,
        time=[2026.2, 2026.5, 2027.3],
        log10_flop=[25.0, 26.5, 26.4],
        capability=[4.0, 6.0, 5.5],
        found=[False, True, True],
        initial=3.0,
    )
    reference, passed = _reference_of(pop, runs, variant)
    np.testing.assert_array_equal(reference.reshape(3, 3)[:, 1:], [[4.0, 4.0]] * 3)
    assert not passed.any()
    # Compared with S (gap 0.5 dex) W would pass: pass_probability > 0.99 > its uniform.
    assert _probability(variant)(np.array([0.5]))[0] > 0.99
    out = apply_variant(pop, runs, variant)
    np.testing.assert_array_equal(out["runs_exempt"], np.zeros((2, 3)))


@st.composite
def lde_inputs(draw) -> tuple:  # noqa: ANN001
    """Random worlds (:func:`worlds`) with random coverage, findings and LDE settings."""
    pop, runs, found = draw(worlds())
    rng = np.random.default_rng(draw(st.integers(min_value=0, max_value=2**32 - 1)))
    covered = rng.random(pop.n_runs) < draw(st.floats(0.2, 0.9))
    variant = _lde_variant(
        draw(st.sampled_from(["all", "mean", "share"])),
        safety_case=draw(st.booleans()),
        margin=draw(st.sampled_from([0.0, -0.3, 0.2])),
    )
    anyway = covered & ~found if variant.lde.safety_case else np.zeros(pop.n_runs, dtype=bool)
    return pop, runs.capability, covered, anyway, runs.lde_uniform, runs.initial_reference, variant


def _by_definition(pop, capability, covered, passed, anyway, initial) -> np.ndarray:  # noqa: ANN001
    """Per row: best of the initial reference and the earlier runs of the same draw that are
    not covered or are exempt (given each run's exemption), one row at a time."""
    out = np.empty(pop.n_runs)
    for i in range(pop.n_runs):
        d = pop.draw[i]
        earlier = np.flatnonzero((pop.draw == d) & (np.arange(pop.n_runs) < i))
        counts = earlier[~covered[earlier] | passed[earlier] | anyway[earlier]]
        out[i] = max([initial[d], *capability[counts]])
    return out


@settings(max_examples=100, deadline=None)
@given(inputs=lde_inputs())
def test_references_are_the_noncovered_or_exempt_earlier_runs(inputs) -> None:  # noqa: ANN001
    """The output solves the recursion: each covered run's reference is the best earlier run
    of its draw that is non-covered or exempt (a covered run that is not exempt never
    counts), and its claim passes iff ``lde_uniform < pass_probability``."""
    pop, capability, covered, anyway, uniform, initial, variant = inputs
    probability = _probability(variant)
    reference, passed = _lde_reference(
        pop, capability, covered, anyway, uniform, initial, probability
    )
    assert not passed[~covered].any()
    expected = _by_definition(pop, capability, covered, passed, anyway, initial)
    np.testing.assert_array_equal(reference[covered], expected[covered])
    np.testing.assert_array_equal(
        passed[covered], uniform[covered] < probability(expected[covered] - capability[covered])
    )


def _ordered_population(
    rng: np.random.Generator, n_draws: int, k: int
) -> tuple[Population, np.ndarray]:
    """``n_draws`` worlds of ``k`` base runs each, released in 2026-2029 in row order
    (1e24-1e27 FLOP, 8 developers, closed weights); returns the population and its
    release times (decimal years)."""
    n = n_draws * k
    time = np.sort(rng.uniform(2026.0, 2029.0, (n_draws, k)), axis=1).ravel()
    pop = Population(
        draw=np.repeat(np.arange(n_draws), k),
        year=np.floor(time).astype(np.int64),
        release_time=time,
        log10_flop=rng.uniform(24.0, 27.0, n),
        cost_usd=np.full(n, 1e8),
        developer=rng.integers(0, 8, n),
        frontier_tier=np.zeros(n, dtype=bool),
        open_weights=np.zeros(n, dtype=bool),
        parent=np.full(n, -1),
        loophole_attempt=np.zeros(n, dtype=bool),
        n_draws=n_draws,
        years=(2026, 2027, 2028),
        n_frontier_developers=3,
    ).validate()
    return pop, time


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_references_solve_the_recursion_in_large_worlds(seed: int) -> None:
    """Long chains: a lenient rule (mean, margin -0.3 dex) lets stronger runs pass, so an
    exemption can enable the next one; 30 worlds of 300 runs, 60% covered."""
    rng = np.random.default_rng(seed)
    n_draws, k = 30, 300
    n = n_draws * k
    pop, time = _ordered_population(rng, n_draws, k)
    capability = 0.5 * (time - 2026.0) + rng.normal(0.0, 0.3, n)
    covered = rng.random(n) < 0.6
    anyway = covered & (rng.random(n) < 0.2)
    uniform, initial = rng.random(n), rng.uniform(-1.0, 0.0, n_draws)
    variant = _lde_variant("mean", margin=-0.3)
    probability = _probability(variant)
    reference, passed = _lde_reference(
        pop, capability, covered, anyway, uniform, initial, probability
    )
    expected = _by_definition(pop, capability, covered, passed, anyway, initial)
    np.testing.assert_array_equal(reference[covered], expected[covered])
    np.testing.assert_array_equal(
        passed[covered], uniform[covered] < probability(expected[covered] - capability[covered])
    )
    old = _old_previous_noncovered_max(pop, capability, covered, initial)
    assert np.any(reference[covered] > old[covered] + 1e-9)  # exempt runs do count


@settings(max_examples=100, deadline=None)
@given(inputs=lde_inputs(), data=st.data())
def test_references_never_use_later_runs_or_other_draws(inputs, data) -> None:  # noqa: ANN001
    """Changing every run after row ``i`` of its draw, and every other draw (capabilities
    raised by up to 5 dex, coverage, findings, uniforms and initial references redrawn),
    changes no reference or decision up to row ``i``."""
    pop, capability, covered, anyway, uniform, initial, variant = inputs
    probability = _probability(variant)
    i = data.draw(st.integers(0, pop.n_runs - 1))
    keep = (pop.draw == pop.draw[i]) & (np.arange(pop.n_runs) <= i)
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    other = ~keep
    capability2 = np.where(other, capability + rng.uniform(0.0, 5.0, pop.n_runs), capability)
    covered2 = np.where(other, rng.random(pop.n_runs) < 0.5, covered)
    anyway2 = np.where(other, covered2 & (rng.random(pop.n_runs) < 0.5), anyway)
    uniform2 = np.where(other, rng.random(pop.n_runs), uniform)
    initial2 = initial.copy()
    initial2[np.arange(pop.n_draws) != pop.draw[i]] += 5.0
    for includes in (True, False):
        before = _lde_reference(
            pop,
            capability,
            covered,
            anyway,
            uniform,
            initial,
            probability,
            includes_exempt=includes,
        )
        after = _lde_reference(
            pop,
            capability2,
            covered2,
            anyway2,
            uniform2,
            initial2,
            probability,
            includes_exempt=includes,
        )
        for a, b in zip(before, after, strict=True):
            np.testing.assert_array_equal(a[keep], b[keep])


@settings(max_examples=100, deadline=None)
@given(inputs=lde_inputs())
def test_option_off_reproduces_the_old_reference_exactly(inputs) -> None:  # noqa: ANN001
    pop, capability, covered, anyway, uniform, initial, variant = inputs
    probability = _probability(variant)
    reference, passed = _lde_reference(
        pop, capability, covered, anyway, uniform, initial, probability, includes_exempt=False
    )
    old = _old_previous_noncovered_max(pop, capability, covered, initial)
    np.testing.assert_array_equal(reference, old)
    np.testing.assert_array_equal(passed, covered & (uniform < probability(old - capability)))


def test_option_off_reproduces_the_old_reference_on_a_large_population() -> None:
    rng = np.random.default_rng(7)
    n_draws, k = 50, 400
    n = n_draws * k
    pop, time = _ordered_population(rng, n_draws, k)
    capability = rng.normal(3.0, 1.0, n)
    covered = rng.random(n) < 0.4
    uniform, initial = rng.random(n), rng.uniform(2.0, 4.0, n_draws)
    variant = _lde_variant("all", includes_exempt=False)
    probability = _probability(variant)
    reference, passed = _lde_reference(
        pop, capability, covered, covered, uniform, initial, probability, includes_exempt=False
    )
    old = _old_previous_noncovered_max(pop, capability, covered, initial)
    np.testing.assert_array_equal(reference, old)
    np.testing.assert_array_equal(passed, covered & (uniform < probability(old - capability)))


def test_reference_option_is_a_documented_variant_rule(tmp_path: Path) -> None:
    for variant in load_variants("all"):
        assert variant.lde.reference_includes_exempt is True
    text = BASE.replace(
        "safety_case = true", "safety_case = true\nreference_includes_exempt = false"
    )
    path = _write(tmp_path, text)
    assert load_variant(path).lde.reference_includes_exempt is False
    assert "noncovered or exempt" in type(variant.lde).__doc__


# --- coverage of one model -------------------------------------------------------------


def test_coverage_of_one_model_follows_each_variant_rule(small_fit, shipped_world) -> None:
    from riskmodel.policy.coverage import coverage_probability

    variants = {v.name: v for v in load_variants("all")}
    world = shipped_world
    date = "2026-06-01"
    # FLOP-only test: certain either way
    commentary = variants["commentary"]
    assert coverage_probability(commentary, flop=2e26, date=date).probability == 1.0
    assert coverage_probability(commentary, flop=5e25, date=date).probability == 0.0
    # cost test: uncertain near the threshold, increasing in FLOP, never above P(compute)
    enrolled = [
        coverage_probability(variants["enrolled"], flop=f, date=date, world=world)
        for f in (1.01e26, 3e26, 1e27, 1e28)
    ]
    probabilities = [c.probability for c in enrolled]
    assert probabilities == sorted(probabilities)
    assert 0.0 < probabilities[0] < 1.0 and probabilities[-1] > 0.99
    assert all(c.p_cost == pytest.approx(c.probability, abs=1e-12) for c in enrolled)
    # performance equivalence covers sub-threshold models as method progress accrues
    introduced = variants["as_introduced"]
    late = coverage_probability(introduced, flop=3e25, date="2029-01-01", fit=small_fit)
    early = coverage_probability(introduced, flop=3e25, date="2024-06-01", fit=small_fit)
    assert late.p_compute == 0.0 and late.probability == pytest.approx(late.p_performance)
    assert late.probability > early.probability
    with pytest.raises(RiskmodelError, match="performance-equivalence"):
        coverage_probability(introduced, flop=3e25, date=date)


# --- developers under full obligations -----------------------------------------------


def test_developers_under_full_obligations_are_counted_once_per_year_and_world() -> None:
    """Distinct developers with at least one run under full obligations, per (year, draw).

    Two worlds, no LDE (as amended: every covered run bears full obligations). World 0:
    developer 4 has two covered runs in 2026 and one in 2027, developer 9 one covered run in
    2026 and one run below the threshold in 2027. World 1: developer 4 (the same id in
    another world) one covered run in 2026; developer 2 only runs below the threshold.
    """
    pop = Population(
        draw=np.array([0, 0, 0, 0, 0, 1, 1, 1]),
        year=np.array([2026, 2026, 2026, 2027, 2027, 2026, 2026, 2027]),
        release_time=np.array([2026.1, 2026.2, 2026.3, 2027.1, 2027.2, 2026.1, 2026.5, 2027.5]),
        log10_flop=np.array([26.5, 26.2, 26.1, 26.3, 25.0, 26.4, 25.5, 25.9]),
        cost_usd=np.full(8, 5e8),
        developer=np.array([4, 4, 9, 4, 9, 4, 2, 2]),
        frontier_tier=np.ones(8, dtype=bool),
        open_weights=np.zeros(8, dtype=bool),
        parent=np.full(8, -1),
        loophole_attempt=np.zeros(8, dtype=bool),
        n_draws=2,
        years=(2026, 2027),
        n_frontier_developers=3,
    ).validate()
    (variant,) = load_variants(["as_amended"])
    runs = RunAttributes(
        capability=np.zeros(8),  # far below any performance-equivalence reference
        truly_hazardous={"raised": np.zeros(8, dtype=bool)},
        found_hazardous={hazard_key(variant): np.zeros(8, dtype=bool)},
        lde_uniform=np.full(8, 0.5),
        initial_reference=np.zeros(2),
        progress_at=linear_progress(np.full(2, 0.5)),
        reference_log10_flop=23.0,
        reference_time=2023.0,
    )
    out = apply_variant(pop, runs, variant)
    np.testing.assert_array_equal(out["runs_covered"], [[3, 1], [1, 0]])
    np.testing.assert_array_equal(out["developers_full_obligations"], [[2, 1], [1, 0]])


# --- performance equivalence: the best model reachable with the methods of 2024 --------


def _progress_view(
    n: int,
    seed: int,
    *,
    vintage: str = "2025-09-01",
    reasoning_since: str | None = "2024-09-12",
    forecast_paths: bool = False,
    scatter: float = 0.3,
):  # noqa: ANN202 - a PosteriorView
    """A synthetic posterior view holding what the method progress and the capability of
    a new model need (draws from the capability priors' shapes)."""
    import pandas as pd
    import xarray as xr

    from riskmodel.capability import predict

    rng = np.random.default_rng(seed)
    draws = xr.Dataset(
        {
            "algorithmic_progress": ("sample", rng.lognormal(np.log(0.45), 0.25, n)),
            "post_training_rate": ("sample", rng.lognormal(np.log(0.3), 1.0, n)),
            "method_change_year": ("sample", rng.normal(1.7, 0.5, n)),
            "reasoning_gain": ("sample", rng.lognormal(np.log(0.5), 1.0, n)),
            "capability_scatter": ("sample", np.full(n, scatter)),
        }
    )
    view = predict.PosteriorView(
        draws=draws,
        reference_date="2023-01-01",
        reference_log10_flop=23.0,
        benchmarks=pd.DataFrame(),
        tasks=pd.DataFrame({"task_id": [], "suite": [], "domain": []}),
        data_vintage=vintage,
        reasoning_since=reasoning_since,
    )
    if forecast_paths:
        rate = predict._rate_at(view, view.vintage_years)
        paths = predict._progress_paths(rate, view.forecast_rate_volatility, rng)
        view = dataclasses.replace(view, progress_path=paths)
    return view


def _covered(**update: object):  # noqa: ANN202 - a CoveredRule
    (introduced,) = load_variants(["as_introduced"])
    return introduced.covered.model_copy(update=update)


def test_shipped_equivalence_parameters_are_the_bill_text() -> None:
    variants = {v.name: v for v in load_variants("all")}
    for name in ("as_introduced", "as_amended"):
        rule = variants[name].covered
        assert rule.performance_equivalent_year == 2024
        assert rule.performance_equivalent_flop == 1e26
        assert rule.performance_equivalent_reference == "best"
    for name in ("enrolled", "commentary", "commentary_raised_bar"):
        assert variants[name].covered.performance_equivalent_year is None
    assert "in 2024" in type(variants["as_introduced"].covered).__doc__


def test_equivalent_capability_is_the_formula_on_a_stub_progress() -> None:
    from riskmodel._time import decimal_year
    from riskmodel.policy.equivalence import equivalence_time, equivalent_capability

    asked: list[float] = []

    def progress_at(time: float) -> np.ndarray:
        asked.append(time)
        return np.array([0.25, 1.5]) * (time - 2023.0)

    rates = np.array([0.25, 1.5])
    end_of_2024 = float(decimal_year("2025-01-01"))  # 0.75 days after 2025.0
    best = equivalent_capability(_covered(), progress_at, 23.0)
    np.testing.assert_allclose(best, 3.0 + rates * (end_of_2024 - 2023.0))
    typical = equivalent_capability(
        _covered(performance_equivalent_reference="typical"), progress_at, 23.0
    )
    np.testing.assert_allclose(typical, 3.0 + np.array([0.25, 1.5]))
    assert asked == [end_of_2024, 2024.0]  # the end of 2024; 1 January 2024
    # the year and the FLOP of the comparison model are parameters
    later = _covered(performance_equivalent_year=2026, performance_equivalent_flop=3e26)
    np.testing.assert_allclose(
        equivalent_capability(later, progress_at, 23.0),
        np.log10(3e26) - 23.0 + rates * (decimal_year("2027-01-01") - 2023.0),
    )
    assert asked[-1] == equivalence_time(later) == decimal_year("2027-01-01")
    unset = _covered(flop_threshold=2e26, performance_equivalent_flop=None)
    np.testing.assert_allclose(
        equivalent_capability(unset, progress_at, 23.0),
        np.log10(2e26) - 23.0 + rates * (end_of_2024 - 2023.0),
    )
    n_asked = len(asked)
    assert (
        equivalent_capability(_covered(performance_equivalent_year=None), progress_at, 23.0) is None
    )
    assert len(asked) == n_asked


def test_best_reference_on_a_posterior_view_is_method_progress_plus_reasoning() -> None:
    from riskmodel.capability.model import method_progress
    from riskmodel.policy.coverage import view_progress_at
    from riskmodel.policy.equivalence import equivalent_capability

    view = _progress_view(300, seed=3)
    a, p, c = (
        view.values(k) for k in ("algorithmic_progress", "post_training_rate", "method_change_year")
    )
    gain = view.values("reasoning_gain")

    def curve(years: float) -> np.ndarray:
        return method_progress(years, a, p, c, view.smoothing_years)

    # 1 January 2025 and 2024 in years since the anchor (2023-01-01), as a model released
    # on that day is placed by the capability model: 731 and 365 days of 365.25
    end_of_2024, start_of_2024 = 731 / 365.25, 365 / 365.25
    best = equivalent_capability(_covered(), view_progress_at(view), view.reference_log10_flop)
    # 1e26 FLOP, methods to the end of 2024, o1-preview released by then
    np.testing.assert_allclose(best, 26.0 - 23.0 + curve(end_of_2024) + gain, rtol=0, atol=1e-12)
    typical = equivalent_capability(
        _covered(performance_equivalent_reference="typical"),
        view_progress_at(view),
        view.reference_log10_flop,
    )
    np.testing.assert_allclose(typical, 26.0 - 23.0 + curve(start_of_2024), rtol=0, atol=1e-12)
    # no reasoning-trained release by the end of the year: no reasoning gain
    late = dataclasses.replace(view, reasoning_since="2025-02-01")
    np.testing.assert_allclose(
        equivalent_capability(_covered(), view_progress_at(late), 23.0),
        26.0 - 23.0 + curve(end_of_2024),
        rtol=0,
        atol=1e-12,
    )
    # no model scatter: the capability scatter of the fit does not enter
    wide = _progress_view(300, seed=3, scatter=5.0)
    np.testing.assert_array_equal(
        equivalent_capability(_covered(), view_progress_at(wide), 23.0), best
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**31),
    year=st.integers(2019, 2032),
    flop=st.sampled_from([1e25, 1e26, 3e26]),
    vintage=st.sampled_from(["2024-06-01", "2025-09-01"]),
    reasoning_since=st.sampled_from([None, "2023-06-01", "2024-09-12", "2026-03-01"]),
    forecast_paths=st.booleans(),
)
def test_best_reference_is_never_below_the_typical_one(
    seed: int,
    year: int,
    flop: float,
    vintage: str,
    reasoning_since: str | None,
    forecast_paths: bool,
) -> None:
    """In every posterior draw: the best model of a year's methods >= a typical model of
    1 January (fitted curve, linear continuation or forecast paths; with or without
    reasoning)."""
    from riskmodel.policy.coverage import view_progress_at
    from riskmodel.policy.equivalence import equivalent_capability

    view = _progress_view(
        64,
        seed,
        vintage=vintage,
        reasoning_since=reasoning_since,
        forecast_paths=forecast_paths,
    )
    progress_at = view_progress_at(view)
    rule = _covered(performance_equivalent_year=year, performance_equivalent_flop=flop)
    best = equivalent_capability(rule, progress_at, 23.0)
    typical = equivalent_capability(
        rule.model_copy(update={"performance_equivalent_reference": "typical"}), progress_at, 23.0
    )
    assert best.shape == typical.shape == (64,)
    assert np.all(best >= typical)


def test_coverage_of_one_model_uses_the_best_2024_model(tmp_path: Path) -> None:
    """Without model scatter, a 1e26-FLOP model released just after the end of 2024 (so
    reasoning-trained, with all of 2024's methods) reaches the reference; one released in
    December 2024 does not; under the typical reading the same holds around 1 January 2024."""
    from riskmodel.policy.coverage import coverage_probability

    view = _progress_view(200, seed=5, scatter=0.0)
    (introduced,) = load_variants(["as_introduced"])

    def p(variant: PolicyVariant, date: str) -> float:
        coverage = coverage_probability(variant, flop=1e26, date=date, fit=view)
        assert coverage.p_compute == 0.0  # not *more* than 1e26 FLOP
        return coverage.probability

    assert p(introduced, "2025-01-02") == 1.0
    assert p(introduced, "2024-12-01") == 0.0
    assert "best 1e+26-FLOP model reachable with the methods of 2024" in (
        coverage_probability(introduced, flop=1e26, date="2025-01-02", fit=view).explanation
    )
    typical = introduced.model_copy(
        update={"covered": _covered(performance_equivalent_reference="typical")}
    )
    assert p(typical, "2024-01-02") == 1.0
    assert p(typical, "2023-12-01") == 0.0
    # the parameters are read from the variant file, where the year lives
    text = (VARIANTS_DIR / "as_introduced.toml").read_text(encoding="utf-8")
    text = text.replace("performance_equivalent_year = 2024", "performance_equivalent_year = 2023")
    text = text.replace('performance_equivalent_reference = "best"', "")
    earlier = load_variant(_write(tmp_path, text))
    assert earlier.covered.performance_equivalent_year == 2023
    assert earlier.covered.performance_equivalent_reference == "best"  # the default
    assert p(earlier, "2024-01-02") == 1.0 and p(earlier, "2023-12-01") == 0.0


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "performance_equivalent_year = 2024",
            "",
            "'performance_equivalent_flop' needs 'performance_equivalent_year'",
        ),
        (
            'performance_equivalent_reference = "best"',
            'performance_equivalent_reference = "median"',
            "covered.performance_equivalent_reference",
        ),
        (
            "performance_equivalent_flop = 1e26",
            "performance_equivalent_flop = 26",
            "covered.performance_equivalent_flop",
        ),
    ],
)
def test_bad_equivalence_parameters_name_the_key(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    text = (VARIANTS_DIR / "as_introduced.toml").read_text(encoding="utf-8")
    assert old in text
    with pytest.raises(ConfigError, match=message):
        load_variant(_write(tmp_path, text.replace(old, new, 1)))


@pytest.mark.parametrize("name", SHIPPED_VARIANTS)
def test_variant_toml_roundtrip(name: str, tmp_path: Path) -> None:
    """A variant written as TOML loads back to the same rules."""
    (variant,) = load_variants([name])
    path = tmp_path / "copy.toml"
    path.write_text(variant_toml(variant), encoding="utf-8")
    again = load_variant(path)
    assert again.rules_dict() == variant.rules_dict()


def test_variants_are_checked_against_the_bars_in_use(tmp_path: Path) -> None:
    """A user bar file can define a bar that a user variant names (checked against the
    bars in use, not the shipped file), and a variant naming a bar missing from the bars
    in use is refused with the file it came from."""
    from riskmodel.hazard.bars import DEFAULT_BARS_PATH
    from riskmodel.hazard.inputs import load_hazard_inputs
    from riskmodel.policy.variants import check_variant_bars

    shipped = DEFAULT_BARS_PATH.read_text(encoding="utf-8")
    bars_file = tmp_path / "bars.toml"
    raised = shipped[shipped.index("[bars.raised]") : shipped.index("[bars.current]")]
    bars_file.write_text(
        shipped + "\n" + raised.replace("[bars.raised]", "[bars.strict]").replace("2.0", "1.5"),
        encoding="utf-8",
    )
    inputs = load_hazard_inputs(hazard_bars=bars_file)
    assert "strict" in inputs.bars
    (base,) = load_variants(["commentary_raised_bar"])
    variant_file = tmp_path / "strict_variant.toml"
    text = variant_toml(base).replace('bar = "raised"', 'bar = "strict"')
    assert 'bar = "strict"' in text
    variant_file.write_text(text.replace(f'name = "{base.name}"', 'name = "strict"'), "utf-8")
    with pytest.raises(ConfigError, match="unknown bar 'strict'"):
        load_variants([str(variant_file)])  # the shipped bars know no 'strict'
    (strict,) = load_variants([str(variant_file)], inputs=inputs)
    assert strict.hazard.bar == "strict"
    with pytest.raises(ConfigError, match=r"strict_variant.toml: 'hazard.bar' names unknown"):
        check_variant_bars([strict], load_hazard_inputs().bars, source="data/hazard_bars.toml")
    edited = base.model_copy(update={"hazard": base.hazard.model_copy(update={"bar": "nope"})})
    with pytest.raises(ConfigError, match="unknown bar 'nope'; defined in my bars"):
        check_variant_bars([edited], inputs.bars, source="my bars")
