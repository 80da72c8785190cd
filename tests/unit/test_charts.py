"""Charts: Indonesian text, palette colours, the right locations, nothing fetched from the internet."""

import json
import re
from datetime import date

import pandas as pd
import pytest

from ksln_metrics.engine.overview import agreements_per_country, flag_totals, region_components, signed_per_year
from ksln_metrics.engine.rules import FLAG_CODES, FLAGS
from ksln_metrics.present import charts, palette

KAB_KOTA = ["36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74"]


def agreements_frame() -> pd.DataFrame:
    rows = [
        # id, region, jenis, status, signed, country, active, components
        ("A", "36.02", "KSDPL", "berjalan", "2019-03-11", "JPN", True, (25, 25, 30, 20)),
        ("B", "36.02", "KSDLL", "berjalan", "2021-05-02", "KOR", True, (18.75, 12.5, 0, 20)),
        ("C", "36.71", "KSDLL", "selesai", "2019-08-01", "JPN", False, (25, 25, 30, 20)),
        ("D", "36", "KSDPL", "ditandatangani", "2023-01-10", "AUS", True, (25, 0, 15, 20)),
        ("E", "36.74", "KSDPL", "usulan", None, "ISR", False, (None, None, None, None)),
    ]
    frame = pd.DataFrame(
        [
            {"id_perjanjian": i, "kabkota_kode": k, "jenis": j, "status": s,
             "tanggal_ttd": pd.Timestamp(t) if t else pd.NaT, "negara": n, "aktif": a,
             "skor_kepatuhan": c[0], "skor_tindak_lanjut": c[1], "skor_capaian": c[2], "skor_pelaporan": c[3],
             "laporan_wajib": 2, "laporan_tepat_waktu": 1}
            for i, k, j, s, t, n, a, c in rows
        ]
    )
    frame["skor"] = frame[["skor_kepatuhan", "skor_tindak_lanjut", "skor_capaian", "skor_pelaporan"]].sum(
        axis=1, min_count=1)
    return frame


def regions_frame() -> pd.DataFrame:
    codes = ["36", *KAB_KOTA]
    frame = pd.DataFrame({
        "kabkota_kode": codes,
        "kabkota_nama": codes,
        "jumlah_perjanjian": [1, 0, 2, 0, 0, 1, 0, 0, 1],
        "jumlah_aktif": [1, 0, 2, 0, 0, 0, 0, 0, 0],
        "skor_rata_rata": [60.0, None, 75.63, None, None, None, None, None, None],
        "tepat_waktu_persen": [50.0, None, 50.0, None, None, 50.0, None, None, None],
        "peringkat": pd.array([None, None, 1, None, None, None, None, None, None], dtype="Int64"),
    })
    # Mean points of the active agreements of agreements_frame (A and B in 36.02, D in the province).
    for column, lebak, province in (("skor_kepatuhan", 21.88, 25.0), ("skor_tindak_lanjut", 18.75, 0.0),
                                    ("skor_capaian", 15.0, 15.0), ("skor_pelaporan", 20.0, 20.0)):
        frame[column] = None
        frame.loc[frame["kabkota_kode"] == "36.02", column] = lebak
        frame.loc[frame["kabkota_kode"] == "36", column] = province
        frame[column] = frame[column].astype("float64")
    for code in FLAG_CODES:
        frame[f"jumlah_{code}"] = 0
    frame.loc[frame["kabkota_kode"] == "36.02", "jumlah_stalled"] = 1
    frame.loc[frame["kabkota_kode"] == "36.74", "jumlah_no_diplomatic_relations"] = 1
    return frame


def all_figures():
    agreements, regions = agreements_frame(), regions_frame()
    return {
        "tahun": charts.signed_per_year_chart(signed_per_year(agreements, date(2025, 1, 1))),
        "tahun_status": charts.signed_per_year_chart(signed_per_year(agreements, date(2025, 1, 1), by="status"),
                                                     by="status"),
        "bendera": charts.flag_counts_chart(flag_totals(regions)),
        "liga": charts.score_league_chart(regions),
        "komponen": charts.score_components_chart(region_components(regions)),
        "dunia": charts.partner_country_map(agreements_per_country(agreements)),
        "banten": charts.score_map(regions),
    }


@pytest.fixture(scope="module")
def figures():
    return all_figures()


