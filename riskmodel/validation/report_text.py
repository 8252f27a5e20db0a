"""Prose of ``docs/validation.md``: fixed definitions and limits, and the plain-language
reading and the list of losses, computed from the scores (so that they cannot drift from
the tables when the report is regenerated)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from riskmodel.plotting.validation import TARGET_LABELS, method_label
from riskmodel.validation.harness import METHODS, OWN_METHOD, TARGETS

__all__ = [
    "DEFINITIONS",
    "LIMITS",
    "ACCEPTANCE_COVERAGE_90",
    "ACCEPTANCE_CRPS_CUTOFFS",
    "method_label",
    "NO_ROWS",
    "acceptance",
    "bayesian_frontier_coverage",
    "by_kind_table",
    "frontier_detail_table",
    "skipped_table",
    "markdown_table",
    "reading",
    "where_it_loses",
    "wins_and_losses",
    "comparisons",
    "in_short",
    "worst_misses",
    "benchmark_bias_table",
]

#: Worst forecasts of the toolkit's model listed per target (lowest log score).
WORST_MISSES = 5
#: Metrics compared in the win/loss listing, with readable names.
COMPARED = {
    "crps": "CRPS",
    "log_score": "log score",
    "mae": "MAE",
    "coverage_90": "90% coverage (distance from 0.9)",
}

#: Column names of the frontier detail table (short forms of the method labels,
#: :func:`~riskmodel.plotting.validation.method_label`).
SHORT_FRONTIER_LABELS = {
    "bayesian": "Bayesian",
    "score_trend": "score trend",
    "logistic": "logistic @ FLOP trend",
    "irt": "IRT @ FLOP trend",
}
#: Readable names of the harness kinds (rows of the by-kind table).
KIND_LABELS = {"base_few_shot": "base models, few-shot", "chat": "chat", "agent": "agent"}
#: The issue's acceptance band of the Bayesian model's 90% interval coverage (benchmark
#: scores and best score per window).
ACCEPTANCE_COVERAGE_90 = (0.85, 0.97)
#: Cutoffs (of the default four) at which the Bayesian model must have a lower mean CRPS
#: than every least-squares baseline on the best score per window.
ACCEPTANCE_CRPS_CUTOFFS = 3

DEFINITIONS = """\
## What is tested

**Split.** For each cutoff, every method sees only what was known about models released
strictly before it: their benchmark results and task runs, and the models table
restricted to them (so the compute trends do not see the FLOP of later models either;
`riskmodel.validation.splits.check_split` asserts this). A forecast may condition on a
later model's release date and Epoch training-FLOP estimate (benchmark target only),
never on its results. Forecasts are scored on everything released from the cutoff to
the data vintage.

**Instruments.** The capability model fits one set of benchmark parameters per
*instrument*, a benchmark read through one kind of harness (base-model few-shot, chat,
agent); key = the benchmark slug for its main kind, else `slug@kind`. Every method is
fitted and scored per instrument; a result counts for the instrument of its
(benchmark, harness kind), with the best effort setting of each model and harness (as
the capability fit reads results). The Open LLM Leaderboard v2 tasks are excluded from
the capability fit and so from the backtest.

**Targets.**

1. *Benchmark score at known FLOP*: every post-cutoff result of a model with a known
   training FLOP, on an instrument all methods can forecast (in the training fit, at
   least {min_rows} training results with known FLOP, and an item-response fit). The quantity is
   the fraction of the benchmark's tasks solved.
2. *Best score per window*: for each {window_months}-month window after the cutoff (the
   last one cut at the vintage) and each instrument of a chat or agent harness, the
   **best fraction solved among all results of models released in the window**: any
   model, with or without a FLOP estimate, any harness of the instrument. The
   base-model few-shot instruments are not targets here: their rosters are open base
   models chosen by the table's authors, so their best is not the best model released
   (see the limits). A harness missing from the registry counts as chat. A row is
   scored only where every method can forecast it; otherwise it is listed with the
   reason below its table, with the Bayesian model's forecast where it has one (those
   forecasts count in the acceptance check of its coverage on every row it forecasts).
3. *Runs above a compute threshold*: Epoch notable base runs released in each complete
   calendar half-year after the cutoff at or above {thresholds} FLOP.

**Methods.**

- *Bayesian model*: the capability model fitted by NUTS to the training evidence. Target
  1: a new model's capability at its FLOP and date (method progress, reasoning gain
  from the first reasoning release in the training data on, model scatter), then the
  instrument's item-response curve and beta-binomial noise. Target 2: per posterior
  draw, the capability of the **best frontier release of the window**
  (`frontier_capability_draws` with the window's length, ending on its last day: a
  Poisson number of frontier releases at the training data's frontier release rate,
  each with FLOP from the frontier compute trend and its own scatter; the best of them),
  read through the instrument (`benchmark_fraction_draws`, the instrument's reference
  harness).
