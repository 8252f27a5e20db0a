"""Sample the simulated population of training runs from a fitted world.

:func:`sample_population` turns a :class:`~riskmodel.world.fit.WorldFit` into a
:class:`~riskmodel.world.population.Population`: simulated world ``d`` uses parameter
draw ``draw_index[d]``, so parameter uncertainty and Poisson noise both enter.

Per world and calendar year
---------------------------
1. **Base runs.** The number above the floor is Poisson with the world intensity
   integrated over log10 FLOP (see :mod:`riskmodel.world.fit`). With the curved count
   model and ``sub_frontier = "hold_peak"`` the intensity has two pieces: compute levels
   the frontier has not yet passed follow the fitted (recorded) intensity, a normal shape
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
Expected base runs per world and year, 2025..2030 (mean over parameter draws): 60, 86,
122, 174, 249, 359 (90% range in 2030: 103-916; the growth rate is the most uncertain
parameter). About 6, 24, 57, 104, 172, 272 of them are at or above 1e26 FLOP. With
derivatives and loophole rows a world has on average 100, 174, 253, 362, 517, 743 rows
in 2025..2030, so 1,000 worlds x 2025..2030 hold ~2.1 million rows: ~120 MiB of arrays,
~0.6 GiB peak resident memory while generating, 0.7 s (1.7 s on a cold first call) on
2 cores.

``predictive_counts`` and ``calibration_table`` use the *recorded* intensity (what
Epoch's database would list), not the world intensity: they back the command
``riskmodel population`` and the in-sample calibration check.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special

from riskmodel.errors import RiskmodelError
from riskmodel.world.fit import (
    FIT_YEARS,
    REFERENCE_LOG10_FLOP,
    REFERENCE_YEAR,
    CountParams,
    WorldFit,
)
from riskmodel.world.population import Population

__all__ = [
    "LOOPHOLE_PARENT_TRIES",
    "sample_population",
    "expected_base_runs",
    "predictive_counts",
    "calibration_table",
    "simulate_recorded_runs",
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


def predictive_counts(
    world: WorldFit,
    *,
    years: Sequence[int],
    thresholds: Sequence[float],
    n_draws: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Predictive counts of base models per year at or above compute thresholds.

    Counts are those Epoch's notable-model database would record (the fitted, recorded
    intensity), Poisson given a parameter draw, mixed over ``n_draws`` draws. Counts at
    the thresholds are nested within each draw, so a higher threshold never has more.

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
        Seed of the draw selection and Poisson noise.

    Returns
    -------
    pandas.DataFrame
        Columns ``year`` (int), ``threshold`` (FLOP), ``mean`` (expected count),
        ``q05``, ``q50``, ``q95`` (quantiles of the predictive count), one row per
        (year, threshold), thresholds ascending.

    Raises
    ------
    RiskmodelError
        A threshold is not positive or is below the floor, or ``n_draws < 1``.
    """
    years = _check_years(years)
    thr = np.unique(np.asarray(thresholds, dtype=float))
    if thr.size == 0 or np.any(~np.isfinite(thr)) or np.any(thr <= 0):
        raise RiskmodelError("thresholds must be positive FLOP values")
    floor = world.assumptions.floor_log10_flop
    log_thr = np.log10(thr)
    if log_thr[0] < floor - 1e-12:
        raise RiskmodelError(
            f"threshold {thr[0]:.3g} FLOP is below the model's floor 1e{floor:g} FLOP"
        )
    if n_draws < 1:
        raise RiskmodelError(f"n_draws must be >= 1, got {n_draws}")
    rng = np.random.default_rng(seed)
    index = rng.choice(world.n_draws, size=n_draws, replace=n_draws > world.n_draws)
    params = world.count_params(index[:, None])
    rows = []
    for y in years:
        expected = np.exp(params.log_count_above(log_thr[None, :], y))
        in_bin = np.clip(expected - np.append(expected[:, 1:], np.zeros((n_draws, 1)), 1), 0, None)
        counts = np.cumsum(rng.poisson(in_bin)[:, ::-1], axis=1)[:, ::-1]
        quantiles = np.quantile(
            counts, [INTERVAL[0], 0.5, INTERVAL[1]], axis=0, method="inverted_cdf"
        )
        for k, t in enumerate(thr):
            rows.append(
                {
                    "year": int(y),
                    "threshold": float(t),
                    "mean": float(expected[:, k].mean()),
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
) -> pd.DataFrame:
    """In-sample calibration: observed Epoch counts against the predictive interval.

    Parameters
    ----------
    world
        Fitted world.
    thresholds
        Compute thresholds (FLOP).
    n_draws, seed
        As in :func:`predictive_counts`.

    Returns
    -------
    pandas.DataFrame
        One row per (year 2018..2024, threshold): ``year``, ``threshold`` (FLOP),
        ``observed`` (base runs Epoch records at or above it), ``mean``, ``q05``,
        ``q95`` (90% predictive interval) and ``covered`` (``q05 <= observed <= q95``).
    """
    years = range(FIT_YEARS[0], FIT_YEARS[1] + 1)
    table = predictive_counts(
        world, years=years, thresholds=thresholds, n_draws=n_draws, seed=seed
    ).drop(columns="q50")
    x, yr = world.data_log10_flop, world.data_year
    table.insert(
        2,
        "observed",
        [
            int(np.sum((yr == y) & (x >= np.log10(t))))
            for y, t in zip(table["year"], table["threshold"], strict=True)
        ],
    )
    table["covered"] = (table["q05"] <= table["observed"]) & (table["observed"] <= table["q95"])
    return table


def simulate_recorded_runs(
    params: CountParams,
    *,
    years: Sequence[int],
    floor_log10_flop: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Runs as Epoch would record them at known scalar count parameters.

    Used to check that :func:`riskmodel.world.fit.fit_count_model` recovers known
    parameters.

    Returns
    -------
    tuple of numpy.ndarray
        log10 FLOP and calendar year of each simulated run, shape (n,) each.
    """
    years = _check_years(years)
    scalar = CountParams(
        params.form,
        *(
            np.atleast_1d(np.asarray(getattr(params, k), dtype=float))
            for k in ("alpha", "beta", "gamma", "delta", "mu")
        ),
    )
    xs, ys = [], []
    for y in years:
        pieces = _pieces(scalar, y, floor_log10_flop, "as_recorded")
        count = int(rng.poisson(pieces["tail_mean"][0]))
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
        xs.append(u + REFERENCE_LOG10_FLOP)
        ys.append(np.full(count, y, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)
