"""PyMC update of the uplift link's parameters from uplift studies.

Model (natural logs; ``i`` indexes studies):

* link parameters ``theta`` from their elicited priors, non-centred:
  ``theta = inverse_transform(mu + sigma * z)``, ``z ~ Normal(0, 1)``
  (:class:`~riskmodel.uplift.elicitation.FittedPrior`);
* capability of the model used in study ``i``:
  ``c_i ~ Normal(capability_mean_i, capability_sd_i)`` (from the study's
  ``capability_level`` or resolved by the caller from a capability fit);
* predicted cyber uplift ``U_i = link(c_i; theta)`` (Amdahl with the reference suite's
  task curve fixed at its posterior medians, or direct);
* software studies enter through the explicit transfer factor ``tau``:
  ``E[ln speed-up_i] = tau * ln U_i`` for software, ``ln U_i`` for cyber;
* ``ln measured_speedup_i ~ Normal(E[ln speed-up_i], sqrt(sd_i^2 + between_study_sd^2))``
  with ``sd_i`` from the study's 95% interval.

The link can only predict speed-ups >= 1; studies that measured a slow-down (METR 2025)
are reconciled through ``between_study_sd`` and ``tau``, not by a negative uplift.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import nutpie
import pandas as pd
import pymc as pm
import pytensor.tensor as pt

from riskmodel._compile import strict_float
from riskmodel.capability.diagnostics import Diagnostics, compute_diagnostics, describe_failures
from riskmodel.config import QualityGate
from riskmodel.errors import ConvergenceError, RiskmodelError
from riskmodel.uplift.elicitation import ElicitedPriors
from riskmodel.uplift.links import OVERHEAD_PRIOR, TaskCurve, UpliftLink, with_overhead

__all__ = [
    "DEFAULT_CAPABILITY_SD",
    "TRANSFER_PRIOR",
    "HETEROGENEITY_PRIOR",
    "study_capabilities",
    "build_uplift_model",
    "model_parameter_names",
    "sample_uplift_posterior",
    "UpliftPosterior",
]

#: Uncertainty (dex) of a study's ``capability_level`` given in the CSV without a fit:
#: the prior sd of model-specific deviations from the scaling line
#: (``CapabilityPriors.capability_scatter``).
DEFAULT_CAPABILITY_SD = 0.5
#: Elicited prior names of the two study-level parameters.
TRANSFER_PRIOR = "transfer.software_to_cyber"
HETEROGENEITY_PRIOR = "heterogeneity.between_study_sd"
#: NUTS target acceptance of :func:`sample_uplift_posterior`: the between-study sd
#: makes a funnel with two studies, so smaller steps avoid divergences.
UPDATE_TARGET_ACCEPT = 0.99


def _var_name(prior_name: str) -> str:
    """PyMC variable name of an elicited prior: its last dotted component."""
    return prior_name.rpartition(".")[2]


def model_parameter_names(link: UpliftLink) -> dict[str, str]:
    """Map elicited prior names to the model's variable names (link + study parameters)."""
    names = (*link.parameter_names, TRANSFER_PRIOR, HETEROGENEITY_PRIOR)
    return {name: _var_name(name) for name in names}


