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
:func:`benchmark_rows`, :func:`harness_rows`
    The two registries as validated rows, without pandas (``riskmodel benchmarks``).
:mod:`riskmodel.evidence.schema`
    Column specifications of every table (the source of ``docs/evidence_format.md``).

The names are imported on first use (PEP 562, :mod:`riskmodel._lazy`), so listing the
registries does not load pandas.
"""

from riskmodel._lazy import lazy_exports

from . import schema

_EXPORTS = {
    "Evidence": "riskmodel.evidence.dataset",
    "DATA_DIR": "riskmodel.evidence.loaders",
    "default_data_dir": "riskmodel.evidence.loaders",
    "load_evidence": "riskmodel.evidence.loaders",
    "load_evidence_csv": "riskmodel.evidence.loaders",
    "load_shipped_evidence": "riskmodel.evidence.loaders",
    "benchmark_rows": "riskmodel.evidence.benchmarks",
    "harness_rows": "riskmodel.evidence.benchmarks",
    "closest_benchmarks": "riskmodel.evidence.benchmarks",
    "format_benchmark_table": "riskmodel.evidence.benchmarks",
    "format_harness_table": "riskmodel.evidence.benchmarks",
    "load_benchmark_registry": "riskmodel.evidence.benchmarks",
    "load_harness_registry": "riskmodel.evidence.benchmarks",
}

__all__ = [*_EXPORTS, "schema"]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
