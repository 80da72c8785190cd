"""Pengingat page per role (navigation, own unit only, recipients and log only where allowed) and contacts on Akun."""

from __future__ import annotations

from datetime import date

import pytest

from ksln_metrics.engine.rules import load_rules
from ksln_metrics.reminders.contacts import account_emails, add_unit_recipient, set_account_email
from ksln_metrics.reminders.mail import NO_RECIPIENTS, SmtpSettings, run_reminders
from ksln_metrics.store import Store
from tests.app.pages_support import add_test_accounts, open_page, table_with, visible_pages

LOG_AS_OF = date(2026, 12, 15)


@pytest.fixture
def contacts_db(demo_db):
    """The demo store with Lebak's and Tangsel's contacts and one logged reminder run (delivered to a list)."""
    add_test_accounts(demo_db)
    with Store(demo_db) as store:
        set_account_email(store, "analis.lebak", "analis@lebakkab.go.id", by="pengujian")
        add_unit_recipient(store, "36.02", "kerjasama@lebakkab.go.id", by="pengujian")
        add_unit_recipient(store, "36.74", "rahasia@tangerangselatankota.go.id", by="pengujian")
        sent = []
        run_reminders(store, LOG_AS_OF, load_rules(), SmtpSettings(), sender=lambda m, s: sent.append(m))
    assert sent
    return demo_db


@pytest.mark.parametrize("name", ["pimpinan", "analis.lebak", "analis.provinsi", "admin"])
def test_every_role_has_the_pengingat_page(contacts_db, name):
    app = open_page("pengingat", name)
    assert not app.exception
    assert "pengingat" in visible_pages(app)
    assert app.title[0].value == "Pengingat"
    assert [b.label for b in app.get("download_button")][0] == "Unduh kalender (.ics)"


def test_a_kabkota_analyst_sees_only_their_unit_and_its_recipients(contacts_db):
    app = open_page("pengingat", "analis.lebak")
    assert not app.exception
    assert not [s for s in app.selectbox if s.key == "pengingat_unit"]  # no other unit to choose
    listed = [df.value for df in app.dataframe if "Unit" in df.value.columns]
    assert all(set(frame["Unit"]) <= {"Kabupaten Lebak"} for frame in listed)
    recipients = table_with(app, "Surel")
    assert sorted(recipients["Surel"]) == ["analis@lebakkab.go.id", "kerjasama@lebakkab.go.id"]
    page_text = " ".join(str(df.value.to_csv()) for df in app.dataframe)
    assert "rahasia@" not in page_text and "Log notifikasi" not in [s.value for s in app.subheader]


def test_a_leader_sees_every_unit_but_no_addresses(contacts_db):
    app = open_page("pengingat", "pimpinan")
    assert not app.exception
    app.selectbox(key="pengingat_unit").set_value("36.02").run()
    assert not app.exception
    assert "Penerima surel pengingat" not in [s.value for s in app.subheader]
    assert "Log notifikasi" not in [s.value for s in app.subheader]
    assert not any("Surel" in df.value.columns for df in app.dataframe)


def test_a_province_analyst_does_not_see_a_kabkota_recipients(contacts_db):
    app = open_page("pengingat", "analis.provinsi")
    app.selectbox(key="pengingat_unit").set_value("36.02").run()
    assert not app.exception
    assert "Penerima surel pengingat" not in [s.value for s in app.subheader]


def test_the_admin_sees_recipients_and_the_notification_log(contacts_db):
    app = open_page("pengingat", "admin")
    assert not app.exception
    log = table_with(app, "Hasil")
    assert set(log["Hasil"]) <= {"terkirim", "gagal"} and "terkirim" in set(log["Hasil"])
    lebak = log[log["Unit"] == "Kabupaten Lebak"]
    assert lebak["Penerima"].tolist() == ["analis@lebakkab.go.id, kerjasama@lebakkab.go.id"]
    app.selectbox(key="pengingat_unit").set_value("36.74").run()
    assert table_with(app, "Surel")["Surel"].tolist() == ["rahasia@tangerangselatankota.go.id"]


