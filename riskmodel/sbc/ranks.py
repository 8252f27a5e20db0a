"""Generic pieces of simulation-based calibration (SBC): ranks and their uniformity checks.

SBC (Talts et al. 2018, arXiv 1804.06788) checks that a model's posterior computation is
self-consistent: draw parameters from the prior, simulate a data set from them, fit the
model to it and record the *rank* of each true value among ``L`` (thinned) posterior
draws. If the simulator, the model and the sampler agree, every rank is uniform on
``0..L``. A rank histogram that is U-shaped means an over-confident posterior, a hump
means an under-confident one, and a slope means bias.

This module knows no model (numpy, scipy and pandas; no PyMC). It holds
:func:`rank_statistics`, the two uniformity checks (:func:`chi_square_uniformity` over
rank bins and :func:`ecdf_uniformity`, the simultaneous ECDF band test of Säilynoja,
Bürkner & Vehtari 2022, arXiv 2103.10522, computed by simulation), :func:`summarize_ranks`,
the result type :class:`SBCResult` and the settings shared by every SBC run.

Conventions: a *rank* is the number of thinned posterior draws strictly below the true
value (an integer in ``0..L``). Its *fractional rank* ECDF is evaluated at
``z_k = k / (L + 1)``, ``k = 0..L+1``, as the fraction of ranks below ``k``; under
calibration ``N * ECDF(z_k) ~ Binomial(N, z_k)`` exactly for ``N`` replications.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from scipy import special, stats

from riskmodel.errors import RiskmodelError

__all__ = [
    "SBC_REPLICATIONS",
    "RANK_BINS",
    "ECDF_BAND_PROB",
    "ECDF_SIMULATIONS",
    "ECDF_SEED",
    "FAMILY_ALPHA",
    "SBC_CONCURRENT_FITS",
    "EcdfTest",
    "SBCResult",
    "rank_statistics",
    "chi_square_uniformity",
    "ecdf_band",
    "ecdf_uniformity",
    "ecdf_difference",
    "summarize_ranks",
]

# --- settings of the checks ------------------------------------------------------

#: Simulated data sets per SBC run (the issue asks for at least 100).
SBC_REPLICATIONS = 100
#: Bins of the chi-square test of the ranks: with 100 replications, 10 expected per bin.
RANK_BINS = 10
#: Simultaneous coverage of the ECDF band drawn in the figures.
ECDF_BAND_PROB = 0.95
#: Uniform samples simulated for the ECDF band and its p-value (Monte Carlo resolution
#: of the p-value: 1 / (ECDF_SIMULATIONS + 1), well below the per-test threshold).
ECDF_SIMULATIONS = 20_000
#: Seed of those simulations (the band depends only on N, L and this seed).
ECDF_SEED = 20220101
#: Family-wise level of an SBC run: a quantity fails when either of its two p-values is
#: below ``FAMILY_ALPHA / (2 * number of quantities)`` (Bonferroni over quantities and
#: the two tests). Lenient on purpose: 100 replications give a noisy rank histogram, and
#: a false alarm must be rare in CI; gross miscalibration (an over-confident or biased
#: posterior, a wrong prior scale) still gives p-values far below it (tests show it).
FAMILY_ALPHA = 0.01
#: Fits sampled at the same time, one chain (thread) each: the two cores of the CI
#: machine. Each replication has its own seed, so the results do not depend on it.
SBC_CONCURRENT_FITS = 2


# --- generic pieces ------------------------------------------------------------------


def rank_statistics(truth: np.ndarray, draws: np.ndarray, *, thin: int = 1) -> np.ndarray:
    """Rank of each true value among its replication's thinned posterior draws.

    Parameters
    ----------
    truth
        True values, shape (replication,).
    draws
        Posterior draws, shape (replication, draw), in sampling order (one chain, or
        chains concatenated).
    thin
        Keep every ``thin``-th draw (``draws[:, ::thin]``) so that the ranked draws are
        nearly independent.

    Returns
    -------
    numpy.ndarray
        int, shape (replication,): the number of kept draws strictly below the truth, in
        ``0..L`` with ``L = ceil(draw / thin)``. Continuous parameters have no ties.
    """
    truth = np.asarray(truth, dtype=float)
    draws = np.asarray(draws, dtype=float)
    if draws.ndim != 2 or truth.shape != draws.shape[:1]:
        raise RiskmodelError(
            f"rank_statistics needs truth (replication,) and draws (replication, draw); got "
            f"{truth.shape} and {draws.shape}"
        )
    if thin < 1:
        raise RiskmodelError(f"thin must be >= 1, got {thin}")
    kept = draws[:, ::thin]
    return np.sum(kept < truth[:, None], axis=1).astype(int)


def _check_ranks(ranks: np.ndarray, n_draws: int) -> np.ndarray:
    ranks = np.asarray(ranks)
    if ranks.ndim != 1 or ranks.size == 0:
        raise RiskmodelError("ranks must be a non-empty 1-d array")
    if np.any((ranks < 0) | (ranks > n_draws)) or not np.all(ranks == np.round(ranks)):
        raise RiskmodelError(f"ranks must be integers in 0..{n_draws}")
    return ranks.astype(int)


def chi_square_uniformity(ranks: np.ndarray, n_draws: int, *, n_bins: int = RANK_BINS) -> float:
    """Chi-square p-value of the ranks' histogram against the discrete uniform.

    Parameters
    ----------
    ranks
        Ranks in ``0..n_draws``, shape (replication,).
    n_draws
        ``L``, the number of ranked posterior draws.
    n_bins
        Rank ``r`` falls in bin ``floor(r * n_bins / (L + 1))``; the expected counts use
        each bin's exact share of the ``L + 1`` ranks, so ``L + 1`` need not be a
        multiple of ``n_bins``.

    Returns
    -------
    float
        p-value (``n_bins - 1`` degrees of freedom).
    """
    ranks = _check_ranks(ranks, n_draws)
    if not 2 <= n_bins <= n_draws + 1:
        raise RiskmodelError(f"n_bins must be in 2..{n_draws + 1}, got {n_bins}")
    bins = ranks * n_bins // (n_draws + 1)
    counts = np.bincount(bins, minlength=n_bins)
    share = np.bincount(np.arange(n_draws + 1) * n_bins // (n_draws + 1), minlength=n_bins)
    expected = ranks.size * share / (n_draws + 1)
    return float(stats.chisquare(counts, expected).pvalue)


def ecdf_difference(ranks: np.ndarray, n_draws: int) -> tuple[np.ndarray, np.ndarray]:
    """ECDF of the fractional ranks minus the uniform CDF.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        ``z_k = k / (L + 1)`` for ``k = 0..L+1`` and ``ECDF(z_k) - z_k``, where
        ``ECDF(z_k)`` is the fraction of ranks below ``k``; both shape (L + 2,), 0 at
        both ends.
    """
    ranks = _check_ranks(ranks, n_draws)
    z = np.arange(n_draws + 2) / (n_draws + 1)
    below = np.concatenate([[0], np.cumsum(np.bincount(ranks, minlength=n_draws + 1))])
    return z, below / ranks.size - z


@lru_cache(maxsize=32)
def _tail_table(n: int, n_draws: int) -> np.ndarray:
    """Two-sided pointwise tail probabilities, shape (L, n + 1).

    Entry ``[k - 1, c]`` is ``2 * min(P(X <= c), P(X >= c))`` (capped at 1) for
    ``X ~ Binomial(n, k / (L + 1))``, ``k = 1..L``.
    """
    z = np.arange(1, n_draws + 1)[:, None] / (n_draws + 1)
    c = np.arange(n + 1)[None, :]
    at_most = special.bdtr(c, n, z)
    at_least = np.where(c > 0, special.bdtrc(np.maximum(c - 1, 0), n, z), 1.0)
    table = np.minimum(1.0, 2.0 * np.minimum(at_most, at_least))
    table.flags.writeable = False
    return table


def _min_tail_probability(counts: np.ndarray, n: int, n_draws: int) -> np.ndarray:
    """Smallest two-sided tail probability of ``counts`` (..., L) of ranks below k."""
    return _tail_table(n, n_draws)[np.arange(n_draws), counts].min(axis=-1)


@lru_cache(maxsize=32)
def _null_statistics(n: int, n_draws: int, n_simulations: int, seed: int) -> np.ndarray:
    """Statistic of :func:`ecdf_uniformity` for ``n_simulations`` uniform rank samples."""
    rng = np.random.default_rng(seed)
    out = np.empty(n_simulations)
    chunk = 5000
    for start in range(0, n_simulations, chunk):
        size = min(chunk, n_simulations - start)
        ranks = rng.integers(0, n_draws + 1, size=(size, n))
        flat = (ranks + (n_draws + 1) * np.arange(size)[:, None]).ravel()
        hist = np.bincount(flat, minlength=size * (n_draws + 1)).reshape(size, n_draws + 1)
        counts = np.cumsum(hist, axis=1)[:, :-1]  # ranks below k, k = 1..L
        out[start : start + size] = _min_tail_probability(counts, n, n_draws)
    out.flags.writeable = False
    return out


@dataclass(frozen=True)
class EcdfTest:
    """The simultaneous ECDF band test of one quantity.

    Attributes
    ----------
    p_value
        Monte Carlo p-value: the share of uniform samples whose ECDF strays at least as
        far (smallest pointwise two-sided binomial tail probability at most the observed
        one), ``(1 + count) / (1 + simulations)``.
    statistic
        The observed smallest pointwise two-sided tail probability.
    """

    p_value: float
    statistic: float


def ecdf_uniformity(
    ranks: np.ndarray,
    n_draws: int,
    *,
    n_simulations: int = ECDF_SIMULATIONS,
    seed: int = ECDF_SEED,
) -> EcdfTest:
    """Simultaneous ECDF test of rank uniformity (Säilynoja, Bürkner & Vehtari 2022).

    At every ``z_k = k / (L + 1)``, ``k = 1..L``, the count of ranks below ``k`` is
    Binomial(N, z_k) under uniformity. The statistic is the smallest two-sided pointwise
    tail probability over all ``k``; its null distribution is simulated from uniform
    ranks. Rejecting at level ``a`` is the same as the ECDF leaving the simultaneous
    ``1 - a`` band of :func:`ecdf_band` (up to the discreteness of the counts).

    Parameters
    ----------
    ranks
        Ranks in ``0..n_draws``, shape (replication,).
    n_draws
        ``L``.
    n_simulations, seed
        Size and seed of the simulated null distribution.

    Returns
    -------
    EcdfTest
    """
    ranks = _check_ranks(ranks, n_draws)
    n = ranks.size
    counts = np.cumsum(np.bincount(ranks, minlength=n_draws + 1))[:-1]
    observed = float(_min_tail_probability(counts, n, n_draws))
    null = _null_statistics(n, n_draws, n_simulations, seed)
    p = (1 + np.count_nonzero(null <= observed)) / (1 + n_simulations)
    return EcdfTest(p_value=float(p), statistic=observed)


def ecdf_band(
    n: int,
    n_draws: int,
    *,
    prob: float = ECDF_BAND_PROB,
    n_simulations: int = ECDF_SIMULATIONS,
    seed: int = ECDF_SEED,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simultaneous ``prob`` band of the ECDF difference of ``n`` uniform ranks.

    The pointwise level ``gamma`` is the ``1 - prob`` quantile of the simulated null
    statistic of :func:`ecdf_uniformity` (Säilynoja et al. 2022, simulation method);
    the band is the pointwise binomial ``gamma / 2`` and ``1 - gamma / 2`` quantiles.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray, numpy.ndarray)
        ``z`` (L + 2,), lower and upper limits of ``ECDF(z) - z``, same shape.
    """
    if not 0.0 < prob < 1.0:
        raise RiskmodelError(f"prob must be in (0, 1), got {prob}")
    null = _null_statistics(n, n_draws, n_simulations, seed)
    gamma = float(np.quantile(null, 1.0 - prob))
    z = np.arange(n_draws + 2) / (n_draws + 1)
    lower = stats.binom.ppf(gamma / 2, n, z) / n
    upper = stats.binom.ppf(1 - gamma / 2, n, z) / n
    lower[[0, -1]] = z[[0, -1]]
    upper[[0, -1]] = z[[0, -1]]
    return z, lower - z, upper - z


