"""The tables people read: one header for every column of the engine's results, and the league table.

Pages, slides and workbooks take their headers from ``COLUMN_HEADERS`` and draw the league
table with ``league_display``, so the same figure has the same name everywhere. The CSV and
JSON exports of the command line keep the column names of DESIGN §6.
"""

from __future__ import annotations

import pandas as pd

from ksln_metrics.engine.overview import league_table, province_league
from ksln_metrics.engine.rules import COMPONENTS, FLAG_BY_CODE, FLAG_CODES
from ksln_metrics.formatting import number_text

COLUMN_HEADERS: dict[str, str] = {
    # agreements and flags
    "id_perjanjian": "ID Perjanjian",
    "kabkota_kode": "Kode Kab/Kota",
    "kabkota_nama": "Kab/Kota",
    "judul": "Judul Perjanjian",
    "mitra": "Mitra",
    "negara": "Negara (ISO)",
    "jenis": "Jenis",
    "bentuk": "Bentuk",
    "status": "Status",
    "tanggal_ttd": "Tanggal Tanda Tangan",
    "tanggal_berakhir": "Tanggal Berakhir",
    "ditandatangani": "Ditandatangani",
    "aktif": "Aktif",
    **{c.column: c.label for c in COMPONENTS},
    "skor": "Skor",
    "tahun_aktif": "Tahun Aktif",
    "tahun_dengan_kegiatan": "Tahun dengan Kegiatan Substantif",
    "jumlah_indikator": "Jumlah Indikator",
    "laporan_wajib": "Laporan Wajib",
    "laporan_tepat_waktu": "Laporan Tepat Waktu",
    "laporan_terlambat": "Laporan Terlambat",
    "laporan_belum_masuk": "Laporan Belum Masuk",
    "flags": "Peringatan",
    "code": "Kode Bendera",
    "label": "Bendera",
    "tahun": "Tahun",
    "year": "Tahun Anggaran",
    "reason": "Alasan",
    "rule": "Aturan",
    # regions (the league table)
    "peringkat": "Peringkat",
    "jumlah_perjanjian": "Perjanjian",
    "jumlah_aktif": "Aktif",
    "jumlah_ditandatangani": "Ditandatangani",
    "skor_rata_rata": "Skor rata-rata",
    "tepat_waktu_persen": "Laporan tepat waktu (%)",
    **{f"jumlah_{code}": FLAG_BY_CODE[code].label for code in FLAG_CODES},
    "jumlah_bendera": "Peringatan",
}

LEAGUE_COLUMNS = ("peringkat", "kabkota_nama", "jumlah_perjanjian", "jumlah_aktif", "skor_rata_rata",
                  *(c.column for c in COMPONENTS), "tepat_waktu_persen")
_WHOLE = ("jumlah_perjanjian", "jumlah_aktif")


def _cells(table: pd.DataFrame, column: str) -> pd.Series:
    if column == "peringkat":  # a rank, never "1,00"
        return table[column].map(lambda r: str(int(r)) if pd.notna(r) else "–")
    if column == "kabkota_nama":
        return table[column]
    decimals = 0 if column in _WHOLE else 2
    return table[column].map(lambda v: number_text(v, decimals))


def league_display(regions: pd.DataFrame, per_flag: bool = True) -> pd.DataFrame:
    """The league table with its headers and numbers written the Indonesian way (``–`` when empty).

    ``per_flag``: one count column per flag (the page); else their total (a slide).
    """
    table = league_table(regions)
    frame = pd.DataFrame({COLUMN_HEADERS[column]: _cells(table, column) for column in LEAGUE_COLUMNS})
    counts = [f"jumlah_{code}" for code in FLAG_CODES] if per_flag else ["jumlah_bendera"]
    for column in counts:
        frame[COLUMN_HEADERS[column]] = table[column].map(lambda v: number_text(v, 0))
    return frame


PROVINCE_LEAGUE_COLUMNS = ("peringkat", "provinsi_nama", "jumlah_kabkota_berperjanjian", "jumlah_perjanjian",
                           "jumlah_aktif", "skor_rata_rata", *(c.column for c in COMPONENTS), "tepat_waktu_persen",
                           "jumlah_bendera")
PROVINCE_HEADERS = {"provinsi_nama": "Provinsi", "jumlah_kabkota_berperjanjian": "Kab/kota berperjanjian"}


def province_league_display(provinces: pd.DataFrame) -> pd.DataFrame:
    """The league table of provinces (``Results.provinces``, the province and its kab/kota together), as read."""
    table = province_league(provinces)
    cells = {}
    for column in PROVINCE_LEAGUE_COLUMNS:
        header = PROVINCE_HEADERS.get(column) or COLUMN_HEADERS[column]
        if column == "provinsi_nama":
            cells[header] = table[column]
        elif column == "jumlah_kabkota_berperjanjian":
            cells[header] = [f"{number_text(n, 0)} dari {number_text(m, 0)}"
                             for n, m in zip(table[column], table["jumlah_kabkota"], strict=True)]
        elif column in ("jumlah_bendera", *_WHOLE):
            cells[header] = table[column].map(lambda v: number_text(v, 0))
        else:
            cells[header] = _cells(table, column)
    return pd.DataFrame(cells)
