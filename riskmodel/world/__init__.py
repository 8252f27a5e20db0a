"""The simulated world of training runs, fitted to Epoch AI's records.

* :mod:`~riskmodel.world.assumptions` -- the world assumptions file
  (``data/world_assumptions.toml``);
* :mod:`~riskmodel.world.counts` -- the count model of runs by compute and year (with
  partial years) and the numerical tools of the likelihood fits;
* :mod:`~riskmodel.world.census` -- the census of runs with and without a compute
  estimate: recording groups, the joint fit of count, tier, open-weights and domain
  models, the shares of runs Epoch records with an estimate;
* :mod:`~riskmodel.world.fit` -- the data choices and the fit of every piece, with
  parameter uncertainty (its docstring is the model's specification, including how
  counts as Epoch records them relate to the runs that happened);
* :mod:`~riskmodel.world.generate` -- populations of training runs per simulated world,
  predictive counts above compute thresholds (recorded, listed, happened), in-sample
  calibration;
* :mod:`~riskmodel.world.population` -- the :class:`Population` table the policy engine
  reads.
"""

from riskmodel.world.fit import WorldFit, fit_world, load_world_assumptions
from riskmodel.world.generate import (
    calibration_table,
    predictive_counts,
    recording_share_table,
    sample_population,
)
from riskmodel.world.population import Population

__all__ = [
    "WorldFit",
    "fit_world",
    "load_world_assumptions",
    "calibration_table",
    "predictive_counts",
    "recording_share_table",
    "sample_population",
    "Population",
]
