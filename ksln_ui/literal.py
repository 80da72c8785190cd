"""Data shown as text, never as Markdown or HTML: one helper for every value from a file or a user.

Streamlit renders Markdown in titles, captions, alerts and ``st.table`` cells, so a title
``![x](http://evil.example/p.png)`` would load a picture from outside, a link would become
clickable and ``{{7*7}}`` would lose its stars. ``literal`` backslash-escapes every character
Markdown (and Streamlit's ``:color[…]`` / ``:material/…:`` directives) give a meaning to.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

# Inline syntax anywhere in a line: links and images (no "[" and "]", so "(…)" stays plain text),
# emphasis, code, HTML, tables, maths, directives.
_INLINE_SPECIAL = re.compile(r"([\\`*_{}\[\]<>!|~$&])")
# Block syntax only counts at the start of a line: headings, lists, quotes, rules.
_BLOCK_START = re.compile(r"^(\d+)([.)])|^([#+\-=>])")
_AUTOLINK = re.compile(r"(?i)(https?|ftp|www|mailto)([:.])")
_DIRECTIVE_COLON = re.compile(r":(?=[A-Za-z])")


def literal(value) -> str:
    """``value`` as Markdown that shows it literally; ``None``/NaN as an empty string."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    text = value if isinstance(value, str) else str(value)
    return _escaped(text) if len(text) <= CACHED_LENGTH else _escape(text)


def _escape(value: str) -> str:
    # Line breaks would start new Markdown blocks; shown data is one line.
    text = _INLINE_SPECIAL.sub(r"\\\1", " ".join(value.split()))
    # Streamlit's Markdown (GFM) turns bare URLs and e-mail addresses in the *decoded* text into
    # links, whatever the escapes; an invisible word joiner (U+2060) breaks the pattern.
    text = _AUTOLINK.sub("\\1\u2060\\2", text).replace("@", "@\u2060")
    # ":material/icon:", ":smile:" and ":red[…]" are Streamlit directives: a colon before a letter is escaped.
    text = _DIRECTIVE_COLON.sub(r"\\:", text)
    return _BLOCK_START.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text)


# Every session shows the same titles, names and reasons: each short text is escaped once per process
# (cell by cell for every session and run, the escaping was a good part of the server's time under load).
# Bounded: at most this many texts of at most CACHED_LENGTH characters.
CACHED_TEXTS, CACHED_LENGTH = 1 << 14, 400
_escaped = lru_cache(maxsize=CACHED_TEXTS)(_escape)


def literal_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``st.table`` with its text cells and headers escaped; numbers stay numbers."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(lambda v: literal(v) if isinstance(v, str) else v)
    out.columns = [literal(c) if isinstance(c, str) else c for c in out.columns]
    return out
