"""Column specifications of every evidence table: the single source of truth.

The loaders in :mod:`riskmodel.evidence.loaders` validate files against these specs,
and :func:`render_markdown_table` turns them into the column tables of
``docs/evidence_format.md``, so the documentation cannot drift from what is enforced.

Six tables ship with the package in ``data/`` (``benchmarks.csv``, ``harnesses.csv``,
``models.csv``, ``benchmark_results.csv``, ``task_runs.csv``, ``time_horizons.csv``).
A seventh format, :data:`RESEARCHER_EVIDENCE`, is the long CSV a researcher writes to add
evidence.

Format version 2 (issue 11, ``/work/notes/contract.md``) appended columns to ``models``,
``benchmark_results`` and ``task_runs`` (listed in :data:`V2_COLUMNS`), added the
``harnesses`` and ``time_horizons`` tables, the ``computer_use`` domain, and made
``effort`` part of the key of a benchmark result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ColumnSpec",
    "TableSpec",
    "DTYPES",
    "MIN_DATE",
    "FLOP_PLAUSIBLE_MIN",
    "FLOP_PLAUSIBLE_MAX",
    "SLUG_PATTERN",
    "FLOP_CONFIDENCE_LEVELS",
    "BENCHMARK_DOMAINS",
    "BENCHMARK_KINDS",
    "DEFAULT_HARNESS",
    "HARNESS_KINDS",
    "EFFORT_PATTERN",
    "SCORE_UNITS",
    "COMPUTE_NOTES",
    "EPOCH_LISTS",
    "HORIZON_VERSIONS",
    "HORIZON_SOURCES",
    "REASONING_CUTOFF",
    "MODELS",
    "BENCHMARK_RESULTS",
    "TASK_RUNS",
    "BENCHMARKS",
    "HARNESSES",
    "TIME_HORIZONS",
    "RESEARCHER_EVIDENCE",
    "SHIPPED_TABLES",
    "V2_COLUMNS",
    "MODEL_LEVEL_COLUMNS",
    "BENCHMARK_DECLARATION_COLUMNS",
    "HARNESS_DECLARATION_COLUMNS",
    "render_markdown_table",
    "format_number",
]

Dtype = Literal["str", "float", "int", "bool", "date", "enum"]

#: Cell types a column may have, with the text that documents each.
DTYPES: dict[str, str] = {
    "str": "text",
    "float": "number",
    "int": "integer",
    "bool": "`true`/`false`",
    "date": "date `YYYY-MM-DD`",
    "enum": "one of a fixed set",
}

#: Earliest release date accepted anywhere (ISO format).
MIN_DATE = "1950-01-01"
#: Smallest plausible training compute in FLOP; smaller values are probably in other units.
FLOP_PLAUSIBLE_MIN = 1e15
#: Largest plausible training compute in FLOP.
FLOP_PLAUSIBLE_MAX = 1e30
#: Benchmark slugs: lower-case letter first, then lower-case letters, digits and ``_``.
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
#: How sure the training-compute estimate is (Epoch AI's vocabulary plus two of ours).
FLOP_CONFIDENCE_LEVELS = ("confident", "likely", "speculative", "derived", "unknown")
BENCHMARK_DOMAINS = (
    "general",
    "reasoning",
    "math",
    "code",
    "cyber",
    "software",
    "computer_use",
)
BENCHMARK_KINDS = ("aggregate", "tasks", "both")
#: Harness name given to researcher results that do not name one (declared in harnesses.csv).
DEFAULT_HARNESS = "researcher"
#: How a harness runs the model: few-shot prompting of a base model, a chat model answering
#: directly, or an agent scaffold with tools and several steps.
HARNESS_KINDS = ("base_few_shot", "chat", "agent")
#: Reasoning effort or thinking budget: lower-case letters, digits and ``_``; empty = default.
EFFORT_PATTERN = r"^[a-z0-9_]*$"
#: Units a researcher may write scores in (``percent`` is divided by 100 on loading).
SCORE_UNITS = ("fraction", "percent")
#: Epoch AI's verdict on training compute versus 1e25 FLOP where it gives no number.
COMPUTE_NOTES = ("likely_above", "possibly_above", "unlikely_above")
#: Epoch AI's model lists a ``models.csv`` row can be on (``epoch_lists``, ``;``-separated).
EPOCH_LISTS = ("notable", "large_scale")
#: Versions of METR's time-horizon methodology.
HORIZON_VERSIONS = ("1.0", "1.1")
#: Where a time horizon comes from: METR's own file or the Epoch AI Benchmarking Hub copy.
HORIZON_SOURCES = ("metr_file", "epoch_hub")
#: Release of o1-preview (OpenAI, "Learning to reason with LLMs"), the first model trained
#: with reinforcement learning for long chains of thought; earlier models are not.
REASONING_CUTOFF = "2024-09-12"
_EPOCH_LISTS_PATTERN = "^(?:{0})(?:;(?:{0}))*$".format("|".join(EPOCH_LISTS))


@dataclass(frozen=True)
class ColumnSpec:
    """One column of an evidence table.

    Parameters
    ----------
    name
        Column name as it appears in the CSV header (lower case).
    dtype
        Cell type: ``str``, ``float``, ``int``, ``bool``, ``date`` or ``enum``.
    description
        What the column means, for the documentation.
    required
        Whether the column must appear in the header.
    nonempty
        Whether every cell must be filled in.
    unit
        Unit of numeric values (``"FLOP"``, ``"2023 USD"``, ``"minutes"``...), if any.
    allowed
        For ``enum`` columns, the accepted values.
    minimum, maximum
        Bounds of numeric values; ``None`` means unbounded.
    min_exclusive, max_exclusive
        Whether the bound itself is excluded.
    default
        What an empty cell means, for the documentation.
    requirement
        Text that replaces ``yes``/``no`` in the documentation's *Required* column
        (for conditionally required columns).
    pattern
        Regular expression that text values must match in full, if any.
    range_note
        Text that replaces the generated allowed values or range in the documentation
        (for columns whose range depends on another column).
    """

    name: str
    dtype: Dtype
    description: str
    required: bool = True
    nonempty: bool = False
    unit: str | None = None
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_exclusive: bool = False
    max_exclusive: bool = False
    default: str | None = None
    requirement: str | None = None
    pattern: str | None = None
    range_note: str | None = None

    def range_text(self) -> str:
        """Human-readable allowed values or range, e.g. ``"> 0"`` or ``"[0, 1)"``."""
        if self.range_note is not None:
            return self.range_note
        if self.allowed is not None:
            return ", ".join(f"`{v}`" for v in self.allowed)
        if self.pattern is not None:
            return f"matches `{self.pattern}`"
        if self.dtype == "bool":
            return "`true`, `false`"
        if self.dtype == "date":
            return f"{MIN_DATE} to today"
        lo, hi = self.minimum, self.maximum
        if lo is None and hi is None:
            return ""
        if hi is None:
            return f"{'>' if self.min_exclusive else '>='} {_num(lo)}"
        if lo is None:
            return f"{'<' if self.max_exclusive else '<='} {_num(hi)}"
        left = "(" if self.min_exclusive else "["
        right = ")" if self.max_exclusive else "]"
        return f"{left}{_num(lo)}, {_num(hi)}{right}"


@dataclass(frozen=True)
class TableSpec:
    """A CSV table: its columns, its unique key and its file name.

    Parameters
    ----------
    name
        Short name (``"models"``, ``"benchmark_results"``...).
    filename
        File name in the data directory (empty for the researcher format).
    description
        One sentence on what a row is.
    columns
        Column specs in canonical order.
    key
        Columns whose values must be unique together.
    """

    name: str
    filename: str
    description: str
    columns: tuple[ColumnSpec, ...]
    key: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Column names in canonical order."""
        return tuple(c.name for c in self.columns)

    @property
    def required_names(self) -> tuple[str, ...]:
        """Names of the columns that must appear in the header."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> ColumnSpec:
        """Return the spec of column ``name`` (``KeyError`` if absent)."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def format_number(x: float | None) -> str:
    """Short text for a number: ``1`` for 1.0, ``0.25``, ``1e15`` (not ``1e+15``)."""
    if x is None:
        return ""
    if float(x).is_integer() and abs(x) < 1e6:
        return str(int(x))
    text = f"{x:g}"
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m[1] == "-" else "") + m[2], text)


