"""The backtest harness: fit before a cutoff, forecast what came after, score every method
on the same rows.

Targets (one row per forecast item; every method of a target is scored on the same items)
-----------------------------------------------------------------------------------------
Benchmarks are read per *instrument* of the capability fit (a benchmark through one kind
of harness, :mod:`riskmodel.validation.instruments`); the ``benchmark`` column of the
scored rows holds the instrument key.

``benchmark``
    Each aggregate result (best effort setting per model, benchmark and harness) of a
    model released on or after the cutoff with a known training FLOP, on an instrument
    that every method can forecast (in the capability fit, and with at least
    :data:`~riskmodel.validation.baselines.MIN_BASELINE_ROWS` training results with known
    FLOP, and in an item-response fit). Forecast: the fraction of the benchmark's tasks
    solved by a model of that compute released on that date. Methods ``bayesian``,
    ``logistic``, ``irt``.
``frontier``
    Best score per window: for each post-cutoff window of
    :data:`~riskmodel.validation.splits.WINDOW_MONTHS` months and each instrument of a
    chat or agent harness kind
    (:data:`~riskmodel.validation.frontier.FRONTIER_KINDS`; base-model few-shot rosters
    are not the frontier), the best fraction solved among **all** results of models
    released in the window (any model, known FLOP or not). Methods ``bayesian`` (best
    frontier release of the window), ``score_trend`` (least-squares logistic trend of the
    best score by date), ``logistic`` and ``irt`` (the FLOP baselines at a least-squares
    frontier compute trend); see :mod:`riskmodel.validation.frontier`.
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
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy import stats

from riskmodel._rng import streams
from riskmodel._time import years_since
from riskmodel.capability.predict import posterior_view
from riskmodel.capability.sampling import fit_evidence_model
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
    FrontierFlopTrend,
    IrtForecaster,
    LogisticForecaster,
    ScoreTrendForecaster,
)
from riskmodel.validation.frontier import (
    FRONTIER_METHODS,
    SKIPPED_COLUMNS,
    fit_frontier_flop_trend,
    fit_score_trends,
    frontier_observations,
    frontier_rows,
)
from riskmodel.validation.instruments import (
    chance_of,
    fitted_instruments,
    instrument_registry,
    key_results,
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
    "frontier": FRONTIER_METHODS,
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
        start), ``log10_flop`` (NaN for windows and counts), ``roster`` (results in the
        window on the instrument; 1 for a single result; NaN for counts), ``kind``
        (harness kind of the instrument), for windows ``best_model``, ``best_harness``
        and ``complete``, the quantiles ``q05`` ... ``q95``, ``crps``, ``log_score``,
        ``abs_error``, ``in_50``, ``in_90``. ``benchmark`` holds the instrument key for
        the capability targets.
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
        Target -> test results (``benchmark``) or (window, instrument) rows
        (``frontier``) left out, by reason.
    data_vintage
        Latest release date of the full evidence.
    n_train
        Training sizes: ``models`` and ``results`` of the capability evidence,
        ``count_years`` of the count models.
    skipped_rows
        The frontier rows left out: ``target``, ``item`` (window), ``benchmark``
        (instrument label), ``observed``, ``best_model``, ``reason``.
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
    skipped_rows: pd.DataFrame = field(default_factory=pd.DataFrame)


# ---------------------------------------------------------------------------------------
# capability targets
# ---------------------------------------------------------------------------------------


def _fit_baselines(
    keyed: pd.DataFrame,
    instruments: set[str],
    chance: dict[str, float],
    *,
    n_samples: int,
    logistic_rng: np.random.Generator,
    irt_rng: np.random.Generator,
) -> tuple[LogisticForecaster, IrtForecaster]:
    """Fit both FLOP baselines to the keyed training results on ``instruments``; each
    draws its predictive samples from its own generator."""
    results = keyed[keyed["instrument"].isin(instruments)]
    known = results.dropna(subset=["training_flop"])
    logistic = {}
    for key, group in known.groupby("instrument"):
        if len(group) >= MIN_BASELINE_ROWS:
            logistic[key] = fit_logistic_baseline(
                np.log10(group["training_flop"].to_numpy(float)),
                group["fraction"].to_numpy(float),
                chance=chance[key],
            )
    usable = results[results["instrument"].isin(logistic)]
    components = []
    for group in linked_benchmarks(usable["model"].to_numpy(), usable["instrument"].to_numpy()):
        part = usable[usable["instrument"].isin(group)]
        irt = fit_irt_baseline(
            part["model"].to_numpy(),
            part["instrument"].to_numpy(),
            part["fraction"].to_numpy(float),
            chance=chance,
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
        LogisticForecaster(logistic, chance, n_samples=n_samples, rng=logistic_rng),
        IrtForecaster(components, n_samples=n_samples, rng=irt_rng),
    )


def _test_results(
    keyed: pd.DataFrame, instruments: set[str]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Post-cutoff results every method can forecast, and the skipped counts."""
    ok = keyed["instrument"].isin(instruments)
    skipped = {
        "benchmark_not_forecastable": int((~ok).sum()),
        "unknown_flop": int((ok & keyed["training_flop"].isna()).sum()),
    }
    test = keyed[ok & keyed["training_flop"].notna()]
    test = test.sort_values(["release_date", "model", "instrument", "harness"])
    return test.reset_index(drop=True), skipped


