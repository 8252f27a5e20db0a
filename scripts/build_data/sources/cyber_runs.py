"""Cyber task-horizon runs (Peters 2025): per-task binary outcomes on five cyber suites."""

from __future__ import annotations

from collections import Counter

from build_data import curated
from build_data.benchmarks import CYBENCH_SLUG
from build_data.common import Row, number_runs, read_csv, to_str
from build_data.registry import DATE_CYBER, Registry
from build_data.vintage import Vintage

SRC_CYBER = "cyber_task_runs"
HARNESS = "cyber_task_horizons"
# Earlier public copy of the same runs (as-of-2025-02 snapshot, dated 2025-02-27).
EARLIER_FILE = "as-of-2025-02/cyber_task_runs_to_2025-02.csv"
EARLIER_DATE = "2025-02-27"
SUITES: dict[str, str] = {
    "cybashbench": "cybashbench",
    "nl2bash": "nl2bash",
    "intercode-ctf": "intercode_ctf",
    "nyuctf": "nyu_ctf",
    "cybench": CYBENCH_SLUG,
}


def _model(vintage: Vintage, raw: str) -> str:
    aliases = curated.mapping("aliases", "cyber_runs", "id", vintage.name)
    if raw not in aliases:
        raise ValueError(f"cyber runs: model {raw!r} has no alias entry")
    return aliases[raw]


def _signature(rows: list[dict[str, str]]) -> Counter[tuple[str, str]]:
    # Outcomes only: the 2025-07-02 file re-states some human times (e.g. 0.3333 vs 0.1667
    # minutes) but the per-task outcomes of the six older models are unchanged.
    return Counter((r["task_id"].strip(), r["score_binarized"].strip()) for r in rows)


def build_runs(vintage: Vintage, registry: Registry) -> tuple[list[Row], dict[str, str]]:
    """Return run rows and the result date used per model.

    A model whose per-task outcomes are identical to the as-of-2025-02
    snapshot's takes that snapshot's date; other models take ``vintage.cyber_runs_date``.
    """
    table = read_csv(vintage.ref_dir / vintage.cyber_runs)
    recs = [{str(k): str(v) for k, v in r.items()} for r in table.to_dict("records")]
    by_model: dict[str, list[dict[str, str]]] = {}
    for rec in recs:
        by_model.setdefault(rec["model"].strip(), []).append(rec)
    dates = {raw: vintage.cyber_runs_date for raw in by_model}
    earlier = vintage.ref_dir / EARLIER_FILE
    if vintage.cyber_runs_date > EARLIER_DATE and earlier.is_file():
        old = read_csv(earlier)
        old_by: dict[str, list[dict[str, str]]] = {}
        for r in old.to_dict("records"):
            old_by.setdefault(str(r["model"]).strip(), []).append(
                {str(k): str(v) for k, v in r.items()}
            )
        for raw, rows in by_model.items():
            if raw in old_by and _signature(old_by[raw]) == _signature(rows):
                dates[raw] = EARLIER_DATE
    out: list[Row] = []
    for rec in recs:
        raw = rec["model"].strip()
        model = _model(vintage, raw)
        entry = registry.get(model)
        entry.sources.add(SRC_CYBER)
        entry.add_date(DATE_CYBER, to_str(rec["release_date"]))
        out.append(
            {
                "model": model,
                "benchmark": SUITES[rec["task_source"].strip()],
                "task_id": rec["task_id"].strip(),
                "task_family": rec["task_family"].strip(),
                "run": None,
                "success": int(rec["score_binarized"]),
                "human_minutes": float(rec["human_minutes"]),
                "human_source": to_str(rec["human_source"]),
                "source": SRC_CYBER,
                "harness": HARNESS,
                "result_date": dates[raw],
            }
        )
    number_runs(out)
    return out, {_model(vintage, raw): date for raw, date in sorted(dates.items())}
