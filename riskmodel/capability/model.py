"""The Bayesian capability-scaling model, version 2 (PyMC).

Structure (all logs base 10; ``t`` = years since ``reference_date``):

* **Compute trend.** ``log10 FLOP ~ Normal(level + (slope + frontier_slope_offset * f) * t
  + frontier_offset * f, sd_f)`` with ``f`` = Epoch's frontier flag and
  ``sd_f = frontier_scatter`` for frontier-flagged models, ``compute_trend_scatter``
  otherwise: frontier compute grows at its own (slower) rate and scatters less.
  Models with evidence but unknown FLOP get their latent FLOP from it.
* **Measurement.** Reported ``log10 FLOP`` = true + Normal(0, sd), sd from Epoch's
  confidence label. Trend and measurement are Gaussian, so each model's true FLOP is
  integrated out exactly.
* **Capability** (dex of effective compute; 0 at ``reference_log10_flop`` on the
  reference date, +1 per 10x; the slope on FLOP is pinned to 1, which fixes the scale)::

      capability = E[log10 FLOP | report] - reference + M(t)
                   + reasoning_gain * reasoning_trained + Normal(0, sd)

  ``M(t) = algorithmic_progress * t + post_training_rate * w * (softplus((t - c) / w) -
  softplus(-c / w))`` (:func:`method_progress`): pre-training algorithmic progress at a
  constant rate, plus post-training and method gains (RL for reasoning, agent
  scaffolds, inference-time compute) at their own uncertain rate from the change point
  ``c = method_change_date`` on (2024-09-12, o1-preview; a fixed, overridable
  assumption: sampled, the change point formed a curved, weakly identified ridge with
  the post-training rate that caused divergences and R-hat ~1.02), so the rate of
  progress bends. Reasoning-trained models
  (evidence metadata ``reasoning_trained``) gain ``reasoning_gain`` on top. Forecasts
  beyond the data vintage continue each draw's rate along a random walk
  (``forecast_rate_volatility``, see :mod:`riskmodel.capability.predict`), so their
  uncertainty widens with the horizon.
* **Instruments.** A benchmark read through one harness kind (base-model few-shot,
  chat, agent scaffold) is one instrument with its own difficulty, discrimination,
  ceiling (``lapse``) and overdispersion: a 5-shot base-model MMLU and a chat model's
  MMLU do not share a ceiling. Within an instrument, harnesses other than its reference
  harness shift the effective capability by ``harness_offset ~ Normal(0, harness_sd)``.
  ``p = chance + (1 - lapse - chance) * logistic(discrimination * (capability + harness
  offset - difficulty))``; tasks solved ``~ BetaBinomial(n, p * overdispersion, (1 - p) *
  overdispersion)``.
* **Task-level runs.** ``logit P(success) = task_discrimination[d] * (capability -
  task_difficulty)``, ``task_difficulty ~ Normal(horizon_offset[s] + horizon_slope[d] *
  log10 minutes, task_scatter[d])``. A model's 50% time horizon in suite ``s`` is
  ``10 ** ((capability - horizon_offset[s]) / horizon_slope[d])`` minutes.

Geometry (what makes the sampler fast and the fit reproducible; each choice removes a
weakly identified direction that stalled version 1):

1. **Anchor groups.** Base-model instruments, chat/agent instruments and task suites
   share few or no models, so the likelihood cannot see a common shift of one group's
   capabilities and difficulties; only the capability prior places each group. Version
   1 spread that shift over ~100 coordinates (R-hat ~1.01-1.02 at 6,000 draws). Now each
   group's centred capabilities are sampled as their mean (``anchor_level``) plus
   zero-sum deviations (``capability_deviation``), and its difficulties, suite offsets
   and centred task difficulties relative to that mean: an exact change of variables
   (see :func:`_capabilities`; ``anchored=False`` builds the same distribution without
   it, for simulation). The mean itself is sampled as an offset
   (``anchor_offset``) from the group's prior centre (the precision-weighted mean of
   its models' prior means): sampled directly, the chat/agent group's level tracked
   ``post_training_rate`` (correlation 0.74; most of its models are late), and the
   offset removes that ridge (level ESS 106 -> offset ESS 477 in 4 x 1,000 draws).
2. **Centring by information.** Models with at least ``centered_min_results``
   informative results (10-95% of the way from chance to 1) or ``centered_min_cells``
   task cells with mixed outcomes are centred; models at a benchmark's floor or ceiling,
   or known from one or two results, are non-centred (their capability leans on the
   prior). The same for tasks: those with many runs are centred, in logit units.
3. **Models known only from task runs** are non-centred unless their runs are
   informative, and their suites' offsets are relative to the task group's level, so
   the old ridge between them and the suite offsets is gone. A suite run by at most
   ``suite_anchor_max_models`` models (early backtest cutoffs) has its offset sampled
   relative to those models' mean capability at the suite's typical task length
   (:func:`_suite_anchors`): its runs pin only that gap.
4. **Pivots.** A benchmark whose results cover only part of its curve (MMLU's base-model
   harness: most results near chance, the best at 0.79) pins the capability where the
   curve rises through its results, not the midpoint. Sampled as the midpoint
   (``difficulty``), MMLU's location traded off against its ceiling (``lapse``; posterior
   correlation -0.90) and discrimination (-0.82), and at one seed of five its min bulk
   ESS was 745 in 4 x 10,000 draws. So a benchmark with at least
   ``pivot_min_results`` results has its location sampled (``difficulty_relative``,
   ``config.difficulty_pivot = "data"``) as the capability at which its curve reaches its
   results' mean fraction of the range above chance (:func:`difficulty_pivots`),
   ``difficulty + logit(pivot) / discrimination``, relative to its group's level: a
   change of variables with unit Jacobian given the discrimination, so ``difficulty``
   keeps its prior. At that seed (4 x 3,000 draws) MMLU's slowest bulk ESS went from 356
   to 744 and the fit's from 356 to 470, at the same 63 leapfrog steps per draw.
   Benchmarks with fewer results keep the midpoint: their location leans on its prior,
   which the shift ``logit(pivot) / discrimination`` curves (with them pivoted too, 78
   steps per draw). ``"midpoint"`` samples every midpoint. ``pivot_benchmarks`` limits
   the pivot to named instruments: MMLU alone kept ARC-C's chains together at seed 4,
   where pivoting all had let one chain find a second, low ARC-C ceiling
   (``docs/fit_seeds_pivot_mmlu.md``).
5. **Sampler.** nutpie with its default gradient-based diagonal mass-matrix adaptation
   (``SamplerConfig.adaptation``), which version 1 could not use.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pymc as pm
import pytensor.tensor as pt

from riskmodel._time import years_since
from riskmodel.capability.data import ANCHOR_GROUPS, CapabilityData
from riskmodel.config import CapabilityConfig, Prior

__all__ = [
    "build_capability_model",
    "difficulty_pivots",
    "method_progress",
    "model_anchored_suites",
    "prior_variable",
]


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

    ``auto``: models with at least ``centered_min_results`` informative aggregate
    results (10-95% of the way from chance to a perfect score) or ``centered_min_cells``
    task cells with mixed outcomes are centred: their capability is pinned by the data,
    where a non-centred form would correlate strongly with the group parameters. Models
    known from a few results, or only at a benchmark's floor or ceiling, are
    non-centred: their capability leans on the prior.
    """
    n_model = len(data.coords["model"])
    if config.capability_parameterization == "centered":
        return np.ones(n_model, dtype=bool)
    if config.capability_parameterization == "noncentered":
        return np.zeros(n_model, dtype=bool)
    return (data.model_informative_results >= config.centered_min_results) | (
        data.model_informative_cells >= config.centered_min_cells
    )


