"""Success scores and flags per agreement and per kab/kota, for a reference date.

The figures are made by the SQL files in ``ksln_metrics/engine/sql/`` (read them to see how each
number is computed). Each file produces the table of its own name and says in its
header which tables it reads; the order of the steps follows from that. This module only
runs them, passes the reference date, the settings and the reference lists as parameters,
and shapes the results.
"""

from __future__ import annotations

import re
import threading
import warnings
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ksln_metrics.clock import today
from ksln_metrics.db.migrations import LAST_BATCH_SQL
from ksln_metrics.engine.calendar import deadline_table, working_day_table
from ksln_metrics.engine.rules import FLAG_CODES, FLAGS, SIGNED_DOCUMENT_KINDS, Rules, load_rules, rule_text
from ksln_metrics.reference import (
    ACTIVE_STATUSES,
    FINISHED_STATUS,
    REGIONS,
    SIGNED_STATUSES,
    UNSIGNED_STATUSES,
    country_name,
    normalize_text,
    province_code,
    region_name,
)
from ksln_metrics.store import Store

SQL_DIR = Path(__file__).resolve().parent / "sql"

# Fiscal years further back than this from the reference date are not evaluated: a
# mistyped year (0219) must not make the engine walk twenty centuries of calendars.
MAX_YEARS_BACK = 50

# Tables a step may read besides the results of other steps: the store's own tables, and
# the two calendar tables computed in calendar.py and registered for the run.
# Tables of the store the SQL steps read (the data views, attachments, and the batch log).
STORE_TABLES = ("perjanjian", "kegiatan", "indikator", "laporan", "lampiran", "batch", "batch_count")
CALENDAR_TABLES = ("batas_laporan", "kalender_kerja")
# The step whose fiscal years the calendar tables span (read before they are registered).
CALENDAR_READS = "perjanjian_fakta"

# A step kept per data version (``-- stored: data``) reads only tables the batch write path alone
# changes (so the last batch names their version) and no parameter of the reference date or
# the filters (so that one table serves every computation of that version). It may name the
# reference year (``tahun_acuan``): it is then kept per data version and year.
DATA_TABLES = ("perjanjian", "kegiatan", "indikator", "laporan")
PER_COMPUTATION_PARAMETERS = frozenset({"as_of", "tahun_pertama", "filter_kabkota", "filter_jenis", "filter_negara",
                                        "filter_perjanjian", "daerah"})

# What one computation returns to the dashboard and the exports; the steps they need
# follow from the "reads:" lines of the SQL files.
RESULT_STEPS = ("perjanjian_skor", "bendera_daftar", "kabkota", "kabkota_bendera", "ringkasan", "perhatian",
                "peringkat_provinsi", "provinsi", "provinsi_bendera", "provinsi_perhatian")
# The agreement detail of the Perjanjian page.
DETAIL_STEPS = ("perjanjian_dokumen", "kegiatan_sifat", "indikator_capaian", "tahun_anggaran", "perjanjian_skor",
                "bendera_daftar")


@dataclass(frozen=True)
class Filters:
    """Restrict the computation to some regions, kinds of cooperation or partner countries."""

    kabkota: tuple[str, ...] | None = None
    jenis: tuple[str, ...] | None = None
    negara: tuple[str, ...] | None = None

    @classmethod
    def of(cls, kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
           negara: Iterable[str] | None = None) -> Filters:
        def tup(values):
            return None if values is None else tuple(values)

        return cls(tup(kabkota), tup(jenis), tup(negara))


@dataclass(frozen=True)
class Results:
    """The engine's figures for one reference date and filter: read by every page, slide and export."""

    agreements: pd.DataFrame  # perjanjian_skor.sql
    flags: pd.DataFrame  # bendera_daftar.sql
    regions: pd.DataFrame  # kabkota.sql with the counts of kabkota_bendera.sql, one column per flag
    summary: pd.DataFrame  # ringkasan.sql, one row
    attention: pd.DataFrame  # perhatian.sql
    # The national view: per province, the province government and its kab/kota together
    provinces: pd.DataFrame = field(default_factory=pd.DataFrame)  # provinsi.sql with provinsi_bendera.sql
    province_attention: pd.DataFrame = field(default_factory=pd.DataFrame)  # provinsi_perhatian.sql


