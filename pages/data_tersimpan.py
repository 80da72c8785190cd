"""Data Tersimpan: what the store holds, per kab/kota, and the upload history."""

import pandas as pd
import streamlit as st

from ksln_metrics.reference import REGIONS, TABLES
from ksln_metrics.template import template_xlsx
from ksln_ui.state import get_store, sample_data_banner

store = get_store()

st.title("Data Tersimpan")
st.caption(f"Basis data: `{store.path.name}`")
sample_data_banner(store)

counts = store.query(
    """SELECT p.kabkota,
              count(DISTINCT p.id_perjanjian) AS perjanjian,
              (SELECT count(*) FROM kegiatan k JOIN perjanjian q USING (id_perjanjian) WHERE q.kabkota = p.kabkota) AS kegiatan,
              (SELECT count(*) FROM indikator i JOIN perjanjian q USING (id_perjanjian) WHERE q.kabkota = p.kabkota) AS indikator,
              (SELECT count(*) FROM laporan l JOIN perjanjian q USING (id_perjanjian) WHERE q.kabkota = p.kabkota) AS laporan
       FROM perjanjian p GROUP BY p.kabkota"""
).set_index("kabkota")
table = counts.reindex(list(REGIONS)).fillna(0).astype(int)
table.insert(0, "Kab/Kota", [REGIONS[code] for code in table.index])
table.index.name = "Kode"
table.columns = ["Kab/Kota", *(TABLES[name].sheet for name in ("perjanjian", "kegiatan", "indikator", "laporan"))]

left, right = st.columns([3, 1])
with left:
    st.subheader("Jumlah baris per kab/kota")
    st.dataframe(table, width="stretch")
with right:
    st.subheader("Templat")
    st.write("Isi templat ini, lalu impor dengan `python -m ksln_metrics ingest BERKAS`.")
    st.download_button(
        "Unduh templat (.xlsx)",
        data=template_xlsx(),
        file_name="templat_ksln.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
    )

st.subheader("Riwayat unggahan")
history = store.batches()
if history.empty:
    st.info("Belum ada unggahan.")
else:
    kinds = {"unggah": "Unggahan", "contoh": "Data contoh", "pembatalan": "Pembatalan"}
    shown = history.assign(
        jenis=history["kind"].map(kinds),
        waktu=history["created_at"].dt.strftime("%d-%m-%Y %H:%M"),
        status=history["rolled_back_by"].map(lambda b: "berlaku" if pd.isna(b) else f"dibatalkan oleh #{int(b)}"),
    )[["batch_id", "jenis", "file_name", "user_name", "waktu", "kabkota", "new_rows", "updated_rows", "deleted_rows", "status"]]
    shown.columns = ["Batch", "Jenis", "Berkas", "Pengguna", "Waktu", "Kab/Kota", "Baru", "Diubah", "Dihapus", "Status"]
    st.dataframe(shown, hide_index=True, width="stretch")
