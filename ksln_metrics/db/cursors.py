"""The cursor of ``store.write()`` on each backend, with the same methods (see ``ksln_metrics.db``)."""

from __future__ import annotations

import io
import threading
from datetime import date, datetime
from decimal import Decimal

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ksln_metrics.db import ddl_for, to_pyformat


class DuckCursor:
    """A DuckDB cursor with the portable methods; anything else (``register``, ...) passes through."""

    dialect = "duckdb"

    def __init__(self, raw: duckdb.DuckDBPyConnection):
        self._raw = raw
        self.views: set[str] = set()  # temporary views over registered Arrow tables (the store's staged rows)

    def execute(self, sql: str, params=None) -> DuckCursor:
        self._raw.execute(sql, params if params is not None else [])
        return self

    def executemany(self, sql: str, seq) -> DuckCursor:
        self._raw.executemany(sql, list(seq))
        return self

    def fetchone(self):
        return self._raw.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._raw.fetchall()

    def df(self) -> pd.DataFrame:
        return self._raw.df()

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    def insert_frame(self, table: str, frame: pd.DataFrame, columns=None) -> int:
        columns = list(columns or frame.columns)
        name = f"_insert_frame_{id(frame)}"
        self._raw.register(name, frame[columns])
        try:
            cols = ", ".join(columns)
            self._raw.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
            return self._raw.fetchall()[0][0]
        finally:
            self._raw.unregister(name)

    def __getattr__(self, name):
        return getattr(self._raw, name)


# --- PostgreSQL ---------------------------------------------------------------------------

# PostgreSQL type OIDs -> Arrow types, so that frames read from PostgreSQL go through DuckDB's
# own conversion and get the same dtypes as on the DuckDB backend.
_ARROW_BY_OID = {
    16: pa.bool_(), 20: pa.int64(), 21: pa.int16(), 23: pa.int32(), 25: pa.string(), 1043: pa.string(),
    1042: pa.string(), 1082: pa.date32(), 1114: pa.timestamp("us"), 1184: pa.timestamp("us", tz="UTC"),
    700: pa.float32(), 701: pa.float64(), 17: pa.binary(), 19: pa.string(), 26: pa.int64(),
}

_local = threading.local()


def _duck() -> duckdb.DuckDBPyConnection:
    con = getattr(_local, "con", None)
    if con is None:
        con = duckdb.connect()
        _local.con = con
    return con


def _arrow_type(column):
    if column.type_code == 1700:  # numeric
        if column.precision is not None and column.scale is not None:
            return pa.decimal128(column.precision, column.scale)
        return pa.float64()
    return _ARROW_BY_OID.get(column.type_code, pa.string())


def _arrow_value(value, kind):
    if value is None:
        return None
    if pa.types.is_string(kind) and not isinstance(value, str):
        return str(value)
    if pa.types.is_floating(kind) and isinstance(value, Decimal):
        return float(value)
    if pa.types.is_binary(kind):
        return bytes(value)
    return value


def rows_to_frame(description, rows: list[tuple]) -> pd.DataFrame:
    """A result from psycopg as a DataFrame with the dtypes DuckDB's ``.df()`` gives for the same types."""
    names = [c.name for c in description]
    kinds = [_arrow_type(c) for c in description]
    arrays = [pa.array([_arrow_value(r[i], k) for r in rows], type=k) for i, k in enumerate(kinds)]
    # Unique column names for Arrow; DuckDB keeps the original order.
    table = pa.Table.from_arrays(arrays, names=[f"c{i}" for i in range(len(names))])
    frame = _duck().from_arrow(table).df()
    frame.columns = names
    return frame


def _csv_value_table(frame: pd.DataFrame, columns: list[str]) -> pa.Table:
    table = pa.Table.from_pandas(frame[columns], preserve_index=False)
    return table


def frame_to_csv(frame: pd.DataFrame, columns: list[str]) -> bytes:
    """The rows of ``frame`` as PostgreSQL COPY CSV: strings quoted, NULL as an unquoted empty field."""
    buffer = io.BytesIO()
    pacsv.write_csv(_csv_value_table(frame, columns), buffer, pacsv.WriteOptions(include_header=False))
    return buffer.getvalue()


