"""Hardening (issue 11, issue 10 defects 1 and 9): hostile files, far cells, control characters,
year extremes, encodings, huge numbers — each refused with a located Indonesian message or
committed, never a crash, never a change on refusal."""

from __future__ import annotations

import logging

import pandas as pd

from ksln_metrics.importing import ingest
from ksln_metrics.importing.ingest import commit_upload, read_upload, read_uploads
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

ACTIVITIES_CSV = ("ID Perjanjian;Tanggal;Nama Kegiatan;Jenis Kegiatan\r\n"
                  "LBK-001;02/09/2024;Pelatihan pemandu wisata;Pelatihan\r\n").encode("utf-8")


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
                             known=pd.DataFrame(columns=["id_perjanjian", "kabkota"]))
    [problem] = upload.errors
    assert "kesalahan tak terduga" in problem.message and "KeyError" not in problem.message
    assert "internal detail" not in problem.message
    [record] = [r for r in caplog.records if r.exc_info]
    assert record.exc_info[0] is KeyError and "a.xlsx" in record.getMessage()
