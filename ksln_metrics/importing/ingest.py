"""Spreadsheet bytes -> canonical rows + the list of every problem found.

The importer is forgiving about layout (title rows, merged or two-row headers, synonyms,
total rows, blank rows, CSV dialects) and strict about content: any error blocks the
whole file, and nothing is written until a file is free of errors.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import functools
import hashlib
import html
import io
import logging
import os
import re
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from dataclasses import dataclass, field
from pathlib import PurePath

import duckdb
import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import python_calamine

from ksln_metrics import reference as ref
from ksln_metrics.access import Actor
from ksln_metrics.engine.indicators import sql_text
from ksln_metrics.formatting import CONTROL_CHARACTERS, strip_control_characters
from ksln_metrics.importing import sandbox
from ksln_metrics.importing.cells import (
    DEFAULT_YEARS,
    arrow_strings,
    empty_mask,
    is_text_column,
    may_hold_control_characters,
    parse_series,
)
from ksln_metrics.reference import CHILD_TABLES, PARENT_LOOKUP_COLUMNS, STORED_COLUMNS, TABLES, Table
from ksln_metrics.store import BatchResult, Store, StoreError, TableChange, packed_file

ERROR, WARNING = "galat", "peringatan"
NO_SHEET = "-"
HEADER_SCAN_ROWS = 30
PROBLEMS_PER_COLUMN = 100

EXCEL_EXTENSIONS = {".xlsx", ".xlsm", ".xls", ".ods"}
CSV_EXTENSIONS = {".csv", ".txt"}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Sheets that carry instructions or lookup lists, not data: skipped without a warning.
AUXILIARY_SHEETS = {"petunjuk", "daftar", "instruksi", "cara pengisian", "readme", "keterangan", "referensi"}
# Header cells that number the rows ("No.", "No Urut"): expected, never imported.
ROW_NUMBER_HEADERS = {"no", "no urut", "nomor urut", "urut", "nomor", "#"}
_TOTAL_LABEL = r"^\s*(?:jumlah|total|grand total|sub ?total)\b"
# CONTROL_CHARACTERS as a class that Arrow's RE2 and Python's re read alike (ASCII ones escaped, others literal).
_CONTROL_CLASS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]"

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """Refusal thresholds for uploaded files: bytes, unpacked bytes, cells and columns of a sheet.

    ``isolated`` reads the file in the worker process of :mod:`sandbox` (always, except in
    tests of the reader itself).
    """

    max_bytes: int = 50 * 1024 * 1024
    max_unpacked_bytes: int = 150 * 1024 * 1024  # DESIGN §4: a 200 MB sheet is refused
    max_cells: int = 5_000_000
    max_columns: int = 1_000
    isolated: bool = True
    years: tuple[int, int] | None = None  # plausible years; None: [impor] of the rules file
    scope: str | None = None  # the province (or "nasional") whose units are valid; None: the configured one

    @classmethod
    def from_env(cls) -> Limits:
        mb = os.environ.get("KSLN_MAX_UPLOAD_MB")
        if not mb:
            return cls()
        max_bytes = int(float(mb) * 1024 * 1024)
        return cls(max_bytes=max_bytes, max_unpacked_bytes=3 * max_bytes)


@dataclass(frozen=True)
class Problem:
    """One problem, located as the analyst sees it: file, sheet, Excel row, column header."""

    file: str
    sheet: str
    row: int | None
    column: str
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def line(self) -> str:
        message = self.message if self.is_error else f"peringatan: {self.message}"
        row = "" if self.row is None else str(self.row)
        # One problem, one line: headers and values typed with Alt+Enter carry line breaks.
        return " ".join(f"{self.file}:{self.sheet}:{row}:{self.column}: {message}".split())


class Rejected(Exception):
    """The file as a whole cannot be read; carries the one problem that says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Upload:
    """One file read: its canonical rows per table, and every problem found.

    The rows come from the import worker as Arrow columns; :attr:`tables` turns them into
    DataFrames (text as ``str`` or None) the first time it is asked for. Until then the store
    reads the Arrow columns themselves (:meth:`rows`), without a Python object per cell.
    """

    file_name: str
    content: bytes
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    regions: set[str] = field(default_factory=set)
    _sent: dict | None = field(default=None, repr=False, compare=False)  # the worker's packed frames
    _frames: dict | None = field(default=None, repr=False, compare=False)
    # (content, packed_file(content)) when packed beside the worker's reading: what the batch stores
    _stored: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """The canonical rows per table (stored columns), as DataFrames."""
        if self._frames is None:
            self._frames = sandbox.unpack_tables(self._sent) if self._sent else {}
            self._sent = None  # from now on the frames are the rows: a caller may change them
        return self._frames

    @tables.setter
    def tables(self, value: dict[str, pd.DataFrame]) -> None:
        self._frames, self._sent = value, None

    def rows(self) -> dict[str, pd.DataFrame | pa.Table]:
        """The rows for the store (refusal check, preview, commit): Arrow tables while :attr:`tables` has not
        been asked for, else its frames."""
        if self._frames is None and self._sent:
            arrow = sandbox.arrow_tables(self._sent)
            if arrow is not None:
                return arrow
        return self.tables

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, result: BatchResult) -> str:
        if result.batch_id is None:
            return f"{self.file_name}: tidak ada perubahan (isinya sama dengan data tersimpan)."
        parts = [f"{TABLES[t].sheet}: {describe_change(c)}" for t, c in result.changes.items()]
        return f"{self.file_name}: batch #{result.batch_id} disimpan — " + "; ".join(parts) + "."


def describe_change(change: TableChange) -> str:
    return (
        f"{change.new} baru, {change.updated} diubah, {change.unchanged} sama"
        + (f", {change.deleted} dihapus" if change.deleted else "")
    )


def derive_agreement_id(region: str, partner: str, signed) -> str:
    """Deterministic id from (region code, normalised partner, signing date)."""
    signed_text = "" if signed is None or pd.isna(signed) else pd.Timestamp(signed).date().isoformat()
    digest = hashlib.sha256(f"{region}|{ref.normalize_text(partner)}|{signed_text}".encode()).hexdigest()
    return f"{region.replace('.', '')}-{digest[:10]}"


# --- reading files into grids ------------------------------------------------------------


@dataclass
class _Sheet:
    """One sheet as a grid of text cells, read column by column (Arrow-backed, never one object per cell).

    ``grid`` column ``j`` is spreadsheet column ``j`` (A = 0), row ``i`` is row ``first_row + i``;
    every cell is text as the reader gives it (Excel numbers and dates as fastexcel writes them:
    ``150000000``, ``2019-03-11 00:00:00``), NA where the cell is empty.
    """

    name: str
    grid: pd.DataFrame
    first_row: int = 1

    def head(self) -> list[list]:
        """The first rows as lists of cells (None where empty), for finding the header."""
        rows = self.grid.head(HEADER_SCAN_ROWS)
        return [[None if pd.isna(v) else v for v in row] for row in rows.itertuples(index=False, name=None)]


def _text_column(values: pa.Array | pa.ChunkedArray) -> pd.Series:
    """An Arrow column as a pandas text column (no copy of the strings)."""
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values.to_pandas()


def _text_grid(columns: list[pd.Series], height: int) -> pd.DataFrame:
    grid = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=range(height))
    grid.columns = range(grid.shape[1])
    return grid