_num = format_number


_FLOP_DESC = (
    "Total training compute in plain FLOP (floating-point operations), e.g. `3.8e25`. "
    "Not petaFLOP, not units of 1e21 FLOP: values below 1e15 are rejected as probably "
    "in the wrong unit."
)

_EFFORT = ColumnSpec(
    "effort",
    "str",
    "Reasoning effort or thinking budget as evaluated, lower case (`low`, `medium`, "
    "`high`, `minimal`, `16k`, `32k`, `unknown`...). Part of the key: one model may have "
    "one result per effort.",
    pattern=EFFORT_PATTERN,
    default="the model's default setting (or not applicable)",
)

_SCORE_SE = ColumnSpec(
    "score_se",
    "float",
    "Standard error of `score` as the source gives it.",
    unit="fraction",
    minimum=0.0,
    maximum=1.0,
    default="none given",
)

MODELS = TableSpec(
    name="models",
    filename="models.csv",
    description="One row per model: release date, training compute and provenance.",
    key=("model",),
    columns=(
        ColumnSpec("model", "str", "Unique model identifier.", nonempty=True),
        ColumnSpec("organization", "str", "Developer of the model."),
        ColumnSpec(
            "release_date",
            "date",
            "Public release date. May be empty only for models with no evidence rows.",
        ),
        ColumnSpec(
            "training_flop",
            "float",
            "Total training compute in plain FLOP (floating-point operations). Historic "
            "models can be tiny, so the 1e15 floor of researcher files does not apply.",
            unit="FLOP",
            minimum=0.0,
            maximum=FLOP_PLAUSIBLE_MAX,
            min_exclusive=True,
            default="unknown",
        ),
        ColumnSpec(
            "flop_confidence",
            "enum",
            "How sure the training-compute estimate is.",
            allowed=FLOP_CONFIDENCE_LEVELS,
            nonempty=True,
        ),
        ColumnSpec(
            "training_cost_usd",
            "float",
            "Training cost in 2023 US dollars.",
            unit="2023 USD",
            minimum=0.0,
            min_exclusive=True,
            default="unknown",
        ),
        ColumnSpec("open_weights", "bool", "Whether the weights are public.", nonempty=True),
        ColumnSpec("base_model", "str", "Model this one was fine-tuned from, if any."),
        ColumnSpec(
            "finetune_flop",
            "float",
            "Compute spent on fine-tuning on top of `base_model`, in plain FLOP; values "
            "below 1e15 are rejected as probably in the wrong unit.",
            unit="FLOP",
            minimum=FLOP_PLAUSIBLE_MIN,
            maximum=FLOP_PLAUSIBLE_MAX,
            default="unknown",
        ),
        ColumnSpec(
            "frontier",
            "bool",
            "Whether the model was among the largest training runs when released "
            "(Epoch AI's frontier flag); shifts its expected FLOP in the compute trend.",
            nonempty=True,
        ),
        ColumnSpec("domain", "str", "Model domain (e.g. `language`)."),
        ColumnSpec("epoch_name", "str", "Name of the model in Epoch AI's database."),
        ColumnSpec("release_date_source", "str", "Where the release date comes from."),
        ColumnSpec("source", "str", "Where the compute figure comes from."),
        ColumnSpec(
            "reasoning_trained",
            "bool",
            "Whether the model was trained with reinforcement learning for reasoning "
            "(o1-style long chains of thought). Models released before o1-preview "
            f"({REASONING_CUTOFF}) are `false`; later models are `true` or `false` only "
            "from a cited source.",
            default="unknown",
        ),
        ColumnSpec(
            "reasoning_source",
            "str",
            "Citation for `reasoning_trained`.",
            requirement="column yes, value when `reasoning_trained` is `true`",
        ),
        ColumnSpec(
            "compute_note_vs_1e25",
            "enum",
            "Epoch AI's verdict on the training compute versus 1e25 FLOP where it gives no number.",
            allowed=COMPUTE_NOTES,
            default="no verdict",
        ),
        ColumnSpec(
            "epoch_lists",
            "str",
            "Epoch AI lists the model is on, `;`-separated (`notable`, `large_scale`).",
            pattern=_EPOCH_LISTS_PATTERN,
            default="on neither list",
            range_note="`notable`, `large_scale`, or both separated by `;`",
        ),
    ),
)

