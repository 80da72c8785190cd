"""Load test: a rakor room opening the dashboard together — 30 sessions at once on Ringkasan, then three pages each.

Bounded and local: the app is served on 127.0.0.1 (demo store) in the two configurations the
README documents: one process on a DuckDB file as by ``make run``, and the deployment it tells a
province to use for many viewers (a rakor): deploy/nginx.conf in front of two replicas on one
PostgreSQL store (tests/nginx_proxy.py, tests/pg_server.py; every part started here and stopped
at the end). The test stops by itself after every session has opened its four pages (or after
``--timeout``).
Each session is a websocket client speaking Streamlit's own protocol (what the browser's
frontend sends: a rerun of a page with the session cookie of a logged-in user), so 30 of them
fit this machine next to the server; one real chromium tab runs alongside them and measures
the time to fully drawn (bench/browser_timing.py) while the server is under that load.

Per session and page: the time from asking for the page to the server's "script finished"
after the last element. Reported: errors (an exception shown, a page not found, a run not
finished), p95 and median over every page of every session, the chromium tab's fully-drawn
times, the CPU the server processes and this process (the clients) used, and the server's memory
(resident set, summed over the replicas) per session: (RSS with every session open − RSS
before they connected) / sessions. ``--profile FILE`` records each server process with py-spy.

    .venv/bin/python bench/bench_load.py [--sessions 30] [--timeout 180] [--deployment satu|replika|semua]
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
from contextlib import ExitStack
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
AFFINITY_COOKIE = "ksln_replika"  # deploy/nginx.conf: the replica a browser stays on


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


async def one_session(url: str, cookie: str, start: asyncio.Event, release: asyncio.Event, runs: list[PageRun],
                      finished: list[int]) -> None:
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None, open_timeout=120,
                                  additional_headers={"Cookie": cookie}) as ws:
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


async def crowd(url: str, cookies: list[str], timeout: float, all_open: threading.Event, rss, rss_open: list[int],
                warm: list[tuple[str, str]] = (), ready: threading.Event | None = None,
                before=lambda: None) -> list[PageRun]:
    """``cookies`` opening their pages on ``url`` together; their runs (and a run per failed connection).

    First each ``warm`` (url, cookie) session opens the pages alone and stays connected, as on a server
    in use (with no session left Streamlit forgets the compiled pages); then, once ``ready`` is set (the
    chromium tab logged in), the crowd connects, ``before()`` is called and the crowd starts. ``rss()`` is
    read into ``rss_open`` before the crowd connects and with all open, at the end.
    """
    runs: list[PageRun] = []
    start, release = asyncio.Event(), asyncio.Event()
    warm_runs: list[PageRun] = []
    warm_done: list[int] = []
    opened = asyncio.Event()
    opened.set()
    tasks = [asyncio.create_task(one_session(where, cookie, opened, release, warm_runs, warm_done))
             for where, cookie in warm]
    deadline = time.monotonic() + timeout
    while len(warm_done) < len(warm) and time.monotonic() < deadline and not any(t.done() for t in tasks):
        await asyncio.sleep(0.1)
    if len(warm_done) < len(warm) or any(r.error for r in warm_runs):
        release.set()
        raise SystemExit(f"the first session failed: {[r.error for r in warm_runs if r.error] or 'not finished'}")
    if ready is not None:
        await asyncio.to_thread(ready.wait, timeout)
    rss_open.append(rss())  # before the crowd connects
    finished: list[int] = []
    crowd_tasks = [asyncio.create_task(one_session(url, c, start, release, runs, finished)) for c in cookies]
    tasks += crowd_tasks
    await asyncio.sleep(1.0)  # every websocket connected before the room "presses Enter" together
    before()
    start.set()
    all_open.set()
    deadline = time.monotonic() + timeout
    while len(finished) < len(cookies) and time.monotonic() < deadline and not all(t.done() for t in crowd_tasks):
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


def browser_probe(url: str, ready: threading.Event, all_open: threading.Event, results: list[float],
                  errors: list[str]) -> None:
    """One chromium tab, logged in before the crowd arrives (then ``ready``), opening the same four pages with it."""
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
                ready.set()
                all_open.wait(300)
                for title in ("Ringkasan", *CLICKS):
                    results.append(bt.open_page(page, title))
            finally:
                browser.close()
    except Exception as exc:  # noqa: BLE001 - reported as an error of the load test
        errors.append(f"chromium: {exc}")
    finally:
        ready.set()  # a tab that failed does not hold the crowd back


class Figures:
    """What one deployment measured under the crowd."""

    def __init__(self, label: str, sessions: int) -> None:
        self.label, self.sessions = label, sessions
        self.runs: list[PageRun] = []
        self.drawn: list[float] = []
        self.errors: list[str] = []
        self.wall = self.server_cpu = self.client_cpu = 0.0
        self.cpu_per_process: list[float] = []
        self.rss_before = self.rss_open = 0
        self.load_before = self.load_after = ""


def cookie_header(token: str, replica: str | None = None) -> str:
    return f"{COOKIE}={token}" + (f"; {AFFINITY_COOKIE}={replica}" if replica else "")


def measure(figures: Figures, url: str, pids: list[int], cookies: list[str], warm: list[tuple[str, str]],
            args) -> None:
    """The crowd of ``cookies`` on ``url`` (served by processes ``pids``) after one session on each ``warm`` URL."""

    def rss() -> int:
        return sum(rss_of(pid) for pid in pids)

    all_open, ready = threading.Event(), threading.Event()
    probe = threading.Thread(target=browser_probe, args=(url, ready, all_open, figures.drawn, figures.errors),
                             daemon=True)
    probe.start()
    rss_open: list[int] = []
    spies = []
    server_cpu: list[float] = []
    started = client_cpu = 0.0

    def before() -> None:  # the warm sessions done and the chromium tab logged in: the crowd starts
        nonlocal started, client_cpu
        if args.profile:
            spies.extend(start_profile(pid, f"{args.profile}.{figures.label}.{pid}{Path(args.profile).suffix}")
                         for pid in pids)
        figures.load_before = bt.machine_load()
        server_cpu.extend(cpu_of(p) for p in pids)
        started, client_cpu = time.perf_counter(), time.process_time()

    figures.runs = asyncio.run(crowd(url, cookies, args.timeout, all_open, rss, rss_open, warm=warm, ready=ready,
                                     before=before))
    figures.wall = time.perf_counter() - started
    figures.cpu_per_process = [cpu_of(p) - before for p, before in zip(pids, server_cpu, strict=True)]
    figures.server_cpu = sum(figures.cpu_per_process)
    figures.client_cpu = time.process_time() - client_cpu
    figures.load_after = bt.machine_load()
    figures.rss_before, figures.rss_open = (rss_open[0], rss_open[-1]) if rss_open else (0, 0)
    for spy in spies:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
    probe.join(args.timeout)
    figures.errors += [r.error for r in figures.runs if r.error]
    figures.errors += [f"{r.page}: tidak selesai dalam {args.timeout:g} s" for r in figures.runs
                       if r.seconds is None and r.error is None]


def single_process(figures: Figures, args) -> None:
    """``make run``: one process on a DuckDB file."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = bt.make_store(workdir)
    tokens = sessions_for(env["KSLN_DB"], args.sessions + 1)
    with bt.serve_process(workdir, env) as (url, pid):
        measure(figures, url, [pid], [cookie_header(t) for t in tokens[:-1]], [(url, cookie_header(tokens[-1]))], args)


