"""The main job: fit (or reuse a matching cached fit), forecasts and figures.

``riskmodel report`` runs :func:`run_report`. Every output is written atomically; a
cached fit is reused only when its config hash matches the current config and evidence.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel.capability.checks import sample_prior_predictive
from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.fit import fit_evidence_model
from riskmodel.capability.predict import (
    capability_draws,
    forecast,
    posterior_view,
    time_horizon_minutes,
)
from riskmodel.capability.store import fit_diagnostics, load_fit, save_fit
from riskmodel.config import FitConfig, config_hash, load_config
from riskmodel.errors import FitFileError
from riskmodel.evidence import Evidence, load_evidence
from riskmodel.provenance import atomic_path

__all__ = ["run_report", "cached_or_new_fit", "REPORT_BENCHMARKS", "REPORT_DATES", "REPORT_FLOPS"]

#: Benchmarks whose forecasts the main job prints (those present in the fit are used).
REPORT_BENCHMARKS = ("cybench", "mmlu", "gpqa", "humaneval", "gsm8k", "nyu_ctf")
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


def _log(message: str) -> None:
    print(f"[riskmodel] {message}", file=sys.stderr, flush=True)


def cached_or_new_fit(
    path: Path,
    evidence: Evidence,
    config: FitConfig,
    *,
    allow_unconverged: bool = False,
) -> xr.DataTree:
    """Reuse the fit at ``path`` if its config hash matches; otherwise fit and save it."""
    expected = config_hash(config, evidence.content_hash())
    if path.exists():
        try:
            tree = load_fit(path)
        except FitFileError as exc:
            _log(f"cached fit unusable ({exc}); refitting")
        else:
            if tree.attrs["config_hash"] == expected:
                _log(f"reusing cached fit {path} (config hash {expected[:12]})")
                return tree
            _log(f"cached fit {path} has a different config or data; refitting")
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


def _save_figure(fig, path: Path) -> None:  # noqa: ANN001 - matplotlib Figure
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=path.suffix.lstrip("."), dpi=150)
    plt.close(fig)


def assumptions_label(config: FitConfig) -> str:
    """One-line summary of the assumptions that drive the capability figures."""
    p = config.capability.priors
    return (
        f"capability = dex effective compute vs 1e{config.capability.reference_log10_flop:g} FLOP "
        f"at {config.capability.reference_date}; algorithmic progress prior median "
        f"{p.algorithmic_progress.median} dex/yr; compute growth prior median "
        f"{p.compute_trend_slope.median} dex/yr; seed {config.sampler.seed}"
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
    written = []
    fig = plot_prior_predictive(prior, data, vintage=evidence.vintage, assumptions=label)
    written.append(figures_dir / "prior_predictive.png")
    _save_figure(fig, written[-1])

    models = evidence.models
    language = models[models["domain"].fillna("").str.contains("Language")]
    language = language[
        language["release_date"] >= pd.Timestamp(config.capability.trend_start_date)
    ]
    dates = pd.date_range("2018-01-01", "2030-12-31", freq="QS").strftime("%Y-%m-%d").tolist()
    fig = plot_compute_trend(view, language, dates=dates, assumptions=label)
    written.append(figures_dir / "compute_trend.png")
    _save_figure(fig, written[-1])

    capability = tree["posterior"]["capability"].mean(("chain", "draw")).to_series()
    obs = evidence.results.assign(fraction=lambda d: d["n_solved_effective"] / d["n_tasks"])
    obs["capability"] = obs["model"].map(capability)
    benchmarks = list(view.draws["benchmark"].values)
    fig = plot_scaling_curves(view, obs, benchmarks=benchmarks, assumptions=label)
    written.append(figures_dir / "capability_curves.png")
    _save_figure(fig, written[-1])

    fitted = set(benchmarks) | set(view.tasks["suite"])
    shown = [b for b in REPORT_BENCHMARKS if b in fitted]
    fdates = pd.date_range("2022-01-01", "2030-01-01", freq="6MS").strftime("%Y-%m-%d").tolist()
    fig = plot_frontier_forecast(
        view, benchmarks=shown, dates=fdates, seed=REPORT_SEED, assumptions=label
    )
    written.append(figures_dir / "frontier_forecast.png")
    _save_figure(fig, written[-1])
    return written


def write_uplift_figures(tree: xr.DataTree, figures_dir: Path) -> list[Path]:
    """Write the prior predictive figure of uplift against capability (both links)."""
    from riskmodel.uplift.elicitation import load_uplift_priors
    from riskmodel.uplift.links import task_curve_from_view
    from riskmodel.uplift.plotting import plot_uplift_prior_predictive

    priors = load_uplift_priors()
    view = posterior_view(tree)
    curve = task_curve_from_view(view, suite=priors.reference_suite)
    fig = plot_uplift_prior_predictive(
        priors=priors,
        task_curve=curve,
        capability=np.linspace(*UPLIFT_CAPABILITY_RANGE, 121),
        seed=REPORT_SEED,
        vintage=view.data_vintage,
    )
    path = figures_dir / "uplift_prior_predictive.png"
    _save_figure(fig, path)
    return [path]


def run_report(
    *,
    out_dir: str | Path = "results",
    figures_dir: str | Path = "figures",
    config: FitConfig | str | Path | dict[str, Any] | None = None,
    evidence: Sequence[str | Path] = (),
    allow_unconverged: bool = False,
) -> dict[str, Path]:
    """Run the main job on the shipped data (plus extra evidence).

    Returns
    -------
    dict
        Name -> path of every file written.
    """
    out_dir, figures_dir = Path(out_dir), Path(figures_dir)
    cfg = config if isinstance(config, FitConfig) else load_config(config)
    _log("loading and validating evidence")
    ev = load_evidence(list(evidence))
    tree = cached_or_new_fit(
        out_dir / "capability_fit.nc", ev, cfg, allow_unconverged=allow_unconverged
    )
    _log("forecasting")
    forecasts = _forecast_table(tree)
    horizons = _horizon_table(tree)
    written = {"fit": out_dir / "capability_fit.nc"}
    written["forecasts"] = out_dir / "forecasts.csv"
    _write_csv(forecasts, written["forecasts"])
    written["time_horizons"] = out_dir / "time_horizons.csv"
    _write_csv(horizons, written["time_horizons"])
    with pd.option_context("display.width", 120, "display.max_rows", 200):
        print(f"Forecasts (data vintage {tree.attrs['data_vintage']}; fraction of tasks solved):")
        print(forecasts.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        print("\nFrontier 50% time horizons (human minutes):")
        print(horizons.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    _log("writing figures")
    for path in write_capability_figures(tree, ev, cfg, figures_dir):
        written[path.stem] = path
    for path in write_uplift_figures(tree, figures_dir):
        written[path.stem] = path
    _log("done: " + ", ".join(str(p) for p in written.values()))
    return written
