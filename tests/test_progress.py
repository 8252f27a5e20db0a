"""Progress lines while fitting (riskmodel.capability.progress).

The line format and the throttle run on a fake clock; the nutpie hook and the heartbeat
thread on a fake ``nutpie.sample``; one small real fit per sampler checks that the lines
reach stderr when it is not a terminal and that the draws equal those without them.
"""

from __future__ import annotations

import io
import re
import sys
import threading
import time
from collections import namedtuple
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import xarray as xr

from riskmodel.capability import progress as progress_module
from riskmodel.capability.progress import (
    DEFAULT_INTERVAL,
    ProgressReporter,
    SamplingProgress,
    Throttle,
    chain_states,
    format_progress,
    report_sampling_progress,
    wants_progress_lines,
)

LINE = re.compile(
    r"^fit: (\d+)/(\d+) draws \((starting|chains: [a-z0-9, ]+|done)\), "
    r"(\d+) divergences?, (\d+) s elapsed$"
)


class FakeClock:
    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def chain(finished: int, total: int = 400, *, divergences: int = 0, tuning: bool = True) -> Any:
    """A stand-in for ``nutpie.ChainProgress``."""
    return SimpleNamespace(
        finished_draws=finished,
        total_draws=total,
        divergences=divergences,
        started=finished > 0,
        tuning=tuning,
    )


Draw = namedtuple("Draw", ["chain", "is_last", "draw_idx", "tuning", "stats", "point"])


# ------------------------------------------------------------------ line and throttle
def test_line_format() -> None:
    state = SamplingProgress(3200, 8000, divergences=0, chains_sampling=2, chains_waiting=2)
    assert format_progress(state, 41.2) == (
        "fit: 3200/8000 draws (chains: 2 sampling, 2 waiting), 0 divergences, 41 s elapsed"
    )
    one = SamplingProgress(10, 80, divergences=1, chains_tuning=1)
    assert format_progress(one, 0.4, label="backtest") == (
        "backtest: 10/80 draws (chains: 1 tuning), 1 divergence, 0 s elapsed"
    )
    assert SamplingProgress(0, 80, chains_waiting=4).phase == "starting"
    assert SamplingProgress(80, 80, chains_done=4).phase == "done"
    mixed = SamplingProgress(50, 80, chains_tuning=1, chains_sampling=1, chains_done=1)
    assert mixed.phase == "chains: 1 tuning, 1 sampling, 1 done"
    for state in (one, SamplingProgress(0, 80), SamplingProgress(80, 80, 3, chains_done=2)):
        assert LINE.match(format_progress(state, 12.0))


def test_chain_states_count_each_chain_once() -> None:
    states = chain_states(
        [0, 50, 150, 400, 400],
        started=[False, True, True, True, True],
        tuning=[True, True, False, False, True],
        total=[400] * 5,
    )
    assert states == {
        "chains_tuning": 1,
        "chains_sampling": 1,
        "chains_done": 2,
        "chains_waiting": 1,
    }


def test_throttle() -> None:
    throttle = Throttle(15.0, start=100.0)
    assert not throttle.due(100.0) and throttle.remaining(100.0) == 15.0
    assert not throttle.due(114.9)
    assert throttle.due(115.0) and throttle.remaining(120.0) == 0.0
    throttle.mark(120.0)
    assert not throttle.due(134.0) and throttle.remaining(134.0) == pytest.approx(1.0)
    assert throttle.due(135.0)
    for bad in (0.0, -1.0, float("nan")):
        with pytest.raises(ValueError, match="interval must be positive"):
            Throttle(bad, start=0.0)


