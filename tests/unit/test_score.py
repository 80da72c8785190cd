"""Success score: components computed by hand."""

import math

import pytest

from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import load_rules
from tests.unit.builders import build_store, d, indikator, kegiatan, laporan, perjanjian

AS_OF = d("2025-03-01")  # P1 signed 1 March 2023: active in 2023, 2024, 2025; reports FY2023, FY2024 due


def score_row(tmp_path, agreements, activities=(), indicators=(), reports=(), rules=None, id_perjanjian="P1"):
    store = build_store(tmp_path / "s.duckdb", agreements, activities, indicators, reports)
    try:
        results = compute(store, AS_OF, rules or load_rules())
    finally:
        store.close()
    return results.agreements.set_index("id_perjanjian").loc[id_perjanjian]


def test_perfect_agreement_scores_100(tmp_path):
    row = score_row(
        tmp_path,
        [perjanjian("P1")],
        [kegiatan("P1", "2023-05-01"), kegiatan("P1", "2024-05-01", "riset"), kegiatan("P1", "2025-02-01", None)],
        [indikator("P1", 2023, 10, 12), indikator("P1", 2024, 5, 5)],
        [laporan("P1", 2023, "2024-01-05"), laporan("P1", 2024, "2025-01-10")],  # 10 Jan 2025 = deadline day
    )
    assert (row.skor_kepatuhan, row.skor_tindak_lanjut, row.skor_capaian, row.skor_pelaporan) == (25, 25, 30, 20)
    assert row.skor == 100


def test_worst_signed_agreement_scores_0(tmp_path):
    agreement = perjanjian(
        "P1", tanggal_persetujuan_dprd=None, tanggal_persetujuan_pusat=None, penandatangan="Wakil Bupati",
        negara="ISR",
    )
    row = score_row(tmp_path, [agreement], [kegiatan("P1", "2023-03-01", "penandatanganan")])
    assert (row.skor_kepatuhan, row.skor_tindak_lanjut, row.skor_capaian, row.skor_pelaporan) == (0, 0, 0, 0)
    assert row.skor == 0
    assert row.laporan_wajib == 2 and row.laporan_tepat_waktu == 0


def test_partial_agreement_components_by_hand(tmp_path):
    row = score_row(
        tmp_path,
        [perjanjian("P1", tanggal_persetujuan_pusat=None)],
        [kegiatan("P1", "2023-03-01", "penandatanganan"), kegiatan("P1", "2024-07-01", "pelatihan"),
         kegiatan("P1", "2025-06-01", "pelatihan")],  # after as_of: not counted
        [
            indikator("P1", 2023, 50, 40),  # 0.8
            indikator("P1", 2024, 2, 3),  # capped at 1
            indikator("P1", 2024, 0, 5, "target nol"),  # no positive target: not counted
            indikator("P1", 2026, 10, None),  # future year: not counted
        ],
        [laporan("P1", 2023, "2024-01-10"), laporan("P1", 2024, "2025-01-13")],  # on time, late
    )
    compliance = 25 * 3 / 4  # DPRD yes, Pusat no, signatory yes, country yes
    follow_up = 25 * 1 / 3  # 2023, 2024, 2025 active; substantive only in 2024
    achievement = 30 * (0.8 + 1) / 2
    reporting = 20 * 1 / 2
    assert row.skor_kepatuhan == pytest.approx(18.75)
    assert row.skor_tindak_lanjut == pytest.approx(round(follow_up, 2))
    assert row.skor_capaian == pytest.approx(27)
    assert row.skor_pelaporan == pytest.approx(10)
    assert row.skor == pytest.approx(round(compliance + follow_up + achievement + reporting, 2))
    assert row.skor == pytest.approx(64.08)


def test_never_signed_agreement_has_no_score(tmp_path):
    row = score_row(tmp_path, [perjanjian("P1", status="usulan", tanggal_ttd=None)])
    assert not bool(row.ditandatangani)
    assert math.isnan(row.skor) and math.isnan(row.skor_kepatuhan)


def test_signing_date_after_reference_date_is_not_signed_yet(tmp_path):
    row = score_row(tmp_path, [perjanjian("P1", status="ditandatangani", tanggal_ttd=d("2025-06-01"))])
    assert not bool(row.ditandatangani) and not bool(row.aktif)
    assert math.isnan(row.skor)


def test_no_report_due_yet_gives_full_reporting(tmp_path):
    row = score_row(tmp_path, [perjanjian("P1", tanggal_ttd=d("2025-01-15"))])
    assert row.laporan_wajib == 0
    assert row.skor_pelaporan == 20


def test_agreement_with_nothing_but_its_row(tmp_path):
    row = score_row(tmp_path, [perjanjian("P1")])
    assert (row.skor_kepatuhan, row.skor_tindak_lanjut, row.skor_capaian, row.skor_pelaporan) == (25, 0, 0, 0)
    assert row.tahun_aktif == 3 and row.jumlah_indikator == 0


def test_weights_come_from_the_settings(tmp_path):
    rules = load_rules().replace(**{"bobot.kepatuhan": 70, "bobot.tindak_lanjut": 10, "bobot.capaian": 10,
                                    "bobot.pelaporan": 10})
    row = score_row(tmp_path, [perjanjian("P1")], rules=rules)
    assert row.skor == 70
