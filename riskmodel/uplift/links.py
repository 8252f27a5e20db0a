"""Links from capability to uplift (speed-up of a competent offensive-cyber team).

Two links share one interface (:class:`UpliftLink`), selected by name with
:func:`make_link`: ``"amdahl"`` (mechanistic) or ``"direct"`` (elicited curve). Both map
capability draws (dex of effective compute, any shape ``(...)``) and link-parameter draws
(broadcastable to the same shape, typically ``(sample,)``) to an uplift factor >= 1
(1 = no effect). The same code runs on numpy arrays and on pytensor tensors (``ops`` is
``numpy`` or ``pytensor.tensor``), so the PyMC model evaluates exactly these formulas.

Amdahl link
-----------
Task lengths of a team's work: ``log10 m ~ Normal(log10 median, spread)`` (human minutes).
On the fixed grid :data:`LOG10_MINUTES_GRID` the *time-weighted* task density is
``w(x) ∝ 10**x * phi((x - log10 median) / spread)``, normalised on the grid (quadrature).
Success probability of the model on a typical reference-suite task of length ``10**x``:
``p(x) = logistic(alpha * (capability - realism_offset - offset - slope * x))`` with
``alpha`` (logit/dex), ``slope`` (dex capability per dex minutes) and ``offset`` of the
cyber task curve (:class:`TaskCurve`). A task counts as done by the model with
``g(p) = p * logistic((logit p - logit r) / GATE_WIDTH_LOGIT)`` (expected success, gated
softly at the reliability threshold ``r``). The time-weighted share of work the model
completes is ``s = sum_x w(x) g(p(x))`` in [0, 1]; the speed-up is
``1 / ((1 - s) + s / k)`` with ``k > 1``, so ``1 <= uplift <= k``.

Direct link
-----------
``uplift(c) = 1 + exp(l_low + b * (c - c_low))``, with ``l_low = ln(U_low - 1)`` and
``l_high = ln(U_high - 1)`` the elicited uplifts at capabilities ``c_low`` < ``c_high``
and slope ``b = smooth_max(MIN_SLOPE, (l_high - l_low) / (c_high - c_low))`` (ln-uplift
per dex), a softplus with temperature :data:`SLOPE_SMOOTHING`. The two anchors are
independent a priori, so the floor :data:`MIN_SLOPE` keeps the curve increasing and
tending to 1 as capability falls when a draw puts the high anchor below the low one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from scipy.special import expit

from riskmodel.capability.data import TASK_DOMAINS
from riskmodel.capability.predict import PosteriorView
from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.uplift.elicitation import LINK_NAMES, ElicitedPriors

__all__ = [
    "LOG10_MINUTES_GRID",
    "GATE_WIDTH_LOGIT",
    "MIN_SLOPE",
    "SLOPE_SMOOTHING",
    "TaskCurve",
    "task_curve_from_view",
    "UpliftLink",
    "AmdahlLink",
    "DirectLink",
    "make_link",
    "amdahl_speedup",
]

#: Quadrature grid of log10 human minutes: 6 seconds to ~70 days of work, 0.025 dex
#: spacing. Mass of the time-weighted task distribution outside it is cut off and the
#: weights renormalised (negligible for spreads up to ~1.6 dex around a 1-hour median).
LOG10_MINUTES_GRID = np.linspace(-1.0, 5.0, 241)
#: Width (logit units) of the soft delegation gate around the reliability threshold:
#: a task 1 logit below the threshold is delegated with weight 0.27, 1 above with 0.73.
GATE_WIDTH_LOGIT = 1.0
#: Smallest slope (ln(uplift - 1) per dex) of the direct link: uplift - 1 falls at least
#: 10x per ln(10) / 0.25 = 9.2 dex of lower capability. Below the elicited median slope
#: (ln(1.0 / 0.1) / 3 = 0.77), so it binds only for draws with nearly equal anchors.
MIN_SLOPE = 0.25
#: Temperature (ln-uplift per dex) of the softplus that smooths max(MIN_SLOPE, slope).
SLOPE_SMOOTHING = 0.05
_LN10 = float(np.log(10.0))


@dataclass(frozen=True)
class TaskCurve:
    """Cyber task-curve parameters of the capability fit for one reference suite.

    Attributes
    ----------
    discrimination
        ``task_discrimination`` of the cyber domain, logit per dex; shape (sample,) or ().
    horizon_slope
        Dex of capability per dex of human minutes; same shape.
    horizon_offset
        Capability at which a 1-minute task of the suite is solved half the time; same shape.
    suite
        Name of the reference suite.
    """

    discrimination: np.ndarray
    horizon_slope: np.ndarray
    horizon_offset: np.ndarray
    suite: str

    def point(self) -> TaskCurve:
        """Posterior medians (scalars), for a model that treats the curve as fixed."""
        return TaskCurve(
            discrimination=np.asarray(np.median(self.discrimination)),
            horizon_slope=np.asarray(np.median(self.horizon_slope)),
            horizon_offset=np.asarray(np.median(self.horizon_offset)),
            suite=self.suite,
        )


def task_curve_from_view(view: PosteriorView, *, suite: str) -> TaskCurve:
    """Cyber task-curve draws for ``suite`` from a fitted capability model.

    Returns
    -------
    TaskCurve
        Arrays of shape (sample,), aligned with the view's samples.
    """
    if suite not in set(view.tasks["suite"]):
        raise RiskmodelError(
            f"reference suite '{suite}' has no task-level runs in this fit; the Amdahl link "
            "needs its horizon offset (choose another amdahl.reference_suite)"
        )
    d = TASK_DOMAINS.index("cyber")
    return TaskCurve(
        discrimination=view.values("task_discrimination")[:, d],
        horizon_slope=view.values("horizon_slope")[:, d],
        horizon_offset=np.asarray(view.draws["horizon_offset"].sel(suite=suite).values),
        suite=suite,
    )


def _sigmoid(x: Any, ops: Any) -> Any:
    return expit(x) if ops is np else ops.sigmoid(x)


def _softmax_last(x: Any, ops: Any) -> Any:
    """Softmax over the last axis (numpy or pytensor)."""
    x = x - x.max(axis=-1, keepdims=True)
    e = ops.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def amdahl_speedup(share: Any, speed_advantage: Any) -> Any:
    """Amdahl's law: ``1 / ((1 - s) + s / k)`` for work share ``s`` and speed advantage ``k``."""
    return 1.0 / ((1.0 - share) + share / speed_advantage)