def _benchmark_rows(test: pd.DataFrame, forecasters: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for row in test.itertuples(index=False):
        k, n = int(row.n_solved_effective), int(row.n_tasks)
        date = row.release_date.strftime("%Y-%m-%d")
        log10_flop = float(np.log10(row.training_flop))
        base = {
            "target": "benchmark",
            "item": row.model,
            "benchmark": row.instrument,
            "observed": k / n,
            "n_tasks": float(n),
            "date": date,
            "log10_flop": log10_flop,
            "roster": 1,
            "kind": row.kind,
        }
        for method, forecaster in forecasters.items():
            forecast = forecaster.result(row.instrument, date=date, log10_flop=log10_flop, k=k, n=n)
            rows.append({**base, "method": method, **score_forecast(forecast, k / n)})
    return rows


def _frontier_target(
    *,
    keyed_train: pd.DataFrame,
    keyed_test: pd.DataFrame,
    train: Evidence,
    config: FitConfig,
    cutoff: str,
    vintage: str,
    chance: dict[str, float],
    bayes: BayesianForecaster,
    logistic: LogisticForecaster,
    irt: IrtForecaster,
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    """Scored and skipped rows of the frontier target (see
    :mod:`riskmodel.validation.frontier`)."""
    trends, _ = fit_score_trends(keyed_train, cutoff=cutoff, chance=chance)
    score_trend = ScoreTrendForecaster(trends)
    flop_trend = fit_frontier_flop_trend(train.models, config.capability)
    flop = FrontierFlopTrend(flop_trend, n_samples=n_samples, rng=rng) if flop_trend else None

    def at_flop(forecaster: LogisticForecaster | IrtForecaster) -> Any:
        def run(key: str, obs: Any) -> Any:
            assert flop is not None  # rows are skipped without a compute trend
            return flop.frontier(forecaster, key, date=obs.last_day, k=obs.k, n=obs.n)

        return run

    methods = {
        "bayesian": lambda key, obs: bayes.frontier(
            key, date=obs.last_day, window_years=obs.window_years, k=obs.k, n=obs.n
        ),
        "score_trend": lambda key, obs: score_trend.frontier(
            key, date=obs.last_day, k=obs.k, n=obs.n
        ),
        "logistic": at_flop(logistic),
        "irt": at_flop(irt),
    }
    coverage = {
        "bayesian": bayes.benchmarks,
        "score_trend": score_trend.benchmarks,
        "logistic": set(logistic.fits),
        "irt": irt.benchmarks,
    }
    if flop is None:
        coverage["flop_trend"] = set()
    observations = frontier_observations(keyed_test, cutoff=cutoff, vintage=vintage)
    return frontier_rows(observations, methods, coverage)


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


#: Per-draw tail probability left out on each side when a Poisson mixture's pmf is summed
#: (far below :data:`~riskmodel.validation.scores.COUNT_TAIL_MASS`).
_DRAW_TAIL = 1e-14


def _poisson_mixture_pmf(rates: np.ndarray, observed: int) -> np.ndarray:
    """pmf on 0..K of an equal-weight Poisson mixture (K covers the tail and the
    observation). Each draw's pmf is evaluated only where it exceeds
    :data:`_DRAW_TAIL` in either tail, so draws of very different rates stay cheap."""
    rates = np.maximum(np.asarray(rates, dtype=float), 1e-300)
    top = int(max(observed, stats.poisson.isf(COUNT_TAIL_MASS, float(np.max(rates))))) + 1
    lo = np.nan_to_num(stats.poisson.ppf(_DRAW_TAIL, rates) - 1, nan=0.0)
    hi = stats.poisson.isf(_DRAW_TAIL, rates) + 1
    hi = np.where(np.isfinite(hi), hi, rates + 40.0 * np.sqrt(rates) + 40.0)
    lo = np.clip(lo, 0, top).astype(int)
    hi = np.clip(hi, lo, top).astype(int)
    widths = hi - lo + 1
    draw = np.repeat(np.arange(rates.size), widths)
    starts = np.cumsum(widths) - widths
    k = lo[draw] + np.arange(int(widths.sum())) - starts[draw]
    pmf = stats.poisson.pmf(k, rates[draw])
    return np.bincount(k, weights=pmf, minlength=top + 1) / rates.size


def _count_rows(
    evidence: Evidence,
    cutoff: str,
    *,
    vintage: str,
    assumptions: WorldAssumptions,
    thresholds: Sequence[float],
    world_rng: np.random.Generator,
    trend_rng: np.random.Generator,
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
    world_draws = world.draws(COUNT_DRAWS, world_rng)
    params = CountParams(
        world.form, *(world_draws[k] for k in ("alpha", "beta", "gamma", "delta", "mu"))
    )
    in_years = train[train["year"].isin(years)]
    trends = {}
    for threshold in thresholds:
        above = in_years[in_years["log10_flop"] >= np.log10(threshold)]
        counts = above.groupby("year").size().reindex(years, fill_value=0)
        trend = fit_poisson_trend(np.array(years), counts.to_numpy(), reference_year=years[-1])
        trends[threshold] = (trend, trend.draws(COUNT_DRAWS, trend_rng))
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
    rngs = streams(seed, "backtest")
    rows: list[dict[str, Any]] = []
    skipped: dict[str, dict[str, int]] = {}
    n_train: dict[str, int] = {}
    tree, seconds, diagnostics = None, 0.0, {}
    skipped_rows = pd.DataFrame(columns=SKIPPED_COLUMNS)

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
        view = posterior_view(tree)
        fitted = fitted_instruments(train, config.capability)
        view = replace(view, benchmarks=instrument_registry(view.benchmarks, fitted))
        bayes = BayesianForecaster(view, rngs["bayesian"])
        fitted = {k: v for k, v in fitted.items() if k in bayes.benchmarks}
        chance = chance_of(train.benchmarks, fitted)
        keyed_train = key_results(train, config.capability, fitted)
        keyed_test = key_results(
            evidence,
            config.capability,
            fitted,
            results=evidence.released_on_or_after(cutoff).results,
        )
        logistic, irt = _fit_baselines(
            keyed_train,
            set(fitted),
            chance,
            n_samples=n_baseline_samples,
            logistic_rng=rngs["logistic"],
            irt_rng=rngs["irt"],
        )
        if "benchmark" in targets:
            forecastable = bayes.benchmarks & set(logistic.fits) & irt.benchmarks
            test, skip = _test_results(keyed_test, forecastable)
            forecasters = {"bayesian": bayes, "logistic": logistic, "irt": irt}
            rows += _benchmark_rows(test, forecasters)
            skipped["benchmark"] = skip
        if "frontier" in targets:
            frontier, skipped_rows = _frontier_target(
                keyed_train=keyed_train,
                keyed_test=keyed_test,
                train=train,
                config=config,
                cutoff=cutoff,
                vintage=vintage,
                chance=chance,
                bayes=bayes,
                logistic=logistic,
                irt=irt,
                n_samples=n_baseline_samples,
                rng=rngs["frontier_flop"],
            )
            rows += frontier
            reasons = skipped_rows["reason"].value_counts() if len(skipped_rows) else {}
            skipped["frontier"] = {str(k): int(v) for k, v in dict(reasons).items()}

    if "counts" in targets:
        assumptions = world_assumptions or load_world_assumptions()
        count_rows, n_years = _count_rows(
            evidence,
            cutoff,
            vintage=vintage,
            assumptions=assumptions,
            thresholds=count_thresholds,
            world_rng=rngs["world_counts"],
            trend_rng=rngs["count_trend"],
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
        skipped_rows=skipped_rows.assign(cutoff=cutoff) if len(skipped_rows) else skipped_rows,
    )
