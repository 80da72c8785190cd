"""Accounts: argon2 hashes, login with a lockout on an injected clock, idle timeout, management rules, first admin."""

from datetime import datetime, timedelta

import pytest

from ksln_metrics.access import User
from ksln_metrics.accounts.users import (
    AccountError,
    LoginFailed,
    LoginPolicy,
    active_user,
    authenticate,
    change_own_password,
    create_account,
    ensure_admin,
    logout,
    session_expired,
    set_active,
    set_password,
    set_role,
    unlock,
)
from ksln_metrics.store import AccessDenied, Store
from tests.unit.at_once import run_at_once, second_process_store

T0 = datetime(2026, 3, 2, 9, 0)
POLICY = LoginPolicy(max_failures=3, lock_minutes=10, idle_minutes=30)
ADMIN = User("admin", "admin")


@pytest.fixture
def store(store_location):
    with Store(store_location) as store:
        create_account(store, "admin", "admin", "sandi-admin-panjang", by="pengujian")
        create_account(store, "budi.lebak", "analis", "sandi-budi-panjang", kabkota="36.02", by=ADMIN)
        yield store


def audit(store, action=None):
    rows = store.query("SELECT user_name, action, target, detail FROM audit ORDER BY audit_id")
    return rows if action is None else rows[rows["action"] == action]


def test_the_hash_is_argon2id_and_never_the_password(store):
    hashes = store.query("SELECT user_name, password_hash FROM account ORDER BY 1")
    for _name, password_hash in hashes.itertuples(index=False):
        assert password_hash.startswith("$argon2id$")
        assert "sandi" not in password_hash and "panjang" not in password_hash
    assert hashes["password_hash"].nunique() == 2
    set_password(store, "budi.lebak", "sandi-admin-panjang", by=ADMIN)  # same password, different salt
    assert store.query("SELECT count(DISTINCT password_hash) AS n FROM account")["n"].iloc[0] == 2
    assert not store.query("SELECT * FROM audit WHERE detail LIKE '%sandi-%' OR data_json LIKE '%sandi-%'").shape[0]


def test_right_password_logs_in_and_is_audited(store):
    user = authenticate(store, " Budi.Lebak ", "sandi-budi-panjang", now=T0, policy=POLICY)
    assert user == User("budi.lebak", "analis", "36.02")
    assert audit(store, "masuk").values.tolist() == [
        ["budi.lebak", "masuk", "budi.lebak", "analis Kabupaten Lebak (36.02)"]]
    logout(store, user, now=T0)
    assert audit(store, "keluar")[["user_name", "action"]].values.tolist() == [["budi.lebak", "keluar"]]


def test_wrong_passwords_lock_the_account_until_the_configured_time(store):
    for attempt in range(1, POLICY.max_failures):
        with pytest.raises(LoginFailed, match="^Nama pengguna atau kata sandi salah.$"):
            authenticate(store, "budi.lebak", f"salah-{attempt}", now=T0, policy=POLICY)
    with pytest.raises(LoginFailed, match="Akun dikunci 10 menit karena 3 kali"):
        authenticate(store, "budi.lebak", "salah-3", now=T0, policy=POLICY)
    # Locked: even the right password is refused until the lock ends.
    with pytest.raises(LoginFailed, match="dikunci sampai pukul 09.10"):
        authenticate(store, "budi.lebak", "sandi-budi-panjang", now=T0 + timedelta(minutes=9, seconds=59),
                     policy=POLICY)
    assert authenticate(store, "budi.lebak", "sandi-budi-panjang", now=T0 + timedelta(minutes=10, seconds=1),
                        policy=POLICY).name == "budi.lebak"
    details = audit(store, "gagal_masuk")["detail"].tolist()
    assert details == ["kata sandi salah (1/3)", "kata sandi salah (2/3)",
                       "kata sandi salah (3/3); akun dikunci sampai 02-03-2026 09.10",
                       "akun terkunci sampai 02-03-2026 09.10"]
    # A successful login starts the count again.
    row = store.query("SELECT failed_logins, locked_until FROM account WHERE user_name = 'budi.lebak'").iloc[0]
    assert row["failed_logins"] == 0 and row.isna()["locked_until"]


