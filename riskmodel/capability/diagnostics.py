"""Convergence diagnostics and the fit quality gate."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import arviz as az
import numpy as np
import xarray as xr

from riskmodel.config import QualityGate

__all__ = ["Diagnostics", "compute_diagnostics"]

#: How many failing parameter elements are named in a message, at most.
MAX_NAMED_FAILURES = 12


@dataclass(frozen=True)
class Diagnostics:
    """Convergence summary of a posterior.

    Attributes
    ----------
    max_rhat, min_ess_bulk, min_ess_tail
        Worst values over all checked parameter elements.
    divergences
        Number of divergent transitions after tuning (all chains).
    failures
        Plain-language lines naming each failing element (empty when converged).
    passed
        Whether every gate threshold holds.
    """

    max_rhat: float
    min_ess_bulk: float
    min_ess_tail: float
    divergences: int
    sampling_seconds: float
    failures: list[str] = field(default_factory=list)
    passed: bool = True

    def to_dict(self) -> dict:
        """JSON-ready dictionary."""
        return asdict(self)


def _element_label(name: str, da: xr.DataArray, flat_index: int) -> str:
    if da.ndim == 0:
        return name
    idx = np.unravel_index(flat_index, da.shape)
    parts = [
        str(da[dim].values[i]) if dim in da.coords else str(i)
        for dim, i in zip(da.dims, idx, strict=True)
    ]
    return f"{name}[{', '.join(parts)}]"


def compute_diagnostics(
    posterior: xr.Dataset,
    sample_stats: xr.Dataset,
    *,
    var_names: list[str],
    gate: QualityGate,
    sampling_seconds: float = float("nan"),
) -> Diagnostics:
    """R-hat, bulk/tail ESS and divergences, checked against ``gate``.

    Parameters
    ----------
    posterior
        Posterior draws with dims (chain, draw, ...).
    sample_stats
        Sampler statistics with a boolean ``diverging`` variable.
    var_names
        Parameters to check (free parameters and key derived quantities).
    gate
        Thresholds: max R-hat, min bulk ESS, max divergences.
    """
    subset = posterior[var_names]
    rhat = az.rhat(subset)
    ess_bulk = az.ess(subset, method="bulk")
    ess_tail = az.ess(subset, method="tail")
    failures: list[str] = []
    worst_rhat, worst_bulk, worst_tail = 1.0, np.inf, np.inf
    for name in var_names:
        r = np.asarray(rhat[name].values, dtype=float).ravel()
        e = np.asarray(ess_bulk[name].values, dtype=float).ravel()
        et = np.asarray(ess_tail[name].values, dtype=float).ravel()
        if r.size == 0:
            continue
        worst_rhat = max(worst_rhat, float(np.nanmax(r)))
        worst_bulk = min(worst_bulk, float(np.nanmin(e)))
        worst_tail = min(worst_tail, float(np.nanmin(et)))
        bad = np.flatnonzero((r > gate.max_rhat) | (e < gate.min_ess_bulk) | ~np.isfinite(r))
        for i in bad:
            label = _element_label(name, rhat[name], int(i))
            failures.append(f"{label}: R-hat {r[i]:.3f}, bulk ESS {e[i]:.0f}")
    divergences = int(np.asarray(sample_stats["diverging"].values).sum())
    if divergences > gate.max_divergences:
        failures.insert(0, f"{divergences} divergent transitions (allowed: {gate.max_divergences})")
    return Diagnostics(
        max_rhat=worst_rhat,
        min_ess_bulk=worst_bulk,
        min_ess_tail=worst_tail,
        divergences=divergences,
        sampling_seconds=float(sampling_seconds),
        failures=failures,
        passed=not failures,
    )


FIT_REMEDY = (
    "Try more --tune/--draws, or pass --allow-unconverged to keep the fit anyway "
    "(its diagnostics are stored with it)."
)


def describe_failures(
    diagnostics: Diagnostics,
    gate: QualityGate,
    *,
    subject: str = "the fit",
    remedy: str = FIT_REMEDY,
) -> str:
    """A plain message listing why the gate refused a posterior (``subject``)."""
    shown = diagnostics.failures[:MAX_NAMED_FAILURES]
    more = len(diagnostics.failures) - len(shown)
    lines = [
        f"{subject} did not converge "
        f"(gate: R-hat <= {gate.max_rhat}, bulk ESS >= {gate.min_ess_bulk:.0f}, "
        f"divergences <= {gate.max_divergences}); failing:",
        *[f"  {line}" for line in shown],
    ]
    if more > 0:
        lines.append(f"  ... and {more} more")
    lines.append(remedy)
    return "\n".join(lines)