def test_every_figure_has_an_indonesian_title_the_template_and_indonesian_separators(figures):
    titles = {name: fig.layout.title.text for name, fig in figures.items()}
    assert titles == {
        "tahun": "Perjanjian ditandatangani per tahun",
        "tahun_status": "Perjanjian ditandatangani per tahun",
        "bendera": "Perjanjian per peringatan",
        "liga": "Skor rata-rata per kabupaten/kota",
        "komponen": "Komponen skor per daerah",
        "dunia": "Negara mitra (jumlah perjanjian)",
        "banten": "Skor rata-rata kabupaten/kota",
    }
    for fig in figures.values():
        assert fig.layout.separators == ",."
        assert fig.layout.template.layout.font.size >= 16  # readable on a projector


def test_signed_per_year_stacks_by_jenis_with_palette_colours(figures):
    fig = figures["tahun"]
    assert fig.layout.barmode == "stack"
    assert [t.type for t in fig.data] == ["bar", "bar"]
    by_name = {t.name: t for t in fig.data}
    assert by_name["KSDPL"].marker.color == palette.JENIS_COLORS["KSDPL"]
    # Years as categories (never "2.019"), and every year between the first and the last, 0 included.
    assert list(by_name["KSDPL"].x) == ["2019", "2020", "2021", "2022", "2023"]
    assert list(by_name["KSDPL"].y) == [1, 0, 0, 0, 1] and list(by_name["KSDLL"].y) == [1, 0, 1, 0, 0]
    assert fig.layout.xaxis.title.text == "Tahun penandatanganan"
    assert "perjanjian" in by_name["KSDPL"].hovertemplate
    status = {t.name: t.marker.color for t in figures["tahun_status"].data}
    assert status == {s: palette.STATUS_COLORS[s] for s in ("ditandatangani", "berjalan", "selesai")}


def test_signed_per_year_leaves_out_agreements_signed_after_the_reference_date():
    counts = signed_per_year(agreements_frame(), date(2020, 12, 31))
    assert counts["jumlah"].sum() == 2 and set(counts["tahun"]) == {2019}


def test_flag_counts_use_the_flag_colours_and_labels(figures):
    bar = figures["bendera"].data[0]
    labels = {f.code: f.label for f in FLAGS}
    # Defined order, first on top; long labels wrapped onto lines so the axis never cuts them.
    assert [y.replace("<br>", " ") for y in bar.y] == [labels["no_diplomatic_relations"], labels["stalled"]]
    assert all(len(line) <= 24 for y in bar.y for line in y.split("<br>"))
    assert list(bar.marker.color) == [palette.FLAG_COLORS["no_diplomatic_relations"], palette.FLAG_COLORS["stalled"]]


def test_league_and_components_only_show_regions_with_a_score(figures):
    league = figures["liga"].data[0]
    assert list(league.y) == ["Provinsi Banten", "Kab. Lebak"] and list(league.x) == [60.0, 75.63]
    assert list(league.text) == ["60,00", "75,63"]
    components = figures["komponen"]
    assert [t.name for t in components.data] == ["Kepatuhan", "Tindak lanjut", "Capaian indikator", "Pelaporan"]
    assert [t.marker.color for t in components.data] == list(palette.COMPONENT_COLORS.values())
    lebak = [t.x[list(t.y).index("Kab. Lebak")] for t in components.data]
    assert sum(lebak) == pytest.approx(75.63, abs=0.01)  # components add up to the mean score


def test_world_map_counts_agreements_per_iso3_country(figures):
    trace = figures["dunia"].data[0]
    assert trace.type == "choropleth" and trace.locationmode == "ISO-3"
    assert dict(zip(trace.locations, trace.z, strict=True)) == {"JPN": 2, "AUS": 1, "ISR": 1, "KOR": 1}
    assert "Jepang" in trace.text
    assert [c.lower() for _, c in trace.colorscale] == [c.lower() for c in palette.COUNT_SCALE]


def test_banten_map_uses_the_kabkota_geojson_and_keeps_the_province_apart(figures):
    fig = figures["banten"]
    scored, unscored, *marks = fig.data
    assert scored.type == unscored.type == "choropleth" and {m.type for m in marks} == {"scattergeo"}
    assert scored.featureidkey == "properties.kode"
    assert list(scored.locations) == ["36.02"] and list(scored.z) == [75.63]
    assert sorted(unscored.locations) == sorted(set(KAB_KOTA) - {"36.02"})
    assert "36" not in {*scored.locations, *unscored.locations}  # the province is not a polygon
    assert [c.lower() for _, c in scored.colorscale] == [c.lower() for c in palette.SCORE_SCALE]
    assert (scored.zmin, scored.zmax) == palette.SCORE_RANGE
    assert {c for _, c in unscored.colorscale} == {palette.NO_DATA}
    assert fig.layout.geo.visible is False
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert charts.MAP_ATTRIBUTION in notes and "Provinsi Banten" in notes and "60,00" in notes


