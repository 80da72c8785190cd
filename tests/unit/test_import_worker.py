"""The import worker's fast paths: the sheet scan beside calamine's parse, Arrow rows from the worker to the store.

Real files (xlsxwriter), the real worker process, real DuckDB files and PostgreSQL databases.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from ksln_metrics.formatting import CONTROL_CHARACTERS
from ksln_metrics.importing import cells, ingest, sandbox
from ksln_metrics.importing.ingest import Limits, commit_upload, preview_upload, read_upload
from ksln_metrics.reference import STORED_COLUMNS, TABLES
from ksln_metrics.store import Store
from tests.unit.test_hardening import far_cell_workbook

NO_AGREEMENTS = pd.DataFrame(columns=["id_perjanjian", "kabkota"])
HERE = Limits(isolated=False, years=(1945, 2100))


def four_sheet_workbook(n: int = 60) -> bytes:
    """Every table, every kind of cell: text with odd spaces, empty cells, dates as dates and as text, amounts
    as numbers and as ``Rp`` text, years, Ya/Tidak, a merged title above each header and a total row."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheets = {
        "perjanjian": (["id_perjanjian", "kabkota", "judul", "jenis", "bentuk", "mitra", "negara", "status",
                        "tanggal_ttd", "masa_berlaku_tahun", "ada_rik", "anggaran"],
                       lambda i: [f"LBK-{i:03d}", "Kabupaten Lebak" if i % 2 else "36.02", f"Kerja  sama {i} ",
                                  "KSDPL", "sister city", f"Mitra {i}", "Jepang" if i % 3 else "Korea Selatan",
                                  "berjalan", datetime(2019, 1, 1 + i % 28), 5 if i % 4 else None,
                                  "Ya" if i % 2 else "Tidak", 150_000_000 + i if i % 5 else f"Rp 1.500.{i:03d},00"]),
        "kegiatan": (["id_perjanjian", "tanggal", "nama_kegiatan", "jenis_kegiatan", "output", "anggaran"],
                     lambda i: [f"LBK-{i % 20:03d}", datetime(2020, 2, 1 + i % 28) if i % 2 else f"{1 + i % 28:02d}/03/2020",
                                f"Kegiatan {i}", "pelatihan" if i % 3 else "festival budaya",
                                None if i % 4 else "Modul", 2_000_000.5 if i % 2 else None]),
        "indikator": (["id_perjanjian", "tahun", "indikator", "satuan", "target", "realisasi"],
                      lambda i: [f"LBK-{i % 20:03d}", 2020 + i % 5, f"Indikator {i}", "orang", i, None if i % 3 else i / 2]),
        "laporan": (["id_perjanjian", "tahun_anggaran", "tanggal_disampaikan"],
                    lambda i: [f"LBK-{i % 20:03d}", 2000 + i, datetime(2021, 1, 1 + i % 28)]),
    }
    for table, (columns, row) in sheets.items():
        sheet = book.add_worksheet(TABLES[table].sheet)
        sheet.merge_range(0, 0, 0, len(columns) - 1, f"REKAP {TABLES[table].sheet.upper()}")
        sheet.write_row(2, 0, [TABLES[table].column(c).label for c in columns])
        count = n if table != "laporan" else 20
        for i in range(count):
            for j, value in enumerate(row(i)):
                if isinstance(value, datetime):
                    sheet.write_datetime(3 + i, j, value, day)
                elif value is not None:
                    sheet.write(3 + i, j, value)
        sheet.write(3 + count, 0, "JUMLAH")
    book.close()
    return buffer.getvalue()


def test_the_workers_arrow_rows_are_stored_exactly_as_the_frames(store_location, tmp_path):
    content = four_sheet_workbook()
    # The worker's rows, straight to the store (Arrow) ...
    with Store(store_location) as store:
        upload = read_upload("rekap.xlsx", content, known=NO_AGREEMENTS)
        assert upload.ok, [p.line() for p in upload.errors]
        rows = upload.rows()
        assert all(isinstance(t, pa.Table) for t in rows.values()) and set(rows) == set(TABLES)
        preview = preview_upload(store, upload)
        result = commit_upload(store, upload, user="admin")
        assert result.changes == preview and result.changes["kegiatan"].new == 60
        through_arrow = store.snapshot()
        assert store.batch_file(result.batch_id) == ("rekap.xlsx", content)
        again = read_upload("rekap.xlsx", content, known=store.known_agreements())
        assert commit_upload(store, again, user="admin").batch_id is None  # the same rows: nothing changes
    # ... and the same rows once asked for as DataFrames (the frames are then what is stored).
    with Store(tmp_path / "frames.duckdb") as store:
        upload = read_upload("rekap.xlsx", content, known=NO_AGREEMENTS)
        frames = upload.tables
        assert all(isinstance(f, pd.DataFrame) for f in upload.rows().values())
        assert list(frames["kegiatan"].columns) == list(STORED_COLUMNS["kegiatan"])
        assert frames["perjanjian"]["judul"].map(type).eq(str).all()
        assert frames["kegiatan"]["output"].isna().sum() == 45 and frames["kegiatan"]["output"].dropna().eq("Modul").all()
        commit_upload(store, upload, user="admin")
        through_frames = store.snapshot()
    for table in TABLES:
        pd.testing.assert_frame_equal(through_arrow[table], through_frames[table])
        assert len(through_arrow[table]) == {"laporan": 20}.get(table, 60)


