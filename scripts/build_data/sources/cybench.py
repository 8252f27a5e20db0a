"""Epoch AI Benchmarking Hub, external Cybench results (unguided and subtask-guided).

Harness per source (hub ``Source`` / ``Notes``): the Cybench paper / leaderboard agent,
the HAL leaderboard (Inspect), Anthropic's system card, or xAI's model card. Only the paper
and HAL values are exact k/40 fractions and get task counts; system-card values are
estimates (37 of 40 tasks, per-trial success probability) and are written score-only.
"""

from __future__ import annotations

from build_data import curated
from build_data.benchmarks import CYBENCH_GUIDED_SLUG, CYBENCH_N_TASKS, CYBENCH_SLUG
from build_data.common import FRACTION_TOLERANCE, Row, records, split_effort, to_float, to_str
from build_data.registry import DATE_CYBENCH_HUB, Registry
from build_data.vintage import Vintage, stem

SRC_HUB = "cybench_hub"
HARNESS_PAPER = "cybench_hub_unguided"
HARNESS_GUIDED = "cybench_hub_subtask_guided"
HARNESS_HAL = "hal_inspect"
HARNESS_ANTHROPIC = "anthropic_system_card"
HARNESS_XAI = "xai_model_card"
HAL_MARKER = "HAL leaderboard"
SYSTEM_CARD_MARKER = "Anthropic system card"
XAI_SOURCE = "Grok 4 Model Card"
UNKNOWN_THINKING_MARKER = "thinking level unknown"


def model_id(vintage: Vintage, version: str) -> tuple[str, str | None]:
    """Return (canonical id, effort) of a hub ``Model version``."""
    model, effort = split_effort(version)
    aliases = curated.mapping("aliases", "hub", "id", vintage.name)
    return aliases.get(model, model), effort


def unguided_harness(source: str, notes: str) -> str:
    """Return the harness slug of an unguided Cybench hub row."""
    if HAL_MARKER in notes:
        return HARNESS_HAL
    if SYSTEM_CARD_MARKER in notes:
        return HARNESS_ANTHROPIC
    if source == XAI_SOURCE:
        return HARNESS_XAI
    return HARNESS_PAPER


def build_results(vintage: Vintage, registry: Registry) -> tuple[list[Row], dict[str, float]]:
    """Return Cybench rows (result_date = documented source date) and hub FLOP by id."""
    dates = curated.load("result_dates")
    paper_date = dates["defaults"]["cybench_paper"]["date"]
    card_dates = {k: v["date"] for k, v in dates["cybench_models"].items()}
    file_stem = stem(vintage.cybench)
    rows: list[Row] = []
    flops: dict[str, float] = {}
    for record in records(vintage.ref_dir / vintage.cybench):
        model, effort = model_id(vintage, record["Model version"])
        entry = registry.get(model)
        entry.sources.add(SRC_HUB)
        entry.add_date(DATE_CYBENCH_HUB, to_str(record["Release date"]))
        if entry.organization is None:
            entry.organization = to_str(record["Organization"])
        flop = to_float(record["Training compute (FLOP)"])
        if flop is not None:
            flops[model] = flop
        notes = to_str(record["Notes"]) or ""
        source = to_str(record.get("Source")) or ""
        harness = unguided_harness(source, notes)
        if UNKNOWN_THINKING_MARKER in notes:
            effort = "unknown"
        card = harness in (HARNESS_ANTHROPIC, HARNESS_XAI)
        if card and model not in card_dates:
            raise ValueError(f"Cybench {model}: system/model-card value without a curated date")
        result_date = card_dates[model] if card else paper_date
        for column, slug, row_harness in (
            ("Unguided % Solved", CYBENCH_SLUG, harness),
            ("Subtask-Guided % Solved", CYBENCH_GUIDED_SLUG, HARNESS_GUIDED),
        ):
            score = to_float(record[column])
            if score is None:
                continue
            n_att: int | None = None
            n_sol: int | None = None
            if not card:
                n_sol = round(score * CYBENCH_N_TASKS)
                if abs(n_sol / CYBENCH_N_TASKS - score) > FRACTION_TOLERANCE:
                    raise ValueError(f"{model} {slug}: {score} is not k/40")
                n_att = CYBENCH_N_TASKS
                score = n_sol / CYBENCH_N_TASKS
            if not 0.0 <= score <= 1.0:
                raise ValueError(f"{model} {slug}: score {score} outside [0,1]")
            rows.append(
                {
                    "model": model,
                    "benchmark": slug,
                    "n_attempted": n_att,
                    "n_solved": n_sol,
                    "score": score,
                    "harness": row_harness,
                    "source": file_stem,
                    "effort": effort,
                    "score_se": None,
                    "result_date": result_date,
                }
            )
    return rows, flops
