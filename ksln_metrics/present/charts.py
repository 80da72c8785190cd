"""Charts of the dashboard and the reports: DataFrames in, plotly Figures out.

One template for every figure: large fonts for a projector, Indonesian number format
(``separators=",."`` makes plotly write 1.234,5), colours only from ``palette``. Geo
figures draw on the world topojson served from ``static/topojson/`` (see ``TOPOJSON_DIR``),
never from a CDN: whoever shows them passes ``topojsonURL`` in the plotly config.
"""

from __future__ import annotations

import json
from functools import cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ksln_metrics.engine.overview import region_label
from ksln_metrics.engine.rules import COMPONENTS, FLAG_BY_CODE
from ksln_metrics.formatting import format_number_id
from ksln_metrics.paths import DATA_DIR, STATIC_DIR
from ksln_metrics.present import palette
from ksln_metrics.reference import country_name, province_of, region_name, scope

GEO_DIR = DATA_DIR / "geo" / "indonesia"
TOPOJSON_DIR = STATIC_DIR / "topojson"
MAP_ATTRIBUTION = "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)"

# Names with a space or a digit are quoted: CSS drops an unquoted "Source Sans 3" and with it
# the whole list, and the browser falls back to a serif font.
FONT_FAMILY = '"Source Sans Pro", "Source Sans 3", Arial, sans-serif'
FONT_SIZE = 18

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": palette.NEUTRAL},
        title={"font": {"size": 24}, "x": 0, "xanchor": "left", "y": 0.97, "yanchor": "top"},
        separators=",.",
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        colorway=list(palette.FLAG_COLORS.values()),
        hoverlabel={"font": {"size": FONT_SIZE, "family": FONT_FAMILY}, "bgcolor": "#FFFFFF"},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0,
                "title": {"text": ""}, "font": {"size": 16}},
        margin={"l": 10, "r": 10, "t": 90, "b": 10},
        xaxis={"gridcolor": "#E5E5E5", "zerolinecolor": "#BBBBBB", "automargin": True,
               "title": {"font": {"size": 18}}, "tickfont": {"size": 16}},
        yaxis={"gridcolor": "#E5E5E5", "zerolinecolor": "#BBBBBB", "automargin": True,
               "title": {"font": {"size": 18}}, "tickfont": {"size": 16}},
    )
)


def _figure(title: str, **layout) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(template=TEMPLATE, title={"text": title}, separators=",.", **layout)
    return fig


def _scale(colors: list[str]) -> list[list]:
    step = 1 / (len(colors) - 1)
    return [[round(i * step, 4), c] for i, c in enumerate(colors)]


def _whole_ticks(largest) -> dict:
    # Small counts would get ticks at 0,5 steps, written 0, 1, 1, 2 by the ",d" format.
    return {"dtick": 1} if largest <= 10 else {}


