"""METR: per-run results (HCAST / RE-Bench, file of 2025-02-27) and published time horizons.

Time horizons (``time_horizons.csv``), one documented choice per (model, version):
version 1.0 from METR's own 1.0 file; version 1.1 from the Epoch hub copy where it has the
model (newer vintage), else METR's 1.1 file. A METR 1.1 row with the same average score as a
hub 1.1 row is the same set of runs and is superseded by the hub row (the hub names the
snapshot, e.g. gpt_4 -> gpt-4-0613). The 1.1 file's re-listed ``METR-Horizon-v1.0`` rows are
not used (1.0 comes from the 1.0 file).
"""

from __future__ import annotations

from build_data import curated
from build_data.benchmarks import METR_SUITE_HCAST, METR_SUITE_REBENCH
from build_data.common import Row, number_runs, read_csv, records, split_effort, to_float, to_str
from build_data.registry import DATE_METR, Registry
from build_data.vintage import Vintage

SRC_RUNS = "metr_runs"
SRC_HORIZONS = "metr_time_horizons"
HARNESS = "metr_agent"
HUMAN_ALIAS = "human"
REBENCH_PREFIX = "ai_rd_"
MIN_NON_SWAA_MINUTES = 1.0
V10_DATE = "2025-03-19"  # METR, Measuring AI Ability to Complete Long Tasks (arXiv 2503.14499)
V11_DATE = "2026-01-30"  # METR time horizon 1.1 release (January 2026)
FILE_V10 = "METR benchmark_results_1_0.yaml"
FILE_V11 = "METR benchmark_results_1_1.yaml"
LABEL_V10 = ("METR-Horizon-v1", "METR-Horizon-v1.0")
LABEL_V11 = "METR-Horizon-v1.1"


def suite(task_family: str, human_minutes: float) -> str:
    """Return ``rebench`` for ``ai_rd_*`` families, else ``hcast`` (sub-minute: error)."""
    if task_family.startswith(REBENCH_PREFIX):
        return METR_SUITE_REBENCH
    if human_minutes < MIN_NON_SWAA_MINUTES:
        raise ValueError(f"sub-minute METR task family {task_family}: SWAA?")
    return METR_SUITE_HCAST


def build_runs(vintage: Vintage, registry: Registry) -> tuple[list[Row], int]:
    """Return METR run rows (human baselines dropped) and the number dropped."""
    aliases = curated.mapping("aliases", "metr_runs", "id", vintage.name)
    runs = read_csv(vintage.ref_dir / vintage.metr_runs)
    rows: list[Row] = []
    dropped = 0
    for record in runs.to_dict("records"):
        alias = str(record["alias"]).strip()
        if alias == HUMAN_ALIAS:
            dropped += 1
            continue
        model = aliases[alias]
        registry.get(model).sources.add(SRC_RUNS)
        family = str(record["task_family"]).strip()
        minutes = float(record["human_minutes"])
        rows.append(
            {
                "model": model,
                "benchmark": suite(family, minutes),
                "task_id": str(record["task_id"]).strip(),
                "task_family": family,
                "run": None,
                "success": int(record["score_binarized"]),
                "human_minutes": minutes,
                "human_source": to_str(record["human_source"]),
                "source": SRC_RUNS,
                "harness": HARNESS,
                "result_date": vintage.metr_runs_date,
            }
        )
    number_runs(rows)
    return rows, dropped


def _version(record: dict[str, str]) -> str | None:
    """Return the horizon version of a METR-file row (None: re-listed 1.0 row in 1.1 file)."""
    file = record.get("source", FILE_V10)
    label = record["benchmark"]
    if file == FILE_V11:
        return "1.1" if label == LABEL_V11 else None
    if file == FILE_V10 and label in LABEL_V10:
        return "1.0"
    if "source" not in record:  # as-of-2025-02 file: no source column, label per row
        return "1.1" if label == LABEL_V11 else "1.0"
    raise ValueError(f"METR horizons: unknown file/label {file!r} / {label!r}")


def build_horizons(vintage: Vintage, registry: Registry) -> tuple[list[Row], dict[str, int]]:
    """Return time_horizons rows (result_date lower bounds) and counts for the summary."""
    aliases = curated.mapping("aliases", "metr_horizons", "id", vintage.name)
    hub_aliases = curated.mapping("aliases", "hub", "id", vintage.name)
    metr_rows = records(vintage.ref_dir / vintage.metr_horizons)
    hub_rows = records(vintage.ref_dir / vintage.hub_horizons) if vintage.hub_horizons else []

    out: dict[tuple[str, str], Row] = {}
    counts = {"metr_file_1.0": 0, "metr_file_1.1": 0, "epoch_hub_1.1": 0, "superseded": 0}
    hub_by_avg: dict[str, str] = {}
    for rec in hub_rows:
        if rec["benchmark"] != LABEL_V11:
            continue
        model, _ = split_effort(rec["model_id"])
        model = hub_aliases.get(model, model)
        hub_by_avg[rec["average_score"]] = model
        out[(model, "1.1")] = _row(model, "1.1", rec, "p80_min", "epoch_hub", V11_DATE)
        registry.get(model).sources.add(SRC_HORIZONS)
        counts["epoch_hub_1.1"] += 1
    for rec in metr_rows:
        version = _version(rec)
        if version is None:
            continue
        model = aliases[rec["model_id"]]
        entry = registry.get(model)
        entry.sources.add(SRC_HORIZONS)
        entry.add_date(DATE_METR, to_str(rec["release_date"]))
        if version == "1.1" and rec["average_score"] in hub_by_avg:
            counts["superseded"] += 1
            continue
        key = (model, version)
        if key in out:
            raise ValueError(f"METR horizons: duplicate {key}")
        date = V10_DATE if version == "1.0" else V11_DATE
        out[key] = _row(model, version, rec, "p80_min", "metr_file", date)
        counts[f"metr_file_{version}"] += 1
    return [out[k] for k in sorted(out)], counts


def _row(model: str, version: str, rec: dict[str, str], p80: str, source: str, date: str) -> Row:
    return {
        "model": model,
        "horizon_version": version,
        "p50_minutes": to_float(rec["p50_min"]),
        "p50_ci_low": to_float(rec["p50_ci_low"]),
        "p50_ci_high": to_float(rec["p50_ci_high"]),
        "p80_minutes": to_float(rec.get(p80)),
        "average_score": to_float(rec["average_score"]),
        "result_date": date,
        "source": source,
    }


def add_run_model_dates(vintage: Vintage, registry: Registry) -> None:
    """2025-02 behaviour: METR horizon release dates only for models with METR runs."""
    aliases = curated.mapping("aliases", "metr_horizons", "id", vintage.name)
    for rec in records(vintage.ref_dir / vintage.metr_horizons):
        model = aliases.get(rec["model_id"])
        if model is None or model not in registry.records:
            continue
        entry = registry.records[model]
        if SRC_RUNS not in entry.sources:
            continue
        entry.add_date(DATE_METR, to_str(rec["release_date"]))
        entry.sources.add(SRC_HORIZONS)