def study_capabilities(
    studies: pd.DataFrame,
    *,
    resolved: Mapping[str, tuple[float, float]] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Capability mean and sd (dex) of the model used in each study.

    Parameters
    ----------
    studies
        From :func:`~riskmodel.uplift.studies.load_uplift_studies`.
    resolved
        ``(mean, sd)`` by study id or model name, e.g. computed by the caller from
        :func:`riskmodel.capability.predict.capability_draws`; takes precedence over the
        CSV's ``capability_level`` (which gets sd :data:`DEFAULT_CAPABILITY_SD`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Each shape (study,).
    """
    resolved = dict(resolved or {})
    means, sds = [], []
    for row in studies.itertuples(index=False):
        hit = resolved.get(row.study, resolved.get(row.model))
        if hit is not None:
            mean, sd = hit
        elif np.isfinite(row.capability_level):
            mean, sd = row.capability_level, DEFAULT_CAPABILITY_SD
        else:
            raise RiskmodelError(
                f"study '{row.study}' (model '{row.model}') has no capability_level; pass its "
                "capability as resolved={study or model: (mean, sd)}"
            )
        if not (np.isfinite(mean) and sd > 0):
            raise RiskmodelError(f"study '{row.study}': capability needs finite mean and sd > 0")
        means.append(float(mean))
        sds.append(float(sd))
    return np.asarray(means), np.asarray(sds)


def build_uplift_model(
    studies: pd.DataFrame,
    *,
    link: UpliftLink,
    priors: ElicitedPriors,
    capability_mean: np.ndarray,
    capability_sd: np.ndarray,
    task_curve: TaskCurve | None = None,
) -> pm.Model:
    """Build the PyMC model (see the module docstring).

    Parameters
    ----------
    studies
        Validated studies (columns ``study``, ``domain``, ``log_speedup``,
        ``log_speedup_sd``).
    link
        From :func:`~riskmodel.uplift.links.make_link`.
    capability_mean, capability_sd
        Shape (study,), dex; see :func:`study_capabilities`.
    task_curve
        Needed by the Amdahl link; reduced to its posterior medians.

    Returns
    -------
    pymc.Model
        Data containers ``log_speedup``, ``log_speedup_sd``, ``is_software``,
        ``capability_mean``, ``capability_sd`` (dims study) can be replaced with
        :func:`pymc.set_data`; observed variable ``observed_log_speedup``.
    """
    if link.needs_task_curve and task_curve is None:
        raise RiskmodelError(f"the {link.name} link needs the cyber task curve (task_curve=)")
    curve = task_curve.point() if task_curve is not None else None
    coords = {"study": studies["study"].tolist()}
    with pm.Model(coords=coords) as model:
        log_speedup = pm.Data("log_speedup", studies["log_speedup"].to_numpy(), dims="study")
        sd = pm.Data("log_speedup_sd", studies["log_speedup_sd"].to_numpy(), dims="study")
        is_software = pm.Data(
            "is_software", (studies["domain"] == "software").to_numpy(float), dims="study"
        )
        cap_mean = pm.Data("capability_mean", np.asarray(capability_mean, float), dims="study")
        cap_sd = pm.Data("capability_sd", np.asarray(capability_sd, float), dims="study")
        values = {}
        for prior_name, var in model_parameter_names(link).items():
            z = pm.Normal(f"{var}_z", 0.0, 1.0)
            values[prior_name] = pm.Deterministic(
                var, priors[prior_name].from_standard_normal(z, ops=pt)
            )
        capability_z = pm.Normal("capability_z", 0.0, 1.0, dims="study")
        capability = pm.Deterministic(
            "study_capability", cap_mean + cap_sd * capability_z, dims="study"
        )
        # The transfer factor scales the capability-driven (raw) speed-up; the overhead of
        # using a model is the same kind of cost in both domains.
        raw = link.raw_uplift(capability, values, task_curve=curve, ops=pt)
        transfer = values[TRANSFER_PRIOR]
        raw_in_domain = raw ** (1.0 + is_software * (transfer - 1.0))
        uplift = with_overhead(raw_in_domain, values[OVERHEAD_PRIOR])
        mean = pm.Deterministic("study_log_uplift", pt.log(uplift), dims="study")
        pm.Normal(
            "observed_log_speedup",
            mu=mean,
            sigma=pt.sqrt(sd**2 + values[HETEROGENEITY_PRIOR] ** 2),
            observed=log_speedup,
            dims="study",
        )
    return model


def _nutpie_sample(compiled, *, draws: int, tune: int, chains: int, seed: int, **settings):  # noqa: ANN001, ANN003, ANN202
    return nutpie.sample(
        compiled,
        draws=draws,
        tune=tune,
        chains=chains,
        cores=min(chains, 2),
        seed=seed,
        progress_bar=False,
        **settings,
    )


def _posterior(trace, names: list[str]) -> dict[str, np.ndarray]:  # noqa: ANN001
    post = trace["posterior"]
    return {name: np.asarray(post[name].values).reshape(-1) for name in names}


@dataclass(frozen=True)
class UpliftPosterior:
    """Posterior draws of the link parameters and their convergence summary.

    Attributes
    ----------
    params
        Elicited prior name (e.g. ``amdahl.speed_advantage``) -> draws, shape
        (chains * draws,); ready for ``link.uplift(capability, params, ...)``. Includes the
        study-level parameters (transfer factor, between-study sd).
    diagnostics
        R-hat, ESS and divergences of the link and study-level parameters.
    """

    params: dict[str, np.ndarray]
    diagnostics: Diagnostics


def sample_uplift_posterior(
    studies: pd.DataFrame,
    *,
    link: UpliftLink,
    priors: ElicitedPriors,
    capability_mean: np.ndarray,
    capability_sd: np.ndarray,
    task_curve: TaskCurve | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 0,
    target_accept: float = UPDATE_TARGET_ACCEPT,
    gate: QualityGate | None = None,
) -> UpliftPosterior:
    """Posterior draws of the link parameters given the studies (nutpie NUTS).

    Parameters
    ----------
    target_accept
        NUTS target acceptance rate (higher = smaller steps, fewer divergences).
    gate
        Convergence thresholds; default :class:`riskmodel.config.QualityGate` (R-hat <=
        1.01, bulk ESS >= 400, no divergences).

    Returns
    -------
    UpliftPosterior

    Raises
    ------
    ConvergenceError
        If the draws fail the gate, naming the failing parameters.
    """
    model = build_uplift_model(
        studies,
        link=link,
        priors=priors,
        capability_mean=capability_mean,
        capability_sd=capability_sd,
        task_curve=task_curve,
    )
    names = model_parameter_names(link)
    with strict_float():
        compiled = nutpie.compile_pymc_model(model)
    start = time.perf_counter()
    trace = _nutpie_sample(
        compiled, draws=draws, tune=tune, chains=chains, seed=seed, target_accept=target_accept
    )
    gate = gate or QualityGate()
    diagnostics = compute_diagnostics(
        trace["posterior"].to_dataset(),
        trace["sample_stats"].to_dataset(),
        var_names=list(names.values()),
        gate=gate,
        sampling_seconds=time.perf_counter() - start,
    )
    if not diagnostics.passed:
        raise ConvergenceError(
            describe_failures(
                diagnostics,
                gate,
                subject="the uplift-study update",
                remedy="Try more draws/tune, or check the studies' capability levels.",
            ),
            diagnostics.failures,
        )
    post = _posterior(trace, list(names.values()))
    return UpliftPosterior(
        params={prior_name: post[var] for prior_name, var in names.items()},
        diagnostics=diagnostics,
    )
