"""Tests of the policy variants and the engine: hand-computed worlds and rule properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from helpers import linear_progress
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.policy.engine import OUTCOMES, RunAttributes, apply_variant, hazard_key
from riskmodel.policy.variants import (
    SHIPPED_VARIANTS,
    VARIANTS_DIR,
    PolicyVariant,
    load_variant,
    load_variants,
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
    with pytest.raises(ConfigError, match="not valid TOML"):
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
# progress plus reasoning gain) taken linear at 0.5 dex/year, so a 1e26 model of 1 January
# 2024 has capability 3.5.
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
        truly_hazardous=truly,
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
        np.testing.assert_allclose(out[outcome], expected, rtol=1e-12, err_msg=outcome)
    gap = out["hazard_coverage_gap_years"][0]
    if variant_name == "commentary":
        assert gap == 0.0 and out["first_covered_hazard_time"][0] == pytest.approx(2026.8)
    else:
        assert np.isinf(gap) and np.isnan(out["first_covered_hazard_time"][0])


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
    np.testing.assert_array_equal(out["open_weights_blocked_nonhazardous"][:, 0], [1, 2])


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
        truly_hazardous=rng.random(n) < 0.3,
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
            "truly_hazardous": np.concatenate([runs.truly_hazardous] * 2),
            "found_hazardous": {k: np.concatenate([v, v]) for k, v in runs.found_hazardous.items()},
            "lde_uniform": np.concatenate([runs.lde_uniform] * 2),
            "initial_reference": np.array([3.0, 3.0]),
            "progress_at": linear_progress(np.array([0.5, 0.5])),
        }
    )
    both = apply_variant(twice, runs2, variant)
    for outcome in OUTCOMES:
        np.testing.assert_array_equal(both[outcome][:, :1], alone[outcome], err_msg=outcome)


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
            truly_hazardous=empty_b,
            found_hazardous={hazard_key(variant): empty_b},
            lde_uniform=empty_f,
            initial_reference=np.zeros(2),
            progress_at=linear_progress(np.full(2, 0.5)),
            reference_log10_flop=23.0,
            reference_time=2023.0,
        )
        out = apply_variant(pop, runs, variant)
        for outcome in OUTCOMES:
            np.testing.assert_array_equal(out[outcome], np.zeros((1, 2)))
        assert np.all(np.isnan(out["hazard_coverage_gap_years"]))


# --- coverage of one model -------------------------------------------------------------


def test_coverage_of_one_model_follows_each_variant_rule(small_fit) -> None:
    from riskmodel.policy.coverage import coverage_probability
    from riskmodel.world.fit import fit_world

    variants = {v.name: v for v in load_variants("all")}
    world = fit_world(n_draws=400)
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
