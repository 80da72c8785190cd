"""Every flag of DESIGN §5: a case that fires, and the cases just inside and just outside each boundary."""

from datetime import date

import pytest

from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import FLAG_CODES, load_rules
from tests.unit.builders import build_store, d, indikator, kegiatan, laporan, perjanjian


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def run(tmp_path, agreements, activities=(), indicators=(), reports=(), as_of="2025-03-01", rules=None):
    store = build_store(tmp_path / "f.duckdb", agreements, activities, indicators, reports)
    try:
        return compute(store, d(as_of), rules or load_rules())
    finally:
        store.close()


def reasons(results, code, id_perjanjian="P1"):
    rows = results.flags[(results.flags.code == code) & (results.flags.id_perjanjian == id_perjanjian)]
    return list(rows.reason)


def codes(results, id_perjanjian="P1"):
    row = results.agreements.set_index("id_perjanjian").loc[id_perjanjian]
    return set(filter(None, row["flags"].split(";")))


# --- ceremonial_only: active, signed >= 6 months ago, no PKS, RIK/AWP or substantive activity

def _ceremonial(**overrides):
    values = dict(tanggal_ttd=d("2024-03-11"), tanggal_pks=None, ada_rik=False, ada_awp=False)
    values.update(overrides)
    return perjanjian("P1", **values)


SIGNING = [kegiatan("P1", "2024-03-11", "penandatanganan")]


def test_ceremonial_only_fires_exactly_six_months_after_signing(tmp_path):
    results = run(tmp_path, [_ceremonial()], SIGNING, as_of="2024-09-11")
    assert reasons(results, "ceremonial_only") == [
        "Ditandatangani 11 Maret 2024, 6 bulan sebelum 11 September 2024, tanpa PKS, RIK/AWP, maupun kegiatan "
        "substantif; yang tercatat hanya 1 kegiatan seremonial."
    ]
    flag = results.flags[results.flags.code == "ceremonial_only"].iloc[0]
    assert flag.label == "Seremonial saja"
    assert "6 bulan" in flag.rule


def test_ceremonial_only_not_one_day_before_six_months(tmp_path):
    assert "ceremonial_only" not in codes(run(tmp_path, [_ceremonial()], SIGNING, as_of="2024-09-10"))


@pytest.mark.parametrize(
    "follow_up",
    [{"tanggal_pks": d("2024-05-01")}, {"ada_rik": True}, {"ada_awp": True}],
)
def test_any_document_is_follow_up(tmp_path, follow_up):
    assert "ceremonial_only" not in codes(run(tmp_path, [_ceremonial(**follow_up)], SIGNING, as_of="2024-12-01"))


def test_substantive_activity_is_follow_up_even_without_type(tmp_path):
    activities = [*SIGNING, kegiatan("P1", "2024-06-01", None)]
    assert "ceremonial_only" not in codes(run(tmp_path, [_ceremonial()], activities, as_of="2024-12-01"))


def test_pks_and_activity_after_reference_date_do_not_count(tmp_path):
    agreement = _ceremonial(tanggal_pks=d("2025-01-01"))
    activities = [*SIGNING, kegiatan("P1", "2024-12-15")]
    assert "ceremonial_only" in codes(run(tmp_path, [agreement], activities, as_of="2024-12-01"))


def test_courtesy_visit_is_ceremonial(tmp_path):
    activities = [*SIGNING, kegiatan("P1", "2024-06-01", "kunjungan kehormatan")]
    results = run(tmp_path, [_ceremonial()], activities, as_of="2024-12-01")
    assert reasons(results, "ceremonial_only")[0].endswith("yang tercatat hanya 2 kegiatan seremonial.")


def test_ceremonial_only_needs_an_active_agreement(tmp_path):
    agreement = _ceremonial(status="selesai")
    assert "ceremonial_only" not in codes(run(tmp_path, [agreement], SIGNING, as_of="2024-12-01"))


def test_ceremonial_only_and_stalled_never_both(tmp_path):
    results = run(tmp_path, [_ceremonial()], SIGNING, as_of="2025-06-01")
    assert "ceremonial_only" in codes(results)
    assert "stalled" not in codes(results)


# --- stalled: active, signed >= 12 months ago, no substantive activity in the last 12 months

