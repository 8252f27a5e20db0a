"""Tests of the evidence layer: shipped tables, researcher files, the Evidence container."""

from __future__ import annotations

import csv
import dataclasses
import io
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from riskmodel.errors import EvidenceError
from riskmodel.evidence import (
    DATA_DIR,
    Evidence,
    benchmark_rows,
    default_data_dir,
    format_benchmark_table,
    format_harness_table,
    harness_rows,
    load_benchmark_registry,
    load_evidence,
    load_evidence_csv,
    load_harness_registry,
    load_shipped_evidence,
)
from riskmodel.evidence.schema import (
    DEFAULT_HARNESS,
    REASONING_CUTOFF,
    RESEARCHER_EVIDENCE,
    SHIPPED_TABLES,
    V2_COLUMNS,
    render_markdown_table,
)

REPO = Path(__file__).resolve().parent.parent

# --------------------------------------------------------------------------- fixtures
BENCHMARKS_CSV = """\
slug,name,description,domain,chance,n_tasks,kind,source
mmlu,MMLU,Multiple-choice questions on 57 subjects,general,0.25,14042,aggregate,Hendrycks 2021
gpqa_diamond,GPQA Diamond,"Graduate-level science, hard",reasoning,0.25,198,aggregate,Rein 2023
hcast,HCAST,Timed software tasks,software,0,100,tasks,METR 2025
osworld,OSWorld,Computer-use tasks in a desktop,computer_use,0,369,aggregate,Xie 2024
"""

HARNESSES_CSV = """\
slug,name,kind,description,source
paper,As reported in the paper,chat,Numbers from the developer's report,papers
simple_evals,simple-evals,chat,"Zero-shot chat prompts, OpenAI simple-evals",OpenAI
metr_agent,METR agent,agent,METR's modular agent,METR 2025
agent_s_50_steps,Agent S (50 steps),agent,Agent S scaffold with a 50-step budget,Simular
researcher,Researcher file,chat,Results from researcher files that name no harness,riskmodel
"""

MODELS_CSV = """\
model,organization,release_date,training_flop,flop_confidence,training_cost_usd,open_weights,\
base_model,finetune_flop,frontier,domain,epoch_name,release_date_source,source,\
reasoning_trained,reasoning_source,compute_note_vs_1e25,epoch_lists
model-a,LabA,2023-03-14,2.1e25,likely,1e8,false,,,true,Language,Model A,blog,epoch,\
false,released before o1-preview (2024-09-12),likely_above,notable;large_scale
model-b,LabB,2024-06-01,,unknown,,true,,,true,Language,,blog,epoch,,,,notable
model-c,LabC,,,unknown,,false,,,false,Vision,,,,,,,
model-d,LabA,2024-12-05,,unknown,,false,,,true,Language,,blog,hub,true,LabA system card,,
"""

RESULTS_CSV = """\
model,benchmark,n_attempted,n_solved,score,harness,source,effort,score_se,result_date
model-a,mmlu,,,0.864,paper,report,,,2023-03-14
model-b,gpqa_diamond,198,100,,simple_evals,leaderboard,,0.035,2024-07-01
model-a,gpqa_diamond,198,70,0.3535,simple_evals,leaderboard,,,2023-04-01
model-d,gpqa_diamond,,,0.78,simple_evals,leaderboard,high,0.029,2024-12-20
model-d,gpqa_diamond,,,0.70,simple_evals,leaderboard,low,,2024-12-20
model-d,osworld,,,0.25,agent_s_50_steps,osworld leaderboard,,,2025-01-10
"""

TASK_RUNS_CSV = """\
model,benchmark,task_id,task_family,run,success,human_minutes,human_source,source,harness,\
result_date
model-a,hcast,t1,fam1,1,1,5.5,baseline,metr,metr_agent,2025-03-19
model-a,hcast,t1,fam1,2,0,5.5,baseline,metr,metr_agent,2025-03-19
model-b,hcast,t2,fam2,1,1,30,estimate,metr,metr_agent,2024-08-01
"""

TIME_HORIZONS_CSV = """\
model,horizon_version,p50_minutes,p50_ci_low,p50_ci_high,p80_minutes,average_score,result_date,\
source
model-a,1.0,8.5,4,15,2,0.3,2025-03-19,metr_file
model-b,1.0,30,15,60,7,0.5,2025-03-19,metr_file
model-b,1.1,35,18,70,,0.52,2026-01-30,epoch_hub
"""

SHIPPED = {
    "benchmarks.csv": BENCHMARKS_CSV,
    "harnesses.csv": HARNESSES_CSV,
    "models.csv": MODELS_CSV,
    "benchmark_results.csv": RESULTS_CSV,
    "task_runs.csv": TASK_RUNS_CSV,
    "time_horizons.csv": TIME_HORIZONS_CSV,
}

HEADER = [
    "model",
    "release_date",
    "benchmark",
    "n_attempted",
    "n_solved",
    "score",
    "organization",
    "training_flop",
    "flop_confidence",
    "open_weights",
    "harness",
    "source",
]

GOOD_ROWS = [
    {
        "model": "lab/new-1",
        "release_date": "2025-03-01",
        "benchmark": "mmlu",
        "score": "0.9",
        "organization": "Lab",
        "training_flop": "3e26",
    },
    {
        "model": "lab/new-1",
        "release_date": "2025-03-01",
        "benchmark": "gpqa_diamond",
        "n_attempted": "198",
        "n_solved": "120",
        "score": "0.606",
    },
    {"model": "model-b", "release_date": "2024-06-01", "benchmark": "mmlu", "score": "0.7"},
]


def write_shipped(directory: Path, **override: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in {**SHIPPED, **override}.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def make_csv(rows: list[dict[str, str]], header: list[str] = HEADER) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in header})
    return buf.getvalue()


@pytest.fixture
def shipped_dir(tmp_path: Path) -> Path:
    return write_shipped(tmp_path / "data")


@pytest.fixture
def base(shipped_dir: Path) -> Evidence:
    return load_shipped_evidence(shipped_dir)


@pytest.fixture(scope="module")
def module_base(tmp_path_factory: pytest.TempPathFactory) -> Evidence:
    return load_shipped_evidence(write_shipped(tmp_path_factory.mktemp("data")))


def write(tmp_path: Path, text: str | bytes, name: str = "evidence.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def expect_error(
    path: Path, base: Evidence, *, line: int | None, column: str | None, contains: tuple = ()
) -> EvidenceError:
    with pytest.raises(EvidenceError) as info:
        load_evidence_csv(path, base=base)
    err = info.value
    assert err.file == str(path)
    assert str(path) in str(err)
    assert err.row == line, str(err)
    assert err.column == column, str(err)
    if line is not None:
        assert f"line {line}" in str(err)
    if column is not None:
        assert f"column '{column}'" in str(err)
    for fragment in contains:
        assert fragment in str(err), str(err)
    return err


def with_cell(row: int, column: str, value: str) -> list[dict[str, str]]:
    rows = [dict(r) for r in GOOD_ROWS]
    rows[row][column] = value
    return rows


# --------------------------------------------------------------------------- shipped tables
def test_shipped_fixture_loads_with_canonical_dtypes(base: Evidence) -> None:
    models = base.models
    assert models.index.name == "model"
    assert str(models["release_date"].dtype) == "datetime64[ns]"
    assert models["training_flop"].dtype == np.float64
    assert models["open_weights"].dtype == bool
    assert models["frontier"].dtype == bool
    assert np.isnan(models.at["model-b", "training_flop"])
    assert pd.isna(models.at["model-c", "release_date"])
    assert base.benchmarks.index.name == "slug"
    assert base.benchmarks["n_tasks"].dtype == np.int64
    res = base.results.set_index(["model", "benchmark"])
    # score-only: n_tasks from the registry, n_solved_effective = round(score * n_tasks)
    assert res.loc[("model-a", "mmlu"), "n_tasks"] == 14042
    assert res.loc[("model-a", "mmlu"), "n_solved_effective"] == round(0.864 * 14042)
    assert res.loc[("model-b", "gpqa_diamond"), "n_solved_effective"] == 100
    assert base.results["n_tasks"].dtype == np.int64
    assert len(base.task_runs) == 3
    assert base.task_runs["success"].dtype == np.int64
    assert len(base.sources) == 6


