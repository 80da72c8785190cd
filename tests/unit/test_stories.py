"""Success stories: written by the unit, published by the province, on the "Praktik baik" slide and in the
document for Kemendagri with their photos; the access rule at the write path."""

import io
from datetime import date, datetime

import pytest
from docx import Document

from ksln_metrics.access import User
from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
from ksln_metrics.followup.actions import ActionError
from ksln_metrics.followup.attachments import attach
from ksln_metrics.followup.stories import list_stories, save_story, set_published, stories_docx, story_count
from ksln_metrics.present.slides import build_slides
from ksln_metrics.store import AccessDenied
from tests.unit.builders import build_store, perjanjian
from tests.unit.test_attachments import pdf_bytes, png_bytes

LEBAK = User("budi.lebak", "analis", "36.02")
PROVINSI = User("dewi.prov", "analis", "36")
T0 = datetime(2026, 2, 1, 9)


@pytest.fixture
def store(store_location):
    rows = [perjanjian("LBK-1", kabkota="36.02", penandatangan="Bupati Lebak", mitra="Kota Suwon", negara="KOR"),
            perjanjian("TGS-1", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan")]
    with build_store(store_location, rows) as store:
        yield store


def test_a_story_is_written_by_its_unit_and_published_by_the_province(store):
    photo = attach(store, user=LEBAK, file_name="pelatihan.png", content=png_bytes(), kind="foto",
                   id_perjanjian="LBK-1", when=T0)
    document = attach(store, user=LEBAK, file_name="laporan.pdf", content=pdf_bytes(), kind="laporan",
                      id_perjanjian="LBK-1", when=T0)
    with pytest.raises(ActionError, match="bukan gambar JPEG/PNG"):
        save_story(store, user=LEBAK, id_perjanjian="LBK-1", judul="x", capaian="y", photos=[document])
    with pytest.raises(AccessDenied, match="hanya boleh menulis cerita sukses 36.02"):
        save_story(store, user=LEBAK, id_perjanjian="TGS-1", judul="x", capaian="y")
    with pytest.raises(ActionError, match="Apa yang dicapai wajib diisi"):
        save_story(store, user=LEBAK, id_perjanjian="LBK-1", judul="x", capaian=" ")
    number = save_story(store, user=LEBAK, id_perjanjian="LBK-1", judul="Guru Lebak berlatih di Suwon",
                        capaian="Pelatihan guru matematika", penerima="40 guru SMP", angka="40 guru, 3 sekolah",
                        pelajaran="Jadwal disepakati sebelum anggaran", photos=[photo], when=T0)
    with pytest.raises(AccessDenied, match="menerbitkan cerita sukses"):
        set_published(store, number, True, user=LEBAK)
    assert list_stories(store, published_only=True).empty
    set_published(store, number, True, user=PROVINSI, when=T0)
    published = list_stories(store, published_only=True)
    assert published["judul"].tolist() == ["Guru Lebak berlatih di Suwon"] and published["foto"].iloc[0] == [photo]
    # A change sends the story back for publication.
    save_story(store, user=LEBAK, id_perjanjian="LBK-1", story_id=number, judul="Guru Lebak berlatih di Suwon",
               capaian="Pelatihan guru matematika dan IPA", photos=[photo])
    assert list_stories(store, published_only=True).empty
    save_story(store, user=LEBAK, id_perjanjian="LBK-1", judul="Kunjungan balasan", capaian="Sekolah kembar")
    # The Perjanjian page's count: the stories of that one agreement, the changed one counted once.
    assert [story_count(store, a) for a in ("LBK-1", "TGS-1")] == [2, 0]
    assert story_count(store, "LBK-1") == len(list_stories(store, id_perjanjian="LBK-1"))
    actions = store.query("SELECT action FROM audit WHERE action LIKE 'cerita%' ORDER BY audit_id")["action"].tolist()
    assert actions == ["cerita_ditolak", "cerita_dibuat", "cerita_ditolak", "cerita_diterbitkan", "cerita_diubah",
                       "cerita_dibuat"]


def test_published_stories_make_the_praktik_baik_slide_and_the_document(store):
    photo = attach(store, user=LEBAK, file_name="pelatihan.png", content=png_bytes((120, 80)), kind="foto",
                   id_perjanjian="LBK-1", when=T0)
    number = save_story(store, user=LEBAK, id_perjanjian="LBK-1", judul="Guru Lebak berlatih di Suwon",
                        capaian="Pelatihan guru matematika", penerima="40 guru SMP", angka="40 guru",
                        pelajaran="Jadwal disepakati sebelum anggaran", photos=[photo], when=T0)
    set_published(store, number, True, user=PROVINSI, when=T0)
    rules = load_rules(DEFAULT_RULES)
    as_of = date(2026, 3, 1)
    slides = build_slides(compute(store, as_of, rules), as_of, rules=rules,
                          stories=list_stories(store, published_only=True))
    assert [s.kind for s in slides][-2:] == ["praktik_baik", "metodologi"]
    slide = slides[-2]
    assert [b.text for b in slide.bullets] == ["Guru Lebak berlatih di Suwon — Kabupaten Lebak",
                                               "Pelatihan guru matematika", "Angka: 40 guru"]
    assert slide.table.iloc[0].tolist() == ["Kabupaten Lebak", "Kota Suwon, Korea Selatan (LBK-1)", "40 guru SMP"]
    assert "Jadwal disepakati sebelum anggaran" in slide.notes
    document = Document(io.BytesIO(stories_docx(store, list_stories(store, published_only=True), as_of)))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Praktik Baik Kerja Sama Luar Negeri"
    assert "Guru Lebak berlatih di Suwon" in texts and "40 guru SMP" in texts
    assert len(document.inline_shapes) == 1  # the photo
