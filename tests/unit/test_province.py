"""The province is configuration: a Jawa Barat store (KSLN_PROVINSI=32), the name rules for every province,
the national scope, and the titles, template, deck, letters, map and sample data following the setting."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date

import openpyxl
import pytest
from docx import Document
from pptx import Presentation

from ksln_metrics import reference, settings
from ksln_metrics.engine.indicators import compute, flags_for
from ksln_metrics.engine.rules import FLAG_CODES, load_rules
from ksln_metrics.importing.cells import CellError, parse_region
from ksln_metrics.importing.ingest import commit_upload, read_upload
from ksln_metrics.importing.template import template_xlsx
from ksln_metrics.paths import DATA_DIR
from ksln_metrics.present import charts
from ksln_metrics.present.deck import deck_pptx
from ksln_metrics.present.methodology import methodology_markdown
from ksln_metrics.present.slides import build_slides, meeting_name
from ksln_metrics.reminders.agenda import agenda
from ksln_metrics.reminders.letters import letter_docx
from ksln_metrics.sample.demo import DemoError, demo_tables, expected_flags, load_demo
from ksln_metrics.store import Store
from tests.province_support import configured_province
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

AS_OF = date(2026, 6, 30)
WILAYAH = DATA_DIR / "wilayah"


@pytest.fixture
def jawa_barat():
    with configured_province("32") as scope:
        yield scope


@pytest.fixture
def no_config_file(tmp_path, monkeypatch):
    """Settings read from a config path of the test's own (absent unless the test writes it)."""
    path = tmp_path / "ksln.toml"
    monkeypatch.setenv(settings.CONFIG_ENV, str(path))
    monkeypatch.delenv(settings.PROVINSI_ENV, raising=False)
    settings.reload()
    yield path
    monkeypatch.undo()
    settings.reload()


def _contains(feature: dict, point: tuple[float, float]) -> bool:
    """Even-odd rule over every ring of each part: an enclave (Kota Bogor in Kabupaten Bogor) is a hole."""
    geometry = feature["geometry"]
    parts = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    x, y = point
    for rings in parts:
        inside = False
        for ring in rings:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                    inside = not inside
        if inside:
            return True
    return False


