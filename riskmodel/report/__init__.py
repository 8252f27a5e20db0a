"""The main job and its report: ``riskmodel report``.

One job per module: :mod:`~riskmodel.report.job` runs the pipeline (cached fit,
forecasts, hazard, crossings, simulation, LDE analysis, sensitivity) and keeps every
result once in :mod:`~riskmodel.report.results`; :mod:`~riskmodel.report.figures` is the
one registry of the report's figures (drawn and embedded from the same table);
:mod:`~riskmodel.report.findings` writes the headline sentences and tables;
:mod:`~riskmodel.report.html` renders the self-contained HTML.

The names are imported on first use (PEP 562), so importing the package loads nothing
heavy.
"""

from riskmodel._lazy import lazy_exports

_EXPORTS = {
    "run_report": "riskmodel.report.job",
    "REPORT_BENCHMARKS": "riskmodel.report.results",
    "REPORT_DATES": "riskmodel.report.results",
    "REPORT_FLOPS": "riskmodel.report.results",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
