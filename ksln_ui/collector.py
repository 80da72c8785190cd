"""The server's full garbage collection: once a minute while pages are being run, instead of after every script run.

Streamlit calls ``gc.collect(2)`` after each script run (option ``runner.postScriptGC``). A full
collection walks every object of the process (the imported libraries, the cached results and
charts of every session) and holds the GIL while it does: 0.1–0.4 s here, longer than a page's
own run. With 30 sessions clicking together these collections were four fifths of the server's
time (``bench/bench_load.py --profile``), and every session waited behind them.

``.streamlit/config.toml`` turns that option off. Python's own generational collector still
runs as usual (most cycles die young and go in its cheap young collections); this thread adds
one full collection a minute while the process is working, so memory held by long-lived cycles
is released as before, at most a minute later. A process that has done almost nothing since the
last collection (no page run) is left alone.
"""

from __future__ import annotations

import gc
import threading

INTERVAL_SECONDS = 60.0
# Young collections happen every ~700 net allocations: a page run makes hundreds of them,
# an idle server (websocket pings) a few a minute.
BUSY_YOUNG_COLLECTIONS = 50

_started: threading.Thread | None = None
_lock = threading.Lock()


def young_collections() -> int:
    """How many collections of the youngest generation Python has made so far (it only counts up)."""
    return gc.get_stats()[0]["collections"]


def collect_if_busy(since: int, busy: int = BUSY_YOUNG_COLLECTIONS) -> int:
    """A full collection when at least ``busy`` young collections happened after count ``since``; the count to go on from."""
    now = young_collections()
    if now - since < busy:
        return since
    gc.collect()
    return young_collections()


def _run(interval: float, busy: int, stop: threading.Event) -> None:
    since = young_collections()
    while not stop.wait(interval):
        since = collect_if_busy(since, busy)


def start(interval: float = INTERVAL_SECONDS, *, busy: int = BUSY_YOUNG_COLLECTIONS,
          stop: threading.Event | None = None) -> threading.Thread:
    """Start the collecting thread once per process (app.py calls this); while it runs, later calls return it."""
    global _started
    with _lock:
        if _started is None or not _started.is_alive():
            _started = threading.Thread(target=_run, args=(interval, busy, stop or threading.Event()),
                                        name="ksln-gc", daemon=True)
            _started.start()
        return _started
