"""Loading evidence: the shipped tables and researcher files, checked across rows and files.

The files are read and each cell validated by :mod:`riskmodel.evidence.cells` (pandas-free;
errors name the file, line and column); this module adds the checks between rows and
between tables (keys, references to models, benchmarks and harnesses, dates, counts,
declarations of new benchmarks and harnesses in researcher files) and assembles the
tables of an :class:`~riskmodel.evidence.dataset.Evidence`. Nothing here lets a pandas,
``KeyError`` or ``ValueError`` traceback escape for bad input: every validation failure
is an :class:`~riskmodel.errors.EvidenceError`.
"""

from __future__ import annotations

import difflib
import functools
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from riskmodel._io import DATA_DIR_VARIABLE, data_dir
from riskmodel._time import parse_date
from riskmodel.errors import EvidenceError

from .cells import Row, check_cell_text, parse_row, read_rows, read_table
from .cells import format_value as _fmt
from .dataset import Evidence, _canonical
from .schema import (
    BENCHMARK_DECLARATION_COLUMNS,
    BENCHMARK_RESULTS,
    BENCHMARKS,
    DEFAULT_HARNESS,
    HARNESS_DECLARATION_COLUMNS,
    HARNESSES,
    MODEL_LEVEL_COLUMNS,
    MODELS,
    RESEARCHER_EVIDENCE,
    SHIPPED_TABLES,
    SLUG_PATTERN,
    TASK_RUNS,
    TIME_HORIZONS,
    TableSpec,
)

__all__ = [
    "DATA_DIR",
    "default_data_dir",
    "load_shipped_evidence",
    "load_evidence_csv",
    "load_evidence",
    "check_cell_text",
]

#: Relative tolerance when a researcher restates a shipped number (FLOP, cost).
_RESTATE_RTOL = 0.01

#: Directory of the shipped tables (:func:`riskmodel._io.data_dir`: ``$RISKMODEL_DATA_DIR``
#: if set, else ``<repository>/data``).
default_data_dir = data_dir


#: Directory of the shipped tables at import time (see :func:`default_data_dir`).
DATA_DIR: Path = default_data_dir()


