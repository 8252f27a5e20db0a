"""Saving and loading fitted capability models (netCDF DataTree with provenance).

A fit file holds the PyMC groups (``posterior``, ``sample_stats``, ``observed_data``,
``constant_data``), the evidence it was fitted on (``evidence/models``,
``evidence/results``, ``evidence/task_runs``, ``evidence/benchmarks``) and, as root
attributes: ``config`` (JSON), ``config_hash``, ``evidence_hash``, ``package_versions``
(JSON), ``data_vintage``, ``seed``, ``diagnostics`` (JSON), ``created_at``.

On load the evidence hash is recomputed from the stored tables and the config hash from
the stored config; a mismatch means the file was edited or corrupted, and it is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from riskmodel._io import DEFAULT_FIT_PATH
from riskmodel.config import FitConfig, config_hash, load_config
from riskmodel.errors import FitFileError, RiskmodelError
from riskmodel.evidence import Evidence
from riskmodel.provenance import atomic_path

__all__ = [
    "attach_evidence",
    "save_fit",
    "load_fit",
    "fit_config",
    "fit_evidence",
    "DEFAULT_FIT_PATH",
]

#: Where ``riskmodel fit`` writes by default (relative to the working directory).

_TABLES = ("models", "results", "task_runs", "benchmarks")


def _table_to_dataset(df: pd.DataFrame) -> xr.Dataset:
    flat = df.reset_index()
    variables = {}
    for column in flat.columns:
        series = flat[column]
        attrs = {}
        if pd.api.types.is_datetime64_any_dtype(series):
            values = series.dt.strftime("%Y-%m-%d").fillna("").to_numpy(dtype=str)
            attrs["riskmodel_dtype"] = "date"
        elif pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=np.int8)
            attrs["riskmodel_dtype"] = "bool"
        elif pd.api.types.is_numeric_dtype(series):
            values = series.to_numpy(dtype=float)
            attrs["riskmodel_dtype"] = "int" if pd.api.types.is_integer_dtype(series) else "float"
        else:
            values = series.astype("string").fillna("").to_numpy(dtype=str)
            attrs["riskmodel_dtype"] = "str"
        variables[str(column)] = xr.Variable(("row",), values, attrs=attrs)
    index_names = [n for n in df.index.names if n is not None]
    return xr.Dataset(variables, attrs={"index": json.dumps(index_names)})


def _dataset_to_table(ds: xr.Dataset) -> pd.DataFrame:
    columns = {}
    for name, var in ds.data_vars.items():
        kind = var.attrs.get("riskmodel_dtype", "str")
        values = var.values
        if kind == "date":
            series = pd.to_datetime(pd.Series(values.astype(str)).replace("", None))
        elif kind == "bool":
            series = pd.Series(values.astype(bool))
        elif kind == "int":
            floats = values.astype(float)
            if np.isnan(floats).any():
                series = pd.Series(
                    pd.array(np.where(np.isnan(floats), 0, floats).astype(np.int64), dtype="Int64")
                )
                series[np.isnan(floats)] = pd.NA
            else:
                series = pd.Series(floats.astype(np.int64))
        elif kind == "float":
            series = pd.Series(values.astype(float))
        else:
            series = pd.Series(values.astype(str), dtype=object).replace("", None)
        columns[name] = series
    df = pd.DataFrame(columns)
    index_names = json.loads(ds.attrs.get("index", "[]"))
    if index_names:
        df = df.set_index(index_names)
    return df


def attach_evidence(tree: xr.DataTree, evidence: Evidence) -> xr.DataTree:
    """Store the evidence tables in ``tree`` (groups ``evidence/<table>``), in place."""
    for name, table in evidence.to_tables().items():
        tree[f"evidence/{name}"] = xr.DataTree(_table_to_dataset(table))
    return tree


def save_fit(tree: xr.DataTree, path: str | Path) -> Path:
    """Write a fitted ``tree`` (with provenance and evidence) to ``path`` atomically.

    Parameters
    ----------
    tree
        DataTree from :func:`riskmodel.fit`.
    path
        Target ``.nc`` file; its folder is created if needed.

    Returns
    -------
    pathlib.Path
        The written path.
    """
    out = tree.copy()
    # Sampler messages are Python objects that netCDF cannot store.
    if "sample_stats" in out.children:
        stats = out["sample_stats"].to_dataset()
        drop = [k for k, v in stats.data_vars.items() if v.dtype == object]
        if drop:
            out["sample_stats"] = xr.DataTree(stats.drop_vars(drop))
    path = Path(path)
    with atomic_path(path) as tmp:
        out.to_netcdf(tmp, engine="h5netcdf")
    return path


def fit_diagnostics(tree: xr.DataTree) -> dict:
    """The convergence diagnostics stored with a fit: ``max_rhat``, ``min_ess_bulk``,
    ``min_ess_tail``, ``divergences``, ``sampling_seconds``, ``failures``, ``passed``."""
    return json.loads(tree.attrs["diagnostics"])


def fit_config(tree: xr.DataTree) -> FitConfig:
    """The configuration a fit was made with."""
    return load_config(json.loads(tree.attrs["config"]))


def fit_evidence(tree: xr.DataTree) -> Evidence:
    """The evidence a fit was made on, rebuilt from its stored tables."""
    tables = {
        name: _dataset_to_table(node.to_dataset())
        for name, node in tree["evidence"].children.items()
    }
    return Evidence.from_tables(tables)


def load_fit(path: str | Path) -> xr.DataTree:
    """Load a fit written by :func:`riskmodel.fit` and check its integrity.

    Raises
    ------
    FitFileError
        If the file is missing or unreadable, lacks provenance, or its config hash does
        not match its stored config and evidence.
    """
    path = Path(path)
    if not path.is_file():
        raise FitFileError(f"fit file {path} does not exist; run `riskmodel fit` first")
    try:
        lazy = xr.open_datatree(path, engine="h5netcdf")
        try:
            tree = lazy.compute()  # read everything, then release the file handle
        finally:
            lazy.close()
    except (OSError, ValueError) as exc:
        raise FitFileError(f"cannot read fit file {path}: {exc}") from None
    for key in ("config", "config_hash", "evidence_hash"):
        if key not in tree.attrs:
            raise FitFileError(f"{path} is not a riskmodel fit: attribute '{key}' is missing")
    evidence_tables = tree["evidence"].children if "evidence" in tree.children else {}
    missing = [f"evidence/{t}" for t in _TABLES if t not in evidence_tables]
    if "posterior" not in tree.children:
        missing.insert(0, "posterior")
    if missing:
        raise FitFileError(f"{path} is not a complete riskmodel fit: missing {', '.join(missing)}")
    try:
        stored_config = json.loads(tree.attrs["config"])
        fit_config(tree)  # the stored config must still validate
        evidence_hash = fit_evidence(tree).content_hash()
    except (RiskmodelError, ValueError, KeyError) as exc:
        raise FitFileError(
            f"{path}: stored config or evidence cannot be read back: {exc}"
        ) from None
    if evidence_hash != tree.attrs["evidence_hash"]:
        raise FitFileError(
            f"{path}: the stored evidence does not match its recorded hash; "
            "the file was modified after fitting. Refit instead of editing fit files."
        )
    expected = config_hash(stored_config, evidence_hash)
    if expected != tree.attrs["config_hash"]:
        raise FitFileError(
            f"{path}: config hash mismatch (stored {tree.attrs['config_hash'][:12]}, "
            f"contents give {expected[:12]}); the file was modified after fitting. "
            "Refit instead of editing fit files."
        )
    return tree
