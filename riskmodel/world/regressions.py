"""Small regressions of the world fit, fitted without MCMC.

:func:`fit_logistic` (posterior mode and Laplace covariance of a logistic regression
with a weak normal prior, :class:`LaplaceFit`), :func:`logistic_aic` (AIC of
alternative designs) and :func:`fit_cost` (reference-prior Bayesian regression of
log10 cost per FLOP on decimal years, :class:`CostFit`, with exact posterior draws).
Used by :func:`riskmodel.world.fit.fit_world` for developer tier, open weights, the
language share and cost per FLOP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy import special

from riskmodel.errors import RiskmodelError
from riskmodel.world.census import logistic_mode, logistic_prior_precision
from riskmodel.world.counts import _inverse_pd

__all__ = ["CostFit", "LaplaceFit", "fit_cost", "fit_logistic", "logistic_aic"]


@dataclass(frozen=True, eq=False)
class LaplaceFit:
    names: tuple[str, ...]
    mode: np.ndarray
    covariance: np.ndarray
    n_rows: int


def fit_logistic(X: np.ndarray, y: np.ndarray, names: tuple[str, ...], what: str) -> LaplaceFit:
    """Posterior mode and Laplace covariance of a logistic regression (weak normal prior)."""
    theta, converged = logistic_mode(X, y)
    if not converged:
        raise RiskmodelError(f"{what}: logistic regression did not converge")
    p = special.expit(X @ theta)
    hess = (X.T * (p * (1 - p))) @ X + np.diag(logistic_prior_precision(X.shape[1]))
    return LaplaceFit(names, theta, _inverse_pd(hess, what), int(y.size))


def logistic_aic(
    designs: Mapping[str, list[np.ndarray]], y: np.ndarray, what: str
) -> dict[str, float]:
    """AIC of each design (covariate columns, intercept first) fitted to 0/1 ``y``."""
    aic: dict[str, float] = {}
    for name, columns in designs.items():
        X = np.column_stack(columns)
        fit = fit_logistic(X, y, tuple(f"c{i}" for i in range(X.shape[1])), what)
        p = special.expit(X @ fit.mode)
        loglik = float(np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
        aic[name] = 2.0 * X.shape[1] - 2.0 * loglik
    return aic


@dataclass(frozen=True, eq=False)
class CostFit:
    coef: np.ndarray
    xtx_inv: np.ndarray
    s2: float
    nu: int

    def draws(self, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
        sigma2 = self.nu * self.s2 / rng.chisquare(self.nu, size=n)
        z = rng.standard_normal((n, 2)) @ np.linalg.cholesky(self.xtx_inv).T
        coef = self.coef + z * np.sqrt(sigma2)[:, None]
        return {"cost_a": coef[:, 0], "cost_b": coef[:, 1], "cost_s": np.sqrt(sigma2)}


def fit_cost(tau: np.ndarray, y: np.ndarray) -> CostFit:
    """Reference-prior Bayesian regression of log10 cost per FLOP on decimal years."""
    if y.size < 4:
        raise RiskmodelError(f"cost model: {y.size} runs with cost and FLOP are too few")
    X = np.column_stack([np.ones_like(tau), tau])
    xtx_inv = np.linalg.inv(X.T @ X)
    coef = xtx_inv @ X.T @ y
    nu = int(y.size - 2)
    s2 = float(np.sum((y - X @ coef) ** 2) / nu)
    return CostFit(coef, xtx_inv, s2, nu)