def _check_file(file_name: str, content: bytes, limits: Limits) -> str:
    """Refuse what is not what it claims; return the normalised extension."""
    ext = PurePath(file_name).suffix.lower()
    if ext not in EXCEL_EXTENSIONS | CSV_EXTENSIONS:
        raise Rejected(
            f"jenis berkas '{ext or 'tanpa ekstensi'}' tidak didukung; gunakan .xlsx, .xls, .ods atau .csv"
        )
    if len(content) > limits.max_bytes:
        raise Rejected(
            f"berkas berukuran {len(content) / 1048576:.1f} MB melebihi batas {limits.max_bytes / 1048576:.0f} MB; "
            "pecah menjadi beberapa berkas"
        )
    if not content:
        raise Rejected("berkas kosong")
    if ext in (".xlsx", ".xlsm", ".ods"):
        if content.startswith(OLE_MAGIC):
            raise Rejected("berkas terkunci kata sandi (terenkripsi) atau berformat .xls lama; buka kuncinya dan simpan ulang sebagai .xlsx")
        if not content.startswith(ZIP_MAGIC):
            raise Rejected(f"isi berkas bukan {ext} yang sah (mungkin rusak atau ekstensinya diganti)")
        _check_zip(content, ext, limits)
    elif ext == ".xls":
        if not content.startswith(OLE_MAGIC):
            raise Rejected("isi berkas bukan .xls yang sah (mungkin rusak atau ekstensinya diganti)")
    else:
        head = content[:65536]
        if head.startswith((ZIP_MAGIC, OLE_MAGIC)) or b"\x00" in head:
            raise Rejected("berkas ini bukan teks CSV (isinya biner); simpan ulang sebagai CSV UTF-8 atau unggah .xlsx")
    return ext


def _check_zip(content: bytes, ext: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
    except zipfile.BadZipFile:
        raise Rejected(f"isi berkas bukan {ext} yang sah (arsip rusak)") from None
    unpacked = sum(i.file_size for i in infos)
    if unpacked > limits.max_unpacked_bytes:
        raise Rejected(
            f"isi berkas bila dibuka berukuran {unpacked / 1048576:.0f} MB, melebihi batas "
            f"{limits.max_unpacked_bytes / 1048576:.0f} MB (kemungkinan zip bomb atau lembar terlalu besar)"
        )
    if ext == ".ods" and "content.xml" not in names:
        raise Rejected("isi berkas bukan .ods yang sah")
    if ext != ".ods" and "xl/workbook.xml" not in names:
        raise Rejected(f"isi berkas bukan {ext} yang sah (bukan buku kerja Excel)")


# In the worker (sandbox), a second thread parses a workbook while the first scans its sheet XML:
# calamine runs in Rust without the GIL, the scan is mostly Python. Started before the worker's
# memory limit, so that its stack is not charged to the budget; None outside the worker.
_parse_thread: ThreadPoolExecutor | None = None


def start_parse_thread() -> None:
    """Give this process the parsing thread of :func:`_excel_sheets` (the sandbox worker calls it at start)."""
    global _parse_thread
    if _parse_thread is None:
        _parse_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ksln-parse")
        _parse_thread.submit(int).result()  # the thread exists from now on


def _excel_sheets(content: bytes, ext: str, limits: Limits) -> list[_Sheet]:
    """Every sheet of a workbook (xlsx, xls, ods) read by fastexcel into Arrow text columns.

    An .xlsx is first scanned from its XML (the used range of each sheet, against the caps, and
    its merged cells). In the worker, that scan and calamine's parse run at the same time; the
    scan's refusal comes first either way. A sheet so large that calamine's grid exceeds the
    worker's memory ends the worker before the scan can refuse it: :func:`read_upload` then
    asks a fresh worker for the scan alone, so the file gets the same message as here.
    """
    xlsx = ext in (".xlsx", ".xlsm")
    if xlsx and _parse_thread is not None:
        pending = _parse_thread.submit(_load_sheets, content, ext, limits)
        try:
            merged = _check_xlsx_extent(content, limits)
        finally:
            futures_wait([pending])  # never leave the parse running under the next file
        loaded, _ = pending.result()
    else:
        merged = _check_xlsx_extent(content, limits) if xlsx else {}
        loaded, xls_merged = _load_sheets(content, ext, limits)
        merged = merged or xls_merged
    sheets = []
    for name, first_column, batch in loaded:
        height = batch.num_rows
        padding = [_text_column(pa.nulls(height, pa.string())) for _ in range(first_column)]
        grid = _text_grid(padding + [_text_column(batch.column(i)) for i in range(batch.num_columns)], height)
        _fill_merged_cells(grid, merged.get(name, []))
        sheets.append(_Sheet(strip_control_characters(name), grid))
    return sheets


def _load_sheets(content: bytes, ext: str, limits: Limits) -> tuple[list[tuple[str, int, pa.RecordBatch]], dict]:
    """fastexcel's reading of every sheet: (name, first column, Arrow text cells), and an .xls's merged ranges."""
    try:
        workbook = fastexcel.read_excel(content)
        merged = _xls_merged_cells(content) if ext == ".xls" else {}
        loaded = []
        for name in workbook.sheet_names:
            if ext in (".xlsx", ".xlsm"):
                loaded.append((name, *_load_sheet_eagerly(workbook, name, limits)))
                continue
            # Every cell as text, from row 1 (skip_rows=0) so that row numbers are the sheet's own.
            sheet = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string")
            columns = sheet.available_columns()
            first_column = columns[0].absolute_index if columns else 0
            _check_extent(name, sheet.total_height, first_column + sheet.width, limits)
            loaded.append((name, first_column, sheet.to_arrow()))
        return loaded, merged
    except (Rejected, MemoryError):
        raise
    except Exception as exc:  # calamine raises several types for damaged files
        if "password" in str(exc).lower() or isinstance(exc, python_calamine.PasswordError):
            raise Rejected("berkas terkunci kata sandi; buka kuncinya dan simpan ulang") from None
        raise Rejected(f"berkas tidak dapat dibaca sebagai lembar kerja ({type(exc).__name__}); simpan ulang dari Excel") from None


def _load_sheet_eagerly(workbook: fastexcel.ExcelReader, name: str, limits: Limits) -> tuple[int, pa.RecordBatch]:
    """One sheet of an .xlsx as (first column, Arrow text cells), read by fastexcel in one step.

    The eager reading goes from calamine's cells to Arrow without an owned copy of each cell (a
    good part of the parse); the same texts as the two-step one. It reports no column positions,
    so the first column's is taken from the column filter, which sees each column once. An .xlsx
    has had its extent checked from its XML by then; the check here stands for what that scan
    could not see, as in the two-step reading.
    """
    positions: list[int] = []

    def every_column(column) -> bool:
        positions.append(column.absolute_index)
        return True

    batch = workbook.load_sheet(name, header_row=None, skip_rows=0, dtypes="string", eager=True,
                                use_columns=every_column)
    first_column = min(positions, default=0)
    _check_extent(name, batch.num_rows, first_column + batch.num_columns, limits)
    return first_column, batch


def _xls_merged_cells(content: bytes) -> dict[str, list]:
    """Merged ranges of an .xls per sheet (fastexcel does not report them; calamine's own reader does)."""
    workbook = python_calamine.load_workbook(io.BytesIO(content))
    return {name: workbook.get_sheet_by_name(name).merged_cell_ranges or [] for name in workbook.sheet_names}


def _column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes | str) -> int:
    number = 0
    for ch in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(ch) - 64
    return number


def _check_extent(sheet: str, rows: int, columns: int, limits: Limits) -> None:
    """Refuse a sheet whose used range (first to last used cell) is wider or larger than the caps."""
    if columns > limits.max_columns or rows * columns > limits.max_cells:
        last = f"{_column_letters(max(columns, 1))}{max(rows, 1)}"
        raise Rejected(
            f"lembar '{sheet}' terpakai sampai sel {last} ({ref_count(rows)} baris × {ref_count(columns)} kolom); "
            f"batasnya {ref_count(limits.max_columns)} kolom dan {ref_count(limits.max_cells)} sel. Hapus isi dan "
            "format sel di luar tabel (Ctrl+End di Excel menunjukkan sel terakhir), lalu simpan ulang"
        )