@dataclass(frozen=True)
class Step:
    """One SQL file: the tables it reads and the table it produces (named after the file).

    ``inline``: the header says ``-- stored: inline`` (a plain filter, cheaper to read again
    than to copy), so the step is never stored: every step that reads it runs it inside itself.
    ``per_data``: the header says ``-- stored: data``: the step does not depend on the reference
    date or the filters, so its table is made once per data version (and values of the rules and
    the reference year it names) and kept for every computation after (``_kept_table``).
    ``cut``: the header says ``-- cut: <date column>`` (a step kept per data version): its rows
    are kept in the order of that column, and each computation reads only those from 1 January
    of the reference year up to the reference date.
    """

    name: str
    reads: tuple[str, ...]
    produces: str
    inline: bool = False
    per_data: bool = False
    cut: str | None = None


@cache
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_HEADER = re.compile(r"^--\s*(reads|produces|stored|cut):\s*(.+)$", re.MULTILINE)
_LEADING_WITH = re.compile(r"\A(?:\s|--[^\n]*\n)*WITH\b", re.IGNORECASE)


@cache
def _parameters_of(name: str) -> frozenset[str]:
    return frozenset(_PARAM.findall(_COMMENT.sub("", sql_text(name))))


@cache
def steps() -> dict[str, Step]:
    """Every SQL file but the macros, with what its header comment says it reads and produces."""
    found = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        if path.stem == "macros":
            continue
        header = dict(_HEADER.findall(sql_text(path.stem)))
        reads = tuple(t.strip() for t in header.get("reads", "").split(",") if t.strip())
        produces = header.get("produces", "").split(",")[0].strip()
        stored = header.get("stored", "table").split()[0]
        if stored not in ("table", "inline", "data"):
            raise ValueError(f"{path.name}: 'stored:' is 'table', 'inline' or 'data', not {stored!r}")
        cut = header["cut"].split()[0] if "cut" in header else None
        if stored == "data":
            named = _parameters_of(path.stem) & PER_COMPUTATION_PARAMETERS
            if named or not set(reads) <= set(DATA_TABLES):
                raise ValueError(f"{path.name}: a step kept per data version reads only {', '.join(DATA_TABLES)} "
                                 f"and no parameter of the computation (it names {sorted(named)}, reads {reads})")
        elif cut:
            raise ValueError(f"{path.name}: 'cut:' is for a step kept per data version ('stored: data')")
        found[path.stem] = Step(path.stem, reads, produces, inline=stored == "inline", per_data=stored == "data",
                                cut=cut)
    return found


def step_order(targets: Iterable[str]) -> list[str]:
    """The steps needed for ``targets``, each after the steps whose tables it reads."""
    known, order, seen = steps(), [], set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in path:
            raise ValueError(f"SQL steps read each other in a cycle: {' -> '.join((*path, name))}")
        for table in known[name].reads:
            if table in known:
                visit(table, (*path, name))
        seen.add(name)
        order.append(name)

    for target in targets:
        visit(target, ())
    return order


def _statement(name: str, params: dict, inlined: Iterable[str] = ()) -> tuple[str, dict]:
    """The query of one SQL file and the parameters it names.

    ``inlined``: steps it reads that are not stored; their queries run inside this one as
    common table expressions of the same names, in this order (each after those it reads).
    """
    inlined = tuple(inlined)
    sql = sql_text(name)
    if inlined:
        ctes = ",\n".join(f"{step} AS NOT MATERIALIZED (\n{sql_text(step)}\n)" for step in inlined)
        leading = _LEADING_WITH.match(sql)
        sql = f"WITH {ctes},\n{sql[leading.end():]}" if leading else f"WITH {ctes}\n{sql}"
    return sql, {k: params[k] for step in (*inlined, name) for k in _parameters_of(step)}


def _execute(cur, name: str, params: dict, into: str | None = None, inlined: Iterable[str] = ()):
    """Run one SQL file with the parameters it names, optionally into a temporary table."""
    sql, used = _statement(name, params, inlined)
    if into:
        sql = f"CREATE OR REPLACE TEMP TABLE {into} AS\n{sql}"
    return cur.execute(sql, used)


_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


