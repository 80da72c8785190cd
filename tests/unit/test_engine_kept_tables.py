"""Steps kept per data version (``-- stored: data``): the figures they give equal those counted from the
rows for every reference date and rules, and a batch makes them again."""

import dataclasses
from datetime import date

import pandas as pd
import pytest

from ksln_metrics.engine import indicators
from ksln_metrics.engine.indicators import RESULT_STEPS, Filters, compute, forget_kept_tables, steps
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.sample.synth import write_synthetic
from ksln_metrics.store import Store
from tests.unit.builders import build_store, frame, indikator, kegiatan, perjanjian

# Counted straight from the rows, as kegiatan_tahun.sql and perjanjian_fakta.sql did before anything was kept.
ACTIVITIES_FROM_ROWS = """
SELECT id_perjanjian, greatest(year(tanggal), $tahun_pertama) AS tahun,
       count(*) FILTER (WHERE NOT kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial)) AS kegiatan_substantif,
       count(*) FILTER (WHERE kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial)) AS kegiatan_seremonial,
       max(tanggal) FILTER (WHERE NOT kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial)) AS substantif_terakhir,
       max(tanggal) AS kegiatan_terakhir
FROM kegiatan WHERE tanggal <= $as_of GROUP BY ALL ORDER BY ALL
"""
INDICATORS_FROM_ROWS = """
SELECT id_perjanjian, count(*) AS jumlah_indikator, coalesce(avg(capaian ORDER BY capaian), 0) AS capaian
FROM (SELECT id_perjanjian, CASE WHEN target > 0 AND tahun <= year($as_of)
                                 THEN greatest(0, least(coalesce(realisasi, 0) / target, 1)) END AS capaian
      FROM indikator)
GROUP BY ALL ORDER BY ALL
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("kept") / "s.duckdb") as store:
        write_synthetic(store, seed=5, scale="small")
        yield store


def _counted(run, sql: str) -> pd.DataFrame:
    used = {k: run.params[k] for k in ("as_of", "tahun_pertama", "jenis_seremonial") if f"${k}" in sql}
    return run.cur.sql(sql, params=used).df()


@pytest.mark.parametrize("as_of", [date(2025, 3, 1), date(2024, 1, 1), date(2023, 12, 31), date(2026, 7, 15),
                                   date(2005, 6, 1), date(2040, 1, 1),
                                   date(2058, 6, 30)])  # 50 years back from 2058: the oldest years count as 2008
@pytest.mark.parametrize("ceremonial", [None, ("pelatihan", "rapat koordinasi"), ()])
def test_kept_tables_give_the_figures_counted_from_the_rows(store, as_of, ceremonial):
    rules = load_rules()
    if ceremonial is not None:
        rules = dataclasses.replace(rules, ceremonial_activity_types=ceremonial)
    compute(store, date(2025, 3, 1), load_rules())  # tables kept for another date and other rules first
    with indicators._pipeline(store, as_of, rules, Filters(), RESULT_STEPS) as run:
        activities = run.frame("kegiatan_tahun").sort_values(["id_perjanjian", "tahun"], ignore_index=True)
        expected = _counted(run, ACTIVITIES_FROM_ROWS)
        facts = run.frame("perjanjian_fakta")
        indicator_rows = _counted(run, INDICATORS_FROM_ROWS)
    assert len(expected) > 0 or as_of < date(2007, 1, 1)  # the synthetic activities begin in 2007
    pd.testing.assert_frame_equal(activities, expected, check_exact=True)
    with_indicators = facts[facts["jumlah_indikator"] > 0].sort_values("id_perjanjian", ignore_index=True)
    pd.testing.assert_frame_equal(with_indicators[["id_perjanjian", "jumlah_indikator", "capaian"]], indicator_rows,
                                  check_exact=True)


def test_a_batch_makes_the_kept_tables_again(tmp_path):
    as_of = date(2025, 3, 1)
    rules = load_rules()
    rows = [perjanjian("P1", tanggal_pks=None, ada_rik=False, ada_awp=False)]
    with build_store(tmp_path / "s.duckdb", rows, [kegiatan("P1", "2023-05-01", "seremoni")],
                     [indikator("P1", 2024, 10, 5, "Peserta")]) as store:
        before = compute(store, as_of, rules)
        assert "ceremonial_only" in set(before.flags["code"])
        store.commit({"perjanjian": frame("perjanjian", rows),
                      "kegiatan": frame("kegiatan", [kegiatan("P1", "2024-02-01")]),
                      "indikator": frame("indikator", [indikator("P1", 2024, 10, 10, "Peserta")])},
                     user="test", kind="unggah", regions={"36.01"})
        after = compute(store, as_of, rules)
        assert "ceremonial_only" not in set(after.flags["code"])
        assert after.agreements["capaian"].item() == 1.0 and before.agreements["capaian"].item() == 0.5
        forget_kept_tables(store)
        pd.testing.assert_frame_equal(compute(store, as_of, rules).agreements, after.agreements, check_exact=True)


def test_kept_tables_are_made_once_per_version_and_rules(store, monkeypatch):
    rules = load_rules()
    forget_kept_tables(store)
    made = []
    statement = indicators._statement

    def counting(name, params, inlined=()):
        if steps()[name].per_data:
            made.append(name)
        return statement(name, params, inlined)

    monkeypatch.setattr(indicators, "_statement", counting)
    compute(store, date(2025, 3, 1), rules)
    compute(store, date(2025, 11, 30), rules, Filters.of(kabkota=["36.01"]))
    assert sorted(made) == ["indikator_perjanjian", "kegiatan_hari", "kegiatan_ringkasan"]
    # The indicators and the activities of the reference year are kept per reference year too.
    compute(store, date(2024, 6, 30), rules)
    assert sorted(made) == ["indikator_perjanjian", "indikator_perjanjian", "kegiatan_hari", "kegiatan_hari",
                            "kegiatan_ringkasan"]
    made.clear()
    compute(store, date(2025, 3, 1), dataclasses.replace(rules, ceremonial_activity_types=("pelatihan",)))
    # Only the steps that name the ceremonial kinds are made again for the other rules.
    assert sorted(made) == ["kegiatan_hari", "kegiatan_ringkasan"]


@pytest.mark.parametrize("header, body", [
    ("-- reads: kegiatan\n-- produces: x\n-- stored: data\n", "SELECT * FROM kegiatan WHERE tanggal <= $as_of\n"),
    ("-- reads: lampiran\n-- produces: x\n-- stored: data\n", "SELECT * FROM lampiran\n"),
    ("-- reads: kegiatan\n-- produces: x\n-- cut: tanggal\n", "SELECT * FROM kegiatan\n"),
])
def test_a_step_kept_per_data_version_reads_nothing_of_one_computation(tmp_path, monkeypatch, header, body):
    (tmp_path / "x.sql").write_text(header + body)
    monkeypatch.setattr(indicators, "SQL_DIR", tmp_path)
    for cached in (indicators.steps, indicators.sql_text, indicators._parameters_of):
        cached.cache_clear()
    try:
        with pytest.raises(ValueError, match="x.sql"):
            steps()
    finally:
        monkeypatch.undo()
        for cached in (indicators.steps, indicators.sql_text, indicators._parameters_of):
            cached.cache_clear()
    assert steps()["kegiatan_hari"].per_data and steps()["kegiatan_hari"].cut == "tanggal"
