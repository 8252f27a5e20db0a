"""Hazard bars: declarative rules on a posterior quantity, and the current bar's risk chain.

A :class:`HazardBar` says *which quantity*, *which threshold*, *with what probability*
and *under which enhancement allowance* a model counts as hazardous. Bars are data: the
shipped ``data/hazard_bars.toml`` holds ``raised`` and ``current``; users add their own
in a TOML file with the same layout (:func:`load_hazard_bars`), validated with a
:class:`~riskmodel.errors.ConfigError` naming the file and the key.

Quantities
----------
Every quantity is non-decreasing in uplift ``U`` (the speed-up of a competent offensive
team, :mod:`riskmodel.uplift`), so each bar's condition for one Monte Carlo sample is
``U > u*``, with a per-sample uplift threshold ``u*`` (:func:`uplift_threshold`):

``uplift``
    ``u* = threshold`` (e.g. 2.0: the team works more than twice as fast).
``incident_probability`` (the bill's current bar)
    The probability that the model materially enables at least one incident of damage
    >= ``damage_threshold_usd`` within ``exposure_years``; the condition is that it
    exceeds ``threshold`` (default: the legal-probability parameter). Risk chain, with
    parameters in ``data/elicitation/risk_chain_priors.toml``:

    * ``A`` serious attempts per year on critical infrastructure by capable actors;
    * success per attempt ``p(U)``: ``odds(p(U)) = odds(p0) * U**gamma`` (baseline
      ``p0`` without the model, elasticity ``gamma``);
    * a share ``a`` of attempts uses this model;
    * damage of a success ~ lognormal(median ``m`` USD, log-sd ``sigma``), so
      ``S = P(damage >= D) = 1 - Phi((ln D - ln m) / sigma)``;
    * incidents that happen only because of the model form a Poisson process (thinning)
      of rate ``lambda = A * a * (p(U) - p0) * S``, and
      ``P_enabled = 1 - exp(-lambda * T)`` ("significantly harder without it": only the
      excess over the baseline counts).

    ``P_enabled > L`` iff ``p(U) > p0 + Delta`` with ``Delta = -ln(1 - L) / (A a S T)``,
    so ``u* = (odds(p0 + Delta) / odds(p0))**(1 / gamma)``, infinite when
    ``p0 + Delta >= 1`` (the chain cannot reach ``L`` at any uplift). "Significantly
    harder without it" also needs a material contribution: ``u*`` is at least
    ``materiality_uplift`` (1.25, a legal reading; without it the chain's upper tail lets a
    1% speed-up qualify).

Counterfactual
--------------
A bar's ``counterfactual`` says what the uplift is measured against. ``"no_ai"``: no AI
at all (``U_ref = 1``; the raised bar, "accelerates competent teams more than 2x").
``"non_covered"`` (the current bar; the bill's "significantly more difficult to cause
without access to a covered model"): the uplift ``U_ref`` of the best model available
without a covered model (:func:`riskmodel.hazard.samples.reference_capability`). Only
the excess over the reference counts: an ``uplift`` bar needs ``U > threshold * U_ref``,
and the risk chain starts from the reference's success probability ``p(U_ref)``
(:func:`uplift_threshold`), so a model no better than the reference is never hazardous.

The record
----------
``[record]`` of the risk-chain file (:class:`WorldRecord`) holds what has been observed:
the count of >= $500M cyber incidents in a historical window and the number attributed
to AI since the first wide deployment of capable models (none up to the vintage). It
enters every hazard number as a likelihood (:mod:`riskmodel.hazard.samples`).

Harm categories
---------------
A bar names its ``harm`` category (:data:`HARM_CATEGORIES`). Uplift links and risk chains
are shipped for ``cyber`` only; CBRN or autonomy bars validate and plug into the same
interface (a link from capability to uplift plus, optionally, a risk chain), and
:func:`riskmodel.hazard.assess.assess` refuses them with a ConfigError until a model for
the category is registered in :data:`HARM_MODELS`.

The required probabilities (documented in ``data/hazard_bars.toml``)
--------------------------------------------------------------------
``raised``: P(uplift > 2 after an enhancement of < 25% extra FLOP and spending with the
methods of 2 years) > 0.10 (the commentary). ``current``: P(P_enabled > 1%, unbounded
enhancement, against the best non-covered model) > 0.05: the bill puts the burden on the
developer to exclude hazardous capability with a reasonable margin of safety, read as
95% confidence. The two bars measure different things (the raised bar against no AI,
the current one against the best non-covered model), so neither implies the other.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats

from riskmodel._io import (
    data_dir,
    read_date,
    read_scalar,
    read_table,
    read_toml,
    validation_problems,
)
from riskmodel._time import years_since
from riskmodel.errors import ConfigError
from riskmodel.hazard.enhancement import EnhancementAllowance
from riskmodel.uplift.elicitation import FittedPrior, read_parameter

__all__ = [
    "DEFAULT_BARS_PATH",
    "DEFAULT_RISK_CHAIN_PATH",
    "HARM_CATEGORIES",
    "HARM_MODELS",
    "QUANTITIES",
    "HazardBar",
    "RiskChainPriors",
    "load_hazard_bars",
    "load_risk_chain_priors",
    "incident_probability",
    "severity_tail",
    "success_probability",
    "uplift_threshold",
    "WorldRecord",
    "COUNTERFACTUALS",
    "chain_threshold_below",
]

_DATA = data_dir()
#: Shipped bars (``$RISKMODEL_DATA_DIR`` honoured, read at import).
DEFAULT_BARS_PATH = _DATA / "hazard_bars.toml"
#: Shipped risk-chain priors of the current bar.
DEFAULT_RISK_CHAIN_PATH = _DATA / "elicitation" / "risk_chain_priors.toml"
#: Harm categories a bar may name.
HARM_CATEGORIES = ("cyber", "cbrn", "autonomy")
#: Harm categories with a shipped model (uplift link + risk chain). Others are refused
#: at assessment time with a ConfigError.
HARM_MODELS = ("cyber",)
#: Quantities a bar may be about.
QUANTITIES = ("uplift", "incident_probability")
#: Parameter tables of the risk chain file.
CHAIN_PARAMETERS = (
    "attempts_per_year",
    "baseline_success",
    "uplift_elasticity",
    "adoption_share",
    "severity_median_usd",
    "severity_sigma_log",
    "noncovered_lag_years",
    "attribution_probability",
)
#: Counterfactuals a bar may measure uplift against (:mod:`riskmodel.hazard.counterfactual`).
COUNTERFACTUALS = ("no_ai", "non_covered")
#: Fixed policy scalars of the risk chain file (``[policy]``).
POLICY_SCALARS = (
    "damage_threshold_usd",
    "legal_probability",
    "materiality_uplift",
    "exposure_years",
)
#: Bar names (they appear in result tables, so never a spreadsheet formula).
_BAR_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_\-]{0,63}")
#: Default number of draws used by :func:`chain_threshold_below`.
CHAIN_CHECK_DRAWS = 20000


class HazardBar(BaseModel):
    """A hazard bar: a declarative rule on a posterior quantity.

    Attributes
    ----------
    name
        Identifier (the TOML table name).
    harm
        Harm category, one of :data:`HARM_CATEGORIES`.
    quantity
        ``"uplift"`` (speed-up factor of a competent team) or ``"incident_probability"``
        (probability of materially enabling a >= $500M incident; the risk chain).
    threshold
        The quantity must exceed this: a speed-up factor > 1 for ``uplift``; a
        probability in (0, 1) for ``incident_probability`` (``None``: the chain's
        ``legal_probability``).
    required_probability
        The bar triggers when the posterior probability of the condition exceeds this.
    enhancement
        Default enhancement allowance (overridable per assessment).
    counterfactual
        What the uplift is measured against: ``"no_ai"`` (no AI at all) or
        ``"non_covered"`` (the best model available without a covered model; the bill's
        "significantly more difficult to cause without access to a covered model").
    description, source
        What the bar means and where it comes from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    harm: Literal["cyber", "cbrn", "autonomy"]
    quantity: Literal["uplift", "incident_probability"]
    threshold: float | None = Field(default=None, allow_inf_nan=False)
    required_probability: float = Field(gt=0.0, lt=1.0)
    enhancement: EnhancementAllowance = EnhancementAllowance.unbounded()
    counterfactual: Literal["no_ai", "non_covered"] = "no_ai"
    description: str = Field(min_length=1)
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _check_threshold(self) -> HazardBar:
        if self.quantity == "uplift":
            if self.threshold is None or not self.threshold > 1.0:
                raise ValueError("an uplift threshold must be a speed-up factor above 1")
        elif self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ValueError("an incident_probability threshold must lie in (0, 1)")
        return self


