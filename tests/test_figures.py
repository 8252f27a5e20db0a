"""Tests of the publication figures (issue 5): style, captions, files, and each figure.

Figures are built from small tables and datasets constructed here; only the tests of the
computing helpers (hazard curves, crossing table, sensitivity table) need a fit (the
session's synthetic ``small_fit``) and are marked ``slow`` (their Monte Carlo takes tens
of seconds).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.figure import Figure
from matplotlib.text import Text

from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.hazard.enhancement import EnhancementAllowance
from riskmodel.plotting.hazard import plot_crossings, plot_hazard_curves
from riskmodel.plotting.policy import (
    KEY_OUTCOMES,
    flowchart_text,
    plot_decision_flowchart,
    plot_tornado,
    plot_variant_comparison,
)
from riskmodel.plotting.priors import plot_prior_posterior, prior_density
from riskmodel.plotting.style import (
    PALETTE,
    caption,
    format_flop,
    format_usd,
    save_figure,
    series_style,
)
from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES, TRUTH_OUTCOMES
from riskmodel.policy.variants import SHIPPED_VARIANTS, load_variants
from riskmodel.simulation.sensitivity import ASSUMPTIONS, sensitivity_table
from riskmodel.uplift.elicitation import load_uplift_priors

PROVENANCE = {"vintage": "2025-02-27", "seed": 1234, "version": "9.8.7"}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _texts(fig: Figure) -> str:
    """Every drawn string of a figure, line breaks as spaces."""
    return " ".join(t.get_text().replace("\n", " ") for t in fig.findobj(Text))


def _caption(fig: Figure) -> Text:
    (found,) = [t for t in fig.texts if t.get_gid() == "caption"]
    return found


def _check_caption(fig: Figure) -> None:
    text = _caption(fig).get_text()
    assert "2025-02-27" in text and "seed 1234" in text and "riskmodel 9.8.7" in text
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    top = _caption(fig).get_window_extent(renderer).y1
    lowest = min(ax.get_tightbbox(renderer).y0 for ax in fig.axes if ax.get_visible())
    assert top <= lowest + 1.0, "the caption overlaps the axes"


# --- style -----------------------------------------------------------------------------


def test_format_flop_and_usd() -> None:
    assert format_flop(1e26) == "1\u00d710\u00b2\u2076"
    assert format_flop(3e25) == "3\u00d710\u00b2\u2075"
    assert format_flop(2.5e-3) == "2.5\u00d710\u207b\u00b3"
    assert format_flop(float("inf")) == "\u221e"
    assert format_usd(5e6) == "$5M"
    assert format_usd(1e8) == "$100M"
    assert format_usd(5e5) == "$500k"
    assert format_usd(1.25e9) == "$1.25B"


def test_series_styles_differ_without_colour() -> None:
    styles = [series_style(i) for i in range(6)]
    assert (
        len(
            {
                (
                    s["linestyle"] if isinstance(s["linestyle"], str) else str(s["linestyle"]),
                    s["marker"],
                )
                for s in styles
            }
        )
        == 6
    )
    assert {s["color"] for s in styles} <= set(PALETTE)


def test_caption_below_the_axes_and_files_written(tmp_path: Path) -> None:
    fig, ax = plt.subplots(figsize=(5, 3), layout="constrained")
    ax.plot([1, 2], [1, 2])
    ax.set_xlabel("x (units)")
    height = fig.get_size_inches()[1]
    caption(fig, text="Key assumption " * 30, **PROVENANCE)
    assert fig.get_size_inches()[1] > height
    _check_caption(fig)
    written = save_figure(fig, tmp_path / "out" / "figure.png")
    assert [p.name for p in written] == ["figure.png", "figure.svg"]
    assert written[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = written[1].read_text(encoding="utf-8")
    assert "2025-02-27" in svg and "riskmodel 9.8.7" in svg
    assert not plt.fignum_exists(fig.number)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["figure.png", "figure.svg"]


def test_caption_without_seed() -> None:
    fig, _ = plt.subplots()
    caption(fig, text="", vintage="2025-02-27", seed=None, version="1.0")
    assert "seed none" in _caption(fig).get_text()


# --- hazard figures ----------------------------------------------------------------------


def _curves() -> pd.DataFrame:
    flops = np.logspace(22, 30, 9)
    rows = []
    for bar, required, scale in (("raised", 0.10, 28.0), ("current", 0.05, 24.0)):
        p = 1.0 / (1.0 + np.exp(-(np.log10(flops) - scale)))
        p[0] = 0.0
        for f, prob in zip(flops, p, strict=True):
            rows.append(
                {
                    "bar": bar,
                    "condition": f"P(condition of {bar}) > {required:.0%}",
                    "date": "2026-06-01",
                    "flop": f,
                    "probability": prob,
                    "mc_se": np.sqrt(prob * (1 - prob) / 4000),
                    "required_probability": required,
                }
            )
    return pd.DataFrame(rows)


def test_hazard_curves_figure(tmp_path: Path) -> None:
    fig = plot_hazard_curves(_curves(), caption_text="models released 2026-06-01", **PROVENANCE)
    (ax,) = fig.axes
    assert ax.get_xscale() == "log"
    assert "FLOP" in ax.get_xlabel() and "probability" in ax.get_ylabel()
    horizontal = {tuple(line.get_ydata()) for line in ax.get_lines()}
    assert (0.1, 0.1) in horizontal and (0.05, 0.05) in horizontal
    vertical = {tuple(line.get_xdata()) for line in ax.get_lines()}
    assert (1e26, 1e26) in vertical
    _check_caption(fig)
    paths = save_figure(fig, tmp_path / "hazard")
    assert all(p.stat().st_size > 1000 for p in paths)


def test_hazard_curves_refuse_bad_input() -> None:
    bad = _curves()
    bad.loc[0, "flop"] = 0.0
    with pytest.raises(ConfigError, match="positive"):
        plot_hazard_curves(bad, caption_text="", **PROVENANCE)
    with pytest.raises(ConfigError, match="mc_se"):
        plot_hazard_curves(_curves().drop(columns="mc_se"), caption_text="", **PROVENANCE)


def test_crossings_figure_with_open_ended_intervals(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "bar": ["raised", "current", "never"],
            "condition": ["P(uplift > 2x) > 10%", "P(incident) > 5%", "P(uplift > 50x) > 90%"],
            "date": ["2026-06-01"] * 3,
            "flop": [6e28, 2e21, np.inf],
            "flop_mc_se_dex": [0.05, 0.2, np.nan],
            "frontier_date": ["2027-06-07", "2020-08-27", None],
            "frontier_date_mc_se_months": [0.5, 3.0, np.nan],
        }
    )
    fig = plot_crossings(table, caption_text="crossings", **PROVENANCE)
    left, right = fig.axes
    assert left.get_xscale() == "log" and "FLOP" in left.get_xlabel()
    assert "date" in right.get_xlabel() and "year" in right.get_xlabel()
    drawn = _texts(fig)
    assert "raised" in drawn and "6\u00d710\u00b2\u2078" in drawn
    assert "> 1\u00d710\u00b3\u00b2 FLOP" in drawn and "after 2040" in drawn
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / "crossings")) == 2


# --- policy figures ----------------------------------------------------------------------


def _dataset(n_draws: int = 50) -> xr.Dataset:
    rng = np.random.default_rng(0)
    variants = list(SHIPPED_VARIANTS)
    years = [2025, 2026, 2027]
    data = {}
    for name, (units, description) in OUTCOMES.items():
        scale = 1e8 if units == "USD" else 5.0
        values = rng.poisson(3.0, size=(len(variants), len(years), n_draws)) * scale
        data[name] = xr.Variable(
            ("variant", "year", "draw"),
            values.astype(float),
            {"units": units, "description": description},
        )
    data["compliance_cost_usd"].values[2] = 0.0  # a variant with no cost at all
    for name, (units, description) in PER_DRAW_OUTCOMES.items():
        values = rng.uniform(2025, 2030, size=(len(variants), n_draws))
        data[name] = xr.Variable(
            ("variant", "draw"), values, {"units": units, "description": description}
        )
    coords = {"variant": variants, "year": years, "draw": np.arange(n_draws)}
    return xr.Dataset(data, coords=coords, attrs={"seed": 1234})


def test_variant_comparison(tmp_path: Path) -> None:
    fig = plot_variant_comparison(_dataset(), caption_text="50 worlds", **PROVENANCE)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == len(KEY_OUTCOMES)
    by_title = {ax.get_title().replace("\n", " "): ax for ax in visible}
    cost = by_title[OUTCOMES["compliance_cost_usd"][1]]
    assert cost.get_xscale() == "log" and "USD" in cost.get_xlabel()
    assert "sum over 2025-2027" in cost.get_xlabel()
    developers = by_title[OUTCOMES["developers_full_obligations"][1]]
    assert "developers" in developers.get_xlabel() and "peak year" in developers.get_xlabel()
    labels = [t.get_text() for t in visible[0].get_yticklabels()]
    assert labels == [
        "as introduced",
        "as amended",
        "enrolled",
        "commentary",
        "commentary + raised bar",
    ]
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / "variants")) == 2


def _two_truth_dataset() -> xr.Dataset:
    """:func:`_dataset` with the truth-dependent outcomes under two truth bars (the
    current bar's truth with larger counts)."""
    ds = _dataset()
    for name in TRUTH_OUTCOMES:
        if name in ds:
            scale = 4.0 if name in OUTCOMES else 1.0
            ds[name] = xr.concat(
                [ds[name] * scale, ds[name]], dim=pd.Index(["current", "raised"], name="truth_bar")
            ).transpose("variant", "truth_bar", ...)
            ds[name].attrs = _dataset()[name].attrs
    return ds


def test_variant_comparison_shows_each_truth_bar(tmp_path: Path) -> None:
    fig = plot_variant_comparison(_two_truth_dataset(), caption_text="50 worlds", **PROVENANCE)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    judged = [o for o in KEY_OUTCOMES if o in TRUTH_OUTCOMES]
    assert len(judged) == 4 and len(visible) == len(KEY_OUTCOMES) + len(judged)
    titles = [ax.get_title() for ax in visible]
    for outcome in KEY_OUTCOMES:
        description = OUTCOMES[outcome][1]
        mine = [
            (t, ax)
            for t, ax in zip(titles, visible, strict=True)
            if description in t.replace("\n", " ")
        ]
        if outcome in judged:
            assert [t.split("\n")[-1] for t, _ in mine] == [
                "truth: current bar",
                "truth: raised bar",
            ], outcome
            (_, current), (_, raised) = mine
            assert current.get_xlim() == raised.get_xlim(), outcome  # one axis per outcome
            medians = [float(t.get_text()) for t in current.texts if t.get_text()[:1].isdigit()]
            assert medians and max(medians) > 0
        else:
            assert len(mine) == 1 and "truth" not in mine[0][0], outcome
    assert "truth: current bar" in fig._suptitle.get_text()
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / "variants_truths")) == 2


