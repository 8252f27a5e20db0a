"""Sample the simulated population of training runs from a fitted world.

:func:`sample_population` turns a :class:`~riskmodel.world.fit.WorldFit` into a
:class:`~riskmodel.world.population.Population`: simulated world ``d`` uses parameter
draw ``draw_index[d]``, so parameter uncertainty and Poisson noise both enter.

Per world and calendar year
---------------------------
1. **Base runs.** The number above the floor is Poisson with the world intensity
   integrated over log10 FLOP (see :mod:`riskmodel.world.fit`). With the curved count
   model and ``sub_frontier = "hold_peak"`` the intensity has two pieces: compute levels
   the frontier has not yet passed follow the fitted (census) intensity, a normal shape
   truncated below; levels it has passed keep their peak intensity, which is log-linear
   in log10 FLOP (a truncated exponential). Release times are uniform within the year.
2. **Cost** (2023 USD): ``log10 cost = log10 FLOP + a + b * tau + s * z`` with ``tau`` the
   decimal release year minus 2024 and ``z`` standard normal.
3. **Tier and developer.** Frontier with the fitted logistic probability; a frontier run
   gets developer id ``0 .. F - 1`` uniformly, another run a developer ``F .. F + P - 1``
   from a Zipf law (``P`` and its exponent are assumptions).
4. **Open weights** with the fitted logistic probability (tier, FLOP above the frontier
   path).
5. **Loophole attempts.** Each would-be base run at or above ``loopholes.min_log10_flop``
   is, with probability ``loopholes.share``, declared a derivative of an earlier base
   run of the same world whose FLOP is at most ``1 / min_flop_multiple`` of its own and
   which the developer can modify (open weights, or its own model): the row keeps its
   own compute and cost as the *extra* compute of a derivative and is flagged
   ``loophole_attempt``. The parent is drawn uniformly among earlier runs of the world,
   up to :data:`LOOPHOLE_PARENT_TRIES` times; a run without a suitable parent stays a
   base run (a few in the first simulated year).
6. **Derivatives.** Each remaining base run spawns Poisson(mean) derivatives (mean by
   openness, an assumption) released an exponential lag later, by a developer other than
   the parent's (frontier with ``derivatives.frontier_share``), with extra compute a
   lognormal fraction of the parent's FLOP and extra cost the same fraction of the
   parent's cost. Derivatives released after the last simulated year (or in a year not
   simulated) are dropped; base runs before the first simulated year have none.

Rows are grouped by world, ordered by release time within a world, parents before
children. Everything is vectorised over runs; the only Python loops are over years and
over loophole-parent tries.

Size and speed (shipped assumptions, ``fit_world()`` defaults, 1,000 worlds)
-----------------------------------------------------------------------------
Expected base runs per world and year, 2025..2030 (mean over parameter draws): 228, 301,
382, 470, 567, 675 (90% range in 2030: 437-1021). About 8, 33, 89, 171, 264, 369 of them
are at or above 1e26 FLOP. The census is Epoch's large-scale list (with the runs that
lack a compute estimate), which holds 2-3x the notable list's runs between 1e23 and
1e25, so a world has ~3x the rows of the 2025-02 fit: with derivatives and loophole rows
401, 668, 893, 1136, 1397, 1689 rows in 2025..2030, so 1,000 worlds x 2025..2030 hold
~6.2 million rows: ~350 MiB of arrays, ~1.6 GiB more peak resident memory while
generating, 6-9 s on 2 cores.

Counts
------
``predictive_counts`` gives, per year and threshold, the predictive count of runs that
*happened* (the world intensity above), of runs *listed* on Epoch's large-scale list (the
fitted intensity) or of runs Epoch *records* with a compute estimate (the fitted intensity
times the recorded fraction; the default), all from one joint draw
(:func:`predictive_count_draws`: recorded <= listed <= happened in every draw; the
relation is in :mod:`riskmodel.world.fit`). The recorded count backs the command
``riskmodel population`` and the in-sample check ``calibration_table`` (the partial last
fitted year at its exposure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

from riskmodel.errors import RiskmodelError
from riskmodel.world.census import CensusRuns, GroupParams, recorded_fraction
from riskmodel.world.fit import (
    REFERENCE_LOG10_FLOP,
    REFERENCE_YEAR,
    CountParams,
    WorldFit,
)
from riskmodel.world.population import Population

__all__ = [
    "LOOPHOLE_PARENT_TRIES",
    "BASES",
    "sample_population",
    "expected_base_runs",
    "predictive_count_draws",
    "predictive_counts",
    "calibration_table",
    "recording_share_table",
    "simulate_recorded_runs",
    "simulate_census",
]

#: Attempts at drawing a suitable declared parent for a loophole run (each attempt
#: succeeds with probability ~0.3-0.6, so nearly every attempt finds one).
LOOPHOLE_PARENT_TRIES = 32
#: Central interval reported by :func:`predictive_counts` (probabilities).
INTERVAL = (0.05, 0.95)


def _check_years(years: Sequence[int]) -> tuple[int, ...]:
    out = tuple(sorted({int(y) for y in years}))
    if not out:
        raise RiskmodelError("years must name at least one calendar year")
    return out


def _pieces(
    params: CountParams, year: int, floor: float, sub_frontier: str
) -> dict[str, np.ndarray]:
    """Expected runs and shape parameters of the world intensity in ``year``.

    Returns
    -------
    dict
        Arrays of the draws' shape: ``held_mean``, ``held_lo``, ``held_hi``,
        ``held_slope`` (truncated exponential piece, u in dex from 1e25, slope per dex),
        ``tail_mean``, ``tail_lo`` and, for the curved form, ``tail_centre`` and
        ``tail_sd`` (dex), for the log-linear form ``tail_rate`` (per dex).
    """
    shape = np.shape(params.alpha)
    u_floor = np.full(shape, floor - REFERENCE_LOG10_FLOP)
    tau = float(year - REFERENCE_YEAR)
    zeros = np.zeros(shape)
    out = {"held_mean": zeros, "held_lo": u_floor, "held_hi": u_floor, "held_slope": zeros}
    tail_lo = u_floor
    if params.form == "curved" and sub_frontier == "hold_peak":
        valid = params.delta * params.mu > 0
        safe_mu = np.where(valid, params.mu, 1.0)
        safe = CountParams(
            params.form, params.alpha, params.beta, params.gamma, params.delta, safe_mu
        )
        boundary = np.where(valid, safe.held_boundary(tau), -np.inf)
        hi = np.maximum(u_floor, boundary)
        slope = np.where(valid, params.beta / safe_mu - params.gamma, 0.0)
        width = hi - u_floor
        # Integral of the held density over [u_floor, hi] from its denser end, so nothing
        # overflows: peak density * (1 - exp(-|slope| * width)) / |slope|.
        densest = np.where(slope > 0, hi, u_floor)
        log_peak = safe.held_log_density(densest)
        held_mean = np.where(
            valid, np.exp(log_peak) * width * special.exprel(-np.abs(slope) * width), 0.0
        )
        out = {"held_mean": held_mean, "held_lo": u_floor, "held_hi": hi, "held_slope": slope}
        tail_lo = hi
    out["tail_lo"] = tail_lo
    out["tail_mean"] = np.exp(params.log_count_above(tail_lo + REFERENCE_LOG10_FLOP, year))
    if params.form == "curved":
        out["tail_centre"] = np.broadcast_to(params.centre(tau), shape)
        out["tail_sd"] = np.broadcast_to(1.0 / np.sqrt(params.delta), shape)
    else:
        out["tail_rate"] = np.broadcast_to(params.gamma, shape)
    return out


def _sample_truncated_exponential(
    lo: np.ndarray, hi: np.ndarray, slope: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Draws with density proportional to ``exp(slope * u)`` on ``[lo, hi]``."""
    rate = np.maximum(np.abs(slope), 1e-300)
    width = hi - lo
    v = rng.random(lo.shape)
    distance = -np.log1p(v * np.expm1(-rate * width)) / rate
    return np.where(slope > 0, hi - distance, lo + distance)