# ---------------------------------------------------------------------------- rows
def _timestamps(spec: TableSpec, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with its dates as pandas Timestamps (ns), as the tables hold them."""
    for col in spec.columns:
        day = values[col.name]
        if col.dtype == "date" and day is not None:
            values[col.name] = pd.Timestamp(day).as_unit("ns")
    return values


def _parse_row(spec: TableSpec, row: Row, display: str) -> dict[str, Any]:
    return _timestamps(spec, parse_row(spec, row, display))


def _check_counts(values: dict[str, Any], *, file: str, line: int) -> None:
    """Check the n_attempted / n_solved / score rule of one result row."""
    n_att, n_sol, score = values.get("n_attempted"), values.get("n_solved"), values.get("score")
    if n_att is None and n_sol is None and score is None:
        raise EvidenceError(
            "give either n_attempted and n_solved, or score (or all three)",
            file=file,
            row=line,
            column="score",
        )
    if (n_att is None) != (n_sol is None):
        missing = "n_attempted" if n_att is None else "n_solved"
        other = "n_solved" if n_att is None else "n_attempted"
        raise EvidenceError(
            f"{other} is given but {missing} is empty; give both counts, or only score",
            file=file,
            row=line,
            column=missing,
        )
    if n_att is not None and n_sol is not None:
        if n_sol > n_att:
            raise EvidenceError(
                f"n_solved ({n_sol}) is larger than n_attempted ({n_att})",
                file=file,
                row=line,
                column="n_solved",
            )
        if score is not None and abs(score - n_sol / n_att) > 0.5 / n_att + 1e-12:
            raise EvidenceError(
                f"score {score:g} does not match n_solved / n_attempted = {n_sol}/{n_att} = "
                f"{n_sol / n_att:.4g} (allowed difference 0.5/n_attempted = {0.5 / n_att:.3g})",
                file=file,
                row=line,
                column="score",
            )


def _unknown_benchmark_hint(slug: str, known: Sequence[str]) -> str:
    return _closest(slug, known, "benchmarks", "riskmodel benchmarks")


# ---------------------------------------------------------------------------- shipped
def _read_table(path: Path, spec: TableSpec) -> tuple[list[dict[str, Any]], list[int]]:
    """Read and validate one shipped table: parsed rows (dates as Timestamps), their lines."""
    rows, lines = read_table(path, spec)
    return [_timestamps(spec, values) for values in rows], lines


def _load_registry(path: Path) -> pd.DataFrame:
    rows, _ = _read_table(path, BENCHMARKS)
    return _canonical(pd.DataFrame(rows, columns=list(BENCHMARKS.names)), BENCHMARKS, index="slug")


def _load_harness_registry(path: Path) -> pd.DataFrame:
    rows, _ = _read_table(path, HARNESSES)
    return _canonical(pd.DataFrame(rows, columns=list(HARNESSES.names)), HARNESSES, index="slug")


def _shipped_paths(data_dir: str | Path | None) -> dict[str, Path]:
    base = Path(data_dir) if data_dir is not None else default_data_dir()
    return {spec.name: base / spec.filename for spec in SHIPPED_TABLES}


#: File in the data folder that declares its vintage (written by scripts/build_data).
VINTAGE_FILE = "vintage.toml"


def read_declared_vintage(data_dir: str | Path | None = None) -> str | None:
    """The data vintage a data folder declares in ``vintage.toml`` (``None`` if absent).

    Parameters
    ----------
    data_dir
        Data folder; default :func:`default_data_dir`.

    Returns
    -------
    str or None
        ``YYYY-MM-DD``.

    Raises
    ------
    EvidenceError
        If the file is not TOML or its ``vintage`` is not a ``YYYY-MM-DD`` date.
    """
    path = (Path(data_dir) if data_dir is not None else default_data_dir()) / VINTAGE_FILE
    if not path.exists():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EvidenceError(f"not a valid TOML file: {exc}", file=str(path)) from None
    value = data.get("vintage")
    vintage = functools.partial(EvidenceError, file=str(path))
    return parse_date(value, what="key 'vintage'", error=vintage).isoformat()


def _closest(slug: str, known: Sequence[str], what: str, listing: str) -> str:
    close = difflib.get_close_matches(slug.lower(), list(known), n=3, cutoff=0.6)
    parts = []
    if close:
        parts.append("did you mean " + " or ".join(f"'{c}'" for c in close) + "?")
    if len(known) <= 40:
        parts.append(f"known {what}: " + ", ".join(sorted(known)))
    else:
        parts.append(f"run `{listing}` to list the known {what}")
    return "; ".join(parts)


def _unknown_harness_hint(slug: str, known: Sequence[str]) -> str:
    return _closest(slug, known, "harnesses", "riskmodel benchmarks --harnesses")


def _check_result_date(
    values: dict[str, Any],
    released: pd.Timestamp | None,
    *,
    file: str,
    line: int,
    where: str,
) -> None:
    """Refuse a ``result_date`` before the model's release date (``where`` cites it)."""
    date = values.get("result_date")
    if date is None or released is None or date >= released:
        return
    raise EvidenceError(
        f"result_date {_fmt(date)} is before the release_date {_fmt(released)} of model "
        f"'{values['model']}' ({where}); a result cannot be public before its model",
        file=file,
        row=line,
        column="result_date",
    )


def _check_reasoning(values: dict[str, Any], *, file: str, line: int) -> None:
    """Refuse ``reasoning_trained = true`` without a ``reasoning_source``."""
    if values.get("reasoning_trained") is True and values.get("reasoning_source") is None:
        raise EvidenceError(
            f"reasoning_trained is true for model '{values['model']}' but reasoning_source "
            "is empty; cite where the flag comes from (paper, model card, announcement)",
            file=file,
            row=line,
            column="reasoning_source",
        )


def _check_horizon(values: dict[str, Any], *, file: str, line: int) -> None:
    """Check the order of a time horizon's interval and its 80 % horizon."""
    p50, low, high = values["p50_minutes"], values["p50_ci_low"], values["p50_ci_high"]
    p80 = values["p80_minutes"]
    for column, bad, text in (
        ("p50_ci_low", low is not None and low > p50, "above"),
        ("p50_ci_high", high is not None and high < p50, "below"),
    ):
        if bad:
            raise EvidenceError(
                f"{column} {_fmt(values[column])} is {text} p50_minutes {_fmt(p50)}; the "
                "interval must contain the estimate",
                file=file,
                row=line,
                column=column,
            )
    if p80 is not None and p80 > p50:
        raise EvidenceError(
            f"p80_minutes {_fmt(p80)} is above p50_minutes {_fmt(p50)}; the 80 % horizon "
            "cannot be longer than the 50 % horizon (are the columns swapped?)",
            file=file,
            row=line,
            column="p80_minutes",
        )


def load_shipped_evidence(data_dir: str | Path | None = None) -> Evidence:
    """Load and validate the six shipped tables.

    Parameters
    ----------
    data_dir
        Directory holding ``benchmarks.csv``, ``harnesses.csv``, ``models.csv``,
        ``benchmark_results.csv``, ``task_runs.csv`` and ``time_horizons.csv``; default
        :func:`default_data_dir` (``$RISKMODEL_DATA_DIR`` or ``<repository>/data``).

    Returns
    -------
    Evidence
        The shipped evidence; ``sources`` holds the six file paths.

    Raises
    ------
    EvidenceError
        If a file is missing or any row breaks the rules of
        :mod:`riskmodel.evidence.schema` (naming file, line and column), if a result,
        task run or time horizon names a model, benchmark or harness that is not
        defined, if a model with evidence has no release date, if a ``result_date`` is
        before the model's release date, or if ``reasoning_trained`` is true without a
        ``reasoning_source``.
    """
    paths = _shipped_paths(data_dir)
    names = ", ".join(spec.filename for spec in SHIPPED_TABLES)
    for p in paths.values():
        if not p.exists():
            raise EvidenceError(
                f"shipped table not found; set {DATA_DIR_VARIABLE} or pass data_dir to point at "
                f"the directory holding {names}",
                file=str(p),
            )
    registry = _load_registry(paths["benchmarks"])
    harnesses = _load_harness_registry(paths["harnesses"])
    known = list(registry.index)
    known_harnesses = list(harnesses.index)
    models_file = str(paths["models"])
    models, model_lines = _read_table(paths["models"], MODELS)
    model_line = {m["model"]: line for m, line in zip(models, model_lines, strict=True)}
    model_date = {m["model"]: m["release_date"] for m in models}
    for m, line in zip(models, model_lines, strict=True):
        _check_flop_confidence(m, file=models_file, line=line)
        _check_reasoning(m, file=models_file, line=line)

    first_use: dict[str, tuple[str, int]] = {}
    results, result_lines = _read_table(paths["benchmark_results"], BENCHMARK_RESULTS)
    runs, run_lines = _read_table(paths["task_runs"], TASK_RUNS)
    horizons, horizon_lines = _read_table(paths["time_horizons"], TIME_HORIZONS)
    checked = (
        ("benchmark_results", results, result_lines),
        ("task_runs", runs, run_lines),
        ("time_horizons", horizons, horizon_lines),
    )
    for key, table, lines in checked:
        display = str(paths[key])
        for values, line in zip(table, lines, strict=True):
            model = values["model"]
            if model not in model_line:
                raise EvidenceError(
                    f"model '{model}' is not in {paths['models'].name}",
                    file=display,
                    row=line,
                    column="model",
                )
            first_use.setdefault(model, (display, line))
            if key == "time_horizons":
                _check_horizon(values, file=display, line=line)
            else:
                if values["benchmark"] not in registry.index:
                    raise EvidenceError(
                        f"unknown benchmark '{values['benchmark']}'; "
                        + _unknown_benchmark_hint(values["benchmark"], known),
                        file=display,
                        row=line,
                        column="benchmark",
                    )
                if values["harness"] not in harnesses.index:
                    raise EvidenceError(
                        f"harness '{values['harness']}' is not declared in "
                        f"{paths['harnesses'].name}; "
                        + _unknown_harness_hint(values["harness"], known_harnesses),
                        file=display,
                        row=line,
                        column="harness",
                    )
            if key == "benchmark_results":
                _check_counts(values, file=display, line=line)
            _check_result_date(
                values,
                model_date[model],
                file=display,
                line=line,
                where=f"{paths['models'].name} line {model_line[model]}",
            )
    for name, (display, line) in first_use.items():
        if model_date[name] is None:
            raise EvidenceError(
                f"model '{name}' has evidence ({display} line {line}) but no release_date",
                file=models_file,
                row=model_line[name],
                column="release_date",
            )
    return Evidence(
        models=pd.DataFrame(models, columns=list(MODELS.names)),
        results=pd.DataFrame(results, columns=list(BENCHMARK_RESULTS.names)),
        task_runs=pd.DataFrame(runs, columns=list(TASK_RUNS.names)),
        benchmarks=registry,
        sources=tuple(str(p) for p in paths.values()),
        harnesses=harnesses,
        time_horizons=pd.DataFrame(horizons, columns=list(TIME_HORIZONS.names)),
        declared_vintage=read_declared_vintage(data_dir),
    )


def _check_flop_confidence(values: dict[str, Any], *, file: str, line: int) -> None:
    flop, conf = values.get("training_flop"), values.get("flop_confidence")
    if flop is None and conf not in (None, "unknown"):
        raise EvidenceError(
            f"flop_confidence is '{conf}' but training_flop is empty; give training_flop "
            "or use 'unknown'",
            file=file,
            row=line,
            column="flop_confidence",
        )
    if flop is not None and conf == "unknown":
        raise EvidenceError(
            "flop_confidence is 'unknown' but training_flop is given; use 'speculative' for "
            "a rough estimate",
            file=file,
            row=line,
            column="flop_confidence",
        )


# ---------------------------------------------------------------------------- researcher
def _same(col: str, a: Any, b: Any, rtol: float) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=rtol)
    if col == "organization":
        return str(a).casefold() == str(b).casefold()
    return bool(a == b)


