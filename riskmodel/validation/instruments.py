"""Results keyed by the capability fit's instruments, for every method of the backtest.

The capability model fits one set of benchmark parameters per *instrument*: a benchmark
read through one kind of harness (:class:`~riskmodel.capability.data.Instrument`; key =
the benchmark slug for its main harness kind, else ``slug@kind``). The backtest forecasts
and scores instruments, so that a base model's 5-shot score and an agent's score on the
same benchmark are never pooled, and every method (the baselines too) is fitted and
scored per instrument key.

A post-cutoff result is mapped to the training fit's instrument of its (benchmark,
harness kind); a harness first seen after the cutoff joins its kind's instrument. A
result whose (benchmark, kind) has no instrument in the training fit cannot be forecast
by the Bayesian model; it keeps a label (the slug, or ``slug@kind`` when the benchmark is
fitted through another kind) so that skipped rows can be reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.capability.data import Instrument, fitted_results, instruments
from riskmodel.config import CapabilityConfig
from riskmodel.evidence import Evidence

__all__ = ["fitted_instruments", "key_results", "instrument_registry"]

#: Harness kind of a harness missing from the registry (as the capability data assumes).
DEFAULT_KIND = "chat"


def fitted_instruments(evidence: Evidence, config: CapabilityConfig) -> dict[str, Instrument]:
    """The instruments a capability fit to ``evidence`` has, by key (the same rule as
    :func:`~riskmodel.capability.data.prepare_capability_data`)."""
    fitted = fitted_results(evidence.results, config)
    return {i.key: i for i in instruments(fitted, evidence.harnesses)}


def key_results(
    evidence: Evidence,
    config: CapabilityConfig,
    fitted: dict[str, Instrument],
    *,
    results: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Fitted results (best effort setting per model, benchmark and harness; excluded
    benchmarks dropped) with their instrument and the model's date and FLOP.

    Parameters
    ----------
    evidence
        Supplies the models table and the harness registry (and the results, unless
        ``results`` is given).
    config
        Capability configuration (excluded benchmarks).
    fitted
        Instruments of the training fit, by key.
    results
        Results table to key (default ``evidence.results``).

    Returns
    -------
    pandas.DataFrame
        The kept rows with columns ``instrument`` (fitted key, or None), ``label`` (the
        key, or the slug / ``slug@kind`` of an unfitted one), ``kind``, ``fraction``
        (``n_solved_effective / n_tasks``), ``release_date`` and ``training_flop``.
    """
    table = fitted_results(evidence.results if results is None else results, config)
    kinds = table["harness"].map(evidence.harnesses["kind"]).fillna(DEFAULT_KIND).astype(str)
    lookup = {(i.benchmark, i.kind): key for key, i in fitted.items()}
    fitted_slugs = {i.benchmark for i in fitted.values()}
    keys, labels = [], []
    for slug, kind in zip(table["benchmark"], kinds, strict=True):
        key = lookup.get((slug, kind))
        keys.append(key)
        labels.append(
            key if key is not None else (f"{slug}@{kind}" if slug in fitted_slugs else slug)
        )
    out = table.assign(instrument=keys, label=labels, kind=kinds.to_numpy())
    out = out.join(evidence.models[["release_date", "training_flop"]], on="model")
    out["fraction"] = (out["n_solved_effective"] / out["n_tasks"]).to_numpy(float)
    return out


def instrument_registry(registry: pd.DataFrame, fitted: dict[str, Instrument]) -> pd.DataFrame:
    """The benchmark registry (index slug) with a row per ``slug@kind`` instrument key
    too (a copy of its benchmark's row: same chance score and number of tasks), so that
    predictions can look an instrument key up like a slug."""
    extra = {
        key: registry.loc[i.benchmark]
        for key, i in fitted.items()
        if key not in registry.index and i.benchmark in registry.index
    }
    if not extra:
        return registry
    rows = pd.DataFrame(extra).T.astype(registry.dtypes.to_dict())
    rows.index.name = registry.index.name
    return pd.concat([registry, rows])


def chance_of(registry: pd.DataFrame, keys: object) -> dict[str, float]:
    """Chance score of each instrument key (from its benchmark's registry row)."""
    return {
        k: float(registry.loc[str(k).split("@", 1)[0], "chance"]) for k in np.unique(list(keys))
    }
