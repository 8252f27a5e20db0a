"""Fitting the capability model: sampling, the quality gate, provenance."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pymc as pm
import xarray as xr

from riskmodel._compile import NUMBA_FASTMATH, strict_float
from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.diagnostics import Diagnostics, compute_diagnostics, describe_failures
from riskmodel.capability.model import build_capability_model
from riskmodel.capability.progress import (
    DEFAULT_INTERVAL,
    report_sampling_progress,
    wants_progress_lines,
)
from riskmodel.capability.store import (
    attach_evidence,
    fit_config,
    fit_diagnostics,
    fit_evidence,
    save_fit,
)
from riskmodel.config import FitConfig, config_hash, load_config
from riskmodel.errors import ConvergenceError
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.provenance import package_versions

__all__ = [
    "fit",
    "fit_evidence_model",
    "gated_variables",
    "recompute_diagnostics",
    "sample_model",
    "CHECKED_DERIVED",
    "MODEL_SOURCES",
    "model_source_hash",
]

#: Source files that define the capability model: the PyMC model, how evidence becomes
#: its data, its time variable (``riskmodel/_time.py``: years since the reference date)
#: and how it is compiled (``riskmodel/_compile.py``: the rounding of its density, which
#: the draws of a seed depend on). Editing any makes every stored fit stale (its
#: ``attrs["model_source_hash"]`` no longer matches).
MODEL_SOURCES: tuple[Path, ...] = (
    Path(__file__).with_name("model.py"),
    Path(__file__).with_name("data.py"),
    Path(__file__).parents[1] / "_time.py",
    Path(__file__).parents[1] / "_compile.py",
)


def model_source_hash() -> str:
    """SHA-256 of the capability model's source code: the file name and bytes of each
    of :data:`MODEL_SOURCES`, in order.

    Returns
    -------
    str
        64 hexadecimal characters; any edit of a source file (whitespace included)
        changes it.
    """
    digest = hashlib.sha256()
    for path in MODEL_SOURCES:
        source = path.read_bytes()
        digest.update(f"{path.name}\0{len(source)}\0".encode())
        digest.update(source)
    return digest.hexdigest()


#: Derived quantities checked by the quality gate besides the free parameters.
CHECKED_DERIVED = ("capability",)


def _resolve_config(
    config: FitConfig | str | Path | dict[str, Any] | None,
    *,
    seed: int | None,
    draws: int | None,
    tune: int | None,
    chains: int | None,
) -> FitConfig:
    cfg = config if isinstance(config, FitConfig) else load_config(config)
    sampler = {
        k: v
        for k, v in {"seed": seed, "draws": draws, "tune": tune, "chains": chains}.items()
        if v is not None
    }
    if sampler:
        cfg = load_config({"sampler": sampler}, base=cfg)
    return cfg


def sample_model(
    model: pm.Model,
    config: FitConfig,
    *,
    progressbar: bool = False,
    progress: bool | None = None,
    progress_interval: float = DEFAULT_INTERVAL,
) -> tuple[xr.DataTree, float]:
    """Run NUTS on ``model`` with the pinned sampler settings.

    Parameters
    ----------
    model
        The model to sample.
    config
        Its sampler settings (``config.sampler``) are used.
    progressbar
        Show the sampler's live progress bar (for a terminal).
    progress
        Print a progress line to stderr at most every ``progress_interval`` seconds plus
        a final one (see :mod:`riskmodel.capability.progress`). ``None`` (default): only
        when there is no progress bar and stdout or stderr is not a terminal. The draws
        are the same either way.
    progress_interval
        Minimum seconds between two progress lines.

    Returns
    -------
    (DataTree, float)
        The sampled tree and the wall time of ``pm.sample`` in seconds (compile included).
    """
    s = config.sampler
    nuts: dict[str, Any] = {"target_accept": s.target_accept}
    if s.nuts_sampler == "nutpie":
        nuts["adaptation"] = s.adaptation
    lines = wants_progress_lines(progressbar) if progress is None else progress
    start = time.perf_counter()
    with (
        model,
        strict_float(),
        report_sampling_progress(
            s.nuts_sampler,
            chains=s.chains,
            draws=s.draws,
            tune=s.tune,
            enabled=lines,
            interval=progress_interval,
        ) as extra,
    ):
        tree = pm.sample(
            draws=s.draws,
            tune=s.tune,
            chains=s.chains,
            cores=min(s.chains, s.cores),
            random_seed=s.seed,
            nuts_sampler=s.nuts_sampler,
            progressbar=progressbar,
            compute_convergence_checks=False,
            nuts=nuts,
            **extra,
        )
    _check_complete(tree, config)
    return tree, time.perf_counter() - start


def _check_complete(tree: xr.DataTree, config: FitConfig) -> None:
    """Refuse a partial trace: an interrupted sampler must never produce a fit.

    nutpie (and PyMC's own sampler) catch ``KeyboardInterrupt`` while sampling and
    return the draws made so far; saved, such a trace would replace a good fit.
    """
    s = config.sampler
    posterior = tree["posterior"] if "posterior" in tree.children else None
    sizes = dict(posterior.sizes) if posterior is not None else {}
    chains, draws = sizes.get("chain", 0), sizes.get("draw", 0)
    if (chains, draws) != (s.chains, s.draws):
        raise KeyboardInterrupt(
            f"sampling was interrupted ({chains} chains x {draws} draws of {s.chains} x "
            f"{s.draws}); the partial trace was discarded"
        )


def fit_attributes(
    evidence: Evidence, config: FitConfig, diagnostics: Diagnostics, *, nuts_sampler: str
) -> dict[str, Any]:
    """Provenance attributes of a capability fit (``DataTree.attrs``).

    What :func:`~riskmodel.capability.store.load_fit` checks (``config_hash`` over config
    and evidence, ``evidence_hash``, ``model_source_hash``) and what a reader needs to
    trust a number: data vintage and sources, config, seed, sampler, package versions,
    diagnostics and the gate's verdict (``converged``, 0 or 1), creation time (UTC).
    """
    evidence_hash = evidence.content_hash()
    return {
        "riskmodel_kind": "capability_fit",
        "config": json.dumps(config.model_dump(mode="json"), sort_keys=True),
        "config_hash": config_hash(config, evidence_hash),
        "evidence_hash": evidence_hash,
        "model_source_hash": model_source_hash(),
        "evidence_sources": json.dumps(list(evidence.sources)),
        "package_versions": json.dumps(package_versions(), sort_keys=True),
        "data_vintage": evidence.vintage,
        "seed": config.sampler.seed,
        "nuts_sampler": nuts_sampler,
        "numba_fastmath": int(NUMBA_FASTMATH),
        "diagnostics": json.dumps(diagnostics.to_dict()),
        "converged": int(diagnostics.passed),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def fit_evidence_model(
    evidence: Evidence,
    config: FitConfig,
    *,
    allow_unconverged: bool = False,
    progressbar: bool = False,
) -> xr.DataTree:
    """Fit the capability model to ``evidence`` and attach provenance.

    Raises
    ------
    ConvergenceError
        If the quality gate fails and ``allow_unconverged`` is false. The unconverged
        tree is attached to the exception as ``tree``.
    """
    data = prepare_capability_data(evidence, config.capability)
    model = build_capability_model(data, config.capability)
    tree, seconds = sample_model(model, config, progressbar=progressbar)
    diagnostics = compute_diagnostics(
        tree["posterior"].to_dataset(),
        tree["sample_stats"].to_dataset(),
        var_names=gated_variables(model, tree["posterior"]),
        gate=config.gate,
        sampling_seconds=seconds,
    )
    tree.attrs.update(
        fit_attributes(evidence, config, diagnostics, nuts_sampler=config.sampler.nuts_sampler)
    )
    attach_evidence(tree, evidence)
    if not diagnostics.passed and not allow_unconverged:
        error = ConvergenceError(describe_failures(diagnostics, config.gate), diagnostics.failures)
        error.tree = tree  # type: ignore[attr-defined]
        raise error
    return tree


def gated_variables(model: pm.Model, posterior: xr.Dataset | xr.DataTree) -> list[str]:
    """The quantities the quality gate checks: every free parameter of ``model``, then
    the derived quantities of :data:`CHECKED_DERIVED` that ``posterior`` holds."""
    free = [rv.name for rv in model.free_RVs]
    return free + [n for n in CHECKED_DERIVED if n in posterior.data_vars and n not in free]


def recompute_diagnostics(tree: xr.DataTree, *, first_draws: int | None = None) -> Diagnostics:
    """The quality gate's diagnostics of a stored fit, over its first draws per chain.

    With nutpie the adaptation ends with tuning, so a fit's first ``N`` draws per chain
    are the draws a fit of ``N`` draws with the same seed and settings gives (identical
    arrays; tested). This measures a shorter setting on fits already made, without
    sampling again. The model is rebuilt from the fit's stored evidence and config, and
    checked against the config's gate.

    Parameters
    ----------
    tree
        A fit written by :func:`fit` or the backtest (posterior, sample stats, config and
        evidence).
    first_draws
        Draws per chain to keep, from the first; ``None``: all of them.

    Returns
    -------
    Diagnostics
        ``sampling_seconds`` is the fit's own times the share of draws kept: an
        estimate (tuning is scaled too, and chains share the cores unevenly; at
        2023-07-01 a real 16,000-draw fit sampled in 658 s against 749 s estimated from
        the first 16,000 of 24,000 draws, with identical diagnostics).

    Raises
    ------
    ValueError
        If ``first_draws`` is not between 1 and the fit's draws per chain.
    """
    config = fit_config(tree)
    posterior = tree["posterior"].to_dataset()
    n_draw = posterior.sizes["draw"]
    n = n_draw if first_draws is None else int(first_draws)
    if not 1 <= n <= n_draw:
        raise ValueError(f"first_draws must be between 1 and the fit's {n_draw} draws, not {n}")
    model = build_capability_model(
        prepare_capability_data(fit_evidence(tree), config.capability), config.capability
    )
    stored = fit_diagnostics(tree)
    return compute_diagnostics(
        posterior.isel(draw=slice(0, n)),
        tree["sample_stats"].to_dataset().isel(draw=slice(0, n)),
        var_names=gated_variables(model, posterior),
        gate=config.gate,
        sampling_seconds=float(stored.get("sampling_seconds", float("nan"))) * n / n_draw,
    )


def fit(
    evidence: Sequence[str | Path] = (),
    *,
    out: str | Path | None = None,
    seed: int | None = None,
    draws: int | None = None,
    tune: int | None = None,
    chains: int | None = None,
    allow_unconverged: bool = False,
    config: FitConfig | str | Path | dict[str, Any] | None = None,
    data_dir: str | Path | None = None,
    progressbar: bool = False,
) -> xr.DataTree:
    """Fit the capability model on the shipped data plus extra evidence files.

    Parameters
    ----------
    evidence
        Researcher evidence CSVs (see ``docs/evidence_format.md``) added to the shipped data.
    out
        Where to write the fit (netCDF). ``None`` keeps it in memory only. A fit refused
        by the quality gate is written beside it as ``<out>.unconverged.nc`` for
        inspection and never replaces an existing file at ``out``.
    seed, draws, tune, chains
        Override the sampler settings of ``config``.
    allow_unconverged
        Keep (and write) a fit that fails the quality gate.
    config
        A :class:`~riskmodel.config.FitConfig`, a dict of overrides, or a TOML/JSON path.
    data_dir
        Folder of the shipped tables (default: the repository's ``data/``).

    Returns
    -------
    xarray.DataTree
        Posterior and provenance (see :mod:`riskmodel.capability.store`).
    """
    cfg = _resolve_config(config, seed=seed, draws=draws, tune=tune, chains=chains)
    ev = load_evidence(list(evidence), data_dir=data_dir)
    try:
        tree = fit_evidence_model(
            ev, cfg, allow_unconverged=allow_unconverged, progressbar=progressbar
        )
    except ConvergenceError as error:
        if out is not None:
            save_fit(error.tree, Path(f"{out}.unconverged.nc"))  # type: ignore[attr-defined]
        raise
    if out is not None:
        save_fit(tree, out)
    return tree