def _frame(cur, sql: str, params: dict | None = None) -> pd.DataFrame:
    """The rows of a query as ``.df()`` gives them, with the text columns taken through Arrow.

    ``.df()`` makes a Python string of every text cell and pandas then copies them into its
    Arrow-backed strings; tens of thousands of flag sentences cost more than the query did.
    Text columns with a value are read from Arrow straight into that same pandas type; every
    other column (and a text column with no value, which ``.df()`` leaves as objects) still
    goes through ``.df()``, so that the types stay exactly those ``.df()`` gives.
    """
    return _frame_of_arrow(cur, _arrow(cur, sql, params))


def _arrow(cur, sql: str, params: dict | None = None) -> pa.Table:
    """The rows of one query as an Arrow table.

    Through ``execute``, not ``cur.sql()``: a relation parses and binds the query to learn its columns, then
    parses, binds and plans it again to run it, 6-30 ms a step at national scale. Taking the result's rows
    as Arrow copies them once more, and still the whole computation is about a tenth faster
    (bench/bench_indicators.py); DuckDB warns of that copy on every call, hence the filter below.
    """
    return cur.execute(sql, params or None).to_arrow_table()


# Once, for this module's calls only (a filter set around each call would race between sessions' threads).
warnings.filterwarnings("ignore", "Arrow output on a DB-API result makes an extra copy", UserWarning,
                        r"ksln_metrics\.engine\.indicators")


def _frame_of_arrow(cur, table: pa.Table) -> pd.DataFrame:
    """An Arrow table of a query as ``.df()`` gives the query (see ``_frame``).

    The columns of the usual types are converted here, each to the type ``.df()`` gives it
    (``_pandas_column``); a column of any other type (or a text column with no value) goes
    through ``.df()`` itself, so the types stay exactly those ``.df()`` gives.
    """
    converted = {name: _pandas_column(table.column(name)) for name in table.column_names}
    others = [name for name, column in converted.items() if column is None]
    if others:
        rest = duckdb.from_arrow(table.select(others), connection=cur).df()
        converted.update({name: rest[name] for name in others})
    return pd.DataFrame(converted, index=pd.RangeIndex(table.num_rows)) if converted else \
        duckdb.from_arrow(table, connection=cur).df()


def _pandas_column(column: pa.ChunkedArray):
    """One Arrow column as ``.df()`` gives it, or None for a type left to ``.df()``.

    ``.df()`` gives: text as pandas' Arrow-backed strings; integers and booleans as numpy
    arrays without a NULL, else as pandas' nullable Int/boolean arrays; doubles as floats
    with NaN; dates as datetime64[us] with NaT; whole-number decimals (a sum of integers) as
    floats. ``tests/unit/test_engine_frames.py`` holds the two conversions equal.
    """
    kind, nulls = column.type, column.null_count
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.array(column, dtype=_TEXT) if nulls < len(column) else None
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        if nulls == 0:
            return column.to_numpy()
        values = column.fill_null(False if pa.types.is_boolean(kind) else 0).to_numpy()
        mask = column.is_null().to_numpy()
        return pd.arrays.BooleanArray(values, mask) if pa.types.is_boolean(kind) else pd.arrays.IntegerArray(values, mask)
    if pa.types.is_floating(kind) and kind.bit_width == 64:
        return column.to_numpy()
    if pa.types.is_date32(kind):
        return column.cast(pa.timestamp("us")).to_numpy()
    if pa.types.is_decimal(kind) and kind.scale == 0 and kind.precision <= 38 and len(column) and nulls == 0:
        return column.cast(pa.float64()).to_numpy()
    return None


def _mapped(values: pd.Series, value_of, mapping: dict | None = None) -> pd.Series:
    """``values.map(mapping)`` (a dict), or with ``value_of`` called once per distinct value.

    Thousands of rows share a few dozen codes: the distinct values are looked up, and each
    row takes its value by position in Arrow (a row without a value stays empty). Text that
    is not Arrow-backed, or has no value at all, is mapped by pandas as before, so that the
    result keeps the type pandas gives it.
    """
    def by_pandas() -> pd.Series:
        if mapping is not None:
            return values.map(mapping)
        found = {value: value_of(value) for value in values.dropna().unique()}
        # Without a value, mapping an empty dict would give floats; the function keeps the type.
        return values.map(found) if found else values.map(value_of)

    if not isinstance(values.dtype, pd.StringDtype) or values.dtype.storage != "pyarrow":
        return by_pandas()
    encoded = values.array.__arrow_array__().combine_chunks().dictionary_encode()
    if not len(encoded.dictionary):
        return by_pandas()
    distinct = encoded.dictionary.to_pylist()
    looked_up = [mapping.get(value) if mapping is not None else value_of(value) for value in distinct]
    taken = pa.array(looked_up, type=pa.string()).take(encoded.indices)
    return pd.Series(pd.array(taken, dtype=_TEXT), index=values.index, name=values.name)


