"""The Tindak Lanjut page through AppTest: an action made from a flag's proposal, the status rule per unit,
the one-click close when the flag is gone, and the per-unit counts."""

from datetime import date, datetime

from ksln_metrics.followup.actions import action_history, create_action, list_actions
from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with

T0 = datetime(2026, 3, 2, 9, 0)


def actions(db):
    with Store(db) as store:
        return list_actions(store)


def test_admin_creates_an_action_from_a_flag_proposal(demo_db):
    app = open_page("tindak_lanjut")
    assert not app.exception
    assert app.title[0].value == "Tindak Lanjut"
    assert "Belum ada tindak lanjut yang dicatat." in [i.value for i in app.info]
    proposal = app.selectbox(key="tl_usulan_pilih")
    label = proposal.format_func(proposal.value)
    text = next(a for a in app.text_area if a.key.startswith("tl_usulan_uraian_")).value
    assert text  # the slides' follow-up sentence, naming the agreement
    app.text_input(key="tl_usulan_pj").input("Bagian Kerja Sama")
    app.date_input(key="tl_usulan_batas").set_value(date(2026, 4, 30))
    app = app.button(key="tl_usulan_buat").click().run()
    assert not app.exception and not app.error
    assert app.success[0].value.startswith("Tindak lanjut #1 dibuat untuk ")
    saved = actions(demo_db).iloc[0]
    assert saved["description"] == text and saved["responsible"] == "Bagian Kerja Sama"
    assert saved["due_date"] == date(2026, 4, 30) and saved["status"] == "terbuka"
    assert saved["id_perjanjian"] in label and saved["flag_label"] in label
    counts = table_with(app, "Lewat batas")
    assert counts["Terbuka"].sum() == 1


def test_an_analyst_of_lebak_updates_only_its_own_units_actions(demo_db):
    with Store(demo_db) as store:
        tangsel = create_action(store, user="pengujian", id_perjanjian="CONTOH-3674-01",
                                flag_code="delegated_signature", description="Tinjau penandatanganan", when=T0)
        lebak = create_action(store, user="pengujian", id_perjanjian="CONTOH-3602-01", flag_code="stalled",
                              description="Hidupkan kembali kegiatan", when=T0)
    app = open_page("tindak_lanjut", "analis.lebak")
    assert not app.exception
    # The analyst starts on their own unit; widening the filter shows Tangsel's action, read-only.
    assert app.multiselect(key="filter_kabkota").value == ["36.02"]
    app = app.multiselect(key="filter_kabkota").set_value([]).run()
    assert any("dibuat oleh analis Provinsi" in c.value for c in app.caption)
    assert not [b for b in app.button if b.key == "tl_usulan_buat"]  # no creating
    app = app.selectbox(key="tl_pilih").set_value(tangsel).run()
    assert not [s for s in app.selectbox if s.key == "tl_status_baru"]
    assert any("milik Kota Tangerang Selatan" in c.value for c in app.caption)
    app = app.selectbox(key="tl_pilih").set_value(lebak).run()
    app.selectbox(key="tl_status_baru").set_value("dalam_proses")
    app.text_area(key="tl_status_catatan").input("Jadwal pelatihan disusun")
    app = app.button(key="tl_status_simpan").click().run()
    assert not app.exception and not app.error
    assert app.success[0].value == f"Status tindak lanjut #{lebak} menjadi dalam proses."
    with Store(demo_db) as store:
        history = action_history(store, lebak)
        assert list(history["user_name"]) == ["pengujian", "analis.lebak"]
        assert len(action_history(store, tangsel)) == 1


