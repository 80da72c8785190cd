"""Load test: a rakor room opening the dashboard together — 30 sessions at once on Ringkasan, then three pages each.

Bounded and local: the app is served as by ``make run`` on 127.0.0.1 (demo store), and the
test stops by itself after every session has opened its four pages (or after ``--timeout``).
Each session is a websocket client speaking Streamlit's own protocol (what the browser's
frontend sends: a rerun of a page with the session cookie of a logged-in user), so 30 of them
fit this machine next to the server; one real chromium tab runs alongside them and measures
the time to fully drawn (bench/browser_timing.py) while the server is under that load.

Per session and page: the time from asking for the page to the server's "script finished"
after the last element. Reported: errors (an exception shown, a page not found, a run not
finished), p95 and median over every page of every session, the chromium tab's fully-drawn
times, and the server's memory (resident set) per session: (RSS with every session open − RSS
before they connected) / sessions.

    .venv/bin/python bench/bench_load.py [--sessions 30] [--timeout 180]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import browser_timing as bt  # noqa: E402

from ksln_metrics.accounts.users import active_user, start_session  # noqa: E402
from ksln_metrics.store import Store  # noqa: E402

CLICKS = ("Kabupaten/Kota", "Peringatan", "Perjanjian")  # after Ringkasan, as a leader would look around
TARGET_P95 = 3.0
COOKIE = "ksln_sesi"


def sessions_for(db: str, count: int) -> list[str]:
    """``count`` login sessions of the e2e leader account, made in the store before the server opens it."""
    with Store(db) as store:
        user = active_user(store, "pimpinan")
        return [start_session(store, user, now=datetime.now()) for _ in range(count)]


class PageRun:
    """One page asked for over a session's websocket: its time, its elements and what went wrong."""

    def __init__(self, page: str) -> None:
        self.page, self.seconds, self.elements, self.error = page, None, 0, None


async def _finish(ws, run: PageRun, started: float, forward_msg) -> dict:
    """Read forward messages until the script has finished; the navigation message's pages, if any."""
    pages: dict = {}
    while True:
        msg = forward_msg()
        msg.ParseFromString(await ws.recv())
        kind = msg.WhichOneof("type")
        if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            run.elements += 1
            if msg.delta.new_element.WhichOneof("type") == "exception":
                run.error = f"{run.page}: {msg.delta.new_element.exception.message}"
        elif kind == "navigation":
            pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
        elif kind == "page_not_found":
            run.error = f"{run.page}: halaman tidak ditemukan"
        elif kind == "script_finished":
            if msg.script_finished == msg.FINISHED_EARLY_FOR_RERUN:
                continue  # the page reran itself (a widget's first value): its next run counts
            run.seconds = time.perf_counter() - started
            return pages


async def one_session(url: str, token: str, start: asyncio.Event, release: asyncio.Event, runs: list[PageRun],
                      finished: list[int]) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=120,
                                  additional_headers={"Cookie": f"{COOKIE}={token}"}) as ws:
        await start.wait()
        pages: dict = {}
        for name in ("Ringkasan", *CLICKS):
            run = PageRun(name)
            runs.append(run)
            back = BackMsg()
            back.rerun_script.query_string = ""
            back.rerun_script.page_script_hash = pages.get(name, "")
            back.rerun_script.widget_states.SetInParent()
            started = time.perf_counter()
            await ws.send(back.SerializeToString())
            pages = await _finish(ws, run, started, ForwardMsg) or pages
            if name != "Ringkasan" and name not in pages:
                run.error = f"{name}: tidak ada di navigasi"
        finished.append(1)
        await release.wait()  # connected until every session has finished: the memory is read with all open


async def crowd(url: str, tokens: list[str], timeout: float, all_open: threading.Event,
                rss, rss_open: list[int]) -> list[PageRun]:
    runs: list[PageRun] = []
    start, release = asyncio.Event(), asyncio.Event()
    finished: list[int] = []
    tasks = [asyncio.create_task(one_session(url, t, start, release, runs, finished)) for t in tokens]
    await asyncio.sleep(1.0)  # every websocket connected before the room "presses Enter" together
    start.set()
    all_open.set()
    deadline = time.monotonic() + timeout
    while len(finished) < len(tokens) and time.monotonic() < deadline and not all(t.done() for t in tasks):
        await asyncio.sleep(0.1)
    rss_open.append(rss())
    release.set()
    done, pending = await asyncio.wait(tasks, timeout=30)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            run = PageRun("sambungan")
            run.error = f"websocket: {task.exception()!r}"
            runs.append(run)
    return runs


