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
    app.number_input(key="pengaturan_bobot_kepatuhan").set_value(40.0)
    app.number_input(key="pengaturan_bobot_capaian").set_value(15.0)
    submit(app)
    assert not app.exception and not app.error
    assert "Bobot komponen kepatuhan: 25 → 40" in app.success[0].value
    assert "bobot.kepatuhan" not in app.success[0].value  # users read labels; keys stay in the file and the CLI
    assert load_rules() == new_rules
    assert "# persetujuan DPRD, persetujuan Pusat" in rules_path().read_text(encoding="utf-8")  # comments kept
    with Store(demo_db) as store:
        log = read_change_log(store)
    assert log[["pengguna", "kunci", "lama", "baru"]].values.tolist() == [
        ["admin", "bobot.kepatuhan", 25, 40], ["admin", "bobot.capaian", 30, 15]]
    history = table_with(app, "Pengaturan")
    assert history["Pengguna"].tolist() == ["admin", "admin"]
    assert history["Pengaturan"].tolist() == ["Bobot komponen kepatuhan", "Bobot komponen capaian indikator"]
    assert app.number_input(key="pengaturan_bobot_kepatuhan").value == 40.0

    app.switch_page("pages/halaman_perjanjian.py").run()
    assert not app.exception
    shown = table_with(app, "Skor").set_index("ID")["Skor"]
    pd.testing.assert_series_equal(shown.sort_index(), after.sort_index(), check_names=False)


def test_the_attention_points_per_flag_is_a_setting_that_reorders_ringkasan(demo_db):
    app = open_page("pengaturan")
    app.number_input(key="pengaturan_perhatian_poin_per_bendera").set_value(0.0)
    submit(app)
    assert not app.exception and not app.error
    assert "Poin perhatian untuk setiap bendera" in app.success[0].value
    assert load_rules().attention_points_per_flag == 0
    app.switch_page("pages/halaman_ringkasan.py").run()
    assert not app.exception
    # With flags weighing nothing, the order is by score alone, lowest first.
    results = expected_results(demo_db)
    scored = results.regions[results.regions["kabkota_kode"].str.contains(".", regex=False)
                             & results.regions["skor_rata_rata"].lt(100)]
    lowest = scored.sort_values(["skor_rata_rata", "kabkota_kode"]).iloc[0]["kabkota_nama"]
    headings = [m.value for m in app.markdown if m.value.startswith("#### ")]
    assert headings[0] == f"#### 1. {lowest}"