- *Best-score trend by date (LS)* (target 2): per instrument, the best score of each
  pre-cutoff {window_months}-month window (same grid, counted back from the cutoff; all
  training results, any FLOP), fitted by least squares as chance + (1 - chance) x
  logistic(a + b x years) on the window's last day; needs {min_windows} windows with results.
  Predictive: normal on the fraction scale with sd sqrt(residual variance + parameter
  variance at the new date) (delta method from the Jacobian), censored to [0, 1].
- *Logistic on log FLOP (LS)*: per instrument, chance + (1 - chance) x logistic(slope x
  (log10 FLOP - midpoint)) by least squares on the training results with known FLOP;
  predictive normal with the residual sd on the fraction scale, censored to [0, 1],
  plug-in.
- *Item response (LS)*: a latent capability per training model, a slope and midpoint per
  instrument, fitted jointly by least squares without priors (scale: mean 0, sd 1 over
  the training models; a separate fit per group of instruments linked by shared
  models); a new model's capability from a least-squares regression on log10 FLOP and
  release date (residual and coefficient uncertainty), then the curve plus a normal
  residual censored to [0, 1].
- *... at frontier FLOP trend (LS)* (target 2): the two baselines above for a model
  whose log10 FLOP is drawn from a least-squares line through the log10 FLOP of the
  pre-cutoff frontier-flagged language models (from 2018) against release date
  (prediction sd with coefficient uncertainty), released on the window's last day.
- *World count model* (target 3): the count model of `riskmodel.world.fit` (curved
  Poisson intensity in log FLOP and year, Laplace approximation of the posterior under
  flat priors) fitted to the complete calendar years from 2018 before the cutoff; a
  half-year gets half its year's expected count.
- *Poisson trend* (target 3): log-linear Poisson trend of yearly counts per threshold,
  Firth-penalised maximum likelihood, with Fisher-information parameter uncertainty,
  on the same years as the world model.

**Scores** (per row, then averaged): coverage of the central 50% and 90% predictive
intervals (closed intervals; nominal 0.5 and 0.9); CRPS (energy form on predictive
draws, closed form for the censored normal, exact for count distributions; units of the
target, lower is better); log score = natural log of the predictive probability of the
observed count (k of n tasks solved, or runs), the same discrete quantity for every
method (a continuous forecast's probability of the count is its mass on the count's bin;
higher is better; it punishes overconfident misses hardest, so a few rows can dominate
its mean); MAE of the predictive median."""

LIMITS = """\
## Limits of this validation

- **Who is evaluated.** The observed best per window is the best of the models someone
  evaluated on the instrument, not necessarily of the models released. On the base-model
  few-shot instruments (the Observational Scaling Laws table: ARC, GSM8K, HellaSwag,
  HumanEval, MMLU, TruthfulQA, Winogrande, XWinograd) the evaluated models are open base
  models chosen by the table's authors, few after mid-2024 and none of the frontier
  labs' closed models: the best HumanEval result of the models released in 2024-07..12
  is 0.13, from a 4B-parameter base model. Their best is not the frontier that the
  Bayesian model forecasts, so they are not targets of the best score per window (their
  results stay in the benchmark target and in the fit). The targets are the chat and
  agent instruments (GPQA Diamond, Cybench, FrontierMath, SWE-bench Verified, OSWorld,
  Terminal-Bench 2.0), whose rosters hold the frontier models; even there a window's
  best misses a frontier model that nobody evaluated on the instrument. At the early
  cutoffs few of these instruments have enough pre-cutoff history for every method, so
  the best score per window may have no scored rows there.
- **Harnesses.** The Bayesian forecast is for each instrument's reference harness; the
  observed best may come from another harness of the instrument (Cybench system cards,
  Terminal-Bench agents, OSWorld step budgets), which the forecast treats as noise.
- **Few rows for the new benchmarks.** Most frontier instruments have fewer than three
  pre-cutoff windows with results at these cutoffs (Terminal-Bench 2.0 has none before
  2025-04), so the trend baseline cannot forecast them and the rows are skipped for
  every method; they are listed with the Bayesian model's forecast, which counts in the
  acceptance check of its coverage on every row it forecasts. The best score per
  window is scored on few rows at every cutoff: read its scores as anecdotes.
- **Revised inputs.** Release dates and FLOP estimates of pre-cutoff models are Epoch's
  values at the shipped vintage, possibly revised after the cutoff; many results on
  pre-cutoff models were produced later (the default reading keeps them as training
  data; `--known-only` drops them).
