"""Links from capability to uplift (speed-up of a competent offensive-cyber team).

Two links share one interface (:class:`UpliftLink`), selected by name with
:func:`make_link`: ``"amdahl"`` (mechanistic) or ``"direct"`` (elicited curve). Both map
capability draws (dex of effective compute, any shape ``(...)``) and link-parameter draws
(broadcastable to the same shape, typically ``(sample,)``) to an uplift factor >= 1
(1 = no effect). The same code runs on numpy arrays and on pytensor tensors (``ops`` is
``numpy`` or ``pytensor.tensor``), so the PyMC model evaluates exactly these formulas.

Amdahl link
-----------
Task lengths of the delegable units of a team's work: ``log10 m ~ Normal(log10 median,
spread)`` (human minutes). Long tasks take more of the team's time, so the share of the
team's *time* spent on tasks of length ``10**x`` is the time-weighted density
``∝ 10**x * phi((x - log10 median) / spread)``, which is again normal, with centre
``log10 median + spread**2 * ln(10)`` and the same spread; it is integrated exactly by
Gauss-Hermite quadrature (:data:`LENGTH_NODES` nodes, no grid edge, no truncation).
A task of length ``10**x`` has difficulty ``offset + slope * x + e`` with the fitted task
scatter ``e ~ Normal(0, task_scatter)`` of the cyber domain (integrated over with
:data:`SCATTER_NODES` nodes: a random task, not a typical one), so the model succeeds on
it with ``p = logistic(alpha * (capability - realism_offset - offset - slope * x - e))``
(``alpha``, ``slope``, ``offset`` and ``task_scatter`` from the cyber task curve of the
fit, :class:`TaskCurve`). A task counts as done by the model with
``g(p) = p * logistic((logit p - logit r) / GATE_WIDTH_LOGIT)`` (expected success, gated
softly at the reliability threshold ``r``). The time-weighted share of work the model
completes is ``s = E[g(p)]`` in [0, 1], and the team's time with the model is
``(1 - s) + s / k + o``: Amdahl's law with speed advantage ``k > 1`` on delegated work
plus an overhead ``o >= 0`` (prompting, reviewing, repairing failed delegations; a
fraction of the original time). Uplift ``1 / ((1 - s) + s / k + o)`` lies between
``1 / (1 + o)`` (a slowdown, as observed in the METR 2025 developer study) and ``k``.

Direct link
-----------
``uplift(c) = 1 / (1 / (1 + exp(l_low + b * (c - c_low))) + o)`` (the same overhead
``o`` as the Amdahl link, so a weak model can slow a team down), with ``l_low = ln(U_low - 1)`` and
``l_high = ln(U_high - 1)`` the elicited uplifts at capabilities ``c_low`` < ``c_high``
and slope ``b = smooth_max(MIN_SLOPE, (l_high - l_low) / (c_high - c_low))`` (ln-uplift
per dex), a softplus with temperature :data:`SLOPE_SMOOTHING`. The two anchors are
independent a priori, so the floor :data:`MIN_SLOPE` keeps the curve increasing and
tending to 1 as capability falls when a draw puts the high anchor below the low one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

import numpy as np
from scipy.special import expit

from riskmodel.capability.data import TASK_DOMAINS
from riskmodel.capability.predict import PosteriorView
from riskmodel.errors import ConfigError, RiskmodelError
from riskmodel.uplift.elicitation import LINK_NAMES, ElicitedPriors

__all__ = [
    "LENGTH_NODES",
    "SCATTER_NODES",
    "GATE_WIDTH_LOGIT",
    "OVERHEAD_PRIOR",
    "with_overhead",
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

#: Gauss-Hermite nodes over the time-weighted task-length distribution (exact for its
#: normal density in log10 minutes; the integrand is a smooth function of length).
LENGTH_NODES = 32
#: Gauss-Hermite nodes over the task scatter of difficulty at a given length.
SCATTER_NODES = 9
_LENGTH_Z, _LENGTH_W = np.polynomial.hermite_e.hermegauss(LENGTH_NODES)
_LENGTH_W = _LENGTH_W / _LENGTH_W.sum()
_SCATTER_Z, _SCATTER_W = np.polynomial.hermite_e.hermegauss(SCATTER_NODES)
_SCATTER_W = _SCATTER_W / _SCATTER_W.sum()
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
#: Elicited prior of the overhead ``o`` shared by both links.
OVERHEAD_PRIOR = "overhead.time_fraction"


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
    task_scatter
        ``task_scatter`` of the cyber domain (dex of difficulty among tasks of one
        length); same shape (0: every task of a length is typical).
    """

    discrimination: np.ndarray
    horizon_slope: np.ndarray
    horizon_offset: np.ndarray
    suite: str
    task_scatter: np.ndarray | float = 0.0

    def point(self) -> TaskCurve:
        """Posterior medians (scalars), for a model that treats the curve as fixed."""
        return TaskCurve(
            discrimination=np.asarray(np.median(self.discrimination)),
            horizon_slope=np.asarray(np.median(self.horizon_slope)),
            horizon_offset=np.asarray(np.median(self.horizon_offset)),
            suite=self.suite,
            task_scatter=np.asarray(np.median(self.task_scatter)),
        )

    def take(self, index: np.ndarray | slice) -> TaskCurve:
        """The draws at ``index`` (arrays of shape (sample,))."""
        scatter = np.broadcast_to(
            np.asarray(self.task_scatter, dtype=float), self.horizon_slope.shape
        )
        return TaskCurve(
            discrimination=self.discrimination[index],
            horizon_slope=self.horizon_slope[index],
            horizon_offset=self.horizon_offset[index],
            suite=self.suite,
            task_scatter=scatter[index],
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
        task_scatter=view.values("task_scatter")[:, d],
    )


