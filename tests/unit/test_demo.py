"""Sample data: complete, labelled, deterministic, idempotent, and raising every flag of DESIGN §5."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pandas as pd
import pytest

from ksln_metrics.clock import today
from ksln_metrics.engine.calendar import reporting_deadline
from ksln_metrics.engine.indicators import flags_for
from ksln_metrics.engine.rules import FLAG_CODES, load_rules
from ksln_metrics.reference import REGIONS, SIGNED_STATUSES, TABLES
from ksln_metrics.sample.demo import DEMO_NOTE, demo_tables, expected_flags, load_demo
from ksln_metrics.store import Store

TODAY = date(2026, 6, 30)
# Every flag the default rules can raise; Naskah belum diarsipkan is off until an admin turns it on.
DEFAULT_ON_FLAGS = set(FLAG_CODES) - {"no_signed_document"}


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "t.duckdb") as s:
        yield s


@pytest.fixture
def loaded(store):
    results = load_demo(store, TODAY)
    return store, results


def test_demo_covers_all_regions_years_and_tables(loaded):
    store, results = loaded
    perjanjian = store.table("perjanjian")
    assert len(perjanjian) >= 40
    assert set(perjanjian["kabkota"]) == set(REGIONS)
    years = set(pd.to_datetime(perjanjian["tanggal_ttd"]).dropna().dt.year)
    assert set(range(2015, 2027)) <= years
    for table in TABLES:
        assert len(store.table(table)) > 0, table
    assert set(perjanjian["keterangan"]) == {DEMO_NOTE}


def test_demo_is_one_sample_batch_per_region(loaded):
    store, results = loaded
    assert len(results) == len(REGIONS) and all(r.batch_id is not None for r in results)
    batches = store.batches()
    assert set(batches["kind"]) == {"contoh"}
    assert set(batches["user_name"]) == {"data contoh"}
    assert sorted(batches["kabkota"]) == sorted(REGIONS)
    assert all(name.startswith("data contoh ") for name in batches["file_name"])
    assert store.has_sample_data()


def test_loading_twice_changes_nothing(loaded):
    store, _ = loaded
    before = store.snapshot()
    again = load_demo(store, TODAY)
    assert [r.batch_id for r in again] == [None] * len(REGIONS)
    assert len(store.batches()) == len(REGIONS)
    for table, frame in store.snapshot().items():
        pd.testing.assert_frame_equal(frame, before[table])


def test_same_day_gives_identical_data(tmp_path):
    snapshots = []
    for name in ("a.duckdb", "b.duckdb"):
        with Store(tmp_path / name) as s:
            load_demo(s, TODAY)
            snapshots.append(s.snapshot())
    for table in TABLES:
        pd.testing.assert_frame_equal(snapshots[0][table], snapshots[1][table])


def test_default_today_loads(store):
    load_demo(store)
    assert len(store.table("perjanjian")) >= 40
    assert pd.to_datetime(store.table("perjanjian")["tanggal_ttd"]).max().date() <= today()


def test_rollback_of_a_sample_batch_removes_its_rows(loaded):
    store, results = loaded
    lebak = next(r for r in results if r.batch_id is not None and r.changes["perjanjian"].new
                 and store.batches().set_index("batch_id").at[r.batch_id, "kabkota"] == "36.02")
    store.rollback(lebak.batch_id, user="admin")
    assert "36.02" not in set(store.table("perjanjian")["kabkota"])
    assert store.has_sample_data()  # the other regions' sample batches are still in effect


# --- every flag fires: DESIGN §5 read literally, independent of the indicators engine -----------

_CEREMONIAL_KINDS = {"penandatanganan", "seremoni", "kunjungan kehormatan"}
_HEADS = ("gubernur", "bupati", "wali kota", "walikota")


def _months_before(day: date, months: int) -> date:
    month = day.month - months
    year, month = day.year + (month - 1) // 12, (month - 1) % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError


def _day(value) -> date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _design_flags(tables: dict[str, pd.DataFrame], as_of: date) -> dict[str, set[str]]:
    flags: dict[str, set[str]] = defaultdict(set)
    kegiatan, indikator = tables["kegiatan"], tables["indikator"]
    reports = {(r.id_perjanjian, r.tahun_anggaran): _day(r.tanggal_disampaikan)
               for r in tables["laporan"].itertuples()}
    for a in tables["perjanjian"].itertuples():
        signed, end = _day(a.tanggal_ttd), _day(a.tanggal_berakhir)
        is_signed = a.status in SIGNED_STATUSES or signed is not None
        active = (a.status in ("ditandatangani", "berjalan") and signed is not None and signed <= as_of
                  and (end is None or end >= as_of))
        own = kegiatan[kegiatan["id_perjanjian"] == a.id_perjanjian]
        substantive = own[~own["jenis_kegiatan"].isin(_CEREMONIAL_KINDS)]
        days = substantive["tanggal"].map(_day)
        if active and signed <= _months_before(as_of, 6) and _day(a.tanggal_pks) is None and not a.ada_rik \
                and not a.ada_awp and substantive.empty:
            flags[a.id_perjanjian].add("ceremonial_only")
        elif active and signed <= _months_before(as_of, 12) and not (
                (days > _months_before(as_of, 12)) & (days <= as_of)).any():
            flags[a.id_perjanjian].add("stalled")
        if a.status not in ("usulan", "proses", "batal") and signed is not None:
            for year in range(signed.year, min(end.year if end else as_of.year, as_of.year) + 1):
                arrived, deadline = reports.get((a.id_perjanjian, year)), reporting_deadline(year)
                if arrived is not None and arrived > deadline:
                    flags[a.id_perjanjian].add("late_report")
                if arrived is None and deadline < as_of:
                    flags[a.id_perjanjian].add("missing_report")
        if is_signed and _day(a.tanggal_persetujuan_dprd) is None:
            flags[a.id_perjanjian].add("no_dprd_approval")
        if is_signed and _day(a.tanggal_persetujuan_pusat) is None:
            flags[a.id_perjanjian].add("no_central_approval")
        signer = str(a.penandatangan or "").lower().removeprefix("plt.").strip()
        if is_signed and not signer.startswith(_HEADS):
            flags[a.id_perjanjian].add("delegated_signature")
        if a.negara == "ISR":
            flags[a.id_perjanjian].add("no_diplomatic_relations")
        if active and end is not None and as_of < end <= as_of + timedelta(days=183):
            flags[a.id_perjanjian].add("expiring_soon")
        if a.status in ("ditandatangani", "berjalan") and end is not None and end < as_of:
            flags[a.id_perjanjian].add("expired")
        if active and not (indikator["id_perjanjian"] == a.id_perjanjian).any():
            flags[a.id_perjanjian].add("no_indicators")
    return flags


@pytest.mark.parametrize("as_of", [TODAY, date(2026, 1, 5), date(2026, 11, 28), date(2027, 1, 13),
                                   date(2028, 2, 29), date(2026, 12, 31)], ids=str)
def test_each_agreement_raises_exactly_its_intended_flags(as_of):
    flags = _design_flags(demo_tables(as_of), as_of)
    expected = expected_flags()
    assert {k: sorted(v) for k, v in flags.items() if v} == {k: sorted(v) for k, v in expected.items() if v}
    assert set().union(*expected.values()) == DEFAULT_ON_FLAGS
    assert sum(1 for v in expected.values() if not v) >= 25  # plenty of healthy agreements


@pytest.mark.parametrize("as_of", [TODAY, date(2026, 1, 5), date(2027, 1, 13)], ids=str)
def test_indicators_engine_raises_exactly_the_intended_flags(tmp_path, as_of):
    with Store(tmp_path / "t.duckdb") as s:
        load_demo(s, as_of)
        flags = flags_for(s, as_of, load_rules())
    raised = flags.groupby("id_perjanjian")["code"].agg(lambda codes: sorted(set(codes))).to_dict()
    assert raised == {k: sorted(v) for k, v in expected_flags().items() if v}
    assert set(flags["code"]) == DEFAULT_ON_FLAGS
