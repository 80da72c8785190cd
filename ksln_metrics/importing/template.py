"""The import template: one .xlsx generated from reference.py, so it never drifts from the importer."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ksln_metrics.reference import (
    BOOL,
    CODED,
    DATE,
    MONEY,
    NUMBER,
    PARENT_LOOKUP_COLUMNS,
    REGION,
    REGIONS,
    TABLES,
    YEAR,
    Column,
    Table,
    ambiguous_region_names,
    area,
    example_units,
    local_aliases,
    scope,
)

LISTS_SHEET = "Daftar"
INSTRUCTIONS_SHEET = "Petunjuk"
VALIDATION_ROWS = 1000  # rows below the header that get dropdowns
YES_NO = ("Ya", "Tidak")
DATE_FORMAT = "dd/mm/yyyy"
MONEY_FORMAT = "#,##0"

_REQUIRED_FILL = PatternFill("solid", start_color="F4B183")  # orange: always required
_PARENT_FILL = PatternFill("solid", start_color="FFE699")  # yellow: ID, or Kab/Kota + Mitra + Tanggal
_HEADER_FILL = PatternFill("solid", start_color="D9E1F2")  # blue: optional
_INLINE_LIST_LIMIT = 255  # Excel refuses longer inline list formulas

_WIDTHS = {DATE: 16, MONEY: 20, YEAR: 10, BOOL: 10, NUMBER: 12}


def template_xlsx(report_working_days: int | None = None) -> bytes:
    """The import template as .xlsx bytes: instructions, one empty sheet per table, dropdowns."""
    wb = Workbook()
    _write_instructions(wb.active, report_working_days)
    lists = _ListsSheet(wb)
    for table in TABLES.values():
        _write_table_sheet(wb.create_sheet(table.sheet), table, lists)
    lists.sheet.sheet_state = "hidden"
    wb.move_sheet(lists.sheet, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- data sheets ---------------------------------------------------------------------------


def _is_parent_column(table: Table, column: Column) -> bool:
    return table.name != "perjanjian" and column.name in ("id_perjanjian", *PARENT_LOOKUP_COLUMNS)


def _help(column: Column) -> str:
    """The column's help; for the unit columns with examples of the configured province."""
    if column.kind != REGION:
        return column.help
    kab, kota = example_units()
    return f"{column.help} Mis. {kab.short}, {kota.name}, {kota.code}, {scope().title}."


def _header_comment(table: Table, column: Column) -> str:
    if column.required:
        marker = "(wajib)"
    elif _is_parent_column(table, column):
        marker = "(wajib: isi ID Perjanjian, atau Kab/Kota + Mitra + Tanggal Penandatanganan)"
    else:
        marker = "(tidak wajib)"
    text = f"{column.label} {marker}\n{_help(column)}"
    if column.kind == CODED:
        text += "\nPilihan: " + ", ".join(column.choices) + "."
    elif column.kind == BOOL:
        text += "\nPilihan: Ya, Tidak."
    return text


def _header_fill(table: Table, column: Column) -> PatternFill:
    if column.required:
        return _REQUIRED_FILL
    if _is_parent_column(table, column):
        return _PARENT_FILL
    return _HEADER_FILL


def _column_width(column: Column) -> float:
    base = _WIDTHS.get(column.kind, 24 if column.kind == CODED else 30)
    return max(base, min(len(column.label) + 4, 40))


def _write_table_sheet(ws: Worksheet, table: Table, lists: _ListsSheet) -> None:
    last = VALIDATION_ROWS + 1
    for index, column in enumerate(table.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=column.label)
        cell.font = Font(bold=True)
        cell.fill = _header_fill(table, column)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        comment = Comment(_header_comment(table, column), "KSLN Monitor")
        comment.width, comment.height = 320, 140
        cell.comment = comment

        dimension = ws.column_dimensions[letter]
        dimension.width = _column_width(column)
        # A column style, not styled empty cells: Excel applies it to what the analyst types.
        if column.kind == DATE:
            dimension.number_format = DATE_FORMAT
        elif column.kind == MONEY:
            dimension.number_format = MONEY_FORMAT
        elif column.kind == REGION or column.name == "id_perjanjian":
            dimension.number_format = "@"  # keep codes such as 36.01 as text

        validation = _validation_for(column, lists)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last}")
            ws.add_data_validation(validation)
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}1"


def _validation_for(column: Column, lists: _ListsSheet) -> DataValidation | None:
    if column.kind == CODED:
        return _list_validation(lists.formula(column.label, column.choices), column)
    if column.kind == BOOL:
        return _list_validation(lists.formula("Ya/Tidak", YES_NO), column)
    if column.kind == REGION:
        values = list(REGIONS) if column.name == "kabkota_kode" else list(REGIONS.values())
        return _list_validation(lists.formula(column.label, values), column)
    if column.kind == YEAR:
        validation = DataValidation(type="whole", operator="between", formula1="2000", formula2="2100",
                                    allow_blank=True)
        validation.error = f"{column.label}: isi tahun empat angka, mis. 2024."
        validation.errorTitle = "Tahun tidak valid"
        validation.showErrorMessage = True
        return validation
    return None


