"""Figures of the uplift links. Plotting only: every number comes from
:mod:`riskmodel.uplift.links`; every figure carries its data vintage and assumptions."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from riskmodel.plotting.capability import BANDS, label_figure
from riskmodel.uplift.elicitation import ElicitedPriors
from riskmodel.uplift.links import LINK_NAMES, TaskCurve, make_link

__all__ = ["plot_uplift_prior_predictive"]

#: Uplift threshold of the commentary's raised hazard bar (DOMAIN.md section 2), drawn
#: as a reference line.
RAISED_BAR_UPLIFT = 2.0
#: Colours of the two links.
_COLORS = {"amdahl": "tab:red", "direct": "tab:blue"}


def plot_uplift_prior_predictive(
    *,
    priors: ElicitedPriors,
    task_curve: TaskCurve,
    capability: np.ndarray,
    n_draws: int = 500,
    seed: int = 0,
    vintage: str | None = None,
) -> Figure:
    """Prior predictive uplift against capability for both links.

    Parameters
    ----------
    priors
        Elicited priors.
    task_curve
        Cyber task curve of the reference suite (draws or scalars) for the Amdahl link;
        if it holds draws, ``n_draws`` of them are resampled with the link parameters.
    capability
        Grid of capabilities, shape (point,), dex of effective compute.
    n_draws
        Prior draws per link.
    vintage
        Data vintage for the footer; defaults to the elicitation file's.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per link: median and 50% / 90% bands of uplift (log scale).
    """
    rng = np.random.default_rng(seed)
    capability = np.asarray(capability, dtype=float)

    n_curve = np.atleast_1d(np.asarray(task_curve.discrimination)).shape[0]
    index = rng.integers(0, n_curve, n_draws)  # one index: keeps the curve's draws joint

    def resample(values: np.ndarray) -> np.ndarray:
        values = np.broadcast_to(np.atleast_1d(np.asarray(values, dtype=float)), (n_curve,))
        return values[index][:, None]

    curve = TaskCurve(
        discrimination=resample(task_curve.discrimination),
        horizon_slope=resample(task_curve.horizon_slope),
        horizon_offset=resample(task_curve.horizon_offset),
        suite=task_curve.suite,
        task_scatter=resample(task_curve.task_scatter),
    )
    fig, axes = plt.subplots(1, len(LINK_NAMES), figsize=(9, 3.6), sharey=True)
    for ax, name in zip(axes, LINK_NAMES, strict=True):
        link = make_link(name, priors=priors)
        params = {k: v[:, None] for k, v in link.sample_prior(rng=rng, size=n_draws).items()}
        uplift = link.uplift(capability[None, :], params, task_curve=curve)
        for mass, alpha in zip(BANDS, (0.2, 0.35), strict=True):
            lo, hi = np.quantile(uplift, [(1 - mass) / 2, (1 + mass) / 2], axis=0)
            ax.fill_between(
                capability, lo, hi, color=_COLORS[name], alpha=alpha, lw=0, label=f"{mass:.0%}"
            )
        ax.plot(capability, np.median(uplift, axis=0), color=_COLORS[name], label="median")
        ax.axhline(RAISED_BAR_UPLIFT, color="0.3", ls="--", lw=0.8, label="2x (raised bar)")
        ax.set_yscale("log")
        ax.set_title(f"{name} link", fontsize=10)
        ax.set_xlabel("capability (dex of effective compute)")
    axes[0].set_ylabel("uplift (cyber-offense team speed-up)")
    axes[0].legend(fontsize=6, loc="upper left")
    fig.suptitle("Prior predictive uplift against capability", fontsize=11)
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    assumptions = (
        "capability 0 = 1e23 FLOP on 2023-01-01, +1 per 10x; "
        f"elicited priors v{priors.version} ({priors.updated}, placeholder judgements); "
        f"Amdahl: reference suite {task_curve.suite}, time-weighted lognormal task lengths, "
        f"soft reliability gate; direct: anchors at capability {priors.capability_low:g} "
        f"and {priors.capability_high:g}; no uplift studies used"
    )
    return label_figure(fig, vintage=vintage or priors.data_vintage, assumptions=assumptions)
