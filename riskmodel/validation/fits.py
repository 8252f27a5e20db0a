"""Training fits of the backtest, cached on disk by a key of config, data and model code.

A backtest at one cutoff fits the capability model to the training evidence of that
cutoff (:func:`~riskmodel.validation.splits.training_evidence`). Re-running a report
with the same config, data and model code reuses the stored fit: its cache key
(:func:`training_fit_key`, stored as the fit's ``attrs["training_fit_key"]``) covers the
config hash (config and training evidence) and a hash of the capability model's source
code (:func:`model_source_hash`), so a change to any of them refits. A fit stored
without the key (made before the key existed) is refitted.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import xarray as xr

from riskmodel.capability.sampling import MODEL_SOURCES, fit_evidence_model, model_source_hash
from riskmodel.capability.store import load_fit, save_fit
from riskmodel.config import FitConfig, config_hash
from riskmodel.errors import FitFileError
from riskmodel.evidence import Evidence
from riskmodel.validation.splits import check_split, training_evidence

__all__ = [
    "BACKTEST_SAMPLER",
    "MODEL_SOURCES",
    "FIT_KEY_ATTR",
    "model_source_hash",
    "training_fit_key",
    "fit_path",
    "cached_training_fit",
]


#: Sampler settings of the backtest's cutoff fits, on top of the fit config's (``riskmodel
#: backtest`` flags override each). Earlier cutoffs leave more parameters to their priors
#: (no reasoning models before 2024-09, few task-suite models before 2024), and at the
#: default fit's settings (6,000 draws, target accept 0.95) the 2024-07-01 fit had one
#: divergence and the 2024-01-01 fit a bulk ESS of 422 (gate 400; its task-suite offsets
#: mix at ~0.02 effective draws per draw). Smaller steps and twice the draws give every
#: cutoff a margin over the gate (measured: ``docs/validation.md``).
BACKTEST_SAMPLER: dict[str, float | int] = {"draws": 12000, "tune": 1000, "target_accept": 0.98}

#: Attribute of a cached training fit that holds its :func:`training_fit_key`.
FIT_KEY_ATTR = "training_fit_key"


def training_fit_key(config: FitConfig, evidence_hash: str) -> str:
    """Cache key of a training fit: the config hash and the model's source hash.

    Parameters
    ----------
    config
        Fit configuration.
    evidence_hash
        Content hash of the training evidence
        (:meth:`~riskmodel.evidence.Evidence.content_hash`).

    Returns
    -------
    str
        SHA-256 of :func:`~riskmodel.config.config_hash` of ``config`` and
        ``evidence_hash``, and of :func:`model_source_hash`.
    """
    payload = json.dumps(
        {"config_hash": config_hash(config, evidence_hash), "model_source": model_source_hash()},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
        Reuse a cached fit whose :func:`training_fit_key` matches (same config, training
        evidence and model source code; else refit and overwrite it).
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
        when it was made; ``attrs["fit_wall_seconds"]`` the whole fit's;
        ``attrs["training_fit_key"]`` its cache key (:func:`training_fit_key`).
    """
    train = training_evidence(evidence, cutoff, known_only=known_only)
    check_split(train, cutoff, known_only=known_only)
    path = fit_path(fit_dir, cutoff, known_only=known_only) if fit_dir is not None else None
    key = training_fit_key(config, train.content_hash())
    if reuse and path is not None and path.exists():
        try:
            tree = load_fit(path)
        except FitFileError:
            tree = None
        if tree is not None and tree.attrs.get(FIT_KEY_ATTR) == key:
            return tree, True
    start = time.perf_counter()
    tree = fit_evidence_model(
        train, config, allow_unconverged=allow_unconverged, progressbar=progressbar
    )
    tree.attrs["fit_wall_seconds"] = round(time.perf_counter() - start, 1)
    tree.attrs[FIT_KEY_ATTR] = key
    if path is not None:
        save_fit(tree, path)
    return tree, False
