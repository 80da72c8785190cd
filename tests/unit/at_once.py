"""Two app processes at the same moment, for the tests of races: the store each sees, and calls run together."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ksln_metrics.store import Store


@contextmanager
def second_process_store(store: Store, location) -> Iterator[Store]:
    """The store as a second app process would open it: a second Store on PostgreSQL; on DuckDB the same Store
    (one process owns the file, and its sessions share that Store)."""
    other = store if isinstance(location, Path) else Store(location)
    try:
        yield other
    finally:
        if other is not store:
            other.close()


def run_at_once(*calls: Callable[[], None], timeout: float = 60) -> None:
    """Start every call in its own thread, then wait for all of them."""
    threads = [threading.Thread(target=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
