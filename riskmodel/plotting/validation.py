"""Figures of the backtest (:mod:`riskmodel.validation`). Plotting only: every number
comes from a :class:`~riskmodel.validation.harness.Backtest`'s ``rows`` or ``summary``.

Each method has a fixed colour, line style and marker (:data:`METHOD_STYLE`, Okabe-Ito
colours via :func:`~riskmodel.plotting.style.series_style`), so the figures stay
readable in greyscale; each figure carries a caption with the data vintage, the
cutoff(s) and the seed (:func:`~riskmodel.plotting.style.caption`).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from riskmodel.plotting.style import caption, series_style, style_context

__all__ = [
    "METHOD_STYLE",
    "METHOD_LABELS",
    "TARGET_METHOD_LABELS",
    "TARGET_LABELS",
    "method_label",
    "plot_scores_by_cutoff",
    "plot_predicted_vs_observed",
    "plot_intervals",
]

#: Style index of each method (colour, line style, marker of the shared style cycle).
METHOD_STYLE: dict[str, int] = {
    "bayesian": 0,
    "world_model": 0,
    "logistic": 1,
    "irt": 2,
    "poisson_trend": 3,
    "score_trend": 4,
}
#: Readable method names.
METHOD_LABELS: dict[str, str] = {
    "bayesian": "Bayesian model",
    "world_model": "world count model",
    "logistic": "logistic on log FLOP (LS)",
    "irt": "item response (LS)",
    "poisson_trend": "Poisson trend",
    "score_trend": "best-score trend by date (LS)",
}
#: Method names by target where they differ from :data:`METHOD_LABELS`: on the frontier
#: target the Bayesian model forecasts the window's best frontier release, and the FLOP
#: baselines are evaluated at the frontier compute trend.
TARGET_METHOD_LABELS: dict[tuple[str, str], str] = {
    ("frontier", "bayesian"): "Bayesian model (best frontier release)",
    ("frontier", "logistic"): "logistic at frontier FLOP trend (LS)",
    ("frontier", "irt"): "item response at frontier FLOP trend (LS)",
}
#: Readable target names.
TARGET_LABELS: dict[str, str] = {
    "benchmark": "benchmark score at known FLOP",
    "frontier": "best score per window",
    "counts": "runs above a compute threshold",
}
#: Units of the CRPS and absolute error of each target.
TARGET_UNITS: dict[str, str] = {
    "benchmark": "fraction of tasks",
    "frontier": "fraction of tasks",
    "counts": "runs",
}
#: Score panels of :func:`plot_scores_by_cutoff`: column, axis label, nominal value.
SCORE_PANELS: tuple[tuple[str, str, float | None], ...] = (
    ("coverage_50", "50% interval coverage", 0.5),
    ("coverage_90", "90% interval coverage", 0.9),
    ("crps", "mean CRPS (lower is better)", None),
    ("log_score", "mean log score, nats (higher is better)", None),
)
#: Log scores (nats) within +-this are drawn on a linear scale, beyond on a log scale.
LOG_SCORE_LINTHRESH = 10.0
#: Vertical offset between methods in :func:`plot_intervals` (row units).
INTERVAL_OFFSET = 0.22


def _style(method: str) -> dict[str, object]:
    return series_style(METHOD_STYLE.get(method, len(METHOD_STYLE)))


def method_label(method: str, target: str | None = None) -> str:
    """Readable name of ``method`` (on ``target``, where that changes what it is).

    Parameters
    ----------
    method
        Method name of the backtest (e.g. ``bayesian``, ``score_trend``).
    target
        Target it forecasts (``benchmark``, ``frontier`` or ``counts``), or None for the
        target-independent name.

    Returns
    -------
    str
        :data:`TARGET_METHOD_LABELS` of (``target``, ``method``), else
        :data:`METHOD_LABELS` of ``method``, else ``method`` itself.
    """
    if target is not None and (target, method) in TARGET_METHOD_LABELS:
        return TARGET_METHOD_LABELS[(target, method)]
    return METHOD_LABELS.get(method, method)


def plot_scores_by_cutoff(
    *,
    summary: pd.DataFrame,
    vintage: str,
    seed: int,
    version: str,
    note: str = "",
) -> Figure:
    """Coverage, CRPS and log score of every method by cutoff, one row per target.

    Parameters
    ----------
    summary
        Columns ``cutoff`` (YYYY-MM-DD), ``target``, ``method``, ``n``, ``coverage_50``,
        ``coverage_90``, ``crps``, ``log_score``.
    vintage
        Data vintage, YYYY-MM-DD.
    seed
        Seed of the backtests.
    version
        riskmodel version.
    note
        Extra caption text (e.g. the sampler settings).

    Returns
    -------
    matplotlib.figure.Figure
    """
    targets = [t for t in TARGET_LABELS if t in set(summary["target"])]
    cutoffs = sorted(summary["cutoff"].unique())
    x = np.arange(len(cutoffs))
    with style_context():
        fig, axes = plt.subplots(
            len(targets),
            len(SCORE_PANELS),
            figsize=(11.0, 2.5 * len(targets) + 0.5),
            squeeze=False,
            layout="constrained",
        )
        for r, target in enumerate(targets):
            part = summary[summary["target"] == target]
            for c, (column, label, nominal) in enumerate(SCORE_PANELS):
                ax = axes[r, c]
                for method, group in part.groupby("method", sort=False):
                    group = group.set_index("cutoff").reindex(cutoffs)
                    ax.plot(
                        x,
                        group[column].to_numpy(float),
                        label=method_label(method, target),
                        **_style(method),
                    )
                if nominal is not None:
                    ax.axhline(nominal, color="0.3", lw=0.8, ls=":")
                    ax.set_ylim(-0.03, 1.03)
                if column == "log_score":  # a few overconfident misses dominate some means
                    ax.set_yscale("symlog", linthresh=LOG_SCORE_LINTHRESH)
                ax.set_xticks(x, [f"{c[:7]}" for c in cutoffs])
                if r == 0:
                    ax.set_title(label)
                if c == 0:
                    unit = TARGET_UNITS[target]
                    ax.set_ylabel(f"{TARGET_LABELS[target]}\n(CRPS in {unit})")
                if c == len(SCORE_PANELS) - 1:
                    ax.legend(loc="best")
            axes[-1, 0].set_xlabel("cutoff (training data released before)")
        text = (
            "Backtest scores by cutoff: each method fitted to data released before the "
            "cutoff and scored on what was released after it, up to the data vintage. "
            "Dotted lines: nominal coverage. Log score axis linear within +-10 nats, "
            "logarithmic beyond. " + note
        )
        return caption(fig, text=text, vintage=vintage, seed=seed, version=version)


def plot_predicted_vs_observed(
    *,
    rows: pd.DataFrame,
    target: str,
    cutoff: str,
    vintage: str,
    seed: int,
    version: str,
    note: str = "",
) -> Figure:
    """Predicted median with 90% interval against the observation, one panel per method.

    Parameters
    ----------
    rows
        Scored rows of one cutoff (columns ``target``, ``method``, ``observed``,
        ``q05``, ``q50``, ``q95``).
    target
        Which target to draw (``benchmark``, ``frontier`` or ``counts``).
    cutoff, vintage
        YYYY-MM-DD.
    seed
        Seed of the backtest.
    version
        riskmodel version.
    note
        Extra caption text.

    Returns
    -------
    matplotlib.figure.Figure
    """
    part = rows[rows["target"] == target]
    methods = list(dict.fromkeys(part["method"]))
    unit = TARGET_UNITS[target]
    with style_context():
        fig, axes = plt.subplots(
            1,
            len(methods),
            figsize=(3.4 * len(methods), 3.6),
            squeeze=False,
            layout="constrained",
            sharex=True,
            sharey=True,
        )
        top = float(np.nanmax(part[["observed", "q95"]].to_numpy(float))) if len(part) else 1.0
        top = 1.0 if unit == "fraction of tasks" else top * 1.05
        for ax, method in zip(axes.flat, methods, strict=True):
            m = part[part["method"] == method]
            style = _style(method)
            inside = (m["q05"] <= m["observed"]) & (m["observed"] <= m["q95"])
            ax.errorbar(
                m["observed"],
                m["q50"],
                yerr=[m["q50"] - m["q05"], m["q95"] - m["q50"]],
                fmt="none",
                ecolor=style["color"],
                alpha=0.25,
                lw=0.8,
            )
            ax.scatter(
                m["observed"][inside],
                m["q50"][inside],
                s=10,
                color=style["color"],
                marker=style["marker"],
                label="observation inside 90% interval",
            )
            ax.scatter(
                m["observed"][~inside],
                m["q50"][~inside],
                s=14,
                facecolors="none",
                edgecolors="black",
                marker=style["marker"],
                linewidths=0.8,
                label="observation outside",
            )
            ax.plot([0, top], [0, top], color="0.3", lw=0.8, ls=":")
            ax.set_xlim(0, top)
            ax.set_ylim(0, top)
            ax.set_title(f"{method_label(method, target)}: {inside.mean():.0%} of {len(m)} inside")
            ax.set_xlabel(f"observed ({unit})")
        axes[0, 0].set_ylabel(f"predicted median, 90% interval ({unit})")
        axes[0, 0].legend(loc="upper left")
        text = (
            f"Backtest at cutoff {cutoff}, target: {TARGET_LABELS[target]}. Each point is one "
            "post-cutoff observation; bars: the method's central 90% predictive interval; "
            "dotted: perfect prediction. " + note
        )
        return caption(fig, text=text, vintage=vintage, seed=seed, version=version)


def plot_intervals(
    *,
    rows: pd.DataFrame,
    target: str,
    cutoffs: Sequence[str],
    vintage: str,
    seed: int,
    version: str,
    note: str = "",
) -> Figure:
    """Predicted 50% and 90% intervals of every method beside the observation, one row
    per forecast item, one panel per cutoff.

    Parameters
    ----------
    rows
        Scored rows (columns ``cutoff``, ``target``, ``item``, ``benchmark``, ``method``,
        ``observed``, ``q05`` ... ``q95``).
    target
        ``frontier`` or ``counts`` (few items per cutoff).
    cutoffs
        Cutoffs to draw (YYYY-MM-DD), one panel each.
    vintage
        Data vintage.
    seed
        Seed of the backtests.
    version
        riskmodel version.
    note
        Extra caption text.

    Returns
    -------
    matplotlib.figure.Figure
    """
    part = rows[(rows["target"] == target) & rows["cutoff"].isin(list(cutoffs))]
    methods = list(dict.fromkeys(part["method"]))
    unit = TARGET_UNITS[target]
    sizes = [part[part["cutoff"] == c].groupby(["item", "benchmark"]).ngroups for c in cutoffs]
    height = max(3.0, 0.32 * max(sizes + [1]) + 1.2)
    with style_context():
        fig, axes = plt.subplots(
            1,
            len(cutoffs),
            figsize=(3.7 * len(cutoffs), height),
            squeeze=False,
            layout="constrained",
        )
        for ax, cutoff in zip(axes.flat, cutoffs, strict=True):
            c_rows = part[part["cutoff"] == cutoff]
            items = list(dict.fromkeys(zip(c_rows["item"], c_rows["benchmark"], strict=True)))
            for j, method in enumerate(methods):
                m = c_rows[c_rows["method"] == method].set_index(["item", "benchmark"])
                m = m.reindex(items)
                y = np.arange(len(items)) + (j - (len(methods) - 1) / 2) * INTERVAL_OFFSET
                style = _style(method)
                ax.hlines(
                    y,
                    m["q05"],
                    m["q95"],
                    color=style["color"],
                    lw=1.0,
                    linestyles=style["linestyle"],
                )
                ax.hlines(y, m["q25"], m["q75"], color=style["color"], lw=3.0)
                ax.scatter(
                    m["q50"],
                    y,
                    color=style["color"],
                    marker=style["marker"],
                    s=12,
                    label=method_label(method, target),
                    zorder=3,
                )
            observed = (
                c_rows.drop_duplicates(["item", "benchmark"])
                .set_index(["item", "benchmark"])
                .reindex(items)["observed"]
            )
            ax.scatter(
                observed,
                np.arange(len(items)),
                color="black",
                marker="x",
                s=22,
                label="observed",
                zorder=4,
            )
            ax.set_yticks(
                np.arange(len(items)), [f"{str(i)[:7]} {b}" for i, b in items], fontsize=6.5
            )
            ax.set_ylim(max(sizes) - 0.5, -0.5)
            ax.set_title(f"cutoff {cutoff}")
            ax.set_xlabel(unit)
            if unit == "runs":
                ax.set_xscale("symlog", linthresh=1.0)
                ax.set_xlim(left=0)
            else:
                ax.set_xlim(0, 1)
        handles, labels = axes[0, 0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside upper center", ncols=len(labels))
        text = (
            f"Backtest, target: {TARGET_LABELS[target]}; rows labelled by the first month of "
            "their window (or the half-year) and the benchmark (or threshold). Thin line: "
            "central 90% predictive interval; thick line: 50%; marker: median; x: observed. " + note
        )
        return caption(fig, text=text, vintage=vintage, seed=seed, version=version)
