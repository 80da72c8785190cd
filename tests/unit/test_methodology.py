"""The methodology is generated from the flag, component and ranking definitions and the current settings."""

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ksln_metrics.engine.indicators import compute
from ksln_metrics.engine.rules import ATTENTION, COMPONENTS, FLAG_CODES, FLAGS, load_rules
from ksln_metrics.present.methodology import example_values, methodology_markdown
from tests.unit.builders import build_store, d, kegiatan, laporan, perjanjian

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 28)


def test_one_section_per_flag_component_and_ranking_in_red_flag_form():
    text = methodology_markdown(load_rules(), AS_OF)
    for flag in FLAGS:
        assert f"### {flag.label}\n" in text
    for component in COMPONENTS:
        assert f"### {component.label} (bobot " in text
    assert f"### {ATTENTION.label}\n" in text
    sections = len(FLAGS) + len(COMPONENTS) + 1
    for heading in ("**Aturan.**", "**Contoh.**", "**Mengapa penting.**", "**Keluaran.**", "**Pengaturan.**",
                    "**Asumsi.**"):
        assert text.count(heading) == sections, heading
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert not any(code in line for line in headings for code in FLAG_CODES)  # codes only in exports


def test_settings_appear_with_their_labels_and_current_values():
    rules = load_rules()
    text = methodology_markdown(rules, AS_OF)
    assert "- Bulan sejak tanda tangan sebelum ditandai Seremonial saja: **6**" in text
    assert "- Negara tanpa hubungan diplomatik dengan Indonesia: **Israel (ISR)**" in text
    assert "ambang.seremonial_bulan" not in text
    changed = methodology_markdown(rules.replace(**{"ambang.mangkrak_bulan": 24}), AS_OF)
    assert "- Bulan tanpa kegiatan substantif (Mangkrak): **24**" in changed
    assert "dalam 24 bulan terakhir" in changed
    assert "{" not in changed  # every placeholder filled


def test_examples_follow_the_settings():
    rules = load_rules()
    text = methodology_markdown(rules, AS_OF)
    assert "Per 11 September 2019 (6 bulan kemudian)" in text
    assert "3/4 × 25 = 18,75" in text and "Batas laporan TA 2025 adalah 12 Januari 2026" in text
    changed = rules.replace(**{"ambang.seremonial_bulan": 9, "bobot.kepatuhan": 40, "bobot.capaian": 15,
                               "pelaporan.batas_hari_kerja": 10, "perhatian.poin_per_bendera": 30})
    text = methodology_markdown(changed, AS_OF)
    assert "Per 11 Desember 2019 (9 bulan kemudian)" in text and "6 bulan kemudian" not in text
    assert "3/4 × 40 = 30,00" in text
    assert "Batas laporan TA 2025 adalah 15 Januari 2026" in text
    assert "(100 − 62,5) + 30 × 4 = 157,50 poin" in text


@pytest.mark.parametrize("months", [6, 9])
def test_the_ceremonial_example_is_what_the_engine_flags(tmp_path, months):
    # The example's dates are the engine's: flagged on the date it names, not the day before.
    rules = load_rules().replace(**{"ambang.seremonial_bulan": months})
    flagged_on = example_values(rules)["contoh_seremonial_acuan"]
    store = build_store(tmp_path / "s.duckdb",
                        [perjanjian("P1", tanggal_ttd=d("2019-03-11"), tanggal_pks=None, ada_rik=False, ada_awp=False)],
                        [kegiatan("P1", "2019-03-11", "penandatanganan")])
    day = {6: d("2019-09-11"), 9: d("2019-12-11")}[months]
    assert flagged_on.startswith(str(day.day))
    codes = [compute(store, on, rules).agreements.iloc[0]["flags"].split(";") for on in (day, day.replace(day=10))]
    assert "ceremonial_only" in codes[0] and "ceremonial_only" not in codes[1]
    store.close()


def test_the_late_report_example_is_what_the_engine_counts(tmp_path):
    rules = load_rules()
    store = build_store(tmp_path / "s.duckdb", [perjanjian("P1", tanggal_ttd=d("2025-01-05"))], [], [],
                        [laporan("P1", 2025, "2026-01-13")])
    assert example_values(rules)["contoh_terlambat_2025"] == "13 Januari 2026"
    row = compute(store, d("2026-03-01"), rules).agreements.iloc[0]
    assert row["laporan_terlambat"] == 1
    store.close()


def test_glossary_defines_active_and_deadline():
    text = methodology_markdown(load_rules(), AS_OF)
    assert "**Aktif.**" in text and "**Aktif pada tahun anggaran Y.**" in text
    assert "Hari kerja ke-7 setelah 31 Desember" in text
    assert "TA 2024 → 10 Januari 2025, TA 2025 → 12 Januari 2026" in text


def test_cli_prints_markdown():
    result = subprocess.run([sys.executable, "-m", "ksln_metrics", "metodologi"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Metodologi")
    assert "Seremonial saja" in result.stdout