#: numpy as an ``ops`` namespace of :func:`amdahl_share` that takes the broadcast
#: formula rather than the compiled loop (what tests compare the compiled loop with).
_BROADCAST_NUMPY = SimpleNamespace(
    log=np.log,
    log1p=np.log1p,
    sigmoid=expit,
    shape_padright=lambda v: np.asarray(v, dtype=float)[..., None],
)


def _sigmoid(x: Any, ops: Any) -> Any:
    return expit(x) if ops is np else ops.sigmoid(x)


def _softmax_last(x: Any, ops: Any) -> Any:
    """Softmax over the last axis (numpy or pytensor)."""
    x = x - x.max(axis=-1, keepdims=True)
    e = ops.exp(x)
    return e / e.sum(axis=-1, keepdims=True)


def with_overhead(raw_uplift: Any, overhead: Any) -> Any:
    """Uplift after the overhead ``o`` of using a model: ``1 / (1 / raw + o)`` (the
    team's time with the model is the raw time plus ``o`` of the original)."""
    return 1.0 / (1.0 / raw_uplift + overhead)


def amdahl_speedup(share: Any, speed_advantage: Any) -> Any:
    """Amdahl's law: ``1 / ((1 - s) + s / k)`` for work share ``s`` and speed advantage
    ``k`` (the overhead is applied on top by :func:`with_overhead`)."""
    return 1.0 / ((1.0 - share) + share / speed_advantage)


