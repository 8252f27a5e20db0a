"""Simulation-based calibration (SBC) of the uplift model.

:func:`simulation_based_calibration` runs SBC of the uplift model
(:func:`riskmodel.uplift.model.build_uplift_model`) on the design of given studies:
truths and data from the prior predictive, each replication refitted by nutpie with the
model compiled once. :func:`uplift_sbc` runs it for one link on the simulated study
design ``UPLIFT_SBC_*`` with the shipped elicited priors. The ranks and their uniformity
checks are those of :mod:`riskmodel.sbc.ranks`.
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import numpy as np
import nutpie
import pandas as pd
import pymc as pm
from arviz_stats.base import array_stats

from riskmodel._compile import strict_float
from riskmodel.sbc.ranks import (
    FAMILY_ALPHA,
    RANK_BINS,
    SBC_CONCURRENT_FITS,
    SBC_REPLICATIONS,
    SBCResult,
    rank_statistics,
    summarize_ranks,
)
from riskmodel.uplift.elicitation import ElicitedPriors, load_uplift_priors
from riskmodel.uplift.links import TaskCurve, UpliftLink, make_link
from riskmodel.uplift.model import (
    UPDATE_TARGET_ACCEPT,
    _nutpie_sample,
    _posterior,
    build_uplift_model,
    model_parameter_names,
)

__all__ = [
    "UPLIFT_SBC_CAPABILITY",
    "UPLIFT_SBC_CAPABILITY_SD",
    "UPLIFT_SBC_DOMAINS",
    "UPLIFT_SBC_LOG_SPEEDUP_SD",
    "UPLIFT_SBC_DRAWS",
    "UPLIFT_SBC_TUNE",
    "UPLIFT_SBC_THIN",
    "UPLIFT_SBC_SEED",
    "simulation_based_calibration",
    "uplift_sbc",
]

# --- uplift SBC ----------------------------------------------------------------------

#: Simulated uplift-study design: four cyber and two software studies at these
#: capabilities (dex of effective compute), their sds and log-speed-up sds.
UPLIFT_SBC_CAPABILITY = (2.0, 3.5, 5.0, 6.5, 3.0, 5.5)
UPLIFT_SBC_CAPABILITY_SD = 0.3
UPLIFT_SBC_DOMAINS = ("cyber", "cyber", "cyber", "cyber", "software", "software")
UPLIFT_SBC_LOG_SPEEDUP_SD = (0.2, 0.15, 0.15, 0.1, 0.08, 0.1)
#: A representative cyber task curve (not from a fit) for the Amdahl link:
#: discrimination 1.5 logit/dex, horizon slope 1 dex per dex of minutes, offset 1.
UPLIFT_SBC_TASK_CURVE = (1.5, 1.0, 1.0)
#: Post-warmup draws, warmup and thinning per replication: 200 / 4 = 50 ranked draws
#: (the bulk ESS of every parameter is about 90-220 per 200 draws).
UPLIFT_SBC_DRAWS = 200
UPLIFT_SBC_TUNE = 200
UPLIFT_SBC_THIN = 4
#: Seed of the uplift SBC.
UPLIFT_SBC_SEED = 11


def simulation_based_calibration(
    studies: pd.DataFrame,
    *,
    link: UpliftLink,
    priors: ElicitedPriors,
    capability_mean: np.ndarray,
    capability_sd: np.ndarray,
    task_curve: TaskCurve | None = None,
    replications: int = SBC_REPLICATIONS,
    draws: int = 200,
    tune: int = 200,
    thin: int = 4,
    n_bins: int = RANK_BINS,
    seed: int = 0,
    target_accept: float = UPDATE_TARGET_ACCEPT,
    alpha: float = FAMILY_ALPHA,
    concurrent: int = SBC_CONCURRENT_FITS,
) -> SBCResult:
    """SBC (Talts et al. 2018) of the uplift model with the design of ``studies``.

    True parameters and data are drawn from the model's prior predictive; each
    replication refits (one nutpie chain, the model compiled once, the data swapped in
    with ``with_data``, the production ``target_accept``) and records the rank of the
    truth among ``ceil(draws / thin)`` thinned posterior draws. Ranks are uniform if the
    sampler and model are self-consistent; both checks of
    :func:`riskmodel.sbc.ranks.summarize_ranks` (chi-square over ``n_bins`` rank bins,
    simultaneous ECDF band) are applied.

    Parameters
    ----------
    studies
        The design: ``study``, ``domain`` and ``log_speedup_sd`` are kept, the
        ``log_speedup`` values are replaced by simulated ones.
    link, priors, capability_mean, capability_sd, task_curve
        As for :func:`~riskmodel.uplift.model.build_uplift_model`.
    replications
        Simulated data sets.
    draws, tune
        Post-warmup and warmup draws per replication.
    thin
        Keep every ``thin``-th draw before ranking.
    n_bins
        Bins of the chi-square test.
    seed
        Seed of the prior predictive draws; replication ``r`` samples with ``seed + 1 + r``.
    target_accept
        NUTS target acceptance, default that of
        :func:`~riskmodel.uplift.model.sample_uplift_posterior`.
    alpha
        Family-wise level of the checks (see :class:`riskmodel.sbc.ranks.SBCResult`).
    concurrent
        Fits in flight at once (one nutpie thread each); the results do not depend on it.

    Returns
    -------
    riskmodel.sbc.ranks.SBCResult
        Ranks of the link and study-level parameters, p-values, divergences per
        replication and bulk ESS of each parameter's draws.
    """
    start = time.perf_counter()
    model = build_uplift_model(
        studies,
        link=link,
        priors=priors,
        capability_mean=capability_mean,
        capability_sd=capability_sd,
        task_curve=task_curve,
    )
    names = list(model_parameter_names(link).values())
    with strict_float():
        prior = pm.sample_prior_predictive(draws=replications, model=model, random_seed=seed)
        compiled = nutpie.compile_pymc_model(model, var_names=names)
    truth = {n: np.asarray(prior["prior"][n].values).reshape(replications) for n in names}
    simulated = np.asarray(prior["prior_predictive"]["observed_log_speedup"].values).reshape(
        replications, -1
    )
    ranks = {n: np.zeros(replications, dtype=int) for n in names}
    ess = {n: np.zeros(replications) for n in names}
    divergences = np.zeros(replications, dtype=int)
    pending: deque[tuple[int, Any]] = deque()
    started = 0
    try:
        for _ in range(replications):
            # keep `concurrent` fits in flight (one thread each); seeds are per replication
            while started < replications and len(pending) < concurrent:
                with_data = compiled.with_data(log_speedup=simulated[started])
                sampler = _nutpie_sample(
                    with_data,
                    draws=draws,
                    tune=tune,
                    chains=1,
                    seed=seed + 1 + started,
                    target_accept=target_accept,
                    blocking=False,
                )
                pending.append((started, (sampler, with_data)))
                started += 1
            r, (sampler, _) = pending.popleft()
            trace = sampler.wait()
            post = _posterior(trace, names)
            divergences[r] = int(trace["sample_stats"]["diverging"].sum())
            for n in names:
                ranks[n][r] = rank_statistics(truth[n][r : r + 1], post[n][None, :], thin=thin)[0]
            chains = np.asarray([post[n] for n in names])[:, None, :]
            for n, value in zip(
                names, array_stats.ess(chains, chain_axis=-2, draw_axis=-1), strict=True
            ):
                ess[n][r] = value
    finally:
        for _, (sampler, _) in pending:
            sampler.cancel()
    return summarize_ranks(
        ranks,
        len(range(0, draws, thin)),
        n_bins=n_bins,
        alpha=alpha,
        settings={
            "replications": replications,
            "draws": draws,
            "tune": tune,
            "thin": thin,
            "seed": seed,
            "sampler": f"nutpie {nutpie.__version__}, 1 chain, adaptation=diag, "
            f"target_accept={target_accept}",
            "link": link.name,
        },
        divergences=divergences,
        ess=ess,
        seconds=time.perf_counter() - start,
    )


def uplift_sbc(
    link_name: str,
    *,
    replications: int = SBC_REPLICATIONS,
    draws: int = UPLIFT_SBC_DRAWS,
    tune: int = UPLIFT_SBC_TUNE,
    thin: int = UPLIFT_SBC_THIN,
    seed: int = UPLIFT_SBC_SEED,
    alpha: float = FAMILY_ALPHA,
) -> SBCResult:
    """SBC of the uplift model for one link on the simulated design ``UPLIFT_SBC_*``.

    Uses the shipped elicited priors and :func:`simulation_based_calibration` (model
    compiled once, production NUTS settings).

    Parameters
    ----------
    link_name
        ``direct`` or ``amdahl``.
    replications, draws, tune, thin, seed, alpha
        See :func:`simulation_based_calibration`.

    Returns
    -------
    SBCResult
        ``settings`` holds the design and the priors' vintage (``vintage``).
    """
    priors = load_uplift_priors()
    discrimination, slope, offset = UPLIFT_SBC_TASK_CURVE
    curve = TaskCurve(
        discrimination=np.asarray(discrimination),
        horizon_slope=np.asarray(slope),
        horizon_offset=np.asarray(offset),
        suite="cybench",
    )
    n = len(UPLIFT_SBC_CAPABILITY)
    studies = pd.DataFrame(
        {
            "study": [f"sim{i}" for i in range(n)],
            "domain": list(UPLIFT_SBC_DOMAINS),
            "log_speedup": np.zeros(n),
            "log_speedup_sd": np.asarray(UPLIFT_SBC_LOG_SPEEDUP_SD),
        }
    )
    result = simulation_based_calibration(
        studies,
        link=make_link(link_name, priors=priors),
        priors=priors,
        task_curve=curve,
        capability_mean=np.asarray(UPLIFT_SBC_CAPABILITY),
        capability_sd=np.full(n, UPLIFT_SBC_CAPABILITY_SD),
        replications=replications,
        draws=draws,
        tune=tune,
        thin=thin,
        seed=seed,
        alpha=alpha,
    )
    result.settings.update(
        {
            "link": link_name,
            "design": f"{n} simulated studies ({UPLIFT_SBC_DOMAINS.count('cyber')} cyber, "
            f"{UPLIFT_SBC_DOMAINS.count('software')} software) at capabilities "
            f"{', '.join(str(c) for c in UPLIFT_SBC_CAPABILITY)} dex "
            f"(sd {UPLIFT_SBC_CAPABILITY_SD})",
            "vintage": priors.data_vintage,
        }
    )
    return result
