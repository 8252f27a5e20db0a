"""Curated maps kept as TOML data files in ``curated/`` (each entry carries its source).

Layout: ``curated/<name>.toml`` holds facts shared by both vintages (harnesses, reasoning
flags, ObsScaling metadata); ``curated/<vintage>/<name>.toml`` holds the maps that depend on
the vintage's files (aliases, Epoch matches). Every entry is a table with at least a
``source`` (or ``note``) string, checked on load.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

CURATED_DIR = Path(__file__).resolve().parent / "curated"


@cache
def load(name: str, vintage: str | None = None) -> dict[str, Any]:
    """Load ``curated/[<vintage>/]<name>.toml``.

    Parameters
    ----------
    name : str
        File stem.
    vintage : str, optional
        Vintage sub-folder (``2025-02`` or ``2025-09``); shared file when None.

    Returns
    -------
    dict
        The parsed TOML document.
    """
    folder = CURATED_DIR / vintage if vintage else CURATED_DIR
    path = folder / f"{name}.toml"
    with path.open("rb") as handle:
        return tomllib.load(handle)


def mapping(name: str, table: str, field: str, vintage: str | None = None) -> dict[str, Any]:
    """Return ``{key: entry[field]}`` for one table of a curated file.

    Every entry must be a table with ``field`` and a nonempty ``source`` or ``note``.
    """
    doc = load(name, vintage)
    entries = doc.get(table, {})
    out: dict[str, Any] = {}
    for key, entry in entries.items():
        if not isinstance(entry, dict) or field not in entry:
            raise ValueError(f"curated/{vintage or ''}/{name}.toml [{table}] {key!r}: no {field}")
        if not (entry.get("source") or entry.get("note")):
            raise ValueError(f"curated/{vintage or ''}/{name}.toml [{table}] {key!r}: no source")
        out[key] = entry[field]
    return out