def _zero_sum_basis(n: int) -> np.ndarray:
    """Orthonormal basis (n, n - 1) of the vectors of length ``n`` that sum to zero."""
    basis = np.linalg.qr(np.eye(n) - 1.0 / n, mode="reduced")[0][:, : n - 1]
    return basis


def method_progress(years, rate, post_rate, change_year, smoothing_years, *, xp=np):
    """Method progress (dex of effective compute) at ``years`` since the reference date.

    ``rate * t + post_rate * w * (softplus((t - c) / w) - softplus(-c / w))``: algorithmic
    progress at a constant rate throughout, plus post-training and method gains
    (reasoning RL, agent scaffolds, inference-time compute) at ``post_rate`` from a
    change point ``c`` on, joined smoothly over ``w`` years. Zero at ``t = 0``. Works on
    numpy arrays (``xp=np``) and PyTensor tensors (``xp=pt``); arguments broadcast.
    """
    w = smoothing_years

    def softplus(x):
        return xp.log1p(xp.exp(-xp.abs(x))) + xp.maximum(x, 0.0)

    hinge = softplus((years - change_year) / w) - softplus(-change_year / w)
    return rate * years + post_rate * w * hinge


def _anchored(model, name, prior, *, dim, anchor):
    """Location parameters (difficulties or suite offsets) sampled relative to ``anchor``
    (one value per element of ``dim``: a function of other parameters); returns the
    reported vector. ``relative ~ Normal(mu - anchor, sigma)``, reported = relative +
    anchor: a change of variables with unit Jacobian, so the reported values keep their
    prior ``Normal(mu, sigma)`` whatever the anchor."""
    if prior.dist != "normal":
        raise ValueError(f"the prior of {name} must be normal, got {prior.dist}")
    relative = pm.Normal(f"{name}_relative", mu=prior.mu - anchor, sigma=prior.sigma, dims=dim)
    return pm.Deterministic(name, relative + anchor, dims=dim)


