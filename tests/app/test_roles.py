"""Login, roles and the audit trail through AppTest: what each role sees, what it is refused, and the record kept."""

from datetime import datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ksln_metrics.accounts.users import set_active, set_password
from ksln_metrics.importing.ingest import commit_upload, read_upload
from ksln_metrics.store import Store
from tests.app.pages_support import ROOT, add_test_accounts, login, open_page, table_with, visible_pages
from tests.unit.realistic_files import agreement, agreements_workbook, simple_agreement_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LEADER_PAGES = ["", "kabupaten-kota", "perjanjian", "peringatan", "tindak-lanjut", "status-data", "metodologi",
                "pengingat", "presentasi"]
TANGSEL_ROW = agreement(**{"ID Perjanjian": "TGS-001", "Kab/Kota": "Kota Tangerang Selatan", "Mitra": "Kota Suwon"})


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "peran.duckdb"
    add_test_accounts(path)
    monkeypatch.setenv("KSLN_DB", str(path))
    return path


def audit(db, action=None):
    with Store(db) as store:
        log = store.query("SELECT user_name, action, target, detail FROM audit WHERE action <> 'akun_dibuat' "
                          "ORDER BY audit_id")
    return log if action is None else log[log["action"] == action]


def state(db):
    with Store(db) as store:
        return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}, len(store.batches())


def test_without_login_only_the_login_form_shows(db):
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value == "Masuk"
    assert [w.label for w in app.text_input] == ["Nama pengguna", "Kata sandi"]
    assert not app.dataframe and not app.metric and not app.sidebar.multiselect  # no data, no filters


def test_a_wrong_password_is_refused_and_recorded(db):
    app = login("analis.lebak", "bukan-sandinya")
    assert not app.exception
    assert app.error[0].value == "Nama pengguna atau kata sandi salah."
    assert app.title[0].value == "Masuk"
    assert audit(db)[["user_name", "action", "detail"]].values.tolist() == [
        ["analis.lebak", "gagal_masuk", "kata sandi salah (1/5)"]]


@pytest.mark.parametrize(("name", "pages"), [
    ("pimpinan", LEADER_PAGES),
    ("analis.lebak", [*LEADER_PAGES[:6], "unggah", *LEADER_PAGES[6:]]),
    ("analis.provinsi", [*LEADER_PAGES[:6], "unggah", *LEADER_PAGES[6:]]),
    ("admin", [*LEADER_PAGES[:6], "unggah", *LEADER_PAGES[6:], "pengaturan", "akun", "audit"]),
])
def test_each_role_sees_only_its_pages(db, name, pages):
    app = login(name)
    assert not app.exception
    assert app.title[0].value == "Ringkasan"
    assert [p for p in visible_pages(app) if p] == [p for p in pages if p]
    assert any(name in c.value for c in app.sidebar.caption)
    assert audit(db, "masuk")["user_name"].tolist() == [name]


def test_a_leader_cannot_open_upload_settings_accounts_or_audit(db):
    app = login("pimpinan")
    for page in ("unggah_data", "pengaturan", "akun", "audit"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"pages/halaman_{page}.py")


def test_an_analyst_cannot_open_settings_accounts_or_audit(db):
    app = login("analis.lebak")
    for page in ("pengaturan", "akun", "audit"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"pages/halaman_{page}.py")


def test_a_lebak_analyst_uploading_a_tangsel_row_is_refused_and_nothing_is_written(db):
    before = state(db)
    app = open_page("unggah_data", as_user="analis.lebak")
    assert "hanya data **36.02**" in app.caption[0].value
    mixed = simple_agreement_xlsx([agreement(), TANGSEL_ROW])
    app.file_uploader(key="unggah_berkas").upload("campur.xlsx", mixed, XLSX)
    app.run()
    app.button(key="unggah_periksa").click().run()
    assert not app.exception
    assert any(e.value == "campur.xlsx: Berkas berisi data Kota Tangerang Selatan (36.74); akun analis Kabupaten "
                          "Lebak hanya boleh mengubah data 36.02. Tidak ada yang disimpan." for e in app.error)
    assert not [b for b in app.button if b.key == "unggah_simpan"]
    assert state(db) == before
    # Refused at the check already, and recorded (issue 10 defect 9).
    assert audit(db, "unggah_ditolak")[["user_name", "target"]].values.tolist() == [["analis.lebak", "campur.xlsx"]]


def test_a_lebak_analyst_uploads_lebak_data_under_their_name(db):
    app = open_page("unggah_data", as_user="analis.lebak")
    app.file_uploader(key="unggah_berkas").upload("lebak.xlsx", agreements_workbook(), XLSX)
    app.run()
    app.button(key="unggah_periksa").click().run()
    app.button(key="unggah_simpan").click().run()
    assert not app.exception
    assert "lebak.xlsx: batch #1 disimpan" in app.success[0].value
    assert table_with(app, "Pengguna")["Pengguna"].tolist() == ["analis.lebak"]
    assert audit(db, "unggah")[["user_name", "target"]].values.tolist() == [["analis.lebak", "lebak.xlsx"]]


def test_an_analyst_is_offered_only_their_own_units_batches_to_roll_back(db):
    with Store(db) as store:
        commit_upload(store, read_upload("lebak.xlsx", simple_agreement_xlsx([agreement()])), user="admin")
        commit_upload(store, read_upload("tangsel.xlsx", simple_agreement_xlsx([TANGSEL_ROW])), user="admin")
    app = open_page("unggah_data", as_user="analis.lebak")
    assert app.selectbox(key="unggah_batal_pilih_2").options == ["#1 — lebak.xlsx (admin)"]
    app.checkbox(key="unggah_batal_yakin_1").check().run()
    app.button(key="unggah_batal").click().run()
    assert "Batch #1 dibatalkan oleh batch #3" in app.success[0].value
    assert audit(db, "pembatalan")["user_name"].tolist() == ["analis.lebak"]


