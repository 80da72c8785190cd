"""The list of raised flags as the Peringatan page shows it: which year a flag belongs to, filters, chip colours."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ksln_metrics.engine.rules import FLAG_BY_CODE, FLAG_CODES
from ksln_metrics.present.palette import FLAG_COLORS, NEUTRAL

DARK_TEXT, LIGHT_TEXT = "#000000", "#FFFFFF"


def with_flag_year(flags: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """Add ``tahun``: the fiscal year of a report flag, else the agreement's signing year (empty when unsigned).

    A report flag is about one fiscal year; every other flag is about the agreement, whose
    year is the year it was signed.
    """
    signed = agreements.set_index("id_perjanjian")["tanggal_ttd"]
    signing_year = flags["id_perjanjian"].map(pd.to_datetime(signed).dt.year)
    frame = flags.copy()
    frame["tahun"] = frame["year"].astype("Int64").fillna(signing_year.astype("Int64"))
    return frame


def filter_flags(flags: pd.DataFrame, codes: Iterable[str] | None = None,
                 years: Iterable[int] | None = None) -> pd.DataFrame:
    """Rows whose code is in ``codes`` and whose ``tahun`` is in ``years``; None or empty means no restriction."""
    mask = pd.Series(True, index=flags.index)
    codes = list(codes or [])
    years = list(years or [])
    if codes:
        mask &= flags["code"].isin(codes)
    if years:
        mask &= flags["tahun"].isin(years)
    return flags[mask].reset_index(drop=True)


def valid_codes(codes: Iterable[str] | None) -> list[str]:
    """Known flag codes of ``codes`` in definition order (a stale link must not break the page)."""
    wanted = set(codes or [])
    return [code for code in FLAG_CODES if code in wanted]


def flag_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Rows per flag code, in definition order, with label and colour; codes without rows left out."""
    counts = flags["code"].value_counts()
    rows = [
        {"code": code, "label": FLAG_BY_CODE[code].label, "jumlah": int(counts[code]), "warna": FLAG_COLORS[code]}
        for code in FLAG_CODES if code in counts
    ]
    return pd.DataFrame(rows, columns=["code", "label", "jumlah", "warna"])


def readable_text_color(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#RRGGBB), by WCAG relative luminance."""
    red, green, blue = (int(background[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
    # Contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05): equal at L ≈ 0.179.
    return DARK_TEXT if luminance > 0.179 else LIGHT_TEXT


def chip_style(code: str) -> str:
    """CSS for a table cell showing the flag ``code`` as a coloured chip (for pandas Styler)."""
    color = FLAG_COLORS.get(code, NEUTRAL)
    return f"background-color: {color}; color: {readable_text_color(color)}; font-weight: 600"


def chip_styles_by_label() -> dict[str, str]:
    """Chip CSS keyed by the Indonesian label, for a column that shows labels."""
    return {FLAG_BY_CODE[code].label: chip_style(code) for code in FLAG_CODES}
