"""Fit the world of training runs to Epoch AI's records.

The simulated world (:mod:`riskmodel.world.generate`) needs five fitted pieces: a count
model of training runs by compute and year, the share of them that Epoch records with a
compute estimate, cost per FLOP, developer tier and open weights. All are fitted here to
the Epoch rows of ``data/models.csv`` (read from :func:`riskmodel.evidence.loaders.
default_data_dir`, so ``$RISKMODEL_DATA_DIR`` is honoured), selected by the
``epoch_lists`` column; base runs only (rows without a ``base_model``).

Years and the partial last year
-------------------------------
The data vintage (``data_vintage`` in ``data/world_assumptions.toml``, 2025-09-01) says
the records hold models released *before* that date. The fit years are 2018 up to the
vintage's year (:func:`fit_years`): 2018..2025, with 2025 observed from 1 January to 31
August, an **exposure** of 243/365 of a year. Every expected count of 2025 in the
likelihood and in the in-sample check is the model's whole-year count times 243/365; the
runs of January-August 2025 are neither dropped nor read as a whole year. The model's
intensity is constant within a calendar year (releases uniform within the year), so this
is its exact likelihood; if runs in fact grow within the year at the fitted rate at 1e25
FLOP (x3.4 from 2024 to 2025), January-August holds ~53% of the year's runs above 1e25
rather than 67%, and the fitted 2025 level is read from a slightly low window.

Units and coordinates
---------------------
``x`` is log10 training compute (log10 FLOP) and ``u = x - 25`` its distance from 1e25
FLOP in dex; ``tau = year - 2024`` is years from the reference year (an integer calendar
year for the count model, a decimal release year for the per-run models). Every rate is
per calendar year.

The census: Epoch's large-scale list
------------------------------------
The count model describes the runs on Epoch's "Large-Scale AI Models" list (models
Epoch believes were trained with at least 1e23 FLOP, ``large_scale`` in
``epoch_lists``), **with or without a compute estimate**, plus any notable-list run
with an estimate at or above the floor (none today: every notable base run >= 1e23 is
on the large-scale list). Base runs per year at the 2025-09-01 vintage (estimate >=
threshold; "none": on the list without an estimate):

====  =================================  =================================
year  notable list >=1e23/1e24/1e25/1e26  large-scale list >=1e23/1e24/1e25/1e26, none
====  =================================  =================================
2021  7 / 1 / 0 / 0                       10 / 3 / 0 / 0, 0
2022  15 / 2 / 0 / 0                      20 / 2 / 0 / 0, 7
2023  21 / 9 / 3 / 0                      55 / 16 / 3 / 0, 64
2024  31 / 29 / 8 / 0                     102 / 40 / 8 / 0, 61
2025  21 / 20 / 7 / 3 (Jan-Aug)           65 / 45 / 7 / 3, 55 (Jan-Aug)
====  =================================  =================================

At and above 1e25 the two lists agree run for run; between 1e23 and 1e25 the
large-scale list holds 1.4-3x the notable list's runs (notability is judged relative to
the frontier, so runs far below it drop out of the notable list), and only it says which
runs without an estimate are above the floor. It is therefore the census. The floor is
fixed at 1e23 by it (:data:`~riskmodel.world.assumptions.CENSUS_FLOOR_LOG10_FLOP`); three
large-scale rows whose ``training_flop`` in ``models.csv`` (from ObsScaling) is below
1e23 are left out. Cost per FLOP comes from the notable list, the only one with costs.

Count model (runs per year at or above a compute level)
-------------------------------------------------------
Census runs with ``x >= floor`` are a Poisson process in (year, x) with intensity, in
runs per year per dex of log10 FLOP (natural-log parameters)::

    log lambda(x, tau) = alpha + beta * tau - gamma * u - delta / 2 * (u - mu * tau)**2

``alpha`` is the log intensity at 1e25 FLOP in 2024 (ln of runs/year/dex), ``beta`` its
growth (1/year, e-folds per year at 1e25), ``gamma`` the local decline with compute at
(1e25, 2024) (e-folds per dex; ``gamma / ln 10`` decades of count per dex), ``delta`` a
curvature (1/dex**2) and ``mu`` (dex/year) the drift of the curvature's centre.

* ``form = "loglinear"`` is ``delta = 0``: the count at or above ``x`` is
  ``exp(alpha + beta * tau - gamma * u) / gamma`` and ``x - floor`` of each run is
  Exponential with rate ``gamma`` per dex (mean ``1 / gamma`` dex) in every year.
* ``form = "curved"`` (default): each year's log10 FLOP is a normal shape with sd
  ``1 / sqrt(delta)`` dex whose centre ``25 + mu * tau - gamma / delta`` moves up by
  ``mu`` dex per year, truncated at the floor; the count at or above ``x`` is
  ``exp(alpha + (beta - gamma * mu) * tau + gamma**2 / (2 * delta))
  * sqrt(2 * pi / delta) * Phi(-sqrt(delta) * (u - mu * tau + gamma / delta))``.

``alpha``, ``beta`` and ``gamma`` mean the same in both forms: the log-linear model is the
first-order expansion of the curved one at (1e25, 2024). Fitted (shipped data), the
centre moves up 0.67 dex/year (4.7x/year, as Epoch's frontier compute does) with an sd
of 0.91 dex, while the total of the untruncated shape barely grows (``beta - gamma *
mu`` = 0.07/year): the census count at a fixed compute level rises while the frontier
approaches it and falls once the frontier has moved on. Even the large-scale list lists
fewer runs just above 1e23 as the frontier moves away (with an estimate, 1e23-1e24: 39
in 2023, 62 in 2024, 20 in January-August 2025); fewer runs are not actually trained at
that scale (compute gets cheaper), so the simulated world holds, by default, the
intensity at each compute level at its peak once the frontier has passed
(``sub_frontier = "hold_peak"``, an assumption; ``"as_recorded"`` keeps the fitted
decline). Held-peak runs are a lower bound on the runs trained far below the frontier.

*Check of the log-linear form.* On the census the curved form raises the log-likelihood
by 103.3 for two parameters (AIC lower by 203; the same comparison on the runs with an
estimate alone: 48.4). Both fits are kept in :attr:`WorldFit.diagnostics`.

Runs without a compute estimate, and what Epoch records
-------------------------------------------------------
Of the census runs of 2023, 2024 and January-August 2025, 54%, 37% and 46% have no
compute estimate, and the share is lowest where policy thresholds sit: closed models of
the frontier developers (of 17 closed frontier-developer runs of January-August 2025
without an estimate, 6 carry Epoch's verdict "likely above 1e25"). A count model fitted
to the runs with an estimate alone would describe what Epoch records, not the runs that
happened, and would move with Epoch's estimating effort: between the February 2025 and
February 2026 exports the estimates of GPT-4o (3.8e25), Claude 3 Opus (1.6e25), Gemini
1.5 Pro (1.6e25), GPT-4o mini and Gemini 1.0 Pro were withdrawn, and the recorded count
above 1e25 in 2024 fell from 12 to 8.

*Recording groups.* Each census run is in one of eight groups: frontier developer or
other (see below) x language/multimodal or other domain (image, video, speech, audio,
biology, ...; Epoch's ``domain``) x closed or open weights. Whether a run carries an
estimate depends strongly on the group (runs of 2024 with an estimate: open
frontier-developer language runs 11 of 11, other open language runs 64 of 72, other
closed language runs 20 of 38, closed frontier-developer language runs 3 of 18, other
closed non-language runs 1 of 13). The model assumes that
*within a group and year, whether Epoch has an estimate does not depend on the run's
compute* (missing at random given group and year). Then

* the **recording share** ``r[g, y]`` of group ``g`` in year ``y`` has the posterior
  ``Beta(1 + recorded, 1 + listed - recorded)`` (uniform prior), independent across groups
  and years and of the count model (the likelihood factorises);
* a run without an estimate still counts in the count model, as a censored observation:
  its compute is integrated out, over [floor, 1e30], with weight
  ``lambda(x, y) * P(g | x, t)`` (``P(g | x, t)`` the product of the tier, open-weights
  and domain models below, at its release time ``t``), times Epoch's verdict on it where
  it has one.

*Verdicts.* ``compute_note_vs_1e25`` is evidence on ``x >= 25``: a verdict with the
elicited probability ``p`` (``compute_notes`` in the assumptions: likely above 0.85,
possibly above 0.5, unlikely above 0.15) weighs the part of the integral above 1e25 by
``p`` and the part below by ``1 - p`` (a likelihood ratio ``p / (1 - p)`` on the model's
own odds). From ``compute_notes.review_start`` (2025-01-01), when Epoch reviewed every
release of the leading developers against 1e25, a run with neither an estimate nor a
verdict is read as a weak verdict ``no_verdict = 0.2``. Without it (missing at random for
2025 too), the fit would put 37.5 runs above 1e25 in January-August 2025 (7 with an
estimate, 30.5 imputed among the 55 without); with it 19.9 (12.9 imputed), close to a
run-by-run reading of the list (the 7, 6 'likely above', a few of the rest).

Counts as Epoch records them, and counts of runs that happened
--------------------------------------------------------------
Three counts per year ``y`` and threshold ``X`` (runs at or above ``X``), all base runs
at or above the floor, each Poisson given the parameters:

* **happened** -- runs of the simulated world: the fitted intensity, with the held peak
  below the frontier under ``hold_peak``: ``H = e_y * integral_X^inf lambda_world(x, y) dx``;
* **listed** -- runs on Epoch's large-scale list, with or without an estimate: the
  fitted intensity, ``L = e_y * integral_X^inf lambda(x, y) dx``; ``L <= H``, equal above
  the held region (at and above 1e25 up to 2026) and everywhere under ``as_recorded``;
* **recorded** -- runs Epoch lists *with a compute estimate* at or above ``X`` (what a
  table of Epoch's data shows):
  ``R = e_y * integral_X^inf lambda(x, y) * rho(x, y) dx`` with the recorded fraction
  ``rho(x, y) = sum_g P(g | x, y + 1/2) * r[g, y] <= 1``.

``e_y`` is the exposure (1 for a whole year). Recorded runs are a binomial thinning of
listed runs, which are a binomial thinning of the runs that happened, so in every
simulated world ``recorded <= listed <= happened`` and ``E[recorded] = E[listed] * (mean
of rho over the listed runs above X)``: at 1e25 that mean is 0.37 (90%: 0.29-0.47) in
2024, 0.40 (0.31-0.48) in 2025 and 0.48 (0.41-0.56) in 2026
(:func:`riskmodel.world.generate.recording_share_table`). Recording shares of years after
the fit are those of the last ``recording.future_pool_years`` fitted years (2025),
i.e. records read at the lag of the data vintage (6-13 months after release). The
world's population (:func:`~riskmodel.world.generate.sample_population`) is the happened
count; ``riskmodel population``, the in-sample check and the backtests use the recorded
count (:func:`~riskmodel.world.generate.predictive_counts`, ``basis="recorded"``).

Estimation and checks
---------------------
The count, tier, open-weights and domain parameters are fitted jointly (12 parameters):
the posterior mode of the census likelihood (log L = sum over runs with an estimate of
``log lambda + log P(g | x, t)``, plus sum over runs without one of the log of their
integral, minus per year ``e_y`` times the expected runs above the floor) under flat
priors on the count parameters and the weak logistic priors below, found by BFGS and
Newton steps on central differences; the integrals by the trapezoid rule on 0.05 dex.
Parameter uncertainty by a Laplace approximation: multivariate normal draws around the
mode with the inverse numerical Hessian as covariance, on the scale of
:data:`FITTING_SCALE` for the count part (curved form: ln of the total runs per year in
2024, their growth rate, the 2024 centre of the shape, ln delta and mu, which are nearly
orthogonal). A fit takes ~1 s; :func:`fit_world` fits both forms (~2.5 s on 2 cores).

* *In-sample calibration* (:func:`riskmodel.world.generate.calibration_table`, 90%
  predictive intervals of recorded counts, 2025 at its exposure): 15 of 16 counts at
  1e24 and 1e25 in 2018-2025 are covered; 2021 at 1e24 is not (3 against 0-2). 2025 at
  1e25 sits at the lower edge (7 against 7-22): the fitted trend expects ~35 runs above
  1e25 in January-August 2025 (recorded ~14), more than the ~20 the runs themselves
  support. Census totals (listed, at 1e23): 6 of 8 covered, 2022 (27 against 31-55) and
  2023 (119 against 78-116) not.
* *Recovery* (``tests/test_world.py``): on censuses simulated at parameters like the
  shipped ones, thinned by group as the data are (30 replicates), the fitted count
  above 1e25 in 2024 is off by -5% on average (sd 17%), and the 90% intervals of the
  share of runs above 1e25 with an estimate cover the truth (z-scores: mean 0.4, sd
  0.8); a fit to the recorded runs alone finds 39% of the runs above 1e25 (8 replicates).
* *External check*: Epoch's own count of models above 1e25 (data insight of 2025-01-30,
  which also uses estimates from benchmark scores) is "roughly two a month during 2024";
  the fit gives 15.7 listed runs above 1e25 in 2024 (90% predictive 8-23) and 18.2
  (8 with an estimate, 10.2 imputed) for the runs on the list.

Cost model
----------
``log10(cost_usd / FLOP) = a + b * tau + e``, ``e ~ Normal(0, s**2)``, on the notable
base runs of the fit years with both a cost (2023 USD) and a FLOP value (``tau`` decimal
years): 141 of the list's 178 rows with a cost (24 are from before 2018, 13 are
derivatives), 2018-2025, 8 of them in 2024 and 5 in 2025. Bayesian linear regression under
the reference prior ``p(a, b, s**2) ~ 1 / s**2`` (the flat limit of the conjugate
normal-inverse-gamma prior), whose posterior is exact: ``s**2 ~ nu * s_hat**2 /
chi2(nu)``, ``nu = n - 2``, and ``(a, b) | s ~ Normal(OLS, s**2 (X'X)^-1)``. Costs are
sparse after 2023, so ``a`` (the 2024 level) leans on the trend.

Developer tier, open weights and domain
---------------------------------------
The frontier developers are the ``n_frontier`` organisations (assumption, default 5) with
the most census runs at or above ``frontier_log10_flop`` (default 1e25) in the fit years,
after merging aliases (e.g. Google Brain and DeepMind into Google DeepMind); a run without
an estimate that Epoch judges likely above 1e25 counts its verdict's probability (0.85).
Ties are broken by runs at or above 1e24, then by the largest run, then by name. Shipped:
Google DeepMind (1 run with an estimate + 4 verdicts: 4.4), OpenAI (3.85), Anthropic
(3.7), xAI (3) and Meta AI (2, ahead of Mistral AI's 2 on 9 runs at or above 1e24 against
4). A run is by a frontier developer when any of its listed organisations is one.
``P(frontier | x, tau) = expit(c0 + c1 * (u - m * tau))``,
``P(open | frontier, x, tau) = expit(o0 + o1 * frontier + o2 * (u - m * tau))`` and
``P(language | x, tau) = expit(l0 + l1 * (u - m * tau))`` (domain independent of tier and
openness given compute; a nuisance of the census fit, the simulated world has no domain)
are logistic regressions fitted jointly with the count model on every census run (above)
under weak normal priors (sd :data:`LOGISTIC_INTERCEPT_PRIOR_SD` on intercepts,
:data:`LOGISTIC_SLOPE_PRIOR_SD` on the other coefficients, which keeps the mode finite if
a small sample is separated).

They measure compute from the frontier path ``25 + m * tau`` (log10 FLOP), with ``m``
the count model's ``mu`` (inside the fit; the simulation uses its mode,
:attr:`WorldFit.frontier_drift`; 0 for the log-linear form, which makes them models of
absolute log10 FLOP), so the year enters through the moving frontier. Alternatives are
fitted to the runs with an estimate and their AIC kept in :attr:`WorldFit.diagnostics`:

* tier on absolute log10 FLOP alone fits much worse (AIC 267 against 229): with compute
  drifting up it would make nearly every future run a frontier developer's. A free year
  term on top of relative compute does not help (AIC 231);
* open weights on absolute log10 FLOP and a free year (the same as relative compute plus
  a free year) has AIC 233.7 against 237.1: openness of census runs rose from 0% in
  2019-2021 to 26%, 34%, 53% and 48% in 2022-2025, a rise that a free year term would
  extrapolate. (With openness falling with compute above the frontier path, the open
  share of simulated base runs still rises, from 59% in 2025 to 79% in 2030, as most
  runs fall ever further below the frontier.)

So the shares of frontier developers and of open weights at a given distance below the
frontier are held constant over time; a trend in either would be an assumption, not a
finding of these data (for openness, a weakly supported one).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.evidence.loaders import default_data_dir
from riskmodel.world.assumptions import (
    CENSUS_FLOOR_LOG10_FLOP,
    DEFAULT_ASSUMPTIONS_PATH,
    SUB_FRONTIER_MODES,
    VERDICTS,
    WorldAssumptions,
    load_world_assumptions,
)
from riskmodel.world.census import (
    GROUPS,
    LANGUAGE_NAMES,
    OPEN_NAMES,
    TIER_NAMES,
    CensusFit,
    CensusRuns,
    GroupParams,
    RecordingFit,
    fit_census_model,
    fit_recording,
)
from riskmodel.world.counts import (
    COUNT_FORMS,
    COUNT_NAMES,
    FITTING_SCALE,
    REFERENCE_LOG10_FLOP,
    REFERENCE_YEAR,
    CountModelFit,
    CountParams,
    fit_count_model,
)
from riskmodel.world.records import (
    CENSUS_LIST,
    DEFAULT_MODELS_PATH,
    EPOCH_LISTS_COLUMN,
    EPOCH_SOURCE_TOKEN,
    FIRST_FIT_YEAR,
    FIT_YEARS,
    SUMMARY_LOG10_THRESHOLDS,
    census_runs,
    epoch_rows,
    fit_years,
    rank_frontier,
)
from riskmodel.world.regressions import fit_cost, logistic_aic

__all__ = [
    "DEFAULT_ASSUMPTIONS_PATH",
    "DEFAULT_MODELS_PATH",
    "EPOCH_SOURCE_TOKEN",
    "EPOCH_LISTS_COLUMN",
    "CENSUS_LIST",
    "FIRST_FIT_YEAR",
    "FIT_YEARS",
    "REFERENCE_YEAR",
    "REFERENCE_LOG10_FLOP",
    "SUMMARY_LOG10_THRESHOLDS",
    "COUNT_FORMS",
    "SUB_FRONTIER_MODES",
    "FITTING_SCALE",
    "PARAMETER_UNITS",
    "GROUPS",
    "WorldAssumptions",
    "CountParams",
    "CountModelFit",
    "CensusRuns",
    "GroupParams",
    "RecordingFit",
    "WorldFit",
    "load_world_assumptions",
    "fit_count_model",
    "fit_years",
    "census_runs",
    "fit_world",
]

#: Units of every parameter of :class:`WorldFit`.
PARAMETER_UNITS: dict[str, str] = {
    "alpha": "ln(runs per year per dex) at 1e25 FLOP in 2024",
    "beta": "1/year (growth of the intensity at 1e25 FLOP)",
    "gamma": "1/dex (decline of the intensity with log10 FLOP at 1e25 FLOP, 2024)",
    "delta": "1/dex^2 (curvature in log10 FLOP; 0 for the log-linear form)",
    "mu": "dex/year (drift of the curvature's centre; 0 for the log-linear form)",
    "cost_a": "log10(2023 USD per FLOP) in 2024",
    "cost_b": "dex/year (trend of log10 cost per FLOP)",
    "cost_s": "dex (residual sd of log10 cost per FLOP)",
    "tier_intercept": "logit P(frontier developer) on the frontier path (1e25 FLOP in 2024)",
    "tier_flop": "logit per dex of log10 FLOP above the frontier path",
    "open_intercept": "logit P(open weights) of a non-frontier run on the frontier path",
    "open_frontier": "logit difference, frontier developer vs other",
    "open_flop": "logit per dex of log10 FLOP above the frontier path",
    "language_intercept": "logit P(language or multimodal model) on the frontier path",
    "language_flop": "logit per dex of log10 FLOP above the frontier path",
}
_GROUP_NAMES = TIER_NAMES + OPEN_NAMES + LANGUAGE_NAMES
# ---------------------------------------------------------------------------------------
# The fitted world
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class WorldFit:
    """Parameter draws of the world of training runs with the data and assumptions used.

    Every parameter is a read-only float64 array of shape ``(n_draws,)`` (units in
    :data:`PARAMETER_UNITS`; see the module docstring for the models).

    Attributes
    ----------
    count_form
        ``"curved"`` or ``"loglinear"``.
    alpha, beta, gamma, delta, mu
        Count model of the census (runs listed, with or without a compute estimate;
        joint Laplace draws).
    cost_a, cost_b, cost_s
        Cost model (exact posterior draws).
    tier_intercept, tier_flop
        P(frontier developer) logistic in log10 FLOP above the frontier path.
    open_intercept, open_frontier, open_flop
        P(open weights) logistic.
    language_intercept, language_flop
        P(language or multimodal model) logistic (a nuisance of the census fit; the
        simulated world has no domain).
    estimates
        Point estimates: joint posterior mode (count, tier, open, language; MLE for the
        count part), posterior mean (cost).
    frontier_drift
        Slope (dex/year) of the frontier path ``25 + frontier_drift * (year - 2024)``
        from which the tier, open-weights and recording models measure compute: the
        mode of ``mu`` (0 for the log-linear form), a fixed number, not a draw.
    assumptions
        The assumptions used.
    frontier_developers
        Names of frontier developers ``0 .. n - 1`` (the developer ids of a population).
    observed_counts
        Census runs with a compute estimate per fitted year (rows) at or above each
        summary threshold (columns ``ge_1e23`` ... ``ge_1e26``): Epoch-recorded counts.
        A partial year is counted as observed (not scaled up).
    listed_counts
        Per fitted year: ``exposure``, ``listed`` (census runs, with or without an
        estimate), ``recorded`` (with an estimate), ``verdict_likely``,
        ``verdict_possibly``, ``verdict_unlikely`` (runs without an estimate by Epoch's
        verdict).
    data_log10_flop, data_year
        The census runs with an estimate (log10 FLOP; calendar year), shape (n_runs,).
    census
        Every census run of the fit (:class:`~riskmodel.world.census.CensusRuns`).
    recording
        Recording shares by group and year (:class:`~riskmodel.world.census.RecordingFit`).
    recording_draws
        Read-only float64 array (n_draws, n_years + 1, 8): posterior draws of every
        group's recording share in each fitted year and, at index ``n_years``, in the
        years after the fit (the pooled last years). Draw ``d`` pairs with parameter
        draw ``d``.
    data_vintage
        Vintage (YYYY-MM-DD) of the data the fit may use.
    fit_years
        First and last calendar year fitted.
    exposure
        Observed share of each fitted year (1 except a partial last year).
    n_draws, seed
        Number of draws and the seed that produced them.
    diagnostics
        Data sizes, log-likelihoods and AIC of both count forms, the likelihood-ratio
        statistic and p-value of curved vs log-linear, the same for the count model fitted
        to the runs with an estimate alone, AIC of alternative tier and open-weights
        designs, frontier-ranking scores.
    """

    count_form: str
    alpha: np.ndarray
    beta: np.ndarray
    gamma: np.ndarray
    delta: np.ndarray
    mu: np.ndarray
    cost_a: np.ndarray
    cost_b: np.ndarray
    cost_s: np.ndarray
    tier_intercept: np.ndarray
    tier_flop: np.ndarray
    open_intercept: np.ndarray
    open_frontier: np.ndarray
    open_flop: np.ndarray
    language_intercept: np.ndarray
    language_flop: np.ndarray
    estimates: dict[str, float]
    frontier_drift: float
    assumptions: WorldAssumptions
    frontier_developers: tuple[str, ...]
    observed_counts: pd.DataFrame
    listed_counts: pd.DataFrame
    data_log10_flop: np.ndarray
    data_year: np.ndarray
    census: CensusRuns
    recording: RecordingFit
    recording_draws: np.ndarray
    data_vintage: str
    fit_years: tuple[int, int]
    exposure: dict[int, float]
    n_draws: int
    seed: int
    diagnostics: dict[str, float] = field(default_factory=dict)

    @property
    def draws(self) -> dict[str, np.ndarray]:
        """Every parameter's draws by name (a new dict of the read-only arrays), shape
        ``(n_draws,)`` each."""
        return {name: getattr(self, name) for name in PARAMETER_UNITS}

    @property
    def years(self) -> tuple[int, ...]:
        """Every fitted calendar year."""
        return tuple(range(self.fit_years[0], self.fit_years[1] + 1))

    def count_params(self, index: np.ndarray | None = None) -> CountParams:
        """Count-model parameters of the draws ``index`` (all draws by default)."""
        sel = slice(None) if index is None else np.asarray(index)
        return CountParams(
            self.count_form,
            *(getattr(self, name)[sel] for name in COUNT_NAMES),
        )

    def group_params(self, index: np.ndarray | None = None) -> GroupParams:
        """Tier, open-weights and domain coefficients of the draws ``index``, measured
        from the fixed frontier path (:attr:`frontier_drift`)."""
        sel = slice(None) if index is None else np.asarray(index)
        return GroupParams(
            *(getattr(self, name)[sel] for name in _GROUP_NAMES), drift=self.frontier_drift
        )

    def recording_shares(self, year: int, index: np.ndarray | None = None) -> np.ndarray:
        """Recording share of every group in ``year`` for the draws ``index``, shape
        ``index.shape + (8,)`` (years before the fit use its first year, years after it
        the pooled last years)."""
        sel = slice(None) if index is None else np.asarray(index)
        years = self.years
        k = years.index(year) if year in years else (0 if year < years[0] else len(years))
        return self.recording_draws[sel, k, :]

    def exposure_of(self, year: int) -> float:
        """Observed share of ``year`` in the fit (1 for a whole or unfitted year)."""
        return float(self.exposure.get(int(year), 1.0))

    def parameter_table(self) -> pd.DataFrame:
        """One row per parameter: ``parameter``, ``units``, ``estimate``, ``mean``,
        ``q05``, ``q50``, ``q95`` (over the draws)."""
        rows = []
        for name, units in PARAMETER_UNITS.items():
            d = getattr(self, name)
            q05, q50, q95 = np.quantile(d, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "parameter": name,
                    "units": units,
                    "estimate": self.estimates[name],
                    "mean": float(d.mean()),
                    "q05": float(q05),
                    "q50": float(q50),
                    "q95": float(q95),
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able provenance summary: parameters, data, assumptions, diagnostics."""
        return {
            "data_vintage": self.data_vintage,
            "fit_years": list(self.fit_years),
            "exposure": {str(k): v for k, v in self.exposure.items()},
            "source": (
                f"Epoch AI large-scale models (census: '{CENSUS_LIST}' in "
                f"{EPOCH_LISTS_COLUMN}; notable rows >= 1e{self.assumptions.floor_log10_flop:g} "
                "FLOP) and notable models (cost)"
            ),
            "count_form": self.count_form,
            "n_draws": self.n_draws,
            "seed": self.seed,
            "frontier_developers": list(self.frontier_developers),
            "parameters": self.parameter_table().to_dict(orient="records"),
            "observed_counts": self.observed_counts.to_dict(orient="records"),
            "listed_counts": self.listed_counts.to_dict(orient="records"),
            "recording": self.recording.table(),
            "assumptions": self.assumptions.to_dict(),
            "diagnostics": dict(self.diagnostics),
        }