def test_an_action_whose_flag_is_gone_closes_in_one_click(demo_db):
    with Store(demo_db) as store:
        # CONTOH-3602-01 is not missing a DPRD approval: the flag behind this action is not raised.
        number = create_action(store, user="pengujian", id_perjanjian="CONTOH-3602-01", flag_code="no_dprd_approval",
                               description="Ajukan persetujuan DPRD", due_date=date(2020, 1, 31), when=T0)
    app = open_page("tindak_lanjut", "analis.lebak")
    app = app.selectbox(key="tl_pilih").set_value(number).run()
    assert any("bendera sudah hilang per " in i.value for i in app.info)
    assert any("Lewat batas 31 Januari 2020" in w.value for w in app.warning)
    keadaan = table_with(app, "Keadaan")["Keadaan"].iloc[0]
    assert keadaan.startswith("lewat batas; bendera sudah hilang per ")
    app = app.button(key="tl_tutup_hilang").click().run()
    assert not app.exception
    assert app.success[0].value.startswith(f"Tindak lanjut #{number} ditutup: bendera sudah hilang per ")
    saved = actions(demo_db).iloc[0]
    assert saved["status"] == "selesai"
    assert saved["evidence_note"].startswith("Bendera Tanpa persetujuan DPRD sudah hilang per ")


def test_leadership_reads_but_changes_nothing(demo_db):
    with Store(demo_db) as store:
        create_action(store, user="pengujian", kabkota="36.02", description="Rapat evaluasi", when=T0)
    app = open_page("tindak_lanjut", "pimpinan")
    assert not app.exception
    assert table_with(app, "Uraian")["Uraian"].tolist() == ["Rapat evaluasi"]
    assert not [s for s in app.selectbox if s.key == "tl_status_baru"]
    assert not [b for b in app.button if b.key in ("tl_usulan_buat", "tl_bebas_buat")]


def test_record_a_rakor_and_compare_since_it(demo_db):
    with Store(demo_db) as store:
        create_action(store, user="pengujian", kabkota="36.02", description="Rapat evaluasi",
                      when=datetime(2026, 3, 12, 9))
    app = open_page("tindak_lanjut", "analis.provinsi")
    app.text_input(key="tl_rakor_nama").input("Rakor KSLN 2026")
    app.date_input(key="tl_rakor_tanggal").set_value(date(2026, 3, 11))
    app = app.button(key="tl_rakor_simpan").click().run()
    assert not app.exception and not app.error
    assert app.success[0].value == "Rakor Rakor KSLN 2026 (11 Maret 2026) dicatat."
    assert app.selectbox(key="tl_rakor_pilih").format_func(app.selectbox(key="tl_rakor_pilih").value) == (
        "Rakor KSLN 2026 — 11 Maret 2026")
    assert any(m.value.startswith("**Sejak rakor 11 Maret 2026** (Rakor KSLN 2026)") for m in app.markdown)
    opened_closed = next(m for m in app.metric if m.label == "Tindak lanjut dibuka / ditutup")
    assert opened_closed.value == "1 / 0"
    changes = table_with(app, "Perubahan")
    assert set(changes["Perubahan"]) <= {"Baru", "Selesai", "Tetap"} and len(changes)
    # A pimpinan sees the comparison but no form to record a rakor.
    viewer = open_page("tindak_lanjut", "pimpinan")
    assert not [t for t in viewer.text_input if t.key == "tl_rakor_nama"]
    assert any(m.label == "Bendera baru" for m in viewer.metric)


def test_the_proposal_search_narrows_the_picker_and_keeps_the_rest_of_the_page(demo_db):
    app = open_page("tindak_lanjut")
    picker = app.selectbox(key="tl_usulan_pilih")
    everything = list(picker.options)  # the labels the browser is sent
    agreement = everything[-1].rsplit(" · ", 1)[1]
    app = app.text_input(key="tl_usulan_cari").input(agreement.lower()).run()
    assert not app.exception
    picker = app.selectbox(key="tl_usulan_pilih")
    found = list(picker.options)
    assert found == [label for label in everything if agreement.casefold() in label.casefold()] and found
    assert len(found) < len(everything)
    # Every word must match, anywhere in the label: the unit's name and the agreement together.
    unit = found[0].split(" · ")[0]
    app = app.text_input(key="tl_usulan_cari").input(f"{agreement} {unit.split()[-1]}").run()
    assert list(app.selectbox(key="tl_usulan_pilih").options) == found
    app = app.text_input(key="tl_usulan_cari").input("tidak-ada-yang-begini").run()
    assert not app.exception
    assert "Tidak ada usulan yang cocok dengan pencarian." in [i.value for i in app.info]
    assert not [s for s in app.selectbox if s.key == "tl_usulan_pilih"]
    assert any(m.label == "Bendera baru" for m in app.metric)  # the comparison below is still drawn
