#!/usr/bin/env python3
"""Build the shipped evidence tables in ``data/`` from the reference snapshot.

The script reads the read-only public reference snapshot (vintage ending
2025-02-27, see ``<repo>/../shared/reference-data/SOURCES.md``) and writes four
curated tables into ``<repo>/data/``:

``models.csv``
    One row per model: every Epoch AI "Notable AI Models" row plus every model
    that appears in an evidence table, with release date, training compute and
    its confidence, cost, openness and provenance.
``benchmark_results.csv``
    One row per (model, benchmark, harness) aggregate result: the ObsScaling
    base-model benchmarks, the ObsScaling Open LLM Leaderboard v2 tasks and the
    Epoch AI Benchmarking Hub Cybench results.
``task_runs.csv``
    One row per agent run on a timed task: the cyber task-horizon runs
    (Peters 2025) and the METR HCAST / RE-Bench runs (Kwa et al. 2025).
``benchmarks.csv``
    One row per benchmark slug used in the two evidence tables, with its chance
    rate, item count and citation.

Every derivation step, judgement call and caveat is documented in
``data/SOURCES.md``; the constants below carry short comments pointing to the
same reasoning. The output is deterministic: rows are sorted, floats are
written with :func:`repr` (shortest round-trip representation) and files use
UTF-8 with ``\\n`` line endings, so running the script twice gives
byte-identical files.

Usage::

    .venv/bin/python scripts/build_data.py [REFERENCE_DIR] [--out-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd

# ---------------------------------------------------------------------------
# Paths and file names
# ---------------------------------------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference-data"
DEFAULT_OUT_DIR = REPO_ROOT / "data"

EPOCH_FILE = "epoch_notable_models_2025-02-24.csv"
ECI_FILE = "epoch_capabilities_index_to_2025-02.csv"
CYBENCH_HUB_FILE = "cybench_epoch_hub_to_2025-02.csv"
CYBER_RUNS_FILE = "cyber_task_runs_to_2025-02.csv"
METR_RUNS_FILE = "metr_runs_2025-02-27.csv.gz"
METR_HORIZONS_FILE = "metr_time_horizons_to_2025-02.csv"
OBS_BASE_FILE = "obsscaling_base_llm_benchmark_eval.csv"
OBS_LB2_FILE = "obsscaling_base_llm_leaderboard_v2_eval.csv"

# Provenance tokens written to the ``source`` columns.
SRC_EPOCH = "epoch_notable_models_2025-02-24"
SRC_ECI = "epoch_capabilities_index"
SRC_OBS = "obsscaling"
SRC_OBS_BASE = "obsscaling_base_llm_benchmark_eval"
SRC_OBS_LB2 = "obsscaling_base_llm_leaderboard_v2_eval"
SRC_CYBENCH_HUB = "cybench_hub"
SRC_CYBENCH_HUB_FILE = "cybench_epoch_hub_to_2025-02"
SRC_CYBER = "cyber_task_runs"
SRC_METR = "metr_runs"
SRC_METR_HORIZONS = "metr_time_horizons"

# Fixed order in which provenance tokens are listed in models.csv ``source``.
SOURCE_ORDER: tuple[str, ...] = (
    SRC_EPOCH,
    SRC_OBS,
    SRC_CYBENCH_HUB,
    SRC_CYBER,
    SRC_METR,
    SRC_METR_HORIZONS,
    SRC_ECI,
)

# ---------------------------------------------------------------------------
# Units and numeric constants
# ---------------------------------------------------------------------------

# ObsScaling's "FLOPs (1E21)" column is in units of 1e21 FLOP (SOURCES.md).
OBS_FLOP_UNIT = Decimal(10) ** 21
# ObsScaling's FLOPs column equals C = 6 * N * D with N in billions of
# parameters and D in trillions of tokens (verified on all 112 rows).
SIX_ND_FACTOR = Decimal(6)
# Number of Cybench tasks (Zhang et al. 2024): the hub reports fractions of 40.
CYBENCH_N_TASKS = 40
# Relative tolerance when checking ObsScaling's FLOPs column against 6 N D.
FLOP_REL_TOLERANCE = 1e-9
# Tolerance when checking that a hub fraction is an integer number of tasks.
FRACTION_TOLERANCE = 1e-9
# METR SWAA tasks take seconds; every HCAST / RE-Bench task takes >= 1 minute.
# A METR task shorter than this would be an (unhandled) SWAA task: fail loudly.
METR_MIN_NON_SWAA_MINUTES = 1.0
# METR task families whose name starts with this prefix are RE-Bench tasks.
METR_REBENCH_PREFIX = "ai_rd_"
# Alias METR uses for human baseliners in the run file (not a model).
METR_HUMAN_ALIAS = "human"

# ---------------------------------------------------------------------------
# Benchmark slugs
# ---------------------------------------------------------------------------

# ObsScaling base benchmark column -> slug.
OBS_BASE_BENCHMARKS: dict[str, str] = {
    "MMLU": "mmlu",
    "ARC-C": "arc_c",
    "HellaSwag": "hellaswag",
    "Winograd": "winogrande",
    "TruthfulQA": "truthfulqa",
    "GSM8K": "gsm8k",
    "XWinograd": "xwinograd",
    "HumanEval": "humaneval",
}
OBS_BASE_HARNESS = "obsscaling_lm_eval_harness"

# ObsScaling Open LLM Leaderboard v2 column -> slug.
OBS_LB2_BENCHMARKS: dict[str, str] = {
    "leaderboard_bbh": "bbh",
    "leaderboard_gpqa": "gpqa",
    "leaderboard_ifeval": "ifeval",
    "leaderboard_math_hard": "math_hard",
    "leaderboard_mmlu_pro": "mmlu_pro",
    "leaderboard_musr": "musr",
}
OBS_LB2_HARNESS = "open_llm_leaderboard_v2"

CYBENCH_SLUG = "cybench"
CYBENCH_GUIDED_SLUG = "cybench_guided"
CYBENCH_HARNESS_UNGUIDED = "cybench_hub_unguided"
CYBENCH_HARNESS_HAL = "hal_inspect"
CYBENCH_HARNESS_GUIDED = "cybench_hub_subtask_guided"
# Marker in the hub's Notes column for rows evaluated by the HAL leaderboard.
HAL_NOTE_MARKER = "HAL leaderboard"

# Cyber task-run ``task_source`` -> suite slug.
CYBER_SUITES: dict[str, str] = {
    "cybashbench": "cybashbench",
    "nl2bash": "nl2bash",
    "intercode-ctf": "intercode_ctf",
    "nyuctf": "nyu_ctf",
    "cybench": CYBENCH_SLUG,
}
METR_SUITE_REBENCH = "rebench"
METR_SUITE_HCAST = "hcast"

# ---------------------------------------------------------------------------
# Model identity: alias tables
# ---------------------------------------------------------------------------

# ObsScaling HF id -> Epoch "Model" name. Only same-checkpoint matches; e.g.
# bigcode/starcoderbase is NOT Epoch "StarCoder" (a Python fine-tune of it),
# internlm/internlm2-* is NOT Epoch "InternLM" (a different 2023 model).
OBSSCALING_TO_EPOCH: dict[str, str] = {
    "meta-llama/Llama-2-7b-hf": "Llama 2-7B",
    "meta-llama/Llama-2-70b-hf": "Llama 2-70B",
    "huggyllama/llama-65b": "LLaMA-65B",
    "meta-llama/Meta-Llama-3-70B": "Llama 3-70B",
    "Qwen/Qwen1.5-72B": "Qwen1.5-72B",
    "Qwen/Qwen-72B": "Qwen-72B",
    "mistralai/Mixtral-8x7B-v0.1": "Mixtral 8x7B",
    "01-ai/Yi-34B": "Yi-34B",
    "tiiuae/falcon-180B": "Falcon-180B",
    "tiiuae/falcon-40b": "Falcon-40B",
    "bigscience/bloom": "BLOOM-176B",
    "EleutherAI/gpt-neox-20b": "GPT-NeoX-20B",
    "facebook/xglm-7.5B": "XGLM-7.5B",
    "openai-community/gpt2-xl": "GPT-2 (1.5B)",
}

# Canonical id of a cyber / METR / Cybench-hub model -> Epoch "Model" name.
# Only where the Epoch entry is the same release. Not matched on purpose:
# gpt-4o-2024-11-20 and gpt-4-turbo-2024-04-09 (later snapshots than Epoch's
# "GPT-4o" / "GPT-4 Turbo" entries), davinci-002 (a 2023 API model, not the
# 2020 GPT-3 davinci), gpt-3.5-turbo-instruct (not Epoch's "GPT-3.5"), and
# meta-llama-3-70b-instruct (Epoch "Llama 3-70B" is claimed by the base model).
EVIDENCE_TO_EPOCH: dict[str, str] = {
    "gpt-4-0314": "GPT-4",
    "gpt-4o-2024-05-13": "GPT-4o",
    "gpt-3.5-turbo": "GPT-3.5 Turbo",
    "claude-3-opus-20240229": "Claude 3 Opus",
    "claude-3-5-sonnet-20240620": "Claude 3.5 Sonnet",
    "o1-preview-2024-09-12": "o1-preview",
    "o1-mini-2024-09-12": "o1-mini",
    "o1": "o1",
    "llama-3.1-405b-instruct": "Llama 3.1-405B",
    "gemini-1.5-pro-001-feb24": "Gemini 1.5 Pro",
}

# Cyber task-run ``model`` column -> canonical id. GPT-2 here is gpt2-xl, the
# same checkpoint as ObsScaling's openai-community/gpt2-xl, so it takes that id.
CYBER_MODEL_ALIASES: dict[str, str] = {
    "openai/gpt2-xl": "openai-community/gpt2-xl",
    "openai/davinci-002": "davinci-002",
    "openai/gpt-3.5-turbo": "gpt-3.5-turbo",
    "anthropic/claude-3-5-sonnet-20240620": "claude-3-5-sonnet-20240620",
    "anthropic/claude-3-5-sonnet-20241022": "claude-3-5-sonnet-20241022",
    "anthropic/claude-3-5-haiku-20241022": "claude-3-5-haiku-20241022",
}

# METR run-file ``alias`` column -> canonical id. The alias (not the ``model``
# column) must be used: "c3-5s" is shared by both Claude 3.5 Sonnet versions.
# "GPT-4 Turbo" is dated 2024-04-09 by METR's published horizons, i.e. the
# gpt-4-turbo-2024-04-09 snapshot. o1 has no snapshot in METR's data: plain id.
METR_RUN_ALIASES: dict[str, str] = {
    "davinci-002": "davinci-002",
    "gpt-3.5-turbo-instruct": "gpt-3.5-turbo-instruct",
    "GPT-4 0314": "gpt-4-0314",
    "GPT-4 Turbo": "gpt-4-turbo-2024-04-09",
    "GPT-4o": "gpt-4o-2024-05-13",
    "Claude 3 Opus": "claude-3-opus-20240229",
    "Claude 3.5 Sonnet (Old)": "claude-3-5-sonnet-20240620",
    "Claude 3.5 Sonnet (New)": "claude-3-5-sonnet-20241022",
    "o1-preview": "o1-preview-2024-09-12",
    "o1": "o1",
}

# METR published-horizons ``model_id`` -> canonical id. Used ONLY for release
# dates of models that appear in the METR run file; horizon values are not used.
METR_HORIZON_ALIASES: dict[str, str] = {
    "davinci_002": "davinci-002",
    "gpt_3_5_turbo_instruct": "gpt-3.5-turbo-instruct",
    "gpt_4": "gpt-4-0314",
    "gpt_4_turbo": "gpt-4-turbo-2024-04-09",
    "gpt_4o": "gpt-4o-2024-05-13",
    "claude_3_opus": "claude-3-opus-20240229",
    "claude_3_5_sonnet": "claude-3-5-sonnet-20240620",
    "claude_3_5_sonnet_20241022": "claude-3-5-sonnet-20241022",
    "o1_preview": "o1-preview-2024-09-12",
    "o1_elicited": "o1",
}

# Cybench hub ``Model version`` -> canonical id. Reasoning-effort suffixes
# ("_medium") are an elicitation setting, not a different model.
CYBENCH_HUB_ALIASES: dict[str, str] = {
    "o3-mini-2025-01-31_medium": "o3-mini-2025-01-31",
    "claude-3-7-sonnet-20250219": "claude-3-7-sonnet-20250219",
    "gpt-4.5-preview-2025-02-27": "gpt-4.5-preview-2025-02-27",
    "claude-3-5-sonnet-20240620": "claude-3-5-sonnet-20240620",
    "gpt-4o-2024-11-20": "gpt-4o-2024-11-20",
    "claude-3-opus-20240229": "claude-3-opus-20240229",
    "o1-mini-2024-09-12_medium": "o1-mini-2024-09-12",
    "o1-preview-2024-09-12": "o1-preview-2024-09-12",
    "Mixtral-8x22B-Instruct-v0.1": "mixtral-8x22b-instruct-v0.1",
    "Llama-3.1-405B-Instruct": "llama-3.1-405b-instruct",
    "gemini-1.5-pro-001-feb24": "gemini-1.5-pro-001-feb24",
    "Meta-Llama-3-70B-Instruct": "meta-llama-3-70b-instruct",
}

# Canonical id of a non-Epoch-matched evidence model -> Epoch Capabilities
# Index ``Model version`` (same Epoch hub), used as metadata fallback for
# organisation, accessibility, and training compute with its confidence.
EVIDENCE_TO_ECI: dict[str, str] = {
    "claude-3-7-sonnet-20250219": "claude-3-7-sonnet-20250219",
    "gpt-4.5-preview-2025-02-27": "gpt-4.5-preview-2025-02-27",
    "o3-mini-2025-01-31": "o3-mini-2025-01-31_medium",
    "gpt-4o-2024-11-20": "gpt-4o-2024-11-20",
    "mixtral-8x22b-instruct-v0.1": "Mixtral-8x22B-Instruct-v0.1",
    "meta-llama-3-70b-instruct": "Meta-Llama-3-70B-Instruct",
    "claude-3-5-sonnet-20241022": "claude-3-5-sonnet-20241022",
    "claude-3-5-haiku-20241022": "claude-3-5-haiku-20241022",
    "gpt-4-turbo-2024-04-09": "gpt-4-turbo-2024-04-09",
    "gpt-3.5-turbo-instruct": "gpt-3.5-turbo-instruct",
}

# ObsScaling id -> ECI ``Model version`` where the HF basename differs from the
# ECI name. All other ObsScaling ids are matched to ECI by case-insensitive
# HF basename (after stripping whitespace), except the exclusions below.
OBSSCALING_TO_ECI_EXTRA: dict[str, str] = {
    "meta-llama/Llama-2-13b-hf": "Llama-2-13b",
    "huggyllama/llama-30b": "LLaMA-33B",
}
# ECI rows whose release date is inconsistent with other rows of the same
# snapshot and are therefore not used (reasons in data/SOURCES.md).
OBSSCALING_ECI_EXCLUDED: frozenset[str] = frozenset(
    {
        # ECI dates gpt-neo-2.7B 2023-03-30, after its successors GPT-J-6B
        # (ECI 2021-08-05) and GPT-NeoX-20B (Epoch 2022-02-09).
        "EleutherAI/gpt-neo-2.7B",
        # ECI dates the base 2024-02-04 (the Qwen1.5 family date) but its own
        # chat version 2024-04-03; the 32B size was a later addition.
        "Qwen/Qwen1.5-32B",
    }
)

# Curated release dates for ObsScaling models not dated by Epoch or ECI:
# public model-card / paper / announcement dates (metadata, not results).
# "family" marks a date taken from a sibling release; see data/SOURCES.md for
# the entries whose day is approximate.
OBSSCALING_RELEASE_DATES: dict[str, str] = {
    "Qwen/Qwen1.5-32B": "2024-04-02",
    "Qwen/Qwen1.5-4B": "2024-02-04",  # family (Epoch Qwen1.5-72B)
    "Qwen/Qwen1.5-1.8B": "2024-02-04",  # family
    "Qwen/Qwen1.5-0.5B": "2024-02-04",  # family
    "tiiuae/falcon-rw-1b": "2023-06-01",  # RefinedWeb paper
    "EleutherAI/pythia-70m-deduped": "2023-04-03",  # Pythia paper
    "EleutherAI/pythia-160m-deduped": "2023-04-03",
    "EleutherAI/pythia-410m-deduped": "2023-04-03",
    "EleutherAI/pythia-1b-deduped": "2023-04-03",
    "EleutherAI/pythia-1.4b-deduped": "2023-04-03",
    "EleutherAI/pythia-2.8b-deduped": "2023-04-03",
    "EleutherAI/pythia-6.9b-deduped": "2023-04-03",
    "EleutherAI/pythia-12b-deduped": "2023-04-03",
    "bigscience/bloom-560m": "2022-07-11",  # family (Epoch BLOOM-176B)
    "bigscience/bloom-1b1": "2022-07-11",
    "bigscience/bloom-3b": "2022-07-11",
    "bigscience/bloom-7b1": "2022-07-11",
    "EleutherAI/gpt-neo-125m": "2021-03-21",
    "EleutherAI/gpt-neo-1.3B": "2021-03-21",
    "EleutherAI/gpt-neo-2.7B": "2021-03-21",
    "facebook/opt-125m": "2022-05-02",  # family (Epoch OPT-175B)
    "facebook/opt-350m": "2022-05-02",
    "facebook/opt-2.7b": "2022-05-02",
    "facebook/opt-6.7b": "2022-05-02",
    "facebook/opt-30b": "2022-05-02",
    "facebook/xglm-564M": "2021-12-20",  # family (Epoch XGLM-7.5B)
    "facebook/xglm-1.7B": "2021-12-20",
    "facebook/xglm-4.5B": "2021-12-20",
    "codellama/CodeLlama-7b-hf": "2023-08-24",
    "codellama/CodeLlama-13b-hf": "2023-08-24",
    "codellama/CodeLlama-34b-hf": "2023-08-24",
    "codellama/CodeLlama-70b-hf": "2024-01-29",
    "bigcode/starcoderbase": "2023-05-09",  # family (Epoch StarCoder paper)
    "bigcode/starcoderbase-1b": "2023-05-09",  # family, approximate
    "bigcode/starcoderbase-3b": "2023-05-09",  # family, approximate
    "bigcode/starcoderbase-7b": "2023-05-09",  # family, approximate
    "01-ai/Yi-6B-200K": "2023-11-02",  # family (ECI Yi-6B), approximate
    "01-ai/Yi-34B-200K": "2023-11-02",  # family, approximate
    "openlm-research/open_llama_3b": "2023-06-07",  # family (ECI 7b)
    "openlm-research/open_llama_13b": "2023-06-15",
    "openlm-research/open_llama_3b_v2": "2023-07-07",
    "openlm-research/open_llama_7b_v2": "2023-07-07",
    "openai-community/gpt2": "2019-02-14",
    "openai-community/gpt2-medium": "2019-05-03",
    "openai-community/gpt2-large": "2019-08-20",
    "internlm/internlm2-7b": "2024-01-17",
    "internlm/internlm2-20b": "2024-01-17",
    "deepseek-ai/deepseek-llm-7b-base": "2023-11-29",  # ECI 67b-chat date
    "deepseek-ai/deepseek-llm-67b-base": "2023-11-29",
    "deepseek-ai/deepseek-moe-16b-base": "2024-01-11",
    "Deci/DeciLM-7B": "2023-12-12",
    "stabilityai/stablelm-base-alpha-3b": "2023-04-19",
    "stabilityai/stablelm-base-alpha-7b": "2023-04-19",
    "stabilityai/stablelm-base-alpha-7b-v2": "2023-08-05",
    "stabilityai/stablelm-2-1_6b": "2024-01-19",
    "RWKV/rwkv-4-169m-pile": "2023-05-22",  # RWKV paper, approximate
    "RWKV/rwkv-4-430m-pile": "2023-05-22",
    "RWKV/rwkv-4-1b5-pile": "2023-05-22",
    "RWKV/rwkv-4-3b-pile": "2023-05-22",
    "RWKV/rwkv-4-7b-pile": "2023-05-22",
    "RWKV/rwkv-4-14b-pile": "2023-05-22",
    "RWKV/rwkv-raven-14b": "2023-05-22",
    "togethercomputer/RedPajama-INCITE-Base-3B-v1": "2023-05-05",
    "togethercomputer/RedPajama-INCITE-Base-7B-v0.1": "2023-05-05",
    "LLM360/Amber": "2023-12-11",
    "Salesforce/codegen-6B-nl": "2022-03-25",  # CodeGen paper
    "Salesforce/codegen-16B-nl": "2022-03-25",
    "HuggingFaceTB/SmolLM-135M": "2024-07-16",
    "HuggingFaceTB/SmolLM-360M": "2024-07-16",
    "HuggingFaceTB/SmolLM-1.7B": "2024-07-16",
    "cerebras/Cerebras-GPT-111M": "2023-03-20",  # family (ECI Cerebras-GPT-13B)
    "cerebras/Cerebras-GPT-256M": "2023-03-20",
    "cerebras/Cerebras-GPT-590M": "2023-03-20",
    "cerebras/Cerebras-GPT-1.3B": "2023-03-20",
    "cerebras/Cerebras-GPT-2.7B": "2023-03-20",
    "cerebras/Cerebras-GPT-6.7B": "2023-03-20",
    "cerebras/btlm-3b-8k-base": "2023-07-24",
    "h2oai/h2o-danube-1.8b-base": "2024-01-30",
    "h2oai/h2o-danube2-1.8b-base": "2024-04-05",
    "h2oai/h2o-danube3-500m-base": "2024-07-15",
    "h2oai/h2o-danube3-4b-base": "2024-07-15",
    "allenai/OLMo-1B-hf": "2024-02-01",
    "allenai/OLMo-7B-hf": "2024-02-01",
    "allenai/OLMo-7B-0424-hf": "2024-04-17",
    "TinyLlama/TinyLlama_v1.1": "2024-01-04",  # TinyLlama paper, approximate
}

# Hugging Face namespace -> organisation, for ObsScaling models not in Epoch.
HF_NAMESPACE_ORGS: dict[str, str] = {
    "meta-llama": "Meta AI",
    "huggyllama": "Meta AI",
    "codellama": "Meta AI",
    "facebook": "Meta AI",
    "Qwen": "Alibaba",
    "mistralai": "Mistral AI",
    "01-ai": "01.AI",
    "google": "Google DeepMind",
    "tiiuae": "Technology Innovation Institute",
    "microsoft": "Microsoft",
    "EleutherAI": "EleutherAI",
    "bigscience": "Hugging Face,BigScience",
    "mosaicml": "MosaicML",
    "bigcode": "BigCode",
    "deepseek-ai": "DeepSeek",
    "openlm-research": "OpenLM Research",
    "openai-community": "OpenAI",
    "internlm": "Shanghai AI Lab",
    "Deci": "Deci",
    "stabilityai": "Stability AI",
    "RWKV": "RWKV",
    "togethercomputer": "Together AI",
    "LLM360": "LLM360",
    "Salesforce": "Salesforce",
    "HuggingFaceTB": "Hugging Face",
    "cerebras": "Cerebras Systems",
    "h2oai": "H2O.ai",
    "allenai": "Allen Institute for AI",
    "TinyLlama": "TinyLlama",
}

# Organisation of evidence models that have neither an Epoch nor an ECI row.
EVIDENCE_ORGS: dict[str, str] = {
    "davinci-002": "OpenAI",
    "o1": "OpenAI",
}

# Base model of evidence-only derivative rows (Epoch rows use Epoch's column).
EVIDENCE_BASE_MODELS: dict[str, str] = {
    "meta-llama-3-70b-instruct": "meta-llama/Meta-Llama-3-70B",
    "mixtral-8x22b-instruct-v0.1": "Mixtral-8x22B-v0.1",
}

# Epoch "Base model" names that are not Epoch rows but are ObsScaling models.
EPOCH_BASE_NAME_TO_ID: dict[str, str] = {
    "Llama 2-13B": "meta-llama/Llama-2-13b-hf",
    "LLaMA-7B": "huggyllama/llama-7b",
    "Qwen-7B": "Qwen/Qwen-7B",
    "GPT-J-6B": "EleutherAI/gpt-j-6b",
}


@dataclass(frozen=True)
class FlopCorrection:
    """A documented correction of an internally inconsistent ObsScaling row.

    Attributes
    ----------
    params_b : Decimal
        Parameter count in billions used for C = 6 N D.
    tokens_t : Decimal
        Pre-training tokens in trillions used for C = 6 N D.
    reason : str
        Why the source value is corrected (also in data/SOURCES.md).
    """

    params_b: Decimal
    tokens_t: Decimal
    reason: str


# ObsScaling rows whose own metadata contradict themselves (data/SOURCES.md).
OBSSCALING_FLOP_CORRECTIONS: dict[str, FlopCorrection] = {
    "cerebras/btlm-3b-8k-base": FlopCorrection(
        params_b=Decimal("3"),
        tokens_t=Decimal("0.627"),
        reason="data size 627 'T' is a billions-for-trillions slip",
    ),
    "openlm-research/open_llama_7b_v2": FlopCorrection(
        params_b=Decimal("7"),
        tokens_t=Decimal("1"),
        reason="size 13B contradicts the 7b model id",
    ),
}

# Epoch "Confidence" -> flop_confidence. Epoch "Unknown", "Unverified" or a
# missing confidence on a present FLOP value map to "speculative".
CONFIDENCE_MAP: dict[str, str] = {
    "Confident": "confident",
    "Likely": "likely",
    "Speculative": "speculative",
}
CONF_SPECULATIVE = "speculative"
CONF_DERIVED = "derived"
CONF_UNKNOWN = "unknown"

# ---------------------------------------------------------------------------
# Benchmark metadata
# ---------------------------------------------------------------------------

# BBH in Open LLM Leaderboard v2: 24 multiple-choice subtasks. Random-guess
# rate per subtask as in ObsScaling utils/constants.py (BBH_SUBTASKS2RANDOM_VAL)
# and subtask sizes (250 items except the three listed); sizes sum to 5761.
BBH_SUBTASK_CHANCE: dict[str, float] = {
    "boolean_expressions": 1 / 2,
    "causal_judgement": 1 / 2,
    "date_understanding": 1 / 6,
    "disambiguation_qa": 1 / 3,
    "formal_fallacies": 1 / 2,
    "geometric_shapes": 1 / 9,
    "hyperbaton": 1 / 2,
    "logical_deduction_five_objects": 1 / 5,
    "logical_deduction_seven_objects": 1 / 7,
    "logical_deduction_three_objects": 1 / 3,
    "movie_recommendation": 1 / 5,
    "navigate": 1 / 2,
    "object_counting": 0.0,
    "penguins_in_a_table": 1 / 5,
    "reasoning_about_colored_objects": 1 / 18,
    "ruin_names": 1 / 4,
    "salient_translation_error_detection": 1 / 6,
    "snarks": 1 / 2,
    "sports_understanding": 1 / 2,
    "temporal_sequences": 1 / 4,
    "tracking_shuffled_objects_five_objects": 1 / 5,
    "tracking_shuffled_objects_seven_objects": 1 / 7,
    "tracking_shuffled_objects_three_objects": 1 / 3,
    "web_of_lies": 1 / 2,
}
BBH_DEFAULT_SUBTASK_SIZE = 250
BBH_SUBTASK_SIZES: dict[str, int] = {
    "causal_judgement": 187,
    "penguins_in_a_table": 146,
    "snarks": 178,
}
# MuSR: (items, answer options) per subtask; sizes sum to 756.
MUSR_SUBTASKS: dict[str, tuple[int, int]] = {
    "murder_mysteries": (250, 2),
    "object_placements": (256, 5),
    "team_allocation": (250, 3),
}
# TruthfulQA (mc2) floor: Open LLM Leaderboard v1 baseline row (25%); the
# uniform-mass expectation is higher, see data/SOURCES.md.
TRUTHFULQA_CHANCE = 0.25


@dataclass(frozen=True)
class BenchmarkInfo:
    """Static metadata of one benchmark slug.

    Attributes
    ----------
    name : str
        Human-readable benchmark name.
    description : str
        One-sentence description.
    domain : str
        One of general, reasoning, math, code, cyber, software.
    chance : float
        Expected score of a random guesser (fraction in [0, 1]).
    n_tasks : int or None
        Number of items as evaluated; ``None`` means "count distinct tasks
        in task_runs.csv".
    source : str
        Citation.
    """

    name: str
    description: str
    domain: str
    chance: float
    n_tasks: int | None
    source: str


def _bbh_chance() -> float:
    """Return the item-weighted random-guess rate of leaderboard BBH.

    Returns
    -------
    float
        Sum over subtasks of size times chance, divided by total size.
    """
    total = 0.0
    n_items = 0
    for subtask, chance in BBH_SUBTASK_CHANCE.items():
        size = BBH_SUBTASK_SIZES.get(subtask, BBH_DEFAULT_SUBTASK_SIZE)
        total += size * chance
        n_items += size
    return total / n_items


def _bbh_items() -> int:
    """Return the number of items in leaderboard BBH.

    Returns
    -------
    int
        Total items over the 24 subtasks.
    """
    return sum(
        BBH_SUBTASK_SIZES.get(subtask, BBH_DEFAULT_SUBTASK_SIZE) for subtask in BBH_SUBTASK_CHANCE
    )


def _musr_chance() -> float:
    """Return the item-weighted random-guess rate of MuSR.

    Returns
    -------
    float
        Sum over subtasks of items / options, divided by total items.
    """
    total = sum(items / options for items, options in MUSR_SUBTASKS.values())
    return total / sum(items for items, _ in MUSR_SUBTASKS.values())


def _musr_items() -> int:
    """Return the number of MuSR items.

    Returns
    -------
    int
        Total items over the three subtasks.
    """
    return sum(items for items, _ in MUSR_SUBTASKS.values())


BENCHMARKS: dict[str, BenchmarkInfo] = {
    "mmlu": BenchmarkInfo(
        "MMLU",
        "Four-option multiple-choice exam questions across 57 academic and professional subjects.",
        "general",
        0.25,
        14042,
        "Hendrycks et al. 2021, arXiv 2009.03300; scores via ObsScaling (Ruan et al. 2024)",
    ),
    "arc_c": BenchmarkInfo(
        "ARC-Challenge",
        "Four-option grade-school science questions that simple retrieval "
        "and co-occurrence methods fail on.",
        "reasoning",
        0.25,
        1172,
        "Clark et al. 2018, arXiv 1803.05457; scores via ObsScaling",
    ),
    "hellaswag": BenchmarkInfo(
        "HellaSwag",
        "Four-option commonsense sentence completion with adversarially filtered wrong endings.",
        "reasoning",
        0.25,
        10042,
        "Zellers et al. 2019, arXiv 1905.07830; scores via ObsScaling",
    ),
    "winogrande": BenchmarkInfo(
        "WinoGrande",
        "Two-option pronoun-resolution problems requiring commonsense reasoning.",
        "reasoning",
        0.5,
        1267,
        "Sakaguchi et al. 2019, arXiv 1907.10641; scores via ObsScaling",
    ),
    "truthfulqa": BenchmarkInfo(
        "TruthfulQA (MC2)",
        "Questions crafted so that imitative falsehoods are likely, scored "
        "as the normalised probability mass on the true reference answers.",
        "general",
        TRUTHFULQA_CHANCE,
        817,
        "Lin et al. 2021, arXiv 2109.07958; scores via ObsScaling",
    ),
    "gsm8k": BenchmarkInfo(
        "GSM8K",
        "Grade-school maths word problems with a free-form numeric answer.",
        "math",
        0.0,
        1319,
        "Cobbe et al. 2021, arXiv 2110.14168; scores via ObsScaling",
    ),
    "xwinograd": BenchmarkInfo(
        "XWinograd",
        "Two-option Winograd schemas in six languages (en, fr, jp, pt, ru, zh).",
        "reasoning",
        0.5,
        4449,
        "Tikhonov & Ryabinin 2021, arXiv 2106.12066; scores via ObsScaling",
    ),
    "humaneval": BenchmarkInfo(
        "HumanEval",
        "Python function synthesis from docstrings, scored by unit tests (pass@1).",
        "code",
        0.0,
        164,
        "Chen et al. 2021, arXiv 2107.03374; scores via ObsScaling (EvalPlus)",
    ),
    "bbh": BenchmarkInfo(
        "BIG-Bench Hard (Open LLM Leaderboard v2)",
        "The 24 multiple-choice BIG-Bench Hard subtasks as run by Open LLM "
        "Leaderboard v2 (3-shot, normalised accuracy).",
        "reasoning",
        _bbh_chance(),
        _bbh_items(),
        "Suzgun et al. 2022, arXiv 2210.09261; scores via ObsScaling",
    ),
    "gpqa": BenchmarkInfo(
        "GPQA (main + extended + diamond)",
        "Four-option graduate-level science questions written to be Google-proof.",
        "general",
        0.25,
        1192,
        "Rein et al. 2023, arXiv 2311.12022; scores via ObsScaling",
    ),
    "ifeval": BenchmarkInfo(
        "IFEval (instruction-level strict)",
        "Prompts with verifiable formatting instructions, scored per "
        "instruction with strict checking.",
        "general",
        0.0,
        834,
        "Zhou et al. 2023, arXiv 2311.07911; scores via ObsScaling",
    ),
    "math_hard": BenchmarkInfo(
        "MATH Level 5",
        "The hardest (level 5) competition-mathematics problems of MATH with exact-match answers.",
        "math",
        0.0,
        1324,
        "Hendrycks et al. 2021, arXiv 2103.03874; scores via ObsScaling",
    ),
    "mmlu_pro": BenchmarkInfo(
        "MMLU-Pro",
        "Harder, reasoning-focused ten-option successor of MMLU.",
        "general",
        0.1,
        12032,
        "Wang et al. 2024, arXiv 2406.01574; scores via ObsScaling",
    ),
    "musr": BenchmarkInfo(
        "MuSR",
        "Multistep soft reasoning over long narratives (murder mysteries, "
        "object placement, team allocation).",
        "reasoning",
        _musr_chance(),
        _musr_items(),
        "Sprague et al. 2023, arXiv 2310.16049; scores via ObsScaling",
    ),
    CYBENCH_SLUG: BenchmarkInfo(
        "Cybench",
        "Forty professional capture-the-flag tasks from four competitions, "
        "attempted by an agent in a sandbox.",
        "cyber",
        0.0,
        CYBENCH_N_TASKS,
        "Zhang et al. 2024, arXiv 2408.08926; aggregates via Epoch AI "
        "Benchmarking Hub; per-task runs via Peters 2025",
    ),
    CYBENCH_GUIDED_SLUG: BenchmarkInfo(
        "Cybench (subtask-guided)",
        "Cybench's 40 tasks with the agent guided through intermediate "
        "subtasks; final-flag success rate.",
        "cyber",
        0.0,
        CYBENCH_N_TASKS,
        "Zhang et al. 2024, arXiv 2408.08926; via Epoch AI Benchmarking Hub",
    ),
    "cybashbench": BenchmarkInfo(
        "CyBashBench",
        "Very short cybersecurity shell-command tasks (seconds of human "
        "time) in several answer formats.",
        "cyber",
        0.0,
        None,
        "Peters 2025, AI task length horizons in offensive cybersecurity "
        "(github sean-peters-au/cyber-task-horizons)",
    ),
    "nl2bash": BenchmarkInfo(
        "NL2Bash",
        "Translate a natural-language request into a bash command.",
        "cyber",
        0.0,
        None,
        "Lin et al. 2018, arXiv 1802.08979; runs via Peters 2025",
    ),
    "intercode_ctf": BenchmarkInfo(
        "InterCode-CTF",
        "Interactive picoCTF capture-the-flag tasks in a bash environment.",
        "cyber",
        0.0,
        None,
        "Yang et al. 2023, arXiv 2306.14898; runs via Peters 2025",
    ),
    "nyu_ctf": BenchmarkInfo(
        "NYU CTF Bench",
        "Capture-the-flag challenges from NYU CSAW competitions.",
        "cyber",
        0.0,
        None,
        "Shao et al. 2024, arXiv 2406.05590; runs via Peters 2025",
    ),
    METR_SUITE_HCAST: BenchmarkInfo(
        "HCAST",
        "Diverse software, ML, cybersecurity and reasoning agent tasks with "
        "human baseline times from minutes to hours.",
        "software",
        0.0,
        None,
        "Rein et al. 2025, arXiv 2503.17354; runs via METR, Kwa et al. 2025, arXiv 2503.14499",
    ),
    METR_SUITE_REBENCH: BenchmarkInfo(
        "RE-Bench",
        "Seven open-ended ML research-engineering environments, each about "
        "eight hours for an expert.",
        "software",
        0.0,
        None,
        "Wijk et al. 2024, arXiv 2411.15114; runs via METR, Kwa et al. 2025, arXiv 2503.14499",
    ),
}

# ---------------------------------------------------------------------------
# Output schemas
# ---------------------------------------------------------------------------

MODEL_COLUMNS: tuple[str, ...] = (
    "model",
    "organization",
    "release_date",
    "training_flop",
    "flop_confidence",
    "training_cost_usd",
    "open_weights",
    "base_model",
    "finetune_flop",
    "frontier",
    "domain",
    "epoch_name",
    "release_date_source",
    "source",
)
RESULT_COLUMNS: tuple[str, ...] = (
    "model",
    "benchmark",
    "n_attempted",
    "n_solved",
    "score",
    "harness",
    "source",
)
RUN_COLUMNS: tuple[str, ...] = (
    "model",
    "benchmark",
    "task_id",
    "task_family",
    "run",
    "success",
    "human_minutes",
    "human_source",
    "source",
)
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "slug",
    "name",
    "description",
    "domain",
    "chance",
    "n_tasks",
    "kind",
    "source",
)

# Release-date provenance labels, in order of precedence.
DATE_EPOCH = "epoch"
DATE_CYBENCH_HUB = "cybench_hub"
DATE_METR = "metr"
DATE_CYBER = "cyber_task_runs"
DATE_ECI = "epoch_eci"
DATE_CURATED = "obsscaling_curated"
DATE_PRECEDENCE: tuple[str, ...] = (
    DATE_EPOCH,
    DATE_CYBENCH_HUB,
    DATE_METR,
    DATE_CYBER,
    DATE_ECI,
    DATE_CURATED,
)

Cell = str | int | float | bool | None


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def is_missing(value: object) -> bool:
    """Return whether a cell value is missing.

    Parameters
    ----------
    value : object
        A value read by pandas.

    Returns
    -------
    bool
        True for ``None``, NaN and blank strings.
    """
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def format_cell(value: Cell) -> str:
    """Format one output cell.

    Parameters
    ----------
    value : str, int, float, bool or None
        The value to write.

    Returns
    -------
    str
        ``""`` for missing, ``true``/``false`` for booleans, :func:`repr`
        for floats (shortest round-trip), ``str`` otherwise.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    return str(value)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, Cell]]) -> int:
    """Write rows to a CSV file deterministically.

    Parameters
    ----------
    path : Path
        Output file.
    columns : sequence of str
        Column order (also the header).
    rows : iterable of mapping
        Rows keyed by column name, already sorted.

    Returns
    -------
    int
        Number of data rows written.
    """
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([format_cell(row.get(col)) for col in columns])
            count += 1
    return count


