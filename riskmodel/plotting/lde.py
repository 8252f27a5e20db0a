"""Figures of the pre-training LDE analysis. Plotting only: every number comes from
:func:`riskmodel.policy.lde.all_benchmarks_table`; every figure carries its assumptions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import xarray as xr
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from riskmodel.errors import ConfigError
from riskmodel.policy.lde import DEFAULT_NOISE_SD

__all__ = ["RULE_STYLES", "describe_assumptions", "plot_all_benchmarks"]

#: Line style and legend label per rule: the bill's strict rule solid, relaxed ones dashed.
RULE_STYLES = {
    "all": ("-", "lower on all benchmarks (bill)"),
    "mean": ("--", "lower on average (relaxed)"),
    "share": ("-.", "lower on a share of benchmarks (relaxed)"),
}
#: Okabe-Ito colours (distinguishable with the common colour-vision deficiencies).
GAP_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: Markers per gap, so that gaps stay distinguishable in greyscale.
GAP_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def describe_assumptions(table: xr.Dataset) -> str:
    """One-line assumptions of an LDE table, for a figure footer.

    Parameters
    ----------
    table
        Output of :func:`riskmodel.policy.lde.all_benchmarks_table`.
    """
    share = ""
    if "share" in [str(r) for r in table["rule"].to_numpy()]:
        share = f"share rule needs a fraction {table.attrs['share']:g} of benchmarks; "
    return (
        "model: measured gap = true gap + Normal(0, noise sd) per benchmark; "
        f"benchmark correlation {table.attrs['correlation']:g}; "
        f"pass margin {table.attrs['margin']:g} dex; {share}"
        "noise sd elicited (0.1-0.2 dex), not fitted"
    )


def _select_noise_sd(table: xr.Dataset, noise_sd: float | None) -> float:
    available = table["noise_sd"].to_numpy()
    if noise_sd is None:
        if available.size == 1:
            return float(available[0])
        if np.isclose(available, DEFAULT_NOISE_SD).any():
            return float(available[np.isclose(available, DEFAULT_NOISE_SD)][0])
        raise ConfigError(
            f"noise_sd: the table has several values {list(available)} and not the default "
            f"{DEFAULT_NOISE_SD}; pass noise_sd= one of them"
        )
    match = np.isclose(available, noise_sd)
    if not match.any():
        raise ConfigError(f"noise_sd {noise_sd} is not in the table (values {list(available)})")
    return float(available[match][0])


def _gap_label(gap: float) -> str:
    if gap > 0:
        return f"{gap:g} dex weaker"
    if gap < 0:
        return f"{-gap:g} dex stronger"
    return "equal capability"


def plot_all_benchmarks(
    table: xr.Dataset,
    *,
    noise_sd: float | None = None,
    footer: str,
    ax: Axes | None = None,
) -> Figure:
    """Pass probability of the pre-training LDE claim against the number of benchmarks.

    One line per (rule, gap) of ``table``: rules by line style (strict "all" solid,
    relaxed dashed or dash-dotted, open markers), gaps by colour *and* marker, so the
    figure reads in greyscale and for colour-blind readers. Select gaps with
    ``table.sel(gap=[...])`` before calling.

    Parameters
    ----------
    table
        Output of :func:`riskmodel.policy.lde.all_benchmarks_table`.
    noise_sd
        Per-benchmark noise to show (dex). ``None``: the table's only value, or
        :data:`~riskmodel.policy.lde.DEFAULT_NOISE_SD` if the table has several.
    footer
        Data vintage and assumptions, printed at the bottom of the figure (for example
        :func:`describe_assumptions`).
    ax
        Axes to draw in; a new figure if ``None`` (the footer goes on ``ax``'s figure).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        ``noise_sd`` not in the table, or a rule without a known style.
    """
    sd = _select_noise_sd(table, noise_sd)
    probability = table["pass_probability"].sel(noise_sd=sd)
    n_benchmarks = table["n_benchmarks"].to_numpy()
    rules = [str(r) for r in table["rule"].to_numpy()]
    unknown = [r for r in rules if r not in RULE_STYLES]
    if unknown:
        raise ConfigError(f"rule: no line style for {unknown}; known {list(RULE_STYLES)}")
    own_figure = ax is None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.6, 4.6))
    else:
        fig = ax.figure
    gaps = table["gap"].to_numpy()
    markevery = max(1, n_benchmarks.size // 12)
    for i, gap in enumerate(gaps):
        colour = GAP_COLOURS[i % len(GAP_COLOURS)]
        marker = GAP_MARKERS[i % len(GAP_MARKERS)]
        for rule in rules:
            style, label = RULE_STYLES[rule]
            ax.plot(
                n_benchmarks,
                probability.sel(rule=rule, gap=gap).to_numpy(),
                linestyle=style,
                color=colour,
                marker=marker,
                markersize=5,
                markevery=markevery,
                markerfacecolor=colour if rule == "all" else "white",
                lw=1.5,
                label=f"{_gap_label(gap)}, {label}",
            )
    gap_handles = [
        Line2D(
            [],
            [],
            color=GAP_COLOURS[i % len(GAP_COLOURS)],
            marker=GAP_MARKERS[i % len(GAP_MARKERS)],
            lw=1.5,
            label=_gap_label(gap),
        )
        for i, gap in enumerate(gaps)
    ]
    rule_handles = [
        Line2D(
            [],
            [],
            color="0.2",
            linestyle=RULE_STYLES[r][0],
            marker="o",
            markerfacecolor="0.2" if r == "all" else "white",
            lw=1.5,
            label=RULE_STYLES[r][1],
        )
        for r in rules
    ]
    legend_at = {"fontsize": 7, "title_fontsize": 8, "loc": "upper left", "frameon": False}
    first = ax.legend(
        handles=gap_handles, title="true gap", bbox_to_anchor=(1.01, 1.0), **legend_at
    )
    ax.add_artist(first)
    ax.legend(handles=rule_handles, title="rule", bbox_to_anchor=(1.01, 0.45), **legend_at)
    ax.set_xlabel("number of relevant benchmarks compared (K)")
    ax.set_ylabel("probability the claim passes")
    ax.set_ylim(-0.02, 1.02)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_title(
        "Pre-training limited duty exemption: does a genuinely weaker model pass?\n"
        f"per-benchmark noise {sd:g} dex, correlation {table.attrs['correlation']:g}",
        fontsize=10,
    )
    fig.text(0.01, 0.005, footer, fontsize=7, color="0.35", ha="left", va="bottom", wrap=True)
    if own_figure:
        fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig
