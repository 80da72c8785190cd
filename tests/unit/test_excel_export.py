"""The Presentasi page's workbook: indicators of both levels and the flags, as an Indonesian analyst opens it."""

import io
from datetime import date

from openpyxl import load_workbook

from ksln_metrics.engine.indicators import compute
from ksln_metrics.present.export import DATE_FORMAT, DECIMAL_FORMAT, indicators_xlsx
from tests.unit.builders import build_store, perjanjian
from tests.unit.conftest import MEETING_AS_OF


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def test_three_sheets_with_indonesian_headers_frozen_and_filtered(meeting_results):
    book = load_workbook(io.BytesIO(indicators_xlsx(meeting_results, MEETING_AS_OF)))
    assert book.sheetnames == ["Perjanjian", "Kab-Kota", "Peringatan", "Keterangan"]
    for name in ("Perjanjian", "Kab-Kota", "Peringatan"):
        sheet = book[name]
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert all(cell.font.bold for cell in sheet[1])
    assert book["Perjanjian"]["A1"].value == "ID Perjanjian"
    # The league table's headers, as on the Kabupaten/Kota page and the slide.
    assert [c.value for c in book["Kab-Kota"][1]][:7] == ["Peringkat", "Kode Kab/Kota", "Kab/Kota", "Perjanjian",
                                                          "Aktif", "Ditandatangani", "Skor rata-rata"]
    assert book["Keterangan"]["B2"].value == "28 November 2026"


def test_numbers_and_dates_equal_the_engine_with_their_formats(meeting_results):
    book = load_workbook(io.BytesIO(indicators_xlsx(meeting_results, MEETING_AS_OF)))
    agreements = rows(book["Perjanjian"])
    assert len(agreements) == len(meeting_results.agreements)
    engine = meeting_results.agreements.set_index("id_perjanjian")
    for row in agreements:
        expected = engine.loc[row["ID Perjanjian"]]
        assert row["Skor"] == (None if expected["skor"] != expected["skor"] else expected["skor"])
        assert row["Aktif"] == ("Ya" if expected["aktif"] else "Tidak")
    regions = {r["Kode Kab/Kota"]: r for r in rows(book["Kab-Kota"])}
    assert len(regions) == len(meeting_results.regions)
    for region in meeting_results.regions.itertuples(index=False):
        row = regions[region.kabkota_kode]
        assert row["Skor rata-rata"] == (None if region.skor_rata_rata != region.skor_rata_rata
                                         else region.skor_rata_rata)
        assert row["Mangkrak"] == region.jumlah_stalled
    assert len(rows(book["Peringatan"])) == len(meeting_results.flags)
    sheet = book["Perjanjian"]
    headers = [c.value for c in sheet[1]]
    score = sheet.cell(row=2, column=headers.index("Skor") + 1)
    signed = sheet.cell(row=2, column=headers.index("Tanggal Tanda Tangan") + 1)
    assert score.number_format == DECIMAL_FORMAT
    assert signed.number_format == DATE_FORMAT and signed.value.date() == engine.iloc[0]["tanggal_ttd"].date()
    year = book["Peringatan"].cell(row=2, column=[c.value for c in book["Peringatan"][1]].index("Tahun Anggaran") + 1)
    assert year.number_format == "0"


def test_formula_like_text_is_escaped(tmp_path, meeting_rules):
    store = build_store(tmp_path / "rumus.duckdb", [
        perjanjian("P1", mitra="=HYPERLINK(\"http://contoh.invalid\")", judul="+62 kerja sama",
                   tanggal_persetujuan_dprd=None),
    ])
    results = compute(store, date(2025, 6, 30), meeting_rules)
    store.close()
    book = load_workbook(io.BytesIO(indicators_xlsx(results, date(2025, 6, 30))))
    (agreement,) = rows(book["Perjanjian"])
    assert agreement["Mitra"] == "'=HYPERLINK(\"http://contoh.invalid\")"
    assert agreement["Judul Perjanjian"] == "'+62 kerja sama"
    flags = rows(book["Peringatan"])
    assert "no_dprd_approval" in {f["Kode Bendera"] for f in flags}
    assert {f["Judul Perjanjian"] for f in flags} == {"'+62 kerja sama"}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