def _region_names(codes: pd.Series, name_of=region_name) -> pd.Series:
    """``region_name`` of every code, looked up once per distinct code (``name_of``: a memo of it)."""
    return _mapped(codes, name_of)


def _parameters(as_of: date, rules: Rules, filters: Filters, agreement_id: str | None = None) -> dict:
    codes = list(filters.kabkota) if filters.kabkota is not None else list(REGIONS)
    return {
        "as_of": as_of,
        "filter_kabkota": list(filters.kabkota) if filters.kabkota is not None else None,
        "filter_jenis": list(filters.jenis) if filters.jenis is not None else None,
        "filter_negara": list(filters.negara) if filters.negara is not None else None,
        "filter_perjanjian": agreement_id,
        "tahun_acuan": as_of.year,
        "tahun_pertama": as_of.year - MAX_YEARS_BACK,
        "status_ditandatangani": list(SIGNED_STATUSES),
        "status_aktif": list(ACTIVE_STATUSES),
        "status_tanpa_tahun_aktif": list(UNSIGNED_STATUSES),
        "status_selesai": FINISHED_STATUS,
        "kode_provinsi": province_code(),
        "daerah": codes,
        # An empty list has no type in a prepared statement; "" never matches a stored value.
        "jenis_seremonial": list(rules.ceremonial_activity_types) or [""],
        "seremonial_bulan": rules.ceremonial_months,
        "mangkrak_bulan": rules.stalled_months,
        "segera_berakhir_bulan": rules.expiring_months,
        "jenis_wajib_kepala_daerah": list(rules.head_signatory_jenis) or [""],
        "jabatan_kepala_daerah": [normalize_text(t) for t in rules.head_titles],
        "jabatan_bukan_kepala_daerah": [normalize_text(t) for t in rules.non_head_titles] or [""],
        "kosong_dianggap_tidak_sah": rules.empty_signatory_invalid,
        "negara_tanpa_hubungan": list(rules.countries_without_relations) or [""],
        "nama_negara_tanpa_hubungan": [country_name(c) for c in rules.countries_without_relations] or [""],
        "bobot_kepatuhan": rules.weight_compliance,
        "bobot_tindak_lanjut": rules.weight_follow_up,
        "bobot_capaian": rules.weight_achievement,
        "bobot_pelaporan": rules.weight_reporting,
        "poin_per_bendera": rules.attention_points_per_flag,
        "naskah_wajib": rules.signed_document_required,
        "jenis_naskah": list(SIGNED_DOCUMENT_KINDS),
    }


def _register_calendar(cur, as_of: date, rules: Rules) -> None:
    first = cur.execute(f"SELECT min(tahun_aktif_pertama) FROM {CALENDAR_READS}").fetchall()[0][0]
    first = min(first or as_of.year, as_of.year)
    # The deadline of the last fiscal year falls early in the next calendar year.
    cur.register("batas_laporan", deadline_table(first, as_of.year, rules))
    cur.register("kalender_kerja", working_day_table(first, as_of.year + 1, rules))


@dataclass
class _Kept:
    """The tables of the steps kept per data version for one store: of one copy of the data
    (``generation``, see ``Store.engine_generation``) at one version (the last batch)."""

    generation: object
    version: int
    tables: dict[tuple, tuple[pa.Table, np.ndarray | None]] = field(default_factory=dict)


