"""Epoch Capabilities Index file: metadata fallback only (the ECI score is never used).

For evidence models without an Epoch match: organisation, open-weights accessibility and,
when no FLOP is known yet, the hub / ECI training compute with ECI's confidence; the ECI
release date is used for ObsScaling models only (others are dated by their own source).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from build_data import curated
from build_data.common import read_csv, split_effort, to_float, to_str
from build_data.registry import DATE_ECI, Registry, is_open_weights, map_confidence
from build_data.sources.obsscaling import SRC_OBS
from build_data.vintage import Vintage

SRC_ECI = "epoch_capabilities_index"


def add_metadata(
    vintage: Vintage,
    registry: Registry,
    obs_models: Iterable[str],
    hub_flop: Mapping[str, float],
    evidence: set[str],
    auto_link: bool,
) -> int:
    """Fill gaps from the hub files and the ECI file; return the number of FLOP fills."""
    eci = read_csv(vintage.ref_dir / vintage.eci)
    eci["Model version"] = eci["Model version"].str.strip()
    by_version = {str(rec["Model version"]): rec for rec in eci.to_dict("records")}
    by_lower = {version.lower(): version for version in by_version}
    obs_doc = curated.load("obsscaling")
    links: dict[str, str] = dict(curated.mapping("aliases", "eci", "eci", vintage.name))
    if auto_link:
        by_id: dict[str, str] = {}
        for version in sorted(by_version):
            model, _ = split_effort(version)
            by_id.setdefault(model, version)
        for model in sorted(evidence):
            if model not in links and model in by_id and registry.records[model].epoch_name is None:
                links[model] = by_id[model]
    for model in obs_models:
        if model in obs_doc["eci_excluded"]:
            continue
        extra = obs_doc["eci_extra"].get(model)
        version = extra["eci"] if extra else by_lower.get(model.split("/", 1)[1].lower())
        if version is not None:
            links[model] = version

    n_flop = 0
    for model in sorted(set(links) | set(hub_flop)):
        entry = registry.records.get(model)
        if entry is None:
            continue
        record = by_version.get(links.get(model, ""))
        if record is not None:
            entry.sources.add(SRC_ECI)
            if SRC_OBS in entry.sources:
                entry.add_date(DATE_ECI, to_str(record["Release date"]))
            if entry.organization is None:
                entry.organization = to_str(record["Organization"])
            entry.open_weights = entry.open_weights or is_open_weights(
                to_str(record["Model accessibility"])
            )
        if entry.training_flop is None:
            flop = hub_flop.get(model)
            if flop is None and record is not None:
                flop = to_float(record["Training compute (FLOP)"])
            if flop is not None:
                entry.training_flop = flop
                conf = to_str(record["Confidence"]) if record is not None else None
                entry.flop_confidence = map_confidence(conf, flop)
                n_flop += 1
    return n_flop
