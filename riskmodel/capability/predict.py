"""Posterior predictions from a fitted capability model.

Computation only (no printing, no plotting). All functions take the fitted DataTree
(from :func:`riskmodel.fit` or :func:`riskmodel.load_fit`) and return numpy arrays over
posterior samples (``sample`` = chain x draw, flattened) or plain summaries.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit

from riskmodel._time import parse_date, years_since
from riskmodel.capability.data import (
    TASK_DOMAINS,
    Instrument,
    fitted_results,
    instruments,
)
from riskmodel.capability.model import method_progress
from riskmodel.capability.store import fit_config, fit_evidence, load_fit
from riskmodel.errors import RiskmodelError

__all__ = [
    "PosteriorView",
    "posterior_view",
    "capability_draws",
    "frontier_capability_draws",
    "frontier_log10_flop_draws",
    "method_progress_draws",
    "method_progress_at",
    "method_rate_at_vintage",
    "progress_with_reasoning_at",
    "fitted_capability_draws",
    "benchmark_fraction_draws",
    "task_success_probability",
    "time_horizon_minutes",
    "forecast",
    "FORECAST_QUANTILES",
]

#: Quantiles reported by :func:`forecast`.
FORECAST_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


#: Seed of the forecast paths of the rate of method progress (fixed, so that every
#: prediction from one view shares one set of paths; see :func:`method_progress_draws`).
PROGRESS_PATH_SEED = 20_240_912

#: Years ahead of the data vintage covered by the stored progress paths, and their step.
PROGRESS_PATH_YEARS = 40.0
PROGRESS_PATH_STEP = 1.0 / 12.0


@dataclass(frozen=True)
class PosteriorView:
    """Flattened posterior draws plus what is needed to interpret them.

    Attributes
    ----------
    draws
        Posterior variables with dim ``sample`` (chain x draw) first.
    reference_date, reference_log10_flop
        The capability scale's anchor (see :mod:`riskmodel.capability.model`).
    benchmarks
        Benchmark registry of the fit (index slug).
    tasks
        One row per task of the task-level runs: ``task_id``, ``suite``, ``domain``.
    data_vintage
        Data vintage of the fitted evidence (YYYY-MM-DD).
    instruments
        Fitted instruments (benchmark x harness kind) by key.
    frontier_release_rate
        Frontier-flagged language-model releases per year in the two years before the
        vintage (releases per year); sets how many candidates compete for "best model".
    reasoning_since
        Release date of the first reasoning-trained model in the evidence (or None).
    smoothing_years, forecast_rate_volatility
        From the fit's :class:`~riskmodel.config.CapabilityConfig`.
    progress_path
        Shape (sample, step): extra method progress (dex) beyond the vintage along
        each draw's forecast path, on a monthly grid from the vintage.
    tree
        The fit the view was made from (results computed from the fit, such as the
        uplift-study update, are stored in it: :mod:`riskmodel.uplift.store`).
    """

    draws: xr.Dataset
    reference_date: str
    reference_log10_flop: float
    benchmarks: pd.DataFrame
    tasks: pd.DataFrame
    data_vintage: str
    instruments: dict[str, Instrument] = field(default_factory=dict)
    frontier_release_rate: float = 6.0
    reasoning_since: str | None = None
    smoothing_years: float = 0.5
    forecast_rate_volatility: float = 0.15
    progress_path: np.ndarray | None = None
    tree: xr.DataTree | None = field(default=None, repr=False, compare=False)

    @property
    def n_samples(self) -> int:
        """Number of posterior samples."""
        return int(self.draws.sizes["sample"])

    @property
    def vintage_years(self) -> float:
        """The data vintage in years since the reference date."""
        return float(years_since(self.data_vintage, self.reference_date))

    def values(self, name: str) -> np.ndarray:
        """Draws of ``name`` as an array with the sample axis first."""
        return np.asarray(self.draws[name].transpose("sample", ...).values)

    def benchmark_info(self, key: str) -> pd.Series:
        """The benchmark registry row (``chance``, ``n_tasks``, ...) of an instrument key:
        the benchmark slug itself, or ``slug@kind`` for an instrument read through
        another harness kind than the benchmark's main one."""
        instrument = self.instruments.get(key)
        slug = instrument.benchmark if instrument is not None else key.split("@")[0]
        return self.benchmarks.loc[slug]


def _frontier_release_rate(models: pd.DataFrame, vintage: str) -> float:
    """Frontier-flagged language models released per year in the two years to ``vintage``."""
    end = pd.Timestamp(vintage)
    recent = models[
        (models["release_date"] > end - pd.DateOffset(years=2))
        & (models["release_date"] <= end)
        & models["frontier"].astype(bool)
        & models["domain"].fillna("").astype(str).str.contains("Language")
    ]
    return max(len(recent) / 2.0, 1.0)


