"""Static metadata of every benchmark slug (written to data/benchmarks.csv).

Item counts and chance rates are documented in data/SOURCES.md; counts that the data can
check (k/n scores) are checked by the source modules.
"""

from __future__ import annotations

from dataclasses import dataclass

CYBENCH_SLUG = "cybench"
CYBENCH_GUIDED_SLUG = "cybench_guided"
CYBENCH_N_TASKS = 40
METR_SUITE_REBENCH = "rebench"
METR_SUITE_HCAST = "hcast"
# Task counts of the Epoch hub benchmarks (see BENCHMARKS sources).
GPQA_DIAMOND_N = 198
SWE_BENCH_VERIFIED_N = 500
FRONTIERMATH_N = 290
TERMINAL_BENCH_2_N = 89
OSWORLD_N = 369

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
        One of general, reasoning, math, code, cyber, software, computer_use.
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
    "gpqa_diamond": BenchmarkInfo(
        "GPQA Diamond",
        "The 198 highest-quality four-option graduate-level science questions of GPQA, "
        "written to be Google-proof.",
        "general",
        0.25,
        GPQA_DIAMOND_N,
        "Rein et al. 2023, arXiv 2311.12022 (Diamond subset: 198 questions); runs by Epoch AI "
        "Benchmarking Hub",
    ),
    "swe_bench_verified": BenchmarkInfo(
        "SWE-bench Verified",
        "Human-validated subset of SWE-bench: resolve a real GitHub issue in a Python "
        "repository so that the hidden tests pass.",
        "software",
        0.0,
        SWE_BENCH_VERIFIED_N,
        "Jimenez et al. 2023, arXiv 2310.06770; OpenAI, Introducing SWE-bench Verified "
        "(2024-08-13; 500 tasks); runs by Epoch AI Benchmarking Hub",
    ),
    "frontiermath": BenchmarkInfo(
        "FrontierMath (tiers 1-3)",
        "Unpublished research-level mathematics problems with automatically verifiable "
        "answers, tiers 1 to 3.",
        "math",
        0.0,
        FRONTIERMATH_N,
        "Glazer et al. 2024, arXiv 2411.04872; Epoch AI Benchmarking Hub (290 tier 1-3 "
        "problems, confirmed by the data: scores are multiples of 1/290)",
    ),
    "terminal_bench_2": BenchmarkInfo(
        "Terminal-Bench 2.0",
        "Hard, realistic tasks completed by an agent in a terminal sandbox (model-agent "
        "pairs; harness = agent).",
        "software",
        0.0,
        TERMINAL_BENCH_2_N,
        "Terminal-Bench team, Terminal-Bench 2.0 leaderboard (tbench.ai; 89 tasks); via Epoch "
        "AI Benchmarking Hub",
    ),
    "osworld": BenchmarkInfo(
        "OSWorld",
        "Open-ended computer tasks in real desktop operating systems and applications, "
        "checked by execution-based scripts.",
        "computer_use",
        0.0,
        OSWORLD_N,
        "Xie et al. 2024, arXiv 2404.07972 (369 tasks); OSWorld leaderboard "
        "(os-world.github.io) via Epoch AI Benchmarking Hub",
    ),
}
