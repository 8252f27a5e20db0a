"""Headline findings, tables and assumptions of the HTML report (computing only).

:func:`build_report` turns the main job's results
(:class:`~riskmodel.report.results.ReportResults`) into the inputs of
:func:`riskmodel.report.html.render_report` and writes the report. The headline
sentences are generated from the numbers, never typed by hand. The simulation's summaries
come computed once with the simulation (:class:`~riskmodel.report.results.PolicyResults`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel import __version__
from riskmodel.capability.store import fit_diagnostics
from riskmodel.hazard.inputs import HazardInputs
from riskmodel.policy.variants import PolicyVariant, load_variants
from riskmodel.report.figures import KEY_FIGURE, ReportFigure
from riskmodel.report.html import render_report, write_report
from riskmodel.report.results import PolicyResults, ReportResults
from riskmodel.settings import Settings
from riskmodel.simulation.run import (
    COMMENTARY_DEVELOPERS_SOURCE,
    COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS,
    truth_label,
)
from riskmodel.uplift.elicitation import prior_table

__all__ = [
    "OUTCOME_LABELS",
    "executive_summary",
    "outcome_definitions",
    "people_date",
    "people_day",
    "people_flop",
    "people_number",
    "people_percent",
    "people_usd",
    "people_value",
    "headline_findings",
    "developers_comparison",
    "assumption_table",
    "build_report",
]

#: Outcome name -> short label in words (the definition is
#: :data:`riskmodel.policy.engine.OUTCOMES` and its siblings, one click away in the report).
OUTCOME_LABELS: dict[str, str] = {
    "runs_covered": "Training runs covered",
    "runs_exempt": "Covered runs exempted (limited duty exemption)",
    "developers_full_obligations": "Developers under full obligations",
    "compliance_cost_usd": "Compliance cost",
    "hazardous_not_covered": "Hazardous runs missed (no obligations)",
    "nonhazardous_burdened": "False alarms (safe runs under full obligations)",
    "open_weights_blocked_hazardous": "Hazardous open-weight releases blocked",
    "open_weights_blocked_nonhazardous": "Safe open-weight releases blocked",
    "derivative_loophole_uses": "Derivatives escaping coverage",
    "first_covered_hazard_time": "First hazardous run under obligations",
    "hazard_coverage_gap_years": "Delay until a hazardous run is under obligations",
    "hazardous_runs": "Hazardous runs",
    "runs": "Training runs",
    "first_hazard_time": "First hazardous run",
}

_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def people_number(value: float) -> str:
    """A count for people: ``1,990``; ``12.5`` keeps one decimal; ``-`` for NaN."""
    if not np.isfinite(value):
        return "-" if np.isnan(value) else "never"
    return (
        f"{value:,.0f}"
        if abs(value - round(value)) < 0.05 or abs(value) >= 100
        else f"{value:,.1f}"
    )


def people_usd(value: float) -> str:
    """US dollars for people: ``$1.1B``, ``$250M``, ``$40K``, ``$0``."""
    if not np.isfinite(value):
        return "-"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= scale:
            return (
                f"${value / scale:.2g}{suffix}"
                if abs(value) < 10 * scale
                else (f"${value / scale:,.0f}{suffix}")
            )
    return f"${value:,.0f}"


def people_percent(value: float) -> str:
    """A probability for people: ``19%``, ``7.2%``, ``0.07%``, ``0%``, ``< 0.01%``."""
    if not np.isfinite(value):
        return "-"
    percent = 100.0 * value
    if percent == 0:
        return "0%"
    if percent < 0.01:
        return "< 0.01%"
    if percent >= 10:
        return f"{percent:.0f}%"
    return f"{percent:.2g}%"


def people_flop(value: float) -> str:
    """Training compute for people: ``1.1 × 10²⁵ FLOP`` (``beyond 10³² FLOP`` when inf)."""
    if not np.isfinite(value) or value <= 0:
        return "beyond 10³² FLOP"
    exponent = int(np.floor(np.log10(value)))
    mantissa = value / 10.0**exponent
    power = f"10{str(exponent).translate(_SUPERSCRIPT)}"
    return f"{power} FLOP" if round(mantissa, 1) == 1.0 else f"{mantissa:.1f} × {power} FLOP"


def people_day(value: str) -> str:
    """A day for people: ``1 June 2026`` from ``2026-06-01``."""
    day = pd.Timestamp(value)
    return f"{day.day} {day.strftime('%B %Y')}"


def people_date(value: str | float | None) -> str:
    """A date for people: ``February 2025`` from ``2025-02-02`` or a decimal year
    (``2028.7`` -> ``September 2028``); ``not before 2041`` for None or NaN."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "not before 2041"
    if isinstance(value, str):
        return pd.Timestamp(value).strftime("%B %Y")
    year = int(np.floor(value))
    month = min(12, int(np.floor((value - year) * 12)) + 1)
    return pd.Timestamp(year=year, month=month, day=1).strftime("%B %Y")


