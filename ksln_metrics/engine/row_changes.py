"""Row-level preview of an upload: which rows would be new and which cells would change (old → new).

The comparison is the store's own (``Store._apply_table``): the incoming rows are cast to the
stored column types, joined to the current rows on the table's key, and a cell differs when
``IS DISTINCT FROM`` says so. Nothing is written; the temporary tables live in this thread's engine cursor
(the DuckDB file itself, or on PostgreSQL the engine's DuckDB copy of the current rows).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import pyarrow as pa

from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.reference import BOOL, DATE, MONEY, NUMBER, SQL_TYPES, STORED_COLUMNS, TABLES, YEAR, column_kind
from ksln_metrics.store import Store

ARROW = " → "


@dataclass(frozen=True)
class RowChanges:
    """One table of an upload: its new rows, and one row per changed cell of its changed rows."""

    table: str
    new: pd.DataFrame  # the incoming rows whose key is not in the store (stored columns)
    cells: pd.DataFrame  # key columns, "kolom", "lama", "baru": one row per changed cell

    @property
    def changed_rows(self) -> int:
        key = list(TABLES[self.table].key)
        return 0 if self.cells.empty else len(self.cells.drop_duplicates(key))


def _cast_select(table: str, alias: str) -> str:
    return ", ".join(f"CAST({alias}.{c} AS {SQL_TYPES[column_kind(table, c)]}) AS {c}" for c in STORED_COLUMNS[table])


def row_changes(store: Store, tables: dict[str, pd.DataFrame | pa.Table]) -> list[RowChanges]:
    """New rows and changed cells of every table in ``tables`` (an upload's canonical frames)."""
    out = []
    cur = store.engine_cursor()  # DuckDB over the current rows on either backend: register and temp tables work
    for table in (t for t in TABLES if t in tables):
        cols = STORED_COLUMNS[table]
        key = TABLES[table].key
        frame = tables[table]  # a DataFrame, or the Arrow table of an upload's rows
        cur.register("pratinjau_frame", frame.select(list(cols)) if isinstance(frame, pa.Table) else frame[list(cols)])
        try:
            cur.execute(f"CREATE OR REPLACE TEMP TABLE pratinjau_masuk AS SELECT {_cast_select(table, 'f')} "
                        "FROM pratinjau_frame f")
        finally:
            cur.unregister("pratinjau_frame")
        on = " AND ".join(f"cur.{k} = inc.{k}" for k in key)
        new = cur.execute(
            f"SELECT inc.* FROM pratinjau_masuk inc WHERE NOT EXISTS (SELECT 1 FROM {table} cur WHERE {on})"
        ).df()
        others = [c for c in cols if c not in key]
        # One row per differing cell, old and new as text of the stored value (typed compare first).
        parts = [
            f"SELECT {', '.join(f'inc.{k}' for k in key)}, '{c}' AS kolom, "
            f"CAST(cur.{c} AS VARCHAR) AS lama, CAST(inc.{c} AS VARCHAR) AS baru, {i} AS urutan "
            f"FROM pratinjau_masuk inc JOIN {table} cur ON {on} WHERE cur.{c} IS DISTINCT FROM inc.{c}"
            for i, c in enumerate(others)
        ]
        order = ", ".join([*key, "urutan"])  # row by row, cells in the table's column order
        cells = cur.execute(f"SELECT * FROM ({' UNION ALL '.join(parts)}) ORDER BY {order}").df() if parts else \
            pd.DataFrame(columns=[*key, "kolom", "lama", "baru", "urutan"])
        cur.execute("DROP TABLE IF EXISTS pratinjau_masuk")
        out.append(RowChanges(table, new, cells.drop(columns=["urutan"])))
    return out


def shown_value(table: str, column: str, value) -> str:
    """A stored value as the page writes it: Indonesian dates and numbers, Ya/Tidak, "–" for empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    kind = column_kind(table, column)
    text = str(value)
    if kind == DATE:
        if isinstance(value, datetime | date):
            return format_date_id(value)
        try:
            return format_date_id(date.fromisoformat(text[:10]))
        except ValueError:
            return text
    if kind == BOOL:
        return "Ya" if text.lower() in ("true", "1") else "Tidak"
    if kind in (MONEY, NUMBER):
        number = float(value)
        return format_number_id(number, 0 if number.is_integer() else 2)
    if kind == YEAR:
        return str(int(float(value)))
    return text


def changed_table(change: RowChanges) -> pd.DataFrame:
    """The changed rows side by side: key columns, then each changed column with "lama → baru" in its cells."""
    key = list(TABLES[change.table].key)
    if change.cells.empty:
        return pd.DataFrame(columns=key)
    labels = {c.name: c.label for c in TABLES[change.table].columns}
    cells = change.cells.assign(
        teks=[shown_value(change.table, c, old) + ARROW + shown_value(change.table, c, new)
              for c, old, new in zip(change.cells["kolom"], change.cells["lama"], change.cells["baru"], strict=True)])
    order = list(dict.fromkeys(cells["kolom"]))
    wide = cells.pivot_table(index=key, columns="kolom", values="teks", aggfunc="first").reset_index()
    wide = wide[[*key, *order]]
    for k in key:
        wide[k] = [shown_value(change.table, k, v) for v in wide[k]]
    return wide.rename(columns=labels).fillna("")


def new_table(change: RowChanges) -> pd.DataFrame:
    """The new rows with the columns they fill, written as the page writes values."""
    frame = change.new
    if frame.empty:
        return frame
    filled = [c for c in frame.columns if frame[c].notna().any()]
    labels = {c.name: c.label for c in TABLES[change.table].columns}
    return pd.DataFrame({labels.get(c, c): [shown_value(change.table, c, v) for v in frame[c]] for c in filled})
