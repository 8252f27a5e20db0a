"""Build, validate and write the evidence tables of one vintage.

Outputs (in ``out_dir``): models.csv, benchmark_results.csv, task_runs.csv, benchmarks.csv,
harnesses.csv and time_horizons.csv. Rows are sorted, floats written with ``repr``, UTF-8
with ``\\n`` line endings, so two runs give byte-identical files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from build_data import curated
from build_data.benchmarks import BENCHMARKS, FRONTIERMATH_N
from build_data.common import (
    FRACTION_TOLERANCE,
    Cell,
    Row,
    check_unique,
    later,
    write_csv,
    write_text,
)
from build_data.registry import CONF_UNKNOWN, MODEL_COLUMNS, Registry
from build_data.sources import cybench, cyber_runs, eci, epoch_hub, epoch_lists, metr, obsscaling
from build_data.vintage import Vintage
from riskmodel.evidence import schema

# Column orders and vocabularies come from the loader's schema, the single source of truth:
# a table the build writes is exactly what riskmodel.evidence validates.
RESULT_COLUMNS: tuple[str, ...] = schema.BENCHMARK_RESULTS.names
RUN_COLUMNS: tuple[str, ...] = schema.TASK_RUNS.names
BENCHMARK_COLUMNS: tuple[str, ...] = schema.BENCHMARKS.names
HARNESS_COLUMNS: tuple[str, ...] = schema.HARNESSES.names
HORIZON_COLUMNS: tuple[str, ...] = schema.TIME_HORIZONS.names
HARNESS_KINDS = frozenset(schema.HARNESS_KINDS)
BENCHMARK_DOMAINS = frozenset(schema.BENCHMARK_DOMAINS)
#: Release of o1-preview: every model released before it has reasoning_trained = false.
REASONING_CUTOFF = schema.REASONING_CUTOFF
REASONING_RULE_SOURCE = f"released before o1-preview ({REASONING_CUTOFF})"


@dataclass
class Tables:
    """The built tables and summary facts of one vintage."""

    models: list[Row]
    results: list[Row]
    runs: list[Row]
    benchmarks: list[Row]
    harnesses: list[Row]
    horizons: list[Row]
    facts: dict[str, object] = field(default_factory=dict)


def source_order(vintage: Vintage) -> tuple[str, ...]:
    """Fixed order of provenance tokens in models.csv ``source``."""
    tokens = [vintage.src_epoch]
    if vintage.src_epoch_large:
        tokens.append(vintage.src_epoch_large)
    tokens += [
        obsscaling.SRC_OBS,
        cybench.SRC_HUB,
        epoch_hub.SRC_HUB,
        cyber_runs.SRC_CYBER,
        metr.SRC_RUNS,
        metr.SRC_HORIZONS,
        eci.SRC_ECI,
    ]
    return tuple(tokens)


def finalise_models(vintage: Vintage, registry: Registry, evidence: set[str]) -> None:
    """Organisation / base-model defaults and the reasoning flag (contract rule)."""
    orgs = curated.mapping("aliases", "organizations", "organization", vintage.name)
    bases = curated.mapping("aliases", "base_models", "base_model", vintage.name)
    flags = curated.load("reasoning")["models"]
    unknown = sorted(set(flags) - set(registry.records))
    if vintage.hub_files and unknown:
        raise ValueError(f"curated/reasoning.toml: ids not in the {vintage.name} build: {unknown}")
    for model, entry in registry.records.items():
        if entry.domain is None:
            entry.domain = "Language"
        if entry.organization is None:
            entry.organization = orgs.get(model)
        if entry.base_model is None and model in bases:
            entry.base_model = bases[model]
        date, _ = entry.release()
        if model in flags:
            flag = flags[model]
            if not flag.get("source"):
                raise ValueError(f"curated/reasoning.toml {model!r}: no source")
            if date is not None and date < REASONING_CUTOFF:
                raise ValueError(f"curated/reasoning.toml {model!r}: released {date}, before o1")
            entry.reasoning_trained = bool(flag["reasoning_trained"])
            entry.reasoning_source = str(flag["source"])
        elif date is not None and date < REASONING_CUTOFF:
            entry.reasoning_trained = False
            entry.reasoning_source = REASONING_RULE_SOURCE


def finalise_result_dates(rows: list[Row], registry: Registry, name: str) -> Counter[str]:
    """Raise result dates below the release date (or missing) to the release date.

    Returns the number of rows changed per ``source`` (documented in data/SOURCES.md).
    """
    changed: Counter[str] = Counter()
    for row in rows:
        release = registry.release_date(str(row["model"]))
        date = row["result_date"]
        new = later(release, str(date) if date is not None else None)
        if date is None or new != date:
            changed[
                f"{name}:{row['source']}:{'undated' if date is None else 'before_release'}"
            ] += 1
        row["result_date"] = new
    return changed


def build_benchmarks(results: Sequence[Row], runs: Sequence[Row]) -> list[Row]:
    """benchmarks.csv rows for every slug used in the evidence tables."""
    aggregate = {str(row["benchmark"]) for row in results}
    tasks: dict[str, set[str]] = {}
    for row in runs:
        tasks.setdefault(str(row["benchmark"]), set()).add(str(row["task_id"]))
    out: list[Row] = []
    for slug in sorted(aggregate | set(tasks)):
        info = BENCHMARKS[slug]
        kind = (
            "both"
            if slug in aggregate and slug in tasks
            else ("aggregate" if slug in aggregate else "tasks")
        )
        n_tasks = info.n_tasks if info.n_tasks is not None else len(tasks[slug])
        out.append(
            {
                "slug": slug,
                "name": info.name,
                "description": info.description,
                "domain": info.domain,
                "chance": float(info.chance),
                "n_tasks": n_tasks,
                "kind": kind,
                "source": info.source,
            }
        )
    return out


def build_harnesses() -> list[Row]:
    """harnesses.csv rows (every declared harness, sorted by slug)."""
    doc = curated.load("harnesses")
    rows: list[Row] = []
    for slug in sorted(doc):
        entry = doc[slug]
        rows.append({"slug": slug, **{c: entry[c] for c in HARNESS_COLUMNS[1:]}})
    return rows


def build(vintage: Vintage) -> Tables:
    """Build every table of ``vintage`` (no files written)."""
    registry = Registry()
    facts: dict[str, object] = {}
    obs_rows, obs_models = obsscaling.build_results(vintage, registry)
    hub_rows, hub_flop = cybench.build_results(vintage, registry)
    new_rows: list[Row] = []
    if vintage.hub_files:
        new_rows, new_flop, facts["hub_counts"] = epoch_hub.build_results(vintage, registry)
        for model, flop in new_flop.items():
            hub_flop.setdefault(model, flop)
        facts["frontiermath_multiples_of_290"] = epoch_hub.frontiermath_denominators(
            vintage, FRONTIERMATH_N
        )
    cyber, facts["cyber_run_dates"] = cyber_runs.build_runs(vintage, registry)
    metr_rows, facts["metr_human_rows_dropped"] = metr.build_runs(vintage, registry)
    if vintage.hub_horizons is None:
        metr.add_run_model_dates(vintage, registry)
    horizons, facts["horizon_counts"] = metr.build_horizons(vintage, registry)
    facts["epoch_counts"] = epoch_lists.add_models(vintage, registry)
    results = obs_rows + hub_rows + new_rows
    runs = cyber + metr_rows
    evidence = (
        {str(r["model"]) for r in results}
        | {str(r["model"]) for r in runs}
        | {str(r["model"]) for r in horizons}
    )
    facts["hub_flop_fills"] = eci.add_metadata(
        vintage, registry, obs_models, hub_flop, evidence, auto_link=bool(vintage.hub_files)
    )
    finalise_models(vintage, registry, evidence)
    changed = finalise_result_dates(results, registry, "benchmark_results")
    changed += finalise_result_dates(runs, registry, "task_runs")
    changed += finalise_result_dates(horizons, registry, "time_horizons")
    facts["result_dates_raised"] = dict(sorted(changed.items()))

    results.sort(
        key=lambda r: tuple(str(r[c] or "") for c in ("model", "benchmark", "harness", "effort"))
    )
    runs.sort(
        key=lambda r: (str(r["model"]), str(r["benchmark"]), str(r["task_id"]), int(r["run"]))
    )  # type: ignore[arg-type]
    order = source_order(vintage)
    models = [registry.records[m].as_row(order) for m in sorted(registry.records)]
    tables = Tables(
        models=models,
        results=results,
        runs=runs,
        benchmarks=build_benchmarks(results, runs),
        harnesses=build_harnesses(),
        horizons=horizons,
        facts=facts,
    )
    facts["evidence_models"] = sorted(evidence)
    validate(tables)
    return tables


def validate(t: Tables) -> None:
    """Check every invariant of the tables; raise ValueError naming the first violation."""
    check_unique(t.models, ("model",), "models")
    check_unique(t.results, ("model", "benchmark", "harness", "effort"), "benchmark_results")
    check_unique(t.runs, ("model", "task_id", "run"), "task_runs")
    check_unique(t.benchmarks, ("slug",), "benchmarks")
    check_unique(t.harnesses, ("slug",), "harnesses")
    check_unique(t.horizons, ("model", "horizon_version"), "time_horizons")

    by_model = {row["model"]: row for row in t.models}
    for table, name in (
        (t.results, "benchmark_results"),
        (t.runs, "task_runs"),
        (t.horizons, "time_horizons"),
    ):
        for row in table:
            model = by_model.get(row["model"])
            if model is None:
                raise ValueError(f"{name}: model {row['model']} missing from models.csv")
            release = model["release_date"]
            if not release:
                raise ValueError(f"{name}: model {row['model']} has no release_date")
            if not row["result_date"] or str(row["result_date"]) < str(release):
                raise ValueError(
                    f"{name}: result_date {row['result_date']} < release {release}: {row}"
                )
    slugs = {row["slug"] for row in t.benchmarks}
    used = {row["benchmark"] for row in t.results} | {row["benchmark"] for row in t.runs}
    if used != slugs:
        raise ValueError(f"benchmark slugs mismatch: {sorted(used ^ slugs, key=str)}")
    for row in t.benchmarks:
        if row["domain"] not in BENCHMARK_DOMAINS:
            raise ValueError(f"benchmarks: unknown domain {row['domain']}")
    harnesses = {row["slug"] for row in t.harnesses}
    for row in t.harnesses:
        if row["kind"] not in HARNESS_KINDS:
            raise ValueError(f"harnesses: unknown kind {row['kind']}")
    if "researcher" not in harnesses:
        raise ValueError("harnesses: 'researcher' not declared")
    used_h = {row["harness"] for row in t.results} | {row["harness"] for row in t.runs}
    if used_h - harnesses:
        raise ValueError(f"undeclared harnesses: {sorted(used_h - harnesses, key=str)}")
    for row in t.results:
        _check_result(row)
    for row in t.runs:
        if row["success"] not in (0, 1):
            raise ValueError(f"non-binary success: {row}")
        if not float(row["human_minutes"]) > 0:  # type: ignore[arg-type]
            raise ValueError(f"non-positive human_minutes: {row}")
    for row in t.models:
        if (row["training_flop"] is None) != (row["flop_confidence"] == CONF_UNKNOWN):
            raise ValueError(f"flop/confidence mismatch: {row['model']}")
        if row["reasoning_trained"] is True and not row["reasoning_source"]:
            raise ValueError(f"reasoning_trained without source: {row['model']}")
    for row in t.horizons:
        lo, mid, hi = row["p50_ci_low"], row["p50_minutes"], row["p50_ci_high"]
        if not (float(lo) <= float(mid) <= float(hi)):  # type: ignore[arg-type]
            raise ValueError(f"time_horizons: p50 outside its interval: {row}")


def _check_result(row: Mapping[str, Cell]) -> None:
    score, n_att, n_sol = row["score"], row["n_attempted"], row["n_solved"]
    if (n_att is None) != (n_sol is None):
        raise ValueError(f"half-filled counts: {row}")
    if score is None:
        raise ValueError(f"no score: {row}")
    if not 0.0 <= float(score) <= 1.0:
        raise ValueError(f"score outside [0,1]: {row}")
    if n_att is not None and abs(float(score) - int(n_sol) / int(n_att)) > FRACTION_TOLERANCE:  # type: ignore[arg-type]
        raise ValueError(f"score != n_solved/n_attempted: {row}")
    se = row["score_se"]
    if se is not None and not 0.0 <= float(se) <= 1.0:
        raise ValueError(f"score_se outside [0,1]: {row}")
    effort = row["effort"]
    if effort is not None and not str(effort).replace("_", "").isalnum():
        raise ValueError(f"bad effort: {row}")
    if effort is not None and str(effort) != str(effort).lower():
        raise ValueError(f"effort not lower-case: {row}")


def vintage_manifest(data_vintage: str, name: str) -> str:
    """Text of ``vintage.toml``: the data vintage the evidence loader reports."""
    meaning = (
        "evaluation and compute evidence on models released before this date"
        if name == "2025-09"
        else "every evaluation and compute file as published by this date"
    )
    return (
        "# Written by scripts/build_data; do not edit. The data vintage of this folder:\n"
        "# captions, reports and fit files quote it (riskmodel.evidence.Evidence.vintage).\n"
        f'vintage = "{data_vintage}"\n'
        f'build = "{name}"\n'
        f'meaning = "{meaning}"\n'
    )


def write(t: Tables, out: Path, *, data_vintage: str, name: str) -> dict[str, int]:
    """Write the six tables and ``vintage.toml`` into ``out``; return row counts per file."""
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / "vintage.toml", vintage_manifest(data_vintage, name))
    return {
        "models.csv": write_csv(out / "models.csv", MODEL_COLUMNS, t.models),
        "benchmark_results.csv": write_csv(
            out / "benchmark_results.csv", RESULT_COLUMNS, t.results
        ),
        "task_runs.csv": write_csv(out / "task_runs.csv", RUN_COLUMNS, t.runs),
        "benchmarks.csv": write_csv(out / "benchmarks.csv", BENCHMARK_COLUMNS, t.benchmarks),
        "harnesses.csv": write_csv(out / "harnesses.csv", HARNESS_COLUMNS, t.harnesses),
        "time_horizons.csv": write_csv(out / "time_horizons.csv", HORIZON_COLUMNS, t.horizons),
    }
