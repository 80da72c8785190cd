"""Peringatan through AppTest on the demo store: every flag, the filters, the link from Ringkasan, downloads."""

import io

from openpyxl import load_workbook

from ksln_metrics.engine.alerts import filter_flags, with_flag_year
from ksln_metrics.present.export import flags_xlsx
from tests.app.pages_support import expected_results, open_page, table_with


def test_every_flag_is_listed_with_its_reason(demo_db):
    expected = expected_results(demo_db).flags
    app = open_page("peringatan")
    assert not app.exception
    table = table_with(app, "Alasan")
    assert table["Alasan"].tolist() == expected["reason"].tolist()
    assert table["Bendera"].tolist() == expected["label"].tolist()
    counts = table_with(app, "Jumlah")  # a wrapping table: text, with each flag's rule said once
    assert counts["Jumlah"].astype(int).sum() == len(expected)
    rules = expected.drop_duplicates("label").set_index("label")["rule"]
    assert counts.set_index("Bendera")["Aturan"].to_dict() == rules.to_dict()
    assert [b.label for b in app.download_button] == ["Unduh Excel (.xlsx)", "Unduh CSV (;)"]


def test_flag_codes_from_ringkasan_preselect_the_filter_once(demo_db):
    expected = expected_results(demo_db).flags
    app = open_page("peringatan")
    app.session_state["peringatan_kode"] = ["late_report", "missing_report", "no_such_flag"]
    app.run()
    assert not app.exception
    assert app.multiselect(key="peringatan_filter_kode").value == ["late_report", "missing_report"]
    assert "peringatan_kode" not in app.session_state
    table = table_with(app, "Alasan")
    wanted = expected[expected["code"].isin(["late_report", "missing_report"])]
    assert table["Alasan"].tolist() == wanted["reason"].tolist()
    app.multiselect(key="peringatan_filter_kode").set_value(["stalled"]).run()
    assert set(table_with(app, "Alasan")["Bendera"]) == {"Mangkrak"}


def test_kabkota_and_year_filters(demo_db):
    results = expected_results(demo_db)
    flags = with_flag_year(results.flags, results.agreements)
    app = open_page("peringatan")
    app.multiselect(key="filter_kabkota").set_value(["36"]).run()
    assert not app.exception
    table = table_with(app, "Alasan")
    assert set(table["Kab/Kota"]) == {"Provinsi Banten"}
    assert table["Alasan"].tolist() == flags.loc[flags["kabkota_kode"] == "36", "reason"].tolist()
    app.multiselect(key="filter_kabkota").set_value([]).run()
    app.multiselect(key="peringatan_filter_tahun").set_value([2019]).run()
    table = table_with(app, "Alasan")
    assert table["Alasan"].tolist() == filter_flags(flags, years=[2019])["reason"].tolist()
    assert len(table) and set(table["Tahun"]) == {"2019"}  # a wrapping table shows text


def test_download_holds_the_rows_shown(demo_db):
    results = expected_results(demo_db)
    flags = filter_flags(with_flag_year(results.flags, results.agreements), ["late_report"])
    book = load_workbook(io.BytesIO(flags_xlsx(flags)))
    assert book["Peringatan"].max_row == len(flags) + 1
    app = open_page("peringatan")
    app.multiselect(key="peringatan_filter_kode").set_value(["late_report"]).run()
    assert len(table_with(app, "Alasan")) == len(flags)


def test_open_an_agreement_from_the_list(demo_db):
    app = open_page("peringatan")
    app.multiselect(key="peringatan_filter_kode").set_value(["no_diplomatic_relations"]).run()
    app.button(key="peringatan_buka").click().run()
    assert not app.exception
    assert app.title[0].value == "Perjanjian"
    assert app.selectbox(key="perjanjian_pilih").value == "CONTOH-36-07"


def test_a_long_list_offers_the_agreements_of_its_first_rows_to_open(tmp_path, monkeypatch):
    from ksln_metrics.reference import REGIONS
    from tests.app.pages_support import add_test_accounts
    from tests.unit.builders import build_store, perjanjian

    units = [code for code in REGIONS if "." in code]
    path = tmp_path / "panjang.duckdb"
    build_store(path, [perjanjian(f"P-{i:03d}", kabkota=units[i % len(units)], tanggal_persetujuan_dprd=None)
                       for i in range(150)]).close()  # every one flagged: no DPRD approval
    add_test_accounts(path)
    monkeypatch.setenv("KSLN_DB", str(path))
    app = open_page("peringatan")
    assert not app.exception
    picker = app.selectbox(key="peringatan_buka_pilih")
    first = table_with(app, "Alasan")["ID"].drop_duplicates().tolist()  # the list's first page, in its order
    assert len(picker.options) == 100 and picker.value == first[0]
    assert any(c.value.startswith("Pilihan memuat 100 perjanjian pertama dari 150 dalam daftar") for c in app.caption)
    app.selectbox(key="peringatan_buka_pilih").set_value(first[-1]).run()
    app.button(key="peringatan_buka").click().run()
    assert app.title[0].value == "Perjanjian"
    assert app.selectbox(key="perjanjian_pilih").value == first[-1]