def ref_count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


# Excel, LibreOffice and most writers put ``r`` first and use no prefix: the fast patterns. Files
# where they miss some cells (another attribute order, a namespace prefix) get the general ones.
_CELL_COLUMN_FAST = re.compile(rb'<c r="([A-Z]{1,3})')
_ROW_NUMBER_FAST = re.compile(rb'<row r="([0-9]{1,9})"(?: spans="[0-9]+:([0-9]+)")?')
_CELL_COLUMN = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})')
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,9})"')
_FAR_CELL_ROW = re.compile(rb' r="[A-Z]{1,3}([0-9]{6,9})"')  # a literal start: searched at C speed
_SHEET_ENTRY = re.compile(r"^xl/worksheets/[^/]+\.xml$")
# A reference beyond column Z or beyond row 999,999: the quick bound below cannot vouch for the sheet.
_FAR_REFERENCE = re.compile(rb' r="(?:[A-Z]{2,3}[0-9]|[A-Z][0-9]{7})')
QUICK_SCAN_BYTES = 1 << 20
_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _check_xlsx_extent(content: bytes, limits: Limits) -> dict[str, list]:
    """The used range of every worksheet from its XML, before calamine allocates a grid for it.

    Cell references are scanned with a few regular expressions (C speed, no XML tree); the
    cell count is checked too, for writers that leave the references out. Returns the merged
    ranges of each sheet (((row, column), (row, column)) from 0), which fastexcel does not report.
    """
    merged: dict[str, list] = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = _sheet_names(archive)
        for info in archive.infolist():
            if not _SHEET_ENTRY.match(info.filename):
                continue
            data = archive.read(info)
            sheet = names.get(info.filename, PurePath(info.filename).stem)
            if len(data) > QUICK_SCAN_BYTES and (rows := _quick_row_bound(data, limits)):
                _check_extent(sheet, rows, 26, limits)
            else:
                _check_sheet_xml(sheet, data, limits)
            tail = data.rfind(b"mergeCells")
            if tail >= 0:
                merged[sheet] = [
                    ((int(r0) - 1, _column_number(c0) - 1), (int(r1) - 1, _column_number(c1) - 1))
                    for c0, r0, c1, r1 in _MERGE_CELL.findall(data, max(0, data.find(b"<mergeCells") - 1))
                ]
            del data
    return merged


def extent_refusal(content: bytes, limits: Limits) -> str | None:
    """Why the sheet XML scan of :func:`_check_xlsx_extent` refuses a workbook, or None."""
    try:
        _check_xlsx_extent(content, limits)
    except Rejected as exc:
        return exc.message
    except Exception:  # a damaged archive: the parse's own message stands
        return None
    return None


def _quick_row_bound(data: bytes, limits: Limits) -> int | None:
    """The last row of a large sheet whose cells all lie in columns A to Z, or None when that is not certain.

    Two C-speed passes instead of the full scan: the number of the last ``<row>`` (rows come in
    order), and one search for any reference beyond column Z or row 999,999. What this bound does
    not see (rows out of order) is still refused after reading, from the sheet's size, or by the
    worker's memory budget.
    """
    last = data.rfind(b"<row ")
    found = _ROW_NUMBER_FAST.match(data, last) if last >= 0 else None
    if found is None or _FAR_REFERENCE.search(data):
        return None
    rows = int(found.group(1))
    return rows if rows * 26 <= limits.max_cells else None


def _check_sheet_xml(sheet: str, data: bytes, limits: Limits) -> None:
    """The full scan of one worksheet's XML: every row number and cell reference."""
    cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/>")
    found = _ROW_NUMBER_FAST.findall(data)
    if len(found) == data.count(b"<row") and all(span for _, span in found):
        # Excel writes each row's column span: no need to look at every cell. A span that
        # lies is caught by the memory budget of the worker.
        row_numbers = [r for r, _ in found]
        columns = max((int(span) for span in {span for _, span in found}), default=0)
    else:
        row_numbers = [r for r, _ in found] if len(found) == data.count(b"<row") else _ROW_NUMBER.findall(data)
        letters = _CELL_COLUMN_FAST.findall(data)
        if len(letters) < cells or b":c " in data:
            letters = _CELL_COLUMN.findall(data)
        columns = max((_column_number(c) for c in set(letters)), default=0)
    rows = max((int(r) for r in set(row_numbers)), default=0)
    rows = max([rows, *(int(r) for r in set(_FAR_CELL_ROW.findall(data)))])
    _check_extent(sheet, rows, columns, limits)
    if cells > limits.max_cells:
        raise Rejected(f"lembar '{sheet}' berisi {ref_count(cells)} sel; batasnya {ref_count(limits.max_cells)} "
                       "sel. Pecah berkas menjadi beberapa berkas")


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name as the analyst sees it (best effort; the part name otherwise)."""
    try:
        workbook = archive.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    except KeyError:
        return {}
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'\bId="([^"]+)"', rel.group(0))
        target = re.search(r'\bTarget="([^"]+)"', rel.group(0))
        if rid and target:
            path = target.group(1).lstrip("/")
            targets[rid.group(1)] = path if path.startswith("xl/") else f"xl/{path}"
    names = {}
    for sheet in re.finditer(r"<(?:\w+:)?sheet\b[^>]*>", workbook):
        name = re.search(r'\bname="([^"]*)"', sheet.group(0))
        rid = re.search(r'\br:id="([^"]+)"', sheet.group(0))
        if name and rid and rid.group(1) in targets:
            names[targets[rid.group(1)]] = html.unescape(name.group(1))
    return names


def _fill_merged_cells(grid: pd.DataFrame, ranges) -> None:
    """Give every empty cell of a merged header range the text of its top-left cell."""
    height, width = grid.shape
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= HEADER_SCAN_ROWS or r0 >= height or c0 >= width:
            continue
        value = grid.iat[r0, c0]
        if pd.isna(value):
            continue
        for c in range(c0, min(c1, width - 1) + 1):
            cells = grid[c].iloc[r0:min(r1, height - 1) + 1]
            blank = cells.isna() | cells.eq("")
            if blank.any():
                column = grid[c].copy()
                column.iloc[np.flatnonzero(blank.to_numpy()) + r0] = value
                grid[c] = column


SAVE_AS_UTF8 = "simpan ulang dari Excel sebagai \"CSV UTF-8 (Comma delimited)\", atau unggah .xlsx"
_VALID_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_UTF7_RUN = re.compile(r"\+[A-Za-z0-9+/]{3,}-?")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f\u2013\u2014\u2018\u2019\u201c\u201d\u00a0]{3,}")
# Letters of Mac Roman read as Windows-1252 (å -> Œ, é -> Ž, ü -> Ÿ, ...) stuck to a letter.
_MAC_ROMAN_TRACE = re.compile(r"[A-Za-z][\u0152\u017d\u0178\u2030\u2020\u2021\u02c6\u02dc\u2022\u2122]"
                              r"|[\u0152\u017d\u0178\u2030\u2020\u2021\u02c6\u02dc\u2022][a-z]")


_CJK_OR_CYRILLIC = re.compile(r"[\u0400-\u04ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")


def _other_script_encoding(content: bytes) -> str | None:
    """charset-normalizer's reading of bytes that Windows-1252 also accepts, when it finds another script in them."""
    from charset_normalizer import from_bytes

    best = from_bytes(content[: 1 << 20]).best()
    if best is None or best.encoding in ("utf_8", "ascii", "cp1252", "latin_1"):
        return None
    decoded = str(best)
    letters = sum(1 for c in decoded if not c.isascii() and c.isalpha())
    foreign = len(_CJK_OR_CYRILLIC.findall(decoded))
    return best.encoding.replace("_", "-").upper() if letters and foreign >= letters / 2 else None


