"""deploy/nginx.conf in Debian's nginx, in front of two small HTTP servers standing in for the replicas.

Checks the parts of the template that the browser test (tests/e2e/test_replicas.py) cannot single
out: where a browser without the affinity cookie lands, that the cookie follows a fallback and stays
after the replica comes back, the headers the replicas receive, and the body-size limit against
Streamlit's upload limit.
"""

from __future__ import annotations

import json
import re
import threading
import time
import tomllib
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.nginx_proxy import AFFINITY_COOKIE, ROOT, TEMPLATE, free_port, running_nginx, served_by, upstreams


class Echo(BaseHTTPRequestHandler):
    """Answers every request with the port it was served on and the headers it received."""

    def do_GET(self):  # noqa: N802 - http.server hook name
        body = json.dumps({"port": self.server.server_port, "headers": dict(self.headers.items())}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def replica(port: int):
    server = ThreadingHTTPServer(("127.0.0.1", port), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def answered(url: str, cookie: str | None = None) -> tuple[int, str | None]:
    body, set_cookie = served_by(url, cookie)
    return json.loads(body)["port"], set_cookie


def logged(access_log, request: str) -> list[int]:
    """The replicas that answered ``request`` in the access log (nginx writes the line just after answering)."""
    deadline = time.monotonic() + 5
    while not (found := upstreams(access_log, request)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return found


@pytest.fixture
def ports():
    return free_port(), free_port()


def test_a_browser_sticks_to_the_replica_that_answered_it_and_moves_with_a_fallback(tmp_path, ports):
    a, b = ports
    with replica(a), running_nginx(tmp_path / "nginx", ports) as url:
        with replica(b) as second:
            first_visits = [answered(f"{url}/") for _ in range(4)]  # four browsers without the cookie
            assert {port for port, _ in first_visits} == {a, b}  # spread over both replicas (one office NAT or not)
            assert all(cookie == str(port) for port, cookie in first_visits)  # each told where it landed
            for _ in range(3):
                assert answered(f"{url}/perjanjian", str(a)) == (a, None)  # stays; no new Set-Cookie
                assert answered(f"{url}/_stcore/health", str(b)) == (b, None)
            second.shutdown()
            second.server_close()
            # b is down: its browsers go to a, and their cookie now says a
            assert answered(f"{url}/fallback", str(b)) == (a, str(a))
            assert logged(tmp_path / "nginx" / "access.log", "GET /fallback ") == [a]  # "b, a": the last answered
        with replica(b):
            # b is back, but the browser moved to a with its websocket: it stays there
            assert answered(f"{url}/", str(a)) == (a, None)
            assert answered(f"{url}/", str(b)) == (b, None)


def test_an_unknown_affinity_cookie_is_replaced_by_the_replica_that_answered(tmp_path, ports):
    with replica(ports[0]), replica(ports[1]), running_nginx(tmp_path / "nginx", ports) as url:
        port, cookie = answered(f"{url}/", "8503")
        assert port in ports and cookie == str(port)


def test_the_replicas_receive_the_browser_host_with_its_port_and_the_websocket_upgrade(tmp_path, ports):
    with replica(ports[0]), replica(ports[1]), running_nginx(tmp_path / "nginx", ports) as url:
        host = url.removeprefix("http://")
        plain = json.loads(served_by(f"{url}/")[0])["headers"]
        assert plain["Host"] == host  # Streamlit compares the websocket's Origin with this Host, port included
        assert plain["Connection"] == "close"  # no idle connection to the replica that uvicorn could reset
        assert plain["X-Forwarded-Proto"] == "http" and plain["X-Forwarded-For"] == "127.0.0.1"
        request = urllib.request.Request(f"{url}/_stcore/stream", headers={"Upgrade": "websocket",
                                                                            "Connection": "Upgrade"})
        with urllib.request.urlopen(request, timeout=10) as response:
            upgrade = json.loads(response.read())["headers"]
        assert upgrade["Upgrade"] == "websocket" and upgrade["Connection"] == "upgrade"


def test_the_body_limit_is_the_upload_limit_of_the_app_plus_the_multipart_envelope(tmp_path, ports):
    app_limit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    (limit,) = re.findall(r"^\s*client_max_body_size (\d+)m;", TEMPLATE.read_text(), flags=re.MULTILINE)
    assert int(limit) == app_limit_mb + 1
    with replica(ports[0]), replica(ports[1]), running_nginx(tmp_path / "nginx", ports) as url:
        too_big = urllib.request.Request(f"{url}/_stcore/upload_file/x/y", method="PUT",
                                         data=b"\0" * ((app_limit_mb + 1) * 1024 * 1024 + 1),
                                         headers={"Content-Type": "application/octet-stream"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(too_big, timeout=30)
        assert refused.value.code == 413
        assert AFFINITY_COOKIE not in (refused.value.headers.get("Set-Cookie") or "")  # no replica answered
