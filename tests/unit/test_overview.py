"""The leadership overview: headline figures and which kab/kota need attention, and why.

The judgements are SQL steps (ringkasan.sql, perhatian.sql); each is run here alone on
hand-made input tables, then worded by overview.py as the pages and slides word it.
"""

import pandas as pd
import pytest

from ksln_metrics.engine.indicators import Results
from ksln_metrics.engine.overview import (
    agreements_per_country,
    attention_ranking,
    flag_phrase,
    flag_totals,
    headline,
    join_id,
    league_table,
)
from ksln_metrics.engine.rules import FLAG_CODES, load_rules
from ksln_metrics.reference import PROVINCE_CODE
from tests.unit.builders import run_sql_step
from tests.unit.test_charts import KAB_KOTA, agreements_frame, regions_frame


def flags_frame(rows):
    return pd.DataFrame(rows, columns=["id_perjanjian", "kabkota_kode", "code", "year"]).astype({"year": "Int64"})


def summary_of(agreements: pd.DataFrame, as_of="2025-06-30") -> pd.DataFrame:
    frame = agreements.assign(ditandatangani=agreements["tanggal_ttd"].notna())
    return run_sql_step("ringkasan", {"perjanjian_skor": frame}, as_of=pd.Timestamp(as_of).date())


def attention_of(scores: dict, flags: dict, points_per_flag=10) -> pd.DataFrame:
    """perhatian.sql on the regions: ``scores[code]`` mean score, ``flags[code] = {flag: agreements}``."""
    codes = [PROVINCE_CODE, *KAB_KOTA]
    kabkota = pd.DataFrame({"kabkota_kode": codes,
                            "skor_rata_rata": pd.array([scores.get(c) for c in codes], dtype="Float64")})
    counts = pd.DataFrame([(code, flag, n) for code, per in flags.items() for flag, n in per.items()],
                          columns=["kabkota_kode", "code", "jumlah"]).astype({"jumlah": "int64"})
    return run_sql_step("perhatian", {"kabkota": kabkota, "kabkota_bendera": counts},
                        poin_per_bendera=points_per_flag, kode_provinsi=PROVINCE_CODE)


def results_with(attention: pd.DataFrame, flags: pd.DataFrame) -> Results:
    attention = attention.assign(kabkota_nama=attention["kabkota_kode"])
    return Results(pd.DataFrame(), flags, pd.DataFrame(), pd.DataFrame(), attention)


def test_headline_counts_agreements_signed_active_mean_score_and_on_time_rate():
    numbers = headline(Results(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), summary_of(agreements_frame()),
                               pd.DataFrame()))
    assert (numbers.agreements, numbers.signed, numbers.unsigned, numbers.active) == (5, 4, 1, 3)
    assert numbers.mean_score == round((100 + 51.25 + 60) / 3, 2)
    assert (numbers.reports_due, numbers.reports_on_time, numbers.on_time_rate) == (10, 5, 50.0)


def test_headline_leaves_out_agreements_signed_after_the_reference_date():
    numbers = headline(Results(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(),
                               summary_of(agreements_frame().assign(
                                   ditandatangani=lambda f: f["tanggal_ttd"] <= pd.Timestamp("2020-12-31")),
                                   as_of="2020-12-31"), pd.DataFrame()))
    assert (numbers.agreements, numbers.signed_later) == (5, 2)


def test_headline_of_nothing_has_no_score_and_no_rate():
    numbers = headline(Results(pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), summary_of(agreements_frame().iloc[0:0]),
                               pd.DataFrame()))
    assert (numbers.agreements, numbers.active, numbers.mean_score, numbers.on_time_rate) == (0, 0, None, None)


def test_flag_totals_list_every_flag_in_order():
    totals = flag_totals(regions_frame())
    assert totals["code"].tolist() == list(FLAG_CODES)
    assert totals.set_index("code")["jumlah"].to_dict() == {
        c: (1 if c in ("stalled", "no_diplomatic_relations") else 0) for c in FLAG_CODES}


def test_countries_most_first_with_indonesian_names():
    counts = agreements_per_country(agreements_frame())
    assert counts.iloc[0].to_dict() == {"negara": "JPN", "nama_negara": "Jepang", "jumlah": 2}


