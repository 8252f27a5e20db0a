"""Many forecasts or assessments in one call: queries from flag values or a CSV file.

A researcher's afternoon is "11 models x 8 benchmarks", not one number. The command
line's ``forecast`` and ``assess`` take several values per flag (every combination is
one query) or a CSV of queries (``--queries FILE``, one query per row), load the fit
once and print one row per query with the single query's documented keys.

:func:`forecast_queries`, :func:`assess_queries`
    Every combination of the flag values, in the order given.
:func:`read_forecast_queries`, :func:`read_assess_queries`
    A CSV of queries, every bad cell reported with its file, line and column.
"""

from __future__ import annotations

import csv
import functools
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from riskmodel._time import parse_date
from riskmodel.errors import EvidenceError, RiskmodelError

__all__ = [
    "AssessQuery",
    "ForecastQuery",
    "assess_queries",
    "forecast_queries",
    "read_assess_queries",
    "read_forecast_queries",
]

#: Columns of a forecast query file: required, then optional.
FORECAST_REQUIRED = ("benchmark", "date")
FORECAST_OPTIONAL = ("flop", "frontier", "window_years")
#: Columns of an assessment query file (all required).
ASSESS_REQUIRED = ("flop", "date")
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no", "")


@dataclass(frozen=True)
class ForecastQuery:
    """One benchmark forecast: a model of ``flop`` FLOP released on ``date``, or the
    frontier (the best model released in the ``window_years`` up to ``date``)."""

    benchmark: str
    date: str
    flop: float | None = None
    frontier: bool = False
    window_years: float = 1.0


@dataclass(frozen=True)
class AssessQuery:
    """One hazard assessment: a model of ``flop`` training FLOP released on ``date``."""

    flop: float
    date: str


def forecast_queries(
    *,
    benchmarks: Sequence[str],
    dates: Sequence[str],
    flops: Sequence[float] | None,
    frontier: bool,
    window_years: float = 1.0,
) -> list[ForecastQuery]:
    """Every (benchmark, date, FLOP) combination, benchmarks outermost.

    ``flops`` is ignored (and may be None) when ``frontier`` is true.

    Raises
    ------
    RiskmodelError
        A date that is not YYYY-MM-DD, a FLOP that is not positive, or no FLOP without
        ``frontier``.
    """
    _check_flags(dates=dates, flops=flops or ())
    if frontier:
        return [
            ForecastQuery(b, d, None, True, window_years)
            for b, d in itertools.product(benchmarks, dates)
        ]
    if not flops:
        raise RiskmodelError("give --flop (training compute, FLOP) or --frontier")
    return [
        ForecastQuery(b, d, float(f), False, window_years)
        for b, d, f in itertools.product(benchmarks, dates, flops)
    ]


def assess_queries(*, flops: Sequence[float], dates: Sequence[str]) -> list[AssessQuery]:
    """Every (date, FLOP) combination, dates outermost (checked as
    :func:`forecast_queries`)."""
    _check_flags(dates=dates, flops=flops)
    return [AssessQuery(float(f), d) for d, f in itertools.product(dates, flops)]


def _check_flags(*, dates: Sequence[str], flops: Sequence[float]) -> None:
    for value in dates:
        parse_date(value, what="--date")
    for value in flops:
        if not (math.isfinite(value) and value > 0):
            raise RiskmodelError(f"--flop must be positive training compute (FLOP), got {value}")


def _rows(path: str | Path, required: Sequence[str], optional: Sequence[str]) -> list[dict]:
    """The CSV's rows with their line numbers under ``"_line"``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RiskmodelError(f"cannot read query file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise EvidenceError("not UTF-8 text", file=str(path)) from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in required if c not in header]
    if missing:
        raise EvidenceError(
            f"missing column(s) {', '.join(missing)}; a query file has columns "
            f"{', '.join(required)} and optionally {', '.join(optional) or 'none'}",
            file=str(path),
            row=1,
        )
    unknown = [c for c in header if c not in (*required, *optional)]
    if unknown:
        raise EvidenceError(f"unknown column '{unknown[0]}'", file=str(path), row=1)
    reader.fieldnames = header
    rows = []
    for line, row in enumerate(reader, start=2):
        if None in row or any(v is None for v in row.values()):
            raise EvidenceError("wrong number of cells", file=str(path), row=line)
        rows.append({"_line": line, **{k: v.strip() for k, v in row.items()}})
    if not rows:
        raise EvidenceError("no queries (only a header)", file=str(path))
    return rows


def _date(value: str, path: Path, line: int) -> str:
    cell = functools.partial(EvidenceError, file=str(path), row=line, column="date")
    return parse_date(value, what="date", error=cell).isoformat()


def _positive(value: str, column: str, path: Path, line: int) -> float:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise EvidenceError(
            f"'{value}' is not a positive number", file=str(path), row=line, column=column
        )
    return number


def read_forecast_queries(path: str | Path) -> list[ForecastQuery]:
    """Forecast queries from a CSV: ``benchmark``, ``date`` and either ``flop`` (FLOP) or
    ``frontier`` (true/false), optionally ``window_years`` (default 1).

    Raises
    ------
    EvidenceError
        Naming the file, line and column of the first bad cell.
    """
    path = Path(path)
    queries = []
    for row in _rows(path, FORECAST_REQUIRED, FORECAST_OPTIONAL):
        line = row["_line"]
        if not row["benchmark"]:
            raise EvidenceError("empty benchmark", file=str(path), row=line, column="benchmark")
        frontier_text = row.get("frontier", "").lower()
        if frontier_text not in (*_TRUE, *_FALSE):
            raise EvidenceError(
                f"'{row['frontier']}' is not true or false",
                file=str(path),
                row=line,
                column="frontier",
            )
        frontier = frontier_text in _TRUE
        flop_text = row.get("flop", "")
        if frontier == bool(flop_text):
            raise EvidenceError(
                "give either a flop or frontier = true, not both or neither",
                file=str(path),
                row=line,
                column="flop",
            )
        window = row.get("window_years", "")
        queries.append(
            ForecastQuery(
                benchmark=row["benchmark"],
                date=_date(row["date"], path, line),
                flop=None if frontier else _positive(flop_text, "flop", path, line),
                frontier=frontier,
                window_years=_positive(window, "window_years", path, line) if window else 1.0,
            )
        )
    return queries


def read_assess_queries(path: str | Path) -> list[AssessQuery]:
    """Assessment queries from a CSV with columns ``flop`` (FLOP) and ``date``.

    Raises
    ------
    EvidenceError
        Naming the file, line and column of the first bad cell.
    """
    path = Path(path)
    return [
        AssessQuery(
            flop=_positive(row["flop"], "flop", path, row["_line"]),
            date=_date(row["date"], path, row["_line"]),
        )
        for row in _rows(path, ASSESS_REQUIRED, ())
    ]
