"""The audit trail: who did what and when — logins, uploads, rollbacks, settings and account changes.

Entries are written by the store's write path (``Store.audit`` and, for uploads and
rollbacks, in the same transaction as the batch); this module reads, labels and exports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import pandas as pd

from ksln_metrics.present.export import escape_formula
from ksln_metrics.store import Store

ACTIONS: dict[str, str] = {
    "masuk": "Masuk",
    "gagal_masuk": "Gagal masuk",
    "keluar": "Keluar",
    "unggah": "Unggah data",
    "unggah_ditolak": "Unggahan ditolak",
    "pembatalan": "Pembatalan batch",
    "pembatalan_ditolak": "Pembatalan ditolak",
    "data_contoh": "Data contoh dimuat",
    "pengaturan": "Perubahan pengaturan",
    "akun_dibuat": "Akun dibuat",
    "akun_diubah": "Peran akun diubah",
    "akun_dinonaktifkan": "Akun dinonaktifkan",
    "akun_diaktifkan": "Akun diaktifkan",
    "akun_dibuka": "Kunci akun dibuka",
    "kata_sandi_diganti": "Kata sandi diganti",
    "tindak_lanjut_dibuat": "Tindak lanjut dibuat",
    "tindak_lanjut_diubah": "Tindak lanjut diubah",
    "tindak_lanjut_status": "Status tindak lanjut diubah",
    "tindak_lanjut_ditolak": "Perubahan tindak lanjut ditolak",
    "rakor_dicatat": "Rakor dicatat",
    "lampiran_diunggah": "Lampiran diunggah",
    "lampiran_ditolak": "Lampiran ditolak",
    "perubahan_manual": "Perubahan manual",
    "cerita_dibuat": "Cerita sukses dibuat",
    "cerita_diubah": "Cerita sukses diubah",
    "cerita_diterbitkan": "Cerita sukses diterbitkan",
    "cerita_ditarik": "Cerita sukses ditarik",
    "cerita_ditolak": "Perubahan cerita sukses ditolak",
}

EXPORT_COLUMNS = {"audit_id": "No.", "created_at": "Waktu", "user_name": "Pengguna", "aksi": "Aksi",
                  "target": "Objek", "detail": "Rincian", "batch_id": "Batch"}


def audit_log(store: Store, *, users: Iterable[str] | None = None, actions: Iterable[str] | None = None,
              start: date | None = None, end: date | None = None) -> pd.DataFrame:
    """Audit entries, newest first, filtered by user, action code and date (``end`` included)."""
    conditions, params = [], []
    if users:
        conditions.append("user_name = ANY(?)")
        params.append(sorted(users))
    if actions:
        conditions.append("action = ANY(?)")
        params.append(sorted(actions))
    if start:
        conditions.append("created_at >= ?")
        params.append(pd.Timestamp(start).to_pydatetime())
    if end:
        conditions.append("created_at < ?")
        params.append(pd.Timestamp(end + timedelta(days=1)).to_pydatetime())
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    log = store.query(
        "SELECT audit_id, created_at, user_name, action, target, detail, data_json, batch_id "
        f"FROM audit {where} ORDER BY audit_id DESC",
        params,
    )
    log["aksi"] = log["action"].map(ACTIONS).fillna(log["action"])
    return log


def audit_users(store: Store) -> list[str]:
    return store.query("SELECT DISTINCT user_name FROM audit ORDER BY 1")["user_name"].tolist()


def audit_export_frame(log: pd.DataFrame) -> pd.DataFrame:
    """Indonesian headers, time as ``DD-MM-YYYY HH:MM:SS``, text cells safe from formula injection."""
    frame = log.loc[:, list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
    frame["Waktu"] = frame["Waktu"].dt.strftime("%d-%m-%Y %H:%M:%S")
    for column in ("Waktu", "Pengguna", "Aksi", "Objek", "Rincian"):
        frame[column] = frame[column].map(escape_formula)
    return frame


def audit_csv(log: pd.DataFrame) -> bytes:
    """``;``-separated UTF-8 with a byte-order mark, as Excel in an Indonesian locale opens it."""
    return audit_export_frame(log).to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")


def audit_xlsx(log: pd.DataFrame) -> bytes:
    """One sheet ``Audit`` with a bold, frozen header row and a filter."""
    from openpyxl import Workbook

    from ksln_metrics.present.export import table_sheet, workbook_bytes

    book = Workbook()
    sheet = book.active
    sheet.title = "Audit"
    table_sheet(sheet, audit_export_frame(log), {"Waktu": 20, "Aksi": 24, "Objek": 28, "Rincian": 80}, default_width=14)
    return workbook_bytes(book)