def test_frames_changed_after_reading_are_what_is_committed(tmp_path):
    upload = read_upload("rekap.xlsx", four_sheet_workbook(), known=NO_AGREEMENTS)
    upload.tables["perjanjian"].loc[0, "judul"] = "Judul diubah sebelum disimpan"
    with Store(tmp_path / "s.duckdb") as store:
        commit_upload(store, upload, user="admin")
        titles = set(store.table("perjanjian")["judul"])
    assert "Judul diubah sebelum disimpan" in titles


def test_the_sheet_scan_and_the_parse_side_by_side_read_what_they_read_in_turn(monkeypatch):
    content = four_sheet_workbook()
    monkeypatch.setattr(ingest, "_parse_thread", None)
    in_turn = ingest._excel_sheets(content, ".xlsx", HERE)
    ingest.start_parse_thread()
    try:
        side_by_side = ingest._excel_sheets(content, ".xlsx", HERE)
        assert [s.name for s in side_by_side] == [s.name for s in in_turn] == [t.sheet for t in TABLES.values()]
        for a, b in zip(side_by_side, in_turn, strict=True):
            pd.testing.assert_frame_equal(a.grid, b.grid)
        # The merged title reached every column of its range.
        assert side_by_side[0].grid.iloc[0].tolist()[:12] == ["REKAP PERJANJIAN"] * 12
        # The scan's refusal stands, after the parse has finished.
        with pytest.raises(ingest.Rejected, match="terpakai sampai sel G1048576"):
            ingest._excel_sheets(far_cell_workbook("A1048576"), ".xlsx", Limits(isolated=False, years=(1945, 2100)))
    finally:
        ingest._parse_thread.shutdown()
        monkeypatch.setattr(ingest, "_parse_thread", None)


def test_a_workbook_whose_parse_ends_the_worker_gets_the_sheet_scans_message(monkeypatch):
    """calamine can exhaust the worker's memory before the scan beside it refuses the sheet: a fresh worker
    then runs the scan alone, and the file gets the scan's message, not a bare 'out of memory'."""
    def ended_by_the_parse(*args):
        raise sandbox.WorkerFailed("berkas memerlukan memori melebihi batas saat dibaca", crashed=True)

    monkeypatch.setattr(sandbox, "read_in_worker", ended_by_the_parse)
    [problem] = read_upload("lebak.xlsx", far_cell_workbook("XFD1048576"), known=NO_AGREEMENTS).errors
    assert "lembar 'Perjanjian' terpakai sampai sel XFD1048576" in problem.message and "Ctrl+End" in problem.message
    # A workbook the scan finds nothing wrong with keeps the worker's own reason.
    [problem] = read_upload("lebak.xlsx", far_cell_workbook("J3"), known=NO_AGREEMENTS).errors
    assert problem.message.startswith("berkas memerlukan memori melebihi batas saat dibaca; tidak ada yang disimpan")
    # A timeout is not retried: the scan would take as long again.
    monkeypatch.setattr(sandbox, "read_in_worker", lambda *a: (_ for _ in ()).throw(
        sandbox.WorkerFailed(sandbox.TIMEOUT_REASON)))
    monkeypatch.setattr(sandbox, "extent_refusal_in_worker", lambda *a: pytest.fail("scanned after a timeout"))
    [problem] = read_upload("lebak.xlsx", far_cell_workbook("XFD1048576"), known=NO_AGREEMENTS).errors
    assert problem.message.startswith(sandbox.TIMEOUT_REASON)


# Markers in any case (N/A, NULL, None, —), printable ASCII up to "~", and letters whose case mapping is odd (K, İ).
CELL_TEXT = st.text(alphabet=st.sampled_from(list("ab é–\u00a0\u2003\u3000\t\n\x01\x7f\x85\u200e\u202a\u2066\ufffe")
                                             + list("-naNAUuLlOoEe/—~\u212a\u0130")),
                    max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), CELL_TEXT), min_size=1, max_size=8), st.integers(0, 3))
def test_the_byte_screens_never_clear_a_column_the_regular_expressions_would_search(cells_text, skip):
    """The numpy screens over a column's UTF-8 bytes may let a clean column through to the regular
    expression, never the other way: every cell the expressions find is in a column the screens keep."""
    column = pd.Series(cells_text, dtype="str").iloc[min(skip, len(cells_text) - 1):]  # sliced: an Arrow offset
    values = cells.arrow_strings(column)
    texts = [t for t in column.tolist() if isinstance(t, str)]
    padded = cells._may_be_padded(values)
    for i, text in enumerate(column.tolist()):
        if isinstance(text, str) and re.search(cells._PADDED, text):
            assert padded[i]
    if any(re.search(cells._UNTIDY, t) for t in texts):
        assert cells._may_be_untidy(values)
    if any(CONTROL_CHARACTERS.search(t) for t in texts):
        assert cells.may_hold_control_characters(values)
    # And what the column-wise parsers make of it is what the cell-by-cell ones do.
    assert cells.normalize_spaces(column).tolist() == [" ".join(t.split()) if isinstance(t, str) else t
                                                       for t in column.tolist()]
    assert cells.empty_mask(column).tolist() == [cells.is_empty(t) for t in column.tolist()]