def replicas(figures: Figures, args) -> None:
    """The deployment the README tells a province to run for many viewers: deploy/nginx.conf in front of two
    replicas (app.py) on one PostgreSQL store, every part started here and stopped at the end."""
    from tests.nginx_proxy import running_nginx, served_by
    from tests.pg_server import TEST_ROLE, PgServer, password_in_env

    workdir = Path(tempfile.mkdtemp(prefix="bench-load-replika-"))
    server = PgServer().start()
    try:
        with password_in_env(server.password):  # this process's store; the replicas read the pgpass file
            database = server.create_database()
            env = bt.make_store(workdir, db=server.url(database))
            passfile = workdir / "pgpass"
            passfile.write_text(f"{server.host}:{server.port}:{database}:{TEST_ROLE}:{server.password}\n")
            passfile.chmod(0o600)
            env.update(PGPASSFILE=str(passfile), PGPASSWORD="")
            tokens = sessions_for(env["KSLN_DB"], args.sessions + 2)
            with ExitStack() as stack:
                served = []
                for number in (1, 2):
                    directory = workdir / f"replika-{number}"
                    directory.mkdir()
                    served.append(stack.enter_context(bt.serve_process(directory, env)))
                ports = tuple(int(u.rsplit(":", 1)[1]) for u, _ in served)
                url = stack.enter_context(running_nginx(workdir / "nginx", ports))
                # As a browser: the page first (nginx names the replica in a cookie), then the websocket with it.
                cookies = [cookie_header(t, served_by(f"{url}/", None)[1]) for t in tokens[:args.sessions]]
                warm = [(u, cookie_header(t)) for (u, _), t in zip(served, tokens[args.sessions:], strict=True)]
                measure(figures, url, [pid for _, pid in served], cookies, warm, args)
    finally:
        server.stop()


