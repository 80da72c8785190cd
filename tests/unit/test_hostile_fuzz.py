"""Bounded fuzz test (issue 11): the template and real-looking files, mutated the ways the adversarial
run broke them — far cells, control characters, year extremes, huge numbers, encodings.

Every input must end cleanly: either it is read without error and committed, or it is refused
with Indonesian messages that name the file (and the sheet, row and column when a cell is at
fault) and the store is exactly as before. Never an exception, never English, and the memory of
this process stays bounded (the parsing happens in the worker). ``KSLN_FUZZ_EXAMPLES`` raises
the number of inputs for a longer run; the summary line says how many were tried.
"""

from __future__ import annotations

import io
import os
import re
import resource
from collections import Counter

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ksln_metrics.formatting import CONTROL_CHARACTERS
from ksln_metrics.importing.ingest import NO_SHEET, commit_upload, read_upload
from ksln_metrics.importing.template import template_xlsx
from ksln_metrics.store import Store, StoreError
from tests.unit.realistic_files import KEGIATAN_CSV_ROWS, agreements_workbook

EXAMPLES = int(os.environ.get("KSLN_FUZZ_EXAMPLES", "40"))
OUTCOMES: Counter = Counter()

HEADER = ["ID Perjanjian", "Kab/Kota", "Judul Perjanjian", "Jenis", "Mitra", "Negara Mitra", "Status",
          "Tanggal Penandatanganan", "Anggaran (Rp)"]
ROW = ["LBK-001", "Kabupaten Lebak", "Kerja Sama Agrowisata", "KSDPL", "Gyeonggi-do", "Korea Selatan", "berjalan",
       "11/03/2019", "Rp 150.000.000,00"]
CONTROL = ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x85", "\u202e", "\u2066", "\ufffe"]
YEARS = ["0000", "0001", "0099", "1899", "1944", "1945", "2100", "2101", "9999"]
HUGE = [1e308, -1e308, float("inf"), float("-inf"), float("nan"), 1e16, 9.99e15, -1.0, 1e-300]
FAR = ["XFD1048576", "ZZ200000", "A1048576", "AAA1", "K40", "ALL5000", "CV3"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "shift_jis", "gb18030", "koi8_r", "mac_roman", "utf_7", "latin-1"]
FOREIGN = ["Timrå kommun", "札幌市", "Казань", "北京市", "Köln", "Ærø", "Saint-Étienne"]
# Words that would betray an English (framework or library) message; quoted values are left out first.
ENGLISH = re.compile(r"\b(the|is|are|not|invalid|error|must|allowed|cannot|failed|unexpected|warning|"
                     r"traceback|exception|file|value|expected|smaller|memory)\b", re.IGNORECASE)


def _cell_ref(ref: str) -> tuple[int, int]:
    letters = re.match(r"[A-Z]+", ref).group(0)
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(ref[len(letters):]) - 1, col - 1


@st.composite
def hostile_rows(draw) -> list[list]:
    rows = [list(ROW), [f"LBK-00{i}" for i in (2,)] + ROW[1:]]
    rows[1][4] = "Kota Busan"
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(HEADER) - 1))
        kind = draw(st.sampled_from(["control", "year", "huge", "foreign", "text"]))
        if kind == "control":
            cell = str(rows[r][c])
            at = draw(st.integers(0, len(cell)))
            rows[r][c] = cell[:at] + draw(st.sampled_from(CONTROL)) + cell[at:]
        elif kind == "year":
            rows[r][7] = f"{draw(st.integers(1, 29)):02d}/{draw(st.integers(1, 12)):02d}/{draw(st.sampled_from(YEARS))}"
        elif kind == "huge":
            rows[r][8] = draw(st.sampled_from(HUGE))
        elif kind == "foreign":
            rows[r][c if c in (2, 4) else 4] = draw(st.sampled_from(FOREIGN))
        else:
            rows[r][c] = draw(st.text(max_size=30))
    return rows


@st.composite
def hostile_files(draw) -> tuple[str, bytes]:
    rows = draw(hostile_rows())
    form = draw(st.sampled_from(["xlsx", "template", "csv", "fixture"]))
    if form == "xlsx":
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True, "nan_inf_to_errors": True})
        sheet = book.add_worksheet("Perjanjian")
        for i, row in enumerate([HEADER, *rows]):
            for j, value in enumerate(row):
                sheet.write(i, j, value)
        if draw(st.booleans()):
            r, c = _cell_ref(draw(st.sampled_from(FAR)))
            sheet.write(r, c, "x")
        book.close()
        return "lebak.xlsx", buffer.getvalue()
    if form == "template":
        book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
        sheet = book["Perjanjian"]
        first = sheet.max_row + 1
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                # openpyxl refuses control characters (the xlsxwriter form carries them)
                if isinstance(value, str):
                    value = CONTROL_CHARACTERS.sub("", ILLEGAL_CHARACTERS_RE.sub("", value))
                sheet.cell(first + i, 1 + j, value)  # the template's columns are not in this order: synonyms find them
        if draw(st.booleans()):
            r, c = _cell_ref(draw(st.sampled_from(FAR)))
            sheet.cell(r + 1, c + 1, "x")
        buffer = io.BytesIO()
        book.save(buffer)
        return "templat_lebak.xlsx", buffer.getvalue()
    encoding = draw(st.sampled_from(ENCODINGS))
    if form == "fixture":
        text = "\r\n".join(KEGIATAN_CSV_ROWS).replace("Café Ültje", draw(st.sampled_from(FOREIGN)))
    else:
        text = "\n".join(";".join(str(v) for v in row) for row in [HEADER, *rows])
    if draw(st.booleans()):
        text = ";".join(f"K{i}" for i in range(draw(st.sampled_from([1001, 5000, 100_000])))) + "\n" + text
    return "lebak.csv", text.encode(encoding, errors="replace")


def snapshot(store: Store):
    return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}, len(store.batches())


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb") as opened:
        commit_upload(opened, read_upload("lebak_awal.xlsx", agreements_workbook()), user="admin")
        yield opened
    print(f"\nfuzz: {sum(OUTCOMES.values())} masukan, {dict(OUTCOMES)}")


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_files())
def test_hostile_inputs_end_in_a_commit_or_a_located_indonesian_refusal(store, named):
    name, content = named
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    before = snapshot(store)
    upload = read_upload(name, content, store=store)
    for problem in upload.problems:
        assert problem.file == name
        shown = re.sub(r"'[^']*'", "''", problem.message)
        assert not ENGLISH.search(shown), problem.line()
        if problem.row is not None:
            assert problem.sheet and problem.column not in ("", None), problem.line()
        if problem.sheet == NO_SHEET and problem.row is None and problem.column == "-":
            assert problem.message  # a file-level refusal says why
    if upload.ok:
        try:
            commit_upload(store, upload, user="admin")
            OUTCOMES["disimpan"] += 1
        except StoreError as exc:
            assert not ENGLISH.search(re.sub(r"'[^']*'", "''", str(exc)))
            assert snapshot(store) == before
            OUTCOMES["ditolak saat disimpan"] += 1
    else:
        assert snapshot(store) == before
        OUTCOMES["ditolak"] += 1
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 300, f"peak memory grew by {grown_mb:.0f} MB"