- **Rows are not independent.** Results of one model on several instruments, and the
  windows' maxima, share errors; forecasts at two cutoffs share most of their training
  data. Differences of a few hundredths in mean scores are within noise.
- **What the baselines see.** The Bayesian model also uses task-level runs (METR, cyber
  suites) and the compute trend of all notable language models; the baselines use only
  the aggregate results (and, for the frontier FLOP trend, the frontier-flagged models).
  That is the comparison the issue asks for (the model against what others do), not an
  ablation."""


def markdown_table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    """A GitHub Markdown table of ``frame`` (index dropped), numbers formatted.

    Parameters
    ----------
    frame
        The table.
    formats
        Column -> ``str.format`` pattern for numeric cells (e.g. ``"{:.3g}"``).
    """
    formats = formats or {}

    def cell(column: str, value: object) -> str:
        if isinstance(value, float) and np.isnan(value):
            return ""
        if column in formats and isinstance(value, (int, float, np.number)):
            return formats[column].format(value)
        return str(value)

    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = [
        "| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row, strict=True)) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([head, rule, *body])


def _label(method: str, target: str | None = None) -> str:
    return method_label(method, target)


def _pooled(summary: pd.DataFrame, target: str, method: str, metric: str) -> float:
    """Mean of ``metric`` over all rows of every cutoff (cutoffs weighted by rows)."""
    part = summary[(summary["target"] == target) & (summary["method"] == method)]
    weights = part["n"].to_numpy(float)
    if weights.sum() == 0:
        return float("nan")
    return float(np.average(part[metric].to_numpy(float), weights=weights))


def _paired(rows: pd.DataFrame, target: str, metric: str) -> pd.DataFrame:
    """Rows of ``target`` with one column of ``metric`` per method (same items)."""
    part = rows[rows["target"] == target]
    return part.pivot_table(
        index=["cutoff", "item", "benchmark"], columns="method", values=metric, aggfunc="mean"
    )


def _distance(block: pd.DataFrame, metric: str) -> pd.Series:
    """Per method, how far from ideal ``metric`` is (lower is better)."""
    values = block.set_index("method")[metric].astype(float)
    if metric in ("crps", "mae"):
        return values
    if metric == "log_score":
        return -values
    return (values - (0.5 if metric == "coverage_50" else 0.9)).abs()


def comparisons(summary: pd.DataFrame) -> pd.DataFrame:
    """Per (target, metric, cutoff): the toolkit model's value, the best other method and
    its value, and whether the toolkit model is best (ties count as best).

    Returns
    -------
    pandas.DataFrame
        Columns ``target``, ``metric``, ``cutoff``, ``own``, ``own_value``, ``rival``,
        ``rival_value``, ``own_best``.
    """
    records = []
    for target in TARGETS:
        part = summary[summary["target"] == target]
        own = OWN_METHOD[target]
        for metric in COMPARED:
            for cutoff, block in part.groupby("cutoff"):
                distance = _distance(block, metric)
                rivals = distance.drop(own)
                rival = str(rivals.idxmin())
                values = block.set_index("method")[metric]
                records.append(
                    {
                        "target": target,
                        "metric": metric,
                        "cutoff": cutoff,
                        "own": own,
                        "own_value": float(values[own]),
                        "rival": rival,
                        "rival_value": float(values[rival]),
                        "own_best": bool(distance[own] <= rivals.min() + 1e-12),
                    }
                )
    return pd.DataFrame(records)


def _target_name(target: str) -> str:
    label = TARGET_LABELS[target]
    return label[0].upper() + label[1:]


def wins_and_losses(summary: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Bullet lines: where the toolkit's model is best (ties included), and every
    (target, score, cutoff) where another method is better, with both values."""
    table = comparisons(summary)
    wins, losses = [], []
    for (target, metric), block in table.groupby(["target", "metric"], sort=False):
        label = f"{_target_name(target)}, {_label(OWN_METHOD[target], target)}, {COMPARED[metric]}"
        won = block[block["own_best"]]
        lost = block[~block["own_best"]]
        if len(won):
            wins.append(f"- **{label}**: best at {', '.join(won['cutoff'])}.")
        if len(lost):
            items = "; ".join(
                f"{r.cutoff} (to {_label(r.rival, target)}: {r.rival_value:.4g} vs "
                f"{r.own_value:.4g})"
                for r in lost.itertuples()
            )
            losses.append(f"- **{label}**: loses at {items}.")
    return wins, losses


