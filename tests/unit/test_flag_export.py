"""The Peringatan downloads and list: xlsx and csv with Indonesian headers, formula cells escaped; years and filters."""

import io

import pandas as pd
from openpyxl import load_workbook

from ksln_metrics.engine.alerts import (
    chip_style,
    filter_flags,
    flag_counts,
    readable_text_color,
    valid_codes,
    with_flag_year,
)
from ksln_metrics.present.export import flags_csv, flags_xlsx
from ksln_metrics.present.palette import FLAG_COLORS
from tests.unit.builders import d

EVIL = "=HYPERLINK(\"http://contoh.invalid\",\"klik\")"


def flags_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "id_perjanjian": ["P1", "P1", "P2", "P3"],
        "kabkota_kode": ["36.01", "36.01", "36.02", "36.71"],
        "kabkota_nama": ["Kabupaten Pandeglang", "Kabupaten Pandeglang", "Kabupaten Lebak", "Kota Tangerang"],
        "judul": [EVIL, EVIL, "+62 kerja sama", "Usulan"],
        "status": ["berjalan", "berjalan", "berjalan", "usulan"],
        "code": ["late_report", "no_dprd_approval", "missing_report", "no_diplomatic_relations"],
        "label": ["Laporan terlambat", "Tanpa persetujuan DPRD", "Laporan belum masuk",
                  "Negara tanpa hubungan diplomatik"],
        "reason": ["@SUM(A1)", "-1 hari", "Laporan TA 2024 belum masuk.", "Negara mitra Israel (ISR)."],
        "year": pd.array([2023, None, 2024, None], dtype="Int64"),
        "rule": ["aturan"] * 4,
    })


def agreements_frame() -> pd.DataFrame:
    return pd.DataFrame({"id_perjanjian": ["P1", "P2", "P3"],
                         "tanggal_ttd": pd.to_datetime([d("2021-05-01"), d("2020-01-01"), None])})


def test_xlsx_has_indonesian_headers_frozen_row_and_escaped_formula_cells():
    book = load_workbook(io.BytesIO(flags_xlsx(flags_frame(), d("2025-03-01"))))
    sheet = book["Peringatan"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["ID Perjanjian", "Kode Kab/Kota", "Kab/Kota", "Judul Perjanjian", "Status", "Kode Bendera",
                       "Bendera", "Tahun Anggaran", "Alasan", "Aturan"]
    assert sheet.freeze_panes == "A2"
    assert all(c.font.bold for c in sheet[1])
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # nothing a spreadsheet would run
    assert sheet["D2"].value == "'" + EVIL and sheet["D4"].value == "'+62 kerja sama"
    assert sheet["I2"].value == "'@SUM(A1)" and sheet["I3"].value == "'-1 hari"
    assert sheet["H2"].value == 2023 and sheet["H3"].value is None  # years stay numbers
    assert sheet.max_row == 5
    assert [c.value for c in book["Keterangan"]["B"] if c.value][0] == "1 Maret 2025"


def test_csv_is_semicolon_separated_utf8_with_bom_and_escaped():
    data = flags_csv(flags_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", dtype=str)
    assert frame.columns[0] == "ID Perjanjian" and "Alasan" in frame.columns
    assert frame["Judul Perjanjian"].tolist()[0] == "'" + EVIL
    assert frame["Alasan"].tolist()[:2] == ["'@SUM(A1)", "'-1 hari"]
    assert frame["Tahun Anggaran"].tolist()[0] == "2023"


def test_flag_year_is_fiscal_year_for_reports_else_signing_year():
    flags = with_flag_year(flags_frame(), agreements_frame())
    assert flags["tahun"].tolist()[:3] == [2023, 2021, 2024]
    assert pd.isna(flags["tahun"].iloc[3])  # never signed


def test_filters_by_code_and_year_and_ignore_unknown_codes():
    flags = with_flag_year(flags_frame(), agreements_frame())
    assert len(filter_flags(flags)) == 4
    assert filter_flags(flags, ["late_report", "missing_report"])["id_perjanjian"].tolist() == ["P1", "P2"]
    assert filter_flags(flags, years=[2021, 2024])["code"].tolist() == ["no_dprd_approval", "missing_report"]
    assert filter_flags(flags, ["late_report"], [2024]).empty
    assert valid_codes(["stalled", "bogus", "late_report"]) == ["stalled", "late_report"]
    assert flag_counts(flags)["code"].tolist() == ["late_report", "missing_report", "no_dprd_approval",
                                                   "no_diplomatic_relations"]


def test_chip_text_stays_readable_on_every_flag_colour():
    assert readable_text_color("#000000") == "#FFFFFF" and readable_text_color("#F0E442") == "#000000"
    for code, color in FLAG_COLORS.items():
        assert f"background-color: {color}" in chip_style(code)