def _base_value(models: pd.DataFrame, model: str, col: str) -> Any:
    v = models.at[model, col]
    if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v
    if hasattr(v, "item"):
        v = v.item()
    return v


def _normalise_scores(values: dict[str, Any], *, file: str, line: int) -> None:
    """Apply ``score_unit`` to ``score`` and ``score_se`` in place (fractions after this)."""
    unit = values.get("score_unit") or "fraction"
    for col in ("score", "score_se"):
        x = values.get(col)
        if x is None:
            continue

        def fail(msg: str, col: str = col) -> EvidenceError:
            return EvidenceError(msg, file=file, row=line, column=col)

        if unit == "percent":
            if x > 100:
                raise fail(f"{col} must be at most 100 (score_unit is percent), got {_fmt(x)}")
            if col == "score" and 0 < x <= 1:
                raise fail(
                    f"score {_fmt(x)} is marked as a percent (score_unit) but looks like a "
                    f"fraction: write it as a percent ({_fmt(x * 100)}), or set score_unit "
                    "to fraction"
                )
            values[col] = x / 100
        elif x > 100:
            raise fail(f"{col} must be at most 1, got {_fmt(x)}")
        elif x > 1:
            raise fail(
                f"{col} {_fmt(x)} is above 1; it looks like a percentage: write it as a "
                f"fraction ({x / 100:g}), or set score_unit to percent"
            )


