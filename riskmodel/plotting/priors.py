"""Figure of the elicited uplift priors against their posterior given the uplift studies.
Plotting only: the prior is the fitted distribution of :mod:`riskmodel.uplift.elicitation`,
the posterior draws come from :func:`riskmodel.uplift.update.updated_link_params`."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from scipy import stats
from scipy.special import logit

from riskmodel import __version__
from riskmodel.errors import ConfigError
from riskmodel.plotting.style import OKABE_ITO, caption, style_context
from riskmodel.uplift.elicitation import ElicitedPriors, FittedPrior

__all__ = ["LOG_AXIS_RATIO", "prior_density", "plot_prior_posterior"]

#: A positive parameter is drawn on a log axis (density per dex) when its elicited
#: highest quantile exceeds the lowest by this factor.
LOG_AXIS_RATIO = 8.0
#: Grid points of the prior density; histogram bins of the posterior draws.
_GRID = 400
_BINS = 40


def prior_density(prior: FittedPrior, x: np.ndarray, *, per_dex: bool = False) -> np.ndarray:
    """Analytic density of a fitted prior at ``x`` (in its units).

    The prior is normal with location ``mu`` and scale ``sigma`` on its family's
    transformed scale ``t(x)`` (x, ln x, ln(x - 1), logit x), so the density is
    ``phi((t(x) - mu) / sigma) / sigma * |t'(x)|``; zero outside the support.

    Parameters
    ----------
    prior
        Fitted prior.
    x
        Values, any shape, in the prior's units.
    per_dex
        Density per dex of ``x`` (per unit of log10 x) instead of per unit of ``x``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``.
    """
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    family = prior.family
    if family == "normal":
        inside = np.isfinite(x)
        t, jac = x[inside], np.ones(inside.sum())
    elif family == "lognormal":
        inside = x > 0
        t, jac = np.log(x[inside]), 1.0 / x[inside]
    elif family == "lognormal_above_one":
        inside = x > 1
        t, jac = np.log(x[inside] - 1.0), 1.0 / (x[inside] - 1.0)
    elif family == "logitnormal":
        inside = (x > 0) & (x < 1)
        t, jac = logit(x[inside]), 1.0 / (x[inside] * (1.0 - x[inside]))
    else:
        raise ConfigError(f"prior '{prior.name}': unknown family '{family}'")
    out[inside] = stats.norm.pdf(t, loc=prior.mu, scale=prior.sigma) * jac
    if per_dex:
        out = out * np.abs(x) * math.log(10.0)
    return out


def _use_log_axis(prior: FittedPrior) -> bool:
    lowest, highest = prior.values[0], prior.values[-1]
    return (
        prior.family in ("lognormal", "lognormal_above_one")
        and lowest > 0
        and highest / lowest > LOG_AXIS_RATIO
    )


def _panel(ax: Axes, prior: FittedPrior, draws: np.ndarray | None) -> None:
    log_axis = _use_log_axis(prior)
    lo_q, hi_q = prior.ppf(np.array([0.005, 0.995]))
    lo, hi = float(lo_q), float(hi_q)
    if draws is not None and draws.size:
        d_lo, d_hi = np.quantile(draws, [0.005, 0.995])
        lo, hi = min(lo, float(d_lo)), max(hi, float(d_hi))
    if log_axis:
        lower = 1.0 if prior.family == "lognormal_above_one" else 0.0
        lo = max(lo, lower + (hi - lower) * 1e-6, 1e-12)
        grid = np.geomspace(lo, hi, _GRID)
    else:
        grid = np.linspace(lo, hi, _GRID)
    if draws is not None and draws.size:
        inside = draws[(draws >= lo) & (draws <= hi)]
        if log_axis:
            edges = np.geomspace(lo, hi, _BINS + 1)
            counts, _ = np.histogram(inside, bins=edges)
            density = counts / (draws.size * np.diff(np.log10(edges)))
        else:
            edges = np.linspace(lo, hi, _BINS + 1)
            counts, _ = np.histogram(inside, bins=edges)
            density = counts / (draws.size * np.diff(edges))
        ax.stairs(
            density,
            edges,
            fill=True,
            facecolor=OKABE_ITO["sky_blue"],
            edgecolor=OKABE_ITO["blue"],
            alpha=0.55,
            hatch="////",
            lw=0.8,
        )
    ax.plot(
        grid, prior_density(prior, grid, per_dex=log_axis), color="0.05", lw=1.6, linestyle="--"
    )
    for level, value in zip(prior.levels, prior.values, strict=True):
        ax.axvline(value, color=OKABE_ITO["vermillion"], lw=1.0, linestyle=":")
        ax.annotate(
            f"q{round(level * 100):02d}",
            xy=(value, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(2, -2),
            textcoords="offset points",
            fontsize=6.5,
            color=OKABE_ITO["vermillion"],
            ha="left",
            va="top",
        )
    if log_axis:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(lo, hi)
    ax.set_ylim(bottom=0.0)
    short = prior.name.split(".", 1)[-1].replace("_", " ")
    ax.set_title(f"{short}" + ("" if draws is not None else " (not updated)"), fontsize=9)
    ax.set_xlabel("\n".join(textwrap.wrap(prior.units, 46)), fontsize=7.5)
    ax.set_ylabel("density per dex" if log_axis else "density (per unit)", fontsize=7.5)


def plot_prior_posterior(
    priors: ElicitedPriors,
    posterior_params: Mapping[str, np.ndarray],
    *,
    names: Sequence[str] | None = None,
    caption_text: str = "",
    vintage: str,
    seed: int | None,
    version: str = __version__,
) -> Figure:
    """Prior density against posterior draws for each elicited uplift parameter.

    One panel per parameter: the fitted prior's analytic density (black dashed), a
    histogram of the posterior draws (blue, hatched) and the elicited quantiles (dotted
    vertical lines, labelled). Widely spread positive parameters use a log axis, with
    densities per dex so that areas stay comparable.

    Parameters
    ----------
    priors
        Elicited priors (:func:`riskmodel.uplift.elicitation.load_uplift_priors`).
    posterior_params
        Prior name -> posterior draws, shape (draw,) (``UpliftPosterior.params``).
    names
        Parameters to show; default every parameter of ``posterior_params`` that has an
        elicited prior (the link's parameters, the transfer factor and the between-study
        sd), in the order of the elicitation file.
    caption_text, vintage, seed, version
        Caption under the figure: assumptions text (default none), data vintage and seed
        (required), riskmodel version (default this one).

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ConfigError
        A name without an elicited prior, or nothing to show.
    """
    if names is None:
        names = [n for n in priors.priors if n in posterior_params]
    names = list(names)
    if not names:
        raise ConfigError("no elicited parameter to show (posterior_params has none)")
    unknown = [n for n in names if n not in priors.priors]
    if unknown:
        raise ConfigError(f"no elicited prior for {', '.join(unknown)}")
    ncols = min(4, len(names))
    nrows = -(-len(names) // ncols)
    with style_context():
        fig, axes = plt.subplots(
            nrows,
            ncols,
            figsize=(2.9 * ncols + 0.4, 2.6 * nrows + 0.8),
            squeeze=False,
            layout="constrained",
        )
        for ax, name in zip(axes.flat, names, strict=False):
            draws = posterior_params.get(name)
            values = None if draws is None else np.asarray(draws, dtype=float).ravel()
            if values is not None:
                values = values[np.isfinite(values)]
            _panel(ax, priors[name], values)
        spare = list(axes.flat[len(names) :])
        for ax in spare:
            ax.set_axis_off()
        handles = [
            Line2D([], [], color="0.05", lw=1.6, linestyle="--", label="prior (fitted)"),
            Patch(
                facecolor=OKABE_ITO["sky_blue"],
                edgecolor=OKABE_ITO["blue"],
                alpha=0.55,
                hatch="////",
                label="posterior given\nthe uplift studies",
            ),
            Line2D(
                [], [], color=OKABE_ITO["vermillion"], linestyle=":", label="elicited quantiles"
            ),
        ]
        if spare:
            spare[0].legend(handles=handles, loc="center", fontsize=8.5)
        else:
            axes.flat[0].legend(handles=handles, loc="upper right", fontsize=6.5)
        fig.suptitle("Uplift-link parameters: elicited prior against posterior", fontsize=11)
        return caption(fig, text=caption_text, vintage=vintage, seed=seed, version=version)
