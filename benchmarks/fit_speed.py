"""Speed of the default capability fit: nutpie against PyMC's own NUTS, same run.

Usage: ``.venv/bin/python benchmarks/fit_speed.py [--draws N] [--tune N] [--chains N]``.

For each sampler it prints the wall time with compilation (``pm.sample`` end to end),
the compile time (measured separately by compiling the model's logp/gradient once),
the sampling time without it, the minimum bulk ESS over the gated parameters and bulk
ESS per second. The ratio nutpie / PyMC is what to compare across machines; the target
is the full default fit under 2 minutes on 2 cores (reported, not asserted).
"""

from __future__ import annotations

import argparse
import time

import pymc as pm

from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.diagnostics import compute_diagnostics
from riskmodel.capability.model import build_capability_model
from riskmodel.capability.sampling import gated_variables, sample_model
from riskmodel.config import load_config
from riskmodel.evidence import load_evidence


def _compile_seconds(model: pm.Model, sampler: str) -> float:
    start = time.perf_counter()
    if sampler == "nutpie":
        import nutpie

        nutpie.compile_pymc_model(model)
    else:
        model.compile_logp()
        model.compile_dlogp()
    return time.perf_counter() - start


def main() -> None:
    """Time both samplers and print a comparison table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--draws", type=int)
    parser.add_argument("--tune", type=int)
    parser.add_argument("--chains", type=int)
    parser.add_argument("--samplers", default="nutpie,pymc")
    args = parser.parse_args()
    evidence = load_evidence()
    rows = []
    for sampler in args.samplers.split(","):
        overrides = {"nuts_sampler": sampler}
        overrides.update(
            {k: v for k, v in vars(args).items() if k in ("draws", "tune", "chains") and v}
        )
        config = load_config({"sampler": overrides})
        data = prepare_capability_data(evidence, config.capability)
        model = build_capability_model(data, config.capability)
        compile_s = _compile_seconds(model, sampler)
        tree, wall = sample_model(build_capability_model(data, config.capability), config)
        names = gated_variables(model, tree["posterior"])
        diag = compute_diagnostics(
            tree["posterior"].to_dataset(),
            tree["sample_stats"].to_dataset(),
            var_names=names,
            gate=config.gate,
        )
        sampling = max(wall - compile_s, 1e-9)
        rows.append(
            (sampler, wall, compile_s, sampling, diag.min_ess_bulk, diag.max_rhat, diag.divergences)
        )
    header = ("sampler", "wall_s", "compile_s", "sample_s", "min_ess", "ess/s", "max_rhat", "div")
    print("{:8} {:>8} {:>9} {:>9} {:>8} {:>7} {:>8} {:>4}".format(*header))
    for sampler, wall, comp, samp, ess, rhat, div in rows:
        print(
            f"{sampler:8} {wall:8.1f} {comp:9.1f} {samp:9.1f} {ess:8.0f} "
            f"{ess / samp:7.2f} {rhat:8.4f} {div:4d}"
        )
    if len(rows) == 2:
        ratio = (rows[0][4] / rows[0][3]) / (rows[1][4] / rows[1][3])
        print(f"nutpie/pymc ESS-per-second ratio: {ratio:.2f}")


if __name__ == "__main__":
    main()
