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
