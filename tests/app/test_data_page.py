"""The store overview page through Streamlit's AppTest, on a real DuckDB file."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ksln_metrics.ingest import commit_upload, read_upload
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreements_workbook

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "app.duckdb"
    with Store(path) as store:
        commit_upload(store, read_upload("lebak.xlsx", agreements_workbook(), store=store), user="analis")
    monkeypatch.setenv("KSLN_DB", str(path))
    return path


def test_overview_lists_what_is_in_the_store(db):
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30).run()
    assert not app.exception
    assert app.title[0].value == "Data Tersimpan"
    counts = app.dataframe[0].value
    assert counts.loc["36.02", "Perjanjian"] == 3 and counts["Perjanjian"].sum() == 3
    history = app.dataframe[1].value
    assert history["Berkas"].tolist() == ["lebak.xlsx"] and history["Pengguna"].tolist() == ["analis"]
    assert not app.warning  # no sample data in this store
