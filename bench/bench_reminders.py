"""Benchmark: the reminder agenda, calendar, windows and letters on the demo and the national synthetic store.

The agenda reads the engine's agreements and fiscal years (``agreements_and_years``, a part of
what ``compute`` makes), so ``compute`` itself, measured in the same run, is its yardstick; prints
medians and their ratio. Target: the agenda
≤ 2× ``compute``; the calendar and the letters of every unit are reported.

    .venv/bin/python bench/bench_reminders.py [--runs 3] [--seed 1]
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
from ksln_metrics.engine.indicators import compute  # noqa: E402
from ksln_metrics.engine.rules import load_rules  # noqa: E402
from ksln_metrics.reminders.agenda import agenda  # noqa: E402
from ksln_metrics.reminders.ical import calendar_ics  # noqa: E402
from ksln_metrics.reminders.letters import unit_letters  # noqa: E402
from ksln_metrics.reminders.windows import due_reminders  # noqa: E402
from ksln_metrics.sample.demo import load_demo  # noqa: E402
from ksln_metrics.sample.synth import write_synthetic  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
AS_OF = date(2026, 1, 5)
AGENDA_TARGET = 2.0  # the agenda reads compute's results: building it may cost at most as much again


def median_time(run, runs: int):
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def measure(name: str, path: Path, runs: int) -> list[str]:
    rules = load_rules()
    with Store(path, read_only=True) as store:
        floor, _ = median_time(lambda: compute(store, AS_OF, rules), runs)
        took, items = median_time(lambda: agenda(store, AS_OF, rules), runs)
    ics, data = median_time(lambda: calendar_ics(items, AS_OF), 1)
    windows, due = median_time(lambda: due_reminders(items, AS_OF, rules), 1)
    letters, made = median_time(lambda: unit_letters(items, AS_OF, rules), 1)
    print(f"{name}: {len(items):,} items; compute {floor:.2f} s, agenda {took:.2f} s (x{took / floor:.1f}); "
          f"calendar {ics:.2f} s ({len(data) / 1e6:.1f} MB); windows {windows:.2f} s ({len(due):,} due); "
          f"letters {letters:.2f} s ({len(made)} units)")
    ratio = took / floor
    return [f"reminders agenda/compute [{name}]: {ratio:.1f}x (target {AGENDA_TARGET:g}x) "
            f"{'ok' if ratio <= AGENDA_TARGET else 'ABOVE'}",
            f"reminders calendar, every unit [{name}]: {ics:.2f} s (target report) ok",
            f"reminders letters, every unit [{name}]: {letters:.2f} s (target report) ok"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        demo = Path(tmp) / "demo.duckdb"
        with Store(demo) as store:
            load_demo(store, today=AS_OF)
        summary = measure("demo (Banten)", demo, args.runs)
    national = OUT / f"synth-national-{args.seed}.duckdb"
    with ref.use_scope("nasional"):  # the national synthetic store opens only in the national scope
        if not national.exists():
            OUT.mkdir(parents=True, exist_ok=True)
            with Store(national) as store:
                write_synthetic(store, seed=args.seed, scale="national")
        summary += measure("national synthetic", national, args.runs)
    print("\n".join(summary))


if __name__ == "__main__":
    main()
