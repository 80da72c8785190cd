"""One agreement in detail: checklists, timeline, indicators, reports against deadlines, score components.

Every table is read from the engine's SQL (indicators.agreement_detail); each test checks
the detail against the counts of the score, so the page can never contradict it.
"""

import pandas as pd
import pytest

from ksln_metrics.engine import agreement as ag
from ksln_metrics.engine.indicators import agreement_detail, compute
from ksln_metrics.engine.rules import load_rules
from tests.unit.builders import build_store, d, indikator, kegiatan, laporan, perjanjian

AS_OF = d("2025-03-01")  # P1 signed 1 March 2023: FY2023 and FY2024 due, FY2025 not yet


@pytest.fixture
def store(store_location):  # DuckDB and PostgreSQL
    store = build_store(
        store_location,
        [perjanjian("P1"), perjanjian("P2", judul="Sister city Jepang", mitra="Kota Kochi", tanggal_persetujuan_dprd=None,
                                      penandatangan="Wakil Bupati Pandeglang"),
         perjanjian("P3", status="usulan", tanggal_ttd=None)],
        [kegiatan("P1", "2023-03-01", "penandatanganan"), kegiatan("P1", "2024-05-01", "pelatihan"),
         kegiatan("P1", "2024-06-01", None), kegiatan("P1", "2025-06-01", "riset")],
        [indikator("P1", 2023, 10, 12), indikator("P1", 2024, 10, 5), indikator("P1", 2025, 0, 3),
         indikator("P1", 2026, 10, 10)],
        [laporan("P1", 2023, "2024-01-12"), laporan("P2", 2023, "2024-01-10"), laporan("P2", 2024, "2025-01-06")],
    )
    yield store
    store.close()


def detail(store, agreement_id, as_of=AS_OF, rules=None):
    return agreement_detail(store, agreement_id, as_of, rules or load_rules())


def reports_of(store, agreement_id, as_of=AS_OF, rules=None):
    return ag.report_status(detail(store, agreement_id, as_of, rules).fiscal_years, as_of)


def assert_reports_agree_with_the_score(reports: pd.DataFrame, row) -> None:
    """The page's report table and the score count the same reports."""
    assert (reports["status"] == "Tepat waktu").sum() == row.laporan_tepat_waktu
    assert reports["status"].str.startswith("Terlambat").sum() == row.laporan_terlambat
    assert (reports["status"] == "Belum masuk").sum() == row.laporan_belum_masuk
    assert (reports["dihitung"] == "Ya").sum() == row.laporan_wajib
    assert len(reports) == row.tahun_aktif


def test_reports_against_deadlines_say_on_time_late_missing_or_not_due(store):
    reports = reports_of(store, "P1")
    assert reports["tahun_anggaran"].tolist() == [2023, 2024, 2025]
    assert reports["batas"].tolist() == [d("2024-01-10"), d("2025-01-10"), d("2026-01-12")]
    assert reports["status"].tolist() == ["Terlambat 2 hari kerja", "Belum masuk", "Belum jatuh tempo"]
    assert reports["dihitung"].tolist() == ["Ya", "Ya", "Tidak"]
    assert reports["hari_kerja_terlambat"].tolist()[0] == 2
    on_time = reports_of(store, "P2")
    assert on_time["status"].tolist()[:2] == ["Tepat waktu", "Tepat waktu"]  # the deadline day itself is on time


def test_report_table_agrees_with_the_engine_counts(store):
    agreements = compute(store, AS_OF, load_rules()).agreements.set_index("id_perjanjian")
    for agreement_id in ("P1", "P2", "P3"):
        assert_reports_agree_with_the_score(reports_of(store, agreement_id), agreements.loc[agreement_id])


def test_a_report_received_before_its_deadline_is_not_yet_due_and_says_why(tmp_path):
    # The case of the review: FY2025 report received 5 January 2026, viewed on 8 January 2026
    # (deadline 12 January 2026). It is not counted yet, and the table says so.
    as_of = d("2026-01-08")
    store = build_store(tmp_path / "s.duckdb", [perjanjian("P1")], [],
                        [], [laporan("P1", 2023, "2024-01-05"), laporan("P1", 2024, "2025-01-06"),
                             laporan("P1", 2025, "2026-01-05")])
    reports = reports_of(store, "P1", as_of)
    row = compute(store, as_of, load_rules()).agreements.set_index("id_perjanjian").loc["P1"]
    assert reports["status"].tolist() == ["Tepat waktu", "Tepat waktu", "Diterima, belum jatuh tempo",
                                          "Belum jatuh tempo"]
    assert (row.laporan_wajib, row.laporan_tepat_waktu) == (2, 2)
    assert reports["keterangan"].iloc[2] == ("Batas 12 Januari 2026 belum lewat per 8 Januari 2026: belum dihitung "
                                             "dalam skor pelaporan")
    assert_reports_agree_with_the_score(reports, row)
    # Once the deadline has passed, the same report counts, on time.
    later = reports_of(store, "P1", d("2026-01-13"))
    assert later["status"].iloc[2] == "Tepat waktu" and later["dihitung"].iloc[2] == "Ya"
    store.close()


