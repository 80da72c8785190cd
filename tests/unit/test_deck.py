"""The .pptx deck: opens in python-pptx, one slide per rakor slide, real tables and pictures, the engine's numbers."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from ksln_metrics.formatting import format_number_id
from ksln_metrics.present.deck import build_deck
from ksln_metrics.present.figure_images import find_chromium
from ksln_metrics.present.slides import FIXED_KINDS
from ksln_metrics.reference import region_name
from tests.unit.conftest import MEETING_AS_OF

ROOT = Path(__file__).resolve().parents[2]

needs_browser = pytest.mark.skipif(
    find_chromium() is None and not os.environ.get("CI"),
    reason="Chromium tidak terpasang (apt-get install chromium): gambar grafik tidak diuji.",
)


def shapes(slide, kind):
    return [s for s in slide.shapes if s.shape_type == kind]


def table_rows(shape) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in shape.table.rows]


@pytest.fixture(scope="module")
def deck(meeting_deck):
    return Presentation(io.BytesIO(meeting_deck.data))


def test_one_pptx_slide_per_rakor_slide_with_titles_and_notes(deck, meeting_slides):
    assert len(deck.slides) == len(meeting_slides) == len(FIXED_KINDS) + 9
    for page, slide in zip(deck.slides, meeting_slides, strict=True):
        assert page.shapes.title.text == slide.title
        assert page.notes_slide.notes_text_frame.text == slide.notes
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01


@needs_browser
def test_charts_are_pictures_drawn_with_their_maps(deck, meeting_deck, meeting_slides):
    assert meeting_deck.message is None
    with_figure = [i for i, s in enumerate(meeting_slides) if s.figure is not None]
    assert meeting_deck.pictures == len(with_figure) == 3
    for index in with_figure:
        (picture,) = shapes(deck.slides[index], MSO_SHAPE_TYPE.PICTURE)
        image = Image.open(io.BytesIO(picture.image.blob)).convert("RGB")
        assert image.width >= 1600
        colours = image.getcolors(maxcolors=1 << 20)
        assert len(colours) > 50, f"picture of slide {index + 1} looks blank"
    # The world map: the land drawn from the local topojson is grey, and partner countries are coloured.
    world = Image.open(io.BytesIO(shapes(deck.slides[2], MSO_SHAPE_TYPE.PICTURE)[0].image.blob)).convert("RGB")
    pixels = {colour for _, colour in world.getcolors(maxcolors=1 << 20)}
    assert (0xEE, 0xEE, 0xEE) in pixels  # palette.MAP_LAND


def test_tables_are_real_tables_with_the_engine_numbers(deck, meeting_slides, meeting_results):
    league_index = next(i for i, s in enumerate(meeting_slides) if s.kind == "klasemen")
    (table,) = [s for s in deck.slides[league_index].shapes if s.has_table]
    rows = table_rows(table)
    assert rows[0] == list(meeting_slides[league_index].table.columns)
    for region in meeting_results.regions.itertuples(index=False):
        row = next(r for r in rows[1:] if r[1] == region_name(region.kabkota_kode))
        assert row[4] == format_number_id(region.skor_rata_rata)
        assert row[2] == str(region.jumlah_perjanjian)
    for index, slide in enumerate(meeting_slides):
        if slide.kind == "daerah" and slide.table is not None:
            (shown,) = [s for s in deck.slides[index].shapes if s.has_table]
            ids = [r[0] for r in table_rows(shown)[1:]]
            expected = meeting_results.agreements.loc[meeting_results.agreements["kabkota_kode"] == slide.region]
            assert ids == list(expected["id_perjanjian"])


def test_without_a_browser_the_deck_has_tables_and_says_what_to_install(meeting_slides, monkeypatch):
    monkeypatch.setenv("KSLN_CHROMIUM", "/tidak/ada/chromium")
    made = build_deck(meeting_slides, "uji")
    assert made.pictures == 0
    assert "apt-get install chromium" in made.message and "Chromium tidak ditemukan" in made.message
    deck = Presentation(io.BytesIO(made.data))
    assert len(deck.slides) == len(meeting_slides)
    assert not any(shapes(page, MSO_SHAPE_TYPE.PICTURE) for page in deck.slides)
    assert any(s.has_table for page in deck.slides for s in page.shapes)
    texts = [s.text_frame.text for s in deck.slides[1].shapes if s.has_text_frame]
    assert any("apt-get install chromium" in t for t in texts)  # where the map would be


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ksln_metrics", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)


def test_cli_deck_writes_the_deck(meeting_db, tmp_path):
    out = tmp_path / "rakor.pptx"
    # No browser, so the command stays quick; the pictures are tested above.
    done = cli("deck", "--db", str(meeting_db), "--as-of", MEETING_AS_OF.isoformat(), "--out", str(out),
               env={"KSLN_CHROMIUM": "/tidak/ada"})
    assert done.returncode == 0, done.stderr
    assert "apt-get install chromium" in done.stderr
    assert "Traceback" not in done.stderr
    deck = Presentation(str(out))
    assert len(deck.slides) == len(FIXED_KINDS) + 9
    assert deck.slides[0].shapes.title.text.startswith("Rapat Koordinasi")


def test_cli_deck_takes_the_database_from_ksln_db(meeting_db, tmp_path):
    out = tmp_path / "rakor.pptx"
    done = cli("deck", "--as-of", MEETING_AS_OF.isoformat(), "--out", str(out),
               env={"KSLN_DB": str(meeting_db), "KSLN_CHROMIUM": "/tidak/ada"})
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 10_000
    missing = cli("deck", "--db", str(tmp_path / "tidak-ada.duckdb"), "--out", str(out))
    assert missing.returncode == 2 and "tidak ditemukan" in missing.stderr


def test_no_table_cell_has_to_break_a_word(deck):
    from ksln_metrics.present.deck import _text_width

    checked = 0
    for slide in deck.slides:
        for shape in shapes(slide, MSO_SHAPE_TYPE.TABLE):
            table = shape.table
            for row in table.rows:
                for cell, column in zip(row.cells, table.columns, strict=True):
                    run = cell.text_frame.paragraphs[0].runs
                    if not run or not cell.text.strip():
                        continue
                    size = run[0].font.size
                    room = column.width - cell.margin_left - cell.margin_right
                    longest = max(_text_width(word) for word in cell.text.split())
                    assert longest * size <= room, f"{cell.text!r} breaks in a column of {column.width} EMU"
                    checked += 1
    assert checked > 100  # the league, kab/kota, expiring and report tables


def test_every_slide_says_data_contoh_when_the_store_holds_sample_data():
    from ksln_metrics.present.deck import deck_pptx
    from ksln_metrics.present.slides import Slide, footer_text

    slides = [Slide("judul", "Rapat", "Sub", ()), Slide("gambaran", "Gambaran", "", ())]
    data = deck_pptx(slides, {}, footer_text(MEETING_AS_OF, sample_data=True))
    for slide in Presentation(io.BytesIO(data)).slides:
        assert any("Data contoh" in shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert "Data contoh" not in footer_text(MEETING_AS_OF)
