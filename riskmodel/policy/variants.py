"""Policy variants as data: the rules of each SB-1047 variant, validated.

A variant is a TOML file. The shipped variants live in ``riskmodel/policy/variants/``
(:data:`VARIANTS_DIR`); each is merged over ``defaults.toml`` in that folder (table by
table, the variant's keys win), so a variant states only what differs and costs stay
comparable across variants. Every rule carries an ``annotation``: the bill section or
commentary proposal it encodes. A user variant file has the same layout and is loaded
with :func:`load_variant`; unknown keys, wrong types and impossible values raise
:class:`~riskmodel.errors.ConfigError` naming the file and the dotted key.

Rules (see :mod:`riskmodel.policy.engine` for how they are applied)
---------------------------------------------------------------------
``[covered]``
    ``flop_threshold`` (FLOP; a model trained with *more* than this is covered),
    optional ``cost_threshold_usd`` (the enrolled text: covered only if the training cost
    also exceeds it), optional ``performance_equivalent_year`` (early drafts, 22602(f)(1)
    as introduced: also covered if its capability reaches that of a model "trained using
    ... greater than 10^26 ... operations in 2024"), with ``performance_equivalent_flop``
    (that model's FLOP; default ``flop_threshold``) and
    ``performance_equivalent_reference``: ``"best"`` (default; the best performance
    reachable with those FLOP and the methods of the year, to 31 December) or
    ``"typical"`` (a typical model of 1 January of the year, the earlier reading); see
    :mod:`riskmodel.policy.equivalence`.
``[derivatives]``
    ``rule``: ``"unlimited"`` (a modified copy is never a new covered model: the loophole),
    ``"fraction_limit"`` (commentary proposal 2: a modification using more than
    ``max_flop_fraction`` of the parent's FLOP or ``max_cost_fraction`` of its cost is a
    new model) or ``"finetune_threshold"`` (the enrolled text: a fine-tune of a covered
    model with at least ``finetune_flop_threshold`` FLOP and more than
    ``finetune_cost_threshold_usd`` is covered).
``[lde]``
    ``pretraining``: ``"none"`` (removed), ``"all"`` (lower on all benchmarks, the bill),
    ``"mean"`` or ``"share"`` (relaxed); with ``n_benchmarks``, ``noise_sd`` (dex),
    ``margin`` (dex), ``share`` and ``correlation`` of the benchmark comparison
    (:mod:`riskmodel.policy.lde`); ``safety_case``: whether a post-testing safety case
    (assessed hazard probability at most the bar's required probability) exempts;
    ``reference_includes_exempt`` (default true): whether the model a pre-training claim
    is compared with may be an earlier covered model that is exempt (the bill: "an
    existing noncovered or exempt model") or only a non-covered one (false, the reading
    used before; kept for sensitivity runs).
``[hazard]``
    ``bar`` (a name in ``data/hazard_bars.toml``) and its ``enhancement`` allowance.
``[obligations]``
    Costs (USD) of the safety and testing protocol (fixed plus a fraction of training
    cost), of safeguards for a model found hazardous, of an LDE claim and of a safety
    case; ``open_weights_blocked_if``: ``"hazardous"`` (a covered, non-exempt model found
    hazardous cannot be released with open weights) or ``"covered"`` (any covered,
    non-exempt model).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from riskmodel._io import read_toml, validation_problems
from riskmodel.config import merge_overrides
from riskmodel.errors import ConfigError
from riskmodel.evidence.schema import FLOP_PLAUSIBLE_MIN
from riskmodel.hazard.enhancement import EnhancementAllowance

if TYPE_CHECKING:
    from riskmodel.hazard.inputs import HazardInputs

__all__ = [
    "VARIANTS_DIR",
    "DEFAULTS_FILE",
    "SHIPPED_VARIANTS",
    "PolicyVariant",
    "load_variant",
    "load_variants",
    "check_variant_bars",
    "variant_hash",
    "variant_toml",
]

#: Folder of the shipped variant files (package data).
VARIANTS_DIR = Path(__file__).resolve().parent / "variants"
#: Defaults every variant is merged over.
DEFAULTS_FILE = VARIANTS_DIR / "defaults.toml"
#: Shipped variants in the order of DOMAIN.md's table.
SHIPPED_VARIANTS = (
    "as_introduced",
    "as_amended",
    "enrolled",
    "commentary",
    "commentary_raised_bar",
)


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    annotation: str = Field(min_length=1)


def _plain_flop(value: float | None) -> float | None:
    """Refuse FLOP thresholds that are probably log10 FLOP or in other units."""
    if value is not None and value < FLOP_PLAUSIBLE_MIN:
        raise ValueError(
            f"{value:g} FLOP is implausibly small (below {FLOP_PLAUSIBLE_MIN:g}); it looks "
            "like log10 FLOP or another unit: write plain FLOP, e.g. 1e26"
        )
    return value


class CoveredRule(_Rule):
    """The covered-model test.

    Attributes
    ----------
    flop_threshold
        FLOP; a model trained with more is covered.
    cost_threshold_usd
        USD; if set, the training cost must also exceed it (the enrolled text).
    performance_equivalent_year
        Year ``Y`` of the performance-equivalence test (None: no such test). SB-1047 as
        introduced, 22602(f)(1): covered also if it "could reasonably be expected to have
        similar performance" to a model "trained using a quantity of computing power
        greater than 10^26 integer or floating-point operations in 2024": ``Y = 2024``.
    performance_equivalent_flop
        Training FLOP ``F`` of that comparison model (the same clause: 10^26); None: the
        ``flop_threshold``. Only with ``performance_equivalent_year``.
    performance_equivalent_reference
        ``"best"`` (default): the comparison model has the best performance reachable
        with ``F`` FLOP and the methods of ``Y`` (method progress to the end of 31
        December of ``Y``, plus the reasoning gain if reasoning-trained models existed by
        then; no model-specific scatter). ``"typical"``: a typical ``F``-FLOP model
        released on 1 January of ``Y`` (the reading used before; for sensitivity runs).
        See :mod:`riskmodel.policy.equivalence`.
    """

    flop_threshold: float = Field(gt=0.0, allow_inf_nan=False)
    cost_threshold_usd: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    performance_equivalent_year: int | None = Field(default=None, ge=2015, le=2100)
    performance_equivalent_flop: float | None = Field(default=None, gt=0.0, allow_inf_nan=False)
    performance_equivalent_reference: Literal["best", "typical"] = "best"

    _flop = field_validator("flop_threshold", "performance_equivalent_flop")(_plain_flop)

    @model_validator(mode="after")
    def _flop_needs_year(self) -> CoveredRule:
        if (
            self.performance_equivalent_flop is not None
            and self.performance_equivalent_year is None
        ):
            raise ValueError(
                "'performance_equivalent_flop' needs 'performance_equivalent_year' (the "
                "year of the comparison model)"
            )
        return self


class DerivativeRule(_Rule):
    """When a modified copy of a model is itself a covered model."""

    rule: Literal["unlimited", "fraction_limit", "finetune_threshold"]
    max_flop_fraction: float | None = Field(default=None, gt=0.0, allow_inf_nan=False)
    max_cost_fraction: float | None = Field(default=None, gt=0.0, allow_inf_nan=False)
    finetune_flop_threshold: float | None = Field(default=None, gt=0.0, allow_inf_nan=False)
    finetune_cost_threshold_usd: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)

    _flop = field_validator("finetune_flop_threshold")(_plain_flop)

    @model_validator(mode="after")
    def _needs(self) -> DerivativeRule:
        need = {
            "fraction_limit": ("max_flop_fraction", "max_cost_fraction"),
            "finetune_threshold": ("finetune_flop_threshold", "finetune_cost_threshold_usd"),
        }.get(self.rule, ())
        for name in need:
            if getattr(self, name) is None:
                raise ValueError(f"rule '{self.rule}' needs '{name}'")
        return self


class LdeRule(_Rule):
    """The limited duty exemption.

    Attributes
    ----------
    pretraining, n_benchmarks, noise_sd, margin, share, correlation
        The pre-training benchmark comparison (``"none"``: no pre-training LDE); see
        :func:`riskmodel.policy.lde.pass_probability` (``noise_sd`` and ``margin`` in dex).
    safety_case
        Whether a post-testing safety case exempts a model not found hazardous.
    reference_includes_exempt
        What a pre-training claim is compared with. True (default): the most capable
        earlier model of the world that is *non-covered or exempt*, as in SB-1047 as
        introduced, 22603(a): lower performance than "an existing noncovered or exempt
        model"; a covered model that obtained the exemption (before training or by the
        safety case) is a reference for later claims. False: only non-covered models
        (the engine's rule before this option existed), for sensitivity runs comparing
        the two readings. See :mod:`riskmodel.policy.engine`, rule 3.
    """

    pretraining: Literal["none", "all", "mean", "share"]
    n_benchmarks: int = Field(ge=1, le=1000)
    noise_sd: float = Field(gt=0.0, allow_inf_nan=False)
    margin: float = Field(default=0.0, allow_inf_nan=False)
    share: float = Field(default=0.5, gt=0.0, le=1.0)
    correlation: float = Field(default=0.0, ge=0.0, lt=1.0)
    safety_case: bool
    reference_includes_exempt: bool = True


class HazardRule(_Rule):
    """Which hazard bar decides "hazardous", with its enhancement allowance."""

    bar: str = Field(min_length=1)
    enhancement: EnhancementAllowance


class Obligations(_Rule):
    """Costs of the obligations (USD) and the open-weight rule."""

    protocol_cost_usd: float = Field(ge=0.0, allow_inf_nan=False)
    protocol_cost_fraction: float = Field(ge=0.0, le=10.0, allow_inf_nan=False)
    safeguards_cost_usd: float = Field(ge=0.0, allow_inf_nan=False)
    lde_claim_cost_usd: float = Field(ge=0.0, allow_inf_nan=False)
    safety_case_cost_usd: float = Field(ge=0.0, allow_inf_nan=False)
    open_weights_blocked_if: Literal["hazardous", "covered"]
    cost_sources: str = Field(min_length=1)

    @model_validator(mode="after")
    def _attempts_within_protocol(self) -> Obligations:
        if self.lde_claim_cost_usd + self.safety_case_cost_usd > self.protocol_cost_usd:
            raise ValueError(
                "lde_claim_cost_usd + safety_case_cost_usd must not exceed protocol_cost_usd "
                "(a failed exemption attempt is part of the protocol's testing)"
            )
        return self


class PolicyVariant(BaseModel):
    """One policy variant: every rule the engine applies.

    Attributes
    ----------
    name, title, source
        Identifier (the file stem), a readable title, and what it encodes.
    covered, derivatives, lde, hazard, obligations
        The rules (see the module docstring).
    path
        File it was loaded from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # written to result tables: never starts like a spreadsheet formula
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")
    title: str = Field(min_length=1)
    source: str = Field(min_length=1)
    covered: CoveredRule
    derivatives: DerivativeRule
    lde: LdeRule
    hazard: HazardRule
    obligations: Obligations
    path: str = ""

    def rules_dict(self) -> dict[str, Any]:
        """JSON-ready rules (without the path), for provenance and hashing."""
        return self.model_dump(mode="json", exclude={"path"})


def _read(path: Path) -> dict[str, Any]:
    return read_toml(path, "variant")


def _enhancement(raw: dict[str, Any], origin: str) -> dict[str, Any]:
    hazard = raw.get("hazard")
    if isinstance(hazard, dict) and "enhancement" in hazard:
        hazard = dict(hazard)
        hazard["enhancement"] = EnhancementAllowance.parse(
            hazard["enhancement"], origin=origin, key="hazard.enhancement"
        )
        raw = {**raw, "hazard": hazard}
    return raw


def check_variant_bars(
    variants: list[PolicyVariant], bars: Mapping[str, Any], *, source: str
) -> None:
    """Refuse a variant whose ``hazard.bar`` is not among ``bars`` (the bars in use).

    Parameters
    ----------
    variants
        Loaded variants (from files or edited in memory).
    bars
        Hazard bars by name, e.g. ``HazardInputs.bars`` of the run.
    source
        Where ``bars`` come from (a file), for the message.

    Raises
    ------
    ConfigError
        Naming the variant (and its file), the unknown bar and the bars defined.
    """
    for variant in variants:
        if variant.hazard.bar not in bars:
            origin = variant.path or f"variant '{variant.name}'"
            raise ConfigError(
                f"{origin}: 'hazard.bar' names unknown bar '{variant.hazard.bar}'; "
                f"defined in {source}: {', '.join(bars)}"
            )


def _bars_in_use(inputs: HazardInputs | None) -> tuple[Mapping[str, Any], str]:
    """The hazard bars of ``inputs`` and their file; ``None``: the shipped bar file only
    (not every shipped input)."""
    if inputs is not None:
        return inputs.bars, inputs.bars_source
    from riskmodel.hazard.bars import DEFAULT_BARS_PATH, load_hazard_bars

    return load_hazard_bars(), str(DEFAULT_BARS_PATH)


def load_variant(
    path: str | Path,
    *,
    defaults: str | Path | None = DEFAULTS_FILE,
    inputs: HazardInputs | None = None,
) -> PolicyVariant:
    """Load and validate one variant file, merged over ``defaults``.

    Parameters
    ----------
    path
        Variant TOML file; its stem is the variant's name unless it sets ``name``.
    defaults
        Defaults file merged under the variant; ``None`` for none.
    inputs
        The hazard inputs in use: the variant's ``hazard.bar`` must be one of their bars;
        ``None``: of the shipped bar file.

    Raises
    ------
    ConfigError
        Naming the file and the dotted key of the first problem.
    """
    path = Path(path)
    origin = str(path)
    raw = _read(path)
    if not raw:
        raise ConfigError(f"{origin}: the variant file is empty (no title, source or rules)")
    if defaults is not None:
        raw = merge_overrides(_read(Path(defaults)), raw)
    if "path" in raw:
        raise ConfigError(f"{origin}: 'path': unknown key")
    raw.setdefault("name", path.stem)
    raw = _enhancement(raw, origin)
    try:
        variant = PolicyVariant(**raw, path=origin)
    except ValidationError as exc:
        raise ConfigError(f"{origin}: " + "; ".join(validation_problems(exc, limit=5))) from None
    bars, source = _bars_in_use(inputs)
    check_variant_bars([variant], bars, source=source)
    if variant.covered.performance_equivalent_year is not None and not math.isfinite(
        variant.covered.flop_threshold
    ):
        raise ConfigError(f"{origin}: 'covered.flop_threshold' must be finite")
    return variant


def load_variants(
    names: str | list[str] | tuple[str, ...] = "all",
    *,
    inputs: HazardInputs | None = None,
) -> list[PolicyVariant]:
    """Shipped variants by name (``"all"`` or a list), or user files by path.

    ``inputs``: the hazard inputs in use, as for :func:`load_variant`.

    Raises
    ------
    ConfigError
        For an unknown name (listing the shipped ones) or a bad file.
    """
    if names == "all":
        names = list(SHIPPED_VARIANTS)
    elif isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    if not names:
        raise ConfigError("no policy variant selected")
    variants = []
    for name in names:
        candidate = Path(name)
        if candidate.suffix == ".toml" or candidate.exists():
            variants.append(load_variant(candidate, inputs=inputs))
        elif (VARIANTS_DIR / f"{name}.toml").exists() and name != DEFAULTS_FILE.stem:
            variants.append(load_variant(VARIANTS_DIR / f"{name}.toml", inputs=inputs))
        else:
            raise ConfigError(
                f"unknown policy variant '{name}'; shipped: {', '.join(SHIPPED_VARIANTS)} "
                "(or give a path to a .toml variant file)"
            )
    seen: set[str] = set()
    for variant in variants:
        if variant.name in seen:
            raise ConfigError(f"policy variant '{variant.name}' selected twice")
        seen.add(variant.name)
    return variants


def variant_hash(variant: PolicyVariant) -> str:
    """SHA-256 of the variant's rules (canonical JSON)."""
    text = json.dumps(variant.rules_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        inner = ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + inner + " }"
    raise ConfigError(f"cannot write {value!r} to a variant file")


def variant_toml(variant: PolicyVariant) -> str:
    """The variant as a complete variant file (TOML text) that loads back to the same rules.

    An unbounded enhancement axis is written as ``"unbounded"``; unset optional rules
    are left out.
    """
    data = variant.rules_dict()
    hazard = dict(data["hazard"])
    hazard["enhancement"] = {
        k: ("unbounded" if v is None else v) for k, v in hazard["enhancement"].items()
    }
    data["hazard"] = hazard
    lines = [
        f"{key} = {_toml_value(value)}"
        for key, value in data.items()
        if not isinstance(value, Mapping) and value is not None
    ]
    for key, table in data.items():
        if isinstance(table, Mapping):
            lines += ["", f"[{key}]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines) + "\n"
