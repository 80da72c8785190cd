"""Success stories on a page: an agreement's stories with the write form, and the province's publication list."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ksln_metrics.access import User
from ksln_metrics.followup import stories as cs
from ksln_metrics.followup.actions import manage_refusal
from ksln_metrics.store import Store, StoreError
from ksln_ui.literal import literal


def _story_text(row) -> None:
    st.markdown(f"**{literal(row['judul'])}** · {'diterbitkan' if row['terbit'] else 'belum diterbitkan'}")
    for key in ("capaian", "penerima", "angka", "pelajaran"):
        if isinstance(row.get(key), str):
            st.markdown(f"*{cs.FIELDS[key]}:* {literal(row[key])}")


def agreement_stories(store: Store, user: User, agreement_id: str, region: str, attachments: pd.DataFrame) -> None:
    """The stories of one agreement and, for its unit's analysts, a form to write a new one."""
    if message := st.session_state.pop("cerita_pesan", None):
        st.success(message, icon=":material/task_alt:")
    stories = cs.list_stories(store, id_perjanjian=agreement_id)
    for row in stories.to_dict("records"):
        with st.container(border=True):
            _story_text(row)
            for name, content in cs.story_photos(store, row["foto"]):
                st.image(content, caption=name, width=320)
    if stories.empty:
        st.caption("Belum ada cerita sukses untuk perjanjian ini.")
    if cs.write_refusal(user, region) is not None:
        return
    photos = attachments[attachments["mime"].isin(cs.PHOTO_MIMES)] if len(attachments) else attachments
    names = dict(zip(photos.get("lampiran_id", pd.Series(dtype=int)).astype(int), photos.get("file_name", []),
                     strict=True))
    with st.expander("Tulis cerita sukses"), st.form("cerita_formulir", clear_on_submit=True):
        values = {key: (st.text_input if key in ("judul", "angka") else st.text_area)(label, key=f"cerita_{key}")
                  for key, label in cs.FIELDS.items()}
        chosen = st.multiselect("Foto dari lampiran (JPEG/PNG)", list(names), format_func=names.get,
                                select_all=False, key="cerita_foto", placeholder="Unggah foto di Lampiran lebih dulu")
        if st.form_submit_button("Simpan cerita", key="cerita_simpan"):
            try:
                number = cs.save_story(store, user=user, id_perjanjian=agreement_id, photos=chosen, **values)
            except StoreError as exc:
                st.error(literal(str(exc)))
            else:
                st.session_state["cerita_pesan"] = (f"Cerita sukses #{number} disimpan; Provinsi menerbitkannya dari "
                                                    "halaman Tindak Lanjut.")
                st.rerun()


def publication_list(store: Store, user: User, kabkota: list[str] | None, as_of: date) -> None:
    """Every story, with publication for province staff, and the document of the published ones."""
    stories = cs.list_stories(store, kabkota=kabkota)
    if stories.empty:
        st.caption("Belum ada cerita sukses. Cerita ditulis di halaman Perjanjian.")
        return
    st.dataframe(pd.DataFrame({
        "No.": stories["story_id"], "Kab/Kota": stories["kabkota_nama"], "Perjanjian": stories["id_perjanjian"],
        "Judul": stories["judul"], "Diterbitkan": stories["terbit"].map({True: "ya", False: "belum"}),
    }), hide_index=True, width="stretch", key="cerita_daftar")
    if manage_refusal(user) is None:
        titles = dict(zip(stories["story_id"].astype(int), stories["judul"], strict=True))
        pick, button = st.columns([3, 1], vertical_alignment="bottom")
        chosen = pick.selectbox("Cerita", list(titles), format_func=lambda i: f"#{i} · {titles[i]}",
                                key="cerita_terbit_pilih")
        published = bool(stories.set_index("story_id").loc[chosen, "terbit"])
        if button.button("Tarik" if published else "Terbitkan", key="cerita_terbit", width="stretch"):
            try:
                cs.set_published(store, chosen, not published, user=user)
            except StoreError as exc:
                st.error(literal(str(exc)))
            else:
                st.rerun()
    shown = stories[stories["terbit"]]
    st.download_button(f"Dokumen Praktik Baik (.docx, {len(shown)} cerita)",
                       data=lambda: cs.stories_docx(store, shown, as_of), file_name=f"praktik-baik-{as_of}.docx",
                       mime=cs.DOCX_MIME, key="cerita_unduh", icon=":material/description:", on_click="ignore",
                       disabled=shown.empty)
