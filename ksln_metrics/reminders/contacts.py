"""Who is reminded: an optional e-mail address per account, and the recipients of each unit.

A unit's recipients are the e-mail addresses of its active analysts plus the extra
addresses the admin keeps for it. Every address is checked (syntax only: the server is
offline) and stored normalised. Changes are admin-only and audited.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from email_validator import EmailNotValidError, validate_email

from ksln_metrics.access import ANALIS, Actor, admin_refusal
from ksln_metrics.reference import REGIONS, region_name, scope
from ksln_metrics.store import Store


class ContactError(ValueError):
    """An address or a change that cannot be accepted; the message is Indonesian and says why."""


def check_email(text: str) -> str:
    """The normalised address, or ContactError saying what is wrong with it."""
    value = (text or "").strip()
    if not value:
        raise ContactError("Alamat surel kosong.")
    try:
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ContactError(f"Alamat surel '{value}' tidak sah: {_reason(exc)}") from None
    return checked.normalized


def _example() -> str:
    return f"nama@{scope().mail_domain or 'namainstansi.go.id'}"


def _reason(exc: EmailNotValidError) -> str:
    # email-validator explains in English; its common cases are said in Indonesian here.
    text = str(exc)
    if "must have an @-sign" in text:
        return f"tidak ada tanda @; tulis seperti {_example()}."
    if "before the @-sign" in text:
        return "ada karakter yang tidak boleh (mis. spasi) sebelum tanda @."
    if "special-use or reserved" in text:
        return "nama domain sesudah @ adalah nama khusus yang tidak dapat menerima surel."
    if "after the @-sign" in text:
        return f"nama domain sesudah @ tidak sah atau tidak lengkap, mis. {_example()}."
    return f"tulis seperti {_example()}."


def _require_admin(by: Actor, what: str) -> None:
    if refusal := admin_refusal(by, what):
        raise ContactError(refusal)


def _check_unit(kabkota: str) -> str:
    if kabkota not in REGIONS:
        raise ContactError(f"Kode unit '{kabkota}' tidak dikenal; pilih salah satu: {', '.join(REGIONS)}.")
    return kabkota


def account_emails(store: Store) -> dict[str, str]:
    """Account name -> its e-mail address (accounts without one are left out)."""
    rows = store.query("SELECT user_name, email FROM account_email ORDER BY user_name")
    return dict(zip(rows["user_name"], rows["email"], strict=True))


def set_account_email(store: Store, name: str, email: str | None, *, by: Actor,
                      now: datetime | None = None) -> str | None:
    """Set (or with None/empty, remove) an account's address; admin only. Returns the stored address."""
    _require_admin(by, "mengubah alamat surel akun")
    exists = store.query("SELECT 1 FROM account WHERE user_name = ?", [name])
    if exists.empty:
        raise ContactError(f"Akun '{name}' tidak ada.")
    address = check_email(email) if email and email.strip() else None
    now = now or datetime.now()
    with store.write() as cur:
        if address:
            cur.execute("INSERT INTO account_email VALUES (?, ?, ?) ON CONFLICT (user_name) "
                        "DO UPDATE SET email = excluded.email, changed_at = excluded.changed_at", [name, address, now])
        else:
            cur.execute("DELETE FROM account_email WHERE user_name = ?", [name])
        store.audit_in(cur, by, "surel_akun_diubah", target=name,
                       detail=f"alamat surel {'diisi' if address else 'dihapus'}",
                       data={"surel": address}, when=now)
    return address


def extra_recipients(store: Store, kabkota: str) -> list[str]:
    """The addresses the admin added for one unit, sorted."""
    rows = store.query("SELECT email FROM unit_recipient WHERE kabkota = ? ORDER BY email", [kabkota])
    return rows["email"].tolist()


def add_unit_recipient(store: Store, kabkota: str, email: str, *, by: Actor, now: datetime | None = None) -> str:
    """Add an extra recipient to a unit (admin only); adding one already there changes nothing."""
    _require_admin(by, "mengubah penerima pengingat")
    unit = _check_unit(kabkota)
    address = check_email(email)
    if address in extra_recipients(store, unit):
        return address
    now = now or datetime.now()
    with store.write() as cur:
        cur.execute("INSERT INTO unit_recipient VALUES (?, ?, ?, ?) ON CONFLICT (kabkota, email) DO NOTHING",
                    [unit, address, by if isinstance(by, str) else by.name, now])
        store.audit_in(cur, by, "penerima_ditambah", target=unit,
                       detail=f"penerima pengingat {region_name(unit)} ditambah", data={"surel": address}, when=now)
    return address


def remove_unit_recipient(store: Store, kabkota: str, email: str, *, by: Actor, now: datetime | None = None) -> None:
    """Remove an extra recipient of a unit (admin only)."""
    _require_admin(by, "mengubah penerima pengingat")
    unit = _check_unit(kabkota)
    now = now or datetime.now()
    with store.write() as cur:
        cur.execute("DELETE FROM unit_recipient WHERE kabkota = ? AND email = ?", [unit, email])
        store.audit_in(cur, by, "penerima_dihapus", target=unit,
                       detail=f"penerima pengingat {region_name(unit)} dihapus", data={"surel": email}, when=now)


def unit_recipients(store: Store, kabkota: str) -> pd.DataFrame:
    """Every recipient of one unit: ``email`` and ``sumber`` (the analyst account, or "tambahan admin")."""
    analysts = store.query(
        "SELECT e.email, 'akun ' || a.user_name AS sumber FROM account a JOIN account_email e USING (user_name) "
        "WHERE a.active AND a.role = ? AND a.kabkota = ?", [ANALIS, kabkota])
    extras = pd.DataFrame({"email": extra_recipients(store, kabkota), "sumber": "tambahan admin"})
    both = pd.concat([analysts, extras], ignore_index=True)
    return both.drop_duplicates("email").sort_values("email").reset_index(drop=True)


def recipients_for(store: Store, kabkota: str) -> list[str]:
    """The addresses a reminder for ``kabkota`` goes to: its analysts' and the extra ones, sorted."""
    return unit_recipients(store, kabkota)["email"].tolist()