def read_csv(path: Path) -> pd.DataFrame:
    """Read a reference CSV with every cell as a string.

    Numbers are parsed later with Python's correctly rounded :func:`float`,
    so values do not depend on the pandas version's float parser.

    Parameters
    ----------
    path : Path
        File to read (``.csv`` or ``.csv.gz``).

    Returns
    -------
    pandas.DataFrame
        The table; empty cells are empty strings.
    """
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def to_float(value: object) -> float | None:
    """Convert a cell to float, mapping missing values to None.

    Parameters
    ----------
    value : object
        Cell value.

    Returns
    -------
    float or None
        The value, or None when missing.
    """
    if is_missing(value):
        return None
    return float(value)  # type: ignore[arg-type]


def to_str(value: object) -> str | None:
    """Convert a cell to a stripped string, mapping missing values to None.

    Parameters
    ----------
    value : object
        Cell value.

    Returns
    -------
    str or None
        The stripped string, or None when missing.
    """
    if is_missing(value):
        return None
    return str(value).strip()


def map_confidence(raw: str | None, flop: float | None) -> str:
    """Map an Epoch confidence label to the ``flop_confidence`` vocabulary.

    Parameters
    ----------
    raw : str or None
        Epoch's Confidence value.
    flop : float or None
        The FLOP value the confidence refers to.

    Returns
    -------
    str
        ``unknown`` without a FLOP value; otherwise the mapped label, with
        Epoch "Unknown" / "Unverified" / missing treated as ``speculative``.
    """
    if flop is None:
        return CONF_UNKNOWN
    if raw is None:
        return CONF_SPECULATIVE
    return CONFIDENCE_MAP.get(raw, CONF_SPECULATIVE)


