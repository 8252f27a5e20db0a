"""Faults: runs interrupted by SIGINT or SIGTERM, and concurrent writers of one file.

Real ``riskmodel`` processes are started on the tiny configuration of
``tests/test_reproducibility.py`` and signalled while they are

* sampling (``fit``: once nutpie's sampler threads exist), where nutpie and PyMC catch
  ``KeyboardInterrupt`` and return the partial trace: the command must exit 130/143
  without saving anything (with ``--allow-unconverged`` a partial trace would otherwise
  replace the previous fit), and a library call (``riskmodel.fit``) that gets a partial
  trace back must raise instead of saving it;
* simulating (``simulate``: after the first chunk of worlds);
* writing an output (``simulate`` with its netCDF writer slowed down so the process sits
  inside :func:`riskmodel.provenance.atomic_path`; Python's default SIGTERM would kill
  it there and leak the temporary file);
* running the main job (``report`` reusing fit A: at its first temporary output file,
  and when it reaches the simulation step).

Every case checks: exit code 128 + signal, the previous result files byte-identical (or,
for a report, each file either the previous one or a complete new one identical to run
A's), and no ``.*.tmp`` file left behind. Linux only for the sampler cases (they watch
``/proc/<pid>/task`` for nutpie's threads).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from test_reproducibility import (
    REPO,
    TinyRuns,
    cli_env,
    dataset_differences,
    shared_tiny_data,
    shared_tiny_runs,
)

from riskmodel.errors import Interrupted, RiskmodelError
from riskmodel.provenance import atomic_path

PREVIOUS = b"previous result: must survive an interrupted run\n"
#: Longest wait for a process to reach the state where it is signalled (s).
REACH_TIMEOUT = 600
SIGNALS = (signal.SIGINT, signal.SIGTERM)


# ------------------------------------------------------------------------ helpers
def _default_interrupt() -> None:
    """In the child before exec: SIGINT back to its default disposition. A shell starts
    background jobs with SIGINT ignored, children inherit that, and Python then installs
    no KeyboardInterrupt handler, so the test would measure how pytest was launched (a
    suite run as ``bash .ci/run &`` failed every SIGINT test) instead of riskmodel."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Run:
    """A started riskmodel process with its stderr in a file."""

    started: list[Run] = []

    def __init__(self, argv: list[str], *, env: dict[str, str], cwd: Path, name: str) -> None:
        self.err_path = cwd / f"{name}.err"
        with self.err_path.open("w") as err:
            self.process = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=err,
                preexec_fn=_default_interrupt,
            )
        Run.started.append(self)

    @property
    def err(self) -> str:
        return self.err_path.read_text(errors="replace")

    def threads(self) -> int:
        try:
            return len(os.listdir(f"/proc/{self.process.pid}/task"))
        except FileNotFoundError:
            return 0

    def wait(self, timeout: float = 120) -> int:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"the process did not stop within {timeout} s of the signal: {self.err}")


def signal_when(plan: list[tuple[Run, Callable[[], bool], int]], poll: float = 0.02) -> list[int]:
    """Watch every run at once; send each its signal when its condition holds (conditions
    are polled from the start, so they can record what they see before the moment comes).
    Returns the exit codes, in the order of ``plan``."""
    pending = list(plan)
    deadline = time.monotonic() + REACH_TIMEOUT
    while pending:
        for item in list(pending):
            run, condition, signum = item
            if condition():
                run.process.send_signal(signum)
                pending.remove(item)
            elif run.process.poll() is not None:
                pytest.fail(f"a process ended before its signal: {run.err[-3000:]}")
        if time.monotonic() > deadline:
            pytest.fail(f"not reached within {REACH_TIMEOUT} s: {pending[0][0].err[-3000:]}")
        time.sleep(poll)
    return [run.wait() for run, _, _ in plan]


def riskmodel(*argv: str) -> list[str]:
    return [sys.executable, "-m", "riskmodel.cli", *argv]


def temporary_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob(".*.tmp")]


