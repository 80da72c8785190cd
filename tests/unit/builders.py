"""Small, readable test data: an agreement row with sensible defaults, written through Store.commit."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ksln_metrics.reference import STORED_COLUMNS
from ksln_metrics.store import Store


def d(text: str) -> date:
    return date.fromisoformat(text)


def perjanjian(id_perjanjian: str = "P1", **overrides) -> dict:
    """A fully compliant, running KSDPL of Kabupaten Pandeglang signed 1 March 2023, unless overridden."""
    row = {
        "id_perjanjian": id_perjanjian,
        "kabkota": "36.01",
        "judul": f"Kerja sama {id_perjanjian}",
        "jenis": "KSDPL",
        "bentuk": "sister city",
        "mitra": "Kota Contoh",
        "negara": "JPN",
        "bidang": "pendidikan",
        "opd_pelaksana": "Dinas Pendidikan",
        "status": "berjalan",
        "nomor_mou": f"MOU/{id_perjanjian}",
        "tanggal_ttd": d("2023-03-01"),
        "tanggal_berakhir": d("2028-03-01"),
        "masa_berlaku_tahun": None,
        "penandatangan": "Bupati Pandeglang",
        "tanggal_persetujuan_dprd": d("2023-01-10"),
        "tanggal_persetujuan_pusat": d("2023-02-10"),
        "tanggal_surat_kuasa": d("2023-02-20"),
        "tanggal_pks": d("2023-04-01"),
        "ada_rik": True,
        "ada_awp": True,
        "anggaran": 100_000_000,
    }
    row.update({c: True for c in STORED_COLUMNS["perjanjian"] if c.startswith("kriteria_")})
    row["keterangan"] = None
    row.update(overrides)
    return row


def kegiatan(id_perjanjian: str, tanggal: str, jenis_kegiatan: str | None = "pelatihan",
             nama_kegiatan: str | None = None) -> dict:
    return {
        "id_perjanjian": id_perjanjian,
        "tanggal": d(tanggal),
        "nama_kegiatan": nama_kegiatan or f"{jenis_kegiatan} {tanggal}",
        "jenis_kegiatan": jenis_kegiatan,
        "output": None,
        "anggaran": None,
        "realisasi_anggaran": None,
        "sumber_dana": None,
    }


def indikator(id_perjanjian: str, tahun: int, target: float | None, realisasi: float | None,
              nama: str | None = None) -> dict:
    return {
        "id_perjanjian": id_perjanjian,
        "tahun": tahun,
        "indikator": nama or f"Indikator {tahun} {target} {realisasi}",
        "satuan": "orang",
        "target": target,
        "realisasi": realisasi,
    }


def laporan(id_perjanjian: str, tahun_anggaran: int, tanggal: str) -> dict:
    return {"id_perjanjian": id_perjanjian, "tahun_anggaran": tahun_anggaran, "tanggal_disampaikan": d(tanggal)}


def frame(table: str, rows: list[dict]) -> pd.DataFrame:
    columns = STORED_COLUMNS[table]
    return pd.DataFrame([{c: r.get(c) for c in columns} for r in rows], columns=list(columns))


def build_store(path, perjanjian_rows=(), kegiatan_rows=(), indikator_rows=(), laporan_rows=()) -> Store:
    """A real DuckDB file holding exactly the given rows, written as one batch."""
    store = Store(path)
    tables = {"perjanjian": frame("perjanjian", list(perjanjian_rows))}
    for name, rows in (("kegiatan", kegiatan_rows), ("indikator", indikator_rows), ("laporan", laporan_rows)):
        if rows:
            tables[name] = frame(name, list(rows))
    if perjanjian_rows:
        store.commit(tables, user="test", kind="contoh", regions={r["kabkota"] for r in perjanjian_rows})
    return store


def run_sql_step(name: str, tables: dict[str, pd.DataFrame], **params) -> pd.DataFrame:
    """One SQL file of the engine run alone on hand-made input tables (the tables its header says it reads)."""
    import duckdb

    from ksln_metrics.engine.indicators import _execute, sql_text

    con = duckdb.connect()
    try:
        con.execute(sql_text("macros"))
        for table, frame in tables.items():
            con.register(f"_{table}", frame)
            con.execute(f"CREATE TABLE {table} AS SELECT * FROM _{table}")
        return _execute(con, name, params).df()
    finally:
        con.close()
