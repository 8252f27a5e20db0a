"""Simulation-based calibration (SBC): is a model's posterior computation self-consistent?

SBC draws parameters from the prior, simulates data from them, refits the model and
checks that the rank of each true value among the posterior draws is uniform.

* :mod:`~riskmodel.sbc.ranks` -- the generic pieces: ranks, the chi-square and
  simultaneous-ECDF uniformity checks and the result type (no PyMC);
* :mod:`~riskmodel.sbc.capability` -- SBC of the capability model at a reduced size on
  the real data structure;
* :mod:`~riskmodel.sbc.uplift` -- SBC of the uplift model on a simulated study design.

Public names are imported on first use (PEP 562): :mod:`riskmodel.sbc.ranks` does not
load PyMC; the capability and uplift SBC do.
"""

from riskmodel._lazy import lazy_exports

_EXPORTS = {
    "SBC_REPLICATIONS": "riskmodel.sbc.ranks",
    "RANK_BINS": "riskmodel.sbc.ranks",
    "ECDF_BAND_PROB": "riskmodel.sbc.ranks",
    "ECDF_SIMULATIONS": "riskmodel.sbc.ranks",
    "ECDF_SEED": "riskmodel.sbc.ranks",
    "FAMILY_ALPHA": "riskmodel.sbc.ranks",
    "SBC_CONCURRENT_FITS": "riskmodel.sbc.ranks",
    "EcdfTest": "riskmodel.sbc.ranks",
    "SBCResult": "riskmodel.sbc.ranks",
    "rank_statistics": "riskmodel.sbc.ranks",
    "chi_square_uniformity": "riskmodel.sbc.ranks",
    "ecdf_band": "riskmodel.sbc.ranks",
    "ecdf_uniformity": "riskmodel.sbc.ranks",
    "ecdf_difference": "riskmodel.sbc.ranks",
    "summarize_ranks": "riskmodel.sbc.ranks",
    "CAPABILITY_SBC_DRAWS": "riskmodel.sbc.capability",
    "CAPABILITY_SBC_TUNE": "riskmodel.sbc.capability",
    "CAPABILITY_SBC_THIN": "riskmodel.sbc.capability",
    "CAPABILITY_SBC_SEED": "riskmodel.sbc.capability",
    "CAPABILITY_SBC_QUANTITIES": "riskmodel.sbc.capability",
    "CAPABILITY_SBC_GEOMETRY": "riskmodel.sbc.capability",
    "NEGATIVE_CONTROL_QUANTITY": "riskmodel.sbc.capability",
    "NEGATIVE_CONTROL_SCALE": "riskmodel.sbc.capability",
    "NEGATIVE_CONTROL_REPLICATIONS": "riskmodel.sbc.capability",
    "SBC_OPEN_MODELS": "riskmodel.sbc.capability",
    "SBC_BENCHMARKS": "riskmodel.sbc.capability",
    "SBC_TASK_SUITE": "riskmodel.sbc.capability",
    "SBC_TASKS": "riskmodel.sbc.capability",
    "SBC_TREND_EVERY": "riskmodel.sbc.capability",
    "reduced_capability_evidence": "riskmodel.sbc.capability",
    "CapabilitySBC": "riskmodel.sbc.capability",
    "capability_sbc_config": "riskmodel.sbc.capability",
    "capability_sbc": "riskmodel.sbc.capability",
    "UPLIFT_SBC_CAPABILITY": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_CAPABILITY_SD": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_DOMAINS": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_LOG_SPEEDUP_SD": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_DRAWS": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_TUNE": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_THIN": "riskmodel.sbc.uplift",
    "UPLIFT_SBC_SEED": "riskmodel.sbc.uplift",
    "simulation_based_calibration": "riskmodel.sbc.uplift",
    "uplift_sbc": "riskmodel.sbc.uplift",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
