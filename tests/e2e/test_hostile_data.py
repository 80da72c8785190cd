"""Data that tries to make the browser fetch or link outside (issue 11 item 3), in chromium: a workbook
whose titles, partners and file name are Markdown/HTML is uploaded, then every page, the agreement's
detail and every slide are walked while every request leaving this machine is recorded and refused."""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlparse

import openpyxl
import pytest

from tests.e2e.conftest import (
    LOCAL_HOSTS,
    assert_no_exception,
    make_store,
    open_as,
    rerun,
    screenshot,
    serve,
    wait_until_idle,
)

EVIL = "evil.example"
TITLE = f"{{{{7*7}}}} ![x](http://{EVIL}/pixel.png) <img src=http://{EVIL}/tag.png>"
PARTNER = f"[klik](http://{EVIL}/tautan) http://{EVIL}/polos"
FILE_NAME = f"![f]({EVIL}) [t]({EVIL}) lebak.xlsx"  # a browser sends no directory part, so no "/"
PAGES = ["Ringkasan", "Kabupaten/Kota", "Perjanjian", "Peringatan", "Unggah Data", "Metodologi", "Pengaturan", "Akun",
         "Audit"]


def hostile_workbook() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Perjanjian"
    ws.append(["ID Perjanjian", "Kab/Kota", "Judul Perjanjian", "Jenis", "Mitra", "Negara Mitra", "Status",
               "Tanggal Penandatanganan", "Penandatangan", "Keterangan"])
    ws.append(["LBK-JAHAT", "Kabupaten Lebak", TITLE, "KSDPL", PARTNER, "Korea Selatan", "berjalan",
               datetime(2019, 3, 11), f"**Sekda** [x](http://{EVIL}/ttd)", f"<script>fetch('http://{EVIL}/s')</script>"])
    import io

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# Its own store for each attempt: the test saves the file, so a rerun (tests/e2e/conftest.py reruns browser tests)
# on the same store would find it saved already.
@pytest.fixture
def hostile_app(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("e2e-jahat")
    with serve(workdir, make_store(workdir)) as url:
        yield url


def go_to(page, name: str) -> None:
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name, exact=True).click()


def no_outside_markup(page) -> None:
    """No element of the page points outside: no picture, link, frame or script source on another host."""
    found = page.evaluate(
        """(evil) => [...document.querySelectorAll('img[src], a[href], iframe[src], script[src], source[src]')]
             .filter(e => (e.getAttribute('src') || e.getAttribute('href') || '').includes(evil))
             .map(e => e.parentElement.outerHTML.slice(0, 300))""",
        EVIL)
    assert not found, (page.url, found)


def test_hostile_data_stays_text_on_every_page_and_slide(browser, hostile_app, tmp_path):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="id-ID")
    outside: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        workbook = tmp_path / "jahat.xlsx"
        workbook.write_bytes(hostile_workbook())
        # A fresh server's first deep link shows Streamlit's "Page not found" dialog (see warm_app): start at the root.
        page.goto(hostile_app)
        wait_until_idle(page, timeout=60_000)
        open_as(page, hostile_app, "admin")
        go_to(page, "Unggah Data")
        with rerun(page):
            page.locator('input[type="file"]').set_input_files(
                files=[{"name": FILE_NAME, "mimeType": "application/octet-stream", "buffer": workbook.read_bytes()}])
        with rerun(page):
            page.get_by_role("button", name="Periksa berkas").click()
        page.get_by_role("button", name="Simpan ke basis data").click()
        saved = page.get_by_text(re.compile(r"batch #\d+ disimpan"))
        saved.wait_for()
        wait_until_idle(page)  # the save's run may still be drawing: the navigation below must not start inside it
        assert FILE_NAME in saved.inner_text()  # the file name as written, not a picture
        no_outside_markup(page)

        for name in PAGES:  # through the navigation: a reload would end the login
            go_to(page, name)
            assert_no_exception(page)
            no_outside_markup(page)

        go_to(page, "Perjanjian")
        page.get_by_placeholder("Judul, mitra atau ID perjanjian").fill("LBK-JAHAT")
        with rerun(page):
            page.keyboard.press("Enter")
        # Open it through the agreement selector (a single match is open already: choosing it again starts no run).
        page.get_by_role("combobox", name=re.compile("Perjanjian")).click()
        page.get_by_role("option", name=re.compile("LBK-JAHAT")).first.click()
        wait_until_idle(page)
        header = page.locator('[data-testid="stMain"] h2').filter(has_text="7*7").first
        header.wait_for()
        # What the eye sees (the word joiner that keeps a URL from becoming a link is invisible).
        assert header.inner_text().replace("\u2060", "").strip().startswith("{{7*7}} ![x](http://evil.example/pixel.png)")
        caption = page.locator('[data-testid="stCaptionContainer"]').filter(
            has_text=re.compile(r"\[klik\]\(http\u2060?://evil\.example/tautan\)")).first
        caption.wait_for()
        no_outside_markup(page)
        screenshot(page, "data-jahat-perjanjian")

        go_to(page, "Presentasi")
        page.get_by_role("button", name="Berikutnya").wait_for()
        seen = 0
        while True:
            no_outside_markup(page)
            assert_no_exception(page)
            seen += 1
            counter = page.get_by_text(re.compile(r"^\d+ / \d+$")).first.inner_text().strip()
            number, total = (int(x) for x in counter.split(" / "))
            if number == total:
                break
            with rerun(page):
                page.get_by_role("button", name="Berikutnya").click()
            page.get_by_text(re.compile(rf"^{number + 1} / {total}$")).first.wait_for()
        assert seen == total
    except Exception:
        screenshot(page, "GAGAL-data-jahat")
        raise
    finally:
        context.close()
    assert not outside, f"permintaan ke luar mesin ini: {outside}"
