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
    1% speed-up qualify and every model would be hazardous).

Harm categories
---------------
A bar names its ``harm`` category (:data:`HARM_CATEGORIES`). Uplift links and risk chains
are shipped for ``cyber`` only; CBRN or autonomy bars validate and plug into the same
interface (a link from capability to uplift plus, optionally, a risk chain), and
:func:`riskmodel.hazard.assess.assess` refuses them with a ConfigError until a model for
the category is registered in :data:`HARM_MODELS`.

The required probabilities (documented in ``data/hazard_bars.toml``)
--------------------------------------------------------------------
``raised``: P(uplift > 2 after an f = 0.25, 2-year enhancement) > 0.10 (the commentary).
``current``: P(P_enabled > 1%, unbounded enhancement) > 0.05: the bill puts the burden
on the developer to exclude hazardous capability with a reasonable margin of safety,
read as 95% confidence. Since the chain's parameters are independent of the capability
and the link, ``P_current >= P(U_unbounded > 2) * P(u*_chain <= 2) >= P_raised *
P(u*_chain <= 2)``; under the shipped priors ``P(u*_chain <= 2)`` is about 0.79
(:func:`chain_threshold_below`), above 0.05 / 0.10 = 0.5, so the raised bar cannot trigger
where the current one does not, up to Monte Carlo error. This is a consequence of the
shipped parameters, not a theorem: other priors can reverse it.
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

from riskmodel.errors import ConfigError
from riskmodel.hazard.enhancement import EnhancementAllowance
from riskmodel.uplift.elicitation import (
    FittedPrior,
    read_date,
    read_parameter,
    read_scalar,
    read_table,
    read_toml,
)

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
    "uplift_threshold",
    "chain_threshold_below",
]

_DATA = Path(__file__).resolve().parents[2] / "data"
#: Shipped bars.
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
)
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
            lines = []
            for err in exc.errors():
                where = ".".join(str(p) for p in err["loc"])
                msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
                lines.append(f"  '{key}.{where}': {msg}" if where else f"  '{key}': {msg}")
            raise ConfigError(f"invalid hazard bar in {origin}:\n" + "\n".join(lines)) from None
    return bars


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
    }
    for name, family in expected.items():
        if priors[name].family != family:
            raise ConfigError(f"{origin}: '{name}.family' must be {family}")
    return RiskChainPriors(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        priors=priors,
        **scalars,
    )


def _severity_tail(chain: RiskChainPriors, params: Mapping[str, Any]) -> np.ndarray:
    """P(damage >= damage_threshold_usd | success), lognormal tail."""
    z = (math.log(chain.damage_threshold_usd) - np.log(params["severity_median_usd"])) / params[
        "severity_sigma_log"
    ]
    return stats.norm.sf(z)


def incident_probability(
    uplift: np.ndarray, chain: RiskChainPriors, params: Mapping[str, Any]
) -> np.ndarray:
    """Probability (over ``exposure_years``) of >= 1 incident of damage >=
    ``damage_threshold_usd`` that happens only because of the model (module docstring).

    Parameters
    ----------
    uplift
        Speed-up factor(s) >= 1.
    params
        Chain parameter draws (:meth:`RiskChainPriors.sample`), broadcastable to ``uplift``.
    """
    p0 = params["baseline_success"]
    odds = p0 / (1.0 - p0) * np.asarray(uplift, dtype=float) ** params["uplift_elasticity"]
    excess = odds / (1.0 + odds) - p0
    rate = (
        params["attempts_per_year"]
        * params["adoption_share"]
        * excess
        * _severity_tail(chain, params)
        * chain.exposure_years
    )
    return -np.expm1(-rate)


def uplift_threshold(
    bar: HazardBar,
    *,
    chain: RiskChainPriors,
    params: Mapping[str, Any],
    size: int,
) -> np.ndarray:
    """Per-sample uplift ``u*`` above which ``bar``'s quantity exceeds its threshold.

    Returns
    -------
    numpy.ndarray
        Shape (size,), speed-up factors > 1 (``inf`` where the quantity can never exceed
        the threshold).
    """
    if bar.quantity == "uplift":
        return np.full(size, float(bar.threshold))
    legal = chain.legal_probability if bar.threshold is None else float(bar.threshold)
    p0 = np.asarray(params["baseline_success"], dtype=float)
    scale = (
        params["attempts_per_year"]
        * params["adoption_share"]
        * _severity_tail(chain, params)
        * chain.exposure_years
    )
    target = p0 - math.log1p(-legal) / scale
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (target / (1.0 - target)) / (p0 / (1.0 - p0))
        u_star = ratio ** (1.0 / params["uplift_elasticity"])
    u_star = np.maximum(u_star, chain.materiality_uplift)
    return np.broadcast_to(np.where(target < 1.0, u_star, np.inf), (size,)).astype(float)


def chain_threshold_below(
    uplift: float,
    *,
    chain: RiskChainPriors | None = None,
    seed: int = 0,
    n: int = CHAIN_CHECK_DRAWS,
) -> float:
    """Prior probability that the current bar's uplift threshold ``u*`` is <= ``uplift``.

    Used to document the relation between the raised and current bars (module docstring).
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
