"""The agenda's column conversions give what the cell-by-cell ones gave: Python dates and ints, None when empty."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ksln_metrics.reminders.agenda import _dates, _ints


def test_dates_are_python_dates_and_an_empty_one_is_none():
    column = pd.Series(pd.to_datetime(["2026-01-12", None, "1999-12-31"]))
    assert _dates(column) == [date(2026, 1, 12), None, date(1999, 12, 31)]
    assert [type(v) for v in _dates(column)] == [date, type(None), date]
    assert _dates(pd.Series([date(2025, 3, 1), None], dtype=object)) == [date(2025, 3, 1), None]


def test_ints_truncate_as_int_does_and_an_empty_one_is_none():
    column = pd.Series([3.0, np.nan, -4.0, 2.7, -2.7, None], dtype="object")
    expected = [None if v is None or v != v else int(v) for v in column]
    assert _ints(column) == expected == [3, None, -4, 2, -2, None]
    assert all(type(v) is int for v in _ints(column) if v is not None)
    assert _ints(pd.Series([2025, None], dtype="Int64")) == [2025, None]
