"""Tests of the uplift links, their elicited priors, the study format and the PyMC update."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from riskmodel.errors import ConfigError, EvidenceError
from riskmodel.uplift.elicitation import (
    DEFAULT_ELICITATION_PATH,
    QUANTILE_TOLERANCE,
    fit_quantiles,
    load_uplift_priors,
    prior_table,
)
from riskmodel.uplift.links import (
    OVERHEAD_PRIOR,
    TaskCurve,
    amdahl_share,
    make_link,
    time_weighted_centre,
)
from riskmodel.uplift.studies import STUDY_COLUMNS, load_uplift_studies

matplotlib.use("Agg")

#: A representative cyber task curve (not from a fit): 1.5 logit/dex, 1 dex capability
#: per dex minutes, 1-minute tasks solved half the time at capability 1.
CURVE = TaskCurve(
    discrimination=np.asarray(1.5),
    horizon_slope=np.asarray(1.0),
    horizon_offset=np.asarray(1.0),
    suite="cybench",
    task_scatter=np.asarray(0.5),
)
N_DRAWS = 400
CAPABILITY_GRID = np.linspace(-10.0, 12.0, 45)
#: Capability far below any model in the data (1e13 FLOP in 2023).
VERY_LOW_CAPABILITY = -40.0


@pytest.fixture(scope="module")
def priors():
    return load_uplift_priors()


# --- elicitation -----------------------------------------------------------------


def test_elicitation_file_loads_and_reproduces_quantiles(priors) -> None:
    # The judgements use nothing after the evidence's data vintage.
    assert priors.version and priors.data_vintage == "2025-09-01"
    assert priors.default_link in ("amdahl", "direct")
    assert len(priors.priors) == 10
    for prior in priors.priors.values():
        assert prior.ok, prior.name
        assert prior.elicited or prior.source
        probs = prior.cdf(np.asarray(prior.values))
        np.testing.assert_allclose(probs, prior.levels, atol=QUANTILE_TOLERANCE)
        np.testing.assert_allclose(prior.ppf(np.asarray(prior.levels)), prior.values, rtol=0.05)
    table = prior_table(priors)
    assert list(table["parameter"]) == list(priors.priors)
    assert table["ok"].all()


def test_asymmetric_quantiles_record_mismatch() -> None:
    fitted = fit_quantiles(
        name="x", family="lognormal", levels=(0.05, 0.5, 0.95), values=(1.0, 2.0, 20.0)
    )
    assert fitted.max_prob_error > QUANTILE_TOLERANCE
    assert not fitted.ok


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_ELICITATION_PATH.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "priors.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('reference_suite = "cybench"\n', "", "amdahl.reference_suite"),
        ("q50 = 5.0\n", "q50 = 50.0\n", "amdahl.speed_advantage"),
        ('default = "amdahl"', 'default = "linear"', "link.default"),
        ("q05 = 1.5\n", "q05 = 0.9\n", "amdahl.speed_advantage.q05"),
        ('version = "0.2.0"\n', "", "version"),
    ],
    ids=["missing-key", "non-monotone", "unknown-link", "outside-support", "no-version"],
)
def test_bad_elicitation_names_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    path = _edited(tmp_path, old, new)
    with pytest.raises(ConfigError) as info:
        load_uplift_priors(path)
    assert f"'{key}" in str(info.value)
    assert str(path) in str(info.value)


def test_unknown_link_name_raises(priors) -> None:
    with pytest.raises(ConfigError, match="'linear'"):
        make_link("linear", priors=priors)


# --- links -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["amdahl", "direct"])
def test_links_monotone_and_tend_to_one(priors, name: str) -> None:
    link = make_link(name, priors=priors)
    rng = np.random.default_rng(1)
    params = {k: v[:, None] for k, v in link.sample_prior(rng=rng, size=N_DRAWS).items()}
    uplift = link.uplift(CAPABILITY_GRID[None, :], params, task_curve=CURVE)
    assert uplift.shape == (N_DRAWS, len(CAPABILITY_GRID))
    assert np.all(np.diff(uplift, axis=1) >= -1e-12)
    # A weak model slows the team down by its overhead, never by more.
    floor = 1.0 / (1.0 + params[OVERHEAD_PRIOR])
    assert np.all(uplift >= floor - 1e-12)
    low = link.uplift(
        np.full(N_DRAWS, VERY_LOW_CAPABILITY),
        {k: v[:, 0] for k, v in params.items()},
        task_curve=CURVE,
    )
    np.testing.assert_allclose(low, floor[:, 0], atol=1e-3)
    assert np.all(low < 1.0)


def test_amdahl_share_integrates_lengths_and_scatter_without_truncation() -> None:
    """Gauss-Hermite quadrature equals a brute-force integral over a grid wide enough to
    hold the whole time-weighted distribution, task scatter included (no grid edge)."""
    from scipy.special import expit
    from scipy.stats import norm

    # Riemann sums of a smooth integrand that vanishes at the grid's edges converge
    # geometrically: this grid is exact to ~1e-10 here.
    x = np.linspace(-8.0, 14.0, 4001)
    z = np.linspace(-7.0, 7.0, 281)
    cases = [(30.0, 0.5, 4.0, 0.6), (60.0, 1.0, 6.0, 0.3), (5.0, 0.3, 2.0, 0.0), (30, 1.6, 9, 1)]
    for median, spread, capability, scatter in cases:
        kwargs = {
            "discrimination": 1.5,
            "horizon_slope": 0.8,
            "horizon_offset": 1.0,
            "task_length_median": median,
            "task_length_spread": spread,
            "reliability_threshold": 0.8,
            "realism_offset": 0.25,
        }
        quadrature = float(amdahl_share(np.asarray(capability), task_scatter=scatter, **kwargs))
        weights = 10.0**x * norm.pdf((x - np.log10(median)) / spread)
        weights /= weights.sum()
        scatter_weights = norm.pdf(z) / norm.pdf(z).sum()
        logit = 1.5 * (capability - 1.25 - 0.8 * x[:, None] - scatter * z[None, :])
        done = expit(logit) * expit(logit - np.log(4.0))
        brute = float((weights[:, None] * scatter_weights[None, :] * done).sum())
        assert quadrature == pytest.approx(brute, abs=5e-5)
        # the centre of the time-weighted lengths (1.6 dex spread: beyond 1e5 minutes)
        centre = float(time_weighted_centre(median, spread))
        assert centre == pytest.approx(np.log10(median) + spread**2 * np.log(10.0))


def test_compiled_amdahl_share_equals_the_broadcast_formula() -> None:
    """The compiled numpy path factorises the exponentials; it must equal the broadcast
    formula (what the PyMC model evaluates) to rounding, over broadcast shapes and at
    extremes where the factorised exponentials overflow (capability far beyond the
    task curve, large task scatter, reliability thresholds near 0 and 1)."""
    from riskmodel.uplift.links import _BROADCAST_NUMPY

    rng = np.random.default_rng(5)
    n = 3000
    kwargs = {
        "discrimination": rng.lognormal(0.3, 0.6, n),
        "horizon_slope": rng.lognormal(0.0, 0.5, n),
        "horizon_offset": rng.normal(1.0, 2.0, n),
        "task_length_median": rng.lognormal(3.0, 1.0, n),
        "task_length_spread": rng.uniform(0.1, 1.6, n),
        "reliability_threshold": rng.uniform(0.01, 0.999, n),
        "realism_offset": rng.normal(0.0, 0.5, n),
        "task_scatter": rng.uniform(0.0, 4.0, n),
    }
    capability = np.concatenate([rng.normal(3.0, 3.0, n - 4), [-300.0, -30.0, 40.0, 400.0]])
    compiled = amdahl_share(capability, **kwargs)
    formula = amdahl_share(capability, **kwargs, ops=_BROADCAST_NUMPY)
    assert compiled.shape == (n,)
    assert np.all(np.isfinite(compiled))
    np.testing.assert_allclose(compiled, formula, rtol=1e-12, atol=1e-15)
    # broadcasting: a (4, 1) capability grid against (1, 5) parameter draws
    grid = np.linspace(-2.0, 8.0, 4)[:, None]
    small = {k: v[None, :5] for k, v in kwargs.items()}
    out = amdahl_share(grid, **small)
    assert out.shape == (4, 5)
    formula = amdahl_share(grid, **small, ops=_BROADCAST_NUMPY)
    np.testing.assert_allclose(out, formula, rtol=1e-12, atol=1e-15)


def test_direct_link_prior_predictive(priors) -> None:
    """GPT-4-class models (capability 3) speed a team up by more than 2x in under 5% of
    prior draws; at 1000x their effective compute the median speed-up is about 2x."""
    link = make_link("direct", priors=priors)
    params = link.sample_prior(rng=np.random.default_rng(13), size=100_000)
    low = link.uplift(np.full(100_000, priors.capability_low), params)
    high = link.uplift(np.full(100_000, priors.capability_high), params)
    assert np.mean(low > 2.0) < 0.05
    assert 1.5 < np.median(high) < 2.5


def test_task_length_prior_predictive(priors) -> None:
    """The delegable-unit prior keeps the time-weighted centre of a team's work near a few
    hours, beyond a working week (2,400 minutes) in under 6% of draws."""
    rng = np.random.default_rng(11)
    median = priors["amdahl.task_length_median"].sample(rng=rng, size=200_000)
    spread = priors["amdahl.task_length_spread"].sample(rng=rng, size=200_000)
    minutes = 10.0 ** time_weighted_centre(median, spread)
    assert 60.0 < np.median(minutes) < 240.0
    assert np.mean(minutes > 2400.0) < 0.06


def test_amdahl_bounded_by_speed_advantage(priors) -> None:
    link = make_link("amdahl", priors=priors)
    rng = np.random.default_rng(2)
    params = link.sample_prior(rng=rng, size=N_DRAWS)
    k = params["amdahl.speed_advantage"]
    assert np.all(k > 1)
    for capability in (0.0, 5.0, 50.0):
        uplift = link.uplift(np.full(N_DRAWS, capability), params, task_curve=CURVE)
        assert np.all(uplift <= k * (1 + 1e-12))
    share = amdahl_share(
        np.full(N_DRAWS, 50.0),
        discrimination=CURVE.discrimination,
        horizon_slope=CURVE.horizon_slope,
        horizon_offset=CURVE.horizon_offset,
        task_length_median=params["amdahl.task_length_median"],
        task_length_spread=params["amdahl.task_length_spread"],
        reliability_threshold=params["amdahl.reliability_threshold"],
        realism_offset=params["amdahl.realism_offset"],
        task_scatter=CURVE.task_scatter,
    )
    assert np.all((share > 0.9) & (share <= 1.0 + 1e-12))


def test_link_numpy_and_pytensor_agree(priors) -> None:
    import pytensor.tensor as pt

    rng = np.random.default_rng(3)
    capability = rng.normal(4.0, 2.0, size=7)
    for name in ("amdahl", "direct"):
        link = make_link(name, priors=priors)
        params = link.sample_prior(rng=rng, size=7)
        expected = link.uplift(capability, params, task_curve=CURVE)
        symbolic = link.uplift(
            pt.as_tensor(capability),
            {k: pt.as_tensor(v) for k, v in params.items()},
            task_curve=CURVE,
            ops=pt,
        )
        np.testing.assert_allclose(symbolic.eval(), expected, rtol=1e-8)


# --- studies ---------------------------------------------------------------------


def test_shipped_studies_load() -> None:
    studies = load_uplift_studies()
    assert set(studies["domain"]) == {"cyber", "software"}
    assert (studies["log_speedup_sd"] > 0).all()
    metr = studies.set_index("study").loc["metr_2025_oss_developer_rct"]
    assert metr["measured_speedup"] == pytest.approx(1 / 1.19, abs=1e-3)
    # Evaluation-free vintage rule: only the named METR RCT may post-date 2025-02-27.
    late = studies[pd.to_datetime(studies["date"]) > pd.Timestamp("2025-02-27")]
    assert list(late["study"]) == ["metr_2025_oss_developer_rct"]


def _write_studies(tmp_path: Path, rows: list[dict[str, str]], columns=STUDY_COLUMNS) -> Path:
    path = tmp_path / "studies.csv"
    frame = pd.DataFrame(rows)
    frame.reindex(columns=list(columns), fill_value="").to_csv(path, index=False)
    return path


GOOD_ROW = {
    "study": "s1",
    "date": "2024-05-01",
    "domain": "cyber",
    "participants": "20",
    "model": "m",
    "capability_level": "3.0",
    "measured_speedup": "1.2",
    "ci_low": "0.9",
    "ci_high": "1.6",
    "source": "made up",
    "notes": "",
}


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"ci_low": "1.7"}, "ci_low"),
        ({"domain": "bio"}, "domain"),
        ({"date": "2024-13-01"}, "date"),
        ({"date": "1 May 2024"}, "date"),
        ({"measured_speedup": "fast"}, "measured_speedup"),
        ({"participants": "-3"}, "participants"),
    ],
)
def test_bad_study_values_name_line_and_column(tmp_path: Path, change, column: str) -> None:
    path = _write_studies(tmp_path, [GOOD_ROW, {**GOOD_ROW, "study": "s2", **change}])
    with pytest.raises(EvidenceError) as info:
        load_uplift_studies(path)
    assert info.value.row == 3
    assert info.value.column == column
    assert "line 3" in str(info.value)


def test_optional_study_columns_may_be_absent(tmp_path: Path) -> None:
    columns = [c for c in STUDY_COLUMNS if c not in ("fit_model", "notes")]
    studies = load_uplift_studies(_write_studies(tmp_path, [GOOD_ROW], columns=columns))
    assert studies.loc[0, "fit_model"] == "" and studies.loc[0, "notes"] == ""


def test_missing_study_column(tmp_path: Path) -> None:
    columns = [c for c in STUDY_COLUMNS if c != "ci_high"]
    path = _write_studies(tmp_path, [GOOD_ROW], columns=columns)
    with pytest.raises(EvidenceError) as info:
        load_uplift_studies(path)
    assert (info.value.row, info.value.column) == (1, "ci_high")


# --- figure ----------------------------------------------------------------------


def test_prior_predictive_figure(priors) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from riskmodel.plotting.uplift import plot_uplift_prior_predictive

    fig = plot_uplift_prior_predictive(
        priors=priors, task_curve=CURVE, capability=np.linspace(0, 9, 10), n_draws=50
    )
    assert isinstance(fig, Figure)
    assert any("data vintage 2025-09-01" in t.get_text() for t in fig.texts)
    plt.close(fig)


# The uplift model's simulation-based calibration is in tests/test_calibration.py.


def test_the_study_update_is_stored_in_the_fit_and_reused_after_saving(
    small_fit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The uplift-study update is a group of the fit's DataTree: a second call reuses it,
    saving and loading the fit keeps it, and another seed or sampling method is another
    update (never a stale one)."""
    import riskmodel.uplift.update as update
    from riskmodel.capability.store import load_fit, save_fit
    from riskmodel.uplift.store import UPLIFT_GROUP

    calls = []
    sampler = update.sample_uplift_posterior  # the fast tier's approximation

    def counting(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        calls.append(kwargs["seed"])
        return sampler(*args, **kwargs)

    monkeypatch.setattr(update, "sample_uplift_posterior", counting)
    tree = small_fit.copy()  # new nodes: the session's fit stays as it is
    if UPLIFT_GROUP in tree.children:  # updates other tests stored in the session's fit
        del tree[UPLIFT_GROUP]
    first = update.updated_link_params(tree, seed=3)
    assert calls == [3]
    (name,) = tree[UPLIFT_GROUP].children
    stored = tree[f"{UPLIFT_GROUP}/{name}"]
    assert name.startswith("amdahl-") and stored.attrs["seed"] == 3
    assert stored.attrs["method"] == update.UPDATE_METHOD
    again = update.updated_link_params(tree, seed=3)
    assert calls == [3]
    for key, values in first.params.items():
        np.testing.assert_array_equal(again.params[key], values)
    assert again.diagnostics == first.diagnostics
    loaded = load_fit(save_fit(tree, tmp_path / "fit.nc"))
    from_file = update.updated_link_params(loaded, seed=3)
    assert calls == [3]
    for key, values in first.params.items():
        np.testing.assert_array_equal(from_file.params[key], values)
    update.updated_link_params(loaded, seed=4)
    assert calls == [3, 4]
    assert len(loaded[UPLIFT_GROUP].children) == 2
    monkeypatch.setattr(update, "UPDATE_METHOD", "another method")
    update.updated_link_params(loaded, seed=4)
    assert calls == [3, 4, 4]
