"""Unggah Data: template, upload, validation report, preview, commit, history, rollback."""

import pandas as pd
import streamlit as st

from ksln_metrics.access import ADMIN, ANALIS
from ksln_metrics.engine.row_changes import ARROW, changed_table, new_table, row_changes
from ksln_metrics.importing.ingest import commit_upload, describe_change, known_after, preview_upload, read_upload
from ksln_metrics.importing.template import template_xlsx
from ksln_metrics.mime import CSV_MIME, XLSX_MIME
from ksln_metrics.present.export import escape_formula
from ksln_metrics.reference import TABLES, is_province_government, scope
from ksln_metrics.store import StoreError
from ksln_ui.auth import require_role
from ksln_ui.literal import literal
from ksln_ui.national_upload import dump_upload_section
from ksln_ui.state import get_store, sample_data_banner
from ksln_ui.tables import readable_table
from ksln_ui.uploader import spreadsheet_uploader

CHANGED_CELL = "background-color: #FFF3B0; color: #1A1A1A"  # constant CSS for a changed cell, no data in it
KIND_LABELS = {"unggah": "Unggahan", "contoh": "Data contoh", "pembatalan": "Pembatalan",
               "perubahan_manual": "Perubahan manual"}

store = get_store()
user = require_role(ANALIS, ADMIN)
st.title("Unggah Data")
sample_data_banner(store)
if user.role == ANALIS and not (user.kabkota and is_province_government(user.kabkota)):
    st.caption(f"Anda masuk sebagai **{user.name}** ({user.describe()}): hanya data **{user.kabkota}** yang dapat "
               "diunggah dan dibatalkan; berkas yang berisi data unit lain ditolak seluruhnya.")
else:
    st.caption(f"Anda masuk sebagai **{user.name}** ({user.describe()}); setiap unggahan dan pembatalan dicatat atas "
               "nama Anda.")
if message := st.session_state.pop("unggah_pesan", None):  # the outcome of the last save or rollback
    st.success(literal(message), icon=":material/task_alt:")
if scope().is_national:  # Kemendagri's store is filled from the provinces' full dumps (README: Tampilan nasional)
    dump_upload_section(store, user)

# --- template -----------------------------------------------------------------------------
with st.container(border=True):
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.markdown(
        "**Templat impor** — lembar *Perjanjian*, *Kegiatan*, *Indikator* dan *Laporan* dengan daftar pilihan dan "
        "petunjuk. Berkas kantor yang sudah ada (judul di atas tabel, judul kolom berbeda, baris JUMLAH, CSV) "
        "juga diterima."
    )
    right.download_button("Unduh templat", template_xlsx(), "templat_ksln.xlsx", XLSX_MIME,
                          icon=":material/download:", on_click="ignore", key="unggah_templat", width="stretch")

# --- upload and check -------------------------------------------------------------------------
st.subheader("1. Pilih berkas")
files = spreadsheet_uploader("Berkas .xlsx, .xls, .ods atau .csv (boleh beberapa sekaligus)", key="unggah_berkas")
replace = st.checkbox(
    "Ganti seluruh data kab/kota yang ada di berkas (baris yang tidak ada di berkas akan dihapus lewat batch)",
    key="unggah_ganti",
)

if st.button("Periksa berkas", type="primary", disabled=not files, key="unggah_periksa"):
    progress = st.progress(0.0, text="Memeriksa…")
    known = store.known_agreements()
    checked = []
    for i, file in enumerate(files):
        progress.progress(i / len(files), text=f"Memeriksa {file.name}…")
        upload = read_upload(file.name, file.getvalue(), known=known)
        # The same check the store makes when saving: a file with another unit's rows is refused whole.
        refusal = store.change_refusal(user, upload.rows(), upload.regions) if upload.ok else None
        if refusal:  # refused at the check already: recorded like a refused save (issue 10 defect 9)
            store.audit(user, "unggah_ditolak", target=upload.file_name, detail=refusal)
        preview = preview_upload(store, upload, replace=replace) if upload.ok and not refusal else {}
        checked.append((upload, preview, refusal))
        known = known_after(known, upload)
    progress.progress(1.0, text="Selesai diperiksa.")
    st.session_state["unggah_hasil"] = {"files": checked, "replace": replace}

