"""The connection API every SQL-using module calls: one meaning on DuckDB and on PostgreSQL.

Where the store lives
---------------------
``KSLN_DB`` (or ``--db``) is either a DuckDB file path (the embedded default,
``data/ksln.duckdb``) or ``postgresql://USER@HOST:PORT/DB``. The password never goes in
the URL: libpq reads it from ``PGPASSWORD`` or ``~/.pgpass``; a URL with a password is
refused (``check_location``) and messages show ``safe_location(...)`` only.
``Store(location)`` opens either; ``store.dialect`` is ``"duckdb"`` or ``"postgres"``;
``store.path`` is the file's Path (DuckDB) or the URL (PostgreSQL), for messages and cache keys;
``store.location`` is the same as text safe to show. ``ksln_metrics.store.store_location(text)``
turns a ``--db`` argument into a location (use it as argparse ``type``: ``Path`` would mangle a
URL) and ``store_exists(location)`` says whether there is a store to read (a file, or any URL).
An unreachable server or a refused login is a ``StoreError`` with the reason in Indonesian.

Reading
-------
``store.query(sql, params) -> pandas.DataFrame``
    Same column dtypes on both backends (PostgreSQL rows are converted through DuckDB).
``store.cursor().execute(sql, params).fetchall() / .fetchone() / .df()``
    For small reads. On DuckDB this is the thread's own DuckDB cursor (unchanged); on
    PostgreSQL each ``execute`` runs on a pooled autocommit connection and buffers its result.
    Reads outside ``write()`` see committed data only.
``store.engine_cursor()``
    A DuckDB cursor for the compute engine (``ksln_metrics.engine``): DuckDB SQL, ``register``,
    temporary tables. On DuckDB it is ``store.cursor()``; on PostgreSQL it reads an in-memory
    DuckDB copy of the engine's tables (``ENGINE_TABLES``: current rows of the data views,
    attachments and the batch log), cached per data version (see ``ksln_metrics.db.engine_copy``).
    Only for reading those tables; never for writing. Each call starts a new read transaction
    on the thread's cursor: one computation sees one version of the data.
``store.data_version()``
    Changes whenever the engine's tables change (a batch, an attachment; on PostgreSQL also by
    other processes): a cache key for results computed from them.
``store.table(name)`` / ``snapshot()`` / ``state_at(batch)`` / ``batches()``
    Current rows, every table, the state right after a batch, the batch log.

Writing
-------
``with store.write() as cur:`` one transaction: committed when the block ends, rolled back
if it raises. ``cur.execute(sql, params)`` returns ``cur``; then ``cur.fetchone()``,
``cur.fetchall()``, ``cur.df()``, ``cur.rowcount`` (rows an INSERT/UPDATE/DELETE touched, on
both backends). ``cur.insert_frame(table, frame, columns=None) -> int`` appends a DataFrame
(COPY on PostgreSQL). ``store.next_id(cur, table, column)`` (or ``ksln_metrics.store.next_id``) gives ``MAX(column) + 1`` safely
while several processes write (on PostgreSQL it takes a transaction-level advisory lock for
that table first; on DuckDB one process owns the file and the write lock serialises).
``store.audit_in(cur, ...)`` records an audit entry in the same transaction.
The batch write path (``commit``, ``rollback``) is the only writer of the data tables (the
``*_history`` tables and the batch log): the engine's copy on PostgreSQL relies on it.

Concurrency on PostgreSQL: each ``write()`` is its own transaction on a pooled connection
(READ COMMITTED). Batches take a store-wide advisory lock (one batch at a time, in id order);
``next_id`` takes one per table. Take locks in that order (a batch, then ids) and never call
``commit``/``rollback`` inside an open ``write()`` block: the inner transaction would wait for
locks the outer one holds until the lock timeout (on DuckDB the two would conflict as well). A lock wait longer than
``KSLN_PG_LOCK_TIMEOUT`` (60s) raises ``StoreBusy``. A read on a connection the server closed
(a restart) is retried once on a new one; a write is not retried.

SQL both backends run (store-side SQL; the engine's SQL is DuckDB only)
----------------------------------------------------------------------
* Placeholders: ``?`` with a list/tuple, or ``$name`` with a dict. Never ``%s``; a literal
  ``%`` is fine (it is escaped for psycopg). Do not mix the two styles in one statement.
* A list parameter for membership: ``col = ANY(?)`` does not exist in DuckDB and
  ``list_contains`` not in PostgreSQL: use ``store.in_list("col", "$name")`` (SQL text).
* Types: VARCHAR, BIGINT, INTEGER, BOOLEAN, DATE, TIMESTAMP (naive, local), DECIMAL(p,s),
  DOUBLE, BLOB (a CREATE/ALTER run on PostgreSQL gets BYTEA and DOUBLE PRECISION: ``ddl_for``). Bytes come back
  as ``bytes``/``memoryview``: wrap in ``bytes(...)``.
* ``INSERT ... ON CONFLICT (key) DO UPDATE SET col = excluded.col`` / ``DO NOTHING``,
  ``RETURNING``, ``COALESCE``, ``CASE``, ``count(*)``, ``IS [NOT] DISTINCT FROM``,
  ``CREATE TEMP TABLE``, ``UPDATE t SET ... FROM u WHERE ...``, explicit ``GROUP BY`` lists.
* Not portable: ``GROUP BY ALL``, ``list_*``/``struct`` functions, ``CREATE OR REPLACE TABLE``,
  ``register`` of DataFrames (use ``insert_frame`` into a temp table), ``.df()`` on a DML result,
  ``INSERT OR REPLACE``, ``QUALIFY``, ``strftime``; ``::`` casts to the common types are fine.

Schema changes
--------------
The schema is versioned for both backends (``ksln_metrics.db.migrations``): a table
``schema_version`` records the numbered migrations applied; ``Store()`` applies the missing
ones in one transaction when it opens the store (a DuckDB file made before versioning counts
as version 0 and upgrades in place). Modules that own tables (accounts, follow-up, reminders)
add a change by appending ``Migration(N, "what", statements)`` to ``MIGRATIONS`` in
``ksln_metrics/db/migrations.py``:
``statements`` is a list of SQL strings in the portable subset, or a function
``(dialect) -> list[str]``. Never edit an applied migration; the baseline (1) is the schema as
it was when versioning started.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ksln_metrics.db.errors import StoreBusy, StoreError

__all__ = [
    "StoreBusy",
    "StoreError",
    "check_location",
    "ddl_for",
    "is_postgres",
    "safe_location",
    "to_pyformat",
]

_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: str | Path | None) -> bool:
    return isinstance(location, str) and location.startswith(_SCHEMES)


PASSWORD_IN_URL = (
    "Alamat basis data KSLN_DB/--db memuat kata sandi. Hapus kata sandi dari alamat "
    "(postgresql://PENGGUNA@HOST:PORT/NAMA_DB) dan berikan lewat variabel lingkungan PGPASSWORD "
    "atau berkas ~/.pgpass, supaya kata sandi tidak tampil di baris perintah atau di log."
)


def check_location(location: str) -> str:
    """``location`` when it is a PostgreSQL URL without a password; StoreError (Indonesian) otherwise."""
    parts = urlsplit(location)
    if parts.password is not None or re.search(r"(^|[?&])password=", parts.query):
        raise StoreError(PASSWORD_IN_URL)
    if not parts.hostname or not parts.path.strip("/"):
        raise StoreError(
            f"Alamat basis data '{safe_location(location)}' tidak lengkap: tulis "
            "postgresql://PENGGUNA@HOST:PORT/NAMA_DB."
        )
    return location


def safe_location(location: str | Path) -> str:
    """The location as messages and logs may show it: a password, if any, replaced by ***."""
    text = str(location)
    if not is_postgres(text):
        return text
    parts = urlsplit(text)
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = re.sub(r"(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@lru_cache(maxsize=2048)
def to_pyformat(sql: str) -> str:
    """``?`` and ``$name`` placeholders as psycopg's ``%s`` / ``%(name)s``; a literal ``%`` doubled.

    Quoted strings, quoted identifiers and ``--`` comments are left as they are (but ``%`` in
    them is doubled too, as psycopg requires when parameters are passed).
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in "'\"":
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i:j + 1].replace("%", "%%"))
            i = j + 1
        elif ch == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "$" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1:j]})s")
            i = j
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_PG_TYPES = ((re.compile(r"\bBLOB\b", re.I), "BYTEA"), (re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.I),
                                                          "DOUBLE PRECISION"))


def ddl_for(statement: str, dialect: str) -> str:
    """A DDL statement of the portable subset in ``dialect``'s spelling."""
    if dialect == "postgres":
        for pattern, replacement in _PG_TYPES:
            statement = pattern.sub(replacement, statement)
    return statement
