"""Kabupaten/Kota: league table, the map of the province by score, and one unit in detail."""

import pandas as pd
import streamlit as st

from ksln_metrics.engine.overview import league_table, region_components, region_label
from ksln_metrics.engine.rules import COMPONENTS, FLAGS, flag_labels
from ksln_metrics.formatting import format_date_id, number_text
from ksln_metrics.present import charts
from ksln_metrics.reference import region_name, scope
from ksln_ui.charts import newly_picked, show
from ksln_ui.state import (
    as_arrow,
    as_of_caption,
    current_view,
    get_results,
    get_store,
    results_key,
    sample_data_banner,
    shared,
)
from ksln_ui.tables import readable_table

# Up to this many units the flag counts have one column per unit (a province's eight or so fit 1366 px).
UNITS_AS_COLUMNS = 12
# The score components chart shows at most this many units, those with the lowest mean score.
MOST_BARS = 30
# The flags of the unit in detail, this many rows a page.
UNIT_FLAGS_PER_PAGE = 10


def day(value) -> str:
    return format_date_id(value) if pd.notna(value) else "–"  # NaT is not None: format_date_id trips on it


view = current_view()
store = get_store()
st.title("Kabupaten/Kota")
sample_data_banner(store)
as_of_caption(view)

results = get_results(view.as_of, view.filters)
key = results_key(view)  # what is drawn from the results is computed once for every session
if results.agreements.empty:
    st.info("Belum ada perjanjian untuk ditampilkan. Unggah data di halaman Unggah Data, atau longgarkan filter.",
            icon=":material/info:")
    st.stop()

# --- league table ------------------------------------------------------------------------------------
st.subheader("Peringkat")


