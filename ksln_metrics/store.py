"""The store: schema, connections, the single write path, batches and rollback — on DuckDB or PostgreSQL.

Every data table is kept as a history table of row versions: a version is valid from the
batch that wrote it until the batch that replaced or removed it (``valid_to``). The
tables the rest of the code reads (``perjanjian``, ``kegiatan``, ``indikator``,
``laporan``) are views of the versions still valid, so every earlier state can be
reconstructed and nothing is ever deleted: a removal is a batch that closes a version.

``KSLN_DB`` is a DuckDB file (the embedded default) or ``postgresql://USER@HOST:PORT/DB``;
the connection API both share is described in ``ksln_metrics.db``. On PostgreSQL several
processes write at once: batches (commit, rollback) are serialised by a transaction-level
advisory lock, so each lands in its own transaction, batch ids follow commit order and two
uploads touching the same rows apply one after the other (the second sees the first's rows,
exactly as if they had been uploaded one by one). A writer that waits longer than
``PG_LOCK_TIMEOUT`` (``KSLN_PG_LOCK_TIMEOUT``) gets ``StoreBusy``, like a locked DuckDB file.
"""

from __future__ import annotations

import json
import os
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ksln_metrics.access import ADMIN, Actor, User, actor_name, data_change_refusal, rollback_refusal
from ksln_metrics.db import check_location, is_postgres, safe_location
from ksln_metrics.db.cursors import DuckCursor, PgCursor, PgReader, arrow_to_csv, rows_to_frame
from ksln_metrics.db.errors import BUSY_MESSAGE, StoreBusy, StoreError
from ksln_metrics.db.migrations import (
    ACCESS_SCHEMA,
    DATA_WRITE_LOCK,
    ID_LOCK_BASE,
    LAST_BATCH_SQL,
    history_table,
    migrate,
)
from ksln_metrics.paths import DATA_DIR
from ksln_metrics.reference import (
    CHILD_TABLES,
    SQL_TYPES,
    STORED_COLUMNS,
    TABLES,
    column_kind,
)

__all__ = ["BUSY_MESSAGE", "AccessDenied", "BatchResult", "Store", "StoreBusy", "StoreError", "TableChange"]

DEFAULT_DB = DATA_DIR / "ksln.duckdb"
_ACCESS_SCHEMA = ACCESS_SCHEMA  # where it was before migrations: kept for importers

BATCH_KINDS = ("unggah", "contoh", "pembatalan", "perubahan_manual")  # upload, sample data, rollback, one-row edit
_BATCH_AUDIT = {"contoh": "data_contoh", "perubahan_manual": "perubahan_manual"}  # audit action; others "unggah"

PG_LOCK_TIMEOUT = "60s"  # how long a batch waits for another; KSLN_PG_LOCK_TIMEOUT overrides


def default_db_location() -> str | Path:
    """``KSLN_DB`` when set (a file path or a postgresql:// URL), else ``data/ksln.duckdb`` of the project."""
    value = os.environ.get("KSLN_DB")
    return store_location(value) if value else DEFAULT_DB


def store_location(text: str | Path) -> str | Path:
    """A ``--db`` argument as a store location: a postgresql:// URL stays text, anything else is a path."""
    return str(text) if is_postgres(str(text)) else Path(text)


def store_exists(location: str | Path) -> bool:
    """Whether there is a store to read: the DuckDB file exists; a PostgreSQL URL says so when opened."""
    return is_postgres(str(location)) or Path(location).is_file()


def default_db_path() -> str | Path:
    """Kept name: the store location of ``KSLN_DB`` (a Path, or a PostgreSQL URL as a string)."""
    return default_db_location()


class AccessDenied(StoreError):
    """The acting user's role does not allow this change (see ``ksln_metrics.access``)."""


@dataclass
class TableChange:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.deleted)


@dataclass
class BatchResult:
    batch_id: int | None  # None when nothing changed and no batch was written
    changes: dict[str, TableChange] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(c.changed for c in self.changes.values())


class _Discard(Exception):  # noqa: N818 - control flow: leave a write transaction without committing
    def __init__(self, result):
        self.result = result


def _describe_batch(regions: set[str], replace: bool, changes: dict[str, TableChange]) -> str:
    """``36.02; perjanjian: 3 baru, 1 diubah`` — what a batch did, for the audit trail."""
    counts = "; ".join(
        f"{table}: {c.new} baru, {c.updated} diubah" + (f", {c.deleted} dihapus" if c.deleted else "")
        for table, c in changes.items() if c.changed
    )
    where = ", ".join(sorted(regions)) or "-"
    return f"kab/kota {where}" + ("; mode ganti" if replace else "") + (f"; {counts}" if counts else "")


def _key(table: str) -> tuple[str, ...]:
    return TABLES[table].key


def _columns(table: str) -> tuple[str, ...]:
    return STORED_COLUMNS[table]


_history = history_table


def _select(rows: pd.DataFrame | pa.Table, columns) -> pd.DataFrame | pa.Table:
    """The ``columns`` of a table's rows, given as a DataFrame or as an Arrow table."""
    return rows.select(list(columns)) if isinstance(rows, pa.Table) else rows[list(columns)]


