"""riskmodel: probabilistic risk and threshold modelling of frontier AI.

Data flows one way: evidence -> capability -> (uplift/hazard -> policy -> simulation)
-> figures/report. The public entry points mirror the command line:

>>> import riskmodel
>>> tree = riskmodel.fit(draws=1000)                      # doctest: +SKIP
>>> riskmodel.forecast(tree, benchmark="mmlu", date="2026-06-01", flop=3e26)  # doctest: +SKIP
>>> riskmodel.assess(tree, flop=3e26, date="2026-06-01")  # doctest: +SKIP
>>> riskmodel.simulate(tree)                              # doctest: +SKIP

The names are imported on first use (PEP 562), so ``import riskmodel`` and the
command line's light commands do not load PyMC.
"""

from riskmodel._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "fit": "riskmodel.capability.sampling",
    "forecast": "riskmodel.capability.predict",
    "load_fit": "riskmodel.capability.store",
    "save_fit": "riskmodel.capability.store",
    "assess": "riskmodel.hazard.assess",
    "crossing": "riskmodel.hazard.assess",
    "simulate": "riskmodel.simulation.run",
    "load_evidence": "riskmodel.evidence.loaders",
    "load_benchmark_registry": "riskmodel.evidence.benchmarks",
    "RiskmodelError": "riskmodel.errors",
    "EvidenceError": "riskmodel.errors",
    "ConfigError": "riskmodel.errors",
    "ConvergenceError": "riskmodel.errors",
    "FitFileError": "riskmodel.errors",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
