"""The wrapping tables' text (ksln_ui.tables): missing values as "–", every cell and header escaped, computed column-wise."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ksln_ui.literal import literal, literal_table
from ksln_ui.tables import EMPTY, blank_to_dash, table_text


def dash_cell_by_cell(frame: pd.DataFrame) -> pd.DataFrame:
    """What blank_to_dash did before, one ``DataFrame.map`` call per cell: the reference."""
    def cell(value) -> str:
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return EMPTY
        text = str(value)
        return text if text.strip() else EMPTY

    return frame.map(cell) if not frame.empty else frame.astype(object)


def tricky() -> pd.DataFrame:
    frame = pd.DataFrame({
        "Judul": ["![x](http://evil.example/p.png)", "  ", None, "# judul\nbaris dua", "a@evil.example"],
        "Skor": [71.5, np.nan, 0.0, 100.0, -3.25],
        "Jumlah": [1, 2, 3, 4, 5],
        "Ya": [True, False, True, True, False],
        "Tanggal": pd.to_datetime(["2025-01-31", None, "2024-12-31", "2023-06-30", "2022-01-01"]),
        "Hari": [date(2025, 1, 31), None, date(2024, 1, 1), date(2023, 1, 1), date(2022, 1, 1)],
        "Nilai": pd.array([1, None, 3, 4, None], dtype="Int64"),
        "Jenis": pd.Categorical(["KSDPL", "KSDLL", None, "KSDPL", "KSDPL"]),
        "Campur": pd.Series(["teks", 5, 2.5, None, ":red[merah]"], dtype=object),
        "Sandi **tebal**": ["{{7*7}}", "1. satu", "- a", "<b>x</b>", "lihat www.evil.example"],
    }, index=[10, 11, 12, 13, 14])
    return frame


@pytest.mark.parametrize("rows", [slice(None), slice(1, 3), slice(0, 0)])
def test_blank_to_dash_is_the_same_as_cell_by_cell(rows):
    frame = tricky().iloc[rows]
    pd.testing.assert_frame_equal(blank_to_dash(frame), dash_cell_by_cell(frame))


@pytest.mark.parametrize("rows", [slice(None), slice(1, 3), slice(0, 0)])
def test_table_text_is_the_same_as_escaping_the_dashed_table(rows):
    frame = tricky().iloc[rows]
    pd.testing.assert_frame_equal(table_text(frame), literal_table(dash_cell_by_cell(frame)))


def test_table_text_escapes_cells_and_headers_and_dashes_blanks():
    text = table_text(tricky())
    assert list(text.columns)[-1] == "Sandi \\*\\*tebal\\*\\*"
    assert text["Judul"].tolist()[:3] == [literal("![x](http://evil.example/p.png)"), EMPTY, EMPTY]
    assert text["Skor"].tolist()[:2] == ["71\\.5", EMPTY]  # "71.5" would not start a list, but is escaped as before
    assert text["Judul"].iloc[3] == "\\# judul baris dua"


def test_duplicate_headers_keep_their_columns():
    frame = pd.DataFrame([["a", None], ["", "b"]], columns=["Nama", "Nama"])
    pd.testing.assert_frame_equal(blank_to_dash(frame), dash_cell_by_cell(frame))
    assert table_text(frame).values.tolist() == [["a", EMPTY], [EMPTY, "b"]]


def test_long_texts_are_escaped_as_short_ones():
    long = "[tautan](http://evil.example) " * 50  # longer than the escaping cache keeps
    assert literal(long) == " ".join([literal("[tautan](http://evil.example)")] * 50)


def _styled_proto(styler) -> bytes:
    """What st.table sends for ``styler``: Streamlit's own marshalling of a Styler, and of its rows."""
    from streamlit import dataframe_util
    from streamlit.elements.lib.pandas_styler_utils import marshall_styler
    from streamlit.proto.ArrowData_pb2 import ArrowData

    proto = ArrowData()
    marshall_styler(proto, styler, "tidak-dipakai")
    proto.data = dataframe_util.convert_anything_to_arrow_bytes(styler)
    return proto.SerializeToString()


def test_a_shared_styled_table_is_styled_once_and_sent_as_a_plain_styler_is():
    from concurrent.futures import ThreadPoolExecutor

    from pandas.io.formats.style import Styler

    from ksln_ui.tables import _table_data

    rows = tricky()
    looked_up: list[str] = []

    def style(styler):
        def colour(value):
            looked_up.append(value)
            return "background-color: #fde" if value != EMPTY else ""
        return styler.map(colour, subset=["Judul"])

    plain, once = _table_data(rows, style), _table_data(rows, style, once=True)
    assert type(once) is Styler and type(plain) is Styler  # Streamlit takes only that exact type for a Styler
    once.set_uuid(plain.uuid)  # the CSS names the table by its uuid: the same, to compare the bytes
    expected = _styled_proto(plain)
    looked_up.clear()
    with ThreadPoolExecutor(8) as pool:  # sessions drawing the shared table at once
        sent = list(pool.map(lambda _: _styled_proto(once), range(16)))
    assert set(sent) == {expected}
    assert len(looked_up) == len(rows)  # each cell's style looked up once, not once per drawing
    assert b"background-color: #fde" in expected
