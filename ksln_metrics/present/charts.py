"""Charts of the dashboard and the reports: DataFrames in, plotly Figures out.

One template for every figure: large fonts for a projector, Indonesian number format
(``separators=",."`` makes plotly write 1.234,5), colours only from ``palette``. Geo
figures draw on the world topojson served from ``static/topojson/`` (see ``TOPOJSON_DIR``),
never from a CDN: whoever shows them passes ``topojsonURL`` in the plotly config.
"""

from __future__ import annotations

import json
from functools import cache

import pandas as pd
import plotly.graph_objects as go

from ksln_metrics.engine.overview import region_label
from ksln_metrics.engine.rules import COMPONENTS, FLAG_BY_CODE
from ksln_metrics.formatting import format_number_id
from ksln_metrics.paths import DATA_DIR, STATIC_DIR
from ksln_metrics.present import palette
from ksln_metrics.reference import PROVINCE_CODE, country_name, region_name

BANTEN_GEOJSON = DATA_DIR / "geo" / "banten_kabkota.geojson"
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
    years = sorted(counts["tahun"].unique())
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
        x=shown["jumlah"].tolist(), y=shown["label"].tolist(), orientation="h",
        marker_color=[palette.FLAG_COLORS[c] for c in shown["code"]],
        text=shown["jumlah"].tolist(), textposition="outside", cliponaxis=False,
        customdata=shown["code"].tolist(),
        hovertemplate="%{y}<br>%{x:,.0f} perjanjian<extra></extra>",
    )
    fig.update_xaxes(tickformat=",d", rangemode="tozero", **_whole_ticks(shown["jumlah"].max()))
    fig.update_layout(height=max(300, 60 + 45 * len(shown)))
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
        hovertemplate="%{y}<br>Skor rata-rata %{x:.2f}<extra></extra>",
    )
    fig.update_xaxes(range=list(palette.SCORE_RANGE))
    fig.update_layout(height=max(300, 60 + 45 * len(shown)))
    return fig


def score_components_chart(components: pd.DataFrame) -> go.Figure:
    """Stacked horizontal bars: mean points of each component per region (``overview.region_components``)."""
    fig = _figure("Komponen skor per daerah", barmode="stack", legend_traceorder="normal",
                  xaxis_title="Poin rata-rata (jumlah = skor rata-rata)")
    shown = components[components["skor_rata_rata"].notna()].sort_values("skor_rata_rata")
    if shown.empty:
        return _empty(fig, "Belum ada perjanjian aktif")
    names = [region_label(c) for c in shown["kabkota_kode"]]
    for component in COMPONENTS:
        fig.add_bar(
            x=shown[component.column].tolist(), y=names, orientation="h", name=component.label,
            marker_color=palette.COMPONENT_COLORS[component.code],
            hovertemplate=f"%{{y}}<br>{component.label}: %{{x:.2f}} poin<extra></extra>",
        )
    fig.update_xaxes(range=list(palette.SCORE_RANGE))
    fig.update_layout(height=max(350, 110 + 45 * len(shown)))
    return fig


# --- maps --------------------------------------------------------------------------------------------


@cache
def banten_geojson() -> dict:
    """The eight kab/kota of Banten (``properties.kode``), read once."""
    return json.loads(BANTEN_GEOJSON.read_text(encoding="utf-8"))


def _attribution(fig: go.Figure, text: str = MAP_ATTRIBUTION) -> None:
    fig.add_annotation(text=text, showarrow=False, xref="paper", yref="paper", x=0, y=0,
                       xanchor="left", yanchor="top", align="left", yshift=-4, font={"size": 13, "color": palette.NEUTRAL})


