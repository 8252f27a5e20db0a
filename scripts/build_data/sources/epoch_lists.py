"""Epoch AI model lists: "Notable AI Models" and (new vintage) "Large-Scale AI Models".

Every row of both lists becomes a models.csv row (large-scale rows not in the notable list
are added with ``epoch_lists = large_scale``); rows matched to an evidence id (curated
``epoch_matches.toml``) are merged into that id's row, so no Epoch row is duplicated.
"""

from __future__ import annotations

from build_data import curated
from build_data.common import read_csv, to_float, to_str
from build_data.registry import (
    COMPUTE_NOTE_MAP,
    CONF_DERIVED,
    DATE_EPOCH,
    Registry,
    is_open_weights,
    map_confidence,
)
from build_data.vintage import Vintage
from riskmodel.evidence import schema


def matches(vintage: Vintage) -> tuple[dict[str, str], dict[str, str]]:
    """Return (ObsScaling matches, evidence matches): id -> Epoch name; one claimant each."""
    obs = curated.mapping("epoch_matches", "obsscaling", "epoch", vintage.name)
    evidence = curated.mapping("epoch_matches", "evidence", "epoch", vintage.name)
    names = list(obs.values()) + list(evidence.values())
    if len(names) != len(set(names)):
        dupes = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"Epoch rows matched by two model ids: {dupes}")
    overlap = set(obs) & set(evidence)
    if overlap:
        raise ValueError(f"ids in both match tables: {sorted(overlap)}")
    return obs, evidence


def _load(vintage: Vintage) -> list[tuple[str, dict[str, str]]]:
    """Return (list label, record) pairs: notable rows first, then large-scale-only rows."""
    notable = read_csv(vintage.ref_dir / vintage.epoch_notable)
    notable["Model"] = notable["Model"].str.strip()
    if notable["Model"].duplicated().any():
        raise ValueError("duplicate Epoch notable model names")
    out = [("notable", {str(k): str(v) for k, v in r.items()}) for r in notable.to_dict("records")]
    if vintage.epoch_large:
        large = read_csv(vintage.ref_dir / vintage.epoch_large)
        large["Model"] = large["Model"].str.strip()
        if large["Model"].duplicated().any():
            raise ValueError("duplicate Epoch large-scale model names")
        out += [
            ("large_scale", {str(k): str(v) for k, v in r.items()})
            for r in large.to_dict("records")
        ]
    return out


def add_models(vintage: Vintage, registry: Registry) -> dict[str, int]:
    """Add every Epoch row (merged into matched ids); return counts for the summary."""
    obs, evidence = matches(vintage)
    name_to_id = {name: model for model, name in {**obs, **evidence}.items()}
    rows = _load(vintage)
    names = {r["Model"] for _, r in rows}
    missing = set(name_to_id) - names
    if missing:
        raise ValueError(f"matched Epoch names not in the Epoch files: {sorted(missing)}")
    base_lookup = {
        **{k: v["id"] for k, v in curated.load("obsscaling")["epoch_base_name_to_id"].items()},
        **name_to_id,
    }
    seen: dict[str, str] = {}
    counts = {
        "notable": 0,
        "large_scale_only": 0,
        "large_scale_also_notable": 0,
        "finetune_flop_implausible": 0,
    }
    for label, record in rows:
        name = record["Model"]
        model = name_to_id.get(name, name)
        entry = registry.get(model)
        entry.epoch_lists.add(label)
        if label == "large_scale" and name in seen:
            # Already added from the notable list; only record list membership.
            counts["large_scale_also_notable"] += 1
            entry.sources.add(vintage.src_epoch_large or "")
            continue
        seen[name] = label
        counts["notable" if label == "notable" else "large_scale_only"] += 1
        entry.sources.add(
            vintage.src_epoch if label == "notable" else vintage.src_epoch_large or ""
        )
        entry.add_date(DATE_EPOCH, to_str(record["Publication date"]))
        entry.organization = to_str(record["Organization"])
        entry.domain = to_str(record["Domain"])
        if name in name_to_id:
            entry.epoch_name = name
        entry.training_cost_usd = to_float(record.get("Training compute cost (2023 USD)"))
        finetune = to_float(record["Finetune compute (FLOP)"])
        if finetune is not None and finetune < schema.FLOP_PLAUSIBLE_MIN:
            # The February 2026 export garbles this column for some rows (DeepSeek-R1
            # "1" where the 2025-02 export has 6.1e23; Flan-PaLM "5" for 5.6e21): a value
            # below 1e15 FLOP is not a fine-tuning budget, so it is read as unknown.
            counts["finetune_flop_implausible"] += 1
            finetune = None
        entry.finetune_flop = finetune
        entry.frontier = to_str(record.get("Frontier model")) == "True"
        entry.open_weights = entry.open_weights or is_open_weights(
            to_str(record["Model accessibility"])
        )
        note = to_str(record.get("compute_note_vs_1e25"))
        if note is not None:
            if note not in COMPUTE_NOTE_MAP:
                raise ValueError(f"Epoch {name}: unknown compute_note_vs_1e25 {note!r}")
            entry.compute_note = COMPUTE_NOTE_MAP[note]
        base = to_str(record["Base model"])
        if base is not None:
            entry.base_model = ",".join(
                base_lookup.get(part.strip(), part.strip()) for part in base.split(",")
            )
        if entry.flop_confidence != CONF_DERIVED:
            flop = to_float(record["Training compute (FLOP)"])
            entry.training_flop = flop
            entry.flop_confidence = map_confidence(to_str(record["Confidence"]), flop)
    return counts
