"""Plotly figures as PNG pictures, drawn by kaleido in the machine's own Chromium.

Kaleido 1.x drives a Chrome/Chromium through choreographer; it never downloads one here.
The browser is ``$KSLN_CHROMIUM`` when set (also when it names a missing file: then the
caller learns that), else Debian's ``/usr/bin/chromium`` or the first ``chromium`` /
``chromium-browser`` / ``google-chrome`` on PATH. Choreographer starts it with
``--no-sandbox`` unless asked otherwise, which running as root needs. Maps read the world
topojson from ``static/topojson/`` as a ``file://`` URL and MathJax is off, so drawing
fetches nothing from the internet.
"""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from ksln_metrics.present.charts import TOPOJSON_DIR

BROWSER_ENV = "KSLN_CHROMIUM"
BROWSER_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

# CSS pixel size of a picture on a 16:9 slide (small enough for the 18 px chart text to read
# well at 7.6 inches wide); scale 2,5 keeps it sharp on a projector.
WIDTH, HEIGHT, SCALE = 880, 500, 2.5
# Seconds for one figure; the first includes starting the browser.
TIMEOUT = 90

INSTALL_HINT = "pasang Chromium: apt-get install chromium"


class ImageExportError(RuntimeError):
    """The pictures could not be drawn; the message (Bahasa Indonesia) says why and what to do."""


def find_chromium() -> str | None:
    """The browser kaleido will use, or None. An explicit ``$KSLN_CHROMIUM`` is taken as it is."""
    explicit = os.environ.get(BROWSER_ENV)
    if explicit:
        return explicit if Path(explicit).is_file() else None
    for candidate in BROWSER_CANDIDATES:
        path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
        if path and Path(path).is_file():
            return path
    return None


def missing_browser_message() -> str:
    explicit = os.environ.get(BROWSER_ENV)
    where = f" ({BROWSER_ENV}={explicit} tidak ada)" if explicit else ""
    return (f"Grafik tidak dapat dijadikan gambar karena Chromium tidak ditemukan{where}. Berkas tetap dibuat dengan "
            f"teks dan tabel, tanpa gambar grafik. Agar grafik ikut, {INSTALL_HINT}.")


def topojson_url() -> str:
    """``file:///…/static/topojson/``: plotly.js appends ``world_110m.json``."""
    return TOPOJSON_DIR.as_uri() + "/"


def figures_png(figures: Sequence[go.Figure], width: int = WIDTH, height: int = HEIGHT,
                scale: float = SCALE) -> list[bytes]:
    """Every figure as PNG bytes, all drawn in one browser session (starting it costs about 2 s).

    Raises ImageExportError with an Indonesian message when no browser is found or drawing fails.
    """
    if not figures:
        return []
    path = find_chromium()
    if path is None:
        raise ImageExportError(missing_browser_message())
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    return _run_in_thread(_render(path, list(figures), opts))


# Chromium's own services (updates, sync, crash reports, safe browsing, DNS prefetch, field
# trials) would reach Google and the configured resolver; a picture needs none of them. The proxy
# is a closed local port and every host name resolves to nothing, so even a service these flags
# miss cannot leave the machine.
OFFLINE_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-crash-reporter",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-default-apps",
    "--disable-features=OptimizationHints,MediaRouter,Translate,NetworkTimeServiceQuerying,AutofillServerCommunication,"
    "CertificateTransparencyComponentUpdater,DialMediaRouteProvider",
    "--disable-field-trial-config",
    "--dns-prefetch-disable",
    "--no-pings",
    "--no-first-run",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--safebrowsing-disable-auto-update",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)


def _offline_launcher(browser: str, home: Path) -> Path:
    """A script that starts ``browser`` with OFFLINE_FLAGS and HOME, config and cache inside ``home``."""
    for sub in ("config", "cache", "data", "runtime", "profile"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    (home / "runtime").chmod(0o700)
    launcher = home / "chromium"
    env = {"HOME": home, "XDG_CONFIG_HOME": home / "config", "XDG_CACHE_HOME": home / "cache",
           "XDG_DATA_HOME": home / "data", "XDG_RUNTIME_DIR": home / "runtime"}
    command = f'{shlex.quote(browser)} {" ".join(shlex.quote(f) for f in OFFLINE_FLAGS)} "$@"'
    # Where the kernel allows it, the browser gets a network namespace of its own (loopback only):
    # then not even Chromium's IPv6 reachability probe (a UDP socket to a public resolver) gets out.
    lines = ["#!/bin/sh", *(f"export {k}={shlex.quote(str(v))}" for k, v in env.items()),
             "unset DBUS_SESSION_BUS_ADDRESS",
             "if command -v unshare >/dev/null 2>&1 && unshare -rn true 2>/dev/null; then",
             f"  exec unshare -rn {command}",
             "fi",
             f"exec {command}"]
    launcher.write_text("\n".join(lines) + "\n")
    launcher.chmod(0o700)
    return launcher


async def _render(path: str, figures: list[go.Figure], opts: dict) -> list[bytes]:
    import kaleido

    # A private home and profile for this drawing session, removed afterwards (kaleido's own
    # temporary profile lives inside it too).
    home = Path(tempfile.mkdtemp(prefix="ksln-chromium-"))
    try:
        launcher = _offline_launcher(path, home)
        async with kaleido.Kaleido(n=1, path=str(launcher), mathjax=False, timeout=TIMEOUT,
                                   tmp_dir=str(home / "profile")) as renderer:
            return [await renderer.calc_fig(fig, opts=opts, topojson=topojson_url()) for fig in figures]
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _run_in_thread(coroutine) -> list[bytes]:
    # A thread of its own: the caller (Streamlit's script thread, a test) may have an event loop running.
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller below
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="ksln-figure-images", daemon=True)
    thread.start()
    thread.join()
    error = outcome.get("error")
    if error is None:
        return outcome["value"]
    if type(error).__name__ == "ChromeNotFoundError":
        raise ImageExportError(missing_browser_message()) from None
    raise ImageExportError(
        f"Grafik tidak dapat dijadikan gambar ({type(error).__name__}: {error}). Berkas tetap dibuat dengan teks dan "
        f"tabel, tanpa gambar grafik. Periksa Chromium ({INSTALL_HINT})."
    ) from error