# Per store (dropped with it); a few tables per version: the rules may differ between computations.
_KEPT: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()
KEPT_PER_VERSION = 8


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _kept_table(store: Store, cur, name: str, params: dict) -> tuple[pa.Table, np.ndarray | None]:
    """The table of step ``name`` (kept per data version) for the data ``cur`` reads, made the first
    time; with a ``cut:`` column, also that column's days (since 1970) in the kept row order.

    Made and kept only if the version is the same before and after (no batch came in between).
    """
    step = steps()[name]
    used = {k: params[k] for k in _parameters_of(name)}
    key = (name, tuple(sorted((k, _hashable(v)) for k, v in used.items())))
    generation = store.engine_generation()
    version = cur.execute(LAST_BATCH_SQL).fetchall()[0][0]
    with _KEPT_LOCK:
        kept = _KEPT.get(store)
        if kept is not None and kept.generation is generation and kept.version == version and key in kept.tables:
            return kept.tables[key]
    table = _arrow(cur, *_statement(name, params))
    days = None
    if step.cut:
        table = table.sort_by(step.cut).combine_chunks()
        column = table.column(step.cut).combine_chunks()
        if column.null_count or not pa.types.is_date32(column.type):
            raise ValueError(f"{name}.sql: the 'cut:' column {step.cut} holds dates, none empty")
        days = column.view(pa.int32()).to_numpy()
    if cur.execute(LAST_BATCH_SQL).fetchall()[0][0] == version:
        with _KEPT_LOCK:
            kept = _KEPT.get(store)
            if kept is None or kept.generation is not generation or kept.version != version:
                kept = _KEPT[store] = _Kept(generation, version)
            if len(kept.tables) >= KEPT_PER_VERSION:
                kept.tables.pop(next(iter(kept.tables)))
            kept.tables[key] = (table, days)
    return table, days


def forget_kept_tables(store: Store) -> None:
    """Drop the tables kept per data version for ``store``: the next computation makes them again
    (as the first computation after a data change does)."""
    with _KEPT_LOCK:
        _KEPT.pop(store, None)


_EPOCH = date(1970, 1, 1)


def _cut(table: pa.Table, days: np.ndarray, as_of: date) -> pa.Table:
    """The rows of a kept table (in order of ``days``) dated from 1 January of ``as_of``'s year to ``as_of``."""
    first = np.searchsorted(days, (date(as_of.year, 1, 1) - _EPOCH).days, side="left")
    last = np.searchsorted(days, (as_of - _EPOCH).days, side="right")
    return table.slice(first, max(last - first, 0))


class _Run:
    """One computation in progress: the steps read several times are kept as Arrow tables; a
    step read once runs inside the step that reads it; the last ones run when their frame is read."""

    def __init__(self, cur, params: dict, stored: set[str], order: list[str]):
        self.cur, self.params, self.stored, self.order = cur, params, stored, order
        self.tables: dict[str, pa.Table] = {}
        # Unit names, each looked up once per computation (agreements, flags and regions share codes).
        self.region_name = cache(region_name)

    def inlined_into(self, name: str) -> list[str]:
        """The steps not stored that ``name`` reads, directly or through each other, in run order."""
        known, needed, pending = steps(), set(), [name]
        while pending:
            for table in known[pending.pop()].reads:
                if table in known and table not in self.stored and not known[table].per_data \
                        and table not in needed:
                    needed.add(table)
                    pending.append(table)
        return [step for step in self.order if step in needed]

    def keep(self, store: Store, name: str, as_of: date) -> None:
        """Register the table of step ``name`` kept per data version (made now the first time), or
        with a ``cut:`` column the part of it that the reference date reads."""
        table, days = _kept_table(store, self.cur, name, self.params)
        self.tables[name] = table if days is None else _cut(table, days, as_of)
        self.cur.register(name, self.tables[name])

    def store(self, name: str) -> None:
        """Run step ``name`` and register its rows under its name for the steps after it.

        The rows are kept as an Arrow table registered on this thread's cursor rather than a
        temporary table: DuckDB writes Arrow about twice as fast as its own table storage
        (which also keeps statistics per column) and scans both alike.
        """
        sql, used = _statement(name, self.params, self.inlined_into(name))
        self.tables[name] = _arrow(self.cur, sql, used)
        self.cur.register(name, self.tables[name])

    def frame(self, name: str) -> pd.DataFrame:
        """The result of step ``name`` (a step not stored runs here, straight into the frame)."""
        if name in self.stored:
            return _frame_of_arrow(self.cur, self.tables[name])
        return _frame(self.cur, *_statement(name, self.params, self.inlined_into(name)))

    def table(self, name: str) -> pa.Table:
        """The rows of step ``name`` as an Arrow table (a step not stored runs here)."""
        if name in self.stored or steps()[name].per_data:
            return self.tables[name]
        return _arrow(self.cur, *_statement(name, self.params, self.inlined_into(name)))

    def sorted_table(self, name: str, keys: tuple[str, ...]) -> pa.Table:
        """The rows of step ``name`` as ``ORDER BY keys`` gives them, sorted in Arrow.

        Arrow orders text by its bytes and puts an empty value last, as DuckDB's ORDER BY does,
        and costs a third of sorting every column through SQL again. The keys identify a row,
        so no two rows tie.
        """
        return self.table(name).sort_by([(key, "ascending") for key in keys])

    def flag_frame(self, agreement_ids: pa.Array) -> pd.DataFrame:
        """The rows of bendera_daftar.sql in the order its header gives (``_flag_order``)."""
        flags = self.table("bendera_daftar")
        return _frame_of_arrow(self.cur, flags.take(_flag_order(flags, agreement_ids)))

    def sorted_frame(self, name: str, keys: tuple[str, ...]) -> pd.DataFrame:
        """The rows of step ``name`` as ``ORDER BY keys`` gives them (a stored step sorted in Arrow)."""
        if name in self.stored:
            return _frame_of_arrow(self.cur, self.sorted_table(name, keys))
        sql, used = _statement(name, self.params, self.inlined_into(name))
        return _frame(self.cur, f"SELECT * FROM ({sql}) ORDER BY {', '.join(keys)}", used)

    def close(self) -> None:
        for name in self.tables:
            self.cur.unregister(name)
        self.tables.clear()


