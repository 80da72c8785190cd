"""Accounts: argon2 password hashes, login with a lockout, session timeout, and account management.

Accounts live in the store's ``account`` table; every login, failed login, logout and
account change is written to its ``audit`` table. There is no default password: the first
admin is created by ``python -m ksln_metrics users ensure-admin`` (run by ``make run``)
with a random password printed once in the terminal.

Login limits are named settings with defaults, overridable by the environment:
``KSLN_LOGIN_MAX_FAILURES`` (5 wrong passwords in a row lock the account),
``KSLN_LOGIN_LOCK_MINUTES`` (for 15 minutes) and ``KSLN_SESSION_IDLE_MINUTES`` (a session
idle for 30 minutes ends). They are not in ``data/aturan.toml``: that file holds the
indicator rules only, and admins editing it in the app must not be able to weaken login.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ksln_metrics.access import ADMIN, ANALIS, ROLES, Actor, User, actor_name, admin_refusal
from ksln_metrics.reference import REGIONS, region_name
from ksln_metrics.store import AccessDenied, Store, StoreError

MIN_PASSWORD_LENGTH = 10
FIRST_ADMIN = "admin"
SYSTEM = "sistem"  # the actor of changes made on the server itself (first admin, command line)
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()  # argon2id with the library's recommended cost (RFC 9106 low-memory profile)


@cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


class AccountError(StoreError):
    """A refused account operation; the message (Bahasa Indonesia) says why."""


class LoginFailed(AccountError):
    """Wrong name or password, a locked or a disabled account."""


@dataclass(frozen=True)
class LoginPolicy:
    """How many wrong passwords lock an account, for how long, and when an idle session ends."""

    max_failures: int = 5
    lock_minutes: int = 15
    idle_minutes: int = 30

    @classmethod
    def from_env(cls) -> LoginPolicy:
        values = {}
        for field_name, variable in (("max_failures", "KSLN_LOGIN_MAX_FAILURES"),
                                     ("lock_minutes", "KSLN_LOGIN_LOCK_MINUTES"),
                                     ("idle_minutes", "KSLN_SESSION_IDLE_MINUTES")):
            text = os.environ.get(variable)
            if text:
                if not text.strip().isdigit() or int(text) < 1:
                    raise AccountError(f"{variable} harus bilangan bulat positif, bukan {text!r}.")
                values[field_name] = int(text)
        return cls(**values)


# --- names and passwords ----------------------------------------------------------------------


def normalize_name(name: str) -> str:
    return (name or "").strip().lower()


def check_name(name: str) -> str:
    key = normalize_name(name)
    if not _NAME.match(key):
        raise AccountError(
            f"Nama pengguna '{name}' tidak sah: 2–40 huruf kecil, angka, titik, garis bawah atau tanda hubung, "
            "diawali huruf atau angka (mis. budi.lebak)."
        )
    return key


def check_password(password: str, name: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Kata sandi minimal {MIN_PASSWORD_LENGTH} karakter.")
    if normalize_name(password) == normalize_name(name):
        raise AccountError("Kata sandi tidak boleh sama dengan nama pengguna.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_role(role: str, kabkota: str | None) -> str | None:
    if role not in ROLES:
        raise AccountError(f"Peran '{role}' tidak dikenal. Pilihan: {', '.join(ROLES)}.")
    if role == ANALIS:
        if not kabkota:
            raise AccountError("Akun analis harus terikat pada satu kab/kota atau provinsi (36); isi kodenya.")
        if kabkota not in REGIONS:
            raise AccountError(f"Kode kab/kota '{kabkota}' tidak dikenal. Pilihan: {', '.join(REGIONS)}.")
        return kabkota
    return None


def describe_role(role: str, kabkota: str | None) -> str:
    if role == ANALIS and kabkota:
        return f"analis {region_name(kabkota)} ({kabkota})"
    return role


# --- reading ----------------------------------------------------------------------------------


def _row(store: Store, name: str) -> dict | None:
    frame = store.query("SELECT * FROM account WHERE user_name = ?", [normalize_name(name)])
    return None if frame.empty else frame.iloc[0].to_dict()


def _user(row: dict) -> User:
    kabkota = row["kabkota"] if isinstance(row["kabkota"], str) else None
    return User(row["user_name"], row["role"], kabkota)


def has_accounts(store: Store) -> bool:
    return bool(store.query("SELECT count(*) AS n FROM account")["n"].iloc[0])


def active_user(store: Store, name: str) -> User | None:
    """The account ``name`` as it is now, or None when it does not exist or is disabled."""
    row = _row(store, name)
    return _user(row) if row and row["active"] else None


def list_accounts(store: Store) -> pd.DataFrame:
    """Every account without its hash, by name."""
    return store.query(
        "SELECT user_name, role, kabkota, active, failed_logins, locked_until, last_login, created_at, changed_at "
        "FROM account ORDER BY user_name"
    )


def account_status(active: bool, locked_until, now: datetime | None = None) -> str:
    """``aktif``, ``nonaktif`` or ``terkunci sampai 01-02-2026 10.15``."""
    if not active:
        return "nonaktif"
    if pd.notna(locked_until) and locked_until > (now or datetime.now()):
        return f"terkunci sampai {locked_until:%d-%m-%Y %H.%M}"
    return "aktif"


def active_admins(store: Store) -> list[str]:
    return store.query("SELECT user_name FROM account WHERE role = 'admin' AND active ORDER BY 1")["user_name"].tolist()


# --- login and logout ---------------------------------------------------------------------------


WRONG = "Nama pengguna atau kata sandi salah."


def authenticate(store: Store, name: str, password: str, *, now: datetime | None = None,
                 policy: LoginPolicy | None = None) -> User:
    """The account when ``password`` is right; else LoginFailed. Every attempt is audited.

    ``policy.max_failures`` wrong passwords in a row lock the account for
    ``policy.lock_minutes``; while locked, even the right password is refused.
    """
    now = now or datetime.now()
    policy = policy or LoginPolicy.from_env()
    key = normalize_name(name)
    row = _row(store, key) if key else None
    if row is None:
        _verify(_dummy_hash(), password)  # same work as for a real account: the timing does not tell names apart
        store.audit(key or "(kosong)", "gagal_masuk", target=key or None, detail="akun tidak dikenal", when=now)
        raise LoginFailed(WRONG)
    locked_until = row["locked_until"]
    if pd.notna(locked_until) and now < locked_until:
        store.audit(key, "gagal_masuk", target=key, detail=f"akun terkunci sampai {locked_until:%d-%m-%Y %H.%M}",
                    when=now)
        raise LoginFailed(
            f"Akun ini dikunci sampai pukul {locked_until:%H.%M} karena terlalu banyak kata sandi salah. "
            "Coba lagi nanti atau minta admin membukanya."
        )
    if not _verify(row["password_hash"], password):
        with store.write() as cur:
            failed = cur.execute(
                "UPDATE account SET failed_logins = failed_logins + 1 WHERE user_name = ? RETURNING failed_logins",
                [key],
            ).fetchall()[0][0]
            detail = f"kata sandi salah ({failed}/{policy.max_failures})"
            locked = failed >= policy.max_failures
            if locked:
                until = now + timedelta(minutes=policy.lock_minutes)
                cur.execute("UPDATE account SET failed_logins = 0, locked_until = ? WHERE user_name = ?", [until, key])
                detail += f"; akun dikunci sampai {until:%d-%m-%Y %H.%M}"
            Store._insert_audit(cur, key, "gagal_masuk", target=key, detail=detail, when=now)
        if locked:
            raise LoginFailed(f"{WRONG} Akun dikunci {policy.lock_minutes} menit karena {policy.max_failures} kali "
                              "kata sandi salah berturut-turut.")
        raise LoginFailed(WRONG)
    if not row["active"]:
        store.audit(key, "gagal_masuk", target=key, detail="akun nonaktif", when=now)
        raise LoginFailed("Akun ini dinonaktifkan; hubungi admin.")
    new_hash = hash_password(password) if _hasher.check_needs_rehash(row["password_hash"]) else row["password_hash"]
    with store.write() as cur:
        cur.execute(
            "UPDATE account SET failed_logins = 0, locked_until = NULL, last_login = ?, password_hash = ? "
            "WHERE user_name = ?",
            [now, new_hash, key],
        )
        Store._insert_audit(cur, key, "masuk", target=key, detail=describe_role(row["role"], row["kabkota"]),
                            when=now)
    return _user(row)


def logout(store: Store, user: User, *, reason: str | None = None, now: datetime | None = None) -> None:
    store.audit(user, "keluar", target=user.name, detail=reason, when=now)


def session_expired(last_active: datetime, now: datetime, policy: LoginPolicy | None = None) -> bool:
    """True when a session idle since ``last_active`` has ended by ``now``."""
    policy = policy or LoginPolicy.from_env()
    return now - last_active > timedelta(minutes=policy.idle_minutes)


# --- managing accounts -----------------------------------------------------------------------------


def _require_admin(by: Actor, what: str) -> None:
    if refusal := admin_refusal(by, what):
        raise AccessDenied(refusal)


def _existing(store: Store, name: str) -> dict:
    row = _row(store, name)
    if row is None:
        raise AccountError(f"Akun '{normalize_name(name)}' tidak ada.")
    return row


def create_account(store: Store, name: str, role: str, password: str, *, kabkota: str | None = None,
                   by: Actor, now: datetime | None = None) -> User:
    """A new active account (admin only). Raises AccountError for a taken name, a weak password or a bad unit."""
    _require_admin(by, "membuat akun")
    key = check_name(name)
    kabkota = _check_role(role, kabkota)
    check_password(password, key)
    if _row(store, key) is not None:
        raise AccountError(f"Nama pengguna '{key}' sudah dipakai.")
    now = now or datetime.now()
    password_hash = hash_password(password)
    with store.write() as cur:
        cur.execute(
            "INSERT INTO account (user_name, role, kabkota, password_hash, active, failed_logins, created_at, "
            "changed_at) VALUES (?, ?, ?, ?, TRUE, 0, ?, ?)",
            [key, role, kabkota, password_hash, now, now],
        )
        Store._insert_audit(cur, by, "akun_dibuat", target=key, detail=describe_role(role, kabkota),
                            data={"peran": role, "kabkota": kabkota}, when=now)
    return User(key, role, kabkota)


def set_password(store: Store, name: str, password: str, *, by: Actor, now: datetime | None = None) -> None:
    """Set another account's password (admin only); also ends a lockout."""
    _require_admin(by, "mengganti kata sandi akun lain")
    key = _existing(store, name)["user_name"]
    check_password(password, key)
    now = now or datetime.now()
    password_hash = hash_password(password)
    with store.write() as cur:
        cur.execute("UPDATE account SET password_hash = ?, failed_logins = 0, locked_until = NULL, changed_at = ? "
                    "WHERE user_name = ?", [password_hash, now, key])
        Store._insert_audit(cur, by, "kata_sandi_diganti", target=key, detail="oleh admin", when=now)


