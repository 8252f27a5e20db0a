"""Simulation-based calibration (SBC) of the capability model.

:func:`capability_sbc` runs SBC of the capability model at a reduced size on the real
data structure (:func:`reduced_capability_evidence`): truths and data drawn from the
generative form of the model (``anchored=False``), fits with the default anchored form
compiled once by nutpie and re-run on each simulated data set through shared variables
(:class:`CapabilitySBC`), ranks of global parameters and reported quantities. The ranks
and their uniformity checks are those of :mod:`riskmodel.sbc.ranks`.
"""

from __future__ import annotations

import dataclasses
import time
import warnings
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import nutpie
import pandas as pd
import pymc as pm
import pytensor
from arviz_stats.base import array_stats
from pymc.model.fgraph import fgraph_from_model, model_from_fgraph
from pytensor.graph.basic import Constant
from pytensor.graph.replace import graph_replace
from pytensor.graph.traversal import ancestors

from riskmodel._compile import strict_float
from riskmodel.capability.checks import NUMBA_OBJECT_MODE
from riskmodel.capability.data import CapabilityData, prepare_capability_data
from riskmodel.capability.model import build_capability_model
from riskmodel.config import FitConfig, load_config
from riskmodel.errors import RiskmodelError
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.sbc.ranks import (
    FAMILY_ALPHA,
    RANK_BINS,
    SBC_CONCURRENT_FITS,
    SBC_REPLICATIONS,
    SBCResult,
    rank_statistics,
    summarize_ranks,
)

__all__ = [
    "CAPABILITY_SBC_DRAWS",
    "CAPABILITY_SBC_TUNE",
    "CAPABILITY_SBC_THIN",
    "CAPABILITY_SBC_SEED",
    "CAPABILITY_SBC_QUANTITIES",
    "CAPABILITY_SBC_GEOMETRY",
    "NEGATIVE_CONTROL_QUANTITY",
    "NEGATIVE_CONTROL_SCALE",
    "NEGATIVE_CONTROL_REPLICATIONS",
    "SBC_OPEN_MODELS",
    "SBC_BENCHMARKS",
    "SBC_TASK_SUITE",
    "SBC_TASKS",
    "SBC_TREND_EVERY",
    "reduced_capability_evidence",
    "CapabilitySBC",
    "capability_sbc_config",
    "capability_sbc",
]

# --- capability SBC ------------------------------------------------------------------

#: Post-warmup draws per replication (one chain).
CAPABILITY_SBC_DRAWS = 200
#: Warmup draws per replication (nutpie adapts step size and mass matrix quickly).
CAPABILITY_SBC_TUNE = 150
#: Thinning of the posterior draws before ranking: 200 / 4 = 50 draws, about the bulk
#: ESS of the slowest-mixing quantities per 200 draws (autocorrelated draws would make
#: the ranks U-shaped even for a calibrated model).
CAPABILITY_SBC_THIN = 4
#: Seed of the capability SBC (prior draws, simulated data and the sampler seeds).
CAPABILITY_SBC_SEED = 20250227
#: Scalar summaries ranked: (variable, coordinate label or None). Global parameters and
#: reported quantities only (they mean the same in the generative model the truth comes
#: from and in the anchored model that is fitted): the headline trend and progress
#: parameters, the frontier's compute trend, the post-training rate and the reasoning
#: gain, the model-specific scatter, one benchmark's curve, the cyber
#: time-horizon curve and three models' capabilities (one with reported FLOP and
#: aggregate results, one closed model known only from task runs and one
#: reasoning-trained model known only from task runs).
CAPABILITY_SBC_QUANTITIES: tuple[tuple[str, str | None], ...] = (
    ("compute_trend_level", None),
    ("compute_trend_slope", None),
    ("compute_trend_scatter", None),
    ("frontier_offset", None),
    ("frontier_slope_offset", None),
    ("algorithmic_progress", None),
    ("post_training_rate", None),
    ("reasoning_gain", None),
    ("capability_scatter", None),
    ("discrimination", "mmlu"),
    ("difficulty", "mmlu"),
    ("lapse", "gsm8k"),
    ("horizon_offset", "intercode_ctf"),
    ("horizon_slope", "cyber"),
    ("task_discrimination", "cyber"),
    ("capability", "meta-llama/Llama-2-70b-hf"),
    ("capability", "claude-3-5-sonnet-20241022"),
    ("capability", "o3-2025-04-16"),
)

