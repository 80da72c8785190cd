"""Peringatan: every raised flag with its reason, filterable and downloadable."""

import pandas as pd
import streamlit as st

from ksln_metrics.engine.agreement import agreement_name
from ksln_metrics.engine.alerts import chip_styles_by_label, filter_flags, flag_counts, valid_codes, with_flag_year
from ksln_metrics.engine.rules import FLAG_BY_CODE, FLAG_CODES
from ksln_metrics.formatting import format_number_id
from ksln_metrics.mime import CSV_MIME, XLSX_MIME
from ksln_metrics.present.export import flags_csv, flags_xlsx
from ksln_ui.pickers import PICKER_LIMIT, limit_caption
from ksln_ui.state import as_of_caption, current_view, get_results, get_store, results_key, sample_data_banner, shared
from ksln_ui.tables import readable_table

store = get_store()
view = current_view()
results = get_results(view.as_of, view.filters)
key = results_key(view)  # the frames below are built once per data version and choice for every session
flags = shared("peringatan_bendera", key, lambda: with_flag_year(results.flags, results.agreements))
chips = chip_styles_by_label()

st.title("Peringatan")
sample_data_banner(store)
as_of_caption(view)

# Ringkasan sends leadership here with the flags whose count they clicked.
if "peringatan_kode" in st.session_state:
    st.session_state["peringatan_filter_kode"] = valid_codes(st.session_state.pop("peringatan_kode"))

left, right = st.columns([3, 1])
codes = left.multiselect("Bendera", list(FLAG_CODES), format_func=lambda c: FLAG_BY_CODE[c].label,
                         select_all=False, key="peringatan_filter_kode", placeholder="Semua bendera")
year_choices = shared("peringatan_tahun", key, lambda: sorted({int(y) for y in flags["tahun"].dropna()}, reverse=True))
years = right.multiselect(
    "Tahun", year_choices, select_all=False, key="peringatan_filter_tahun", placeholder="Semua tahun",
    help="Untuk Laporan terlambat dan Laporan belum masuk: tahun anggaran yang dilaporkan. Untuk bendera lain: "
         "tahun penandatanganan perjanjian (perjanjian yang belum ditandatangani hanya tampil bila tahun tidak "
         "dipilih). Kab/kota, jenis dan negara dipilih di panel samping.",
)
choice = (*key, tuple(codes), tuple(years))
shown = shared("peringatan_pilihan", choice, lambda: filter_flags(flags, codes, years))


def flag_summary() -> pd.DataFrame | None:
    # One line per flag with its rule: the rule is the same for every agreement that carries the flag,
    # so it is said once here and the list below has the room for each reason.
    counts = flag_counts(shown)
    if counts.empty:
        return None
    rules_of = shown.drop_duplicates("label").set_index("label")["rule"]
    return pd.DataFrame({"Bendera": counts["label"], "Jumlah": counts["jumlah"].astype(int).astype(str),
                         "Aturan": counts["label"].map(rules_of)})


st.markdown(f"**{format_number_id(len(shown), 0)} bendera** pada "
            f"**{format_number_id(shown['id_perjanjian'].nunique(), 0)} perjanjian**.")
summary = shared("peringatan_jumlah", choice, flag_summary)
if summary is not None:
    readable_table(summary, key="peringatan_jumlah", shared_as=choice,
                   style=lambda styler: styler.map(lambda label: chips.get(label, ""), subset=["Bendera"]))

if shown.empty:
    st.info("Tidak ada bendera untuk pilihan ini.", icon=":material/check_circle:")
    st.stop()

table = shared("peringatan_tabel", choice, lambda: pd.DataFrame({
    "Bendera": shown["label"],
    "Kab/Kota": shown["kabkota_nama"],
    "ID": shown["id_perjanjian"],
    "Judul": shown["judul"],
    "Status": shown["status"],
    "Tahun": shown["tahun"].map(lambda y: str(int(y)) if pd.notna(y) else None),
    "Alasan": shown["reason"],
}))
# A wrapping table: the reason and the rule are read to the end, without scrolling sideways.
readable_table(table, key="peringatan_tabel", shared_as=choice,
               style=lambda styler: styler.map(lambda label: chips.get(label, ""), subset=["Bendera"]))

stamp = view.as_of.isoformat()
one, two, _ = st.columns([1, 1, 2])
# Built when clicked, not on every load of the page.
one.download_button("Unduh Excel (.xlsx)", lambda: flags_xlsx(shown, view.as_of), f"peringatan_{stamp}.xlsx", XLSX_MIME,
                    icon=":material/download:", on_click="ignore", key="peringatan_unduh_xlsx", width="stretch")
two.download_button("Unduh CSV (;)", lambda: flags_csv(shown), f"peringatan_{stamp}.csv", CSV_MIME,
                    icon=":material/download:", on_click="ignore", key="peringatan_unduh_csv", width="stretch")

with st.container(border=True):
    names = shared("perjanjian_judul", key,  # the same titles as Perjanjian's, once per data version
                   lambda: {row["id_perjanjian"]: agreement_name(row) for row in results.agreements.to_dict("records")})
    listed = shared("peringatan_perjanjian", choice, lambda: shown["id_perjanjian"].drop_duplicates())
    # "Lihat rincian perjanjian" offers the agreements of the list's first rows, at most PICKER_LIMIT: nationally
    # it offered every flagged agreement, thousands of names sent to the browser on every visit (0.6 MB).
    titles = shared("peringatan_judul", choice, lambda: {
        agreement_id: names.get(agreement_id, agreement_id) for agreement_id in listed.iloc[:PICKER_LIMIT]})
    pick, go = st.columns([3, 1], vertical_alignment="bottom")
    target = pick.selectbox("Lihat rincian perjanjian", list(titles), format_func=titles.get,
                            key="peringatan_buka_pilih")
    if go.button("Buka", icon=":material/open_in_new:", key="peringatan_buka", width="stretch"):
        st.session_state["perjanjian_id"] = target
        st.switch_page("pages/halaman_perjanjian.py")
    limit_caption(len(listed), "perjanjian", "dalam daftar",
                  "persempit dengan filter bendera, tahun atau panel samping, atau cari di halaman Perjanjian.")
