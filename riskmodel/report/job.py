"""The main job: fit (or reuse a matching cached fit), forecasts, hazard, crossings,
simulation, LDE analysis, sensitivity, then the figures and the HTML report.

``riskmodel report`` runs :func:`run_report`. Every result is computed once, kept in a
:class:`~riskmodel.report.results.ReportResults` and passed down to the figures
(:mod:`riskmodel.report.figures`) and the report (:mod:`riskmodel.report.findings`).
Every output is written atomically; a cached fit is reused only when its config hash
matches the current config and evidence and its model source hash the current code.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel.capability.cache import load_or_fit
from riskmodel.capability.predict import (
    PosteriorView,
    capability_draws,
    forecast,
    posterior_view,
    time_horizon_minutes,
)
from riskmodel.capability.store import save_fit
from riskmodel.evidence import load_evidence
from riskmodel.hazard.inputs import HazardInputs
from riskmodel.policy.variants import PolicyVariant, load_variants
from riskmodel.provenance import atomic_path
from riskmodel.report.figures import draw_figures, report_figures
from riskmodel.report.findings import build_report
from riskmodel.report.results import (
    REPORT_BENCHMARKS,
    REPORT_DATES,
    REPORT_FLOP_DATE,
    REPORT_FLOPS,
    REPORT_SEED,
    PolicyResults,
    ReportResults,
    report_benchmarks,
)
from riskmodel.settings import Settings, check_references, load_settings
from riskmodel.uplift.store import UPLIFT_GROUP
from riskmodel.world.assumptions import WorldAssumptions

__all__ = ["run_report", "REPORT_BENCHMARKS", "REPORT_DATES", "REPORT_FLOPS"]


_STARTED = time.perf_counter()


def _log(message: str) -> None:
    """Progress message on stderr with the seconds since the module was imported."""
    print(
        f"[riskmodel {time.perf_counter() - _STARTED:6.1f} s] {message}",
        file=sys.stderr,
        flush=True,
    )


def forecast_table(view: PosteriorView, benchmarks: Sequence[str]) -> pd.DataFrame:
    """Frontier forecasts at :data:`REPORT_DATES` and fixed-compute forecasts at
    :data:`REPORT_FLOPS` of each of ``benchmarks``."""
    rows: list[dict[str, Any]] = []
    for slug in benchmarks:
        for date in REPORT_DATES:
            rows.append(forecast(view, benchmark=slug, date=date, frontier=True, seed=REPORT_SEED))
        for flop in REPORT_FLOPS:
            rows.append(
                forecast(view, benchmark=slug, date=REPORT_FLOP_DATE, flop=flop, seed=REPORT_SEED)
            )
    return pd.DataFrame(rows)


def horizon_table(view: PosteriorView) -> pd.DataFrame:
    """The frontier's 50% time horizon (minutes) per task suite at :data:`REPORT_DATES`."""
    rng = np.random.default_rng(REPORT_SEED)
    rows = []
    for suite in sorted(set(view.tasks["suite"])):
        for date in REPORT_DATES:
            cap = capability_draws(view, date=date, frontier=True, rng=rng)
            minutes = time_horizon_minutes(view, cap, suite=suite)
            q05, q50, q95 = np.quantile(minutes, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "suite": suite,
                    "date": date,
                    "h50_minutes_q05": q05,
                    "h50_minutes_q50": q50,
                    "h50_minutes_q95": q95,
                }
            )
    return pd.DataFrame(rows)


def _write_csv(df: pd.DataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False, float_format="%.6g")


