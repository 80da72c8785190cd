"""Accounts: argon2 password hashes, login with a lockout, session timeout, and account management.

Accounts live in the store's ``account`` table; every login, failed login, logout and
account change is written to its ``audit`` table. There is no default password: the first
admin is created by ``python -m ksln_metrics users ensure-admin`` (run by ``make run``)
with a random password printed once in the terminal.

Login limits are named settings with defaults, overridable by the environment:
``KSLN_LOGIN_MAX_FAILURES`` (5 wrong passwords in a row lock the account),
``KSLN_LOGIN_LOCK_MINUTES`` (for 15 minutes), ``KSLN_SESSION_IDLE_MINUTES`` (a session
idle for 30 minutes ends) and ``KSLN_SESSION_MAX_HOURS`` (every session ends 12 hours after
its login). They are not in ``data/aturan.toml``: that file holds the
indicator rules only, and admins editing it in the app must not be able to weaken login.

A login is a session in the store's ``login_session`` table, keyed by the SHA-256 of a
random session id that only the browser holds (in an HttpOnly cookie, see ``ksln_ui``).
Every run of the app checks it (``check_session``); logging out ends it, and disabling the
account or changing its password ends every session of the account.
"""

from __future__ import annotations

import hashlib
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
from ksln_metrics.db.migrations import ADMIN_LOCK
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
    max_hours: int = 12  # absolute timeout: a session ends this long after its login, active or not

    @classmethod
    def from_env(cls) -> LoginPolicy:
        values = {}
        for field_name, variable in (("max_failures", "KSLN_LOGIN_MAX_FAILURES"),
                                     ("lock_minutes", "KSLN_LOGIN_LOCK_MINUTES"),
                                     ("idle_minutes", "KSLN_SESSION_IDLE_MINUTES"),
                                     ("max_hours", "KSLN_SESSION_MAX_HOURS")):
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
            "diawali huruf atau angka (mis. budi.santoso)."
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


_ACTIVE_ADMINS_SQL = "SELECT user_name FROM account WHERE role = 'admin' AND active ORDER BY 1"


def active_admins(store: Store, cur=None) -> list[str]:
    """The active admins' names; with ``cur``, as that transaction sees them."""
    if cur is None:
        return store.query(_ACTIVE_ADMINS_SQL)["user_name"].tolist()
    return [name for (name,) in cur.execute(_ACTIVE_ADMINS_SQL).fetchall()]


# --- login and logout ---------------------------------------------------------------------------


WRONG = "Nama pengguna atau kata sandi salah."


def _locked_message(until: datetime) -> str:
    return (f"Akun ini dikunci sampai pukul {until:%H.%M} karena terlalu banyak kata sandi salah. "
            "Coba lagi nanti atau minta admin membukanya.")


def _lock(cur, key: str, now: datetime, policy: LoginPolicy) -> datetime:
    until = now + timedelta(minutes=policy.lock_minutes)
    cur.execute("UPDATE account SET failed_logins = 0, locked_until = ? WHERE user_name = ?", [until, key])
    return until


_CLAIMED = ("user_name", "role", "kabkota", "password_hash", "active")


def _locked_row(cur, key: str, columns: str) -> tuple | None:
    """``columns`` of the account ``key`` as committed now, its row locked until the transaction ends.

    A no-op ``UPDATE ... RETURNING`` is the portable ``SELECT ... FOR UPDATE`` (which DuckDB
    lacks): on PostgreSQL it waits for a transaction that holds the row and then returns the
    row as that one left it, so app processes settling attempts on one account do it one by
    one. On a DuckDB file one writer at a time holds the store anyway.
    """
    rows = cur.execute(f"UPDATE account SET failed_logins = failed_logins WHERE user_name = ? RETURNING {columns}",
                       [key]).fetchall()
    return rows[0] if rows else None