def _decode(content: bytes) -> tuple[str, str | None, bool]:
    """CSV bytes -> text as UTF-8 (with or without BOM) or Windows-1252, a warning if any, and whether it was UTF-8.

    Other encodings would be stored as mojibake (``Timrå`` as ``TimrÃ¥``): they are refused
    when the bytes say so clearly, and warned about when they only hint at it.
    """
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if _VALID_UTF8_SEQUENCE.search(content):
            raise Rejected(
                f"berkas mencampur dua sandi huruf (UTF-8 dan Windows-1252; mis. bita ke-{exc.start + 1}), sehingga "
                f"huruf seperti å atau é akan rusak; {SAVE_AS_UTF8}"
            ) from None
    else:
        for match in _UTF7_RUN.finditer(text) if "+" in text else ():  # a run starts with '+': one C search first
            try:
                decoded = match.group(0).encode("ascii").decode("utf-7")
            except UnicodeDecodeError:
                continue
            if decoded and all("\u00a0" <= c <= "\u024f" for c in decoded):
                raise Rejected(f"berkas tampaknya bersandi UTF-7 ('{match.group(0)}' berarti '{decoded}'); {SAVE_AS_UTF8}")
        return text, None, True
    try:
        text = content.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise Rejected(
            f"sandi huruf berkas tidak dikenali (bita 0x{content[exc.start]:02X} ke-{exc.start + 1} tidak ada di "
            f"UTF-8 maupun Windows-1252; mis. Shift-JIS, GB18030 atau KOI8-R); {SAVE_AS_UTF8}"
        ) from None
    if run := _NON_ASCII_RUN.search(text):
        raise Rejected(
            f"berkas tampaknya bersandi selain UTF-8 atau Windows-1252 (mis. Shift-JIS, GB18030 atau KOI8-R): teks "
            f"terbaca '{run.group(0)[:20]}'; {SAVE_AS_UTF8}"
        )
    if not text.isascii() and (other := _other_script_encoding(content)):
        raise Rejected(
            f"berkas tampaknya bersandi {other} (huruf Asia Timur atau Sirilik), bukan UTF-8 atau Windows-1252; "
            f"{SAVE_AS_UTF8}"
        )
    if trace := _MAC_ROMAN_TRACE.search(text):
        return text, (f"sebagian huruf mungkin rusak (terbaca '{trace.group(0)}'; berkas dari Mac bersandi Mac Roman?); "
                      f"periksa hasilnya, atau {SAVE_AS_UTF8}"), False
    return text, None, False


def _csv_sheet(content: bytes, limits: Limits, reader: _Reader) -> _Sheet:
    text, warning, utf8 = _decode(content)
    if warning:
        reader.problem(NO_SHEET, None, "-", warning, WARNING)
    head = text[:65536].splitlines()[:HEADER_SCAN_ROWS]
    _check_csv_width(text, limits)
    best: tuple[int, str, int, int] | None = None
    head_text = "\n".join(head)
    for delimiter in (";", ",", "\t", "|"):
        if best is not None and delimiter not in head_text:
            continue  # one field per row: no header of two columns or more to find
        rows = list(csv.reader(head, delimiter=delimiter))
        found = _find_header(rows, TABLES.values())
        score = len(found[2]) if found else 0
        if best is None or score > best[0]:
            best = (score, delimiter, max((len(r) for r in rows), default=1), found[1] if found else -1)
    delimiter, width = (best[1], best[2]) if best and best[0] else (";", 1)
    below = content if utf8 else None
    if best and best[0] and (grid := _csv_grid_below_header(text, delimiter, best[3], width, below)) is not None:
        return _Sheet(NO_SHEET, grid)
    try:
        # Title rows above the header have fewer fields: name the columns up front so the
        # fast C parser pads them instead of refusing the file.
        grid = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=None, names=range(width), dtype="str",
            keep_default_na=False, skip_blank_lines=False, engine="c", quotechar='"',
        )
    except (pd.errors.ParserError, ValueError):
        # Ragged rows (more fields further down): read them all, padded to one width.
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        width = max((len(r) for r in rows), default=0)
        grid = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], columns=range(width), dtype="str")
    return _Sheet(NO_SHEET, grid)


def _csv_grid_below_header(text: str, delimiter: str, header_row: int, width: int,
                           utf8: bytes | None = None) -> pd.DataFrame | None:
    """The grid of a regular CSV, its rows below the header read by pyarrow's CSV reader (C++, threads).

    Regular: no quotes and no lone carriage returns above the header, and every row below it has
    the header's number of fields (Excel's CSV export pads them all). Anything else gives None,
    and the file is read by pandas as before. ``utf8``: the file's bytes when ``text`` is their
    UTF-8 decoding, read in place below the header instead of encoding the text again.
    """
    position = 0
    for _ in range(header_row + 1):
        end = text.find("\n", position)
        if end < 0:
            return None
        position = end + 1
    top = text[:position]
    if '"' in top or "\r" in top.replace("\r\n", ""):
        return None
    top_rows = list(csv.reader(top.splitlines(), delimiter=delimiter))
    if len(top_rows) != header_row + 1 or len(top_rows[header_row]) != width:
        return None
    names = [str(j) for j in range(width)]
    if utf8 is not None:  # the text's own bytes: the rows below the header start after the BOM and the top's bytes
        data, start = utf8, (len(codecs.BOM_UTF8) if utf8.startswith(codecs.BOM_UTF8) else 0) + len(top.encode("utf-8"))
    else:
        data, start = text[position:].encode("utf-8"), 0
    # A value holds a line break only inside quotes: without any quote, the reader need not track them.
    quoted = data.find(b'"', start) >= 0
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data).slice(start)),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              newlines_in_values=quoted, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    # Each column as one Arrow array (the rows above, then the reader's blocks): every later step reads
    # a column's bytes in place, which a column of several chunks would have it copy again each time.
    above = [r + [""] * (width - len(r)) for r in top_rows]
    columns = [_text_column(pa.concat_arrays([pa.array([r[j] for r in above], pa.string()), *table.column(j).chunks]))
               for j in range(width)]
    return _text_grid(columns, len(above) + table.num_rows)


def _check_csv_width(text: str, limits: Limits) -> None:
    """Refuse a CSV wider than the column cap from its first lines, before any field is split."""
    start = 0
    for number in range(1, HEADER_SCAN_ROWS + 1):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        fields = max(line.count(d) for d in (";", ",", "\t", "|")) + 1
        if fields > limits.max_columns:
            raise Rejected(
                f"baris {number} berisi {ref_count(fields)} kolom; batasnya {ref_count(limits.max_columns)} kolom. "
                "Periksa pemisah kolomnya atau pecah berkasnya"
            )
        if end < 0:
            return
        start = end + 1


# --- headers ---------------------------------------------------------------------------------


def _synonyms(table: Table) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in table.columns:
        for name in (column.name, column.label, *column.synonyms):
            lookup.setdefault(ref.normalize_text(name), column.name)
    return lookup


_SYNONYMS = {name: _synonyms(table) for name, table in TABLES.items()}


