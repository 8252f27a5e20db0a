"""One configuration file for the whole pipeline (``riskmodel report --config FILE``).

A TOML or JSON file (parsed as data only) with any of these top-level tables; every key
is optional and defaults to the documented value (``riskmodel.toml`` at the repository
root lists them all):

``[capability]``, ``[sampler]``, ``[gate]``
    The capability fit (:class:`riskmodel.config.FitConfig`): priors, reference scale,
    sampler settings, convergence gate.
``[hazard]``
    :class:`HazardSettings`: release date and compute of the headline hazard table, the
    grid of the hazard-curve figure, the bars, the uplift link and its evidence.
``[simulation]``
    :class:`riskmodel.simulation.config.SimulationConfig`: years, draws, seed, truth bars,
    evaluation noise.
``[report]``
    :class:`ReportOptions`: which policy variants, sensitivity-analysis draws.
``[files]``
    :class:`DataFiles`: the elicited-prior files (uplift links, posttraining enhancement,
    risk chain), the hazard bars, the uplift studies and the world assumptions (defaults:
    the shipped ``data/`` files, each value with its rationale and source). Point one at a
    copy to change an elicited assumption without editing the shipped data.

Unknown tables or keys and invalid values raise :class:`~riskmodel.errors.ConfigError`
naming the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from riskmodel._io import validation_problems
from riskmodel._time import parse_date
from riskmodel.config import FitConfig, load_config, read_config_file
from riskmodel.errors import ConfigError
from riskmodel.hazard.inputs import HazardInputs, load_hazard_inputs
from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.sensitivity import ASSUMPTIONS
from riskmodel.world.fit import WorldAssumptions, load_world_assumptions

__all__ = [
    "HazardSettings",
    "ReportOptions",
    "DataFiles",
    "Settings",
    "load_settings",
    "check_references",
]

#: Top-level tables that configure the capability fit.
FIT_TABLES = ("capability", "sampler", "gate")


#: Smallest training compute (FLOP) accepted in settings: below it a value is almost
#: certainly a log10 FLOP (25 for 1e25) rather than FLOP.
MIN_PLAIN_FLOP = 1e15


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class HazardSettings(_Strict):
    """Headline hazard questions.

    Attributes
    ----------
    date
        Release date (YYYY-MM-DD) of the assessed models and of the FLOP crossing.
    table_flops
        Training compute (FLOP) of the headline P(hazard) table.
    curve_log10_flop
        ``(start, stop, step)`` of the hazard-curve grid, log10 FLOP.
    bars
        Hazard bars assessed (names in the bar file).
    link
        Uplift link, ``"amdahl"`` or ``"direct"``; ``None``: the priors file's default.
    link_params
        ``"studies"`` (link updated by the uplift studies) or ``"prior"``.
    seed
        Seed of the hazard Monte Carlo.
    crossing_samples
        Monte Carlo samples behind each crossing and its sensitivity table (``None``: one
        per posterior draw of the fit); fewer is faster, with a larger Monte Carlo error
        (reported beside each crossing).
    record
        Weight the hazard samples by the observed record of incidents
        (:mod:`riskmodel.hazard.samples`); ``false`` is the sensitivity without it.
    """

    date: str = "2026-06-01"
    table_flops: tuple[float, ...] = (1e25, 1e26, 1e27, 1e28)
    curve_log10_flop: tuple[float, float, float] = (23.0, 30.0, 0.25)
    bars: tuple[str, ...] = ("raised", "current")
    link: Literal["amdahl", "direct"] | None = None
    link_params: Literal["studies", "prior"] = "studies"
    seed: int = Field(default=11, ge=0)
    crossing_samples: int | None = Field(default=None, ge=400, le=1_000_000)
    record: bool = True

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        return parse_date(value, what="date", error=ConfigError).isoformat()

    @field_validator("table_flops")
    @classmethod
    def _flops(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value or any(not (v > 0) for v in value):
            raise ValueError("give one or more positive FLOP values")
        small = [v for v in value if v < MIN_PLAIN_FLOP]
        if small:
            raise ValueError(
                f"{small[0]:g} FLOP is implausibly small: it looks like log10 FLOP; write "
                f"1e{small[0]:g} for 10^{small[0]:g} FLOP"
            )
        return value

    @field_validator("curve_log10_flop")
    @classmethod
    def _grid(cls, value: tuple[float, float, float]) -> tuple[float, float, float]:
        start, stop, step = value
        if not (stop > start and step > 0 and (stop - start) / step <= 400):
            raise ValueError("need start < stop, step > 0 and at most 400 grid points")
        return value


class ReportOptions(_Strict):
    """What the report simulates.

    Attributes
    ----------
    variants
        ``"all"`` or a list of variant names / TOML paths.
    sensitivity_draws
        Simulated worlds per run of the sensitivity (tornado) analysis.
    sensitivity_assumptions
        Assumptions varied in the sensitivity analysis (names of
        :data:`riskmodel.simulation.sensitivity.ASSUMPTIONS`); default all.
    """

    variants: str | tuple[str, ...] = "all"
    sensitivity_draws: int = Field(default=200, ge=10, le=100_000)
    sensitivity_assumptions: tuple[str, ...] = tuple(ASSUMPTIONS)

    @field_validator("sensitivity_assumptions")
    @classmethod
    def _assumptions(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [v for v in value if v not in ASSUMPTIONS]
        if unknown or not value:
            raise ValueError(
                f"unknown {', '.join(unknown) or '(none given)'}; known: {', '.join(ASSUMPTIONS)}"
            )
        return value


class DataFiles(_Strict):
    """Data files the pipeline reads besides the evidence (``None``: shipped file).

    Relative paths are relative to the working directory.

    Attributes
    ----------
    hazard_bars
        Hazard-bar TOML file (``data/hazard_bars.toml``).
    uplift_studies
        Uplift-study CSV (``data/uplift_studies.csv``).
    uplift_priors
        Elicited uplift-link priors (``data/elicitation/uplift_priors.toml``).
    enhancement_priors
        Elicited posttraining-enhancement priors
        (``data/elicitation/enhancement_priors.toml``).
    risk_chain_priors
        The current bar's risk chain (``data/elicitation/risk_chain_priors.toml``).
    world_assumptions
        Elicited world assumptions: derivatives, loopholes, developers
        (``data/world_assumptions.toml``).
    """

    hazard_bars: str | None = None
    uplift_studies: str | None = None
    uplift_priors: str | None = None
    enhancement_priors: str | None = None
    risk_chain_priors: str | None = None
    world_assumptions: str | None = None

    def load_hazard_inputs(self) -> HazardInputs:
        """Load the hazard layer's inputs from these files (see :mod:`riskmodel.hazard.inputs`).

        Raises
        ------
        ConfigError, EvidenceError
            A file is missing or invalid (naming the file and key, line or column).
        """
        return load_hazard_inputs(
            uplift_priors=self.uplift_priors,
            enhancement_priors=self.enhancement_priors,
            risk_chain_priors=self.risk_chain_priors,
            hazard_bars=self.hazard_bars,
            uplift_studies=self.uplift_studies,
        )

    def load_world_assumptions(self) -> WorldAssumptions:
        """The world assumptions of :attr:`world_assumptions` (default: shipped file)."""
        return load_world_assumptions(self.world_assumptions)


class Settings(_Strict):
    """Everything the main job needs besides the evidence."""

    fit: FitConfig = FitConfig()
    hazard: HazardSettings = HazardSettings()
    simulation: SimulationConfig = SimulationConfig()
    report: ReportOptions = ReportOptions()
    files: DataFiles = DataFiles()

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready settings (for provenance)."""
        return self.model_dump(mode="json")