def _progress_paths(
    rate_now: np.ndarray, volatility: float, rng: np.random.Generator
) -> np.ndarray:
    """Extra progress beyond the vintage: the integral of ``rate_now * exp(vol * W)``."""
    steps = int(round(PROGRESS_PATH_YEARS / PROGRESS_PATH_STEP))
    walk = np.cumsum(
        volatility * np.sqrt(PROGRESS_PATH_STEP) * rng.standard_normal((len(rate_now), steps)),
        axis=1,
    )
    rates = rate_now[:, None] * np.exp(walk)
    return np.concatenate(
        [np.zeros((len(rate_now), 1)), np.cumsum(rates * PROGRESS_PATH_STEP, axis=1)], axis=1
    )


def posterior_view(fit: xr.DataTree | str | Path | PosteriorView) -> PosteriorView:
    """Prepare a fit (tree or path) for prediction; a view is returned unchanged."""
    if isinstance(fit, PosteriorView):
        return fit
    tree = load_fit(fit) if isinstance(fit, (str, Path)) else fit
    config = fit_config(tree)
    evidence = fit_evidence(tree)
    draws = tree["posterior"].to_dataset().stack(sample=("chain", "draw"))
    draws = draws.drop_vars(["sample", "chain", "draw"], errors="ignore")
    runs = evidence.task_runs
    if len(runs):
        tasks = (
            runs.groupby("task_id", sort=True)
            .agg(suite=("benchmark", "first"), harness=("harness", "first"))
            .reset_index()
        )
        tasks["domain"] = tasks["suite"].map(evidence.benchmarks["domain"])
    else:
        tasks = pd.DataFrame({"task_id": [], "suite": [], "domain": [], "harness": []})
    cap = config.capability
    fitted = fitted_results(evidence.results, cap)
    vintage = str(tree.attrs.get("data_vintage", evidence.vintage))
    models = evidence.models
    reasoning = models.index[
        models.get("reasoning_trained", pd.Series(False, models.index)).fillna(False).astype(bool)
    ]
    first_reasoning = models.loc[reasoning, "release_date"].min() if len(reasoning) else None
    view = PosteriorView(
        draws=draws,
        reference_date=cap.reference_date,
        reference_log10_flop=cap.reference_log10_flop,
        benchmarks=evidence.benchmarks,
        tasks=tasks,
        data_vintage=vintage,
        instruments={i.key: i for i in instruments(fitted, evidence.harnesses)},
        frontier_release_rate=_frontier_release_rate(models, vintage),
        reasoning_since=None if first_reasoning is None else first_reasoning.date().isoformat(),
        smoothing_years=cap.method_change_smoothing_years,
        forecast_rate_volatility=cap.forecast_rate_volatility,
        tree=tree,
    )
    rng = np.random.default_rng([PROGRESS_PATH_SEED, int(config.sampler.seed)])
    path = _progress_paths(_rate_at(view, view.vintage_years), view.forecast_rate_volatility, rng)
    return replace(view, progress_path=path)


def _rate_at(view: PosteriorView, years: float) -> np.ndarray:
    """Rate of method progress (dex/year) at ``years``, per sample."""
    from scipy.special import expit as sigmoid

    hinge = sigmoid((years - view.values("method_change_year")) / view.smoothing_years)
    return view.values("algorithmic_progress") + view.values("post_training_rate") * hinge


def method_rate_at_vintage(view: PosteriorView) -> np.ndarray:
    """Rate of method progress (dex of effective compute per year) at the data vintage,
    shape (sample,): the rate every forecast path starts from."""
    return _rate_at(view, view.vintage_years)


def method_progress_draws(view: PosteriorView, years: np.ndarray | float) -> np.ndarray:
    """Method progress (dex of effective compute) at ``years`` since the reference date.

    Up to the data vintage this is the fitted curve (:func:`~riskmodel.capability.model.
    method_progress`); beyond it, each posterior draw continues from its rate at the
    vintage along a geometric random walk of the rate with volatility
    ``forecast_rate_volatility`` (one stored path per draw, so all predictions from a
    view agree), which widens the forecast with the horizon.

    Parameters
    ----------
    years
        Scalar, or an array whose first axis is ``sample`` (or broadcastable to it).

    Returns
    -------
    numpy.ndarray
        Shape (sample,) for scalar ``years``, else ``np.broadcast(years)`` with samples first.
    """
    t = np.asarray(years, dtype=float)
    n = view.n_samples
    tt = np.broadcast_to(t, (n,)) if t.ndim == 0 else t
    rows = np.arange(n).reshape((n,) + (1,) * (tt.ndim - 1))
    index, tt = np.broadcast_arrays(rows, tt)
    return method_progress_at(view, index, tt)


