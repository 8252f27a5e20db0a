"""Epoch AI Benchmarking Hub families: GPQA Diamond, SWE-bench Verified, FrontierMath
(Epoch's own runs), Terminal-Bench 2.0 and OSWorld (external leaderboards).

Model id = hub ``Model version`` lower-cased with the effort suffix split off (curated
aliases for the few names that differ between files). Scores are fractions; OSWorld's
percent column is divided by 100 after a unit check that fails loudly.
"""

from __future__ import annotations

import re

from build_data import curated
from build_data.common import Row, records, split_effort, to_float, to_str
from build_data.registry import DATE_EPOCH_HUB, Registry
from build_data.vintage import Vintage, stem

SRC_HUB = "epoch_hub"
OWN_RUNS = ("gpqa_diamond", "swe_bench_verified", "frontiermath")
MANUAL_ID_PREFIX = "manual_"
MANUAL_HARNESS = "gemini_app_manual"
OSWORLD_STEPS = re.compile(r"^(?P<agent>.+) \((?P<steps>\d+) steps\)$")
OSWORLD_BUDGETS = frozenset({15, 50, 100})


def agent_slug(agent: str) -> str:
    """Return the harness slug of a Terminal-Bench agent name (``Terminus 2`` -> ``terminus_2``)."""
    slug = re.sub(r"[^a-z0-9]+", "_", agent.strip().lower()).strip("_")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug):
        raise ValueError(f"agent {agent!r} gives an invalid harness slug {slug!r}")
    return slug


def _register(
    vintage: Vintage, registry: Registry, record: dict[str, str]
) -> tuple[str, str | None]:
    model, effort = split_effort(record["Model version"])
    model = curated.mapping("aliases", "hub", "id", vintage.name).get(model, model)
    entry = registry.get(model)
    entry.sources.add(SRC_HUB)
    entry.add_date(DATE_EPOCH_HUB, to_str(record["Release date"]))
    org = to_str(record.get("Organization")) or to_str(record.get("Model Org"))
    if entry.organization is None and org is not None:
        entry.organization = org
    return model, effort


def _row(
    model: str,
    slug: str,
    score: float,
    harness: str,
    source: str,
    effort: str | None,
    se: float | None,
    date: str | None,
) -> Row:
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"{model} {slug}: score {score} outside [0,1]")
    if se is not None and se < 0:
        raise ValueError(f"{model} {slug}: negative standard error {se}")
    return {
        "model": model,
        "benchmark": slug,
        "n_attempted": None,
        "n_solved": None,
        "score": score,
        "harness": harness,
        "source": source,
        "effort": effort,
        "score_se": se,
        "result_date": date,
    }


def build_results(
    vintage: Vintage, registry: Registry
) -> tuple[list[Row], dict[str, float], dict[str, int]]:
    """Return rows of the five families, hub FLOP by id, and counts for the summary."""
    drops = curated.mapping("aliases", "hub_drop", "drop", vintage.name)
    rows: list[Row] = []
    flops: dict[str, float] = {}
    counts: dict[str, int] = {}
    used_drops: set[str] = set()
    for slug, name in sorted(vintage.hub_files.items()):
        file_stem = stem(name)
        for record in records(vintage.ref_dir / name):
            drop_key = f"{file_stem}|{record['Model version']}"
            if drop_key in drops:
                used_drops.add(drop_key)
                counts[f"{slug}_dropped_duplicate"] = counts.get(f"{slug}_dropped_duplicate", 0) + 1
                continue
            if slug == "osworld" and not (
                to_str(record["Model version"]) and to_str(record["Release date"])
            ):
                counts["osworld_dropped_agent_entries"] = (
                    counts.get("osworld_dropped_agent_entries", 0) + 1
                )
                continue
            model, effort = _register(vintage, registry, record)
            flop = to_float(record.get("Training compute (FLOP)"))
            if flop is not None:
                flops.setdefault(model, flop)
            if slug in OWN_RUNS:
                harness = f"epoch_hub_{slug}"
                if record["id"].startswith(MANUAL_ID_PREFIX):
                    harness = MANUAL_HARNESS
                row = _row(
                    model,
                    slug,
                    float(record["mean_score"]),
                    harness,
                    file_stem,
                    effort,
                    to_float(record["stderr"]),
                    to_str(record["Started at"]),
                )
            elif slug == "terminal_bench_2":
                row = _row(
                    model,
                    slug,
                    float(record["Accuracy mean"]),
                    agent_slug(record["Agent"]),
                    file_stem,
                    effort,
                    to_float(record["Accuracy SE"]),
                    to_str(record["Run date"]),
                )
            else:
                match = OSWORLD_STEPS.match(record["Agent"].strip())
                if match is None or int(match.group("steps")) not in OSWORLD_BUDGETS:
                    raise ValueError(f"OSWorld agent {record['Agent']!r}: no known step budget")
                percent = float(record["Score (%)"])
                row = _row(
                    model,
                    slug,
                    percent / 100.0,
                    f"osworld_{match.group('steps')}_steps",
                    file_stem,
                    effort,
                    None,
                    to_str(record["Date added"]),
                )
            rows.append(row)
            counts[slug] = counts.get(slug, 0) + 1
    unused = set(drops) - used_drops
    if unused:
        raise ValueError(f"curated hub_drop entries match no row: {sorted(unused)}")
    check_osworld_unit(vintage)
    return rows, flops, counts


def check_osworld_unit(vintage: Vintage) -> None:
    """Fail loudly unless OSWorld's ``Score (%)`` column is in percent (max > 1, all <= 100)."""
    name = vintage.hub_files.get("osworld")
    if name is None:
        return
    values = [float(r["Score (%)"]) for r in records(vintage.ref_dir / name)]
    if not values or max(values) <= 1.0:
        raise ValueError(f"{name}: 'Score (%)' max {max(values, default=0)} <= 1: not percent")
    if min(values) < 0 or max(values) > 100:
        raise ValueError(f"{name}: 'Score (%)' outside [0, 100]")


def frontiermath_denominators(vintage: Vintage, n_tasks: int) -> tuple[int, int]:
    """Return (rows whose score is a multiple of 1/n_tasks, all FrontierMath rows)."""
    name = vintage.hub_files.get("frontiermath")
    if name is None:
        return 0, 0
    scores = [float(r["mean_score"]) for r in records(vintage.ref_dir / name)]
    hits = sum(1 for s in scores if abs(s * n_tasks - round(s * n_tasks)) < 1e-6)
    return hits, len(scores)