def _count_colorbar_ticks(largest: int) -> dict:
    """Whole-number ticks for a colour bar of counts: 0, 1, 2 … never 0,2 steps written "0 0 1 1"."""
    largest = max(1, int(largest))
    step = max(1, -(-largest // 5))  # at most six ticks
    return {"tickmode": "array", "tickvals": list(range(0, largest + 1, step)),
            "ticktext": [format_number_id(v, 0) for v in range(0, largest + 1, step)]}


def wrap_label(text: str, width: int = 20) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (``<br>``), so an axis label is never cut."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _empty(fig: go.Figure, message: str = "Belum ada data") -> go.Figure:
    fig.add_annotation(text=message, showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5,
                       font={"size": 20, "color": palette.NEUTRAL})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


# --- trends and counts ---------------------------------------------------------------------------


def signed_per_year_chart(counts: pd.DataFrame, by: str = "jenis") -> go.Figure:
    """Stacked bars: agreements signed per year (``overview.signed_per_year``), by jenis or status."""
    colors = palette.JENIS_COLORS if by == "jenis" else palette.STATUS_COLORS
    label = "Jenis" if by == "jenis" else "Status"
    fig = _figure("Perjanjian ditandatangani per tahun", barmode="stack", legend_traceorder="normal",
                  xaxis_title="Tahun penandatanganan", yaxis_title="Jumlah perjanjian")
    if counts.empty:
        return _empty(fig)
    # Every year between the first and the last, a year without any agreement included (as a zero).
    years = list(range(int(counts["tahun"].min()), int(counts["tahun"].max()) + 1))
    order = [k for k in colors if k in set(counts[by])] + sorted(set(counts[by]) - set(colors))
    for key in order:
        part = counts[counts[by] == key].set_index("tahun")["jumlah"].reindex(years, fill_value=0)
        fig.add_bar(
            x=[str(y) for y in years], y=part.tolist(), name=str(key),
            marker_color=colors.get(key, palette.NO_DATA),
            hovertemplate=f"Tahun %{{x}}<br>{label}: {key}<br>%{{y:,.0f}} perjanjian<extra></extra>",
        )
    fig.update_xaxes(type="category")
    fig.update_yaxes(tickformat=",d", rangemode="tozero", **_whole_ticks(counts.groupby("tahun")["jumlah"].sum().max()))
    return fig


def flag_counts_chart(totals: pd.DataFrame) -> go.Figure:
    """Horizontal bars: agreements per flag (``overview.flag_totals``), each in its flag colour."""
    fig = _figure("Perjanjian per peringatan", xaxis_title="Jumlah perjanjian", showlegend=False)
    shown = totals[totals["jumlah"] > 0]
    if shown.empty:
        return _empty(fig, "Tidak ada peringatan")
    shown = shown.iloc[::-1]  # first flag on top
    fig.add_bar(
        x=shown["jumlah"].tolist(), y=[wrap_label(label, 24) for label in shown["label"]], orientation="h",
        marker_color=[palette.FLAG_COLORS[c] for c in shown["code"]],
        text=shown["jumlah"].tolist(), textposition="outside", cliponaxis=False,
        customdata=shown["code"].tolist(),
        hovertemplate="%{y}<br>%{x:,.0f} perjanjian<extra></extra>",
    )
    fig.update_xaxes(tickformat=",d", rangemode="tozero", **_whole_ticks(shown["jumlah"].max()))
    fig.update_layout(height=max(300, 90 + 58 * len(shown)))  # room for a label of two lines per bar
    return fig


def score_league_chart(regions: pd.DataFrame) -> go.Figure:
    """Horizontal bars: mean score per kab/kota, best on top, on the score colour scale."""
    fig = _figure("Skor rata-rata per kabupaten/kota", xaxis_title="Skor rata-rata perjanjian aktif (0–100)",
                  showlegend=False)
    shown = regions[regions["skor_rata_rata"].notna()].sort_values("skor_rata_rata")
    if shown.empty:
        return _empty(fig, "Belum ada perjanjian aktif")
    fig.add_bar(
        x=shown["skor_rata_rata"].tolist(), y=[region_label(c) for c in shown["kabkota_kode"]], orientation="h",
        marker={"color": shown["skor_rata_rata"].tolist(), "colorscale": _scale(palette.SCORE_SCALE),
                "cmin": palette.SCORE_RANGE[0], "cmax": palette.SCORE_RANGE[1],
                "line": {"color": palette.NEUTRAL, "width": 1}},
        text=[format_number_id(v) for v in shown["skor_rata_rata"]], textposition="outside", cliponaxis=False,
        customdata=shown["kabkota_kode"].tolist(),
        hovertemplate="%{y}<br>Skor rata-rata %{x:.2f}<extra></extra>",
    )
    fig.update_xaxes(range=list(palette.SCORE_RANGE))
    fig.update_layout(height=max(300, 60 + 45 * len(shown)))
    return fig


def score_components_chart(components: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars: mean points of each component per region (``overview.region_components``)."""
    # A top margin tall enough for a legend of two rows between the title and the bars: with
    # the template's 90 px the legend ran into the title.
    fig = _figure("Komponen skor per daerah", barmode="stack", legend_traceorder="normal",
                  xaxis_title="Poin rata-rata<br>(jumlah = skor rata-rata)",
                  margin={"l": 10, "r": 20, "t": 140, "b": 10})
    shown = components[components["skor_rata_rata"].notna()].sort_values("skor_rata_rata")
    if shown.empty:
        return _empty(fig, "Belum ada perjanjian aktif")
    names = [region_label(c) for c in shown["kabkota_kode"]]
    for component in COMPONENTS:
        fig.add_bar(
            x=shown[component.column].tolist(), y=names, orientation="h", name=component.label,
            marker_color=palette.COMPONENT_COLORS[component.code], customdata=shown["kabkota_kode"].tolist(),
            hovertemplate=f"%{{y}}<br>{component.label}: %{{x:.2f}} poin<extra></extra>",
        )
    fig.update_xaxes(range=list(palette.SCORE_RANGE))
    fig.update_layout(height=max(420, 200 + 45 * len(shown)))
    return fig


# --- maps --------------------------------------------------------------------------------------------


@cache
def kabkota_geojson(province: str) -> dict:
    """The kab/kota of one province (``properties.kode``, ``nama``), from data/geo/indonesia; read once."""
    return json.loads((GEO_DIR / f"kabkota_{province}.geojson").read_text(encoding="utf-8"))


@cache
def provinces_geojson() -> dict:
    """The 38 provinces (``properties.kode`` = "36"...), for the national map; read once."""
    return json.loads((GEO_DIR / "provinsi.geojson").read_text(encoding="utf-8"))


def _polygons(feature: dict) -> list[list[np.ndarray]]:
    geometry = feature["geometry"]
    parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[np.asarray(ring, dtype=float) for ring in polygon] for polygon in parts]


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))) / 2


def _inside(points: np.ndarray, rings: list[np.ndarray]) -> np.ndarray:
    """Even-odd rule over all rings of one polygon (holes included), vectorised over ``points``."""
    inside = np.zeros(len(points), dtype=bool)
    px, py = points[:, :1], points[:, 1:]
    for ring in rings:
        x1, y1 = ring[:, 0], ring[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        with np.errstate(divide="ignore", invalid="ignore"):
            crosses = ((y1 > py) != (y2 > py)) & (px < (x2 - x1) * (py - y1) / (y2 - y1) + x1)
        inside ^= (crosses.sum(axis=1) % 2).astype(bool)
    return inside


def _border_distance(points: np.ndarray, rings: list[np.ndarray], most: int = 128) -> np.ndarray:
    """Distance of each point to the nearest ring; rings thinned to ``most`` vertices (a label needs no more)."""
    best = np.full(len(points), np.inf)
    for ring in rings:
        ring = ring[:: max(1, len(ring) // most)]
        a, b = ring, np.roll(ring, -1, axis=0)
        ab = b - a
        length = np.maximum((ab ** 2).sum(axis=1), 1e-18)
        ap = points[:, None, :] - a[None, :, :]
        t = np.clip((ap * ab[None]).sum(axis=2) / length, 0, 1)
        nearest = a[None] + t[..., None] * ab[None]
        best = np.minimum(best, np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1))
    return best


def interior_point(feature: dict, grid: int = 16) -> tuple[float, float]:
    """A point well inside a unit (its largest part): of a grid over it, the one farthest from every border,
    refined once on a finer grid around it. The centroid of an archipelago or a crescent can lie outside."""
    rings = max(_polygons(feature), key=lambda polygon: _ring_area(polygon[0]))
    rings = [ring for ring in rings if len(ring) >= 4]
    (x0, y0), (x1, y1) = rings[0].min(axis=0), rings[0].max(axis=0)
    best, step = None, ((x1 - x0) / grid, (y1 - y0) / grid)
    for _ in range(2):
        xs, ys = np.meshgrid(np.linspace(x0, x1, grid + 1), np.linspace(y0, y1, grid + 1))
        points = np.column_stack([xs.ravel(), ys.ravel()])
        points = points[_inside(points, rings)]
        if len(points):
            distance = _border_distance(points, rings)
            best = points[int(distance.argmax())]
        if best is None:  # a sliver the grid missed: a vertex is at least on it
            best = rings[0][0]
            break
        x0, x1, y0, y1 = best[0] - step[0], best[0] + step[0], best[1] - step[1], best[1] + step[1]
        step = (step[0] / grid * 2, step[1] / grid * 2)
    return round(float(best[0]), 4), round(float(best[1]), 4)


@cache
def label_points(province: str | None = None) -> dict[str, tuple[float, float]]:
    """Code -> a point inside each kab/kota of ``province`` (or each province when None), computed once."""
    geojson = provinces_geojson() if province is None else kabkota_geojson(province)
    return {f["properties"]["kode"]: interior_point(f) for f in geojson["features"]}


def geojson_bounds(geojson: dict, pad: float = 0.06) -> tuple[tuple[float, float], tuple[float, float]]:
    """((lon_min, lon_max), (lat_min, lat_max)) of every feature, widened by ``pad`` of the larger side."""
    points = np.vstack([ring for f in geojson["features"] for polygon in _polygons(f) for ring in polygon])
    (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
    margin = pad * max(x1 - x0, y1 - y0)
    return (float(x0 - margin), float(x1 + margin)), (float(y0 - margin), float(y1 + margin))


def _attribution(fig: go.Figure, text: str = MAP_ATTRIBUTION, yshift: int = -4) -> None:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0, y=0,
                       xanchor="left", yanchor="top", align="left", yshift=yshift, font={"size": 13, "color": palette.NEUTRAL})


def partner_country_map(counts: pd.DataFrame) -> go.Figure:
    """World choropleth: agreements per partner country (``overview.agreements_per_country``)."""
    fig = _figure("Negara mitra (jumlah perjanjian)", height=480, margin={"l": 0, "r": 0, "t": 60, "b": 90})
    largest = max(1, int(counts["jumlah"].max())) if len(counts) else 1
    fig.add_choropleth(
        locations=counts["negara"].tolist(), z=counts["jumlah"].tolist(), locationmode="ISO-3",
        text=[country_name(c) for c in counts["negara"]],
        colorscale=_scale(palette.COUNT_SCALE), zmin=0, zmax=largest,
        marker_line_color=palette.NEUTRAL, marker_line_width=0.5,
        # Under the map, so the map has the whole width of a half-page column.
        colorbar={"title": {"text": "Perjanjian", "side": "top"}, "orientation": "h", "thickness": 12, "len": 0.6,
                  "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top", **_count_colorbar_ticks(largest)},
        hovertemplate="<b>%{text}</b><br>%{z:,.0f} perjanjian<extra></extra>",
    )
    fig.update_geos(
        scope="world", resolution=110, projection_type="natural earth",
        showcountries=True, countrycolor=palette.MAP_BORDER, showland=True, landcolor=palette.MAP_LAND,
        showocean=True, oceancolor=palette.MAP_WATER, showlakes=False, showframe=False,
        showcoastlines=False, lataxis_range=[-58, 85],
    )
    if counts.empty:
        fig.add_annotation(text="Belum ada negara mitra", showarrow=False, xref="paper", yref="paper",
                           x=0.5, y=0.5, font={"size": 20})
    return fig


def _region_hover(row: dict) -> str:
    flagged = sum(int(v) for k, v in row.items() if k.startswith("jumlah_") and k[7:] in FLAG_BY_CODE and pd.notna(v))
    score = row.get("skor_rata_rata")
    lines = [f"<b>{region_name(row['kabkota_kode'])}</b>",
             f"Skor rata-rata {format_number_id(score) if pd.notna(score) else '–'}"]
    if pd.notna(row.get("peringkat")):
        lines.append(f"Peringkat {int(row['peringkat'])}")
    lines.append(f"{int(row['jumlah_aktif']) if pd.notna(row.get('jumlah_aktif')) else 0} perjanjian aktif")
    lines.append(f"{flagged} peringatan")
    return "<br>".join(lines)


def score_map(regions: pd.DataFrame, province: str | None = None) -> go.Figure:
    """Choropleth of a province's kab/kota coloured by mean score; the province government is told in a note.

    ``province`` defaults to the configured one (the national view passes the province it drills into);
    in the national scope without a province, the map of the provinces (``national_score_map``)
    Units without an active agreement are grey. ``regions`` is ``Results.regions``.
    """
    if province is None:
        current = scope()
        if current.is_national:
            return national_score_map(regions)
        province = current.code
    places = unit_labels(province)
    fig = _figure("Skor rata-rata kabupaten/kota", height=620, margin={"l": 0, "r": 0, "t": 60, "b": 150})
    geojson = kabkota_geojson(province)
    units = pd.DataFrame({"kabkota_kode": [f["properties"]["kode"] for f in geojson["features"]]})
    units = units.merge(regions, on="kabkota_kode", how="left")
    scored = units["skor_rata_rata"].notna()
    units = units.assign(hover=[_region_hover(row) for row in units.to_dict("records")])
    fig.add_choropleth(
        geojson=geojson, featureidkey="properties.kode",
        locations=units.loc[scored, "kabkota_kode"].tolist(), z=units.loc[scored, "skor_rata_rata"].tolist(),
        colorscale=_scale(palette.SCORE_SCALE), zmin=palette.SCORE_RANGE[0], zmax=palette.SCORE_RANGE[1],
        marker_line_color=palette.NEUTRAL, marker_line_width=1,
        # Under the map: at its side the bar took the room the names of the eastern units need.
        colorbar={"title": {"text": "Skor", "side": "top"}, "orientation": "h", "thickness": 12, "len": 0.6,
                  "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top"},
        customdata=units.loc[scored, "hover"].tolist(), hovertemplate="%{customdata}<extra></extra>",
        name="Skor rata-rata",
    )
    if (~scored).any():
        fig.add_choropleth(
            geojson=geojson, featureidkey="properties.kode",
            locations=units.loc[~scored, "kabkota_kode"].tolist(), z=[0] * int((~scored).sum()),
            colorscale=[[0, palette.NO_DATA], [1, palette.NO_DATA]], showscale=False,
            marker_line_color=palette.NEUTRAL, marker_line_width=1,
            customdata=[h + "<br>Belum ada perjanjian aktif" for h in units.loc[~scored, "hover"]],
            hovertemplate="%{customdata}<extra></extra>", name="Tanpa skor",
        )
    _unit_labels(fig, units, places)
    lon_range, lat_range = map_ranges(province)
    fig.update_geos(visible=False, scope="world", resolution=110, projection_type="mercator",
                    lonaxis_range=list(lon_range), lataxis_range=list(lat_range))
    government = regions[regions["kabkota_kode"] == province]
    note = MAP_ATTRIBUTION
    if not government.empty:
        score = government["skor_rata_rata"].iloc[0]
        # Short lines: one long line was cut at the figure's edge ("skor r…").
        note = (f"{region_name(province)} (perangkat daerah provinsi, tidak dipetakan):<br>skor rata-rata "
                f"{format_number_id(score) if pd.notna(score) else '–'}<br>{MAP_ATTRIBUTION}")
    _attribution(fig, note, yshift=-84)
    return fig


def province_scores(regions: pd.DataFrame) -> pd.DataFrame:
    """Per province: the government and its kab/kota together (kode, skor_rata_rata, jumlah_aktif).

    The mean score of all active agreements of the province: the units' mean scores weighted by their
    active agreements (``regions`` is ``Results.regions`` of the national scope)."""
    frame = regions[["kabkota_kode", "skor_rata_rata", "jumlah_aktif"]].copy()
    frame["kode"] = frame["kabkota_kode"].map(province_of)
    frame["jumlah_aktif"] = frame["jumlah_aktif"].fillna(0)
    frame["bobot"] = frame["skor_rata_rata"].fillna(0) * frame["jumlah_aktif"]
    totals = frame.groupby("kode", sort=True)[["bobot", "jumlah_aktif"]].sum()
    totals["skor_rata_rata"] = (totals["bobot"] / totals["jumlah_aktif"]).where(totals["jumlah_aktif"] > 0)
    return totals.reset_index()[["kode", "skor_rata_rata", "jumlah_aktif"]]


def national_score_map(regions: pd.DataFrame) -> go.Figure:
    """Choropleth of the 38 provinces by the mean score of all their active agreements (government and
    kab/kota together); a dot in each province carries its code for the drill-down to ``score_map``."""
    scores = province_scores(regions)
    geojson = provinces_geojson()
    provinces = pd.DataFrame({"kode": [f["properties"]["kode"] for f in geojson["features"]]})
    provinces = provinces.merge(scores, on="kode", how="left")
    scored = provinces["skor_rata_rata"].notna()
    hover = [f"<b>{region_name(c)}</b><br>Skor rata-rata {format_number_id(v) if pd.notna(v) else '–'}<br>"
             f"{int(n) if pd.notna(n) else 0} perjanjian aktif"
             for c, v, n in provinces[["kode", "skor_rata_rata", "jumlah_aktif"]].itertuples(index=False)]
    provinces = provinces.assign(hover=hover)
    fig = _figure("Skor rata-rata provinsi (pemerintah provinsi dan kab/kota)", height=620,
                  margin={"l": 0, "r": 0, "t": 60, "b": 150})
    fig.add_choropleth(
        geojson=geojson, featureidkey="properties.kode",
        locations=provinces.loc[scored, "kode"].tolist(), z=provinces.loc[scored, "skor_rata_rata"].tolist(),
        colorscale=_scale(palette.SCORE_SCALE), zmin=palette.SCORE_RANGE[0], zmax=palette.SCORE_RANGE[1],
        marker_line_color=palette.NEUTRAL, marker_line_width=0.5,
        colorbar={"title": {"text": "Skor", "side": "top"}, "orientation": "h", "thickness": 12, "len": 0.6,
                  "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top"},
        customdata=provinces.loc[scored, "hover"].tolist(), hovertemplate="%{customdata}<extra></extra>",
        name="Skor rata-rata",
    )
    if (~scored).any():
        fig.add_choropleth(
            geojson=geojson, featureidkey="properties.kode",
            locations=provinces.loc[~scored, "kode"].tolist(), z=[0] * int((~scored).sum()),
            colorscale=[[0, palette.NO_DATA], [1, palette.NO_DATA]], showscale=False,
            marker_line_color=palette.NEUTRAL, marker_line_width=0.5,
            customdata=[h + "<br>Belum ada perjanjian aktif" for h in provinces.loc[~scored, "hover"]],
            hovertemplate="%{customdata}<extra></extra>", name="Tanpa skor",
        )
    points = label_points(None)
    codes = provinces["kode"].tolist()
    fig.add_scattergeo(
        lon=[points[c][0] for c in codes], lat=[points[c][1] for c in codes], mode="markers",
        marker={"size": 6, "color": "#000000", "line": {"color": "#FFFFFF", "width": 1}},
        customdata=codes, hovertext=[region_name(c) for c in codes], hoverinfo="text", showlegend=False,
        name="Provinsi",
    )
    lon_range, lat_range = geojson_bounds(geojson, pad=0.02)
    fig.update_geos(visible=False, scope="world", resolution=110, projection_type="mercator",
                    lonaxis_range=list(lon_range), lataxis_range=list(lat_range))
    _attribution(fig, yshift=-84)
    return fig


# Hand-placed names for provinces whose map was laid out by hand (today 36, eight units). ``anchor`` is a
# point well inside the unit (checked by tests/unit/test_charts.py); ``label`` is where its name is
# written, off the coast with a leader line, so every name is black on white (readable on a projector
# over any score colour) and the four small kota get a name as legible as the kabupaten. ``ranges`` frame
# the map with room for those names. Other provinces get their names on a point inside each unit.
HAND_PLACED_LABELS: dict[str, dict] = {
    "36": {
        "units": {
            "36.01": {"anchor": (105.758, -6.678), "label": (105.30, -7.10), "position": "bottom center"},
            "36.02": {"anchor": (106.200, -6.650), "label": (106.40, -7.10), "position": "bottom center"},
            "36.04": {"anchor": (105.977, -6.155), "label": (105.50, -6.20), "position": "middle left"},
            "36.72": {"anchor": (106.027, -6.001), "label": (105.65, -5.72), "position": "middle left"},
            "36.73": {"anchor": (106.169, -6.119), "label": (106.17, -5.58), "position": "top center"},
            "36.03": {"anchor": (106.478, -6.138), "label": (106.95, -5.72), "position": "middle right"},
            "36.71": {"anchor": (106.642, -6.183), "label": (106.95, -6.05), "position": "middle right"},
            "36.74": {"anchor": (106.714, -6.310), "label": (106.95, -6.40), "position": "middle right"},
        },
        "ranges": ((104.7, 107.95), (-7.45, -5.3)),
    },
}


# More units than this: one-line names, a little smaller (the columns stay legible up to Jawa Tengah's 35).
FEW_UNITS = 10
# The map's plot area is about this much wider than high (620 px figure less title and colour bar).
_PLOT_ASPECT = 2.4


@cache
def _laid_out(province: str) -> tuple[dict[str, dict], tuple[tuple[float, float], tuple[float, float]]]:
    """Label places and map ranges of a province without hand-placed names.

    As on the hand-placed Banten map, every name is black on white beside the map, at the end of a leader
    line from a dot inside its unit: the western half of the units in a column left of the map, the
    eastern half right of it, each column in the order of latitude (so the lines seldom cross) and spread
    over the whole height, so that 18 names a side stay legible."""
    points = label_points(province)
    (lon0, lon1), (lat0, lat1) = geojson_bounds(kabkota_geojson(province), pad=0.03)
    # Room for two columns of names: the whole map at least 2.2 times as wide as the province, and as wide
    # as the plot area for a tall province (Jakarta with Kepulauan Seribu); 1° of longitude is drawn about
    # as long as 1° of latitude this near the equator.
    span = max(2.2 * (lon1 - lon0), _PLOT_ASPECT * (lat1 - lat0))
    height = span / _PLOT_ASPECT
    centre, middle = (lon0 + lon1) / 2, (lat0 + lat1) / 2
    lon_range, lat_range = (centre - span / 2, centre + span / 2), (middle - height / 2, middle + height / 2)
    width = span
    by_lon = sorted(points, key=lambda c: (points[c][0], c))
    half = (len(by_lon) + 1) // 2
    places: dict[str, dict] = {}
    for codes, x, position in ((by_lon[:half], lon0 - 0.02 * width, "middle left"),
                               (by_lon[half:], lon1 + 0.02 * width, "middle right")):
        ordered = sorted(codes, key=lambda c: -points[c][1])
        edge = 0.05 if len(points) > FEW_UNITS else 0.1  # a few names take two or three lines each
        top, bottom = lat_range[1] - edge * height, lat_range[0] + edge * height
        step = (top - bottom) / max(1, len(ordered) - 1)
        for i, code in enumerate(ordered):
            places[code] = {"anchor": points[code], "label": (round(x, 4), round(top - i * step, 4)),
                            "position": position}
    return dict(sorted(places.items())), (lon_range, lat_range)


def unit_labels(province: str) -> dict[str, dict]:
    """Code -> {"anchor": (lon, lat) inside the unit, "label": where its name goes, "position": text side}."""
    if province in HAND_PLACED_LABELS:
        return HAND_PLACED_LABELS[province]["units"]
    return _laid_out(province)[0]


def map_ranges(province: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """The (lon, lat) ranges a province's map shows."""
    if province in HAND_PLACED_LABELS:
        return HAND_PLACED_LABELS[province]["ranges"]
    return _laid_out(province)[1]


def _unit_labels(fig: go.Figure, units: pd.DataFrame, places: dict[str, dict]) -> None:
    """Name every unit with its score, at the end of a leader line from a dot inside it when placed by hand."""
    scores = dict(zip(units["kabkota_kode"], units["skor_rata_rata"], strict=True))
    for place in places.values():
        (x0, y0), (x1, y1) = place["anchor"], place["label"]
        if (x0, y0) != (x1, y1):
            fig.add_scattergeo(lon=[x0, x1], lat=[y0, y1], mode="lines", line={"color": "#000000", "width": 1},
                               hoverinfo="skip", showlegend=False)
    codes = list(places)
    # The dot at each anchor carries the unit's code: clicking it (or the unit) opens the unit.
    fig.add_scattergeo(
        lon=[places[c]["anchor"][0] for c in codes], lat=[places[c]["anchor"][1] for c in codes],
        mode="markers", marker={"size": 7, "color": "#000000", "line": {"color": "#FFFFFF", "width": 1}},
        customdata=codes, hovertext=[region_name(c) for c in codes], hoverinfo="text", showlegend=False,
        name="Kab/kota",
    )
    # Columns of many names (Jawa Tengah has 35 units): one line each, a little smaller.
    crowded = len(codes) > FEW_UNITS
    size = 14 if not crowded else 12 if len(codes) <= 24 else 11
    breaker = " " if crowded else "<br>"
    texts = [f"<b>{region_label(c) if crowded else wrap_label(region_label(c), 15)}</b>{breaker}"
             f"{format_number_id(scores.get(c)) if pd.notna(scores.get(c)) else '–'}" for c in codes]
    fig.add_scattergeo(
        lon=[places[c]["label"][0] for c in codes], lat=[places[c]["label"][1] for c in codes],
        mode="text", text=texts, textposition=[places[c]["position"] for c in codes],
        textfont={"size": size, "color": "#000000"}, customdata=codes, hoverinfo="skip", showlegend=False,
    )


def geo_figures_topojson(fig: go.Figure) -> set[str]:
    """Topojson files (``world_110m.json``) that plotly.js will fetch for ``fig``'s geo subplots."""
    names = set()
    for key in fig.layout:
        if key.startswith("geo") and any(trace.type in ("choropleth", "scattergeo") for trace in fig.data):
            geo = fig.layout[key]
            names.add(f"{(geo.scope or 'world').replace(' ', '-')}_{geo.resolution or 110}m.json")
    return names