def method_progress_at(
    view: PosteriorView, sample_index: np.ndarray, years: np.ndarray
) -> np.ndarray:
    """Method progress (dex) of posterior draw ``sample_index[i]`` at ``years[i]``.

    For simulations that pair each simulated run with one posterior draw. Same curve
    and forecast paths as :func:`method_progress_draws`.

    Parameters
    ----------
    sample_index
        Integer posterior-sample indices, any shape.
    years
        Years since the reference date, same shape as ``sample_index``.

    Returns
    -------
    numpy.ndarray
        Same shape as ``years``, dex of effective compute.
    """
    idx = np.asarray(sample_index, dtype=int)
    t = np.asarray(years, dtype=float)
    rate = view.values("algorithmic_progress")[idx]
    post = view.values("post_training_rate")[idx]
    change = view.values("method_change_year")[idx]
    tv = view.vintage_years
    out = method_progress(np.minimum(t, tv), rate, post, change, view.smoothing_years)
    ahead = np.maximum(t - tv, 0.0)
    if view.progress_path is not None:
        grid = ahead / PROGRESS_PATH_STEP
        lo = np.clip(np.floor(grid).astype(int), 0, view.progress_path.shape[1] - 2)
        frac = np.clip(grid - lo, 0.0, 1.0)
        path = view.progress_path
        out = out + path[idx, lo] * (1 - frac) + path[idx, lo + 1] * frac
    else:
        out = out + _rate_at(view, tv)[idx] * ahead
    return out


def progress_with_reasoning_at(
    view: PosteriorView, sample_index: np.ndarray, years: np.ndarray | float
) -> np.ndarray:
    """Method progress plus, for models released on or after ``reasoning_since``, the
    reasoning gain (dex) of posterior draws ``sample_index`` at ``years`` since the
    reference date (broadcast to the shape of ``sample_index``)."""
    idx = np.asarray(sample_index, dtype=int)
    t = np.broadcast_to(np.asarray(years, dtype=float), idx.shape)
    out = method_progress_at(view, idx, t)
    if view.reasoning_since is not None:
        since = float(years_since(view.reasoning_since, view.reference_date))
        out = out + view.values("reasoning_gain")[idx] * (t >= since)
    return out


def _is_reasoning(view: PosteriorView, date: str, reasoning: bool | None) -> bool:
    if reasoning is not None:
        return reasoning
    return view.reasoning_since is not None and date >= view.reasoning_since


def capability_draws(
    view: PosteriorView,
    *,
    date: str,
    flop: float | None = None,
    frontier: bool = False,
    reasoning: bool | None = None,
    window_years: float = 1.0,
    rng: np.random.Generator,
) -> np.ndarray:
    """Posterior predictive capability of a new model.

    Parameters
    ----------
    view
        From :func:`posterior_view`.
    date
        Release date, YYYY-MM-DD.
    flop
        Training compute in FLOP (taken as exact). Exclusive with ``frontier``.
    frontier
        The **best model released in the ``window_years`` up to ``date``** instead
        (see :func:`frontier_capability_draws`).
    reasoning
        Whether the model is reasoning-trained; ``None``: yes from the first
        reasoning-trained release in the evidence on.
    window_years
        Window of the frontier's best-of (years).
    rng
        Random generator for the model-specific deviations.

    Returns
    -------
    numpy.ndarray
        Shape (sample,), capability in dex of effective compute.
    """
    if (flop is None) == (not frontier):
        raise RiskmodelError("give exactly one of a training FLOP value or frontier=True")
    if frontier:
        return frontier_capability_draws(
            view, date=date, window_years=window_years, reasoning=reasoning, rng=rng
        )
    if not (flop > 0 and np.isfinite(flop)):
        raise RiskmodelError(f"training FLOP must be a positive number, got {flop}")
    t = float(years_since(date, view.reference_date))
    n = view.n_samples
    gain = view.values("reasoning_gain") if _is_reasoning(view, date, reasoning) else 0.0
    return (
        np.log10(flop)
        - view.reference_log10_flop
        + method_progress_draws(view, t)
        + gain
        + view.values("capability_scatter") * rng.standard_normal(n)
    )


