"""The engine's DuckDB copy of a PostgreSQL store, cached per data version and refreshed by batch.

The indicator SQL is DuckDB SQL (one dialect). On PostgreSQL the engine reads an in-memory
DuckDB database holding the current rows of ``ENGINE_TABLES`` (the engine's ``STORE_TABLES``)
with the column types a DuckDB store has: each data table ``t`` is a table ``t__rows`` (its
stored columns and ``valid_from``) behind a view ``t`` of the stored columns.

Version: ``(count, max)`` of ``data_change``, a log written once per transaction by a statement
trigger on every watched table (migration 2); it changes when such a transaction commits,
whatever order transactions commit in. A page rerun costs that one small query.

Refresh, in one PostgreSQL REPEATABLE READ snapshot (so the version and the rows agree):

* first time (or when the store went back, e.g. restored from a dump): every table, through ADBC
  (the PostgreSQL driver streams COPY BINARY into Arrow, which DuckDB reads without conversion);
* afterwards, by batch: batches are written one at a time in id order (ksln_metrics.store), so
  the rows a newer batch changed are exactly the history rows with ``valid_to`` above the last
  batch copied (closed: deleted from the copy) or ``valid_from`` above it and still current
  (added). Only these travel; the small tables (batch log, counts, attachments) are copied whole.

Thread safety: one refresh at a time (a lock), applied in one DuckDB transaction. Each call of
``cursor()`` gives the thread its own DuckDB cursor (DuckDB cursors must not be shared between
threads; temporary tables are per cursor) with a fresh read transaction, so one computation sees
one version of the data even while another thread refreshes the copy.
"""

from __future__ import annotations

import threading
import time

import duckdb

from ksln_metrics.db.migrations import BATCH_SCHEMA, LAST_BATCH_SQL, history_table
from ksln_metrics.followup.schema import FOLLOWUP_SCHEMA
from ksln_metrics.reference import SQL_TYPES, STORED_COLUMNS, TABLES, column_kind

# What the engine's SQL reads from the store (ksln_metrics.engine.indicators.STORE_TABLES).
ENGINE_TABLES = ("perjanjian", "kegiatan", "indikator", "laporan", "lampiran", "batch", "batch_count")

VERSION_SQL = "SELECT count(*), COALESCE(max(tx), 0) FROM data_change"


def _small_table_ddl(table: str) -> str:
    """The DuckDB CREATE TABLE of a table copied whole, as a DuckDB store has it."""
    for statement in BATCH_SCHEMA + FOLLOWUP_SCHEMA:
        head = statement.split("(", 1)[0].split()
        if head[-1] == table:
            return statement.replace("IF NOT EXISTS ", "")
    raise KeyError(table)


def _rows(table: str) -> str:
    return f"{table}__rows"


def _select_list(table: str) -> str:
    """The stored columns and valid_from as PostgreSQL sends them fastest: NUMERIC as text (the ADBC
    driver decodes NUMERIC slowly, about half the copy's time); DuckDB casts the text back exactly."""
    return ", ".join(f"{c}::text AS {c}" if SQL_TYPES[column_kind(table, c)].startswith("DECIMAL") else c
                     for c in STORED_COLUMNS[table]) + ", valid_from"


