"""Benchmark: the national view on the national synthetic store.

1. The per-province steps (provinsi*.sql, peringkat_provinsi.sql) run on their own inside a computation,
   against that whole computation (interleaved runs, medians): the national figures must cost next to
   nothing (both measured under the same load of a shared machine).
2. Ingesting the largest province's full dump into a national store (checks, national ids, one
   batch) against committing the same rows straight through the store's write path, and
   re-ingesting the unchanged dump.

    .venv/bin/python bench/bench_national.py [--runs 5] [--seed 1] [--rebuild]

Targets: the per-province steps ≤ 0.05× the whole computation; reading, checking and ingesting a dump ≤ 2× the
plain commit of its rows (checking costs at most what writing does); re-ingesting the unchanged dump
≤ 2× the plain commit, and it writes no batch.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ksln_metrics import reference as ref  # noqa: E402
from ksln_metrics.engine import indicators  # noqa: E402
from ksln_metrics.engine.indicators import Filters, _pipeline  # noqa: E402
from ksln_metrics.engine.rules import load_rules  # noqa: E402
from ksln_metrics.national import commit_dump, dump_province, read_dump  # noqa: E402
from ksln_metrics.sample.synth import write_synthetic  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
AS_OF = date(2025, 3, 1)
NATIONAL_STEPS = ("peringkat_provinsi", "provinsi", "provinsi_bendera", "provinsi_perhatian")


def synthetic_store(seed: int, rebuild: bool) -> Path:
    path = OUT / f"synth-national-{seed}.duckdb"
    if rebuild:
        path.unlink(missing_ok=True)
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        with Store(path) as store:
            write_synthetic(store, seed=seed, scale="national")
    return path


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def line(name: str, value: float, target: float) -> str:
    return f"{name}: {value:.3f} (target {target}) {'ok' if value <= target else 'ABOVE'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    rules = load_rules()
    with ref.use_scope("nasional"):
        path = synthetic_store(args.seed, args.rebuild)
        with Store(path, read_only=True) as store:
            with_national = list(indicators.RESULT_STEPS)

            def compute(targets):
                with _pipeline(store, AS_OF, rules, Filters(), targets) as run:
                    for name in targets:
                        run.frame(name)

            def national_steps() -> float:
                with _pipeline(store, AS_OF, rules, Filters(), with_national) as run:
                    return timed(lambda: [indicators._execute(run.cur, name, run.params).fetchall()
                                          for name in NATIONAL_STEPS])

            compute(with_national)  # warm the file cache
            whole, national = [], []
            for _ in range(args.runs):
                whole.append(timed(lambda: compute(with_national)))
                national.append(national_steps())
            largest = store.query(
                "SELECT split_part(kabkota, '.', 1) AS p, count(*) AS n FROM perjanjian GROUP BY 1 ORDER BY 2 DESC"
            )["p"].iloc[0]
            dump = dump_province(store, largest)
        print(f"per-province steps: {statistics.median(national):.3f} s of a whole computation of "
              f"{statistics.median(whole):.3f} s")
        print(line("national_steps_share", statistics.median(national) / statistics.median(whole), 0.05))

        plain, first, again = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            for run in range(args.runs):
                upload = read_dump(f"{largest}.zip", dump.data)
                assert upload.ok, [p.line() for p in upload.errors]
                with Store(Path(folder) / f"plain-{run}.duckdb") as target:
                    plain.append(timed(lambda target=target, upload=upload: target.commit(
                        upload.tables, user="bench", regions={largest}, replace=True)))
                with Store(Path(folder) / f"dump-{run}.duckdb") as target:
                    first.append(timed(lambda target=target: commit_dump(
                        target, read_dump(f"{largest}.zip", dump.data), user="bench")))
                    again.append(timed(lambda target=target: commit_dump(
                        target, read_dump(f"{largest}.zip", dump.data), user="bench")))
                    assert len(target.batches()) == 1, "re-ingesting the same dump wrote a batch"
    rows = ", ".join(f"{n:,} {t}".replace(",", ".") for t, n in dump.rows.items())
    print(f"province {largest} ({rows}; dump {len(dump.data) / 2**20:.1f} MB): plain commit "
          f"{statistics.median(plain):.3f} s, read + ingest {statistics.median(first):.3f} s, "
          f"re-ingest {statistics.median(again):.3f} s")
    print(line("national_ingest_ratio", statistics.median(first) / statistics.median(plain), 2.0))
    print(line("national_reingest_ratio", statistics.median(again) / statistics.median(plain), 2.0))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
