"""Hazard thresholds: posttraining enhancement, hazard bars, assessment and crossings.

* :mod:`~riskmodel.hazard.enhancement` -- capability reachable by posttraining
  enhancement (extra compute fraction ``f``, methods horizon; "unbounded" explicit);
* :mod:`~riskmodel.hazard.bars` -- declarative hazard bars (``raised``, ``current`` and
  user-defined) and the current bar's risk chain;
* :mod:`~riskmodel.hazard.assess` -- :func:`assess` (probability of each bar's condition,
  Monte Carlo error, verdict) and :func:`crossing` (FLOP and frontier date of crossing).
"""

from riskmodel.hazard.assess import assess, crossing
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
    "HazardBar",
    "load_hazard_bars",
    "load_risk_chain_priors",
    "EnhancementAllowance",
    "enhanced_capability",
    "load_enhancement_priors",
]