def in_short(summary: pd.DataFrame) -> str:
    """One paragraph: per target, at how many cutoffs the toolkit model is best on each
    score."""
    table = comparisons(summary)
    sentences = []
    for target in TARGETS:
        block = table[table["target"] == target]
        if block.empty:
            continue
        n = block["cutoff"].nunique()
        counts = {
            COMPARED[m]: int(block.loc[block["metric"] == m, "own_best"].sum()) for m in COMPARED
        }
        listed = ", ".join(f"{name} at {k} of {n}" for name, k in counts.items())
        sentences.append(
            f"{_target_name(target)}: the {_label(OWN_METHOD[target], target)} is the best method "
            f"on {listed} cutoffs."
        )
    return " ".join(sentences)


def worst_misses(rows: pd.DataFrame, target: str) -> str:
    """Markdown table of the toolkit model's lowest log scores on ``target``, with the
    other methods' log scores on the same rows."""
    own = OWN_METHOD[target]
    part = rows[(rows["target"] == target) & (rows["method"] == own)]
    worst = part.nsmallest(WORST_MISSES, "log_score")
    table = worst[
        ["cutoff", "item", "benchmark", "observed", "q05", "q50", "q95", "log_score"]
    ].copy()
    keyed = rows[rows["target"] == target].set_index(["cutoff", "item", "benchmark", "method"])
    for method in METHODS[target][1:]:
        table[f"log score, {_label(method, target)}"] = [
            float(keyed["log_score"].get((c, i, b, method), np.nan))
            for c, i, b in zip(worst["cutoff"], worst["item"], worst["benchmark"], strict=True)
        ]
    formats = {c: "{:.3g}" for c in table.columns if c not in ("cutoff", "item", "benchmark")}
    return markdown_table(table, formats)


def benchmark_bias_table(rows: pd.DataFrame) -> str:
    """Markdown table: mean (median - observed) per benchmark and method, all cutoffs."""
    part = rows[rows["target"] == "benchmark"].assign(bias=lambda d: d["q50"] - d["observed"])
    table = part.pivot_table(index="benchmark", columns="method", values="bias", aggfunc="mean")
    counts = part[part["method"] == OWN_METHOD["benchmark"]].groupby("benchmark").size()
    table = table[[m for m in METHODS["benchmark"] if m in table.columns]]
    table.columns = [f"bias, {_label(m)}" for m in table.columns]
    table.insert(0, "rows", counts)
    table = table.reset_index()
    formats = {c: "{:+.3f}" for c in table.columns if c.startswith("bias")}
    return markdown_table(table, formats)


def reading(summary: pd.DataFrame, rows: pd.DataFrame) -> str:
    """Plain-language reading of the scores, computed (pooled over cutoffs)."""
    out = []
    for target in TARGETS:
        if target not in set(summary["target"]):
            continue
        own = OWN_METHOD[target]
        n = int(summary.loc[(summary["target"] == target) & (summary["method"] == own), "n"].sum())
        parts = []
        for method in METHODS[target]:
            parts.append(
                f"{_label(method, target)}: CRPS "
                f"{_pooled(summary, target, method, 'crps'):.4g}, "
                f"log score {_pooled(summary, target, method, 'log_score'):.3g}, "
                f"coverage {_pooled(summary, target, method, 'coverage_50'):.2f} / "
                f"{_pooled(summary, target, method, 'coverage_90'):.2f} (50% / 90%), "
                f"MAE {_pooled(summary, target, method, 'mae'):.3g}"
            )
        log_pairs = _paired(rows, target, "log_score")
        crps_pairs = _paired(rows, target, "crps")
        row_wins = "; ".join(
            f"against {_label(m, target)} it has the better log score on "
            f"{(log_pairs[own] > log_pairs[m]).mean():.0%} of rows and the better CRPS on "
            f"{(crps_pairs[own] < crps_pairs[m]).mean():.0%}"
            for m in METHODS[target][1:]
        )
        out.append(
            f"- **{_target_name(target)}** ({n} rows over all cutoffs; means "
            f"over all rows): {'; '.join(parts)}. Row by row, {row_wins}."
        )
    return "\n".join(out)


