"""SB-1047 policy variants as data, and the engine that applies them.

* :mod:`~riskmodel.policy.variants` -- variant files (``riskmodel/policy/variants/``),
  validated, each rule annotated with the bill section or proposal it encodes;
* :mod:`~riskmodel.policy.lde` -- the "lower on all benchmarks" analysis of the
  pre-training limited duty exemption;
* :mod:`~riskmodel.policy.engine` -- one vectorised engine applying any variant to a
  simulated world.
"""

from riskmodel.policy.engine import OUTCOMES, TRUTH_OUTCOMES, RunAttributes, apply_variant
from riskmodel.policy.lde import all_benchmarks_table, pass_probability
from riskmodel.policy.variants import PolicyVariant, load_variant, load_variants

__all__ = [
    "OUTCOMES",
    "TRUTH_OUTCOMES",
    "RunAttributes",
    "apply_variant",
    "all_benchmarks_table",
    "pass_probability",
    "PolicyVariant",
    "load_variant",
    "load_variants",
]
