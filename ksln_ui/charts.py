"""Showing plotly figures in Streamlit, with one configuration for every page."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

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


def show(fig: go.Figure, key: str | None = None) -> None:
    """Draw ``fig`` full width with the app's plotly configuration and the figure's own template."""
    st.plotly_chart(fig, width="stretch", theme=None, config=plotly_config(), key=key)
