"""The draws of a seed do not depend on PyTensor's compile cache (``riskmodel/_compile.py``).

A short default capability fit (shipped evidence, seed 1, one chain of 10 + 10 draws: the
leapfrog trajectories are long enough to show a last-bit difference) runs in a fresh
process twice against one new PyTensor compile folder: first with it empty (a cold
cache, as on a fresh machine), then with the pieces the first run cached (a warm cache,
as on every rerun). The toolkit compiles without fast-math, so the two draw the same
numbers. A control pair compiled with PyTensor's default fast-math shows that the check
can fail: there the cold and the warm run differ (measured: they did at every size
tried, 10 to 300 draws). Each pair has its own compile folder; the pairs run side by side.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

#: A short default fit; prints the SHA-256 of its capability draws. ``argv[1]``: 1 to
#: compile with fast-math (the control), 0 for the toolkit's strict mode.
DRIVER = """
import hashlib, json, sys
import numpy as np
import riskmodel._compile as compile_mode
from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.model import build_capability_model
from riskmodel.capability.sampling import sample_model
from riskmodel.config import load_config
from riskmodel.evidence import load_evidence

compile_mode.NUMBA_FASTMATH = sys.argv[1] == "1"
config = load_config({"sampler": {"draws": 10, "tune": 10, "chains": 1, "seed": 1}})
data = prepare_capability_data(load_evidence(), config.capability)
tree, _ = sample_model(build_capability_model(data, config.capability), config, progress=False)
values = np.ascontiguousarray(tree["posterior"]["capability"].values)
print(json.dumps({"sha256": hashlib.sha256(values.tobytes()).hexdigest()}))
"""

RUN_TIMEOUT = 900.0


def _start(cache: Path, *, fastmath: bool, log: Path) -> subprocess.Popen:
    flags = [f for f in (os.environ.get("PYTENSOR_FLAGS"), f"base_compiledir={cache}") if f]
    env = {**os.environ, "PYTENSOR_FLAGS": ",".join(flags)}
    env.pop("RISKMODEL_DATA_DIR", None)  # the shipped evidence
    with log.open("w") as stderr:
        return subprocess.Popen(
            [sys.executable, "-c", DRIVER, "1" if fastmath else "0"],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )


def _draws_hash(process: subprocess.Popen, log: Path) -> str:
    out, _ = process.communicate(timeout=RUN_TIMEOUT)
    assert process.returncode == 0, log.read_text()[-3000:]
    return json.loads(out.strip().splitlines()[-1])["sha256"]


def _cold_then_warm(tmp_path: Path) -> dict[str, tuple[str, str]]:
    """Draw hashes (cold cache, warm cache) for the strict and the fast-math compile."""
    caches = {mode: tmp_path / f"pytensor-{mode}" for mode in ("strict", "fastmath")}
    hashes: dict[str, list[str]] = {mode: [] for mode in caches}
    for phase in ("cold", "warm"):
        running = {
            mode: (_start(cache, fastmath=mode == "fastmath", log=log), log)
            for mode, cache in caches.items()
            for log in [tmp_path / f"{mode}-{phase}.log"]
        }
        for mode, (process, log) in running.items():
            hashes[mode].append(_draws_hash(process, log))
        if phase == "cold":
            for mode, cache in caches.items():
                cached = list(cache.rglob("*.nbc"))
                assert cached, f"the {mode} cold run cached nothing in {cache}: no warm run"
    return {mode: (h[0], h[1]) for mode, h in hashes.items()}


@pytest.mark.slow
def test_draws_of_a_seed_do_not_depend_on_the_compile_cache(tmp_path: Path) -> None:
    hashes = _cold_then_warm(tmp_path)
    cold, warm = hashes["strict"]
    assert cold == warm, "strict compile: the cold-cache and warm-cache runs drew differently"
    control_cold, control_warm = hashes["fastmath"]
    assert control_cold != control_warm, (
        "fast-math compile: the cold and warm runs drew the same numbers, so this test no "
        "longer shows what strict compiling prevents; make the fit longer"
    )
    assert cold != control_cold  # the strict mode really compiled differently
