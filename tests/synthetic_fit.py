"""Fits built without MCMC, for the tests of everything downstream of sampling.

:func:`synthetic_fit` returns a ``DataTree`` laid out exactly like a fit from
:func:`riskmodel.capability.sampling.fit_evidence_model` (groups ``posterior``,
``sample_stats``, ``constant_data``, ``observed_data`` and ``evidence/*``; the same
variables, dims and coords; the root attributes the loaders and the fit caches check,
with the real config, config hash, evidence hash and model source hash), so
:func:`~riskmodel.capability.store.save_fit`, ``load_fit``, ``posterior_view`` and every
consumer accept it. :func:`synthetic_uplift_posterior` stands in for
:func:`riskmodel.uplift.model.sample_uplift_posterior` (the uplift-study update) in the
same way. Their draws are not MCMC draws: they come from a Gaussian approximation of the
same PyMC model (:func:`~riskmodel.capability.model.build_capability_model`,
:func:`~riskmodel.uplift.model.build_uplift_model`) in its unconstrained space
(:func:`gaussian_draws`):

1. the mode of the log density (Jacobian terms included: the density NUTS samples), by
   L-BFGS from the model's initial point;
2. the Hessian there, by central differences of the model's exact gradient, its
   eigenvalues floored at :data:`MIN_CURVATURE` (a direction that the data and priors
   barely curve would otherwise get an unbounded variance): the Laplace approximation;
3. its mean and its scale along each eigenvector of the Hessian refined to maximise the
   evidence lower bound (:func:`_refine`): the joint mode of a hierarchical model is not
   where its posterior mass is (on the small subset the mode puts the task
   discriminations at ~4x and the capability scatter at ~2x the NUTS medians);
4. ``chains x draws`` independent draws from the refined Gaussian, from the given seed,
   mapped through the value transforms and the model's deterministics by one compiled
   PyTensor function.

What :func:`synthetic_fit` gets right and wrong, against the real short NUTS fit of the
small subset (``tests/test_synthetic_fit.py`` holds it to this, in the slow tier): the
capabilities of the models (medians correlated at 0.99, on average within one posterior
sd), the compute trend and the rate of algorithmic progress (within a third of a sd), the
benchmark curves and the task-level parameters (within about two sd) are where NUTS puts
them; the hierarchical scales are too wide (``capability_scatter`` about 0.6 for 0.35)
and the reasoning gain too low (by about 1.5 sd). A Gaussian has no funnel and no skew.

It takes 10-15 s (compiling the model's gradient is most of it) where the short NUTS fit
takes 25-90 s per test process.

Honesty of the fields that only a sampler can fill:

* ``attrs["synthetic"]`` = :data:`SYNTHETIC`, ``attrs["nuts_sampler"]`` = ``"none"``,
  the groups' ``inference_library`` names this module;
* ``sample_stats`` holds nutpie's variables so that the layout matches, as placeholders:
  no divergences (``diverging`` all false: no trajectory was integrated), ``logp`` the
  model's log density at each draw, tree depth, step counts and indices 0, step sizes,
  acceptance rates and energies NaN;
* the diagnostics (``attrs["diagnostics"]``; ``UpliftPosterior.diagnostics``): R-hat and
  ESS of the draws (near 1 and near the number of draws, since they are independent),
  the first failure line :data:`SYNTHETIC_FAILURE`, and ``passed`` false
  (``attrs["converged"]`` 0): a synthetic fit never passes the quality gate, whose code
  (``riskmodel.capability.sampling``, ``riskmodel.uplift.model``) it neither uses nor
  changes.

They are test fixtures, not approximations to report: the tests whose meaning depends on
a real posterior (sampling, the gate, reproducibility of draws, fit files of real fits,
the uplift update's response to studies) use the real short NUTS fit
(``small_mcmc_fit``) or the real update, and are marked ``slow``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import scipy.optimize
import xarray as xr
from arviz_base import dict_to_dataset
from pymc.backends.arviz import (
    coords_and_dims_for_inferencedata,
    find_constants,
    find_observations,
)
from pymc.pytensorf import compile as compile_pytensor
from pymc.pytensorf import join_nonshared_inputs
from threadpoolctl import threadpool_limits

from riskmodel.capability.data import prepare_capability_data
from riskmodel.capability.diagnostics import Diagnostics, compute_diagnostics
from riskmodel.capability.model import build_capability_model
from riskmodel.capability.sampling import fit_attributes, gated_variables
from riskmodel.capability.store import attach_evidence
from riskmodel.config import FitConfig, QualityGate
from riskmodel.evidence import Evidence
from riskmodel.provenance import atomic_path
from riskmodel.uplift.elicitation import ElicitedPriors
from riskmodel.uplift.links import TaskCurve, UpliftLink
from riskmodel.uplift.model import UpliftPosterior, build_uplift_model, model_parameter_names

__all__ = [
    "SYNTHETIC",
    "SYNTHETIC_FAILURE",
    "MIN_CURVATURE",
    "gaussian_draws",
    "synthetic_fit",
    "is_synthetic",
    "synthetic_uplift_posterior",
    "is_synthetic_update",
    "kept_pickle",
]

#: Value of ``attrs["synthetic"]`` of every synthetic fit.
SYNTHETIC = "laplace, not MCMC"
#: First failure line of a synthetic fit's diagnostics (it never passes the gate).
SYNTHETIC_FAILURE = (
    "synthetic fit (Gaussian approximation in tests/synthetic_fit.py, not MCMC): "
    "the quality gate does not apply"
)
#: Smallest curvature (precision, per unit of the unconstrained parameters) kept in the
#: Laplace approximation: an sd of at most 10 along any direction.
MIN_CURVATURE = 1e-2
#: Relative step of the central differences of the gradient.
HESSIAN_STEP = 1e-5
#: Standard-normal draws averaged in the evidence lower bound of :func:`_refine`.
REFINE_DRAWS = 16
#: Most L-BFGS iterations of :func:`_refine` (the small subset's fit needs about 400).
REFINE_ITERATIONS = 1000
#: nutpie's sampler statistics (name -> dtype), filled with placeholders.
NUTPIE_STATS = {
    "depth": np.uint64,
    "maxdepth_reached": bool,
    "step_size": np.float64,
    "transformation_update_id": np.int64,
    "step_size_bar": np.float64,
    "mean_tree_accept": np.float64,
    "mean_tree_accept_sym": np.float64,
    "n_steps": np.uint64,
    "max_energy_error": np.float64,
    "tuning": bool,
    "index_in_trajectory": np.int64,
    "logp": np.float64,
    "energy": np.float64,
    "energy_error": np.float64,
    "fisher_distance": np.float64,
    "transformation_index": np.int64,
    "diverging": bool,
    "divergence_draw": np.uint64,
    "divergence_message": object,
    "divergence_energy_error": np.float64,
}


class _Library:
    """Stands in for the inference-library module in ArviZ's group attributes."""

    __name__ = "gaussian approximation (tests/synthetic_fit.py)"
    __version__ = "1"


