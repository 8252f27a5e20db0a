"""The Bayesian capability-scaling model (PyMC).

Structure (all logs base 10; ``t`` = years since ``reference_date``):

* **Compute trend.** Training compute of language models follows
  ``log10 FLOP ~ Normal(level + slope * t + frontier_offset * is_frontier, scatter)``.
  Every language model since ``trend_start_date`` with a FLOP estimate informs it; models
  with evidence but unknown FLOP (most closed models) get their latent FLOP from it.
* **Measurement.** Reported ``log10 FLOP`` = true + Normal(0, sd), sd from Epoch's
  confidence label (``CapabilityConfig.flop_sd_dex``). Because trend and measurement
  are Gaussian, each model's true FLOP is integrated out exactly (see the code).
* **Capability.** ``capability ~ Normal(E[log10 FLOP | report] + algorithmic_progress * t
  - reference_log10_flop, sqrt(Var[log10 FLOP | report] + capability_scatter**2))``.
  Capability is *measured in dex of effective compute*: 0 at ``reference_log10_flop``
  at the reference date, +1 per 10x. Pinning its slope on effective compute to 1 and its
  origin fixes the latent scale and location, which are otherwise not identified
  (DOMAIN.md pitfalls); the standardised residuals sum to zero
  (``zero_sum_residuals``) so the location is pinned exactly.
* **Aggregate benchmarks.** Expected fraction solved
  ``p = chance + (1 - lapse - chance) * logistic(discrimination * (capability - difficulty))``;
  tasks solved ``~ BetaBinomial(n, p * overdispersion, (1 - p) * overdispersion)``, the
  beta-binomial absorbing harness differences and item correlation.
* **Task-level runs (time horizons).** For task ``j`` of suite ``s`` in domain ``d``
  with human completion time ``m_j`` minutes:
  ``logit P(success) = task_discrimination[d] * (capability - horizon_offset[s]
  - horizon_slope[d] * log10 m_j - task_scatter[d] * e_j)``, zero-sum residuals ``e``.
  A model's 50% time horizon in suite ``s`` is
  ``10 ** ((capability - horizon_offset[s]) / horizon_slope[d])`` minutes.
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


def _centered_models(data: CapabilityData, config: CapabilityConfig) -> np.ndarray:
    """Which models get a centred capability parameter (boolean, dims model).

    ``auto``: models with at least ``centered_min_results`` aggregate benchmark results
    are centred (their capability is pinned by the data, where a non-centred form
    would correlate strongly with the group parameters); models known only from a few
    results or task runs are non-centred (their capability leans on the prior).
    """
    n_model = len(data.coords["model"])
    if config.capability_parameterization == "centered":
        return np.ones(n_model, dtype=bool)
    if config.capability_parameterization == "noncentered":
        return np.zeros(n_model, dtype=bool)
    counts = np.bincount(data.result_model, minlength=n_model)
    return counts >= config.centered_min_results


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
        Observed variables: ``trend_flop_obs`` (trend_model), ``model_flop_obs``
        (known_flop_model), ``solved`` (result), ``task_successes`` (cell).
    """
    priors = config.priors
    coords = dict(data.coords)
    known = np.isfinite(data.model_log10_flop)
    coords["known_flop_model"] = [m for m, k in zip(data.coords["model"], known, strict=True) if k]
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

        # Models with evidence. Their true log10 FLOP x is Gaussian a priori (the trend)
        # and measured with Gaussian error, so it is integrated out exactly:
        #   reported ~ Normal(trend, sqrt(scatter^2 + sd^2))          (known FLOP only)
        #   x | reported ~ Normal(m, sqrt(v)),  v = 1 / (1/scatter^2 + 1/sd^2),
        #                  m = v * (reported/sd^2 + trend/scatter^2)
        # and for unknown FLOP m = trend, v = scatter^2. This removes a ridge between a
        # model's FLOP and its capability deviation that only their sum is informed by.
        trend_mean = level + slope * data.model_years + frontier_offset * data.model_frontier
        known = np.isfinite(data.model_log10_flop)
        reported = np.where(known, data.model_log10_flop, 0.0)
        precision_data = np.where(known, 1.0 / np.where(known, data.model_flop_sd, 1.0) ** 2, 0.0)
        if known.any():
            pm.Normal(
                "model_flop_obs",
                mu=trend_mean[known],
                sigma=pt.sqrt(scatter**2 + data.model_flop_sd[known] ** 2),
                observed=data.model_log10_flop[known],
                dims="known_flop_model",
            )
        flop_var = 1.0 / (1.0 / scatter**2 + precision_data)
        flop_mean = flop_var * (reported * precision_data + trend_mean / scatter**2)

        progress = prior_variable("algorithmic_progress", priors.algorithmic_progress)
        cap_scatter = prior_variable("capability_scatter", priors.capability_scatter)
        capability_mean = flop_mean + progress * data.model_years - config.reference_log10_flop
        capability_sd = pt.sqrt(flop_var + cap_scatter**2)
        centered = _centered_models(data, config)
        coords_c = [m for m, c in zip(data.coords["model"], centered, strict=True) if c]
        coords_n = [m for m, c in zip(data.coords["model"], centered, strict=True) if not c]
        model.add_coords({"model_centered": coords_c, "model_noncentered": coords_n})
        capability = pt.zeros(len(data.coords["model"]))
        if centered.any():
            idx = np.flatnonzero(centered)
            direct = pm.Normal(
                "capability_centered",
                capability_mean[idx],
                capability_sd[idx],
                dims="model_centered",
            )
            capability = pt.set_subtensor(capability[idx], direct)
        if (~centered).any():
            idx = np.flatnonzero(~centered)
            if config.capability_parameterization == "noncentered" and config.zero_sum_residuals:
                z_cap = pm.ZeroSumNormal("capability_z", sigma=1.0, dims="model_noncentered")
            else:
                z_cap = pm.Normal("capability_z", 0.0, 1.0, dims="model_noncentered")
            capability = pt.set_subtensor(
                capability[idx], capability_mean[idx] + capability_sd[idx] * z_cap
            )
        capability = pm.Deterministic("capability", capability, dims="model")

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
            task_domain = data.suite_domain[data.task_suite]
            difficulty_mean = (
                horizon_offset[data.task_suite]
                + horizon_slope[task_domain] * data.task_log10_minutes
            )
            if config.centered_task_difficulty:
                task_difficulty = pm.Normal(
                    "task_difficulty", difficulty_mean, task_scatter[task_domain], dims="task"
                )
            else:
                if config.zero_sum_residuals:
                    task_z = pm.ZeroSumNormal("task_z", sigma=1.0, dims="task")
                else:
                    task_z = pm.Normal("task_z", 0.0, 1.0, dims="task")
                task_difficulty = pm.Deterministic(
                    "task_difficulty",
                    difficulty_mean + task_scatter[task_domain] * task_z,
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