_FLAG_ORDER = pa.array(FLAG_CODES, type=pa.string())


def _flag_order(flags: pa.Table, agreement_ids: pa.Array) -> np.ndarray:
    """The positions of the raised flags ordered by agreement as in ``agreement_ids`` (the agreements
    sorted by region, then id), the order of the flag definitions (FLAG_CODES) and year, an empty
    year last, as ``ORDER BY kabkota, id_perjanjian, list_position(FLAG_CODES, code), year``
    would give them. No two flags tie (one per agreement, code and year).

    Every key is an integer here: sorting the text keys again, with the sentences along, costs
    more than building them did.
    """
    unknown = len(agreement_ids)
    agreement = pc.index_in(flags.column("id_perjanjian"), value_set=agreement_ids).fill_null(unknown).to_numpy()
    code = pc.index_in(flags.column("code"), value_set=_FLAG_ORDER).fill_null(len(_FLAG_ORDER)).to_numpy()
    year = flags.column("year").cast(pa.int64()).fill_null(np.iinfo(np.int64).max).to_numpy()
    return np.lexsort((year, code, agreement))


def _stored_steps(order: list[str], targets: Iterable[str]) -> set[str]:
    """The steps worth keeping: read by two or more steps, or by a step and the caller."""
    readers = {name: 0 for name in order}
    for name in order:
        for table in steps()[name].reads:
            if table in readers:
                readers[table] += 1
    for target in targets:
        if readers[target]:
            readers[target] += 1
    if any(set(steps()[name].reads) & set(CALENDAR_TABLES) for name in order):
        readers[CALENDAR_READS] = max(readers[CALENDAR_READS], 1) + 1
    return {name for name, count in readers.items()
            if count >= 2 and not steps()[name].inline and not steps()[name].per_data}


@contextmanager
def _pipeline(store: Store, as_of: date, rules: Rules, filters: Filters, targets: Iterable[str],
              agreement_id: str | None = None) -> Iterator[_Run]:
    """Run the SQL steps ``targets`` need into tables of this thread's cursor; yield the run; drop them after.

    Each thread has its own cursor and so its own registered tables: two computations never
    share them. A step read by one other step only is not stored: it runs inside that step
    (a common table expression of its name), so that DuckDB plans the two together; a
    target no other step reads runs when its frame is read.
    """
    targets = tuple(targets)
    params = _parameters(as_of, rules, filters, agreement_id)
    order = step_order(targets)
    stored = _stored_steps(order, targets)
    run = _Run(store.engine_cursor(), params, stored, order)
    cur = run.cur
    cur.execute(sql_text("macros"))
    registered = False
    try:
        for name in order:
            if not registered and set(steps()[name].reads) & set(CALENDAR_TABLES):
                _register_calendar(cur, as_of, rules)
                registered = True
            if steps()[name].per_data:
                run.keep(store, name, as_of)
            elif name in stored:
                run.store(name)
        yield run
    finally:
        if registered:
            for name in CALENDAR_TABLES:
                cur.unregister(name)
        run.close()


