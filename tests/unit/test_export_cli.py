"""``python -m ksln_metrics export`` as a script would call it (DESIGN §6)."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ksln_metrics.engine.rules import FLAG_CODES
from ksln_metrics.present.export import escape_formula
from tests.unit.builders import build_store, indikator, kegiatan, laporan, perjanjian

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "ksln_metrics", *args],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=120,
    )


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "ksln.duckdb"
    store = build_store(
        path,
        [
            perjanjian("P1", kabkota="36.74", judul="=HYPERLINK(\"http://x\")", mitra="@Mitra", ),
            perjanjian("P2", kabkota="36.01", tanggal_persetujuan_dprd=None, mitra="-Kota Minus"),
            perjanjian("P3", kabkota="36.01", status="usulan", tanggal_ttd=None, negara="ISR", mitra="+Plus"),
        ],
        [kegiatan("P1", "2024-05-01"), kegiatan("P1", "2023-05-01"), kegiatan("P1", "2025-02-01")],
        [indikator("P1", 2024, 10, 10)],
        [laporan("P1", 2023, "2024-01-05"), laporan("P1", 2024, "2025-01-10")],
    )
    store.close()
    return path


def test_escape_formula():
    assert escape_formula("=SUM(A1)") == "'=SUM(A1)"
    assert escape_formula("+62") == "'+62"
    assert escape_formula("-") == "'-"
    assert escape_formula("@x") == "'@x"
    assert escape_formula("Kota Serang") == "Kota Serang"
    assert escape_formula(-5) == -5
    assert escape_formula(None) is None


def test_export_perjanjian_csv(db):
    result = cli("export", "--db", str(db), "--level", "perjanjian", "--as-of", "2025-03-01", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {"id_perjanjian", "kabkota_kode", "judul", "mitra", "skor", "flags"} <= set(rows[0])
    by_id = {r["id_perjanjian"]: r for r in rows}
    assert by_id["P1"]["kabkota_kode"] == "36.74"
    assert by_id["P1"]["judul"] == "'=HYPERLINK(\"http://x\")"
    assert by_id["P1"]["mitra"] == "'@Mitra"
    assert by_id["P2"]["mitra"] == "'-Kota Minus"
    assert by_id["P3"]["mitra"] == "'+Plus"
    assert float(by_id["P1"]["skor"]) == 100
    assert by_id["P1"]["flags"] == ""
    assert by_id["P2"]["flags"] == "missing_report;no_dprd_approval;no_indicators;stalled"
    assert by_id["P3"]["skor"] == ""  # never signed
    assert by_id["P3"]["flags"] == "no_diplomatic_relations"
    assert by_id["P1"]["tanggal_ttd"] == "2023-03-01"


def test_export_kabkota_json(db, tmp_path):
    out = tmp_path / "kabkota.json"
    result = cli("export", "--db", str(db), "--level", "kabkota", "--as-of", "2025-03-01", "--format", "json",
                 "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    records = json.loads(out.read_text(encoding="utf-8"))
    assert len(records) == 9
    row = {r["kabkota_kode"]: r for r in records}
    for column in ("jumlah_perjanjian", "jumlah_aktif", "skor_rata_rata", "tepat_waktu_persen",
                   *(f"jumlah_{c}" for c in FLAG_CODES)):
        assert column in row["36.01"]
    assert row["36.01"]["jumlah_perjanjian"] == 2 and row["36.01"]["jumlah_aktif"] == 1
    assert row["36.01"]["jumlah_no_diplomatic_relations"] == 1
    assert row["36.74"]["skor_rata_rata"] == 100
    assert row["36.74"]["tepat_waktu_persen"] == 100
    assert row["36.01"]["tepat_waktu_persen"] == 0
    assert row["36.02"]["skor_rata_rata"] is None  # NaN -> null
    assert row["36.74"]["peringkat"] == 1


def test_export_perjanjian_json_numbers(db):
    result = cli("export", "--db", str(db), "--level", "perjanjian", "--as-of", "2025-03-01", "--format", "json")
    records = {r["id_perjanjian"]: r for r in json.loads(result.stdout)}
    assert records["P1"]["skor"] == 100 and isinstance(records["P1"]["skor_capaian"], float | int)
    assert records["P3"]["skor"] is None
    assert records["P1"]["aktif"] is True
    assert records["P1"]["judul"] == "=HYPERLINK(\"http://x\")"  # JSON is data, not a spreadsheet


def test_db_from_environment_and_as_of_defaults_to_today(db):
    result = cli("export", "--level", "kabkota", "--format", "csv", env={"KSLN_DB": str(db)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("kabkota_kode,")


@pytest.mark.parametrize(
    "args",
    [
        ("--level", "perjanjian", "--as-of", "2025-13-01", "--format", "csv"),
        ("--level", "perjanjian", "--as-of", "kemarin", "--format", "csv"),
        ("--level", "negara", "--as-of", "2025-03-01", "--format", "csv"),  # provinsi is a level since issue 14
        ("--level", "perjanjian", "--as-of", "2025-03-01", "--format", "xlsx"),
        ("--as-of", "2025-03-01", "--format", "csv"),
    ],
)
def test_usage_errors_exit_2(db, args):
    result = cli("export", "--db", str(db), *args)
    assert result.returncode == 2
    assert "kesalahan penggunaan" in result.stderr


def test_bad_as_of_message_is_indonesian(db):
    result = cli("export", "--db", str(db), "--level", "kabkota", "--as-of", "31/03/2025", "--format", "csv")
    assert result.returncode == 2
    assert "tanggal acuan '31/03/2025' tidak sah; tulis TTTT-BB-HH" in result.stderr


def test_missing_database_is_refused_without_creating_it(tmp_path):
    missing = tmp_path / "tidak-ada.duckdb"
    result = cli("export", "--db", str(missing), "--level", "kabkota", "--format", "csv")
    assert result.returncode == 2
    assert "tidak ditemukan" in result.stderr
    assert not missing.exists()


def test_as_of_makes_results_reproducible(db):
    early = cli("export", "--db", str(db), "--level", "perjanjian", "--as-of", "2023-01-01", "--format", "json")
    records = {r["id_perjanjian"]: r for r in json.loads(early.stdout)}
    assert records["P1"]["skor"] is None  # signed 1 March 2023, after the reference date
