"""Posttraining enhancement: capability reachable by modifying a released model.

The bill counts a model as hazardous if it *could be enhanced* to be hazardous, without
bounding what an enhancement is; the commentary proposes bounding it by extra compute
(a fraction ``f`` of the original training compute, e.g. 0.25 or 0.02) and by methods
available within a horizon (e.g. 0 or 2 years).

Model
-----
Capability is measured in dex of effective compute (see ``ARCHITECTURE.md``), so an
enhancement is an additive gain in dex, i.e. an effective-compute multiplier ``10**gain``::

    gain = finetune_efficiency * log10(1 + f) + elicitation_progress * h

``finetune_efficiency`` (dex of capability per dex of ``1 + f``) and
``elicitation_progress`` (dex/year) are uncertain, with elicited priors in
``data/elicitation/enhancement_priors.toml`` (:data:`DEFAULT_ENHANCEMENT_PATH`). Both are
positive, so the gain is non-decreasing in ``f`` and ``h`` for every parameter draw, and
zero for ``f = h = 0`` (the model as evaluated).

Unbounded
---------
``EnhancementAllowance(None, None)`` is the bill as written. ``None`` in either field
means "unbounded" on that axis and is resolved to the cap in the priors file
(``[unbounded]``: 10x the original compute, 5 years of methods; see its rationale).
Bounded values above the cap are clipped to it, so the unbounded allowance is always the
largest and the gain stays monotone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from riskmodel.errors import ConfigError
from riskmodel.uplift.elicitation import (
    FittedPrior,
    read_date,
    read_parameter,
    read_scalar,
    read_table,
    read_toml,
)

__all__ = [
    "DEFAULT_ENHANCEMENT_PATH",
    "UNBOUNDED",
    "EnhancementAllowance",
    "EnhancementPriors",
    "EnhancementParams",
    "load_enhancement_priors",
    "enhancement_gain",
    "enhanced_capability",
]

#: Shipped enhancement priors.
DEFAULT_ENHANCEMENT_PATH = (
    Path(__file__).resolve().parents[2] / "data" / "elicitation" / "enhancement_priors.toml"
)
#: Spelling of an unbounded allowance in TOML files and on the command line.
UNBOUNDED = "unbounded"
#: Parameter tables the enhancement priors file must provide.
ENHANCEMENT_PARAMETERS = ("finetune_efficiency", "elicitation_progress")


class EnhancementAllowance(BaseModel):
    """What counts as a posttraining enhancement.

    Attributes
    ----------
    flop_fraction
        Extra compute allowed, as a fraction of the original training compute
        (dimensionless, >= 0; 0.25 = 25% more FLOP). ``None`` = unbounded.
    horizon_years
        Elicitation methods available within this many years of release count
        (years, >= 0; 0 = current methods only). ``None`` = unbounded.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    flop_fraction: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    horizon_years: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)

    @classmethod
    def unbounded(cls) -> EnhancementAllowance:
        """The bill as written: no bound on compute or methods."""
        return cls(flop_fraction=None, horizon_years=None)

    @classmethod
    def parse(cls, value: Any, *, origin: str, key: str) -> EnhancementAllowance:
        """From a TOML table ``{flop_fraction = 0.25, horizon_years = 2}``.

        Either value may be the string ``"unbounded"``; a missing key is unbounded.
        """
        if not isinstance(value, Mapping):
            raise ConfigError(f"{origin}: '{key}' must be a table")
        fields: dict[str, float | None] = {}
        for name in value:
            if name not in ("flop_fraction", "horizon_years"):
                raise ConfigError(f"{origin}: unknown key '{key}.{name}'")
        for name in ("flop_fraction", "horizon_years"):
            raw = value.get(name, UNBOUNDED)
            if raw == UNBOUNDED:
                fields[name] = None
                continue
            ok = isinstance(raw, int | float) and not isinstance(raw, bool)
            if not ok or not math.isfinite(raw) or raw < 0:
                raise ConfigError(
                    f"{origin}: '{key}.{name}' must be a number >= 0 or \"{UNBOUNDED}\", "
                    f"got {raw!r}"
                )
            fields[name] = float(raw)
        return cls(**fields)

    def describe(self) -> str:
        """Short label, e.g. ``"f=0.25, 2 years"`` or ``"unbounded"``."""
        if self.flop_fraction is None and self.horizon_years is None:
            return UNBOUNDED
        f = UNBOUNDED if self.flop_fraction is None else f"{self.flop_fraction:g}"
        h = UNBOUNDED if self.horizon_years is None else f"{self.horizon_years:g} years"
        return f"f={f}, {h}"


