"""Import benchmark (issue #15 item 1): a 100,000-row Kegiatan file, parsed bare vs. imported.

    .venv/bin/python bench/bench_ingest.py [--rows 100000] [--runs 5] [--profile] [--only xlsx|csv]

The files are generated on the fly, shaped like a province-wide recap (title block, template
headers, a total row): an .xlsx with real Excel dates and numbers, and a ``;`` CSV with
day-first dates and ``Rp 1.234.567,00`` amounts. Their ~2,000 agreements are imported once
beforehand; each run then times, on a fresh copy of that database:

  fastexcel   (xlsx) the bare parse: ``fastexcel.read_excel(bytes).load_sheet(name).to_arrow()``
              for every sheet, the reader's defaults (what the importer itself builds on)
  read_csv    (CSV) a typed ``pd.read_csv(engine="pyarrow")``: ``;``, two title rows, BOM, then
              the dates (``%d/%m/%Y``) and the ``Rp`` amounts turned into dates and numbers
  here        ``read_upload`` in this process (no worker): reading and validating, text columns
              turned into Python ``str`` at the end (what a caller of ``upload.tables`` gets)
  read        ``read_upload`` as the app calls it, in the sandboxed worker process (the sheet
              XML scan there runs beside calamine's parse, and text stays Arrow up to the store)
  import      ``read_upload`` + ``commit_upload`` into the DuckDB file (the figure of the target)

All are run alternately within each round, and the medians are compared; the last lines are
the two figures of the issue (target: at most 1.5x each). ``--profile`` adds a cProfile of one
in-process read of each file.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Appended, not prepended: PYTHONPATH=/path/to/a/copy benches a modified copy of ksln_metrics.
    sys.path.append(str(ROOT))

import fastexcel  # noqa: E402
import pandas as pd  # noqa: E402

from ksln_metrics.importing import sandbox  # noqa: E402
from ksln_metrics.importing.ingest import Limits, commit_upload, read_upload, read_upload_here  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402
from tests.unit.large_files import recap, recap_csv, recap_xlsx  # noqa: E402

TARGET = 1.5
YEARS = (1945, 2100)


def fastexcel_parse(path: Path) -> list:
    """The bare parse of a workbook: every sheet into an Arrow record batch, fastexcel's defaults."""
    reader = fastexcel.read_excel(path.read_bytes())
    return [reader.load_sheet(name).to_arrow() for name in reader.sheet_names]


def typed_read_csv(path: Path) -> pd.DataFrame:
    """The CSV read by pandas' pyarrow engine *and* given types: day-first dates and ``Rp 1.234,00`` amounts.

    A plain ``read_csv`` leaves both as text, so it is no like-for-like floor for an importer
    that must turn them into dates and numbers; this is the reader doing that part too.
    """
    frame = pd.read_csv(path, sep=";", skiprows=2, encoding="utf-8-sig", engine="pyarrow", dtype_backend="pyarrow")
    for column in frame.columns:
        if "Tanggal" in column:
            frame[column] = pd.to_datetime(frame[column], format="%d/%m/%Y", errors="coerce")
        elif "(Rp)" in column:
            text = frame[column].str.replace(r"^Rp ", "", regex=True)
            text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            frame[column] = pd.to_numeric(text, errors="coerce")
    return frame


FLOORS = {".xlsx": ("fastexcel", fastexcel_parse), ".csv": ("read_csv", typed_read_csv)}
FIGURES = {".xlsx": "xlsx import/fastexcel", ".csv": "csv import/typed read_csv"}


def import_once(path: Path, parents_db: Path, work: Path) -> tuple[float, float]:
    """Seconds for read_upload, and for read_upload + commit_upload, into a fresh copy of ``parents_db``."""
    db = work / "run.duckdb"
    for stale in (db, Path(f"{db}.wal")):
        stale.unlink(missing_ok=True)
    shutil.copy(parents_db, db)
    with Store(db) as store:
        began = time.perf_counter()
        upload = read_upload(path.name, path.read_bytes(), store=store)
        read = time.perf_counter() - began
        if not upload.ok:
            raise SystemExit("\n".join(p.line() for p in upload.errors[:10]))
        result = commit_upload(store, upload, user="bench")
        total = time.perf_counter() - began
        assert result.changes["kegiatan"].new == len(upload.tables["kegiatan"])
    return read, total


def read_here(path: Path, known: pd.DataFrame) -> None:
    upload = read_upload_here(path.name, path.read_bytes(), known=known, limits=Limits(isolated=False, years=YEARS))
    assert upload.ok, [p.line() for p in upload.errors[:5]]


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def profile(path: Path, parents_db: Path, work: Path, top: int = 25) -> None:
    profiler = cProfile.Profile()
    with Store(parents_db, read_only=True) as store:
        known = store.known_agreements()
    profiler.enable()
    read_here(path, known)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\n--- cProfile {path.name}, by {order} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", choices=("xlsx", "csv"), help="measure one of the two files")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    figures = []
    try:
        began = time.perf_counter()
        data = recap(args.rows)
        files = {
            "xlsx": work / "kegiatan.xlsx",
            "csv": work / "kegiatan.csv",
        }
        files["xlsx"].write_bytes(recap_xlsx(data, perjanjian=False))
        files["csv"].write_bytes(recap_csv(data, "kegiatan"))
        parents_db = work / "perjanjian.duckdb"
        with Store(parents_db) as store:
            parents = read_upload("perjanjian.xlsx", recap_xlsx(data, kegiatan=False), store=store)
            assert parents.ok, [p.line() for p in parents.errors[:5]]
            commit_upload(store, parents, user="bench")
            known = store.known_agreements()
        print(f"{args.rows:,} kegiatan of {len(data.perjanjian):,} perjanjian; files generated in "
              f"{time.perf_counter() - began:.1f} s: "
              + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files.values()))

        for kind, path in files.items():
            if args.only and kind != args.only:
                continue
            floor_name, floor = FLOORS[path.suffix]
            times: dict[str, list[float]] = {floor_name: [], "here": [], "read": [], "import": []}
            import_once(path, parents_db, work)  # warm-up: the worker, caches of reference data, imports
            read_here(path, known)
            floor(path)
            for _ in range(args.runs):
                times[floor_name].append(timed(lambda path=path, floor=floor: floor(path)))
                times["here"].append(timed(lambda path=path: read_here(path, known)))
                read, total = import_once(path, parents_db, work)
                times["read"].append(read)
                times["import"].append(total)
            med = {k: statistics.median(v) for k, v in times.items()}
            print(f"\n{path.name}: median of {args.runs} interleaved runs")
            for k, v in med.items():
                print(f"  {k:<9} {v:7.3f} s   (runs: {', '.join(f'{x:.3f}' for x in times[k])})")
            print(f"  worker    {med['read'] - med['here']:7.3f} s   (read - here: the sandbox's round trip)")
            print(f"  commit    {med['import'] - med['read']:7.3f} s   (import - read)")
            ratio = med["import"] / med[floor_name]
            figures.append(f"{FIGURES[path.suffix]}: {ratio:.2f}x (target {TARGET}x) {'ok' if ratio <= TARGET else 'ABOVE'}")
            print(f"  read/{floor_name} {med['read'] / med[floor_name]:.2f}x, here/{floor_name} "
                  f"{med['here'] / med[floor_name]:.2f}x")

        if args.profile:
            for kind, path in files.items():
                if not args.only or kind == args.only:
                    profile(path, parents_db, work)
    finally:
        sandbox.stop_worker()
        shutil.rmtree(work, ignore_errors=True)
    print()
    for line in figures:
        print(line)


if __name__ == "__main__":
    main()
