"""The reporting calendar as an iCalendar file (RFC 5545) that Thunderbird, Outlook and Google Calendar import.

One all-day event per item of the agenda: each report deadline of every fiscal year an
agreement is active in, each end of validity, each follow-up action's due date. The text is
Indonesian and carries no link (the app is on the intranet; a link would not open elsewhere).
UIDs are stable, so importing a newer file updates the events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from ksln_metrics.formatting import format_date_id
from ksln_metrics.reference import normalize_text, region_name, scope
from ksln_metrics.reminders.agenda import ACTION, EXPIRY, REPORT, Item


def prodid() -> str:
    """``-//Pemerintah Provinsi Banten//KSLN Monitor//ID`` for the configured scope."""
    return f"-//{scope().government}//KSLN Monitor//ID"


def uid_domain() -> str:
    """The right-hand side of event UIDs: the government's mail domain (``.invalid`` when none is listed)."""
    current = scope()
    return f"ksln-monitor.{current.mail_domain or 'provinsi-' + current.code + '.invalid'}"


def __getattr__(name: str):
    # PRODID and UID_DOMAIN follow the scope (kept for existing imports).
    if name == "PRODID":
        return prodid()
    if name == "UID_DOMAIN":
        return uid_domain()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

_CATEGORY = {REPORT: "Laporan tahunan KSLN", EXPIRY: "Masa berlaku KSLN", ACTION: "Tindak lanjut KSLN"}


def calendar_name(kabkota: str | None) -> str:
    return f"Kalender KSLN — {region_name(kabkota) if kabkota else 'semua unit ' + scope().area}"


def _summary(item: Item) -> str:
    if item.kind == REPORT:
        return f"Batas laporan tahunan TA {item.tahun_anggaran}: {item.judul}"
    if item.kind == EXPIRY:
        return f"Berakhir: {item.judul}"
    return f"Batas tindak lanjut: {item.uraian}"


def _description(item: Item, as_of: date) -> str:
    lines = [item.title(), f"Unit: {region_name(item.kabkota)}"]
    if item.mitra:
        lines.append(f"Mitra: {item.mitra}")
    if item.id_perjanjian:
        lines.append(f"ID perjanjian: {item.id_perjanjian}")
    if item.kind == REPORT:
        lines.append(f"Batas penyampaian laporan tahunan tahun anggaran {item.tahun_anggaran}: "
                     f"{format_date_id(item.tanggal)} (hari batas masih tepat waktu).")
    elif item.kind == EXPIRY:
        lines.append(f"Masa berlaku perjanjian berakhir {format_date_id(item.tanggal)}; siapkan perpanjangan "
                     "atau pengakhiran.")
    else:
        lines.append(f"Batas waktu tindak lanjut: {format_date_id(item.tanggal)}.")
    lines.append(f"Keadaan per {format_date_id(as_of)}: {item.state(as_of)}.")
    return "\n".join(lines)


def calendar_ics(items: Iterable[Item], as_of: date, kabkota: str | None = None,
                 now: datetime | None = None) -> bytes:
    """The .ics of ``items`` (a unit's, or every unit's when ``kabkota`` is None).

    Written line by line (RFC 5545: TEXT escaped, lines folded at 75 octets, CRLF), the same bytes the
    icalendar library writes for these properties (tests/unit/test_ical_writer.py compares them), at
    about a fifteenth of its time: a whole country's 100,000 events took it half a minute.
    """
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    domain = uid_domain()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_text(prodid())}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             f"X-WR-CALNAME:{_text(calendar_name(kabkota))}", "X-WR-TIMEZONE:Asia/Jakarta"]
    for item in items:
        lines += (
            # icalendar's order: SUMMARY, DTSTART, DTEND, DTSTAMP, UID, then the rest by name.
            "BEGIN:VEVENT",
            f"SUMMARY:{_text(_summary(item))}",
            f"DTSTART;VALUE=DATE:{_ical_date(item.tanggal)}",
            f"DTEND;VALUE=DATE:{_ical_date(item.tanggal + timedelta(days=1))}",
            f"DTSTAMP:{stamp}",
            f"UID:{_text(item.key.replace(':', '-') + '@' + domain)}",
            f"CATEGORIES:{_text(_CATEGORY[item.kind])}",
            f"DESCRIPTION:{_text(_description(item, as_of))}",
            "STATUS:CONFIRMED",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        )
    lines.append("END:VCALENDAR")
    return b"".join(_folded(line) + b"\r\n" for line in lines)


def _ical_date(day: date) -> str:
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def _text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11) as icalendar does it: ``\\N`` read as a line break, a
    backslash, ``;`` and ``,`` escaped, every line ending written ``\\n``."""
    return (value.replace(r"\N", "\n").replace("\\", "\\\\").replace(";", r"\;").replace(",", r"\,")
            .replace("\r\n", r"\n").replace("\n", r"\n").replace("\r", r"\n"))


_FOLD = 75  # a line is cut before the octet that would make it 75 long, as icalendar cuts it


def _folded(line: str) -> bytes:
    """``line`` in UTF-8, folded (RFC 5545 3.1): pieces under 75 octets joined by CRLF and a space, a
    multi-byte character never split, and a piece never ending in the ``\\`` or ``^`` that starts an escape."""
    data = line.encode("utf-8")
    pieces, start = [], 0
    while len(data) - start >= _FOLD:
        end = start + _FOLD - 1
        while data[end] & 0xC0 == 0x80:  # a continuation byte: cut before the character it belongs to
            end -= 1
        if data[end - 1] in b"\\^":
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def calendar_file_name(kabkota: str | None, as_of: date) -> str:
    unit = kabkota.replace(".", "") if kabkota else normalize_text(scope().province_name).replace(" ", "_")
    return f"kalender_ksln_{unit}_{as_of.isoformat()}.ics"