def load_hazard_bars(path: str | Path | None = None) -> dict[str, HazardBar]:
    """Bars from a TOML file (``[bars.<name>]`` tables), parsed as data only.

    Each table has ``harm``, ``quantity``, ``threshold`` (optional for
    ``incident_probability``), ``required_probability``, ``description``, ``source`` and
    an optional ``enhancement`` table ``{flop_fraction = .., horizon_years = ..}`` whose
    values may be ``"unbounded"`` (the default).

    Raises
    ------
    ConfigError
        Naming the file and the dotted key (e.g. ``bars.raised.required_probability``).
    """
    path = Path(path) if path is not None else DEFAULT_BARS_PATH
    origin = str(path)
    data = read_toml(path, "hazard bars")
    read_scalar(data, "version", origin, str)
    for key in data:
        if key not in ("version", "updated", "bars"):
            raise ConfigError(f"{origin}: unknown key '{key}'")
    tables = read_table(data, "bars", origin)
    if not tables:
        raise ConfigError(f"{origin}: 'bars' defines no bar")
    bars: dict[str, HazardBar] = {}
    for name, table in tables.items():
        key = f"bars.{name}"
        if not _BAR_NAME.fullmatch(name):
            raise ConfigError(
                f"{origin}: '{key}': a bar name must start with a letter, then letters, digits, "
                "'_' or '-' (it is written to result tables)"
            )
        if not isinstance(table, Mapping):
            raise ConfigError(f"{origin}: '{key}' must be a table")
        fields = dict(table)
        if "name" in fields:
            raise ConfigError(
                f"{origin}: unknown key '{key}.name' (a bar's name is its table name)"
            )
        if "enhancement" in fields:
            fields["enhancement"] = EnhancementAllowance.parse(
                fields["enhancement"], origin=origin, key=f"{key}.enhancement"
            )
        try:
            bars[name] = HazardBar(name=name, **fields)
        except ValidationError as exc:
            lines = validation_problems(exc, prefix=key)
            raise ConfigError(
                f"invalid hazard bar in {origin}:\n" + "\n".join(f"  {line}" for line in lines)
            ) from None
    return bars


