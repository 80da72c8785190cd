"""Each normalisation with the examples of DESIGN §4, and the ambiguous and wrong ones."""

from datetime import date, datetime

import pandas as pd
import pytest

from ksln_metrics.importing.cells import (
    CellError,
    parse_bool,
    parse_country,
    parse_date,
    parse_money,
    parse_number,
    parse_region,
    parse_series,
    parse_year,
)
from ksln_metrics.reference import KEGIATAN, PERJANJIAN


@pytest.mark.parametrize(
    "raw",
    ["11 Maret 2019", "11 maret 2019", "Senin, 11 Maret 2019", "11 Mar 2019", "11 March 2019", "11-03-2019",
     "11/03/2019", "11.03.2019", "2019-03-11", "2019-03-11 00:00:00", "11/3/19", 43535, 43535.0, "43535",
     datetime(2019, 3, 11, 0, 0), date(2019, 3, 11)],
)
def test_dates_in_every_listed_format(raw):
    assert parse_date(raw) == date(2019, 3, 11)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("31/02/2019", "tidak ada di kalender"), ("11 Maretz 2019", "nama bulan"), ("kemarin", "diharapkan tanggal"),
     ("03/11/1890", "di luar rentang"), (3.5, "bukan tanggal"), ("13/13/2019", "tidak ada di kalender")],
)
def test_bad_dates_say_what_is_expected(raw, expected):
    with pytest.raises(CellError, match=expected):
        parse_date(raw)


def test_day_first_never_month_first():
    assert parse_date("02/09/2019") == date(2019, 9, 2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Rp 150.000.000,00", 150_000_000), ("Rp150.000.000", 150_000_000), ("150000000", 150_000_000),
     (150000000, 150_000_000), ("Rp 1.500,-", 1500), ("1.500", 1500), ("IDR 2,500,000.00", 2_500_000),
     ("Rp 75.250.000,50", 75_250_000.5), ("12,5", 12.5)],
)
def test_money(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("seratus juta", "diharapkan jumlah rupiah"), ("-5.000", "negatif")])
def test_bad_money(raw, expected):
    with pytest.raises(CellError, match=expected):
        parse_money(raw)


def test_numbers_and_years():
    assert parse_number("1.234,5") == 1234.5
    assert parse_number("75%") == 75
    assert parse_year(2024.0) == 2024
    assert parse_year("TA 2024") == 2024
    with pytest.raises(CellError, match="empat angka"):
        parse_year("24")


@pytest.mark.parametrize("raw", ["Ya", "ya", "Y", "Ada", "Sudah", "✓", "✔", "√", True, 1])
def test_true_values(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["Tidak", "tidak ada", "Belum", "T", False, 0])
def test_false_values(raw):
    assert parse_bool(raw) is False


def test_unknown_boolean():
    with pytest.raises(CellError, match="Ya/Tidak"):
        parse_bool("mungkin")


@pytest.mark.parametrize(
    ("raw", "code"),
    [("KAB. LEBAK", "36.02"), ("Kab Lebak", "36.02"), ("Lebak", "36.02"), ("Kabupaten Lebak", "36.02"),
     ("Tangsel", "36.74"), ("Kota Tangerang Selatan", "36.74"), ("3674", "36.74"), ("36.74", "36.74"),
     (3674.0, "36.74"), (36.74, "36.74"), ("Kab. Tangerang", "36.03"), ("Kota Tangerang", "36.71"),
     ("Kota Serang", "36.73"), ("Kabupaten Serang", "36.04"), ("Pemkot Cilegon", "36.72"),
     ("Provinsi Banten", "36"), ("36", "36"), ("36.71 Tangerang", "36.71"), ("3601 - Kab. Pandeglang", "36.01")],
)
def test_regions(raw, code):
    assert parse_region(raw) == code


@pytest.mark.parametrize("raw", ["Tangerang", "SERANG", "serang"])
def test_bare_tangerang_or_serang_asks_which(raw):
    with pytest.raises(CellError, match="ambigu") as info:
        parse_region(raw)
    assert "Kab." in str(info.value) and "Kota" in str(info.value)


def test_code_that_contradicts_its_name():
    with pytest.raises(CellError, match="bertentangan"):
        parse_region("36.74 Kota Cilegon")


def test_unknown_region():
    with pytest.raises(CellError, match="tidak dikenal"):
        parse_region("Kabupaten Antah Berantah")


def test_region_of_another_province_names_it():
    with pytest.raises(CellError, match=r"Kabupaten Bogor \(32\.01\) di Provinsi Jawa Barat, bukan Provinsi Banten"):
        parse_region("Kabupaten Bogor")
    with pytest.raises(CellError, match="kode 32.75 adalah Kota Bekasi, Provinsi Jawa Barat, bukan Provinsi Banten"):
        parse_region("3275")


def test_code_that_contradicts_an_ambiguous_name():
    with pytest.raises(CellError, match="bertentangan"):
        parse_region("36.01 Tangerang")


@pytest.mark.parametrize(
    ("raw", "code"),
    [("Jepang", "JPN"), ("Japan", "JPN"), ("Tiongkok", "CHN"), ("RRT", "CHN"), ("China", "CHN"), ("Korsel", "KOR"),
     ("Korea Selatan", "KOR"), ("South Korea", "KOR"), ("Korea, Republic of", "KOR"), ("Belanda", "NLD"),
     ("Amerika Serikat", "USA"), ("Jerman", "DEU"), ("Inggris", "GBR"), ("Australia", "AUS"), ("KOR", "KOR"),
     ("Republik Korea", "KOR"), ("Israel", "ISR")],
)
def test_countries(raw, code):
    assert parse_country(raw) == code


def test_unknown_country():
    with pytest.raises(CellError, match="negara tidak dikenal"):
        parse_country("Wakanda")


def test_series_parse_reports_each_bad_cell_and_keeps_the_good_ones():
    raw = pd.Series(["Rp 1.000,50", 5.0, "x", None, "-", "2.500.000"])
    values, errors = parse_series(PERJANJIAN.column("anggaran"), raw)
    assert values.tolist()[:2] == [1000.5, 5.0] and values.tolist()[5] == 2_500_000
    assert pd.isna(values[2]) and pd.isna(values[3]) and pd.isna(values[4])
    assert errors.notna().tolist() == [False, False, True, False, False, False]


def test_series_dates_mix_excel_and_text():
    raw = pd.Series(["11 Maret 2019", date(2020, 1, 2), 43535.0, "bad", None])
    values, errors = parse_series(PERJANJIAN.column("tanggal_ttd"), raw)
    assert values.dt.date.tolist()[:3] == [date(2019, 3, 11), date(2020, 1, 2), date(2019, 3, 11)]
    assert errors.notna().tolist() == [False, False, False, True, False]


def test_coded_values_accept_synonyms_and_prefixes():
    values, errors = parse_series(KEGIATAN.column("jenis_kegiatan"), pd.Series(["Penandatanganan MoU", "Courtesy Call"]))
    assert values.tolist() == ["penandatanganan", "kunjungan kehormatan"]
    values, errors = parse_series(PERJANJIAN.column("status"), pd.Series(["Sudah ditandatangani", "AKTIF", "macet"]))
    assert values.tolist()[:2] == ["ditandatangani", "berjalan"]
    assert "usulan, proses, ditandatangani" in errors[2]


def test_missing_dates_format_as_empty_text():
    from ksln_metrics.formatting import format_date_id

    assert [format_date_id(v) for v in (None, pd.NaT, float("nan"))] == ["", "", ""]
    assert format_date_id(pd.Timestamp("2019-03-11")) == "11 Maret 2019"
