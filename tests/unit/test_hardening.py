"""Hardening (issue 11, issue 10 defects 1 and 9): hostile files, far cells, control characters,
year extremes, encodings, huge numbers — each refused with a located Indonesian message or
committed, never a crash, never a change on refusal."""

from __future__ import annotations

import io
import logging
import resource

import openpyxl
import pandas as pd
import pytest

from ksln_metrics.importing import ingest, sandbox
from ksln_metrics.importing.ingest import Limits, commit_upload, read_upload, read_uploads
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

ACTIVITIES_CSV = (b"ID Perjanjian;Tanggal;Nama Kegiatan;Jenis Kegiatan\r\n"
                  b"LBK-001;02/09/2024;Pelatihan pemandu wisata;Pelatihan\r\n")


def test_agreements_saved_before_and_in_the_file_checked_together_from_the_cli_path(tmp_path):
    with Store(tmp_path / "k.duckdb") as store:
        commit_upload(store, read_upload("a.xlsx", simple_agreement_xlsx([agreement()])), user="Ani")
        uploads = read_uploads([("a.xlsx", simple_agreement_xlsx([agreement(**{"Judul Perjanjian": "Baru"})])),
                                ("kegiatan.csv", ACTIVITIES_CSV)], store=store)
        assert [u.errors for u in uploads] == [[], []]
        assert uploads[1].regions == {"36.02"}