#: Geometry of the capability SBC's fit, as overrides of the capability configuration:
#: the ``auto`` rule's threshold of informative aggregate results scaled to the reduced
#: design's two benchmarks (a model is centred when both its results are informative;
#: no task cell has more than one run, so none is centred by its cells). With the
#: default threshold of 3 no model of the reduced design would be centred and the
#: anchored change of variables (a group's level, zero-sum deviations, difficulties
#: relative to the level) would go unchecked. Likewise both benchmarks' locations are
#: sampled at their results' pivot (the default pivots MMLU alone, and only with at
#: least 20 results) with the design's six results per benchmark, so that change of
#: variables is checked on both. A sampling choice only: the joint distribution, and so
#: what SBC expects, is the default model's.
CAPABILITY_SBC_GEOMETRY: dict[str, Any] = {
    "centered_min_results": 2,
    "difficulty_pivot": "data",
    "pivot_min_results": 6,
    "pivot_benchmarks": None,
}

#: Negative control of the capability SBC: the true ``capability_scatter`` is drawn from
#: a prior NEGATIVE_CONTROL_SCALE times wider than the fitted HalfNormal(0.5), in
#: NEGATIVE_CONTROL_REPLICATIONS data sets; the check must flag it.
NEGATIVE_CONTROL_QUANTITY = "capability_scatter"
NEGATIVE_CONTROL_SCALE = 3.0
NEGATIVE_CONTROL_REPLICATIONS = 30

#: Reduced design: open models with reported FLOP and aggregate results, spread over
#: four orders of magnitude of compute and 2020-2024.
SBC_OPEN_MODELS = (
    "EleutherAI/pythia-160m-deduped",
    "EleutherAI/pythia-12b-deduped",
    "facebook/opt-1.3b",
    "meta-llama/Llama-2-7b-hf",
    "meta-llama/Llama-2-70b-hf",
    "Qwen/Qwen1.5-7B",
)
#: Benchmarks of the aggregate results kept.
SBC_BENCHMARKS = ("mmlu", "gsm8k")
#: The one task suite kept (cyber domain); all its models keep their runs.
SBC_TASK_SUITE = "intercode_ctf"
#: Tasks kept from that suite, evenly spaced in human completion time.
SBC_TASKS = 10
#: Every n-th remaining model (by release date) stays in the models table; those that
#: meet the compute-trend filter inform the trend.
SBC_TREND_EVERY = 12

#: CapabilityData fields a data set consists of (everything else is design). The FLOP
#: reports of models with evidence are data: they are simulated too.
_DATA_FIELDS = ("model_log10_flop", "trend_log10_flop", "result_k", "cell_k")
#: Observed variable of the capability model -> CapabilityData field.
_OBSERVED_FIELD = {
    "model_flop_obs": "model_log10_flop",
    "trend_flop_obs": "trend_log10_flop",
    "solved": "result_k",
    "task_successes": "cell_k",
}


# --- capability model: compiled once, data in shared variables ------------------------


def reduced_capability_evidence(evidence: Evidence | None = None) -> Evidence:
    """The reduced real design of the capability SBC.

    :data:`SBC_OPEN_MODELS` on :data:`SBC_BENCHMARKS`, :data:`SBC_TASKS` tasks of
    :data:`SBC_TASK_SUITE` (evenly spaced in human minutes) with all their models, and
    every :data:`SBC_TREND_EVERY`-th other model for the compute trend. With the shipped
    data (vintage 2025-09-01): 15 models (8 with a FLOP report), 27 trend models, 12
    results, 90 task cells.

    Parameters
    ----------
    evidence
        Default: the shipped data.
    """
    evidence = evidence if evidence is not None else load_evidence()
    tables = evidence.to_tables()
    results = tables["results"]
    tables["results"] = results[
        results["model"].isin(SBC_OPEN_MODELS) & results["benchmark"].isin(SBC_BENCHMARKS)
    ]
    runs = tables["task_runs"]
    runs = runs[runs["benchmark"] == SBC_TASK_SUITE]
    tasks = runs.drop_duplicates("task_id").sort_values(["human_minutes", "task_id"])
    if len(tasks) < SBC_TASKS or not len(tables["results"]):
        raise RiskmodelError("the evidence lacks the reduced SBC design's results or tasks")
    keep = tasks["task_id"].iloc[np.linspace(0, len(tasks) - 1, SBC_TASKS).round().astype(int)]
    tables["task_runs"] = runs[runs["task_id"].isin(keep)]
    models = tables["models"]
    used = set(tables["results"]["model"]) | set(tables["task_runs"]["model"])
    others = models[~models["model"].isin(used)].sort_values(["release_date", "model"])
    tables["models"] = pd.concat(
        [models[models["model"].isin(used)], others.iloc[::SBC_TREND_EVERY]]
    )
    horizons = tables["time_horizons"]
    tables["time_horizons"] = horizons[horizons["model"].isin(used)]
    return Evidence.from_tables(tables)


