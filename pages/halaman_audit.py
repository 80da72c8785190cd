"""Audit (admin): who did what and when — filter by user, action and date, and download."""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from ksln_metrics.access import ADMIN
from ksln_metrics.accounts.audit import ACTIONS, audit_csv, audit_log, audit_users, audit_xlsx
from ksln_metrics.mime import CSV_MIME, XLSX_MIME
from ksln_ui.auth import require_role
from ksln_ui.state import get_store

require_role(ADMIN)
store = get_store()

st.title("Audit")
st.caption("Setiap masuk, gagal masuk, keluar, unggahan, pembatalan, perubahan pengaturan dan perubahan akun, dengan "
           "pelaku dan waktunya (waktu server). Catatan audit tidak dapat diubah dari aplikasi.")

left, middle, right = st.columns([2, 2, 2])
users = left.multiselect("Pengguna", audit_users(store), select_all=False, key="audit_pengguna", placeholder="Semua")
actions = middle.multiselect("Aksi", list(ACTIONS), format_func=ACTIONS.get, select_all=False, key="audit_aksi", placeholder="Semua")
today = date.today()  # audit entries carry the server's wall clock, not the reference date
period = right.date_input("Tanggal", value=(today - timedelta(days=30), today), format="DD-MM-YYYY",
                          key="audit_tanggal")
chosen = list(period) if isinstance(period, tuple | list) else [period]  # one date while a range is being picked
start, end = (chosen[0], chosen[-1]) if chosen else (None, None)

log = audit_log(store, users=users or None, actions=actions or None, start=start, end=end)
st.markdown(f"**{len(log):,}** catatan".replace(",", "."))
if log.empty:
    st.info("Tidak ada catatan untuk filter ini.")
else:
    st.dataframe(pd.DataFrame({
        "Waktu": log["created_at"].dt.strftime("%d-%m-%Y %H:%M:%S"),
        "Pengguna": log["user_name"],
        "Aksi": log["aksi"],
        "Objek": log["target"],
        "Rincian": log["detail"],
        "Batch": log["batch_id"].map(lambda b: f"#{int(b)}" if pd.notna(b) else "–"),
    }).fillna("–"), hide_index=True, width="stretch", key="audit_tabel")
    stamp = f"{start:%Y%m%d}-{end:%Y%m%d}" if start and end else "semua"
    one, two, _ = st.columns([1, 1, 3])
    one.download_button("Unduh CSV (;)", lambda: audit_csv(log), f"audit_{stamp}.csv", CSV_MIME, icon=":material/download:",
                        on_click="ignore", key="audit_unduh_csv", width="stretch")
    two.download_button("Unduh Excel (.xlsx)", lambda: audit_xlsx(log), f"audit_{stamp}.xlsx", XLSX_MIME,
                        icon=":material/download:", on_click="ignore", key="audit_unduh_xlsx", width="stretch")
