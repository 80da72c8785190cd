"""Reminder letters (.docx) in the form of an Indonesian office letter (naskah dinas surat).

Kop surat (a placeholder to be replaced by the official letterhead), place and date,
nomor / sifat / lampiran / perihal, the addressee ("Yth. Bupati Lebak"), a body that lists
each late or missing report, each agreement ending soon and each overdue follow-up action
with its dates, the closing, and the signature block of the Kepala Biro Pemerintahan.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Iterable
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Cell
from lxml import etree

from ksln_metrics.engine.rules import Rules
from ksln_metrics.formatting import format_date_id, names_listed
from ksln_metrics.reference import is_province_government, region_name, scope
from ksln_metrics.reminders.agenda import ACTION, ENDED, EXPIRY, LATE, MISSING, REPORT, Item

SUBJECT = "Pengingat Laporan Tahunan, Masa Berlaku, dan Tindak Lanjut Kerja Sama Luar Negeri"
NUMBER_PLACEHOLDER = "……/……/Pem/"
SIGNER_NAME = "[Nama Kepala Biro Pemerintahan]"
SIGNER_ID = "NIP. [………………………]"
def signer_title() -> str:
    """Who signs the reminders: the head of the office that coordinates KSLN in the scope."""
    current = scope()
    if current.is_national:
        return "KEPALA PUSAT FASILITASI KERJA SAMA\nSEKRETARIAT JENDERAL KEMENTERIAN DALAM NEGERI,"
    return f"KEPALA BIRO PEMERINTAHAN\nSEKRETARIAT DAERAH {current.title.upper()},"


def letterhead() -> tuple[str, ...]:
    """The placeholder letterhead of the scope's government (the real one is pasted in by the office)."""
    current = scope()
    if current.is_national:
        return ("[KOP SURAT — ganti dengan kop resmi]", "KEMENTERIAN DALAM NEGERI", "SEKRETARIAT JENDERAL",
                "PUSAT FASILITASI KERJA SAMA")
    return ("[KOP SURAT — ganti dengan kop resmi]", current.government.upper(), "SEKRETARIAT DAERAH",
            "BIRO PEMERINTAHAN")


def addressee(kabkota: str) -> str:
    """``Bupati Lebak``, ``Wali Kota Tangerang Selatan``; for the province the heads of its own OPD."""
    name = region_name(kabkota)
    if is_province_government(kabkota):
        return f"Kepala Perangkat Daerah Pelaksana Kerja Sama Luar Negeri di Lingkungan Pemerintah {name}"
    if name.startswith("Kabupaten "):
        return "Bupati " + name.removeprefix("Kabupaten ")
    return "Wali Kota " + name.removeprefix("Kota ")


def _report_note(item: Item) -> str:
    if item.status == MISSING:
        return f"belum disampaikan (lewat {item.hari_kerja} hari kerja)"
    return f"disampaikan {format_date_id(item.diterima)}, terlambat {item.hari_kerja} hari kerja"


def _expiry_note(item: Item, as_of: date) -> str:
    if item.status == ENDED:
        return "telah berakhir, status masih tercatat berjalan"
    return f"{(item.tanggal - as_of).days} hari lagi"


