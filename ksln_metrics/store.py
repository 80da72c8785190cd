"""The DuckDB store: schema, connections, the single write path, batches and rollback.

Every data table is kept as a history table of row versions: a version is valid from the
batch that wrote it until the batch that replaced or removed it (``valid_to``). The
tables the rest of the code reads (``perjanjian``, ``kegiatan``, ``indikator``,
``laporan``) are views of the versions still valid, so every earlier state can be
reconstructed and nothing is ever deleted: a removal is a batch that closes a version.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from ksln_metrics.access import ADMIN, Actor, User, actor_name, data_change_refusal, rollback_refusal
from ksln_metrics.followup.schema import FOLLOWUP_SCHEMA
from ksln_metrics.paths import DATA_DIR
from ksln_metrics.reference import (
    CHILD_TABLES,
    SQL_TYPES,
    STORED_COLUMNS,
    TABLES,
    column_kind,
)
from ksln_metrics.reminders.schema import REMINDER_SCHEMA

DEFAULT_DB = DATA_DIR / "ksln.duckdb"

BATCH_KINDS = ("unggah", "contoh", "pembatalan", "perubahan_manual")  # upload, sample data, rollback, one-row edit
_BATCH_AUDIT = {"contoh": "data_contoh", "perubahan_manual": "perubahan_manual"}  # audit action; others "unggah"


def default_db_path() -> Path:
    """``KSLN_DB`` when set, else ``data/ksln.duckdb`` of the project."""
    return Path(os.environ.get("KSLN_DB") or DEFAULT_DB)


class StoreError(Exception):
    """A refused store operation, with a message in Bahasa Indonesia for the user."""


class StoreBusy(StoreError):
    """Another process (e.g. an import from the command line) holds the DuckDB file's lock."""


BUSY_MESSAGE = ("Data sedang diperbarui oleh proses lain (mis. impor dari baris perintah). Coba lagi sebentar lagi; "
                "halaman ini mencoba lagi dengan sendirinya.")


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


def _history(table: str) -> str:
    return f"{table}_history"