def _kabkota_rows() -> list[dict]:
    with (WILAYAH / "kabkota.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the setting ------------------------------------------------------------------------------------


def test_the_environment_selects_jawa_barat_and_the_block_restores_banten():
    assert reference.scope().code == "36"
    with configured_province("32") as scope:
        assert (scope.code, scope.title, scope.government, scope.head) == (
            "32", "Provinsi Jawa Barat", "Pemerintah Provinsi Jawa Barat", "Gubernur Jawa Barat")
        assert reference.PROVINCE_CODE == "32" and reference.province_code() == "32"
        assert len(reference.REGIONS) == 1 + 27  # the province government, 18 kabupaten and 9 kota
        assert reference.REGIONS["32.75"] == "Kota Bekasi" and "36.74" not in reference.REGIONS
        assert list(reference.REGIONS)[0] == "32"
    assert reference.scope().title == "Provinsi Banten" and len(reference.REGIONS) == 9


def test_config_file_sets_the_province_and_the_environment_wins(no_config_file, monkeypatch):
    no_config_file.write_text('[wilayah]\n', encoding="utf-8")
    settings.reload()
    assert reference.scope().code == "36"  # a file without the key: the default
    no_config_file.write_text('[wilayah]\nprovinsi = "35"\n', encoding="utf-8")
    settings.reload()
    assert reference.scope().title == "Provinsi Jawa Timur"
    monkeypatch.setenv(settings.PROVINSI_ENV, "32")
    settings.reload()
    assert reference.scope().title == "Provinsi Jawa Barat"


@pytest.mark.parametrize(
    ("variable", "content", "said"),
    [("99", None, ["KSLN_PROVINSI", "'99' bukan kode provinsi", "32 (Jawa Barat)", "nasional"]),
     (None, '[wilayah]\nprovinsi = "Banten"\n', ["ksln.toml", "'Banten' bukan kode provinsi"]),
     (None, "[wilayah\nprovinsi = 32\n", ["ksln.toml", "tidak dapat dibaca"]),
     (None, "[wilayah]\nprovinsi = true\n", ["ksln.toml", "harus kode provinsi"])],
)
def test_a_setting_that_names_no_province_is_refused_in_indonesian(no_config_file, monkeypatch, variable, content,
                                                                   said):
    if variable:
        monkeypatch.setenv(settings.PROVINSI_ENV, variable)
    if content:
        no_config_file.write_text(content, encoding="utf-8")
    settings.reload()
    with pytest.raises(settings.SettingsError) as info:
        reference.scope()
    for words in said:
        assert words in str(info.value)


def test_a_config_file_named_but_missing_is_refused(no_config_file):
    with pytest.raises(settings.SettingsError, match="tidak ditemukan"):
        reference.scope()


def test_cli_says_what_is_wrong_with_the_setting(monkeypatch, capsys):
    from ksln_metrics.cli import main

    monkeypatch.setenv(settings.PROVINSI_ENV, "3x")
    settings.reload()
    try:
        assert main(["kalender", "--help"]) == 2
    finally:
        monkeypatch.delenv(settings.PROVINSI_ENV)
        settings.reload()
    assert "'3x' bukan kode provinsi" in capsys.readouterr().err


def test_the_national_scope_holds_every_province_government_and_kabkota():
    with configured_province("nasional") as scope:
        assert scope.is_national and (scope.title, scope.government) == ("Nasional", "Kementerian Dalam Negeri")
        assert len(scope.provinces) == 38 and len(reference.REGIONS) == 38 + 514
        assert reference.REGIONS["32"] == "Provinsi Jawa Barat" and reference.REGIONS["36.74"] == "Kota Tangerang Selatan"
        assert scope.units_of("36") == ("36", "36.01", "36.02", "36.03", "36.04", "36.71", "36.72", "36.73", "36.74")
        assert parse_region("Kota Bekasi") == "32.75" and parse_region("Tangsel") == "36.74"
        assert parse_region("Pemprov Jabar") == "32" and parse_region("Provinsi Banten") == "36"
        with pytest.raises(CellError, match="ambigu"):
            parse_region("Banjar")  # Kota Banjar (Jawa Barat) or Kabupaten Banjar (Kalimantan Selatan)
    assert reference.province_of("36.74") == "36" and len(reference.units_of("32")) == 27
    assert reference.covers("32", "32.75") and not reference.covers("32", "36.74")
    assert not reference.covers("32.75", "32") and reference.covers("32.75", "32.75")


# --- the import's name rules ----------------------------------------------------------------------------


def _rows(*regions: str) -> list[dict]:
    return [agreement(**{"ID Perjanjian": f"JB-{n}", "Kab/Kota": region, "Mitra": f"Mitra {n}"})
            for n, region in enumerate(regions, 1)]


def test_jawa_barat_store_imports_kota_bekasi_and_refuses_bare_bekasi_and_a_banten_code(jawa_barat, tmp_path):
    with Store(tmp_path / "jabar.duckdb") as store:
        refused = read_upload("bekasi.xlsx", simple_agreement_xlsx(_rows("Kota Bekasi", "Bekasi", "3674")),
                              store=store)
        problems = {p.row: p.message for p in refused.problems if p.is_error}
        assert set(problems) == {3, 4}  # Excel rows: the header is row 1, Kota Bekasi row 2 is fine
        assert "ambigu" in problems[3] and "Kabupaten Bekasi (32.16)" in problems[3] and "Kota Bekasi (32.75)" in problems[3]
        assert "kode 36.74 adalah Kota Tangerang Selatan, Provinsi Banten, bukan Provinsi Jawa Barat" in problems[4]

        upload = read_upload("bekasi.xlsx", simple_agreement_xlsx(_rows("Kota Bekasi", "Kab. Bekasi", "Pemkot Bogor",
                                                                        "32.01", "Pemprov Jabar")), store=store)
        assert upload.ok, [p.line() for p in upload.problems]
        assert upload.regions == {"32", "32.01", "32.16", "32.71", "32.75"}
        commit_upload(store, upload, user="analis")
        stored = store.table("perjanjian").set_index("id_perjanjian")["kabkota"].to_dict()
    assert stored == {"JB-1": "32.75", "JB-2": "32.16", "JB-3": "32.71", "JB-4": "32.01", "JB-5": "32"}


def test_a_name_of_another_province_is_refused_naming_it(jawa_barat):
    for text in ("Kota Tangerang Selatan", "Tangsel"):
        with pytest.raises(CellError, match=r"Kota Tangerang Selatan \(36\.74\) di Provinsi Banten, bukan Provinsi Jawa Barat"):
            parse_region(text)
    with pytest.raises(CellError, match="kode 36 adalah Provinsi Banten, bukan Provinsi Jawa Barat"):
        parse_region("36")


def test_banten_keeps_its_local_aliases():
    assert [parse_region(t) for t in ("Tangsel", "Kota Tangerang Selatan", "Kota Tangsel", "36.74", "Kab. Lebak")] == [
        "36.74", "36.74", "36.74", "36.74", "36.02"]


def test_ambiguous_names_are_derived_from_the_data_for_every_province():
    shared: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _kabkota_rows():
        shared[row["provinsi_kode"]][row["nama"].split(" ", 1)[1].lower()].add(row["kode"])
    expected_anywhere = {"32": {"bogor", "cirebon", "bekasi"}, "35": {"malang", "kediri"},
                         "33": {"semarang", "tegal"}, "36": {"tangerang", "serang"}}
    for province, names in shared.items():
        pairs = {name: codes for name, codes in names.items() if len(codes) > 1}
        with reference.use_scope(province):
            ambiguous = reference.ambiguous_region_names()
            for name, codes in pairs.items():
                # a province of the same name (Gorontalo) is one more meaning
                assert set(ambiguous[name]) - set(codes) <= {province}, (province, name)
                assert set(codes) <= set(ambiguous[name]), (province, name)
                with pytest.raises(CellError, match="ambigu"):
                    parse_region(name.upper())
            assert expected_anywhere.get(province, set()) <= set(pairs)
            if province == "36":
                assert set(ambiguous) == {"tangerang", "serang"}
            if province == "75":
                assert ambiguous["gorontalo"] == ("75", "75.01", "75.71")


def test_common_abbreviations_work_for_every_province():
    for province, name in reference.province_names().items():
        with reference.use_scope(province) as scope:
            assert parse_region(f"Prov. {name}") == parse_region(f"Pemprov {name}") == province
            assert parse_region(f"Provinsi {name}") == parse_region(province) == province
            for code in scope.regions:
                found = reference.area(code)
                if found.kind == "provinsi":
                    continue
                short, bare = ("Kab.", found.bare) if found.kind == "kabupaten" else ("Kot.", found.bare)
                government = "Pemkab" if found.kind == "kabupaten" else "Pemkot"
                for text in (found.name, f"{short} {bare}", f"{government} {bare}", code.replace(".", ""),
                             f"{code} {found.name}"):
                    assert parse_region(text) == code, (province, text)


def test_spellings_without_spaces_and_jakarta_names():
    with reference.use_scope("21"):
        assert parse_region("Kota Tanjungpinang") == parse_region("Tanjung Pinang") == "21.72"
    with reference.use_scope("31"):
        assert parse_region("Jakarta Selatan") == parse_region("Jaksel") == "31.74"
        assert parse_region("Pemprov DKI Jakarta") == parse_region("DKI Jakarta") == "31"
    with reference.use_scope("34"), pytest.raises(CellError, match="ambigu"):
        parse_region("Yogyakarta")  # the province (DIY) or Kota Yogyakarta


# --- titles, template, deck, letters, methodology -------------------------------------------------------


@pytest.fixture
def jawa_barat_store(jawa_barat, tmp_path):
    with Store(tmp_path / "jabar.duckdb") as store:
        load_demo(store, AS_OF)
        yield store


def test_template_title_and_dropdowns_follow_the_province(jawa_barat):
    workbook = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    instructions = [c.value for row in workbook["Petunjuk"].iter_rows() for c in row if c.value]
    text = " ".join(map(str, instructions))
    assert instructions[0] == "Templat Impor Data Kerja Sama Luar Negeri (KSLN) — Provinsi Jawa Barat"
    assert '"Bekasi"' in text and "Kabupaten Bekasi atau Kota Bekasi" in text and "32.75 = Kota Bekasi" in text
    lists = {c.value for row in workbook["Daftar"].iter_rows() for c in row if c.value}
    assert {"Kota Bekasi", "Provinsi Jawa Barat", "32.75"} <= lists
    everything = text + " ".join(map(str, lists))
    assert "Banten" not in everything and "Lebak" not in everything


def test_deck_letters_and_methodology_say_jawa_barat(jawa_barat_store):
    rules = load_rules()
    results = compute(jawa_barat_store, AS_OF, rules)
    slides = build_slides(results, AS_OF, rules=rules, sample_data=True)
    assert slides[0].title == meeting_name() == "Rapat Koordinasi Kerja Sama Luar Negeri Provinsi Jawa Barat"
    deck = Presentation(io.BytesIO(deck_pptx(slides, {}, "KSLN Monitor")))
    first = " ".join(shape.text_frame.text for shape in deck.slides[0].shapes if shape.has_text_frame)
    assert "Provinsi Jawa Barat" in first and "Pemerintah Provinsi Jawa Barat" in first
    regions = {s.region for s in slides if s.kind == "daerah"}
    assert regions and regions <= set(reference.REGIONS)

    items = agenda(jawa_barat_store, AS_OF, rules)
    unit = next(i.kabkota for i in items if i.kabkota == "32")
    letter = "\n".join(p.text for p in Document(io.BytesIO(letter_docx(unit, items, AS_OF, rules))).paragraphs)
    assert "PEMERINTAH PROVINSI JAWA BARAT" in letter and "Gubernur Jawa Barat" in letter
    assert "Sekretaris Daerah Provinsi Jawa Barat" in letter and letter.count("Bandung, ") == 1

    methodology = methodology_markdown(rules, AS_OF)
    assert "Provinsi Jawa Barat (kode 32) tampil sebagai baris sendiri" in methodology
    assert "Provinsi Jawa Barat (kode 32) tidak ikut diurutkan" in methodology
    assert "Kabupaten Bogor" in methodology and "Lebak" not in methodology


def test_the_map_draws_the_configured_province(jawa_barat):
    codes = [c for c in reference.REGIONS if c != "32"]
    frame = {"kabkota_kode": ["32", *codes], "skor_rata_rata": [55.0, 75.5, *([None] * (len(codes) - 1))],
             "peringkat": [None, 1, *([None] * (len(codes) - 1))], "jumlah_aktif": [2, 1, *([0] * (len(codes) - 1))]}
    import pandas as pd

    fig = charts.score_map(pd.DataFrame(frame))
    scored, unscored, *marks = fig.data
    assert list(scored.locations) == [codes[0]] and sorted(unscored.locations) == sorted(codes[1:])
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert charts.MAP_ATTRIBUTION in notes and "Provinsi Jawa Barat" in notes and "55,00" in notes
    dots = next(t for t in marks if getattr(t, "mode", None) == "markers")
    features = {f["properties"]["kode"]: f for f in charts.kabkota_geojson("32")["features"]}
    assert sorted(dots.customdata) == sorted(codes) == sorted(features)
    for code, lon, lat in zip(dots.customdata, dots.lon, dots.lat, strict=True):
        assert [c for c, f in features.items() if _contains(f, (lon, lat))] == [code]
    (lon0, lon1), (lat0, lat1) = fig.layout.geo.lonaxis.range, fig.layout.geo.lataxis.range
    assert all(lon0 < x < lon1 for x in dots.lon) and all(lat0 < y < lat1 for y in dots.lat)
    names = next(t for t in marks if getattr(t, "mode", None) == "text")
    assert sorted(names.customdata) == sorted(codes) and any("Kota Bekasi" in t for t in names.text)
    # every name beside the map, on white, inside the frame, joined to its dot by a leader line
    (west, east), _ = charts.geojson_bounds(charts.kabkota_geojson("32"), pad=0)
    assert all(x < west or x > east for x in names.lon)
    assert all(lon0 < x < lon1 for x in names.lon) and all(lat0 < y < lat1 for y in names.lat)
    assert len([t for t in marks if getattr(t, "mode", None) == "lines"]) == len(codes)


def test_every_province_has_a_map_with_a_point_inside_each_unit():
    for province in reference.province_names():
        features = charts.kabkota_geojson(province)["features"]
        points = charts.label_points(province)
        assert sorted(points) == sorted(reference.units_of(province)), province
        for feature in features:
            code = feature["properties"]["kode"]
            assert _contains(feature, points[code]), code


# --- sample data ---------------------------------------------------------------------------------------------


def test_sample_data_of_jawa_barat_uses_its_own_units_and_raises_every_flag(jawa_barat_store):
    perjanjian = jawa_barat_store.table("perjanjian")
    assert set(perjanjian["kabkota"]) == set(reference.REGIONS)  # the government and all 27 kab/kota
    text = " ".join(perjanjian[["judul", "opd_pelaksana", "penandatangan"]].fillna("").astype(str).agg(" ".join, axis=1))
    for banten in ("Banten", "Lebak", "Pandeglang", "Cilegon", "Tangerang", "Serang"):
        assert banten not in text
    assert "Nota Kesepahaman antara Kota Bekasi dan" in text and "Gubernur Jawa Barat" in text
    flags = flags_for(jawa_barat_store, AS_OF, load_rules())
    raised = flags.groupby("id_perjanjian")["code"].agg(lambda codes: sorted(set(codes))).to_dict()
    assert raised == {k: sorted(v) for k, v in expected_flags().items() if v}
    assert set(flags["code"]) == set(FLAG_CODES) - {"no_signed_document"}


def test_sample_data_is_refused_in_the_national_scope(tmp_path):
    with configured_province("nasional"), pytest.raises(DemoError, match="hanya tersedia untuk satu provinsi"):
        demo_tables(AS_OF)


# --- the national map (the national view reuses it) --------------------------------------------------------


def test_national_map_colours_each_province_by_all_its_active_agreements():
    import pandas as pd

    regions = pd.DataFrame({"kabkota_kode": ["32", "32.75", "32.01", "36.74"],
                            "skor_rata_rata": [80.0, 60.0, None, 90.0], "jumlah_aktif": [1, 3, 0, 2],
                            "peringkat": [None, 1, None, 1]})
    with configured_province("nasional"):
        fig = charts.score_map(regions)
    scored, unscored, dots = fig.data
    assert dict(zip(scored.locations, scored.z, strict=True)) == {"32": 65.0, "36": 90.0}  # (80 + 3 × 60) / 4
    assert len(unscored.locations) == 36 and "32" not in unscored.locations
    features = {f["properties"]["kode"]: f for f in charts.provinces_geojson()["features"]}
    assert sorted(dots.customdata) == sorted(features) == sorted(reference.province_names())
    for code, lon, lat in zip(dots.customdata, dots.lon, dots.lat, strict=True):
        assert _contains(features[code], (lon, lat)), code
    assert charts.MAP_ATTRIBUTION in " ".join(a.text for a in fig.layout.annotations)


def test_mail_and_calendar_name_the_configured_government():
    from ksln_metrics.reminders import ical
    from ksln_metrics.reminders.mail import MailSettingsError, SmtpSettings, message_text

    with configured_province("32"):
        assert SmtpSettings.from_env(env={}).sender == "ksln-monitor@jabarprov.go.id"
        assert ical.prodid() == "-//Pemerintah Provinsi Jawa Barat//KSLN Monitor//ID"
        assert ical.calendar_name(None) == "Kalender KSLN — semua unit Provinsi Jawa Barat"
        assert ical.calendar_file_name(None, AS_OF) == "kalender_ksln_jawa_barat_2026-06-30.ics"
        assert "Biro Pemerintahan Sekretariat Daerah Provinsi Jawa Barat" in message_text("32.75", [], AS_OF)
    with configured_province("11"):  # no mail domain listed for Aceh: the sender must be set
        with pytest.raises(MailSettingsError, match="KSLN_SMTP_FROM"):
            SmtpSettings.from_env(env={})
        assert SmtpSettings.from_env(env={"KSLN_SMTP_FROM": "ksln@acehprov.go.id"}).sender == "ksln@acehprov.go.id"
        assert ical.uid_domain() == "ksln-monitor.provinsi-11.invalid"


def test_no_code_names_banten_outside_the_sample_data():
    """Texts come from the scope: no string in the code names the default province (docstrings and comments
    may use it as an example; the sample catalogue is written for it)."""
    import ast

    from ksln_metrics.paths import PROJECT_ROOT

    files = [f for d in ("ksln_metrics", "ksln_ui", "pages") for f in (PROJECT_ROOT / d).rglob("*.py")]
    files += [PROJECT_ROOT / "dashboard.py", PROJECT_ROOT / "app.py"]
    found = []
    for path in files:
        if "sample" in path.relative_to(PROJECT_ROOT).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                    and any(word in node.value.lower() for word in ("banten", "lebak", "pandeglang", "cilegon"))):
                found.append(f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert found == []


def test_the_reading_worker_follows_a_change_of_scope_in_the_same_process():
    """Files are read in a long-lived child process: the scope travels with each file."""
    content = simple_agreement_xlsx(_rows("Kota Bekasi"))
    with configured_province("32"):
        assert read_upload("a.xlsx", content).regions == {"32.75"}
    refused = read_upload("a.xlsx", content)
    assert [p.message for p in refused.problems if p.is_error] == [
        "nilai 'Kota Bekasi' tidak dapat dibaca: 'Kota Bekasi' adalah Kota Bekasi (32.75) di Provinsi Jawa Barat, "
        "bukan Provinsi Banten; basis data ini hanya memuat unit Provinsi Banten"]
