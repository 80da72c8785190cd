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


@pytest.fixture
def small_worker(monkeypatch):
    """The worker restarted with a 16 MB budget, and restarted again with the default afterwards."""
    sandbox.stop_worker()
    monkeypatch.setenv(sandbox.MEMORY_ENV, "16")
    yield
    sandbox.stop_worker()


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
