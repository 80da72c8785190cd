"""Seeded synthetic data for load tests: a national-scale store (not official data).

Every Indonesian province and its real kab/kota (38 and 514 codes), 20,000 agreements, 1,000,000
activities, 100,000 indicator rows and 100,000 annual reports, generated with vectorised
numpy so that the same seed always gives the same store.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ksln_metrics.reference import JENIS_KEGIATAN, REGIONS, SEVEN_CRITERIA, STORED_COLUMNS, units_of
from ksln_metrics.store import Store

PROVINCE_CODES = (
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52",
    "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94",
    "95", "96",
)
COUNTRIES = ("JPN", "KOR", "CHN", "AUS", "USA", "NLD", "DEU", "FRA", "GBR", "MYS", "SGP", "THA", "TUR", "SAU",
             "ARE", "QAT", "IND", "NZL", "CAN", "ITA", "ESP", "RUS", "VNM", "PHL", "EGY", "MAR", "BRA", "ZAF")
STATUS_WEIGHTS = {"usulan": 0.05, "proses": 0.05, "ditandatangani": 0.2, "berjalan": 0.5, "selesai": 0.15,
                  "batal": 0.05}
SIGNATORIES = ("Bupati", "Wali Kota", "Gubernur", "Plt. Bupati", "Wakil Bupati", "Sekda", "Kepala Dinas", None)
SIGNATORY_WEIGHTS = (0.35, 0.2, 0.2, 0.05, 0.06, 0.05, 0.04, 0.05)
BENTUK = ("sister province", "sister city", "kerja sama teknik", "penerusan pinjaman/hibah", "penyertaan modal",
          "lainnya")


@dataclass(frozen=True)
class Scale:
    agreements: int
    activities: int
    indicators: int
    reports: int
    national: bool


SCALES = {
    "national": Scale(20_000, 1_000_000, 100_000, 100_000, True),
    "small": Scale(200, 5_000, 1_000, 1_000, False),
}
LAST_YEAR = 2025


def region_codes(national: bool) -> list[str]:
    """Every province and its real kab/kota codes (38 and 514); Banten's only when not national.

    Real codes, so that the national synthetic store's maps draw and its province dumps read back.
    """
    if not national:
        return list(REGIONS)
    return [code for province in PROVINCE_CODES for code in (province, *units_of(province))]


def _days(rng: np.random.Generator, start: str, end: str, n: int) -> np.ndarray:
    lo, hi = np.datetime64(start, "D"), np.datetime64(end, "D")
    return lo + rng.integers(0, (hi - lo).astype(int) + 1, n).astype("timedelta64[D]")


def _maybe(rng: np.random.Generator, values: np.ndarray, share_missing: float) -> np.ndarray:
    out = values.astype(object) if values.dtype.kind != "M" else values.copy()
    missing = rng.random(len(values)) < share_missing
    if values.dtype.kind == "M":
        out[missing] = np.datetime64("NaT")
    else:
        out[missing] = None
    return out


def _agreements(rng: np.random.Generator, n: int, regions: list[str]) -> pd.DataFrame:
    ids = np.char.add("SIN-", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    status = rng.choice(list(STATUS_WEIGHTS), n, p=list(STATUS_WEIGHTS.values()))
    signed = np.isin(status, ("ditandatangani", "berjalan", "selesai", "batal"))
    ttd = _days(rng, "2008-01-01", f"{LAST_YEAR}-12-31", n)
    ttd[~signed] = np.datetime64("NaT")
    years = rng.integers(2, 8, n)
    end = ttd + (years * 365).astype("timedelta64[D]")
    use_years = rng.random(n) < 0.3  # some sheets give a duration instead of an end date
    end[use_years] = np.datetime64("NaT")
    negara = rng.choice(COUNTRIES, n)
    negara[rng.random(n) < 0.002] = "ISR"
    frame = pd.DataFrame({
        "id_perjanjian": ids,
        "kabkota": rng.choice(np.array(regions), n),
        "judul": np.char.add("Kerja sama sintetis ", ids),
        "jenis": rng.choice(["KSDPL", "KSDLL"], n),
        "bentuk": rng.choice(BENTUK, n),
        "mitra": np.char.add("Mitra ", rng.integers(1, 5000, n).astype(str)),
        "negara": negara,
        "bidang": rng.choice(["pendidikan", "kesehatan", "pariwisata", "perdagangan", "lingkungan"], n),
        "opd_pelaksana": "Bagian Kerja Sama",
        "status": status,
        "nomor_mou": np.char.add("MOU/", ids),
        "tanggal_ttd": ttd,
        "tanggal_berakhir": end,
        "masa_berlaku_tahun": np.where(use_years, years, np.nan),
        "penandatangan": rng.choice(np.array(SIGNATORIES, dtype=object), n, p=SIGNATORY_WEIGHTS),
        "tanggal_persetujuan_dprd": _maybe(rng, ttd - rng.integers(10, 200, n).astype("timedelta64[D]"), 0.2),
        "tanggal_persetujuan_pusat": _maybe(rng, ttd - rng.integers(5, 100, n).astype("timedelta64[D]"), 0.25),
        "tanggal_surat_kuasa": _maybe(rng, ttd - rng.integers(1, 30, n).astype("timedelta64[D]"), 0.3),
        "tanggal_pks": _maybe(rng, ttd + rng.integers(30, 400, n).astype("timedelta64[D]"), 0.4),
        "ada_rik": rng.random(n) < 0.5,
        "ada_awp": rng.random(n) < 0.4,
        "anggaran": rng.integers(10, 5000, n) * 1_000_000,
        "keterangan": None,
    })
    for column in SEVEN_CRITERIA:
        frame[column] = rng.random(n) < 0.85
    return frame


def _activities(rng: np.random.Generator, n: int, agreements: pd.DataFrame) -> pd.DataFrame:
    # Busy agreements have many activities, quiet ones few: pick parents with skewed weights.
    weights = rng.pareto(1.5, len(agreements)) + 0.1
    parent = rng.choice(len(agreements), n, p=weights / weights.sum())
    start = agreements["tanggal_ttd"].to_numpy(dtype="datetime64[D]")[parent]
    start = np.where(np.isnat(start), np.datetime64("2020-01-01"), start)
    tanggal = start + rng.integers(-30, 6 * 365, n).astype("timedelta64[D]")
    jenis = rng.choice(np.array(JENIS_KEGIATAN, dtype=object), n)
    jenis[rng.random(n) < 0.05] = None
    return pd.DataFrame({
        "id_perjanjian": agreements["id_perjanjian"].to_numpy()[parent],
        "tanggal": tanggal,
        "nama_kegiatan": np.char.add("Kegiatan ", np.arange(n).astype(str)),
        "jenis_kegiatan": jenis,
        "output": None,
        "anggaran": rng.integers(1, 500, n) * 1_000_000,
        "realisasi_anggaran": rng.integers(0, 500, n) * 1_000_000,
        "sumber_dana": rng.choice(["APBD", "APBN", "Hibah mitra"], n),
    })


def _indicators(rng: np.random.Generator, n: int, agreements: pd.DataFrame) -> pd.DataFrame:
    signed = agreements[agreements["tanggal_ttd"].notna()]
    parent = rng.integers(0, len(signed), n)
    first_year = signed["tanggal_ttd"].dt.year.to_numpy()[parent]
    target = rng.integers(1, 200, n).astype(float)
    return pd.DataFrame({
        "id_perjanjian": signed["id_perjanjian"].to_numpy()[parent],
        "tahun": (first_year + rng.integers(0, 5, n)).astype("int32"),
        "indikator": np.char.add("Indikator ", np.arange(n).astype(str)),
        "satuan": rng.choice(["orang", "kegiatan", "persen", "dokumen"], n),
        "target": target,
        "realisasi": np.where(rng.random(n) < 0.1, np.nan, np.round(target * rng.random(n) * 1.3)),
    })


def _reports(rng: np.random.Generator, n: int, agreements: pd.DataFrame) -> pd.DataFrame:
    signed = agreements[agreements["tanggal_ttd"].notna()]
    first = signed["tanggal_ttd"].dt.year.to_numpy()
    end = signed["tanggal_berakhir"].dt.year.fillna(LAST_YEAR).to_numpy().astype(int)
    last = np.minimum(end, LAST_YEAR - 1)
    span = np.maximum(last - first + 1, 0)
    # Every (agreement, fiscal year) pair a report could be for; keep n of them.
    parent = np.repeat(np.arange(len(signed)), span)
    offset = np.arange(len(parent)) - np.repeat(np.cumsum(span) - span, span)
    keep = rng.choice(len(parent), min(n, len(parent)), replace=False)
    keep.sort()
    year = first[parent[keep]] + offset[keep]
    jan1 = (year + 1 - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    late = rng.random(len(keep)) < 0.3
    days = np.where(late, rng.integers(10, 90, len(keep)), rng.integers(1, 10, len(keep)))
    return pd.DataFrame({
        "id_perjanjian": signed["id_perjanjian"].to_numpy()[parent[keep]],
        "tahun_anggaran": year.astype("int32"),
        "tanggal_disampaikan": jan1 + days.astype("timedelta64[D]"),
    })


def synthetic_tables(seed: int = 1, scale: str = "national") -> tuple[dict[str, pd.DataFrame], set[str]]:
    """The four tables of a synthetic store and its region codes; same seed, same tables."""
    size = SCALES[scale]
    rng = np.random.default_rng(seed)
    regions = region_codes(size.national)
    agreements = _agreements(rng, size.agreements, regions)
    tables = {
        "perjanjian": agreements,
        "kegiatan": _activities(rng, size.activities, agreements),
        "indikator": _indicators(rng, size.indicators, agreements),
        "laporan": _reports(rng, size.reports, agreements),
    }
    return {name: frame.loc[:, list(STORED_COLUMNS[name])] for name, frame in tables.items()}, set(regions)


def write_synthetic(store: Store, seed: int = 1, scale: str = "national") -> dict[str, int]:
    """Generate and commit the synthetic store as one batch of kind ``contoh``; rows per table."""
    tables, regions = synthetic_tables(seed, scale)
    store.commit(tables, user="synth", kind="contoh", regions=regions, file_name=f"synth-{scale}-{seed}")
    return {name: len(frame) for name, frame in tables.items()}
