"""Attachments on a page: the list with downloads under the original name, and the upload form.

Files are only offered for download (``st.download_button``), never shown inline, so no
uploaded content is ever rendered by the browser as part of the app.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ksln_metrics.access import User
from ksln_metrics.followup.attachments import ALLOWED_EXTENSIONS, KINDS, attach, attach_refusal, attachment_file
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.store import Store, StoreError
from ksln_ui.literal import literal


def attachment_list(store: Store, files: pd.DataFrame, key: str) -> None:
    """The files as a table (user text in cells, never Markdown), and a download of the chosen one."""
    if files.empty:
        st.caption("Belum ada lampiran.")
        return
    st.dataframe(pd.DataFrame({
        "Jenis": files["kind_label"], "Judul": files["title"], "Berkas": files["file_name"],
        "Ukuran (KB)": (files["size_bytes"] / 1024).map(lambda v: format_number_id(v, 0)),
        "Tanggal dokumen": files["doc_date"].map(lambda d: format_date_id(d) if pd.notna(d) else ""),
        "Kegiatan": files["kegiatan_nama"].fillna(""),
        "Diunggah": files["uploaded_at"].map(format_date_id), "Oleh": files["uploaded_by"],
    }), hide_index=True, width="stretch", key=f"{key}_tabel")
    names = dict(zip(files["lampiran_id"].astype(int), files["file_name"], strict=True))
    pick, button = st.columns([3, 1], vertical_alignment="bottom")
    chosen = pick.selectbox("Lampiran", list(names), format_func=lambda i: f"#{i} · {names[i]}", key=f"{key}_pilih")
    name, mime, content = attachment_file(store, int(chosen))
    button.download_button("Unduh", content, file_name=name, mime=mime, key=f"{key}_unduh",
                           icon=":material/download:", on_click="ignore", width="stretch")


def attachment_form(store: Store, user: User, region: str, *, key: str, id_perjanjian: str | None = None,
                    action_id: int | None = None, activities: pd.DataFrame | None = None,
                    default_kind: str = "lainnya") -> int | None:
    """The upload form when ``user`` may attach to this unit's records; the new attachment's number once saved."""
    if attach_refusal(user, region, "Data ini") is not None:
        return None
    with st.form(f"{key}_formulir", clear_on_submit=True):
        upload = st.file_uploader("Berkas (PDF, JPEG, PNG atau dokumen Office; paling besar 10 MB)",
                                  type=list(ALLOWED_EXTENSIONS), key=f"{key}_berkas")
        left, middle, right = st.columns([2, 3, 2])
        kinds = list(KINDS)
        kind = left.selectbox("Jenis", kinds, index=kinds.index(default_kind), format_func=KINDS.get,
                              key=f"{key}_jenis")
        title = middle.text_input("Judul", key=f"{key}_judul", max_chars=300, placeholder="Boleh kosong: nama berkas")
        doc_date = right.date_input("Tanggal dokumen", value=None, key=f"{key}_tanggal", format="DD/MM/YYYY")
        activity = None
        if activities is not None and len(activities):
            options = [None, *range(len(activities))]
            labels = {i: f"{format_date_id(activities['tanggal'].iloc[i])} · {activities['nama_kegiatan'].iloc[i]}"
                      for i in range(len(activities))}
            picked = st.selectbox("Kegiatan (boleh kosong)", options,
                                  format_func=lambda i: "— perjanjian —" if i is None else labels[i],
                                  key=f"{key}_kegiatan")
            if picked is not None:
                activity = (pd.Timestamp(activities["tanggal"].iloc[picked]).date(),
                            activities["nama_kegiatan"].iloc[picked])
        submitted = st.form_submit_button("Lampirkan", icon=":material/attach_file:", key=f"{key}_simpan")
    if not submitted:
        return None
    if upload is None:
        st.error("Pilih berkas lebih dulu.")
        return None
    try:
        return attach(store, user=user, file_name=upload.name, content=upload.getvalue(), kind=kind, title=title,
                      doc_date=doc_date, id_perjanjian=id_perjanjian, action_id=action_id, kegiatan=activity)
    except StoreError as exc:
        st.error(literal(str(exc)), icon=":material/block:")
        return None
