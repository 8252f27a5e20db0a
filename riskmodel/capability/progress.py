"""Progress lines on stderr while the capability model samples, for runs without a terminal.

A fit that runs without a terminal (CI, ``bash scripts/main.sh > log``) shows no
progress bar and used to be silent for minutes. While :func:`report_sampling_progress`
is active, a line like ::

    fit: 3200/8000 draws (chains: 2 sampling, 2 waiting), 0 divergences, 41 s elapsed

goes to stderr at most once per ``interval`` seconds (default 15), plus one final line
when the sampler returns. Draws are counted over all chains, warm-up included;
divergences are those after warm-up (the ones the quality gate counts, and the ones
nutpie's own progress reports). The bracket says ``starting`` (compiling and
initialising: no chain has started), then how many chains are tuning (warm-up),
sampling, done and waiting (with ``cores`` < ``chains`` the later chains start only
when earlier ones finish: the default fit runs two of its four chains at a time), and
``done`` at the end.

How the numbers are read, and why sampling is untouched
-------------------------------------------------------
``pm.sample(nuts_sampler="nutpie")`` always hands nutpie a ``progress_callback`` (PyMC's
progress-bar manager, a no-op without a bar), which nutpie calls from its progress
thread every 100 ms, and once more when sampling ends, with one ``nutpie.ChainProgress``
per chain. While a report is active, ``nutpie.sample`` is wrapped so that this callback
is teed: the reporter stores the counts and PyMC's callback is still called. Every
other argument reaches nutpie unchanged, and nutpie gets a callback with or without the
report, so a given seed gives bit-identical draws either way (``tests/test_progress.py``
checks it). The wrapper is installed only while a report is active and only acts for
the context that started the report (a :class:`~contextvars.ContextVar`), so a
concurrent ``nutpie.sample`` call elsewhere in the process passes straight through.

Calling nutpie directly (``nutpie.compile_pymc_model`` and ``nutpie.sample(...,
blocking=False)``, polling the sampler) was rejected: it would copy private steps of
``pm.sample`` (per-chain seed spawning, the compile backend, BLAS thread limits, the
groups and attributes ``patch_nutpie_idata`` adds) that may change with any PyMC release
and then silently change the fits. Teeing nutpie's own progress output was rejected
too: with ``pm.sample`` nutpie's progress bar is off and PyMC's rich bar prints nothing
until the end when stderr is not a terminal.

A daemon heartbeat thread prints the lines, so they also come while the model compiles
(before nutpie's first callback) and during slow draws; the callback only stores counts.

PyMC's own sampler (``nuts_sampler="pymc"``) is observed through the public ``callback``
argument of ``pm.sample`` (called in the main process after every draw; it only reads
the draw), and prints its lines from that callback, without a thread: PyMC forks its
chain processes, and forking while another thread holds a lock can deadlock the child.
No line comes while PyMC compiles and initialises.
"""

from __future__ import annotations

import contextvars
import functools
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any, TextIO

__all__ = [
    "DEFAULT_INTERVAL",
    "SamplingProgress",
    "Throttle",
    "chain_states",
    "ProgressReporter",
    "format_progress",
    "wants_progress_lines",
    "report_sampling_progress",
]

#: Default seconds between two progress lines.
DEFAULT_INTERVAL = 15.0


@dataclass(frozen=True)
class SamplingProgress:
    """Counts of a sampling run at one moment, summed over chains.

    Attributes
    ----------
    draws_done
        Draws made so far, warm-up included.
    draws_total
        Draws the run will make, warm-up included.
    divergences
        Divergent transitions after warm-up so far.
    chains_tuning, chains_sampling, chains_done, chains_waiting
        Chains in warm-up, drawing after warm-up, finished, and not yet started.
    """

    draws_done: int
    draws_total: int
    divergences: int = 0
    chains_tuning: int = 0
    chains_sampling: int = 0
    chains_done: int = 0
    chains_waiting: int = 0

    @property
    def started(self) -> bool:
        """Whether any chain has started drawing."""
        return self.chains_tuning + self.chains_sampling + self.chains_done > 0

    @property
    def phase(self) -> str:
        """``starting``, ``done``, or the chains' states, e.g. ``chains: 2 sampling, 2 waiting``."""
        if self.draws_total > 0 and self.draws_done >= self.draws_total:
            return "done"
        if not self.started:
            return "starting"
        counts = (
            (self.chains_tuning, "tuning"),
            (self.chains_sampling, "sampling"),
            (self.chains_done, "done"),
            (self.chains_waiting, "waiting"),
        )
        return "chains: " + ", ".join(f"{n} {state}" for n, state in counts if n)


