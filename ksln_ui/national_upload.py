"""Unggah Data in the national view: a province's full dump (``dump``), checked, previewed and saved.

The same path as ``impor-nasional``: ``national.read_dump`` checks every file, the store refuses
what the account may not change, and each file becomes one batch that makes the province's
rows equal to the dump's (history and rollback below on the page, as for any upload).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ksln_metrics.access import User
from ksln_metrics.national import commit_dump, read_dump, replaced_units
from ksln_metrics.reference import TABLES, region_name
from ksln_metrics.store import Store, StoreError
from ksln_ui.literal import literal
from ksln_ui.tables import readable_table
from ksln_ui.uploader import upload_limit_mb

RESULT = "nasional_hasil"


def _css(limit_mb: int) -> str:
    # Constant CSS (the limit is a setting, not data), scoped to this uploader's container: it wins
    # over the page's spreadsheet uploader hint, which names spreadsheet types.
    hint = f"Batas {limit_mb} MB per berkas • .zip dari perintah dump"
    return f"""<style>
.st-key-nasional_wadah [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0 !important; }}
.st-key-nasional_wadah [data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "{hint}"; font-size: 0.875rem; }}
</style>"""


def _check(store: Store, user: User, files: list) -> list[dict]:
    checked = []
    for file in files:
        upload = read_dump(file.name, file.getvalue())
        units = replaced_units(store, upload) if upload.ok else set()
        refusal = store.change_refusal(user, upload.tables, units) if upload.ok else None
        if refusal:
            store.audit(user, "unggah_ditolak", target=upload.file_name, detail=refusal)
        preview = store.preview(upload.tables, units, replace=True) if upload.ok and not refusal else {}
        checked.append({"upload": upload, "refusal": refusal, "preview": preview})
    provinces = [c["upload"].province for c in checked if c["upload"].ok]
    for entry in checked:
        if entry["upload"].ok and provinces.count(entry["upload"].province) > 1 and not entry["refusal"]:
            entry["refusal"] = (f"{region_name(entry['upload'].province)} ada di lebih dari satu berkas; impor satu "
                                "berkas per provinsi.")
    return checked


def dump_upload_section(store: Store, user: User) -> None:
    """Upload one or more provinces' dumps, see every problem and what would change, then save them."""
    with st.container(border=True):
        st.subheader("Impor ekspor penuh provinsi")
        st.caption("Berkas .zip yang dibuat provinsi dengan `python -m ksln_metrics dump`. Setiap berkas membuat data "
                   "provinsinya di basis data nasional sama dengan isi berkas (baris yang sudah tidak ada di provinsi "
                   "ditutup); provinsi lain tidak berubah. Mengimpor ulang berkas yang sama tidak mengubah apa pun.")
        with st.container(key="nasional_wadah"):
            st.html(_css(upload_limit_mb()))
            files = st.file_uploader("Ekspor penuh provinsi (.zip, boleh beberapa provinsi sekaligus)",
                                     accept_multiple_files=True, key="nasional_berkas",
                                     max_upload_size=upload_limit_mb()) or []
        if st.button("Periksa ekspor penuh", type="primary", disabled=not files, key="nasional_periksa"):
            st.session_state[RESULT] = _check(store, user, files)
        checked = st.session_state.get(RESULT)
        if not checked:
            return
        problems = pd.DataFrame(
            [{"Berkas": p.file, "Tabel": p.sheet, "Baris": p.row, "Kolom": p.column,
              "Tingkat": "Kesalahan" if p.is_error else "Peringatan", "Pesan": p.message}
             for entry in checked for p in entry["upload"].problems],
            columns=["Berkas", "Tabel", "Baris", "Kolom", "Tingkat", "Pesan"],
        )
        refusals = [entry for entry in checked if entry["refusal"]]
        for entry in refusals:
            st.error(literal(f"{entry['upload'].file_name}: {entry['refusal']}"), icon=":material/block:")
        errors = int((problems["Tingkat"] == "Kesalahan").sum()) + len(refusals)
        if len(problems):
            problems["Baris"] = problems["Baris"].astype("Int64")
            readable_table(problems, key="nasional_masalah")
        if errors:
            st.error(f"Ditemukan {errors} kesalahan. Tidak ada yang disimpan; minta provinsi membuat ulang berkasnya.",
                     icon=":material/error:")
            return
        rows = [{"Berkas": entry["upload"].file_name, "Provinsi": region_name(entry["upload"].province),
                 "Tabel": TABLES[table].sheet, "Baru": change.new, "Diubah": change.updated,
                 "Sama": change.unchanged, "Dihapus": change.deleted}
                for entry in checked for table, change in entry["preview"].items()]
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="nasional_pratinjau")
        if st.button("Simpan ke basis data nasional", type="primary", key="nasional_simpan"):
            summaries = []
            for entry in checked:
                try:
                    summaries.append(entry["upload"].summary(commit_dump(store, entry["upload"], user=user)))
                except StoreError as exc:
                    summaries.append(f"{entry['upload'].file_name}: {exc}")
                    break
            del st.session_state[RESULT]
            st.session_state["unggah_pesan"] = " ".join(summaries)
            st.rerun()
