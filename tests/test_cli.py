"""The command line: output formats, exit codes, and that failures write nothing."""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from riskmodel.capability.store import save_fit
from riskmodel.cli import EXIT_UNCONVERGED, EXIT_USAGE, main
from riskmodel.config import FitConfig

FORECAST_KEYS = ["benchmark", "harness", "date", "flop", "mean", "q05", "q25", "q50", "q75", "q95"]


@pytest.fixture(scope="module")
def fit_file(small_fit: xr.DataTree, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_fit(small_fit, tmp_path_factory.mktemp("fit") / "fit.nc")


def test_benchmarks_lists_slugs_with_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["benchmarks"]) == 0
    out = capsys.readouterr().out
    for slug in (
        "cybench",
        "intercode_ctf",
        "nyu_ctf",
        "nl2bash",
        "cybashbench",
        "mmlu",
        "arc_c",
        "hellaswag",
        "winogrande",
        "truthfulqa",
        "gsm8k",
        "humaneval",
    ):
        assert slug in out
    assert "chance" in out.lower()


def test_forecast_json(fit_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "forecast",
            "--fit",
            str(fit_file),
            "--benchmark",
            "mmlu",
            "--date",
            "2026-06-01",
            "--flop",
            "3e26",
        ]
    )
    assert code == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert list(record) == FORECAST_KEYS
    assert record["flop"] == 3e26 and record["benchmark"] == "mmlu"


def test_forecast_frontier_csv(fit_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "forecast",
            "--fit",
            str(fit_file),
            "--benchmark",
            "cybench",
            "--date",
            "2026-06-01",
            "--frontier",
            "--format",
            "csv",
        ]
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 1 and list(rows[0]) == FORECAST_KEYS
    assert rows[0]["flop"] == ""


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--benchmark", "nope", "--date", "2026-06-01", "--flop", "1e25"], "no fitted parameters"),
        (["--benchmark", "mmlu", "--date", "June 2026", "--flop", "1e25"], "YYYY-MM-DD"),
    ],
)
def test_forecast_errors_exit_2(
    fit_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    assert main(["forecast", "--fit", str(fit_file), *args]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err


def test_forecast_missing_fit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "forecast",
            "--fit",
            str(tmp_path / "none.nc"),
            "--benchmark",
            "mmlu",
            "--date",
            "2026-06-01",
            "--flop",
            "1e25",
        ]
    )
    assert code == EXIT_USAGE
    assert "riskmodel fit" in capsys.readouterr().err


def test_fit_bad_evidence_names_location_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "model,release_date,training_flop,benchmark,n_attempted,n_solved\n"
        "lab/new-model,2025-01-15,2e25,cybench,40,41\n",
        encoding="utf-8",
    )
    out = tmp_path / "fit.nc"
    assert main(["fit", "--evidence", str(bad), "--out", str(out)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 2" in err and "n_solved" in err
    assert not out.exists() and not list(tmp_path.glob("*.nc*"))


def test_console_script_is_installed() -> None:
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [str(bin_dir / "riskmodel"), "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    for command in ("fit", "forecast", "benchmarks", "report"):
        assert command in result.stdout


@pytest.mark.slow
def test_fit_gate_refuses_and_keeps_previous_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "fit.nc"
    out.write_bytes(b"previous good result")
    code = main(["fit", "--out", str(out), "--draws", "20", "--tune", "20", "--chains", "2"])
    assert code == EXIT_UNCONVERGED
    err = capsys.readouterr().err
    assert "did not converge" in err and "bulk ESS" in err and "--allow-unconverged" in err
    assert out.read_bytes() == b"previous good result"
    refused = Path(f"{out}.unconverged.nc")
    assert refused.exists()
    stored = xr.open_datatree(refused, engine="h5netcdf")
    assert json.loads(stored.attrs["diagnostics"])["passed"] is False
    stored.close()


ASSESS_KEYS = ["bar", "probability", "mc_se", "required_probability", "hazardous"]


def test_assess_json(fit_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "assess",
            "--fit",
            str(fit_file),
            "--flop",
            "3e26",
            "--date",
            "2026-06-01",
            "--format",
            "json",
        ]
    )
    assert code == 0
    records = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert {r["bar"] for r in records} >= {"raised", "current"}
    for record in records:
        assert list(record)[:7] == ["flop", "date", *ASSESS_KEYS]
        assert record["flop"] == 3e26 and record["date"] == "2026-06-01"
        assert 0.0 <= record["probability"] <= 1.0 and record["mc_se"] >= 0.0
        assert record["hazardous"] == (record["probability"] > record["required_probability"])


def test_assess_text_and_unknown_bar(fit_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "assess",
                "--fit",
                str(fit_file),
                "--flop",
                "1e25",
                "--date",
                "2026-06-01",
                "--bar",
                "raised",
            ]
        )
        == 0
    )
    assert "raised" in capsys.readouterr().out
    code = main(
        [
            "assess",
            "--fit",
            str(fit_file),
            "--flop",
            "1e25",
            "--date",
            "2026-06-01",
            "--bar",
            "nonexistent",
        ]
    )
    assert code == EXIT_USAGE
    assert "nonexistent" in capsys.readouterr().err


