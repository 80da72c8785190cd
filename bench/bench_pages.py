"""Benchmark: page script time of Ringkasan and Kabupaten/Kota through AppTest, cold and warm cache.

Runs each page on the demo store and on the national-scale synthetic store (built by
bench_indicators.py's generator, cached under bench/out/). Cold = first run after clearing
Streamlit's caches; warm = a rerun with the caches filled. Prints medians over repetitions.

    .venv/bin/python bench/bench_pages.py [--repeat 3]

Targets (issue #4): warm under 0.5 s and cold under 3 s at national scale.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ksln_metrics.accounts.users import active_user, create_account  # noqa: E402
from ksln_metrics.sample.demo import load_demo  # noqa: E402
from ksln_metrics.sample.synth import write_synthetic  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
TITLES = {"pages/halaman_ringkasan.py": "Ringkasan", "pages/halaman_kabupaten_kota.py": "Kabupaten/Kota"}
BENCH_USER, BENCH_PASSWORD = "bench.admin", "sandi-tolok-ukur"
PAGES = {"Ringkasan": "pages/halaman_ringkasan.py", "Kabupaten/Kota": "pages/halaman_kabupaten_kota.py"}


def demo_store() -> Path:
    path = Path(tempfile.mkdtemp()) / "demo.duckdb"
    with Store(path) as store:
        load_demo(store)
    return path


def national_store() -> Path:
    path = OUT / "synth-national-1.duckdb"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        with Store(path) as store:
            write_synthetic(store, seed=1, scale="national")
    return path


def with_bench_account(path: Path) -> Path:
    """The pages need a login: an admin account for the benchmark, created once per store."""
    with Store(path) as store:
        if active_user(store, BENCH_USER) is None:
            create_account(store, BENCH_USER, "admin", BENCH_PASSWORD, by="tolok ukur")
    return path


def page_times(page: str) -> tuple[float, float]:
    """(cold, warm) seconds of one page's script run, logged in, after the login itself."""
    st.cache_resource.clear()
    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=300).run()
    app.text_input(key="masuk_nama").input(BENCH_USER)
    app.text_input(key="masuk_sandi").input(BENCH_PASSWORD)
    app.button(key="masuk_kirim").click().run()
    st.cache_data.clear()  # cold: the results and options caches empty, the store open
    app.switch_page(page)
    started = time.perf_counter()
    app.run()
    cold = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(app.exception[0].value)
    if not app.title or app.title[0].value != TITLES[page]:
        raise RuntimeError(f"{page} did not render (login failed?)")
    started = time.perf_counter()
    app.run()
    warm = time.perf_counter() - started
    return cold, warm


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    stores = {"demo": with_bench_account(demo_store()), "nasional": with_bench_account(national_store())}
    os.environ["KSLN_DB"] = str(stores["demo"])
    page_times(PAGES["Ringkasan"])  # import everything once, outside the measurements
    print(f"{'store':10} {'halaman':16} {'dingin (s)':>11} {'hangat (s)':>11}")
    for store_name, path in stores.items():
        os.environ["KSLN_DB"] = str(path)
        for title, page in PAGES.items():
            runs = [page_times(page) for _ in range(args.repeat)]
            cold = statistics.median(r[0] for r in runs)
            warm = statistics.median(r[1] for r in runs)
            print(f"{store_name:10} {title:16} {cold:11.3f} {warm:11.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
