"""The main job: fit (or reuse a matching cached fit), forecasts and figures.

``riskmodel report`` runs :func:`run_report`. Every output is written atomically; a
cached fit is reused only when its config hash matches the current config and evidence.
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

from riskmodel import __version__
from riskmodel.capability.checks import sample_prior_predictive
from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.predict import (
    capability_draws,
    forecast,
    posterior_view,
    time_horizon_minutes,
)
from riskmodel.capability.sampling import fit_evidence_model, model_source_hash
from riskmodel.capability.store import fit_diagnostics, load_fit, save_fit
from riskmodel.config import FitConfig, config_hash
from riskmodel.errors import FitFileError
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.hazard.inputs import HazardInputs
from riskmodel.provenance import atomic_path
from riskmodel.settings import Settings, check_references, load_settings

__all__ = ["run_report", "cached_or_new_fit", "REPORT_BENCHMARKS", "REPORT_DATES", "REPORT_FLOPS"]

#: Benchmarks whose forecasts the main job prints (those present in the fit are used).
REPORT_BENCHMARKS = (
    "cybench",
    "nyu_ctf",
    "gpqa_diamond",
    "swe_bench_verified",
    "terminal_bench_2",
    "osworld",
    "frontiermath",
    "mmlu",
    "humaneval",
)
#: Release dates of the printed frontier forecasts.
REPORT_DATES = ("2025-06-01", "2026-06-01", "2027-06-01", "2028-06-01")
#: Training compute (FLOP) of the printed fixed-compute forecasts, released mid-2026.
REPORT_FLOPS = (1e25, 1e26, 1e27, 1e28)
REPORT_FLOP_DATE = "2026-06-01"
#: Capability range (dex of effective compute) of the uplift figure: from a 2023
#: 1e21-FLOP model to several orders of magnitude beyond the 2025 frontier.
UPLIFT_CAPABILITY_RANGE = (-2.0, 8.0)
#: Seed of the predictive noise in forecasts and figures.
REPORT_SEED = 11


_STARTED = time.perf_counter()


def _log(message: str) -> None:
    """Progress message on stderr with the seconds since the module was imported."""
    print(
        f"[riskmodel {time.perf_counter() - _STARTED:6.1f} s] {message}",
        file=sys.stderr,
        flush=True,
    )


def cached_or_new_fit(
    path: Path,
    evidence: Evidence,
    config: FitConfig,
    *,
    allow_unconverged: bool = False,
) -> xr.DataTree:
    """Reuse the fit at ``path`` if its config hash (config and data) and its model source
    hash (:func:`~riskmodel.capability.sampling.model_source_hash`: the code of the
    capability model) match; otherwise fit and save it."""
    expected = config_hash(config, evidence.content_hash())
    if path.exists():
        try:
            tree = load_fit(path)
        except FitFileError as exc:
            _log(f"cached fit unusable ({exc}); refitting")
        else:
            same_code = tree.attrs.get("model_source_hash") == model_source_hash()
            if tree.attrs["config_hash"] == expected and same_code:
                _log(f"reusing cached fit {path} (config hash {expected[:12]})")
                return tree
            what = "config or data" if same_code else "capability model code"
            _log(f"cached fit {path} has a different {what}; refitting")
    _log("fitting the capability model (first compile takes ~10 s)")
    tree = fit_evidence_model(evidence, config, allow_unconverged=allow_unconverged)
    save_fit(tree, path)
    diag = fit_diagnostics(tree)
    _log(
        f"fit done in {diag['sampling_seconds']:.0f} s: max R-hat {diag['max_rhat']:.4f}, "
        f"min bulk ESS {diag['min_ess_bulk']:.0f}, divergences {diag['divergences']}"
    )
    return tree


def _forecast_table(tree: xr.DataTree) -> pd.DataFrame:
    view = posterior_view(tree)
    fitted = set(view.draws["benchmark"].values.tolist()) | set(view.tasks["suite"])
    rows: list[dict[str, Any]] = []
    for slug in [b for b in REPORT_BENCHMARKS if b in fitted]:
        for date in REPORT_DATES:
            rows.append(forecast(view, benchmark=slug, date=date, frontier=True, seed=REPORT_SEED))
        for flop in REPORT_FLOPS:
            rows.append(
                forecast(view, benchmark=slug, date=REPORT_FLOP_DATE, flop=flop, seed=REPORT_SEED)
            )
    return pd.DataFrame(rows)


def _horizon_table(tree: xr.DataTree) -> pd.DataFrame:
    view = posterior_view(tree)
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


def _save_figure(fig, path: Path) -> list[Path]:  # noqa: ANN001 - matplotlib Figure
    """Write ``path`` (PNG) and its SVG twin atomically; close the figure."""
    from riskmodel.plotting.style import save_figure

    return save_figure(fig, path)


def assumptions_label(config: FitConfig) -> str:
    """One-line summary of the assumptions that drive the capability figures.

    Names the prior medians of the terms of a new model's capability (dex of effective
    compute): method progress (algorithmic progress, dex/yr, plus post-training progress,
    dex/yr, from a change point), the reasoning gain (dex) and compute growth (dex/yr).
    """
    cap = config.capability
    p = cap.priors
    change = pd.Timestamp(cap.method_change_date)
    return (
        f"capability = dex effective compute vs 1e{cap.reference_log10_flop:g} FLOP "
        f"at {cap.reference_date}; method progress prior medians: algorithmic "
        f"{p.algorithmic_progress.median} dex/yr, plus post-training "
        f"{p.post_training_rate.median} dex/yr from ~{change:%Y-%m}; reasoning gain "
        f"{p.reasoning_gain.median} dex; compute growth prior median "
        f"{p.compute_trend_slope.median} dex/yr; frontier = best model released in the "
        f"year up to the date; seed {config.sampler.seed}; riskmodel {__version__}"
    )


def write_capability_figures(
    tree: xr.DataTree, evidence: Evidence, config: FitConfig, figures_dir: Path
) -> list[Path]:
    """Write the capability figures (prior predictive, trend, curves, frontier forecast)."""
    from riskmodel.plotting.capability import (
        plot_compute_trend,
        plot_frontier_forecast,
        plot_prior_predictive,
        plot_scaling_curves,
    )

    label = assumptions_label(config)
    data = prepare_capability_data(evidence, config.capability)
    prior = sample_prior_predictive(data, config.capability, draws=500, seed=REPORT_SEED)
    view = posterior_view(tree)
    written: list[Path] = []
    fig = plot_prior_predictive(prior, data, vintage=evidence.vintage, assumptions=label)
    written += _save_figure(fig, figures_dir / "prior_predictive.png")

    models = evidence.models
    language = models[models["domain"].fillna("").str.contains("Language")]
    language = language[
        language["release_date"] >= pd.Timestamp(config.capability.trend_start_date)
    ]
    dates = pd.date_range("2018-01-01", "2030-12-31", freq="QS").strftime("%Y-%m-%d").tolist()
    fig = plot_compute_trend(view, language, dates=dates, assumptions=label)
    written += _save_figure(fig, figures_dir / "compute_trend.png")

    capability = tree["posterior"]["capability"].mean(("chain", "draw")).to_series()
    obs = evidence.results.assign(fraction=lambda d: d["n_solved_effective"] / d["n_tasks"])
    obs["capability"] = obs["model"].map(capability)
    benchmarks = list(view.draws["benchmark"].values)
    fig = plot_scaling_curves(view, obs, benchmarks=benchmarks, assumptions=label)
    written += _save_figure(fig, figures_dir / "capability_curves.png")

    fitted = set(benchmarks) | set(view.tasks["suite"])
    shown = [b for b in REPORT_BENCHMARKS if b in fitted]
    fdates = pd.date_range("2022-01-01", "2030-01-01", freq="6MS").strftime("%Y-%m-%d").tolist()
    fig = plot_frontier_forecast(
        view,
        benchmarks=shown,
        dates=fdates,
        seed=REPORT_SEED,
        assumptions=label,
        observed=_observed_scores(evidence, shown),
    )
    written += _save_figure(fig, figures_dir / "frontier_forecast.png")
    return written


def _observed_scores(evidence: Evidence, benchmarks: Sequence[str]) -> pd.DataFrame:
    """Observed fraction solved per model and benchmark (aggregate results, else the mean
    success over a suite's task runs), with release dates."""
    results = evidence.results
    aggregate = results.assign(fraction=results["n_solved_effective"] / results["n_tasks"])[
        ["model", "benchmark", "fraction"]
    ]
    runs = evidence.task_runs
    suites = (
        runs.groupby(["model", "benchmark"], as_index=False)["success"]
        .mean()
        .rename(columns={"success": "fraction"})
    )
    suites = suites[
        ~suites.set_index(["model", "benchmark"]).index.isin(
            aggregate.set_index(["model", "benchmark"]).index
        )
    ]
    scores = pd.concat([aggregate, suites], ignore_index=True)
    scores = scores[scores["benchmark"].isin(benchmarks)]
    dates = evidence.models["release_date"]
    return scores.assign(release_date=scores["model"].map(dates)).dropna(subset=["release_date"])


def write_uplift_figures(
    tree: xr.DataTree, figures_dir: Path, inputs: HazardInputs | None = None
) -> list[Path]:
    """Write the prior predictive figure of uplift against capability (both links)."""
    from riskmodel.plotting.uplift import plot_uplift_prior_predictive
    from riskmodel.uplift.elicitation import load_uplift_priors
    from riskmodel.uplift.links import task_curve_from_view

    priors = inputs.uplift_priors if inputs is not None else load_uplift_priors()
    view = posterior_view(tree)
    curve = task_curve_from_view(view, suite=priors.reference_suite)
    fig = plot_uplift_prior_predictive(
        priors=priors,
        task_curve=curve,
        capability=np.linspace(*UPLIFT_CAPABILITY_RANGE, 121),
        seed=REPORT_SEED,
        vintage=view.data_vintage,
    )
    return _save_figure(fig, figures_dir / "uplift_prior_predictive.png")


def _short(path: str) -> str:
    """``path`` relative to the working directory when inside it (for captions)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def write_hazard_outputs(
    tree: xr.DataTree,
    settings: Settings,
    out_dir: Path,
    figures_dir: Path,
    inputs: HazardInputs | None = None,
) -> tuple[dict[str, Path], pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """P(hazard) table and curve, crossing and crossing-sensitivity tables; their CSVs and
    figures. Returns the written paths, the P(hazard) table, the crossings and the
    sensitivity table.

    ``inputs``: elicited priors, bars and studies (default: from ``settings.files``).
    """
    from riskmodel.hazard.curves import crossing_tables, hazard_curve
    from riskmodel.plotting.hazard import plot_crossings, plot_hazard_curves
    from riskmodel.plotting.style import save_figure

    h = settings.hazard
    inputs = inputs if inputs is not None else settings.files.load_hazard_inputs()
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
    curves = hazard_curve(tree, flops=grid.tolist(), **common)
    table = hazard_curve(tree, flops=list(h.table_flops), **common)
    samples = "one per posterior draw" if h.crossing_samples is None else h.crossing_samples
    _log(f"crossings and their sensitivity ({samples} Monte Carlo samples per bar)")
    crossing_args = {**common, "n_samples": h.crossing_samples}
    crossings, sensitivity = crossing_tables(tree, **crossing_args)
    written = {
        "hazard": out_dir / "hazard.csv",
        "hazard_curve": out_dir / "hazard_curve.csv",
        "crossings": out_dir / "crossings.csv",
        "crossing_sensitivity": out_dir / "crossing_sensitivity.csv",
    }
    _write_csv(table, written["hazard"])
    _write_csv(curves, written["hazard_curve"])
    _write_csv(crossings, written["crossings"])
    _write_csv(sensitivity, written["crossing_sensitivity"])
    vintage = str(tree.attrs.get("data_vintage", ""))
    evidence = (
        "uplift link updated by the uplift studies"
        if h.link_params == "studies"
        else ("uplift link from elicited priors only")
    )
    fig = plot_hazard_curves(
        curves,
        caption_text=f"Models released {h.date}; {evidence}; enhancement as each bar allows.",
        vintage=vintage,
        seed=h.seed,
        version=__version__,
    )
    for path in save_figure(fig, figures_dir / "hazard_vs_flop"):
        written[f"figure_{path.name}"] = path
    fig = plot_crossings(
        crossings,
        caption_text=f"Crossing FLOP for a model released {h.date} (pooled probability = "
        f"required probability; +/- 2 Monte Carlo SE); frontier = the best model released in "
        f"the year up to a date; {evidence}.",
        vintage=vintage,
        seed=h.seed,
        version=__version__,
    )
    for path in save_figure(fig, figures_dir / "crossings"):
        written[f"figure_{path.name}"] = path
    return written, table, crossings, sensitivity


def write_policy_outputs(
    tree: xr.DataTree,
    settings: Settings,
    out_dir: Path,
    figures_dir: Path,
    inputs: HazardInputs | None = None,
) -> tuple[dict[str, Path], xr.Dataset]:
    """Simulation (netCDF + summary CSV), LDE analysis, sensitivity and their figures.

    ``inputs``: elicited priors, bars and studies (default: from ``settings.files``); the
    world assumptions come from ``settings.files.world_assumptions``.
    """
    from riskmodel.plotting.lde import describe_assumptions, plot_all_benchmarks
    from riskmodel.plotting.policy import (
        plot_decision_flowchart,
        plot_tornado,
        plot_variant_comparison,
    )
    from riskmodel.plotting.style import save_figure
    from riskmodel.policy.lde import all_benchmarks_table
    from riskmodel.policy.variants import load_variants
    from riskmodel.simulation.run import (
        developers_table,
        save_simulation,
        simulate,
        summary_table,
    )
    from riskmodel.simulation.sensitivity import sensitivity_table
    from riskmodel.world.fit import fit_world

    h, sim_cfg = settings.hazard, settings.simulation
    variants = settings.report.variants
    vintage = str(tree.attrs.get("data_vintage", ""))
    inputs = inputs if inputs is not None else settings.files.load_hazard_inputs()
    world = fit_world(assumptions=settings.files.load_world_assumptions())
    _log(f"simulating {sim_cfg.draws} worlds x {len(load_variants(_names(variants)))} variants")
    dataset = simulate(
        tree,
        variants=_names(variants),
        config=sim_cfg,
        world=world,
        link_params=h.link_params,
        link=h.link,
        inputs=inputs,
        progress=True,
    )
    written = {"simulation": save_simulation(dataset, out_dir / "simulation.nc")}
    summary = summary_table(dataset)
    written["policy_summary"] = out_dir / "policy_summary.csv"
    _write_csv(summary, written["policy_summary"])
    written["developers_under_obligations"] = out_dir / "developers_under_obligations.csv"
    _write_csv(developers_table(dataset), written["developers_under_obligations"])
    tail = (
        f"{sim_cfg.draws} simulated worlds {sim_cfg.first_year}-{sim_cfg.last_year}; "
        f"truth-dependent outcomes under each truth bar ({', '.join(sim_cfg.truth_bars)}: "
        "its realised condition in each world); evaluation noise "
        f"{sim_cfg.evaluation_noise_sd} dex"
    )
    fig = plot_variant_comparison(
        dataset, caption_text=tail, vintage=vintage, seed=sim_cfg.seed, version=__version__
    )
    for path in save_figure(fig, figures_dir / "policy_variants"):
        written[f"figure_{path.name}"] = path
    for variant in load_variants(_names(variants)):
        fig = plot_decision_flowchart(
            variant,
            caption_text=f"Drawn from {Path(variant.path).name}, the rules the engine applies.",
            vintage=vintage,
            seed=sim_cfg.seed,
            version=__version__,
        )
        for path in save_figure(fig, figures_dir / f"flowchart_{variant.name}"):
            written[f"figure_{path.name}"] = path
    _log("LDE 'all benchmarks' analysis and flowcharts")
    table = all_benchmarks_table(
        gaps=[0.1, 0.3, 1.0],
        n_benchmarks=list(range(1, 31)),
        noise_sds=[0.15],
        rules=("all", "mean"),
    )
    written["lde_all_benchmarks"] = out_dir / "lde_all_benchmarks.nc"
    with atomic_path(written["lde_all_benchmarks"]) as tmp:
        table.to_netcdf(tmp, engine="h5netcdf")
    fig = plot_all_benchmarks(
        table, footer=describe_assumptions(table) + f"; riskmodel {__version__}"
    )
    for path in save_figure(fig, figures_dir / "lde_all_benchmarks"):
        written[f"figure_{path.name}"] = path
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
    fig = plot_tornado(
        sensitivity,
        caption_text=f"One assumption at a time at a low and a high value; "
        f"{settings.report.sensitivity_draws} worlds per run (common random numbers).",
        vintage=vintage,
        seed=sim_cfg.seed,
        version=__version__,
    )
    for path in save_figure(fig, figures_dir / "sensitivity_tornado"):
        written[f"figure_{path.name}"] = path
    return written, dataset


def _names(variants: str | tuple[str, ...]) -> str | list[str]:
    return variants if isinstance(variants, str) else list(variants)


def write_prior_posterior_figure(
    tree: xr.DataTree,
    settings: Settings,
    figures_dir: Path,
    inputs: HazardInputs | None = None,
) -> list[Path]:
    """Prior against posterior of the elicited uplift parameters."""
    from riskmodel.plotting.priors import plot_prior_posterior
    from riskmodel.plotting.style import save_figure
    from riskmodel.uplift.update import updated_link_params

    inputs = inputs if inputs is not None else settings.files.load_hazard_inputs()
    priors = inputs.uplift_priors
    posterior = updated_link_params(
        tree, link=settings.hazard.link, priors=priors, studies=inputs.studies
    )
    fig = plot_prior_posterior(
        priors,
        posterior.params,
        caption_text=f"Elicited priors ({_short(inputs.files['uplift_priors'])}) updated by "
        f"the uplift studies ({_short(inputs.files['uplift_studies'])}).",
        vintage=str(tree.attrs.get("data_vintage", "")),
        seed=0,
        version=__version__,
    )
    return save_figure(fig, figures_dir / "prior_posterior")


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
    settings.files.load_world_assumptions()  # validated before any expensive step
    origin = str(config) if isinstance(config, str | Path) else "the settings"
    check_references(settings, inputs, origin=origin)
    written: dict[str, Path] = {}
    if tree is None:
        _log("[2/6] capability fit")
        tree = cached_or_new_fit(
            out_dir / "capability_fit.nc", ev, cfg, allow_unconverged=allow_unconverged
        )
        written["fit"] = out_dir / "capability_fit.nc"
    else:
        _log("[2/6] capability fit given by the caller")
    _log("[3/6] forecasts")
    forecasts = _forecast_table(tree)
    horizons = _horizon_table(tree)
    written["forecasts"] = out_dir / "forecasts.csv"
    _write_csv(forecasts, written["forecasts"])
    written["time_horizons"] = out_dir / "time_horizons.csv"
    _write_csv(horizons, written["time_horizons"])
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(f"Forecasts (data vintage {tree.attrs['data_vintage']}; fraction of tasks solved):")
        print(forecasts.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    _log("[4/6] hazard: P(hazard) by compute, crossings")
    hazard_files, hazard_table, crossings, sensitivity = write_hazard_outputs(
        tree, settings, out_dir, figures_dir, inputs
    )
    written.update(hazard_files)
    _log("[5/6] policy variants: simulation, LDE analysis, sensitivity")
    policy_files, dataset = write_policy_outputs(tree, settings, out_dir, figures_dir, inputs)
    written.update(policy_files)
    _log("[6/6] figures and the HTML report")
    for path in write_capability_figures(tree, ev, cfg, figures_dir):
        written[f"figure_{path.name}"] = path
    _log("uplift and prior-posterior figures")
    for path in write_uplift_figures(tree, figures_dir, inputs):
        written[f"figure_{path.name}"] = path
    for path in write_prior_posterior_figure(tree, settings, figures_dir, inputs):
        written[f"figure_{path.name}"] = path
    from riskmodel.report_findings import build_report

    _log("HTML report")

    written["report"] = build_report(
        tree=tree,
        settings=settings,
        hazard_table=hazard_table,
        crossings=crossings,
        crossing_sensitivity=sensitivity,
        dataset=dataset,
        figures_dir=figures_dir,
        path=out_dir / html_name,
        inputs=inputs,
    )
    print(f"Report: {written['report']}")
    _log("done: " + ", ".join(str(p) for p in written.values()))
    return written