@dataclass
class _Declarations:
    """Registry entries (benchmarks or harnesses) declared row by row in a researcher file."""

    what: str
    columns: dict[str, str]
    registry: pd.DataFrame
    checked: tuple[str, ...]
    file: str
    values: dict[str, dict[str, tuple[Any, int]]]
    first_line: dict[str, int]

    def add(self, slug: str, v: dict[str, Any], line: int) -> None:
        """Record the declaration columns of one row; refuse contradictions."""
        dg = self.values.setdefault(slug, {})
        self.first_line.setdefault(slug, line)
        for col, reg_col in self.columns.items():
            value = v[col]
            if value is None:
                continue
            if reg_col in dg:
                prev, prev_line = dg[reg_col]
                if not _same(col, prev, value, 1e-9):
                    raise EvidenceError(
                        f"{col} {_fmt(value)} for {self.what} '{slug}' contradicts "
                        f"{_fmt(prev)} given on line {prev_line}",
                        file=self.file,
                        row=line,
                        column=col,
                    )
                continue
            if slug in self.registry.index and reg_col in self.checked:
                reg = self.registry.at[slug, reg_col]
                reg = reg.item() if hasattr(reg, "item") else reg
                if not _same(col, float(reg) if reg_col == "chance" else reg, value, 1e-9):
                    prefix = col.split("_", 1)[0]
                    raise EvidenceError(
                        f"{col} {_fmt(value)} contradicts the registry's {reg_col} "
                        f"{_fmt(reg)} for {self.what} '{slug}'; leave the {prefix}_* "
                        f"columns empty for registry {self.what}s",
                        file=self.file,
                        row=line,
                        column=col,
                    )
            dg[reg_col] = (value, line)


