"""The report's figures: one registry naming each figure once.

:data:`FIGURES` lists every figure of the main job in report order, each with its key
(the file name without suffix), its title (heading and alt text), its caption in the HTML
report and the function that draws it from the job's results
(:class:`~riskmodel.report.results.ReportResults`). A key containing ``{name}`` stands for
one figure per simulated policy variant (its title and caption may use ``{name}`` and
``{title}``). The job draws exactly these figures (:func:`draw_figures`, PNG and SVG) and
the HTML embeds exactly these (:func:`report_figures` gives both the same list).

The captions drawn inside the figures (vintage, assumptions, seed, version) come from the
plotting functions; the caption here is the report's sentence under the figure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from riskmodel import __version__
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence
from riskmodel.policy.variants import PolicyVariant
from riskmodel.report.results import REPORT_SEED, ReportResults

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FIGURES",
    "KEY_FIGURE",
    "FigureSpec",
    "ReportFigure",
    "assumptions_label",
    "draw_figures",
    "figure_spec",
    "report_figures",
]

#: Capability range (dex of effective compute) of the uplift figure: from a 2023
#: 1e21-FLOP model to several orders of magnitude beyond the 2025 frontier.
UPLIFT_CAPABILITY_RANGE = (-2.0, 8.0)


@dataclass(frozen=True)
class FigureSpec:
    """One entry of the registry.

    Attributes
    ----------
    key
        File name without suffix (``<key>.png`` and ``<key>.svg``); ``{name}`` in it makes
        the entry one figure per simulated policy variant.
    title
        Heading in the report and the image's alt text.
    caption
        The report's sentence under the figure.
    draw
        ``draw(results)``, or ``draw(results, variant)`` for a per-variant entry: the
        figure (the saving closes it).
    """

    key: str
    title: str
    caption: str
    draw: Callable[..., Figure]

    @property
    def per_variant(self) -> bool:
        """Whether the entry stands for one figure per policy variant."""
        return "{name}" in self.key


@dataclass(frozen=True)
class ReportFigure:
    """One figure of one report: a registry entry resolved to its file (and variant).

    Attributes
    ----------
    path
        PNG file (its SVG twin beside it).
    title
        Short heading.
    caption
        What it shows, with its assumptions.
    draw
        Draws the figure from the job's results.
    """

    path: Path
    title: str
    caption: str
    draw: Callable[[ReportResults], Figure]

    @property
    def key(self) -> str:
        """The file name without suffix (the ``fig-<key>`` anchor of the report)."""
        return self.path.stem


# ------------------------------------------------------------------ capability figures
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


def _prior_predictive(results: ReportResults) -> Figure:
    from riskmodel.capability.checks import sample_prior_predictive
    from riskmodel.capability.data import prepare_capability_data
    from riskmodel.plotting.capability import plot_prior_predictive

    config, evidence = results.settings.fit, results.evidence
    data = prepare_capability_data(evidence, config.capability)
    prior = sample_prior_predictive(data, config.capability, draws=500, seed=REPORT_SEED)
    return plot_prior_predictive(
        prior, data, vintage=evidence.vintage, assumptions=assumptions_label(config)
    )


def _compute_trend(results: ReportResults) -> Figure:
    from riskmodel.plotting.capability import plot_compute_trend

    config = results.settings.fit
    models = results.evidence.models
    language = models[models["domain"].fillna("").str.contains("Language")]
    language = language[
        language["release_date"] >= pd.Timestamp(config.capability.trend_start_date)
    ]
    dates = pd.date_range("2018-01-01", "2030-12-31", freq="QS").strftime("%Y-%m-%d").tolist()
    return plot_compute_trend(
        results.view, language, dates=dates, assumptions=assumptions_label(config)
    )


def _capability_curves(results: ReportResults) -> Figure:
    from riskmodel.plotting.capability import plot_scaling_curves

    capability = results.tree["posterior"]["capability"].mean(("chain", "draw")).to_series()
    obs = results.evidence.results.assign(fraction=lambda d: d["n_solved_effective"] / d["n_tasks"])
    obs["capability"] = obs["model"].map(capability)
    return plot_scaling_curves(
        results.view,
        obs,
        benchmarks=list(results.view.draws["benchmark"].values),
        assumptions=assumptions_label(results.settings.fit),
    )


def _frontier_forecast(results: ReportResults) -> Figure:
    from riskmodel.plotting.capability import plot_frontier_forecast

    dates = pd.date_range("2022-01-01", "2030-01-01", freq="6MS").strftime("%Y-%m-%d").tolist()
    return plot_frontier_forecast(
        results.view,
        benchmarks=results.benchmarks,
        dates=dates,
        seed=REPORT_SEED,
        assumptions=assumptions_label(results.settings.fit),
        observed=_observed_scores(results.evidence, results.benchmarks),
    )


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


# ------------------------------------------------------------------- uplift figures
def _uplift_prior_predictive(results: ReportResults) -> Figure:
    from riskmodel.plotting.uplift import plot_uplift_prior_predictive
    from riskmodel.uplift.links import task_curve_from_view

    priors = results.inputs.uplift_priors
    curve = task_curve_from_view(results.view, suite=priors.reference_suite)
    return plot_uplift_prior_predictive(
        priors=priors,
        task_curve=curve,
        capability=np.linspace(*UPLIFT_CAPABILITY_RANGE, 121),
        seed=REPORT_SEED,
        vintage=results.view.data_vintage,
    )


def _short(path: str) -> str:
    """``path`` relative to the working directory when inside it (for captions)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _prior_posterior(results: ReportResults) -> Figure:
    from riskmodel.plotting.priors import plot_prior_posterior
    from riskmodel.uplift.update import updated_link_params

    inputs = results.inputs
    priors = inputs.uplift_priors
    posterior = updated_link_params(
        results.tree, link=results.settings.hazard.link, priors=priors, studies=inputs.studies
    )
    return plot_prior_posterior(
        priors,
        posterior.params,
        caption_text=f"Elicited priors ({_short(inputs.files['uplift_priors'])}) updated by "
        f"the uplift studies ({_short(inputs.files['uplift_studies'])}).",
        vintage=results.vintage,
        seed=0,
        version=__version__,
    )


