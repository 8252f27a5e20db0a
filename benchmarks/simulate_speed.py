"""Speed of the policy simulation, and of the vectorised engine against a per-run loop.

Usage::

    .venv/bin/python benchmarks/simulate_speed.py [--fit results/capability_fit.nc]
        [--draws 1000] [--loop-draws 20] [--out benchmarks/results/simulate_speed.json]

In one run it measures:

(a) **The default simulation**, ``simulate(fit, variants="all",
    config=SimulationConfig(draws=DRAWS))`` (2025 to 2030, all five shipped variants), in
    a fresh child process (``subprocess``) so that nothing else shares its memory: the
    wall time of the call end to end, the time of its chunk loop alone (the wrapped
    ``riskmodel.simulation.run._run_tasks``: population, attributes and all variants,
    chunk by chunk), the rest (loading the fit, fitting the world model, preparing the
    science, assembling the dataset), each of these steps (the functions named in
    ``TIMED_STEPS``, wrapped where ``simulate`` looks them up), and the child's peak
    resident memory (``resource.getrusage(RUSAGE_SELF).ru_maxrss``, which includes the
    interpreter and the imported libraries; the value after the imports is reported too).
(b) **The vectorised engine against the reference loop** on the same inputs: a
    population and its run attributes for ``LOOP_DRAWS`` worlds built exactly as
    :func:`riskmodel.simulation.run.run_chunk` builds them (the first chunk of a
    simulation with ``draws = chunk_draws = LOOP_DRAWS``), to which
    :func:`riskmodel.policy.engine.apply_variant` and
    :func:`reference_engine.apply_variant_loop` apply every shipped variant. Both are
    timed (best of several repeats), their outputs compared (counts exactly, costs to a
    relative 1e-12, times with NaN and inf), and the throughput reported in runs per
    second (runs times variants over seconds) with the ratio vectorised / loop. The
    vectorised engine's throughput on one default-size chunk (100 worlds) is reported
    for context.

It prints a table and writes the numbers as JSON (atomically) with package versions and
machine information. Targets, reported and not asserted: vectorised engine at least 50x
the loop's throughput; the default simulation within 30 s on 2 cores; peak memory below
2 GiB.

Exit status: 0; 1 if the engines disagree or the child simulation fails; 2 if the fit
file is missing (make it with ``riskmodel fit``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_FIT = REPO / "results" / "capability_fit.nc"
DEFAULT_OUT = REPO / "benchmarks" / "results" / "simulate_speed.json"
#: Targets (reported, not asserted).
TARGET_SPEEDUP = 50.0
TARGET_SIMULATION_SECONDS = 30.0
TARGET_PEAK_BYTES = 2 * 1024**3
#: Worlds of the default-size chunk timed for context.
DEFAULT_CHUNK_DRAWS = 100
#: Functions looked up in ``riskmodel.simulation.run`` whose time inside ``simulate`` is
#: reported (wrapped in the child): the setup, the chunk loop and its parts, the assembly.
TIMED_STEPS = (
    "load_fit",
    "fit_world",
    "prepare_science",
    "_run_tasks",
    "sample_population",
    "run_attributes",
    "count_hazardous",
    "apply_variant",
    "_assemble",
)
#: The steps of :data:`TIMED_STEPS` inside the chunk loop.
CHUNK_STEPS = ("sample_population", "run_attributes", "count_hazardous", "apply_variant")


def _peak_rss_bytes() -> int:
    """Peak resident set size of this process (``ru_maxrss``: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def _child(fit: Path, draws: int) -> dict[str, Any]:
    """Run the default simulation in this (fresh) process; return its timings and memory."""
    started = time.perf_counter()
    from riskmodel.simulation import run as run_module
    from riskmodel.simulation.config import SimulationConfig

    import_seconds = time.perf_counter() - started
    rss_after_imports = _peak_rss_bytes()
    spent = {name: 0.0 for name in TIMED_STEPS if hasattr(run_module, name)}

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - begin

        return wrapper

    for name in spent:
        setattr(run_module, name, timed(name, getattr(run_module, name)))
    config = SimulationConfig(draws=draws)
    begin = time.perf_counter()
    dataset = run_module.simulate(fit, variants="all", config=config)
    wall = time.perf_counter() - begin
    chunk_loop = spent.get("_run_tasks", float("nan"))
    return {
        "draws": draws,
        "years": [config.first_year, config.last_year],
        "chunk_draws": config.chunk_draws,
        "variants": [str(v) for v in dataset["variant"].values.tolist()],
        "runs_simulated": int(dataset["runs"].sum()),
        "import_seconds": import_seconds,
        "wall_seconds": wall,
        "chunk_loop_seconds": chunk_loop,
        "other_seconds": wall - chunk_loop,
        "step_seconds": spent,
        "peak_rss_bytes": _peak_rss_bytes(),
        "rss_after_imports_bytes": rss_after_imports,
        "memory_method": "resource.getrusage(RUSAGE_SELF).ru_maxrss of a fresh child process "
        "(includes the interpreter and imported libraries)",
    }


def _simulation_in_child(fit: Path, draws: int) -> dict[str, Any] | None:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--fit", str(fit)]
    command += ["--draws", str(draws)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        print(f"the child simulation failed (exit {done.returncode})", file=sys.stderr)
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _inputs(tree: Any, world: Any, n_draws: int, variants: list) -> tuple[Any, Any]:
    """Population and run attributes of ``n_draws`` worlds, built as ``run_chunk`` does
    (the first chunk of a default simulation with ``draws = chunk_draws = n_draws``)."""
    from riskmodel.simulation import run as run_module
    from riskmodel.simulation.config import SimulationConfig
    from riskmodel.simulation.science import prepare_science, run_attributes
    from riskmodel.world.generate import sample_population

    config = SimulationConfig(draws=n_draws, chunk_draws=n_draws)
    science = prepare_science(tree, variants=variants, config=config)
    (task,) = run_module._tasks(config=config, world=world, science=science, variants=variants)
    rng = np.random.default_rng(task.seed_sequence)
    pop = sample_population(task.world, draw_index=task.world_index, years=task.years, rng=rng)
    return pop, run_attributes(pop, task.science, rng=rng)


def _best_seconds(function: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        begin = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - begin)
    return best, result


def _differences(vectorised: dict, loop: dict) -> dict[str, int]:
    """Number of disagreeing cells per outcome (empty: all agree)."""
    found: dict[str, int] = {}
    for name in vectorised.keys() | loop.keys():
        if name not in vectorised or name not in loop:
            found[name] = -1
            continue
        a, b = np.asarray(vectorised[name], float), np.asarray(loop[name], float)
        if a.shape != b.shape:
            found[name] = -1
            continue
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        if name == "compliance_cost_usd":
            same |= np.isclose(a, b, rtol=1e-12, atol=0.0)
        if not same.all():
            found[name] = int((~same).sum())
    return found


def _engine_comparison(fit: Path, loop_draws: int) -> dict[str, Any]:
    from reference_engine import apply_variant_loop

    from riskmodel.capability.store import load_fit
    from riskmodel.policy.engine import apply_variant
    from riskmodel.policy.variants import load_variants
    from riskmodel.world.fit import fit_world

    variants = load_variants("all")
    tree, world = load_fit(fit), fit_world()
    pop, runs = _inputs(tree, world, loop_draws, variants)
    n_evaluations = pop.n_runs * len(variants)

    def vectorised() -> list[dict]:
        return [apply_variant(pop, runs, v) for v in variants]

    def loop() -> list[dict]:
        return [apply_variant_loop(pop, runs, v) for v in variants]

    vec_seconds, vec_out = _best_seconds(vectorised, 20)
    loop_seconds, loop_out = _best_seconds(loop, 3)
    disagreements = {}
    for variant, a, b in zip(variants, vec_out, loop_out, strict=True):
        diff = _differences(a, b)
        if diff:
            disagreements[variant.name] = diff

    chunk_pop, chunk_runs = _inputs(tree, world, DEFAULT_CHUNK_DRAWS, variants)
    chunk_seconds, _ = _best_seconds(
        lambda: [apply_variant(chunk_pop, chunk_runs, v) for v in variants], 10
    )
    return {
        "worlds": loop_draws,
        "runs": pop.n_runs,
        "variants": [v.name for v in variants],
        "vectorised_seconds": vec_seconds,
        "loop_seconds": loop_seconds,
        "vectorised_runs_per_second": n_evaluations / vec_seconds,
        "loop_runs_per_second": n_evaluations / loop_seconds,
        "speedup": loop_seconds / vec_seconds,
        "agree": not disagreements,
        "disagreements": disagreements,
        "default_chunk": {
            "worlds": DEFAULT_CHUNK_DRAWS,
            "runs": chunk_pop.n_runs,
            "vectorised_seconds": chunk_seconds,
            "vectorised_runs_per_second": chunk_pop.n_runs * len(variants) / chunk_seconds,
        },
        "timing": "best of 20 (vectorised) and 3 (loop) repeats, all variants per repeat",
    }


def _machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpus_available": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor(),
        "python": platform.python_version(),
    }


def _table(simulation: dict[str, Any], engine: dict[str, Any]) -> str:
    gib = 1024**3
    rows = [
        ("vectorised engine", f"{engine['vectorised_runs_per_second']:,.0f} runs/s"),
        ("reference loop", f"{engine['loop_runs_per_second']:,.0f} runs/s"),
        ("speed-up (target >= 50x)", f"{engine['speedup']:,.0f}x"),
        ("engines agree", "yes" if engine["agree"] else f"NO: {engine['disagreements']}"),
        (
            f"vectorised, {engine['default_chunk']['worlds']}-world chunk",
            f"{engine['default_chunk']['vectorised_runs_per_second']:,.0f} runs/s",
        ),
        (
            f"simulate, {simulation['draws']} draws (target <= 30 s)",
            f"{simulation['wall_seconds']:.1f} s",
        ),
        ("  chunk loop", f"{simulation['chunk_loop_seconds']:.1f} s"),
        *[
            (f"    {name}", f"{simulation['step_seconds'][name]:.1f} s")
            for name in CHUNK_STEPS
            if name in simulation["step_seconds"]
        ],
        ("  setup and assembly", f"{simulation['other_seconds']:.1f} s"),
        *[
            (f"    {name}", f"{seconds:.1f} s")
            for name, seconds in simulation["step_seconds"].items()
            if name not in CHUNK_STEPS and name != "_run_tasks"
        ],
        ("  peak memory (target < 2 GiB)", f"{simulation['peak_rss_bytes'] / gib:.2f} GiB"),
        ("  memory after imports", f"{simulation['rss_after_imports_bytes'] / gib:.2f} GiB"),
    ]
    width = max(len(name) for name, _ in rows)
    header = (
        f"policy engine on {engine['worlds']} worlds, {engine['runs']} runs x "
        f"{len(engine['variants'])} variants; simulation of "
        f"{simulation['runs_simulated']:,} runs x {len(simulation['variants'])} variants"
    )
    return "\n".join([header] + [f"{name:<{width}}  {value}" for name, value in rows])


def main() -> int:
    """Run the benchmark; return the exit status."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fit", type=Path, default=DEFAULT_FIT, help="capability fit file")
    parser.add_argument("--draws", type=int, default=1000, help="worlds of the simulation")
    parser.add_argument("--loop-draws", type=int, default=20, help="worlds of the engine test")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON result file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.fit.exists():
        print(
            f"fit file {args.fit} not found; make it with `riskmodel fit` "
            f"(or `riskmodel fit --out {args.fit}`), or pass --fit",
            file=sys.stderr,
        )
        return 2
    if args.child:
        print(json.dumps(_child(args.fit, args.draws)))
        return 0

    simulation = _simulation_in_child(args.fit, args.draws)
    if simulation is None:
        return 1
    engine = _engine_comparison(args.fit, args.loop_draws)

    from riskmodel.provenance import atomic_path, package_versions

    result = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "fit_file": str(args.fit),
        "machine": _machine(),
        "package_versions": package_versions(),
        "simulation": simulation,
        "engine": engine,
        "targets": {
            "speedup_min": TARGET_SPEEDUP,
            "speedup_met": engine["speedup"] >= TARGET_SPEEDUP,
            "simulation_seconds_max_on_2_cores": TARGET_SIMULATION_SECONDS,
            "simulation_seconds_met": simulation["wall_seconds"] <= TARGET_SIMULATION_SECONDS,
            "peak_memory_bytes_max": TARGET_PEAK_BYTES,
            "peak_memory_met": simulation["peak_rss_bytes"] < TARGET_PEAK_BYTES,
        },
    }
    print(_table(simulation, engine))
    with atomic_path(args.out) as tmp:
        tmp.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0 if engine["agree"] else 1


if __name__ == "__main__":
    sys.exit(main())