def _list_validation(formula: str, column: Column) -> DataValidation:
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.error = f"{column.label}: pilih salah satu nilai dari daftar."
    validation.errorTitle = "Nilai tidak ada di daftar"
    # A warning, not a stop: the importer also accepts synonyms such as "Kab. Lebak".
    validation.errorStyle = "warning"
    validation.showErrorMessage = True
    validation.prompt = _help(column)[:255]  # Excel caps an input message at 255 characters
    validation.promptTitle = column.label[:32]  # Excel caps the title at 32 characters
    validation.showInputMessage = True
    return validation


class _ListsSheet:
    """The hidden sheet holding dropdown values: one column per list, reused by label."""

    def __init__(self, wb: Workbook):
        self.sheet = wb.create_sheet(LISTS_SHEET)
        self._formulas: dict[tuple[str, ...], str] = {}

    def formula(self, title: str, values: tuple[str, ...] | list[str]) -> str:
        values = tuple(values)
        if values in self._formulas:
            return self._formulas[values]
        inline = '"' + ",".join(values) + '"'
        if len(inline) <= _INLINE_LIST_LIMIT and not any("," in v for v in values) and len(values) <= 2:
            formula = inline
        else:
            index = len([f for f in self._formulas.values() if not f.startswith('"')]) + 1
            letter = get_column_letter(index)
            # Header is a plain description, not a column label, so no importer mistakes it for data.
            self.sheet.cell(row=1, column=index, value=f"Pilihan untuk {title}").font = Font(bold=True)
            for row, value in enumerate(values, start=2):
                self.sheet.cell(row=row, column=index, value=value)
            self.sheet.column_dimensions[letter].width = 28
            last = len(values) + 1
            formula = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
        self._formulas[values] = formula
        return formula


# --- instructions ------------------------------------------------------------------------------


def _region_examples() -> str:
    """"Kabupaten Pandeglang, Kab. Pandeglang, Tangsel, 36.74": full name, short name, a local alias, a code."""
    kab, kota = example_units()
    local = next((alias for code in scope().regions if "." in code for alias in local_aliases().get(code, ())), None)
    return ", ".join([kab.name, kab.short, *([local] if local else []), kota.code])


# Names listed one by one in the instructions; the national scope has more (all are refused the same way).
_AMBIGUITY_LISTED = 8


def _ambiguity_lines() -> list[tuple[str, str]]:
    """The bare names this scope's units share, and how to write them instead (derived from the data)."""
    ambiguous = ambiguous_region_names()
    if not ambiguous:
        return []
    names = list(ambiguous.items())[:_AMBIGUITY_LISTED]
    quoted = ", ".join(f"\"{name.title()}\"" for name, _ in names)
    instead = "; ".join(" atau ".join(area(c).name for c in codes) for _, codes in names)
    more = f" (dan {len(ambiguous) - len(names)} nama lain)" if len(ambiguous) > len(names) else ""
    return [("", f"Perhatian: {quoted}{more} saja tidak cukup karena lebih dari satu daerah bernama itu. "
                 f"Tulis {instead}, atau kodenya.")]


