"""The engine turns its Arrow results into pandas frames itself: exactly the frames DuckDB's ``.df()`` gives."""

import duckdb
import pandas as pd
import pytest

from ksln_metrics.engine.indicators import _frame_of_arrow

# Every type the SQL steps return, with and without a NULL, and a text column with no value at all.
COLUMNS = """
    CAST(i AS INTEGER) AS int32, CAST(i AS BIGINT) AS int64, CAST(i AS SMALLINT) AS int16,
    CASE WHEN i % 2 = 0 THEN CAST(i AS INTEGER) END AS int32_null,
    CASE WHEN i % 2 = 0 THEN CAST(i AS BIGINT) END AS int64_null,
    i % 3 = 0 AS bool, CASE WHEN i % 2 = 0 THEN i % 3 = 0 END AS bool_null,
    i / 7 AS double, CASE WHEN i % 2 = 0 THEN i / 7 END AS double_null,
    DATE '2024-01-31' + CAST(i AS INTEGER) AS date, CASE WHEN i % 2 = 0 THEN DATE '1970-01-01' - CAST(i AS INTEGER) END
        AS date_null,
    'teks ' || i AS text, CASE WHEN i % 2 = 0 THEN 'é' || i END AS text_null, CAST(NULL AS VARCHAR) AS text_empty,
    CAST(i AS HUGEINT) * 1000000007 AS hugeint, CAST(i AS DECIMAL(10, 2)) / 3 AS decimal,
    CAST(i AS DECIMAL(18, 0)) AS decimal_whole, [i, i + 1] AS list
"""


@pytest.mark.parametrize("rows", [0, 1, 5, 3000])
def test_an_arrow_result_becomes_the_frame_df_gives(rows):
    con = duckdb.connect()
    sql = f"SELECT {COLUMNS} FROM range({rows}) t(i)"
    expected = con.sql(sql).df()
    table = con.sql(sql).to_arrow_table()
    got = _frame_of_arrow(con, table)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.dtypes) == list(expected.dtypes)


def test_a_sum_of_integers_and_a_column_of_nulls_only_keep_the_types_df_gives():
    con = duckdb.connect()
    sql = ("SELECT k, sum(v) AS total, CAST(NULL AS INTEGER) AS nothing, CAST(NULL AS BOOLEAN) AS unknown, "
           "CAST(NULL AS DATE) AS undated FROM (VALUES ('a', 1), ('a', 2), ('b', 3)) t(k, v) GROUP BY k ORDER BY k")
    expected = con.sql(sql).df()
    got = _frame_of_arrow(con, con.sql(sql).to_arrow_table())
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@pytest.mark.parametrize("values", [
    pd.Series([], dtype="str"),
    pd.Series([None, None], dtype="str"),
    pd.Series(["late_report", None, "unknown", "late_report", "expired"], dtype="str"),
    pd.Series(["late_report", "expired"], dtype=object),
])
def test_codes_looked_up_once_each_give_what_pandas_map_gives(values):
    from ksln_metrics.engine.indicators import _mapped

    labels = {"late_report": "Laporan terlambat", "expired": "Kedaluwarsa"}
    pd.testing.assert_series_equal(_mapped(values, None, labels), values.map(labels), check_exact=True)


def test_a_stored_step_sorted_in_arrow_comes_in_the_order_of_order_by():
    """Text by its bytes (capitals, accents, digits), an empty value last: DuckDB's ORDER BY and Arrow agree."""
    from ksln_metrics.engine.indicators import _Run

    con = duckdb.connect()
    rows = ("SELECT * FROM (VALUES ('36.02', 'b-1', 1), ('36.02', 'B-1', 2), (NULL, 'a', 3), ('36.10', 'é', 4), "
            "('36.10', 'e', 5), ('36', 'Z9', 6), ('36', 'Z10', 7), ('36.02', NULL, 8), ('', 'x', 9)) t(unit, id, n)")
    run = _Run(con, {}, {"langkah"}, ["langkah"])
    run.tables["langkah"] = con.sql(rows).to_arrow_table()
    expected = con.sql(f"SELECT * FROM ({rows}) ORDER BY unit, id").df()
    pd.testing.assert_frame_equal(run.sorted_frame("langkah", ("unit", "id")), expected, check_exact=True)


def test_raised_flags_ordered_by_integer_keys_come_in_the_order_of_order_by():
    """By region and agreement (as the sorted agreements give them), the order of the flag definitions
    (not the alphabet) and year with an empty year last: what bendera_daftar.sql's ORDER BY gave."""
    from ksln_metrics.engine.indicators import _flag_order
    from ksln_metrics.engine.rules import FLAG_CODES

    con = duckdb.connect()
    rows = ("SELECT * FROM (VALUES ('P2', '36.02', 'late_report', 2024), ('P1', '36.02', 'stalled', NULL), "
            "('P2', '36.02', 'late_report', 2022), ('P3', '36', 'expired', NULL), ('P2', '36.02', 'ceremonial_only', "
            "NULL), ('P1', '36.02', 'late_report', 2023), ('P2', '36.02', 'missing_report', 2023), "
            "('P10', '36.02', 'no_indicators', NULL), ('P1', '36.02', 'ceremonial_only', NULL)) "
            "t(id_perjanjian, kabkota_kode, code, year)")
    flags = con.sql(rows).to_arrow_table()
    agreements = con.sql("SELECT DISTINCT id_perjanjian, kabkota_kode FROM flags ORDER BY kabkota_kode, id_perjanjian")
    ids = agreements.to_arrow_table().column("id_perjanjian").combine_chunks()
    expected = con.sql("SELECT * FROM flags ORDER BY kabkota_kode, id_perjanjian, list_position($urutan, code), year",
                       params={"urutan": list(FLAG_CODES)}).df()
    got = flags.take(_flag_order(flags, ids)).to_pandas()
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert got["id_perjanjian"].tolist()[:2] == ["P3", "P1"]  # region 36 before 36.02
    assert got["code"].tolist()[1:4] == ["ceremonial_only", "stalled", "late_report"]  # P1, in the flags' order


def test_flag_counts_become_one_column_per_flag_with_zeros_for_the_units_asked_for():
    import numpy as np

    from ksln_metrics.engine.indicators import _flag_columns
    from ksln_metrics.engine.rules import FLAG_CODES

    counts = pd.DataFrame({
        "kabkota_kode": pd.Series(["36.01", "36.01", "99.99", None, "36"], dtype="str"),
        "code": pd.Series(["late_report", "expired", "stalled", "expired", "no_such_flag"], dtype="str"),
        "jumlah": np.array([3, 1, 2, 5, 7], dtype="int64"),
    })
    wide = _flag_columns(counts, "kabkota_kode", pd.Series(["36", "36.01", "36.02"], dtype="str"))
    assert list(wide.columns) == [f"jumlah_{code}" for code in FLAG_CODES]
    assert wide.dtypes.unique().tolist() == [np.dtype("int64")]
    assert wide.index.tolist() == [0, 1, 2]
    assert wide.loc[1, "jumlah_late_report"] == 3 and wide.loc[1, "jumlah_expired"] == 1
    assert wide.to_numpy().sum() == 4  # unknown units and flags are left out; every other cell is 0
