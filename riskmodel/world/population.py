"""The simulated population of training runs: one flat table over draws and years.

A :class:`Population` holds one row per training run for every simulated world (draw).
Rows are grouped by ``draw`` and, within a draw, ordered by ``release_time``; a
derivative's parent always comes earlier in the same draw (``parent < row``).
The policy engine (:mod:`riskmodel.policy.engine`) reads only this table plus
per-run capability and hazard attributes, so any generator that fills it can be used.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from riskmodel.errors import RiskmodelError

__all__ = ["Population"]


@dataclass(frozen=True)
class Population:
    """Training runs of ``n_draws`` simulated worlds (all arrays shape (run,)).

    Attributes
    ----------
    draw
        int64, world index in ``0 .. n_draws - 1``.
    year
        int64, calendar year of release.
    release_time
        float64, release date as a decimal year (e.g. 2026.42).
    log10_flop
        float64, log10 of this run's own training compute (FLOP); for a derivative, the
        extra compute it adds to its parent.
    cost_usd
        float64, this run's own training cost (USD); for a derivative, the extra cost.
    developer
        int64, developer id, shared across draws; frontier developers are
        ``0 .. n_frontier_developers - 1``.
    frontier_tier
        bool, the developer is one of the frontier developers.
    open_weights
        bool, the developer intends an open-weight release.
    parent
        int64, for a derivative the row of the base run it modifies (same draw, an
        earlier row); -1 for a base run.
    loophole_attempt
        bool, a derivative that is really a large new training run declared as a
        modification of an existing model.
    n_draws
        Number of simulated worlds.
    years
        Simulated calendar years, ascending.
    n_frontier_developers
        Number of frontier developers.
    """

    draw: np.ndarray
    year: np.ndarray
    release_time: np.ndarray
    log10_flop: np.ndarray
    cost_usd: np.ndarray
    developer: np.ndarray
    frontier_tier: np.ndarray
    open_weights: np.ndarray
    parent: np.ndarray
    loophole_attempt: np.ndarray
    n_draws: int
    years: tuple[int, ...]
    n_frontier_developers: int

    @property
    def n_runs(self) -> int:
        """Number of rows (runs over all draws)."""
        return int(self.draw.size)

    @property
    def is_derivative(self) -> np.ndarray:
        """bool, the run modifies an existing model."""
        return self.parent >= 0

    @property
    def base_row(self) -> np.ndarray:
        """int64, the run itself for base runs, the parent for derivatives."""
        return np.where(self.parent >= 0, self.parent, np.arange(self.n_runs))

    @property
    def total_log10_flop(self) -> np.ndarray:
        """float64, log10 FLOP of the resulting model (parent + extra for derivatives)."""
        parent_flop = np.where(self.parent >= 0, 10.0 ** self.log10_flop[self.base_row], 0.0)
        return np.log10(10.0**self.log10_flop + parent_flop)

    @property
    def total_cost_usd(self) -> np.ndarray:
        """float64, training cost of the resulting model (parent + extra), USD."""
        parent_cost = np.where(self.parent >= 0, self.cost_usd[self.base_row], 0.0)
        return self.cost_usd + parent_cost

    def validate(self) -> Population:
        """Check shapes, dtypes and the ordering invariants; return self."""
        n = self.n_runs
        arrays = [f.name for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)]
        for name in arrays:
            if getattr(self, name).shape != (n,):
                raise RiskmodelError(
                    f"population column '{name}' has shape "
                    f"{getattr(self, name).shape}, expected ({n},)"
                )
        if n and (self.draw.min() < 0 or self.draw.max() >= self.n_draws):
            raise RiskmodelError("population column 'draw' outside 0 .. n_draws - 1")
        if n and not np.all(np.isin(self.year, self.years)):
            raise RiskmodelError("population column 'year' has years outside 'years'")
        if np.any(np.diff(self.draw) < 0):
            raise RiskmodelError("population rows must be grouped by draw in ascending order")
        derived = np.flatnonzero(self.parent >= 0)
        parents = self.parent[derived]
        if np.any(parents >= derived):
            raise RiskmodelError("a derivative's parent must be an earlier row")
        if np.any(self.draw[parents] != self.draw[derived]):
            raise RiskmodelError("a derivative's parent must be in the same draw")
        if np.any(self.parent[parents] >= 0):
            raise RiskmodelError("a derivative's parent must be a base run")
        if np.any(self.loophole_attempt & (self.parent < 0)):
            raise RiskmodelError("a loophole attempt must be declared as a derivative")
        if not np.all(np.isfinite(self.log10_flop)) or np.any(self.cost_usd < 0):
            raise RiskmodelError("population FLOP must be finite and costs non-negative")
        return self
