"""The server's garbage collection: not after every script run, but once a minute while pages run (ksln_ui.collector)."""

from __future__ import annotations

import gc
import threading
import time
import tomllib
import weakref
from pathlib import Path

import pytest

from ksln_ui import collector

ROOT = Path(__file__).resolve().parents[2]


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def automatic_gc_off():
    """Python's own collector off, so that only the code under test can free a cycle."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def garbage_cycle() -> weakref.ref:
    return weakref.ref(Node())


def test_a_busy_process_is_collected_and_the_count_moves_on(automatic_gc_off):
    dead = garbage_cycle()
    since = collector.young_collections() - 5
    assert dead() is not None
    after = collector.collect_if_busy(since, busy=5)
    assert dead() is None
    assert after == collector.young_collections()


def test_a_process_that_did_almost_nothing_is_left_alone(automatic_gc_off):
    dead = garbage_cycle()
    since = collector.young_collections() - 4
    assert collector.collect_if_busy(since, busy=5) == since
    assert dead() is not None
    gc.collect()
    assert dead() is None


def test_the_thread_collects_every_interval_and_is_started_once(automatic_gc_off, monkeypatch):
    monkeypatch.setattr(collector, "_started", None)
    stop = threading.Event()
    thread = collector.start(0.02, busy=0, stop=stop)
    try:
        assert thread.daemon and thread.name == "ksln-gc"
        assert collector.start() is thread
        dead = garbage_cycle()
        deadline = time.monotonic() + 10
        while dead() is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert dead() is None
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_the_server_collects_with_the_thread_instead_of_after_every_run():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False
    assert "collector.start()" in (ROOT / "app.py").read_text()