def sampling(run: Run, settle: float = 1.0) -> Callable[[], bool]:
    """True ``settle`` s after nutpie's sampler threads started (some draws exist, so a
    partial trace could be returned): more threads than while the model compiled, which
    starts when PyMC logs ``NUTS[nutpie]``."""
    seen: dict[str, float] = {}

    def check() -> bool:
        if "compiling" not in seen:
            if "NUTS[nutpie]" not in run.err:
                return False
            seen["compiling"] = run.threads()
        if "sampling" not in seen:
            if run.threads() < seen["compiling"] + 2:
                return False
            seen["sampling"] = time.monotonic()
        return time.monotonic() - seen["sampling"] >= settle

    return check


def logged(run: Run, pattern: str) -> Callable[[], bool]:
    regex = re.compile(pattern)
    return lambda: regex.search(run.err) is not None


def writing(*folders: Path) -> Callable[[], bool]:
    """True while a temporary output file exists (the process is inside atomic_path)."""
    return lambda: temporary_files(*folders) != []


def _interrupted(run: Run, code: int, signum: int) -> None:
    name = signal.Signals(signum).name
    assert code == 128 + signum, run.err[-3000:]
    assert f"interrupted by {name}" in run.err, run.err[-3000:]
    assert "Traceback" not in run.err, run.err[-3000:]


@pytest.fixture(autouse=True)
def _no_process_left() -> Iterator[None]:
    """Whatever happens in a test, the processes it started are gone afterwards."""
    yield
    while Run.started:
        process = Run.started.pop().process
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_tiny_data(tmp_path_factory)


@pytest.fixture(scope="session")
def tiny_runs(tmp_path_factory: pytest.TempPathFactory) -> TinyRuns:
    """Reports A and B of tests/test_reproducibility.py (one run per session)."""
    return shared_tiny_runs(tmp_path_factory)


needs_proc = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="watches /proc/<pid>/task for sampler threads"
)


# ------------------------------------------------------------------------ sampling
LIBRARY_FIT = textwrap.dedent(
    """
    import sys
    import riskmodel
    riskmodel.fit(
        out=sys.argv[1], draws=100000, tune=100, chains=2, seed=1, allow_unconverged=True
    )
    """
)


@needs_proc
@pytest.mark.slow
def test_interrupted_sampler_never_saves_a_fit(tiny_data: Path, tmp_path: Path) -> None:
    env = cli_env(tiny_data)
    fit = ["fit", "--draws", "100000", "--tune", "100", "--chains", "2", "--seed", "1"]
    runs = {}
    for signum in (signal.SIGINT,):  # SIGTERM takes the same path (see the other tests)
        folder = tmp_path / signal.Signals(signum).name
        folder.mkdir()
        (folder / "fit.nc").write_bytes(PREVIOUS)
        argv = riskmodel(*fit, "--out", str(folder / "fit.nc"), "--allow-unconverged")
        runs[signum] = (Run(argv, env=env, cwd=folder, name="fit"), folder)
    # the library: no CLI signal handler, so nutpie swallows Ctrl-C and returns the draws
    library = tmp_path / "library"
    library.mkdir()
    (library / "fit.nc").write_bytes(PREVIOUS)
    argv = [sys.executable, "-c", LIBRARY_FIT, str(library / "fit.nc")]
    lib_run = Run(argv, env=env, cwd=library, name="fit")

    plan = [(run, sampling(run), signum) for signum, (run, _) in runs.items()]
    plan.append((lib_run, sampling(lib_run), signal.SIGINT))
    *codes, lib_code = signal_when(plan)
    for code, (signum, (run, folder)) in zip(codes, runs.items(), strict=True):
        _interrupted(run, code, signum)
        assert (folder / "fit.nc").read_bytes() == PREVIOUS
        assert sorted(p.name for p in folder.iterdir()) == ["fit.err", "fit.nc"]  # no tmp
    assert lib_code != 0
    assert "sampling was interrupted" in lib_run.err and "partial trace" in lib_run.err
    assert (library / "fit.nc").read_bytes() == PREVIOUS
    assert sorted(p.name for p in library.iterdir()) == ["fit.err", "fit.nc"]


