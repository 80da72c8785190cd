"""One agreement in detail: checklists, timeline, indicators, reports against deadlines, score components."""

import pandas as pd
import pytest

from ksln_metrics.engine import agreement as ag
from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import load_rules
from tests.unit.builders import build_store, d, indikator, kegiatan, laporan, perjanjian

AS_OF = d("2025-03-01")  # P1 signed 1 March 2023: FY2023 and FY2024 due, FY2025 not yet


@pytest.fixture
def store(tmp_path):
    store = build_store(
        tmp_path / "s.duckdb",
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


def test_reports_against_deadlines_say_on_time_late_missing_or_not_due(store):
    reports = ag.report_status(store, "P1", AS_OF, load_rules())
    assert reports["tahun_anggaran"].tolist() == [2023, 2024, 2025]
    assert reports["batas"].tolist() == [d("2024-01-10"), d("2025-01-10"), d("2026-01-12")]
    assert reports["status"].tolist() == ["Terlambat 2 hari kerja", "Belum masuk", "Belum jatuh tempo"]
    assert reports["hari_kerja_terlambat"].tolist()[0] == 2
    on_time = ag.report_status(store, "P2", AS_OF, load_rules())
    assert on_time["status"].tolist()[:2] == ["Tepat waktu", "Tepat waktu"]  # the deadline day itself is on time


def test_report_table_agrees_with_the_engine_counts(store):
    rules = load_rules()
    agreements = compute(store, AS_OF, rules).agreements.set_index("id_perjanjian")
    for agreement_id in ("P1", "P2", "P3"):
        reports = ag.report_status(store, agreement_id, AS_OF, rules)
        row = agreements.loc[agreement_id]
        assert (reports["status"] == "Tepat waktu").sum() == row.laporan_tepat_waktu
        assert reports["status"].str.startswith("Terlambat").sum() == row.laporan_terlambat
        assert (reports["status"] == "Belum masuk").sum() == row.laporan_belum_masuk
        assert len(reports) == row.tahun_aktif


def test_unsigned_agreement_has_no_reports_and_no_score(store):
    rules = load_rules()
    assert ag.report_status(store, "P3", AS_OF, rules).empty
    row = compute(store, AS_OF, rules).agreements.set_index("id_perjanjian").loc["P3"]
    assert ag.score_components(row, [], rules).empty


def test_document_checklist_counts_only_approvals_dated_by_the_reference_date(store):
    record = ag.load_agreement(store, "P2")
    checklist = ag.document_checklist(record.perjanjian, AS_OF).set_index("Dokumen/persetujuan")
    assert checklist.loc["Persetujuan DPRD", "Ada"] == "✗"
    assert checklist.loc["Persetujuan Pemerintah Pusat"].tolist() == ["✓", "10 Februari 2023"]
    assert checklist.loc["Surat Kuasa (Full Powers)"].tolist() == ["✓", "20 Februari 2023"]
    assert checklist.loc["Nota Kesepahaman (MoU)", "Keterangan"] == "Nomor MOU/P2; ditandatangani 1 Maret 2023"
    early = ag.document_checklist(record.perjanjian, d("2023-03-15")).set_index("Dokumen/persetujuan")
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
    timeline = ag.activity_timeline(ag.load_agreement(store, "P1").kegiatan, rules, AS_OF)
    assert timeline["sifat"].tolist() == ["seremonial", "substantif", "substantif", "substantif"]
    assert timeline["dihitung"].tolist() == [True, True, True, False]  # 2025-06-01 is after the reference date
    changed = rules.replace(**{"kegiatan.jenis_seremonial": ["penandatanganan", "pelatihan"]})
    assert ag.activity_timeline(ag.load_agreement(store, "P1").kegiatan, changed)["sifat"].tolist()[:2] == [
        "seremonial", "seremonial"]


def test_indicator_progress_is_capped_and_skips_rows_the_score_skips(store):
    progress = ag.indicator_progress(ag.load_agreement(store, "P1").indikator, AS_OF)
    assert progress["capaian"].tolist()[:2] == [1.0, 0.5]
    assert progress["capaian"].isna().tolist() == [False, False, True, True]  # target 0; year after as_of


def test_score_components_add_up_to_the_score_and_name_failed_checks(store):
    rules = load_rules()
    results = compute(store, AS_OF, rules)
    row = results.agreements.set_index("id_perjanjian").loc["P2"]
    codes = ag.agreement_flags(results.flags, "P2")["code"].tolist()
    components = ag.score_components(row, codes, rules)
    assert components["Komponen"].tolist() == ["Kepatuhan", "Tindak lanjut", "Capaian indikator", "Pelaporan", "Skor"]
    assert components["Poin"].iloc[:4].sum() == pytest.approx(components["Poin"].iloc[4], abs=0.02)
    assert components["Poin"].iloc[4] == row.skor
    assert components["Dasar"].iloc[0] == ("2 dari 4 pemeriksaan lolos; gagal: Persetujuan DPRD, "
                                           "Penandatangan kepala daerah sendiri")
    assert components["Bobot"].tolist() == [25, 25, 30, 20, 100]


def test_search_matches_every_word_in_title_partner_or_id(store):
    agreements = compute(store, AS_OF, load_rules()).agreements
    assert ag.search_agreements(agreements, "kochi")["id_perjanjian"].tolist() == ["P2"]
    assert ag.search_agreements(agreements, "SISTER  jepang")["id_perjanjian"].tolist() == ["P2"]
    assert ag.search_agreements(agreements, "p3")["id_perjanjian"].tolist() == ["P3"]
    assert len(ag.search_agreements(agreements, "  ")) == 3
    assert ag.search_agreements(agreements, "tidak ada").empty


def test_unknown_agreement_is_none(store):
    assert ag.load_agreement(store, "X") is None
    assert ag.date_text(pd.NaT) == "" and ag.date_text(d("2019-03-11")) == "11 Maret 2019"
