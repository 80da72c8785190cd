"""One agreement in detail: its documents and approvals, activities, indicators, reports and score.

Every judgement in these tables (which approval counts, which activity is ceremonial, how
much of an indicator is achieved, which report is due and how late) is a column of the
engine's SQL (``indicators.agreement_detail``: perjanjian_dokumen, kegiatan_sifat,
indikator_capaian, tahun_anggaran, perjanjian_skor); this module only words it, so the
detail never contradicts the score and flags shown next to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ksln_metrics.engine.rules import COMPONENTS, Rules
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.reference import SEVEN_CRITERIA, country_name, normalize_text
from ksln_metrics.store import Store

YES, NO, UNKNOWN = "✓", "✗", "—"

DOCUMENTS = {
    "mou": "Nota Kesepahaman (MoU)",
    "surat_kuasa": "Surat Kuasa (Full Powers)",
    "persetujuan_dprd": "Persetujuan DPRD",
    "persetujuan_pusat": "Persetujuan Pemerintah Pusat",
    "pks": "Perjanjian Kerja Sama (PKS)",
    "rik": "Rencana Induk Kegiatan (RIK)",
    "awp": "Annual Work Plan (AWP)",
}

# The four checks of the compliance component (columns of perjanjian_skor.sql).
COMPLIANCE_CHECKS = {
    "lolos_persetujuan_dprd": "Persetujuan DPRD",
    "lolos_persetujuan_pusat": "Persetujuan Pemerintah Pusat",
    "lolos_penandatangan": "Penandatangan kepala daerah sendiri",
    "lolos_negara_mitra": "Negara mitra memiliki hubungan diplomatik",
}

# The status of a fiscal year's report (tahun_anggaran.sql) in words; "terlambat" adds the days.
REPORT_STATUS = {
    "tepat_waktu": "Tepat waktu",
    "terlambat": "Terlambat",
    "belum_masuk": "Belum masuk",
    "belum_jatuh_tempo_diterima": "Diterima, belum jatuh tempo",
    "belum_jatuh_tempo": "Belum jatuh tempo",
}
REPORT_COUNTED, REPORT_NOT_COUNTED = "Ya", "Tidak"

INDICATOR_NOT_COUNTED = {
    "target_kosong": "Tidak dihitung: target kosong atau 0",
    "tahun_setelah_acuan": "Belum dihitung: tahunnya setelah tanggal acuan",
}


@dataclass(frozen=True)
class AgreementRecord:
    """The stored rows of one agreement, as uploaded: the agreement and its activities, indicators and reports."""

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


def document_checklist(documents: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """MoU, Full Powers, approvals, PKS, RIK and AWP as ✓/✗ (``perjanjian_dokumen.sql``), with Indonesian dates."""
    rows = []
    for doc in documents.itertuples(index=False):
        day = date_text(doc.tanggal)
        state = doc.keadaan
        if state == "setelah_acuan":
            note = f"Tercatat {day}, setelah tanggal acuan {format_date_id(as_of)}"
        elif state == "ada" and day:
            note = f"Ditandatangani {day}" if doc.dokumen == "mou" else day
        else:
            note = {"ada": "Ada", "tidak_ada": "Tidak ada", "tidak_diisi": "Tidak diisi",
                    "bernomor": "Tanggal tidak tercatat"}.get(state, "Tidak tercatat")
        if isinstance(doc.nomor, str):
            note = f"Nomor {doc.nomor}; {note[0].lower()}{note[1:]}"
        mark = UNKNOWN if doc.ada is None or pd.isna(doc.ada) else (YES if bool(doc.ada) else NO)
        rows.append({"Dokumen/persetujuan": DOCUMENTS[doc.dokumen], "Ada": mark, "Keterangan": note})
    return pd.DataFrame(rows, columns=["Dokumen/persetujuan", "Ada", "Keterangan"])


def criteria_checklist(perjanjian: pd.Series) -> pd.DataFrame:
    """The seven criteria of the 2019 rakor as ✓ (met), ✗ (not met) or — (not filled in), as uploaded."""
    rows = []
    for column, label in SEVEN_CRITERIA.items():
        value = perjanjian.get(column)
        mark = UNKNOWN if value is None or pd.isna(value) else (YES if value else NO)
        rows.append({"Kriteria": label, "Terpenuhi": mark})
    return pd.DataFrame(rows, columns=["Kriteria", "Terpenuhi"])


def activity_timeline(activities: pd.DataFrame) -> pd.DataFrame:
    """Activities in date order (``kegiatan_sifat.sql``) with ``sifat`` seremonial/substantif and ``dihitung``."""
    frame = activities.copy()
    frame["tanggal"] = pd.to_datetime(frame["tanggal"])
    frame["sifat"] = frame["seremonial"].map({True: "seremonial", False: "substantif"})
    return frame.sort_values(["tanggal", "nama_kegiatan"]).reset_index(drop=True)


def indicator_progress(indicators: pd.DataFrame) -> pd.DataFrame:
    """Each indicator row (``indikator_capaian.sql``) with ``keterangan`` saying why a row is not counted."""
    frame = indicators.copy()
    frame["keterangan"] = frame["tidak_dihitung"].map(INDICATOR_NOT_COUNTED).fillna("Dihitung")
    return frame.reset_index(drop=True)


def report_status(fiscal_years: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Reports against deadlines (``tahun_anggaran.sql``), one row per fiscal year the agreement was active in.

    Columns: ``tahun_anggaran``, ``batas`` and ``diterima`` (dates), ``status`` in words,
    ``dihitung`` (Ya when the report is due and so counts in the score), ``keterangan`` (why)
    and ``hari_kerja_terlambat``.
    """
    columns = ["tahun_anggaran", "batas", "diterima", "status", "dihitung", "keterangan", "hari_kerja_terlambat"]
    rows = []
    for year in fiscal_years.itertuples(index=False):
        batas, diterima = _day(year.batas), _day(year.diterima)
        late_days = int(year.hari_kerja_terlambat) if year.status == "terlambat" else None
        status = REPORT_STATUS[year.status]
        if year.status == "terlambat":
            # Received on a holiday right after the deadline: late, though no working day has passed.
            status += f" {format_number_id(late_days, 0)} hari kerja" if late_days else " (hari libur sesudah batas)"
        if year.status in ("belum_jatuh_tempo", "belum_jatuh_tempo_diterima"):
            note = (f"Batas {format_date_id(batas)} belum lewat per {format_date_id(as_of)}: belum dihitung dalam "
                    "skor pelaporan")
        elif year.status == "belum_masuk":
            note = f"Sudah lewat {format_number_id(int(year.hari_kerja_lewat), 0)} hari kerja dari batas"
        elif year.status == "terlambat":
            note = "Dihitung masuk, tetapi tidak tepat waktu"
        else:
            note = "Dihitung tepat waktu"
        rows.append({
            "tahun_anggaran": int(year.tahun_anggaran),
            "batas": batas,
            "diterima": diterima,
            "status": status,
            "dihitung": REPORT_COUNTED if bool(year.wajib) else REPORT_NOT_COUNTED,
            "keterangan": note,
            "hari_kerja_terlambat": late_days,
        })
    frame = pd.DataFrame(rows, columns=columns)
    frame["hari_kerja_terlambat"] = frame["hari_kerja_terlambat"].astype("Int64")
    return frame


def score_components(agreement: pd.Series, rules: Rules) -> pd.DataFrame:
    """The four components of the score with their weight, points and what they rest on; empty when unsigned."""
    if not bool(agreement.get("ditandatangani")) or pd.isna(agreement.get("skor")):
        return pd.DataFrame(columns=["Komponen", "Poin", "Bobot", "Dasar"])
    failed = [label for column, label in COMPLIANCE_CHECKS.items() if not bool(agreement[column])]
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


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def agreement_name(row) -> str:
    """``Pemerintah Kota Haikou, Tiongkok (CONTOH-3601-02)``: who the partner is, then the ID.

    The one way an agreement is named in lists, selectboxes, slides and reports.
    """
    partner = ", ".join(p for p in (_text(row.get("mitra")), country_name(_text(row.get("negara")) or None)) if p)
    return f"{partner or _text(row.get('judul')) or 'Tanpa nama'} ({row['id_perjanjian']})"
