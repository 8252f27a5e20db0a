"""One-at-a-time sensitivity of a simulation outcome to the assumptions behind it.

:func:`sensitivity_table` re-runs :func:`riskmodel.simulation.run.simulate` for one
variant with one assumption at a time moved to a low and a high value, everything else at
its default, and reports a statistic of the outcome across simulated worlds (the table
behind :func:`riskmodel.plotting.policy.plot_tornado`). Every run uses the same seed, so
the worlds share their random numbers wherever the changed assumption leaves them alone
(common random numbers); the uplift-study update is stored in the fit, so a run costs
about a second per 200 worlds.

The assumptions (:data:`ASSUMPTIONS`) and how each is moved without editing any file:

``evaluation_noise_sd``
    :attr:`SimulationConfig.evaluation_noise_sd` (dex), 0.15 / 0.6 around 0.3.
``lde_noise_sd``, ``lde_n_benchmarks``
    The variant's pre-training LDE comparison: per-benchmark noise (dex) 0.1 / 0.3, and
    the number of benchmarks compared 3 / 30: a modified copy of the
    :class:`~riskmodel.policy.variants.PolicyVariant` (``model_copy``), passed to
    ``simulate`` as an object (no file). Without a pre-training LDE these leave the
    outcome unchanged.
``lde_reference``
    What a pre-training LDE claim is compared with: the best earlier non-covered model
    only, or (the default, the bill's "noncovered or exempt model") also an earlier
    covered model that obtained the exemption (``[lde] reference_includes_exempt``).
``uplift_evidence``
    ``link_params``: the uplift link updated by the uplift studies, or the elicited
    priors alone.
``uplift_link``
    The uplift link: ``amdahl`` (uplift bounded by the model's speed advantage on the
    task mix) or ``direct`` (log uplift linear in capability above an onset).
``derivatives_per_open_base``, ``derivative_lag_years``, ``count_form``, ``sub_frontier``
    World assumptions (``data/world_assumptions.toml``), replaced in memory and the world
    refitted with the same draws and seed (:func:`riskmodel.world.fit.fit_world`, on the
    shipped Epoch table).

Not varied here: the enhancement priors, the risk-chain priors and the raised bar's 2x
uplift threshold are files (``[files]`` of the settings, or ``inputs=``); compare whole
runs with a changed file instead (notebook 04 shows how). The truth bars
(``SimulationConfig.truth_bars``) are not varied either: they define what the outcome
counts ("truly hazardous"), so changing them changes the question rather than an
assumption. An outcome that depends on the truth
(:data:`riskmodel.policy.engine.TRUTH_OUTCOMES`) is reported under every truth bar, one
row per assumption and truth bar (column ``truth_bar``), from the same runs.

Computing only: the figure is :func:`riskmodel.plotting.policy.plot_tornado`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import xarray as xr

from riskmodel.capability.store import load_fit
from riskmodel.errors import ConfigError
from riskmodel.hazard.inputs import HazardInputs, resolve_hazard_inputs
from riskmodel.policy.engine import OUTCOMES, PER_DRAW_OUTCOMES
from riskmodel.policy.variants import PolicyVariant, load_variants
from riskmodel.simulation.config import SimulationConfig
from riskmodel.simulation.run import simulate, summary_table
from riskmodel.world.fit import WorldFit, fit_world

__all__ = [
    "Change",
    "Assumption",
    "ASSUMPTIONS",
    "SENSITIVITY_COLUMNS",
    "sensitivity_table",
]

#: Columns of :func:`sensitivity_table`.
SENSITIVITY_COLUMNS = (
    "parameter",
    "low_label",
    "high_label",
    "base_label",
    "outcome",
    "truth_bar",
    "units",
    "statistic",
    "low",
    "high",
    "base",
    "variant",
    "draws",
)


@dataclass(frozen=True)
class Change:
    """One assumption set to one value.

    Attributes
    ----------
    target
        ``"config"`` (a :class:`SimulationConfig` field), ``"lde"`` (a field of the
        variant's ``[lde]`` rule), ``"link_params"`` (``"studies"`` or ``"prior"``),
        ``"link"`` (``"amdahl"`` or ``"direct"``) or ``"world"`` (a field of
        :class:`riskmodel.world.fit.WorldAssumptions`).
    field
        Field name (ignored for ``link_params`` and ``link``).
    value
        The value.
    """

    target: Literal["config", "lde", "link_params", "link", "world"]
    field: str
    value: Any


@dataclass(frozen=True)
class Assumption:
    """An assumption of the tornado: a readable name and its low and high settings."""

    parameter: str
    low_label: str
    high_label: str
    low: Change
    high: Change


#: The assumptions varied by default, keyed by short name (see the module docstring).
ASSUMPTIONS: dict[str, Assumption] = {
    "evaluation_noise_sd": Assumption(
        "safety-case evaluation noise (dex)",
        "0.15 dex",
        "0.6 dex",
        Change("config", "evaluation_noise_sd", 0.15),
        Change("config", "evaluation_noise_sd", 0.6),
    ),
    "lde_noise_sd": Assumption(
        "LDE per-benchmark noise (dex)",
        "0.1 dex",
        "0.3 dex",
        Change("lde", "noise_sd", 0.1),
        Change("lde", "noise_sd", 0.3),
    ),
    "lde_n_benchmarks": Assumption(
        "LDE benchmarks compared",
        "3",
        "30",
        Change("lde", "n_benchmarks", 3),
        Change("lde", "n_benchmarks", 30),
    ),
    "lde_reference": Assumption(
        "LDE reference model",
        "non-covered only",
        "non-covered or exempt",
        Change("lde", "reference_includes_exempt", False),
        Change("lde", "reference_includes_exempt", True),
    ),
    "uplift_evidence": Assumption(
        "uplift-link evidence",
        "studies",
        "priors only",
        Change("link_params", "", "studies"),
        Change("link_params", "", "prior"),
    ),
    "uplift_link": Assumption(
        "uplift link",
        "Amdahl",
        "direct",
        Change("link", "", "amdahl"),
        Change("link", "", "direct"),
    ),
    "derivatives_per_open_base": Assumption(
        "derivatives per open-weight base run",
        "0.5",
        "5",
        Change("world", "derivatives_per_open_base", 0.5),
        Change("world", "derivatives_per_open_base", 5.0),
    ),
    "derivative_lag_years": Assumption(
        "mean lag of a derivative (years)",
        "0.1 yr",
        "2 yr",
        Change("world", "derivative_mean_lag_years", 0.1),
        Change("world", "derivative_mean_lag_years", 2.0),
    ),
    "count_form": Assumption(
        "count model of training runs",
        "curved",
        "log-linear",
        Change("world", "count_form", "curved"),
        Change("world", "count_form", "loglinear"),
    ),
    "sub_frontier": Assumption(
        "runs below the frontier",
        "held at peak",
        "as recorded",
        Change("world", "sub_frontier", "hold_peak"),
        Change("world", "sub_frontier", "as_recorded"),
    ),
}


def _current(
    change: Change,
    *,
    config: SimulationConfig,
    variant: PolicyVariant,
    link_params: str,
    link: str,
    world: WorldFit,
) -> Any:
    if change.target == "config":
        return getattr(config, change.field)
    if change.target == "lde":
        return getattr(variant.lde, change.field)
    if change.target == "link_params":
        return link_params
    if change.target == "link":
        return link
    return getattr(world.assumptions, change.field)


def _label(value: Any, assumption: Assumption) -> str:
    if isinstance(value, str | bool):
        for change, label in (
            (assumption.low, assumption.low_label),
            (assumption.high, assumption.high_label),
        ):
            if change.value == value:
                return label
        return value
    unit = " dex" if assumption.low_label.endswith("dex") else ""
    unit = " yr" if assumption.low_label.endswith("yr") else unit
    return f"{value:g}{unit}"


def sensitivity_table(
    fit: xr.DataTree | str | Path,
    *,
    outcome: str = "hazardous_not_covered",
    variant: str | PolicyVariant = "commentary_raised_bar",
    draws: int = 200,
    seed: int = SimulationConfig().seed,
    world: WorldFit | None = None,
    link_params: str = "studies",
    assumptions: Sequence[str] | None = None,
    statistic: Literal["mean", "median"] = "mean",
    config: SimulationConfig | None = None,
    link: str | None = None,
    inputs: HazardInputs | None = None,
) -> pd.DataFrame:
    """Outcome at a low and a high value of each assumption, one at a time.

    Parameters
    ----------
    fit
        Fitted capability model (DataTree or path).
    outcome
        Outcome of :data:`riskmodel.policy.engine.OUTCOMES` or ``PER_DRAW_OUTCOMES``;
        reduced over years as in :func:`riskmodel.simulation.run.summary_table`.
    variant
        Shipped variant name, path of a variant file, or a
        :class:`~riskmodel.policy.variants.PolicyVariant` (e.g. edited in memory).
    draws
        Simulated worlds per run.
    seed
        Seed of every run (common random numbers across runs).
    world
        Fitted world model (default: :func:`riskmodel.world.fit.fit_world`); world
        assumptions are varied by refitting it with the same draws and seed.
    link_params
        Base setting of the uplift evidence, ``"studies"`` or ``"prior"``.
    assumptions
        Names of :data:`ASSUMPTIONS` to vary; default all.
    statistic
        ``"mean"`` or ``"median"`` of the outcome across worlds.
    config
        Base simulation settings (its ``draws`` and ``seed`` are replaced by the
        arguments).
    link
        Base uplift link; default from the uplift priors.
    inputs
        Elicited priors, bars and studies; default the shipped files.

    Returns
    -------
    pandas.DataFrame
        One row per assumption (and per truth bar, in the order of
        ``config.truth_bars``, for an outcome of
        :data:`~riskmodel.policy.engine.TRUTH_OUTCOMES`; ``truth_bar`` is ``""`` for the
        others), columns :data:`SENSITIVITY_COLUMNS`: ``low`` / ``high`` / ``base`` are
        the statistic of the outcome (in ``units``) with the assumption at its low / high
        setting and all at their defaults; ``low_label`` / ``high_label`` / ``base_label``
        name the settings.

    Raises
    ------
    ConfigError
        Unknown outcome, statistic or assumption name.
    """
    units = {**OUTCOMES, **PER_DRAW_OUTCOMES}
    if outcome not in units:
        raise ConfigError(f"outcome: unknown '{outcome}'; known: {', '.join(units)}")
    if statistic not in ("mean", "median"):
        raise ConfigError(f"statistic must be 'mean' or 'median', got '{statistic}'")
    names = list(ASSUMPTIONS) if assumptions is None else list(assumptions)
    unknown = [n for n in names if n not in ASSUMPTIONS]
    if unknown or not names:
        raise ConfigError(
            f"assumptions: unknown {', '.join(unknown) or '(none given)'}; "
            f"known: {', '.join(ASSUMPTIONS)}"
        )
    tree = load_fit(fit) if isinstance(fit, str | Path) else fit
    base_config = (config or SimulationConfig()).model_copy(update={"draws": draws, "seed": seed})
    SimulationConfig.model_validate(base_config.model_dump())
    inputs = resolve_hazard_inputs(inputs)
    (base_variant,) = (
        [variant]
        if isinstance(variant, PolicyVariant)
        else load_variants(
            [variant],
            inputs=inputs,
        )
    )
    base_world = world if world is not None else fit_world()
    column = "mean" if statistic == "mean" else "q50"
    base_link = link or inputs.uplift_priors.default_link

    def run(change: Change | None) -> dict[str, float]:
        cfg, lp, the_world, the_variant = base_config, link_params, base_world, base_variant
        the_link = base_link
        if change is not None and change.target == "config":
            cfg = cfg.model_copy(update={change.field: change.value})
            SimulationConfig.model_validate(cfg.model_dump())
        elif change is not None and change.target == "lde":
            lde = base_variant.lde.model_copy(update={change.field: change.value})
            the_variant = base_variant.model_copy(update={"lde": lde})
        elif change is not None and change.target == "link_params":
            lp = str(change.value)
        elif change is not None and change.target == "link":
            the_link = str(change.value)
        elif change is not None:
            replaced = dataclasses.replace(base_world.assumptions, **{change.field: change.value})
            the_world = fit_world(
                assumptions=replaced, n_draws=base_world.n_draws, seed=base_world.seed
            )
        dataset = simulate(
            tree,
            variants=[the_variant],
            config=cfg,
            world=the_world,
            link_params=lp,
            link=the_link,
            inputs=inputs,
        )
        summary = summary_table(dataset)
        rows = summary[(summary["outcome"] == outcome)].drop_duplicates("truth_bar")
        return {
            str(truth): float(rows.loc[rows["truth_bar"] == truth, column].iloc[0])
            for truth in rows["truth_bar"]
        }

    base = run(None)
    rows = []
    for name in names:
        assumption = ASSUMPTIONS[name]
        values = []
        for change in (assumption.low, assumption.high):
            current = _current(
                change,
                config=base_config,
                variant=base_variant,
                link_params=link_params,
                link=base_link,
                world=base_world,
            )
            same = current == change.value
            values.append(base if same else run(change))
        current = _current(
            assumption.low,
            config=base_config,
            variant=base_variant,
            link_params=link_params,
            link=base_link,
            world=base_world,
        )
        for truth in base:
            rows.append(
                {
                    "parameter": assumption.parameter,
                    "low_label": assumption.low_label,
                    "high_label": assumption.high_label,
                    "base_label": _label(current, assumption),
                    "outcome": outcome,
                    "truth_bar": truth,
                    "units": units[outcome][0],
                    "statistic": statistic,
                    "low": values[0][truth],
                    "high": values[1][truth],
                    "base": base[truth],
                    "variant": base_variant.name,
                    "draws": draws,
                }
            )
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
