"""Pengingat in Debian's chromium: an analyst downloads their unit's calendar, the admin the letters of every unit."""

import io
import zipfile

from docx import Document
from icalendar import Calendar

from tests.e2e.conftest import assert_no_exception, open_as, screenshot, wait_until_idle


def download(page, label: str) -> tuple[str, bytes]:
    with page.expect_download(timeout=120_000) as done:
        page.get_by_role("button", name=label).click()
    return done.value.suggested_filename, done.value.path().read_bytes()


def test_an_analyst_downloads_the_calendar_of_their_unit(page, app_url):
    open_as(page, f"{app_url}/pengingat", "analis.lebak")
    wait_until_idle(page)  # the unit filter preselected for the analyst starts one more run
    assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == "Pengingat"
    assert_no_exception(page)
    name, data = download(page, "Unduh kalender (.ics)")
    assert name.startswith("kalender_ksln_3602_") and name.endswith(".ics")
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    events = list(calendar.walk("VEVENT"))
    assert events
    assert all("Unit: Kabupaten Lebak" in str(e["DESCRIPTION"]) for e in events)
    assert all(name in e for e in events for name in ("UID", "DTSTAMP", "DTSTART"))
    screenshot(page, "pengingat-analis-lebak")


def test_the_admin_downloads_the_letters_of_every_unit(page, app_url):
    open_as(page, f"{app_url}/pengingat", "admin")
    wait_until_idle(page)
    assert_no_exception(page)
    button = page.get_by_role("button", name="surat (.zip)")
    name, data = download(page, button.inner_text().strip().splitlines()[-1])
    assert name.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        letters = archive.namelist()
        assert letters and all(n.startswith("surat_pengingat_") and n.endswith(".docx") for n in letters)
        first = Document(io.BytesIO(archive.read(letters[0])))
    assert any(p.text.startswith("Yth. ") for p in first.paragraphs)
    assert page.get_by_text("Log notifikasi").count() == 1
    screenshot(page, "pengingat-admin")
