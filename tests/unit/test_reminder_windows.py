"""Which reminder is due on which day: windows on working days, weekends, Idul Fitri, de-duplication and retry."""

from __future__ import annotations

import smtplib
import time
from datetime import date, datetime, timedelta

import pytest

from ksln_metrics.engine.rules import load_rules
from ksln_metrics.reminders import mail as mail_module
from ksln_metrics.reminders.agenda import EXPIRY, LATE, MISSING, ON_TIME, REPORT, UPCOMING, agenda
from ksln_metrics.reminders.mail import (
    CLAIM_MINUTES,
    NO_RECIPIENTS,
    MailSettingsError,
    SmtpSettings,
    notification_log,
    run_reminders,
    send_state,
)
from ksln_metrics.reminders.windows import due_reminders, expiry_window_opens, window_of
from tests.unit.at_once import run_at_once, second_process_store
from tests.unit.builders import build_store, d, perjanjian
from tests.unit.reminder_data import AS_OF, reminder_store


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def store(store_location):
    with reminder_store(store_location) as s:
        yield s


def by_key(items):
    return {i.key: i for i in items}


def test_agenda_reads_deadlines_and_statuses_from_the_engine(store, rules):
    items = by_key(agenda(store, AS_OF, rules))
    assert items["laporan:P1:2024"].status == LATE
    assert items["laporan:P1:2024"].tanggal == date(2025, 1, 10)
    assert items["laporan:P1:2024"].diterima == date(2025, 1, 20)
    assert items["laporan:P1:2024"].hari_kerja == 6  # 13, 14, 15, 16, 17, 20 January 2025
    assert items["laporan:P3:2023"].status == MISSING
    assert items["laporan:P3:2024"].status == ON_TIME
    assert items["laporan:P2:2025"].status == UPCOMING
    assert items["laporan:P2:2025"].tanggal == date(2026, 1, 12)
    assert items["laporan:P2:2025"].hari_kerja == 5  # 6, 7, 8, 9, 12 January
    assert "laporan:P2:2024" not in items  # signed in 2025: no FY2024 report is due
    assert items["berakhir:P1"].tanggal == date(2026, 3, 16)
    assert {i.kabkota for i in items.values()} == {"36.01", "36.02", "36.03"}


def test_latest_window_reached_is_sent_even_when_the_first_run_is_late(store, rules):
    due = {(r.item.key, r.window) for r in due_reminders(agenda(store, AS_OF, rules), AS_OF, rules)}
    assert due == {
        ("laporan:P1:2025", "7hk"), ("laporan:P2:2025", "7hk"), ("laporan:P3:2025", "7hk"),
        ("laporan:P4:2025", "7hk"),
        ("laporan:P3:2023", "lewat"),  # missing since 2024: reminded once, after its deadline
        ("berakhir:P1", "90h"),  # 16 March 2026 is 70 days away: the 90-day window, not 60 yet
    }


def test_report_windows_count_working_days(store, rules):
    def window(day):
        item = by_key(agenda(store, day, rules))["laporan:P2:2025"]
        return window_of(item, day, rules)

    assert window(date(2025, 11, 25)) is None  # 32 working days before 12 January 2026
    assert window(date(2025, 11, 26)) == "30hk"
    assert window(date(2025, 12, 19)) == "14hk"
    assert window(date(2026, 1, 9)) == "1hk"  # Friday: one working day (Monday 12th) left
    assert window(date(2026, 1, 10)) == "1hk"  # Saturday: still the Friday window
    assert window(date(2026, 1, 12)) == "1hk"  # the deadline day itself is on time
    assert window(date(2026, 1, 13)) == "lewat"  # the day after, report still missing


def test_window_before_a_deadline_after_idul_fitri_and_cuti_bersama(tmp_path, rules):
    # FY2032: Idul Fitri falls on 3-4 January 2033 (holidays package, estimated); the cuti bersama
    # after it is not in the package yet and is added by the admin's override list.
    with_leave = rules.replace(**{"kalender.libur_tambahan": ["2033-01-05", "2033-01-06"]})
    with build_store(tmp_path / "lebaran.duckdb", [perjanjian("L1", tanggal_ttd=d("2030-01-10"),
                                                             tanggal_berakhir=d("2036-01-10"))]) as store:
        def item(day, r):
            return by_key(agenda(store, day, r))["laporan:L1:2032"]

        assert item(date(2032, 12, 31), rules).tanggal == date(2033, 1, 13)
        assert item(date(2032, 12, 31), with_leave).tanggal == date(2033, 1, 17)
        # 7 working days before 17 January 2033 skip Idul Fitri and the cuti bersama: 7, 10-14, 17 January.
        assert window_of(item(date(2032, 12, 30), with_leave), date(2032, 12, 30), with_leave) == "14hk"
        assert window_of(item(date(2032, 12, 31), with_leave), date(2032, 12, 31), with_leave) == "7hk"
        assert item(date(2033, 1, 6), with_leave).hari_kerja == 7  # on the cuti bersama itself
        assert window_of(item(date(2033, 1, 14), with_leave), date(2033, 1, 14), with_leave) == "1hk"
        assert window_of(item(date(2033, 1, 18), with_leave), date(2033, 1, 18), with_leave) == "lewat"


