"""Perjanjian through AppTest on the demo store: the list, search, filters, links and one agreement's detail."""

import pandas as pd

from ksln_metrics.formatting import format_number_id
from tests.app.pages_support import expected_results, open_page, table_with


def scores(frame: pd.DataFrame, id_column: str, score_column: str) -> dict:
    return {i: (None if pd.isna(s) else round(float(s), 2)) for i, s in zip(frame[id_column], frame[score_column],
                                                                            strict=True)}


def test_list_shows_every_agreement_with_the_engines_score_and_flags(demo_db):
    expected = expected_results(demo_db).agreements
    app = open_page("perjanjian")
    assert not app.exception
    assert app.title[0].value == "Perjanjian"
    listing = table_with(app, "Skor")
    assert scores(listing, "ID", "Skor") == scores(expected, "id_perjanjian", "skor")
    flagged = listing.set_index("ID").loc["CONTOH-36-07", "Bendera"]
    assert flagged == "Negara tanpa hubungan diplomatik"


def test_sidebar_filter_and_search_narrow_the_list(demo_db):
    expected = expected_results(demo_db).agreements
    app = open_page("perjanjian")
    app.multiselect(key="filter_kabkota").set_value(["36.02"]).run()
    assert not app.exception
    listing = table_with(app, "Skor")
    assert sorted(listing["ID"]) == sorted(expected.loc[expected["kabkota_kode"] == "36.02", "id_perjanjian"])
    app.multiselect(key="filter_kabkota").set_value([]).run()
    app.text_input(key="perjanjian_cari").input("jeollanam").run()
    assert table_with(app, "Skor")["ID"].tolist() == ["CONTOH-36-01"]


def test_one_agreement_shows_documents_flags_score_and_reports(demo_db):
    results = expected_results(demo_db)
    row = results.agreements.set_index("id_perjanjian").loc["CONTOH-36-03"]
    app = open_page("perjanjian")
    app.selectbox(key="perjanjian_pilih").select("CONTOH-36-03").run()
    assert not app.exception
    assert app.metric[0].value == format_number_id(row.skor)
    documents = table_with(app, "Dokumen/persetujuan").set_index("Dokumen/persetujuan")
    assert documents.loc["Persetujuan DPRD", "Ada"] == "✓"
    assert len(table_with(app, "Kriteria")) == 7
    flags = table_with(app, "Alasan")
    expected_flags = results.flags[results.flags["id_perjanjian"] == "CONTOH-36-03"]
    assert flags["Alasan"].tolist() == expected_flags["reason"].tolist()
    reports = table_with(app, "Batas")
    assert len(reports) == row.tahun_aktif
    assert reports["Status"].str.startswith("Terlambat").sum() == row.laporan_terlambat
    components = table_with(app, "Komponen")
    assert components["Poin"].iloc[-1] == format_number_id(row.skor)
    sifat = set(table_with(app, "Sifat")["Sifat"])
    assert sifat == {"Seremonial", "Substantif"}


def test_other_pages_link_to_an_agreement_through_session_state(demo_db):
    app = open_page("perjanjian")
    app.session_state["perjanjian_id"] = "CONTOH-3601-02"
    app.run()
    assert not app.exception
    assert app.selectbox(key="perjanjian_pilih").value == "CONTOH-3601-02"
    assert "perjanjian_id" not in app.session_state
    # Linked from outside the current filters: still opened, with a note.
    app.multiselect(key="filter_kabkota").set_value(["36.02"]).run()
    app.session_state["perjanjian_id"] = "CONTOH-3601-02"
    app.run()
    assert app.selectbox(key="perjanjian_pilih").value == "CONTOH-3601-02"
    assert any("di luar filter" in i.value for i in app.info)


def test_a_long_list_offers_its_first_100_in_the_picker_and_the_search_or_a_link_any_other(tmp_path, monkeypatch):
    from ksln_metrics.reference import REGIONS
    from tests.app.pages_support import add_test_accounts
    from tests.unit.builders import build_store, perjanjian

    units = [code for code in REGIONS if "." in code]
    path = tmp_path / "panjang.duckdb"
    build_store(path, [perjanjian(f"P-{i:03d}", kabkota=units[i % len(units)], mitra=f"Mitra {i:03d}")
                       for i in range(150)]).close()
    add_test_accounts(path)
    monkeypatch.setenv("KSLN_DB", str(path))
    app = open_page("perjanjian")
    assert not app.exception
    listing = table_with(app, "Skor")
    assert len(listing) == 150  # the table keeps every agreement
    picker = app.selectbox(key="perjanjian_pilih")
    assert len(picker.options) == 100 and picker.value == listing["ID"].iloc[0]
    assert any(c.value.startswith("Pilihan memuat 100 perjanjian pertama dari 150 di daftar") for c in app.caption)
    last = listing["ID"].iloc[-1]
    app.text_input(key="perjanjian_cari").input(last).run()  # the search reaches what the picker leaves out
    assert app.selectbox(key="perjanjian_pilih").value == last
    assert not any(c.value.startswith("Pilihan memuat") for c in app.caption)
    app.text_input(key="perjanjian_cari").input("").run()
    app.session_state["perjanjian_id"] = last  # linked from another page: offered first, and open
    app.run()
    picker = app.selectbox(key="perjanjian_pilih")
    assert picker.value == last and len(picker.options) == 101
    assert app.header[0].value == "Kerja sama " + last