@dataclass(frozen=True)
class WorldRecord:
    """What has been observed about the world (``[record]`` of the risk-chain file).

    Attributes
    ----------
    incident_window_start, incident_window_end
        Window (YYYY-MM-DD) of the historical incident count.
    incidents
        Cyber incidents of damage >= the threshold in that window (count).
    ai_incidents
        Such incidents attributed to AI from ``ai_record_start`` to the data vintage.
    ai_record_start
        Start (YYYY-MM-DD) of the AI record.
    """

    incident_window_start: str
    incident_window_end: str
    incidents: int
    ai_incidents: int
    ai_record_start: str

    @property
    def incident_window_years(self) -> float:
        """Length of the historical window in years (:func:`riskmodel._time.years_since`)."""
        return float(years_since(self.incident_window_end, self.incident_window_start))


@dataclass(frozen=True)
class RiskChainPriors:
    """The validated risk-chain file.

    Attributes
    ----------
    path, version, updated, data_vintage
        Provenance.
    damage_threshold_usd
        Damage of a single incident that counts (USD).
    legal_probability
        Probability of materially enabling such an incident that makes a model
        hazardous (the default threshold of ``incident_probability`` bars).
    materiality_uplift
        Smallest speed-up that counts as "significantly more difficult without it"
        (the incident condition also requires ``U > materiality_uplift``).
    exposure_years
        Deployment window over which the incident probability is computed (years).
    covered_flop
        Training compute (FLOP) from which a model is covered: the ``non_covered``
        counterfactual's models lie below it.
    record
        The observed record of incidents (:class:`WorldRecord`).
    priors
        Fitted priors of :data:`CHAIN_PARAMETERS`.
    """

    path: str
    version: str
    updated: str
    data_vintage: str
    damage_threshold_usd: float
    legal_probability: float
    materiality_uplift: float
    exposure_years: float
    covered_flop: float
    record: WorldRecord
    priors: dict[str, FittedPrior]

    def sample(self, *, rng: np.random.Generator, size: int | tuple[int, ...]) -> dict:
        """Independent prior draws of every chain parameter, keyed by name."""
        return {name: self.priors[name].sample(rng=rng, size=size) for name in CHAIN_PARAMETERS}


