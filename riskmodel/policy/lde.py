"""The pre-training limited duty exemption (LDE): is "lower on all benchmarks" passable?

SB-1047 as introduced let a developer exempt a covered model before training if it will
have lower performance on *all* relevant benchmarks than an existing non-covered (or
exempt) model. The commentary's proposal 4 argues that with many noisy benchmarks even a
genuinely weaker model often scores higher on at least one, so the test should be
relaxed (``../shared/DOMAIN.md`` sections 1, 2 and 4). This module computes how often a
model with a given true capability gap passes the strict rule and two relaxed rules.

Model
-----
Capability is measured in dex of effective compute (``ARCHITECTURE.md``). The true gap
``gap`` (dex) is the reference model's capability minus the new model's: ``gap > 0`` means
the new model is genuinely weaker. Each of the ``K`` relevant benchmarks measures the gap
with error::

    measured_k = gap + e_k,
    e_k = sqrt(rho) * noise_sd * z + sqrt(1 - rho) * noise_sd * u_k,

with ``z`` and ``u_1 .. u_K`` independent standard normal: every ``e_k`` has standard
deviation ``noise_sd`` (dex) and any two have correlation ``rho`` (a shared component ``z``,
e.g. an evaluation harness or prompt format that favours one model everywhere).
A claim is judged by one of the :data:`RULES`:

``"all"`` (the bill, strict)
    pass iff every ``measured_k > margin``;
``"mean"`` (relaxed)
    pass iff ``mean_k measured_k > margin``;
``"share"`` (relaxed)
    pass iff at least a fraction ``share`` of the ``measured_k`` exceed ``margin``,
    i.e. at least :func:`required_passes` of them (``share = 0.5`` accepts a tie, half of
    an even number of benchmarks).

"all" implies both relaxed rules (if every measured gap exceeds the margin, so do their
mean and any share of them), so the strict pass probability is never above either
relaxed one. With ``K = 1`` the three rules coincide.

Exact probabilities
-------------------
Write ``c = (gap - margin) / (noise_sd * sqrt(1 - rho))`` and ``b = sqrt(rho / (1 - rho))``.
Given ``z``, the benchmarks pass independently, each with probability
``p(z) = Phi(c + b z)``, so the number passing is Binomial(K, p(z)) and the probability
of at least ``j`` passes is the regularised incomplete beta function
``f(p) = I_p(j, K - j + 1)`` ("all" is ``j = K``, where ``f(p) = p**K``). Then

* ``"all"`` and ``"share"``: ``P = E_z[f(Phi(c + b z))]``; for ``rho = 0`` this is exact
  in closed form (``Phi(c)**K`` for "all");
* ``"mean"``: ``P = Phi((gap - margin) / (noise_sd * sqrt(rho + (1 - rho) / K)))``.

For ``rho > 0`` the expectation over ``z`` is a Gauss-Hermite sum over
``max(GH_NODES, GH_NODES_PER_BENCHMARK * K)`` nodes. When ``b <= 1`` (``rho <= 0.5``) the
integrand is smooth in ``z`` and is summed as written. When ``b > 1`` it is a steep step
in ``z`` (width ``1 / b``), so the expectation is taken over the other variable after
integrating by parts:
``P = 1 - E_x[Phi((x - c) / b) * f'(Phi(x))]`` with ``x`` standard normal and ``f'`` the
Beta(j, K - j + 1) density, which is smooth in ``x`` for ``b > 1``. Node counts grow with
``K`` because for the "share" rule ``f'(Phi(x))`` is a bump of width about
``1.25 / sqrt(K)`` (the spread of a sample median). Against adaptive quadrature the
absolute error was below 1e-9 over ``K <= 200``, ``1e-4 <= rho <= 0.999``, thresholds
``j`` spread over ``1 .. K`` and ``|c| <= 12``; ``tests/test_lde.py`` checks 1e-6 on
the hardest cases.

Defaults
--------
:data:`DEFAULT_NOISE_SD` (0.15 dex) is elicited, not fitted: the measurement error of one
benchmark's comparison of two models, i.e. item-sampling noise of the two scores plus
prompt and harness sensitivity (a few points of score), divided by a typical benchmark
slope of 10-30 points of score per dex in the mid-range; this gives roughly 0.1-0.2 dex
for benchmarks of several hundred items or more. A rough cross-check against the shipped
capability fit (data vintage 2025-02-27; posterior medians at each curve's midpoint):
item sampling alone gives 0.02-0.18 dex for the gap on MMLU, HellaSwag, GSM8K, ARC and
Winogrande but 0.3-0.8 dex on the 40-164 item suites (HumanEval, Cybench); the fit's whole
per-model, per-benchmark deviation (beta-binomial overdispersion, which also contains
genuine differences in capability profile such as a code-heavy data mix) gives about
0.25-0.3 dex for the gap on the broad benchmarks and about 1 dex on GSM8K and HumanEval.
If such profile differences count against the claim, 0.15 dex understates how often the
strict rule fails; vary ``noise_sd`` (the table takes several values).
:data:`DEFAULT_N_BENCHMARKS` (10) is a plausible count of "relevant benchmarks" in a
frontier-model report. :data:`DEFAULT_CORRELATION` (0) treats benchmarks as independent:
item sampling is independent across benchmarks; shared harness or prompt effects would
make ``rho`` positive, which raises the strict pass probability (for a 0.1 dex gap and
ten benchmarks at 0.15 dex noise, from 0.05 at ``rho = 0`` to 0.15 at ``rho = 0.2``).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import xarray as xr
from numpy.typing import ArrayLike
from scipy import special

from riskmodel.errors import ConfigError

__all__ = [
    "RULES",
    "DEFAULT_NOISE_SD",
    "DEFAULT_N_BENCHMARKS",
    "DEFAULT_CORRELATION",
    "DEFAULT_SHARE",
    "GH_NODES",
    "GH_NODES_PER_BENCHMARK",
    "required_passes",
    "pass_probability",
    "simulate_pass_rate",
    "all_benchmarks_table",
]

#: Decision rules of the pre-training test: the bill's strict rule first.
RULES = ("all", "mean", "share")
#: Measurement noise of one benchmark's comparison of two models (dex, elicited 0.1-0.2).
DEFAULT_NOISE_SD = 0.15
#: Number of "relevant benchmarks" a pre-training claim is compared on.
DEFAULT_N_BENCHMARKS = 10
#: Correlation of the measurement errors of two benchmarks (independent benchmarks).
DEFAULT_CORRELATION = 0.0
#: Fraction of benchmarks the "share" rule requires (at least half).
DEFAULT_SHARE = 0.5
#: Minimum number of Gauss-Hermite nodes for the integral over the shared component.
GH_NODES = 128
#: Gauss-Hermite nodes per benchmark (used when larger than ``GH_NODES``).
GH_NODES_PER_BENCHMARK = 8
#: Cap on elements of one (points x nodes) quadrature block, to bound memory.
_BLOCK_ELEMENTS = 2_000_000


# --- validation ------------------------------------------------------------------------


def _as_float_array(value: ArrayLike, name: str) -> np.ndarray:
    if isinstance(value, str | bytes):
        raise ConfigError(f"{name} must be a number or an array of numbers, got {value!r}")
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{name} must be a number or an array of numbers, got {value!r}") from err
    if np.asarray(value).dtype == np.bool_:
        raise ConfigError(f"{name} must be a number, not a boolean")
    return array


def _check_gap(gap: ArrayLike) -> np.ndarray:
    array = _as_float_array(gap, "gap")
    if np.isnan(array).any():
        raise ConfigError("gap must not be NaN (dex; +-inf are allowed and mean a sure pass/fail)")
    return array


def _check_n_benchmarks(n_benchmarks: ArrayLike) -> np.ndarray:
    array = _as_float_array(n_benchmarks, "n_benchmarks")
    if not np.isfinite(array).all() or (array != np.round(array)).any() or (array < 1).any():
        raise ConfigError(f"n_benchmarks must be whole numbers >= 1, got {n_benchmarks!r}")
    return array.astype(np.int64)


def _check_noise_sd(noise_sd: ArrayLike) -> np.ndarray:
    array = _as_float_array(noise_sd, "noise_sd")
    if not np.isfinite(array).all() or (array <= 0).any():
        raise ConfigError(f"noise_sd must be finite and > 0 (dex), got {noise_sd!r}")
    return array


def _check_scalar(value: ArrayLike, name: str) -> float:
    array = _as_float_array(value, name)
    if array.ndim != 0:
        raise ConfigError(f"{name} must be a single number, got an array of shape {array.shape}")
    return float(array)


def _check_correlation(correlation: ArrayLike) -> float:
    rho = _check_scalar(correlation, "correlation")
    if not 0.0 <= rho < 1.0:
        raise ConfigError(f"correlation must satisfy 0 <= correlation < 1, got {correlation!r}")
    return rho


def _check_margin(margin: ArrayLike) -> float:
    value = _check_scalar(margin, "margin")
    if not math.isfinite(value):
        raise ConfigError(f"margin must be finite (dex), got {margin!r}")
    return value


def _check_share(share: ArrayLike) -> float:
    value = _check_scalar(share, "share")
    if not 0.0 < value <= 1.0:
        raise ConfigError(f"share must satisfy 0 < share <= 1, got {share!r}")
    return value


def _check_rule(rule: object) -> str:
    if not isinstance(rule, str) or rule not in RULES:
        raise ConfigError(f"rule must be one of {', '.join(RULES)}; got {rule!r}")
    return rule


def _broadcast(
    gap: ArrayLike, n_benchmarks: ArrayLike, noise_sd: ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = _check_gap(gap)
    k = _check_n_benchmarks(n_benchmarks)
    s = _check_noise_sd(noise_sd)
    try:
        return np.broadcast_arrays(g, k, s)
    except ValueError as err:
        raise ConfigError(
            f"gap, n_benchmarks and noise_sd do not broadcast together: shapes {g.shape}, "
            f"{k.shape} and {s.shape}"
        ) from err


# --- exact probabilities ---------------------------------------------------------------


def required_passes(n_benchmarks: ArrayLike, share: float = DEFAULT_SHARE) -> np.ndarray:
    """Smallest number of passing benchmarks ``j`` with ``j / K >= share``.

    Parameters
    ----------
    n_benchmarks
        ``K``, whole numbers >= 1 (any shape).
    share
        Required fraction, ``0 < share <= 1``.

    Returns
    -------
    numpy.ndarray
        int64, same shape as ``n_benchmarks``, in ``1 .. K``. The comparison is the
        floating-point ``j / K >= share``, so ``share = 0.3`` with ``K = 10`` needs 3.
    """
    k = _check_n_benchmarks(n_benchmarks)
    q = _check_share(share)
    j = np.clip(np.ceil(q * k).astype(np.int64), 1, k)
    j = np.where((j > 1) & ((j - 1) / k >= q), j - 1, j)
    return np.where(j / k < q, np.minimum(j + 1, k), j)


@lru_cache(maxsize=32)
def _hermite(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss-Hermite nodes and weights for the standard normal (weights sum to one)."""
    x, w = special.roots_hermitenorm(n)
    return x, w / w.sum()


