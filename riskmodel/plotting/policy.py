"""Figures of the policy simulation: variants compared, a variant's decision flowchart, and
the sensitivity tornado. Plotting only: every number comes from
:mod:`riskmodel.simulation` (the simulated Dataset, :func:`~riskmodel.simulation.run.summary_table`,
:func:`~riskmodel.simulation.sensitivity.sensitivity_table`); the flowchart's text is built
from the rule values of a :class:`~riskmodel.policy.variants.PolicyVariant` alone."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from riskmodel import __version__
from riskmodel.errors import ConfigError
from riskmodel.hazard.bars import HazardBar, load_hazard_bars
from riskmodel.hazard.curves import bar_condition
from riskmodel.plotting.style import (
    HATCHES,
    OKABE_ITO,
    caption,
    format_flop,
    format_usd,
    style_context,
    variant_label,
    variant_style,
)
from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES
from riskmodel.policy.equivalence import describe_equivalence, equivalent_flop
from riskmodel.policy.variants import PolicyVariant
from riskmodel.simulation.run import PEAK_YEAR_OUTCOMES, summary_table, truth_label

__all__ = [
    "KEY_OUTCOMES",
    "LOG_OUTCOMES",
    "TORNADO_COLUMNS",
    "flowchart_text",
    "plot_variant_comparison",
    "plot_decision_flowchart",
    "plot_tornado",
]

#: Outcomes of :func:`plot_variant_comparison` by default (one panel each).
KEY_OUTCOMES = (
    "runs_covered",
    "developers_full_obligations",
    "compliance_cost_usd",
    "hazardous_not_covered",
    "nonhazardous_burdened",
    "open_weights_blocked_nonhazardous",
    "open_weights_blocked_hazardous",
    "derivative_loophole_uses",
)
#: Outcomes drawn on a log scale (they span orders of magnitude across variants).
LOG_OUTCOMES = ("compliance_cost_usd",)
#: Columns :func:`plot_tornado` needs (``units`` and ``statistic`` are used if present).
TORNADO_COLUMNS = ("parameter", "low_label", "high_label", "outcome", "low", "high", "base")


# --- variant comparison ------------------------------------------------------------------


def _aggregation(dataset: xr.Dataset, outcome: str) -> str:
    """How :func:`summary_table` reduces an outcome over the simulated years."""
    if "year" not in dataset[outcome].dims:
        return "per simulated world"
    years = dataset["year"].values
    span = f"{int(years.min())}-{int(years.max())}"
    if outcome in PEAK_YEAR_OUTCOMES:
        return f"peak year {span}"
    return f"sum over {span}"


def _number(value: float, units: str) -> str:
    if not math.isfinite(value):
        return "\u221e" if value > 0 else "n/a"
    if units == "USD":
        return format_usd(value)
    return f"{value:.3g}"


def plot_variant_comparison(
    dataset: xr.Dataset,
    *,
    outcomes: Sequence[str] = KEY_OUTCOMES,
    log_outcomes: Sequence[str] = LOG_OUTCOMES,
    caption_text: str = "",
    vintage: str,
    seed: int | None,
    version: str = __version__,
) -> Figure:
    """Median and 90% interval of key outcomes per policy variant, one panel per outcome
    and truth bar.

    Values are those of :func:`riskmodel.simulation.run.summary_table` across simulated
    worlds: counts and costs summed over the simulated years, developers with full
    obligations at their peak year, per-world outcomes as they are. Each variant keeps one
    colour and marker in every panel. An outcome that depends on which runs are truly
    hazardous (a ``truth_bar`` dimension: missed hazardous runs, false alarms, blocked
    open-weight releases by truth) gets a row of panels, one per truth bar (titled
    "truth: current bar", "truth: raised bar"), on a common axis; the outcomes that do not
    depend on the truth fill the rows two by two.

    Parameters
    ----------
    dataset
        From :func:`riskmodel.simulation.run.simulate`: dims (variant, [truth_bar,] year,
        draw).
    outcomes
        Outcome names (of :data:`riskmodel.policy.engine.OUTCOMES` or
        :data:`~riskmodel.policy.engine.PER_DRAW_OUTCOMES`).
    log_outcomes
        Outcomes drawn on a log axis; zeros are drawn at the left edge (marked "0").
    caption_text, vintage, seed, version
        Caption under the figure: assumptions text (default none), data vintage and seed
        (required), riskmodel version (default this one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    known = {**OUTCOMES, **PER_DRAW_OUTCOMES}
    unknown = [o for o in outcomes if o not in known or o not in dataset]
    if unknown or not outcomes:
        raise ConfigError(
            f"outcomes: unknown or not in the dataset: {', '.join(unknown) or '(none given)'}"
        )
    summary = summary_table(dataset)
    variants = [str(v) for v in dataset["variant"].values.tolist()]
    n_var = len(variants)
    truths = {
        o: list(dict.fromkeys(summary.loc[summary["outcome"] == o, "truth_bar"])) for o in outcomes
    }
    # Rows of panels: (outcome, truth bar) per cell ("": an outcome without a truth).
    judged = [o for o in outcomes if "truth_bar" in dataset[o].dims]
    ncols = max([2 if len(outcomes) > 1 else 1, *(len(truths[o]) for o in judged)])
    layout: list[list[tuple[str, str]]] = []
    pending: list[tuple[str, str]] = []
    for outcome in outcomes:
        if outcome in judged:
            layout.append([(outcome, t) for t in truths[outcome]])
            continue
        pending.append((outcome, truths[outcome][0]))  # a single-truth file: its bar
        if len(pending) == ncols:
            layout.append(pending)
            pending = []
    if pending:
        layout.append(pending)
    nrows = len(layout)
    with style_context():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(5.0 * ncols, 0.7 + nrows * (0.32 * n_var + 1.25)),
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        y = np.arange(n_var - 1, -1, -1, dtype=float)
        for row_axes, cells in zip(axes, layout, strict=True):
            quantiles = []
            for outcome, truth in cells:
                rows = summary[(summary["outcome"] == outcome) & (summary["truth_bar"] == truth)]
                rows = rows.set_index("variant").loc[variants]
                quantiles.append(rows[["q05", "q50", "q95"]].to_numpy(dtype=float))
            # One axis for the truth bars of an outcome; its own for every other panel.
            same = len({outcome for outcome, _ in cells}) == 1 and len(cells) > 1
            common = np.concatenate(quantiles) if same else None
            for ax, (outcome, truth), q in zip(row_axes, cells, quantiles, strict=False):
                units = str(dataset[outcome].attrs.get("units", ""))
                _draw_intervals(
                    ax,
                    y,
                    q,
                    variants,
                    units=units,
                    log=outcome in log_outcomes,
                    limits_from=common,
                )
                description = str(dataset[outcome].attrs.get("description", outcome))
                title = "\n".join(textwrap.wrap(description, 52))
                if truth:
                    title += f"\n{truth_label(truth)}"
                ax.set_title(title, fontsize=8.5)
                ax.set_xlabel(f"{units} ({_aggregation(dataset, outcome)})", fontsize=8)
                ax.grid(False, axis="y")
            for ax in row_axes[len(cells) :]:
                ax.set_visible(False)
            row_axes[0].set_yticks(y, [variant_label(v) for v in variants])
        axes.flat[0].set_ylim(-0.7, n_var - 0.3)
        truth_note = ""
        if judged:
            bars = ", ".join(f"'{truth_label(t)}'" for t in truths[judged[0]])
            truth_note = (
                f"\noutcomes that depend on which runs are truly hazardous under each truth "
                f"bar ({bars})"
            )
        fig.suptitle(
            "Policy variants applied to the same simulated worlds\n"
            "marker: median, bar: 90% interval across worlds" + truth_note,
            fontsize=11,
        )
        return caption(fig, text=caption_text, vintage=vintage, seed=seed, version=version)


def _draw_intervals(
    ax: Axes,
    y: np.ndarray,
    q: np.ndarray,
    variants: list[str],
    *,
    units: str,
    log: bool,
    limits_from: np.ndarray | None = None,
) -> None:
    """Draw one q05-q50-q95 interval per variant (rows of ``q``) at heights ``y``; the
    axis limits from ``limits_from`` (default ``q``), so panels can share one axis."""
    finite = q[np.isfinite(q)] if limits_from is None else limits_from[np.isfinite(limits_from)]
    positive = finite[finite > 0]
    log = log and positive.size > 0
    floor = float(positive.min()) / 3.0 if log else 0.0
    top = float(finite.max()) if finite.size else 1.0
    right_edge = top * (3.0 if log else 1.15) if top > 0 else 1.0
    for i, name in enumerate(variants):
        style = variant_style(name, i)
        lo, mid, hi = q[i]
        if np.isnan(mid):
            ax.text(floor, y[i], " no value", fontsize=7, va="center", color="0.4")
            continue
        shown = [min(max(v, floor), right_edge) if log else min(v, right_edge) for v in q[i]]
        ax.plot(
            shown[::2], [y[i]] * 2, color=style["color"], lw=5, alpha=0.35, solid_capstyle="butt"
        )
        ax.plot(shown[1], y[i], marker=style["marker"], color=style["color"], markersize=6, lw=0)
        if hi > right_edge:
            ax.plot(right_edge, y[i], marker=">", color=style["color"], markersize=6)
        ax.annotate(
            _number(mid, units),
            xy=(shown[1], y[i]),
            xytext=(0, 5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6.5,
            color="0.2",
        )
    if log:
        ax.set_xscale("log")
        ax.set_xlim(floor / 1.5, right_edge)
        if (finite <= 0).any():
            ax.annotate(
                "0",
                xy=(floor, 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=6.5,
                ha="center",
                va="bottom",
                color="0.3",
            )
    else:
        ax.set_xlim(min(0.0, float(finite.min()) if finite.size else 0.0), right_edge)
    if units == "USD":
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_usd(v)))


# --- decision flowchart --------------------------------------------------------------------


def _share(value: float) -> str:
    return f"{value:.0%}" if value * 100 == round(value * 100) else f"{value:.3g}"


def flowchart_text(variant: PolicyVariant, *, bar: HazardBar | None = None) -> dict[str, str]:
    """Text of every box of a variant's decision flowchart, built from its rule values.

    Parameters
    ----------
    variant
        The rules (as the engine applies them, :mod:`riskmodel.policy.engine`).
    bar
        Definition of ``variant.hazard.bar``; default from ``data/hazard_bars.toml`` (the
        file the simulation reads). The variant's own enhancement allowance replaces the
        bar's, as in the engine.

    Returns
    -------
    dict
        Box key -> text: ``start``, ``derivative_question``, ``derivative_rule``,
        ``covered_test``, ``not_covered``, ``lde_pretraining``, ``lde_exempt`` (empty when
        there is no pre-training LDE), ``safety_case``, ``safety_exempt`` (empty when there
        is no safety case), ``full_obligations``, ``open_weights``, ``hazard``.
    """
    covered, deriv, lde = variant.covered, variant.derivatives, variant.lde
    costs, hazard = variant.obligations, variant.hazard
    if bar is None:
        bars = load_hazard_bars()
        if hazard.bar not in bars:
            raise ConfigError(f"hazard.bar: unknown bar '{hazard.bar}'")
        bar = bars[hazard.bar]
    bar = bar.model_copy(update={"enhancement": hazard.enhancement})
    threshold = format_flop(covered.flop_threshold)
    test = f"Covered model? Trained with more than {threshold} FLOP"
    if covered.cost_threshold_usd is not None:
        test += f" AND a training cost above {format_usd(covered.cost_threshold_usd)}"
    if covered.performance_equivalent_year is not None:
        flop = format_flop(equivalent_flop(covered))
        test += f", OR capability at least that of {describe_equivalence(covered, flop)}"
    if deriv.rule == "unlimited":
        rule = (
            "Derivative rule: unlimited. A modification stays a derivative whatever its extra "
            "compute: never a new covered model, under its parent's obligations (the "
            "loophole: a large run declared a derivative escapes coverage)."
        )
    elif deriv.rule == "fraction_limit":
        rule = (
            f"Derivative rule: a modification using more than "
            f"{_share(deriv.max_flop_fraction or 0.0)} extra FLOP or more than "
            f"{_share(deriv.max_cost_fraction or 0.0)} extra cost (relative to the parent's "
            "training) is a new model, tested with parent + extra FLOP and cost; otherwise "
            "it stays a derivative under its parent's obligations."
        )
    else:
        rule = (
            f"Derivative rule: a fine-tune of a covered model using at least "
            f"{format_flop(deriv.finetune_flop_threshold or 0.0)} FLOP and costing more "
            f"than {format_usd(deriv.finetune_cost_threshold_usd or 0.0)} is itself covered; "
            "other modifications stay derivatives under their parent's obligations."
        )
    comparison = {
        "all": f"on ALL {lde.n_benchmarks} relevant benchmarks",
        "mean": f"on average over {lde.n_benchmarks} relevant benchmarks",
        "share": f"on at least {_share(lde.share)} of {lde.n_benchmarks} relevant benchmarks",
    }
    claim = costs.lde_claim_cost_usd if lde.pretraining != "none" else 0.0
    if lde.pretraining == "none":
        pretraining = "Pre-training limited duty exemption: none (removed)"
        lde_exempt = ""
    else:
        reference = "non-covered or exempt" if lde.reference_includes_exempt else "non-covered"
        pretraining = (
            f"Pre-training limited duty exemption: lower than the best earlier {reference} "
            f"model {comparison[lde.pretraining]}? (per-benchmark noise {lde.noise_sd:g} dex, "
            f"margin {lde.margin:g} dex, correlation {lde.correlation:g})"
        )
        lde_exempt = f"Exempt before training (LDE claim, {format_usd(claim)})"
    if lde.safety_case:
        safety = (
            "Post-testing safety case: does testing show the model is not hazardous under "
            f"the '{bar.name}' bar?"
        )
        safety_exempt = (
            f"Exempt after testing (claim + safety case, "
            f"{format_usd(claim + costs.safety_case_cost_usd)})"
        )
    else:
        safety = "Post-testing safety case: none"
        safety_exempt = ""
    full = (
        f"Full obligations: safety and testing protocol "
        f"({format_usd(costs.protocol_cost_usd)} + {_share(costs.protocol_cost_fraction)} of "
        f"training cost), plus safeguards ({format_usd(costs.safeguards_cost_usd)}) if found "
        "hazardous"
    )
    if costs.open_weights_blocked_if == "hazardous":
        open_weights = (
            "Open weights: release of a model under obligations blocked only if it is found "
            "hazardous"
        )
    else:
        open_weights = "Open weights: release of every model under obligations blocked"
    return {
        "start": "Training run: a new base model or a modification of an existing model",
        "derivative_question": "Modification of an existing model (derivative)?",
        "derivative_rule": rule,
        "covered_test": test + "?",
        "not_covered": "Not covered: no obligations",
        "lde_pretraining": pretraining,
        "lde_exempt": lde_exempt,
        "safety_case": safety,
        "safety_exempt": safety_exempt,
        "full_obligations": full,
        "open_weights": open_weights,
        "hazard": (
            f"Found hazardous (bar '{bar.name}'): {bar_condition(bar)}, assessed from a noisy "
            "capability measurement after testing."
        ),
    }


#: Box styles: (face colour, edge colour, edge line style).
_BOX = {
    "start": ("white", "0.2", "-"),
    "question": ("#DCEBF5", OKABE_ITO["blue"], "-"),
    "rule": ("white", "0.35", "--"),
    "exempt": ("#D7EFE6", OKABE_ITO["bluish_green"], "-"),
    "burden": ("#F8E0D2", OKABE_ITO["vermillion"], "-"),
    "note": ("0.96", "0.5", ":"),
}


def _box(ax: Axes, x: float, y: float, text: str, kind: str, width: int) -> Text:
    face, edge, line = _BOX[kind]
    return ax.text(
        x,
        y,
        "\n".join(textwrap.wrap(text, width, break_on_hyphens=False)),
        ha="center",
        va="center",
        fontsize=8,
        bbox={
            "boxstyle": "round,pad=0.5",
            "facecolor": face,
            "edgecolor": edge,
            "linestyle": line,
            "linewidth": 1.2,
        },
        zorder=3,
    )


def _arrow(
    ax: Axes,
    a: Text,
    b: Text,
    label: str = "",
    *,
    connection: str = "arc3",
    label_at: tuple[float, float] | None = None,
) -> None:
    ax.annotate(
        "",
        xy=b.get_position(),
        xytext=a.get_position(),
        arrowprops={
            "arrowstyle": "-|>",
            "color": "0.25",
            "lw": 1.1,
            "patchA": a.get_bbox_patch(),
            "patchB": b.get_bbox_patch(),
            "shrinkA": 2,
            "shrinkB": 2,
            "connectionstyle": connection,
        },
        zorder=3.5,  # after the boxes, whose outline patches clip the arrow
    )
    if label:
        (xa, ya), (xb, yb) = a.get_position(), b.get_position()
        x, y = label_at if label_at is not None else ((xa + xb) / 2, (ya + yb) / 2)
        ax.text(
            x,
            y,
            label,
            fontsize=7.5,
            style="italic",
            color="0.15",
            ha="center",
            va="center",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )


def plot_decision_flowchart(
    variant: PolicyVariant,
    *,
    bar: HazardBar | None = None,
    caption_text: str = "",
    vintage: str,
    seed: int | None,
    version: str = __version__,
) -> Figure:
    """The decision flowchart of one variant, drawn from its rule values.

    Every box's text comes from :func:`flowchart_text` (the covered-model test from
    ``flop_threshold`` / ``cost_threshold_usd`` / ``performance_equivalent_*``, the
    derivative rule, the pre-training LDE and the safety case, the hazard bar with the
    variant's enhancement allowance, the obligations and the open-weight rule), so the
    chart cannot drift from what :mod:`riskmodel.policy.engine` applies. Questions are
    blue, exemptions and "no obligations" green, obligations red, rule notes dashed.

    Parameters
    ----------
    variant
        The variant.
    bar
        Definition of the variant's hazard bar; default from ``data/hazard_bars.toml``.
    caption_text, vintage, seed, version
        Caption under the figure: assumptions text (default none), data vintage and seed
        (required), riskmodel version (default this one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    text = flowchart_text(variant, bar=bar)
    spine, left, right = 0.5, 0.155, 0.855
    with style_context():
        fig, ax = plt.subplots(figsize=(10.0, 10.5))
        fig.subplots_adjust(left=0.01, right=0.99, top=0.93, bottom=0.01)
        ax.set_axis_off()
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        start = _box(ax, spine, 0.965, text["start"], "start", 60)
        question = _box(ax, spine, 0.86, text["derivative_question"], "question", 44)
        rule = _box(ax, left, 0.74, text["derivative_rule"], "rule", 34)
        covered = _box(ax, spine, 0.70, text["covered_test"], "question", 44)
        not_covered = _box(ax, right, 0.70, text["not_covered"], "exempt", 26)
        lde_kind = "question" if text["lde_exempt"] else "rule"
        lde = _box(ax, spine, 0.545, text["lde_pretraining"], lde_kind, 44)
        safety_kind = "question" if text["safety_exempt"] else "rule"
        safety = _box(ax, spine, 0.40, text["safety_case"], safety_kind, 44)
        full = _box(ax, spine, 0.265, text["full_obligations"], "burden", 44)
        open_w = _box(ax, spine, 0.15, text["open_weights"], "burden", 44)
        _box(ax, spine, 0.045, text["hazard"], "note", 110)
        _arrow(ax, start, question)
        _arrow(
            ax,
            question,
            rule,
            "yes",
            connection="angle,angleA=180,angleB=90",
            label_at=(0.28, 0.86),
        )
        _arrow(ax, question, covered, "no (base model)")
        _arrow(ax, covered, not_covered, "no")
        _arrow(ax, covered, lde, "yes")
        if variant.derivatives.rule == "fraction_limit":
            _arrow(ax, rule, covered, "new model", label_at=(0.305, 0.748))
        elif variant.derivatives.rule == "finetune_threshold":
            _arrow(
                ax,
                rule,
                lde,
                "covered fine-tune",
                connection="angle,angleA=-90,angleB=180",
                label_at=(0.27, 0.545),
            )
        if text["lde_exempt"]:
            exempt = _box(ax, right, 0.545, text["lde_exempt"], "exempt", 26)
            _arrow(ax, lde, exempt, "passes")
            _arrow(ax, lde, safety, "fails")
        else:
            _arrow(ax, lde, safety)
        if text["safety_exempt"]:
            exempt = _box(ax, right, 0.40, text["safety_exempt"], "exempt", 26)
            _arrow(ax, safety, exempt, "not hazardous")
            _arrow(ax, safety, full, "found hazardous")
        else:
            _arrow(ax, safety, full)
        _arrow(ax, full, open_w)
        fig.suptitle(
            f"{variant.title}\ndecision flowchart of variant '{variant.name}' (rules as simulated)",
            fontsize=11,
        )
        ax.legend(
            handles=[
                Patch(facecolor=_BOX[k][0], edgecolor=_BOX[k][1], linestyle=_BOX[k][2], label=lab)
                for k, lab in (
                    ("question", "test"),
                    ("exempt", "no obligations"),
                    ("burden", "obligations"),
                    ("rule", "rule"),
                )
            ],
            loc="upper right",
            bbox_to_anchor=(1.0, 1.0),
            fontsize=7.5,
        )
        return caption(fig, text=caption_text, vintage=vintage, seed=seed, version=version)


# --- tornado -------------------------------------------------------------------------------


def plot_tornado(
    table: pd.DataFrame,
    *,
    caption_text: str = "",
    vintage: str,
    seed: int | None,
    version: str = __version__,
) -> Figure:
    """Tornado chart of a one-at-a-time sensitivity table, one panel per outcome (and per
    truth bar, titled "truth: current bar", "truth: raised bar", when the table has a
    ``truth_bar`` column with names).

    Each assumption is a row (largest swing on top) with two half-height bars from the
    base value: the low setting (blue, hatched "/") above, the high setting (vermillion,
    hatched "\\") below, each labelled with its setting and value; a vertical line marks
    the base value.

    Parameters
    ----------
    table
        Columns :data:`TORNADO_COLUMNS` (``low``, ``high``, ``base``: outcome values),
        e.g. from :func:`riskmodel.simulation.sensitivity.sensitivity_table`; optional
        ``units`` and ``statistic`` (the axis label; units default from
        :data:`riskmodel.policy.engine.OUTCOMES`) and ``truth_bar`` (one panel each).
    caption_text, vintage, seed, version
        Caption under the figure: assumptions text (default none), data vintage and seed
        (required), riskmodel version (default this one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    missing = [c for c in TORNADO_COLUMNS if c not in table.columns]
    if missing:
        raise ConfigError(f"sensitivity table lacks column(s) {', '.join(missing)}")
    if table.empty:
        raise ConfigError("sensitivity table has no rows")
    truth = (
        table["truth_bar"].fillna("").astype(str)
        if "truth_bar" in table
        else pd.Series("", index=table.index)
    )
    panels = list(dict.fromkeys(zip(table["outcome"], truth, strict=True)))
    known = {**OUTCOMES, **PER_DRAW_OUTCOMES}
    selected = [(table["outcome"] == o) & (truth == t) for o, t in panels]
    heights = [int(mask.sum()) for mask in selected]
    with style_context():
        fig, axes = plt.subplots(
            len(panels),
            1,
            figsize=(8.6, 0.9 + sum(0.55 * h + 0.9 for h in heights)),
            squeeze=False,
            gridspec_kw={"height_ratios": heights},
            layout="constrained",
        )
        for ax, (outcome, bar), mask in zip(axes[:, 0], panels, selected, strict=True):
            rows = table[mask].copy()
            values = rows[["low", "high", "base"]].to_numpy(dtype=float)
            if not np.isfinite(values).all():
                raise ConfigError(f"sensitivity table: non-finite value for '{outcome}'")
            rows["swing"] = (rows["high"] - rows["low"]).abs()
            rows = rows.sort_values("swing", ascending=True, kind="stable")
            base = float(rows["base"].iloc[0])
            units = str(rows["units"].iloc[0]) if "units" in rows else known.get(outcome, ("",))[0]
            statistic = str(rows["statistic"].iloc[0]) if "statistic" in rows else "value"
            _draw_tornado(ax, rows, base=base, units=units)
            description = known.get(outcome, ("", outcome))[1]
            ax.set_xlabel(f"{description} ({units}; {statistic} over simulated worlds)")
            where = ""
            if "variant" in rows and rows["variant"].nunique() == 1:
                where = f"\nvariant '{variant_label(str(rows['variant'].iloc[0]))}'"
            if bar:
                where += f"; {truth_label(bar)}" if where else f"\n{truth_label(bar)}"
            ax.set_title(
                f"Sensitivity of '{outcome}' to one assumption at a time{where}", fontsize=9.5
            )
        axes[0, 0].legend(
            handles=[
                Patch(
                    facecolor=OKABE_ITO["blue"], alpha=0.6, hatch=HATCHES[1], label="low setting"
                ),
                Patch(
                    facecolor=OKABE_ITO["vermillion"],
                    alpha=0.6,
                    hatch=HATCHES[2],
                    label="high setting",
                ),
                Line2D([], [], color="0.1", lw=1.2, label="base (defaults)"),
            ],
            loc="lower right",
            fontsize=7,
        )
        return caption(fig, text=caption_text, vintage=vintage, seed=seed, version=version)


def _draw_tornado(ax: Axes, rows: pd.DataFrame, *, base: float, units: str) -> None:
    y = np.arange(len(rows), dtype=float)
    low = rows["low"].to_numpy(dtype=float)
    high = rows["high"].to_numpy(dtype=float)
    ax.barh(
        y + 0.19,
        low - base,
        left=base,
        height=0.36,
        color=OKABE_ITO["blue"],
        alpha=0.6,
        hatch=HATCHES[1],
        edgecolor="0.2",
        lw=0.6,
    )
    ax.barh(
        y - 0.19,
        high - base,
        left=base,
        height=0.36,
        color=OKABE_ITO["vermillion"],
        alpha=0.6,
        hatch=HATCHES[2],
        edgecolor="0.2",
        lw=0.6,
    )
    for yi, value, label in (
        *zip(y + 0.19, low, rows["low_label"], strict=True),
        *zip(y - 0.19, high, rows["high_label"], strict=True),
    ):
        left_side = value < base
        ax.annotate(
            f"{label}: {_number(value, units)}",
            xy=(value, yi),
            xytext=(-4 if left_side else 4, 0),
            textcoords="offset points",
            ha="right" if left_side else "left",
            va="center",
            fontsize=7,
            color="0.15",
        )
    ax.axvline(base, color="0.1", lw=1.2)
    names = [str(v) for v in rows["parameter"]]
    if "base_label" in rows:
        names = [f"{n}\n(base: {b})" for n, b in zip(names, rows["base_label"], strict=True)]
    ax.set_yticks(y, names)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    values = np.r_[low, high, base]
    span = float(values.max() - values.min()) or max(abs(base), 1.0) * 0.1
    ax.set_xlim(values.min() - 0.75 * span, values.max() + 0.75 * span)
    ax.grid(False, axis="y")
    nonnegative = bool(values.min() >= 0)  # counts, costs: no tick below zero (the
    # margin left of the smallest value is room for its label, not a possible value)

    def tick(v: float, _pos: int) -> str:
        if nonnegative and v < 0:
            return ""
        return format_usd(v) if units == "USD" else f"{v:g}"

    ax.xaxis.set_major_formatter(FuncFormatter(tick))
