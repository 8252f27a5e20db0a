"""Elicited priors of the uplift links: load, validate and fit distributions to quantiles.

The elicitation file (default ``data/elicitation/uplift_priors.toml``) is parsed as data
only with :mod:`tomllib`. Each parameter table states quantiles (``q05``, ``q50``,
``q95``; any ``qNN`` keys are accepted, at least two) in its units, a ``family``, a
``rationale`` and a ``source`` or ``elicited = true``. Every problem raises a
:class:`~riskmodel.errors.ConfigError` naming the file and the dotted key.

Fitting. Every family is a normal distribution on a transformed scale
(``normal``: x; ``lognormal``: ln x; ``lognormal_above_one``: ln(x - 1);
``logitnormal``: logit x). The location and scale are the least-squares line of the
transformed quantile values on the standard-normal quantiles of their levels, a closed
form. PreliZ's ``quartile`` accepts only the 25/50/75% quantiles and ``maxent`` matches
one interval's mass rather than three quantiles, so they do not fit this elicitation
format; the closed form is exact whenever the quantiles are symmetric on the transformed
scale. The mismatch (largest absolute error in cumulative probability at the elicited
values) is recorded on every fitted prior and shown by :func:`prior_table`.

Because each fitted prior is ``inverse_transform(mu + sigma * z)`` with ``z`` standard
normal, the PyMC model (:mod:`riskmodel.uplift.model`) uses exactly the same
distributions, non-centred.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit

from riskmodel._io import data_dir, read_date, read_scalar, read_table, read_toml
from riskmodel.errors import ConfigError

__all__ = [
    "DEFAULT_ELICITATION_PATH",
    "FAMILIES",
    "LINK_NAMES",
    "CYBER_REFERENCE_SUITES",
    "QUANTILE_TOLERANCE",
    "FittedPrior",
    "ElicitedPriors",
    "fit_quantiles",
    "load_uplift_priors",
    "prior_table",
    "read_toml",
    "read_table",
    "read_scalar",
    "read_parameter",
    "read_date",
]

#: Shipped elicitation file (``$RISKMODEL_DATA_DIR`` honoured, read at import).
DEFAULT_ELICITATION_PATH = data_dir() / "elicitation" / "uplift_priors.toml"

Family = Literal["normal", "lognormal", "lognormal_above_one", "logitnormal"]
#: Supported families and the open interval of their support (lower, upper).
FAMILIES: dict[str, tuple[float, float]] = {
    "normal": (-math.inf, math.inf),
    "lognormal": (0.0, math.inf),
    "lognormal_above_one": (1.0, math.inf),
    "logitnormal": (0.0, 1.0),
}
#: Names by which a link is selected (see :mod:`riskmodel.uplift.links`).
LINK_NAMES = ("amdahl", "direct")
#: Cyber task suites of the benchmark registry that can serve as the Amdahl reference
#: (professional or competition CTF; see ``data/benchmarks.csv``).
CYBER_REFERENCE_SUITES = ("cybench", "nyu_ctf", "intercode_ctf")
#: Largest acceptable error in cumulative probability between an elicited quantile and
#: the fitted distribution before the fit is flagged as a poor match (``FittedPrior.ok``).
QUANTILE_TOLERANCE = 0.02

#: Parameter tables every elicitation file must provide, by section.
AMDAHL_PARAMETERS = (
    "task_length_median",
    "task_length_spread",
    "speed_advantage",
    "reliability_threshold",
    "realism_offset",
)
DIRECT_PARAMETERS = ("uplift_at_low", "uplift_at_high")
TRANSFER_PARAMETERS = ("software_to_cyber",)
HETEROGENEITY_PARAMETERS = ("between_study_sd",)
#: Overhead of using a model, shared by both links (``overhead.<name>``).
OVERHEAD_PARAMETERS = ("time_fraction",)
_QUANTILE_KEY = re.compile(r"^q(\d{2})$")


def _transform(family: str, x: np.ndarray) -> np.ndarray:
    """Map values to the scale on which ``family`` is normal."""
    x = np.asarray(x, dtype=float)
    if family == "normal":
        return x
    if family == "lognormal":
        return np.log(x)
    if family == "lognormal_above_one":
        return np.log(x - 1.0)
    return logit(x)


def _inverse(family: str, y: Any, *, ops: Any = np) -> Any:
    """Inverse of :func:`_transform`; ``ops`` is ``numpy`` or ``pytensor.tensor``."""
    if family == "normal":
        return y
    if family == "lognormal":
        return ops.exp(y)
    if family == "lognormal_above_one":
        return 1.0 + ops.exp(y)
    return expit(y) if ops is np else ops.sigmoid(y)


@dataclass(frozen=True)
class FittedPrior:
    """A distribution fitted to elicited quantiles.

    Attributes
    ----------
    name
        Dotted key in the elicitation file (e.g. ``amdahl.speed_advantage``).
    family
        One of :data:`FAMILIES`; normal on the transformed scale.
    mu, sigma
        Location and scale on the transformed scale.
    levels, values
        Elicited quantile levels (probabilities) and values (in ``units``).
    fitted_values
        Quantiles of the fitted distribution at ``levels`` (in ``units``).
    max_prob_error
        Largest ``|F(value) - level|`` over the elicited quantiles.
    units, rationale, source, elicited
        Provenance, as in the file.
    """

    name: str
    family: str
    mu: float
    sigma: float
    levels: tuple[float, ...]
    values: tuple[float, ...]
    fitted_values: tuple[float, ...]
    max_prob_error: float
    units: str
    rationale: str
    source: str | None
    elicited: bool

    @property
    def ok(self) -> bool:
        """True when every elicited quantile is matched within :data:`QUANTILE_TOLERANCE`."""
        return self.max_prob_error <= QUANTILE_TOLERANCE

    def from_standard_normal(self, z: Any, *, ops: Any = np) -> Any:
        """Values from standard-normal draws ``z`` (any shape; numpy or pytensor)."""
        return _inverse(self.family, self.mu + self.sigma * z, ops=ops)

    def ppf(self, q: np.ndarray | float) -> np.ndarray:
        """Quantile function (probabilities -> values in ``units``)."""
        return self.from_standard_normal(stats.norm.ppf(q))

    def cdf(self, x: np.ndarray | float) -> np.ndarray:
        """Cumulative probability of values in ``units``."""
        return stats.norm.cdf((_transform(self.family, x) - self.mu) / self.sigma)

    def sample(self, *, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Independent draws, shape ``size``."""
        return self.from_standard_normal(rng.standard_normal(size))

    def describe(self) -> str:
        """One-line description of the fitted distribution."""
        scale = {
            "normal": "x",
            "lognormal": "ln x",
            "lognormal_above_one": "ln(x - 1)",
            "logitnormal": "logit x",
        }[self.family]
        return f"{scale} ~ Normal({self.mu:.3g}, {self.sigma:.3g})"