BENCHMARK_RESULTS = TableSpec(
    name="benchmark_results",
    filename="benchmark_results.csv",
    description=("One row per (model, benchmark, harness, effort): an aggregate benchmark result."),
    key=("model", "benchmark", "harness", "effort"),
    columns=(
        ColumnSpec("model", "str", "Model identifier, as in `models.csv`.", nonempty=True),
        ColumnSpec("benchmark", "str", "Benchmark slug, as in `benchmarks.csv`.", nonempty=True),
        ColumnSpec(
            "n_attempted",
            "int",
            "Number of tasks attempted.",
            unit="tasks",
            minimum=1,
            requirement="with `n_solved`, or give `score`",
        ),
        ColumnSpec(
            "n_solved",
            "int",
            "Number of tasks solved.",
            unit="tasks",
            minimum=0,
            requirement="with `n_attempted`, or give `score`",
        ),
        ColumnSpec(
            "score",
            "float",
            "Fraction solved (not a percentage).",
            unit="fraction",
            minimum=0.0,
            maximum=1.0,
            requirement="unless both counts are given",
        ),
        ColumnSpec(
            "harness",
            "str",
            "Evaluation harness (scaffold or setting), a slug declared in `harnesses.csv`.",
            nonempty=True,
        ),
        ColumnSpec("source", "str", "Where the result comes from."),
        _EFFORT,
        _SCORE_SE,
        ColumnSpec(
            "result_date",
            "date",
            "When the result became public (hub run date, leaderboard date, system card, "
            "paper); on or after the model's `release_date`.",
            nonempty=True,
        ),
    ),
)

