"""Two provinces' stores and their dumps, for the national tests (unit and page).

Banten is the demo store; Jawa Barat is a small store built from a real workbook through the
importer. Both use the agreement id ``CONTOH-3601-01``: the national store keeps them apart.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ksln_metrics import reference as ref
from ksln_metrics.cli import main
from ksln_metrics.importing.ingest import Limits, commit_upload, read_upload
from ksln_metrics.sample.demo import load_demo
from ksln_metrics.store import Store
from tests.unit.realistic_files import simple_agreement_xlsx

AS_OF = date(2026, 11, 28)  # the demo's fixed "today"
SHARED_ID = "CONTOH-3601-01"  # a Banten demo id that Jawa Barat uses too


def jabar_workbook() -> bytes:
    """Jawa Barat's file: agreements of two kab/kota and of the province government, activities, reports."""
    agreements = [
        {"ID Perjanjian": SHARED_ID, "Kab/Kota": "Kota Bekasi", "Judul Perjanjian": "Kerja Sama Kota Kembar",
         "Jenis": "KSDPL", "Mitra": "Kota Gimpo", "Negara Mitra": "Korea Selatan", "Status": "berjalan",
         "Tanggal Penandatanganan": date(2021, 5, 10), "Masa Berlaku (Tahun)": 5, "Penandatangan": "Wali Kota",
         "Tanggal Persetujuan DPRD": date(2021, 2, 1), "Tanggal Persetujuan Pusat": date(2021, 4, 1)},
        {"ID Perjanjian": "JB-002", "Kab/Kota": "Kab. Bogor", "Judul Perjanjian": "Pelatihan Pertanian Organik",
         "Jenis": "KSDLL", "Mitra": "JICA", "Negara Mitra": "Jepang", "Status": "berjalan",
         "Tanggal Penandatanganan": date(2023, 8, 17), "Masa Berlaku (Tahun)": 3, "Penandatangan": "Sekda"},
        {"ID Perjanjian": "JB-003", "Kab/Kota": "Provinsi Jawa Barat", "Judul Perjanjian": "Sister Province",
         "Jenis": "KSDPL", "Mitra": "Provinsi Chungcheongnam-do", "Negara Mitra": "Korsel", "Status": "ditandatangani",
         "Tanggal Penandatanganan": date(2020, 1, 15), "Tanggal Berakhir": date(2030, 1, 14),
         "Penandatangan": "Gubernur", "Tanggal Persetujuan DPRD": date(2019, 11, 1)},
    ]
    activities = [
        {"ID Perjanjian": SHARED_ID, "Tanggal Kegiatan": date(2024, 3, 5), "Nama Kegiatan": "Pertukaran pegawai",
         "Jenis Kegiatan": "Pertukaran"},
        {"ID Perjanjian": "JB-003", "Tanggal Kegiatan": date(2025, 10, 2), "Nama Kegiatan": "Pameran UMKM",
         "Jenis Kegiatan": "Pameran"},
    ]
    reports = [
        {"ID Perjanjian": SHARED_ID, "Tahun Anggaran": 2024, "Tanggal Disampaikan": date(2025, 1, 8)},
        {"ID Perjanjian": "JB-003", "Tahun Anggaran": 2024, "Tanggal Disampaikan": date(2025, 2, 20)},
    ]
    indicators = [{"ID Perjanjian": "JB-002", "Tahun": 2025, "Indikator": "Petani terlatih", "Target": 100,
                   "Realisasi": 80}]
    return simple_agreement_xlsx(agreements, extra_sheets={"Kegiatan": activities, "Laporan": reports,
                                                           "Indikator": indicators})


def province_stores(folder: Path) -> dict[str, Path]:
    """A Banten store (demo data) and a Jawa Barat store (a real workbook through the importer), by province code."""
    with ref.use_scope("36"), Store(folder / "banten.duckdb") as store:
        load_demo(store, today=AS_OF)
    with ref.use_scope("32"), Store(folder / "jabar.duckdb") as store:
        upload = read_upload("ksln_jabar_2025.xlsx", jabar_workbook(), store=store, limits=Limits(isolated=False))
        assert upload.ok, [p.line() for p in upload.errors]
        commit_upload(store, upload, user="analis.jabar")
    return {"36": folder / "banten.duckdb", "32": folder / "jabar.duckdb"}


def dump(db: Path, province: str, out: Path) -> Path:
    """``python -m ksln_metrics dump`` of a province's store."""
    with ref.use_scope(province):
        assert main(["dump", "--db", str(db), "--out", str(out)]) == 0
    return out


def national_store(folder: Path) -> Path:
    """A national store holding both provinces, ingested from their dumps with ``impor-nasional``."""
    stores = province_stores(folder)
    dumps = [dump(db, code, folder / f"{code}.zip") for code, db in stores.items()]
    path = folder / "nasional.duckdb"
    with ref.use_scope("nasional"):
        assert main(["impor-nasional", *map(str, dumps), "--db", str(path)]) == 0
    return path
