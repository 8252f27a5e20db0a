"""Backtests at several cutoffs: tables, figures and ``docs/validation.md``.

:func:`run_backtests` is what ``scripts/validation_report.py`` (and a future
``riskmodel backtest`` command) calls. It runs :func:`~riskmodel.validation.harness.backtest`
at each cutoff (reusing cached training fits whose config hash matches), writes
``backtest_<cutoff>.csv`` (scored rows), ``backtest_summary.csv`` and
``backtest_fits.csv`` to ``out_dir``, the figures ``backtest_*.png/.svg`` and, if asked,
the Markdown report.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from riskmodel import __version__
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.plotting.style import save_figure
from riskmodel.plotting.validation import (
    METHOD_LABELS,
    TARGET_LABELS,
    TARGET_UNITS,
    plot_intervals,
    plot_predicted_vs_observed,
    plot_scores_by_cutoff,
)
from riskmodel.provenance import atomic_path
from riskmodel.validation.fits import cached_training_fit
from riskmodel.validation.harness import (
    COUNT_THRESHOLDS,
    METHODS,
    TARGETS,
    Backtest,
    backtest,
    check_request,
)
from riskmodel.validation.report_text import (
    DEFINITIONS,
    LIMITS,
    benchmark_bias_table,
    in_short,
    markdown_table,
    reading,
    where_it_loses,
    wins_and_losses,
    worst_misses,
)
from riskmodel.validation.splits import WINDOW_MONTHS

__all__ = ["BacktestReport", "run_backtests", "write_markdown"]

#: Score columns of the summary tables, their headings and number formats.
SUMMARY_COLUMNS: dict[str, tuple[str, str]] = {
    "n": ("n", "{:.0f}"),
    "coverage_50": ("cover 50%", "{:.2f}"),
    "coverage_90": ("cover 90%", "{:.2f}"),
    "crps": ("CRPS", "{:.4g}"),
    "log_score": ("log score", "{:.3g}"),
    "mae": ("MAE", "{:.4g}"),
}


@dataclass(frozen=True)
class BacktestReport:
    """Backtests of several cutoffs and their combined tables.

    Attributes
    ----------
    backtests
        One :class:`~riskmodel.validation.harness.Backtest` per cutoff.
    summary
        Columns ``cutoff``, ``target``, ``method``, ``n``, ``coverage_50``,
        ``coverage_90``, ``crps``, ``log_score``, ``mae``.
    fits
        One row per cutoff: ``cutoff``, ``train_models``, ``train_results``,
        ``fit_seconds`` (wall time of the capability fit, compile included; from the
        fit's own record when reused), ``sampling_seconds``, ``reused``, ``max_rhat``,
        ``min_ess_bulk``, ``divergences``, ``gate_passed``, ``count_years``.
    files
        Every file written.
    """

    backtests: list[Backtest]
    summary: pd.DataFrame
    fits: pd.DataFrame
    files: list[Path]


def _sampler_note(config: FitConfig) -> str:
    s = config.sampler
    return (
        f"Capability fits: {s.chains} chains x {s.draws} draws after {s.tune} tuning steps "
        f"({s.nuts_sampler}), sampler seed {s.seed}."
    )


def _fit_row(result: Backtest, reused: bool) -> dict[str, object]:
    diag = result.diagnostics
    wall = result.fit.attrs.get("fit_wall_seconds") if result.fit is not None else None
    return {
        "cutoff": result.cutoff,
        "train_models": result.n_train.get("models", 0),
        "train_results": result.n_train.get("results", 0),
        "fit_seconds": float(wall) if wall is not None else float(result.fit_seconds),
        "sampling_seconds": float(diag.get("sampling_seconds", np.nan)),
        "reused": reused,
        "max_rhat": float(diag.get("max_rhat", np.nan)),
        "min_ess_bulk": float(diag.get("min_ess_bulk", np.nan)),
        "divergences": int(diag.get("divergences", 0)),
        "gate_passed": bool(diag.get("passed", False)),
        "count_years": result.n_train.get("count_years", 0),
    }


def run_backtests(
    cutoffs: Sequence[str],
    *,
    config: FitConfig,
    seed: int,
    out_dir: str | Path,
    docs_path: str | Path | None,
    figures_dir: str | Path | None = None,
    fit_dir: str | Path | None = None,
    reuse_fits: bool = True,
    evidence: Evidence | None = None,
    targets: Sequence[str] = TARGETS,
    progress: bool = False,
    known_only: bool = False,
) -> BacktestReport:
    """Run the backtest at every cutoff and write its tables, figures and report.

    Parameters
    ----------
    cutoffs
        YYYY-MM-DD dates inside the data (each needs post-cutoff evidence).
    config
        Fit configuration of the capability model (sampler settings included).
    seed
        Seed of the predictive noise and baseline draws (the same at every cutoff).
    out_dir
        Folder of the CSV tables (e.g. ``results/validation``).
    docs_path
        Markdown report to write (e.g. ``docs/validation.md``), or None for none.
    figures_dir
        Folder of the figures; default ``<docs folder>/figures``, or
        ``<out_dir>/figures`` without a report.
    fit_dir
        Folder of cached training fits (reused when their config hash matches); None
        fits every time and keeps nothing.
    reuse_fits
        Reuse cached fits (False: refit and overwrite them).
    evidence
        All evidence (default: the shipped data).
    targets
        Subset of :data:`~riskmodel.validation.harness.TARGETS`.
    progress
        Print a line per cutoff.
    known_only
        Train only on results made public before each cutoff (strict as-of view; see
        :mod:`riskmodel.validation.splits`).

    Returns
    -------
    BacktestReport
    """
    evidence = evidence if evidence is not None else load_evidence()
    check_request(evidence, cutoffs=cutoffs, targets=targets)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if figures_dir is None:
        figures_dir = Path(docs_path).parent / "figures" if docs_path else out_dir / "figures"
    figures_dir = Path(figures_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    results: list[Backtest] = []
    fit_rows = []
    for cutoff in sorted(cutoffs):
        tree, reused = None, False
        if {"benchmark", "frontier"} & set(targets):
            tree, reused = cached_training_fit(
                evidence,
                config,
                cutoff=cutoff,
                fit_dir=fit_dir,
                reuse=reuse_fits,
                known_only=known_only,
            )
        result = backtest(
            evidence,
            config,
            cutoff=cutoff,
            seed=seed,
            targets=targets,
            fit=tree,
            known_only=known_only,
        )
        results.append(result)
        fit_rows.append(_fit_row(result, reused))
        path = out_dir / f"backtest_{cutoff}.csv"
        with atomic_path(path) as tmp:
            result.rows.to_csv(tmp, index=False, float_format="%.6g")
        files.append(path)
        if progress:
            print(f"cutoff {cutoff}: {len(result.rows)} scored rows", flush=True)
    summary = pd.concat(
        [r.summary.reset_index().assign(cutoff=r.cutoff) for r in results], ignore_index=True
    )
    summary = summary[["cutoff", "target", "method", *SUMMARY_COLUMNS]]
    target_order = {t: i for i, t in enumerate(TARGETS)}
    method_order = {m: i for t in TARGETS for i, m in enumerate(METHODS[t])}
    summary = (
        summary.assign(
            _t=summary["target"].map(target_order), _m=summary["method"].map(method_order)
        )
        .sort_values(["_t", "cutoff", "_m"], kind="stable")
        .drop(columns=["_t", "_m"])
        .reset_index(drop=True)
    )
    fits = pd.DataFrame(fit_rows)
    for name, table in (("backtest_summary.csv", summary), ("backtest_fits.csv", fits)):
        with atomic_path(out_dir / name) as tmp:
            table.to_csv(tmp, index=False, float_format="%.6g")
        files.append(out_dir / name)

    vintage = evidence.vintage
    note = _sampler_note(config)
    rows = pd.concat([r.rows for r in results], ignore_index=True)
    figures: dict[str, Path] = {}
    fig = plot_scores_by_cutoff(
        summary=summary, vintage=vintage, seed=seed, version=__version__, note=note
    )
    figures["scores"] = save_figure(fig, figures_dir / "backtest_scores")[0]
    for result in results:
        if "benchmark" in targets and len(result.rows):
            fig = plot_predicted_vs_observed(
                rows=result.rows,
                target="benchmark",
                cutoff=result.cutoff,
                vintage=vintage,
                seed=seed,
                version=__version__,
                note=note,
            )
            key = f"benchmark_{result.cutoff}"
            figures[key] = save_figure(fig, figures_dir / f"backtest_{key}")[0]
    for target in ("frontier", "counts"):
        if target in targets:
            fig = plot_intervals(
                rows=rows,
                target=target,
                cutoffs=[r.cutoff for r in results],
                vintage=vintage,
                seed=seed,
                version=__version__,
                note=note,
            )
            figures[target] = save_figure(fig, figures_dir / f"backtest_{target}")[0]
    for path in figures.values():
        files += [path, path.with_suffix(".svg")]
    if docs_path is not None:
        docs_path = Path(docs_path)
        text = write_markdown(
            summary=summary,
            fits=fits,
            rows=rows,
            results=results,
            config=config,
            seed=seed,
            vintage=vintage,
            figures={k: _relative(v, docs_path.parent) for k, v in figures.items()},
            out_dir=os.path.relpath(out_dir, docs_path.resolve().parent.parent),
        )
        with atomic_path(docs_path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        files.append(docs_path)
    return BacktestReport(backtests=results, summary=summary, fits=fits, files=files)


def _relative(path: Path, start: Path) -> str:
    try:
        return path.resolve().relative_to(start.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


# ---------------------------------------------------------------------------------------
# the Markdown report
# ---------------------------------------------------------------------------------------


def _target_table(summary: pd.DataFrame, target: str) -> str:
    part = summary[summary["target"] == target].copy()
    part["method"] = part["method"].map(lambda m: METHOD_LABELS.get(m, m))
    columns = {"cutoff": "cutoff", "method": "method"} | {
        k: v[0] for k, v in SUMMARY_COLUMNS.items()
    }
    table = part[list(columns)].rename(columns=columns)
    formats = {v[0]: v[1] for v in SUMMARY_COLUMNS.values()}
    return markdown_table(table, formats)


def write_markdown(
    *,
    summary: pd.DataFrame,
    fits: pd.DataFrame,
    rows: pd.DataFrame,
    results: list[Backtest],
    config: FitConfig,
    seed: int,
    vintage: str,
    figures: dict[str, str],
    out_dir: str,
) -> str:
    """The text of ``docs/validation.md`` (see :func:`run_backtests`)."""
    today = dt.date.today().isoformat()
    cutoffs = ", ".join(r.cutoff for r in results)
    fit_table = fits.copy()
    fit_table["converged (gate)"] = fit_table.pop("gate_passed").map({True: "yes", False: "no"})
    fit_table = fit_table.drop(columns=["reused"])
    fit_md = markdown_table(
        fit_table,
        {
            "fit_seconds": "{:.0f}",
            "sampling_seconds": "{:.0f}",
            "max_rhat": "{:.3f}",
            "min_ess_bulk": "{:.0f}",
        },
    )
    skipped = {r.cutoff: r.skipped.get("benchmark", {}) for r in results}
    wins, losses = wins_and_losses(summary)
    parts = [
        "# Validation: time-split backtests",
        "",
        f"Generated by `scripts/validation_report.py` on {today} (riskmodel {__version__}); "
        f"data vintage {vintage}; cutoffs {cutoffs}; seed {seed}. {_sampler_note(config)} "
        f"Scored rows: `{out_dir}/backtest_<cutoff>.csv`; summary "
        f"`backtest_summary.csv`; fits `backtest_fits.csv`. Do not edit by hand: rerun the "
        "script.",
        "",
        DEFINITIONS.format(
            window_months=WINDOW_MONTHS,
            thresholds=", ".join(f"1e{np.log10(t):g}" for t in COUNT_THRESHOLDS),
        ),
        "",
        "## Training fits",
        "",
        "Wall time of each capability fit (compile included) on this machine's 2 shared "
        "cores, and its convergence. The reduced sampler settings do not meet the "
        "project's gate (R-hat <= 1.01, bulk ESS >= 400); the forecasts use the draws "
        "anyway, so the Bayesian scores here are those of a shorter run than the "
        "production fit.",
        "",
        fit_md,
        "",
        "Post-cutoff results left out of the capability targets, per cutoff: "
        + "; ".join(
            f"{c}: {s.get('unknown_flop', 0)} with unknown FLOP, "
            f"{s.get('benchmark_not_forecastable', 0)} on benchmarks not forecastable by every "
            "method"
            for c, s in skipped.items()
        )
        + ".",
        "",
        "## Scores",
        "",
        f"![Scores by cutoff]({figures['scores']})",
        "",
    ]
    for target in TARGETS:
        if target not in set(summary["target"]):
            continue
        units = TARGET_UNITS[target]
        parts += [
            f"### {TARGET_LABELS[target][0].upper()}{TARGET_LABELS[target][1:]}",
            "",
            f"CRPS and MAE in {units}; log score in nats per row (log probability of the "
            "observed count).",
            "",
            _target_table(summary, target),
            "",
        ]
        if target == "benchmark":
            for r in results:
                key = f"benchmark_{r.cutoff}"
                if key in figures:
                    parts += [f"![Benchmark scores, cutoff {r.cutoff}]({figures[key]})", ""]
        elif target in figures:
            parts += [f"![{TARGET_LABELS[target]}]({figures[target]})", ""]
    parts += [
        "## Reading",
        "",
        "In short: " + in_short(summary),
        "",
        reading(summary, rows),
        "",
        "Mean (predictive median - observed) per benchmark over all cutoffs (fraction of "
        "tasks; positive: over-predicted):",
        "",
        benchmark_bias_table(rows),
        "",
        "Where the toolkit's models are best (per cutoff, on the mean over rows):",
        "",
        *(wins or ["- nowhere"]),
        "",
        "## Where the Bayesian model loses",
        "",
        where_it_loses(summary, rows),
        "",
        "Every (target, score, cutoff) where another method is better (its value vs the "
        "toolkit model's):",
        "",
        *(losses or ["- nowhere"]),
        "",
    ]
    for target in ("benchmark", "frontier", "counts"):
        if target in set(rows["target"]):
            parts += [
                f"Worst forecasts of the toolkit's model ({TARGET_LABELS[target]}, lowest "
                "log score), with the other methods' log scores on the same rows:",
                "",
                worst_misses(rows, target),
                "",
            ]
    parts += [
        LIMITS,
        "",
        "## Reproduce",
        "",
        "```bash",
        ".venv/bin/python scripts/validation_report.py   # reuses cached training fits",
        "```",
        "",
    ]
    text = "\n".join(parts)
    return text.rstrip() + "\n"
