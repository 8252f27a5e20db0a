"""Prior predictive checks of the capability model (computation only)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pymc as pm
import xarray as xr

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
    """Draws from the prior and the prior predictive (groups ``prior``, ``prior_predictive``)."""
    model = build_capability_model(data, config)
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=NUMBA_OBJECT_MODE, category=UserWarning)
        return pm.sample_prior_predictive(draws=draws, random_seed=seed)


def prior_predictive_coverage(prior_tree: xr.DataTree, data: CapabilityData) -> pd.DataFrame:
    """Compare the observed range of each benchmark with its prior predictive range.

    Returns
    -------
    pandas.DataFrame
        One row per benchmark (index slug): ``observed_min``, ``observed_max`` (fraction
        solved), ``prior_low``, ``prior_high`` (0.5% and 99.5% prior predictive
        quantiles pooled over that benchmark's results) and ``covered`` (bool).
    """
    solved = prior_tree["prior_predictive"]["solved"].to_numpy()  # (chain, draw, result)
    fraction = solved.reshape(-1, solved.shape[-1]) / data.result_n
    observed = data.result_k / data.result_n
    rows = []
    for b, slug in enumerate(data.coords["benchmark"]):
        mask = data.result_benchmark == b
        low, high = np.quantile(fraction[:, mask], COVERAGE_INTERVAL)
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
