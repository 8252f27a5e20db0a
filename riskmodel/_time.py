"""Dates and times in years: one parser and ONE decimal-year convention.

Every date the toolkit is given is a calendar day written ``YYYY-MM-DD``, and every time
in years is a number of days divided by :data:`DAYS_PER_YEAR` (365.25, the Julian year):

:func:`parse_date`
    The one strict parser of a user-given ``YYYY-MM-DD`` string; its errors name what
    was being parsed.
:func:`years_since`
    Days between two dates over 365.25: the capability model's time variable (years
    since ``reference_date``) and every interval in years (an incident window, a
    backtest window, the simulation's release times).
:func:`decimal_year`
    ``2000 + years_since(date, "2000-01-01")``: a date as a number of years (2024.5),
    on the same scale, so ``decimal_year(a) - decimal_year(b) == years_since(a, b)``
    (to rounding). 1 January of a year from 1901 to 2100 is that year plus 0 to 0.75
    days, so ``floor(decimal_year(d))`` is the calendar year of ``d`` in those years.
:func:`date_after_years`
    The inverse: the day ``years`` after a reference date (nearest whole day).

Light: imports neither pandas nor numpy until a function needs them (the command line's
``riskmodel benchmarks`` checks evidence dates without pandas).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from riskmodel.errors import RiskmodelError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "DAYS_PER_YEAR",
    "DECIMAL_YEAR_ORIGIN",
    "date_after_years",
    "decimal_year",
    "parse_date",
    "years_since",
]

#: Days per (Julian) year: every time in years is days / DAYS_PER_YEAR.
DAYS_PER_YEAR = 365.25
#: The date whose decimal year is exactly 2000.0 (:func:`decimal_year`).
DECIMAL_YEAR_ORIGIN = "2000-01-01"

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(
    value: Any, *, what: str, error: Callable[[str], Exception] = RiskmodelError
) -> dt.date:
    """The calendar day of a ``YYYY-MM-DD`` string, strictly.

    Only four-digit year, two-digit month and two-digit day separated by hyphens are
    accepted (no ``20240101``, ``2024-W01-1``, times or surrounding spaces); the day must
    exist (no ``2025-02-30``).

    Parameters
    ----------
    value
        The text to parse.
    what
        What is being parsed, named at the start of the error message (``"date"``,
        ``"cutoff"``, ``"--date"``, a column or a dotted key).
    error
        Exception type (or factory taking the message) to raise: by default
        :class:`~riskmodel.errors.RiskmodelError`; e.g. ``ConfigError`` for settings,
        ``functools.partial(EvidenceError, file=..., row=..., column=...)`` for a cell.

    Returns
    -------
    datetime.date

    Raises
    ------
    RiskmodelError
        (or ``error``) ``value`` is not a string, not written ``YYYY-MM-DD``, or not a
        day of the calendar.
    """
    if not isinstance(value, str):
        raise error(
            f"{what} must be a date YYYY-MM-DD (text), got {value!r} ({type(value).__name__})"
        )
    if not _DATE.fullmatch(value):
        raise error(f"{what} must be a date YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise error(f"{what} {value!r} is not a valid calendar date (YYYY-MM-DD)") from None


def years_since(
    dates: pd.Series | pd.DatetimeIndex | str | dt.date, reference: str | dt.date
) -> np.ndarray:
    """Years (days / 365.25) from ``reference`` to ``dates``.

    Parameters
    ----------
    dates
        One date (a ``YYYY-MM-DD`` string, a ``datetime.date`` or a ``pandas.Timestamp``)
        or many (a Series, DatetimeIndex or sequence of dates; missing dates give NaN).
    reference
        The date of time 0.

    Returns
    -------
    numpy.ndarray
        float64: 0-d for one date, else one value per date. Whole days are counted
        (a time of day is dropped: ``Timedelta.days``).
    """
    import numpy as np
    import pandas as pd

    ref = pd.Timestamp(reference)
    if isinstance(dates, str | dt.date | np.datetime64):
        return np.asarray((pd.Timestamp(dates) - ref).days / DAYS_PER_YEAR)
    delta = pd.to_datetime(pd.Series(dates)) - ref
    return delta.dt.days.to_numpy(dtype=float) / DAYS_PER_YEAR


def decimal_year(dates: pd.Series | pd.DatetimeIndex | str | dt.date) -> np.ndarray:
    """``2000 + years_since(dates, "2000-01-01")``: dates as decimal years.

    The one decimal-year convention: differences of decimal years are
    :func:`years_since` (days / 365.25). 2024-01-01 is 2024.0 exactly, 2025-01-01 is
    2025.00205 (0.75 days after 2025.0).

    Returns
    -------
    numpy.ndarray
        float64, shaped as :func:`years_since`'s result (0-d for one date).
    """
    import numpy as np

    return np.asarray(2000.0 + years_since(dates, DECIMAL_YEAR_ORIGIN))


def date_after_years(reference: str | dt.date, years: float) -> str:
    """The day ``years`` (of 365.25 days, rounded to the nearest whole day) after
    ``reference``, ``YYYY-MM-DD``: the inverse of :func:`years_since`, within half a day.
    """
    if isinstance(reference, dt.datetime):
        day = reference.date()
    elif isinstance(reference, dt.date):
        day = reference
    else:
        day = parse_date(reference, what="reference date")
    return (day + dt.timedelta(days=round(float(years) * DAYS_PER_YEAR))).isoformat()
