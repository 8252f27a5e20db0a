"""Uplift: how much a model speeds up a competent offensive-cyber team.

* :mod:`~riskmodel.uplift.elicitation` -- the elicited priors (TOML) and their fitted
  distributions;
* :mod:`~riskmodel.uplift.links` -- capability -> uplift, ``"amdahl"`` or ``"direct"``;
* :mod:`~riskmodel.uplift.studies` -- the uplift-study evidence format;
* :mod:`~riskmodel.uplift.model` -- the PyMC update of the link parameters from studies.

Its figures are in :mod:`riskmodel.plotting.uplift` and its simulation-based calibration
in :mod:`riskmodel.sbc.uplift`.
"""

from riskmodel.uplift.elicitation import ElicitedPriors, load_uplift_priors, prior_table
from riskmodel.uplift.links import TaskCurve, make_link, task_curve_from_view
from riskmodel.uplift.studies import load_uplift_studies

__all__ = [
    "ElicitedPriors",
    "load_uplift_priors",
    "prior_table",
    "TaskCurve",
    "make_link",
    "task_curve_from_view",
    "load_uplift_studies",
]