def test_the_count_is_of_failures_in_a_row(store):
    for _ in range(POLICY.max_failures - 1):
        with pytest.raises(LoginFailed):
            authenticate(store, "budi.lebak", "salah", now=T0, policy=POLICY)
    authenticate(store, "budi.lebak", "sandi-budi-panjang", now=T0, policy=POLICY)
    with pytest.raises(LoginFailed, match="salah.$"):  # not locked: the success reset the count
        authenticate(store, "budi.lebak", "salah", now=T0, policy=POLICY)


def test_an_admin_can_unlock_early_and_a_new_password_unlocks_too(store):
    for _ in range(POLICY.max_failures):
        with pytest.raises(LoginFailed):
            authenticate(store, "budi.lebak", "salah", now=T0, policy=POLICY)
    unlock(store, "budi.lebak", by=ADMIN)
    assert authenticate(store, "budi.lebak", "sandi-budi-panjang", now=T0, policy=POLICY)
    for _ in range(POLICY.max_failures):
        with pytest.raises(LoginFailed):
            authenticate(store, "budi.lebak", "salah", now=T0, policy=POLICY)
    set_password(store, "budi.lebak", "sandi-baru-budi", by=ADMIN)
    assert authenticate(store, "budi.lebak", "sandi-baru-budi", now=T0, policy=POLICY)


def test_unknown_and_disabled_accounts_cannot_log_in(store):
    with pytest.raises(LoginFailed, match="^Nama pengguna atau kata sandi salah.$"):
        authenticate(store, "siapa", "sandi-apa-saja", now=T0, policy=POLICY)
    set_active(store, "budi.lebak", False, by=ADMIN)
    with pytest.raises(LoginFailed, match="^Nama pengguna atau kata sandi salah.$"):  # wrong password: no hint
        authenticate(store, "budi.lebak", "salah", now=T0, policy=POLICY)
    with pytest.raises(LoginFailed, match="dinonaktifkan"):
        authenticate(store, "budi.lebak", "sandi-budi-panjang", now=T0, policy=POLICY)
    assert active_user(store, "budi.lebak") is None
    assert audit(store, "gagal_masuk")["detail"].tolist()[::2] == ["akun tidak dikenal", "akun nonaktif"]


def test_the_idle_timeout_follows_the_policy():
    assert not session_expired(T0, T0 + timedelta(minutes=30), POLICY)
    assert session_expired(T0, T0 + timedelta(minutes=30, seconds=1), POLICY)


def test_policy_from_the_environment(monkeypatch):
    monkeypatch.setenv("KSLN_LOGIN_MAX_FAILURES", "7")
    monkeypatch.setenv("KSLN_LOGIN_LOCK_MINUTES", "60")
    monkeypatch.setenv("KSLN_SESSION_IDLE_MINUTES", "20")
    assert LoginPolicy.from_env() == LoginPolicy(7, 60, 20)
    monkeypatch.setenv("KSLN_LOGIN_MAX_FAILURES", "nol")
    with pytest.raises(AccountError, match="KSLN_LOGIN_MAX_FAILURES"):
        LoginPolicy.from_env()


def test_only_an_admin_manages_accounts(store):
    analyst = User("budi.lebak", "analis", "36.02")
    with pytest.raises(AccessDenied, match="Hanya admin yang dapat membuat akun"):
        create_account(store, "ani", "pimpinan", "sandi-ani-panjang", by=analyst)
    with pytest.raises(AccessDenied):
        set_password(store, "admin", "sandi-curian-123", by=analyst)
    with pytest.raises(AccessDenied):
        set_role(store, "budi.lebak", "admin", by=analyst)
    assert active_user(store, "budi.lebak").role == "analis"


def test_bad_names_roles_units_and_passwords_are_refused(store):
    for name, role, unit, password, message in [
        ("Budi Lebak", "analis", "36.02", "sandi-panjang-1", "tidak sah"),
        ("ani", "analis", None, "sandi-panjang-1", "harus terikat"),
        ("ani", "analis", "36.99", "sandi-panjang-1", "tidak dikenal"),
        ("ani", "raja", None, "sandi-panjang-1", "Peran 'raja'"),
        ("ani", "pimpinan", None, "pendek", "minimal 10"),
        ("budi.lebak", "pimpinan", None, "sandi-panjang-1", "sudah dipakai"),
    ]:
        with pytest.raises(AccountError, match=message):
            create_account(store, name, role, password, kabkota=unit, by=ADMIN)