@pytest.mark.parametrize(("received", "status", "on_time"), [
    ("2025-01-10", "Tepat waktu", 1),  # on the deadline day
    ("2025-01-13", "Terlambat 1 hari kerja", 0),  # the next working day
])
def test_a_report_on_the_deadline_day_is_on_time_and_the_day_after_is_late(tmp_path, received, status, on_time):
    as_of = d("2025-03-01")
    store = build_store(tmp_path / "s.duckdb", [perjanjian("P1", tanggal_ttd=d("2024-02-01"))], [], [],
                        [laporan("P1", 2024, received)])
    reports = reports_of(store, "P1", as_of)
    row = compute(store, as_of, load_rules()).agreements.set_index("id_perjanjian").loc["P1"]
    assert reports["status"].tolist() == [status, "Belum jatuh tempo"]
    assert row.laporan_tepat_waktu == on_time
    assert_reports_agree_with_the_score(reports, row)
    store.close()


def test_an_approval_dated_after_the_reference_date_does_not_count_yet(tmp_path):
    store = build_store(tmp_path / "s.duckdb",
                        [perjanjian("P1", tanggal_persetujuan_dprd=d("2025-05-01"), tanggal_pks=d("2025-04-01"))],
                        [], [], [])
    results = compute(store, AS_OF, load_rules())
    row = results.agreements.set_index("id_perjanjian").loc["P1"]
    checklist = ag.document_checklist(detail(store, "P1").documents, AS_OF).set_index("Dokumen/persetujuan")
    assert checklist.loc["Persetujuan DPRD"].tolist() == [
        "✗", "Tercatat 1 Mei 2025, setelah tanggal acuan 1 Maret 2025"]
    assert checklist.loc["Perjanjian Kerja Sama (PKS)", "Ada"] == "✗"
    assert not row.lolos_persetujuan_dprd and "no_dprd_approval" in row["flags"].split(";")
    components = ag.score_components(row, load_rules())
    assert components["Dasar"].iloc[0] == "3 dari 4 pemeriksaan lolos; gagal: Persetujuan DPRD"
    # On the approval day it counts.
    later = compute(store, d("2025-05-01"), load_rules()).agreements.set_index("id_perjanjian").loc["P1"]
    assert later.lolos_persetujuan_dprd
    store.close()


def test_document_checklist_counts_only_approvals_dated_by_the_reference_date(store):
    checklist = ag.document_checklist(detail(store, "P2").documents, AS_OF).set_index("Dokumen/persetujuan")
    assert checklist.loc["Persetujuan DPRD", "Ada"] == "✗"
    assert checklist.loc["Persetujuan Pemerintah Pusat"].tolist() == ["✓", "10 Februari 2023"]
    assert checklist.loc["Surat Kuasa (Full Powers)"].tolist() == ["✓", "20 Februari 2023"]
    assert checklist.loc["Nota Kesepahaman (MoU)", "Keterangan"] == "Nomor MOU/P2; ditandatangani 1 Maret 2023"
    early_as_of = d("2023-03-15")
    early = ag.document_checklist(detail(store, "P2", early_as_of).documents, early_as_of)
    early = early.set_index("Dokumen/persetujuan")
    assert early.loc["Perjanjian Kerja Sama (PKS)", "Ada"] == "✗"  # PKS dated 1 April 2023
    assert "setelah tanggal acuan" in early.loc["Perjanjian Kerja Sama (PKS)", "Keterangan"]


def test_criteria_checklist_shows_unfilled_criteria_as_dash(store):
    record = ag.load_agreement(store, "P1")
    row = record.perjanjian.copy()
    row["kriteria_gender"] = None
    row["kriteria_lingkungan"] = False
    marks = ag.criteria_checklist(row).set_index("Kriteria")["Terpenuhi"]
    assert marks["Mendukung pengarusutamaan gender"] == "—"
    assert marks["Memperhatikan keberlanjutan lingkungan"] == "✗"
    assert (marks == "✓").sum() == 5


def test_timeline_marks_ceremonial_by_the_rules_and_empty_type_as_substantive(store):
    rules = load_rules()
    timeline = ag.activity_timeline(detail(store, "P1").activities)
    assert timeline["sifat"].tolist() == ["seremonial", "substantif", "substantif", "substantif"]
    assert timeline["dihitung"].tolist() == [True, True, True, False]  # 2025-06-01 is after the reference date
    changed = rules.replace(**{"kegiatan.jenis_seremonial": ["penandatanganan", "pelatihan"]})
    assert ag.activity_timeline(detail(store, "P1", rules=changed).activities)["sifat"].tolist()[:2] == [
        "seremonial", "seremonial"]


