"""The methodology is generated from the flag and component definitions and the current settings."""

import subprocess
import sys
from pathlib import Path

from ksln_metrics.engine.rules import COMPONENTS, FLAGS, load_rules
from ksln_metrics.present.methodology import methodology_markdown

ROOT = Path(__file__).resolve().parents[2]


def test_one_section_per_flag_and_component_in_red_flag_form():
    text = methodology_markdown(load_rules())
    for flag in FLAGS:
        assert f"### {flag.label} (`{flag.code}`)" in text
    for component in COMPONENTS:
        assert f"### {component.label} (bobot " in text
    sections = len(FLAGS) + len(COMPONENTS)
    for heading in ("**Aturan.**", "**Contoh.**", "**Mengapa penting.**", "**Konfigurasi.**", "**Asumsi.**"):
        assert text.count(heading) == sections


def test_settings_appear_with_their_current_values():
    rules = load_rules()
    text = methodology_markdown(rules)
    assert "`ambang.seremonial_bulan` = 6" in text
    assert "`negara.tanpa_hubungan_diplomatik` = Israel (ISR)" in text
    changed = methodology_markdown(rules.replace(**{"ambang.mangkrak_bulan": 24}))
    assert "`ambang.mangkrak_bulan` = 24" in changed
    assert "dalam 24 bulan terakhir" in changed
    assert "{" not in changed  # every placeholder filled


def test_glossary_defines_active_and_deadline():
    text = methodology_markdown(load_rules())
    assert "**Aktif.**" in text and "**Aktif pada tahun anggaran Y.**" in text
    assert "Hari kerja ke-7 setelah 31 Desember" in text


def test_cli_prints_markdown():
    result = subprocess.run([sys.executable, "-m", "ksln_metrics", "metodologi"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Metodologi")
    assert "Seremonial saja" in result.stdout
