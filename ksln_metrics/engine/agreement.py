"""One agreement in detail: its documents and approvals, activities, indicators, reports and score.

The Perjanjian page draws these tables; every judgement in them (what counts as an
approval, which activity is ceremonial, which reports are due, how late one is) is the
engine's, read from the same SQL files and rules, so the detail never contradicts the
score and flags shown next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ksln_metrics.engine.indicators import fiscal_years
from ksln_metrics.engine.rules import COMPONENTS, FLAG_BY_CODE, Rules
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.reference import SEVEN_CRITERIA, country_name, normalize_text
from ksln_metrics.store import Store

YES, NO, UNKNOWN = "✓", "✗", "—"

# The four checks of the compliance component and the flag raised when each fails.
COMPLIANCE_CHECKS = {
    "no_dprd_approval": "Persetujuan DPRD",
    "no_central_approval": "Persetujuan Pemerintah Pusat",
    "delegated_signature": "Penandatangan kepala daerah sendiri",
    "no_diplomatic_relations": "Negara mitra memiliki hubungan diplomatik",
}

REPORT_ON_TIME = "Tepat waktu"
REPORT_MISSING = "Belum masuk"
REPORT_NOT_DUE = "Belum jatuh tempo"


@dataclass(frozen=True)
class AgreementRecord:
    """The stored rows of one agreement: the agreement and its activities, indicators and reports."""

    perjanjian: pd.Series
    kegiatan: pd.DataFrame
    indikator: pd.DataFrame
    laporan: pd.DataFrame


def load_agreement(store: Store, agreement_id: str) -> AgreementRecord | None:
    """The current rows of ``agreement_id``; None when the store does not hold it."""
    rows = store.query("SELECT * FROM perjanjian WHERE id_perjanjian = ?", [agreement_id])
    if rows.empty:
        return None
    return AgreementRecord(
        rows.iloc[0],
        store.query("SELECT * FROM kegiatan WHERE id_perjanjian = ? ORDER BY tanggal, nama_kegiatan", [agreement_id]),
        store.query("SELECT * FROM indikator WHERE id_perjanjian = ? ORDER BY tahun, indikator", [agreement_id]),
        store.query("SELECT * FROM laporan WHERE id_perjanjian = ? ORDER BY tahun_anggaran", [agreement_id]),
    )


def search_agreements(agreements: pd.DataFrame, text: str) -> pd.DataFrame:
    """Agreements whose title, partner or id contains every word of ``text`` (case, accents and punctuation ignored)."""
    words = normalize_text(text or "").split()
    if not words:
        return agreements
    haystack = (
        agreements["judul"].fillna("") + " " + agreements["mitra"].fillna("") + " " + agreements["id_perjanjian"]
    ).map(normalize_text)
    mask = pd.Series(True, index=agreements.index)
    for word in words:
        mask &= haystack.str.contains(word, regex=False)
    return agreements[mask]


def date_text(value) -> str:
    """``format_date_id`` that also takes NaT (empty text), for date columns of pandas frames."""
    return "" if value is None or pd.isna(value) else format_date_id(value)


def _day(value) -> date | None:
    if value is None or pd.isna(value):
        return None
    return value.date() if hasattr(value, "date") else value


def _dated(label: str, value, as_of: date, prefix: str = "") -> dict:
    """A checklist row for a dated document or approval; a date after ``as_of`` does not count yet."""
    day = _day(value)
    if day is None:
        return {"Dokumen/persetujuan": label, "Ada": NO, "Keterangan": "Tidak tercatat"}
    if day > as_of:
        return {"Dokumen/persetujuan": label, "Ada": NO,
                "Keterangan": f"Tercatat {format_date_id(day)}, setelah tanggal acuan {format_date_id(as_of)}"}
    return {"Dokumen/persetujuan": label, "Ada": YES, "Keterangan": f"{prefix}{format_date_id(day)}"}


def _flag(value, label: str) -> dict:
    if value is None or pd.isna(value):
        return {"Dokumen/persetujuan": label, "Ada": UNKNOWN, "Keterangan": "Tidak diisi"}
    return {"Dokumen/persetujuan": label, "Ada": YES if value else NO, "Keterangan": "Ada" if value else "Tidak ada"}


def document_checklist(perjanjian: pd.Series, as_of: date) -> pd.DataFrame:
    """MoU, Full Powers, approvals, PKS, RIK and AWP as ✓/✗ with Indonesian dates, as the engine counts them."""
    mou = _dated("Nota Kesepahaman (MoU)", perjanjian.get("tanggal_ttd"), as_of, "Ditandatangani ")
    nomor = perjanjian.get("nomor_mou")
    if isinstance(nomor, str) and nomor.strip():
        mou["Keterangan"] = f"Nomor {nomor.strip()}; {mou['Keterangan'][0].lower()}{mou['Keterangan'][1:]}"
        if mou["Ada"] == NO and _day(perjanjian.get("tanggal_ttd")) is None:
            mou["Ada"] = YES  # numbered, date unknown
    rows = [
        mou,
        _dated("Surat Kuasa (Full Powers)", perjanjian.get("tanggal_surat_kuasa"), as_of),
        _dated("Persetujuan DPRD", perjanjian.get("tanggal_persetujuan_dprd"), as_of),
        _dated("Persetujuan Pemerintah Pusat", perjanjian.get("tanggal_persetujuan_pusat"), as_of),
        _dated("Perjanjian Kerja Sama (PKS)", perjanjian.get("tanggal_pks"), as_of),
        _flag(perjanjian.get("ada_rik"), "Rencana Induk Kegiatan (RIK)"),
        _flag(perjanjian.get("ada_awp"), "Annual Work Plan (AWP)"),
    ]
    return pd.DataFrame(rows, columns=["Dokumen/persetujuan", "Ada", "Keterangan"])


def criteria_checklist(perjanjian: pd.Series) -> pd.DataFrame:
    """The seven criteria of the 2019 rakor as ✓ (met), ✗ (not met) or — (not filled in)."""
    rows = []
    for column, label in SEVEN_CRITERIA.items():
        value = perjanjian.get(column)
        mark = UNKNOWN if value is None or pd.isna(value) else (YES if value else NO)
        rows.append({"Kriteria": label, "Terpenuhi": mark})
    return pd.DataFrame(rows, columns=["Kriteria", "Terpenuhi"])


def activity_timeline(kegiatan: pd.DataFrame, rules: Rules, as_of: date | None = None) -> pd.DataFrame:
    """Activities in date order with ``sifat`` seremonial/substantif (empty type is substantive, as in the engine)."""
    frame = kegiatan.copy()
    frame["tanggal"] = pd.to_datetime(frame["tanggal"])
    ceremonial = frame["jenis_kegiatan"].isin(rules.ceremonial_activity_types)
    frame["sifat"] = ceremonial.map({True: "seremonial", False: "substantif"})
    frame["dihitung"] = True if as_of is None else frame["tanggal"].dt.date <= as_of
    return frame.sort_values(["tanggal", "nama_kegiatan"]).reset_index(drop=True)


def indicator_progress(indikator: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Each indicator row with ``capaian`` = min(realisasi / target, 1) as the score counts it (empty when not counted)."""
    frame = indikator.copy()
    target = pd.to_numeric(frame["target"], errors="coerce")
    realisasi = pd.to_numeric(frame["realisasi"], errors="coerce").fillna(0)
    counted = (target > 0) & (frame["tahun"] <= as_of.year)
    share = (realisasi / target.where(target > 0)).clip(lower=0, upper=1)
    frame["capaian"] = share.where(counted)
    return frame.reset_index(drop=True)