def test_akun_page_keeps_account_addresses_and_unit_recipients(contacts_db):
    app = open_page("akun")
    assert not app.exception
    app.text_input(key="akun_baru_nama").input("sari.tangsel")
    app.selectbox(key="akun_baru_peran").set_value("analis")
    app.selectbox(key="akun_baru_unit").set_value("36.74")
    app.text_input(key="akun_baru_sandi").input("sandi-sari-panjang")
    app.text_input(key="akun_baru_ulang").input("sandi-sari-panjang")
    app.text_input(key="akun_baru_surel").input("sari@tangsel")
    app.button(key="akun_baru_kirim").click().run()
    assert "tidak sah" in app.error[0].value and "Akun tidak dibuat" in app.error[0].value
    assert "sari.tangsel" not in set(table_with(app, "Nama pengguna")["Nama pengguna"])
    app.text_input(key="akun_baru_surel").input("sari@tangerangselatankota.go.id")
    app.button(key="akun_baru_kirim").click().run()
    assert not app.exception and not app.error
    accounts = table_with(app, "Nama pengguna").set_index("Nama pengguna")
    assert accounts.loc["sari.tangsel", "Surel"] == "sari@tangerangselatankota.go.id"

    app.selectbox(key="akun_penerima_unit").set_value("36.74").run()
    app.text_input(key="akun_penerima_alamat_36.74").input("bukan alamat")
    app.button(key="akun_penerima_kirim_36.74").click().run()
    assert "tidak sah" in app.error[0].value
    app.text_input(key="akun_penerima_alamat_36.74").input("bappeda@tangerangselatankota.go.id")
    app.button(key="akun_penerima_kirim_36.74").click().run()
    assert not app.error
    app.selectbox(key="akun_penerima_unit").set_value("36.74").run()
    assert sorted(table_with(app, "Sumber")["Surel"]) == [
        "bappeda@tangerangselatankota.go.id", "rahasia@tangerangselatankota.go.id", "sari@tangerangselatankota.go.id"]
    with Store(contacts_db) as store:  # the app holds no lock between runs of AppTest
        assert account_emails(store)["sari.tangsel"] == "sari@tangerangselatankota.go.id"


def test_the_admin_sends_the_days_reminders_from_the_page(contacts_db, monkeypatch):
    """Whatever is due today: every attempt the page reports is in the log, and a second click sends nothing."""
    import socket

    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.count = 0

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
            self.count += 1
            return "250 OK"

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("KSLN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("KSLN_SMTP_PORT", str(port))
    try:
        app = open_page("pengingat", "admin")
        before = len(table_with(app, "Hasil"))
        app.button(key="pengingat_kirim").click().run()
        assert not app.exception
        log = table_with(app, "Hasil")  # newest first
        new = log.iloc[:len(log) - before]
        assert inbox.count == (new["Hasil"] == "terkirim").sum()
        assert set(new.loc[new["Hasil"] == "gagal", "Keterangan"]) <= {NO_RECIPIENTS}
        delivered = inbox.count
        app.button(key="pengingat_kirim").click().run()
        assert not app.exception and inbox.count == delivered  # nothing is delivered twice
    finally:
        controller.stop()


def test_reminder_windows_are_settings_of_the_pengaturan_page(demo_db):
    from ksln_metrics.engine.rules import rules_path

    before = rules_path().read_bytes()
    app = open_page("pengaturan")
    app.text_input(key="pengaturan_pengingat_laporan_hari_kerja").input("30, 7, tujuh")
    next(b for b in app.button if b.label == "Simpan pengaturan").click()
    app.run()
    assert any("pengingat.laporan_hari_kerja" in e.value and "tujuh" in e.value for e in app.error)
    assert rules_path().read_bytes() == before
    app.text_input(key="pengaturan_pengingat_laporan_hari_kerja").input("5, 20")
    app.checkbox(key="pengaturan_pengingat_setelah_batas").uncheck()
    next(b for b in app.button if b.label == "Simpan pengaturan").click()
    app.run()
    assert not app.exception and not app.error
    saved = load_rules()
    assert saved.reminder_report_days == (20, 5) and saved.reminder_after_deadline is False
    assert saved.reminder_expiry_days == (90, 60, 30, 7)
    assert "# Kapan surel pengingat dikirim" in rules_path().read_text(encoding="utf-8")  # comments kept
