"""E-mail reminders: one message per unit with its due items, sent over SMTP and logged in the store.

Every attempt is a row of ``notification`` (unit, recipients, subject, time, delivered or the
error) with its items in ``notification_item`` (item key and window). An item is sent again
only in a window it has not been delivered in: a second run on the same day sends nothing,
and a failed delivery is tried again on the next run. SMTP settings come from the
environment; the password only from ``KSLN_SMTP_PASSWORD``.

Two runs at once (the command line and the Pengingat page's button, or two replicas on one
PostgreSQL store) do not send an item twice: before a message is sent, its row is written
with ``sending_until`` (now + ``CLAIM_MINUTES``) in a transaction that first checks, under a
lock, which items are delivered or held by another run's message. The result then replaces
the hold. A run that dies mid-send releases its items when the hold runs out.
"""

from __future__ import annotations

import html
import os
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import pandas as pd

from ksln_metrics.db.migrations import REMINDER_LOCK
from ksln_metrics.engine.rules import Rules
from ksln_metrics.formatting import format_date_id
from ksln_metrics.reference import region_name, scope
from ksln_metrics.reminders.agenda import Item, agenda
from ksln_metrics.reminders.contacts import ContactError, check_email, recipients_for
from ksln_metrics.reminders.ical import calendar_file_name, calendar_ics
from ksln_metrics.reminders.windows import Reminder, due_reminders
from ksln_metrics.store import Store


def default_sender() -> str | None:
    """``ksln-monitor@`` the scope government's mail domain (data/wilayah/pemerintah.csv), None when not listed."""
    domain = scope().mail_domain
    return f"ksln-monitor@{domain}" if domain else None

# How long a message being sent holds its items against another run (an SMTP exchange takes seconds).
CLAIM_MINUTES = 15

NO_RECIPIENTS = "tidak ada alamat penerima untuk unit ini (isi surel analisnya atau penerima tambahan di halaman Akun)"