#: Bounds (fractions of the range from chance to 1) of a benchmark's pivot, see
#: :func:`difficulty_pivots`: a pivot at the extreme tails of the curve would make its
#: location hinge on the discrimination instead.
PIVOT_BOUNDS = (0.1, 0.9)


def difficulty_pivots(
    data: CapabilityData,
    *,
    min_results: int = 1,
    benchmarks: Sequence[str] | None = None,
) -> np.ndarray:
    """Where on its curve each benchmark's location is sampled (fraction, dims benchmark).

    The mean over the benchmark's results of ``(score - chance) / (1 - chance)``, clipped
    to :data:`PIVOT_BOUNDS`; 0.5 (the midpoint) for a benchmark with fewer than
    ``min_results`` results, and for every benchmark not named in ``benchmarks``
    (instrument keys such as ``mmlu`` or ``frontiermath@chat``; ``None``: all). The
    model samples the capability at which the benchmark's curve reaches this fraction of
    its range, ``difficulty + logit(pivot) / discrimination``, instead of the midpoint
    ``difficulty``: see geometry item 4 of :mod:`riskmodel.capability.model`.
    """
    n_benchmark = len(data.coords["benchmark"])
    chance = data.benchmark_chance[data.result_benchmark]
    relative = (data.result_k / data.result_n - chance) / (1.0 - chance)
    total = np.bincount(data.result_benchmark, weights=relative, minlength=n_benchmark)
    count = np.bincount(data.result_benchmark, minlength=n_benchmark)
    mean = np.divide(total, count, out=np.full(n_benchmark, 0.5), where=count > 0)
    pivoted = count >= max(min_results, 1)
    if benchmarks is not None:
        pivoted &= np.isin(data.coords["benchmark"], list(benchmarks))
    return np.where(pivoted, np.clip(mean, *PIVOT_BOUNDS), 0.5)


def model_anchored_suites(data: CapabilityData, config: CapabilityConfig) -> np.ndarray:
    """Task suites whose offset is sampled relative to the models that ran them (boolean,
    dims suite): those run by at most ``config.suite_anchor_max_models`` models."""
    return data.suite_models <= config.suite_anchor_max_models


def _suite_anchors(data, config, capability, horizon_slope, shift, *, anchored):
    """What each suite's offset is sampled relative to (dims suite).

    Suites run by many models: their anchor group's level, like every location parameter.
    Suites run by few models (:func:`model_anchored_suites`): the mean capability of
    those models minus ``horizon_slope`` times the suite's median log10 task minutes, i.e.
    the offset is sampled as the gap between its models and the suite's typical task.
    The runs pin only that gap (capability minus difficulty); against the group level, a
    suite run by one to three models formed a ridge with their capabilities and with the
    slope (the offset is the difficulty of a 1-minute task, far below the suite's tasks):
    in the fit before 2023-07-01 (1-3 models per suite) the suite offsets and
    gpt-3.5-turbo's capability were the slowest parameters, at 0.19 effective draws per
    1,000 gradients (``benchmarks/capability_geometry.py``); anchored this way, 0.33-0.67
    in two short runs, the results block's scale being the slowest, and at the backtest's
    settings min bulk ESS 617 -> 1,085 (``docs/validation.md``). ``anchored=False``: the
    group levels (zeros).
    """
    anchor = shift[data.suite_group]
    few = np.flatnonzero(model_anchored_suites(data, config)) if anchored else []
    if len(few):
        members = data.suite_members[few].astype(float)
        members /= members.sum(axis=1, keepdims=True)
        typical = horizon_slope[data.suite_domain[few]] * data.suite_typical_log10_minutes[few]
        anchor = pt.set_subtensor(anchor[few], pt.dot(members, capability) - typical)
    return anchor


