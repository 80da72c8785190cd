"""Kabupaten/Kota through AppTest on the demo store: league table, drill-down, filters."""

import json
import os
from pathlib import Path

import pandas as pd

from ksln_metrics.clock import today
from ksln_metrics.engine.indicators import Filters, compute
from ksln_metrics.engine.overview import league_table, region_label
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.formatting import format_number_id
from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with
from tests.province_support import configured_province

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
    assert shown["Perjanjian"].to_dict() == regions["jumlah_perjanjian"].to_dict()
    # The flag counts are a wrapping table of their own, every column readable at 1366 px.
    counts = table_with(app, "Jenis peringatan").set_index("Jenis peringatan").T  # one column per unit, one row per flag
    by_code = regions.set_index("kabkota_kode")
    assert counts["Mangkrak"].to_dict() == {region_label(c): str(v) for c, v in by_code["jumlah_stalled"].items()}
    assert shown["Tepat waktu (%)"].to_dict() == {
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


# --- a province with many units: Jawa Barat (27 kab/kota), Jawa Timur (38) ---------------------------------
# The page's layouts: up to 12 units the flag counts have a column per unit, more get a row each; the
# components chart draws at most 30 units.
UNITS_AS_COLUMNS, MOST_BARS = 12, 30


def many_units_store(tmp_path, monkeypatch, province: str, busy: int) -> list[str]:
    """One running agreement per kab/kota of ``province``; the last ``busy`` units also hold a follow-up
    activity every year (a higher score), the others none. The kab/kota codes, in the province's order.
    Written in the scope of ``province``, with the test accounts' names (an analyst of its first unit).
    """
    from ksln_metrics.accounts.users import create_account
    from ksln_metrics.reference import units_of
    from tests.app.pages_support import TEST_ACCOUNTS
    from tests.unit.builders import build_store, kegiatan, perjanjian

    units = list(units_of(province))
    path = tmp_path / f"provinsi-{province}.duckdb"
    agreements = [perjanjian(f"P-{code}", kabkota=code) for code in units]
    activities = [kegiatan(f"P-{code}", f"{year}-05-01") for code in units[len(units) - busy:]
                  for year in (2023, 2024, 2025, 2026)]
    with build_store(path, agreements, activities) as store:
        for name, (role, unit, password) in TEST_ACCOUNTS.items():
            own = None if unit is None else province if unit == "36" else units[0]
            create_account(store, name, role, password, kabkota=own, by="pengujian")
    monkeypatch.setenv("KSLN_DB", str(path))
    return units


def bar_units(app) -> list[str]:
    """The units the score components chart draws (its bars' labels, lowest score first)."""
    chart = next(c for c in app.get("plotly_chart") if "Komponen skor" in c.proto.spec)
    traces = json.loads(chart.proto.spec)["data"]
    return list(traces[0]["y"])


def test_a_province_of_27_units_lists_flag_counts_one_row_per_unit_and_charts_every_unit(tmp_path, monkeypatch):
    with configured_province("32"):
        units = many_units_store(tmp_path, monkeypatch, "32", busy=5)
        found = engine(Path(os.environ["KSLN_DB"])).regions
        regions = found.set_index("kabkota_kode")
        app = open_page("kabupaten_kota")
        assert not app.exception
        assert len(units) == 27 > UNITS_AS_COLUMNS
        counts = table_with(app, "Daerah")  # not one column per unit: 27 columns do not fit a screen
        assert counts["Daerah"].tolist() == [region_label(c) for c in league_table(found)["kabkota_kode"]]
        stalled = dict(zip(counts["Daerah"], counts["Mangkrak"], strict=True))
        assert stalled == {region_label(c): int(regions.loc[c, "jumlah_stalled"]) for c in regions.index}
        assert sorted(bar_units(app)) == sorted(region_label(c) for c in units)  # every scored unit has its bar
        assert not [c for c in app.caption if "Grafik menampilkan" in c.value]
        assert len(app.get("plotly_chart")) == 2


def test_a_province_of_38_units_charts_the_30_lowest_scores_and_says_so(tmp_path, monkeypatch):
    with configured_province("35"):
        units = many_units_store(tmp_path, monkeypatch, "35", busy=8)
        regions = engine(Path(os.environ["KSLN_DB"])).regions.set_index("kabkota_kode")
        app = open_page("kabupaten_kota")
        assert not app.exception
        assert len(units) == 38 and MOST_BARS == 30
        idle, busy = units[:30], units[30:]
        assert regions.loc[idle, "skor_rata_rata"].max() < regions.loc[busy, "skor_rata_rata"].min()
        assert sorted(bar_units(app)) == sorted(region_label(c) for c in idle)
        assert any(c.value.startswith("Grafik menampilkan 30 daerah dengan skor rata-rata terendah dari 38")
                   for c in app.caption)
        assert len(table_with(app, "Daerah")) == len(regions)  # the flag counts of every unit
        assert len(table_with(app, "Peringkat")) == len(regions)
        assert len(app.selectbox(key="kabkota_pilih").options) == len(regions)
