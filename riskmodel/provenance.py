"""Provenance and safe output: package versions, and atomic file writes."""

from __future__ import annotations

import contextlib
import os
import platform
import tempfile
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

__all__ = ["package_versions", "atomic_path"]

#: Packages whose versions are recorded with every result.
TRACKED_PACKAGES = (
    "riskmodel",
    "pymc",
    "pytensor",
    "nutpie",
    "arviz",
    "arviz-base",
    "arviz-stats",
    "numpy",
    "scipy",
    "pandas",
    "xarray",
    "h5netcdf",
)


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages that shape a result."""
    versions = {"python": platform.python_version()}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; move it over ``target`` on success.

    The write is atomic: readers see the old file or the complete new one, never a
    partial file, and an exception (or interrupt) inside the block leaves ``target``
    untouched and removes the temporary file. Two concurrent writers each produce a
    complete file; the last rename wins.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
