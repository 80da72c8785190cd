"""``remind`` against a real SMTP server on localhost (aiosmtpd), started and stopped by the test."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar

from ksln_metrics.reminders.mail import notification_log
from ksln_metrics.store import Store
from tests.unit.reminder_data import RECIPIENTS, reminder_store

ROOT = Path(__file__).resolve().parents[2]


class Inbox:
    """aiosmtpd handler: keeps every message with its envelope."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remind(db: Path, port: int, as_of: str = "2026-01-05") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KSLN_SMTP_FROM": "ksln@bantenprov.go.id"}
    env.pop("KSLN_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "ksln_metrics", "remind", "--as-of", as_of, "--smtp", f"127.0.0.1:{port}",
         "--db", str(db)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.fixture
def db(store_location) -> Path | str:
    """The reminder store on a DuckDB file, then on PostgreSQL (the command gets PGPASSWORD from the environment)."""
    path = store_location
    reminder_store(path).close()
    return path


@pytest.fixture
def server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    attachments = list(message.iter_attachments())
    return text, html, attachments


def test_remind_delivers_one_message_per_unit_then_nothing(db, server):
    controller, inbox = server
    first = remind(db, controller.port)
    assert first.returncode == 0, first.stderr
    assert len(inbox.received) == 3
    by_unit = {}
    for rcpt, message in inbox.received:
        by_unit[message["Subject"].split(":")[0]] = (rcpt, message)
    assert set(by_unit) == {"Pengingat KSLN Kabupaten Pandeglang", "Pengingat KSLN Kabupaten Lebak",
                            "Pengingat KSLN Kabupaten Tangerang"}
    rcpt, lebak = by_unit["Pengingat KSLN Kabupaten Lebak"]
    assert sorted(rcpt) == sorted(RECIPIENTS["36.02"])
    text, html, attachments = parts(lebak)
    assert "MoU Kehutanan Lebak–Nordic Trust" in text and "TA 2023" in text and "belum masuk" in text
    assert "MoU Pertanian Lebak–Hwasun" in text and "batas 12 Januari 2026; 5 hari kerja lagi" in text
    assert "Pandeglang" not in text and "Yongin" not in text  # the unit's items only
    assert "<li><strong>Laporan tahunan TA 2023 — MoU Kehutanan Lebak–Nordic Trust" in html
    assert lebak["From"] == "ksln@bantenprov.go.id"
    [ics] = attachments
    assert ics.get_content_type() == "text/calendar" and ics.get_filename().endswith(".ics")
    events = list(Calendar.from_ical(ics.get_content()).walk("VEVENT"))
    assert {str(e["UID"]).split("@")[0].split("-")[1] for e in events} == {"P2", "P3"}

    rcpt, pandeglang = by_unit["Pengingat KSLN Kabupaten Pandeglang"]
    assert rcpt == RECIPIENTS["36.01"]
    text, _, _ = parts(pandeglang)
    assert "berakhir 16 Maret 2026; 70 hari lagi [90 hari sebelum berakhir]" in text
    assert "TA 2024" not in text  # arrived late long ago: nothing to remind by e-mail

    second = remind(db, controller.port)
    assert second.returncode == 0 and "Tidak ada pengingat baru" in second.stdout
    assert len(inbox.received) == 3
    with Store(db) as store:
        log = notification_log(store)
    assert len(log) == 3 and log["delivered"].all()


def test_with_the_server_down_the_run_fails_records_and_the_next_run_delivers(db):
    port = free_port()  # nothing listens here yet
    down = remind(db, port)
    assert down.returncode == 1
    assert f"server SMTP 127.0.0.1:{port} menolak sambungan" in down.stderr
    assert "dicoba lagi" in down.stderr
    with Store(db) as store:
        log = notification_log(store)
    assert len(log) == 3 and not log["delivered"].any()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        again = remind(db, port)
    finally:
        controller.stop()
    assert again.returncode == 0, again.stderr
    assert len(inbox.received) == 3
    with Store(db) as store:
        log = notification_log(store)
    assert len(log) == 6 and log["delivered"].sum() == 3
