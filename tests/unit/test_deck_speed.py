"""What makes the deck fast keeps it the same: table cells copied from one styled cell equal cells styled one by one,
and the chart browser is started once, kept between decks and removed with its private profile when closed."""

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from lxml import etree
from pptx import Presentation

from ksln_metrics.present import deck, figure_images
from ksln_metrics.present.figure_images import find_chromium

TABLE = pd.DataFrame({
    "Kab/Kota": ["Kabupaten Lebak", "Kota Serang", "Kabupaten Pandeglang", ""],
    "Skor": ["96,85", "–", "12,5", None],
    "Catatan": ["baris\nkedua", "=HYPERLINK(1)", "tab\tdi dalam", "<b>bukan tag</b> & 'kutip'"],
})


def table_xml(table_builder) -> list[bytes]:
    prs = Presentation()
    page = prs.slides.add_slide(prs.slide_layouts[5])
    table_builder(page)
    (shape,) = [s for s in page.shapes if s.has_table]
    return [etree.tostring(cell._tc) for row in shape.table.rows for cell in row.cells]


def test_copied_cells_are_the_cells_python_pptx_would_make(monkeypatch):
    fast = table_xml(lambda page: deck._table(page, TABLE, deck.MARGIN, deck.BODY_TOP, deck.Inches(12), deck.Inches(4)))

    def one_by_one(table, row, col, text, style, styled):
        deck._cell(table.cell(row, col), text, *style)

    monkeypatch.setattr(deck, "_styled_cell", one_by_one)
    slow = table_xml(lambda page: deck._table(page, TABLE, deck.MARGIN, deck.BODY_TOP, deck.Inches(12), deck.Inches(4)))
    assert len(fast) == len(TABLE.columns) * (len(TABLE) + 1)
    assert fast == slow


@pytest.fixture
def private_temp(monkeypatch):
    """A temporary directory of this test only (other test processes start chart browsers at the same time); short,
    since Chromium's profile holds a unix socket whose path must stay under 108 bytes."""
    temp = Path(tempfile.mkdtemp(prefix="ksln-uji-"))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp
    shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.skipif(find_chromium() is None, reason="Chromium tidak terpasang (apt-get install chromium)")
def test_the_chart_browser_is_started_once_kept_and_closed_with_its_profile(private_temp):
    def private_profiles() -> set[Path]:
        return set(private_temp.glob("ksln-chromium-*"))

    figure_images.close_browsers()
    figure = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    [first] = figure_images.figures_png([figure])
    kept = private_profiles()
    assert first.startswith(b"\x89PNG") and len(kept) == 1  # one browser, still there for the next call
    second = figure_images.figures_png([figure, figure])
    assert [p[:8] for p in second] == [b"\x89PNG\r\n\x1a\n"] * 2
    assert private_profiles() == kept  # the same browser drew them
    figure_images.close_browsers()
    assert private_profiles() == set()


@pytest.mark.skipif(find_chromium() is None, reason="Chromium tidak terpasang (apt-get install chromium)")
def test_a_tab_kept_between_figures_draws_each_as_a_fresh_tab_would():
    # The tab is not reloaded after each figure (figure_images._kept_tab_kaleido): nothing of a figure
    # (a map's geometry, a title, a colour scale) may show in the next one.
    world = go.Figure(go.Choropleth(locations=["JPN", "KOR"], z=[3, 1], locationmode="ISO-3"))
    world.update_layout(title="Negara mitra", geo={"showcountries": True})
    bars = go.Figure(go.Bar(x=[3, 1], y=["Lebak", "Serang"], orientation="h", marker_color=["#08306B", "#C6DBEF"]))
    bars.update_layout(title="Skor")
    fresh = []
    for figure in (world, bars):
        figure_images.close_browsers()
        fresh += figure_images.figures_png([figure])
    try:
        kept = figure_images.figures_png([world, bars, world, bars])
    finally:
        figure_images.close_browsers()
    assert fresh[0] != fresh[1]
    assert kept == [*fresh, *fresh]
