"""The command line on a shared PostgreSQL store: the password comes from PGPASSWORD only and shows nowhere.

Every command runs as a real process against the test server (``tests/pg_server.py``); the
password is the test role's random one, handed over in the environment as an operator would.
"""

import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

ROOT = Path(__file__).resolve().parents[2]


def ksln(*args, stdin=None, env=None):
    return subprocess.run([sys.executable, "-m", "ksln_metrics", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, input=stdin, timeout=120)


def command_lines() -> list[str]:
    """The arguments of every process on the machine, as ``ps`` would show them."""
    lines = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:  # the process ended meanwhile
                continue
    return lines


def ksln_watched(*args, stdin=None, env=None):
    """Run a command while reading every process's arguments until it ends; (result, arguments seen)."""
    seen: list[str] = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.extend(command_lines())
            done.wait(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        result = ksln(*args, stdin=stdin, env=env)
    finally:
        done.set()
        watcher.join()
    return result, seen


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    return url.replace(f"{parts.username}@", f"{parts.username}:{password}@", 1)


def test_commands_on_postgres_take_the_password_from_pgpassword_and_never_show_it(pg_server, pg_url, tmp_path):
    secret = pg_server.password
    assert os.environ["PGPASSWORD"] == secret and secret not in pg_url
    (tmp_path / "lebak.xlsx").write_bytes(simple_agreement_xlsx([agreement()]))
    outputs, arguments = [], []

    first, seen = ksln_watched("users", "ensure-admin", "--db", pg_url)
    assert first.returncode == 0, first.stderr
    assert "kata sandi    :" in first.stdout  # the app's first admin password, printed once: not the database's
    outputs.append(first)
    arguments += seen
    add, seen = ksln_watched("users", "add", "budi.lebak", "--role", "analis", "--kabkota", "36.02",
                             "--password-stdin", stdin="sandi-budi-panjang\n", env={"KSLN_DB": pg_url})
    assert add.returncode == 0, add.stderr
    outputs.append(add)
    arguments += seen
    ingest, seen = ksln_watched("ingest", tmp_path / "lebak.xlsx", "--user", "budi.lebak", "--db", pg_url)
    assert ingest.returncode == 0, ingest.stderr
    outputs.append(ingest)
    arguments += seen
    listing, seen = ksln_watched("users", "list", env={"KSLN_DB": pg_url})
    assert listing.returncode == 0, listing.stderr
    assert [line.split()[0] for line in listing.stdout.splitlines()] == ["admin", "budi.lebak"]
    outputs.append(listing)
    arguments += seen
    export, seen = ksln_watched("export", "--level", "kabkota", "--format", "csv", "--as-of", "2026-03-31",
                                "--db", pg_url)
    assert export.returncode == 0, export.stderr
    assert "36.02" in export.stdout
    outputs.append(export)
    arguments += seen

    # The commands really ran on PostgreSQL: the upload is there, under the analyst's name.
    with Store(pg_url) as store:
        assert store.dialect == "postgres"
        batches = store.batches()
        assert batches["user_name"].tolist() == ["budi.lebak"]
        assert store.table("perjanjian")["id_perjanjian"].tolist() == [agreement()["ID Perjanjian"]]
        audit = store.query("SELECT * FROM audit ORDER BY audit_id")
    assert {"akun_dibuat", "unggah"} <= set(audit["action"])
    assert arguments, "the watcher read no process arguments"
    assert not [line for line in arguments if secret in line]
    for result in outputs:
        assert secret not in result.stdout and secret not in result.stderr
    assert secret not in audit.to_csv(index=False)


def test_a_url_with_a_password_is_refused_before_anything_connects(pg_server, pg_url):
    secret = "Rahasia-Sekali-123"
    with_secret = with_password(pg_url, secret)

    given = ksln("users", "list", "--db", with_secret)
    assert given.returncode == 2
    assert "tidak boleh" in given.stderr or "memuat kata sandi" in given.stderr
    assert "PGPASSWORD" in given.stderr and "Traceback" not in given.stderr
    assert secret not in given.stderr + given.stdout

    in_query = ksln("users", "list", "--db", f"{pg_url}?password={secret}")
    assert in_query.returncode == 2 and "PGPASSWORD" in in_query.stderr
    assert secret not in in_query.stderr + in_query.stdout

    from_env = ksln("users", "list", env={"KSLN_DB": with_secret})
    assert from_env.returncode == 1
    assert from_env.stderr.startswith("Gagal: ") and "PGPASSWORD" in from_env.stderr
    assert "Traceback" not in from_env.stderr and secret not in from_env.stderr + from_env.stdout

    with Store(pg_url) as store:  # nothing was written by the refused commands
        assert store.query("SELECT count(*) AS n FROM audit")["n"].iloc[0] == 0


def test_a_wrong_or_missing_password_gets_a_clear_message(pg_server, pg_url):
    wrong = ksln("users", "list", "--db", pg_url, env={"PGPASSWORD": "bukan-sandinya"})
    assert wrong.returncode == 1
    assert wrong.stderr.startswith("Gagal: ") and "PostgreSQL" in wrong.stderr
    assert "tidak dapat dihubungi" in wrong.stderr and "PGPASSWORD" in wrong.stderr and "Traceback" not in wrong.stderr
    assert "bukan-sandinya" not in wrong.stderr

    unreachable = ksln("users", "list", "--db", pg_url.replace(f":{pg_server.port}/", ":1/"))
    assert unreachable.returncode == 1 and "tidak dapat dihubungi" in unreachable.stderr
    assert "Traceback" not in unreachable.stderr


@pytest.mark.parametrize("command", [("export", "--level", "kabkota", "--format", "json"),
                                     ("kalender", "--as-of", "2026-03-31", "--out", "agenda.ics")])
def test_reading_commands_on_postgres_do_not_look_for_a_file(pg_server, pg_url, tmp_path, command):
    args = [*command[:-1], tmp_path / command[-1]] if command[0] == "kalender" else list(command)
    result = ksln(*args, "--db", pg_url)
    assert result.returncode == 0, result.stderr
    assert "tidak ditemukan" not in result.stderr
