"""The store as a Streamlit resource, and what every page shows about it."""

from __future__ import annotations

import streamlit as st

from ksln_metrics.store import Store, default_db_path


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return Store(path)


def get_store() -> Store:
    """The store of ``KSLN_DB`` (or data/ksln.duckdb), opened once per server process."""
    return _open_store(str(default_db_path()))


def sample_data_banner(store: Store) -> None:
    """Say it plainly whenever sample data is in the store."""
    if store.has_sample_data():
        st.warning(
            "**Data contoh** — basis data ini memuat data contoh, bukan data resmi Pemerintah Provinsi Banten.",
            icon=":material/science:",
        )