def people_value(value: float, units: str) -> str:
    """``value`` in ``units`` (as in :data:`riskmodel.policy.engine.OUTCOMES`) for people."""
    if units == "USD":
        return people_usd(value)
    if units == "decimal year":
        return people_date(float(value)) if np.isfinite(value) else "never"
    if units == "years":
        return "never" if np.isposinf(value) else ("-" if np.isnan(value) else f"{value:.1f} years")
    if units == "probability":
        return people_percent(value)
    return people_number(value)


def outcome_definitions() -> dict[str, tuple[str, str]]:
    """Outcome name -> (label, definition with units) for every simulated outcome.

    The definitions are the engine's (:data:`riskmodel.policy.engine.OUTCOMES`,
    :data:`~riskmodel.policy.engine.PER_DRAW_OUTCOMES`,
    :data:`~riskmodel.policy.engine.WORLD_OUTCOMES`); the labels are
    :data:`OUTCOME_LABELS`.
    """
    from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES, WORLD_OUTCOMES

    units_words = {"decimal year": "a date", "USD": "US dollars"}
    out = {}
    for name, (units, meaning) in {**OUTCOMES, **PER_DRAW_OUTCOMES, **WORLD_OUTCOMES}.items():
        text = meaning[0].upper() + meaning[1:]
        if units == "developers":
            scope = " Counted in the peak year."
        elif units in ("runs", "USD"):
            scope = " Summed over the simulated years."
        else:
            scope = ""
        out[name] = (
            OUTCOME_LABELS[name],
            f"{text} (in {units_words.get(units, units)}; variable {name}).{scope}",
        )
    return out


def _variant_words(name: str) -> str:
    """A variant's name in words (``as_amended`` -> ``as amended``)."""
    return name.replace("_", " ")


