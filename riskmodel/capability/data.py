"""Turn :class:`~riskmodel.evidence.Evidence` into the arrays the capability model needs.

This is the only place that knows both the evidence tables and the model's index
structure; the PyMC model itself (``model.py``) sees plain arrays and coordinates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel._time import years_since
from riskmodel.config import CapabilityConfig
from riskmodel.errors import ConfigError, EvidenceError
from riskmodel.evidence import Evidence
from riskmodel.evidence.schema import HARNESS_KINDS

__all__ = [
    "CapabilityData",
    "Instrument",
    "fitted_results",
    "instruments",
    "prepare_capability_data",
]

#: Task-suite domains whose runs share a time-horizon slope and discrimination.
TASK_DOMAINS = ("cyber", "software")


@dataclass(frozen=True)
class Instrument:
    """One measuring instrument: a benchmark read through one kind of harness.

    A base model's 5-shot log-likelihood score and a chat model's or an agent's score on
    the same benchmark are different instruments, each with its own difficulty,
    discrimination, ceiling and overdispersion.

    Attributes
    ----------
    key
        Coordinate value on the fitted ``benchmark`` dim: the benchmark slug for the
        benchmark's primary harness kind (the kind with most fitted results), else
        ``"<benchmark>@<kind>"``.
    benchmark, kind
        Benchmark slug and harness kind (``base_few_shot``, ``chat``, ``agent``).
    reference_harness
        The harness a forecast of this instrument is for: the one with most fitted
        results (ties: alphabetical). Other harnesses of the instrument get a fitted
        offset (``harness_offset``) relative to it.
    harnesses
        All harnesses of the instrument in the fitted results.
    """

    key: str
    benchmark: str
    kind: str
    reference_harness: str
    harnesses: tuple[str, ...]


def instruments(results: pd.DataFrame, harnesses: pd.DataFrame) -> list[Instrument]:
    """The instruments of a set of fitted results, sorted by key.

    Parameters
    ----------
    results
        Fitted results (:func:`fitted_results`): ``benchmark`` and ``harness`` columns.
    harnesses
        Harness registry (``Evidence.harnesses``, index slug, column ``kind``).
    """
    if results.empty:
        return []
    kinds = results["harness"].map(harnesses["kind"]).fillna("chat").astype(str)
    table = pd.DataFrame(
        {"benchmark": results["benchmark"], "kind": kinds, "h": results["harness"]}
    )
    out = []
    for bench, rows in table.groupby("benchmark", sort=True):
        by_kind = rows.groupby("kind").size()
        primary = sorted(by_kind.index, key=lambda k: (-by_kind[k], k))[0]
        for kind, group in rows.groupby("kind", sort=True):
            counts = group.groupby("h").size()
            ordered = sorted(counts.index, key=lambda h: (-counts[h], h))
            key = bench if kind == primary else f"{bench}@{kind}"
            out.append(Instrument(key, str(bench), str(kind), ordered[0], tuple(ordered)))
    return sorted(out, key=lambda i: i.key)


#: Anchor groups: instruments of base models (few-shot harnesses), chat and agent
#: instruments, and task suites. The groups share few or no models, so the likelihood
#: says little about where one group's capabilities and difficulties sit relative to
#: another's; each group's common level is therefore one parameter of its own.
ANCHOR_GROUPS = ("base_models", "chat_and_agents", "task_suites")


def anchor_groups(
    instrument_list: list[Instrument],
    n_suite: int,
    result_model: np.ndarray,
    result_instrument: np.ndarray,
    cell_model: np.ndarray,
    n_model: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Assign models, instruments and task suites to anchor groups.

    Instruments go by harness kind (``base_few_shot`` -> base models, else chat and
    agents), suites to the task-suite group, and each model to the group holding most of
    its observations (aggregate results count one each; task-level cells count one each).

    Returns
    -------
    (model_group, benchmark_group, suite_group)
        Integer indices into :data:`ANCHOR_GROUPS`.
    """
    bench_group = np.array([0 if i.kind == "base_few_shot" else 1 for i in instrument_list], int)
    suite_group = np.full(n_suite, 2, dtype=int)
    votes = np.zeros((n_model, len(ANCHOR_GROUPS)))
    if len(result_model):
        np.add.at(votes, (result_model, bench_group[result_instrument]), 1.0)
    np.add.at(votes[:, 2], cell_model, 1.0)
    return np.argmax(votes, axis=1), bench_group, suite_group


