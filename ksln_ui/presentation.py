"""Drawing one rakor slide in Streamlit, full screen, with large type for a projector."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from ksln_metrics.followup.rakor import last_meeting
from ksln_metrics.followup.stories import list_stories
from ksln_metrics.present.deck import build_deck
from ksln_metrics.present.slides import Slide, build_slides
from ksln_ui.charts import show
from ksln_ui.followup import actions_version, get_since
from ksln_ui.literal import literal, literal_table
from ksln_ui.state import View, get_results, get_rules, get_store, results_key, shared

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


@dataclass(frozen=True)
class SlideSet:
    """The slides of one view, with each chart already sized for the screen; shared by every session showing them."""

    slides: tuple[Slide, ...]
    figures: tuple[go.Figure | None, ...]  # the chart of each slide at SLIDE_FIGURE_HEIGHT
    key: tuple  # what the slides depend on


def get_slides(view: View) -> SlideSet:
    """The rakor slides for ``view``, built once per data version, rules, rakor, follow-ups and published stories.

    Moving to the next slide then draws one slide instead of building them all again.
    """
    store = get_store()
    meeting = last_meeting(store, view.as_of)  # None before any rakor is stored
    stories = list_stories(store, published_only=True, kabkota=view.filters.kabkota)
    sample = store.has_sample_data()
    stories_key = hashlib.sha256(stories.to_json(date_format="iso", default_handler=str).encode()).hexdigest()
    key = (*results_key(view), actions_version(), meeting, stories_key, sample)

    def build() -> SlideSet:
        since = None if meeting is None else get_since(meeting[1], view.as_of, view.filters, meeting[0])
        slides = tuple(build_slides(get_results(view.as_of, view.filters), view.as_of, view.filters, get_rules(),
                                    sample_data=sample, since=since, stories=stories))
        figures = tuple(None if s.figure is None else go.Figure(s.figure).update_layout(height=SLIDE_FIGURE_HEIGHT)
                        for s in slides)
        return SlideSet(slides, figures, key)

    return shared("salindia", key, build)


_decks: dict[tuple, bytes] = {}  # (slides' key, footer) -> the .pptx with every chart drawn; the newest few
_decks_lock = threading.Lock()  # a room pressing "Unduh" together starts one browser, not thirty
_KEEP_DECKS = 4


def deck_file(slide_set: SlideSet, footer: str) -> bytes:
    """The .pptx of ``slide_set``: drawn once (all its charts in one browser), then the same bytes for everyone.

    A deck made without its pictures (no browser) is not kept: the next download tries again.
    """
    key = (slide_set.key, footer)
    with _decks_lock:
        if key not in _decks:
            deck = build_deck(slide_set.slides, footer)
            if deck.message is not None:
                return deck.data
            _decks[key] = deck.data
            while len(_decks) > _KEEP_DECKS:
                del _decks[next(iter(_decks))]
        return _decks[key]


def bullets_markdown(slide: Slide) -> str:
    return "\n".join(f"{'    ' * b.level}- {plain(b.text)}" for b in slide.bullets)


def show_slide(slide: Slide, key: str, footer: str = "", figure: go.Figure | None = None) -> None:
    """Title, subtitle, bullets, then the chart or the table of ``slide``; the footer; the speaker notes folded.

    The footer says "Data contoh" on every slide when the store holds sample data (``slides.footer_text``).
    ``figure`` is the slide's chart sized for the screen (``Deck.figures``); without it, it is sized here.
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
                if figure is None:
                    figure = go.Figure(slide.figure).update_layout(height=SLIDE_FIGURE_HEIGHT)
                show(figure, key=f"{key}_grafik", png=False)
        else:
            st.markdown(bullets_markdown(slide))
        if slide.table is not None:
            st.table(literal_table(slide.table), hide_index=True)
    if footer:
        st.caption(footer)
    if slide.notes:
        with st.expander("Catatan pembicara"):
            st.text(slide.notes)
