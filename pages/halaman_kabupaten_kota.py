"""Kabupaten/Kota: league table, the map of Banten by score, and one unit in detail."""

import pandas as pd
import streamlit as st

from ksln_metrics.engine.overview import league_table, region_components
from ksln_metrics.engine.rules import flag_labels
from ksln_metrics.formatting import format_date_id, number_text
from ksln_metrics.present import charts
from ksln_metrics.present.tables import COLUMN_HEADERS, league_display
from ksln_metrics.reference import region_name
from ksln_ui.charts import show
from ksln_ui.state import as_of_caption, current_view, get_results, get_store, sample_data_banner


def day(value) -> str:
    return format_date_id(value) if pd.notna(value) else ""  # NaT is not None: format_date_id trips on it


view = current_view()
store = get_store()
st.title("Kabupaten/Kota")
sample_data_banner(store)
as_of_caption(view)

results = get_results(view.as_of, view.filters)
if results.agreements.empty:
    st.info("Belum ada perjanjian untuk ditampilkan. Unggah data di halaman Unggah Data, atau longgarkan filter.",
            icon=":material/info:")
    st.stop()

# --- league table ------------------------------------------------------------------------------------
st.subheader("Peringkat")
league = league_table(results.regions)
table = league_display(results.regions)
right_aligned = [c for c in table.columns if c != COLUMN_HEADERS["kabkota_nama"]]
st.dataframe(table, hide_index=True, width="stretch", key="kabkota_peringkat",
             column_config={name: st.column_config.TextColumn(alignment="right") for name in right_aligned})
st.caption(
    "Skor rata-rata dan komponennya dihitung atas perjanjian aktif (poin; jumlah komponen = skor). Kolom peringatan "
    "berisi jumlah perjanjian yang berbendera itu. Provinsi Banten tidak ikut diperingkat."
)

# --- maps --------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    show(charts.banten_score_map(results.regions), key="kabkota_peta")
    st.caption(charts.MAP_ATTRIBUTION)
with right:
    show(charts.score_components_chart(region_components(results.regions)),
         key="kabkota_komponen")

# --- one unit ----------------------------------------------------------------------------------------
st.subheader("Rincian satu daerah")
choices = league["kabkota_kode"].tolist()
if st.session_state.get("kabkota_pilih") not in choices:
    st.session_state.pop("kabkota_pilih", None)  # chosen on another page or under other filters
code = st.selectbox("Daerah", choices, format_func=region_name, key="kabkota_pilih")
region = league[league["kabkota_kode"] == code].iloc[0]

first, second, third, fourth = st.columns(4)
ranked = int(league["peringkat"].notna().sum())
first.metric("Peringkat", "–" if pd.isna(region["peringkat"]) else f"{int(region['peringkat'])} dari {ranked}",
             border=True)
second.metric("Skor rata-rata", number_text(region["skor_rata_rata"]), border=True)
third.metric("Perjanjian aktif", f"{int(region['jumlah_aktif'])} dari {int(region['jumlah_perjanjian'])}", border=True)
fourth.metric("Laporan tepat waktu", "–" if pd.isna(region["tepat_waktu_persen"])
              else f"{number_text(region['tepat_waktu_persen'])} %", border=True,
              help=f"{int(region['laporan_tepat_waktu'])} dari {int(region['laporan_wajib'])} laporan wajib.")

own = results.agreements[results.agreements["kabkota_kode"] == code]
st.markdown(f"**Perjanjian {region_name(code)}** ({len(own)})")
if own.empty:
    st.info("Belum ada perjanjian untuk daerah ini.")
else:
    st.dataframe(
        pd.DataFrame({
            "ID": own["id_perjanjian"],
            "Judul": own["judul"],
            "Mitra": own["mitra"],
            "Jenis": own["jenis"],
            "Status": own["status"],
            "Ditandatangani": own["tanggal_ttd"].map(day),
            "Skor": own["skor"].map(number_text),
            "Peringatan": own["flags"].map(flag_labels),
        }),
        hide_index=True, width="stretch", key="kabkota_perjanjian",
        column_config={"Skor": st.column_config.TextColumn(alignment="right")},
    )

flags = results.flags[results.flags["kabkota_kode"] == code]
st.markdown(f"**Peringatan {region_name(code)}** ({len(flags)})")
if flags.empty:
    st.success("Tidak ada peringatan untuk daerah ini.", icon=":material/check_circle:")
else:
    st.dataframe(
        pd.DataFrame({
            "Perjanjian": flags["id_perjanjian"],
            "Judul": flags["judul"],
            "Peringatan": flags["label"],
            "Alasan": flags["reason"],
            "Aturan": flags["rule"],
        }),
        hide_index=True, width="stretch", key="kabkota_bendera",
    )
