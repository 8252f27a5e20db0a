"""The backtest harness: fit before a cutoff, forecast what came after, score every method
on the same rows.

Targets (one row per forecast item; every method of a target is scored on the same items)
-----------------------------------------------------------------------------------------
``benchmark``
    Each aggregate result of a model released on or after the cutoff with a known
    training FLOP, on a benchmark that every method can forecast (in the capability fit,
    and with at least :data:`~riskmodel.validation.baselines.MIN_BASELINE_ROWS` training
    results with known FLOP). Forecast: the fraction of the benchmark's tasks solved by
    a model of that compute released on that date. Methods ``bayesian``, ``logistic``,
    ``irt``.
``frontier``
    Best score by date. For each post-cutoff window of
    :data:`~riskmodel.validation.splits.WINDOW_MONTHS` months (the last one cut at the
    data vintage) and each benchmark: the **best fraction solved among the results of
    the window's models that are rows of the ``benchmark`` target** (released in the
    window, known FLOP). Every method forecasts exactly that quantity: the maximum over
    the same set of models, each placed by its release date and FLOP, jointly (the
    Bayesian model's posterior draw, and the item-response baseline's coefficient draw,
    are shared by all models of the window; the logistic baseline is plug-in, so its
    errors are independent). The roster of evaluated models is taken as given: in the
    shipped data the evaluated models are mostly open base models chosen by the
    Observational Scaling Laws authors, not the compute frontier, so an unconditional
    "frontier model on this date" forecast (``forecast(..., frontier=True)``) would be a
    different quantity from any observed best score.
``counts``
    Epoch notable base runs (as :mod:`riskmodel.world.fit` selects them) released in
    each complete calendar half-year after the cutoff at or above each of
    :data:`COUNT_THRESHOLDS`. Methods: ``world_model`` = the world count model
    (:func:`riskmodel.world.fit.fit_count_model`, the form of the world assumptions,
    Laplace draws) fitted to the complete calendar years before the cutoff from 2018;
    ``poisson_trend`` = a Firth-penalised Poisson log-linear trend per threshold on the
    same years' counts. A half-year's count is Poisson with half its calendar year's
    expected count (the world model's release times are uniform within a year).

Scores per row: the quantiles of :data:`~riskmodel.validation.scores.QUANTILE_LEVELS`,
CRPS, log score (log probability of the observed count of tasks or runs; see
:mod:`riskmodel.validation.scores`), absolute error of the median, and whether the
observation lies in the central 50% and 90% intervals.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from riskmodel.capability.data import years_since
from riskmodel.capability.fit import fit_evidence_model
from riskmodel.capability.predict import posterior_view
from riskmodel.capability.store import fit_evidence
from riskmodel.config import FitConfig
from riskmodel.errors import RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.evidence.dataset import parse_iso_date
from riskmodel.validation.baselines import (
    MIN_BASELINE_ROWS,
    THETA_REGRESSION_REFERENCE_DATE,
    fit_irt_baseline,
    fit_logistic_baseline,
    fit_poisson_trend,
    fit_theta_regression,
    linked_benchmarks,
)
from riskmodel.validation.forecasters import (
    BayesianForecaster,
    IrtForecaster,
    LogisticForecaster,
    max_forecast,
)
from riskmodel.validation.scores import (
    COUNT_TAIL_MASS,
    CountForecast,
    score_forecast,
    summarise_scores,
)
from riskmodel.validation.splits import (
    check_split,
    post_cutoff_half_years,
    post_cutoff_windows,
    training_evidence,
)
from riskmodel.world.fit import (
    EPOCH_SOURCE_TOKEN,
    FIT_YEARS,
    CountParams,
    WorldAssumptions,
    fit_count_model,
    load_world_assumptions,
)

__all__ = [
    "TARGETS",
    "METHODS",
    "OWN_METHOD",
    "COUNT_THRESHOLDS",
    "Backtest",
    "backtest",
    "epoch_base_runs",
]

#: The forecast targets, in reporting order.
TARGETS = ("benchmark", "frontier", "counts")
#: Methods scored on each target, the model of the toolkit first.
METHODS: dict[str, tuple[str, ...]] = {
    "benchmark": ("bayesian", "logistic", "irt"),
    "frontier": ("bayesian", "logistic", "irt"),
    "counts": ("world_model", "poisson_trend"),
}
#: The toolkit's own method of each target (the first of :data:`METHODS`).
OWN_METHOD: dict[str, str] = {target: methods[0] for target, methods in METHODS.items()}
#: Compute thresholds (FLOP) of the counts target: the world model's floor, and the
#: 1e24 / 1e25 levels of the policy discussion.
COUNT_THRESHOLDS = (1e23, 1e24, 1e25)
#: Draws of every baseline forecast of a benchmark result (the ``S`` of joint forecasts).
BASELINE_SAMPLES = 1000
#: Parameter draws of each count model (Laplace or Fisher-information normal draws).
COUNT_DRAWS = 2000
#: Fewest training models with a known FLOP (theta not at a bound) for the theta
#: regression of a group of linked benchmarks (three coefficients plus two residual dof).
MIN_THETA_MODELS = 5
#: Share of a calendar year in a half-year (the count model's intensity is per year).
HALF_YEAR_SHARE = 0.5


@dataclass(frozen=True)
class Backtest:
    """Scored forecasts of every target and method at one cutoff.

    Attributes
    ----------
    cutoff
        YYYY-MM-DD; training evidence is released strictly before it.
    seed
        Seed of the predictive noise and baseline draws.
    rows
        One row per (target, item, method): ``cutoff``, ``target``, ``item`` (model,
        window or half-year), ``benchmark`` (benchmark slug, or ``>=1e24`` style
        threshold for counts), ``method``, ``observed`` (fraction of tasks, or runs),
        ``n_tasks`` (NaN for counts), ``date`` (release date, window or half-year
        start), ``log10_flop`` (NaN for windows and counts), ``roster`` (results in a
        window's maximum; 1 for a single result; NaN for counts), the quantiles ``q05``
        ... ``q95``, ``crps``, ``log_score``, ``abs_error``, ``in_50``, ``in_90``.
    summary
        Index (``target``, ``method``): ``n``, ``coverage_50``, ``coverage_90``,
        ``crps``, ``log_score``, ``mae`` (see
        :func:`~riskmodel.validation.scores.summarise_scores`).
    fit
        The training fit of the capability model (diagnostics in its ``attrs``), or
        None when no capability target was run.
    fit_seconds
        Wall time of the capability fit (seconds; 0 if a fit was passed in).
    diagnostics
        The fit's convergence diagnostics (``max_rhat``, ``min_ess_bulk``,
        ``divergences``, ...), empty without a fit.
    skipped
        Target -> test results left out, by reason.
    data_vintage
        Latest release date of the full evidence.
    n_train
        Training sizes: ``models`` and ``results`` of the capability evidence,
        ``count_years`` of the count models.
    """

    cutoff: str
    seed: int
    rows: pd.DataFrame
    summary: pd.DataFrame
    fit: xr.DataTree | None
    fit_seconds: float
    diagnostics: dict[str, Any]
    skipped: dict[str, dict[str, int]]
    data_vintage: str
    n_train: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# capability targets
# ---------------------------------------------------------------------------------------


def _fraction(results: pd.DataFrame) -> np.ndarray:
    return (results["n_solved_effective"] / results["n_tasks"]).to_numpy(float)


def _fit_baselines(
    train: Evidence, benchmarks: set[str], *, n_samples: int, rng: np.random.Generator
) -> tuple[LogisticForecaster, IrtForecaster]:
    """Fit both baselines to the training results on ``benchmarks``."""
    chance = {b: float(train.benchmarks.loc[b, "chance"]) for b in train.benchmarks.index}
    results = train.results[train.results["benchmark"].isin(benchmarks)]
    results = results.join(train.models[["training_flop", "release_date"]], on="model")
    known = results.dropna(subset=["training_flop"])
    logistic = {}
    for slug, group in known.groupby("benchmark"):
        if len(group) >= MIN_BASELINE_ROWS:
            logistic[slug] = fit_logistic_baseline(
                np.log10(group["training_flop"].to_numpy(float)),
                _fraction(group),
                chance=chance[slug],
            )
    usable = results[results["benchmark"].isin(logistic)]
    components = []
    for group in linked_benchmarks(usable["model"].to_numpy(), usable["benchmark"].to_numpy()):
        part = usable[usable["benchmark"].isin(group)]
        irt = fit_irt_baseline(
            part["model"].to_numpy(), part["benchmark"].to_numpy(), _fraction(part), chance=chance
        )
        per_model = (
            part.groupby("model")
            .agg(flop=("training_flop", "first"), date=("release_date", "first"))
            .reindex(list(irt.models))
        )
        ok = per_model["flop"].notna().to_numpy() & ~irt.at_bound
        if ok.sum() < MIN_THETA_MODELS:
            continue
        regression = fit_theta_regression(
            irt.theta[ok],
            np.log10(per_model["flop"].to_numpy(float)[ok]),
            years_since(per_model["date"][ok], THETA_REGRESSION_REFERENCE_DATE),
        )
        components.append((irt, regression))
    return (
        LogisticForecaster(logistic, chance, n_samples=n_samples, rng=rng),
        IrtForecaster(components, n_samples=n_samples, rng=rng),
    )


def _test_results(
    evidence: Evidence, cutoff: str, benchmarks: set[str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Post-cutoff aggregate results every method can forecast, and the skipped counts."""
    test = evidence.released_on_or_after(cutoff).results
    test = test.join(evidence.models[["training_flop", "release_date"]], on="model")
    skipped = {
        "benchmark_not_forecastable": int((~test["benchmark"].isin(benchmarks)).sum()),
        "unknown_flop": int(
            (test["benchmark"].isin(benchmarks) & test["training_flop"].isna()).sum()
        ),
    }
    keep = test["benchmark"].isin(benchmarks) & test["training_flop"].notna()
    test = test[keep].sort_values(["release_date", "model", "benchmark", "harness"])
    return test.reset_index(drop=True), skipped


