"""The previous hazard model's headline numbers, for before/after tables.

The hazard model v1 (commit 0d24615) no longer exists as code; its numbers on the shipped
default fit are kept as data in ``data/reference_results/hazard_model_v1.toml`` with
what they were measured on. :func:`load_previous_hazard_numbers` reads them;
:meth:`PreviousHazardNumbers.mismatch` says whether a run is the one they can be set
beside (same fit, release date, seed and uplift evidence); :func:`before_after_tables`
pairs them with this version's P(hazard) table and crossings.

Computing only: the report shows the tables (:mod:`riskmodel.report.findings`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._io import read_scalar, read_table, read_toml
from riskmodel.errors import ConfigError
from riskmodel.evidence.loaders import default_data_dir

__all__ = [
    "PreviousHazardNumbers",
    "before_after_tables",
    "default_previous_path",
    "load_previous_hazard_numbers",
]

#: Provenance keys of the file, with their types.
_PROVENANCE = {
    "commit": str,
    "description": str,
    "fit_config_hash": str,
    "fit_evidence_hash": str,
    "data_vintage": str,
    "posterior_draws": int,
    "release_date": str,
    "hazard_seed": int,
    "link_params": str,
}


def default_previous_path() -> Path:
    """``<data>/reference_results/hazard_model_v1.toml`` (``$RISKMODEL_DATA_DIR`` honoured)."""
    return default_data_dir() / "reference_results" / "hazard_model_v1.toml"


@dataclass(frozen=True)
class PreviousHazardNumbers:
    """Headline numbers of the previous hazard model and what they were measured on.

    Attributes
    ----------
    provenance
        ``commit``, ``description``, ``fit_config_hash``, ``fit_evidence_hash``,
        ``data_vintage``, ``posterior_draws``, ``release_date`` (YYYY-MM-DD),
        ``hazard_seed``, ``link_params``.
    probability
        ``(bar, flop)`` -> P(condition) (probability; FLOP of training compute).
    crossing
        bar -> readable crossing as v1 reported it (q05 / q50 / q95 of a within-draw
        threshold, FLOP and frontier month).
    """

    provenance: Mapping[str, Any]
    probability: Mapping[tuple[str, float], float]
    crossing: Mapping[str, str]

    def mismatch(
        self,
        *,
        config_hash: str,
        evidence_hash: str,
        date: str,
        seed: int,
        link_params: str,
    ) -> str | None:
        """``None`` when a run can be set beside these numbers, else why not (a sentence).

        Parameters
        ----------
        config_hash, evidence_hash
            The capability fit's ``config_hash`` and ``evidence_hash`` attributes.
        date
            Release date (YYYY-MM-DD) of the run's P(hazard) table and crossings.
        seed
            The run's hazard seed.
        link_params
            ``"studies"`` or ``"prior"``.
        """
        p = self.provenance
        checks = (
            ("capability fit", config_hash, p["fit_config_hash"]),
            ("evidence", evidence_hash, p["fit_evidence_hash"]),
            ("release date", date, p["release_date"]),
            ("hazard seed", seed, p["hazard_seed"]),
            ("uplift evidence", link_params, p["link_params"]),
        )
        for what, mine, theirs in checks:
            if mine != theirs:
                return (
                    f"the previous hazard model ({p['commit']}) was measured with a different "
                    f"{what} ({str(theirs)[:12]}; this run: {str(mine)[:12]})"
                )
        return None


def load_previous_hazard_numbers(path: str | Path | None = None) -> PreviousHazardNumbers:
    """Read the previous model's numbers (default :func:`default_previous_path`).

    Raises
    ------
    ConfigError
        Naming the file and the key when the file is missing, does not parse, or a key
        is missing or of the wrong type.
    """
    path = Path(path) if path is not None else default_previous_path()
    origin = str(path)
    data = read_toml(path, "previous hazard numbers")
    table = read_table(data, "provenance", origin)
    provenance = {
        key: read_scalar(table, f"provenance.{key}", origin, kind)
        for key, kind in _PROVENANCE.items()
    }
    probability: dict[tuple[str, float], float] = {}
    for bar, values in read_table(data, "probability", origin).items():
        key = f"probability.{bar}"
        if not isinstance(values, Mapping):
            raise ConfigError(f"{origin}: '{key}' must be a table")
        flops = read_scalar(values, f"{key}.flop", origin, list)
        probs = read_scalar(values, f"{key}.probability", origin, list)
        if len(flops) != len(probs):
            raise ConfigError(f"{origin}: '{key}': flop and probability differ in length")
        for flop, prob in zip(flops, probs, strict=True):
            ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (flop, prob))
            if not ok or not (flop > 0 and 0.0 <= prob <= 1.0):
                raise ConfigError(
                    f"{origin}: '{key}': flop must be > 0 and probability in [0, 1], "
                    f"got {flop!r} and {prob!r}"
                )
            probability[(bar, float(flop))] = float(prob)
    crossing: dict[str, str] = {}
    for bar, values in read_table(data, "crossing", origin).items():
        key = f"crossing.{bar}"
        if not isinstance(values, Mapping):
            raise ConfigError(f"{origin}: '{key}' must be a table")
        flops = read_scalar(values, f"{key}.flop_quantiles", origin, list)
        months = read_scalar(values, f"{key}.frontier_month_quantiles", origin, list)
        if len(flops) != 3 or len(months) != 3:
            raise ConfigError(f"{origin}: '{key}': give q05, q50 and q95 (three values each)")
        crossing[bar] = (
            "FLOP "
            + " / ".join(f"{float(f):.2g}" for f in flops)
            + "; frontier "
            + " / ".join(str(m) for m in months)
        )
    return PreviousHazardNumbers(provenance, probability, crossing)


def before_after_tables(
    hazard_table: pd.DataFrame,
    crossings: pd.DataFrame,
    previous: PreviousHazardNumbers,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(hazard) and crossings of this run beside the previous model's.

    Parameters
    ----------
    hazard_table
        :func:`riskmodel.hazard.curves.hazard_curve` rows (``bar``, ``flop``,
        ``probability``, ``mc_se``).
    crossings
        :func:`riskmodel.hazard.curves.crossing_tables` crossings.
    previous
        The previous model's numbers; check :meth:`PreviousHazardNumbers.mismatch` first.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        ``bar``, ``flop`` (FLOP), ``probability_before``, ``probability_after``,
        ``mc_se_after`` (probabilities; ``nan`` before where v1 was not measured at that
        FLOP); and ``bar``, ``crossing_before`` (v1: quantiles of a within-draw
        threshold), ``flop_after`` (FLOP), ``flop_mc_se_dex``, ``frontier_date_after``.
    """
    probability = pd.DataFrame(
        {
            "bar": hazard_table["bar"].to_numpy(),
            "flop": hazard_table["flop"].to_numpy(dtype=float),
            "probability_before": [
                previous.probability.get((str(bar), float(flop)), math.nan)
                for bar, flop in zip(hazard_table["bar"], hazard_table["flop"], strict=True)
            ],
            "probability_after": hazard_table["probability"].to_numpy(dtype=float),
            "mc_se_after": hazard_table["mc_se"].to_numpy(dtype=float),
        }
    )
    crossing = pd.DataFrame(
        {
            "bar": crossings["bar"].to_numpy(),
            "crossing_before": [previous.crossing.get(str(b), "-") for b in crossings["bar"]],
            "flop_after": crossings["flop"].to_numpy(dtype=float),
            "flop_mc_se_dex": crossings["flop_mc_se_dex"].to_numpy(dtype=float),
            "frontier_date_after": [d or "after 2040" for d in crossings["frontier_date"]],
        }
    )
    return probability, crossing
