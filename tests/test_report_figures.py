"""The figure registry (``riskmodel.report.figures``): each figure named once, drawn from
the job's results, saved as PNG and SVG, and embedded by the HTML from the same list."""

from __future__ import annotations

import dataclasses
import html as html_module
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

import riskmodel.report.figures as report_figures_module
from riskmodel.capability.predict import posterior_view
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence
from riskmodel.policy.variants import load_variants
from riskmodel.report.figures import (
    FIGURES,
    KEY_FIGURE,
    draw_figures,
    figure_spec,
    report_figures,
)
from riskmodel.report.html import render_report
from riskmodel.report.results import PolicyResults, ReportResults, report_benchmarks
from riskmodel.settings import Settings


def test_the_registry_names_each_figure_once() -> None:
    keys = [spec.key for spec in FIGURES]
    assert len(set(keys)) == len(keys)
    assert len({spec.title for spec in FIGURES}) == len(FIGURES)
    assert all(spec.title and spec.caption and callable(spec.draw) for spec in FIGURES)
    assert not any(key.endswith((".png", ".svg")) for key in keys)
    assert [spec.key for spec in FIGURES if spec.per_variant] == ["flowchart_{name}"]
    assert figure_spec(KEY_FIGURE).key == KEY_FIGURE and not figure_spec(KEY_FIGURE).per_variant
    with pytest.raises(KeyError, match="no report figure 'nope'"):
        figure_spec("nope")


def test_per_variant_figures_are_resolved_for_each_variant(tmp_path: Path) -> None:
    variants = load_variants(["enrolled", "commentary"])
    figures = report_figures(tmp_path, variants)
    assert len(figures) == len(FIGURES) - 1 + len(variants)
    assert len({f.path for f in figures}) == len(figures)
    assert all(f.path.parent == tmp_path and f.path.suffix == ".png" for f in figures)
    flowcharts = [f for f in figures if f.key.startswith("flowchart_")]
    assert [f.key for f in flowcharts] == ["flowchart_enrolled", "flowchart_commentary"]
    assert flowcharts[1].title == "Decision flowchart: commentary"
    assert flowcharts[1].caption.startswith(variants[1].title + ": drawn from the rule file")
    assert [f.key for f in figures if not f.key.startswith("flowchart_")] == [
        spec.key for spec in FIGURES if not spec.per_variant
    ]


def test_exactly_the_registered_figures_are_drawn_and_embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With every drawing function replaced by a tiny figure: the files written are the
    registered ones (PNG and SVG) and nothing else; the HTML embeds each once, the key
    figure on the first screen."""
    import matplotlib.pyplot as plt

    drawn: list[str] = []

    def stub(key: str):  # noqa: ANN202 - a drawing function
        def draw(results: object, *variant: object) -> plt.Figure:
            drawn.append(key)
            fig, ax = plt.subplots(figsize=(1.0, 1.0))
            ax.plot([0, 1], [0, 1])
            return fig

        return draw

    stubs = tuple(dataclasses.replace(spec, draw=stub(spec.key)) for spec in FIGURES)
    monkeypatch.setattr(report_figures_module, "FIGURES", stubs)
    variants = load_variants(["enrolled", "commentary"])
    figures = report_figures(tmp_path, variants)
    written = draw_figures(None, figures)  # type: ignore[arg-type]  # the stubs ignore it
    expected = {f.path.with_suffix(s).name for f in figures for s in (".png", ".svg")}
    assert {p.name for p in tmp_path.iterdir()} == expected
    assert set(written) == {f"figure_{name}" for name in expected}
    assert drawn == [spec.key for spec in FIGURES if not spec.per_variant] + [
        "flowchart_{name}"
    ] * len(variants)
    key = next(f for f in figures if f.key == KEY_FIGURE)
    html = render_report(
        title="t",
        vintage="2025-09-01",
        headline=[],
        hazard_table=pd.DataFrame(),
        crossing_table=pd.DataFrame(),
        variant_tables={},
        variant_descriptions={},
        figures=figures,
        assumptions=pd.DataFrame(),
        diagnostics={},
        provenance={},
        key_figure=key,
    )
    for figure in figures:
        assert html.count(f'<figure id="fig-{figure.key}">') == 1, figure.key
        assert f'alt="{html_module.escape(figure.title)}"' in html
    summary = html[html.index('<section id="summary">') : html.index('<section id="headline">')]
    assert f'<figure id="fig-{KEY_FIGURE}">' in summary
    assert html.count("<img ") == len(figures)


@pytest.mark.slow
def test_capability_and_uplift_figures_from_the_small_fit(
    small_fit: xr.DataTree, small_evidence: Evidence, small_config: FitConfig, tmp_path: Path
) -> None:
    """The registry's figures that need only the fit and the evidence, drawn for real."""
    settings = Settings(fit=small_config)
    view = posterior_view(small_fit)
    empty = pd.DataFrame()
    results = ReportResults(
        tree=small_fit,
        view=view,
        evidence=small_evidence,
        settings=settings,
        inputs=settings.files.load_hazard_inputs(),
        benchmarks=report_benchmarks(view),
        hazard_table=empty,
        hazard_curve=empty,
        crossings=empty,
        crossing_sensitivity=empty,
        variants=[],
        policy=PolicyResults(xr.Dataset(), empty, empty),
        lde_table=xr.Dataset(),
        sensitivity=empty,
    )
    keys = (
        "prior_predictive",
        "compute_trend",
        "capability_curves",
        "frontier_forecast",
        "uplift_prior_predictive",
    )
    figures = [f for f in report_figures(tmp_path, []) if f.key in keys]
    assert len(figures) == len(keys)
    written = draw_figures(results, figures)
    assert len(written) == 2 * len(keys)
    for path in written.values():
        assert path.stat().st_size > 10_000, path
    assert not list(tmp_path.glob(".*.tmp"))
