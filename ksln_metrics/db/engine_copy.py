"""The engine's DuckDB copy of a PostgreSQL store, cached per data version.

The indicator SQL is DuckDB SQL (one dialect). On PostgreSQL the engine reads an in-memory
DuckDB database holding the current rows of ``ENGINE_TABLES`` (the engine's ``STORE_TABLES``),
with the same column types as a DuckDB store. The copy is tagged with the data version read in
the same snapshot (REPEATABLE READ) as the rows: ``(count, max)`` of ``data_change``, a log
that a statement trigger on every watched table writes once per transaction (migration 2). A
page rerun costs one small query; after a batch (of any process) the next reader makes a new
copy and swaps it in. Transfer: ADBC (the PostgreSQL driver streams COPY BINARY into Arrow),
which DuckDB reads without conversion.

Thread safety: one refresh at a time (a lock); each thread gets its own DuckDB cursor of the
copy it last saw (DuckDB cursors must not be shared between threads, and temporary tables are
per cursor). A thread in the middle of a computation keeps its copy until it asks again.
"""

from __future__ import annotations

import threading
import time

import duckdb

from ksln_metrics.db.migrations import BATCH_SCHEMA
from ksln_metrics.followup.schema import FOLLOWUP_SCHEMA
from ksln_metrics.reference import SQL_TYPES, STORED_COLUMNS, TABLES, column_kind

# What the engine's SQL reads from the store (ksln_metrics.engine.indicators.STORE_TABLES).
ENGINE_TABLES = ("perjanjian", "kegiatan", "indikator", "laporan", "lampiran", "batch", "batch_count")

VERSION_SQL = "SELECT count(*), COALESCE(max(tx), 0) FROM data_change"


def _ddl(table: str) -> str:
    """The DuckDB CREATE TABLE of one engine table, with the types a DuckDB store has."""
    if table in TABLES:
        cols = ", ".join(f"{c} {SQL_TYPES[column_kind(table, c)]}" for c in STORED_COLUMNS[table])
        return f"CREATE TABLE {table} ({cols})"
    for statement in BATCH_SCHEMA + FOLLOWUP_SCHEMA:
        head = statement.split("(", 1)[0].split()
        if head[-1] == table:
            return statement.replace("IF NOT EXISTS ", "")
    raise KeyError(table)


class EngineCopy:
    def __init__(self, pool, tables: tuple[str, ...] = ENGINE_TABLES):
        self._pool = pool
        self.tables = tables
        self._lock = threading.Lock()
        self._current: tuple[object, duckdb.DuckDBPyConnection] | None = None
        self._local = threading.local()
        self.refreshes = 0
        self.last_refresh_seconds: float | None = None
        self._adbc = None

    def version(self):
        with self._pool.connection(autocommit=True) as con:
            return tuple(con.execute(VERSION_SQL).fetchone())

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor on a copy at least as new as the store when the call began."""
        version = self.version()
        current = self._current
        if current is None or current[0] != version:
            with self._lock:
                current = self._current
                if current is None or current[0] != version:
                    current = self._refresh()
        _version, con = current
        if getattr(self._local, "con", None) is not con:
            self._local.cursor = con.cursor()
            self._local.con = con
        return self._local.cursor

    def refresh(self) -> float:
        """Make a new copy now (whatever the version); the seconds it took."""
        with self._lock:
            self._refresh()
        return self.last_refresh_seconds

    def _connect_adbc(self):
        import adbc_driver_postgresql.dbapi as adbc

        if self._adbc is None:
            self._adbc = adbc.connect(self._pool.url)
        return self._adbc

    def _refresh(self):
        start = time.perf_counter()
        copy = duckdb.connect(":memory:")
        source = self._connect_adbc()
        try:
            with source.cursor() as cur:
                cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    cur.execute(VERSION_SQL)
                    version = tuple(int(v) for v in cur.fetchone())
                    for table in self.tables:
                        copy.execute(_ddl(table))
                        columns = [r[0] for r in copy.execute(f"DESCRIBE {table}").fetchall()]
                        cur.execute(f"SELECT {', '.join(columns)} FROM {table}")
                        arrow = cur.fetch_arrow_table()
                        copy.register("incoming_arrow", arrow)
                        copy.execute(f"INSERT INTO {table} SELECT * FROM incoming_arrow")
                        copy.unregister("incoming_arrow")
                finally:
                    cur.execute("COMMIT")
        except Exception:
            copy.close()
            self._close_adbc()
            raise
        self._current = (version, copy)
        self.refreshes += 1
        self.last_refresh_seconds = time.perf_counter() - start
        return self._current

    def _close_adbc(self) -> None:
        if self._adbc is not None:
            try:
                self._adbc.close()
            except Exception:  # noqa: BLE001 - already broken; a new one is opened next time
                pass
            self._adbc = None

    def close(self) -> None:
        with self._lock:
            self._close_adbc()
            if self._current is not None:
                self._current[1].close()
                self._current = None