def frontier_log10_flop_draws(view: PosteriorView, years: np.ndarray) -> np.ndarray:
    """Expected log10 FLOP of a frontier-flagged model at ``years`` (sample-first array)."""
    shape = (view.n_samples,) + (1,) * (np.ndim(years) - 1)
    v = {
        k: view.values(k).reshape(shape)
        for k in (
            "compute_trend_level",
            "compute_trend_slope",
            "frontier_slope_offset",
            "frontier_offset",
        )
    }
    return (
        v["compute_trend_level"]
        + (v["compute_trend_slope"] + v["frontier_slope_offset"]) * years
        + v["frontier_offset"]
    )


def frontier_capability_draws(
    view: PosteriorView,
    *,
    date: str,
    window_years: float = 1.0,
    reasoning: bool | None = None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Capability of the best model released in the ``window_years`` up to ``date``.

    The frontier is the best model, not a typical one (DOMAIN.md section 6). Per posterior
    draw, the number of frontier releases in the window is Poisson with mean
    ``frontier_release_rate * window_years`` (at least one), their release dates are
    uniform in the window, each has log10 FLOP from the frontier compute trend (with the
    frontier scatter) and capability from the capability model (method progress,
    reasoning gain, model scatter); the best of them is returned.

    Returns
    -------
    numpy.ndarray
        Shape (sample,), capability in dex of effective compute.
    """
    if not window_years > 0:
        raise RiskmodelError(f"window_years must be positive, got {window_years}")
    n = view.n_samples
    t_end = float(years_since(date, view.reference_date))
    counts = np.maximum(rng.poisson(view.frontier_release_rate * window_years, size=n), 1)
    k = int(counts.max())
    times = t_end - window_years * rng.random((n, k))
    flop = frontier_log10_flop_draws(view, times) + view.values("frontier_scatter")[
        :, None
    ] * rng.standard_normal((n, k))
    reasoning_on = np.zeros((n, k), dtype=bool)
    if reasoning is None and view.reasoning_since is not None:
        since = float(years_since(view.reasoning_since, view.reference_date))
        reasoning_on = times >= since
    elif reasoning:
        reasoning_on[:] = True
    capability = (
        flop
        - view.reference_log10_flop
        + method_progress_draws(view, times)
        + view.values("reasoning_gain")[:, None] * reasoning_on
        + view.values("capability_scatter")[:, None] * rng.standard_normal((n, k))
    )
    capability[np.arange(k)[None, :] >= counts[:, None]] = -np.inf
    return capability.max(axis=1)


def fitted_capability_draws(view: PosteriorView, model: str) -> np.ndarray:
    """Posterior capability of a model that is in the fit, by name.

    Returns
    -------
    numpy.ndarray
        Shape (sample,), capability in dex of effective compute.
    """
    names = view.draws["capability"]["model"].values.tolist()
    if model not in names:
        from difflib import get_close_matches

        close = get_close_matches(model, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise RiskmodelError(f"model '{model}' is not in this fit{hint}")
    return np.asarray(view.draws["capability"].sel(model=model).values)


def forecast_harness(view: PosteriorView, benchmark: str) -> str:
    """The harness a forecast of ``benchmark`` (a slug or an instrument key) is for."""
    if benchmark in view.instruments:
        return view.instruments[benchmark].reference_harness
    harness = view.tasks.loc[view.tasks["suite"] == benchmark, "harness"]
    return str(harness.iloc[0]) if len(harness) else "unknown"


def _check_benchmark(view: PosteriorView, benchmark: str) -> None:
    aggregate = "benchmark" in view.draws.coords and benchmark in view.draws["benchmark"].values
    suite = benchmark in set(view.tasks["suite"])
    if not (aggregate or suite):
        known = sorted(set(view.draws["benchmark"].values.tolist()) | set(view.tasks["suite"]))
        raise RiskmodelError(
            f"benchmark '{benchmark}' has no fitted parameters in this fit; "
            f"fitted benchmarks: {', '.join(known)}"
        )


def benchmark_fraction_draws(
    view: PosteriorView,
    benchmark: str,
    capability: np.ndarray,
    *,
    rng: np.random.Generator,
) -> np.ndarray:
    """Posterior predictive fraction of a benchmark's tasks solved.

    For benchmarks with aggregate results the item-response curve and the
    beta-binomial over the benchmark's ``n_tasks`` are used; for task suites known only
    from task-level runs, each of the suite's tasks is attempted once.

    Parameters
    ----------
    capability
        Shape (sample,), from :func:`capability_draws`.

    Returns
    -------
    numpy.ndarray
        Shape (sample,), fraction solved in [0, 1].
    """
    _check_benchmark(view, benchmark)
    if "benchmark" in view.draws.coords and benchmark in view.draws["benchmark"].values:
        sel = {"benchmark": benchmark}
        a = view.draws["discrimination"].sel(sel).values
        b = view.draws["difficulty"].sel(sel).values
        lapse = view.draws["lapse"].sel(sel).values
        phi = view.draws["overdispersion"].sel(sel).values
        info = view.benchmark_info(benchmark)
        chance, n_tasks = float(info["chance"]), int(info["n_tasks"])
        p = chance + (1 - lapse - chance) * expit(a * (capability - b))
        p = np.clip(p, 1e-9, 1 - 1e-9)
        q = rng.beta(p * phi, (1 - p) * phi)
        return rng.binomial(n_tasks, q) / n_tasks
    task_ids = view.tasks.loc[view.tasks["suite"] == benchmark, "task_id"].tolist()
    probs = task_success_probability(view, capability, task_ids=task_ids)
    return (rng.random(probs.shape) < probs).mean(axis=1)


def task_success_probability(
    view: PosteriorView, capability: np.ndarray, *, task_ids: list[str]
) -> np.ndarray:
    """P(success) of a model on each fitted task.

    Returns
    -------
    numpy.ndarray
        Shape (sample, task).
    """
    domain = view.tasks.set_index("task_id").loc[task_ids, "domain"].to_numpy()
    alpha = view.draws["task_discrimination"].sel(task_domain=xr.DataArray(domain, dims="task"))
    difficulty = view.draws["task_difficulty"].sel(task=task_ids)
    alpha = alpha.transpose("sample", "task").values
    difficulty = difficulty.transpose("sample", "task").values
    return expit(alpha * (capability[:, None] - difficulty))


def time_horizon_minutes(
    view: PosteriorView,
    capability: np.ndarray,
    *,
    suite: str,
    success_probability: float = 0.5,
) -> np.ndarray:
    """Human completion time (minutes) of a typical task of ``suite`` that a model of
    the given capability solves with ``success_probability``.

    Returns
    -------
    numpy.ndarray
        Shape (sample,), minutes.
    """
    if suite not in set(view.tasks["suite"]):
        raise RiskmodelError(f"'{suite}' is not a task suite of this fit")
    if not 0 < success_probability < 1:
        raise RiskmodelError("success_probability must lie strictly between 0 and 1")
    domain = str(view.tasks.loc[view.tasks["suite"] == suite, "domain"].iloc[0])
    d = TASK_DOMAINS.index(domain)
    alpha = view.values("task_discrimination")[:, d]
    slope = view.values("horizon_slope")[:, d]
    offset = view.draws["horizon_offset"].sel(suite=suite).values
    logit = np.log(success_probability / (1 - success_probability))
    return 10 ** ((capability - offset - logit / alpha) / slope)


def forecast(
    fit: xr.DataTree | str | Path | PosteriorView,
    *,
    benchmark: str,
    date: str,
    flop: float | None = None,
    frontier: bool = False,
    window_years: float = 1.0,
    seed: int = 0,
) -> dict[str, object]:
    """Posterior predictive summary of a benchmark's fraction solved for a new model.

    Parameters
    ----------
    fit
        Fitted DataTree, path to a fit file, or a :class:`PosteriorView` (fastest when
        forecasting many times from one fit).
    benchmark
        Benchmark slug (see ``riskmodel benchmarks``).
    date
        Release date, YYYY-MM-DD.
    flop
        Training compute (FLOP); or ``frontier=True`` for the frontier: the best model
        released in the ``window_years`` up to ``date``.
    window_years
        Window of the frontier's best-of (years).
    seed
        Seed of the predictive noise.

    Returns
    -------
    dict
        Keys ``benchmark``, ``harness`` (the harness the forecast is for: the
        instrument's reference harness), ``date``, ``flop`` (None for frontier), ``mean``, ``q05``,
        ``q25``, ``q50``, ``q75``, ``q95`` (fractions in [0, 1]).
    """
    parse_date(date, what="date")
    view = posterior_view(fit)
    _check_benchmark(view, benchmark)
    rng = np.random.default_rng(seed)
    capability = capability_draws(
        view, date=date, flop=flop, frontier=frontier, window_years=window_years, rng=rng
    )
    fraction = benchmark_fraction_draws(view, benchmark, capability, rng=rng)
    quantiles = np.quantile(fraction, FORECAST_QUANTILES)
    return {
        "benchmark": benchmark,
        "harness": forecast_harness(view, benchmark),
        "date": date,
        "flop": None if frontier else float(flop),
        "mean": float(fraction.mean()),
        **{
            f"q{round(q * 100):02d}": float(v)
            for q, v in zip(FORECAST_QUANTILES, quantiles, strict=True)
        },
    }
