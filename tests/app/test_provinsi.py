"""A Jawa Barat installation (KSLN_PROVINSI=32) through AppTest: its name on the login page, the sample
banner, the Kabupaten/Kota page and its units; nothing of Banten."""

from pathlib import Path

import pytest

from ksln_metrics.accounts.users import create_account
from ksln_metrics.sample.demo import load_demo
from ksln_metrics.store import Store
from tests.app.conftest import DEMO_TODAY
from tests.app.pages_support import ROOT
from tests.province_support import configured_province

PASSWORD = "sandi-admin-jabar-uji"


@pytest.fixture
def jabar_db(tmp_path, monkeypatch) -> Path:
    with configured_province("32"):
        path = tmp_path / "jabar.duckdb"
        with Store(path) as store:
            load_demo(store, today=DEMO_TODAY)
            create_account(store, "admin.jabar", "admin", PASSWORD, by="pengujian")
            create_account(store, "analis.bekasi", "analis", PASSWORD, kabkota="32.75", by="pengujian")
        monkeypatch.setenv("KSLN_DB", str(path))
        yield path


def _login(name: str):
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    login_caption = " ".join(c.value for c in app.caption)
    app.text_input(key="masuk_nama").input(name)
    app.text_input(key="masuk_sandi").input(PASSWORD)
    return app.button(key="masuk_kirim").click().run(), login_caption


def _texts(app) -> str:
    return " ".join([*(c.value for c in app.caption), *(w.value for w in app.warning), *(m.value for m in app.markdown)])


def test_pages_name_jawa_barat_and_its_units(jabar_db):
    app, login_caption = _login("admin.jabar")
    assert "Pemerintah Provinsi Jawa Barat dan kabupaten/kota" in login_caption
    assert not app.exception
    page = app.switch_page("pages/halaman_kabupaten_kota.py").run()
    assert not page.exception
    text = _texts(page)
    assert "bukan data resmi Pemerintah Provinsi Jawa Barat" in text
    assert "Provinsi Jawa Barat tidak ikut diperingkat" in text
    units = page.selectbox(key="kabkota_pilih").options
    assert "Kota Bekasi" in units and "Provinsi Jawa Barat" in units and len(units) == 28
    assert "Banten" not in text and not any("Banten" in u for u in units)


def test_an_analyst_of_kota_bekasi_starts_on_their_unit(jabar_db):
    app, _ = _login("analis.bekasi")
    assert not app.exception
    assert app.multiselect(key="filter_kabkota").value == ["32.75"]
