"""Simulation-based calibration: the rank and uniformity utilities, the figure, and SBC of
the capability model and the uplift model (slow, run in CI).

The utilities are tested on an exactly solvable model (normal mean, known variance), where
an exact posterior must pass and a biased or over-confident one must fail, so that the
checks are known to be able to fail. The slow tests run SBC with at least
:data:`~riskmodel.sbc.ranks.SBC_REPLICATIONS` simulated data sets per model (and link)
and assert that every ranked quantity passes at the family-wise level
:data:`~riskmodel.sbc.ranks.FAMILY_ALPHA`; a negative control on the capability model
(data simulated with a wider prior than the fitted one) must fail.
"""

from __future__ import annotations

import numpy as np
import pytest

from riskmodel.errors import RiskmodelError
from riskmodel.sbc.capability import (
    CAPABILITY_SBC_QUANTITIES,
    NEGATIVE_CONTROL_QUANTITY,
    NEGATIVE_CONTROL_REPLICATIONS,
    NEGATIVE_CONTROL_SCALE,
    CapabilitySBC,
    capability_sbc_config,
    reduced_capability_evidence,
)
from riskmodel.sbc.ranks import (
    ECDF_BAND_PROB,
    FAMILY_ALPHA,
    SBC_REPLICATIONS,
    SBCResult,
    chi_square_uniformity,
    ecdf_band,
    ecdf_difference,
    ecdf_uniformity,
    rank_statistics,
    summarize_ranks,
)
from riskmodel.sbc.uplift import uplift_sbc

#: Replications and ranked draws of the exactly solvable model.
TOY_REPLICATIONS = 200
TOY_DRAWS = 100
#: Over-confidence (posterior sd multiplied by this) and bias (posterior mean shifted by
#: this many posterior sds) the checks must detect with TOY_REPLICATIONS data sets.
OVERCONFIDENT_SD_FACTOR = 0.5
BIAS_SDS = 0.5
#: Uniform rank samples used to check the band's simultaneous coverage, and the
#: tolerated deviation from ECDF_BAND_PROB (about 3.5 binomial sds at 1000 samples).
COVERAGE_SAMPLES = 1000
COVERAGE_TOLERANCE = 0.025
#: Mean fractional rank the negative control must exceed (0.5 when calibrated): the
#: posterior is pulled towards the narrower fitted prior, so the truths rank high.
NEGATIVE_MIN_MEAN_RANK = 0.6


def _toy_ranks(
    rng: np.random.Generator, *, sd_factor: float = 1.0, shift_sds: float = 0.0
) -> np.ndarray:
    """Ranks of theta ~ N(0, 1) among posterior draws given y ~ N(theta, 1).

    The exact posterior is N(y / 2, sqrt(1 / 2)); ``sd_factor`` and ``shift_sds`` distort
    it (1 and 0: exact).
    """
    theta = rng.normal(size=TOY_REPLICATIONS)
    y = rng.normal(theta, 1.0)
    sd = np.sqrt(0.5)
    mean = y / 2 + shift_sds * sd
    draws = rng.normal(mean[:, None], sd * sd_factor, size=(TOY_REPLICATIONS, TOY_DRAWS))
    return rank_statistics(theta, draws)


# --- rank statistic and uniformity checks -------------------------------------------


def test_rank_counts_thinned_draws_below_truth() -> None:
    draws = np.array([[0.0, 5.0, 1.0, 6.0, 2.0, 7.0], [9.0, 8.0, 7.0, 6.0, 5.0, 4.0]])
    assert rank_statistics(np.array([5.5, 0.0]), draws).tolist() == [4, 0]
    # thin=2 keeps draws 0, 2, 4
    assert rank_statistics(np.array([5.5, 8.5]), draws, thin=2).tolist() == [3, 2]
    with pytest.raises(RiskmodelError):
        rank_statistics(np.zeros(3), draws)
    with pytest.raises(RiskmodelError):
        rank_statistics(np.zeros(2), draws, thin=0)


