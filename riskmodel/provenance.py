"""Provenance and safe output: package versions, the source commit, and atomic file writes."""

from __future__ import annotations

import contextlib
import errno
import os
import platform
import secrets
import stat
import subprocess
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from riskmodel.errors import RiskmodelError

__all__ = ["package_versions", "source_commit", "atomic_path"]

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


def source_commit(repo: str | Path) -> str:
    """Short commit of the git checkout at ``repo``, with ``+`` when it has uncommitted
    changes; ``unknown`` outside a git checkout (e.g. an installed package)."""

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain")
    except OSError:  # no git on the machine
        return "unknown"
    if head.returncode != 0 or not head.stdout.strip():
        return "unknown"
    return head.stdout.strip() + ("+" if dirty.stdout.strip() else "")


def _new_file_mode(target: Path) -> int:
    """Permissions for the written file: the target's if it exists, else 0o666 - umask.

    ``tempfile.mkstemp`` creates its file readable by the owner only; without this,
    every result (report, figures) would end up private after the rename.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        pass
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process umask, read without changing it where the system allows."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    umask = os.umask(0o022)  # elsewhere reading it means setting it; restored at once
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path in ``target``'s folder; move it over ``target`` on success.

    The write is atomic: readers see the old file or the complete new one, never a
    partial file, and an exception (or interrupt: see :func:`riskmodel.cli.main` for
    SIGTERM) inside the block leaves ``target`` untouched and removes the temporary
    file (``.<name>.<random>.tmp`` beside the target). Two concurrent writers each
    produce a complete file; the last rename wins. The new file gets the permissions
    of the file it replaces (new files: 0o666 minus the umask).

    Raises
    ------
    RiskmodelError
        If the folder or the file cannot be written (naming the target and the reason),
        e.g. the target is a folder, a parent is a file, or permission is denied.
    """
    target = Path(target)
    tmp: Path | None = None
    try:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_dir():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
            # The name is known before the file exists, so an interrupt at any point
            # (a SIGTERM may be handled between any two bytecodes, e.g. inside mkstemp
            # right after it created the file) leaves nothing the clean-up cannot find.
            while True:
                tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
                try:
                    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    break
                except FileExistsError:
                    continue
            os.close(fd)
        except OSError as exc:
            raise RiskmodelError(_cannot_write(target, exc)) from None
        try:
            yield tmp
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            os.chmod(tmp, _new_file_mode(target))
            os.replace(tmp, target)
        except OSError as exc:
            raise RiskmodelError(_cannot_write(target, exc)) from None
    finally:
        if tmp is not None:
            # Absent (never created, or already renamed) or unreachable: nothing to remove.
            with contextlib.suppress(OSError):
                tmp.unlink()


def _cannot_write(target: Path, exc: OSError) -> str:
    if isinstance(exc, FileExistsError | NotADirectoryError):
        reason = "a folder on its path is a file"
    else:
        reason = exc.strerror or str(exc)
    return f"cannot write output file {target}: {reason}; nothing was changed"
