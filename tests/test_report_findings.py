"""Headline findings, tables and the executive summary (``riskmodel.report.findings``):
generated from the numbers, formatted for people, and the simulation's summaries computed
once per report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import riskmodel.report.results as results_module
from riskmodel.capability.predict import posterior_view
from riskmodel.evidence import Evidence
from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES, TRUTH_OUTCOMES, WORLD_OUTCOMES
from riskmodel.policy.variants import SHIPPED_VARIANTS, load_variants
from riskmodel.report.findings import (
    OUTCOME_LABELS,
    build_report,
    convergence_warning,
    developers_comparison,
    executive_summary,
    headline_findings,
    outcome_definitions,
    people_date,
    people_day,
    people_flop,
    people_number,
    people_percent,
    people_usd,
    people_value,
)
from riskmodel.report.html import render_report
from riskmodel.report.results import PolicyResults, ReportResults
from riskmodel.settings import load_settings


def test_a_fit_that_failed_the_gate_is_flagged_first() -> None:
    assert convergence_warning({"passed": True, "max_rhat": 1.001}) == []
    (line,) = convergence_warning(
        {"passed": False, "max_rhat": 1.0165, "min_ess_bulk": 364.2, "divergences": 0}
    )
    assert line.startswith("Provisional") and "1.0165" in line and "364" in line


def _outcomes_dataset(n_draws: int = 20) -> xr.Dataset:
    """A simulation-shaped Dataset (every outcome) with developers 0..n_draws-1 per year."""
    variants, years = list(SHIPPED_VARIANTS), [2025, 2026]
    data = {}
    for name, (units, _) in OUTCOMES.items():
        values = np.broadcast_to(
            np.arange(n_draws, dtype=float), (len(variants), len(years), n_draws)
        ).copy()
        data[name] = xr.Variable(("variant", "year", "draw"), values, {"units": units})
    for name, (units, _) in PER_DRAW_OUTCOMES.items():
        values = np.full((len(variants), n_draws), 2027.0)
        data[name] = xr.Variable(("variant", "draw"), values, {"units": units})
    coords = {"variant": variants, "year": years, "draw": np.arange(n_draws)}
    return xr.Dataset(data, coords=coords)


def test_report_compares_developers_under_obligations_with_the_commentary() -> None:
    dataset = _outcomes_dataset()
    policy = PolicyResults.of(dataset)
    heading, table = developers_comparison(policy.developers)
    assert "in 2026" in heading and "(e.g. 3)" in heading
    assert table["variant"].tolist() == list(SHIPPED_VARIANTS)
    row = table.iloc[0]
    # developers 0..19 in every world: median 9, 90% interval 0-18, at most 3 in 4 of 20
    assert (row["median"], row["5%"], row["95%"]) == ("9", "0", "18")
    assert row["share of worlds with at most 3"] == "20%"
    assert set(table["commentary expects"]) == {"about 3"}
    lines = headline_findings(pd.DataFrame({"flop": []}), pd.DataFrame(), policy, date="2026-06-01")
    (line,) = [x for x in lines if x.startswith("Developers under full obligations in 2026")]
    assert "expectation of about 3" in line
    assert all(f"{name} 9 (90% interval 0 to 18" in line for name in SHIPPED_VARIANTS)
    html = render_report(
        title="t",
        vintage="2025-09-01",
        headline=lines,
        hazard_table=pd.DataFrame(),
        crossing_table=pd.DataFrame(),
        variant_tables={},
        variant_descriptions={},
        figures=[],
        assumptions=pd.DataFrame(),
        diagnostics={},
        provenance={},
        comparison_tables={heading: table},
    )
    assert "commentary expects" in html and "about 3" in html
    assert html.index("Developers under full obligations in 2026 against") > html.index(
        '<section id="policy">'
    )


def test_headline_findings_report_each_truth_bar() -> None:
    single = _outcomes_dataset()
    dataset = single.copy()
    bars = pd.Index(["current", "raised"], name="truth_bar")
    for name in TRUTH_OUTCOMES:
        if name in dataset:  # the current bar's truth: 100 more in every world
            shift = 100.0 if "year" in dataset[name].dims else 0.0
            dataset[name] = xr.concat([dataset[name] + shift, dataset[name]], dim=bars)
    empty = {"hazard_table": pd.DataFrame({"flop": []}), "crossings": pd.DataFrame()}
    lines = headline_findings(policy=PolicyResults.of(dataset), date="2026-06-01", **empty)
    (line,) = [x for x in lines if x.startswith("enrolled (2025-2026)")]
    # medians over worlds of 0..19 summed over two years: 18 (raised), 218 (current)
    assert "no obligation: 218 (truth: current bar), 18 (truth: raised bar)" in line
    assert "compliance cost" in line and "truth" not in line.split(";")[0]
    (lde,) = [x for x in lines if x.startswith("Removing the limited duty exemption")]
    assert "(truth: current bar)" in lde and "(truth: raised bar)" in lde
    # A simulation without truth bars (format 1) reads as before, unlabelled.
    lines = headline_findings(policy=PolicyResults.of(single), date="2026-06-01", **empty)
    (old,) = [x for x in lines if x.startswith("enrolled")]
    assert "no obligation: 18;" in old and "truth:" not in old
    assert np.isfinite(dataset["hazardous_not_covered"].values).all()


def test_numbers_are_formatted_for_people() -> None:
    import math

    assert people_usd(1.06e9) == "$1.1B" and people_usd(2.5e8) == "$250M"
    assert people_usd(4.6e10) == "$46B" and people_usd(999.0) == "$999"
    assert people_percent(0.00067) == "0.067%" and people_percent(0.187) == "19%"
    assert people_percent(0.0) == "0%" and people_percent(1e-6) == "< 0.01%"
    assert people_flop(1.1e25) == "1.1 × 10²⁵ FLOP" and people_flop(1e26) == "10²⁶ FLOP"
    assert people_flop(math.inf) == "beyond 10³² FLOP"
    assert people_date(2028.7) == "September 2028" and people_date("2025-02-02") == "February 2025"
    assert people_date(None) == "not before 2041" and people_day("2026-06-01") == "1 June 2026"
    assert people_number(1990.0) == "1,990" and people_number(12.5) == "12.5"
    assert people_value(math.inf, "years") == "never" and people_value(1.25, "years") == "1.2 years"
    assert people_value(2027.0, "decimal year") == "January 2027"


def test_executive_summary_reads_for_a_policy_reader() -> None:
    """Five sentences, key number first, in words and people's units; every outcome has a
    label and a definition; the variant tables link each label to its definition."""
    hazard = pd.DataFrame(
        {
            "bar": ["raised", "current", "raised", "current"],
            "flop": [1e25, 1e25, 1e26, 1e26],
            "probability": [0.02, 0.05, 0.072, 0.187],
            "mc_se": [0.001] * 4,
            "required_probability": [0.1, 0.05, 0.1, 0.05],
        }
    )
    crossings = pd.DataFrame(
        {
            "bar": ["raised", "current"],
            "flop": [2.3e26, 1.1e25],
            "frontier_date": ["2026-02-24", None],
        }
    )
    policy = PolicyResults.of(_outcomes_dataset())
    lines = executive_summary(hazard, crossings, policy, date="2026-06-01")
    assert len(lines) == 5
    first = lines[0]
    assert first.startswith("A model trained with 10²⁶ FLOP and released on 1 June 2026")
    assert first.index("19% under the current bar") < first.index("7.2% under the raised bar")
    assert "hazardous" in first and "not hazardous" in first
    assert "1.1 × 10²⁵ FLOP" in lines[1] and "February 2026" in lines[1]
    assert "not before 2041" in lines[1]
    assert "about 3" in lines[2] and "$" in lines[3]
    text = " ".join(lines)
    for machine in ("e+", "+/-", "decimal year", "_", "P ="):
        assert machine not in text, machine
    definitions = outcome_definitions()
    assert set(definitions) == {*OUTCOMES, *PER_DRAW_OUTCOMES, *WORLD_OUTCOMES}
    assert set(OUTCOME_LABELS) == set(definitions)
    table = pd.DataFrame({"outcome": ["runs_covered"], "median": ["1,990"]})
    html = render_report(
        title="t",
        vintage="2025-09-01",
        headline=[],
        hazard_table=hazard,
        crossing_table=crossings,
        variant_tables={"commentary": table},
        variant_descriptions={},
        figures=[],
        assumptions=pd.DataFrame(),
        diagnostics={},
        provenance={},
        summary=lines,
        definitions=definitions,
    )
    assert html.index('<section id="summary">') < html.index('<section id="headline">')
    assert '<a href="#def-runs_covered">Training runs covered</a>' in html
    assert 'id="def-runs_covered"' in html and ">runs_covered<" not in html


def test_the_simulation_is_summarised_once_per_report(
    small_fit: xr.DataTree,
    small_evidence: Evidence,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``summary_table`` and ``developers_table`` run once (``PolicyResults.of``); the
    findings and the report read the results, and the report formats a copy."""

    calls: list[str] = []
    for name in ("summary_table", "developers_table"):
        original = getattr(results_module, name)

        def counted(dataset: xr.Dataset, _f=original, _name=name) -> pd.DataFrame:  # noqa: ANN001
            calls.append(_name)
            return _f(dataset)

        monkeypatch.setattr(results_module, name, counted)
    policy = PolicyResults.of(_outcomes_dataset())
    assert calls == ["summary_table", "developers_table"]
    summary = policy.summary.copy()
    settings = load_settings({"report": {"variants": list(SHIPPED_VARIANTS)}})
    hazard = pd.DataFrame(
        {
            "bar": ["current", "raised"],
            "flop": [1e26, 1e26],
            "probability": [0.187, 0.072],
            "mc_se": [0.001, 0.001],
            "required_probability": [0.05, 0.1],
        }
    )
    empty = pd.DataFrame()
    results = ReportResults(
        tree=small_fit,
        view=posterior_view(small_fit),
        evidence=small_evidence,
        settings=settings,
        inputs=settings.files.load_hazard_inputs(),
        benchmarks=[],
        hazard_table=hazard,
        hazard_curve=empty,
        crossings=empty,
        crossing_sensitivity=empty,
        variants=load_variants(list(SHIPPED_VARIANTS)),
        policy=policy,
        lde_table=xr.Dataset(),
        sensitivity=empty,
    )
    html = build_report(results, [], tmp_path / "report.html").read_text(encoding="utf-8")
    assert calls == ["summary_table", "developers_table"]  # not again
    pd.testing.assert_frame_equal(policy.summary, summary)  # formatted on a copy
    assert "commentary expects" in html and '<a href="#def-runs_covered">' in html
    source = Path(results_module.__file__).parent
    for path in source.glob("*.py"):
        if path.name != "results.py":
            text = path.read_text(encoding="utf-8")
            assert "summary_table(" not in text and "developers_table(" not in text, path