def capability_sbc_config(config: FitConfig | None = None) -> FitConfig:
    """``config`` (default: the project's defaults) with the SBC's fitting geometry
    :data:`CAPABILITY_SBC_GEOMETRY`; priors, structure and sampler settings unchanged."""
    return load_config({"capability": CAPABILITY_SBC_GEOMETRY}, base=config or load_config(None))


def _with_data(data: CapabilityData, values: Mapping[str, np.ndarray]) -> CapabilityData:
    """``data`` with observed variables' values (observed-variable name -> array)."""
    updates: dict[str, np.ndarray] = {}
    for name, value in values.items():
        target = _OBSERVED_FIELD[name]
        if target == "model_log10_flop":
            reported = data.model_log10_flop.copy()
            reported[np.isfinite(reported)] = value
            updates[target] = reported
        else:
            updates[target] = np.asarray(value)
    return dataclasses.replace(data, **updates)


def _perturbed(data: CapabilityData, step: int) -> CapabilityData:
    """``data`` with every data field shifted (to find where data enter the graph)."""
    updates = {}
    for name in _DATA_FIELDS:
        value = getattr(data, name)
        updates[name] = value + (step if value.dtype.kind in "iu" else 0.1 * step)
    return dataclasses.replace(data, **updates)


def _graph_constants(model: pm.Model) -> list[tuple[int, int, Constant, str]]:
    """Constants of ``model``'s graph: (node position, input position, constant, op)."""
    fgraph, _ = fgraph_from_model(model)
    return [
        (i, j, inp, type(node.op).__name__)
        for i, node in enumerate(fgraph.toposort())
        for j, inp in enumerate(node.inputs)
        if isinstance(inp, Constant)
    ]


def _same(a: Any, b: Any) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))


@dataclass
class _SharedDataModel:
    """A capability model whose data-dependent graph constants are shared variables.

    Attributes
    ----------
    model
        The model, its data in the shared variables ``shared``.
    shared
        The shared variables, named ``<prefix><k>``.
    positions
        Where each shared variable's constant sits in a freshly built model's graph:
        (node position in topological order, input position).
    anchored
        Which form of :func:`~riskmodel.capability.model.build_capability_model`.
    """

    model: pm.Model
    shared: list[Any]
    positions: list[tuple[int, int]]
    anchored: bool

    def values_for(self, data: CapabilityData, config: FitConfig) -> dict[str, np.ndarray]:
        """Shared-variable name -> value for ``data`` (same design, new data values)."""
        built = build_capability_model(data, config.capability, anchored=self.anchored)
        nodes = fgraph_from_model(built)[0].toposort()
        return {
            sv.name: np.asarray(nodes[i].inputs[j].data)
            for sv, (i, j) in zip(self.shared, self.positions, strict=True)
        }


