"""Four processes import four units' files into one PostgreSQL store at the same moment (issue 14):
every upload lands as its own batch, nothing is lost, and the export equals importing them one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
from ksln_metrics.present.export import export_indicators
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

ROOT = Path(__file__).resolve().parents[2]
UNITS = {"PDG": "Kabupaten Pandeglang", "LBK": "Kabupaten Lebak", "TNG": "Kabupaten Tangerang", "CLG": "Kota Cilegon"}
PER_UNIT = 40


def unit_file(folder: Path, prefix: str, name: str) -> Path:
    rows = [agreement(**{"ID Perjanjian": f"{prefix}-{i:03d}", "Kab/Kota": name,
                         "Judul Perjanjian": f"Kerja sama {prefix} nomor {i}"}) for i in range(PER_UNIT)]
    path = folder / f"{prefix.lower()}.xlsx"
    path.write_bytes(simple_agreement_xlsx(rows))
    return path


def ksln(*args) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # PGPASSWORD comes from the pg_server fixture
    return subprocess.Popen([sys.executable, "-m", "ksln_metrics", *map(str, args)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finished(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


def export(url: str) -> str:
    """What ``export --level perjanjian --format csv`` prints (the same function, without one more process)."""
    with Store(url) as store:
        return export_indicators(store, "perjanjian", "csv", date(2025, 3, 1), load_rules(DEFAULT_RULES))


def test_four_processes_import_at_once_and_all_land(pg_server, tmp_path):
    files = [unit_file(tmp_path, prefix, name) for prefix, name in UNITS.items()]
    together = pg_server.url(pg_server.create_database())
    one_by_one = pg_server.url(pg_server.create_database())

    processes = [ksln("ingest", path, "--db", together, "--user", "admin") for path in files]
    outputs = [finished(p) for p in processes]
    assert all("disimpan" in out for out in outputs), outputs
    finished(ksln("ingest", *files, "--db", one_by_one, "--user", "admin"))  # one process, file after file

    with Store(together) as store:
        batches = store.batches()
        assert sorted(batches["batch_id"]) == [1, 2, 3, 4]  # each upload its own batch, ids without gaps
        assert sorted(batches["file_name"]) == sorted(p.name for p in files)
        assert set(batches["new_rows"]) == {PER_UNIT}
        agreements = store.table("perjanjian")
        assert len(agreements) == 4 * PER_UNIT and agreements["id_perjanjian"].is_unique
        assert store.query("SELECT count(*) AS n FROM perjanjian_history")["n"].item() == 4 * PER_UNIT
    exported = export(together)
    assert exported.count("\n") == 4 * PER_UNIT + 1
    assert exported == export(one_by_one)
