"""Numbered schema migrations, applied by ``Store()`` on both backends (see ``ksln_metrics.db``).

``schema_version`` holds one row per migration applied. A store without that table (a DuckDB
file made before versioning) is at version 0: the baseline's statements all say
``IF NOT EXISTS`` / ``OR REPLACE``, so it upgrades in place and keeps its rows.

To change the schema, append ``Migration(N + 1, "what it does", statements)`` to ``MIGRATIONS``
(``statements``: SQL strings of the portable subset, or a function ``(dialect) -> list[str]``).
Never edit a migration that was released: stores out there have applied it. A new stored
column of a data table (``reference.STORED_COLUMNS``) needs a migration that adds it to the
``<table>_history`` table and re-creates the ``<table>`` view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ksln_metrics.db import ddl_for
from ksln_metrics.db.errors import StoreError
from ksln_metrics.followup.schema import FOLLOWUP_SCHEMA
from ksln_metrics.reference import SQL_TYPES, STORED_COLUMNS, TABLES, column_kind
from ksln_metrics.reminders.schema import REMINDER_SCHEMA

# Held (transaction-level) while a PostgreSQL store migrates, so two processes starting at
# once do not both apply a migration. Keys of the store's advisory locks live together here.
MIGRATION_LOCK = 7_314_001
DATA_WRITE_LOCK = 7_314_002  # batches: commit and rollback (ksln_metrics.store)
REMINDER_LOCK = 7_314_003  # reminders: claiming the items of a message (ksln_metrics.reminders.mail)
ADMIN_LOCK = 7_314_004  # accounts: disabling or demoting an admin (ksln_metrics.accounts.users)
ID_LOCK_BASE = 7_315_000  # + a table's hash: Store.next_id


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: list[str] | Callable[[str], list[str]]

    def sql(self, dialect: str) -> list[str]:
        statements = self.statements(dialect) if callable(self.statements) else self.statements
        return [ddl_for(s, dialect) for s in statements]


# --- 1: the schema as it was when versioning started --------------------------------------

# Accounts and the audit trail (issue #6); ``accounts.py`` and ``audit.py`` own their meaning.
ACCESS_SCHEMA = [
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
    # HttpOnly cookie; the store keeps only its SHA-256, so a copy of the store opens no session.
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

BATCH_SCHEMA = [
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


# The version of the data: the last batch (batches are numbered in the order they are written). The engine keeps
# tables per version by it; the PostgreSQL engine copy knows by it how far it has copied.
LAST_BATCH_SQL = "SELECT COALESCE(max(batch_id), 0) FROM batch"


def history_table(table: str) -> str:
    return f"{table}_history"


def _data_tables() -> list[str]:
    statements = []
    for table in TABLES:
        cols = ",\n".join(f"{c} {SQL_TYPES[column_kind(table, c)]}" for c in STORED_COLUMNS[table])
        statements.append(
            f"""CREATE TABLE IF NOT EXISTS {history_table(table)} (
                {cols},
                valid_from BIGINT NOT NULL,
                valid_to BIGINT
            )"""
        )
        statements.append(
            f"CREATE OR REPLACE VIEW {table} AS SELECT {', '.join(STORED_COLUMNS[table])} "
            f"FROM {history_table(table)} WHERE valid_to IS NULL"
        )
    return statements


def _baseline(dialect: str) -> list[str]:
    return BATCH_SCHEMA + _data_tables() + ACCESS_SCHEMA + FOLLOWUP_SCHEMA + REMINDER_SCHEMA


# --- 2: PostgreSQL only: what several processes need -----------------------------------------

# Tables whose changes make the engine's DuckDB copy stale (ksln_metrics.db.engine_copy).
WATCHED_TABLES = tuple(history_table(t) for t in TABLES) + ("lampiran", "batch", "batch_count")


def _shared_store(dialect: str) -> list[str]:
    if dialect != "postgres":
        return []  # one DuckDB process owns the file; its engine reads the tables themselves
    statements = [
        # One row per transaction that changed a watched table; the data version is (count, max):
        # it changes when such a transaction commits, whatever order transactions commit in.
        "CREATE TABLE IF NOT EXISTS data_change (tx BIGINT PRIMARY KEY, changed_at TIMESTAMP NOT NULL)",
        """CREATE OR REPLACE FUNCTION ksln_note_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
               INSERT INTO data_change (tx, changed_at) VALUES (txid_current(), localtimestamp)
               ON CONFLICT (tx) DO NOTHING;
               RETURN NULL;
           END $$""",
    ]
    for table in WATCHED_TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ksln_note_data_change()"
        )
    # The write path joins current rows on their keys and finds a batch's rows by valid_from/to.
    for table in TABLES:
        h = history_table(table)
        statements += [
            f"CREATE INDEX IF NOT EXISTS {h}_current ON {h} ({', '.join(TABLES[table].key)}) "
            "WHERE valid_to IS NULL",
            f"CREATE INDEX IF NOT EXISTS {h}_from ON {h} (valid_from)",
            f"CREATE INDEX IF NOT EXISTS {h}_to ON {h} (valid_to)",
        ]
    return statements


MIGRATIONS: list[Migration] = [
    Migration(1, "baseline: batches, row history, accounts, audit, follow-up, reminders", _baseline),
    Migration(2, "shared store: data-change log for the engine copy, indexes (PostgreSQL)", _shared_store),
    # ``wilayah``: the scope ("36", "32", "nasional") whose data the store holds (Store binds and checks it).
    Migration(3, "store facts: the scope the store belongs to",
              ["CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)"]),
    # A message being sent holds its items until ``sending_until`` (ksln_metrics.reminders.mail): two runs
    # at once (the command line and the Pengingat page, or two replicas) do not both send them.
    Migration(4, "reminders: a message being sent claims its items",
              ["ALTER TABLE notification ADD COLUMN IF NOT EXISTS sending_until TIMESTAMP"]),
    # ``codec``: how ``content`` is packed (NULL: the file's own bytes; 'lz4': an LZ4 frame of them, for text files).
    Migration(5, "uploaded files: text files kept compressed",
              ["ALTER TABLE batch_file ADD COLUMN IF NOT EXISTS codec VARCHAR"]),
]

SCHEMA_VERSION_SQL = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name VARCHAR NOT NULL,
    applied_at TIMESTAMP NOT NULL
)"""


def latest_version() -> int:
    return max(m.version for m in MIGRATIONS)


def current_version(cur) -> int:
    return cur.execute("SELECT COALESCE(MAX(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(cur, dialect: str) -> list[int]:
    """Apply the missing migrations inside the caller's transaction; the versions applied."""
    if dialect == "postgres":
        cur.execute("SELECT pg_advisory_xact_lock(?)", [MIGRATION_LOCK]).fetchall()
    cur.execute(SCHEMA_VERSION_SQL)
    have = current_version(cur)
    if have > latest_version():
        raise StoreError(
            f"Basis data ini memakai skema versi {have}, lebih baru dari versi aplikasi ini "
            f"({latest_version()}). Perbarui aplikasi KSLN Monitor sebelum membukanya."
        )
    applied = []
    for migration in sorted(MIGRATIONS, key=lambda m: m.version):
        if migration.version <= have:
            continue
        for statement in migration.sql(dialect):
            cur.execute(statement)
        cur.execute("INSERT INTO schema_version VALUES (?, ?, ?)",
                    [migration.version, migration.name, datetime.now()])
        applied.append(migration.version)
    return applied
