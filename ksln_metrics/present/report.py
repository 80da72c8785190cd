"""The offline report: the rakor slides as one self-contained HTML file, printable to PDF.

plotly.js is inlined once and the world topojson is registered in ``window.PlotlyGeoAssets``
before plotly.js loads (plotly.js looks there before fetching ``<topojsonURL>world_110m.json``),
so the file opens and draws every chart with no network at all. Every text from the data is
escaped with ``html.escape``; figures go in as plotly's own JSON.
"""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from functools import cache

import plotly.graph_objects as go
import plotly.io as pio
from plotly.offline import get_plotlyjs

from ksln_metrics.present.charts import TOPOJSON_DIR
from ksln_metrics.present.slides import Slide

# Charts are drawn at a fixed width that fits an A4 landscape page, so print equals screen.
FIGURE_WIDTH, FIGURE_HEIGHT = 980, 450

# Never used while the topojson is registered; relative, so a miss can only look beside the file.
FIGURE_CONFIG = {"displaylogo": False, "responsive": False, "topojsonURL": "topojson/", "locale": "id",
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"]}

STYLE = """
:root { --dark: #08306B; --text: #1A1A1A; --muted: #4D4D4D; --zebra: #F2F2F2; }
* { box-sizing: border-box; }
body { margin: 0; background: #E9ECEF; color: var(--text);
       font-family: "Source Sans Pro", "Source Sans 3", Arial, "Liberation Sans", "DejaVu Sans", sans-serif; }
main { max-width: 1060px; margin: 0 auto; padding: 16px; }
.slide { background: #FFFFFF; margin: 0 0 24px; padding: 28px 36px 20px; border-radius: 6px;
         box-shadow: 0 1px 4px rgba(0, 0, 0, .15); position: relative; }
.slide h1, .slide h2 { color: var(--dark); margin: 0 0 4px; font-size: 30px; }
.slide.judul { text-align: center; padding: 96px 36px; }
.slide.judul h1 { font-size: 40px; }
.subtitle { color: var(--muted); font-size: 20px; margin: 0 0 14px; }
ul { font-size: 19px; line-height: 1.4; margin: 8px 0 14px; padding-left: 26px; }
ul ul { font-size: 16px; }
.judul ul { list-style: none; padding: 0; }
table { border-collapse: collapse; width: 100%; font-size: 15px; margin: 8px 0; }
th { background: var(--dark); color: #FFFFFF; text-align: left; padding: 6px 8px; }
td { padding: 5px 8px; vertical-align: top; }
tr:nth-child(even) td { background: var(--zebra); }
.figure { width: 980px; margin: 6px auto 0; }
details.notes { margin-top: 12px; font-size: 14px; color: var(--muted); }
details.notes p { white-space: pre-line; margin: 6px 0 0; }
.number { position: absolute; right: 16px; bottom: 8px; font-size: 12px; color: var(--muted); }
.missing { padding: 40px; background: var(--zebra); color: var(--muted); text-align: center; }
@page { size: A4 landscape; margin: 10mm; }
@media print {
  body { background: #FFFFFF; }
  main { max-width: none; padding: 0; zoom: .8; }  /* a 1060 px slide on a 277 mm wide page */
  .slide { box-shadow: none; border-radius: 0; margin: 0; padding: 0 4mm; break-after: page; page-break-after: always;
           break-inside: avoid; }
  .slide:last-child { break-after: auto; page-break-after: auto; }
  details.notes { display: none; }
  .modebar { display: none !important; }
}
"""


@cache
def world_topojson() -> str:
    """The world topojson, compacted once (it is inlined in every report)."""
    data = json.loads((TOPOJSON_DIR / "world_110m.json").read_text(encoding="utf-8"))
    return json.dumps(data, separators=(",", ":"))


def _script_json(text: str) -> str:
    # Inside <script>, "</" would end the element early; "<\/" means the same to JavaScript.
    return text.replace("</", "<\\/")


def report_html(slides: Sequence[Slide], title: str, footer: str = "") -> str:
    """The whole report: one ``<section class="slide">`` per slide, then nothing to fetch."""
    body = [_section(slide, i, len(slides), footer) for i, slide in enumerate(slides)]
    figures = [
        _figure_script(f"grafik-{i}", slide.figure) for i, slide in enumerate(slides) if slide.figure is not None
    ]
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="id">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style>",
        f"<script>window.PlotlyGeoAssets = {{topojson: {{world_110m: {_script_json(world_topojson())}}}}};</script>",
        f"<script>{get_plotlyjs()}</script>",
        "</head>",
        "<body>",
        "<main>",
        *body,
        "</main>",
        *figures,
        "</body>",
        "</html>",
    ]) + "\n"


def _section(slide: Slide, index: int, total: int, footer: str) -> str:
    heading = "h1" if slide.kind == "judul" else "h2"
    parts = [f'<section class="slide {html.escape(slide.kind)}" id="slide-{index + 1}">',
             f"<{heading}>{html.escape(slide.title)}</{heading}>"]
    if slide.subtitle:
        parts.append(f'<p class="subtitle">{html.escape(slide.subtitle)}</p>')
    parts.append(_bullets(slide))
    if slide.figure is not None:
        parts.append(f'<div class="figure" id="grafik-{index}"></div>')
    if slide.table is not None:
        parts.append(_table(slide))
    if slide.notes:
        parts.append(f'<details class="notes"><summary>Catatan pembicara</summary><p>{html.escape(slide.notes)}</p>'
                     "</details>")
    number = f"{footer} · {index + 1} / {total}" if footer else f"{index + 1} / {total}"
    parts.append(f'<div class="number">{html.escape(number)}</div>')
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _bullets(slide: Slide) -> str:
    """Level-0 bullets as list items, level-1 bullets as a list inside the item before them."""
    out, item_open, sub_open = ["<ul>"], False, False
    for bullet in slide.bullets:
        text = html.escape(bullet.text)
        if bullet.level and item_open:
            if not sub_open:
                out.append("<ul>")
                sub_open = True
            out.append(f"<li>{text}</li>")
            continue
        if sub_open:
            out.append("</ul>")
            sub_open = False
        if item_open:
            out.append("</li>")
        out.append(f"<li>{text}")
        item_open = True
    out.append(("</ul>" if sub_open else "") + ("</li>" if item_open else "") + "</ul>")
    return "".join(out) if slide.bullets else ""


def _table(slide: Slide) -> str:
    frame = slide.table
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _figure_script(div_id: str, figure: go.Figure) -> str:
    fig = go.Figure(figure)
    fig.update_layout(width=FIGURE_WIDTH, height=FIGURE_HEIGHT)
    spec = _script_json(pio.to_json(fig, validate=False))
    config = _script_json(json.dumps(FIGURE_CONFIG))
    return (f"<script>(function () {{ var spec = {spec}; "
            f"Plotly.newPlot({json.dumps(div_id)}, spec.data, spec.layout, {config}); }})();</script>")
