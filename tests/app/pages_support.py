"""Shared helpers of the page tests: expected figures from the engine, logging in, opening a page, finding a table."""

from __future__ import annotations

import os
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ksln_metrics.accounts.users import active_user, create_account, start_session
from ksln_metrics.clock import today
from ksln_metrics.engine.indicators import Filters, Results, compute
from ksln_metrics.engine.rules import Rules, load_rules
from ksln_metrics.store import Store
from ksln_ui.auth import SESSION_TOKEN

ROOT = Path(__file__).resolve().parents[2]

# Test accounts with known passwords: name -> (role, unit, password).
TEST_ACCOUNTS = {
    "admin": ("admin", None, "sandi-admin-uji"),
    "pimpinan": ("pimpinan", None, "sandi-pimpinan-uji"),
    "analis.lebak": ("analis", "36.02", "sandi-lebak-uji"),
    "analis.provinsi": ("analis", "36", "sandi-provinsi-uji"),
}


def add_test_accounts(db: Path | str) -> None:
    """Create the test accounts in ``db`` unless they exist (written before the app opens the file)."""
    with Store(db) as store:
        for name, (role, unit, password) in TEST_ACCOUNTS.items():
            if active_user(store, name) is None:
                create_account(store, name, role, password, kabkota=unit, by="pengujian")


def login(name: str = "admin", password: str | None = None, timeout: float = 60) -> AppTest:
    """The app after logging in as ``name`` through the real login form (on the store ``KSLN_DB`` names)."""
    db = os.environ.get("KSLN_DB")
    assert db, "page tests run on a private store named by KSLN_DB, never on data/ksln.duckdb"
    add_test_accounts(db)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout).run()
    app.text_input(key="masuk_nama").input(name)
    app.text_input(key="masuk_sandi").input(password if password is not None else TEST_ACCOUNTS[name][2])
    return app.button(key="masuk_kirim").click().run()


def visible_pages(app: AppTest) -> list[str]:
    """The url paths of the pages in the navigation of the last run (AppTest keeps no public list of them)."""
    return [info.get("url_pathname") for info in app._registered_pages.values()]


def expected_results(db: Path, rules: Rules | None = None, filters: Filters | None = None) -> Results:
    """The engine's figures, computed before the app opens the file (one read-write connection per file)."""
    with Store(db) as store:
        return compute(store, today(), rules or load_rules(), filters or Filters())


def open_page(page: str, as_user: str = "admin", timeout: float = 60) -> AppTest:
    """``pages/halaman_<page>.py`` opened by ``as_user`` (admin unless told otherwise), logged in already.

    The session is started in the store as the login form starts it (``start_session``) and this tab names it,
    as a tab does after its login: the page's first run is the page itself. The form (its password check, its
    audit entry, the main page it opens) is tested through ``login()`` in test_roles.py and the browser tests.
    """
    db = os.environ.get("KSLN_DB")
    assert db, "page tests run on a private store named by KSLN_DB, never on data/ksln.duckdb"
    add_test_accounts(db)
    with Store(db) as store:  # written before the app opens the file (one read-write connection per file)
        user = active_user(store, as_user)
        assert user is not None, f"no active account {as_user!r} in the test store"
        token = start_session(store, user)
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout).run()  # registers the pages
    app.session_state[SESSION_TOKEN] = token
    return app.switch_page(f"pages/halaman_{page}.py").run()


def table_with(app: AppTest, column: str):
    """The first table on the page that has ``column``: an interactive one, or a wrapping one (``st.table``)."""
    return next(df.value for df in [*app.dataframe, *app.table] if column in df.value.columns)
