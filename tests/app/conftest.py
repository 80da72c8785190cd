"""A demo store for the page tests, built once per test session through the real demo loader."""

from datetime import date
from pathlib import Path

import pytest

from ksln_metrics.demo import load_demo
from ksln_metrics.store import Store

ROOT = Path(__file__).resolve().parents[2]
DEMO_TODAY = date(2026, 11, 28)  # fixed, so the page tests see the same flags every day


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store, today=DEMO_TODAY)
    return path


@pytest.fixture
def demo_db(demo_db_template, tmp_path, monkeypatch) -> Path:
    """A private copy of the demo store, named by KSLN_DB for the app under test."""
    path = tmp_path / "demo.duckdb"
    path.write_bytes(demo_db_template.read_bytes())
    monkeypatch.setenv("KSLN_DB", str(path))
    return path
