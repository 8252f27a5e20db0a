"""The elicited inputs of the hazard layer, loaded once from their files.

:class:`HazardInputs` bundles the uplift-link priors, the posttraining-enhancement priors,
the current bar's risk chain, the hazard bars and the uplift studies. Every hazard and
simulation function accepts one (``inputs=``); without it each loads the shipped files.
The settings file's ``[files]`` table (:class:`riskmodel.settings.DataFiles`) points any
of them at a user's file, so an analyst can change an elicited prior without touching the
shipped data or the code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from riskmodel.hazard.bars import (
    DEFAULT_BARS_PATH,
    DEFAULT_RISK_CHAIN_PATH,
    HazardBar,
    RiskChainPriors,
    load_hazard_bars,
    load_risk_chain_priors,
)
from riskmodel.hazard.enhancement import (
    DEFAULT_ENHANCEMENT_PATH,
    EnhancementPriors,
    load_enhancement_priors,
)
from riskmodel.uplift.elicitation import (
    DEFAULT_ELICITATION_PATH,
    ElicitedPriors,
    load_uplift_priors,
)
from riskmodel.uplift.studies import DEFAULT_STUDIES_PATH, load_uplift_studies

__all__ = ["HazardInputs", "load_hazard_inputs", "resolve_hazard_inputs"]


@dataclass(frozen=True)
class HazardInputs:
    """Loaded, validated inputs of :mod:`riskmodel.hazard` (see the module docstring).

    Attributes
    ----------
    uplift_priors
        Elicited priors of the uplift links (``data/elicitation/uplift_priors.toml``).
    enhancement_priors
        Elicited posttraining-enhancement priors and "unbounded" caps.
    risk_chain
        The current bar's risk chain (damage threshold, legal probability, chain priors).
    bars
        Hazard bars by name.
    studies
        Validated uplift studies (one row per study).
    files
        Input name -> the file it was read from (for provenance).
    """

    uplift_priors: ElicitedPriors
    enhancement_priors: EnhancementPriors
    risk_chain: RiskChainPriors
    bars: Mapping[str, HazardBar]
    studies: pd.DataFrame
    files: Mapping[str, str] = field(default_factory=dict)

    @property
    def bars_source(self) -> str:
        """Where :attr:`bars` were read from (for messages)."""
        return self.files.get("hazard_bars", "the hazard bars")


def resolve_hazard_inputs(inputs: HazardInputs | None) -> HazardInputs:
    """``inputs``, or the shipped files loaded (:func:`load_hazard_inputs`) when ``None``.

    The public functions of :mod:`riskmodel.hazard` and :mod:`riskmodel.simulation` call
    this once; everything below them takes a :class:`HazardInputs`, so no internal step
    falls back to the shipped files on its own.
    """
    return inputs if inputs is not None else load_hazard_inputs()


def load_hazard_inputs(
    *,
    uplift_priors: str | Path | None = None,
    enhancement_priors: str | Path | None = None,
    risk_chain_priors: str | Path | None = None,
    hazard_bars: str | Path | None = None,
    uplift_studies: str | Path | None = None,
) -> HazardInputs:
    """Load every hazard input; ``None`` means the shipped file.

    Parameters
    ----------
    uplift_priors, enhancement_priors, risk_chain_priors, hazard_bars
        TOML files.
    uplift_studies
        CSV file.

    Raises
    ------
    ConfigError, EvidenceError
        From the loaders, naming the file and the key, line or column of the problem.
    """
    files = {
        "uplift_priors": Path(uplift_priors or DEFAULT_ELICITATION_PATH),
        "enhancement_priors": Path(enhancement_priors or DEFAULT_ENHANCEMENT_PATH),
        "risk_chain_priors": Path(risk_chain_priors or DEFAULT_RISK_CHAIN_PATH),
        "hazard_bars": Path(hazard_bars or DEFAULT_BARS_PATH),
        "uplift_studies": Path(uplift_studies or DEFAULT_STUDIES_PATH),
    }
    return HazardInputs(
        uplift_priors=load_uplift_priors(files["uplift_priors"]),
        enhancement_priors=load_enhancement_priors(files["enhancement_priors"]),
        risk_chain=load_risk_chain_priors(files["risk_chain_priors"]),
        bars=load_hazard_bars(files["hazard_bars"]),
        studies=load_uplift_studies(files["uplift_studies"]),
        files={name: str(path) for name, path in files.items()},
    )