# ------------------------------------------------------------------- hazard figures
def _uplift_evidence(results: ReportResults) -> str:
    return (
        "uplift link updated by the uplift studies"
        if results.settings.hazard.link_params == "studies"
        else "uplift link from elicited priors only"
    )


def _hazard_vs_flop(results: ReportResults) -> Figure:
    from riskmodel.plotting.hazard import plot_hazard_curves

    h = results.settings.hazard
    return plot_hazard_curves(
        results.hazard_curve,
        caption_text=f"Models released {h.date}; {_uplift_evidence(results)}; enhancement "
        "as each bar allows.",
        vintage=results.vintage,
        seed=h.seed,
        version=__version__,
    )


def _crossings(results: ReportResults) -> Figure:
    from riskmodel.plotting.hazard import plot_crossings

    h = results.settings.hazard
    return plot_crossings(
        results.crossings,
        caption_text=f"Crossing FLOP for a model released {h.date} (pooled probability = "
        f"required probability; +/- 2 Monte Carlo SE); frontier = the best model released in "
        f"the year up to a date; {_uplift_evidence(results)}.",
        vintage=results.vintage,
        seed=h.seed,
        version=__version__,
    )


# ------------------------------------------------------------------- policy figures
def _policy_variants(results: ReportResults) -> Figure:
    from riskmodel.plotting.policy import plot_variant_comparison

    sim = results.settings.simulation
    tail = (
        f"{sim.draws} simulated worlds {sim.first_year}-{sim.last_year}; "
        f"truth-dependent outcomes under each truth bar ({', '.join(sim.truth_bars)}: "
        "its realised condition in each world); evaluation noise "
        f"{sim.evaluation_noise_sd} dex"
    )
    return plot_variant_comparison(
        results.policy.dataset,
        caption_text=tail,
        vintage=results.vintage,
        seed=sim.seed,
        version=__version__,
    )


def _flowchart(results: ReportResults, variant: PolicyVariant) -> Figure:
    from riskmodel.plotting.policy import plot_decision_flowchart

    return plot_decision_flowchart(
        variant,
        caption_text=f"Drawn from {Path(variant.path).name}, the rules the engine applies.",
        vintage=results.vintage,
        seed=results.settings.simulation.seed,
        version=__version__,
    )


def _lde_all_benchmarks(results: ReportResults) -> Figure:
    from riskmodel.plotting.lde import describe_assumptions, plot_all_benchmarks

    table = results.lde_table
    return plot_all_benchmarks(
        table, footer=describe_assumptions(table) + f"; riskmodel {__version__}"
    )


def _sensitivity_tornado(results: ReportResults) -> Figure:
    from riskmodel.plotting.policy import plot_tornado

    draws = results.settings.report.sensitivity_draws
    return plot_tornado(
        results.sensitivity,
        caption_text=f"One assumption at a time at a low and a high value; "
        f"{draws} worlds per run (common random numbers).",
        vintage=results.vintage,
        seed=results.settings.simulation.seed,
        version=__version__,
    )


