"""Reproducibility: the same seed and inputs give identical numbers in separate processes.

Two ``riskmodel report`` processes run concurrently on a tiny configuration (a small
evidence subset through ``RISKMODEL_DATA_DIR``, a 2 x 40-draw fit, 20 simulated worlds,
one sensitivity assumption) into folders A and B. One report run covers the capability
fit, the hazard Monte Carlo, the policy simulation, the sensitivity analysis and the
figures. Compared exactly:

* every CSV table (bytes), every figure (PNG and SVG bytes: the figures carry no date);
* every variable of every group of the fit, and of the simulation and LDE netCDF files;
* the netCDF attributes, except the wall-clock ones: ``created``/``created_at`` time
  stamps and the sampling and fit times (``sampling_time``, ``fit_wall_seconds``,
  ``diagnostics.sampling_seconds``);
* every number in ``report.html``, except the one cell that shows the sampling time.

Other hazard and simulation seeds give other Monte Carlo numbers (from fit A, in this
process), and another sampler seed other draws (a small model through the fit's own
sampling function: a third full fit would cost half a minute of CI for the same check).

The fixtures here (the tiny data and the finished runs) are shared with
``tests/test_faults.py``, which reuses fit A so that its interrupted runs skip fitting.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"

#: Results and task runs kept in the tiny evidence (every model and benchmark is kept,
#: so the studies' ``fit_model`` ids resolve; both are in the Cybench results).
TINY_RESULTS = ("cybench", "arc_c")
TINY_SUITES = ("cybench", "intercode_ctf")

TINY_SETTINGS = """\
# A tiny configuration of the whole main job (tests only: far too short to converge).
[sampler]
draws = 40
tune = 40
chains = 2
seed = {fit_seed}

[hazard]
table_flops = [1e25, 1e27]
curve_log10_flop = [24.0, 28.0, 2.0]
link_params = "prior"
crossing_samples = 400
seed = 3

[simulation]
first_year = 2025
last_year = 2026
draws = 20
chunk_draws = 10
assessment_samples = 200
seed = 9

[report]
variants = ["enrolled", "commentary"]
sensitivity_draws = 10
sensitivity_assumptions = ["evaluation_noise_sd"]
"""
#: Attributes that hold wall-clock times (allowed to differ between runs).
CLOCK_ATTRS = ("created", "created_at", "sampling_time", "fit_wall_seconds")
#: Per-run time limit of a tiny report (s); far above its ~1.5 min on a busy 2-core box.
RUN_TIMEOUT = 900


def tiny_data_dir(out: Path) -> Path:
    """A whole data folder: the shipped tables with results and task runs cut down to a
    few benchmarks, and the elicited inputs (every file RISKMODEL_DATA_DIR stands for)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in (
        "benchmarks.csv",
        "models.csv",
        "harnesses.csv",
        "time_horizons.csv",
        "vintage.toml",
        "hazard_bars.toml",
        "uplift_studies.csv",
        "world_assumptions.toml",
        "elicitation/uplift_priors.toml",
        "elicitation/enhancement_priors.toml",
        "elicitation/risk_chain_priors.toml",
    ):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes((DATA / name).read_bytes())
    for name, keep in (("benchmark_results.csv", TINY_RESULTS), ("task_runs.csv", TINY_SUITES)):
        with (
            (DATA / name).open(newline="", encoding="utf-8") as src,
            (out / name).open("w", newline="", encoding="utf-8") as dst,
        ):
            reader, writer = csv.reader(src), csv.writer(dst, lineterminator="\n")
            header = next(reader)
            writer.writerow(header)
            column = header.index("benchmark")
            writer.writerows(row for row in reader if row[column] in keep)
    return out


def cli_env(data_dir: Path) -> dict[str, str]:
    """Environment of a riskmodel subprocess on the tiny data."""
    return {
        **os.environ,
        "RISKMODEL_DATA_DIR": str(data_dir),
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
    }


def start(argv: list[str], *, env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """Start ``riskmodel <argv>``; stdout and stderr go to ``log``.out/.err files."""
    with log.with_suffix(".out").open("w") as out, log.with_suffix(".err").open("w") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "riskmodel.cli", *argv], cwd=cwd, env=env, stdout=out, stderr=err
        )


def finish(process: subprocess.Popen, log: Path, timeout: float = RUN_TIMEOUT) -> str:
    """Wait for ``process``; its stderr (the run must have succeeded)."""
    try:
        process.wait(timeout=timeout)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    err = log.with_suffix(".err").read_text()
    assert process.returncode == 0, err[-3000:]
    return err


@dataclass(frozen=True)
class TinyRuns:
    """Finished runs: reports A and B (same seeds)."""

    root: Path
    data: Path
    settings: Path
    a: Path
    b: Path
    figures_a: Path
    figures_b: Path
    seconds: float


