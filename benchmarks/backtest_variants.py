"""Capability-model variants side by side in one backtest: does a change cost calibration?

Usage::

    .venv/bin/python benchmarks/backtest_variants.py --variant default=
        --variant candidate=candidate.toml [--seeds 5 1 2] [--draws 1000] [--chains 4]
        [--cutoff 2024-01-01] [--evidence example|shipped] [--doc FILE]

Each ``--variant LABEL=FILE`` is the default configuration with the overrides in ``FILE``
(a settings file as ``riskmodel fit --config`` takes; empty: the defaults). For each
variant and sampler seed it runs :func:`riskmodel.validation.harness.backtest` at
``--cutoff`` (the capability fit on evidence released before it, then every target
scored on what came after), one fit after the other in this process, and reports the
Bayesian model's benchmark-score rows: count, coverage of the central 50% and 90%
intervals, mean CRPS and MAE (fraction of tasks), and per benchmark the 90% coverage and
the mean of (median - observed), with the fit's max R-hat and min bulk ESS. The
predictive seed is fixed (0), so variants differ only by model and sampler seed.
``--evidence example`` (default) is the package's example subset (a few dozen real
models, about a minute per fit); ``shipped`` is all the shipped evidence (a full-size
fit each). Reported, not asserted: a screening for changes to the capability model
before the full backtest (``riskmodel backtest``, ``docs/validation.md``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from riskmodel.config import load_config
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.examples import example_evidence
from riskmodel.provenance import atomic_path, source_commit
from riskmodel.validation import harness
from riskmodel.validation.scores import summarise_scores

REPO = Path(__file__).resolve().parent.parent


def parse_variant(text: str) -> tuple[str, Path | None]:
    """``LABEL=FILE`` (``LABEL=``: the defaults) into a label and an optional path."""
    label, sep, path = text.partition("=")
    if not sep or not label:
        raise SystemExit(f"--variant {text!r}: give LABEL=FILE (or LABEL= for the defaults)")
    return label, (Path(path) if path else None)


def load_backtest_evidence(kind: str) -> Evidence:
    """The shipped evidence, or its example subset (``kind`` ``example``)."""
    evidence = load_evidence()
    return example_evidence(evidence) if kind == "example" else evidence


def run_variant(
    label: str,
    overrides: Path | None,
    evidence: Evidence,
    *,
    seed: int,
    draws: int,
    chains: int,
    tune: int,
    cutoff: str,
) -> dict[str, object]:
    """One backtest; return its row of the table."""
    config = load_config(overrides)
    config = load_config(
        {"sampler": {"draws": draws, "chains": chains, "tune": tune, "seed": seed}}, base=config
    )
    start = time.perf_counter()
    result = harness.backtest(evidence, config, cutoff=cutoff, seed=0)
    seconds = time.perf_counter() - start
    rows = result.rows
    bench = rows[(rows["target"] == "benchmark") & (rows["method"] == "bayesian")]
    if bench.empty:
        raise SystemExit(
            f"variant {label!r}, seed {seed}: no benchmark-score rows to compare at cutoff "
            f"{cutoff}: no model released after it with a known FLOP has a result on an "
            "instrument every method can forecast; choose an earlier --cutoff or "
            "--evidence shipped"
        )
    by_benchmark = summarise_scores(bench, by=("benchmark",))
    bias = (bench["q50"] - bench["observed"]).groupby(bench["benchmark"]).mean()
    per_benchmark = {
        name: (int(row.n), float(row.coverage_90), float(bias[name]))
        for name, row in by_benchmark.iterrows()
    }
    total = result.summary.loc[("benchmark", "bayesian")]
    return {
        "variant": label,
        "seed": seed,
        "draws": f"{chains} x {draws}",
        "max_rhat": float(result.diagnostics["max_rhat"]),
        "min_ess_bulk": float(result.diagnostics["min_ess_bulk"]),
        "n": int(total["n"]),
        "coverage_50": float(total["coverage_50"]),
        "coverage_90": float(total["coverage_90"]),
        "crps": float(total["crps"]),
        "mae": float(total["mae"]),
        "per_benchmark": per_benchmark,
        "seconds": seconds,
    }


def markdown(table: list[dict[str, object]]) -> str:
    """The table, one row per variant and seed."""
    text = (
        "| variant | seed | draws | max R-hat | min bulk ESS | n | cover 50% | cover 90% | CRPS "
        "| MAE | per benchmark: n, cover 90%, mean(median - observed) | s |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    for r in table:
        per = "; ".join(
            f"{name} {n}, {cover:.2f}, {bias:+.3f}"
            for name, (n, cover, bias) in sorted(r["per_benchmark"].items())
        )
        text += (
            f"| {r['variant']} | {r['seed']} | {r['draws']} | {r['max_rhat']:.3f} "
            f"| {r['min_ess_bulk']:.0f} | {r['n']} | {r['coverage_50']:.2f} "
            f"| {r['coverage_90']:.2f} | {r['crps']:.4f} | {r['mae']:.4f} | {per} "
            f"| {r['seconds']:.0f} |\n"
        )
    means = pd.DataFrame(table).groupby("variant", sort=False)[["coverage_90", "crps"]].mean()
    text += "\nMean over seeds: " + "; ".join(
        f"{label}: cover 90% {row.coverage_90:.3f}, CRPS {row.crps:.4f}"
        for label, row in means.iterrows()
    )
    return text + ".\n"


def main() -> None:
    """Run the variants and print / write the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", action="append", required=True, metavar="LABEL=FILE")
    parser.add_argument("--seeds", type=int, nargs="+", default=[5, 1, 2])
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--tune", type=int, default=400)
    parser.add_argument("--cutoff", default="2024-01-01")
    parser.add_argument("--evidence", choices=("example", "shipped"), default="example")
    parser.add_argument("--doc", type=Path, default=None, help="also write the table here")
    parser.add_argument("--note", default=None, help="a paragraph on what was compared")
    args = parser.parse_args()
    variants = [parse_variant(v) for v in args.variant]
    evidence = load_backtest_evidence(args.evidence)
    table = [
        run_variant(
            label,
            path,
            evidence,
            seed=seed,
            draws=args.draws,
            chains=args.chains,
            tune=args.tune,
            cutoff=args.cutoff,
        )
        for seed in args.seeds
        for label, path in variants
    ]
    text = markdown(table)
    print(text)
    if args.doc is not None:
        header = (
            f"# Capability-model variants in one backtest (cutoff {args.cutoff}, "
            f"{args.evidence} evidence)\n\nGenerated by `benchmarks/backtest_variants.py` on "
            f"{time.strftime('%Y-%m-%d')} (commit {source_commit(REPO)}); Bayesian model, "
            "benchmark-score rows only. Do not edit by hand: rerun the script.\n\n"
        )
        if args.note:
            header += args.note + "\n\n"
        with atomic_path(args.doc) as tmp:
            tmp.write_text(header + text, encoding="utf-8")


if __name__ == "__main__":
    main()
