"""Capability: the Bayesian model of capability against effective training compute."""

from riskmodel.capability.fit import fit, fit_evidence_model
from riskmodel.capability.predict import (
    benchmark_fraction_draws,
    capability_draws,
    forecast,
    posterior_view,
    task_success_probability,
    time_horizon_minutes,
)
from riskmodel.capability.store import fit_diagnostics, load_fit, save_fit

__all__ = [
    "fit",
    "fit_evidence_model",
    "forecast",
    "load_fit",
    "fit_diagnostics",
    "save_fit",
    "posterior_view",
    "capability_draws",
    "benchmark_fraction_draws",
    "task_success_probability",
    "time_horizon_minutes",
]
