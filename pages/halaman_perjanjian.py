"""Perjanjian: every agreement with its score and flags; one agreement in detail."""

import pandas as pd
import streamlit as st

from ksln_metrics.engine import agreement as ag
from ksln_metrics.engine.alerts import chip_styles_by_label
from ksln_metrics.engine.indicators import Filters
from ksln_metrics.engine.rules import flag_labels
from ksln_metrics.followup.attachments import archive_checklist_row, list_attachments
from ksln_metrics.followup.stories import story_count
from ksln_metrics.formatting import format_number_id, format_rupiah
from ksln_metrics.present.agreement_charts import activity_timeline_figure
from ksln_metrics.reference import country_name
from ksln_ui.attachments import attachment_form, attachment_list
from ksln_ui.auth import signed_in
from ksln_ui.charts import show
from ksln_ui.literal import literal
from ksln_ui.manual_edit import edit_form
from ksln_ui.on_demand import on_demand
from ksln_ui.pickers import capped, limit_caption
from ksln_ui.state import (
    as_arrow,
    as_of_caption,
    current_view,
    get_agreement_detail,
    get_agreement_record,
    get_results,
    get_rules,
    get_store,
    results_key,
    sample_data_banner,
    shared,
)
from ksln_ui.stories import agreement_stories
from ksln_ui.tables import blank_to_dash, readable_table

# Whether each expander of the detail is open (ksln_ui.on_demand).
OPEN = {"lampiran": "perjanjian_lampiran_buka", "ubah": "perjanjian_ubah_buka", "cerita": "perjanjian_cerita_buka"}

store = get_store()
view = current_view()
rules = get_rules()
results = get_results(view.as_of, view.filters)
chips = chip_styles_by_label()

st.title("Perjanjian")
sample_data_banner(store)
as_of_caption(view)

# Another page (Ringkasan, Peringatan) links here by naming the agreement: it opens even when the
# sidebar filters leave it out, and stays open until the list is searched or clicked.
if linked := st.session_state.pop("perjanjian_id", None):
    st.session_state["perjanjian_pilih"] = linked
    st.session_state["perjanjian_cari"] = ""
    st.session_state["perjanjian_tautan"] = linked


def searched() -> None:
    st.session_state.pop("perjanjian_tautan", None)  # the list now decides what is open


# --- the list ----------------------------------------------------------------------------------
query = st.text_input("Cari", key="perjanjian_cari", placeholder="Judul, mitra atau ID perjanjian",
                      icon=":material/search:", on_change=searched)
key = results_key(view)  # the whole list is computed once per data version and filters for every session


# Columns of few distinct values are sent to the browser as Arrow dictionaries (each text once): the national
# list of 20,000 rows was 4.5 MB, sent on every visit, and 2 MB this way; what the table shows is the same.
REPEATED = ["Kab/Kota", "Negara", "Jenis", "Status", "Ditandatangani", "Bendera"]


def agreement_list() -> tuple[pd.DataFrame, pd.DataFrame]:
    found = ag.search_agreements(results.agreements, query)
    return found, pd.DataFrame({
        "ID": found["id_perjanjian"],
        "Kab/Kota": found["kabkota_nama"],
        "Judul": found["judul"],
        "Mitra": found["mitra"],
        "Negara": found["negara"].map(country_name),
        "Jenis": found["jenis"],
        "Status": found["status"],
        "Ditandatangani": found["tanggal_ttd"].map(lambda d: ag.date_text(d) or "–"),
        "Skor": found["skor"],
        "Bendera": found["flags"].map(lambda codes: flag_labels(codes) or "–"),
    }).reset_index(drop=True).astype(dict.fromkeys(REPEATED, "category"))


# A search is computed for its session only: the shared cache keeps the whole list, not every search.
found, listing = agreement_list() if query.strip() else shared("perjanjian_daftar", key, agreement_list)
st.caption(f"{format_number_id(len(found), 0)} dari {format_number_id(len(results.agreements), 0)} perjanjian "
           "(filter di panel samping berlaku).")

event = st.dataframe(
    as_arrow(listing), hide_index=True, width="stretch", key="perjanjian_tabel", on_select="rerun",
    selection_mode="single-row",
    column_config={
        "Skor": st.column_config.ProgressColumn("Skor", min_value=0, max_value=100, format="%.0f",
                                                help="Skor keberhasilan 0–100; kosong bila belum ditandatangani."),
        # Medium: at "large" a title took the width and pushed status, date and flags out of view.
        "Judul": st.column_config.TextColumn(width="medium"),
        "Mitra": st.column_config.TextColumn(width="medium"),
    },
)
rows = event.selection.rows if event else []
picked = listing["ID"].iloc[rows[0]] if rows and rows[0] < len(listing) else None
if picked and picked != st.session_state.get("perjanjian_tabel_terakhir"):
    st.session_state["perjanjian_pilih"] = picked
    st.session_state.pop("perjanjian_tautan", None)
st.session_state["perjanjian_tabel_terakhir"] = picked

