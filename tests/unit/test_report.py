"""The offline HTML report: self-contained (nothing a browser would fetch), escaped, one printed page per slide."""

import html
import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from ksln_metrics.engine.indicators import compute
from ksln_metrics.present.report import report_html
from ksln_metrics.present.slides import FIXED_KINDS, MEETING_NAME, build_slides
from tests.unit.builders import build_store, perjanjian
from tests.unit.conftest import MEETING_AS_OF

ROOT = Path(__file__).resolve().parents[2]
# Attributes and CSS through which a browser loads something by itself.
LOADING = re.compile(r"""(?:\b(?:src|href|srcset|action|poster|data)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)\s*"""
                     r"""(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def report(meeting_slides) -> str:
    return report_html(meeting_slides, MEETING_NAME, "KSLN Monitor")


def outside_scripts(text: str) -> str:
    """The document without the bodies of its inline scripts (plotly.js names URLs in its code)."""
    return re.sub(r"<script>.*?</script>", "<script></script>", text, flags=re.DOTALL)


def test_nothing_is_loaded_from_the_network(report):
    assert "<script src" not in report and "<link" not in report
    assert not LOADING.search(outside_scripts(report))
    # Every chart's configuration keeps topojsonURL local, and the world topojson is registered inline.
    configs = re.findall(r"Plotly\.newPlot\([^,]+, spec\.data, spec\.layout, (\{.*?\})\); \}\)\(\);", report)
    assert len(configs) == 3
    for config in configs:
        assert not json.loads(config)["topojsonURL"].startswith(("http", "//"))
    assert report.index("window.PlotlyGeoAssets = {topojson: {world_110m: {") < report.index("<script>/**")
    assert report.count("Plotly.newPlot(") == 3


def test_one_section_per_slide_with_print_page_breaks(report, meeting_slides):
    assert report.count('<section class="slide ') == len(meeting_slides) == len(FIXED_KINDS) + 9
    assert "@media print" in report and "break-after: page" in report
    assert report.count("<table>") == sum(s.table is not None for s in meeting_slides)
    for slide in meeting_slides:
        assert html.escape(slide.title) in report


def test_user_text_is_escaped(tmp_path, meeting_rules):
    evil = '<script>alert("x")</script><img src="https://contoh.invalid/x.png">'
    store = build_store(tmp_path / "jahat.duckdb", [perjanjian("P1", mitra=evil, tanggal_persetujuan_dprd=None)])
    results = compute(store, date(2025, 6, 30), meeting_rules)
    store.close()
    text = report_html(build_slides(results, date(2025, 6, 30), rules=meeting_rules), "Uji")
    assert evil not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert not LOADING.search(outside_scripts(text))


def test_cli_report_writes_one_html_file(meeting_db, tmp_path):
    out = tmp_path / "rakor.html"
    done = subprocess.run(
        [sys.executable, "-m", "ksln_metrics", "report", "--db", str(meeting_db), "--as-of", MEETING_AS_OF.isoformat(),
         "--out", str(out)], cwd=ROOT, capture_output=True, text=True, env=dict(os.environ), timeout=120)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and text.count('<section class="slide ') == len(FIXED_KINDS) + 9
    assert "Data per tanggal acuan: 28 November 2026" in text
