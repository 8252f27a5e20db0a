"""Monte Carlo simulation of SB-1047 policy variants on the same simulated worlds.

:func:`simulate` draws the world parameters (:mod:`riskmodel.world`), the science
(:mod:`riskmodel.simulation.science`), then, chunk by chunk of worlds, a population of
training runs and its attributes, and applies every variant with the one engine
(:mod:`riskmodel.policy.engine`). Chunk ``k`` uses its own named random stream
(``chunk_k`` of the ``simulation`` family, :mod:`riskmodel._rng`), so the result depends
on the seed and ``chunk_draws`` only: never on whether chunks run locally or on a
dask.distributed cluster (``scheduler=ADDRESS``), nor on the order they finish.

The result is an :class:`xarray.Dataset` with dims (variant, year, draw) for the outcomes
of :data:`riskmodel.policy.engine.OUTCOMES`, (variant, draw) for the per-draw ones, and
(year, draw) / (draw,) for the variant-independent world counts
(:data:`~riskmodel.policy.engine.WORLD_OUTCOMES`). The outcomes that depend on which runs
are truly hazardous (:data:`~riskmodel.policy.engine.TRUTH_OUTCOMES`: missed hazardous
runs, false alarms, blocked open-weight releases by truth, the first hazardous run and the
coverage gap, the world's hazardous runs) have a ``truth_bar`` dimension after
``variant``, one entry per bar of :attr:`SimulationConfig.truth_bars` (coordinate: the
bar names of the hazard-bar file); the others (runs covered and exempt, developers under
full obligations, compliance cost, loophole uses, all runs) have none. Its attributes
carry the provenance (fit file and config hash, variant files and hashes, world fit,
settings, truth bars, seed, package versions) and ``simulation_format``
(:data:`SIMULATION_FORMAT`). :func:`save_simulation` writes it atomically as netCDF
(h5netcdf), read back with ``xarray.open_dataset``; the tables below also read files of
format 1 (no ``truth_bar`` dimension: one truth, ``simulation_config.truth_bar``).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel._rng import seed_sequences
from riskmodel.capability.store import load_fit
from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.hazard.inputs import HazardInputs, resolve_hazard_inputs
from riskmodel.policy.engine import (
    OUTCOMES,
    PER_DRAW_OUTCOMES,
    TRUTH_OUTCOMES,
    WORLD_OUTCOMES,
    apply_variant,
    count_hazardous,
)
from riskmodel.policy.variants import (
    PolicyVariant,
    check_variant_bars,
    load_variants,
    variant_hash,
)
from riskmodel.provenance import atomic_path, package_versions
from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.science import Science, prepare_science, run_attributes
from riskmodel.world.fit import WorldFit, fit_world
from riskmodel.world.generate import sample_population

#: Version of the saved simulation layout (attribute ``simulation_format``): 1 (files
#: without the attribute) one truth bar and no ``truth_bar`` dimension; 2 the outcomes of
#: :data:`~riskmodel.policy.engine.TRUTH_OUTCOMES` per truth bar.
SIMULATION_FORMAT = 2
#: Columns of :func:`summary_table`.
SUMMARY_COLUMNS = ("variant", "outcome", "truth_bar", "units", "q05", "q50", "q95", "mean")

#: Outcomes summarised by their peak year rather than summed over years.
PEAK_YEAR_OUTCOMES = ("developers_full_obligations",)

#: The commentary's expectation of the number of developers bearing full obligations:
#: "only a handful of frontier developers (e.g. 3) would ever bear full obligations while
#: others claim the LDE by being weaker" (../shared/DOMAIN.md section 2, the commentary's
#: expectations the simulation should be able to test; section 6: "a handful of frontier
#: developers under obligations, the rest exempt by being weaker"). Compared with the
#: simulated ``developers_full_obligations`` by :func:`developers_table`.
COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS = 3
#: Where :data:`COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS` comes from (quoted in tables).
COMMENTARY_DEVELOPERS_SOURCE = (
    "commentary on SB-1047 (DOMAIN.md section 2): only a handful of frontier developers "
    "(e.g. 3) would ever bear full obligations while others claim the LDE by being weaker"
)
#: Columns of :func:`developers_table`.
DEVELOPERS_COLUMNS = (
    "variant",
    "year",
    "q05",
    "q50",
    "q95",
    "mean",
    "share_at_most_expected",
    "commentary_expectation",
)

__all__ = [
    "simulate",
    "save_simulation",
    "summary_table",
    "truth_label",
    "truth_bars_of",
    "SIMULATION_FORMAT",
    "SUMMARY_COLUMNS",
    "developers_table",
    "COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS",
    "ChunkTask",
    "run_chunk",
]


@dataclass(frozen=True)
class ChunkTask:
    """One unit of work: worlds ``start .. stop - 1`` (picklable for dask)."""

    start: int
    stop: int
    seed_sequence: np.random.SeedSequence
    world: WorldFit
    world_index: np.ndarray
    science: Science
    variants: tuple[PolicyVariant, ...]
    years: tuple[int, ...]


def run_chunk(task: ChunkTask) -> dict[str, np.ndarray]:
    """Simulate one chunk of worlds.

    Returns
    -------
    dict
        ``"<variant>/<outcome>"`` -> (year, draw) or (draw,) arrays for the chunk's
        worlds, plus the world counts of :func:`riskmodel.policy.engine.count_hazardous`.
    """
    rng = np.random.default_rng(task.seed_sequence)
    pop = sample_population(task.world, draw_index=task.world_index, years=task.years, rng=rng)
    runs = run_attributes(pop, task.science, rng=rng)
    out: dict[str, np.ndarray] = dict(count_hazardous(pop, runs))
    for variant in task.variants:
        for name, values in apply_variant(pop, runs, variant).items():
            out[f"{variant.name}/{name}"] = values
    return out


def _tasks(
    *,
    config: SimulationConfig,
    world: WorldFit,
    science: Science,
    variants: Sequence[PolicyVariant],
) -> list[ChunkTask]:
    n_chunks = -(-config.draws // config.chunk_draws)
    sequences = seed_sequences(config.seed, "simulation", chunks=n_chunks)
    world_rng = np.random.default_rng(sequences["world"])
    n_world = next(iter(world.draws.values())).size
    world_index = world_rng.integers(0, n_world, size=config.draws)
    tasks = []
    for k in range(n_chunks):
        start, stop = k * config.chunk_draws, min((k + 1) * config.chunk_draws, config.draws)
        tasks.append(
            ChunkTask(
                start=start,
                stop=stop,
                seed_sequence=sequences[f"chunk_{k}"],
                world=world,
                world_index=world_index[start:stop],
                science=science.subset(slice(start, stop)),
                variants=tuple(variants),
                years=config.years,
            )
        )
    return tasks


def _progress(total: int, enabled: bool) -> Callable[[int], None]:
    started = time.perf_counter()

    def report(done: int) -> None:
        if not enabled:
            return
        width = 30
        filled = int(width * done / total)
        elapsed = time.perf_counter() - started
        print(
            f"\rsimulate [{'#' * filled}{'.' * (width - filled)}] {done}/{total} chunks "
            f"{elapsed:5.1f} s",
            end="\n" if done == total else "",
            file=sys.stderr,
            flush=True,
        )

    return report


def _run_tasks(
    tasks: list[ChunkTask], *, scheduler: str | None, progress: bool
) -> list[dict[str, np.ndarray]]:
    report = _progress(len(tasks), progress)
    report(0)
    if scheduler is None:
        results = []
        for i, task in enumerate(tasks):
            results.append(run_chunk(task))
            report(i + 1)
        return results
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise RiskmodelError(f"--scheduler needs dask.distributed ({exc})") from None
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise RiskmodelError(f"cannot reach the dask scheduler at {scheduler} ({exc})") from None
    try:
        futures = client.map(run_chunk, tasks, pure=False)
        index = {future.key: i for i, future in enumerate(futures)}
        results: list[dict[str, np.ndarray] | None] = [None] * len(tasks)
        for done, future in enumerate(as_completed(futures), start=1):
            results[index[future.key]] = future.result()
            report(done)
    finally:
        client.close()
    return [r for r in results if r is not None]


def _select_variants(
    variants: str | Sequence[str | PolicyVariant], inputs: HazardInputs
) -> list[PolicyVariant]:
    """Variants from names, file paths or :class:`PolicyVariant` objects (unique names),
    each checked against the hazard bars in use (``inputs.bars``): loaded ones as they
    load, objects here."""
    if isinstance(variants, str):
        return load_variants(variants, inputs=inputs)
    items = list(variants)
    names = [v for v in items if not isinstance(v, PolicyVariant)]
    objects = [v for v in items if isinstance(v, PolicyVariant)]
    loaded = iter(load_variants(names, inputs=inputs) if names else [])
    selected = [v if isinstance(v, PolicyVariant) else next(loaded) for v in items]
    if not selected:
        raise ConfigError("no policy variant selected")
    seen = [v.name for v in selected]
    duplicated = sorted({n for n in seen if seen.count(n) > 1})
    if duplicated:
        raise ConfigError(f"policy variant '{duplicated[0]}' selected twice")
    check_variant_bars(objects, inputs.bars, source=inputs.bars_source)
    return selected


def simulate(
    fit: xr.DataTree | str | Path,
    *,
    variants: str | Sequence[str | PolicyVariant] = "all",
    config: SimulationConfig | None = None,
    world: WorldFit | None = None,
    link_params: str = "studies",
    scheduler: str | None = None,
    progress: bool = False,
    link: str | None = None,
    inputs: HazardInputs | None = None,
) -> xr.Dataset:
    """Simulate the policy variants on the same worlds.

    Parameters
    ----------
    fit
        Fitted capability model (DataTree or path).
    variants
        ``"all"`` (the shipped five), or a list of names, paths of variant TOML files
        and :class:`~riskmodel.policy.variants.PolicyVariant` objects (e.g. a shipped
        variant with a rule changed by ``model_copy``).
    config
        Years, draws, seed, chunking, truth bars, evaluation noise.
    world
        Fitted world model; default :func:`riskmodel.world.fit.fit_world` on the shipped
        Epoch data.
    link_params
        ``"studies"`` (uplift link updated by the uplift studies) or ``"prior"``.
    scheduler
        Address of a dask.distributed scheduler; ``None`` runs locally.
    progress
        Print a progress bar to stderr.
    link
        Uplift link, ``"amdahl"`` or ``"direct"``; default from the uplift priors.
    inputs
        Elicited priors, hazard bars and uplift studies
        (:func:`riskmodel.hazard.inputs.load_hazard_inputs`); default the shipped files.

    Returns
    -------
    xarray.Dataset
        See the module docstring.
    """
    config = config or SimulationConfig()
    inputs = resolve_hazard_inputs(inputs)
    selected = _select_variants(variants, inputs)
    tree = load_fit(fit) if isinstance(fit, str | Path) else fit
    world = world or fit_world()
    science = prepare_science(
        tree,
        variants=selected,
        config=config,
        link_params=link_params,
        link=link,
        inputs=inputs,
    )
    tasks = _tasks(config=config, world=world, science=science, variants=selected)
    results = _run_tasks(tasks, scheduler=scheduler, progress=progress)
    return _assemble(
        results,
        fit=fit,
        tree=tree,
        variants=selected,
        config=config,
        world=world,
        science=science,
        link_params=link_params,
        link=link,
        inputs=inputs,
    )


def _assemble(
    results: list[dict[str, np.ndarray]],
    *,
    fit: xr.DataTree | str | Path,
    tree: xr.DataTree,
    variants: list[PolicyVariant],
    config: SimulationConfig,
    world: WorldFit,
    science: Science,
    link_params: str,
    link: str | None,
    inputs: HazardInputs,
) -> xr.Dataset:
    def joined(key: str) -> np.ndarray:
        return np.concatenate([r[key] for r in results], axis=-1)

    names = [v.name for v in variants]
    truths = list(config.truth_bars)
    coords = {
        "variant": names,
        "truth_bar": truths,
        "year": list(config.years),
        "draw": np.arange(config.draws),
    }

    def dims(outcome: str, *rest: str) -> tuple[str, ...]:
        return ("truth_bar", *rest) if outcome in TRUTH_OUTCOMES else rest

    def variable_attrs(outcome: str, units: str, description: str) -> dict[str, str]:
        if outcome not in TRUTH_OUTCOMES:
            return {"units": units, "description": description}
        truth = "per truth bar (dimension truth_bar): the realised condition of that bar"
        return {"units": units, "description": description, "truth": truth}

    data: dict[str, Any] = {}
    for outcome, (units, description) in OUTCOMES.items():
        values = np.stack([joined(f"{v}/{outcome}") for v in names])
        data[outcome] = xr.Variable(
            ("variant", *dims(outcome, "year", "draw")),
            values,
            variable_attrs(outcome, units, description),
        )
    for outcome, (units, description) in PER_DRAW_OUTCOMES.items():
        values = np.stack([joined(f"{v}/{outcome}") for v in names])
        data[outcome] = xr.Variable(
            ("variant", *dims(outcome, "draw")), values, variable_attrs(outcome, units, description)
        )
    for outcome, (units, description) in WORLD_OUTCOMES.items():
        per_year = outcome != "first_hazard_time"
        data[outcome] = xr.Variable(
            dims(outcome, *(("year", "draw") if per_year else ("draw",))),
            joined(outcome),
            variable_attrs(outcome, units, description),
        )
    dataset = xr.Dataset(data, coords=coords)
    attrs = tree.attrs
    dataset.attrs.update(
        {
            "title": "riskmodel policy-variant simulation",
            "fit_file": str(fit) if isinstance(fit, str | Path) else "(in memory)",
            "fit_config_hash": str(attrs.get("config_hash", "")),
            "data_vintage": str(attrs.get("data_vintage", "")),
            "variant_files": json.dumps({v.name: v.path for v in variants}),
            "variant_hashes": json.dumps({v.name: variant_hash(v) for v in variants}),
            "variant_rules": json.dumps({v.name: v.rules_dict() for v in variants}),
            "simulation_config": config.model_dump_json(),
            "simulation_format": SIMULATION_FORMAT,
            "truth_bars": json.dumps(truths),
            "seed": config.seed,
            "link_params": link_params,
            "uplift_link": link or inputs.uplift_priors.default_link,
            "hazard_input_files": json.dumps(dict(inputs.files)),
            "world_fit": json.dumps(world.to_dict(), default=str),
            "assessment_thresholds_dex": json.dumps(
                {
                    key: dict(
                        zip(
                            [f"{t:.0f}-01-01" for t in science.threshold_times],
                            np.round(values, 6).tolist(),
                            strict=True,
                        )
                    )
                    for key, values in science.assessment_thresholds.items()
                }
            ),
            "record_ess": float(science.record_ess),
            "package_versions": json.dumps(package_versions()),
            "created": pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
        }
    )
    return dataset


def save_simulation(dataset: xr.Dataset, path: str | Path) -> Path:
    """Write the simulation atomically as netCDF (h5netcdf); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(path) as tmp:
        dataset.to_netcdf(tmp, engine="h5netcdf")
    return path