def _table(doc, header: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    empty_row = None
    for row in rows:
        # The first row as python-docx adds it (a cell per column, each with the column's width); the next ones
        # copies of it while still empty: setting each cell's width through python-docx was half a letter's time.
        if empty_row is None:
            tr = table.add_row()._tr
            empty_row = copy.deepcopy(tr)
        else:
            tr = copy.deepcopy(empty_row)
            table._tbl.append(tr)  # where python-docx adds a row: after the last one
        for tc, text in zip(tr.tc_lst, row, strict=True):
            _cell_text(tc, table, text)


_P, _R, _T, _SPACE = qn("w:p"), qn("w:r"), qn("w:t"), qn("xml:space")


def _cell_text(tc, table, text: str) -> None:
    """``cell.text = text`` for a cell just added (a ``w:tc`` holding one empty paragraph): the same XML.

    python-docx clears the cell, adds a paragraph and a run, and passes the text through the run one
    character at a time (for tabs and line breaks); a national set of letters has some 150,000 cells.
    Text without a tab or a line break is written here as one ``w:t``, ``xml:space="preserve"`` when it
    starts or ends with a space, as python-docx writes it; other text goes through python-docx itself.
    Text XML cannot hold (a control character) is refused by lxml with the same ValueError either way.
    """
    if "\t" in text or "\n" in text or "\r" in text:
        _Cell(tc, table).text = text
        return
    run = etree.SubElement(tc.find(_P), _R)
    if text:
        element = etree.SubElement(run, _T)
        element.text = text
        if len(text.strip()) < len(text):
            element.set(_SPACE, "preserve")


def _paragraph(doc, text: str = "", *, bold: bool = False, align=None, space_after: int = 0):
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(space_after)
    return paragraph


def letter_docx(kabkota: str, items: Iterable[Item], as_of: date, rules: Rules) -> bytes:
    """The letter to ``kabkota`` about ``items`` (chosen by ``agenda.letter_items``), as .docx bytes."""
    items = list(items)
    reports = [i for i in items if i.kind == REPORT and i.status in (MISSING, LATE)]
    expiries = [i for i in items if i.kind == EXPIRY]
    actions = [i for i in items if i.kind == ACTION]
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(33), Cm(21.5)  # F4, common in Indonesian offices
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    style = doc.styles["Normal"]
    style.font.name = "Arial"
    style.font.size = Pt(11)

    for n, line in enumerate(letterhead()):
        _paragraph(doc, line, bold=n > 0, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "_" * 78, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)

    _paragraph(doc, f"{scope().capital}, {format_date_id(as_of)}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=12)
    for label, value in (("Nomor", f"{NUMBER_PLACEHOLDER}{as_of.year}"), ("Sifat", "Biasa"), ("Lampiran", "-"),
                         ("Perihal", SUBJECT)):
        # One tab stop so that the colons line up, as in a typed letter.
        _paragraph(doc, f"{label}\t: {value}").paragraph_format.tab_stops.add_tab_stop(Cm(2.5))
    _paragraph(doc, space_after=6)
    _paragraph(doc, f"Yth. {addressee(kabkota)}")
    _paragraph(doc, "di")
    _paragraph(doc, "      Tempat", space_after=12)

    _paragraph(doc, (
        f"Dalam rangka pemantauan dan pembinaan Kerja Sama Luar Negeri (KSLN) di {scope().area}, dan sesuai "
        f"rekomendasi Rapat Koordinasi KSLN bahwa hasil setiap kerja sama dilaporkan setiap tahun paling lambat "
        f"{rules.report_working_days} hari kerja setelah tahun anggaran berakhir, dengan hormat kami sampaikan "
        f"hal-hal yang memerlukan perhatian {region_name(kabkota)} berdasarkan data per {format_date_id(as_of)}:"
    ), space_after=6)

    number = 0
    if reports:
        number += 1
        _paragraph(doc, f"{number}. Laporan tahunan yang terlambat atau belum disampaikan", bold=True, space_after=4)
        _table(doc, ["No.", "Perjanjian", "Mitra", "Tahun anggaran", "Batas", "Keterangan"],
               [[str(n), i.judul, i.mitra, str(i.tahun_anggaran), format_date_id(i.tanggal), _report_note(i)]
                for n, i in enumerate(reports, 1)])
        _paragraph(doc, space_after=6)
    if expiries:
        number += 1
        horizon = max(rules.reminder_expiry_days, default=0)
        _paragraph(doc, f"{number}. Perjanjian yang berakhir dalam {horizon} hari atau telah berakhir", bold=True,
                   space_after=4)
        _table(doc, ["No.", "Perjanjian", "Mitra", "Tanggal berakhir", "Keterangan"],
               [[str(n), i.judul, i.mitra, format_date_id(i.tanggal), _expiry_note(i, as_of)]
                for n, i in enumerate(expiries, 1)])
        _paragraph(doc, space_after=6)
    if actions:
        number += 1
        _paragraph(doc, f"{number}. Tindak lanjut yang melewati batas waktu", bold=True, space_after=4)
        _table(doc, ["No.", "Tindak lanjut", "Perjanjian", "Batas waktu"],
               [[str(n), i.uraian or "", i.judul, format_date_id(i.tanggal)] for n, i in enumerate(actions, 1)])
        _paragraph(doc, space_after=6)

    requests = [text for wanted, text in (
        (reports, "segera menyampaikan laporan tahunan yang belum masuk dan menyampaikan laporan berikutnya tepat waktu"),
        (expiries, "menyiapkan perpanjangan atau pengakhiran perjanjian yang akan atau telah berakhir"),
        (actions, "menuntaskan tindak lanjut yang melewati batas waktu"),
    ) if wanted]
    _paragraph(doc, (
        "Sehubungan dengan hal tersebut, kami mohon Saudara berkenan menugaskan perangkat daerah terkait untuk "
        f"{names_listed(requests, 'hal')}, dan melaporkannya kepada {scope().head} melalui {scope().office}."
    ), space_after=6)
    _paragraph(doc, "Demikian kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih.",
               space_after=18)

    for line in signer_title().split("\n"):
        _paragraph(doc, line, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.left_indent = Cm(8)
    for _ in range(3):
        _paragraph(doc)
    for line, bold in ((SIGNER_NAME, True), (SIGNER_ID, False)):
        _paragraph(doc, line, bold=bold, align=WD_ALIGN_PARAGRAPH.CENTER).paragraph_format.left_indent = Cm(8)
    _paragraph(doc, space_after=12)
    _paragraph(doc, "Tembusan:")
    _paragraph(doc, f"1. Yth. {scope().head} (sebagai laporan);")
    _paragraph(doc, f"2. Yth. {scope().secretary}.")

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def letter_file_name(kabkota: str, as_of: date) -> str:
    return f"surat_pengingat_{kabkota.replace('.', '')}_{as_of.isoformat()}.docx"


def unit_letters(items: Iterable[Item], as_of: date, rules: Rules) -> dict[str, bytes]:
    """One letter per unit that has something to be reminded of (see ``agenda.letter_items``), by unit code."""
    from ksln_metrics.reminders.agenda import letter_items

    by_unit: dict[str, list[Item]] = {}
    for item in letter_items(items, as_of, rules):
        by_unit.setdefault(item.kabkota, []).append(item)
    return {unit: letter_docx(unit, unit_items, as_of, rules) for unit, unit_items in sorted(by_unit.items())}
