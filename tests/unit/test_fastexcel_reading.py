"""Workbooks read through fastexcel (Arrow text columns) and validated column by column.

Real files written here: .xls by xlwt, .ods by the minimal LibreOffice builder, .xlsx by
xlsxwriter; each carries the forgiving layouts (title rows, merged header, total row, dates as
serials or text) that the cell-by-cell reader accepted.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
import xlsxwriter
import xlwt
from hypothesis import given, settings
from hypothesis import strategies as st

from ksln_metrics.importing.cells import normalize_spaces, parse_series
from ksln_metrics.importing.ingest import Limits, read_upload, read_upload_here
from ksln_metrics.reference import KEGIATAN, PERJANJIAN
from tests.unit.realistic_files import ods_workbook

NO_AGREEMENTS = pd.DataFrame(columns=["id_perjanjian", "kabkota"])
HERE = Limits(isolated=False, years=(1945, 2100))
HEADER = ["No.", "ID Perjanjian", "Kab/Kota", "Judul Perjanjian", "Jenis", "Mitra", "Negara Mitra", "Status",
          "Tanggal Penandatanganan", "Anggaran (Rp)"]


def lines(upload) -> list[str]:
    return [p.line() for p in upload.problems]


def xls_workbook() -> bytes:
    """An .xls as Excel 97-2003 saves it: title, a merged title cell, real dates and numbers, a total row."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Perjanjian")
    sheet.write_merge(0, 0, 0, 5, "DAFTAR KERJA SAMA LUAR NEGERI KABUPATEN LEBAK")
    for j, label in enumerate(HEADER):
        sheet.write(2, j, label)
    day = xlwt.easyxf(num_format_str="dd/mm/yyyy")
    rows = [
        [1, "LBK-01", "Kabupaten Lebak", "Agrowisata", "KSDPL", "Gyeonggi-do", "Korea Selatan", "berjalan",
         date(2019, 3, 11), 150_000_000],
        [2, "LBK-02", "Lebak", "Air bersih", "KSDLL", "JICA", "Jepang", "usulan", "11 Maret 2021", "Rp 1.500.000,00"],
    ]
    for i, row in enumerate(rows, start=3):
        for j, value in enumerate(row):
            sheet.write(i, j, value, day) if isinstance(value, date) else sheet.write(i, j, value)
    sheet.write(5, 0, "JUMLAH")
    sheet.write(5, 9, 151_500_000)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xls_is_read_through_fastexcel_with_every_forgiving_rule():
    upload = read_upload_here("lebak.xls", xls_workbook(), known=NO_AGREEMENTS, limits=HERE)
    assert upload.ok, lines(upload)
    table = upload.tables["perjanjian"]
    assert table["id_perjanjian"].tolist() == ["LBK-01", "LBK-02"]  # the title and the total row are not data
    assert table["kabkota"].tolist() == ["36.02", "36.02"]
    assert [d.date() for d in table["tanggal_ttd"]] == [date(2019, 3, 11), date(2021, 3, 11)]
    assert table["anggaran"].tolist() == [150_000_000.0, 1_500_000.0]
    assert table["negara"].tolist() == ["KOR", "JPN"]


def test_xls_with_a_bad_cell_names_its_sheet_row_and_column():
    book = xlwt.Workbook()
    sheet = book.add_sheet("Perjanjian")
    for j, label in enumerate(HEADER[1:]):
        sheet.write(0, j, label)
    for j, value in enumerate(["LBK-01", "Kabupaten Lebak", "Agrowisata", "KSDPL", "Gyeonggi-do", "Korea Selatan",
                               "berjalan", "31/02/2019", "banyak"]):
        sheet.write(1, j, value)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = read_upload_here("lebak.xls", buffer.getvalue(), known=NO_AGREEMENTS, limits=HERE)
    assert not upload.ok and not upload.tables
    assert "lebak.xls:Perjanjian:2:Tanggal Penandatanganan: nilai '31/02/2019' tidak dapat dibaca: tanggal 31-2-2019 " \
           "tidak ada di kalender" in lines(upload)
    assert any(line.startswith("lebak.xls:Perjanjian:2:Anggaran (Rp): nilai 'banyak' tidak dapat dibaca") for line in lines(upload))