@dataclass(frozen=True)
class EnhancementPriors:
    """The validated enhancement priors file.

    Attributes
    ----------
    path, version, updated, data_vintage
        Provenance (dates as YYYY-MM-DD).
    unbounded_flop_fraction
        Extra compute (fraction of original training) that "unbounded" stands for.
    unbounded_horizon_years
        Horizon (years) that "unbounded" stands for.
    priors
        Fitted priors keyed by parameter name (``finetune_efficiency``,
        ``elicitation_progress``).
    """

    path: str
    version: str
    updated: str
    data_vintage: str
    unbounded_flop_fraction: float
    unbounded_horizon_years: float
    priors: dict[str, FittedPrior]

    def resolve(self, allowance: EnhancementAllowance) -> tuple[float, float]:
        """``(f, h)`` with unbounded axes set to, and larger values clipped at, the caps."""
        f = allowance.flop_fraction
        h = allowance.horizon_years
        f = self.unbounded_flop_fraction if f is None else min(f, self.unbounded_flop_fraction)
        h = self.unbounded_horizon_years if h is None else min(h, self.unbounded_horizon_years)
        return f, h

    def sample(self, *, rng: np.random.Generator, size: int | tuple[int, ...]) -> EnhancementParams:
        """Independent prior draws of the enhancement parameters."""
        return EnhancementParams(
            finetune_efficiency=self.priors["finetune_efficiency"].sample(rng=rng, size=size),
            elicitation_progress=self.priors["elicitation_progress"].sample(rng=rng, size=size),
            unbounded_flop_fraction=self.unbounded_flop_fraction,
            unbounded_horizon_years=self.unbounded_horizon_years,
        )


@dataclass(frozen=True)
class EnhancementParams:
    """Draws of the enhancement parameters.

    Attributes
    ----------
    finetune_efficiency
        Dex of capability per dex of ``1 + f``; positive array (or scalar).
    elicitation_progress
        Dex/year; positive array (or scalar), same shape.
    unbounded_flop_fraction, unbounded_horizon_years
        The caps that stand for "unbounded" (fraction of training FLOP; years).
    """

    finetune_efficiency: np.ndarray | float
    elicitation_progress: np.ndarray | float
    unbounded_flop_fraction: float
    unbounded_horizon_years: float


def load_enhancement_priors(path: str | Path | None = None) -> EnhancementPriors:
    """Load, validate and fit ``enhancement_priors.toml``.

    Raises
    ------
    ConfigError
        Unreadable file, or a missing, mistyped or impossible value; the message names
        the file and the dotted key.
    """
    path = Path(path) if path is not None else DEFAULT_ENHANCEMENT_PATH
    origin = str(path)
    data = read_toml(path, "enhancement priors")
    version = read_scalar(data, "version", origin, str)
    updated = read_date(data, "updated", origin)
    vintage = read_date(data, "data_vintage", origin)
    cap = read_table(data, "unbounded", origin)
    caps = {}
    for name in ("flop_fraction", "horizon_years"):
        value = read_scalar(cap, f"unbounded.{name}", origin, float)
        if not value > 0:
            raise ConfigError(f"{origin}: 'unbounded.{name}' must be positive, got {value}")
        caps[name] = value
    read_scalar(cap, "unbounded.rationale", origin, str)
    priors = {
        name: read_parameter(read_table(data, name, origin), name, origin)
        for name in ENHANCEMENT_PARAMETERS
    }
    for name, prior in priors.items():
        if prior.family != "lognormal":
            raise ConfigError(f"{origin}: '{name}.family' must be lognormal (a positive rate)")
    return EnhancementPriors(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        unbounded_flop_fraction=caps["flop_fraction"],
        unbounded_horizon_years=caps["horizon_years"],
        priors=priors,
    )


def enhancement_gain(allowance: EnhancementAllowance, params: EnhancementParams) -> np.ndarray:
    """Capability gain (dex of effective compute) from an allowed enhancement.

    Returns
    -------
    numpy.ndarray
        ``finetune_efficiency * log10(1 + f) + elicitation_progress * h`` (dex, >= 0),
        shape of the parameter draws; ``f`` and ``h`` resolved as in
        :meth:`EnhancementPriors.resolve`.
    """
    f = allowance.flop_fraction
    h = allowance.horizon_years
    f = params.unbounded_flop_fraction if f is None else min(f, params.unbounded_flop_fraction)
    h = params.unbounded_horizon_years if h is None else min(h, params.unbounded_horizon_years)
    efficiency = np.asarray(params.finetune_efficiency, dtype=float)
    progress = np.asarray(params.elicitation_progress, dtype=float)
    return efficiency * np.log10(1.0 + f) + progress * h


def enhanced_capability(
    capability_draws: np.ndarray,
    allowance: EnhancementAllowance,
    params: EnhancementParams,
) -> np.ndarray:
    """Capability (dex of effective compute) after the allowed enhancement.

    Parameters
    ----------
    capability_draws
        Capability draws (dex), e.g. from
        :func:`riskmodel.capability.predict.capability_draws`; shape ``(n,)``.
    allowance
        What counts as an enhancement.
    params
        Enhancement parameter draws broadcastable to ``capability_draws`` (one draw per
        capability draw, or scalars).

    Returns
    -------
    numpy.ndarray
        ``capability_draws + gain``; non-decreasing in ``flop_fraction`` and
        ``horizon_years`` for every draw.
    """
    return np.asarray(capability_draws, dtype=float) + enhancement_gain(allowance, params)