def test_reporter_writes_at_most_one_line_per_interval_plus_a_final_one() -> None:
    clock, out = FakeClock(), io.StringIO()
    reporter = ProgressReporter(chains=2, draws=300, tune=100, stream=out, clock=clock)
    assert reporter.interval == DEFAULT_INTERVAL == 15.0
    assert reporter.progress == SamplingProgress(0, 800, chains_waiting=2)
    assert reporter.tick() is None  # nothing at the start
    clock.now += 14.0
    assert reporter.tick() is None and reporter.seconds_to_next_line() == pytest.approx(1.0)
    clock.now += 1.0
    first = reporter.tick()
    assert first == "fit: 0/800 draws (starting), 0 divergences, 15 s elapsed"
    reporter.observe_nutpie([chain(150), chain(120)])
    for step in (1.0, 5.0, 8.5):  # ticks within the interval write nothing
        clock.now += step
        assert reporter.tick() is None
    clock.now += 0.5  # 30 s
    assert reporter.tick() == "fit: 270/800 draws (chains: 2 tuning), 0 divergences, 30 s elapsed"
    reporter.observe_nutpie([chain(400, divergences=2, tuning=False), chain(400, tuning=False)])
    clock.now += 11.0
    assert reporter.tick() is None
    final = reporter.finish()  # regardless of the throttle
    assert final == "fit: 800/800 draws (done), 2 divergences, 41 s elapsed"
    second = "fit: 270/800 draws (chains: 2 tuning), 0 divergences, 30 s elapsed"
    assert out.getvalue().splitlines() == [first, second, final]


def test_nutpie_counts() -> None:
    reporter = ProgressReporter(chains=3, draws=300, tune=100, stream=io.StringIO())
    reporter.observe_nutpie([])  # ignored
    assert reporter.progress == SamplingProgress(0, 1200, chains_waiting=3)
    # a queued chain (cores < chains) has not started: waiting, not tuning
    reporter.observe_nutpie(
        [chain(400, tuning=False, divergences=1), chain(250, tuning=False), chain(0)]
    )
    assert reporter.progress == SamplingProgress(
        650, 1200, 1, chains_sampling=1, chains_done=1, chains_waiting=1
    )
    assert reporter.progress.phase == "chains: 1 sampling, 1 done, 1 waiting"
    past = [chain(400, tuning=False), chain(400, tuning=False), chain(150, tuning=False)]
    reporter.observe_nutpie(past)
    assert reporter.progress.phase == "chains: 1 sampling, 2 done"


def test_pymc_draws_are_counted_and_written_from_the_callback() -> None:
    clock, out = FakeClock(), io.StringIO()
    reporter = ProgressReporter(chains=2, draws=3, tune=2, interval=5.0, stream=out, clock=clock)
    diverged, fine = [{"diverging": True}], [{"diverging": False}]
    reporter.observe_pymc_draw(None, Draw(0, False, 0, True, diverged, {}))  # warm-up: not counted
    reporter.observe_pymc_draw(None, Draw(0, False, 1, True, fine, {}))
    # chain 0 has made its 2 warm-up draws; chain 1 has not reported a draw yet
    assert reporter.progress == SamplingProgress(2, 10, 0, chains_sampling=1, chains_waiting=1)
    assert out.getvalue() == ""
    clock.now += 5.0
    reporter.observe_pymc_draw(None, Draw(0, False, 2, False, diverged, {}))
    assert out.getvalue() == (
        "fit: 3/10 draws (chains: 1 sampling, 1 waiting), 1 divergence, 5 s elapsed\n"
    )
    for idx in (0, 1):
        reporter.observe_pymc_draw(None, Draw(1, False, idx, True, fine, {}))
    reporter.observe_pymc_draw(None, Draw(1, False, 2, False, [{}, {"diverging": True}], {}))
    assert reporter.progress == SamplingProgress(6, 10, 2, chains_sampling=2)
    reporter.observe_pymc_draw(None, Draw(1, True, 2, False, fine, {}))  # repeated last draw
    assert reporter.progress.draws_done == 6


def test_a_broken_stream_silences_the_reporter_not_the_fit() -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    clock = FakeClock()
    reporter = ProgressReporter(chains=1, draws=10, tune=10, stream=Broken(), clock=clock)
    clock.now += 20.0
    assert reporter.tick() is None
    clock.now += 20.0
    assert reporter.tick() is None and reporter.finish() is None


