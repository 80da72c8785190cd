"""Since the last rakor: the diff command equals the difference of two ``export --level perjanjian`` runs on a
store with known changes; per-unit summary with score changes, new/ended agreements and actions; named meetings."""

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from ksln_metrics.access import User
from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
from ksln_metrics.followup.actions import create_action, set_status
from ksln_metrics.followup.rakor import last_meeting, meetings, record_meeting, since
from ksln_metrics.store import AccessDenied, Store
from tests.unit.builders import build_store, indikator, kegiatan, laporan, perjanjian

ROOT = Path(__file__).resolve().parents[2]
START, END = date(2025, 3, 1), date(2026, 3, 1)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "ksln_metrics", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "KSLN_RULES": str(DEFAULT_RULES)}, timeout=120)


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("diff") / "ksln.duckdb"
    rows = [
        # Lebak: the FY2024 report was missing at START and arrived late before END.
        perjanjian("A1", kabkota="36.02", penandatangan="Bupati Lebak", tanggal_ttd=date(2023, 3, 1)),
        # Tangsel: signed after START (a new agreement) without DPRD approval.
        perjanjian("A2", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan", tanggal_ttd=date(2025, 6, 1),
                   tanggal_persetujuan_dprd=None, tanggal_berakhir=date(2030, 6, 1)),
        # Tangsel: no central approval at either date.
        perjanjian("A4", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan", tanggal_persetujuan_pusat=None),
        # Pandeglang: expiring at START, expired (status still berjalan) at END.
        perjanjian("A3", kabkota="36.01", tanggal_ttd=date(2022, 8, 1), tanggal_berakhir=date(2025, 8, 1)),
    ]
    activities = [kegiatan(i, t) for i in ("A1", "A2", "A3") for t in ("2024-05-01", "2025-05-01", "2025-09-01")]
    indicators = [indikator(i, y, 10, 10) for i in ("A1", "A2", "A3") for y in (2024, 2025)]
    reports = [laporan("A1", 2023, "2024-01-05"), laporan("A1", 2024, "2025-06-02"), laporan("A1", 2025, "2026-01-05"),
               laporan("A3", 2022, "2023-01-05"), laporan("A3", 2023, "2024-01-05"), laporan("A3", 2024, "2025-01-06"),
               laporan("A3", 2025, "2026-01-05"), laporan("A2", 2025, "2026-01-05")]
    with build_store(path, rows, activities, indicators, reports) as store:
        create_action(store, user="uji", id_perjanjian="A1", flag_code="missing_report", description="Laporan 2024",
                      when=datetime(2025, 3, 5))
        create_action(store, user="uji", id_perjanjian="A2", description="Sebelum awal", when=datetime(2025, 2, 1))
        set_status(store, 1, "selesai", user="uji", note="Laporan masuk 2 Juni 2025", when=datetime(2025, 6, 3))
    return path


def export_pairs(db, as_of):
    run = cli("export", "--db", str(db), "--level", "perjanjian", "--as-of", as_of.isoformat(), "--format", "csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    return {(r["id_perjanjian"], code): r["kabkota_kode"] for r in rows for code in r["flags"].split(";") if code}


def test_diff_equals_the_difference_of_two_exports(db):
    old, new = export_pairs(db, START), export_pairs(db, END)
    expected = {(a, c, k, "tetap" if (a, c) in old and (a, c) in new else "baru" if (a, c) in new else "selesai")
                for (a, c), k in {**old, **new}.items()}
    run = cli("diff", "--db", str(db), "--from", START.isoformat(), "--to", END.isoformat(), "--format", "csv")
    assert run.returncode == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert {(r["id_perjanjian"], r["flag"], r["kabkota_kode"], r["perubahan"]) for r in rows} == expected
    assert len(rows) == len(expected)  # one row per agreement and flag
    assert {"baru", "selesai", "tetap"} == {r["perubahan"] for r in rows}
    known = {(r["id_perjanjian"], r["flag"]): r["perubahan"] for r in rows}
    assert known[("A1", "missing_report")] == "selesai"
    assert known[("A1", "late_report")] == "baru"
    assert known[("A2", "no_dprd_approval")] == "baru"
    assert known[("A4", "no_central_approval")] == "tetap"
    assert known[("A3", "expiring_soon")] == "selesai"
    assert known[("A3", "expired")] == "baru"
    as_json = cli("diff", "--db", str(db), "--from", START.isoformat(), "--to", END.isoformat(), "--format", "json")
    records = json.loads(as_json.stdout)
    assert [(r["id_perjanjian"], r["flag"], r["perubahan"]) for r in records] == [
        (r["id_perjanjian"], r["flag"], r["perubahan"]) for r in rows]
    assert {"id_perjanjian", "kabkota_kode", "flag", "perubahan", "label", "skor_dari", "skor_ke"} <= set(records[0])


def test_diff_usage_errors(db, tmp_path):
    assert cli("diff", "--db", str(db), "--from", "2026-03-01", "--to", "2025-03-01", "--format", "csv"
               ).returncode == 2
    bad = cli("diff", "--db", str(db), "--from", "01-03-2025", "--to", "2026-03-01", "--format", "csv")
    assert bad.returncode == 2 and "tidak sah" in bad.stderr
    assert cli("diff", "--db", str(tmp_path / "tidak-ada.duckdb"), "--from", "2025-03-01", "--to", "2026-03-01",
               "--format", "csv").returncode == 2


def test_since_summarises_per_unit_agreements_scores_and_actions(db):
    with Store(db) as store:
        result = since(store, START, END, load_rules(DEFAULT_RULES), meeting="Rakor KSLN 2025")
    assert result.title == "Sejak rakor 1 Maret 2025"
    assert list(result.new_agreements["id_perjanjian"]) == ["A2"]
    assert list(result.ended_agreements["id_perjanjian"]) == ["A3"]
    assert list(result.actions_opened["action_id"]) == [1]  # #2 was made before START
    assert list(result.actions_closed["action_id"]) == [1]
    units = result.units.set_index("kabkota_kode")
    assert units.loc["36.02", ["selesai", "baru", "tl_dibuka", "tl_ditutup"]].tolist() == [1, 1, 1, 1]
    assert units.loc["36.74", "perjanjian_baru"] == 1 and units.loc["36.01", "perjanjian_berakhir"] == 1
    assert result.count("baru") + result.count("selesai") + result.count("tetap") == len(result.flags)
    assert "A1" in set(result.scores["id_perjanjian"])  # the late report lowers its reporting component


def test_meetings_are_named_and_recorded_by_province_staff_only(tmp_path):
    with Store(tmp_path / "rakor.duckdb") as store:
        with pytest.raises(AccessDenied, match="mencatat rakor"):
            record_meeting(store, "Rakor", date(2026, 3, 11), user=User("budi", "analis", "36.02"))
        record_meeting(store, "Rakor KSLN 2025", date(2025, 3, 11), user=User("dewi", "analis", "36"))
        record_meeting(store, "Rakor KSLN 2026", date(2026, 3, 11), user="admin")
        assert list(meetings(store)["nama"]) == ["Rakor KSLN 2026", "Rakor KSLN 2025"]
        assert last_meeting(store, date(2026, 6, 1)) == ("Rakor KSLN 2026", date(2026, 3, 11))
        assert last_meeting(store, date(2026, 3, 11)) == ("Rakor KSLN 2025", date(2025, 3, 11))
        assert last_meeting(store, date(2025, 1, 1)) is None
        actions = store.query("SELECT action FROM audit ORDER BY audit_id")["action"].tolist()
        assert actions == ["tindak_lanjut_ditolak", "rakor_dicatat", "rakor_dicatat"]


def test_since_slide_in_the_slide_list_the_deck_and_the_report(db):
    import io as _io

    from pptx import Presentation

    from ksln_metrics.engine.indicators import compute
    from ksln_metrics.present.deck import build_deck
    from ksln_metrics.present.report import report_html
    from ksln_metrics.present.slides import build_slides

    rules = load_rules(DEFAULT_RULES)
    with Store(db) as store:
        results = compute(store, END, rules)
        change = since(store, START, END, rules, meeting="Rakor KSLN 2025", after=results)
    slides = build_slides(results, END, rules=rules, since=change)
    kinds = [s.kind for s in slides]
    assert kinds[kinds.index("peringatan") + 1] == "sejak_rakor"
    slide = slides[kinds.index("sejak_rakor")]
    assert slide.title == "Sejak rakor 1 Maret 2025"
    assert slide.subtitle == "Rakor KSLN 2025, 1 Maret 2025 → 1 Maret 2026"
    assert slide.bullets[0].text == (f"{change.count('baru')} bendera baru, {change.count('selesai')} selesai, "
                                     f"{change.count('tetap')} masih terbuka")
    assert slide.bullets[2].text == "Tindak lanjut: 1 dibuka, 1 ditutup"
    lebak = slide.table.set_index("Daerah").loc["Kabupaten Lebak"]
    assert (lebak["Bendera baru"], lebak["Selesai"], lebak["Tindak lanjut dibuka/ditutup"]) == ("1", "1", "1 / 1")
    assert "Laporan belum masuk — " in slide.notes
    deck = Presentation(_io.BytesIO(build_deck([slide]).data))
    assert deck.slides[0].shapes.title.text == "Sejak rakor 1 Maret 2025"
    cells = [c.text for s in deck.slides[0].shapes if s.has_table for row in s.table.rows for c in row.cells]
    assert "Kabupaten Lebak" in cells
    html = report_html([slide], "Rakor", "kaki")
    assert "Sejak rakor 1 Maret 2025" in html and "Kabupaten Lebak" in html
    # Without a stored rakor the deck has no such slide.
    assert "sejak_rakor" not in [s.kind for s in build_slides(results, END, rules=rules)]