def _cell_text(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return _normalized(value) if isinstance(value, str) else ""


@functools.lru_cache(maxsize=8192)
def _normalized(text: str) -> str:
    """``normalize_text`` of a header candidate: the same few cells are looked at per table and per delimiter."""
    return ref.normalize_text(text)


def _header_candidates(rows: list[list], r: int, j: int) -> list[str]:
    below = _cell_text(rows[r][j]) if j < len(rows[r]) else ""
    above = _cell_text(rows[r - 1][j]) if r > 0 and j < len(rows[r - 1]) else ""
    candidates = []
    if above and below and above != below:
        candidates.append(f"{above} {below}")
    if below:
        candidates.append(below)
    elif above:
        candidates.append(above)
    return candidates


def _match_header(rows: list[list], r: int, table: Table) -> dict[int, str]:
    """Column index -> canonical name for header row ``r`` (using row r-1 for two-row headers)."""
    lookup = _SYNONYMS[table.name]
    matched: dict[int, str] = {}
    used: set[str] = set()
    for j in range(len(rows[r])):
        for candidate in _header_candidates(rows, r, j):
            canonical = lookup.get(candidate)
            if canonical and canonical not in used:
                matched[j] = canonical
                used.add(canonical)
                break
    return matched


def _find_header(rows: list[list], tables) -> tuple[Table, int, dict[int, str]] | None:
    best = None
    for r in range(min(HEADER_SCAN_ROWS, len(rows))):
        for table in tables:
            matched = _match_header(rows, r, table)
            # Ties go to the later row: the lower row of a two-row header.
            if len(matched) >= 2 and (best is None or len(matched) >= len(best[2])):
                if best is None or len(matched) > len(best[2]) or r > best[1]:
                    best = (table, r, matched)
    return best


def _table_for_sheet(name: str) -> Table | None:
    text = ref.normalize_text(name)
    for table in TABLES.values():
        if text in {ref.normalize_text(s) for s in (table.sheet, *table.sheet_synonyms)}:
            return table
    return None


# --- rows -> canonical frames -----------------------------------------------------------------


@dataclass
class _Part:
    """The rows one sheet contributes to one table."""

    table: Table
    sheet: str
    frame: pd.DataFrame  # raw cells by canonical name + _row (Excel row number)
    headers: dict[str, str]  # canonical -> header as written
    empty: pd.DataFrame  # empty_mask of every column, computed once


class _Reader:
    def __init__(self, file_name: str, years: tuple[int, int] | None = None):
        self.file_name = file_name
        self.problems: list[Problem] = []
        self.recognised_sheets = 0
        self.years = years or _plausible_years()

    def problem(self, sheet, row, column, message, severity=ERROR) -> None:
        self.problems.append(Problem(self.file_name, sheet, row, column, message, severity))

    # sheets -> parts

    def parts(self, sheets: list[_Sheet]) -> list[_Part]:
        parts = []
        for sheet in sheets:
            part = self._part(sheet)
            if part is not None:
                parts.append(part)
        if not self.recognised_sheets:
            self.problem(
                NO_SHEET, None, "-",
                "tidak ada lembar data yang dikenali: judul kolom tidak cocok dengan templat "
                "(Perjanjian, Kegiatan, Indikator, Laporan); unduh templat dari aplikasi",
            )
        return parts

    def _part(self, sheet: _Sheet) -> _Part | None:
        head_rows = sheet.head()
        named = _table_for_sheet(sheet.name) if sheet.name != NO_SHEET else None
        found = _find_header(head_rows, [named] if named else TABLES.values())
        if found is None:
            if sheet.name != NO_SHEET and ref.normalize_text(sheet.name) not in AUXILIARY_SHEETS:
                if any(any(_cell_text(c) for c in row) for row in head_rows):
                    self.problem(sheet.name, None, "-", "lembar tidak dikenali (judul kolom tidak cocok dengan templat) dan dilewati", WARNING)
            return None
        table, header_row, matched = found
        self.recognised_sheets += 1
        headers = {canonical: strip_control_characters(str(head_rows[header_row][j])).strip()
                   for j, canonical in matched.items()}
        for j, value in enumerate(head_rows[header_row]):
            text = _cell_text(value)
            above = _cell_text(head_rows[header_row - 1][j]) if header_row > 0 and j < len(head_rows[header_row - 1]) else ""
            if j not in matched and (text or above) and text not in ROW_NUMBER_HEADERS and above not in ROW_NUMBER_HEADERS:
                shown = _shown(value) if text else _shown(head_rows[header_row - 1][j])
                self.problem(sheet.name, header_row + sheet.first_row, shown, "kolom tidak dikenal, diabaikan", WARNING)

        data = sheet.grid.iloc[header_row + 1:].reset_index(drop=True)
        first_data_row = header_row + 1 + sheet.first_row
        label_columns = data[list(data.columns)[:3]]
        frame = pd.DataFrame({canonical: data[j] for j, canonical in matched.items()})
        frame["_row"] = np.arange(first_data_row, first_data_row + len(data))
        frame, empties = self._drop_non_data_rows(frame, table, label_columns)

        missing = [c for c in table.columns if c.required and c.name not in frame.columns]
        missing = [c for c in missing if not self._satisfied_otherwise(table, c.name, frame)]
        for column in missing:
            self.problem(sheet.name, header_row + sheet.first_row, column.label,
                         f"kolom wajib '{column.label}' tidak ditemukan; tambahkan kolom ini (lihat templat)")
        if missing:
            return None
        return _Part(table, sheet.name, frame, headers, empties)

    @staticmethod
    def _satisfied_otherwise(table: Table, column: str, frame: pd.DataFrame) -> bool:
        if table.name == "perjanjian" and column == "kabkota":
            return "kabkota_kode" in frame.columns
        if table.name in CHILD_TABLES and column == "id_perjanjian":
            return all(c in frame.columns for c in PARENT_LOOKUP_COLUMNS)
        return False

    @staticmethod
    def _drop_non_data_rows(frame: pd.DataFrame, table: Table, label_columns: pd.DataFrame) -> pd.DataFrame:
        data_cols = [c for c in frame.columns if c != "_row"]
        empties = pd.DataFrame({c: empty_mask(frame[c]) for c in data_cols})
        blank = empties.all(axis=1)
        required = [c.name for c in table.columns if c.required and c.name in frame.columns]
        # A total row lacks a required value: only those few rows are searched for 'JUMLAH'.
        candidates = empties[required].any(axis=1) & ~blank if required else ~blank
        is_total = pd.Series(False, index=frame.index)
        if candidates.any():
            rows = frame[candidates]
            label_text = _row_labels(label_columns[candidates.to_numpy()]).fillna("").astype(str)
            hit = label_text.str.contains(_TOTAL_LABEL, case=False, regex=True)
            for c in data_cols:
                if is_text_column(rows[c]):
                    hit |= rows[c].str.contains(_TOTAL_LABEL, case=False, regex=True).fillna(False).astype(bool)
                elif rows[c].dtype == object:
                    texts = rows[c].map(lambda v: v if isinstance(v, str) else "")
                    hit |= texts.str.contains(_TOTAL_LABEL, case=False, regex=True)
            is_total[hit[hit].index] = True
        numbering = _numbering_row(frame[data_cols])
        keep = (~(blank | is_total | numbering)).to_numpy()
        kept = np.flatnonzero(keep)
        if len(kept) and kept[-1] - kept[0] + 1 == len(kept):  # one run of rows (blank or total rows at the ends)
            rows = slice(kept[0], kept[-1] + 1)  # a view of the columns, not a copy of every cell
            return frame.iloc[rows], empties.iloc[rows]
        return frame[keep], empties[keep]

    # parts -> canonical tables

    def canonical(self, part: _Part) -> pd.DataFrame:
        out = pd.DataFrame(index=part.frame.index)
        out["_row"] = part.frame["_row"]
        out["_sheet"] = part.sheet
        for name in part.frame.columns:
            if name == "_row":
                continue
            column = part.table.column(name)
            self._strip_control_characters(part, name)
            values, errors = parse_series(column, part.frame[name], part.empty[name], self.years, text_as_arrow=True)
            if column.open_choices:
                unknown = errors.notna()
                if unknown.any():
                    raw = part.frame[name][unknown].map(lambda v: " ".join(str(v).lower().split()))
                    values = values.astype(object)
                    values[unknown] = raw
                    self._report(part, name, errors[unknown],
                                 "tidak dikenal, dihitung sebagai kegiatan substantif", WARNING)
            else:
                self._report(part, name, errors)
            out[name] = values
        for column in part.table.columns:
            if column.required and column.name in out.columns:
                empty = out[column.name].isna() & part.empty[column.name]
                for row in out.loc[empty, "_row"].head(PROBLEMS_PER_COLUMN):
                    self.problem(part.sheet, int(row), part.headers[column.name], "wajib diisi")
        return out

    def _strip_control_characters(self, part: _Part, name: str) -> None:
        """Remove control and direction-override characters from the text cells of a column, with a warning each."""
        raw = part.frame[name]
        if is_text_column(raw):  # one pass in Arrow over the whole column, when its bytes do not clear it
            if not may_hold_control_characters(arrow_strings(raw)):
                return
            hit = raw.str.contains(_CONTROL_CLASS, regex=True).fillna(False).astype(bool)
            if not hit.any():
                return
        else:
            texts = [v for v in raw.to_numpy(dtype=object) if type(v) is str]
            if not texts or not CONTROL_CHARACTERS.search("".join(texts)):  # one search for the common clean column
                return
            hit = raw.map(lambda v: type(v) is str and CONTROL_CHARACTERS.search(v) is not None).astype(bool)
        header = part.headers[name]
        for count, index in enumerate(raw.index[hit]):
            value = raw.at[index]
            if count < PROBLEMS_PER_COLUMN:
                found = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(CONTROL_CHARACTERS.findall(value)))
                self.problem(part.sheet, int(part.frame.at[index, "_row"]), header,
                             f"karakter kendali ({found}) dihapus dari nilai '{_shown(value)}'", WARNING)
        if hit.sum() > PROBLEMS_PER_COLUMN:
            self.problem(part.sheet, None, header,
                         f"dan {int(hit.sum()) - PROBLEMS_PER_COLUMN} baris lain di kolom ini dengan karakter kendali "
                         "yang dihapus", WARNING)
        cleaned = raw.copy()
        cleaned[hit] = raw[hit].map(strip_control_characters)
        part.frame[name] = cleaned
        part.empty[name] = empty_mask(cleaned)

    def _report(self, part: _Part, name: str, errors: pd.Series, note: str | None = None, severity=ERROR) -> None:
        bad = errors[errors.notna()]
        if bad.empty:
            return
        raw = part.frame[name]
        header = part.headers[name]
        for index, message in bad.head(PROBLEMS_PER_COLUMN).items():
            text = note or message
            self.problem(part.sheet, int(part.frame.at[index, "_row"]), header,
                         f"nilai '{_shown(raw.at[index])}' {'' if note else 'tidak dapat dibaca: '}{text}", severity)
        if len(bad) > PROBLEMS_PER_COLUMN:
            self.problem(part.sheet, None, header,
                         f"dan {len(bad) - PROBLEMS_PER_COLUMN} baris lain di kolom ini dengan masalah serupa", severity)