def is_open_weights(accessibility: str | None) -> bool:
    """Return whether an Epoch accessibility label means open weights.

    Parameters
    ----------
    accessibility : str or None
        Epoch "Model accessibility" value.

    Returns
    -------
    bool
        True for any "Open weights (...)" variant.
    """
    return accessibility is not None and accessibility.startswith("Open weights")


def obs_flop(
    model: str, flops_1e21: str | None, params_b: str, tokens_t: str | None
) -> float | None:
    """Return ObsScaling training compute in plain FLOP.

    Parameters
    ----------
    model : str
        ObsScaling HF id.
    flops_1e21 : str or None
        The source "FLOPs (1E21)" cell (units of 1e21 FLOP).
    params_b : str
        The source "Model Size (B)" cell (billions of parameters).
    tokens_t : str or None
        The source "Pretraining Data Size (T)" cell (trillions of tokens).

    Returns
    -------
    float or None
        6 N D in FLOP computed exactly in decimal and rounded once to float
        (checked against the FLOPs column), the documented correction for
        rows in ``OBSSCALING_FLOP_CORRECTIONS``, or None when unknown.

    Raises
    ------
    ValueError
        If the FLOPs column disagrees with 6 N D.
    """
    correction = OBSSCALING_FLOP_CORRECTIONS.get(model)
    if correction is not None:
        exact = SIX_ND_FACTOR * correction.params_b * correction.tokens_t
        return float(exact * OBS_FLOP_UNIT)
    if flops_1e21 is None or tokens_t is None:
        return None
    # Recompute 6 N D exactly in decimal: the source column holds the same
    # product evaluated in binary floating point (e.g. 547.6800000000001).
    exact = SIX_ND_FACTOR * Decimal(params_b) * Decimal(tokens_t)
    if abs(float(exact) - float(flops_1e21)) > FLOP_REL_TOLERANCE * float(exact):
        raise ValueError(f"{model}: FLOPs column is not 6*N*D")
    return float(exact * OBS_FLOP_UNIT)


