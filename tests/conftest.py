"""Fixtures shared by every test folder: the PostgreSQL test server and the two store backends.

``pg_server`` starts one throw-away PostgreSQL server per test session (``tests/pg_server.py``)
the first time a test asks for it, and stops it at the end. ``pg_url`` is a fresh empty database
on it for one test. ``store_location`` is parametrised over both backends: a DuckDB file in the
test's tmp_path, then a fresh PostgreSQL database; a test that opens ``Store(store_location)``
runs once per backend (ids ``duckdb`` and ``postgres``).

Without PostgreSQL binaries the ``postgres`` runs skip with the reason; with ``KSLN_REQUIRE_PG=1``
(set by .ci/run) they fail instead, so CI cannot pass without testing PostgreSQL.
"""

from __future__ import annotations

import os

import pytest

from tests import pg_server as pg

BACKENDS = ("duckdb", "postgres")


@pytest.fixture(scope="session")
def pg_server():
    reason = pg.available()
    if reason:
        if os.environ.get("KSLN_REQUIRE_PG") == "1":
            pytest.fail(f"KSLN_REQUIRE_PG=1 but no PostgreSQL test server: {reason}")
        pytest.skip(f"PostgreSQL tests skipped: {reason} (set KSLN_PG_BIN to its bin directory)")
    server = pg.PgServer()
    try:
        server.start()
    except BaseException:
        server.stop()  # a half-started server must not outlive the session
        raise
    try:
        with pg.password_in_env(server.password):
            from ksln_metrics.store import Store

            Store(server.url(pg.TEMPLATE_DB)).close()  # the template gets today's schema once
            server.keep_spares(2)
            yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh empty PostgreSQL database for one test, as a KSLN_DB URL (no password in it)."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database_later(name)


@pytest.fixture(params=BACKENDS)
def store_location(request, tmp_path):
    """Where a test's Store lives: a DuckDB file, then (second run) a fresh PostgreSQL database."""
    if request.param == "duckdb":
        return tmp_path / "ksln.duckdb"
    return request.getfixturevalue("pg_url")