def hazard_outputs(
    tree: xr.DataTree, settings: Settings, inputs: HazardInputs, out_dir: Path
) -> tuple[dict[str, Path], dict[str, pd.DataFrame]]:
    """P(hazard) table and curve, crossings and their sensitivity, with their CSVs.

    Returns
    -------
    (dict, dict)
        Name -> path of the CSVs written, and name -> table (``hazard``,
        ``hazard_curve``, ``crossings``, ``crossing_sensitivity``).
    """
    from riskmodel.hazard.curves import crossing_tables, hazard_curve

    h = settings.hazard
    common = {
        "date": h.date,
        "bars": h.bars,
        "link_params": h.link_params,
        "link": h.link,
        "seed": h.seed,
        "record": h.record,
        "inputs": inputs,
    }
    start, stop, step = h.curve_log10_flop
    grid = 10.0 ** np.arange(start, stop + step / 2, step)
    tables = {"hazard_curve": hazard_curve(tree, flops=grid.tolist(), **common)}
    tables["hazard"] = hazard_curve(tree, flops=list(h.table_flops), **common)
    samples = "one per posterior draw" if h.crossing_samples is None else h.crossing_samples
    _log(f"crossings and their sensitivity ({samples} Monte Carlo samples per bar)")
    crossing_args = {**common, "n_samples": h.crossing_samples}
    tables["crossings"], tables["crossing_sensitivity"] = crossing_tables(tree, **crossing_args)
    written = {}
    for name in ("hazard", "hazard_curve", "crossings", "crossing_sensitivity"):
        written[name] = out_dir / f"{name}.csv"
        _write_csv(tables[name], written[name])
    return written, tables


def policy_outputs(
    tree: xr.DataTree,
    settings: Settings,
    inputs: HazardInputs,
    world_assumptions: WorldAssumptions,
    variants: list[PolicyVariant],
    out_dir: Path,
) -> tuple[dict[str, Path], PolicyResults, xr.Dataset, pd.DataFrame]:
    """Simulation (netCDF, summary and developers CSVs), LDE analysis and sensitivity.

    Returns
    -------
    (dict, PolicyResults, xarray.Dataset, pandas.DataFrame)
        Name -> path of the files written, the simulation with its summaries (each
        computed once), the LDE table and the sensitivity table.
    """
    from riskmodel.policy.lde import all_benchmarks_table
    from riskmodel.simulation.run import save_simulation, simulate
    from riskmodel.simulation.sensitivity import sensitivity_table
    from riskmodel.world.fit import fit_world

    h, sim_cfg = settings.hazard, settings.simulation
    world = fit_world(assumptions=world_assumptions)
    _log(f"simulating {sim_cfg.draws} worlds x {len(variants)} variants")
    dataset = simulate(
        tree,
        variants=variants,
        config=sim_cfg,
        world=world,
        link_params=h.link_params,
        link=h.link,
        inputs=inputs,
        progress=True,
    )
    written = {"simulation": save_simulation(dataset, out_dir / "simulation.nc")}
    policy = PolicyResults.of(dataset)
    written["policy_summary"] = out_dir / "policy_summary.csv"
    _write_csv(policy.summary, written["policy_summary"])
    written["developers_under_obligations"] = out_dir / "developers_under_obligations.csv"
    _write_csv(policy.developers, written["developers_under_obligations"])
    _log("LDE 'all benchmarks' analysis")
    lde_table = all_benchmarks_table(
        gaps=[0.1, 0.3, 1.0],
        n_benchmarks=list(range(1, 31)),
        noise_sds=[0.15],
        rules=("all", "mean"),
    )
    written["lde_all_benchmarks"] = out_dir / "lde_all_benchmarks.nc"
    with atomic_path(written["lde_all_benchmarks"]) as tmp:
        lde_table.to_netcdf(tmp, engine="h5netcdf")
    _log(f"sensitivity analysis ({settings.report.sensitivity_draws} worlds per run)")
    sensitivity = sensitivity_table(
        tree,
        draws=settings.report.sensitivity_draws,
        seed=sim_cfg.seed,
        world=world,
        link_params=h.link_params,
        link=h.link,
        inputs=inputs,
        assumptions=settings.report.sensitivity_assumptions,
    )
    written["sensitivity"] = out_dir / "sensitivity.csv"
    _write_csv(sensitivity, written["sensitivity"])
    return written, policy, lde_table, sensitivity


def _uplift_updates(tree: xr.DataTree) -> set[str]:
    """Names of the uplift-study updates stored in ``tree``."""
    return set(tree[UPLIFT_GROUP].children) if UPLIFT_GROUP in tree.children else set()


def _names(variants: str | tuple[str, ...]) -> str | list[str]:
    return variants if isinstance(variants, str) else list(variants)