def _has_rows(rows: pd.DataFrame | pa.Table | None) -> bool:
    return rows is not None and (rows.num_rows if isinstance(rows, pa.Table) else len(rows)) > 0


def _values(rows: pd.DataFrame | pa.Table, column: str) -> set:
    """The distinct non-empty values of one column."""
    if isinstance(rows, pa.Table):
        return set(pc.unique(rows.column(column).drop_null()).to_pylist())
    return set(rows[column].dropna())


def _casts(table: str, alias: str | None = None) -> str:
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"CAST({prefix}{c} AS {SQL_TYPES[column_kind(table, c)]}) AS {c}" for c in _columns(table))


# Store.data_version on DuckDB: what the engine reads changes with a batch or an attachment.
_DUCKDB_VERSION_SQL = (f"SELECT ({LAST_BATCH_SQL}), (SELECT count(*) FROM lampiran), "
                       "(SELECT COALESCE(max(lampiran_id), 0) FROM lampiran)")


class Store:
    """One store: a DuckDB file (a connection, a cursor per thread, one write lock) or a PostgreSQL database."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        location = path if path else default_db_location()
        self._local = threading.local()
        self._write_lock = threading.RLock()  # re-entrant: a write may audit itself
        self._engine_copy = None
        self._read_only = read_only
        if is_postgres(str(location)):
            self._open_postgres(check_location(str(location)), read_only)
        else:
            self._open_duckdb(Path(location), read_only)

    def _open_duckdb(self, path: Path, read_only: bool) -> None:
        self.dialect = "duckdb"
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreBusy(BUSY_MESSAGE) from exc
            raise
        if not read_only:
            with self.write() as cur:
                migrate(cur, self.dialect)
                self._check_scope(cur)
        else:  # a file written before the binding existed has no store_info table yet
            tables = set(self.query("SELECT table_name FROM information_schema.tables")["table_name"])
            if "perjanjian_history" in tables:
                self._check_scope(self.cursor(), info="store_info" in tables)

    def _open_postgres(self, url: str, read_only: bool) -> None:
        from ksln_metrics.db.engine_copy import EngineCopy
        from ksln_metrics.db.postgres import Pool

        self.dialect = "postgres"
        self.path = url
        self._con = None
        self._pool = Pool(url)
        with self._pool.connection() as con:  # fail now, with a clear message, if unreachable
            con.rollback()
        if not read_only:
            with self.write() as cur:
                migrate(cur, self.dialect)
                self._check_scope(cur)
        self._engine_copy = EngineCopy(self._pool)

    @property
    def location(self) -> str:
        """Where the store is, safe to show (a PostgreSQL URL never holds a password)."""
        return safe_location(self.path)

    # --- connections -----------------------------------------------------------------

    def cursor(self):
        """This thread's DuckDB cursor; on PostgreSQL a reader on pooled connections (see ksln_metrics.db)."""
        if self.dialect == "postgres":
            return PgReader(self._pool)
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def engine_cursor(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB cursor over the engine's tables: the file itself, or PostgreSQL's rows copied per data version."""
        if self.dialect == "postgres":
            return self._engine_copy.cursor()
        return self.cursor()

    def engine_generation(self) -> object:
        """The copy of the data the thread's last ``engine_cursor()`` reads: the DuckDB connection, or
        on PostgreSQL the in-memory copy (a new one after a full copy). With the last batch id the
        cursor sees, it names the data the engine read (what the engine keeps per data version is
        keyed by both)."""
        if self.dialect == "postgres":
            return self._engine_copy.thread_copy()
        return self._con

    def data_version(self):
        """Changes whenever the engine's tables change (a batch, a rollback, an attachment).

        On DuckDB: the last batch and the attachments (the engine reads them: "naskah belum diarsipkan"),
        which are written outside batches and never removed. On PostgreSQL: the engine copy's version.
        """
        if self.dialect == "postgres":
            return self._engine_copy.version()
        return tuple(self.cursor().execute(_DUCKDB_VERSION_SQL).fetchall()[0])

    def query(self, sql: str, params: list | tuple | dict | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def close(self) -> None:
        if self.dialect == "postgres":
            if self._engine_copy is not None:
                self._engine_copy.close()
            self._pool.close()
        else:
            self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def in_list(self, column: str, param: str) -> str:
        """SQL text: ``column`` is one of the list parameter ``param`` (``$name`` or ``?``)."""
        if self.dialect == "postgres":
            return f"{column} = ANY({param})"
        return f"list_contains({param}, {column})"

    # --- reading -----------------------------------------------------------------------

    def table(self, table: str) -> pd.DataFrame:
        """Current rows of one data table, in key order."""
        sql = f"SELECT {', '.join(_columns(table))} FROM {table} ORDER BY {', '.join(_key(table))}"
        if self.dialect == "postgres":  # the engine's copy (as new as the store): no trip through Python objects
            return self.engine_cursor().execute(sql).df()
        return self.query(sql)

    def snapshot(self) -> dict[str, pd.DataFrame]:
        return {t: self.table(t) for t in TABLES}

    def state_at(self, batch_id: int) -> dict[str, pd.DataFrame]:
        """Every data table as it was right after ``batch_id``."""
        state = {}
        for table in TABLES:
            cols = ", ".join(_columns(table))
            order = ", ".join(_key(table))
            state[table] = self.query(
                f"SELECT {cols} FROM {_history(table)} WHERE valid_from <= ? "
                f"AND (valid_to IS NULL OR valid_to > ?) ORDER BY {order}",
                [batch_id, batch_id],
            )
        return state

    def batches(self) -> pd.DataFrame:
        """Upload history, newest first, with counts per batch."""
        return self.query(
            """SELECT b.batch_id, b.kind, b.file_name, b.sha256, b.user_name, b.created_at,
                      b.kabkota, b.replace_mode, b.rolls_back, b.rolled_back_by,
                      CAST(COALESCE(SUM(c.new_rows), 0) AS INTEGER) AS new_rows,
                      CAST(COALESCE(SUM(c.updated_rows), 0) AS INTEGER) AS updated_rows,
                      CAST(COALESCE(SUM(c.unchanged_rows), 0) AS INTEGER) AS unchanged_rows,
                      CAST(COALESCE(SUM(c.deleted_rows), 0) AS INTEGER) AS deleted_rows
               FROM batch b LEFT JOIN batch_count c ON c.batch_id = b.batch_id
               GROUP BY b.batch_id, b.kind, b.file_name, b.sha256, b.user_name, b.created_at,
                        b.kabkota, b.replace_mode, b.rolls_back, b.rolled_back_by
               ORDER BY b.batch_id DESC"""
        )

    def batch_file(self, batch_id: int) -> tuple[str, bytes] | None:
        """The file a batch was read from, as uploaded (name, bytes)."""
        rows = self.cursor().execute(
            "SELECT file_name, content, codec, size_bytes FROM batch_file WHERE batch_id = ?", [batch_id]
        ).fetchall()
        if not rows:
            return None
        name, content, codec, size = rows[0]
        return name, _unpacked_file(bytes(content), codec, size)

    def has_sample_data(self) -> bool:
        """True when rows written by the sample-data command are still in effect."""
        return bool(self._scalar(
            self.cursor(), "SELECT count(*) FROM batch WHERE kind = 'contoh' AND rolled_back_by IS NULL"
        ))

    def is_empty(self) -> bool:
        return not self.cursor().execute("SELECT count(*) FROM perjanjian").fetchall()[0][0]

    def known_agreements(self) -> pd.DataFrame:
        return self.query("SELECT id_perjanjian, kabkota FROM perjanjian")

    # --- transactions ------------------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[DuckCursor | PgCursor]:
        """A cursor in one transaction: committed when the block ends, rolled back on error (see ksln_metrics.db)."""
        if self.dialect == "postgres":
            with self._pool.connection() as con:
                try:
                    with con.transaction():
                        yield PgCursor(con.cursor())
                except Exception as exc:
                    _raise_busy(exc)
                    raise
            return
        with self._write_lock:
            raw = self._con.cursor()
            try:
                raw.begin()
                yield DuckCursor(raw)
                raw.commit()
            except BaseException:
                raw.rollback()
                raise
            finally:
                raw.close()

    @contextmanager
    def _batch_write(self) -> Iterator[DuckCursor | PgCursor]:
        """``write()`` for the batch path: on PostgreSQL, one batch at a time across every process."""
        with self._one_thread(), self.write() as cur:
            if self.dialect == "postgres":
                cur.execute(f"SET LOCAL lock_timeout = '{_interval(os.environ.get('KSLN_PG_LOCK_TIMEOUT', PG_LOCK_TIMEOUT))}'")
                cur.execute("SELECT pg_advisory_xact_lock(?)", [DATA_WRITE_LOCK]).fetchall()
            self._check_scope(cur, bind=True)
            yield cur
            if self.dialect == "postgres":  # the pooled session would keep the staged rows
                cur.execute("DROP TABLE IF EXISTS pg_temp.incoming, pg_temp.closing, pg_temp.closing_keys")

    @contextmanager
    def _one_thread(self) -> Iterator[None]:
        """DuckDB runs on one thread while a batch is written, then on as many as before.

        A batch inserts one upload's rows: a 100k-row file's is less than one row group (122,880 rows),
        and DuckDB's parallel insert then costs more in handing rows between its two threads than it
        gains; the commit of such a batch takes about a sixth less time on one thread (0.119 -> 0.101 s,
        bench/bench_ingest.py). The setting is the database's, not the cursor's: a page computed during
        those milliseconds runs on one thread too.
        """
        if self.dialect != "duckdb":
            yield
            return
        # Under the write lock: two batches of this process never interleave their setting and restoring.
        with self._write_lock:
            cur = self.cursor()  # this thread's: a connection object serves one thread at a time
            before = cur.execute("SELECT current_setting('threads')").fetchall()[0][0]
            cur.execute("SET threads = 1")
            try:
                yield
            finally:
                cur.execute(f"SET threads = {int(before)}")

    def _check_scope(self, cur, *, bind: bool = False, info: bool = True) -> None:
        """A store holds the data of one scope (a province, or the national view): opened under another
        ``KSLN_PROVINSI`` it is refused, rather than showing that province's units empty beside rows of others.

        The first batch binds the store to the scope it is written in (``bind``). A store written before
        the binding existed is bound at opening to the province of its units (to the scope it is opened in
        when they span several provinces, as the synthetic load-test stores do)."""
        from ksln_metrics.reference import NATIONAL, province_names, province_of, scope

        here = scope().code
        found = cur.execute("SELECT value FROM store_info WHERE key = 'wilayah'").fetchall() if info else []
        bound = found[0][0] if found else None
        if bound is None and not bind:
            units = {r[0] for r in cur.execute("SELECT DISTINCT kabkota FROM perjanjian_history").fetchall() if r[0]}
            provinces = {province_of(u) for u in units}
            if provinces:  # one province's units: that province; several (a synthetic load store): as opened
                bound, bind = provinces.pop() if len(provinces) == 1 else here, True
        if bound is None:
            bound = here
        if bind and not found and not self._read_only:
            cur.execute("INSERT INTO store_info (key, value) VALUES ('wilayah', ?) ON CONFLICT (key) DO NOTHING", [bound])
        if bound != here:
            def title(code: str) -> str:
                return "tampilan nasional" if code == NATIONAL else f"Provinsi {province_names().get(code, code)}"

            raise StoreError(
                f"Basis data {self.location} berisi data {title(bound)}, sedangkan aplikasi ini diatur untuk "
                f"{title(here)} (KSLN_PROVINSI={here}). Setel KSLN_PROVINSI={bound} untuk basis data ini, "
                "atau pakai basis data lain (KSLN_DB)."
            )

    @staticmethod
    def next_id(cur, table: str, column: str) -> int:
        """``MAX(column) + 1`` of ``table`` inside ``cur``'s transaction, safe while other processes write."""
        return next_id(cur, table, column)

    # --- the write path ----------------------------------------------------------------

    def preview(self, tables: dict[str, pd.DataFrame], regions: set[str], *, replace: bool = False) -> dict[str, TableChange]:
        """What committing ``tables`` would change, computed in a transaction that is rolled back."""
        try:
            with self.write() as cur:
                raise _Discard(self._apply(cur, 0, tables, regions, replace, write=False))
        except _Discard as done:
            return done.result

    def commit(
        self,
        tables: dict[str, pd.DataFrame],
        *,
        user: Actor,
        kind: str = "unggah",
        file_name: str | None = None,
        content: bytes | None = None,
        sha256: str | None = None,
        regions: set[str] | None = None,
        replace: bool = False,
        remove: dict[str, pd.DataFrame] | None = None,
        stored_file: tuple[bytes, str | None] | None = None,
    ) -> BatchResult:
        """Upsert the rows of one upload as one batch, in one transaction, under the write lock.

        ``remove`` maps tables to frames of key columns whose current rows the batch closes
        (a manual edit that changes a row's key); a rollback restores them like any other.
        ``stored_file`` is ``packed_file(content)`` when the caller has it already (the importer
        packs a file while the worker reads it), so that the batch does not pack it again.

        ``tables`` maps table names to frames of stored columns. When nothing would
        change, no batch is written and ``batch_id`` is None. Raises AccessDenied, writes
        nothing but an audit entry, when ``user`` may not change every unit the rows touch.
        """
        if kind not in BATCH_KINDS:
            raise ValueError(f"unknown batch kind {kind!r}")
        regions = set(regions or ())
        with self._write_lock:
            refusal = self.change_refusal(user, tables, regions)
            if refusal:
                self.audit(user, "unggah_ditolak", target=file_name, detail=refusal)
                raise AccessDenied(refusal)
            try:
                with self._batch_write() as cur:
                    # Checked again inside the lock: another process may have moved an agreement since.
                    if self.dialect == "postgres":
                        refusal = self.change_refusal(user, tables, regions, cur=cur)
                        if refusal:
                            raise _Discard(refusal)
                    batch_id = self._next_batch_id(cur)
                    changes = self._apply(cur, batch_id, tables, regions, replace, write=True)
                    for table, keys in (remove or {}).items():
                        changes.setdefault(table, TableChange()).deleted += self._close_keys(cur, batch_id, table, keys)
                    if not any(c.changed for c in changes.values()):
                        raise _Discard(BatchResult(None, changes))
                    cur.execute(
                        "INSERT INTO batch (batch_id, kind, file_name, sha256, user_name, created_at, kabkota, "
                        "replace_mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [batch_id, kind, file_name, sha256, actor_name(user), datetime.now(),
                         ";".join(sorted(regions)), replace],
                    )
                    self._insert_audit(
                        cur, user, _BATCH_AUDIT.get(kind, "unggah"), target=file_name,
                        detail=_describe_batch(regions, replace, changes), batch_id=batch_id,
                    )
                    self._record_counts(cur, batch_id, changes)
                    if content is not None:
                        stored, codec = stored_file if stored_file is not None else packed_file(content)
                        cur.execute(
                            "INSERT INTO batch_file (batch_id, file_name, sha256, size_bytes, content, codec) "
                            "VALUES (?, ?, ?, ?, ?, ?)",
                            [batch_id, file_name or "", sha256 or "", len(content), stored, codec],
                        )
                    return BatchResult(batch_id, changes)
            except _Discard as done:
                if isinstance(done.result, str):
                    self.audit(user, "unggah_ditolak", target=file_name, detail=done.result)
                    raise AccessDenied(done.result) from None
                if kind == "unggah":  # a person's upload is an action even when it changes nothing
                    self.audit(user, "unggah", target=file_name, detail="tidak ada perubahan")
                return done.result

    def rollback(self, batch_id: int, *, user: Actor) -> BatchResult:
        """Undo one batch by a new batch that restores the rows it replaced or removed.

        Refused when a later batch changed the same rows: that one must be undone first;
        and (AccessDenied) when ``user`` may not change every unit the batch touched.
        """
        with self._write_lock:
            refusal = self._rollback_refusal(user, batch_id)
            if refusal:
                self.audit(user, "pembatalan_ditolak", target=f"batch #{batch_id}", detail=refusal)
                raise AccessDenied(refusal)
            with self._batch_write() as cur:
                rows = cur.execute(
                    "SELECT kind, rolled_back_by FROM batch WHERE batch_id = ?", [batch_id]
                ).fetchall()
                if not rows:
                    raise StoreError(f"Batch #{batch_id} tidak ditemukan.")
                kind, rolled_back_by = rows[0]
                if kind == "pembatalan":
                    raise StoreError(
                        f"Batch #{batch_id} adalah pembatalan; untuk mengembalikan data, unggah ulang berkasnya."
                    )
                if rolled_back_by is not None:
                    raise StoreError(f"Batch #{batch_id} sudah dibatalkan oleh batch #{rolled_back_by}.")
                conflicts = self._rollback_conflicts(cur, batch_id)
                if conflicts:
                    later = ", ".join(f"#{b}" for b in conflicts)
                    raise StoreError(
                        f"Batch #{batch_id} tidak dapat dibatalkan karena datanya sudah diubah lagi oleh batch "
                        f"{later}. Batalkan batch tersebut lebih dulu."
                    )
                new_id = self._next_batch_id(cur)
                changes = {}
                for table in TABLES:
                    changes[table] = self._undo_table(cur, table, batch_id, new_id)
                regions = cur.execute("SELECT kabkota FROM batch WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
                cur.execute(
                    "INSERT INTO batch (batch_id, kind, user_name, created_at, kabkota, rolls_back) "
                    "VALUES (?, 'pembatalan', ?, ?, ?, ?)",
                    [new_id, actor_name(user), datetime.now(), regions, batch_id],
                )
                cur.execute("UPDATE batch SET rolled_back_by = ? WHERE batch_id = ?", [new_id, batch_id])
                self._record_counts(cur, new_id, changes)
                self._insert_audit(
                    cur, user, "pembatalan", target=f"batch #{batch_id}",
                    detail=_describe_batch(set(filter(None, (regions or "").split(";"))), False, changes),
                    batch_id=new_id,
                )
                return BatchResult(new_id, changes)

    # --- who may write: checks and the audit trail ------------------------------------------

    def change_refusal(self, user: Actor, tables: dict[str, pd.DataFrame], regions: set[str],
                       *, cur=None) -> str | None:
        """Why ``user`` may not commit ``tables`` (message in Bahasa Indonesia), or None when allowed.

        The units checked are the upload's regions, the units of its agreements, and the
        units the agreements it touches belong to now: an analyst cannot move another
        unit's agreement into their own by reusing its id.
        """
        if not isinstance(user, User) or user.role == ADMIN:
            return None
        touched = set(regions)
        ids: set[str] = set()
        for name, frame in tables.items():
            if not _has_rows(frame):
                continue
            ids |= _values(frame, "id_perjanjian")
            if name == "perjanjian":
                touched |= _values(frame, "kabkota")
        if ids and self.dialect == "postgres":
            reader = cur if cur is not None else self.cursor()
            rows = reader.execute(
                "SELECT DISTINCT kabkota FROM perjanjian WHERE id_perjanjian = ANY(?) AND kabkota IS NOT NULL",
                [sorted(str(i) for i in ids)],
            ).fetchall()
            touched |= {r[0] for r in rows}
        elif ids:
            raw = self._con.cursor()
            try:
                raw.register("touched_ids", pd.DataFrame({"id_perjanjian": sorted(ids)}))
                rows = raw.execute(
                    "SELECT DISTINCT p.kabkota FROM perjanjian p JOIN touched_ids t USING (id_perjanjian) "
                    "WHERE p.kabkota IS NOT NULL"
                ).fetchall()
                raw.unregister("touched_ids")
            finally:
                raw.close()
            touched |= {r[0] for r in rows}
        return data_change_refusal(user, touched)

    def batch_regions(self, batch_id: int) -> set[str]:
        """Every unit whose rows ``batch_id`` wrote or closed, and the units it was recorded for."""
        cur = self.cursor()
        stored = cur.execute("SELECT kabkota FROM batch WHERE batch_id = ?", [batch_id]).fetchall()
        regions = set(filter(None, (stored[0][0] or "").split(";"))) if stored else set()
        children = " UNION ".join(
            f"SELECT id_perjanjian FROM {_history(t)} WHERE valid_from = $b OR valid_to = $b" for t in CHILD_TABLES
        )
        rows = cur.execute(
            f"""SELECT DISTINCT kabkota FROM perjanjian_history
                WHERE (valid_from = $b OR valid_to = $b
                       OR id_perjanjian IN ({children})) AND kabkota IS NOT NULL""",
            {"b": batch_id},
        ).fetchall()
        return regions | {r[0] for r in rows}

    def _rollback_refusal(self, user: Actor, batch_id: int) -> str | None:
        if not isinstance(user, User) or user.role == ADMIN:
            return None
        return rollback_refusal(user, batch_id, self.batch_regions(batch_id))

    def audit(self, user: Actor, action: str, *, target: str | None = None, detail: str | None = None,
              data: dict | list | None = None, when: datetime | None = None) -> int:
        """Record one action in the audit trail, in its own transaction; return its id."""
        with self.write() as cur:
            return self._insert_audit(cur, user, action, target=target, detail=detail, data=data, when=when)

    def audit_in(self, cur, user: Actor, action: str, **details) -> int:
        """Record an audit entry inside the caller's ``write()`` transaction (kept or undone with it)."""
        return self._insert_audit(cur, user, action, **details)

    @staticmethod
    def _insert_audit(cur, user: Actor, action: str, *, target: str | None = None, detail: str | None = None,
                      data: dict | list | None = None, batch_id: int | None = None,
                      when: datetime | None = None) -> int:
        audit_id = next_id(cur, "audit", "audit_id")
        cur.execute(
            "INSERT INTO audit (audit_id, created_at, user_name, action, target, detail, data_json, batch_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [audit_id, when or datetime.now(), actor_name(user), action, target, detail,
             None if data is None else json.dumps(data, ensure_ascii=False, default=str), batch_id],
        )
        return audit_id

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    def _scalar(cur, sql: str, params=None):
        # fetchall: DuckDB refuses new work on a cursor with an unfinished result.
        return cur.execute(sql, params or []).fetchall()[0][0]

    def _dml(self, cur, sql: str, params=None) -> int:
        """Run an INSERT/UPDATE; how many rows it touched."""
        cur.execute(sql, params if params is not None else [])
        if self.dialect == "postgres":
            return cur.rowcount
        return cur.fetchall()[0][0]

    @staticmethod
    def _next_batch_id(cur) -> int:
        return cur.execute("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM batch").fetchall()[0][0]

    @staticmethod
    def _record_counts(cur, batch_id: int, changes: dict[str, TableChange]) -> None:
        for table, c in changes.items():
            cur.execute(
                "INSERT INTO batch_count (batch_id, table_name, new_rows, updated_rows, unchanged_rows, deleted_rows) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [batch_id, table, c.new, c.updated, c.unchanged, c.deleted],
            )

    def _apply(self, cur, batch_id, tables, regions, replace, *, write) -> dict[str, TableChange]:
        changes: dict[str, TableChange] = {}
        # Agreements first: the children's replace scope and cascade follow them.
        for table in ("perjanjian", *CHILD_TABLES):
            frame = tables.get(table)
            if frame is None and not replace:
                continue
            changes[table] = self._apply_table(cur, batch_id, table, frame, regions, replace, write)
        return changes

    def _drop_temp(self, cur, name: str) -> None:
        if name in getattr(cur, "views", ()):  # DuckDB: rows staged as a view over their Arrow table
            cur.execute(f"DROP VIEW {name}")
            cur.unregister(f"{name}_frame")
            cur.views.discard(name)
            return
        # pg_temp: never a permanent table of that name, should one exist.
        cur.execute(f"DROP TABLE IF EXISTS {'pg_temp.' if self.dialect == 'postgres' else ''}{name}")

    def _temp_table(self, cur, name: str, table: str, columns: tuple[str, ...]) -> None:
        """An empty temporary table ``name`` with ``columns`` typed as in ``table``'s history."""
        self._drop_temp(cur, name)
        cols = ", ".join(f"{c} {SQL_TYPES[column_kind(table, c)]}" for c in columns)
        types = cols.replace(" DOUBLE", " DOUBLE PRECISION") if self.dialect == "postgres" else cols
        cur.execute(f"CREATE TEMP TABLE {name} ({types})")

    def _stage(self, cur, table: str, frame: pd.DataFrame | pa.Table | None, name: str = "incoming",
               columns: tuple[str, ...] | None = None) -> None:
        """``frame``'s ``columns`` (all stored ones by default) cast to the stored types, as temp table ``name``.

        ``frame`` is a DataFrame or an Arrow table (an upload's rows as the import worker sent them).
        """
        cols = columns or _columns(table)
        casts = ", ".join(f"CAST({c} AS {SQL_TYPES[column_kind(table, c)]}) AS {c}" for c in cols)
        if self.dialect == "duckdb":
            self._drop_temp(cur, name)
            if frame is None:
                cur.execute(f"CREATE TEMP TABLE {name} AS SELECT {casts} FROM {table} LIMIT 0")
                return
            if isinstance(frame, pa.Table):
                # Arrow columns are read where they are by each statement: no copy into a temporary table.
                cur.register(f"{name}_frame", _select(frame, cols))
                cur.execute(f"CREATE TEMP VIEW {name} AS SELECT {casts} FROM {name}_frame")
                cur.views.add(name)
                return
            cur.register(f"{name}_frame", _select(frame, cols))
            cur.execute(f"CREATE TEMP TABLE {name} AS SELECT {casts} FROM {name}_frame")
            cur.unregister(f"{name}_frame")  # not in a finally: after an error it would hide the error
            return
        self._temp_table(cur, name, table, cols)
        if not _has_rows(frame):
            return
        # The same casts as on DuckDB (DuckDB does them), then COPY of the typed rows as CSV.
        with duckdb.connect() as local:
            local.register("frame", _select(frame, cols))
            typed = local.sql(f"SELECT {casts} FROM frame").to_arrow_table()
        cur.copy_csv(name, list(cols), arrow_to_csv(typed))
        cur.execute(f"ANALYZE {name}")  # temporary tables have no statistics until asked: plans need them

    def _apply_table(self, cur, batch_id, table, frame, regions, replace, write) -> TableChange:
        cols = _columns(table)
        key = _key(table)
        on = " AND ".join(f"cur.{k} = inc.{k}" for k in key)
        differs = " OR ".join(f"cur.{c} IS DISTINCT FROM inc.{c}" for c in cols if c not in key) or "FALSE"
        self._stage(cur, table, frame)
        # One join of the file's rows with the current ones counts both the rows that exist and those that differ.
        total, existing, updated = cur.execute(
            f"SELECT (SELECT count(*) FROM incoming), count(*), count(*) FILTER (WHERE {differs}) "
            f"FROM incoming inc JOIN {table} cur ON {on}"
        ).fetchall()[0]
        change = TableChange(new=total - existing, updated=updated, unchanged=existing - updated)

        # Rows to close: changed ones, and under replace the rows of the file's regions it lacks.
        # A removed agreement takes its children with it.
        self._drop_temp(cur, "closing")
        keys = ", ".join(f"cur.{k}" for k in key)
        if updated:
            cur.execute(f"CREATE TEMP TABLE closing AS SELECT {keys} FROM {table} cur JOIN incoming inc ON {on} WHERE {differs}")
        else:  # nothing differs: the same (empty) table without a second join
            cur.execute(f"CREATE TEMP TABLE closing AS SELECT {keys} FROM {table} cur LIMIT 0")
        if self.dialect == "postgres":
            cur.execute("ANALYZE closing")
        scope = self._replace_scope(table, replace, frame is not None)
        if scope:
            anti = " AND ".join(f"inc.{k} = cur.{k}" for k in key)
            change.deleted = self._dml(
                cur,
                f"INSERT INTO closing SELECT {keys} FROM {table} cur WHERE ({scope}) "
                f"AND NOT EXISTS (SELECT 1 FROM incoming inc WHERE {anti})",
                {"regions": sorted(regions)} if "$regions" in scope else [],
            )
        if write:
            if updated or change.deleted:
                match = " AND ".join(f"h.{k} = c.{k}" for k in key)
                cur.execute(
                    f"UPDATE {_history(table)} h SET valid_to = ? FROM closing c "
                    f"WHERE h.valid_to IS NULL AND {match}",
                    [batch_id],
                )
            # Only the new rows and the changed ones are written: with no current row matching, all of them.
            only_new = f" WHERE NOT EXISTS (SELECT 1 FROM {table} cur WHERE {on})" if existing - updated else ""
            cur.execute(
                f"INSERT INTO {_history(table)} ({', '.join(cols)}, valid_from) "
                f"SELECT {', '.join('inc.' + c for c in cols)}, ? FROM incoming inc{only_new}",
                [batch_id],
            )
        self._drop_temp(cur, "incoming")
        return change

    def _close_keys(self, cur, batch_id: int, table: str, keys: pd.DataFrame) -> int:
        """Close the current versions of the rows named by ``keys`` (key columns of ``table``); how many closed."""
        key = _key(table)
        self._stage(cur, table, keys, name="closing_keys", columns=key)
        match = " AND ".join(f"h.{k} IS NOT DISTINCT FROM c.{k}" for k in key)
        return self._dml(
            cur,
            f"UPDATE {_history(table)} h SET valid_to = ? FROM closing_keys c "
            f"WHERE h.valid_to IS NULL AND h.valid_from <> ? AND {match}",
            [batch_id, batch_id],
        )

    def _replace_scope(self, table: str, replace: bool, present: bool) -> str:
        """SQL condition on ``cur`` selecting the current rows an upload may remove."""
        if table == "perjanjian":
            return self.in_list("cur.kabkota", "$regions") if replace and present else ""
        # Children of agreements that no longer exist are always closed (cascade);
        # under replace, also the children of the file's regions it lacks.
        orphan = "cur.id_perjanjian NOT IN (SELECT id_perjanjian FROM perjanjian)"
        if replace and present:
            return (
                f"{orphan} OR cur.id_perjanjian IN "
                f"(SELECT id_perjanjian FROM perjanjian WHERE {self.in_list('kabkota', '$regions')})"
            )
        return orphan

    def _rollback_conflicts(self, cur, batch_id: int) -> list[int]:
        """Later batches whose versions stand where ``batch_id`` left its own."""
        later: set[int] = set()
        for table in TABLES:
            cols = _columns(table)
            key = _key(table)
            h = _history(table)
            keys_sql = ", ".join(key)
            on_after = " AND ".join(f"a.{k} = t.{k}" for k in key)
            on_cur = " AND ".join(f"c.{k} = t.{k}" for k in key)
            same = " AND ".join(f"a.{c} IS NOT DISTINCT FROM c.{c}" for c in cols)
            rows = cur.execute(
                f"""WITH touched AS (
                        SELECT DISTINCT {keys_sql} FROM {h} WHERE valid_from = $b OR valid_to = $b
                    )
                    SELECT DISTINCT c.valid_from, a.valid_to
                    FROM touched t
                    LEFT JOIN {h} a ON {on_after} AND a.valid_from = $b
                    LEFT JOIN {h} c ON {on_cur} AND c.valid_to IS NULL
                    WHERE NOT ((a.valid_from IS NULL AND c.valid_from IS NULL)
                               OR (a.valid_from IS NOT NULL AND c.valid_from IS NOT NULL AND {same}))""",
                {"b": batch_id},
            ).fetchall()
            for current_from, after_to in rows:
                later.update(b for b in (current_from, after_to) if b is not None and b != batch_id)
        return sorted(later)

    def _undo_table(self, cur, table: str, batch_id: int, new_id: int) -> TableChange:
        cols = ", ".join(_columns(table))
        h = _history(table)
        key = _key(table)
        # The rows the batch left are current (checked by _rollback_conflicts), but a later
        # rollback may have re-written them with its own valid_from: match them by key.
        wrote = " AND ".join(f"w.{k} = {h}.{k}" for k in key)
        both = " AND ".join(f"a.{k} = b.{k}" for k in key)
        updated = self._scalar(
            cur,
            f"SELECT count(*) FROM (SELECT DISTINCT {', '.join('a.' + k for k in key)} FROM {h} a JOIN {h} b "
            f"ON {both} WHERE a.valid_from = ? AND b.valid_to = ?) d",
            [batch_id, batch_id],
        )
        removed = self._dml(
            cur,
            f"UPDATE {h} SET valid_to = ? WHERE valid_to IS NULL "
            f"AND EXISTS (SELECT 1 FROM {h} w WHERE w.valid_from = ? AND {wrote})",
            [new_id, batch_id],
        )
        restored = self._dml(
            cur,
            f"INSERT INTO {h} ({cols}, valid_from) SELECT {cols}, ? FROM {h} WHERE valid_to = ?",
            [new_id, batch_id],
        )
        return TableChange(new=restored - updated, updated=updated, deleted=removed - updated)