def test_ods_with_title_rows_serials_text_dates_and_a_total_row():
    content = ods_workbook("Perjanjian", [
        ["Data KSLN Kota Cilegon"],
        [],
        HEADER,
        [1, "CLG-01", "Kota Cilegon", "Pelabuhan hijau", "KSDLL", "Port of Rotterdam", "Belanda", "berjalan",
         date(2022, 5, 3), 2_500_000],
        [2, "CLG-02", "Cilegon", "Industri baja", "KSDLL", "POSCO", "Korea Selatan", "berjalan", 44_000, "Rp 7.500,-"],
        [3, "CLG-03", "36.72", "Budaya", "KSDPL", "Kota Busan", "Korsel", "usulan", "03-05-2022", None],
        ["JUMLAH", None, None, None, None, None, None, None, None, 2_507_500],
    ])
    upload = read_upload_here("cilegon.ods", content, known=NO_AGREEMENTS, limits=HERE)
    assert upload.ok, lines(upload)
    table = upload.tables["perjanjian"]
    assert table["id_perjanjian"].tolist() == ["CLG-01", "CLG-02", "CLG-03"]
    assert table["kabkota"].tolist() == ["36.72"] * 3
    assert [d.date() for d in table["tanggal_ttd"]] == [date(2022, 5, 3), date(2020, 6, 18), date(2022, 5, 3)]
    assert table["anggaran"].tolist()[:2] == [2_500_000.0, 7_500.0] and np.isnan(table["anggaran"].iloc[2])