def change_own_password(store: Store, user: User, current: str, new: str, *, now: datetime | None = None) -> None:
    """A user changes their own password; the current one must be given."""
    row = _existing(store, user.name)
    if not _verify(row["password_hash"], current):
        raise AccountError("Kata sandi saat ini salah; kata sandi tidak diganti.")
    check_password(new, user.name)
    now = now or datetime.now()
    password_hash = hash_password(new)
    with store.write() as cur:
        cur.execute("UPDATE account SET password_hash = ?, changed_at = ? WHERE user_name = ?",
                    [password_hash, now, user.name])
        Store._insert_audit(cur, user, "kata_sandi_diganti", target=user.name, detail="oleh pemilik akun", when=now)


def _keeps_an_admin(store: Store, name: str) -> None:
    if active_admins(store) == [name]:
        raise AccountError(f"'{name}' adalah satu-satunya admin aktif; buat atau aktifkan admin lain lebih dulu.")


def set_active(store: Store, name: str, active: bool, *, by: Actor, now: datetime | None = None) -> None:
    """Disable or re-enable an account (admin only); the last active admin cannot be disabled."""
    _require_admin(by, "mengaktifkan atau menonaktifkan akun")
    row = _existing(store, name)
    key = row["user_name"]
    if bool(row["active"]) == active:
        return
    if not active:
        if actor_name(by) == key:
            raise AccountError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
        if row["role"] == ADMIN:
            _keeps_an_admin(store, key)
    now = now or datetime.now()
    with store.write() as cur:
        cur.execute("UPDATE account SET active = ?, changed_at = ? WHERE user_name = ?", [active, now, key])
        Store._insert_audit(cur, by, "akun_diaktifkan" if active else "akun_dinonaktifkan", target=key, when=now)