class MailSettingsError(ValueError):
    """SMTP settings that cannot be used; the message is Indonesian."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = field(default_factory=lambda: default_sender() or "")
    timeout: float = 30.0

    @classmethod
    def from_env(cls, override: str | None = None, env: dict | None = None) -> SmtpSettings:
        """``KSLN_SMTP_HOST``, ``_PORT``, ``_STARTTLS``, ``_USER``, ``_PASSWORD``, ``KSLN_SMTP_FROM``; ``override``
        (``HOST:PORT`` of ``--smtp``) wins over host and port."""
        env = os.environ if env is None else env
        host = env.get("KSLN_SMTP_HOST", "localhost")
        port_text = env.get("KSLN_SMTP_PORT", "25")
        if override:
            host, sep, port_text = override.rpartition(":")
            if not sep or not host:
                raise MailSettingsError(f"--smtp '{override}' tidak sah; tulis HOST:PORT, mis. localhost:25.")
        try:
            port = int(port_text)
            if not 0 < port < 65536:
                raise ValueError
        except ValueError:
            raise MailSettingsError(f"port SMTP '{port_text}' tidak sah; tulis angka 1–65535.") from None
        starttls = env.get("KSLN_SMTP_STARTTLS", "").strip().lower() in ("1", "ya", "true", "yes")
        try:
            sender_text = env.get("KSLN_SMTP_FROM") or default_sender()
            if not sender_text:
                raise MailSettingsError(f"Alamat pengirim belum diatur untuk {scope().title}: isi KSLN_SMTP_FROM, "
                                        "mis. ksln-monitor@namainstansi.go.id.")
            sender = check_email(sender_text)
        except ContactError as exc:
            raise MailSettingsError(f"KSLN_SMTP_FROM: {exc}") from None
        return cls(host, port, starttls, env.get("KSLN_SMTP_USER") or None, env.get("KSLN_SMTP_PASSWORD") or None,
                   sender)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


@dataclass(frozen=True)
class Outcome:
    kabkota: str
    recipients: tuple[str, ...]
    reminders: tuple[Reminder, ...]
    delivered: bool
    error: str | None = None


_TAKEN_SQL = (
    "SELECT i.item_key, i.reminder_window FROM notification_item i JOIN notification n USING (notification_id) "
    "WHERE n.delivered OR n.sending_until > ?")


def _taken(cur, now: datetime) -> set[tuple[str, str]]:
    """(item, window) pairs delivered before, or held at ``now`` by a message another run is sending."""
    return {(key, window) for key, window in cur.execute(_TAKEN_SQL, [now]).fetchall()}


def pending_reminders(store: Store, items: list[Item], as_of: date, rules: Rules,
                      now: datetime | None = None) -> dict[str, list[Reminder]]:
    """Per unit, the reminders due on ``as_of`` that were not delivered before in the same window (nor are
    being sent by another run at ``now``)."""
    rows = store.query(_TAKEN_SQL, [now or datetime.now()])
    sent = set(zip(rows["item_key"], rows["reminder_window"], strict=True))
    by_unit: dict[str, list[Reminder]] = {}
    for reminder in due_reminders(items, as_of, rules):
        if (reminder.item.key, reminder.window) not in sent:
            by_unit.setdefault(reminder.item.kabkota, []).append(reminder)
    return dict(sorted(by_unit.items()))


def subject_of(kabkota: str, reminders: list[Reminder], as_of: date) -> str:
    return f"Pengingat KSLN {region_name(kabkota)}: {len(reminders)} hal per {format_date_id(as_of)}"


def _intro(kabkota: str, as_of: date) -> str:
    return (f"Yth. Bapak/Ibu pengelola Kerja Sama Luar Negeri {region_name(kabkota)},\n\n"
            f"berikut hal yang perlu diperhatikan per {format_date_id(as_of)}:")


def _outro() -> str:
    return ("Kalender batas laporan dan masa berlaku unit Anda terlampir (berkas .ics; buka dengan Thunderbird, "
            f"Outlook atau Google Calendar).\n\nPesan ini dikirim otomatis oleh KSLN Monitor, {scope().office}. "
            "Bila laporan sudah disampaikan, abaikan pesan ini.")


def message_text(kabkota: str, reminders: list[Reminder], as_of: date) -> str:
    lines = [_intro(kabkota, as_of), ""]
    lines += [f"{n}. {r.item.line(as_of)} [{r.label}]" for n, r in enumerate(reminders, 1)]
    return "\n".join([*lines, "", _outro(), ""])


def message_html(kabkota: str, reminders: list[Reminder], as_of: date) -> str:
    esc = html.escape
    intro = "<br>".join(esc(line) for line in _intro(kabkota, as_of).split("\n"))
    rows = "".join(
        f"<li><strong>{esc(r.item.title())}</strong><br>{esc(r.item.state(as_of))} <em>({esc(r.label)})</em></li>"
        for r in reminders)
    outro = "".join(f"<p>{esc(part)}</p>" for part in _outro().split("\n\n"))
    return (f'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"></head><body>'
            f"<p>{intro}</p><ol>{rows}</ol>{outro}</body></html>")


def build_message(kabkota: str, reminders: list[Reminder], recipients: list[str], as_of: date, calendar: bytes,
                  sender: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject_of(kabkota, reminders, as_of)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message.set_content(message_text(kabkota, reminders, as_of))
    message.add_alternative(message_html(kabkota, reminders, as_of), subtype="html")
    message.add_attachment(calendar, maintype="text", subtype="calendar",
                           filename=calendar_file_name(kabkota, as_of), params={"method": "PUBLISH"})
    return message


def smtp_error_text(exc: BaseException, settings: SmtpSettings) -> str:
    """Why the delivery failed, in Indonesian."""
    where = f"server SMTP {settings.address}"
    if isinstance(exc, ConnectionRefusedError):
        return f"{where} menolak sambungan (server mati atau port salah)"
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"{where} tidak menjawab dalam {settings.timeout:g} detik"
    if isinstance(exc, socket.gaierror):
        return f"nama host {settings.host} tidak dikenal"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"{where} menolak nama pengguna/kata sandi (KSLN_SMTP_USER, KSLN_SMTP_PASSWORD)"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return f"{where} menolak semua alamat penerima"
    if isinstance(exc, smtplib.SMTPException):
        return f"{where} menolak pesan: {exc}"
    return f"{where} tidak dapat dihubungi ({exc.__class__.__name__}: {exc})"


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
        smtp.send_message(message)


def _claim(store: Store, unit: str, reminders: list[Reminder], recipients: list[str], as_of: date,
           now: datetime) -> tuple[int, list[Reminder]] | None:
    """Write the row of the message about to be sent, holding its items; None when another run has
    delivered or is sending all of them. Returns the row's id and the reminders it holds."""
    with store.write() as cur:
        if store.dialect == "postgres":  # one claim at a time across processes (DuckDB: the store's write lock)
            cur.execute("SELECT pg_advisory_xact_lock(?)", [REMINDER_LOCK]).fetchall()
        taken = _taken(cur, now)
        mine = [r for r in reminders if (r.item.key, r.window) not in taken]
        if not mine:
            return None
        notification_id = store.next_id(cur, "notification", "notification_id")
        cur.execute("INSERT INTO notification (notification_id, created_at, as_of, kabkota, recipients, subject, "
                    "delivered, error, sending_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [notification_id, now, as_of, unit, ", ".join(recipients), subject_of(unit, mine, as_of),
                     False, None, now + timedelta(minutes=CLAIM_MINUTES)])
        cur.executemany("INSERT INTO notification_item VALUES (?, ?, ?, ?)",
                        [[notification_id, r.item.key, r.window, f"{r.item.line(as_of)} [{r.label}]"]
                         for r in mine])
    return notification_id, mine


