"""Tests of scripts/build_data: both vintages build, deterministically, with the documented choices.

The reference data live outside the repository (``<repo>/../shared/reference-data``); every
test is skipped with a reason when that folder is absent.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference-data"
SCRIPTS = REPO / "scripts"
DATA = REPO / "data"
TABLES = (
    "models.csv",
    "benchmark_results.csv",
    "task_runs.csv",
    "benchmarks.csv",
    "harnesses.csv",
    "time_horizons.csv",
    "vintage.toml",
)
NEW_FAMILIES = ("gpqa_diamond", "swe_bench_verified", "frontiermath", "terminal_bench_2", "osworld")

pytestmark = pytest.mark.skipif(
    not (REFERENCE / "SOURCES.md").is_file(),
    reason=f"reference data not found at {REFERENCE}",
)


def _import_build():
    if str(SCRIPTS) not in sys.path:
        sys.path.insert(0, str(SCRIPTS))
    from build_data.build import build, write
    from build_data.vintage import make_vintage

    return build, write, make_vintage


def _build(vintage: str, out: Path) -> Path:
    build, write, make_vintage = _import_build()
    spec = make_vintage(vintage, REFERENCE)
    write(build(spec), out, data_vintage=spec.data_vintage, name=spec.name)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def new_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("2025-09", tmp_path_factory.mktemp("v2025_09"))


@pytest.fixture(scope="module")
def old_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build("2025-02", tmp_path_factory.mktemp("v2025_02"))


@pytest.mark.parametrize("vintage", ["2025-09", "2025-02"])
def test_build_is_deterministic(vintage: str, tmp_path: Path) -> None:
    first = _build(vintage, tmp_path / "a")
    second = _build(vintage, tmp_path / "b")
    for name in TABLES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_shipped_data_equals_fresh_build(new_dir: Path) -> None:
    for name in TABLES:
        assert (DATA / name).read_bytes() == (new_dir / name).read_bytes(), (
            f"data/{name} differs from a fresh build: run .venv/bin/python scripts/build_data"
        )


@pytest.mark.parametrize("entry", ["build_data", "build_data.py"])
def test_entry_point_runs_as_documented(entry: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / entry), "--vintage", "2025-02", "--out-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "checks passed" in done.stdout
    assert {p.name for p in tmp_path.iterdir()} == set(TABLES)


def test_old_vintage_needs_out_dir() -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPTS / "build_data"), "--vintage", "2025-02"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0
    assert "--out-dir" in done.stderr


def _release_dates(out: Path) -> dict[str, str]:
    return {r["model"]: r["release_date"] for r in _rows(out / "models.csv")}


def test_time_horizon_choices(new_dir: Path) -> None:
    rows = {(r["model"], r["horizon_version"]): r for r in _rows(new_dir / "time_horizons.csv")}
    gpt5 = rows[("gpt-5-2025-08-07", "1.1")]
    assert gpt5["source"] == "epoch_hub"
    assert round(float(gpt5["p50_minutes"]), 1) == 203.0
    o3 = rows[("o3-2025-04-16", "1.0")]
    assert o3["source"] == "metr_file"
    assert round(float(o3["p50_minutes"]), 1) == 94.0
    # hub-only 1.1 value kept
    assert rows[("claude-opus-4-1-20250805", "1.1")]["source"] == "epoch_hub"
    for row in rows.values():
        if row["horizon_version"] == "1.1":
            assert row["result_date"] >= "2026-01-30"
        else:
            assert row["result_date"] >= "2025-03-19"


def test_osworld_scores_are_percent_over_100(new_dir: Path) -> None:
    source = _rows(REFERENCE / "epoch_hub_osworld_before_2025-09.csv")
    shipped = [r for r in _rows(new_dir / "benchmark_results.csv") if r["benchmark"] == "osworld"]
    kept = [r for r in source if r["Model version"] and r["Release date"]]
    assert len(shipped) == len(kept) == 14
    expected = sorted(float(r["Score (%)"]) / 100 for r in kept)
    assert sorted(float(r["score"]) for r in shipped) == expected
    assert all(
        r["harness"].startswith("osworld_") and r["harness"].endswith("_steps") for r in shipped
    )


def test_osworld_unit_check_fails_loudly(tmp_path: Path) -> None:
    _, _, make_vintage = _import_build()
    from build_data.sources.epoch_hub import check_osworld_unit

    name = "epoch_hub_osworld_before_2025-09.csv"
    text = (REFERENCE / name).read_text(encoding="utf-8").splitlines()
    header, body = text[0], text[1:]
    cols = header.split(",")
    i = cols.index("Score (%)")
    fractions = []
    for line in body:
        parts = next(csv.reader([line]))
        parts[i] = str(float(parts[i]) / 100)
        fractions.append(",".join(f'"{p}"' if "," in p else p for p in parts))
    (tmp_path / name).write_text("\n".join([header, *fractions]) + "\n", encoding="utf-8")
    vintage = make_vintage("2025-09", tmp_path)
    with pytest.raises(ValueError, match="not percent"):
        check_osworld_unit(vintage)


def test_new_vintage_coverage(new_dir: Path) -> None:
    dates = _release_dates(new_dir)
    results = _rows(new_dir / "benchmark_results.csv")
    runs = _rows(new_dir / "task_runs.csv")
    assert all(d < "2025-09-01" for d in dates.values())
    evidence = {r["model"] for r in results} | {r["model"] for r in runs}
    latest = max(dates[m] for m in evidence)
    assert "2025-06-01" <= latest < "2025-09-01"
    slugs = {r["benchmark"] for r in results}
    assert sum(slug in slugs for slug in NEW_FAMILIES) >= 4
    benchmarks = {r["slug"]: r for r in _rows(new_dir / "benchmarks.csv")}
    assert benchmarks["osworld"]["domain"] == "computer_use"
    assert benchmarks["gpqa_diamond"]["n_tasks"] == "198"
    assert benchmarks["frontiermath"]["n_tasks"] == "290"
    cyb = [r for r in results if r["benchmark"] == "cybench" and dates[r["model"]] >= "2025-01-01"]
    assert len(cyb) >= 6
    claude4 = [r for r in cyb if r["model"] == "claude-opus-4-20250514"]
    assert [r["result_date"] for r in claude4] == ["2025-09-29"]
    assert claude4[0]["harness"] == "anthropic_system_card"
    assert len([r for r in runs if r["source"] == "cyber_task_runs"]) == 4721


def test_one_id_per_model(new_dir: Path) -> None:
    results = _rows(new_dir / "benchmark_results.csv")
    models = {r["model"] for r in results}
    # claude-3-7-sonnet in GPQA, FrontierMath and Cybench is one id; hub prefixes dropped
    by_model = {}
    for r in results:
        by_model.setdefault(r["model"], set()).add(r["benchmark"])
    assert {"gpqa_diamond", "frontiermath", "cybench"} <= by_model["claude-3-7-sonnet-20250219"]
    assert {"gpqa_diamond", "frontiermath"} <= by_model["qwen3-235b-a22b-thinking-2507"]
    # provider prefixes of the hub and the cyber runs are dropped (ObsScaling keeps HF ids)
    for dropped in (
        "openai/o4-mini-2025-04-16",
        "Qwen/Qwen3-235B-A22B-Thinking-2507",
        "anthropic/claude-3-5-haiku-20241022",
        "openai/gpt-oss-120b",
    ):
        assert dropped not in models and dropped.lower() not in models
    assert {"o4-mini-2025-04-16", "claude-3-5-haiku-20241022", "gpt-oss-120b"} <= models
    efforts = {r["effort"] for r in results}
    assert {"high", "medium", "16k", "unknown", ""} <= efforts
    assert all(e == e.lower() for e in efforts)
    epoch_names = [r["epoch_name"] for r in _rows(new_dir / "models.csv") if r["epoch_name"]]
    assert len(epoch_names) == len(set(epoch_names))


@pytest.mark.parametrize("which", ["new", "old"])
def test_invariants(which: str, new_dir: Path, old_dir: Path) -> None:
    out = new_dir if which == "new" else old_dir
    dates = _release_dates(out)
    harnesses = {r["slug"] for r in _rows(out / "harnesses.csv")}
    assert "researcher" in harnesses
    for name in ("benchmark_results.csv", "task_runs.csv", "time_horizons.csv"):
        for row in _rows(out / name):
            assert row["result_date"] >= dates[row["model"]], (name, row)
            if name != "time_horizons.csv":
                assert row["harness"] in harnesses, (name, row)
    for row in _rows(out / "benchmark_results.csv"):
        assert 0.0 <= float(row["score"]) <= 1.0
    for row in _rows(out / "models.csv"):
        if row["reasoning_trained"] == "true":
            assert row["reasoning_source"]
        if row["release_date"] and row["release_date"] < "2024-09-12":
            assert row["reasoning_trained"] == "false"


def test_old_vintage_is_as_of(old_dir: Path) -> None:
    dates = _release_dates(old_dir)
    results = _rows(old_dir / "benchmark_results.csv")
    runs = _rows(old_dir / "task_runs.csv")
    assert len(results) == 1335 and len(runs) == 9993
    evidence = {r["model"] for r in results} | {r["model"] for r in runs}
    assert max(dates[m] for m in evidence) <= "2025-02-27"
    assert not {r["benchmark"] for r in results} & set(NEW_FAMILIES)
    assert max(r["result_date"] for r in results + runs) <= "2025-02-27"


@pytest.mark.parametrize(
    ("vintage", "declared"), [("2025-09", "2025-09-01"), ("2025-02", "2025-02-27")]
)
def test_each_build_declares_its_vintage(vintage: str, declared: str, tmp_path: Path) -> None:
    import tomllib

    out = _build(vintage, tmp_path / vintage)
    manifest = tomllib.loads((out / "vintage.toml").read_text(encoding="utf-8"))
    assert manifest["vintage"] == declared and manifest["build"] == vintage


def test_garbled_finetune_compute_is_read_as_unknown(new_dir: Path, old_dir: Path) -> None:
    # The February 2026 export writes DeepSeek-R1's fine-tuning compute as "1" (6.1e23 in the
    # 2025-02 export); a value below 1e15 FLOP is dropped, never shipped.
    for directory in (new_dir, old_dir):
        for row in _rows(directory / "models.csv"):
            if row["finetune_flop"]:
                assert float(row["finetune_flop"]) >= 1e15, row["model"]
    new = {r["model"]: r for r in _rows(new_dir / "models.csv")}
    old = {r["model"]: r for r in _rows(old_dir / "models.csv")}
    assert new["deepseek-r1"]["finetune_flop"] == ""
    assert float(old["deepseek-r1"]["finetune_flop"]) == 6.1e23