@dataclass(frozen=True)
class ElicitedPriors:
    """The validated elicitation file with a fitted distribution per parameter.

    Attributes
    ----------
    path
        File the priors were read from.
    version, updated, data_vintage
        Versioning metadata (``updated`` and ``data_vintage`` as YYYY-MM-DD).
    default_link
        ``"amdahl"`` or ``"direct"``.
    reference_suite
        Cyber task suite whose fitted task curve the Amdahl link uses.
    capability_low, capability_high
        Capability levels (dex of effective compute) of the direct link's anchors.
    priors
        Fitted priors keyed by dotted name (``amdahl.speed_advantage``, ...).
    """

    path: str
    version: str
    updated: str
    data_vintage: str
    default_link: str
    reference_suite: str
    capability_low: float
    capability_high: float
    priors: dict[str, FittedPrior] = field(default_factory=dict)

    def __getitem__(self, name: str) -> FittedPrior:
        try:
            return self.priors[name]
        except KeyError:
            raise ConfigError(
                f"no elicited prior '{name}' in {self.path}; have: {', '.join(self.priors)}"
            ) from None


def fit_quantiles(
    *,
    name: str,
    family: str,
    levels: tuple[float, ...],
    values: tuple[float, ...],
    units: str = "",
    rationale: str = "",
    source: str | None = None,
    elicited: bool = True,
) -> FittedPrior:
    """Fit a ``family`` distribution to quantiles (least squares on the normal scale).

    Parameters
    ----------
    levels
        Quantile levels in (0, 1), increasing; at least two.
    values
        The elicited values at ``levels`` (strictly increasing, inside the support).

    Returns
    -------
    FittedPrior
        With the fitted quantiles and the largest cumulative-probability mismatch.
    """
    z = stats.norm.ppf(np.asarray(levels, dtype=float))
    y = _transform(family, np.asarray(values, dtype=float))
    z_mean, y_mean = z.mean(), y.mean()
    sigma = float(np.sum((z - z_mean) * (y - y_mean)) / np.sum((z - z_mean) ** 2))
    mu = float(y_mean - sigma * z_mean)
    fitted = _inverse(family, mu + sigma * z)
    prob = stats.norm.cdf((y - mu) / sigma)
    return FittedPrior(
        name=name,
        family=family,
        mu=mu,
        sigma=sigma,
        levels=tuple(float(v) for v in levels),
        values=tuple(float(v) for v in values),
        fitted_values=tuple(float(v) for v in fitted),
        max_prob_error=float(np.max(np.abs(prob - np.asarray(levels)))),
        units=units,
        rationale=rationale,
        source=source,
        elicited=elicited,
    )


