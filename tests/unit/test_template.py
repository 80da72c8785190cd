"""The import template: generated from reference.py, opens everywhere, imports cleanly."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from ksln_metrics.importing.template import LISTS_SHEET, VALIDATION_ROWS, template_xlsx
from ksln_metrics.reference import BOOL, CODED, REGION, REGIONS, TABLES

DATA_SHEETS = [t.sheet for t in TABLES.values()]


@pytest.fixture(scope="module")
def content() -> bytes:
    return template_xlsx()


@pytest.fixture(scope="module")
def workbook(content):
    return openpyxl.load_workbook(BytesIO(content))


def _list_values(workbook, formula: str) -> list[str]:
    """The values a list validation offers, inline or from a range of the lists sheet."""
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, cells = formula.split("!")
    assert sheet.strip("'") == LISTS_SHEET
    rows = workbook[LISTS_SHEET][cells.replace("$", "")]
    return [row[0].value for row in rows]


def _validation_of(ws, column_letter: str):
    for validation in ws.data_validations.dataValidation:
        if f"{column_letter}2:{column_letter}{VALIDATION_ROWS + 1}" in str(validation.sqref):
            return validation
    return None


def test_template_has_instructions_then_one_sheet_per_table(workbook):
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    assert visible == ["Petunjuk", *DATA_SHEETS]
    assert workbook[LISTS_SHEET].sheet_state == "hidden"


def test_template_opens_with_calamine(content):
    book = CalamineWorkbook.from_filelike(BytesIO(content))
    assert [s for s in book.sheet_names if s != LISTS_SHEET] == ["Petunjuk", *DATA_SHEETS]
    for table in TABLES.values():
        rows = book.get_sheet_by_name(table.sheet).to_python()
        assert rows[0] == [c.label for c in table.columns]


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_headers_are_the_labels_bold_frozen_with_comments(workbook, table):
    ws = workbook[table.sheet]
    header = [cell for cell in ws[1]]
    assert [c.value for c in header] == [c.label for c in table.columns]
    assert ws.max_row == 1, "the template must not carry example rows"
    assert ws.freeze_panes == "A2"
    for cell, column in zip(header, table.columns, strict=True):
        assert cell.font.bold
        assert column.help in cell.comment.text
        assert ("(wajib)" in cell.comment.text) == column.required
    required = {c.fill.start_color.rgb for c, col in zip(header, table.columns, strict=True) if col.required}
    optional = {c.fill.start_color.rgb for c, col in zip(header, table.columns, strict=True)
                if not col.required and col.name not in ("id_perjanjian", "kabkota", "mitra", "tanggal_ttd")}
    assert required and not required & optional


@pytest.mark.parametrize("table", TABLES.values(), ids=list(TABLES))
def test_coded_columns_have_dropdowns(workbook, table):
    ws = workbook[table.sheet]
    for index, column in enumerate(table.columns, start=1):
        letter = openpyxl.utils.get_column_letter(index)
        validation = _validation_of(ws, letter)
        if column.kind == CODED:
            expected = list(column.choices)
        elif column.kind == BOOL:
            expected = ["Ya", "Tidak"]
        elif column.kind == REGION:
            expected = list(REGIONS) if column.name == "kabkota_kode" else list(REGIONS.values())
        else:
            continue
        assert validation is not None and validation.type == "list", column.name
        assert _list_values(workbook, validation.formula1) == expected
        assert len(validation.formula1) <= 255


def test_date_and_money_columns_are_formatted(workbook):
    ws = workbook["Perjanjian"]
    letters = {c.name: openpyxl.utils.get_column_letter(i) for i, c in enumerate(TABLES["perjanjian"].columns, 1)}
    assert ws.column_dimensions[letters["tanggal_ttd"]].number_format == "dd/mm/yyyy"
    assert ws.column_dimensions[letters["anggaran"]].number_format == "#,##0"
    assert ws.column_dimensions[letters["judul"]].width >= 20


def test_instructions_cover_formats_regions_and_ambiguity(workbook):
    text = "\n".join(str(c.value) for c in workbook["Petunjuk"]["A"] if c.value)
    for needle in ("11 Maret 2019", "11/03/2019", "2019-03-11", "Rp 150.000.000,00", "150000000", "Ya",
                   "Tidak", "\"Tangerang\"", "\"Serang\"", "ID Perjanjian", "memperbarui"):
        assert needle in text
    for code, name in REGIONS.items():
        assert f"{code} = {name}" in text


# --- the importer reads its own template ---------------------------------------------------------

from ksln_metrics.importing import ingest  # noqa: E402 - beside the tests that use it


def test_empty_template_imports_without_problems(content):
    upload = ingest.read_upload("templat_ksln.xlsx", content)
    assert upload.ok
    assert upload.problems == []
    assert all(len(frame) == 0 for frame in upload.tables.values())


def _day(value) -> date:
    return pd.Timestamp(value).date()


def _fill(ws, table_name: str, values: dict) -> None:
    labels = {c.name: i for i, c in enumerate(TABLES[table_name].columns, start=1)}
    row = ws.max_row + 1
    for name, value in values.items():
        ws.cell(row=row, column=labels[name], value=value)


def test_filled_template_imports_with_expected_values(content):
    wb = openpyxl.load_workbook(BytesIO(content))
    _fill(wb["Perjanjian"], "perjanjian", {
        "kabkota": "Kabupaten Lebak", "judul": "Nota Kesepahaman Kerja Sama Pariwisata", "jenis": "KSDPL",
        "bentuk": "sister city", "mitra": "Pemerintah Kota Hwasun", "negara": "Korea Selatan", "status": "berjalan",
        "tanggal_ttd": datetime(2019, 3, 11), "masa_berlaku_tahun": 5, "penandatangan": "Bupati Lebak",
        "tanggal_persetujuan_dprd": datetime(2019, 2, 4), "ada_rik": "Ya", "ada_awp": "Tidak",
        "anggaran": 150_000_000, "kriteria_gender": "Ya",
    })
    _fill(wb["Perjanjian"], "perjanjian", {
        "id_perjanjian": "KSLN-3674-01", "kabkota": "Kota Tangerang Selatan", "judul": "MoU Riset",
        "jenis": "KSDLL", "bentuk": "kerja sama teknik", "mitra": "Institut Riset Contoh", "negara": "Jepang",
        "status": "usulan",
    })
    _fill(wb["Kegiatan"], "kegiatan", {
        "kabkota": "Kabupaten Lebak", "mitra": "Pemerintah Kota Hwasun", "tanggal_ttd": datetime(2019, 3, 11),
        "tanggal": datetime(2019, 8, 20), "nama_kegiatan": "Pelatihan pemandu wisata",
        "jenis_kegiatan": "pelatihan", "anggaran": 25_000_000, "sumber_dana": "APBD",
    })
    _fill(wb["Indikator"], "indikator", {
        "id_perjanjian": "KSLN-3674-01", "tahun": 2024, "indikator": "Jumlah riset bersama", "satuan": "judul",
        "target": 3, "realisasi": 2,
    })
    _fill(wb["Laporan"], "laporan", {
        "kabkota": "Kabupaten Lebak", "mitra": "Pemerintah Kota Hwasun", "tanggal_ttd": datetime(2019, 3, 11),
        "tahun_anggaran": 2019, "tanggal_disampaikan": datetime(2020, 1, 8),
    })
    buffer = BytesIO()
    wb.save(buffer)

    upload = ingest.read_upload("templat_terisi.xlsx", buffer.getvalue())
    assert upload.ok, [p.line() for p in upload.problems]
    assert [p for p in upload.problems if p.is_error] == []

    perjanjian = upload.tables["perjanjian"].set_index("mitra")
    lebak = perjanjian.loc["Pemerintah Kota Hwasun"]
    assert lebak["kabkota"] == "36.02"
    assert lebak["negara"] == "KOR"
    assert (lebak["jenis"], lebak["bentuk"], lebak["status"]) == ("KSDPL", "sister city", "berjalan")
    assert _day(lebak["tanggal_ttd"]) == date(2019, 3, 11)
    assert _day(lebak["tanggal_persetujuan_dprd"]) == date(2019, 2, 4)
    assert float(lebak["anggaran"]) == 150_000_000
    assert bool(lebak["ada_rik"]) is True and bool(lebak["ada_awp"]) is False
    assert perjanjian.loc["Institut Riset Contoh", "kabkota"] == "36.74"
    assert perjanjian.loc["Institut Riset Contoh", "id_perjanjian"] == "KSLN-3674-01"

    kegiatan = upload.tables["kegiatan"].iloc[0]
    assert kegiatan["id_perjanjian"] == lebak["id_perjanjian"]
    assert _day(kegiatan["tanggal"]) == date(2019, 8, 20)
    assert kegiatan["jenis_kegiatan"] == "pelatihan"
    laporan = upload.tables["laporan"].iloc[0]
    assert laporan["id_perjanjian"] == lebak["id_perjanjian"]
    assert (int(laporan["tahun_anggaran"]), _day(laporan["tanggal_disampaikan"])) == (2019, date(2020, 1, 8))
    indikator = upload.tables["indikator"].iloc[0]
    assert (indikator["id_perjanjian"], int(indikator["tahun"])) == ("KSLN-3674-01", 2024)
    assert (float(indikator["target"]), float(indikator["realisasi"])) == (3.0, 2.0)
