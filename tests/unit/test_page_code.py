"""What every page's code must hold, read from its source: checks no single page test would catch."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ksln_ui/*.py"), ROOT / "dashboard.py"])


def calls(name: str):
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == name:
                yield path, node


def test_a_download_does_not_rerun_the_page():
    """A download changes nothing, so it must not rerun the script: a rerun redraws the page under the
    user's next click (a second download button clicked then did nothing)."""
    found = list(calls("download_button"))
    assert len(found) >= 15
    for path, node in found:
        options = {k.arg: k.value for k in node.keywords}
        assert "on_click" in options and ast.literal_eval(options["on_click"]) == "ignore", \
            f"{path.relative_to(ROOT)}:{node.lineno}"


def test_no_page_renders_raw_html_from_markdown():
    for path, node in calls("markdown"):
        for keyword in node.keywords:
            assert keyword.arg != "unsafe_allow_html", f"{path.relative_to(ROOT)}:{node.lineno}"
