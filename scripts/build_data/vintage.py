"""The two data vintages: which reference files each reads and how it labels them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Vintage:
    """Files and labels of one data vintage.

    Attributes
    ----------
    name : str
        CLI name and curated sub-folder (``2025-09`` or ``2025-02``).
    data_vintage : str
        The vintage written into data/SOURCES.md (``2025-09-01`` / ``2025-02-27``).
    ref_dir : Path
        Folder holding the vintage's evaluation and compute files.
    obs_dir : Path
        Folder holding the (unchanged) ObsScaling files.
    epoch_notable, epoch_large, eci, cybench, cyber_runs, metr_runs, metr_horizons : str
        File names inside ``ref_dir`` (``epoch_large`` may be None).
    hub_horizons : str or None
        Epoch hub copy of METR horizons (new vintage only).
    hub_files : dict
        Benchmark slug -> Epoch hub file (new vintage only).
    cyber_runs_date : str
        Date the cyber run file became public (repo commit or snapshot date).
    metr_runs_date : str
        Date METR's run file became public.
    """

    name: str
    data_vintage: str
    ref_dir: Path
    obs_dir: Path
    epoch_notable: str
    epoch_large: str | None
    eci: str
    cybench: str
    cyber_runs: str
    metr_runs: str
    metr_horizons: str
    hub_horizons: str | None
    cyber_runs_date: str
    metr_runs_date: str
    hub_files: dict[str, str] = field(default_factory=dict)

    @property
    def src_epoch(self) -> str:
        """Provenance token of the Epoch notable-models file."""
        return stem(self.epoch_notable)

    @property
    def src_epoch_large(self) -> str | None:
        """Provenance token of the Epoch large-scale file."""
        return stem(self.epoch_large) if self.epoch_large else None


def stem(name: str) -> str:
    """Return a reference file name without ``.csv`` / ``.csv.gz``."""
    for suffix in (".csv.gz", ".csv"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def make_vintage(name: str, reference_dir: Path) -> Vintage:
    """Return the vintage ``name`` rooted at ``reference_dir`` (the new set's folder)."""
    if name == "2025-09":
        return Vintage(
            name=name,
            data_vintage="2025-09-01",
            ref_dir=reference_dir,
            obs_dir=reference_dir,
            epoch_notable="epoch_notable_models_2026-02_before_2025-09.csv",
            epoch_large="epoch_large_scale_models_2026-02_before_2025-09.csv",
            eci="epoch_capabilities_index_before_2025-09.csv",
            cybench="cybench_epoch_hub_before_2025-09.csv",
            cyber_runs="cyber_task_runs_2025-07-02.csv.gz",
            metr_runs="metr_runs_2025-02-27.csv.gz",
            metr_horizons="metr_time_horizons_before_2025-09.csv",
            hub_horizons="epoch_hub_metr_time_horizons_before_2025-09.csv",
            cyber_runs_date="2025-07-02",
            metr_runs_date="2025-02-27",
            hub_files={
                "gpqa_diamond": "epoch_hub_gpqa_diamond_before_2025-09.csv",
                "swe_bench_verified": "epoch_hub_swe_bench_verified_before_2025-09.csv",
                "frontiermath": "epoch_hub_frontiermath_before_2025-09.csv",
                "terminal_bench_2": "epoch_hub_terminal_bench_before_2025-09.csv",
                "osworld": "epoch_hub_osworld_before_2025-09.csv",
            },
        )
    if name == "2025-02":
        return Vintage(
            name=name,
            data_vintage="2025-02-27",
            ref_dir=reference_dir / "as-of-2025-02",
            obs_dir=reference_dir,
            epoch_notable="epoch_notable_models_2025-02-24.csv",
            epoch_large=None,
            eci="epoch_capabilities_index_to_2025-02.csv",
            cybench="cybench_epoch_hub_to_2025-02.csv",
            cyber_runs="cyber_task_runs_to_2025-02.csv",
            metr_runs="metr_runs_2025-02-27.csv.gz",
            metr_horizons="metr_time_horizons_to_2025-02.csv",
            hub_horizons=None,
            cyber_runs_date="2025-02-27",
            metr_runs_date="2025-02-27",
        )
    raise ValueError(f"unknown vintage {name!r} (use 2025-09 or 2025-02)")
