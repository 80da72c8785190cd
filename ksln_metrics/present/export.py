"""Exports of the indicators: CSV and JSON tables of DESIGN §6, safe to open in a spreadsheet."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd

from ksln_metrics.engine.indicators import Results, compute
from ksln_metrics.engine.overview import league_table, province_league
from ksln_metrics.engine.rules import COMPONENTS, FLAG_CODES, Rules, flag_labels
from ksln_metrics.formatting import strip_control_characters
from ksln_metrics.present.tables import COLUMN_HEADERS
from ksln_metrics.reference import scope
from ksln_metrics.store import Store

FORMATS = ("csv", "json")

# A cell starting with one of these is run as a formula by spreadsheet programs (CSV
# injection); tab and carriage return are included as OWASP advises.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

PERJANJIAN_COLUMNS = (
    "id_perjanjian", "kabkota_kode", "kabkota_nama", "judul", "mitra", "negara", "jenis", "bentuk", "status",
    "tanggal_ttd", "tanggal_berakhir", "ditandatangani", "aktif",
    "skor_kepatuhan", "skor_tindak_lanjut", "skor_capaian", "skor_pelaporan", "skor",
    "tahun_aktif", "tahun_dengan_kegiatan", "jumlah_indikator",
    "laporan_wajib", "laporan_tepat_waktu", "laporan_terlambat", "laporan_belum_masuk", "flags",
)
KABKOTA_COLUMNS = (
    "kabkota_kode", "kabkota_nama", "jumlah_perjanjian", "jumlah_aktif", "jumlah_ditandatangani", "skor_rata_rata",
    "laporan_wajib", "laporan_tepat_waktu", "tepat_waktu_persen", "peringkat",
    *(f"jumlah_{code}" for code in FLAG_CODES),
)
# Per province, the province government and its kab/kota together (the national view's league).
PROVINSI_COLUMNS = (
    "provinsi_kode", "provinsi_nama", "jumlah_kabkota", "jumlah_kabkota_berperjanjian", "jumlah_perjanjian",
    "jumlah_perjanjian_pemprov", "jumlah_aktif", "jumlah_ditandatangani", "skor_rata_rata",
    *(c.column for c in COMPONENTS), "laporan_wajib", "laporan_tepat_waktu", "tepat_waktu_persen", "peringkat",
    *(f"jumlah_{code}" for code in FLAG_CODES),
)


def escape_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with a single quote; other values unchanged."""
    if isinstance(value, str):
        # Control characters break .xlsx (openpyxl refuses them) and CSV readers: never exported.
        value = strip_control_characters(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def export_table(results: Results, level: str) -> pd.DataFrame:
    """The columns of DESIGN §6 for one level, dates as ``YYYY-MM-DD`` text."""
    if level == "perjanjian":
        frame = results.agreements.loc[:, list(PERJANJIAN_COLUMNS)]
    elif level == "kabkota":
        frame = results.regions.loc[:, list(KABKOTA_COLUMNS)]
    elif level == "provinsi":
        frame = results.provinces.loc[:, list(PROVINSI_COLUMNS)]
    else:
        raise ValueError(f"unknown level {level!r}")
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d").astype(object).where(frame[column].notna(), None)
    return frame


def to_csv(frame: pd.DataFrame) -> str:
    """CSV (comma, decimal point, UTF-8) with every text cell escaped against formula injection."""
    safe = frame.copy()
    for column in safe.columns:
        if not (pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column])):
            safe[column] = safe[column].map(escape_formula)
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def _plain(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):  # numpy scalars -> int, float, bool
        return _plain(value.item())
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_json(frame: pd.DataFrame) -> str:
    """A list of records; numbers stay numbers, missing values are null."""
    records = [
        {column: _plain(value) for column, value in zip(frame.columns, row, strict=True)}
        for row in frame.itertuples(index=False, name=None)
    ]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def export_indicators(store: Store, level: str, fmt: str, as_of: date | None = None,
                      rules: Rules | None = None) -> str:
    """The text of ``python -m ksln_metrics export``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    frame = export_table(compute(store, as_of, rules), level)
    return to_csv(frame) if fmt == "csv" else to_json(frame)


# --- the Peringatan page's downloads: every flag row with Indonesian headers ---------------------

# The columns of a flag download, in order; headers from COLUMN_HEADERS.
FLAG_EXPORT_COLUMNS = ("id_perjanjian", "kabkota_kode", "kabkota_nama", "judul", "status", "code", "label", "tahun",
                       "year", "reason", "rule")


def flags_export_frame(flags: pd.DataFrame) -> pd.DataFrame:
    """The flag rows with the columns of FLAG_EXPORT_COLUMNS that they have, renamed, text cells escaped."""
    columns = [c for c in FLAG_EXPORT_COLUMNS if c in flags.columns]
    frame = flags.loc[:, columns].rename(columns=COLUMN_HEADERS)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(escape_formula)
    return frame


def flags_csv(flags: pd.DataFrame) -> bytes:
    """``;``-separated UTF-8 with a byte-order mark, as Excel in an Indonesian locale opens it."""
    return flags_export_frame(flags).to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")


def table_sheet(sheet, frame: pd.DataFrame, widths: dict[str, float], default_width: float = 16,
                wrap: tuple[str, ...] = ()) -> None:
    """Write ``frame`` (already escaped) into ``sheet``: bold frozen header, filter, column widths."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_plain(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, default_width)
        if column in wrap:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def flags_xlsx(flags: pd.DataFrame, as_of: date | None = None) -> bytes:
    """One sheet ``Peringatan`` with a bold, frozen header row and a filter; a ``Keterangan`` sheet names ``as_of``."""
    from openpyxl import Workbook

    from ksln_metrics.formatting import format_date_id

    frame = flags_export_frame(flags)
    book = Workbook()
    sheet = book.active
    sheet.title = "Peringatan"
    table_sheet(sheet, frame, {"Judul Perjanjian": 50, "Alasan": 70, "Aturan": 70, "Bendera": 28, "Kab/Kota": 24},
                wrap=("Alasan", "Aturan"))
    note = book.create_sheet("Keterangan")
    note.append(["KSLN Monitor — daftar bendera peringatan"])
    if as_of is not None:
        note.append(["Tanggal acuan", format_date_id(as_of)])
    note.append(["Jumlah baris", len(frame)])
    return workbook_bytes(book)