def test_chi_square_uses_exact_bin_shares() -> None:
    # L = 50: 51 possible ranks in 10 bins of 5 or 6 ranks; perfectly uniform ranks fit
    ranks = np.tile(np.arange(51), 4)
    assert chi_square_uniformity(ranks, 50, n_bins=10) == pytest.approx(1.0)
    assert chi_square_uniformity(np.zeros(100, dtype=int), 50) < 1e-10
    with pytest.raises(RiskmodelError):
        chi_square_uniformity(np.array([0, 51]), 50)


def test_ecdf_difference_is_zero_at_both_ends() -> None:
    z, diff = ecdf_difference(np.array([0, 1, 2, 3]), 3)
    assert z.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert diff.tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]
    _, diff = ecdf_difference(np.array([0, 0, 0, 0]), 3)
    assert diff[1] == pytest.approx(0.75)
    assert diff[-1] == 0.0


def test_exact_posterior_passes() -> None:
    ranks = _toy_ranks(np.random.default_rng(1))
    result = summarize_ranks({"theta": ranks}, TOY_DRAWS)
    print(result.table())
    assert result.all_passed
    assert result.chi2_p["theta"] > 0.01
    assert result.ecdf_p["theta"] > 0.01


@pytest.mark.parametrize(
    ("sd_factor", "shift_sds"), [(OVERCONFIDENT_SD_FACTOR, 0.0), (1.0, BIAS_SDS)]
)
def test_overconfident_or_biased_posterior_fails(sd_factor: float, shift_sds: float) -> None:
    ranks = _toy_ranks(np.random.default_rng(2), sd_factor=sd_factor, shift_sds=shift_sds)
    result = summarize_ranks({"theta": ranks}, TOY_DRAWS)
    print(result.table())
    assert not result.all_passed
    assert result.ecdf_p["theta"] < result.threshold
    assert result.chi2_p["theta"] < result.threshold


def test_simultaneous_band_has_nominal_coverage() -> None:
    n, n_draws = 100, 50
    z, lower, upper = ecdf_band(n, n_draws)
    assert z.shape == lower.shape == upper.shape == (n_draws + 2,)
    assert np.all(lower <= 0) and np.all(upper >= 0)
    rng = np.random.default_rng(3)
    inside = []
    for _ in range(COVERAGE_SAMPLES):
        ranks = rng.integers(0, n_draws + 1, size=n)
        _, diff = ecdf_difference(ranks, n_draws)
        in_band = bool(np.all((diff >= lower - 1e-12) & (diff <= upper + 1e-12)))
        # the band and the test agree: leaving the 95% band <=> p-value below 5%
        p = ecdf_uniformity(ranks, n_draws).p_value
        assert in_band == (p > 1 - ECDF_BAND_PROB) or abs(p - (1 - ECDF_BAND_PROB)) < 0.01
        inside.append(in_band)
    coverage = float(np.mean(inside))
    print(f"simultaneous band coverage {coverage:.3f}")
    assert abs(coverage - ECDF_BAND_PROB) < COVERAGE_TOLERANCE


def test_result_needs_consistent_ranks() -> None:
    with pytest.raises(RiskmodelError):
        summarize_ranks({}, 10)
    with pytest.raises(RiskmodelError):
        summarize_ranks({"a": np.zeros(5, dtype=int), "b": np.zeros(6, dtype=int)}, 10)
    result = summarize_ranks({"a": np.arange(11), "b": np.arange(11)}, 10, alpha=0.02)
    assert result.threshold == pytest.approx(0.02 / 4)
    assert result.n_replications == 11
    assert list(result.table().index) == ["a", "b"]


def test_ecdf_figure_builds_and_is_captioned() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    from riskmodel.plotting.calibration import plot_sbc_ecdf_difference

    rng = np.random.default_rng(4)
    result = summarize_ranks(
        {
            "theta": _toy_ranks(rng),
            "theta_overconfident": _toy_ranks(rng, sd_factor=OVERCONFIDENT_SD_FACTOR),
        },
        TOY_DRAWS,
        settings={"seed": 4, "vintage": "2025-02-27", "draws": 100, "thin": 1, "tune": 0},
        divergences=np.zeros(TOY_REPLICATIONS, dtype=int),
    )
    fig = plot_sbc_ecdf_difference(result=result, title="toy")
    assert isinstance(fig, Figure)
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible() and ax.axison]
    assert len(titles) == 2
    assert "FAILS" in titles[1] and "FAILS" not in titles[0]
    caption = next(t.get_text() for t in fig.texts if t.get_gid() == "caption")
    assert "seed 4" in caption and "Data vintage 2025-02-27" in caption
    assert f"{TOY_REPLICATIONS} simulated data sets" in caption
    plt.close(fig)