def _instruction_lines(report_working_days: int) -> list[tuple[str, str]]:
    """(style, text) lines of the instructions sheet; style is 'title', 'heading' or ''."""
    lines: list[tuple[str, str]] = [
        ("title", f"Templat Impor Data Kerja Sama Luar Negeri (KSLN) — {scope().title}"),
        ("", ("Isi satu baris per data pada lembar Perjanjian, Kegiatan, Indikator dan Laporan, lalu unggah "
             "berkas ini di halaman Unggah Data. Baris 1 setiap lembar adalah judul kolom: jangan diubah.")),
        ("", ("Lembar yang tidak dipakai boleh dibiarkan kosong. Arahkan kursor ke judul kolom untuk "
             "melihat penjelasannya.")),
        ("heading", "Warna judul kolom"),
        ("", "Oranye = wajib diisi (tertulis \"(wajib)\" pada catatan judul kolom)."),
        ("", "Kuning = wajib salah satu: ID Perjanjian, atau Kab/Kota + Mitra + Tanggal Penandatanganan."),
        ("", "Biru = tidak wajib."),
        ("heading", "Isi setiap lembar"),
    ]
    descriptions = {
        "perjanjian": "satu baris per perjanjian (MoU/LoI/PKS) dengan mitra luar negeri.",
        "kegiatan": "satu baris per kegiatan tindak lanjut sebuah perjanjian.",
        "indikator": "satu baris per indikator keberhasilan sebuah perjanjian untuk satu tahun: target dan realisasi.",
        "laporan": "satu baris per laporan tahunan sebuah perjanjian yang telah disampaikan ke Pemerintah Provinsi.",
    }
    for table in TABLES.values():
        required = ", ".join(c.label for c in table.columns if c.required)
        if table.name != "perjanjian":
            required += ", serta ID Perjanjian atau Kab/Kota + Mitra + Tanggal Penandatanganan"
        lines.append(("", f"{table.sheet}: {descriptions[table.name]} Kolom wajib: {required}."))
    regions = "; ".join(f"{code} = {name}" for code, name in REGIONS.items())
    kab, _ = example_units()
    lines += [
        ("heading", "Menghubungkan baris dengan perjanjian"),
        ("", ("Pada lembar Kegiatan, Indikator dan Laporan, sebutkan perjanjiannya dengan ID Perjanjian, "
             "atau dengan Kab/Kota + Mitra + Tanggal Penandatanganan persis seperti pada lembar Perjanjian.")),
        ("", "ID Perjanjian boleh kosong: sistem membuatnya dari kab/kota, mitra dan tanggal penandatanganan."),
        ("heading", "Format yang diterima"),
        ("", ("Tanggal: 11 Maret 2019, 11/03/2019 (hari/bulan/tahun), 11-03-2019, 2019-03-11, "
             "atau tanggal Excel.")),
        ("", "Uang (rupiah): Rp 150.000.000,00 atau 150000000."),
        ("", "Ya/Tidak: Ya, Tidak (juga Ada/Tidak ada). Kolom Ada RIK, Ada AWP dan tujuh kriteria memakai Ya/Tidak."),
        ("", "Tahun: empat angka, mis. 2024."),
        ("", ("Negara: nama dalam bahasa Indonesia atau Inggris, atau kode ISO, mis. Jepang, Korea Selatan, "
             "Tiongkok, Australia, JPN.")),
        ("", f"Kab/Kota: nama atau kode Kemendagri, mis. {_region_examples()}. Daftar kode: {regions}."),
        *_ambiguity_lines(),
    ]
    for table in TABLES.values():
        for column in table.columns:
            if column.kind == CODED:
                lines.append(("", f"Pilihan {column.label} (lembar {table.sheet}): {', '.join(column.choices)}."))
    lines += [
        ("heading", "Mengunggah ulang"),
        ("", ("Mengunggah ulang berkas yang sama atau yang sudah diperbaiki memperbarui baris yang ada, tidak "
             "menggandakannya. Baris yang tidak ada lagi di berkas tidak dihapus, kecuali Anda memilih "
             "mengganti seluruh data kab/kota tersebut.")),
        ("", "Setiap unggahan tercatat di riwayat unggahan dan dapat dibatalkan."),
        ("heading", "Contoh pengisian (jangan disalin ke lembar data bila bukan data sebenarnya)"),
        ("", (f"Perjanjian: Kab/Kota = {kab.name}; Judul Perjanjian = Nota Kesepahaman tentang Kerja Sama "
             "Pengembangan Pariwisata; Jenis = KSDPL; Bentuk Kerja Sama = sister city; Mitra = Kota Contoh; "
             "Negara Mitra = Jepang; Status = berjalan; Tanggal Penandatanganan = 11 Maret 2019; "
             f"Masa Berlaku (Tahun) = 5; Penandatangan = Bupati {kab.bare}; Tanggal Persetujuan DPRD = 04/02/2019; "
             "Anggaran (Rp) = Rp 150.000.000,00; Ada RIK = Ya.")),
        ("", (f"Kegiatan: Kab/Kota = {kab.name}; Mitra = Kota Contoh; Tanggal Penandatanganan = 11/03/2019; "
             "Tanggal Kegiatan = 20/08/2019; Nama Kegiatan = Pelatihan pemandu wisata; "
             "Jenis Kegiatan = pelatihan; Sumber Dana = APBD.")),
        ("", ("Indikator: ID Perjanjian (atau Kab/Kota + Mitra + Tanggal Penandatanganan); Tahun = 2019; "
             "Indikator = Jumlah pemandu wisata terlatih; Satuan = orang; Target = 40; Realisasi = 36.")),
        ("", ("Laporan: ID Perjanjian (atau Kab/Kota + Mitra + Tanggal Penandatanganan); Tahun Anggaran = 2019; "
             "Tanggal Disampaikan = 8 Januari 2020. Laporan tahunan disampaikan paling lambat "
             f"{report_working_days} hari kerja setelah tahun anggaran berakhir.")),
    ]
    return lines


def _write_instructions(ws: Worksheet, report_working_days: int | None) -> None:
    if report_working_days is None:  # the deadline of the rules file in use
        from ksln_metrics.engine.rules import load_rules

        report_working_days = load_rules().report_working_days
    ws.title = INSTRUCTIONS_SHEET
    ws.column_dimensions["A"].width = 120
    for row, (style, text) in enumerate(_instruction_lines(report_working_days), start=1):
        cell = ws.cell(row=row, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "heading":
            cell.font = Font(bold=True, size=12)