def load_risk_chain_priors(path: str | Path | None = None) -> RiskChainPriors:
    """Load, validate and fit ``risk_chain_priors.toml``.

    Raises
    ------
    ConfigError
        Naming the file and the dotted key.
    """
    path = Path(path) if path is not None else DEFAULT_RISK_CHAIN_PATH
    origin = str(path)
    data = read_toml(path, "risk chain priors")
    version = read_scalar(data, "version", origin, str)
    updated = read_date(data, "updated", origin)
    vintage = read_date(data, "data_vintage", origin)
    policy = read_table(data, "policy", origin)
    scalars = {}
    for name in POLICY_SCALARS:
        scalars[name] = read_scalar(policy, f"policy.{name}", origin, float)
        read_scalar(policy, f"policy.{name}_rationale", origin, str)
        if not scalars[name] > 0:
            raise ConfigError(f"{origin}: 'policy.{name}' must be positive, got {scalars[name]}")
    if not scalars["materiality_uplift"] >= 1:
        raise ConfigError(f"{origin}: 'policy.materiality_uplift' must be >= 1 (a speed-up)")
    if not scalars["legal_probability"] < 1:
        raise ConfigError(f"{origin}: 'policy.legal_probability' must lie in (0, 1)")
    counterfactual = read_table(data, "counterfactual", origin)
    covered_flop = read_scalar(counterfactual, "counterfactual.covered_flop", origin, float)
    read_scalar(counterfactual, "counterfactual.covered_flop_rationale", origin, str)
    if not covered_flop > 0:
        raise ConfigError(f"{origin}: 'counterfactual.covered_flop' must be positive")
    record = _read_record(read_table(data, "record", origin), origin)
    priors = {
        name: read_parameter(read_table(data, name, origin), name, origin)
        for name in CHAIN_PARAMETERS
    }
    expected = {
        "attempts_per_year": "lognormal",
        "baseline_success": "logitnormal",
        "uplift_elasticity": "lognormal",
        "adoption_share": "logitnormal",
        "severity_median_usd": "lognormal",
        "severity_sigma_log": "lognormal",
        "noncovered_lag_years": "lognormal",
        "attribution_probability": "logitnormal",
    }
    for name, family in expected.items():
        if priors[name].family != family:
            raise ConfigError(f"{origin}: '{name}.family' must be {family}")
    return RiskChainPriors(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        covered_flop=covered_flop,
        record=record,
        priors=priors,
        **scalars,
    )


