"""Values shared by every session of a server process (ksln_ui.state.shared): built once per name and key."""

from __future__ import annotations

import threading
import time

import pytest

from ksln_ui import state


@pytest.fixture(autouse=True)
def empty_shared(monkeypatch):
    monkeypatch.setattr(state, "_shared_values", type(state._shared_values)())
    monkeypatch.setattr(state, "_shared_building", {})


def test_the_same_object_for_the_same_name_and_key():
    first = state.shared("tabel", ("db", 1), lambda: ["dibangun"])
    assert state.shared("tabel", ("db", 1), lambda: ["lagi"]) is first
    assert state.shared("tabel", ("db", 2), lambda: ["versi baru"]) == ["versi baru"]
    assert state.shared("grafik", ("db", 1), lambda: ["nama lain"]) == ["nama lain"]


def test_sessions_asking_together_wait_for_one_build():
    builds = []
    start = threading.Barrier(8)
    got = []

    def build():
        builds.append(1)
        time.sleep(0.05)
        return object()

    def session():
        start.wait()
        got.append(state.shared("tabel", ("db", 1), build))

    threads = [threading.Thread(target=session) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(builds) == 1 and len(got) == 8 and all(value is got[0] for value in got)


def test_the_least_recently_used_go_first(monkeypatch):
    monkeypatch.setattr(state, "SHARED_ENTRIES", 3)
    for version in range(3):
        state.shared("tabel", (version,), lambda version=version: version)
    state.shared("tabel", (0,), lambda: "dibangun lagi")  # used: now the most recent
    state.shared("tabel", (3,), lambda: 3)  # one too many: (1,) goes
    assert state.shared("tabel", (0,), lambda: "dibangun lagi") == 0
    assert state.shared("tabel", (1,), lambda: "dibangun lagi") == "dibangun lagi"
    assert len(state._shared_values) == 3


def test_a_failed_build_is_tried_again():
    def fail():
        raise ValueError("gagal")

    with pytest.raises(ValueError, match="gagal"):
        state.shared("tabel", ("db", 1), fail)
    assert state.shared("tabel", ("db", 1), lambda: "berhasil") == "berhasil"
    assert state._shared_building == {}
