"""Evidence: the shipped data tables, researcher evidence files, and their validation.

Public API
----------
:class:`Evidence`
    Container of the evidence tables (models, results, task runs, time horizons, and
    the benchmark and harness registries).
:func:`load_evidence`
    Shipped tables plus researcher files, validated.
:meth:`Evidence.known_by`, :meth:`Evidence.released_before`
    The evidence public before a day (as-of backtests), or of the models released
    before it.
:func:`load_shipped_evidence`, :func:`load_evidence_csv`
    The two halves of :func:`load_evidence`.
:func:`load_benchmark_registry`, :func:`format_benchmark_table`
    The benchmark registry and its plain-text listing.
:func:`load_harness_registry`, :func:`format_harness_table`
    The harness registry and its plain-text listing.
:mod:`riskmodel.evidence.schema`
    Column specifications of every table (the source of ``docs/evidence_format.md``).
"""

from __future__ import annotations

from . import schema
from .benchmarks import (
    closest_benchmarks,
    format_benchmark_table,
    format_harness_table,
    load_benchmark_registry,
    load_harness_registry,
)
from .dataset import Evidence
from .loaders import (
    DATA_DIR,
    default_data_dir,
    load_evidence,
    load_evidence_csv,
    load_shipped_evidence,
)

__all__ = [
    "DATA_DIR",
    "Evidence",
    "closest_benchmarks",
    "default_data_dir",
    "format_benchmark_table",
    "format_harness_table",
    "load_benchmark_registry",
    "load_harness_registry",
    "load_evidence",
    "load_evidence_csv",
    "load_shipped_evidence",
    "schema",
]