@dataclass(frozen=True)
class SBCResult:
    """Ranks of an SBC run and their uniformity checks.

    Attributes
    ----------
    ranks
        Quantity name (e.g. ``difficulty[mmlu]``) -> ranks, int, shape (replication,),
        in ``0..n_draws``.
    n_draws
        ``L``, ranked (thinned) posterior draws per replication.
    chi2_p
        Quantity -> chi-square p-value of :data:`n_bins` rank bins.
    ecdf_p
        Quantity -> p-value of the simultaneous ECDF test (:func:`ecdf_uniformity`).
    n_bins
        Bins of the chi-square test.
    alpha
        Family-wise level; see :attr:`threshold`.
    settings
        How the run was made (replications, draws, tune, thin, seed, sampler, design).
    divergences
        Divergent transitions per replication, shape (replication,).
    ess
        Quantity -> bulk ESS of its post-warmup draws per replication (empty if not
        computed).
    seconds
        Wall time of the run.
    """

    ranks: dict[str, np.ndarray]
    n_draws: int
    chi2_p: dict[str, float]
    ecdf_p: dict[str, float]
    n_bins: int
    alpha: float = FAMILY_ALPHA
    settings: dict[str, Any] = field(default_factory=dict)
    divergences: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    ess: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def n_replications(self) -> int:
        """Number of simulated data sets."""
        return len(next(iter(self.ranks.values())))

    @property
    def threshold(self) -> float:
        """Per-test level: ``alpha / (2 * number of quantities)`` (Bonferroni)."""
        return self.alpha / (2 * len(self.ranks))

    @property
    def passed(self) -> dict[str, bool]:
        """Quantity -> whether both its p-values exceed :attr:`threshold`."""
        return {
            name: min(self.chi2_p[name], self.ecdf_p[name]) > self.threshold for name in self.ranks
        }

    @property
    def all_passed(self) -> bool:
        """Whether every quantity passes."""
        return all(self.passed.values())

    def table(self) -> pd.DataFrame:
        """One row per quantity: p-values, pass, mean fractional rank, median ESS.

        ``mean_rank`` is the mean of ``rank / L`` (0.5 under calibration; below 0.5: the
        posterior sits above the truth on average).
        """
        rows = []
        for name, ranks in self.ranks.items():
            ess = self.ess.get(name)
            rows.append(
                {
                    "quantity": name,
                    "chi2_p": self.chi2_p[name],
                    "ecdf_p": self.ecdf_p[name],
                    "passed": self.passed[name],
                    "mean_rank": float(np.mean(ranks) / self.n_draws),
                    "median_ess": float(np.median(ess)) if ess is not None else np.nan,
                }
            )
        return pd.DataFrame(rows).set_index("quantity")