def test_variant_comparison_refuses_unknown_outcome() -> None:
    with pytest.raises(ConfigError, match="nonsense"):
        plot_variant_comparison(_dataset(), outcomes=["nonsense"], caption_text="", **PROVENANCE)


@pytest.mark.parametrize("name", SHIPPED_VARIANTS)
def test_flowchart_of_each_shipped_variant(name: str, tmp_path: Path) -> None:
    (variant,) = load_variants([name])
    fig = plot_decision_flowchart(variant, caption_text=f"{name}.toml", **PROVENANCE)
    drawn = _texts(fig)
    for box in flowchart_text(variant).values():
        assert box.replace("\n", " ") in drawn
    assert f"more than {format_flop(variant.covered.flop_threshold)} FLOP" in drawn
    assert variant.hazard.bar in drawn
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / name)) == 2


def _drawn(variant) -> str:  # noqa: ANN001
    return _texts(plot_decision_flowchart(variant, caption_text="", **PROVENANCE))


def test_flowchart_follows_the_rule_values() -> None:
    (base,) = load_variants(["commentary_raised_bar"])
    before = _drawn(base)
    assert "more than 1\u00d710\u00b2\u2076 FLOP" in before
    assert "25% extra FLOP" in before and "on average over 10 relevant benchmarks" in before
    assert "P(uplift > 2x | enhancement f=0.25, cost 0.25, 2 years) > 10%" in before

    def changed(section: str, **update) -> str:  # noqa: ANN003
        new = getattr(base, section).model_copy(update=update)
        return _drawn(base.model_copy(update={section: new}))

    text = changed("covered", flop_threshold=3e26, cost_threshold_usd=1e8)
    assert "more than 3\u00d710\u00b2\u2076 FLOP AND a training cost above $100M" in text
    assert "1\u00d710\u00b2\u2076" not in text
    assert "methods of 2025 (to 31 December)" in changed(
        "covered", performance_equivalent_year=2025
    )
    text = changed(
        "covered",
        performance_equivalent_year=2025,
        performance_equivalent_flop=3e26,
        performance_equivalent_reference="typical",
    )
    assert "a typical 3\u00d710\u00b2\u2076-FLOP model trained on 1 January 2025" in text
    assert "10% extra FLOP" in changed("derivatives", max_flop_fraction=0.1)
    text = changed("derivatives", rule="unlimited")
    assert "unlimited" in text and "new model" not in text
    text = changed("lde", pretraining="all", n_benchmarks=7, noise_sd=0.2)
    assert "on ALL 7 relevant benchmarks" in text and "noise 0.2 dex" in text
    assert "best earlier non-covered or exempt model" in before
    text = changed("lde", reference_includes_exempt=False)
    assert "best earlier non-covered model" in text
    text = changed("lde", pretraining="none")
    assert "none (removed)" in text and "Exempt before training" not in text
    text = changed("lde", safety_case=False)
    assert "safety case: none" in text and "Exempt after testing" not in text
    allowance = EnhancementAllowance(flop_fraction=0.02, horizon_years=0.0)
    assert "f=0.02, 0 years" in changed("hazard", enhancement=allowance)
    assert "current" in changed("hazard", bar="current")
    text = changed("obligations", open_weights_blocked_if="covered", protocol_cost_usd=7e6)
    assert "every model under obligations" in text and "$7M" in text


