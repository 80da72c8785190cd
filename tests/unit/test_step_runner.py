"""The step runner: a step read once runs inside its reader, and that changes no figure."""

from datetime import date

import duckdb
import pandas as pd
import pytest

from ksln_metrics.engine import indicators
from ksln_metrics.engine.indicators import (
    DETAIL_STEPS,
    RESULT_STEPS,
    Filters,
    agreement_detail,
    compute,
    fiscal_year_table,
    step_order,
    steps,
)
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.sample.synth import write_synthetic
from ksln_metrics.store import Store

AS_OF = date(2025, 3, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("runner") / "s.duckdb") as store:
        write_synthetic(store, seed=4, scale="small")
        yield store


def _every_read_step_stored(order, targets):
    """The runner before steps ran inside their readers: every step another one reads is a table."""
    return {table for name in order for table in steps()[name].reads if table in steps()}


def _figures(store, rules):
    results = compute(store, AS_OF, rules)
    some = sorted(results.agreements["kabkota_kode"].unique())[:2]
    filtered = compute(store, AS_OF, rules, Filters.of(kabkota=some))
    ids = list(results.agreements["id_perjanjian"][::40])
    details = [agreement_detail(store, i, AS_OF, rules) for i in ids]
    return results, filtered, details, fiscal_year_table(store, AS_OF, rules)


def test_steps_run_inside_their_reader_give_the_figures_of_steps_stored_as_tables(store, monkeypatch):
    rules = load_rules()
    inlined = _figures(store, rules)
    monkeypatch.setattr(indicators, "_stored_steps", _every_read_step_stored)
    stored = _figures(store, rules)
    for one, other in zip(inlined[:2], stored[:2], strict=True):
        for field in ("agreements", "flags", "regions", "summary", "attention"):
            pd.testing.assert_frame_equal(getattr(one, field), getattr(other, field), check_exact=True)
    assert len(inlined[0].flags) > 0 and len(inlined[1].agreements) < len(inlined[0].agreements)
    for one, other in zip(inlined[2], stored[2], strict=True):
        pd.testing.assert_series_equal(one.agreement, other.agreement, check_exact=True)
        for field in ("documents", "activities", "indicators", "fiscal_years", "flags"):
            pd.testing.assert_frame_equal(getattr(one, field), getattr(other, field), check_exact=True)
    pd.testing.assert_frame_equal(inlined[3], stored[3], check_exact=True)


def test_only_steps_read_more_than_once_are_stored():
    order = step_order(RESULT_STEPS)
    stored = indicators._stored_steps(order, RESULT_STEPS)
    # Read by one step only (indikator_capaian), or marked inline (perjanjian_pilihan).
    assert not {"indikator_capaian", "perjanjian_pilihan"} & stored
    # Read by several steps, or by a step and the caller.
    assert {"kegiatan_tahun", "perjanjian_fakta", "tahun_anggaran", "bendera", "perjanjian_skor", "kabkota",
            "kabkota_bendera"} <= stored
    # Read by nobody but the caller: run straight into their frames.
    assert not {"bendera_daftar", "ringkasan", "perhatian"} & stored
    # The calendar reads perjanjian_fakta too, so it is stored even when one step reads it.
    assert "perjanjian_fakta" in indicators._stored_steps(step_order(["tahun_anggaran"]), ["tahun_anggaran"])
    assert "perjanjian_pilihan" not in indicators._stored_steps(step_order(DETAIL_STEPS), DETAIL_STEPS)


def test_steps_inside_a_reader_come_first_among_its_common_tables():
    order = step_order(RESULT_STEPS)
    run = indicators._Run(None, {}, indicators._stored_steps(order, RESULT_STEPS), order)
    # indikator_perjanjian is kept per data version: registered as a table, never run inside its reader.
    assert run.inlined_into("perjanjian_fakta") == ["perjanjian_pilihan"]
    sql, _ = indicators._statement("perjanjian_fakta", indicators._parameters(AS_OF, load_rules(), Filters()),
                                   run.inlined_into("perjanjian_fakta"))
    assert sql.startswith("WITH perjanjian_pilihan AS NOT MATERIALIZED (")
    assert sql.index("perjanjian_pilihan AS NOT MATERIALIZED (") < sql.index("penandatangan AS (")
    assert sql.count("penandatangan AS (") == 1 and "\nWITH penandatangan" not in sql
    detail = step_order(DETAIL_STEPS)
    run = indicators._Run(None, {}, indicators._stored_steps(detail, DETAIL_STEPS), detail)
    assert run.inlined_into("indikator_capaian") == ["perjanjian_pilihan"]


