"""Backtest harness: scoring rules, baselines, split hygiene, targets, end to end."""

from __future__ import annotations

import dataclasses
import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from scipy import stats
from scipy.special import expit
from scipy.special import logsumexp as special_logsumexp

from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.predict import PosteriorView
from riskmodel.capability.store import attach_evidence, fit_evidence
from riskmodel.config import config_hash, load_config
from riskmodel.errors import RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.plotting.validation import METHOD_LABELS, METHOD_STYLE, method_label
from riskmodel.validation import fits, harness, time_split_backtest, timesplit
from riskmodel.validation import report as validation_report
from riskmodel.validation.baselines import (
    THETA_REGRESSION_REFERENCE_DATE,
    TREND_REFERENCE_DATE,
    fit_irt_baseline,
    fit_linear_trend,
    fit_logistic_baseline,
    fit_poisson_trend,
    fit_score_trend,
    fit_theta_regression,
    linked_benchmarks,
)
from riskmodel.validation.forecasters import (
    FrontierFlopTrend,
    IrtForecaster,
    LogisticForecaster,
    MemberDraws,
    ScoreTrendForecaster,
    log_mass_of_max,
)
from riskmodel.validation.frontier import FRONTIER_KINDS, frontier_observations, frontier_rows
from riskmodel.validation.instruments import (
    DEFAULT_KIND,
    fitted_instruments,
    instrument_registry,
    key_results,
)
from riskmodel.validation.report_text import NO_ROWS, acceptance
from riskmodel.validation.scores import (
    CountForecast,
    NormalForecast,
    SampleForecast,
    crps_censored_normal,
    crps_normal,
    crps_pmf,
    crps_samples,
    log_beta_binomial_mixture_pmf,
    log_binomial_mixture_pmf,
    log_normal_bin_mass,
    score_forecast,
)
from riskmodel.validation.splits import (
    check_split,
    post_cutoff_half_years,
    post_cutoff_windows,
    pre_cutoff_windows,
    training_evidence,
)
from riskmodel.world.fit import EPOCH_SOURCE_TOKEN, load_world_assumptions

CUTOFF = "2024-01-01"
#: Cutoff of the harness test with a hand-made posterior (few post-cutoff rows: fast).
LATE_CUTOFF = "2024-07-01"

# --------------------------------------------------------------------------- scoring rules


@pytest.mark.parametrize("observed", [-0.2, 0.3, 0.45, 1.1])
def test_crps_of_normal_draws_matches_closed_form(observed: float) -> None:
    rng = np.random.default_rng(0)
    samples = rng.normal(0.3, 0.1, size=40_000)
    exact = crps_normal(0.3, 0.1, observed)
    assert crps_samples(samples, observed) == pytest.approx(exact, rel=0.02, abs=5e-4)
    # the closed form itself against numerical integration of (F - 1[x >= y])^2
    grid = np.linspace(-2.0, 3.0, 200_001)
    integrand = (stats.norm.cdf(grid, 0.3, 0.1) - (grid >= observed)) ** 2
    assert exact == pytest.approx(np.trapezoid(integrand, grid), abs=5e-5)  # grid step 2.5e-5


def test_crps_of_a_point_mass_is_the_absolute_error() -> None:
    assert crps_samples(np.full(50, 0.4), 0.65) == pytest.approx(0.25)
    assert crps_normal(0.4, 1e-9, 0.65) == pytest.approx(0.25, abs=1e-8)
    assert crps_normal(0.4, 0.0, 0.65) == pytest.approx(0.25)
    pmf = np.zeros(10)
    pmf[3] = 1.0
    assert crps_pmf(pmf, 7) == pytest.approx(4.0)
    assert crps_pmf(pmf, 3) == pytest.approx(0.0)
    assert crps_pmf(pmf, 12) == pytest.approx(9.0)  # beyond the stored support


def test_crps_of_censored_normal() -> None:
    # no censoring: the normal's closed form
    assert crps_censored_normal(0.2, 0.15, 0.5) == pytest.approx(crps_normal(0.2, 0.15, 0.5))
    # censoring to [0, 1] against draws of clip(Y, 0, 1); it can only help
    rng = np.random.default_rng(1)
    draws = np.clip(rng.normal(0.05, 0.2, size=60_000), 0.0, 1.0)
    for y in (0.0, 0.1, 0.6):
        exact = crps_censored_normal(0.05, 0.2, y, low=0.0, high=1.0)
        assert crps_samples(draws, y) == pytest.approx(exact, rel=0.02, abs=5e-4)
        assert exact <= crps_normal(0.05, 0.2, y) + 1e-12
    with pytest.raises(RiskmodelError, match="outside the support"):
        crps_censored_normal(0.5, 0.1, 1.2, low=0.0, high=1.0)


def test_crps_of_a_count_pmf_matches_its_draws() -> None:
    rng = np.random.default_rng(2)
    k = np.arange(80)
    pmf = stats.poisson.pmf(k, 12.0)
    draws = rng.poisson(12.0, size=100_000)
    for y in (3, 12, 30):
        assert crps_pmf(pmf, y) == pytest.approx(crps_samples(draws, y), rel=0.02)


def test_log_score_of_binomial_mixtures_matches_direct_computation() -> None:
    q = np.array([0.1, 0.35, 0.6, 0.62])
    for k in (0, 3, 7, 10):
        direct = np.log(np.mean([stats.binom.pmf(k, 10, qi) for qi in q]))
        assert log_binomial_mixture_pmf(k, 10, q) == pytest.approx(direct, rel=1e-12)
    # beta-binomial mixture: direct sum over draws of the closed form
    p, c = np.array([0.2, 0.5, 0.7]), np.array([5.0, 40.0, 300.0])
    for k in (0, 4, 12, 20):
        direct = np.log(np.mean(stats.betabinom.pmf(k, 20, p * c, (1 - p) * c)))
        assert log_beta_binomial_mixture_pmf(k, 20, p, c) == pytest.approx(direct, rel=1e-10)
    # a probability mass function: sums to one over the counts
    total = sum(np.exp(log_beta_binomial_mixture_pmf(k, 20, p, c)) for k in range(21))
    assert total == pytest.approx(1.0)
    # far in the tail the log score stays finite (no underflow to -inf)
    assert np.isfinite(log_binomial_mixture_pmf(0, 14042, np.array([0.9])))


def test_log_mass_of_max_matches_enumeration() -> None:
    rng = np.random.default_rng(3)
    n1, n2, draws = 6, 6, 5
    q1, q2 = rng.uniform(0.1, 0.9, draws), rng.uniform(0.1, 0.9, draws)
    members = [
        MemberDraws(samples=np.zeros(draws), n=n1, q=q1),
        MemberDraws(samples=np.zeros(draws), n=n2, q=q2),
    ]
    for k in range(n1 + 1):
        brute = 0.0
        for s in range(draws):
            for a, b in itertools.product(range(n1 + 1), range(n2 + 1)):
                if max(a, b) == k:
                    brute += stats.binom.pmf(a, n1, q1[s]) * stats.binom.pmf(b, n2, q2[s])
        assert np.exp(log_mass_of_max(members, k / n1)) == pytest.approx(brute / draws)
    # one member: the mixture pmf of its count
    assert log_mass_of_max(members[:1], 2 / n1) == pytest.approx(
        log_binomial_mixture_pmf(2, n1, q1)
    )
    # discretised normals: the masses of all counts sum to one
    normal = MemberDraws(samples=np.zeros(2), n=8, mean=np.array([0.2, 0.9]), sd=0.3)
    total = sum(np.exp(log_mass_of_max([normal, normal], k / 8)) for k in range(9))
    assert total == pytest.approx(1.0)


def test_normal_bin_mass_is_a_pmf_and_stable() -> None:
    masses = np.exp([log_normal_bin_mass(0.3, 0.2, k=k, n=40) for k in range(41)])
    assert masses.sum() == pytest.approx(1.0)
    assert masses[0] == pytest.approx(stats.norm.cdf((0.5 / 40 - 0.3) / 0.2))
    assert masses[10] == pytest.approx(
        stats.norm.cdf((10.5 / 40 - 0.3) / 0.2) - stats.norm.cdf((9.5 / 40 - 0.3) / 0.2)
    )
    # 15 sd above and below the mean: tiny but finite
    assert -200 < float(log_normal_bin_mass(0.05, 0.01, k=20, n=100)) < -50
    assert -200 < float(log_normal_bin_mass(0.95, 0.01, k=80, n=100)) < -50


