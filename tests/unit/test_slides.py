"""The rakor slides as data: order, one slide per region shown, the engine's numbers, follow-ups from flags."""

from datetime import date

import pandas as pd

from ksln_metrics.engine.indicators import Filters, compute
from ksln_metrics.engine.overview import headline
from ksln_metrics.engine.rules import FLAG_CODES, FLAG_FOLLOW_UPS
from ksln_metrics.formatting import format_number_id
from ksln_metrics.present.slides import (
    FIXED_KINDS,
    MAX_TABLE_ROWS,
    MEETING_NAME,
    build_slides,
    league_frame,
    scope_text,
)
from ksln_metrics.reference import region_name
from ksln_metrics.store import Store
from tests.unit.builders import build_store, perjanjian
from tests.unit.conftest import MEETING_AS_OF


def by_kind(slides, kind):
    return [s for s in slides if s.kind == kind]


def test_fixed_slides_in_order_with_one_slide_per_region_between(meeting_slides, meeting_results):
    kinds = [s.kind for s in meeting_slides]
    regions = list(meeting_results.regions["kabkota_kode"])
    assert kinds == [*FIXED_KINDS[:5], *["daerah"] * len(regions), *FIXED_KINDS[5:]]
    assert [s.region for s in by_kind(meeting_slides, "daerah")] == sorted(regions, key=lambda c: (c != "36", c))
    assert len(meeting_slides) == len(FIXED_KINDS) + 9
    for slide in meeting_slides:
        assert slide.title and slide.notes, slide.kind


def test_title_slide_names_meeting_dates_scope_and_sample_data(meeting_slides):
    title = meeting_slides[0]
    assert title.title == MEETING_NAME
    texts = [b.text for b in title.bullets]
    assert "Data per tanggal acuan: 28 November 2026" in texts
    assert "Tanggal rapat: 28 November 2026" in texts
    assert any(t.startswith("Data contoh") for t in texts)


def test_overview_numbers_are_the_engine_numbers(meeting_slides, meeting_results):
    numbers = headline(meeting_results)
    texts = [b.text for b in by_kind(meeting_slides, "ringkasan")[0].bullets]
    assert f"{numbers.signed} perjanjian ditandatangani per tanggal acuan, {numbers.active} aktif" in texts
    assert numbers.signed == int(meeting_results.agreements["ditandatangani"].sum())
    assert f"Skor rata-rata perjanjian aktif: {format_number_id(numbers.mean_score)} dari 100" in texts
    assert by_kind(meeting_slides, "ringkasan")[0].figure.data[0].type == "choropleth"
    assert by_kind(meeting_slides, "negara")[0].figure.data[0].locationmode == "ISO-3"


def test_league_table_has_every_region_with_its_score(meeting_slides, meeting_results):
    table = by_kind(meeting_slides, "klasemen")[0].table
    assert len(table) == len(meeting_results.regions)
    for row in meeting_results.regions.itertuples(index=False):
        shown = table[table["Kab/Kota"] == region_name(row.kabkota_kode)].iloc[0]
        assert shown["Skor rata-rata"] == format_number_id(row.skor_rata_rata)
        assert shown["Peringkat"] == (str(int(row.peringkat)) if pd.notna(row.peringkat) else "–")
    assert list(table["Peringkat"][:3]) == ["1", "2", "3"]


def test_region_slide_has_score_components_agreements_reasons_and_follow_ups(meeting_slides, meeting_results):
    slide = next(s for s in meeting_slides if s.region == "36.03")
    region = meeting_results.regions.set_index("kabkota_kode").loc["36.03"]
    assert slide.title == "Kabupaten Tangerang"
    assert format_number_id(region["skor_rata_rata"]) in slide.subtitle
    assert f"peringkat {int(region['peringkat'])} dari 8" in slide.subtitle
    texts = [b.text for b in slide.bullets]
    assert any(t.startswith("Komponen skor: Kepatuhan ") for t in texts)
    own = meeting_results.agreements[meeting_results.agreements["kabkota_kode"] == "36.03"]
    assert list(slide.table["ID"]) == list(own["id_perjanjian"])
    # Every flag of the unit: its reason in the notes and a follow-up on the slide.
    flags = meeting_results.flags[meeting_results.flags["kabkota_kode"] == "36.03"]
    assert len(flags)
    for flag in flags.itertuples(index=False):
        assert flag.reason in slide.notes
    assert any(t.startswith("Ajukan persetujuan DPRD untuk ") and "CONTOH-3603-01" in t for t in texts)
    assert [b.level for b in slide.bullets if b.text.startswith("Ajukan")] == [1]


