"""Benchmark: every flag and score, per agreement and per region, on the national synthetic store.

Compares the full computation with the floor of one plain DuckDB aggregate over the
activity table, measured in the same run, and prints medians, their ratio and peak memory.

    .venv/bin/python bench/bench_indicators.py [--runs 7] [--seed 1] [--rebuild]

Targets: at most 5x the floor, under 1 s, under 1.5 GB peak memory.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ksln_metrics.engine.indicators import compute  # noqa: E402
from ksln_metrics.engine.rules import load_rules  # noqa: E402
from ksln_metrics.sample.synth import write_synthetic  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
FLOOR_SQL = "SELECT id_perjanjian, count(*), max(tanggal) FROM kegiatan GROUP BY 1"
AS_OF = date(2025, 3, 1)


def synthetic_store(seed: int, rebuild: bool) -> Path:
    path = OUT / f"synth-national-{seed}.duckdb"
    if rebuild:
        path.unlink(missing_ok=True)
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        with Store(path) as store:
            counts = write_synthetic(store, seed=seed, scale="national")
        print(f"built {path.name} in {time.perf_counter() - started:.1f} s: {counts}")
    return path


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()

    path = synthetic_store(args.seed, args.rebuild)
    rules = load_rules()
    with Store(path) as store:
        cur = store.cursor()
        sizes = {t: cur.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]
                 for t in ("perjanjian", "kegiatan", "indikator", "laporan")}
        print(f"store: {sizes}")
        # Warm-up: file pages, holiday calendars, SQL text caches.
        cur.execute(FLOOR_SQL).fetchall()
        results = compute(store, AS_OF, rules)
        floor, full = [], []
        for _ in range(args.runs):  # interleaved, so that load on the machine hits both alike
            floor.append(timed(lambda: cur.execute(FLOOR_SQL).fetchall()))
            full.append(timed(lambda: compute(store, AS_OF, rules)))
    floor_ms, full_ms = 1000 * statistics.median(floor), 1000 * statistics.median(full)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(f"results: {len(results.agreements)} agreements, {len(results.flags)} flags, "
          f"{len(results.regions)} regions")
    print(f"floor (one aggregate over kegiatan): median {floor_ms:.1f} ms  (min {1000 * min(floor):.1f})")
    print(f"full computation:                    median {full_ms:.1f} ms  (min {1000 * min(full):.1f})")
    print(f"ratio: {full_ms / floor_ms:.1f}x   (target <= 5x)")
    print(f"peak memory (maxrss): {peak_mb:.0f} MB   (target < 1536 MB)")
    print(f"under 1 s: {'yes' if full_ms < 1000 else 'no'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
