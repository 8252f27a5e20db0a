"""Plain helpers shared by several test modules (not fixtures).

``tests/`` is not a package: pytest puts this folder on ``sys.path`` (``pythonpath`` in
``pyproject.toml``), so test modules import these as ``from helpers import ...``.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

__all__ = ["TEST_SEED", "linear_progress"]

#: Base sampler seed of the tests that run NUTS (the shared small fit, the uplift-study
#: update, parameter recovery). ``RISKMODEL_TEST_SEED`` overrides it, so the suite can be
#: run with other sampler seeds: the margin of every sampler test is meant to hold for
#: any seed, not for one.
TEST_SEED = int(os.environ.get("RISKMODEL_TEST_SEED", "7"))


def linear_progress(
    rates: np.ndarray, reference_time: float = 2023.0
) -> Callable[[float], np.ndarray]:
    """A ``RunAttributes.progress_at`` for worlds whose progress is ``rate * (T - t_ref)``
    (dex; a test stand-in for the fitted, non-linear method progress).

    Parameters
    ----------
    rates
        Shape (draw,), progress per year of each posterior draw (dex per year).
    reference_time
        Decimal year at which the progress is 0.

    Returns
    -------
    callable
        ``progress_at(time)``: shape (draw,), the progress at decimal year ``time``.
    """
    rates = np.asarray(rates, dtype=float)

    def progress_at(time: float) -> np.ndarray:
        return rates * (time - reference_time)

    return progress_at