def arrow_to_csv(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=False))
    return buffer.getvalue()


class PgCursor:
    """A psycopg cursor inside one transaction, speaking the portable placeholders."""

    dialect = "postgres"

    def __init__(self, raw):
        self._raw = raw

    def execute(self, sql: str, params=None) -> PgCursor:
        if sql.lstrip()[:6].upper() in ("CREATE", "ALTER "):  # DDL of the portable subset: BLOB, DOUBLE
            sql = ddl_for(sql, "postgres")
        if params is None or (not isinstance(params, dict) and len(params) == 0):
            self._raw.execute(sql)
        else:
            self._raw.execute(to_pyformat(sql), _adapt(params))
        return self

    def executemany(self, sql: str, seq) -> PgCursor:
        self._raw.executemany(to_pyformat(sql), [_adapt(p) for p in seq])
        return self

    def fetchone(self):
        return self._raw.fetchone()

    def fetchall(self) -> list[tuple]:
        return self._raw.fetchall()

    def df(self) -> pd.DataFrame:
        return rows_to_frame(self._raw.description, self._raw.fetchall())

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount

    @property
    def description(self):
        return self._raw.description

    def copy_csv(self, table: str, columns: list[str], data: bytes) -> int:
        cols = ", ".join(columns)
        with self._raw.copy(f"COPY {table} ({cols}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(data)
        return self._raw.rowcount

    def insert_frame(self, table: str, frame: pd.DataFrame, columns=None) -> int:
        columns = list(columns or frame.columns)
        if frame.empty:
            return 0
        if any(frame[c].map(lambda v: isinstance(v, (bytes, bytearray, memoryview))).any()
               for c in columns if frame[c].dtype == object):
            rows = frame[columns].astype(object).where(frame[columns].notna(), None).itertuples(index=False)
            cols = ", ".join(columns)
            with self._raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(tuple(row))
            return len(frame)
        return self.copy_csv(table, columns, frame_to_csv(frame, columns))


def _adapt(params):
    """Parameters psycopg can send: numpy scalars and pandas missing values as Python ones."""
    if isinstance(params, dict):
        return {k: _adapt_value(v) for k, v in params.items()}
    return [_adapt_value(v) for v in params]


def _adapt_value(value):
    if value is None or isinstance(value, (str, bytes, bool, int, float, Decimal, datetime, date, list, tuple)):
        if isinstance(value, (list, tuple)):
            return [_adapt_value(v) for v in value]
        if isinstance(value, datetime) and isinstance(value, pd.Timestamp):
            return None if pd.isna(value) else value.to_pydatetime()
        return value
    if value is pd.NaT or value is pd.NA:
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    return value


class PgReader:
    """``store.cursor()`` on PostgreSQL: each statement on a pooled autocommit connection, result buffered."""

    dialect = "postgres"

    def __init__(self, pool):
        self._pool = pool
        self._rows: list[tuple] = []
        self._description = None
        self._rowcount = -1

    def execute(self, sql: str, params=None) -> PgReader:
        import psycopg

        for attempt in (1, 2):
            try:
                with self._pool.connection(autocommit=True) as con:
                    cur = PgCursor(con.cursor())
                    cur.execute(sql, params)
                    self._description = cur.description
                    self._rows = cur.fetchall() if cur.description is not None else []
                    self._rowcount = cur.rowcount
                return self
            except psycopg.OperationalError:
                # An idle pooled connection the server closed (a restart, an idle timeout): the
                # pool drops it; one more try on a new connection. Not for writes (see write()).
                if attempt == 2:
                    raise
                self._pool.clear_idle()  # after a restart every idle connection is dead
        return self

    def fetchone(self):
        return self._rows.pop(0) if self._rows else None

    def fetchall(self) -> list[tuple]:
        rows, self._rows = self._rows, []
        return rows

    def df(self) -> pd.DataFrame:
        return rows_to_frame(self._description, self.fetchall())

    @property
    def rowcount(self) -> int:
        return self._rowcount