def test_crossing_json(fit_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "crossing",
            "--fit",
            str(fit_file),
            "--bar",
            "raised",
            "--date",
            "2026-06-01",
            "--samples",
            "2000",
            "--format",
            "json",
        ]
    )
    assert code == 0
    record = json.loads(capsys.readouterr().out.strip())
    for key in ("bar", "flop", "flop_mc_se_dex", "frontier_date", "record_ess"):
        assert key in record
    assert record["n_samples"] == 2000 and record["flop"] > 0


def test_assess_uplift_options(
    fit_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["assess", "--fit", str(fit_file), "--flop", "1e27", "--date", "2026-06-01"]
    base += ["--bar", "raised", "--format", "json"]
    assert main([*base, "--uplift-evidence", "prior", "--link", "direct"]) == 0
    record = json.loads(capsys.readouterr().out.strip())
    assert 0.0 <= record["probability"] <= 1.0
    bad = tmp_path / "studies.csv"
    bad.write_text("study,date\nx,2024-01-01\n", encoding="utf-8")
    assert main([*base, "--studies", str(bad)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert str(bad) in err and "domain" in err


# --- many values, repeated flags, query files, light imports ----------------------------


def test_every_multi_valued_option_accumulates_when_repeated() -> None:
    """``--bar a --bar b`` means both (argparse's ``nargs="+"`` keeps the last): every
    multi-valued option of every command, and the first use replaces the default."""
    from riskmodel.cli import _Accumulate, build_parser

    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    multi = [
        (name, action)
        for name, sub in commands.choices.items()
        for action in sub._actions
        if action.nargs == "+"
    ]
    assert len(multi) >= 9
    assert all(isinstance(action, _Accumulate) for _, action in multi), multi
    args = parser.parse_args(
        ["assess", "--flop", "1e25", "--bar", "current", "--bar", "raised", "--date", "2026-06-01"]
    )
    assert args.bar == ["current", "raised"] and args.flop == [1e25]
    args = parser.parse_args(["assess", "--flop", "1e25", "1e26", "--flop", "1e27"])
    assert args.flop == [1e25, 1e26, 1e27]
    assert parser.parse_args(["population"]).thresholds == [1e25, 1e26]
    assert parser.parse_args(["population", "--thresholds", "1e24"]).thresholds == [1e24]
    args = parser.parse_args(["backtest", "--cutoffs", "2024-01-01", "--cutoffs", "2025-03-01"])
    assert args.cutoffs == ["2024-01-01", "2025-03-01"]
    assert parser.parse_args(["fit", "--evidence", "a.csv", "--evidence", "b.csv"]).evidence == [
        "a.csv",
        "b.csv",
    ]


def test_forecast_many_queries_in_one_call(
    fit_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every combination of the flag values is one row, equal to the single query's row;
    a query file gives the same rows."""
    base = ["forecast", "--fit", str(fit_file), "--format", "json"]
    code = main(
        [
            *base,
            "--benchmark",
            "mmlu",
            "cybench",
            "--date",
            "2026-06-01",
            "--date",
            "2027-06-01",
            "--flop",
            "1e25",
            "1e26",
        ]
    )
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert len(rows) == 8 and all(list(r) == FORECAST_KEYS for r in rows)
    assert [(r["benchmark"], r["date"], r["flop"]) for r in rows[:3]] == [
        ("mmlu", "2026-06-01", 1e25),
        ("mmlu", "2026-06-01", 1e26),
        ("mmlu", "2027-06-01", 1e25),
    ]
    single = ["--benchmark", "cybench", "--date", "2027-06-01", "--flop", "1e26"]
    assert main([*base, *single]) == 0
    assert json.loads(capsys.readouterr().out) == rows[-1]
    queries = tmp_path / "queries.csv"
    queries.write_text(
        "benchmark,date,flop,frontier\ncybench,2027-06-01,1e26,\ncybench,2026-06-01,,true\n",
        encoding="utf-8",
    )
    assert main([*base, "--queries", str(queries)]) == 0
    from_file = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert from_file[0] == rows[-1]
    assert from_file[1]["flop"] is None and from_file[1]["benchmark"] == "cybench"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("benchmark,date,flop\nmmlu,June 2026,1e25\n", "line 2, column 'date'"),
        ("benchmark,date,flop\nmmlu,2026-06-01,-3\n", "line 2, column 'flop'"),
        ("benchmark,date,flop,frontier\nmmlu,2026-06-01,1e25,true\n", "not both"),
        ("benchmark,date,flops\nmmlu,2026-06-01,1e25\n", "line 1"),
        ("benchmark,date,flop\nmmlu,2026-06-01,1e25\nnope,2026-06-01,1e25\n", "query 2 of 2"),
    ],
)
def test_forecast_query_file_errors_name_the_cell(
    fit_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    text: str,
    fragment: str,
) -> None:
    queries = tmp_path / "queries.csv"
    queries.write_text(text, encoding="utf-8")
    code = main(["forecast", "--fit", str(fit_file), "--queries", str(queries)])
    assert code == EXIT_USAGE
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err
    assert "queries.csv" in err or "query 2" in err


def test_forecast_queries_and_flags_are_exclusive(
    fit_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("benchmark,date,flop\nmmlu,2026-06-01,1e25\n", encoding="utf-8")
    args = ["forecast", "--fit", str(fit_file), "--queries", str(queries), "--date", "2026-06-01"]
    assert main(args) == EXIT_USAGE
    assert "not both" in capsys.readouterr().err
    assert main(["forecast", "--fit", str(fit_file), "--benchmark", "mmlu"]) == EXIT_USAGE
    assert "--date" in capsys.readouterr().err


def test_assess_many_queries_share_one_sample_per_date(
    fit_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["assess", "--fit", str(fit_file), "--format", "json", "--bar", "raised"]
    base += ["--uplift-evidence", "prior"]
    code = main([*base, "--flop", "1e25", "1e27", "--date", "2026-06-01", "2027-06-01"])
    assert code == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.strip().splitlines()]
    assert [(r["date"], r["flop"]) for r in rows] == [
        ("2026-06-01", 1e25),
        ("2026-06-01", 1e27),
        ("2027-06-01", 1e25),
        ("2027-06-01", 1e27),
    ]
    assert main([*base, "--flop", "1e27", "--date", "2027-06-01"]) == 0
    assert json.loads(capsys.readouterr().out) == rows[-1]
    queries = tmp_path / "assess.csv"
    queries.write_text("flop,date\n1e27,2027-06-01\n1e25,June\n", encoding="utf-8")
    assert main([*base, "--queries", str(queries)]) == EXIT_USAGE
    assert "line 3, column 'date'" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--help"], ["benchmarks"], ["benchmarks", "--harnesses"]])
def test_light_commands_do_not_import_pymc(argv: list[str]) -> None:
    """``riskmodel --help`` and ``riskmodel benchmarks`` answer without loading PyMC,
    pytensor, xarray or pandas (lazy public imports; the registries are read and
    validated by the pandas-free ``evidence.cells``)."""
    code = (
        "import contextlib, io, sys\n"
        "from riskmodel.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('pymc', 'pytensor', 'nutpie', 'xarray', 'pandas')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    import riskmodel

    assert "fit" in dir(riskmodel) and riskmodel.RiskmodelError.__name__ == "RiskmodelError"
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        riskmodel.nope  # noqa: B018


def test_backtest_sampler_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Cutoff fits use the backtest's sampler settings on top of the fit config (a settings
    file's [sampler] seed is kept), and each flag overrides them; the geometry is the fit
    config's unless ``--difficulty-pivot`` sets one."""
    import riskmodel.validation.report as validation_report
    from riskmodel.validation.fits import BACKTEST_SAMPLER

    seen = []

    class _Report:
        fits = pd.DataFrame({"cutoff": [], "error": []})
        summary = pd.DataFrame()
        files: list[str] = []
        failures: dict[str, str] = {}
        gate_failures: list[str] = []

    def fake_run_backtests(cutoffs, *, config, **kwargs):
        seen.append(config)
        return _Report()

    monkeypatch.setattr(validation_report, "run_backtests", fake_run_backtests)
    settings = tmp_path / "settings.toml"
    settings.write_text("[sampler]\nseed = 7\n", encoding="utf-8")
    out = ["--out", str(tmp_path / "bt"), "--no-docs"]
    assert main(["backtest", *out]) == 0
    assert main(["backtest", *out, "--config", str(settings)]) == 0
    assert main(["backtest", *out, "--draws", "50", "--target-accept", "0.9"]) == 0
    assert main(["backtest", *out, "--difficulty-pivot", "midpoint"]) == 0
    default, from_file, flagged, at_midpoint = (c.sampler for c in seen)
    for sampler in (default, from_file):
        assert {k: getattr(sampler, k) for k in BACKTEST_SAMPLER} == BACKTEST_SAMPLER
    assert default.seed == FitConfig().sampler.seed and from_file.seed == 7
    assert (flagged.draws, flagged.target_accept) == (50, 0.9)
    assert flagged.tune == BACKTEST_SAMPLER["tune"]
    assert at_midpoint == default  # the geometry flag leaves the sampler alone
    # The geometry: the fit config's (the main fit's: MMLU pivoted) unless flagged.
    main_fit = FitConfig().capability
    geometry = [(c.capability.difficulty_pivot, c.capability.pivot_benchmarks) for c in seen]
    assert geometry[:3] == [(main_fit.difficulty_pivot, main_fit.pivot_benchmarks)] * 3
    assert geometry[3] == ("midpoint", main_fit.pivot_benchmarks) != geometry[0]
    # A settings file's own pivot is kept; naming benchmarks under the midpoint is refused.
    settings.write_text('[capability]\npivot_benchmarks = ["arc_c"]\n', encoding="utf-8")
    assert main(["backtest", *out, "--config", str(settings)]) == 0
    assert seen[-1].capability.pivot_benchmarks == ("arc_c",)
    capsys.readouterr()
    flagged_midpoint = ["--config", str(settings), "--difficulty-pivot", "midpoint"]
    assert main(["backtest", *out, *flagged_midpoint]) == EXIT_USAGE
    assert "only with difficulty_pivot = 'data'" in capsys.readouterr().err


def test_backtest_help_states_the_backtest_sampler_settings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The help of ``riskmodel backtest`` quotes BACKTEST_SAMPLER's values (the parser
    does not import the validation package, so they are written out there)."""
    from riskmodel.validation.fits import BACKTEST_SAMPLER

    with pytest.raises(SystemExit):
        main(["backtest", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag, key in (
        ("--draws", "draws"),
        ("--tune", "tune"),
        ("--target-accept", "target_accept"),
    ):
        assert f"(default: BACKTEST_SAMPLER, {BACKTEST_SAMPLER[key]})" in text, flag


def test_assess_and_crossing_read_the_settings_file(
    fit_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--config``: the bars file of [files] (a user bar 'strict') and the seed and
    uplift evidence of [hazard] are used; flags override the file."""
    from riskmodel.hazard.bars import DEFAULT_BARS_PATH

    shipped = DEFAULT_BARS_PATH.read_text(encoding="utf-8")
    raised = shipped[shipped.index("[bars.raised]") : shipped.index("[bars.current]")]
    bars_file = tmp_path / "bars.toml"
    bars_file.write_text(shipped + "\n" + raised.replace("[bars.raised]", "[bars.strict]"), "utf-8")
    settings = tmp_path / "settings.toml"
    settings.write_text(
        f'[files]\nhazard_bars = "{bars_file}"\n\n[hazard]\nseed = 5\nlink_params = "prior"\n',
        encoding="utf-8",
    )
    query = ["--fit", str(fit_file), "--flop", "3e26", "--date", "2026-06-01", "--format", "json"]
    assert main(["assess", *query, "--bar", "strict"]) == EXIT_USAGE  # shipped bars only
    assert "unknown hazard bar 'strict'" in capsys.readouterr().err
    assert main(["assess", *query, "--bar", "strict", "raised", "--config", str(settings)]) == 0
    strict, raised_row = (json.loads(x) for x in capsys.readouterr().out.strip().splitlines())
    assert strict["bar"] == "strict"
    # 'strict' is a copy of 'raised': one sample at the file's seed, identical numbers
    assert strict["probability"] == raised_row["probability"]
    explicit = ["--bar", "raised", "--uplift-evidence", "prior", "--seed", "5"]
    assert main(["assess", *query, *explicit]) == 0
    assert json.loads(capsys.readouterr().out)["probability"] == raised_row["probability"]
    with_flag = ["--bar", "raised", "--config", str(settings), "--seed", "6"]
    assert main(["assess", *query, *with_flag]) == 0  # the flag's seed, not the file's
    overridden = json.loads(capsys.readouterr().out)["probability"]
    assert (
        main(["assess", *query, "--bar", "raised", "--uplift-evidence", "prior", "--seed", "6"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["probability"] == overridden
    crossing = ["crossing", "--fit", str(fit_file), "--bar", "strict", "--date", "2026-01-01"]
    assert main([*crossing, "--config", str(settings), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["bar"] == "strict"