#: Built once per test session, shared with tests/test_faults.py (which imports this
#: module: a fixture imported into a second module would run a second time).
_SHARED: dict[str, object] = {}


def shared_tiny_data(factory: pytest.TempPathFactory) -> Path:
    """The tiny evidence folder (for ``RISKMODEL_DATA_DIR``), built once."""
    if "data" not in _SHARED:
        _SHARED["data"] = tiny_data_dir(factory.mktemp("tiny_data") / "data")
    return _SHARED["data"]  # type: ignore[return-value]


def shared_tiny_runs(factory: pytest.TempPathFactory) -> TinyRuns:
    """Reports A and B (see the module docstring), run once per test session.

    The two reports take minutes, so the pytest-xdist workers share them: the first
    worker to ask runs them under a file lock in the session's folder and records where
    they are; the others wait for the lock and read that record. The runs are only read.
    """
    if "runs" not in _SHARED:
        base = factory.getbasetemp()
        # Under xdist each worker's base temp is <session>/popen-gwN: share <session>.
        session = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
        shared = session / "tiny_runs_shared"
        shared.mkdir(exist_ok=True)
        record = shared / "runs.json"
        with open(shared / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            if record.exists():
                fields = json.loads(record.read_text(encoding="utf-8"))
                runs = TinyRuns(**{k: v if k == "seconds" else Path(v) for k, v in fields.items()})
            else:
                # A new folder, in case an earlier worker's attempt failed halfway.
                root = Path(tempfile.mkdtemp(prefix="tiny", dir=shared))
                runs = _run_tiny(root, shared_tiny_data(factory))
                fields = {k: v if k == "seconds" else str(v) for k, v in asdict(runs).items()}
                record.write_text(json.dumps(fields), encoding="utf-8")
        _SHARED["runs"] = runs
    return _SHARED["runs"]  # type: ignore[return-value]


def _run_tiny(root: Path, data: Path) -> TinyRuns:
    settings = root / "tiny.toml"
    settings.write_text(TINY_SETTINGS.format(fit_seed=5), encoding="utf-8")
    env = cli_env(data)
    started = time.perf_counter()
    runs = {}
    for name in ("A", "B"):
        argv = ["report", "--config", str(settings), "--out", name, "--figures", f"figures_{name}"]
        runs[name] = start([*argv, "--allow-unconverged"], env=env, cwd=root, log=root / name)
    try:
        for name, process in runs.items():
            finish(process, root / name)
    finally:
        for process in runs.values():
            if process.poll() is None:
                process.kill()
            process.wait()
    return TinyRuns(
        root=root,
        data=data,
        settings=settings,
        a=root / "A",
        b=root / "B",
        figures_a=root / "figures_A",
        figures_b=root / "figures_B",
        seconds=time.perf_counter() - started,
    )


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> TinyRuns:
    return shared_tiny_runs(tmp_path_factory)


# ------------------------------------------------------------------------ comparisons
def _values_equal(x: np.ndarray, y: np.ndarray) -> bool:
    if x.shape != y.shape or x.dtype != y.dtype:
        return False
    if x.dtype.kind in "fc":
        return bool(np.array_equal(x, y, equal_nan=True))
    return bool(np.array_equal(x, y))


def _attr_differences(path: str, a: dict, b: dict) -> list[str]:
    out = []
    for key in sorted(set(a) | set(b)):
        va, vb = a.get(key), b.get(key)
        if key in CLOCK_ATTRS:
            continue
        if key == "diagnostics":  # JSON; sampling_seconds is wall-clock time
            va, vb = json.loads(va), json.loads(vb)
            va.pop("sampling_seconds"), vb.pop("sampling_seconds")
        same = (
            _values_equal(np.asarray(va), np.asarray(vb))
            if isinstance(va, np.ndarray)
            else va == vb
        )
        if not same:
            out.append(f"{path} attribute {key}: {str(va)[:60]} != {str(vb)[:60]}")
    return out


def tree_differences(a: xr.DataTree, b: xr.DataTree) -> list[str]:
    """Every difference of variables, coordinates and non-clock attributes."""
    out = []
    paths_a = {node.path for node in a.subtree}
    paths_b = {node.path for node in b.subtree}
    out += [f"group {p} only in one file" for p in paths_a ^ paths_b]
    for path in sorted(paths_a & paths_b):
        da, db = a[path].to_dataset(), b[path].to_dataset()
        if set(da.variables) != set(db.variables):
            out.append(f"{path}: variables {sorted(set(da.variables) ^ set(db.variables))}")
        for name in set(da.variables) & set(db.variables):
            if not _values_equal(da[name].values, db[name].values):
                out.append(f"{path}/{name} differs")
        out += _attr_differences(path, dict(a[path].attrs), dict(b[path].attrs))
    return out


def dataset_differences(a: Path, b: Path, *, ignore_attrs: tuple[str, ...] = ()) -> list[str]:
    with xr.open_dataset(a, engine="h5netcdf") as da, xr.open_dataset(b, engine="h5netcdf") as db:
        out = [f"{a.name}/{n} differs" for n in da.variables if n not in db.variables]
        out += [
            f"{a.name}/{n} differs"
            for n in da.variables
            if n in db.variables and not _values_equal(da[n].values, db[n].values)
        ]
        attrs_a = {k: v for k, v in da.attrs.items() if k not in ignore_attrs}
        attrs_b = {k: v for k, v in db.attrs.items() if k not in ignore_attrs}
        return out + _attr_differences(a.name, attrs_a, attrs_b)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def html_number_differences(a: str, b: str) -> list[tuple[str, str]]:
    """Pairs of numbers that differ between two HTML texts (same text otherwise)."""
    assert _NUMBER.sub("#", a) == _NUMBER.sub("#", b), "the reports differ in text"
    return [(x, y) for x, y in zip(_NUMBER.findall(a), _NUMBER.findall(b), strict=True) if x != y]


def _open_tree(path: Path) -> xr.DataTree:
    lazy = xr.open_datatree(path, engine="h5netcdf")
    try:
        return lazy.compute()
    finally:
        lazy.close()


# ------------------------------------------------------------------------ tests
@pytest.mark.slow
def test_same_seed_same_numbers_in_two_processes(tiny_runs: TinyRuns) -> None:
    a, b = tiny_runs.a, tiny_runs.b
    written_a = sorted(p.name for p in a.iterdir())
    assert written_a == sorted(p.name for p in b.iterdir())
    for name in [n for n in written_a if n.endswith(".csv")]:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    figures = sorted(p.name for p in tiny_runs.figures_a.iterdir())
    assert figures and figures == sorted(p.name for p in tiny_runs.figures_b.iterdir())
    for name in figures:  # PNG and SVG carry no creation date
        figure_a, figure_b = tiny_runs.figures_a / name, tiny_runs.figures_b / name
        assert figure_a.read_bytes() == figure_b.read_bytes(), name
    fits = [_open_tree(run / "capability_fit.nc") for run in (a, b)]
    assert tree_differences(*fits) == []
    # the simulation records which fit file it used (A/... and B/...): same contents
    simulations = (a / "simulation.nc", b / "simulation.nc")
    assert dataset_differences(*simulations, ignore_attrs=("fit_file",)) == []
    assert dataset_differences(a / "lde_all_benchmarks.nc", b / "lde_all_benchmarks.nc") == []
    html_a = (a / "report.html").read_text(encoding="utf-8")
    html_b = (b / "report.html").read_text(encoding="utf-8")
    seconds = [
        json.loads(_open_tree(run / "capability_fit.nc").attrs["diagnostics"])["sampling_seconds"]
        for run in (a, b)
    ]
    # the only number allowed to differ: the sampling time, shown in the diagnostics table
    for x, y in html_number_differences(html_a, html_b):
        assert (float(x), float(y)) == (seconds[0], seconds[1]), (x, y)


@pytest.mark.slow
def test_another_seed_gives_other_numbers(tiny_runs: TinyRuns) -> None:
    """Another seed, other numbers: hazard and simulation from fit A (in this process),
    and the sampler (a small PyMC model through the fit's own sampling function)."""
    import pymc as pm

    from riskmodel.capability.sampling import sample_model
    from riskmodel.capability.store import load_fit
    from riskmodel.config import load_config
    from riskmodel.hazard.curves import hazard_curve
    from riskmodel.settings import load_settings
    from riskmodel.simulation.run import simulate

    fit_a = load_fit(tiny_runs.a / "capability_fit.nc")
    settings = load_settings(tiny_runs.settings)
    h, sim = settings.hazard, settings.simulation
    common = {"flops": list(h.table_flops), "date": h.date, "bars": h.bars, "link_params": "prior"}
    p_same = hazard_curve(fit_a, seed=h.seed, **common)["probability"].to_numpy()
    p_other = hazard_curve(fit_a, seed=h.seed + 1, **common)["probability"].to_numpy()
    assert not np.array_equal(p_same, p_other)
    kwargs = {"variants": ["enrolled"], "link_params": "prior"}
    runs_same = simulate(fit_a, config=sim, **kwargs)["runs"].values
    runs_other = simulate(fit_a, config=sim.model_copy(update={"seed": sim.seed + 1}), **kwargs)
    assert not np.array_equal(runs_same, runs_other["runs"].values)

    with pm.Model() as model:
        pm.Normal("x", 0.0, 1.0, shape=3)
    draws = {}
    for seed in (5, 6):
        config = load_config({"sampler": {"draws": 20, "tune": 20, "chains": 2, "seed": seed}})
        tree, _ = sample_model(model, config)
        draws[seed] = tree["posterior"]["x"].values
    assert not np.array_equal(draws[5], draws[6])
