"""The reporting calendar (.ics parsed back, every RFC 5545 required property) and the letters (.docx parsed back)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.xmlchemy import serialize_for_reading
from docx.table import _Cell
from icalendar import Calendar

from ksln_metrics.access import User
from ksln_metrics.cli import main
from ksln_metrics.engine.calendar import working_days_between
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.followup.actions import create_action, set_status
from ksln_metrics.reminders.actions import register_action_source, unregister_action_source
from ksln_metrics.reminders.agenda import agenda, letter_items
from ksln_metrics.reminders.ical import PRODID, calendar_ics
from ksln_metrics.reminders.letters import _cell_text, _table, addressee, letter_docx, unit_letters
from ksln_metrics.reminders.windows import due_reminders
from tests.unit.reminder_data import AGREEMENTS, AS_OF, reminder_store

NOW = datetime(2026, 1, 5, 7, 30, tzinfo=UTC)


@pytest.fixture
def rules():
    return load_rules()


@pytest.fixture
def store(tmp_path):
    with reminder_store(tmp_path / "dokumen.duckdb", with_contacts=False) as s:
        yield s


def events_of(data: bytes):
    calendar = Calendar.from_ical(data)
    return calendar, list(calendar.walk("VEVENT"))


def test_calendar_has_every_required_property_and_one_event_per_item(store, rules):
    items = agenda(store, AS_OF, rules)
    data = calendar_ics(items, AS_OF, now=NOW)
    raw = data.decode("utf-8")
    assert raw.startswith("BEGIN:VCALENDAR\r\n") and raw.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in raw.split("\r\n"))  # folded (RFC 5545 3.1)
    assert "\n" not in raw.replace("\r\n", "")
    calendar, events = events_of(data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"]) == PRODID
    assert len(events) == len(items)
    uids = [str(e["UID"]) for e in events]
    assert len(set(uids)) == len(uids)
    for event in events:
        for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION"):
            assert name in event, name
        assert event.decoded("DTSTAMP") == NOW
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is date and (end - start).days == 1  # all-day events
        assert "http" not in str(event["DESCRIPTION"]).lower()


def test_calendar_events_name_the_agreement_and_its_dates(store, rules):
    items = agenda(store, AS_OF, rules)
    _, events = events_of(calendar_ics(items, AS_OF, now=NOW))
    by_uid = {str(e["UID"]).split("@")[0]: e for e in events}
    report = by_uid["laporan-P3-2023"]
    assert report.decoded("DTSTART") == date(2024, 1, 10)
    assert str(report["SUMMARY"]) == "Batas laporan tahunan TA 2023: MoU Kehutanan Lebak–Nordic Trust"
    description = str(report["DESCRIPTION"])
    assert "Unit: Kabupaten Lebak" in description and "Mitra: Nordic Rainforest Trust" in description
    assert "10 Januari 2024" in description and "belum masuk" in description
    expiry = by_uid["berakhir-P1"]
    assert expiry.decoded("DTSTART") == date(2026, 3, 16)
    assert "16 Maret 2026" in str(expiry["DESCRIPTION"]) and "70 hari lagi" in str(expiry["DESCRIPTION"])
    # Every fiscal year the agreement is active in, up to the year of the reference date (it ends in 2026).
    fiscal = sorted(k for k in by_uid if k.startswith("laporan-P1-"))
    assert fiscal == ["laporan-P1-2024", "laporan-P1-2025", "laporan-P1-2026"]
    assert by_uid["laporan-P1-2026"].decoded("DTSTART") == date(2027, 1, 13)  # Isra Mi'raj on 5 January 2027


def test_unit_calendar_holds_only_that_unit(store, rules):
    lebak = agenda(store, AS_OF, rules, kabkota=["36.02"])
    _, events = events_of(calendar_ics(lebak, AS_OF, "36.02", now=NOW))
    assert {str(e["UID"]).split("@")[0].split("-")[1] for e in events} == {"P2", "P3"}
    assert all("Kabupaten Lebak" in str(e["DESCRIPTION"]) for e in events)


def test_cli_kalender_writes_a_calendar(store, rules, tmp_path):
    store.close()
    out = tmp_path / "lebak.ics"
    assert main(["kalender", "--as-of", "2026-01-05", "--kabkota", "36.02", "--out", str(out),
                 "--db", str(store.path)]) == 0
    _, events = events_of(out.read_bytes())
    assert len(events) == 3 + 5  # P2: FY2025-2026 and expiry; P3: FY2023-2026 and expiry


def paragraphs(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs]


def table_rows(data: bytes) -> list[list[str]]:
    return [[c.text for c in row.cells] for t in Document(io.BytesIO(data)).tables for row in t.rows]


def test_letter_lists_each_item_with_its_dates(store, rules):
    letters = unit_letters(agenda(store, AS_OF, rules), AS_OF, rules)
    assert set(letters) == {"36.01", "36.02"}  # Kabupaten Tangerang has nothing late or ending soon
    lebak = letters["36.02"]
    text = paragraphs(lebak)
    assert "Yth. Bupati Lebak" in text
    assert "Serang, 5 Januari 2026" in text
    for label in ("Nomor\t: ", "Sifat\t: Biasa", "Lampiran\t: -", "Perihal\t: Pengingat Laporan"):
        assert any(line.startswith(label) for line in text), label
    assert "KEPALA BIRO PEMERINTAHAN" in text and "[KOP SURAT — ganti dengan kop resmi]" in text
    assert any("paling lambat 7 hari kerja" in line for line in text)
    closing = next(line for line in text if line.startswith("Sehubungan"))
    assert "menyampaikan laporan tahunan yang belum masuk" in closing and "perpanjangan" not in closing
    rows = table_rows(lebak)
    assert rows[0] == ["No.", "Perjanjian", "Mitra", "Tahun anggaran", "Batas", "Keterangan"]
    assert rows[1] == ["1", "MoU Kehutanan Lebak–Nordic Trust", "Nordic Rainforest Trust", "2023", "10 Januari 2024",
                       f"belum disampaikan (lewat {working_days_between(date(2024, 1, 10), AS_OF, rules)} hari kerja)"]
    assert len(rows) == 2  # no expiry within 90 days, no action

    pandeglang = table_rows(letters["36.01"])
    assert ["1", "MoU Pendidikan Pandeglang–Kota Contoh", "Kota Contoh", "2024", "10 Januari 2025",
            "disampaikan 20 Januari 2025, terlambat 6 hari kerja"] in pandeglang
    assert ["1", "MoU Pendidikan Pandeglang–Kota Contoh", "Kota Contoh", "16 Maret 2026", "70 hari lagi"] in pandeglang
    assert "Yth. Bupati Pandeglang" in paragraphs(letters["36.01"])


def test_letter_addressees():
    assert addressee("36.74") == "Wali Kota Tangerang Selatan"
    assert addressee("36.03") == "Bupati Tangerang"
    assert addressee("36").startswith("Kepala Perangkat Daerah")


def test_cli_surat_writes_one_letter_per_unit_to_remind(store, tmp_path):
    store.close()
    out = tmp_path / "surat"
    assert main(["surat", "--as-of", "2026-01-05", "--out", str(out), "--db", str(store.path)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["surat_pengingat_3601_2026-01-05.docx",
                                                    "surat_pengingat_3602_2026-01-05.docx"]
    assert main(["surat", "--as-of", "2026-01-05", "--kabkota", "36.03", "--out", str(tmp_path / "kosong"),
                 "--db", str(store.path)]) == 0
    assert not (tmp_path / "kosong").exists()


def test_follow_up_actions_through_the_hook(store, rules):
    """A follow-up source (issue 12 provides the real one) puts actions in the calendar, the letter and the reminders."""
    store.cursor().execute("CREATE TABLE tl_uji (action_id BIGINT, kabkota VARCHAR, id_perjanjian VARCHAR, "
                           "uraian VARCHAR, batas DATE, selesai BOOLEAN)")
    store.cursor().execute("INSERT INTO tl_uji VALUES (7, '36.03', 'P4', 'Susun RIK bersama Yongin', "
                           "DATE '2025-12-20', false), (8, '36.03', 'P4', 'Rapat teknis', DATE '2026-02-01', false)")

    def source(s, as_of, units):
        frame = s.query("SELECT *, batas < ? AND NOT selesai AS terlambat FROM tl_uji", [as_of])
        return frame if units is None else frame[frame["kabkota"].isin(units)]

    register_action_source(source)
    try:
        items = agenda(store, AS_OF, rules)
    finally:
        unregister_action_source(source)
    actions = {i.key: i for i in items if i.kind == "tindak_lanjut"}
    assert set(actions) == {"tindak_lanjut:7", "tindak_lanjut:8"}
    assert actions["tindak_lanjut:7"].judul == AGREEMENTS[3]["judul"]
    _, events = events_of(calendar_ics(items, AS_OF, now=NOW))
    assert any(str(e["SUMMARY"]) == "Batas tindak lanjut: Susun RIK bersama Yongin" for e in events)
    reminders = {(r.item.key, r.window) for r in due_reminders(items, AS_OF, rules)}
    assert ("tindak_lanjut:7", "lewat") in reminders and not any(k == "tindak_lanjut:8" for k, _ in reminders)
    chosen = [i for i in letter_items(items, AS_OF, rules) if i.kabkota == "36.03"]
    rows = table_rows(letter_docx("36.03", chosen, AS_OF, rules))
    assert ["1", "Susun RIK bersama Yongin", AGREEMENTS[3]["judul"], "20 Desember 2025"] in rows
    assert agenda(store, AS_OF, rules) == [i for i in items if i.kind != "tindak_lanjut"]  # unregistered: gone


def test_no_open_action_means_no_actions(store, rules):
    assert not any(i.kind == "tindak_lanjut" for i in agenda(store, AS_OF, rules))


def test_actions_of_the_follow_up_page_reach_calendar_and_letters(store, rules):
    """The real source: an open action with a due date is reminded; a closed one and one without a date are not."""
    admin = User("admin", "admin")
    late = create_action(store, user=admin, description="Kirim laporan tahunan 2025", id_perjanjian="P4",
                         due_date=date(2025, 12, 20))
    create_action(store, user=admin, description="Tanpa tanggal", id_perjanjian="P4")
    done = create_action(store, user=admin, description="Sudah beres", id_perjanjian="P4", due_date=date(2025, 12, 1))
    set_status(store, done, "selesai", user=admin, note="Laporan diterima")
    items = agenda(store, AS_OF, rules)
    actions = [i for i in items if i.kind == "tindak_lanjut"]
    assert [i.key for i in actions] == [f"tindak_lanjut:{late}"]
    rows = table_rows(letter_docx("36.03", [i for i in letter_items(items, AS_OF, rules) if i.kabkota == "36.03"],
                                  AS_OF, rules))
    assert ["1", "Kirim laporan tahunan 2025", AGREEMENTS[3]["judul"], "20 Desember 2025"] in rows


@pytest.mark.parametrize("text", ["MoU Lebak–Gyeongju", "", " lead", "trail ", "  ", "tab\there", "two\nlines",
                                  "cr\rhere", "😀 ünïcode & <markup> \"quoted\"", "\u2060{{7*7}}"])
def test_a_letters_cell_holds_the_xml_python_docx_writes(text):
    def table_xml(fill) -> str:
        doc = Document()
        table = doc.add_table(rows=1, cols=2)
        for tc, value in zip(table.add_row()._tr.tc_lst, [text, "x"], strict=True):
            fill(table, tc, value)
        return serialize_for_reading(table._tbl)

    def by_python_docx(table, tc, value):
        _Cell(tc, table).text = value

    assert table_xml(lambda table, tc, value: _cell_text(tc, table, value)) == table_xml(by_python_docx)


def test_a_control_character_in_a_letters_cell_is_refused_as_python_docx_refuses_it():
    table = Document().add_table(rows=1, cols=1)
    with pytest.raises(ValueError, match="XML compatible"):
        _cell_text(table.add_row()._tr.tc_lst[0], table, "bell\x07")
    with pytest.raises(ValueError, match="XML compatible"):
        table.add_row().cells[0].text = "bell\x07"


def test_a_letters_table_holds_the_xml_python_docx_writes_row_by_row():
    header = ["No.", "Perjanjian", "Mitra"]
    rows = [[str(n), f"MoU {n} ", "tab\there" if n % 3 == 0 else f"Mitra {n}"] for n in range(1, 8)]
    ours = Document()
    _table(ours, header, rows)
    theirs = Document()
    table = theirs.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    assert serialize_for_reading(ours.tables[0]._tbl) == serialize_for_reading(table._tbl)
    assert [[c.text for c in r.cells] for r in ours.tables[0].rows[1:]] == rows
