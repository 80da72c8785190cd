"""Ringkasan: where things stand, on one screen for leadership and the projector."""

from datetime import date

import streamlit as st

from ksln_metrics.engine.collection import collection_status, status_line, unit_statuses
from ksln_metrics.engine.overview import (
    agreements_per_country,
    attention_ranking,
    flag_totals,
    headline,
    province_attention_ranking,
    signed_help,
    signed_per_year,
)
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.present import charts
from ksln_metrics.reference import scope
from ksln_ui.auth import signed_in
from ksln_ui.charts import show
from ksln_ui.literal import literal
from ksln_ui.state import (
    as_of_caption,
    current_view,
    get_results,
    get_rules,
    get_store,
    results_key,
    sample_data_banner,
    shared,
)

view = current_view()
store = get_store()
rules = get_rules()
st.title("Ringkasan")
sample_data_banner(store)
as_of_caption(view)

results = get_results(view.as_of, view.filters)
key = results_key(view)  # what is drawn from the results is computed once for every session
if results.agreements.empty:
    st.info(
        "Belum ada perjanjian untuk ditampilkan. Unggah data kab/kota di halaman Unggah Data, "
        "atau longgarkan filter di bilah samping.",
        icon=":material/info:",
    )
    if signed_in().can_change_data:  # a leader's navigation has no upload page to link to
        st.page_link("pages/halaman_unggah_data.py", label="Ke halaman Unggah Data", icon=":material/upload_file:")
    st.stop()

# --- headline numbers ------------------------------------------------------------------------------
numbers = headline(results)
compare_on = st.toggle("Bandingkan dengan tanggal sebelumnya", key="ringkasan_banding",
                       help="Angka utama menampilkan perubahan (▲/▼) sejak tanggal yang dipilih.")
earlier = None
if compare_on:
    st.session_state.setdefault("ringkasan_banding_tanggal", date(view.as_of.year - 1, 12, 31))
    earlier = st.date_input("Sejak tanggal", format="DD-MM-YYYY", key="ringkasan_banding_tanggal",
                            max_value=view.as_of)
before = headline(get_results(earlier, view.filters)) if isinstance(earlier, date) else None


def change(now, then, decimals: int = 0, unit: str = "") -> dict:
    """``st.metric`` arguments for "▲ 3 sejak 31 Desember 2025": green up, red down, grey unchanged."""
    if before is None or now is None or then is None:
        return {}
    step = round(now - then, decimals)
    mark, colour = ("▲", "normal") if step > 0 else (("▼", "inverse") if step < 0 else ("=", "off"))
    # The text starts with ▲/▼, not a minus sign: "inverse" is what makes a decrease red.
    return {"delta": f"{mark} {format_number_id(abs(step), decimals)}{unit} sejak {format_date_id(earlier)}",
            "delta_color": colour, "delta_arrow": "off"}


first, second, third, fourth = st.columns(4)
first.metric("Perjanjian", format_number_id(numbers.signed, 0), border=True,
             **change(numbers.signed, before.signed if before else None), help=signed_help(numbers))
second.metric("Perjanjian aktif", format_number_id(numbers.active, 0), border=True,
              **change(numbers.active, before.active if before else None),
              help="Status ditandatangani atau berjalan, sudah ditandatangani dan belum berakhir per tanggal acuan.")
third.metric("Skor rata-rata", format_number_id(numbers.mean_score) if numbers.mean_score is not None else "–",
             border=True, **change(numbers.mean_score, before.mean_score if before else None, 2),
             help="Rata-rata skor keberhasilan (0–100) perjanjian aktif; lihat Metodologi.")
fourth.metric(
    "Laporan tepat waktu",
    f"{format_number_id(numbers.on_time_rate)} %" if numbers.on_time_rate is not None else "–",
    border=True, **change(numbers.on_time_rate, before.on_time_rate if before else None, 2, " poin"),
    help=f"{format_number_id(numbers.reports_on_time, 0)} dari {format_number_id(numbers.reports_due, 0)} "
    f"laporan tahunan yang wajib masuk tepat waktu (paling lambat {rules.report_working_days} hari kerja setelah "
    "tahun anggaran).",
)

# --- data collection, in one line -------------------------------------------------------------------
collection = shared("status_pengumpulan", key,
                    lambda: unit_statuses(collection_status(store, view.as_of, view.filters.kabkota)))
line, link = st.columns([5, 1], vertical_alignment="center")
line.caption(status_line(collection, view.as_of))
link.page_link("pages/halaman_status_data.py", label="Status data", icon=":material/fact_check:")