# --- one agreement -------------------------------------------------------------------------------
# The detail follows the list: what is open is in the list (a single match opens at once),
# except an agreement another page linked to, which is said to be outside the list.
source = results
options = found["id_perjanjian"].tolist()
chosen = st.session_state.get("perjanjian_pilih")
linked = st.session_state.get("perjanjian_tautan")
if linked and linked == chosen and chosen not in options:
    everything = get_results(view.as_of, Filters())
    if chosen in set(everything.agreements["id_perjanjian"]):
        source = everything
        options = [chosen, *options]
        st.info("Perjanjian yang dibuka berada di luar filter di panel samping.", icon=":material/filter_alt_off:")
if not options:
    st.info("Tidak ada perjanjian yang cocok dengan pencarian dan filter.")
    st.stop()

agreements = source.agreements
titles = shared("perjanjian_judul", key if source is results else (*key[:-1], Filters()),
               lambda: {row["id_perjanjian"]: ag.agreement_name(row) for row in agreements.to_dict("records")})
# Search first: the picker offers the first PICKER_LIMIT agreements of the list (and the one open), the search
# box narrows the list to what is typed, a click on a row opens any of them. A national list offered all its
# 20,000 names, sent to the browser on every visit.
listed = len(options)
options = capped(options, st.session_state.get("perjanjian_pilih"))
if st.session_state.get("perjanjian_pilih") not in options:
    st.session_state["perjanjian_pilih"] = options[0]
agreement_id = st.selectbox("Perjanjian", options, format_func=lambda i: titles.get(i, i), key="perjanjian_pilih",
                            on_change=searched)
limit_caption(listed, "perjanjian", "di daftar", "ketik di kotak Cari untuk mempersempitnya, atau klik satu baris di tabel.")

summary = agreements.set_index("id_perjanjian").loc[agreement_id]
summary["id_perjanjian"] = agreement_id
record = get_agreement_record(agreement_id)
detail = get_agreement_detail(agreement_id, view.as_of)
if record is None or detail is None:
    st.error(f"Perjanjian {agreement_id} tidak ada di basis data.")
    st.stop()
row = record.perjanjian
flags = ag.agreement_flags(source.flags, agreement_id)

st.header(literal(row["judul"]), anchor="detail")
facts = [
    summary["kabkota_nama"], row["jenis"], row["bentuk"],
    f"{row['mitra']} ({country_name(row['negara'])})", f"status {row['status']}",
    f"penandatangan: {row['penandatangan']}" if isinstance(row["penandatangan"], str) else "penandatangan tidak tercatat",
    f"OPD pelaksana: {row['opd_pelaksana']}" if isinstance(row["opd_pelaksana"], str) else None,
    f"bidang {row['bidang']}" if isinstance(row["bidang"], str) else None,
    f"anggaran {format_rupiah(row['anggaran'])}" if pd.notna(row["anggaran"]) else None,
]
st.caption(" · ".join(literal(f) for f in facts if f))

score, count, signed, ends = st.columns([1, 1, 2, 2])  # a date needs the room: it was cut at a quarter
score.metric("Skor", format_number_id(summary["skor"]) if pd.notna(summary["skor"]) else "—",
             help="Belum ditandatangani: tidak ada skor." if pd.isna(summary["skor"]) else None)
count.metric("Bendera", format_number_id(len(flags), 0))
signed.metric("Ditandatangani", ag.date_text(summary["tanggal_ttd"]) or "—")
ends.metric("Berakhir", ag.date_text(summary["tanggal_berakhir"]) or "—")

st.subheader("Dokumen dan persetujuan")
left, right = st.columns([3, 2])
attachments = list_attachments(store, id_perjanjian=agreement_id)
checklist = pd.concat([ag.document_checklist(detail.documents, view.as_of),
                       pd.DataFrame([archive_checklist_row(attachments)])], ignore_index=True)
with left:
    readable_table(checklist, key="perjanjian_dokumen")
with right:
    readable_table(ag.criteria_checklist(row), key="perjanjian_kriteria")

# The attachments, the one-row edit form (37 fields) and the stories are built only once opened: drawn on
# every visit, unseen, they were half of the page's elements (59 of 122 on the demo store).
with on_demand(f"Lampiran: naskah, notulen, foto, laporan ({len(attachments)})", OPEN["lampiran"]) as opened:
    if opened:
        attachment_list(store, attachments, key="perjanjian_lampiran")
        if attachment_form(store, signed_in(), row["kabkota"], key="perjanjian_lampiran", id_perjanjian=agreement_id,
                           activities=record.kegiatan, default_kind="naskah_mou"):
            st.rerun()

with on_demand("Ubah satu baris (perubahan manual)", OPEN["ubah"]) as opened:
    if opened:
        edit_form(signed_in(), agreement_id, row["kabkota"],
                  {"kegiatan": record.kegiatan, "indikator": record.indikator, "laporan": record.laporan})

with on_demand(f"Cerita sukses ({story_count(store, agreement_id)})", OPEN["cerita"]) as opened:
    if opened:
        agreement_stories(store, signed_in(), agreement_id, row["kabkota"], attachments)

