"""The calendar writer gives byte for byte what the icalendar library writes for the same events.

``reference_ics`` is the writer the app used before (icalendar's Calendar and Event): the texts users
type (titles, partners, actions) go through the same escaping and folding, including the awkward ones
(``;`` ``,`` ``\\`` ``^``, line breaks of every kind, multi-byte letters, a backslash at a fold).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event

from ksln_metrics.engine.rules import load_rules
from ksln_metrics.reminders import ical
from ksln_metrics.reminders.agenda import ACTION, EXPIRY, REPORT, Item, agenda
from tests.unit.reminder_data import AS_OF, reminder_store

NOW = datetime(2026, 1, 5, 7, 30, 12, tzinfo=UTC)


def reference_ics(items, as_of: date, kabkota: str | None = None, now: datetime = NOW) -> bytes:
    cal = Calendar()
    cal.add("prodid", ical.prodid())
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", ical.calendar_name(kabkota))
    cal.add("x-wr-timezone", "Asia/Jakarta")
    for item in items:
        event = Event()
        event.add("uid", f"{item.key.replace(':', '-')}@{ical.uid_domain()}")
        event.add("dtstamp", now)
        event.add("dtstart", item.tanggal)
        event.add("dtend", item.tanggal + timedelta(days=1))
        event.add("summary", ical._summary(item))
        event.add("description", ical._description(item, as_of))
        event.add("categories", [ical._CATEGORY[item.kind]])
        event.add("transp", "TRANSPARENT")
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()


def test_the_agenda_of_the_reminder_store_is_written_as_icalendar_writes_it(tmp_path):
    with reminder_store(tmp_path / "kalender.duckdb", with_contacts=False) as store:
        items = agenda(store, AS_OF, load_rules())
    assert len(items) > 5
    for unit in (None, "36.02"):
        chosen = [i for i in items if unit is None or i.kabkota == unit]
        assert ical.calendar_ics(chosen, AS_OF, unit, now=NOW) == reference_ics(chosen, AS_OF, unit)


# Letters that escape or fold differently: ASCII and multi-byte (é, —, 한, an emoji), every line ending.
awkward = st.text(alphabet=st.sampled_from(list("ab ;,\\^:\"N\r\n\té—한😀")) | st.characters(codec="utf-8"),
                  max_size=260)


@settings(max_examples=300, deadline=None)
@given(judul=awkward, mitra=awkward, uraian=awkward, kind=st.sampled_from([REPORT, EXPIRY, ACTION]),
       key=st.text(alphabet=st.sampled_from(list("abc:;,\\-_0123456789")), min_size=1, max_size=90),
       day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 30)))
def test_any_text_is_escaped_and_folded_as_icalendar_does_it(judul, mitra, uraian, kind, key, day):
    item = Item(key=key, kind=kind, kabkota="36.02", id_perjanjian=judul[:20] or None, judul=judul, mitra=mitra,
                tanggal=day, status="tepat_waktu", tahun_anggaran=2025, diterima=day, hari_kerja=3, uraian=uraian)
    assert ical.calendar_ics([item], AS_OF, now=NOW) == reference_ics([item], AS_OF)


def test_an_escape_at_every_place_of_a_fold_is_cut_as_icalendar_cuts_it():
    for filler in range(40, 120):
        for text in ("x" * filler + "\\;^,y" * 20, "é" * (filler // 2) + "x" + "\\^\\" * 30):
            item = Item(key=f"k{filler}", kind=ACTION, kabkota="36.02", id_perjanjian=None, judul=text, mitra=text,
                        tanggal=date(2026, 2, 2), status="terbuka", uraian=text)
            written = ical.calendar_ics([item], AS_OF, now=NOW)
            assert written == reference_ics([item], AS_OF)
            assert all(len(line) <= 75 for line in written.split(b"\r\n"))