def report_status(store: Store, agreement_id: str, as_of: date, rules: Rules) -> pd.DataFrame:
    """Reports against deadlines, one row per fiscal year the agreement was active in.

    Columns: ``tahun_anggaran``, ``batas`` and ``diterima`` (dates), ``status`` (Tepat waktu /
    Terlambat N hari kerja / Belum masuk / Belum jatuh tempo) and ``hari_kerja_terlambat``.
    """
    years = fiscal_years(store, agreement_id, as_of, rules)
    columns = ["tahun_anggaran", "batas", "diterima", "status", "hari_kerja_terlambat"]
    if years.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for year in years.itertuples(index=False):
        late_days = None
        if pd.notna(year.diterima) and bool(year.terlambat):
            late_days = int(year.hari_kerja_terlambat)
            status = f"Terlambat {format_number_id(late_days, 0)} hari kerja"
        elif pd.notna(year.diterima):
            status = REPORT_ON_TIME
        elif bool(year.belum_masuk):
            status = REPORT_MISSING
        else:
            status = REPORT_NOT_DUE
        rows.append({
            "tahun_anggaran": int(year.tahun_anggaran),
            "batas": _day(year.batas),
            "diterima": _day(year.diterima),
            "status": status,
            "hari_kerja_terlambat": late_days,
        })
    frame = pd.DataFrame(rows, columns=columns)
    frame["hari_kerja_terlambat"] = frame["hari_kerja_terlambat"].astype("Int64")
    return frame


