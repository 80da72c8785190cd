"""A real server and a real browser: `streamlit run app.py` (as `make run`) on a free port, Debian's chromium via Playwright.

Every request the browser makes to a host other than this machine is blocked and fails
the test; so does any element showing an exception. Screenshots go to test-artifacts/e2e/.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from ksln_metrics.accounts.users import create_account
from ksln_metrics.clock import ENV as TODAY_ENV
from ksln_metrics.sample.demo import load_demo
from ksln_metrics.store import Store
from tests.e2e import wire

# The app in the browser computes as of the demo's day, whatever the machine's calendar says.
E2E_TODAY = date(2026, 11, 28)

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Accounts of the e2e store, made before the server starts: name -> (role, unit, password).
E2E_ACCOUNTS = {
    "admin": ("admin", None, "sandi-admin-e2e"),
    "pimpinan": ("pimpinan", None, "sandi-pimpinan-e2e"),
    "analis.lebak": ("analis", "36.02", "sandi-lebak-e2e"),
    # Disabled by test_session.py, one per attempt (a rerun of that test finds its account disabled): no other test
    # uses them.
    **{f"uji.sesi.{attempt}": ("pimpinan", None, f"sandi-sesi-{attempt}-e2e") for attempt in (1, 2, 3)},
}
CHROMIUM_ARGS = [
    "--no-sandbox",  # tests run as root in CI
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    for candidate in (os.environ.get("KSLN_CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = "Chromium tidak terpasang (apt-get install chromium): pengujian end-to-end dilewati."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        new_context = browser.new_context

        def recording_context(*args, **kwargs):
            """Every page of every context records its websocket (tests/e2e/wire.py), to explain a wait that times out."""
            context = new_context(*args, **kwargs)
            context.on("page", wire.record)
            return context

        browser.new_context = recording_context
        yield browser
        browser.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("streamlit did not become healthy in time")


def make_store(workdir: Path, today: date = E2E_TODAY, db: str | Path | None = None) -> dict[str, str]:
    """The demo store for ``today`` with the e2e accounts and a copy of the rules in ``workdir``; the environment naming them.

    The store is ``db`` (a PostgreSQL URL, say) when given, else a DuckDB file in ``workdir``.
    """
    db = db or workdir / "demo.duckdb"
    with Store(db) as store:
        load_demo(store, today=today)
        for name, (role, unit, password) in E2E_ACCOUNTS.items():
            create_account(store, name, role, password, kabkota=unit, by="pengujian")
    rules = workdir / "aturan.toml"
    rules.write_bytes((ROOT / "data" / "aturan.toml").read_bytes())
    return {"KSLN_DB": str(db), "KSLN_RULES": str(rules), TODAY_ENV: today.isoformat()}


@contextmanager
def serve_process(workdir: Path, env: dict[str, str], port: int | None = None) -> Iterator[tuple[str, int]]:
    """`streamlit run app.py` on ``port`` (default: a free one) of 127.0.0.1 until the block ends; yields its URL
    and process id (the benchmarks read the server's CPU and memory by it)."""
    port = port or _free_port()
    log = open(workdir / "streamlit.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextmanager
def serve(workdir: Path, env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """`streamlit run app.py` on ``port`` (default: a free one) of 127.0.0.1 until the block ends; yields its URL."""
    with serve_process(workdir, env, port) as (url, _):
        yield url


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    """The app on the demo store, served like `make run` for the whole session."""
    workdir = tmp_path_factory.mktemp("e2e")
    with serve(workdir, make_store(workdir)) as url:
        yield url


@pytest.fixture(scope="session")
def warm_app(browser, app_url):
    """Open the app once before the tests, so that their timeouts do not pay for the first runs of the pages.

    (A freshly started server's first deep link is tested on its own server in test_session.py.)
    """
    context = browser.new_context()
    page = context.new_page()
    for path in ("", "unggah", "peringatan"):
        page.goto(f"{app_url}/{path}")
        wait_until_idle(page, timeout=60_000)
        page.wait_for_timeout(1500)
    context.close()
    return app_url


@pytest.fixture
def page(browser, warm_app, request):
    """A fresh browser page that refuses, and reports, every request leaving this machine."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True, locale="id-ID")
    external: list[str] = []

    def guard(route):
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if request.node.rep_call.failed if hasattr(request.node, "rep_call") else False:
        page.screenshot(path=str(ARTIFACTS / f"GAGAL-{request.node.name}.png"), full_page=True)
        for number, each in enumerate(context.pages):
            if wire.of(each):
                (ARTIFACTS / f"GAGAL-{request.node.name}-{number}.wire.txt").write_text(wire.of(each).since())
    context.close()
    assert not external, f"permintaan ke luar mesin ini: {external}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# Streamlit's frontend writes the script's state on the app's root element, as its own browser tests read it:
# data-test-script-state is "running" (or "rerunRequested") from the moment a run starts until the server says it
# finished ("notRunning"; "initial" before the first run), and data-test-connection-state is "CONNECTED" while the
# websocket is up. The status widget is no signal: Streamlit shows it only once a run has lasted 500 ms, so a short
# run, and the first half second of every longer one, looked idle.
_IDLE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    const busy = !app || app.dataset.testScriptState !== 'notRunning'
        || app.dataset.testConnectionState !== 'CONNECTED'
        || document.querySelector('[data-testid="stSkeleton"]')
        || !document.querySelector('[data-testid="stMain"] h1');
    const now = Date.now();
    if (busy) { window.__kslnIdleSince = undefined; return false; }
    window.__kslnIdleSince = window.__kslnIdleSince || now;
    return now - window.__kslnIdleSince > 400;
}"""

# Records, from now on, where input events land (for the message of a wait that fails) and whether the script's
# state changes at all (the only sign of a run for a page without a websocket record): see rerun().
_WATCH_RUNS = r"""() => {
    if (window.__kslnRunWatch) window.__kslnRunWatch.disconnect();
    window.__kslnRunStarted = false;
    window.__kslnIdleSince = undefined;
    const watch = new MutationObserver(() => { window.__kslnRunStarted = true; });
    watch.observe(document.body, {attributes: true, attributeFilter: ['data-test-script-state'], subtree: true});
    window.__kslnRunWatch = watch;
    // Where the action's input events landed, for the message of a run that did not start.
    window.__kslnInputs = [];
    if (!window.__kslnInputWatch) {
        window.__kslnInputWatch = true;
        const describe = (node) => {
            if (!node || !node.tagName) return String(node);
            const id = node.closest && node.closest('[data-testid]');
            const text = (node.innerText || node.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 30);
            return `${node.tagName.toLowerCase()}${node.disabled ? '[disabled]' : ''}`
                + (id ? ` in ${id.dataset.testid}` : '') + (text ? ` "${text}"` : '');
        };
        for (const kind of ['pointerdown', 'mousedown', 'mouseup', 'click', 'keydown']) {
            document.addEventListener(kind, (event) => {
                if (!window.__kslnInputs) return;
                const at = event.clientX === undefined ? '' : ` at ${event.clientX},${event.clientY}`;
                window.__kslnInputs.push(`${kind}${event.key ? ' ' + event.key : ''}${at} on ${describe(event.target)}`
                    + `${event.isTrusted ? '' : ' (untrusted)'}`);
            }, true);
        }
    }
}"""


def wait_until_idle(page, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the script for this page (and nothing ran for 400 ms).

    Right after an action that starts a run this can pass before the server has started it: use rerun() there.
    """
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(_IDLE, timeout=timeout, polling=100)


@contextmanager
def rerun(page, timeout: float = 60_000) -> Iterator[None]:
    """Do the block's action (a click, a key, a file chosen) and wait until the run of the script it started is over.

    Waiting for "idle" alone after a click can pass before the server has even started the run the click asked for
    (the page still shows the last run, finished); the next click then lands while that run redraws the page, on an
    element about to be replaced. Nor can the page's script state tell that a run happened: a run the server
    answers from its caches in a few milliseconds arrives as one burst of messages, and the frontend draws
    "running" and "finished" in one render, so the state never visibly changes. What the page said and heard on its
    websocket does tell (tests/e2e/wire.py): the block is over when the page has asked for a run after the action,
    the server has answered that it finished, and the page is idle again.
    """
    page.evaluate(_WATCH_RUNS)
    record = wire.of(page)
    mark = record.mark() if record else None
    yield
    deadline = time.monotonic() + timeout / 1000
    if record is None:  # a page opened before its context recorded: the script state is all there is
        page.wait_for_function("() => window.__kslnRunStarted === true", timeout=timeout, polling=50)
    else:
        while (progress := record.progress(mark)) != "finished":
            if time.monotonic() > deadline:
                if progress == "sent":
                    raise _kept(AssertionError(
                        f"the run the action asked for did not end within {timeout / 1000:.0f} s; the websocket "
                        f"since the action:\n{record.since(mark)}"))
                inputs = page.evaluate("() => window.__kslnInputs || []")
                raise _kept(AssertionError(
                    f"the action asked for no run within {timeout / 1000:.0f} s; its input events:\n"
                    + "\n".join(f"  {line}" for line in inputs or ["(none)"])
                    + f"\nthe websocket since:\n{record.since(mark)}"))
            page.wait_for_timeout(50)  # Playwright delivers the websocket's events while it waits
    try:
        wait_until_idle(page, max(deadline - time.monotonic(), 5) * 1000)
    except PlaywrightTimeoutError as error:
        raise _kept(AssertionError(
            f"the page was not idle within {timeout / 1000:.0f} s of the action; the websocket since the action:\n"
            + (record.since(mark) if record else "  (not recorded)"))) from error


def choose_files(page, files: list[str] | str, timeout: float = 60_000) -> None:
    """Choose ``files`` in the page's file uploader and wait until each of them has reached the server.

    Streamlit sends a chosen file over HTTP (a PUT to /_stcore/upload_file/...) after ``set_input_files``
    has returned. An uploader inside a form starts no run, so ``rerun()`` cannot wait for it, and until the
    upload is answered the form's submit button is disabled: a click on it then ends at the pointerdown and
    asks for nothing.
    """
    paths = [files] if isinstance(files, str) else list(files)
    answered: list[int] = []

    def on_response(response) -> None:
        if "/_stcore/upload_file/" in response.url and response.request.method == "PUT":
            answered.append(response.status)

    page.on("response", on_response)
    try:
        page.locator('input[type="file"]').set_input_files(paths)
        deadline = time.monotonic() + timeout / 1000
        while len(answered) < len(paths):
            if time.monotonic() > deadline:
                raise _kept(AssertionError(f"{len(answered)} of {len(paths)} chosen files reached the server "
                                           f"within {timeout / 1000:.0f} s"))
            page.wait_for_timeout(50)
    finally:
        page.remove_listener("response", on_response)
    assert all(200 <= status < 300 for status in answered), f"upload answered {answered}"


def _kept(error: AssertionError) -> AssertionError:
    """``error``, also written to test-artifacts/e2e/: the report of a test that passed on a rerun omits it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test = os.environ.get("PYTEST_CURRENT_TEST", "e2e").split(" ")[0].rsplit("::", 1)[-1]
    (ARTIFACTS / f"GAGAL-{test}-{time.strftime('%H%M%S')}.txt").write_text(str(error))
    return error


def assert_no_exception(page) -> None:
    shown = page.locator('[data-testid="stException"]')
    assert shown.count() == 0, shown.first.inner_text()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def open_as(page, url: str, name: str = "admin") -> None:
    """Open ``url`` and log in as ``name`` through the login form; the page of the deep link opens after it."""
    page.goto(url)
    wait_until_idle(page)
    page.get_by_label("Nama pengguna", exact=True).fill(name)
    page.get_by_label("Kata sandi", exact=True).fill(E2E_ACCOUNTS[name][2])
    with rerun(page):
        page.get_by_role("button", name="Masuk").click()
    page.get_by_role("button", name="Keluar").wait_for()


def pytest_collection_modifyitems(items):
    """A browser test shares the machine's two cores with its app server and chromium: a click that lands
    while a rerun redraws the page can miss its element. Such a test is run again, at most twice
    (pytest-rerunfailures); every rerun is listed in the report (``-raR``), so a real defect, which fails
    every time, still fails the suite."""
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(str(item.path)).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
