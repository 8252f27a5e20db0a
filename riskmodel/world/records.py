"""The Epoch records the world is fitted to: rows, census runs, years and developers.

:func:`fit_years` (calendar years fitted at a data vintage and the observed share of
the partial last year), :func:`epoch_rows` (the Epoch base-run rows of ``models.csv``
with their lists, developers, verdicts and decimal release years), :func:`census_runs`
(the count model's census: Epoch's large-scale list above the floor, with or without a
compute estimate) and :func:`rank_frontier` (frontier developers by their largest
runs). The model of these records is in :mod:`riskmodel.world.fit`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._io import data_dir
from riskmodel._time import decimal_year, parse_date
from riskmodel.errors import ConfigError, EvidenceError
from riskmodel.world.assumptions import VERDICTS, WorldAssumptions
from riskmodel.world.census import VERDICT_LOG10_FLOP, CensusRuns

__all__ = [
    "CENSUS_LIST",
    "DEFAULT_MODELS_PATH",
    "EPOCH_LISTS_COLUMN",
    "EPOCH_SOURCE_TOKEN",
    "FIRST_FIT_YEAR",
    "FIT_YEARS",
    "LANGUAGE_DOMAINS",
    "NOTABLE_LIST",
    "SUMMARY_LOG10_THRESHOLDS",
    "TIE_BREAK_LOG10_FLOP",
    "census_runs",
    "epoch_rows",
    "fit_years",
    "on_list",
    "organization_developers",
    "rank_frontier",
]

#: Shipped models table at import time (``$RISKMODEL_DATA_DIR/models.csv`` or
#: ``<repository>/data/models.csv``); :func:`fit_world` resolves the folder at call time.
DEFAULT_MODELS_PATH = data_dir() / "models.csv"
#: Token in the ``source`` column of Epoch's notable-model rows (kept for callers that
#: select the notable list by source; the world fit selects by :data:`EPOCH_LISTS_COLUMN`).
EPOCH_SOURCE_TOKEN = "epoch_notable_models"
#: Column naming the Epoch lists a row is on (``notable``, ``large_scale``, ``;``-separated).
EPOCH_LISTS_COLUMN = "epoch_lists"
#: The Epoch list that is the census of the count model (runs believed >= 1e23 FLOP).
CENSUS_LIST = "large_scale"
#: The Epoch list of notable models (the source of cost per FLOP).
NOTABLE_LIST = "notable"
#: First calendar year of every fit.
FIRST_FIT_YEAR = 2018
#: Calendar years fitted at the shipped data vintage (2025-09-01): 2018..2025, 2025 a
#: partial year (see :func:`fit_years`).
FIT_YEARS = (FIRST_FIT_YEAR, 2025)
#: Thresholds (log10 FLOP) of the observed-count summary.
SUMMARY_LOG10_THRESHOLDS = (23.0, 24.0, 25.0, 26.0)
#: Threshold (log10 FLOP) of the first tie-breaker when ranking frontier developers.
TIE_BREAK_LOG10_FLOP = 24.0

#: Epoch domain names that make a run a language (or multimodal) model.
LANGUAGE_DOMAINS = ("Language", "Multimodal")


def fit_years(vintage: str) -> tuple[tuple[int, ...], dict[int, float]]:
    """Calendar years fitted at a data vintage and the observed share of the last one.

    Records are of models released before ``vintage`` (YYYY-MM-DD), so the vintage's
    own year is observed from 1 January to the day before the vintage: exposure
    ``days / days in the year`` (243/365 for 2025-09-01). A vintage on 1 January ends
    the fit with the previous, complete year.

    Returns
    -------
    tuple
        Years ``FIRST_FIT_YEAR .. last`` and ``{last: share}`` if the last is partial.
    """
    day = parse_date(vintage, what="data vintage")
    start = dt.date(day.year, 1, 1)
    days = (day - start).days
    if days == 0:
        return tuple(range(FIRST_FIT_YEAR, day.year)), {}
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return tuple(range(FIRST_FIT_YEAR, day.year + 1)), {day.year: days / length}


def organization_developers(organization: Any, aliases: Mapping[str, str]) -> tuple[str, ...]:
    """Canonical developer names of an Epoch ``organization`` cell (comma-separated)."""
    if not isinstance(organization, str) or not organization.strip():
        return ("unknown",)
    names = []
    for part in organization.split(","):
        name = aliases.get(part.strip(), part.strip())
        if name and name not in names:
            names.append(name)
    return tuple(names)


def on_list(cells: pd.Series, name: str) -> np.ndarray:
    """bool per row: ``name`` is one of the ``;``-separated lists in ``cells``."""
    return (
        cells.fillna("")
        .astype(str)
        .map(lambda cell: name in [part.strip() for part in cell.split(";")])
        .to_numpy(bool)
    )


def epoch_rows(models: pd.DataFrame, assumptions: WorldAssumptions) -> pd.DataFrame:
    """Epoch base runs of the fit years with derived columns.

    Columns added: ``year``, ``t`` (decimal year), ``log10_flop`` (NaN without an
    estimate), ``notable``, ``large_scale``, ``census`` (in the count model's census),
    ``language``, ``verdict`` (Epoch's verdict or None), ``p_above`` (the probability
    of being at or above 1e25 that the verdict, or its absence after the review start,
    stands for; NaN for runs with an estimate and unreviewed runs without a verdict).
    """
    table = models.reset_index() if "model" not in models.columns else models
    needed = (
        "organization",
        "release_date",
        "training_flop",
        "training_cost_usd",
        "open_weights",
        "base_model",
        "domain",
        "compute_note_vs_1e25",
        EPOCH_LISTS_COLUMN,
    )
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise EvidenceError(f"models table lacks column(s) {', '.join(missing)}")
    lists = table[EPOCH_LISTS_COLUMN]
    notable, large = on_list(lists, NOTABLE_LIST), on_list(lists, CENSUS_LIST)
    epoch = table[notable | large].copy()
    epoch["notable"], epoch["large_scale"] = notable[notable | large], large[notable | large]
    dates = pd.to_datetime(epoch["release_date"])
    vintage = assumptions.data_vintage
    late = dates >= pd.Timestamp(vintage)
    if late.any():
        first = epoch.loc[late, "model"].iloc[0]
        raise EvidenceError(
            f"models table has {int(late.sum())} Epoch row(s) released on or after the data "
            f"vintage {vintage} (e.g. '{first}'); data after the vintage must not be used",
            column="release_date",
        )
    years, _ = fit_years(vintage)
    base = epoch["base_model"].isna() | (epoch["base_model"].astype(str).str.strip() == "")
    rows = epoch[base & dates.dt.year.between(years[0], years[-1])].copy()
    rows["year"] = pd.to_datetime(rows["release_date"]).dt.year.astype(int)
    rows["t"] = decimal_year(rows["release_date"])
    flop = pd.to_numeric(rows["training_flop"], errors="coerce").to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rows["log10_flop"] = np.where(flop > 0, np.log10(flop), np.nan)
    rows["open_weights"] = rows["open_weights"].fillna(False).astype(bool)
    domain = rows["domain"].fillna("").astype(str)
    rows["language"] = domain.map(
        lambda d: d.strip() == "" or any(k in d for k in LANGUAGE_DOMAINS)
    ).astype(bool)
    floor = assumptions.floor_log10_flop
    x = rows["log10_flop"].to_numpy(float)
    recorded = np.isfinite(x)
    above = recorded & (np.where(recorded, x, -np.inf) >= floor)
    # The census: runs on the large-scale list (believed >= 1e23) without an estimate or
    # with one at or above the floor, and notable runs at or above the floor.
    rows["census"] = (rows["large_scale"].to_numpy(bool) & ~recorded) | above
    notes = (
        rows["compute_note_vs_1e25"]
        .astype(object)
        .where(rows["compute_note_vs_1e25"].notna(), None)
    )
    unknown = sorted({str(v) for v in notes if v is not None} - set(VERDICTS))
    if unknown:
        raise EvidenceError(
            f"column compute_note_vs_1e25 has unknown verdict(s) {unknown}; "
            f"expected one of {', '.join(VERDICTS)}",
            column="compute_note_vs_1e25",
        )
    rows["verdict"] = notes
    p_above = np.array(
        [assumptions.verdict_p_above[v] if v is not None else np.nan for v in notes], dtype=float
    )
    reviewed = pd.to_datetime(rows["release_date"]) >= pd.Timestamp(assumptions.review_start)
    no_verdict = ~np.isfinite(p_above) & ~recorded & reviewed.to_numpy(bool)
    p_above[no_verdict] = assumptions.no_verdict_p_above
    p_above[recorded] = np.nan
    rows["p_above"] = p_above
    return rows


def census_runs(
    rows: pd.DataFrame, frontier: tuple[str, ...], aliases: Mapping[str, str]
) -> CensusRuns:
    """The census runs of :func:`epoch_rows` output as :class:`CensusRuns`."""
    census = rows[rows["census"]]
    is_frontier = np.array(
        [
            any(d in frontier for d in organization_developers(o, aliases))
            for o in census["organization"]
        ],
        dtype=bool,
    )
    return CensusRuns(
        log10_flop=census["log10_flop"].to_numpy(float),
        year=census["year"].to_numpy(np.int64),
        time=census["t"].to_numpy(float),
        frontier=is_frontier,
        language=census["language"].to_numpy(bool),
        open_weights=census["open_weights"].to_numpy(bool),
        p_above=census["p_above"].to_numpy(float),
    )


def rank_frontier(
    rows: pd.DataFrame,
    aliases: Mapping[str, str],
    n: int,
    frontier_log10_flop: float,
    p_above: Mapping[str, float],
) -> tuple[tuple[str, ...], dict[str, float]]:
    """The ``n`` developers with most census runs at or above ``frontier_log10_flop``.

    A run with an estimate counts 1 if at or above the level; a run without one that
    Epoch judges likely above 1e25 counts that verdict's probability (when the level is
    1e25); other runs without an estimate do not count. Ties are
    broken by runs at or above 1e24, then the largest run, then the name.

    Returns
    -------
    tuple
        The names, and every developer's score.
    """
    census = rows[rows["census"]]
    stats_by_dev: dict[str, list[float]] = {}
    verdicts = frontier_log10_flop == VERDICT_LOG10_FLOP
    for org, x, verdict in zip(
        census["organization"], census["log10_flop"], census["verdict"], strict=True
    ):
        if np.isfinite(x):
            score, tie, top = float(x >= frontier_log10_flop), float(x >= TIE_BREAK_LOG10_FLOP), x
        elif verdicts and verdict is not None and p_above[verdict] > 0.5:
            score, tie, top = p_above[verdict], 0.0, -np.inf
        else:
            continue
        for dev in organization_developers(org, aliases):
            entry = stats_by_dev.setdefault(dev, [0.0, 0.0, -np.inf])
            entry[0] += score
            entry[1] += tie
            entry[2] = max(entry[2], top)
    if len(stats_by_dev) < n:
        raise ConfigError(
            f"developers.n_frontier = {n} exceeds the {len(stats_by_dev)} developers with a "
            "FLOP value in the Epoch records"
        )
    ranked = sorted(
        stats_by_dev,
        key=lambda d: (-stats_by_dev[d][0], -stats_by_dev[d][1], -stats_by_dev[d][2], d),
    )
    return tuple(ranked[:n]), {d: stats_by_dev[d][0] for d in ranked}
