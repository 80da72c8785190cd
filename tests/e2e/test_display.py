"""What a user sees at 1366×768 (an office laptop) and on 1280×720 / 1920×1080 projectors.

Every page: no raw "None"/"NaN", no "Select all", nothing wider than the window; a search with
one match opens it; a flag's reason is inside the window; the Banten map opens a unit on
click; every slide fits and says "Data contoh". Screenshots go to test-artifacts/e2e/.
"""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS, assert_no_exception, open_as, rerun, wait_until_idle

LAPTOP = {"width": 1366, "height": 768}
PAGES = ["Ringkasan", "Kabupaten/Kota", "Perjanjian", "Peringatan", "Tindak Lanjut", "Status Data", "Unggah Data",
         "Metodologi", "Pengaturan", "Akun", "Audit"]
RAW = re.compile(r"\b(None|NaN|NaT|nan)\b|Select all")


def go_to(page, title: str) -> None:
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    page.wait_for_function(
        "(t) => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h && h.innerText.trim().startsWith(t); }",
        arg=title, timeout=60_000)
    wait_until_idle(page, timeout=60_000)


def whole_page_screenshot(page, name: str) -> None:
    """The page at the window's width, as tall as its content (Streamlit scrolls inside its main block)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(500)
    wait_until_idle(page, timeout=60_000)  # a chart or a fragment may start one more run
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], height)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size(size)
    page.wait_for_timeout(300)


def main_overflow(page) -> int:
    """How many pixels the page's content reaches beyond the window to the right."""
    return page.evaluate("""() => {
        const main = document.querySelector('[data-testid="stMain"]');
        // A wrapping table scrolls inside its own box when too wide: that counts as well.
        const tables = [...document.querySelectorAll('[data-testid="stTable"] table')].map(
            (t) => t.getBoundingClientRect().width - t.parentElement.getBoundingClientRect().width);
        return Math.max(0, main.scrollWidth - main.clientWidth, document.documentElement.scrollWidth - window.innerWidth,
                        ...tables);
    }""")


@pytest.fixture
def laptop(page):
    page.set_viewport_size(LAPTOP)
    return page


def test_every_page_at_1366_shows_no_raw_values_and_fits_the_width(laptop, app_url):
    open_as(laptop, app_url)
    for title in PAGES:
        go_to(laptop, title)
        assert_no_exception(laptop)
        text = laptop.locator('[data-testid="stApp"]').inner_text()
        found = RAW.search(text)
        assert found is None, f"{title}: {found.group(0)!r} di layar: …{text[max(0, found.start() - 80):found.end() + 80]}…"
        assert main_overflow(laptop) <= 1, f"{title}: isi lebih lebar dari jendela"
        whole_page_screenshot(laptop, f"layar-1366-{title.replace('/', '-').replace(' ', '-').lower()}")
    # Filters only where they change something.
    for title, shown in (("Audit", False), ("Ringkasan", True)):
        go_to(laptop, title)
        assert laptop.locator('[data-testid="stSidebar"]').get_by_text("Negara mitra").is_visible() is shown


def test_an_open_multiselect_offers_no_select_all(laptop, app_url):
    open_as(laptop, app_url)
    box = laptop.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"] input').first
    box.click()
    box.press("ArrowDown")  # opens the list also when the click only focused the box
    options = laptop.get_by_role("option")
    options.first.wait_for()
    assert options.count() == 9  # the province and the eight kab/kota
    assert "Select all" not in laptop.locator("body").inner_text()


def test_a_search_with_one_match_opens_that_agreement(laptop, app_url):
    open_as(laptop, app_url)
    go_to(laptop, "Perjanjian")
    box = laptop.get_by_placeholder("Judul, mitra atau ID perjanjian")
    box.fill("Air Minum")
    with rerun(laptop):
        box.press("Enter")
    laptop.get_by_text(re.compile(r"^1 dari \d+ perjanjian")).wait_for()
    detail = laptop.locator('[data-testid="stMain"] h2').first
    assert "Air Minum" in detail.inner_text()
    assert laptop.get_by_text("berada di luar filter").count() == 0
    assert_no_exception(laptop)


