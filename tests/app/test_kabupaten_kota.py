"""Kabupaten/Kota through AppTest on the demo store: league table, drill-down, filters."""

from pathlib import Path

import pandas as pd

from ksln_metrics.clock import today
from ksln_metrics.engine.indicators import Filters, compute
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.formatting import format_number_id
from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with

ROOT = Path(__file__).resolve().parents[2]


def engine(db: Path, filters: Filters | None = None):
    with Store(db) as store:
        return compute(store, today(), load_rules(), filters)






def test_league_table_has_the_engine_ranks_scores_and_flag_counts(demo_db):
    regions = engine(demo_db).regions.set_index("kabkota_nama")
    app = open_page("kabupaten_kota")
    assert not app.exception
    assert app.title[0].value == "Kabupaten/Kota"
    league = table_with(app, "Peringkat")
    assert len(league) == 9 and league["Kab/Kota"].iloc[-1] == "Provinsi Banten"
    ranked = league[league["Peringkat"] != "–"]
    assert [int(r) for r in ranked["Peringkat"]] == sorted(int(r) for r in ranked["Peringkat"])
    shown = league.set_index("Kab/Kota")
    assert shown["Peringkat"].to_dict() == {n: "–" if pd.isna(r) else str(int(r)) for n, r in regions["peringkat"].items()}
    assert shown["Skor rata-rata"].to_dict() == {n: format_number_id(s) for n, s in regions["skor_rata_rata"].items()}
    assert shown["Perjanjian"].to_dict() == {n: str(v) for n, v in regions["jumlah_perjanjian"].items()}
    assert shown["Mangkrak"].to_dict() == {n: str(v) for n, v in regions["jumlah_stalled"].items()}
    assert shown["Laporan tepat waktu (%)"].to_dict() == {
        n: format_number_id(v) for n, v in regions["tepat_waktu_persen"].items()}
    assert len(app.get("plotly_chart")) == 2


def test_drill_down_lists_the_units_agreements_and_flags_with_reasons(demo_db):
    results = engine(demo_db)
    app = open_page("kabupaten_kota")
    app.selectbox(key="kabkota_pilih").set_value("36.01").run()
    assert not app.exception
    agreements = table_with(app, "Mitra")
    want = results.agreements[results.agreements["kabkota_kode"] == "36.01"]
    assert agreements["ID"].tolist() == want["id_perjanjian"].tolist()
    assert agreements["Skor"].tolist() == [format_number_id(s) if s == s else "–" for s in want["skor"]]
    flags = table_with(app, "Alasan")
    own = results.flags[results.flags["kabkota_kode"] == "36.01"]
    assert flags["Alasan"].tolist() == own["reason"].tolist()
    assert set(flags["Peringatan"]) == set(own["label"])
    region = results.regions.set_index("kabkota_kode").loc["36.01"]
    assert {m.label: m.value for m in app.metric}["Skor rata-rata"] == format_number_id(region["skor_rata_rata"])


def test_the_kabkota_filter_narrows_the_table_and_the_choices(demo_db):
    want = engine(demo_db, Filters(kabkota=("36.02", "36.74"))).regions
    app = open_page("kabupaten_kota")
    app.multiselect(key="filter_kabkota").set_value(["36.02", "36.74"]).run()
    assert not app.exception
    league = table_with(app, "Peringkat")
    assert sorted(league["Kab/Kota"]) == sorted(want["kabkota_nama"])
    assert sorted(app.selectbox(key="kabkota_pilih").options) == ["Kabupaten Lebak", "Kota Tangerang Selatan"]


def test_an_empty_store_says_so_without_an_error(tmp_path, monkeypatch):
    path = tmp_path / "kosong.duckdb"
    Store(path).close()
    monkeypatch.setenv("KSLN_DB", str(path))
    app = open_page("kabupaten_kota")
    assert not app.exception
    assert "Belum ada perjanjian" in app.info[0].value