def score_components(agreement: pd.Series, flag_codes: list[str] | tuple[str, ...], rules: Rules) -> pd.DataFrame:
    """The four components of the score with their weight, points and what they rest on; empty when unsigned."""
    if not bool(agreement.get("ditandatangani")) or pd.isna(agreement.get("skor")):
        return pd.DataFrame(columns=["Komponen", "Poin", "Bobot", "Dasar"])
    failed = [COMPLIANCE_CHECKS[c] for c in COMPLIANCE_CHECKS if c in flag_codes]
    passed = len(COMPLIANCE_CHECKS) - len(failed)
    basis = {
        "kepatuhan": f"{passed} dari {len(COMPLIANCE_CHECKS)} pemeriksaan lolos"
                     + (f"; gagal: {', '.join(failed)}" if failed else ""),
        "tindak_lanjut": f"{int(agreement['tahun_dengan_kegiatan'])} dari {int(agreement['tahun_aktif'])} tahun aktif "
                         "dengan kegiatan substantif",
        "capaian": f"{int(agreement['jumlah_indikator'])} baris indikator"
                   + ("" if int(agreement["jumlah_indikator"]) else " (tanpa indikator: 0)"),
        "pelaporan": (f"{int(agreement['laporan_tepat_waktu'])} dari {int(agreement['laporan_wajib'])} laporan wajib "
                      "tepat waktu") if int(agreement["laporan_wajib"]) else "Belum ada laporan wajib: nilai penuh",
    }
    rows = [
        {"Komponen": c.label, "Poin": float(agreement[c.column]), "Bobot": float(rules.value(c.weight_key)),
         "Dasar": basis[c.code]}
        for c in COMPONENTS
    ]
    rows.append({"Komponen": "Skor", "Poin": float(agreement["skor"]), "Bobot": 100.0, "Dasar": "Jumlah keempat komponen"})
    return pd.DataFrame(rows, columns=["Komponen", "Poin", "Bobot", "Dasar"])


def agreement_flags(flags: pd.DataFrame, agreement_id: str) -> pd.DataFrame:
    """The raised flags of one agreement in the order of their definitions, with reason and rule."""
    return flags[flags["id_perjanjian"] == agreement_id].reset_index(drop=True)


def agreement_title(agreement: pd.Series) -> str:
    """``id — judul (mitra, negara)`` for selectboxes."""
    country = country_name(agreement.get("negara"))
    partner = ", ".join(p for p in (agreement.get("mitra"), country) if isinstance(p, str) and p)
    return f"{agreement['id_perjanjian']} — {agreement['judul']}" + (f" ({partner})" if partner else "")


def flag_label(code: str) -> str:
    return FLAG_BY_CODE[code].label
