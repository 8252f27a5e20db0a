"""Capability: the Bayesian model of capability against effective training compute.

Public names are imported on first use (PEP 562): :mod:`riskmodel.capability.store`
and :mod:`riskmodel.capability.predict` do not load PyMC; :func:`fit` does.
"""

from riskmodel._lazy import lazy_exports

_EXPORTS = {
    "fit": "riskmodel.capability.sampling",
    "fit_evidence_model": "riskmodel.capability.sampling",
    "load_or_fit": "riskmodel.capability.cache",
    "forecast": "riskmodel.capability.predict",
    "load_fit": "riskmodel.capability.store",
    "fit_diagnostics": "riskmodel.capability.store",
    "save_fit": "riskmodel.capability.store",
    "posterior_view": "riskmodel.capability.predict",
    "capability_draws": "riskmodel.capability.predict",
    "benchmark_fraction_draws": "riskmodel.capability.predict",
    "task_success_probability": "riskmodel.capability.predict",
    "time_horizon_minutes": "riskmodel.capability.predict",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
