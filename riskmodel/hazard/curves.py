"""Tables behind the hazard figures: P(hazard condition) against compute, and crossings.

:func:`hazard_curve`
    :func:`riskmodel.hazard.assess.assess` over a grid of training compute for a model
    released on one date. ``assess`` draws every Monte Carlo sample from streams spawned
    from the seed, independently of the FLOP (common random numbers), so each bar's curve
    is exactly non-decreasing in FLOP.
:func:`crossing_tables`
    :func:`riskmodel.hazard.assess.crossing_with_sensitivity` for each bar: the FLOP (for
    a model released on the date) and the date at which the frontier (the best model
    released in the year up to that date) first meets the bar's pooled probability, with
    Monte Carlo errors; and how far each crossing moves under the main epistemic inputs.
    :func:`crossing_table` and :func:`crossing_sensitivity_table` return one of the two.

Computing only: the figures are in :mod:`riskmodel.plotting.hazard`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel.capability.predict import PosteriorView, posterior_view
from riskmodel.errors import ConfigError
from riskmodel.hazard.assess import (
    LinkParams,
    assess_flops,
    crossing_with_sensitivity,
    select_bars,
)
from riskmodel.hazard.bars import (
    HazardBar,
    RiskChainPriors,
    load_risk_chain_priors,
)
from riskmodel.hazard.inputs import HazardInputs, resolve_hazard_inputs
from riskmodel.uplift.links import UpliftLink

__all__ = [
    "DEFAULT_BARS",
    "CURVE_COLUMNS",
    "CROSSING_COLUMNS",
    "bar_condition",
    "hazard_curve",
    "crossing_tables",
    "crossing_table",
    "crossing_sensitivity_table",
    "SENSITIVITY_COLUMNS",
]

#: Bars of the figures by default: the commentary's raised bar and the bill's current one.
DEFAULT_BARS = ("raised", "current")
#: Columns of :func:`hazard_curve`.
CURVE_COLUMNS = (
    "bar",
    "condition",
    "date",
    "flop",
    "probability",
    "mc_se",
    "required_probability",
    "hazardous",
    "enhancement",
)
#: Columns of :func:`crossing_table`.
CROSSING_COLUMNS = (
    "bar",
    "condition",
    "date",
    "required_probability",
    "enhancement",
    "counterfactual",
    "flop",
    "flop_mc_se_dex",
    "frontier_date",
    "frontier_date_mc_se_months",
    "n_samples",
    "record_ess",
)
#: Columns of :func:`crossing_sensitivity_table`.
SENSITIVITY_COLUMNS = (
    "bar",
    "assumption",
    "flop_low_third",
    "flop_high_third",
    "spread_dex",
)

Fit = xr.DataTree | str | Path | PosteriorView


def _resolve_bars(
    bars: Sequence[str | HazardBar] | str | HazardBar,
    bars_path: str | Path | None,
    inputs: HazardInputs,
) -> list[HazardBar]:
    items = [bars] if isinstance(bars, str | HazardBar) else list(bars)
    if not items:
        raise ConfigError("bars: no hazard bar selected")
    return select_bars(items, bars_path, inputs)


def bar_condition(bar: HazardBar, *, chain: RiskChainPriors | None = None) -> str:
    """Readable condition of a bar, e.g. ``P(uplift > 2x | f=0.25, 2 years) > 10%``.

    For an ``incident_probability`` bar the damage and probability thresholds come from
    the risk chain (``chain``; default ``data/elicitation/risk_chain_priors.toml``) when
    the bar leaves them to it.
    """
    allowance = bar.enhancement.describe()
    required = f"{bar.required_probability:.0%}"
    if bar.quantity == "uplift":
        return f"P(uplift > {bar.threshold:g}x | enhancement {allowance}) > {required}"
    chain = chain if chain is not None else load_risk_chain_priors()
    legal = bar.threshold if bar.threshold is not None else chain.legal_probability
    damage = chain.damage_threshold_usd
    amount = f"${damage / 1e6:.3g}M" if damage < 1e9 else f"${damage / 1e9:.3g}B"
    return (
        f"P(P(enables a >= {amount} incident) > {legal:.0%} | enhancement {allowance}) > {required}"
    )


def hazard_curve(
    fit: Fit,
    *,
    flops: Sequence[float],
    date: str,
    bars: Sequence[str | HazardBar] | str | HazardBar = DEFAULT_BARS,
    link_params: LinkParams = "studies",
    seed: int = 0,
    n_samples: int | None = None,
    link: str | UpliftLink | None = None,
    bars_path: str | Path | None = None,
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    inputs: HazardInputs | None = None,
) -> pd.DataFrame:
    """Posterior probability of each bar's condition over a grid of training compute.

    Parameters
    ----------
    fit
        Fitted capability model (DataTree, path or :class:`PosteriorView`).
    flops
        Training compute of the model (FLOP), shape (point,); positive, finite, any order.
    date
        Release date of the model, YYYY-MM-DD.
    bars
        Bar names (or :class:`HazardBar` objects), each with its own enhancement allowance.
    link_params, seed, n_samples, link, bars_path, studies, record, inputs
        As for :func:`riskmodel.hazard.assess.assess`; one joint sample for every point,
        so the curves use common random numbers.

    Returns
    -------
    pandas.DataFrame
        One row per (bar, FLOP), bars in the given order and FLOP ascending; columns
        :data:`CURVE_COLUMNS`: ``probability`` and its Monte Carlo standard error
        ``mc_se`` (probabilities), ``required_probability``, ``hazardous``
        (``probability > required_probability``), ``condition`` (readable bar rule) and
        ``enhancement`` (the allowance used).

    Raises
    ------
    riskmodel.errors.RiskmodelError
        No FLOP values, or one that is not a positive finite number.
    """
    inputs = resolve_hazard_inputs(inputs)
    selected = _resolve_bars(bars, bars_path, inputs)
    chain = inputs.risk_chain
    view = posterior_view(fit)
    rows = []
    grid = list(dict.fromkeys(flops))  # checked by assess_flops; duplicates once
    per_flop = assess_flops(
        view,
        flops=grid,
        date=date,
        bars=selected,
        link=link,
        link_params=link_params,
        studies=studies,
        record=record,
        seed=seed,
        n_samples=n_samples,
        inputs=inputs,
    )
    for flop, results in zip(grid, per_flop, strict=True):
        for bar, result in zip(selected, results, strict=True):
            rows.append(
                {
                    "bar": result["bar"],
                    "condition": bar_condition(bar, chain=chain),
                    "date": date,
                    "flop": flop,
                    "probability": result["probability"],
                    "mc_se": result["mc_se"],
                    "required_probability": result["required_probability"],
                    "hazardous": result["hazardous"],
                    "enhancement": result["enhancement"],
                }
            )
    table = pd.DataFrame(rows, columns=list(CURVE_COLUMNS))
    rank = table["bar"].map({bar.name: i for i, bar in enumerate(selected)})
    order = np.lexsort((table["flop"].to_numpy(), rank.to_numpy()))
    return table.iloc[order].reset_index(drop=True)


def crossing_tables(
    fit: Fit,
    *,
    bars: Sequence[str | HazardBar] | str | HazardBar = DEFAULT_BARS,
    date: str,
    seed: int = 0,
    link_params: LinkParams = "studies",
    link: str | UpliftLink | None = None,
    bars_path: str | Path | None = None,
    studies: pd.DataFrame | str | Path | None = None,
    record: bool = True,
    n_samples: int | None = None,
    frontier: bool = True,
    inputs: HazardInputs | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each bar's crossing and its sensitivity from one joint sample per bar.

    Parameters
    ----------
    fit
        Fitted capability model (DataTree, path or :class:`PosteriorView`).
    bars
        Bar names (or :class:`HazardBar` objects).
    date
        Release date (YYYY-MM-DD) of the model whose crossing FLOP is computed.
    seed, link_params, link, bars_path, studies, record, n_samples, frontier, inputs
        As for :func:`riskmodel.hazard.assess.crossing`.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The crossings, one row per bar with columns :data:`CROSSING_COLUMNS`: ``flop``
        (FLOP; ``inf`` beyond 1e32 FLOP) with ``flop_mc_se_dex``, ``frontier_date``
        (YYYY-MM-DD; ``None`` after 2040-12-31 or with ``frontier=False``) with
        ``frontier_date_mc_se_months``: the crossing and its Monte Carlo error, not its
        epistemic spread. And the sensitivity table, columns :data:`SENSITIVITY_COLUMNS`,
        each bar's inputs sorted by spread (dex): how far the crossing moves between the
        lower and upper third of each main epistemic input
        (:func:`riskmodel.hazard.assess.crossing_sensitivity`).
    """
    inputs = resolve_hazard_inputs(inputs)
    selected = _resolve_bars(bars, bars_path, inputs)
    chain = inputs.risk_chain
    view = posterior_view(fit)
    rows, tables = [], []
    for bar in selected:
        result, table = crossing_with_sensitivity(
            view,
            bar=bar,
            date=date,
            link=link,
            link_params=link_params,
            studies=studies,
            record=record,
            seed=seed,
            n_samples=n_samples,
            frontier=frontier,
            inputs=inputs,
        )
        rows.append(
            {
                **result,
                "condition": bar_condition(bar, chain=chain),
                "enhancement": bar.enhancement.describe(),
                "counterfactual": bar.counterfactual,
            }
        )
        tables.append(table.assign(bar=bar.name))
    crossings = pd.DataFrame(rows)[list(CROSSING_COLUMNS)]
    sensitivity = pd.concat(tables, ignore_index=True)[list(SENSITIVITY_COLUMNS)]
    return crossings, sensitivity


def crossing_table(fit: Fit, **kwargs: Any) -> pd.DataFrame:
    """The crossings of :func:`crossing_tables` alone (same keyword arguments)."""
    return crossing_tables(fit, **kwargs)[0]


def crossing_sensitivity_table(fit: Fit, **kwargs: Any) -> pd.DataFrame:
    """The sensitivity table of :func:`crossing_tables` alone (same keyword arguments;
    the frontier dates, the slow part, are not computed)."""
    return crossing_tables(fit, **{**kwargs, "frontier": False})[1]
