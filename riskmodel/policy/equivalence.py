"""The performance-equivalence reference of the early drafts' covered-model test.

SB-1047 as introduced (7 February 2024), 22602(f)(1), covers a model "trained using a
quantity of computing power greater than 10^26 integer or floating-point operations in
2024, or a model that could reasonably be expected to have similar performance on
benchmarks commonly used to quantify the performance of state-of-the-art foundation
models" (the variant ``as_amended`` keeps it; the enrolled text replaced it with FLOP
and cost; DOMAIN.md sections 1 and 4: "1e26 or 2024-equivalent performance"). The
comparison model is therefore named by two numbers, both variant parameters of
``[covered]`` (:class:`~riskmodel.policy.variants.CoveredRule`), overridable in any
variant file:

``performance_equivalent_year`` ``Y``
    The bill's "in 2024" (2024 in the shipped variants; no test when unset).
``performance_equivalent_flop`` ``F``
    The bill's "greater than 10^26" FLOP (1e26 in the shipped variants; default: the
    variant's ``flop_threshold``).

and one reading, ``performance_equivalent_reference``:

``"best"`` (default)
    The best performance reachable with ``F`` FLOP and the methods of year ``Y``: in
    posterior draw ``d``, capability (dex of effective compute)
    ``log10 F - reference_log10_flop + progress_d(T)``, where ``progress_d(T)`` is
    the effective compute gained by a model released at decimal year ``T``
    (:attr:`riskmodel.policy.engine.RunAttributes.progress_at`: the method progress of
    the capability fit, :func:`riskmodel.capability.predict.method_progress_at`, plus
    the reasoning gain if reasoning-trained models had been released by ``T``) and
    ``T`` is the end of 31 December of ``Y`` (1 January of ``Y + 1``, as a decimal year
    of :func:`riskmodel._time.decimal_year`): every method of the year counts. With the
    shipped evidence the first reasoning-trained release is o1-preview (2024-09-12), so
    the 2024 reference includes the reasoning gain. The frontier is the best model, not a
    typical one (DOMAIN.md section 6), and a model trained with 1e26 FLOP in 2024 by a
    frontier developer would have used the year's frontier methods.
``"typical"``
    The reading used before: a typical ``F``-FLOP model released on 1 January of ``Y``,
    ``log10 F - reference_log10_flop + progress_d(T)`` with ``T`` that day's decimal year
    (no reasoning gain for 2024); kept for sensitivity runs.

**No model-specific scatter.** Both readings leave out the capability scatter
(``capability_scatter``: one model's deviation from what its compute, date and methods
predict). The reference is the performance the methods reach, not one model's luck: a
random scatter draw would make the reference randomly lower than that (or higher) in
half the draws, which a "best reachable" quantity must not be. Nor is an upward order
statistic (the best of ``n`` scattered 1e26 runs of 2024) added: the bill names no
number of runs and hardly any were trained in 2024, so ``n`` would be invented. Hence the
"best" reference is at least the "typical" one in every draw (method progress and the
reasoning gain are non-negative; tested).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from riskmodel._time import decimal_year
from riskmodel.policy.variants import CoveredRule

__all__ = [
    "equivalence_time",
    "equivalent_flop",
    "equivalent_capability",
    "describe_equivalence",
]


def equivalence_time(rule: CoveredRule) -> float | None:
    """Decimal year whose methods the comparison model has (None: no performance test).

    The decimal year (:func:`riskmodel._time.decimal_year`) of 1 January of ``Y + 1``
    (the end of 31 December of ``Y``) for the ``"best"`` reading, of 1 January of ``Y``
    for ``"typical"``: ``Y + 1`` or ``Y`` plus 0 to 0.75 days.
    """
    year = rule.performance_equivalent_year
    if year is None:
        return None
    first = year + 1 if rule.performance_equivalent_reference == "best" else year
    return float(decimal_year(f"{first:04d}-01-01"))


def equivalent_flop(rule: CoveredRule) -> float:
    """Training FLOP of the comparison model: ``performance_equivalent_flop``, or the
    variant's ``flop_threshold`` when unset."""
    flop = rule.performance_equivalent_flop
    return float(rule.flop_threshold if flop is None else flop)


def equivalent_capability(
    rule: CoveredRule,
    progress_at: Callable[[float], np.ndarray],
    reference_log10_flop: float,
) -> np.ndarray | None:
    """Per posterior draw: capability (dex) of the performance-equivalence model.

    Parameters
    ----------
    rule
        The variant's covered-model rule.
    progress_at
        Decimal year ``T`` -> shape (draw,) array, the effective compute (dex) gained by
        a model released at ``T`` over the capability scale's anchor, method progress
        plus the reasoning gain once reasoning-trained
        (:attr:`riskmodel.policy.engine.RunAttributes.progress_at`,
        :meth:`riskmodel.simulation.science.Science.progress_at`).
    reference_log10_flop
        The capability scale's anchor (capability 0 = this many log10 FLOP at the
        reference time).

    Returns
    -------
    numpy.ndarray or None
        Shape (draw,): ``log10 F - reference_log10_flop + progress_at(T)`` with ``F`` from
        :func:`equivalent_flop` and ``T`` from :func:`equivalence_time` (no
        model-specific scatter; see the module docstring). None without a performance
        test.
    """
    time = equivalence_time(rule)
    if time is None:
        return None
    progress = np.asarray(progress_at(time), dtype=float)
    return np.log10(equivalent_flop(rule)) - reference_log10_flop + progress


def describe_equivalence(rule: CoveredRule, flop_text: str | None = None) -> str:
    """The comparison model in words (flowchart, report), e.g. "the best 1e26-FLOP model
    reachable with the methods of 2024 (to 31 December)"; empty without the test.

    ``flop_text``: how to write ``F`` (default ``f"{F:.0e}"``).
    """
    year = rule.performance_equivalent_year
    if year is None:
        return ""
    flop = flop_text if flop_text is not None else f"{equivalent_flop(rule):.0e}"
    if rule.performance_equivalent_reference == "best":
        return f"the best {flop}-FLOP model reachable with the methods of {year} (to 31 December)"
    return f"a typical {flop}-FLOP model trained on 1 January {year}"