def test_partial_trace_is_refused() -> None:
    from riskmodel.capability.sampling import _check_complete
    from riskmodel.config import load_config

    config = load_config({"sampler": {"draws": 100, "chains": 2}})
    for chains, draws in ((2, 37), (1, 100), (2, 0)):
        posterior = xr.Dataset({"x": (("chain", "draw"), np.zeros((chains, draws)))})
        tree = xr.DataTree.from_dict({"posterior": posterior})
        with pytest.raises(KeyboardInterrupt, match="partial trace was discarded"):
            _check_complete(tree, config)
    full = xr.Dataset({"x": (("chain", "draw"), np.zeros((2, 100)))})
    _check_complete(xr.DataTree.from_dict({"posterior": full}), config)


# ------------------------------------------------------------------------ simulation
@pytest.mark.slow
def test_interrupted_simulation_keeps_previous_result(tiny_runs: TinyRuns, tmp_path: Path) -> None:
    env = cli_env(tiny_runs.data)
    fit = str(tiny_runs.a / "capability_fit.nc")
    runs = {}
    for signum in (signal.SIGINT,):  # SIGTERM: in the write and in the report tests
        folder = tmp_path / signal.Signals(signum).name
        folder.mkdir()
        (folder / "simulation.nc").write_bytes(PREVIOUS)
        argv = riskmodel(
            "simulate",
            *("--fit", fit, "--draws", "20000", "--variants", "enrolled"),
            *("--uplift-evidence", "prior", "--out", str(folder / "simulation.nc")),
        )
        runs[signum] = (Run(argv, env=env, cwd=folder, name="simulate"), folder)
    chunk_done = r"simulate \[[#.]+\] +[1-9]\d*/\d+ chunks"
    codes = signal_when([(run, logged(run, chunk_done), sig) for sig, (run, _) in runs.items()])
    for code, (signum, (run, folder)) in zip(codes, runs.items(), strict=True):
        _interrupted(run, code, signum)
        assert (folder / "simulation.nc").read_bytes() == PREVIOUS
        assert temporary_files(folder) == []


SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import xarray as xr
    from riskmodel.cli import main

    def partial_then_stall(self, path=None, *args, **kwargs):
        Path(path).write_bytes(b"CDF half-written")  # the temporary file, incomplete
        time.sleep(600)

    xr.Dataset.to_netcdf = partial_then_stall
    sys.exit(main(sys.argv[1:]))
    """
)


@pytest.mark.slow
def test_signal_inside_an_atomic_write_leaves_no_partial_file(
    tiny_runs: TinyRuns, tmp_path: Path
) -> None:
    """Python's default SIGTERM kills without unwinding: the temporary file would leak."""
    env = cli_env(tiny_runs.data)
    fit = str(tiny_runs.a / "capability_fit.nc")
    runs = {}
    for signum in (signal.SIGTERM,):  # (the default SIGINT handler already unwinds)
        folder = tmp_path / signal.Signals(signum).name
        folder.mkdir()
        (folder / "simulation.nc").write_bytes(PREVIOUS)
        argv = [
            *(sys.executable, "-c", SLOW_WRITER, "simulate", "--fit", fit, "--draws", "20"),
            *("--variants", "enrolled", "--uplift-evidence", "prior", "--no-progress"),
            *("--out", str(folder / "simulation.nc")),
        ]
        runs[signum] = (Run(argv, env=env, cwd=folder, name="simulate"), folder)
    codes = signal_when([(run, writing(folder), sig) for sig, (run, folder) in runs.items()])
    for code, (signum, (run, folder)) in zip(codes, runs.items(), strict=True):
        _interrupted(run, code, signum)
        assert (folder / "simulation.nc").read_bytes() == PREVIOUS
        assert temporary_files(folder) == []


