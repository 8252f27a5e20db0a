"""Capability model: data preparation, prior predictive, fitting, storage, prediction."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
import xarray as xr

from riskmodel.capability.checks import prior_predictive_coverage, sample_prior_predictive
from riskmodel.capability.data import (
    ANCHOR_GROUPS,
    CapabilityData,
    fitted_results,
    instruments,
    prepare_capability_data,
)
from riskmodel.capability.diagnostics import compute_diagnostics
from riskmodel.capability.model import (
    _zero_sum_basis,
    build_capability_model,
    difficulty_pivots,
    method_progress,
    model_anchored_suites,
)
from riskmodel.capability.predict import (
    benchmark_fraction_draws,
    capability_draws,
    fitted_capability_draws,
    forecast,
    frontier_capability_draws,
    posterior_view,
    time_horizon_minutes,
)
from riskmodel.capability.sampling import (
    fit_evidence_model,
    gated_variables,
    recompute_diagnostics,
    sample_model,
)
from riskmodel.capability.simulate import draw_truth, simulate_data
from riskmodel.capability.store import fit_evidence, load_fit, save_fit
from riskmodel.config import CapabilityConfig, FitConfig, default_config, load_config
from riskmodel.errors import ConfigError, ConvergenceError, FitFileError, RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.validation.splits import training_evidence

FORECAST_KEYS = [
    "benchmark",
    "harness",
    "date",
    "flop",
    "mean",
    "q05",
    "q25",
    "q50",
    "q75",
    "q95",
]
#: Reported quantities, the same in every parameterisation of the model.
REPORTED = ("capability", "difficulty", "horizon_offset", "task_difficulty", "harness_offset")


# ----------------------------------------------------------------------------- data


def test_prepared_data_indexes_shipped_evidence(shipped_evidence: Evidence) -> None:
    data = prepare_capability_data(shipped_evidence, default_config().capability)
    n_model = len(data.coords["model"])
    assert n_model == len(shipped_evidence.evidence_models())
    assert data.model_years.shape == data.model_log10_flop.shape == (n_model,)
    # unknown FLOP is NaN in both the value and its sd, known FLOP has a finite sd
    known = np.isfinite(data.model_log10_flop)
    assert np.array_equal(known, np.isfinite(data.model_flop_sd))
    assert 0 < known.sum() < n_model
    # trend-only models exclude models with evidence
    assert not set(data.coords["trend_model"]) & set(data.coords["model"])
    assert (data.result_k <= data.result_n).all()
    assert (data.cell_k <= data.cell_n).all()
    assert data.result_model.max() < n_model
    assert set(data.coords["suite"]) >= {"cybench", "hcast", "nl2bash"}


def test_suites_run_by_few_models_are_anchored_to_them(shipped_evidence: Evidence) -> None:
    """Per suite: the distinct models that ran it and its median log10 task minutes, read
    from the runs; suites run by at most ``suite_anchor_max_models`` models are the
    model-anchored ones (none in the shipped data; all before 2023-07-01)."""
    config = default_config().capability
    runs = shipped_evidence.task_runs
    data = prepare_capability_data(shipped_evidence, config)
    for k, suite in enumerate(data.coords["suite"]):
        rows = runs[runs["benchmark"] == suite]
        assert data.suite_models[k] == rows["model"].nunique(), suite
        minutes = rows.groupby("task_id")["human_minutes"].median()
        assert data.suite_typical_log10_minutes[k] == pytest.approx(
            np.median(np.log10(minutes.to_numpy(float)))
        ), suite
    assert not model_anchored_suites(data, config).any()
    early = prepare_capability_data(training_evidence(shipped_evidence, "2023-07-01"), config)
    assert early.suite_models.max() <= config.suite_anchor_max_models
    assert model_anchored_suites(early, config).all()
    at_count = config.model_copy(update={"suite_anchor_max_models": int(data.suite_models.min())})
    assert (
        model_anchored_suites(data, at_count).sum()
        == (data.suite_models == data.suite_models.min()).sum()
    )
    none = config.model_copy(update={"suite_anchor_max_models": 0})
    assert not model_anchored_suites(early, none).any()


def test_groups_with_one_centred_model_each_have_no_empty_parameter(
    shipped_evidence: Evidence,
) -> None:
    """Task runs known before 2023-07-01 without aggregate results: the one anchor group
    has one centred model, so there are no zero-sum deviations. The model must not hold an
    empty free variable (nutpie's gradient refused one: DisconnectedInputError)."""
    tables = training_evidence(shipped_evidence, "2023-07-01").to_tables()
    tables["results"] = tables["results"].iloc[:0]
    config = default_config().capability
    data = prepare_capability_data(Evidence.from_tables(tables), config)
    model = build_capability_model(data, config)
    point = model.initial_point()
    assert "capability_deviation" not in point
    assert "anchor_offset" in model.named_vars
    assert all(np.size(point[v.name]) > 0 for v in model.value_vars)


def test_instruments_split_benchmarks_by_harness_kind() -> None:
    harnesses = pd.DataFrame(
        {"kind": ["base_few_shot", "chat", "chat", "agent", "agent"]},
        index=["fewshot", "chat_b", "chat_a", "agent_x", "agent_y"],
    )
    rows = (
        [("bench", "fewshot")] * 3
        + [("bench", "chat_b")] * 2
        + [("bench", "chat_a")] * 2  # ties with chat_b: alphabetical order decides
        + [("bench", "agent_y")] * 2
        + [("bench", "agent_x")]
        + [("solo", "agent_x")]
        + [("solo", "unregistered")] * 2  # a harness not in the registry counts as chat
    )
    results = pd.DataFrame(rows, columns=["benchmark", "harness"])
    found = {i.key: i for i in instruments(results, harnesses)}
    # the kind with most results is the benchmark's primary instrument (its bare slug):
    # bench has 4 chat results against 3 few-shot and 3 agent ones
    assert (
        list(found)
        == sorted(found)
        == ["bench", "bench@agent", "bench@base_few_shot", "solo", "solo@agent"]
    )
    chat = found["bench"]
    assert (chat.benchmark, chat.kind) == ("bench", "chat")
    assert chat.reference_harness == "chat_a" and chat.harnesses == ("chat_a", "chat_b")
    agent = found["bench@agent"]
    assert agent.kind == "agent" and agent.reference_harness == "agent_y"
    assert agent.harnesses == ("agent_y", "agent_x")  # by count, most first
    assert found["bench@base_few_shot"].harnesses == ("fewshot",)
    assert found["solo"].kind == "chat" and found["solo"].reference_harness == "unregistered"
    assert found["solo@agent"].reference_harness == "agent_x"
    assert instruments(results.iloc[:0], harnesses) == []


def test_prepared_data_indexes_instruments_and_harness_effects(small_evidence: Evidence) -> None:
    config = default_config().capability
    data = prepare_capability_data(small_evidence, config)
    results = fitted_results(small_evidence.results, config)
    found = {i.key: i for i in instruments(results, small_evidence.harnesses)}
    assert data.coords["benchmark"] == sorted(found)
    # every non-reference harness of an instrument has one effect, and only those
    expected = [
        f"{i.key}|{h}" for i in found.values() for h in i.harnesses if h != i.reference_harness
    ]
    assert sorted(data.coords["harness_effect"]) == sorted(expected)
    assert data.coords["harness_effect"], "the small subset has several Cybench harnesses"
    for r, (bench, harness) in enumerate(results[["benchmark", "harness"]].itertuples(index=False)):
        instrument = found[data.coords["benchmark"][data.result_benchmark[r]]]
        assert instrument.benchmark == bench and harness in instrument.harnesses
        h = data.result_harness[r]
        if harness == instrument.reference_harness:
            assert h == -1
        else:
            assert data.coords["harness_effect"][h] == f"{instrument.key}|{harness}"
    # base-model instruments and chat/agent instruments are in different anchor groups
    kinds = np.array([found[k].kind for k in data.coords["benchmark"]])
    groups = np.asarray(ANCHOR_GROUPS)[data.benchmark_group]
    assert set(groups[kinds == "base_few_shot"]) == {"base_models"}
    assert set(groups[kinds != "base_few_shot"]) <= {"chat_and_agents"}


@pytest.mark.slow
def test_prior_predictive_covers_observed_range(shipped_evidence: Evidence) -> None:
    data = prepare_capability_data(shipped_evidence, default_config().capability)
    prior = sample_prior_predictive(data, default_config().capability, draws=400, seed=3)
    coverage = prior_predictive_coverage(prior, data)
    assert set(coverage.index) == set(data.coords["benchmark"])
    assert coverage["covered"].all(), coverage[~coverage["covered"]]
    # and the prior is not absurdly wide either: it does not pile up at 0 and 1 only
    solved = prior["prior_predictive"]["solved"].to_numpy().reshape(-1, len(data.result_n))
    fraction = solved / data.result_n
    interior = ((fraction > 0.05) & (fraction < 0.95)).mean()
    assert interior > 0.3


# ---------------------------------------------------------------------------- model


def _value_point(model: pm.Model, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Point in ``model``'s value space (transformed) from constrained values by name."""
    point = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        value = np.asarray(values[rv.name], dtype=value_var.dtype)
        transform = model.rvs_to_transforms.get(rv)
        if transform is not None:
            value = transform.forward(pt.as_tensor(value), *rv.owner.inputs).eval()
        point[value_var.name] = np.asarray(value, dtype=value_var.dtype)
    return point


def _anchor_prior_centre(anchored: pm.Model, values: dict[str, np.ndarray]) -> np.ndarray:
    """Each anchor group's prior centre at the global parameters of ``values``: the
    anchored model's ``anchor_level - anchor_offset``, which depends on nothing else
    (the other free values are set to zero here)."""
    filled = {
        rv.name: values.get(
            rv.name, np.zeros(anchored.initial_point()[anchored.rvs_to_values[rv].name].shape)
        )
        for rv in anchored.free_RVs
    }
    point = _value_point(anchored, filled)
    centre = anchored.compile_fn(
        anchored.replace_rvs_by_values([anchored["anchor_level"] - anchored["anchor_offset"]])[0],
        inputs=anchored.value_vars,
        on_unused_input="ignore",
    )
    return np.asarray(centre(point))


def _anchored_values(
    anchored: pm.Model,
    data: CapabilityData,
    config: CapabilityConfig,
    values: dict[str, np.ndarray],
    reported: dict,
) -> dict[str, np.ndarray]:
    """Map free values of the unanchored model to the anchored parameterisation.

    Per anchor group, level = mean of the group's centred capabilities, offset = level minus
    the group's prior centre (computed by the anchored model from the global parameters
    alone) and deviation = basis^T (c - level); location parameters sampled relative to
    their group's level (``*_relative``) lose that level, and centred task difficulties in
    logit units lose ``discrimination * level``. Every other free variable keeps its value.
    """
    model_names = data.coords["model"]
    centered = np.isin(model_names, list(anchored.coords["model_centered"]))
    capability = reported["capability"]
    shift = np.zeros(len(ANCHOR_GROUPS))
    levels, deviations = [], []
    for name in anchored.coords["anchor_group"]:
        g = ANCHOR_GROUPS.index(name)
        c = capability[centered & (data.model_group == g)]
        shift[g] = c.mean()
        levels.append(c.mean())
        if len(c) > 1:
            deviations.append(_zero_sum_basis(len(c)).T @ (c - c.mean()))
    out = dict(values)
    out["anchor_offset"] = np.array(levels) - _anchor_prior_centre(anchored, values)
    # suites run by few models: relative to their models' mean capability at the suite's
    # median task length (computed here from the reported capabilities, independently)
    suite_anchor = shift[data.suite_group]
    for s in np.flatnonzero(model_anchored_suites(data, config)):
        ran = np.unique(data.cell_model[data.task_suite[data.cell_task] == s])
        slope = values["horizon_slope"][data.suite_domain[s]]
        minutes = np.median(data.task_log10_minutes[data.task_suite == s])
        suite_anchor[s] = capability[ran].mean() - slope * minutes
    out["capability_deviation"] = np.concatenate(deviations) if deviations else np.zeros(0)
    group_of = {"benchmark": data.benchmark_group, "suite": data.suite_group}
    if "task_centered" in anchored.coords:
        tasks = np.flatnonzero(np.isin(data.coords["task"], list(anchored.coords["task_centered"])))
        group_of["task_centered"] = data.suite_group[data.task_suite[tasks]]
    for rv in anchored.free_RVs:
        (dim,) = anchored.named_vars_to_dims.get(rv.name) or (None,)
        if rv.name == "horizon_offset_relative":
            out[rv.name] = values[rv.name] - suite_anchor
        elif rv.name == "difficulty_relative" and config.difficulty_pivot == "data":
            # the capability at which each curve reaches the benchmark's mean fraction of
            # its range above chance (0.5 without results), recomputed here per result
            pivot = np.full(len(data.coords["benchmark"]), 0.5)
            named = config.pivot_benchmarks
            for b in np.unique(data.result_benchmark):
                rows = data.result_benchmark == b
                if rows.sum() < config.pivot_min_results:
                    continue
                if named is not None and data.coords["benchmark"][b] not in named:
                    continue
                chance = data.benchmark_chance[b]
                scores = data.result_k[rows] / data.result_n[rows]
                pivot[b] = np.clip(np.mean((scores - chance) / (1 - chance)), 0.1, 0.9)
            at_pivot = values[rv.name] + np.log(pivot / (1 - pivot)) / values["discrimination"]
            out[rv.name] = at_pivot - shift[group_of[dim]]
        elif rv.name.endswith("_relative"):
            out[rv.name] = values[rv.name] - shift[group_of[dim]]
        elif rv.name == "task_logit_difficulty":
            domain = data.suite_domain[data.task_suite[tasks]]
            scale = values["task_discrimination"][domain]
            out[rv.name] = values[rv.name] - scale * shift[group_of[dim]]
    return out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suite_anchor_max_models", "difficulty_pivot", "pivot_benchmarks"),
    [(0, "data", None), (10, "data", None), (0, "data", ("mmlu",)), (0, "midpoint", None)],
)
def test_anchored_and_generative_models_share_the_joint_density(
    small_evidence: Evidence,
    suite_anchor_max_models: int,
    difficulty_pivot: str,
    pivot_benchmarks: tuple[str, ...] | None,
) -> None:
    """The anchored fitting geometry is a change of variables of the generative model:
    at corresponding points the reported quantities agree and the log densities differ
    by one constant. Suite offsets relative to their group's level (0: the shipped data's
    case) and relative to the models that ran them (10: every suite of the small
    evidence, run by 9-10 models, as at early backtest cutoffs); benchmark locations at
    the curves' midpoints, at the data's pivot for every benchmark with enough results
    (three of the small evidence's four; Cybench, with 16 results, keeps its midpoint),
    and at the pivot for MMLU alone (``pivot_benchmarks``)."""
    config = default_config().capability.model_copy(
        update={
            "suite_anchor_max_models": suite_anchor_max_models,
            "difficulty_pivot": difficulty_pivot,
            "pivot_benchmarks": pivot_benchmarks,
        }
    )
    data = prepare_capability_data(small_evidence, config)
    anchored_suites = model_anchored_suites(data, config)
    assert anchored_suites.all() if suite_anchor_max_models else not anchored_suites.any()
    generative = build_capability_model(data, config, anchored=False)
    anchored = build_capability_model(data, config, anchored=True)
    extra = {rv.name for rv in anchored.free_RVs} - {rv.name for rv in generative.free_RVs}
    assert extra == {"anchor_offset", "capability_deviation"}
    assert "capability_prior" in {p.name for p in anchored.potentials}
    assert len(anchored.coords["anchor_group"]) >= 2, "need at least two anchor groups"
    logp_g, logp_a = generative.compile_logp(), anchored.compile_logp()
    names = [n for n in REPORTED if n in generative.named_vars]
    report_g, report_a = (
        m.compile_fn(
            m.replace_rvs_by_values([m[n] for n in names]),
            inputs=m.value_vars,
            on_unused_input="ignore",
        )
        for m in (generative, anchored)
    )
    differences = []
    for seed in (1, 2):
        draws = pm.draw(generative.free_RVs, random_seed=seed)
        values = {rv.name: np.asarray(v) for rv, v in zip(generative.free_RVs, draws, strict=True)}
        point_g = _value_point(generative, values)
        reported = dict(zip(names, report_g(point_g), strict=True))
        point_a = _value_point(anchored, _anchored_values(anchored, data, config, values, reported))
        assert set(point_a) == {v.name for v in anchored.value_vars}
        for name, value in zip(names, report_a(point_a), strict=True):
            np.testing.assert_allclose(value, reported[name], atol=1e-9, err_msg=name)
        lg, la = float(logp_g(point_g)), float(logp_a(point_a))
        assert np.isfinite(lg) and np.isfinite(la)
        differences.append((la - lg, abs(lg)))
    (d1, s1), (d2, s2) = differences
    assert d1 == pytest.approx(d2, abs=1e-9 * max(s1, s2, 1.0)), differences


@pytest.mark.slow
def test_simulation_records_reported_truth(small_evidence: Evidence) -> None:
    config = default_config().capability
    data = prepare_capability_data(small_evidence, config)
    truth = draw_truth(data, config, seed=3)
    assert not set(truth) & set(REPORTED), "reported values come with the simulated data"
    simulated = simulate_data(data, config, truth, seed=4)
    sizes = {
        "capability": "model",
        "difficulty": "benchmark",
        "horizon_offset": "suite",
        "task_difficulty": "task",
        "harness_offset": "harness_effect",
    }
    for name in REPORTED:
        assert truth[name].shape == (len(data.coords[sizes[name]]),), name
        assert np.all(np.isfinite(truth[name])), name
    # the generative form has no anchor levels: relative coordinates are the reported ones
    np.testing.assert_array_equal(truth["difficulty"], truth["difficulty_relative"])
    np.testing.assert_array_equal(truth["horizon_offset"], truth["horizon_offset_relative"])
    np.testing.assert_allclose(truth["harness_offset"], truth["harness_sd"] * truth["harness_z"])
    # observations replaced, in range; FLOP reports re-drawn where a model has one
    assert simulated.result_k.shape == data.result_k.shape
    assert np.all((simulated.result_k >= 0) & (simulated.result_k <= data.result_n))
    assert np.all((simulated.cell_k >= 0) & (simulated.cell_k <= data.cell_n))
    known = np.isfinite(data.model_log10_flop)
    assert np.array_equal(np.isfinite(simulated.model_log10_flop), known)
    assert not np.array_equal(simulated.model_log10_flop[known], data.model_log10_flop[known])
    # the centring counts follow the simulated observations
    mixed = (simulated.cell_k > 0) & (simulated.cell_k < simulated.cell_n)
    np.testing.assert_array_equal(
        simulated.model_informative_cells,
        np.bincount(simulated.cell_model, weights=mixed, minlength=len(data.coords["model"])),
    )


def test_method_progress_is_a_smooth_hinge() -> None:
    rate, post, change, width = 0.4, 0.6, 1.7, 0.25
    assert method_progress(0.0, rate, post, change, width) == pytest.approx(0.0, abs=1e-12)
    t = np.linspace(-6.0, 8.0, 1401)
    progress = method_progress(t, rate, post, change, width)
    assert np.all(np.diff(progress) > 0)
    slope = np.gradient(progress, t)
    before, after = t < change - 10 * width, t > change + 10 * width
    np.testing.assert_allclose(slope[before], rate, atol=1e-4)
    np.testing.assert_allclose(slope[after], rate + post, atol=1e-4)
    # the bend is monotone and half done at the change year
    assert np.all(np.diff(slope) > -1e-9)
    assert np.interp(change, t, slope) == pytest.approx(rate + post / 2, abs=1e-3)
    # no post-training gains: a straight line; numpy and PyTensor agree
    np.testing.assert_allclose(method_progress(t, rate, 0.0, change, width), rate * t)
    tensor = method_progress(pt.as_tensor(t), rate, post, change, width, xp=pt).eval()
    np.testing.assert_allclose(tensor, progress, rtol=1e-12, atol=1e-12)


def test_difficulty_pivots_sit_where_each_benchmarks_results_are(
    shipped_evidence: Evidence,
) -> None:
    """Mean fraction of the range above chance, clipped to [0.1, 0.9]; 0.5 (the midpoint)
    with fewer results than the threshold."""
    config = default_config().capability
    data = prepare_capability_data(shipped_evidence, config)
    pivots = dict(
        zip(
            data.coords["benchmark"],
            difficulty_pivots(data, min_results=config.pivot_min_results),
            strict=True,
        )
    )
    assert all(0.1 <= p <= 0.9 for p in pivots.values())
    # MMLU's base-model results mostly sit near chance (0.25); HellaSwag's span its curve
    assert 0.1 < pivots["mmlu"] < 0.3 < 0.4 < pivots["hellaswag"] < 0.6
    # FrontierMath read through a chat harness: one result, its location leans on the prior
    assert pivots["frontiermath@chat"] == 0.5
    four = dataclasses.replace(
        data,
        result_benchmark=np.array([0, 0, 1, 1]),
        result_n=np.array([100, 100, 10, 10]),
        result_k=np.array([40, 60, 10, 10]),
        benchmark_chance=np.array([0.2, 0.0, 0.5]),
        coords={**data.coords, "benchmark": ["a", "b", "c"]},
    )
    # a: (0.5 - 0.2) / 0.8 = 0.375; b: all solved -> clipped to 0.9; c: no results -> 0.5
    np.testing.assert_allclose(difficulty_pivots(four), [0.375, 0.9, 0.5])
    np.testing.assert_allclose(difficulty_pivots(four, min_results=2), [0.375, 0.9, 0.5])
    np.testing.assert_allclose(difficulty_pivots(four, min_results=3), [0.5, 0.5, 0.5])
    # only the named benchmarks are pivoted; a named one without results keeps 0.5
    np.testing.assert_allclose(difficulty_pivots(four, benchmarks=["b", "c"]), [0.5, 0.9, 0.5])
    np.testing.assert_allclose(difficulty_pivots(four, benchmarks=[]), [0.5, 0.5, 0.5])


def test_pivot_benchmarks_must_name_benchmarks_of_the_evidence(
    shipped_evidence: Evidence,
) -> None:
    """A typo in ``pivot_benchmarks`` is refused, naming it, instead of silently pivoting
    nothing. Benchmark slugs, with or without a harness kind, are accepted, also where
    they pivot nothing: FrontierMath's chat instrument has fewer than
    ``pivot_min_results`` results, and GPQA is left out of the fit by default."""
    base = default_config().capability.model_copy(update={"difficulty_pivot": "data"})
    for bad in (("MMLU",), ("mmlu", "not_a_benchmark"), ("mmlu@no_such_kind",)):
        config = base.model_copy(update={"pivot_benchmarks": bad})
        with pytest.raises(ConfigError, match="pivot_benchmarks") as caught:
            prepare_capability_data(shipped_evidence, config)
        assert repr(bad[-1]) in str(caught.value)
        assert "harness kind" in str(caught.value)
    config = base.model_copy(update={"pivot_benchmarks": ("mmlu", "frontiermath@chat", "gpqa")})
    data = prepare_capability_data(shipped_evidence, config)
    pivots = dict(
        zip(
            data.coords["benchmark"],
            difficulty_pivots(
                data, min_results=config.pivot_min_results, benchmarks=config.pivot_benchmarks
            ),
            strict=True,
        )
    )
    assert pivots["mmlu"] < 0.3
    assert {b for b, p in pivots.items() if p != 0.5} == {"mmlu"}


# ------------------------------------------------------------------------------ fit


@pytest.mark.slow
def test_fit_carries_provenance(small_mcmc_fit: xr.DataTree, small_config: FitConfig) -> None:
    attrs = small_mcmc_fit.attrs
    for key in (
        "config",
        "config_hash",
        "evidence_hash",
        "package_versions",
        "data_vintage",
        "seed",
        "diagnostics",
        "nuts_sampler",
        "numba_fastmath",
    ):
        assert key in attrs, key
    assert attrs["seed"] == small_config.sampler.seed
    assert attrs["nuts_sampler"] == "nutpie"
    assert attrs["numba_fastmath"] == 0  # compiled strictly: see riskmodel/_compile.py
    diagnostics = json.loads(attrs["diagnostics"])
    assert {"max_rhat", "min_ess_bulk", "divergences", "failures", "passed"} <= set(diagnostics)
    assert "pymc" in json.loads(attrs["package_versions"])
    assert "synthetic" not in attrs
    post = small_mcmc_fit["posterior"]
    assert post.sizes["chain"] == 2 and post.sizes["draw"] == 300
    assert "capability" in post.data_vars


@pytest.mark.parametrize(
    "which", ["small_fit", pytest.param("small_mcmc_fit", marks=pytest.mark.slow)]
)
def test_save_load_round_trip(
    which: str, small_evidence: Evidence, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """The synthetic fit (fast) and the real short NUTS fit (slow); the sampler statistics
    of both hold an object variable that netCDF cannot store (``save_fit`` drops it)."""
    fit = request.getfixturevalue(which)
    path = save_fit(fit, tmp_path / "fit.nc")
    loaded = load_fit(path)
    np.testing.assert_array_equal(
        loaded["posterior"]["capability"].values, fit["posterior"]["capability"].values
    )
    assert loaded.attrs["config_hash"] == fit.attrs["config_hash"]
    assert fit_evidence(loaded).content_hash() == small_evidence.content_hash()
    assert not list(tmp_path.glob(".*.tmp")), "temporary file left behind"


@pytest.mark.parametrize(
    "which", ["small_fit", pytest.param("small_mcmc_fit", marks=pytest.mark.slow)]
)
def test_recomputed_diagnostics_reproduce_the_stored_ones(
    which: str, request: pytest.FixtureRequest
) -> None:
    """Rebuilt from the fit's own evidence and config, the gate checks the same
    quantities and gets the same numbers as when the fit was made."""
    fit = request.getfixturevalue(which)
    stored = json.loads(fit.attrs["diagnostics"])
    again = recompute_diagnostics(fit)
    for key in ("max_rhat", "min_ess_bulk", "min_ess_tail", "divergences", "sampling_seconds"):
        assert getattr(again, key) == pytest.approx(stored[key], rel=1e-12), key


def test_the_first_draws_of_a_fit_are_a_shorter_fit_at_the_same_seed(
    small_config: FitConfig,
) -> None:
    """What :func:`recompute_diagnostics` with ``first_draws`` rests on: with the pinned
    sampler (nutpie, adaptation only while tuning), a fit of N draws is the first N
    draws of a longer fit at the same seed."""
    with pm.Model() as model:
        level = pm.Normal("level", 0.0, 1.0, shape=3)
        scatter = pm.HalfNormal("scatter", 1.0)
        pm.Normal("y", level.sum(), scatter, observed=np.array([0.3, -0.2, 1.1]))

    def draws(n: int) -> np.ndarray:
        sampler = {"draws": n, "tune": 200, "chains": 2, "seed": 5}
        config = load_config({"sampler": sampler}, base=small_config)
        tree, _ = sample_model(model, config)
        return tree["posterior"]["level"].values

    short, long = draws(100), draws(250)
    np.testing.assert_array_equal(short, long[:, :100])


def test_recomputed_diagnostics_of_the_first_draws(
    small_fit: xr.DataTree, small_config: FitConfig
) -> None:
    draws = small_fit["posterior"].sizes["draw"]
    first = draws // 3
    cut = recompute_diagnostics(small_fit, first_draws=first)
    model = build_capability_model(
        prepare_capability_data(fit_evidence(small_fit), small_config.capability),
        small_config.capability,
    )
    names = gated_variables(model, small_fit["posterior"])
    assert "capability" in names and {rv.name for rv in model.free_RVs} <= set(names)
    expected = compute_diagnostics(
        small_fit["posterior"].to_dataset().isel(draw=slice(0, first)),
        small_fit["sample_stats"].to_dataset().isel(draw=slice(0, first)),
        var_names=names,
        gate=small_config.gate,
    )
    assert (cut.max_rhat, cut.min_ess_bulk) == (expected.max_rhat, expected.min_ess_bulk)
    assert cut.min_ess_bulk < recompute_diagnostics(small_fit).min_ess_bulk
    stored = json.loads(small_fit.attrs["diagnostics"])["sampling_seconds"]
    assert cut.sampling_seconds == pytest.approx(stored * first / draws)
    for bad in (0, draws + 1):
        with pytest.raises(ValueError, match=f"between 1 and the fit's {draws} draws"):
            recompute_diagnostics(small_fit, first_draws=bad)


@pytest.fixture(scope="module")
def stored_fit(small_fit: xr.DataTree, tmp_path_factory: pytest.TempPathFactory) -> xr.DataTree:
    """The small fit as a fit file gives it back (saved once per test process)."""
    return load_fit(save_fit(small_fit, tmp_path_factory.mktemp("stored") / "fit.nc"))


def _rewrite(stored: xr.DataTree, folder: Path, mutate) -> Path:  # noqa: ANN001
    """A fit file whose contents were changed by ``mutate`` after fitting."""
    tree = stored.copy(deep=True)
    mutate(tree)
    out = folder / f"tampered_{mutate.__name__}.nc"
    tree.to_netcdf(out, engine="h5netcdf")
    return out


def test_load_refuses_tampered_config(stored_fit: xr.DataTree, tmp_path: Path) -> None:
    def change_prior(tree: xr.DataTree) -> None:
        config = json.loads(tree.attrs["config"])
        config["capability"]["priors"]["algorithmic_progress"]["median"] = 0.9
        tree.attrs["config"] = json.dumps(config)

    with pytest.raises(FitFileError, match="config hash mismatch"):
        load_fit(_rewrite(stored_fit, tmp_path, change_prior))


def test_load_refuses_tampered_evidence(stored_fit: xr.DataTree, tmp_path: Path) -> None:
    def change_score(tree: xr.DataTree) -> None:
        ds = tree["evidence/results"].to_dataset()
        score = ds["score"].values.copy()
        i = int(np.flatnonzero(np.isfinite(score) & (score < 0.9))[0])
        score[i] += 0.05
        tree["evidence/results"] = xr.DataTree(ds.assign(score=("row", score, ds["score"].attrs)))

    def change_flop(tree: xr.DataTree) -> None:
        ds = tree["evidence/models"].to_dataset()
        flop = ds["training_flop"].values.copy()
        flop[np.isfinite(flop).argmax()] *= 10
        tree["evidence/models"] = xr.DataTree(
            ds.assign(training_flop=("row", flop, ds["training_flop"].attrs))
        )

    for mutate in (change_score, change_flop):
        with pytest.raises(FitFileError, match="modified after fitting"):
            load_fit(_rewrite(stored_fit, tmp_path, mutate))


@pytest.mark.parametrize("content", [b"", b"not a netcdf file"])
def test_load_refuses_non_fit_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "junk.nc"
    path.write_bytes(content)
    with pytest.raises(FitFileError):
        load_fit(path)
    with pytest.raises(FitFileError, match="does not exist"):
        load_fit(tmp_path / "missing.nc")


def test_load_refuses_foreign_netcdf(tmp_path: Path) -> None:
    path = tmp_path / "other.nc"
    xr.DataTree(xr.Dataset({"x": ("a", [1.0, 2.0])})).to_netcdf(path, engine="h5netcdf")
    with pytest.raises(FitFileError, match="not a riskmodel fit"):
        load_fit(path)


@pytest.mark.slow
def test_same_seed_same_draws_and_gate(small_evidence: Evidence) -> None:
    tiny = load_config({"sampler": {"draws": 40, "tune": 40, "chains": 2, "seed": 5}})
    first = fit_evidence_model(small_evidence, tiny, allow_unconverged=True)
    second = fit_evidence_model(small_evidence, tiny, allow_unconverged=True)
    np.testing.assert_array_equal(
        first["posterior"]["capability"].values, second["posterior"]["capability"].values
    )
    # 40 draws cannot pass the gate: the refusal names parameters and keeps the tree
    with pytest.raises(ConvergenceError) as info:
        fit_evidence_model(small_evidence, tiny)
    assert "bulk ESS" in str(info.value)
    assert info.value.failures
    assert json.loads(info.value.tree.attrs["diagnostics"])["passed"] is False


# ------------------------------------------------------------------------- predict


def test_forecast_shape_and_order(small_fit: xr.DataTree) -> None:
    record = forecast(small_fit, benchmark="mmlu", date="2026-06-01", flop=1e26)
    assert list(record) == FORECAST_KEYS
    qs = [record[k] for k in ("q05", "q25", "q50", "q75", "q95")]
    assert qs == sorted(qs)
    assert qs[0] >= 0.0 and qs[-1] <= 1.0
    assert record["harness"] == "obsscaling_lm_eval_harness"  # the reference harness
    frontier = forecast(small_fit, benchmark="mmlu", date="2026-06-01", frontier=True)
    assert frontier["flop"] is None
    assert (
        forecast(small_fit, benchmark="cybench", date="2026-06-01", frontier=True)["harness"]
        == posterior_view(small_fit).instruments["cybench"].reference_harness
    )


def test_forecast_rises_with_compute_and_date(small_fit: xr.DataTree) -> None:
    medians = [
        forecast(small_fit, benchmark="gsm8k", date="2024-01-01", flop=f, seed=1)["mean"]
        for f in (1e21, 1e23, 1e25)
    ]
    assert medians == sorted(medians) and medians[-1] - medians[0] > 0.2
    early = forecast(small_fit, benchmark="gsm8k", date="2022-01-01", flop=1e23, seed=1)["mean"]
    late = forecast(small_fit, benchmark="gsm8k", date="2026-01-01", flop=1e23, seed=1)["mean"]
    assert late > early  # algorithmic progress makes the same FLOP worth more later


def test_forecast_task_suite_and_horizon(small_fit: xr.DataTree) -> None:
    record = forecast(small_fit, benchmark="nl2bash", date="2025-01-01", frontier=True)
    assert 0 <= record["q05"] <= record["q95"] <= 1
    view = posterior_view(small_fit)
    rng = np.random.default_rng(0)
    weak = capability_draws(view, date="2024-01-01", flop=1e22, rng=rng)
    strong = weak + 2.0
    h_weak = time_horizon_minutes(view, weak, suite="hcast")
    h_strong = time_horizon_minutes(view, strong, suite="hcast")
    assert (h_strong > h_weak).all()
    h80 = time_horizon_minutes(view, strong, suite="hcast", success_probability=0.8)
    assert (h80 < h_strong).all()


def _pooled_frontier(view, seeds: int = 8, **kwargs) -> np.ndarray:  # noqa: ANN001
    """Frontier draws pooled over several predictive seeds (less Monte Carlo noise)."""
    return np.concatenate(
        [
            frontier_capability_draws(view, rng=np.random.default_rng(s), **kwargs)
            for s in range(seeds)
        ]
    )


def test_frontier_forecast_is_a_best_of_releases(small_fit: xr.DataTree) -> None:
    view = posterior_view(small_fit)
    date = "2026-01-01"
    # a longer window holds more releases (the shorter window's releases among them):
    # the best of them is no worse, and better than a nearly empty window
    means = [
        _pooled_frontier(view, date=date, window_years=w).mean() for w in (1e-3, 0.25, 1.0, 3.0)
    ]
    assert means[0] < means[1] - 0.02 < means[2] - 0.04
    assert means[3] >= means[2] - 0.02
    # later dates: a better frontier throughout the distribution
    quantiles = [
        np.quantile(_pooled_frontier(view, date=d), [0.05, 0.5, 0.95])
        for d in ("2023-01-01", "2025-01-01", "2027-01-01")
    ]
    assert np.all(np.diff(quantiles, axis=0) > 0), quantiles
    # best of N releases >= one release from the same window, in distribution (first
    # order stochastic dominance, checked at every decile); one release: a release rate
    # so low that every window holds exactly one
    single = dataclasses.replace(view, frontier_release_rate=1e-9)
    best = _pooled_frontier(view, date=date, window_years=1.0)
    one = _pooled_frontier(single, date=date, window_years=1.0)
    deciles = np.linspace(0.1, 0.9, 9)
    assert np.all(np.quantile(best, deciles) > np.quantile(one, deciles)), (
        np.quantile(best, deciles),
        np.quantile(one, deciles),
    )
    # and >= a single frontier model released on the date itself (a window so short
    # that it holds one release)
    at_date = _pooled_frontier(view, date=date, window_years=1e-6)
    assert np.all(np.quantile(best, deciles) >= np.quantile(at_date, deciles) - 0.02)
    with pytest.raises(RiskmodelError, match="window_years"):
        frontier_capability_draws(view, date=date, window_years=0.0, rng=np.random.default_rng(0))


def test_forecast_uncertainty_widens_beyond_the_vintage(small_fit: xr.DataTree) -> None:
    view = posterior_view(small_fit)
    vintage = pd.Timestamp(view.data_vintage)
    dates = [(vintage + pd.DateOffset(years=y)).strftime("%Y-%m-%d") for y in (0, 1, 3, 6, 10)]

    def width(draws: np.ndarray) -> float:
        low, high = np.quantile(draws, [0.05, 0.95])
        return float(high - low)

    fixed = [
        width(capability_draws(view, date=d, flop=1e26, rng=np.random.default_rng(0)))
        for d in dates
    ]
    best = [width(_pooled_frontier(view, seeds=4, date=d)) for d in dates]
    print(
        "q95 - q05 at +0/1/3/6/10 years: fixed FLOP",
        np.round(fixed, 2),
        "frontier",
        np.round(best, 2),
    )
    assert np.all(np.diff(fixed) > 0) and np.all(np.diff(best) > 0)
    # the rate's random walk beyond the vintage adds to the spread of the rate posterior
    straight = dataclasses.replace(view, progress_path=None)
    far = width(capability_draws(straight, date=dates[-1], flop=1e26, rng=np.random.default_rng(0)))
    assert fixed[-1] > far


def test_fitted_capability_by_name(small_fit: xr.DataTree) -> None:
    view = posterior_view(small_fit)
    draws = fitted_capability_draws(view, "meta-llama/Meta-Llama-3-70B")
    weaker = fitted_capability_draws(view, "EleutherAI/pythia-160m-deduped")
    assert draws.shape == (view.n_samples,)
    assert np.median(draws) > np.median(weaker) + 1.0
    with pytest.raises(RiskmodelError, match="did you mean"):
        fitted_capability_draws(view, "meta-llama/Meta-Llama-3-70b")


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"benchmark": "nope", "date": "2025-01-01", "flop": 1e25}, "no fitted parameters"),
        ({"benchmark": "mmlu", "date": "2025-13-01", "flop": 1e25}, "YYYY-MM-DD"),
        ({"benchmark": "mmlu", "date": "2025-01-01", "flop": -5.0}, "positive"),
        ({"benchmark": "mmlu", "date": "2025-01-01"}, "exactly one"),
        (
            {"benchmark": "mmlu", "date": "2025-01-01", "flop": 1e25, "frontier": True},
            "exactly one",
        ),
    ],
)
def test_forecast_bad_arguments(small_fit: xr.DataTree, kwargs: dict, fragment: str) -> None:
    with pytest.raises(RiskmodelError, match=fragment):
        forecast(small_fit, **kwargs)