def test_expiry_window_on_a_weekend_opens_the_working_day_before(store, rules):
    # 16 March 2026 - 30 days = Saturday 14 February 2026: the window opens on Friday 13 February.
    assert expiry_window_opens(date(2026, 3, 16), 30, rules) == date(2026, 2, 13)
    assert expiry_window_opens(date(2026, 3, 16), 60, rules) == date(2026, 1, 15)

    def window(day):
        return window_of(by_key(agenda(store, day, rules))["berakhir:P1"], day, rules)

    assert window(date(2025, 12, 15)) is None
    assert window(date(2025, 12, 16)) == "90h"
    assert window(date(2026, 2, 12)) == "60h"
    assert window(date(2026, 2, 13)) == "30h"
    assert window(date(2026, 2, 14)) == "30h"
    assert window(date(2026, 3, 16)) == "7h"
    assert window(date(2026, 3, 17)) is None  # ended: no more expiry reminders (the flag says "expired")


def test_configured_windows_are_used(store, rules):
    fewer = rules.replace(**{"pengingat.laporan_hari_kerja": [3], "pengingat.setelah_batas": False,
                             "pengingat.berakhir_hari": [30]})
    due = {(r.item.key, r.window) for r in due_reminders(agenda(store, AS_OF, fewer), AS_OF, fewer)}
    assert due == set()  # 5 working days left > 3; missing report not reminded; expiry 70 days > 30


class Mailbox:
    """A delivery function that records messages or fails like a server that is down."""

    def __init__(self):
        self.messages, self.down = [], False

    def __call__(self, message, settings):
        if self.down:
            raise ConnectionRefusedError(111, "Connection refused")
        self.messages.append(message)


def test_one_message_per_unit_then_nothing_on_the_second_run(store, rules):
    box = Mailbox()
    first = run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box)
    assert [o.kabkota for o in first] == ["36.01", "36.02", "36.03"]
    assert all(o.delivered for o in first)
    assert len(box.messages) == 3
    lebak = next(m for m in box.messages if "Kabupaten Lebak" in m["Subject"])
    assert lebak["To"] == "analis.lebak@lebakkab.go.id, kerjasama@lebakkab.go.id"
    assert run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box) == []
    assert len(box.messages) == 3
    # The next window of the same deadline is a new reminder; the missing FY2023 report is not sent again.
    later = run_reminders(store, date(2026, 1, 9), rules, SmtpSettings(), sender=box)
    assert {(r.item.key, r.window) for o in later for r in o.reminders} == {
        ("laporan:P1:2025", "1hk"), ("laporan:P2:2025", "1hk"), ("laporan:P3:2025", "1hk"),
        ("laporan:P4:2025", "1hk")}


def test_a_failed_delivery_is_recorded_and_retried(store, rules):
    box = Mailbox()
    box.down = True
    failed = run_reminders(store, AS_OF, rules, SmtpSettings(host="127.0.0.1", port=2599), sender=box,
                           now=lambda: datetime(2026, 1, 5, 6, 0))
    assert failed and not any(o.delivered for o in failed)
    assert "menolak sambungan" in failed[0].error
    log = notification_log(store)
    assert len(log) == 3 and not log["delivered"].any()
    assert "127.0.0.1:2599" in log["error"].iloc[0]
    box.down = False
    retried = run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box)
    assert [o.kabkota for o in retried] == ["36.01", "36.02", "36.03"] and all(o.delivered for o in retried)
    assert len(notification_log(store)) == 6
    assert run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box) == []


def test_other_smtp_errors_are_recorded_too(store, rules):
    def refusing(message, settings):
        raise smtplib.SMTPRecipientsRefused({"x@y.id": (550, b"no")})

    outcomes = run_reminders(store, AS_OF, rules, SmtpSettings(), sender=refusing)
    assert all("menolak semua alamat penerima" in o.error for o in outcomes)


def test_a_unit_without_recipients_is_a_recorded_failure(tmp_path, rules):
    with reminder_store(tmp_path / "tanpa.duckdb", with_contacts=False) as store:
        box = Mailbox()
        outcomes = run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box)
        assert box.messages == []
        assert {o.error for o in outcomes} == {NO_RECIPIENTS}
        assert len(notification_log(store)) == 3


def test_dry_run_sends_and_records_nothing(store, rules):
    box = Mailbox()
    outcomes = run_reminders(store, AS_OF, rules, SmtpSettings(), dry_run=True, sender=box)
    assert len(outcomes) == 3 and box.messages == []
    assert notification_log(store).empty


