"""What the browser benchmarks share: the app served as in the e2e tests, and "fully drawn" as chromium sees it.

A page is fully drawn when the script is not running, a title is shown, no skeleton or spinner
is left, every plotly chart on it has drawn its plot (a map also its shapes), the last message
the server sent has arrived, and all of that stays so for ``SETTLE_MS``. The moment it first became so is read from the page's own
clock (``performance.timeOrigin + performance.now()``, epoch milliseconds), so the polling
interval of the wait does not count in the figure.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import (  # noqa: E402, F401
    CHROMIUM_ARGS,
    E2E_ACCOUNTS,
    chromium_path,
    make_store,
    serve,
    serve_process,
)

SETTLE_MS = 400

# Every websocket message the page receives is stamped with the page's clock (installed by ``login``
# before the app loads): the page counts as drawn only from a moment after its last message. Without
# it a page with no plotly chart passed for drawn once its title showed, before Streamlit's "running"
# sign appeared, while its tables were still on the way (national Perjanjian: drawn at 0.2 s, its 2 MB
# list arriving at 0.7 s).
_MESSAGES_JS = """
(() => {
  const Socket = window.WebSocket;
  window.WebSocket = class extends Socket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => { window.__kslnLastMessageAt = performance.timeOrigin + performance.now(); });
    }
  };
})();
"""

# Drawn = idle and every chart drawn. A choropleth map draws its paths only once the topojson
# has arrived; any other chart once plotly has built its main SVG with the plot inside.
_DRAWN_JS = """
(settle) => {
  const ready = () => {
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"]')) return false;
    if (!document.querySelector('[data-testid="stMain"] h1')) return false;
    if (document.querySelector('[data-testid="stMain"] [data-stale="true"]')) return false;
    for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
      const plot = chart.querySelector('.js-plotly-plot');
      if (!plot || !plot._fullLayout || !chart.querySelector('.main-svg')) return false;
      const geo = plot._fullLayout._subplots && plot._fullLayout._subplots.geo;
      if (geo && geo.length && !chart.querySelector('.geo .choroplethlocation, .geo .scattergeo path')) return false;
    }
    return true;
  };
  const now = performance.timeOrigin + performance.now();
  if (!ready()) { window.__kslnDrawnAt = undefined; return false; }
  // A message after the moment it looked drawn: it was not yet (more of the page was on its way).
  if (window.__kslnDrawnAt && (window.__kslnLastMessageAt || 0) > window.__kslnDrawnAt) window.__kslnDrawnAt = undefined;
  window.__kslnDrawnAt = window.__kslnDrawnAt || now;
  return now - window.__kslnDrawnAt >= settle ? window.__kslnDrawnAt : false;
}
"""


def page_clock(page) -> float:
    """The page's clock now, epoch milliseconds."""
    return page.evaluate("() => performance.timeOrigin + performance.now()")


def watch_messages(page) -> None:
    """Stamp the websocket messages of every document ``page``'s context loads from now on (see _MESSAGES_JS)."""
    context = page.context
    if not getattr(context, "_ksln_watched", False):
        context.add_init_script(_MESSAGES_JS)
        context._ksln_watched = True


def wait_drawn(page, timeout_ms: float = 60_000) -> float:
    """Wait until the page is fully drawn and has stayed so; the epoch milliseconds when it first was."""
    page.evaluate("() => { window.__kslnDrawnAt = undefined; }")
    handle = page.wait_for_function(_DRAWN_JS, arg=SETTLE_MS, timeout=timeout_ms, polling="raf")
    return float(handle.json_value())


def drawn_after(page, action, timeout_ms: float = 60_000, before: str | None = None) -> float:
    """Seconds from ``action()`` (a click, a key press) to the page fully drawn again.

    ``before`` is a JS expression true while the old screen is still shown (e.g. the old title):
    the wait starts only once it is false, so a screen that has not yet begun its rerun is not
    taken for the new one.
    """
    start = page_clock(page)
    action()
    if before:
        page.wait_for_function(f"() => !({before})", timeout=timeout_ms, polling="raf")
    return (wait_drawn_across_navigation(page, timeout_ms) - start) / 1000


