"""The command line contract of DESIGN §6 for `ingest`, run as a real process."""

import subprocess
import sys
from pathlib import Path

import pytest

from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, agreements_workbook, kegiatan_csv_cp1252, simple_agreement_xlsx

ROOT = Path(__file__).resolve().parents[2]


def ksln(*args, env_db=None):
    env = None
    if env_db is not None:
        import os

        env = {**os.environ, "KSLN_DB": str(env_db)}
    return subprocess.run([sys.executable, "-m", "ksln_metrics", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=120)


@pytest.fixture
def files(tmp_path):
    (tmp_path / "lebak.xlsx").write_bytes(agreements_workbook())
    (tmp_path / "parent.xlsx").write_bytes(simple_agreement_xlsx([agreement()]))
    (tmp_path / "kegiatan.csv").write_bytes(kegiatan_csv_cp1252())
    bad = [agreement(**{"Kab/Kota": "Serang"}), agreement(**{"ID Perjanjian": "X2", "Tanggal Penandatanganan": "kemarin"})]
    (tmp_path / "salah.xlsx").write_bytes(simple_agreement_xlsx(bad))
    return tmp_path


def contents(db):
    with Store(db) as store:
        # CSV text: NaN compares equal to NaN, and every value and type shows.
        return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}, len(store.batches())


def test_ingest_commits_every_file_and_exits_0(files):
    db = files / "k.duckdb"
    run = ksln("ingest", files / "lebak.xlsx", files / "parent.xlsx", files / "kegiatan.csv", "--db", db, "--user", "budi")
    assert run.returncode == 0, run.stderr
    assert "batch #1 disimpan" in run.stdout and "batch #3 disimpan" in run.stdout
    tables, batches = contents(db)
    assert (tables["perjanjian"].count("\n") - 1, tables["kegiatan"].count("\n") - 1, batches) == (4, 3, 3)
    with Store(db) as store:
        assert set(store.batches()["user_name"]) == {"budi"}


def test_second_import_of_the_same_file_changes_nothing(files):
    db = files / "k.duckdb"
    assert ksln("ingest", files / "lebak.xlsx", "--db", db).returncode == 0
    before = contents(db)
    again = ksln("ingest", files / "lebak.xlsx", "--db", db)
    assert again.returncode == 0 and "tidak ada perubahan" in again.stdout
    assert contents(db) == before


def test_errors_exit_1_print_located_problems_and_write_nothing(files):
    db = files / "k.duckdb"
    assert ksln("ingest", files / "parent.xlsx", "--db", db).returncode == 0
    before = contents(db)
    run = ksln("ingest", files / "lebak.xlsx", files / "salah.xlsx", "--db", db)
    assert run.returncode == 1
    problems = [line for line in run.stderr.splitlines() if line.startswith("salah.xlsx:")]
    assert problems[0].startswith("salah.xlsx:Perjanjian:2:Kab/Kota: ") and "ambigu" in problems[0]
    assert problems[1].startswith("salah.xlsx:Perjanjian:3:Tanggal Penandatanganan: ")
    assert contents(db) == before  # the good file in the same call is not committed either


def test_usage_errors_exit_2(files):
    db = files / "k.duckdb"
    assert ksln("ingest", "--db", db).returncode == 2
    assert ksln("ingest", files / "tidak-ada.xlsx", "--db", db).returncode == 2
    assert ksln("perintah-asing").returncode == 2


def test_ksln_db_environment_variable(files):
    db = files / "env.duckdb"
    assert ksln("ingest", files / "parent.xlsx", env_db=db).returncode == 0
    assert contents(db)[0]["perjanjian"].count("\n") == 2


def test_replace_removes_rows_missing_from_the_file_through_a_batch(files):
    db = files / "k.duckdb"
    assert ksln("ingest", files / "lebak.xlsx", files / "parent.xlsx", "--db", db).returncode == 0
    run = ksln("ingest", files / "parent.xlsx", "--db", db, "--replace")
    assert run.returncode == 0 and "3 dihapus" in run.stdout
    with Store(db) as store:
        assert store.table("perjanjian")["id_perjanjian"].tolist() == ["LBK-001"]