def truth_label(bar: str) -> str:
    """How a truth bar is named in tables and figures: ``"truth: current bar"``."""
    return f"truth: {bar} bar" if bar else ""


def truth_bars_of(dataset: xr.Dataset) -> list[str]:
    """The truth bars of a simulation, in its order.

    The ``truth_bar`` coordinate (format 2); for a file of format 1 (one truth, no
    dimension) the ``truth_bar`` of its ``simulation_config`` attribute (``[""]`` if
    unknown).
    """
    if "truth_bar" in dataset.coords:
        return [str(b) for b in dataset["truth_bar"].values.tolist()]
    try:
        bar = json.loads(dataset.attrs.get("simulation_config", "{}")).get("truth_bar")
    except (TypeError, ValueError):
        bar = None
    return [str(bar) if bar else ""]


def summary_table(dataset: xr.Dataset, *, year: int | None = None) -> pd.DataFrame:
    """Median and 90% interval per outcome, truth bar and variant.

    Parameters
    ----------
    dataset
        From :func:`simulate` (or a saved simulation of any :data:`SIMULATION_FORMAT`).
    year
        One year; default all simulated years: counts and costs summed, developers with
        full obligations at their peak year (a sum would count developer-years), the
        per-draw outcomes as they are.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`; rows by outcome, then truth bar, then variant.
        ``truth_bar`` names the truth bar of the outcomes of
        :data:`~riskmodel.policy.engine.TRUTH_OUTCOMES` (one row per bar) and is ``""``
        for the outcomes that do not depend on the truth.
    """
    rows = []
    single = truth_bars_of(dataset)[0]
    for outcome in (*OUTCOMES, *PER_DRAW_OUTCOMES):
        da = dataset[outcome]
        if "year" in da.dims:
            if year is not None:
                da = da.sel(year=year)
            elif outcome in PEAK_YEAR_OUTCOMES:
                da = da.max("year")
            else:
                da = da.sum("year")
        if "truth_bar" in da.dims:
            truths = [(str(b), da.sel(truth_bar=b)) for b in da["truth_bar"].values.tolist()]
        else:
            truths = [(single if outcome in TRUTH_OUTCOMES else "", da)]
        for truth, by_truth in truths:
            for variant in dataset["variant"].values.tolist():
                values = np.asarray(by_truth.sel(variant=variant).values, dtype=float)
                finite = values[~np.isnan(values)]
                if finite.size:
                    q05, q50, q95 = np.quantile(finite, [0.05, 0.5, 0.95], method="inverted_cdf")
                    mean = float(finite.mean()) if np.all(np.isfinite(finite)) else float("inf")
                else:
                    q05 = q50 = q95 = mean = float("nan")
                rows.append(
                    {
                        "variant": variant,
                        "outcome": outcome,
                        "truth_bar": truth,
                        "units": da.attrs.get("units", ""),
                        "q05": float(q05),
                        "q50": float(q50),
                        "q95": float(q95),
                        "mean": mean,
                    }
                )
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))


