"""The count model of training runs: a Poisson process in (calendar year, log10 FLOP).

See :mod:`riskmodel.world.fit` for the model and its units. This module holds the
intensity (:class:`CountParams`), the maximum-likelihood fit of the intensity to runs
with known compute (:func:`fit_count_model`, with partial years through their
exposure) and the numerical tools shared by every likelihood fit of the world model
(central-difference gradients and Hessians, the Laplace covariance, the optimiser).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, special

from riskmodel.errors import RiskmodelError

__all__ = [
    "REFERENCE_YEAR",
    "REFERENCE_LOG10_FLOP",
    "COUNT_FORMS",
    "COUNT_NAMES",
    "FITTING_SCALE",
    "CountParams",
    "CountModelFit",
    "fit_count_model",
    "exposure_array",
]

#: Year at which ``tau = 0`` (the last full calendar year before the data vintage).
REFERENCE_YEAR = 2024
#: log10 FLOP at which ``u = 0`` (1e25 FLOP, the scale of the 2023-2024 frontier).
REFERENCE_LOG10_FLOP = 25.0
#: Forms of the count model (see :mod:`riskmodel.world.fit`).
COUNT_FORMS = ("curved", "loglinear")
#: Names of the count-model parameters on the natural scale.
COUNT_NAMES = ("alpha", "beta", "gamma", "delta", "mu")
#: Parameters on which the count model is fitted and its Laplace approximation taken.
#: Curved form: ln of the runs per year in 2024 over all compute levels (the
#: untruncated normal shape), their growth (1/year), the 2024 centre of the shape (dex
#: from 1e25), ln delta and mu; this parameterisation is close to orthogonal and its
#: likelihood close to normal (see :mod:`riskmodel.world.fit`). Log-linear form: alpha,
#: beta, ln gamma.
FITTING_SCALE: dict[str, tuple[str, ...]] = {
    "curved": ("log_total", "growth", "centre", "ln_delta", "mu"),
    "loglinear": ("alpha", "beta", "ln_gamma"),
}
#: Relative step of central-difference gradients of a negative log-likelihood.
GRADIENT_STEP = 1e-6
#: Step of central-difference Hessians (parameters are O(1) on the fitted scales).
HESSIAN_STEP = 1e-4
#: Largest absolute gradient component accepted at a maximum-likelihood estimate.
GRADIENT_TOLERANCE = 1e-4
#: Newton iterations polishing an optimum (and iterations of logistic fits).
NEWTON_ITERATIONS = 50
#: Nelder-Mead iteration budget of the count-model fit.
SIMPLEX_ITERATIONS = 20000
_COUNT_NAMES = COUNT_NAMES


def exposure_array(years: Sequence[int], exposure: Mapping[int, float] | None) -> np.ndarray:
    """Observed share of each calendar year (1 unless ``exposure`` says otherwise).

    Raises
    ------
    RiskmodelError
        An exposure outside (0, 1] or for a year not in ``years``.
    """
    exposure = dict(exposure or {})
    unknown = sorted(set(int(y) for y in exposure) - set(int(y) for y in years))
    if unknown:
        raise RiskmodelError(f"exposure given for year(s) {unknown} outside the fitted years")
    out = np.array([float(exposure.get(int(y), 1.0)) for y in years])
    if np.any(~np.isfinite(out)) or np.any(out <= 0) or np.any(out > 1):
        raise RiskmodelError("exposure of a year must be a share in (0, 1]")
    return out


@dataclass(frozen=True)
class CountParams:
    """Count-model parameters (arrays broadcastable against each other, or scalars).

    See :mod:`riskmodel.world.fit` for the intensity. ``delta`` and ``mu`` are ignored by the
    log-linear form.
    """

    form: str
    alpha: Any
    beta: Any
    gamma: Any
    delta: Any
    mu: Any

    def log_density(self, log10_flop: Any, year: Any) -> np.ndarray:
        """ln of the fitted intensity (runs per year per dex of log10 FLOP)."""
        u = np.asarray(log10_flop, dtype=float) - REFERENCE_LOG10_FLOP
        tau = np.asarray(year, dtype=float) - REFERENCE_YEAR
        out = self.alpha + self.beta * tau - self.gamma * u
        if self.form == "curved":
            out = out - 0.5 * self.delta * (u - self.mu * tau) ** 2
        return out

    def log_count_above(self, log10_flop: Any, year: Any) -> np.ndarray:
        """ln of the expected runs per year at or above ``log10_flop`` (fitted intensity)."""
        u = np.asarray(log10_flop, dtype=float) - REFERENCE_LOG10_FLOP
        tau = np.asarray(year, dtype=float) - REFERENCE_YEAR
        if self.form == "loglinear":
            return self.alpha + self.beta * tau - self.gamma * u - np.log(self.gamma)
        centre, sd = self.centre(tau), 1.0 / np.sqrt(self.delta)
        return (
            self.alpha
            + (self.beta - self.gamma * self.mu) * tau
            + self.gamma**2 / (2.0 * self.delta)
            + 0.5 * np.log(2.0 * np.pi / self.delta)
            + special.log_ndtr(-(u - centre) / sd)
        )

    def centre(self, tau: Any) -> np.ndarray:
        """Curved form: centre of the normal shape (dex from 1e25) in year ``tau``."""
        return self.mu * tau - self.gamma / self.delta

    def held_boundary(self, tau: Any) -> np.ndarray:
        """Curved form: ``u`` (dex from 1e25) below which the fitted intensity of year
        ``tau`` has passed its peak over time (meaningful where ``delta * mu > 0``)."""
        return self.mu * tau - self.beta / (self.delta * self.mu)

    def held_log_density(self, u: Any) -> np.ndarray:
        """Curved form: ln of the peak-over-time intensity at ``u`` (log-linear in u)."""
        return (
            self.alpha
            + self.beta**2 / (2.0 * self.delta * self.mu**2)
            + (self.beta / self.mu - self.gamma) * u
        )

    def to_vector(self) -> np.ndarray:
        """The parameters on the fitting scale (see :data:`FITTING_SCALE`)."""
        if self.form == "loglinear":
            return np.array([self.alpha, self.beta, np.log(self.gamma)], dtype=float)
        log_total = (
            self.alpha + self.gamma**2 / (2.0 * self.delta) + 0.5 * np.log(2.0 * np.pi / self.delta)
        )
        values = (
            log_total,
            self.beta - self.gamma * self.mu,
            -self.gamma / self.delta,
            np.log(self.delta),
            self.mu,
        )
        return np.array(values, dtype=float)

    @classmethod
    def from_vector(cls, theta: np.ndarray, form: str) -> CountParams:
        """From the fitting scale (see :data:`FITTING_SCALE`)."""
        if form == "loglinear":
            return cls(form, theta[0], theta[1], np.exp(theta[2]), 0.0, 0.0)
        log_total, growth, centre, log_delta, mu = theta
        delta = np.exp(log_delta)
        gamma = -centre * delta
        alpha = log_total - gamma**2 / (2.0 * delta) - 0.5 * np.log(2.0 * np.pi / delta)
        return cls(form, alpha, growth + gamma * mu, gamma, delta, mu)


def _count_nll(
    theta: np.ndarray,
    form: str,
    x: np.ndarray,
    year: np.ndarray,
    years: np.ndarray,
    floor: float,
    exposure: np.ndarray,
) -> float:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        params = CountParams.from_vector(theta, form)
        value = -(
            np.sum(params.log_density(x, year))
            - np.sum(exposure * np.exp(params.log_count_above(floor, years)))
        )
    return float(value) if np.isfinite(value) else np.inf


def _gradient(f: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    out = np.empty_like(theta)
    for i in range(theta.size):
        h = GRADIENT_STEP * max(1.0, abs(theta[i]))
        e = np.zeros_like(theta)
        e[i] = h
        out[i] = (f(theta + e) - f(theta - e)) / (2 * h)
    return out


def _hessian(f: Callable[[np.ndarray], float], theta: np.ndarray) -> np.ndarray:
    k = theta.size
    h = HESSIAN_STEP
    out = np.empty((k, k))
    f0 = f(theta)
    for i in range(k):
        ei = np.zeros(k)
        ei[i] = h
        out[i, i] = (f(theta + 2 * ei) - 2 * f0 + f(theta - 2 * ei)) / (4 * h * h)
        for j in range(i):
            ej = np.zeros(k)
            ej[j] = h
            value = (
                f(theta + ei + ej) - f(theta + ei - ej) - f(theta - ei + ej) + f(theta - ei - ej)
            ) / (4 * h * h)
            out[i, j] = out[j, i] = value
    return out


def _inverse_pd(hessian: np.ndarray, what: str) -> np.ndarray:
    """Inverse of a positive-definite Hessian (the Laplace covariance)."""
    try:
        chol = np.linalg.cholesky(hessian)
    except np.linalg.LinAlgError:
        raise RiskmodelError(
            f"{what}: the Hessian at the optimum is not positive definite; the parameters "
            "are not identified by these data"
        ) from None
    inv_chol = np.linalg.inv(chol)
    return inv_chol.T @ inv_chol


def _minimise(nll: Callable[[np.ndarray], float], start: np.ndarray, what: str) -> np.ndarray:
    """Nelder-Mead, then Newton steps with backtracking on a numerical Hessian."""
    result = optimize.minimize(
        nll,
        start,
        method="Nelder-Mead",
        options={
            "xatol": 1e-9,
            "fatol": 1e-11,
            "maxiter": SIMPLEX_ITERATIONS,
            "maxfev": 2 * SIMPLEX_ITERATIONS,
        },
    )
    return newton_polish(nll, np.asarray(result.x, dtype=float), what)


def newton_polish(nll: Callable[[np.ndarray], float], theta: np.ndarray, what: str) -> np.ndarray:
    """Newton steps with backtracking on a numerical Hessian from ``theta`` until the
    gradient is below :data:`GRADIENT_TOLERANCE` (at most :data:`NEWTON_ITERATIONS`).

    Raises
    ------
    RiskmodelError
        If the gradient is still above the tolerance (naming ``what``).
    """
    for _ in range(NEWTON_ITERATIONS):
        grad = _gradient(nll, theta)
        if np.max(np.abs(grad)) < GRADIENT_TOLERANCE:
            return theta
        step = _inverse_pd(_hessian(nll, theta), what) @ grad
        current, t = nll(theta), 1.0
        while nll(theta - t * step) > current and t > 1e-8:
            t /= 2
        theta = theta - t * step
    if np.max(np.abs(_gradient(nll, theta))) >= GRADIENT_TOLERANCE:
        raise RiskmodelError(f"{what}: maximum likelihood did not converge")
    return theta


@dataclass(frozen=True, eq=False)
class CountModelFit:
    """Maximum-likelihood fit of the count model with its Laplace covariance.

    Attributes
    ----------
    form
        ``"curved"`` or ``"loglinear"``.
    theta, covariance
        MLE and inverse Hessian on the fitting scale (see :meth:`CountParams.from_vector`).
    log_likelihood
        Maximised log-likelihood (natural log).
    n_runs
        Runs fitted.
    floor_log10_flop, years
        Floor (log10 FLOP) and calendar years of the fit.
    exposure
        Observed share of each of ``years`` (1 for a whole year).
    """

    form: str
    theta: np.ndarray
    covariance: np.ndarray
    log_likelihood: float
    n_runs: int
    floor_log10_flop: float
    years: tuple[int, ...]
    exposure: tuple[float, ...] = ()

    @property
    def n_parameters(self) -> int:
        """Number of free parameters."""
        return int(self.theta.size)

    @property
    def aic(self) -> float:
        """Akaike information criterion, ``2 k - 2 log L``."""
        return 2.0 * self.n_parameters - 2.0 * self.log_likelihood

    @property
    def params(self) -> CountParams:
        """Parameters at the MLE."""
        return CountParams.from_vector(self.theta, self.form)

    def estimates(self) -> dict[str, float]:
        """MLE on the natural scale: alpha, beta, gamma, delta, mu."""
        p = self.params
        return {name: float(getattr(p, name)) for name in _COUNT_NAMES}

    def standard_errors(self) -> dict[str, float]:
        """Laplace standard errors on the fitting scale (``ln delta``, ``ln gamma`` for
        the transformed parameters)."""
        names = FITTING_SCALE[self.form]
        return dict(zip(names, np.sqrt(np.diag(self.covariance)).tolist(), strict=True))

    def draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Laplace draws on the natural scale, each of shape ``(n,)``."""
        theta = rng.multivariate_normal(self.theta, self.covariance, size=n, method="cholesky")
        p = CountParams.from_vector(theta.T, self.form)
        return {
            name: np.broadcast_to(np.asarray(getattr(p, name), dtype=float), (n,)).copy()
            for name in _COUNT_NAMES
        }


