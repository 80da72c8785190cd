"""Indonesian number, money and date formats: ``1.234.567,89``, ``Rp 1.234.567``, ``11 Maret 2019``."""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd

MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)


def format_date_id(value: date | datetime | None) -> str:
    """``date(2019, 3, 11)`` -> ``'11 Maret 2019'``; empty string for a missing date."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value.day} {MONTHS_ID[value.month - 1]} {value.year}"


def format_number_id(value: float | int | None, decimals: int = 2) -> str:
    """``1234567.891`` -> ``'1.234.567,89'``: dot for thousands, comma for decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_rupiah(value: float | int | None) -> str:
    """``1234567`` -> ``'Rp 1.234.567'`` (rounded to whole rupiah)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "-" if value < 0 else ""
    return f"{sign}Rp {format_number_id(abs(value), 0)}"


def number_text(value, decimals: int = 2) -> str:
    """``format_number_id`` for a table cell: ``92,95``, and ``–`` when the value is missing (None, NaN, NA)."""
    if value is None or pd.isna(value):
        return "–"
    return format_number_id(value, decimals)


# C0 and C1 controls except tab, line feed and carriage return (which text cells may carry and
# whitespace folding removes), DEL, and the Unicode direction overrides and isolates. The
# importer strips them (with a warning); exports strip them too, for data stored before that.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def strip_control_characters(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def names_listed(names: list[str], noun: str, *, most: int = 12, shown: int = 10) -> str:
    """``A, B, dan C``; more than ``most`` names are cut to the first ``shown`` and counted: ``A, B, dan 540 unit
    lainnya`` (a national list of units in one sentence would name 552 of them)."""
    if len(names) > most:
        names = [*names[:shown], f"{format_number_id(len(names) - shown, 0)} {noun} lainnya"]
    if len(names) <= 2:
        return " dan ".join(names)
    return ", ".join(names[:-1]) + ", dan " + names[-1]