def _sample_truncated_normal(
    lo: np.ndarray, centre: np.ndarray, sd: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Normal(centre, sd) draws truncated to ``[lo, inf)`` (inverse CDF in log space)."""
    a = (lo - centre) / sd
    log_u = np.log1p(-rng.random(lo.shape))
    z = -special.ndtri_exp(log_u + special.log_ndtr(-a))
    return centre + sd * np.maximum(z, a)


def _base_log10_flop(
    world: WorldFit,
    params: CountParams,
    years: tuple[int, ...],
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Base runs of every world: (world index, year index, log10 FLOP), shape (n,)."""
    floor = world.assumptions.floor_log10_flop
    per_year = [_pieces(params, y, floor, world.assumptions.sub_frontier) for y in years]
    n_worlds, n_years = np.shape(params.alpha)[0], len(years)

    def stack(key: str) -> np.ndarray:
        return np.stack([p[key] for p in per_year], axis=1).ravel()

    held_n = rng.poisson(stack("held_mean"))
    tail_n = rng.poisson(stack("tail_mean"))
    held_cell = np.repeat(np.arange(n_worlds * n_years), held_n)
    tail_cell = np.repeat(np.arange(n_worlds * n_years), tail_n)
    u_held = _sample_truncated_exponential(
        stack("held_lo")[held_cell],
        stack("held_hi")[held_cell],
        stack("held_slope")[held_cell],
        rng,
    )
    if params.form == "curved":
        u_tail = _sample_truncated_normal(
            stack("tail_lo")[tail_cell],
            stack("tail_centre")[tail_cell],
            stack("tail_sd")[tail_cell],
            rng,
        )
    else:
        u_tail = (
            stack("tail_lo")[tail_cell]
            + rng.exponential(size=tail_cell.size) / stack("tail_rate")[tail_cell]
        )
    cell = np.concatenate([held_cell, tail_cell])
    u = np.concatenate([u_held, u_tail])
    return cell // n_years, cell % n_years, u + REFERENCE_LOG10_FLOP


def _sort_key(draw: np.ndarray, release: np.ndarray, first_year: int, span: int) -> np.ndarray:
    """A float key ordering rows by (draw, release time) (release in
    ``[first_year, first_year + span)``); rounding is monotone, so ties keep input order
    under a stable sort and never reverse two release times."""
    return draw * float(span) + (release - first_year)


def _other_developers(
    n: int, pool: int, exponent: float, first_id: int, rng: np.random.Generator
) -> np.ndarray:
    """Non-frontier developer ids ``first_id .. first_id + pool - 1`` (Zipf shares)."""
    weights = np.arange(1, pool + 1, dtype=float) ** -exponent
    cdf = np.cumsum(weights)
    pick = np.searchsorted(cdf, rng.random(n) * cdf[-1], side="right")
    return first_id + np.minimum(pick, pool - 1)


def _assign_loopholes(
    draw: np.ndarray,
    release: np.ndarray,
    x: np.ndarray,
    developer: np.ndarray,
    open_weights: np.ndarray,
    world: WorldFit,
    rng: np.random.Generator,
) -> np.ndarray:
    """Declared parent row (or -1) of each base run, rows sorted by (draw, release)."""
    a = world.assumptions
    n = x.size
    parent = np.full(n, -1, dtype=np.int64)
    candidate = (x >= a.loophole_min_log10_flop) & (rng.random(n) < a.loophole_share)
    first_row = np.cumsum(np.bincount(draw)) - np.bincount(draw)
    start = first_row[draw]
    pending = np.flatnonzero(candidate & (np.arange(n) > start))
    max_parent = x - np.log10(a.loophole_min_flop_multiple)
    for _ in range(LOOPHOLE_PARENT_TRIES):
        if pending.size == 0:
            break
        earlier = pending - start[pending]
        j = start[pending] + np.floor(rng.random(pending.size) * earlier).astype(np.int64)
        ok = (
            ~candidate[j]
            & (x[j] <= max_parent[pending])
            & (release[j] < release[pending])
            & (open_weights[j] | (developer[j] == developer[pending]))
        )
        parent[pending[ok]] = j[ok]
        pending = pending[~ok]
    return parent


def sample_population(
    world: WorldFit,
    *,
    draw_index: np.ndarray,
    years: Sequence[int],
    rng: np.random.Generator,
) -> Population:
    """Simulate training runs of ``len(draw_index)`` worlds over ``years``.

    Parameters
    ----------
    world
        Fitted world (:func:`riskmodel.world.fit.fit_world`).
    draw_index
        int array, shape (n_draws,): world ``d`` uses parameter draw ``draw_index[d]``
        (in ``0 .. world.n_draws - 1``; repeats allowed).
    years
        Calendar years to simulate (sorted and de-duplicated).
    rng
        Random generator; the same generator state gives identical populations.

    Returns
    -------
    Population
        Validated; FLOP in log10 FLOP, costs in 2023 USD, release times in decimal years.

    Raises
    ------
    RiskmodelError
        Empty or out-of-range ``draw_index``, or no years.
    """
    index = np.asarray(draw_index)
    if index.ndim != 1 or index.size == 0 or not np.issubdtype(index.dtype, np.integer):
        raise RiskmodelError("draw_index must be a non-empty 1-d integer array")
    if index.min() < 0 or index.max() >= world.n_draws:
        raise RiskmodelError(f"draw_index must lie in 0 .. {world.n_draws - 1}")
    years = _check_years(years)
    a = world.assumptions
    n_frontier = a.n_frontier_developers
    params = world.count_params(index)

    # Base runs.
    w, year_idx, x = _base_log10_flop(world, params, years, rng)
    n = x.size
    year = np.asarray(years, dtype=np.int64)[year_idx]
    release = year + rng.random(n)
    tau = release - REFERENCE_YEAR
    p = index[w]
    log10_cost = (
        x + world.cost_a[p] + world.cost_b[p] * tau + world.cost_s[p] * rng.standard_normal(n)
    )
    relative = x - REFERENCE_LOG10_FLOP - world.frontier_drift * tau
    tier = rng.random(n) < special.expit(world.tier_intercept[p] + world.tier_flop[p] * relative)
    developer = np.where(
        tier,
        rng.integers(0, n_frontier, size=n),
        _other_developers(
            n, a.other_developer_pool, a.other_developer_zipf_exponent, n_frontier, rng
        ),
    )
    open_logit = (
        world.open_intercept[p] + world.open_frontier[p] * tier + world.open_flop[p] * relative
    )
    open_weights = rng.random(n) < special.expit(open_logit)

    span = years[-1] + 1 - years[0]
    order = np.argsort(_sort_key(w, release, years[0], span), kind="stable")
    w, year, release, x, log10_cost = (
        w[order],
        year[order],
        release[order],
        x[order],
        log10_cost[order],
    )
    developer, tier, open_weights = developer[order], tier[order], open_weights[order]
    cost = 10.0**log10_cost
    base_parent = _assign_loopholes(w, release, x, developer, open_weights, world, rng)

    # Derivatives of the remaining base runs.
    spawns = np.where(open_weights, a.derivatives_per_open_base, a.derivatives_per_closed_base)
    k = rng.poisson(np.where(base_parent < 0, spawns, 0.0))
    src = np.repeat(np.arange(n, dtype=np.int64), k)
    d_release = release[src] + rng.exponential(a.derivative_mean_lag_years, size=src.size)
    d_year = np.floor(d_release).astype(np.int64)
    simulated = np.zeros(span + 1, dtype=bool)
    simulated[np.asarray(years) - years[0]] = True
    keep = simulated[np.minimum(d_year - years[0], span)]
    src, d_release, d_year = src[keep], d_release[keep], d_year[keep]
    m = src.size
    fraction = a.derivative_flop_fraction.sample(rng=rng, size=m)
    parent_dev = developer[src]
    parent_frontier = parent_dev < n_frontier
    d_tier = rng.random(m) < a.derivative_frontier_share
    if n_frontier == 1:
        d_tier &= ~parent_frontier
    shift = rng.integers(1, max(n_frontier, 2), size=m)
    frontier_dev = np.where(
        parent_frontier, (parent_dev + shift) % n_frontier, rng.integers(0, n_frontier, size=m)
    )
    other_dev = _other_developers(
        m, a.other_developer_pool, a.other_developer_zipf_exponent, n_frontier, rng
    )
    pool = a.other_developer_pool
    other_dev = np.where(
        other_dev == parent_dev, n_frontier + (other_dev - n_frontier + 1) % pool, other_dev
    )
    d_open_p = np.where(
        open_weights[src], a.derivative_open_if_parent_open, a.derivative_open_if_parent_closed
    )

    # Combine and order: by world, then release time, base runs before derivatives.
    parent_all = np.concatenate([base_parent, src])
    columns = {
        "draw": np.concatenate([w, w[src]]).astype(np.int64),
        "year": np.concatenate([year, d_year]),
        "release_time": np.concatenate([release, d_release]),
        "log10_flop": np.concatenate([x, x[src] + np.log10(fraction)]),
        "cost_usd": np.concatenate([cost, cost[src] * fraction]),
        "developer": np.concatenate([developer, np.where(d_tier, frontier_dev, other_dev)]),
        "frontier_tier": np.concatenate([tier, d_tier]),
        "open_weights": np.concatenate([open_weights, rng.random(m) < d_open_p]),
        "loophole_attempt": np.concatenate([base_parent >= 0, np.zeros(m, dtype=bool)]),
    }
    # Stable sort: base rows precede derivatives in the input, so a parent stays ahead
    # of a derivative released at the same (rounded) time.
    order = np.argsort(
        _sort_key(columns["draw"], columns["release_time"], years[0], span), kind="stable"
    )
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    parent_sorted = parent_all[order]
    parent_new = np.where(parent_sorted >= 0, position[np.maximum(parent_sorted, 0)], -1)
    return Population(
        **{name: values[order] for name, values in columns.items()},
        parent=parent_new.astype(np.int64),
        n_draws=int(index.size),
        years=years,
        n_frontier_developers=int(n_frontier),
    ).validate()


def expected_base_runs(
    world: WorldFit, *, years: Sequence[int], n_draws: int | None = None
) -> pd.DataFrame:
    """Expected base runs per year in the simulated world (world intensity).

    Parameters
    ----------
    world
        Fitted world.
    years
        Calendar years.
    n_draws
        Use the first ``n_draws`` parameter draws (all by default).

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``mean``, ``q05``, ``q95`` (expected runs above the floor per
        year, over parameter draws).
    """
    years = _check_years(years)
    n = world.n_draws if n_draws is None else n_draws
    if not 1 <= n <= world.n_draws:
        raise RiskmodelError(f"n_draws must lie in 1 .. {world.n_draws}, got {n}")
    params = world.count_params(np.arange(n))
    rows = []
    for y in years:
        pieces = _pieces(
            params, y, world.assumptions.floor_log10_flop, world.assumptions.sub_frontier
        )
        total = pieces["held_mean"] + pieces["tail_mean"]
        q05, q95 = np.quantile(total, INTERVAL)
        rows.append({"year": y, "mean": float(total.mean()), "q05": float(q05), "q95": float(q95)})
    return pd.DataFrame(rows)


#: Bases of predictive counts: runs with a compute estimate on Epoch's large-scale list
#: (``recorded``, what Epoch's records show), every run on the list (``listed``), runs of
#: the simulated world (``happened``; see :mod:`riskmodel.world.fit`).
BASES = ("recorded", "listed", "happened")
#: Quadrature step (dex) of the recorded fraction over log10 FLOP.
QUADRATURE_STEP = 0.05
#: Width (dex) of the quadrature above the highest threshold; beyond it the recorded
#: fraction is held at its value there (group shares are flat far above the frontier).
QUADRATURE_TOP_DEX = 6.0


def _held_count_above(
    params: CountParams, u_thr: np.ndarray, pieces: dict[str, np.ndarray]
) -> np.ndarray:
    """Expected runs of the held piece (hold_peak) at or above ``u_thr`` (dex from 1e25)."""
    lo, hi, slope = pieces["held_lo"], pieces["held_hi"], pieces["held_slope"]
    valid = pieces["held_mean"] > 0
    a = np.clip(u_thr, lo, hi)
    width = hi - a
    safe_mu = np.where(valid, params.mu, 1.0)
    safe = CountParams(params.form, params.alpha, params.beta, params.gamma, params.delta, safe_mu)
    densest = np.where(slope > 0, hi, a)
    with np.errstate(over="ignore", invalid="ignore"):
        value = (
            np.exp(safe.held_log_density(densest)) * width * special.exprel(-np.abs(slope) * width)
        )
    return np.where(valid & (width > 0), value, 0.0)


def _world_count_above(
    params: CountParams, year: int, floor: float, sub_frontier: str, log_thr: np.ndarray
) -> np.ndarray:
    """Expected runs per year of the simulated world at or above each threshold.

    ``params`` holds arrays of shape (n, 1); returns shape (n, n_thresholds).
    """
    pieces = _pieces(params, year, floor, sub_frontier)
    u_thr = log_thr[None, :] - REFERENCE_LOG10_FLOP
    tail_from = np.maximum(u_thr, pieces["tail_lo"])
    tail = np.exp(params.log_count_above(tail_from + REFERENCE_LOG10_FLOP, year))
    return tail + _held_count_above(params, u_thr, pieces)


def _recorded_ratio(
    world: WorldFit, index: np.ndarray, year: int, log_thr: np.ndarray, shares: np.ndarray
) -> np.ndarray:
    """Share of the fitted runs in each threshold bin ``[thr_k, thr_k+1)`` (the last one
    open above) that carry a compute estimate, shape (n, n_thresholds).

    Quadrature of the fitted intensity and of the intensity times the recorded fraction
    ``sum_g P(g | x, t) r_g`` at mid-year; above :data:`QUADRATURE_TOP_DEX` past the
    highest threshold the fraction is held at its value there.
    """
    params = world.count_params(index[:, None])
    groups = world.group_params(index[:, None])
    share = shares[:, None, :]
    t_mid = year + 0.5
    edges = np.append(log_thr, log_thr[-1] + QUADRATURE_TOP_DEX)
    listed = np.empty((index.size, log_thr.size))
    recorded = np.empty_like(listed)
    for k in range(log_thr.size):
        n_nodes = max(2, int(np.ceil((edges[k + 1] - edges[k]) / QUADRATURE_STEP)) + 1)
        x = np.linspace(edges[k], edges[k + 1], n_nodes)
        w = np.zeros(n_nodes)
        w[:-1] += np.diff(x) / 2
        w[1:] += np.diff(x) / 2
        density = np.exp(params.log_density(x[None, :], year))
        fraction = recorded_fraction(groups, share, x[None, :], t_mid)
        listed[:, k] = density @ w
        recorded[:, k] = (density * fraction) @ w
    top = np.full((index.size, 1), edges[-1])
    tail = np.exp(params.log_count_above(top, year))[:, 0]
    listed[:, -1] += tail
    recorded[:, -1] += tail * recorded_fraction(groups, share, top, t_mid)[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(listed > 0, recorded / listed, 0.0)
    return np.clip(ratio, 0.0, 1.0)


def _check_thresholds(world: WorldFit, thresholds: Sequence[float]) -> np.ndarray:
    thr = np.unique(np.asarray(thresholds, dtype=float))
    if thr.size == 0 or np.any(~np.isfinite(thr)) or np.any(thr <= 0):
        raise RiskmodelError("thresholds must be positive FLOP values")
    floor = world.assumptions.floor_log10_flop
    if np.log10(thr[0]) < floor - 1e-12:
        raise RiskmodelError(
            f"threshold {thr[0]:.3g} FLOP is below the model's floor 1e{floor:g} FLOP"
        )
    return thr


def predictive_count_draws(
    world: WorldFit,
    *,
    years: Sequence[int],
    thresholds: Sequence[float],
    n_draws: int = 1000,
    seed: int = 0,
    exposure: Mapping[int, float] | None = None,
) -> dict[str, np.ndarray]:
    """Joint predictive draws of the counts of every basis (see :data:`BASES`).

    Per parameter draw and year the runs of the simulated world in each threshold bin
    are Poisson; the listed runs are a binomial thinning of them (the fitted intensity
    over the world intensity, 1 unless runs below the frontier are held at their peak)
    and the recorded runs a binomial thinning of the listed ones (the recorded fraction),
    so ``recorded <= listed <= happened`` in every draw, bin and threshold.

    Parameters
    ----------
    world
        Fitted world.
    years
        Calendar years.
    thresholds
        Training compute thresholds (FLOP), at or above the floor.
    n_draws
        Parameter draws (with replacement if above ``world.n_draws``); recording shares
        are drawn with the same index.
    seed
        Seed of the draw selection and the Poisson and binomial noise.
    exposure
        Observed share of a year (default 1: whole calendar years); every expected count
        of that year is scaled by it.

    Returns
    -------
    dict
        ``years`` (tuple), ``thresholds`` (FLOP, ascending), and per basis ``<basis>``:
        int counts of shape (n_years, n_draws, n_thresholds) at or above each threshold,
        ``<basis>_mean``: expected counts of the same shape.
    """
    years = _check_years(years)
    thr = _check_thresholds(world, thresholds)
    if n_draws < 1:
        raise RiskmodelError(f"n_draws must be >= 1, got {n_draws}")
    shares_of = dict(exposure or {})
    rng = np.random.default_rng(seed)
    index = rng.choice(world.n_draws, size=n_draws, replace=n_draws > world.n_draws)
    params = world.count_params(index[:, None])
    log_thr = np.log10(thr)
    floor, mode = world.assumptions.floor_log10_flop, world.assumptions.sub_frontier
    out: dict[str, list[np.ndarray]] = {f"{b}{s}": [] for b in BASES for s in ("", "_mean")}

    def bins(cumulative: np.ndarray) -> np.ndarray:
        return np.clip(
            cumulative - np.append(cumulative[:, 1:], 0.0 * cumulative[:, :1], 1), 0, None
        )

    for y in years:
        share = float(shares_of.get(y, 1.0))
        if not 0 < share <= 1:
            raise RiskmodelError(f"exposure of {y} must be a share in (0, 1], got {share}")
        listed_cum = share * np.exp(params.log_count_above(log_thr[None, :], y))
        happened_cum = share * _world_count_above(params, y, floor, mode, log_thr)
        happened_cum = np.maximum(happened_cum, listed_cum)
        ratio = _recorded_ratio(world, index, y, log_thr, world.recording_shares(y, index))
        listed_bin, happened_bin = bins(listed_cum), bins(happened_cum)
        recorded_bin = ratio * listed_bin
        with np.errstate(invalid="ignore", divide="ignore"):
            keep = np.where(happened_bin > 0, np.clip(listed_bin / happened_bin, 0, 1), 0.0)
        n_happened = rng.poisson(happened_bin)
        n_listed = rng.binomial(n_happened, keep)
        n_recorded = rng.binomial(n_listed, ratio)
        for basis, counts, mean_bin in (
            ("happened", n_happened, happened_bin),
            ("listed", n_listed, listed_bin),
            ("recorded", n_recorded, recorded_bin),
        ):
            out[basis].append(np.cumsum(counts[:, ::-1], axis=1)[:, ::-1])
            out[f"{basis}_mean"].append(np.cumsum(mean_bin[:, ::-1], axis=1)[:, ::-1])
    result: dict[str, np.ndarray] = {k: np.stack(v) for k, v in out.items()}
    return {"years": years, "thresholds": thr, **result}


def predictive_counts(
    world: WorldFit,
    *,
    years: Sequence[int],
    thresholds: Sequence[float],
    n_draws: int = 1000,
    seed: int = 0,
    basis: str = "recorded",
    exposure: Mapping[int, float] | None = None,
) -> pd.DataFrame:
    """Predictive counts of base models per year at or above compute thresholds.

    By default the counts are those Epoch's records would show: base runs on its
    large-scale list with a compute estimate (``basis="recorded"``; how they relate to
    the runs that happened is in :mod:`riskmodel.world.fit`). ``"listed"`` counts every
    run on the list, ``"happened"`` every run of the simulated world. Poisson and
    binomial noise given a parameter draw, mixed over ``n_draws`` draws; counts at the
    thresholds are nested within each draw, so a higher threshold never has more.

    Parameters
    ----------
    world
        Fitted world.
    years
        Calendar years.
    thresholds
        Training compute thresholds (FLOP, e.g. ``1e26``), at or above the floor.
    n_draws
        Number of parameter draws (sampled with replacement if above ``world.n_draws``).
    seed
        Seed of the draw selection and the noise.
    basis
        One of :data:`BASES`.
    exposure
        Observed share of a year (default: whole calendar years).

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``threshold`` (FLOP), ``mean`` (expected count),
        ``q05``, ``q50``, ``q95`` (quantiles of the predictive count), one row per
        (year, threshold), thresholds ascending.

    Raises
    ------
    RiskmodelError
        A threshold is not positive or is below the floor, ``n_draws < 1``, or an
        unknown basis.
    """
    if basis not in BASES:
        raise RiskmodelError(f"unknown basis '{basis}'; use one of {', '.join(BASES)}")
    draws = predictive_count_draws(
        world, years=years, thresholds=thresholds, n_draws=n_draws, seed=seed, exposure=exposure
    )
    counts, means = draws[basis], draws[f"{basis}_mean"]
    rows = []
    for i, y in enumerate(draws["years"]):
        quantiles = np.quantile(
            counts[i], [INTERVAL[0], 0.5, INTERVAL[1]], axis=0, method="inverted_cdf"
        )
        for k, t in enumerate(draws["thresholds"]):
            rows.append(
                {
                    "year": int(y),
                    "threshold": float(t),
                    "mean": float(means[i, :, k].mean()),
                    "q05": float(quantiles[0, k]),
                    "q50": float(quantiles[1, k]),
                    "q95": float(quantiles[2, k]),
                }
            )
    return pd.DataFrame(rows)


def calibration_table(
    world: WorldFit,
    *,
    thresholds: Sequence[float] = (1e24, 1e25),
    n_draws: int = 1000,
    seed: int = 0,
    basis: str = "recorded",
) -> pd.DataFrame:
    """In-sample calibration: observed Epoch counts against the predictive interval.

    Every fitted year, the partial last one at its observed share (e.g. 2025 from
    January to August: expected counts times 243/365).

    Parameters
    ----------
    world
        Fitted world.
    thresholds
        Compute thresholds (FLOP).
    n_draws, seed
        As in :func:`predictive_counts`.
    basis
        ``"recorded"``: census runs with a compute estimate at or above each threshold;
        ``"listed"``: every census run (only the floor is a valid threshold, since runs
        without an estimate have no known compute).

    Returns
    -------
    pandas.DataFrame
        One row per (fitted year, threshold): ``year``, ``exposure``, ``threshold``
        (FLOP), ``observed``, ``mean``, ``q05``, ``q95`` (90% predictive interval) and
        ``covered`` (``q05 <= observed <= q95``).

    Raises
    ------
    RiskmodelError
        An unknown basis, or a ``listed`` threshold other than the floor.
    """
    if basis not in ("recorded", "listed"):
        raise RiskmodelError(f"calibration basis must be 'recorded' or 'listed', got '{basis}'")
    floor = world.assumptions.floor_log10_flop
    if basis == "listed" and any(abs(np.log10(t) - floor) > 1e-9 for t in thresholds):
        raise RiskmodelError("listed runs can be calibrated only at the floor (no compute known)")
    years = world.years
    table = predictive_counts(
        world,
        years=years,
        thresholds=thresholds,
        n_draws=n_draws,
        seed=seed,
        basis=basis,
        exposure=world.exposure,
    ).drop(columns="q50")
    if basis == "recorded":
        x, yr = world.data_log10_flop, world.data_year
        observed = [
            int(np.sum((yr == y) & (x >= np.log10(t))))
            for y, t in zip(table["year"], table["threshold"], strict=True)
        ]
    else:
        listed = world.listed_counts.set_index("year")["listed"]
        observed = [int(listed.loc[y]) for y in table["year"]]
    table.insert(1, "exposure", [world.exposure_of(y) for y in table["year"]])
    table.insert(3, "observed", observed)
    table["covered"] = (table["q05"] <= table["observed"]) & (table["observed"] <= table["q95"])
    return table


def recording_share_table(
    world: WorldFit,
    *,
    years: Sequence[int],
    log10_flop: float = 25.0,
    n_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Share of listed runs at or above ``log10_flop`` that carry a compute estimate.

    The expected recorded count over the expected listed count at or above the level,
    per parameter draw (count, group and recording-share draws together).

    Returns
    -------
    pandas.DataFrame
        ``year``, ``log10_flop``, ``mean``, ``q05``, ``q50``, ``q95`` (over draws).
    """
    draws = predictive_count_draws(
        world, years=years, thresholds=[10.0**log10_flop], n_draws=n_draws, seed=seed
    )
    rows = []
    for i, y in enumerate(draws["years"]):
        share = draws["recorded_mean"][i, :, 0] / draws["listed_mean"][i, :, 0]
        q05, q50, q95 = np.quantile(share, [INTERVAL[0], 0.5, INTERVAL[1]])
        rows.append(
            {
                "year": int(y),
                "log10_flop": float(log10_flop),
                "mean": float(share.mean()),
                "q05": float(q05),
                "q50": float(q50),
                "q95": float(q95),
            }
        )
    return pd.DataFrame(rows)


def _simulate_log10_flop(
    params: CountParams, year: int, floor_log10_flop: float, count: int, rng: np.random.Generator
) -> np.ndarray:
    pieces = _pieces(params, year, floor_log10_flop, "as_recorded")
    lo = np.full(count, pieces["tail_lo"][0])
    if params.form == "curved":
        u = _sample_truncated_normal(
            lo,
            np.full(count, pieces["tail_centre"][0]),
            np.full(count, pieces["tail_sd"][0]),
            rng,
        )
    else:
        u = lo + rng.exponential(size=count) / pieces["tail_rate"][0]
    return u + REFERENCE_LOG10_FLOP


def _scalar(params: CountParams) -> CountParams:
    return CountParams(
        params.form,
        *(
            np.atleast_1d(np.asarray(getattr(params, k), dtype=float))
            for k in ("alpha", "beta", "gamma", "delta", "mu")
        ),
    )


def simulate_recorded_runs(
    params: CountParams,
    *,
    years: Sequence[int],
    floor_log10_flop: float,
    rng: np.random.Generator,
    exposure: Mapping[int, float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Runs of the fitted intensity at known scalar count parameters.

    Used to check that :func:`riskmodel.world.fit.fit_count_model` recovers known
    parameters. ``exposure`` scales a year's expected count (default 1).

    Returns
    -------
    tuple of numpy.ndarray
        log10 FLOP and calendar year of each simulated run, shape (n,) each.
    """
    years = _check_years(years)
    scalar = _scalar(params)
    share = dict(exposure or {})
    xs, ys = [], []
    for y in years:
        mean = share.get(y, 1.0) * np.exp(scalar.log_count_above(floor_log10_flop, y))[0]
        count = int(rng.poisson(mean))
        xs.append(_simulate_log10_flop(scalar, y, floor_log10_flop, count, rng))
        ys.append(np.full(count, y, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def simulate_census(
    params: CountParams,
    groups: GroupParams,
    shares: np.ndarray,
    *,
    years: Sequence[int],
    floor_log10_flop: float,
    rng: np.random.Generator,
    exposure: Mapping[int, float] | None = None,
) -> tuple[CensusRuns, np.ndarray]:
    """A census at known parameters: runs of the fitted intensity, each with a group
    drawn from ``P(group | x, t)`` and a compute estimate with its group's share.

    Parameters
    ----------
    params, groups
        Scalar count parameters and group coefficients.
    shares
        Recording share of each group in each year, shape (len(years), 8).
    years, floor_log10_flop, rng, exposure
        As in :func:`simulate_recorded_runs`; release times are uniform over the observed
        part of each year.

    Returns
    -------
    tuple
        The census (log10 FLOP NaN where not recorded, no verdicts) and the true log10
        FLOP of every run, shape (n,).
    """
    years = _check_years(years)
    scalar = _scalar(params)
    share_of = dict(exposure or {})
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("x", "year", "time", "group", "rec")}
    n_groups = shares.shape[1]
    for k, y in enumerate(years):
        share = share_of.get(y, 1.0)
        count = int(rng.poisson(share * np.exp(scalar.log_count_above(floor_log10_flop, y))[0]))
        x = _simulate_log10_flop(scalar, y, floor_log10_flop, count, rng)
        time = y + share * rng.random(count)
        probs = groups.probabilities(x, time).reshape(count, n_groups)
        cum = np.cumsum(probs, axis=1)
        group = np.minimum(
            np.sum(cum < rng.random(count)[:, None] * cum[:, -1:], axis=1), n_groups - 1
        )
        columns["x"].append(x)
        columns["year"].append(np.full(count, y, dtype=np.int64))
        columns["time"].append(time)
        columns["group"].append(group)
        columns["rec"].append(rng.random(count) < shares[k, group])
    x, year, time, group, rec = (np.concatenate(columns[k]) for k in columns)
    runs = CensusRuns(
        log10_flop=np.where(rec, x, np.nan),
        year=year,
        time=time,
        frontier=group < 4,
        language=(group % 4) < 2,
        open_weights=(group % 2) == 1,
        p_above=np.full(x.size, np.nan),
    )
    return runs, x
