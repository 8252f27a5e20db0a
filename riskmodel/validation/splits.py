"""Time splits of the backtest: what each method may see before a cutoff, and the
post-cutoff windows and periods it is scored on.

Split rule
----------
Training evidence is everything known about models released *strictly before* the
cutoff: their benchmark results and task runs, and the *models table restricted to
those models* (models without a release date are kept: they cannot inform anything
dated). Restricting the models table matters: the capability model's compute trend is
fitted to every language model of the table with a FLOP value, so
:meth:`Evidence.released_before` alone (which keeps the table whole) would let the
compute of post-cutoff models into the training fit.

Two readings of "known", chosen by ``known_only``:

* ``False`` (default): every measurement of a pre-cutoff model, whenever it was made. A
  later evaluation of an older model is treated as a measurement that could have been
  made at the time; the backtest then scores the model's structure (how capability
  extrapolates to later models), not the history of publication. Needed for cutoffs
  before mid-2024: the ObsScaling scores were compiled in May 2024 and METR's run file
  published in February 2025, so a strict as-of view of 2023 holds no results at all.
* ``True``: strictly what was public before the cutoff, also by ``result_date``
  (:meth:`Evidence.known_by`). Many results on older models were produced later (GPQA
  Diamond runs of 2025 on 2023 models, SWE-bench Verified runs of 2026, Terminal-Bench
  2.0, which did not exist at the 2025-09-01 cutoff, the Claude 4 Cybench values of a
  September 2025 system card). Use it for cutoffs in 2025, where a benchmark that did
  not exist yet would otherwise leak into training.

What a forecast may condition on: the release date of a post-cutoff model and its
training FLOP (Epoch's estimate) - the forecast is "given a model of this compute
released on this date". Its results are never seen. Caveat: FLOP estimates and
release dates of pre-cutoff models are Epoch's values at the shipped vintage (export of
February 2026), which may have been revised after the cutoff. For a true as-of view of a
2025-02 cutoff, rebuild the 2025-02 data with ``scripts/build_data --vintage 2025-02``
and point ``RISKMODEL_DATA_DIR`` at it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from riskmodel._time import years_since
from riskmodel.errors import RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.evidence.dataset import parse_iso_date

__all__ = [
    "WINDOW_MONTHS",
    "Window",
    "training_evidence",
    "check_split",
    "post_cutoff_windows",
    "pre_cutoff_windows",
    "post_cutoff_half_years",
]

#: Length (months) of the post-cutoff windows of the best-score target.
WINDOW_MONTHS = 6


@dataclass(frozen=True)
class Window:
    """A half-open interval of release dates ``[start, end)``.

    Attributes
    ----------
    label
        Short name, e.g. ``"2024H1"`` or ``"2024-07-01..2024-12-31"``.
    start, end
        Timestamps; ``end`` is exclusive.
    complete
        Whether the window lies wholly on or before the data vintage.
    """

    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    complete: bool

    def contains(self, dates: pd.Series) -> pd.Series:
        """Boolean mask of ``dates`` inside the window."""
        return (dates >= self.start) & (dates < self.end)

    @property
    def midpoint(self) -> str:
        """Middle day, YYYY-MM-DD."""
        return (self.start + (self.end - self.start) / 2).strftime("%Y-%m-%d")

    @property
    def last_day(self) -> str:
        """Last day inside the window (``end`` minus one day), YYYY-MM-DD."""
        return (self.end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")

    @property
    def years(self) -> float:
        """Length in years (:func:`riskmodel._time.years_since`)."""
        return float(years_since(self.end, self.start))


def training_evidence(evidence: Evidence, cutoff: str, *, known_only: bool = False) -> Evidence:
    """Evidence of models released strictly before ``cutoff``, with the models table
    restricted to them; with ``known_only``, also only the results and task runs made
    public before ``cutoff`` (see the module docstring).

    Parameters
    ----------
    evidence
        All evidence.
    cutoff
        YYYY-MM-DD.
    known_only
        Drop results and task runs whose ``result_date`` is on or after ``cutoff``.

    Returns
    -------
    Evidence
    """
    cut = parse_iso_date(cutoff, what="cutoff")
    known = evidence.released_before(cutoff)
    if known_only:
        known = known.known_by(cutoff)
    dates = evidence.models["release_date"]
    keep = evidence.models[(dates < cut) | dates.isna()]
    return replace(known, models=keep)


def check_split(train: Evidence, cutoff: str, *, known_only: bool = False) -> None:
    """Raise if anything released on or after ``cutoff`` is in ``train``.

    Checks the models table (every dated model) and the models of the results, task runs
    and time horizons; with ``known_only``, also that no result was made public on or
    after the cutoff.

    Raises
    ------
    RiskmodelError
        Naming the first leaked model.
    """
    cut = parse_iso_date(cutoff, what="cutoff")
    dates = train.models["release_date"]
    late = dates.index[dates.notna() & (dates >= cut)]
    if len(late):
        raise RiskmodelError(
            f"training evidence holds {len(late)} model(s) released on or after the cutoff "
            f"{cutoff}, e.g. '{late[0]}'"
        )
    for table in ("results", "task_runs", "time_horizons"):
        frame = getattr(train, table)
        late_results = frame["result_date"] >= cut
        if known_only and late_results.any():
            first = frame.loc[late_results].iloc[0]
            raise RiskmodelError(
                f"training {table} hold {int(late_results.sum())} result(s) made public on or "
                f"after the cutoff {cutoff}, e.g. model '{first['model']}' "
                f"({first['result_date']:%Y-%m-%d})"
            )
        names = set(frame["model"])
        leaked = sorted(m for m in names if m not in dates.index or not dates[m] < cut)
        if leaked:
            raise RiskmodelError(
                f"training {table} hold model(s) not released before the cutoff {cutoff}: "
                + ", ".join(leaked[:5])
            )


def post_cutoff_windows(cutoff: str, vintage: str, *, months: int = WINDOW_MONTHS) -> list[Window]:
    """Consecutive windows of ``months`` months from ``cutoff`` to the data vintage.

    The last window is cut at the day after ``vintage`` and marked incomplete.

    Parameters
    ----------
    cutoff, vintage
        YYYY-MM-DD.
    months
        Window length.

    Returns
    -------
    list of Window
        Labelled ``YYYY-MM-DD..YYYY-MM-DD`` (inclusive last day).
    """
    start = parse_iso_date(cutoff, what="cutoff")
    stop = parse_iso_date(vintage, what="vintage") + pd.Timedelta(days=1)
    out = []
    while start < stop:
        end = start + pd.DateOffset(months=months)
        complete = end <= stop
        end = min(end, stop)
        last = (end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        out.append(Window(f"{start:%Y-%m-%d}..{last}", start, end, complete))
        start = end
    return out


def pre_cutoff_windows(cutoff: str, earliest: str, *, months: int = WINDOW_MONTHS) -> list[Window]:
    """Consecutive windows of ``months`` months ending at ``cutoff``, back to the one
    holding ``earliest``; the same grid as :func:`post_cutoff_windows`, before the cutoff.

    Parameters
    ----------
    cutoff
        YYYY-MM-DD; the last window ends at (excludes) it.
    earliest
        YYYY-MM-DD; the first window contains it (no window if it is on or after the
        cutoff).
    months
        Window length.

    Returns
    -------
    list of Window
        In time order, all complete, labelled ``YYYY-MM-DD..YYYY-MM-DD``.
    """
    stop = parse_iso_date(cutoff, what="cutoff")
    first = parse_iso_date(earliest, what="earliest date")
    out = []
    k = 1
    while True:
        start = stop - pd.DateOffset(months=months * k)
        end = stop - pd.DateOffset(months=months * (k - 1))
        if end <= first:
            break
        last = (end - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        out.append(Window(f"{start:%Y-%m-%d}..{last}", start, end, True))
        k += 1
    return out[::-1]


def post_cutoff_half_years(cutoff: str, vintage: str) -> list[Window]:
    """Calendar half-years (H1 = January-June) starting on or after ``cutoff`` and ending
    on or before ``vintage`` (complete half-years only).

    Returns
    -------
    list of Window
        Labelled e.g. ``"2023H2"``.
    """
    cut = parse_iso_date(cutoff, what="cutoff")
    stop = parse_iso_date(vintage, what="vintage") + pd.Timedelta(days=1)
    year = cut.year
    out = []
    while True:
        for half, month in ((1, 1), (2, 7)):
            start = pd.Timestamp(year=year, month=month, day=1).as_unit("ns")
            end = start + pd.DateOffset(months=6)
            if end > stop:
                return out
            if start >= cut:
                out.append(Window(f"{year}H{half}", start, end, True))
        year += 1
