"""Settings of the policy simulation (validated, overridable, documented)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from riskmodel._rng import DEFAULT_SEED

__all__ = ["SimulationConfig", "DEFAULT_YEARS", "DEFAULT_TRUTH_BARS"]

#: Simulated release years (inclusive).
DEFAULT_YEARS = (2025, 2030)
#: Truth bars of the simulation (names in ``data/hazard_bars.toml``): the bill's bar and
#: the commentary's raised bar, so that no variant is judged only by the other's standard.
DEFAULT_TRUTH_BARS = ("current", "raised")


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
    truth_bars
        The reference conditions of "truly hazardous" in a simulated world, each the
        realised condition of a bar (names in ``data/hazard_bars.toml``) with its own
        enhancement allowance. Every outcome that depends on which runs are truly
        hazardous (:data:`riskmodel.policy.engine.TRUTH_OUTCOMES`) is reported under each
        of them (dimension ``truth_bar`` of the simulated Dataset, in this order); all
        variants are judged against the same truths, whatever bar they use. Default
        ``("current", "raised")``: the bill's bar (the model, after any enhancement, makes
        a >= $500M cyber incident within a year more likely than the legal probability)
        and the commentary's (after an enhancement with < 25% extra FLOP and 2 years of
        methods, it speeds competent cyber-offense teams up > 2x). One truth alone judges
        the variants of the other bar by a standard they do not apply: a current-bar
        variant shows false alarms under the raised truth by construction.
    truth_bar
        Deprecated (the one truth bar of simulations before ``truth_bars``): still
        accepted so that older settings files load, and then it must be one of
        ``truth_bars``; it selects nothing (every truth bar is reported).
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
    seed: int = Field(default=DEFAULT_SEED, ge=0)
    chunk_draws: int = Field(default=100, ge=1, le=100_000)
    truth_bars: tuple[str, ...] = Field(default=DEFAULT_TRUTH_BARS, min_length=1)
    truth_bar: str | None = Field(default=None, min_length=1)
    evaluation_noise_sd: float = Field(default=0.3, gt=0.0, le=5.0, allow_inf_nan=False)
    assessment_samples: int = Field(default=4000, ge=100, le=1_000_000)

    @field_validator("truth_bars")
    @classmethod
    def _unique_truth_bars(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not name for name in value):
            raise ValueError("truth bar names must not be empty")
        repeated = sorted({name for name in value if value.count(name) > 1})
        if repeated:
            raise ValueError(f"truth bar '{repeated[0]}' listed twice")
        return value

    @field_validator("truth_bar")
    @classmethod
    def _truth_bar_is_reported(cls, value: str | None, info: ValidationInfo) -> str | None:
        bars = info.data.get("truth_bars")
        if value is not None and bars is not None and value not in bars:
            raise ValueError(
                f"'{value}' is not one of truth_bars ({', '.join(bars)}); truth_bar is "
                "deprecated: list the truth bars in truth_bars"
            )
        return value

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
