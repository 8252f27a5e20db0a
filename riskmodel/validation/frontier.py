"""The ``frontier`` target: the best score per window on each chat or agent instrument.

Observation
-----------
For each post-cutoff window of :data:`~riskmodel.validation.splits.WINDOW_MONTHS` months
(:func:`~riskmodel.validation.splits.post_cutoff_windows`; the last one cut at the data
vintage) and each instrument read through a harness kind of :data:`FRONTIER_KINDS` (chat
and agent harnesses) with results of models released in the window: the **best fraction
solved among all those results** - any model, with or without a FLOP estimate, any
harness of the instrument, the best effort setting of each model (as the capability fit
reads results, :func:`~riskmodel.capability.data.fitted_results`). This is the state of
the art on the instrument by release date, what "how good is the best model by then"
asks; it does not condition on the compute of the models evaluated.

It is the state of the art only where the frontier models are evaluated: on the chat
and agent harnesses (GPQA Diamond, Cybench, FrontierMath, SWE-bench Verified, OSWorld,
Terminal-Bench 2.0), whose rosters hold the frontier labs' models. The base-model
few-shot instruments (harness kind ``base_few_shot``: the Observational Scaling Laws
table of ARC, GSM8K, HellaSwag, HumanEval, MMLU, TruthfulQA, Winogrande and XWinograd)
are not frontier targets: their rosters are open base models chosen by the table's
authors (five models released in 2024-07..12, none of them a frontier lab's closed
model), so their best per window is not the best model released - the best HumanEval
result of the models released in 2024-07..12 is 0.13, from a 4B-parameter base model
(h2o-danube3-4b-base) - and a forecast of the best frontier release cannot be scored
against it. Those results still count for the benchmark target and the capability fit.
A harness missing from the registry is read as
:data:`~riskmodel.validation.instruments.DEFAULT_KIND` (``chat``, as the capability data
reads it), so its results are frontier observations.

Forecasts (each from pre-cutoff evidence only)
----------------------------------------------
``bayesian``
    Per posterior draw, the capability of the best frontier release of the window
    (:func:`~riskmodel.capability.predict.frontier_capability_draws` with the window's
    length and its last day), read through the instrument's item-response curve and
    beta-binomial (:func:`~riskmodel.capability.predict.benchmark_fraction_draws`).
``score_trend``
    Least-squares logistic trend of the instrument's best score per pre-cutoff window
    against the window's last day (:func:`~riskmodel.validation.baselines.fit_score_trend`),
    extrapolated to the window's last day; normal predictive with residual and parameter
    uncertainty, censored to [0, 1].
``logistic``, ``irt``
    The benchmark target's least-squares baselines (logistic curve in log10 FLOP;
    item-response fit with a theta regression on FLOP and date) evaluated for a model at
    the **frontier compute trend** on the window's last day: log10 FLOP drawn from a
    least-squares line through the log10 FLOP of the pre-cutoff frontier-flagged
    language models against their release date
    (:func:`~riskmodel.validation.baselines.fit_linear_trend`, prediction sd with
    coefficient uncertainty), then the baseline's curve and residual.

Rows
----
A (window, instrument) is scored only if every method can forecast it; otherwise it is
kept in the skipped table with every reason (the instrument is not in the training fit,
has fewer than :data:`~riskmodel.validation.baselines.MIN_TREND_WINDOWS` pre-cutoff
windows with results, fewer than
:data:`~riskmodel.validation.baselines.MIN_BASELINE_ROWS` training results with a known
FLOP, or no item-response fit). So every method is scored on the same rows. Where the
Bayesian model can forecast a skipped row, its scores are kept with it: they are outside
the comparison of methods, but count in the acceptance check of its 90% coverage on every
row it forecasts (:func:`~riskmodel.validation.report_text.acceptance`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._time import years_since
from riskmodel.config import CapabilityConfig
from riskmodel.errors import RiskmodelError
from riskmodel.validation.baselines import (
    MIN_BASELINE_ROWS,
    MIN_FRONTIER_FLOP_MODELS,
    MIN_TREND_WINDOWS,
    TREND_REFERENCE_DATE,
    LinearTrend,
    ScoreTrend,
    fit_linear_trend,
    fit_score_trend,
)
from riskmodel.validation.scores import Forecast, score_forecast
from riskmodel.validation.splits import Window, post_cutoff_windows, pre_cutoff_windows

__all__ = [
    "FRONTIER_KINDS",
    "FRONTIER_METHODS",
    "best_per_window",
    "frontier_observations",
    "fit_score_trends",
    "frontier_models",
    "fit_frontier_flop_trend",
    "frontier_rows",
]

#: Harness kinds whose instruments are frontier targets: the kinds on which the frontier
#: models are evaluated (not ``base_few_shot``, whose rosters are open base models chosen
#: by a table's authors; see the module docstring). Includes
#: :data:`~riskmodel.validation.instruments.DEFAULT_KIND`, the kind of a harness missing
#: from the registry.
FRONTIER_KINDS = ("chat", "agent")

#: Methods of the frontier target, the toolkit's model first.
FRONTIER_METHODS = ("bayesian", "score_trend", "logistic", "irt")

#: Why a method cannot forecast an instrument (reported in the skipped table): the
#: instrument is not in the training fit (no pre-cutoff result on it); fewer than
#: MIN_TREND_WINDOWS pre-cutoff windows with results (no score trend); fewer than
#: MIN_BASELINE_ROWS training results with known FLOP (no logistic curve); no
#: item-response fit with a theta regression; fewer than MIN_FRONTIER_FLOP_MODELS
#: pre-cutoff frontier models with FLOP (no frontier compute trend).
SKIP_REASONS = {
    "bayesian": "not in fit",
    "score_trend": f"< {MIN_TREND_WINDOWS} windows",
    "logistic": f"< {MIN_BASELINE_ROWS} FLOP rows",
    "irt": "no IRT",
    "flop_trend": f"< {MIN_FRONTIER_FLOP_MODELS} frontier models",
}

#: Columns of the skipped table, and the scores of the toolkit's model added where it
#: can forecast the row (NaN elsewhere).
SKIPPED_COLUMNS = ["target", "item", "benchmark", "observed", "best_model", "reason"]
SCORED_COLUMNS = [
    "q05",
    "q25",
    "q50",
    "q75",
    "q95",
    "crps",
    "log_score",
    "abs_error",
    "in_50",
    "in_90",
]

#: Columns of :func:`best_per_window`.
WINDOW_COLUMNS = [
    "window",
    "start",
    "last_day",
    "window_years",
    "complete",
    "label",
    "instrument",
    "kind",
    "observed",
    "k",
    "n",
    "best_model",
    "best_harness",
    "roster",
    "models",
]


def best_per_window(results: pd.DataFrame, windows: list[Window]) -> pd.DataFrame:
    """The best result per window and instrument.

    Parameters
    ----------
    results
        Keyed results (:func:`~riskmodel.validation.instruments.key_results`): columns
        ``label``, ``instrument``, ``kind``, ``release_date``, ``fraction``,
        ``n_solved_effective``, ``n_tasks``, ``model``, ``harness``.
    windows
        Windows of release dates.

    Returns
    -------
    pandas.DataFrame
        One row per (window, instrument label) with results, in window then label order:
        :data:`WINDOW_COLUMNS`. ``observed`` is the best fraction solved, ``k`` and ``n``
        the solved and attempted tasks of that result (ties: more tasks, then model
        name); ``roster`` the results and ``models`` the distinct models in the window.
    """
    records = []
    dated = results[results["release_date"].notna()]
    for window in windows:
        inside = dated[window.contains(dated["release_date"])]
        for label, group in inside.groupby("label", sort=True):
            order = group.sort_values(
                ["fraction", "n_tasks", "model"], ascending=[False, False, True], kind="stable"
            )
            best = order.iloc[0]
            records.append(
                {
                    "window": window.label,
                    "start": window.start.strftime("%Y-%m-%d"),
                    "last_day": window.last_day,
                    "window_years": window.years,
                    "complete": window.complete,
                    "label": label,
                    "instrument": best["instrument"],
                    "kind": best["kind"],
                    "observed": float(best["fraction"]),
                    "k": int(best["n_solved_effective"]),
                    "n": int(best["n_tasks"]),
                    "best_model": best["model"],
                    "best_harness": best["harness"],
                    "roster": len(group),
                    "models": group["model"].nunique(),
                }
            )
    return pd.DataFrame(records, columns=WINDOW_COLUMNS)


def frontier_observations(keyed_test: pd.DataFrame, *, cutoff: str, vintage: str) -> pd.DataFrame:
    """Observed best per post-cutoff window and instrument, on the instruments of the
    harness kinds :data:`FRONTIER_KINDS` (see the module docstring).

    Parameters
    ----------
    keyed_test
        Keyed results of the models released on or after ``cutoff`` (any FLOP; column
        ``kind``, the harness kind of each result). Results of other kinds are dropped.
    cutoff, vintage
        YYYY-MM-DD.
    """
    frontier = keyed_test[keyed_test["kind"].isin(FRONTIER_KINDS)]
    return best_per_window(frontier, post_cutoff_windows(cutoff, vintage))


def fit_score_trends(
    keyed_train: pd.DataFrame, *, cutoff: str, chance: dict[str, float]
) -> tuple[dict[str, ScoreTrend], pd.DataFrame]:
    """Least-squares score trend per fitted instrument from the pre-cutoff windows.

    Parameters
    ----------
    keyed_train
        Keyed training results (released before ``cutoff``).
    cutoff
        YYYY-MM-DD.
    chance
        Chance score per instrument key.

    Returns
    -------
    (dict, pandas.DataFrame)
        Instrument key -> trend (instruments with at least
        :data:`~riskmodel.validation.baselines.MIN_TREND_WINDOWS` windows with results),
        and the pre-cutoff best per window that the trends were fitted to.
    """
    fitted = keyed_train[keyed_train["instrument"].notna() & keyed_train["release_date"].notna()]
    if fitted.empty:
        return {}, best_per_window(fitted, [])
    earliest = fitted["release_date"].min().strftime("%Y-%m-%d")
    points = best_per_window(fitted, pre_cutoff_windows(cutoff, earliest))
    trends = {}
    for key, group in points.groupby("instrument", sort=True):
        if len(group) >= MIN_TREND_WINDOWS:
            trends[str(key)] = fit_score_trend(
                years_since(group["last_day"], TREND_REFERENCE_DATE),
                group["observed"].to_numpy(float),
                chance=chance[str(key)],
            )
    return trends, points


def frontier_models(models: pd.DataFrame, config: CapabilityConfig) -> pd.DataFrame:
    """Frontier-flagged models of the compute trend's domains with a FLOP value and a
    release date from ``config.trend_start_date`` on (the points of the frontier compute
    trend; pass a models table restricted to the training period)."""
    domain = models["domain"].fillna("").astype(str)
    in_domain = np.zeros(len(models), dtype=bool)
    for label in config.trend_domains:
        in_domain |= domain.str.contains(label, regex=False).to_numpy()
    keep = (
        in_domain
        & models["frontier"].fillna(False).astype(bool).to_numpy()
        & models["training_flop"].notna().to_numpy()
        & (models["release_date"] >= pd.Timestamp(config.trend_start_date)).to_numpy()
    )
    return models[keep]


def fit_frontier_flop_trend(models: pd.DataFrame, config: CapabilityConfig) -> LinearTrend | None:
    """Least-squares line of log10 FLOP of the frontier models (:func:`frontier_models`)
    on their release date; None with fewer than
    :data:`~riskmodel.validation.baselines.MIN_FRONTIER_FLOP_MODELS` of them."""
    points = frontier_models(models, config)
    try:
        return fit_linear_trend(
            years_since(points["release_date"], TREND_REFERENCE_DATE),
            np.log10(points["training_flop"].to_numpy(float)),
        )
    except RiskmodelError:
        return None


#: A frontier forecaster: (instrument key, observation row) -> forecast.
FrontierMethod = Callable[[str, Any], Forecast]


def frontier_rows(
    observations: pd.DataFrame,
    methods: dict[str, FrontierMethod],
    coverage: dict[str, set[str]],
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Score every method on the (window, instrument) rows all of them can forecast.

    Parameters
    ----------
    observations
        From :func:`frontier_observations`.
    methods
        Method -> forecaster of one row (called with the instrument key and the
        observation row: ``last_day``, ``window_years``, ``k``, ``n``).
    coverage
        Method (or ``flop_trend``) -> the instrument keys it can forecast; a row is
        skipped unless its instrument is in every set.

    Returns
    -------
    (list of dict, pandas.DataFrame)
        Scored rows (one per row and method) and the skipped rows
        (:data:`SKIPPED_COLUMNS`, plus the first method's scores
        :data:`SCORED_COLUMNS` where it alone can forecast the row: reported, never
        compared).
    """
    rows: list[dict[str, Any]] = []
    skipped = []
    own = next(iter(methods))
    for obs in observations.itertuples(index=False):
        key = obs.instrument
        missing = [name for name, keys in coverage.items() if key is None or key not in keys]
        if missing:
            record = {
                "target": "frontier",
                "item": obs.window,
                "benchmark": obs.label,
                "observed": obs.observed,
                "best_model": obs.best_model,
                "reason": "; ".join(SKIP_REASONS[m] for m in missing),
            }
            if own not in missing:  # scored for the record, outside the comparison
                record.update(score_forecast(methods[own](key, obs), obs.observed))
            skipped.append(record)
            continue
        base = {
            "target": "frontier",
            "item": obs.window,
            "benchmark": key,
            "observed": obs.observed,
            "n_tasks": float(obs.n),
            "date": obs.start,
            "log10_flop": np.nan,
            "roster": obs.roster,
            "best_model": obs.best_model,
            "best_harness": obs.best_harness,
            "kind": obs.kind,
            "complete": bool(obs.complete),
        }
        for method, forecaster in methods.items():
            forecast = forecaster(key, obs)
            rows.append({**base, "method": method, **score_forecast(forecast, obs.observed)})
    table = pd.DataFrame(skipped, columns=SKIPPED_COLUMNS)
    if skipped:
        table = pd.DataFrame(skipped).reindex(columns=SKIPPED_COLUMNS + SCORED_COLUMNS)
    return rows, table
