"""Reference policy engine: the rules of :mod:`riskmodel.policy.engine`, one run at a time.

:func:`apply_variant_loop` returns exactly what :func:`riskmodel.policy.engine.apply_variant`
returns (same keys, shapes and values), but is written as plain Python loops over the
training runs, directly from the rules stated in the engine's module docstring, without
reusing any of the vectorised engine's helpers. It serves two purposes:

* a correctness cross-check of the vectorised engine (``tests/test_reference_engine.py``);
* the baseline of the speed benchmark (``benchmarks/simulate_speed.py``).

How each rule is read here (numbers refer to the engine's docstring):

1. Covered-model test of a model with FLOP ``F``, cost ``C`` and capability ``c``:
   ``F > flop_threshold`` (and ``C > cost_threshold_usd`` if set), or, if
   ``performance_equivalent_year`` ``Y`` is set, ``c >=`` the capability of the
   comparison model in the run's world: a ``performance_equivalent_flop`` model (default
   ``flop_threshold``) with the methods up to the end of ``Y`` (time ``Y + 1``; reading
   ``"best"``) or released on 1 January of ``Y`` (time ``Y``; reading ``"typical"``),
   i.e. ``log10(that FLOP) - reference_log10_flop + p_d(time)`` with ``p_d`` the world's
   progress (``runs.progress_at(time)[d]``: method progress plus any reasoning gain,
   dex). FLOP are compared as log10 (the population's unit), which is the same test.
2. A base run is covered when it meets the test. A derivative: ``unlimited``, never
   covered; ``fraction_limit``, a new model when its extra FLOP exceeds
   ``max_flop_fraction`` times the parent's FLOP or its extra cost exceeds
   ``max_cost_fraction`` times the parent's cost, then covered when the resulting model
   (parent + extra FLOP and cost, its own capability) meets the test;
   ``finetune_threshold``, covered when its parent is covered, its own FLOP
   ``>= finetune_flop_threshold`` and its own cost ``> finetune_cost_threshold_usd`` (it
   stays a derivative). A loophole use: stays a derivative, is not covered, and its own
   extra FLOP and cost alone pass the FLOP (and cost) part of the test.
3. LDE, for covered runs: the reference is the largest of the world's initial reference
   and the capabilities of the runs of the same world released strictly earlier
   (``release_time`` smaller) that are not covered or, if
   ``lde.reference_includes_exempt``, are covered and exempt; the claim succeeds when
   ``lde_uniform < pass_probability(reference - capability, ...)``. Otherwise, with a
   safety case, exempt when the run is not found hazardous (the variant's hazard key).
   A world's runs are visited in release order, so each run's exemption is decided
   before any later run's reference is taken.
4. Full obligations: covered and not exempt. Under obligations: full, or a derivative
   that stays a derivative of a parent under full obligations. Cost of a covered run: LDE
   claim if exempt before training; claim (if the pre-training LDE exists) plus safety
   case if exempt by it; protocol fixed cost plus ``protocol_cost_fraction`` times the
   training cost the covered test was applied to (parent + extra for a new model under
   ``fraction_limit``, the run's own cost otherwise) plus safeguards if found hazardous,
   under full obligations.
5. Blocked: intended open weights, under obligations, and (if
   ``open_weights_blocked_if = "hazardous"``) found hazardous.

Outcomes per (year, world): counts of the runs above, the summed costs, and the number
of distinct developers with at least one run under full obligations; per world: the
release time of the first truly hazardous run under obligations and its gap to the first
truly hazardous run (NaN: no hazardous run; inf: none under obligations). Counts by truth
(missed, false alarms, blocked by truth) and the two times are computed once per truth
bar of ``runs.truly_hazardous`` (leading axis, in its order).
"""

from __future__ import annotations

import math

import numpy as np

from riskmodel._time import decimal_year
from riskmodel.policy.engine import OUTCOMES, TRUTH_OUTCOMES, RunAttributes, hazard_key
from riskmodel.policy.lde import pass_probability
from riskmodel.policy.variants import PolicyVariant
from riskmodel.world.population import Population

__all__ = ["apply_variant_loop"]


def _passes_compute_test(variant: PolicyVariant, log10_flop: float, cost_usd: float) -> bool:
    """The FLOP (and cost) part of the covered-model test."""
    rule = variant.covered
    if not log10_flop > math.log10(rule.flop_threshold):
        return False
    return rule.cost_threshold_usd is None or cost_usd > rule.cost_threshold_usd


