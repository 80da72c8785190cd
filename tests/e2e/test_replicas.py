"""Two replicas of app.py on one PostgreSQL store behind nginx (deploy/nginx.conf), in Debian's chromium.

The test starts everything itself: a PostgreSQL server (tests/pg_server.py), two `streamlit run
app.py` processes with KSLN_DB=postgresql://..., and nginx with the deployment's site file; all of
it stops at the end, also when a test fails. A login keeps through a reload and through the restart
of the replica that served it; two uploads through the two replicas at the same moment both land.
"""

from __future__ import annotations

import re
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ksln_metrics.store import Store
from tests.e2e.conftest import (
    ARTIFACTS,
    LOCAL_HOSTS,
    assert_no_exception,
    make_store,
    open_as,
    screenshot,
    serve,
    wait_until_idle,
)
from tests.nginx_proxy import AFFINITY_COOKIE, free_port, running_nginx, served_by, upstreams
from tests.pg_server import TEST_ROLE
from tests.unit.realistic_files import agreement, agreements_workbook, simple_agreement_xlsx

TIMEOUT_MS = 60_000  # a replica's first run of a page computes the engine's copy of the store


class Deployment:
    """nginx on ``url`` in front of two replicas on ``ports``; a replica can be stopped and started again."""

    def __init__(self, workdir: Path, env: dict[str, str], ports: tuple[int, int]):
        self.workdir, self.env, self.ports = workdir, env, ports
        self.url = ""
        self.store_url = env["KSLN_DB"]
        self._replicas: dict[int, ExitStack] = {}
        self._starts: dict[int, int] = {}

    def start(self, port: int) -> None:
        self._starts[port] = self._starts.get(port, 0) + 1
        directory = self.workdir / f"replika-{port}-{self._starts[port]}"  # each run keeps its own streamlit.log
        directory.mkdir()
        stack = ExitStack()
        stack.enter_context(serve(directory, self.env, port=port))
        self._replicas[port] = stack
        if self.url:
            self._wait_routed(port)

    def _wait_routed(self, port: int) -> None:
        """Until nginx sends this replica's browsers to it again (a replica that failed is skipped for a while)."""
        deadline = time.monotonic() + 30
        while served_by(f"{self.url}/_stcore/health", str(port))[1] is not None:  # answered by the other one
            assert time.monotonic() < deadline, f"nginx does not send requests to the restarted replica {port}"
            time.sleep(0.5)

    def stop(self, port: int) -> None:
        self._replicas.pop(port).close()

    def start_all(self) -> None:
        with ThreadPoolExecutor(len(self.ports)) as pool:  # the replicas boot side by side
            for started in [pool.submit(self.start, port) for port in self.ports]:
                started.result()

    def close(self) -> None:
        with ThreadPoolExecutor(len(self.ports)) as pool:
            for stopped in [pool.submit(self.stop, port) for port in list(self._replicas)]:
                stopped.result()

    def wait_logged(self, request: str, port: int) -> None:
        """Until nginx's access log shows ``request`` answered by ``port``."""
        deadline = time.monotonic() + 10
        while port not in self.upstreams(request):
            assert time.monotonic() < deadline, f"{request} was never answered by replica {port}: {self.upstreams(request)}"
            time.sleep(0.2)

    def upstreams(self, request: str) -> list[int]:
        return upstreams(self.workdir / "nginx" / "access.log", request)


