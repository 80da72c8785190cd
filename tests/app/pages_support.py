"""Shared helpers of the page tests: expected figures from the engine, opening a page, finding a table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ksln_metrics.indicators import Filters, Results, compute
from ksln_metrics.rules import Rules, load_rules
from ksln_metrics.store import Store

ROOT = Path(__file__).resolve().parents[2]


def expected_results(db: Path, rules: Rules | None = None, filters: Filters | None = None) -> Results:
    """The engine's figures, computed before the app opens the file (one read-write connection per file)."""
    with Store(db) as store:
        return compute(store, date.today(), rules or load_rules(), filters or Filters())


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    return app.switch_page(f"pages/halaman_{page}.py").run()


def table_with(app: AppTest, column: str):
    """The first table on the page that has ``column``."""
    return next(df.value for df in app.dataframe if column in df.value.columns)