# --- accounts and the audit trail (issue #6) -------------------------------------------
# Kept apart from the data tables: they are not versioned by batch, and ``accounts.py``
# and ``audit.py`` own their meaning.
_ACCESS_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS account (
        user_name VARCHAR PRIMARY KEY,
        role VARCHAR NOT NULL,
        kabkota VARCHAR,
        password_hash VARCHAR NOT NULL,
        active BOOLEAN NOT NULL DEFAULT TRUE,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TIMESTAMP,
        last_login TIMESTAMP,
        created_at TIMESTAMP NOT NULL,
        changed_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS audit (
        audit_id BIGINT PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        user_name VARCHAR NOT NULL,
        action VARCHAR NOT NULL,
        target VARCHAR,
        detail VARCHAR,
        data_json VARCHAR,
        batch_id BIGINT
    )""",
    # One row per login (issue 10 item 11): the browser holds the random session id in an
    # HttpOnly cookie; the store keeps only its SHA-256, so a copy of this file opens no session.
    """CREATE TABLE IF NOT EXISTS login_session (
        token_hash VARCHAR PRIMARY KEY,
        user_name VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        expires_at TIMESTAMP NOT NULL,
        last_seen TIMESTAMP NOT NULL,
        ended_at TIMESTAMP,
        end_reason VARCHAR
    )""",
]


def _schema_sql() -> list[str]:
    statements = [
        """CREATE TABLE IF NOT EXISTS batch (
            batch_id BIGINT PRIMARY KEY,
            kind VARCHAR NOT NULL,
            file_name VARCHAR,
            sha256 VARCHAR,
            user_name VARCHAR NOT NULL,
            created_at TIMESTAMP NOT NULL,
            kabkota VARCHAR,
            replace_mode BOOLEAN NOT NULL DEFAULT FALSE,
            rolls_back BIGINT,
            rolled_back_by BIGINT
        )""",
        """CREATE TABLE IF NOT EXISTS batch_count (
            batch_id BIGINT NOT NULL,
            table_name VARCHAR NOT NULL,
            new_rows INTEGER NOT NULL,
            updated_rows INTEGER NOT NULL,
            unchanged_rows INTEGER NOT NULL,
            deleted_rows INTEGER NOT NULL,
            PRIMARY KEY (batch_id, table_name)
        )""",
        """CREATE TABLE IF NOT EXISTS batch_file (
            batch_id BIGINT PRIMARY KEY,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            size_bytes BIGINT NOT NULL,
            content BLOB NOT NULL
        )""",
    ]
    for table in TABLES:
        cols = ",\n".join(
            f"{c} {SQL_TYPES[column_kind(table, c)]}" for c in _columns(table)
        )
        statements.append(
            f"""CREATE TABLE IF NOT EXISTS {_history(table)} (
                {cols},
                valid_from BIGINT NOT NULL,
                valid_to BIGINT
            )"""
        )
        statements.append(
            f"CREATE OR REPLACE VIEW {table} AS SELECT {', '.join(_columns(table))} "
            f"FROM {_history(table)} WHERE valid_to IS NULL"
        )
    return statements + _ACCESS_SCHEMA + FOLLOWUP_SCHEMA + REMINDER_SCHEMA


class Store:
    """One DuckDB file: a connection, a cursor per thread, one lock for every write."""

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False):
        self.path = Path(path) if path else default_db_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise StoreBusy(BUSY_MESSAGE) from exc
            raise
        self._local = threading.local()
        self._write_lock = threading.RLock()  # re-entrant: a write may audit itself
        if not read_only:
            with self._write_lock:
                cur = self._con.cursor()
                for statement in _schema_sql():
                    cur.execute(statement)
                cur.close()

    # --- connections -----------------------------------------------------------------

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """This thread's cursor: DuckDB connections must not be shared between threads."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._con.cursor()
            self._local.cursor = cur
        return cur

    def query(self, sql: str, params: list | tuple | dict | None = None) -> pd.DataFrame:
        return self.cursor().execute(sql, params or []).df()

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading -----------------------------------------------------------------------

    def table(self, table: str) -> pd.DataFrame:
        """Current rows of one data table, in key order."""
        order = ", ".join(_key(table))
        return self.query(f"SELECT * FROM {table} ORDER BY {order}")

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
                      COALESCE(SUM(c.new_rows), 0)::INTEGER AS new_rows,
                      COALESCE(SUM(c.updated_rows), 0)::INTEGER AS updated_rows,
                      COALESCE(SUM(c.unchanged_rows), 0)::INTEGER AS unchanged_rows,
                      COALESCE(SUM(c.deleted_rows), 0)::INTEGER AS deleted_rows
               FROM batch b LEFT JOIN batch_count c USING (batch_id)
               GROUP BY ALL ORDER BY b.batch_id DESC"""
        )

    def batch_file(self, batch_id: int) -> tuple[str, bytes] | None:
        rows = self.cursor().execute(
            "SELECT file_name, content FROM batch_file WHERE batch_id = ?", [batch_id]
        ).fetchall()
        row = rows[0] if rows else None
        return (row[0], bytes(row[1])) if row else None

    def has_sample_data(self) -> bool:
        """True when rows written by the sample-data command are still in effect."""
        return bool(self._scalar(
            self.cursor(), "SELECT count(*) FROM batch WHERE kind = 'contoh' AND rolled_back_by IS NULL"
        ))

    def is_empty(self) -> bool:
        return not self.cursor().execute("SELECT count(*) FROM perjanjian").fetchall()[0][0]

    def known_agreements(self) -> pd.DataFrame:
        return self.query("SELECT id_perjanjian, kabkota FROM perjanjian")

    # --- the write path ----------------------------------------------------------------

    def preview(self, tables: dict[str, pd.DataFrame], regions: set[str], *, replace: bool = False) -> dict[str, TableChange]:
        """What committing ``tables`` would change, computed in a transaction that is rolled back."""
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.begin()
                return self._apply(cur, 0, tables, regions, replace, write=False)
            finally:
                cur.rollback()
                cur.close()

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
    ) -> BatchResult:
        """Upsert the rows of one upload as one batch, in one transaction, under the write lock.

        ``remove`` maps tables to frames of key columns whose current rows the batch closes
        (a manual edit that changes a row's key); a rollback restores them like any other.

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
            cur = self._con.cursor()
            try:
                cur.begin()
                batch_id = self._next_batch_id(cur)
                changes = self._apply(cur, batch_id, tables, regions, replace, write=True)
                for table, keys in (remove or {}).items():
                    changes.setdefault(table, TableChange()).deleted += self._close_keys(cur, batch_id, table, keys)
                if not any(c.changed for c in changes.values()):
                    cur.rollback()
                    if kind == "unggah":  # a person's upload is an action even when it changes nothing
                        self.audit(user, "unggah", target=file_name, detail="tidak ada perubahan")
                    return BatchResult(None, changes)
                cur.execute(
                    "INSERT INTO batch (batch_id, kind, file_name, sha256, user_name, created_at, kabkota, replace_mode) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [batch_id, kind, file_name, sha256, actor_name(user), datetime.now(), ";".join(sorted(regions)),
                     replace],
                )
                self._insert_audit(
                    cur, user, _BATCH_AUDIT.get(kind, "unggah"), target=file_name,
                    detail=_describe_batch(regions, replace, changes), batch_id=batch_id,
                )
                self._record_counts(cur, batch_id, changes)
                if content is not None:
                    cur.execute(
                        "INSERT INTO batch_file VALUES (?, ?, ?, ?, ?)",
                        [batch_id, file_name or "", sha256 or "", len(content), content],
                    )
                cur.commit()
                return BatchResult(batch_id, changes)
            except BaseException:
                cur.rollback()
                raise
            finally:
                cur.close()

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
            cur = self._con.cursor()
            try:
                cur.begin()
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
                cur.commit()
                return BatchResult(new_id, changes)
            except BaseException:
                cur.rollback()
                raise
            finally:
                cur.close()

    # --- who may write: checks and the audit trail ------------------------------------------

    def change_refusal(self, user: Actor, tables: dict[str, pd.DataFrame], regions: set[str]) -> str | None:
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
            if frame is None or frame.empty:
                continue
            ids |= set(frame["id_perjanjian"].dropna())
            if name == "perjanjian":
                touched |= set(frame["kabkota"].dropna())
        if ids:
            cur = self._con.cursor()
            try:
                cur.register("touched_ids", pd.DataFrame({"id_perjanjian": sorted(ids)}))
                rows = cur.execute(
                    "SELECT DISTINCT p.kabkota FROM perjanjian p JOIN touched_ids t USING (id_perjanjian) "
                    "WHERE p.kabkota IS NOT NULL"
                ).fetchall()
                cur.unregister("touched_ids")
            finally:
                cur.close()
            touched |= {r[0] for r in rows}
        return data_change_refusal(user, touched)

    def batch_regions(self, batch_id: int) -> set[str]:
        """Every unit whose rows ``batch_id`` wrote or closed, and the units it was recorded for."""
        cur = self._con.cursor()
        try:
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
        finally:
            cur.close()
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

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor in one transaction under the write lock: committed when the block ends, rolled back on error."""
        with self._write_lock:
            cur = self._con.cursor()
            try:
                cur.begin()
                yield cur
                cur.commit()
            except BaseException:
                cur.rollback()
                raise
            finally:
                cur.close()

    @staticmethod
    def _insert_audit(cur, user: Actor, action: str, *, target: str | None = None, detail: str | None = None,
                      data: dict | list | None = None, batch_id: int | None = None,
                      when: datetime | None = None) -> int:
        audit_id = cur.execute("SELECT COALESCE(MAX(audit_id), 0) + 1 FROM audit").fetchall()[0][0]
        cur.execute(
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [audit_id, when or datetime.now(), actor_name(user), action, target, detail,
             None if data is None else json.dumps(data, ensure_ascii=False, default=str), batch_id],
        )
        return audit_id

    # --- internals -------------------------------------------------------------------------

    @staticmethod
    def _scalar(cur, sql: str, params=None):
        # fetchall: DuckDB refuses new work on a cursor with an unfinished result.
        return cur.execute(sql, params or []).fetchall()[0][0]

    @staticmethod
    def _next_batch_id(cur) -> int:
        return cur.execute("SELECT COALESCE(MAX(batch_id), 0) + 1 FROM batch").fetchall()[0][0]

    @staticmethod
    def _record_counts(cur, batch_id: int, changes: dict[str, TableChange]) -> None:
        for table, c in changes.items():
            cur.execute(
                "INSERT INTO batch_count VALUES (?, ?, ?, ?, ?, ?)",
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

    def _stage(self, cur, table: str, frame: pd.DataFrame | None) -> None:
        cols = _columns(table)
        casts = ", ".join(f"CAST({c} AS {SQL_TYPES[column_kind(table, c)]}) AS {c}" for c in cols)
        if frame is None:
            cur.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS SELECT {casts} FROM {table} LIMIT 0")
            return
        cur.register("incoming_frame", frame[list(cols)])
        cur.execute(f"CREATE OR REPLACE TEMP TABLE incoming AS SELECT {casts} FROM incoming_frame")
        cur.unregister("incoming_frame")  # not in a finally: after an error it would hide the error

    def _apply_table(self, cur, batch_id, table, frame, regions, replace, write) -> TableChange:
        cols = _columns(table)
        key = _key(table)
        on = " AND ".join(f"cur.{k} = inc.{k}" for k in key)
        differs = " OR ".join(f"cur.{c} IS DISTINCT FROM inc.{c}" for c in cols if c not in key)
        self._stage(cur, table, frame)
        total = cur.execute("SELECT count(*) FROM incoming").fetchall()[0][0]
        updated = cur.execute(
            f"SELECT count(*) FROM incoming inc JOIN {table} cur ON {on} WHERE {differs}"
        ).fetchall()[0][0]
        existing = cur.execute(f"SELECT count(*) FROM incoming inc JOIN {table} cur ON {on}").fetchall()[0][0]
        change = TableChange(new=total - existing, updated=updated, unchanged=existing - updated)

        # Rows to close: changed ones, and under replace the rows of the file's regions it lacks.
        # A removed agreement takes its children with it.
        cur.execute(
            f"CREATE OR REPLACE TEMP TABLE closing AS SELECT {', '.join('cur.' + k for k in key)} "
            f"FROM {table} cur JOIN incoming inc ON {on} WHERE {differs}"
        )
        scope = self._replace_scope(table, replace, frame is not None)
        if scope:
            keys = ", ".join(f"cur.{k}" for k in key)
            anti = " AND ".join(f"inc.{k} = cur.{k}" for k in key)
            deleted = cur.execute(
                f"INSERT INTO closing SELECT {keys} FROM {table} cur WHERE ({scope}) "
                f"AND NOT EXISTS (SELECT 1 FROM incoming inc WHERE {anti})",
                {"regions": sorted(regions)} if "$regions" in scope else [],
            ).fetchall()[0][0]
            change.deleted = deleted
        if write:
            match = " AND ".join(f"h.{k} = c.{k}" for k in key)
            cur.execute(
                f"UPDATE {_history(table)} h SET valid_to = ? FROM closing c "
                f"WHERE h.valid_to IS NULL AND {match}",
                [batch_id],
            )
            cur.execute(
                f"INSERT INTO {_history(table)} ({', '.join(cols)}, valid_from) "
                f"SELECT {', '.join('inc.' + c for c in cols)}, ? FROM incoming inc "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} cur WHERE {on})",
                [batch_id],
            )
        return change

    @staticmethod
    def _close_keys(cur, batch_id: int, table: str, keys: pd.DataFrame) -> int:
        """Close the current versions of the rows named by ``keys`` (key columns of ``table``); how many closed."""
        key = _key(table)
        cur.register("closing_keys", keys[list(key)])
        try:
            match = " AND ".join(f"h.{k} IS NOT DISTINCT FROM c.{k}" for k in key)
            return cur.execute(
                f"UPDATE {_history(table)} h SET valid_to = ? FROM closing_keys c "
                f"WHERE h.valid_to IS NULL AND h.valid_from <> ? AND {match}",
                [batch_id, batch_id],
            ).fetchall()[0][0]
        finally:
            cur.unregister("closing_keys")

    @staticmethod
    def _replace_scope(table: str, replace: bool, present: bool) -> str:
        """SQL condition on ``cur`` selecting the current rows an upload may remove."""
        if table == "perjanjian":
            return "list_contains($regions, cur.kabkota)" if replace and present else ""
        # Children of agreements that no longer exist are always closed (cascade);
        # under replace, also the children of the file's regions it lacks.
        orphan = "cur.id_perjanjian NOT IN (SELECT id_perjanjian FROM perjanjian)"
        if replace and present:
            return (
                f"{orphan} OR cur.id_perjanjian IN "
                "(SELECT id_perjanjian FROM perjanjian WHERE list_contains($regions, kabkota))"
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
            f"SELECT count(DISTINCT ({', '.join('a.' + k for k in key)})) FROM {h} a JOIN {h} b ON {both} "
            "WHERE a.valid_from = ? AND b.valid_to = ?",
            [batch_id, batch_id],
        )
        removed = self._scalar(
            cur,
            f"UPDATE {h} SET valid_to = ? WHERE valid_to IS NULL "
            f"AND EXISTS (SELECT 1 FROM {h} w WHERE w.valid_from = ? AND {wrote})",
            [new_id, batch_id],
        )
        restored = self._scalar(
            cur,
            f"INSERT INTO {h} ({cols}, valid_from) SELECT {cols}, ? FROM {h} WHERE valid_to = ?",
            [new_id, batch_id],
        )
        return TableChange(new=restored - updated, updated=updated, deleted=removed - updated)
