"""Posterior predictions from a fitted capability model.

Computation only (no printing, no plotting). All functions take the fitted DataTree
(from :func:`riskmodel.fit` or :func:`riskmodel.load_fit`) and return numpy arrays over
posterior samples (``sample`` = chain x draw, flattened) or plain summaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import expit

from riskmodel.capability.data import TASK_DOMAINS, years_since
from riskmodel.capability.store import fit_config, fit_evidence, load_fit
from riskmodel.errors import RiskmodelError

__all__ = [
    "PosteriorView",
    "posterior_view",
    "capability_draws",
    "fitted_capability_draws",
    "benchmark_fraction_draws",
    "task_success_probability",
    "time_horizon_minutes",
    "forecast",
    "FORECAST_QUANTILES",
]

#: Quantiles reported by :func:`forecast`.
FORECAST_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


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
        Latest release date in the fitted evidence.
    """

    draws: xr.Dataset
    reference_date: str
    reference_log10_flop: float
    benchmarks: pd.DataFrame
    tasks: pd.DataFrame
    data_vintage: str

    @property
    def n_samples(self) -> int:
        """Number of posterior samples."""
        return int(self.draws.sizes["sample"])

    def values(self, name: str) -> np.ndarray:
        """Draws of ``name`` as an array with the sample axis first."""
        return np.asarray(self.draws[name].transpose("sample", ...).values)


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
        tasks = runs.groupby("task_id", sort=True).agg(suite=("benchmark", "first")).reset_index()
        tasks["domain"] = tasks["suite"].map(evidence.benchmarks["domain"])
    else:
        tasks = pd.DataFrame({"task_id": [], "suite": [], "domain": []})
    return PosteriorView(
        draws=draws,
        reference_date=config.capability.reference_date,
        reference_log10_flop=config.capability.reference_log10_flop,
        benchmarks=evidence.benchmarks,
        tasks=tasks,
        data_vintage=str(tree.attrs.get("data_vintage", evidence.vintage)),
    )


def capability_draws(
    view: PosteriorView,
    *,
    date: str,
    flop: float | None = None,
    frontier: bool = False,
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
        Use a model at the compute frontier on ``date`` instead: its log10 FLOP is drawn
        from the fitted trend for frontier-flagged models, scatter included.
    rng
        Random generator for the model-specific deviations.

    Returns
    -------
    numpy.ndarray
        Shape (sample,), capability in dex of effective compute.
    """
    if (flop is None) == (not frontier):
        raise RiskmodelError("give exactly one of a training FLOP value or frontier=True")
    t = float(years_since(date, view.reference_date))
    n = view.n_samples
    if frontier:
        log10_flop = (
            view.values("compute_trend_level")
            + view.values("compute_trend_slope") * t
            + view.values("frontier_offset")
            + view.values("compute_trend_scatter") * rng.standard_normal(n)
        )
    else:
        if not (flop > 0 and np.isfinite(flop)):
            raise RiskmodelError(f"training FLOP must be a positive number, got {flop}")
        log10_flop = np.full(n, np.log10(flop))
    return (
        log10_flop
        + view.values("algorithmic_progress") * t
        - view.reference_log10_flop
        + view.values("capability_scatter") * rng.standard_normal(n)
    )


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
        chance = float(view.benchmarks.loc[benchmark, "chance"])
        n_tasks = int(view.benchmarks.loc[benchmark, "n_tasks"])
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
        Training compute (FLOP); or ``frontier=True`` for the frontier model on ``date``.
    seed
        Seed of the predictive noise.

    Returns
    -------
    dict
        Keys ``benchmark``, ``date``, ``flop`` (None for frontier), ``mean``, ``q05``,
        ``q25``, ``q50``, ``q75``, ``q95`` (fractions in [0, 1]).
    """
    try:
        pd.Timestamp(date)
        if len(date) != len("YYYY-MM-DD"):
            raise ValueError
    except ValueError:
        raise RiskmodelError(f"date must be YYYY-MM-DD, got '{date}'") from None
    view = posterior_view(fit)
    _check_benchmark(view, benchmark)
    rng = np.random.default_rng(seed)
    capability = capability_draws(view, date=date, flop=flop, frontier=frontier, rng=rng)
    fraction = benchmark_fraction_draws(view, benchmark, capability, rng=rng)
    quantiles = np.quantile(fraction, FORECAST_QUANTILES)
    return {
        "benchmark": benchmark,
        "date": date,
        "flop": None if frontier else float(flop),
        "mean": float(fraction.mean()),
        **{
            f"q{round(q * 100):02d}": float(v)
            for q, v in zip(FORECAST_QUANTILES, quantiles, strict=True)
        },
    }