def compute(
    store: Store,
    as_of: date | None = None,
    rules: Rules | None = None,
    filters: Filters | None = None,
) -> Results:
    """Every score and flag, per agreement and per region, as of ``as_of`` (default today)."""
    as_of = as_of or today()
    rules = rules or load_rules()
    filters = filters or Filters()
    with _pipeline(store, as_of, rules, filters, RESULT_STEPS) as run:
        sorted_agreements = run.sorted_table("perjanjian_skor", ("kabkota_kode", "id_perjanjian"))
        agreements = _frame_of_arrow(run.cur, sorted_agreements)
        flags = run.flag_frame(sorted_agreements.column("id_perjanjian").combine_chunks())
        regions = _region_frame(run)
        summary = run.frame("ringkasan")
        attention = run.frame("perhatian")
        provinces = _province_frame(run)
        province_attention = run.frame("provinsi_perhatian")
    attention.insert(2, "kabkota_nama", _region_names(attention["kabkota_kode"], run.region_name))
    province_attention.insert(2, "provinsi_nama", _region_names(province_attention["provinsi_kode"], run.region_name))
    return Results(_shape_agreements(agreements, run.region_name), _shape_flags(flags, rules, run.region_name),
                   regions, summary, attention,
                   provinces, province_attention)


@dataclass(frozen=True)
class AgreementDetail:
    """One agreement as the engine judges it, for the Perjanjian page."""

    agreement: pd.Series  # its row of perjanjian_skor.sql
    documents: pd.DataFrame  # perjanjian_dokumen.sql
    activities: pd.DataFrame  # kegiatan_sifat.sql
    indicators: pd.DataFrame  # indikator_capaian.sql
    fiscal_years: pd.DataFrame  # tahun_anggaran.sql
    flags: pd.DataFrame  # bendera_daftar.sql


def agreement_detail(store: Store, agreement_id: str, as_of: date, rules: Rules) -> AgreementDetail | None:
    """The rows of every SQL step about one agreement, exactly as the score and the flags see them."""
    with _pipeline(store, as_of, rules, Filters(), DETAIL_STEPS, agreement_id=agreement_id) as run:
        agreements = run.frame("perjanjian_skor")
        if agreements.empty:
            return None

        def rows(name: str, order: list[str]) -> pd.DataFrame:
            return run.frame(name).sort_values(order, kind="stable").drop(columns="id_perjanjian").reset_index(drop=True)

        return AgreementDetail(
            _shape_agreements(agreements, run.region_name).iloc[0],
            rows("perjanjian_dokumen", ["urutan"]),
            rows("kegiatan_sifat", ["tanggal", "nama_kegiatan"]),
            rows("indikator_capaian", ["tahun", "indikator"]),
            rows("tahun_anggaran", ["tahun_anggaran"]),
            _shape_flags(run.flag_frame(pa.array(agreements["id_perjanjian"].tolist(), type=pa.string())), rules,
                         run.region_name),
        )


