"""The policy engine: apply any variant's rules to a simulated world, vectorised.

Inputs are a :class:`~riskmodel.world.population.Population` (one row per training run
over all simulated worlds) and :class:`RunAttributes` (each run's true and measured
capability, whether it is truly hazardous, whether its developer's assessment finds it
hazardous under each bar, and common random numbers). No variant is special-cased: the
rules of :class:`~riskmodel.policy.variants.PolicyVariant` are applied as follows.

1. **Covered-model test** ``meets(flop, cost, capability)``: ``flop > flop_threshold``,
   and ``cost > cost_threshold_usd`` if set; or, if ``performance_equivalent_year`` ``Y``
   is set, ``capability >= `` the capability of the comparison model in the run's world,
   :func:`riskmodel.policy.equivalence.equivalent_capability`:
   ``log10(F) - reference_log10_flop + RunAttributes.progress_at(T)`` with ``F`` =
   ``performance_equivalent_flop`` (default ``flop_threshold``) and ``T = Y + 1`` (the
   best performance reachable with the methods of ``Y``, to 31 December; the default
   ``performance_equivalent_reference = "best"``) or ``T = Y`` (a typical model of
   1 January, ``"typical"``): method progress plus, if reasoning-trained by ``T``, the
   reasoning gain, of the world's posterior draw; no model-specific scatter.
2. **Derivatives.** A base run is covered if it meets the test. A derivative (a run with
   a parent) under ``unlimited`` is never a new covered model; under ``fraction_limit``
   it becomes a new model (tested with parent + extra FLOP and cost) when its extra FLOP or
   cost exceeds the fractions of the parent's; under ``finetune_threshold`` it is covered
   when its parent is covered and its own FLOP >= and cost > the fine-tune thresholds.
   A **loophole use** is a run that stays a derivative, is not covered, and whose own
   extra compute (and cost) alone would meet the FLOP/cost test.
3. **Limited duty exemption** (covered runs only). Pre-training: the gap (dex) between
   the run and its *reference*, the most capable model released earlier in the same world
   that is *non-covered or exempt* (22603(a) as introduced: "an existing noncovered or
   exempt model"), or the best pre-existing model (``RunAttributes.initial_reference``)
   if that is more capable, is compared on ``n_benchmarks`` noisy benchmarks
   (:func:`riskmodel.policy.lde.pass_probability`); the claim succeeds when
   ``lde_uniform < pass probability``. "Earlier" is an earlier row of the same draw (the
   population is ordered by release time; equal times keep row order). Post-testing
   safety case: exempt when the developer's assessment does not find the model hazardous
   under the variant's bar and enhancement allowance. A covered run is *exempt* when it
   passes either, and then counts as a reference for the runs after it; since that
   depends on its own reference, the exemptions of a world are decided in release order
   (see :func:`_lde_reference`). A derivative that stays a derivative is not covered, so
   it counts as a non-covered reference. With ``lde.reference_includes_exempt = false``
   only non-covered models are references (the reading used before; kept for
   sensitivity runs).
4. **Obligations.** Covered and not exempt = full obligations; a derivative that stays a
   derivative of a parent with full obligations is under them too (the original
   developer's responsibility) but adds no cost. Costs (USD) per covered run: exempt by
   the pre-training LDE, the LDE claim; exempt by the safety case, the claim (where the
   pre-training LDE exists) plus the safety case; under full obligations, the protocol
   (fixed plus a fraction of the run's own training cost; parent + extra for a derivative
   that became a new model) plus safeguards if found hazardous. Failed exemption attempts
   are absorbed in the protocol (the benchmark comparison and the dangerous-capability
   evaluations are part of the testing it requires;
   :class:`~riskmodel.policy.variants.Obligations` checks that the claim and the safety
   case together cost no more than the fixed protocol cost), so removing the LDE never
   lowers the compliance cost.
5. **Open weights.** A run whose developer intends an open-weight release is blocked when
   it is under obligations and found hazardous (``open_weights_blocked_if =
   "hazardous"``) or simply under obligations (``"covered"``).

Outcomes are counted per (year, draw); see :data:`OUTCOMES`.

Truth
-----
What the rules decide (coverage, exemptions, obligations, costs, blocked releases) uses the
developer's *finding* only; whether a run is *truly* hazardous is judged afterwards, once
per truth bar of :attr:`RunAttributes.truly_hazardous` (e.g. the bill's ``current`` bar and
the commentary's ``raised`` bar). The outcomes of :data:`TRUTH_OUTCOMES` count runs by
their truth and get a leading truth axis; the others do not depend on it.

* Per truth bar: ``hazardous_not_covered`` (missed), ``nonhazardous_burdened`` (false
  alarms), ``open_weights_blocked_hazardous``, ``open_weights_blocked_nonhazardous``,
  ``first_covered_hazard_time``, ``hazard_coverage_gap_years`` and the world counts
  ``hazardous_runs``, ``first_hazard_time``.
* Truth-free: ``runs_covered``, ``runs_exempt``, ``developers_full_obligations``,
  ``compliance_cost_usd`` (safeguards follow the finding, not the truth),
  ``derivative_loophole_uses`` and the world count ``runs``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from riskmodel.policy.equivalence import equivalent_capability
from riskmodel.policy.lde import pass_probability
from riskmodel.policy.variants import PolicyVariant
from riskmodel.world.population import Population

__all__ = [
    "OUTCOMES",
    "PER_DRAW_OUTCOMES",
    "WORLD_OUTCOMES",
    "TRUTH_OUTCOMES",
    "RunAttributes",
    "hazard_key",
    "apply_variant",
    "count_hazardous",
]

#: Outcomes per (year, draw): name -> (units, description). Those in
#: :data:`TRUTH_OUTCOMES` (missed hazardous runs, false alarms, blocked open-weight
#: releases by truth) are counted once per truth bar; runs covered and exempt, developers
#: under full obligations, compliance cost and loophole uses do not depend on the truth.
OUTCOMES: dict[str, tuple[str, str]] = {
    "runs_covered": ("runs", "training runs that are covered models"),
    "runs_exempt": ("runs", "covered runs exempted by the limited duty exemption"),
    "developers_full_obligations": ("developers", "developers with a run under full obligations"),
    "compliance_cost_usd": ("USD", "cost of LDE claims, safety cases, protocols and safeguards"),
    "hazardous_not_covered": ("runs", "truly hazardous runs under no obligations (missed)"),
    "nonhazardous_burdened": (
        "runs",
        "runs that are not truly hazardous but bear full obligations",
    ),
    "open_weights_blocked_hazardous": ("runs", "intended open-weight releases blocked, hazardous"),
    "open_weights_blocked_nonhazardous": (
        "runs",
        "intended open-weight releases blocked, not hazardous",
    ),
    "derivative_loophole_uses": ("runs", "derivatives whose own compute alone would be covered"),
}
#: Outcomes per draw (variant-specific): name -> (units, description); both depend on
#: the truth (:data:`TRUTH_OUTCOMES`).
PER_DRAW_OUTCOMES: dict[str, tuple[str, str]] = {
    "first_covered_hazard_time": (
        "decimal year",
        "release of the first truly hazardous run under obligations (NaN: none)",
    ),
    "hazard_coverage_gap_years": (
        "years",
        "first hazardous run under obligations minus first hazardous run (NaN: none; inf: "
        "never under obligations within the horizon)",
    ),
}
#: Variant-independent world counts of :func:`count_hazardous`: name -> (units,
#: description); ``hazardous_runs`` and ``first_hazard_time`` depend on the truth.
WORLD_OUTCOMES: dict[str, tuple[str, str]] = {
    "hazardous_runs": ("runs", "truly hazardous runs"),
    "runs": ("runs", "all training runs"),
    "first_hazard_time": ("decimal year", "release of the first truly hazardous run"),
}
#: The outcomes (of :data:`OUTCOMES`, :data:`PER_DRAW_OUTCOMES` and
#: :data:`WORLD_OUTCOMES`) that depend on which runs are truly hazardous: reported once per
#: truth bar (a leading truth axis here, dimension ``truth_bar`` in the simulated Dataset).
#: Every other outcome follows from the rules and the developers' findings alone.
TRUTH_OUTCOMES: tuple[str, ...] = (
    "hazardous_not_covered",
    "nonhazardous_burdened",
    "open_weights_blocked_hazardous",
    "open_weights_blocked_nonhazardous",
    "first_covered_hazard_time",
    "hazard_coverage_gap_years",
    "hazardous_runs",
    "first_hazard_time",
)
#: Bound on |capability| (dex) for the segmented running maximum (far outside any model).
_CAPABILITY_BOUND = 900.0
_SEGMENT_OFFSET = 4.0 * _CAPABILITY_BOUND


def hazard_key(variant: PolicyVariant) -> str:
    """Key of :attr:`RunAttributes.found_hazardous` for a variant's bar and allowance."""
    return f"{variant.hazard.bar}|{variant.hazard.enhancement.describe()}"