def test_tornado(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "parameter": ["small effect", "large effect", "one-sided"],
            "low_label": ["a", "b", "base"],
            "high_label": ["A", "B", "C"],
            "base_label": ["m", "n", "base"],
            "outcome": "hazardous_not_covered",
            "units": "runs",
            "statistic": "mean",
            "low": [9.0, 2.0, 10.0],
            "high": [11.0, 30.0, 14.0],
            "base": 10.0,
            "variant": "commentary_raised_bar",
        }
    )
    fig = plot_tornado(table, caption_text="one at a time", **PROVENANCE)
    (ax,) = fig.axes
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[-1].startswith("large effect") and ticks[0].startswith("small effect")
    assert "runs" in ax.get_xlabel() and "mean" in ax.get_xlabel()
    assert "B: 30" in _texts(fig) and "commentary + raised bar" in ax.get_title()
    # counts cannot be negative: the label margin left of 2 runs shows no negative ticks
    fig.canvas.draw()
    assert ax.get_xlim()[0] < 0
    shown = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert shown and not any(t.startswith(("-", "\u2212")) for t in shown)
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / "tornado")) == 2
    with pytest.raises(ConfigError, match="base"):
        plot_tornado(table.drop(columns="base"), caption_text="", **PROVENANCE)


def test_tornado_one_panel_per_truth_bar() -> None:
    rows = []
    for truth, shift in (("current", 20.0), ("raised", 0.0)):
        for parameter, low, high in (("noise", 9.0, 11.0), ("link", 2.0, 30.0)):
            rows.append(
                {
                    "parameter": parameter,
                    "low_label": "lo",
                    "high_label": "hi",
                    "outcome": "hazardous_not_covered",
                    "truth_bar": truth,
                    "low": low + shift,
                    "high": high + shift,
                    "base": 10.0 + shift,
                    "variant": "commentary",
                }
            )
    fig = plot_tornado(pd.DataFrame(rows), caption_text="", **PROVENANCE)
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert len(titles) == 2
    assert titles[0].endswith("truth: current bar") and titles[1].endswith("truth: raised bar")
    bases = [line.get_xdata()[0] for ax in fig.axes for line in ax.get_lines()[:1]]
    assert bases[:2] == [30.0, 10.0]