TASK_RUNS = TableSpec(
    name="task_runs",
    filename="task_runs.csv",
    description="One row per (model, task, run): a single attempt at a timed task.",
    key=("model", "task_id", "run"),
    columns=(
        ColumnSpec("model", "str", "Model identifier, as in `models.csv`.", nonempty=True),
        ColumnSpec("benchmark", "str", "Task-suite slug, as in `benchmarks.csv`.", nonempty=True),
        ColumnSpec("task_id", "str", "Task identifier within the suite.", nonempty=True),
        ColumnSpec("task_family", "str", "Family of related tasks."),
        ColumnSpec("run", "int", "Run number.", minimum=1, nonempty=True),
        ColumnSpec(
            "success",
            "int",
            "1 if the run succeeded, 0 otherwise.",
            minimum=0,
            maximum=1,
            nonempty=True,
        ),
        ColumnSpec(
            "human_minutes",
            "float",
            "Time a skilled human needs for the task.",
            unit="minutes",
            minimum=0.0,
            min_exclusive=True,
            nonempty=True,
        ),
        ColumnSpec("human_source", "str", "Where the human time comes from."),
        ColumnSpec("source", "str", "Where the run comes from."),
        ColumnSpec(
            "harness",
            "str",
            "Agent scaffold the run used, a slug declared in `harnesses.csv`.",
            nonempty=True,
        ),
        ColumnSpec(
            "result_date",
            "date",
            "When the run became public; on or after the model's `release_date`.",
            nonempty=True,
        ),
    ),
)

HARNESSES = TableSpec(
    name="harnesses",
    filename="harnesses.csv",
    description="The harness registry: one row per evaluation harness (scaffold or setting).",
    key=("slug",),
    columns=(
        ColumnSpec(
            "slug",
            "str",
            "Identifier: lower-case letter, then lower-case letters, digits or `_`. For "
            "agents with a step budget the budget is part of the slug (`..._50_steps`).",
            nonempty=True,
            pattern=SLUG_PATTERN.pattern,
        ),
        ColumnSpec("name", "str", "Display name.", nonempty=True),
        ColumnSpec(
            "kind",
            "enum",
            "How the model is run: few-shot prompts to a base model, a chat model "
            "answering directly, or an agent scaffold with tools and several steps.",
            allowed=HARNESS_KINDS,
            nonempty=True,
        ),
        ColumnSpec("description", "str", "What the harness does (prompting, tools, limits)."),
        ColumnSpec("source", "str", "Reference for the harness."),
    ),
)

