"""The joint Monte Carlo sample of the hazard model, weighted by the observed record.

One sample ``j`` combines a posterior draw of the capability fit (row ``rows[j]``) with
independent draws of the uplift link's parameters, the enhancement parameters and the
risk-chain parameters (:func:`draw_hazard_sample`). Every hazard number
(:func:`~riskmodel.hazard.assess.assess`, :func:`~riskmodel.hazard.assess.crossing`,
:func:`~riskmodel.hazard.assess.capability_needed`) is an average over such samples.

Evidence about the world (DOMAIN.md section 6: "the world has been observed")
---------------------------------------------------------------------------
The record in ``[record]`` of the risk-chain file (:class:`~riskmodel.hazard.bars.
WorldRecord`) enters as a likelihood. Sample ``j`` gets the weight

``w_j = Poisson(k | mu_j * T) * Poisson(k_ai | attribution_j * Lambda_j)``

* ``mu_j = attempts * baseline_success * P(damage >= threshold | success)``: the rate of
  >= $500M incidents without AI, against ``k`` incidents observed in ``T`` years;
* ``Lambda_j``: the expected number of >= $500M incidents that the best deployed model
  enabled from ``ai_record_start`` to the data vintage, the integral (trapezoid on a
  quarterly grid, :data:`RECORD_STEP_YEARS`) of ``attempts * adoption_share *
  (p(U(F_j(t))) - baseline_success) * P(damage >= threshold | success)`` over the
  frontier ``F_j(t)`` of the sample's posterior draw as deployed (the best model released
  in the year up to ``t``, :func:`~riskmodel.capability.predict.frontier_capability_draws`,
  no enhancement, against no AI at all); ``k_ai`` (0) incidents were attributed to AI,
  each AI-enabled one with probability ``attribution_j``.

The weighted pool is resampled to equal weights by systematic resampling (sorted, so the
samples keep the posterior's chain/draw order and the batch-means Monte Carlo error sees
both autocorrelation and duplicates). :attr:`HazardSample.record_ess` is Kish's effective
sample size of the weights over the pool: the price of the evidence in Monte Carlo
precision. ``record=False`` switches the evidence off (a sensitivity option).

Counterfactual (bars with ``counterfactual = "non_covered"``)
-------------------------------------------------------------
The best model available without a covered model at release date ``t``
(:func:`reference_capability`): a typical fresh run just under ``covered_flop`` with the
methods (method progress and reasoning gain) of ``t - noncovered_lag_years`` of the
sample's posterior draw, no model-specific scatter. Below the covered threshold every
model is weaker than it (up to scatter), so a non-covered model is not hazardous under
such a bar, and neither is a covered one that is no better than it. An enhanced model
is compared with the reference of its time of use (:data:`riskmodel.hazard.assess.
USAGE_TIMES`): newer methods improve the non-covered models too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from scipy.special import xlogy

from riskmodel._time import date_after_years, years_since
from riskmodel.capability.predict import (
    PosteriorView,
    frontier_capability_draws,
    method_rate_at_vintage,
    progress_with_reasoning_at,
)
from riskmodel.hazard.bars import RiskChainPriors, severity_tail, success_probability
from riskmodel.hazard.enhancement import EnhancementParams, EnhancementPriors
from riskmodel.uplift.links import TaskCurve, UpliftLink

__all__ = [
    "RECORD_STEP_YEARS",
    "FRONTIER_WINDOW_YEARS",
    "HazardSample",
    "draw_hazard_sample",
    "record_log_weights",
    "reference_capability",
    "rows_view",
]

#: Grid step (years) of the integral of the AI-enabled incident rate over the record.
RECORD_STEP_YEARS = 0.25
#: The frontier on date D is the best model released in this many years up to D.
FRONTIER_WINDOW_YEARS = 1.0


@dataclass(frozen=True)
class HazardSample:
    """One equally weighted joint Monte Carlo sample (arrays of shape (sample,)).

    Attributes
    ----------
    rows
        Rows of the capability fit's flattened posterior.
    link
        Uplift-link parameter draws by name.
    curve
        Cyber task curve of the rows (Amdahl link) or None.
    enhancement
        Enhancement parameter draws.
    chain
        Risk-chain parameter draws by name.
    method_rate
        Rate of method progress at the data vintage (dex/year) of the rows.
    record_ess
        Kish effective sample size of the record weights over the pool (= pool size
        without the record).
    pool_size
        Samples drawn before resampling.
    """

    rows: np.ndarray
    link: dict[str, np.ndarray]
    curve: TaskCurve | None
    enhancement: EnhancementParams
    chain: dict[str, np.ndarray]
    method_rate: np.ndarray
    record_ess: float
    pool_size: int

    @property
    def size(self) -> int:
        """Number of samples."""
        return int(self.rows.size)


def rows_view(view: PosteriorView, rows: np.ndarray) -> PosteriorView:
    """A view whose samples are the posterior rows ``rows`` (repeats allowed), keeping only
    the per-sample scalar variables (all that the frontier's capability needs)."""
    scalars = [name for name, var in view.draws.data_vars.items() if var.dims == ("sample",)]
    path = None if view.progress_path is None else view.progress_path[rows]
    return replace(view, draws=view.draws[scalars].isel(sample=rows), progress_path=path)


def _curve_rows(curve: TaskCurve | None, index: np.ndarray) -> TaskCurve | None:
    return None if curve is None else curve.take(index)


def record_log_weights(
    view: PosteriorView,
    rows: np.ndarray,
    *,
    link: UpliftLink,
    link_params: Mapping[str, np.ndarray],
    curve: TaskCurve | None,
    chain: RiskChainPriors,
    chain_params: Mapping[str, np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Log-likelihood of the observed record per sample (module docstring), shape (sample,)."""
    record = chain.record
    tail = severity_tail(chain, chain_params)
    attempts = np.asarray(chain_params["attempts_per_year"], dtype=float)
    p0 = np.asarray(chain_params["baseline_success"], dtype=float)
    base_mean = attempts * p0 * tail * record.incident_window_years
    log_w = xlogy(record.incidents, base_mean) - base_mean
    start = float(years_since(record.ai_record_start, view.reference_date))
    end = view.vintage_years
    if end > start:
        steps = max(1, math.ceil((end - start) / RECORD_STEP_YEARS))
        grid = np.linspace(start, end, steps + 1)
        sub = rows_view(view, rows)
        rates = []
        for years in grid:
            date = date_after_years(view.reference_date, years)
            frontier = frontier_capability_draws(
                sub, date=date, window_years=FRONTIER_WINDOW_YEARS, rng=rng
            )
            uplift = link.uplift(frontier, link_params, task_curve=curve)
            # A model that slows attackers down (uplift < 1) enables no incident.
            excess = np.maximum(
                success_probability(p0, uplift, chain_params["uplift_elasticity"]) - p0, 0.0
            )
            rates.append(attempts * chain_params["adoption_share"] * excess * tail)
        rate = np.asarray(rates)
        expected = np.sum(0.5 * (rate[1:] + rate[:-1]) * np.diff(grid)[:, None], axis=0)
        attributed = np.asarray(chain_params["attribution_probability"]) * expected
        log_w = log_w + xlogy(record.ai_incidents, attributed) - attributed
    return log_w


def _systematic(log_w: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, float]:
    """Sorted systematic resample of ``len(log_w)`` indices, and Kish's ESS."""
    w = np.exp(log_w - np.max(log_w))
    w /= w.sum()
    ess = float(1.0 / np.sum(w**2))
    n = w.size
    positions = (rng.random() + np.arange(n)) / n
    index = np.searchsorted(np.cumsum(w), positions, side="left")
    return np.minimum(index, n - 1), ess


def draw_hazard_sample(
    view: PosteriorView,
    pool_rows: np.ndarray,
    *,
    link: UpliftLink,
    link_draw: Mapping[str, np.ndarray],
    curve: TaskCurve | None,
    enhancement: EnhancementPriors,
    chain: RiskChainPriors,
    rng: Mapping[str, np.random.Generator],
    record: bool = True,
) -> HazardSample:
    """Draw the joint sample for posterior rows ``pool_rows`` and weight it by the record.

    Parameters
    ----------
    view
        Posterior view of the capability fit.
    pool_rows
        Posterior rows of the pool, shape (sample,).
    link, link_draw
        The uplift link and its parameter draws for the pool (shape (sample,) each).
    curve
        The task curve of *all* posterior rows (indexed by ``pool_rows`` here) or None.
    enhancement, chain
        Priors; their draws come from ``rng["enhancement"]`` and ``rng["chain"]``.
    rng
        Named generators: ``enhancement``, ``chain``, ``record``.
    record
        Weight by the observed record (default) or not.

    Returns
    -------
    HazardSample
        Equally weighted, same size as the pool.
    """
    n = pool_rows.size
    enh = enhancement.sample(rng=rng["enhancement"], size=n)
    chain_draw = chain.sample(rng=rng["chain"], size=n)
    pool_curve = _curve_rows(curve, pool_rows)
    if record:
        log_w = record_log_weights(
            view,
            pool_rows,
            link=link,
            link_params=link_draw,
            curve=pool_curve,
            chain=chain,
            chain_params=chain_draw,
            rng=rng["record"],
        )
        index, ess = _systematic(log_w, rng["record"])
    else:
        index, ess = np.arange(n), float(n)
    rows = pool_rows[index]
    return HazardSample(
        rows=rows,
        link={k: np.asarray(v)[index] for k, v in link_draw.items()},
        curve=_curve_rows(curve, rows),
        enhancement=enh.take(index),
        chain={k: np.asarray(v)[index] for k, v in chain_draw.items()},
        method_rate=method_rate_at_vintage(view)[rows],
        record_ess=ess,
        pool_size=n,
    )


def reference_capability(
    view: PosteriorView,
    sample: HazardSample,
    *,
    years: float | np.ndarray,
    covered_flop: float,
) -> np.ndarray:
    """Capability (dex) of the best model available without a covered model at ``years``
    (since the reference date) per sample: a typical run at ``covered_flop`` with the
    methods of ``years - noncovered_lag_years`` (module docstring)."""
    t = np.asarray(years, dtype=float) - np.asarray(sample.chain["noncovered_lag_years"])
    return (
        math.log10(covered_flop)
        - view.reference_log10_flop
        + progress_with_reasoning_at(view, sample.rows, t)
    )