def test_every_flag_reason_is_inside_the_window(laptop, app_url):
    open_as(laptop, app_url, "pimpinan")
    go_to(laptop, "Peringatan")
    table = laptop.locator(".st-key-peringatan_tabel table")
    table.wait_for()
    headers = [h.inner_text().strip() for h in table.locator("thead th").all()]
    reason = headers.index("Alasan")
    cells = table.locator(f"tbody tr td:nth-child({reason + 1})")
    assert cells.count() > 5
    width = LAPTOP["width"]
    for index in range(cells.count()):
        cell = cells.nth(index)
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"alasan ke-{index + 1} di luar jendela"
        # Fully readable: the text wraps inside its cell instead of running past it.
        assert cell.evaluate("(c) => c.scrollWidth <= c.clientWidth + 1"), cell.inner_text()
    assert not cells.first.inner_text().rstrip().endswith("…")  # a whole sentence, never cut short


def test_clicking_a_unit_on_the_banten_map_opens_it(laptop, app_url):
    open_as(laptop, app_url)
    plot = laptop.locator(".st-key-ringkasan_peta .js-plotly-plot")
    plot.scroll_into_view_if_needed()
    dots = plot.locator(".scattergeo .point")
    dots.first.wait_for()
    # The dots are drawn in the order of charts.unit_labels("36"): the fourth is Kota Cilegon.
    with rerun(laptop):
        dots.nth(3).click(force=True)
    laptop.wait_for_function(
        "() => { const h = document.querySelector('[data-testid=\"stMain\"] h1'); return h && h.innerText.trim() === 'Kabupaten/Kota'; }",
        timeout=60_000)
    wait_until_idle(laptop)
    laptop.get_by_text(re.compile(r"^Perjanjian Kota Cilegon \(\d+\)")).wait_for()  # the unit's own detail
    assert_no_exception(laptop)


def test_a_chart_downloads_as_a_png_picture(laptop, app_url):
    open_as(laptop, app_url, "pimpinan")
    go_to(laptop, "Kabupaten/Kota")
    button = laptop.locator(".st-key-kabkota_komponen_png").get_by_role("button", name="Unduh gambar (PNG)")
    with laptop.expect_download(timeout=120_000) as download:
        button.click()
    data = download.value.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert download.value.suggested_filename == "kabkota_komponen.png"


def test_the_upload_preview_lists_the_rows_before_saving(laptop, app_url, tmp_path):
    from tests.unit.realistic_files import agreements_workbook

    workbook = tmp_path / "lebak_2024.xlsx"
    workbook.write_bytes(agreements_workbook())
    open_as(laptop, f"{app_url}/unggah", "analis.lebak")
    laptop.locator('input[type="file"]').set_input_files(str(workbook))
    laptop.get_by_role("button", name="Periksa berkas").click()
    laptop.get_by_text(re.compile(r"lebak_2024\.xlsx · Perjanjian: \d+ baris baru")).wait_for()
    wait_until_idle(laptop)
    assert laptop.get_by_text("Baris baru", exact=True).is_visible()
    assert_no_exception(laptop)
    whole_page_screenshot(laptop, "layar-1366-unggah-pratinjau-baris")


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_every_slide_fits_the_projector_and_says_data_contoh(page, app_url, size):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    open_as(page, app_url)
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Presentasi", exact=True).click()
    page.get_by_role("button", name="Berikutnya").wait_for()
    total = int(re.match(r"^\d+ / (\d+)$", page.get_by_text(re.compile(r"^\d+ / \d+$")).first.inner_text()).group(1))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for number in range(1, total + 1):
        if number > 1:
            with rerun(page):
                page.get_by_role("button", name="Berikutnya").click()
            page.get_by_text(re.compile(rf"^{number} / {total}$")).wait_for()
        if page.locator(".js-plotly-plot").count():
            page.locator(".js-plotly-plot .main-svg").first.wait_for()
            page.wait_for_timeout(600)
        assert_no_exception(page)
        assert page.get_by_text(re.compile(r"^Data contoh — bukan data resmi")).count() >= 1, f"salindia {number}"
        page.screenshot(path=str(ARTIFACTS / f"salindia-{width}x{height}-{number:02d}.png"))
        table = page.locator(".st-key-presentasi_isi table")
        if table.count():
            box = None
            for _ in range(5):  # the slide's table, not one being replaced by a late redraw
                table.first.wait_for()
                if (box := table.first.bounding_box()) is not None:
                    break
                page.wait_for_timeout(300)
            assert box is not None, f"salindia {number}: tabel tidak tampil"
            assert box["y"] + box["height"] <= height + 1, f"salindia {number}: tabel melewati bawah layar"
            assert box["x"] + box["width"] <= width + 1, f"salindia {number}: tabel melewati sisi kanan"
    # No tooltip of the navigation covers the title.
    page.get_by_role("button", name="Sebelumnya").hover()
    page.wait_for_timeout(800)
    assert page.locator('[data-testid="stTooltipContent"]').count() == 0