def _is_covered_model(
    variant: PolicyVariant,
    log10_flop: float,
    cost_usd: float,
    capability: float,
    progress: float | None,
    runs: RunAttributes,
) -> bool:
    """The full covered-model test: compute (and cost), or performance equivalence.

    ``progress``: the run's world's progress (dex) at the time of the comparison model
    (None without a performance-equivalence test)."""
    if _passes_compute_test(variant, log10_flop, cost_usd):
        return True
    if progress is None:
        return False
    rule = variant.covered
    flop = rule.performance_equivalent_flop or rule.flop_threshold  # None: the threshold
    equivalent_capability = math.log10(flop) - runs.reference_log10_flop + progress
    return capability >= equivalent_capability


def apply_variant_loop(
    pop: Population, runs: RunAttributes, variant: PolicyVariant
) -> dict[str, np.ndarray]:
    """Apply one variant to the simulated worlds, one run at a time.

    Parameters
    ----------
    pop
        The training runs (a derivative's parent is an earlier base run of its world).
    runs
        Their capability and hazard attributes.
    variant
        The rules.

    Returns
    -------
    dict
        Each name of :data:`riskmodel.policy.engine.OUTCOMES` -> float array shape
        (year, draw) (years in ``pop.years`` order); each name of
        :data:`riskmodel.policy.engine.PER_DRAW_OUTCOMES` -> shape (draw,); a leading
        truth axis for the names of :data:`riskmodel.policy.engine.TRUTH_OUTCOMES`.
    """
    n = pop.n_runs
    draw = pop.draw.tolist()
    year = pop.year.tolist()
    time = pop.release_time.tolist()
    log10_flop = pop.log10_flop.tolist()
    cost_usd = pop.cost_usd.tolist()
    developer = pop.developer.tolist()
    open_weights = pop.open_weights.tolist()
    parent = pop.parent.tolist()
    capability = runs.capability.tolist()
    truths = [t.tolist() for t in runs.truly_hazardous.values()]
    found = runs.found_hazardous[hazard_key(variant)].tolist()
    uniform = runs.lde_uniform.tolist()
    initial_reference = runs.initial_reference.tolist()
    equivalent_year = variant.covered.performance_equivalent_year
    if equivalent_year is None:
        progress = [None] * pop.n_draws
    else:
        best = variant.covered.performance_equivalent_reference == "best"
        # 1 January of Y + 1 ("best": every method of year Y) or of Y, in the package's
        # one decimal-year convention
        first = equivalent_year + 1 if best else equivalent_year
        at = float(decimal_year(f"{first:04d}-01-01"))
        progress = [float(p) for p in runs.progress_at(at)]

    rule = variant.derivatives.rule
    lde = variant.lde
    costs = variant.obligations

    # Rules 1-2: covered, stays a derivative, loophole use, training cost of the covered model.
    covered = [False] * n
    stays_derivative = [False] * n
    loophole = [False] * n
    training_cost = [0.0] * n
    for i in range(n):
        p = parent[i]
        equivalent = progress[draw[i]]
        if p < 0:
            covered[i] = _is_covered_model(
                variant, log10_flop[i], cost_usd[i], capability[i], equivalent, runs
            )
            training_cost[i] = cost_usd[i]
            continue
        new_model = False
        if rule == "fraction_limit":
            extra_flop = 10.0 ** log10_flop[i]
            parent_flop = 10.0 ** log10_flop[p]
            new_model = (
                extra_flop > variant.derivatives.max_flop_fraction * parent_flop
                or cost_usd[i] > variant.derivatives.max_cost_fraction * cost_usd[p]
            )
            if new_model:
                total_cost = cost_usd[p] + cost_usd[i]
                covered[i] = _is_covered_model(
                    variant,
                    math.log10(parent_flop + extra_flop),
                    total_cost,
                    capability[i],
                    equivalent,
                    runs,
                )
                training_cost[i] = total_cost
        elif rule == "finetune_threshold":
            covered[i] = (
                covered[p]
                and log10_flop[i] >= math.log10(variant.derivatives.finetune_flop_threshold)
                and cost_usd[i] > variant.derivatives.finetune_cost_threshold_usd
            )
        if not new_model:
            stays_derivative[i] = True
            training_cost[i] = cost_usd[i]
            loophole[i] = not covered[i] and _passes_compute_test(
                variant, log10_flop[i], cost_usd[i]
            )

    # Rule 3, pre-training LDE: reference = best run released strictly earlier in the same
    # world that is not covered, or covered and exempt (if the variant says so), or the
    # world's initial reference. Visit each world's runs in order of release time; runs
    # released at the same time do not see each other.
    lde_pass = [False] * n
    if lde.pretraining != "none":
        by_world: dict[int, list[int]] = {}
        for i in range(n):
            by_world.setdefault(draw[i], []).append(i)
        for d, members in by_world.items():
            members.sort(key=lambda row: (time[row], row))
            best_before = initial_reference[d]
            same_time_best = -math.inf
            current_time = -math.inf
            for i in members:
                if time[i] > current_time:
                    best_before = max(best_before, same_time_best)
                    same_time_best = -math.inf
                    current_time = time[i]
                if covered[i]:
                    probability = pass_probability(
                        best_before - capability[i],
                        n_benchmarks=lde.n_benchmarks,
                        noise_sd=lde.noise_sd,
                        rule=lde.pretraining,
                        correlation=lde.correlation,
                        margin=lde.margin,
                        share=lde.share,
                    )
                    lde_pass[i] = bool(uniform[i] < probability)
                    exempt_here = lde_pass[i] or (lde.safety_case and not found[i])
                    if exempt_here and lde.reference_includes_exempt:
                        same_time_best = max(same_time_best, capability[i])
                else:
                    same_time_best = max(same_time_best, capability[i])

    # Rules 3-5 per run: safety case, obligations, cost, open weights.
    claim_cost = costs.lde_claim_cost_usd if lde.pretraining != "none" else 0.0
    exempt = [False] * n
    full = [False] * n
    run_cost = [0.0] * n
    for i in range(n):
        if not covered[i]:
            continue
        if lde_pass[i]:
            exempt[i] = True
            run_cost[i] = claim_cost
        elif lde.safety_case and not found[i]:
            exempt[i] = True
            run_cost[i] = claim_cost + costs.safety_case_cost_usd
        else:
            full[i] = True
            run_cost[i] = costs.protocol_cost_usd + costs.protocol_cost_fraction * training_cost[i]
            if found[i]:
                run_cost[i] += costs.safeguards_cost_usd
    obligated = [False] * n
    blocked = [False] * n
    for i in range(n):
        p = parent[i]
        obligated[i] = full[i] or (stays_derivative[i] and full[p])
        blocked[i] = open_weights[i] and obligated[i]
        if costs.open_weights_blocked_if == "hazardous":
            blocked[i] = blocked[i] and found[i]

    # Outcomes per (year, world) and per world; those judged by the truth, per truth bar.
    years = list(pop.years)
    shape = (len(years), pop.n_draws)
    n_truths = len(truths)
    out = {
        name: np.zeros((n_truths, *shape) if name in TRUTH_OUTCOMES else shape) for name in OUTCOMES
    }
    developers: dict[tuple[int, int], set[int]] = {}
    first_hazard = [[math.inf] * pop.n_draws for _ in range(n_truths)]
    first_covered = [[math.inf] * pop.n_draws for _ in range(n_truths)]
    for i in range(n):
        cell = (years.index(year[i]), draw[i])
        out["runs_covered"][cell] += covered[i]
        out["runs_exempt"][cell] += covered[i] and exempt[i]
        out["compliance_cost_usd"][cell] += run_cost[i]
        out["derivative_loophole_uses"][cell] += loophole[i]
        if full[i]:
            developers.setdefault(cell, set()).add(developer[i])
        for k, truly in enumerate(truths):
            at = (k, *cell)
            out["hazardous_not_covered"][at] += truly[i] and not obligated[i]
            out["nonhazardous_burdened"][at] += full[i] and not truly[i]
            out["open_weights_blocked_hazardous"][at] += blocked[i] and truly[i]
            out["open_weights_blocked_nonhazardous"][at] += blocked[i] and not truly[i]
            if truly[i]:
                first_hazard[k][draw[i]] = min(first_hazard[k][draw[i]], time[i])
                if obligated[i]:
                    first_covered[k][draw[i]] = min(first_covered[k][draw[i]], time[i])
    for cell, names in developers.items():
        out["developers_full_obligations"][cell] = len(names)

    first_time = np.full((n_truths, pop.n_draws), np.nan)
    gap = np.full((n_truths, pop.n_draws), np.nan)
    for k in range(n_truths):
        for d in range(pop.n_draws):
            hazard, covered_at = first_hazard[k][d], first_covered[k][d]
            if covered_at < math.inf:
                first_time[k, d] = covered_at
            if hazard < math.inf:
                gap[k, d] = covered_at - hazard if covered_at < math.inf else math.inf
    out["first_covered_hazard_time"] = first_time
    out["hazard_coverage_gap_years"] = gap
    return out