def test_shipped_format_2_columns_and_tables(base: Evidence) -> None:
    models = base.models
    assert str(models["reasoning_trained"].dtype) == "boolean"
    assert models.at["model-a", "reasoning_trained"] == False  # noqa: E712 - nullable
    assert models.at["model-d", "reasoning_trained"] == True  # noqa: E712
    assert pd.isna(models.at["model-b", "reasoning_trained"])
    assert models.at["model-a", "epoch_lists"] == "notable;large_scale"
    assert models.at["model-a", "compute_note_vs_1e25"] == "likely_above"
    res = base.results
    assert list(res.columns[:10]) == [
        "model",
        "benchmark",
        "n_attempted",
        "n_solved",
        "score",
        "harness",
        "source",
        "effort",
        "score_se",
        "result_date",
    ]
    assert str(res["result_date"].dtype) == "datetime64[ns]"
    assert res["effort"].notna().all()  # the default effort is "", never NaN
    assert sorted(res.loc[res["model"] == "model-d", "effort"]) == ["", "high", "low"]
    # the key includes effort: grouping by it keeps every row
    assert len(res.groupby(["model", "benchmark", "harness", "effort"])) == len(res)
    se = res.set_index(["model", "benchmark", "effort"])["score_se"]
    assert se[("model-b", "gpqa_diamond", "")] == 0.035
    assert np.isnan(se[("model-a", "mmlu", "")])
    assert base.benchmarks.at["osworld", "domain"] == "computer_use"
    assert list(base.harnesses.index) == sorted(base.harnesses.index)
    assert base.harnesses.at["metr_agent", "kind"] == "agent"
    assert set(base.task_runs["harness"]) == {"metr_agent"}
    hz = base.time_horizons
    assert list(hz.columns) == [
        "model",
        "horizon_version",
        "p50_minutes",
        "p50_ci_low",
        "p50_ci_high",
        "p80_minutes",
        "average_score",
        "result_date",
        "source",
    ]
    assert len(hz) == 3 and hz["p50_minutes"].dtype == np.float64
    by_key = hz.set_index(["model", "horizon_version"])
    assert np.isnan(by_key.at[("model-b", "1.1"), "p80_minutes"])


def test_vintage_and_evidence_models(base: Evidence) -> None:
    # model-c has no evidence; time horizons do not count
    assert base.evidence_models() == ["model-a", "model-b", "model-d"]
    assert base.vintage == "2024-12-05"
    assert base.last_result_date == "2026-01-30"  # the 1.1 time horizon


@pytest.mark.parametrize(
    ("filename", "text", "line", "column", "fragment"),
    [
        (
            "benchmark_results.csv",
            RESULTS_CSV + "ghost,mmlu,,,0.5,paper,x,,,2024-01-01\n",
            8,
            "model",
            "not in models.csv",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmluu,,,0.5,paper,x,,,2024-01-01\n",
            8,
            "benchmark",
            "did you mean 'mmlu'",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmlu,,,0.5,paper,dup,,,2024-01-01\n",
            8,
            None,
            "line 2",
        ),
        (
            "task_runs.csv",
            TASK_RUNS_CSV + "model-a,hcast,t3,f,0,1,3,x,y,metr_agent,2025-03-19\n",
            5,
            "run",
            "at least 1",
        ),
        (
            "task_runs.csv",
            TASK_RUNS_CSV + "model-a,hcast,t3,f,1,2,3,x,y,metr_agent,2025-03-19\n",
            5,
            "success",
            "at most",
        ),
        (
            "task_runs.csv",
            TASK_RUNS_CSV + "model-a,hcast,t3,f,1,1,0,x,y,metr_agent,2025-03-19\n",
            5,
            "human_minutes",
            "> 0",
        ),
        (
            "benchmarks.csv",
            BENCHMARKS_CSV + "Bad-Slug,B,d,general,0,3,aggregate,s\n",
            6,
            "slug",
            "lower-case letter",
        ),
        ("benchmarks.csv", BENCHMARKS_CSV + "newb,B,d,general,1,3,aggregate,s\n", 6, "chance", ""),
        ("benchmarks.csv", BENCHMARKS_CSV + "newb,B,d,biology,0,3,aggregate,s\n", 6, "domain", ""),
        # format 2
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmlu,,,0.5,paper_v2,x,,,2024-01-01\n",
            8,
            "harness",
            "harness 'paper_v2' is not declared in harnesses.csv; did you mean 'paper'?",
        ),
        (
            "task_runs.csv",
            TASK_RUNS_CSV + "model-a,hcast,t3,f,1,1,3,x,y,metr_agnet,2025-03-19\n",
            5,
            "harness",
            "did you mean 'metr_agent'?",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,gpqa_diamond,,,0.5,paper,x,,,2023-03-13\n",
            8,
            "result_date",
            "result_date 2023-03-13 is before the release_date 2023-03-14 of model 'model-a' "
            "(models.csv line 2)",
        ),
        (
            "task_runs.csv",
            TASK_RUNS_CSV + "model-b,hcast,t3,f,1,1,3,x,y,metr_agent,2024-05-31\n",
            5,
            "result_date",
            "before the release_date 2024-06-01",
        ),
        (
            "time_horizons.csv",
            TIME_HORIZONS_CSV + "model-d,1.0,10,5,20,3,0.3,2024-12-04,metr_file\n",
            5,
            "result_date",
            "before the release_date 2024-12-05",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmlu,,,0.5,paper,x,High,,2024-01-01\n",
            8,
            "effort",
            "lower-case letters, digits or _",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmlu,,,0.5,paper,x,low,-0.01,2024-01-01\n",
            8,
            "score_se",
            "must not be negative",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmlu,,,0.5,paper,x,low,2.5,2024-01-01\n",
            8,
            "score_se",
            "percentage",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-a,mmlu,,,0.5,paper,x,low,,\n",
            8,
            "result_date",
            "must not be empty",
        ),
        (
            "benchmark_results.csv",
            RESULTS_CSV + "model-d,gpqa_diamond,,,0.7,simple_evals,x,low,,2024-12-21\n",
            8,
            None,
            "effort=low already appears on line 6",
        ),
        (
            "models.csv",
            MODELS_CSV + "model-e,LabE,2025-01-01,,unknown,,false,,,false,,,,,true,,,\n",
            6,
            "reasoning_source",
            "reasoning_trained is true for model 'model-e' but reasoning_source is empty",
        ),
        (
            "models.csv",
            MODELS_CSV + "model-e,LabE,2025-01-01,,unknown,,false,,,false,,,,,yes,,,\n",
            6,
            "reasoning_trained",
            "true or false, got 'yes'",
        ),
        (
            "models.csv",
            MODELS_CSV + "model-e,LabE,2025-01-01,,unknown,,false,,,false,,,,,,,above,\n",
            6,
            "compute_note_vs_1e25",
            "likely_above",
        ),
        (
            "models.csv",
            MODELS_CSV + "model-e,LabE,2025-01-01,,unknown,,false,,,false,,,,,,,,frontier\n",
            6,
            "epoch_lists",
            "notable, large_scale",
        ),
        (
            "harnesses.csv",
            HARNESSES_CSV + "new_agent,New,human,d,s\n",
            7,
            "kind",
            "base_few_shot, chat, agent",
        ),
        ("harnesses.csv", HARNESSES_CSV + "New-Agent,New,agent,d,s\n", 7, "slug", "lower-case"),
        (
            "time_horizons.csv",
            TIME_HORIZONS_CSV + "model-d,2.0,10,5,20,3,0.3,2025-03-19,metr_file\n",
            5,
            "horizon_version",
            "1.0, 1.1",
        ),
        (
            "time_horizons.csv",
            TIME_HORIZONS_CSV + "model-d,1.0,10,12,20,3,0.3,2025-03-19,metr_file\n",
            5,
            "p50_ci_low",
            "interval must contain",
        ),
        (
            "time_horizons.csv",
            TIME_HORIZONS_CSV + "model-d,1.0,10,5,20,30,0.3,2025-03-19,metr_file\n",
            5,
            "p80_minutes",
            "cannot be longer",
        ),
        (
            "time_horizons.csv",
            TIME_HORIZONS_CSV + "ghost,1.0,10,5,20,3,0.3,2025-03-19,metr_file\n",
            5,
            "model",
            "not in models.csv",
        ),
        (
            "time_horizons.csv",
            TIME_HORIZONS_CSV + "model-a,1.0,10,5,20,3,0.3,2025-03-19,metr_file\n",
            5,
            None,
            "horizon_version=1.0 already appears on line 2",
        ),
    ],
    ids=[
        "unknown-model",
        "unknown-benchmark",
        "duplicate",
        "run-zero",
        "success-2",
        "minutes-zero",
        "bad-slug",
        "chance-1",
        "bad-domain",
        "undeclared-harness",
        "undeclared-run-harness",
        "result-before-release",
        "run-before-release",
        "horizon-before-release",
        "effort-upper-case",
        "negative-score-se",
        "score-se-percent",
        "result-date-empty",
        "duplicate-with-effort",
        "reasoning-without-source",
        "reasoning-yes",
        "bad-compute-note",
        "bad-epoch-lists",
        "bad-harness-kind",
        "bad-harness-slug",
        "bad-horizon-version",
        "horizon-ci-order",
        "p80-above-p50",
        "horizon-unknown-model",
        "horizon-duplicate",
    ],
)
def test_shipped_table_errors_name_file_line_column(
    tmp_path: Path, filename: str, text: str, line: int, column: str | None, fragment: str
) -> None:
    directory = write_shipped(tmp_path / "data", **{filename: text})
    with pytest.raises(EvidenceError) as info:
        load_shipped_evidence(directory)
    err = info.value
    assert err.file == str(directory / filename)
    assert (err.row, err.column) == (line, column), str(err)
    assert fragment in str(err)