def chain_states(
    done: Sequence[int], *, started: Sequence[bool], tuning: Sequence[bool], total: Sequence[int]
) -> dict[str, int]:
    """How many chains are tuning, sampling, done and waiting (keyword arguments of
    :class:`SamplingProgress`), from each chain's draws done (warm-up included), whether
    it has started, whether it is in warm-up, and its total draws."""
    states = {"chains_tuning": 0, "chains_sampling": 0, "chains_done": 0, "chains_waiting": 0}
    for n, on, warm, of in zip(done, started, tuning, total, strict=True):
        if not on:
            states["chains_waiting"] += 1
        elif n >= of:
            states["chains_done"] += 1
        elif warm:
            states["chains_tuning"] += 1
        else:
            states["chains_sampling"] += 1
    return states


def format_progress(progress: SamplingProgress, elapsed: float, *, label: str = "fit") -> str:
    """One progress line, e.g. ``fit: 3200/8000 draws (chains: 4 sampling), 0 divergences,
    41 s elapsed``.

    Parameters
    ----------
    progress
        The counts to show.
    elapsed
        Seconds since the run started (shown rounded to whole seconds).
    label
        What is running (the text before the colon).

    Returns
    -------
    str
        The line, without a newline.
    """
    noun = "divergence" if progress.divergences == 1 else "divergences"
    return (
        f"{label}: {progress.draws_done}/{progress.draws_total} draws ({progress.phase}), "
        f"{progress.divergences} {noun}, {max(elapsed, 0.0):.0f} s elapsed"
    )


class Throttle:
    """Allows one event per ``interval`` seconds of a (possibly fake) clock.

    Parameters
    ----------
    interval
        Minimum seconds between two events (positive).
    start
        Clock reading the first interval counts from.
    """

    def __init__(self, interval: float, start: float) -> None:
        if not interval > 0:
            raise ValueError(f"the progress interval must be positive, not {interval!r}")
        self.interval = float(interval)
        self._last = float(start)

    def remaining(self, now: float) -> float:
        """Seconds from ``now`` until the next event is allowed (0 if it is due)."""
        return max(0.0, self._last + self.interval - now)

    def due(self, now: float) -> bool:
        """Whether an event is allowed at ``now``."""
        return self.remaining(now) == 0.0

    def mark(self, now: float) -> None:
        """Record an event at ``now``; the next one is allowed ``interval`` s later."""
        self._last = float(now)