def time_weighted_centre(task_length_median: Any, task_length_spread: Any, ops: Any = np) -> Any:
    """Centre (log10 human minutes) of the time-weighted task-length distribution:
    ``log10 median + spread**2 * ln(10)``."""
    return ops.log(task_length_median) / _LN10 + task_length_spread**2 * _LN10


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
    task_scatter: Any = 0.0,
    ops: Any = np,
) -> Any:
    """Time-weighted share of a team's work the model completes (see module docstring).

    All arguments broadcast against each other (shape ``(...)``); the quadrature nodes
    are trailing axes that are summed out. Returns the share in [0, 1], shape ``(...)``.
    On numpy arrays (``ops=np``) the sums run compiled
    (:mod:`riskmodel.uplift._share_kernel`, ~10x faster, equal to a few units in the
    last place). Other ``ops`` (``pytensor.tensor`` in the PyMC uplift model, or
    :data:`_BROADCAST_NUMPY`) evaluate it as one broadcast formula.
    """
    if ops is np:
        from riskmodel.uplift._share_kernel import work_share

        values = (
            capability, discrimination, horizon_slope, horizon_offset, task_scatter,
            task_length_median, task_length_spread, reliability_threshold, realism_offset,
        )  # fmt: skip
        (
            capability, discrimination, horizon_slope, horizon_offset, task_scatter,
            task_length_median, task_length_spread, reliability_threshold, realism_offset,
        ) = (np.asarray(v, dtype=float) for v in values)  # fmt: skip
        return work_share(
            location=capability - realism_offset - horizon_offset,
            discrimination=discrimination,
            slope=horizon_slope,
            centre=time_weighted_centre(task_length_median, task_length_spread),
            spread=task_length_spread,
            logit_scatter=discrimination * task_scatter,
            threshold=np.log(reliability_threshold) - np.log1p(-reliability_threshold),
            gate_width=GATE_WIDTH_LOGIT,
            length_nodes=(_LENGTH_Z, _LENGTH_W),
            scatter_nodes=(_SCATTER_Z, _SCATTER_W),
        )

    def col(v: Any) -> Any:
        return ops.shape_padright(v)

    centre = time_weighted_centre(task_length_median, task_length_spread, ops)
    x = col(centre) + col(task_length_spread) * _LENGTH_Z  # (..., length)
    mean_logit = col(discrimination) * (
        col(capability - realism_offset - horizon_offset) - col(horizon_slope) * x
    )
    logit_p = col(mean_logit) - col(col(discrimination * task_scatter)) * _SCATTER_Z
    threshold = ops.log(reliability_threshold) - ops.log1p(-reliability_threshold)
    gate = _sigmoid((logit_p - col(col(threshold))) / GATE_WIDTH_LOGIT, ops)
    done = _sigmoid(logit_p, ops) * gate  # (..., length, scatter)
    return ((done * _SCATTER_W).sum(axis=-1) * _LENGTH_W).sum(axis=-1)


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
        """Uplift factor (> 0; below 1 a slowdown), shape of ``capability`` broadcast
        with the parameters: :meth:`raw_uplift` after the overhead (:func:`with_overhead`)."""
        ...

    def raw_uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """Uplift before the overhead of using the model (>= 1)."""
        ...

    def sample_prior(self, *, rng: np.random.Generator, size: int) -> dict[str, np.ndarray]:
        """Independent prior draws of every parameter, each shape (size,)."""
        ...


@dataclass(frozen=True)
class _BaseLink:
    priors: ElicitedPriors

    def uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """The link's raw uplift after the overhead of using a model (both links)."""
        raw = self.raw_uplift(  # type: ignore[attr-defined]
            capability, params, task_curve=task_curve, ops=ops
        )
        return with_overhead(raw, params[OVERHEAD_PRIOR])

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
        OVERHEAD_PRIOR,
    )
    needs_task_curve: bool = True

    def raw_uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """Amdahl speed-up before the overhead, ``1 / ((1 - s) + s / k)``.

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
            task_scatter=task_curve.task_scatter,
            ops=ops,
        )
        return amdahl_speedup(share, params["amdahl.speed_advantage"])


@dataclass(frozen=True)
class DirectLink(_BaseLink):
    """Elicited curve: ``ln(uplift - 1)`` linear in capability with a positive slope."""

    name: str = "direct"
    parameter_names: tuple[str, ...] = (
        "direct.uplift_at_low",
        "direct.uplift_at_high",
        OVERHEAD_PRIOR,
    )
    needs_task_curve: bool = False

    def raw_uplift(
        self,
        capability: Any,
        params: Mapping[str, Any],
        *,
        task_curve: TaskCurve | None = None,
        ops: Any = np,
    ) -> Any:
        """Direct uplift curve before the overhead; shapes as for the Amdahl link."""
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
