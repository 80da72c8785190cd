"""Working days and reporting deadlines.

A working day (hari kerja) is Monday to Friday, minus Indonesian public holidays and cuti
bersama (``holidays`` package, country ID, categories public and government), plus the
extra holidays and minus the cancelled ones of the rules file.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd
import pyarrow as pa

from ksln_metrics.engine.rules import Rules, load_rules

HOLIDAY_CATEGORIES = ("public", "government")


@lru_cache(maxsize=128)
def _package_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year, categories=HOLIDAY_CATEGORIES))


def holidays_of(year: int, rules: Rules | None = None) -> frozenset[date]:
    """The non-working weekdays and weekend holidays of one year after the rules' overrides."""
    rules = rules or load_rules()
    days = set(_package_holidays(year))
    days.update(d for d in rules.extra_holidays if d.year == year)
    days.difference_update(rules.cancelled_holidays)
    return frozenset(days)


def is_working_day(day: date, rules: Rules | None = None) -> bool:
    rules = rules or load_rules()
    return day.weekday() < 5 and day not in holidays_of(day.year, rules)


def reporting_deadline(fiscal_year: int, rules: Rules | None = None) -> date:
    """The last on-time day for the annual report of ``fiscal_year``: the Nth working day after 31 December."""
    rules = rules or load_rules()
    day, counted = date(fiscal_year, 12, 31), 0
    while counted < rules.report_working_days:
        day += timedelta(days=1)
        if is_working_day(day, rules):
            counted += 1
    return day


def working_days_between(a: date, b: date, rules: Rules | None = None) -> int:
    """Working days after ``a`` up to and including ``b`` (negative when ``b`` is before ``a``).

    A report received on the first working day after its deadline is 1 working day late.
    """
    rules = rules or load_rules()
    if b < a:
        return -working_days_between(b, a, rules)
    return sum(is_working_day(a + timedelta(days=n), rules) for n in range(1, (b - a).days + 1))


@lru_cache(maxsize=16)
def _working_day_table(first_year: int, last_year: int, rules: Rules) -> pa.Table:
    days = pd.date_range(date(first_year, 1, 1), date(last_year, 12, 31), freq="D")
    off = set().union(*(holidays_of(y, rules) for y in range(first_year, last_year + 1)))
    working = (days.day_of_week < 5) & ~days.isin(pd.to_datetime(sorted(off)))
    # Arrow dates (not Python date objects): the SQL reads the table three times per computation.
    return pa.table({
        "tanggal": pa.array(days.values.astype("datetime64[D]"), type=pa.date32()),
        "hari_kerja_ke": pa.array(np.cumsum(working).astype("int32")),
    })


def working_day_table(first_year: int, last_year: int, rules: Rules) -> pa.Table:
    """One row per calendar day with the running count of working days since 1 January ``first_year``.

    ``hari_kerja_ke(b) - hari_kerja_ke(a)`` equals ``working_days_between(a, b)``; the SQL uses
    it to say how many working days late a report is.
    """
    return _working_day_table(first_year, last_year, rules)


@lru_cache(maxsize=16)
def _deadline_table(first_year: int, last_year: int, rules: Rules) -> pa.Table:
    years = range(first_year, last_year + 1)
    return pa.table({
        "tahun_anggaran": pa.array(list(years), type=pa.int32()),
        "batas": pa.array([reporting_deadline(y, rules) for y in years], type=pa.date32()),
    })


def deadline_table(first_year: int, last_year: int, rules: Rules) -> pa.Table:
    """The reporting deadline of every fiscal year in the range, for the SQL."""
    return _deadline_table(first_year, last_year, rules)
