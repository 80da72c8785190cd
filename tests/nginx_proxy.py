"""deploy/nginx.conf run by a test: Debian's nginx as a process of the test, its config and files in one directory.

The site file is the operator's template with only what a test cannot use changed: the two
replica ports (8501/8502 -> free ports), and HTTPS on 443 (plus the redirect on 80) -> plain
HTTP on a free port of 127.0.0.1. Everything else (affinity maps, upstreams, timeouts, headers,
body size) is the deployed text. Works as root (CI: the workers run as root too, since the
test's directory is private) and as a normal user.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf"
TEMPLATE_PORTS = ("8501", "8502")
AFFINITY_COOKIE = "ksln_replika"


def nginx_path() -> str:
    """Debian's nginx, or a skip (a failure in CI, where .ci/run installs it)."""
    for candidate in (os.environ.get("KSLN_NGINX"), "/usr/sbin/nginx", shutil.which("nginx")):
        if candidate and Path(candidate).exists():
            return candidate
    message = "nginx tidak terpasang (apt-get install nginx): pengujian reverse proxy dilewati."
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _replace_exactly(pattern: str, replacement: str, text: str, count: int) -> str:
    result, found = re.subn(pattern, replacement, text, flags=re.MULTILINE | re.DOTALL)
    assert found == count, f"deploy/nginx.conf changed: {pattern!r} found {found} times, expected {count}"
    return result


def render_site(listen_port: int, replica_ports: tuple[int, int], access_log: Path) -> str:
    """deploy/nginx.conf for this machine: the replicas on ``replica_ports``, plain HTTP on ``listen_port``."""
    text = TEMPLATE.read_text(encoding="utf-8")
    ports = dict(zip(TEMPLATE_PORTS, (str(p) for p in replica_ports), strict=True))
    text = re.sub(r"850[12]", lambda m: ports[m.group(0)], text)  # one pass: a new port never gets replaced again
    text = _replace_exactly(r"^server \{\n    listen 80;\n.*?^\}\n", "", text, 1)
    text = _replace_exactly(r"^    listen 443 ssl http2;$", f"    listen 127.0.0.1:{listen_port};", text, 1)
    text = _replace_exactly(r"/var/log/nginx/ksln\.access\.log", str(access_log), text, 1)
    return _replace_exactly(r"^    ssl_\w+ [^\n]*\n", "", text, 3)


def main_config(directory: Path, site: Path) -> str:
    """The nginx.conf around the site, with every path nginx writes inside ``directory``."""
    user = "user root root;\n" if os.geteuid() == 0 else ""  # as root nginx would switch to nobody, locked out of tmp
    temp = "\n".join(f"    {kind}_temp_path {directory / 'tmp' / kind};" for kind in
                     ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
pid {directory / 'nginx.pid'};
error_log {directory / 'error.log'} info;
events {{ worker_connections 512; }}
http {{
    access_log off;  # the site logs to access.log in its own format
{temp}
    include {site};
}}
"""


def _wait_listening(port: int, process: subprocess.Popen, log: Path, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited with code {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nginx did not listen on {port}:\n{log.read_text(errors='replace')}")


@contextmanager
def running_nginx(directory: Path, replica_ports: tuple[int, int]) -> Iterator[str]:
    """nginx in front of the two replica ports until the block ends; yields its URL (http://127.0.0.1:PORT)."""
    binary = nginx_path()
    directory.mkdir(parents=True, exist_ok=True)
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (directory / "tmp" / kind).mkdir(parents=True, exist_ok=True)
    port = free_port()
    site = directory / "ksln.conf"
    site.write_text(render_site(port, replica_ports, directory / "access.log"), encoding="utf-8")
    config = directory / "nginx.conf"
    config.write_text(main_config(directory, site), encoding="utf-8")
    log = directory / "nginx.out"
    with open(log, "wb") as out:
        check = subprocess.run([binary, "-t", "-p", str(directory), "-e", str(directory / "error.log"),
                                "-c", str(config)], stdout=out, stderr=subprocess.STDOUT)
    assert check.returncode == 0, log.read_text(errors="replace")
    out = open(log, "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen([binary, "-p", str(directory), "-e", str(directory / "error.log"), "-c", str(config),
                                "-g", "daemon off;"], stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_listening(port, process, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()  # SIGTERM: fast shutdown of master and worker
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        out.close()


def upstreams(access_log: Path, request: str) -> list[int]:
    """The replica ports that answered the requests whose line starts with ``request`` (the site's log format)."""
    text = access_log.read_text(errors="replace") if access_log.exists() else ""
    found = re.findall(rf'"{re.escape(request)}[^"]*" .*? upstream=(.*?) cookie=', text)
    # After a fallback nginx lists every address it tried: the last one answered.
    return [int(tried.split(",")[-1].strip().rsplit(":", 1)[1]) for tried in found if tried.strip() != "-"]


def served_by(url: str, cookie: str | None = None) -> tuple[str, str | None]:
    """GET ``url`` through nginx: the body and the affinity cookie nginx set (None when it set none)."""
    request = urllib.request.Request(url, headers={"Cookie": f"{AFFINITY_COOKIE}={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        set_cookie = [h for h in response.headers.get_all("Set-Cookie") or [] if h.startswith(AFFINITY_COOKIE + "=")]
    value = set_cookie[0].split(";", 1)[0].split("=", 1)[1] if set_cookie else None
    return body, value
