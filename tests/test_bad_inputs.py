"""The bad-input corpus (``tests/bad_inputs/cases.toml``), run through the command line.

Every case is a real file with one problem (wrong column, unit, type, impossible value,
duplicate, empty file, huge value, non-UTF-8 bytes, formula injection, ...) in one of the
formats a user hands to riskmodel: evidence CSVs (``fit --evidence``), uplift studies
(``[files] uplift_studies`` of ``report --config``), settings files (``--config``),
policy-variant files (``simulate --variants``) and hazard-bar files (``--bars-file``).
For each case the command must

* exit with code 2 and print one plain message (no traceback) that names the problem and
  its location (the file plus line and column, or the file plus the dotted key);
* fail before any expensive step: sampling (PyMC/nutpie) and the simulation loop are
  replaced by a tripwire here, so a command that validates late fails the test at once
  instead of fitting for minutes;
* leave every previous result untouched (names, bytes and modification times of the
  output folders) and leave no temporary file, and create nothing in the working folder
  (the code-injection case would create ``PWNED`` if a config value were executed).

Most cases call :func:`riskmodel.cli.main` in the test process (fast; the shipped evidence
is loaded once and reused, it is immutable); the cases marked ``subprocess = true`` also
run as a real process to check the real exit code (slow tier). Cases marked ``xfail`` are known bugs
outside the loaders (described in their reason), strict so that fixing them flips the test.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import riskmodel.evidence.loaders as loaders
from riskmodel.cli import EXIT_USAGE, main

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
REPO = CORPUS.parent.parent

#: Previous results in the output folders: any change to them fails a case.
PREVIOUS = {
    "out": {
        "capability_fit.nc": b"previous fit\n",
        "simulation.nc": b"previous simulation\n",
        "forecasts.csv": b"benchmark,date,mean\ncybench,2026-06-01,0.4\n",
        "report.html": b"<html>previous report</html>\n",
    },
    "figures": {"hazard_vs_flop.png": b"previous figure"},
}


class ReachedExpensiveWork(BaseException):
    """Raised by the tripwires: the command got past validation into expensive work."""


def _tripwire(what: str):  # noqa: ANN202 - returns a stand-in function
    def stop(*args: object, **kwargs: object) -> None:
        raise ReachedExpensiveWork(f"{what} was reached: the input is validated too late")

    return stop


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tripwires on sampling and on the simulation loop; the shipped evidence cached."""
    import nutpie
    import pymc

    import riskmodel.simulation.run as run

    monkeypatch.setattr(pymc, "sample", _tripwire("pymc.sample"))
    monkeypatch.setattr(nutpie, "sample", _tripwire("nutpie.sample"))
    monkeypatch.setattr(nutpie, "compile_pymc_model", _tripwire("nutpie.compile_pymc_model"))
    monkeypatch.setattr(run, "run_chunk", _tripwire("the simulation loop"), raising=False)
    monkeypatch.setattr(loaders, "load_shipped_evidence", _cached_shipped_evidence)
    monkeypatch.chdir(CORPUS)


_load_shipped_evidence = loaders.load_shipped_evidence


@functools.cache
def _shipped() -> loaders.Evidence:
    return _load_shipped_evidence()


def _cached_shipped_evidence(data_dir: object = None) -> loaders.Evidence:
    assert data_dir is None
    return _shipped()


def _previous_results(root: Path) -> dict[str, Path]:
    folders = {}
    for name, files in PREVIOUS.items():
        folder = root / name
        folder.mkdir()
        for file, content in files.items():
            (folder / file).write_bytes(content)
        folders[name] = folder
    return folders


def _snapshot(*roots: Path) -> dict[str, tuple[str, int]]:
    """Relative path -> (sha256, mtime_ns) of every file under ``roots``."""
    state = {}
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[str(path)] = (digest, path.stat().st_mtime_ns)
    return state


def _argv(case: dict, folders: dict[str, Path]) -> list[str]:
    return [_fill(a, folders) for a in case["argv"]]


def _fill(text: str, folders: dict[str, Path]) -> str:
    return text.replace("{out}", str(folders["out"])).replace("{figures}", str(folders["figures"]))


def _check_message(case: dict, stderr: str, folders: dict[str, Path]) -> None:
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if not line.startswith("[riskmodel")]
    message = "\n".join(lines)
    command = case["argv"][0]
    assert message.startswith(f"riskmodel {command}: "), message
    for fragment in case["expect"]:
        assert _fill(fragment, folders) in message, f"{fragment!r} not in: {message}"


def _params(cases: list[dict]) -> list:
    params = []
    for case in cases:
        marks = []
        if "xfail" in case:
            marks.append(pytest.mark.xfail(strict=True, reason=case["xfail"]))
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def test_corpus_is_complete() -> None:
    """At least 30 cases; every file in the corpus is used; every kind of problem is here."""
    assert len(CASES) >= 30
    ids = [c["id"] for c in CASES]
    assert len(set(ids)) == len(ids)
    used = {a for c in CASES for a in c["argv"] if (CORPUS / a).is_file()}
    for case in CASES:
        for arg in case["argv"]:
            config = CORPUS / arg
            if config.suffix == ".toml" and config.is_file() and arg.startswith("config/"):
                try:  # data files named by a (valid) settings file
                    data = tomllib.loads(config.read_text(encoding="utf-8"))
                except ValueError:
                    continue
                used |= set(data.get("files", {}).values())
    files = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in ("cases.toml", "README.md")
    }
    assert files <= used, f"files without a case: {sorted(files - used)}"
    kinds = {c["kind"] for c in CASES}
    assert {"evidence CSV", "uplift studies", "settings file", "variant file", "hazard bars"} <= (
        kinds
    )
    problems = " ".join(c["problem"].lower() for c in CASES)
    for word in (
        "column",
        "unit",
        "type",
        "impossible",
        "duplicate",
        "empty",
        "huge",
        "utf-8",
        "formula",
    ):
        assert word in problems, word


@pytest.mark.usefixtures("guarded")
@pytest.mark.parametrize("case", _params(CASES))
def test_bad_input_is_refused_before_work_and_changes_nothing(
    case: dict, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folders = _previous_results(tmp_path)
    before = _snapshot(tmp_path, CORPUS)
    code = main(_argv(case, folders))
    captured = capsys.readouterr()
    assert code == EXIT_USAGE, captured.err
    _check_message(case, captured.err, folders)
    assert _snapshot(tmp_path, CORPUS) == before  # nothing created, changed or touched


@pytest.mark.slow  # a process per case; the same cases run in-process in the fast tier
@pytest.mark.parametrize("case", _params([c for c in CASES if c.get("subprocess")]))
def test_bad_input_exit_code_of_the_real_process(case: dict, tmp_path: Path) -> None:
    folders = _previous_results(tmp_path)
    before = _snapshot(tmp_path, CORPUS)
    done = subprocess.run(
        [sys.executable, "-m", "riskmodel.cli", *_argv(case, folders)],
        cwd=CORPUS,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == EXIT_USAGE, done.stderr
    _check_message(case, done.stderr, folders)
    assert _snapshot(tmp_path, CORPUS) == before