def _plausible_years() -> tuple[int, int]:
    """[impor] of data/aturan.toml; the defaults when the file cannot be read (its own page reports that)."""
    from ksln_metrics.engine.rules import RulesError, load_rules

    try:
        rules = load_rules()
    except RulesError:
        return DEFAULT_YEARS
    return rules.import_year_min, rules.import_year_max


def clean_file_name(name: str) -> str:
    """A file name as stored and shown: no control characters, no directory part, never empty."""
    cleaned = strip_control_characters(PurePath(str(name).replace("\\", "/")).name).strip()
    return cleaned or "berkas"


def _shown(value) -> str:
    text = strip_control_characters(str(value)).strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _row_labels(data: pd.DataFrame) -> pd.Series:
    """The first text cell of each row among the first three columns: where 'JUMLAH' or 'TOTAL' is written.

    Cells that are a plain number (the row numbers of a "No." column) are not labels.
    """
    labels = pd.Series(None, index=data.index, dtype=object)
    for j in list(data.columns)[:3]:
        column = data[j]
        stripped = column.str.strip()
        is_label = (stripped.ne("") & ~stripped.str.fullmatch(r"-?[0-9]+(?:\.[0-9]+)?")).fillna(False).astype(bool)
        labels = labels.where(labels.notna(), column.where(is_label).astype(object))
    return labels.where(labels.notna(), None)


def _numbering_row(frame: pd.DataFrame) -> pd.Series:
    """The '(1) (2) (3)' row some offices put under the header: column numbers, not data."""
    result = pd.Series(False, index=frame.index)
    if frame.empty:
        return result
    first = frame.index[0]
    cells = [str(v).strip().strip("()") for v in frame.loc[first].tolist() if str(v).strip() not in ("", "None", "nan")]
    if len(cells) >= 3 and all(c.replace(".0", "").isdigit() for c in cells):
        numbers = [int(float(c)) for c in cells]
        if numbers == sorted(numbers) and numbers[0] <= 2 and len(set(numbers)) == len(numbers):
            result[first] = True
    return result


# --- table-level checks ---------------------------------------------------------------------


def _region_checks(reader: _Reader, frame: pd.DataFrame, headers: dict[str, dict[str, str]]) -> pd.DataFrame:
    if "kabkota_kode" in frame.columns:
        if "kabkota" in frame.columns:
            conflict = frame["kabkota"].notna() & frame["kabkota_kode"].notna() & (frame["kabkota"] != frame["kabkota_kode"])
            for _, row in frame[conflict].head(PROBLEMS_PER_COLUMN).iterrows():
                reader.problem(
                    row["_sheet"], int(row["_row"]), headers[row["_sheet"]].get("kabkota_kode", "Kode Kab/Kota"),
                    f"kode {row['kabkota_kode']} ({ref.region_name(row['kabkota_kode'])}) bertentangan dengan "
                    f"kab/kota {ref.region_name(row['kabkota'])} ({row['kabkota']})",
                )
            frame["kabkota"] = frame["kabkota"].where(frame["kabkota"].notna(), frame["kabkota_kode"])
        else:
            frame["kabkota"] = frame["kabkota_kode"]
    return frame


def _end_of_validity(rows: pd.DataFrame) -> list:
    """End dates as the engine computes them (macro ``akhir_berlaku`` in engine/sql/macros.sql), in row order."""
    with duckdb.connect() as con:
        con.execute(sql_text("macros"))
        con.register("berlaku", rows.assign(
            tanggal_berakhir=pd.to_datetime(rows["tanggal_berakhir"]),
            tanggal_ttd=pd.to_datetime(rows["tanggal_ttd"]),
            masa_berlaku_tahun=pd.to_numeric(rows["masa_berlaku_tahun"], errors="coerce").astype(float),
        ).reset_index(drop=True).reset_index(names="urut"))
        found = con.execute(
            "SELECT akhir_berlaku(CAST(tanggal_berakhir AS DATE), CAST(tanggal_ttd AS DATE), masa_berlaku_tahun) "
            "FROM berlaku ORDER BY urut"
        ).fetchall()
    return [row[0] for row in found]


