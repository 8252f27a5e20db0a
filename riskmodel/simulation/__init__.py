"""Monte Carlo simulation of the policy variants on the same simulated worlds.

* :mod:`~riskmodel.simulation.config` -- :class:`SimulationConfig` (years, draws, seed,
  truth bars, evaluation noise);
* :mod:`~riskmodel.simulation.science` -- capability and hazard status of each run from
  the fitted posterior, draw by draw;
* :mod:`~riskmodel.simulation.run` -- :func:`simulate` (local or dask.distributed),
  :func:`save_simulation`, :func:`summary_table`.
"""

from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.run import save_simulation, simulate, summary_table

__all__ = ["SimulationConfig", "simulate", "save_simulation", "summary_table"]
