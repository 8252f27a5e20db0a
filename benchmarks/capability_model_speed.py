"""Capability model v2 against v1 on the shipped data: bulk ESS per second, same run.

Usage::

    .venv/bin/python benchmarks/capability_model_speed.py [--baseline-commit REV]
        [--seeds 1 2 ...] [--skip-baseline]

Each fit runs in its own process (compile included in the wall time), one after the
other, so both see the same machine load. The baseline ("v1") is the package as of
``--baseline-commit`` (default: the last commit before capability model v2), exported
with ``git archive`` into a temporary folder together with its ``data/`` and fitted at
its own default settings. The current model ("v2") is fitted from this checkout at its
defaults. Reported per fit: wall seconds, max R-hat, min bulk ESS over the gated
parameters, divergences, and min bulk ESS per wall second; then the v2/v1 ratio of ESS
per second, which is what to compare across machines (reported, not asserted).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: Last commit with capability model v1 (before issue 12).
BASELINE_COMMIT = "fbd589d"

_FIT_SNIPPET = """
import json, sys, time
start = time.perf_counter()
try:
    from riskmodel.capability.sampling import fit
except ModuleNotFoundError:  # version 1's layout
    from riskmodel.capability.fit import fit
overrides = json.loads(sys.argv[1])
tree = fit(allow_unconverged=True, **overrides)
wall = time.perf_counter() - start
diag = json.loads(tree.attrs["diagnostics"])
print("RESULT " + json.dumps({"wall_s": wall, **diag}))
"""


def _export(commit: str, into: Path) -> Path:
    """Export ``riskmodel/`` and ``data/`` of ``commit`` into ``into``."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", commit, "riskmodel", "data"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run_fit(cwd: Path, overrides: dict[str, object]) -> dict[str, float]:
    """Fit in a fresh interpreter with ``cwd`` first on the path; return diagnostics."""
    env_path = str(cwd)
    proc = subprocess.run(
        [sys.executable, "-c", _FIT_SNIPPET, json.dumps(overrides)],
        cwd=cwd,
        env={**_clean_env(), "PYTHONPATH": env_path},
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"fit in {cwd} failed:\n{proc.stderr[-3000:]}")


def _head() -> str:
    """Short commit of this checkout (``+`` when it has uncommitted changes)."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True)
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def main() -> None:
    """Fit v1 and v2 and print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--baseline-commit", default=BASELINE_COMMIT)
    parser.add_argument("--seeds", type=int, nargs="+", default=[20240829])
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "docs" / "capability_model_speed.md",
        help="markdown table to write (atomically); '-' prints only",
    )
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        baseline = None if args.skip_baseline else _export(args.baseline_commit, Path(tmp))
        for seed in args.seeds:
            for label, cwd in (("v1", baseline), ("v2", REPO)):
                if cwd is None:
                    continue
                start = time.perf_counter()
                result = _run_fit(cwd, {"seed": seed})
                result.setdefault("wall_s", time.perf_counter() - start)
                rows.append((label, seed, result))
    lines = [
        "| model | seed | wall s | max R-hat | min bulk ESS | divergences | min bulk ESS per s |",
        "|---|---|---|---|---|---|---|",
    ]
    per_model: dict[str, list[float]] = {}
    for label, seed, r in rows:
        rate = r["min_ess_bulk"] / r["wall_s"]
        per_model.setdefault(label, []).append(rate)
        lines.append(
            f"| {label} | {seed} | {r['wall_s']:.1f} | {r['max_rhat']:.4f} | "
            f"{r['min_ess_bulk']:.0f} | {int(r['divergences'])} | {rate:.2f} |"
        )
    if "v1" in per_model and "v2" in per_model:
        ratio = (sum(per_model["v2"]) / len(per_model["v2"])) / (
            sum(per_model["v1"]) / len(per_model["v1"])
        )
        lines += ["", f"v2/v1 ratio of min bulk ESS per second: **{ratio:.2f}**"]
    table = "\n".join(lines)
    print(table)
    if str(args.out) != "-":
        head = (
            "# Capability model v2 against v1: bulk ESS per second\n\n"
            f"Generated by `benchmarks/capability_model_speed.py` on "
            f"{time.strftime('%Y-%m-%d')} (v1 = commit {args.baseline_commit}, at its own "
            f"defaults; v2 = this checkout, commit {_head()}, at its defaults; each fit in "
            "its own process, one "
            "after the other, on the same machine; wall includes import and compile). Do not "
            "edit by hand: rerun the script.\n\n"
        )
        tmp_out = args.out.with_name(f".{args.out.name}.tmp")
        tmp_out.write_text(head + table + "\n", encoding="utf-8")
        tmp_out.replace(args.out)


if __name__ == "__main__":
    main()