def test_lines_only_without_a_bar_and_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    def stream(tty: bool) -> Any:
        return SimpleNamespace(isatty=lambda: tty)

    cases = {(True, True): False, (False, True): True, (True, False): True, (False, False): True}
    for (out_tty, err_tty), expected in cases.items():
        monkeypatch.setattr(sys, "stdout", stream(out_tty))
        monkeypatch.setattr(sys, "stderr", stream(err_tty))
        assert wants_progress_lines(False) is expected
        assert wants_progress_lines(True) is False  # the bar is shown instead
    monkeypatch.setattr(sys, "stdout", None)  # no stream at all (pythonw): not a terminal
    assert wants_progress_lines(False) is True


# ------------------------------------------------------------------ the nutpie hook
def test_disabled_report_changes_nothing() -> None:
    import nutpie

    original = nutpie.sample
    with report_sampling_progress("nutpie", chains=2, draws=10, tune=10, enabled=False) as extra:
        assert extra == {} and nutpie.sample is original
    with report_sampling_progress("pymc", chains=2, draws=10, tune=10, enabled=False) as extra:
        assert extra == {}


def test_nutpie_callback_is_teed_heartbeat_writes_and_hook_is_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import nutpie

    seen: list[Any] = []
    received: dict[str, Any] = {}

    def fake_sample(compiled: Any, **kwargs: Any) -> str:
        """Sleeps like a sampler and reports progress twice, as nutpie does."""
        received.update(kwargs)
        callback = kwargs["progress_callback"]
        callback([chain(0), chain(0)])
        time.sleep(0.35)
        callback([chain(400, tuning=False, divergences=1), chain(400, tuning=False)])
        return f"trace of {compiled}"

    monkeypatch.setattr(nutpie, "sample", fake_sample)
    out = io.StringIO()
    with report_sampling_progress(
        "nutpie", chains=2, draws=300, tune=100, interval=0.1, stream=out
    ) as extra:
        assert extra == {}
        assert nutpie.sample is not fake_sample and nutpie.sample.__wrapped__ is fake_sample
        # another thread (no report in its context) passes straight through
        other: dict[str, Any] = {}
        thread = threading.Thread(
            target=lambda: other.update(result=nutpie.sample("m", progress_callback=seen.append))
        )
        thread.start()
        thread.join()
        assert other["result"] == "trace of m" and received["progress_callback"] == seen.append
        seen.clear()
        result = nutpie.sample("model", seed=3, progress_callback=seen.append)
    assert result == "trace of model"
    assert received["seed"] == 3 and received["progress_callback"] != seen.append
    assert len(seen) == 2  # PyMC's own callback still got every update
    assert nutpie.sample is fake_sample  # hook removed
    lines = out.getvalue().splitlines()
    assert len(lines) >= 2, lines  # heartbeat lines while "sampling", then the final one
    assert all(LINE.match(line) for line in lines), lines
    assert lines[0].startswith("fit: 0/800 draws (starting), 0 divergences")
    assert lines[-1].startswith("fit: 800/800 draws (done), 1 divergence, ")


def test_a_failing_observer_never_breaks_pymcs_callback() -> None:
    reporter = ProgressReporter(chains=1, draws=10, tune=10, stream=io.StringIO())
    seen: list[Any] = []
    callback = progress_module._teed_callback(reporter, seen.append)
    callback([object()])  # not a ChainProgress: the counts stay as they were
    assert seen and reporter.progress == SamplingProgress(0, 20, chains_waiting=1)
    progress_module._teed_callback(reporter, None)([chain(5, 20)])  # no previous callback
    assert reporter.progress.draws_done == 5