# ---------------------------------------------------------------------------
# Model registry
# ---------------------------------------------------------------------------


@dataclass
class ModelRecord:
    """Accumulated facts about one model before it is written.

    Attributes
    ----------
    model : str
        Canonical id.
    organization, domain, epoch_name, base_model : str or None
        Descriptive fields (see data/SOURCES.md).
    training_flop, training_cost_usd, finetune_flop : float or None
        Compute (FLOP) and cost (2023 USD).
    flop_confidence : str
        One of confident, likely, speculative, derived, unknown.
    open_weights, frontier : bool
        Flags.
    dates : dict
        Candidate release dates keyed by provenance label.
    sources : set of str
        Provenance tokens.
    """

    model: str
    organization: str | None = None
    domain: str | None = None
    epoch_name: str | None = None
    base_model: str | None = None
    training_flop: float | None = None
    flop_confidence: str = CONF_UNKNOWN
    training_cost_usd: float | None = None
    finetune_flop: float | None = None
    open_weights: bool = False
    frontier: bool = False
    dates: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    def add_date(self, label: str, date: str | None) -> None:
        """Record a candidate release date, checking consistency per label.

        Parameters
        ----------
        label : str
            Provenance label from ``DATE_PRECEDENCE``.
        date : str or None
            ISO date; ignored when None.
        """
        if date is None:
            return
        previous = self.dates.get(label)
        if previous is not None and previous != date:
            raise ValueError(f"{self.model}: conflicting {label} dates {previous} / {date}")
        self.dates[label] = date

    def release(self) -> tuple[str | None, str | None]:
        """Return the chosen release date and its provenance label.

        Returns
        -------
        tuple of (str or None, str or None)
            The highest-precedence candidate date and its label.
        """
        for label in DATE_PRECEDENCE:
            if label in self.dates:
                return self.dates[label], label
        return None, None

    def as_row(self) -> dict[str, Cell]:
        """Return the models.csv row of this record.

        Returns
        -------
        dict
            Row keyed by ``MODEL_COLUMNS``.
        """
        date, date_source = self.release()
        return {
            "model": self.model,
            "organization": self.organization,
            "release_date": date,
            "training_flop": self.training_flop,
            "flop_confidence": self.flop_confidence,
            "training_cost_usd": self.training_cost_usd,
            "open_weights": self.open_weights,
            "base_model": self.base_model,
            "finetune_flop": self.finetune_flop,
            "frontier": self.frontier,
            "domain": self.domain,
            "epoch_name": self.epoch_name,
            "release_date_source": date_source,
            "source": ";".join(s for s in SOURCE_ORDER if s in self.sources),
        }


