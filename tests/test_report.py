"""The main job's pieces on the small fit: forecast tables and figures, written atomically."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import xarray as xr

from riskmodel.capability.store import save_fit
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence
from riskmodel.policy.variants import SHIPPED_VARIANTS
from riskmodel.report import (
    _forecast_table,
    _horizon_table,
    cached_or_new_fit,
    run_report,
    write_capability_figures,
    write_uplift_figures,
)
from riskmodel.report_html import REPORT_SECTIONS


def test_tables_and_figures(
    small_fit: xr.DataTree, small_evidence: Evidence, small_config: FitConfig, tmp_path: Path
) -> None:
    forecasts = _forecast_table(small_fit)
    assert {"benchmark", "date", "flop", "mean", "q05", "q95"} <= set(forecasts.columns)
    assert (forecasts["q05"] <= forecasts["q95"]).all()
    horizons = _horizon_table(small_fit)
    assert (horizons["h50_minutes_q05"] <= horizons["h50_minutes_q95"]).all()
    written = write_capability_figures(small_fit, small_evidence, small_config, tmp_path)
    written += write_uplift_figures(small_fit, tmp_path)
    for path in written:
        assert path.stat().st_size > 10_000, path
    assert not list(tmp_path.glob(".*.tmp"))


def test_cached_fit_is_reused_only_on_hash_match(
    small_fit: xr.DataTree, small_evidence: Evidence, small_config: FitConfig, tmp_path: Path
) -> None:
    path = save_fit(small_fit, tmp_path / "fit.nc")
    reused = cached_or_new_fit(path, small_evidence, small_config)
    assert reused.attrs["config_hash"] == small_fit.attrs["config_hash"]


def test_cached_fit_is_refitted_when_the_model_code_changes(
    small_fit: xr.DataTree,
    small_evidence: Evidence,
    small_config: FitConfig,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The main job's cache is keyed by the capability model's code as well as by config
    and data (it once reused a fit made by older model code)."""
    import riskmodel.report as report

    path = save_fit(small_fit, tmp_path / "fit.nc")
    calls: list[int] = []

    def refit(evidence: Evidence, config: FitConfig, **kwargs: object) -> xr.DataTree:
        calls.append(1)
        return small_fit

    monkeypatch.setattr(report, "fit_evidence_model", refit)
    report.cached_or_new_fit(path, small_evidence, small_config)
    assert calls == []  # same config, data and code: reused
    assert small_fit.attrs["model_source_hash"] == report.model_source_hash()
    monkeypatch.setattr(report, "model_source_hash", lambda: "edited capability/model.py")
    report.cached_or_new_fit(path, small_evidence, small_config)
    assert calls == [1]


# --- the whole pipeline, end to end, on a reduced configuration ------------------------

