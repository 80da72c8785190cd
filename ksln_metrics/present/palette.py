"""Colours, defined once: the same flag has the same colour on every page, chart and export.

Colour-blind-safe: Okabe–Ito for the flags (with Paul Tol's muted set where more hues are
needed), a sequential blue scale for scores so that a projector's washed-out contrast still
orders them.
"""

from __future__ import annotations

FLAG_COLORS: dict[str, str] = {
    "ceremonial_only": "#E69F00",  # orange
    "stalled": "#D55E00",  # vermillion
    "late_report": "#CC79A7",  # reddish purple
    "missing_report": "#882255",  # wine
    "no_dprd_approval": "#0072B2",  # blue
    "no_central_approval": "#56B4E9",  # sky blue
    "delegated_signature": "#332288",  # indigo
    "no_diplomatic_relations": "#000000",  # black: the gravest
    "expiring_soon": "#F0E442",  # yellow
    "expired": "#999933",  # olive
    "no_indicators": "#009E73",  # bluish green
}

# Score 0–100: light (bad) to dark (good), readable in grey.
SCORE_SCALE = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
SCORE_RANGE = (0, 100)

# Ceremonial versus substantive activities on timelines.
ACTIVITY_COLORS = {"seremonial": "#E69F00", "substantif": "#0072B2"}

NEUTRAL = "#4D4D4D"

# Kinds of cooperation and agreement statuses on the yearly chart (Paul Tol's muted set, so
# they do not borrow a flag's colour).
JENIS_COLORS = {"KSDPL": "#117733", "KSDLL": "#88CCEE"}
STATUS_COLORS = {
    "usulan": "#DDDDDD",
    "proses": "#DDCC77",
    "ditandatangani": "#88CCEE",
    "berjalan": "#117733",
    "selesai": "#44AA99",
    "batal": "#CC6677",
}

# The four score components, in the order of rules.COMPONENTS.
COMPONENT_COLORS = {
    "kepatuhan": "#332288",
    "tindak_lanjut": "#44AA99",
    "capaian": "#117733",
    "pelaporan": "#DDCC77",
}

# Counts of agreements per partner country: light (few) to dark (many), warm so that it is
# not read as a score.
COUNT_SCALE = ["#FFF7BC", "#FEC44F", "#FB9A29", "#CC4C02", "#662506"]

# Map background: land, borders, water, and regions without a figure.
MAP_LAND = "#EEEEEE"
MAP_BORDER = "#FFFFFF"
MAP_WATER = "#F7FBFF"
NO_DATA = "#BBBBBB"
