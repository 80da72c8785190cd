"""Exports of the indicators: CSV and JSON tables of DESIGN §6, safe to open in a spreadsheet."""

from __future__ import annotations

import io
import json
from datetime import date

import pandas as pd

from ksln_metrics.indicators import Results, compute
from ksln_metrics.rules import FLAG_CODES, Rules
from ksln_metrics.store import Store

LEVELS = ("perjanjian", "kabkota")
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


def escape_formula(value):
    """Prefix a text cell that a spreadsheet would run as a formula with a single quote; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_table(results: Results, level: str) -> pd.DataFrame:
    """The columns of DESIGN §6 for one level, dates as ``YYYY-MM-DD`` text."""
    if level == "perjanjian":
        frame = results.agreements.loc[:, list(PERJANJIAN_COLUMNS)]
    elif level == "kabkota":
        frame = results.regions.loc[:, list(KABKOTA_COLUMNS)]
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