def fit_count_model(
    log10_flop: np.ndarray,
    year: np.ndarray,
    *,
    years: Sequence[int],
    floor_log10_flop: float,
    form: str = "curved",
    exposure: Mapping[int, float] | None = None,
) -> CountModelFit:
    """Maximum-likelihood fit of the Poisson count model with Laplace covariance.

    Parameters
    ----------
    log10_flop
        log10 training FLOP of each base run, shape (n,); runs below the floor or outside
        ``years`` are ignored.
    year
        Calendar year of each run's release, shape (n,).
    years
        Calendar years observed (a year without runs still counts: zero runs).
    floor_log10_flop
        Smallest log10 FLOP modelled.
    form
        ``"curved"`` or ``"loglinear"``.
    exposure
        Observed share of a calendar year (e.g. ``{2025: 243 / 365}`` for records up to
        2025-08-31); the expected count of that year is scaled by it. Years not named
        are observed whole.

    Returns
    -------
    CountModelFit

    Raises
    ------
    RiskmodelError
        Unknown form, too few runs, or no interior maximum.
    """
    if form not in COUNT_FORMS:
        raise RiskmodelError(f"unknown count-model form '{form}'; use one of {COUNT_FORMS}")
    x = np.asarray(log10_flop, dtype=float)
    yr = np.asarray(year, dtype=float)
    years_arr = np.asarray(sorted(set(int(y) for y in years)), dtype=float)
    share = exposure_array([int(y) for y in years_arr], exposure)
    keep = (x >= floor_log10_flop) & np.isin(yr, years_arr)
    x, yr = x[keep], yr[keep]
    n_theta = 3 if form == "loglinear" else 5
    if x.size < 2 * n_theta:
        raise RiskmodelError(
            f"count model: {x.size} runs at or above 1e{floor_log10_flop:g} FLOP are too few "
            f"to fit {n_theta} parameters"
        )
    last = years_arr.max()
    start_alpha = math.log(max(1.0, float(np.sum(yr == last)) / share[-1]))
    start = (
        np.array([start_alpha, 0.5, 0.0])
        if form == "loglinear"
        else np.array([start_alpha, 0.3, 0.0, 0.0, 0.5])
    )

    def nll(theta: np.ndarray) -> float:
        return _count_nll(theta, form, x, yr, years_arr, floor_log10_flop, share)

    what = f"count model ({form})"
    theta = _minimise(nll, start, what)
    covariance = _inverse_pd(_hessian(nll, theta), what)
    return CountModelFit(
        form=form,
        theta=theta,
        covariance=covariance,
        log_likelihood=-nll(theta),
        n_runs=int(x.size),
        floor_log10_flop=float(floor_log10_flop),
        years=tuple(int(y) for y in years_arr),
        exposure=tuple(float(e) for e in share),
    )