def test_every_banten_unit_is_named_with_a_leader_line_from_a_point_inside_it(figures):
    fig = figures["banten"]
    names = next(t for t in fig.data if getattr(t, "mode", None) == "text")
    assert sorted(names.customdata) == sorted(KAB_KOTA)  # all eight, the four kota included
    written = [t.replace("<br>", " ") for t in names.text]
    assert any("Kota Cilegon" in t for t in written) and any("Kab. Lebak" in t and "75,63" in t for t in written)
    lines = [t for t in fig.data if getattr(t, "mode", None) == "lines"]
    assert len(lines) == len(KAB_KOTA)
    features = {f["properties"]["kode"]: f for f in charts.kabkota_geojson("36")["features"]}
    lon_range, lat_range = charts.map_ranges("36")
    for code, place in charts.unit_labels("36").items():
        inside = [other for other, feature in features.items() if _contains(feature, place["anchor"])]
        assert inside == [code], f"{code}: its dot lies in {inside}"
        assert lon_range[0] < place["label"][0] < lon_range[1] and lat_range[0] < place["label"][1] < lat_range[1]


def _contains(feature: dict, point: tuple[float, float]) -> bool:
    geometry = feature["geometry"]
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    x, y = point
    for polygon in polygons:
        ring, inside = polygon[0], False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                inside = not inside
        if inside:
            return True
    return False


def test_count_colour_bars_have_whole_number_ticks():
    one = charts.partner_country_map(pd.DataFrame({"negara": ["JPN", "DEU"], "jumlah": [1, 1]}))
    bar = one.data[0].colorbar
    assert list(bar.tickvals) == [0, 1] and list(bar.ticktext) == ["0", "1"]
    many = charts.partner_country_map(pd.DataFrame({"negara": ["JPN"], "jumlah": [23]}))
    assert all(float(v).is_integer() for v in many.data[0].colorbar.tickvals)
    assert "%{text}" in one.data[0].hovertemplate  # the country's name on hover


def test_every_colour_comes_from_the_palette(figures):
    allowed = {c.lower() for c in _palette_colours()} | {"#ffffff", "#000000", "#e5e5e5", "#bbbbbb"}
    for name, fig in figures.items():
        used = set(re.findall(r"#[0-9a-fA-F]{6}\b", fig.to_json()))
        assert {c.lower() for c in used} <= allowed, name


def _palette_colours() -> set[str]:
    colours = set()
    for value in vars(palette).values():
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list | tuple) else [value]
        colours |= {v for v in items if isinstance(v, str) and v.startswith("#")}
    return colours


def test_no_figure_names_an_external_url(figures):
    for name, fig in figures.items():
        assert not re.search(r"https?://", fig.to_json()), name


def test_every_geo_figure_needs_only_topojson_that_is_served_locally(figures):
    served = {p.name for p in charts.TOPOJSON_DIR.glob("*.json")}
    assert "world_110m.json" in served
    for name in ("dunia", "banten"):
        needed = charts.geo_figures_topojson(figures[name])
        assert needed and needed <= served, name
    topojson = json.loads((charts.TOPOJSON_DIR / "world_110m.json").read_text())
    ids = {g.get("id") for g in topojson["objects"]["countries"]["geometries"]}
    assert {"IDN", "JPN", "KOR", "AUS"} <= ids  # ISO-3 ids, as locationmode="ISO-3" expects


def test_empty_frames_give_a_message_not_an_error():
    empty_agreements = agreements_frame().iloc[0:0]
    regions = regions_frame().assign(skor_rata_rata=None, skor_kepatuhan=None, skor_tindak_lanjut=None,
                                     skor_capaian=None, skor_pelaporan=None)
    figs = [
        charts.signed_per_year_chart(signed_per_year(empty_agreements, date(2025, 1, 1))),
        charts.flag_counts_chart(flag_totals(regions.assign(**{f"jumlah_{c}": 0 for c in FLAG_CODES}))),
        charts.score_league_chart(regions),
        charts.score_components_chart(region_components(regions)),
        charts.partner_country_map(agreements_per_country(empty_agreements)),
        charts.score_map(regions),
    ]
    for fig in figs:
        fig.to_json()
    assert figs[0].layout.annotations[0].text == "Belum ada data"