def developers_table(
    dataset: xr.Dataset,
    *,
    year: int | None = None,
    expected: int = COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS,
) -> pd.DataFrame:
    """Developers under full obligations per variant in one year, beside the commentary's
    expectation (:data:`COMMENTARY_DEVELOPERS_UNDER_OBLIGATIONS`, "about 3").

    The outcome is :data:`~riskmodel.policy.engine.OUTCOMES` ``developers_full_obligations``:
    per simulated world, the distinct developers with at least one run under full
    obligations (covered, not exempt) released in that year.

    Parameters
    ----------
    dataset
        From :func:`simulate`.
    year
        The simulated year compared (default: the last simulated year, when most runs
        are above the thresholds).
    expected
        The expectation compared with.

    Returns
    -------
    pandas.DataFrame
        One row per variant, columns :data:`DEVELOPERS_COLUMNS`: the year, the 5%, 50%
        and 95% quantiles (``inverted_cdf``, as :func:`summary_table`) and the mean over
        simulated worlds, the share of worlds with at most ``expected`` developers under
        full obligations, and ``expected``.

    Raises
    ------
    ConfigError
        If ``year`` was not simulated.
    """
    years = [int(y) for y in dataset["year"].values.tolist()]
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ConfigError(f"year {year} was not simulated (simulated: {years[0]}-{years[-1]})")
    da = dataset["developers_full_obligations"].sel(year=year)
    rows = []
    for variant in dataset["variant"].values.tolist():
        values = np.asarray(da.sel(variant=variant).values, dtype=float)
        q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95], method="inverted_cdf")
        rows.append(
            {
                "variant": variant,
                "year": year,
                "q05": float(q05),
                "q50": float(q50),
                "q95": float(q95),
                "mean": float(values.mean()),
                "share_at_most_expected": float(np.mean(values <= expected)),
                "commentary_expectation": expected,
            }
        )
    return pd.DataFrame(rows, columns=list(DEVELOPERS_COLUMNS))
