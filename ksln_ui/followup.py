"""The follow-up loop's shared Streamlit side: the cached "since the last rakor" comparison."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ksln_metrics.engine.indicators import Filters
from ksln_metrics.followup.rakor import Since, last_meeting, since
from ksln_ui.state import data_version, get_rules, get_store, rules_version


def actions_version() -> str:
    """Changes whenever an action is created or changes status (the comparison counts them)."""
    row = get_store().query("SELECT count(*) AS n, max(changed_at) AS t FROM tindak_lanjut").iloc[0]
    return f"{row['n']}:{row['t']}"


@st.cache_data(show_spinner="Membandingkan dua tanggal acuan…", max_entries=16)
def _since(db: str, version: int, rules_key: str, actions_key: str, start: date, end: date, filters: Filters,
           meeting: str | None) -> Since:
    return since(get_store(), start, end, get_rules(), filters, meeting=meeting)


def get_since(start: date, end: date, filters: Filters, meeting: str | None = None) -> Since:
    store = get_store()
    return _since(str(store.path), data_version(store), rules_version(), actions_version(), start, end, filters,
                  meeting)


def get_since_last_meeting(end: date, filters: Filters) -> Since | None:
    """From the last rakor held before ``end`` to ``end``; None when no rakor is stored."""
    found = last_meeting(get_store(), end)
    return None if found is None else get_since(found[1], end, filters, found[0])