def test_nothing_more_is_written_when_sampling_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import nutpie

    def failing_sample(compiled: Any, **kwargs: Any) -> None:
        raise RuntimeError("sampler failed")

    monkeypatch.setattr(nutpie, "sample", failing_sample)
    out = io.StringIO()
    with (
        pytest.raises(RuntimeError, match="sampler failed"),
        report_sampling_progress("nutpie", chains=1, draws=10, tune=10, stream=out),
    ):
        nutpie.sample("model", progress_callback=None)
    assert out.getvalue() == "" and nutpie.sample is failing_sample
    assert not any(t.name == "riskmodel-fit-progress" for t in threading.enumerate())
    with (
        pytest.raises(RuntimeError, match="stopped"),
        report_sampling_progress("pymc", chains=1, draws=10, tune=10, stream=out) as extra,
    ):
        assert set(extra) == {"callback"}
        raise RuntimeError("stopped")
    assert out.getvalue() == ""


# ------------------------------------------------------------------ real sampling
def _tiny_model() -> Any:
    import pymc as pm

    y = np.random.default_rng(0).normal(1.0, 2.0, size=20)
    with pm.Model() as model:
        mu = pm.Normal("mu", 0.0, 5.0)
        sigma = pm.HalfNormal("sigma", 3.0)
        pm.Normal("y", mu, sigma, observed=y)
    return model


#: Attributes and sample stats that hold times, not draws.
TIME_ATTRS = {"created_at", "sampling_time"}
TIME_STATS = {"perf_counter_diff", "perf_counter_start", "process_time_diff"}


def _assert_same_draws(a: xr.DataTree, b: xr.DataTree) -> None:
    assert a.attrs == b.attrs
    assert list(a.children) == list(b.children)
    for group in a.children:
        x, y = a[group].to_dataset(), b[group].to_dataset()
        assert list(x.data_vars) == list(y.data_vars), group
        assert x.sizes == y.sizes, group
        for name, coord in x.coords.items():
            assert np.array_equal(coord.values, y.coords[name].values), (group, name)
        keep = {k: v for k, v in x.attrs.items() if k not in TIME_ATTRS}
        assert keep == {k: v for k, v in y.attrs.items() if k not in TIME_ATTRS}, group
        for name in x.data_vars:
            if name in TIME_STATS:
                continue
            assert x[name].dtype == y[name].dtype, (group, name)
            numeric = x[name].dtype.kind in "fc"
            same = np.array_equal(x[name].values, y[name].values, equal_nan=numeric)
            assert same, (group, name)


@pytest.mark.slow  # real sampling (MCMC stays in the slow tier)
@pytest.mark.parametrize(
    "nuts_sampler",
    # nutpie: 5-8 s here, nearly all of it numba compiling the model on first use
    ["nutpie", "pymc"],
)
def test_lines_on_stderr_and_same_draws(
    nuts_sampler: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from riskmodel.capability.sampling import sample_model
    from riskmodel.config import load_config

    model = _tiny_model()
    sampler = {"draws": 200, "tune": 200, "chains": 2, "seed": 7, "nuts_sampler": nuts_sampler}
    if nuts_sampler == "pymc":
        sampler["cores"] = 1  # one process: the 2-core machine is shared
    config = load_config({"sampler": sampler})
    capsys.readouterr()
    assert not sys.stdout.isatty() and not sys.stderr.isatty()  # captured: not a terminal
    quiet, _ = sample_model(model, config, progress=False)
    captured = capsys.readouterr()
    assert "fit: " not in captured.err + captured.out
    reported, _ = sample_model(model, config, progress_interval=0.5)  # progress=None: auto
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.startswith("fit: ")]
    assert "fit: " not in captured.out
    assert lines and all(LINE.match(line) for line in lines), captured.err
    assert LINE.match(lines[-1]).group(1, 2, 3) == ("800", "800", "done")
    divergences = int(LINE.match(lines[-1]).group(4))
    assert divergences == int(reported["sample_stats"]["diverging"].sum())
    _assert_same_draws(reported, quiet)
    assert progress_module._hook_users == 0
