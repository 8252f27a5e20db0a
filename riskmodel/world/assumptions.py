"""The world assumptions file (``data/world_assumptions.toml``), validated.

The numbers the Epoch data do not determine: the census floor and form of the count
model, how compute levels the frontier has passed are held, how Epoch's verdicts on
models without a compute estimate are read, how the recording share of future years is
set, developers, derivatives and loopholes. Every entry is a table with ``value``,
``units``, ``rationale`` and a ``source`` or ``elicited = true``; a bad file raises
:class:`~riskmodel.errors.ConfigError` naming the file and the dotted key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskmodel._io import data_dir, read_date, read_scalar, read_table, read_toml
from riskmodel.errors import ConfigError
from riskmodel.uplift.elicitation import FittedPrior, read_parameter
from riskmodel.world.counts import COUNT_FORMS

__all__ = [
    "DEFAULT_ASSUMPTIONS_PATH",
    "CENSUS_FLOOR_LOG10_FLOP",
    "SUB_FRONTIER_MODES",
    "VERDICTS",
    "WorldAssumptions",
    "load_world_assumptions",
]

#: Shipped world assumptions (``$RISKMODEL_DATA_DIR`` honoured, read at import).
DEFAULT_ASSUMPTIONS_PATH = data_dir() / "world_assumptions.toml"
#: Smallest training compute (log10 FLOP) of the census list, Epoch's "Large-Scale AI
#: Models" (models believed trained with at least 1e23 FLOP); the count model's floor.
CENSUS_FLOOR_LOG10_FLOP = 23.0
#: How the simulated world treats compute levels the frontier has passed.
SUB_FRONTIER_MODES = ("hold_peak", "as_recorded")
#: Epoch's verdicts on a model without a compute estimate (``compute_note_vs_1e25``).
VERDICTS = ("likely_above", "possibly_above", "unlikely_above")


@dataclass(frozen=True)
class WorldAssumptions:
    """The validated world assumptions (``data/world_assumptions.toml``).

    Attributes
    ----------
    path, version, updated, data_vintage
        Provenance (dates as YYYY-MM-DD).
    floor_log10_flop
        Smallest run modelled (log10 FLOP); the census floor, 23.
    count_form
        ``"curved"`` or ``"loglinear"`` (see :mod:`riskmodel.world.fit`).
    sub_frontier
        ``"hold_peak"`` or ``"as_recorded"``.
    verdict_p_above
        Epoch verdict (``likely_above``, ``possibly_above``, ``unlikely_above``) ->
        probability that a model without a compute estimate is at or above 1e25 FLOP,
        for a model whose prior odds are even (the verdict's likelihood ratio is
        ``p / (1 - p)``).
    no_verdict_p_above
        The same probability for a model without an estimate or a verdict released on or
        after ``review_start`` (Epoch's absence of a verdict read as a weak verdict).
    review_start
        YYYY-MM-DD from which Epoch reviewed every release of the leading developers
        against 1e25 FLOP.
    recording_pool_years
        Recording shares of years after the fit are those of the last this many fitted
        years, pooled.
    n_frontier_developers
        Number of frontier developers.
    frontier_log10_flop
        Runs at or above this log10 FLOP rank the frontier developers.
    organization_aliases
        Epoch organisation name -> developer it belongs to.
    other_developer_pool
        Number of non-frontier developers that can train runs.
    other_developer_zipf_exponent
        Zipf exponent of their shares (0 = equal shares).
    derivatives_per_open_base, derivatives_per_closed_base
        Mean derivatives (runs) per open-weight / closed base run.
    derivative_mean_lag_years
        Mean time (years) from a base run's release to a derivative's.
    derivative_flop_fraction
        Distribution of a derivative's extra compute as a fraction of its parent's FLOP
        (lognormal; the quantiles are across derivatives).
    derivative_frontier_share
        Probability that a derivative is by a frontier developer.
    derivative_open_if_parent_open, derivative_open_if_parent_closed
        Probability that a derivative's weights are open, by the parent's openness.
    loophole_share
        Probability that a would-be base run at or above ``loophole_min_log10_flop`` is
        declared a derivative of an earlier, smaller model.
    loophole_min_log10_flop
        Smallest run (log10 FLOP) for which a loophole declaration is attempted.
    loophole_min_flop_multiple
        The run's compute is at least this multiple of the declared parent's FLOP.
    """

    path: str
    version: str
    updated: str
    data_vintage: str
    floor_log10_flop: float
    count_form: str
    sub_frontier: str
    verdict_p_above: Mapping[str, float]
    no_verdict_p_above: float
    review_start: str
    recording_pool_years: int
    n_frontier_developers: int
    frontier_log10_flop: float
    organization_aliases: Mapping[str, str]
    other_developer_pool: int
    other_developer_zipf_exponent: float
    derivatives_per_open_base: float
    derivatives_per_closed_base: float
    derivative_mean_lag_years: float
    derivative_flop_fraction: FittedPrior
    derivative_frontier_share: float
    derivative_open_if_parent_open: float
    derivative_open_if_parent_closed: float
    loophole_share: float
    loophole_min_log10_flop: float
    loophole_min_flop_multiple: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-able values (the flop-fraction distribution as its elicited quantiles)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, FittedPrior):
                value = {
                    "family": value.family,
                    **{
                        f"q{round(q * 100):02d}": v
                        for q, v in zip(value.levels, value.values, strict=True)
                    },
                }
            elif isinstance(value, Mapping):
                value = dict(value)
            out[name] = value
        return out


def _positive(v: float) -> str | None:
    return None if v > 0 else "must be > 0"


def _nonnegative(v: float) -> str | None:
    return None if v >= 0 else "must be >= 0"


def _probability(v: float) -> str | None:
    return None if 0 <= v <= 1 else "must be a probability in [0, 1]"


def _at_least(bound: float) -> Callable[[float], str | None]:
    def check(v: float) -> str | None:
        return None if v >= bound else f"must be >= {bound:g}"

    return check


def _above(bound: float) -> Callable[[float], str | None]:
    def check(v: float) -> str | None:
        return None if v > bound else f"must be > {bound:g}"

    return check


def _log10_flop(v: float) -> str | None:
    return None if 18 <= v <= 30 else "must be a log10 FLOP between 18 and 30"


def _census_floor(v: float) -> str | None:
    if v == CENSUS_FLOOR_LOG10_FLOP:
        return None
    return (
        f"must be {CENSUS_FLOOR_LOG10_FLOP:g}: the census of the count model, Epoch's "
        "large-scale list, holds the runs believed at or above 1e23 FLOP, so its runs "
        "without a compute estimate are known to be above 1e23 and no other floor"
    )


def _open_probability(v: float) -> str | None:
    return None if 0 < v < 1 else "must be a probability strictly between 0 and 1"


# (section, key) -> (kind, check). Kinds: float, int, choice tuple, "aliases", "date",
# "lognormal" (a quantile table read by read_parameter).
_SPEC: dict[str, dict[str, tuple[Any, Any]]] = {
    "count_model": {
        "floor_log10_flop": (float, _census_floor),
        "form": (COUNT_FORMS, None),
        "sub_frontier": (SUB_FRONTIER_MODES, None),
    },
    "compute_notes": {
        **{verdict: (float, _open_probability) for verdict in VERDICTS},
        "no_verdict": (float, _open_probability),
        "review_start": ("date", None),
    },
    "recording": {
        "future_pool_years": (int, _at_least(1)),
    },
    "developers": {
        "n_frontier": (int, _at_least(1)),
        "frontier_log10_flop": (float, _log10_flop),
        "other_pool_size": (int, _at_least(2)),
        "other_zipf_exponent": (float, _nonnegative),
        "organization_aliases": ("aliases", None),
    },
    "derivatives": {
        "per_open_base": (float, _nonnegative),
        "per_closed_base": (float, _nonnegative),
        "mean_lag_years": (float, _positive),
        "flop_fraction": ("lognormal", None),
        "frontier_share": (float, _probability),
        "open_if_parent_open": (float, _probability),
        "open_if_parent_closed": (float, _probability),
    },
    "loopholes": {
        "share": (float, _probability),
        "min_log10_flop": (float, _log10_flop),
        "min_flop_multiple": (float, _above(1.0)),
    },
}
_TOP_LEVEL = ("version", "updated", "data_vintage", *_SPEC)
_ASSUMPTION_KEYS = ("value", "units", "rationale", "source", "elicited")


def _read_assumption(table: Mapping[str, Any], key: str, origin: str, kind: Any, check: Any) -> Any:
    """One ``{value, units, rationale, source | elicited}`` table, validated."""
    for name in table:
        if name not in _ASSUMPTION_KEYS:
            raise ConfigError(f"{origin}: unknown key '{key}.{name}'")
    read_scalar(table, f"{key}.units", origin, str)
    read_scalar(table, f"{key}.rationale", origin, str)
    source = table.get("source")
    elicited = table.get("elicited", False)
    if source is not None and not isinstance(source, str):
        raise ConfigError(f"{origin}: '{key}.source' must be a string")
    if not isinstance(elicited, bool):
        raise ConfigError(f"{origin}: '{key}.elicited' must be true or false")
    if not (source or elicited):
        raise ConfigError(f"{origin}: '{key}' needs a 'source' citation or 'elicited = true'")
    if isinstance(kind, tuple):
        value = read_scalar(table, f"{key}.value", origin, str)
        if value not in kind:
            raise ConfigError(
                f"{origin}: '{key}.value' must be one of {', '.join(kind)}, got '{value}'"
            )
        return value
    if kind == "date":
        if "value" not in table:
            raise ConfigError(f"{origin}: missing key '{key}.value'")
        return read_date({f"{key}.value": table["value"]}, f"{key}.value", origin)
    if kind == "aliases":
        if "value" not in table:
            raise ConfigError(f"{origin}: missing key '{key}.value'")
        value = table["value"]
        if not isinstance(value, Mapping):
            raise ConfigError(f"{origin}: '{key}.value' must be a table of names")
        for alias, target in value.items():
            if not isinstance(target, str) or not target.strip():
                raise ConfigError(
                    f"{origin}: '{key}.value.{alias}' must be a developer name, got {target!r}"
                )
        return {str(k).strip(): v.strip() for k, v in value.items()}
    value = read_scalar(table, f"{key}.value", origin, kind)
    problem = check(value) if check is not None else None
    if problem is not None:
        raise ConfigError(f"{origin}: '{key}.value' {problem}, got {value!r}")
    return value


def load_world_assumptions(path: str | Path | None = None) -> WorldAssumptions:
    """Load and validate the world assumptions file.

    Parameters
    ----------
    path
        TOML file; defaults to :data:`DEFAULT_ASSUMPTIONS_PATH`.

    Returns
    -------
    WorldAssumptions

    Raises
    ------
    ConfigError
        Unreadable or unparsable file, a missing, unknown or mistyped key, or an
        impossible value (negative rate, probability outside [0, 1], ...); the message
        names the file and the dotted key.
    """
    path = Path(path) if path is not None else DEFAULT_ASSUMPTIONS_PATH
    origin = str(path)
    data = read_toml(path, "world assumptions")
    for name in data:
        if name not in _TOP_LEVEL:
            raise ConfigError(f"{origin}: unknown key '{name}'")
    version = read_scalar(data, "version", origin, str)
    updated = read_date(data, "updated", origin)
    vintage = read_date(data, "data_vintage", origin)
    values: dict[str, Any] = {}
    for section, spec in _SPEC.items():
        table = read_table(data, section, origin)
        for name in table:
            if name not in spec:
                raise ConfigError(f"{origin}: unknown key '{section}.{name}'")
        for key, (kind, check) in spec.items():
            dotted = f"{section}.{key}"
            sub = read_table(table, key, origin) if key in table else None
            if sub is None:
                raise ConfigError(f"{origin}: missing table '{dotted}'")
            if kind == "lognormal":
                prior = read_parameter(sub, dotted, origin)
                if prior.family != "lognormal":
                    raise ConfigError(f"{origin}: '{dotted}.family' must be lognormal")
                values[dotted] = prior
            else:
                values[dotted] = _read_assumption(sub, dotted, origin, kind, check)
    if values["loopholes.min_log10_flop"] < values["count_model.floor_log10_flop"]:
        raise ConfigError(
            f"{origin}: 'loopholes.min_log10_flop.value' must not be below "
            "'count_model.floor_log10_flop.value'"
        )
    return WorldAssumptions(
        path=origin,
        version=version,
        updated=updated,
        data_vintage=vintage,
        floor_log10_flop=values["count_model.floor_log10_flop"],
        count_form=values["count_model.form"],
        sub_frontier=values["count_model.sub_frontier"],
        verdict_p_above={v: values[f"compute_notes.{v}"] for v in VERDICTS},
        no_verdict_p_above=values["compute_notes.no_verdict"],
        review_start=values["compute_notes.review_start"],
        recording_pool_years=values["recording.future_pool_years"],
        n_frontier_developers=values["developers.n_frontier"],
        frontier_log10_flop=values["developers.frontier_log10_flop"],
        organization_aliases=values["developers.organization_aliases"],
        other_developer_pool=values["developers.other_pool_size"],
        other_developer_zipf_exponent=values["developers.other_zipf_exponent"],
        derivatives_per_open_base=values["derivatives.per_open_base"],
        derivatives_per_closed_base=values["derivatives.per_closed_base"],
        derivative_mean_lag_years=values["derivatives.mean_lag_years"],
        derivative_flop_fraction=values["derivatives.flop_fraction"],
        derivative_frontier_share=values["derivatives.frontier_share"],
        derivative_open_if_parent_open=values["derivatives.open_if_parent_open"],
        derivative_open_if_parent_closed=values["derivatives.open_if_parent_closed"],
        loophole_share=values["loopholes.share"],
        loophole_min_log10_flop=values["loopholes.min_log10_flop"],
        loophole_min_flop_multiple=values["loopholes.min_flop_multiple"],
    )