def _shared_data_model(
    data: CapabilityData, config: FitConfig, *, anchored: bool, prefix: str
) -> _SharedDataModel:
    """Build the model for ``data`` and replace its data-dependent constants by shared
    variables (found by building it for two perturbed copies of the data too)."""
    cap = config.capability
    template = build_capability_model(data, cap, anchored=anchored)
    constants = _graph_constants(template)
    variants = [
        _graph_constants(build_capability_model(_perturbed(data, k), cap, anchored=anchored))
        for k in (1, 2)
    ]
    if any(len(v) != len(constants) for v in variants):
        raise RiskmodelError("the capability model's graph changes with the data values")
    slots: dict[int, tuple[int, int, Constant]] = {}
    for position, (i, j, const, op) in enumerate(constants):
        for variant in variants:
            vi, vj, vconst, vop = variant[position]
            if (vi, vj, vop) != (i, j, op):
                raise RiskmodelError("the capability model's graph changes with the data")
            if not _same(const.data, vconst.data):
                slots.setdefault(id(const), (i, j, const))
    if not slots:
        raise RiskmodelError("no data constants found in the capability model")
    fgraph, _ = fgraph_from_model(template)
    # fgraph_from_model does not copy constants: the template's are in the fgraph
    shared = [
        pytensor.shared(np.array(const.data), name=f"{prefix}{k}")
        for k, (_, _, const) in enumerate(slots.values())
    ]
    fgraph.replace_all(
        [(const, sv) for (_, _, const), sv in zip(slots.values(), shared, strict=True)],
        import_missing=True,
    )
    return _SharedDataModel(
        model=model_from_fgraph(fgraph, mutate_fgraph=True),
        shared=shared,
        positions=[(i, j) for i, j, _ in slots.values()],
        anchored=anchored,
    )