def _read_record(table: Mapping[str, Any], origin: str) -> WorldRecord:
    counts = {}
    for name in ("incidents", "ai_incidents"):
        value = table.get(name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(
                f"{origin}: 'record.{name}' must be a whole number >= 0, got {value!r}"
            )
        counts[name] = value
    for name in ("incidents_rationale", "ai_record_rationale"):
        read_scalar(table, f"record.{name}", origin, str)
    dates = {
        name: read_date(table, name, origin)
        for name in ("incident_window_start", "incident_window_end", "ai_record_start")
    }
    if not dates["incident_window_start"] < dates["incident_window_end"]:
        raise ConfigError(
            f"{origin}: 'record.incident_window_end' must be after 'record.incident_window_start'"
        )
    known = {"incidents", "ai_incidents", "incidents_rationale", "ai_record_rationale", *dates}
    for name in table:
        if name not in known:
            raise ConfigError(f"{origin}: unknown key 'record.{name}'")
    return WorldRecord(**dates, **counts)


def severity_tail(chain: RiskChainPriors, params: Mapping[str, Any]) -> np.ndarray:
    """P(damage >= damage_threshold_usd | success), lognormal tail."""
    z = (math.log(chain.damage_threshold_usd) - np.log(params["severity_median_usd"])) / params[
        "severity_sigma_log"
    ]
    return stats.norm.sf(z)


def success_probability(p0: Any, uplift: Any, gamma: Any) -> np.ndarray:
    """Success probability per attempt with uplift ``U``: ``odds^-1(odds(p0) U**gamma)``."""
    odds = p0 / (1.0 - p0) * np.asarray(uplift, dtype=float) ** gamma
    return odds / (1.0 + odds)


def incident_probability(
    uplift: np.ndarray,
    chain: RiskChainPriors,
    params: Mapping[str, Any],
    *,
    reference_uplift: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Probability (over ``exposure_years``) of >= 1 incident of damage >=
    ``damage_threshold_usd`` that happens only because of the model (module docstring).

    Parameters
    ----------
    uplift
        Speed-up factor(s) >= 1 with the model.
    params
        Chain parameter draws (:meth:`RiskChainPriors.sample`), broadcastable to ``uplift``.
    reference_uplift
        Speed-up already available without the model (the counterfactual; 1 = no AI).
        Only incidents beyond those of the reference count.
    """
    p0 = params["baseline_success"]
    gamma = params["uplift_elasticity"]
    with_model = success_probability(p0, uplift, gamma)
    excess = with_model - success_probability(p0, reference_uplift, gamma)
    # Exactly zero at or below the reference: the difference of two rounded odds can be
    # a few ulp above zero when ``uplift`` is one ulp below ``reference_uplift``.
    excess = np.where(np.asarray(uplift) > np.asarray(reference_uplift), excess, 0.0)
    rate = (
        params["attempts_per_year"]
        * params["adoption_share"]
        * np.maximum(excess, 0.0)
        * severity_tail(chain, params)
        * chain.exposure_years
    )
    return -np.expm1(-rate)


def uplift_threshold(
    bar: HazardBar,
    *,
    chain: RiskChainPriors,
    params: Mapping[str, Any],
    size: int,
    reference_uplift: np.ndarray | float = 1.0,
) -> np.ndarray:
    """Per-sample uplift ``u*`` above which ``bar``'s quantity exceeds its threshold.

    With a reference uplift ``U_ref`` (the counterfactual's), the quantity is measured
    relative to it: an ``uplift`` bar needs ``U > threshold * U_ref``; the risk chain
    starts from the reference's success probability ``p_ref = p(U_ref)``, so
    ``u* = U_ref * max((odds(p_ref + Delta) / odds(p_ref))**(1 / gamma), materiality)``.

    Returns
    -------
    numpy.ndarray
        Shape (size,), speed-up factors > 1 (``inf`` where the quantity can never exceed
        the threshold).
    """
    reference = np.broadcast_to(np.asarray(reference_uplift, dtype=float), (size,))
    if bar.quantity == "uplift":
        return np.asarray(float(bar.threshold) * reference, dtype=float)
    legal = chain.legal_probability if bar.threshold is None else float(bar.threshold)
    p0 = np.asarray(params["baseline_success"], dtype=float)
    gamma = params["uplift_elasticity"]
    p_ref = success_probability(p0, reference, gamma)
    scale = (
        params["attempts_per_year"]
        * params["adoption_share"]
        * severity_tail(chain, params)
        * chain.exposure_years
    )
    target = p_ref - math.log1p(-legal) / scale
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = (target / (1.0 - target)) / (p_ref / (1.0 - p_ref))
        u_star = ratio ** (1.0 / gamma)
    u_star = np.maximum(u_star, chain.materiality_uplift) * reference
    return np.broadcast_to(np.where(target < 1.0, u_star, np.inf), (size,)).astype(float)


def chain_threshold_below(
    uplift: float,
    *,
    chain: RiskChainPriors | None = None,
    seed: int = 0,
    n: int = CHAIN_CHECK_DRAWS,
) -> float:
    """Prior probability that the current bar's uplift threshold ``u*`` is <= ``uplift``.

    Against no AI (``U_ref = 1``): how large a speed-up the chain needs, before any
    counterfactual reference; shown in notebook 04.
    """
    chain = chain or load_risk_chain_priors()
    bar = HazardBar(
        name="check",
        harm="cyber",
        quantity="incident_probability",
        required_probability=0.5,
        description="check",
        source="check",
    )
    params = chain.sample(rng=np.random.default_rng(seed), size=n)
    return float(np.mean(uplift_threshold(bar, chain=chain, params=params, size=n) <= uplift))