def test_shipped_model_with_evidence_needs_release_date(tmp_path: Path) -> None:
    directory = write_shipped(
        tmp_path / "data",
        **{"benchmark_results.csv": RESULTS_CSV + "model-c,mmlu,,,0.3,paper,x,,,2024-01-01\n"},
    )
    with pytest.raises(EvidenceError) as info:
        load_shipped_evidence(directory)
    err = info.value
    assert err.file == str(directory / "models.csv")
    assert (err.row, err.column) == (4, "release_date")
    assert "benchmark_results.csv line 8" in str(err)


def test_shipped_missing_file(tmp_path: Path) -> None:
    directory = write_shipped(tmp_path / "data")
    (directory / "task_runs.csv").unlink()
    with pytest.raises(EvidenceError, match="RISKMODEL_DATA_DIR") as info:
        load_shipped_evidence(directory)
    assert info.value.file == str(directory / "task_runs.csv")


def test_data_dir_env_override(shipped_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert DATA_DIR.name == "data"
    monkeypatch.setenv("RISKMODEL_DATA_DIR", str(shipped_dir))
    assert default_data_dir() == shipped_dir
    assert load_evidence().content_hash() == load_shipped_evidence(shipped_dir).content_hash()
    assert list(load_benchmark_registry().index) == ["gpqa_diamond", "hcast", "mmlu", "osworld"]
    assert "agent_s_50_steps" in load_harness_registry().index


def test_benchmark_registry_and_table(shipped_dir: Path) -> None:
    registry = load_benchmark_registry(shipped_dir / "benchmarks.csv")
    assert registry.at["gpqa_diamond", "chance"] == 0.25
    text = format_benchmark_table(registry, max_description=20)
    lines = text.splitlines()
    assert lines[0].split() == ["slug", "domain", "chance", "n_tasks", "kind", "description"]
    assert lines[2].startswith("gpqa_diamond")
    assert "14042" in text and "Graduate-level sc..." in text
    assert len(lines) == 2 + 4
    assert "computer_use" in text  # the format-2 domain prints


def test_harness_registry_and_table(shipped_dir: Path) -> None:
    registry = load_harness_registry(shipped_dir / "harnesses.csv")
    assert registry.index.name == "slug"
    assert registry.at["agent_s_50_steps", "kind"] == "agent"
    text = format_harness_table(registry, max_description=20)
    lines = text.splitlines()
    assert lines[0].split() == ["slug", "kind", "name", "description"]
    assert lines[2].startswith("agent_s_50_steps")
    assert "Zero-shot chat pr..." in text
    assert len(lines) == 2 + 5


def test_registry_rows_read_without_pandas_match_the_dataframes(
    shipped_dir: Path, tmp_path: Path
) -> None:
    """``riskmodel benchmarks`` lists the rows read without pandas: the same listing as
    from the DataFrame loaders, and the same error for a bad registry."""
    benchmarks, harnesses = shipped_dir / "benchmarks.csv", shipped_dir / "harnesses.csv"
    assert format_benchmark_table(benchmark_rows(benchmarks)) == format_benchmark_table(
        load_benchmark_registry(benchmarks)
    )
    assert format_harness_table(harness_rows(harnesses)) == format_harness_table(
        load_harness_registry(harnesses)
    )
    assert [r["slug"] for r in benchmark_rows(benchmarks)][:2] == ["mmlu", "gpqa_diamond"]
    bad = tmp_path / "benchmarks.csv"
    bad.write_text(BENCHMARKS_CSV.replace(",0.25,198,", ",0.25,-198,"), encoding="utf-8")
    with pytest.raises(EvidenceError) as rows_error:
        benchmark_rows(bad)
    with pytest.raises(EvidenceError) as frame_error:
        load_benchmark_registry(bad)
    assert str(rows_error.value) == str(frame_error.value)
    assert (rows_error.value.row, rows_error.value.column) == (3, "n_tasks")
    twice = tmp_path / "harnesses.csv"
    twice.write_text(HARNESSES_CSV + HARNESSES_CSV.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match="duplicate row: slug=paper already appears on line 2"):
        harness_rows(twice)


def test_cli_lists_harnesses(
    shipped_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskmodel.cli import main

    monkeypatch.setenv("RISKMODEL_DATA_DIR", str(shipped_dir))
    assert main(["benchmarks", "--harnesses"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["slug", "kind", "name", "description"]
    assert "metr_agent" in out and "researcher" in out
    assert main(["benchmarks"]) == 0
    out = capsys.readouterr().out
    assert "osworld" in out and "computer_use" in out


# --------------------------------------------------------------------------- good researcher files
def test_good_file_round_trip(tmp_path: Path, base: Evidence) -> None:
    path = write(tmp_path, make_csv(GOOD_ROWS))
    ev = load_evidence_csv(path, base=base)
    assert ev.sources == (*base.sources, str(path))
    new = ev.models.loc["lab/new-1"]
    assert new["release_date"] == pd.Timestamp("2025-03-01")
    assert new["training_flop"] == 3e26
    assert new["flop_confidence"] == "likely"  # default when training_flop is given
    assert not new["open_weights"]  # default false
    assert bool(new["frontier"]) is False
    assert new["organization"] == "Lab"
    res = ev.results.set_index(["model", "benchmark", "harness"])
    row = res.loc[("lab/new-1", "mmlu", "researcher")]  # default harness
    assert row["source"] == "evidence.csv"  # default source: the file name
    assert row["n_tasks"] == 14042 and row["n_solved_effective"] == round(0.9 * 14042)
    assert pd.isna(row["n_attempted"])
    counted = res.loc[("lab/new-1", "gpqa_diamond", "researcher")]
    assert (counted["n_tasks"], counted["n_solved_effective"]) == (198, 120)
    assert ("model-b", "mmlu", "researcher") in res.index
    assert len(ev.results) == len(base.results) + 3
    assert ev.vintage == "2025-03-01"
    assert ev.evidence_models()[-1] == "lab/new-1"
    # to_tables / from_tables round trip, also through CSV text
    again = Evidence.from_tables(ev.to_tables())
    assert again.content_hash() == ev.content_hash()
    assert again.sources == ev.sources
    via_csv = {
        name: pd.read_csv(io.StringIO(t.to_csv(index=False)), dtype=str, keep_default_na=False)
        for name, t in ev.to_tables().items()
    }
    assert Evidence.from_tables(via_csv).content_hash() == ev.content_hash()


def test_model_without_flop_defaults(tmp_path: Path, base: Evidence) -> None:
    rows = [{"model": "lab/x", "release_date": "2025-01-01", "benchmark": "mmlu", "score": "0.5"}]
    ev = load_evidence_csv(write(tmp_path, make_csv(rows)), base=base)
    new = ev.models.loc["lab/x"]
    assert new["flop_confidence"] == "unknown" and np.isnan(new["training_flop"])
    assert not new["open_weights"]


def test_tolerant_reading_bom_crlf_whitespace_case(tmp_path: Path, base: Evidence) -> None:
    text = (
        "Model , Release_Date,BENCHMARK,score\r\n"
        "\r\n"
        " lab/y , 2025-01-01 , mmlu , 0.5 \r\n"
        ",,,\r\n"
        "lab/y,2025-01-01,gpqa_diamond,0.4\r\n"
    )
    path = write(tmp_path, b"\xef\xbb\xbf" + text.encode("utf-8"))
    ev = load_evidence_csv(path, base=base)
    assert set(ev.results.loc[ev.results["model"] == "lab/y", "benchmark"]) == {
        "mmlu",
        "gpqa_diamond",
    }


def test_declared_benchmark(tmp_path: Path, base: Evidence) -> None:
    header = [
        *HEADER,
        "benchmark_name",
        "benchmark_description",
        "benchmark_domain",
        "benchmark_chance",
        "benchmark_n_tasks",
    ]
    rows = [
        {
            "model": "lab/z",
            "release_date": "2025-01-01",
            "benchmark": "new_eval",
            "n_attempted": "40",
            "n_solved": "10",
            "benchmark_name": "New Eval",
            "benchmark_domain": "cyber",
            "benchmark_chance": "0.1",
            "benchmark_n_tasks": "40",
        },
        # the declaration need not be repeated
        {
            "model": "model-a",
            "release_date": "2023-03-14",
            "benchmark": "new_eval",
            "score": "0.2",
        },
    ]
    ev = load_evidence_csv(write(tmp_path, make_csv(rows, header)), base=base)
    reg = ev.benchmarks.loc["new_eval"]
    assert (reg["name"], reg["domain"], reg["chance"], reg["n_tasks"]) == (
        "New Eval",
        "cyber",
        0.1,
        40,
    )
    assert reg["kind"] == "aggregate"
    res = ev.results.set_index(["model", "benchmark"])
    assert res.loc[("model-a", "new_eval"), "n_solved_effective"] == 8  # 0.2 * 40


def test_shipped_model_restated_and_filled(tmp_path: Path, base: Evidence) -> None:
    rows = [
        # within 1 % of the shipped 2.1e25: accepted, shipped value kept
        {
            "model": "model-a",
            "release_date": "2023-03-14",
            "benchmark": "hcast",
            "score": "0.5",
            "training_flop": "2.11e25",
            "organization": "laba",
        },
        # model-b has unknown FLOP: the researcher's value fills it in
        {
            "model": "model-b",
            "release_date": "2024-06-01",
            "benchmark": "mmlu",
            "score": "0.7",
            "training_flop": "5e24",
        },
    ]
    ev = load_evidence_csv(write(tmp_path, make_csv(rows)), base=base)
    assert ev.models.at["model-a", "training_flop"] == 2.1e25
    assert ev.models.at["model-a", "organization"] == "LabA"
    assert ev.models.at["model-b", "training_flop"] == 5e24
    assert ev.models.at["model-b", "flop_confidence"] == "likely"
    assert bool(ev.models.at["model-b", "open_weights"]) is True  # shipped value kept


def test_load_evidence_chains_files(tmp_path: Path, shipped_dir: Path) -> None:
    first = write(tmp_path, make_csv(GOOD_ROWS), "first.csv")
    second_rows = [
        {"model": "lab/new-1", "release_date": "2025-03-01", "benchmark": "hcast", "score": "0.1"}
    ]
    second = write(tmp_path, make_csv(second_rows), "second.csv")
    ev = load_evidence([first, second], data_dir=shipped_dir)
    assert ev.sources[-2:] == (str(first), str(second))
    assert ("lab/new-1", "hcast") in set(
        zip(ev.results["model"], ev.results["benchmark"], strict=True)
    )
    # a later file must agree with an earlier one
    bad_rows = [dict(second_rows[0], release_date="2025-03-02")]
    bad = write(tmp_path, make_csv(bad_rows), "bad.csv")
    with pytest.raises(EvidenceError) as info:
        load_evidence([first, bad], data_dir=shipped_dir)
    assert (info.value.file, info.value.row, info.value.column) == (str(bad), 2, "release_date")


# --------------------------------------------------------------------------- format 2 columns
V2_HEADER = [
    *HEADER,
    "effort",
    "score_se",
    "result_date",
    "score_unit",
    "reasoning_trained",
    "reasoning_source",
    "harness_name",
    "harness_kind",
    "harness_description",
]


def v2_rows() -> list[dict[str, str]]:
    """A valid file using every format-2 column."""
    return [
        {
            "model": "lab/r1",
            "release_date": "2025-02-01",
            "benchmark": "gpqa_diamond",
            "score": "71.2",
            "score_unit": "percent",
            "score_se": "1.5",
            "effort": "high",
            "result_date": "2025-02-10",
            "harness": "lab_agent",
            "harness_name": "Lab agent",
            "harness_kind": "agent",
            "harness_description": "Tools and 30 steps",
            "reasoning_trained": "true",
            "reasoning_source": "Lab system card",
        },
        # same model, benchmark and harness, another effort: a separate result
        {
            "model": "lab/r1",
            "release_date": "2025-02-01",
            "benchmark": "gpqa_diamond",
            "score": "0.65",
            "effort": "low",
            "harness": "lab_agent",
        },
        # the default effort and result date, a registry harness
        {
            "model": "lab/r1",
            "release_date": "2025-02-01",
            "benchmark": "osworld",
            "score": "0.31",
            "score_se": "0.02",
            "harness": "agent_s_50_steps",
        },
        # fills the unknown reasoning flag of a shipped model
        {
            "model": "model-b",
            "release_date": "2024-06-01",
            "benchmark": "mmlu",
            "score": "0",
            "score_unit": "percent",
            "reasoning_trained": "false",
            "reasoning_source": "Lab B blog",
        },
    ]


def test_format_2_columns_round_trip(tmp_path: Path, base: Evidence) -> None:
    path = write(tmp_path, make_csv(v2_rows(), V2_HEADER))
    ev = load_evidence_csv(path, base=base)
    res = ev.results.set_index(["model", "benchmark", "harness", "effort"])
    high = res.loc[("lab/r1", "gpqa_diamond", "lab_agent", "high")]
    assert high["score"] == pytest.approx(0.712)  # percent divided by 100
    assert high["score_se"] == pytest.approx(0.015)  # in the unit of the score
    assert high["result_date"] == pd.Timestamp("2025-02-10")
    low = res.loc[("lab/r1", "gpqa_diamond", "lab_agent", "low")]
    assert low["score"] == 0.65 and np.isnan(low["score_se"])
    assert low["result_date"] == pd.Timestamp("2025-02-01")  # default: the release date
    osw = res.loc[("lab/r1", "osworld", "agent_s_50_steps", "")]
    assert osw["score_se"] == 0.02
    assert res.loc[("model-b", "mmlu", "researcher", ""), "score"] == 0.0
    # the harness declared in the file joins the registry
    declared = ev.harnesses.loc["lab_agent"]
    assert (declared["name"], declared["kind"], declared["description"]) == (
        "Lab agent",
        "agent",
        "Tools and 30 steps",
    )
    assert declared["source"] == "evidence.csv"
    assert set(ev.harnesses.index) - set(base.harnesses.index) == {"lab_agent"}
    # reasoning flags: new model, and an unknown shipped flag filled in with its source
    assert ev.models.at["lab/r1", "reasoning_trained"] == True  # noqa: E712 - nullable
    assert ev.models.at["lab/r1", "reasoning_source"] == "Lab system card"
    assert ev.models.at["model-b", "reasoning_trained"] == False  # noqa: E712
    assert ev.models.at["model-b", "reasoning_source"] == "Lab B blog"
    assert ev.last_result_date == base.last_result_date
    # round trips keep every table
    again = Evidence.from_tables(ev.to_tables())
    assert again.content_hash() == ev.content_hash()
    via_csv = {
        name: pd.read_csv(io.StringIO(t.to_csv(index=False)), dtype=str, keep_default_na=False)
        for name, t in ev.to_tables().items()
    }
    assert Evidence.from_tables(via_csv).content_hash() == ev.content_hash()
    assert via_csv["harnesses"]["slug"].tolist() == sorted(ev.harnesses.index)


def test_reasoning_source_of_a_shipped_flag_is_kept(tmp_path: Path, base: Evidence) -> None:
    rows = [
        {
            "model": "model-a",
            "release_date": "2023-03-14",
            "benchmark": "hcast",
            "score": "0.1",
            "reasoning_trained": "false",
            "reasoning_source": "another citation",
        }
    ]
    ev = load_evidence_csv(write(tmp_path, make_csv(rows, V2_HEADER)), base=base)
    assert (
        ev.models.at["model-a", "reasoning_source"] == base.models.at["model-a", "reasoning_source"]
    )


def test_declared_harness_used_on_later_rows_and_other_files(
    tmp_path: Path, shipped_dir: Path
) -> None:
    rows = [
        {"model": "lab/x", "release_date": "2025-01-01", "benchmark": "mmlu", "score": "0.5"},
        {"model": "lab/x", "release_date": "2025-01-01", "benchmark": "hcast", "score": "0.5"},
    ]
    rows[0]["harness"] = rows[1]["harness"] = "lab_chat"
    rows[1]["harness_kind"] = "chat"  # declared on the second row: fine
    first = write(tmp_path, make_csv(rows, V2_HEADER), "first.csv")
    later = [{"model": "lab/y", "release_date": "2025-02-01", "benchmark": "mmlu", "score": "0.6"}]
    later[0]["harness"] = "lab_chat"  # declared by the earlier file
    second = write(tmp_path, make_csv(later, V2_HEADER), "second.csv")
    ev = load_evidence([first, second], data_dir=shipped_dir)
    assert ev.harnesses.at["lab_chat", "name"] == "lab_chat"  # default name: the slug
    assert ev.harnesses.at["lab_chat", "kind"] == "chat"
    assert (ev.results["harness"] == "lab_chat").sum() == 3


V2_CELL_CASES = [
    # (id, row index, column, value, expected column, fragments)
    (
        "reasoning-yes",
        0,
        "reasoning_trained",
        "yes",
        "reasoning_trained",
        ("true or false", "'yes'"),
    ),
    (
        "reasoning-unknown",
        0,
        "reasoning_trained",
        "unknown",
        "reasoning_trained",
        ("true or false",),
    ),
    (
        "reasoning-without-source",
        0,
        "reasoning_source",
        "",
        "reasoning_source",
        ("reasoning_trained is true", "reasoning_source is empty"),
    ),
    (
        "result-before-release",
        0,
        "result_date",
        "2025-01-31",
        "result_date",
        ("2025-01-31 is before the model's release_date 2025-02-01",),
    ),
    ("result-date-future", 0, "result_date", "2999-01-01", "result_date", ("future",)),
    ("effort-upper-case", 1, "effort", "Low", "effort", ("lower-case letters", "'Low'")),
    ("effort-space", 1, "effort", "very high", "effort", ("lower-case letters",)),
    ("score-se-negative", 2, "score_se", "-0.02", "score_se", ("must not be negative",)),
    ("score-se-percent", 2, "score_se", "2", "score_se", ("percentage", "score_unit")),
    ("score-se-text", 2, "score_se", "n/a", "score_se", ("must be a number",)),
    (
        "percent-as-fraction",
        0,
        "score",
        "0.712",
        "score",
        ("marked as a percent", "looks like a fraction", "71.2"),
    ),
    ("percent-above-100", 0, "score", "171.2", "score", ("at most 100 (score_unit is percent)",)),
    ("percent-se-above-100", 0, "score_se", "101", "score_se", ("at most 100",)),
    (
        "fraction-as-percent",
        1,
        "score",
        "65",
        "score",
        ("looks like a percentage", "0.65", "set score_unit to percent"),
    ),
    ("fraction-above-100", 1, "score", "650", "score", ("at most 1, got 650",)),
    ("bad-score-unit", 0, "score_unit", "%", "score_unit", ("fraction, percent",)),
    ("bad-harness-kind", 0, "harness_kind", "human", "harness_kind", ("base_few_shot",)),
    ("harness-bad-slug", 1, "harness", "Lab Agent", "harness", ("not a valid new slug",)),
    (
        "undeclared-harness",
        2,
        "harness",
        "agent_s_100_steps",
        "harness",
        (
            "harness 'agent_s_100_steps' is neither in the harness registry nor declared in "
            "this file",
            "did you mean 'agent_s_50_steps'?",
            "harness_kind",
        ),
    ),
    (
        "harness-kind-contradicts-registry",
        2,
        "harness_kind",
        "chat",
        "harness_kind",
        ("contradicts the registry's kind agent", "agent_s_50_steps"),
    ),
    (
        "harness-declaration-contradiction",
        1,
        "harness_kind",
        "chat",
        "harness_kind",
        ("chat for harness 'lab_agent' contradicts agent given on line 2",),
    ),
    (
        "reasoning-contradicts-shipped",
        3,
        "reasoning_trained",
        "true",
        "reasoning_trained",
        ("shipped",),
    ),
]


@pytest.mark.parametrize(
    ("row", "column", "value", "expected_column", "fragments"),
    [case[1:] for case in V2_CELL_CASES],
    ids=[case[0] for case in V2_CELL_CASES],
)
def test_bad_format_2_cell(
    tmp_path: Path,
    module_base: Evidence,
    row: int,
    column: str,
    value: str,
    expected_column: str,
    fragments: tuple[str, ...],
) -> None:
    rows = v2_rows()
    rows[row][column] = value
    if (row, column) == (3, "reasoning_trained"):  # model-a is shipped with false
        rows[row].update(model="model-a", release_date="2023-03-14")
    path = write(tmp_path, make_csv(rows, V2_HEADER))
    expect_error(path, module_base, line=row + 2, column=expected_column, contains=fragments)


def test_half_declared_harness(tmp_path: Path, base: Evidence) -> None:
    rows = v2_rows()
    rows[0]["harness_kind"] = ""
    expect_error(
        write(tmp_path, make_csv(rows, V2_HEADER)),
        base,
        line=2,
        column="harness_kind",
        contains=("new harness 'lab_agent' needs harness_kind too",),
    )


def test_default_harness_must_be_registered(tmp_path: Path) -> None:
    harnesses = "\n".join(
        line for line in HARNESSES_CSV.splitlines() if not line.startswith("researcher")
    )
    directory = write_shipped(tmp_path / "data", **{"harnesses.csv": harnesses + "\n"})
    base = load_shipped_evidence(directory)
    expect_error(
        write(tmp_path, make_csv(GOOD_ROWS)),
        base,
        line=2,
        column="harness",
        contains=("harness 'researcher' (the default for an empty harness cell)",),
    )


def test_duplicate_with_effort(tmp_path: Path, base: Evidence) -> None:
    rows = [*v2_rows(), dict(v2_rows()[1], score="0.66")]
    err = expect_error(write(tmp_path, make_csv(rows, V2_HEADER)), base, line=6, column=None)
    assert "harness 'lab_agent', effort 'low': lines 3 and 6" in str(err)
    # the same key as a shipped result, effort included
    dup = [
        {
            "model": "model-d",
            "release_date": "2024-12-05",
            "benchmark": "gpqa_diamond",
            "score": "0.7",
            "harness": "simple_evals",
            "effort": "high",
        }
    ]
    expect_error(
        write(tmp_path, make_csv(dup, V2_HEADER)),
        base,
        line=2,
        column="harness",
        contains=("effort 'high' already has a result", "leaderboard"),
    )


def test_missing_format_2_column_in_shipped_table(tmp_path: Path) -> None:
    lines = RESULTS_CSV.splitlines()
    old = [",".join(line.split(",")[:7]) for line in lines]  # format 1: no effort...
    directory = write_shipped(tmp_path / "data", **{"benchmark_results.csv": "\n".join(old) + "\n"})
    with pytest.raises(EvidenceError) as info:
        load_shipped_evidence(directory)
    err = info.value
    assert (err.file, err.row, err.column) == (
        str(directory / "benchmark_results.csv"),
        1,
        "effort",
    )
    assert "evidence format 2" in str(err) and "scripts/build_data.py" in str(err)
    (directory / "harnesses.csv").unlink()
    write_shipped(directory, **{"benchmark_results.csv": RESULTS_CSV})
    (directory / "harnesses.csv").unlink()
    with pytest.raises(EvidenceError, match="harnesses.csv, models.csv") as info:
        load_shipped_evidence(directory)
    assert info.value.file == str(directory / "harnesses.csv")


# --------------------------------------------------------------------------- bad researcher files
CELL_CASES = [
    # (id, row index, column, value, expected column, fragments)
    ("flop-not-numeric", 0, "training_flop", "3.8e25 FLOP", "training_flop", ("number",)),
    ("flop-negative", 0, "training_flop", "-3e25", "training_flop", ("positive",)),
    ("flop-zero", 0, "training_flop", "0", "training_flop", ("positive",)),
    ("flop-petaflop-units", 0, "training_flop", "3.8e4", "training_flop", ("1e21", "petaFLOP")),
    ("flop-too-large", 0, "training_flop", "1e31", "training_flop", ("implausibly large",)),
    ("flop-overflow", 0, "training_flop", "1e400", "training_flop", ("too large",)),
    ("count-not-integer", 1, "n_solved", "12.5", "n_solved", ("whole number",)),
    ("count-text", 1, "n_attempted", "many", "n_attempted", ("whole number",)),
    ("bad-boolean", 0, "open_weights", "yes", "open_weights", ("true or false",)),
    ("date-format", 0, "release_date", "01/03/2025", "release_date", ("YYYY-MM-DD",)),
    ("date-invalid", 0, "release_date", "2025-02-30", "release_date", ("calendar",)),
    ("date-future", 0, "release_date", "2999-01-01", "release_date", ("future",)),
    ("date-before-1950", 0, "release_date", "1949-12-31", "release_date", ("1950",)),
    ("solved-gt-attempted", 1, "n_solved", "199", "n_solved", ("larger than n_attempted",)),
    ("negative-count", 1, "n_solved", "-1", "n_solved", ("negative",)),
    ("zero-attempted", 1, "n_attempted", "0", "n_attempted", ("at least 1",)),
    ("score-percentage", 0, "score", "87.5", "score", ("percentage", "0.875")),
    ("score-above-100", 0, "score", "150", "score", ("at most 1, got 150",)),
    ("score-negative", 0, "score", "-0.1", "score", ("negative",)),
    ("score-vs-counts", 1, "score", "0.7", "score", ("120/198",)),
    ("empty-model", 2, "model", "", "model", ("empty",)),
    ("empty-benchmark", 2, "benchmark", "", "benchmark", ("empty",)),
    ("empty-release-date", 2, "release_date", "", "release_date", ("empty",)),
    ("formula-equals", 2, "source", '=HYPERLINK("x")', "source", ("formula",)),
    ("formula-plus", 2, "source", "+cmd|' /C calc'!A0", "source", ("formula",)),
    ("formula-minus", 2, "organization", "-2+3+cmd", "organization", ("formula",)),
    ("formula-at", 2, "source", "@SUM(A1)", "source", ("formula",)),
    ("formula-in-model", 2, "model", "=1+2", "model", ("formula",)),
    ("bad-confidence", 0, "flop_confidence", "sure", "flop_confidence", ("likely",)),
    ("confidence-without-flop", 2, "flop_confidence", "confident", "flop_confidence", ("empty",)),
    ("half-counts", 2, "n_attempted", "10", "n_solved", ("both counts",)),
]


@pytest.mark.parametrize(
    ("row", "column", "value", "expected_column", "fragments"),
    [case[1:] for case in CELL_CASES],
    ids=[case[0] for case in CELL_CASES],
)
def test_bad_cell(
    tmp_path: Path,
    module_base: Evidence,
    row: int,
    column: str,
    value: str,
    expected_column: str,
    fragments: tuple[str, ...],
) -> None:
    path = write(tmp_path, make_csv(with_cell(row, column, value)))
    expect_error(path, module_base, line=row + 2, column=expected_column, contains=fragments)


def test_no_counts_and_no_score(tmp_path: Path, base: Evidence) -> None:
    rows = with_cell(2, "score", "")
    expect_error(
        write(tmp_path, make_csv(rows)), base, line=4, column="score", contains=("either",)
    )


def test_missing_required_column(tmp_path: Path, base: Evidence) -> None:
    header = [h for h in HEADER if h != "release_date"]
    expect_error(
        write(tmp_path, make_csv(GOOD_ROWS, header)),
        base,
        line=1,
        column="release_date",
        contains=("missing required column", "expected columns", "benchmark_n_tasks"),
    )


def test_missing_count_and_score_columns(tmp_path: Path, base: Evidence) -> None:
    header = [h for h in HEADER if h not in ("score", "n_solved")]
    expect_error(write(tmp_path, make_csv(GOOD_ROWS, header)), base, line=1, column="n_solved")


def test_unknown_column(tmp_path: Path, base: Evidence) -> None:
    header = [*HEADER, "trainig_flop"]
    expect_error(
        write(tmp_path, make_csv(GOOD_ROWS, header)),
        base,
        line=1,
        column="trainig_flop",
        contains=("unknown column", "did you mean 'training_flop'", "expected columns"),
    )


def test_duplicate_header_column(tmp_path: Path, base: Evidence) -> None:
    text = "model,release_date,benchmark,score,score\nm,2025-01-01,mmlu,0.5,0.5\n"
    expect_error(write(tmp_path, text), base, line=1, column="score", contains=("twice",))


def test_duplicate_row_names_both_lines(tmp_path: Path, base: Evidence) -> None:
    rows = [*GOOD_ROWS, dict(GOOD_ROWS[0], score="0.91")]
    err = expect_error(write(tmp_path, make_csv(rows)), base, line=5, column=None)
    assert "lines 2 and 5" in str(err)


def test_duplicate_of_base_result(tmp_path: Path, base: Evidence) -> None:
    rows = [
        {
            "model": "model-a",
            "release_date": "2023-03-14",
            "benchmark": "mmlu",
            "score": "0.86",
            "harness": "paper",
        }
    ]
    expect_error(
        write(tmp_path, make_csv(rows)), base, line=2, column="harness", contains=("report",)
    )


def test_empty_file(tmp_path: Path, base: Evidence) -> None:
    expect_error(write(tmp_path, ""), base, line=1, column=None, contains=("empty",))
    expect_error(write(tmp_path, "\n  \n"), base, line=1, column=None, contains=("empty",))


def test_header_only(tmp_path: Path, base: Evidence) -> None:
    expect_error(
        write(tmp_path, make_csv([])), base, line=2, column=None, contains=("no data rows",)
    )


def test_non_utf8(tmp_path: Path, base: Evidence) -> None:
    text = make_csv(GOOD_ROWS).encode("utf-8")
    lines = text.split(b"\n")
    lines[2] = lines[2].replace(b"lab/new-1", b"lab/n\xe9w-1")  # Latin-1 e-acute on line 3
    data = b"\n".join(lines)
    err = expect_error(write(tmp_path, data), base, line=3, column=None, contains=("UTF-8",))
    assert f"byte offset {data.index(b'\xe9')}" in str(err)


def test_unknown_benchmark_suggests_close_matches(tmp_path: Path, base: Evidence) -> None:
    rows = with_cell(2, "benchmark", "gpqa_diamnod")
    expect_error(
        write(tmp_path, make_csv(rows)),
        base,
        line=4,
        column="benchmark",
        contains=("unknown benchmark 'gpqa_diamnod'", "did you mean 'gpqa_diamond'", "hcast"),
    )


def test_invalid_new_slug(tmp_path: Path, base: Evidence) -> None:
    rows = with_cell(2, "benchmark", "My Eval")
    expect_error(write(tmp_path, make_csv(rows)), base, line=4, column="benchmark")


def test_new_benchmark_half_declared(tmp_path: Path, base: Evidence) -> None:
    header = [*HEADER, "benchmark_chance", "benchmark_n_tasks"]
    rows = [dict(r) for r in GOOD_ROWS]
    rows[1].update(benchmark="new_eval", benchmark_chance="0.25")
    expect_error(write(tmp_path, make_csv(rows, header)), base, line=3, column="benchmark_n_tasks")


def test_declaration_contradicting_registry(tmp_path: Path, base: Evidence) -> None:
    header = [*HEADER, "benchmark_chance"]
    rows = [dict(r) for r in GOOD_ROWS]
    rows[2]["benchmark_chance"] = "0.2"  # mmlu's chance is 0.25
    expect_error(
        write(tmp_path, make_csv(rows, header)),
        base,
        line=4,
        column="benchmark_chance",
        contains=("0.25",),
    )


def test_model_fields_inconsistent_within_file(tmp_path: Path, base: Evidence) -> None:
    rows = [dict(r) for r in GOOD_ROWS]
    rows[1]["training_flop"] = "4e26"
    expect_error(
        write(tmp_path, make_csv(rows)),
        base,
        line=3,
        column="training_flop",
        contains=("4e26", "3e26", "line 2"),
    )
    rows = [dict(r) for r in GOOD_ROWS]
    rows[1]["release_date"] = "2025-03-02"
    expect_error(write(tmp_path, make_csv(rows)), base, line=3, column="release_date")


@pytest.mark.parametrize(
    ("column", "value", "shipped"),
    [
        ("release_date", "2023-03-15", "2023-03-14"),
        ("training_flop", "2.5e25", "2.1e25"),
        ("open_weights", "true", "false"),
    ],
)
def test_contradicts_shipped_model(
    tmp_path: Path, base: Evidence, column: str, value: str, shipped: str
) -> None:
    row = {"model": "model-a", "release_date": "2023-03-14", "benchmark": "hcast", "score": "0.5"}
    row[column] = value
    rows = [GOOD_ROWS[0], row]
    expect_error(
        write(tmp_path, make_csv(rows)),
        base,
        line=3,
        column=column,
        contains=("shipped", shipped, "model-a"),
    )


def test_too_many_cells(tmp_path: Path, base: Evidence) -> None:
    text = make_csv(GOOD_ROWS).splitlines()
    text[2] += ",extra"
    expect_error(
        write(tmp_path, "\n".join(text) + "\n"), base, line=3, column=None, contains=("cells",)
    )


def test_too_few_cells(tmp_path: Path, base: Evidence) -> None:
    text = "model,release_date,benchmark,score\nlab/q,2025-01-01,mmlu\n"
    expect_error(write(tmp_path, text), base, line=2, column="score", contains=("cells",))


def test_quoted_newline_keeps_line_numbers(tmp_path: Path, base: Evidence) -> None:
    rows = [dict(r) for r in GOOD_ROWS]
    rows[0]["source"] = "first line\nsecond line\nthird line"  # record on lines 2-4
    rows[2]["score"] = "2"  # this record starts on line 6
    text = make_csv(rows)
    assert text.count("\n") == 6
    expect_error(write(tmp_path, text), base, line=6, column="score")


def test_malformed_quotes(tmp_path: Path, base: Evidence) -> None:
    text = 'model,release_date,benchmark,score\nlab/q,2025-01-01,"mmlu"x,0.5\n'
    expect_error(write(tmp_path, text), base, line=2, column=None, contains=("malformed",))
    text = 'model,release_date,benchmark,score\nlab/q,2025-01-01,mmlu,0.5\n"lab/r,2025\n'
    expect_error(write(tmp_path, text), base, line=3, column=None, contains=("malformed",))


def test_missing_and_directory_path(tmp_path: Path, base: Evidence) -> None:
    with pytest.raises(EvidenceError, match="not found"):
        load_evidence_csv(tmp_path / "nope.csv", base=base)
    with pytest.raises(EvidenceError, match="directory"):
        load_evidence_csv(tmp_path, base=base)


# --------------------------------------------------------------------------- Evidence container
def _shuffled_copy(src: Path, dst: Path, seed: int) -> Path:
    rng = random.Random(seed)
    dst.mkdir(parents=True)
    for name in SHIPPED:
        lines = (src / name).read_text(encoding="utf-8").splitlines()
        body = lines[1:]
        rng.shuffle(body)
        (dst / name).write_text("\n".join([lines[0], *body]) + "\n", encoding="utf-8")
    return dst


def test_content_hash_stable_under_row_order(tmp_path: Path, shipped_dir: Path) -> None:
    # same file name: the default source of a result is the file name
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write(tmp_path / "a", make_csv(GOOD_ROWS))
    second = write(tmp_path / "b", make_csv(list(reversed(GOOD_ROWS))))
    h1 = load_evidence([first], data_dir=shipped_dir).content_hash()
    for seed in range(3):
        other = _shuffled_copy(shipped_dir, tmp_path / f"shuffled{seed}", seed)
        assert load_evidence([second], data_dir=other).content_hash() == h1
    assert len(h1) == 64


def test_content_hash_changes_with_a_value(tmp_path: Path, base: Evidence) -> None:
    h0 = base.content_hash()
    for filename, old, new in [
        ("benchmark_results.csv", "0.864", "0.865"),
        ("models.csv", "2023-03-14", "2023-03-13"),
        ("task_runs.csv", "fam1,2,0,5.5", "fam1,2,1,5.5"),
        ("benchmarks.csv", "0.25,198", "0.2,198"),
        ("harnesses.csv", "METR's modular agent", "METR's agent"),
        ("time_horizons.csv", "8.5,4,15", "8.6,4,15"),
        ("benchmark_results.csv", ",high,0.029,", ",high,0.028,"),
        ("benchmark_results.csv", ",low,,2024-12-20", ",minimal,,2024-12-20"),
        ("task_runs.csv", "metr_agent,2024-08-01", "metr_agent,2024-08-02"),
        ("models.csv", "true,LabA system card", "true,LabA model card"),
    ]:
        changed = SHIPPED[filename].replace(old, new)
        assert changed != SHIPPED[filename]
        directory = write_shipped(tmp_path / filename, **{filename: changed})
        assert load_shipped_evidence(directory).content_hash() != h0, filename


def test_content_hash_stable_across_processes(shipped_dir: Path) -> None:
    code = (
        "import sys; from riskmodel.evidence import load_shipped_evidence; "
        "print(load_shipped_evidence(sys.argv[1]).content_hash())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code, str(shipped_dir)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=REPO,
    )
    assert out.stdout.strip() == load_shipped_evidence(shipped_dir).content_hash()


def test_released_before_split(tmp_path: Path, base: Evidence) -> None:
    ev = load_evidence_csv(write(tmp_path, make_csv(GOOD_ROWS)), base=base)
    early = ev.released_before("2024-06-01")
    late = ev.released_on_or_after("2024-06-01")
    assert early.evidence_models() == ["model-a"]
    assert late.evidence_models() == ["model-b", "model-d", "lab/new-1"]
    assert len(early.results) + len(late.results) == len(ev.results)
    assert len(early.task_runs) + len(late.task_runs) == len(ev.task_runs)
    assert list(early.time_horizons["model"]) == ["model-a"]
    assert len(early.time_horizons) + len(late.time_horizons) == len(ev.time_horizons)
    assert early.models.equals(ev.models) and late.models.equals(ev.models)
    assert early.harnesses.equals(ev.harnesses)
    assert early.vintage == "2023-03-14"
    assert ev.released_before("1990-01-01").evidence_models() == []
    with pytest.raises(EvidenceError):
        ev.released_before("2024/06/01")
    with pytest.raises(EvidenceError, match="no results"):
        _ = ev.released_before("1990-01-01").vintage


def test_from_tables_rejects_inconsistent_tables(base: Evidence) -> None:
    tables = base.to_tables()
    tables["results"] = pd.concat([tables["results"], tables["results"].iloc[:1]])
    with pytest.raises(EvidenceError, match="duplicate"):
        Evidence.from_tables(tables)
    tables = base.to_tables()
    tables["models"] = tables["models"].iloc[1:]
    with pytest.raises(EvidenceError, match="missing from the models table"):
        Evidence.from_tables(tables)
    with pytest.raises(EvidenceError, match="lacks the table"):
        Evidence.from_tables({"models": tables["models"]})
    tables = base.to_tables()
    tables["results"].loc[0, "harness"] = "nowhere"
    with pytest.raises(EvidenceError, match="missing from the harness registry: nowhere"):
        Evidence.from_tables(tables)
    tables = base.to_tables()
    tables["task_runs"]["result_date"] = pd.Timestamp("2020-01-01")
    with pytest.raises(EvidenceError, match="before its release_date"):
        Evidence.from_tables(tables)
    tables = base.to_tables()
    tables["time_horizons"].loc[0, "model"] = "ghost"
    with pytest.raises(EvidenceError, match="time_horizons' refers to model"):
        Evidence.from_tables(tables)
    tables = base.to_tables()
    tables["models"]["reasoning_source"] = None
    with pytest.raises(EvidenceError, match="reasoning_trained true but no reasoning_source"):
        Evidence.from_tables(tables)


def test_known_by_cuts_by_result_date(base: Evidence) -> None:
    assert base.last_result_date == "2026-01-30"
    assert base.known_by("2200-01-01").content_hash() == base.content_hash()
    early = base.known_by("2024-07-01")  # results strictly before the day
    assert sorted(zip(early.results["model"], early.results["benchmark"], strict=True)) == [
        ("model-a", "gpqa_diamond"),
        ("model-a", "mmlu"),
    ]
    assert list(early.task_runs["model"]) == []  # published 2024-08-01 and 2025-03-19
    assert early.time_horizons.empty
    assert early.models.equals(base.models) and early.harnesses.equals(base.harnesses)
    assert early.last_result_date == "2023-04-01"
    # a result published late on a model released early is left out, unlike
    # released_before, which selects by the model's release date
    mid = base.known_by("2025-03-19")
    assert "model-a" in set(base.released_before("2024-01-01").task_runs["model"])
    assert "model-a" not in set(mid.task_runs["model"])
    assert list(mid.task_runs["model"]) == ["model-b"]
    assert len(base.known_by("2025-03-20").time_horizons) == 2
    for bad in ("2025/03/19", "2999-01-01"):
        with pytest.raises(EvidenceError):
            base.known_by(bad)
    with pytest.raises(EvidenceError, match="no result date"):
        _ = base.known_by("1990-01-01").last_result_date


def test_tables_of_older_code_are_accepted(base: Evidence) -> None:
    """Tables without the format-2 columns and tables (built before issue 11) load."""
    tables = base.to_tables()
    tables["results"] = tables["results"][tables["results"]["effort"] == ""]
    for name, columns in V2_COLUMNS.items():
        table = {"benchmark_results": "results"}.get(name, name)
        keep = [c for c in columns if (table, c) == ("task_runs", "harness")]
        tables[table] = tables[table].drop(columns=[c for c in columns if c not in keep])
    old = {k: v for k, v in tables.items() if k not in ("harnesses", "time_horizons")}
    ev = Evidence.from_tables(old)
    assert ev.harnesses.empty and ev.time_horizons.empty  # no registry: not checked
    res = ev.results
    assert (res["effort"] == "").all() and res["score_se"].isna().all()
    release = res["model"].map(ev.models["release_date"])
    assert (res["result_date"] == release).all()  # default: the release date
    assert ev.models["reasoning_trained"].isna().all()
    # a table built by hand keeps working through dataclasses.replace
    again = dataclasses.replace(base, results=base.results.drop(columns=["score_se"]))
    assert again.harnesses.equals(base.harnesses) and again.results["score_se"].isna().all()
    # a missing harness of task runs cannot be guessed
    tables["task_runs"] = tables["task_runs"].drop(columns=["harness"])
    with pytest.raises(EvidenceError, match="lacks the column"):
        Evidence.from_tables(tables)


def test_to_tables_writes_nullable_booleans_as_objects(base: Evidence) -> None:
    models = base.to_tables()["models"].set_index("model")
    assert models["reasoning_trained"].dtype == object
    assert models.at["model-b", "reasoning_trained"] is None
    assert models.at["model-d", "reasoning_trained"] is True
    text = {k: v.to_csv(index=False) for k, v in base.to_tables().items()}
    back = {k: pd.read_csv(io.StringIO(v), dtype=str) for k, v in text.items()}
    assert Evidence.from_tables(back).content_hash() == base.content_hash()


# --------------------------------------------------------------------------- property test
_JUNK = st.one_of(
    st.sampled_from(["", "=x", "-1", "1e400", "150", '"', "a,b", "\n", "0", "-", "@a", "1.5"]),
    st.text(max_size=6),
)
_DATES = {"model-a": "2023-03-14", "model-b": "2024-06-01", "lab/x": "2025-01-01"}
# Plausible values of the optional columns (first value: consistent for every row).
_OPTIONAL: dict[str, list[str]] = {
    "n_attempted": ["", "10"],
    "n_solved": ["", "5"],  # with n_attempted: 5/10 agrees with a score of 0.5
    "organization": ["", "Lab"],
    "training_flop": ["", "3e25"],
    "flop_confidence": ["", "likely", "unknown"],
    "open_weights": ["", "true", "false"],
    "training_cost_usd": ["", "1e8"],
    "frontier": ["", "true"],
    "harness": ["", "h1", "h2"],
    "source": ["", "paper"],
    "benchmark_name": ["", "New"],
    "benchmark_description": ["", "d"],
    "benchmark_domain": ["", "code"],
    "benchmark_chance": ["", "0.1"],
    "benchmark_n_tasks": ["", "10"],
    "effort": ["", "high", "16k"],
    "score_se": ["", "0.01"],
    "result_date": ["", "2025-06-01"],
    "score_unit": ["", "fraction"],
    "reasoning_trained": ["", "false", "true"],
    "reasoning_source": ["", "card"],
    "harness_name": ["", "H"],
    "harness_kind": ["", "chat"],
    "harness_description": ["", "d"],
    "bogus": [""],
}


@st.composite
def _csv_documents(draw: st.DrawFn) -> bytes:
    """Mostly valid researcher files, with occasional junk cells, cells or columns."""
    required = ["model", "release_date", "benchmark", "score"]
    optional = draw(st.lists(st.sampled_from(sorted(_OPTIONAL)), max_size=5, unique=True))
    if "bogus" in optional and draw(st.booleans()):
        optional.remove("bogus")
    header = [*required, *optional]
    # draws of 0 (Hypothesis' favourite) keep the file valid; other values corrupt it
    if draw(st.integers(0, 9)) == 7:
        header = draw(st.permutations(header))[: draw(st.integers(0, len(header)))]
    rows = []
    benchmarks = draw(st.permutations(["mmlu", "gpqa_diamond", "hcast", "new_eval"]))
    for i in range(draw(st.integers(1, 4))):
        model = draw(st.sampled_from(sorted(_DATES)))
        values = {
            "model": model,
            "release_date": _DATES[model],
            "benchmark": benchmarks[i],
            "score": draw(st.sampled_from(["0.5", "0.3"])),
        }
        for col in optional:
            values[col] = draw(st.sampled_from(_OPTIONAL[col]))
        row = [values.get(c, "") for c in header]
        if row and draw(st.integers(0, 4)) == 3:
            row[draw(st.integers(0, len(row) - 1))] = draw(_JUNK)
        if draw(st.integers(0, 19)) == 7:
            row.append(draw(_JUNK))
        rows.append(row)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    data=st.one_of(
        st.binary(max_size=200),
        st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
        _csv_documents(),
    )
)
def test_arbitrary_input_loads_or_raises_evidence_error(module_base: Evidence, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.csv"
        path.write_bytes(data)
        try:
            ev = load_evidence_csv(path, base=module_base)
        except EvidenceError as err:
            assert err.file == str(path)
        else:
            assert len(ev.results) > len(module_base.results)


# --------------------------------------------------------------------------- docs and shipped data
def test_docs_contain_rendered_schema_tables() -> None:
    doc = (REPO / "docs" / "evidence_format.md").read_text(encoding="utf-8")
    for spec in (RESEARCHER_EVIDENCE, *SHIPPED_TABLES):
        assert render_markdown_table(spec) in doc, (
            f"docs/evidence_format.md is out of date for table '{spec.name}'; re-render it "
            "with riskmodel.evidence.schema.render_markdown_table"
        )


SHIPPED_DATA = REPO / "data"
needs_shipped = pytest.mark.skipif(
    not (SHIPPED_DATA / "models.csv").exists(),
    reason="data/models.csv has not been built yet (scripts/build_data.py)",
)


@needs_shipped
def test_shipped_data_invariants() -> None:
    ev = load_shipped_evidence(SHIPPED_DATA)
    assert len(ev.models) > 0 and len(ev.benchmarks) > 0
    assert len(ev.results) + len(ev.task_runs) > 0
    names = ev.evidence_models()
    assert ev.models.loc[names, "release_date"].notna().all()
    assert set(ev.results["benchmark"]) <= set(ev.benchmarks.index)
    assert set(ev.task_runs["benchmark"]) <= set(ev.benchmarks.index)
    assert (ev.results["n_solved_effective"] <= ev.results["n_tasks"]).all()
    assert (ev.results["n_solved_effective"] >= 0).all()
    flop = ev.models["training_flop"].dropna()
    assert ((flop > 0) & (flop <= 1e30)).all()
    assert pd.Timestamp(ev.vintage) <= pd.Timestamp.today()
    assert load_shipped_evidence(SHIPPED_DATA).content_hash() == ev.content_hash()
    assert format_benchmark_table(ev.benchmarks).count("\n") == len(ev.benchmarks) + 2
    # format 2 (the contract of issue 11)
    assert DEFAULT_HARNESS in ev.harnesses.index
    assert format_harness_table(ev.harnesses).count("\n") == len(ev.harnesses) + 2
    used = set(ev.results["harness"]) | set(ev.task_runs["harness"]) | {DEFAULT_HARNESS}
    assert used == set(ev.harnesses.index)
    scores = ev.results["score"].dropna()
    assert ((scores >= 0) & (scores <= 1)).all()
    early = ev.models["release_date"] < pd.Timestamp(REASONING_CUTOFF)
    assert (ev.models.loc[early, "reasoning_trained"] == False).all()  # noqa: E712
    hz = ev.time_horizons
    assert (hz.loc[hz["horizon_version"] == "1.1", "result_date"] >= "2026-01-30").all()
    assert ev.known_by(ev.last_result_date).results["result_date"].max() < pd.Timestamp(
        ev.last_result_date
    )


@needs_shipped
def test_example_evidence_file_loads() -> None:
    example = REPO / "data" / "examples" / "new_model_evidence.csv"
    base = load_shipped_evidence(SHIPPED_DATA)
    ev = load_evidence_csv(example, base=base)
    new_models = set(ev.models.index) - set(base.models.index)
    assert new_models == {"example-lab/example-model-1"}
    assert set(ev.benchmarks.index) - set(base.benchmarks.index)  # declares a benchmark
    assert set(ev.harnesses.index) - set(base.harnesses.index) == {"example_harness"}
    assert len(ev.results) > len(base.results)
    mine = ev.results[ev.results["model"] == "example-lab/example-model-1"]
    assert sorted(mine.loc[mine["benchmark"] == "gpqa_diamond", "effort"]) == ["high", "low"]
    assert mine["score"].max() <= 1  # the percent row is stored as a fraction