def _informative_results(results: pd.DataFrame, registry: pd.DataFrame) -> np.ndarray:
    """Whether each result lies 10-95% of the way from chance to a perfect score, where
    it says something about the model's capability (at the chance floor or the ceiling
    it says little)."""
    if results.empty:
        return np.zeros(0, dtype=bool)
    chance = results["benchmark"].map(registry["chance"]).to_numpy(float)
    score = results["n_solved_effective"].to_numpy(float) / results["n_tasks"].to_numpy(float)
    position = (score - chance) / np.maximum(1.0 - chance, 1e-9)
    return (position >= 0.1) & (position <= 0.95)


@dataclass(frozen=True)
class CapabilityData:
    """Arrays for the capability model.

    Dims (coordinate names): ``model`` (models with evidence), ``trend_model`` (other
    language models with known FLOP that only inform the compute trend),
    ``benchmark`` (instruments: benchmark x harness kind, see :class:`Instrument`),
    ``harness_effect`` (non-reference harnesses of instruments with several),
    ``anchor_group`` (groups of instruments sharing models, see :func:`anchor_groups`),
    ``result`` (aggregate results),
    ``suite`` (task suites), ``task`` (distinct tasks), ``cell`` (model x task counts),
    ``task_domain`` (``cyber``, ``software``).
    """

    coords: dict[str, list[str]]
    # per model
    model_years: np.ndarray  # (model,) years since reference date
    model_log10_flop: np.ndarray  # (model,) observed log10 FLOP, NaN if unknown
    model_flop_sd: np.ndarray  # (model,) measurement sd (dex), NaN if unknown
    model_frontier: np.ndarray  # (model,) 0/1
    model_reasoning: np.ndarray  # (model,) 0/1 trained for reasoning (RL on chains of thought)
    model_group: np.ndarray  # (model,) int index into anchor_group
    model_informative_results: np.ndarray  # (model,) results 10-95% from chance to 1
    model_informative_cells: np.ndarray  # (model,) task cells with mixed outcomes
    # trend-only models
    trend_years: np.ndarray  # (trend_model,)
    trend_log10_flop: np.ndarray  # (trend_model,)
    trend_flop_sd: np.ndarray  # (trend_model,)
    trend_frontier: np.ndarray  # (trend_model,)
    # aggregate benchmark results
    result_model: np.ndarray  # (result,) int index into model
    result_benchmark: np.ndarray  # (result,) int index into benchmark (instrument)
    result_harness: np.ndarray  # (result,) int index into harness_effect, -1 = reference
    result_n: np.ndarray  # (result,) tasks attempted
    result_k: np.ndarray  # (result,) tasks solved
    benchmark_chance: np.ndarray  # (benchmark,) probability
    benchmark_group: np.ndarray  # (benchmark,) int index into anchor_group
    # task-level runs, aggregated to (model, task) cells
    cell_model: np.ndarray  # (cell,) int
    cell_task: np.ndarray  # (cell,) int
    cell_n: np.ndarray  # (cell,) runs
    cell_k: np.ndarray  # (cell,) successes
    task_suite: np.ndarray  # (task,) int index into suite
    task_log10_minutes: np.ndarray  # (task,) log10 human completion minutes
    suite_domain: np.ndarray  # (suite,) int index into task_domain
    suite_group: np.ndarray  # (suite,) int index into anchor_group
    task_runs: np.ndarray  # (task,) runs of the task over all models
    suite_members: np.ndarray  # (suite, model) bool: the model has runs of the suite
    suite_typical_log10_minutes: np.ndarray  # (suite,) median log10 minutes of its tasks

    @property
    def suite_models(self) -> np.ndarray:
        """Distinct models with runs of each suite (int, dims suite)."""
        return self.suite_members.sum(axis=1)

    @property
    def has_tasks(self) -> bool:
        """Whether any task-level runs are present."""
        return len(self.coords["cell"]) > 0

    @property
    def has_results(self) -> bool:
        """Whether any aggregate benchmark results are present."""
        return len(self.coords["result"]) > 0