# A text file (CSV) is kept as an LZ4 frame when that saves a good part of it: each byte of a
# BLOB costs the store more to write than LZ4 (C, hundreds of MB/s) takes to pack it. A workbook
# (.xlsx, .ods: already a zip; .xls) is kept as it is.
_PACK_FROM_BYTES = 64 * 1024
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")


def packed_file(content: bytes) -> tuple[bytes, str | None]:
    """The bytes to store for an uploaded file, and the codec they are packed with (None: as they are)."""
    if len(content) < _PACK_FROM_BYTES or content.startswith(_ARCHIVE_MAGIC):
        return content, None
    packed = pa.compress(content, codec="lz4", asbytes=True)
    return (packed, "lz4") if len(packed) < 0.75 * len(content) else (content, None)


def _unpacked_file(stored: bytes, codec: str | None, size: int) -> bytes:
    if codec is None:
        return stored
    if codec == "lz4":
        return pa.decompress(stored, decompressed_size=size, codec="lz4", asbytes=True)
    raise StoreError(f"Berkas batch tersimpan dengan pemadatan '{codec}' yang tidak dikenal aplikasi ini.")


def next_id(cur, table: str, column: str) -> int:
    """``MAX(column) + 1`` of ``table`` in the transaction of ``cur`` (a ``write()`` cursor).

    On PostgreSQL a transaction-level advisory lock for that table is taken first, so two
    processes never get the same id; on DuckDB one process owns the file and writes under a lock.
    """
    if getattr(cur, "dialect", "duckdb") == "postgres":
        lock = ID_LOCK_BASE + zlib.crc32(f"{table}.{column}".encode()) % 100_000
        cur.execute("SELECT pg_advisory_xact_lock(?)", [lock]).fetchall()
    return cur.execute(f"SELECT COALESCE(MAX({column}), 0) + 1 FROM {table}").fetchall()[0][0]


def _interval(text: str) -> str:
    """A lock_timeout value from configuration, checked (it is put into SQL text)."""
    import re

    if not re.fullmatch(r"\d+(ms|s|min)?", text.strip()):
        raise StoreError(f"KSLN_PG_LOCK_TIMEOUT '{text}' tidak valid: tulis mis. 60s atau 500ms.")
    return text.strip()


def _raise_busy(exc: BaseException) -> None:
    """A PostgreSQL lock wait that timed out becomes StoreBusy, as a locked DuckDB file does."""
    try:
        import psycopg.errors
    except ImportError:  # pragma: no cover - psycopg is a requirement
        return
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        raise StoreBusy(BUSY_MESSAGE) from exc


__all__ += ["rows_to_frame"]  # re-exported for callers converting psycopg results
