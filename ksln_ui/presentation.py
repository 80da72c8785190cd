"""Drawing one rakor slide in Streamlit, full screen, with large type for a projector."""

from __future__ import annotations

import plotly.graph_objects as go
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
[data-testid="stMainBlockContainer"] { padding-top: 0.8rem; padding-bottom: 0.5rem; max-width: 100%; }
[data-testid="stMain"] h1 { font-size: clamp(2rem, 4.2vh, 3rem); color: #08306B; padding-top: 0.1rem; }
[data-testid="stMain"] h3 { color: #333333; font-weight: 500; font-size: clamp(1.2rem, 2.6vh, 1.75rem); }
.st-key-presentasi_isi li, .st-key-presentasi_isi p { font-size: clamp(1.1rem, 2.7vh, 1.55rem); line-height: 1.4;
  color: #111111; }
.st-key-presentasi_isi li li { font-size: clamp(1rem, 2.3vh, 1.3rem); }
/* Tables sized by the screen's height: a kab/kota slide fits 1280x720 without scrolling. */
.st-key-presentasi_isi table { font-size: clamp(0.85rem, 2.1vh, 1.2rem); }
.st-key-presentasi_isi th, .st-key-presentasi_isi td { padding: 0.25rem 0.5rem !important; }
.st-key-presentasi_isi th { background: #08306B !important; }
.st-key-presentasi_isi th, .st-key-presentasi_isi th * { color: #FFFFFF !important; }
</style>
"""

SLIDE_FIGURE_HEIGHT = 480
plain = literal  # the name the slide code used before the helper was shared


def bullets_markdown(slide: Slide) -> str:
    return "\n".join(f"{'    ' * b.level}- {plain(b.text)}" for b in slide.bullets)


def show_slide(slide: Slide, key: str, footer: str = "") -> None:
    """Title, subtitle, bullets, then the chart or the table of ``slide``; the footer; the speaker notes folded.

    The footer says "Data contoh" on every slide when the store holds sample data (``slides.footer_text``).
    """
    st.title(literal(slide.title), anchor=False)
    if slide.subtitle:
        st.subheader(plain(slide.subtitle), anchor=False)
    with st.container(key="presentasi_isi"):
        if slide.figure is not None:
            left, right = st.columns([2, 3], vertical_alignment="center")
            left.markdown(bullets_markdown(slide))
            with right:
                # Short enough for a 1280x720 projector with the title, the bar and the footer.
                show(go.Figure(slide.figure).update_layout(height=SLIDE_FIGURE_HEIGHT), key=f"{key}_grafik", png=False)
        else:
            st.markdown(bullets_markdown(slide))
        if slide.table is not None:
            st.table(literal_table(slide.table), hide_index=True)
    if footer:
        st.caption(footer)
    if slide.notes:
        with st.expander("Catatan pembicara"):
            st.text(slide.notes)