def _flop_sd(confidence: pd.Series, config: CapabilityConfig) -> np.ndarray:
    return np.array(confidence.map(lambda c: config.flop_sd_dex.get(str(c), np.nan)), dtype=float)


def _trend_mask(models: pd.DataFrame, config: CapabilityConfig) -> pd.Series:
    """Models that inform the compute trend (boolean, indexed like ``models``).

    Rows that are only on Epoch's large-scale list (``epoch_lists == "large_scale"``) are
    left out: that list holds models believed trained with >= 1e23 FLOP, a sample
    truncated from below, which would pull the trend up. Notable models and models from
    other sources inform it.
    """
    domain = models["domain"].fillna("").astype(str)
    in_domain = np.zeros(len(models), dtype=bool)
    for label in config.trend_domains:
        in_domain |= domain.str.contains(label, regex=False).to_numpy()
    if "epoch_lists" in models.columns:
        lists = models["epoch_lists"].fillna("").astype(str)
        in_domain &= (lists != "large_scale").to_numpy()
    return (
        pd.Series(in_domain, index=models.index)
        & models["training_flop"].notna()
        & models["release_date"].notna()
        & (models["release_date"] >= pd.Timestamp(config.trend_start_date))
        & models["flop_confidence"].isin(list(config.flop_sd_dex))
    )


def fitted_results(results: pd.DataFrame, config: CapabilityConfig) -> pd.DataFrame:
    """The aggregate results the capability model is fitted to: one per
    (model, benchmark, harness).

    Benchmarks in ``config.excluded_benchmarks`` are left out. Where a model was evaluated
    at several reasoning-effort settings (``effort``: e.g. ``medium`` and ``high``, or
    thinking budgets ``16k``/``32k``) under one harness, the best-scoring setting is kept:
    the model's capability is read as what it does under its strongest evaluated setting
    (the bill asks what a model *can* be used to do). Ties keep the first row in table
    order. The other settings stay in the evidence; they are not independent measurements
    of one fixed capability, so fitting them all would overstate the evidence.

    Parameters
    ----------
    results
        Canonical results table (``Evidence.results``).
    config
        Capability configuration (``excluded_benchmarks``).

    Returns
    -------
    pandas.DataFrame
        The kept rows, in their original order.
    """
    kept = results[~results["benchmark"].isin(config.excluded_benchmarks)]
    if "effort" not in kept.columns or kept.empty:
        return kept
    key = ["model", "benchmark", "harness"]
    order = kept.assign(_row=np.arange(len(kept))).sort_values(
        ["score", "_row"], ascending=[False, True], kind="stable"
    )
    best = order.drop_duplicates(key, keep="first")["_row"].to_numpy()
    return kept.iloc[np.sort(best)]


def _check_pivot_benchmarks(evidence: Evidence, config: CapabilityConfig) -> None:
    """Refuse ``config.pivot_benchmarks`` names that no instrument of the evidence can have.

    A name is a benchmark slug of the registry (``Evidence.benchmarks``), optionally
    followed by ``@`` and a harness kind (:data:`~riskmodel.evidence.schema.HARNESS_KINDS`:
    ``mmlu``, ``frontiermath@chat``): the instrument keys of :func:`instruments`. A known name
    without results in this fit (an early backtest cutoff) is allowed and pivots nothing.

    Raises
    ------
    ConfigError
        Naming the unknown entries, the benchmarks and the harness kinds.
    """
    if config.pivot_benchmarks is None:
        return
    unknown = []
    for name in config.pivot_benchmarks:
        bench, at, kind = name.partition("@")
        if bench not in evidence.benchmarks.index or (at and kind not in HARNESS_KINDS):
            unknown.append(name)
    if unknown:
        raise ConfigError(
            f"capability.pivot_benchmarks: {', '.join(map(repr, unknown))} names no benchmark "
            f"of the evidence; use a benchmark slug ({', '.join(evidence.benchmarks.index[:8])}, "
            f"...), optionally '@' and a harness kind ({', '.join(HARNESS_KINDS)})"
        )