class Registry:
    """Collection of :class:`ModelRecord` keyed by canonical id."""

    def __init__(self) -> None:
        """Create an empty registry."""
        self.records: dict[str, ModelRecord] = {}

    def get(self, model: str) -> ModelRecord:
        """Return the record of ``model``, creating it if needed.

        Parameters
        ----------
        model : str
            Canonical id.

        Returns
        -------
        ModelRecord
            The (possibly new) record.
        """
        if model not in self.records:
            self.records[model] = ModelRecord(model=model)
        return self.records[model]


# ---------------------------------------------------------------------------
# Evidence tables
# ---------------------------------------------------------------------------


def build_obsscaling_results(
    ref: Path, registry: Registry
) -> tuple[list[dict[str, Cell]], pd.DataFrame]:
    """Build ObsScaling benchmark rows and register ObsScaling models.

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry to fill.

    Returns
    -------
    tuple of (list of dict, pandas.DataFrame)
        Benchmark-result rows and the base ObsScaling table (for metadata).
    """
    base = read_csv(ref / OBS_BASE_FILE)
    lb2 = read_csv(ref / OBS_LB2_FILE)
    if base["Model"].duplicated().any() or lb2["Model"].duplicated().any():
        raise ValueError("duplicate ObsScaling model ids")
    unknown = set(lb2["Model"]) - set(base["Model"])
    if unknown:
        raise ValueError(f"leaderboard-v2 models missing from base file: {unknown}")

    rows: list[dict[str, Cell]] = []
    for table, columns, harness, source in (
        (base, OBS_BASE_BENCHMARKS, OBS_BASE_HARNESS, SRC_OBS_BASE),
        (lb2, OBS_LB2_BENCHMARKS, OBS_LB2_HARNESS, SRC_OBS_LB2),
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
                    }
                )
    return rows, base