# --- SBC of the real models (slow) ---------------------------------------------------


@pytest.fixture(scope="module")
def capability_runner(shipped_evidence) -> CapabilitySBC:
    """The reduced capability model, compiled once for the SBC and the negative control."""
    from riskmodel.capability.data import prepare_capability_data

    config = capability_sbc_config()
    data = prepare_capability_data(reduced_capability_evidence(shipped_evidence), config.capability)
    return CapabilitySBC(data, config)


def test_capability_sbc_design_exercises_the_fitting_geometry(shipped_evidence) -> None:
    """The reduced design with the SBC's geometry has centred models and pivoted
    benchmark locations, so SBC checks those changes of variables too."""
    from riskmodel.capability.data import prepare_capability_data
    from riskmodel.capability.model import difficulty_pivots

    config = capability_sbc_config().capability
    data = prepare_capability_data(reduced_capability_evidence(shipped_evidence), config)
    pivots = difficulty_pivots(data, min_results=config.pivot_min_results)
    assert len(pivots) == 2 and np.all(pivots != 0.5), pivots
    assert (data.model_informative_results >= config.centered_min_results).any()


def _report(result: SBCResult) -> None:
    print(result.settings)
    print(result.table().to_string())
    print(
        f"{result.n_replications} data sets, L = {result.n_draws}, threshold "
        f"{result.threshold:.2g}, divergences {int(result.divergences.sum())} in "
        f"{int((result.divergences > 0).sum())} fits, {result.seconds:.0f} s"
    )


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_capability_model_sbc(capability_runner: CapabilitySBC, shipped_evidence, tmp_path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from riskmodel.plotting.calibration import plot_sbc_ecdf_difference
    from riskmodel.plotting.style import save_figure

    result = capability_runner.run()
    result.settings["vintage"] = shipped_evidence.vintage
    _report(result)
    assert result.n_replications >= SBC_REPLICATIONS >= 100
    assert set(result.ranks) == {CapabilitySBC.quantity_name(*q) for q in CAPABILITY_SBC_QUANTITIES}
    assert result.alpha == FAMILY_ALPHA
    failing = {n: (result.chi2_p[n], result.ecdf_p[n]) for n, ok in result.passed.items() if not ok}
    assert not failing, f"capability SBC fails for {failing}"
    written = save_figure(plot_sbc_ecdf_difference(result=result), tmp_path / "sbc_capability")
    assert all(p.stat().st_size > 0 for p in written)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_capability_sbc_flags_a_wrong_prior_scale(capability_runner: CapabilitySBC) -> None:
    """Negative control: data from a 3x wider capability_scatter prior than the fit's."""
    result = capability_runner.run(
        replications=NEGATIVE_CONTROL_REPLICATIONS,
        truth_scale={NEGATIVE_CONTROL_QUANTITY: NEGATIVE_CONTROL_SCALE},
    )
    _report(result)
    assert not result.passed[NEGATIVE_CONTROL_QUANTITY]
    mean_rank = np.mean(result.ranks[NEGATIVE_CONTROL_QUANTITY]) / result.n_draws
    assert mean_rank > NEGATIVE_MIN_MEAN_RANK


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("link_name", ["direct", "amdahl"])
def test_uplift_model_sbc(link_name: str) -> None:
    result = uplift_sbc(link_name)
    _report(result)
    assert result.n_replications >= SBC_REPLICATIONS >= 100
    failing = {n: (result.chi2_p[n], result.ecdf_p[n]) for n, ok in result.passed.items() if not ok}
    assert not failing, f"uplift SBC ({link_name}) fails for {failing}"