st.subheader("Bendera peringatan")
if flags.empty:
    st.success("Tidak ada bendera untuk perjanjian ini.", icon=":material/check_circle:")
else:
    # The fiscal year only where a flag has one (the report flags); a wrapping table for the reasons.
    shown = pd.DataFrame({"Bendera": flags["label"], "Tahun anggaran": flags["year"].map(
        lambda y: str(int(y)) if pd.notna(y) else None), "Alasan": flags["reason"], "Aturan": flags["rule"]})
    if shown["Tahun anggaran"].isna().all():
        shown = shown.drop(columns=["Tahun anggaran"])
    readable_table(shown, key="perjanjian_bendera",
                   style=lambda styler: styler.map(lambda label: chips.get(label, ""), subset=["Bendera"]))

st.subheader("Skor keberhasilan")
components = ag.score_components(detail.agreement, rules)
if components.empty:
    st.info("Perjanjian ini belum ditandatangani, jadi belum punya skor.")
else:
    components["Poin"] = components["Poin"].map(format_number_id)
    components["Bobot"] = components["Bobot"].map(lambda w: format_number_id(w, 0))
    st.dataframe(components, hide_index=True, width="stretch", key="perjanjian_skor")

st.subheader("Kegiatan tindak lanjut")
timeline = ag.activity_timeline(detail.activities)
if timeline.empty:
    st.info("Belum ada kegiatan tercatat.")
else:
    signed_day = row["tanggal_ttd"].date() if pd.notna(row["tanggal_ttd"]) else None
    show(shared("perjanjian_linimasa", (*key, agreement_id),  # the record and the detail follow the data version
                lambda: activity_timeline_figure(timeline, signed_day, view.as_of)), key="perjanjian_linimasa")
    st.caption(f"Seremonial: jenis {rules.describe('kegiatan.jenis_seremonial')} (dapat diubah di Pengaturan); "
               "jenis lain, termasuk yang kosong, substantif.")
    st.dataframe(blank_to_dash(pd.DataFrame({
        "Tanggal": timeline["tanggal"].map(ag.date_text),
        "Kegiatan": timeline["nama_kegiatan"],
        "Jenis": timeline["jenis_kegiatan"],
        "Sifat": timeline["sifat"].str.capitalize(),
        "Dihitung": timeline["dihitung"].map({True: "Ya", False: "Tidak (setelah tanggal acuan)"}),
        "Output": timeline["output"],
        "Anggaran": timeline["anggaran"].map(format_rupiah),
        "Realisasi": timeline["realisasi_anggaran"].map(format_rupiah),
        "Sumber dana": timeline["sumber_dana"],
    })), hide_index=True, width="stretch", key="perjanjian_kegiatan")

st.subheader("Indikator: target dan realisasi")
progress = ag.indicator_progress(detail.indicators)
if progress.empty:
    st.warning("Belum ada indikator keberhasilan (bendera Tanpa indikator bila perjanjian aktif).")
else:
    st.dataframe(pd.DataFrame({
        "Tahun": progress["tahun"],
        "Indikator": progress["indikator"],
        "Satuan": progress["satuan"].fillna("–"),
        "Target": progress["target"].map(lambda v: format_number_id(v, 0 if float(v).is_integer() else 2)
                                         if pd.notna(v) else "–"),
        "Realisasi": progress["realisasi"].map(lambda v: format_number_id(v, 0 if float(v).is_integer() else 2)
                                               if pd.notna(v) else "–"),
        "Capaian": progress["capaian"] * 100,
        "Keterangan": progress["keterangan"],
    }), hide_index=True, width="stretch", key="perjanjian_indikator",
        column_config={"Capaian": st.column_config.ProgressColumn(
            "Capaian (%)", min_value=0, max_value=100, format="%.0f %%",
            help="min(realisasi / target, 1), seperti dihitung dalam skor; kosong bila target kosong/0 atau "
                 "tahunnya setelah tanggal acuan.")})

st.subheader("Laporan tahunan")
reports = ag.report_status(detail.fiscal_years, view.as_of)
if reports.empty:
    st.info("Belum ada tahun anggaran yang wajib dilaporkan (perjanjian belum ditandatangani atau belum aktif).")
else:
    st.dataframe(blank_to_dash(pd.DataFrame({
        "Tahun anggaran": reports["tahun_anggaran"].astype(str),
        "Batas": reports["batas"].map(ag.date_text),
        "Diterima": reports["diterima"].map(ag.date_text),
        "Status": reports["status"],
        "Dihitung dalam skor": reports["dihitung"],
        "Keterangan": reports["keterangan"],
    })), hide_index=True, width="stretch", key="perjanjian_laporan")
    st.caption(f"Batas: hari kerja ke-{rules.report_working_days} setelah 31 Desember; hari batas sendiri masih "
               "tepat waktu. Laporan dihitung dalam skor pelaporan setelah batasnya lewat, juga yang sudah diterima "
               "lebih awal.")
