"""Figures per kab/kota, on a small dataset computed by hand."""

import math

import pandas as pd
import pytest

from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import FLAG_CODES, load_rules
from ksln_metrics.reference import REGIONS
from tests.unit.builders import build_store, d, indikator, kegiatan, laporan, perjanjian

AS_OF = d("2025-03-01")


def _perfect(id_perjanjian, kabkota):
    return (
        perjanjian(id_perjanjian, kabkota=kabkota),
        [kegiatan(id_perjanjian, "2023-05-01"), kegiatan(id_perjanjian, "2024-05-01"),
         kegiatan(id_perjanjian, "2025-02-01")],
        [indikator(id_perjanjian, 2024, 10, 10)],
        [laporan(id_perjanjian, 2023, "2024-01-05"), laporan(id_perjanjian, 2024, "2025-01-10")],
    )


@pytest.fixture()
def regions(tmp_path):
    a1, k1, i1, l1 = _perfect("A1", "36.01")  # 100
    a2 = perjanjian("A2", kabkota="36.01")  # 25 (compliance only), FY2023+FY2024 missing, stalled
    a3 = perjanjian("A3", kabkota="36.01", status="usulan", tanggal_ttd=None)  # not signed
    b1, k2, i2, l2 = _perfect("B1", "36.72")  # 100 ...
    b1["tanggal_persetujuan_dprd"] = None  # ... minus 25/4 = 93.75
    b2 = perjanjian("B2", kabkota="36.72", status="selesai", tanggal_berakhir=d("2024-06-30"))  # not active
    p1, k3, i3, l3 = _perfect("V1", "36")
    store = build_store(
        tmp_path / "r.duckdb",
        [a1, a2, a3, b1, b2, p1],
        k1 + k2 + k3,
        i1 + i2 + i3,
        [*l1, *l2, *l3, laporan("B2", 2023, "2024-01-15"), laporan("B2", 2024, "2025-01-02")],
    )
    try:
        yield compute(store, AS_OF, load_rules()).regions.set_index("kabkota_kode")
    finally:
        store.close()


def test_every_region_is_a_row(regions):
    assert list(regions.index) == list(REGIONS)
    assert regions.loc["36.02", "jumlah_perjanjian"] == 0
    assert math.isnan(regions.loc["36.02", "skor_rata_rata"])
    assert math.isnan(regions.loc["36.02", "tepat_waktu_persen"])
    assert regions.loc["36", "kabkota_nama"] == "Provinsi Banten"


def test_counts_and_mean_score_by_hand(regions):
    pandeglang = regions.loc["36.01"]
    assert (pandeglang.jumlah_perjanjian, pandeglang.jumlah_aktif) == (3, 2)
    assert pandeglang.skor_rata_rata == pytest.approx((100 + 25) / 2)
    cilegon = regions.loc["36.72"]
    assert (cilegon.jumlah_perjanjian, cilegon.jumlah_aktif) == (2, 1)
    assert cilegon.skor_rata_rata == pytest.approx(93.75)  # B2 is not active: left out of the mean


def test_on_time_rate_is_on_time_over_due(regions):
    # 36.01: A1 2 on time, A2 2 missing -> 2/4. 36.72: B1 2 on time, B2 FY2023 late + FY2024 on time -> 3/4.
    assert (regions.loc["36.01", "laporan_wajib"], regions.loc["36.01", "laporan_tepat_waktu"]) == (4, 2)
    assert regions.loc["36.01", "tepat_waktu_persen"] == 50
    assert regions.loc["36.72", "tepat_waktu_persen"] == 75
    assert regions.loc["36", "tepat_waktu_persen"] == 100


def test_flag_counts_per_region(regions):
    assert [f"jumlah_{c}" for c in FLAG_CODES] == [c for c in regions.columns if c.startswith("jumlah_")][3:]
    assert regions.loc["36.01", "jumlah_missing_report"] == 1  # one agreement, two missing years
    assert regions.loc["36.01", "jumlah_no_indicators"] == 1
    assert regions.loc["36.01", "jumlah_stalled"] == 1
    assert regions.loc["36.72", "jumlah_no_dprd_approval"] == 1
    assert regions.loc["36.72", "jumlah_late_report"] == 1
    assert regions.loc["36.02"].filter(like="jumlah_").sum() == 0


def test_rank_of_kabkota_by_mean_score(regions):
    assert regions.loc["36.72", "peringkat"] == 1
    assert regions.loc["36.01", "peringkat"] == 2
    assert pd.isna(regions.loc["36", "peringkat"])  # the province is not ranked among kab/kota
    assert pd.isna(regions.loc["36.02", "peringkat"])  # no active agreement


def test_empty_database(tmp_path):
    store = build_store(tmp_path / "e.duckdb")
    try:
        results = compute(store, AS_OF, load_rules())
    finally:
        store.close()
    assert results.agreements.empty and results.flags.empty
    assert list(results.regions.kabkota_kode) == list(REGIONS)
    assert results.regions.jumlah_perjanjian.sum() == 0


def test_codes_outside_banten_get_rows_too(tmp_path):
    store = build_store(tmp_path / "n.duckdb", [perjanjian("X1", kabkota="11.01"), perjanjian("X2", kabkota="11")])
    try:
        regions = compute(store, AS_OF, load_rules()).regions
    finally:
        store.close()
    assert {"11", "11.01"} <= set(regions.kabkota_kode)
    assert len(regions) == len(REGIONS) + 2


def test_filters_restrict_agreements_and_rows(tmp_path):
    store = build_store(
        tmp_path / "f.duckdb",
        [perjanjian("A1", kabkota="36.01"), perjanjian("A2", kabkota="36.02", jenis="KSDLL"),
         perjanjian("A3", kabkota="36.02", negara="KOR")],
    )
    try:
        from ksln_metrics.engine.indicators import Filters

        by_region = compute(store, AS_OF, load_rules(), Filters.of(kabkota=["36.02"]))
        by_kind = compute(store, AS_OF, load_rules(), Filters.of(jenis=["KSDLL"]))
        by_country = compute(store, AS_OF, load_rules(), Filters.of(negara=["KOR"]))
    finally:
        store.close()
    assert list(by_region.regions.kabkota_kode) == ["36.02"]
    assert sorted(by_region.agreements.id_perjanjian) == ["A2", "A3"]
    assert list(by_kind.agreements.id_perjanjian) == ["A2"]
    assert list(by_country.agreements.id_perjanjian) == ["A3"]
    assert set(by_country.flags.id_perjanjian) == {"A3"}
