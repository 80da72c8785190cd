"""Attachments, success stories and one-row edits through the Perjanjian page: a signed MoU archived by its unit's analyst shows in the checklist;
an HTML file named .pdf is refused on the page and nothing is stored; another unit's agreement offers no form."""

from ksln_metrics.followup.attachments import list_attachments
from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with
from tests.unit.test_attachments import pdf_bytes

# The expanders of the agreement's detail, built only once opened: what opening one sets.
EXPANDERS = ("perjanjian_lampiran_buka", "perjanjian_ubah_buka", "perjanjian_cerita_buka")


def open_agreement(name: str, agreement: str, opened: bool = True):
    """The agreement opened by ``name``; ``opened``: with its attachments, edit form and stories opened."""
    app = open_page("perjanjian", name)
    app.session_state["perjanjian_id"] = agreement
    for key in EXPANDERS if opened else ():
        app.session_state[key] = True
    return app.run()


def archived_line(app):
    checklist = table_with(app, "Dokumen/persetujuan").set_index("Dokumen/persetujuan")
    return checklist.loc["Naskah bertanda tangan diarsipkan"]


def test_an_analyst_archives_the_signed_mou_of_its_own_unit(demo_db):
    app = open_agreement("analis.lebak", "CONTOH-3602-01")
    assert not app.exception
    assert archived_line(app)["Ada"] == "✗"
    app.file_uploader(key="perjanjian_lampiran_berkas").upload("naskah.pdf", b"<html><script>x</script></html>",
                                                                "application/pdf")
    app = app.button(key="perjanjian_lampiran_simpan").click().run()
    assert any("isi berkas bukan PDF" in e.value for e in app.error)
    with Store(demo_db) as store:
        assert list_attachments(store, id_perjanjian="CONTOH-3602-01").empty
    app.file_uploader(key="perjanjian_lampiran_berkas").upload("MoU Lebak.pdf", pdf_bytes(), "application/pdf")
    app.selectbox(key="perjanjian_lampiran_jenis").set_value("naskah_mou")
    app = app.button(key="perjanjian_lampiran_simpan").click().run()
    assert not app.exception and not app.error
    # the count in the label changed and the expander stayed open, its form there
    assert "Lampiran: naskah, notulen, foto, laporan (1)" in {e.label for e in app.expander}
    assert [b for b in app.button if b.key == "perjanjian_lampiran_simpan"]
    line = archived_line(app)
    assert line["Ada"] == "✓" and line["Keterangan"].startswith("Naskah MoU ditandatangani: MoU Lebak.pdf, diunggah ")
    assert table_with(app, "Berkas")["Berkas"].tolist() == ["MoU Lebak.pdf"]


def test_no_upload_form_on_another_units_agreement(demo_db):
    app = open_agreement("analis.lebak", "CONTOH-3674-01")
    assert not app.exception
    assert any("Hanya analis unit ini" in c.value for c in app.caption)  # the edit form is open, and refuses
    assert not [b for b in app.button if b.key in ("perjanjian_lampiran_simpan", "ubah_simpan", "cerita_simpan")]
    assert archived_line(app)["Ada"] == "✗"


def test_a_story_written_on_the_agreement_page_is_published_on_the_tindak_lanjut_page(demo_db):
    app = open_agreement("analis.lebak", "CONTOH-3602-01")
    app.text_input(key="cerita_judul").input("Pelatihan guru bersama mitra")
    app.text_area(key="cerita_capaian").input("40 guru dilatih")
    app = app.button(key="cerita_simpan").click().run()
    assert not app.exception and not app.error
    assert any(s.value.startswith("Cerita sukses #1 disimpan") for s in app.success)
    lebak = open_page("tindak_lanjut", "analis.lebak")
    assert not [b for b in lebak.button if b.key == "cerita_terbit"]  # the unit does not publish
    province = open_page("tindak_lanjut", "analis.provinsi")
    assert table_with(province, "Diterbitkan")["Diterbitkan"].tolist() == ["belum"]
    province = province.button(key="cerita_terbit").click().run()
    assert not province.exception
    assert table_with(province, "Diterbitkan")["Diterbitkan"].tolist() == ["ya"]
    assert province.get("download_button")[-1].proto.label == "Dokumen Praktik Baik (.docx, 1 cerita)"


def test_attachments_edit_form_and_stories_are_built_only_once_opened(demo_db):
    app = open_agreement("analis.lebak", "CONTOH-3602-01", opened=False)
    assert not app.exception
    forms = ("perjanjian_lampiran_simpan", "ubah_simpan", "cerita_simpan")
    assert not [b for b in app.button if b.key in forms]
    assert not [t for t in app.text_input if t.key.startswith(("ubah_", "cerita_"))]
    assert {"Lampiran: naskah, notulen, foto, laporan (0)", "Ubah satu baris (perubahan manual)",
            "Cerita sukses (0)"} <= {e.label for e in app.expander}
    for key in EXPANDERS:  # what opening each expander sets
        app.session_state[key] = True
    app.run()
    assert sorted(b.key for b in app.button if b.key in forms) == sorted(forms)
    assert any(t.key.endswith("_tanggal_persetujuan_dprd") for t in app.text_input)


def test_the_edit_form_saves_a_manual_batch_shown_as_such_on_the_upload_page(demo_db):
    app = open_agreement("analis.lebak", "CONTOH-3602-01")
    field = next(t for t in app.text_input if t.key.endswith("_tanggal_persetujuan_dprd"))
    field.input("31-02-2023")
    app = app.button(key="ubah_simpan").click().run()
    assert any("Tanggal Persetujuan DPRD" in e.value for e in app.error)
    with Store(demo_db) as store:
        assert "perubahan_manual" not in set(store.batches()["kind"])
    field = next(t for t in app.text_input if t.key.endswith("_tanggal_persetujuan_dprd"))
    field.input("12 Januari 2023")
    app = app.button(key="ubah_simpan").click().run()
    assert not app.exception and not app.error
    assert any(s.value.startswith("Perubahan manual tersimpan sebagai batch #") for s in app.success)
    upload_page = open_page("unggah_data", "analis.lebak")
    history = table_with(upload_page, "Jenis")
    assert history["Jenis"].iloc[0] == "Perubahan manual"