def build_cybench_results(ref: Path, registry: Registry) -> list[dict[str, Cell]]:
    """Build Cybench hub rows (unguided and subtask-guided).

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry to fill (dates, organisation, hub FLOP).

    Returns
    -------
    list of dict
        Benchmark-result rows.
    """
    hub = read_csv(ref / CYBENCH_HUB_FILE)
    rows: list[dict[str, Cell]] = []
    for record in hub.to_dict("records"):
        version = str(record["Model version"]).strip()
        model = CYBENCH_HUB_ALIASES[version]
        entry = registry.get(model)
        entry.sources.add(SRC_CYBENCH_HUB)
        entry.add_date(DATE_CYBENCH_HUB, to_str(record["Release date"]))
        if entry.organization is None:
            entry.organization = to_str(record["Organization"])
        notes = to_str(record["Notes"]) or ""
        unguided_harness = (
            CYBENCH_HARNESS_HAL if HAL_NOTE_MARKER in notes else CYBENCH_HARNESS_UNGUIDED
        )
        for column, slug, harness in (
            ("Unguided % Solved", CYBENCH_SLUG, unguided_harness),
            ("Subtask-Guided % Solved", CYBENCH_GUIDED_SLUG, CYBENCH_HARNESS_GUIDED),
        ):
            score = to_float(record[column])
            if score is None:
                continue
            solved = round(score * CYBENCH_N_TASKS)
            if abs(solved / CYBENCH_N_TASKS - score) > FRACTION_TOLERANCE:
                raise ValueError(f"{model} {slug}: {score} is not k/40")
            rows.append(
                {
                    "model": model,
                    "benchmark": slug,
                    "n_attempted": CYBENCH_N_TASKS,
                    "n_solved": solved,
                    "score": solved / CYBENCH_N_TASKS,
                    "harness": harness,
                    "source": SRC_CYBENCH_HUB_FILE,
                }
            )
    return rows


def hub_flop(ref: Path) -> dict[str, float]:
    """Return training compute reported by the Cybench hub file.

    Parameters
    ----------
    ref : Path
        Reference-data directory.

    Returns
    -------
    dict
        Canonical id -> FLOP, for rows with a value.
    """
    hub = read_csv(ref / CYBENCH_HUB_FILE)
    out: dict[str, float] = {}
    for record in hub.to_dict("records"):
        flop = to_float(record["Training compute (FLOP)"])
        if flop is not None:
            out[CYBENCH_HUB_ALIASES[str(record["Model version"]).strip()]] = flop
    return out


def number_runs(rows: list[dict[str, Cell]]) -> None:
    """Assign run numbers 1..k to repeats of a (model, task_id), in file order.

    Parameters
    ----------
    rows : list of dict
        Run rows in source-file order; ``run`` is filled in place.
    """
    seen: dict[tuple[Cell, Cell], int] = {}
    for row in rows:
        key = (row["model"], row["task_id"])
        seen[key] = seen.get(key, 0) + 1
        row["run"] = seen[key]


