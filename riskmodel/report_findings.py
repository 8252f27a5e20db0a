"""Headline findings, tables and assumptions of the HTML report (computing only).

:func:`build_report` turns the pipeline's results into the inputs of
:func:`riskmodel.report_html.render_report` and writes the report. The headline
sentences are generated from the numbers, never typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel import __version__
from riskmodel.capability.store import fit_diagnostics
from riskmodel.hazard.inputs import HazardInputs
from riskmodel.policy.variants import PolicyVariant, load_variants
from riskmodel.report_html import ReportFigure, render_report, write_report
from riskmodel.settings import Settings
from riskmodel.simulation.run import (
    COMMENTARY_DEVELOPERS_SOURCE,
    COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS,
    developers_table,
    summary_table,
    truth_label,
)
from riskmodel.uplift.elicitation import prior_table

__all__ = [
    "FIGURE_TEXT",
    "headline_findings",
    "developers_comparison",
    "assumption_table",
    "build_report",
]

#: Figure file stem -> (title, caption) in report order; flowcharts are added per variant.
FIGURE_TEXT: dict[str, tuple[str, str]] = {
    "hazard_vs_flop": (
        "P(hazard) against training compute",
        "Posterior probability of each bar's condition for a model of given training FLOP "
        "released on the report date, with Monte Carlo error; horizontal lines: each bar's "
        "required probability; vertical line: the bill's 1e26 FLOP threshold.",
    ),
    "crossings": (
        "Where and when each bar is crossed",
        "Training FLOP at which the pooled probability of each bar's condition reaches the "
        "bar's required probability for a model released on the report date, and the date "
        "at which the frontier (the best model released in the year up to that date) "
        "reaches it; whiskers: +/- 2 Monte Carlo standard errors (not the epistemic spread: "
        "see the crossing sensitivity table).",
    ),
    "frontier_forecast": (
        "Frontier forecast of benchmark scores by date",
        "Posterior predictive fraction of tasks solved by the frontier on each date (the best "
        "model released in the year up to that date), with the observed scores (cyber suites "
        "included).",
    ),
    "policy_variants": (
        "Policy variants compared",
        "Median and 90% interval over simulated worlds of the key outcomes per variant, "
        "summed over the simulated years. Outcomes that depend on which runs are truly "
        "hazardous (missed hazardous runs, false alarms, blocked open-weight releases by "
        "truth) are shown under each truth bar ('truth: current bar': the bill's bar; "
        "'truth: raised bar': the commentary's), so that no variant is judged only by the "
        "other bar's standard.",
    ),
    "lde_all_benchmarks": (
        "The 'lower on all benchmarks' test",
        "Probability that a genuinely weaker model passes the pre-training LDE test, by "
        "number of benchmarks, under the strict rule and the relaxed (mean) rule.",
    ),
    "sensitivity_tornado": (
        "Sensitivity of a headline outcome",
        "Change of the outcome when one assumption at a time moves to a low or a high value; "
        "an outcome that depends on the truth has one panel per truth bar.",
    ),
    "prior_posterior": (
        "Elicited priors against posteriors",
        "Uplift-link parameters: the elicited prior against the posterior given the uplift "
        "studies.",
    ),
    "uplift_prior_predictive": (
        "Uplift against capability (prior predictive)",
        "What the elicited priors of both links imply for the uplift of a competent "
        "cyber-offense team, by capability.",
    ),
    "compute_trend": (
        "Training compute trend",
        "Fitted training-compute trends of notable language models and of frontier-flagged "
        "ones (their own slope and offset), with the Epoch data.",
    ),
    "capability_curves": (
        "Benchmark scores against capability",
        "Fitted item-response curves with the observed scores.",
    ),
    "prior_predictive": (
        "Capability model: prior predictive check",
        "Benchmark scores the priors allow, against the data.",
    ),
}


def _fmt_flop(value: float) -> str:
    return "never (beyond 1e32)" if not np.isfinite(value) else f"{value:.1e} FLOP"


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
    dataset: xr.Dataset,
    *,
    date: str,
) -> list[str]:
    """Plain-language sentences generated from the results."""
    lines = []
    for flop in sorted(set(hazard_table["flop"])):
        parts = []
        for row in hazard_table[hazard_table["flop"] == flop].itertuples():
            verdict = "hazardous" if row.probability > row.required_probability else "not hazardous"
            parts.append(
                f"under the {row.bar} bar P = {row.probability:.2g} +/- {row.mc_se:.1g} "
                f"(required {row.required_probability:g}: {verdict})"
            )
        lines.append(f"A model trained with {flop:.0e} FLOP released {date}: " + "; ".join(parts))
    for row in crossings.to_dict("records"):
        se = row["flop_mc_se_dex"]
        se_text = f" (Monte Carlo error {se:.2f} dex)" if np.isfinite(se) else ""
        lines.append(
            f"The {row['bar']} bar's pooled probability reaches its required "
            f"{row['required_probability']:g} at {_fmt_flop(row['flop'])}{se_text} for a model "
            f"released {row['date']}; for the frontier (the best model released in the year up "
            f"to a date) on {row['frontier_date'] or 'no date before 2041'}. How far each "
            "crossing moves under the main assumptions is in the crossing sensitivity table."
        )
    summary = summary_table(dataset)
    years = f"{int(dataset['year'].min())}-{int(dataset['year'].max())}"

    def rows(variant: str, outcome: str) -> pd.DataFrame:
        return summary[(summary["variant"] == variant) & (summary["outcome"] == outcome)]

    def median(variant: str, outcome: str) -> float:
        return float(rows(variant, outcome)["q50"].iloc[0])

    def per_truth(variant: str, outcome: str) -> str:
        """Medians under each truth bar, e.g. "12 (truth: current bar), 3 (truth: ...)"."""
        return ", ".join(
            f"{row.q50:.0f}" + (f" ({truth_label(str(row.truth_bar))})" if row.truth_bar else "")
            for row in rows(variant, outcome).itertuples()
        )

    for variant in dataset["variant"].values.tolist():
        lines.append(
            f"{variant} ({years}): {median(variant, 'runs_covered'):.0f} runs covered, "
            f"{median(variant, 'developers_full_obligations'):.0f} developers under full "
            f"obligations in the peak year, compliance cost "
            f"${median(variant, 'compliance_cost_usd') / 1e9:.2f}B; truly hazardous runs "
            f"under no obligation: {per_truth(variant, 'hazardous_not_covered')}; "
            f"non-hazardous runs under full obligations (false alarms): "
            f"{per_truth(variant, 'nonhazardous_burdened')}; non-hazardous open-weight "
            f"releases blocked: {per_truth(variant, 'open_weights_blocked_nonhazardous')} "
            "(medians over simulated worlds)."
        )
    developers = developers_table(dataset)
    expected = COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS
    lines.append(
        f"Developers under full obligations in {int(developers['year'].iloc[0])}, against "
        f"the commentary's expectation of about {expected} (a handful of frontier developers, "
        "the rest exempt by being weaker): "
        + "; ".join(
            f"{row.variant} {row.q50:.0f} (90% interval {row.q05:.0f}-{row.q95:.0f}; at most "
            f"{expected} in {row.share_at_most_expected:.0%} of worlds)"
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


def developers_comparison(dataset: xr.Dataset) -> tuple[str, pd.DataFrame]:
    """Heading and table of the report: developers under full obligations per variant in
    the last simulated year (median, 90% interval, share of worlds with at most the
    expectation) beside the commentary's expectation
    (:data:`~riskmodel.simulation.run.COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS`)."""
    table = developers_table(dataset)
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
        else list(settings.report.variants)
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


def _figures(figures_dir: Path, variants: list[PolicyVariant]) -> list[ReportFigure]:
    text = dict(FIGURE_TEXT)
    for variant in variants:
        text[f"flowchart_{variant.name}"] = (
            f"Decision flowchart: {variant.name}",
            f"{variant.title}: drawn from the rule file the engine applies.",
        )
    return [
        ReportFigure(path=figures_dir / f"{stem}.png", title=title, caption=caption)
        for stem, (title, caption) in text.items()
        if (figures_dir / f"{stem}.png").exists()
    ]


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


def build_report(
    *,
    tree: xr.DataTree,
    settings: Settings,
    hazard_table: pd.DataFrame,
    crossings: pd.DataFrame,
    dataset: xr.Dataset,
    figures_dir: Path,
    path: Path,
    inputs: HazardInputs | None = None,
    crossing_sensitivity: pd.DataFrame | None = None,
) -> Path:
    """Assemble and write the HTML report; returns its path."""
    names = dataset["variant"].values.tolist()
    files = json.loads(dataset.attrs["variant_files"])
    variants = load_variants([files[name] for name in names])
    summary = summary_table(dataset)
    for column in ("q50", "q05", "q95"):
        summary[column] = [
            f"{v:.1f}" if units == "decimal year" else f"{v:.3g}"
            for v, units in zip(summary[column], summary["units"], strict=True)
        ]
    summary["truth"] = [truth_label(str(t)) or "-" for t in summary["truth_bar"]]
    tables = {
        name: summary[summary["variant"] == name][
            ["outcome", "truth", "units", "q50", "q05", "q95"]
        ]
        .rename(columns={"q50": "median", "q05": "5%", "q95": "95%"})
        .reset_index(drop=True)
        for name in names
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
        "variant hashes": dataset.attrs.get("variant_hashes", ""),
    }
    before_after = _before_after(tree, settings, hazard_table, crossings)
    html = render_report(
        title="riskmodel: hazardous-capability thresholds and SB-1047 policy variants",
        vintage=str(tree.attrs.get("data_vintage", "")),
        headline=[
            *convergence_warning(diagnostics),
            *headline_findings(hazard_table, crossings, dataset, date=settings.hazard.date),
        ],
        hazard_table=hazard_table,
        crossing_table=crossings,
        crossing_sensitivity=crossing_sensitivity,
        variant_tables=tables,
        variant_descriptions={v.name: _describe(v) for v in variants},
        figures=_figures(figures_dir, variants),
        assumptions=assumption_table(tree, settings, inputs),
        diagnostics=diagnostics,
        provenance=provenance,
        comparison_tables=dict([developers_comparison(dataset)]),
        before_after=before_after,
    )
    return write_report(html, path)