def partner_country_map(counts: pd.DataFrame) -> go.Figure:
    """World choropleth: agreements per partner country (``overview.agreements_per_country``)."""
    fig = _figure("Negara mitra (jumlah perjanjian)", height=480, margin={"l": 0, "r": 0, "t": 60, "b": 10})
    fig.add_choropleth(
        locations=counts["negara"].tolist(), z=counts["jumlah"].tolist(), locationmode="ISO-3",
        text=[country_name(c) for c in counts["negara"]],
        colorscale=_scale(palette.COUNT_SCALE), zmin=0, zmax=max(1, int(counts["jumlah"].max())) if len(counts) else 1,
        marker_line_color=palette.NEUTRAL, marker_line_width=0.5,
        colorbar={"title": {"text": "Perjanjian"}, "tickformat": ",d", "thickness": 16, "len": 0.7},
        hovertemplate="%{text}<br>%{z:,.0f} perjanjian<extra></extra>",
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


def banten_score_map(regions: pd.DataFrame) -> go.Figure:
    """Choropleth of the eight kab/kota coloured by mean score; the province is told in a note.

    Units without an active agreement are grey. ``regions`` is ``Results.regions``.
    """
    fig = _figure("Skor rata-rata kabupaten/kota", height=560, margin={"l": 0, "r": 0, "t": 60, "b": 70})
    units = pd.DataFrame({"kabkota_kode": [f["properties"]["kode"] for f in banten_geojson()["features"]]})
    units = units.merge(regions, on="kabkota_kode", how="left")
    scored = units["skor_rata_rata"].notna()
    units = units.assign(hover=[_region_hover(row) for row in units.to_dict("records")])
    geojson = banten_geojson()
    fig.add_choropleth(
        geojson=geojson, featureidkey="properties.kode",
        locations=units.loc[scored, "kabkota_kode"].tolist(), z=units.loc[scored, "skor_rata_rata"].tolist(),
        colorscale=_scale(palette.SCORE_SCALE), zmin=palette.SCORE_RANGE[0], zmax=palette.SCORE_RANGE[1],
        marker_line_color=palette.NEUTRAL, marker_line_width=1,
        colorbar={"title": {"text": "Skor"}, "thickness": 16, "len": 0.8},
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
    # Labels only on the four kabupaten: the kota are too small to carry one without overlap.
    centres = {f["properties"]["kode"]: (f["properties"]["lng"], f["properties"]["lat"])
               for f in geojson["features"]}
    labelled = units[units["kabkota_kode"].str.startswith("36.0")]
    fig.add_scattergeo(
        lon=[centres[c][0] for c in labelled["kabkota_kode"]], lat=[centres[c][1] for c in labelled["kabkota_kode"]],
        mode="text", text=[f"{region_label(c)}<br>{format_number_id(s) if pd.notna(s) else '–'}"
                           for c, s in zip(labelled["kabkota_kode"], labelled["skor_rata_rata"], strict=True)],
        textfont={"size": 14, "color": "#000000"}, hoverinfo="skip", showlegend=False,
    )
    fig.update_geos(fitbounds="geojson", visible=False, scope="world", resolution=110,
                    projection_type="mercator")
    province = regions[regions["kabkota_kode"] == PROVINCE_CODE]
    note = MAP_ATTRIBUTION
    if not province.empty:
        score = province["skor_rata_rata"].iloc[0]
        note = (f"Provinsi Banten (perangkat daerah provinsi, tidak dipetakan): skor rata-rata "
                f"{format_number_id(score) if pd.notna(score) else '–'}<br>{MAP_ATTRIBUTION}")
    _attribution(fig, note)
    return fig


def geo_figures_topojson(fig: go.Figure) -> set[str]:
    """Topojson files (``world_110m.json``) that plotly.js will fetch for ``fig``'s geo subplots."""
    names = set()
    for key in fig.layout:
        if key.startswith("geo") and any(trace.type in ("choropleth", "scattergeo") for trace in fig.data):
            geo = fig.layout[key]
            names.add(f"{(geo.scope or 'world').replace(' ', '-')}_{geo.resolution or 110}m.json")
    return names

