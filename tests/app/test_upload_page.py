"""Unggah Data through AppTest: a good upload commits, a bad one shows problems and commits nothing."""

from pathlib import Path

import pytest

from ksln_metrics.store import Store
from tests.app.pages_support import open_page, table_with
from tests.unit.realistic_files import agreement, agreements_workbook, simple_agreement_xlsx

ROOT = Path(__file__).resolve().parents[2]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    Store(path).close()
    monkeypatch.setenv("KSLN_DB", str(path))
    return path






def snapshot(db):
    with Store(db) as store:
        return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}, len(store.batches())


def test_good_file_is_checked_previewed_and_committed(db):
    app = open_page("unggah_data")
    assert not app.exception
    app.file_uploader(key="unggah_berkas").upload("lebak.xlsx", agreements_workbook(), XLSX)
    app.run()
    app.button(key="unggah_periksa").click().run()
    assert not app.exception and not app.error
    preview = table_with(app, "Sama")
    assert preview.loc[preview["Tabel"] == "Perjanjian", "Baru"].tolist() == [3]
    assert snapshot(db)[1] == 0  # checking writes nothing
    app.button(key="unggah_simpan").click().run()
    assert not app.exception
    assert "lebak.xlsx: batch #1 disimpan — Perjanjian: 3 baru" in app.success[0].value
    with Store(db) as store:
        assert len(store.table("perjanjian")) == 3
        assert store.batches()["user_name"].tolist() == ["admin"]  # the logged-in user, not a typed name
    history = table_with(app, "Pengguna")
    assert history["Berkas"].tolist() == ["lebak.xlsx"]


def test_bad_file_shows_every_problem_and_commits_nothing(db):
    bad = simple_agreement_xlsx([agreement(**{"Kab/Kota": "Tangerang"}), agreement(**{"ID Perjanjian": "B", "Negara Mitra": "Wakanda"})])
    before = snapshot(db)
    app = open_page("unggah_data")
    app.file_uploader(key="unggah_berkas").upload("salah.xlsx", bad, XLSX)
    app.run()
    app.button(key="unggah_periksa").click().run()
    assert not app.exception
    assert "2 kesalahan" in app.error[0].value
    problems = table_with(app, "Pesan")
    assert problems[["Lembar", "Baris", "Kolom"]].values.tolist() == [["Perjanjian", "2", "Kab/Kota"],
                                                                  ["Perjanjian", "3", "Negara Mitra"]]
    assert not [b for b in app.button if b.key == "unggah_simpan"]
    assert snapshot(db) == before


def test_rollback_needs_confirmation_and_restores(db):
    with Store(db) as store:
        from ksln_metrics.importing.ingest import commit_upload, read_upload

        commit_upload(store, read_upload("a.xlsx", simple_agreement_xlsx([agreement()])), user="Ani")
        commit_upload(store, read_upload("b.xlsx", simple_agreement_xlsx([agreement(**{"Judul Perjanjian": "Baru"})])),
                      user="Ani")
    app = open_page("unggah_data")
    app.selectbox(key="unggah_batal_pilih_2").select(2).run()
    assert app.button(key="unggah_batal").disabled  # not confirmed yet
    app.checkbox(key="unggah_batal_yakin_2").check().run()
    app.button(key="unggah_batal").click().run()
    assert not app.exception
    assert "Batch #2 dibatalkan oleh batch #3" in app.success[0].value
    with Store(db) as store:
        assert store.table("perjanjian")["judul"].tolist() == ["Kerja Sama Agrowisata"]


def lebak_activities_csv() -> bytes:
    """New activities of Lebak's saved agreement, in the `;` CSV an analyst exports from Excel."""
    return (b"ID Perjanjian;Tanggal;Nama Kegiatan;Jenis Kegiatan\r\n"
            b"LBK-001;02/09/2024;Pelatihan pemandu wisata;Pelatihan\r\n")


def test_agreements_and_their_activities_checked_together_after_a_first_save(db):
    """Issue 10 defect 1: the agreements already saved and the same agreements in the file are one list."""
    with Store(db) as store:
        from ksln_metrics.importing.ingest import commit_upload, read_upload

        commit_upload(store, read_upload("lebak.xlsx", simple_agreement_xlsx([agreement()])), user="Ani")
    app = open_page("unggah_data", as_user="analis.lebak")
    uploader = app.file_uploader(key="unggah_berkas")
    uploader.upload("lebak.xlsx", simple_agreement_xlsx([agreement(**{"Judul Perjanjian": "Agrowisata Baru"})]), XLSX)
    uploader.upload("kegiatan_lebak.csv", lebak_activities_csv(), "text/csv")
    app.run()
    app.button(key="unggah_periksa").click().run()
    assert not app.exception and not app.error
    preview = table_with(app, "Sama")
    assert preview[["Berkas", "Tabel", "Baru", "Diubah"]].values.tolist() == [
        ["lebak.xlsx", "Perjanjian", 0, 1], ["kegiatan_lebak.csv", "Kegiatan", 1, 0]]
    app.button(key="unggah_simpan").click().run()
    with Store(db) as store:
        assert store.table("kegiatan")["nama_kegiatan"].tolist() == ["Pelatihan pemandu wisata"]


def test_two_sessions_confirming_the_same_rollback_undo_it_once(db):
    """Issue 11 item 8: the confirmation is bound to its batch; the second click is refused, #1 stays."""
    with Store(db) as store:
        from ksln_metrics.importing.ingest import commit_upload, read_upload

        commit_upload(store, read_upload("a.xlsx", simple_agreement_xlsx([agreement()])), user="Ani")
        commit_upload(store, read_upload("b.xlsx", simple_agreement_xlsx([agreement(**{"Judul Perjanjian": "Baru"})])),
                      user="Ani")
    first, second = open_page("unggah_data"), open_page("unggah_data")
    for app in (first, second):
        app.selectbox(key="unggah_batal_pilih_2").select(2).run()
        app.checkbox(key="unggah_batal_yakin_2").check().run()
    first.button(key="unggah_batal").click().run()
    assert "Batch #2 dibatalkan oleh batch #3" in first.success[0].value
    second.button(key="unggah_batal").click().run()
    assert not second.exception
    assert [e.value for e in second.error] == ["Batch #2 sudah dibatalkan oleh batch #3."]
    with Store(db) as store:
        batches = store.batches()
        assert batches["rolls_back"].dropna().astype(int).tolist() == [2]  # one rollback, of #2 only
        assert store.table("perjanjian")["judul"].tolist() == ["Kerja Sama Agrowisata"]
    # The next batch offered has its own, unticked confirmation.
    assert second.checkbox(key="unggah_batal_yakin_1").value is False
