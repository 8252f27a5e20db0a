"""The Bayesian capability-scaling model (PyMC).

Structure (all logs base 10; ``t`` = years since ``reference_date``):

* **Compute trend.** Training compute of language models follows
  ``log10 FLOP ~ Normal(level + slope * t + frontier_offset * is_frontier, scatter)``.
  Every language model since ``trend_start_date`` with a FLOP estimate informs it; models
  with evidence but unknown FLOP (most closed models) get their latent FLOP from it.
* **Measurement.** Reported ``log10 FLOP`` = true + Normal(0, sd), sd from Epoch's
  confidence label (``CapabilityConfig.flop_sd_dex``).
* **Capability.** ``capability = log10 FLOP + algorithmic_progress * t
  - reference_log10_flop + capability_scatter * z``. Capability is *measured in dex of
  effective compute*: 0 at ``reference_log10_flop`` at the reference date, +1 per
  10x. Pinning the slope to 1 and the origin fixes the latent scale and location, which
  are otherwise not identified (DOMAIN.md pitfalls).
* **Aggregate benchmarks.** Expected fraction solved
  ``p = chance + (1 - lapse - chance) * logistic(discrimination * (capability - difficulty))``;
  tasks solved ``~ BetaBinomial(n, p * overdispersion, (1 - p) * overdispersion)``, the
  beta-binomial absorbing harness differences and item correlation.
* **Task-level runs (time horizons).** For task ``j`` of suite ``s`` in domain ``d``
  with human completion time ``m_j`` minutes:
  ``logit P(success) = task_discrimination[d] * (capability - horizon_offset[s]
  - horizon_slope[d] * log10 m_j - task_scatter[d] * e_j)``. A model's 50% time horizon
  in suite ``s`` is ``10 ** ((capability - horizon_offset[s]) / horizon_slope[d])`` minutes.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from riskmodel.capability.data import CapabilityData
from riskmodel.config import CapabilityConfig, Prior

__all__ = ["build_capability_model", "prior_variable"]


def prior_variable(name: str, prior: Prior, *, dims: str | tuple[str, ...] | None = None):
    """Create a PyMC random variable from a :class:`~riskmodel.config.Prior`."""
    if prior.dist == "normal":
        return pm.Normal(name, mu=prior.mu, sigma=prior.sigma, dims=dims)
    if prior.dist == "lognormal":
        return pm.LogNormal(name, mu=float(np.log(prior.median)), sigma=prior.sigma_log, dims=dims)
    if prior.dist == "halfnormal":
        return pm.HalfNormal(name, sigma=prior.sigma, dims=dims)
    return pm.Beta(name, alpha=prior.alpha, beta=prior.beta, dims=dims)


def build_capability_model(data: CapabilityData, config: CapabilityConfig) -> pm.Model:
    """Build the PyMC model for ``data``.

    Parameters
    ----------
    data
        Indexed evidence from :func:`~riskmodel.capability.data.prepare_capability_data`.
    config
        Priors and reference choices.

    Returns
    -------
    pymc.Model
        Observed variables: ``trend_flop_obs`` (trend_model), ``model_flop_obs`` (model,
        known FLOP only, as a potential-free measurement through ``flop_error``),
        ``solved`` (result), ``task_successes`` (cell).
    """
    priors = config.priors
    coords = dict(data.coords)
    known = np.isfinite(data.model_log10_flop)
    coords["known_flop_model"] = [m for m, k in zip(data.coords["model"], known, strict=True) if k]
    coords["unknown_flop_model"] = [
        m for m, k in zip(data.coords["model"], known, strict=True) if not k
    ]
    with pm.Model(coords=coords) as model:
        level = prior_variable("compute_trend_level", priors.compute_trend_level)
        slope = prior_variable("compute_trend_slope", priors.compute_trend_slope)
        scatter = prior_variable("compute_trend_scatter", priors.compute_trend_scatter)
        frontier_offset = prior_variable("frontier_offset", priors.frontier_offset)

        # Trend-only models: latent true FLOP integrated out analytically.
        if len(data.coords["trend_model"]):
            trend_mu = level + slope * data.trend_years + frontier_offset * data.trend_frontier
            pm.Normal(
                "trend_flop_obs",
                mu=trend_mu,
                sigma=pt.sqrt(scatter**2 + data.trend_flop_sd**2),
                observed=data.trend_log10_flop,
                dims="trend_model",
            )

        # Models with evidence: latent true log10 FLOP.
        model_mu = level + slope * data.model_years + frontier_offset * data.model_frontier
        log10_flop = pt.zeros(len(data.coords["model"]))
        if known.any():
            # Parameterised around the measurement (good geometry when the sd is small):
            # true = reported + sd * error, error ~ N(0, 1) is the measurement model.
            error = pm.Normal("flop_error", 0.0, 1.0, dims="known_flop_model")
            true_known = data.model_log10_flop[known] + data.model_flop_sd[known] * error
            pm.Potential(
                "flop_trend_prior",
                pm.logp(pm.Normal.dist(model_mu[known], scatter), true_known).sum(),
            )
            log10_flop = pt.set_subtensor(log10_flop[np.flatnonzero(known)], true_known)
        if (~known).any():
            z_flop = pm.Normal("flop_trend_z", 0.0, 1.0, dims="unknown_flop_model")
            log10_flop = pt.set_subtensor(
                log10_flop[np.flatnonzero(~known)], model_mu[~known] + scatter * z_flop
            )
        log10_flop = pm.Deterministic("log10_flop", log10_flop, dims="model")

        progress = prior_variable("algorithmic_progress", priors.algorithmic_progress)
        cap_scatter = prior_variable("capability_scatter", priors.capability_scatter)
        z_cap = pm.Normal("capability_z", 0.0, 1.0, dims="model")
        capability = pm.Deterministic(
            "capability",
            log10_flop
            + progress * data.model_years
            - config.reference_log10_flop
            + cap_scatter * z_cap,
            dims="model",
        )

        if data.has_results:
            discrimination = prior_variable(
                "discrimination", priors.discrimination, dims="benchmark"
            )
            difficulty = prior_variable("difficulty", priors.difficulty, dims="benchmark")
            lapse = prior_variable("lapse", priors.lapse, dims="benchmark")
            overdispersion = prior_variable(
                "overdispersion", priors.overdispersion, dims="benchmark"
            )
            b = data.result_benchmark
            chance = data.benchmark_chance[b]
            p = chance + (1.0 - lapse[b] - chance) * pm.math.sigmoid(
                discrimination[b] * (capability[data.result_model] - difficulty[b])
            )
            p = pt.clip(p, 1e-9, 1 - 1e-9)
            pm.BetaBinomial(
                "solved",
                n=data.result_n,
                alpha=p * overdispersion[b],
                beta=(1.0 - p) * overdispersion[b],
                observed=data.result_k,
                dims="result",
            )

        if data.has_tasks:
            horizon_slope = prior_variable(
                "horizon_slope", priors.horizon_slope, dims="task_domain"
            )
            horizon_offset = prior_variable("horizon_offset", priors.horizon_offset, dims="suite")
            task_disc = prior_variable(
                "task_discrimination", priors.task_discrimination, dims="task_domain"
            )
            task_scatter = prior_variable("task_scatter", priors.task_scatter, dims="task_domain")
            task_z = pm.Normal("task_z", 0.0, 1.0, dims="task")
            task_domain = data.suite_domain[data.task_suite]
            task_difficulty = pm.Deterministic(
                "task_difficulty",
                horizon_offset[data.task_suite]
                + horizon_slope[task_domain] * data.task_log10_minutes
                + task_scatter[task_domain] * task_z,
                dims="task",
            )
            cell_domain = task_domain[data.cell_task]
            logit = task_disc[cell_domain] * (
                capability[data.cell_model] - task_difficulty[data.cell_task]
            )
            pm.Binomial(
                "task_successes",
                n=data.cell_n,
                logit_p=logit,
                observed=data.cell_k,
                dims="cell",
            )
    return model
