"""Issue 11 item 7: a DuckDB file held by another process (the CLI importing) gives an Indonesian
message, never Streamlit's English error page, and the app recovers by itself once it is released."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from streamlit.testing.v1 import AppTest

from ksln_metrics.store import BUSY_MESSAGE, Store, StoreBusy
from tests.app.pages_support import ROOT, add_test_accounts

HOLD = "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('held', flush=True); sys.stdin.read()"


def hold_lock(db) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "sibuk.duckdb"
    add_test_accounts(path)
    monkeypatch.setenv("KSLN_DB", str(path))
    return path


def test_a_store_held_by_another_process_is_refused_in_indonesian(db):
    holder = hold_lock(db)
    try:
        with pytest.raises(StoreBusy) as refused:
            Store(db)
        assert str(refused.value) == BUSY_MESSAGE and "sedang diperbarui" in BUSY_MESSAGE
    finally:
        holder.communicate("", timeout=30)


def test_the_app_waits_for_the_lock_and_recovers_by_itself(db, monkeypatch):
    monkeypatch.setattr("ksln_ui.state.BUSY_RETRY_SECONDS", 0.5)
    holder = hold_lock(db)
    release = threading.Timer(3.0, lambda: holder.communicate("", timeout=30))
    release.start()
    try:
        app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60).run()
    finally:
        release.join()
    assert not app.exception
    assert app.text_input(key="masuk_nama") is not None  # the login form, once the file was free


def test_the_cli_says_the_file_is_in_use_in_indonesian(db, tmp_path):
    holder = hold_lock(db)
    try:
        csv = tmp_path / "kegiatan.csv"
        csv.write_text("ID Perjanjian;Tanggal;Nama Kegiatan\nLBK-001;02/09/2024;Pelatihan\n", encoding="utf-8")
        run = subprocess.run([sys.executable, "-m", "ksln_metrics", "ingest", str(csv), "--db", str(db)],
                             capture_output=True, text=True, timeout=120, cwd=ROOT)
    finally:
        holder.communicate("", timeout=30)
    assert run.returncode == 1
    assert "tidak dapat dibuka; mungkin sedang dipakai proses lain" in run.stderr and "Traceback" not in run.stderr