def test_stalled_when_last_substantive_activity_is_older_than_twelve_months(tmp_path):
    results = run(tmp_path, [perjanjian("P1")], [kegiatan("P1", "2024-03-11")], as_of="2025-03-12")
    assert reasons(results, "stalled") == [
        "Kegiatan substantif terakhir 11 Maret 2024, 12 bulan sebelum 12 Maret 2025; tidak ada kegiatan "
        "substantif sejak 12 Maret 2024."
    ]


def test_not_stalled_when_activity_is_exactly_twelve_months_old(tmp_path):
    results = run(tmp_path, [perjanjian("P1")], [kegiatan("P1", "2024-03-11")], as_of="2025-03-11")
    assert "stalled" not in codes(results)


def test_ceremonial_activity_does_not_prevent_stalled(tmp_path):
    activities = [kegiatan("P1", "2023-06-01"), kegiatan("P1", "2025-01-01", "seremoni")]
    assert "stalled" in codes(run(tmp_path, [perjanjian("P1")], activities, as_of="2025-03-01"))


def test_stalled_counts_twelve_months_from_signing(tmp_path):
    agreement = perjanjian("P1", tanggal_ttd=d("2024-03-11"))  # has a PKS: not ceremonial_only
    inside = run(tmp_path, [agreement], as_of="2025-03-11")
    assert reasons(inside, "stalled") == [
        "Ditandatangani 11 Maret 2024 (12 bulan sebelum 11 Maret 2025) dan belum pernah ada kegiatan substantif."
    ]
    (tmp_path / "f.duckdb").unlink()
    assert "stalled" not in codes(run(tmp_path, [agreement], as_of="2025-03-10"))


# --- late_report and missing_report: FY2025 deadline is 12 January 2026

FY2025 = perjanjian("P1", tanggal_ttd=d("2025-02-01"), tanggal_pks=d("2025-03-01"))


def test_report_on_deadline_day_is_on_time(tmp_path):
    results = run(tmp_path, [FY2025], reports=[laporan("P1", 2025, "2026-01-12")], as_of="2026-02-01")
    assert not {"late_report", "missing_report"} & codes(results)
    assert results.agreements.iloc[0].laporan_tepat_waktu == 1


def test_report_day_after_deadline_is_late(tmp_path):
    results = run(tmp_path, [FY2025], reports=[laporan("P1", 2025, "2026-01-13")], as_of="2026-02-01")
    assert reasons(results, "late_report") == [
        "Laporan TA 2025 masuk 13 Januari 2026, 1 hari kerja setelah batas 12 Januari 2026."
    ]
    assert results.flags[results.flags.code == "late_report"].year.tolist() == [2025]


def test_report_not_missing_on_deadline_day(tmp_path):
    assert "missing_report" not in codes(run(tmp_path, [FY2025], as_of="2026-01-12"))


def test_report_missing_day_after_deadline(tmp_path):
    results = run(tmp_path, [FY2025], as_of="2026-01-13")
    assert reasons(results, "missing_report") == [
        "Laporan TA 2025 belum masuk per 13 Januari 2026, padahal batasnya 12 Januari 2026 (sudah lewat 1 hari "
        "kerja)."
    ]


def test_report_received_after_reference_date_is_still_missing(tmp_path):
    results = run(tmp_path, [FY2025], reports=[laporan("P1", 2025, "2026-02-10")], as_of="2026-02-01")
    assert "missing_report" in codes(results)
    assert "late_report" not in codes(results)


def test_reports_due_only_for_years_the_agreement_was_active(tmp_path):
    # Signed 2023, ended 30 June 2024 and finished: FY2023 and FY2024 due, FY2025 not.
    agreement = perjanjian("P1", status="selesai", tanggal_berakhir=d("2024-06-30"))
    results = run(tmp_path, [agreement], reports=[laporan("P1", 2023, "2024-01-05")], as_of="2026-03-01")
    missing = results.flags[results.flags.code == "missing_report"]
    assert missing.year.tolist() == [2024]


def test_no_reports_due_before_signing_or_for_proposals(tmp_path):
    proposal = perjanjian("P2", status="usulan", tanggal_ttd=None)
    cancelled = perjanjian("P3", status="batal")
    results = run(tmp_path, [FY2025, proposal, cancelled], as_of="2026-03-01")
    assert results.flags[results.flags.code == "missing_report"].year.tolist() == [2025]


# --- approvals: apply once signed

def test_no_dprd_approval(tmp_path):
    results = run(tmp_path, [perjanjian("P1", tanggal_persetujuan_dprd=None)])
    assert reasons(results, "no_dprd_approval") == [
        "Ditandatangani 1 Maret 2023, tetapi tanggal persetujuan DPRD tidak tercatat."
    ]


