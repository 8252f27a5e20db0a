"""The self-contained HTML report: rendering only (numbers come from the pipeline).

:func:`render_report` builds one HTML document with every figure embedded as a base64
data URI (no external files, scripts or fonts), the headline findings in plain language,
a table per policy variant, the hazard tables, the assumptions with their sources, the
fit diagnostics and the provenance. A small inline script records, once the page has
loaded, how many images decoded (``<body data-images-loaded="k/n">``); the test renders
the page in headless Chromium and checks ``k == n``.

Every table goes through one renderer (:func:`html_table`): a plain ``<table>`` styled by
the document's stylesheet, cells escaped, floats in a given format, missing values empty,
and optionally one column of outcome names shown as their labels linked to their
definitions. The figures come from the registry (:mod:`riskmodel.report.figures`).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.api.types import is_scalar

from riskmodel.provenance import atomic_path
from riskmodel.report.figures import ReportFigure

__all__ = ["html_table", "render_report", "write_report", "REPORT_SECTIONS"]

#: Section ids of the report, in order (tests check each is present).
REPORT_SECTIONS = (
    "summary",
    "headline",
    "hazard",
    "policy",
    "figures",
    "assumptions",
    "diagnostics",
    "provenance",
)

_STYLE = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 1100px; margin: 2em auto;
       padding: 0 1em; color: #1a1a1a; line-height: 1.45; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: right; }
th { background: #eee; } td:first-child, th:first-child { text-align: left; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9em; color: #333; }
.note { font-size: 0.9em; color: #444; }
#summary { display: flex; gap: 1.5em; align-items: flex-start; }
#summary .text { flex: 1 1 42%; } #summary .text p { margin: 0 0 0.6em; }
#summary figure { flex: 1 1 58%; margin: 0; } #summary h3 { margin: 0 0 0.3em; }
h1 { margin: 0.2em 0 0.1em; } dt { font-weight: bold; margin-top: 0.4em; }
"""

_IMAGE_CHECK = """
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var ok = images.filter(function (i) { return i.complete && i.naturalWidth > 0; });
  document.body.setAttribute("data-images-loaded", ok.length + "/" + images.length);
  function onFirstScreen(element) {
    if (!element) { return "missing"; }
    var box = element.getBoundingClientRect();
    var inside = box.top >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
    return inside && box.height > 0 ? "yes" : "no";
  }
  document.body.setAttribute(
    "data-first-screen",
    "summary:" + onFirstScreen(document.querySelector("#summary .text")) +
    ";figure:" + onFirstScreen(document.querySelector("#summary figure img")) +
    ";viewport:" + window.innerWidth + "x" + window.innerHeight
  );
});
"""


def _cell(value: object, float_format: str) -> str:
    """A cell's text: ``""`` for a missing value (None, NaN, NaT), floats in ``float_format``."""
    if is_scalar(value) and pd.isna(value):
        return ""
    if isinstance(value, float | np.floating):
        return float_format.format(value)
    return str(value)