class CapabilitySBC:
    """The capability model for one design, compiled once, re-run on simulated data.

    ``build_capability_model`` bakes the data into the graph as constants. This class
    builds the model for the design and for two perturbed copies of its data, finds the
    graph constants that change with the data (the observations and anything computed
    from them, e.g. the FLOP reports' precision-weighted sum) and replaces them with
    shared variables. It does so for two forms of the model:

    * the **fitted** model, ``build_capability_model(..., anchored=True)`` (the default
      fitting geometry, shared variables ``sbc_data_<i>``): nutpie compiles it once and
      each replication swaps the data in with ``CompiledPyMCModel.with_data`` (no
      recompilation);
    * the **generative** model, ``anchored=False`` (shared variables ``sbc_gen_<i>``):
      the same joint distribution without the anchored change of variables, whose flat
      anchor levels and capability potential cannot be sampled forward.

    Simulation follows the generative model's order: its free variables that do not
    depend on data are drawn from the prior; the FLOP reports are drawn given them; the
    model's data-derived constants are recomputed for the reports; then the
    data-dependent variables and the remaining observations are drawn. The forward
    functions are compiled once. Ranked quantities must mean the same in both forms:
    global parameters and reported quantities (``capability``, ``difficulty``,
    ``horizon_offset``, ...), not the anchored form's relative coordinates.

    Parameters
    ----------
    data
        The design (observed values are replaced in every replication).
    config
        Fit configuration: capability priors and structure, and the sampler's
        ``target_accept`` and ``adaptation`` (``nuts_sampler`` must be ``nutpie``).
    quantities
        Scalar summaries to rank: (variable, coordinate label or None).
    """

    def __init__(
        self,
        data: CapabilityData,
        config: FitConfig,
        *,
        quantities: Sequence[tuple[str, str | None]] = CAPABILITY_SBC_QUANTITIES,
    ) -> None:
        if config.sampler.nuts_sampler != "nutpie":
            raise RiskmodelError("capability SBC runs nutpie (config.sampler.nuts_sampler)")
        self.data = data
        self.config = config
        self._fit = _shared_data_model(data, config, anchored=True, prefix="sbc_data_")
        self._gen = _shared_data_model(data, config, anchored=False, prefix="sbc_gen_")
        self.model = self._fit.model
        #: Centred capabilities of the fitted model and their anchor groups.
        self.n_centered = len(self.model.coords.get("model_centered", ()))
        self.anchor_groups = tuple(self.model.coords.get("anchor_group", ()))
        generative = self._gen.model
        shared_ids = {id(sv) for sv in self._gen.shared}

        def data_dependent(var: Any) -> bool:
            return any(id(a) in shared_ids for a in ancestors([var]))

        for rv in generative.observed_RVs:
            if rv.name not in _OBSERVED_FIELD:
                raise RiskmodelError(f"cannot map observed variable {rv.name} to its data")
        self.independent = [rv for rv in generative.free_RVs if not data_dependent(rv)]
        dependent = [rv for rv in generative.free_RVs if data_dependent(rv)]
        self.reports = [rv for rv in generative.observed_RVs if not data_dependent(rv)]
        self.observed = [rv for rv in generative.observed_RVs if data_dependent(rv)]
        self.quantities = list(quantities)
        names = {name for name, _ in self.quantities}
        for name in sorted(names):
            if name not in self.model.named_vars or name not in generative.named_vars:
                raise RiskmodelError(
                    f"{name} is not a variable of both the fitted (anchored) and the "
                    "generative model: rank global parameters or reported quantities"
                )
        free = {id(rv) for rv in generative.free_RVs}
        for name in sorted(names):
            if not any(id(a) in free for a in ancestors([generative[name]])):
                raise RiskmodelError(f"{name} is a constant of the model: nothing to rank")
        self._index = {q: self._label_index(*q) for q in self.quantities}
        for (name, label), index in self._index.items():
            dims = generative.named_vars_to_dims.get(name) or ()
            if index is not None and list(generative.coords[dims[0]]).index(label) != index:
                raise RiskmodelError(f"{name}'s coordinates differ between the two forms")
        derived = sorted(names - {rv.name for rv in self.independent})
        outputs = self.reports + self.observed + dependent + [generative[name] for name in derived]
        self._output_names = [v.name for v in outputs]
        inputs = [rv.type(rv.name) for rv in self.independent]
        self._forward_outputs = graph_replace(
            outputs, dict(zip(self.independent, inputs, strict=True)), strict=True
        )
        self._forward_inputs = inputs
        self._var_names = sorted(names)
        self._compiled_forward: tuple[Any, Any, list[Any]] | None = None
        self._template_values = {sv.name: np.array(sv.get_value()) for sv in self._gen.shared}
        with strict_float():
            self.compiled = nutpie.compile_pymc_model(self.model, var_names=self._var_names)

    def _label_index(self, name: str, label: str | None) -> int | None:
        dims = self.model.named_vars_to_dims.get(name) or ()
        if label is None:
            if dims:
                raise RiskmodelError(f"{name} has dims {dims}: give a coordinate label")
            return None
        if len(dims) != 1:
            raise RiskmodelError(f"{name} is not a vector over one dim")
        coords = list(self.model.coords[dims[0]])
        if label not in coords:
            raise RiskmodelError(f"{label!r} is not in {name}'s coordinate {dims[0]}")
        return coords.index(label)

    @staticmethod
    def quantity_name(name: str, label: str | None) -> str:
        """Display name of a quantity, e.g. ``difficulty[mmlu]``."""
        return name if label is None else f"{name}[{label}]"

    def slot_values(self, data: CapabilityData) -> dict[str, np.ndarray]:
        """Shared-variable name -> value of the fitted model for ``data`` (same design,
        new data values), for ``compiled.with_data``."""
        return self._fit.values_for(data, self.config)

    def _forward(self) -> tuple[Any, Any, list[Any]]:
        """The prior and forward functions (compiled on first use) and their RNGs."""
        if self._compiled_forward is None:
            with strict_float(), warnings.catch_warnings():
                # the beta-binomial's forward draw has no numba implementation (PyMC
                # falls back to object mode and says so); sampling is unaffected
                warnings.filterwarnings("ignore", message=NUMBA_OBJECT_MODE, category=UserWarning)
                prior_fn, prior_updates = pm.pytensorf.compile(
                    [], self.independent, random_seed=False, return_updates=True
                )
                forward_fn, forward_updates = pm.pytensorf.compile(
                    self._forward_inputs,
                    self._forward_outputs,
                    random_seed=False,
                    return_updates=True,
                )
            rngs = [*prior_updates, *forward_updates]
            self._compiled_forward = (prior_fn, forward_fn, rngs)
        return self._compiled_forward

    def simulate(
        self, seed: int, *, truth_scale: Mapping[str, float] | None = None
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """One data set simulated from the prior (generative model); a function of
        ``seed`` only.

        Parameters
        ----------
        seed
            Seeds the random streams of the prior and forward functions.
        truth_scale
            See :meth:`run`.

        Returns
        -------
        (dict, dict)
            Shared-variable name -> value of the simulated data set for the fitted model
            (for ``compiled.with_data``), and variable name -> true value of every free
            variable of the generative model, observation and ranked quantity.
        """
        prior_fn, forward_fn, rngs = self._forward()
        pm.pytensorf.reseed_rngs(rngs, seed)
        for sv in self._gen.shared:  # the discarded draws of the first call use these
            sv.set_value(self._template_values[sv.name])
        scale = dict(truth_scale or {})
        inputs = [np.array(v) for v in prior_fn()]
        for k, rv in enumerate(self.independent):
            if rv.name in scale:
                inputs[k] = inputs[k] * scale[rv.name]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=NUMBA_OBJECT_MODE, category=UserWarning)
            # the reports first: the model's data-derived constants depend on them
            first = dict(zip(self._output_names, forward_fn(*inputs), strict=True))
            reports = {rv.name: np.array(first[rv.name]) for rv in self.reports}
            generative = self._gen.values_for(_with_data(self.data, reports), self.config)
            for sv in self._gen.shared:
                sv.set_value(generative[sv.name])
            second = {
                name: np.array(value)
                for name, value in zip(self._output_names, forward_fn(*inputs), strict=True)
            }
        second.update(reports)
        simulated = {rv.name: second[rv.name] for rv in self.reports + self.observed}
        values = self.slot_values(_with_data(self.data, simulated))
        truth = {rv.name: v for rv, v in zip(self.independent, inputs, strict=True)}
        truth.update(second)
        return values, truth

    def _rank(
        self,
        trace: Any,
        truth: Mapping[str, np.ndarray],
        r: int,
        *,
        thin: int,
        ranks: dict[str, np.ndarray],
        ess: dict[str, np.ndarray],
    ) -> None:
        """Store replication ``r``'s ranks and bulk ESS of every quantity."""
        post = trace["posterior"]
        chains = []
        for name, label in self.quantities:
            index = self._index[(name, label)]
            chain = np.asarray(post[name].values)[0]
            true = np.asarray(truth[name])
            if index is not None:
                chain, true = chain[:, index], true[index]
            qname = self.quantity_name(name, label)
            ranks[qname][r] = rank_statistics(np.atleast_1d(true), chain[None, :], thin=thin)[0]
            chains.append(chain)
        values = array_stats.ess(np.asarray(chains)[:, None, :], chain_axis=-2, draw_axis=-1)
        for (name, label), value in zip(self.quantities, values, strict=True):
            ess[self.quantity_name(name, label)][r] = value

    def run(
        self,
        *,
        replications: int = SBC_REPLICATIONS,
        draws: int = CAPABILITY_SBC_DRAWS,
        tune: int = CAPABILITY_SBC_TUNE,
        thin: int = CAPABILITY_SBC_THIN,
        seed: int = CAPABILITY_SBC_SEED,
        truth_scale: Mapping[str, float] | None = None,
        n_bins: int = RANK_BINS,
        alpha: float = FAMILY_ALPHA,
        concurrent: int = SBC_CONCURRENT_FITS,
        progress: Callable[[int, int], None] | None = None,
    ) -> SBCResult:
        """Simulate, refit and rank ``replications`` times.

        Data sets are simulated in order while earlier ones are being fitted (nutpie
        samples in its own threads); the results do not depend on ``concurrent``.

        Parameters
        ----------
        replications
            Simulated data sets.
        draws, tune
            Post-warmup and warmup draws of the one nutpie chain per replication.
        thin
            Thinning before ranking; ``L = ceil(draws / thin)``.
        seed
            Seeds the prior draws, the simulated data and every replication's sampler.
        truth_scale
            Negative control only: multiply the prior draws of these data-independent
            variables by these factors before simulating (the data then come from a
            prior the fitted model does not have, so SBC should fail).
        n_bins, alpha
            See :func:`~riskmodel.sbc.ranks.summarize_ranks`.
        concurrent
            Fits in flight at once (one thread each).
        progress
            Called as ``progress(done, replications)`` after each replication.

        Returns
        -------
        SBCResult
        """
        if replications < 2 or draws < 1 or tune < 0 or thin < 1 or concurrent < 1:
            raise RiskmodelError(
                "need replications >= 2, draws >= 1, tune >= 0, thin >= 1, concurrent >= 1"
            )
        start = time.perf_counter()
        scale = dict(truth_scale or {})
        unknown = set(scale) - {rv.name for rv in self.independent}
        if unknown:
            raise RiskmodelError(f"truth_scale names no data-independent variable: {unknown}")
        rng = np.random.default_rng(seed)
        simulation_seeds = rng.integers(0, 2**31 - 1, size=replications)
        sampler_seeds = rng.integers(0, 2**31 - 1, size=replications)
        s = self.config.sampler
        n_draws = len(range(0, draws, thin))
        names = [self.quantity_name(*q) for q in self.quantities]
        ranks = {n: np.zeros(replications, dtype=int) for n in names}
        ess = {n: np.zeros(replications) for n in names}
        divergences = np.zeros(replications, dtype=int)
        pending: deque[tuple[int, dict[str, np.ndarray], Any]] = deque()
        started = 0
        try:
            for _ in range(replications):
                # keep `concurrent` fits in flight; simulate while they sample
                while started < replications and len(pending) < concurrent:
                    values, truth = self.simulate(int(simulation_seeds[started]), truth_scale=scale)
                    # keep the model with its data alive while its sampler runs
                    with_data = self.compiled.with_data(**values)
                    sampler = nutpie.sample(
                        with_data,
                        draws=draws,
                        tune=tune,
                        chains=1,
                        cores=1,
                        seed=int(sampler_seeds[started]),
                        progress_bar=False,
                        target_accept=s.target_accept,
                        adaptation=s.adaptation,
                        blocking=False,
                    )
                    pending.append((started, truth, (sampler, with_data)))
                    started += 1
                r, truth, (sampler, _) = pending.popleft()
                trace = sampler.wait()
                self._rank(trace, truth, r, thin=thin, ranks=ranks, ess=ess)
                divergences[r] = int(trace["sample_stats"]["diverging"].sum())
                if progress is not None:
                    progress(r + 1, replications)
        finally:
            for _, _, (sampler, _) in pending:
                sampler.cancel()
        coords = self.data.coords
        settings = {
            "replications": replications,
            "draws": draws,
            "tune": tune,
            "thin": thin,
            "seed": seed,
            "sampler": f"nutpie {nutpie.__version__}, 1 chain, adaptation={s.adaptation}, "
            f"target_accept={s.target_accept}",
            "design": (
                f"{len(coords['model'])} models "
                f"({int(np.isfinite(self.data.model_log10_flop).sum())} with a FLOP report), "
                f"{len(coords['trend_model'])} trend models, "
                f"{len(coords['benchmark'])} benchmarks / {len(coords['result'])} results, "
                f"{len(coords['task'])} tasks / {len(coords['cell'])} model-task cells; "
                f"{self.n_centered} centred capabilities in anchor groups "
                f"{', '.join(self.anchor_groups) or 'none'}"
            ),
            "truth_scale": scale,
        }
        return summarize_ranks(
            ranks,
            n_draws,
            n_bins=n_bins,
            alpha=alpha,
            settings=settings,
            divergences=divergences,
            ess=ess,
            seconds=time.perf_counter() - start,
        )


