"""Headline hazard numbers on a fitted model, with their sensitivity: docs/hazard_numbers.md.

Usage::

    .venv/bin/python benchmarks/hazard_numbers.py [--fit results/capability_fit.nc]
        [--date 2026-06-01] [--seed 11] [--doc docs/hazard_numbers.md]

Writes a Markdown page with, for a model released on ``--date``:

* P(hazard) under both bars at 1e21, 1e23 and 1e25-1e28 FLOP with Monte Carlo errors,
  beside the numbers of the previous hazard model (measured on the same fit with the same
  seed: ``data/reference_results/hazard_model_v1.toml``, refused for another fit);
* each bar's crossing (pooled probability = required probability) with its Monte Carlo
  error, beside the previous crossing quantiles;
* the crossing's sensitivity to the main epistemic inputs
  (:func:`riskmodel.hazard.assess.crossing_sensitivity`), and how P(hazard) and the
  crossing move under the three modelling switches of this version: the record of
  incidents off, the current bar against no AI instead of the best non-covered model,
  and the uplift link from its elicited priors alone.

Reported, not asserted (the tests assert the properties).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from riskmodel.capability.predict import posterior_view
from riskmodel.capability.store import load_fit
from riskmodel.hazard.assess import assess_flops, crossing, crossing_with_sensitivity
from riskmodel.hazard.bars import load_hazard_bars
from riskmodel.hazard.previous import load_previous_hazard_numbers

REPO = Path(__file__).resolve().parent.parent
FLOPS = (1e21, 1e23, 1e25, 1e26, 1e27, 1e28)


def _markdown(rows: list[dict]) -> str:
    """A Markdown table of ``rows`` (same keys in each)."""
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    lines += ["| " + " | ".join(str(row[k]) for k in keys) + " |" for row in rows]
    return "\n".join(lines)


def _flop(x: float) -> str:
    return "beyond 1e32" if not math.isfinite(x) else f"{x:.2g}"


def _switches(fit, *, date: str, seed: int) -> list[dict]:
    """P(hazard) at 1e26/1e27 FLOP and the crossing under each modelling switch."""
    bars = load_hazard_bars()
    no_ai = bars["current"].model_copy(update={"counterfactual": "no_ai", "name": "current"})
    cases = {
        "this version": {"bars": ["raised", "current"]},
        "record of incidents off": {"bars": ["raised", "current"], "record": False},
        "current bar against no AI": {"bars": [no_ai]},
        "uplift link from priors only": {"bars": ["raised", "current"], "link_params": "prior"},
        "current bar with the commentary's allowance (25% FLOP and cost, 2 years)": {
            "bars": [
                bars["current"].model_copy(
                    update={"enhancement": bars["raised"].enhancement, "name": "current"}
                )
            ]
        },
    }
    rows = []
    for label, kwargs in cases.items():
        per_flop = assess_flops(fit, flops=[1e26, 1e27], date=date, seed=seed, **kwargs)
        for results in zip(*per_flop, strict=True):
            bar = results[0]["bar"]
            bar_obj = next(
                b for b in kwargs["bars"] if (b if isinstance(b, str) else b.name) == bar
            )
            extra = {k: v for k, v in kwargs.items() if k != "bars"}
            cross = crossing(fit, bar=bar_obj, date=date, seed=seed, frontier=True, **extra)
            rows.append(
                {
                    "switch": label,
                    "bar": bar,
                    "P at 1e26": f"{results[0]['probability']:.4f}",
                    "P at 1e27": f"{results[1]['probability']:.4f}",
                    "crossing FLOP": _flop(cross["flop"]),
                    "frontier date": cross["frontier_date"] or "after 2040",
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit", default=str(REPO / "results" / "capability_fit.nc"))
    parser.add_argument("--date", default="2026-06-01")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--doc", default=str(REPO / "docs" / "hazard_numbers.md"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tree = load_fit(args.fit)
    fit = posterior_view(tree)
    previous = load_previous_hazard_numbers()
    why_not = previous.mismatch(
        config_hash=str(tree.attrs.get("config_hash", "")),
        evidence_hash=str(tree.attrs.get("evidence_hash", "")),
        date=args.date,
        seed=args.seed,
        link_params="studies",
    )
    if why_not is not None:
        parser.error(f"no before/after comparison: {why_not}")
    per_flop = assess_flops(fit, flops=list(FLOPS), date=args.date, seed=args.seed)
    table = []
    for flop, results in zip(FLOPS, per_flop, strict=True):
        for r in results:
            before = previous.probability[(r["bar"], flop)]
            table.append(
                {
                    "FLOP": f"{flop:.0e}",
                    "bar": r["bar"],
                    "P before": f"{before:.4f}",
                    "P after": f"{r['probability']:.4f}",
                    "MC SE": f"{r['mc_se']:.4f}",
                    "95% upper": f"{r['probability_upper_95']:.4f}",
                    "hazardous after": "yes" if r["hazardous"] else "no",
                }
            )
    crossings, sensitivity = [], []
    for bar in ("current", "raised"):
        c, s = crossing_with_sensitivity(fit, bar=bar, date=args.date, seed=args.seed)
        crossings.append(
            {
                "bar": bar,
                "before (quantiles of a within-draw threshold)": previous.crossing[bar],
                "after: FLOP (MC SE dex)": f"{_flop(c['flop'])} ({c['flop_mc_se_dex']:.3f})",
                "after: frontier date (MC SE months)": (
                    f"{c['frontier_date'] or 'after 2040'} ({c['frontier_date_mc_se_months']:.1f})"
                ),
                "record ESS": f"{c['record_ess']:.0f} of {c['n_samples']}",
            }
        )
        for row in s.to_dict("records"):
            sensitivity.append(
                {
                    "bar": bar,
                    "input": row["assumption"],
                    "crossing, lower third": _flop(row["flop_low_third"]),
                    "crossing, upper third": _flop(row["flop_high_third"]),
                    "spread (dex)": f"{row['spread_dex']:.2f}",
                }
            )
    switches = _switches(fit, date=args.date, seed=args.seed)
    seconds = time.perf_counter() - started
    lines = [
        "# Hazard numbers: before and after the hazard and policy v2 model",
        "",
        f"Generated by `benchmarks/hazard_numbers.py` from `{Path(args.fit).name}` "
        f"(data vintage {fit.data_vintage}, {fit.n_samples} posterior draws), models released "
        f"{args.date}, hazard seed {args.seed}, in {seconds:.0f} s. 'Before' is the previous "
        "hazard model on the same fit and seed "
        f"(commit {previous.provenance['commit']}).",
        "",
        "## P(hazard condition) by training compute",
        "",
        _markdown(table),
        "",
        "## Crossings",
        "",
        "After: the FLOP (and the frontier date) at which the pooled probability equals the "
        "required probability, with its Monte Carlo standard error.",
        "",
        _markdown(crossings),
        "",
        "## Sensitivity of each crossing to the main epistemic inputs",
        "",
        "The crossing among the samples in the lower and the upper third of one input.",
        "",
        _markdown(sensitivity),
        "",
        "## The modelling switches of this version",
        "",
        _markdown(switches),
        "",
    ]
    Path(args.doc).write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