def _settle(store: Store, notification_id: int, error: str | None) -> None:
    """The result of a claimed message: delivered, or the error (its items may then be sent again)."""
    with store.write() as cur:
        cur.execute("UPDATE notification SET delivered = ?, error = ?, sending_until = NULL WHERE notification_id = ?",
                    [error is None, error, notification_id])


def run_reminders(store: Store, as_of: date, rules: Rules, settings: SmtpSettings, *, dry_run: bool = False,
                  now: Callable[[], datetime] = datetime.now,
                  sender: Callable[[EmailMessage, SmtpSettings], None] = send) -> list[Outcome]:
    """Send each unit one message with its pending reminders; record every attempt (not in a dry run)."""
    items = agenda(store, as_of, rules)
    outcomes = []
    for unit, reminders in pending_reminders(store, items, as_of, rules, now()).items():
        recipients = recipients_for(store, unit)
        if dry_run:
            outcomes.append(Outcome(unit, tuple(recipients), tuple(reminders), delivered=False,
                                    error=None if recipients else NO_RECIPIENTS))
            continue
        claimed = _claim(store, unit, reminders, recipients, as_of, now())
        if claimed is None:
            continue  # another run sent them meanwhile
        notification_id, reminders = claimed
        error = None
        if not recipients:
            error = NO_RECIPIENTS
        else:
            unit_items = [i for i in items if i.kabkota == unit]
            message = build_message(unit, reminders, recipients, as_of, calendar_ics(unit_items, as_of, unit),
                                    settings.sender)
            try:
                sender(message, settings)
            except (OSError, smtplib.SMTPException) as exc:
                error = smtp_error_text(exc, settings)
            except BaseException:
                # Not an SMTP failure (a bug, an interrupt): the hold is released so the next run retries.
                _settle(store, notification_id, "pengiriman terputus sebelum selesai")
                raise
        _settle(store, notification_id, error)
        outcomes.append(Outcome(unit, tuple(recipients), tuple(reminders), delivered=error is None, error=error))
    return outcomes


def send_state(delivered: bool, sending_until, now: datetime) -> str:
    """A log row's result in words: ``terkirim``, ``gagal``, ``sedang dikirim`` (another run holds it now) or
    ``terputus`` (the run died mid-send; its items are sent again by the next run)."""
    if delivered:
        return "terkirim"
    if sending_until is None or pd.isna(sending_until):
        return "gagal"
    return "sedang dikirim" if sending_until > now else "terputus"


def notification_log(store: Store, limit: int = 500) -> pd.DataFrame:
    """The latest attempts, newest first: time, as_of, unit, recipients, subject, result, error, items, and
    ``sending_until`` (set while a run is sending the message, or when it died mid-send)."""
    return store.query(
        "SELECT n.notification_id, n.created_at, n.as_of, n.kabkota, n.recipients, n.subject, n.delivered, n.error, "
        "n.sending_until, string_agg(i.description, '\n' ORDER BY i.item_key) AS items "
        "FROM notification n LEFT JOIN notification_item i USING (notification_id) "
        "GROUP BY n.notification_id, n.created_at, n.as_of, n.kabkota, n.recipients, n.subject, n.delivered, n.error, "
        "n.sending_until "
        "ORDER BY n.notification_id DESC LIMIT ?", [limit])
