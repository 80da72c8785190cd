"""The server's run slots: at most a few script runs at once, the others wait their turn (ksln_ui.run_slots)."""

from __future__ import annotations

import ast
import threading
import time
from pathlib import Path

import pytest

from ksln_ui.run_slots import DEFAULT_SLOTS, RunSlots, slots_from_env

ROOT = Path(__file__).resolve().parents[2]


def crowd(slots: RunSlots, runs: int, work) -> list[Exception]:
    """``runs`` threads each doing ``work()`` inside one slot, all started together; what they raised."""
    errors: list[Exception] = []
    start = threading.Barrier(runs)

    def one() -> None:
        start.wait()
        try:
            with slots.run():
                work()
        except Exception as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


class Counter:
    """How many runs are inside their slot now, and the most there ever were."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()

    def work(self) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.02)
        with self.lock:
            self.now -= 1


@pytest.mark.parametrize("size", [1, 2, 3])
def test_never_more_runs_at_once_than_slots(size):
    slots, counter = RunSlots(size), Counter()
    assert crowd(slots, 12, counter.work) == []
    assert counter.most == size


def test_no_limit_with_zero_slots():
    slots, counter = RunSlots(0), Counter()
    gate = threading.Barrier(6, timeout=10)  # every run inside at once, or the barrier breaks

    def work() -> None:
        counter.work()
        gate.wait()

    assert crowd(slots, 6, work) == []
    assert counter.most == 6


def test_a_run_that_fails_gives_its_slot_back():
    slots = RunSlots(1, wait=5)

    def fail() -> None:
        raise RuntimeError("halaman gagal")

    errors = crowd(slots, 3, fail)
    assert [str(e) for e in errors] == ["halaman gagal"] * 3
    assert not slots.holding()
    with slots.run():  # free again: no wait
        assert slots.holding()


def test_a_run_waits_at_most_wait_seconds_then_goes():
    slots = RunSlots(1, wait=0.2)
    inside, leave = threading.Event(), threading.Event()

    def slow() -> None:
        with slots.run():
            inside.set()
            leave.wait(10)

    holder = threading.Thread(target=slow)
    holder.start()
    inside.wait(10)
    ran = []
    with slots.run():  # the only slot is taken: this run goes after the wait, without a slot
        ran.append(slots.holding())
    leave.set()
    holder.join(10)
    assert ran == [False]
    with slots.run():
        assert slots.holding()  # the slow run's slot came back; the one that went without had none to give


def test_a_waiting_run_lets_another_in_and_takes_its_slot_back():
    slots = RunSlots(1, wait=10)
    waiting, other_ran, done = threading.Event(), threading.Event(), threading.Event()

    def waiter() -> None:
        with slots.run():
            with slots.released():
                waiting.set()
                other_ran.wait(10)
            assert slots.holding()
            done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    waiting.wait(10)
    with slots.run():  # the waiting run's slot is free meanwhile
        assert slots.holding()
    other_ran.set()
    thread.join(10)
    assert done.is_set()


def test_a_nested_run_uses_the_slot_it_already_has():
    slots = RunSlots(1, wait=10)
    with slots.run():
        with slots.run():  # would wait for itself otherwise
            assert slots.holding()
        assert slots.holding()
    assert not slots.holding()


@pytest.mark.parametrize(("value", "expected"), [(None, DEFAULT_SLOTS), ("1", 1), ("0", 0), ("-3", 0),
                                                 ("empat", DEFAULT_SLOTS)])
def test_slots_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("KSLN_RUN_SLOTS", raising=False)
    else:
        monkeypatch.setenv("KSLN_RUN_SLOTS", value)
    assert slots_from_env() == expected


def test_every_run_of_the_dashboard_takes_a_slot():
    # The slot wraps the whole script: after the imports, one statement, the with block.
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    rest = [node for node in tree.body if not isinstance(node, ast.Import | ast.ImportFrom | ast.Expr)]
    assert len(rest) == 1 and isinstance(rest[0], ast.With)
    assert ast.unparse(rest[0].items[0].context_expr) == "run_slot()"