# --- which kab/kota (nationally: which provinces) need attention ----------------------------------------
national = scope().is_national
st.subheader("Provinsi yang perlu perhatian" if national else "Kab/kota yang perlu perhatian")
attention = shared("perhatian", key, lambda: (province_attention_ranking if national else attention_ranking)(
    results, rules))
if attention.empty:
    st.success(f"Tidak ada {'provinsi' if national else 'kab/kota'} dengan peringatan atau skor di bawah 100.",
               icon=":material/check_circle:")
else:
    st.caption(
        "Diurutkan menurut poin perhatian: (100 − skor rata-rata perjanjian aktif) + "
        f"{rules.describe('perhatian.poin_per_bendera')} poin untuk setiap bendera (satu perjanjian dihitung sekali "
        "per jenis bendera)" + ("; satu provinsi dihitung bersama kab/kota-nya" if national else "")
        + ". Poin per bendera dapat diubah admin di Pengaturan; lihat Metodologi."
    )
    for column, row in zip(st.columns(3), attention.itertuples(), strict=False):
        code, name = (row.provinsi_kode, row.provinsi_nama) if national else (row.kabkota_kode, row.kabkota_nama)
        with column.container(border=True):
            st.markdown(f"#### {row.urutan}. {name}")
            # Points and the button before the reason: a long reason must not push the button off screen.
            st.caption(f"Poin perhatian: {row.poin_teks}")
            if st.button("Lihat rincian", key=f"ringkasan_rinci_{code}", icon=":material/arrow_forward:"):
                st.session_state["provinsi_pilih" if national else "kabkota_pilih"] = code
                st.switch_page("pages/halaman_provinsi.py" if national else "pages/halaman_kabupaten_kota.py")
            st.write(literal(row.alasan) + ".")

# --- flags -----------------------------------------------------------------------------------------
st.subheader("Peringatan")
totals = shared("jumlah_bendera", key, lambda: flag_totals(results.regions))
left, right = st.columns([3, 2])
with left:
    if clicked_flag := show(shared("grafik_bendera", key, lambda: charts.flag_counts_chart(totals)), key="ringkasan_grafik_bendera", pick=True):
        st.session_state["peringatan_kode"] = [clicked_flag]  # a bar opens its flag's list, like its button
        st.switch_page("pages/halaman_peringatan.py")
with right:
    st.caption("Buka daftar peringatan untuk satu jenis peringatan:")
    for flag in totals[totals["jumlah"] > 0].itertuples():
        if st.button(f"{flag.label}: {format_number_id(flag.jumlah, 0)} perjanjian", key=f"ringkasan_bendera_{flag.code}",
                     width="stretch"):
            # The Peringatan page reads this list of flag codes as its initial filter.
            st.session_state["peringatan_kode"] = [flag.code]
            st.switch_page("pages/halaman_peringatan.py")

# --- trend -------------------------------------------------------------------------------------------
st.subheader("Perjanjian per tahun")
split = st.segmented_control("Pisahkan menurut", ["jenis", "status"], default="jenis", key="ringkasan_pisah",
                             format_func=str.capitalize) or "jenis"
show(shared(f"grafik_tahun_{split}", key, lambda: charts.signed_per_year_chart(
    signed_per_year(results.agreements, view.as_of, by=split), by=split)), key="ringkasan_grafik_tahun")

# --- maps --------------------------------------------------------------------------------------------
st.subheader("Peta")
left, right = st.columns(2)
with left:
    countries = shared("negara_mitra", key, lambda: agreements_per_country(results.agreements))
    show(shared("peta_dunia", key, lambda: charts.partner_country_map(countries)), key="ringkasan_peta_dunia")
    if len(countries):  # the names too, for those who read the map on a projector without hovering
        st.caption("Negara mitra: " + ", ".join(
            f"{row.nama_negara} {format_number_id(row.jumlah, 0)}" for row in countries.itertuples()) + ".")
with right:
    if national:
        national_map = shared("peta_nasional", key, lambda: charts.national_score_map(results.provinces))
        if clicked_province := show(national_map, key="ringkasan_peta_nasional", pick=True):
            st.session_state["provinsi_pilih"] = clicked_province  # a province on the map opens it on Provinsi
            st.switch_page("pages/halaman_provinsi.py")
    elif clicked_unit := show(shared("peta_skor", key, lambda: charts.score_map(results.regions)), key="ringkasan_peta",
                              pick=True):
        st.session_state["kabkota_pilih"] = clicked_unit  # a unit on the map opens it on Kabupaten/Kota
        st.switch_page("pages/halaman_kabupaten_kota.py")
    st.caption("Klik satu daerah untuk membuka rinciannya.")
st.caption(charts.MAP_ATTRIBUTION)
