"""Settings changes from the Pengaturan page: admin only, checked, written with comments kept, audited; nothing on error."""

import shutil
import tomllib

import pytest

from ksln_metrics.access import User
from ksln_metrics.engine.rules import DEFAULT_RULES, RulesError, load_rules
from ksln_metrics.engine.rules_change import (
    change_log_path,
    import_change_log,
    read_change_log,
    save_settings,
    save_settings_text,
    toml_value,
    update_rules_text,
)
from ksln_metrics.present.methodology import methodology_markdown
from ksln_metrics.present.outline import sections, table_of_contents
from ksln_metrics.store import AccessDenied, Store
from tests.unit.builders import d

BUDI, ANI = User("budi", "admin"), User("ani", "admin")


@pytest.fixture
def rules_file(tmp_path, monkeypatch):
    path = tmp_path / "aturan.toml"
    shutil.copy(DEFAULT_RULES, path)
    monkeypatch.setenv("KSLN_RULES", str(path))
    return path


@pytest.fixture
def store(store_location):
    with Store(store_location) as store:
        yield store


def test_form_change_rewrites_only_the_changed_values_and_keeps_comments(rules_file, store):
    before = rules_file.read_text(encoding="utf-8")
    changes = save_settings({"bobot.kepatuhan": 40.0, "bobot.capaian": 15.0,
                             "kalender.libur_tambahan": [d("2026-01-02")],
                             "negara.tanpa_hubungan_diplomatik": ["ISR", "Korea Utara"]}, BUDI, store=store)
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


def test_invalid_weights_raise_naming_the_key_and_write_nothing(rules_file, store):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError) as error:
        save_settings({"bobot.kepatuhan": 50}, BUDI, store=store)
    assert error.value.key == "bobot" and "harus 100, sekarang 125" in str(error.value)
    assert rules_file.read_bytes() == before
    assert read_change_log(store).empty


def test_unknown_activity_type_and_missing_user_are_refused(rules_file, store):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError, match="kegiatan.jenis_seremonial"):
        save_settings({"kegiatan.jenis_seremonial": ["pesta"]}, BUDI, store=store)
    with pytest.raises(RulesError, match="nama"):
        save_settings({"ambang.mangkrak_bulan": 18}, "  ", store=store)
    assert rules_file.read_bytes() == before


def test_no_change_writes_nothing(rules_file, store):
    assert save_settings({"ambang.mangkrak_bulan": 12}, BUDI, store=store) is None
    assert read_change_log(store).empty


def test_every_saved_change_is_logged_with_user_and_old_and_new_values(rules_file, store):
    save_settings({"ambang.mangkrak_bulan": 18}, BUDI, store=store)
    text = rules_file.read_text(encoding="utf-8").replace("segera_berakhir_bulan = 6", "segera_berakhir_bulan = 3")
    save_settings_text(text, ANI, store=store)
    log = read_change_log(store)
    assert log[["pengguna", "sumber", "kunci", "lama", "baru"]].values.tolist() == [
        ["ani", "teks", "ambang.segera_berakhir_bulan", 6, 3],
        ["budi", "formulir", "ambang.mangkrak_bulan", 12, 18],
    ]
    audit = store.query("SELECT user_name, action, detail FROM audit ORDER BY audit_id")
    assert audit.values.tolist() == [["budi", "pengaturan", "ambang.mangkrak_bulan: 12 → 18"],
                                     ["ani", "pengaturan", "ambang.segera_berakhir_bulan: 6 → 3"]]
    assert not change_log_path().exists()  # no side log any more: the audit trail is the one record


def test_only_an_admin_may_change_settings(rules_file, store):
    before = rules_file.read_bytes()
    for user in (User("pim", "pimpinan"), User("ana", "analis", "36")):
        with pytest.raises(AccessDenied, match="Hanya admin yang dapat mengubah pengaturan"):
            save_settings({"ambang.mangkrak_bulan": 18}, user, store=store)
        with pytest.raises(AccessDenied):
            save_settings_text(before.decode().replace("mangkrak_bulan = 12", "mangkrak_bulan = 18"), user,
                               store=store)
    assert rules_file.read_bytes() == before and read_change_log(store).empty


def test_the_old_json_lines_log_moves_into_the_audit_trail_once(rules_file, store):
    log = change_log_path()
    log.write_text(
        '{"waktu": "2026-03-01T02:00:00+00:00", "pengguna": "Budi", "sumber": "formulir", "berkas": "aturan.toml", '
        '"perubahan": [{"kunci": "bobot.kepatuhan", "lama": 25, "baru": 40}]}\n{"torn', encoding="utf-8")
    assert import_change_log(store) == 1
    assert import_change_log(store) == 0  # renamed: not imported twice
    assert not log.exists() and log.with_name("aturan.log.jsonl.diimpor").exists()
    assert read_change_log(store)[["pengguna", "kunci", "lama", "baru"]].values.tolist() == [
        ["Budi", "bobot.kepatuhan", 25, 40]]


def test_invalid_toml_text_is_refused_and_nothing_written(rules_file, store):
    before = rules_file.read_bytes()
    with pytest.raises(RulesError, match="TOML"):
        save_settings_text("[bobot\nkepatuhan = ", BUDI, store=store)
    with pytest.raises(RulesError, match="ambang.mangkrak_bulan"):
        save_settings_text(before.decode().replace("mangkrak_bulan = 12", "mangkrak_bulan = -1"), BUDI, store=store)
    assert rules_file.read_bytes() == before and read_change_log(store).empty


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
    assert "  - [Seremonial saja](#seremonial-saja)" in toc
    assert "ceremonial_only" not in toc  # headings name flags in Indonesian only
    assert "<" not in toc
