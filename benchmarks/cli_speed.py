"""Speed of the command line's light and batch paths against their old form, same run.

Usage::

    .venv/bin/python benchmarks/cli_speed.py [--fit results/capability_fit.nc]
        [--repeats 5] [--doc docs/cli_speed.md]

Measures, as wall time of fresh processes on this machine:

* ``riskmodel benchmarks`` (lazy imports: no PyMC) against the same command after
  importing PyMC and nutpie first, as the package did before its imports were lazy;
* ``riskmodel forecast`` of 100 queries in one call (5 benchmarks x 4 dates x 5 FLOP on
  the fit) against 100 one-query calls, estimated as 100 x the median of ``--repeats``
  one-query processes (each loads the fit again, as a researcher's loop of calls did).

Targets (issue 14): ``riskmodel benchmarks`` <= 0.5 s; 100 forecasts in one call <= 10 s
on the default fit. Reported, not asserted: the ratios are what compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = ("cybench", "mmlu", "gpqa_diamond", "swe_bench_verified", "intercode_ctf")
DATES = ("2025-12-01", "2026-06-01", "2027-01-01", "2028-01-01")
FLOPS = ("1e24", "1e25", "1e26", "1e27", "1e28")


def _wall(argv: list[str]) -> float:
    """Wall seconds of one process (it must succeed)."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def _median(argv: list[str], repeats: int) -> float:
    return statistics.median(_wall(argv) for _ in range(repeats))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", default=str(REPO / "results" / "capability_fit.nc"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--doc", default=None, help="also write the table to this Markdown file")
    args = parser.parse_args(argv)
    python = sys.executable
    cli = [python, "-c", "import sys; from riskmodel.cli import main; sys.exit(main())"]
    eager = [
        python,
        "-c",
        "import sys, pymc, nutpie; from riskmodel.cli import main; sys.exit(main())",
    ]
    light_new = _median([*cli, "benchmarks"], args.repeats)
    light_old = _median([*eager, "benchmarks"], args.repeats)
    forecast = [*cli, "forecast", "--fit", args.fit, "--format", "csv"]
    batch = [
        *forecast,
        "--benchmark",
        *BENCHMARKS,
        "--date",
        *DATES,
        "--flop",
        *FLOPS,
    ]
    n_queries = len(BENCHMARKS) * len(DATES) * len(FLOPS)
    batch_seconds = _wall(batch)
    one = [*forecast, "--benchmark", BENCHMARKS[0], "--date", DATES[1], "--flop", FLOPS[2]]
    one_seconds = _median(one, args.repeats)
    rows = [
        ("riskmodel benchmarks", light_old, light_new, 0.5),
        (f"forecast, {n_queries} queries", n_queries * one_seconds, batch_seconds, 10.0),
    ]
    lines = [
        f"# Command-line speed ({time.strftime('%Y-%m-%d')}, fit {Path(args.fit).name})",
        "",
        "| task | before (s) | now (s) | speed-up | target (s) | meets target |",
        "|---|---|---|---|---|---|",
        *(
            f"| {task} | {old:.2f} | {new:.2f} | {old / new:.1f}x | {target:g} | "
            f"{'yes' if new <= target else 'no'} |"
            for task, old, new, target in rows
        ),
        "",
        f"Before: `riskmodel benchmarks` after importing PyMC and nutpie (the old eager "
        f"package import); {n_queries} one-query processes estimated as {n_queries} x the "
        f"median of {args.repeats} ({one_seconds:.2f} s each). Medians of {args.repeats} "
        "runs except the one batch call.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.doc:
        Path(args.doc).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