def amdahl_share(
    capability: Any,
    *,
    discrimination: Any,
    horizon_slope: Any,
    horizon_offset: Any,
    task_length_median: Any,
    task_length_spread: Any,
    reliability_threshold: Any,
    realism_offset: Any,
    ops: Any = np,
) -> Any:
    """Time-weighted share of a team's work the model completes (see module docstring).

    All arguments broadcast against each other (shape ``(...)``); the grid is a trailing
    axis that is summed out. Returns the share in [0, 1], shape ``(...)``.
    """
    grid = LOG10_MINUTES_GRID

    def col(v: Any) -> Any:
        return v[..., None] if ops is np else ops.shape_padright(v)

    if ops is np:
        capability, discrimination, horizon_slope, horizon_offset = (
            np.asarray(v, dtype=float)
            for v in (capability, discrimination, horizon_slope, horizon_offset)
        )
    log_median = ops.log(task_length_median) / _LN10
    z = (grid - col(log_median)) / col(task_length_spread)
    weights = _softmax_last(grid * _LN10 - 0.5 * z**2, ops)
    logit_p = col(discrimination) * (
        col(capability - realism_offset - horizon_offset) - col(horizon_slope) * grid
    )
    threshold = ops.log(reliability_threshold) - ops.log1p(-reliability_threshold)
    done = _sigmoid(logit_p, ops) * _sigmoid((logit_p - col(threshold)) / GATE_WIDTH_LOGIT, ops)
    return (weights * done).sum(axis=-1)


