"""The engine's results are one object per process and key for every session, and no session's change reaches another."""

from datetime import date

import numpy as np
import pandas as pd

from ksln_metrics.engine.indicators import Filters
from ksln_ui import state
from tests.app.pages_support import expected_results, open_page


def counting_compute(monkeypatch) -> list[Filters]:
    calls = []
    original = state.compute
    monkeypatch.setattr(state, "compute", lambda store, as_of, rules, filters: calls.append(filters)
                        or original(store, as_of, rules, filters))
    return calls


def test_two_sessions_opening_pages_compute_once(demo_db, monkeypatch):
    calls = counting_compute(monkeypatch)
    first = open_page("ringkasan")
    second = open_page("peringatan", as_user="pimpinan")
    assert not first.exception and not second.exception
    assert calls == [Filters()]


def test_what_a_caller_changes_stays_its_own_and_no_frame_is_copied(demo_db, fixed_today, monkeypatch):
    expected = expected_results(demo_db)
    calls = counting_compute(monkeypatch)
    mine = state.get_results(fixed_today)
    mine.agreements["skor"] = -1.0
    mine.agreements.loc[0, "judul"] = "diubah"
    del mine.flags["reason"]
    mine.regions["kabkota_kode"] = mine.regions["kabkota_kode"].to_numpy()[::-1]
    mine.summary.iloc[0, 0] = 123_456

    theirs = state.get_results(fixed_today)
    assert calls == [Filters()]
    assert theirs.agreements is not mine.agreements
    for name in ("agreements", "flags", "regions", "summary", "attention"):
        pd.testing.assert_frame_equal(getattr(theirs, name), getattr(expected, name))
    # The same data in memory as the cached object's: a view, not a copy per session.
    again = state.get_results(fixed_today)
    assert np.shares_memory(again.agreements["skor"].to_numpy(), theirs.agreements["skor"].to_numpy())


def test_an_agreement_detail_is_shared_the_same_way(demo_db, fixed_today):
    agreement_id = expected_results(demo_db).agreements["id_perjanjian"].iloc[0]
    mine = state.get_agreement_detail(agreement_id, fixed_today)
    kept = mine.activities.copy()
    mine.activities["nama_kegiatan"] = "diubah"
    mine.agreement["skor"] = -1
    theirs = state.get_agreement_detail(agreement_id, fixed_today)
    pd.testing.assert_frame_equal(theirs.activities, kept)
    assert theirs.agreement["skor"] != -1
    assert state.get_agreement_detail("TIDAK-ADA", date(2026, 11, 28)) is None


def test_an_agreement_record_is_read_once_per_data_version(demo_db, monkeypatch):
    from ksln_metrics.access import ADMIN, User

    reads = []
    original = state.load_agreement
    monkeypatch.setattr(state, "load_agreement", lambda store, agreement_id: reads.append(agreement_id)
                        or original(store, agreement_id))
    agreement_id = expected_results(demo_db).agreements["id_perjanjian"].iloc[0]
    mine = state.get_agreement_record(agreement_id)
    mine.kegiatan["nama_kegiatan"] = "diubah"
    theirs = state.get_agreement_record(agreement_id)
    assert reads == [agreement_id]
    assert "diubah" not in set(theirs.kegiatan["nama_kegiatan"])

    store = state.get_store()  # a new batch (a rollback is one): read again
    store.rollback(int(store.batches()["batch_id"].max()), user=User("admin", ADMIN, None))
    state.get_agreement_record(agreement_id)
    assert reads == [agreement_id, agreement_id]
    assert state.get_agreement_record("TIDAK-ADA") is None