def _at_least(j: ArrayLike, k: ArrayLike, p: np.ndarray) -> np.ndarray:
    """P(Binomial(k, p) >= j) for 1 <= j <= k (broadcasting)."""
    return special.betainc(j, k - j + 1, p)


def _integrate_shared(c: np.ndarray, j: int, k: int, b: float) -> np.ndarray:
    """E_z[P(Binomial(k, Phi(c + b z)) >= j)] for 1-d ``c`` by Gauss-Hermite quadrature."""
    x, w = _hermite(max(GH_NODES, GH_NODES_PER_BENCHMARK * k))
    out = np.empty(c.shape)
    block = max(1, _BLOCK_ELEMENTS // x.size)
    if b > 1.0:
        log_pdf = (
            (j - 1) * special.log_ndtr(x)
            + (k - j) * special.log_ndtr(-x)
            - special.betaln(j, k - j + 1)
        )
        weighted = w * np.exp(log_pdf)
    for start in range(0, c.size, block):
        cs = c[start : start + block, None]
        if b <= 1.0:
            out[start : start + block] = _at_least(j, k, special.ndtr(cs + b * x)) @ w
        else:
            out[start : start + block] = 1.0 - special.ndtr((x - cs) / b) @ weighted
    return np.clip(out, 0.0, 1.0)


def pass_probability(
    gap: ArrayLike,
    *,
    n_benchmarks: ArrayLike,
    noise_sd: ArrayLike,
    rule: str = "all",
    correlation: float = 0.0,
    margin: float = 0.0,
    share: float = DEFAULT_SHARE,
) -> np.ndarray:
    """Probability that a pre-training LDE claim passes the benchmark comparison.

    Parameters
    ----------
    gap
        True capability gap, reference minus new model (dex of effective compute; > 0:
        the new model is genuinely weaker). Array-like; ``+-inf`` allowed, NaN refused.
    n_benchmarks
        Number of relevant benchmarks ``K`` (whole numbers >= 1), array-like.
    noise_sd
        Measurement noise of one benchmark's measured gap (dex, > 0), array-like.
    rule
        ``"all"`` (strict, the bill), ``"mean"`` or ``"share"`` (relaxed); see the module
        docstring.
    correlation
        Correlation ``rho`` of two benchmarks' errors, ``0 <= rho < 1`` (scalar).
    margin
        Measured gap a benchmark (or the mean) must exceed (dex, scalar).
    share
        Fraction of benchmarks the ``"share"`` rule requires, ``0 < share <= 1``.

    Returns
    -------
    numpy.ndarray
        Pass probability, shape ``broadcast(gap, n_benchmarks, noise_sd)`` (0-d for
        scalars). Exact in closed form for ``"mean"`` and for ``rho = 0``; otherwise by
        Gauss-Hermite quadrature, accurate to 1e-6 (absolute).

    Raises
    ------
    ConfigError
        An input out of range, naming the parameter.
    """
    rule = _check_rule(rule)
    g, k, s = _broadcast(gap, n_benchmarks, noise_sd)
    rho = _check_correlation(correlation)
    m = _check_margin(margin)
    q = _check_share(share)
    excess = g - m
    if rule == "mean":
        return np.asarray(special.ndtr(excess / (s * np.sqrt(rho + (1.0 - rho) / k))))
    c = excess / (s * math.sqrt(1.0 - rho))
    j = k if rule == "all" else required_passes(k, q)
    if rho == 0.0:
        return np.asarray(_at_least(j, k, special.ndtr(c)))
    b = math.sqrt(rho / (1.0 - rho))
    out = np.empty(c.shape)
    for kk in np.unique(k):
        sel = k == kk
        jj = int(j[sel].flat[0])
        out[sel] = _integrate_shared(c[sel], jj, int(kk), b)
    return out


# --- Monte Carlo ------------------------------------------------------------------------


def simulate_pass_rate(
    gap: ArrayLike,
    *,
    n_benchmarks: ArrayLike,
    noise_sd: ArrayLike,
    rule: str,
    correlation: float = 0.0,
    margin: float = 0.0,
    share: float = DEFAULT_SHARE,
    n_sims: int = 100_000,
    rng: np.random.Generator,
) -> np.ndarray:
    """Monte Carlo estimate of :func:`pass_probability` (used to test it).

    Simulates the measured gaps of the module docstring directly and applies the rule
    literally (for ``"share"``: fraction of measured gaps above the margin ``>= share``).

    Parameters
    ----------
    gap, n_benchmarks, noise_sd, rule, correlation, margin, share
        As in :func:`pass_probability`.
    n_sims
        Simulated claims per element (>= 1).
    rng
        Random generator.

    Returns
    -------
    numpy.ndarray
        Fraction of simulated claims that pass, shape
        ``broadcast(gap, n_benchmarks, noise_sd)``; its Monte Carlo standard error is
        ``sqrt(p * (1 - p) / n_sims)``.
    """
    rule = _check_rule(rule)
    g, k, s = _broadcast(gap, n_benchmarks, noise_sd)
    rho = _check_correlation(correlation)
    m = _check_margin(margin)
    q = _check_share(share)
    if isinstance(n_sims, bool) or not isinstance(n_sims, numbers.Integral) or n_sims < 1:
        raise ConfigError(f"n_sims must be a whole number >= 1, got {n_sims!r}")
    if not isinstance(rng, np.random.Generator):
        raise ConfigError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    out = np.empty(g.shape)
    for idx in np.ndindex(g.shape):
        kk = int(k[idx])
        block = max(1, _BLOCK_ELEMENTS // kk)
        passed = 0
        for start in range(0, n_sims, block):
            size = min(block, n_sims - start)
            shared = rng.standard_normal((size, 1))
            own = rng.standard_normal((size, kk))
            errors = s[idx] * (math.sqrt(rho) * shared + math.sqrt(1.0 - rho) * own)
            measured = g[idx] + errors
            if rule == "all":
                ok = (measured > m).all(axis=1)
            elif rule == "mean":
                ok = measured.mean(axis=1) > m
            else:
                ok = (measured > m).sum(axis=1) / kk >= q
            passed += int(ok.sum())
        out[idx] = passed / n_sims
    return out


# --- the analysis table ----------------------------------------------------------------


def _check_axis(
    values: ArrayLike, name: str, check: Callable[[ArrayLike], np.ndarray]
) -> np.ndarray:
    array = check(values)
    if array.ndim != 1 or array.size == 0:
        raise ConfigError(f"{name} must be a non-empty 1-d sequence, got shape {array.shape}")
    if np.unique(array).size != array.size:
        raise ConfigError(f"{name} must not repeat values, got {list(array)}")
    return array


def all_benchmarks_table(
    *,
    gaps: Sequence[float],
    n_benchmarks: Sequence[int],
    noise_sds: Sequence[float],
    rules: Sequence[str] = ("all", "mean"),
    correlation: float = 0.0,
    margin: float = 0.0,
    share: float = DEFAULT_SHARE,
) -> xr.Dataset:
    """Pass probabilities of the pre-training LDE test over a grid of cases.

    The analysis behind proposal 4: the probability that a genuinely weaker model
    (``gap > 0``) passes the strict "all benchmarks" rule falls quickly with the number
    of benchmarks, while the relaxed rules' does not (the mean rule's rises).
    Negative gaps give the probability that a genuinely stronger model passes.

    Parameters
    ----------
    gaps
        True gaps (dex; > 0: new model weaker), 1-d, distinct.
    n_benchmarks
        Numbers of benchmarks (whole numbers >= 1), 1-d, distinct.
    noise_sds
        Per-benchmark measurement noise (dex, > 0), 1-d, distinct.
    rules
        Rules from :data:`RULES`, distinct.
    correlation, margin, share
        As in :func:`pass_probability`.

    Returns
    -------
    xarray.Dataset
        Variable ``pass_probability`` (probability) with dims
        ``(rule, noise_sd, n_benchmarks, gap)``; attributes record ``correlation``,
        ``margin`` and ``share``.
    """
    gap_axis = _check_axis(gaps, "gaps", _check_gap)
    k_axis = _check_axis(n_benchmarks, "n_benchmarks", _check_n_benchmarks)
    sd_axis = _check_axis(noise_sds, "noise_sds", _check_noise_sd)
    if isinstance(rules, str) or len(rules) == 0:
        raise ConfigError(f"rules must be a non-empty sequence of rule names, got {rules!r}")
    rule_axis = [_check_rule(r) for r in rules]
    if len(set(rule_axis)) != len(rule_axis):
        raise ConfigError(f"rules must not repeat values, got {list(rules)}")
    rho = _check_correlation(correlation)
    m = _check_margin(margin)
    q = _check_share(share)
    values = np.stack(
        [
            pass_probability(
                gap_axis[None, None, :],
                n_benchmarks=k_axis[None, :, None],
                noise_sd=sd_axis[:, None, None],
                rule=r,
                correlation=rho,
                margin=m,
                share=q,
            )
            for r in rule_axis
        ]
    )
    return xr.Dataset(
        {
            "pass_probability": (
                ("rule", "noise_sd", "n_benchmarks", "gap"),
                values,
                {
                    "units": "probability",
                    "long_name": "probability that the pre-training LDE claim passes",
                },
            )
        },
        coords={
            "rule": ("rule", rule_axis, {"long_name": "decision rule ('all' = the bill)"}),
            "noise_sd": (
                "noise_sd",
                sd_axis,
                {"units": "dex", "long_name": "per-benchmark measurement noise"},
            ),
            "n_benchmarks": (
                "n_benchmarks",
                k_axis,
                {"units": "count", "long_name": "number of relevant benchmarks"},
            ),
            "gap": (
                "gap",
                gap_axis,
                {"units": "dex", "long_name": "true capability gap (reference minus new)"},
            ),
        },
        attrs={
            "correlation": rho,
            "margin": m,
            "share": q,
            "description": (
                "Pre-training limited duty exemption: probability that a model with the "
                "given true gap passes the benchmark comparison (riskmodel.policy.lde)."
            ),
        },
    )
