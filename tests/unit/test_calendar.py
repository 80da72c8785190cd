from datetime import date

import pytest

from ksln_metrics.engine.calendar import is_working_day, reporting_deadline, working_days_between
from ksln_metrics.engine.indicators import sql_text
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.formatting import format_date_id, format_number_id, format_rupiah
from tests.unit.builders import build_store


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.mark.parametrize(
    ("fiscal_year", "deadline"),
    [(2019, date(2020, 1, 10)), (2024, date(2025, 1, 10)), (2025, date(2026, 1, 12))],
)
def test_reporting_deadline_is_seventh_working_day_after_year_end(rules, fiscal_year, deadline):
    assert reporting_deadline(fiscal_year, rules) == deadline


def test_new_year_and_weekends_are_not_working_days(rules):
    assert not is_working_day(date(2026, 1, 1), rules)  # Tahun Baru, Thursday
    assert not is_working_day(date(2026, 1, 3), rules)  # Saturday
    assert is_working_day(date(2026, 1, 2), rules)


def test_working_days_between_counts_days_after_the_first_date(rules):
    assert working_days_between(date(2026, 1, 12), date(2026, 1, 13), rules) == 1
    assert working_days_between(date(2026, 1, 12), date(2026, 1, 12), rules) == 0
    assert working_days_between(date(2026, 1, 9), date(2026, 1, 12), rules) == 1  # weekend skipped
    assert working_days_between(date(2026, 1, 13), date(2026, 1, 12), rules) == -1


def test_extra_holiday_from_settings_moves_the_deadline(rules):
    changed = rules.replace(**{"kalender.libur_tambahan": ["2026-01-02"]})  # e.g. a late cuti bersama
    assert reporting_deadline(2025, changed) == date(2026, 1, 13)


def test_cancelled_holiday_from_settings_counts_as_working_day(rules):
    changed = rules.replace(**{"kalender.libur_dibatalkan": [date(2026, 1, 1)]})
    assert reporting_deadline(2025, changed) == date(2026, 1, 9)


def test_number_of_working_days_is_a_setting(rules):
    assert reporting_deadline(2025, rules.replace(**{"pelaporan.batas_hari_kerja": 1})) == date(2026, 1, 2)


def test_indonesian_formats():
    assert format_date_id(date(2019, 3, 11)) == "11 Maret 2019"
    assert format_date_id(None) == ""
    assert format_number_id(1234567.891) == "1.234.567,89"
    assert format_number_id(0.5, 1) == "0,5"
    assert format_rupiah(1234567) == "Rp 1.234.567"
    assert format_rupiah(-1500) == "-Rp 1.500"


def test_sql_date_macro_matches_python_formatter(tmp_path):
    store = build_store(tmp_path / "k.duckdb")
    cur = store.cursor()
    cur.execute(sql_text("macros"))
    days = [date(2019, 3, 11), date(2024, 12, 31), date(2026, 1, 1), date(2025, 5, 9), date(2025, 8, 17)]
    rows = cur.execute("SELECT tanggal_id(d), angka_id(1234567) FROM unnest($d) t(d)", {"d": days}).fetchall()
    assert [r[0] for r in rows] == [format_date_id(x) for x in days]
    assert rows[0][1] == "1.234.567"
    store.close()