def _finish_perjanjian(reader: _Reader, frame: pd.DataFrame, headers) -> pd.DataFrame:
    frame = _region_checks(reader, frame, headers)
    for name in STORED_COLUMNS["perjanjian"]:
        if name not in frame.columns:
            frame[name] = None
    fill = frame["tanggal_berakhir"].isna() & frame["masa_berlaku_tahun"].notna() & frame["tanggal_ttd"].notna()
    if fill.any():
        ends = _end_of_validity(frame.loc[fill, ["tanggal_berakhir", "tanggal_ttd", "masa_berlaku_tahun"]])
        for index, end in zip(frame.index[fill], ends, strict=True):
            frame.at[index, "tanggal_berakhir"] = pd.Timestamp(end)
    ends_before = frame["tanggal_berakhir"].notna() & frame["tanggal_ttd"].notna() & (
        pd.to_datetime(frame["tanggal_berakhir"]) < pd.to_datetime(frame["tanggal_ttd"])
    )
    for _, row in frame[ends_before].iterrows():
        reader.problem(row["_sheet"], int(row["_row"]), headers[row["_sheet"]].get("tanggal_berakhir", "Tanggal Berakhir"),
                       "tanggal berakhir lebih awal daripada tanggal penandatanganan")
    signed_no_date = frame["status"].isin(ref.SIGNED_STATUSES) & frame["tanggal_ttd"].isna()
    for _, row in frame[signed_no_date].head(PROBLEMS_PER_COLUMN).iterrows():
        reader.problem(row["_sheet"], int(row["_row"]), headers[row["_sheet"]].get("status", "Status"),
                       f"status '{row['status']}' tanpa tanggal penandatanganan: perjanjian tidak dihitung aktif",
                       WARNING)
    missing_id = frame["id_perjanjian"].isna() & frame["kabkota"].notna() & frame["mitra"].notna()
    if missing_id.any():
        frame.loc[missing_id, "id_perjanjian"] = [
            derive_agreement_id(r, m, d)
            for r, m, d in frame.loc[missing_id, ["kabkota", "mitra", "tanggal_ttd"]].itertuples(index=False)
        ]
    return frame


def _resolve_parents(reader: _Reader, frame: pd.DataFrame, headers, known: pd.DataFrame) -> pd.DataFrame:
    frame = _region_checks(reader, frame, headers) if "kabkota" in frame.columns else frame
    if "id_perjanjian" not in frame.columns:
        frame["id_perjanjian"] = None
    lookup_cols = [c for c in PARENT_LOOKUP_COLUMNS if c in frame.columns]
    if len(lookup_cols) == len(PARENT_LOOKUP_COLUMNS):
        need = frame["id_perjanjian"].isna() & frame["kabkota"].notna() & frame["mitra"].notna()
        if need.any():
            frame.loc[need, "id_perjanjian"] = [
                derive_agreement_id(r, m, d)
                for r, m, d in frame.loc[need, ["kabkota", "mitra", "tanggal_ttd"]].itertuples(index=False)
            ]
    no_parent = frame["id_perjanjian"].isna()
    for _, row in frame[no_parent].head(PROBLEMS_PER_COLUMN).iterrows():
        reader.problem(row["_sheet"], int(row["_row"]), headers[row["_sheet"]].get("id_perjanjian", "ID Perjanjian"),
                       "ID Perjanjian kosong; isi ID Perjanjian, atau Kab/Kota, Mitra dan Tanggal Penandatanganan")
    unknown = frame["id_perjanjian"].notna() & ~_is_in(frame["id_perjanjian"], known["id_perjanjian"])
    for _, row in frame[unknown].head(PROBLEMS_PER_COLUMN).iterrows():
        reader.problem(row["_sheet"], int(row["_row"]), headers[row["_sheet"]].get("id_perjanjian", "ID Perjanjian"),
                       f"perjanjian '{row['id_perjanjian']}' tidak ditemukan, baik di berkas ini maupun di basis data; "
                       "unggah lembar Perjanjian-nya lebih dulu atau periksa ID-nya")
    if unknown.sum() > PROBLEMS_PER_COLUMN:
        reader.problem(NO_SHEET, None, "ID Perjanjian", f"dan {unknown.sum() - PROBLEMS_PER_COLUMN} baris lain merujuk perjanjian yang tidak dikenal")
    return frame


def _is_in(values: pd.Series, candidates: pd.Series) -> pd.Series:
    """``values.isin(candidates)``; for an Arrow text column, one Arrow hash lookup (pandas takes ten times longer)."""
    if is_text_column(values):
        strings = arrow_strings(values)
        try:
            found = pc.is_in(strings, value_set=pa.array(candidates.to_numpy(dtype=object), strings.type, from_pandas=True))
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return values.isin(candidates)
        return pd.Series(pc.fill_null(found, False).to_numpy(zero_copy_only=False), index=values.index)
    return values.isin(candidates)


def _duplicate_keys(reader: _Reader, table: Table, frame: pd.DataFrame, headers) -> None:
    key = list(table.key)
    if not all(k in frame.columns for k in key):
        return
    keys = frame[key]
    complete = keys.notna().all(axis=1)
    dup = (keys[complete] if not complete.all() else keys).duplicated(keep="first")  # the key columns only
    if not dup.any():
        return
    firsts = frame[complete].drop_duplicates(subset=key, keep="first").set_index(key)["_row"]
    for _, row in frame[complete][dup].head(PROBLEMS_PER_COLUMN).iterrows():
        first = firsts.loc[tuple(row[k] for k in key)] if len(key) > 1 else firsts.loc[row[key[0]]]
        shown = ", ".join(str(row[k].date() if isinstance(row[k], pd.Timestamp) else row[k]) for k in key)
        reader.problem(row["_sheet"], int(row["_row"]), headers[row["_sheet"]].get(key[-1], key[-1]),
                       f"baris ganda: kunci ({shown}) sudah ada di baris {int(first)}")


# --- public API ----------------------------------------------------------------------------------


def read_upload(
    file_name: str,
    content: bytes,
    *,
    store: Store | None = None,
    known: pd.DataFrame | None = None,
    limits: Limits | None = None,
) -> Upload:
    """Read one file into canonical rows; never raises on bad input, reports problems instead.

    ``known`` lists agreements (id_perjanjian, kabkota) that child rows may refer to
    besides those in the file; by default the store's current agreements. The file is
    parsed in the worker process of :mod:`sandbox` (a memory limit, a time limit), so a
    file that would exhaust memory is refused instead of ending the server.
    """
    limits = limits or Limits.from_env()
    file_name = clean_file_name(file_name)
    if known is None:
        known = store.known_agreements() if store is not None else pd.DataFrame(columns=["id_perjanjian", "kabkota"])
    if limits.years is None:  # read here, where the rules file is the app's, and sent to the worker
        limits = dataclasses.replace(limits, years=_plausible_years())
    if limits.scope is None:  # likewise the scope: the long-lived worker may have started under another one
        limits = dataclasses.replace(limits, scope=ref.scope().code)
    if not limits.isolated:
        return read_upload_here(file_name, content, known=known, limits=limits)
    # While the worker reads the file, a thread here hashes it and packs it as the batch will store it.
    facts = _BESIDE_THE_WORKER.submit(_file_facts, content)
    upload = _read_in_worker(file_name, content, known, limits)
    upload.sha256, stored = facts.result()
    if upload.ok and stored is not None:
        upload._stored = (content, stored)
    return upload


# One thread of the app's process that works beside the import worker (no thread until a file comes).
_BESIDE_THE_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ksln-upload")


def _file_facts(content: bytes) -> tuple[str, tuple[bytes, str | None] | None]:
    """A file's SHA-256 and the bytes a batch stores for it (hashlib and LZ4 run without the GIL)."""
    digest = hashlib.sha256(content).hexdigest()
    try:
        return digest, packed_file(content)
    except MemoryError:  # the batch packs it again, and says so if it cannot
        return digest, None


