"""Settings of the policy simulation (validated, overridable, documented)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["SimulationConfig", "DEFAULT_YEARS"]

#: Simulated release years (inclusive).
DEFAULT_YEARS = (2025, 2030)


class SimulationConfig(BaseModel):
    """How the simulated worlds are drawn and judged.

    Attributes
    ----------
    first_year, last_year
        Simulated release years, inclusive.
    draws
        Simulated worlds; each pairs one draw of the world parameters, one posterior draw
        of the capability fit and one draw of the uplift, enhancement and risk-chain
        parameters.
    seed
        Seed of everything random in the simulation.
    chunk_draws
        Worlds per unit of work (bounds memory; the unit spread over a dask cluster).
        Each chunk has its own random stream, so results depend on it (it is part of the
        provenance) but never on the scheduler or the number of workers.
    truth_bar
        The reference condition of "truly hazardous" in a simulated world: the realised
        condition of this bar (``data/hazard_bars.toml``) with its own enhancement
        allowance. Default ``raised``: the model, after an enhancement with < 25% extra
        FLOP and 2 years of methods, speeds competent cyber-offense teams up > 2x.
        Variants are judged against the same truth, whatever bar they use.
    evaluation_noise_sd
        Dex of capability: sd of a developer's post-training measurement of its model's
        capability (the input of the safety case). Elicited: a dangerous-capability
        evaluation suite pins capability to roughly a factor 2 of effective compute.
    assessment_samples
        Monte Carlo samples pooled for the developer's assessed hazard probability.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_year: int = Field(default=DEFAULT_YEARS[0], ge=2020, le=2100)
    last_year: int = Field(default=DEFAULT_YEARS[1], ge=2020, le=2100)
    draws: int = Field(default=1000, ge=1, le=1_000_000)
    seed: int = Field(default=20240829, ge=0)
    chunk_draws: int = Field(default=100, ge=1, le=100_000)
    truth_bar: str = Field(default="raised", min_length=1)
    evaluation_noise_sd: float = Field(default=0.3, gt=0.0, le=5.0, allow_inf_nan=False)
    assessment_samples: int = Field(default=4000, ge=100, le=1_000_000)

    @model_validator(mode="after")
    def _years(self) -> SimulationConfig:
        if self.last_year < self.first_year:
            raise ValueError(
                f"last_year ({self.last_year}) is before first_year ({self.first_year})"
            )
        return self

    @property
    def years(self) -> tuple[int, ...]:
        """Simulated years, ascending."""
        return tuple(range(self.first_year, self.last_year + 1))
