"""End to end in Debian's chromium: every page, an upload and its rollback, a download."""

import re

from tests.e2e.conftest import ROOT, assert_no_exception, open_as, rerun, screenshot, wait_until_idle
from tests.unit.realistic_files import agreements_workbook

PAGES = [
    ("", "Ringkasan"),
    ("kabupaten-kota", "Kabupaten/Kota"),
    ("perjanjian", "Perjanjian"),
    ("peringatan", "Peringatan"),
    ("tindak-lanjut", "Tindak Lanjut"),
    ("unggah", "Unggah Data"),
    ("metodologi", "Metodologi"),
    ("pengaturan", "Pengaturan"),
    ("akun", "Akun"),
    ("audit", "Audit"),
]


def test_every_page_renders_offline_from_its_address_without_exception(page, app_url):
    open_as(page, app_url)  # as admin, who sees every page; the session cookie keeps the login on every address
    for path, title in PAGES:  # a deep link that waits for the login: test_login.py and test_session.py
        page.goto(f"{app_url}/{path}")
        wait_until_idle(page, timeout=60_000)
        shown = page.locator('[data-testid="stMain"] h1').first.inner_text().strip()
        assert shown.startswith(title), f"/{path}: {shown!r}"
        assert_no_exception(page)
        screenshot(page, f"halaman-{path or 'awal'}")


def test_upload_then_rollback(page, app_url, tmp_path):
    workbook = tmp_path / "lebak_2024.xlsx"
    workbook.write_bytes(agreements_workbook())
    open_as(page, f"{app_url}/unggah", "analis.lebak")  # the batch is recorded under the logged-in account
    with rerun(page):
        page.locator('input[type="file"]').set_input_files(str(workbook))
    with rerun(page):
        page.get_by_role("button", name="Periksa berkas").click()
    page.get_by_role("button", name="Simpan ke basis data").click()
    saved = page.get_by_text(re.compile(r"lebak_2024\.xlsx: batch #\d+ disimpan"))
    saved.wait_for()
    batch = re.search(r"batch #(\d+)", saved.inner_text()).group(1)
    wait_until_idle(page)
    assert_no_exception(page)
    screenshot(page, "unggah-tersimpan")

    # The rollback box offers the newest batch first: its confirmation names the batch just saved.
    with rerun(page):
        page.get_by_text(f"Saya yakin ingin membatalkan batch #{batch}").click()
    page.get_by_role("button", name="Batalkan batch").click()
    page.get_by_text(re.compile(rf"Batch #{batch} dibatalkan oleh batch #\d+")).wait_for()
    assert_no_exception(page)
    screenshot(page, "unggah-dibatalkan")


def test_flag_list_downloads(page, app_url, tmp_path):
    import io

    from openpyxl import load_workbook

    open_as(page, f"{app_url}/peringatan", "pimpinan")
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh Excel (.xlsx)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.max_row > 1
    wait_until_idle(page)  # downloads do not rerun the page (on_click="ignore"): the next button is the same one
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh CSV (;)").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    assert text.count("\n") == sheet.max_row  # header + the same rows as the workbook
    assert_no_exception(page)


def test_template_download(page, app_url, tmp_path):
    open_as(page, f"{app_url}/unggah")
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh templat").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "templat_ksln.xlsx" and saved.read_bytes()[:2] == b"PK"
    assert ROOT.exists()