@pytest.mark.parametrize("points_per_flag", [10, 25])
def test_attention_ranks_by_missing_score_points_plus_flags_and_says_why(points_per_flag):
    attention = attention_of(
        {"36.01": 45.0, "36.02": 90.0, "36.03": 99.0, "36.71": 100.0, "36": 10.0},
        {"36.01": {"ceremonial_only": 1}, "36.02": {"stalled": 2, "missing_report": 1}, "36": {"stalled": 5}},
        points_per_flag,
    )
    flags = flags_frame([
        ("P1", "36.01", "ceremonial_only", None),
        ("L1", "36.02", "stalled", None),
        ("L2", "36.02", "stalled", None),
        ("L2", "36.02", "missing_report", 2025),
    ])
    rules = load_rules().replace(**{"perhatian.poin_per_bendera": points_per_flag})
    ranking = attention_ranking(results_with(attention, flags), rules, limit=None)
    # 36.71 (score 100, no flag) is left out; the province is not a kab/kota.
    expected = {"36.01": 55 + points_per_flag, "36.02": 10 + 3 * points_per_flag, "36.03": 1}
    assert ranking["kabkota_kode"].tolist() == sorted(expected, key=lambda c: (-expected[c], c))
    assert dict(zip(ranking["kabkota_kode"], ranking["poin"], strict=True)) == expected
    assert ranking["urutan"].tolist() == [1, 2, 3]
    reasons = dict(zip(ranking["kabkota_kode"], ranking["alasan"], strict=True))
    assert reasons == {
        "36.01": "Skor rata-rata 45,00 (terendah); 1 perjanjian seremonial saja",
        "36.02": "Skor rata-rata 90,00; 2 perjanjian mangkrak, laporan TA 2025 belum masuk",
        "36.03": "Skor rata-rata 99,00",
    }
    first = ranking.set_index("kabkota_kode").loc["36.01", "poin_teks"]
    assert first == f"(100 − 45,00) + {points_per_flag} × 1 bendera = {55 + points_per_flag},00 poin"
    assert len(attention_ranking(results_with(attention, flags), rules)) == 3


def test_lowest_is_said_only_when_more_than_one_unit_with_a_score_is_in_view():
    attention = attention_of({"36.02": 62.5}, {"36.02": {"stalled": 1}})
    flags = flags_frame([("L1", "36.02", "stalled", None)])
    ranking = attention_ranking(results_with(attention, flags), load_rules())
    assert ranking["alasan"].tolist() == ["Skor rata-rata 62,50; 1 perjanjian mangkrak"]


def test_attention_for_a_unit_without_active_agreements_counts_only_its_flags():
    attention = attention_of({}, {"36.74": {"no_diplomatic_relations": 1}})
    flags = flags_frame([("X", "36.74", "no_diplomatic_relations", None)])
    row = attention_ranking(results_with(attention, flags), load_rules()).iloc[0]
    assert (row["kabkota_kode"], row["jumlah_bendera"], row["poin"]) == ("36.74", 1, 10)
    assert row["alasan"] == "1 perjanjian dengan negara tanpa hubungan diplomatik"
    assert row["poin_teks"] == "0 (tanpa perjanjian aktif) + 10 × 1 bendera = 10,00 poin"


def test_attention_of_an_empty_store_is_empty():
    attention = attention_of({}, {})
    assert attention.empty
    assert attention_ranking(results_with(attention, flags_frame([])), load_rules()).empty


def test_report_flags_name_their_years_and_every_flag_has_a_phrase():
    rows = flags_frame([("A", "36.01", "late_report", 2019), ("A", "36.01", "late_report", 2020),
                        ("B", "36.01", "late_report", 2024)])
    assert flag_phrase("late_report", rows) == "laporan TA 2019, 2020 dan 2024 terlambat (2 perjanjian)"
    for code in FLAG_CODES:
        assert flag_phrase(code, flags_frame([("A", "36.01", code, 2024)]))
    assert join_id(["a"]) == "a" and join_id(["a", "b"]) == "a dan b"


def test_league_table_orders_by_rank_then_unranked_then_the_province():
    league = league_table(regions_frame())
    assert league["kabkota_kode"].tolist()[0] == "36.02" and league["kabkota_kode"].tolist()[-1] == "36"
    lebak = league.iloc[0]
    assert (lebak["skor_kepatuhan"], lebak["skor_tindak_lanjut"], lebak["jumlah_bendera"]) == (21.88, 18.75, 1)