TIME_HORIZONS = TableSpec(
    name="time_horizons",
    filename="time_horizons.csv",
    description="One row per (model, horizon_version): a METR time horizon.",
    key=("model", "horizon_version"),
    columns=(
        ColumnSpec("model", "str", "Model identifier, as in `models.csv`.", nonempty=True),
        ColumnSpec(
            "horizon_version",
            "enum",
            "Version of METR's task suite and method.",
            allowed=HORIZON_VERSIONS,
            nonempty=True,
        ),
        ColumnSpec(
            "p50_minutes",
            "float",
            "Length (in skilled-human time) of the tasks the model completes with 50 % "
            "probability.",
            unit="minutes",
            minimum=0.0,
            min_exclusive=True,
            nonempty=True,
        ),
        ColumnSpec(
            "p50_ci_low",
            "float",
            "Lower end of the 95 % interval of `p50_minutes`; at most `p50_minutes`.",
            unit="minutes",
            minimum=0.0,
            default="unknown",
        ),
        ColumnSpec(
            "p50_ci_high",
            "float",
            "Upper end of the 95 % interval of `p50_minutes`; at least `p50_minutes`.",
            unit="minutes",
            minimum=0.0,
            default="unknown",
        ),
        ColumnSpec(
            "p80_minutes",
            "float",
            "Task length completed with 80 % probability; at most `p50_minutes`.",
            unit="minutes",
            minimum=0.0,
            min_exclusive=True,
            default="unknown",
        ),
        ColumnSpec(
            "average_score",
            "float",
            "Average success rate over the task suite.",
            unit="fraction",
            minimum=0.0,
            maximum=1.0,
            default="unknown",
        ),
        ColumnSpec(
            "result_date",
            "date",
            "When METR (or the hub) published the horizon; on or after the model's `release_date`.",
            nonempty=True,
        ),
        ColumnSpec(
            "source",
            "enum",
            "`metr_file`: METR's own file; `epoch_hub`: the Epoch AI Benchmarking Hub copy "
            "(version 1.1 uses the hub where it has the model).",
            allowed=HORIZON_SOURCES,
            nonempty=True,
        ),
    ),
)

BENCHMARKS = TableSpec(
    name="benchmarks",
    filename="benchmarks.csv",
    description="The benchmark registry: one row per benchmark.",
    key=("slug",),
    columns=(
        ColumnSpec(
            "slug",
            "str",
            "Identifier: lower-case letter, then lower-case letters, digits or `_`.",
            nonempty=True,
            pattern=SLUG_PATTERN.pattern,
        ),
        ColumnSpec("name", "str", "Display name.", nonempty=True),
        ColumnSpec("description", "str", "What the benchmark measures."),
        ColumnSpec(
            "domain", "enum", "Capability domain.", allowed=BENCHMARK_DOMAINS, nonempty=True
        ),
        ColumnSpec(
            "chance",
            "float",
            "Score expected from random guessing.",
            unit="fraction",
            minimum=0.0,
            maximum=1.0,
            max_exclusive=True,
            nonempty=True,
        ),
        ColumnSpec(
            "n_tasks",
            "int",
            "Number of tasks in the benchmark.",
            unit="tasks",
            minimum=1,
            nonempty=True,
        ),
        ColumnSpec(
            "kind",
            "enum",
            "Whether results are aggregate scores, per-task runs, or both.",
            allowed=BENCHMARK_KINDS,
            nonempty=True,
        ),
        ColumnSpec("source", "str", "Reference for the benchmark."),
    ),
)

