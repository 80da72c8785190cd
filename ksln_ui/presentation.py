"""Drawing one rakor slide in Streamlit, full screen, with large type for a projector."""

from __future__ import annotations

import streamlit as st

from ksln_metrics.present.slides import Slide
from ksln_ui.charts import show
from ksln_ui.literal import literal, literal_table

# Constant CSS, no data in it: hides the sidebar (its filter widgets keep running, so the
# filters set on other pages stay in force), the header and toolbar, and enlarges the text.
FULL_SCREEN_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding-top: 1.2rem; padding-bottom: 1rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: 3rem; color: #08306B; padding-top: 0.2rem; }
[data-testid="stMain"] h3 { color: #333333; font-weight: 500; }
.st-key-presentasi_isi li, .st-key-presentasi_isi p { font-size: 1.55rem; line-height: 1.45; color: #111111; }
.st-key-presentasi_isi li li { font-size: 1.3rem; }
.st-key-presentasi_isi table { font-size: 1.2rem; }
.st-key-presentasi_isi th { background: #08306B !important; }
.st-key-presentasi_isi th, .st-key-presentasi_isi th * { color: #FFFFFF !important; }
</style>
"""

plain = literal  # the name the slide code used before the helper was shared


def bullets_markdown(slide: Slide) -> str:
    return "\n".join(f"{'    ' * b.level}- {plain(b.text)}" for b in slide.bullets)


def show_slide(slide: Slide, key: str) -> None:
    """Title, subtitle, bullets, then the chart or the table of ``slide``; the speaker notes folded."""
    st.title(literal(slide.title), anchor=False)
    if slide.subtitle:
        st.subheader(plain(slide.subtitle), anchor=False)
    with st.container(key="presentasi_isi"):
        if slide.figure is not None:
            left, right = st.columns([2, 3], vertical_alignment="center")
            left.markdown(bullets_markdown(slide))
            with right:
                show(slide.figure, key=f"{key}_grafik")
        else:
            st.markdown(bullets_markdown(slide))
        if slide.table is not None:
            st.table(literal_table(slide.table), hide_index=True)
    if slide.notes:
        with st.expander("Catatan pembicara"):
            st.text(slide.notes)
