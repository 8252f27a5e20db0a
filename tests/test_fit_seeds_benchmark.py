"""``benchmarks/fit_seeds.py``: the rows it reads from stored fits and the backtest fit it
runs per seed (the fits themselves are MCMC and run only when the benchmark is run)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import xarray as xr
from helpers import load_script

from riskmodel.capability.sampling import recompute_diagnostics
from riskmodel.capability.store import save_fit
from riskmodel.config import default_config
from riskmodel.validation.fits import fit_path

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "fit_seeds.py"

fit_seeds = load_script(BENCHMARK)


def _stored_fit(path: Path, *, rhat: float, ess: float, wall: float | None) -> Path:
    """A fit file with only the provenance the table reads."""
    attrs = {
        "seed": 7,
        "config": json.dumps({"sampler": {"chains": 4, "draws": 24000, "target_accept": 0.98}}),
        "diagnostics": json.dumps(
            {
                "max_rhat": rhat,
                "min_ess_bulk": ess,
                "min_ess_tail": 2 * ess,
                "divergences": 0,
                "passed": rhat <= 1.01 and ess >= 400,
                "sampling_seconds": 600.0,
            }
        ),
    }
    if wall is not None:
        attrs["fit_wall_seconds"] = wall
    path.parent.mkdir(parents=True, exist_ok=True)
    xr.DataTree(dataset=xr.Dataset(attrs=attrs)).to_netcdf(path)
    return path


def test_row_reads_the_fits_own_wall_time_and_judges_the_margin(tmp_path: Path) -> None:
    edge = fit_seeds.read_row(_stored_fit(tmp_path / "a.nc", rhat=1.0066, ess=700, wall=750.0))
    assert edge["wall_s"] == 750.0 and edge["draws"] == "4 x 24000"
    assert (edge["gate"], edge["margin"]) == ("passes", "no")
    wide = fit_seeds.read_row(_stored_fit(tmp_path / "b.nc", rhat=1.002, ess=1700, wall=None), 9.0)
    assert wide["wall_s"] == 9.0 and (wide["gate"], wide["margin"]) == ("passes", "yes")
    table = fit_seeds.markdown([edge, wide])
    assert "max R-hat 1.0020-1.0066" in table and "min bulk ESS 700-1700" in table
    assert "| 7 | 4 x 24000 | 0.98 | 750 |" in table
    # the row names what the fit changed from the defaults (12,000 draws), not the seed
    assert edge["settings"] == "sampler.draws=24000"
    assert table.splitlines()[2].endswith("| no | sampler.draws=24000 |")


def test_settings_column_names_every_changed_default_and_nothing_else() -> None:
    config = default_config().model_dump(mode="json")
    assert fit_seeds.changed_settings(config) == "defaults"
    config["sampler"]["seed"] = 3
    assert fit_seeds.changed_settings(config) == "defaults"
    config["capability"]["difficulty_pivot"] = "midpoint"
    config["capability"]["pivot_benchmarks"] = None
    config["sampler"]["draws"] = 10000
    assert set(fit_seeds.changed_settings(config).split("; ")) == {
        "sampler.draws=10000",
        "capability.difficulty_pivot=midpoint",
        "capability.pivot_benchmarks=None",
    }


def test_run_fit_passes_the_settings_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    monkeypatch.setattr(fit_seeds.subprocess, "run", lambda command, **kw: calls.append(command))
    settings = tmp_path / "candidate.toml"
    fit_seeds.run_fit(5, tmp_path / "fit.nc", settings)
    fit_seeds.run_fit(6, tmp_path / "fit6.nc")
    first, second = calls
    assert first[first.index("--config") + 1] == str(settings.resolve())
    assert first[first.index("--seed") + 1] == "5"
    assert "--config" not in second


def test_cutoff_fit_runs_the_backtest_at_the_seed_and_reads_its_cached_fit(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls = []

    def fake_run(command, **kwargs):
        calls.append(command)
        out = Path(command[command.index("--out") + 1])
        cutoff = command[command.index("--cutoffs") + 1]
        _stored_fit(fit_path(out / "fits", cutoff), rhat=1.02, ess=300, wall=1.0)
        return subprocess.CompletedProcess(command, 1)  # exit 1: the gate failed

    monkeypatch.setattr(fit_seeds.subprocess, "run", fake_run)
    path = fit_seeds.run_cutoff_fit(3, "2023-07-01", tmp_path)
    (command,) = calls
    settings = Path(command[command.index("--config") + 1])
    assert settings.read_text(encoding="utf-8") == "[sampler]\nseed = 3\n"
    assert {"backtest", "--refit", "--no-docs"} <= set(command)
    assert fit_seeds.read_row(path)["gate"] == "fails"


def test_cutoff_fit_that_crashed_is_an_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(
        fit_seeds.subprocess, "run", lambda command, **kw: subprocess.CompletedProcess(command, 2)
    )
    with pytest.raises(SystemExit, match="seed 3 failed \\(exit 2\\)"):
        fit_seeds.run_cutoff_fit(3, "2023-07-01", tmp_path)


def test_first_draws_row_reads_a_stored_fit_cut_short(
    small_fit: xr.DataTree, tmp_path: Path
) -> None:
    """A row for the first N draws per chain of a fit file: its own diagnostics, the
    draws it kept in the draws and settings columns, sampling time pro rata."""
    path = save_fit(small_fit, tmp_path / "fit.nc")
    draws = small_fit["posterior"].sizes["draw"]
    chains = small_fit["posterior"].sizes["chain"]
    first = draws // 2
    whole = fit_seeds.read_row(path)
    (cut,) = fit_seeds.first_draws_rows(path, [first])
    again = recompute_diagnostics(small_fit, first_draws=first)
    assert cut["draws"] == f"{chains} x {first} (first of {draws})"
    assert (cut["max_rhat"], cut["min_ess_bulk"]) == (again.max_rhat, again.min_ess_bulk)
    assert cut["min_ess_bulk"] < whole["min_ess_bulk"] and cut["wall_s"] is None
    assert cut["sampling_s"] == pytest.approx(whole["sampling_s"] * first / draws)
    assert f"sampler.draws={first}" in cut["settings"].split("; ")
    table = fit_seeds.markdown([cut, whole])
    assert f"| {chains} x {first} (first of {draws}) |" in table and "pro rata" in table
    assert "pro rata" not in fit_seeds.markdown([whole])


def test_first_draws_needs_stored_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fit_seeds.sys, "argv", ["fit_seeds.py", "--first-draws", "16000"])
    with pytest.raises(SystemExit) as stop:
        fit_seeds.main()
    assert stop.value.code == 2