def _section(model: type[BaseModel], data: Any, name: str, origin: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: '{name}' must be a table")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        (problem,) = validation_problems(exc, prefix=name, limit=1)
        raise ConfigError(f"{origin}: {problem}") from None


def check_references(settings: Settings, inputs: HazardInputs, *, origin: str) -> None:
    """Refuse settings that name bars or variants that do not exist (before any fit).

    Parameters
    ----------
    settings
        Loaded settings.
    inputs
        The hazard inputs they point to (the bar names come from its bar file).
    origin
        The settings file (or "the settings"), for the message.

    Raises
    ------
    ConfigError
        Naming ``origin``, the dotted key and the unknown name.
    """
    from riskmodel.policy.variants import load_variants

    known = ", ".join(inputs.bars)
    for name in settings.hazard.bars:
        if name not in inputs.bars:
            raise ConfigError(
                f"{origin}: 'hazard.bars': unknown hazard bar '{name}'; defined: {known}"
            )
    for name in settings.simulation.truth_bars:
        if name not in inputs.bars:
            raise ConfigError(
                f"{origin}: 'simulation.truth_bars': unknown hazard bar '{name}'; defined: {known}"
            )
    variants = settings.report.variants
    try:
        load_variants(
            variants if isinstance(variants, str) else list(variants),
            inputs=inputs,
        )
    except ConfigError as exc:
        raise ConfigError(f"{origin}: 'report.variants': {exc}") from None


def load_settings(source: str | Path | dict[str, Any] | None = None) -> Settings:
    """Defaults merged with a user file or dict (see the module docstring).

    Raises
    ------
    ConfigError
        Naming the file and the dotted key of the first problem.
    """
    if source is None:
        return Settings()
    origin = "the overrides" if isinstance(source, dict) else str(source)
    data = dict(source) if isinstance(source, dict) else read_config_file(Path(source))
    sections = {"hazard": HazardSettings, "simulation": SimulationConfig}
    sections.update({"report": ReportOptions, "files": DataFiles})
    unknown = [k for k in data if k not in (*FIT_TABLES, *sections)]
    if unknown:
        raise ConfigError(
            f"{origin}: unknown table '{unknown[0]}'; use {', '.join((*FIT_TABLES, *sections))}"
        )
    fit_overrides = {k: data[k] for k in FIT_TABLES if k in data}
    try:
        fit = load_config(fit_overrides)
    except ConfigError as exc:
        raise ConfigError(f"{origin}: {exc}") from None
    values = {
        name: _section(model, data.get(name, {}), name, origin) for name, model in sections.items()
    }
    return Settings(fit=fit, **values)