def test_items_of_other_kinds_are_not_reminded(store, rules):
    items = agenda(store, AS_OF, rules)
    assert all(window_of(i, AS_OF, rules) is None for i in items if i.kind == REPORT and i.status in (LATE, ON_TIME))
    assert all(window_of(i, AS_OF, rules) is None for i in items if i.kind == EXPIRY and i.key != "berakhir:P1")


def test_smtp_settings_come_from_the_environment_and_the_password_only_from_there():
    env = {"KSLN_SMTP_HOST": "mail.bantenprov.go.id", "KSLN_SMTP_PORT": "587", "KSLN_SMTP_STARTTLS": "ya",
           "KSLN_SMTP_USER": "ksln", "KSLN_SMTP_PASSWORD": "rahasia-sekali", "KSLN_SMTP_FROM": "ksln@bantenprov.go.id"}
    settings = SmtpSettings.from_env(env=env)
    assert (settings.host, settings.port, settings.starttls, settings.user) == ("mail.bantenprov.go.id", 587, True,
                                                                                 "ksln")
    assert settings.password == "rahasia-sekali" and "rahasia" not in repr(settings)
    assert SmtpSettings.from_env("127.0.0.1:2525", env=env).address == "127.0.0.1:2525"
    assert SmtpSettings.from_env(env={}).address == "localhost:25"
    with pytest.raises(MailSettingsError, match="HOST:PORT"):
        SmtpSettings.from_env("localhost", env={})
    with pytest.raises(MailSettingsError, match="port SMTP 'dua' tidak sah"):
        SmtpSettings.from_env(env={"KSLN_SMTP_PORT": "dua"})
    with pytest.raises(MailSettingsError, match="KSLN_SMTP_FROM"):
        SmtpSettings.from_env(env={"KSLN_SMTP_FROM": "bukan alamat"})


def test_two_runs_at_once_send_each_message_once(store, store_location, rules):
    """The command line and the Pengingat page (or two replicas on one PostgreSQL store) at the same moment:
    each unit gets one message. DuckDB: two sessions of the app share its one Store; PostgreSQL: two Stores,
    as two processes would have."""
    import threading

    lock, sent, both_read = threading.Lock(), [], threading.Barrier(2, timeout=30)
    real_pending = mail_module.pending_reminders

    def pending_then_wait(*args, **kwargs):
        found = real_pending(*args, **kwargs)
        both_read.wait()  # both runs have read what is pending before either sends: the race of the bug
        return found

    def slow_box(message, settings):
        time.sleep(0.2)  # an SMTP exchange: long enough for the other run to reach the same unit
        with lock:
            sent.append(message["Subject"])

    results, errors = {}, []

    def run(name, s):
        try:
            results[name] = run_reminders(s, AS_OF, rules, SmtpSettings(), sender=slow_box)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with pytest.MonkeyPatch.context() as mp, second_process_store(store, store_location) as other:
        mp.setattr(mail_module, "pending_reminders", pending_then_wait)
        run_at_once(lambda: run("a", store), lambda: run("b", other))
    assert errors == []
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 3  # one message per unit, none twice
    assert sorted(o.kabkota for r in results.values() for o in r) == ["36.01", "36.02", "36.03"]
    log = notification_log(store)
    assert len(log) == 3 and log["delivered"].all() and log["sending_until"].isna().all()
    assert run_reminders(store, AS_OF, rules, SmtpSettings(), sender=slow_box) == []


def test_a_run_that_died_mid_send_holds_its_items_until_the_hold_ends(store, rules):
    box = Mailbox()
    start = datetime(2026, 1, 5, 6, 0)

    def killed(message, settings):
        raise SystemExit(137)  # the process is stopped while talking to the server

    with pytest.raises(SystemExit):
        run_reminders(store, AS_OF, rules, SmtpSettings(), sender=killed, now=lambda: start)
    log = notification_log(store)
    assert len(log) == 1 and log["error"].iloc[0] == "pengiriman terputus sebelum selesai"
    assert send_state(False, log["sending_until"].iloc[0], start) == "gagal"
    # A run killed without a chance to write its result (SIGKILL, power cut): its row keeps the hold.
    with store.write() as cur:
        cur.execute("UPDATE notification SET error = NULL, sending_until = ?", [start + timedelta(minutes=CLAIM_MINUTES)])
    log = notification_log(store)
    assert send_state(False, log["sending_until"].iloc[0], start) == "sedang dikirim"
    held = run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box, now=lambda: start + timedelta(minutes=5))
    assert [o.kabkota for o in held] == ["36.02", "36.03"]  # Pandeglang's items are held by the dead run
    later = start + timedelta(minutes=CLAIM_MINUTES + 1)
    assert send_state(False, notification_log(store)["sending_until"].iloc[-1], later) == "terputus"
    retried = run_reminders(store, AS_OF, rules, SmtpSettings(), sender=box, now=lambda: later)
    assert [o.kabkota for o in retried] == ["36.01"] and retried[0].delivered
    assert len(box.messages) == 3
    assert send_state(True, None, later) == "terkirim"
