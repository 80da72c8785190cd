"""A frame shared by sessions goes to st.dataframe as an Arrow table made once: the browser gets the same bytes."""

import gc

import pandas as pd
import pyarrow as pa
from streamlit.testing.v1 import AppTest

from ksln_ui import state


def page_with_a_shared_list():
    import pandas as pd
    import streamlit as st

    from ksln_ui.state import as_arrow

    @st.cache_resource
    def listing():
        return pd.DataFrame({
            "ID": pd.array(["P-1", "P-2", "P-3"], dtype="str"),
            "Judul": pd.array(["Kerja sama *kota* kembar", None, "Beasiswa"], dtype="str"),
            "Ditandatangani": ["11 Maret 2019", "–", "2 Mei 2021"],
            "Skor": [87.5, float("nan"), 40.0],
            "Tahun": [2019, 2020, 2021],
        })

    config = {"Skor": st.column_config.ProgressColumn("Skor", min_value=0, max_value=100, format="%.0f")}
    for key, data in (("pandas", listing()), ("arrow", as_arrow(listing()))):
        st.dataframe(data, hide_index=True, width="stretch", key=key, on_select="rerun", selection_mode="single-row",
                     column_config=config)


def test_the_browser_gets_the_same_table_and_sessions_share_one_conversion():
    gc.collect()
    before = dict(state._arrow_tables)
    first = AppTest.from_function(page_with_a_shared_list).run()
    after_first = {k: v for k, v in state._arrow_tables.items() if k not in before}
    second = AppTest.from_function(page_with_a_shared_list).run()
    assert not first.exception and not second.exception
    for app in (first, second):
        from_pandas, from_arrow = (table.proto for table in app.dataframe)
        assert from_arrow.arrow_data == from_pandas.arrow_data
        assert from_arrow.columns == from_pandas.columns
        assert list(from_arrow.selection_mode) == list(from_pandas.selection_mode)
    # One table for the shared frame, and the second session was given that same object.
    assert len(after_first) == 1
    assert {k for k in state._arrow_tables if k not in before} == set(after_first)
    assert all(state._arrow_tables[k] is table for k, table in after_first.items())


def test_a_table_goes_with_its_frame_and_a_frame_arrow_refuses_is_left_to_streamlit():
    gc.collect()
    before = set(state._arrow_tables)
    frame = pd.DataFrame({"a": [1, 2]})
    assert isinstance(state.as_arrow(frame), pa.Table)
    assert state.as_arrow(frame) is state.as_arrow(frame)
    del frame
    gc.collect()
    assert set(state._arrow_tables) <= before
    mixed = pd.DataFrame({"a": [1, "dua", 3.0]}, dtype=object)  # Arrow cannot type this column
    assert state.as_arrow(mixed) is mixed
