"""PostgreSQL connections for the store: psycopg 3, a small pool shared by the threads of one process.

The URL carries no password (``ksln_metrics.db.check_location``): libpq reads ``PGPASSWORD`` or
``~/.pgpass``. Connection errors are shown with the URL as given (no password in it to hide).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from ksln_metrics.db import safe_location
from ksln_metrics.db.errors import StoreError

POOL_SIZE = 8  # idle connections kept per process; more are opened when threads need them
CONNECT_TIMEOUT_S = 10


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    try:
        return psycopg.connect(url, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
                               application_name="ksln-monitor")
    except psycopg.OperationalError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise StoreError(
            f"Server PostgreSQL {safe_location(url)} tidak dapat dihubungi atau menolak koneksi: {detail}. "
            "Periksa alamat, bahwa server berjalan, dan kata sandi di PGPASSWORD atau ~/.pgpass."
        ) from None


class Pool:
    """Idle connections reused across threads; a connection serves one thread at a time."""

    def __init__(self, url: str, size: int = POOL_SIZE):
        self.url = url
        self.size = size
        self._idle: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextmanager
    def connection(self, *, autocommit: bool = False) -> Iterator[psycopg.Connection]:
        con = None
        with self._lock:
            while self._idle and con is None:
                candidate = self._idle.pop()
                if candidate.closed or candidate.broken:
                    continue
                con = candidate
        if con is None:
            con = connect(self.url)
        try:
            if con.autocommit != autocommit:
                con.autocommit = autocommit
            yield con
        finally:
            self._give_back(con)

    def _give_back(self, con: psycopg.Connection) -> None:
        if con.closed or con.broken:
            return
        if con.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            try:
                con.rollback()
            except psycopg.Error:
                con.close()
                return
        with self._lock:
            if not self._closed and len(self._idle) < self.size:
                self._idle.append(con)
                return
        con.close()

    def clear_idle(self) -> None:
        """Close every idle connection (they may all be dead after a server restart)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for con in idle:
            con.close()