def load_evidence_csv(path: str | Path, *, base: Evidence) -> Evidence:
    """Validate a researcher evidence file and add it to ``base``.

    The format is documented in ``docs/evidence_format.md`` and specified by
    :data:`riskmodel.evidence.schema.RESEARCHER_EVIDENCE`: one row per
    ``(model, benchmark, harness, effort)`` result.

    Parameters
    ----------
    path
        The researcher's CSV file.
    base
        Evidence to add to (usually :func:`load_shipped_evidence`); its registries and
        models are what the file is checked against.

    Returns
    -------
    Evidence
        ``base`` plus the file's models, results and declared benchmarks and harnesses;
        ``sources`` gains ``str(path)``. Shipped models keep their values; values they
        lacked (e.g. an unknown ``training_flop`` or ``reasoning_trained``) are filled
        in from the file. Scores written as percentages are stored as fractions; an
        empty ``result_date`` is the model's release date.

    Raises
    ------
    EvidenceError
        For any invalid cell, header or row, naming the file, line and column; for a
        model-level value that contradicts an earlier row or ``base``; for a duplicate
        result; for an undeclared unknown benchmark or harness; for a score that looks
        like a percentage (or, with ``score_unit = percent``, like a fraction); for a
        ``result_date`` before the release date; for ``reasoning_trained = true``
        without a ``reasoning_source``.
    """
    if not isinstance(base, Evidence):
        raise TypeError("base must be an Evidence (e.g. load_shipped_evidence())")
    fpath = Path(path)
    display = str(path)
    header, header_line, rows = read_rows(fpath, display, RESEARCHER_EVIDENCE)
    has = set(header)
    if "score" not in has and not ({"n_attempted", "n_solved"} <= has):
        if "n_attempted" in has or "n_solved" in has:
            miss = "n_solved" if "n_attempted" in has else "n_attempted"
            msg = f"missing column '{miss}': give n_attempted and n_solved, or score"
        else:
            miss = "score"
            msg = "missing columns: give n_attempted and n_solved, or score (or all three)"
        expected = ", ".join(RESEARCHER_EVIDENCE.names)
        raise EvidenceError(
            f"{msg}; expected columns: {expected}", file=display, row=header_line, column=miss
        )

    registry = base.benchmarks
    known = list(registry.index)
    known_harnesses = list(base.harnesses.index)
    base_models = base.models
    base_keys = {
        (r.model, r.benchmark, r.harness, r.effort): r.source
        for r in base.results[["model", "benchmark", "harness", "effort", "source"]].itertuples()
    }
    given: dict[str, dict[str, tuple[Any, int]]] = {}
    benchmarks = _Declarations(
        "benchmark",
        BENCHMARK_DECLARATION_COLUMNS,
        registry,
        ("chance", "n_tasks", "domain"),
        display,
        {},
        {},
    )
    harnesses = _Declarations(
        "harness", HARNESS_DECLARATION_COLUMNS, base.harnesses, ("kind",), display, {}, {}
    )
    harness_column_given: dict[str, bool] = {}
    first_line: dict[str, int] = {}
    model_sources: dict[str, set[str]] = {}
    seen: dict[tuple[str, str, str, str], int] = {}
    new_results: list[dict[str, Any]] = []

    for row in rows:
        v = _parse_row(RESEARCHER_EVIDENCE, row, display)
        line = row.line
        model, bench = v["model"], v["benchmark"]
        harness = v["harness"] if v["harness"] is not None else DEFAULT_HARNESS
        effort = v["effort"] if v["effort"] is not None else ""
        source = v["source"] if v["source"] is not None else fpath.name
        _normalise_scores(v, file=display, line=line)
        _check_counts(v, file=display, line=line)
        result_date = v["result_date"] if v["result_date"] is not None else v["release_date"]
        if result_date < v["release_date"]:
            raise EvidenceError(
                f"result_date {_fmt(result_date)} is before the model's release_date "
                f"{_fmt(v['release_date'])}; a result cannot be public before its model",
                file=display,
                row=line,
                column="result_date",
            )

        # model-level values: consistent within the file and with the base
        mg = given.setdefault(model, {})
        first_line.setdefault(model, line)
        model_sources.setdefault(model, set()).add(source)
        for col in MODEL_LEVEL_COLUMNS:
            value = v[col]
            if value is None:
                continue
            if col in mg:
                prev, prev_line = mg[col]
                if not _same(col, prev, value, 1e-9):
                    raise EvidenceError(
                        f"{col} {_fmt(value)} for model '{model}' contradicts {_fmt(prev)} "
                        f"given on line {prev_line}; a model's details must be the same on "
                        "every row",
                        file=display,
                        row=line,
                        column=col,
                    )
                continue
            if model in base_models.index and col != "reasoning_source":
                shipped = _base_value(base_models, model, col)
                skip = (
                    col == "flop_confidence"
                    and _base_value(base_models, model, "training_flop") is None
                )
                if (
                    shipped is not None
                    and not skip
                    and not _same(col, shipped, value, _RESTATE_RTOL)
                ):
                    raise EvidenceError(
                        f"{col} {_fmt(value)} for model '{model}' contradicts the shipped value "
                        f"{_fmt(shipped)}; leave the cell empty to use the shipped value, or "
                        "use a new model name",
                        file=display,
                        row=line,
                        column=col,
                    )
            mg[col] = (value, line)

        # benchmark: registry or declaration
        if bench not in registry.index and not SLUG_PATTERN.match(bench):
            raise EvidenceError(
                f"benchmark '{bench}' is not in the registry and is not a valid new slug "
                f"(lower-case letter, then lower-case letters, digits or _); "
                + _unknown_benchmark_hint(bench, known),
                file=display,
                row=line,
                column="benchmark",
            )
        benchmarks.add(bench, v, line)

        # harness: registry or declaration
        if harness not in base.harnesses.index and not SLUG_PATTERN.match(harness):
            raise EvidenceError(
                f"harness '{harness}' is not in the harness registry and is not a valid new "
                f"slug (lower-case letter, then lower-case letters, digits or _); "
                + _unknown_harness_hint(harness, known_harnesses),
                file=display,
                row=line,
                column="harness",
            )
        harnesses.add(harness, v, line)
        harness_column_given.setdefault(harness, v["harness"] is not None)

        # duplicates
        key = (model, bench, harness, effort)
        what = f"model '{model}', benchmark '{bench}', harness '{harness}'"
        if effort:
            what += f", effort '{effort}'"
        if key in seen:
            raise EvidenceError(
                f"duplicate result for {what}: lines {seen[key]} and {line}; give each a "
                "different harness or effort, or remove one",
                file=display,
                row=line,
            )
        if key in base_keys:
            raise EvidenceError(
                f"{what} already has a result in the base evidence (source: "
                f"{base_keys[key]}); use a different harness name to add another result",
                file=display,
                row=line,
                column="harness",
            )
        seen[key] = line
        new_results.append(
            {
                "model": model,
                "benchmark": bench,
                "n_attempted": v["n_attempted"],
                "n_solved": v["n_solved"],
                "score": v["score"],
                "harness": harness,
                "source": source,
                "effort": effort,
                "score_se": v["score_se"],
                "result_date": result_date,
            }
        )

    new_benchmarks = _new_benchmarks(benchmarks, known, fpath.name)
    new_harnesses = _new_harnesses(harnesses, known_harnesses, harness_column_given, fpath.name)

    # models: fill gaps of base models, create new ones
    models = base.to_tables()["models"]
    position = {m: i for i, m in enumerate(models["model"])}
    model_records = models.to_dict("records")
    for model, mg in given.items():
        vals = {col: val for col, (val, _) in mg.items()}
        conf_line = mg.get("flop_confidence", (None, first_line[model]))[1]
        if model in position:
            rec = model_records[position[model]]
            filled_flop = (
                "training_flop" in vals and _base_value(base_models, model, "training_flop") is None
            )
            filled_reasoning = (
                "reasoning_trained" in vals
                and _base_value(base_models, model, "reasoning_trained") is None
            )
            for col, val in vals.items():
                if (
                    _base_value(base_models, model, col) is None
                    or (col == "flop_confidence" and filled_flop)
                    or (col == "reasoning_source" and filled_reasoning)
                ):
                    rec[col] = val
            if filled_flop and "flop_confidence" not in vals:
                rec["flop_confidence"] = "likely"
            if pd.isna(rec["release_date"]):
                rec["release_date"] = vals.get("release_date")
            if "flop_confidence" in vals:
                flop = None if pd.isna(rec["training_flop"]) else rec["training_flop"]
                check = {"training_flop": flop, "flop_confidence": vals["flop_confidence"]}
                _check_flop_confidence(check, file=display, line=conf_line)
            if filled_reasoning:
                src = rec.get("reasoning_source")
                _check_reasoning(
                    {
                        "model": model,
                        "reasoning_trained": vals["reasoning_trained"],
                        "reasoning_source": None if _is_empty(src) else src,
                    },
                    file=display,
                    line=mg["reasoning_trained"][1],
                )
            continue
        flop = vals.get("training_flop")
        conf = vals.get("flop_confidence", "likely" if flop is not None else "unknown")
        _check_flop_confidence(
            {"training_flop": flop, "flop_confidence": conf}, file=display, line=conf_line
        )
        if "reasoning_trained" in vals:
            _check_reasoning(
                {"model": model, **vals}, file=display, line=mg["reasoning_trained"][1]
            )
        model_records.append(
            {
                "model": model,
                "organization": vals.get("organization"),
                "release_date": vals.get("release_date"),
                "training_flop": flop,
                "flop_confidence": conf,
                "training_cost_usd": vals.get("training_cost_usd"),
                "open_weights": vals.get("open_weights", False),
                "base_model": None,
                "finetune_flop": None,
                "frontier": vals.get("frontier", False),
                "domain": None,
                "epoch_name": None,
                "release_date_source": fpath.name,
                "source": ";".join(sorted(model_sources[model])),
                "reasoning_trained": vals.get("reasoning_trained"),
                "reasoning_source": vals.get("reasoning_source"),
                "compute_note_vs_1e25": None,
                "epoch_lists": None,
            }
        )

    tables = base.to_tables()
    try:
        return Evidence(
            models=pd.DataFrame(model_records, columns=list(MODELS.names)),
            results=pd.DataFrame(
                tables["results"].to_dict("records") + new_results,
                columns=list(BENCHMARK_RESULTS.names),
            ),
            task_runs=tables["task_runs"],
            benchmarks=pd.DataFrame(
                tables["benchmarks"].to_dict("records") + new_benchmarks,
                columns=list(BENCHMARKS.names),
            ),
            sources=(*base.sources, display),
            harnesses=pd.DataFrame(
                tables["harnesses"].to_dict("records") + new_harnesses,
                columns=list(HARNESSES.names),
            ),
            time_horizons=tables["time_horizons"],
            declared_vintage=base.declared_vintage,
        )
    except EvidenceError as exc:  # pragma: no cover - the checks above should catch all
        raise EvidenceError(exc.reason, file=display) from None


