"""The leadership overview: headline figures and which kab/kota need attention, and why."""

import pandas as pd

from ksln_metrics.engine.overview import (
    POINTS_PER_FLAG,
    agreements_per_country,
    attention_ranking,
    flag_phrase,
    flag_totals,
    headline,
    join_id,
    league_table,
)
from ksln_metrics.engine.rules import FLAG_CODES
from tests.unit.test_charts import agreements_frame, regions_frame


def flags_frame(rows):
    return pd.DataFrame(rows, columns=["id_perjanjian", "kabkota_kode", "code", "year"]).astype({"year": "Int64"})


def regions_with(**per_region) -> pd.DataFrame:
    """Eight kab/kota and the province; ``per_region[code] = (score, {flag: agreements})``."""
    frame = regions_frame().assign(skor_rata_rata=None, peringkat=pd.NA, **{f"jumlah_{c}": 0 for c in FLAG_CODES})
    for code, (score, flags) in per_region.items():
        frame.loc[frame["kabkota_kode"] == code, "skor_rata_rata"] = score
        for flag, n in flags.items():
            frame.loc[frame["kabkota_kode"] == code, f"jumlah_{flag}"] = n
    frame["skor_rata_rata"] = frame["skor_rata_rata"].astype("float64")
    return frame


def test_headline_counts_agreements_active_mean_score_and_on_time_rate():
    numbers = headline(agreements_frame())
    assert (numbers.agreements, numbers.active) == (5, 3)
    assert numbers.mean_score == round((100 + 51.25 + 60) / 3, 2)
    assert (numbers.reports_due, numbers.reports_on_time, numbers.on_time_rate) == (10, 5, 50.0)


def test_headline_of_nothing_has_no_score_and_no_rate():
    numbers = headline(agreements_frame().iloc[0:0])
    assert (numbers.agreements, numbers.active, numbers.mean_score, numbers.on_time_rate) == (0, 0, None, None)


def test_flag_totals_list_every_flag_in_order():
    totals = flag_totals(regions_frame())
    assert totals["code"].tolist() == list(FLAG_CODES)
    assert totals.set_index("code")["jumlah"].to_dict() == {
        c: (1 if c in ("stalled", "no_diplomatic_relations") else 0) for c in FLAG_CODES}


def test_countries_most_first_with_indonesian_names():
    counts = agreements_per_country(agreements_frame())
    assert counts.iloc[0].to_dict() == {"negara": "JPN", "nama_negara": "Jepang", "jumlah": 2}


def test_attention_ranks_by_missing_score_points_plus_flags_and_says_why():
    regions = regions_with(**{
        "36.01": (45.0, {"ceremonial_only": 1}),  # 55 + 10
        "36.02": (90.0, {"stalled": 2, "missing_report": 1}),  # 10 + 30
        "36.03": (99.0, {}),  # 1
        "36.71": (100.0, {}),  # 0: left out
        "36": (10.0, {"stalled": 5}),  # the province is not a kab/kota
    })
    flags = flags_frame([
        ("P1", "36.01", "ceremonial_only", None),
        ("L1", "36.02", "stalled", None),
        ("L2", "36.02", "stalled", None),
        ("L2", "36.02", "missing_report", 2025),
    ])
    ranking = attention_ranking(regions, flags, limit=None)
    assert ranking["kabkota_kode"].tolist() == ["36.01", "36.02", "36.03"]
    assert ranking["poin"].tolist() == [55 + POINTS_PER_FLAG, 10 + 3 * POINTS_PER_FLAG, 1]
    assert ranking["alasan"].tolist() == [
        "Skor rata-rata 45,00 (terendah); 1 perjanjian seremonial saja",
        "Skor rata-rata 90,00; 2 perjanjian mangkrak, laporan TA 2025 belum masuk",
        "Skor rata-rata 99,00",
    ]
    assert len(attention_ranking(regions, flags)) == 3


def test_attention_for_a_unit_without_active_agreements_counts_only_its_flags():
    regions = regions_with(**{"36.74": (None, {"no_diplomatic_relations": 1})})
    flags = flags_frame([("X", "36.74", "no_diplomatic_relations", None)])
    ranking = attention_ranking(regions, flags)
    assert ranking.to_dict("records")[0] | {"skor_rata_rata": None} == {
        "kabkota_kode": "36.74", "kabkota_nama": "36.74", "skor_rata_rata": None, "jumlah_bendera": 1,
        "poin": POINTS_PER_FLAG, "alasan": "1 perjanjian dengan negara tanpa hubungan diplomatik"}


def test_attention_of_an_empty_store_is_empty():
    assert attention_ranking(regions_with(), flags_frame([])).empty


def test_report_flags_name_their_years_and_every_flag_has_a_phrase():
    rows = flags_frame([("A", "36.01", "late_report", 2019), ("A", "36.01", "late_report", 2020),
                        ("B", "36.01", "late_report", 2024)])
    assert flag_phrase("late_report", rows) == "laporan TA 2019, 2020 dan 2024 terlambat (2 perjanjian)"
    for code in FLAG_CODES:
        assert flag_phrase(code, flags_frame([("A", "36.01", code, 2024)]))
    assert join_id(["a"]) == "a" and join_id(["a", "b"]) == "a dan b"


def test_league_table_orders_by_rank_then_unranked_then_the_province():
    league = league_table(regions_frame(), agreements_frame())
    assert league["kabkota_kode"].tolist()[0] == "36.02" and league["kabkota_kode"].tolist()[-1] == "36"
    lebak = league.iloc[0]
    assert (lebak["skor_kepatuhan"], lebak["skor_tindak_lanjut"]) == (21.88, 18.75)
