"""Tests of the pre-training LDE analysis: exact pass probabilities, Monte Carlo, table, figure."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, special, stats

from riskmodel.errors import ConfigError
from riskmodel.plotting.lde import describe_assumptions, plot_all_benchmarks
from riskmodel.policy.lde import (
    DEFAULT_CORRELATION,
    DEFAULT_N_BENCHMARKS,
    DEFAULT_NOISE_SD,
    RULES,
    all_benchmarks_table,
    pass_probability,
    required_passes,
    simulate_pass_rate,
)

GAPS = st.floats(min_value=-1.0, max_value=1.0, allow_nan=False)
KS = st.integers(min_value=1, max_value=40)
SDS = st.floats(min_value=0.02, max_value=1.0, allow_nan=False)
RHOS = st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7, 0.95])
MARGINS = st.floats(min_value=-0.3, max_value=0.3, allow_nan=False)
SHARES = st.sampled_from([0.1, 0.3, 0.5, 2 / 3, 0.8, 1.0])
#: Slack for comparisons between quadrature results (their error is far below 1e-6).
QUAD_TOL = 1e-7


def _p(gap, k, sd, rule, rho=0.0, margin=0.0, share=0.5) -> float:  # noqa: ANN001
    return float(
        pass_probability(
            gap,
            n_benchmarks=k,
            noise_sd=sd,
            rule=rule,
            correlation=rho,
            margin=margin,
            share=share,
        )
    )


# --- exact formulas against Monte Carlo and adaptive quadrature -------------------------


def test_exact_matches_monte_carlo_within_four_standard_errors() -> None:
    rng = np.random.default_rng(20240207)
    n_sims = 20_000
    gaps = np.array([-0.1, 0.05, 0.2, 0.5])
    ks = np.array([1, 3, 10])
    grid = itertools.product(RULES, (0.0, 0.3, 0.8), ((0.0, 0.5), (0.05, 0.3)))
    for rule, rho, (margin, share) in grid:
        kwargs = dict(
            n_benchmarks=ks[:, None],
            noise_sd=0.15,
            rule=rule,
            correlation=rho,
            margin=margin,
            share=share,
        )
        exact = pass_probability(gaps[None, :], **kwargs)
        mc = simulate_pass_rate(gaps[None, :], n_sims=n_sims, rng=rng, **kwargs)
        assert exact.shape == mc.shape == (3, 4)
        se = np.sqrt(np.maximum(exact * (1 - exact), 1.0 / n_sims) / n_sims)
        worst = np.max(np.abs(exact - mc) / se)
        assert worst < 4.0, (rule, rho, margin, share, exact, mc)


def _adaptive(c: float, b: float, k: int, j: int) -> float:
    """E_z[P(Binomial(k, Phi(c + b z)) >= j)] by adaptive quadrature split at the step."""

    def integrand(z: float) -> float:
        return special.betainc(j, k - j + 1, special.ndtr(c + b * z)) * stats.norm.pdf(z)

    step = -c / b
    points = sorted({-13.0, step - 3 / b, step, step + 3 / b, 13.0})
    points = [p for p in points if -13.0 <= p <= 13.0]
    return sum(
        integrate.quad(integrand, lo, hi, epsabs=1e-13, epsrel=1e-12, limit=200)[0]
        for lo, hi in itertools.pairwise(points)
    )


@pytest.mark.parametrize(
    ("rho", "k", "j"),
    [
        (0.3, 10, 10),
        (0.5, 20, 10),
        (0.6, 50, 25),
        (0.6, 100, 50),
        (0.9, 10, 10),
        (0.99, 30, 15),
        (0.999, 200, 200),
    ],
)
def test_quadrature_accurate_to_1e6(rho: float, k: int, j: int) -> None:
    b = np.sqrt(rho / (1 - rho))
    cs = np.linspace(-8.0, 10.0, 13)
    got = pass_probability(
        cs * np.sqrt(1 - rho),
        n_benchmarks=k,
        noise_sd=1.0,
        rule="share",
        correlation=rho,
        share=j / k,
    )
    want = np.array([_adaptive(c, b, k, j) for c in cs])
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_closed_forms_and_continuity_at_zero_correlation() -> None:
    gap, k, sd = 0.1, np.arange(1, 21), 0.15
    strict = pass_probability(gap, n_benchmarks=k, noise_sd=sd)
    np.testing.assert_allclose(strict, stats.norm.cdf(gap / sd) ** k, rtol=1e-12)
    mean = pass_probability(gap, n_benchmarks=k, noise_sd=sd, rule="mean")
    np.testing.assert_allclose(mean, stats.norm.cdf(gap / sd * np.sqrt(k)), rtol=1e-12)
    for rule in RULES:
        at_zero = pass_probability(gap, n_benchmarks=k, noise_sd=sd, rule=rule)
        near_zero = pass_probability(gap, n_benchmarks=k, noise_sd=sd, rule=rule, correlation=1e-10)
        np.testing.assert_allclose(near_zero, at_zero, atol=1e-6)


def test_infinite_gaps_are_sure_outcomes() -> None:
    for rule, rho in itertools.product(RULES, (0.0, 0.3, 0.9)):
        got = pass_probability(
            [np.inf, -np.inf], n_benchmarks=7, noise_sd=0.2, rule=rule, correlation=rho
        )
        np.testing.assert_allclose(got, [1.0, 0.0], atol=1e-12)


def test_broadcasting_shape() -> None:
    got = pass_probability(
        np.zeros((4, 1, 1)),
        n_benchmarks=np.array([1, 2, 3])[None, :, None],
        noise_sd=np.array([0.1, 0.2])[None, None, :],
        correlation=0.4,
    )
    assert got.shape == (4, 3, 2)
    assert pass_probability(0.1, n_benchmarks=3, noise_sd=0.1).shape == ()


def test_required_passes() -> None:
    assert required_passes(10, 0.3) == 3
    assert required_passes(10, 0.5) == 5
    assert required_passes(9, 0.5) == 5
    assert required_passes(3, 2 / 3) == 2
    assert required_passes(7, 1.0) == 7
    assert required_passes(7, 1e-9) == 1
    np.testing.assert_array_equal(required_passes([1, 2, 4], 0.5), [1, 1, 2])


def test_share_one_equals_all() -> None:
    gaps = np.linspace(-0.5, 0.5, 11)
    for rho in (0.0, 0.4, 0.8):
        strict = pass_probability(gaps, n_benchmarks=8, noise_sd=0.2, correlation=rho)
        share = pass_probability(
            gaps, n_benchmarks=8, noise_sd=0.2, rule="share", share=1.0, correlation=rho
        )
        np.testing.assert_allclose(share, strict, atol=QUAD_TOL)


# --- properties --------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(gap=GAPS, k=KS, sd=SDS, rho=RHOS, margin=MARGINS)
def test_strict_non_increasing_in_benchmarks(gap, k, sd, rho, margin) -> None:  # noqa: ANN001
    fewer = _p(gap, k, sd, "all", rho, margin)
    more = _p(gap, k + 1, sd, "all", rho, margin)
    assert more <= fewer + QUAD_TOL
    assert 0.0 <= more <= 1.0


@settings(max_examples=80, deadline=None)
@given(gap=GAPS, step=st.floats(0.0, 0.5), k=KS, sd=SDS, rho=RHOS, share=SHARES)
def test_non_decreasing_in_gap(gap, step, k, sd, rho, share) -> None:  # noqa: ANN001
    for rule in RULES:
        low = _p(gap, k, sd, rule, rho, share=share)
        high = _p(gap + step, k, sd, rule, rho, share=share)
        assert high >= low - QUAD_TOL, rule


@settings(max_examples=80, deadline=None)
@given(gap=GAPS, k=KS, sd=SDS, rho=RHOS, margin=MARGINS, share=SHARES)
def test_strict_never_above_relaxed(gap, k, sd, rho, margin, share) -> None:  # noqa: ANN001
    # "all" implies "mean" and "share" event by event, for any gap, margin and correlation.
    strict = _p(gap, k, sd, "all", rho, margin)
    assert strict <= _p(gap, k, sd, "mean", rho, margin) + QUAD_TOL
    assert strict <= _p(gap, k, sd, "share", rho, margin, share) + QUAD_TOL


@settings(max_examples=60, deadline=None)
@given(gap=st.floats(0.001, 1.0), k=KS, sd=SDS, rho=RHOS)
def test_mean_rule_non_decreasing_in_benchmarks_for_weaker_model(gap, k, sd, rho) -> None:  # noqa: ANN001
    assert _p(gap, k + 1, sd, "mean", rho) >= _p(gap, k, sd, "mean", rho) - 1e-12


@settings(max_examples=60, deadline=None)
@given(gap=GAPS, sd=SDS, rho=RHOS, margin=MARGINS, share=SHARES)
def test_one_benchmark_makes_all_rules_equal(gap, sd, rho, margin, share) -> None:  # noqa: ANN001
    values = [_p(gap, 1, sd, rule, rho, margin, share) for rule in RULES]
    np.testing.assert_allclose(values, values[0], atol=QUAD_TOL)
    np.testing.assert_allclose(values[0], stats.norm.cdf((gap - margin) / sd), atol=QUAD_TOL)


def test_headline_strict_falls_relaxed_does_not() -> None:
    k = np.array([1, 5, 10, 20])
    strict = pass_probability(0.1, n_benchmarks=k, noise_sd=DEFAULT_NOISE_SD)
    mean = pass_probability(0.1, n_benchmarks=k, noise_sd=DEFAULT_NOISE_SD, rule="mean")
    assert strict[-1] < 0.01 < 0.99 < mean[-1]


# --- validation --------------------------------------------------------------------------

GOOD = dict(n_benchmarks=5, noise_sd=0.15)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"gap": np.nan}, "gap"),
        ({"gap": "large"}, "gap"),
        ({"n_benchmarks": 0}, "n_benchmarks"),
        ({"n_benchmarks": 2.5}, "n_benchmarks"),
        ({"n_benchmarks": [3, -1]}, "n_benchmarks"),
        ({"noise_sd": 0.0}, "noise_sd"),
        ({"noise_sd": -0.1}, "noise_sd"),
        ({"noise_sd": np.inf}, "noise_sd"),
        ({"correlation": 1.0}, "correlation"),
        ({"correlation": -0.1}, "correlation"),
        ({"correlation": [0.1, 0.2]}, "correlation"),
        ({"rule": "most"}, "rule"),
        ({"margin": np.nan}, "margin"),
        ({"share": 0.0}, "share"),
        ({"share": 1.5}, "share"),
    ],
)
def test_bad_inputs_raise_config_error_naming_parameter(kwargs: dict, name: str) -> None:
    call = {"gap": 0.1, **GOOD, **kwargs}
    with pytest.raises(ConfigError, match=name):
        pass_probability(call.pop("gap"), **call)


def test_bad_simulation_and_table_inputs() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ConfigError, match="n_sims"):
        simulate_pass_rate(0.1, rule="all", n_sims=0, rng=rng, **GOOD)
    with pytest.raises(ConfigError, match="rng"):
        simulate_pass_rate(0.1, rule="all", rng=0, **GOOD)
    with pytest.raises(ConfigError, match="noise_sd"):
        pass_probability([0.1, 0.2], n_benchmarks=[1, 2, 3], noise_sd=[0.1, 0.2])
    with pytest.raises(ConfigError, match="gaps"):
        all_benchmarks_table(gaps=[], n_benchmarks=[1], noise_sds=[0.1])
    with pytest.raises(ConfigError, match="n_benchmarks"):
        all_benchmarks_table(gaps=[0.1], n_benchmarks=[2, 2], noise_sds=[0.1])
    with pytest.raises(ConfigError, match="rule"):
        all_benchmarks_table(gaps=[0.1], n_benchmarks=[2], noise_sds=[0.1], rules=("all", "x"))


def test_defaults_are_in_range() -> None:
    assert 0.1 <= DEFAULT_NOISE_SD <= 0.2
    assert DEFAULT_N_BENCHMARKS >= 1
    assert 0.0 <= DEFAULT_CORRELATION < 1.0


# --- table and figure --------------------------------------------------------------------


@pytest.fixture(scope="module")
def table():
    return all_benchmarks_table(
        gaps=[0.1, 0.3, 1.0],
        n_benchmarks=list(range(1, 21)),
        noise_sds=[0.1, DEFAULT_NOISE_SD, 0.3],
        rules=("all", "mean", "share"),
        correlation=0.2,
    )


def test_table_dims_coords_and_values(table) -> None:  # noqa: ANN001
    prob = table["pass_probability"]
    assert prob.dims == ("rule", "noise_sd", "n_benchmarks", "gap")
    assert prob.shape == (3, 3, 20, 3)
    assert list(table["rule"].values) == ["all", "mean", "share"]
    np.testing.assert_allclose(table["gap"], [0.1, 0.3, 1.0])
    assert table["n_benchmarks"].dtype.kind == "i"
    assert table["gap"].attrs["units"] == "dex"
    assert table["noise_sd"].attrs["units"] == "dex"
    assert prob.attrs["units"] == "probability"
    assert table.attrs["correlation"] == 0.2
    cell = prob.sel(rule="share", noise_sd=0.3, n_benchmarks=7, gap=0.3)
    want = _p(0.3, 7, 0.3, "share", 0.2)
    assert float(cell) == pytest.approx(want, abs=1e-12)
    assert ((prob >= 0) & (prob <= 1)).all()


def test_figure_lines_styles_and_footer(table) -> None:  # noqa: ANN001
    footer = "illustrative | " + describe_assumptions(table)
    sub = table.sel(rule=["all", "mean"])
    fig = plot_all_benchmarks(sub, footer=footer)
    try:
        ax = fig.axes[0]
        lines = ax.get_lines()
        assert len(lines) == 3 * 2
        styles = {line.get_linestyle() for line in lines}
        assert styles == {"-", "--"}
        assert len({line.get_marker() for line in lines}) == 3
        assert footer in [t.get_text() for t in fig.texts]
        assert "dex" in ax.get_title()
        assert ax.get_xlabel() and ax.get_ylabel()
    finally:
        plt.close(fig)


def test_figure_noise_sd_selection_and_given_axes(table) -> None:  # noqa: ANN001
    fig, ax = plt.subplots()
    try:
        out = plot_all_benchmarks(table, noise_sd=0.3, footer="x", ax=ax)
        assert out is fig
        assert len(ax.get_lines()) == 3 * 3
        assert "0.3 dex" in ax.get_title()
    finally:
        plt.close(fig)
    with pytest.raises(ConfigError, match="noise_sd"):
        plot_all_benchmarks(table, noise_sd=0.25, footer="x")
    no_default = table.sel(noise_sd=[0.1, 0.3])
    with pytest.raises(ConfigError, match="noise_sd"):
        plot_all_benchmarks(no_default, footer="x")
