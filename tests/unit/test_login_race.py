"""Parallel logins on one account (issue 11, item 2): the lockout holds however many attempts arrive at once."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import pandas as pd
import pytest

from ksln_metrics.accounts import users
from ksln_metrics.accounts.users import LoginFailed, LoginPolicy, authenticate, create_account
from ksln_metrics.store import Store

T0 = datetime(2026, 3, 2, 9, 0)
POLICY = LoginPolicy(max_failures=5, lock_minutes=15)
RIGHT = "sandi-budi-panjang"


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "balapan.duckdb") as store:
        create_account(store, "budi.lebak", "analis", RIGHT, kabkota="36.02", by="pengujian")
        yield store


def attempt(store, password):
    try:
        authenticate(store, "budi.lebak", password, now=T0, policy=POLICY)
    except LoginFailed as exc:
        return str(exc)
    return "masuk"


def account(store):
    return store.query("SELECT failed_logins, locked_until FROM account WHERE user_name = 'budi.lebak'").iloc[0]


def attempts_audited(store):
    return store.query("SELECT action, detail FROM audit WHERE target = 'budi.lebak' AND action <> 'akun_dibuat'")


def test_the_right_password_does_not_get_in_once_parallel_wrong_ones_reach_the_limit(store, monkeypatch):
    """29 wrong attempts are under way (their password checks held open); then the right one arrives."""
    real_verify = users._verify
    release = threading.Event()
    lock = threading.Lock()
    counts = {"checked": 0, "done": 0}

    def held_verify(password_hash, password):
        if password != RIGHT and password_hash.startswith("$argon2id$"):
            with lock:
                counts["checked"] += 1
            release.wait(30)
        return real_verify(password_hash, password)

    monkeypatch.setattr(users, "_verify", held_verify)

    def wrong(i):
        try:
            return attempt(store, f"salah-{i}")
        finally:
            with lock:
                counts["done"] += 1

    with ThreadPoolExecutor(max_workers=30) as pool:
        futures = [pool.submit(wrong, i) for i in range(29)]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # every wrong attempt is either held in its check or already answered
            with lock:
                if counts["checked"] + counts["done"] >= 29:
                    break
            time.sleep(0.01)
        right = attempt(store, RIGHT)
        release.set()
        answers = [f.result() for f in futures]

    assert right.startswith("Akun ini dikunci sampai pukul")
    assert counts["checked"] == POLICY.max_failures  # only that many passwords were ever checked
    assert "masuk" not in answers
    state = account(store)
    assert state["failed_logins"] == 0 and state["locked_until"] > T0
    log = attempts_audited(store)
    assert len(log) == 30 and set(log["action"]) == {"gagal_masuk"}
    assert log["detail"].str.contains("akun dikunci sampai").sum() == 1  # the lock was set once


def test_thirty_attempts_at_once_check_at_most_the_limit_and_leave_the_account_locked(store, monkeypatch):
    """29 wrong and 1 right released together by a barrier, with the real argon2 check."""
    real_verify = users._verify
    checked = []
    barrier = threading.Barrier(30)

    def counting_verify(password_hash, password):
        if password_hash.startswith("$argon2id$"):
            checked.append(password)
        return real_verify(password_hash, password)

    monkeypatch.setattr(users, "_verify", counting_verify)

    def run(password):
        barrier.wait(30)
        return attempt(store, password)

    passwords = [f"salah-{i}" for i in range(29)] + [RIGHT]
    with ThreadPoolExecutor(max_workers=30) as pool:
        answers = list(pool.map(run, passwords))

    log = attempts_audited(store)
    assert len(log) == 30  # every attempt recorded once
    logged_in = answers.count("masuk")
    assert logged_in == (log["action"] == "masuk").sum() <= 1
    if not logged_in:
        assert len(checked) <= POLICY.max_failures
    assert len(checked) <= 2 * POLICY.max_failures  # a success resets the count once, never more
    state = account(store)
    assert state["locked_until"] > T0  # 29 wrong passwords lock the account whatever the order
    assert 0 <= state["failed_logins"] <= POLICY.max_failures


def test_a_few_parallel_attempts_below_the_limit_do_not_lock_out_the_right_password(store):
    barrier = threading.Barrier(4)

    def run(password):
        barrier.wait(30)
        return attempt(store, password)

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(run, ["salah-1", "salah-2", "salah-3", RIGHT]))
    assert answers[-1] == "masuk"
    assert answers[:3] == ["Nama pengguna atau kata sandi salah."] * 3
    assert pd.isna(account(store)["locked_until"]) and account(store)["failed_logins"] == 0
