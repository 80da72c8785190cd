"""Figures of the Perjanjian page: the timeline of one agreement's activities."""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go

from ksln_metrics.formatting import format_date_id
from ksln_metrics.present.charts import TEMPLATE
from ksln_metrics.present.palette import ACTIVITY_COLORS, NEUTRAL

ACTIVITY_LABELS = {"seremonial": "Seremonial", "substantif": "Substantif"}


def activity_timeline_figure(timeline: pd.DataFrame, signed: date | None = None,
                             as_of: date | None = None) -> go.Figure:
    """One dot per activity on a time axis, ceremonial and substantive on their own rows and colours.

    ``timeline`` is ``agreement.activity_timeline``; the signing date and the reference date
    are drawn as vertical lines.
    """
    fig = go.Figure()
    for sifat, label in ACTIVITY_LABELS.items():
        rows = timeline[timeline["sifat"] == sifat]
        fig.add_trace(go.Scatter(
            x=rows["tanggal"], y=[label] * len(rows), mode="markers", name=label,
            marker={"color": ACTIVITY_COLORS[sifat], "size": 16, "line": {"color": "#FFFFFF", "width": 1},
                    "symbol": "diamond" if sifat == "seremonial" else "circle"},
            customdata=list(zip(rows["tanggal"].map(format_date_id), rows["nama_kegiatan"],
                                rows["jenis_kegiatan"].fillna("(jenis kosong)"), strict=True)),
            hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>Jenis: %{customdata[2]}<extra></extra>",
        ))
    for day, text in ((signed, "Tanda tangan"), (as_of, "Tanggal acuan")):
        if day is not None:
            fig.add_vline(x=pd.Timestamp(day).timestamp() * 1000, line={"color": NEUTRAL, "dash": "dot", "width": 1},
                          annotation_text=text, annotation_position="top")
    fig.update_layout(
        template=TEMPLATE, height=260, margin={"l": 10, "r": 10, "t": 40, "b": 10}, showlegend=False,
        xaxis={"type": "date", "tickformat": "%Y", "dtick": "M12", "title": None},
        yaxis={"categoryorder": "array", "categoryarray": list(ACTIVITY_LABELS.values()), "title": None},
    )
    return fig
