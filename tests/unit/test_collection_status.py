"""Data-collection status: last upload, tables sent in the year of as_of, fields the flags need."""

from datetime import date, datetime

import pytest

from ksln_metrics.engine.collection import collection_status, status_line, unit_statuses
from ksln_metrics.importing.ingest import commit_upload, read_upload
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

AS_OF = date(2026, 6, 30)
LEBAK = [
    agreement(**{"ID Perjanjian": f"LBK-00{i}", "Tanggal Persetujuan DPRD": date(2019, 1, 11) if i <= 2 else None,
                 "Tanggal Persetujuan Pusat": date(2019, 2, 1), "Penandatangan": "Bupati Lebak",
                 "Masa Berlaku (tahun)": 5})
    for i in range(1, 7)
]


def _upload(store, name: str, rows: list[dict], when: datetime) -> None:
    upload = read_upload(name, simple_agreement_xlsx(rows), known=store.known_agreements())
    assert upload.ok, upload.problems
    result = commit_upload(store, upload, user="admin")
    # The batch's time is set by the clock; the test fixes it so that the year of as_of decides.
    store.cursor().execute("UPDATE batch SET created_at = ? WHERE batch_id = ?", [when, result.batch_id])


@pytest.fixture
def store(store_location):  # DuckDB and PostgreSQL
    with Store(store_location) as store:
        _upload(store, "lebak_2025.xlsx", LEBAK, datetime(2025, 11, 3, 9, 0))
        _upload(store, "lebak_2026.xlsx", [{**LEBAK[0], "Status": "selesai"}], datetime(2026, 3, 2, 10, 30))
        _upload(store, "cilegon.xlsx", [agreement(**{"ID Perjanjian": "CLG-001", "Kab/Kota": "Kota Cilegon"})],
                datetime(2025, 5, 5, 8, 0))
        yield store


def test_each_unit_says_when_it_uploaded_and_what_it_sent_this_year(store):
    units = {u.kabkota: u for u in unit_statuses(collection_status(store, AS_OF))}
    assert len(units) == 9  # the province and all eight kab/kota, also those that never sent anything
    assert units["36.02"].last_upload == datetime(2026, 3, 2, 10, 30)
    assert units["36.02"].tables_sent == ("perjanjian",)
    assert units["36.02"].tables_missing == ("kegiatan", "indikator", "laporan")
    assert units["36.72"].last_upload == datetime(2025, 5, 5, 8, 0) and units["36.72"].tables_sent == ()
    assert units["36.01"].last_upload is None and units["36.01"].completeness is None


def test_an_empty_field_says_which_flag_cannot_be_judged(store):
    lebak = next(u for u in unit_statuses(collection_status(store, AS_OF, ["36.02"])))
    assert "Tanpa persetujuan DPRD: tanggal persetujuan DPRD kosong pada 4 dari 6 perjanjian" in lebak.unjudgeable
    assert not any(text.startswith("Tanpa persetujuan Pusat") for text in lebak.unjudgeable)
    assert lebak.applicable == 6 * 6 and lebak.filled == 6 * 6 - 4


def test_a_later_reference_year_counts_no_table_as_sent_and_a_rollback_does_not_count(store):
    next_year = {u.kabkota: u for u in unit_statuses(collection_status(store, date(2027, 1, 15)))}
    assert next_year["36.02"].tables_sent == ()
    newest = int(store.query("SELECT max(batch_id) AS b FROM batch WHERE file_name = 'lebak_2026.xlsx'")["b"].iloc[0])
    store.rollback(newest, user="admin")
    units = {u.kabkota: u for u in unit_statuses(collection_status(store, AS_OF))}
    assert units["36.02"].last_upload == datetime(2025, 11, 3, 9, 0) and units["36.02"].tables_sent == ()


def test_the_ringkasan_line_counts_units(store):
    line = status_line(unit_statuses(collection_status(store, AS_OF)), AS_OF)
    assert line.startswith("Pengumpulan data 2026: 1 dari 9 daerah sudah mengirim data tahun ini")
    assert "2 daerah punya peringatan yang tidak dapat dinilai" in line  # Lebak, and Cilegon without approvals
