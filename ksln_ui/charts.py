"""Showing plotly figures in Streamlit, with one configuration for every page."""

from __future__ import annotations

import json
import threading
import weakref
from functools import cache
from pathlib import Path

import plotly.graph_objects as go
import streamlit as st
from plotly.basedatatypes import BaseFigure

# Streamlit serves static/ at <baseUrlPath>/app/static/; plotly.js appends "world_110m.json".
# Absolute from the server root: a relative URL would break on a deep link with a trailing
# slash (/kabupaten-kota/), the base path is added in topojson_url() when one is configured.
TOPOJSON_URL = "/app/static/topojson/"

PLOTLY_CONFIG: dict = {
    "topojsonURL": TOPOJSON_URL,
    "displaylogo": False,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "filename": "ksln-monitor", "scale": 2},
    "locale": "id",
    "locales": {
        "id": {
            "dictionary": {
                "Download plot as a png": "Unduh gambar (PNG)",
                "Download plot": "Unduh gambar",
                "Zoom": "Perbesar area",
                "Pan": "Geser",
                "Zoom in": "Perbesar",
                "Zoom out": "Perkecil",
                "Reset axes": "Kembalikan sumbu",
                "Reset view": "Kembalikan tampilan",
                "Reset": "Kembalikan",
                "Toggle Spike Lines": "Garis bantu",
                "Show closest data on hover": "Tampilkan data terdekat",
                "Compare data on hover": "Bandingkan data",
                "Double-click to zoom back out": "Klik dua kali untuk kembali",
            },
            "format": {
                "decimal": ",",
                "thousands": ".",
                "days": ["Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"],
                "shortDays": ["Min", "Sen", "Sel", "Rab", "Kam", "Jum", "Sab"],
                "months": ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                           "September", "Oktober", "November", "Desember"],
                "shortMonths": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
                "date": "%d/%m/%Y",
            },
        }
    },
}


def topojson_url() -> str:
    """Where the browser finds static/topojson/, under the server's base URL path if any."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}{TOPOJSON_URL}" if base else TOPOJSON_URL


def plotly_config() -> dict:
    """``PLOTLY_CONFIG`` for this server."""
    return {**PLOTLY_CONFIG, "topojsonURL": topojson_url()}


def _png(fig: go.Figure, key: str) -> bytes:
    # Drawn only when the button is pressed (kaleido starts a browser: about two seconds).
    from ksln_metrics.present.figure_images import ImageExportError, figures_png

    try:
        return figures_png([fig])[0]
    except ImageExportError as exc:
        st.session_state[f"{key}_png_gagal"] = str(exc)
        return b""


def png_button(fig: go.Figure, key: str, file_name: str | None = None) -> None:
    """A button that downloads ``fig`` as a PNG picture, the same drawing as the slide deck's charts."""
    from ksln_metrics.present.figure_images import find_chromium, missing_browser_message

    if failed := st.session_state.pop(f"{key}_png_gagal", None):
        st.warning(failed, icon=":material/warning:")
    if find_chromium() is None:
        st.caption(missing_browser_message())
        return
    st.download_button("Unduh gambar (PNG)", data=lambda: _png(fig, key), file_name=file_name or f"{key}.png",
                       mime="image/png", key=f"{key}_png", icon=":material/image:", on_click="ignore")


def picked_value(event) -> str | None:
    """What the clicked point stands for (its ``customdata``, or a map unit's ``location``), if any."""
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        for field in ("location", "customdata"):  # a map unit: its code; a bar or dot: its customdata
            value = point.get(field)
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            if isinstance(value, str) and value:
                return value
    return None


def newly_picked(value: str | None, key: str) -> str | None:
    """``value`` when it differs from the previous run's pick of chart ``key``: a click acts once."""
    last = st.session_state.get(f"{key}_terakhir")
    st.session_state[f"{key}_terakhir"] = value
    return value if value and value != last else None


class _Spec(BaseFigure):
    """A figure as st.plotly_chart reads it: nothing but its ``to_dict()``, made once per figure.

    st.plotly_chart calls ``fig.to_dict()`` on every call: a deep copy of the whole figure, for every
    session that shows a chart shared per data version (``state.shared``), the largest part of the
    server's work for a chart. The dict is read only (turned into the JSON spec sent to the browser).
    """

    def __init__(self, spec: dict) -> None:  # noqa: D107 - no BaseFigure.__init__: nothing else of it is read
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


_specs: dict[int, dict] = {}  # id(figure) -> its to_dict(), while the figure lives
_specs_lock = threading.Lock()


def _drawn(fig: go.Figure) -> _Spec:
    key = id(fig)
    with _specs_lock:
        spec = _specs.get(key)
    if spec is None:
        made = fig.to_dict()
        with _specs_lock:
            spec = _specs.get(key)
            if spec is None:
                spec = _specs[key] = made
                weakref.finalize(fig, _specs.pop, key, None)  # gone with the figure, before its id can be reused
    return _Spec(spec)


def show(fig: go.Figure, key: str, *, pick: bool = False, png: bool = True) -> str | None:
    """Draw ``fig`` full width with the app's plotly configuration and a PNG download under it.

    With ``pick`` a click on a point (a bar, a unit on the map) returns what it stands for, once.
    ``fig`` must not change once shown (a figure shared between sessions never does).
    """
    if pick:
        event = st.plotly_chart(_drawn(fig), width="stretch", theme=None, config=plotly_config(), key=key,
                                on_select="rerun", selection_mode="points")
    else:
        event = None
        st.plotly_chart(_drawn(fig), width="stretch", theme=None, config=plotly_config(), key=key)
    if png:
        png_button(fig, key)
    return newly_picked(picked_value(event), key) if pick else None


# The frontend's parts that the pages after the login need and the login form does not: each
# is a chunk of Streamlit's frontend (plotly.js alone is several MB) that the browser would
# otherwise fetch and start only when the first page after the login shows it.
# Not the select boxes: loaded early, a select box whose options a search narrowed kept its old value
# (tests/e2e/test_display.py, search with one match), and they are small.
FRONTEND_PARTS = ("PlotlyChart", "Metric", "ButtonGroup", "PageLink", "DownloadButton", "Checkbox")
# Imported from the folder the frontend's own index module came from: the same URLs, so the
# frontend later finds them already loaded. Constant text: file names of the installed Streamlit.
_PRELOAD = """<script>(() => {{
  const index = document.querySelector('script[src*="static/js/index."]');
  if (!index) return;
  const folder = new URL(".", index.src);
  // Settled once every part is loaded and started (bench/browser_timing.py waits for it, as a user types).
  window.kslnFrontendReady = Promise.allSettled({names}.map(name => import(new URL(name, folder).href)));
}})();</script>"""


@cache
def _frontend_chunks() -> tuple[str, ...]:
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    return tuple(sorted(p.name for part in FRONTEND_PARTS for p in folder.glob(f"{part}.*.js")))


def warm_up() -> None:
    """Let the browser load and start the chart library and the widgets of the pages while the page waits for input.

    Used on the login form, so that the first page after the login draws at once.
    """
    chunks = _frontend_chunks()
    if chunks:
        st.html(_PRELOAD.format(names=json.dumps(list(chunks))), unsafe_allow_javascript=True, width="content")
