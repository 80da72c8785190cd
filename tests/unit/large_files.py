"""Big, realistic upload files built on the fly: a province-wide recap of agreements and activities.

Shaped like the recaps Biro Pemerintahan compiles from the kab/kota: a title block above the
header, the template's header labels, real Excel dates and numbers in the workbook, and in the
CSV day-first dates with amounts written as ``Rp 1.234.567,00`` (Indonesian Excel on Windows).
Used by the interruption test and by ``bench/bench_ingest.py``.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

import xlsxwriter

from ksln_metrics.reference import JENIS_KEGIATAN, KEGIATAN, PERJANJIAN, STORED_COLUMNS

REGION_SPELLINGS = {
    "36": ["Provinsi Banten", "Pemprov Banten"],
    "36.01": ["Kab. Pandeglang", "KABUPATEN PANDEGLANG"],
    "36.02": ["Kab. Lebak", "Lebak"],
    "36.03": ["Kabupaten Tangerang", "Kab Tangerang"],
    "36.04": ["Kab. Serang", "KAB. SERANG"],
    "36.71": ["Kota Tangerang"],
    "36.72": ["Kota Cilegon", "Cilegon"],
    "36.73": ["Kota Serang"],
    "36.74": ["Kota Tangerang Selatan", "Tangsel"],
}
PARTNERS = [
    ("Gyeonggi-do Provincial Government", "Korea Selatan", "KSDPL", "Sister Province"),
    ("Kota Kitakyushu", "Jepang", "KSDPL", "Sister City"),
    ("Japan International Cooperation Agency", "Jepang", "KSDLL", "Kerja Sama Teknik"),
    ("Universiteit Leiden", "Belanda", "KSDLL", "Lainnya"),
    ("Guangxi Zhuang Autonomous Region", "Tiongkok", "KSDPL", "Sister Province"),
    ("Deutsche Gesellschaft für Internationale Zusammenarbeit", "Jerman", "KSDLL", "Kerja Sama Teknik"),
    ("Western Australia Department of Education", "Australia", "KSDLL", "Lainnya"),
    ("Kota Busan", "Korsel", "KSDPL", "Sister City"),
]
TOPICS = ["pariwisata", "air bersih", "UMKM", "pendidikan vokasi", "kesehatan ibu dan anak", "pengelolaan sampah",
          "pertanian organik", "kebencanaan", "pelabuhan", "budaya"]
FUNDS = ["APBD", "APBN", "Hibah mitra", "APBD Provinsi", "CSR"]
STATUSES = ["Berjalan", "Ditandatangani", "berjalan", "Selesai"]

PERJANJIAN_COLUMNS = ["id_perjanjian", "kabkota", "judul", "jenis", "bentuk", "mitra", "negara", "bidang", "status",
                      "nomor_mou", "tanggal_ttd", "tanggal_berakhir", "penandatangan", "tanggal_persetujuan_dprd",
                      "tanggal_persetujuan_pusat", "ada_rik", "ada_awp", "anggaran"]
KEGIATAN_COLUMNS = list(STORED_COLUMNS["kegiatan"])


@dataclass
class Recap:
    """The rows of one recap, as plain Python values (dates are ``date``, money is ``int``)."""

    perjanjian: list[dict]
    kegiatan: list[dict]


def recap(n_kegiatan: int, n_perjanjian: int | None = None, seed: int = 36) -> Recap:
    """``n_kegiatan`` activities spread over ``n_perjanjian`` agreements (default one per 50 activities)."""
    rng = random.Random(seed)
    n_perjanjian = n_perjanjian or max(1, n_kegiatan // 50)
    codes = list(REGION_SPELLINGS)
    agreements = []
    for i in range(n_perjanjian):
        code = codes[i % len(codes)]
        mitra, negara, jenis, bentuk = PARTNERS[i % len(PARTNERS)]
        signed = date(2015, 1, 5) + timedelta(days=rng.randrange(3300))
        agreements.append({
            "id_perjanjian": f"{code.replace('.', '')}-{i + 1:05d}",
            "kabkota": rng.choice(REGION_SPELLINGS[code]),
            "judul": f"Kerja Sama {rng.choice(TOPICS).title()} dengan {mitra}",
            "jenis": jenis,
            "bentuk": bentuk,
            "mitra": mitra,
            "negara": negara,
            "bidang": rng.choice(TOPICS),
            "status": rng.choice(STATUSES),
            "nomor_mou": f"415.4/{i + 1:04d}/KSLN/{signed.year}",
            "tanggal_ttd": signed,
            "tanggal_berakhir": signed.replace(year=signed.year + 5) if signed.month != 2 or signed.day != 29 else None,
            "penandatangan": rng.choice(["Gubernur Banten", "Bupati", "Wali Kota", "Plt. Bupati"]),
            "tanggal_persetujuan_dprd": signed - timedelta(days=rng.randrange(30, 120)),
            "tanggal_persetujuan_pusat": signed - timedelta(days=rng.randrange(5, 30)),
            "ada_rik": rng.choice(["Ya", "Tidak"]),
            "ada_awp": rng.choice(["Ada", "Tidak ada"]),
            "anggaran": rng.randrange(50, 5000) * 1_000_000,
        })
    activities = []
    for k in range(n_kegiatan):
        parent = agreements[k % n_perjanjian]
        jenis = JENIS_KEGIATAN[rng.randrange(len(JENIS_KEGIATAN))]
        budget = rng.randrange(5, 900) * 500_000
        activities.append({
            "id_perjanjian": parent["id_perjanjian"],
            "tanggal": parent["tanggal_ttd"] + timedelta(days=rng.randrange(1, 2500)),
            "nama_kegiatan": f"{jenis.title()} {rng.choice(TOPICS)} tahap {k // n_perjanjian + 1}",
            "jenis_kegiatan": jenis,
            "output": f"{rng.randrange(5, 200)} peserta",
            "anggaran": budget,
            "realisasi_anggaran": budget // 100 * rng.randrange(60, 101),
            "sumber_dana": rng.choice(FUNDS),
        })
    return Recap(agreements, activities)


def _label(table, name: str) -> str:
    return table.column(name).label


def recap_xlsx(data: Recap, *, kegiatan: bool = True, perjanjian: bool = True) -> bytes:
    """The recap as one workbook: sheets Perjanjian and Kegiatan, each with a title block and a total row."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = wb.add_format({"bold": True})
    date_format = wb.add_format({"num_format": "dd/mm/yyyy"})
    money = wb.add_format({"num_format": "#,##0"})
    sheets = []
    if perjanjian:
        sheets.append(("Perjanjian", PERJANJIAN, PERJANJIAN_COLUMNS, data.perjanjian, "DAFTAR KERJA SAMA LUAR NEGERI"))
    if kegiatan:
        sheets.append(("Kegiatan", KEGIATAN, KEGIATAN_COLUMNS, data.kegiatan, "REKAP KEGIATAN TINDAK LANJUT KSLN"))
    for sheet_name, table, columns, rows, title in sheets:
        ws = wb.add_worksheet(sheet_name)
        ws.write(0, 0, title, bold)
        ws.write(1, 0, "PEMERINTAH PROVINSI BANTEN — KEADAAN 31 DESEMBER 2024")
        ws.write_row(3, 0, ["No.", *(_label(table, c) for c in columns)], bold)
        for i, row in enumerate(rows):
            r = 4 + i
            ws.write_number(r, 0, i + 1)
            for j, name in enumerate(columns, start=1):
                value = row[name]
                if value is None:
                    continue
                if isinstance(value, date):
                    ws.write_datetime(r, j, value, date_format)
                elif isinstance(value, int):
                    ws.write_number(r, j, value, money)
                else:
                    ws.write_string(r, j, value)
        total = 4 + len(rows)
        ws.write(total, 0, "JUMLAH", bold)
        if "anggaran" in columns:
            ws.write_number(total, columns.index("anggaran") + 1, sum(r["anggaran"] for r in rows), money)
    wb.close()
    return buffer.getvalue()


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".") + ",00"


def recap_csv(data: Recap, table: str = "kegiatan") -> bytes:
    """One table of the recap as a ``;`` CSV saved by Indonesian Excel: UTF-8 with BOM, dd/mm/yyyy, Rp amounts."""
    spec, columns, rows = (
        (KEGIATAN, KEGIATAN_COLUMNS, data.kegiatan) if table == "kegiatan"
        else (PERJANJIAN, PERJANJIAN_COLUMNS, data.perjanjian)
    )
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"REKAP {spec.sheet.upper()} KSLN PROVINSI BANTEN"])
    writer.writerow([])
    writer.writerow(["No.", *(_label(spec, c) for c in columns)])
    for i, row in enumerate(rows, start=1):
        cells = []
        for name in columns:
            value = row[name]
            if value is None:
                cells.append("")
            elif isinstance(value, date):
                cells.append(value.strftime("%d/%m/%Y"))
            elif isinstance(value, int):
                cells.append(rupiah(value))
            else:
                cells.append(value)
        writer.writerow([i, *cells])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
