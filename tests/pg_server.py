"""A throw-away PostgreSQL 15 server for the tests: Debian's binaries, a temporary directory, a free port.

``PgServer.start()`` runs ``initdb`` and ``postgres`` as a non-root user (tests run as root in
CI; PostgreSQL refuses to run as root, so the server runs as Debian's ``postgres`` user through
``runuser``), listening on 127.0.0.1 only, with password (SCRAM) authentication for every
connection. Two roles exist: the superuser ``postgres`` (used here only to create databases) and
the test role ``ksln_test``; both get random passwords that never appear on a command line:
``initdb`` reads the superuser's from a file only its owner can read, and clients receive theirs
through the ``PGPASSWORD`` environment variable.

Every test gets a fresh database: ``create_database()`` copies a prepared template
(``CREATE DATABASE ... TEMPLATE``; ``tests/conftest.py`` migrates it to the current schema once,
so a test's store opens without running DDL; ``EMPTY_DB`` has no tables, for migration tests).
The whole server is stopped and its directory removed at the end of the test session.

Without the binaries, ``available()`` says why and the fixtures in ``tests/conftest.py`` skip
(or fail, when ``KSLN_REQUIRE_PG=1``, as in CI).
"""

from __future__ import annotations

import itertools
import os
import pwd
import queue
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("KSLN_PG_BIN", "/usr/lib/postgresql/15/bin"))
SERVICE_USER = "postgres"  # Debian's postgresql package creates it
TEST_ROLE = "ksln_test"
TEMPLATE_DB = "ksln_template"  # migrated to the current schema by tests/conftest.py
EMPTY_DB = "ksln_empty"  # no tables at all: for the migration tests
START_TIMEOUT_S = 60


def available() -> str | None:
    """None when a server can be started here, else the reason (for the skip message)."""
    for tool in ("initdb", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"PostgreSQL binaries not found ({PG_BIN / tool}); install Debian's postgresql package"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root but there is no '{SERVICE_USER}' user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root but 'runuser' is missing"
    return None


@contextmanager
def password_in_env(password: str) -> Iterator[None]:
    """``PGPASSWORD`` set for this process while the block runs (libpq reads it: URLs carry no password), then
    put back as it was."""
    saved = os.environ.get("PGPASSWORD")
    os.environ["PGPASSWORD"] = password
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = saved


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="ksln-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.host = "127.0.0.1"
        self.superuser_password = secrets.token_urlsafe(24)
        self.password = secrets.token_urlsafe(24)  # of TEST_ROLE
        self._process: subprocess.Popen | None = None
        self._counter = itertools.count(1)
        self._name_lock = threading.Lock()
        self._as_root = os.geteuid() == 0
        self._dropper: threading.Thread | None = None
        self._spares: queue.Queue | None = None
        self._stopping = threading.Event()

    # --- lifecycle -------------------------------------------------------------------------

    def _run_as(self) -> list[str]:
        return ["runuser", "-u", SERVICE_USER, "--"] if self._as_root else []

    def start(self) -> PgServer:
        pwfile = self.root / "pw"
        pwfile.write_text(self.superuser_password + "\n")
        pwfile.chmod(0o600)
        if self._as_root:
            entry = pwd.getpwnam(SERVICE_USER)
            os.chmod(self.root, 0o700)
            for path in (self.root, pwfile):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        subprocess.run(
            [*self._run_as(), str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
             "--auth=scram-sha-256", f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, text=True,
        )
        pwfile.unlink()
        self.log = self.root / "postgres.log"
        log = open(self.log, "wb")  # noqa: SIM115 - handed to the server process, closed in stop()
        self._log_handle = log
        if self._as_root:
            os.chown(self.log, pwd.getpwnam(SERVICE_USER).pw_uid, -1)
        self._process = subprocess.Popen(
            [*self._run_as(), str(PG_BIN / "postgres"), "-D", str(self.data), "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.root}",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200", "-c", "shared_buffers=128MB"],
            stdout=log, stderr=subprocess.STDOUT,
        )
        self._wait_ready()
        with self.admin() as con:
            from psycopg import sql

            con.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(TEST_ROLE), sql.Literal(self.password)))
            for name in (TEMPLATE_DB, EMPTY_DB):
                con.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(
                    sql.Identifier(name), sql.Identifier(TEST_ROLE)))
        return self

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"PostgreSQL stopped at start:\n{self.log.read_text(errors='replace')[-3000:]}")
            try:
                psycopg.connect(self._conninfo("postgres", "postgres"), password=self.superuser_password,
                                connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        self._stopping.set()
        if self._spares is not None:
            self._spare_maker.join(timeout=60)
        if self._dropper is not None:
            self._drops.put(None)
            self._dropper.join(timeout=60)
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()  # SIGTERM: "smart" shutdown; the tests' connections are gone by now
            try:
                self._process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if getattr(self, "_log_handle", None):
            self._log_handle.close()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- connections -------------------------------------------------------------------------

    def _conninfo(self, user: str, dbname: str) -> str:
        return f"host={self.host} port={self.port} user={user} dbname={dbname}"

    def admin(self):
        """An autocommit superuser connection (to create databases)."""
        import psycopg

        return psycopg.connect(self._conninfo("postgres", "postgres"), password=self.superuser_password,
                               autocommit=True)

    def url(self, dbname: str) -> str:
        """The store location of one database, as users write it in KSLN_DB: no password in it."""
        return f"postgresql://{TEST_ROLE}@{self.host}:{self.port}/{dbname}"

    def keep_spares(self, count: int = 2) -> None:
        """From now on keep ``count`` copies of TEMPLATE_DB made ahead, in a background thread, so that a
        test does not wait the second or so CREATE DATABASE takes on a busy machine."""
        self._spares: queue.Queue = queue.Queue(maxsize=count)
        self._spare_maker = threading.Thread(target=self._make_spares, name="pg-spares", daemon=True)
        self._spare_maker.start()

    def _make_spares(self) -> None:
        while not self._stopping.is_set():
            try:
                name = self._create(TEMPLATE_DB)
            except Exception:  # noqa: BLE001 - create_database() makes its own then
                return
            while not self._stopping.is_set():
                try:
                    self._spares.put(name, timeout=0.5)
                    break
                except queue.Full:
                    continue

    def create_database(self, template: str = TEMPLATE_DB) -> str:
        """A fresh database owned by the test role, a copy of ``template``; its name."""
        if template == TEMPLATE_DB and self._spares is not None and self._spare_maker.is_alive():
            return self._spares.get(timeout=120)
        return self._create(template)

    def _create(self, template: str) -> str:
        from psycopg import sql

        with self._name_lock:
            name = f"t{os.getpid()}_{next(self._counter)}"
        with self.admin() as con:
            con.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} OWNER {}").format(
                sql.Identifier(name), sql.Identifier(template), sql.Identifier(TEST_ROLE)))
        return name

    def drop_database(self, name: str) -> None:
        from psycopg import sql

        with self.admin() as con:
            con.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def drop_database_later(self, name: str) -> None:
        """Drop ``name`` in a background thread (a drop waits for a checkpoint: the test need not)."""
        if self._dropper is None:
            self._drops: queue.Queue = queue.Queue()
            self._dropper = threading.Thread(target=self._drop_loop, name="pg-drop", daemon=True)
            self._dropper.start()
        self._drops.put(name)

    def _drop_loop(self) -> None:
        while (name := self._drops.get()) is not None:
            try:
                self.drop_database(name)
            except Exception:  # noqa: BLE001 - the whole directory goes at the end anyway
                pass
