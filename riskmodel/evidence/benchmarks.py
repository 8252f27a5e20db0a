"""The benchmark and harness registries: what evidence may refer to, and its properties.

The benchmark registry is ``data/benchmarks.csv`` (see
:data:`riskmodel.evidence.schema.BENCHMARKS`), the harness registry ``data/harnesses.csv``
(:data:`riskmodel.evidence.schema.HARNESSES`). A researcher file may declare further
benchmarks and harnesses; those join the registries of the
:class:`~riskmodel.evidence.dataset.Evidence` it is loaded into.

Listing a registry (``riskmodel benchmarks``) needs no pandas: :func:`benchmark_rows` and
:func:`harness_rows` read and validate the file with :mod:`riskmodel.evidence.cells`, and
the ``format_*`` functions take those rows as well as a DataFrame. Only the ``load_*``
functions, which return DataFrames, import pandas, when called.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmodel._io import data_dir

from .cells import read_table
from .schema import BENCHMARKS, HARNESSES, TableSpec

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "benchmark_rows",
    "harness_rows",
    "load_benchmark_registry",
    "load_harness_registry",
    "format_benchmark_table",
    "format_harness_table",
    "closest_benchmarks",
]


def _path(path: str | Path | None, spec: TableSpec) -> Path:
    return Path(path) if path is not None else data_dir() / spec.filename


def benchmark_rows(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The benchmark registry as validated rows, without pandas.

    Parameters
    ----------
    path
        CSV file in the ``benchmarks.csv`` format; default ``benchmarks.csv`` in
        :func:`~riskmodel.evidence.loaders.default_data_dir`.

    Returns
    -------
    list of dict
        One dict per benchmark in file order, keys the columns of
        :data:`~riskmodel.evidence.schema.BENCHMARKS` (``None`` for an empty cell).

    Raises
    ------
    EvidenceError
        If the file is missing or invalid (naming file, line and column), with the same
        messages as :func:`load_benchmark_registry`.
    """
    return read_table(_path(path, BENCHMARKS), BENCHMARKS)[0]


def harness_rows(path: str | Path | None = None) -> list[dict[str, Any]]:
    """The harness registry as validated rows, without pandas.

    Parameters
    ----------
    path
        CSV file in the ``harnesses.csv`` format; default ``harnesses.csv`` in
        :func:`~riskmodel.evidence.loaders.default_data_dir`.

    Returns
    -------
    list of dict
        One dict per harness in file order, keys the columns of
        :data:`~riskmodel.evidence.schema.HARNESSES` (``None`` for an empty cell).

    Raises
    ------
    EvidenceError
        If the file is missing or invalid (naming file, line and column), with the same
        messages as :func:`load_harness_registry`.
    """
    return read_table(_path(path, HARNESSES), HARNESSES)[0]