def test_coverage_of_a_calibrated_forecast_is_nominal() -> None:
    rng = np.random.default_rng(4)
    n = 3000
    mean, sd = rng.uniform(-1, 1, n), rng.uniform(0.1, 2.0, n)
    y = rng.normal(mean, sd)
    normal = pd.DataFrame(
        [score_forecast(NormalForecast(m, s, 0.0), v) for m, s, v in zip(mean, sd, y, strict=True)]
    )
    drawn = pd.DataFrame(
        [
            score_forecast(SampleForecast(rng.normal(m, s, 1000), 0.0), v)
            for m, s, v in zip(mean[:1000], sd[:1000], y[:1000], strict=True)
        ]
    )
    for table, tol in ((normal, 0.03), (drawn, 0.045)):
        assert table["in_50"].mean() == pytest.approx(0.5, abs=tol)
        assert table["in_90"].mean() == pytest.approx(0.9, abs=tol)
    # a forecast that is too narrow is caught
    narrow = [
        score_forecast(NormalForecast(m, s / 3, 0.0), v)["in_90"]
        for m, s, v in zip(mean, sd, y, strict=True)
    ]
    assert np.mean(narrow) < 0.5
    # counts: closed intervals on a discrete support cover at least nominally
    lam = rng.uniform(1, 30, 1500)
    counts = rng.poisson(lam)
    scored = [
        score_forecast(CountForecast(stats.poisson.pmf(np.arange(120), m)), c)
        for m, c in zip(lam, counts, strict=True)
    ]
    cover = np.mean([s["in_90"] for s in scored])
    assert 0.88 <= cover <= 0.97
    assert scored[0]["log_score"] == pytest.approx(stats.poisson.logpmf(counts[0], lam[0]))


# ------------------------------------------------------------------------------ baselines


def test_logistic_baseline_recovers_parameters_and_covers() -> None:
    rng = np.random.default_rng(5)
    slope, midpoint, chance, noise = 1.2, 23.5, 0.25, 0.02

    def simulate(n: int) -> tuple[np.ndarray, np.ndarray]:
        x = rng.uniform(20, 26, n)
        return x, chance + (1 - chance) * expit(slope * (x - midpoint)) + rng.normal(0, noise, n)

    x, y = simulate(60)
    params, sd = fit_logistic_baseline(x, y, chance=chance)
    assert params[0] == pytest.approx(slope, rel=0.1)
    assert params[1] == pytest.approx(midpoint, abs=0.1)
    assert sd == pytest.approx(noise, rel=0.25)
    forecaster = LogisticForecaster({"b": (params, sd)}, {"b": chance}, n_samples=500, rng=rng)
    x_new, y_new = simulate(600)
    y_new = np.clip(y_new, 0, 1)
    n_tasks = 1000
    scored = [
        score_forecast(
            forecaster.result(
                "b", date="2024-01-01", log10_flop=xi, k=round(yi * n_tasks), n=n_tasks
            ),
            yi,
        )
        for xi, yi in zip(x_new, y_new, strict=True)
    ]
    cover = np.mean([s["in_90"] for s in scored])
    assert 0.83 <= cover <= 0.96
    assert np.mean([s["abs_error"] for s in scored]) < 2 * noise


def _irt_truth(rng: np.random.Generator, n_models: int) -> dict[str, np.ndarray]:
    log10_flop = rng.uniform(20, 25, n_models)
    years = rng.uniform(-2, 1.5, n_models)
    raw = 0.9 * log10_flop + 0.4 * years + rng.normal(0, 0.3, n_models)
    return {"log10_flop": log10_flop, "years": years, "raw": raw}


def test_irt_baseline_recovers_parameters_and_covers() -> None:
    rng = np.random.default_rng(6)
    truth = _irt_truth(rng, 80)
    centre, scale = truth["raw"].mean(), truth["raw"].std()
    theta = (truth["raw"] - centre) / scale
    slopes = np.array([1.0, 1.5, 2.0, 2.5, 3.0])
    midpoints = np.array([-1.0, -0.4, 0.0, 0.5, 1.0])
    chance = {"b0": 0.0, "b1": 0.25, "b2": 0.5, "b3": 0.25, "b4": 0.0}
    names = list(chance)
    noise = 0.02

    def scores(th: np.ndarray, b: int) -> np.ndarray:
        c = chance[names[b]]
        return c + (1 - c) * expit(slopes[b] * (th - midpoints[b]))

    model, bench, frac = [], [], []
    for m in range(theta.size):
        for b in range(len(names)):
            model.append(f"m{m:03d}")
            bench.append(names[b])
            frac.append(scores(theta[m], b) + rng.normal(0, noise))
    fit = fit_irt_baseline(np.array(model), np.array(bench), np.array(frac), chance=chance)
    assert fit.theta.mean() == pytest.approx(0.0, abs=1e-3)
    assert fit.theta.std() == pytest.approx(1.0, abs=1e-3)
    assert np.max(np.abs(fit.theta - theta)) < 0.25
    assert np.corrcoef(fit.theta, theta)[0, 1] > 0.99
    np.testing.assert_allclose(fit.slope, slopes, rtol=0.2)
    np.testing.assert_allclose(fit.midpoint, midpoints, atol=0.15)
    np.testing.assert_allclose(fit.residual_sd, noise, rtol=0.35)
    assert not fit.at_bound.any()

    regression = fit_theta_regression(fit.theta, truth["log10_flop"], truth["years"])
    np.testing.assert_allclose(regression.coef[1:], [0.9 / scale, 0.4 / scale], rtol=0.25)
    assert regression.sd == pytest.approx(0.3 / scale, rel=0.3)

    # new models placed by compute and date: calibrated intervals
    forecaster = IrtForecaster([(fit, regression)], n_samples=800, rng=rng)
    new = _irt_truth(rng, 300)
    new_theta = (new["raw"] - centre) / scale
    inside = []
    for i in range(new_theta.size):
        b = i % len(names)
        y = float(np.clip(scores(new_theta[i], b) + rng.normal(0, noise), 0, 1))
        date = (
            pd.Timestamp(THETA_REGRESSION_REFERENCE_DATE)
            + pd.Timedelta(days=365.25 * new["years"][i])
        ).strftime("%Y-%m-%d")
        forecast = forecaster.result(
            names[b], date=date, log10_flop=new["log10_flop"][i], k=round(y * 500), n=500
        )
        inside.append(score_forecast(forecast, y)["in_90"])
    assert 0.82 <= np.mean(inside) <= 0.98


def test_linked_benchmarks_splits_unconnected_groups() -> None:
    model = np.array(["a", "a", "b", "c", "d", "d", "e"])
    bench = np.array(["x", "y", "y", "z", "z", "w", "v"])
    assert linked_benchmarks(model, bench) == [("v",), ("w", "z"), ("x", "y")]


def test_poisson_trend_recovers_growth_and_stays_finite_without_runs() -> None:
    rng = np.random.default_rng(7)
    years = np.arange(2010, 2025)
    counts = rng.poisson(np.exp(np.log(20.0) + 0.35 * (years - 2024)))
    trend = fit_poisson_trend(years, counts, reference_year=2024)
    assert trend.coef[1] == pytest.approx(0.35, abs=3 * np.sqrt(trend.covariance[1, 1]))
    assert np.sqrt(trend.covariance[1, 1]) < 0.1
    empty = fit_poisson_trend(np.arange(2018, 2023), np.zeros(5), reference_year=2022)
    assert np.all(np.isfinite(empty.coef)) and np.all(np.isfinite(empty.covariance))
    assert np.exp(empty.coef[0]) < 0.5  # expects few runs, not none and not many


# ------------------------------------------------------------------------- split hygiene


def test_training_evidence_holds_nothing_from_after_the_cutoff(shipped_evidence: Evidence) -> None:
    cut = pd.Timestamp(CUTOFF)
    train = training_evidence(shipped_evidence, CUTOFF)
    check_split(train, CUTOFF)
    dates = shipped_evidence.models["release_date"]
    assert not (train.models["release_date"] >= cut).any()
    for table in (train.results, train.task_runs):
        assert (dates[table["model"]] < cut).all()
    # nothing pre-cutoff is lost
    before = shipped_evidence.released_before(CUTOFF)
    assert len(train.results) == len(before.results) > 0
    assert len(train.task_runs) == len(before.task_runs) > 0
    # the compute trend of the capability model sees only pre-cutoff models
    data = prepare_capability_data(train, load_config().capability)
    assert (dates[data.coords["trend_model"]] < cut).all()
    assert (dates[data.coords["model"]] < cut).all()
    # released_before alone keeps the whole models table: the check catches that leak
    with pytest.raises(RiskmodelError, match="released on or after the cutoff"):
        check_split(before, CUTOFF)