def test_logout_returns_to_the_login_form_and_is_recorded(db):
    app = login("pimpinan")
    app.sidebar.button(key="auth_keluar").click().run()
    assert not app.exception
    assert app.title[0].value == "Masuk" and app.info[0].value == "Anda telah keluar."
    assert audit(db)["action"].tolist() == ["masuk", "keluar"]


def shift_session(db, column, delta):
    """Move the stored ``last_seen`` or ``expires_at`` of every session by ``delta`` (the app's clock is real time)."""
    with Store(db) as store, store.write() as cur:
        cur.execute(f"UPDATE login_session SET {column} = ?", [datetime.now() + delta])


def test_an_idle_session_ends_after_the_configured_minutes(db, monkeypatch):
    monkeypatch.setenv("KSLN_SESSION_IDLE_MINUTES", "10")
    app = login("pimpinan")
    shift_session(db, "last_seen", -timedelta(minutes=9))
    app.run()
    assert app.title[0].value == "Ringkasan"  # 9 minutes idle: still in
    shift_session(db, "last_seen", -timedelta(minutes=11))
    app.run()
    assert app.title[0].value == "Masuk"
    assert "tidak aktif lebih dari 10 menit" in app.info[0].value
    assert audit(db, "keluar")["detail"].tolist() == ["sesi berakhir: tidak aktif lebih dari 10 menit"]


def test_a_session_ends_at_its_absolute_limit_even_when_in_use(db, monkeypatch):
    monkeypatch.setenv("KSLN_SESSION_MAX_HOURS", "8")
    app = login("pimpinan")
    with Store(db) as store:
        created, expires = store.query("SELECT created_at, expires_at FROM login_session").iloc[0]
    assert expires - created == timedelta(hours=8)
    shift_session(db, "expires_at", -timedelta(seconds=1))
    app.run()
    assert app.title[0].value == "Masuk" and "lebih dari 8 jam sejak masuk" in app.info[0].value
    assert audit(db, "keluar")["detail"].tolist() == ["sesi berakhir: lebih dari 8 jam sejak masuk"]


def test_a_password_set_by_the_admin_ends_the_accounts_sessions(db):
    app = login("analis.lebak")
    with Store(db) as store:
        set_password(store, "analis.lebak", "sandi-baru-dari-admin", by="admin")
    app.run()
    assert app.title[0].value == "Masuk" and "Kata sandi akun Anda diganti" in app.info[0].value


def test_a_disabled_account_is_logged_out_on_its_next_click(db):
    app = login("analis.lebak")
    with Store(db) as store:
        set_active(store, "analis.lebak", False, by="admin")
    app.run()
    assert app.title[0].value == "Masuk" and "dinonaktifkan" in app.info[0].value
    with Store(db) as store:
        assert store.query("SELECT end_reason FROM login_session")["end_reason"].tolist() == ["akun_nonaktif"]


def test_admin_creates_an_account_on_the_akun_page_and_it_can_log_in(db):
    app = open_page("akun")
    assert not app.exception
    assert set(table_with(app, "Nama pengguna")["Nama pengguna"]) == {"admin", "pimpinan", "analis.lebak",
                                                                        "analis.provinsi"}
    app.text_input(key="akun_baru_nama").input("sari.tangsel")
    app.selectbox(key="akun_baru_peran").set_value("analis")
    app.selectbox(key="akun_baru_unit").set_value("36.74")
    app.text_input(key="akun_baru_sandi").input("sandi-sari-panjang")
    app.text_input(key="akun_baru_ulang").input("sandi-sari-panjang")
    app.button(key="akun_baru_kirim").click().run()
    assert not app.exception and not app.error
    assert "Akun sari.tangsel dibuat: analis Kota Tangerang Selatan (36.74)." in app.success[0].value
    assert audit(db, "akun_dibuat").empty  # the fixture's accounts are left out of audit(); check directly:
    with Store(db) as store:
        made = store.query("SELECT user_name, target FROM audit WHERE action = 'akun_dibuat' AND target = 'sari.tangsel'")
    assert made.values.tolist() == [["admin", "sari.tangsel"]]
    other = login("sari.tangsel", "sandi-sari-panjang")
    assert [p for p in visible_pages(other) if p] == ["kabupaten-kota", "perjanjian", "peringatan", "tindak-lanjut",
                                                      "status-data", "unggah", "metodologi", "pengingat", "presentasi"]


def test_the_audit_page_filters_by_action(db):
    login("pimpinan", "salah-sekali")
    app = login("admin").switch_page("pages/halaman_audit.py").run()
    assert not app.exception
    shown = table_with(app, "Aksi")
    assert shown["Aksi"].tolist()[:2] == ["Masuk", "Gagal masuk"]  # newest first: the admin's login, then the failure
    app.multiselect(key="audit_aksi").set_value(["gagal_masuk"]).run()
    shown = table_with(app, "Aksi")
    assert shown[["Pengguna", "Aksi"]].values.tolist() == [["pimpinan", "Gagal masuk"]]
    assert [b.label for b in app.get("download_button")] == ["Unduh CSV (;)", "Unduh Excel (.xlsx)"]