def _row_base(target: str, item: str, row: Any, observed: float, roster: int) -> dict[str, Any]:
    return {
        "target": target,
        "item": item,
        "benchmark": row.benchmark,
        "observed": float(observed),
        "n_tasks": float(row.n_tasks),
        "date": row.release_date.strftime("%Y-%m-%d"),
        "log10_flop": float(np.log10(row.training_flop)),
        "roster": roster,
    }


def _benchmark_rows(test: pd.DataFrame, forecasters: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in test.itertuples(index=False):
        k, n = int(row.n_solved_effective), int(row.n_tasks)
        date = row.release_date.strftime("%Y-%m-%d")
        log10_flop = float(np.log10(row.training_flop))
        base = _row_base("benchmark", row.model, row, k / n, 1)
        for method, forecaster in forecasters.items():
            forecast = forecaster.result(row.benchmark, date=date, log10_flop=log10_flop, k=k, n=n)
            rows.append({**base, "method": method, **score_forecast(forecast, k / n)})
    return rows


def _frontier_rows(
    test: pd.DataFrame, forecasters: dict[str, Any], *, cutoff: str, vintage: str
) -> list[dict[str, Any]]:
    rows = []
    for window in post_cutoff_windows(cutoff, vintage):
        in_window = test[window.contains(test["release_date"])]
        for slug, group in in_window.groupby("benchmark", sort=True):
            observed = float(np.max(_fraction(group)))
            best = group.iloc[int(np.argmax(_fraction(group)))]
            base = {
                "target": "frontier",
                "item": window.label,
                "benchmark": slug,
                "observed": observed,
                "n_tasks": float(best["n_tasks"]),
                "date": window.start.strftime("%Y-%m-%d"),
                "log10_flop": np.nan,
                "roster": len(group),
            }
            for method, forecaster in forecasters.items():
                members = [
                    forecaster.member(
                        slug,
                        date=r.release_date.strftime("%Y-%m-%d"),
                        log10_flop=float(np.log10(r.training_flop)),
                        n=int(r.n_tasks),
                    )
                    for r in group.itertuples(index=False)
                ]
                forecast = max_forecast(members, observed)
                rows.append({**base, "method": method, **score_forecast(forecast, observed)})
    return rows


# ---------------------------------------------------------------------------------------
# counts target
# ---------------------------------------------------------------------------------------


def epoch_base_runs(models: pd.DataFrame) -> pd.DataFrame:
    """Epoch notable-model base runs with a FLOP value (the world model's selection).

    Parameters
    ----------
    models
        The models table (index ``model``), e.g. ``Evidence.models``.

    Returns
    -------
    pandas.DataFrame
        Columns ``release_date``, ``log10_flop``, ``year`` (calendar year).
    """
    source = models["source"].astype(str).str.contains(EPOCH_SOURCE_TOKEN, regex=False)
    base = models["base_model"].isna() | (models["base_model"].astype(str).str.strip() == "")
    rows = models[source & base & models["training_flop"].notna() & models["release_date"].notna()]
    return pd.DataFrame(
        {
            "release_date": rows["release_date"],
            "log10_flop": np.log10(rows["training_flop"].to_numpy(float)),
            "year": rows["release_date"].dt.year.to_numpy(int),
        },
        index=rows.index,
    )


def _count_training_years(cutoff: str) -> tuple[int, ...]:
    """Complete calendar years before the cutoff, from the world model's first year."""
    cut = parse_iso_date(cutoff, what="cutoff")
    last = cut.year - 1
    if last < FIT_YEARS[0] + 1:
        raise RiskmodelError(
            f"cutoff {cutoff} leaves fewer than two complete calendar years from "
            f"{FIT_YEARS[0]} to fit the count models"
        )
    return tuple(range(FIT_YEARS[0], last + 1))


def _poisson_mixture_pmf(rates: np.ndarray, observed: int) -> np.ndarray:
    """pmf on 0..K of an equal-weight Poisson mixture (K covers the tail and the
    observation)."""
    top = int(max(observed, stats.poisson.isf(COUNT_TAIL_MASS, float(np.max(rates))))) + 1
    k = np.arange(top + 1)
    return stats.poisson.pmf(k[None, :], rates[:, None]).mean(axis=0)


def _count_rows(
    evidence: Evidence,
    cutoff: str,
    *,
    vintage: str,
    assumptions: WorldAssumptions,
    thresholds: Sequence[float],
    rng: np.random.Generator,
) -> tuple[list[dict[str, Any]], int]:
    floor = assumptions.floor_log10_flop
    if np.log10(min(thresholds)) < floor - 1e-9:
        raise RiskmodelError(
            f"count threshold {min(thresholds):.3g} FLOP is below the world model's floor "
            f"1e{floor:g} FLOP"
        )
    runs = epoch_base_runs(evidence.models)
    cut = parse_iso_date(cutoff, what="cutoff")
    train = runs[runs["release_date"] < cut]
    years = _count_training_years(cutoff)
    world = fit_count_model(
        train["log10_flop"].to_numpy(float),
        train["year"].to_numpy(int),
        years=years,
        floor_log10_flop=floor,
        form=assumptions.count_form,
    )
    world_draws = world.draws(COUNT_DRAWS, rng)
    params = CountParams(
        world.form, *(world_draws[k] for k in ("alpha", "beta", "gamma", "delta", "mu"))
    )
    in_years = train[train["year"].isin(years)]
    trends = {}
    for threshold in thresholds:
        above = in_years[in_years["log10_flop"] >= np.log10(threshold)]
        counts = above.groupby("year").size().reindex(years, fill_value=0)
        trend = fit_poisson_trend(np.array(years), counts.to_numpy(), reference_year=years[-1])
        trends[threshold] = (trend, trend.draws(COUNT_DRAWS, rng))
    rows = []
    for period in post_cutoff_half_years(cutoff, vintage):
        year = period.start.year
        for threshold in thresholds:
            observed = int(
                (
                    period.contains(runs["release_date"])
                    & (runs["log10_flop"] >= np.log10(threshold))
                ).sum()
            )
            expected = {
                "world_model": HALF_YEAR_SHARE
                * np.exp(params.log_count_above(np.log10(threshold), year)),
                "poisson_trend": HALF_YEAR_SHARE
                * np.exp(trends[threshold][0].log_rate(trends[threshold][1], year)),
            }
            base = {
                "target": "counts",
                "item": period.label,
                "benchmark": f">=1e{np.log10(threshold):g}",
                "observed": float(observed),
                "n_tasks": np.nan,
                "date": period.start.strftime("%Y-%m-%d"),
                "log10_flop": float(np.log10(threshold)),
                "roster": np.nan,
            }
            for method, rates in expected.items():
                forecast = CountForecast(pmf=_poisson_mixture_pmf(rates, observed))
                rows.append({**base, "method": method, **score_forecast(forecast, observed)})
    return rows, len(years)


# ---------------------------------------------------------------------------------------
# the harness
# ---------------------------------------------------------------------------------------


def _check_fit(tree: xr.DataTree, cutoff: str, *, known_only: bool) -> None:
    """A fit passed in must have been trained on pre-cutoff evidence only."""
    check_split(fit_evidence(tree), cutoff, known_only=known_only)


def check_request(evidence: Evidence, *, cutoffs: Sequence[str], targets: Sequence[str]) -> None:
    """Refuse unknown targets and cutoffs that are not dates or fall after the vintage.

    Called before any fit, so a bad request fails in seconds.

    Raises
    ------
    RiskmodelError
        Naming the bad target or cutoff.
    """
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        raise RiskmodelError(f"unknown target(s) {unknown}; choose from {list(TARGETS)}")
    if not cutoffs:
        raise RiskmodelError("give at least one cutoff date (YYYY-MM-DD)")
    vintage = evidence.vintage
    for cutoff in cutoffs:
        if not parse_iso_date(cutoff, what="cutoff") <= parse_iso_date(vintage, what="vintage"):
            raise RiskmodelError(f"cutoff {cutoff} is after the data vintage {vintage}")


def backtest(
    evidence: Evidence,
    config: FitConfig,
    *,
    cutoff: str,
    seed: int = 0,
    targets: Sequence[str] = TARGETS,
    fit: xr.DataTree | None = None,
    world_assumptions: WorldAssumptions | None = None,
    count_thresholds: Sequence[float] = COUNT_THRESHOLDS,
    n_baseline_samples: int = BASELINE_SAMPLES,
    allow_unconverged: bool = True,
    progressbar: bool = False,
    known_only: bool = False,
) -> Backtest:
    """Fit every method on evidence released before ``cutoff``; score its forecasts of
    what came after.

    Parameters
    ----------
    evidence
        All evidence (data vintage included); split by release date.
    config
        Fit configuration of the capability model (sampler settings included).
    cutoff
        YYYY-MM-DD; models released strictly before it are training data.
    seed
        Seed of the predictive noise and of the baseline and count-model draws.
    targets
        Subset of :data:`TARGETS`.
    fit
        A capability fit to reuse instead of fitting; it must have been fitted on
        evidence released before ``cutoff`` only (checked).
    world_assumptions
        Floor and form of the world count model (default: the shipped assumptions).
    count_thresholds
        Compute thresholds (FLOP) of the counts target, at or above the floor.
    n_baseline_samples
        Draws per baseline forecast.
    allow_unconverged
        Keep a capability fit that fails the convergence gate (its diagnostics are
        reported), so that a backtest always reports.
    progressbar
        Show the sampler's progress bar.
    known_only
        Train only on results and task runs made public before ``cutoff`` (by their
        ``result_date``), not on every measurement of a pre-cutoff model
        (:func:`~riskmodel.validation.splits.training_evidence`).

    Returns
    -------
    Backtest

    Raises
    ------
    RiskmodelError
        Unknown target, a leak of post-cutoff evidence into training, or a cutoff
        that leaves no training data.
    """
    check_request(evidence, cutoffs=[cutoff], targets=targets)
    vintage = evidence.vintage
    rng = np.random.default_rng(seed)
    rows: list[dict[str, Any]] = []
    skipped: dict[str, dict[str, int]] = {}
    n_train: dict[str, int] = {}
    tree, seconds, diagnostics = None, 0.0, {}

    if {"benchmark", "frontier"} & set(targets):
        train = training_evidence(evidence, cutoff, known_only=known_only)
        check_split(train, cutoff, known_only=known_only)
        n_train["models"] = len(train.evidence_models())
        n_train["results"] = len(train.results)
        if fit is None:
            start = time.perf_counter()
            tree = fit_evidence_model(
                train, config, allow_unconverged=allow_unconverged, progressbar=progressbar
            )
            seconds = time.perf_counter() - start
        else:
            _check_fit(fit, cutoff, known_only=known_only)
            tree = fit
        diagnostics = json.loads(tree.attrs.get("diagnostics", "{}"))
        bayes = BayesianForecaster(posterior_view(tree), rng)
        logistic, irt = _fit_baselines(
            train, bayes.benchmarks, n_samples=n_baseline_samples, rng=rng
        )
        forecastable = bayes.benchmarks & set(logistic.fits) & irt.benchmarks
        test, skip = _test_results(evidence, cutoff, forecastable)
        forecasters = {"bayesian": bayes, "logistic": logistic, "irt": irt}
        if "benchmark" in targets:
            rows += _benchmark_rows(test, forecasters)
            skipped["benchmark"] = skip
        if "frontier" in targets:
            rows += _frontier_rows(test, forecasters, cutoff=cutoff, vintage=vintage)
            skipped["frontier"] = skip

    if "counts" in targets:
        assumptions = world_assumptions or load_world_assumptions()
        count_rows, n_years = _count_rows(
            evidence,
            cutoff,
            vintage=vintage,
            assumptions=assumptions,
            thresholds=count_thresholds,
            rng=rng,
        )
        rows += count_rows
        n_train["count_years"] = n_years

    table = pd.DataFrame(rows)
    if len(table):
        table.insert(0, "cutoff", cutoff)
        summary = summarise_scores(table)
    else:
        summary = summarise_scores(
            pd.DataFrame(
                columns=["target", "method", "in_50", "in_90", "crps", "log_score", "abs_error"]
            )
        )
    return Backtest(
        cutoff=cutoff,
        seed=seed,
        rows=table,
        summary=summary,
        fit=tree,
        fit_seconds=seconds,
        diagnostics=diagnostics,
        skipped=skipped,
        data_vintage=vintage,
        n_train=n_train,
    )
