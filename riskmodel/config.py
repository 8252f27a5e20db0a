"""Configuration: every assumption of the capability model as a named, documented value.

Defaults live here, each prior with its units, its source and an ``elicited`` flag.
Users override any subset from a TOML or JSON file (parsed as data only, never
executed) or a nested ``dict``; the merged result is validated by pydantic, so an
unknown key or an impossible value is refused with a :class:`~riskmodel.errors.ConfigError`
that names the offending key.

The configuration (with the evidence's content hash) is hashed to identify a fit; see
:func:`config_hash`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from riskmodel._io import read_data_file, validation_problems
from riskmodel._rng import DEFAULT_SEED
from riskmodel._time import parse_date
from riskmodel.errors import ConfigError

__all__ = [
    "Prior",
    "CapabilityPriors",
    "CapabilityConfig",
    "SamplerConfig",
    "QualityGate",
    "FitConfig",
    "default_config",
    "load_config",
    "read_config_file",
    "merge_overrides",
    "config_hash",
]


class _Strict(BaseModel):
    # NaN and infinity are refused everywhere (TOML writes them as `nan` and `inf`).
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Prior(_Strict):
    """A prior distribution with its provenance.

    Parameters
    ----------
    dist
        ``normal`` (``mu``, ``sigma``), ``lognormal`` (``median``, ``sigma_log``: the
        standard deviation of the natural log), ``halfnormal`` (``sigma``) or
        ``beta`` (``alpha``, ``beta``).
    units
        Units of the parameter (e.g. ``"dex/year"``, ``"log10 FLOP"``).
    source
        Where the numbers come from (citation or reasoning).
    elicited
        True when the numbers are judgement rather than measurement.
    """

    dist: Literal["normal", "lognormal", "halfnormal", "beta"]
    mu: float | None = None
    sigma: float | None = None
    median: float | None = None
    sigma_log: float | None = None
    alpha: float | None = None
    beta: float | None = None
    units: str
    source: str
    elicited: bool = False

    @model_validator(mode="after")
    def _check_params(self) -> Prior:
        needed = {
            "normal": ("mu", "sigma"),
            "lognormal": ("median", "sigma_log"),
            "halfnormal": ("sigma",),
            "beta": ("alpha", "beta"),
        }[self.dist]
        for name in needed:
            value = getattr(self, name)
            if value is None or not math.isfinite(value):
                raise ValueError(f"a {self.dist} prior needs a finite '{name}'")
        for name in ("sigma", "sigma_log", "median", "alpha", "beta"):
            value = getattr(self, name)
            if name in needed and value is not None and value <= 0:
                raise ValueError(f"'{name}' must be positive, got {value}")
        return self

    def to_scipy(self):  # noqa: ANN201 - scipy frozen distributions have no public type
        """Return the equivalent frozen :mod:`scipy.stats` distribution."""
        from scipy import stats

        if self.dist == "normal":
            return stats.norm(self.mu, self.sigma)
        if self.dist == "lognormal":
            return stats.lognorm(s=self.sigma_log, scale=self.median)
        if self.dist == "halfnormal":
            return stats.halfnorm(scale=self.sigma)
        return stats.beta(self.alpha, self.beta)


def _p(**kwargs: Any) -> Prior:
    return Prior(**kwargs)


class CapabilityPriors(_Strict):
    """Priors of the capability-scaling model (see ``riskmodel.capability.model``)."""

    compute_trend_level: Prior = _p(
        dist="normal",
        mu=23.0,
        sigma=1.5,
        units="log10 FLOP at the reference date",
        source="Weak prior centred near the 2023 training compute of notable language "
        "models (Epoch AI notable models); the data pin it down.",
        elicited=True,
    )
    compute_trend_slope: Prior = _p(
        dist="lognormal",
        median=0.6,
        sigma_log=0.25,
        units="dex/year (log10 FLOP per year)",
        source="Frontier training compute grows about 4-5x per year (Epoch AI 2024): "
        "log10(4.5) = 0.65; widened to cover 2.5x to 7x per year.",
    )
    compute_trend_scatter: Prior = _p(
        dist="halfnormal",
        sigma=1.5,
        units="dex (sd of log10 FLOP around the trend)",
        source="Weakly informative: notable models span several orders of magnitude.",
        elicited=True,
    )
    frontier_offset: Prior = _p(
        dist="normal",
        mu=1.0,
        sigma=1.0,
        units="dex above the trend for models Epoch flags as frontier",
        source="Weakly informative; frontier runs sit roughly an order of magnitude "
        "above the typical notable model.",
        elicited=True,
    )
    algorithmic_progress: Prior = _p(
        dist="lognormal",
        median=0.45,
        sigma_log=0.25,
        units="dex/year of effective compute from algorithms",
        source="Ho et al. 2024 (arXiv 2403.05812): compute for a given performance "
        "halves every ~8 months (95% CI 5-14) -> log10(2)*12/8 = 0.45 dex/year, "
        "95% interval about 0.26-0.72.",
    )
    frontier_slope_offset: Prior = _p(
        dist="normal",
        mu=0.0,
        sigma=0.2,
        units="dex/year added to the compute-trend slope for frontier-flagged models",
        source="Epoch AI (2024) finds frontier training compute growing ~4-5x/yr, slower "
        "than notable models together (DOMAIN.md section 6); centred at no difference, "
        "sd 0.2 dex/yr lets the data say how much slower.",
        elicited=True,
    )
    frontier_scatter: Prior = _p(
        dist="halfnormal",
        sigma=0.7,
        units="dex (sd of log10 FLOP of frontier-flagged models around their trend)",
        source="Epoch flags a model as frontier when it is among the largest training runs "
        "of its time, so frontier runs scatter far less than all notable models; weakly "
        "informative.",
        elicited=True,
    )
    post_training_rate: Prior = _p(
        dist="lognormal",
        median=0.3,
        sigma_log=1.0,
        units="dex/year of effective compute from post-training and method gains "
        "after the change point, on top of algorithmic progress",
        source="DOMAIN.md section 6: from late 2024 reinforcement learning for reasoning, "
        "agent scaffolds and inference-time compute moved agentic benchmarks far faster "
        "than pre-training FLOP; METR's time horizons doubled every ~4 months in 2024-25 "
        "against ~7 months before (Kwa et al. 2025). Median 0.3 dex/yr, 90% range "
        "0.06-1.6.",
        elicited=True,
    )
    reasoning_gain: Prior = _p(
        dist="lognormal",
        median=0.5,
        sigma_log=1.0,
        units="dex of effective compute added by reasoning training (RL on chains of thought)",
        source="Reasoning-trained models (o1 and after) gain far more on math, science "
        "and agentic benchmarks than a year of pre-training progress (OpenAI 2024, "
        "'Learning to reason with LLMs'); median 0.5 dex, 90% range ~0.1-2.6 dex.",
        elicited=True,
    )
    harness_sd: Prior = _p(
        dist="halfnormal",
        sigma=0.5,
        units="dex of capability (sd of harness effects within one instrument)",
        source="Scaffolds and step budgets move agent scores by amounts comparable to "
        "a few months of progress (Terminal-Bench and OSWorld leaderboards list the same "
        "model under several agents); weakly informative.",
        elicited=True,
    )
    capability_scatter: Prior = _p(
        dist="halfnormal",
        sigma=0.5,
        units="dex of effective compute (model-specific deviation from the scaling line)",
        source="Weakly informative: data/recipe quality rarely moves a model by more "
        "than ~1 OOM of effective compute.",
        elicited=True,
    )
    discrimination: Prior = _p(
        dist="lognormal",
        median=1.5,
        sigma_log=0.75,
        units="logit per dex of effective compute",
        source="Weakly informative; scaling curves typically move from 10% to 90% of "
        "their range over 1-3 orders of magnitude of compute.",
        elicited=True,
    )
    difficulty: Prior = _p(
        dist="normal",
        mu=0.0,
        sigma=2.5,
        units="capability (dex relative to the reference effective compute)",
        source="Weakly informative: benchmark midpoints lie within ~5 OOM of 1e23 FLOP.",
        elicited=True,
    )
    lapse: Prior = _p(
        dist="beta",
        alpha=2.0,
        beta=40.0,
        units="probability (1 - ceiling)",
        source="Label noise and ambiguous items cap benchmarks a few percent below 100% "
        "(MMLU error audits find a few percent of faulty items); prior mean 4.8%, 99% "
        "below ~15%. A looser prior lets the ceiling trade off against difficulty when "
        "no model in the data approaches the top of a benchmark, which capped forecasts "
        "(e.g. MMLU at 0.8) and stalled the sampler.",
        elicited=True,
    )
    overdispersion: Prior = _p(
        dist="lognormal",
        median=100.0,
        sigma_log=1.5,
        units="beta-binomial concentration (effective number of independent items)",
        source="Items within a benchmark are correlated and harnesses differ; a "
        "concentration well below the item count keeps thousands-item benchmarks "
        "from being absurdly confident (DOMAIN.md pitfalls).",
        elicited=True,
    )
    horizon_slope: Prior = _p(
        dist="lognormal",
        median=1.0,
        sigma_log=0.75,
        units="dex of capability per dex of human completion minutes",
        source="Weakly informative; METR (Kwa et al. 2025) finds the 50% time horizon "
        "doubling every ~7 months, i.e. the same order as effective compute growth.",
        elicited=True,
    )
    horizon_offset: Prior = _p(
        dist="normal",
        mu=0.0,
        sigma=3.0,
        units="capability at which a 1-minute task of the suite is solved 50% of the time",
        source="Weakly informative.",
        elicited=True,
    )
    task_discrimination: Prior = _p(
        dist="lognormal",
        median=1.5,
        sigma_log=0.75,
        units="logit per dex of capability (task-level runs)",
        source="Weakly informative, as for benchmark discrimination.",
        elicited=True,
    )
    task_scatter: Prior = _p(
        dist="halfnormal",
        sigma=1.5,
        units="logit (sd of task difficulty beyond its human time)",
        source="Weakly informative; METR logistic fits leave substantial task-level "
        "variation unexplained by human time.",
        elicited=True,
    )


#: The instruments whose location the default fit samples at their results' pivot
#: (``CapabilityConfig.pivot_benchmarks``): MMLU's base-model harness, whose ceiling and
#: midpoint traded off (``docs/fit_seeds.md``).
DEFAULT_PIVOT_BENCHMARKS: tuple[str, ...] = ("mmlu",)


class CapabilityConfig(_Strict):
    """Structure and fixed reference choices of the capability model.

    Attributes
    ----------
    reference_log10_flop
        Capability 0 is pinned at this effective compute (log10 FLOP) at
        ``reference_date``; capability is measured in dex of effective compute, which
        fixes both location and scale (DOMAIN.md identification pitfall).
    reference_date
        Date (YYYY-MM-DD) at which effective compute equals physical training FLOP.
    flop_sd_dex
        Measurement sd of log10 training FLOP by Epoch confidence label. Epoch describes
        'Confident', 'Likely' and 'Speculative' estimates as accurate to within about 3x,
        10x and 30x; we read these as 90% intervals: sd = log10(factor) / 1.645.
        'derived' (6*N*D from parameters and tokens, ObsScaling) is taken as within 1.5x.
    trend_start_date
        Only language models released on or after this date inform the compute trend.
    trend_domains
        Epoch domain labels (substring match) whose models inform the compute trend.
    excluded_benchmarks
        Benchmarks left out of the fit (their results stay in the evidence). Default:
        the Open LLM Leaderboard v2 tasks, where the base models of the shipped data
        score near chance (GPQA, MuSR) or on a narrow range, so a four-parameter curve
        is not identified from them and its multimodal posterior stalls the sampler.
    capability_parameterization
        ``noncentered``: each model's capability is its prior mean plus its
        prior sd times a standard-normal residual. ``centered``: capability is a direct
        parameter. ``auto`` (default): centred for models with at least ``centered_min_results``
        aggregate results, non-centred otherwise. A sampling choice only.
    centered_min_results, centered_min_cells
        Thresholds of the ``auto`` rule: informative aggregate results (10-95% of the
        way from chance to 1), or task cells with mixed outcomes.
    zero_sum_residuals
        Constrain the standardised capability residuals (non-centred form) and the task
        residuals to sum to zero. This pins the location of the latent scale exactly to
        the effective-compute anchor and of task difficulties to their suite offsets,
        removing a wide common-shift direction that otherwise stalls the sampler. With
        ~150 models and ~600 tasks the constraint is immaterial for prediction.
    centered_task_min_runs
        Tasks with at least this many runs (over all models) get a centred difficulty;
        tasks with fewer lean on their prior and are non-centred.
    method_change_date
        Date (YYYY-MM-DD) from which post-training and method gains add to algorithmic
        progress: 2024-09-12, the release of o1-preview, the first model trained for
        reasoning by reinforcement learning (OpenAI 2024). Fixed rather than sampled: an
        uncertain change point formed a curved ridge with ``post_training_rate`` that
        the sampler could not cross reliably; its uncertainty is mostly absorbed by the
        smoothing and the rate.
    method_change_smoothing_years
        Width (years) over which the rate of method progress bends from algorithmic
        progress alone to algorithmic plus post-training progress (a smooth hinge, so
        the change point can be sampled).
    forecast_rate_volatility
        Elicited: sd of the change of log(rate of method progress) per sqrt(year) after
        the data vintage. Forecasts continue the fitted rates with this random walk, so
        their uncertainty widens with the horizon beyond what the rate posterior says
        (the past cannot tell whether the 2024-25 pace lasts). 0.15 makes the rate
        uncertain by a factor ~1.4 (one sd) five years out.
    suite_anchor_max_models
        Task suites run by at most this many models have their offset sampled relative
        to those models' mean capability at the suite's median task length, not to the
        task group's level (the same distribution; a better geometry where a suite's runs
        pin only the gap between a few models and its tasks: early backtest cutoffs).
        0: every suite relative to its group's level.
    centered_task_difficulty
        The same for task difficulties. Off by default: a common shift of all task
        difficulties and of the models known only from task runs is weakly identified,
        and the non-centred form lets the suite offsets carry that shift.
    difficulty_pivot
        Where on each benchmark's curve its location is sampled. ``data``: at the mean
        fraction of the range above chance that its results reach
        (:func:`riskmodel.capability.model.difficulty_pivots`), where the results pin it,
        for the benchmarks ``pivot_benchmarks`` names (default); ``midpoint``: every
        benchmark at the midpoint (``difficulty``; the default until MMLU's pivot). A
        sampling choice only: the joint distribution, and so the posterior, is the same.
        Pivoting every benchmark lifted seed 3's min bulk ESS from 745 to 1,539 (MMLU's
        ceiling direction), but at seed 4 one chain visited a low ARC-C ceiling the others
        did not (max R-hat 1.042, min bulk ESS 64; ``docs/fit_seeds_pivot.md``); hence
        the default pivots MMLU alone.
    pivot_min_results
        Benchmarks with fewer results keep the midpoint under ``data``: their location
        leans on its prior, and the pivot's shift ``logit(pivot) / discrimination`` then
        curves the prior (the shipped data's five benchmarks with 1-16 results took the
        sampler from 63 to 78 leapfrog steps per draw; the others have 37-128).
    pivot_benchmarks
        Under ``data``, only these instruments (keys such as ``mmlu`` or
        ``frontiermath@chat``: a benchmark slug, then ``@`` and a harness kind for any
        but the benchmark's most used kind) are pivoted; the others keep the midpoint.
        ``None`` (``"all"`` in a settings file): every benchmark with
        ``pivot_min_results`` results. A name the evidence does not declare is refused;
        one without results in a fit pivots nothing. Default: MMLU alone
        (:data:`DEFAULT_PIVOT_BENCHMARKS`), whose base-model results cover only the
        bottom of its curve (the best at 0.79), so its ceiling and midpoint traded off
        (posterior correlation -0.90): at seed 3 the midpoint form's min bulk ESS was
        745; MMLU pivoted, with 12,000 draws, the five seeds of ``docs/fit_seeds.md``
        keep the margin. A screening backtest at 2024-01-01 (4 x 1,000 draws, three
        seeds, ``benchmarks/backtest_variants.py --evidence shipped``) scored the
        same as the midpoint form: 90% coverage 0.897 both, CRPS 0.0612 against 0.0611.
    """

    reference_log10_flop: float = 23.0
    reference_date: str = "2023-01-01"
    flop_sd_dex: dict[str, Annotated[float, Field(gt=0)]] = {
        "confident": round(math.log10(3) / 1.645, 4),
        "likely": round(math.log10(10) / 1.645, 4),
        "speculative": round(math.log10(30) / 1.645, 4),
        "derived": round(math.log10(1.5) / 1.645, 4),
    }
    trend_start_date: str = "2018-01-01"
    trend_domains: tuple[str, ...] = ("Language",)
    excluded_benchmarks: tuple[str, ...] = (
        "bbh",
        "gpqa",
        "ifeval",
        "math_hard",
        "mmlu_pro",
        "musr",
    )
    capability_parameterization: Literal["auto", "centered", "noncentered"] = "auto"
    centered_min_results: Annotated[int, Field(ge=1)] = 3
    centered_min_cells: Annotated[int, Field(ge=1)] = 10
    zero_sum_residuals: bool = True
    centered_task_difficulty: bool = False
    method_change_date: str = "2024-09-12"
    method_change_smoothing_years: Annotated[float, Field(gt=0.0, le=2.0)] = 0.5
    forecast_rate_volatility: Annotated[float, Field(ge=0.0, le=2.0)] = 0.15
    centered_task_min_runs: Annotated[int, Field(ge=1)] = 30
    suite_anchor_max_models: Annotated[int, Field(ge=0)] = 3
    difficulty_pivot: Literal["data", "midpoint"] = "data"
    pivot_min_results: Annotated[int, Field(ge=1)] = 20
    pivot_benchmarks: tuple[str, ...] | None = DEFAULT_PIVOT_BENCHMARKS
    priors: CapabilityPriors = CapabilityPriors()

    @field_validator("reference_date", "trend_start_date", "method_change_date")
    @classmethod
    def _date(cls, value: str) -> str:
        return parse_date(value, what="date", error=ConfigError).isoformat()

    @field_validator("pivot_benchmarks", mode="before")
    @classmethod
    def _all_benchmarks(cls, value: object) -> object:
        # TOML has no null: "all" is how a settings file asks for every benchmark.
        return None if value == "all" else value

    @model_validator(mode="after")
    def _pivot_names_need_the_data_pivot(self) -> CapabilityConfig:
        named = self.pivot_benchmarks not in (None, DEFAULT_PIVOT_BENCHMARKS)
        if named and self.difficulty_pivot != "data":
            raise ValueError(
                "pivot_benchmarks names benchmarks to pivot, which happens only with "
                "difficulty_pivot = 'data'"
            )
        return self

    @field_validator("flop_sd_dex")
    @classmethod
    def _labels(cls, value: dict[str, float]) -> dict[str, float]:
        known = ("confident", "likely", "speculative", "derived")
        unknown = [k for k in value if k not in known]
        missing = [k for k in known if k not in value]
        if unknown or missing:
            what = f"unknown label '{unknown[0]}'" if unknown else f"missing '{missing[0]}'"
            raise ValueError(f"{what}; give an sd (dex) for each of {', '.join(known)}")
        return value


class SamplerConfig(_Strict):
    """NUTS settings. ``nuts_sampler`` is pinned: samplers differ in draws for one seed.

    ``adaptation`` (nutpie only): ``diag`` is nutpie's gradient-based diagonal mass
    matrix; with capability model v2's geometry (anchor groups, centring by
    information) it needs half the leapfrog steps per draw of ``draw_diag`` (the
    variance-based estimate version 1 needed for its wide task-run direction).
    ``target_accept`` 0.98, the backtest's value: 0.8 halves the steps per draw but let
    through divergences (39 in 12,000 draws), 0.9 let through 3 in 24,000 at one of two
    seeds (at low post-training rates), and 0.95 had none in 5 x 24,000 draws of the
    fast-math build but 1 in 2 x 24,000 of the strict one (seed 1 refused: a jump of
    1,080 in energy 3 leapfrog steps into a trajectory), so its divergence verdict sat on
    an edge. 0.98 takes the same 63 leapfrog steps per draw (tree depth 6) with a step
    size of 0.06 instead of 0.09, so each trajectory is a third shorter and a draw is
    worth 0.6 of one at 0.95 (median bulk ESS over all parameters, default seed);
    ``draws`` 10,000 (was 6,000) bought most of that back: five seeds passed the gate
    with no divergence, and four kept the margin (max R-hat <= 1.005, min bulk ESS
    >= 1,000); at seed 3 MMLU's ceiling and difficulty mixed slowly (min bulk ESS 745).
    With MMLU pivoted (``CapabilityConfig.pivot_benchmarks``) seed 4's max R-hat was
    1.0054 (``reasoning_gain``) at 10,000 draws and 1.0046 at 12,000 (1.0036 on another
    machine), the default: all five seeds keep the margin there (max R-hat
    1.0036-1.0045, min bulk ESS 1,514-1,884; ``docs/fit_seeds.md``).
    """

    nuts_sampler: Literal["nutpie", "pymc"] = "nutpie"
    adaptation: Literal["draw_diag", "diag", "low_rank"] = "diag"
    draws: Annotated[int, Field(ge=10, le=1_000_000)] = 12000
    tune: Annotated[int, Field(ge=10, le=1_000_000)] = 600
    chains: Annotated[int, Field(ge=1, le=16)] = 4
    cores: Annotated[int, Field(ge=1, le=256)] = 2
    target_accept: Annotated[float, Field(gt=0.5, lt=1.0)] = 0.98
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = DEFAULT_SEED


class QualityGate(_Strict):
    """Convergence thresholds below which a fit is refused."""

    max_rhat: Annotated[float, Field(ge=1.0)] = 1.01
    min_ess_bulk: Annotated[float, Field(ge=0.0)] = 400.0
    max_divergences: Annotated[int, Field(ge=0)] = 0


class FitConfig(_Strict):
    """Everything that determines a fit, apart from the evidence itself."""

    capability: CapabilityConfig = CapabilityConfig()
    sampler: SamplerConfig = SamplerConfig()
    gate: QualityGate = QualityGate()


def default_config() -> FitConfig:
    """Return the default configuration."""
    return FitConfig()


def merge_overrides(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` into a copy of ``base`` (dicts merge, other values replace)."""
    merged = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge_overrides(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _validate(data: dict[str, Any], origin: str | None) -> FitConfig:
    try:
        return FitConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"  {line}" for line in validation_problems(exc)]
        where = f" in {origin}" if origin else ""
        raise ConfigError(f"invalid configuration{where}:\n" + "\n".join(lines)) from None


