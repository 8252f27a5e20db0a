"""Out-of-sample validation: time-split backtests of every forecast the toolkit makes.

Modules, one job each:

:mod:`~riskmodel.validation.splits`
    What may be seen before a cutoff (leak-free training evidence, the check), and the
    post-cutoff windows and half-years scored.
:mod:`~riskmodel.validation.scores`
    Scoring rules: interval coverage, CRPS, log score, absolute error; summaries.
:mod:`~riskmodel.validation.baselines`
    The baselines: least-squares logistic curve per instrument, least-squares
    item-response fit with a theta regression, logistic trend of the best score by date,
    linear trend of frontier compute, Poisson trend of counts.
:mod:`~riskmodel.validation.instruments`
    Results keyed by the capability fit's instruments (benchmark x harness kind).
:mod:`~riskmodel.validation.forecasters`
    Predictive draws of one benchmark result (or one window's best) per method.
:mod:`~riskmodel.validation.frontier`
    The best-score-per-window target: observations, trend fits, rows and skipped rows.
:mod:`~riskmodel.validation.harness`
    :func:`backtest`: fit before a cutoff, forecast the three targets, score.
:mod:`~riskmodel.validation.fits`
    Training fits of each cutoff, cached on disk by config, training evidence and the
    capability model's source code.
:mod:`~riskmodel.validation.cluster`
    Independent units of work, locally or on a dask.distributed cluster.
:mod:`~riskmodel.validation.report`
    :func:`run_backtests`: several cutoffs (serial or on dask), CSV tables, figures and
    ``docs/validation.md``.
:mod:`~riskmodel.validation.report_text`
    The prose of ``docs/validation.md``: fixed definitions and limits, and the reading,
    acceptance checks and Markdown tables computed from the scores.
:mod:`~riskmodel.validation.timesplit`
    The original benchmark-only :func:`time_split_backtest` (Bayesian model against the
    logistic baseline), on the harness.
"""

from __future__ import annotations

from riskmodel.validation.baselines import fit_logistic_baseline
from riskmodel.validation.harness import METHODS, TARGETS, Backtest, backtest
from riskmodel.validation.scores import INTERVALS
from riskmodel.validation.timesplit import BacktestResult, score_intervals, time_split_backtest

__all__ = [
    "INTERVALS",
    "METHODS",
    "TARGETS",
    "Backtest",
    "BacktestResult",
    "backtest",
    "fit_logistic_baseline",
    "score_intervals",
    "time_split_backtest",
]