def test_the_stored_header_takes_table_or_inline_only(tmp_path, monkeypatch):
    (tmp_path / "x.sql").write_text("-- reads: perjanjian\n-- produces: x\n-- stored: sometimes\nSELECT 1\n")
    monkeypatch.setattr(indicators, "SQL_DIR", tmp_path)
    indicators.steps.cache_clear()
    indicators.sql_text.cache_clear()
    try:
        with pytest.raises(ValueError, match="x.sql"):
            steps()
    finally:
        monkeypatch.undo()
        indicators.steps.cache_clear()
        indicators.sql_text.cache_clear()
    assert steps()["perjanjian_pilihan"].inline and not steps()["perjanjian_fakta"].inline


@pytest.mark.parametrize("sql", [
    "SELECT 'a' || range AS s, CASE WHEN range % 2 = 0 THEN 'x' END AS maybe, range AS n FROM range(5)",
    "SELECT NULL::VARCHAR AS s, 1 AS n FROM range(3)",
    "SELECT 'a'::VARCHAR AS s, DATE '2024-01-01' AS d FROM range(0)",
    "SELECT 'a'::VARCHAR AS s FROM range(0)",
    "SELECT DATE '2024-01-01' + CAST(range AS INTEGER) AS d, CASE WHEN range > 1 THEN true END AS b, "
    "CASE WHEN range > 1 THEN range END AS i, round(range / 3, 2) AS f, 'é ' || range AS t FROM range(4)",
])
def test_frames_through_arrow_are_those_df_gives(sql):
    con = duckdb.connect()
    try:
        pd.testing.assert_frame_equal(indicators._frame(con, sql), con.execute(sql).df(), check_exact=True)
    finally:
        con.close()


def test_region_names_keep_the_type_of_an_empty_or_unknown_column():
    from ksln_metrics.reference import region_name

    for codes in (pd.Series([], dtype="str"), pd.Series(["36.01", None, "99.99", "36.01"], dtype="str"),
                  pd.Series([None, None], dtype="str")):
        pd.testing.assert_series_equal(indicators._region_names(codes), codes.map(region_name))


def _leftovers(store):
    names = set(indicators.steps()) | {"batas_laporan", "kalender_kerja"}
    cur = store.cursor()
    views = {r[0] for r in cur.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}
    tables = {r[0] for r in cur.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    return (views | tables) & names


def test_nothing_of_a_computation_stays_on_the_cursor_even_when_a_step_fails(store, monkeypatch):
    compute(store, AS_OF, load_rules())
    assert _leftovers(store) == set()

    def failing(cur, as_of, rules):  # after perjanjian_fakta and kegiatan_tahun were stored
        raise RuntimeError("calendar")

    monkeypatch.setattr(indicators, "_register_calendar", failing)
    with pytest.raises(RuntimeError, match="calendar"):
        compute(store, AS_OF, load_rules())
    assert _leftovers(store) == set()


def test_three_computations_at_once_get_the_figures_each_gets_alone(store):
    from concurrent.futures import ThreadPoolExecutor

    rules = load_rules()
    asks = [(AS_OF, Filters()), (date(2023, 7, 1), Filters()),
            (AS_OF, Filters.of(kabkota=sorted(compute(store, AS_OF, rules).agreements["kabkota_kode"])[:1]))]
    alone = [compute(store, as_of, rules, filters) for as_of, filters in asks]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda ask: compute(store, ask[0], rules, ask[1]), asks))
    for one, other in zip(alone, together, strict=True):
        pd.testing.assert_frame_equal(one.agreements, other.agreements, check_exact=True)
        pd.testing.assert_frame_equal(one.flags, other.flags, check_exact=True)


@pytest.mark.parametrize("units", [None, "two"])
def test_the_agendas_one_pipeline_gives_computes_agreements_and_the_fiscal_years(store, units):
    rules = load_rules()
    if units == "two":
        units = sorted(compute(store, AS_OF, rules).agreements["kabkota_kode"].unique())[:2]
    agreements, years = indicators.agreements_and_years(store, AS_OF, rules, kabkota=units)
    expected = compute(store, AS_OF, rules, Filters.of(kabkota=units)).agreements.drop(columns="kabkota_nama")
    pd.testing.assert_frame_equal(agreements, expected, check_exact=True)
    pd.testing.assert_frame_equal(years, fiscal_year_table(store, AS_OF, rules, kabkota=units), check_exact=True)
    assert len(agreements) and len(years) > len(agreements)
