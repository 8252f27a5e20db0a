"""The :class:`Evidence` container: every table the capability model is fitted to.

An :class:`Evidence` holds six tables in canonical form (fixed column order and
dtypes, rows sorted by their key), so two containers built from the same facts in a
different row order are identical and have the same :meth:`Evidence.content_hash`.

Dates in the evidence: a model's ``release_date`` says when the model existed; a
result's ``result_date`` says when the result became public. :meth:`Evidence.released_before`
cuts by the first (which models), :meth:`Evidence.known_by` by the second (what was known
on a day, for as-of backtests).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._time import parse_date
from riskmodel.errors import EvidenceError

from .schema import (
    BENCHMARK_RESULTS,
    BENCHMARKS,
    HARNESSES,
    MODELS,
    TASK_RUNS,
    TIME_HORIZONS,
    V2_COLUMNS,
    ColumnSpec,
    TableSpec,
)

__all__ = ["Evidence", "RESULT_DERIVED_COLUMNS", "parse_iso_date"]

#: Columns :class:`Evidence` adds to the results table.
RESULT_DERIVED_COLUMNS: tuple[str, ...] = ("n_tasks", "n_solved_effective")

_TRUE = {"true", "1", "1.0"}
_FALSE = {"false", "0", "0.0"}


def parse_iso_date(text: str, *, what: str = "date") -> pd.Timestamp:
    """Parse a strict ``YYYY-MM-DD`` date.

    Parameters
    ----------
    text
        The date, e.g. ``"2024-03-04"``.
    what
        Name used in the error message.

    Returns
    -------
    pandas.Timestamp
        Midnight of that day (nanosecond resolution).

    Raises
    ------
    EvidenceError
        If ``text`` is not a valid ``YYYY-MM-DD`` date.
    """
    day = parse_date(text, what=what, error=EvidenceError)
    try:
        return pd.Timestamp(day).as_unit("ns")
    except (OverflowError, pd.errors.OutOfBoundsDatetime):
        raise EvidenceError(
            f"{what} {text!r} is outside the supported years {pd.Timestamp.min.year + 1} to "
            f"{pd.Timestamp.max.year - 1}"
        ) from None


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return bool(isinstance(v, str) and v.strip() == "")


def _to_bool(v: Any, table: str, col: str) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)) and int(v) in (0, 1):
        return bool(v)
    if isinstance(v, str):
        low = v.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise EvidenceError(f"table '{table}', column '{col}': {v!r} is not true or false")


def _is_text(values: pd.Series) -> bool:
    """Whether every cell of ``values`` is text or missing (a string column, or an object
    column of ``str`` such as a netCDF file gives back)."""
    if isinstance(values.dtype, pd.StringDtype):
        return True
    return pd.api.types.is_object_dtype(values.dtype) and (
        pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")
    )


def _blank(values: pd.Series) -> np.ndarray:
    """bool array: the missing (:func:`_is_missing`) cells of a column of text (every
    cell a ``str`` or missing: :func:`_is_text`). One pass in Python: cheaper than the
    string accessor on the many short columns of evidence subsets."""
    return np.fromiter(
        (not isinstance(v, str) or not v.strip() for v in values.tolist()),
        dtype=bool,
        count=len(values),
    )


def _coerce_typed_column(values: pd.Series, col: ColumnSpec, table: str) -> pd.Series | None:
    """:func:`_coerce_column` of a column that already has a dtype of its type, done on
    whole arrays (tables rebuilt from canonical ones: the fit file's copy, subsets);
    ``None`` when the dtype is not one of them (then the cell-by-cell path applies)."""
    dtype = values.dtype
    if col.dtype in ("str", "enum") and _is_text(values):
        missing = _blank(values)
        values, target = values.where(~missing), "str"
    elif col.dtype == "float" and pd.api.types.is_float_dtype(dtype):
        missing, target = values.isna(), "float64"
    elif col.dtype == "int" and pd.api.types.is_signed_integer_dtype(dtype):
        missing, target = values.isna(), "int64" if col.nonempty else "Int64"
    elif col.dtype == "bool" and pd.api.types.is_bool_dtype(dtype):
        missing, target = values.isna(), "bool" if col.nonempty else "boolean"
    elif col.dtype == "date" and dtype == np.dtype("datetime64[ns]"):
        missing, target = values.isna(), "datetime64[ns]"
    else:
        return None
    if col.nonempty and missing.any():
        raise EvidenceError(f"table '{table}', column '{col.name}' has empty values")
    return values.astype(target)  # a copy, as the cell-by-cell path returns


def _coerce_column(values: pd.Series, col: ColumnSpec, table: str) -> pd.Series:
    """Convert one column to its canonical dtype (missing values -> NaN / NA / NaT)."""
    typed = _coerce_typed_column(values, col, table)
    if typed is not None:
        return typed
    objs = values.astype(object).tolist()
    missing = [_is_missing(v) for v in objs]
    if col.nonempty and any(missing):
        raise EvidenceError(f"table '{table}', column '{col.name}' has empty values")
    try:
        if col.dtype in ("str", "enum"):
            out = [np.nan if m else str(v) for v, m in zip(objs, missing, strict=True)]
            return pd.Series(out, index=values.index, dtype="str")
        if col.dtype == "float":
            out = [np.nan if m else float(v) for v, m in zip(objs, missing, strict=True)]
            return pd.Series(out, index=values.index, dtype="float64")
        if col.dtype == "int":
            ints: list[Any] = []
            for v, m in zip(objs, missing, strict=True):
                if m:
                    ints.append(pd.NA)
                    continue
                f = float(v)
                if not f.is_integer():
                    raise ValueError(v)
                ints.append(int(f))
            dtype = "int64" if col.nonempty else "Int64"
            return pd.Series(ints, index=values.index, dtype=dtype)
        if col.dtype == "bool":
            if not col.nonempty:  # nullable whether or not a value is missing
                out_b = [
                    pd.NA if m else _to_bool(v, table, col.name)
                    for v, m in zip(objs, missing, strict=True)
                ]
                return pd.Series(out_b, index=values.index, dtype="boolean")
            return pd.Series(
                [_to_bool(v, table, col.name) for v in objs], index=values.index, dtype="bool"
            )
        if col.dtype == "date":
            stamps = []
            for v, m in zip(objs, missing, strict=True):
                if m:
                    stamps.append(pd.NaT)
                elif isinstance(v, str):
                    text = v.strip()
                    if text.endswith(("T00:00:00", " 00:00:00")):
                        text = text[:10]
                    stamps.append(parse_iso_date(text, what=col.name))
                else:
                    stamps.append(pd.Timestamp(v))
            return pd.Series(stamps, index=values.index, dtype="datetime64[ns]")
    except EvidenceError:
        raise
    except (TypeError, ValueError, OverflowError):
        raise EvidenceError(
            f"table '{table}', column '{col.name}' has a value that is not "
            f"{'an integer' if col.dtype == 'int' else 'a ' + col.dtype}"
        ) from None
    raise AssertionError(col.dtype)  # pragma: no cover


def _canonical(
    df: pd.DataFrame, spec: TableSpec, *, index: str | None, extra: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Return ``df`` with ``spec``'s columns in order, canonical dtypes, rows sorted."""
    if not isinstance(df, pd.DataFrame):
        raise EvidenceError(f"table '{spec.name}' must be a pandas DataFrame")
    frame = df
    if index is not None and index not in frame.columns:
        if frame.index.name == index:
            frame = frame.reset_index()
        else:
            raise EvidenceError(f"table '{spec.name}' has no '{index}' column or index")
    missing = [c for c in spec.names if c not in frame.columns]
    if missing:
        raise EvidenceError(f"table '{spec.name}' lacks the column(s) {', '.join(missing)}")
    frame = frame.reset_index(drop=True)
    out = pd.DataFrame(
        {c.name: _coerce_column(frame[c.name], c, spec.name) for c in spec.columns},
        index=frame.index,
    )
    for c in spec.columns:  # key columns hold "" rather than NaN, so groupby keeps them
        if c.name in spec.key and c.dtype == "str" and not c.nonempty:
            out[c.name] = out[c.name].fillna("")
    for name in extra:
        if name in frame.columns:
            out[name] = frame[name]
    key = list(spec.key)
    dup = out.duplicated(subset=key, keep=False)
    if dup.any():
        first = out.loc[dup, key].iloc[0].tolist()
        raise EvidenceError(
            f"table '{spec.name}' has duplicate rows for {dict(zip(key, first, strict=True))}"
        )
    out = out.sort_values(key, kind="mergesort").reset_index(drop=True)
    if index is not None:
        out = out.set_index(index)
    return out


def _with_v2_columns(
    df: pd.DataFrame, spec: TableSpec, release: Mapping[str, Any] | None
) -> pd.DataFrame:
    """``df`` with the format-2 columns it lacks added as empty (tables built by older code).

    A missing ``result_date`` becomes the model's release date (the researcher default);
    a missing column that must not be empty (``task_runs.harness``) is left missing, so
    :func:`_canonical` reports it.
    """
    if not isinstance(df, pd.DataFrame):
        return df
    absent = [c for c in V2_COLUMNS.get(spec.name, ()) if c not in df.columns]
    if not absent:
        return df
    out = df.copy()
    for name in absent:
        col = spec.column(name)
        if name == "result_date" and release is not None and "model" in out.columns:
            out[name] = [release.get(m, pd.NaT) for m in out["model"]]
        elif not col.nonempty:
            out[name] = None
    return out


def _derive_results(results: pd.DataFrame, benchmarks: pd.DataFrame) -> pd.DataFrame:
    """Add ``n_tasks`` and ``n_solved_effective`` to a canonical results table."""
    out = results.copy()
    registry_n = out["benchmark"].map(benchmarks["n_tasks"])
    n_att = out["n_attempted"]
    n_tasks = n_att.astype("Float64").fillna(registry_n.astype("Float64"))
    if n_tasks.isna().any():
        bad = out.loc[n_tasks.isna(), ["model", "benchmark"]].iloc[0].tolist()
        raise EvidenceError(
            f"result {bad[0]} on {bad[1]} gives only a score, and benchmark '{bad[1]}' "
            "is not in the registry, so its number of tasks is unknown"
        )
    n_tasks_i = n_tasks.astype("int64")
    est = np.floor(out["score"].to_numpy(dtype=float) * n_tasks_i.to_numpy() + 0.5)
    solved = out["n_solved"].astype("Float64").fillna(pd.Series(est, index=out.index))
    if solved.isna().any():
        bad = out.loc[solved.isna(), ["model", "benchmark"]].iloc[0].tolist()
        raise EvidenceError(f"result {bad[0]} on {bad[1]} has neither n_solved nor score")
    out["n_tasks"] = n_tasks_i.to_numpy(dtype="int64")
    out["n_solved_effective"] = solved.astype("int64").to_numpy(dtype="int64")
    return out


def _cell_json(v: Any) -> Any:
    if _is_missing(v):
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return str(v)


def _column_json(values: pd.Series) -> list[Any]:
    """:func:`_cell_json` of every cell of ``values``, on whole arrays where the dtype
    allows it (the same values, faster: :meth:`Evidence.content_hash` hashes every cell)."""
    dtype = values.dtype
    if dtype == np.dtype("float64"):
        return [None if math.isnan(v) else repr(v) for v in values.tolist()]
    if dtype in (np.dtype("int64"), np.dtype("bool")):
        return values.tolist()
    if dtype == np.dtype("datetime64[ns]"):
        text = values.dt.strftime("%Y-%m-%d")
        return [None if m else t for t, m in zip(text.tolist(), values.isna(), strict=True)]
    if isinstance(dtype, pd.StringDtype):
        missing = _blank(values).tolist()
        return [None if m else v for v, m in zip(values.tolist(), missing, strict=True)]
    return [_cell_json(v) for v in values.astype(object).tolist()]


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``table`` with nullable booleans as objects (``True``/``False``/``None``).

    Writers that store a ``bool`` column as integers cannot store a missing value;
    an object column is stored as text and read back by :func:`_coerce_column`.
    """
    out = table.copy()
    for name in out.columns:
        if str(out[name].dtype) == "boolean":
            out[name] = pd.Series(
                [None if pd.isna(v) else bool(v) for v in out[name]], index=out.index, dtype=object
            )
    return out


def _check_dates(table: pd.DataFrame, name: str, release: pd.Series) -> None:
    """Raise if a ``result_date`` of ``table`` is before its model's release date."""
    if not len(table):
        return
    released = table["model"].map(release)
    early = table["result_date"] < released
    if early.any():
        row = table.loc[early].iloc[0]
        raise EvidenceError(
            f"table '{name}': result_date {row['result_date']:%Y-%m-%d} of model "
            f"'{row['model']}' is before its release_date {released[early].iloc[0]:%Y-%m-%d}"
        )


@dataclass(frozen=True, eq=False)
class Evidence:
    """All evidence the capability model is fitted to.

    The constructor puts every table in canonical form: columns in the order of
    :mod:`riskmodel.evidence.schema`, canonical dtypes, rows sorted by their key. It
    recomputes the derived result columns from the registry. It raises
    :class:`~riskmodel.errors.EvidenceError` if a table lacks a column, a key repeats,
    or a row refers to an unknown model or benchmark.

    Attributes
    ----------
    models : pandas.DataFrame
        One row per model, index ``model`` (str). Columns as ``models.csv``:
        ``release_date`` is ``datetime64[ns]`` (NaT unknown), ``training_flop`` and
        ``finetune_flop`` float FLOP (NaN unknown), ``training_cost_usd`` float 2023 USD,
        ``open_weights`` and ``frontier`` bool, ``reasoning_trained`` nullable
        ``boolean`` (NA unknown), text and enum columns ``str`` (NaN empty).
    results : pandas.DataFrame
        Aggregate benchmark results, shape ``(n_results, 12)``, one row per
        ``(model, benchmark, harness, effort)``: ``model``, ``benchmark``,
        ``n_attempted`` and ``n_solved`` (``Int64``, NA unknown), ``score`` (float
        fraction in [0, 1], NaN unknown), ``harness``, ``source``, ``effort`` (str,
        ``""`` for the default setting), ``score_se`` (float fraction, NaN unknown),
        ``result_date`` (``datetime64[ns]``), plus the derived ``n_tasks`` (int64:
        ``n_attempted`` if given, else the registry's ``n_tasks``) and
        ``n_solved_effective`` (int64: ``n_solved`` if given, else
        ``floor(score * n_tasks + 0.5)``).
    task_runs : pandas.DataFrame
        Individual timed task attempts, shape ``(n_runs, 11)``, columns as
        ``task_runs.csv``: ``run`` and ``success`` int64, ``human_minutes`` float
        minutes, ``harness`` str, ``result_date`` ``datetime64[ns]``.
    benchmarks : pandas.DataFrame
        The benchmark registry including benchmarks declared in researcher files,
        index ``slug``; ``chance`` float fraction, ``n_tasks`` int64.
    sources : tuple of str
        Paths of the files that contributed, in loading order.
    harnesses : pandas.DataFrame
        The harness registry including harnesses declared in researcher files, index
        ``slug``; columns ``name``, ``kind`` (``base_few_shot``, ``chat``, ``agent``),
        ``description``, ``source``. ``None`` (tables built by older code) gives an
        empty registry; an empty registry is not checked against the harnesses used.
    time_horizons : pandas.DataFrame
        METR time horizons, one row per ``(model, horizon_version)``, columns as
        ``time_horizons.csv`` (minutes as float, ``result_date`` ``datetime64[ns]``).
        ``None`` gives an empty table. Time horizons do not count as evidence for
        :meth:`evidence_models` and :attr:`vintage`.
    declared_vintage : str or None
        The data vintage the shipped data folder declares in its ``vintage.toml``
        (``YYYY-MM-DD``; e.g. ``2025-09-01`` for "models released before 2025-09-01"),
        or ``None`` for evidence built without one. See :attr:`vintage`.

    Notes
    -----
    Format-2 columns missing from the given tables (tables built by older code) are
    added empty; a missing ``result_date`` is the model's ``release_date``. In
    ``results`` an empty ``effort`` (the model's default setting) is ``""``, never NaN,
    so grouping by the key ``(model, benchmark, harness, effort)`` keeps every row.
    ``models.reasoning_trained`` is a nullable ``boolean`` (NA unknown).

    To change one table and keep the others, use ``dataclasses.replace(evidence,
    results=...)``: the constructor runs again and checks the new combination.
    """

    models: pd.DataFrame
    results: pd.DataFrame
    task_runs: pd.DataFrame
    benchmarks: pd.DataFrame
    sources: tuple[str, ...] = ()
    harnesses: pd.DataFrame | None = None
    time_horizons: pd.DataFrame | None = None
    declared_vintage: str | None = None

    def __post_init__(self) -> None:
        if self.declared_vintage is not None:
            parse_iso_date(self.declared_vintage, what="declared vintage")
        benchmarks = _canonical(self.benchmarks, BENCHMARKS, index="slug")
        given_harnesses = self.harnesses
        if given_harnesses is None:
            given_harnesses = pd.DataFrame(columns=list(HARNESSES.names))
        harnesses = _canonical(given_harnesses, HARNESSES, index="slug")
        models = _canonical(_with_v2_columns(self.models, MODELS, None), MODELS, index="model")
        release = models["release_date"].to_dict()
        results = _canonical(
            _with_v2_columns(self.results, BENCHMARK_RESULTS, release),
            BENCHMARK_RESULTS,
            index=None,
        )
        task_runs = _canonical(
            _with_v2_columns(self.task_runs, TASK_RUNS, release), TASK_RUNS, index=None
        )
        given_horizons = self.time_horizons
        if given_horizons is None:
            given_horizons = pd.DataFrame(columns=list(TIME_HORIZONS.names))
        horizons = _canonical(given_horizons, TIME_HORIZONS, index=None)
        tables = (("results", results), ("task_runs", task_runs), ("time_horizons", horizons))
        for name, table in tables:
            unknown_m = sorted(set(table["model"]) - set(models.index))
            if unknown_m:
                raise EvidenceError(
                    f"table '{name}' refers to model(s) missing from the models table: "
                    + ", ".join(unknown_m[:5])
                )
            if name == "time_horizons":
                continue
            unknown_b = sorted(set(table["benchmark"]) - set(benchmarks.index))
            if unknown_b:
                raise EvidenceError(
                    f"table '{name}' refers to benchmark(s) missing from the registry: "
                    + ", ".join(unknown_b[:5])
                )
            unknown_h = sorted(set(table["harness"]) - set(harnesses.index))
            if len(harnesses) and unknown_h:
                raise EvidenceError(
                    f"table '{name}' refers to harness(es) missing from the harness "
                    "registry: " + ", ".join(unknown_h[:5])
                )
        with_evidence = set(results["model"]) | set(task_runs["model"]) | set(horizons["model"])
        undated = sorted(m for m in with_evidence if pd.isna(models.at[m, "release_date"]))
        if undated:
            raise EvidenceError(
                "model(s) with evidence but no release_date: " + ", ".join(undated[:5])
            )
        for name, table in tables:
            _check_dates(table, name, models["release_date"])
        sourceless = models.index[
            models["reasoning_trained"].eq(True).fillna(False).to_numpy(dtype=bool)
            & models["reasoning_source"].isna().to_numpy()
        ]
        if len(sourceless):
            raise EvidenceError(
                "model(s) with reasoning_trained true but no reasoning_source: "
                + ", ".join(list(sourceless)[:5])
            )
        object.__setattr__(self, "benchmarks", benchmarks)
        object.__setattr__(self, "harnesses", harnesses)
        object.__setattr__(self, "models", models)
        object.__setattr__(self, "results", _derive_results(results, benchmarks))
        object.__setattr__(self, "task_runs", task_runs)
        object.__setattr__(self, "time_horizons", horizons)
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))

    # ------------------------------------------------------------------ identity
    def content_hash(self) -> str:
        """SHA-256 of a canonical serialisation of the six tables (:meth:`to_tables`).

        The hash does not depend on :attr:`sources`, on the row order of the input
        files, or on the process; it changes when any value changes.

        Returns
        -------
        str
            64 hexadecimal characters.
        """
        payload: dict[str, Any] = {}
        for name, table in self.to_tables().items():
            if name == "sources":
                continue
            cols = list(table.columns)
            cells = [_column_json(table[c]) for c in cols]
            rows = [list(row) for row in zip(*cells, strict=True)]
            payload[name] = {"columns": cols, "rows": rows}
        text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return hashlib.sha256(text.encode("ascii")).hexdigest()

    # ----------------------------------------------------------------- queries
    def evidence_models(self) -> list[str]:
        """Models with at least one result or task run.

        Returns
        -------
        list of str
            Model names sorted by ``(release_date, model)``.
        """
        names = set(self.results["model"]) | set(self.task_runs["model"])
        dates = self.models["release_date"]
        return sorted(names, key=lambda m: (dates[m], m))

    @property
    def vintage(self) -> str:
        """Data vintage, ``YYYY-MM-DD``: what captions, reports and fit files quote.

        The later of the folder's :attr:`declared_vintage` (the shipped data's cutoff,
        ``2025-09-01``: evidence on models released before that date) and the latest
        release date among models with results or task runs (so evidence a researcher
        adds for a later model moves the vintage on). Without a declared vintage it is
        the latest release date alone. Time horizons do not count (they summarise task
        runs).

        Returns
        -------
        str
            ``YYYY-MM-DD``.

        Raises
        ------
        EvidenceError
            If there is no evidence at all.
        """
        names = self.evidence_models()
        if not names:
            raise EvidenceError("the evidence has no results or task runs, so no vintage")
        latest = pd.Timestamp(self.models.loc[names, "release_date"].max())
        if self.declared_vintage is not None:
            latest = max(latest, pd.Timestamp(self.declared_vintage))
        return latest.strftime("%Y-%m-%d")

    @property
    def last_result_date(self) -> str:
        """The latest ``result_date`` of a result, task run or time horizon.

        ``known_by(d)`` keeps everything for any ``d`` after this date.

        Returns
        -------
        str
            ``YYYY-MM-DD``.

        Raises
        ------
        EvidenceError
            If there is no evidence at all.
        """
        dates = pd.concat(
            [t["result_date"] for t in (self.results, self.task_runs, self.time_horizons)]
        ).dropna()
        if not len(dates):
            raise EvidenceError("the evidence has no results or task runs, so no result date")
        return pd.Timestamp(dates.max()).strftime("%Y-%m-%d")

    def _subset(
        self,
        results: pd.Series,
        task_runs: pd.Series,
        time_horizons: pd.Series,
        *,
        declared_vintage: str | None,
    ) -> Evidence:
        """Evidence with the rows selected by the three masks; other tables kept whole."""
        return Evidence(
            models=self.models,
            results=self.results[results],
            task_runs=self.task_runs[task_runs],
            benchmarks=self.benchmarks,
            sources=self.sources,
            harnesses=self.harnesses,
            time_horizons=self.time_horizons[time_horizons],
            declared_vintage=declared_vintage,
        )

    def _split(self, date: str, *, before: bool) -> Evidence:
        cutoff = parse_iso_date(date, what="split date")
        dates = self.models["release_date"]

        def keep(table: pd.DataFrame) -> pd.Series:
            early = table["model"].map(dates) < cutoff
            return early if before else ~early

        return self._subset(
            keep(self.results),
            keep(self.task_runs),
            keep(self.time_horizons),
            declared_vintage=self._declared_before(cutoff) if before else self.declared_vintage,
        )

    def _declared_before(self, cutoff: pd.Timestamp) -> str | None:
        """The declared vintage of a subset cut at ``cutoff``: kept only if it is not later
        (a folder "as of 2025-09-01" cut at 2024-01-01 no longer describes its contents;
        :attr:`vintage` then falls back on the latest release date)."""
        declared = self.declared_vintage
        if declared is not None and pd.Timestamp(declared) <= cutoff:
            return declared
        return None

    def released_before(self, date: str) -> Evidence:
        """Evidence of the models released strictly before ``date``.

        Parameters
        ----------
        date
            Cut-off, ``YYYY-MM-DD``.

        Returns
        -------
        Evidence
            Results, task runs and time horizons of models with ``release_date < date``;
            the models, benchmarks and harnesses tables are kept whole. The declared
            vintage is kept only if it is not after ``date``.
        """
        return self._split(date, before=True)

    def released_on_or_after(self, date: str) -> Evidence:
        """Evidence of the models released on or after ``date``.

        Parameters
        ----------
        date
            Cut-off, ``YYYY-MM-DD``.

        Returns
        -------
        Evidence
            Complement of :meth:`released_before`; models, benchmarks and harnesses
            kept whole.
        """
        return self._split(date, before=False)

    def known_by(self, date: str) -> Evidence:
        """The evidence that was public before ``date`` (for as-of backtests).

        Unlike :meth:`released_before`, which selects models, this selects results: a
        result published after ``date`` on a model released long before is left out.

        Parameters
        ----------
        date
            Cut-off, ``YYYY-MM-DD``.

        Returns
        -------
        Evidence
            Results, task runs and time horizons with ``result_date < date``; the models,
            benchmarks and harnesses tables are kept whole (restrict the models table
            yourself if later releases must not be seen either).

        Raises
        ------
        EvidenceError
            If ``date`` is not a ``YYYY-MM-DD`` date.
        """
        cutoff = parse_iso_date(date, what="as-of date")
        return self._subset(
            self.results["result_date"] < cutoff,
            self.task_runs["result_date"] < cutoff,
            self.time_horizons["result_date"] < cutoff,
            declared_vintage=self._declared_before(cutoff),
        )

    # ------------------------------------------------------------- persistence
    def to_tables(self) -> dict[str, pd.DataFrame]:
        """Plain tables for storing with a fit.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``models`` (``model`` as a column), ``results``, ``task_runs``,
            ``benchmarks`` and ``harnesses`` (``slug`` as a column), ``time_horizons``,
            ``sources`` (one column ``source``) and ``vintage`` (one row, column
            ``vintage``: the declared vintage or ``""``), all with a default integer index.
            Nullable booleans (``models.reasoning_trained``) are object columns of
            ``True``/``False``/``None``. Copies: changing them does not change this
            object.
        """
        return {
            "models": _plain(self.models.reset_index()),
            "results": self.results.copy(),
            "task_runs": self.task_runs.copy(),
            "benchmarks": self.benchmarks.reset_index(),
            "harnesses": self.harnesses.reset_index(),
            "time_horizons": self.time_horizons.copy(),
            "sources": pd.DataFrame({"source": pd.Series(list(self.sources), dtype="str")}),
            "vintage": pd.DataFrame(
                {"vintage": pd.Series([self.declared_vintage or ""], dtype="str")}
            ),
        }

    @classmethod
    def from_tables(cls, tables: Mapping[str, pd.DataFrame]) -> Evidence:
        """Rebuild an :class:`Evidence` from :meth:`to_tables` output.

        Dtypes are restored, so tables that went through CSV or Parquet (dates as
        text, booleans as ``"true"``) are accepted.

        Parameters
        ----------
        tables
            Mapping with keys ``models``, ``results``, ``task_runs``, ``benchmarks``
            and optionally ``harnesses``, ``time_horizons`` and ``sources``.

        Returns
        -------
        Evidence

        Raises
        ------
        EvidenceError
            If a table is missing or malformed.
        """
        missing = [k for k in ("models", "results", "task_runs", "benchmarks") if k not in tables]
        if missing:
            raise EvidenceError(f"stored evidence lacks the table(s) {', '.join(missing)}")
        src = tables.get("sources")
        sources: tuple[str, ...] = ()
        if src is not None and len(src):
            sources = tuple(str(s) for s in src.iloc[:, 0].tolist())
        return cls(
            models=tables["models"],
            results=tables["results"],
            task_runs=tables["task_runs"],
            benchmarks=tables["benchmarks"],
            sources=sources,
            harnesses=tables.get("harnesses"),
            time_horizons=tables.get("time_horizons"),
            declared_vintage=_stored_vintage(tables.get("vintage")),
        )

    def __repr__(self) -> str:
        return (
            f"Evidence({len(self.models)} models, {len(self.results)} results, "
            f"{len(self.task_runs)} task runs, {len(self.time_horizons)} time horizons, "
            f"{len(self.benchmarks)} benchmarks, {len(self.harnesses)} harnesses)"
        )


def _stored_vintage(table: pd.DataFrame | None) -> str | None:
    """The declared vintage kept by :meth:`Evidence.to_tables` (``None`` if absent/empty)."""
    if table is None or not len(table) or "vintage" not in table.columns:
        return None
    value = table["vintage"].iloc[0]
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value) == "":
        return None
    return str(value)
