"""The model registry: facts about each model accumulated from every source."""

from __future__ import annotations

from dataclasses import dataclass, field

from build_data.common import Cell
from riskmodel.evidence import schema

# Epoch "Confidence" -> flop_confidence. Epoch "Unknown", ECI "Unverified" or a missing
# confidence on a present FLOP value map to "speculative".
CONFIDENCE_MAP: dict[str, str] = {
    "Confident": "confident",
    "Likely": "likely",
    "Speculative": "speculative",
}
CONF_SPECULATIVE = "speculative"
CONF_DERIVED = "derived"
CONF_UNKNOWN = "unknown"

# Release-date provenance labels, in order of precedence.
DATE_EPOCH = "epoch"
DATE_CYBENCH_HUB = "cybench_hub"
DATE_EPOCH_HUB = "epoch_hub"
DATE_METR = "metr"
DATE_CYBER = "cyber_task_runs"
DATE_ECI = "epoch_eci"
DATE_CURATED = "obsscaling_curated"
DATE_PRECEDENCE: tuple[str, ...] = (
    DATE_EPOCH,
    DATE_CYBENCH_HUB,
    DATE_EPOCH_HUB,
    DATE_METR,
    DATE_CYBER,
    DATE_ECI,
    DATE_CURATED,
)

MODEL_COLUMNS: tuple[str, ...] = schema.MODELS.names  # the loader's order

# Epoch compute_note_vs_1e25 text -> contract enum.
COMPUTE_NOTE_MAP: dict[str, str] = {
    "likely above": "likely_above",
    "possibly above": "possibly_above",
    "unlikely above": "unlikely_above",
}
EPOCH_LIST_ORDER: tuple[str, ...] = ("notable", "large_scale")


def map_confidence(raw: str | None, flop: float | None) -> str:
    """Map an Epoch confidence label to the ``flop_confidence`` vocabulary."""
    if flop is None:
        return CONF_UNKNOWN
    if raw is None:
        return CONF_SPECULATIVE
    return CONFIDENCE_MAP.get(raw, CONF_SPECULATIVE)


def is_open_weights(accessibility: str | None) -> bool:
    """Return whether an Epoch accessibility label means open weights."""
    return accessibility is not None and accessibility.startswith("Open weights")


@dataclass
class ModelRecord:
    """Accumulated facts about one model before it is written (see data/SOURCES.md)."""

    model: str
    organization: str | None = None
    domain: str | None = None
    epoch_name: str | None = None
    base_model: str | None = None
    training_flop: float | None = None
    flop_confidence: str = CONF_UNKNOWN
    training_cost_usd: float | None = None
    finetune_flop: float | None = None
    open_weights: bool = False
    frontier: bool = False
    compute_note: str | None = None
    reasoning_trained: bool | None = None
    reasoning_source: str | None = None
    epoch_lists: set[str] = field(default_factory=set)
    dates: dict[str, str] = field(default_factory=dict)
    sources: set[str] = field(default_factory=set)

    def add_date(self, label: str, date: str | None) -> None:
        """Record a candidate release date, checking consistency per label."""
        if date is None:
            return
        previous = self.dates.get(label)
        if previous is not None and previous != date:
            raise ValueError(f"{self.model}: conflicting {label} dates {previous} / {date}")
        self.dates[label] = date

    def release(self) -> tuple[str | None, str | None]:
        """Return the chosen release date and its provenance label."""
        for label in DATE_PRECEDENCE:
            if label in self.dates:
                return self.dates[label], label
        return None, None

    def as_row(self, source_order: tuple[str, ...]) -> dict[str, Cell]:
        """Return the models.csv row of this record."""
        date, date_source = self.release()
        unknown_sources = self.sources - set(source_order)
        if unknown_sources:
            raise ValueError(f"{self.model}: unordered source tokens {sorted(unknown_sources)}")
        return {
            "model": self.model,
            "organization": self.organization,
            "release_date": date,
            "training_flop": self.training_flop,
            "flop_confidence": self.flop_confidence,
            "training_cost_usd": self.training_cost_usd,
            "open_weights": self.open_weights,
            "base_model": self.base_model,
            "finetune_flop": self.finetune_flop,
            "frontier": self.frontier,
            "domain": self.domain,
            "epoch_name": self.epoch_name,
            "release_date_source": date_source,
            "source": ";".join(s for s in source_order if s in self.sources),
            "reasoning_trained": self.reasoning_trained,
            "reasoning_source": self.reasoning_source,
            "compute_note_vs_1e25": self.compute_note,
            "epoch_lists": ";".join(x for x in EPOCH_LIST_ORDER if x in self.epoch_lists),
        }


class Registry:
    """Collection of :class:`ModelRecord` keyed by canonical id."""

    def __init__(self) -> None:
        self.records: dict[str, ModelRecord] = {}

    def get(self, model: str) -> ModelRecord:
        """Return the record of ``model``, creating it if needed."""
        if model not in self.records:
            self.records[model] = ModelRecord(model=model)
        return self.records[model]

    def release_date(self, model: str) -> str:
        """Return the chosen release date of a registered model (error if none)."""
        date, _ = self.records[model].release()
        if date is None:
            raise ValueError(f"{model}: no release date")
        return date
