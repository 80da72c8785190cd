"""Contacts: checked addresses, admin-only changes (audited), a unit's recipients, and the users command line."""

from __future__ import annotations

import pytest

from ksln_metrics.access import User
from ksln_metrics.accounts.audit import audit_log
from ksln_metrics.accounts.users import create_account, set_active
from ksln_metrics.cli import main
from ksln_metrics.reminders.contacts import (
    ContactError,
    account_emails,
    add_unit_recipient,
    check_email,
    recipients_for,
    remove_unit_recipient,
    set_account_email,
    unit_recipients,
)
from ksln_metrics.store import Store

LEBAK_ANALYST = User("budi.lebak", "analis", "36.02")


@pytest.fixture
def store(store_location):
    with Store(store_location) as s:
        create_account(s, "budi.lebak", "analis", "sandi-budi-panjang", kabkota="36.02", by="pengujian")
        create_account(s, "sari.lebak", "analis", "sandi-sari-panjang", kabkota="36.02", by="pengujian")
        create_account(s, "prov", "analis", "sandi-prov-panjang", kabkota="36", by="pengujian")
        create_account(s, "kepala", "pimpinan", "sandi-kepala-panjang", by="pengujian")
        yield s


@pytest.mark.parametrize("text, fragment", [
    ("budi.lebakkab.go.id", "tidak ada tanda @"),
    ("budi @lebakkab.go.id", "sebelum tanda @"),
    ("budi@lebak", "nama domain sesudah @"),
    ("", "kosong"),
])
def test_bad_addresses_are_refused_in_indonesian(text, fragment):
    with pytest.raises(ContactError, match=fragment):
        check_email(text)


def test_addresses_are_normalised():
    assert check_email("  Budi@LebakKab.go.id ") == "Budi@lebakkab.go.id"


def test_recipients_are_the_units_analysts_and_its_extra_addresses(store):
    set_account_email(store, "budi.lebak", "budi@lebakkab.go.id", by="pengujian")
    set_account_email(store, "sari.lebak", "sari@lebakkab.go.id", by="pengujian")
    set_account_email(store, "prov", "prov@bantenprov.go.id", by="pengujian")
    set_account_email(store, "kepala", "kepala@bantenprov.go.id", by="pengujian")
    add_unit_recipient(store, "36.02", "bappeda@lebakkab.go.id", by="pengujian")
    add_unit_recipient(store, "36.02", "bappeda@lebakkab.go.id", by="pengujian")  # twice: kept once
    assert recipients_for(store, "36.02") == ["bappeda@lebakkab.go.id", "budi@lebakkab.go.id", "sari@lebakkab.go.id"]
    assert unit_recipients(store, "36.02")["sumber"].tolist() == ["tambahan admin", "akun budi.lebak", "akun sari.lebak"]
    assert recipients_for(store, "36") == ["prov@bantenprov.go.id"]  # the province's analysts, not the leader
    assert recipients_for(store, "36.01") == []
    set_active(store, "sari.lebak", False, by="pengujian")
    assert "sari@lebakkab.go.id" not in recipients_for(store, "36.02")  # disabled accounts are not reminded
    remove_unit_recipient(store, "36.02", "bappeda@lebakkab.go.id", by="pengujian")
    assert recipients_for(store, "36.02") == ["budi@lebakkab.go.id"]
    set_account_email(store, "budi.lebak", None, by="pengujian")
    assert "budi.lebak" not in account_emails(store)


def test_only_the_admin_changes_contacts_and_every_change_is_audited(store):
    with pytest.raises(ContactError, match="admin"):
        set_account_email(store, "budi.lebak", "budi@lebakkab.go.id", by=LEBAK_ANALYST)
    with pytest.raises(ContactError, match="admin"):
        add_unit_recipient(store, "36.02", "x@lebakkab.go.id", by=LEBAK_ANALYST)
    with pytest.raises(ContactError, match="tidak dikenal"):
        add_unit_recipient(store, "36.99", "x@lebakkab.go.id", by="pengujian")
    with pytest.raises(ContactError, match="tidak ada"):
        set_account_email(store, "siapa", "x@lebakkab.go.id", by="pengujian")
    assert account_emails(store) == {} and recipients_for(store, "36.02") == []
    set_account_email(store, "budi.lebak", "budi@lebakkab.go.id", by="pengujian")
    add_unit_recipient(store, "36.02", "x@lebakkab.go.id", by="pengujian")
    actions = audit_log(store)["action"].tolist()
    assert "surel_akun_diubah" in actions and "penerima_ditambah" in actions


def test_users_add_with_email_and_users_email(store_location, tmp_path, monkeypatch):
    db = store_location
    with Store(db) as s:
        create_account(s, "admin", "admin", "sandi-admin-panjang", by="pengujian")
    stdin = tmp_path / "sandi.txt"

    def run(*args, password="sandi-budi-panjang\n"):
        stdin.write_text(password)
        with stdin.open() as handle:
            monkeypatch.setattr("sys.stdin", handle)
            return main([*args, "--db", str(db)])

    assert run("users", "add", "budi", "--role", "analis", "--kabkota", "36.02", "--password-stdin",
               "--email", "budi@lebak") == 2
    with Store(db) as s:
        assert s.query("SELECT count(*) AS n FROM account WHERE user_name = 'budi'")["n"].iloc[0] == 0  # not made
    assert run("users", "add", "budi", "--role", "analis", "--kabkota", "36.02", "--password-stdin",
               "--email", "Budi@LebakKab.go.id") == 0
    with Store(db) as s:
        assert account_emails(s) == {"budi": "Budi@lebakkab.go.id"}
    assert run("users", "email", "budi", "budi.baru@lebakkab.go.id") == 0
    assert run("users", "email", "budi", "bukan-alamat") == 2
    with Store(db) as s:
        assert account_emails(s) == {"budi": "budi.baru@lebakkab.go.id"}
    assert run("users", "email", "budi", "--hapus") == 0
    assert run("users", "email", "budi") == 2
    with Store(db) as s:
        assert account_emails(s) == {}
