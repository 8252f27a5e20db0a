"""The main job's pieces on the small fit: forecast tables and figures, written atomically."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from riskmodel.capability.store import save_fit
from riskmodel.config import FitConfig
from riskmodel.evidence import Evidence
from riskmodel.report import (
    _forecast_table,
    _horizon_table,
    cached_or_new_fit,
    write_capability_figures,
    write_uplift_figures,
)


def test_tables_and_figures(
    small_fit: xr.DataTree, small_evidence: Evidence, small_config: FitConfig, tmp_path: Path
) -> None:
    forecasts = _forecast_table(small_fit)
    assert {"benchmark", "date", "flop", "mean", "q05", "q95"} <= set(forecasts.columns)
    assert (forecasts["q05"] <= forecasts["q95"]).all()
    horizons = _horizon_table(small_fit)
    assert (horizons["h50_minutes_q05"] <= horizons["h50_minutes_q95"]).all()
    written = write_capability_figures(small_fit, small_evidence, small_config, tmp_path)
    written += write_uplift_figures(small_fit, tmp_path)
    for path in written:
        assert path.stat().st_size > 10_000, path
    assert not list(tmp_path.glob(".*.tmp"))


def test_cached_fit_is_reused_only_on_hash_match(
    small_fit: xr.DataTree, small_evidence: Evidence, small_config: FitConfig, tmp_path: Path
) -> None:
    path = save_fit(small_fit, tmp_path / "fit.nc")
    reused = cached_or_new_fit(path, small_evidence, small_config)
    assert reused.attrs["config_hash"] == small_fit.attrs["config_hash"]