def _claim_attempt(store: Store, key: str, now: datetime, policy: LoginPolicy) -> dict | None:
    """Count this attempt as a wrong password before the password is checked; the account row, or None when unknown.

    The count is one atomic ``UPDATE ... RETURNING`` on the account's row, so attempts made
    at the same moment, from threads or from other app processes on a shared PostgreSQL,
    queue on that row: only ``policy.max_failures`` get to have their password checked; the
    next one locks the account. Raises LoginFailed for a locked account (after recording the attempt).
    """
    claim = ("UPDATE account SET failed_logins = failed_logins + 1 WHERE user_name = ? "
             "AND (locked_until IS NULL OR locked_until <= ?) AND failed_logins < ? "
             f"RETURNING {', '.join(_CLAIMED)}")
    with store.write() as cur:
        claimed = cur.execute(claim, [key, now, policy.max_failures]).fetchall()
        if claimed:
            return dict(zip(_CLAIMED, claimed[0], strict=True))
        state = _locked_row(cur, key, "failed_logins, locked_until")  # not claimable: see why, one at a time
        if state is None:
            return None
        failed, locked_until = state
        if locked_until is not None and now < locked_until:
            store.audit_in(cur, key, "gagal_masuk", target=key,
                           detail=f"akun terkunci sampai {locked_until:%d-%m-%Y %H.%M}", when=now)
            refusal = _locked_message(locked_until)
        elif failed >= policy.max_failures:  # that many attempts are wrong or still being checked
            until = _lock(cur, key, now, policy)
            store.audit_in(cur, key, "gagal_masuk", target=key,
                           detail=f"{policy.max_failures} percobaan lain belum selesai diperiksa; "
                                  f"akun dikunci sampai {until:%d-%m-%Y %H.%M}", when=now)
            refusal = _locked_message(until)
        else:  # claimable again meanwhile (a login reset the count, a lock ran out): the row is ours now
            return dict(zip(_CLAIMED, cur.execute(claim, [key, now, policy.max_failures]).fetchall()[0], strict=True))
    raise LoginFailed(refusal)


def authenticate(store: Store, name: str, password: str, *, now: datetime | None = None,
                 policy: LoginPolicy | None = None) -> User:
    """The account when ``password`` is right; else LoginFailed. Every attempt is audited.

    ``policy.max_failures`` wrong passwords in a row lock the account for
    ``policy.lock_minutes``; while locked, even the right password is refused. The attempt
    is counted before the (slow) password check, so parallel attempts cannot all be checked.
    """
    now = now or datetime.now()
    policy = policy or LoginPolicy.from_env()
    key = normalize_name(name)
    row = _claim_attempt(store, key, now, policy) if key else None
    if row is None:
        _verify(_dummy_hash(), password)  # same work as for a real account: the timing does not tell names apart
        store.audit(key or "(kosong)", "gagal_masuk", target=key or None, detail="akun tidak dikenal", when=now)
        raise LoginFailed(WRONG)
    right = _verify(row["password_hash"], password)
    new_hash = None
    if right:
        new_hash = hash_password(password) if _hasher.check_needs_rehash(row["password_hash"]) else row["password_hash"]
    refusal = None
    with store.write() as cur:  # settle the attempt against the account as it is now
        failed, locked_until, active, stored_hash = _locked_row(cur, key,
                                                                "failed_logins, locked_until, active, password_hash")
        right = right and stored_hash == row["password_hash"]  # a password changed meanwhile: the old one is wrong
        if locked_until is not None and now < locked_until:  # locked meanwhile by attempts made at the same time
            detail = "kata sandi " + ("benar" if right else "salah") + \
                f", tetapi akun sudah dikunci sampai {locked_until:%d-%m-%Y %H.%M}"
            store.audit_in(cur, key, "gagal_masuk", target=key, detail=detail, when=now)
            refusal = _locked_message(locked_until)
        elif not right:
            detail = f"kata sandi salah ({failed}/{policy.max_failures})"
            refusal = WRONG
            if failed >= policy.max_failures:
                until = _lock(cur, key, now, policy)
                detail += f"; akun dikunci sampai {until:%d-%m-%Y %H.%M}"
                refusal = (f"{WRONG} Akun dikunci {policy.lock_minutes} menit karena {policy.max_failures} kali "
                           "kata sandi salah berturut-turut.")
            store.audit_in(cur, key, "gagal_masuk", target=key, detail=detail, when=now)
        elif not active:
            cur.execute("UPDATE account SET failed_logins = greatest(failed_logins - 1, 0) WHERE user_name = ?", [key])
            store.audit_in(cur, key, "gagal_masuk", target=key, detail="akun nonaktif", when=now)
            refusal = "Akun ini dinonaktifkan; hubungi admin."
        else:
            cur.execute(
                "UPDATE account SET failed_logins = 0, locked_until = NULL, last_login = ?, password_hash = ? "
                "WHERE user_name = ?",
                [now, new_hash, key],
            )
            store.audit_in(cur, key, "masuk", target=key, detail=describe_role(row["role"], row["kabkota"]),
                           when=now)
    if refusal:
        raise LoginFailed(refusal)
    return _user(row)


def session_expired(last_active: datetime, now: datetime, policy: LoginPolicy | None = None) -> bool:
    """True when a session idle since ``last_active`` has ended by ``now``."""
    policy = policy or LoginPolicy.from_env()
    return now - last_active > timedelta(minutes=policy.idle_minutes)


