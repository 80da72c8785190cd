"""The one-row edit form of the Perjanjian page ("perubahan manual"), checked by the importer itself."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ksln_metrics.access import User, data_change_refusal
from ksln_metrics.followup.manual_edit import TABLE_LABELS, EditRefused, editable_columns, form_values, save_edit
from ksln_metrics.formatting import format_date_id
from ksln_metrics.reference import TABLES
from ksln_metrics.store import StoreError
from ksln_ui.literal import literal

MESSAGE = "ubah_pesan"


def _row_label(table: str, row: dict) -> str:
    if table == "kegiatan":
        return f"{format_date_id(row['tanggal'])} · {row['nama_kegiatan']}"
    if table == "indikator":
        return f"{int(row['tahun'])} · {row['indikator']}"
    return f"TA {int(row['tahun_anggaran'])}"


def edit_form(user: User, agreement_id: str, region: str, children: dict[str, pd.DataFrame]) -> None:
    """Pick the agreement or one of its rows, edit it as text the way the template is filled, save as a batch."""
    from ksln_ui.state import get_store

    if message := st.session_state.pop(MESSAGE, None):
        st.success(message, icon=":material/task_alt:")
    if data_change_refusal(user, [region]) is not None:
        st.caption("Hanya analis unit ini (atau Provinsi) dan admin yang dapat mengubah data perjanjian ini.")
        return
    store = get_store()
    tables = ["perjanjian", *[t for t in ("kegiatan", "indikator", "laporan") if len(children.get(t, []))]]
    table = st.selectbox("Yang diubah", tables, format_func=TABLE_LABELS.get, key="ubah_tabel")
    if table == "perjanjian":
        key, tag = {"id_perjanjian": agreement_id}, "p"
    else:
        rows = children[table].to_dict("records")
        index = st.selectbox("Baris", range(len(rows)), format_func=lambda i: _row_label(table, rows[i]),
                             key=f"ubah_baris_{table}")
        key = {k: rows[index][k] for k in TABLES[table].key}
        tag = f"{table[0]}{index}"
    try:
        current = form_values(store, table, key)
    except EditRefused as exc:
        st.warning(str(exc))
        return
    with st.form(f"ubah_formulir_{table}"):
        st.caption("Isi seperti di templat: tanggal 11-03-2019 atau 11 Maret 2019, Ya/Tidak, Rp 150.000.000. "
                   "Diperiksa sama seperti unggahan; bila ada kesalahan tidak ada yang disimpan.")
        values = {}
        columns = st.columns(2)
        for i, column in enumerate(editable_columns(table)):
            values[column.name] = columns[i % 2].text_input(
                column.label + (" *" if column.required else ""), value=current[column.name], help=column.help,
                key=f"ubah_{agreement_id}_{tag}_{column.name}", disabled=column.name == "id_perjanjian")
        values["id_perjanjian"] = current["id_perjanjian"]
        submitted = st.form_submit_button("Simpan perubahan manual", type="primary", key="ubah_simpan")
    if not submitted:
        return
    try:
        result = save_edit(store, table, key, values, user=user)
    except EditRefused as exc:
        if exc.problems:
            st.error("Perubahan tidak disimpan:\n" + "\n".join(f"- **{literal(p.column)}**: {literal(p.message)}"
                                                            for p in exc.problems))
        else:
            st.error(literal(str(exc)))
        return
    except StoreError as exc:
        st.error(literal(str(exc)))
        return
    if result.batch_id is None:
        st.info("Tidak ada yang berubah; tidak ada batch yang dibuat.")
        return
    st.session_state[MESSAGE] = (f"Perubahan manual tersimpan sebagai batch #{result.batch_id}; riwayat dan "
                                 "pembatalannya ada di halaman Unggah Data.")
    st.rerun()
