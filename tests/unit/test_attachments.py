"""Attachments: accepted only by content (a renamed .exe, an HTML file named .pdf, a macro workbook and an
oversized image are refused and nothing is stored), content-addressed, downloaded under the original name, the unit
rule at the write path, and the off-by-default flag Naskah belum diarsipkan."""

import io
import zipfile
from datetime import date, datetime

import pytest
from PIL import Image

from ksln_metrics.access import User
from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
from ksln_metrics.followup.actions import create_action
from ksln_metrics.followup.attachments import (
    AttachmentRefused,
    attach,
    attachment_file,
    check_file,
    list_attachments,
    safe_file_name,
    signed_document,
)
from ksln_metrics.store import AccessDenied
from tests.unit.builders import build_store, perjanjian

LEBAK = User("budi.lebak", "analis", "36.02")
TANGSEL = User("sari.tangsel", "analis", "36.74")
PIMPINAN = User("kepala.biro", "pimpinan")
AS_OF = date(2026, 3, 1)
T0 = datetime(2026, 2, 20, 10)


def pdf_bytes(text: str = "MoU") -> bytes:
    """A small real PDF (one page) as a scanner would produce, drawn by Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, "PDF")
    return buffer.getvalue() + f"%{text}\n".encode()


def png_bytes(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes(macro: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        if macro:
            archive.writestr("word/vbaProject.bin", b"\x00" * 10)
    return buffer.getvalue()


@pytest.fixture
def store(store_location):
    rows = [perjanjian("LBK-1", kabkota="36.02", penandatangan="Bupati Lebak"),
            perjanjian("TGS-1", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan")]
    with build_store(store_location, rows) as store:
        yield store


def stored(store):
    return (store.query("SELECT count(*) AS n FROM lampiran")["n"].iloc[0],
            store.query("SELECT count(*) AS n FROM berkas")["n"].iloc[0])


@pytest.mark.parametrize(("name", "content", "message"), [
    ("naskah.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "isi berkas bukan PDF"),  # a renamed .exe
    ("program.exe", b"MZ\x90\x00", "jenis berkas .exe tidak diterima"),
    ("naskah.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "isi berkas bukan PDF"),
    ("foto.pdf", png_bytes(), "isi berkas adalah gambar PNG, tidak cocok dengan namanya .pdf"),
    ("notulen.docx", docx_bytes(macro=True), "dokumen bermakro"),
    ("kosong.pdf", b"", "berkas kosong"),
])
def test_files_that_are_not_what_they_claim_are_refused_and_nothing_is_stored(store, name, content, message):
    with pytest.raises(AttachmentRefused, match=message):
        attach(store, user=LEBAK, file_name=name, content=content, kind="naskah_mou", id_perjanjian="LBK-1")
    assert stored(store) == (0, 0)


def test_an_oversized_image_is_refused_with_its_size(store):
    big = png_bytes((50, 50)) + b"\x00" * (11 * 1024 * 1024)  # a real PNG header, 11 MB
    with pytest.raises(AttachmentRefused, match=r"foto\.png: ukuran 11,0 MB melebihi batas 10 MB"):
        attach(store, user=LEBAK, file_name="foto.png", content=big, kind="foto", id_perjanjian="LBK-1")
    with pytest.raises(AttachmentRefused, match=r"ukuran 2,4 MB melebihi batas 2 MB"):
        attach(store, user=LEBAK, file_name="foto.png", content=png_bytes() + b"\x00" * 2_500_000, kind="foto",
               id_perjanjian="LBK-1", max_bytes=2 * 1024 * 1024)
    assert stored(store) == (0, 0)


def test_accepted_types_by_content():
    assert check_file("naskah.PDF", pdf_bytes()).mime == "application/pdf"
    assert check_file("foto.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20).mime == "image/jpeg"
    assert check_file("notulen.docx", docx_bytes()).extensions == ("docx",)
    assert check_file("lama.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50).description == "dokumen Office lama"
    assert safe_file_name("C:\\Users\\budi\\MoU <final>.pdf") == "MoU _final_.pdf"


def test_content_addressed_stored_once_and_downloaded_with_the_original_name(store):
    content = pdf_bytes()
    first = attach(store, user=LEBAK, file_name="MoU Lebak–Suwon.pdf", content=content, kind="naskah_mou",
                   title="MoU bertanda tangan", doc_date=date(2023, 3, 1), id_perjanjian="LBK-1", when=T0)
    attach(store, user=LEBAK, file_name="salinan.pdf", content=content, kind="laporan", id_perjanjian="LBK-1", when=T0)
    assert stored(store) == (2, 1)  # two attachments, one file
    name, mime, data = attachment_file(store, first)
    assert (name, mime, data) == ("MoU Lebak–Suwon.pdf", "application/pdf", content)
    files = list_attachments(store, id_perjanjian="LBK-1")
    assert files["kind_label"].tolist() == ["Laporan", "Naskah MoU ditandatangani"]
    assert len(signed_document(store, "LBK-1")) == 1
    audit = store.query("SELECT user_name, action, target FROM audit WHERE action LIKE 'lampiran%'")
    assert audit.values.tolist() == [["budi.lebak", "lampiran_diunggah", "LBK-1"]] * 2


def test_the_unit_rule_applies_to_attachments(store):
    with pytest.raises(AccessDenied, match="Perjanjian ini milik Kota Tangerang Selatan"):
        attach(store, user=LEBAK, file_name="a.pdf", content=pdf_bytes(), kind="foto", id_perjanjian="TGS-1")
    action = create_action(store, user="uji", id_perjanjian="TGS-1", description="x", when=T0)
    with pytest.raises(AccessDenied, match="Tindak lanjut ini milik Kota Tangerang Selatan"):
        attach(store, user=LEBAK, file_name="a.pdf", content=pdf_bytes(), kind="bukti", action_id=action)
    with pytest.raises(AccessDenied, match="hanya dapat melihat lampiran"):
        attach(store, user=PIMPINAN, file_name="a.pdf", content=pdf_bytes(), kind="bukti", action_id=action)
    assert stored(store) == (0, 0)
    assert store.query("SELECT count(*) AS n FROM audit WHERE action = 'lampiran_ditolak'")["n"].iloc[0] == 3
    attach(store, user=TANGSEL, file_name="bukti.pdf", content=pdf_bytes(), kind="bukti", action_id=action)
    assert list_attachments(store, action_id=action)["file_name"].tolist() == ["bukti.pdf"]


def test_no_signed_document_is_off_by_default_and_follows_the_archive(store):
    rules = load_rules(DEFAULT_RULES)
    assert not rules.signed_document_required
    assert "no_signed_document" not in set(compute(store, AS_OF, rules).flags["code"])
    on = rules.replace(**{"arsip.naskah_wajib": True})
    flagged = compute(store, AS_OF, on).flags
    assert set(flagged.loc[flagged["code"] == "no_signed_document", "id_perjanjian"]) == {"LBK-1", "TGS-1"}
    reason = flagged.loc[(flagged["code"] == "no_signed_document") & (flagged["id_perjanjian"] == "LBK-1"),
                         "reason"].iloc[0]
    assert reason == "Ditandatangani 1 Maret 2023, tetapi naskah MoU/PKS yang ditandatangani belum diarsipkan per " \
                     "1 Maret 2026."
    before = store.data_version()
    attach(store, user=LEBAK, file_name="pks.pdf", content=pdf_bytes(), kind="naskah_pks", id_perjanjian="LBK-1",
           when=T0)
    # The pages cache the engine's results per data version: an attachment must change it, or the flag stays.
    assert store.data_version() != before
    attach(store, user=TANGSEL, file_name="foto.png", content=png_bytes(), kind="foto", id_perjanjian="TGS-1",
           when=T0)  # a photo does not archive the signed document
    flagged = compute(store, AS_OF, on).flags
    assert set(flagged.loc[flagged["code"] == "no_signed_document", "id_perjanjian"]) == {"TGS-1"}
    # Uploaded after the reference date: not yet archived at that date.
    earlier = compute(store, date(2026, 2, 1), on).flags
    assert "LBK-1" in set(earlier.loc[earlier["code"] == "no_signed_document", "id_perjanjian"])


def test_a_settings_file_without_the_archive_section_still_loads(tmp_path):
    before, after = DEFAULT_RULES.read_text(encoding="utf-8").split("[arsip]")
    rest = after.split("\n[", 1)
    text = before + ("[" + rest[1] if len(rest) > 1 else "")  # every other section kept
    assert "naskah_wajib" not in text
    path = tmp_path / "lama.toml"
    path.write_text(text, encoding="utf-8")
    assert load_rules(path).signed_document_required is False
