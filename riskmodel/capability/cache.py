"""The one fit cache: reuse a stored capability fit while nothing that made it changed.

A stored fit (:func:`~riskmodel.capability.store.save_fit`) records ``config_hash`` (the
fit config and the content of the evidence it was fitted on) and ``model_source_hash``
(the code of the capability model, :func:`~riskmodel.capability.sampling.model_source_hash`).
:func:`load_or_fit` reuses the fit at a path only when both match the request; any change
of config, evidence or model code refits and replaces it (atomically). The main job
(``riskmodel report``), the notebooks' example fit and the backtest's cutoff fits all go
through it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import xarray as xr

from riskmodel.capability.sampling import fit_evidence_model, model_source_hash
from riskmodel.capability.store import fit_diagnostics, load_fit, save_fit
from riskmodel.config import FitConfig, config_hash
from riskmodel.errors import FitFileError
from riskmodel.evidence import Evidence

__all__ = ["load_or_fit", "stale_reason"]


def stale_reason(tree: xr.DataTree, config: FitConfig, evidence_hash: str) -> str | None:
    """Why a stored fit does not answer a request, or ``None`` if it does.

    Parameters
    ----------
    tree
        A stored fit.
    config
        The requested fit config.
    evidence_hash
        Content hash of the requested evidence
        (:meth:`~riskmodel.evidence.Evidence.content_hash`).

    Returns
    -------
    str or None
        ``"capability model code"`` when the fit was made by other model code (or
        records none: made before fits recorded it), ``"config or data"`` when its config
        hash differs, a reason naming the kind for a synthetic test fixture (never
        reused, whatever its hashes), else ``None``.
    """
    if tree.attrs.get("synthetic"):
        return "kind (a synthetic test fixture, not a posterior)"
    if tree.attrs.get("model_source_hash") != model_source_hash():
        return "capability model code"
    if tree.attrs.get("config_hash") != config_hash(config, evidence_hash):
        return "config or data"
    return None


def load_or_fit(
    path: str | Path | None,
    evidence: Evidence,
    config: FitConfig,
    *,
    reuse: bool = True,
    allow_unconverged: bool = False,
    progressbar: bool = False,
    log: Callable[[str], None] | None = None,
) -> tuple[xr.DataTree, bool]:
    """The capability fit of ``evidence`` under ``config``: the stored one at ``path`` if
    it is current (:func:`stale_reason`), else a new fit, saved to ``path``.

    Parameters
    ----------
    path
        Fit file (netCDF); ``None`` always fits and stores nothing.
    evidence
        Evidence to fit.
    config
        Fit configuration (priors, sampler settings, gate).
    reuse
        ``False`` refits (and replaces the file) even when the stored fit is current.
    allow_unconverged
        Keep (and store) a fit that fails the quality gate; otherwise
        :class:`~riskmodel.errors.ConvergenceError` is raised and the file is untouched.
    progressbar
        Show the sampler's progress bar.
    log
        Called with one line per decision (reused, why refitted, fit summary).

    Returns
    -------
    (xarray.DataTree, bool)
        The fit and whether it was reused. A new fit records
        ``attrs["fit_wall_seconds"]``, the wall time of the whole fit (compile included).
    """
    say = log or (lambda message: None)
    path = Path(path) if path is not None else None
    if reuse and path is not None and path.exists():
        try:
            tree = load_fit(path)
        except FitFileError as exc:
            say(f"stored fit {path} unusable ({exc}); refitting")
        else:
            reason = stale_reason(tree, config, evidence.content_hash())
            if reason is None:
                say(f"reusing cached fit {path} (config hash {tree.attrs['config_hash'][:12]})")
                return tree, True
            say(f"stored fit {path} has a different {reason}; refitting")
    say("fitting the capability model (first compile takes ~10 s)")
    start = time.perf_counter()
    tree = fit_evidence_model(
        evidence, config, allow_unconverged=allow_unconverged, progressbar=progressbar
    )
    tree.attrs["fit_wall_seconds"] = round(time.perf_counter() - start, 1)
    if path is not None:
        save_fit(tree, path)
    diag = fit_diagnostics(tree)
    say(
        f"fit done in {diag['sampling_seconds']:.0f} s: max R-hat {diag['max_rhat']:.4f}, "
        f"min bulk ESS {diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}"
    )
    return tree, False
