"""Cross-check: the vectorised policy engine against the per-run reference loop.

``benchmarks/reference_engine.py`` implements the rules of :mod:`riskmodel.policy.engine`
independently, one run at a time. On random small worlds and every shipped variant
(also with a random FLOP threshold and either open-weight rule) both must give the same
outcomes: counts exactly, costs to a relative 1e-12, first times and gaps including NaN
and inf.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from helpers import linear_progress, load_script
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel.policy.engine import (
    OUTCOMES,
    PER_DRAW_OUTCOMES,
    TRUTH_OUTCOMES,
    RunAttributes,
    apply_variant,
    hazard_key,
)
from riskmodel.policy.variants import PolicyVariant, load_variants
from riskmodel.world.population import Population

REFERENCE_FILE = Path(__file__).resolve().parent.parent / "benchmarks" / "reference_engine.py"


apply_variant_loop = load_script(REFERENCE_FILE).apply_variant_loop


@functools.cache
def _shipped() -> tuple[PolicyVariant, ...]:
    return tuple(load_variants("all"))


@st.composite
def worlds(draw) -> tuple[Population, RunAttributes]:
    """Random small worlds (1-3 draws, 2 years), mirroring ``tests/test_policy.py``.

    Derivatives of earlier base runs, costs scattered around the FLOP trend, random
    findings under every shipped hazard key, two truth bars, and sometimes no pre-existing
    model (initial reference ``-inf``).
    """
    n_draws = draw(st.integers(min_value=1, max_value=3))
    n = draw(st.integers(min_value=1, max_value=30))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    draw_id = np.sort(rng.integers(0, n_draws, n))
    time = np.empty(n)
    for d in range(n_draws):
        idx = np.flatnonzero(draw_id == d)
        time[idx] = np.sort(rng.uniform(2026.0, 2028.0, idx.size))
    parent = np.full(n, -1)
    for i in range(n):
        earlier = [j for j in range(i) if draw_id[j] == draw_id[i] and parent[j] < 0]
        if earlier and rng.random() < 0.4:
            parent[i] = rng.choice(earlier)
    log10_flop = rng.uniform(23.0, 27.5, n)
    # Costs around the FLOP trend; derivatives' spread wider, so that the cost parts of
    # the fine-tune and fraction rules bind on their own.
    cost_noise = np.where(parent >= 0, rng.normal(-0.5, 1.2, n), rng.normal(0.0, 0.6, n))
    pop = Population(
        draw=draw_id.astype(np.int64),
        year=np.floor(time).astype(np.int64),
        release_time=time,
        log10_flop=log10_flop,
        cost_usd=10.0 ** (log10_flop - 17.5 + cost_noise),
        developer=rng.integers(0, 8, n),
        frontier_tier=rng.random(n) < 0.3,
        open_weights=rng.random(n) < 0.5,
        parent=parent,
        loophole_attempt=(parent >= 0) & (rng.random(n) < 0.3),
        n_draws=n_draws,
        years=(2026, 2027),
        n_frontier_developers=3,
    ).validate()
    capability = log10_flop - 23.0 + 0.5 * (time - 2023.0) + rng.normal(0, 0.4, n)
    initial_reference = rng.uniform(2.0, 4.0, n_draws)
    initial_reference[rng.random(n_draws) < 0.2] = -np.inf
    keys = sorted({hazard_key(v) for v in _shipped()})
    runs = RunAttributes(
        capability=capability,
        truly_hazardous={"current": rng.random(n) < 0.4, "raised": rng.random(n) < 0.3},
        found_hazardous={key: rng.random(n) < 0.3 for key in keys},
        lde_uniform=rng.random(n),
        initial_reference=initial_reference,
        progress_at=linear_progress(rng.uniform(0.3, 0.7, n_draws)),
        reference_log10_flop=23.0,
        reference_time=2023.0,
    )
    return pop, runs


def _modified(
    variant: PolicyVariant,
    log10_threshold: float | None,
    blocked_if: str,
    lde: dict | None = None,
    equivalence: dict | None = None,
):
    covered = variant.covered
    if log10_threshold is not None:
        covered = covered.model_copy(update={"flop_threshold": 10.0**log10_threshold})
    if covered.performance_equivalent_year is not None:
        covered = covered.model_copy(update=equivalence or {})
    obligations = variant.obligations.model_copy(update={"open_weights_blocked_if": blocked_if})
    rule = variant.lde.model_copy(update=lde or {})
    return variant.model_copy(update={"covered": covered, "obligations": obligations, "lde": rule})


def _assert_same(vectorised: dict, loop: dict, pop: Population, label: str, n_truths: int) -> None:
    assert set(vectorised) == set(loop) == set(OUTCOMES) | set(PER_DRAW_OUTCOMES), label
    for name in OUTCOMES:
        expected_shape = (len(pop.years), pop.n_draws)
        if name in TRUTH_OUTCOMES:
            expected_shape = (n_truths, *expected_shape)
        assert vectorised[name].shape == loop[name].shape == expected_shape, (label, name)
        if name == "compliance_cost_usd":
            np.testing.assert_allclose(
                loop[name], vectorised[name], rtol=1e-12, atol=0, err_msg=f"{label} {name}"
            )
        else:
            np.testing.assert_array_equal(loop[name], vectorised[name], err_msg=f"{label} {name}")
    for name in PER_DRAW_OUTCOMES:
        expected_shape = (n_truths, pop.n_draws)
        assert vectorised[name].shape == loop[name].shape == expected_shape, (label, name)
        np.testing.assert_array_equal(loop[name], vectorised[name], err_msg=f"{label} {name}")


#: LDE settings tried besides the shipped ones: the reference of the old reading
#: (non-covered models only), no safety case (every covered run's exemption depends on
#: its reference), and a lenient relaxed rule (chains of exemptions).
LDE_CHANGES = (
    {},
    {"reference_includes_exempt": False},
    {"safety_case": False},
    {"pretraining": "share", "safety_case": False, "margin": -0.2},
)


#: Performance-equivalence settings tried besides the shipped ones (variants with the
#: test only): the typical model of 1 January, other comparison FLOP and years.
EQUIVALENCE_CHANGES = (
    {},
    {"performance_equivalent_reference": "typical"},
    {"performance_equivalent_flop": None},
    {"performance_equivalent_flop": 3e25, "performance_equivalent_year": 2026},
    {"performance_equivalent_flop": 3e26, "performance_equivalent_reference": "typical"},
)


@settings(max_examples=200, deadline=None)
@given(
    world=worlds(),
    log10_threshold=st.one_of(st.none(), st.floats(24.0, 27.5)),
    blocked_if=st.sampled_from(["hazardous", "covered"]),
    lde=st.sampled_from(LDE_CHANGES),
    equivalence=st.sampled_from(EQUIVALENCE_CHANGES),
)
def test_loop_and_vectorised_engines_agree(
    world, log10_threshold, blocked_if, lde, equivalence
) -> None:
    pop, runs = world
    for shipped in _shipped():
        variant = _modified(shipped, log10_threshold, blocked_if, lde, equivalence)
        vectorised = apply_variant(pop, runs, variant)
        loop = apply_variant_loop(pop, runs, variant)
        label = f"{variant.name} threshold={log10_threshold} {lde} {equivalence}"
        _assert_same(vectorised, loop, pop, label, len(runs.truth_bars))


def test_loop_engine_on_a_hand_checked_world() -> None:
    """Two worlds under ``as_amended``: covered runs, a loophole use under its parent's duty."""
    pop = Population(
        draw=np.array([0, 0, 1, 1]),
        year=np.array([2026, 2026, 2026, 2027]),
        release_time=np.array([2026.2, 2026.6, 2026.5, 2027.1]),
        log10_flop=np.array([25.0, 26.5, 26.4, 26.2]),
        cost_usd=np.array([3e7, 4e8, 3e8, 2e8]),
        developer=np.array([0, 1, 2, 3]),
        frontier_tier=np.array([True, True, True, False]),
        open_weights=np.array([False, False, True, True]),
        parent=np.array([-1, -1, -1, 2]),
        loophole_attempt=np.array([False, False, False, True]),
        n_draws=2,
        years=(2026, 2027),
        n_frontier_developers=3,
    ).validate()
    (variant,) = load_variants(["as_amended"])
    runs = RunAttributes(
        capability=np.array([3.0, 4.0, 4.2, 4.6]),
        truly_hazardous={"raised": np.array([False, False, False, True])},
        found_hazardous={hazard_key(variant): np.array([False, False, False, True])},
        lde_uniform=np.full(4, 0.5),
        initial_reference=np.array([3.0, 3.0]),
        progress_at=linear_progress(np.array([0.5, 0.5])),
        reference_log10_flop=23.0,
        reference_time=2023.0,
    )
    out = apply_variant_loop(pop, runs, variant)
    # as_amended: runs 1 and 2 covered (> 1e26), no LDE; run 3 is an unlimited derivative
    # of run 2 (own 1.6e26 FLOP: a loophole use), under run 2's obligations, found
    # hazardous and open weights: blocked; run 0 (capability 3.0 below 4.0, the best
    # 1e26-FLOP model of the methods of 2024: 3 + 0.5 * (2025 - 2023)) is not covered.
    np.testing.assert_array_equal(out["runs_covered"], [[1, 1], [0, 0]])
    np.testing.assert_array_equal(out["derivative_loophole_uses"], [[0, 0], [0, 1]])
    np.testing.assert_array_equal(out["open_weights_blocked_hazardous"], [[[0, 0], [0, 1]]])
    np.testing.assert_array_equal(out["developers_full_obligations"], [[1, 1], [0, 0]])
    np.testing.assert_array_equal(out["hazardous_not_covered"], [[[0, 0], [0, 0]]])
    np.testing.assert_allclose(
        out["compliance_cost_usd"], [[5e6 + 0.02 * 4e8, 5e6 + 0.02 * 3e8], [0, 0]], rtol=1e-12
    )
    np.testing.assert_array_equal(out["first_covered_hazard_time"], [[np.nan, 2027.1]])
    np.testing.assert_array_equal(out["hazard_coverage_gap_years"], [[np.nan, 0.0]])
    _assert_same(apply_variant(pop, runs, variant), out, pop, "hand-checked", 1)
