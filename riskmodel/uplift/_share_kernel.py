"""Compiled evaluation of the Amdahl link's work share on numpy arrays.

:func:`riskmodel.uplift.links.amdahl_share` evaluates one formula on numpy arrays and on
pytensor tensors. On numpy arrays it is the inner loop of every hazard threshold (the
bisection of :func:`riskmodel.hazard.assess.capability_needed` evaluates it ~16 times
per sample and condition), so it runs here as one compiled loop instead of broadcast
``(sample, length, scatter)`` temporaries. The same sums in another order: it agrees
with the broadcast formula to a few units in the last place (a test checks it), and
needs ``LENGTH_NODES + 2 * SCATTER_NODES + 2`` exponentials per sample instead of
``2 * LENGTH_NODES * SCATTER_NODES``:

``logistic(l) * logistic((l - t) / w) = 1 / ((1 + e) * (1 + e_g))`` with
``e = exp(-l)``, ``e_g = exp(-(l - t) / w)``, and ``l = m_j - a * scatter * z_k`` for
length node ``j`` and scatter node ``k`` factorises each exponential into a per-length
and a per-scatter factor.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["work_share"]


@numba.njit(cache=True)
def _work_share(  # pragma: no cover - compiled; tested through work_share
    location,
    discrimination,
    slope,
    centre,
    spread,
    logit_scatter,
    threshold,
    gate_width,
    length_z,
    length_w,
    scatter_z,
    scatter_w,
):
    n = location.size
    out = np.empty(n)
    n_scatter = scatter_z.size
    e_scatter = np.empty(n_scatter)
    g_scatter = np.empty(n_scatter)
    for i in range(n):
        for k in range(n_scatter):
            e_scatter[k] = math.exp(logit_scatter[i] * scatter_z[k])
            g_scatter[k] = math.exp(logit_scatter[i] * scatter_z[k] / gate_width)
        g_threshold = math.exp(threshold[i] / gate_width)
        total = 0.0
        for j in range(length_z.size):
            x = centre[i] + spread[i] * length_z[j]
            mean_logit = discrimination[i] * (location[i] - slope[i] * x)
            e_length = math.exp(-mean_logit)
            g_length = math.exp(-mean_logit / gate_width) * g_threshold
            acc = 0.0
            for k in range(n_scatter):
                e = e_length * e_scatter[k]
                g = g_length * g_scatter[k]
                if not (e < math.inf and g < math.inf):
                    # inf * 0 (or an overflowing product): exponentiate the sum directly.
                    logit = mean_logit - logit_scatter[i] * scatter_z[k]
                    e = math.exp(-logit)
                    g = math.exp(-(logit - threshold[i]) / gate_width)
                acc += scatter_w[k] / ((1.0 + e) * (1.0 + g))
            total += acc * length_w[j]
        out[i] = total
    return out


def work_share(
    *,
    location: np.ndarray,
    discrimination: np.ndarray,
    slope: np.ndarray,
    centre: np.ndarray,
    spread: np.ndarray,
    logit_scatter: np.ndarray,
    threshold: np.ndarray,
    gate_width: float,
    length_nodes: tuple[np.ndarray, np.ndarray],
    scatter_nodes: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Time-weighted share of work done, per element (arrays broadcast; see the module).

    ``location`` = capability - realism offset - horizon offset (dex);
    ``logit_scatter`` = discrimination * task scatter (logit); ``threshold`` = logit of
    the reliability threshold; ``centre``/``spread``: the time-weighted task-length
    distribution (log10 minutes); nodes: (points, weights summing to 1).
    """
    arrays = np.broadcast_arrays(
        location, discrimination, slope, centre, spread, logit_scatter, threshold
    )
    shape = arrays[0].shape
    flat = [np.ascontiguousarray(a, dtype=np.float64).ravel() for a in arrays]
    nodes = [np.ascontiguousarray(v, dtype=np.float64) for v in (*length_nodes, *scatter_nodes)]
    return _work_share(*flat, float(gate_width), *nodes).reshape(shape)
