"""Out-of-sample validation: time-split backtest against a least-squares baseline.

Fit on evidence from models released before a cutoff date, predict the aggregate
benchmark results of models released on or after it (those with a known training FLOP,
which the baseline needs too), and score both methods on the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr
from scipy.optimize import least_squares
from scipy.special import expit
from scipy.stats import norm

from riskmodel.capability.fit import fit_evidence_model
from riskmodel.capability.predict import benchmark_fraction_draws, capability_draws, posterior_view
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence

__all__ = ["BacktestResult", "time_split_backtest", "fit_logistic_baseline", "score_intervals"]

#: Central interval masses whose coverage is reported.
INTERVALS = (0.5, 0.9)
#: Minimum training rows with known FLOP for a per-benchmark baseline fit.
MIN_BASELINE_ROWS = 4


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
        Test results left out (no training data for the benchmark, or unknown FLOP).
    """

    rows: pd.DataFrame
    summary: pd.DataFrame
    fit: xr.DataTree
    skipped: int


def fit_logistic_baseline(
    log10_flop: np.ndarray, fraction: np.ndarray, *, chance: float
) -> tuple[np.ndarray, float]:
    """Least-squares logistic curve of score on log10 FLOP for one benchmark.

    ``score = chance + (1 - chance) * logistic(slope * (log10_flop - midpoint))``.

    Returns
    -------
    (numpy.ndarray, float)
        Parameters ``[slope, midpoint]`` and the residual sd (fraction points), which
        gives the baseline's normal prediction intervals.
    """

    def residual(theta: np.ndarray) -> np.ndarray:
        return chance + (1 - chance) * expit(theta[0] * (log10_flop - theta[1])) - fraction

    start = np.array([1.0, float(np.median(log10_flop))])
    result = least_squares(residual, start, bounds=([0.0, 10.0], [20.0, 35.0]))
    dof = max(len(fraction) - 2, 1)
    sd = float(np.sqrt(np.sum(result.fun**2) / dof))
    return result.x, sd


def score_intervals(observed: np.ndarray, quantiles: dict[str, np.ndarray]) -> dict[str, float]:
    """Coverage of the 50% and 90% central intervals and MAE of the median."""
    return {
        "n": int(len(observed)),
        "coverage_50": float(
            np.mean((quantiles["q25"] <= observed) & (observed <= quantiles["q75"]))
        ),
        "coverage_90": float(
            np.mean((quantiles["q05"] <= observed) & (observed <= quantiles["q95"]))
        ),
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
        Keep a training fit that fails the convergence gate (its diagnostics are in
        ``result.fit.attrs``), so that a backtest always reports.
    """
    train = evidence.released_before(cutoff)
    test = evidence.released_on_or_after(cutoff)
    tree = fit_evidence_model(train, config, allow_unconverged=allow_unconverged)
    view = posterior_view(tree)
    fitted = set(view.draws["benchmark"].values.tolist())
    models = evidence.models
    rng = np.random.default_rng(seed)
    q_levels = {"q05": 0.05, "q25": 0.25, "q50": 0.5, "q75": 0.75, "q95": 0.95}

    train_rows = train.results.join(models[["training_flop"]], on="model").dropna(
        subset=["training_flop"]
    )
    baselines = {}
    for slug, group in train_rows.groupby("benchmark"):
        if slug in fitted and len(group) >= MIN_BASELINE_ROWS:
            baselines[slug] = fit_logistic_baseline(
                np.log10(group["training_flop"].to_numpy(float)),
                (group["n_solved_effective"] / group["n_tasks"]).to_numpy(float),
                chance=float(evidence.benchmarks.loc[slug, "chance"]),
            )

    test_rows = test.results.join(models[["training_flop", "release_date"]], on="model")
    records, skipped = [], 0
    for row in test_rows.itertuples(index=False):
        if row.benchmark not in baselines or not np.isfinite(row.training_flop):
            skipped += 1
            continue
        date = row.release_date.strftime("%Y-%m-%d")
        capability = capability_draws(view, date=date, flop=float(row.training_flop), rng=rng)
        fraction = benchmark_fraction_draws(view, row.benchmark, capability, rng=rng)
        (slope, midpoint), sd = baselines[row.benchmark]
        chance = float(evidence.benchmarks.loc[row.benchmark, "chance"])
        centre = chance + (1 - chance) * expit(slope * (np.log10(row.training_flop) - midpoint))
        record = {
            "model": row.model,
            "benchmark": row.benchmark,
            "observed": row.n_solved_effective / row.n_tasks,
        }
        for key, q in q_levels.items():
            record[f"bayesian_{key}"] = float(np.quantile(fraction, q))
            record[f"baseline_{key}"] = float(np.clip(centre + sd * norm.ppf(q), 0.0, 1.0))
        records.append(record)
    rows = pd.DataFrame(records)
    summary = pd.DataFrame(
        {
            method: score_intervals(
                rows["observed"].to_numpy(float),
                {k: rows[f"{method}_{k}"].to_numpy(float) for k in q_levels},
            )
            for method in ("bayesian", "baseline")
        }
    ).T.rename_axis("method")
    return BacktestResult(rows=rows, summary=summary, fit=tree, skipped=skipped)
