"""riskmodel: probabilistic risk and threshold modelling of frontier AI.

Data flows one way: evidence -> capability -> (uplift/hazard -> policy -> simulation)
-> figures/report. The public entry points mirror the command line:

>>> import riskmodel
>>> tree = riskmodel.fit(draws=1000)                      # doctest: +SKIP
>>> riskmodel.forecast(tree, benchmark="mmlu", date="2026-06-01", flop=3e26)  # doctest: +SKIP
>>> riskmodel.assess(tree, flop=3e26, date="2026-06-01")  # doctest: +SKIP
>>> riskmodel.simulate(tree)                              # doctest: +SKIP
"""

from riskmodel.capability import fit, forecast, load_fit, save_fit
from riskmodel.errors import (
    ConfigError,
    ConvergenceError,
    EvidenceError,
    FitFileError,
    RiskmodelError,
)
from riskmodel.evidence import load_benchmark_registry, load_evidence
from riskmodel.hazard import assess, crossing
from riskmodel.simulation import simulate

__version__ = "0.1.0"

__all__ = [
    "fit",
    "forecast",
    "load_fit",
    "save_fit",
    "assess",
    "crossing",
    "simulate",
    "load_evidence",
    "load_benchmark_registry",
    "RiskmodelError",
    "EvidenceError",
    "ConfigError",
    "ConvergenceError",
    "FitFileError",
]
