"""Figures of the hazard bars: P(hazard condition) against compute, and where and when each
bar is crossed. Plotting only: every number comes from :mod:`riskmodel.hazard.curves`."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from riskmodel import __version__
from riskmodel.errors import ConfigError
from riskmodel.hazard.assess import DATE_HORIZON, MAX_LOG10_FLOP
from riskmodel.plotting.style import (
    HATCHES,
    bar_style,
    caption,
    format_flop,
    style_context,
)

__all__ = ["SB1047_FLOP", "MC_BAND_SE", "plot_hazard_curves", "plot_crossings"]

#: The bill's covered-model compute threshold (FLOP), drawn as a reference line.
SB1047_FLOP = 1e26
#: Half-width of the Monte Carlo band, in standard errors (about 95%).
MC_BAND_SE = 2.0
#: Last date :func:`riskmodel.hazard.assess.crossing` reports; later crossings are None.
_DATE_HORIZON = pd.Timestamp(DATE_HORIZON)
#: FLOP beyond which :func:`riskmodel.hazard.assess.crossing` reports ``inf``.
_FLOP_HORIZON = 10.0**MAX_LOG10_FLOP


def _require(table: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ConfigError(f"{what}: the table lacks column(s) {', '.join(missing)}")
    if table.empty:
        raise ConfigError(f"{what}: the table has no rows")


def _reference_flop(ax: Axes, *, y: float) -> None:
    ax.axvline(SB1047_FLOP, color="0.25", linestyle=(0, (4, 2)), lw=1.0, zorder=1)
    ax.text(
        SB1047_FLOP,
        y,
        f" {format_flop(SB1047_FLOP)} FLOP\n (SB-1047 covered model)",
        fontsize=7,
        color="0.25",
        ha="left",
        va="top",
    )


def plot_hazard_curves(
    curves: pd.DataFrame,
    *,
    caption_text: str = "",
    vintage: str,
    seed: int | None,
    version: str = __version__,
) -> Figure:
    """Probability of each bar's condition against training compute.

    One line per bar (colour, line style and marker differ), with a band of
    :data:`MC_BAND_SE` Monte Carlo standard errors (hatched differently per bar), a
    dotted horizontal line at each bar's required probability (the bar triggers above
    it) and a vertical line at the bill's 1e26 FLOP.

    Parameters
    ----------
    curves
        From :func:`riskmodel.hazard.curves.hazard_curve`: columns ``bar``, ``flop``
        (FLOP, > 0), ``probability``, ``mc_se``, ``required_probability``; optional
        ``condition`` (legend text) and ``date`` (title).
    caption_text, vintage, seed, version
        Caption under the figure (:func:`riskmodel.plotting.style.caption`): assumptions
        text (default none), data vintage and seed (required: every figure says which
        data and which random numbers made it) and version (default this riskmodel).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(curves, ("bar", "flop", "probability", "mc_se", "required_probability"), "curves")
    flop = curves["flop"].to_numpy(dtype=float)
    if not (np.isfinite(flop).all() and (flop > 0).all()):
        raise ConfigError("curves: 'flop' must be positive finite FLOP values (log axis)")
    bars = list(dict.fromkeys(curves["bar"]))
    with style_context():
        fig, ax = plt.subplots(figsize=(7.6, 4.6), layout="constrained")
        handles: list = []
        for i, bar in enumerate(bars):
            rows = curves[curves["bar"] == bar].sort_values("flop")
            style = bar_style(str(bar), i)
            x = rows["flop"].to_numpy(dtype=float)
            p = rows["probability"].to_numpy(dtype=float)
            se = rows["mc_se"].to_numpy(dtype=float)
            ax.fill_between(
                x,
                np.clip(p - MC_BAND_SE * se, 0.0, 1.0),
                np.clip(p + MC_BAND_SE * se, 0.0, 1.0),
                facecolor=style["color"],
                edgecolor=style["color"],
                alpha=0.3,
                hatch=HATCHES[(i + 1) % len(HATCHES)],
                lw=0.0,
                zorder=2,
            )
            ax.plot(x, p, markersize=4, zorder=3, **style)
            required = float(rows["required_probability"].iloc[0])
            ax.axhline(required, color=style["color"], linestyle=":", lw=1.2, zorder=2)
            ax.annotate(
                f"{bar}: required {required:.0%}",
                xy=(1.0, required),
                xycoords=("axes fraction", "data"),
                xytext=(-2, 2),
                textcoords="offset points",
                ha="right",
                va="bottom",
                fontsize=7,
                color=style["color"],
            )
            label = str(bar)
            if "condition" in rows:
                label = f"{bar}: " + "\n".join(textwrap.wrap(str(rows["condition"].iloc[0]), 44))
            handles.append(Line2D([], [], label=label, **style))
        handles.append(
            Patch(
                facecolor="0.6",
                edgecolor="0.3",
                alpha=0.4,
                hatch=HATCHES[1],
                label=f"\u00b1{MC_BAND_SE:g} Monte Carlo s.e.",
            )
        )
        handles.append(
            Line2D(
                [], [], color="0.3", linestyle=":", label="required probability (triggers above)"
            )
        )
        ax.set_xscale("log")
        ax.set_ylim(-0.02, 1.02)
        _reference_flop(ax, y=0.98)
        ax.set_xlabel("training compute of the model (FLOP, log scale)")
        ax.set_ylabel("probability of the bar's condition\n(posterior probability, 0-1)")
        dates = list(dict.fromkeys(curves["date"])) if "date" in curves else []
        when = f" released {dates[0]}" if len(dates) == 1 else ""
        ax.set_title(f"Probability that a model{when} meets each hazard bar's condition")
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, 0.9), fontsize=7)
        return caption(fig, text=caption_text, vintage=vintage, seed=seed, version=version)


