"""Pengaturan through AppTest: an invalid change is refused and writes nothing; a valid one is audited and recomputes."""

import pandas as pd
import pytest

from ksln_metrics.access import User
from ksln_metrics.engine.rules import load_rules, rules_path
from ksln_metrics.engine.rules_change import read_change_log, save_settings
from ksln_metrics.store import AccessDenied, Store
from tests.app.pages_support import expected_results, open_page, table_with


def submit(app):
    next(b for b in app.button if b.label == "Simpan pengaturan").click()
    return app.run()


def test_invalid_weights_show_the_error_and_write_nothing(demo_db):
    before = rules_path().read_bytes()
    app = open_page("pengaturan")
    assert not app.exception
    app.number_input(key="pengaturan_bobot_kepatuhan").set_value(50.0)
    submit(app)
    assert not app.exception
    assert any("bobot" in e.value and "harus 100, sekarang 125" in e.value for e in app.error)
    assert rules_path().read_bytes() == before
    with Store(demo_db) as store:
        assert read_change_log(store).empty


def test_invalid_toml_text_is_refused(demo_db):
    before = rules_path().read_bytes()
    app = open_page("pengaturan")
    app.text_area(key="pengaturan_toml").input(before.decode().replace("mangkrak_bulan = 12", "mangkrak_bulan = 0"))
    app.button(key="pengaturan_simpan_teks").click().run()
    assert any("ambang.mangkrak_bulan" in e.value for e in app.error)
    assert rules_path().read_bytes() == before


def test_only_an_admin_may_save_and_the_engine_says_so(demo_db):
    before = rules_path().read_bytes()
    with Store(demo_db) as store, pytest.raises(AccessDenied, match="Hanya admin"):
        save_settings({"ambang.mangkrak_bulan": 18}, User("pimpinan", "pimpinan"), store=store)
    assert rules_path().read_bytes() == before


def test_valid_change_is_saved_logged_and_changes_scores_on_another_page(demo_db):
    new_rules = load_rules().replace(**{"bobot.kepatuhan": 40, "bobot.capaian": 15})
    before = expected_results(demo_db).agreements.set_index("id_perjanjian")["skor"]
    after = expected_results(demo_db, new_rules).agreements.set_index("id_perjanjian")["skor"]
    assert not before.equals(after)

    app = open_page("pengaturan")
    app.number_input(key="pengaturan_bobot_kepatuhan").set_value(40)
    app.number_input(key="pengaturan_bobot_capaian").set_value(15)
    submit(app)
    assert not app.exception and not app.error
    assert "bobot.kepatuhan: 25 → 40" in app.success[0].value
    assert load_rules() == new_rules
    assert "# persetujuan DPRD, persetujuan Pusat" in rules_path().read_text(encoding="utf-8")  # comments kept
    with Store(demo_db) as store:
        log = read_change_log(store)
    assert log[["pengguna", "kunci", "lama", "baru"]].values.tolist() == [
        ["admin", "bobot.kepatuhan", 25, 40], ["admin", "bobot.capaian", 30, 15]]
    assert table_with(app, "Pengaturan")["Pengguna"].tolist() == ["admin", "admin"]
    assert app.number_input(key="pengaturan_bobot_kepatuhan").value == 40  # whole weights: "40", not "40.00"

    app.switch_page("pages/halaman_perjanjian.py").run()
    assert not app.exception
    shown = table_with(app, "Skor").set_index("ID")["Skor"]
    pd.testing.assert_series_equal(shown.sort_index(), after.sort_index(), check_names=False)