def _is_empty(v: Any) -> bool:
    return v is None or (not isinstance(v, str) and bool(pd.isna(v))) or v == ""


def _new_benchmarks(
    declared: _Declarations, known: Sequence[str], source: str
) -> list[dict[str, Any]]:
    """Registry rows of the new benchmarks of a file; refuse undeclared or half-declared."""
    new: list[dict[str, Any]] = []
    in_file = [slug for slug, dg in declared.values.items() if "chance" in dg or "n_tasks" in dg]
    for bench, dg in declared.values.items():
        if bench in declared.registry.index:
            continue
        line = declared.first_line[bench]
        if "chance" not in dg and "n_tasks" not in dg:
            raise EvidenceError(
                f"unknown benchmark '{bench}'; "
                + _unknown_benchmark_hint(bench, [*known, *in_file])
                + ". To add a new benchmark, fill benchmark_chance and benchmark_n_tasks "
                "(see docs/evidence_format.md)",
                file=declared.file,
                row=line,
                column="benchmark",
            )
        for reg_col in ("chance", "n_tasks"):
            if reg_col not in dg:
                col = f"benchmark_{reg_col}"
                raise EvidenceError(
                    f"new benchmark '{bench}' needs {col} too",
                    file=declared.file,
                    row=line,
                    column=col,
                )
        new.append(
            {
                "slug": bench,
                "name": dg.get("name", (bench, 0))[0],
                "description": dg.get("description", (None, 0))[0],
                "domain": dg.get("domain", ("general", 0))[0],
                "chance": dg["chance"][0],
                "n_tasks": dg["n_tasks"][0],
                "kind": "aggregate",
                "source": source,
            }
        )
    return new


