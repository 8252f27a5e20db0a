"""Posttraining enhancement: capability reachable by modifying a released model.

The bill counts a model as hazardous if it *could be enhanced* to be hazardous, without
bounding what an enhancement is; the commentary proposes bounding it by extra compute
*and* extra spending (a fraction of the original training's FLOP and cost, e.g. 0.25 or
0.02) and by the methods available within a horizon (e.g. 0 or 2 years). The same rule
gives the capability of a derivative model (:mod:`riskmodel.simulation.science`).

Model (DOMAIN.md section 6: "enhancement has a ceiling and a cheap end")
----------------------------------------------------------------------
Capability is measured in dex of effective compute, so an enhancement is an additive
gain in dex (an effective-compute multiplier ``10**gain``). With ``f`` the effective
extra-compute fraction and ``h`` the methods horizon (years)::

    f         = min(flop_fraction, cost_fraction / posttraining_cost_ratio, cap)
    saturating = cheap_gain_max * f / (f + cheap_half_fraction) + elicitation_progress * h
    ceiling    = log10(1 + f) + method_rate * h + elicitation_headroom
    gain       = min(saturating, ceiling)

* **Cheap end.** Post-training enhancements (prompting, scaffolds, tool use, fine-tuning
  on a little data) buy a compute-equivalent gain that saturates in the compute spent:
  half of ``cheap_gain_max`` for ``cheap_half_fraction`` of the training compute
  (Davidson et al. 2023, arXiv 2312.07413: gains worth 5-30x of training compute for
  under 1% of its cost). ``elicitation_progress`` (dex/year) is the part of newer methods
  that applies to an existing model.
* **Hard ceiling.** An enhanced model never exceeds what a fresh run by the same
  developer with ``(1 + f)`` times the compute and the methods of the allowed horizon
  would reach: ``log10(1 + f)`` for the compute, ``method_rate * h`` for the methods
  (``method_rate``: the capability fit's rate of method progress at its data vintage,
  dex/year, per posterior draw), plus ``elicitation_headroom``, the best elicitation of
  the day that evaluated models do not use (a fresh run "using the methods" would).
  The fresh run shares the model's own deviation from the trend (same developer, same
  recipe), so the ceiling is a bound on the *gain*.
* **Cost.** The spending of an enhancement, relative to the original training's, is
  ``f * posttraining_cost_ratio`` (USD per FLOP of post-training over USD per FLOP of
  pre-training, at the release date's prices), so a cost bound ``c`` allows at most
  ``c / posttraining_cost_ratio`` of extra compute.

Every term is non-decreasing in ``f``, ``c`` and ``h`` for every parameter draw, so is
the gain (a minimum of two non-decreasing functions), and it is zero for
``f = h = 0`` (the model as evaluated). Parameters and their sources are in
``data/elicitation/enhancement_priors.toml`` (:data:`DEFAULT_ENHANCEMENT_PATH`).

Unbounded
---------
``EnhancementAllowance()`` (every axis ``None``) is the bill as written. ``None`` on the
FLOP and cost axes together, or on the horizon, means "unbounded" on that axis and is
resolved to the cap in the priors file (``[unbounded]``: 10x the original compute, 5
years of methods; see its rationale). Bounded values above a cap are clipped to it, so
the unbounded allowance is always the largest and the gain stays monotone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from riskmodel._io import data_dir, read_date, read_scalar, read_table, read_toml
from riskmodel.errors import ConfigError
from riskmodel.uplift.elicitation import FittedPrior, read_parameter

__all__ = [
    "DEFAULT_ENHANCEMENT_PATH",
    "UNBOUNDED",
    "ENHANCEMENT_PARAMETERS",
    "EnhancementAllowance",
    "EnhancementPriors",
    "EnhancementParams",
    "load_enhancement_priors",
    "effective_flop_fraction",
    "resolved_allowance",
    "gain_for",
    "enhancement_ceiling",
    "enhancement_gain",
    "enhanced_capability",
]

#: Shipped enhancement priors (``$RISKMODEL_DATA_DIR`` honoured, read at import).
DEFAULT_ENHANCEMENT_PATH = data_dir() / "elicitation" / "enhancement_priors.toml"
#: Spelling of an unbounded allowance in TOML files and on the command line.
UNBOUNDED = "unbounded"
#: Parameter tables the enhancement priors file must provide (all lognormal: positive).
ENHANCEMENT_PARAMETERS = (
    "cheap_gain_max",
    "cheap_half_fraction",
    "elicitation_progress",
    "elicitation_headroom",
    "posttraining_cost_ratio",
)
_AXES = ("flop_fraction", "cost_fraction", "horizon_years")


class EnhancementAllowance(BaseModel):
    """What counts as a posttraining enhancement.

    Attributes
    ----------
    flop_fraction
        Extra compute allowed, as a fraction of the original training compute
        (dimensionless, >= 0; 0.25 = 25% more FLOP). ``None`` = not bounded by FLOP.
    cost_fraction
        Extra spending allowed, as a fraction of the original training cost
        (dimensionless, >= 0). ``None`` = not bounded by cost. With both compute axes
        ``None`` the extra compute is unbounded (the cap of the priors file).
    horizon_years
        Elicitation methods available within this many years of release count
        (years, >= 0; 0 = current methods only). ``None`` = unbounded.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    flop_fraction: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    cost_fraction: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    horizon_years: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)

    @classmethod
    def unbounded(cls) -> EnhancementAllowance:
        """The bill as written: no bound on compute, cost or methods."""
        return cls(flop_fraction=None, cost_fraction=None, horizon_years=None)

    @classmethod
    def parse(cls, value: Any, *, origin: str, key: str) -> EnhancementAllowance:
        """From a TOML table ``{flop_fraction = 0.25, cost_fraction = 0.25,
        horizon_years = 2}``.

        Any value may be the string ``"unbounded"``; a missing key is unbounded.
        """
        if not isinstance(value, Mapping):
            raise ConfigError(f"{origin}: '{key}' must be a table")
        fields: dict[str, float | None] = {}
        for name in value:
            if name not in _AXES:
                raise ConfigError(f"{origin}: unknown key '{key}.{name}'")
        for name in _AXES:
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
        """Short label, e.g. ``"f=0.25, cost 0.25, 2 years"`` or ``"unbounded"``."""
        if self.flop_fraction is None and self.cost_fraction is None and self.horizon_years is None:
            return UNBOUNDED
        f = UNBOUNDED if self.flop_fraction is None else f"{self.flop_fraction:g}"
        h = UNBOUNDED if self.horizon_years is None else f"{self.horizon_years:g} years"
        cost = "" if self.cost_fraction is None else f", cost {self.cost_fraction:g}"
        return f"f={f}{cost}, {h}"


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
        Fitted priors keyed by :data:`ENHANCEMENT_PARAMETERS`.
    """

    path: str
    version: str
    updated: str
    data_vintage: str
    unbounded_flop_fraction: float
    unbounded_horizon_years: float
    priors: dict[str, FittedPrior]

    def sample(self, *, rng: np.random.Generator, size: int | tuple[int, ...]) -> EnhancementParams:
        """Independent prior draws of the enhancement parameters."""
        draws = {
            name: self.priors[name].sample(rng=rng, size=size) for name in ENHANCEMENT_PARAMETERS
        }
        return EnhancementParams(
            **draws,
            unbounded_flop_fraction=self.unbounded_flop_fraction,
            unbounded_horizon_years=self.unbounded_horizon_years,
        )


@dataclass(frozen=True)
class EnhancementParams:
    """Draws of the enhancement parameters (arrays of one shape, or scalars).

    Attributes
    ----------
    cheap_gain_max
        Dex: compute-equivalent gain that post-training enhancement at fixed methods
        approaches as its compute grows (before the ceiling).
    cheap_half_fraction
        Fraction of the original training compute that buys half of ``cheap_gain_max``.
    elicitation_progress
        Dex/year: gain from newer methods applied to an existing model.
    elicitation_headroom
        Dex: best elicitation of the day beyond what evaluated models use (ceiling term).
    posttraining_cost_ratio
        USD per FLOP of enhancement over USD per FLOP of the original training.
    unbounded_flop_fraction, unbounded_horizon_years
        The caps that stand for "unbounded" (fraction of training FLOP; years).
    """

    cheap_gain_max: np.ndarray | float
    cheap_half_fraction: np.ndarray | float
    elicitation_progress: np.ndarray | float
    elicitation_headroom: np.ndarray | float
    posttraining_cost_ratio: np.ndarray | float
    unbounded_flop_fraction: float
    unbounded_horizon_years: float

    def take(self, index: np.ndarray) -> EnhancementParams:
        """The draws at ``index`` (e.g. one per simulated world)."""
        values = {
            name: np.asarray(getattr(self, name), dtype=float)[index]
            for name in ENHANCEMENT_PARAMETERS
        }
        return EnhancementParams(
            **values,
            unbounded_flop_fraction=self.unbounded_flop_fraction,
            unbounded_horizon_years=self.unbounded_horizon_years,
        )


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
            raise ConfigError(f"{origin}: '{name}.family' must be lognormal (a positive quantity)")
    return EnhancementPriors(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        unbounded_flop_fraction=caps["flop_fraction"],
        unbounded_horizon_years=caps["horizon_years"],
        priors=priors,
    )


def resolved_allowance(
    allowance: EnhancementAllowance, params: EnhancementParams
) -> tuple[np.ndarray, float]:
    """Effective extra-compute fraction (per draw: FLOP and cost bounds, cap) and horizon
    (years, capped) of an allowance."""
    cap = params.unbounded_flop_fraction
    ratio = np.asarray(params.posttraining_cost_ratio, dtype=float)
    f = np.full(ratio.shape, cap)
    if allowance.flop_fraction is not None:
        f = np.minimum(f, allowance.flop_fraction)
    if allowance.cost_fraction is not None:
        f = np.minimum(f, allowance.cost_fraction / ratio)
    h = allowance.horizon_years
    h = params.unbounded_horizon_years if h is None else min(h, params.unbounded_horizon_years)
    return f, float(h)


def effective_flop_fraction(
    allowance: EnhancementAllowance, params: EnhancementParams
) -> np.ndarray:
    """Extra compute (fraction of the original training FLOP) an allowance permits:
    ``min(flop_fraction, cost_fraction / posttraining_cost_ratio, cap)`` per draw."""
    return resolved_allowance(allowance, params)[0]


def gain_for(
    flop_fraction: np.ndarray | float,
    horizon_years: np.ndarray | float,
    params: EnhancementParams,
    *,
    method_rate: np.ndarray | float,
) -> np.ndarray:
    """Gain (dex) of an enhancement with a given extra-compute fraction and horizon.

    The module docstring's ``min(saturating, ceiling)`` with ``f`` and ``h`` given
    directly (e.g. a derivative model's extra FLOP and the years since its parent).

    Parameters
    ----------
    flop_fraction
        Extra compute as a fraction of the original training FLOP (>= 0).
    horizon_years
        Years of methods (>= 0).
    params
        Enhancement parameter draws, broadcastable with the other arguments.
    method_rate
        Rate of method progress (dex/year), per draw.

    Returns
    -------
    numpy.ndarray
        Gain in dex (>= 0), the broadcast shape of the inputs.
    """
    f = np.asarray(flop_fraction, dtype=float)
    h = np.asarray(horizon_years, dtype=float)
    saturating = (
        np.asarray(params.cheap_gain_max, dtype=float) * f / (f + params.cheap_half_fraction)
        + np.asarray(params.elicitation_progress, dtype=float) * h
    )
    ceiling = _ceiling(f, h, params, method_rate)
    return np.minimum(saturating, ceiling)


def _ceiling(f: Any, h: Any, params: EnhancementParams, method_rate: Any) -> np.ndarray:
    rate = np.maximum(np.asarray(method_rate, dtype=float), 0.0)
    return (
        np.log10(1.0 + np.asarray(f, dtype=float))
        + rate * h
        + np.asarray(params.elicitation_headroom, dtype=float)
    )


def enhancement_ceiling(
    allowance: EnhancementAllowance,
    params: EnhancementParams,
    *,
    method_rate: np.ndarray | float,
) -> np.ndarray:
    """Largest gain (dex) an allowance can give: a fresh run with ``(1 + f)`` times the
    compute and the methods of the horizon, ``log10(1 + f) + method_rate * h +
    elicitation_headroom`` per draw."""
    f, h = resolved_allowance(allowance, params)
    return _ceiling(f, h, params, method_rate)


def enhancement_gain(
    allowance: EnhancementAllowance,
    params: EnhancementParams,
    *,
    method_rate: np.ndarray | float,
) -> np.ndarray:
    """Capability gain (dex of effective compute) from an allowed enhancement.

    Parameters
    ----------
    allowance
        What counts as an enhancement.
    params
        Enhancement parameter draws.
    method_rate
        Rate of method progress (dex/year) of the capability fit, per draw
        (:func:`riskmodel.capability.predict.method_rate_at_vintage`).

    Returns
    -------
    numpy.ndarray
        ``min(saturating, ceiling)`` (module docstring), dex >= 0, shape of the draws.
    """
    f, h = resolved_allowance(allowance, params)
    return gain_for(f, h, params, method_rate=method_rate)


def enhanced_capability(
    capability_draws: np.ndarray,
    allowance: EnhancementAllowance,
    params: EnhancementParams,
    *,
    method_rate: np.ndarray | float,
) -> np.ndarray:
    """Capability (dex of effective compute) after the allowed enhancement.

    Parameters
    ----------
    capability_draws
        Capability draws (dex); shape ``(n,)``.
    allowance
        What counts as an enhancement.
    params
        Enhancement parameter draws broadcastable to ``capability_draws``.
    method_rate
        Dex/year, broadcastable to ``capability_draws``.

    Returns
    -------
    numpy.ndarray
        ``capability_draws + gain``; non-decreasing in every allowance axis for every
        draw, and never above ``capability_draws + enhancement_ceiling(...)``.
    """
    return np.asarray(capability_draws, dtype=float) + enhancement_gain(
        allowance, params, method_rate=method_rate
    )
