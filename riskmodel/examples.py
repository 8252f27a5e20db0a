"""A small real fit for notebooks, examples and tests (fast to build, cached on disk).

The full capability fit takes about 8-11 minutes on 2 cores; notebooks and tests use a
real-data subset instead: five open model families on MMLU, ARC-Challenge, GSM8K and
Cybench, plus the task runs of four suites (NL2Bash, InterCode-CTF, Cybench, HCAST),
sampled briefly (2 chains x 300 draws). It is not converged to the project's gate and
must not be used for conclusions: it exists so that every workflow runs in about a minute.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from riskmodel.config import FitConfig, load_config
from riskmodel.evidence import Evidence, load_evidence

__all__ = [
    "EXAMPLE_BENCHMARKS",
    "EXAMPLE_SUITES",
    "EXAMPLE_FAMILIES",
    "EXAMPLE_FIT_PATH",
    "example_config",
    "example_evidence",
    "example_fit",
    "analysis_fit",
    "EXAMPLE_FIT_VARIABLE",
]

#: Environment variable that makes :func:`analysis_fit` use the example fit (CI runs the
#: notebooks on it).
EXAMPLE_FIT_VARIABLE = "RISKMODEL_EXAMPLE_FIT"

#: Benchmarks kept in the example subset.
EXAMPLE_BENCHMARKS = ("mmlu", "arc_c", "gsm8k", "cybench")
#: Task suites kept in the example subset.
EXAMPLE_SUITES = ("nl2bash", "intercode_ctf", "cybench", "hcast")
#: ObsScaling families kept (a spread of compute and dates).
EXAMPLE_FAMILIES = (
    "meta-llama/",
    "EleutherAI/pythia",
    "Qwen/Qwen1.5",
    "facebook/opt",
    "google/gemma",
)
#: Where :func:`example_fit` caches its fit.
EXAMPLE_FIT_PATH = Path(__file__).resolve().parents[1] / "results" / "example_fit.nc"


def example_evidence(
    evidence: Evidence | None = None, extra: list[str | Path] | None = None
) -> Evidence:
    """The example subset of ``evidence`` (default: the shipped data plus ``extra`` CSVs).

    Models from ``extra`` files keep all their results on the example benchmarks.
    """
    evidence = evidence if evidence is not None else load_evidence(list(extra or []))
    tables = evidence.to_tables()
    results = tables["results"]
    extra_models: set[str] = set()
    if extra:
        extra_models = set(load_evidence(list(extra)).results["model"]) - set(
            load_evidence().results["model"]
        )
    keep = (
        results["model"].str.startswith(EXAMPLE_FAMILIES)
        | (results["benchmark"] == "cybench")
        | results["model"].isin(extra_models)
    )
    tables["results"] = results[keep & results["benchmark"].isin(EXAMPLE_BENCHMARKS)]
    runs = tables["task_runs"]
    tables["task_runs"] = runs[runs["benchmark"].isin(EXAMPLE_SUITES)]
    return Evidence.from_tables(tables)


def example_config() -> FitConfig:
    """A short sampler run: 2 chains x 300 draws after 300 tuning steps, seed 7."""
    return load_config({"sampler": {"draws": 300, "tune": 300, "chains": 2, "seed": 7}})


def example_fit(
    path: str | Path | None = EXAMPLE_FIT_PATH,
    *,
    evidence: Evidence | None = None,
    config: FitConfig | None = None,
) -> xr.DataTree:
    """Fit (or reuse from ``path`` when config and data match) the example model.

    Parameters
    ----------
    path
        Cache file; ``None`` fits without caching.
    evidence
        Evidence to fit; default :func:`example_evidence`.
    config
        Default :func:`example_config`.
    """
    from riskmodel.capability.cache import load_or_fit

    evidence = evidence if evidence is not None else example_evidence()
    config = config or example_config()
    return load_or_fit(path, evidence, config, allow_unconverged=True)[0]


def analysis_fit(full_fit: str | Path) -> tuple[xr.DataTree, str]:
    """The fit a notebook analyses, and a label saying which it is.

    The full fit at ``full_fit`` when it exists, loads and ``$RISKMODEL_EXAMPLE_FIT`` is
    unset; otherwise the small example fit (:func:`example_fit`), labelled as a
    demonstration. A full fit that cannot be used is reported and replaced, never
    silently.

    Parameters
    ----------
    full_fit
        Path of the full capability fit (``results/capability_fit.nc`` of the main job).

    Returns
    -------
    (xarray.DataTree, str)
        The fit and its label (``"full fit (capability_fit.nc)"`` or ``"small example fit
        (demonstration only, not for conclusions)"``).
    """
    import os

    from riskmodel.capability.store import load_fit
    from riskmodel.errors import FitFileError

    path = Path(full_fit)
    if not os.environ.get(EXAMPLE_FIT_VARIABLE) and path.exists():
        try:
            return load_fit(path), f"full fit ({path.name})"
        except FitFileError as exc:
            print(f"The full fit cannot be used ({exc}); using the example fit instead.")
    return example_fit(), "small example fit (demonstration only, not for conclusions)"