@dataclass(frozen=True)
class RunAttributes:
    """Per-run science of the simulated worlds (arrays shape (run,) unless stated).

    Attributes
    ----------
    capability
        True capability of the resulting model, dex of effective compute.
    truly_hazardous
        Truth bar name (e.g. ``"current"``, ``"raised"``) -> bool array: the run is
        hazardous in its world under that bar's realised condition (the simulation's
        reference conditions; at least one). The outcomes of :data:`TRUTH_OUTCOMES` are
        counted once per entry, in this order (:attr:`truth_bars`).
    found_hazardous
        :func:`hazard_key` -> bool array: the developer's post-testing assessment finds
        the run hazardous under that bar and allowance.
    lde_uniform
        Uniform(0, 1) common random numbers of the pre-training LDE comparison.
    initial_reference
        Shape (draw,): capability (dex) of the most capable model existing at the start
        of the simulation (the reference of the first LDE claims).
    progress_at
        Callable: decimal year ``T`` -> shape (draw,) array, the effective compute (dex)
        gained by a model released at ``T`` in each world over one released at
        ``reference_time``: method progress (not linear in time; see
        :func:`riskmodel.capability.predict.method_progress_at`) plus the reasoning gain
        when a model released at ``T`` is reasoning-trained. A typical model of ``F`` FLOP
        released at ``T`` has capability
        ``log10 F - reference_log10_flop + progress_at(T)[draw]`` (dex).
    reference_log10_flop, reference_time
        The capability scale's anchor: capability 0 = ``10**reference_log10_flop`` FLOP
        trained at ``reference_time`` (decimal year).
    """

    capability: np.ndarray
    truly_hazardous: Mapping[str, np.ndarray]
    found_hazardous: dict[str, np.ndarray]
    lde_uniform: np.ndarray
    initial_reference: np.ndarray
    progress_at: Callable[[float], np.ndarray]
    reference_log10_flop: float
    reference_time: float

    def __post_init__(self) -> None:
        if not isinstance(self.truly_hazardous, Mapping) or not self.truly_hazardous:
            raise TypeError(
                "RunAttributes.truly_hazardous must map truth-bar names to bool arrays "
                "(at least one truth bar), e.g. {'raised': array}"
            )

    @property
    def truth_bars(self) -> tuple[str, ...]:
        """Names of the truth bars, in the order of the truth axis of the outcomes."""
        return tuple(self.truly_hazardous)