def test_a_text_file_is_kept_packed_and_given_back_as_uploaded(store_location):
    from tests.unit.large_files import recap, recap_csv, recap_xlsx

    data = recap(3000)
    workbook, text = recap_xlsx(data, kegiatan=False), recap_csv(data, "kegiatan")
    with Store(store_location) as store:
        agreements = read_upload("perjanjian.xlsx", workbook, known=NO_AGREEMENTS)
        first = commit_upload(store, agreements, user="admin")
        activities = read_upload("kegiatan.csv", text, known=store.known_agreements())
        assert activities.ok, [p.line() for p in activities.errors[:3]]
        second = commit_upload(store, activities, user="admin")
        assert store.batch_file(first.batch_id) == ("perjanjian.xlsx", workbook)
        assert store.batch_file(second.batch_id) == ("kegiatan.csv", text)
        kept = store.query("SELECT batch_id, codec, size_bytes, octet_length(content) AS stored FROM batch_file "
                           "ORDER BY batch_id")
    workbook_row, text_row = kept.to_dict("records")
    assert pd.isna(workbook_row["codec"]) and workbook_row["stored"] == workbook_row["size_bytes"] == len(workbook)
    assert text_row["codec"] == "lz4" and text_row["size_bytes"] == len(text) and text_row["stored"] < len(text) / 2


def test_a_file_read_by_the_worker_is_packed_while_it_reads_and_the_batch_stores_those_bytes(tmp_path, monkeypatch):
    from ksln_metrics import store as store_module
    from tests.unit.large_files import recap, recap_csv, recap_xlsx

    data = recap(3000)
    workbook, text = recap_xlsx(data, kegiatan=False), recap_csv(data, "kegiatan")
    with Store(tmp_path / "ksln.duckdb") as store:
        commit_upload(store, read_upload("perjanjian.xlsx", workbook, known=NO_AGREEMENTS), user="admin")
        activities = read_upload("kegiatan.csv", text, known=store.known_agreements())
        assert activities.ok and activities.sha256 == hashlib.sha256(text).hexdigest()
        packed_beside = []
        monkeypatch.setattr(store_module, "packed_file", lambda content: packed_beside.append(content))
        batch = commit_upload(store, activities, user="admin").batch_id
        assert not packed_beside  # packed beside the worker, not again in the batch
        assert store.batch_file(batch) == ("kegiatan.csv", text)
    # An upload whose content a caller replaced after reading is packed by the batch, from that content.
    monkeypatch.undo()
    with Store(tmp_path / "other.duckdb") as store:
        commit_upload(store, read_upload("perjanjian.xlsx", workbook, known=NO_AGREEMENTS), user="admin")
        again = read_upload("kegiatan.csv", text, known=store.known_agreements())
        again.content = text.replace(b"Rp ", b"Rp  ")
        calls = []
        real = store_module.packed_file
        monkeypatch.setattr(store_module, "packed_file", lambda content: calls.append(content) or real(content))
        batch = commit_upload(store, again, user="admin").batch_id
        assert calls == [again.content] and store.batch_file(batch) == ("kegiatan.csv", again.content)


def test_a_csv_that_needs_more_memory_than_the_budget_is_refused_by_the_worker(small_worker):
    """CSV goes through the worker too: rows wider than the header become a Python list each in the fallback
    reader (a hostile CSV of 7 MB: 60,000 lists of 60 fields), beyond the 16 MB budget here; the worker says
    so and this process carries on."""
    header = "ID Perjanjian;Tanggal Kegiatan;Nama Kegiatan\n" + "LBK-01;09/01/2023;Rapat\n" * 30
    rows = ("x;" * 59 + "x\n") * 60_000
    upload = read_upload("kegiatan.csv", (header + rows).encode(), known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert "memori melebihi batas" in problem.message and not upload.tables
    assert read_upload("kegiatan.csv", header.encode(), known=NO_AGREEMENTS).problems


def test_membership_in_an_arrow_text_column_is_what_pandas_isin_says():
    values = pd.Series(["LBK-01", None, "lbk-01", "LBK-01 ", "SRG-02", ""], dtype="str")
    for candidates in (pd.Series(["LBK-01", "SRG-02"], dtype=object), pd.Series(["", None], dtype="str"),
                       pd.Series([], dtype=object), pd.Series([1, "SRG-02"], dtype=object)):
        assert ingest._is_in(values, candidates).tolist() == values.isin(candidates).tolist()