checked = st.session_state.get("unggah_hasil")
if checked:
    uploads = [u for u, _, _ in checked["files"]]
    refusals = [(u.file_name, r) for u, _, r in checked["files"] if r]
    st.subheader("2. Hasil pemeriksaan")
    problems = pd.DataFrame(
        [
            {"Berkas": p.file, "Lembar": p.sheet, "Baris": p.row, "Kolom": p.column,
             "Tingkat": "Kesalahan" if p.is_error else "Peringatan", "Pesan": p.message}
            for u in uploads for p in u.problems
        ],
        columns=["Berkas", "Lembar", "Baris", "Kolom", "Tingkat", "Pesan"],
    )
    errors = int((problems["Tingkat"] == "Kesalahan").sum()) + len(refusals)
    for file_name, refusal in refusals:
        st.error(literal(f"{file_name}: {refusal}"), icon=":material/block:")
    if errors:
        st.error(f"Ditemukan {errors} kesalahan. Tidak ada yang disimpan; perbaiki berkas lalu periksa ulang.",
                 icon=":material/error:")
    elif len(problems):
        st.warning(f"Tidak ada kesalahan; {len(problems)} peringatan (tidak menghalangi penyimpanan).")
    else:
        st.success("Semua berkas bersih: tidak ada kesalahan maupun peringatan.", icon=":material/check_circle:")
    if len(problems):
        problems["Baris"] = problems["Baris"].astype("Int64")
        # A file-level problem has no row or column: "–". The message wraps to be read whole.
        readable_table(problems, key="unggah_masalah")
        st.download_button(
            "Unduh laporan pemeriksaan (.csv)",
            problems.map(escape_formula).to_csv(index=False, sep=";").encode("utf-8-sig"),
            "laporan_pemeriksaan.csv", CSV_MIME, icon=":material/download:", on_click="ignore", key="unggah_unduh_masalah",
        )

    if not errors:
        st.subheader("3. Pratinjau perubahan")
        rows = []
        for upload, preview, _ in checked["files"]:
            for table, change in preview.items():
                rows.append({"Berkas": upload.file_name, "Tabel": TABLES[table].sheet, "Baru": change.new,
                             "Diubah": change.updated, "Sama": change.unchanged, "Dihapus": change.deleted})
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="unggah_pratinjau")
        # Row by row, before saving: the new rows, and the changed cells as "old → new", highlighted.
        for number, (upload, preview, _) in enumerate(checked["files"]):
            for change in row_changes(store, upload.rows()) if preview else []:
                if change.new.empty and change.cells.empty:
                    continue
                sheet = TABLES[change.table].sheet
                with st.expander(f"{literal(upload.file_name)} · {sheet}: {len(change.new)} baris baru, "
                                 f"{change.changed_rows} baris diubah", expanded=number == 0):
                    if not change.cells.empty:
                        st.markdown("**Baris yang diubah** (sel berwarna: nilai lama → nilai baru)")
                        st.dataframe(changed_table(change).style.map(
                            lambda text: CHANGED_CELL if isinstance(text, str) and ARROW in text else ""),
                            hide_index=True, width="stretch", key=f"unggah_diubah_{number}_{change.table}")
                    if not change.new.empty:
                        st.markdown("**Baris baru**")
                        st.dataframe(new_table(change), hide_index=True, width="stretch",
                                     key=f"unggah_baru_{number}_{change.table}")
        if checked["replace"]:
            st.warning("Mode ganti aktif: baris yang berstatus 'Dihapus' akan ditutup oleh batch baru.")
        if st.button("Simpan ke basis data", type="primary", key="unggah_simpan"):
            summaries = []
            for upload in uploads:
                try:
                    result = commit_upload(store, upload, user=user, replace=checked["replace"])
                except StoreError as exc:
                    summaries.append(f"{upload.file_name}: {exc}")
                    break
                summaries.append(upload.summary(result))
            del st.session_state["unggah_hasil"]
            st.session_state["unggah_pesan"] = " ".join(summaries)
            st.rerun()

