"""Small helpers shared by the source modules: cells, CSV I/O, model ids, checks."""

from __future__ import annotations

import csv
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

Cell = str | int | float | bool | None
Row = dict[str, Cell]

# Tolerance when checking that a fraction is an integer number of tasks.
FRACTION_TOLERANCE = 1e-9

# Reasoning-effort / thinking-budget suffixes of Epoch hub ``Model version`` values,
# e.g. ``o3-2025-04-16_high`` or ``claude-3-7-sonnet-20250219_16K``.
EFFORT_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<effort>high|medium|low|minimal|unknown|\d+K)$")


def is_missing(value: object) -> bool:
    """Return whether a cell value is missing (None, NaN or blank)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def format_cell(value: Cell) -> str:
    """Format one output cell: "" for missing, true/false, repr for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    return str(value)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> int:
    """Write rows (already sorted) deterministically; return the number of data rows."""
    count = 0
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows:
                writer.writerow([format_cell(row.get(col)) for col in columns])
                count += 1
        os.replace(tmp, path)  # atomic: a failed build never leaves a half-written table
    finally:
        tmp.unlink(missing_ok=True)
    return count


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file + rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_csv(path: Path) -> pd.DataFrame:
    """Read a reference CSV with every cell as a string (numbers parsed later by float)."""
    if not path.is_file():
        raise FileNotFoundError(f"reference file missing: {path}")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def records(path: Path) -> list[dict[str, str]]:
    """Return the rows of a reference CSV as string dicts, in file order."""
    return [{str(k): str(v) for k, v in rec.items()} for rec in read_csv(path).to_dict("records")]


def to_float(value: object) -> float | None:
    """Convert a cell to float (None when missing)."""
    if is_missing(value):
        return None
    return float(value)  # type: ignore[arg-type]


def to_str(value: object) -> str | None:
    """Convert a cell to a stripped string (None when missing)."""
    if is_missing(value):
        return None
    return str(value).strip()


def split_effort(version: str) -> tuple[str, str | None]:
    """Split an Epoch hub ``Model version`` into (lower-case id, effort).

    The organisation prefix (``openai/``, ``Qwen/``) is dropped, the effort suffix
    (``_high``, ``_16K``...) becomes the lower-case ``effort`` (None when absent), and the
    remaining version is lower-cased.
    """
    text = version.strip()
    if "/" in text:
        text = text.split("/", 1)[1]
    match = EFFORT_SUFFIX.match(text)
    effort: str | None = None
    if match:
        text, effort = match.group("base"), match.group("effort").lower()
    return text.lower(), effort


def number_runs(rows: list[Row]) -> None:
    """Assign run numbers 1..k to repeats of a (model, task_id), in file order."""
    seen: dict[tuple[Cell, Cell], int] = {}
    for row in rows:
        key = (row["model"], row["task_id"])
        seen[key] = seen.get(key, 0) + 1
        row["run"] = seen[key]


def check_unique(rows: Sequence[Mapping[str, Cell]], key: Sequence[str], name: str) -> None:
    """Raise ValueError if ``rows`` contain a duplicate key."""
    seen: set[tuple[Cell, ...]] = set()
    for row in rows:
        value = tuple(row[col] for col in key)
        if value in seen:
            raise ValueError(f"{name}: duplicate key {value}")
        seen.add(value)


def later(a: str, b: str | None) -> str:
    """Return the later of two ISO dates (``b`` may be None)."""
    return a if b is None or a >= b else b
