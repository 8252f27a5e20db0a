"""Run independent units of work locally or on a dask.distributed cluster, keeping every
unit's outcome when another fails.

Connection and errors follow :mod:`riskmodel.simulation.run` (``--scheduler ADDRESS``,
the same messages); the difference is that a unit that raises does not stop the others:
its exception is returned in its place. (The simulation's own ``_run_tasks`` maps its
chunk function only, and stops at the first failing chunk; it could run on
:func:`map_tasks` unchanged in its results.)
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from riskmodel.errors import RiskmodelError

__all__ = ["Outcome", "map_tasks", "connect"]

#: Seconds to wait for the scheduler before giving up.
CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True)
class Outcome[T, R]:
    """What became of one unit of work.

    Attributes
    ----------
    task
        The unit.
    value
        Its result, or None if it failed.
    error
        One-line description of the failure (exception type and message), or None.
    traceback
        The full traceback text of the failure (empty if it succeeded).
    """

    task: T
    value: R | None
    error: str | None = None
    traceback: str = ""

    @property
    def ok(self) -> bool:
        """Whether the unit completed."""
        return self.error is None


def _failure(task: Any, exc: BaseException) -> Outcome:
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return Outcome(task, None, f"{type(exc).__name__}: {exc}", text)


def connect(scheduler: str) -> Any:
    """A dask.distributed client of the scheduler at ``scheduler``.

    Raises
    ------
    RiskmodelError
        dask.distributed is missing, or the scheduler cannot be reached.
    """
    try:
        from distributed import Client
    except ImportError as exc:  # pragma: no cover - distributed is a dependency
        raise RiskmodelError(f"--scheduler needs dask.distributed ({exc})") from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except OSError as exc:
        raise RiskmodelError(f"cannot reach the dask scheduler at {scheduler} ({exc})") from None


def map_tasks[T, R](
    func: Callable[[Any, T], R],
    tasks: Sequence[T],
    *,
    shared: Any = None,
    scheduler: str | None = None,
    on_done: Callable[[Outcome[T, R]], None] | None = None,
) -> list[Outcome[T, R]]:
    """Run ``func(shared, task)`` for every task; collect every outcome.

    Parameters
    ----------
    func
        Module-level function (picklable for dask).
    tasks
        Units of work (picklable).
    shared
        One object every unit needs (e.g. the evidence); scattered to the workers once
        rather than sent with every task.
    scheduler
        Address of a dask.distributed scheduler; ``None`` runs the tasks here, one after
        the other, in order.
    on_done
        Called in this process with each outcome as it arrives (in completion order on
        a cluster), e.g. to write a unit's files before the others finish.

    Returns
    -------
    list of Outcome
        In the order of ``tasks``. A task that raised an :class:`Exception` (or whose
        worker died) has ``value`` None and its error; the others are unaffected.
        ``KeyboardInterrupt`` and :class:`~riskmodel.errors.Interrupted` stop everything.

    Raises
    ------
    RiskmodelError
        The scheduler cannot be reached (before any task runs).
    """
    outcomes: list[Outcome | None] = [None] * len(tasks)

    def record(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        if on_done is not None:
            on_done(outcome)

    if scheduler is None:
        for i, task in enumerate(tasks):
            try:
                value = func(shared, task)
            except Exception as exc:  # one failing unit must not lose the others
                record(i, _failure(task, exc))
            else:
                record(i, Outcome(task, value))
        return [o for o in outcomes if o is not None]

    from distributed import as_completed

    client = connect(scheduler)
    try:
        shared_future = client.scatter(shared, broadcast=True, hash=False)
        futures = [client.submit(func, shared_future, task, pure=False) for task in tasks]
        index = {future.key: i for i, future in enumerate(futures)}
        for future in as_completed(futures):
            i = index[future.key]
            try:
                value = future.result()
            except Exception as exc:  # raised in the task, or its worker died
                record(i, _failure(tasks[i], exc))
            else:
                record(i, Outcome(tasks[i], value))
    finally:
        client.close()
    return [o for o in outcomes if o is not None]