def read_parameter(table: Mapping[str, Any], key: str, origin: str) -> FittedPrior:
    """Validate one parameter table and fit its distribution."""
    family = read_scalar(table, f"{key}.family", origin, str)
    if family not in FAMILIES:
        raise ConfigError(
            f"{origin}: '{key}.family' must be one of {', '.join(FAMILIES)}, got '{family}'"
        )
    units = read_scalar(table, f"{key}.units", origin, str)
    rationale = read_scalar(table, f"{key}.rationale", origin, str)
    source = table.get("source")
    elicited = table.get("elicited", False)
    if source is not None and not isinstance(source, str):
        raise ConfigError(f"{origin}: '{key}.source' must be a string")
    if not isinstance(elicited, bool):
        raise ConfigError(f"{origin}: '{key}.elicited' must be true or false")
    if not (source or elicited):
        raise ConfigError(f"{origin}: '{key}' needs a 'source' citation or 'elicited = true'")
    known = {"family", "units", "rationale", "source", "elicited"}
    quantiles: list[tuple[float, float]] = []
    for name in table:
        match = _QUANTILE_KEY.match(name)
        if match is None:
            if name not in known:
                raise ConfigError(f"{origin}: unknown key '{key}.{name}'")
            continue
        level = int(match.group(1)) / 100.0
        if not 0 < level < 1:
            raise ConfigError(f"{origin}: '{key}.{name}' is not a quantile level in (0, 1)")
        number = read_scalar(table, f"{key}.{name}", origin, float)
        quantiles.append((level, number))
    quantiles.sort()
    if len(quantiles) < 2:
        raise ConfigError(f"{origin}: '{key}' needs at least two quantiles (e.g. q05, q50, q95)")
    lower, upper = FAMILIES[family]
    for (lev0, v0), (lev1, v1) in zip(quantiles, quantiles[1:], strict=False):
        if not v1 > v0:
            raise ConfigError(
                f"{origin}: quantiles of '{key}' must increase with their level: "
                f"q{round(lev0 * 100):02d} = {v0} but q{round(lev1 * 100):02d} = {v1}"
            )
    for level, value in quantiles:
        if not lower < value < upper:
            raise ConfigError(
                f"{origin}: '{key}.q{round(level * 100):02d}' = {value} lies outside the "
                f"support ({lower}, {upper}) of family '{family}'"
            )
    return fit_quantiles(
        name=key,
        family=family,
        levels=tuple(q[0] for q in quantiles),
        values=tuple(q[1] for q in quantiles),
        units=units,
        rationale=rationale,
        source=source,
        elicited=elicited,
    )


