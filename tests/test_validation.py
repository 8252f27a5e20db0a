"""Backtest harness: scoring rules, baselines, split hygiene, targets, end to end."""

from __future__ import annotations

import dataclasses
import itertools
import json

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
from riskmodel.config import load_config
from riskmodel.errors import RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.validation import harness, time_split_backtest, timesplit
from riskmodel.validation.baselines import (
    THETA_REGRESSION_REFERENCE_DATE,
    fit_irt_baseline,
    fit_logistic_baseline,
    fit_poisson_trend,
    fit_theta_regression,
    linked_benchmarks,
)
from riskmodel.validation.forecasters import (
    IrtForecaster,
    LogisticForecaster,
    MemberDraws,
    log_mass_of_max,
)
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
    """A fit-shaped tree holding the training evidence, and a hand-made posterior."""
    train = training_evidence(evidence, cutoff)
    tree = attach_evidence(xr.DataTree(), train)
    tree.attrs["diagnostics"] = json.dumps({"max_rhat": 1.0})
    rng = np.random.default_rng(seed)
    benchmarks = sorted(
        set(train.results["benchmark"]) - set(load_config().capability.excluded_benchmarks)
    )
    s, b = 200, len(benchmarks)
    draws = xr.Dataset(
        {
            "algorithmic_progress": ("sample", rng.normal(0.4, 0.05, s)),
            "capability_scatter": ("sample", np.full(s, 0.3)),
            "discrimination": (("sample", "benchmark"), rng.uniform(1.0, 1.5, (s, b))),
            "difficulty": (("sample", "benchmark"), rng.normal(0.5, 0.1, (s, b))),
            "lapse": (("sample", "benchmark"), np.full((s, b), 0.05)),
            "overdispersion": (("sample", "benchmark"), np.full((s, b), 200.0)),
        },
        coords={"benchmark": benchmarks},
    )
    view = PosteriorView(
        draws=draws,
        reference_date="2023-01-01",
        reference_log10_flop=23.0,
        benchmarks=evidence.benchmarks,
        tasks=pd.DataFrame({"task_id": [], "suite": [], "domain": []}),
        data_vintage=train.vintage,
    )
    return tree, view


def _run_fake(evidence: Evidence, monkeypatch: pytest.MonkeyPatch) -> harness.Backtest:
    tree, view = _fake_fit(evidence, LATE_CUTOFF)
    monkeypatch.setattr(harness, "posterior_view", lambda _tree: view)
    return harness.backtest(evidence, load_config(), cutoff=LATE_CUTOFF, seed=3, fit=tree)


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
    # benchmark rows: every post-cutoff result with known FLOP on a forecastable benchmark
    bench = rows[(rows["target"] == "benchmark") & (rows["method"] == "bayesian")]
    dates = shipped_evidence.models["release_date"]
    assert (dates[bench["item"]] >= pd.Timestamp(LATE_CUTOFF)).all()
    # a window's observation is the best of its benchmark rows
    front = rows[(rows["target"] == "frontier") & (rows["method"] == "bayesian")]
    first = front.iloc[0]
    start = pd.Timestamp(first["date"])
    members = bench[
        (bench["benchmark"] == first["benchmark"])
        & (pd.to_datetime(bench["date"]) >= start)
        & (pd.to_datetime(bench["date"]) < start + pd.DateOffset(months=6))
    ]
    assert first["observed"] == pytest.approx(members["observed"].max())
    assert first["roster"] == len(members)

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
    bench_after = changed.rows[(changed.rows["target"] == "benchmark")]
    assert (bench_after["observed"] == 0.0).all()


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
    for target, methods in harness.METHODS.items():
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
    assert set(summary.index) == {(t, m) for t, ms in harness.METHODS.items() for m in ms}
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
