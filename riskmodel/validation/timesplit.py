"""The original time-split backtest (benchmark scores at known FLOP, Bayesian model
against the least-squares logistic baseline; coverage and MAE), kept as a small public
entry point (``riskmodel.validation.time_split_backtest``; its script is gone, replaced
by ``riskmodel backtest``). It now runs on :func:`riskmodel.validation.harness.backtest`,
so its training data exclude post-cutoff models from the compute trend too."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence
from riskmodel.validation.harness import backtest
from riskmodel.validation.scores import QUANTILE_LEVELS, interval_coverage

__all__ = ["BacktestResult", "time_split_backtest", "score_intervals"]

#: Method names of the old result -> names in the harness.
_METHODS = {"bayesian": "bayesian", "baseline": "logistic"}


@dataclass(frozen=True)
class BacktestResult:
    """Per-row predictions of both methods and their summary scores.

    Attributes
    ----------
    rows
        One row per test result: ``model``, ``benchmark``, ``observed`` (fraction),
        and per method ``<method>_q05``, ``_q25``, ``_q50``, ``_q75``, ``_q95``.
    summary
        Index ``method`` (``bayesian``, ``baseline``): ``n``, ``coverage_50``,
        ``coverage_90``, ``mae`` (median vs observed, fraction points).
    fit
        The training fit (with its diagnostics in ``attrs``).
    skipped
        Test results left out (benchmark not forecastable, or unknown FLOP).
    """

    rows: pd.DataFrame
    summary: pd.DataFrame
    fit: xr.DataTree
    skipped: int


def score_intervals(observed: np.ndarray, quantiles: dict[str, np.ndarray]) -> dict[str, float]:
    """Coverage of the 50% and 90% central intervals and MAE of the median.

    Parameters
    ----------
    observed
        Shape (row,), observations.
    quantiles
        ``q05``, ``q25``, ``q50``, ``q75``, ``q95`` arrays of shape (row,).
    """
    return {
        "n": int(len(observed)),
        "coverage_50": interval_coverage(observed, quantiles["q25"], quantiles["q75"]),
        "coverage_90": interval_coverage(observed, quantiles["q05"], quantiles["q95"]),
        "mae": float(np.mean(np.abs(quantiles["q50"] - observed))),
    }


def time_split_backtest(
    evidence: Evidence,
    config: FitConfig,
    *,
    cutoff: str = "2024-07-01",
    seed: int = 0,
    allow_unconverged: bool = True,
) -> BacktestResult:
    """Fit before ``cutoff``, predict later models' benchmark results, score both methods.

    Parameters
    ----------
    evidence
        All evidence; split by model release date.
    config
        Fit configuration for the training fit.
    cutoff
        YYYY-MM-DD; models released strictly before it are training data.
    seed
        Seed of the posterior predictive noise.
    allow_unconverged
        Keep a training fit that fails the convergence gate.
    """
    result = backtest(
        evidence,
        config,
        cutoff=cutoff,
        seed=seed,
        targets=("benchmark",),
        allow_unconverged=allow_unconverged,
    )
    long = result.rows[result.rows["target"] == "benchmark"]
    wide = None
    for old, new in _METHODS.items():
        part = long[long["method"] == new].reset_index(drop=True)
        cols = {key: f"{old}_{key}" for key in QUANTILE_LEVELS}
        block = part[list(QUANTILE_LEVELS)].rename(columns=cols)
        if wide is None:
            wide = part[["item", "benchmark", "observed"]].rename(columns={"item": "model"})
        wide = pd.concat([wide, block], axis=1)
    summary = pd.DataFrame(
        {
            old: score_intervals(
                wide["observed"].to_numpy(float),
                {k: wide[f"{old}_{k}"].to_numpy(float) for k in QUANTILE_LEVELS},
            )
            for old in _METHODS
        }
    ).T.rename_axis("method")
    skipped = int(sum(result.skipped["benchmark"].values()))
    return BacktestResult(rows=wide, summary=summary, fit=result.fit, skipped=skipped)
