"""The rakor slide deck (.pptx): the slides of ``slides.build_slides`` as editable PowerPoint slides.

Titles sit in title placeholders, bullets in text boxes, tables are real PowerPoint tables,
charts are PNG pictures (``figure_images``) and the reasons behind every flag are in the
speaker notes. Without a browser the deck is still made, with a note where a chart would be.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from lxml import etree
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from ksln_metrics.present.figure_images import HEIGHT, WIDTH, ImageExportError, figures_png
from ksln_metrics.present.slides import Bullet, Slide

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
BODY_TOP, BODY_BOTTOM = Inches(1.6), Inches(6.95)

DARK = RGBColor(0x08, 0x30, 0x6B)  # the darkest score blue of the palette
TEXT = RGBColor(0x1A, 0x1A, 0x1A)
MUTED = RGBColor(0x4D, 0x4D, 0x4D)
ZEBRA = RGBColor(0xF2, 0xF2, 0xF2)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)



@dataclass(frozen=True)
class Deck:
    data: bytes  # the .pptx file
    pictures: int  # charts drawn as pictures
    message: str | None = None  # why charts are missing, in Bahasa Indonesia; None when all are there


def build_deck(slides: Sequence[Slide], footer: str = "") -> Deck:
    """Draw the charts, then the deck; without a browser the deck comes without pictures and says why."""
    figures = [s.figure for s in slides if s.figure is not None]
    message = None
    try:
        images = figures_png(figures)
    except ImageExportError as exc:
        images, message = [], str(exc)
    pictures = iter(images)
    by_slide = {i: next(pictures, None) for i, s in enumerate(slides) if s.figure is not None}
    return Deck(deck_pptx(slides, by_slide, footer, message), len(images), message)


def deck_pptx(slides: Sequence[Slide], images: dict[int, bytes | None], footer: str = "",
              missing_note: str | None = None) -> bytes:
    """The .pptx bytes; ``images`` maps a slide's index to its chart's PNG (None: the note instead)."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    for index, slide in enumerate(slides):
        page = prs.slides.add_slide(prs.slide_layouts[0 if slide.kind == "judul" else 5])
        if slide.kind == "judul":
            _title_slide(page, slide)
        else:
            _content_slide(page, slide, images.get(index), missing_note)
        _footer(page, f"{footer} · {index + 1} / {len(slides)}" if footer else f"{index + 1} / {len(slides)}")
        if slide.notes:
            page.notes_slide.notes_text_frame.text = slide.notes
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


# --- one slide --------------------------------------------------------------------------------------


def _title_slide(page, slide: Slide) -> None:
    title, subtitle = page.shapes.title, page.placeholders[1]
    _place(title, MARGIN, Inches(1.4), SLIDE_WIDTH - 2 * MARGIN, Inches(1.8))
    _text(title.text_frame, slide.title, Pt(40), DARK, bold=True)
    _place(subtitle, MARGIN, Inches(3.3), SLIDE_WIDTH - 2 * MARGIN, Inches(0.7))
    _text(subtitle.text_frame, slide.subtitle, Pt(22), MUTED)
    box = page.shapes.add_textbox(MARGIN, Inches(4.3), SLIDE_WIDTH - 2 * MARGIN, Inches(2.4))
    _bullets(box.text_frame, slide.bullets, Pt(20), marks=False, align=PP_ALIGN.CENTER)