# --- login sessions ------------------------------------------------------------------------------

# Why a session ended (login_session.end_reason); ksln_ui tells the user in words.
ENDED_LOGOUT = "keluar"
ENDED_IDLE = "tidak_aktif"
ENDED_MAX_AGE = "batas_waktu"
ENDED_DISABLED = "akun_nonaktif"
ENDED_PASSWORD = "kata_sandi_diganti"
ENDED_UNKNOWN = "tidak_dikenal"  # no such session: never issued, or removed long after it ended
_TOUCH_EVERY = timedelta(minutes=1)  # the idle clock is written at most once a minute per session
_KEEP_ENDED = timedelta(days=30)


def session_key(token: str) -> str:
    """What the store keeps of a session id: its SHA-256 (the id is 256 random bits, so no slow hash is needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SessionCheck:
    """The account of a valid session, or None and why the session is not (one of the ``ENDED_*`` codes)."""

    user: User | None
    ended: str | None = None
    expires_at: datetime | None = None


def start_session(store: Store, user: User, *, now: datetime | None = None,
                  policy: LoginPolicy | None = None) -> str:
    """A new session of ``user``; returns the random session id (for the cookie), of which the store keeps the hash."""
    now = now or datetime.now()
    policy = policy or LoginPolicy.from_env()
    token = secrets.token_urlsafe(32)
    with store.write() as cur:
        cur.execute("DELETE FROM login_session WHERE COALESCE(ended_at, expires_at) < ?", [now - _KEEP_ENDED])
        cur.execute(
            "INSERT INTO login_session (token_hash, user_name, created_at, expires_at, last_seen) VALUES (?, ?, ?, ?, ?)",
            [session_key(token), user.name, now, now + timedelta(hours=policy.max_hours), now],
        )
    return token


def _end_sessions(cur, where: str, params: list, reason: str, now: datetime) -> int:
    return len(cur.execute(
        f"UPDATE login_session SET ended_at = ?, end_reason = ? WHERE ended_at IS NULL AND {where} RETURNING 1",
        [now, reason, *params],
    ).fetchall())


def end_user_sessions(cur, name: str, reason: str, now: datetime, *, keep: str | None = None) -> int:
    """End every open session of ``name`` (but the one whose id is ``keep``) inside the caller's transaction."""
    if keep is None:
        return _end_sessions(cur, "user_name = ?", [name], reason, now)
    return _end_sessions(cur, "user_name = ? AND token_hash <> ?", [name, session_key(keep)], reason, now)


def check_session(store: Store, token: str, *, now: datetime | None = None,
                  policy: LoginPolicy | None = None) -> SessionCheck:
    """The account behind session id ``token`` as the store knows it now; ends the session when it has timed out.

    A session is valid while it has not been ended, its account exists and is active, it
    is younger than ``policy.max_hours`` and it was used within ``policy.idle_minutes``.
    A valid session's last activity becomes ``now``.
    """
    now = now or datetime.now()
    policy = policy or LoginPolicy.from_env()
    key = session_key(token)
    rows = store.cursor().execute(
        "SELECT s.user_name, s.expires_at, s.last_seen, s.ended_at, s.end_reason, a.role, a.kabkota, a.active "
        "FROM login_session s LEFT JOIN account a USING (user_name) WHERE s.token_hash = ?", [key]).fetchall()
    if not rows:
        return SessionCheck(None, ENDED_UNKNOWN)
    name, expires_at, last_seen, ended_at, end_reason, role, kabkota, active = rows[0]
    if ended_at is not None:
        return SessionCheck(None, end_reason or ENDED_LOGOUT)
    if not active:
        ended, detail = ENDED_DISABLED, "akun dinonaktifkan atau dihapus"
    elif now >= expires_at:
        ended, detail = ENDED_MAX_AGE, f"sesi berakhir: lebih dari {policy.max_hours} jam sejak masuk"
    elif session_expired(last_seen, now, policy):
        ended, detail = ENDED_IDLE, f"sesi berakhir: tidak aktif lebih dari {policy.idle_minutes} menit"
    else:
        if now - last_seen >= _TOUCH_EVERY:
            with store.write() as cur:
                cur.execute("UPDATE login_session SET last_seen = ? WHERE token_hash = ? AND last_seen < ?",
                            [now, key, now])
        return SessionCheck(User(name, role, kabkota if isinstance(kabkota, str) else None), None, expires_at)
    with store.write() as cur:
        if _end_sessions(cur, "token_hash = ?", [key], ended, now):
            store.audit_in(cur, name, "keluar", target=name, detail=detail, when=now)
    return SessionCheck(None, ended)


