"""The reporting calendar as an iCalendar file (RFC 5545) that Thunderbird, Outlook and Google Calendar import.

One all-day event per item of the agenda: each report deadline of every fiscal year an
agreement is active in, each end of validity, each follow-up action's due date. The text is
Indonesian and carries no link (the app is on the intranet; a link would not open elsewhere).
UIDs are stable, so importing a newer file updates the events instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

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
    """The .ics of ``items`` (a unit's, or every unit's when ``kabkota`` is None)."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", prodid())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name(kabkota))
    cal.add("x-wr-timezone", "Asia/Jakarta")
    domain = uid_domain()
    for item in items:
        event = Event()
        event.add("uid", f"{item.key.replace(':', '-')}@{domain}")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.tanggal)
        event.add("dtend", item.tanggal + timedelta(days=1))
        event.add("summary", _summary(item))
        event.add("description", _description(item, as_of))
        event.add("categories", [_CATEGORY[item.kind]])
        event.add("transp", "TRANSPARENT")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def calendar_file_name(kabkota: str | None, as_of: date) -> str:
    unit = kabkota.replace(".", "") if kabkota else normalize_text(scope().province_name).replace(" ", "_")
    return f"kalender_ksln_{unit}_{as_of.isoformat()}.ics"