def read_config_file(path: Path) -> dict[str, Any]:
    """Parse a ``.toml`` or ``.json`` config file as data (never executed;
    :func:`riskmodel._io.read_data_file`).

    Raises
    ------
    ConfigError
        Unreadable, not UTF-8, another suffix, unparsable (including a key given twice,
        an integer of thousands of digits or absurd nesting), or not a table at top level.
    """
    return read_data_file(path, "config", suffixes=(".toml", ".json"))


def load_config(
    source: str | Path | dict[str, Any] | None = None,
    *,
    base: FitConfig | None = None,
) -> FitConfig:
    """Build a configuration from defaults plus user overrides.

    Parameters
    ----------
    source
        ``None`` for the defaults, a ``dict`` of overrides, or a path to a ``.toml`` or
        ``.json`` file of overrides. Files are parsed as data only.
    base
        Configuration to override; defaults to :func:`default_config`.

    Returns
    -------
    FitConfig
        The validated, merged configuration.
    """
    base_dict = (base or default_config()).model_dump(mode="json")
    if source is None:
        return _validate(base_dict, "the defaults")
    if isinstance(source, dict):
        return _validate(merge_overrides(base_dict, source), None)
    path = Path(source)
    overrides = read_config_file(path)
    return _validate(merge_overrides(base_dict, overrides), str(path))


def config_hash(config: FitConfig | dict[str, Any], evidence_hash: str) -> str:
    """SHA-256 identifying a fit: canonical JSON of the config plus the evidence hash.

    ``config`` may be the stored JSON dictionary itself, so that a fit file written
    before a new config field was added still verifies against its own contents.
    """
    as_dict = config.model_dump(mode="json") if isinstance(config, FitConfig) else config
    payload = json.dumps(
        {"config": as_dict, "evidence": evidence_hash},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()