def build_cyber_runs(ref: Path, registry: Registry) -> list[dict[str, Cell]]:
    """Build task-run rows from the cyber task-horizon runs (Peters 2025).

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry to fill.

    Returns
    -------
    list of dict
        Run rows (``run`` numbered in file order).
    """
    runs = read_csv(ref / CYBER_RUNS_FILE)
    rows: list[dict[str, Cell]] = []
    for record in runs.to_dict("records"):
        model = CYBER_MODEL_ALIASES[str(record["model"]).strip()]
        entry = registry.get(model)
        entry.sources.add(SRC_CYBER)
        entry.add_date(DATE_CYBER, to_str(record["release_date"]))
        rows.append(
            {
                "model": model,
                "benchmark": CYBER_SUITES[str(record["task_source"]).strip()],
                "task_id": str(record["task_id"]).strip(),
                "task_family": str(record["task_family"]).strip(),
                "run": None,
                "success": int(record["score_binarized"]),
                "human_minutes": float(record["human_minutes"]),
                "human_source": to_str(record["human_source"]),
                "source": SRC_CYBER,
            }
        )
    number_runs(rows)
    return rows


def metr_suite(task_family: str, human_minutes: float) -> str:
    """Return the METR suite slug of a task.

    Parameters
    ----------
    task_family : str
        METR task family.
    human_minutes : float
        Human time of the task.

    Returns
    -------
    str
        ``rebench`` for ``ai_rd_*`` families, otherwise ``hcast``.

    Raises
    ------
    ValueError
        For a sub-minute task, which would be an SWAA task this snapshot
        does not contain and the rule does not handle.
    """
    if task_family.startswith(METR_REBENCH_PREFIX):
        return METR_SUITE_REBENCH
    if human_minutes < METR_MIN_NON_SWAA_MINUTES:
        raise ValueError(f"sub-minute METR task family {task_family}: SWAA?")
    return METR_SUITE_HCAST


def build_metr_runs(ref: Path, registry: Registry) -> tuple[list[dict[str, Cell]], int]:
    """Build task-run rows from METR's per-run file (human rows dropped).

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry to fill.

    Returns
    -------
    tuple of (list of dict, int)
        Run rows and the number of dropped human-baseline rows.
    """
    runs = read_csv(ref / METR_RUNS_FILE)
    rows: list[dict[str, Cell]] = []
    dropped = 0
    for record in runs.to_dict("records"):
        alias = str(record["alias"]).strip()
        if alias == METR_HUMAN_ALIAS:
            dropped += 1
            continue
        model = METR_RUN_ALIASES[alias]
        registry.get(model).sources.add(SRC_METR)
        family = str(record["task_family"]).strip()
        minutes = float(record["human_minutes"])
        rows.append(
            {
                "model": model,
                "benchmark": metr_suite(family, minutes),
                "task_id": str(record["task_id"]).strip(),
                "task_family": family,
                "run": None,
                "success": int(record["score_binarized"]),
                "human_minutes": minutes,
                "human_source": to_str(record["human_source"]),
                "source": SRC_METR,
            }
        )
    number_runs(rows)
    return rows, dropped


def add_metr_horizon_dates(ref: Path, registry: Registry) -> None:
    """Add METR's published release dates for models in the METR run file.

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry; only models with METR run evidence get a date.
    """
    horizons = read_csv(ref / METR_HORIZONS_FILE)
    for record in horizons.to_dict("records"):
        model = METR_HORIZON_ALIASES.get(str(record["model_id"]).strip())
        if model is None or model not in registry.records:
            continue
        entry = registry.records[model]
        if SRC_METR not in entry.sources:
            continue
        entry.add_date(DATE_METR, to_str(record["release_date"]))
        entry.sources.add(SRC_METR_HORIZONS)


# ---------------------------------------------------------------------------
# Model metadata
# ---------------------------------------------------------------------------


def epoch_matches() -> dict[str, str]:
    """Return the combined canonical-id -> Epoch-name match table.

    Returns
    -------
    dict
        Union of ``OBSSCALING_TO_EPOCH`` and ``EVIDENCE_TO_EPOCH``.

    Raises
    ------
    ValueError
        If two ids claim the same Epoch row.
    """
    matches = {**OBSSCALING_TO_EPOCH, **EVIDENCE_TO_EPOCH}
    names = list(matches.values())
    if len(names) != len(set(names)):
        raise ValueError("an Epoch row is matched by two model ids")
    return matches


def add_epoch_models(ref: Path, registry: Registry) -> None:
    """Add every Epoch notable model, merging matched rows into evidence ids.

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry to fill.
    """
    epoch = read_csv(ref / EPOCH_FILE)
    epoch["Model"] = epoch["Model"].str.strip()
    if epoch["Model"].duplicated().any():
        raise ValueError("duplicate Epoch model names")
    matches = epoch_matches()
    name_to_id = {name: model for model, name in matches.items()}
    missing = set(name_to_id) - set(epoch["Model"])
    if missing:
        raise ValueError(f"matched Epoch names not in file: {sorted(missing)}")
    base_lookup = {**EPOCH_BASE_NAME_TO_ID, **name_to_id}

    for record in epoch.to_dict("records"):
        name = str(record["Model"])
        model = name_to_id.get(name, name)
        entry = registry.get(model)
        entry.sources.add(SRC_EPOCH)
        entry.add_date(DATE_EPOCH, to_str(record["Publication date"]))
        entry.organization = to_str(record["Organization"])
        entry.domain = to_str(record["Domain"])
        if name in name_to_id:
            entry.epoch_name = name
        entry.training_cost_usd = to_float(record["Training compute cost (2023 USD)"])
        entry.finetune_flop = to_float(record["Finetune compute (FLOP)"])
        entry.frontier = to_str(record["Frontier model"]) == "True"
        entry.open_weights = entry.open_weights or is_open_weights(
            to_str(record["Model accessibility"])
        )
        base = to_str(record["Base model"])
        if base is not None:
            entry.base_model = ",".join(
                base_lookup.get(part.strip(), part.strip()) for part in base.split(",")
            )
        if entry.flop_confidence != CONF_DERIVED:
            flop = to_float(record["Training compute (FLOP)"])
            entry.training_flop = flop
            entry.flop_confidence = map_confidence(to_str(record["Confidence"]), flop)


def add_obsscaling_metadata(base: pd.DataFrame, registry: Registry) -> None:
    """Set ObsScaling FLOP (confidence ``derived``), openness and org.

    Must run before :func:`add_epoch_models`, which keeps ``derived`` FLOP.

    Parameters
    ----------
    base : pandas.DataFrame
        The ObsScaling base-benchmark table.
    registry : Registry
        Model registry to fill.
    """
    for record in base.to_dict("records"):
        model = str(record["Model"]).strip()
        entry = registry.get(model)
        entry.open_weights = True
        entry.organization = HF_NAMESPACE_ORGS[model.split("/", 1)[0]]
        flop = obs_flop(
            model,
            to_str(record["FLOPs (1E21)"]),
            str(record["Model Size (B)"]).strip(),
            to_str(record["Pretraining Data Size (T)"]),
        )
        if flop is not None:
            entry.training_flop = flop
            entry.flop_confidence = CONF_DERIVED
        if model in OBSSCALING_RELEASE_DATES:
            entry.add_date(DATE_CURATED, OBSSCALING_RELEASE_DATES[model])


def add_eci_metadata(
    ref: Path, registry: Registry, obs_models: Iterable[str], hub: Mapping[str, float]
) -> int:
    """Fill gaps from the Epoch hub (Cybench hub FLOP and ECI metadata).

    For each evidence model: the ECI release date (ObsScaling models only;
    others are dated by their own source), organisation, open-weights
    accessibility, and -- when no FLOP is known yet -- the hub / ECI training
    compute with ECI's confidence.

    Parameters
    ----------
    ref : Path
        Reference-data directory.
    registry : Registry
        Model registry to fill.
    obs_models : iterable of str
        ObsScaling ids.
    hub : mapping
        Cybench-hub FLOP by canonical id.

    Returns
    -------
    int
        Number of models whose FLOP came from the Epoch hub files.
    """
    eci = read_csv(ref / ECI_FILE)
    eci["Model version"] = eci["Model version"].str.strip()
    by_version = {str(rec["Model version"]): rec for rec in eci.to_dict("records")}
    by_lower = {version.lower(): version for version in by_version}

    links: dict[str, str] = dict(EVIDENCE_TO_ECI)
    for model in obs_models:
        if model in OBSSCALING_ECI_EXCLUDED:
            continue
        version = OBSSCALING_TO_ECI_EXTRA.get(model)
        if version is None:
            version = by_lower.get(model.split("/", 1)[1].lower())
        if version is not None:
            links[model] = version

    n_flop = 0
    for model, version in sorted(links.items()):
        record = by_version[version]
        entry = registry.records[model]
        entry.sources.add(SRC_ECI)
        if SRC_OBS in entry.sources:
            entry.add_date(DATE_ECI, to_str(record["Release date"]))
        if entry.organization is None:
            entry.organization = to_str(record["Organization"])
        entry.open_weights = entry.open_weights or is_open_weights(
            to_str(record["Model accessibility"])
        )
        if entry.training_flop is None:
            flop = hub.get(model, to_float(record["Training compute (FLOP)"]))
            if flop is not None:
                entry.training_flop = flop
                entry.flop_confidence = map_confidence(to_str(record["Confidence"]), flop)
                n_flop += 1
    return n_flop


