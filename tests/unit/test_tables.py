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