@pytest.fixture(scope="module")
def deployment(pg_server, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("replika")
    database = pg_server.create_database()
    env = make_store(workdir, db=pg_server.url(database))  # with PGPASSWORD, set by the pg_server fixture
    # The replicas read the password as deployed (deploy/ksln.env.example): from the file PGPASSFILE names.
    passfile = workdir / "pgpass"
    passfile.write_text(f"{pg_server.host}:{pg_server.port}:{database}:{TEST_ROLE}:{pg_server.password}\n")
    passfile.chmod(0o600)
    env.update(PGPASSFILE=str(passfile), PGPASSWORD="")  # libpq reads the file when the variable is empty
    ports = (free_port(), free_port())
    deployed = Deployment(workdir, env, ports)
    try:
        with running_nginx(workdir / "nginx", ports) as url:
            deployed.url = url
            deployed.start_all()
            yield deployed
    finally:
        deployed.close()
        pg_server.drop_database_later(database)


@pytest.fixture
def contexts(browser, request):
    """New browser contexts for one test, each closed at its end (a screenshot of every page on failure)."""
    opened, external = [], []

    def guard(route):  # as the page fixture: nothing leaves this machine
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    def new(replica: int | None = None, url: str = ""):
        context = browser.new_context(viewport={"width": 1600, "height": 1000}, locale="id-ID")
        context.route("**/*", guard)
        if replica is not None:  # a browser that nginx already sent to this replica
            context.add_cookies([{"name": AFFINITY_COOKIE, "value": str(replica), "url": url}])
        opened.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        return page

    yield new
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, context in enumerate(opened):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for page in context.pages:
                page.screenshot(path=str(ARTIFACTS / f"GAGAL-{request.node.name}-{number}.png"), full_page=True)
        context.close()
    assert not external, f"permintaan ke luar mesin ini: {external}"


def replica_of(page) -> int:
    """The replica nginx pins this browser to: its ksln_replika cookie."""
    (value,) = [c["value"] for c in page.context.cookies() if c["name"] == AFFINITY_COOKIE]
    return int(value)


def wait_for_replica(page, port: int) -> None:
    """Until nginx has moved this browser to ``port`` (the cookie is HttpOnly: page scripts cannot see it)."""
    for _ in range(TIMEOUT_MS // 250):
        if replica_of(page) == port:
            return
        page.wait_for_timeout(250)
    assert replica_of(page) == port


def title(page) -> str:
    return page.locator('[data-testid="stMain"] h1').first.inner_text().strip()


def logged_in_as(page, name: str) -> bool:
    return (page.get_by_role("button", name="Keluar").count() == 1
            and name in page.locator('[data-testid="stSidebar"]').inner_text())


def open_from_sidebar(page, name: str) -> None:
    """Click a page in the navigation until it opens (a click in the instant the websocket reconnects is lost)."""
    for attempt in range(3):
        page.locator('[data-testid="stSidebarNav"]').get_by_text(name).click()
        try:
            page.get_by_role("heading", name=name).wait_for(timeout=TIMEOUT_MS // 4 if attempt < 2 else TIMEOUT_MS)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    wait_until_idle(page, timeout=TIMEOUT_MS)


def reload(page) -> None:
    page.reload()
    wait_until_idle(page, timeout=TIMEOUT_MS)


def test_a_login_through_nginx_survives_a_reload_and_a_restart_of_the_replica_that_served_it(deployment, contexts):
    page = contexts()
    open_as(page, f"{deployment.url}/metodologi", "pimpinan")  # pages that compute no scores: the test is about sessions
    served = replica_of(page)
    other = next(port for port in deployment.ports if port != served)
    assert title(page).startswith("Metodologi") and logged_in_as(page, "pimpinan")
    reload(page)
    assert title(page).startswith("Metodologi") and logged_in_as(page, "pimpinan") and replica_of(page) == served

    deployment.stop(served)
    # The open tab reconnects through nginx to the other replica, which never saw this login: it finds the
    # session in PostgreSQL (login_session) from the browser's ksln_sesi cookie.
    wait_for_replica(page, other)
    page.get_by_role("button", name="Keluar").wait_for()
    wait_until_idle(page, timeout=TIMEOUT_MS)
    assert title(page).startswith("Metodologi") and logged_in_as(page, "pimpinan")
    open_from_sidebar(page, "Status Data")  # a click checks the session in the store
    assert logged_in_as(page, "pimpinan")
    screenshot(page, "replika-setelah-replika-berhenti")

    deployment.start(served)
    reload(page)  # the browser stays with the replica it moved to, with its websocket
    deployment.wait_logged("GET /_stcore/stream", other)  # nginx logs a websocket when it closes (this reload)
    assert title(page) == "Status Data" and logged_in_as(page, "pimpinan") and replica_of(page) == other
    # And the restarted replica, whose memory is new, lets the same browser in as well.
    page.context.add_cookies([{"name": AFFINITY_COOKIE, "value": str(served), "url": deployment.url}])
    reload(page)
    assert title(page) == "Status Data" and logged_in_as(page, "pimpinan") and replica_of(page) == served
    assert_no_exception(page)


def test_uploads_through_both_replicas_at_the_same_moment_both_land(deployment, contexts, tmp_path):
    first, second = deployment.ports
    lebak = tmp_path / "lebak_replika_1.xlsx"
    lebak.write_bytes(agreements_workbook())
    serang = tmp_path / "serang_replika_2.xlsx"
    serang.write_bytes(simple_agreement_xlsx([agreement(**{
        "ID Perjanjian": "SRG-REPLIKA", "Kab/Kota": "Kota Serang", "Judul Perjanjian": "Kerja Sama Pengelolaan Sampah",
        "Mitra": "Kitakyushu City", "Negara Mitra": "Jepang"})]))
    analyst = contexts(first, deployment.url)
    admin = contexts(second, deployment.url)
    open_as(analyst, f"{deployment.url}/unggah", "analis.lebak")
    open_as(admin, f"{deployment.url}/unggah", "admin")
    assert (replica_of(analyst), replica_of(admin)) == (first, second)
    with Store(deployment.store_url) as store:
        before = set(store.batches()["batch_id"])

    for page, upload in ((analyst, lebak), (admin, serang)):  # both files travel before either is checked
        page.locator('input[type="file"]').set_input_files(str(upload))
    for page in (analyst, admin):
        page.get_by_role("button", name="Periksa berkas").click()
    for page in (analyst, admin):
        page.get_by_role("button", name="Simpan ke basis data").wait_for()
        wait_until_idle(page, timeout=TIMEOUT_MS)
    for page in (analyst, admin):  # the two commits run at once, one in each replica
        page.get_by_role("button", name="Simpan ke basis data").click()
    for page, upload in ((analyst, lebak), (admin, serang)):
        page.get_by_text(re.compile(rf"{re.escape(upload.name)}: batch #\d+ disimpan")).wait_for()
        assert_no_exception(page)
    screenshot(analyst, "replika-unggah-bersamaan")

    uploads = deployment.upstreams("PUT /_stcore/upload_file")
    assert first in uploads and second in uploads  # each file went through its own replica
    with Store(deployment.store_url) as store:
        batches = store.batches()
    new = batches[~batches["batch_id"].isin(before)]
    assert sorted(zip(new["file_name"], new["user_name"], strict=True)) == [
        (lebak.name, "analis.lebak"), (serang.name, "admin")]
    assert new["rolled_back_by"].isna().all() and (new["new_rows"] > 0).all()
    with Store(deployment.store_url) as store:
        titles = set(store.query("SELECT judul FROM perjanjian")["judul"])
    assert {"Kerja Sama Pengelolaan Sampah", "Beasiswa Pelatihan Vokasi"} <= titles