def test_no_central_approval_also_for_finished_agreement(tmp_path):
    agreement = perjanjian("P1", status="selesai", tanggal_persetujuan_pusat=None)
    assert reasons(run(tmp_path, [agreement]), "no_central_approval") == [
        "Ditandatangani 1 Maret 2023, tetapi tanggal persetujuan Pemerintah Pusat tidak tercatat."
    ]


def test_approval_dated_after_reference_date_is_missing(tmp_path):
    agreement = perjanjian("P1", tanggal_persetujuan_pusat=d("2025-06-01"))
    assert reasons(run(tmp_path, [agreement]), "no_central_approval") == [
        "Ditandatangani 1 Maret 2023, tetapi tanggal persetujuan Pemerintah Pusat tidak tercatat sampai "
        "1 Maret 2025 (tercatat 1 Juni 2025)."
    ]


def test_approvals_not_checked_before_signing(tmp_path):
    proposal = perjanjian("P1", status="proses", tanggal_ttd=None, tanggal_persetujuan_dprd=None,
                          tanggal_persetujuan_pusat=None)
    assert not {"no_dprd_approval", "no_central_approval"} & codes(run(tmp_path, [proposal]))


def test_signing_date_alone_makes_it_signed(tmp_path):
    agreement = perjanjian("P1", status="usulan", tanggal_persetujuan_dprd=None)
    assert "no_dprd_approval" in codes(run(tmp_path, [agreement]))


def test_signed_status_without_date(tmp_path):
    agreement = perjanjian("P1", tanggal_ttd=None, tanggal_persetujuan_dprd=None)
    assert reasons(run(tmp_path, [agreement]), "no_dprd_approval") == [
        "Berstatus berjalan, tetapi tanggal persetujuan DPRD tidak tercatat."
    ]


# --- delegated_signature

@pytest.mark.parametrize(
    ("title", "flagged"),
    [
        ("Bupati Pandeglang", False),
        ("Plt. Bupati Pandeglang", False),
        ("Pj. Gubernur Banten", False),
        ("WALIKOTA CILEGON", False),
        ("Wali Kota Tangerang Selatan", False),
        ("Wakil Bupati Pandeglang", True),
        ("Sekda", True),
        ("Sekretaris Daerah a.n. Bupati", True),
        ("Kepala Dinas Pariwisata", True),
        ("Plh. Bupati", True),
    ],
)
def test_signatory_must_be_head_of_region(tmp_path, title, flagged):
    assert ("delegated_signature" in codes(run(tmp_path, [perjanjian("P1", penandatangan=title)]))) is flagged


def test_delegated_signature_reason(tmp_path):
    results = run(tmp_path, [perjanjian("P1", jenis="KSDLL", penandatangan="Wakil Bupati Pandeglang")])
    assert reasons(results, "delegated_signature") == [
        'KSDLL ini ditandatangani oleh "Wakil Bupati Pandeglang", bukan Gubernur atau Bupati/Wali Kota sendiri.'
    ]


def test_empty_signatory_is_flagged_only_when_configured(tmp_path, rules):
    agreement = perjanjian("P1", penandatangan=None)
    assert "delegated_signature" not in codes(run(tmp_path, [agreement], rules=rules))
    (tmp_path / "f.duckdb").unlink()
    strict = rules.replace(**{"penandatangan.kosong_dianggap_tidak_sah": True})
    assert reasons(run(tmp_path, [agreement], rules=strict), "delegated_signature") == [
        "Penandatangan KSDPL ini tidak tercatat, padahal harus kepala daerah sendiri."
    ]


def test_signatory_rule_applies_only_to_configured_kinds(tmp_path, rules):
    only_ksdll = rules.replace(**{"penandatangan.jenis_wajib_kepala_daerah": ["KSDLL"]})
    agreement = perjanjian("P1", jenis="KSDPL", penandatangan="Sekda")
    assert "delegated_signature" not in codes(run(tmp_path, [agreement], rules=only_ksdll))


# --- no_diplomatic_relations: at any status

@pytest.mark.parametrize("status", ["usulan", "proses", "berjalan", "batal"])
def test_partner_country_without_diplomatic_relations(tmp_path, status):
    agreement = perjanjian("P1", status=status, tanggal_ttd=None, negara="ISR")
    assert reasons(run(tmp_path, [agreement]), "no_diplomatic_relations") == [
        f"Negara mitra Israel (ISR) tidak memiliki hubungan diplomatik dengan Indonesia; status perjanjian: "
        f"{status}."
    ]