def capability_sbc(
    evidence: Evidence | None = None,
    *,
    config: FitConfig | None = None,
    replications: int = SBC_REPLICATIONS,
    draws: int = CAPABILITY_SBC_DRAWS,
    tune: int = CAPABILITY_SBC_TUNE,
    thin: int = CAPABILITY_SBC_THIN,
    seed: int = CAPABILITY_SBC_SEED,
    quantities: Sequence[tuple[str, str | None]] = CAPABILITY_SBC_QUANTITIES,
    truth_scale: Mapping[str, float] | None = None,
    alpha: float = FAMILY_ALPHA,
) -> SBCResult:
    """SBC of the capability model at the reduced design.

    Parameters
    ----------
    evidence
        Evidence whose reduced design (:func:`reduced_capability_evidence`) is used;
        default the shipped data.
    config
        Default: the project's default :class:`~riskmodel.config.FitConfig` (priors,
        structure, nutpie with its pinned ``adaptation`` and ``target_accept``); the
        SBC's geometry :data:`CAPABILITY_SBC_GEOMETRY` is applied to it
        (:func:`capability_sbc_config`).
    replications, draws, tune, thin, seed, truth_scale, alpha
        See :meth:`CapabilitySBC.run`.
    quantities
        See :class:`CapabilitySBC`.

    Returns
    -------
    SBCResult
        ``settings`` also holds the vintage of ``evidence`` (``vintage``).
    """
    config = capability_sbc_config(config)
    evidence = evidence if evidence is not None else load_evidence()
    reduced = reduced_capability_evidence(evidence)
    data = prepare_capability_data(reduced, config.capability)
    sbc = CapabilitySBC(data, config, quantities=quantities)
    result = sbc.run(
        replications=replications,
        draws=draws,
        tune=tune,
        thin=thin,
        seed=seed,
        truth_scale=truth_scale,
        alpha=alpha,
    )
    result.settings["vintage"] = evidence.vintage
    return result