def executive_summary(
    hazard_table: pd.DataFrame,
    crossings: pd.DataFrame,
    policy: PolicyResults,
    *,
    date: str,
) -> list[str]:
    """Five sentences for a policy reader, the key number first, formatted for people.

    1. P(hazard) under each bar (the bill's ``current`` bar first) for a model at the
       bill's 10²⁶ FLOP threshold (or the nearest tabled FLOP), with the verdict;
    2. where each bar is first met (crossing FLOP) and when the frontier gets there;
    3. developers under full obligations in the last simulated year under the focus
       variant (``commentary`` when simulated) beside the commentary's expectation, and
       the range over the other variants;
    4. compliance cost of the cheapest and the dearest variant;
    5. hazardous runs under no obligations under the focus variant, per truth bar.

    Parameters
    ----------
    hazard_table, crossings
        :func:`riskmodel.hazard.curves.hazard_curve` rows and
        :func:`riskmodel.hazard.curves.crossing_tables` crossings.
    policy
        The simulation with its summaries.
    date
        Release date (YYYY-MM-DD) of the assessed models.
    """
    dataset, summary = policy.dataset, policy.summary
    released = people_day(date)
    lines = []

    def bill_first(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(_later=frame["bar"] != "current").sort_values("_later", kind="stable")

    flops = sorted(set(hazard_table["flop"]))
    if flops:
        flop = min(flops, key=lambda f: abs(np.log10(f) - 26.0))
        parts = []
        for row in bill_first(hazard_table[hazard_table["flop"] == flop]).itertuples():
            verdict = "hazardous" if row.probability > row.required_probability else "not hazardous"
            parts.append(
                f"{people_percent(row.probability)} under the {row.bar} bar (which asks for "
                f"more than {people_percent(row.required_probability)}: {verdict})"
            )
        lines.append(
            f"A model trained with {people_flop(flop)} and released on {released} meets the "
            "hazard condition with a probability of " + " and ".join(parts) + "."
        )
    if len(crossings):
        parts = [
            f"the {row['bar']} bar at about {people_flop(row['flop'])}, a point the best "
            f"released model reaches around {people_date(row['frontier_date'])}"
            for row in bill_first(crossings).to_dict("records")
        ]
        lines.append("The bars are first met as follows: " + "; ".join(parts) + ".")
    names = dataset["variant"].values.tolist()
    focus = "commentary" if "commentary" in names else names[0]
    developers = policy.developers.set_index("variant")
    year = int(developers["year"].iloc[0])
    row = developers.loc[focus]
    others = developers.drop(index=focus)["q50"]
    rest = (
        f"; under the other variants, {people_number(others.min())} to "
        f"{people_number(others.max())}"
        if len(others)
        else ""
    )
    lines.append(
        f"In {year}, {people_number(row['q50'])} developers (90% interval "
        f"{people_number(row['q05'])} to {people_number(row['q95'])}) would bear full "
        f"obligations under {_variant_words(focus)}, against the commentary's expectation "
        f"of about {COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS}{rest}."
    )
    years = f"{int(dataset['year'].min())} to {int(dataset['year'].max())}"
    cost = summary[summary["outcome"] == "compliance_cost_usd"].sort_values("q50")
    if len(cost):
        low, high = cost.iloc[0], cost.iloc[-1]
        lines.append(
            f"Compliance from {years} would cost a median {people_usd(low['q50'])} under "
            f"{_variant_words(low['variant'])} and {people_usd(high['q50'])} under "
            f"{_variant_words(high['variant'])}."
        )
    missed = summary[
        (summary["outcome"] == "hazardous_not_covered") & (summary["variant"] == focus)
    ]
    if len(missed):
        parts = [
            f"{people_number(row.q50)} if the {str(row.truth_bar) or 'assessed'} bar is the "
            "true standard"
            for row in missed.itertuples()
        ]
        lines.append(
            f"Under {_variant_words(focus)}, truly hazardous runs left with no obligations "
            f"from {years} number a median " + " and ".join(parts) + "."
        )
    return lines


def convergence_warning(diagnostics: dict[str, Any]) -> list[str]:
    """A first headline sentence when the capability fit failed the convergence gate
    (kept with ``--allow-unconverged``); empty when it passed.

    Parameters
    ----------
    diagnostics
        :func:`~riskmodel.capability.store.fit_diagnostics` of the fit.
    """
    if diagnostics.get("passed", True):
        return []
    return [
        "Provisional: the capability fit did not pass the convergence gate (max R-hat "
        f"{diagnostics.get('max_rhat', float('nan')):.4f}, min bulk ESS "
        f"{diagnostics.get('min_ess_bulk', float('nan')):.0f}, "
        f"{diagnostics.get('divergences', 0)} divergences; the gate asks R-hat <= 1.01, bulk "
        "ESS >= 400, no divergences). It was kept with --allow-unconverged: read every "
        "number below as provisional and rerun with more draws or another seed."
    ]


def headline_findings(
    hazard_table: pd.DataFrame,
    crossings: pd.DataFrame,
    policy: PolicyResults,
    *,
    date: str,
) -> list[str]:
    """Plain-language sentences generated from the results (the P(hazard) table, the
    crossings, and the simulation with its summaries)."""
    dataset, summary = policy.dataset, policy.summary
    lines = []
    for flop in sorted(set(hazard_table["flop"])):
        parts = []
        for row in hazard_table[hazard_table["flop"] == flop].itertuples():
            verdict = "hazardous" if row.probability > row.required_probability else "not hazardous"
            parts.append(
                f"under the {row.bar} bar {people_percent(row.probability)} (Monte Carlo "
                f"error {people_percent(row.mc_se)}; the bar asks for more than "
                f"{people_percent(row.required_probability)}: {verdict})"
            )
        lines.append(
            f"Chance that a model trained with {people_flop(flop)} released "
            f"{people_day(date)} meets each bar's condition: " + "; ".join(parts)
        )
    for row in crossings.to_dict("records"):
        se = row["flop_mc_se_dex"]
        se_text = f" (Monte Carlo error a factor {10.0**se:.2f})" if np.isfinite(se) else ""
        lines.append(
            f"The {row['bar']} bar's probability reaches its required "
            f"{people_percent(row['required_probability'])} at {people_flop(row['flop'])}"
            f"{se_text} for a model released {people_day(row['date'])}; the frontier (the "
            f"best model released in the year up to a date) gets there in "
            f"{people_date(row['frontier_date'])}. How far each crossing moves under the main "
            "assumptions is in the crossing sensitivity table."
        )
    years = f"{int(dataset['year'].min())}-{int(dataset['year'].max())}"

    def rows(variant: str, outcome: str) -> pd.DataFrame:
        return summary[(summary["variant"] == variant) & (summary["outcome"] == outcome)]

    def median(variant: str, outcome: str) -> float:
        return float(rows(variant, outcome)["q50"].iloc[0])

    def per_truth(variant: str, outcome: str) -> str:
        """Medians under each truth bar, e.g. "12 (truth: current bar), 3 (truth: ...)"."""
        return ", ".join(
            people_number(row.q50)
            + (f" ({truth_label(str(row.truth_bar))})" if row.truth_bar else "")
            for row in rows(variant, outcome).itertuples()
        )

    for variant in dataset["variant"].values.tolist():
        lines.append(
            f"{variant} ({years}): {people_number(median(variant, 'runs_covered'))} runs "
            f"covered, {people_number(median(variant, 'developers_full_obligations'))} "
            f"developers under full obligations in the peak year, compliance cost "
            f"{people_usd(median(variant, 'compliance_cost_usd'))}; truly hazardous runs "
            f"under no obligation: {per_truth(variant, 'hazardous_not_covered')}; "
            f"non-hazardous runs under full obligations (false alarms): "
            f"{per_truth(variant, 'nonhazardous_burdened')}; non-hazardous open-weight "
            f"releases blocked: {per_truth(variant, 'open_weights_blocked_nonhazardous')} "
            "(medians over simulated worlds)."
        )
    developers = policy.developers
    expected = COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS
    lines.append(
        f"Developers under full obligations in {int(developers['year'].iloc[0])}, against "
        f"the commentary's expectation of about {expected} (a handful of frontier developers, "
        "the rest exempt by being weaker): "
        + "; ".join(
            f"{row.variant} {people_number(row.q50)} (90% interval {people_number(row.q05)} to "
            f"{people_number(row.q95)}; at most {expected} in "
            f"{people_percent(row.share_at_most_expected)} of worlds)"
            for row in developers.itertuples()
        )
        + "."
    )

    def shares(condition: xr.DataArray) -> str:
        """Share of worlds where ``condition`` holds, under each truth bar."""
        if "truth_bar" not in condition.dims:
            return f"{float(condition.mean()) * 100:.0f}%"
        return ", ".join(
            f"{float(condition.sel(truth_bar=t).mean()) * 100:.0f}% ({truth_label(str(t))})"
            for t in condition["truth_bar"].values.tolist()
        )

    variants = set(dataset["variant"].values.tolist())
    if {"as_introduced", "as_amended"} <= variants:
        cost = dataset["compliance_cost_usd"].sum("year")
        ratio = cost.sel(variant="as_amended") / cost.sel(variant="as_introduced").where(
            cost.sel(variant="as_introduced") > 0
        )
        missed = dataset["hazardous_not_covered"].sum("year")
        fewer = missed.sel(variant="as_amended") < missed.sel(variant="as_introduced")
        lines.append(
            "Removing the limited duty exemption (as introduced -> as amended) multiplies the "
            f"compliance cost by a median {float(ratio.median()):.1f}x and leaves fewer "
            f"hazardous runs without obligations in {shares(fewer)} of simulated worlds."
        )
    if {"commentary", "commentary_raised_bar"} <= variants:
        blocked = dataset["open_weights_blocked_nonhazardous"].sum("year")
        less = blocked.sel(variant="commentary_raised_bar") <= blocked.sel(variant="commentary")
        lines.append(
            "Raising the hazard bar (commentary -> commentary + raised bar) blocks no more "
            f"non-hazardous open-weight releases in {shares(less)} of simulated worlds."
        )
    return lines


def developers_comparison(developers: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """Heading and table of the report: developers under full obligations per variant in
    the last simulated year (median, 90% interval, share of worlds with at most the
    expectation) beside the commentary's expectation
    (:data:`~riskmodel.simulation.run.COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS`).

    ``developers``: :func:`~riskmodel.simulation.run.developers_table` of the simulation
    (:attr:`PolicyResults.developers <riskmodel.report.results.PolicyResults>`)."""
    table = developers
    year = int(table["year"].iloc[0])
    expected = COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS
    shown = pd.DataFrame(
        {
            "variant": table["variant"],
            "median": [f"{v:.0f}" for v in table["q50"]],
            "5%": [f"{v:.0f}" for v in table["q05"]],
            "95%": [f"{v:.0f}" for v in table["q95"]],
            f"share of worlds with at most {expected}": [
                f"{v:.0%}" for v in table["share_at_most_expected"]
            ],
            "commentary expects": f"about {expected}",
        }
    )
    heading = (
        f"Developers under full obligations in {year} against the commentary's expectation "
        f"({COMMENTARY_DEVELOPERS_SOURCE})"
    )
    return heading, shown


def _describe(variant: PolicyVariant) -> str:
    rules = [variant.covered, variant.derivatives, variant.lde, variant.hazard]
    return f"{variant.title}. " + " ".join(rule.annotation for rule in rules)


def assumption_table(
    tree: xr.DataTree, settings: Settings, inputs: HazardInputs | None = None
) -> pd.DataFrame:
    """One row per assumption that drives a headline number: value, units, source.

    ``inputs``: the hazard inputs used (default: loaded from ``settings.files``).
    """
    inputs = inputs if inputs is not None else settings.files.load_hazard_inputs()
    rows = []
    priors = settings.fit.capability.priors
    for name in type(priors).model_fields:
        prior = getattr(priors, name)
        values = {
            k: v
            for k, v in prior.model_dump().items()
            if k in ("mu", "sigma", "median", "sigma_log", "alpha", "beta") and v is not None
        }
        rows.append(
            {
                "assumption": f"capability prior: {name}",
                "value": f"{prior.dist}({', '.join(f'{k}={v:g}' for k, v in values.items())})",
                "units": prior.units,
                "source": ("elicited; " if prior.elicited else "") + prior.source,
            }
        )
    for row in prior_table(inputs.uplift_priors).to_dict("records"):
        rows.append(
            {
                "assumption": f"uplift prior: {row['parameter']}",
                "value": row["elicited_quantiles"],
                "units": row["units"],
                "source": row["basis"],
            }
        )
    for bar in inputs.bars.values():
        threshold = (
            "risk-chain legal probability" if bar.threshold is None else f"{bar.threshold:g}"
        )
        rows.append(
            {
                "assumption": f"hazard bar: {bar.name}",
                "value": f"{bar.quantity} > {threshold} with P > {bar.required_probability:g}; "
                f"enhancement {bar.enhancement.describe()}",
                "units": "",
                "source": bar.source,
            }
        )
    for name, file in inputs.files.items():
        rows.append(
            {
                "assumption": f"input file: {name.replace('_', ' ')}",
                "value": file,
                "units": "",
                "source": "settings [files]" if getattr(settings.files, name) else "shipped",
            }
        )
    sim = settings.simulation
    rows.append(
        {
            "assumption": "simulation: truth bars, evaluation noise",
            "value": f"{', '.join(sim.truth_bars)}; {sim.evaluation_noise_sd:g}",
            "units": "-, dex",
            "source": "elicited (riskmodel/simulation/config.py)",
        }
    )
    for variant in load_variants(
        settings.report.variants
        if isinstance(settings.report.variants, str)
        else list(settings.report.variants),
        inputs=inputs,
    )[:1]:
        costs = variant.obligations
        rows.append(
            {
                "assumption": "compliance costs (protocol, fraction, safeguards, LDE, case)",
                "value": f"{costs.protocol_cost_usd:.3g}, {costs.protocol_cost_fraction:g}, "
                f"{costs.safeguards_cost_usd:.3g}, {costs.lde_claim_cost_usd:.3g}, "
                f"{costs.safety_case_cost_usd:.3g}",
                "units": "USD, fraction of training cost, USD, USD, USD",
                "source": costs.cost_sources,
            }
        )
    return pd.DataFrame(rows)


def _before_after(
    tree: xr.DataTree,
    settings: Settings,
    hazard_table: pd.DataFrame,
    crossings: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame] | str:
    """The before/after tables against the previous hazard model, or why they are not
    shown (a run on another fit, date, seed or uplift evidence)."""
    from riskmodel.hazard.previous import (
        before_after_tables,
        default_previous_path,
        load_previous_hazard_numbers,
    )

    path = default_previous_path()
    if not path.exists():  # a data folder of its own (RISKMODEL_DATA_DIR) may not have it
        return f"Not shown: there are no previous hazard numbers at {path}."
    previous = load_previous_hazard_numbers(path)
    h = settings.hazard
    why_not = previous.mismatch(
        config_hash=str(tree.attrs.get("config_hash", "")),
        evidence_hash=str(tree.attrs.get("evidence_hash", "")),
        date=h.date,
        seed=h.seed,
        link_params=h.link_params,
    )
    if why_not is not None:
        return f"Not shown: {why_not}."
    return before_after_tables(hazard_table, crossings, previous)


def build_report(results: ReportResults, figures: Sequence[ReportFigure], path: Path) -> Path:
    """Assemble and write the HTML report; returns its path.

    Parameters
    ----------
    results
        The main job's results.
    figures
        The report's figures (:func:`riskmodel.report.figures.report_figures`), already
        drawn; all are embedded, :data:`~riskmodel.report.figures.KEY_FIGURE` on the
        first screen.
    path
        The HTML file.
    """
    tree, settings, policy = results.tree, results.settings, results.policy
    hazard_table, crossings = results.hazard_table, results.crossings
    summary = policy.summary.copy()  # shared with the other parts: formatted on a copy
    for column in ("q50", "q05", "q95"):
        summary[column] = [
            people_value(float(v), units)
            for v, units in zip(summary[column], summary["units"], strict=True)
        ]
    summary["truth"] = [truth_label(str(t)) or "-" for t in summary["truth_bar"]]
    tables = {
        variant.name: summary[summary["variant"] == variant.name][
            ["outcome", "truth", "q50", "q05", "q95"]
        ]
        .rename(columns={"q50": "median", "q05": "5%", "q95": "95%"})
        .reset_index(drop=True)
        for variant in results.variants
    }
    diagnostics = dict(fit_diagnostics(tree))
    diagnostics.pop("failures", None)
    provenance = {
        "riskmodel version": __version__,
        "fit config hash": tree.attrs.get("config_hash", ""),
        "fit seed": tree.attrs.get("seed", ""),
        "hazard seed": settings.hazard.seed,
        "simulation seed": settings.simulation.seed,
        "settings": json.dumps(settings.as_dict(), default=str),
        "package versions": tree.attrs.get("package_versions", ""),
        "variant hashes": policy.dataset.attrs.get("variant_hashes", ""),
    }
    date = settings.hazard.date
    html = render_report(
        title="riskmodel: hazardous-capability thresholds and SB-1047 policy variants",
        vintage=results.vintage,
        headline=[
            *convergence_warning(diagnostics),
            *headline_findings(hazard_table, crossings, policy, date=date),
        ],
        hazard_table=hazard_table,
        crossing_table=crossings,
        crossing_sensitivity=results.crossing_sensitivity,
        variant_tables=tables,
        variant_descriptions={v.name: _describe(v) for v in results.variants},
        figures=figures,
        assumptions=assumption_table(tree, settings, results.inputs),
        diagnostics=diagnostics,
        provenance=provenance,
        comparison_tables=dict([developers_comparison(policy.developers)]),
        before_after=_before_after(tree, settings, hazard_table, crossings),
        summary=executive_summary(hazard_table, crossings, policy, date=date),
        key_figure=next((f for f in figures if f.key == KEY_FIGURE), None),
        definitions=outcome_definitions(),
    )
    return write_report(html, path)