# ------------------------------------------------------------------------ the main job
def _previous_report(tiny_runs: TinyRuns, out: Path, figures: Path) -> None:
    """Fit A as the cached fit; every other output of run A as a previous-result file."""
    out.mkdir()
    figures.mkdir()
    for path in tiny_runs.a.iterdir():
        if path.name == "capability_fit.nc":
            shutil.copyfile(path, out / path.name)
        else:
            (out / path.name).write_bytes(PREVIOUS)
    for path in tiny_runs.figures_a.iterdir():
        (figures / path.name).write_bytes(PREVIOUS)


def _each_file_previous_or_complete(tiny_runs: TinyRuns, out: Path, figures: Path) -> int:
    """Each output is the previous file or a complete one equal to run A's; returns how
    many were rewritten."""
    rewritten = 0
    pairs = [(out / p.name, p) for p in tiny_runs.a.iterdir()]
    pairs += [(figures / p.name, p) for p in tiny_runs.figures_a.iterdir()]
    for path, reference in pairs:
        content = path.read_bytes()
        if content == PREVIOUS:
            continue
        if path.name == "capability_fit.nc":
            assert content == reference.read_bytes()
            continue
        rewritten += 1
        if path.suffix == ".nc":
            ignore = ("fit_file", "created")
            assert dataset_differences(path, reference, ignore_attrs=ignore) == [], path
        else:
            assert content == reference.read_bytes(), path
    return rewritten


HOLD_FIRST_WRITE = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from riskmodel.cli import main

    watched = {Path(folder).resolve() for folder in sys.argv[1].split(os.pathsep)}
    replace = os.replace

    def hold_first_then_replace(src, dst, *args, **kwargs):
        # atomic_path renames its complete temporary file over the target: the first
        # time it does so in a watched folder, wait (for the signal) before renaming
        if watched and Path(src).parent.resolve() in watched:
            watched.clear()
            print(f"holding {Path(src).name} before its rename", file=sys.stderr, flush=True)
            time.sleep(60)
        return replace(src, dst, *args, **kwargs)

    os.replace = hold_first_then_replace
    sys.exit(main(sys.argv[2:]))
    """
)


@pytest.mark.slow
def test_interrupted_report_leaves_previous_or_complete_files(
    tiny_runs: TinyRuns, tmp_path: Path
) -> None:
    """SIGTERM at the report's first temporary output file; SIGINT when it reaches the
    simulation step. The fit is reused from run A, so the outputs must equal A's.

    The SIGTERM run is ``riskmodel report`` under :data:`HOLD_FIRST_WRITE`, which holds
    its first atomic write into the output or figures folder, complete temporary file
    and all, just before the rename: the signal always lands inside ``atomic_path``
    (each write otherwise lasts a few ms, and a loaded machine's 2 ms poll could miss
    them all and see the report finish). The SIGINT run is not held: ``[5/6]`` comes
    seconds before the simulation's file is written."""
    env = cli_env(tiny_runs.data)
    runs = {}
    for signum in SIGNALS:
        root = tmp_path / signal.Signals(signum).name
        root.mkdir()
        out, figures = root / "out", root / "figures"
        _previous_report(tiny_runs, out, figures)
        args = [
            *("report", "--config", str(tiny_runs.settings), "--out", str(out)),
            *("--figures", str(figures), "--allow-unconverged"),
        ]
        if signum == signal.SIGTERM:
            watched = os.pathsep.join((str(out), str(figures)))
            argv = [sys.executable, "-c", HOLD_FIRST_WRITE, watched, *args]
        else:
            argv = riskmodel(*args)
        runs[signum] = (Run(argv, env=env, cwd=root, name="report"), out, figures)

    term, term_out, term_figures = runs[signal.SIGTERM]
    intr, intr_out, intr_figures = runs[signal.SIGINT]
    held = logged(term, r"holding \S+ before its rename")
    plan = [
        (term, lambda: held() and writing(term_out, term_figures)(), signal.SIGTERM),
        (intr, logged(intr, r"\[5/6\]"), signal.SIGINT),
    ]
    term_code, intr_code = signal_when(plan, poll=0.002)

    _interrupted(term, term_code, signal.SIGTERM)
    assert "reusing cached fit" in term.err
    assert temporary_files(term_out, term_figures) == []
    _each_file_previous_or_complete(tiny_runs, term_out, term_figures)
    assert (term_out / "report.html").read_bytes() == PREVIOUS

    _interrupted(intr, intr_code, signal.SIGINT)
    assert temporary_files(intr_out, intr_figures) == []
    rewritten = _each_file_previous_or_complete(tiny_runs, intr_out, intr_figures)
    assert rewritten >= 5  # forecasts, time horizons, hazard, curve, crossings (+ figures)
    for name in ("simulation.nc", "policy_summary.csv", "sensitivity.csv", "report.html"):
        assert (intr_out / name).read_bytes() == PREVIOUS, name


