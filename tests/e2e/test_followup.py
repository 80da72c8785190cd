"""The follow-up loop in Debian's chromium: an action created from a flag's proposal, closed with an attached PDF,
counted in "Sejak rakor" and on the deck's "Sejak rakor" slide.

A private server on a private store: the stored rakor adds a slide, which the shared store's
presentation tests must not see.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pptx import Presentation

from ksln_metrics.followup.rakor import record_meeting
from ksln_metrics.store import Store
from tests.e2e.conftest import (
    assert_no_exception,
    choose_files,
    make_store,
    open_as,
    rerun,
    screenshot,
    serve,
    wait_until_idle,
)
from tests.unit.test_attachments import pdf_bytes

RAKOR = date(2020, 1, 6)  # fixed, before any action the test creates
# Actions are stamped with the real clock, so this server's reference date is the day after the real one:
# whatever the year, the actions the test makes fall between the rakor and the reference date.
APP_TODAY = date.today() + timedelta(days=1)


# Per test, not per module: the test creates action #1 on its store, so a rerun after a miss under load
# (tests/e2e/conftest.py reruns browser tests) starts again from an empty store and can pass.
@pytest.fixture
def followup_url(tmp_path_factory, browser):
    workdir = tmp_path_factory.mktemp("e2e-tl")
    env = make_store(workdir, today=APP_TODAY)
    with Store(Path(env["KSLN_DB"])) as store:
        record_meeting(store, "Rakor KSLN 2020", RAKOR, user="pengujian")
    with serve(workdir, env) as url:
        context = browser.new_context()  # warm the server, as conftest's warm_app does
        warm = context.new_page()
        warm.goto(url)
        wait_until_idle(warm, timeout=60_000)
        context.close()
        yield url


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in a select box; a rerun that closes the open list is waited out and the list opened again."""
    for _ in range(3):
        wait_until_idle(page)
        page.get_by_label(label, exact=True).click()
        listed = page.get_by_role("option", name=option, exact=True)
        try:
            listed.wait_for(timeout=10_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        listed.click()
        return
    raise AssertionError(f"{option!r} is never offered in {label!r}")


def test_action_from_a_flag_closed_with_a_pdf_shows_since_the_rakor_and_in_the_deck(page, followup_url, tmp_path):
    open_as(page, f"{followup_url}/tindak-lanjut", "admin")
    main = page.locator('[data-testid="stMain"]')
    assert main.locator("h1").first.inner_text().strip() == "Tindak Lanjut"
    with rerun(page):
        page.get_by_role("button", name="Buat tindak lanjut").first.click()
    page.get_by_text(re.compile(r"Tindak lanjut #1 dibuat untuk ")).wait_for()
    assert_no_exception(page)

    evidence = tmp_path / "Surat jawaban.pdf"
    evidence.write_bytes(pdf_bytes())
    choose_files(page, str(evidence))  # the form's button is disabled until the file has reached the server
    with rerun(page):
        page.get_by_role("button", name="Lampirkan").click()
    page.get_by_text("Lampiran disimpan untuk tindak lanjut #1.").wait_for()
    page.get_by_role("button", name="Unduh", exact=True).wait_for()  # offered once the file is attached
    with page.expect_download() as done:
        page.get_by_role("button", name="Unduh", exact=True).click()
    assert done.value.suggested_filename == "Surat jawaban.pdf"
    assert done.value.path().read_bytes() == evidence.read_bytes()
    wait_until_idle(page)  # downloads start no run (on_click="ignore"); the page is idle before the select box

    choose(page, "Status baru", "Selesai")
    page.get_by_label("Catatan / bukti penyelesaian", exact=True).fill("Surat jawaban terlampir")
    with rerun(page):
        page.get_by_role("button", name="Simpan status").click()
    page.get_by_text("Status tindak lanjut #1 menjadi selesai.").wait_for()
    assert_no_exception(page)

    # Since the stored rakor: one action opened and one closed.
    page.get_by_text("Sejak rakor 6 Januari 2020").first.wait_for()
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Tindak lanjut dibuka / ditutup")
    assert metric.locator('[data-testid="stMetricValue"]').inner_text().strip() == "1 / 1"
    screenshot(page, "tindak-lanjut-selesai")

    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Presentasi", exact=True).click()
    page.get_by_role("button", name="Berikutnya").wait_for()
    page.get_by_role("button", name="Unduh").click()
    with page.expect_download(timeout=120_000) as done:
        page.get_by_role("button", name="Salindia PowerPoint (.pptx)").click()
    deck = Presentation(io.BytesIO(done.value.path().read_bytes()))
    slide = next(s for s in deck.slides if s.shapes.title.text == "Sejak rakor 6 Januari 2020")
    texts = [p.text for shape in slide.shapes if shape.has_text_frame for p in shape.text_frame.paragraphs]
    assert "Tindak lanjut: 1 dibuka, 1 ditutup" in texts
