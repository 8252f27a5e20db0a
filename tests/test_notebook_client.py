"""The notebook tests' client reads a message whose wake-up was lost, and keeps timeouts."""

from __future__ import annotations

import asyncio
from queue import Empty
from time import monotonic

import pytest
from notebook_client import poll_in_slices, poll_kernel_waits_in_slices

SLICE_S = 0.02


class LostWakeupChannel:
    """A kernel channel whose messages arrived but whose wake-up was lost.

    A wait without a timeout never sees them (nothing wakes it); a wait with a timeout
    sees them when the timeout expires, as pyzmq's closing ``poll(0)`` does.
    """

    def __init__(self, messages: list[dict]) -> None:
        self.messages = list(messages)
        self.timeouts: list[float | None] = []

    async def get_msg(self, timeout: float | None = None) -> dict:
        self.timeouts.append(timeout)
        if timeout is None:
            await asyncio.Event().wait()  # never set: the lost wake-up
        await asyncio.sleep(timeout)
        if self.messages:
            return self.messages.pop(0)
        raise Empty


def test_the_fake_channel_hangs_without_slices() -> None:
    channel = LostWakeupChannel([{"msg_type": "status"}])

    async def wait() -> None:
        await asyncio.wait_for(channel.get_msg(timeout=None), timeout=0.2)

    with pytest.raises(TimeoutError):
        asyncio.run(wait())


def test_a_wait_without_timeout_reads_the_message_within_a_slice() -> None:
    channel = LostWakeupChannel([{"msg_type": "status"}])
    poll_in_slices(channel, slice_s=SLICE_S)

    async def wait() -> dict:
        return await asyncio.wait_for(channel.get_msg(timeout=None), timeout=5.0)

    assert asyncio.run(wait()) == {"msg_type": "status"}
    assert channel.timeouts == [SLICE_S]


def test_a_wait_without_timeout_still_waits_until_a_message_comes() -> None:
    channel = LostWakeupChannel([])
    poll_in_slices(channel, slice_s=SLICE_S)

    async def arrive_later() -> dict:
        waiting = asyncio.ensure_future(channel.get_msg(timeout=None))
        await asyncio.sleep(10 * SLICE_S)
        assert not waiting.done()
        channel.messages.append({"msg_type": "execute_reply"})
        return await asyncio.wait_for(waiting, timeout=5.0)

    assert asyncio.run(arrive_later()) == {"msg_type": "execute_reply"}
    assert len(channel.timeouts) >= 5
    assert set(channel.timeouts) == {SLICE_S}


def test_a_finite_timeout_still_raises_empty_at_its_deadline() -> None:
    channel = LostWakeupChannel([])
    poll_in_slices(channel, slice_s=SLICE_S)
    timeout = 5.5 * SLICE_S
    start = monotonic()
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=timeout))
    elapsed = monotonic() - start
    assert timeout <= elapsed < timeout + 2.0
    assert max(channel.timeouts) <= SLICE_S
    assert len(channel.timeouts) <= 7  # each slice lasts >= its timeout: ceil(5.5), +1 rounding


def test_a_zero_timeout_polls_once() -> None:
    channel = LostWakeupChannel([])
    poll_in_slices(channel, slice_s=SLICE_S)
    with pytest.raises(Empty):
        asyncio.run(channel.get_msg(timeout=0))
    assert channel.timeouts == [0]


def test_the_slice_must_be_positive() -> None:
    with pytest.raises(ValueError, match="slice_s must be > 0"):
        poll_in_slices(LostWakeupChannel([]), slice_s=0.0)


@pytest.mark.slow
def test_nbclient_runs_a_notebook_with_its_waits_in_slices() -> None:
    """The hook is wired where nbclient calls it: a notebook's cells run through the
    sliced waits (if nbclient stopped calling ``on_notebook_start``, the fix would
    silently do nothing)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(6 * 7)")]
    client = NotebookClient(nb, kernel_name="python3", timeout=120)
    poll_kernel_waits_in_slices(client)
    waits = []

    def record_waits(**_: object) -> None:
        waits.extend(
            channel.get_msg.__name__
            for channel in (client.kc.shell_channel, client.kc.iopub_channel)
        )

    client.on_cell_start = record_waits
    client.execute()
    assert waits == ["get_msg_in_slices", "get_msg_in_slices"]
    assert nb.cells[0].outputs[0]["text"] == "42\n"