def league_and_scores() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The regions by rank, and the league table shown of them."""
    league = league_table(results.regions)
    return league, pd.DataFrame({
        "Peringkat": [str(int(r)) if pd.notna(r) else "–" for r in league["peringkat"]],
        "Kab/Kota": league["kabkota_nama"],
        "Perjanjian": league["jumlah_perjanjian"],
        "Aktif": league["jumlah_aktif"],
        "Skor rata-rata": league["skor_rata_rata"].map(lambda v: number_text(v) if pd.notna(v) else "–"),
        **{c.label: league[c.column].map(lambda v: number_text(v) if pd.notna(v) else "–") for c in COMPONENTS},
        "Tepat waktu (%)": league["tepat_waktu_persen"].map(lambda v: number_text(v) if pd.notna(v) else "–"),
    })


# Read only below: one league and table per data version and filters for every session.
league, scores = shared("kabkota_peringkat", key, league_and_scores)
# Pixel widths and short headers (the full name in the header's help): the whole table fits 1366 px.
short = {"Capaian indikator": "Capaian"}
config = {
    "Peringkat": st.column_config.TextColumn("Peringkat", alignment="right", width=70),
    "Kab/Kota": st.column_config.TextColumn("Kab/Kota", width=160),
    "Perjanjian": st.column_config.NumberColumn("Perjanjian", width=75),
    "Aktif": st.column_config.NumberColumn("Aktif", width=50),
    "Skor rata-rata": st.column_config.TextColumn("Skor", alignment="right", width=60,
                                                  help="Skor rata-rata perjanjian aktif (0–100)"),
    **{c.label: st.column_config.TextColumn(short.get(c.label, c.label), alignment="right", width=80,
                                            help=f"{c.label}: poin rata-rata") for c in COMPONENTS},
    "Tepat waktu (%)": st.column_config.TextColumn("Tepat waktu", alignment="right", width=85,
                                                   help="Laporan tepat waktu dari laporan wajib (%)"),
}
picked_row = st.dataframe(as_arrow(scores), hide_index=True, width="stretch", key="kabkota_peringkat", on_select="rerun",
                          selection_mode="single-row", column_config=config)
st.caption(
    "Skor rata-rata dan komponennya dihitung atas perjanjian aktif (poin; jumlah komponen = skor); tepat waktu = "
    f"laporan tepat waktu dari laporan wajib. {'Pemerintah provinsi' if scope().is_national else scope().title} "
    "tidak ikut diperingkat. Klik satu baris, satu daerah di "
    "peta atau satu batang untuk membuka rinciannya di bawah."
)
rows = picked_row.selection.rows if picked_row else []
if chosen := newly_picked(league["kabkota_kode"].iloc[rows[0]] if rows and rows[0] < len(league) else None,
                          "kabkota_peringkat"):
    st.session_state["kabkota_pilih"] = chosen

# The flag counts in a table of their own, one row per flag and one column per unit: as columns of
# the league table they were off screen, and the eight units fit 1366 px however many flags there are.
st.markdown("**Jumlah perjanjian berbendera, per daerah**")
if len(league) <= UNITS_AS_COLUMNS:
    readable_table(shared("kabkota_bendera_kolom", key, lambda: pd.DataFrame({
        "Jenis peringatan": [f.label for f in FLAGS],
        **{region_label(row.kabkota_kode): [str(int(getattr(row, f"jumlah_{f.code}"))) for f in FLAGS]
           for row in league.itertuples()},
    })), key="kabkota_bendera_jumlah", shared_as=key)
else:  # tens or hundreds of units: one row per unit instead of as many columns, in a grid that scrolls and sorts
    # (as a wrapping table every cell was drawn as Markdown, 40 rows a page: the slowest part of a national page)
    st.dataframe(shared("kabkota_bendera_jumlah", key, lambda: pd.DataFrame({
        "Daerah": [region_label(code) for code in league["kabkota_kode"]],
        **{f.label: league[f"jumlah_{f.code}"].astype("int64") for f in FLAGS},
    })), hide_index=True, width="stretch", key="kabkota_bendera_jumlah")

# --- maps --------------------------------------------------------------------------------------------
left, right = st.columns(2)
with left:
    clicked_map = show(shared("peta_skor", key, lambda: charts.score_map(results.regions)), key="kabkota_peta",
                       pick=True)
with right:
    components = region_components(results.regions)
    components = components[components["skor_rata_rata"].notna()]
    scored = len(components)
    if scored > MOST_BARS:  # hundreds of units: a chart thousands of pixels high that took seconds to draw
        components = components.nsmallest(MOST_BARS, "skor_rata_rata")
    clicked_bar = show(shared("grafik_komponen", key, lambda: charts.score_components_chart(components)),
                       key="kabkota_komponen", pick=True)
    if scored > MOST_BARS:
        st.caption(f"Grafik menampilkan {MOST_BARS} daerah dengan skor rata-rata terendah dari {scored}; semua daerah "
                   "ada di tabel peringkat.")
for clicked in (clicked_map, clicked_bar):
    if clicked in set(league["kabkota_kode"]):
        st.session_state["kabkota_pilih"] = clicked

# --- one unit ----------------------------------------------------------------------------------------
st.subheader("Rincian satu daerah", anchor="rincian")
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
        column_config={"Skor": st.column_config.TextColumn(alignment="right"),
                       "Judul": st.column_config.TextColumn(width="medium"),
                       "Mitra": st.column_config.TextColumn(width="medium")},
    )

flags = results.flags[results.flags["kabkota_kode"] == code]
st.markdown(f"**Peringatan {region_name(code)}** ({len(flags)})")
if flags.empty:
    st.success("Tidak ada peringatan untuk daerah ini.", icon=":material/check_circle:")
else:
    # Ten at a time: a unit of a national store has a hundred or more, and the wrapping table draws every cell
    # as Markdown (40 rows were a quarter of the page's DOM); the Peringatan page lists them all with filters.
    readable_table(pd.DataFrame({
        "Perjanjian": flags["id_perjanjian"],
        "Judul": flags["judul"],
        "Peringatan": flags["label"],
        "Alasan": flags["reason"],
        "Aturan": flags["rule"],
    }), key="kabkota_bendera", page_size=UNIT_FLAGS_PER_PAGE)
