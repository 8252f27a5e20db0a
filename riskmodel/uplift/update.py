"""Update the uplift link from the uplift studies, with capabilities from a capability fit.

:func:`study_capabilities_from_fit`
    Each study's model capability (mean, sd in dex) from the fitted capability of its
    ``fit_model`` (a model id of the fit's evidence); studies without one fall back to
    their ``capability_level``.
:func:`updated_link_params`
    Posterior draws of the link parameters given the studies
    (:func:`riskmodel.uplift.model.sample_uplift_posterior`), stored in the fit's DataTree
    (:mod:`riskmodel.uplift.store`, keyed by fit, link, studies, priors and sampler
    settings), so every assessment on that fit, in this process or after the fit was
    saved and loaded again, pays the NUTS run (a few seconds plus ~10 s of compilation)
    once.

Simplification: a study's capability enters the update as a normal with the posterior
mean and sd of the fitted capability, independent of the capability fit's other
parameters, and the Amdahl link's task curve is fixed at its posterior medians during the
update (:func:`riskmodel.uplift.model.build_uplift_model`). Assessments then combine the
updated link parameters with the full per-draw task curve.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel.capability.predict import PosteriorView, fitted_capability_draws, posterior_view
from riskmodel.errors import RiskmodelError
from riskmodel.uplift.elicitation import ElicitedPriors, load_uplift_priors
from riskmodel.uplift.links import UpliftLink, make_link, task_curve_from_view
from riskmodel.uplift.model import UpliftPosterior, sample_uplift_posterior, study_capabilities
from riskmodel.uplift.store import attach_update, stored_update, update_key
from riskmodel.uplift.studies import load_uplift_studies

__all__ = [
    "UPDATE_DRAWS",
    "UPDATE_TUNE",
    "UPDATE_CHAINS",
    "UPDATE_METHOD",
    "study_capabilities_from_fit",
    "updated_link_params",
]

#: Posterior draws per chain of the study update (4,000 draws in all: enough for a
#: Monte Carlo error of P(hazard) well below its posterior uncertainty).
UPDATE_DRAWS = 2000
#: Tuning steps per chain of the study update.
UPDATE_TUNE = 1000
#: Chains of the study update (one per core).
UPDATE_CHAINS = 2
#: How the update's posterior is drawn; part of its key in the fit (an update drawn
#: another way, e.g. a test's approximation, is stored under another key).
UPDATE_METHOD = "nuts:nutpie"


def study_capabilities_from_fit(
    studies: pd.DataFrame, view: PosteriorView
) -> tuple[np.ndarray, np.ndarray]:
    """Capability mean and sd (dex) of each study's model, from the fit where possible.

    Parameters
    ----------
    studies
        From :func:`~riskmodel.uplift.studies.load_uplift_studies`.
    view
        Posterior view of the capability fit.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Each shape (study,).

    Raises
    ------
    RiskmodelError
        If a ``fit_model`` is not in the fit (with the closest model ids).
    """
    resolved: dict[str, tuple[float, float]] = {}
    for row in studies.itertuples(index=False):
        if not row.fit_model:
            continue
        try:
            draws = fitted_capability_draws(view, row.fit_model)
        except RiskmodelError as exc:
            raise RiskmodelError(f"uplift study '{row.study}' (column fit_model): {exc}") from None
        resolved[row.study] = (float(np.mean(draws)), float(np.std(draws)))
    return study_capabilities(studies, resolved=resolved)


#: Posterior variables the study update reads (study capabilities, the Amdahl task curve);
#: their draws identify the fit in the update's key.
_FINGERPRINT_VARIABLES = ("capability", "task_discrimination", "horizon_slope", "horizon_offset")


def _fingerprint(view: PosteriorView) -> str:
    digest = hashlib.sha256()
    for name in _FINGERPRINT_VARIABLES:
        if name in view.draws:
            digest.update(name.encode())
            digest.update(np.ascontiguousarray(view.values(name)).tobytes())
    return digest.hexdigest()


def _studies_hash(studies: pd.DataFrame) -> str:
    return hashlib.sha256(studies.to_csv(index=False).encode()).hexdigest()


def _priors_hash(priors: ElicitedPriors) -> str:
    return hashlib.sha256(repr(sorted(priors.priors.items())).encode()).hexdigest()


def updated_link_params(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    link: str | UpliftLink | None = None,
    priors: ElicitedPriors | None = None,
    studies: pd.DataFrame | str | Path | None = None,
    seed: int = 0,
    draws: int = UPDATE_DRAWS,
    tune: int = UPDATE_TUNE,
    chains: int = UPDATE_CHAINS,
) -> UpliftPosterior:
    """Link parameters updated by the uplift studies, with capabilities from ``fit``.

    Parameters
    ----------
    fit
        Fitted capability model.
    link
        ``"amdahl"``, ``"direct"`` or an :class:`UpliftLink`; default from the priors file.
    priors
        Elicited priors; default ``data/elicitation/uplift_priors.toml``.
    studies
        Validated studies, or a CSV path; default ``data/uplift_studies.csv``.
    seed
        Seed of the NUTS run.
    draws, tune, chains
        NUTS settings.

    Returns
    -------
    UpliftPosterior
        ``params``: prior name -> draws of shape (chains * draws,); ``diagnostics``.
        Stored in the fit's DataTree (when ``fit`` is a tree or path, or a view made
        from one): a later call with the same inputs returns the stored update.

    Raises
    ------
    ConvergenceError
        If the update fails the convergence gate.
    """
    view = posterior_view(fit)
    priors = priors or load_uplift_priors()
    if link is None or isinstance(link, str):
        link = make_link(link or priors.default_link, priors=priors)
    if not isinstance(studies, pd.DataFrame):
        studies = load_uplift_studies(studies)
    settings = {
        "method": UPDATE_METHOD,
        "seed": int(seed),
        "draws": int(draws),
        "tune": int(tune),
        "chains": int(chains),
        "studies_hash": _studies_hash(studies),
        "priors_hash": _priors_hash(priors),
    }
    key = update_key(fit_fingerprint=_fingerprint(view), link=link.name, **settings)
    if view.tree is not None:
        stored = stored_update(view.tree, link=link.name, key=key)
        if stored is not None:
            return stored
    mean, sd = study_capabilities_from_fit(studies, view)
    curve = (
        task_curve_from_view(view, suite=priors.reference_suite) if link.needs_task_curve else None
    )
    result = sample_uplift_posterior(
        studies,
        link=link,
        priors=priors,
        capability_mean=mean,
        capability_sd=sd,
        task_curve=curve,
        draws=draws,
        tune=tune,
        chains=chains,
        seed=seed,
    )
    if view.tree is not None:
        attach_update(view.tree, result, link=link.name, key=key, settings=settings)
    return result