def run_report(
    *,
    out_dir: str | Path = "results",
    figures_dir: str | Path = "figures",
    config: Settings | str | Path | dict[str, Any] | None = None,
    evidence: Sequence[str | Path] = (),
    allow_unconverged: bool = False,
    tree: xr.DataTree | None = None,
    html_name: str = "report.html",
) -> dict[str, Path]:
    """Run the whole pipeline on the shipped data (plus extra evidence).

    Parameters
    ----------
    out_dir, figures_dir
        Folders of the result files and of the figures (PNG and SVG).
    config
        :class:`~riskmodel.settings.Settings`, a TOML/JSON file or a dict of overrides
        (see :mod:`riskmodel.settings`).
    evidence
        Extra evidence CSV files.
    allow_unconverged
        Keep a fit that fails the convergence gate.
    tree
        An already fitted capability model to use instead of fitting (notebooks, tests).
    html_name
        File name of the HTML report in ``out_dir``.

    Returns
    -------
    dict
        Name -> path of every file written.
    """
    out_dir, figures_dir = Path(out_dir), Path(figures_dir)
    settings = config if isinstance(config, Settings) else load_settings(config)
    cfg = settings.fit
    _log("[1/6] loading and validating evidence, priors and assumptions")
    ev = load_evidence(list(evidence))
    inputs = settings.files.load_hazard_inputs()
    world_assumptions = settings.files.load_world_assumptions()  # before any expensive step
    origin = str(config) if isinstance(config, str | Path) else "the settings"
    check_references(settings, inputs, origin=origin)
    variants = load_variants(
        _names(settings.report.variants),
        inputs=inputs,
    )
    written: dict[str, Path] = {}
    if tree is None:
        _log("[2/6] capability fit")
        tree, _ = load_or_fit(
            out_dir / "capability_fit.nc", ev, cfg, allow_unconverged=allow_unconverged, log=_log
        )
        written["fit"] = out_dir / "capability_fit.nc"
    else:
        _log("[2/6] capability fit given by the caller")
    _log("[3/6] forecasts")
    view = posterior_view(tree)
    benchmarks = report_benchmarks(view)
    forecasts = forecast_table(view, benchmarks)
    horizons = horizon_table(view)
    written["forecasts"] = out_dir / "forecasts.csv"
    _write_csv(forecasts, written["forecasts"])
    written["time_horizons"] = out_dir / "time_horizons.csv"
    _write_csv(horizons, written["time_horizons"])
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(f"Forecasts (data vintage {tree.attrs['data_vintage']}; fraction of tasks solved):")
        print(forecasts.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    updates_before = _uplift_updates(tree)
    _log("[4/6] hazard: P(hazard) by compute, crossings")
    hazard_files, hazard = hazard_outputs(tree, settings, inputs, out_dir)
    written.update(hazard_files)
    _log("[5/6] policy variants: simulation, LDE analysis, sensitivity")
    policy_files, policy, lde_table, sensitivity = policy_outputs(
        tree, settings, inputs, world_assumptions, variants, out_dir
    )
    written.update(policy_files)
    if "fit" in written and _uplift_updates(tree) != updates_before:
        # The uplift-study update the hazard and policy numbers used, saved with the fit
        # (riskmodel.uplift.store): later assessments on this fit reuse it. A reused fit
        # that already held it is not written again.
        save_fit(tree, written["fit"])
        _log(f"uplift-study update saved with the fit ({written['fit']})")
    results = ReportResults(
        tree=tree,
        view=view,
        evidence=ev,
        settings=settings,
        inputs=inputs,
        benchmarks=benchmarks,
        hazard_table=hazard["hazard"],
        hazard_curve=hazard["hazard_curve"],
        crossings=hazard["crossings"],
        crossing_sensitivity=hazard["crossing_sensitivity"],
        variants=variants,
        policy=policy,
        lde_table=lde_table,
        sensitivity=sensitivity,
    )
    figures = report_figures(figures_dir, variants)
    _log(f"[6/6] figures ({len(figures)}) and the HTML report")
    written.update(draw_figures(results, figures))
    _log("HTML report")
    written["report"] = build_report(results, figures, out_dir / html_name)
    print(f"Report: {written['report']}")
    _log("done: " + ", ".join(str(p) for p in written.values()))
    return written
