"""Backtests at several cutoffs: tables, figures and ``docs/validation.md``.

:func:`run_backtests` is what ``riskmodel backtest`` (and ``scripts/validation_report.py``)
calls. Each cutoff is one unit of work (:func:`run_cutoff`): the capability fit on the
evidence released before it (stored in ``fit_dir`` and reused while the config, the
training evidence and the capability model's code are unchanged,
:func:`~riskmodel.capability.cache.load_or_fit`; written atomically; sampled with the
backtest's settings, :data:`~riskmodel.validation.fits.BACKTEST_SAMPLER`, unless
overridden), then
:func:`~riskmodel.validation.harness.backtest`. The units run one after the other, or in
parallel on a dask.distributed cluster (``scheduler=ADDRESS``; the workers need the
same repository and a shared ``fit_dir``). A cutoff that fails (an error in its fit or
its scoring) is reported, with its error, and does not lose the others: each finished
cutoff's scored rows are written as soon as it arrives.

Files in ``out_dir``: ``backtest_<cutoff>.csv`` (scored rows),
``backtest_<cutoff>_skipped.csv`` (frontier rows some method cannot forecast, with the
reason and the Bayesian model's scores where it can), ``backtest_summary.csv``,
``backtest_fits.csv`` (fit time, convergence, gate, errors); the figures
``backtest_*.png/.svg``; and, if asked, the Markdown report.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import expit

from riskmodel import __version__
from riskmodel._time import years_since
from riskmodel.config import FitConfig, load_config
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.plotting.style import save_figure
from riskmodel.plotting.validation import (
    TARGET_LABELS,
    TARGET_UNITS,
    plot_intervals,
    plot_predicted_vs_observed,
    plot_scores_by_cutoff,
)
from riskmodel.provenance import atomic_path
from riskmodel.validation.baselines import (
    MIN_BASELINE_ROWS,
    MIN_FRONTIER_FLOP_MODELS,
    MIN_TREND_WINDOWS,
)
from riskmodel.validation.cluster import Outcome, map_tasks
from riskmodel.validation.fits import BACKTEST_SAMPLER, cached_training_fit
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
    acceptance,
    benchmark_bias_table,
    by_kind_table,
    frontier_detail_table,
    in_short,
    markdown_table,
    method_label,
    reading,
    skipped_table,
    where_it_loses,
    wins_and_losses,
    worst_misses,
)
from riskmodel.validation.splits import WINDOW_MONTHS

__all__ = [
    "BacktestReport",
    "CutoffTask",
    "CutoffResult",
    "run_cutoff",
    "run_backtests",
    "write_markdown",
]

#: Score columns of the summary tables, their headings and number formats.
SUMMARY_COLUMNS: dict[str, tuple[str, str]] = {
    "n": ("n", "{:.0f}"),
    "coverage_50": ("cover 50%", "{:.2f}"),
    "coverage_90": ("cover 90%", "{:.2f}"),
    "crps": ("CRPS", "{:.4g}"),
    "log_score": ("log score", "{:.3g}"),
    "mae": ("MAE", "{:.4g}"),
}
#: Targets forecast from the capability fit (marked where that fit fails the gate).
CAPABILITY_TARGETS = ("benchmark", "frontier")
#: Columns of ``backtest_fits.csv``.
FIT_COLUMNS = [
    "cutoff",
    "status",
    "train_models",
    "train_results",
    "fit_seconds",
    "sampling_seconds",
    "reused",
    "max_rhat",
    "min_ess_bulk",
    "min_ess_tail",
    "divergences",
    "gate_passed",
    "count_years",
    "error",
]


@dataclass(frozen=True)
class CutoffTask:
    """One cutoff's unit of work (picklable, for a dask worker).

    Attributes
    ----------
    cutoff
        YYYY-MM-DD.
    config
        Fit configuration (sampler settings included).
    seed
        Seed of the predictive noise and baseline draws.
    targets
        Targets to score.
    fit_dir
        Folder of cached training fits (None: fit and keep nothing).
    reuse
        Reuse a stored fit that is current (config, training evidence and model source
        code; :func:`~riskmodel.capability.cache.stale_reason`).
    known_only
        Strict as-of training data (see :mod:`riskmodel.validation.splits`).
    """

    cutoff: str
    config: FitConfig
    seed: int
    targets: tuple[str, ...]
    fit_dir: str | None
    reuse: bool = True
    known_only: bool = False


@dataclass(frozen=True)
class CutoffResult:
    """A finished cutoff: its backtest (without the fit itself, which stays in the
    cache) and how its fit was obtained.

    Attributes
    ----------
    backtest
        The scored backtest; ``fit`` is None (the diagnostics are kept).
    reused
        Whether the fit came from the cache.
    fit_seconds
        Wall time of the capability fit when it was made (compile included; from the
        fit's own record when reused); NaN without a capability target.
    """

    backtest: Backtest
    reused: bool
    fit_seconds: float


def run_cutoff(evidence: Evidence, task: CutoffTask) -> CutoffResult:
    """Fit (or reuse) the training fit of ``task.cutoff`` and score every target.

    Module-level, so that a dask worker can run it; the training fit is saved to
    ``task.fit_dir`` atomically before it is scored, so a later failure keeps it.
    """
    tree, reused, seconds = None, False, float("nan")
    if {"benchmark", "frontier"} & set(task.targets):
        tree, reused = cached_training_fit(
            evidence,
            task.config,
            cutoff=task.cutoff,
            fit_dir=task.fit_dir,
            reuse=task.reuse,
            known_only=task.known_only,
        )
        seconds = float(tree.attrs.get("fit_wall_seconds", np.nan))
    result = backtest(
        evidence,
        task.config,
        cutoff=task.cutoff,
        seed=task.seed,
        targets=task.targets,
        fit=tree,
        known_only=task.known_only,
    )
    return CutoffResult(backtest=replace(result, fit=None), reused=reused, fit_seconds=seconds)


@dataclass(frozen=True)
class BacktestReport:
    """Backtests of several cutoffs and their combined tables.

    Attributes
    ----------
    backtests
        One :class:`~riskmodel.validation.harness.Backtest` per cutoff that finished
        (``fit`` None: the fits stay in the cache).
    summary
        Columns ``cutoff``, ``target``, ``method``, ``n``, ``coverage_50``,
        ``coverage_90``, ``crps``, ``log_score``, ``mae``, ``gate_passed``.
    fits
        One row per cutoff (finished or not): :data:`FIT_COLUMNS`. ``status`` is
        ``ok``, ``gate failed`` (scored, but from a fit that fails the convergence
        gate) or ``error``.
    skipped
        Frontier rows some method cannot forecast, all cutoffs (with the reason, and the
        Bayesian model's scores where it alone can forecast them).
    failures
        Cutoff -> error of the cutoffs that did not finish.
    files
        Every file written.
    """

    backtests: list[Backtest]
    summary: pd.DataFrame
    fits: pd.DataFrame
    skipped: pd.DataFrame
    failures: dict[str, str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)

    @property
    def gate_failures(self) -> list[str]:
        """Cutoffs whose capability fit fails the convergence gate."""
        table = self.fits
        return table.loc[table["status"] == "gate failed", "cutoff"].tolist()


def _sampler_settings(config: FitConfig) -> str:
    s = config.sampler
    return (
        f"{s.chains} chains x {s.draws} draws after {s.tune} tuning steps "
        f"({s.nuts_sampler}, {s.adaptation} adaptation, target accept {s.target_accept}), "
        f"sampler seed {s.seed}"
    )


def _geometry(config: FitConfig) -> str:
    """The capability fits' sampling geometry, in words (a sampling choice only: every
    geometry has the same posterior)."""
    c = config.capability
    if c.difficulty_pivot == "midpoint":
        where = "every benchmark's location sampled at its midpoint"
    elif c.pivot_benchmarks is None:
        where = "every benchmark's location pivoted where its results sit"
    else:
        where = f"the location pivoted where the results sit for {', '.join(c.pivot_benchmarks)}"
    main_fit = FitConfig().capability
    same = (c.difficulty_pivot, c.pivot_benchmarks) == (
        main_fit.difficulty_pivot,
        main_fit.pivot_benchmarks,
    )
    return f"{where} ({'as in the main fit' if same else '**not the main fit default**'})"


def _sampler_note(config: FitConfig) -> str:
    return f"Capability fits: {_sampler_settings(config)}; {_geometry(config)}."


def _fit_row(result: CutoffResult) -> dict[str, object]:
    bt = result.backtest
    diag = bt.diagnostics
    capability = bool(diag)
    passed = bool(diag.get("passed", False)) if capability else True
    return {
        "cutoff": bt.cutoff,
        "status": "ok" if passed else "gate failed",
        "train_models": bt.n_train.get("models", 0),
        "train_results": bt.n_train.get("results", 0),
        "fit_seconds": result.fit_seconds,
        "sampling_seconds": float(diag.get("sampling_seconds", np.nan)),
        "reused": result.reused,
        "max_rhat": float(diag.get("max_rhat", np.nan)),
        "min_ess_bulk": float(diag.get("min_ess_bulk", np.nan)),
        "min_ess_tail": float(diag.get("min_ess_tail", np.nan)),
        "divergences": int(diag.get("divergences", 0)),
        "gate_passed": passed,
        "count_years": bt.n_train.get("count_years", 0),
        "error": _gate_failures(diag.get("failures", [])) if not passed else "",
    }


def _gate_failures(failures: list[str], shown: int = 3) -> str:
    """The gate's failing elements, counted, with the first few named."""
    if not failures:
        return "failing the gate"
    more = f" (of {len(failures)} failing)" if len(failures) > shown else ""
    return "; ".join(failures[:shown]) + more


def _failed_row(cutoff: str, error: str) -> dict[str, object]:
    row: dict[str, object] = {c: np.nan for c in FIT_COLUMNS}
    row.update(cutoff=cutoff, status="error", reused=False, gate_passed=False, error=error)
    return row


def _write_csv(table: pd.DataFrame, path: Path) -> Path:
    with atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, float_format="%.6g")
    return path


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
    scheduler: str | None = None,
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
        Folder of cached training fits (reused when their cache key matches: same
        config, training evidence and capability model source code); None
        fits every time and keeps nothing. On a cluster it must be shared by the
        workers.
    reuse_fits
        Reuse cached fits (False: refit and overwrite them).
    evidence
        All evidence (default: the shipped data).
    targets
        Subset of :data:`~riskmodel.validation.harness.TARGETS`.
    progress
        Print a line per finished cutoff (stderr).
    known_only
        Train only on results made public before each cutoff (strict as-of view; see
        :mod:`riskmodel.validation.splits`).
    scheduler
        Address of a dask.distributed scheduler: the cutoffs run in parallel there.
        None: one after the other, here.

    Returns
    -------
    BacktestReport
        Also when some cutoffs failed (see ``failures``); the tables, figures and report
        then cover the cutoffs that finished.

    Raises
    ------
    RiskmodelError
        A bad request (unknown target, a cutoff that is no date or after the vintage),
        or an unreachable scheduler: before any fit.
    """
    evidence = evidence if evidence is not None else load_evidence()
    check_request(evidence, cutoffs=cutoffs, targets=targets)
    out_dir = Path(out_dir)
    if figures_dir is None:
        figures_dir = Path(docs_path).parent / "figures" if docs_path else out_dir / "figures"
    figures_dir = Path(figures_dir)
    files: list[Path] = []
    tasks = [
        CutoffTask(
            cutoff=cutoff,
            config=config,
            seed=seed,
            targets=tuple(targets),
            fit_dir=None if fit_dir is None else str(fit_dir),
            reuse=reuse_fits,
            known_only=known_only,
        )
        for cutoff in sorted(dict.fromkeys(cutoffs))
    ]

    def finished(outcome: Outcome) -> None:
        cutoff = outcome.task.cutoff
        if not outcome.ok:
            if progress:
                print(f"cutoff {cutoff}: FAILED: {outcome.error}", file=sys.stderr, flush=True)
            return
        result: Backtest = outcome.value.backtest
        files.append(_write_csv(result.rows, out_dir / f"backtest_{cutoff}.csv"))
        if len(result.skipped_rows):
            path = out_dir / f"backtest_{cutoff}_skipped.csv"
            files.append(_write_csv(result.skipped_rows, path))
        if progress:
            diag = result.diagnostics
            gate = (
                ""
                if not diag
                else f"; fit {outcome.value.fit_seconds:.0f} s, gate "
                + ("passed" if diag.get("passed") else "FAILED")
            )
            print(
                f"cutoff {cutoff}: {len(result.rows)} scored rows{gate}",
                file=sys.stderr,
                flush=True,
            )

    outcomes = map_tasks(run_cutoff, tasks, shared=evidence, scheduler=scheduler, on_done=finished)
    done = [o.value for o in outcomes if o.ok]
    failures = {o.task.cutoff: str(o.error) for o in outcomes if not o.ok}
    fits = pd.DataFrame(
        [_fit_row(o.value) if o.ok else _failed_row(o.task.cutoff, str(o.error)) for o in outcomes],
        columns=FIT_COLUMNS,
    )
    files.append(_write_csv(fits, out_dir / "backtest_fits.csv"))
    results = [r.backtest for r in done]
    skipped = pd.concat(
        [r.skipped_rows for r in results if len(r.skipped_rows)] or [pd.DataFrame()],
        ignore_index=True,
    )
    if not results:
        empty = pd.DataFrame(columns=["cutoff", "target", "method", *SUMMARY_COLUMNS])
        return BacktestReport([], empty, fits, skipped, failures, files)

    summary = _combined_summary(results, fits)
    files.append(_write_csv(summary, out_dir / "backtest_summary.csv"))

    vintage = evidence.vintage
    note = _sampler_note(config)
    rows = pd.concat([r.rows for r in results], ignore_index=True)
    figures = _figures(results, rows, summary, targets, figures_dir, vintage, seed, note)
    for path in figures.values():
        files += [path, path.with_suffix(".svg")]
    if docs_path is not None:
        docs_path = Path(docs_path)
        text = write_markdown(
            summary=summary,
            fits=fits,
            rows=rows,
            skipped=skipped,
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
    return BacktestReport(results, summary, fits, skipped, failures, files)


def _combined_summary(results: list[Backtest], fits: pd.DataFrame) -> pd.DataFrame:
    """Summary rows of every finished cutoff, in target, cutoff, method order."""
    summary = pd.concat(
        [r.summary.reset_index().assign(cutoff=r.cutoff) for r in results], ignore_index=True
    )
    summary = summary[["cutoff", "target", "method", *SUMMARY_COLUMNS]]
    target_order = {t: i for i, t in enumerate(TARGETS)}
    method_order = {(t, m): i for t in TARGETS for i, m in enumerate(METHODS[t])}
    summary = (
        summary.assign(
            _t=summary["target"].map(target_order),
            _m=[
                method_order.get(k, 99)
                for k in zip(summary["target"], summary["method"], strict=True)
            ],
        )
        .sort_values(["_t", "cutoff", "_m"], kind="stable")
        .drop(columns=["_t", "_m"])
        .reset_index(drop=True)
    )
    gate = fits.set_index("cutoff")["gate_passed"]
    summary["gate_passed"] = summary["cutoff"].map(gate).astype(bool)
    return summary


def _figures(
    results: list[Backtest],
    rows: pd.DataFrame,
    summary: pd.DataFrame,
    targets: Sequence[str],
    figures_dir: Path,
    vintage: str,
    seed: int,
    note: str,
) -> dict[str, Path]:
    figures: dict[str, Path] = {}
    fig = plot_scores_by_cutoff(
        summary=summary, vintage=vintage, seed=seed, version=__version__, note=note
    )
    figures["scores"] = save_figure(fig, figures_dir / "backtest_scores")[0]
    for result in results:
        if "benchmark" in targets and (result.rows.get("target") == "benchmark").any():
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
        if target in targets and (rows["target"] == target).any():
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
    return figures


def _relative(path: Path, start: Path) -> str:
    try:
        return path.resolve().relative_to(start.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


# ---------------------------------------------------------------------------------------
# the Markdown report
# ---------------------------------------------------------------------------------------


def _cutoff_cell(cutoff: str, gate: dict[str, bool]) -> str:
    return cutoff if gate.get(cutoff, True) else f"{cutoff} (gate failed)"


def _target_table(summary: pd.DataFrame, target: str) -> str:
    part = summary[summary["target"] == target].copy()
    if target in CAPABILITY_TARGETS:  # the counts target does not use the capability fit
        gate = dict(zip(summary["cutoff"], summary["gate_passed"], strict=True))
        part["cutoff"] = part["cutoff"].map(lambda c: _cutoff_cell(c, gate))
    part["method"] = part["method"].map(lambda m: method_label(m, target))
    columns = {"cutoff": "cutoff", "method": "method"} | {
        k: v[0] for k, v in SUMMARY_COLUMNS.items()
    }
    table = part[list(columns)].rename(columns=columns)
    formats = {v[0]: v[1] for v in SUMMARY_COLUMNS.values()}
    return markdown_table(table, formats)


def _fits_section(fits: pd.DataFrame, config: FitConfig) -> list[str]:
    table = fits.copy()
    table["gate"] = table["gate_passed"].map({True: "passed", False: "FAILED"})
    table.loc[table["status"] == "error", "gate"] = "error"
    shown = table[
        [
            "cutoff",
            "train_models",
            "train_results",
            "fit_seconds",
            "sampling_seconds",
            "max_rhat",
            "min_ess_bulk",
            "min_ess_tail",
            "divergences",
            "gate",
        ]
    ].rename(
        columns={
            "train_models": "models",
            "train_results": "results",
            "fit_seconds": "fit (s)",
            "sampling_seconds": "sampling (s)",
            "max_rhat": "max R-hat",
            "min_ess_bulk": "min bulk ESS",
            "min_ess_tail": "min tail ESS",
        }
    )
    g = config.gate
    backtest_default = load_config({"sampler": BACKTEST_SAMPLER}).sampler
    default = config.sampler == backtest_default
    lines = [
        "## Training fits",
        "",
        "One capability fit per cutoff on the evidence released before it, with the "
        + ("default" if default else "**overridden (not the default)**")
        + " sampler settings of the backtest (the fit config's with "
        "`riskmodel.validation.fits.BACKTEST_SAMPLER` on top: early cutoffs leave more "
        f"parameters to their priors and need smaller steps and more draws; "
        f"{_sampler_settings(config)}; {_geometry(config)}, a sampling choice only), "
        "checked against "
        f"the quality gate (R-hat <= {g.max_rhat}, bulk ESS >= {g.min_ess_bulk:.0f}, "
        f"divergences <= {g.max_divergences}; over every free parameter and the model "
        "capabilities). Fit time: wall time of the fit (compile included; as recorded when "
        "the fit was made, if it was reused from the cache) on this machine's 2 cores, "
        "shared with other work.",
        "",
        markdown_table(
            shown,
            {
                "fit (s)": "{:.0f}",
                "sampling (s)": "{:.0f}",
                "max R-hat": "{:.4f}",
                "min bulk ESS": "{:.0f}",
                "min tail ESS": "{:.0f}",
                "divergences": "{:.0f}",
                "models": "{:.0f}",
                "results": "{:.0f}",
            },
        ),
        "",
    ]
    bad = table[table["status"] != "ok"]
    if bad.empty:
        lines += ["Every fit passes the gate.", ""]
    for row in bad.itertuples():
        if row.status == "error":
            lines += [f"**Cutoff {row.cutoff} failed and is not scored**: {row.error}", ""]
        else:
            lines += [
                f"**Cutoff {row.cutoff}: the fit fails the gate** ({row.error}). Its scores "
                'below are from that unconverged fit, marked "(gate failed)", and it '
                "counts as failing every acceptance check.",
                "",
            ]
    return lines


def _hindsight(config: FitConfig, cutoffs: list[str]) -> list[str]:
    """A Limits bullet: the fixed change point of method progress, where it lies after a
    cutoff, and how much of the (then unidentified) post-training rate enters the
    forecast rate there (the logistic hinge of the rate at the cutoff)."""
    cap = config.capability
    change = getattr(cap, "method_change_date", None)
    if change is None:
        return []
    late = [c for c in cutoffs if c < change]
    if not late:
        return []
    weights = ", ".join(
        f"{c}: {expit((years_since(c, change)) / cap.method_change_smoothing_years):.2f}"
        for c in late
    )
    return [
        f"- **Hindsight in the configuration.** The change point of method progress is "
        f"fixed at {change} (`method_change_date`, the first reasoning model), and the "
        "prior of the post-training rate cites 2024-25 evidence; at cutoffs before that "
        "date the training data cannot inform the post-training rate, but its prior "
        "enters the forecast rate of progress with the weight of the smooth change at the "
        f"cutoff ({weights}). (The reasoning gain enters only from the first reasoning "
        "release in the training data, so not before 2024-09.) The backtest uses the "
        "configuration as shipped; it is not an as-of configuration."
    ]


def write_markdown(
    *,
    summary: pd.DataFrame,
    fits: pd.DataFrame,
    rows: pd.DataFrame,
    skipped: pd.DataFrame,
    results: list[Backtest],
    config: FitConfig,
    seed: int,
    vintage: str,
    figures: dict[str, str],
    out_dir: str,
) -> str:
    """The text of ``docs/validation.md`` (see :func:`run_backtests`)."""
    today = dt.date.today().isoformat()
    cutoffs = ", ".join(fits["cutoff"])
    skipped_bench = {r.cutoff: r.skipped.get("benchmark", {}) for r in results}
    wins, losses = wins_and_losses(summary)
    parts = [
        "# Validation: time-split backtests",
        "",
        f"Generated by `riskmodel backtest` on {today} (riskmodel {__version__}); data "
        f"vintage {vintage}; cutoffs {cutoffs}; seed {seed}. {_sampler_note(config)} "
        f"Scored rows: `{out_dir}/backtest_<cutoff>.csv` (skipped frontier rows: "
        "`backtest_<cutoff>_skipped.csv`); summary `backtest_summary.csv`; fits "
        "`backtest_fits.csv`. Do not edit by hand: rerun the command.",
        "",
        DEFINITIONS.format(
            window_months=WINDOW_MONTHS,
            thresholds=", ".join(f"1e{np.log10(t):g}" for t in COUNT_THRESHOLDS),
            min_rows=MIN_BASELINE_ROWS,
            min_windows=MIN_TREND_WINDOWS,
        ),
        "",
        *_fits_section(fits, config),
        "## Acceptance (issue targets)",
        "",
        acceptance(
            summary,
            rows=rows,
            skipped=skipped,
            # cutoffs that ran the frontier target (with or without rows to score)
            frontier_cutoffs=[r.cutoff for r in results if "frontier" in r.skipped],
            gates=dict(zip(fits["cutoff"], fits["gate_passed"].astype(bool), strict=True)),
        ),
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
        label = TARGET_LABELS[target]
        parts += [
            f"### {label[0].upper()}{label[1:]}",
            "",
            f"Per cutoff and method: rows scored (n), share of observations inside the "
            f"central 50% and 90% intervals, mean CRPS and MAE of the median in {units}, "
            "mean log score in nats per row (log probability of the observed count).",
            "",
            _target_table(summary, target),
            "",
        ]
        if target == "benchmark":
            parts += [
                "Post-cutoff results left out, per cutoff: "
                + "; ".join(
                    f"{c}: {s.get('unknown_flop', 0)} with unknown FLOP, "
                    f"{s.get('benchmark_not_forecastable', 0)} on instruments not "
                    "forecastable by every method"
                    for c, s in skipped_bench.items()
                )
                + ".",
                "",
            ]
            for r in results:
                key = f"benchmark_{r.cutoff}"
                if key in figures:
                    parts += [f"![Benchmark scores, cutoff {r.cutoff}]({figures[key]})", ""]
        elif target in figures:
            parts += [f"![{label}]({figures[target]})", ""]
        if target == "frontier":
            parts += [
                "By harness kind of the instrument (chat, agent; the base-model few-shot "
                "instruments are no frontier target), per cutoff:",
                "",
                by_kind_table(rows, "frontier"),
                "",
                "Every scored row (observed best with the model that set it; each "
                "method's median and central 90% interval, and its CRPS):",
                "",
                frontier_detail_table(rows),
                "",
                "Rows left out because some method cannot forecast them (every method is "
                "scored on the same rows). Reasons: *not in fit* = no pre-cutoff result on "
                "the instrument, so the Bayesian model has no parameters for it; "
                f"*< {MIN_TREND_WINDOWS} windows* = fewer than {MIN_TREND_WINDOWS} pre-cutoff "
                "windows with results (no score trend); "
                f"*< {MIN_BASELINE_ROWS} FLOP rows* = fewer than {MIN_BASELINE_ROWS} training "
                "results with known FLOP (no logistic curve); *no IRT* = no item-response fit "
                f"with a theta regression; *< {MIN_FRONTIER_FLOP_MODELS} frontier models* = "
                f"fewer than {MIN_FRONTIER_FLOP_MODELS} pre-cutoff frontier models with a FLOP "
                "value (no frontier compute trend). Where the Bayesian model "
                "can forecast the row, its median, 90% interval and CRPS are shown; they are "
                "not in the tables above, but count in the acceptance check of its 90% "
                "coverage on every row it forecasts:",
                "",
                skipped_table(skipped),
                "",
            ]
    parts += [
        "## Reading",
        "",
        "In short: " + in_short(summary),
        "",
        reading(summary, rows),
        "",
        "Mean (predictive median - observed) per instrument over all cutoffs, benchmark "
        "scores at known FLOP (fraction of tasks; positive: over-predicted):",
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
        *_hindsight(config, [r.cutoff for r in results]),
        "",
        "## Reproduce",
        "",
        "```bash",
        ".venv/bin/riskmodel backtest            # reuses cached fits in results/validation/fits",
        ".venv/bin/riskmodel backtest --scheduler tcp://HOST:8786   # cutoffs in parallel",
        "```",
        "",
    ]
    text = "\n".join(parts)
    return text.rstrip() + "\n"
