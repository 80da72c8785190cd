"""The agenda's column conversions give what the cell-by-cell ones gave (Python dates and ints, None when empty);
its pause of the cycle collector always ends."""

from __future__ import annotations

import gc
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ksln_metrics.reminders.agenda import _cycle_collector_paused, _dates, _ints


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


def test_the_collector_pause_ends_however_the_block_ends_and_keeps_a_pause_it_found():
    assert gc.isenabled()
    with pytest.raises(ValueError), _cycle_collector_paused():
        assert not gc.isenabled()
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with _cycle_collector_paused():
            pass
        assert not gc.isenabled()  # paused by someone else before: theirs to end
    finally:
        gc.enable()


def test_overlapping_pauses_of_two_sessions_end_with_the_collector_on():
    """Two sessions' agendas at once, ending in the other order than they began (as two threads can)."""
    first, second = _cycle_collector_paused(), _cycle_collector_paused()
    first.__enter__()
    second.__enter__()  # finds the collector off: the first one's pause
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second agenda is still being made
    second.__exit__(None, None, None)
    assert gc.isenabled()
