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
def store(store_location):
    with Store(store_location) as store:
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


CLAIM_SCRIPT = """
import sys, time
from datetime import datetime
from pathlib import Path
from ksln_metrics.accounts import users
from ksln_metrics.store import Store

real_verify = users._verify


def slow_verify(password_hash, password):
    time.sleep(1.5)  # every process claims its attempt while the first checks are still running
    return real_verify(password_hash, password)


users._verify = slow_verify
url, ready, go = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
with Store(url) as store:
    ready.touch()
    while not go.exists():
        time.sleep(0.005)
    try:
        users.authenticate(store, "budi.lebak", sys.argv[4], now=datetime(2026, 3, 2, 9, 0),
                           policy=users.LoginPolicy(max_failures=3, lock_minutes=15))
        print("masuk")
    except users.LoginFailed:
        print("ditolak")
"""


def test_attempts_from_eight_app_processes_on_one_postgres_check_at_most_the_limit(pg_url, tmp_path):
    """Replicas share the account row: the claim is one atomic UPDATE, so processes cannot all slip past the limit."""
    import subprocess
    import sys
    from pathlib import Path

    with Store(pg_url) as store:
        create_account(store, "budi.lebak", "analis", RIGHT, kabkota="36.02", by="pengujian")
    go = tmp_path / "go"
    passwords = [f"salah-sandi-budi-{i}" for i in range(8)]
    processes = [subprocess.Popen([sys.executable, "-c", CLAIM_SCRIPT, pg_url, str(tmp_path / f"siap{i}"), str(go),
                                   password], stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
                 for i, password in enumerate(passwords)]
    try:
        deadline = time.monotonic() + 120
        while not all((tmp_path / f"siap{i}").exists() for i in range(len(passwords))):
            assert time.monotonic() < deadline, "the processes did not open the store"
            assert all(p.poll() is None for p in processes), "a process ended before the start"
            time.sleep(0.05)
        go.touch()
        outcomes = [p.communicate(timeout=120)[0].strip() for p in processes]
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
    with Store(pg_url) as store:
        checked = attempts_audited(store)
        state = account(store)
    assert outcomes == ["ditolak"] * len(passwords)
    assert len(checked) == len(passwords)  # every attempt is in the audit trail
    assert checked["detail"].str.startswith("kata sandi salah").sum() == 3  # only the limit reached the check
    assert pd.notna(state["locked_until"])  # and the account is locked
