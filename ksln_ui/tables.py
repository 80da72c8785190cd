"""Tables a person must read to the end: reasons, rules and messages wrap instead of being cut.

``st.dataframe`` draws on a canvas with one line per cell, so a long reason is cut at the
column edge and the rest is off screen at 1366 px. ``st.table`` is plain HTML: its cells
wrap within the page width. Long lists are shown a page at a time.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ksln_ui.literal import literal_table

EMPTY = "–"  # shown for a missing value, never "None" or "NaN"

# Constant CSS, no data in it: a wrapping table never grows wider than the page. Words wrap at
# spaces first; only a word longer than its whole column is broken.
_TABLE_CSS = """<style>
[data-testid="stTable"] table { width: 100%; max-width: 100%; }
[data-testid="stTable"] th, [data-testid="stTable"] td { overflow-wrap: anywhere; white-space: normal !important;
  padding: 0.3rem 0.4rem !important; }
[data-testid="stTable"] th { font-size: 0.8rem; vertical-align: bottom; }
</style>"""


def blank_to_dash(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as text, a missing or empty value written as "–"."""
    def cell(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return EMPTY
        text = str(value)
        return text if text.strip() else EMPTY

    return frame.map(cell) if not frame.empty else frame.astype(object)


def readable_table(frame: pd.DataFrame, key: str, *, style=None, page_size: int = 40) -> None:
    """``frame`` as a wrapping table, ``page_size`` rows at a time; ``style(Styler) -> Styler`` may colour it."""
    shown = frame.reset_index(drop=True)
    pages = max(1, math.ceil(len(shown) / page_size))
    if pages > 1:
        number = st.number_input(
            f"Halaman (dari {pages}; {page_size} baris per halaman)", min_value=1, max_value=pages, value=1,
            step=1, key=f"{key}_halaman",
        )
        start = (int(number) - 1) * page_size
        shown = shown.iloc[start:start + page_size]
    # st.table renders Markdown in its cells: every value is escaped so data stays text (issue 11). Only
    # the rows shown: cell by cell over every flag of the country took seconds.
    shown = literal_table(blank_to_dash(shown))
    data: pd.DataFrame | Styler = style(shown.style) if style else shown
    st.html(_TABLE_CSS)
    with st.container(key=key):
        st.table(data, hide_index=True)