def _meets(
    variant: PolicyVariant,
    log10_flop: np.ndarray,
    cost_usd: np.ndarray,
    capability: np.ndarray | None,
    equivalent: np.ndarray | None,
) -> np.ndarray:
    """Covered-model test (rule 1). ``equivalent``: per run, the capability (dex) of the
    performance-equivalence model in the run's world (None without that test)."""
    rule = variant.covered
    log10_threshold = float(np.log10(rule.flop_threshold))
    ok = log10_flop > log10_threshold
    if rule.cost_threshold_usd is not None:
        ok &= cost_usd > rule.cost_threshold_usd
    if capability is not None and equivalent is not None:
        ok |= capability >= equivalent
    return ok


def _previous_noncovered_max(
    pop: Population, capability: np.ndarray, covered: np.ndarray, initial: np.ndarray
) -> np.ndarray:
    """Per row: max capability of non-covered rows released earlier in the same draw,
    and of the draw's initial reference (segmented exclusive running maximum).

    The reference of ``lde.reference_includes_exempt = false``, computed as before that
    option existed (values shifted by a per-draw offset, so exact to about 1e-12 dex);
    kept unchanged so that the old rule reproduces earlier results bit for bit."""
    if pop.n_runs == 0:
        return np.empty(0)
    values = np.where(covered, -_CAPABILITY_BOUND, np.clip(capability, -800.0, 800.0))
    shifted = values + pop.draw * _SEGMENT_OFFSET
    running = np.maximum.accumulate(shifted)
    previous = np.empty_like(running)
    previous[0] = -np.inf
    previous[1:] = running[:-1]
    previous = previous - pop.draw * _SEGMENT_OFFSET
    previous = np.where(previous < -_CAPABILITY_BOUND, -np.inf, previous)
    return np.maximum(previous, initial[pop.draw])


