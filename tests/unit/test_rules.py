"""The settings file: loading, checking, saving, and its effect on results."""

from datetime import date
from pathlib import Path

import pytest

from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import DEFAULT_RULES, FLAGS, SETTINGS, RulesError, load_rules, parse_rules, save_rules
from tests.unit.builders import build_store, d, kegiatan, perjanjian

TEXT = DEFAULT_RULES.read_text(encoding="utf-8")


def test_committed_file_loads_with_documented_defaults():
    rules = load_rules()
    assert (rules.weight_compliance, rules.weight_follow_up, rules.weight_achievement, rules.weight_reporting) == (
        25, 25, 30, 20)
    assert (rules.ceremonial_months, rules.stalled_months, rules.expiring_months) == (6, 12, 6)
    assert rules.report_working_days == 7
    assert rules.ceremonial_activity_types == ("penandatanganan", "seremoni", "kunjungan kehormatan")
    assert rules.countries_without_relations == ("ISR",)
    assert rules.head_signatory_jenis == ("KSDPL", "KSDLL")


def test_every_setting_has_a_comment_saying_where_it_comes_from():
    for setting in SETTINGS:
        assert f"{setting.key.split('.')[1]} =" in TEXT
    assert TEXT.count("Asal:") >= 8
    assert "asumsi — perlu dikonfirmasi" in TEXT


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("kepatuhan = 25", "kepatuhan = 30", "bobot"),
        ("seremonial_bulan = 6", "seremonial_bulan = 0", "ambang.seremonial_bulan"),
        ("mangkrak_bulan = 12", "mangkrak_bulan = 1.5", "ambang.mangkrak_bulan"),
        ("batas_hari_kerja = 7", 'batas_hari_kerja = "tujuh"', "pelaporan.batas_hari_kerja"),
        ("libur_tambahan = []", 'libur_tambahan = ["2026-02-30"]', "kalender.libur_tambahan"),
        ('tanpa_hubungan_diplomatik = ["ISR"]', 'tanpa_hubungan_diplomatik = ["Atlantis"]',
         "negara.tanpa_hubungan_diplomatik"),
        ('"kunjungan kehormatan"]', '"kunjungan kehormatann"]', "kegiatan.jenis_seremonial"),
        ("kosong_dianggap_tidak_sah = false", "kosong_dianggap_tidak_sah = 0",
         "penandatangan.kosong_dianggap_tidak_sah"),
        ("segera_berakhir_bulan = 6", "segera_berakhir_bulan = 6\nsegera_habis_bulan = 3", "ambang.segera_habis_bulan"),
        ("mangkrak_bulan = 12\n", "", "ambang.mangkrak_bulan"),
    ],
)
def test_invalid_setting_is_refused_naming_the_key(old, new, key):
    assert old in TEXT
    with pytest.raises(RulesError) as error:
        parse_rules(TEXT.replace(old, new, 1))
    assert error.value.key == key
    assert key in str(error.value)


def test_weights_must_sum_to_100_message():
    with pytest.raises(RulesError, match="harus 100, sekarang 105"):
        parse_rules(TEXT.replace("kepatuhan = 25", "kepatuhan = 30"))


def test_not_toml_is_refused():
    with pytest.raises(RulesError, match="bukan TOML"):
        parse_rules("[bobot\nkepatuhan = ")


def test_country_names_and_dates_are_normalised():
    rules = parse_rules(
        TEXT.replace('["ISR"]', '["Israel", "korea utara"]').replace("libur_tambahan = []",
                                                                     "libur_tambahan = [2026-01-02, \"2026-01-05\"]")
    )
    assert rules.countries_without_relations == ("ISR", "PRK")
    assert rules.extra_holidays == (date(2026, 1, 2), date(2026, 1, 5))


def test_environment_variable_names_another_file(tmp_path, monkeypatch):
    other = tmp_path / "aturan.toml"
    other.write_text(TEXT.replace("seremonial_bulan = 6", "seremonial_bulan = 3"), encoding="utf-8")
    monkeypatch.setenv("KSLN_RULES", str(other))
    assert load_rules().ceremonial_months == 3
    assert load_rules(DEFAULT_RULES).ceremonial_months == 6


def test_missing_file_is_a_rules_error(tmp_path):
    with pytest.raises(RulesError, match="tidak dapat dibaca"):
        load_rules(tmp_path / "tidak-ada.toml")


def test_save_text_keeps_comments_and_refuses_invalid(tmp_path):
    target = tmp_path / "aturan.toml"
    edited = TEXT.replace("mangkrak_bulan = 12", "mangkrak_bulan = 18")
    assert save_rules(edited, target).stalled_months == 18
    assert target.read_text(encoding="utf-8") == edited
    with pytest.raises(RulesError):
        save_rules(TEXT.replace("capaian = 30", "capaian = 31"), target)
    assert target.read_text(encoding="utf-8") == edited  # unchanged


def test_save_dict_round_trips(tmp_path):
    target = tmp_path / "aturan.toml"
    data = load_rules().to_dict()
    data["ambang"]["segera_berakhir_bulan"] = 3
    data["kalender"]["libur_tambahan"] = [date(2026, 1, 2)]
    saved = save_rules(data, target)
    assert load_rules(target) == saved
    assert saved.expiring_months == 3 and saved.extra_holidays == (date(2026, 1, 2),)


def test_changing_a_threshold_in_the_file_changes_the_result(tmp_path):
    store = build_store(
        tmp_path / "t.duckdb",
        [perjanjian("P1", tanggal_ttd=d("2024-03-11"), tanggal_pks=None, ada_rik=False, ada_awp=False)],
        [kegiatan("P1", "2024-03-11", "penandatanganan")],
    )
    rules_file = tmp_path / "aturan.toml"
    rules_file.write_text(TEXT.replace("seremonial_bulan = 6", "seremonial_bulan = 3"), encoding="utf-8")
    try:
        default = compute(store, d("2024-07-01"), load_rules())
        shorter = compute(store, d("2024-07-01"), load_rules(rules_file))
    finally:
        store.close()
    assert "ceremonial_only" not in set(default.flags.code)
    flag = shorter.flags[shorter.flags.code == "ceremonial_only"].iloc[0]
    assert "3 bulan sebelum 1 Juli 2024" in flag.reason
    assert "sekurang-kurangnya 3 bulan" in flag.rule


def test_every_flag_documents_its_settings():
    keys = {s.key for s in SETTINGS}
    for flag in FLAGS:
        assert set(flag.settings) <= keys
        assert flag.label and flag.rule and flag.why and flag.example and flag.assumptions


def test_default_path_is_next_to_the_package():
    assert DEFAULT_RULES == Path(__file__).resolve().parents[2] / "data" / "aturan.toml"