RESEARCHER_EVIDENCE = TableSpec(
    name="researcher_evidence",
    filename="",
    description=(
        "Long format: one row per (model, benchmark, harness, effort) result, with the "
        "model's details repeated (or left empty) on each row."
    ),
    key=("model", "benchmark", "harness", "effort"),
    columns=(
        ColumnSpec(
            "model",
            "str",
            "Model identifier. Use the name in `models.csv` to add results to a "
            "shipped model, or a new name (e.g. `lab/model-1`) for a new model.",
            nonempty=True,
        ),
        ColumnSpec(
            "release_date",
            "date",
            "Public release date of the model; not in the future.",
            nonempty=True,
        ),
        ColumnSpec(
            "benchmark",
            "str",
            "Benchmark slug from the registry (`riskmodel benchmarks` lists them), or a "
            "new slug declared with the `benchmark_*` columns.",
            nonempty=True,
        ),
        ColumnSpec(
            "n_attempted",
            "int",
            "Number of tasks attempted.",
            unit="tasks",
            minimum=1,
            required=False,
            requirement="with `n_solved`, or give `score`",
        ),
        ColumnSpec(
            "n_solved",
            "int",
            "Number of tasks solved; at most `n_attempted`.",
            unit="tasks",
            minimum=0,
            required=False,
            requirement="with `n_attempted`, or give `score`",
        ),
        ColumnSpec(
            "score",
            "float",
            "Fraction solved, between 0 and 1, or a percentage between 0 and 100 if "
            "`score_unit` is `percent`. If the counts are given too it must agree with "
            "`n_solved / n_attempted` to within `0.5 / n_attempted`.",
            unit="fraction (or percent, see `score_unit`)",
            minimum=0.0,
            required=False,
            requirement="unless both counts are given",
            range_note="[0, 1]; percent: 0 or (1, 100]",
        ),
        ColumnSpec("organization", "str", "Developer of the model.", required=False),
        ColumnSpec(
            "training_flop",
            "float",
            _FLOP_DESC + " Values above 1e30 are rejected as implausible.",
            unit="FLOP",
            minimum=FLOP_PLAUSIBLE_MIN,
            maximum=FLOP_PLAUSIBLE_MAX,
            required=False,
            default="unknown",
        ),
        ColumnSpec(
            "flop_confidence",
            "enum",
            "How sure the training-compute estimate is.",
            allowed=FLOP_CONFIDENCE_LEVELS,
            required=False,
            default="`likely` if `training_flop` is given, else `unknown`",
        ),
        ColumnSpec(
            "open_weights",
            "bool",
            "Whether the weights are public.",
            required=False,
            default="`false`",
        ),
        ColumnSpec(
            "training_cost_usd",
            "float",
            "Training cost in 2023 US dollars.",
            unit="2023 USD",
            minimum=0.0,
            min_exclusive=True,
            required=False,
            default="unknown",
        ),
        ColumnSpec(
            "frontier",
            "bool",
            "Whether the model was among the largest training runs when released "
            "(Epoch AI's frontier flag). Used for new models only.",
            required=False,
            default="`false`",
        ),
        ColumnSpec(
            "harness",
            "str",
            "Evaluation harness (scaffold or setting), a slug from the harness registry "
            "(`riskmodel benchmarks --harnesses` lists them) or a new slug declared with "
            "the `harness_*` columns; distinguishes several results of one model on one "
            "benchmark.",
            required=False,
            default=f"`{DEFAULT_HARNESS}`",
        ),
        ColumnSpec(
            "source",
            "str",
            "Where the result comes from (paper, URL, eval log).",
            required=False,
            default="the file name",
        ),
        ColumnSpec(
            "benchmark_name",
            "str",
            "Display name of a new benchmark.",
            required=False,
            default="the slug",
        ),
        ColumnSpec(
            "benchmark_description",
            "str",
            "What a new benchmark measures.",
            required=False,
            default="empty",
        ),
        ColumnSpec(
            "benchmark_domain",
            "enum",
            "Capability domain of a new benchmark.",
            allowed=BENCHMARK_DOMAINS,
            required=False,
            default="`general`",
        ),
        ColumnSpec(
            "benchmark_chance",
            "float",
            "Score expected from random guessing on a new benchmark.",
            unit="fraction",
            minimum=0.0,
            maximum=1.0,
            max_exclusive=True,
            required=False,
            requirement="for a new benchmark",
        ),
        ColumnSpec(
            "benchmark_n_tasks",
            "int",
            "Number of tasks in a new benchmark.",
            unit="tasks",
            minimum=1,
            required=False,
            requirement="for a new benchmark",
        ),
        ColumnSpec(
            "effort",
            "str",
            _EFFORT.description,
            required=False,
            pattern=EFFORT_PATTERN,
            default=_EFFORT.default,
        ),
        ColumnSpec(
            "score_se",
            "float",
            "Standard error of `score` as the source gives it, in the unit of `score` "
            "(`score_unit`).",
            unit="fraction (or percent, see `score_unit`)",
            minimum=0.0,
            required=False,
            default="none given",
            range_note="[0, 1]; percent: [0, 100]",
        ),
        ColumnSpec(
            "result_date",
            "date",
            "When the result became public; not before the model's `release_date`.",
            required=False,
            default="the model's `release_date`",
        ),
        ColumnSpec(
            "score_unit",
            "enum",
            "Unit of `score` and `score_se` on this row. Percentages are divided by 100.",
            allowed=SCORE_UNITS,
            required=False,
            default="`fraction`",
        ),
        ColumnSpec(
            "reasoning_trained",
            "bool",
            "Whether the model was trained with reinforcement learning for reasoning "
            "(o1-style long chains of thought).",
            required=False,
            default="unknown",
        ),
        ColumnSpec(
            "reasoning_source",
            "str",
            "Citation for `reasoning_trained`.",
            required=False,
            requirement="when `reasoning_trained` is `true`",
        ),
        ColumnSpec(
            "harness_name",
            "str",
            "Display name of a new harness.",
            required=False,
            default="the slug",
        ),
        ColumnSpec(
            "harness_kind",
            "enum",
            "How a new harness runs the model.",
            allowed=HARNESS_KINDS,
            required=False,
            requirement="for a new harness",
        ),
        ColumnSpec(
            "harness_description",
            "str",
            "What a new harness does (prompting, tools, limits).",
            required=False,
            default="empty",
        ),
    ),
)