def where_it_loses(summary: pd.DataFrame, rows: pd.DataFrame) -> str:
    """Plain statement of the toolkit models' losses (computed from the scores)."""
    names = {"crps": "CRPS", "log_score": "mean log score", "mae": "MAE"}
    table = comparisons(summary)
    out = []
    for target in TARGETS:
        part = summary[summary["target"] == target]
        if part.empty:
            continue
        own = OWN_METHOD[target]
        name = _target_name(target)
        for metric, lower_is_better in (("crps", True), ("log_score", False), ("mae", True)):
            mine = _pooled(summary, target, own, metric)
            for method in METHODS[target][1:]:
                theirs = _pooled(summary, target, method, metric)
                if (theirs < mine) if lower_is_better else (theirs > mine):
                    out.append(
                        f"- {name}: pooled over all rows, {_label(method, target)} has the "
                        "better "
                        f"{names[metric]} ({theirs:.4g} against {mine:.4g})."
                    )
        block = table[(table["target"] == target) & (table["metric"].isin(["crps", "mae"]))]
        lost = block[~block["own_best"]]
        if len(lost):
            n = block["cutoff"].nunique()
            out.append(
                f"- {name}: another method has the lower CRPS at "
                f"{int((~block.loc[block['metric'] == 'crps', 'own_best']).sum())} of {n} "
                f"cutoffs and the lower MAE at "
                f"{int((~block.loc[block['metric'] == 'mae', 'own_best']).sum())} of {n}."
            )
        log_pairs = _paired(rows, target, "log_score")
        for method in METHODS[target][1:]:
            share = float((log_pairs[own] > log_pairs[method]).mean())
            if share < 0.5:
                tails = (
                    "; its mean log score is higher all the same, from fewer catastrophic "
                    "misses (wider tails), not from being closer"
                    if _pooled(summary, target, own, "log_score")
                    > _pooled(summary, target, method, "log_score")
                    else ""
                )
                out.append(
                    f"- {name}: row by row the {_label(own, target)} has the better log "
                    f"score than {_label(method, target)} on only {share:.0%} of rows"
                    f"{tails}."
                )
        coverage = part[part["method"] == own].set_index("cutoff")["coverage_90"]
        low_bound, high_bound = ACCEPTANCE_COVERAGE_90
        for words, bad in (
            ("too narrow", coverage[coverage < low_bound]),
            ("too wide", coverage[coverage > high_bound]),
        ):
            if len(bad):
                listed = ", ".join(f"{c}: {v:.3f}" for c, v in bad.items())
                out.append(
                    f"- {name}: the {_label(own, target)}'s 90% intervals are {words} at "
                    f"some cutoffs (share of observations inside: {listed}; outside "
                    f"{low_bound:.2f}-{high_bound:.2f})."
                )
    if "counts" in set(rows["target"]):
        pairs = _paired(rows, "counts", "log_score")
        own = OWN_METHOD["counts"]
        worse = pairs[pairs[own] < pairs["poisson_trend"]]
        if len(worse):
            by_threshold = worse.index.get_level_values("benchmark").value_counts()
            listed = ", ".join(f"{t}: {k}" for t, k in by_threshold.sort_index().items())
            out.append(
                f"- Runs above a compute threshold: the Poisson trend has the better log score "
                f"on {len(worse)} of {len(pairs)} rows (by threshold: {listed}); the world "
                "model's fitted shape in log FLOP leaves too little room for runs above the "
                "largest compute seen so far (in the shipped data: the first runs at or "
                "above 1e25 FLOP came in 2023, after none in the training years)."
            )
    if "benchmark" in set(rows["target"]):
        part = rows[(rows["target"] == "benchmark") & (rows["method"] == "bayesian")]
        bias = (part["q50"] - part["observed"]).groupby(part["benchmark"]).mean()
        worst = bias.abs().sort_values(ascending=False).index[:2]
        described = ", ".join(
            f"{b} ({'over' if bias[b] > 0 else 'under'}-predicted by {abs(bias[b]):.2f} on average)"
            for b in worst
        )
        out.append(
            "- Benchmark scores: the largest systematic errors of the Bayesian model are on "
            f"{described}. One latent capability with a single rate of algorithmic progress "
            "cannot follow a benchmark whose scores rise faster (or slower) over time than "
            "the others at the same compute. Neither baseline models such a trend either "
            "(the logistic curve ignores dates; the item-response placement has one date "
            "slope for all benchmarks); the bias table shows where each method stands."
        )
    return "\n".join(out) if out else "- Pooled over cutoffs, no baseline beats it."


def _yes(value: bool) -> str:
    return "yes" if value else "**no**"


#: The ``met`` cell of a check that has no rows to measure (not met: it cannot count as a
#: pass or a win).
NO_ROWS = "*no rows*"