class EngineCopy:
    def __init__(self, pool, tables: tuple[str, ...] = ENGINE_TABLES):
        self._pool = pool
        self.tables = tables
        self.data_tables = tuple(t for t in tables if t in TABLES)
        self.small_tables = tuple(t for t in tables if t not in TABLES)
        self._lock = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._version = None
        self._last_batch = 0
        self._local = threading.local()
        self._adbc = None
        self.refreshes = 0  # copies made or brought up to date
        self.full_copies = 0
        self.last_refresh_seconds: float | None = None

    # --- reading -------------------------------------------------------------------------------

    def version(self):
        from ksln_metrics.db.cursors import PgReader

        return tuple(PgReader(self._pool).execute(VERSION_SQL).fetchone())

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor, in a read transaction on a copy at least as new as the store was at the call."""
        version = self.version()
        if self._con is None or self._version != version:
            with self._lock:
                if self._con is None or self._version != version:
                    self._refresh()
        local = self._local
        if getattr(local, "con", None) is not self._con:
            local.cursor = self._con.cursor()
            local.con = self._con
            local.open = False
        cur = local.cursor
        if local.open:
            try:
                cur.rollback()  # the thread's previous computation is over: read the newest version
            except duckdb.Error:
                pass  # no transaction left open (the caller ended it)
        cur.begin()
        local.open = True
        return cur

    def thread_copy(self) -> duckdb.DuckDBPyConnection | None:
        """The copy (its DuckDB connection) this thread's last ``cursor()`` reads."""
        return getattr(self._local, "con", None)

    # --- refreshing ------------------------------------------------------------------------------

    def refresh(self, *, full: bool = False) -> float:
        """Bring the copy up to date now (``full``: make it again from scratch); the seconds it took."""
        with self._lock:
            if full:
                self._drop()
            self._refresh()
        return self.last_refresh_seconds

    def _connect_adbc(self):
        import adbc_driver_postgresql.dbapi as adbc

        if self._adbc is None:
            self._adbc = adbc.connect(self._pool.url)
        return self._adbc

    def _refresh(self) -> None:
        try:
            self._refresh_once()
        except Exception:  # noqa: BLE001 - e.g. the server closed the kept connection: once more, anew
            self._refresh_once()

    def _refresh_once(self) -> None:
        start = time.perf_counter()
        source = self._connect_adbc()
        try:
            with source.cursor() as pg:
                pg.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    pg.execute(VERSION_SQL)
                    version = tuple(int(v) for v in pg.fetchone())
                    pg.execute(LAST_BATCH_SQL)
                    last_batch = int(pg.fetchone()[0])
                    if self._con is None or last_batch < self._last_batch:
                        self._full_copy(pg)
                    else:
                        self._delta_copy(pg, last_batch)
                finally:
                    pg.execute("COMMIT")
        except Exception:
            self._close_adbc()
            raise
        self._version, self._last_batch = version, last_batch
        self.refreshes += 1
        self.last_refresh_seconds = time.perf_counter() - start

    def _fetch(self, pg, sql: str, params=None):
        pg.execute(sql, params)
        return pg.fetch_arrow_table()

    def _full_copy(self, pg) -> None:
        self._drop()
        con = duckdb.connect(":memory:")
        try:
            for table in self.data_tables:
                cols = STORED_COLUMNS[table]
                types = ", ".join(f"{c} {SQL_TYPES[column_kind(table, c)]}" for c in cols)
                con.execute(f"CREATE TABLE {_rows(table)} ({types}, valid_from BIGINT)")
                con.execute(f"CREATE VIEW {table} AS SELECT {', '.join(cols)} FROM {_rows(table)}")
                arrow = self._fetch(pg, f"SELECT {_select_list(table)} FROM {history_table(table)} "
                                        "WHERE valid_to IS NULL")
                self._insert(con, _rows(table), arrow)
            for table in self.small_tables:
                con.execute(_small_table_ddl(table))
                self._copy_small(con, pg, table)
        except Exception:
            con.close()
            raise
        self._con = con
        self.full_copies += 1

    def _delta_copy(self, pg, last_batch: int) -> None:
        seen = self._last_batch
        con = self._con.cursor()
        try:
            con.begin()
            if last_batch > seen:
                for table in self.data_tables:
                    key = TABLES[table].key
                    h = history_table(table)
                    closed = self._fetch(pg, f"SELECT {', '.join(key)}, valid_from FROM {h} "
                                             "WHERE valid_to > $1 AND valid_from <= $1", (seen,))
                    if closed.num_rows:
                        con.register("closed_rows", closed)
                        match = " AND ".join(f"r.{k} IS NOT DISTINCT FROM c.{k}" for k in key)
                        con.execute(f"DELETE FROM {_rows(table)} r USING closed_rows c "
                                    f"WHERE r.valid_from = c.valid_from AND {match}")
                        con.unregister("closed_rows")
                    added = self._fetch(pg, f"SELECT {_select_list(table)} FROM {h} "
                                            "WHERE valid_from > $1 AND valid_to IS NULL", (seen,))
                    if added.num_rows:
                        self._insert(con, _rows(table), added)
            for table in self.small_tables:
                con.execute(f"DELETE FROM {table}")
                self._copy_small(con, pg, table)
            con.commit()
        except Exception:
            con.rollback()
            raise
        finally:
            con.close()

    def _copy_small(self, con, pg, table: str) -> None:
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        self._insert(con, table, self._fetch(pg, f"SELECT {', '.join(columns)} FROM {table}"))

    @staticmethod
    def _insert(con, table: str, arrow) -> None:
        # By name and with DuckDB's casts: PostgreSQL NUMERIC may arrive as text, DOUBLE as float8.
        columns = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
        types = {r[0]: r[1] for r in con.execute(f"DESCRIBE {table}").fetchall()}
        con.register("incoming_arrow", arrow)
        try:
            casts = ", ".join(f"CAST({c} AS {types[c]})" for c in columns)
            con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {casts} FROM incoming_arrow")
        finally:
            con.unregister("incoming_arrow")

    # --- closing ---------------------------------------------------------------------------------

    def _close_adbc(self) -> None:
        if self._adbc is not None:
            try:
                self._adbc.close()
            except Exception:  # noqa: BLE001 - already broken; a new one is opened next time
                pass
            self._adbc = None

    def _drop(self) -> None:
        # Threads still reading the old copy keep it through their cursors until they ask again.
        self._con, self._version, self._last_batch = None, None, 0

    def close(self) -> None:
        with self._lock:
            self._close_adbc()
            if self._con is not None:
                self._con.close()
            self._drop()