def _interval(
    ax: Axes,
    y: float,
    lo: float,
    mid: float,
    hi: float,
    *,
    cap: float,
    style: dict,
    label: str,
    open_label: str,
) -> None:
    """One q05-q50-q95 interval at height ``y``; values at ``cap`` are open-ended."""
    lo_c, mid_c, hi_c = (min(v, cap) for v in (lo, mid, hi))
    ax.plot([lo_c, hi_c], [y, y], color=style["color"], lw=6, alpha=0.35, solid_capstyle="butt")
    ax.plot([lo_c, lo_c], [y - 0.12, y + 0.12], color=style["color"], lw=1.2)
    if hi < cap:
        ax.plot([hi_c, hi_c], [y - 0.12, y + 0.12], color=style["color"], lw=1.2)
    else:
        ax.plot([cap], [y], marker=">", color=style["color"], markersize=8, clip_on=False)
    if mid < cap:
        ax.plot([mid_c], [y], marker=style["marker"], color=style["color"], markersize=7, zorder=4)
    ax.annotate(
        label if mid < cap else open_label,
        xy=(mid_c, y),
        xytext=(0, 8),
        textcoords="offset points",
        ha="center" if mid < cap else "right",
        va="bottom",
        fontsize=7,
        color="0.15",
    )


