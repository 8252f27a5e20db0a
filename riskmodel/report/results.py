"""What the main job computes once and passes down to the figures, findings and HTML.

:class:`ReportResults` holds every result of one report run (the fit and its posterior
view, the hazard tables, the simulation with its summaries, the LDE analysis and the
sensitivity table); :class:`PolicyResults` holds the simulation with its per-variant
summary (:func:`~riskmodel.simulation.run.summary_table`) and its developers table
(:func:`~riskmodel.simulation.run.developers_table`), each computed once per report. The
constants are the report's fixed choices (benchmarks, dates, seed) that several of its
parts share.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import xarray as xr

from riskmodel.capability.predict import PosteriorView
from riskmodel.evidence import Evidence
from riskmodel.hazard.inputs import HazardInputs
from riskmodel.policy.variants import PolicyVariant
from riskmodel.settings import Settings
from riskmodel.simulation.run import developers_table, summary_table

__all__ = [
    "REPORT_BENCHMARKS",
    "REPORT_DATES",
    "REPORT_FLOPS",
    "REPORT_FLOP_DATE",
    "REPORT_SEED",
    "PolicyResults",
    "ReportResults",
    "report_benchmarks",
]

#: Benchmarks whose forecasts the main job prints (those present in the fit are used).
REPORT_BENCHMARKS = (
    "cybench",
    "nyu_ctf",
    "gpqa_diamond",
    "swe_bench_verified",
    "terminal_bench_2",
    "osworld",
    "frontiermath",
    "mmlu",
    "humaneval",
)
#: Release dates of the printed frontier forecasts.
REPORT_DATES = ("2025-06-01", "2026-06-01", "2027-06-01", "2028-06-01")
#: Training compute (FLOP) of the printed fixed-compute forecasts, released mid-2026.
REPORT_FLOPS = (1e25, 1e26, 1e27, 1e28)
REPORT_FLOP_DATE = "2026-06-01"
#: Seed of the predictive noise in forecasts and figures.
REPORT_SEED = 11


def report_benchmarks(view: PosteriorView) -> list[str]:
    """The :data:`REPORT_BENCHMARKS` the fit knows (benchmarks and task suites), in order."""
    fitted = set(view.draws["benchmark"].values.tolist()) | set(view.tasks["suite"])
    return [b for b in REPORT_BENCHMARKS if b in fitted]


@dataclass(frozen=True)
class PolicyResults:
    """A policy simulation with its summaries, computed once per report.

    Attributes
    ----------
    dataset
        The simulation (:func:`riskmodel.simulation.run.simulate`).
    summary
        :func:`~riskmodel.simulation.run.summary_table` of ``dataset``: median and 90%
        interval per outcome, truth bar and variant. Read it, do not modify it (copy first).
    developers
        :func:`~riskmodel.simulation.run.developers_table` of ``dataset``: developers
        under full obligations per variant in the last simulated year.
    """

    dataset: xr.Dataset
    summary: pd.DataFrame
    developers: pd.DataFrame

    @classmethod
    def of(cls, dataset: xr.Dataset) -> PolicyResults:
        """Summarise ``dataset`` (the only place the report calls the two summaries)."""
        return cls(dataset, summary_table(dataset), developers_table(dataset))


@dataclass(frozen=True)
class ReportResults:
    """Every result of one run of the main job, passed to the figures and the report.

    Attributes
    ----------
    tree, view
        The capability fit and its posterior view (built once).
    evidence
        The evidence of the run (shipped plus the extra files).
    settings, inputs
        The settings and the hazard inputs they point to.
    benchmarks
        :func:`report_benchmarks` of ``view``.
    hazard_table, hazard_curve
        :func:`riskmodel.hazard.curves.hazard_curve` at the table's FLOP and on the grid
        of the figure.
    crossings, crossing_sensitivity
        :func:`riskmodel.hazard.curves.crossing_tables`.
    variants
        The simulated policy variants, in the simulation's order.
    policy
        The simulation and its summaries.
    lde_table
        :func:`riskmodel.policy.lde.all_benchmarks_table` of the report.
    sensitivity
        :func:`riskmodel.simulation.sensitivity.sensitivity_table` of the report.
    """

    tree: xr.DataTree
    view: PosteriorView
    evidence: Evidence
    settings: Settings
    inputs: HazardInputs
    benchmarks: list[str]
    hazard_table: pd.DataFrame
    hazard_curve: pd.DataFrame
    crossings: pd.DataFrame
    crossing_sensitivity: pd.DataFrame
    variants: list[PolicyVariant]
    policy: PolicyResults
    lde_table: xr.Dataset
    sensitivity: pd.DataFrame

    @property
    def vintage(self) -> str:
        """The fit's data vintage (YYYY-MM-DD), as the captions quote it."""
        return str(self.tree.attrs.get("data_vintage", ""))