class ProgressReporter:
    """Collects the counts of a sampling run and writes throttled progress lines.

    Observers (:meth:`observe_nutpie`, :meth:`observe_pymc_draw` or :meth:`update`) may
    run on any thread; :meth:`tick` writes a line when one is due, :meth:`finish` the
    final one. Write errors (a closed stderr) silence the reporter instead of the fit.

    Parameters
    ----------
    chains, draws, tune
        The run's chains and draws and warm-up draws per chain.
    interval
        Minimum seconds between two lines (the final line excepted).
    stream
        Where lines go (default: ``sys.stderr`` when the reporter is created).
    clock
        Seconds of a monotonic clock (injectable for tests).
    label
        The text before the colon of each line.
    """

    def __init__(
        self,
        *,
        chains: int,
        draws: int,
        tune: int,
        interval: float = DEFAULT_INTERVAL,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        label: str = "fit",
    ) -> None:
        self._clock = clock
        self._start = clock()
        self._throttle = Throttle(interval, self._start)
        self._stream = stream if stream is not None else sys.stderr
        self._label = label
        self._tune = tune
        self._per_chain = draws + tune
        self._lock = threading.Lock()
        self._state = SamplingProgress(
            draws_done=0, draws_total=chains * (draws + tune), chains_waiting=chains
        )
        self._chain_done = [0] * chains
        self._chain_divergences = [0] * chains
        self._silenced = False

    @property
    def progress(self) -> SamplingProgress:
        """The latest counts."""
        return self._state

    @property
    def interval(self) -> float:
        """Minimum seconds between two lines."""
        return self._throttle.interval

    def elapsed(self) -> float:
        """Seconds since the reporter was created."""
        return self._clock() - self._start

    def seconds_to_next_line(self) -> float:
        """Seconds until :meth:`tick` would write a line."""
        with self._lock:
            return self._throttle.remaining(self._clock())

    def update(self, progress: SamplingProgress) -> None:
        """Replace the counts."""
        self._state = progress

    def observe_nutpie(self, chain_progresses: Sequence[Any]) -> None:
        """Store the counts of nutpie's ``progress_callback`` (one ``ChainProgress`` each chain)."""
        if not chain_progresses:
            return
        done = [int(cp.finished_draws) for cp in chain_progresses]
        total = [int(cp.total_draws) for cp in chain_progresses]
        self.update(
            SamplingProgress(
                draws_done=sum(done),
                draws_total=sum(total),
                divergences=sum(int(cp.divergences) for cp in chain_progresses),
                **chain_states(
                    done,
                    started=[bool(cp.started) for cp in chain_progresses],
                    tuning=[bool(cp.tuning) for cp in chain_progresses],
                    total=total,
                ),
            )
        )

    def observe_pymc_draw(self, trace: Any, draw: Any) -> None:
        """``callback`` of ``pm.sample`` (PyMC's own sampler): count the draw, maybe write.

        ``draw`` is PyMC's ``Draw`` (``chain``, ``draw_idx`` counting warm-up from 0,
        ``tuning``, ``stats``: one dict per step method). Runs in the main process.
        """
        with self._lock:
            chain = int(draw.chain)
            if chain >= len(self._chain_done):
                grow = chain + 1 - len(self._chain_done)
                self._chain_done.extend([0] * grow)
                self._chain_divergences.extend([0] * grow)
            self._chain_done[chain] = max(self._chain_done[chain], int(draw.draw_idx) + 1)
            if not draw.tuning:
                self._chain_divergences[chain] += sum(
                    bool(stats.get("diverging", False)) for stats in draw.stats
                )
            done = self._chain_done
            self._state = SamplingProgress(
                draws_done=sum(done),
                draws_total=self._state.draws_total,
                divergences=sum(self._chain_divergences),
                **chain_states(
                    done,
                    started=[n > 0 for n in done],
                    tuning=[n < self._tune for n in done],
                    total=[self._per_chain] * len(done),
                ),
            )
        self.tick()

    def tick(self) -> str | None:
        """Write a line if one is due; return it (``None`` if none was written)."""
        with self._lock:
            now = self._clock()
            if self._silenced or not self._throttle.due(now):
                return None
            self._throttle.mark(now)
            return self._write(format_progress(self._state, now - self._start, label=self._label))

    def finish(self) -> str | None:
        """Write the final line regardless of the throttle; return it."""
        with self._lock:
            if self._silenced:
                return None
            now = self._clock()
            self._throttle.mark(now)
            return self._write(format_progress(self._state, now - self._start, label=self._label))

    def _write(self, line: str) -> str | None:
        try:
            self._stream.write(line + "\n")
            self._stream.flush()
        except (OSError, ValueError):  # closed or broken stream: progress is best effort
            self._silenced = True
            return None
        return line


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return False


def wants_progress_lines(progressbar: bool) -> bool:
    """Whether a fit should print progress lines: no progress bar and not interactive.

    Interactive means both stdout and stderr are terminals; with either redirected (CI,
    ``> log``, ``2> log``) the lines go to stderr.
    """
    return not progressbar and not (_isatty(sys.stdout) and _isatty(sys.stderr))