# --- history and rollback -----------------------------------------------------------------------


def roll_back(batch_id: int) -> None:
    """Undo the batch the clicked button was drawn for, if its own confirmation is ticked."""
    if not st.session_state.get(f"unggah_batal_yakin_{batch_id}"):
        st.session_state["unggah_batal_galat"] = f"Centang konfirmasi untuk batch #{batch_id} lebih dulu."
        return
    st.session_state.pop(f"unggah_batal_yakin_{batch_id}", None)
    try:
        result = store.rollback(batch_id, user=user)
    except StoreError as exc:
        st.session_state["unggah_batal_galat"] = str(exc)
        return
    summary = "; ".join(f"{TABLES[t].sheet}: {describe_change(c)}" for t, c in result.changes.items() if c.changed)
    st.session_state["unggah_pesan"] = f"Batch #{batch_id} dibatalkan oleh batch #{result.batch_id}. {summary}"


if failure := st.session_state.pop("unggah_batal_galat", None):
    st.error(literal(failure), icon=":material/block:")
st.subheader("Riwayat unggahan")
history = store.batches()
if history.empty:
    st.info("Belum ada unggahan.")
else:
    shown = pd.DataFrame({
        "Batch": history["batch_id"],
        "Jenis": history["kind"].map(KIND_LABELS),
        "Berkas": history["file_name"].fillna("—"),
        "Pengguna": history["user_name"],
        "Waktu": history["created_at"].dt.strftime("%d-%m-%Y %H:%M"),
        "Kab/Kota": history["kabkota"],
        "Baru": history["new_rows"],
        "Diubah": history["updated_rows"],
        "Dihapus": history["deleted_rows"],
        "Status": [
            f"dibatalkan oleh #{int(b)}" if pd.notna(b) else (f"membatalkan #{int(r)}" if pd.notna(r) else "berlaku")
            for b, r in zip(history["rolled_back_by"], history["rolls_back"], strict=True)
        ],
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="unggah_riwayat")

    can_undo = history[history["rolled_back_by"].isna() & (history["kind"] != "pembatalan")]
    # Only batches of the user's own unit are offered; the store checks again when undoing.
    mine = [all(user.may_change(r) for r in str(regions or "").split(";") if r) for regions in can_undo["kabkota"]]
    can_undo = can_undo[mine]
    if not can_undo.empty:
        with st.container(border=True):
            st.markdown("**Batalkan batch** — data dikembalikan ke keadaan sebelum batch itu; riwayat tetap tersimpan.")
            labels = {int(r.batch_id): f"#{int(r.batch_id)} — {r.file_name or KIND_LABELS[r.kind]} ({r.user_name})"
                      for r in can_undo.itertuples()}
            # A new widget per data version: after a commit or rollback the newest batch is offered
            # first, and the browser cannot keep showing an older choice than the one confirmed below.
            newest = int(history["batch_id"].max())
            batch_id = st.selectbox("Batch", list(labels), format_func=labels.get, key=f"unggah_batal_pilih_{newest}")
            # The confirmation and the button carry the batch they were shown for: a rerun that offers
            # another batch (another session undid this one meanwhile) can never undo that other batch.
            sure = st.checkbox(f"Saya yakin ingin membatalkan batch #{batch_id}", key=f"unggah_batal_yakin_{batch_id}")
            st.button("Batalkan batch", disabled=not sure, key="unggah_batal", on_click=roll_back, args=(batch_id,))

    kept = history[history["kind"] != "pembatalan"]
    if not kept.empty:
        with st.expander("Unduh berkas asli sebuah batch"):
            choice = st.selectbox("Batch", kept["batch_id"].astype(int).tolist(), key="unggah_asli_pilih",
                                  format_func=lambda b: f"#{b}")
            original = store.batch_file(choice)
            if original:
                st.download_button(f"Unduh {literal(original[0])}", original[1], original[0], on_click="ignore", key="unggah_asli")
            else:
                st.caption("Batch ini tidak berasal dari berkas (mis. data contoh).")