# --------------------------------------------------------------- the approximation


def _posterior_outputs(model: pm.Model) -> list[pt.TensorVariable]:
    """What nutpie stores in ``posterior``, in its order: the untransformed free
    variables, the constrained values of the transformed ones, the deterministics."""
    transformed = {model.rvs_to_values[rv] for rv in model.free_RVs if model.rvs_to_transforms[rv]}
    return [v for v in model.unobserved_value_vars if v not in transformed]


def _mode(f, x0: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Mode of the log density ``f(x) -> (logp, dlogp)`` by L-BFGS from ``x0``."""

    def negative(x: np.ndarray) -> tuple[float, np.ndarray]:
        logp, grad = f(x)
        return -float(logp), -np.asarray(grad, dtype=float)

    result = scipy.optimize.minimize(
        negative,
        x0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 5000, "ftol": 1e-13, "gtol": 1e-6},
    )
    return result.x


def _precision(f, x: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Minus the Hessian of the log density at ``x`` (central differences of the exact
    gradient), symmetrised, its eigenvalues floored at :data:`MIN_CURVATURE`."""
    n = x.size
    h = HESSIAN_STEP * np.maximum(1.0, np.abs(x))
    out = np.empty((n, n))
    for i in range(n):
        up, down = x.copy(), x.copy()
        up[i] += h[i]
        down[i] -= h[i]
        out[:, i] = -(np.asarray(f(up)[1]) - np.asarray(f(down)[1])) / (2.0 * h[i])
    values, vectors = np.linalg.eigh(0.5 * (out + out.T))
    return (vectors * np.maximum(values, MIN_CURVATURE)) @ vectors.T


def _refine(f, mode: np.ndarray, basis: np.ndarray, rng: np.random.Generator):  # noqa: ANN001, ANN202
    """Mean and per-direction scale of the Gaussian ``mean + basis @ (scale * z)`` that
    maximises the evidence lower bound, starting from the Laplace approximation
    (``mode``, ``scale`` = 1).

    The expectation is averaged over :data:`REFINE_DRAWS` fixed standard-normal draws
    (common random numbers: a deterministic objective for L-BFGS), in antithetic pairs
    scaled to unit variance, so that a Gaussian density is left exactly as it is. The
    bound averages the log density over the latent effects' uncertainty, which the
    joint mode ignores.
    """
    n = mode.size
    # antithetic pairs with unit second moments: exact for a Gaussian density (the mean
    # of the draws is 0 and their variance 1 along every direction)
    half = rng.standard_normal((REFINE_DRAWS // 2, n))
    z = np.concatenate([half, -half])
    z /= np.sqrt(np.mean(z**2, axis=0))

    def negative_bound(params: np.ndarray) -> tuple[float, np.ndarray]:
        mean, log_scale = params[:n], params[n:]
        scale = np.exp(log_scale)
        value, grad_mean, grad_log_scale = 0.0, np.zeros(n), np.zeros(n)
        for row in z:
            logp, grad = f(mean + basis @ (scale * row))
            grad = np.asarray(grad, dtype=float)
            value += float(logp)
            grad_mean += grad
            grad_log_scale += (basis.T @ grad) * row * scale
        bound = value / REFINE_DRAWS + log_scale.sum()
        grads = np.concatenate([grad_mean / REFINE_DRAWS, grad_log_scale / REFINE_DRAWS + 1.0])
        return -bound, -grads

    result = scipy.optimize.minimize(
        negative_bound,
        np.concatenate([mode, np.zeros(n)]),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": REFINE_ITERATIONS},
    )
    return result.x[:n], np.exp(result.x[n:])


def gaussian_draws(
    model: pm.Model, *, chains: int, draws: int, seed: int
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Draws of ``model``'s posterior from its refined Gaussian approximation (see the
    module docstring), laid out as ``(chain, draw, ...)``.

    Returns
    -------
    (dict, numpy.ndarray)
        Every variable nutpie would store in ``posterior`` (free variables on their
        constrained scale, then the deterministics) -> draws; and the model's log density
        (unconstrained space, Jacobian included) at each draw, shape (chain, draw).
    """
    point = model.initial_point()
    outputs = _posterior_outputs(model)
    joined, x = join_nonshared_inputs(
        point, [model.logp(), model.dlogp(), *outputs], model.value_vars
    )
    logp_dlogp = compile_pytensor([x], joined[:2])
    values = compile_pytensor([x], joined[2:])
    x0 = np.concatenate([np.ravel(point[v.name]) for v in model.value_vars]).astype(float)
    refine_rng, draw_rng = (
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(2)
    )
    # One BLAS thread: a few hundred dimensions gain nothing from threads, and threaded
    # OpenBLAS on a busy 2-core machine (two pytest workers) takes seconds per eigh.
    with threadpool_limits(limits=1, user_api="blas"):
        mode = _mode(logp_dlogp, x0)
        eigenvalues, vectors = np.linalg.eigh(_precision(logp_dlogp, mode))
        basis = vectors / np.sqrt(eigenvalues)
        mean, scale = _refine(logp_dlogp, mode, basis, refine_rng)
        z = draw_rng.standard_normal((chains * draws, mode.size))
        unconstrained = mean + (z * scale) @ basis.T
    rows = [values(row) for row in unconstrained]
    logp = np.array([float(logp_dlogp(row)[0]) for row in unconstrained])
    posterior = {}
    for i, var in enumerate(outputs):
        stacked = np.stack([np.asarray(row[i], dtype=float) for row in rows])
        posterior[var.name] = stacked.reshape((chains, draws, *stacked.shape[1:]))
    return posterior, logp.reshape(chains, draws)


def _diagnostics(
    posterior: xr.Dataset,
    diverging: xr.Dataset,
    names: list[str],
    gate: QualityGate,
    seconds: float,
) -> Diagnostics:
    """R-hat and ESS of the synthetic draws, never passed (see the module docstring)."""
    measured = compute_diagnostics(
        posterior, diverging, var_names=names, gate=gate, sampling_seconds=seconds
    )
    return Diagnostics(
        **{
            **measured.to_dict(),
            "failures": [SYNTHETIC_FAILURE, *measured.failures],
            "passed": False,
        }
    )


# ------------------------------------------------------------------ capability fit


def is_synthetic(tree: xr.DataTree) -> bool:
    """Whether ``tree`` was built by :func:`synthetic_fit`."""
    return tree.attrs.get("synthetic") == SYNTHETIC


def _placeholder_stats(logp: np.ndarray) -> dict[str, np.ndarray]:
    """nutpie's sampler statistics for draws that no sampler made (see the module doc)."""
    stats: dict[str, np.ndarray] = {}
    for name, dtype in NUTPIE_STATS.items():
        if name == "logp":
            stats[name] = logp
        elif dtype is object:
            stats[name] = np.full(logp.shape, None, dtype=object)
        elif dtype is np.float64:
            stats[name] = np.full(logp.shape, np.nan)
        else:
            stats[name] = np.zeros(logp.shape, dtype=dtype)
    return stats


def synthetic_fit(evidence: Evidence, config: FitConfig) -> xr.DataTree:
    """A fit of the capability model to ``evidence`` with the layout and provenance of
    :func:`~riskmodel.capability.sampling.fit_evidence_model`, drawn from a Gaussian
    approximation instead of NUTS (see the module docstring).

    Parameters
    ----------
    evidence
        The evidence to fit.
    config
        Model settings; ``config.sampler`` gives the layout (``chains`` x ``draws``) and
        the seed of the draws. The same evidence, config and code give the same draws.

    Returns
    -------
    xarray.DataTree
        ``attrs["synthetic"] == SYNTHETIC``; never passes the quality gate.
    """
    start = time.perf_counter()
    s = config.sampler
    data = prepare_capability_data(evidence, config.capability)
    model = build_capability_model(data, config.capability)
    posterior, logp = gaussian_draws(model, chains=s.chains, draws=s.draws, seed=s.seed)
    seconds = time.perf_counter() - start

    coords, dims = coords_and_dims_for_inferencedata(model)
    sample = {"chain": np.arange(s.chains), "draw": np.arange(s.draws)}
    # nutpie's posterior holds its string coordinates as objects (PyMC's data groups as
    # fixed-width strings)
    labels = {
        k: np.asarray(v, dtype=object) if np.asarray(v).dtype.kind == "U" else v
        for k, v in coords.items()
    }
    library = {
        "inference_library": _Library.__name__,
        "inference_library_version": _Library.__version__,
    }
    settings = {
        "sampler": "gaussian approximation",
        "settings": {
            "num_tune": 0,
            "num_draws": s.draws,
            "num_chains": s.chains,
            "seed": s.seed,
            "refine_draws": REFINE_DRAWS,
            "min_curvature": MIN_CURVATURE,
        },
    }
    tree = xr.DataTree()
    tree["posterior"] = xr.DataTree(
        dict_to_dataset(
            posterior,
            attrs={**library, "sampling_time": seconds, "tuning_steps": 0},
            coords={**labels, **sample},
            dims=dims,
            sample_dims=["chain", "draw"],
        )
    )
    tree["sample_stats"] = xr.DataTree(
        dict_to_dataset(
            _placeholder_stats(logp),
            attrs={
                **library,
                "inference_library_settings": json.dumps(settings),
                "synthetic": SYNTHETIC,
            },
            coords=sample,
            sample_dims=["chain", "draw"],
        )
    )
    for group, found in (
        ("constant_data", find_constants(model)),
        ("observed_data", find_observations(model)),
    ):
        tree[group] = xr.DataTree(
            dict_to_dataset(found, inference_library=pm, coords=coords, dims=dims, sample_dims=[])
        )

    diagnostics = _diagnostics(
        tree["posterior"].to_dataset(),
        tree["sample_stats"].to_dataset(),
        gated_variables(model, tree["posterior"]),
        config.gate,
        seconds,
    )
    attributes = fit_attributes(evidence, config, diagnostics, nuts_sampler="none")
    tree.attrs.update({**attributes, "converged": 0, "synthetic": SYNTHETIC})
    attach_evidence(tree, evidence)
    return tree


# ------------------------------------------------------------ uplift-study update


def is_synthetic_update(posterior: UpliftPosterior) -> bool:
    """Whether ``posterior`` was made by :func:`synthetic_uplift_posterior`."""
    return posterior.diagnostics.failures[:1] == [SYNTHETIC_FAILURE]


def kept_pickle[T](path: Path | None, kind: type[T], build: Callable[[], T]) -> T:
    """``build()``, kept between test runs in the pickle ``path``: read back when the
    file holds a ``kind``, else built and written atomically (a parallel test worker
    reads all of it or nothing); ``path`` ``None``: built, not kept. The caller names
    ``path`` by a digest of everything ``build`` depends on (see ``conftest``)."""
    if path is not None and path.is_file():
        with contextlib.suppress(Exception):  # unreadable: build it again
            stored = pickle.loads(path.read_bytes())
            if isinstance(stored, kind):
                return stored
    value = build()
    if path is not None:
        with atomic_path(path) as temporary:
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    return value


#: Approximate updates made in this process, by a digest of their inputs. The
#: approximation is a deterministic function of them, and compiling the uplift model is
#: most of its cost (seconds), so the many fast tests that assess the same small fit
#: share one; each caller gets its own copy of the draws. (Only this stand-in is
#: memoised: the real update is stored in the fit, see ``riskmodel.uplift.store``.)
_UPDATES: dict[str, UpliftPosterior] = {}
#: Folder where they are also kept between test runs (set by ``conftest`` to a folder
#: of pytest's cache named by a digest of the sources they depend on); ``None``: this
#: process only.
UPDATE_STORE: Path | None = None


def synthetic_uplift_posterior(
    studies: pd.DataFrame,
    *,
    link: UpliftLink,
    priors: ElicitedPriors,
    capability_mean: np.ndarray,
    capability_sd: np.ndarray,
    task_curve: TaskCurve | None = None,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 2,
    seed: int = 0,
    gate: QualityGate | None = None,
    **_nuts: Any,
) -> UpliftPosterior:
    """:func:`riskmodel.uplift.model.sample_uplift_posterior` without NUTS: the same
    model (:func:`~riskmodel.uplift.model.build_uplift_model`), drawn from its Gaussian
    approximation (:func:`gaussian_draws`; ``tune`` and the NUTS settings are ignored),
    memoised per process (:data:`_UPDATES`).

    Returns
    -------
    UpliftPosterior
        ``params`` as the real update's; ``diagnostics`` never passed, its first failure
        :data:`SYNTHETIC_FAILURE` (:func:`is_synthetic_update`). It never raises
        :class:`~riskmodel.errors.ConvergenceError`.
    """
    try:
        key = hashlib.sha256(
            pickle.dumps(
                (studies, link, priors, capability_mean, capability_sd, task_curve),
                protocol=5,
            )
            + repr((draws, chains, seed, gate)).encode()
        ).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):
        key = None

    def approximate() -> UpliftPosterior:
        start = time.perf_counter()
        model = build_uplift_model(
            studies,
            link=link,
            priors=priors,
            capability_mean=capability_mean,
            capability_sd=capability_sd,
            task_curve=task_curve,
        )
        names: Mapping[str, str] = model_parameter_names(link)
        posterior, _ = gaussian_draws(model, chains=chains, draws=draws, seed=seed)
        dataset = xr.Dataset(
            {name: (("chain", "draw"), posterior[name]) for name in names.values()}
        )
        diverging = xr.Dataset({"diverging": (("chain", "draw"), np.zeros((chains, draws), bool))})
        diagnostics = _diagnostics(
            dataset,
            diverging,
            list(names.values()),
            gate or QualityGate(),
            time.perf_counter() - start,
        )
        return UpliftPosterior(
            params={prior: posterior[var].reshape(-1) for prior, var in names.items()},
            diagnostics=diagnostics,
        )

    if key is None:
        known = approximate()
    else:
        if key not in _UPDATES:
            stored = UPDATE_STORE / f"{key}.pickle" if UPDATE_STORE is not None else None
            _UPDATES[key] = kept_pickle(stored, UpliftPosterior, approximate)
        known = _UPDATES[key]
    return UpliftPosterior(
        params={name: values.copy() for name, values in known.params.items()},
        diagnostics=known.diagnostics,
    )
