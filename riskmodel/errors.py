"""Exceptions raised by riskmodel.

Every error the toolkit raises on purpose derives from :class:`RiskmodelError`, so a
caller (or the command line) can tell an explained failure from a bug. Messages are
plain sentences that say what is wrong, where, and what to do about it.
"""

from __future__ import annotations

import signal

__all__ = [
    "RiskmodelError",
    "EvidenceError",
    "ConfigError",
    "ConvergenceError",
    "FitFileError",
    "Interrupted",
]


class RiskmodelError(Exception):
    """Base class of every error riskmodel raises deliberately."""


class EvidenceError(RiskmodelError, ValueError):
    """Invalid evidence: a data file with a wrong column, type, unit or value.

    Parameters
    ----------
    message
        What is wrong, in plain words.
    file
        Path of the offending file, if any.
    row
        1-based line number in the file (the header is line 1), if known.
    column
        Name of the offending column, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = []
        if file is not None:
            where.append(f"{file}")
        if row is not None:
            where.append(f"line {row}")
        if column is not None:
            where.append(f"column '{column}'")
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class ConfigError(RiskmodelError, ValueError):
    """Invalid configuration: an unknown key, a wrong type or an impossible value."""


class ConvergenceError(RiskmodelError):
    """The sampler did not converge by the project's quality gate.

    Attributes
    ----------
    failures
        One plain-language line per failing check (parameter, statistic, value).
    """

    def __init__(self, message: str, failures: list[str]) -> None:
        self.failures = list(failures)
        super().__init__(message)


class FitFileError(RiskmodelError):
    """A stored fit cannot be used: missing, unreadable, or its config hash does not match."""


class Interrupted(BaseException):  # named for what happened, like KeyboardInterrupt
    """The run was stopped by a signal (SIGINT or SIGTERM) before it finished.

    Raised by the signal handlers that :func:`riskmodel.cli.main` installs, so that a
    SIGTERM unwinds the stack like Ctrl-C does (``finally`` blocks run: the temporary
    files of :func:`riskmodel.provenance.atomic_path` are removed and no target is
    replaced). It derives from :class:`BaseException` like :class:`KeyboardInterrupt`,
    so ``except Exception`` does not swallow it, but deliberately not from
    :class:`KeyboardInterrupt`: nutpie and PyMC catch ``KeyboardInterrupt`` during
    sampling and return the partial trace, whereas any other exception cancels the
    sampler and propagates.

    Attributes
    ----------
    signum
        The signal number (``signal.SIGINT`` or ``signal.SIGTERM``).
    """

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        try:
            name = signal.Signals(self.signum).name
        except ValueError:
            name = f"signal {self.signum}"
        super().__init__(f"interrupted by {name}")