def test_instruments_read_through_another_harness_kind_use_their_benchmark_registry(
    small_fit: xr.DataTree,
) -> None:
    """An instrument keyed ``slug@kind`` (a benchmark read through a second harness kind)
    takes its chance level and task count from the benchmark's registry row: forecasts
    and the fitted-curve figure both work for it (the figure raised KeyError on
    ``frontiermath@chat`` in the main job)."""
    import matplotlib.pyplot as plt

    from riskmodel.plotting.capability import plot_scaling_curves

    view = posterior_view(small_fit)
    key = "cybench@second_kind"
    renamed = [key if b == "cybench" else b for b in view.draws["benchmark"].values]
    instruments = dict(view.instruments)
    instruments[key] = dataclasses.replace(instruments.pop("cybench"), key=key)
    other = dataclasses.replace(
        view, draws=view.draws.assign_coords(benchmark=renamed), instruments=instruments
    )
    assert other.benchmark_info(key).equals(view.benchmarks.loc["cybench"])
    capability = np.full(view.n_samples, 1.0)
    rng = np.random.default_rng(0)
    fraction = benchmark_fraction_draws(other, key, capability, rng=rng)
    same = benchmark_fraction_draws(view, "cybench", capability, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(fraction, same)
    observed = pd.DataFrame({"benchmark": [key], "capability": [1.0], "fraction": [0.3]})
    fig = plot_scaling_curves(other, observed, benchmarks=[key], assumptions="test")
    plt.close(fig)
