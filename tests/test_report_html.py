"""The HTML report (``riskmodel.report.html``): one table renderer, the before/after
section against the previous hazard model."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from riskmodel.report.html import html_table, render_report


class _Cells(HTMLParser):
    """The text of each header and data cell, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._open = False

    def handle_starttag(self, tag: str, attrs: list) -> None:  # noqa: ANN001
        if tag in ("th", "td"):
            self.cells.append("")
            self._open = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td"):
            self._open = False

    def handle_data(self, data: str) -> None:
        if self._open:
            self.cells[-1] += data


def _cells(html: str) -> list[str]:
    parser = _Cells()
    parser.feed(html)
    return [cell.strip() for cell in parser.cells]


def test_one_renderer_shows_what_pandas_to_html_showed() -> None:
    """Every table of the report goes through ``html_table``; its cells read as the
    ``DataFrame.to_html`` tables it replaced (floats in the given format, missing values
    empty, text escaped)."""
    frame = pd.DataFrame(
        {
            "bar": ["current", "a <b> & c"],
            "flop": [1.1e25, np.nan],
            "probability": [0.18734, 0.0],
            "hazardous": [True, False],
            "n": [4000, 12],
            "frontier_date": ["2026-02-24", None],
            "mixed": [np.inf, 0.123456],
        }
    )
    for float_format in ("{:.3g}", "{:.4g}"):
        expected = frame.to_html(
            index=False,
            escape=True,
            border=0,
            float_format=lambda v, f=float_format: f.format(v),
            na_rep="",
        )
        ours = html_table(frame, float_format=float_format)
        assert _cells(ours) == _cells(expected)
    assert "a &lt;b&gt; &amp; c" in html_table(frame)
    assert html_table(pd.DataFrame()) == "<table><thead><tr></tr></thead><tbody></tbody></table>"


def test_outcome_names_link_to_their_definitions() -> None:
    definitions = {"runs_covered": ("Training runs covered", "Runs covered (in runs).")}
    table = pd.DataFrame({"outcome": ["runs_covered", "other"], "median": ["1,990", "<3"]})
    html = html_table(table, links=("outcome", definitions))
    assert '<td><a href="#def-runs_covered">Training runs covered</a></td>' in html
    assert "<td>other</td>" in html and "<td>&lt;3</td>" in html
    assert _cells(html) == ["outcome", "median", "Training runs covered", "1,990", "other", "<3"]


def test_before_after_against_the_previous_hazard_model(tmp_path: Path) -> None:
    """The v1 numbers load from data, are shown only beside the same fit, date, seed and
    uplift evidence, and a broken file is refused with its key named."""
    import math

    from riskmodel.errors import ConfigError
    from riskmodel.hazard.previous import (
        before_after_tables,
        default_previous_path,
        load_previous_hazard_numbers,
    )

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