def _read_in_worker(file_name: str, content: bytes, known: pd.DataFrame, limits: Limits) -> Upload:
    upload = Upload(file_name, content, "")
    try:
        _check_file(file_name, content, limits)  # the cheap refusals need no worker
        answer = sandbox.read_in_worker(file_name, content, known, limits)
    except Rejected as exc:
        upload.problems = [Problem(file_name, NO_SHEET, None, "-", exc.message)]
        return upload
    except sandbox.WorkerFailed as exc:
        log.warning("worker failed on %r (%d bytes): %s", file_name, len(content), exc.reason)
        if exc.crashed and PurePath(file_name).suffix.lower() in (".xlsx", ".xlsm"):
            try:
                refusal = sandbox.extent_refusal_in_worker(file_name, content, limits)
            except sandbox.WorkerFailed:
                refusal = None
            if refusal:
                upload.problems = [Problem(file_name, NO_SHEET, None, "-", refusal)]
                return upload
        upload.problems = [Problem(file_name, NO_SHEET, None, "-",
                                   f"{exc.reason}; tidak ada yang disimpan. Hapus isi dan format sel di luar tabel, "
                                   "pecah berkas menjadi beberapa berkas, atau gunakan templat")]
        return upload
    upload._sent, upload.problems, upload.regions = answer.packed, answer.problems, answer.regions
    return upload


def read_upload_here(file_name: str, content: bytes, *, known: pd.DataFrame, limits: Limits,
                     text_as_arrow: bool = False) -> Upload:
    """:func:`read_upload` in this process (the worker's side).

    Free-text columns are ``str`` or None per cell, as everywhere; ``text_as_arrow`` leaves them as
    Arrow string columns (NA where empty), for the worker to send without a Python object per cell.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        # Overflow in pandas/numpy (amounts of 1e308) is judged by the cell parsers; the English
        # RuntimeWarning must not reach the analyst's screen or terminal.
        warnings.simplefilter("ignore", RuntimeWarning)
        if limits.scope is None or limits.scope == ref.scope().code:
            upload = _read_here(file_name, content, known, limits)
        else:
            with ref.use_scope(limits.scope):
                upload = _read_here(file_name, content, known, limits)
    if not text_as_arrow:
        upload.tables = {name: _plain_text(frame) for name, frame in upload.tables.items()}
    return upload


def _plain_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Arrow string columns as ``str`` or None per cell (object columns)."""
    for column in frame.columns:
        if is_text_column(frame[column]):
            frame[column] = pd.Series(arrow_strings(frame[column]).to_numpy(zero_copy_only=False), index=frame.index,
                                      dtype=object)
    return frame


def _read_here(file_name: str, content: bytes, known: pd.DataFrame, limits: Limits) -> Upload:
    upload = Upload(file_name, content, hashlib.sha256(content).hexdigest())
    reader = _Reader(file_name, limits.years)
    try:
        ext = _check_file(file_name, content, limits)
        sheets = [_csv_sheet(content, limits, reader)] if ext in CSV_EXTENSIONS else _excel_sheets(content, ext, limits)
        parts = reader.parts(sheets)
        _assemble(reader, upload, parts, known)
    except Rejected as exc:
        reader.problem(NO_SHEET, None, "-", exc.message)
    except MemoryError:
        reader.problem(NO_SHEET, None, "-", "berkas memerlukan memori melebihi batas saat dibaca (lembar terlalu "
                       "besar); hapus isi dan format sel di luar tabel atau pecah berkasnya")
    except Exception:  # a damaged file must yield a message, never a traceback; the log keeps it
        log.exception("unexpected failure reading %r (%d bytes)", file_name, len(content))
        reader.problem(NO_SHEET, None, "-", "berkas tidak dapat diproses karena kesalahan tak terduga (sudah dicatat "
                       "di log server); periksa isinya, gunakan templat, atau hubungi admin")
    upload.problems = reader.problems
    if not upload.ok:
        upload.tables = {}
    return upload


def _assemble(reader: _Reader, upload: Upload, parts: list[_Part], known: pd.DataFrame) -> None:
    headers: dict[str, dict[str, str]] = {}
    by_table: dict[str, list[pd.DataFrame]] = {}
    for part in parts:
        headers[part.sheet] = part.headers
        by_table.setdefault(part.table.name, []).append(reader.canonical(part))
    frames = {name: pd.concat(chunks, ignore_index=True) for name, chunks in by_table.items()}

    if "perjanjian" in frames:
        frames["perjanjian"] = _finish_perjanjian(reader, frames["perjanjian"], headers)
        in_file = frames["perjanjian"][["id_perjanjian", "kabkota"]].dropna()
        known = _known_with(known, in_file)
    for name in CHILD_TABLES:
        if name in frames:
            frames[name] = _resolve_parents(reader, frames[name], headers, known)
    for name, frame in frames.items():
        _duplicate_keys(reader, TABLES[name], frame, headers)

    regions = set()
    for name, frame in frames.items():
        if name == "perjanjian":
            regions |= set(frame["kabkota"].dropna())
        else:
            parents = known.drop_duplicates("id_perjanjian", keep="last").set_index("id_perjanjian")["kabkota"]
            regions |= set(parents.reindex(frame["id_perjanjian"].dropna().unique()).dropna())
    upload.regions = regions
    upload.tables = {
        name: frame.reindex(columns=list(STORED_COLUMNS[name])).reset_index(drop=True) for name, frame in frames.items()
    }


def _known_with(known: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """``known`` with ``agreements`` (id_perjanjian, kabkota) added; an id already known takes the newer unit."""
    agreements = agreements[["id_perjanjian", "kabkota"]].dropna()
    kept = known[~known["id_perjanjian"].isin(agreements["id_perjanjian"])]
    return pd.concat([kept, agreements], ignore_index=True)


def known_after(known: pd.DataFrame, upload: Upload) -> pd.DataFrame:
    """The agreements a file checked after ``upload`` may refer to: ``known`` plus the agreements it brings."""
    rows = upload.rows().get("perjanjian")
    if rows is None:
        return known
    if isinstance(rows, pa.Table):  # the two columns as text objects, like the frames
        rows = pd.DataFrame({c: pd.Series(rows.column(c).to_numpy(zero_copy_only=False), dtype=object)
                             for c in ("id_perjanjian", "kabkota")})
    return _known_with(known, rows)


def read_uploads(files: list[tuple[str, bytes]], *, store: Store | None = None, limits: Limits | None = None) -> list[Upload]:
    """Read several files in order; a file may refer to agreements of an earlier one."""
    known = store.known_agreements() if store is not None else pd.DataFrame(columns=["id_perjanjian", "kabkota"])
    uploads = []
    for name, content in files:
        upload = read_upload(name, content, known=known, limits=limits)
        uploads.append(upload)
        known = known_after(known, upload)
    return uploads


def preview_upload(store: Store, upload: Upload, *, replace: bool = False) -> dict[str, TableChange]:
    """New, updated, unchanged and deleted rows per table if ``upload`` were committed."""
    return store.preview(upload.rows(), upload.regions, replace=replace)


def commit_upload(store: Store, upload: Upload, *, user: Actor, replace: bool = False, kind: str = "unggah") -> BatchResult:
    """Write a valid upload as one batch, with its raw file; the store refuses units ``user`` may not change."""
    if not upload.ok:
        raise StoreError(f"{upload.file_name} memiliki {len(upload.errors)} kesalahan; tidak ada yang disimpan.")
    stored = upload._stored[1] if upload._stored is not None and upload._stored[0] is upload.content else None
    return store.commit(
        upload.rows(),
        user=user,
        kind=kind,
        file_name=upload.file_name,
        content=upload.content,
        sha256=upload.sha256,
        regions=upload.regions,
        replace=replace,
        stored_file=stored,
    )