def fiscal_year_table(store: Store, as_of: date, rules: Rules, *,
                      kabkota: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows of ``tahun_anggaran.sql`` for every agreement (of some regions): one per agreement and
    fiscal year it was active in, with the deadline, the report and its status, as the flags see them."""
    with _pipeline(store, as_of, rules, Filters.of(kabkota=kabkota), ("tahun_anggaran",)) as run:
        years = run.frame("tahun_anggaran")
    return years.sort_values(["id_perjanjian", "tahun_anggaran"], ignore_index=True)


def agreements_and_years(store: Store, as_of: date, rules: Rules, *,
                         kabkota: Iterable[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The agreements as ``compute`` gives them (without the unit names) and ``fiscal_year_table``, from one
    pipeline: what the reminder agenda reads, without the flags list, the regions and the provinces ``compute``
    also makes, nor running the steps of the fiscal years twice."""
    with _pipeline(store, as_of, rules, Filters.of(kabkota=kabkota), ("perjanjian_skor", "tahun_anggaran")) as run:
        agreements = _frame_of_arrow(run.cur, run.sorted_table("perjanjian_skor", ("kabkota_kode", "id_perjanjian")))
        years = run.frame("tahun_anggaran")
    return agreements, years.sort_values(["id_perjanjian", "tahun_anggaran"], ignore_index=True)


def _shape_agreements(frame: pd.DataFrame, name_of=region_name) -> pd.DataFrame:
    frame.insert(2, "kabkota_nama", _region_names(frame["kabkota_kode"], name_of))
    return frame


def _shape_flags(frame: pd.DataFrame, rules: Rules, name_of=region_name) -> pd.DataFrame:
    # Label and rule text are the same for every row of a code: mapped here from the one
    # definition rather than carried through SQL as thousands of copies.
    labels = {f.code: f.label for f in FLAGS}
    rule_texts = {f.code: rule_text(f, rules) for f in FLAGS}
    frame.insert(2, "kabkota_nama", _region_names(frame["kabkota_kode"], name_of))
    frame.insert(frame.columns.get_loc("code") + 1, "label", _mapped(frame["code"], None, labels))
    frame["year"] = frame["year"].astype("Int64")
    frame["rule"] = _mapped(frame["code"], None, rule_texts)
    return frame


def _flag_columns(counts: pd.DataFrame, key: str, codes: pd.Series) -> pd.DataFrame:
    """One ``jumlah_<flag>`` column per flag code (zeros included) for the units ``codes``, from long counts.

    Each count is put at its unit's row and its flag's column of a table of zeros (a count of a
    unit or flag not asked for is left out), as ``pivot`` then ``reindex`` would.
    """
    rows = pd.Index(codes).get_indexer(counts[key])
    columns = pd.Index(FLAG_CODES).get_indexer(counts["code"])
    kept = (rows >= 0) & (columns >= 0)
    table = np.zeros((len(codes), len(FLAG_CODES)), dtype="int64")
    table[rows[kept], columns[kept]] = counts["jumlah"].to_numpy()[kept]
    return pd.DataFrame(table, columns=pd.Index([f"jumlah_{code}" for code in FLAG_CODES], name="code"))


def _region_frame(run: _Run) -> pd.DataFrame:
    regions = run.frame("kabkota")
    wide = _flag_columns(run.frame("kabkota_bendera"), "kabkota_kode", regions["kabkota_kode"])
    regions.insert(1, "kabkota_nama", _region_names(regions["kabkota_kode"], run.region_name))
    peringkat = regions.pop("peringkat").astype("Int64")
    within = run.frame("peringkat_provinsi").set_index("kabkota_kode")["peringkat_provinsi"]
    regions = pd.concat([regions, wide], axis=1)
    regions["peringkat"] = peringkat
    regions["peringkat_provinsi"] = regions["kabkota_kode"].map(within).astype("Int64")
    for column in ("jumlah_perjanjian", "jumlah_aktif", "jumlah_ditandatangani", "laporan_wajib",
                   "laporan_tepat_waktu"):
        regions[column] = regions[column].astype("int64")
    return regions


def _province_frame(run: _Run) -> pd.DataFrame:
    provinces = run.frame("provinsi")
    wide = _flag_columns(run.frame("provinsi_bendera"), "provinsi_kode", provinces["provinsi_kode"])
    provinces.insert(1, "provinsi_nama", _region_names(provinces["provinsi_kode"], run.region_name))
    peringkat = provinces.pop("peringkat").astype("Int64")
    provinces = pd.concat([provinces, wide], axis=1)
    provinces["peringkat"] = peringkat
    for column in ("jumlah_kabkota", "jumlah_kabkota_berperjanjian", "jumlah_perjanjian", "jumlah_perjanjian_pemprov",
                   "jumlah_aktif", "jumlah_ditandatangani", "laporan_wajib", "laporan_tepat_waktu"):
        provinces[column] = provinces[column].astype("int64")
    return provinces


def flags_for(store: Store, as_of: date | None = None, rules: Rules | None = None, *,
              kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
              negara: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per raised flag: agreement, ``code``, ``label``, ``reason``, ``rule``, ``year``."""
    return compute(store, as_of, rules, Filters.of(kabkota, jenis, negara)).flags
