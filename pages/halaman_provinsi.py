"""Provinsi (national view): the league table of provinces, the map of Indonesia, and one province drilled down."""

import pandas as pd
import streamlit as st

from ksln_metrics.engine.overview import province_league, province_units
from ksln_metrics.engine.rules import flag_labels
from ksln_metrics.formatting import format_date_id, number_text
from ksln_metrics.present import charts
from ksln_metrics.present.tables import league_display, province_league_display
from ksln_metrics.reference import region_name
from ksln_ui.charts import newly_picked, show
from ksln_ui.state import as_of_caption, current_view, get_results, get_store, sample_data_banner
from ksln_ui.tables import readable_table

view = current_view()
store = get_store()
st.title("Provinsi")
sample_data_banner(store)
as_of_caption(view)

results = get_results(view.as_of, view.filters)
if results.agreements.empty:
    st.info("Belum ada perjanjian untuk ditampilkan. Impor ekspor penuh provinsi (impor-nasional), atau longgarkan "
            "filter.", icon=":material/info:")
    st.stop()

# --- league table of provinces ---------------------------------------------------------------------
st.subheader("Peringkat provinsi")
league = province_league(results.provinces)
picked_row = st.dataframe(province_league_display(results.provinces), hide_index=True, width="stretch",
                          key="provinsi_peringkat", on_select="rerun", selection_mode="single-row")
st.caption(
    "Setiap provinsi dihitung bersama kab/kota-nya: skor rata-rata dan komponennya atas perjanjian aktif pemerintah "
    "provinsi dan seluruh kab/kotanya; tepat waktu = laporan tepat waktu dari laporan wajib. Klik satu baris atau "
    "satu provinsi di peta untuk membuka rinciannya di bawah."
)
rows = picked_row.selection.rows if picked_row else []
if chosen := newly_picked(league["provinsi_kode"].iloc[rows[0]] if rows and rows[0] < len(league) else None,
                          "provinsi_peringkat"):
    st.session_state["provinsi_pilih"] = chosen

if clicked := show(charts.national_score_map(results.provinces), key="provinsi_peta", pick=True):
    if clicked in set(league["provinsi_kode"]):
        st.session_state["provinsi_pilih"] = clicked

# --- one province ------------------------------------------------------------------------------------
st.subheader("Rincian satu provinsi", anchor="rincian")
choices = league["provinsi_kode"].tolist()
if st.session_state.get("provinsi_pilih") not in choices:
    st.session_state.pop("provinsi_pilih", None)
code = st.selectbox("Provinsi", choices, format_func=region_name, key="provinsi_pilih")
province = league[league["provinsi_kode"] == code].iloc[0]

first, second, third, fourth = st.columns(4)
ranked = int(league["peringkat"].notna().sum())
first.metric("Peringkat", "–" if pd.isna(province["peringkat"]) else f"{int(province['peringkat'])} dari {ranked}",
             border=True)
second.metric("Skor rata-rata", number_text(province["skor_rata_rata"]), border=True,
              help="Perjanjian aktif pemerintah provinsi dan kab/kota-nya bersama.")
third.metric("Perjanjian aktif", f"{int(province['jumlah_aktif'])} dari {int(province['jumlah_perjanjian'])}",
             border=True)
fourth.metric("Laporan tepat waktu", "–" if pd.isna(province["tepat_waktu_persen"])
              else f"{number_text(province['tepat_waktu_persen'])} %", border=True,
              help=f"{int(province['laporan_tepat_waktu'])} dari {int(province['laporan_wajib'])} laporan wajib.")

units = province_units(results.regions, code)
st.markdown(f"**Pemerintah provinsi dan kab/kota {region_name(code)}, masing-masing**")
readable_table(league_display(units.assign(peringkat=units["peringkat_provinsi"]), per_flag=False),
               key="provinsi_unit")
st.caption("Peringkat di antara kab/kota provinsi ini; pemerintah provinsi tidak ikut diperingkat.")

left, right = st.columns(2)
with left:
    # The province's own map, each kab/kota with its rank among the province's kab/kota.
    ranked_here = results.regions.assign(peringkat=results.regions["peringkat_provinsi"])
    clicked_unit = show(charts.score_map(ranked_here, code), key=f"provinsi_peta_{code}", pick=True)
with right:
    unit_codes = units["kabkota_kode"].tolist()
    if clicked_unit in unit_codes:
        st.session_state["provinsi_unit_pilih"] = clicked_unit
    if st.session_state.get("provinsi_unit_pilih") not in unit_codes:
        st.session_state.pop("provinsi_unit_pilih", None)
    unit = st.selectbox("Daerah", unit_codes, format_func=region_name, key="provinsi_unit_pilih",
                        help="Klik satu kab/kota di peta untuk memilihnya.")
    own = results.agreements[results.agreements["kabkota_kode"] == unit]
    st.markdown(f"**Perjanjian {region_name(unit)}** ({len(own)})")
    if own.empty:
        st.info("Belum ada perjanjian untuk daerah ini.")
    else:
        st.dataframe(pd.DataFrame({
            "ID": own["id_perjanjian"],
            "Judul": own["judul"],
            "Mitra": own["mitra"],
            "Status": own["status"],
            "Ditandatangani": own["tanggal_ttd"].map(lambda v: format_date_id(v) if pd.notna(v) else "–"),
            "Skor": own["skor"].map(number_text),
            "Peringatan": own["flags"].map(flag_labels),
        }), hide_index=True, width="stretch", key="provinsi_perjanjian",
            column_config={"Skor": st.column_config.TextColumn(alignment="right")})

flags = results.flags[results.flags["kabkota_kode"] == unit]
st.markdown(f"**Peringatan {region_name(unit)}** ({len(flags)})")
if flags.empty:
    st.success("Tidak ada peringatan untuk daerah ini.", icon=":material/check_circle:")
else:
    readable_table(pd.DataFrame({
        "Perjanjian": flags["id_perjanjian"],
        "Judul": flags["judul"],
        "Peringatan": flags["label"],
        "Alasan": flags["reason"],
    }), key="provinsi_bendera")
st.caption(charts.MAP_ATTRIBUTION)
