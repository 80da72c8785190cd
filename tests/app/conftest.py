"""Page-test fixtures: a demo store built once through the real demo loader, private rules, clean caches."""

import shutil
from datetime import date
from pathlib import Path

import pytest
import streamlit as st

from ksln_metrics.clock import ENV as TODAY_ENV
from ksln_metrics.engine.rules import DEFAULT_RULES
from ksln_metrics.sample.demo import load_demo
from ksln_metrics.store import Store
from tests.app.pages_support import add_test_accounts

ROOT = Path(__file__).resolve().parents[2]
DEMO_TODAY = date(2026, 11, 28)  # fixed, so the page tests see the same flags every day


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store, today=DEMO_TODAY)
    add_test_accounts(path)  # hashed once per session, copied with the store
    return path


@pytest.fixture
def demo_db(demo_db_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo store, named by KSLN_DB for the app under test."""
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db_template.read_bytes())
    monkeypatch.setenv("KSLN_DB", str(path))
    return path


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch) -> date:
    """The app computes as of the demo's day, whatever the machine's calendar says."""
    monkeypatch.setenv(TODAY_ENV, DEMO_TODAY.isoformat())
    return DEMO_TODAY


@pytest.fixture(autouse=True)
def rules_file(tmp_path, monkeypatch) -> Path:
    """A private copy of the rules file: page tests never touch data/aturan.toml."""
    path = tmp_path / "aturan.toml"
    shutil.copy(DEFAULT_RULES, path)
    monkeypatch.setenv("KSLN_RULES", str(path))
    return path


@pytest.fixture(autouse=True)
def fresh_caches():
    st.cache_resource.clear()
    st.cache_data.clear()
    yield
    st.cache_resource.clear()
    st.cache_data.clear()
