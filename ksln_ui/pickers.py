"""Search-first pickers: a selectbox offers at most PICKER_LIMIT options, a search box or filter narrows the rest.

A national list offered all its 20,000 agreements (or 41,000 proposals), megabytes sent to the browser on every
visit; the pages that pick one item of a long list share the limit and the caption that says how to narrow it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import streamlit as st

from ksln_metrics.formatting import format_number_id

PICKER_LIMIT = 100

T = TypeVar("T")


def capped(options: Sequence[T], chosen: T | None) -> list[T]:
    """The first PICKER_LIMIT options, with ``chosen`` in front when it lies beyond them (it stays open)."""
    head = list(options[:PICKER_LIMIT])
    return [chosen, *head] if chosen in options[PICKER_LIMIT:] else head


def limit_caption(total: int, noun: str, where: str, hint: str) -> None:
    """Say that the picker holds the first PICKER_LIMIT of ``total`` ``noun`` ``where`` and ``hint`` how to reach
    the rest; nothing when all fit."""
    if total > PICKER_LIMIT:
        st.caption(f"Pilihan memuat {format_number_id(PICKER_LIMIT, 0)} {noun} pertama dari "
                   f"{format_number_id(total, 0)} {where}: {hint}")
