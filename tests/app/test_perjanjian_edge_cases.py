"""The Perjanjian page on the edge cases of the rules: each table on the page agrees with the engine's counts.

A small store of one kab/kota, opened at a fixed reference date (KSLN_HARI_INI), so the
cases hold in any year: a report received before its deadline, on the deadline day and on
the day after, an approval dated after the reference date, a year with only ceremonial
activities, an indicator with target 0.
"""

from datetime import date

import pandas as pd
import pytest

from ksln_metrics.clock import ENV as TODAY_ENV
from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import FLAG_BY_CODE, load_rules
from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with
from tests.unit.builders import build_store, d, indikator, kegiatan, laporan, perjanjian

AS_OF = date(2026, 1, 8)


@pytest.fixture
def edge_db(tmp_path, monkeypatch):
    path = tmp_path / "tepi.duckdb"
    build_store(
        path,
        [perjanjian("TEPI-01", judul="Laporan diterima sebelum batas"),
         perjanjian("TEPI-02", judul="Laporan pada hari batas", tanggal_ttd=d("2024-02-01")),
         perjanjian("TEPI-03", judul="Laporan sehari setelah batas", tanggal_ttd=d("2024-02-01")),
         perjanjian("TEPI-04", judul="Persetujuan DPRD setelah tanggal acuan",
                    tanggal_persetujuan_dprd=d("2026-02-01")),
         perjanjian("TEPI-05", judul="Tahun dengan kegiatan seremonial saja", tanggal_ttd=d("2024-02-01")),
         perjanjian("TEPI-06", judul="Indikator dengan target nol")],
        [kegiatan("TEPI-05", "2024-02-01", "penandatanganan"), kegiatan("TEPI-05", "2024-08-01", "kunjungan kehormatan"),
         kegiatan("TEPI-05", "2025-05-01", "pelatihan")],
        [indikator("TEPI-06", 2024, 0, 5, nama="Tanpa target"), indikator("TEPI-06", 2024, 20, 10, nama="Peserta")],
        [laporan("TEPI-01", 2023, "2024-01-05"), laporan("TEPI-01", 2024, "2025-01-06"),
         laporan("TEPI-01", 2025, "2026-01-05"),
         laporan("TEPI-02", 2024, "2025-01-10"),  # the deadline day (a Friday)
         laporan("TEPI-03", 2024, "2025-01-11")],  # the day after, a Saturday
    ).close()
    monkeypatch.setenv("KSLN_DB", str(path))
    monkeypatch.setenv(TODAY_ENV, AS_OF.isoformat())
    with Store(path) as store:
        engine = compute(store, AS_OF, load_rules()).agreements.set_index("id_perjanjian")
    return engine


def open_agreement(agreement_id: str):
    app = open_page("perjanjian")
    app.selectbox(key="perjanjian_pilih").select(agreement_id).run()
    assert not app.exception
    assert "Tanggal acuan: **8 Januari 2026**" in [c.value for c in app.caption]
    return app


def reports_table(app) -> pd.DataFrame:
    """The reports table by fiscal year, read as text (the page shows it as a wrapping table)."""
    reports = table_with(app, "Batas")
    return reports.set_index(reports["Tahun anggaran"].astype(str))


def assert_reports_agree(reports: pd.DataFrame, row) -> None:
    assert (reports["Status"] == "Tepat waktu").sum() == row.laporan_tepat_waktu
    assert reports["Status"].str.startswith("Terlambat").sum() == row.laporan_terlambat
    assert (reports["Status"] == "Belum masuk").sum() == row.laporan_belum_masuk
    assert (reports["Dihitung dalam skor"] == "Ya").sum() == row.laporan_wajib
    assert len(reports) == row.tahun_aktif


def test_a_report_received_before_its_deadline_is_shown_as_not_yet_due(edge_db):
    row = edge_db.loc["TEPI-01"]
    reports = reports_table(open_agreement("TEPI-01"))
    assert reports.loc["2025", "Status"] == "Diterima, belum jatuh tempo"
    assert reports.loc["2025", "Dihitung dalam skor"] == "Tidak"
    assert "belum lewat per 8 Januari 2026" in reports.loc["2025", "Keterangan"]
    assert (row.laporan_wajib, row.laporan_tepat_waktu) == (2, 2)
    assert_reports_agree(reports, row)


@pytest.mark.parametrize(("agreement_id", "status"), [
    ("TEPI-02", "Tepat waktu"),
    ("TEPI-03", "Terlambat (hari libur sesudah batas)"),
])
def test_a_report_on_the_deadline_day_is_on_time_and_the_day_after_is_late(edge_db, agreement_id, status):
    row = edge_db.loc[agreement_id]
    app = open_agreement(agreement_id)
    reports = reports_table(app)
    assert reports.loc["2024", "Status"] == status
    assert_reports_agree(reports, row)
    flags = table_with(app, "Alasan")
    late = flags[flags["Bendera"] == FLAG_BY_CODE["late_report"].label]
    assert len(late) == row.laporan_terlambat


def test_an_approval_dated_after_the_reference_date_is_not_counted_on_the_page(edge_db):
    row = edge_db.loc["TEPI-04"]
    app = open_agreement("TEPI-04")
    documents = table_with(app, "Dokumen/persetujuan").set_index("Dokumen/persetujuan")
    assert documents.loc["Persetujuan DPRD", "Ada"] == "✗"
    assert "setelah tanggal acuan" in documents.loc["Persetujuan DPRD", "Keterangan"]
    assert not row.lolos_persetujuan_dprd
    assert FLAG_BY_CODE["no_dprd_approval"].label in table_with(app, "Alasan")["Bendera"].tolist()
    components = table_with(app, "Komponen").set_index("Komponen")
    assert components.loc["Kepatuhan", "Dasar"] == "3 dari 4 pemeriksaan lolos; gagal: Persetujuan DPRD"


def test_a_year_with_only_ceremonial_activities_counts_no_follow_up(edge_db):
    row = edge_db.loc["TEPI-05"]
    activities = table_with(open_agreement("TEPI-05"), "Sifat")
    counted = activities[(activities["Sifat"] == "Substantif") & (activities["Dihitung"] == "Ya")]
    years_with_follow_up = {t.split()[-1] for t in counted["Tanggal"]}
    assert years_with_follow_up == {"2025"}
    assert (row.tahun_aktif, row.tahun_dengan_kegiatan) == (3, len(years_with_follow_up))


def test_an_indicator_with_target_zero_is_shown_as_not_counted(edge_db):
    row = edge_db.loc["TEPI-06"]
    indicators = table_with(open_agreement("TEPI-06"), "Indikator").set_index("Indikator")
    assert indicators.loc["Tanpa target", "Keterangan"] == "Tidak dihitung: target kosong atau 0"
    assert pd.isna(indicators.loc["Tanpa target", "Capaian"])
    counted = indicators["Capaian"].dropna()
    assert len(indicators) == row.jumlah_indikator
    assert row.skor_capaian == round(counted.mean() / 100 * 30, 2)
