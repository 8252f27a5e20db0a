"""Training fits of the backtest, cached on disk by config hash.

A backtest at one cutoff fits the capability model to the training evidence of that
cutoff (:func:`~riskmodel.validation.splits.training_evidence`). Re-running a report
with the same config and data reuses the stored fit: the file's config hash covers the
config and the training evidence, so any change refits.
"""

from __future__ import annotations

import time
from pathlib import Path

import xarray as xr

from riskmodel.capability.fit import fit_evidence_model
from riskmodel.capability.store import load_fit, save_fit
from riskmodel.config import FitConfig, config_hash
from riskmodel.errors import FitFileError
from riskmodel.evidence import Evidence
from riskmodel.validation.splits import check_split, training_evidence

__all__ = ["fit_path", "cached_training_fit"]


def fit_path(fit_dir: str | Path, cutoff: str, *, known_only: bool = False) -> Path:
    """Path of the cached training fit of ``cutoff`` in ``fit_dir``."""
    suffix = "_known" if known_only else ""
    return Path(fit_dir) / f"capability_fit_before_{cutoff}{suffix}.nc"


def cached_training_fit(
    evidence: Evidence,
    config: FitConfig,
    *,
    cutoff: str,
    fit_dir: str | Path | None,
    reuse: bool = True,
    allow_unconverged: bool = True,
    progressbar: bool = False,
    known_only: bool = False,
) -> tuple[xr.DataTree, bool]:
    """The capability fit on the evidence released before ``cutoff``.

    Parameters
    ----------
    evidence
        All evidence.
    config
        Fit configuration.
    cutoff
        YYYY-MM-DD.
    fit_dir
        Folder of cached fits; ``None`` always fits and stores nothing.
    reuse
        Reuse a cached fit whose config hash matches (else refit and overwrite it).
    allow_unconverged
        Keep a fit that fails the convergence gate (the backtest reports its
        diagnostics).
    progressbar
        Show the sampler's progress bar.
    known_only
        Train only on results made public before ``cutoff``
        (:func:`~riskmodel.validation.splits.training_evidence`).

    Returns
    -------
    (xarray.DataTree, bool)
        The fit and whether it was reused from ``fit_dir``. The fit's
        ``attrs["diagnostics"]`` holds ``sampling_seconds``, the sampler's wall time
        when it was made; ``attrs["fit_wall_seconds"]`` the whole fit's.
    """
    train = training_evidence(evidence, cutoff, known_only=known_only)
    check_split(train, cutoff, known_only=known_only)
    path = fit_path(fit_dir, cutoff, known_only=known_only) if fit_dir is not None else None
    if reuse and path is not None and path.exists():
        try:
            tree = load_fit(path)
        except FitFileError:
            tree = None
        expected = config_hash(config, train.content_hash())
        if tree is not None and tree.attrs.get("config_hash") == expected:
            return tree, True
    start = time.perf_counter()
    tree = fit_evidence_model(
        train, config, allow_unconverged=allow_unconverged, progressbar=progressbar
    )
    tree.attrs["fit_wall_seconds"] = round(time.perf_counter() - start, 1)
    if path is not None:
        save_fit(tree, path)
    return tree, False