def _observed_counts(x: np.ndarray, year: np.ndarray, years: tuple[int, ...]) -> pd.DataFrame:
    table: dict[str, Any] = {"year": np.asarray(years)}
    for thr in SUMMARY_LOG10_THRESHOLDS:
        table[f"ge_1e{thr:g}"] = np.array([np.sum((year == y) & (x >= thr)) for y in years])
    return pd.DataFrame(table)


def _listed_counts(
    rows: pd.DataFrame, years: tuple[int, ...], exposure: Mapping[int, float]
) -> pd.DataFrame:
    census = rows[rows["census"]]
    recorded = np.isfinite(census["log10_flop"].to_numpy(float))
    out = []
    for y in years:
        in_year = census["year"].to_numpy(int) == y
        verdict = census["verdict"][in_year & ~recorded]
        out.append(
            {
                "year": int(y),
                "exposure": float(exposure.get(y, 1.0)),
                "listed": int(in_year.sum()),
                "recorded": int((in_year & recorded).sum()),
                **{f"verdict_{v.split('_')[0]}": int((verdict == v).sum()) for v in VERDICTS},
            }
        )
    return pd.DataFrame(out)


def _read_only(values: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(values, dtype=float)
    out.flags.writeable = False
    return out


def _read_only_int(values: np.ndarray) -> np.ndarray:
    out = np.array(values, dtype=np.int64)
    out.flags.writeable = False
    return out


def fit_world(
    models: pd.DataFrame | None = None,
    *,
    assumptions: WorldAssumptions | None = None,
    n_draws: int = 4000,
    seed: int = 0,
) -> WorldFit:
    """Fit the count, recording, cost, tier and open-weights models to Epoch's records.

    Parameters
    ----------
    models
        The models table (``pd.read_csv("data/models.csv")`` or ``Evidence.models``);
        defaults to ``models.csv`` in :func:`riskmodel.evidence.loaders.default_data_dir`
        (``$RISKMODEL_DATA_DIR`` or ``<repository>/data``). Only Epoch base runs (rows on
        an Epoch list, without a base model) of the fit years are used.
    assumptions
        World assumptions; defaults to :func:`load_world_assumptions`.
    n_draws
        Number of parameter draws (>= 1).
    seed
        Seed of the draws.

    Returns
    -------
    WorldFit

    Raises
    ------
    EvidenceError
        The table lacks a column, holds Epoch rows on or after the data vintage, or an
        unknown verdict.
    RiskmodelError
        A model cannot be fitted (too few rows, no interior maximum).
    """
    if n_draws < 1:
        raise RiskmodelError(f"n_draws must be >= 1, got {n_draws}")
    assumptions = assumptions if assumptions is not None else load_world_assumptions()
    if models is None:
        models = pd.read_csv(default_data_dir() / "models.csv")
    if assumptions.floor_log10_flop != CENSUS_FLOOR_LOG10_FLOP:
        raise ConfigError(
            f"count_model.floor_log10_flop must be {CENSUS_FLOOR_LOG10_FLOP:g} (the census "
            f"floor), got {assumptions.floor_log10_flop:g}"
        )
    years, exposure = fit_years(assumptions.data_vintage)
    rows = epoch_rows(models, assumptions)
    floor = assumptions.floor_log10_flop
    aliases = assumptions.organization_aliases
    frontier, scores = rank_frontier(
        rows,
        aliases,
        assumptions.n_frontier_developers,
        assumptions.frontier_log10_flop,
        assumptions.verdict_p_above,
    )
    runs = census_runs(rows, frontier, aliases)
    census_rows = rows[rows["census"]]
    fits: dict[str, CensusFit] = {
        form: fit_census_model(
            runs, years=years, floor_log10_flop=floor, form=form, exposure=exposure
        )
        for form in COUNT_FORMS
    }
    census_fit = fits[assumptions.count_form]
    recorded = runs.recorded
    x = runs.log10_flop[recorded]
    year = runs.year[recorded]
    recorded_only = {
        form: fit_count_model(
            x, year, years=years, floor_log10_flop=floor, form=form, exposure=exposure
        )
        for form in COUNT_FORMS
    }
    recording = fit_recording(runs, years=years, pool_years=assumptions.recording_pool_years)

    # Cost per FLOP: base runs of the fit years with a cost and an estimate (notable list).
    with_flop = rows[np.isfinite(rows["log10_flop"])]
    costed = with_flop[pd.to_numeric(with_flop["training_cost_usd"], errors="coerce") > 0]
    cost_usd = costed["training_cost_usd"].to_numpy(float)
    cost_y = np.log10(cost_usd) - costed["log10_flop"].to_numpy(float)
    cost_fit = fit_cost(costed["t"].to_numpy(float) - REFERENCE_YEAR, cost_y)

    estimates = census_fit.estimates()
    drift = float(estimates["mu"]) if census_fit.form == "curved" else 0.0
    rng = np.random.default_rng(seed)
    draws: dict[str, np.ndarray] = {}
    draws.update(census_fit.draws(n_draws, rng))
    draws.update(cost_fit.draws(n_draws, rng))
    shares = np.stack([recording.draws(y, n_draws, rng) for y in (*years, years[-1] + 1)], axis=1)

    # Alternative tier and open-weights designs, on the runs with an estimate (diagnostic).
    sel = recorded & (np.where(recorded, runs.log10_flop, -np.inf) >= floor)
    u = runs.log10_flop[sel] - REFERENCE_LOG10_FLOP
    tau = runs.time[sel] - REFERENCE_YEAR
    ones = np.ones_like(u)
    relative = u - drift * tau
    tier_y = runs.frontier[sel].astype(float)
    open_y = runs.open_weights[sel].astype(float)
    tier_aic = logistic_aic(
        {
            "relative": [ones, relative],
            "absolute": [ones, u],
            "relative_and_year": [ones, relative, tau],
        },
        tier_y,
        "developer-tier model",
    )
    open_aic = logistic_aic(
        {
            "relative": [ones, tier_y, relative],
            "absolute_and_year": [ones, tier_y, u, tau],
        },
        open_y,
        "open-weights model",
    )

    estimates.update(
        cost_a=float(cost_fit.coef[0]),
        cost_b=float(cost_fit.coef[1]),
        cost_s=math.sqrt(cost_fit.s2),
    )
    lr = 2.0 * (fits["curved"].log_likelihood - fits["loglinear"].log_likelihood)
    lr_recorded = 2.0 * (
        recorded_only["curved"].log_likelihood - recorded_only["loglinear"].log_likelihood
    )
    diagnostics = {
        "n_census_runs": float(len(runs.year)),
        "n_count_runs": float(census_fit.n_recorded),
        "n_unrecorded_runs": float(census_fit.n_unrecorded),
        "n_verdict_runs": float(sum(v is not None for v in census_rows["verdict"])),
        "n_reviewed_without_verdict_runs": float(
            census_fit.n_verdicts - sum(v is not None for v in census_rows["verdict"])
        ),
        "n_below_floor_dropped": float(
            np.sum(rows["large_scale"] & np.isfinite(rows["log10_flop"]) & ~rows["census"])
        ),
        "n_cost_rows": float(cost_y.size),
        "cost_first_year": float(costed["year"].min()),
        "cost_last_year": float(costed["year"].max()),
        "n_frontier_runs": float(runs.frontier.sum()),
        "n_open_runs": float(runs.open_weights.sum()),
        "n_language_runs": float(runs.language.sum()),
        "loglik_curved": fits["curved"].log_likelihood,
        "loglik_loglinear": fits["loglinear"].log_likelihood,
        "aic_curved": fits["curved"].aic,
        "aic_loglinear": fits["loglinear"].aic,
        "lr_curved_vs_loglinear": lr,
        "lr_p_value": float(stats.chi2.sf(lr, df=2)),
        "loglinear_alpha": fits["loglinear"].estimates()["alpha"],
        "loglinear_beta": fits["loglinear"].estimates()["beta"],
        "loglinear_gamma": fits["loglinear"].estimates()["gamma"],
        "recorded_only_lr_curved_vs_loglinear": lr_recorded,
        **{
            f"recorded_only_{name}": value
            for name, value in recorded_only[assumptions.count_form].estimates().items()
        },
        **{f"tier_aic_{name}": value for name, value in tier_aic.items()},
        **{f"open_aic_{name}": value for name, value in open_aic.items()},
        **{f"frontier_score_{name}": value for name, value in scores.items() if value > 0},
    }
    return WorldFit(
        count_form=assumptions.count_form,
        **{name: _read_only(draws[name]) for name in PARAMETER_UNITS},
        estimates=estimates,
        frontier_drift=drift,
        assumptions=assumptions,
        frontier_developers=frontier,
        observed_counts=_observed_counts(x, year, years),
        listed_counts=_listed_counts(rows, years, exposure),
        data_log10_flop=_read_only(x),
        data_year=_read_only_int(year),
        census=runs,
        recording=recording,
        recording_draws=_read_only(shares),
        data_vintage=assumptions.data_vintage,
        fit_years=(years[0], years[-1]),
        exposure={int(y): float(exposure.get(y, 1.0)) for y in years},
        n_draws=int(n_draws),
        seed=int(seed),
        diagnostics=diagnostics,
    )