def _content_slide(page, slide: Slide, image: bytes | None, missing_note: str | None) -> None:
    title = page.shapes.title
    _place(title, MARGIN, Inches(0.3), SLIDE_WIDTH - 2 * MARGIN, Inches(0.8))
    _text(title.text_frame, slide.title, Pt(32), DARK, bold=True, align=PP_ALIGN.LEFT)
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    if slide.subtitle:
        sub = page.shapes.add_textbox(MARGIN, Inches(1.1), SLIDE_WIDTH - 2 * MARGIN, Inches(0.45))
        _text(sub.text_frame, slide.subtitle, Pt(18), MUTED)
    width = SLIDE_WIDTH - 2 * MARGIN
    if slide.figure is not None:
        # Bullets on the left, the chart on the right at the aspect it was drawn with.
        left_width = Inches(4.6)
        box = page.shapes.add_textbox(MARGIN, BODY_TOP, left_width, BODY_BOTTOM - BODY_TOP)
        _bullets(box.text_frame, slide.bullets, _font_size(slide.bullets, left_width, BODY_BOTTOM - BODY_TOP, Pt(20)))
        area_left = MARGIN + left_width + Inches(0.2)
        area_width = SLIDE_WIDTH - MARGIN - area_left
        height = int(area_width * HEIGHT / WIDTH)
        top = BODY_TOP + max(0, (BODY_BOTTOM - BODY_TOP - height) // 2)
        if image is not None:
            page.shapes.add_picture(io.BytesIO(image), area_left, top, width=area_width, height=height)
        else:
            note = page.shapes.add_textbox(area_left, top, area_width, height)
            note.fill.solid()
            note.fill.fore_color.rgb = ZEBRA
            note.text_frame.word_wrap = True
            _text(note.text_frame, missing_note or "Grafik tidak tersedia.", Pt(16), MUTED)
    elif slide.table is not None:
        size = Pt(16) if _line_estimate(slide.bullets, width, Pt(16)) <= 6 else Pt(13)
        lines = _line_estimate(slide.bullets, width, size)
        bullet_height = Emu(int(min(lines * size * 1.5, (BODY_BOTTOM - BODY_TOP) * 0.5)))
        box = page.shapes.add_textbox(MARGIN, BODY_TOP, width, bullet_height)
        _bullets(box.text_frame, slide.bullets, size)
        top = BODY_TOP + bullet_height + Inches(0.15)
        _table(page, slide.table, MARGIN, top, width, BODY_BOTTOM - top)
    else:
        box = page.shapes.add_textbox(MARGIN, BODY_TOP, width, BODY_BOTTOM - BODY_TOP)
        _bullets(box.text_frame, slide.bullets, _font_size(slide.bullets, width, BODY_BOTTOM - BODY_TOP, Pt(24)))


def _footer(page, text: str) -> None:
    box = page.shapes.add_textbox(MARGIN, Inches(7.05), SLIDE_WIDTH - 2 * MARGIN, Inches(0.35))
    _text(box.text_frame, text, Pt(11), MUTED, align=PP_ALIGN.RIGHT)


# --- text, bullets and tables -----------------------------------------------------------------------------


def _place(shape, left, top, width, height) -> None:
    shape.left, shape.top, shape.width, shape.height = int(left), int(top), int(width), int(height)


def _text(frame, text: str, size, color, bold: bool = False, align=PP_ALIGN.LEFT) -> None:
    frame.word_wrap = True
    frame.text = text
    for paragraph in frame.paragraphs:
        paragraph.alignment = align
        for run in paragraph.runs:
            run.font.size, run.font.bold = size, bold
            run.font.color.rgb = color


def _line_estimate(bullets: Sequence[Bullet], width, size) -> int:
    """Lines the bullets take in a box ``width`` wide: an average character is about half the font size."""
    chars_per_line = max(10, int((width - Inches(0.3)) / (size * 0.52)))
    return sum(1 + len(b.text) // chars_per_line for b in bullets)


def _font_size(bullets: Sequence[Bullet], width, height, largest):
    """The largest size up to ``largest`` at which the bullets fit the box (at least 12 pt)."""
    size = largest
    while size > Pt(12) and _line_estimate(bullets, width, size) * size * 1.5 > height:
        size = Pt(size.pt - 1)
    return size


def _bullets(frame, bullets: Sequence[Bullet], size, marks: bool = True, align=PP_ALIGN.LEFT) -> None:
    frame.word_wrap = True
    for i, bullet in enumerate(bullets):
        paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        paragraph.text = bullet.text
        paragraph.alignment = align
        paragraph.space_after = Pt(6 if bullet.level == 0 else 3)
        for run in paragraph.runs:
            run.font.size = size if bullet.level == 0 else Pt(max(11, size.pt - 2))
            run.font.color.rgb = TEXT
        if marks:
            _mark(paragraph, bullet.level)


def _mark(paragraph, level: int) -> None:
    """A real bullet (PowerPoint keeps it when the text is edited), indented one step per level."""
    props = paragraph._p.get_or_add_pPr()
    indent = Inches(0.3)
    props.set("marL", str(int(indent * (level + 1))))
    props.set("indent", str(-int(indent)))
    for child in list(props):
        if child.tag in (qn("a:buNone"), qn("a:buChar"), qn("a:buAutoNum")):
            props.remove(child)
    bullet = etree.SubElement(props, qn("a:buChar"))
    bullet.set("char", "•" if level == 0 else "–")


def _text_width(text: str) -> float:
    """Width of ``text`` in ems, roughly: capitals and digits are wider than small letters."""
    return sum(0.68 if ch.isupper() or ch.isdigit() else 0.52 for ch in text)


def _column_widths(frame: pd.DataFrame, total, size) -> list[int] | None:
    """Column widths (EMU) that hold each column's longest word whole at font ``size``; None if they cannot.

    A column gets at least its longest word (header included) plus the cell margins; the rest
    of ``total`` is shared by how much text each column holds beyond that.
    """
    margin = 2 * Inches(0.06) + Inches(0.04)
    minimum, extra = [], []
    for column in frame.columns:
        texts = [str(column), *(str(v) for v in frame[column])]
        word = max(_text_width(w) for t in texts for w in (t.split() or [""]))
        whole = min(max(_text_width(t) for t in texts), 30)
        minimum.append(int(word * 1.08 * size) + margin)  # 8 % for bold headers and wide glyphs
        extra.append(max(whole - word, 0) + 0.5)
    room = total - sum(minimum)
    if room < 0:
        return None
    scale = room / sum(extra)
    return [m + int(e * scale) for m, e in zip(minimum, extra, strict=True)]


def _table(page, frame: pd.DataFrame, left, top, width, height) -> None:
    rows, cols = len(frame) + 1, len(frame.columns)
    points = max(9, min(14, int(height / (rows * 2.2) / Pt(1))))
    # The largest size at which no word has to break ("selesa|i", "96,8|5"); 8 pt at the least.
    widths = _column_widths(frame, int(width), Pt(points))
    while widths is None and points > 8:
        points -= 1
        widths = _column_widths(frame, int(width), Pt(points))
    size = Pt(points)
    widths = widths or [int(width) // cols] * cols
    row_height = int(size * 2.0)
    shape = page.shapes.add_table(rows, cols, int(left), int(top), int(width), min(int(height), row_height * rows))
    table = shape.table
    for i, column_width in enumerate(widths):
        table.columns[i].width = column_width
    for r in range(rows):
        table.rows[r].height = row_height
    styled: dict[tuple, object] = {}
    for c, name in enumerate(frame.columns):
        _styled_cell(table, 0, c, str(name), (size, WHITE, DARK, True), styled)
    for r, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        style = (size, TEXT, ZEBRA if r % 2 == 0 else WHITE, False)
        for c, value in enumerate(values):
            _styled_cell(table, r, c, "" if value is None else str(value), style, styled)


def _styled_cell(table, row: int, col: int, text: str, style: tuple, styled: dict) -> None:
    """``_cell`` through python-pptx once per style, then as a copy of that cell's XML with the text replaced.

    python-pptx spends milliseconds per cell on fill, margins and font; a deck has hundreds of
    cells in a few styles. Text that python-pptx would change (line breaks, control
    characters) or empty text goes the slow way.
    """
    cell = table.cell(row, col)
    plain = bool(text) and text.isprintable()
    template = styled.get(style)
    if template is None or not plain:
        _cell(cell, text, *style)
        if template is None and plain:
            styled[style] = copy.deepcopy(cell._tc)
        return
    tc = copy.deepcopy(template)
    tc.find(".//" + qn("a:t")).text = text
    cell._tc.getparent().replace(cell._tc, tc)


def _cell(cell, text: str, size, color, fill, bold: bool = False) -> None:
    cell.fill.solid()
    cell.fill.fore_color.rgb = fill
    cell.margin_left = cell.margin_right = Inches(0.06)
    cell.margin_top = cell.margin_bottom = Inches(0.03)
    _text(cell.text_frame, text, size, color, bold=bold)
