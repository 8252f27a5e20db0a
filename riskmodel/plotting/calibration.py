"""ECDF-difference figure of a simulation-based calibration (SBC) run.

Plotting only: the ranks, p-values and the simultaneous band are computed by
:mod:`riskmodel.sbc`.
"""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

import riskmodel
from riskmodel.plotting.style import OKABE_ITO, caption, style_context
from riskmodel.sbc.ranks import ECDF_BAND_PROB, SBCResult, ecdf_band, ecdf_difference

__all__ = ["plot_sbc_ecdf_difference", "PANEL_SIZE_IN", "MAX_COLUMNS"]

#: Width and height of one panel (inches).
PANEL_SIZE_IN = (2.3, 1.75)
#: Panels per row at most.
MAX_COLUMNS = 4
#: Grey of the band fill (light enough for the line to stay visible in greyscale).
_BAND_GREY = "0.82"
#: Panel titles longer than this many characters are broken before the bracket.
_TITLE_CHARS = 28


def _panel_title(name: str, chi2_p: float, ecdf_p: float, passed: bool) -> str:
    label = name
    if len(name) > _TITLE_CHARS and "[" in name:
        head, _, tail = name.partition("[")
        label = f"{head}\n[{tail}"
    verdict = "" if passed else "  FAILS"
    return f"{label}\np: \u03c7\u00b2 {chi2_p:.2g}, ECDF {ecdf_p:.2g}{verdict}"


def plot_sbc_ecdf_difference(
    *,
    result: SBCResult,
    prob: float = ECDF_BAND_PROB,
    title: str | None = None,
    max_columns: int = MAX_COLUMNS,
) -> Figure:
    """ECDF of the fractional ranks minus the uniform CDF, one panel per quantity.

    Under calibration each curve stays inside the grey simultaneous ``prob`` band
    (Säilynoja, Bürkner & Vehtari 2022) for uniform ranks. A curve that bows *above*
    zero means the truth tends to sit low in the posterior (posterior biased up), below
    zero the reverse; above zero in the left half and below in the right (U-shaped rank
    histogram) means over-confident posteriors, the reverse under-confident ones. A
    failing quantity is drawn dashed in vermillion and its title says FAILS.

    Parameters
    ----------
    result
        From :func:`riskmodel.sbc.capability.capability_sbc`,
        :func:`~riskmodel.sbc.uplift.uplift_sbc` or
        :func:`~riskmodel.sbc.ranks.summarize_ranks`. Its ``settings`` (replications,
        draws, tune, thin, seed, sampler, design, vintage, title) go into the caption.
    prob
        Simultaneous coverage of the band.
    title
        Figure title; default ``settings["title"]`` or "Simulation-based calibration".
    max_columns
        Panels per row at most.

    Returns
    -------
    matplotlib.figure.Figure
    """
    names = list(result.ranks)
    n = result.n_replications
    z, band_lo, band_hi = ecdf_band(n, result.n_draws, prob=prob)
    ncols = max(1, min(max_columns, len(names)))
    nrows = math.ceil(len(names) / ncols)
    passed = result.passed
    colour_ok, colour_bad = OKABE_ITO["blue"], OKABE_ITO["vermillion"]
    settings = result.settings
    with style_context():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(PANEL_SIZE_IN[0] * ncols, PANEL_SIZE_IN[1] * nrows + 0.6),
            sharex=True,
            sharey=True,
            squeeze=False,
            layout="constrained",
        )
        for k, ax in enumerate(axes.flat):
            if k >= len(names):
                ax.set_axis_off()
                continue
            name = names[k]
            ok = passed[name]
            ax.fill_between(z, band_lo, band_hi, step="post", color=_BAND_GREY, linewidth=0)
            ax.axhline(0.0, color=OKABE_ITO["black"], linewidth=0.6, linestyle=":")
            zk, diff = ecdf_difference(result.ranks[name], result.n_draws)
            ax.step(
                zk,
                diff,
                where="post",
                color=colour_ok if ok else colour_bad,
                linestyle="-" if ok else "--",
                linewidth=1.4,
            )
            ax.set_title(
                _panel_title(name, result.chi2_p[name], result.ecdf_p[name], ok),
                fontsize=7.5,
            )
            ax.set_xlim(0.0, 1.0)
            ax.set_xticks([0.0, 0.5, 1.0], ["0", "0.5", "1"])
            if k % ncols == 0:
                ax.set_ylabel("ECDF \u2212 uniform")
            if k >= len(names) - ncols:
                ax.set_xlabel("fractional rank")
                ax.tick_params(labelbottom=True)
        handles = [
            Patch(facecolor=_BAND_GREY, edgecolor="none", label=f"simultaneous {prob:.0%} band"),
            Line2D([], [], color=colour_ok, linestyle="-", label="ECDF difference (passes)"),
            Line2D([], [], color=colour_bad, linestyle="--", label="ECDF difference (fails)"),
        ]
        # at the top (caption() grows the figure at the bottom, the top stays in place),
        # titled with the figure's title
        fig.legend(
            handles=handles,
            loc="outside upper center",
            ncols=len(handles),
            title=title or settings.get("title", "Simulation-based calibration"),
            title_fontsize=10,
        )
        text = (
            f"{n} simulated data sets; truth ranked among L = {result.n_draws} posterior "
            f"draws (one chain: {settings.get('tune', '?')} warmup + "
            f"{settings.get('draws', '?')} draws, every {settings.get('thin', '?')}th kept); "
            f"{settings.get('sampler', 'sampler not recorded')}. "
            f"Design: {settings.get('design', 'not recorded')}. "
            f"A quantity passes if its chi-square p-value ({result.n_bins} rank bins) and "
            f"its simultaneous-ECDF p-value both exceed {result.threshold:.2g} "
            f"(family-wise {result.alpha:g}, Bonferroni). "
            f"Divergent transitions: {int(result.divergences.sum())} in "
            f"{int((result.divergences > 0).sum())} of {len(result.divergences)} fits."
        )
        return caption(
            fig,
            text=text,
            vintage=str(settings.get("vintage", "n/a")),
            seed=settings.get("seed"),
            version=riskmodel.__version__,
        )