def test_every_flag_has_a_follow_up_sentence():
    assert set(FLAG_FOLLOW_UPS) == set(FLAG_CODES)
    assert all("{items}" in text for text in FLAG_FOLLOW_UPS.values())


def test_expiring_and_report_slides_list_the_flagged_agreements(meeting_slides, meeting_results):
    flags = meeting_results.flags
    expiring = by_kind(meeting_slides, "berakhir")[0].table
    assert len(expiring) == flags["code"].isin(["expiring_soon", "expired"]).sum()
    reports = by_kind(meeting_slides, "laporan")[0].table
    assert len(reports) == flags["code"].isin(["missing_report", "late_report"]).sum()
    assert reports["Keadaan"].iloc[0] == "Laporan belum masuk"  # missing before late


def test_filters_choose_the_region_slides(meeting_db, meeting_rules):
    filters = Filters(kabkota=("36.02", "36.74"))
    with Store(meeting_db) as store:
        results = compute(store, MEETING_AS_OF, meeting_rules, filters)
    slides = build_slides(results, MEETING_AS_OF, filters, meeting_rules)
    assert [s.title for s in by_kind(slides, "daerah")] == ["Kabupaten Lebak", "Kota Tangerang Selatan"]
    assert "Kabupaten Lebak, Kota Tangerang Selatan" in slides[0].bullets[2].text
    assert len(league_frame(results)) == 2


def test_empty_store_still_makes_every_fixed_slide(tmp_path, meeting_rules):
    store = build_store(tmp_path / "kosong.duckdb", [])
    results = compute(store, date(2025, 6, 30), meeting_rules)
    store.close()
    slides = build_slides(results, date(2025, 6, 30), rules=meeting_rules)
    assert [s.kind for s in slides if s.kind != "daerah"] == list(FIXED_KINDS)
    assert by_kind(slides, "daerah")[1].bullets[0].text.startswith("Belum ada perjanjian")


def test_long_lists_are_cut_on_the_slide(tmp_path, meeting_rules):
    rows = [perjanjian(f"P{i:02d}", tanggal_persetujuan_dprd=None, tanggal_berakhir=date(2025, 8, 1))
            for i in range(MAX_TABLE_ROWS + 3)]
    store = build_store(tmp_path / "banyak.duckdb", rows)
    results = compute(store, date(2025, 6, 30), meeting_rules)
    store.close()
    slides = build_slides(results, date(2025, 6, 30), rules=meeting_rules)
    region = next(s for s in slides if s.region == "36.01")
    assert len(region.table) == MAX_TABLE_ROWS
    assert any(b.text.startswith(f"Tabel menampilkan {MAX_TABLE_ROWS} dari {MAX_TABLE_ROWS + 3}")
               for b in region.bullets)
    assert len(by_kind(slides, "berakhir")[0].table) == MAX_TABLE_ROWS


def test_scope_text_names_every_filter():
    assert scope_text(Filters()) == "Semua kab/kota; semua jenis; semua negara mitra"
    assert scope_text(Filters(jenis=("KSDPL",), negara=("JPN",))) == (
        "Semua kab/kota; jenis: KSDPL; negara mitra: Jepang")


def test_a_deck_builds_its_lookups_once_and_its_region_slides_equal_one_region_slide_alone(meeting_results,
                                                                                         monkeypatch):
    # At national scale (500 regions, 20,000 agreements) building the ID lookup once per region took minutes.
    from ksln_metrics.present import slides as module

    built = []
    real = module._agreements_by_id
    monkeypatch.setattr(module, "_agreements_by_id", lambda results: built.append(1) or real(results))
    deck = build_slides(meeting_results, MEETING_AS_OF, Filters())
    assert len(built) == 1
    monkeypatch.setattr(module, "_agreements_by_id", real)
    for slide in by_kind(deck, "daerah"):
        alone = module.region_slide(meeting_results, slide.region, MEETING_AS_OF)
        assert (slide.title, slide.subtitle, slide.bullets, slide.notes) == (
            alone.title, alone.subtitle, alone.bullets, alone.notes)
        assert (slide.table is None) == (alone.table is None)
        if slide.table is not None:
            pd.testing.assert_frame_equal(slide.table, alone.table)