def bayesian_frontier_coverage(
    rows: pd.DataFrame | None, skipped: pd.DataFrame | None
) -> pd.DataFrame:
    """Every best-score-per-window row the Bayesian model forecasts, with its 90% hit.

    Parameters
    ----------
    rows
        Scored rows of every cutoff (columns ``cutoff``, ``target``, ``method``,
        ``in_90``); the Bayesian model's frontier rows are taken.
    skipped
        Skipped frontier rows of every cutoff (columns ``cutoff``, ``in_90``; ``in_90``
        NaN where the Bayesian model cannot forecast the row): those with a Bayesian
        score are taken, the others ignored.

    Returns
    -------
    pandas.DataFrame
        Columns ``cutoff``, ``in_90`` (0 or 1) and ``source`` (``scored`` or
        ``skipped``), scored rows first.
    """
    parts = []
    if rows is not None and len(rows) and {"target", "method", "in_90"} <= set(rows.columns):
        own = rows[(rows["target"] == "frontier") & (rows["method"] == "bayesian")]
        parts.append(
            pd.DataFrame(
                {"cutoff": own["cutoff"], "in_90": own["in_90"].astype(float), "source": "scored"}
            )
        )
    if skipped is not None and len(skipped) and {"cutoff", "in_90"} <= set(skipped.columns):
        part = skipped[skipped["target"] == "frontier"] if "target" in skipped else skipped
        hits = part["in_90"].astype(float)
        part = part[hits.notna()]
        parts.append(
            pd.DataFrame(
                {"cutoff": part["cutoff"], "in_90": hits[hits.notna()], "source": "skipped"}
            )
        )
    columns = ["cutoff", "in_90", "source"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def _coverage_stats(hits: pd.DataFrame) -> pd.DataFrame:
    """Per cutoff of ``hits`` (:func:`bayesian_frontier_coverage`): ``coverage`` (share
    inside the 90% interval), ``n`` (rows) and ``scored`` (of them scored rows)."""
    if hits.empty:
        return pd.DataFrame(columns=["coverage", "n", "scored"], dtype=float)
    grouped = hits.groupby("cutoff", sort=True)
    return pd.DataFrame(
        {
            "coverage": grouped["in_90"].mean(),
            "n": grouped.size(),
            "scored": grouped["source"].apply(lambda s: int((s == "scored").sum())),
        }
    )


def _coverage_records(
    label: str, stats: pd.DataFrame, cutoffs: list[str], gate: dict[str, bool]
) -> list[dict[str, str]]:
    """Acceptance records of 90% coverage of the Bayesian model: pooled over ``cutoffs``
    (rows weighted equally) and at each of them. A cutoff (or the pool) without rows is
    reported as *no rows*, never as met.

    Parameters
    ----------
    label
        Start of each check's name.
    stats
        Index cutoff; columns ``coverage``, ``n`` (rows) and optionally ``scored`` (rows
        scored for every method; the rest are skipped rows, counted apart).
    cutoffs
        Cutoffs at which the target was run.
    gate
        Cutoff -> the fit passes the convergence gate (a cutoff missing here counts as
        failing it).
    """
    low, high = ACCEPTANCE_COVERAGE_90
    band = f"{low:.2f}-{high:.2f}"
    stats = stats[stats.index.isin(cutoffs) & (stats["n"] > 0)]

    def counted(n: int, scored: float | None) -> str:
        if scored is None:
            return f"{n} rows"
        return f"{n} rows: {int(scored)} scored, {n - int(scored)} skipped"

    split = "scored" in stats.columns
    records = []
    if stats.empty:
        measured, met = "no rows at any cutoff", NO_ROWS
    else:
        n = int(stats["n"].sum())
        pooled = float(np.average(stats["coverage"].to_numpy(float), weights=stats["n"]))
        all_gated = all(gate.get(c, False) for c in stats.index)
        measured = f"{pooled:.2f} ({counted(n, stats['scored'].sum() if split else None)})"
        measured += "" if all_gated else ", includes fits that fail the gate"
        met = _yes(low <= pooled <= high and all_gated)
    records.append(
        {
            "check": f"{label}: 90% coverage, pooled over cutoffs",
            "measured": measured,
            "target": band,
            "met": met,
        }
    )
    for cutoff in cutoffs:
        if cutoff not in stats.index:
            measured, met = "no rows", NO_ROWS
        else:
            row = stats.loc[cutoff]
            value, passed = float(row["coverage"]), gate.get(cutoff, False)
            measured = f"{value:.2f} ({counted(int(row['n']), row['scored'] if split else None)})"
            if not passed:
                measured += ", gate failed" if cutoff in gate else ", gate unknown"
            met = _yes(low <= value <= high and passed)
        records.append(
            {
                "check": f"{label}: 90% coverage at {cutoff}",
                "measured": measured,
                "target": band,
                "met": met,
            }
        )
    return records


def _summary_stats(summary: pd.DataFrame, target: str) -> pd.DataFrame:
    """The Bayesian model's 90% coverage and rows per cutoff on ``target`` (summary)."""
    part = summary[(summary["target"] == target) & (summary["method"] == "bayesian")]
    return part.set_index("cutoff").rename(columns={"coverage_90": "coverage"})[["coverage", "n"]]


def _crps_records(part: pd.DataFrame, cutoffs: list[str], gate: dict[str, bool]) -> list[dict]:
    """Acceptance records of the Bayesian model's mean CRPS against the least-squares
    baselines on the best score per window (``part``: its summary rows). A cutoff without
    scored rows is listed as *no rows*: never a win."""
    needed = ACCEPTANCE_CRPS_CUTOFFS
    scores: dict[str, pd.Series | None] = {}
    for cutoff in cutoffs:
        crps = part.loc[(part["cutoff"] == cutoff) & (part["n"] > 0)].set_index("method")["crps"]
        ok = "bayesian" in crps and len(crps.drop("bayesian").dropna()) > 0
        scores[cutoff] = crps if ok else None
    empty = [c for c, crps in scores.items() if crps is None]
    no_rows = f", {len(empty)} with no rows (not a win)" if empty else ""

    wins, gated_wins, detail = 0, 0, []
    for cutoff, crps in scores.items():
        if crps is None:
            detail.append(f"{cutoff}: no rows")
            continue
        rivals = crps.drop("bayesian")
        won = bool(crps["bayesian"] < rivals.min())
        wins += won
        gated_wins += won and gate.get(cutoff, False)
        detail.append(
            f"{cutoff}: {crps['bayesian']:.3g} vs {rivals.min():.3g} "
            f"({_label(str(rivals.idxmin()), 'frontier')}), "
            + ("wins" if won else "loses")
            + ("" if gate.get(cutoff, False) else " (gate failed)")
        )
    records = [
        {
            "check": "Best score per window: lower CRPS than every LS baseline",
            "measured": f"at {wins} of {len(cutoffs)} cutoffs, {gated_wins} of them with a "
            f"converged fit{no_rows} ({'; '.join(detail)})",
            "target": f">= {needed} of 4 cutoffs",
            "met": _yes(gated_wins >= needed),
        }
    ]
    for method in [m for m in METHODS["frontier"] if m != "bayesian"]:
        beats = [
            (c, bool(crps["bayesian"] < crps[method]))
            for c, crps in scores.items()
            if crps is not None and method in crps
        ]
        n_beats = sum(won for _, won in beats)
        gated = sum(won and gate.get(c, False) for c, won in beats)
        missing = len(cutoffs) - len(beats)
        records.append(
            {
                "check": f"Best score per window: lower CRPS than {_label(method, 'frontier')}",
                "measured": f"at {n_beats} of {len(cutoffs)} cutoffs ({gated} with a converged "
                "fit" + (f"; {missing} with no rows, not a win" if missing else "") + ")",
                "target": f">= {needed} of 4 cutoffs",
                "met": _yes(gated >= needed),
            }
        )
    return records


def acceptance(
    summary: pd.DataFrame,
    *,
    rows: pd.DataFrame | None = None,
    skipped: pd.DataFrame | None = None,
    frontier_cutoffs: Sequence[str] | None = None,
    gates: dict[str, bool] | None = None,
) -> str:
    """The issue's acceptance checks, measured: a Markdown table and one sentence.

    * 90% interval coverage of the Bayesian model within :data:`ACCEPTANCE_COVERAGE_90`
      on the benchmark and frontier targets (rows every method is scored on): pooled over
      the cutoffs (rows weighted equally) and at each cutoff;
    * the same on the best score per window for **every row the Bayesian model
      forecasts**: the scored rows plus the skipped rows that carry its scores
      (:func:`bayesian_frontier_coverage`; needs ``rows`` and ``skipped``);
    * a lower mean CRPS than every least-squares baseline on the best score per window at
      :data:`ACCEPTANCE_CRPS_CUTOFFS` cutoffs or more.

    A cutoff whose fit fails the convergence gate fails every check there. A cutoff of
    ``frontier_cutoffs`` with no rows to compare is reported as *no rows*: the check at
    that cutoff is not met, and it is no win of the CRPS check.

    Parameters
    ----------
    summary
        Columns ``cutoff``, ``target``, ``method``, ``n``, ``coverage_90``, ``crps``,
        ``gate_passed``.
    rows
        Scored rows of every cutoff (for the coverage on every row the Bayesian model
        forecasts).
    skipped
        Skipped frontier rows of every cutoff, with the Bayesian model's ``in_90`` where
        it forecasts them.
    frontier_cutoffs
        Cutoffs at which the best score per window was run (default: those with rows in
        ``summary`` or ``skipped``): a cutoff without frontier rows is only seen here.
    gates
        Cutoff -> its fit passes the convergence gate (default: ``summary``'s
        ``gate_passed``; these values take precedence).
    """
    gate = dict(zip(summary["cutoff"], summary["gate_passed"], strict=True))
    gate.update(gates or {})
    records = []
    bench = _summary_stats(summary, "benchmark")
    if not bench.empty:
        records += _coverage_records(_target_name("benchmark"), bench, list(bench.index), gate)

    frontier = summary[summary["target"] == "frontier"]
    if frontier_cutoffs is None:
        seen = set(frontier["cutoff"])
        if skipped is not None and "cutoff" in skipped.columns:
            seen |= set(skipped["cutoff"])
        frontier_cutoffs = sorted(seen)
    cutoffs = sorted(dict.fromkeys(frontier_cutoffs))
    if cutoffs:
        stats = _summary_stats(summary, "frontier")
        records += _coverage_records(_target_name("frontier"), stats, cutoffs, gate)
        if rows is not None or skipped is not None:
            hits = bayesian_frontier_coverage(rows, skipped)
            records += _coverage_records(
                "Best score per window, every row the Bayesian model forecasts",
                _coverage_stats(hits),
                cutoffs,
                gate,
            )
        records += _crps_records(frontier, cutoffs, gate)

    table = pd.DataFrame(records, columns=["check", "measured", "target", "met"])
    failed = int((table["met"] == _yes(False)).sum())
    empty = int((table["met"] == NO_ROWS).sum())
    if failed + empty == 0:
        verdict = "Every acceptance check is met."
    else:
        verdict = f"{failed + empty} of {len(table)} checks are not met"
        if failed:
            verdict += f": {failed} fail (marked **no**)"
        if empty:
            verdict += (", and " if failed else ": ") + (
                f"{empty} have no rows to check (marked {NO_ROWS})"
            )
        verdict += "."
    return markdown_table(table) + "\n\n" + verdict


def by_kind_table(rows: pd.DataFrame, target: str) -> str:
    """Markdown table: n, CRPS and 90% coverage per cutoff, harness kind of the instrument
    (:data:`KIND_LABELS`) and method."""
    part = rows[rows["target"] == target].copy()
    if part.empty or "kind" not in part:
        return "(no rows)"
    part["instruments"] = part["kind"].map(lambda k: KIND_LABELS.get(str(k), str(k)))
    grouped = part.groupby(["cutoff", "instruments", "method"], sort=True)
    table = pd.DataFrame(
        {
            "n": grouped.size(),
            "CRPS": grouped["crps"].mean(),
            "cover 90%": grouped["in_90"].mean(),
        }
    ).reset_index()
    order = {m: i for i, m in enumerate(METHODS[target])}
    table = table.sort_values(
        ["cutoff", "instruments", "method"], key=lambda c: c.map(order) if c.name == "method" else c
    )
    table["method"] = table["method"].map(lambda m: _label(m, target))
    return markdown_table(table, {"n": "{:.0f}", "CRPS": "{:.4g}", "cover 90%": "{:.2f}"})


def _interval(row: pd.Series) -> str:
    return f"{row['q50']:.3f} [{row['q05']:.3f}, {row['q95']:.3f}]"


def frontier_detail_table(rows: pd.DataFrame) -> str:
    """Markdown table of every scored frontier row: observation, the model that set it,
    and each method's median [90% interval] and CRPS."""
    part = rows[rows["target"] == "frontier"]
    if part.empty:
        return "(no rows)"
    records = []
    keys = ["cutoff", "item", "benchmark"]
    for (cutoff, item, bench), block in part.groupby(keys, sort=True):
        by_method = block.set_index("method")
        first = block.iloc[0]
        record = {
            "cutoff": cutoff,
            "window": item,
            "instrument": bench,
            "observed (model)": f"{first['observed']:.3f} ({first['best_model']})",
        }
        for method in METHODS["frontier"]:
            if method in by_method.index:
                row = by_method.loc[method]
                short = SHORT_FRONTIER_LABELS.get(method, method)
                record[f"{short}: median [90%]"] = _interval(row)
                record[f"{short}: CRPS"] = f"{row['crps']:.3f}"
        records.append(record)
    return markdown_table(pd.DataFrame(records))


def skipped_table(skipped: pd.DataFrame) -> str:
    """Markdown table of the frontier rows left out, with the reason and the Bayesian
    model's forecast where it could make one."""
    if skipped is None or skipped.empty:
        return "(none)"
    table = skipped.sort_values(["cutoff", "item", "benchmark"])
    records = []
    for row in table.itertuples(index=False):
        forecast = (
            f"{row.q50:.3f} [{row.q05:.3f}, {row.q95:.3f}], CRPS {row.crps:.3f}"
            if "q50" in table.columns and pd.notna(getattr(row, "q50", np.nan))
            else ""
        )
        records.append(
            {
                "cutoff": row.cutoff,
                "window": row.item,
                "instrument": row.benchmark,
                "observed (model)": f"{row.observed:.3f} ({row.best_model})",
                "Bayesian median [90%]": forecast,
                "left out because": row.reason,
            }
        )
    return markdown_table(pd.DataFrame(records))