#: Every figure of the report, in report order (see the module docstring).
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "hazard_vs_flop",
        "P(hazard) against training compute",
        "Posterior probability of each bar's condition for a model of given training FLOP "
        "released on the report date, with Monte Carlo error; horizontal lines: each bar's "
        "required probability; vertical line: the bill's 1e26 FLOP threshold.",
        _hazard_vs_flop,
    ),
    FigureSpec(
        "crossings",
        "Where and when each bar is crossed",
        "Training FLOP at which the pooled probability of each bar's condition reaches the "
        "bar's required probability for a model released on the report date, and the date "
        "at which the frontier (the best model released in the year up to that date) "
        "reaches it; whiskers: +/- 2 Monte Carlo standard errors (not the epistemic spread: "
        "see the crossing sensitivity table).",
        _crossings,
    ),
    FigureSpec(
        "frontier_forecast",
        "Frontier forecast of benchmark scores by date",
        "Posterior predictive fraction of tasks solved by the frontier on each date (the best "
        "model released in the year up to that date), with the observed scores (cyber suites "
        "included).",
        _frontier_forecast,
    ),
    FigureSpec(
        "policy_variants",
        "Policy variants compared",
        "Median and 90% interval over simulated worlds of the key outcomes per variant, "
        "summed over the simulated years. Outcomes that depend on which runs are truly "
        "hazardous (missed hazardous runs, false alarms, blocked open-weight releases by "
        "truth) are shown under each truth bar ('truth: current bar': the bill's bar; "
        "'truth: raised bar': the commentary's), so that no variant is judged only by the "
        "other bar's standard.",
        _policy_variants,
    ),
    FigureSpec(
        "lde_all_benchmarks",
        "The 'lower on all benchmarks' test",
        "Probability that a genuinely weaker model passes the pre-training LDE test, by "
        "number of benchmarks, under the strict rule and the relaxed (mean) rule.",
        _lde_all_benchmarks,
    ),
    FigureSpec(
        "sensitivity_tornado",
        "Sensitivity of a headline outcome",
        "Change of the outcome when one assumption at a time moves to a low or a high value; "
        "an outcome that depends on the truth has one panel per truth bar.",
        _sensitivity_tornado,
    ),
    FigureSpec(
        "prior_posterior",
        "Elicited priors against posteriors",
        "Uplift-link parameters: the elicited prior against the posterior given the uplift "
        "studies.",
        _prior_posterior,
    ),
    FigureSpec(
        "uplift_prior_predictive",
        "Uplift against capability (prior predictive)",
        "What the elicited priors of both links imply for the uplift of a competent "
        "cyber-offense team, by capability.",
        _uplift_prior_predictive,
    ),
    FigureSpec(
        "compute_trend",
        "Training compute trend",
        "Fitted training-compute trends of notable language models and of frontier-flagged "
        "ones (their own slope and offset), with the Epoch data.",
        _compute_trend,
    ),
    FigureSpec(
        "capability_curves",
        "Benchmark scores against capability",
        "Fitted item-response curves with the observed scores.",
        _capability_curves,
    ),
    FigureSpec(
        "prior_predictive",
        "Capability model: prior predictive check",
        "Benchmark scores the priors allow, against the data.",
        _prior_predictive,
    ),
    FigureSpec(
        "flowchart_{name}",
        "Decision flowchart: {name}",
        "{title}: drawn from the rule file the engine applies.",
        _flowchart,
    ),
)

#: The figure shown beside the executive summary, on the report's first screen.
KEY_FIGURE = "hazard_vs_flop"


def figure_spec(key: str) -> FigureSpec:
    """The registry entry of ``key`` (``flowchart_{name}`` for the per-variant one)."""
    for spec in FIGURES:
        if spec.key == key:
            return spec
    raise KeyError(f"no report figure '{key}'; registered: {', '.join(s.key for s in FIGURES)}")


def report_figures(figures_dir: Path, variants: Sequence[PolicyVariant]) -> list[ReportFigure]:
    """The registry resolved for one report: files in ``figures_dir``, per-variant entries
    once per variant (in the variants' order), in report order."""
    figures = []
    for spec in FIGURES:
        if not spec.per_variant:
            figures.append(
                ReportFigure(figures_dir / f"{spec.key}.png", spec.title, spec.caption, spec.draw)
            )
            continue
        for variant in variants:
            words = {"name": variant.name, "title": variant.title}
            figures.append(
                ReportFigure(
                    figures_dir / f"{spec.key.format(**words)}.png",
                    spec.title.format(**words),
                    spec.caption.format(**words),
                    _bind(spec.draw, variant),
                )
            )
    return figures


def _bind(
    draw: Callable[[ReportResults, PolicyVariant], Figure], variant: PolicyVariant
) -> Callable[[ReportResults], Figure]:
    def draw_variant(results: ReportResults) -> Figure:
        return draw(results, variant)

    return draw_variant


def draw_figures(results: ReportResults, figures: Sequence[ReportFigure]) -> dict[str, Path]:
    """Draw and save ``figures`` (PNG and SVG, atomically) from the job's results.

    Returns
    -------
    dict
        ``figure_<file name>`` -> path of every file written.
    """
    from riskmodel.plotting.style import save_figure

    written: dict[str, Path] = {}
    for figure in figures:
        for path in save_figure(figure.draw(results), figure.path):
            written[f"figure_{path.name}"] = path
    return written