def summarize_ranks(
    ranks: Mapping[str, np.ndarray],
    n_draws: int,
    *,
    n_bins: int = RANK_BINS,
    alpha: float = FAMILY_ALPHA,
    settings: Mapping[str, Any] | None = None,
    divergences: np.ndarray | None = None,
    ess: Mapping[str, np.ndarray] | None = None,
    seconds: float = 0.0,
) -> SBCResult:
    """Run both uniformity checks on every quantity's ranks.

    Parameters
    ----------
    ranks
        Quantity -> ranks in ``0..n_draws``, shape (replication,), all the same length.
    n_draws
        ``L``.
    n_bins, alpha
        See :func:`chi_square_uniformity` and :class:`SBCResult`.
    settings, divergences, ess, seconds
        Stored in the result as they are.

    Returns
    -------
    SBCResult
    """
    if not ranks:
        raise RiskmodelError("no ranks to summarize")
    checked = {name: _check_ranks(r, n_draws) for name, r in ranks.items()}
    if len({r.size for r in checked.values()}) != 1:
        raise RiskmodelError("every quantity needs the same number of replications")
    return SBCResult(
        ranks=checked,
        n_draws=n_draws,
        chi2_p={n: chi_square_uniformity(r, n_draws, n_bins=n_bins) for n, r in checked.items()},
        ecdf_p={n: ecdf_uniformity(r, n_draws).p_value for n, r in checked.items()},
        n_bins=n_bins,
        alpha=alpha,
        settings=dict(settings or {}),
        divergences=np.asarray(divergences if divergences is not None else [], dtype=int),
        ess={k: np.asarray(v, dtype=float) for k, v in (ess or {}).items()},
        seconds=seconds,
    )