def _capabilities(model, data, config, capability_mean, capability_sd, *, anchored=True):
    """Model capabilities (reported scale) and the level of each anchor group.

    Non-centred models: prior mean plus prior sd times a standard-normal residual.
    Centred models, ``anchored``: the anchor groups
    (:data:`~riskmodel.capability.data.ANCHOR_GROUPS`) share few or no models, so the
    likelihood cannot see a common shift of a group's capabilities and difficulties; only
    the capability prior (compute, method progress) places the group. Each group's centred
    capabilities are therefore sampled as their mean (``anchor_level``: the group's prior
    centre, the precision-weighted mean of its models' prior means, plus ``anchor_offset``)
    plus zero-sum deviations (coordinates in an orthonormal basis,
    ``capability_deviation``), and the group's difficulties, suite offsets and centred task
    difficulties relative to that mean. This is a linear change of variables with constant
    Jacobian; the capability prior is added as a potential on the reported values, so the
    joint distribution is exactly that of ``anchored=False`` (where centred capabilities are
    plain ``Normal(mean, sd)`` variables and every level is 0). It puts the group's common
    shift, fixed by the prior alone, into one coordinate, while the deviations and relative
    difficulties, which the data pin, do not move with it.

    Returns
    -------
    (capability, shift)
        Capability (dims model) and the level per group (length of ``ANCHOR_GROUPS``;
        0 for a group without centred models).
    """
    centered = _centered_models(data, config)
    n_model = len(data.coords["model"])
    coords_c = [m for m, c in zip(data.coords["model"], centered, strict=True) if c]
    coords_n = [m for m, c in zip(data.coords["model"], centered, strict=True) if not c]
    model.add_coords({"model_centered": coords_c, "model_noncentered": coords_n})
    capability = pt.zeros(n_model)
    shift = pt.zeros(len(ANCHOR_GROUPS))
    if centered.any() and anchored:
        groups = [
            g for g in range(len(ANCHOR_GROUPS)) if (centered & (data.model_group == g)).any()
        ]
        model.add_coords({"anchor_group": [ANCHOR_GROUPS[g] for g in groups]})
        offset = pm.Flat("anchor_offset", dims="anchor_group")
        members = [np.flatnonzero(centered & (data.model_group == g)) for g in groups]
        precision = [1.0 / capability_sd[idx] ** 2 for idx in members]
        center = pt.stack(
            [
                (w * capability_mean[idx]).sum() / w.sum()
                for idx, w in zip(members, precision, strict=True)
            ]
        )
        level = pm.Deterministic("anchor_level", center + offset, dims="anchor_group")
        sizes = [len(idx) for idx in members]
        if sum(sizes) > len(groups):  # else every group has one centred model: no deviation
            model.add_coords({"capability_deviation_dim": np.arange(sum(sizes) - len(groups))})
            deviation = pm.Flat("capability_deviation", dims="capability_deviation_dim")
        start = 0
        for k, (g, idx, size) in enumerate(zip(groups, members, sizes, strict=True)):
            values = level[k] * pt.ones(size)
            if size > 1:
                values = values + pt.dot(_zero_sum_basis(size), deviation[start : start + size - 1])
            start += size - 1
            capability = pt.set_subtensor(capability[idx], values)
            shift = pt.set_subtensor(shift[g], level[k])
        idx = np.flatnonzero(centered)
        pm.Potential(
            "capability_prior",
            pm.logp(
                pm.Normal.dist(capability_mean[idx], capability_sd[idx]), capability[idx]
            ).sum(),
        )
    elif centered.any():
        idx = np.flatnonzero(centered)
        direct = pm.Normal(
            "capability_centered", capability_mean[idx], capability_sd[idx], dims="model_centered"
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
    return pm.Deterministic("capability", capability, dims="model"), shift


def _task_difficulties(
    model, data, config, horizon_offset, horizon_slope, task_scatter, task_disc, shift
):
    """Task difficulties (reported scale).

    Tasks with at least ``centered_task_min_runs`` runs are centred, in logit units
    relative to their anchor group's level: ``task_logit_difficulty = a * (d - level)``
    with ``a`` the domain's task discrimination, ``~ Normal(a * (mean - level), a * sd)``
    (the same distribution of ``d``, rescaled). Many runs pin a task's logit difficulty,
    not ``d`` itself, which would move with ``1 / a``. The other tasks are non-centred.
    """
    task_domain = data.suite_domain[data.task_suite]
    mean = horizon_offset[data.task_suite] + horizon_slope[task_domain] * data.task_log10_minutes
    sd = task_scatter[task_domain]
    centered = data.task_runs >= config.centered_task_min_runs
    if config.centered_task_difficulty:
        centered = np.ones_like(centered)
    values = pt.zeros(len(data.coords["task"]))
    if centered.any():
        idx = np.flatnonzero(centered)
        g = data.suite_group[data.task_suite[idx]]
        model.add_coords({"task_centered": [data.coords["task"][i] for i in idx]})
        a = task_disc[task_domain[idx]]
        logit_difficulty = pm.Normal(
            "task_logit_difficulty",
            a * (mean[idx] - shift[g]),
            a * sd[idx],
            dims="task_centered",
        )
        values = pt.set_subtensor(values[idx], logit_difficulty / a + shift[g])
    if (~centered).any():
        idx = np.flatnonzero(~centered)
        model.add_coords({"task_noncentered": [data.coords["task"][i] for i in idx]})
        if config.zero_sum_residuals and not centered.any():
            z = pm.ZeroSumNormal("task_z", sigma=1.0, dims="task_noncentered")
        else:
            z = pm.Normal("task_z", 0.0, 1.0, dims="task_noncentered")
        values = pt.set_subtensor(values[idx], mean[idx] + sd[idx] * z)
    return pm.Deterministic("task_difficulty", values, dims="task")


def build_capability_model(
    data: CapabilityData, config: CapabilityConfig, *, anchored: bool = True
) -> pm.Model:
    """Build the PyMC model for ``data``.

    Parameters
    ----------
    data
        Indexed evidence from :func:`~riskmodel.capability.data.prepare_capability_data`.
    config
        Priors and reference choices.
    anchored
        Sample location parameters relative to each anchor group's reference model (the
        fitting geometry, see :func:`_anchor_levels`). ``False`` builds the same joint
        distribution without the change of variables (no ``anchor_level``; each
        ``*_relative`` variable then equals its reported value), which is what
        simulation from fixed global parameters needs.

    Returns
    -------
    pymc.Model
        Observed variables: ``trend_flop_obs`` (trend_model), ``model_flop_obs``
        (known_flop_model), ``solved`` (result), ``task_successes`` (cell).
    """
    priors = config.priors
    coords = {k: v for k, v in data.coords.items() if k != "anchor_group"}
    known = np.isfinite(data.model_log10_flop)
    coords["known_flop_model"] = [m for m, k in zip(data.coords["model"], known, strict=True) if k]
    with pm.Model(coords=coords) as model:
        level = prior_variable("compute_trend_level", priors.compute_trend_level)
        slope = prior_variable("compute_trend_slope", priors.compute_trend_slope)
        scatter = prior_variable("compute_trend_scatter", priors.compute_trend_scatter)
        frontier_offset = prior_variable("frontier_offset", priors.frontier_offset)
        frontier_slope = prior_variable("frontier_slope_offset", priors.frontier_slope_offset)
        frontier_scatter = prior_variable("frontier_scatter", priors.frontier_scatter)

        def trend_sd(frontier):
            return pt.where(frontier > 0, frontier_scatter, scatter)

        def trend(years, frontier):
            return level + (slope + frontier_slope * frontier) * years + frontier_offset * frontier

        # Trend-only models: latent true FLOP integrated out analytically.
        if len(data.coords["trend_model"]):
            trend_mu = trend(data.trend_years, data.trend_frontier)
            pm.Normal(
                "trend_flop_obs",
                mu=trend_mu,
                sigma=pt.sqrt(trend_sd(data.trend_frontier) ** 2 + data.trend_flop_sd**2),
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
        trend_mean = trend(data.model_years, data.model_frontier)
        model_sd = trend_sd(data.model_frontier)
        known = np.isfinite(data.model_log10_flop)
        reported = np.where(known, data.model_log10_flop, 0.0)
        precision_data = np.where(known, 1.0 / np.where(known, data.model_flop_sd, 1.0) ** 2, 0.0)
        if known.any():
            pm.Normal(
                "model_flop_obs",
                mu=trend_mean[known],
                sigma=pt.sqrt(model_sd[known] ** 2 + data.model_flop_sd[known] ** 2),
                observed=data.model_log10_flop[known],
                dims="known_flop_model",
            )
        flop_var = 1.0 / (1.0 / model_sd**2 + precision_data)
        flop_mean = flop_var * (reported * precision_data + trend_mean / model_sd**2)

        rate = prior_variable("algorithmic_progress", priors.algorithmic_progress)
        post_rate = prior_variable("post_training_rate", priors.post_training_rate)
        change_year = pm.Deterministic(
            "method_change_year",
            pt.as_tensor_variable(
                float(years_since(config.method_change_date, config.reference_date))
            ),
        )
        progress = method_progress(
            data.model_years,
            rate,
            post_rate,
            change_year,
            config.method_change_smoothing_years,
            xp=pt,
        )
        gain = prior_variable("reasoning_gain", priors.reasoning_gain)
        cap_scatter = prior_variable("capability_scatter", priors.capability_scatter)
        capability_mean = (
            flop_mean - config.reference_log10_flop + progress + gain * data.model_reasoning
        )
        capability_sd = pt.sqrt(flop_var + cap_scatter**2)

        capability, shift = _capabilities(
            model, data, config, capability_mean, capability_sd, anchored=anchored
        )

        if data.has_results:
            discrimination = prior_variable(
                "discrimination", priors.discrimination, dims="benchmark"
            )
            difficulty_anchor = shift[data.benchmark_group]
            if anchored and config.difficulty_pivot == "data":
                pivot = difficulty_pivots(
                    data,
                    min_results=config.pivot_min_results,
                    benchmarks=config.pivot_benchmarks,
                )
                pivot_logit = np.log(pivot / (1.0 - pivot))
                difficulty_anchor = difficulty_anchor - pivot_logit / discrimination
            difficulty = _anchored(
                model,
                "difficulty",
                priors.difficulty,
                dim="benchmark",
                anchor=difficulty_anchor,
            )
            lapse = prior_variable("lapse", priors.lapse, dims="benchmark")
            overdispersion = prior_variable(
                "overdispersion", priors.overdispersion, dims="benchmark"
            )
            b = data.result_benchmark
            chance = data.benchmark_chance[b]
            harness_shift = pt.zeros(len(data.coords["result"]))
            if len(data.coords["harness_effect"]):
                harness_sd = prior_variable("harness_sd", priors.harness_sd)
                harness_z = pm.Normal("harness_z", 0.0, 1.0, dims="harness_effect")
                effect = pm.Deterministic(
                    "harness_offset", harness_sd * harness_z, dims="harness_effect"
                )
                h = data.result_harness
                harness_shift = pt.where(h >= 0, effect[np.maximum(h, 0)], 0.0)
            p = chance + (1.0 - lapse[b] - chance) * pm.math.sigmoid(
                discrimination[b] * (capability[data.result_model] + harness_shift - difficulty[b])
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
            horizon_offset = _anchored(
                model,
                "horizon_offset",
                priors.horizon_offset,
                dim="suite",
                anchor=_suite_anchors(
                    data, config, capability, horizon_slope, shift, anchored=anchored
                ),
            )
            task_disc = prior_variable(
                "task_discrimination", priors.task_discrimination, dims="task_domain"
            )
            task_scatter = prior_variable("task_scatter", priors.task_scatter, dims="task_domain")
            task_difficulty = _task_difficulties(
                model, data, config, horizon_offset, horizon_slope, task_scatter, task_disc, shift
            )
            task_domain = data.suite_domain[data.task_suite]
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
