"""Benchmark: what a user waits for in chromium — login to Ringkasan fully drawn, every page warm, the next slide.

The app is served as by ``make run`` (``streamlit run app.py``, see tests/e2e/conftest.py) on
the demo store and on the national-scale synthetic store (ksln_metrics/sample/synth.py,
cached under bench/out/), both servers at once so the rounds interleave. One chromium (Debian's,
through Playwright); each round is a fresh browser context (no cookie, empty cache) that:

- logs in on the form and presses Enter: the time until Ringkasan is fully drawn (every chart
  drawn, nothing running; bench/browser_timing.py says how that is decided);
- opens every other page through the side navigation (warm: each was opened once before the
  rounds): the time until that page is fully drawn;
- on Presentasi presses the right arrow key a few times: the time until the next slide is drawn.

The password check (argon2id, deliberately slow) is part of the login and also timed on its own.

    .venv/bin/python bench/bench_pages.py [--repeat 5] [--stores demo,nasional]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import browser_timing as bt  # noqa: E402

from ksln_metrics.accounts.users import active_user, create_account, hash_password  # noqa: E402
from ksln_metrics.sample.synth import write_synthetic  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402

OUT = ROOT / "bench" / "out"
PAGES = ["Kabupaten/Kota", "Perjanjian", "Peringatan", "Tindak Lanjut", "Status Data", "Unggah Data", "Metodologi",
         "Pengingat", "Pengaturan", "Akun", "Audit", "Ringkasan", "Presentasi"]
NEXT_SLIDES = 3
TARGETS = {"login demo": 1.5, "login nasional": 3.0, "page": 1.0, "next slide": 0.3}


def demo_env() -> dict[str, str]:
    return bt.make_store(Path(tempfile.mkdtemp(prefix="bench-pages-")))


def national_env() -> dict[str, str]:
    """The national-scale store with the e2e admin account, built once under bench/out/."""
    path = OUT / "pages-national-1.duckdb"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        started = time.perf_counter()
        with Store(partial) as store:
            write_synthetic(store, seed=1, scale="national")
        partial.rename(path)
        print(f"built {path.name} in {time.perf_counter() - started:.0f} s", flush=True)
    name, (role, unit, password) = "admin", bt.E2E_ACCOUNTS["admin"]
    with Store(path) as store:
        if active_user(store, name) is None:
            create_account(store, name, role, password, kabkota=unit, by="tolok ukur")
    env = demo_env()  # the rules and the reference date of the e2e store, with the national data
    env["KSLN_DB"] = str(path)
    return env


def password_check_seconds(repeat: int = 5) -> float:
    """One argon2id check at the cost the accounts use (hash_password's parameters are kept in the hash)."""
    from argon2 import PasswordHasher
    from argon2.exceptions import VerifyMismatchError

    hashed, times = hash_password("sandi-tolok-ukur"), []
    for _ in range(repeat):
        started = time.perf_counter()
        try:
            PasswordHasher().verify(hashed, "bukan-sandinya")
        except VerifyMismatchError:
            pass
        times.append(time.perf_counter() - started)
    return bt.median(times)


def one_round(browser, url: str, figures: dict[str, list[float]], store: str, timeout_ms: float = 120_000,
              pages: list[str] = PAGES) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="id-ID")
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        figures[f"login {store}"].append(bt.login(page, url, timeout_ms=timeout_ms))
        for title in pages:
            figures[f"{title} {store}"].append(bt.open_page(page, title, timeout_ms=timeout_ms))
        for _ in range(NEXT_SLIDES if pages and pages[-1] == "Presentasi" else 0):
            figures[f"next slide {store}"].append(bt.next_slide(page, timeout_ms=timeout_ms))
    finally:
        context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="rounds per store (default 5)")
    parser.add_argument("--stores", default="demo,nasional", help="demo, nasional or both (default)")
    parser.add_argument("--pages", default=",".join(PAGES),
                        help="the pages opened after the login, in order (default: all; Presentasi last for its slides)")
    args = parser.parse_args()
    pages = [p for p in args.pages.split(",") if p in PAGES]
    from playwright.sync_api import sync_playwright

    makers = {"demo": demo_env, "nasional": national_env}
    stores = [s for s in args.stores.split(",") if s in makers]
    figures: dict[str, list[float]] = defaultdict(list)
    started_load = bt.machine_load()
    with ExitStack() as stack:
        urls = {}
        for store in stores:
            env = makers[store]()
            urls[store] = stack.enter_context(bt.serve(Path(tempfile.mkdtemp(prefix="bench-pages-srv-")), env))
        playwright = stack.enter_context(sync_playwright())
        browser = bt.launch(playwright)
        stack.callback(browser.close)
        warm: dict[str, list[float]] = defaultdict(list)
        for store in stores:  # every page opened once: the server's caches filled, Python's modules imported
            one_round(browser, urls[store], warm, store, timeout_ms=600_000, pages=pages)  # national: first computations
        print("warm-up: " + ", ".join(f"{k} {v[0]:.2f} s" for k, v in warm.items() if k.startswith("login")),
              flush=True)
        for _ in range(args.repeat):
            for store in stores:
                one_round(browser, urls[store], figures, store, pages=pages)
    argon2 = password_check_seconds()

    print(f"\n{'ukuran':34} {'median (s)':>10} {'min':>6} {'maks':>6}  (n)")
    for name, values in figures.items():
        print(f"{name:34} {bt.median(values):10.2f} {min(values):6.2f} {max(values):6.2f}  ({len(values)})")
    print(f"password check (argon2id, part of the login): {argon2:.2f} s")
    print(f"{started_load}; at the end {bt.machine_load()}")
    print()
    for name, values in figures.items():
        store = name.rsplit(" ", 1)[1]
        if name.startswith("login"):
            label, target = f"login->Ringkasan drawn {store}", TARGETS[f"login {store}"]
        elif name.startswith("next slide"):
            label, target = name, TARGETS["next slide"]
        else:
            label, target = f"page {name} warm", TARGETS["page"]
        print(bt.verdict(label, bt.median(values), target))
    return 0


if __name__ == "__main__":
    sys.exit(main())