#: The tables shipped in ``data/``, in loading order.
SHIPPED_TABLES: tuple[TableSpec, ...] = (
    BENCHMARKS,
    HARNESSES,
    MODELS,
    BENCHMARK_RESULTS,
    TASK_RUNS,
    TIME_HORIZONS,
)

#: Columns added by format version 2, per table (appended after the older columns).
V2_COLUMNS: dict[str, tuple[str, ...]] = {
    "models": ("reasoning_trained", "reasoning_source", "compute_note_vs_1e25", "epoch_lists"),
    "benchmark_results": ("effort", "score_se", "result_date"),
    "task_runs": ("harness", "result_date"),
}

#: Researcher columns describing the model rather than the result.
MODEL_LEVEL_COLUMNS: tuple[str, ...] = (
    "release_date",
    "organization",
    "training_flop",
    "flop_confidence",
    "open_weights",
    "training_cost_usd",
    "frontier",
    "reasoning_trained",
    "reasoning_source",
)

#: Researcher columns declaring a benchmark, mapped to registry columns.
BENCHMARK_DECLARATION_COLUMNS: dict[str, str] = {
    "benchmark_name": "name",
    "benchmark_description": "description",
    "benchmark_domain": "domain",
    "benchmark_chance": "chance",
    "benchmark_n_tasks": "n_tasks",
}

#: Researcher columns declaring a harness, mapped to registry columns.
HARNESS_DECLARATION_COLUMNS: dict[str, str] = {
    "harness_name": "name",
    "harness_kind": "kind",
    "harness_description": "description",
}


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown_table(spec: TableSpec) -> str:
    """Render the column table of ``spec`` as GitHub-flavoured markdown.

    Parameters
    ----------
    spec
        The table to document.

    Returns
    -------
    str
        A markdown table, one line per column, ending with a newline.
    """
    lines = [
        "| Column | Type | Required | Unit | Allowed values | Empty means | Description |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in spec.columns:
        if c.requirement is not None:
            req = c.requirement
        elif c.required and c.nonempty:
            req = "yes"
        elif c.required:
            req = "column yes, value may be empty"
        else:
            req = "no"
        empty = c.default or ("not allowed" if c.nonempty else "")
        cells = [
            f"`{c.name}`",
            DTYPES[c.dtype],
            req,
            c.unit or "",
            c.range_text(),
            empty,
            c.description,
        ]
        lines.append("| " + " | ".join(_md_escape(x) for x in cells) + " |")
    return "\n".join(lines) + "\n"