def wait_drawn_across_navigation(page, timeout_ms: float) -> float:
    # The login sends the browser to /sesi/mulai and back to the page: a navigation destroys the
    # waiting function's context, so wait again on the new document.
    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        try:
            return wait_drawn(page, timeout_ms=max(1.0, deadline - time.monotonic()) * 1000)
        except Exception as exc:  # noqa: BLE001 - only a navigation is retried
            if "context was destroyed" not in str(exc) and "navigation" not in str(exc).lower() \
                    or time.monotonic() > deadline:
                raise


def login(page, url: str, name: str = "admin", path: str = "", timeout_ms: float = 120_000) -> float:
    """Open the login form and log in as ``name`` pressing Enter; seconds from Enter to the page fully drawn."""
    watch_messages(page)
    page.goto(f"{url}/{path}")
    page.get_by_label("Nama pengguna", exact=True).wait_for()
    wait_drawn(page)
    # While a person types their name and password the login form loads the frontend's parts for the
    # pages behind it (ksln_ui.charts.warm_up); typing takes longer than that, so wait for it here.
    page.evaluate("() => window.kslnFrontendReady")
    page.get_by_label("Nama pengguna", exact=True).fill(name)
    field = page.get_by_label("Kata sandi", exact=True)
    field.fill(E2E_ACCOUNTS[name][2])
    seconds = drawn_after(page, lambda: field.press("Enter"), timeout_ms=timeout_ms,
                          before="document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim() === 'Masuk'")
    if not page.get_by_role("button", name="Keluar").count():
        raise RuntimeError(f"login as {name} did not open the app")
    return seconds


_TITLE_JS = "document.querySelector('[data-testid=\"stMain\"] h1')?.innerText.trim()"


def _old_title_shown(page) -> str:
    old = page.evaluate(f"() => {_TITLE_JS} || ''")
    return f"{_TITLE_JS} === {json.dumps(old)}"


def open_page(page, title: str, timeout_ms: float = 120_000) -> float:
    """Click ``title`` in the side navigation; seconds until that page is fully drawn."""
    link = page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True)
    seconds = drawn_after(page, link.click, timeout_ms=timeout_ms, before=_old_title_shown(page))
    check_no_exception(page, title)
    return seconds


def next_slide(page, timeout_ms: float = 120_000) -> float:
    """Press the right arrow key on Presentasi; seconds until the next slide is fully drawn (slide titles differ)."""
    seconds = drawn_after(page, lambda: page.keyboard.press("ArrowRight"), timeout_ms=timeout_ms,
                          before=_old_title_shown(page))
    check_no_exception(page, "Presentasi")
    return seconds


def check_no_exception(page, where: str) -> None:
    shown = page.locator('[data-testid="stException"]')
    if shown.count():
        raise RuntimeError(f"{where}: {shown.first.inner_text()}")


def launch(playwright):
    path = chromium_path()
    if path is None:
        raise SystemExit("Chromium tidak terpasang (apt-get install chromium): tolok ukur peramban dilewati.")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)


def median(values) -> float:
    return statistics.median(values)


def p95(values) -> float:
    ordered = sorted(values)  # nearest rank
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def machine_load() -> str:
    """The machine's load average (1, 5, 15 min): absolute times mean little on a machine others keep busy."""
    try:
        one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "load average unknown"
    return f"load average {one} {five} {fifteen} on {os.cpu_count()} cores"


def verdict(name: str, value: float, target: float, unit: str = "s") -> str:
    return f"{name}: {value:.2f} {unit} (target {target:g} {unit}) {'ok' if value <= target else 'ABOVE'}"