def _previous_max(draw: np.ndarray, values: np.ndarray, n_draws: int) -> np.ndarray:
    """Exclusive running maximum within each draw, exactly (no offsets).

    Parameters
    ----------
    draw
        int, shape (row,), grouped by draw in ascending order.
    values
        float, shape (row,) (dex; ``-inf`` for rows that do not count).
    n_draws
        Number of draws (``draw < n_draws``).

    Returns
    -------
    numpy.ndarray
        Shape (row,): the largest ``values`` of the earlier rows of the same draw
        (``-inf`` for a draw's first row). One ``np.maximum.accumulate`` per draw.
    """
    out = np.full(values.shape, -np.inf)
    bounds = np.searchsorted(draw, np.arange(n_draws + 1))
    for d in np.flatnonzero(np.diff(bounds) > 1).tolist():
        start, stop = int(bounds[d]), int(bounds[d + 1])
        np.maximum.accumulate(values[start : stop - 1], out=out[start + 1 : stop])
    return out


def _lde_reference(
    pop: Population,
    capability: np.ndarray,
    covered: np.ndarray,
    exempt_anyway: np.ndarray,
    uniform: np.ndarray,
    initial: np.ndarray,
    probability: Callable[[np.ndarray], np.ndarray],
    *,
    includes_exempt: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Each run's pre-training LDE reference and whether its claim passes (rule 3).

    Parameters
    ----------
    pop
        The training runs (rows grouped by draw, in release order within a draw).
    capability
        Shape (run,), true capability (dex).
    covered
        bool, shape (run,), the run is a covered model.
    exempt_anyway
        bool, shape (run,), a covered run exempt whatever its pre-training comparison
        gives (by the post-testing safety case; all False without one).
    uniform
        Shape (run,), ``RunAttributes.lde_uniform``.
    initial
        Shape (draw,), capability (dex) of the best pre-existing model of each world.
    probability
        Gap (dex, reference minus run; array) -> pass probability (same shape), i.e.
        :func:`riskmodel.policy.lde.pass_probability` with the variant's settings; it must
        be elementwise and non-random.
    includes_exempt
        True (the bill): earlier covered runs that are exempt (pass the pre-training
        comparison or ``exempt_anyway``) are references too; False: non-covered runs only
        (:func:`_previous_noncovered_max`).

    Returns
    -------
    reference
        Shape (run,), dex: the largest of ``initial[draw]`` and the capabilities of the
        earlier reference runs of the same draw (``-inf`` if none). Only covered runs
        make a claim; with ``includes_exempt`` a non-covered run's entry leaves out the
        exempt runs before it.
    pretraining_pass
        bool, shape (run,): covered and ``uniform < probability(reference - capability)``.

    Notes
    -----
    With ``includes_exempt``, whether a covered run is exempt depends on its reference,
    which depends on whether the covered runs before it were exempt: a recursion over
    each world's runs in release order. Its solution is unique (the first run's status
    depends on nothing; each later one only on earlier ones), so it is found by
    repeating, for all worlds at once, "references from the current exemptions, then
    exemptions from the references" until nothing changes: after sweep ``k`` the first
    ``k + 1`` covered runs of every world are final, so at most (covered runs per world
    + 1) sweeps are needed, and in practice a few (a run that becomes exempt changes the
    decision of a later one only if it raises that one's reference and that claim then
    passes, so chains of changes are short: 1-7 sweeps with changes on 1e6-run test
    populations, each sweep O(covered runs) plus one ``np.maximum.accumulate`` call per
    world). Each sweep recomputes the pass probability only where the reference changed;
    the decisions compare the same ``uniform`` with the same probabilities as a
    sequential loop over the runs would.
    """
    n = pop.n_runs
    if n == 0:
        return np.empty(0), np.zeros(0, dtype=bool)
    if not includes_exempt:
        reference = _previous_noncovered_max(pop, capability, covered, initial)
        return reference, covered & (uniform < probability(reference - capability))

    noncovered = np.where(covered, -np.inf, capability)
    reference = np.maximum(_previous_max(pop.draw, noncovered, pop.n_draws), initial[pop.draw])
    passed = np.zeros(n, dtype=bool)
    rows = np.flatnonzero(covered)
    if rows.size == 0:
        return reference, passed
    draw, own, u = pop.draw[rows], capability[rows], uniform[rows]
    anyway = exempt_anyway[rows]
    base = reference[rows]  # non-covered references and the initial one
    ref = base.copy()
    ok = u < probability(ref - own)
    for _ in range(rows.size + 1):
        exempt_values = np.where(ok | anyway, own, -np.inf)
        new = np.maximum(base, _previous_max(draw, exempt_values, pop.n_draws))
        changed = np.flatnonzero(new != ref)
        if changed.size == 0:
            break
        ref[changed] = new[changed]
        ok[changed] = u[changed] < probability(ref[changed] - own[changed])
    else:  # pragma: no cover - impossible: each sweep finalises one more run per world
        raise RuntimeError("the limited-duty-exemption references did not converge")
    reference[rows] = ref
    passed[rows] = ok
    return reference, passed


def apply_variant(
    pop: Population, runs: RunAttributes, variant: PolicyVariant
) -> dict[str, np.ndarray]:
    """Apply one variant to the simulated worlds.

    Parameters
    ----------
    pop
        The training runs.
    runs
        Their capability and hazard attributes.
    variant
        The rules.

    Returns
    -------
    dict
        Each name of :data:`OUTCOMES` -> array shape (year, draw) (years in
        ``pop.years`` order); each name of :data:`PER_DRAW_OUTCOMES` -> shape (draw,).
        Outcomes of :data:`TRUTH_OUTCOMES` have a leading truth axis:
        (truth, year, draw) and (truth, draw), truths in ``runs.truth_bars`` order.
    """
    n = pop.n_runs
    rows = np.arange(n)
    is_derivative = pop.parent >= 0
    base = np.where(is_derivative, pop.parent, rows)
    capability = runs.capability
    equivalent = equivalent_capability(variant.covered, runs.progress_at, runs.reference_log10_flop)
    if equivalent is not None:  # per run: the comparison model of the run's world
        equivalent = equivalent[pop.draw]

    base_meets = _meets(variant, pop.log10_flop, pop.cost_usd, capability, equivalent)
    base_covered = base_meets & ~is_derivative
    own_compute_meets = _meets(variant, pop.log10_flop, pop.cost_usd, None, None)
    rule = variant.derivatives
    new_model = np.zeros(n, dtype=bool)
    if rule.rule == "unlimited":
        derivative_covered = np.zeros(n, dtype=bool)
    elif rule.rule == "fraction_limit":
        parent_log10_flop = pop.log10_flop[base]
        parent_cost = pop.cost_usd[base]
        flop_fraction = 10.0 ** (pop.log10_flop - parent_log10_flop)
        with np.errstate(divide="ignore", invalid="ignore"):
            cost_fraction = np.where(
                parent_cost > 0, pop.cost_usd / parent_cost, np.where(pop.cost_usd > 0, np.inf, 0.0)
            )
        new_model = is_derivative & (
            (flop_fraction > rule.max_flop_fraction) | (cost_fraction > rule.max_cost_fraction)
        )
        derivative_covered = new_model & _meets(
            variant, pop.total_log10_flop, pop.total_cost_usd, capability, equivalent
        )
    else:  # finetune_threshold
        derivative_covered = (
            is_derivative
            & base_covered[base]
            & (pop.log10_flop >= np.log10(rule.finetune_flop_threshold))
            & (pop.cost_usd > rule.finetune_cost_threshold_usd)
        )
    covered = np.where(is_derivative, derivative_covered, base_covered)
    stays_derivative = is_derivative & ~new_model
    loophole = stays_derivative & ~covered & own_compute_meets

    lde = variant.lde
    found = runs.found_hazardous[hazard_key(variant)]
    if lde.pretraining != "none":
        _, pretraining_pass = _lde_reference(
            pop,
            capability,
            covered,
            covered & ~found if lde.safety_case else np.zeros(n, dtype=bool),
            runs.lde_uniform,
            runs.initial_reference,
            functools.partial(
                pass_probability,
                n_benchmarks=lde.n_benchmarks,
                noise_sd=lde.noise_sd,
                rule=lde.pretraining,
                correlation=lde.correlation,
                margin=lde.margin,
                share=lde.share,
            ),
            includes_exempt=lde.reference_includes_exempt,
        )
    else:
        pretraining_pass = np.zeros(n, dtype=bool)
    attempts_safety_case = covered & ~pretraining_pass if lde.safety_case else np.zeros(n, bool)
    safety_case_pass = attempts_safety_case & ~found
    exempt = pretraining_pass | safety_case_pass
    full = covered & ~exempt
    obligated = full | (stays_derivative & full[base])

    costs = variant.obligations
    training_cost = np.where(new_model, pop.total_cost_usd, pop.cost_usd)
    claim = costs.lde_claim_cost_usd if lde.pretraining != "none" else 0.0
    cost = pretraining_pass * claim
    cost += safety_case_pass * (claim + costs.safety_case_cost_usd)
    cost += full * (costs.protocol_cost_usd + costs.protocol_cost_fraction * training_cost)
    cost += (full & found) * costs.safeguards_cost_usd

    blocked = pop.open_weights & obligated
    if costs.open_weights_blocked_if == "hazardous":
        blocked &= found

    n_years = len(pop.years)
    group = _group_index(pop)
    size = n_years * pop.n_draws

    def per_group(values: np.ndarray) -> np.ndarray:
        counts = np.bincount(group, weights=values.astype(float), minlength=size)
        return counts.reshape(n_years, pop.n_draws)

    out = {
        "runs_covered": per_group(covered),
        "runs_exempt": per_group(covered & exempt),
        "compliance_cost_usd": per_group(cost),
        "derivative_loophole_uses": per_group(loophole),
    }
    n_developers = int(pop.developer.max()) + 1 if n else 1
    keys = np.unique(group[full].astype(np.int64) * n_developers + pop.developer[full])
    out["developers_full_obligations"] = (
        np.bincount(keys // n_developers, minlength=size).reshape(n_years, pop.n_draws)
    ).astype(float)

    # Judged against each truth bar in turn: the decisions above do not depend on it.
    judged: dict[str, list[np.ndarray]] = {
        name: [] for name in TRUTH_OUTCOMES if name not in WORLD_OUTCOMES
    }
    for truly in runs.truly_hazardous.values():
        judged["hazardous_not_covered"].append(per_group(truly & ~obligated))
        judged["nonhazardous_burdened"].append(per_group(~truly & full))
        judged["open_weights_blocked_hazardous"].append(per_group(blocked & truly))
        judged["open_weights_blocked_nonhazardous"].append(per_group(blocked & ~truly))
        first_hazard = _first_time(pop, truly)
        first_covered = _first_time(pop, truly & obligated)
        gap = np.where(
            np.isnan(first_hazard),
            np.nan,
            np.where(np.isnan(first_covered), np.inf, first_covered - first_hazard),
        )
        judged["first_covered_hazard_time"].append(first_covered)
        judged["hazard_coverage_gap_years"].append(gap)
    out.update({name: np.stack(values) for name, values in judged.items()})
    return out


def _group_index(pop: Population) -> np.ndarray:
    """Per run: flat index ``year_index * n_draws + draw`` of its (year, draw) cell."""
    year_index = np.searchsorted(np.asarray(pop.years), pop.year)
    return year_index * pop.n_draws + pop.draw


def _first_time(pop: Population, mask: np.ndarray) -> np.ndarray:
    """Shape (draw,): earliest release time of the masked runs per draw (NaN: none)."""
    first = np.full(pop.n_draws, np.inf)
    np.minimum.at(first, pop.draw[mask], pop.release_time[mask])
    return np.where(np.isinf(first), np.nan, first)


def count_hazardous(pop: Population, runs: RunAttributes) -> dict[str, np.ndarray]:
    """Variant-independent world outcomes.

    Returns
    -------
    dict
        :data:`WORLD_OUTCOMES`: ``hazardous_runs``: shape (truth, year, draw), truly
        hazardous runs; ``runs``: shape (year, draw), all runs; ``first_hazard_time``:
        shape (truth, draw), decimal year of the first truly hazardous run (NaN: none
        within the horizon); truths in ``runs.truth_bars`` order.
    """
    n_years = len(pop.years)
    group = _group_index(pop)
    size = n_years * pop.n_draws
    truths = list(runs.truly_hazardous.values())
    hazardous = [
        np.bincount(group, weights=truly.astype(float), minlength=size).reshape(
            n_years, pop.n_draws
        )
        for truly in truths
    ]
    total = np.bincount(group, minlength=size).astype(float)
    return {
        "hazardous_runs": np.stack(hazardous),
        "runs": total.reshape(n_years, pop.n_draws),
        "first_hazard_time": np.stack([_first_time(pop, truly) for truly in truths]),
    }
