"""An expander whose content is built only while it is open: closed, a page pays for its label alone."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st


@contextmanager
def on_demand(label: str, key: str) -> Iterator[bool]:
    """``with on_demand(label, key) as opened:`` an expander; build its content ``if opened``.

    Opening or closing it reruns the page; whether it is open is kept under ``key`` in the session
    (a test opens it by setting ``st.session_state[key] = True``). A label that changes (a count in
    it) makes a new expander: it starts as the previous one was, so saving a form inside leaves it open.
    """
    with st.expander(label, expanded=bool(st.session_state.get(key, False)), key=key, on_change="rerun") as box:
        yield bool(box.open)
