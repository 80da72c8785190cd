"""Presentasi in Debian's chromium: every slide forward and back, full screen; the downloads work offline.

The offline report is opened in the same guarded browser (every request leaving this machine
fails the test) and must draw every chart, the world map included, from what the file holds.
"""

import io
import re

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from ksln_metrics.present.slides import FIXED_KINDS
from tests.e2e.conftest import ARTIFACTS, assert_no_exception, rerun, screenshot, wait_until_idle

try:  # the login of issue #6
    from tests.e2e.conftest import open_as
except ImportError:  # an app without accounts opens straight away
    def open_as(page, url: str, name: str = "admin") -> None:
        page.goto(url)
        wait_until_idle(page)

COUNTER = re.compile(r"^(\d+) / (\d+)$")
SLIDES = len(FIXED_KINDS) + 9  # the demo store: the province and eight kab/kota


def counter(page) -> tuple[int, int]:
    text = page.get_by_text(COUNTER).first.inner_text().strip()
    number, total = COUNTER.match(text).groups()
    return int(number), int(total)


def open_presentation(page, app_url):
    # Through the navigation, as a presenter would: the login (if any) holds for this browser session only.
    open_as(page, app_url)
    with rerun(page):
        page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Presentasi", exact=True).click()
    page.get_by_role("button", name="Berikutnya").wait_for()
    assert_no_exception(page)


def title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def step(page, name: str, expected: int) -> str:
    """Press ``name`` and wait for slide ``expected``: its number and its own title (no two slides share one)."""
    before = title(page)
    with rerun(page):
        page.get_by_role("button", name=name).click()
    page.get_by_text(COUNTER).filter(has_text=re.compile(rf"^{expected} / ")).wait_for()
    page.wait_for_function(
        """(before) => { const h = document.querySelector('[data-testid="stMain"] h1');
                         return h && h.innerText.trim() !== before; }""", arg=before)
    assert_no_exception(page)
    return title(page)


def test_every_slide_forward_and_back_full_screen(page, app_url):
    open_presentation(page, app_url)
    assert counter(page) == (1, SLIDES)
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert page.locator('[data-testid="stHeader"]').is_hidden()
    assert title(page).startswith("Rapat Koordinasi")
    screenshot(page, "presentasi-1-judul")
    titles = [title(page)]
    for number in range(2, SLIDES + 1):
        titles.append(step(page, "Berikutnya", number))
        if number == 2:
            page.locator(".js-plotly-plot path.choroplethlocation").first.wait_for()
            screenshot(page, "presentasi-2-gambaran-umum")
        if number == 7:
            screenshot(page, "presentasi-7-daerah")
    assert len(set(titles)) == SLIDES
    assert page.get_by_role("button", name="Berikutnya").is_disabled()
    with rerun(page):
        page.keyboard.press("ArrowLeft")
    page.get_by_text(COUNTER).filter(has_text=re.compile(rf"^{SLIDES - 1} / ")).wait_for()
    for number in range(SLIDES - 2, 0, -1):
        step(page, "Sebelumnya", number)
    assert page.get_by_role("button", name="Sebelumnya").is_disabled()


def download(page, label: str) -> bytes:
    page.get_by_role("button", name="Unduh").click()
    with page.expect_download(timeout=120_000) as done:
        page.get_by_role("button", name=label).click()
    return done.value.path().read_bytes()


def test_deck_and_offline_report_downloaded_from_the_page(page, app_url, tmp_path):
    open_presentation(page, app_url)
    deck = Presentation(io.BytesIO(download(page, "Salindia PowerPoint (.pptx)")))
    assert len(deck.slides) == SLIDES
    assert sum(1 for s in deck.slides for shape in s.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE) == 3
    page.keyboard.press("Escape")
    report = download(page, "Laporan luring (.html)").decode("utf-8")
    page.keyboard.press("Escape")

    # The report in the same guarded page: its content only, nothing it could fetch is allowed out.
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_content(report, wait_until="load", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=30_000)
    assert page.locator("section.slide").count() == SLIDES
    plots = page.locator(".js-plotly-plot")
    assert plots.count() == 3
    for index in range(3):
        assert plots.nth(index).locator("path").count() > 5, f"chart {index + 1} is not drawn"
    # Both maps are drawn from the embedded topojson: Banten's eight units and the partner countries.
    assert page.locator("path.choroplethlocation").count() >= 8 + 10
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#slide-3").screenshot(path=str(ARTIFACTS / "laporan-luring-negara-mitra.png"))
    assert errors == []