def test_backtest_refuses_a_fit_that_saw_post_cutoff_data(small_evidence: Evidence) -> None:
    leaky = attach_evidence(xr.DataTree(), small_evidence)
    with pytest.raises(RiskmodelError, match="cutoff"):
        harness.backtest(
            small_evidence, load_config(), cutoff=CUTOFF, fit=leaky, targets=("benchmark",)
        )


def test_windows_and_half_years() -> None:
    windows = post_cutoff_windows("2024-01-01", "2025-02-27")
    assert [w.label for w in windows] == [
        "2024-01-01..2024-06-30",
        "2024-07-01..2024-12-31",
        "2025-01-01..2025-02-27",
    ]
    assert [w.complete for w in windows] == [True, True, False]
    halves = post_cutoff_half_years("2023-03-15", "2025-02-27")
    assert [h.label for h in halves] == ["2023H2", "2024H1", "2024H2"]
    assert post_cutoff_half_years("2024-07-01", "2024-12-30") == []


# --------------------------------------------------------- harness with a fake posterior


def _fake_fit(evidence: Evidence, cutoff: str, seed: int = 0) -> tuple[xr.DataTree, PosteriorView]:
    """A fit-shaped tree holding the training evidence, and a hand-made posterior with
    every parameter a forecast reads (capability model v2: compute trends, method
    progress, reasoning gain, instrument parameters)."""
    train = training_evidence(evidence, cutoff)
    tree = attach_evidence(xr.DataTree(), train)
    tree.attrs["diagnostics"] = json.dumps({"max_rhat": 1.0, "passed": True})
    tree.attrs["cutoff"] = cutoff
    rng = np.random.default_rng(seed)
    fitted = fitted_instruments(train, load_config().capability)
    keys = sorted(fitted)
    s, b = 200, len(keys)
    scalar = {
        "algorithmic_progress": rng.normal(0.4, 0.05, s),
        "post_training_rate": np.full(s, 0.3),
        "method_change_year": np.full(s, 1.5),
        "reasoning_gain": np.full(s, 0.5),
        "capability_scatter": np.full(s, 0.3),
        "compute_trend_level": np.full(s, 23.0),
        "compute_trend_slope": np.full(s, 0.5),
        "frontier_slope_offset": np.zeros(s),
        "frontier_offset": np.full(s, 1.0),
        "frontier_scatter": np.full(s, 0.3),
    }
    per_benchmark = {
        "discrimination": rng.uniform(1.0, 1.5, (s, b)),
        "difficulty": rng.normal(0.5, 0.1, (s, b)),
        "lapse": np.full((s, b), 0.05),
        "overdispersion": np.full((s, b), 200.0),
    }
    draws = xr.Dataset(
        {k: ("sample", v) for k, v in scalar.items()}
        | {k: (("sample", "benchmark"), v) for k, v in per_benchmark.items()},
        coords={"benchmark": keys},
    )
    view = PosteriorView(
        draws=draws,
        reference_date="2023-01-01",
        reference_log10_flop=23.0,
        benchmarks=evidence.benchmarks,
        tasks=pd.DataFrame({"task_id": [], "suite": [], "domain": []}),
        data_vintage=train.vintage,
        instruments=fitted,
        frontier_release_rate=4.0,
    )
    return tree, view


def _patch_views(monkeypatch: pytest.MonkeyPatch, views: dict[str, PosteriorView]) -> None:
    """Make the harness read each fake tree's hand-made posterior (by its cutoff)."""
    monkeypatch.setattr(harness, "posterior_view", lambda tree: views[tree.attrs["cutoff"]])


def _run_fake(
    evidence: Evidence,
    monkeypatch: pytest.MonkeyPatch,
    cutoff: str = LATE_CUTOFF,
    targets: tuple[str, ...] = harness.TARGETS,
) -> harness.Backtest:
    tree, view = _fake_fit(evidence, cutoff)
    _patch_views(monkeypatch, {cutoff: view})
    return harness.backtest(
        evidence, load_config(), cutoff=cutoff, seed=3, fit=tree, targets=targets
    )


def _with_changed_future(evidence: Evidence) -> Evidence:
    """The same evidence with every post-cutoff result and Epoch run changed."""
    tables = evidence.to_tables()
    dates = evidence.models["release_date"]
    late = set(dates.index[dates >= pd.Timestamp(LATE_CUTOFF)])
    results = tables["results"]
    is_late = results["model"].isin(late)
    results.loc[is_late, "score"] = 0.0
    results.loc[is_late, "n_solved"] = pd.NA
    results.loc[is_late, "n_attempted"] = pd.NA
    models = tables["models"]
    late_epoch = models["model"].isin(late) & models["source"].astype(str).str.contains(
        EPOCH_SOURCE_TOKEN
    )
    extra = models[late_epoch].head(5).copy()
    extra["model"] = [f"synthetic-late-run-{i}" for i in range(len(extra))]
    extra["training_flop"] = 1e26
    extra["release_date"] = pd.Timestamp("2024-09-01")
    tables["models"] = pd.concat([models, extra], ignore_index=True)
    return Evidence.from_tables(tables)