def plot_crossings(
    table: pd.DataFrame,
    *,
    caption_text: str = "",
    vintage: str,
    seed: int | None,
    version: str = __version__,
) -> Figure:
    """Where (training FLOP) and when (frontier date) each bar is first crossed.

    Left panel: the training compute at which the pooled probability of each bar's
    condition reaches its required probability for a model released on the table's date
    (log scale, with the bill's 1e26 FLOP marked; whiskers +/- 2 Monte Carlo standard
    errors). Right panel: the date at which the frontier (the best model released in the
    year up to that date) reaches it. Crossings beyond 1e32 FLOP or after 2040 are drawn as
    open-ended arrows at the edge.

    Parameters
    ----------
    table
        From :func:`riskmodel.hazard.curves.crossing_table`: columns ``bar``, ``flop``
        (FLOP, ``inf`` for never), ``flop_mc_se_dex``, ``frontier_date`` (YYYY-MM-DD or
        None), ``frontier_date_mc_se_months``; optional ``condition`` and ``date``.
    caption_text, vintage, seed, version
        Caption under the figure: assumptions text (default none), data vintage and seed
        (required), riskmodel version (default this one).

    Returns
    -------
    matplotlib.figure.Figure
    """
    _require(
        table,
        ("bar", "flop", "flop_mc_se_dex", "frontier_date", "frontier_date_mc_se_months"),
        "crossings",
    )
    centre = table["flop"].to_numpy(dtype=float)
    if np.any(centre <= 0) or np.isnan(centre).any():
        raise ConfigError("crossings: crossing FLOP must be positive (inf for never)")
    spread = 10.0 ** (2.0 * np.nan_to_num(table["flop_mc_se_dex"].to_numpy(dtype=float)))
    with np.errstate(invalid="ignore"):
        flops = np.column_stack([centre / spread, centre, centre * spread])
    flops[~np.isfinite(centre)] = np.inf
    finite = flops[np.isfinite(flops)]
    lo_edge = min([*finite.tolist(), SB1047_FLOP]) / 10.0
    hi_edge = max([*finite.tolist(), SB1047_FLOP]) * 10.0
    cap = min(hi_edge, _FLOP_HORIZON) if finite.size else _FLOP_HORIZON
    cap = max(cap, SB1047_FLOP * 10.0)

    def when(value: object) -> pd.Timestamp:
        return _DATE_HORIZON if value is None or pd.isna(value) else pd.Timestamp(str(value))

    dates = []
    for value, se in zip(table["frontier_date"], table["frontier_date_mc_se_months"], strict=True):
        middle = when(value)
        width = pd.Timedelta(days=2.0 * 30.44 * float(se)) if np.isfinite(se) else pd.Timedelta(0)
        if middle >= _DATE_HORIZON:
            dates.append([middle, middle, middle])
        else:
            dates.append([middle - width, middle, min(middle + width, _DATE_HORIZON)])
    finite_dates = [d for row in dates for d in row if d < _DATE_HORIZON]
    try:
        vintage_date = pd.Timestamp(vintage) if vintage else None
    except ValueError:
        vintage_date = None
    anchors = finite_dates + ([vintage_date] if vintage_date is not None else [])
    start = min(anchors) - pd.Timedelta(days=365) if anchors else pd.Timestamp("2024-01-01")
    end = max(finite_dates) + pd.Timedelta(days=365) if finite_dates else _DATE_HORIZON
    end = min(end, _DATE_HORIZON)

    n = len(table)
    with style_context():
        fig, (left, right) = plt.subplots(
            1, 2, figsize=(10.0, 1.6 + 0.9 * n), sharey=True, layout="constrained"
        )
        for i, row in enumerate(table.itertuples(index=False)):
            style = bar_style(str(row.bar), i)
            y = float(n - 1 - i)
            q05, q50, q95 = (float(v) for v in flops[i])
            _interval(
                left,
                y,
                q05,
                q50,
                q95,
                cap=cap,
                style=style,
                label=f"{format_flop(q50)}",
                open_label=f"> {format_flop(_FLOP_HORIZON)} FLOP",
            )
            d05, d50, d95 = (mdates.date2num(d) for d in dates[i])
            end_num = mdates.date2num(end)
            _interval(
                right,
                y,
                d05,
                d50,
                d95,
                cap=end_num,
                style=style,
                label=f"{dates[i][1]:%b %Y}",
                open_label=f"after {_DATE_HORIZON:%Y}",
            )
        left.set_xscale("log")
        left.set_xlim(lo_edge, cap)
        _reference_flop(left, y=n - 0.45)
        left.set_xlabel("training compute at which the bar is first met (FLOP, log scale)")
        model_date = ""
        if "date" in table and table["date"].nunique() == 1:
            model_date = f" (model released {table['date'].iloc[0]})"
        left.set_title(f"Where: compute that meets the bar{model_date}")
        right.set_xlim(mdates.date2num(start), mdates.date2num(end))
        right.xaxis.set_major_locator(mdates.YearLocator())
        right.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        if vintage_date is not None and start <= vintage_date <= end:
            right.axvline(
                mdates.date2num(vintage_date), color="0.25", linestyle=(0, (4, 2)), lw=1.0
            )
            right.text(
                mdates.date2num(vintage_date),
                n - 0.45,
                " data vintage",
                fontsize=7,
                color="0.25",
                va="top",
            )
        right.set_xlabel("date the frontier (best model of the past year) meets the bar (year)")
        right.set_title("When: the compute frontier meets the bar")
        labels = []
        for row in table.itertuples(index=False):
            text = str(row.bar)
            if "condition" in table:
                text += "\n" + "\n".join(textwrap.wrap(str(row.condition), 28))
            labels.append(text)
        left.set_yticks(np.arange(n - 1, -1, -1, dtype=float), labels, fontsize=7)
        left.set_ylim(-0.6, n - 0.3)
        for ax in (left, right):
            ax.grid(True, axis="x")
            ax.grid(False, axis="y")
        handles = [
            Line2D([], [], color="0.4", lw=6, alpha=0.35, label="5-95% interval"),
            Line2D([], [], color="0.2", marker="o", lw=0, label="median"),
        ]
        beyond = np.isinf(flops).any() or any(d >= end for row in dates for d in row)
        if beyond:
            handles.append(Line2D([], [], color="0.2", marker=">", lw=0, label="beyond the axis"))
        left.legend(handles=handles, loc="upper left", fontsize=7)
        return caption(fig, text=caption_text, vintage=vintage, seed=seed, version=version)
