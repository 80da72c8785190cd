"""Tables a person must read to the end: reasons, rules and messages wrap instead of being cut.

``st.dataframe`` draws on a canvas with one line per cell, so a long reason is cut at the
column edge and the rest is off screen at 1366 px. ``st.table`` is plain HTML: its cells
wrap within the page width. Long lists are shown a page at a time.
"""

from __future__ import annotations

import math
import threading

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from ksln_metrics.formatting import format_number_id
from ksln_ui.literal import literal, literal_table
from ksln_ui.state import shared

EMPTY = "–"  # shown for a missing value, never "None" or "NaN"

# Constant CSS, no data in it: a wrapping table never grows wider than the page. Words wrap at
# spaces first; only a word longer than its whole column is broken.
_TABLE_CSS = """<style>
[data-testid="stTable"] table { width: 100%; max-width: 100%; }
[data-testid="stTable"] th, [data-testid="stTable"] td { overflow-wrap: anywhere; white-space: normal !important;
  padding: 0.3rem 0.4rem !important; }
[data-testid="stTable"] th { font-size: 0.8rem; vertical-align: bottom; }
</style>"""


def _dash(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return EMPTY
    text = str(value)
    return text if text.strip() else EMPTY


def _column_wise(frame: pd.DataFrame, cell) -> pd.DataFrame:
    """``cell(value)`` of every value of ``frame``, one column at a time (``DataFrame.map`` paid pandas' overhead per
    column and cell); the same labels and index."""
    out = pd.DataFrame({i: [cell(v) for v in frame.iloc[:, i].tolist()] for i in range(frame.shape[1])},
                       index=frame.index)
    out.columns = frame.columns
    return out


def blank_to_dash(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as text, a missing or empty value written as "–"."""
    return _column_wise(frame, _dash) if not frame.empty else frame.astype(object)


def _shown_cell(value) -> str:
    return literal(_dash(value))


def table_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``literal_table(blank_to_dash(frame))``: every cell and header as escaped text, in one pass over the cells."""
    if frame.empty:
        return literal_table(blank_to_dash(frame))
    out = _column_wise(frame, _shown_cell)
    out.columns = [literal(c) if isinstance(c, str) else c for c in frame.columns]
    return out


def _styled_once(styler: Styler) -> Styler:
    """``styler`` working out its cell styles and their translation once, for every session that shows it.

    ``st.table`` calls pandas' ``_compute`` and ``_translate`` on every call: for a table every session shows
    alike (``readable_table(..., shared_as=...)``) that was most of the table's cost, with the same result each
    time. Here both run once, under a lock (``_compute`` empties and refills the Styler's state, so two sessions'
    threads must not run it at once); ``st.table`` only reads what they made. The two are replaced on this
    object, not in a subclass: Streamlit recognises a Styler by its exact type.
    """
    lock = threading.Lock()
    compute, translate = styler._compute, styler._translate
    computed: list[bool] = []
    translated: dict[str, dict] = {}

    def compute_once():
        with lock:
            if not computed:
                compute()
                computed.append(True)
        return styler

    def translate_once(*args, **kwargs):
        asked = repr((args, sorted(kwargs.items())))
        with lock:
            if asked not in translated:
                translated[asked] = translate(*args, **kwargs)
            return translated[asked]

    styler._compute, styler._translate = compute_once, translate_once
    return styler


def _table_data(rows: pd.DataFrame, style, *, once: bool = False) -> pd.DataFrame | Styler:
    """What ``st.table`` is given for ``rows``: every cell escaped, coloured by ``style`` when there is one
    (``once``: a Styler shared by every session, ``_styled_once``)."""
    # st.table renders Markdown in its cells: every value is escaped so data stays text (issue 11). Only
    # the rows shown: cell by cell over every flag of the country took seconds.
    shown = table_text(rows)
    if style is None:
        return shown
    # cell_ids=False: ids only on the cells a style colours (the rest were never looked up), half the Styler's work.
    styled = style(Styler(shown, cell_ids=False))
    return _styled_once(styled) if once else styled


def readable_table(frame: pd.DataFrame, key: str, *, style=None, page_size: int = 40,
                   shared_as: tuple | None = None) -> None:
    """``frame`` as a wrapping table, ``page_size`` rows at a time; ``style(Styler) -> Styler`` may colour it.

    ``shared_as``: a key that fixes what ``frame`` holds, as a key of ``state.shared`` does (a shared frame's
    own key, or ``results_key`` and what else the page chose). Its first page of rows, where every session
    lands, is then escaped and styled once for all of them (``_styled_once``); the same ``key`` always styles
    its table the same way.
    """
    shown = frame.reset_index(drop=True)
    pages = max(1, math.ceil(len(shown) / page_size))
    start = 0
    if pages > 1:
        number = st.number_input(
            f"Halaman (dari {pages}; {page_size} baris per halaman)", min_value=1, max_value=pages, value=1,
            step=1, key=f"{key}_halaman",
        )
        start = (int(number) - 1) * page_size
        shown = shown.iloc[start:start + page_size]
    if shared_as is None or start:
        data = _table_data(shown, style)
    else:  # the first page only: where everyone lands, and one entry of the shared values per table and choice
        data = shared("tabel_terbaca", (key, *shared_as), lambda: _table_data(shown, style, once=True))
    st.html(_TABLE_CSS)
    with st.container(key=key):
        st.table(data, hide_index=True)


def paged_dataframe(frame: pd.DataFrame, key: str, *, page_size: int = 250, **options) -> None:
    """``st.dataframe(frame, key=key, **options)``, ``page_size`` rows at a time when ``frame`` is longer.

    Every row of a table is sent to the browser: the 42,000 flag changes of a national store were 3.4 MB on
    every visit of Tindak Lanjut, seconds before the page was drawn.
    """
    pages = max(1, math.ceil(len(frame) / page_size))
    shown = frame
    if pages > 1:
        if (st.session_state.get(f"{key}_halaman") or 1) > pages:  # fewer rows than when that page was chosen
            st.session_state[f"{key}_halaman"] = pages
        number = st.number_input(
            f"Halaman (dari {format_number_id(pages, 0)}; {page_size} baris per halaman, "
            f"{format_number_id(len(frame), 0)} baris)",
            min_value=1, max_value=pages, value=1, step=1, key=f"{key}_halaman",
        )
        start = (int(number) - 1) * page_size
        shown = frame.iloc[start:start + page_size]
    st.dataframe(shown, key=key, **options)