# --- priors ------------------------------------------------------------------------------


def test_prior_density_integrates_to_one() -> None:
    priors = load_uplift_priors()
    for prior in priors.priors.values():
        x = prior.ppf(np.linspace(1e-6, 1 - 1e-6, 20001))
        mass = np.trapezoid(prior_density(prior, x), x)
        assert mass == pytest.approx(1.0, abs=2e-3), prior.name
        log_x = np.log10(x[x > 0]) if (x > 0).all() else None
        if log_x is not None:
            per_dex = np.trapezoid(prior_density(prior, x, per_dex=True), log_x)
            assert per_dex == pytest.approx(1.0, abs=2e-3), prior.name


def test_prior_posterior_figure(tmp_path: Path) -> None:
    priors = load_uplift_priors()
    rng = np.random.default_rng(3)
    names = [n for n in priors.priors if not n.startswith("direct.")]
    posterior = {n: priors[n].sample(rng=rng, size=2000) * 1.0 for n in names}
    fig = plot_prior_posterior(priors, posterior, caption_text="priors", **PROVENANCE)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert len(panels) == len(names) == 8
    titles = {ax.get_title() for ax in panels}
    assert {"speed advantage", "software to cyber", "between study sd"} <= titles
    for ax, name in zip(panels, names, strict=True):
        assert priors[name].units[:20] in ax.get_xlabel().replace("\n", " ")
        assert "density" in ax.get_ylabel()
        marked = {line.get_xdata()[0] for line in ax.get_lines() if len(line.get_xdata()) == 2}
        assert set(priors[name].values) <= marked
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / "priors")) == 2
    with pytest.raises(ConfigError, match="no elicited prior"):
        plot_prior_posterior(priors, posterior, names=["x.y"], caption_text="", **PROVENANCE)