def test_harness_scores_all_methods_on_identical_rows_without_leaks(
    shipped_evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run_fake(shipped_evidence, monkeypatch)
    rows = result.rows
    assert set(rows["target"]) == set(harness.TARGETS)
    for target, methods in harness.METHODS.items():
        part = rows[rows["target"] == target]
        keys = {
            m: sorted(map(tuple, part.loc[part["method"] == m, ["item", "benchmark"]].values))
            for m in methods
        }
        assert set(part["method"]) == set(methods)
        assert all(keys[m] == keys[methods[0]] for m in methods), target
        assert len(keys[methods[0]]) > 0
    assert set(result.summary.index) == {(t, m) for t, ms in harness.METHODS.items() for m in ms}
    assert np.isfinite(rows["log_score"]).all() and (rows["crps"] >= 0).all()
    # benchmark rows: every post-cutoff result with known FLOP on a forecastable instrument
    bench = rows[(rows["target"] == "benchmark") & (rows["method"] == "bayesian")]
    dates = shipped_evidence.models["release_date"]
    assert (dates[bench["item"]] >= pd.Timestamp(LATE_CUTOFF)).all()
    train = training_evidence(shipped_evidence, LATE_CUTOFF)
    assert set(bench["benchmark"]) <= set(fitted_instruments(train, load_config().capability))
    # frontier rows: the best of ALL results of the window on the instrument, whatever
    # the FLOP; the scored set (every method) is disjoint from the skipped set
    front = rows[(rows["target"] == "frontier") & (rows["method"] == "bayesian")]
    results = shipped_evidence.results.join(shipped_evidence.models["release_date"], on="model")
    fraction = results["n_solved_effective"] / results["n_tasks"]
    for row in front.itertuples():
        start = pd.Timestamp(row.date)
        inside = (
            (results["benchmark"] == row.benchmark.split("@")[0])
            & (results["release_date"] >= start)
            & (results["release_date"] < start + pd.DateOffset(months=6))
            & (results["release_date"] >= pd.Timestamp(LATE_CUTOFF))
        )
        assert row.observed == pytest.approx(fraction[inside].max())
    gpqa = front[front["benchmark"] == "gpqa_diamond"]
    assert len(gpqa) > 0  # a chat instrument whose best models have no FLOP estimate
    flops = shipped_evidence.models["training_flop"]
    assert flops[gpqa["best_model"]].isna().any()
    skipped = result.skipped_rows
    assert len(skipped) > 0 and skipped["reason"].str.len().gt(0).all()
    assert not set(zip(skipped["item"], skipped["benchmark"], strict=True)) & set(
        zip(front["item"], front["benchmark"], strict=True)
    )

    # changing everything after the cutoff changes observations only, never forecasts
    changed = _run_fake(_with_changed_future(shipped_evidence), monkeypatch)
    forecast_cols = ["q05", "q25", "q50", "q75", "q95"]
    for target in harness.TARGETS:
        a = rows[rows["target"] == target].reset_index(drop=True)
        b = changed.rows[changed.rows["target"] == target].reset_index(drop=True)
        assert len(a) == len(b)
        pd.testing.assert_frame_equal(a[forecast_cols], b[forecast_cols])
    counts_before = rows.loc[rows["target"] == "counts", "observed"].to_numpy()
    counts_after = changed.rows.loc[changed.rows["target"] == "counts", "observed"].to_numpy()
    assert (counts_after >= counts_before).all() and (counts_after > counts_before).any()
    for target in ("benchmark", "frontier"):
        assert (changed.rows.loc[changed.rows["target"] == target, "observed"] == 0.0).all()


def test_a_changed_capability_fit_leaves_every_other_method_unchanged(
    shipped_evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each method draws from its own named stream (``_rng`` family ``backtest``): other
    capability draws change the capability model's forecasts only, not the baselines' or
    the count models' (with one shared generator they shifted with the capability
    model's draws)."""
    tree, view = _fake_fit(shipped_evidence, LATE_CUTOFF)
    harder = view.draws.assign(difficulty=view.draws["difficulty"] + 0.3)
    capability_methods = {harness.OWN_METHOD["benchmark"], harness.OWN_METHOD["frontier"]}
    forecasts = ["q05", "q25", "q50", "q75", "q95", "crps"]
    runs = []
    for draws in (view.draws, harder):
        _patch_views(monkeypatch, {LATE_CUTOFF: dataclasses.replace(view, draws=draws)})
        rows = harness.backtest(
            shipped_evidence, load_config(), cutoff=LATE_CUTOFF, seed=3, fit=tree
        ).rows
        rows = rows.sort_values(["target", "method", "item", "benchmark"], kind="stable")
        own = rows["method"].isin(capability_methods)
        runs.append((rows[own].reset_index(drop=True), rows[~own].reset_index(drop=True)))
    (own_before, others_before), (own_after, others_after) = runs
    assert len(own_before) > 0 and set(others_before["target"]) == set(harness.TARGETS)
    pd.testing.assert_frame_equal(others_before[forecasts], others_after[forecasts])
    assert not np.allclose(own_before["q50"].to_numpy(float), own_after["q50"].to_numpy(float))


# ---------------------------------------------------------------------- frontier target


def _keyed(rows: list[tuple[str, str, str, float, int]]) -> pd.DataFrame:
    """Keyed results (as ``key_results`` returns) from (model, instrument, date, fraction,
    n_tasks) tuples."""
    frame = pd.DataFrame(rows, columns=["model", "instrument", "date", "fraction", "n_tasks"])
    return frame.assign(
        label=frame["instrument"],
        kind="chat",
        harness="h",
        release_date=pd.to_datetime(frame["date"]),
        n_solved_effective=(frame["fraction"] * frame["n_tasks"]).round().astype(int),
    )


def test_best_per_window_takes_the_best_result_of_any_model() -> None:
    keyed = _keyed(
        [
            ("a", "x", "2024-01-10", 0.30, 100),
            ("b", "x", "2024-05-01", 0.55, 100),  # the best of the first window
            ("c", "x", "2024-06-30", 0.40, 100),
            ("c", "y", "2024-06-30", 0.10, 40),
            ("d", "x", "2024-07-01", 0.20, 100),  # first day of the second window
            ("e", "x", "2023-12-31", 0.99, 100),  # before the cutoff: never seen
            ("f", "x", "2025-03-01", 0.90, 100),  # after the vintage: never seen
        ]
    )
    table = frontier_observations(keyed, cutoff="2024-01-01", vintage="2025-02-27")
    got = {(r.window, r.label): (r.observed, r.best_model, r.roster) for r in table.itertuples()}
    assert got == {
        ("2024-01-01..2024-06-30", "x"): (0.55, "b", 3),
        ("2024-01-01..2024-06-30", "y"): (0.10, "c", 1),
        ("2024-07-01..2024-12-31", "x"): (0.20, "d", 1),
    }
    first = table.iloc[0]
    assert (first["k"], first["n"]) == (55, 100)
    assert first["last_day"] == "2024-06-30"
    assert first["window_years"] == pytest.approx(182 / 365.25)


def test_frontier_rows_score_every_method_on_the_same_rows_and_list_the_rest() -> None:
    keyed = _keyed(
        [
            ("a", "x", "2024-02-01", 0.30, 100),
            ("b", "y", "2024-02-01", 0.50, 100),
            ("c", "z", "2024-03-01", 0.60, 100),
        ]
    )
    observations = frontier_observations(keyed, cutoff="2024-01-01", vintage="2024-12-31")

    def normal(mean: float):
        return lambda key, obs: NormalForecast(mean, 0.1, 0.0, support=(0.0, 1.0))

    methods = {"bayesian": normal(0.3), "score_trend": normal(0.5), "logistic": normal(0.6)}
    coverage = {"bayesian": {"x", "y"}, "score_trend": {"x"}, "logistic": {"x", "z"}}
    rows, skipped = frontier_rows(observations, methods, coverage)
    scored = pd.DataFrame(rows)
    assert set(scored["benchmark"]) == {"x"}
    assert sorted(scored["method"]) == sorted(methods)
    assert scored.loc[scored["method"] == "bayesian", "crps"].iloc[0] == pytest.approx(
        crps_censored_normal(0.3, 0.1, 0.3, low=0.0, high=1.0)
    )
    reasons = skipped.set_index("benchmark")["reason"]
    assert set(reasons.index) == {"y", "z"}
    assert "< 3 windows" in reasons["y"] and "< 4 FLOP rows" in reasons["y"]
    assert "not in fit" in reasons["z"] and "< 3 windows" in reasons["z"]
    # the toolkit's model is scored for the record where it alone can forecast (y), not z
    assert np.isfinite(skipped.set_index("benchmark").loc["y", "crps"])
    assert np.isnan(skipped.set_index("benchmark").loc["z", "crps"])


def test_base_model_few_shot_results_are_never_frontier_observations() -> None:
    keyed = _keyed(
        [
            ("open-base", "mmlu", "2024-08-01", 0.95, 100),  # best of all, but a base roster
            ("open-base", "humaneval", "2024-08-01", 0.13, 164),
            ("chat-model", "gpqa_diamond", "2024-09-01", 0.80, 198),
            ("agent-model", "cybench", "2024-10-01", 0.40, 40),
            ("unregistered", "new_bench", "2024-10-01", 0.50, 10),
        ]
    )
    keyed["kind"] = ["base_few_shot", "base_few_shot", "chat", "agent", DEFAULT_KIND]
    table = frontier_observations(keyed, cutoff="2024-07-01", vintage="2024-12-31")
    assert sorted(table["label"]) == ["cybench", "gpqa_diamond", "new_bench"]
    assert set(table["kind"]) <= set(FRONTIER_KINDS)
    assert "base_few_shot" not in FRONTIER_KINDS
    # a harness missing from the registry (read as the default kind) stays a frontier target
    assert DEFAULT_KIND in FRONTIER_KINDS
    got = table.set_index("label")[["observed", "best_model"]]
    assert got.loc["gpqa_diamond"].tolist() == [0.80, "chat-model"]
    assert got.loc["cybench"].tolist() == [0.40, "agent-model"]


def _summary_rows(cutoff: str, crps: dict[str, float], n: int, cover: float) -> list[dict]:
    """Summary rows (as ``backtest_summary.csv``) of the frontier target at one cutoff."""
    return [
        {
            "cutoff": cutoff,
            "target": "frontier",
            "method": method,
            "n": n,
            "coverage_50": 0.5,
            "coverage_90": cover if method == "bayesian" else 0.5,
            "crps": value,
            "log_score": -3.0,
            "mae": 0.1,
            "gate_passed": True,
        }
        for method, value in crps.items()
    ]


def _bayes_rows(cutoff: str, hits: list[bool]) -> pd.DataFrame:
    """Scored frontier rows of the Bayesian model (and a baseline) at one cutoff."""
    rows = [
        {"cutoff": cutoff, "target": "frontier", "method": method, "item": f"w{i}", "in_90": hit}
        for i, hit in enumerate(hits)
        for method in ("bayesian", "score_trend")
    ]
    return pd.DataFrame(rows)


def _checks(text: str) -> dict[str, tuple[str, str]]:
    """check -> (measured, met) of the Markdown table of :func:`acceptance`."""
    lines = [line for line in text.splitlines() if line.startswith("| ")][1:]
    cells = [line.strip("| ").split(" | ") for line in lines]
    return {c[0]: (c[1], c[3]) for c in cells}


ALL_ROWS = "Best score per window, every row the Bayesian model forecasts: 90% coverage"
CRPS_CHECK = "Best score per window: lower CRPS than every LS baseline"
CRPS = {"bayesian": 0.05, "score_trend": 0.08, "logistic": 0.2, "irt": 0.1}


def test_acceptance_coverage_counts_skipped_rows_with_bayesian_scores_only() -> None:
    # scored rows: 9 of 9 inside (1.00, too wide); skipped rows: one the Bayesian model
    # forecasts and misses, three it cannot forecast (NaN: not counted)
    summary = pd.DataFrame(_summary_rows("2024-07-01", CRPS, n=9, cover=1.0))
    rows = _bayes_rows("2024-07-01", [True] * 9)
    skipped = pd.DataFrame(
        {
            "target": "frontier",
            "cutoff": "2024-07-01",
            "item": ["s0", "s1", "s2", "s3"],
            "benchmark": ["osworld", "terminal_bench_2", "terminal_bench_2", "x"],
            "reason": ["< 3 windows", "not in fit", "not in fit", "not in fit"],
            "in_90": [False, np.nan, np.nan, np.nan],
        }
    )
    checks = _checks(
        acceptance(summary, rows=rows, skipped=skipped, frontier_cutoffs=["2024-07-01"])
    )
    assert checks["Best score per window: 90% coverage at 2024-07-01"] == (
        "1.00 (9 rows)",
        "**no**",
    )
    assert checks[f"{ALL_ROWS} at 2024-07-01"] == (
        "0.90 (10 rows: 9 scored, 1 skipped)",
        "yes",
    )
    assert checks[f"{ALL_ROWS}, pooled over cutoffs"][1] == "yes"
    # skipped rows are counted per cutoff, also at a cutoff without scored rows
    later = skipped.assign(cutoff="2025-03-01", in_90=[True, True, np.nan, False])
    text = acceptance(
        summary,
        rows=rows,
        skipped=pd.concat([skipped, later]),
        frontier_cutoffs=["2024-07-01", "2025-03-01"],
        gates={"2025-03-01": True},  # a cutoff without summary rows: gate from the fits
    )
    checks = _checks(text)
    assert checks[f"{ALL_ROWS} at 2025-03-01"] == ("0.67 (3 rows: 0 scored, 3 skipped)", "**no**")
    assert checks[f"{ALL_ROWS}, pooled over cutoffs"][0] == ("0.85 (13 rows: 9 scored, 4 skipped)")


def test_acceptance_reports_a_cutoff_without_frontier_rows_and_never_counts_it_as_a_win() -> None:
    cutoffs = ["2023-07-01", "2024-01-01", "2024-07-01"]
    bench = {
        "target": "benchmark",
        "method": "bayesian",
        "n": 50,
        "coverage_50": 0.5,
        "coverage_90": 0.9,
        "crps": 0.05,
        "log_score": -3.0,
        "mae": 0.1,
        "gate_passed": True,
    }
    # the Bayesian model wins at two cutoffs; 2024-01-01 has benchmark rows only
    summary = pd.DataFrame(
        [{**bench, "cutoff": c} for c in cutoffs]
        + _summary_rows("2023-07-01", CRPS, n=10, cover=0.9)
        + _summary_rows("2024-07-01", CRPS, n=10, cover=0.9)
    )
    rows = pd.concat([_bayes_rows(c, [True] * 9 + [False]) for c in ("2023-07-01", "2024-07-01")])
    skipped = pd.DataFrame(
        {"target": "frontier", "cutoff": ["2024-01-01"], "item": ["w"], "in_90": [np.nan]}
    )
    text = acceptance(summary, rows=rows, skipped=skipped, frontier_cutoffs=cutoffs)
    checks = _checks(text)
    assert checks["Best score per window: 90% coverage at 2024-01-01"] == ("no rows", NO_ROWS)
    assert checks[f"{ALL_ROWS} at 2024-01-01"] == ("no rows", NO_ROWS)
    assert checks[f"{ALL_ROWS} at 2023-07-01"] == ("0.90 (10 rows: 10 scored, 0 skipped)", "yes")
    measured, met = checks[CRPS_CHECK]
    assert measured.startswith("at 2 of 3 cutoffs, 2 of them with a converged fit, 1 with no rows")
    assert "2024-01-01: no rows" in measured
    assert met == "**no**"  # 2 wins < ACCEPTANCE_CRPS_CUTOFFS; the empty cutoff is no win
    irt = f"Best score per window: lower CRPS than {method_label('irt', 'frontier')}"
    assert checks[irt] == (
        "at 2 of 3 cutoffs (2 with a converged fit; 1 with no rows, not a win)",
        "**no**",
    )
    assert "have no rows to check" in text.split("\n")[-1]
    # no frontier row at any cutoff: reported, not silently passed
    only_bench = summary[summary["target"] == "benchmark"]
    text = acceptance(only_bench, rows=rows.iloc[:0], skipped=None, frontier_cutoffs=cutoffs)
    checks = _checks(text)
    assert checks["Best score per window: 90% coverage, pooled over cutoffs"] == (
        "no rows at any cutoff",
        NO_ROWS,
    )
    assert checks[CRPS_CHECK][0].startswith("at 0 of 3 cutoffs")
    assert checks[CRPS_CHECK][1] == "**no**"
    assert not text.endswith("Every acceptance check is met.")


def test_frontier_instrument_with_too_few_windows_is_skipped_for_every_method(
    shipped_evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = _run_fake(shipped_evidence, monkeypatch, cutoff="2025-03-01", targets=("frontier",))
    rows = result.rows
    scored = set(rows["benchmark"])
    assert {"cybench", "gpqa_diamond"} <= scored
    skipped = result.skipped_rows.set_index("benchmark")
    # OSWorld and SWE-bench Verified were fitted (results of 2024-12 to 2025-02), but have
    # one pre-cutoff window only: no trend baseline, so no method is scored on them
    for key in ("osworld", "swe_bench_verified"):
        assert key not in scored
        assert "< 3 windows" in skipped.loc[key, "reason"]
        assert np.isfinite(skipped.loc[key, "crps"])  # the Bayesian forecast, for the record
    assert "not in fit" in skipped.loc["terminal_bench_2", "reason"]
    assert result.skipped["frontier"] and sum(result.skipped["frontier"].values()) == len(skipped)
    # every method on the same rows
    per_method = rows.groupby("method").apply(
        lambda g: sorted(zip(g["item"], g["benchmark"], strict=True)), include_groups=False
    )
    assert len(set(map(tuple, per_method))) == 1 and len(per_method) == 4


def test_pre_cutoff_windows_continue_the_post_cutoff_grid() -> None:
    windows = pre_cutoff_windows("2024-01-01", "2022-08-15")
    assert [w.label for w in windows] == [
        "2022-07-01..2022-12-31",
        "2023-01-01..2023-06-30",
        "2023-07-01..2023-12-31",
    ]
    assert all(w.complete for w in windows)
    assert pre_cutoff_windows("2024-01-01", "2024-01-01") == []
    assert windows[-1].end == post_cutoff_windows("2024-01-01", "2024-12-31")[0].start


def test_score_trend_recovers_a_logistic_trend_and_covers() -> None:
    rng = np.random.default_rng(11)
    chance, a, b, noise = 0.25, -1.0, 1.2, 0.02
    years = np.arange(-3.0, 0.01, 0.5)

    def truth(t: np.ndarray) -> np.ndarray:
        return chance + (1 - chance) * expit(a + b * t)

    inside, widths = [], []
    for _ in range(200):
        trend = fit_score_trend(
            years, truth(years) + rng.normal(0, noise, years.size), chance=chance
        )
        mean, sd = trend.predict(0.75)
        y = truth(0.75) + rng.normal(0, noise)
        inside.append(abs(y - mean) <= 1.645 * sd)
        widths.append(sd)
    assert 0.82 <= np.mean(inside) <= 0.99
    # prediction sd: the residual sd plus parameter uncertainty, growing with the horizon
    assert np.median(widths) > noise * 0.8
    assert trend.predict(3.0)[1] > trend.predict(0.0)[1]
    exact = fit_score_trend(years, truth(years), chance=chance)
    np.testing.assert_allclose(exact.params, [a, b], atol=1e-4)
    with pytest.raises(RiskmodelError, match="at least 3 windows"):
        fit_score_trend(years[:2], truth(years[:2]), chance=chance)
    # a forecast of a best score: censored normal, closed-form CRPS and log score
    forecaster = ScoreTrendForecaster({"x": exact})
    date = (pd.Timestamp(TREND_REFERENCE_DATE) + pd.Timedelta(days=365)).strftime("%Y-%m-%d")
    forecast = forecaster.frontier("x", date=date, k=70, n=100)
    assert forecast.mean == pytest.approx(float(truth(np.array(1.0))), abs=2e-3)
    assert np.isfinite(forecast.log_score)


def test_frontier_flop_trend_and_baselines_at_its_draws() -> None:
    rng = np.random.default_rng(12)
    years = np.linspace(-5, 0, 30)
    flop = 24.0 + 0.5 * years + rng.normal(0, 0.3, years.size)
    trend = fit_linear_trend(years, flop)
    np.testing.assert_allclose(trend.coef, [24.0, 0.5], atol=0.3)
    mean, sd = trend.predict(1.0)
    assert mean == pytest.approx(24.5, abs=0.3) and sd > trend.sd
    with pytest.raises(RiskmodelError, match="at least 4 models"):
        fit_linear_trend(years[:3], flop[:3])
    draws = FrontierFlopTrend(trend, n_samples=4000, rng=rng)
    date = (pd.Timestamp(TREND_REFERENCE_DATE) + pd.Timedelta(days=365)).strftime("%Y-%m-%d")
    assert draws.draws(date).std() == pytest.approx(trend.predict(1.0)[1], rel=0.05)
    logistic = LogisticForecaster(
        {"x": (np.array([1.0, mean]), 0.02)}, {"x": 0.0}, n_samples=4000, rng=rng
    )
    forecast = draws.frontier(logistic, "x", date=date, k=50, n=100)
    # the curve at the trend's median compute is 0.5; the compute spread widens it
    assert np.median(forecast.samples) == pytest.approx(0.5, abs=0.03)
    assert np.quantile(forecast.samples, 0.95) - np.quantile(forecast.samples, 0.05) > 0.2
    assert np.isfinite(forecast.log_score)


def test_instrument_keys_of_results(shipped_evidence: Evidence) -> None:
    config = load_config().capability
    train = training_evidence(shipped_evidence, "2025-03-01")
    fitted = fitted_instruments(train, config)
    assert {"cybench", "gpqa_diamond", "frontiermath", "osworld"} <= set(fitted)
    later = shipped_evidence.released_on_or_after("2025-03-01").results
    keyed = key_results(shipped_evidence, config, fitted, results=later)
    # a harness first seen after the cutoff joins its kind's instrument
    cyber = keyed[keyed["benchmark"] == "cybench"]
    assert set(cyber["harness"]) - set(fitted["cybench"].harnesses)
    assert (cyber["instrument"] == "cybench").all()
    # an instrument the training fit lacks keeps a label and no key
    deep = keyed[keyed["harness"] == "gemini_app_manual"]
    assert deep["instrument"].isna().all() and (deep["label"] == "frontiermath@chat").all()
    assert not keyed["benchmark"].isin(config.excluded_benchmarks).any()
    registry = instrument_registry(shipped_evidence.benchmarks, {"frontiermath@chat": _chat()})
    assert registry.loc["frontiermath@chat", "n_tasks"] == registry.loc["frontiermath", "n_tasks"]


def _chat():
    from riskmodel.capability.data import Instrument

    return Instrument("frontiermath@chat", "frontiermath", "chat", "h", ("h",))


def test_every_backtest_method_has_a_label_and_its_own_style() -> None:
    for target, methods in harness.METHODS.items():
        for method in methods:
            assert method in METHOD_LABELS and method in METHOD_STYLE, (target, method)
        # the methods of one figure row differ in colour, line style and marker
        assert len({METHOD_STYLE[m] for m in methods}) == len(methods), target
    assert method_label("score_trend", "frontier") == "best-score trend by date (LS)"
    assert method_label("logistic", "frontier") == "logistic at frontier FLOP trend (LS)"
    assert method_label("logistic", "benchmark") == METHOD_LABELS["logistic"]


# ------------------------------------------------------------------ cached training fits


def test_cached_training_fit_fits_the_training_evidence_once(
    small_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """A cutoff's fit is made on the evidence released before the cutoff, stored under
    ``fit_path`` and then reused (the cache itself: tests/test_capability_cache.py)."""
    import riskmodel.capability.cache as cache

    seen: list[Evidence] = []
    stored: dict[str, xr.DataTree] = {}

    def fake_fit(train: Evidence, config, **kwargs) -> xr.DataTree:
        seen.append(train)
        tree = xr.DataTree()
        tree.attrs.update(
            config_hash=config_hash(config, train.content_hash()),
            model_source_hash=cache.model_source_hash(),
            diagnostics='{"sampling_seconds": 1, "max_rhat": 1, "min_ess_bulk": 1, '
            '"divergences": 0}',
        )
        return tree

    def fake_save(tree: xr.DataTree, path) -> Path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).touch()
        stored[str(path)] = tree.copy()
        return Path(path)

    monkeypatch.setattr(cache, "fit_evidence_model", fake_fit)  # no sampling
    monkeypatch.setattr(cache, "save_fit", fake_save)
    monkeypatch.setattr(cache, "load_fit", lambda path: stored[str(path)].copy())
    config = load_config()
    first, reused = fits.cached_training_fit(
        small_evidence, config, cutoff=CUTOFF, fit_dir=tmp_path
    )
    assert not reused and list(stored) == [str(fits.fit_path(tmp_path, CUTOFF))]
    assert seen[0].content_hash() == training_evidence(small_evidence, CUTOFF).content_hash()
    again, reused = fits.cached_training_fit(
        small_evidence, config, cutoff=CUTOFF, fit_dir=tmp_path
    )
    assert reused and len(seen) == 1
    assert not fits.cached_training_fit(
        small_evidence, config, cutoff=CUTOFF, fit_dir=tmp_path, reuse=False
    )[1]


# ----------------------------------------------------------- several cutoffs, on dask


def _fake_cached_fits(
    evidence: Evidence, monkeypatch: pytest.MonkeyPatch, cutoffs: list[str], failing: str
) -> None:
    """Replace the capability fits of ``run_backtests`` by hand-made posteriors; the fit
    of ``failing`` raises."""
    fakes = {c: _fake_fit(evidence, c) for c in cutoffs if c != failing}
    _patch_views(monkeypatch, {c: view for c, (_, view) in fakes.items()})

    def cached(evidence_, config, *, cutoff, **kwargs):
        if cutoff == failing:
            raise RuntimeError(f"sampler crashed at {cutoff}")
        tree = fakes[cutoff][0]
        tree.attrs["fit_wall_seconds"] = 12.5
        return tree, False

    monkeypatch.setattr(validation_report, "cached_training_fit", cached)


def _run_report(evidence: Evidence, tmp_path, scheduler: str | None, name: str):
    return validation_report.run_backtests(
        ["2025-03-01", "2024-07-01"],
        config=load_config(),
        seed=4,
        out_dir=tmp_path / name,
        docs_path=tmp_path / name / "validation.md",
        fit_dir=tmp_path / name / "fits",
        evidence=evidence,
        targets=("benchmark", "frontier"),
        scheduler=scheduler,
    )


@pytest.mark.slow
def test_backtests_run_on_a_dask_cluster_and_survive_a_failing_cutoff(
    shipped_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from distributed import LocalCluster

    _fake_cached_fits(shipped_evidence, monkeypatch, ["2025-03-01"], failing="2024-07-01")
    serial = _run_report(shipped_evidence, tmp_path, None, "serial")
    # ':0': a free port. With None the scheduler's HTTP routes still bind 8787, so two
    # test processes on one machine (xdist workers, two checkouts) collided.
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        parallel = _run_report(shipped_evidence, tmp_path, cluster.scheduler_address, "dask")
    for report in (serial, parallel):
        # the failing cutoff is reported, the other one scored and written
        assert list(report.failures) == ["2024-07-01"]
        assert "sampler crashed at 2024-07-01" in report.failures["2024-07-01"]
        assert [b.cutoff for b in report.backtests] == ["2025-03-01"]
        fits = report.fits.set_index("cutoff")
        assert fits.loc["2024-07-01", "status"] == "error"
        assert fits.loc["2025-03-01", "status"] == "ok"
        assert fits.loc["2025-03-01", "fit_seconds"] == 12.5
        assert set(report.summary["cutoff"]) == {"2025-03-01"}
        assert set(report.summary["target"]) == {"benchmark", "frontier"}
        text = next(p for p in report.files if p.suffix == ".md").read_text()
        assert "Cutoff 2024-07-01 failed and is not scored" in text
        assert "## Acceptance" in text and "cybench" in text
    # the cluster computes exactly what the serial run does
    pd.testing.assert_frame_equal(serial.backtests[0].rows, parallel.backtests[0].rows)
    written = pd.read_csv(tmp_path / "dask" / "backtest_2025-03-01.csv")
    assert len(written) == len(parallel.backtests[0].rows)
    assert (tmp_path / "dask" / "backtest_2025-03-01_skipped.csv").exists()
    assert not (tmp_path / "dask" / "backtest_2024-07-01.csv").exists()


def test_a_fit_failing_the_gate_is_reported_not_silently_used(
    shipped_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    _fake_cached_fits(shipped_evidence, monkeypatch, ["2025-03-01"], failing="none")
    tree = _fake_fit(shipped_evidence, "2025-03-01")[0]
    tree.attrs["diagnostics"] = json.dumps(
        {"max_rhat": 1.05, "min_ess_bulk": 80.0, "passed": False, "failures": ["x: R-hat 1.05"]}
    )
    monkeypatch.setattr(validation_report, "cached_training_fit", lambda *a, **k: (tree, True))
    report = validation_report.run_backtests(
        ["2025-03-01"],
        config=load_config(),
        seed=4,
        out_dir=tmp_path,
        docs_path=tmp_path / "validation.md",
        fit_dir=None,
        evidence=shipped_evidence,
        targets=("frontier",),
    )
    assert report.gate_failures == ["2025-03-01"]
    assert not report.summary["gate_passed"].any()
    text = (tmp_path / "validation.md").read_text()
    assert "the fit fails the gate** (x: R-hat 1.05)" in text
    assert "| 2025-03-01 (gate failed) | Bayesian model" in text
    checks = text.split("## Acceptance")[1].split("## Scores")[0]
    assert "gate failed" in checks
    # the coverage on every row the Bayesian model forecasts counts the skipped rows too
    rows = report.backtests[0].rows
    scored = int(((rows["target"] == "frontier") & (rows["method"] == "bayesian")).sum())
    extra = int(report.skipped["in_90"].notna().sum())
    assert extra > 0
    assert (
        "| Best score per window, every row the Bayesian model forecasts: 90% coverage at "
        "2025-03-01 | " in checks
    )
    assert f"({scored + extra} rows: {scored} scored, {extra} skipped), gate failed" in checks


def test_backtest_command_uses_full_fits_and_default_cutoffs(monkeypatch, tmp_path) -> None:
    from riskmodel import cli

    args = cli.build_parser().parse_args(["backtest"])
    assert args.cutoffs == ["2023-07-01", "2024-01-01", "2024-07-01", "2025-03-01"]
    assert (args.draws, args.tune, args.chains, args.scheduler) == (None, None, None, None)
    seen = {}

    def fake_run(cutoffs, *, config, scheduler, fit_dir, **kwargs):
        seen.update(config=config, scheduler=scheduler, fit_dir=fit_dir)
        return validation_report.BacktestReport(
            [],
            pd.DataFrame(),
            pd.DataFrame([{"cutoff": "2025-03-01", "status": "gate failed", "error": "x"}]),
            pd.DataFrame(),
            {"2024-07-01": "RuntimeError: boom"},
        )

    monkeypatch.setattr(validation_report, "run_backtests", fake_run)
    code = cli.main(["backtest", "--out", str(tmp_path), "--scheduler", "tcp://h:1"])
    assert code == cli.EXIT_UNCONVERGED  # a failed cutoff and a gate failure
    # Full fits: the default sampler with the backtest's longer, smaller-step settings
    # (flags and --config: tests/test_cli.py::test_backtest_sampler_settings).
    full = load_config({"sampler": fits.BACKTEST_SAMPLER}).sampler
    assert seen["config"].sampler == full
    assert seen["config"].capability == load_config().capability  # the main fit's geometry
    assert full.draws >= load_config().sampler.draws
    assert seen["scheduler"] == "tcp://h:1" and seen["fit_dir"] == tmp_path / "fits"


def test_unreachable_scheduler_fails_before_any_fit(
    shipped_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from riskmodel.validation import cluster

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", "0.5s")  # nothing listens: refused
    with pytest.raises(RiskmodelError, match="cannot reach the dask scheduler"):
        validation_report.run_backtests(
            ["2025-03-01"],
            config=load_config(),
            seed=0,
            out_dir=tmp_path,
            docs_path=None,
            evidence=shipped_evidence,
            targets=("frontier",),
            scheduler="tcp://127.0.0.1:9",
        )
    assert not list(tmp_path.iterdir())


# ------------------------------------------------------------------------- counts target


def _synthetic_count_evidence(
    shipped: Evidence, rng: np.random.Generator
) -> tuple[Evidence, dict[str, float]]:
    """Shipped evidence whose Epoch base runs are replaced by a known log-linear world."""
    # about 40 runs at or above 1e23 FLOP in 2024, 5 in 2018
    truth = {"alpha": np.log(48.0) - 2.4, "beta": 0.35, "gamma": 1.2}
    tables = shipped.to_tables()
    models = tables["models"]
    has_evidence = models["model"].isin(shipped.evidence_models())
    epoch = models["source"].astype(str).str.contains(EPOCH_SOURCE_TOKEN)
    models.loc[has_evidence, "source"] = "not_epoch"
    models = models[has_evidence | ~epoch]
    rows = []
    # 2018 to the data vintage: 2025 only January-August (243 days), as Epoch's lists
    for year in range(2018, 2026):
        days = 243 if year == 2025 else 365
        expected = np.exp(truth["alpha"] + truth["beta"] * (year - 2024) + truth["gamma"] * 2)
        expected *= days / 365 / truth["gamma"]  # runs at or above 1e23 (u = -2 from 1e25)
        for i in range(rng.poisson(expected)):
            day = pd.Timestamp(year=year, month=1, day=1) + pd.Timedelta(
                days=int(rng.integers(0, days))
            )
            rows.append(
                {
                    "model": f"synthetic-{year}-{i}",
                    "organization": "Synthetic Lab",
                    "release_date": day.strftime("%Y-%m-%d"),
                    "training_flop": 10 ** (23 + rng.exponential(1 / truth["gamma"])),
                    "flop_confidence": "confident",
                    "open_weights": False,
                    "frontier": False,
                    "domain": "Language",
                    "release_date_source": "epoch",
                    "source": "epoch_notable_models_synthetic",
                }
            )
    tables["models"] = pd.concat([models, pd.DataFrame(rows)], ignore_index=True)
    return Evidence.from_tables(tables), truth


def test_poisson_mixture_pmf_matches_the_direct_sum() -> None:
    rng = np.random.default_rng(13)
    for rates in (np.exp(rng.normal(2.0, 1.5, 500)), np.array([1e-320, 0.0, 0.4, 30.0])):
        pmf = harness._poisson_mixture_pmf(rates, observed=3)
        k = np.arange(pmf.size)
        direct = stats.poisson.pmf(k[None, :], np.maximum(rates, 1e-300)[:, None]).mean(axis=0)
        np.testing.assert_allclose(pmf, direct, rtol=0, atol=1e-13)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-9)


def test_count_target_on_synthetic_world(shipped_evidence: Evidence) -> None:
    rng = np.random.default_rng(8)
    evidence, truth = _synthetic_count_evidence(shipped_evidence, rng)
    assumptions = dataclasses.replace(load_world_assumptions(), count_form="loglinear")
    result = harness.backtest(
        evidence,
        load_config(),
        cutoff="2023-01-01",
        seed=1,
        targets=("counts",),
        world_assumptions=assumptions,
    )
    rows = result.rows
    assert result.n_train["count_years"] == 5  # 2018-2022
    # complete half-years from the cutoff to the vintage (2025-09-01)
    assert set(rows["item"]) == {"2023H1", "2023H2", "2024H1", "2024H2", "2025H1"}
    runs = harness.epoch_base_runs(evidence.models)
    for row in rows.itertuples():
        start = pd.Timestamp(row.date)
        inside = (runs["release_date"] >= start) & (
            runs["release_date"] < start + pd.DateOffset(months=6)
        )
        assert row.observed == int((inside & (runs["log10_flop"] >= row.log10_flop)).sum())
    # the world model is well specified here: the true expected count is near its median
    bayes = rows[rows["method"] == "world_model"]
    for row in bayes.itertuples():
        u = row.log10_flop - 25
        year = pd.Timestamp(row.date).year
        expected = (
            0.5
            * np.exp(truth["alpha"] + truth["beta"] * (year - 2024) - truth["gamma"] * u)
            / truth["gamma"]
        )
        assert row.q05 <= expected <= row.q95
    assert bayes["in_90"].mean() >= 0.75
    assert result.summary.loc[("counts", "world_model"), "n"] == 15  # 5 half-years x 3 levels


# ---------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def small_backtest(small_evidence: Evidence) -> harness.Backtest:
    config = load_config({"sampler": {"draws": 300, "tune": 400, "chains": 2, "seed": 5}})
    return harness.backtest(small_evidence, config, cutoff=CUTOFF, seed=0)


@pytest.mark.slow
def test_end_to_end_backtest_scores_every_target(small_backtest: harness.Backtest) -> None:
    result = small_backtest
    print(result.summary.to_string())
    diag = {k: result.diagnostics.get(k) for k in ("max_rhat", "min_ess_bulk", "divergences")}
    print(f"fit {result.fit_seconds:.0f} s; diagnostics {diag}")
    # the training fit saw nothing from after the cutoff
    trained_on = fit_evidence(result.fit)
    check_split(trained_on, CUTOFF)
    assert result.fit.attrs["data_vintage"] < CUTOFF
    rows = result.rows
    # the example subset's only chat or agent instrument (Cybench) has no result before
    # the cutoff, and its base-model few-shot instruments are no frontier target: every
    # best-score-per-window row is skipped, with the reason
    assert not (rows["target"] == "frontier").any()
    skipped = result.skipped_rows
    assert len(skipped) > 0 and skipped["reason"].str.contains("not in fit").all()
    assert set(skipped["benchmark"]) == {"cybench"}
    scored_targets = {t: ms for t, ms in harness.METHODS.items() if t != "frontier"}
    for target, methods in scored_targets.items():
        part = rows[rows["target"] == target]
        per_method = [
            part.loc[part["method"] == m, ["item", "benchmark", "observed"]]
            .sort_values(["item", "benchmark", "observed"])
            .reset_index(drop=True)
            for m in methods
        ]
        for other in per_method[1:]:
            pd.testing.assert_frame_equal(per_method[0], other)
        assert len(per_method[0]) > 0, target
    summary = result.summary
    assert set(summary.index) == {(t, m) for t, ms in scored_targets.items() for m in ms}
    assert summary.loc[("benchmark", "bayesian"), "n"] >= 20
    # informative and roughly calibrated on benchmark scores at known FLOP (0.68 and 0.10
    # with these seeds on the example subset; 31 rows, so one row is 0.03 of coverage)
    assert summary.loc[("benchmark", "bayesian"), "coverage_90"] >= 0.55
    assert summary.loc[("benchmark", "bayesian"), "mae"] < 0.15
    assert result.fit_seconds > 0


@pytest.mark.slow
def test_time_split_backtest_keeps_its_shape(
    small_backtest: harness.Backtest, small_evidence: Evidence, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The original benchmark-only backtest (time_split_backtest) on the harness."""
    monkeypatch.setattr(timesplit, "backtest", lambda *a, **k: small_backtest)
    result = time_split_backtest(small_evidence, load_config(), cutoff=CUTOFF)
    assert set(result.summary.index) == {"bayesian", "baseline"}
    assert result.summary.loc["bayesian", "n"] == result.summary.loc["baseline", "n"]
    bench = small_backtest.summary.loc["benchmark"]
    assert result.summary.loc["baseline", "mae"] == pytest.approx(bench.loc["logistic", "mae"])
    assert result.summary.loc["bayesian", "coverage_90"] == pytest.approx(
        bench.loc["bayesian", "coverage_90"]
    )
    assert {"model", "benchmark", "observed", "bayesian_q50", "baseline_q95"} <= set(
        result.rows.columns
    )
    assert result.skipped == sum(small_backtest.skipped["benchmark"].values())


def test_log_mass_of_max_is_finite_far_in_either_tail() -> None:
    n, k = 14042, 7021  # observation 0.5, ~24 sd away from every draw
    # far above both members: P(max = y) ~ 2 P(F = y)
    low = MemberDraws(samples=np.zeros(3), n=n, mean=np.full(3, 0.02), sd=0.02)
    single = float(log_normal_bin_mass(0.02, 0.02, k=k, n=n))
    assert np.isfinite(single)
    assert log_mass_of_max([low, low], k / n) == pytest.approx(np.log(2) + single, abs=1e-6)
    assert log_mass_of_max([low], k / n) == pytest.approx(single, abs=1e-6)
    # far below both: both must land on y or below, tinier still but finite
    high = MemberDraws(samples=np.zeros(3), n=n, mean=np.full(3, 0.98), sd=0.02)
    both = log_mass_of_max([high, high], k / n)
    assert np.isfinite(both) and both < 2 * float(log_normal_bin_mass(0.98, 0.02, k=k, n=n)) + 5
    binomial = MemberDraws(samples=np.zeros(2), n=1000, q=np.array([0.05, 0.06]))
    assert log_mass_of_max([binomial], 0.5) == pytest.approx(
        log_binomial_mixture_pmf(500, 1000, np.array([0.05, 0.06])), rel=1e-6
    )


def test_binomial_tails_do_not_underflow() -> None:
    from riskmodel.validation.forecasters import _binomial_log_tails

    q = np.array([0.05, 0.3, 0.95])
    log_cdf, log_sf = _binomial_log_tails(20, 40, q)
    np.testing.assert_allclose(log_cdf, stats.binom.logcdf(20, 40, q), rtol=1e-10)
    np.testing.assert_allclose(log_sf, stats.binom.logsf(20, 40, q), rtol=1e-10)
    # deep tails: the exact sum of terms in log space
    for k, qq in ((499, 0.05), (300, 0.95)):
        log_cdf, log_sf = _binomial_log_tails(k, 1000, np.array([qq]))
        terms = stats.binom.logpmf(np.arange(1001), 1000, qq)
        exact_sf = special_logsumexp(terms[k + 1 :])
        exact_cdf = special_logsumexp(terms[: k + 1])
        assert log_sf[0] == pytest.approx(exact_sf, abs=1e-3)
        assert log_cdf[0] == pytest.approx(exact_cdf, abs=1e-3)


def test_bad_backtest_requests_fail_before_any_fit(tmp_path, capsys) -> None:
    from riskmodel.cli import main

    for cutoffs, message in (
        (["2030-01-01"], "after the data vintage"),
        (["2024-13-01"], "not a valid calendar date"),
    ):
        code = main(["backtest", "--cutoffs", *cutoffs, "--out", str(tmp_path), "--no-docs"])
        assert code == 2
        assert message in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # nothing fitted, nothing written


def test_results_published_after_the_cutoff_are_not_training_evidence(
    shipped_evidence: Evidence,
) -> None:
    # GPQA Diamond runs of 2025 on models released in 2023 (Epoch ran them later): a
    # backtest at 2025-01-01 must not see them, although the models were released before.
    cutoff = "2025-01-01"
    cut = pd.Timestamp(cutoff)
    results = shipped_evidence.results
    dates = shipped_evidence.models["release_date"]
    late = results[(results["model"].map(dates) < cut) & (results["result_date"] >= cut)]
    assert len(late) > 0 and "gpqa_diamond" in set(late["benchmark"])
    train = training_evidence(shipped_evidence, cutoff, known_only=True)
    check_split(train, cutoff, known_only=True)
    assert (train.results["result_date"] < cut).all() and len(train.results) > 0
    assert (train.task_runs["result_date"] < cut).all()
    key = ["model", "benchmark", "harness", "effort"]
    kept = train.results.set_index(key).index
    assert not kept.isin(late.set_index(key).index).any()
    # a table that still holds one of them is refused, naming the date
    leaky = dataclasses.replace(train, results=pd.concat([train.results, late.iloc[:1]]))
    with pytest.raises(RiskmodelError, match="made public on or after the cutoff"):
        check_split(leaky, cutoff, known_only=True)
    # the default reading keeps every measurement of a pre-cutoff model
    assert len(training_evidence(shipped_evidence, cutoff).results) > len(train.results)


def test_report_states_the_fits_geometry() -> None:
    """The report says where the cutoff fits sampled each benchmark's location, and flags
    a geometry other than the main fit's."""
    assert validation_report._geometry(load_config()) == (
        "the location pivoted where the results sit for mmlu (as in the main fit)"
    )
    midpoint = load_config({"capability": {"difficulty_pivot": "midpoint"}})
    assert validation_report._geometry(midpoint) == (
        "every benchmark's location sampled at its midpoint (**not the main fit default**)"
    )
    every = load_config({"capability": {"difficulty_pivot": "data", "pivot_benchmarks": None}})
    assert validation_report._geometry(every) == (
        "every benchmark's location pivoted where its results sit (**not the main fit default**)"
    )
    assert "midpoint (**not the main fit default**)" in validation_report._sampler_note(midpoint)