def html_table(
    frame: pd.DataFrame,
    *,
    float_format: str = "{:.3g}",
    links: tuple[str, Mapping[str, tuple[str, str]]] | None = None,
) -> str:
    """``frame`` as a plain HTML table (no index), every cell escaped.

    Parameters
    ----------
    frame
        The table.
    float_format
        Format of float cells; missing values (None, NaN) are empty.
    links
        ``(column, definitions)``: the cells of ``column`` that name an outcome of
        ``definitions`` (name -> (label, definition)) show its label linked to its
        definition (``#def-<name>``).
    """
    e = html.escape
    column, definitions = links if links is not None else (None, {})
    head = "".join(f"<th>{e(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for name, value in zip(frame.columns, record, strict=True):
            if name == column and value in definitions:
                label = definitions[value][0]
                cells.append(f'<td><a href="#def-{e(str(value))}">{e(label)}</a></td>')
            else:
                cells.append(f"<td>{e(_cell(value, float_format))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _figure(figure: ReportFigure) -> str:
    data = base64.b64encode(figure.path.read_bytes()).decode("ascii")
    return (
        f'<figure id="fig-{html.escape(figure.key)}">'
        f"<h3>{html.escape(figure.title)}</h3>"
        f'<img alt="{html.escape(figure.title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{html.escape(figure.caption)}</figcaption></figure>"
    )


def _before_after_html(before_after: tuple[pd.DataFrame, pd.DataFrame] | str | None) -> list[str]:
    """The before/after subsection (empty without ``before_after``)."""
    if before_after is None:
        return []
    parts = ['<h3 id="before-after">Before and after the hazard model v2</h3>']
    if isinstance(before_after, str):
        return [*parts, f'<p class="note">{html.escape(before_after)}</p>']
    probability, crossing = before_after
    return [
        *parts,
        '<p class="note">The previous hazard model (v1) on the same fit, release date and '
        "seed. v1 let enhancement grow without bound, measured uplift against no AI and "
        "reported crossings as quantiles of a threshold computed within each posterior "
        "draw; v2 bounds enhancement by a fresh run, measures the current bar against the "
        "best non-covered model, weights by the record of incidents and reports the "
        "crossing of the pooled probability.</p>",
        html_table(probability, float_format="{:.4g}"),
        html_table(crossing),
    ]


def render_report(
    *,
    title: str,
    vintage: str,
    headline: Sequence[str],
    hazard_table: pd.DataFrame,
    crossing_table: pd.DataFrame,
    variant_tables: Mapping[str, pd.DataFrame],
    variant_descriptions: Mapping[str, str],
    figures: Sequence[ReportFigure],
    assumptions: pd.DataFrame,
    diagnostics: Mapping[str, object],
    provenance: Mapping[str, object],
    comparison_tables: Mapping[str, pd.DataFrame] | None = None,
    crossing_sensitivity: pd.DataFrame | None = None,
    before_after: tuple[pd.DataFrame, pd.DataFrame] | str | None = None,
    summary: Sequence[str] = (),
    key_figure: ReportFigure | None = None,
    definitions: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """The report as one HTML string (see the module docstring).

    Parameters
    ----------
    title
        Document title.
    vintage
        Data vintage (YYYY-MM-DD), shown at the top.
    headline
        Plain-language findings, one sentence each.
    hazard_table, crossing_table
        P(hazard) by bar and training FLOP; crossings (pooled probability = required
        probability) by bar, with their Monte Carlo errors.
    variant_tables
        Variant name -> summary table (outcome, units, median, 90% interval).
    variant_descriptions
        Variant name -> its title and rules in words.
    figures
        Figures to embed, in order (:func:`riskmodel.report.figures.report_figures`).
    assumptions
        One row per assumption: name, value, units, source or ``elicited``.
    diagnostics
        Fit diagnostics (name -> value).
    provenance
        Seeds, config hashes, package versions (name -> value).
    comparison_tables
        Heading -> table comparing the variants, shown before the per-variant tables
        (e.g. developers under full obligations beside the commentary's expectation).
    crossing_sensitivity
        How far each crossing moves under each main epistemic input (optional).
    before_after
        P(hazard) and crossings beside the previous hazard model's
        (:func:`riskmodel.hazard.previous.before_after_tables`), or a sentence saying why
        they are not shown (optional).
    summary
        The executive summary: a few sentences for a policy reader, shown first, beside
        ``key_figure``.
    key_figure
        The figure of the first screen (not repeated in the figures section).
    definitions
        Outcome name -> (label, definition with units): the variant tables' ``outcome``
        column shows the label linked to its definition in a definitions section.
    """
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="note">Data vintage {e(vintage)}. Every number below is computed by '
        "riskmodel from the shipped public data and the documented assumptions; medians "
        "with 90% intervals unless stated.</p>",
        '<section id="summary"><div class="text"><h2>Summary</h2>',
        *[f"<p>{e(line)}</p>" for line in summary],
        '<p class="note">Details, definitions and sources follow below.</p></div>',
        *([] if key_figure is None else [_figure(key_figure)]),
        "</section>",
        '<section id="headline"><h2>Detailed findings</h2><ul>',
        *[f"<li>{e(line)}</li>" for line in headline],
        "</ul></section>",
        '<section id="hazard"><h2>Hazard under the two bars</h2>',
        "<h3>Probability of each bar's condition by training compute</h3>",
        html_table(hazard_table),
        "<h3>Where and when each bar is met (pooled probability = required probability)</h3>",
        html_table(crossing_table),
        *(
            []
            if crossing_sensitivity is None
            else [
                "<h3>Sensitivity of each crossing to the main assumptions</h3>",
                '<p class="note">The crossing recomputed among the Monte Carlo samples in '
                "the lower and the upper third of one input at a time: how far the crossing "
                "moves with that input, not the uncertainty of the crossing (the bar pools "
                "it).</p>",
                html_table(crossing_sensitivity),
            ]
        ),
        *_before_after_html(before_after),
        "</section>",
        '<section id="policy"><h2>Policy variants on the same simulated worlds</h2>',
    ]
    for heading, table in (comparison_tables or {}).items():
        parts.append(f"<h3>{e(heading)}</h3>")
        parts.append(html_table(table))
    for name, table in variant_tables.items():
        parts.append(f'<h3 id="variant-{e(name)}">{e(name)}</h3>')
        parts.append(f'<p class="note">{e(variant_descriptions.get(name, ""))}</p>')
        linked = definitions and "outcome" in table.columns
        parts.append(html_table(table, links=("outcome", definitions) if linked else None))
    if definitions:
        parts.append('<h3 id="definitions">What each outcome means</h3><dl>')
        for name, (label, meaning) in definitions.items():
            parts.append(f'<dt id="def-{e(name)}">{e(label)}</dt><dd>{e(meaning)}</dd>')
        parts.append("</dl>")
    parts.append("</section>")
    parts.append('<section id="figures"><h2>Figures</h2>')
    key = None if key_figure is None else key_figure.key
    parts.extend(_figure(f) for f in figures if f.key != key)
    parts.append("</section>")
    parts.append('<section id="assumptions"><h2>Assumptions and their sources</h2>')
    parts.append(html_table(assumptions))
    parts.append("</section>")
    diag = pd.DataFrame({"quantity": list(diagnostics), "value": list(diagnostics.values())})
    prov = pd.DataFrame({"item": list(provenance), "value": list(provenance.values())})
    parts.append('<section id="diagnostics"><h2>Fit diagnostics</h2>')
    parts.append(html_table(diag.astype({"value": str})))
    parts.append("</section>")
    parts.append('<section id="provenance"><h2>Provenance</h2>')
    parts.append(html_table(prov.astype({"value": str})))
    parts.append("</section>")
    parts.append(f"<script>{_IMAGE_CHECK}</script></body></html>")
    return "\n".join(parts)


def write_report(text: str, path: str | Path) -> Path:
    """Write the HTML atomically (UTF-8); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text, encoding="utf-8")
    return path
