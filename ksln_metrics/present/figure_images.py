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
import atexit
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
    """Every figure as PNG bytes, all drawn in one browser, started once and kept for the next call.

    Starting the browser costs about 2 s; it stays up ``KEEP_SECONDS`` after its last picture
    (see ``_Renderer``), so the next deck or PNG download only draws. Raises ImageExportError
    with an Indonesian message when no browser is found or drawing fails.
    """
    if not figures:
        return []
    path = find_chromium()
    if path is None:
        raise ImageExportError(missing_browser_message())
    opts = {"format": "png", "width": width, "height": height, "scale": scale}
    return _renderer_for(path).draw(list(figures), opts)


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


KEEP_SECONDS = 600  # an idle browser is closed after ten minutes: a rakor downloads several files in a row


class _Renderer:
    """One kaleido browser session on a thread of its own, with a private home and profile removed on close.

    Pictures are drawn one call at a time (a lock); a call after the browser died starts a new one.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido = None
        self._home: Path | None = None
        self._timer: threading.Timer | None = None

    def draw(self, figures: list[go.Figure], opts: dict) -> list[bytes]:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            try:
                return self._draw(figures, opts)
            except ImageExportError:
                self._close()
                raise
            finally:
                self._timer = threading.Timer(KEEP_SECONDS, self.close)
                self._timer.daemon = True
                self._timer.start()

    def _draw(self, figures: list[go.Figure], opts: dict) -> list[bytes]:
        if self._kaleido is None:
            self._start()
        future = asyncio.run_coroutine_threadsafe(self._calc(figures, opts), self._loop)
        try:
            return future.result()
        except BaseException as error:  # noqa: BLE001 - told in Indonesian below
            raise _export_error(error) from error

    async def _calc(self, figures: list[go.Figure], opts: dict) -> list[bytes]:
        return [await self._kaleido.calc_fig(fig, opts=opts, topojson=topojson_url()) for fig in figures]

    def _start(self) -> None:
        kaleido = _kept_tab_kaleido()
        self._loop = asyncio.new_event_loop()
        # A thread of its own: the caller (Streamlit's script thread, a test) may have an event loop running.
        self._thread = threading.Thread(target=self._loop.run_forever, name="ksln-figure-images", daemon=True)
        self._thread.start()
        self._home = Path(tempfile.mkdtemp(prefix="ksln-chromium-"))
        launcher = _offline_launcher(self.path, self._home)
        renderer = kaleido(n=1, path=str(launcher), mathjax=False, timeout=TIMEOUT, tmp_dir=str(self._home / "profile"))
        try:
            asyncio.run_coroutine_threadsafe(renderer.__aenter__(), self._loop).result()
        except BaseException as error:  # noqa: BLE001 - told in Indonesian below
            self._kaleido = renderer
            self._close()
            raise _export_error(error) from error
        self._kaleido = renderer

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._kaleido is not None and self._loop is not None:
            try:
                asyncio.run_coroutine_threadsafe(self._kaleido.__aexit__(None, None, None), self._loop).result(30)
            except BaseException:  # noqa: BLE001, S110 - a browser that is already gone is closed
                pass
        self._kaleido = None
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(10)
            self._loop.close()
        self._loop = self._thread = None
        if self._home is not None:
            shutil.rmtree(self._home, ignore_errors=True)
            self._home = None


def _kept_tab_kaleido():
    """``kaleido.Kaleido`` that keeps its tab loaded between figures.

    Kaleido reloads the tab, and with it the 4 MB of plotly.js, after every figure: two thirds of the time of a
    deck's three charts with the browser kept. Its page draws each figure in a plot of its own that plotly.js
    removes afterwards (``Plotly.toImage`` on the figure), so nothing of one figure is left for the next: the
    pictures are byte for byte the same (tests/unit/test_deck_speed.py). A drawing that fails closes the
    whole browser (``_Renderer.draw``), so a tab in a bad state is never used again.
    """
    import kaleido

    class KeptTabKaleido(kaleido.Kaleido):
        async def _return_kaleido_tab(self, tab) -> None:
            tab.js_logger.reset()  # what the reload also did: the next figure's errors are its own
            await self.tabs_ready.put(tab)

    return KeptTabKaleido


_renderers: dict[str, _Renderer] = {}
_renderers_lock = threading.Lock()


def _renderer_for(path: str) -> _Renderer:
    with _renderers_lock:
        if path not in _renderers:
            _renderers[path] = _Renderer(path)
        return _renderers[path]


@atexit.register
def close_browsers() -> None:
    """Close every kept browser and remove its private profile (also run when the process exits)."""
    with _renderers_lock:
        renderers = list(_renderers.values())
    for renderer in renderers:
        renderer.close()


def _export_error(error: BaseException) -> ImageExportError:
    if isinstance(error, ImageExportError):
        return error
    if type(error).__name__ == "ChromeNotFoundError":
        return ImageExportError(missing_browser_message())
    return ImageExportError(
        f"Grafik tidak dapat dijadikan gambar ({type(error).__name__}: {error}). Berkas tetap dibuat dengan teks dan "
        f"tabel, tanpa gambar grafik. Periksa Chromium ({INSTALL_HINT})."
    )
