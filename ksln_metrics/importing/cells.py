"""Cell values as kab/kota staff write them -> canonical values.

Each ``parse_<kind>`` takes one raw cell (str, number, date from Excel) and returns the
canonical value or raises :class:`CellError` whose message says, in Bahasa Indonesia,
what was expected. ``parse_series`` applies them to a whole column quickly: vectorised
fast paths for the common cases, and the scalar parser once per distinct value.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ksln_metrics import reference as ref
from ksln_metrics.reference import BOOL, CODED, COUNTRY, DATE, MONEY, NUMBER, REGION, TEXT, YEAR, Column


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


EMPTY_MARKERS = {"", "-", "--", "—", "–", "n/a", "na", "nan", "none", "null"}


def is_empty(value) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, str) and value.strip().lower() in EMPTY_MARKERS


# --- dates --------------------------------------------------------------------------

MONTHS = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "february": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nop": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}
_WEEKDAYS = r"(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_DATE_WORDS = re.compile(rf"^(?:{_WEEKDAYS},?\s+)?(\d{{1,2}})\s+([a-z']+)\.?\s+(\d{{4}})$")
_DATE_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})$")
# A time after the date is ignored: Excel date-time cells reach the parser as "2019-03-11 10:30:00".
_DATE_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
EXCEL_EPOCH = date(1899, 12, 30)
# The plausible years of dates and fiscal years; data/aturan.toml [impor] overrides them.
MIN_YEAR, MAX_YEAR = 1945, 2100
DEFAULT_YEARS = (MIN_YEAR, MAX_YEAR)
DATE_EXPECTED = "tanggal seperti 11 Maret 2019, 11/03/2019, 11-03-2019 atau 2019-03-11"


def _checked_year(year: int, years: tuple[int, int]) -> int:
    if not years[0] <= year <= years[1]:
        raise CellError(f"tahun {year:04d} di luar rentang wajar ({years[0]}–{years[1]})")
    return year


def _checked_date(year: int, month: int, day: int, years: tuple[int, int] = DEFAULT_YEARS) -> date:
    _checked_year(year, years)
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"tanggal {day}-{month}-{year:04d} tidak ada di kalender") from None


def parse_date(value, years: tuple[int, int] = DEFAULT_YEARS) -> date:
    """A date as written; a four-digit year is taken as written (0099 is 99, not 2099)."""
    if isinstance(value, datetime):
        return _checked_date(value.year, value.month, value.day, years)
    if isinstance(value, date):
        return _checked_date(value.year, value.month, value.day, years)
    if isinstance(value, bool):
        raise CellError(f"diharapkan {DATE_EXPECTED}")
    if isinstance(value, (int, float)):
        return _date_from_serial(float(value), years)
    text = " ".join(str(value).strip().lower().split())
    if m := _DATE_WORDS.match(text):
        month = MONTHS.get(m.group(2).rstrip("."))
        if month is None:
            raise CellError(f"nama bulan '{m.group(2)}' tidak dikenal; diharapkan {DATE_EXPECTED}")
        return _checked_date(int(m.group(3)), month, int(m.group(1)), years)
    if m := _DATE_YMD.match(text):
        return _checked_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), years)
    if m := _DATE_DMY.match(text):
        year = int(m.group(3))
        if len(m.group(3)) == 2:  # "11/03/19": two digits mean this century; four are taken as written
            year += 2000
        return _checked_date(year, int(m.group(2)), int(m.group(1)), years)
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        return _date_from_serial(float(text), years)
    raise CellError(f"diharapkan {DATE_EXPECTED}")


def _date_from_serial(serial: float, years: tuple[int, int] = DEFAULT_YEARS) -> date:
    low = (date(years[0], 1, 1) - EXCEL_EPOCH).days
    high = (date(years[1], 12, 31) - EXCEL_EPOCH).days
    if not (low <= serial <= high) or serial != int(serial):
        raise CellError(f"angka {serial:g} bukan tanggal; diharapkan {DATE_EXPECTED}")
    return EXCEL_EPOCH + timedelta(days=int(serial))


# --- money and numbers ----------------------------------------------------------------

_CURRENCY = re.compile(r"^\s*(?:rp\.?|idr)\s*", re.IGNORECASE)
_TRAILING = re.compile(r"(?:,-|\.-|,00-|-)\s*$")
_DOTS_THOUSANDS = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_COMMAS_THOUSANDS = re.compile(r"^-?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")
MONEY_EXPECTED = "jumlah rupiah seperti Rp 150.000.000,00 atau 150000000"
MONEY_MAX = 10**16  # exclusive: the store keeps DECIMAL(18,2)
MONEY_TOO_LARGE = "jumlah rupiah terlalu besar (paling banyak Rp 9.999.999.999.999.999,99)"
NUMBER_EXPECTED = "angka seperti 1.234,5 atau 75"


def _number_text(text: str) -> float | None:
    """Indonesian (1.234.567,89) or plain (1234567.89) number text -> float."""
    t = text.replace(" ", "").replace("\u00a0", "")
    if _DOTS_THOUSANDS.match(t):
        # "1.500" is fifteen hundred in Indonesian writing, never one and a half.
        return float(t.replace(".", "").replace(",", "."))
    if _COMMAS_THOUSANDS.match(t):
        return float(t.replace(",", ""))
    if _DECIMAL_COMMA.match(t):
        return float(t.replace(",", "."))
    if _PLAIN.match(t):
        return float(t)
    return None


def parse_money(value) -> float:
    if isinstance(value, bool):
        raise CellError(f"diharapkan {MONEY_EXPECTED}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = _TRAILING.sub("", _CURRENCY.sub("", str(value).strip()))
        number = _number_text(text)
        if number is None:
            raise CellError(f"diharapkan {MONEY_EXPECTED}")
    if math.isnan(number) or math.isinf(number):
        raise CellError(f"diharapkan {MONEY_EXPECTED}")
    if number < 0:
        raise CellError("jumlah rupiah tidak boleh negatif")
    if round(number, 2) >= MONEY_MAX:
        raise CellError(MONEY_TOO_LARGE)
    return round(number, 2)


def parse_number(value) -> float:
    if isinstance(value, bool):
        raise CellError(f"diharapkan {NUMBER_EXPECTED}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        number = _number_text(str(value).strip().rstrip("%").strip())
        if number is None:
            raise CellError(f"diharapkan {NUMBER_EXPECTED}")
    if math.isnan(number) or math.isinf(number):
        raise CellError(f"diharapkan {NUMBER_EXPECTED}")
    return number


def parse_year(value, years: tuple[int, int] = DEFAULT_YEARS) -> int:
    if isinstance(value, (datetime, date)):
        return _checked_year(value.year, years)
    text = str(value).strip()
    text = re.sub(r"^(?:ta|t\.a\.?|tahun|tahun anggaran)\s*", "", text, flags=re.IGNORECASE)
    if isinstance(value, float) and value == int(value):
        text = str(int(value))
    if not re.fullmatch(r"\d{4}(?:\.0+)?", text):
        raise CellError("diharapkan tahun empat angka, mis. 2024")
    return _checked_year(int(float(text)), years)


# --- booleans -------------------------------------------------------------------------

TRUE_WORDS = {"ya", "y", "iya", "ada", "sudah", "sudah ada", "telah", "yes", "true", "benar", "1", "✓", "✔", "√", "☑", "v"}
FALSE_WORDS = {"tidak", "t", "tdk", "tidak ada", "belum", "belum ada", "no", "false", "salah", "0", "✗", "✘", "☐"}
BOOL_EXPECTED = "Ya/Tidak, Ada/Tidak ada atau ✓"


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = " ".join(str(value).strip().lower().split())
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"diharapkan {BOOL_EXPECTED}")


# --- regions and countries ----------------------------------------------------------------

_LEADING_CODE = re.compile(r"^\s*(\d{2}(?:[.\s]?\d{2})?)\s*[-–:.)]?\s*(.*)$")


def _in_scope(code: str) -> str:
    if problem := ref.outside_scope(code):
        raise CellError(problem)
    return code


def _ambiguous_message(text: str, codes: tuple[str, ...]) -> str:
    options = [f"{ref.region_name(c)} ({c})" for c in codes]
    listed = ", ".join(options[:-1]) + f" atau {options[-1]}"
    shorts = " atau ".join(f"'{ref.area(c).short}'" for c in codes)
    return f"'{text}' ambigu: {listed}? Tulis {shorts}, atau kodenya"


def parse_region(value) -> str:
    """Kab/kota name or Kemendagri code (or both, '36.74 Kota Tangerang Selatan') -> code of the scope.

    A code or name of another province is refused with a message naming that province; a bare name two
    units of the scope share (Tangerang, Bekasi...) is refused as ambiguous unless a code says which.
    """
    if isinstance(value, float):
        value = f"{value:.2f}" if value < 100 else f"{value:.0f}"
    text = str(value).strip()
    code_only = ref.region_code_from_code(text)
    if code_only:
        return _in_scope(code_only)
    name_text = text
    code = None
    if m := _LEADING_CODE.match(text):
        code = ref.region_code_from_code(m.group(1))
        if code:
            name_text = m.group(2)
            _in_scope(code)
    name = ref.normalize_text(name_text)
    ambiguous = ref.ambiguous_region_names().get(name)
    if ambiguous is not None:
        if code in ambiguous:
            return code
        if code is None:
            raise CellError(_ambiguous_message(text, ambiguous))
        raise CellError(f"kode {code} ({ref.region_name(code)}) bertentangan dengan nama '{name_text.strip()}' "
                        f"({' atau '.join(ref.region_name(c) for c in ambiguous)})")
    from_name = ref.region_aliases().get(name)
    if from_name is None:
        if code and not name:
            return code
        foreign = ref.national_region_aliases().get(name)
        if foreign is not None and code is None:
            here = ref.scope()
            raise CellError(f"'{text}' adalah {ref.region_name(foreign)} ({foreign}) di "
                            f"{ref.region_name(ref.province_of(foreign))}, bukan {here.title}; basis data ini hanya "
                            f"memuat unit {here.title}")
        raise CellError(
            f"kab/kota tidak dikenal; diharapkan nama atau kode Kemendagri unit {ref.scope().title}, "
            f"mis. {ref.region_examples()}"
        )
    if code and code != from_name:
        raise CellError(
            f"kode {code} ({ref.region_name(code)}) bertentangan dengan nama {ref.region_name(from_name)} ({from_name})"
        )
    return from_name


_COUNTRY_PREFIXES = re.compile(r"^(?:negara|republik|kerajaan|republic of|kingdom of|the)\s+")


def parse_country(value) -> str:
    text = ref.normalize_text(value)
    aliases = ref.country_aliases()
    if text in aliases:
        return aliases[text]
    stripped = _COUNTRY_PREFIXES.sub("", text)
    if stripped in aliases:
        return aliases[stripped]
    raise CellError(
        "negara tidak dikenal; tulis nama negara dalam bahasa Indonesia atau Inggris atau kode ISO, "
        "mis. Jepang, Korea Selatan, Tiongkok, JPN"
    )


def parse_coded(column: Column, value) -> str:
    text = ref.normalize_text(value)
    lookup = {ref.normalize_text(choice): choice for choice in column.choices}
    lookup.update(column.aliases)
    if text in lookup:
        return lookup[text]
    # "Penandatanganan MoU dengan Gyeonggi" -> penandatanganan: the longest known prefix wins.
    prefixes = sorted((k for k in lookup if text.startswith(k + " ")), key=len, reverse=True)
    if prefixes:
        return lookup[prefixes[0]]
    raise CellError(f"diharapkan salah satu dari: {', '.join(column.choices)}")


def parse_text(value) -> str:
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return " ".join(str(value).split())


SCALAR_PARSERS = {
    DATE: parse_date,
    MONEY: parse_money,
    NUMBER: parse_number,
    YEAR: parse_year,
    BOOL: parse_bool,
    REGION: parse_region,
    COUNTRY: parse_country,
    TEXT: parse_text,
}


# --- whole columns ----------------------------------------------------------------------

def is_text_column(raw: pd.Series) -> bool:
    """True for a column of text as the readers give it (Arrow-backed strings, missing as NA)."""
    return isinstance(raw.dtype, pd.StringDtype)


_LONGEST_MARKER = max(len(m) for m in EMPTY_MARKERS)
_LONGEST_MARKER_BYTES = max(len(m.encode()) for m in EMPTY_MARKERS)
_MARKER_SET = pa.array(sorted(EMPTY_MARKERS), type=pa.string())


# --- screening the UTF-8 bytes of a text column -----------------------------------------------
# A few numpy passes over an Arrow column's bytes say for certain that no cell holds a character
# (a control character, white space other than a single inner space); only a column they cannot
# clear is searched with a regular expression, which finds the same cells as without the screen.

def _byte_table(ascii_bytes: str, others: range | tuple = ()) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[[ord(c) for c in ascii_bytes]] = True
    table[list(others)] = True
    return table


# Bytes a white-space character of _WHITESPACE can start with: ASCII ones, and the lead bytes of
# U+0085/U+00A0 (C2), U+1680 (E1), U+2000-U+205F (E2), U+3000 (E3); any non-ASCII byte is let through.
_ASCII_WHITESPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f "
_MAY_START_WHITESPACE = _byte_table(_ASCII_WHITESPACE, range(0x80, 0x100))
_MAY_END_WHITESPACE = _MAY_START_WHITESPACE  # the last byte of a non-ASCII character is >= 0x80 too
_MAY_BE_OTHER_WHITESPACE = _byte_table(_ASCII_WHITESPACE.replace(" ", ""), (0xC2, 0xE1, 0xE2, 0xE3))
# CONTROL_CHARACTERS: ASCII controls but tab, LF, CR; U+007F; U+0080-U+009F (C2 ..); the direction marks
# U+200E-U+2069 (E2 ..); U+FFFE and U+FFFF (EF ..).
_MAY_BE_CONTROL = _byte_table("".join(chr(b) for b in (*range(0, 9), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)),
                              (0xC2, 0xE2, 0xEF))


def _utf8(values: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """(offsets, bytes) of an Arrow string column, without a copy; None for another layout."""
    if pa.types.is_large_string(values.type):
        width = np.int64
    elif pa.types.is_string(values.type):
        width = np.int32
    else:
        return None
    _, offsets, data = values.buffers()
    offsets = np.frombuffer(offsets, dtype=width)[values.offset:values.offset + len(values) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data[offsets[0]:offsets[-1]] if len(offsets) else data[:0]


def _may_be_padded(values: pa.Array) -> np.ndarray | None:
    """Per cell: False where it certainly neither starts nor ends with white space; None if unknown."""
    found = _utf8(values)
    if found is None:
        return None
    offsets, data = found
    starts = (offsets[:-1] - offsets[0]).astype(np.int64)
    lengths = np.diff(offsets).astype(np.int64)
    filled = lengths > 0
    maybe = np.zeros(len(values), dtype=bool)
    if filled.any():
        maybe[filled] = (_MAY_START_WHITESPACE[data[starts[filled]]]
                         | _MAY_END_WHITESPACE[data[starts[filled] + lengths[filled] - 1]])
    return maybe


def _printable_ascii(data: np.ndarray) -> bool:
    """True when every byte is printable ASCII (space to tilde): no control character, no white space but spaces.

    Two vectorised reductions, far cheaper than a byte table lookup: the table is consulted only for
    columns that hold other bytes (accented letters, dashes, line breaks).
    """
    return not len(data) or bool(data.min() >= 0x20 and data.max() <= 0x7E)


def may_hold_control_characters(values: pa.Array) -> bool:
    """False when no cell of a text column can hold a character of CONTROL_CHARACTERS."""
    found = _utf8(values)
    return found is None or (not _printable_ascii(found[1]) and bool(_MAY_BE_CONTROL[found[1]].any()))


def _may_be_untidy(values: pa.Array) -> bool:
    """False when no cell of a text column has white space at an end, two in a row, or other than a space."""
    found = _utf8(values)
    if found is None:
        return True
    data = found[1]
    padded = _may_be_padded(values)
    if padded.any() or (not _printable_ascii(data) and _MAY_BE_OTHER_WHITESPACE[data].any()):
        return True
    spaces = data == 32
    return bool((spaces[1:] & spaces[:-1]).any())


def empty_mask(raw: pd.Series) -> pd.Series:
    """True where a cell is empty: missing, blank, or a dash."""
    if is_text_column(raw):
        # In Arrow, no Python call per cell: only cells short or padded with spaces can be a marker,
        # and only those are stripped and lowered.
        values = _arrow(raw)
        empty = pc.fill_null(pc.is_null(values), True).to_numpy(zero_copy_only=False).copy()
        found = _utf8(values)
        if found is None:
            padded = pc.match_substring_regex(values, _PADDED)
            maybe = pc.fill_null(pc.or_(pc.less_equal(pc.utf8_length(values), _LONGEST_MARKER), padded), False)
            maybe = maybe.to_numpy(zero_copy_only=False)
        else:
            # Byte lengths from the offsets: a cell that is a marker once lowered and not padded has the
            # marker's bytes (only ASCII capitals lower to a marker's letters), so no count of characters.
            maybe = ((np.diff(found[0]) <= _LONGEST_MARKER_BYTES) | _may_be_padded(values)) & ~empty
        where = np.flatnonzero(maybe)
        if len(where):
            short = pc.utf8_lower(pc.utf8_trim_whitespace(values.take(pa.array(where))))
            empty[where] |= pc.fill_null(pc.is_in(short, value_set=_MARKER_SET), False).to_numpy(zero_copy_only=False)
        return pd.Series(empty, index=raw.index)
    values = raw.to_numpy(dtype=object)
    missing = pd.isna(values)
    markers = EMPTY_MARKERS
    blank = [type(v) is str and v.strip().lower() in markers for v in values]
    return pd.Series(missing | np.array(blank, dtype=bool), index=raw.index)


# The characters ``str.split()`` splits on, as one character class that Arrow's RE2 and Python's re
# both read the same way: ``parse_text`` over a whole text column in one regular-expression pass.
_WHITESPACE = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_WHITESPACE_CLASS = "[" + _WHITESPACE + "]"
_WHITESPACE_RUNS = _WHITESPACE_CLASS + "+"
_WHITESPACE_ENDS = f"^{_WHITESPACE_CLASS}+|{_WHITESPACE_CLASS}+$"


_OTHER_WHITESPACE = "[" + _WHITESPACE.replace(" ", "") + "]"
_PADDED = f"^{_WHITESPACE_CLASS}|{_WHITESPACE_CLASS}$"
_UNTIDY = f"^{_WHITESPACE_CLASS}|{_WHITESPACE_CLASS}$|{_WHITESPACE_CLASS}{{2}}|{_OTHER_WHITESPACE}"


def normalize_spaces(texts: pd.Series) -> pd.Series:
    """``parse_text`` of every cell of a text column: runs of white space as one space, none at the ends.

    One search finds the few cells that need it; only those are rewritten.
    """
    if is_text_column(texts) and not _may_be_untidy(_arrow(texts)):
        return texts
    untidy = texts.str.contains(_UNTIDY, regex=True).fillna(False).to_numpy(dtype=bool)
    if not untidy.any():
        return texts
    tidy = texts.copy()
    fixed = texts[untidy].str.replace(_WHITESPACE_RUNS, " ", regex=True).str.replace(_WHITESPACE_ENDS, "", regex=True)
    tidy[untidy] = fixed
    return tidy


def _numeric_fast_path(raw: pd.Series, kind: str) -> pd.Series:
    """Numbers (Excel cells) and number text converted without a Python call per cell.

    Text goes through the same patterns as ``_number_text``, vectorised; NaN where a
    cell is none of them, so the scalar parser can explain it.
    """
    if is_text_column(raw):
        return pd.Series(_numeric_text_fast_path(_arrow(raw), kind), index=raw.index)
    out = pd.Series(np.nan, index=raw.index, dtype="float64")
    is_number = raw.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).astype(bool)
    if is_number.any():
        out[is_number] = raw[is_number].astype("float64")
    strings = raw[~is_number].astype(str)
    if strings.empty:
        return out
    t = strings.str.strip()
    if kind == MONEY:
        t = t.str.replace(_CURRENCY, "", regex=True).str.replace(_TRAILING, "", regex=True)
    else:
        t = t.str.rstrip("%")
    t = t.str.replace(r"[\s\u00a0]", "", regex=True)
    dots = t.str.fullmatch(_DOTS_THOUSANDS.pattern)
    commas = t.str.fullmatch(_COMMAS_THOUSANDS.pattern) & ~dots
    decimal_comma = t.str.fullmatch(_DECIMAL_COMMA.pattern)
    plain = t.str.fullmatch(_PLAIN.pattern) & ~dots
    normal = t.where(~dots, t.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    normal = normal.where(~commas, t.str.replace(",", "", regex=False))
    normal = normal.where(~decimal_comma, t.str.replace(",", ".", regex=False))
    known = (dots | commas | decimal_comma | plain).fillna(False).astype(bool)
    out[known[known].index] = pd.to_numeric(normal[known], errors="coerce")
    return out


def _arrow(texts: pd.Series) -> pa.Array:
    """The Arrow strings behind a text column (no copy)."""
    values = pa.array(texts.array)
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


arrow_strings = _arrow


# The patterns of _number_text for Arrow's RE2: digits as [0-9] (Python's \d also takes other
# scripts' digits; those cells fall to the scalar parser, which reads them as before).
_WS = "[" + _WHITESPACE + "]"
_CURRENCY_RE2 = f"(?i)^(?:rp\\.?|idr){_WS}*"
_TRAILING_RE2 = f"(?:,-|\\.-|,00-|-){_WS}*$"
_DOTS_RE2 = r"^-?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?$"
_COMMAS_RE2 = r"^-?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$"
_DECIMAL_COMMA_RE2 = r"^-?[0-9]+,[0-9]+$"
_PLAIN_RE2 = r"^-?[0-9]+(?:\.[0-9]+)?$"


def _numeric_text_fast_path(t: pa.Array, kind: str) -> np.ndarray:
    """``_numeric_fast_path`` of text, in Arrow compute: float64, NaN where no pattern fits."""
    t = pc.utf8_trim_whitespace(t)
    if kind == MONEY:
        t = pc.replace_substring_regex(pc.replace_substring_regex(t, _CURRENCY_RE2, ""), _TRAILING_RE2, "")
    else:
        t = pc.utf8_trim_whitespace(pc.utf8_rtrim(t, "%"))
    t = pc.replace_substring_regex(t, _WS, "")
    dots = pc.match_substring_regex(t, _DOTS_RE2)
    commas = pc.and_(pc.match_substring_regex(t, _COMMAS_RE2), pc.invert(dots))
    decimal_comma = pc.match_substring_regex(t, _DECIMAL_COMMA_RE2)
    plain = pc.and_(pc.match_substring_regex(t, _PLAIN_RE2), pc.invert(dots))
    normal = pc.if_else(dots, pc.replace_substring(pc.replace_substring(t, ".", ""), ",", "."), t)
    normal = pc.if_else(commas, pc.replace_substring(t, ",", ""), normal)
    normal = pc.if_else(decimal_comma, pc.replace_substring(t, ",", "."), normal)
    known = pc.fill_null(pc.or_(pc.or_(dots, commas), pc.or_(decimal_comma, plain)), False)
    numbers = pc.cast(pc.if_else(known, normal, pa.scalar(None, pa.string())), pa.float64())
    return numbers.to_numpy(zero_copy_only=False)


# Each shape with where its year, month and day digits lie.
_DATE_FAST_FORMATS = ((r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?: 00:00:00)?$", (0, 5, 8)), (r"^[0-9]{2}/[0-9]{2}/[0-9]{4}$", (6, 3, 0)))


def _date_fast_path(texts: pd.Series, years: tuple[int, int]) -> np.ndarray:
    """Dates in the two shapes that fill whole columns (Excel's ``2019-03-11 00:00:00``, ``11/03/2019``) at once.

    NaT where a value has another shape, is no calendar date or lies outside ``years``: those go
    to :func:`parse_date`, which says why.
    """
    out = np.full(len(texts), np.datetime64("NaT"), dtype="datetime64[s]")
    t = pc.utf8_trim_whitespace(_arrow(texts))
    for pattern, (year_at, month_at, day_at) in _DATE_FAST_FORMATS:
        hit = pc.fill_null(pc.match_substring_regex(t, pattern), False).to_numpy(zero_copy_only=False)
        if hit.any():
            # The digits themselves (ASCII, at fixed places after the pattern), read from the UTF-8 bytes.
            shown = t.filter(pa.array(hit))
            offsets, data = _utf8(shown if pa.types.is_large_string(shown.type) else shown.cast(pa.large_string()))
            start = (offsets[:-1] - offsets[0]).astype(np.int64)

            def number(at: int, width: int, start=start, data=data) -> np.ndarray:
                value = np.zeros(len(start), dtype=np.int64)
                for k in range(width):
                    value = value * 10 + (data[start + at + k].astype(np.int64) - 48)
                return value

            year, month, day = number(year_at, 4), number(month_at, 2), number(day_at, 2)
            # A calendar date: month 1-12 and a day of that month (31/02 is none).
            months = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
            first = months.astype("datetime64[D]")
            length = ((months + 1).astype("datetime64[D]") - first).astype(np.int64)
            valid = (month >= 1) & (month <= 12) & (day >= 1) & (day <= length)
            found = np.where(valid, first + np.maximum(day - 1, 0), np.datetime64("NaT"))
            out[hit] = found.astype("datetime64[s]")
    year = out.astype("datetime64[Y]").astype("int64", copy=False) + 1970
    out[np.isnat(out) | (year < years[0]) | (year > years[1])] = np.datetime64("NaT")
    return out


def _parse_distinct_text(column: Column, distinct: pd.Series, years: tuple[int, int]) -> tuple[pd.Series, np.ndarray]:
    """:func:`_parse_distinct` of distinct text values: whole-column fast paths, the scalar parser for the rest."""
    if column.kind not in (MONEY, NUMBER, DATE):
        parsed, messages = _parse_distinct(column, distinct.astype(object), years)
        return pd.Series(_typed(column.kind, parsed)), messages.to_numpy(dtype=object)
    errors = np.full(len(distinct), None, dtype=object)
    if column.kind == DATE:
        values = _date_fast_path(distinct, years)
        rest = np.flatnonzero(np.isnat(values))
        parser = lambda v: parse_date(v, years)  # noqa: E731
    else:
        values = _numeric_fast_path(distinct, column.kind).to_numpy(dtype="float64", copy=True)
        ok = np.isfinite(values)
        if column.kind == MONEY:
            values = np.round(values, 2)
            ok &= (values >= 0) & (values < MONEY_MAX)
        values[~ok] = np.nan
        rest = np.flatnonzero(~ok)
        parser = SCALAR_PARSERS[column.kind]
    for i, cell in zip(rest, distinct.iloc[rest].to_numpy(dtype=object), strict=True):
        try:
            parsed = parser(cell)
        except CellError as exc:
            errors[i] = str(exc)
            continue
        values[i] = np.datetime64(parsed, "s") if column.kind == DATE else parsed
    return pd.Series(values), errors


def parse_series(column: Column, raw: pd.Series, empty: pd.Series | None = None,
                 years: tuple[int, int] = DEFAULT_YEARS, *, text_as_arrow: bool = False) -> tuple[pd.Series, pd.Series]:
    """A whole column -> (canonical values, error messages) aligned on ``raw``'s index.

    Values are None/NA where the cell is empty or invalid; messages are None where valid.
    Each distinct cell value is parsed once: a column of 100,000 activities holds a few
    thousand dates and amounts. Free text is normalised over the whole column at once;
    ``text_as_arrow`` keeps it in Arrow (a string column, NA where empty) instead of one
    Python ``str`` per cell.
    """
    empty = empty_mask(raw) if empty is None else empty
    if is_text_column(raw):
        return _parse_text_column(column, raw, empty.to_numpy(dtype=bool), years, text_as_arrow)
    values = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    errors = pd.Series([None] * len(raw), index=raw.index, dtype=object)
    todo = raw[~empty]
    if todo.empty:
        return _typed(column.kind, values), errors
    cells = todo.to_numpy(dtype=object)
    # True == 1 == 1.0 for hashing: tag values by type only when booleans are present.
    keyed = any(type(v) is bool for v in cells)
    keys = np.empty(len(cells), dtype=object)
    keys[:] = [_hashable(v) for v in cells] if keyed else list(cells)
    codes, uniques = pd.factorize(keys)
    distinct = pd.Series([_unhash(k) for k in uniques] if keyed else list(uniques), dtype=object)
    parsed, messages = _parse_distinct(column, distinct, years)
    values[todo.index] = parsed.to_numpy(dtype=object)[codes]
    errors[todo.index] = messages.to_numpy(dtype=object)[codes]
    return _typed(column.kind, values), errors.where(errors.notna(), None)


def _parse_text_column(column: Column, raw: pd.Series, empty: np.ndarray,
                       years: tuple[int, int], text_as_arrow: bool = False) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_series` of a text column: distinct values parsed once, then spread by position.

    Only the distinct values ever become Python objects; the result is built with numpy takes.
    """
    n = len(raw)
    errors = np.full(n, None, dtype=object)
    todo = np.flatnonzero(~empty)
    if column.kind == TEXT and text_as_arrow:  # every cell normalised (per cell: the same on the kept ones)
        return normalize_spaces(raw).where(~empty), pd.Series(errors, index=raw.index, dtype=object)
    if column.kind == TEXT:
        values = np.full(n, None, dtype=object)
        if len(todo):
            values[todo] = normalize_spaces(raw.iloc[todo]).to_numpy(dtype=object)
        return pd.Series(values, index=raw.index, dtype=object), pd.Series(errors, index=raw.index, dtype=object)
    filled = raw if len(todo) == n else raw.iloc[todo]  # no copy of a column without empty cells
    codes, uniques = pd.factorize(filled) if len(todo) else (np.empty(0, dtype=np.intp), raw.iloc[:0])
    typed, messages = _parse_distinct_text(column, pd.Series(uniques, dtype=raw.dtype), years)
    positions = np.full(n, -1, dtype=np.intp)  # -1: empty, filled with NA by the take below
    positions[todo] = codes
    if typed.dtype == object:  # text values stay Python objects, None where empty (as parse_series gives)
        spread = np.full(n, None, dtype=object)
        spread[todo] = typed.to_numpy(dtype=object)[codes]
        out = pd.Series(spread, index=raw.index, dtype=object)
    else:
        out = pd.Series(pd.api.extensions.take(typed.array, positions, allow_fill=True), index=raw.index)
    if len(todo) and not pd.isna(messages).all():  # the distinct values' messages, spread by position
        errors[todo] = messages[codes]
    return out, pd.Series(errors, index=raw.index, dtype=object)


def _parse_distinct(column: Column, todo: pd.Series, years: tuple[int, int]) -> tuple[pd.Series, pd.Series]:
    values: list = [None] * len(todo)
    errors: list = [None] * len(todo)
    rest = range(len(todo))
    if column.kind in (MONEY, NUMBER):
        fast = _numeric_fast_path(todo, column.kind)
        ok = fast.notna() & np.isfinite(fast)
        if column.kind == MONEY:
            fast = fast.round(2)
            ok &= (fast >= 0) & (fast < MONEY_MAX)
        ok_flags = ok.to_numpy()
        for i, number in enumerate(fast.to_numpy()):
            if ok_flags[i]:
                values[i] = float(number)
        rest = [i for i in rest if not ok_flags[i]]
    if column.kind == CODED:
        parser = lambda v: parse_coded(column, v)  # noqa: E731
    elif column.kind in (DATE, YEAR):
        parser = lambda v: SCALAR_PARSERS[column.kind](v, years)  # noqa: E731
    else:
        parser = SCALAR_PARSERS[column.kind]
    cells = todo.to_numpy(dtype=object)
    for i in rest:
        try:
            values[i] = parser(cells[i])
        except CellError as exc:
            errors[i] = str(exc)
    return pd.Series(values, dtype=object), pd.Series(errors, dtype=object)


def _hashable(value):
    return ("__date__", value) if isinstance(value, (date, datetime)) else (type(value).__name__, value)


def _unhash(key):
    return key[1]


def _typed(kind: str, values: pd.Series) -> pd.Series:
    if kind == DATE:
        return pd.to_datetime(values).astype("datetime64[s]")
    if kind in (MONEY, NUMBER):
        return pd.to_numeric(values, errors="coerce").astype("float64")
    if kind == YEAR:
        return pd.array(values.where(values.notna(), None).tolist(), dtype="Int64")
    if kind == BOOL:
        return pd.array(values.where(values.notna(), None).tolist(), dtype="boolean")
    return values.where(values.notna(), None).astype(object)
