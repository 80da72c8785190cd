"""Shared helpers of the page tests for Perjanjian, Peringatan, Metodologi and Pengaturan."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from ksln_metrics.indicators import Filters, Results, compute
from ksln_metrics.rules import DEFAULT_RULES, Rules, load_rules
from ksln_metrics.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def rules_file(tmp_path, monkeypatch) -> Path:
    """A private copy of the rules file: page tests never touch data/aturan.toml."""
    path = tmp_path / "aturan.toml"
    shutil.copy(DEFAULT_RULES, path)
    monkeypatch.setenv("KSLN_RULES", str(path))
    return path


@pytest.fixture(autouse=True)
def navigation_mode(monkeypatch):
    """Run dashboard.py on every rerun, as the server does once st.navigation has been called.

    AppTest resets Streamlit's "pages/ directory" mode before each run; in that mode a
    page whose url_path equals its file name (pages/perjanjian.py at /perjanjian) is run on
    its own, without dashboard.py and so without the sidebar filters. A live server leaves
    that mode after the first run; see the report of the Perjanjian pages.
    """
    from streamlit.runtime.scriptrunner import script_runner

    def run_main_script(main_script_path: str) -> None:
        path = Path(main_script_path)
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"),  # noqa: S102
             {"__name__": "__main__", "__file__": str(path)})

    monkeypatch.setattr(script_runner, "_mpa_v1", run_main_script)


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()


def expected_results(db: Path, rules: Rules | None = None, filters: Filters | None = None) -> Results:
    """The engine's figures, computed before the app opens the file (one read-write connection per file)."""
    with Store(db) as store:
        return compute(store, date.today(), rules or load_rules(), filters or Filters())


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    return app.switch_page(f"pages/{page}.py").run()


def table_with(app: AppTest, column: str):
    """The first table on the page that has ``column``."""
    return next(df.value for df in app.dataframe if column in df.value.columns)