def xlsx_book(rows: list[list], merge: str | None = None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Kegiatan")
    day = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(i, j, value, day)
            elif value is not None:
                sheet.write(i, j, value)
    if merge:
        sheet.merge_range(merge, rows[0][0])
    book.close()
    return buffer.getvalue()


def test_xlsx_column_mixing_date_cells_text_dates_and_serials():
    known = pd.DataFrame({"id_perjanjian": ["LBK-01"], "kabkota": ["36.02"]})
    content = xlsx_book([
        ["REKAP KEGIATAN", None, None, None, None],
        [None] * 5,
        ["ID Perjanjian", "Tanggal Kegiatan", "Nama Kegiatan", "Jenis Kegiatan", "Anggaran (Rp)"],
        ["LBK-01", datetime(2023, 1, 9, 14, 30), "  Pelatihan   pemandu\twisata ", "pelatihan", 12_500_000.5],
        ["LBK-01", "9 Januari 2023", "Kunjungan", "Courtesy Call", "Rp 1.000.000,-"],
        ["LBK-01", 44935, 2023, "seminar", "2,5"],
    ], merge="A1:E1")
    upload = read_upload_here("lebak.xlsx", content, known=known, limits=HERE)
    assert upload.ok, lines(upload)
    table = upload.tables["kegiatan"]
    assert [d.date() for d in table["tanggal"]] == [date(2023, 1, 9)] * 3
    assert table["nama_kegiatan"].tolist() == ["Pelatihan pemandu wisata", "Kunjungan", "2023"]
    assert table["jenis_kegiatan"].tolist() == ["pelatihan", "kunjungan kehormatan", "seminar/lokakarya"]
    assert table["anggaran"].tolist() == [12_500_000.5, 1_000_000.0, 2.5]


def test_large_sheet_with_a_far_cell_is_refused_by_the_full_scan():
    """Past the quick bound (over 1 MB of sheet XML) a reference beyond column Z still reaches the full scan."""
    rows = [["ID Perjanjian", "Tanggal Kegiatan", "Nama Kegiatan", "Jenis Kegiatan"]]
    rows += [["LBK-01", "09/01/2023", f"Kegiatan {i}", "pelatihan"] for i in range(12_000)]
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Kegiatan")
    for i, row in enumerate(rows):
        sheet.write_row(i, 0, row)
    sheet.write(1_000_000, 700, "x")  # ZY1000001: 1.000.001 rows × 701 columns
    book.close()
    upload = read_upload("lebak.xlsx", buffer.getvalue(), known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert "lembar 'Kegiatan' terpakai sampai sel ZY1000001" in problem.message and "Ctrl+End" in problem.message
    assert not upload.tables


def test_damaged_xls_is_refused_by_the_worker_with_a_message():
    """Zeroed sectors make calamine ask for unbounded memory: the worker dies, this process answers."""
    content = xls_workbook()
    damaged = content[:512] + bytes(len(content) - 512)
    upload = read_upload("lebak.xls", damaged, known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert problem.message.startswith("berkas memerlukan memori melebihi batas saat dibaca (lembar terlalu besar atau rusak)")
    assert "tidak ada yang disimpan" in problem.message and not upload.tables
    assert read_upload("lebak.xls", content, known=NO_AGREEMENTS).ok  # the next file gets a fresh worker


MONEY_TEXTS = st.sampled_from(["Rp 1.234.567,00", "150000000", "1,234.5", "12,5", "Rp. 1.000,-", "IDR 5000", " 7 ",
                               "abc", "1.5", "1.500", "-3", "1e5", "75%", "Rp 1 000 000", "٣٤", "Rp 99.999.999.999.999.999",
                               "", "-", "n/a", "1.2.3", "0,00-"])
DATE_TEXTS = st.sampled_from(["2019-03-11 00:00:00", "11/03/2019", "31/02/2019", "01/01/1900", "2019-3-1", "11 Maret 2019",
                              "43535", "43535.5", "11-03-19", "29/02/2020", "29/02/2019", "Senin, 11 Maret 2019", "", "x",
                              "2019-03-11 10:30:00", "00/01/2019", "31/04/2019", "31/12/2100", "29/02/2000", "29/02/2100",
                              "01/13/2019", "2020-02-29", "2019-02-29 00:00:00", "2019-13-01", "2019-04-31", "0000-01-01",
                              " 11/03/2019 ", "1945-01-01", "1944-12-31", "2101-01-01"])
FREE_TEXTS = st.text(alphabet=st.sampled_from(list("ab \t\n\u00a0\u3000\x1c\u2003é")), max_size=8)


@settings(max_examples=60, deadline=None)
@given(money=st.lists(MONEY_TEXTS, max_size=12), dates=st.lists(DATE_TEXTS, max_size=12),
       texts=st.lists(FREE_TEXTS, max_size=12))
def test_column_wise_parsing_agrees_with_the_cell_by_cell_parser(money, dates, texts):
    """Arrow text columns (the readers' output) give the values and messages the per-cell parsers give."""
    for column, cells in ((PERJANJIAN.column("anggaran"), money), (KEGIATAN.column("tanggal"), dates),
                          (KEGIATAN.column("nama_kegiatan"), texts)):
        column_wise = parse_series(column, pd.Series(cells, dtype="str"))
        cell_by_cell = parse_series(column, pd.Series(cells, dtype=object))
        assert column_wise[1].tolist() == cell_by_cell[1].tolist()
        pd.testing.assert_series_equal(column_wise[0], cell_by_cell[0], check_dtype=False)


def test_normalize_spaces_is_str_split_and_join():
    texts = ["a", " a", "a  b", "a\tb", "a\u00a0b", "\u3000x\u2003", "x\x1cy", "a\nb", "é  ü", "a\x85b", "a\u200bb"]
    assert normalize_spaces(pd.Series(texts, dtype="str")).tolist() == [" ".join(t.split()) for t in texts]


@pytest.mark.parametrize("ext", [".xlsx", ".ods"])
def test_header_merged_across_two_rows_in_the_first_rows(ext):
    rows = [["PERSETUJUAN", None, "ID Perjanjian", "Kab/Kota", "Judul", "Mitra", "Negara Mitra", "Jenis", "Status"],
            ["DPRD", "Pusat", None, None, None, None, None, None, None],
            [date(2019, 1, 11), date(2019, 2, 1), "LBK-01", "Lebak", "Agrowisata", "JICA", "Jepang", "KSDLL", "berjalan"]]
    if ext == ".ods":
        rows[0][1] = "PERSETUJUAN"  # LibreOffice repeats nothing; the builder writes both cells
        content = ods_workbook("Perjanjian", rows)
    else:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        sheet = book.add_worksheet("Perjanjian")
        day = book.add_format({"num_format": "dd/mm/yyyy"})
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_datetime(i, j, datetime(value.year, value.month, value.day), day)
                elif value is not None:
                    sheet.write(i, j, value)
        sheet.merge_range("A1:B1", "PERSETUJUAN")
        book.close()
        content = buffer.getvalue()
    upload = read_upload_here(f"lebak{ext}", content, known=NO_AGREEMENTS, limits=HERE)
    assert upload.ok, lines(upload)
    row = upload.tables["perjanjian"].iloc[0]
    assert row["tanggal_persetujuan_dprd"].date() == date(2019, 1, 11)
    assert row["tanggal_persetujuan_pusat"].date() == date(2019, 2, 1)