def logout(store: Store, user: User, *, token: str | None = None, now: datetime | None = None) -> None:
    """End the session ``token`` of ``user`` (a copy of its cookie opens nothing afterwards) and record the logout."""
    now = now or datetime.now()
    with store.write() as cur:
        if token is not None:
            _end_sessions(cur, "token_hash = ?", [session_key(token)], ENDED_LOGOUT, now)
        store.audit_in(cur, user, "keluar", target=user.name, when=now)


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
        made = cur.execute(
            "INSERT INTO account (user_name, role, kabkota, password_hash, active, failed_logins, created_at, "
            "changed_at) VALUES (?, ?, ?, ?, TRUE, 0, ?, ?) ON CONFLICT (user_name) DO NOTHING RETURNING user_name",
            [key, role, kabkota, password_hash, now, now],
        ).fetchall()
        if not made:  # taken meanwhile by another admin, on another app process of a shared store
            raise AccountError(f"Nama pengguna '{key}' sudah dipakai.")
        store.audit_in(cur, by, "akun_dibuat", target=key, detail=describe_role(role, kabkota),
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
        ended = end_user_sessions(cur, key, ENDED_PASSWORD, now)
        store.audit_in(cur, by, "kata_sandi_diganti", target=key,
                       detail="oleh admin" + (f"; {ended} sesi diakhiri" if ended else ""), when=now)


def change_own_password(store: Store, user: User, current: str, new: str, *, keep_session: str | None = None,
                        now: datetime | None = None) -> None:
    """A user changes their own password; the current one must be given.

    Every other session of the account ends; the session ``keep_session`` (the one making
    the change) stays.
    """
    row = _existing(store, user.name)
    if not _verify(row["password_hash"], current):
        raise AccountError("Kata sandi saat ini salah; kata sandi tidak diganti.")
    check_password(new, user.name)
    now = now or datetime.now()
    password_hash = hash_password(new)
    with store.write() as cur:
        cur.execute("UPDATE account SET password_hash = ?, changed_at = ? WHERE user_name = ?",
                    [password_hash, now, user.name])
        ended = end_user_sessions(cur, user.name, ENDED_PASSWORD, now, keep=keep_session)
        store.audit_in(cur, user, "kata_sandi_diganti", target=user.name,
                       detail="oleh pemilik akun" + (f"; {ended} sesi lain diakhiri" if ended else ""), when=now)


def _keeps_an_admin(store: Store, cur, name: str) -> None:
    """Refuse, inside the transaction that would disable or demote ``name``, to leave no active admin.

    Checked in that transaction and under a lock (the store's write lock on DuckDB, an advisory lock on
    PostgreSQL), so two admins disabling each other at the same moment cannot both pass the check."""
    if store.dialect == "postgres":
        cur.execute("SELECT pg_advisory_xact_lock(?)", [ADMIN_LOCK]).fetchall()
    if active_admins(store, cur) == [name]:
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
    now = now or datetime.now()
    with store.write() as cur:
        if not active:
            _keeps_an_admin(store, cur, key)
        cur.execute("UPDATE account SET active = ?, changed_at = ? WHERE user_name = ?", [active, now, key])
        ended = 0 if active else end_user_sessions(cur, key, ENDED_DISABLED, now)
        store.audit_in(cur, by, "akun_diaktifkan" if active else "akun_dinonaktifkan", target=key,
                       detail=f"{ended} sesi diakhiri" if ended else None, when=now)


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
    now = now or datetime.now()
    with store.write() as cur:
        if role != ADMIN:
            _keeps_an_admin(store, cur, key)
        cur.execute("UPDATE account SET role = ?, kabkota = ?, changed_at = ? WHERE user_name = ?",
                    [role, kabkota, now, key])
        store.audit_in(cur, by, "akun_diubah", target=key,
                       detail=f"{describe_role(row['role'], old_unit)} → {describe_role(role, kabkota)}",
                       data={"peran": role, "kabkota": kabkota}, when=now)


def unlock(store: Store, name: str, *, by: Actor, now: datetime | None = None) -> None:
    """End a lockout before its time (admin only)."""
    _require_admin(by, "membuka kunci akun")
    key = _existing(store, name)["user_name"]
    now = now or datetime.now()
    with store.write() as cur:
        cur.execute("UPDATE account SET failed_logins = 0, locked_until = NULL WHERE user_name = ?", [key])
        store.audit_in(cur, by, "akun_dibuka", target=key, when=now)


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