def test_the_last_active_admin_stays_and_nobody_disables_themselves(store):
    with pytest.raises(AccountError, match="akun Anda sendiri"):
        set_active(store, "admin", False, by=ADMIN)
    with pytest.raises(AccountError, match="satu-satunya admin aktif"):
        set_active(store, "admin", False, by="pengujian")
    with pytest.raises(AccountError, match="satu-satunya admin aktif"):
        set_role(store, "admin", "pimpinan", by=ADMIN)
    set_role(store, "budi.lebak", "admin", by=ADMIN)
    set_role(store, "admin", "pimpinan", by=User("budi.lebak", "admin"))
    assert active_user(store, "admin").role == "pimpinan"
    assert audit(store, "akun_diubah")["detail"].tolist() == ["analis Kabupaten Lebak (36.02) → admin",
                                                              "admin → pimpinan"]


def test_two_admins_disabling_each_other_at_once_leave_one_admin(store, store_location, monkeypatch):
    """Two admins, each disabling (or demoting) the other at the same moment, on two app processes of one
    PostgreSQL store (or two sessions of one DuckDB app): one change is refused, an admin is left."""
    import time

    from ksln_metrics.accounts import users

    create_account(store, "admin.dua", "admin", "sandi-admin-kedua", by=ADMIN)
    real = users.active_admins

    def slow_admins(*args, **kwargs):
        found = real(*args, **kwargs)
        time.sleep(0.3)  # the other admin's request arrives between the check and the change
        return found

    monkeypatch.setattr(users, "active_admins", slow_admins)
    refused = []

    def change(fn, s):
        try:
            fn(s)
        except AccountError as exc:
            refused.append(str(exc))

    with second_process_store(store, store_location) as other:
        run_at_once(lambda: change(lambda s: set_active(s, "admin.dua", False, by=ADMIN), store),
                    lambda: change(lambda s: set_role(s, "admin", "pimpinan", by=User("admin.dua", "admin")), other))
    assert len(refused) == 1 and "satu-satunya admin aktif" in refused[0]
    assert len(real(store)) == 1


def test_own_password_change_needs_the_current_one(store):
    user = User("budi.lebak", "analis", "36.02")
    with pytest.raises(AccountError, match="saat ini salah"):
        change_own_password(store, user, "salah", "sandi-baru-sekali")
    change_own_password(store, user, "sandi-budi-panjang", "sandi-baru-sekali")
    assert authenticate(store, "budi.lebak", "sandi-baru-sekali", now=T0, policy=POLICY)


def test_first_admin_gets_a_random_password_once(tmp_path):
    with Store(tmp_path / "baru.duckdb") as store:
        name, password = ensure_admin(store)
        assert name == "admin" and len(password) >= 16
        assert ensure_admin(store) is None  # an active admin exists: nothing changes, nothing printed
        assert authenticate(store, "admin", password, now=T0, policy=POLICY).is_admin
        stored = store.query("SELECT password_hash FROM account")["password_hash"].iloc[0]
        assert password not in stored
        assert audit(store, "akun_dibuat")[["user_name", "target"]].values.tolist() == [["sistem", "admin"]]
    with Store(tmp_path / "lain.duckdb") as other:
        assert ensure_admin(other)[1] != password


def test_a_name_taken_between_the_check_and_the_insert_is_refused_and_nothing_is_written(store, monkeypatch):
    """Two admins on two app processes create the same name: the second insert finds the row and refuses."""
    from ksln_metrics.accounts import users

    before = audit(store)
    monkeypatch.setattr(users, "_row", lambda store, name: None)  # the check ran before the other admin's insert
    with pytest.raises(AccountError, match="sudah dipakai"):
        create_account(store, "budi.lebak", "pimpinan", "sandi-lain-panjang", by=ADMIN)
    monkeypatch.undo()
    assert active_user(store, "budi.lebak") == User("budi.lebak", "analis", "36.02")  # the first account stands
    assert audit(store).equals(before)
