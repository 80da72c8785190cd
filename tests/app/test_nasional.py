"""The national view through AppTest (KSLN_PROVINSI=nasional): Provinsi page, its drill-down, Ringkasan nationally.

The store holds two provinces ingested from their dumps (Banten's demo data, Jawa Barat's workbook).
"""

from pathlib import Path

import pytest

from ksln_metrics import reference as ref
from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.overview import province_attention_ranking
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.formatting import format_number_id
from ksln_metrics.store import Store
from tests.app.pages_support import add_test_accounts, login, open_page, table_with, visible_pages
from tests.unit.national_stores import SHARED_ID, national_store


@pytest.fixture(scope="module")
def national_template(tmp_path_factory) -> Path:
    path = national_store(tmp_path_factory.mktemp("nasional"))
    with ref.use_scope("nasional"):
        add_test_accounts(path)
    return path


@pytest.fixture
def national_db(national_template, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "nasional.duckdb"
    path.write_bytes(national_template.read_bytes())
    monkeypatch.setenv("KSLN_DB", str(path))
    with ref.use_scope("nasional"):
        yield path


def engine(db: Path):
    with Store(db) as store:
        return compute(store, None, load_rules())


def test_the_provinsi_page_ranks_the_provinces_and_opens_one(national_db):
    provinces = engine(national_db).provinces.set_index("provinsi_kode")
    app = open_page("provinsi")
    assert not app.exception
    assert "provinsi" in visible_pages(app) and "kabupaten-kota" not in visible_pages(app)
    league = table_with(app, "Kab/kota berperjanjian")
    assert len(league) == 38
    assert league["Provinsi"].iloc[:2].tolist() == [
        provinces.loc[c, "provinsi_nama"] for c in provinces["peringkat"].dropna().sort_values().index]
    shown = league.set_index("Provinsi")
    assert shown.loc["Provinsi Jawa Barat", "Skor rata-rata"] == format_number_id(provinces.loc["32", "skor_rata_rata"])
    assert shown.loc["Provinsi Jawa Barat", "Kab/kota berperjanjian"] == "2 dari 27"
    assert shown.loc["Provinsi Aceh", "Skor rata-rata"] == "–"

    # Drill down into Jawa Barat: its government and every kab/kota on a row, its map, one unit's agreements.
    app.selectbox(key="provinsi_pilih").set_value("32").run()
    assert not app.exception
    units = table_with(app, "Kab/Kota")
    assert len(units) == 28 and units["Kab/Kota"].iloc[-1] == "Provinsi Jawa Barat"
    assert {m.label: m.value for m in app.metric}["Perjanjian aktif"] == (
        f"{int(provinces.loc['32', 'jumlah_aktif'])} dari 3")
    maps = [c for c in app.get("plotly_chart") if "kabkota" in c.proto.spec or "Jawa Barat" in c.proto.spec]
    assert maps, "the drill-down draws the kab/kota map of the chosen province"
    app.selectbox(key="provinsi_unit_pilih").set_value("32.75").run()
    assert not app.exception
    assert table_with(app, "Mitra")["ID"].tolist() == [f"32:{SHARED_ID}"]


def test_ringkasan_nationally_names_provinces_and_filters_by_province(national_db):
    from ksln_metrics.engine.indicators import Filters

    results = engine(national_db)
    wanted = province_attention_ranking(results, load_rules())["provinsi_nama"].tolist()
    with Store(national_db) as store:
        jabar = compute(store, None, load_rules(), Filters.of(kabkota=ref.scope().units_of("32")))
    app = login("admin").switch_page("pages/halaman_ringkasan.py").run()
    assert not app.exception
    assert "Provinsi yang perlu perhatian" in [h.value for h in app.subheader]
    assert [m.value.split(". ", 1)[1] for m in app.markdown if m.value.startswith("#### ")] == wanted

    # The Provinsi filter keeps one province, its government and its kab/kota.
    app.multiselect(key="filter_provinsi").set_value(["32"]).run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Perjanjian"] == format_number_id(
        int(jabar.summary["jumlah_ditandatangani"].iloc[0]), 0)
    options = app.multiselect(key="filter_kabkota").options
    assert "Kota Bekasi" in options and "Kabupaten Lebak" not in options
    app.multiselect(key="filter_kabkota").set_value(["32.75"]).run()
    app.multiselect(key="filter_provinsi").set_value(["36"]).run()  # another province: Bekasi leaves the filter
    assert not app.exception and app.multiselect(key="filter_kabkota").value == []


def test_unggah_data_imports_provinces_full_dumps(national_template, tmp_path, monkeypatch):
    folder = national_template.parent  # the dumps national_store() wrote next to the store
    path = tmp_path / "kosong.duckdb"
    monkeypatch.setenv("KSLN_DB", str(path))
    with ref.use_scope("nasional"):
        add_test_accounts(path)
        app = open_page("unggah_data")
        assert not app.exception
        uploader = app.file_uploader(key="nasional_berkas")
        uploader.upload("36.zip", (folder / "36.zip").read_bytes(), "application/zip")
        uploader.upload("32.zip", (folder / "32.zip").read_bytes(), "application/zip")
        app.run()
        app.button(key="nasional_periksa").click().run()
        assert not app.exception
        preview = table_with(app, "Provinsi")
        assert set(preview["Provinsi"]) == {"Provinsi Banten", "Provinsi Jawa Barat"}
        assert preview["Dihapus"].sum() == 0
        app.button(key="nasional_simpan").click().run()
        assert not app.exception
        assert any("Provinsi Jawa Barat, batch #" in s.value for s in app.success)
        with Store(path) as store:
            provinces = store.table("perjanjian")["kabkota"].map(ref.province_of).value_counts().to_dict()
        assert provinces == {"36": 48, "32": 3}

        # A damaged file: every problem on the page, nothing saved.
        app.file_uploader(key="nasional_berkas").upload("rusak.zip", b"PK\x03\x04 bukan zip", "application/zip")
        app.run()
        app.button(key="nasional_periksa").click().run()
        assert not app.exception
        assert "Tidak ada yang disimpan" in " ".join(e.value for e in app.error)
        assert "nasional_simpan" not in [b.key for b in app.button]