REDUCED = {
    "hazard": {
        "table_flops": [1e25, 1e26],
        "curve_log10_flop": [23.0, 29.0, 1.0],
        "link_params": "prior",
    },
    "simulation": {"first_year": 2025, "last_year": 2026, "draws": 30, "chunk_draws": 15},
    "report": {"sensitivity_draws": 20},
}
PROMISED_FIGURES = (
    "hazard_vs_flop",
    "crossings",
    "frontier_forecast",
    "policy_variants",
    "lde_all_benchmarks",
    "sensitivity_tornado",
    "prior_posterior",
    *(f"flowchart_{name}" for name in SHIPPED_VARIANTS),
)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _rendered_dom(html: Path, profile: Path) -> str:
    """The report's DOM after load, rendered by headless Chromium."""
    command = [
        _chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--window-size=1400,900",
        "--virtual-time-budget=10000",
        "--dump-dom",
        html.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.slow
def test_report_end_to_end(small_fit: xr.DataTree, tmp_path: Path) -> None:
    out, figures = tmp_path / "results", tmp_path / "figures"
    written = run_report(out_dir=out, figures_dir=figures, config=REDUCED, tree=small_fit)
    for stem in PROMISED_FIGURES:
        for suffix in (".png", ".svg"):
            path = figures / f"{stem}{suffix}"
            assert path.exists() and path.stat().st_size > 5_000, path
    for name in (
        "hazard",
        "crossings",
        "simulation",
        "policy_summary",
        "developers_under_obligations",
        "sensitivity",
    ):
        assert written[name].exists(), name
    html = written["report"].read_text(encoding="utf-8")
    for section in REPORT_SECTIONS:
        assert f'<section id="{section}">' in html, section
    n_images = html.count("<img ")
    assert n_images >= len(PROMISED_FIGURES)
    assert 'src="http' not in html and "<link" not in html  # self-contained
    assert not list(out.glob(".*.tmp")) and not list(figures.glob(".*.tmp"))
    if _chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install Chromium (see .ci/run) to check the report renders")
        pytest.skip("Chromium is not installed here; CI installs it")
    dom = _rendered_dom(written["report"], tmp_path / "chromium-profile")
    match = re.search(r'data-images-loaded="(\d+)/(\d+)"', dom)
    assert match, "the page's load script did not run"
    assert match.group(1) == match.group(2) == str(n_images)
    # At 1400 x 900 px the summary and the key figure lie on the first screen.
    screen = re.search(r'data-first-screen="([^"]*)"', dom)
    assert screen and screen.group(1).startswith("summary:yes;figure:yes"), screen


def test_a_fit_that_failed_the_gate_is_flagged_first() -> None:
    from riskmodel.report_findings import convergence_warning

    assert convergence_warning({"passed": True, "max_rhat": 1.001}) == []
    (line,) = convergence_warning(
        {"passed": False, "max_rhat": 1.0165, "min_ess_bulk": 364.2, "divergences": 0}
    )
    assert line.startswith("Provisional") and "1.0165" in line and "364" in line


def _outcomes_dataset(n_draws: int = 20) -> xr.Dataset:
    """A simulation-shaped Dataset (every outcome) with developers 0..n_draws-1 per year."""
    import numpy as np

    from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES

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
    import pandas as pd

    from riskmodel.report_findings import developers_comparison, headline_findings
    from riskmodel.report_html import render_report

    dataset = _outcomes_dataset()
    heading, table = developers_comparison(dataset)
    assert "in 2026" in heading and "(e.g. 3)" in heading
    assert table["variant"].tolist() == list(SHIPPED_VARIANTS)
    row = table.iloc[0]
    # developers 0..19 in every world: median 9, 90% interval 0-18, at most 3 in 4 of 20
    assert (row["median"], row["5%"], row["95%"]) == ("9", "0", "18")
    assert row["share of worlds with at most 3"] == "20%"
    assert set(table["commentary expects"]) == {"about 3"}
    lines = headline_findings(
        pd.DataFrame({"flop": []}), pd.DataFrame(), dataset, date="2026-06-01"
    )
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
    import numpy as np
    import pandas as pd

    from riskmodel.policy.engine import TRUTH_OUTCOMES
    from riskmodel.report_findings import headline_findings

    single = _outcomes_dataset()
    dataset = single.copy()
    bars = pd.Index(["current", "raised"], name="truth_bar")
    for name in TRUTH_OUTCOMES:
        if name in dataset:  # the current bar's truth: 100 more in every world
            shift = 100.0 if "year" in dataset[name].dims else 0.0
            dataset[name] = xr.concat([dataset[name] + shift, dataset[name]], dim=bars)
    empty = {"hazard_table": pd.DataFrame({"flop": []}), "crossings": pd.DataFrame()}
    lines = headline_findings(dataset=dataset, date="2026-06-01", **empty)
    (line,) = [x for x in lines if x.startswith("enrolled (2025-2026)")]
    # medians over worlds of 0..19 summed over two years: 18 (raised), 218 (current)
    assert "no obligation: 218 (truth: current bar), 18 (truth: raised bar)" in line
    assert "compliance cost" in line and "truth" not in line.split(";")[0]
    (lde,) = [x for x in lines if x.startswith("Removing the limited duty exemption")]
    assert "(truth: current bar)" in lde and "(truth: raised bar)" in lde
    # A simulation without truth bars (format 1) reads as before, unlabelled.
    lines = headline_findings(dataset=single, date="2026-06-01", **empty)
    (old,) = [x for x in lines if x.startswith("enrolled")]
    assert "no obligation: 18;" in old and "truth:" not in old
    assert np.isfinite(dataset["hazardous_not_covered"].values).all()


def test_before_after_against_the_previous_hazard_model(tmp_path: Path) -> None:
    """The v1 numbers load from data, are shown only beside the same fit, date, seed and
    uplift evidence, and a broken file is refused with its key named."""
    import math

    import pandas as pd

    from riskmodel.errors import ConfigError
    from riskmodel.hazard.previous import (
        before_after_tables,
        default_previous_path,
        load_previous_hazard_numbers,
    )
    from riskmodel.report_html import render_report

    previous = load_previous_hazard_numbers()
    p = previous.provenance
    same = {
        "config_hash": p["fit_config_hash"],
        "evidence_hash": p["fit_evidence_hash"],
        "date": p["release_date"],
        "seed": p["hazard_seed"],
        "link_params": p["link_params"],
    }
    assert previous.mismatch(**same) is None
    for key, other in (("date", "2027-01-01"), ("seed", 12), ("config_hash", "abc")):
        why = previous.mismatch(**{**same, key: other})
        assert why is not None and p["commit"] in why
    assert previous.probability[("current", 1e26)] == 0.3562
    hazard = pd.DataFrame(
        {
            "bar": ["current", "current"],
            "flop": [1e26, 3e26],
            "probability": [0.19, 0.25],
            "mc_se": [0.005, 0.005],
        }
    )
    crossings = pd.DataFrame(
        {"bar": ["current"], "flop": [1.1e25], "flop_mc_se_dex": [0.02], "frontier_date": [None]}
    )
    probability, crossing = before_after_tables(hazard, crossings, previous)
    assert probability["probability_before"].iloc[0] == 0.3562
    assert math.isnan(probability["probability_before"].iloc[1])  # not measured by v1
    assert crossing["crossing_before"].iloc[0].startswith("FLOP 3.2e+18 / 3.4e+20")
    assert crossing["frontier_date_after"].iloc[0] == "after 2040"
    common = {
        "title": "t",
        "vintage": "2025-09-01",
        "headline": [],
        "hazard_table": hazard,
        "crossing_table": crossings,
        "variant_tables": {},
        "variant_descriptions": {},
        "figures": [],
        "assumptions": pd.DataFrame(),
        "diagnostics": {},
        "provenance": {},
    }
    html = render_report(**common, before_after=(probability, crossing))
    assert 'id="before-after"' in html and "0.3562" in html
    html = render_report(**common, before_after="Not shown: another fit.")
    assert "Not shown: another fit." in html
    # A broken copy is refused with the file and key named.
    text = default_previous_path().read_text(encoding="utf-8")
    broken = tmp_path / "v1.toml"
    broken.write_text(text.replace("hazard_seed = 11\n", ""), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"v1\.toml.*provenance\.hazard_seed"):
        load_previous_hazard_numbers(broken)
    broken.write_text(text.replace("0.0622, ", ""), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"probability\.current.*differ in length"):
        load_previous_hazard_numbers(broken)


def test_numbers_are_formatted_for_people() -> None:
    import math

    from riskmodel.report_findings import (
        people_date,
        people_day,
        people_flop,
        people_number,
        people_percent,
        people_usd,
        people_value,
    )

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
    import pandas as pd

    from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES, WORLD_OUTCOMES
    from riskmodel.report_findings import OUTCOME_LABELS, executive_summary, outcome_definitions
    from riskmodel.report_html import render_report

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
    lines = executive_summary(hazard, crossings, _outcomes_dataset(), date="2026-06-01")
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
