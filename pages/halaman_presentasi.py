"""Presentasi: the rakor slides full screen; the deck, the offline report and the Excel workbook to download.

The slides follow the global filters set on the other pages (the sidebar is hidden here).
"""

import streamlit as st

from ksln_metrics.mime import HTML_MIME, PPTX_MIME, XLSX_MIME
from ksln_metrics.present.export import indicators_xlsx
from ksln_metrics.present.figure_images import find_chromium, missing_browser_message
from ksln_metrics.present.report import report_html
from ksln_metrics.present.slides import file_stem, footer_text, meeting_name, scope_text
from ksln_ui.presentation import FULL_SCREEN_CSS, deck_file, get_slides, show_slide
from ksln_ui.state import current_view, get_results, get_store

view = current_view()
store = get_store()
st.html(FULL_SCREEN_CSS)

results = get_results(view.as_of, view.filters)
slide_set = get_slides(view)  # built once for every session: the next slide only draws
slides = slide_set.slides
footer = footer_text(view.as_of, store.has_sample_data())
number = min(max(int(st.session_state.get("presentasi_nomor", 0)), 0), len(slides) - 1)


def move(step: int) -> None:
    st.session_state["presentasi_nomor"] = min(max(number + step, 0), len(slides) - 1)


# --- navigation bar ------------------------------------------------------------------------------------
back, counter, forward, files, leave = st.columns([2, 1, 2, 2, 2], vertical_alignment="center")
back.button("Sebelumnya", key="presentasi_sebelumnya", icon=":material/arrow_back:", on_click=move, args=(-1,),
            disabled=number == 0, shortcut="Left", width="stretch")
counter.markdown(f"**{number + 1} / {len(slides)}**", text_alignment="center")
forward.button("Berikutnya", key="presentasi_berikutnya", icon=":material/arrow_forward:", on_click=move, args=(1,),
               disabled=number == len(slides) - 1, shortcut="Right", type="primary", width="stretch")
with files.popover("Unduh", icon=":material/download:", width="stretch"):
    st.caption(f"{scope_text(view.filters)}. Ubah filter di halaman lain; salindia mengikutinya.")
    if find_chromium() is None:
        st.warning(missing_browser_message(), icon=":material/warning:")
    st.download_button("Salindia PowerPoint (.pptx)", data=lambda: deck_file(slide_set, footer),
                       file_name=f"{file_stem(view.as_of)}.pptx", mime=PPTX_MIME, key="presentasi_unduh_pptx",
                       icon=":material/slideshow:", on_click="ignore", width="stretch")
    st.download_button("Laporan luring (.html)", data=lambda: report_html(slides, meeting_name(), footer).encode("utf-8"),
                       file_name=f"{file_stem(view.as_of)}.html", mime=HTML_MIME, key="presentasi_unduh_html",
                       icon=":material/description:", on_click="ignore", width="stretch")
    st.download_button("Indikator dan peringatan (.xlsx)", data=lambda: indicators_xlsx(results, view.as_of),
                       file_name=f"{file_stem(view.as_of)}.xlsx", mime=XLSX_MIME, key="presentasi_unduh_xlsx",
                       icon=":material/table_view:", on_click="ignore", width="stretch")
leave.page_link("pages/halaman_ringkasan.py", label="Keluar dari presentasi", icon=":material/close:")

# --- the slide -------------------------------------------------------------------------------------------
show_slide(slides[number], key=f"presentasi_{number}", figure=slide_set.figures[number],
           footer=f"{footer} · {number + 1} / {len(slides)} · tombol panah kiri/kanan untuk berpindah salindia")
