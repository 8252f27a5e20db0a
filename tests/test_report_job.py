"""The main job (``riskmodel.report.job``): forecast tables, the fit cache, and the whole
pipeline end to end on a reduced configuration (every registered figure drawn and
embedded, nothing else written)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xarray as xr

from riskmodel.capability.predict import posterior_view
from riskmodel.policy.variants import SHIPPED_VARIANTS, load_variants
from riskmodel.report.figures import KEY_FIGURE, report_figures
from riskmodel.report.html import REPORT_SECTIONS
from riskmodel.report.job import forecast_table, horizon_table, run_report
from riskmodel.report.results import report_benchmarks


def test_forecast_and_horizon_tables(small_fit: xr.DataTree) -> None:
    view = posterior_view(small_fit)
    forecasts = forecast_table(view, report_benchmarks(view))
    assert {"benchmark", "date", "flop", "mean", "q05", "q95"} <= set(forecasts.columns)
    assert (forecasts["q05"] <= forecasts["q95"]).all()
    horizons = horizon_table(view)
    assert (horizons["h50_minutes_q05"] <= horizons["h50_minutes_q95"]).all()


@pytest.mark.slow  # a fresh interpreter importing the package: seconds
def test_the_package_exports_lazily() -> None:
    """``riskmodel.report`` names what it exported as a module, without importing the job."""
    code = (
        "import sys\n"
        "import riskmodel.report as report\n"
        "assert 'riskmodel.report.job' not in sys.modules\n"
        "assert 'pymc' not in sys.modules\n"
        "assert {'run_report', 'REPORT_DATES'} <= set(dir(report))\n"
        "assert report.run_report.__module__ == 'riskmodel.report.job'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


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
    # The figure registry: every registered figure is drawn (PNG and SVG) and embedded
    # once, the key figure on the first screen; no other figure file is written.
    registered = report_figures(figures, load_variants("all"))
    assert {f"flowchart_{name}" for name in SHIPPED_VARIANTS} <= {f.key for f in registered}
    expected = {f.path.with_suffix(s).name for f in registered for s in (".png", ".svg")}
    assert {p.name for p in figures.iterdir()} == expected
    assert {p.name for k, p in written.items() if k.startswith("figure_")} == expected
    for name in expected:
        assert (figures / name).stat().st_size > 5_000, name
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
    for figure in registered:
        assert html.count(f'<figure id="fig-{figure.key}">') == 1, figure.key
    summary = html[html.index('<section id="summary">') : html.index('<section id="headline">')]
    assert f'<figure id="fig-{KEY_FIGURE}">' in summary
    n_images = html.count("<img ")
    assert n_images == len(registered)
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