def prepare_capability_data(evidence: Evidence, config: CapabilityConfig) -> CapabilityData:
    """Index the evidence for the capability model.

    Parameters
    ----------
    evidence
        Validated evidence (shipped tables plus any researcher files).
    config
        Capability-model configuration (reference date, FLOP measurement sd, trend filter).

    Returns
    -------
    CapabilityData

    Raises
    ------
    ConfigError
        ``config.pivot_benchmarks`` names a benchmark the evidence does not declare.
    EvidenceError
        The evidence holds nothing to fit, or a model with evidence has no release date.
    """
    _check_pivot_benchmarks(evidence, config)
    models = evidence.models
    results = fitted_results(evidence.results, config)
    used = results["model"]
    names = [
        m for m in evidence.evidence_models() if m in set(used) | set(evidence.task_runs["model"])
    ]
    if not names:
        raise EvidenceError("the evidence holds no benchmark results or task runs to fit")
    ev_models = models.loc[names]
    missing_date = ev_models.index[ev_models["release_date"].isna()]
    if len(missing_date):
        raise EvidenceError(
            f"models with evidence but no release_date: {', '.join(missing_date[:5])}"
        )
    model_pos = {name: i for i, name in enumerate(names)}

    log10_flop = np.log10(np.array(ev_models["training_flop"], dtype=float))
    flop_sd = _flop_sd(ev_models["flop_confidence"], config)
    flop_sd[~np.isfinite(log10_flop)] = np.nan
    log10_flop[~np.isfinite(flop_sd)] = np.nan

    trend = models[_trend_mask(models, config) & ~models.index.isin(names)]

    registry = evidence.benchmarks
    instrument_list = instruments(results, evidence.harnesses)
    bench_names = [i.key for i in instrument_list]
    instrument_of = {
        (i.benchmark, h): n for n, i in enumerate(instrument_list) for h in i.harnesses
    }
    effect_names = [
        f"{i.key}|{h}" for i in instrument_list for h in i.harnesses if h != i.reference_harness
    ]
    effect_pos = {name: n for n, name in enumerate(effect_names)}
    result_instrument = np.array(
        [
            instrument_of[(b, h)]
            for b, h in zip(results["benchmark"], results["harness"], strict=True)
        ],
        dtype=int,
    )
    result_harness = np.array(
        [
            effect_pos.get(f"{bench_names[i]}|{h}", -1)
            for i, h in zip(result_instrument, results["harness"], strict=True)
        ],
        dtype=int,
    )
    model_years = years_since(ev_models["release_date"], config.reference_date)

    runs = evidence.task_runs
    if len(runs):
        cells = (
            runs.groupby(["model", "task_id"], sort=True)
            .agg(n=("success", "size"), k=("success", "sum"))
            .reset_index()
        )
        tasks = (
            runs.groupby("task_id", sort=True)
            .agg(suite=("benchmark", "first"), minutes=("human_minutes", "median"))
            .reset_index()
        )
        suite_names = sorted(tasks["suite"].unique())
    else:
        cells = pd.DataFrame({"model": [], "task_id": [], "n": [], "k": []})
        tasks = pd.DataFrame({"task_id": [], "suite": [], "minutes": []})
        suite_names = []
    task_pos = {t: i for i, t in enumerate(tasks["task_id"])}
    suite_pos = {s: i for i, s in enumerate(suite_names)}
    suite_domain = []
    for suite in suite_names:
        domain = str(registry.loc[suite, "domain"])
        if domain not in TASK_DOMAINS:
            raise EvidenceError(
                f"task suite '{suite}' has domain '{domain}'; task-level runs are modelled "
                f"for domains {', '.join(TASK_DOMAINS)} only"
            )
        suite_domain.append(TASK_DOMAINS.index(domain))

    cell_model = cells["model"].map(model_pos).to_numpy(int)
    cell_task = cells["task_id"].map(task_pos).to_numpy(int)
    task_suite = tasks["suite"].map(suite_pos).to_numpy(int)
    result_model = results["model"].map(model_pos).to_numpy(int)
    model_group, bench_group, suite_group = anchor_groups(
        instrument_list, len(suite_names), result_model, result_instrument, cell_model, len(names)
    )
    informative = _informative_results(results, registry)
    mixed = ((cells["k"] > 0) & (cells["k"] < cells["n"])).to_numpy(float)
    task_runs = np.bincount(cell_task, weights=cells["n"].to_numpy(float), minlength=len(tasks))
    task_log10_minutes = np.log10(tasks["minutes"].to_numpy(float))
    cell_suite = task_suite[cell_task]
    suite_members = np.zeros((len(suite_names), len(names)), dtype=bool)
    suite_members[cell_suite, cell_model] = True
    suite_typical = np.array(
        [np.median(task_log10_minutes[task_suite == s]) for s in range(len(suite_names))],
        dtype=float,
    )
    coords = {
        "anchor_group": list(ANCHOR_GROUPS),
        "model": list(names),
        "trend_model": list(trend.index),
        "benchmark": bench_names,
        "harness_effect": effect_names,
        "result": [
            f"{m}|{b}|{h}"
            for m, b, h in results[["model", "benchmark", "harness"]].itertuples(index=False)
        ],
        "suite": suite_names,
        "task": list(tasks["task_id"]),
        "cell": [f"{m}|{t}" for m, t in cells[["model", "task_id"]].itertuples(index=False)],
        "task_domain": list(TASK_DOMAINS),
    }
    return CapabilityData(
        coords=coords,
        model_years=model_years,
        model_log10_flop=log10_flop,
        model_flop_sd=flop_sd,
        model_frontier=ev_models["frontier"].to_numpy(dtype=float),
        model_reasoning=ev_models["reasoning_trained"].fillna(False).to_numpy(dtype=float)
        if "reasoning_trained" in ev_models.columns
        else np.zeros(len(ev_models)),
        trend_years=years_since(trend["release_date"], config.reference_date),
        trend_log10_flop=np.log10(trend["training_flop"].to_numpy(float)),
        trend_flop_sd=_flop_sd(trend["flop_confidence"], config),
        trend_frontier=trend["frontier"].to_numpy(dtype=float),
        result_model=result_model,
        result_benchmark=result_instrument,
        result_harness=result_harness,
        result_n=results["n_tasks"].to_numpy(int),
        result_k=results["n_solved_effective"].to_numpy(int),
        benchmark_chance=registry.loc[[i.benchmark for i in instrument_list], "chance"].to_numpy(
            float
        )
        if instrument_list
        else np.zeros(0),
        cell_model=cell_model,
        cell_task=cell_task,
        cell_n=cells["n"].to_numpy(int),
        cell_k=cells["k"].to_numpy(int),
        task_suite=task_suite,
        task_log10_minutes=task_log10_minutes,
        suite_domain=np.asarray(suite_domain, dtype=int),
        suite_group=suite_group,
        task_runs=task_runs.astype(int),
        suite_members=suite_members,
        suite_typical_log10_minutes=suite_typical,
        model_group=model_group,
        model_informative_results=np.bincount(
            result_model, weights=informative.astype(float), minlength=len(names)
        ).astype(int),
        model_informative_cells=np.bincount(cell_model, weights=mixed, minlength=len(names)).astype(
            int
        ),
        benchmark_group=bench_group,
    )