def finalise_evidence_models(registry: Registry) -> None:
    """Fill defaults for evidence models (domain, organisation, base model).

    Parameters
    ----------
    registry : Registry
        Model registry to update.
    """
    for model, entry in registry.records.items():
        if entry.domain is None:
            entry.domain = "Language"
        if entry.organization is None:
            entry.organization = EVIDENCE_ORGS.get(model)
        if entry.base_model is None and model in EVIDENCE_BASE_MODELS:
            entry.base_model = EVIDENCE_BASE_MODELS[model]


# ---------------------------------------------------------------------------
# Checks and summary
# ---------------------------------------------------------------------------


def check_unique(rows: Sequence[Mapping[str, Cell]], key: Sequence[str], name: str) -> None:
    """Raise if ``rows`` contain a duplicate key.

    Parameters
    ----------
    rows : sequence of mapping
        Table rows.
    key : sequence of str
        Key columns.
    name : str
        Table name for the error message.
    """
    seen: set[tuple[Cell, ...]] = set()
    for row in rows:
        value = tuple(row[col] for col in key)
        if value in seen:
            raise ValueError(f"{name}: duplicate key {value}")
        seen.add(value)


def validate(
    models: Sequence[Mapping[str, Cell]],
    results: Sequence[Mapping[str, Cell]],
    runs: Sequence[Mapping[str, Cell]],
    benchmarks: Sequence[Mapping[str, Cell]],
) -> None:
    """Run the sanity checks on the four tables.

    Parameters
    ----------
    models, results, runs, benchmarks : sequence of mapping
        The four output tables.

    Raises
    ------
    ValueError
        On any violated invariant.
    """
    check_unique(models, ("model",), "models")
    check_unique(results, ("model", "benchmark", "harness"), "benchmark_results")
    check_unique(runs, ("model", "task_id", "run"), "task_runs")
    check_unique(benchmarks, ("slug",), "benchmarks")

    by_model = {row["model"]: row for row in models}
    evidence = {row["model"] for row in results} | {row["model"] for row in runs}
    for model in sorted(evidence, key=str):
        row = by_model.get(model)
        if row is None:
            raise ValueError(f"evidence model {model} missing from models.csv")
        if not row["release_date"]:
            raise ValueError(f"evidence model {model} has no release_date")
    slugs = {row["slug"] for row in benchmarks}
    used = {row["benchmark"] for row in results} | {row["benchmark"] for row in runs}
    if used != slugs:
        raise ValueError(f"benchmark slugs mismatch: {sorted(used ^ slugs, key=str)}")

    for row in results:
        score, n_att, n_sol = row["score"], row["n_attempted"], row["n_solved"]
        if (n_att is None) != (n_sol is None):
            raise ValueError(f"half-filled counts: {row}")
        if n_att is None and score is None:
            raise ValueError(f"no result: {row}")
        if score is not None and not 0.0 <= float(score) <= 1.0:
            raise ValueError(f"score outside [0,1]: {row}")
        if (
            n_att is not None
            and score is not None
            and abs(float(score) - int(n_sol) / int(n_att)) > FRACTION_TOLERANCE  # type: ignore[arg-type]
        ):
            raise ValueError(f"score != n_solved/n_attempted: {row}")
    for row in runs:
        if row["success"] not in (0, 1):
            raise ValueError(f"non-binary success: {row}")
        if not float(row["human_minutes"]) > 0:  # type: ignore[arg-type]
            raise ValueError(f"non-positive human_minutes: {row}")
    for row in models:
        conf = row["flop_confidence"]
        if (row["training_flop"] is None) != (conf == CONF_UNKNOWN):
            raise ValueError(f"flop/confidence mismatch: {row['model']}")


def build_benchmarks(
    results: Sequence[Mapping[str, Cell]], runs: Sequence[Mapping[str, Cell]]
) -> list[dict[str, Cell]]:
    """Build benchmarks.csv rows for every slug used in the evidence tables.

    Parameters
    ----------
    results : sequence of mapping
        benchmark_results rows.
    runs : sequence of mapping
        task_runs rows.

    Returns
    -------
    list of dict
        Rows sorted by slug.
    """
    aggregate = {str(row["benchmark"]) for row in results}
    tasks: dict[str, set[str]] = {}
    for row in runs:
        tasks.setdefault(str(row["benchmark"]), set()).add(str(row["task_id"]))
    out: list[dict[str, Cell]] = []
    for slug in sorted(aggregate | set(tasks)):
        info = BENCHMARKS[slug]
        if slug in aggregate and slug in tasks:
            kind = "both"
        elif slug in aggregate:
            kind = "aggregate"
        else:
            kind = "tasks"
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


def main(argv: Sequence[str] | None = None) -> int:
    """Build all tables, validate them and print summary counts.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns
    -------
    int
        Process exit code (0 on success).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "reference_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_REFERENCE_DIR,
        help="reference snapshot directory (default: <repo>/../shared/reference-data)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help="output directory (default: <repo>/data)",
    )
    args = parser.parse_args(argv)
    ref: Path = args.reference_dir
    out: Path = args.out_dir
    out.mkdir(parents=True, exist_ok=True)

    registry = Registry()
    obs_rows, obs_base = build_obsscaling_results(ref, registry)
    hub_rows = build_cybench_results(ref, registry)
    cyber_rows = build_cyber_runs(ref, registry)
    metr_rows, n_human = build_metr_runs(ref, registry)
    add_metr_horizon_dates(ref, registry)
    add_obsscaling_metadata(obs_base, registry)
    add_epoch_models(ref, registry)
    obs_models = [str(m).strip() for m in obs_base["Model"]]
    n_hub_flop = add_eci_metadata(ref, registry, obs_models, hub_flop(ref))
    finalise_evidence_models(registry)

    results = sorted(
        obs_rows + hub_rows,
        key=lambda r: (str(r["model"]), str(r["benchmark"]), str(r["harness"])),
    )
    runs = sorted(
        cyber_rows + metr_rows,
        key=lambda r: (str(r["model"]), str(r["benchmark"]), str(r["task_id"]), int(r["run"])),  # type: ignore[arg-type]
    )
    models = [registry.records[m].as_row() for m in sorted(registry.records)]
    benchmarks = build_benchmarks(results, runs)
    validate(models, results, runs, benchmarks)

    counts = {
        "models.csv": write_csv(out / "models.csv", MODEL_COLUMNS, models),
        "benchmark_results.csv": write_csv(out / "benchmark_results.csv", RESULT_COLUMNS, results),
        "task_runs.csv": write_csv(out / "task_runs.csv", RUN_COLUMNS, runs),
        "benchmarks.csv": write_csv(out / "benchmarks.csv", BENCHMARK_COLUMNS, benchmarks),
    }
    evidence = {r["model"] for r in results} | {r["model"] for r in runs}
    matched = [r for r in models if r["epoch_name"]]
    by_conf: dict[str, int] = {}
    for row in models:
        by_conf[str(row["flop_confidence"])] = by_conf.get(str(row["flop_confidence"]), 0) + 1
    date_sources: dict[str, int] = {}
    for row in models:
        if row["model"] in evidence:
            label = str(row["release_date_source"])
            date_sources[label] = date_sources.get(label, 0) + 1

    for name, count in counts.items():
        print(f"{name}: {count} rows")
    print(f"models with training_flop: {sum(r['training_flop'] is not None for r in models)}")
    print(f"flop_confidence: {dict(sorted(by_conf.items()))}")
    print(f"evidence models: {len(evidence)}")
    n_evidence_flop = sum(
        1 for r in models if r["model"] in evidence and r["training_flop"] is not None
    )
    print(f"evidence models with FLOP: {n_evidence_flop}")
    print(
        f"Epoch rows matched to evidence ids: {len(matched)} "
        f"(ObsScaling {len(OBSSCALING_TO_EPOCH)}, cyber/METR/Cybench {len(EVIDENCE_TO_EPOCH)})"
    )
    print(f"evidence FLOP from Epoch hub files: {n_hub_flop}")
    print(f"evidence release_date_source: {dict(sorted(date_sources.items()))}")
    print(f"METR human-baseline rows dropped: {n_human}")
    print("checks passed: unique keys, evidence models dated, slugs covered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
