"""Prior predictive checks of the capability model (computation only)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

from riskmodel._compile import strict_float
from riskmodel.capability.data import CapabilityData
from riskmodel.capability.model import build_capability_model
from riskmodel.config import CapabilityConfig

__all__ = ["sample_prior_predictive", "prior_predictive_coverage"]

#: PyTensor's Numba backend has no native beta-binomial sampler and says so; forward
#: sampling is merely slower, so the message is silenced where we sample forward.
NUMBA_OBJECT_MODE = "Numba will use object mode"

#: Central prior predictive interval used for the coverage check.
COVERAGE_INTERVAL = (0.005, 0.995)


def sample_prior_predictive(
    data: CapabilityData, config: CapabilityConfig, *, draws: int = 500, seed: int = 0
) -> xr.DataTree:
    """Draws from the prior and the prior predictive (groups ``prior``, ``prior_predictive``).

    Drawn from the generative form of the model (``anchored=False``): the fitting
    geometry's flat anchor levels and capability potential cannot be sampled forward,
    while the joint distribution is the same.
    """
    model = build_capability_model(data, config, anchored=False)
    with model, strict_float(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NUMBA_OBJECT_MODE, category=UserWarning)
        return pm.sample_prior_predictive(draws=draws, random_seed=seed)


def prior_predictive_coverage(prior_tree: xr.DataTree, data: CapabilityData) -> pd.DataFrame:
    """Compare the observed range of each benchmark with its prior predictive range.

    The observed lowest and highest fraction solved of a benchmark's results are
    compared with the prior predictive distribution of the lowest and highest of that
    many results (per prior draw, the minimum and maximum over the benchmark's
    simulated results). Comparing them with quantiles of the pooled fraction instead
    would flag a calibrated prior for most benchmarks with many results: the smallest
    of ``n`` results lies below the pooled 0.5% quantile with probability
    ``1 - 0.995 ** n`` (42% for ``n = 108``).

    Returns
    -------
    pandas.DataFrame
        One row per benchmark (index slug): ``observed_min``, ``observed_max`` (fraction
        solved), ``prior_low`` (0.5% prior predictive quantile of the benchmark's lowest
        result), ``prior_high`` (99.5% quantile of its highest result) and ``covered``
        (bool: ``prior_low <= observed_min`` and ``observed_max <= prior_high``).
    """
    solved = prior_tree["prior_predictive"]["solved"].to_numpy()  # (chain, draw, result)
    fraction = solved.reshape(-1, solved.shape[-1]) / data.result_n
    observed = data.result_k / data.result_n
    rows = []
    for b, slug in enumerate(data.coords["benchmark"]):
        mask = data.result_benchmark == b
        low = np.quantile(fraction[:, mask].min(axis=1), COVERAGE_INTERVAL[0])
        high = np.quantile(fraction[:, mask].max(axis=1), COVERAGE_INTERVAL[1])
        obs_min, obs_max = observed[mask].min(), observed[mask].max()
        rows.append(
            {
                "benchmark": slug,
                "observed_min": obs_min,
                "observed_max": obs_max,
                "prior_low": low,
                "prior_high": high,
                "covered": bool(low <= obs_min and obs_max <= high),
            }
        )
    return pd.DataFrame(rows).set_index("benchmark")
