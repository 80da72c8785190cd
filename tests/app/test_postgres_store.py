"""The app on a shared PostgreSQL store (KSLN_DB=postgresql://...): login through the store's session table.

The session lives in PostgreSQL, so an app process started afresh (caches cleared, a new
connection pool: what a restarted replica has) recognises a session another process opened,
and an account disabled from elsewhere (the command line, another replica) is logged out on
its next click.
"""

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ksln_metrics.accounts.users import session_key, set_active
from ksln_metrics.formatting import format_number_id
from ksln_metrics.sample.demo import load_demo
from ksln_metrics.store import Store
from tests.app.conftest import DEMO_TODAY
from tests.app.pages_support import ROOT, add_test_accounts, expected_results, login


@pytest.fixture
def pg_db(pg_url, monkeypatch) -> str:
    """The demo data and the test accounts in a fresh PostgreSQL database, named by KSLN_DB."""
    with Store(pg_url) as store:
        load_demo(store, today=DEMO_TODAY)
    add_test_accounts(pg_url)
    monkeypatch.setenv("KSLN_DB", pg_url)
    return pg_url


def sessions(url: str):
    with Store(url) as store:
        return store.query("SELECT token_hash, user_name, ended_at, end_reason FROM login_session ORDER BY created_at")


def test_login_on_postgres_opens_a_session_in_the_store_that_a_restarted_app_keeps(pg_db):
    app = login("pimpinan", timeout=180)
    assert not app.exception
    assert app.title[0].value == "Ringkasan"
    agreements = expected_results(pg_db).agreements
    shown = {m.label: m.value for m in app.metric}
    assert shown["Perjanjian"] == format_number_id(int(agreements["ditandatangani"].sum()), 0)

    token = app.session_state["auth_sesi"]
    stored = sessions(pg_db)
    assert stored["user_name"].tolist() == ["pimpinan"]
    assert stored["token_hash"].tolist() == [session_key(token)]  # the store keeps the hash, not the id
    assert stored["ended_at"].isna().all()

    # A fresh process: no cached store, no cached results; only the session id the browser holds.
    st.cache_resource.clear()
    st.cache_data.clear()
    again = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    again.session_state["auth_sesi"] = token
    again.run()
    assert not again.exception
    assert again.title[0].value == "Ringkasan"
    assert again.sidebar.caption[0].value.startswith("Masuk sebagai **pimpinan**")


def test_an_account_disabled_elsewhere_is_logged_out_of_the_postgres_app_on_its_next_click(pg_db):
    app = login("analis.lebak", timeout=180)
    assert app.title[0].value == "Ringkasan"
    with Store(pg_db) as other:  # another process on the same database, e.g. the command line
        set_active(other, "analis.lebak", False, by="admin")
    app.run()
    assert app.title[0].value == "Masuk" and "dinonaktifkan" in app.info[0].value
    assert sessions(pg_db)["end_reason"].tolist() == ["akun_nonaktif"]


def test_a_postgres_url_with_a_password_stops_the_app_with_a_message(pg_url, monkeypatch):
    parts = pg_url.split("@", 1)
    monkeypatch.setenv("KSLN_DB", f"{parts[0]}:Rahasia-Aplikasi-9@{parts[1]}")
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not app.exception
    assert "PGPASSWORD" in app.error[0].value
    assert all("Rahasia-Aplikasi-9" not in e.value for e in app.error)
