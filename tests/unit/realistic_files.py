"""Files that look like what kab/kota staff send, built in code for the tests."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
from openpyxl.styles import Alignment, Font

AGREEMENT_HEADERS = [
    "NO.",
    "KAB/KOTA",
    "JUDUL KERJA SAMA",
    "NAMA MITRA",
    "Negara Mitra",
    "JENIS",
    "BENTUK KERJA SAMA",
    "STATUS",
    "Tgl. Penandatanganan",
    "BERLAKU SAMPAI",
    "PENANDATANGAN",
    "ANGGARAN (Rp)",
    "RIK",
    "AWP",
]
# Two-row header: "PERSETUJUAN" merged over "DPRD" and "PUSAT".
APPROVAL_GROUP = "PERSETUJUAN"
APPROVAL_HEADERS = ["DPRD", "PUSAT"]

AGREEMENTS = [
    # kab/kota, judul, mitra, negara, jenis, bentuk, status, ttd, berakhir, penandatangan, anggaran, rik, awp, dprd, pusat
    ("KAB. LEBAK", "Kerja Sama Pengembangan Agrowisata", "Gyeonggi-do Provincial Government", "Korsel", "KSDPL",
     "Sister Province", "Berjalan", datetime(2019, 3, 11), "11 Maret 2024", "Bupati Lebak", "Rp 150.000.000,00",
     "Ya", "Tidak", "11/01/2019", "2019-02-20"),
    ("Lebak", "Peningkatan Kapasitas Pengelolaan Air Bersih", "Japan International Cooperation Agency", "Jepang",
     "KSDLL", "Kerja Sama Teknik", "Ditandatangani", "05-08-2021", None, "Wakil Bupati Lebak", 250000000,
     "✓", "Ada", None, "2021-07-01"),
    ("36.02", "Beasiswa Pelatihan Vokasi", "Universiteit Leiden", "Belanda", "KSDLL", "Lainnya", "usulan",
     None, None, None, None, "Tidak ada", "Tidak", None, None),
]


def agreements_workbook() -> bytes:
    """Kabupaten Lebak's list: title block, merged two-row header, uppercase synonyms, a total row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "KSLN Lebak"
    ws["A1"] = "DAFTAR KERJA SAMA LUAR NEGERI"
    ws["A2"] = "PEMERINTAH KABUPATEN LEBAK — KEADAAN 30 JUNI 2024"
    ws.merge_cells("A1:H1")
    ws["A1"].font = Font(bold=True, size=14)
    header_row = 4
    for j, text in enumerate(AGREEMENT_HEADERS, start=1):
        ws.cell(header_row, j, text)
        ws.merge_cells(start_row=header_row, start_column=j, end_row=header_row + 1, end_column=j)
    first_group = len(AGREEMENT_HEADERS) + 1
    ws.cell(header_row, first_group, APPROVAL_GROUP).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=header_row, start_column=first_group, end_row=header_row, end_column=first_group + 1)
    for k, text in enumerate(APPROVAL_HEADERS):
        ws.cell(header_row + 1, first_group + k, text)
    row = header_row + 2
    for number, values in enumerate(AGREEMENTS, start=1):
        ws.cell(row, 1, number)
        for j, value in enumerate(values, start=2):
            ws.cell(row, j, value)
        row += 1
    row += 1  # a blank row before the total, as offices do
    ws.cell(row, 1, "JUMLAH")
    ws.cell(row, 12, 400000000)
    return _save(wb)


KEGIATAN_CSV_ROWS = [
    "Rekap Kegiatan Tindak Lanjut KSLN;;;;;",
    "Kabupaten Lebak;;;;;",
    "No.;ID Perjanjian;Tgl Kegiatan;Uraian Kegiatan;Jenis Kegiatan;Anggaran (Rp);Realisasi;Sumber Dana",
    "1;LBK-001;11/03/2019;Penandatanganan MoU di Suwon;Penandatanganan;Rp 25.000.000,00;Rp 24.500.000,00;APBD",
    "2;LBK-001;02-09-2019;Pelatihan pemandu wisata di Café Ültje;Pelatihan;Rp 80.000.000;Rp 75.250.000,50;APBD",
    ";;;;;;;",
    "3;LBK-001;15 Januari 2020;Pameran produk UMKM Köln;Pameran;12.500.000;12.500.000;Hibah mitra",
    "Jumlah;;;;;Rp 117.500.000;Rp 112.250.000,50;",
]


def kegiatan_csv_cp1252() -> bytes:
    """A `;` CSV saved by Excel on Windows: Windows-1252, day-first dates, Rp amounts, a total row."""
    return ("\r\n".join(KEGIATAN_CSV_ROWS) + "\r\n").encode("cp1252")


def simple_agreement_xlsx(rows: list[dict], sheet: str = "Perjanjian", extra_sheets: dict | None = None) -> bytes:
    """A plain workbook: one header row of the given keys, one row per dict; more sheets optional."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    _fill(ws, rows)
    for name, sheet_rows in (extra_sheets or {}).items():
        _fill(wb.create_sheet(name), sheet_rows)
    return _save(wb)


def _fill(ws, rows: list[dict]) -> None:
    headers = list(dict.fromkeys(k for row in rows for k in row))
    ws.append(headers)
    for row in rows:
        ws.append([row.get(h) for h in headers])


def _save(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def agreement(**overrides) -> dict:
    """One agreement row with the template's header labels and sensible values."""
    row = {
        "ID Perjanjian": "LBK-001",
        "Kab/Kota": "Kabupaten Lebak",
        "Judul Perjanjian": "Kerja Sama Agrowisata",
        "Jenis": "KSDPL",
        "Mitra": "Gyeonggi-do",
        "Negara Mitra": "Korea Selatan",
        "Status": "berjalan",
        "Tanggal Penandatanganan": date(2019, 3, 11),
    }
    row.update(overrides)
    return row


def ods_workbook(sheet: str, rows: list[list]) -> bytes:
    """A minimal LibreOffice .ods (zip with mimetype + content.xml), as government PCs still produce."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value) -> str:
        if value is None:
            return "<table:table-cell/>"
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        if isinstance(value, date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
