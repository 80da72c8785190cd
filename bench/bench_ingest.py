"""Import benchmark (issue #2): a 100,000-row Kegiatan file, read by pandas alone vs. imported.

    .venv/bin/python bench/bench_ingest.py [--rows 100000] [--runs 3] [--profile]

The files are generated on the fly, shaped like a province-wide recap (title block, template
headers, a total row): an .xlsx with real Excel dates and numbers, and a ``;`` CSV with
day-first dates and ``Rp 1.234.567,00`` amounts. Their ~2,000 agreements are imported once
beforehand; each run then times, on a fresh copy of that database:

  pandas   ``pd.read_excel(path, engine="calamine")`` / ``pd.read_csv(path, sep=";", skiprows=2)``
  pandas+types  (CSV) the same read plus pandas' own date and amount conversion
  read     ``read_upload`` (validation, parsing, problems)
  import   ``read_upload`` + ``commit_upload`` into the DuckDB file

The three are run alternately, and the medians are printed with the ratio import / pandas
(target: at most 1.5). ``--profile`` adds a cProfile of one import of each file.
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

import pandas as pd  # noqa: E402

from ksln_metrics.importing.ingest import commit_upload, read_upload  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402
from tests.unit.large_files import recap, recap_csv, recap_xlsx  # noqa: E402

TARGET = 1.5


def pandas_read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        # The same file as pandas needs to be told about it: `;`, two title rows, BOM.
        return pd.read_csv(path, sep=";", skiprows=2, encoding="utf-8-sig")
    return pd.read_excel(path, engine="calamine")


def pandas_read_typed(path: Path) -> pd.DataFrame:
    """The CSV read by pandas *and* given types: day-first dates and ``Rp 1.234,00`` amounts.

    Plain ``read_csv`` leaves both as text, so it is no like-for-like floor for an importer
    that must turn them into dates and numbers; this is pandas doing that part too.
    """
    frame = pandas_read(path)
    for column in frame.columns:
        if "Tanggal" in column:
            frame[column] = pd.to_datetime(frame[column], format="%d/%m/%Y", errors="coerce")
        elif "(Rp)" in column:
            text = frame[column].astype("string").str.replace(r"^Rp\s*", "", regex=True)
            text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
            frame[column] = pd.to_numeric(text, errors="coerce")
    return frame


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


def timed(fn) -> float:
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def profile(path: Path, parents_db: Path, work: Path, top: int = 25) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    import_once(path, parents_db, work)
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(top)
        print(f"\n--- cProfile {path.name}, by {order} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-ingest-"))
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
        print(f"{args.rows:,} kegiatan of {len(data.perjanjian):,} perjanjian; files generated in "
              f"{time.perf_counter() - began:.1f} s: "
              + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in files.values()))

        for path in files.values():
            times: dict[str, list[float]] = {"pandas": [], "read": [], "import": []}
            if path.suffix == ".csv":
                times["pandas+types"] = []
            import_once(path, parents_db, work)  # warm-up: caches of reference data, imports
            for _ in range(args.runs):
                times["pandas"].append(timed(lambda path=path: pandas_read(path)))
                if "pandas+types" in times:
                    times["pandas+types"].append(timed(lambda path=path: pandas_read_typed(path)))
                read, total = import_once(path, parents_db, work)
                times["read"].append(read)
                times["import"].append(total)
            med = {k: statistics.median(v) for k, v in times.items()}
            ratio = med["import"] / med["pandas"]
            print(f"\n{path.name}: median of {args.runs} runs")
            for k, v in med.items():
                print(f"  {k:<7} {v:7.2f} s   (runs: {', '.join(f'{x:.2f}' for x in times[k])})")
            print(f"  commit  {med['import'] - med['read']:7.2f} s   (import - read)")
            print(f"  ratio import/pandas {ratio:.2f}x, read/pandas {med['read'] / med['pandas']:.2f}x "
                  f"-> {'OK' if ratio <= TARGET else 'ABOVE'} target {TARGET}x")
            if "pandas+types" in med:
                print(f"  ratio import/(pandas+types) {med['import'] / med['pandas+types']:.2f}x")

        if args.profile:
            for path in files.values():
                profile(path, parents_db, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
