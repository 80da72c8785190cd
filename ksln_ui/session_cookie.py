"""The browser's half of a login session: an HttpOnly cookie that survives a reload.

A Streamlit script talks to the browser over a websocket and cannot set a cookie, so the
app's own Starlette server (``app.py``, through ``streamlit.starlette.App``) has one more
route, ``/sesi/mulai``. After a successful login the script registers a one-time code for
the new session id (here, in the server's memory, for one minute) and sends the browser to
``/sesi/mulai?kode=…&ke=<page>``; the route exchanges the code for the cookie
``ksln_sesi`` (HttpOnly, SameSite=Strict, Secure behind HTTPS, ``Max-Age`` up to the
session's absolute end) and sends the browser on to the page. The session id never appears
in a URL, and the store keeps only its hash (``ksln_metrics.accounts.users``).

Served by plain ``streamlit run dashboard.py`` (or AppTest) the route does not exist;
``served()`` is then False and a login lasts for its browser tab only.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from urllib.parse import urlencode

COOKIE = "ksln_sesi"
START_ROUTE = "/sesi/mulai"
HANDOFF_SECONDS = 60
_PAGE = re.compile(r"^[a-z0-9-]{0,40}$")  # an st.Page url_path ("" is the default page)

_handoffs: dict[str, tuple[str, float, int]] = {}  # sha256(code) -> (session id, monotonic deadline, cookie max-age)
_lock = threading.Lock()
_served = False


def enable() -> None:
    """Called by app.py: this process serves ``START_ROUTE``, so logins get a cookie."""
    global _served
    _served = True


def served() -> bool:
    return _served


def _base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def handoff_url(session_id: str, page: str, max_age_seconds: int) -> str:
    """The one-time address that turns ``session_id`` into the browser's cookie and opens ``page`` (a url_path)."""
    code = secrets.token_urlsafe(32)
    now = time.monotonic()
    with _lock:
        for key in [k for k, (_, deadline, _) in _handoffs.items() if deadline < now]:
            del _handoffs[key]
        _handoffs[_digest(code)] = (session_id, now + HANDOFF_SECONDS, max(int(max_age_seconds), 0))
    query = {"kode": code, "ke": page if _PAGE.match(page or "") else ""}
    return f"{_base_path()}{START_ROUTE}?{urlencode(query)}"


def take_handoff(code: str) -> tuple[str, int] | None:
    """The session id and cookie lifetime of a one-time ``code``; None when unknown, used or older than a minute."""
    with _lock:
        entry = _handoffs.pop(_digest(code or ""), None)
    if entry is None or entry[1] < time.monotonic():
        return None
    return entry[0], entry[2]


def cookie_header(session_id: str, max_age: int, *, secure: bool) -> str:
    parts = [f"{COOKIE}={session_id}", f"Path={_base_path() or '/'}", f"Max-Age={max_age}", "HttpOnly",
             "SameSite=Strict"]
    return "; ".join(parts + (["Secure"] if secure else []))


def _is_https(request) -> bool:
    from streamlit import config

    forced = os.environ.get("KSLN_COOKIE_SECURE", "").strip().lower() in {"1", "true", "ya"}
    return forced or request.url.scheme == "https" or bool(config.get_option("server.sslCertFile"))


_REFUSED = """<!doctype html><html lang="id"><head><meta charset="utf-8"><title>KSLN Monitor</title></head>
<body style="font-family:sans-serif;margin:3rem"><h1>Tautan masuk tidak berlaku</h1>
<p>Tautan ini hanya dapat dipakai sekali, dalam satu menit, dari halaman masuk KSLN Monitor.
Silakan <a href="{home}">masuk lagi</a>.</p></body></html>"""


async def start(request):
    """``GET /sesi/mulai?kode=…&ke=…``: set the session cookie for a one-time code and open the page."""
    from starlette.responses import HTMLResponse, RedirectResponse

    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    home = f"{_base_path()}/"
    # A code only counts when the app's own page sent the browser here (no login planted from another site).
    entry = take_handoff(request.query_params.get("kode", ""))  # used up even when refused below
    if request.headers.get("sec-fetch-site") not in (None, "same-origin"):
        entry = None
    if entry is None:
        return HTMLResponse(_REFUSED.format(home=home), status_code=400, headers=headers)
    session_id, max_age = entry
    page = request.query_params.get("ke", "")
    response = RedirectResponse(home + (page if _PAGE.match(page) else ""), status_code=303, headers=headers)
    response.headers.append("set-cookie", cookie_header(session_id, max_age, secure=_is_https(request)))
    return response


def routes() -> list:
    from starlette.routing import Route

    return [Route(_base_path() + START_ROUTE, start, methods=["GET"])]