# --- the Presentasi page's Excel: indicators and flags of both levels in one workbook ------------

# The region sheet: the league table's columns with the counts behind the rates, by rank.
REGION_XLSX_COLUMNS = ("peringkat", "kabkota_kode", "kabkota_nama", "jumlah_perjanjian", "jumlah_aktif",
                       "jumlah_ditandatangani", "skor_rata_rata", *(c.column for c in COMPONENTS), "laporan_wajib",
                       "laporan_tepat_waktu", "tepat_waktu_persen", *(f"jumlah_{code}" for code in FLAG_CODES))
DECIMAL_FORMAT = "#,##0.00"
INTEGER_FORMAT = "#,##0"
# [$-421] is the Indonesian locale: Excel writes the month names in Indonesian (11 Maret 2019).
DATE_FORMAT = "[$-421]d mmmm yyyy"
# Years and ranks are written without a thousands separator (2019, not 2.019).
PLAIN_NUMBER_COLUMNS = {COLUMN_HEADERS[c] for c in ("year", "tahun", "peringkat")}


def _agreements_sheet_frame(agreements: pd.DataFrame) -> pd.DataFrame:
    frame = agreements.loc[:, list(PERJANJIAN_COLUMNS)].copy()
    frame["flags"] = frame["flags"].map(flag_labels)
    for column in ("ditandatangani", "aktif"):
        frame[column] = frame[column].map(lambda v: "Ya" if bool(v) else "Tidak")
    return frame.rename(columns=COLUMN_HEADERS)


def _regions_sheet_frame(regions: pd.DataFrame) -> pd.DataFrame:
    return league_table(regions).loc[:, list(REGION_XLSX_COLUMNS)].rename(columns=COLUMN_HEADERS)


def _provinces_sheet_frame(provinces: pd.DataFrame) -> pd.DataFrame:
    headers = {**COLUMN_HEADERS, "provinsi_kode": "Kode Provinsi", "provinsi_nama": "Provinsi",
               "jumlah_kabkota": "Kab/Kota", "jumlah_kabkota_berperjanjian": "Kab/Kota berperjanjian",
               "jumlah_perjanjian_pemprov": "Perjanjian pemerintah provinsi"}
    columns = ["peringkat", *(c for c in PROVINSI_COLUMNS if c != "peringkat")]  # by rank, as the league reads
    return province_league(provinces).loc[:, columns].rename(columns=headers)


def _cell_value(value):
    value = _plain(value) if not isinstance(value, pd.Timestamp | date) else value
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime().date()
    return escape_formula(value)


def _write_sheet(book, title: str, frame: pd.DataFrame, widths: dict[str, int]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell_value(v) for v in row])
    header_fill = PatternFill("solid", fgColor="08306B")
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = header_fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if len(frame):
        sheet.auto_filter.ref = sheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = widths.get(column, 16)
        series = frame[column]
        if widths.get(column, 0) >= 40:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if column in PLAIN_NUMBER_COLUMNS:
            number_format = "0"
        elif pd.api.types.is_datetime64_any_dtype(series):
            number_format = DATE_FORMAT
        elif pd.api.types.is_float_dtype(series):
            number_format = DECIMAL_FORMAT
        elif pd.api.types.is_integer_dtype(series):
            number_format = INTEGER_FORMAT
        else:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            cell.number_format = number_format


def indicators_xlsx(results: Results, as_of: date) -> bytes:
    """Sheets Perjanjian, Kab-Kota (Excel forbids / in a sheet name) and Peringatan (Indonesian headers, number and date formats, frozen
    header rows, formula-like text escaped), and Keterangan naming ``as_of``."""
    from openpyxl import Workbook

    from ksln_metrics.formatting import format_date_id

    book = Workbook()
    book.remove(book.active)
    _write_sheet(book, "Perjanjian", _agreements_sheet_frame(results.agreements),
                 {"Judul Perjanjian": 50, "Mitra": 36, "Kab/Kota": 24, "Peringatan": 40, "Tanggal Tanda Tangan": 20,
                  "Tanggal Berakhir": 20})
    _write_sheet(book, "Kab-Kota", _regions_sheet_frame(results.regions), {"Kab/Kota": 26})
    if scope().is_national:  # the league of provinces, each with its kab/kota (Results.provinces)
        _write_sheet(book, "Provinsi", _provinces_sheet_frame(results.provinces), {"Provinsi": 30})
    flags = flags_export_frame(results.flags)
    _write_sheet(book, "Peringatan", flags,
                 {"Judul Perjanjian": 50, "Alasan": 70, "Aturan": 70, "Bendera": 28, "Kab/Kota": 24})
    note = book.create_sheet("Keterangan")
    for row in (["KSLN Monitor — indikator keberhasilan dan bendera peringatan"],
                ["Tanggal acuan", format_date_id(as_of)],
                ["Perjanjian", len(results.agreements)],
                ["Kab/Kota", len(results.regions)],
                ["Peringatan", len(flags)]):
        note.append(row)
    note.column_dimensions["A"].width = 22
    return workbook_bytes(book)
