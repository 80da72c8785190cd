"""At most a few page runs of this server at once; the others wait their turn, holding no GIL.

Every session's script runs in a thread of one process, and every thread needs Python's GIL,
the server's event loop too: it is the thread that sends each element to its browser. With 30
runs at once (a rakor room opening the dashboard together, ``bench/bench_load.py``) each of
them and the event loop queued behind all the others every time they took the GIL back after
a socket write or a DuckDB query: a run was done in a fraction of a second, its page reached
the browser seconds later. A run waits here until one of the slots is free, so the runs that
go share the process with few others and their pages are sent at once; the runs are served in
the order they came.

``KSLN_RUN_SLOTS`` sets the number of slots (default 2: a run waiting on DuckDB leaves the
GIL to the other; 0 = no limit). A run that waited ``WAIT_SECONDS`` goes anyway, so a slow run
(a large import, the slide deck) holds up the others for that long at most.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_SLOTS = 2
WAIT_SECONDS = 10.0


def slots_from_env() -> int:
    """``KSLN_RUN_SLOTS`` as a number of slots (0 = no limit); the default when unset or not a number."""
    try:
        return max(0, int(os.environ.get("KSLN_RUN_SLOTS", DEFAULT_SLOTS)))
    except ValueError:
        return DEFAULT_SLOTS


class RunSlots:
    """``size`` slots (0: unlimited) shared by the threads of this process."""

    def __init__(self, size: int, wait: float = WAIT_SECONDS) -> None:
        self.size, self.wait = size, wait
        self._free = threading.Semaphore(max(size, 1))
        self._held = threading.local()

    def holding(self) -> bool:
        """True while this thread holds a slot."""
        return getattr(self._held, "slot", False)

    def _take(self) -> None:
        self._held.slot = self.size > 0 and self._free.acquire(timeout=self.wait)

    def _give_back(self) -> None:
        if self.holding():
            self._held.slot = False
            self._free.release()

    @contextmanager
    def run(self) -> Iterator[None]:
        """One slot for the ``with`` block (a script run), once one is free or ``wait`` seconds have passed."""
        if self.holding():  # nested: the run already has its slot
            yield
            return
        self._take()
        try:
            yield
        finally:
            self._give_back()

    @contextmanager
    def released(self) -> Iterator[None]:
        """This thread's slot given to another run for the ``with`` block (a wait that does no work), then taken back."""
        if not self.holding():
            yield
            return
        self._give_back()
        try:
            yield
        finally:
            self._take()


SLOTS = RunSlots(slots_from_env())


def run_slot():
    """The server's slot for one script run (dashboard.py wraps each run in it)."""
    return SLOTS.run()


def slot_released():
    """The current run's slot left to others while it only waits (e.g. a store another process holds)."""
    return SLOTS.released()
