"""Benchmark: the store in PostgreSQL on the national synthetic store (issue 14 item 3).

Starts a throw-away PostgreSQL server (tests/pg_server.py: Debian's PostgreSQL 15, temporary
directory, stopped at the end), writes the synthetic store into it and into a DuckDB file, then:

* refresh: after a small batch, the time to bring the engine's DuckDB copy up to date (the
  batch's rows through ADBC → Arrow → DuckDB) — median over interleaved runs (target <= 1 s);
  the first, whole copy a process makes is reported too;
* flags and scores: ``compute`` on PostgreSQL (over the cached copy) against ``compute`` on the
  DuckDB file, interleaved in the same run; ratio of medians (target <= 1.5x);
* four processes uploading 10,000 agreements each at the same moment: all land (four batches,
  40,000 rows); the wall time is reported.

    .venv/bin/python bench/bench_pg.py [--runs 5] [--quick]

``--quick`` uses the small synthetic store and 1,000-row uploads (development only).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ksln_metrics.engine.indicators import compute  # noqa: E402
from ksln_metrics.engine.rules import load_rules  # noqa: E402
from ksln_metrics.sample.synth import synthetic_tables  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402
from tests.pg_server import PgServer, available  # noqa: E402
from tests.unit.builders import frame, perjanjian  # noqa: E402

AS_OF = date(2025, 3, 1)
UPLOAD_UNITS = ("36.01", "36.02", "36.03", "36.04")


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def line(name: str, value: float, unit: str, target: float, fmt: str = ".2f") -> str:
    verdict = "ok" if value <= target else "ABOVE"
    return f"{name}: {value:{fmt}}{unit} (target {target:{fmt}}{unit}) {verdict}"


def _upload(url: str, unit: str, rows: int, start, done) -> None:
    with Store(url) as store:
        tables = {"perjanjian": frame("perjanjian", [perjanjian(f"U{unit}-{i:05d}", kabkota=unit)
                                                     for i in range(rows)])}
        start.wait()
        store.commit(tables, user="bench", regions={unit}, file_name=f"bench-{unit}.xlsx")
    done.put(unit)


def concurrent_uploads(url: str, rows: int) -> float:
    ctx = mp.get_context("spawn")
    start, done = ctx.Barrier(len(UPLOAD_UNITS) + 1), ctx.Queue()
    workers = [ctx.Process(target=_upload, args=(url, unit, rows, start, done)) for unit in UPLOAD_UNITS]
    for w in workers:
        w.start()
    start.wait()  # every worker has its frame ready: the clock measures the uploads only
    began = time.perf_counter()
    finished = [done.get(timeout=600) for _ in workers]
    elapsed = time.perf_counter() - began
    for w in workers:
        w.join()
        if w.exitcode != 0:
            raise SystemExit(f"upload process failed with exit code {w.exitcode}")
    assert sorted(finished) == sorted(UPLOAD_UNITS)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="small store, 1,000-row uploads")
    args = parser.parse_args()
    reason = available()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    scale, upload_rows = ("small", 1_000) if args.quick else ("national", 10_000)
    rules = load_rules()
    tables, regions = synthetic_tables(1, scale)
    print(f"synthetic store ({scale}): " + ", ".join(f"{t} {len(f):,}" for t, f in tables.items()))

    server = PgServer().start()
    os.environ["PGPASSWORD"] = server.password
    workdir = Path(tempfile.mkdtemp(prefix="ksln-bench-pg-"))
    try:
        url = server.url(server.create_database())
        with Store(workdir / "synth.duckdb") as duck, Store(url) as pg:
            for store in (duck, pg):
                took = timed(lambda s=store: s.commit(tables, user="synth", kind="contoh", regions=regions))
                print(f"{store.dialect}: first batch of the synthetic store written in {took:.1f} s")
            copy = pg._engine_copy
            compute(duck, AS_OF, rules)
            compute(pg, AS_OF, rules)  # warm-up: the first copy, calendars, SQL text caches
            print(f"first (whole) copy of the engine tables: {copy.last_refresh_seconds:.2f} s "
                  "(once per process)")
            refresh, on_pg, on_duck = [], [], []
            for i in range(args.runs):  # interleaved, so that load on the machine hits all alike
                pg.commit({"perjanjian": frame("perjanjian", [perjanjian(f"BENCH-{i}")])}, user="bench",
                          regions={"36.01"})
                before = copy.refreshes
                started = time.perf_counter()
                pg.engine_cursor()  # sees the new data version: refreshes the copy
                refresh.append(time.perf_counter() - started)
                assert copy.refreshes == before + 1
                on_pg.append(timed(lambda: compute(pg, AS_OF, rules)))
                on_duck.append(timed(lambda: compute(duck, AS_OF, rules)))
                assert copy.refreshes == before + 1  # compute used the cached copy
            pg_rows = len(compute(pg, AS_OF, rules).agreements)
            duck_rows = len(compute(duck, AS_OF, rules).agreements)
            assert pg_rows == duck_rows + args.runs, (pg_rows, duck_rows)
            print(f"refresh of the engine copy: median {statistics.median(refresh):.3f} s "
                  f"(min {min(refresh):.3f}, max {max(refresh):.3f})")
            print(f"flags and scores: PostgreSQL median {statistics.median(on_pg):.3f} s, "
                  f"DuckDB file median {statistics.median(on_duck):.3f} s")

            batches_before = len(pg.batches())
            rows_before = pg.query("SELECT count(*) AS n FROM perjanjian")["n"].item()
            uploads = concurrent_uploads(url, upload_rows)
            landed = len(pg.batches()) - batches_before
            rows_added = pg.query("SELECT count(*) AS n FROM perjanjian")["n"].item() - rows_before
            print(f"four concurrent uploads of {upload_rows:,} rows: {uploads:.2f} s; "
                  f"{landed} batches and {rows_added:,} rows landed")
            if landed != len(UPLOAD_UNITS) or rows_added != len(UPLOAD_UNITS) * upload_rows:
                print("pg_concurrent_uploads_landed: FAILED")
                return 1
        ratio = statistics.median(on_pg) / statistics.median(on_duck)
        print(line("pg_engine_copy_refresh", statistics.median(refresh), " s", 1.0))
        print(line("pg_flags_scores_vs_duckdb", ratio, "x", 1.5))
        print(f"pg_four_concurrent_uploads: {uploads:.2f} s (target all land: "
              f"{landed * upload_rows:,} of {len(UPLOAD_UNITS) * upload_rows:,} rows) ok")
        return 0
    finally:
        server.stop()
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