def load_benchmark_registry(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the benchmark registry.

    Parameters
    ----------
    path
        CSV file in the ``benchmarks.csv`` format; default ``benchmarks.csv`` in
        :func:`~riskmodel.evidence.loaders.default_data_dir`.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark, index ``slug`` (sorted), columns ``name``,
        ``description``, ``domain``, ``chance`` (float fraction in [0, 1)),
        ``n_tasks`` (int64, > 0), ``kind`` and ``source``.

    Raises
    ------
    EvidenceError
        If the file is missing or invalid (naming file, line and column).
    """
    from .loaders import _load_registry  # pandas, imported only when a DataFrame is asked for

    return _load_registry(_path(path, BENCHMARKS))


def load_harness_registry(path: str | Path | None = None) -> pd.DataFrame:
    """Load and validate the harness registry.

    Parameters
    ----------
    path
        CSV file in the ``harnesses.csv`` format; default ``harnesses.csv`` in
        :func:`~riskmodel.evidence.loaders.default_data_dir`.

    Returns
    -------
    pandas.DataFrame
        One row per harness, index ``slug`` (sorted), columns ``name``, ``kind``
        (``base_few_shot``, ``chat`` or ``agent``), ``description`` and ``source``.

    Raises
    ------
    EvidenceError
        If the file is missing or invalid (naming file, line and column).
    """
    from .loaders import _load_harness_registry  # pandas, as in load_benchmark_registry

    return _load_harness_registry(_path(path, HARNESSES))


def closest_benchmarks(slug: str, registry: pd.DataFrame, *, n: int = 3) -> list[str]:
    """Registry slugs closest to ``slug`` (for "did you mean" messages).

    Parameters
    ----------
    slug
        A possibly misspelt slug.
    registry
        Registry as returned by :func:`load_benchmark_registry`.
    n
        Maximum number of suggestions.

    Returns
    -------
    list of str
        Up to ``n`` slugs, best match first.
    """
    return difflib.get_close_matches(slug.lower(), list(registry.index), n=n, cutoff=0.6)


def _cell(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _text_table(header: list[str], rows: list[list[str]], right: set[int]) -> str:
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]

    def fmt(cells: list[str]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    lines = [fmt(header), "  ".join("-" * w for w in widths)]
    lines += [fmt(row) for row in rows]
    return "\n".join(lines) + "\n"


def _sorted_rows(registry: pd.DataFrame | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """A registry's rows sorted by slug: from a DataFrame (slug as index or column) or rows."""
    if hasattr(registry, "reset_index"):  # a DataFrame
        table = registry.reset_index() if "slug" not in registry.columns else registry
        rows: list[Mapping[str, Any]] = table.to_dict("records")
    else:
        rows = list(registry)
    return sorted(rows, key=lambda row: row["slug"])


def _short(text: object, limit: int) -> str:
    desc = _cell(text).replace("\n", " ")
    if len(desc) > limit:
        desc = desc[: max(limit - 3, 0)].rstrip() + "..."
    return desc


def format_benchmark_table(
    registry: pd.DataFrame | Sequence[Mapping[str, Any]], *, max_description: int = 60
) -> str:
    """Plain-text table of the registry, for ``riskmodel benchmarks``.

    Parameters
    ----------
    registry
        Registry as returned by :func:`load_benchmark_registry` (index ``slug``) or
        :attr:`Evidence.benchmarks`, or its rows (:func:`benchmark_rows`).
    max_description
        Descriptions longer than this many characters are cut and end in ``...``.

    Returns
    -------
    str
        Header line, rule line and one line per benchmark (sorted by slug), columns
        slug, domain, chance, n_tasks, kind, description; ends with a newline.
    """
    header = ["slug", "domain", "chance", "n_tasks", "kind", "description"]
    rows = [
        [
            r["slug"],
            _cell(r["domain"]),
            f"{r['chance']:.3g}",
            str(r["n_tasks"]),
            _cell(r["kind"]),
            _short(r["description"], max_description),
        ]
        for r in _sorted_rows(registry)
    ]
    return _text_table(header, rows, right={2, 3})


def format_harness_table(
    registry: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    max_name: int = 40,
    max_description: int = 60,
) -> str:
    """Plain-text table of the harness registry, for ``riskmodel benchmarks --harnesses``.

    Parameters
    ----------
    registry
        Registry as returned by :func:`load_harness_registry` (index ``slug``) or
        :attr:`Evidence.harnesses`, or its rows (:func:`harness_rows`).
    max_name, max_description
        Names and descriptions longer than this many characters are cut and end in
        ``...``.

    Returns
    -------
    str
        Header line, rule line and one line per harness (sorted by slug), columns
        slug, kind, name, description; ends with a newline.
    """
    header = ["slug", "kind", "name", "description"]
    rows = [
        [
            r["slug"],
            _cell(r["kind"]),
            _short(r["name"], max_name),
            _short(r["description"], max_description),
        ]
        for r in _sorted_rows(registry)
    ]
    return _text_table(header, rows, right=set())
