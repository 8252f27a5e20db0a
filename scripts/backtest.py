"""Time-split backtest of the capability model against a least-squares logistic baseline.

Usage: ``.venv/bin/python scripts/backtest.py [--cutoff 2024-07-01] [--draws N] [--tune N]``.
Prints the per-method summary (interval coverage, MAE) and the fit's diagnostics.
"""

from __future__ import annotations

import argparse
import json

from riskmodel.config import load_config
from riskmodel.evidence import load_evidence
from riskmodel.validation import time_split_backtest


def main() -> None:
    """Run the backtest and print its tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cutoff", default="2024-07-01")
    parser.add_argument("--draws", type=int)
    parser.add_argument("--tune", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sampler = {k: v for k, v in {"draws": args.draws, "tune": args.tune}.items() if v}
    config = load_config({"sampler": sampler} if sampler else None)
    result = time_split_backtest(load_evidence(), config, cutoff=args.cutoff, seed=args.seed)
    diag = json.loads(result.fit.attrs["diagnostics"])
    print(f"cutoff {args.cutoff}: {len(result.rows)} test results scored, {result.skipped} skipped")
    print(
        f"training fit: max R-hat {diag['max_rhat']:.4f}, min bulk ESS {diag['min_ess_bulk']:.0f}, "
        f"divergences {diag['divergences']}"
    )
    print(result.summary.to_string(float_format=lambda v: f"{v:.3f}"))
    by_benchmark = (
        result.rows.assign(
            bayes_err=lambda d: (d["bayesian_q50"] - d["observed"]).abs(),
            base_err=lambda d: (d["baseline_q50"] - d["observed"]).abs(),
        )
        .groupby("benchmark")[["bayes_err", "base_err"]]
        .mean()
    )
    print(by_benchmark.to_string(float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main()