def test_a_year_with_only_ceremonial_activities_has_no_follow_up(tmp_path):
    # Active 2023-2024; 2023 has only a signing and a courtesy visit, 2024 a training.
    as_of = d("2024-12-31")
    store = build_store(tmp_path / "s.duckdb", [perjanjian("P1")],
                        [kegiatan("P1", "2023-03-01", "penandatanganan"),
                         kegiatan("P1", "2023-07-01", "kunjungan kehormatan"), kegiatan("P1", "2024-05-01")], [], [])
    timeline = ag.activity_timeline(detail(store, "P1", as_of).activities)
    row = compute(store, as_of, load_rules()).agreements.set_index("id_perjanjian").loc["P1"]
    substantive_years = {t.year for t, s in zip(timeline["tanggal"], timeline["sifat"], strict=True)
                         if s == "substantif"}
    assert substantive_years == {2024}
    assert (row.tahun_aktif, row.tahun_dengan_kegiatan) == (2, len(substantive_years))
    assert row.skor_tindak_lanjut == 12.5
    store.close()


def test_indicator_progress_is_capped_and_skips_rows_the_score_skips(store):
    progress = ag.indicator_progress(detail(store, "P1").indicators)
    assert progress["capaian"].tolist()[:2] == [1.0, 0.5]
    assert progress["capaian"].isna().tolist() == [False, False, True, True]  # target 0; year after as_of
    assert progress["keterangan"].tolist()[2:] == ["Tidak dihitung: target kosong atau 0",
                                                   "Belum dihitung: tahunnya setelah tanggal acuan"]


def test_an_indicator_with_target_zero_is_not_counted_and_the_score_agrees(tmp_path):
    store = build_store(tmp_path / "s.duckdb", [perjanjian("P1")], [],
                        [indikator("P1", 2024, 0, 5), indikator("P1", 2024, 20, 10, nama="Peserta")], [])
    progress = ag.indicator_progress(detail(store, "P1").indicators)
    row = compute(store, AS_OF, load_rules()).agreements.set_index("id_perjanjian").loc["P1"]
    counted = progress["capaian"].dropna()
    assert len(progress) == row.jumlah_indikator == 2 and len(counted) == 1
    assert row.skor_capaian == round(counted.mean() * 30, 2) == 15.0
    store.close()


def test_score_components_add_up_to_the_score_and_name_failed_checks(store):
    rules = load_rules()
    results = compute(store, AS_OF, rules)
    row = results.agreements.set_index("id_perjanjian").loc["P2"]
    components = ag.score_components(row, rules)
    assert components["Komponen"].tolist() == ["Kepatuhan", "Tindak lanjut", "Capaian indikator", "Pelaporan", "Skor"]
    assert components["Poin"].iloc[:4].sum() == pytest.approx(components["Poin"].iloc[4], abs=0.02)
    assert components["Poin"].iloc[4] == row.skor
    assert components["Dasar"].iloc[0] == ("2 dari 4 pemeriksaan lolos; gagal: Persetujuan DPRD, "
                                           "Penandatangan kepala daerah sendiri")
    assert components["Bobot"].tolist() == [25, 25, 30, 20, 100]


def test_unsigned_agreement_has_no_reports_and_no_score(store):
    rules = load_rules()
    assert reports_of(store, "P3").empty
    row = compute(store, AS_OF, rules).agreements.set_index("id_perjanjian").loc["P3"]
    assert ag.score_components(row, rules).empty


def test_search_matches_every_word_in_title_partner_or_id(store):
    agreements = compute(store, AS_OF, load_rules()).agreements
    assert ag.search_agreements(agreements, "kochi")["id_perjanjian"].tolist() == ["P2"]
    assert ag.search_agreements(agreements, "SISTER  jepang")["id_perjanjian"].tolist() == ["P2"]
    assert ag.search_agreements(agreements, "p3")["id_perjanjian"].tolist() == ["P3"]
    assert len(ag.search_agreements(agreements, "  ")) == 3
    assert ag.search_agreements(agreements, "tidak ada").empty


def test_unknown_agreement_is_none(store):
    assert ag.load_agreement(store, "X") is None
    assert detail(store, "X") is None
    assert ag.date_text(pd.NaT) == "" and ag.date_text(d("2019-03-11")) == "11 Maret 2019"
    assert ag.agreement_name({"id_perjanjian": "P2", "mitra": "Kota Kochi", "negara": "JPN"}) == "Kota Kochi, Jepang (P2)"
