"""The SQL files an analyst reads: each says what it reads and produces, and the step order follows from that."""

import re

import pytest

from ksln_metrics.engine import indicators
from ksln_metrics.engine.indicators import (
    CALENDAR_TABLES,
    DETAIL_STEPS,
    RESULT_STEPS,
    SQL_DIR,
    STORE_TABLES,
    step_order,
    steps,
)


def test_every_sql_file_names_what_it_reads_and_produces_a_table_of_its_own_name():
    files = sorted(p.stem for p in SQL_DIR.glob("*.sql") if p.stem != "macros")
    assert sorted(steps()) == files
    known = set(files) | set(STORE_TABLES) | set(CALENDAR_TABLES)
    for step in steps().values():
        assert step.produces == step.name, step.name
        assert step.reads, step.name
        assert set(step.reads) <= known, (step.name, set(step.reads) - known)


def test_the_header_lists_exactly_the_tables_the_query_uses():
    for step in steps().values():
        body = re.sub(r"--[^\n]*", "", indicators.sql_text(step.name))
        used = set(re.findall(r"(?<!DISTINCT )\b(?:FROM|JOIN)\s+([a-z_]+)\b", body))
        ctes = set(re.findall(r"\b([a-z_]+)\s+AS\s*\(", body))
        assert used - ctes == set(step.reads), step.name


def test_each_step_runs_after_the_steps_it_reads():
    for targets in (RESULT_STEPS, DETAIL_STEPS):
        order = step_order(targets)
        assert set(targets) <= set(order)
        for position, name in enumerate(order):
            earlier = set(order[:position])
            assert {t for t in steps()[name].reads if t in steps()} <= earlier, name
    assert step_order(["perjanjian_skor"]) == ["perjanjian_pilihan", "kegiatan_ringkasan", "kegiatan_hari",
                                               "kegiatan_tahun", "indikator_perjanjian", "perjanjian_fakta",
                                               "tahun_anggaran", "bendera", "perjanjian_skor"]


def test_a_cycle_between_steps_is_refused(monkeypatch):
    from ksln_metrics.engine.indicators import Step

    cycle = {"a": Step("a", ("b",), "a"), "b": Step("b", ("a",), "b")}
    monkeypatch.setattr(indicators, "steps", lambda: cycle)
    with pytest.raises(ValueError, match="cycle"):
        step_order(["a"])


def test_no_years_are_packed_into_bits_and_no_status_is_typed_into_the_sql():
    for path in SQL_DIR.glob("*.sql"):
        body = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        assert "<<" not in body and ">>" not in body and "bit_or" not in body, path.name
        for status in ("'usulan'", "'proses'", "'ditandatangani'", "'berjalan'", "'selesai'", "'batal'"):
            assert status not in body, (path.name, status)


def test_the_ceremonial_rule_is_written_once():
    for path in SQL_DIR.glob("*.sql"):
        body = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        if path.stem != "macros":
            assert "list_contains($jenis_seremonial" not in body, path.name
    for name in ("kegiatan_ringkasan", "kegiatan_hari"):  # what kegiatan_tahun.sql counts from
        assert "kegiatan_seremonial(" in indicators.sql_text(name)
    assert "kegiatan_seremonial(" in indicators.sql_text("kegiatan_sifat")


def test_every_mean_sums_in_a_fixed_order():
    """DuckDB sums doubles in parallel in whatever order the threads finish, so a mean that ties at its
    last shown decimal rounded either way from one run to the next at national scale (a region's rank
    moved with it). An ordered aggregate sums in one order every time."""
    found = 0
    for path in SQL_DIR.glob("*.sql"):
        body = re.sub(r"--[^\n]*", "", path.read_text())
        for call in re.findall(r"\bavg\(([^()]*)\)", body, flags=re.IGNORECASE):
            found += 1
            assert " ORDER BY " in call.upper(), (path.name, call)
    assert found >= 7
