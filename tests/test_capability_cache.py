"""The one fit cache (`riskmodel.capability.cache`): reuse only a current fit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import xarray as xr

import riskmodel.capability.cache as cache
from riskmodel.capability.store import save_fit
from riskmodel.config import FitConfig, config_hash, load_config
from riskmodel.errors import ConvergenceError, FitFileError
from riskmodel.evidence import Evidence


class _Store:
    """Stands in for the sampler and the fit files: counts fits, keeps trees by path."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, converged: bool = True) -> None:
        self.fits = 0
        self.files: dict[str, xr.DataTree] = {}
        self.converged = converged
        monkeypatch.setattr(cache, "fit_evidence_model", self.fit)
        monkeypatch.setattr(cache, "save_fit", self.save)
        monkeypatch.setattr(cache, "load_fit", self.load)

    def fit(self, evidence: Evidence, config: FitConfig, **kwargs: object) -> xr.DataTree:
        if not self.converged and not kwargs.get("allow_unconverged"):
            raise ConvergenceError("the fit did not converge", [])
        self.fits += 1
        tree = xr.DataTree()
        tree.attrs.update(
            fit_number=self.fits,
            config_hash=config_hash(config, evidence.content_hash()),
            model_source_hash=cache.model_source_hash(),
            diagnostics=json.dumps(
                {"sampling_seconds": 1.0, "max_rhat": 1.0, "min_ess_bulk": 1e3, "divergences": 0}
            ),
        )
        return tree

    def save(self, tree: xr.DataTree, path: Path) -> Path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_bytes(b"fit")
        self.files[str(path)] = tree.copy()
        return Path(path)

    def load(self, path: Path) -> xr.DataTree:
        if str(path) not in self.files:
            raise FitFileError(f"{path}: not a fit file")
        return self.files[str(path)].copy()


def test_reuses_only_a_current_fit(
    small_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = _Store(monkeypatch)
    path = tmp_path / "fit.nc"
    config = load_config()
    lines: list[str] = []

    def get(evidence: Evidence = small_evidence, config: FitConfig = config, **kw):
        return cache.load_or_fit(path, evidence, config, log=lines.append, **kw)

    tree, reused = get()
    assert not reused and store.fits == 1 and "fit_wall_seconds" in tree.attrs
    tree, reused = get()
    assert reused and store.fits == 1 and tree.attrs["fit_number"] == 1
    assert any(line.startswith("reusing cached fit") for line in lines)
    # the config changes: refit, and the new fit is reused in turn
    other = load_config({"sampler": {"draws": config.sampler.draws + 1}})
    assert not get(config=other)[1] and store.fits == 2
    assert get(config=other)[1] and store.fits == 2
    assert "different config or data" in lines[-4]
    # the evidence changes
    fewer = small_evidence.released_before("2024-01-01")
    assert fewer.content_hash() != small_evidence.content_hash()
    assert not get(evidence=fewer, config=other)[1] and store.fits == 3
    # the model code changes
    monkeypatch.setattr(cache, "model_source_hash", lambda: "edited capability/model.py")
    assert not get(evidence=fewer, config=other)[1] and store.fits == 4
    assert any("different capability model code" in line for line in lines)
    # reuse=False refits a current fit
    assert not get(evidence=fewer, config=other, reuse=False)[1] and store.fits == 5


def test_refits_a_fit_without_provenance_or_unreadable(
    small_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A fit made before fits recorded their model code, or a file that does not load,
    is refitted, not trusted."""
    store = _Store(monkeypatch)
    path = tmp_path / "fit.nc"
    config = load_config()
    cache.load_or_fit(path, small_evidence, config)
    del store.files[str(path)].attrs["model_source_hash"]
    assert cache.stale_reason(store.files[str(path)], config, small_evidence.content_hash())
    assert not cache.load_or_fit(path, small_evidence, config)[1] and store.fits == 2
    store.files.clear()  # the file exists but is not a fit
    lines: list[str] = []
    assert not cache.load_or_fit(path, small_evidence, config, log=lines.append)[1]
    assert "unusable" in lines[0] and store.fits == 3


def test_no_path_stores_nothing_and_a_failed_fit_keeps_the_old_file(
    small_evidence: Evidence, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = _Store(monkeypatch)
    config = load_config()
    assert not cache.load_or_fit(None, small_evidence, config)[1]
    assert not cache.load_or_fit(None, small_evidence, config)[1] and store.fits == 2
    assert store.files == {}
    path = tmp_path / "fit.nc"
    cache.load_or_fit(path, small_evidence, config)
    kept = store.files[str(path)]
    store.converged = False
    other = load_config({"sampler": {"seed": 1}})
    with pytest.raises(ConvergenceError):
        cache.load_or_fit(path, small_evidence, other)
    assert store.files[str(path)] is kept


def test_a_synthetic_fit_is_never_current(small_fit: xr.DataTree, small_evidence: Evidence) -> None:
    """The tests' synthetic fit carries real hashes, but is not a posterior to reuse."""
    config = load_config(json.loads(small_fit.attrs["config"]))
    assert small_fit.attrs["synthetic"]
    assert "synthetic" in cache.stale_reason(small_fit, config, small_evidence.content_hash())


@pytest.mark.slow  # the real short NUTS fit
def test_a_real_stored_fit_is_reused(
    small_mcmc_fit: xr.DataTree,
    small_evidence: Evidence,
    small_config: FitConfig,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A fit saved to disk and loaded back is current for its own config and evidence."""
    path = save_fit(small_mcmc_fit, tmp_path / "fit.nc")

    def refuse(*args: object, **kwargs: object) -> xr.DataTree:
        raise AssertionError("refitted a current fit")

    monkeypatch.setattr(cache, "fit_evidence_model", refuse)
    tree, reused = cache.load_or_fit(path, small_evidence, small_config)
    assert reused and tree.attrs["config_hash"] == small_mcmc_fit.attrs["config_hash"]


def test_model_source_hash_covers_the_model_and_data_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    from riskmodel.capability import sampling

    assert [(p.parent.name, p.name) for p in sampling.MODEL_SOURCES] == [
        ("capability", "model.py"),
        ("capability", "data.py"),
        ("riskmodel", "_time.py"),  # the model's time variable (years since the reference)
        ("riskmodel", "_compile.py"),  # how it is compiled (the draws of a seed depend on it)
    ]
    original = sampling.model_source_hash()
    copies = []
    for path in sampling.MODEL_SOURCES:
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(sampling, "MODEL_SOURCES", tuple(copies))
    assert sampling.model_source_hash() == original  # the code, not where it lies
    for copy in copies:
        source = copy.read_bytes()
        copy.write_bytes(source + b"\n")
        assert sampling.model_source_hash() != original, copy.name
        copy.write_bytes(source)
    assert sampling.model_source_hash() == original
