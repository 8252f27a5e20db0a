"""ObsScaling (Ruan et al. 2024): base-model benchmark scores and 6 N D training compute."""

from __future__ import annotations

from decimal import Decimal

from build_data import curated
from build_data.common import Row, read_csv, to_float, to_str
from build_data.registry import CONF_DERIVED, DATE_CURATED, Registry
from build_data.vintage import Vintage

BASE_FILE = "obsscaling_base_llm_benchmark_eval.csv"
LB2_FILE = "obsscaling_base_llm_leaderboard_v2_eval.csv"
SRC_OBS = "obsscaling"
SRC_BASE = "obsscaling_base_llm_benchmark_eval"
SRC_LB2 = "obsscaling_base_llm_leaderboard_v2_eval"
BASE_HARNESS = "obsscaling_lm_eval_harness"
LB2_HARNESS = "open_llm_leaderboard_v2"

# ObsScaling's "FLOPs (1E21)" column is in units of 1e21 FLOP and equals 6 N D with N in
# billions of parameters and D in trillions of tokens (verified on all 112 rows).
FLOP_UNIT = Decimal(10) ** 21
SIX = Decimal(6)
FLOP_REL_TOLERANCE = 1e-9

BASE_BENCHMARKS: dict[str, str] = {
    "MMLU": "mmlu",
    "ARC-C": "arc_c",
    "HellaSwag": "hellaswag",
    "Winograd": "winogrande",
    "TruthfulQA": "truthfulqa",
    "GSM8K": "gsm8k",
    "XWinograd": "xwinograd",
    "HumanEval": "humaneval",
}
LB2_BENCHMARKS: dict[str, str] = {
    "leaderboard_bbh": "bbh",
    "leaderboard_gpqa": "gpqa",
    "leaderboard_ifeval": "ifeval",
    "leaderboard_math_hard": "math_hard",
    "leaderboard_mmlu_pro": "mmlu_pro",
    "leaderboard_musr": "musr",
}


def obs_flop(
    model: str, flops_1e21: str | None, params_b: str, tokens_t: str | None
) -> float | None:
    """Return ObsScaling training compute in plain FLOP (6 N D exactly, or the correction)."""
    corrections = curated.load("obsscaling")["flop_corrections"]
    if model in corrections:
        entry = corrections[model]
        exact = SIX * Decimal(entry["params_b"]) * Decimal(entry["tokens_t"])
        return float(exact * FLOP_UNIT)
    if flops_1e21 is None or tokens_t is None:
        return None
    exact = SIX * Decimal(params_b) * Decimal(tokens_t)
    if abs(float(exact) - float(flops_1e21)) > FLOP_REL_TOLERANCE * float(exact):
        raise ValueError(f"{model}: ObsScaling FLOPs column is not 6*N*D")
    return float(exact * FLOP_UNIT)


def build_results(vintage: Vintage, registry: Registry) -> tuple[list[Row], list[str]]:
    """Return ObsScaling benchmark rows (result_date filled later) and the model ids.

    ``result_date`` is set to the collection's lower bound (paper v1 for the base file,
    leaderboard-v2 launch for the v2 file); the build raises it to the release date.
    """
    base = read_csv(vintage.obs_dir / BASE_FILE)
    lb2 = read_csv(vintage.obs_dir / LB2_FILE)
    if base["Model"].duplicated().any() or lb2["Model"].duplicated().any():
        raise ValueError("duplicate ObsScaling model ids")
    unknown = set(lb2["Model"]) - set(base["Model"])
    if unknown:
        raise ValueError(f"leaderboard-v2 models missing from base file: {unknown}")
    defaults = curated.load("result_dates")["defaults"]
    rows: list[Row] = []
    for table, columns, harness, source, date in (
        (base, BASE_BENCHMARKS, BASE_HARNESS, SRC_BASE, defaults["obsscaling_base"]["date"]),
        (lb2, LB2_BENCHMARKS, LB2_HARNESS, SRC_LB2, defaults["obsscaling_lb2"]["date"]),
    ):
        for record in table.to_dict("records"):
            model = str(record["Model"]).strip()
            registry.get(model).sources.add(SRC_OBS)
            for column, slug in columns.items():
                score = to_float(record[column])
                if score is None:
                    continue
                if not 0.0 <= score <= 1.0:
                    raise ValueError(f"{model} {slug}: score {score} outside [0,1]")
                rows.append(
                    {
                        "model": model,
                        "benchmark": slug,
                        "n_attempted": None,
                        "n_solved": None,
                        "score": score,
                        "harness": harness,
                        "source": source,
                        "effort": None,
                        "score_se": None,
                        "result_date": date,
                    }
                )
    add_metadata(vintage, registry)
    return rows, [str(m).strip() for m in base["Model"]]


def add_metadata(vintage: Vintage, registry: Registry) -> None:
    """Set ObsScaling FLOP (``derived``), openness, organisation and curated dates."""
    doc = curated.load("obsscaling")
    orgs = doc["hf_namespace_orgs"]
    dates = doc["release_dates"]
    base = read_csv(vintage.obs_dir / BASE_FILE)
    for record in base.to_dict("records"):
        model = str(record["Model"]).strip()
        entry = registry.get(model)
        entry.open_weights = True
        entry.organization = orgs[model.split("/", 1)[0]]["organization"]
        flop = obs_flop(
            model,
            to_str(record["FLOPs (1E21)"]),
            str(record["Model Size (B)"]).strip(),
            to_str(record["Pretraining Data Size (T)"]),
        )
        if flop is not None:
            entry.training_flop = flop
            entry.flop_confidence = CONF_DERIVED
        if model in dates:
            entry.add_date(DATE_CURATED, dates[model]["date"])
