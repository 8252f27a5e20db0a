"""Is one model a covered model under a policy variant?

:func:`coverage_probability` answers the question for a single base model (not a
derivative) of known training compute and release date with the rule the simulation
engine applies (:func:`riskmodel.policy.engine.apply_variant`), using the same fitted
inputs:

* compute: ``FLOP > flop_threshold`` (known, so probability 0 or 1);
* cost (when the variant has a cost threshold): the training cost is uncertain; its
  log10 (2023 USD) is ``log10 FLOP + a + b * tau + s * z`` with the world fit's
  cost-per-FLOP trend (``a``, ``b``, ``s`` from :class:`riskmodel.world.fit.WorldFit`,
  ``tau`` years since 1 January 2024);
* performance equivalence (when the variant has one): the model's capability (capability
  fit, dex of effective compute; :func:`~riskmodel.capability.predict.capability_draws`)
  is at least that of the variant's comparison model in the same posterior draw
  (:func:`riskmodel.policy.equivalence.equivalent_capability`; by default the best
  1e26-FLOP model reachable with the methods of 2024: ``log10 F - reference_log10_flop +
  M(end of 2024)`` plus the reasoning gain when reasoning-trained models had been released
  by then, ``PosteriorView.reasoning_since``), with ``M`` the method progress (dex;
  :func:`~riskmodel.capability.predict.method_progress_draws`) and no model scatter.

A model is covered when it meets the compute (and cost) test **or** the performance test;
the two are treated as independent given the fits, so
``P = 1 - (1 - P(compute and cost)) * (1 - P(performance))``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr
from scipy.special import ndtr

from riskmodel._time import decimal_year, parse_date, years_since
from riskmodel.capability.predict import (
    PosteriorView,
    capability_draws,
    method_progress_draws,
    posterior_view,
)
from riskmodel.errors import RiskmodelError
from riskmodel.policy.equivalence import describe_equivalence, equivalent_capability
from riskmodel.policy.variants import PolicyVariant
from riskmodel.world.fit import REFERENCE_YEAR, WorldFit, fit_world

__all__ = ["Coverage", "coverage_probability", "view_progress_at"]


@dataclass(frozen=True)
class Coverage:
    """Probability that a model is covered, and its parts.

    Attributes
    ----------
    variant
        Variant name.
    probability
        P(covered model).
    p_compute
        1.0 if the training FLOP exceeds the threshold, else 0.0.
    p_cost
        P(training cost > the cost threshold); ``None`` without a cost test.
    p_performance
        P(capability >= that of the performance-equivalence comparison model); ``None``
        without a performance test.
    explanation
        The parts in words.
    """

    variant: str
    probability: float
    p_compute: float
    p_cost: float | None
    p_performance: float | None
    explanation: str


def coverage_probability(
    variant: PolicyVariant,
    *,
    flop: float,
    date: str,
    fit: xr.DataTree | str | Path | PosteriorView | None = None,
    world: WorldFit | None = None,
    seed: int = 0,
) -> Coverage:
    """P(a base model with ``flop`` training FLOP released on ``date`` is covered).

    Parameters
    ----------
    variant
        The policy variant (:func:`riskmodel.policy.variants.load_variants`).
    flop
        Training compute (FLOP), positive.
    date
        Release date, YYYY-MM-DD.
    fit
        Capability fit; needed only when the variant has a performance-equivalence test.
    world
        World fit (cost-per-FLOP trend); default :func:`riskmodel.world.fit.fit_world`,
        fitted only when the variant has a cost test.
    seed
        Seed of the capability draws.

    Raises
    ------
    RiskmodelError
        A date not written YYYY-MM-DD, non-positive FLOP, or a performance test without
        a fit.
    """
    parse_date(date, what="date")
    if not (flop > 0 and np.isfinite(flop)):
        raise RiskmodelError(f"training FLOP must be a positive number, got {flop}")
    rule = variant.covered
    p_compute = 1.0 if flop > rule.flop_threshold else 0.0
    notes = [f"FLOP > {rule.flop_threshold:.0e}: {'yes' if p_compute else 'no'}"]
    p_main = p_compute
    p_cost = None
    if rule.cost_threshold_usd is not None:
        world = world if world is not None else fit_world()
        tau = float(years_since(date, f"{REFERENCE_YEAR}-01-01"))
        mean = np.log10(flop) + world.cost_a + world.cost_b * tau
        p_cost = float(np.mean(ndtr((mean - np.log10(rule.cost_threshold_usd)) / world.cost_s)))
        p_main *= p_cost
        notes.append(f"P(cost > ${rule.cost_threshold_usd / 1e6:.0f}M) = {p_cost:.2f}")
    p_performance = None
    if rule.performance_equivalent_year is not None:
        if fit is None:
            raise RiskmodelError(
                f"variant '{variant.name}' has a performance-equivalence test: give the "
                "capability fit (fit=)"
            )
        view = posterior_view(fit)
        capability = capability_draws(
            view, date=date, flop=float(flop), rng=np.random.default_rng(seed)
        )
        reference = equivalent_capability(rule, view_progress_at(view), view.reference_log10_flop)
        p_performance = float(np.mean(capability >= reference))
        notes.append(f"P(as capable as {describe_equivalence(rule)}) = {p_performance:.2f}")
    probability = 1.0 - (1.0 - p_main) * (1.0 - (p_performance or 0.0))
    return Coverage(
        variant=variant.name,
        probability=probability,
        p_compute=p_compute,
        p_cost=p_cost,
        p_performance=p_performance,
        explanation="; ".join(notes),
    )


def view_progress_at(view: PosteriorView) -> Callable[[float], np.ndarray]:
    """``progress_at`` of a posterior view, as the simulation's
    (:meth:`riskmodel.simulation.science.Science.progress_at`) over all samples.

    Returns
    -------
    callable
        Decimal year ``T`` -> shape (sample,): method progress
        (:func:`~riskmodel.capability.predict.method_progress_draws`) at ``T`` minus the
        reference date's decimal year, plus the reasoning gain when ``T`` is at or after
        the first reasoning-trained release (``PosteriorView.reasoning_since``). Decimal
        years are :func:`riskmodel._time.decimal_year`, the simulation's convention.
    """
    reference_time = float(decimal_year(view.reference_date))
    reasoning_time = (
        float(decimal_year(view.reasoning_since)) if view.reasoning_since is not None else np.inf
    )
    gain = view.values("reasoning_gain") if view.reasoning_since is not None else 0.0

    def progress_at(time: float) -> np.ndarray:
        method = method_progress_draws(view, float(time) - reference_time)
        return method + (gain if float(time) >= reasoning_time else 0.0)

    return progress_at
