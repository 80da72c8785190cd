"""Settings changes from the Pengaturan page: checked, written with comments kept, logged; nothing on error."""

import shutil
import tomllib

import pytest

from ksln_metrics.methodology import methodology_markdown
from ksln_metrics.outline import sections, table_of_contents
from ksln_metrics.rules import DEFAULT_RULES, RulesError, load_rules
from ksln_metrics.rules_change import (
    change_log_path,
    read_change_log,
    save_settings,
    save_settings_text,
    toml_value,
    update_rules_text,
)
from tests.unit.builders import d


@pytest.fixture
def rules_file(tmp_path, monkeypatch):
    path = tmp_path / "aturan.toml"
    shutil.copy(DEFAULT_RULES, path)
    monkeypatch.setenv("KSLN_RULES", str(path))
    return path


def test_form_change_rewrites_only_the_changed_values_and_keeps_comments(rules_file):
    before = rules_file.read_text(encoding="utf-8")
    changes = save_settings({"bobot.kepatuhan": 40.0, "bobot.capaian": 15.0,
                             "kalender.libur_tambahan": [d("2026-01-02")],
                             "negara.tanpa_hubungan_diplomatik": ["ISR", "Korea Utara"]}, "Budi")
    assert [c.key for c in changes] == ["bobot.kepatuhan", "bobot.capaian", "negara.tanpa_hubungan_diplomatik",
                                        "kalender.libur_tambahan"]
    after = rules_file.read_text(encoding="utf-8")
    assert "kepatuhan = 40       # persetujuan DPRD" in after
    assert "libur_tambahan = [2026-01-02]" in after
    assert 'tanpa_hubungan_diplomatik = ["ISR", "PRK"]' in after
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments == [line for line in after.splitlines() if line.startswith("#")]
    rules = load_rules()
    assert (rules.weight_compliance, rules.weight_achievement) == (40, 15)
    assert rules.extra_holidays == (d("2026-01-02"),)


def test_invalid_weights_raise_naming_the_key_and_write_nothing(rules_file):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError) as error:
        save_settings({"bobot.kepatuhan": 50}, "Budi")
    assert error.value.key == "bobot" and "harus 100, sekarang 125" in str(error.value)
    assert rules_file.read_bytes() == before
    assert not change_log_path().exists()


def test_unknown_activity_type_and_missing_user_are_refused(rules_file):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError, match="kegiatan.jenis_seremonial"):
        save_settings({"kegiatan.jenis_seremonial": ["pesta"]}, "Budi")
    with pytest.raises(RulesError, match="nama"):
        save_settings({"ambang.mangkrak_bulan": 18}, "  ")
    assert rules_file.read_bytes() == before


def test_no_change_writes_nothing(rules_file):
    assert save_settings({"ambang.mangkrak_bulan": 12}, "Budi") is None
    assert not change_log_path().exists()


def test_every_saved_change_is_logged_with_user_and_old_and_new_values(rules_file):
    save_settings({"ambang.mangkrak_bulan": 18}, "Budi")
    text = rules_file.read_text(encoding="utf-8").replace("segera_berakhir_bulan = 6", "segera_berakhir_bulan = 3")
    save_settings_text(text, "Ani")
    log = read_change_log()
    assert change_log_path() == rules_file.with_name("aturan.log.jsonl")
    assert log[["pengguna", "sumber", "kunci", "lama", "baru"]].values.tolist() == [
        ["Ani", "teks", "ambang.segera_berakhir_bulan", 6, 3],
        ["Budi", "formulir", "ambang.mangkrak_bulan", 12, 18],
    ]


def test_invalid_toml_text_is_refused_and_nothing_written(rules_file):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError, match="TOML"):
        save_settings_text("[bobot\nkepatuhan = ", "Budi")
    with pytest.raises(RulesError, match="ambang.mangkrak_bulan"):
        save_settings_text(before.decode().replace("mangkrak_bulan = 12", "mangkrak_bulan = -1"), "Budi")
    assert rules_file.read_bytes() == before and not change_log_path().exists()


def test_values_are_written_as_toml_that_reads_back():
    value = ["wakil", 'kata "kutip"', "a.n."] * 10
    text = f"[x]\na = {toml_value(value)}\nb = {toml_value([d('2026-01-02')])}\nc = {toml_value(2.5)}\n"
    assert tomllib.loads(text) == {"x": {"a": value, "b": [d("2026-01-02")], "c": 2.5}}


def test_multiline_array_is_replaced_whole():
    text = '[t]\nx = [\n  "a", "b",  # note\n  "c",\n]\ny = 1 # keep\n'
    assert update_rules_text(text, {"t.x": ["z"], "t.y": 2}) == '[t]\nx = ["z"]\ny = 2 # keep\n'


def test_methodology_outline_links_every_section():
    parts = sections(methodology_markdown(load_rules()))
    assert parts[0].level == 1 and parts[0].title.startswith("Metodologi")
    anchors = [p.anchor for p in parts]
    assert len(anchors) == len(set(anchors))
    toc = table_of_contents(parts)
    assert "- [Istilah](#istilah)" in toc
    assert "  - [Seremonial saja (ceremonial_only)](#seremonial-saja-ceremonial-only)" in toc
    assert "<" not in toc
