"""Edit one row in the app: the importer's own checks, a batch of kind perubahan_manual with its CSV, the unit rule,
a corrected activity date closing the old row, and rollback restoring exactly the earlier state."""

from datetime import date

import pytest

from ksln_metrics.access import User
from ksln_metrics.followup.manual_edit import EditRefused, check_edit, form_values, save_edit
from ksln_metrics.store import AccessDenied
from tests.unit.builders import build_store, indikator, kegiatan, laporan, perjanjian

LEBAK = User("budi.lebak", "analis", "36.02")
TANGSEL = User("sari.tangsel", "analis", "36.74")


@pytest.fixture
def store(store_location):
    rows = [perjanjian("LBK-1", kabkota="36.02", penandatangan="Bupati Lebak", anggaran=150_000_000.5),
            perjanjian("TGS-1", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan")]
    with build_store(store_location, rows, [kegiatan("LBK-1", "2024-05-01", nama_kegiatan="Pelatihan guru")],
                     [indikator("LBK-1", 2024, 40, 30, nama="Guru dilatih")],
                     [laporan("LBK-1", 2024, "2025-01-08")]) as store:
        yield store


def snapshot(store):
    return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}


def test_the_form_shows_the_row_as_the_import_reads_it(store):
    values = form_values(store, "perjanjian", {"id_perjanjian": "LBK-1"})
    assert values["tanggal_ttd"] == "01-03-2023"
    assert values["ada_rik"] == "Ya"
    assert values["anggaran"] == "150.000.000,50"
    assert values["kabkota"] == "36.02"
    # Saving the form unchanged reads back to the same row: no batch.
    assert save_edit(store, "perjanjian", {"id_perjanjian": "LBK-1"}, values, user=LEBAK).batch_id is None


def test_a_corrected_date_is_a_manual_batch_that_rolls_back(store):
    before = snapshot(store)
    values = form_values(store, "perjanjian", {"id_perjanjian": "LBK-1"})
    values["tanggal_persetujuan_dprd"] = "12 Januari 2023"
    result = save_edit(store, "perjanjian", {"id_perjanjian": "LBK-1"}, values, user=LEBAK)
    assert result.changes["perjanjian"].updated == 1
    row = store.query("SELECT tanggal_persetujuan_dprd FROM perjanjian WHERE id_perjanjian = 'LBK-1'").iloc[0, 0]
    assert row.date() == date(2023, 1, 12)
    batch = store.batches().iloc[0]
    assert (batch["kind"], batch["user_name"], batch["file_name"]) == (
        "perubahan_manual", "budi.lebak", "perubahan-manual-perjanjian-LBK-1.csv")
    name, content = store.batch_file(int(batch["batch_id"]))
    assert "12 Januari 2023" in content.decode("utf-8")
    audit = store.query("SELECT action, user_name FROM audit ORDER BY audit_id DESC LIMIT 1").iloc[0].tolist()
    assert audit == ["perubahan_manual", "budi.lebak"]
    store.rollback(int(batch["batch_id"]), user=LEBAK)
    assert snapshot(store) == before


def test_bad_values_are_refused_with_the_importers_messages_and_nothing_is_written(store):
    before, batches = snapshot(store), len(store.batches())
    values = form_values(store, "perjanjian", {"id_perjanjian": "LBK-1"})
    values.update(tanggal_ttd="31-02-2023", anggaran="seratus juta", status="entahlah", judul="")
    with pytest.raises(EditRefused) as refused:
        save_edit(store, "perjanjian", {"id_perjanjian": "LBK-1"}, values, user=LEBAK)
    columns = {p.column for p in refused.value.problems}
    assert {"Tanggal Penandatanganan", "Anggaran (Rp)", "Status", "Judul Perjanjian"} <= columns
    assert str(refused.value).startswith("Perubahan tidak disimpan: ")
    values = form_values(store, "perjanjian", {"id_perjanjian": "LBK-1"})
    values["id_perjanjian"] = "LAIN-1"
    with pytest.raises(EditRefused, match="ID Perjanjian tidak dapat diubah"):
        check_edit(store, "perjanjian", {"id_perjanjian": "LBK-1"}, values)
    assert (snapshot(store), len(store.batches())) == (before, batches)


def test_an_analyst_edits_only_its_own_units_rows(store):
    before = snapshot(store)
    values = form_values(store, "perjanjian", {"id_perjanjian": "TGS-1"})
    values["judul"] = "Diubah Lebak"
    with pytest.raises(AccessDenied, match="hanya boleh mengubah data 36.02"):
        save_edit(store, "perjanjian", {"id_perjanjian": "TGS-1"}, values, user=LEBAK)
    values = form_values(store, "perjanjian", {"id_perjanjian": "LBK-1"})
    values["kabkota"] = "36.74"  # moving its agreement to another unit is refused too
    with pytest.raises(AccessDenied):
        save_edit(store, "perjanjian", {"id_perjanjian": "LBK-1"}, values, user=LEBAK)
    assert snapshot(store) == before
    values = form_values(store, "perjanjian", {"id_perjanjian": "TGS-1"})
    values["judul"] = "Diubah Tangsel"
    assert save_edit(store, "perjanjian", {"id_perjanjian": "TGS-1"}, values, user=TANGSEL).batch_id


def test_a_corrected_activity_date_replaces_the_row_and_rollback_brings_it_back(store):
    before = snapshot(store)
    key = {"id_perjanjian": "LBK-1", "tanggal": date(2024, 5, 1), "nama_kegiatan": "Pelatihan guru"}
    values = form_values(store, "kegiatan", key)
    assert values["tanggal"] == "01-05-2024"
    values["tanggal"] = "02/05/2024"
    result = save_edit(store, "kegiatan", key, values, user=LEBAK)
    assert (result.changes["kegiatan"].new, result.changes["kegiatan"].deleted) == (1, 1)
    rows = store.table("kegiatan")
    assert [d.date() for d in rows["tanggal"]] == [date(2024, 5, 2)]
    store.rollback(result.batch_id, user=LEBAK)
    assert snapshot(store) == before


@pytest.mark.parametrize(("table", "key", "column", "value", "expected"), [
    ("indikator", {"id_perjanjian": "LBK-1", "tahun": 2024, "indikator": "Guru dilatih"}, "realisasi", "35", 35.0),
    ("laporan", {"id_perjanjian": "LBK-1", "tahun_anggaran": 2024}, "tanggal_disampaikan", "9 Januari 2025",
     date(2025, 1, 9)),
])
def test_indicator_and_report_rows(store, table, key, column, value, expected):
    values = form_values(store, table, key)
    values[column] = value
    result = save_edit(store, table, key, values, user=LEBAK)
    assert result.changes[table].updated == 1
    got = store.table(table)[column].iloc[0]
    assert (got.date() if hasattr(got, "date") else got) == expected