def rss_of(pid: int) -> int:
    """Resident memory of process ``pid`` in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) process ``pid`` has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_profile(pid: int, out: str) -> subprocess.Popen:
    """py-spy (requirements-dev.txt) sampling every thread of the server until interrupted."""
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        raise SystemExit("py-spy tidak terpasang (pip install -r requirements-dev.txt)")
    fmt = {".svg": "flamegraph", ".txt": "raw"}.get(Path(out).suffix, "speedscope")
    # --gil: only the thread holding the GIL, i.e. what the sessions queue behind.
    process = subprocess.Popen([spy, "record", "--pid", str(pid), "--rate", "50", "--format", fmt, "--output", out,
                                "--gil", "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # attached before the crowd arrives
    return process


def browser_probe(url: str, all_open: threading.Event, results: list[float], errors: list[str]) -> None:
    """One chromium tab, logged in before the crowd arrives, opening the same four pages while it is there."""
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as playwright:
            browser = bt.launch(playwright)
            try:
                context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="id-ID")
                page = context.new_page()
                page.set_default_timeout(180_000)
                bt.login(page, url, "pimpinan")
                bt.open_page(page, "Perjanjian")  # away from Ringkasan, to come back to it under load
                all_open.wait(300)
                for title in ("Ringkasan", *CLICKS):
                    results.append(bt.open_page(page, title))
            finally:
                browser.close()
    except Exception as exc:  # noqa: BLE001 - reported as an error of the load test
        errors.append(f"chromium: {exc}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=180, help="seconds before the test gives up (default 180)")
    parser.add_argument("--profile", metavar="FILE", help="record the server with py-spy while the crowd runs "
                        "(speedscope JSON; a flame graph for .svg, collapsed stacks for .txt)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = bt.make_store(workdir)
    tokens = sessions_for(env["KSLN_DB"], args.sessions + 1)
    started_load = bt.machine_load()
    with bt.serve_process(workdir, env) as (url, pid):
        # One session first: the caches filled and the modules imported, as on a server in use.
        warm = asyncio.run(crowd(url, tokens[-1:], args.timeout, threading.Event(), lambda: 0, []))
        if any(r.error for r in warm):
            raise SystemExit(f"the first session failed: {[r.error for r in warm if r.error]}")
        rss_before = rss_of(pid)
        all_open = threading.Event()
        drawn, errors = [], []
        probe = threading.Thread(target=browser_probe, args=(url, all_open, drawn, errors), daemon=True)
        probe.start()
        time.sleep(0.5)
        rss_open: list[int] = []
        spy = start_profile(pid, args.profile) if args.profile else None
        started, server_cpu, client_cpu = time.perf_counter(), cpu_of(pid), time.process_time()
        runs = asyncio.run(crowd(url, tokens[:-1], args.timeout, all_open, lambda: rss_of(pid), rss_open))
        wall = time.perf_counter() - started
        server_cpu, client_cpu = cpu_of(pid) - server_cpu, time.process_time() - client_cpu
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        probe.join(args.timeout)
    errors += [r.error for r in runs if r.error]
    unfinished = [r for r in runs if r.seconds is None and r.error is None]
    errors += [f"{r.page}: tidak selesai dalam {args.timeout:g} s" for r in unfinished]
    times = [r.seconds for r in runs if r.seconds is not None]
    per_session = (rss_open[0] - rss_before) / args.sessions if rss_open else 0
    print(f"{args.sessions} sesi x {1 + len(CLICKS)} halaman dalam {wall:.1f} s; {len(times)} selesai, "
          f"{len(errors)} galat")
    for error in errors[:10]:
        print(f"  galat: {error}")
    by_page = {}
    for run in runs:
        if run.seconds is not None:
            by_page.setdefault(run.page, []).append(run.seconds)
    for page, values in by_page.items():
        print(f"  {page:16} median {bt.median(values):5.2f} s  p95 {bt.p95(values):5.2f} s  maks {max(values):5.2f} s")
    if drawn:
        print("  chromium di tengah beban, sampai tergambar penuh: "
              + ", ".join(f"{t} {s:.2f} s" for t, s in zip(("Ringkasan", *CLICKS), drawn, strict=False)))
    print(f"  CPU selama beban: server {server_cpu:.1f} s ({1000 * server_cpu / max(len(times), 1):.0f} ms per halaman), "
          f"proses tolok ukur (klien websocket dan pengendali chromium) {client_cpu:.1f} s, dalam {wall:.1f} s")
    print(f"  memori server: {rss_before / 2**20:.0f} MiB sebelum, {rss_open[0] / 2**20 if rss_open else 0:.0f} MiB "
          f"dengan {args.sessions} sesi terbuka")
    print(f"  {started_load}; at the end {bt.machine_load()}")
    print()
    print(f"load errors: {len(errors)} (target 0) {'ok' if not errors else 'ABOVE'}")
    print(bt.verdict(f"load p95 page ({args.sessions} sessions)", bt.p95(times) if times else float("inf"),
                     TARGET_P95))
    if drawn:
        print(bt.verdict("load p95 drawn in chromium", bt.p95(drawn), TARGET_P95))
    print(f"load memory per session: {per_session / 2**20:.1f} MiB (target report) ok")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