# --------------------------------------------------------------------- nutpie hook
_ACTIVE: contextvars.ContextVar[ProgressReporter | None] = contextvars.ContextVar(
    "riskmodel_sampling_progress", default=None
)
_HOOK_LOCK = threading.Lock()
_hook_users = 0
_hook_installed: tuple[Callable[..., Any], Callable[..., Any]] | None = None  # original, wrapper


def _teed_callback(
    reporter: ProgressReporter, previous: Callable[[Any], None] | None
) -> Callable[[Any], None]:
    def callback(chain_progresses: Any) -> None:
        # best effort: stale counts rather than nutpie printing a traceback every 100 ms
        with suppress(Exception):
            reporter.observe_nutpie(chain_progresses)
        if previous is not None:
            previous(chain_progresses)

    return callback


def _wrap_sample(original: Callable[..., Any]) -> Callable[..., Any]:
    """``nutpie.sample`` teeing its ``progress_callback`` to the reporter of this context."""

    @functools.wraps(original)
    def sample(*args: Any, **kwargs: Any) -> Any:
        reporter = _ACTIVE.get()
        if reporter is not None:
            previous = kwargs.get("progress_callback")
            kwargs["progress_callback"] = _teed_callback(reporter, previous)
        return original(*args, **kwargs)

    return sample


@contextmanager
def _nutpie_hook(reporter: ProgressReporter) -> Iterator[None]:
    """Tee the ``progress_callback`` of ``nutpie.sample`` calls in this context to ``reporter``."""
    global _hook_users, _hook_installed
    import nutpie

    with _HOOK_LOCK:
        if _hook_users == 0:
            _hook_installed = (nutpie.sample, _wrap_sample(nutpie.sample))
            nutpie.sample = _hook_installed[1]
        _hook_users += 1
    token = _ACTIVE.set(reporter)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
        with _HOOK_LOCK:
            _hook_users -= 1
            if _hook_users == 0 and _hook_installed is not None:
                original, wrapper = _hook_installed
                if nutpie.sample is wrapper:  # not replaced by someone else meanwhile
                    nutpie.sample = original
                _hook_installed = None


def _heartbeat(reporter: ProgressReporter, stop: threading.Event) -> None:
    while not stop.wait(reporter.seconds_to_next_line()):
        reporter.tick()


@contextmanager
def report_sampling_progress(
    nuts_sampler: str,
    *,
    chains: int,
    draws: int,
    tune: int,
    enabled: bool = True,
    interval: float = DEFAULT_INTERVAL,
    stream: TextIO | None = None,
) -> Iterator[dict[str, Any]]:
    """Print progress lines while ``pm.sample`` runs inside this context.

    Parameters
    ----------
    nuts_sampler
        ``"nutpie"`` or ``"pymc"``: the ``nuts_sampler`` passed to ``pm.sample``.
    chains, draws, tune
        The sampler settings passed to ``pm.sample`` (``draws`` and ``tune`` per chain).
    enabled
        ``False`` makes this a no-op (nothing is printed or wrapped).
    interval
        Minimum seconds between two lines (default 15).
    stream
        Where the lines go (default ``sys.stderr``).

    Yields
    ------
    dict
        Extra keyword arguments for ``pm.sample`` (``callback`` for PyMC's sampler;
        empty for nutpie and when disabled).

    Notes
    -----
    The final line is written when the block ends normally (also for a trace that
    nutpie cut short on Ctrl-C, which the caller refuses afterwards); nothing more is
    written when the block raises.
    """
    if not enabled:
        yield {}
        return
    reporter = ProgressReporter(
        chains=chains, draws=draws, tune=tune, interval=interval, stream=stream
    )
    if nuts_sampler == "pymc":
        yield {"callback": reporter.observe_pymc_draw}
        reporter.finish()
        return
    stop = threading.Event()
    thread = threading.Thread(
        target=_heartbeat, args=(reporter, stop), name="riskmodel-fit-progress", daemon=True
    )
    with _nutpie_hook(reporter):
        thread.start()
        try:
            yield {}
        finally:
            stop.set()
            thread.join()
    reporter.finish()