# --- sensitivity helpers (no fit needed) ---------------------------------------------------


def test_sensitivity_table_refuses_bad_arguments() -> None:
    with pytest.raises(ConfigError, match="unknown"):
        sensitivity_table("missing.nc", assumptions=["nonsense"])
    with pytest.raises(ConfigError, match="outcome"):
        sensitivity_table("missing.nc", outcome="nonsense")
    with pytest.raises(ConfigError, match="statistic"):
        sensitivity_table("missing.nc", statistic="mode")  # type: ignore[arg-type]
    assert len(ASSUMPTIONS) >= 4


# --- computing helpers on the small (synthetic) fit --------------------------------------


@pytest.mark.slow
def test_hazard_curve_is_monotone_and_crossing_table(small_fit) -> None:  # noqa: ANN001
    from riskmodel.hazard.curves import CROSSING_COLUMNS, crossing_table, hazard_curve

    flops = [1e30, 1e20, 1e24, 1e22, 1e26, 1e28]
    curves = hazard_curve(
        small_fit, flops=flops, date="2026-06-01", link_params="prior", n_samples=2000
    )
    assert list(curves["bar"].unique()) == ["raised", "current"]
    assert {"bar", "flop", "probability", "mc_se", "required_probability"} <= set(curves)
    for _, rows in curves.groupby("bar"):
        assert np.all(np.diff(rows["flop"].to_numpy()) > 0)
        assert np.all(np.diff(rows["probability"].to_numpy()) >= 0)
    assert set(curves["required_probability"]) == {0.1, 0.05}
    with pytest.raises(RiskmodelError, match="positive"):
        hazard_curve(small_fit, flops=[-1.0], date="2026-06-01", link_params="prior")
    with pytest.raises(RiskmodelError, match="at least one"):
        hazard_curve(small_fit, flops=[], date="2026-06-01", link_params="prior")
    table = crossing_table(small_fit, date="2026-06-01", link_params="prior", n_samples=2000)
    assert list(table.columns) == list(CROSSING_COLUMNS)
    assert list(table["bar"]) == ["raised", "current"]
    assert np.all(table["flop"].to_numpy(dtype=float) > 0)
    fig = plot_hazard_curves(curves, caption_text="small fit", **PROVENANCE)
    _check_caption(fig)
    _check_caption(plot_crossings(table, caption_text="small fit", **PROVENANCE))


@pytest.mark.slow
def test_sensitivity_table_on_a_small_fit(small_fit, tmp_path: Path) -> None:  # noqa: ANN001
    from riskmodel.world.fit import fit_world

    names = ["evaluation_noise_sd", "lde_noise_sd", "count_form", "sub_frontier"]
    table = sensitivity_table(
        small_fit,
        draws=20,
        seed=5,
        world=fit_world(n_draws=200),
        link_params="prior",
        assumptions=names,
    )
    # hazardous_not_covered depends on the truth: one row per assumption and truth bar
    assert list(table["truth_bar"].unique()) == ["current", "raised"]
    for _, rows in table.groupby("truth_bar"):
        assert list(rows["parameter"]) == [ASSUMPTIONS[n].parameter for n in names]
        assert rows["base"].nunique() == 1
    assert np.isfinite(table[["low", "high"]]).all().all()
    held = table[table["parameter"] == ASSUMPTIONS["sub_frontier"].parameter]
    assert (held["low"] == held["base"]).all()  # the low setting is the default: not re-run
    assert set(held["base_label"]) == {"held at peak"}
    assert json.loads(json.dumps(table.to_dict("records")))
    # a variant object (edited in memory) is taken as it is, no file written: the same
    # variant as an object gives the same table
    (variant,) = load_variants(["commentary_raised_bar"])
    again = sensitivity_table(
        small_fit,
        variant=variant,
        draws=20,
        seed=5,
        world=fit_world(n_draws=200),
        link_params="prior",
        assumptions=["lde_noise_sd"],
    )
    pd.testing.assert_frame_equal(
        again,
        table[table["parameter"] == ASSUMPTIONS["lde_noise_sd"].parameter].reset_index(drop=True),
    )
    fig = plot_tornado(table, caption_text="small fit", **PROVENANCE)
    _check_caption(fig)
    assert len(save_figure(fig, tmp_path / "tornado")) == 2
