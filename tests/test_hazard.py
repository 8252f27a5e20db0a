"""Tests of posttraining enhancement, hazard bars, the risk chain, assess and crossing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from helpers import TEST_SEED
from hypothesis import example, given, settings
from hypothesis import strategies as st

from riskmodel.capability.predict import posterior_view
from riskmodel.errors import ConfigError
from riskmodel.hazard import assess, crossing, crossing_sensitivity
from riskmodel.hazard.bars import (
    DEFAULT_BARS_PATH,
    DEFAULT_RISK_CHAIN_PATH,
    HazardBar,
    incident_probability,
    load_hazard_bars,
    load_risk_chain_priors,
    severity_tail,
    uplift_threshold,
)
from riskmodel.hazard.enhancement import (
    DEFAULT_ENHANCEMENT_PATH,
    EnhancementAllowance,
    EnhancementParams,
    effective_flop_fraction,
    enhanced_capability,
    enhancement_ceiling,
    enhancement_gain,
    gain_for,
    load_enhancement_priors,
)
from riskmodel.hazard.samples import record_log_weights
from riskmodel.uplift.elicitation import load_uplift_priors
from riskmodel.uplift.links import make_link

DATE = "2026-06-01"
#: Monte Carlo samples per assess call in tests (cycles the small fit's draws).
N_MC = 1200
KEYS = ("bar", "probability", "mc_se", "required_probability", "hazardous")
FRACTIONS = st.floats(min_value=0.0, max_value=20.0, allow_nan=False)
HORIZONS = st.floats(min_value=0.0, max_value=8.0, allow_nan=False)
LOG10_FLOP = st.floats(min_value=20.0, max_value=30.0, allow_nan=False)
OPTIONAL_FRACTIONS = st.none() | FRACTIONS
#: Method-progress rates (dex/year) spanning the capability fit's posterior.
RATES = np.linspace(0.2, 1.5, 500)


@pytest.fixture(scope="module")
def view(small_fit):
    return posterior_view(small_fit)


@pytest.fixture(scope="module")
def enh_params():
    priors = load_enhancement_priors()
    return priors.sample(rng=np.random.default_rng(3), size=RATES.size)


# --- enhancement -------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    f1=FRACTIONS,
    f2=FRACTIONS,
    h1=HORIZONS,
    h2=HORIZONS,
    c1=OPTIONAL_FRACTIONS,
    c2=OPTIONAL_FRACTIONS,
)
def test_enhancement_monotone_and_never_above_its_ceiling(
    enh_params, f1, f2, h1, h2, c1, c2
) -> None:
    (f_lo, f_hi), (h_lo, h_hi) = sorted((f1, f2)), sorted((h1, h2))
    c_lo, c_hi = sorted((c1, c2), key=lambda c: math.inf if c is None else c)
    cap = np.linspace(-2.0, 8.0, RATES.size)
    low = EnhancementAllowance(flop_fraction=f_lo, cost_fraction=c_lo, horizon_years=h_lo)
    high = EnhancementAllowance(flop_fraction=f_hi, cost_fraction=c_hi, horizon_years=h_hi)
    values = {
        name: enhanced_capability(cap, allowance, enh_params, method_rate=RATES)
        for name, allowance in (
            ("low", low),
            ("high", high),
            ("unbounded", EnhancementAllowance.unbounded()),
        )
    }
    assert np.all(values["low"] >= cap)
    assert np.all(values["high"] >= values["low"])
    assert np.all(values["unbounded"] >= values["high"])
    for allowance in (low, high):
        # The hard ceiling: never above a fresh run with (1 + f) x compute and the methods
        # of the horizon, in any draw.
        ceiling = enhancement_ceiling(allowance, enh_params, method_rate=RATES)
        gained = enhanced_capability(cap, allowance, enh_params, method_rate=RATES) - cap
        assert np.all(gained <= ceiling + 1e-12)
        f = effective_flop_fraction(allowance, enh_params)
        assert np.all(f <= f_hi + 1e-12)
        if allowance.cost_fraction is not None:
            assert np.all(f * enh_params.posttraining_cost_ratio <= allowance.cost_fraction + 1e-12)


def _params(**overrides) -> EnhancementParams:
    values = {
        "cheap_gain_max": 0.6,
        "cheap_half_fraction": 0.003,
        "elicitation_progress": 0.15,
        "elicitation_headroom": 0.25,
        "posttraining_cost_ratio": 1.5,
        "unbounded_flop_fraction": 10.0,
        "unbounded_horizon_years": 5.0,
    }
    return EnhancementParams(**{**values, **overrides})


def test_enhancement_formula_zero_ceiling_and_cost_bound() -> None:
    params = _params()
    zero = EnhancementAllowance(flop_fraction=0.0, horizon_years=0.0)
    assert float(enhancement_gain(zero, params, method_rate=0.8)) == 0.0
    # f = 0.25 and 2 years: saturating 0.6 * 0.25 / 0.253 + 0.3 = 0.893; ceiling
    # log10(1.25) + 0.8 * 2 + 0.25 = 1.947: the saturating term binds.
    raised = EnhancementAllowance(flop_fraction=0.25, horizon_years=2.0)
    expected = 0.6 * 0.25 / 0.253 + 0.3
    assert float(enhancement_gain(raised, params, method_rate=0.8)) == pytest.approx(expected)
    # Current methods only: the ceiling log10(1.25) + 0.25 binds.
    now = EnhancementAllowance(flop_fraction=0.25, horizon_years=0.0)
    ceiling = math.log10(1.25) + 0.25
    assert float(enhancement_gain(now, params, method_rate=0.8)) == pytest.approx(ceiling)
    # A 25% cost bound with post-training 1.5x as costly per FLOP allows f = 1/6.
    both = EnhancementAllowance(flop_fraction=0.25, cost_fraction=0.25, horizon_years=2.0)
    assert float(effective_flop_fraction(both, params)) == pytest.approx(0.25 / 1.5)
    assert float(gain_for(0.25 / 1.5, 2.0, params, method_rate=0.8)) == pytest.approx(
        float(enhancement_gain(both, params, method_rate=0.8))
    )
    unbounded = float(enhancement_gain(EnhancementAllowance.unbounded(), params, method_rate=0.8))
    assert unbounded == pytest.approx(0.6 * 10 / 10.003 + 0.75)
    assert EnhancementAllowance.unbounded().describe() == "unbounded"
    assert both.describe() == "f=0.25, cost 0.25, 2 years"


def test_enhancement_prior_predictive_matches_the_cited_evidence() -> None:
    """Prior predictive checks of enhancement_priors.toml against its sources."""
    priors = load_enhancement_priors()
    params = priors.sample(rng=np.random.default_rng(0), size=200_000)
    rate = 0.8  # dex/year, about the fit's rate of method progress at the vintage

    def gain(**allowance) -> np.ndarray:
        return enhancement_gain(EnhancementAllowance(**allowance), params, method_rate=rate)

    # Cheap end (Davidson et al. 2023: several times of compute for < 1% of training):
    # with a year of methods, 1% of the compute is worth more than 2x in most draws.
    cheap = gain(flop_fraction=0.01, horizon_years=1.0)
    assert np.median(cheap) > math.log10(2.0)
    # Strict allowance (2% FLOP, current methods): bounded by the headroom, under 10x in
    # 95% of draws.
    strict = gain(flop_fraction=0.02, horizon_years=0.0)
    assert np.quantile(strict, 0.95) < 1.0
    # The bill's unbounded enhancement: median about 1 to 2 dex, and no longer the
    # 'median 3.1 dex, q99 15.9 dex' of the unsaturated form.
    unbounded = gain()
    assert 0.8 < np.median(unbounded) < 2.0
    assert np.quantile(unbounded, 0.99) < 5.0


def _edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("flop_fraction = 10.0", "flop_fraction = -1.0", "unbounded.flop_fraction"),
        ("q50 = 0.15", 'q50 = "x"', "elicitation_progress.q50"),
        ('family = "lognormal"', 'family = "normal"', "cheap_gain_max.family"),
        (
            "elicited = true\n\n[cheap_half_fraction]",
            "\n[cheap_half_fraction]",
            "cheap_gain_max",
        ),
    ],
)
def test_bad_enhancement_priors_name_the_key(tmp_path, old, new, key) -> None:
    path = _edited(tmp_path, DEFAULT_ENHANCEMENT_PATH, old, new)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as info:
        load_enhancement_priors(path)
    assert str(path) in str(info.value)


# --- bars and risk chain ---------------------------------------------------------


def test_shipped_bars() -> None:
    bars = load_hazard_bars()
    assert set(bars) == {"raised", "current"}
    raised, current = bars["raised"], bars["current"]
    assert raised.quantity == "uplift" and raised.threshold == 2.0
    assert raised.required_probability == 0.10
    assert raised.enhancement == EnhancementAllowance(
        flop_fraction=0.25, cost_fraction=0.25, horizon_years=2.0
    )
    assert raised.counterfactual == "no_ai"
    assert current.quantity == "incident_probability"
    assert current.enhancement == EnhancementAllowance.unbounded()
    assert current.counterfactual == "non_covered"


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        (
            "required_probability = 0.10",
            "required_probability = 1.5",
            "bars.raised.required_probability",
        ),
        ("threshold = 2.0", "threshold = 0.5", "bars.raised"),
        ('harm = "cyber"', 'harm = "weather"', "bars.raised.harm"),
        ("threshold = 2.0", "threshold = 2.0\ncolour = 1", "bars.raised.colour"),
        ("flop_fraction = 0.25", "flop_fraction = -0.25", "bars.raised.enhancement.flop_fraction"),
        ("flop_fraction = 0.25", "flop_fractio = 0.25", "bars.raised.enhancement.flop_fractio"),
        ('version = "0.1.0"', "", "version"),
    ],
)
def test_bad_bar_file_names_the_key(tmp_path, old, new, key) -> None:
    path = _edited(tmp_path, DEFAULT_BARS_PATH, old, new)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")) as info:
        load_hazard_bars(path)
    assert str(path) in str(info.value)


def test_unparsable_bar_file(tmp_path) -> None:
    path = tmp_path / "bars.toml"
    path.write_text("[bars\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not parse"):
        load_hazard_bars(path)


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("legal_probability = 0.01", "legal_probability = 2.0", "policy.legal_probability"),
        ("materiality_uplift = 1.25", "materiality_uplift = 0.5", "policy.materiality_uplift"),
        ("exposure_years = 1.0\n", "", "policy.exposure_years"),
        ('family = "logitnormal"', 'family = "lognormal"', "baseline_success.family"),
        ("incidents = 5", "incidents = -1", "record.incidents"),
        ("ai_incidents = 0", "ai_incidents = 0.5", "record.ai_incidents"),
        ('ai_record_start = "2022-11-30"', 'ai_record_start = "30.11.2022"', "ai_record_start"),
        ("covered_flop = 1e26", "covered_flop = -1.0", "counterfactual.covered_flop"),
        ("[noncovered_lag_years]", "[lag_years]", "noncovered_lag_years"),
    ],
)
def test_bad_risk_chain_priors_name_the_key(tmp_path, old, new, key) -> None:
    path = _edited(tmp_path, DEFAULT_RISK_CHAIN_PATH, old, new)
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_risk_chain_priors(path)


def test_risk_chain_threshold_inverts_incident_probability() -> None:
    chain = load_risk_chain_priors()
    params = chain.sample(rng=np.random.default_rng(1), size=4000)
    bar = load_hazard_bars()["current"]
    u_star = uplift_threshold(bar, chain=chain, params=params, size=4000)
    assert np.all(u_star >= chain.materiality_uplift)
    # Where the chain (not materiality) binds, P_enabled(u*) equals the legal probability.
    binding = np.isfinite(u_star) & (u_star > chain.materiality_uplift * 1.001)
    p = incident_probability(u_star[binding], chain, {k: v[binding] for k, v in params.items()})
    np.testing.assert_allclose(p, chain.legal_probability, rtol=1e-6)
    np.testing.assert_allclose(incident_probability(np.ones(4000), chain, params), 0.0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(u1=st.floats(1.0, 50.0), u2=st.floats(1.0, 50.0))
def test_incident_probability_monotone_in_uplift(u1, u2) -> None:
    chain = load_risk_chain_priors()
    params = chain.sample(rng=np.random.default_rng(2), size=200)
    lo, hi = sorted((u1, u2))
    # Rounding tolerance: at u = 1 the probability is 0 up to ~1e-17 of float noise, and
    # hypothesis finds u = 1 vs 1 + 2e-16 where that noise decides the order.
    assert np.all(
        incident_probability(hi, chain, params) >= incident_probability(lo, chain, params) - 1e-12
    )


def test_risk_chain_prior_predictive_matches_the_record() -> None:
    """Prior predictive checks of risk_chain_priors.toml: the base rate of >= $500M
    incidents the chain implies brackets the observed count, and the severity tail puts
    about a tenth of successful major attacks at or above $500M."""
    chain = load_risk_chain_priors()
    params = chain.sample(rng=np.random.default_rng(12), size=200_000)
    tail = severity_tail(chain, params)
    base_rate = params["attempts_per_year"] * params["baseline_success"] * tail
    observed = chain.record.incidents / chain.record.incident_window_years
    q05, q50, q95 = np.quantile(base_rate, [0.05, 0.5, 0.95])
    assert q05 < observed < q95
    assert 0.1 < q50 / observed < 10.0
    assert 0.03 < np.median(tail) < 0.3
    # The counterfactual lag: months, not years, in most draws.
    assert 0.3 < np.median(params["noncovered_lag_years"]) < 1.0


@settings(max_examples=60, deadline=None)
@given(
    reference=st.floats(1.0, 20.0),
    factor=st.floats(0.05, 1.0),
    seed=st.integers(0, 2**16),
)
# One ulp below the reference: rounding once made the excess a few ulp above zero.
@example(reference=4.0, factor=0.9999999999999999, seed=0)
def test_no_hazard_at_or_below_the_counterfactual_reference(reference, factor, seed) -> None:
    """A model no better than the counterfactual reference is never hazardous."""
    chain = load_risk_chain_priors()
    params = chain.sample(rng=np.random.default_rng(seed), size=300)
    bars = load_hazard_bars()
    uplift = 1.0 + (reference - 1.0) * factor  # at or below the reference's uplift
    np.testing.assert_array_equal(
        incident_probability(uplift, chain, params, reference_uplift=reference), 0.0
    )
    for bar in bars.values():
        u_star = uplift_threshold(
            bar, chain=chain, params=params, size=300, reference_uplift=reference
        )
        assert np.all(u_star > reference * (1 - 1e-12))
        assert not np.any(uplift > u_star)


def test_reference_threshold_inverts_incident_probability() -> None:
    chain = load_risk_chain_priors()
    params = chain.sample(rng=np.random.default_rng(4), size=4000)
    bar = load_hazard_bars()["current"]
    reference = np.exp(np.random.default_rng(5).uniform(0.0, 1.5, 4000))
    u_star = uplift_threshold(
        bar, chain=chain, params=params, size=4000, reference_uplift=reference
    )
    binding = np.isfinite(u_star) & (u_star > chain.materiality_uplift * reference * 1.001)
    p = incident_probability(
        u_star[binding],
        chain,
        {k: v[binding] for k, v in params.items()},
        reference_uplift=reference[binding],
    )
    np.testing.assert_allclose(p, chain.legal_probability, rtol=1e-6)


# --- assess ------------------------------------------------------------------------


def _probs(view, **kwargs) -> dict[str, float]:
    out = assess(view, date=DATE, n_samples=N_MC, **kwargs)
    return {r["bar"]: r["probability"] for r in out}


def test_assess_output(view) -> None:
    out = assess(view, flop=1e26, date=DATE, n_samples=N_MC, seed=5)
    assert [r["bar"] for r in out] == ["raised", "current"]
    for row in out:
        assert list(row)[:5] == list(KEYS)
        assert 0.0 <= row["probability"] <= 1.0
        assert 0.0 <= row["mc_se"] <= 0.5
        assert 0.0 < row["required_probability"] < 1.0
        assert row["hazardous"] == (row["probability"] > row["required_probability"])
    assert out == assess(view, flop=1e26, date=DATE, n_samples=N_MC, seed=5)
    direct = assess(view, flop=1e26, date=DATE, n_samples=N_MC, link="direct", bars=["raised"])
    assert len(direct) == 1 and 0 <= direct[0]["probability"] <= 1


def test_assess_reports_an_upper_bound_when_no_sample_is_hazardous(view) -> None:
    (row,) = assess(view, flop=1e15, date=DATE, bars=["raised"], n_samples=N_MC, seed=1)
    assert row["probability"] == 0.0 and row["mc_se"] == 0.0
    assert row["n_samples"] == N_MC
    # Clopper-Pearson with no successes: 1 - 0.05 ** (1 / n), about 3 / n
    assert row["probability_upper_95"] == pytest.approx(1 - 0.05 ** (1 / N_MC), rel=1e-9)
    (big,) = assess(view, flop=1e26, date=DATE, bars=["current"], n_samples=N_MC, seed=1)
    assert big["probability"] < big["probability_upper_95"] < big["probability"] + 4 * big["mc_se"]


def test_assess_refuses_unknown_or_unmodelled_bars(view) -> None:
    with pytest.raises(ConfigError, match="unknown hazard bar 'nope'"):
        assess(view, flop=1e26, date=DATE, bars=["nope"])
    cbrn = HazardBar(
        name="cbrn_raised",
        harm="cbrn",
        quantity="uplift",
        threshold=2.0,
        required_probability=0.1,
        description="template",
        source="template",
    )
    with pytest.raises(ConfigError, match="harm category 'cbrn'"):
        assess(view, flop=1e26, date=DATE, bars=[cbrn])
    with pytest.raises(ConfigError, match="enhancement_flop_fraction"):
        assess(view, flop=1e26, date=DATE, enhancement_flop_fraction=-1.0)


@settings(max_examples=12, deadline=None)
@given(x1=LOG10_FLOP, x2=LOG10_FLOP)
def test_more_flop_never_lowers_hazard_probability(view, x1, x2) -> None:
    lo, hi = sorted((x1, x2))
    p_lo = _probs(view, flop=10.0**lo)
    p_hi = _probs(view, flop=10.0**hi)
    for name in p_lo:
        assert p_hi[name] >= p_lo[name]


@settings(max_examples=12, deadline=None)
@given(f1=FRACTIONS, f2=FRACTIONS, h1=HORIZONS, h2=HORIZONS)
def test_larger_allowance_never_lowers_hazard_probability(view, f1, f2, h1, h2) -> None:
    (f_lo, f_hi), (h_lo, h_hi) = sorted((f1, f2)), sorted((h1, h2))
    low = _probs(view, flop=1e27, enhancement_flop_fraction=f_lo, enhancement_horizon_years=h_lo)
    high = _probs(view, flop=1e27, enhancement_flop_fraction=f_hi, enhancement_horizon_years=h_hi)
    unbounded = _probs(
        view,
        flop=1e27,
        enhancement_flop_fraction="unbounded",
        enhancement_horizon_years=math.inf,
    )
    for name in low:
        assert high[name] >= low[name]
        assert unbounded[name] >= high[name]


def test_small_models_are_not_hazardous_under_the_current_bar(view) -> None:
    """A model far below the covered threshold is weaker than the non-covered reference:
    with no enhancement it is never hazardous, and the bill's unbounded enhancement
    cannot lift a 1e21-FLOP model to it in more than 0.1% of samples."""
    (none,) = assess(
        view,
        flop=1e21,
        date=DATE,
        bars=["current"],
        enhancement_flop_fraction=0.0,
        enhancement_horizon_years=0.0,
        n_samples=N_MC,
    )
    assert none["probability"] == 0.0
    (unbounded,) = assess(view, flop=1e21, date=DATE, bars=["current"], n_samples=4000)
    assert unbounded["probability"] < 0.001


def test_record_weights_favour_worlds_consistent_with_what_happened(view) -> None:
    chain = load_risk_chain_priors()
    n = 2000
    rng = np.random.default_rng(7)
    params = chain.sample(rng=rng, size=n)
    rows = np.arange(n) % view.n_samples
    priors = load_uplift_priors()
    link = make_link("direct", priors=priors)
    link_params = link.sample_prior(rng=rng, size=n)
    log_w = record_log_weights(
        view,
        rows,
        link=link,
        link_params=link_params,
        curve=None,
        chain=chain,
        chain_params=params,
        rng=np.random.default_rng(8),
    )
    assert log_w.shape == (n,) and np.all(np.isfinite(log_w))
    w = np.exp(log_w - log_w.max())
    w /= w.sum()
    base_rate = (
        params["attempts_per_year"] * params["baseline_success"] * severity_tail(chain, params)
    )
    observed = chain.record.incidents / chain.record.incident_window_years
    prior_error = np.median(np.abs(np.log(base_rate / observed)))
    posterior_error = np.sum(w * np.abs(np.log(base_rate / observed)))
    assert posterior_error < prior_error
    # Zero AI-attributed incidents: draws whose adoption share is high get less weight.
    high = params["adoption_share"] > np.quantile(params["adoption_share"], 0.8)
    assert w[high].sum() < 0.2


# --- crossing ------------------------------------------------------------------------


def _ordered(values: list) -> bool:
    return all(a <= b for a, b in zip(values, values[1:], strict=False))


@pytest.mark.parametrize("bar", ["raised", "current"])
def test_crossing_output_and_assess_at_the_crossing(view, bar) -> None:
    kwargs = {"bar": bar, "date": DATE, "n_samples": 4000, "seed": 4}
    out = crossing(view, **kwargs)
    assert out["bar"] == bar and out["date"] == DATE
    assert 0 < out["flop"] < math.inf
    assert 0 < out["flop_mc_se_dex"] < 0.5
    assert out["frontier_date"] is None or len(out["frontier_date"]) == 10
    assert out == crossing(view, **kwargs) or math.isnan(out["frontier_date_mc_se_months"])
    # The crossing is where the pooled probability meets the bar: assess there returns
    # the required probability within 2 Monte Carlo standard errors.
    (at,) = assess(view, flop=out["flop"], date=DATE, bars=[bar], n_samples=4000, seed=4)
    assert abs(at["probability"] - out["required_probability"]) <= 2 * at["mc_se"]
    (below,) = assess(view, flop=out["flop"] / 3, date=DATE, bars=[bar], n_samples=4000, seed=4)
    assert below["probability"] <= out["required_probability"]


def test_crossing_later_with_smaller_allowance(view) -> None:
    kwargs = {"bar": "raised", "date": DATE, "n_samples": 2000, "frontier": False}
    small = crossing(view, enhancement_flop_fraction=0.0, enhancement_horizon_years=0.0, **kwargs)
    large = crossing(view, enhancement_flop_fraction="unbounded", **kwargs)
    assert large["flop"] <= small["flop"]


def test_crossing_sensitivity_is_reported_separately(view) -> None:
    table = crossing_sensitivity(view, bar="current", date=DATE, n_samples=3000, seed=2)
    assert list(table.columns) == ["assumption", "flop_low_third", "flop_high_third", "spread_dex"]
    assert len(table) == 4
    spreads = table["spread_dex"].to_numpy()
    assert np.all(spreads >= 0) and np.all(np.diff(spreads[np.isfinite(spreads)]) <= 0)


def test_crossing_with_sensitivity_equals_both_calls(view) -> None:
    """One sample for both: the same numbers as the two separate calls with the seed."""
    from riskmodel.hazard.assess import crossing_with_sensitivity

    kwargs = {"bar": "current", "date": DATE, "n_samples": 1500, "seed": 3}
    result, table = crossing_with_sensitivity(view, frontier=False, **kwargs)
    assert result == crossing(view, frontier=False, **kwargs)
    pd.testing.assert_frame_equal(table, crossing_sensitivity(view, **kwargs))


# --- link parameters updated by the uplift studies ----------------------------------


def test_study_capabilities_come_from_the_fit(view) -> None:
    from riskmodel.capability.predict import fitted_capability_draws
    from riskmodel.errors import RiskmodelError
    from riskmodel.uplift.studies import load_uplift_studies
    from riskmodel.uplift.update import study_capabilities_from_fit

    studies = load_uplift_studies()
    mean, sd = study_capabilities_from_fit(studies, view)
    for i, model in enumerate(studies["fit_model"]):
        draws = fitted_capability_draws(view, model)
        assert mean[i] == pytest.approx(draws.mean()) and sd[i] == pytest.approx(draws.std())
    bad = studies.assign(fit_model=["llama-3.1-405b-instruct", "claude-3-7-sonet"])
    with pytest.raises(RiskmodelError, match="metr_2025_oss_developer_rct.*fit_model.*sonnet"):
        study_capabilities_from_fit(bad, view)


@pytest.mark.slow  # two NUTS runs of the uplift-study update
def test_consistent_strong_cyber_studies_raise_the_updated_uplift(view) -> None:
    """Four (made-up) consistent 3x cyber speed-ups must pull the direct link towards 3x
    at the studies' capability; one alone is partly absorbed by between-study spread."""
    import pandas as pd

    from riskmodel.uplift.elicitation import load_uplift_priors
    from riskmodel.uplift.links import make_link
    from riskmodel.uplift.studies import load_uplift_studies
    from riskmodel.uplift.update import study_capabilities_from_fit, updated_link_params

    shipped = load_uplift_studies()
    cyber = shipped.iloc[[0] * 4].copy()
    cyber["study"] = [f"strong_{i}" for i in range(4)]
    cyber[["measured_speedup", "log_speedup", "log_speedup_sd"]] = [3.0, math.log(3.0), 0.1]
    strong = pd.concat([cyber, shipped.iloc[[1]]], ignore_index=True)
    # 2 x 2500 draws: the four tight studies make uplift_at_low and between_study_sd mix
    # slowly; at 2 x 1000 their bulk ESS sat at ~280-400, on the gate's edge (failed on a
    # fresh clone). Measured at 2 x 2500 over seeds 0-3: min bulk ESS 792-1022, R-hat <= 1.004.
    base = updated_link_params(
        view, link="direct", studies=shipped, draws=2500, tune=1000, seed=TEST_SEED
    )
    moved = updated_link_params(
        view, link="direct", studies=strong, draws=2500, tune=1000, seed=TEST_SEED
    )
    assert base.diagnostics.passed and moved.diagnostics.passed
    link = make_link("direct", priors=load_uplift_priors())
    capability = study_capabilities_from_fit(shipped, view)[0][0]
    n_draws = len(next(iter(base.params.values())))
    before = np.median(link.uplift(np.full(n_draws, capability), base.params))
    after = np.median(link.uplift(np.full(n_draws, capability), moved.params))
    assert before < 1.5 and 2.0 < after < 3.5
    # Stored in the fit: the same inputs return the same draws without resampling.
    again = updated_link_params(
        view, link="direct", studies=shipped, draws=2500, tune=1000, seed=TEST_SEED
    )
    assert again.diagnostics == base.diagnostics
    for name, values in base.params.items():
        np.testing.assert_array_equal(again.params[name], values)


def test_link_params_modes(view) -> None:
    kwargs = dict(flop=1e27, date=DATE, n_samples=N_MC, bars=["raised"], seed=3)
    prior = assess(view, link_params="prior", **kwargs)[0]["probability"]
    studies = assess(view, link_params="studies", **kwargs)[0]["probability"]
    assert 0 <= prior <= 1 and 0 <= studies <= 1
    with pytest.raises(ConfigError, match="link_params must be 'studies', 'prior'"):
        assess(view, link_params="posterior", **kwargs)
