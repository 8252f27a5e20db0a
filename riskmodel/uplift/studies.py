"""Uplift studies: the evidence format and its validation.

A CSV with one row per study (header on line 1, UTF-8, blank lines skipped):

========================  =====================================================================
column                    meaning
========================  =====================================================================
``study``                 unique identifier
``date``                  publication date YYYY-MM-DD
``domain``                ``cyber`` or ``software`` (software enters through the transfer factor)
``participants``          number of human participants (positive integer)
``model``                 the AI model or tool used (name, resolvable to a capability later)
``capability_level``      optional: capability in dex of effective compute, if known
``fit_model``             optional: model id in the capability fit's evidence whose fitted
                          capability stands in for ``model`` (see :mod:`.update`)
``measured_speedup``      speed-up point estimate (time without AI / time with; <1 = slower)
``ci_low``, ``ci_high``   95% interval of the speed-up (:data:`CI_MASS`)
``source``                citation
``notes``                 how the numbers were derived from the publication
========================  =====================================================================

Every problem raises :class:`~riskmodel.errors.EvidenceError` naming the file, the
1-based line and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from riskmodel._io import data_dir
from riskmodel._time import parse_date
from riskmodel.errors import EvidenceError
from riskmodel.evidence.cells import check_cell_text

__all__ = [
    "STUDY_COLUMNS",
    "STUDY_DOMAINS",
    "CI_MASS",
    "DEFAULT_STUDIES_PATH",
    "load_uplift_studies",
    "log_speedup_sd",
    "UpliftStudy",
]

#: Columns of the uplift-study CSV, in order.
STUDY_COLUMNS = (
    "study",
    "date",
    "domain",
    "participants",
    "model",
    "capability_level",
    "fit_model",
    "measured_speedup",
    "ci_low",
    "ci_high",
    "source",
    "notes",
)
#: Columns that may be empty or absent from the header.
OPTIONAL_COLUMNS = ("capability_level", "fit_model", "notes")
#: Domains a study can measure.
STUDY_DOMAINS = ("cyber", "software")
#: Central probability mass of the ``ci_low``/``ci_high`` interval.
CI_MASS = 0.95
#: Shipped studies file (``$RISKMODEL_DATA_DIR`` honoured, read at import).
DEFAULT_STUDIES_PATH = data_dir() / "uplift_studies.csv"


@dataclass(frozen=True)
class UpliftStudy:
    """One validated study row (speed-ups as ratios, capability in dex or None)."""

    study: str
    date: str
    domain: str
    participants: int
    model: str
    capability_level: float | None
    fit_model: str
    measured_speedup: float
    ci_low: float
    ci_high: float
    source: str
    notes: str


def log_speedup_sd(ci_low: np.ndarray | float, ci_high: np.ndarray | float) -> np.ndarray:
    """Standard deviation of ln(speed-up) implied by a :data:`CI_MASS` interval."""
    z = stats.norm.ppf(0.5 + CI_MASS / 2)
    return (np.log(ci_high) - np.log(ci_low)) / (2 * z)


def _number(text: str, *, file: str, row: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise EvidenceError(
            f"'{text}' is not a number", file=file, row=row, column=column
        ) from None
    if not math.isfinite(value):
        raise EvidenceError(f"'{text}' is not finite", file=file, row=row, column=column)
    return value


def _parse_row(cells: dict[str, str], *, file: str, row: int) -> UpliftStudy:
    for column in STUDY_COLUMNS:
        if column not in OPTIONAL_COLUMNS and not cells[column]:
            raise EvidenceError("empty value", file=file, row=row, column=column)
    date = cells["date"]
    cell = functools.partial(EvidenceError, file=file, row=row, column="date")
    day = parse_date(date, what="date", error=cell)
    if day > dt.date.today():
        raise EvidenceError(
            f"{date} is in the future (today is {dt.date.today().isoformat()})",
            file=file,
            row=row,
            column="date",
        )
    domain = cells["domain"].lower()
    if domain not in STUDY_DOMAINS:
        raise EvidenceError(
            f"unknown domain '{cells['domain']}'; use one of {', '.join(STUDY_DOMAINS)}",
            file=file,
            row=row,
            column="domain",
        )
    participants_text = cells["participants"]
    if not re.fullmatch(r"[0-9]{1,9}", participants_text) or int(participants_text) < 1:
        raise EvidenceError(
            f"'{participants_text}' is not a positive whole number",
            file=file,
            row=row,
            column="participants",
        )
    values = {}
    for column in ("measured_speedup", "ci_low", "ci_high"):
        values[column] = _number(cells[column], file=file, row=row, column=column)
        if values[column] <= 0:
            raise EvidenceError(
                f"a speed-up must be positive, got {values[column]}",
                file=file,
                row=row,
                column=column,
            )
    if values["ci_low"] > values["ci_high"]:
        raise EvidenceError(
            f"ci_low ({values['ci_low']}) exceeds ci_high ({values['ci_high']})",
            file=file,
            row=row,
            column="ci_low",
        )
    if not values["ci_low"] <= values["measured_speedup"] <= values["ci_high"]:
        raise EvidenceError(
            f"measured_speedup {values['measured_speedup']} lies outside its interval "
            f"[{values['ci_low']}, {values['ci_high']}]",
            file=file,
            row=row,
            column="measured_speedup",
        )
    if values["ci_low"] == values["ci_high"]:
        raise EvidenceError(
            "the interval has zero width; give the published uncertainty",
            file=file,
            row=row,
            column="ci_high",
        )
    capability = None
    if cells["capability_level"]:
        capability = _number(
            cells["capability_level"], file=file, row=row, column="capability_level"
        )
    return UpliftStudy(
        study=cells["study"],
        date=date,
        domain=domain,
        participants=int(participants_text),
        model=cells["model"],
        capability_level=capability,
        fit_model=cells["fit_model"],
        measured_speedup=values["measured_speedup"],
        ci_low=values["ci_low"],
        ci_high=values["ci_high"],
        source=cells["source"],
        notes=cells["notes"],
    )


def load_uplift_studies(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate an uplift-study CSV.

    Parameters
    ----------
    path
        CSV file; defaults to :data:`DEFAULT_STUDIES_PATH` (``data/uplift_studies.csv``).

    Returns
    -------
    pandas.DataFrame
        One row per study with the columns of :data:`STUDY_COLUMNS` (``capability_level``
        NaN where empty) plus ``log_speedup`` and ``log_speedup_sd`` (natural log).

    Raises
    ------
    EvidenceError
        Naming file, line and column of the first problem.
    """
    path = Path(path) if path is not None else DEFAULT_STUDIES_PATH
    file = str(path)
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise EvidenceError("is a directory, not a CSV file", file=file) from None
    except OSError as exc:
        raise EvidenceError(f"cannot read file: {exc.strerror}", file=file) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        line = data[: exc.start + bom].count(b"\n") + 1
        raise EvidenceError(
            f"not UTF-8: byte 0x{data[exc.start + bom]:02x} at byte offset {exc.start + bom} "
            "cannot be decoded; save the file as UTF-8",
            file=file,
            row=line,
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)

    def records() -> Iterator[tuple[int, list[str]]]:
        """Non-blank records with the line each starts on; CSV syntax errors explained."""
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise EvidenceError(
                    f"malformed CSV ({exc}); check the quotes in the record starting here",
                    file=file,
                    row=start,
                ) from None
            if any(cell.strip() for cell in record):
                yield start, record

    rows = records()
    first = next(rows, None)
    if first is None:
        raise EvidenceError(
            "the file is empty; expected a header line with the columns "
            + ", ".join(STUDY_COLUMNS),
            file=file,
            row=1,
        )
    header_line, header = first[0], [h.strip().lower() for h in first[1]]
    while header and not header[-1]:
        header.pop()
    for i, name in enumerate(header, start=1):
        if not name:
            raise EvidenceError(f"header column {i} has no name", file=file, row=header_line)
        if name in header[: i - 1]:
            raise EvidenceError(
                "column appears twice in the header", file=file, row=header_line, column=name
            )
    for column in STUDY_COLUMNS:
        if column not in header and column not in OPTIONAL_COLUMNS:
            raise EvidenceError("missing column", file=file, row=header_line, column=column)
    extra = [h for h in header if h not in STUDY_COLUMNS]
    if extra:
        raise EvidenceError(
            f"unknown column; expected columns: {', '.join(STUDY_COLUMNS)}",
            file=file,
            row=header_line,
            column=extra[0],
        )
    studies: list[UpliftStudy] = []
    seen: set[str] = set()
    for start, record in rows:
        if len(record) > len(header) and not any(c.strip() for c in record[len(header) :]):
            record = record[: len(header)]
        if len(record) != len(header):
            raise EvidenceError(
                f"{len(record)} cells, expected {len(header)}", file=file, row=start
            )
        cells = dict.fromkeys(OPTIONAL_COLUMNS, "")
        cells.update({h: c.strip() for h, c in zip(header, record, strict=True)})
        for column, cell in cells.items():
            check_cell_text(cell, file=file, line=start, column=column)
        study = _parse_row(cells, file=file, row=start)
        if study.study in seen:
            raise EvidenceError(
                f"duplicate study '{study.study}'", file=file, row=start, column="study"
            )
        seen.add(study.study)
        studies.append(study)
    if not studies:
        raise EvidenceError(
            "the file has a header but no study rows", file=file, row=header_line + 1
        )
    frame = pd.DataFrame([s.__dict__ for s in studies], columns=list(STUDY_COLUMNS))
    frame["capability_level"] = frame["capability_level"].astype(float)
    frame["log_speedup"] = np.log(frame["measured_speedup"].astype(float))
    frame["log_speedup_sd"] = log_speedup_sd(
        frame["ci_low"].astype(float).to_numpy(), frame["ci_high"].astype(float).to_numpy()
    )
    return frame