def test_partner_country_with_relations_is_not_flagged(tmp_path):
    assert "no_diplomatic_relations" not in codes(run(tmp_path, [perjanjian("P1", negara="KOR")]))


# --- expiring_soon and expired

def test_expiring_exactly_six_months_after_reference_date(tmp_path):
    results = run(tmp_path, [perjanjian("P1", tanggal_berakhir=d("2025-09-01"))], as_of="2025-03-01")
    assert reasons(results, "expiring_soon") == ["Masa berlaku berakhir 1 September 2025, 184 hari setelah 1 Maret 2025."]


def test_not_expiring_one_day_beyond_the_window(tmp_path):
    results = run(tmp_path, [perjanjian("P1", tanggal_berakhir=d("2025-09-02"))], as_of="2025-03-01")
    assert "expiring_soon" not in codes(results)


def test_last_day_of_validity_is_still_active(tmp_path):
    results = run(tmp_path, [perjanjian("P1", tanggal_berakhir=d("2025-03-01"))], as_of="2025-03-01")
    assert "expiring_soon" in codes(results)
    assert "expired" not in codes(results)
    assert bool(results.agreements.iloc[0].aktif)


def test_expired_day_after_end_while_status_still_running(tmp_path):
    results = run(tmp_path, [perjanjian("P1", tanggal_berakhir=d("2025-02-28"))], as_of="2025-03-01")
    assert reasons(results, "expired") == [
        "Masa berlaku berakhir 28 Februari 2025, tetapi per 1 Maret 2025 statusnya masih berjalan."
    ]
    assert "expiring_soon" not in codes(results)
    assert not bool(results.agreements.iloc[0].aktif)


def test_end_date_from_validity_in_years(tmp_path):
    agreement = perjanjian("P1", tanggal_ttd=d("2020-03-01"), tanggal_berakhir=None, masa_berlaku_tahun=5)
    assert "expired" not in codes(run(tmp_path, [agreement], as_of="2025-03-01"))
    (tmp_path / "f.duckdb").unlink()
    assert "expired" in codes(run(tmp_path, [agreement], as_of="2025-03-02"))


def test_finished_agreement_is_not_expired(tmp_path):
    agreement = perjanjian("P1", status="selesai", tanggal_berakhir=d("2024-12-31"))
    assert "expired" not in codes(run(tmp_path, [agreement]))


# --- no_indicators

def test_active_agreement_without_indicators(tmp_path):
    assert reasons(run(tmp_path, [perjanjian("P1")]), "no_indicators") == [
        "Perjanjian aktif sejak 1 Maret 2023 tanpa satu pun indikator keberhasilan."
    ]


def test_agreement_with_an_indicator_or_not_active(tmp_path):
    results = run(
        tmp_path,
        [perjanjian("P1"), perjanjian("P2", status="usulan", tanggal_ttd=None)],
        indicators=[indikator("P1", 2026, 10, None)],  # any year counts as defined
    )
    assert "no_indicators" not in codes(results, "P1")
    assert "no_indicators" not in codes(results, "P2")


# --- the flags table

def test_flags_table_columns_and_codes(tmp_path):
    results = run(tmp_path, [perjanjian("P1", tanggal_persetujuan_dprd=None, negara="ISR")])
    assert list(results.flags.columns) == [
        "id_perjanjian", "kabkota_kode", "kabkota_nama", "judul", "status", "code", "label", "reason", "year", "rule",
    ]
    assert set(results.flags.code) <= set(FLAG_CODES)
    row = results.agreements.iloc[0]
    assert row["flags"] == ";".join(sorted(row["flags"].split(";")))
    assert results.flags.kabkota_nama.iloc[0] == "Kabupaten Pandeglang"


def test_fully_compliant_agreement_has_no_flags(tmp_path):
    results = run(
        tmp_path,
        [perjanjian("P1")],
        [kegiatan("P1", "2024-11-01")],
        [indikator("P1", 2024, 10, 10)],
        [laporan("P1", 2023, "2024-01-03"), laporan("P1", 2024, "2025-01-06")],
        as_of=str(date(2025, 3, 1)),
    )
    assert results.flags.empty
    assert results.agreements.iloc[0]["flags"] == ""