class UpliftLink(Protocol):
    """Interface of an uplift link.

    Attributes
    ----------
    name
        ``"amdahl"`` or ``"direct"``.
    parameter_names
        Dotted names of the elicited priors the link uses (keys of ``params``).
    needs_task_curve
        Whether :meth:`uplift` needs a :class:`TaskCurve`.
    """

    name: str
    parameter_names: tuple[str, ...]
    needs_task_curve: bool

    def uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """Uplift factor (>= 1), shape of ``capability`` broadcast with the parameters."""
        ...

    def sample_prior(self, *, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
        """Independent prior draws of every parameter, each shape (size,)."""
        ...


@dataclass(frozen=True)
class _BaseLink:
    priors: ElicitedPriors

    def sample_prior(self, *, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
        return {
            name: self.priors[name].sample(rng=rng, size=size)
            for name in self.parameter_names  # type: ignore[attr-defined]
        }


@dataclass(frozen=True)
class AmdahlLink(_BaseLink):
    """Mechanistic link: Amdahl's law over the time-weighted task-length distribution."""

    name: str = "amdahl"
    parameter_names: tuple[str, ...] = (
        "amdahl.task_length_median",
        "amdahl.task_length_spread",
        "amdahl.speed_advantage",
        "amdahl.reliability_threshold",
        "amdahl.realism_offset",
    )
    needs_task_curve: bool = True

    def uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """Amdahl speed-up; see the module docstring.

        Parameters
        ----------
        capability
            Dex of effective compute, shape ``(...)``.
        params
            Draws of :attr:`parameter_names`, each broadcastable to ``capability``.
        task_curve
            Cyber task curve of the reference suite (arrays broadcastable likewise).
        """
        if task_curve is None:
            raise RiskmodelError("the amdahl link needs the cyber task curve (task_curve=)")
        share = amdahl_share(
            capability,
            discrimination=task_curve.discrimination,
            horizon_slope=task_curve.horizon_slope,
            horizon_offset=task_curve.horizon_offset,
            task_length_median=params["amdahl.task_length_median"],
            task_length_spread=params["amdahl.task_length_spread"],
            reliability_threshold=params["amdahl.reliability_threshold"],
            realism_offset=params["amdahl.realism_offset"],
            ops=ops,
        )
        return amdahl_speedup(share, params["amdahl.speed_advantage"])


@dataclass(frozen=True)
class DirectLink(_BaseLink):
    """Elicited curve: ``ln(uplift - 1)`` linear in capability with a positive slope."""

    name: str = "direct"
    parameter_names: tuple[str, ...] = ("direct.uplift_at_low", "direct.uplift_at_high")
    needs_task_curve: bool = False

    def uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """Direct uplift curve; ``task_curve`` is ignored. Shapes as for the Amdahl link."""
        low = ops.log(params["direct.uplift_at_low"] - 1.0)
        high = ops.log(params["direct.uplift_at_high"] - 1.0)
        span = self.priors.capability_high - self.priors.capability_low
        raw = ((high - low) / span - MIN_SLOPE) / SLOPE_SMOOTHING
        if ops is np:
            slope = MIN_SLOPE + SLOPE_SMOOTHING * np.logaddexp(0.0, raw)
        else:
            slope = MIN_SLOPE + SLOPE_SMOOTHING * ops.softplus(raw)
        return 1.0 + ops.exp(low + slope * (capability - self.priors.capability_low))


def make_link(name: str, *, priors: ElicitedPriors) -> UpliftLink:
    """The link called ``name`` (``"amdahl"`` or ``"direct"``).

    Raises
    ------
    ConfigError
        For an unknown name (the message names the ``link`` key).
    """
    if name == "amdahl":
        return AmdahlLink(priors=priors)
    if name == "direct":
        return DirectLink(priors=priors)
    raise ConfigError(f"unknown uplift link '{name}' (key 'link'); choose {', '.join(LINK_NAMES)}")
