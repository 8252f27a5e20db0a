"""Figures of the capability model. Plotting only: all numbers come from
:mod:`riskmodel.capability`; every figure carries its data vintage and assumptions."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import xarray as xr
from matplotlib.figure import Figure
from scipy.special import expit

from riskmodel.capability.data import CapabilityData
from riskmodel.capability.predict import (
    PosteriorView,
    benchmark_fraction_draws,
    capability_draws,
    frontier_log10_flop_draws,
)

__all__ = [
    "label_figure",
    "plot_prior_predictive",
    "plot_scaling_curves",
    "plot_frontier_forecast",
    "plot_compute_trend",
]

#: Interval bands drawn around medians (central probability mass).
BANDS = (0.9, 0.5)


def label_figure(fig: Figure, *, vintage: str, assumptions: str) -> Figure:
    """Add the provenance footer: data vintage and the assumptions that drive the figure."""
    fig.text(
        0.01,
        0.005,
        f"riskmodel | data vintage {vintage} | {assumptions}",
        fontsize=7,
        color="0.35",
        ha="left",
        va="bottom",
        wrap=True,
    )
    return fig


def _grid(n: int) -> tuple[int, int]:
    cols = min(4, n)
    return int(np.ceil(n / cols)), cols


def _fill_bands(ax, x, samples: np.ndarray, *, color: str, label: str = "") -> None:  # noqa: ANN001
    """Shade the central intervals of ``BANDS`` of ``samples`` (sample, point) over ``x``."""
    for mass, alpha in zip(BANDS, (0.2, 0.35), strict=True):
        lo, hi = np.quantile(samples, [(1 - mass) / 2, (1 + mass) / 2], axis=0)
        ax.fill_between(x, lo, hi, color=color, alpha=alpha, lw=0, label=f"{label}{mass:.0%}")


def _finish_panels(fig: Figure, axes: np.ndarray, n_used: int, *, ylabel: str, title: str) -> None:
    """Hide unused panels, label the first, add the title and lay out."""
    for ax in axes.flat[n_used:]:
        ax.set_visible(False)
    axes.flat[0].set_ylabel(ylabel)
    axes.flat[0].legend(fontsize=6, loc="upper left")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout(rect=(0, 0.03, 1, 1))


def plot_prior_predictive(
    prior_tree: xr.DataTree,
    data: CapabilityData,
    *,
    vintage: str,
    assumptions: str,
) -> Figure:
    """Prior predictive fraction solved against log10 reported FLOP, per benchmark.

    Bands: 90% and 50% prior predictive intervals per result; dots: observed values.
    """
    solved = prior_tree["prior_predictive"]["solved"].to_numpy()
    fraction = solved.reshape(-1, solved.shape[-1]) / data.result_n
    observed = data.result_k / data.result_n
    x = data.model_log10_flop[data.result_model]
    benchmarks = data.coords["benchmark"]
    rows, cols = _grid(len(benchmarks))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows + 0.4), squeeze=False)
    for ax, (b, slug) in zip(axes.flat, enumerate(benchmarks), strict=False):
        mask = (data.result_benchmark == b) & np.isfinite(x)
        order = np.argsort(x[mask])
        xs = x[mask][order]
        _fill_bands(ax, xs, fraction[:, mask][:, order], color="C0", label="prior ")
        ax.scatter(xs, observed[mask][order], s=6, color="k", label="observed", zorder=3)
        ax.set_title(slug, fontsize=9)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("log10 training FLOP", fontsize=8)
    _finish_panels(
        fig,
        axes,
        len(benchmarks),
        ylabel="fraction solved",
        title="Prior predictive check: benchmark scores before seeing the data",
    )
    return label_figure(fig, vintage=vintage, assumptions=assumptions)


def plot_scaling_curves(
    view: PosteriorView,
    observed: pd.DataFrame,
    *,
    benchmarks: Sequence[str],
    assumptions: str,
) -> Figure:
    """Posterior item-response curves with observed scores at posterior-mean capability.

    Parameters
    ----------
    observed
        Columns ``benchmark``, ``capability`` (posterior mean, dex), ``fraction``.
    """
    grid = np.linspace(-6, 6, 121)
    rows, cols = _grid(len(benchmarks))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows + 0.4), squeeze=False)
    for ax, slug in zip(axes.flat, benchmarks, strict=False):
        sel = {"benchmark": slug}
        a = view.draws["discrimination"].sel(sel).values[:, None]
        b = view.draws["difficulty"].sel(sel).values[:, None]
        lapse = view.draws["lapse"].sel(sel).values[:, None]
        chance = float(view.benchmark_info(slug)["chance"])
        curves = chance + (1 - lapse - chance) * expit(a * (grid[None, :] - b))
        _fill_bands(ax, grid, curves, color="C1")
        ax.plot(grid, np.median(curves, axis=0), color="C1", lw=1.2, label="posterior median")
        pts = observed[observed["benchmark"] == slug]
        ax.scatter(pts["capability"], pts["fraction"], s=6, color="k", zorder=3, label="observed")
        ax.set_title(slug, fontsize=9)
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("capability (dex effective compute vs 1e23)", fontsize=7)
    _finish_panels(
        fig,
        axes,
        len(benchmarks),
        ylabel="fraction solved",
        title="Fitted benchmark curves against latent capability",
    )
    return label_figure(fig, vintage=view.data_vintage, assumptions=assumptions)


def plot_frontier_forecast(
    view: PosteriorView,
    *,
    benchmarks: Sequence[str],
    dates: Sequence[str],
    seed: int,
    assumptions: str,
    observed: pd.DataFrame | None = None,
) -> Figure:
    """Posterior predictive score of the frontier by date, per benchmark.

    The frontier on date D is the best model released in the year up to D
    (:func:`riskmodel.capability.predict.capability_draws` with ``frontier=True``).
    ``observed`` (optional): columns ``benchmark``, ``release_date`` and ``fraction``
    (fraction of tasks solved, 0-1), drawn as points: every model's score, frontier or not,
    so the band should run along the upper edge of the points.
    """
    rng = np.random.default_rng(seed)
    when = pd.to_datetime(list(dates))
    rows, cols = _grid(len(benchmarks))
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 2.7 * rows + 0.4), squeeze=False)
    for ax, slug in zip(axes.flat, benchmarks, strict=False):
        fractions = np.stack(
            [
                benchmark_fraction_draws(
                    view, slug, capability_draws(view, date=d, frontier=True, rng=rng), rng=rng
                )
                for d in dates
            ],
            axis=1,
        )
        _fill_bands(ax, when, fractions, color="C2")
        ax.plot(when, np.median(fractions, axis=0), color="C2", lw=1.2, label="median")
        if observed is not None:
            points = observed[observed["benchmark"] == slug]
            ax.scatter(
                pd.to_datetime(points["release_date"]),
                points["fraction"],
                s=9,
                marker="o",
                facecolors="none",
                edgecolors="0.2",
                linewidths=0.6,
                label="observed (any model)",
                zorder=3,
            )
        ax.axvline(pd.Timestamp(view.data_vintage), color="0.4", ls="--", lw=0.8)
        ax.set_title(slug, fontsize=9)
        ax.set_ylim(-0.02, 1.02)
        ax.tick_params(axis="x", labelrotation=45, labelsize=7)
    _finish_panels(
        fig,
        axes,
        len(benchmarks),
        ylabel="fraction solved (frontier)",
        title="Forecast: score of the best model released in the year up to each date "
        "(dashed: data vintage)",
    )
    return label_figure(fig, vintage=view.data_vintage, assumptions=assumptions)


def plot_compute_trend(
    view: PosteriorView,
    models: pd.DataFrame,
    *,
    dates: Sequence[str],
    assumptions: str,
) -> Figure:
    """Training compute of notable language models and the fitted trends.

    Two trends of log10 training FLOP (median and 90% interval over posterior draws):
    the typical notable model, ``compute_trend_level + compute_trend_slope * t``, and the
    frontier-flagged model, ``compute_trend_level + (compute_trend_slope +
    frontier_slope_offset) * t + frontier_offset``
    (:func:`riskmodel.capability.predict.frontier_log10_flop_draws`), with ``t`` in years
    since the reference date (slopes in dex/yr).

    Parameters
    ----------
    models
        Columns ``release_date``, ``training_flop`` (FLOP), ``frontier`` (bool).
    """
    from riskmodel._time import years_since

    when = pd.to_datetime(list(dates))
    t = years_since(pd.Series(when), view.reference_date)
    typical = (
        view.values("compute_trend_level")[:, None]
        + view.values("compute_trend_slope")[:, None] * t[None, :]
    )
    frontier = frontier_log10_flop_draws(view, t[None, :])
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, mean, color in (("typical", typical, "C0"), ("frontier-flagged", frontier, "C3")):
        lo, hi = np.quantile(mean, [0.05, 0.95], axis=0)
        ax.fill_between(when, lo, hi, color=color, alpha=0.25, lw=0)
        ax.plot(when, np.median(mean, axis=0), color=color, lw=1.2, label=f"{label} trend (90% CI)")
    known = models.dropna(subset=["training_flop", "release_date"])
    front = known["frontier"].astype(bool)
    ax.scatter(
        known.loc[~front, "release_date"],
        np.log10(known.loc[~front, "training_flop"]),
        s=5,
        color="0.5",
        label="notable models",
    )
    ax.scatter(
        known.loc[front, "release_date"],
        np.log10(known.loc[front, "training_flop"]),
        s=9,
        color="C3",
        label="Epoch frontier flag",
    )
    ax.axhline(26, color="k", ls=":", lw=0.8)
    ax.text(when[0], 26.1, "1e26 FLOP (SB-1047)", fontsize=7)
    ax.set_ylabel("log10 training FLOP")
    ax.set_title("Training compute of language models and the jointly fitted trends")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return label_figure(fig, vintage=view.data_vintage, assumptions=assumptions)
