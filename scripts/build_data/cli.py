"""Command line: ``.venv/bin/python scripts/build_data [REF_DIR] [--vintage V] [--out-dir D]``."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from build_data.build import Tables, build, write
from build_data.vintage import make_vintage

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference-data"
DEFAULT_OUT_DIR = REPO_ROOT / "data"


def summary(t: Tables) -> list[str]:
    """Summary lines printed after a build (counts quoted in data/SOURCES.md)."""
    evidence = set(t.facts["evidence_models"])  # type: ignore[arg-type]
    lines = []
    by_bench = Counter(str(r["benchmark"]) for r in t.results)
    lines.append(f"results by benchmark: {dict(sorted(by_bench.items()))}")
    by_src = Counter(str(r["source"]) for r in t.runs)
    lines.append(f"task runs by source: {dict(sorted(by_src.items()))}")
    by_conf = Counter(str(r["flop_confidence"]) for r in t.models)
    lines.append(f"flop_confidence: {dict(sorted(by_conf.items()))}")
    ev_rows = [r for r in t.models if r["model"] in evidence]
    lines.append(
        f"evidence models: {len(ev_rows)}, with FLOP: "
        f"{sum(r['training_flop'] is not None for r in ev_rows)}"
    )
    lines.append(
        f"Epoch rows matched to evidence ids: {sum(1 for r in t.models if r['epoch_name'])}"
    )
    lines.append(
        "evidence release_date_source: "
        f"{dict(sorted(Counter(str(r['release_date_source']) for r in ev_rows).items()))}"
    )
    lines.append(
        "reasoning_trained: "
        f"{dict(sorted(Counter(str(r['reasoning_trained']) for r in t.models).items()))}"
    )
    dated = [r for r in ev_rows if any(x["model"] == r["model"] for x in t.results + t.runs)]
    latest = max(str(r["release_date"]) for r in dated)
    lines.append(f"latest release date with results: {latest}")
    for key, value in sorted(t.facts.items()):
        if key != "evidence_models":
            lines.append(f"{key}: {value}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Build one vintage, validate it, write it and print summary counts."""
    parser = argparse.ArgumentParser(description="Build the evidence tables in data/.")
    parser.add_argument(
        "reference_dir",
        nargs="?",
        type=Path,
        default=DEFAULT_REFERENCE_DIR,
        help="reference-data folder (default: <repo>/../shared/reference-data)",
    )
    parser.add_argument(
        "--vintage",
        choices=("2025-09", "2025-02"),
        default="2025-09",
        help="2025-09 (default; models released before 2025-09-01) or 2025-02 "
        "(the as-of-2025-02 snapshot plus the top-level ObsScaling files)",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=None,
        help="output folder (default: <repo>/data; required for 2025-02)",
    )
    args = parser.parse_args(argv)
    if args.out_dir is None:
        if args.vintage != "2025-09":
            parser.error("--vintage 2025-02 needs --out-dir (data/ holds the 2025-09 vintage)")
        args.out_dir = DEFAULT_OUT_DIR
    vintage = make_vintage(args.vintage, args.reference_dir)
    tables = build(vintage)
    counts = write(tables, args.out_dir, data_vintage=vintage.data_vintage, name=vintage.name)
    print(f"vintage {vintage.data_vintage} -> {args.out_dir}")
    for name, count in counts.items():
        print(f"{name}: {count} rows")
    for line in summary(tables):
        print(line)
    print(
        "checks passed: unique keys, declared slugs and harnesses, fractions in [0,1], "
        "result_date >= release_date"
    )
    return 0
