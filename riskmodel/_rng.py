"""Named random streams: every Monte Carlo stream of the package is derived here.

A computation that needs several independent streams from one user seed (the hazard
Monte Carlo: capability, link, enhancement, ...; the simulation: science, world index,
one stream per chunk of worlds) asks for its *family* by name. The family's streams are
the children of ``numpy.random.SeedSequence(seed)`` in the order of :data:`FAMILIES`
(child ``i`` has spawn key ``(i,)``), then ``chunk_0``, ``chunk_1``, ... for the
per-chunk streams. So a stream is fixed by the seed and its name alone: independent of
how many chunks are asked for, of the machine, and of the order in which work runs.

Rule for changes: append new names at the end of a family. Inserting or reordering
names changes every stream after them, and with it every number at a given seed.

``numpy`` is imported inside the functions: importing this module (for
:data:`DEFAULT_SEED`) costs nothing, which keeps ``riskmodel benchmarks`` fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

__all__ = ["DEFAULT_SEED", "FAMILIES", "seed_sequences", "streams"]

#: Default seed of the capability fit's sampler and of the policy simulation.
DEFAULT_SEED = 20240829

#: The named streams of each family, in derivation order (append only).
FAMILIES: dict[str, tuple[str, ...]] = {
    # riskmodel.hazard.assess: one stream per source of uncertainty, so changing e.g.
    # the number of link draws leaves the capability draws unchanged.
    "hazard": ("capability", "link", "enhancement", "chain", "frontier", "record"),
    # riskmodel.simulation: the per-world science (truth thresholds), the world-parameter
    # index, then one stream per chunk of worlds (``chunk_k``).
    "simulation": ("science", "world"),
    # riskmodel.validation.harness: one stream per forecasting method of a backtest, so
    # a change to one method (e.g. the capability model) leaves the others' draws as
    # they were.
    "backtest": ("bayesian", "logistic", "irt", "frontier_flop", "world_counts", "count_trend"),
}


def _names(family: str, chunks: int) -> tuple[str, ...]:
    if family not in FAMILIES:
        raise ValueError(f"unknown random-stream family '{family}'; known: {sorted(FAMILIES)}")
    if chunks < 0:
        raise ValueError(f"chunks must be >= 0, got {chunks}")
    return FAMILIES[family] + tuple(f"chunk_{k}" for k in range(chunks))


def seed_sequences(seed: int, family: str, *, chunks: int = 0) -> dict[str, np.random.SeedSequence]:
    """The seed sequences of a family's streams (picklable, e.g. to send to workers).

    Parameters
    ----------
    seed
        The user's seed (non-negative integer).
    family
        A key of :data:`FAMILIES`.
    chunks
        Number of per-chunk streams ``chunk_0 .. chunk_{chunks-1}`` after the named ones.

    Returns
    -------
    dict
        Stream name -> :class:`numpy.random.SeedSequence`, in derivation order.
    """
    import numpy as np

    names = _names(family, chunks)
    children = np.random.SeedSequence(seed).spawn(len(names))
    return dict(zip(names, children, strict=True))


def streams(seed: int, family: str, *, chunks: int = 0) -> dict[str, np.random.Generator]:
    """Independent generators of a family's streams; see :func:`seed_sequences`."""
    import numpy as np

    return {
        name: np.random.default_rng(sequence)
        for name, sequence in seed_sequences(seed, family, chunks=chunks).items()
    }
