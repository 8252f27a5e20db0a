"""Hazard thresholds: posttraining enhancement, hazard bars, assessment and crossings.

* :mod:`~riskmodel.hazard.enhancement` -- capability reachable by posttraining
  enhancement (saturating gain with a fresh-run ceiling; FLOP, cost and methods bounds;
  "unbounded" explicit);
* :mod:`~riskmodel.hazard.bars` -- declarative hazard bars (``raised``, ``current`` and
  user-defined), their counterfactual, and the current bar's risk chain and record;
* :mod:`~riskmodel.hazard.samples` -- the joint Monte Carlo sample, weighted by the
  observed record of incidents, and the counterfactual reference model;
* :mod:`~riskmodel.hazard.assess` -- :func:`assess` (probability of each bar's condition,
  Monte Carlo error, verdict), :func:`crossing` (FLOP and frontier date where the pooled
  probability meets the bar) and :func:`crossing_sensitivity`.
"""

from riskmodel.hazard.assess import assess, crossing, crossing_sensitivity
from riskmodel.hazard.bars import (
    HazardBar,
    load_hazard_bars,
    load_risk_chain_priors,
)
from riskmodel.hazard.enhancement import (
    EnhancementAllowance,
    enhanced_capability,
    load_enhancement_priors,
)

__all__ = [
    "assess",
    "crossing",
    "crossing_sensitivity",
    "HazardBar",
    "load_hazard_bars",
    "load_risk_chain_priors",
    "EnhancementAllowance",
    "enhanced_capability",
    "load_enhancement_priors",
]
