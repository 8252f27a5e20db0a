"""The simulated world of training runs, fitted to Epoch AI's records.

* :mod:`~riskmodel.world.fit` -- world assumptions (``data/world_assumptions.toml``) and
  the fit of run counts by compute and year, cost per FLOP, developer tier and open
  weights, with parameter uncertainty;
* :mod:`~riskmodel.world.generate` -- populations of training runs per simulated world,
  predictive counts above compute thresholds, in-sample calibration;
* :mod:`~riskmodel.world.population` -- the :class:`Population` table the policy engine
  reads.
"""

from riskmodel.world.fit import WorldFit, fit_world, load_world_assumptions
from riskmodel.world.generate import calibration_table, predictive_counts, sample_population
from riskmodel.world.population import Population

__all__ = [
    "WorldFit",
    "fit_world",
    "load_world_assumptions",
    "calibration_table",
    "predictive_counts",
    "sample_population",
    "Population",
]