def test_an_unexpected_failure_goes_to_the_log_with_its_traceback_not_to_the_message(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise KeyError("internal detail")

    monkeypatch.setattr(ingest, "_assemble", broken)
    with caplog.at_level(logging.ERROR, logger="ksln_metrics.importing.ingest"):
        upload = read_upload("a.xlsx", simple_agreement_xlsx([agreement()]),
                             known=pd.DataFrame(columns=["id_perjanjian", "kabkota"]), limits=Limits(isolated=False))
    [problem] = upload.errors
    assert "kesalahan tak terduga" in problem.message and "KeyError" not in problem.message
    assert "internal detail" not in problem.message
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[0] is KeyError and "a.xlsx" in record.getMessage()


NO_AGREEMENTS = pd.DataFrame(columns=["id_perjanjian", "kabkota"])
AGREEMENT_HEADER = ["ID Perjanjian", "Kab/Kota", "Judul Perjanjian", "Jenis", "Mitra", "Negara Mitra", "Status"]
AGREEMENT_ROW = ["LBK-1", "Kabupaten Lebak", "Kerja Sama Agrowisata", "KSDPL", "Gyeonggi-do", "Korea Selatan", "usulan"]


def far_cell_workbook(cell: str) -> bytes:
    """A header, one agreement and one stray cell far away: 7 KB on disk."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Perjanjian"
    ws.append(AGREEMENT_HEADER)
    ws.append(AGREEMENT_ROW)
    ws[cell] = "x"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize(("cell", "shown"), [("XFD1048576", "XFD1048576 (1.048.576 baris × 16.384 kolom)"),
                                             ("ZZ200000", "ZZ200000 (200.000 baris × 702 kolom)"),
                                             ("A1048576", "G1048576 (1.048.576 baris × 7 kolom)")])
def test_a_far_cell_is_refused_from_the_sheet_xml_before_reading(cell, shown):
    content = far_cell_workbook(cell)
    assert len(content) < 10_000
    before = peak_rss_mb()
    upload = read_upload("lebak.xlsx", content, known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert f"lembar 'Perjanjian' terpakai sampai sel {shown}" in problem.message
    assert "Ctrl+End" in problem.message and not upload.tables
    assert peak_rss_mb() - before < 200


def test_a_stray_cell_within_the_caps_only_widens_the_sheet():
    upload = read_upload("lebak.xlsx", far_cell_workbook("K40"), known=NO_AGREEMENTS)
    assert upload.ok and len(upload.tables["perjanjian"]) == 1


def test_a_reader_abort_ends_the_worker_not_this_process(small_worker):
    # The caps switched off: calamine itself asks for 512 GiB for the grid and aborts (SIGABRT).
    limits = Limits(max_cells=1 << 62, max_columns=1 << 30)
    upload = read_upload("lebak.xlsx", far_cell_workbook("XFD1048576"), known=NO_AGREEMENTS, limits=limits)
    [problem] = upload.errors
    assert problem.message.startswith("berkas memerlukan memori melebihi batas saat dibaca")
    assert "tidak ada yang disimpan" in problem.message
    # The next file gets a fresh worker.
    assert read_upload("lebak.xlsx", far_cell_workbook("J3"), known=NO_AGREEMENTS).ok


def test_a_file_within_the_caps_but_beyond_the_memory_budget_is_refused(small_worker):
    from tests.unit.large_files import recap, recap_xlsx

    upload = read_upload("rekap.xlsx", recap_xlsx(recap(20_000), perjanjian=False), known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert "memori melebihi batas" in problem.message


def test_a_csv_with_100000_columns_is_refused_from_its_header():
    header = ";".join(f"Kolom {i}" for i in range(100_000))
    content = (header + "\n" + ";".join("1" for _ in range(100_000)) + "\n").encode()
    before = resource.getrusage(resource.RUSAGE_SELF)
    upload = read_upload("lebar.csv", content, known=NO_AGREEMENTS)
    after = resource.getrusage(resource.RUSAGE_SELF)
    [problem] = upload.errors
    assert problem.message.startswith("baris 1 berisi 100.000 kolom; batasnya 1.000 kolom")
    # Refused from the header: far less work in this process than splitting 100,000 fields per row.
    assert (after.ru_utime - before.ru_utime) < 1.0


def xlsxwriter_book(rows: list[list], sheet: str = "Perjanjian") -> bytes:
    """A workbook written by xlsxwriter, which keeps control characters (as _x0001_) where openpyxl refuses them."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    ws = book.add_worksheet(sheet)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            ws.write(i, j, value)
    book.close()
    return buffer.getvalue()


def agreements_csv(*rows: list[str], extra_header: list[str] = (), encoding: str = "utf-8") -> bytes:
    lines = [";".join(AGREEMENT_HEADER + list(extra_header)), *(";".join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode(encoding)


def test_control_characters_are_stripped_at_import_with_row_and_column(tmp_path):
    content = xlsxwriter_book([AGREEMENT_HEADER, ["LBK-1", "Kabupaten Lebak", "Judul\x01 dengan\x00 NUL\u202e", "KSDPL",
                                                  "Gyeonggi-do", "Korea Selatan", "usulan"]])
    upload = read_upload("lebak\x01.xlsx", content, known=NO_AGREEMENTS)
    assert upload.ok and upload.file_name == "lebak.xlsx"
    assert [p.line() for p in upload.warnings] == [
        "lebak.xlsx:Perjanjian:2:Judul Perjanjian: peringatan: karakter kendali (U+0001, U+0000, U+202E) dihapus "
        "dari nilai 'Judul dengan NUL'"]
    assert upload.tables["perjanjian"]["judul"].tolist() == ["Judul dengan NUL"]
    with Store(tmp_path / "k.duckdb") as store:
        commit_upload(store, upload, user="Ani")
        assert store.batches()["file_name"].tolist() == ["lebak.xlsx"]
        assert not ingest.CONTROL_CHARACTERS.search(store.table("perjanjian").to_csv())


@pytest.mark.parametrize(("written", "year"), [("01/01/0000", "0000"), ("01/01/0099", "0099"), ("29/02/0000", "0000"),
                                               ("11-03-1944", "1944"), ("2101-01-01", "2101")])
def test_four_digit_years_are_taken_as_written_and_checked_against_the_range(written, year):
    content = agreements_csv(AGREEMENT_ROW[:-1] + ["berjalan", written], extra_header=["Tanggal Penandatanganan"])
    upload = read_upload("lebak.csv", content, known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert (problem.row, problem.column) == (2, "Tanggal Penandatanganan")
    assert problem.message == f"nilai '{written}' tidak dapat dibaca: tahun {year} di luar rentang wajar (1945–2100)"


def test_the_plausible_years_come_from_the_rules_file(tmp_path, monkeypatch):
    from ksln_metrics.engine.rules import DEFAULT_RULES

    rules = tmp_path / "aturan.toml"
    rules.write_text(DEFAULT_RULES.read_text(encoding="utf-8").replace("tahun_paling_awal = 1945", "tahun_paling_awal = 2010"),
                     encoding="utf-8")
    monkeypatch.setenv("KSLN_RULES", str(rules))  # read by this process; the running worker gets the range
    try:
        content = agreements_csv(AGREEMENT_ROW[:-1] + ["berjalan", "11/03/2009"], extra_header=["Tanggal Penandatanganan"])
        [problem] = read_upload("lebak.csv", content, known=NO_AGREEMENTS).errors
        assert problem.message.endswith("tahun 2009 di luar rentang wajar (2010–2100)")
        two_digits = agreements_csv(AGREEMENT_ROW[:-1] + ["berjalan", "11/03/19"], extra_header=["Tanggal Penandatanganan"])
        assert read_upload("lebak.csv", two_digits, known=NO_AGREEMENTS).tables["perjanjian"]["tanggal_ttd"].dt.year.tolist() == [2019]
    finally:
        monkeypatch.delenv("KSLN_RULES")


TIMRA = ["LBK-1", "Kabupaten Lebak", "Kerja sama dengan Timrå kommun", "KSDPL", "Timrå kommun", "Swedia", "usulan"]
SAPPORO = ["LBK-2", "Kabupaten Lebak", "Pertukaran pelajar 札幌市", "KSDPL", "札幌市", "Jepang", "usulan"]
KAZAN = ["LBK-3", "Kabupaten Lebak", "Kota Kazan Казань", "KSDPL", "Казань", "Rusia", "usulan"]
BEIJING = ["LBK-4", "Kabupaten Lebak", "Kerja sama 北京市", "KSDPL", "北京市", "Tiongkok", "usulan"]


@pytest.mark.parametrize(("encoding", "row", "expected"), [
    ("shift_jis", SAPPORO, "huruf Asia Timur atau Sirilik"),
    ("gb18030", BEIJING, "bersandi selain UTF-8 atau Windows-1252"),
    ("koi8_r", KAZAN, "bersandi selain UTF-8 atau Windows-1252"),
    ("utf_7", TIMRA, "bersandi UTF-7 ('+AOU' berarti 'å')"),
])
def test_csv_in_another_encoding_is_refused_instead_of_stored_as_mojibake(encoding, row, expected):
    upload = read_upload("lebak.csv", agreements_csv(row, encoding=encoding), known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert expected in problem.message and "CSV UTF-8" in problem.message


def test_mixed_utf8_and_cp1252_is_refused():
    content = agreements_csv(TIMRA) + ";".join(TIMRA).replace("LBK-1", "LBK-9").encode("cp1252") + b"\n"
    [problem] = read_upload("lebak.csv", content, known=NO_AGREEMENTS).errors
    assert problem.message.startswith("berkas mencampur dua sandi huruf (UTF-8 dan Windows-1252")


def test_mac_roman_is_warned_about_and_windows_1252_and_utf8_are_read_as_written():
    mac = read_upload("lebak.csv", agreements_csv(TIMRA, encoding="mac_roman"), known=NO_AGREEMENTS)
    assert mac.ok and "Mac Roman" in mac.warnings[0].message
    for encoding in ("cp1252", "utf-8", "utf-8-sig"):
        upload = read_upload("lebak.csv", agreements_csv(TIMRA, encoding=encoding), known=NO_AGREEMENTS)
        assert upload.ok and not upload.problems
        assert upload.tables["perjanjian"]["mitra"].tolist() == ["Timrå kommun"]


def test_huge_amounts_are_cell_errors_without_an_english_warning(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "lebak.xlsx"
    path.write_bytes(xlsxwriter_book([AGREEMENT_HEADER + ["Anggaran"], AGREEMENT_ROW + [1e308],
                                      ["LBK-2"] + AGREEMENT_ROW[1:] + [-1e308]]))
    run = subprocess.run([sys.executable, "-W", "default", "-m", "ksln_metrics", "ingest", str(path),
                          "--db", str(tmp_path / "k.duckdb")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "Warning" not in run.stdout + run.stderr and "overflow" not in run.stdout + run.stderr
    assert "lebak.xlsx:Perjanjian:2:Anggaran:" in run.stdout + run.stderr


def test_exports_of_data_stored_before_the_import_stripped_control_characters(tmp_path):
    """Rows written straight to the store (an older import) still export: .xlsx opens, CSV has no NUL/\\x01."""
    from datetime import date

    from openpyxl import load_workbook

    from ksln_metrics.accounts.audit import audit_csv, audit_log, audit_xlsx
    from ksln_metrics.engine.indicators import Filters, compute
    from ksln_metrics.engine.rules import load_rules
    from ksln_metrics.present.export import flags_csv, flags_xlsx, indicators_xlsx
    from tests.unit.builders import build_store, perjanjian

    bad = "Judul\x01 dengan\x00 NUL"
    store = build_store(tmp_path / "k.duckdb", [perjanjian("P1", judul=bad, mitra="Mitra\x02")])
    try:
        store.audit("Ani", "unggah", target="lebak\x01.xlsx", detail="1 baru")
        results = compute(store, date(2024, 6, 30), load_rules(), Filters())
        log = audit_log(store)
        for blob in (flags_xlsx(results.flags, date(2024, 6, 30)), indicators_xlsx(results, date(2024, 6, 30)),
                     audit_xlsx(log)):
            book = load_workbook(io.BytesIO(blob))
            cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value is not None]
            assert not any(ingest.CONTROL_CHARACTERS.search(c) for c in cells)
        for text in (flags_csv(results.flags), audit_csv(log)):
            assert not ingest.CONTROL_CHARACTERS.search(text.decode("utf-8-sig"))
    finally:
        store.close()


def test_a_file_that_takes_too_long_is_refused_and_the_next_one_is_read(monkeypatch):
    monkeypatch.setattr(sandbox, "WALL_SECONDS", 0.001)
    upload = read_upload("lebak.xlsx", far_cell_workbook("J3"), known=NO_AGREEMENTS)
    [problem] = upload.errors
    assert problem.message.startswith("pembacaan berkas melebihi batas waktu; tidak ada yang disimpan")
    monkeypatch.undo()
    assert read_upload("lebak.xlsx", far_cell_workbook("J3"), known=NO_AGREEMENTS).ok