def _new_harnesses(
    declared: _Declarations,
    known: Sequence[str],
    column_given: dict[str, bool],
    source: str,
) -> list[dict[str, Any]]:
    """Registry rows of the new harnesses of a file; refuse undeclared or half-declared."""
    new: list[dict[str, Any]] = []
    in_file = [slug for slug, dg in declared.values.items() if "kind" in dg]
    for slug, dg in declared.values.items():
        if slug in declared.registry.index:
            continue
        line = declared.first_line[slug]
        if not dg:
            default = "" if column_given[slug] else " (the default for an empty harness cell)"
            raise EvidenceError(
                f"harness '{slug}'{default} is neither in the harness registry nor declared "
                f"in this file; {_unknown_harness_hint(slug, [*known, *in_file])}. To add a "
                "new harness, "
                "fill harness_kind (and harness_name, harness_description) on one of its "
                "rows (see docs/evidence_format.md)",
                file=declared.file,
                row=line,
                column="harness",
            )
        if "kind" not in dg:
            raise EvidenceError(
                f"new harness '{slug}' needs harness_kind too (one of "
                f"{', '.join(HARNESSES.column('kind').allowed or ())})",
                file=declared.file,
                row=line,
                column="harness_kind",
            )
        new.append(
            {
                "slug": slug,
                "name": dg.get("name", (slug, 0))[0],
                "kind": dg["kind"][0],
                "description": dg.get("description", (None, 0))[0],
                "source": source,
            }
        )
    return new


def load_evidence(extra: Sequence[str | Path] = (), data_dir: str | Path | None = None) -> Evidence:
    """Load the shipped evidence plus researcher files.

    Parameters
    ----------
    extra
        Researcher evidence files, added in order (a later file is checked against
        the shipped tables and all earlier files).
    data_dir
        Directory of the shipped tables; see :func:`load_shipped_evidence`.

    Returns
    -------
    Evidence

    Raises
    ------
    EvidenceError
        If any file is invalid.
    """
    if isinstance(extra, (str, Path)):
        extra = (extra,)
    evidence = load_shipped_evidence(data_dir)
    for path in extra:
        evidence = load_evidence_csv(path, base=evidence)
    return evidence
