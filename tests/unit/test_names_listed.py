"""A list of names in one Indonesian sentence: all of a few, the first ten of many and a count of the rest."""

from ksln_metrics.formatting import names_listed


def test_a_few_names_are_all_listed_the_indonesian_way():
    assert names_listed(["Kota Serang"], "unit") == "Kota Serang"
    assert names_listed(["Kota Serang", "Kabupaten Lebak"], "unit") == "Kota Serang dan Kabupaten Lebak"
    assert names_listed(["A", "B", "C"], "unit") == "A, B, dan C"
    twelve = [f"Unit {n}" for n in range(12)]
    assert names_listed(twelve, "unit").endswith("Unit 10, dan Unit 11")


def test_many_names_are_cut_to_ten_and_the_rest_counted():
    national = [f"Unit {n}" for n in range(552)]
    text = names_listed(national, "unit")
    assert text == ", ".join(f"Unit {n}" for n in range(10)) + ", dan 542 unit lainnya"
    assert names_listed(national[:13], "unit").endswith("Unit 9, dan 3 unit lainnya")
    assert "1.990 unit lainnya" in names_listed([str(n) for n in range(2000)], "unit")  # Indonesian thousands
