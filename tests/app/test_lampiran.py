"""Attachments through the Perjanjian page: a signed MoU archived by its unit's analyst shows in the checklist;
an HTML file named .pdf is refused on the page and nothing is stored; another unit's agreement offers no form."""

from ksln_metrics.followup.attachments import list_attachments
from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with
from tests.unit.test_attachments import pdf_bytes


def open_agreement(name: str, agreement: str):
    app = open_page("perjanjian", name)
    app.session_state["perjanjian_id"] = agreement
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
    line = archived_line(app)
    assert line["Ada"] == "✓" and line["Keterangan"].startswith("Naskah MoU ditandatangani: MoU Lebak.pdf, diunggah ")
    assert table_with(app, "Berkas")["Berkas"].tolist() == ["MoU Lebak.pdf"]


def test_no_upload_form_on_another_units_agreement(demo_db):
    app = open_agreement("analis.lebak", "CONTOH-3674-01")
    assert not app.exception
    assert not [b for b in app.button if b.key == "perjanjian_lampiran_simpan"]
    assert archived_line(app)["Ada"] == "✗"