def set_role(store: Store, name: str, role: str, *, kabkota: str | None = None, by: Actor,
             now: datetime | None = None) -> None:
    """Change an account's role and unit (admin only); the last active admin keeps the admin role."""
    _require_admin(by, "mengubah peran akun")
    row = _existing(store, name)
    key = row["user_name"]
    kabkota = _check_role(role, kabkota)
    old_unit = row["kabkota"] if isinstance(row["kabkota"], str) else None
    if (row["role"], old_unit) == (role, kabkota):
        return
    if row["role"] == ADMIN and role != ADMIN and row["active"]:
        _keeps_an_admin(store, key)
    now = now or datetime.now()
    with store.write() as cur:
        cur.execute("UPDATE account SET role = ?, kabkota = ?, changed_at = ? WHERE user_name = ?",
                    [role, kabkota, now, key])
        Store._insert_audit(cur, by, "akun_diubah", target=key,
                            detail=f"{describe_role(row['role'], old_unit)} → {describe_role(role, kabkota)}",
                            data={"peran": role, "kabkota": kabkota}, when=now)


def unlock(store: Store, name: str, *, by: Actor, now: datetime | None = None) -> None:
    """End a lockout before its time (admin only)."""
    _require_admin(by, "membuka kunci akun")
    key = _existing(store, name)["user_name"]
    now = now or datetime.now()
    with store.write() as cur:
        cur.execute("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE user_name = ?", [key])
        Store._insert_audit(cur, by, "akun_dibuka", target=key, when=now)


def new_password() -> str:
    """A random password of 16 characters from the URL-safe alphabet."""
    return secrets.token_urlsafe(12)


def ensure_admin(store: Store, *, by: Actor = SYSTEM) -> tuple[str, str] | None:
    """When no active admin exists, create ``admin`` (or restore it) with a random password; return (name, password).

    Returns None, and changes nothing, when an active admin exists. The password is shown
    once by the caller and stored only as its hash.
    """
    if active_admins(store):
        return None
    password = new_password()
    if _row(store, FIRST_ADMIN) is None:
        create_account(store, FIRST_ADMIN, ADMIN, password, by=by)
    else:  # the account exists but was demoted or disabled by hand: restore it
        set_role(store, FIRST_ADMIN, ADMIN, by=by)
        set_active(store, FIRST_ADMIN, True, by=by)
        set_password(store, FIRST_ADMIN, password, by=by)
    return FIRST_ADMIN, password
