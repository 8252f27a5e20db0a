"""riskmodel._time: the one date parser and the one decimal-year convention."""

from __future__ import annotations

import ast
import datetime as dt
import functools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._time import (
    DAYS_PER_YEAR,
    date_after_years,
    decimal_year,
    parse_date,
    years_since,
)
from riskmodel.errors import ConfigError, EvidenceError, RiskmodelError

PACKAGE = Path(__file__).resolve().parent.parent / "riskmodel"
DATES = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2150, 12, 31))


# --- parse_date ---------------------------------------------------------------------------


def test_parse_date_returns_the_day() -> None:
    assert parse_date("2024-02-29", what="date") == dt.date(2024, 2, 29)
    assert parse_date("1999-12-31", what="date") == dt.date(1999, 12, 31)


@pytest.mark.parametrize(
    "value",
    ["2024/01/01", "20240101", "2024-1-01", "2024-W01-1", " 2024-01-01", "2024-01-01\n",
     "2024-01-01T00:00", "June 2026", "", "２０２４-01-01"],
)  # fmt: skip
def test_parse_date_refuses_other_formats(value: str) -> None:
    with pytest.raises(RiskmodelError, match="cutoff must be a date YYYY-MM-DD, got"):
        parse_date(value, what="cutoff")


@pytest.mark.parametrize("value", ["2025-02-30", "2023-02-29", "2026-13-01", "2024-00-10"])
def test_parse_date_refuses_impossible_days(value: str) -> None:
    with pytest.raises(RiskmodelError, match=f"release date '{value}' is not a valid calendar"):
        parse_date(value, what="release date")


@pytest.mark.parametrize("value", [None, 20240101, 2024.0, dt.date(2024, 1, 1), b"2024-01-01"])
def test_parse_date_refuses_non_strings(value: object) -> None:
    with pytest.raises(RiskmodelError, match=r"--date must be a date YYYY-MM-DD \(text\)"):
        parse_date(value, what="--date")


def test_parse_date_raises_the_callers_error_type() -> None:
    with pytest.raises(ConfigError, match="'updated'"):
        parse_date("2025-02-30", what="'updated'", error=ConfigError)
    cell = functools.partial(EvidenceError, file="runs.csv", row=3, column="date")
    with pytest.raises(EvidenceError, match="runs.csv, line 3, column 'date': date") as info:
        parse_date("01/03/2025", what="date", error=cell)
    assert (info.value.file, info.value.row, info.value.column) == ("runs.csv", 3, "date")


# --- years_since, decimal_year ------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "reference", "days"),
    [
        ("2024-01-01", "2023-01-01", 365),  # a common year
        ("2025-01-01", "2024-01-01", 366),  # a leap year
        ("2024-03-01", "2024-02-28", 2),  # across 29 February
        ("2023-03-01", "2023-02-28", 1),
        ("2000-03-01", "2000-02-28", 2),  # 2000 is a leap year (divisible by 400)
        ("2100-03-01", "2100-02-28", 1),  # 2100 is not (divisible by 100)
        ("2028-01-01", "2024-01-01", 4 * 365 + 1),  # one leap day per four years
        ("2022-06-15", "2023-01-01", -200),  # before the reference: negative
        ("2023-01-01", "2023-01-01", 0),
    ],
)
def test_years_since_is_days_over_365_25(date: str, reference: str, days: int) -> None:
    value = years_since(date, reference)
    assert isinstance(value, np.ndarray) and value.shape == () and value.dtype == np.float64
    assert float(value) == days / 365.25 == days / DAYS_PER_YEAR


def test_years_since_of_many_dates() -> None:
    dates = pd.Series(pd.to_datetime(["2023-01-01", "2024-01-01", None, "2025-01-01"]))
    expected = np.array([0.0, 365.0, np.nan, 731.0]) / 365.25
    for given_dates in (dates, pd.DatetimeIndex(dates), ["2023-01-01", "2024-01-01"]):
        value = years_since(given_dates, "2023-01-01")
        assert value.dtype == np.float64 and value.shape == (len(given_dates),)
        np.testing.assert_array_equal(value, expected[: len(given_dates)])
    # one Timestamp or date is one value, like one string
    assert years_since(pd.Timestamp("2024-01-01"), "2023-01-01").shape == ()
    assert float(years_since(dt.date(2024, 1, 1), dt.date(2023, 1, 1))) == 365 / 365.25


def test_decimal_year_values() -> None:
    assert float(decimal_year("2000-01-01")) == 2000.0
    assert float(decimal_year("2024-01-01")) == 2024.0  # 24 years of 365.25 days exactly
    assert float(decimal_year("2025-01-01")) == 2000 + 9132 / 365.25  # 0.75 days after 2025
    assert float(decimal_year("1999-12-31")) == 2000 - 1 / 365.25
    years = decimal_year(pd.Series(["2023-01-01", "2023-07-02"]))
    np.testing.assert_array_equal(years, 2000 + np.array([8401.0, 8583.0]) / 365.25)


def test_decimal_year_floor_is_the_calendar_year() -> None:
    for year in range(1901, 2101):
        first = float(decimal_year(f"{year}-01-01"))
        assert year <= first < year + 0.76 / 365.25
        assert math.floor(float(decimal_year(f"{year - 1}-12-31"))) == year - 1


@settings(max_examples=200, deadline=None)
@given(a=DATES, b=DATES)
def test_decimal_year_differences_are_years_since(a: dt.date, b: dt.date) -> None:
    """The one convention: decimal years differ by years_since."""
    a_text, b_text = a.isoformat(), b.isoformat()
    difference = float(decimal_year(a_text)) - float(decimal_year(b_text))
    assert abs(difference - float(years_since(a_text, b_text))) < 1e-12
    assert float(years_since(a_text, b_text)) == (a - b).days / 365.25


@settings(max_examples=200, deadline=None)
@given(reference=DATES, years=st.floats(min_value=-40.0, max_value=40.0))
def test_date_after_years_inverts_years_since(reference: dt.date, years: float) -> None:
    date = date_after_years(reference.isoformat(), years)
    assert parse_date(date, what="date")  # a YYYY-MM-DD string
    assert abs(float(years_since(date, reference.isoformat())) - years) <= 0.5 / 365.25 + 1e-12
    assert date_after_years(reference, years) == date


def test_date_after_years_rounds_to_the_nearest_day() -> None:
    assert date_after_years("2023-01-01", 1.0) == "2024-01-01"  # 365.25 days -> 365
    assert date_after_years("2023-01-01", 2.0) == "2024-12-31"  # 730.5 -> 730 (to even)
    assert date_after_years("2023-01-01", -1 / 365.25) == "2022-12-31"
    with pytest.raises(RiskmodelError, match="reference date"):
        date_after_years("2023-02-30", 1.0)


# --- one place --------------------------------------------------------------------------


def test_no_other_module_has_its_own_year_convention() -> None:
    """Only _time.py knows the length of a year or defines the year functions."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "_time.py" and path.parent == PACKAGE:
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(PACKAGE.parent).as_posix()
        for needle in ("365.25", "is_leap_year"):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
        for node in ast.walk(ast.parse(text)):
            is_def = isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            if is_def and node.name in ("decimal_year", "years_since"):
                offenders.append(f"{rel}: def {node.name}")
    assert offenders == []