def replicas_missing() -> str | None:
    """Why the replica deployment cannot run here (no PostgreSQL or nginx binaries), or None."""
    from tests.pg_server import available

    if reason := available():
        return reason
    for candidate in (os.environ.get("KSLN_NGINX"), "/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).exists():
            return None
    return "nginx tidak terpasang (apt-get install nginx)"


DEPLOYMENTS = {"satu": ("one process (make run)", single_process),
               "replika": ("2 replicas behind nginx, PostgreSQL", replicas)}


def report(figures: Figures, description: str) -> None:
    times = [r.seconds for r in figures.runs if r.seconds is not None]
    print(f"== {description}: {figures.sessions} sesi x {1 + len(CLICKS)} halaman dalam {figures.wall:.1f} s; "
          f"{len(times)} selesai, {len(figures.errors)} galat")
    for error in figures.errors[:10]:
        print(f"  galat: {error}")
    by_page: dict[str, list[float]] = {}
    for run in figures.runs:
        if run.seconds is not None:
            by_page.setdefault(run.page, []).append(run.seconds)
    for page, values in by_page.items():
        print(f"  {page:16} median {bt.median(values):5.2f} s  p95 {bt.p95(values):5.2f} s  maks {max(values):5.2f} s")
    if figures.drawn:
        print("  chromium di tengah beban, sampai tergambar penuh: "
              + ", ".join(f"{t} {s:.2f} s" for t, s in zip(("Ringkasan", *CLICKS), figures.drawn, strict=False)))
    each = " + ".join(f"{c:.1f}" for c in figures.cpu_per_process) if len(figures.cpu_per_process) > 1 else ""
    print(f"  CPU selama beban: server {figures.server_cpu:.1f} s {f'({each}) ' if each else ''}"
          f"({1000 * figures.server_cpu / max(len(times), 1):.0f} ms per halaman), proses tolok ukur (klien websocket "
          f"dan pengendali chromium) {figures.client_cpu:.1f} s, dalam {figures.wall:.1f} s")
    print(f"  memori server: {figures.rss_before / 2**20:.0f} MiB sebelum, {figures.rss_open / 2**20:.0f} MiB "
          f"dengan {figures.sessions} sesi terbuka")
    print(f"  {figures.load_before}; at the end {figures.load_after}")


def summary(figures: Figures, name: str) -> list[str]:
    times = [r.seconds for r in figures.runs if r.seconds is not None]
    per_session = (figures.rss_open - figures.rss_before) / figures.sessions
    lines = [f"load errors{name}: {len(figures.errors)} (target 0) {'ok' if not figures.errors else 'ABOVE'}",
             bt.verdict(f"load p95 page{name} ({figures.sessions} sessions)", bt.p95(times) if times else float("inf"),
                        TARGET_P95)]
    if figures.drawn:
        lines.append(bt.verdict(f"load p95 drawn in chromium{name}", bt.p95(figures.drawn), TARGET_P95))
    lines.append(f"load memory per session{name}: {per_session / 2**20:.1f} MiB (target report) ok")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=180, help="seconds before the test gives up (default 180)")
    parser.add_argument("--deployment", choices=[*DEPLOYMENTS, "semua"], default="semua",
                        help="satu: one process on a DuckDB file (make run); replika: two replicas behind nginx on "
                             "PostgreSQL (deploy/); semua: both, one after the other (default)")
    parser.add_argument("--profile", metavar="FILE", help="record each server process with py-spy while the crowd "
                        "runs, into FILE.<deployment>.<pid>.<ext> (speedscope JSON; a flame graph for .svg, "
                        "collapsed stacks for .txt)")
    args = parser.parse_args()
    chosen = list(DEPLOYMENTS) if args.deployment == "semua" else [args.deployment]
    if "replika" in chosen and (reason := replicas_missing()):
        if args.deployment == "replika":
            raise SystemExit(f"Penerapan replika tidak dapat dijalankan: {reason}")
        print(f"Penerapan replika dilewati: {reason}")
        chosen.remove("replika")
    measured = []
    for key in chosen:
        description, run = DEPLOYMENTS[key]
        figures = Figures(key, args.sessions)
        run(figures, args)
        report(figures, description)
        measured.append(figures)
    print()
    lines = []
    for figures in measured:
        lines += summary(figures, "" if figures.label == "satu" else f" [{DEPLOYMENTS[figures.label][0]}]")
    print("\n".join(lines))
    return 0 if not any(f.errors for f in measured) else 1


if __name__ == "__main__":
    sys.exit(main())
