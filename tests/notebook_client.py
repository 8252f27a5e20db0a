"""A notebook client that cannot sleep through a message the kernel already sent.

nbclient waits for a cell's reply with ``await channel.get_msg(timeout=...)`` on pyzmq's
asyncio sockets, with no timeout at all on the IOPub channel. Those sockets are woken by
the ZeroMQ file descriptor, which is edge-triggered: if a wake-up is lost, messages sit
unread in the socket and the wait lasts until the next message arrives, which after a
cell's last message never happens. Cells that display ``ipywidgets`` (a burst of comm
messages) hit this now and then: nbclient#312 and nbconvert#2029, both open. Here a
fresh-clone CI run stalled for 15 minutes (the cell timeout) on the quickstart's widget
panel with the kernel idle and the cell's messages sent.

:func:`poll_kernel_waits_in_slices` makes a client wait in slices of :data:`POLL_SLICE_S`
instead. Each slice that times out ends with pyzmq's synchronous ``poll(0)``, which reads
the socket's real state, so a message that is already there is picked up within one
slice whatever happened to the wake-up. Timeouts keep their meaning: ``timeout=None`` still waits
forever, and a finite timeout still raises :class:`queue.Empty` at its deadline.
"""

from __future__ import annotations

from queue import Empty
from time import monotonic
from typing import Any

#: Longest single wait on a kernel channel (seconds). Bounds how long a lost wake-up can
#: delay the test; each slice costs one ``poll(0)``, so it is cheap.
POLL_SLICE_S = 1.0


def poll_in_slices(channel: Any, *, slice_s: float = POLL_SLICE_S) -> None:
    """Make ``channel.get_msg`` wait in slices of at most ``slice_s`` seconds.

    Parameters
    ----------
    channel
        An asyncio kernel channel (``jupyter_client.channels.AsyncZMQSocketChannel``)
        whose ``get_msg(timeout=None)`` is awaited; patched in place.
    slice_s
        Longest single poll, in seconds (> 0).
    """
    if slice_s <= 0:
        raise ValueError(f"slice_s must be > 0 seconds, got {slice_s}")
    get_msg = channel.get_msg

    async def get_msg_in_slices(timeout: float | None = None) -> dict[str, Any]:
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = slice_s if deadline is None else max(0.0, deadline - monotonic())
            try:
                return await get_msg(timeout=min(slice_s, left))
            except Empty:
                if deadline is not None and monotonic() >= deadline:
                    raise

    channel.get_msg = get_msg_in_slices


def poll_kernel_waits_in_slices(client: Any, *, slice_s: float = POLL_SLICE_S) -> None:
    """Make an ``nbclient.NotebookClient`` wait on its shell and IOPub channels in slices.

    Set as the client's ``on_notebook_start`` hook, which nbclient runs once the kernel
    client is ready and before the first cell; everything else is nbclient's. (A hook
    rather than a subclass keeps nbclient's 2 s import out of this module.)

    Parameters
    ----------
    client
        The ``NotebookClient``, before ``execute``; its ``on_notebook_start`` is replaced.
    slice_s
        Longest single poll, in seconds (> 0).
    """

    def slice_channel_waits(**_: Any) -> None:
        for channel in (client.kc.shell_channel, client.kc.iopub_channel):
            poll_in_slices(channel, slice_s=slice_s)

    client.on_notebook_start = slice_channel_waits
