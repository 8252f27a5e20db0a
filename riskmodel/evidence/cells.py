"""Reading and validating evidence CSV files cell by cell, without pandas.

Every file is read as UTF-8 text and parsed with the :mod:`csv` module, cell by cell,
so each error names the file, the 1-based line on which the offending record starts
(the header is line 1) and the column. Nothing here lets a ``KeyError`` or
``ValueError`` traceback escape for bad input: every validation failure is an
:class:`~riskmodel.errors.EvidenceError`.

Cells are stripped of surrounding whitespace, header names are case-insensitive,
blank lines are skipped, and a UTF-8 byte-order mark is accepted. A parsed row is a
plain ``dict`` (``None`` for an empty cell, ``datetime.date`` for a date), so the
registries can be read and listed without importing pandas (``riskmodel benchmarks``);
:mod:`riskmodel.evidence.loaders` assembles the rows into the tables of an
:class:`~riskmodel.evidence.dataset.Evidence`.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskmodel._time import parse_date
from riskmodel.errors import EvidenceError

from .schema import (
    FLOP_PLAUSIBLE_MAX,
    FLOP_PLAUSIBLE_MIN,
    MIN_DATE,
    V2_COLUMNS,
    ColumnSpec,
    TableSpec,
    format_number,
)

__all__ = [
    "Row",
    "check_cell_text",
    "format_value",
    "parse_cell",
    "parse_row",
    "read_rows",
    "read_table",
    "read_text",
]

_NUMBER_RE = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$")
_INT_MAX = 2**53
_TRUE = ("true", "1")
_FALSE = ("false", "0")
#: What a text column with a pattern accepts, in words (for error messages).
_PATTERN_HINTS = {
    "slug": "a lower-case letter, then lower-case letters, digits or _",
    "effort": "lower-case letters, digits or _ only (e.g. high, 32k); leave it empty for "
    "the model's default setting",
    "epoch_lists": "notable, large_scale, or both separated by ;",
}


# ---------------------------------------------------------------------------- reading
@dataclass(frozen=True)
class Row:
    line: int
    cells: dict[str, str]


def _line_of_offset(data: bytes, offset: int) -> int:
    prefix = data[:offset]
    breaks = sum(1 for part in prefix.splitlines(keepends=True) if part.endswith((b"\n", b"\r")))
    return breaks + 1


def read_text(path: Path, display: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EvidenceError("file not found", file=display) from None
    except IsADirectoryError:
        raise EvidenceError("is a directory, not a CSV file", file=display) from None
    except OSError as exc:
        raise EvidenceError(f"cannot read the file ({exc.strerror})", file=display) from None
    shift = 0
    if data.startswith(codecs.BOM_UTF8):
        data, shift = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_of_offset(data, exc.start)
        raise EvidenceError(
            f"the file is not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset "
            f"{exc.start + shift} cannot be decoded; save the file as UTF-8 (CSV UTF-8 in "
            "spreadsheet programs)",
            file=display,
            row=line,
        ) from None


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_cell_text(cell: str, *, file: str, line: int, column: str) -> None:
    """Refuse a CSV cell that a spreadsheet would run as a formula, or a control character.

    Formula (CSV) injection: a cell starting with ``=`` or ``@``, or with ``+`` / ``-``
    when it is not a plain number, is run as a formula by spreadsheet programs when a
    result table is opened (``=HYPERLINK(..)``, ``+cmd|' /C calc'!A0``, ``@SUM(..)``).
    Such cells are refused rather than escaped, so no output of riskmodel (CSV tables,
    netCDF attributes, the HTML report) ever carries one. Control characters (NUL and
    other C0 codes except tab and line breaks) mean a binary or corrupted file.

    Raises
    ------
    EvidenceError
        Naming the file, line and column.
    """
    if not cell:
        return
    first = cell[0]
    if first in "=@" or (first in "+-" and not _NUMBER_RE.match(cell)):
        raise EvidenceError(
            f"cell {cell[:40]!r} starts with {first!r} and would be run as a formula by "
            "spreadsheet programs; remove the leading character (or quote a plain number)",
            file=file,
            row=line,
            column=column,
        )
    bad = _CONTROL_RE.search(cell)
    if bad is not None:
        raise EvidenceError(
            f"cell contains the control character U+{ord(bad.group()):04X}; the file looks "
            "binary or corrupted: save it again as a plain-text UTF-8 CSV",
            file=file,
            row=line,
            column=column,
        )


def read_rows(path: Path, display: str, spec: TableSpec) -> tuple[list[str], int, list[Row]]:
    """Read a CSV file: header names, header line, and non-blank data rows.

    Checks encoding, CSV syntax, header (no empty, duplicate or unknown names; the
    spec's required columns present), cell counts and formula injection.
    """
    text = read_text(path, display)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[Row] = []
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise EvidenceError(
                f"malformed CSV ({exc}); check the quotes in the record starting here",
                file=display,
                row=start,
            ) from None
        cells = [c.strip() for c in record]
        if not any(cells):
            continue
        if header is None:
            header, header_line = _check_header(cells, start, display, spec), start
            continue
        if len(cells) > len(header):
            if any(cells[len(header) :]):
                raise EvidenceError(
                    f"this line has {len(cells)} cells but the header has {len(header)} "
                    "columns; check for unquoted commas",
                    file=display,
                    row=start,
                )
            cells = cells[: len(header)]
        elif len(cells) < len(header):
            raise EvidenceError(
                f"this line has {len(cells)} cells but the header has {len(header)} columns "
                f"(missing: {', '.join(header[len(cells) :])})",
                file=display,
                row=start,
                column=header[len(cells)],
            )
        for name, cell in zip(header, cells, strict=True):
            check_cell_text(cell, file=display, line=start, column=name)
        rows.append(Row(start, dict(zip(header, cells, strict=True))))
    if header is None:
        raise EvidenceError(
            "the file is empty; expected a header line with the columns "
            + ", ".join(spec.required_names),
            file=display,
            row=1,
        )
    if not rows:
        raise EvidenceError(
            "the file has a header but no data rows", file=display, row=header_line + 1
        )
    return header, header_line, rows


def _check_header(cells: list[str], line: int, display: str, spec: TableSpec) -> list[str]:
    names = [c.lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    expected = ", ".join(spec.names)
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        if not name:
            raise EvidenceError(
                f"header column {i} has no name; expected columns: {expected}",
                file=display,
                row=line,
            )
        if name in seen:
            raise EvidenceError(
                f"column '{name}' appears twice in the header", file=display, row=line, column=name
            )
        seen.add(name)
        if name not in spec.names:
            close = difflib.get_close_matches(name, spec.names, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise EvidenceError(
                f"unknown column '{name}'{hint}; expected columns: {expected}",
                file=display,
                row=line,
                column=name,
            )
    for req in spec.required_names:
        if req not in seen:
            new = " (added in evidence format 2: rebuild the data with scripts/build_data.py)"
            hint = new if req in V2_COLUMNS.get(spec.name, ()) else ""
            raise EvidenceError(
                f"missing required column '{req}'{hint}; expected columns: {expected}",
                file=display,
                row=line,
                column=req,
            )
    return names


# ---------------------------------------------------------------------------- cells
def _today() -> dt.date:
    return dt.date.today()


def format_value(v: Any) -> str:
    """A parsed value as an error message writes it (``(empty)``, ``true``, ``2024-05-13``)."""
    if v is None:
        return "(empty)"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dt.date):  # also a pandas Timestamp (a datetime); NaT writes "NaT"
        return v.isoformat()[:10]
    if isinstance(v, float):
        return format_number(v)
    return str(v)


def parse_cell(col: ColumnSpec, raw: str, *, file: str, line: int) -> Any:
    """Parse one stripped cell; ``None`` if empty, a ``datetime.date`` for a date.

    Raises EvidenceError if invalid.
    """

    def fail(msg: str) -> EvidenceError:
        return EvidenceError(msg, file=file, row=line, column=col.name)

    if raw == "":
        if col.nonempty:
            raise fail(f"{col.name} must not be empty")
        return None
    if col.dtype == "str":
        if col.pattern is not None and not re.fullmatch(col.pattern, raw):
            hint = _PATTERN_HINTS.get(col.name)
            rule = hint if hint else f"match {col.pattern}"
            raise fail(f"{col.name} {raw!r} must {'be ' if hint else ''}{rule}")
        return raw
    if col.dtype == "enum":
        assert col.allowed is not None
        if raw in col.allowed:
            return raw
        if raw.lower() in col.allowed:
            return raw.lower()
        raise fail(f"{col.name} must be one of {', '.join(col.allowed)}; got {raw!r}")
    if col.dtype == "bool":
        low = raw.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise fail(f"{col.name} must be true or false, got {raw!r}")
    if col.dtype == "date":
        return _parse_date(col, raw, fail)
    # numbers
    if not _NUMBER_RE.match(raw):
        example = "3.8e25" if col.unit == "FLOP" else ("12" if col.dtype == "int" else "0.5")
        what = "a whole number" if col.dtype == "int" else "a number"
        raise fail(f"{col.name} must be {what} (e.g. {example}), got {raw!r}")
    value = float(raw)
    if not math.isfinite(value):
        raise fail(f"{col.name} {raw!r} is too large to be a number")
    if col.dtype == "int":
        if not value.is_integer():
            raise fail(f"{col.name} must be a whole number, got {raw!r}")
        if abs(value) > _INT_MAX:
            raise fail(f"{col.name} {raw} is implausibly large")
        ivalue = int(value)
        _check_range(col, ivalue, raw, fail)
        return ivalue
    _check_range(col, value, raw, fail)
    return value


def _parse_date(col: ColumnSpec, raw: str, fail: Any) -> dt.date:
    day = parse_date(raw, what=col.name, error=fail)
    today = _today()
    if day > today:
        raise fail(f"{col.name} {raw} is in the future (today is {today.isoformat()})")
    if day < dt.date.fromisoformat(MIN_DATE):
        raise fail(f"{col.name} {raw} is before {MIN_DATE}; check the year")
    return day


def _check_range(col: ColumnSpec, value: float, raw: str, fail: Any) -> None:
    name = col.name
    if col.unit == "FLOP":
        positive = col.min_exclusive or (col.minimum is not None and col.minimum > 0)
        if value < 0 or (positive and value == 0):
            sign = "a positive" if positive else "a non-negative"
            raise fail(f"{name} must be {sign} number of FLOP, got {raw}")
        if col.minimum is not None and col.minimum >= FLOP_PLAUSIBLE_MIN and value < col.minimum:
            raise fail(
                f"{name} {raw} is implausibly small for plain FLOP (below "
                f"{format_number(FLOP_PLAUSIBLE_MIN)}); "
                "it may be in units of 1e21 FLOP or petaFLOP: write the total in plain FLOP, "
                "e.g. 3.8e25"
            )
        if value > FLOP_PLAUSIBLE_MAX:
            raise fail(
                f"{name} {raw} is implausibly large (above "
                f"{format_number(FLOP_PLAUSIBLE_MAX)} FLOP); "
                "check the exponent"
            )
        return
    if col.unit == "fraction" and col.maximum == 1.0 and 1.0 < value <= 100.0:
        raise fail(
            f"{name} {raw} is above 1; it looks like a percentage: write it as a fraction "
            f"({value / 100:g})"
        )
    lo, hi = col.minimum, col.maximum
    if lo is not None and lo >= 0 and value < 0:
        raise fail(f"{name} must not be negative, got {raw}")
    if lo is not None and (value < lo or (col.min_exclusive and value == lo)):
        op = ">" if col.min_exclusive else "at least"
        raise fail(f"{name} must be {op} {format_number(lo)}, got {raw}")
    if hi is not None and (value > hi or (col.max_exclusive and value == hi)):
        op = "below" if col.max_exclusive else "at most"
        raise fail(f"{name} must be {op} {format_number(hi)}, got {raw}")


def parse_row(spec: TableSpec, row: Row, display: str) -> dict[str, Any]:
    """Every column of ``spec`` parsed from one row (``None`` for an absent column)."""
    return {
        c.name: parse_cell(c, row.cells.get(c.name, ""), file=display, line=row.line)
        for c in spec.columns
    }


def read_table(path: Path, spec: TableSpec) -> tuple[list[dict[str, Any]], list[int]]:
    """Read and validate one table with a key (a shipped table or a registry).

    Returns the parsed rows (no two with the same key) and their line numbers.
    """
    display = str(path)
    _, _, rows = read_rows(path, display, spec)
    parsed: list[dict[str, Any]] = []
    lines: list[int] = []
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        values = parse_row(spec, row, display)
        key = tuple(values[k] for k in spec.key)
        if key in seen:
            what = ", ".join(f"{k}={format_value(v)}" for k, v in zip(spec.key, key, strict=True))
            raise EvidenceError(
                f"duplicate row: {what} already appears on line {seen[key]}",
                file=display,
                row=row.line,
            )
        seen[key] = row.line
        parsed.append(values)
        lines.append(row.line)
    return parsed, lines
