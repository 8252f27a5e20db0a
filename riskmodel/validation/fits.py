"""Training fits of the backtest: the capability fit on the evidence released before a
cutoff, through the one fit cache (:func:`~riskmodel.capability.cache.load_or_fit`:
reused while the config, the training evidence and the model code are unchanged), with
the backtest's sampler settings (:data:`BACKTEST_SAMPLER`).
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from riskmodel.capability.cache import load_or_fit
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence
from riskmodel.validation.splits import check_split, training_evidence

__all__ = ["BACKTEST_SAMPLER", "fit_path", "cached_training_fit"]


#: Sampler settings of the backtest's cutoff fits, on top of the fit config's (``riskmodel
#: backtest`` flags override each). Earlier cutoffs leave more parameters to their priors
#: (no reasoning models before 2024-09, few task-suite models before 2024), and at the
#: default fit's settings then (6,000 draws, target accept 0.95) the 2024-07-01 fit had one
#: divergence and the 2024-01-01 fit a bulk ESS of 422 (gate 400). With smaller steps and
#: 12,000 draws every cutoff passed at the default seed, but not with a margin across seeds
#: at 2023-07-01, where the base-model instruments' scale mixes slowest: at the default
#: sampler seed, 1 and 2 its min bulk ESS was 1,085, 780, 1,244 and max R-hat 1.0034,
#: **1.011** (fails), 1.0022. With 24,000 draws at target accept 0.98 the R-hat and ESS
#: margins held there at every seed measured (max R-hat <= 1.0035, min bulk ESS >= 1,699),
#: but not the divergence count: one divergent transition in 96,000 draws refused seed 1
#: (MMLU pivoted, as in the main fit) and a rerun of the default seed with every location
#: at its midpoint (the earlier run of that fit, on another machine, had none), each in a
#: far tail (GPQA Diamond's discrimination: two results before the cutoff; task-suite
#: difficulties). Hence target accept 0.99: a step about 0.72 times as long and 109
#: leapfrog steps per draw instead of 63, for the same bulk ESS per second (1.29 both at
#: seed 1). At the default seed, 1 and 2: no divergence, max R-hat 1.0012-1.0021, min
#: bulk ESS 2,347-2,734 (``docs/backtest_seeds.md``, ``benchmarks/fit_seeds.py --cutoff``).
BACKTEST_SAMPLER: dict[str, float | int] = {"draws": 24000, "tune": 1000, "target_accept": 0.99}


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
        Reuse a stored fit that is current (same config, training
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
        when it was made; ``attrs["fit_wall_seconds"]`` the whole fit's.
    """
    train = training_evidence(evidence, cutoff, known_only=known_only)
    check_split(train, cutoff, known_only=known_only)
    path = fit_path(fit_dir, cutoff, known_only=known_only) if fit_dir is not None else None
    return load_or_fit(
        path,
        train,
        config,
        reuse=reuse,
        allow_unconverged=allow_unconverged,
        progressbar=progressbar,
    )