def load_uplift_priors(path: str | Path | None = None) -> ElicitedPriors:
    """Load, validate and fit the elicitation file.

    Parameters
    ----------
    path
        TOML file; defaults to :data:`DEFAULT_ELICITATION_PATH`.

    Returns
    -------
    ElicitedPriors

    Raises
    ------
    ConfigError
        Unreadable or unparsable file, or a missing, mistyped or impossible value; the
        message names the file and the dotted key.
    """
    path = Path(path) if path is not None else DEFAULT_ELICITATION_PATH
    origin = str(path)
    data = read_toml(path, "elicitation")
    version = read_scalar(data, "version", origin, str)
    updated = read_date(data, "updated", origin)
    vintage = read_date(data, "data_vintage", origin)
    link = read_table(data, "link", origin)
    default_link = read_scalar(link, "link.default", origin, str)
    if default_link not in LINK_NAMES:
        raise ConfigError(
            f"{origin}: 'link.default' must be one of {', '.join(LINK_NAMES)}, got '{default_link}'"
        )
    amdahl = read_table(data, "amdahl", origin)
    suite = read_scalar(amdahl, "amdahl.reference_suite", origin, str)
    if suite not in CYBER_REFERENCE_SUITES:
        raise ConfigError(
            f"{origin}: 'amdahl.reference_suite' must be one of "
            f"{', '.join(CYBER_REFERENCE_SUITES)}, got '{suite}'"
        )
    direct = read_table(data, "direct", origin)
    c_low = read_scalar(direct, "direct.capability_low", origin, float)
    c_high = read_scalar(direct, "direct.capability_high", origin, float)
    if not c_high > c_low:
        raise ConfigError(
            f"{origin}: 'direct.capability_high' ({c_high}) must exceed "
            f"'direct.capability_low' ({c_low})"
        )
    priors: dict[str, FittedPrior] = {}
    for section, names in (
        ("amdahl", AMDAHL_PARAMETERS),
        ("direct", DIRECT_PARAMETERS),
        ("transfer", TRANSFER_PARAMETERS),
        ("heterogeneity", HETEROGENEITY_PARAMETERS),
        ("overhead", OVERHEAD_PARAMETERS),
    ):
        for name in names:
            key = f"{section}.{name}"
            priors[key] = read_parameter(read_table(data, key, origin), key, origin)
    if not priors["amdahl.speed_advantage"].family == "lognormal_above_one":
        raise ConfigError(
            f"{origin}: 'amdahl.speed_advantage.family' must be lognormal_above_one (k > 1)"
        )
    for key in ("direct.uplift_at_low", "direct.uplift_at_high"):
        if priors[key].family != "lognormal_above_one":
            raise ConfigError(f"{origin}: '{key}.family' must be lognormal_above_one")
    return ElicitedPriors(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        default_link=default_link,
        reference_suite=suite,
        capability_low=c_low,
        capability_high=c_high,
        priors=priors,
    )


def prior_table(priors: ElicitedPriors) -> pd.DataFrame:
    """One row per elicited parameter: quantiles, fitted distribution and mismatch.

    Returns
    -------
    pandas.DataFrame
        Columns ``parameter``, ``units``, ``elicited_quantiles``, ``fitted_quantiles``,
        ``distribution``, ``max_prob_error``, ``ok``, ``basis`` (source or "elicited").
    """
    rows = []
    for prior in priors.priors.values():

        def fmt(values: tuple[float, ...], p: FittedPrior = prior) -> str:
            return ", ".join(
                f"q{round(q * 100):02d}={v:.3g}" for q, v in zip(p.levels, values, strict=True)
            )

        rows.append(
            {
                "parameter": prior.name,
                "units": prior.units,
                "elicited_quantiles": fmt(prior.values),
                "fitted_quantiles": fmt(prior.fitted_values),
                "distribution": prior.describe(),
                "max_prob_error": round(prior.max_prob_error, 4),
                "ok": prior.ok,
                "basis": prior.source if prior.source else "elicited",
            }
        )
    return pd.DataFrame(rows)