# ------------------------------------------------------------------------ concurrency
WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import xarray as xr
    from riskmodel.provenance import atomic_path  # what save_simulation and save_fit use

    target, k, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    for i in range(n):
        data = xr.Dataset({"x": ("row", np.full(200_000, float(k)))}, attrs={"writer": k, "i": i})
        with atomic_path(target) as tmp:
            data.to_netcdf(tmp, engine="h5netcdf")
    """
)


@pytest.mark.slow
def test_concurrent_writers_never_mix(tmp_path: Path) -> None:
    """Two processes rewrite one netCDF file 10 times each while this process reads it:
    every read sees one writer's complete file; the last file is complete; no tmp left."""
    target = tmp_path / "shared.nc"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target), str(k), "10"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for k in range(2)
    ]
    reads = 0
    try:
        while any(w.poll() is None for w in writers):
            if target.exists():
                with xr.open_dataset(target, engine="h5netcdf") as ds:
                    values = ds["x"].values
                    assert values.shape == (200_000,)
                    assert np.all(values == int(ds.attrs["writer"]))
                reads += 1
            time.sleep(0.01)
    finally:
        for w in writers:
            if w.poll() is None:
                w.kill()
            _, err = w.communicate()
            assert w.returncode == 0, err.decode()
    with xr.open_dataset(target, engine="h5netcdf") as ds:
        assert np.all(ds["x"].values == int(ds.attrs["writer"]))
        assert int(ds.attrs["i"]) == 9
    assert reads > 0
    assert temporary_files(tmp_path) == []


def test_concurrent_threads_via_atomic_path(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"

    def write(k: int) -> None:
        for _ in range(50):
            with atomic_path(target) as tmp:
                tmp.write_text("\n".join([f"writer,{k}"] * 2000) + "\n", encoding="utf-8")

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2000 and len(set(lines)) == 1
    assert temporary_files(tmp_path) == []


# ------------------------------------------------------------------------ atomic_path
def test_atomic_path_failure_or_interrupt_keeps_target(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    target.write_bytes(PREVIOUS)
    for error in (ValueError("writer failed"), Interrupted(signal.SIGTERM), KeyboardInterrupt()):
        with pytest.raises(type(error)), atomic_path(target) as tmp:
            tmp.write_bytes(b"half")
            raise error
        assert target.read_bytes() == PREVIOUS
        assert temporary_files(tmp_path) == []


def test_atomic_path_permissions_and_bad_targets(tmp_path: Path) -> None:
    new = tmp_path / "new.csv"
    with atomic_path(new) as tmp:
        tmp.write_text("a\n")
    umask = os.umask(0o022)
    os.umask(umask)
    assert new.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's private 0o600
    os.chmod(new, 0o640)
    with atomic_path(new) as tmp:
        tmp.write_text("b\n")
    assert new.stat().st_mode & 0o777 == 0o640  # a replaced file keeps its permissions
    for bad in (tmp_path, new / "below_a_file.csv"):
        with (
            pytest.raises(RiskmodelError, match="cannot write output file"),
            atomic_path(bad) as tmp,
        ):
            tmp.write_text("c\n")
    assert new.read_text() == "b\n"
    assert temporary_files(tmp_path) == []
