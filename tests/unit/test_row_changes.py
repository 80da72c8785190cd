"""Row-level preview of an upload: new rows, and changed cells as old → new, the same count the store makes."""

from datetime import date

import pandas as pd
import pytest

from ksln_metrics.engine.row_changes import changed_table, new_table, row_changes
from ksln_metrics.importing.ingest import commit_upload, preview_upload, read_upload
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

ROWS = [
    agreement(),
    agreement(**{"ID Perjanjian": "LBK-002", "Judul Perjanjian": "Air Bersih Pedesaan", "Mitra": "JICA",
                 "Negara Mitra": "Jepang", "Jenis": "KSDLL", "Tanggal Penandatanganan": date(2021, 8, 5)}),
]


@pytest.fixture
def store(store_location):  # DuckDB and PostgreSQL
    with Store(store_location) as store:
        first = read_upload("lebak.xlsx", simple_agreement_xlsx(ROWS))
        assert first.ok, first.problems
        commit_upload(store, first, user="admin")
        yield store


def test_a_second_upload_shows_its_new_rows_and_each_changed_cell(store):
    edited = [
        agreement(**{"Status": "selesai", "Tanggal Persetujuan DPRD": date(2019, 1, 11)}),  # two cells change
        ROWS[1],  # unchanged
        agreement(**{"ID Perjanjian": "LBK-003", "Judul Perjanjian": "Beasiswa Vokasi", "Mitra": "Universiteit Leiden",
                     "Negara Mitra": "Belanda", "Jenis": "KSDLL", "Status": "usulan",
                     "Tanggal Penandatanganan": None}),
    ]
    upload = read_upload("lebak_revisi.xlsx", simple_agreement_xlsx(edited), known=store.known_agreements())
    assert upload.ok, upload.problems
    (change,) = row_changes(store, upload.tables)

    assert change.table == "perjanjian"
    assert change.new["id_perjanjian"].tolist() == ["LBK-003"]
    cells = change.cells.set_index("kolom")
    assert sorted(cells.index) == ["status", "tanggal_persetujuan_dprd"]
    assert (cells.loc["status", "lama"], cells.loc["status", "baru"]) == ("berjalan", "selesai")
    assert pd.isna(cells.loc["tanggal_persetujuan_dprd", "lama"])
    assert change.cells["id_perjanjian"].unique().tolist() == ["LBK-001"]

    # The same counts the store's own preview (and so the commit) makes.
    counted = preview_upload(store, upload)["perjanjian"]
    assert (len(change.new), change.changed_rows) == (counted.new, counted.updated)

    wide = changed_table(change)
    assert wide.iloc[0]["ID Perjanjian"] == "LBK-001"
    assert wide.iloc[0]["Status"] == "berjalan → selesai"
    assert wide.iloc[0]["Tanggal Persetujuan DPRD"] == "– → 11 Januari 2019"
    assert "Beasiswa Vokasi" in new_table(change).to_string()


def test_the_same_file_again_changes_nothing_and_writes_nothing(store):
    before = store.query("SELECT count(*) AS n FROM batch")["n"].iloc[0]
    again = read_upload("lebak.xlsx", simple_agreement_xlsx(ROWS), known=store.known_agreements())
    (change,) = row_changes(store, again.tables)
    assert change.new.empty and change.cells.empty and change.changed_rows == 0
    assert changed_table(change).empty
    assert store.query("SELECT count(*) AS n FROM batch")["n"].iloc[0] == before
