"""`users` subcommands and `ingest --user` under roles, run as real processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ksln_metrics.accounts.users import authenticate, list_accounts
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

ROOT = Path(__file__).resolve().parents[2]


def ksln(*args, stdin=None, env_db=None):
    env = {**os.environ, "KSLN_DB": str(env_db)} if env_db is not None else None
    return subprocess.run([sys.executable, "-m", "ksln_metrics", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, input=stdin, timeout=120)


@pytest.fixture
def db(store_location):
    """A store (DuckDB file, then PostgreSQL) with an admin, a Lebak analyst and a leader, made through the command
    line; on PostgreSQL every process gets the password from PGPASSWORD."""
    path = store_location
    first = ksln("users", "ensure-admin", "--db", path)
    assert first.returncode == 0 and "kata sandi    :" in first.stdout
    assert ksln("users", "ensure-admin", "--db", path).stdout == ""  # printed once only
    add = ksln("users", "add", "budi.lebak", "--role", "analis", "--kabkota", "36.02", "--password-stdin",
               stdin="sandi-budi-panjang\n", env_db=path)  # KSLN_DB instead of --db
    assert add.returncode == 0, add.stderr
    assert "analis Kabupaten Lebak (36.02)" in add.stdout
    assert ksln("users", "add", "kepala", "--role", "pimpinan", "--password-stdin", "--db", path,
                stdin="sandi-kepala-panjang\n").returncode == 0
    return path


@pytest.fixture
def files(tmp_path):
    (tmp_path / "lebak.xlsx").write_bytes(simple_agreement_xlsx([agreement()]))
    tangsel = agreement(**{"ID Perjanjian": "TGS-001", "Kab/Kota": "Kota Tangerang Selatan", "Mitra": "Kota Suwon"})
    (tmp_path / "campur.xlsx").write_bytes(simple_agreement_xlsx([agreement(**{"ID Perjanjian": "LBK-002"}), tangsel]))
    return tmp_path


def contents(db):
    with Store(db) as store:
        return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}, len(store.batches())


def test_users_add_list_passwd_disable(db):
    listing = ksln("users", "list", "--db", db)
    assert listing.returncode == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == ["admin", "budi.lebak", "kepala"]
    assert "analis Kabupaten Lebak (36.02)" in listing.stdout
    assert ksln("users", "passwd", "budi.lebak", "--password-stdin", "--db", db, stdin="sandi-baru-budi\n").returncode == 0
    assert ksln("users", "disable", "kepala", "--db", db).returncode == 0
    assert "nonaktif" in ksln("users", "list", "--db", db).stdout.splitlines()[2]
    with Store(db) as store:
        assert authenticate(store, "budi.lebak", "sandi-baru-budi").name == "budi.lebak"
        accounts = list_accounts(store).set_index("user_name")
        actions = store.query("SELECT user_name, action, target FROM audit ORDER BY audit_id")
    assert not accounts.loc["kepala", "active"]
    assert actions["action"].tolist() == ["akun_dibuat", "akun_dibuat", "akun_dibuat", "kata_sandi_diganti",
                                          "akun_dinonaktifkan", "masuk"]
    assert actions["user_name"].iloc[0] == "sistem" and actions["user_name"].iloc[1].startswith("baris-perintah:")


def test_users_refuses_bad_input_with_exit_codes(db):
    assert ksln("users", "add", "ani", "--role", "analis", "--password-stdin", "--db", db, stdin="x" * 12).returncode == 2
    short = ksln("users", "add", "ani", "--role", "pimpinan", "--password-stdin", "--db", db, stdin="pendek\n")
    assert short.returncode == 1 and "minimal 10" in short.stderr
    last = ksln("users", "disable", "admin", "--db", db)
    assert last.returncode == 1 and "satu-satunya admin aktif" in last.stderr
    assert ksln("users", "add", "ani", "--role", "raja", "--db", db).returncode == 2


def test_an_analyst_importing_another_units_row_is_refused_and_nothing_is_written(db, files):
    before = contents(db)
    run = ksln("ingest", files / "lebak.xlsx", files / "campur.xlsx", "--db", db, "--user", "budi.lebak")
    assert run.returncode == 1
    assert ("campur.xlsx:-::-: Berkas berisi data Kota Tangerang Selatan (36.74); akun analis Kabupaten Lebak hanya "
            "boleh mengubah data 36.02. Tidak ada yang disimpan.") in run.stderr
    assert contents(db) == before  # lebak.xlsx, allowed alone, is not written either
    ok = ksln("ingest", files / "lebak.xlsx", "--db", db, "--user", "budi.lebak")
    assert ok.returncode == 0 and "batch #1 disimpan" in ok.stdout
    with Store(db) as store:
        assert store.batches()["user_name"].tolist() == ["budi.lebak"]
        assert store.query("SELECT action FROM audit WHERE action LIKE 'unggah%' ORDER BY audit_id")[
            "action"].tolist() == ["unggah_ditolak", "unggah"]


def test_a_leader_account_cannot_import(db, files):
    run = ksln("ingest", files / "lebak.xlsx", "--db", db, "--user", "kepala")
    assert run.returncode == 1 and "hanya dapat melihat data" in run.stderr


def test_a_name_without_an_account_is_refused_unless_the_operator_acts_as_admin(db, files):
    unknown = ksln("ingest", files / "campur.xlsx", "--db", db, "--user", "siapa")
    assert unknown.returncode == 2 and "akun 'siapa' tidak ada" in unknown.stderr and "--sebagai-admin" in unknown.stderr
    assert contents(db)[1] == 0
    operator = ksln("ingest", files / "campur.xlsx", "--db", db, "--user", "operator", "--sebagai-admin")
    assert operator.returncode == 0, operator.stderr
    with Store(db) as store:
        assert store.batches()["user_name"].tolist() == ["operator"]


def test_without_any_account_ingest_records_the_name_as_before(tmp_path, files):
    run = ksln("ingest", files / "campur.xlsx", "--db", tmp_path / "kosong.duckdb", "--user", "budi")
    assert run.returncode == 0, run.stderr
