"""Login sessions on an injected clock: only a hash is stored, timeouts end them, logout/disable/password revoke them; the cookie route."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.requests import Request

from ksln_metrics.access import User
from ksln_metrics.accounts.users import (
    ENDED_DISABLED,
    ENDED_IDLE,
    ENDED_LOGOUT,
    ENDED_MAX_AGE,
    ENDED_PASSWORD,
    ENDED_UNKNOWN,
    LoginPolicy,
    change_own_password,
    check_session,
    create_account,
    logout,
    session_key,
    set_active,
    set_password,
    start_session,
)
from ksln_metrics.store import Store
from ksln_ui import session_cookie

T0 = datetime(2026, 3, 2, 9, 0)
POLICY = LoginPolicy(idle_minutes=30, max_hours=8)
ADMIN = User("admin", "admin")
BUDI = User("budi.lebak", "analis", "36.02")


@pytest.fixture
def store(store_location):
    with Store(store_location) as store:
        create_account(store, "admin", "admin", "sandi-admin-panjang", by="pengujian")
        create_account(store, "budi.lebak", "analis", "sandi-budi-panjang", kabkota="36.02", by=ADMIN)
        yield store


def check(store, token, minutes=0.0):
    return check_session(store, token, now=T0 + timedelta(minutes=minutes), policy=POLICY)


def test_the_store_keeps_only_the_hash_of_the_random_session_id(store):
    tokens = {start_session(store, BUDI, now=T0, policy=POLICY) for _ in range(3)}
    assert len(tokens) == 3 and all(len(t) >= 43 for t in tokens)  # 256 random bits each
    stored = store.query("SELECT * FROM login_session")
    assert set(stored["token_hash"]) == {session_key(t) for t in tokens}
    dump = stored.to_csv(index=False)
    assert not any(t in dump for t in tokens)
    assert stored["user_name"].tolist() == ["budi.lebak"] * 3
    assert (stored["expires_at"] - stored["created_at"]).eq(timedelta(hours=8)).all()


def test_a_session_is_valid_and_its_idle_clock_moves_on_use(store):
    token = start_session(store, BUDI, now=T0, policy=POLICY)
    assert check(store, token, 29).user == BUDI
    assert store.query("SELECT last_seen FROM login_session")["last_seen"].iloc[0] == T0 + timedelta(minutes=29)
    assert check(store, token, 58).user == BUDI  # 29 minutes after the last use, not 58 after the login
    result = check(store, token, 58 + 31)
    assert (result.user, result.ended) == (None, ENDED_IDLE)
    assert check(store, token, 90).ended == ENDED_IDLE  # once ended it stays ended
    assert store.query("SELECT detail FROM audit WHERE action = 'keluar'")["detail"].tolist() == [
        "sesi berakhir: tidak aktif lebih dari 30 menit"]


def test_the_idle_clock_is_written_at_most_once_a_minute(store):
    token = start_session(store, BUDI, now=T0, policy=POLICY)
    assert check(store, token, 0.5).user == BUDI
    assert store.query("SELECT last_seen FROM login_session")["last_seen"].iloc[0] == T0


def test_a_session_in_use_ends_at_its_absolute_limit(store):
    token = start_session(store, BUDI, now=T0, policy=POLICY)
    for minutes in range(20, 8 * 60, 20):
        assert check(store, token, minutes).user == BUDI
    assert check(store, token, 8 * 60).ended == ENDED_MAX_AGE


def test_logout_ends_that_session_only(store):
    token, other = (start_session(store, BUDI, now=T0, policy=POLICY) for _ in range(2))
    logout(store, BUDI, token=token, now=T0)
    assert check(store, token, 1).ended == ENDED_LOGOUT
    assert check(store, other, 1).user == BUDI
    assert check(store, "a-forged-or-guessed-id", 1).ended == ENDED_UNKNOWN


def test_disabling_the_account_ends_all_its_sessions(store):
    tokens = [start_session(store, BUDI, now=T0, policy=POLICY) for _ in range(2)]
    admin_token = start_session(store, ADMIN, now=T0, policy=POLICY)
    set_active(store, "budi.lebak", False, by=ADMIN, now=T0)
    assert [check(store, t, 1).ended for t in tokens] == [ENDED_DISABLED] * 2
    assert check(store, admin_token, 1).user == ADMIN
    assert store.query("SELECT detail FROM audit WHERE action = 'akun_dinonaktifkan'")["detail"].tolist() == [
        "2 sesi diakhiri"]
    set_active(store, "budi.lebak", True, by=ADMIN, now=T0)
    assert check(store, tokens[0], 2).ended == ENDED_DISABLED  # enabling again does not revive a session


def test_a_password_change_ends_the_sessions_but_the_owners_current_one(store):
    here, elsewhere = (start_session(store, BUDI, now=T0, policy=POLICY) for _ in range(2))
    change_own_password(store, BUDI, "sandi-budi-panjang", "sandi-budi-baru-sekali", keep_session=here, now=T0)
    assert check(store, here, 1).user == BUDI
    assert check(store, elsewhere, 1).ended == ENDED_PASSWORD
    set_password(store, "budi.lebak", "sandi-dari-admin-baru", by=ADMIN, now=T0)
    assert check(store, here, 2).ended == ENDED_PASSWORD


def test_old_ended_sessions_are_removed_at_a_later_login(store):
    token = start_session(store, BUDI, now=T0, policy=POLICY)
    logout(store, BUDI, token=token, now=T0)
    start_session(store, BUDI, now=T0 + timedelta(days=29), policy=POLICY)
    assert len(store.query("SELECT * FROM login_session")) == 2
    start_session(store, BUDI, now=T0 + timedelta(days=31), policy=POLICY)
    assert session_key(token) not in set(store.query("SELECT token_hash FROM login_session")["token_hash"])


# --- the cookie route ------------------------------------------------------------------------------


def request_to(url: str, site: str | None = "same-origin", scheme: str = "http") -> Request:
    parts = urlsplit(url)
    headers = [(b"host", b"127.0.0.1:8501")] + ([(b"sec-fetch-site", site.encode())] if site else [])
    return Request({"type": "http", "method": "GET", "scheme": scheme, "server": ("127.0.0.1", 8501),
                    "path": parts.path, "query_string": parts.query.encode(), "headers": headers})


def call(request: Request):
    # A thread of its own: Playwright's sync API keeps an event loop running in the main thread of a full run.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, session_cookie.start(request)).result()


def test_the_route_turns_a_one_time_code_into_an_httponly_strict_cookie_and_opens_the_page():
    url = session_cookie.handoff_url("geheim-sesi-id", "peringatan", 8 * 3600)
    assert url.startswith("/sesi/mulai?") and "geheim-sesi-id" not in url
    response = call(request_to(url))
    assert response.status_code == 303 and response.headers["location"] == "/peringatan"
    assert response.headers["cache-control"] == "no-store"
    header = response.headers["set-cookie"]
    cookie = SimpleCookie(header)[session_cookie.COOKIE]
    assert cookie.value == "geheim-sesi-id"
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["max-age"] == "28800"
    assert cookie["path"] == "/" and not cookie["secure"]
    again = call(request_to(url))  # the code is used up
    assert again.status_code == 400 and "set-cookie" not in again.headers
    assert "Tautan masuk tidak berlaku" in again.body.decode()


def test_the_cookie_is_secure_behind_https_and_the_target_is_a_page_of_this_app():
    url = session_cookie.handoff_url("sesi-https", "//evil.example/x", 60)
    assert parse_qs(urlsplit(url).query, keep_blank_values=True)["ke"] == [""]
    response = call(request_to(url, scheme="https"))
    assert response.headers["location"] == "/"
    assert SimpleCookie(response.headers["set-cookie"])[session_cookie.COOKIE]["secure"]
    tampered = session_cookie.handoff_url("sesi-lain", "", 60).replace("ke=", "ke=%2F%2Fevil.example")
    assert call(request_to(tampered)).headers["location"] == "/"


def test_a_code_sent_from_another_site_or_too_late_is_refused(monkeypatch):
    url = session_cookie.handoff_url("sesi-lintas-situs", "", 60)
    assert call(request_to(url, site="cross-site")).status_code == 400
    assert call(request_to(url)).status_code == 400  # refused once, gone
    late = session_cookie.handoff_url("sesi-terlambat", "", 60)
    clock = session_cookie.time.monotonic() + session_cookie.HANDOFF_SECONDS + 1
    monkeypatch.setattr(session_cookie.time, "monotonic", lambda: clock)
    assert call(request_to(late)).status_code == 400
