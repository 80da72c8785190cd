"""Presentasi through AppTest on the demo store: every slide reachable, the counter, the global filters."""


from ksln_metrics.clock import today
from ksln_metrics.engine.indicators import Filters
from ksln_metrics.present.slides import FIXED_KINDS, build_slides
from tests.app.pages_support import expected_results, open_page


def counter(app) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("**") and " / " in m.value)


def button(app, key):
    return next(b for b in app.button if b.key == key)


def expected_titles(db, filters: Filters | None = None) -> list[str]:
    results = expected_results(db, filters=filters)
    return [s.title for s in build_slides(results, today(), filters)]


def test_next_and_previous_walk_through_every_slide(demo_db):
    titles = expected_titles(demo_db)
    assert len(titles) == len(FIXED_KINDS) + 9  # the province and the eight kab/kota
    app = open_page("presentasi")
    assert not app.exception
    seen = []
    for number in range(1, len(titles) + 1):
        assert counter(app) == f"**{number} / {len(titles)}**"
        seen.append(app.title[0].value)
        assert not app.exception
        if number < len(titles):
            app = button(app, "presentasi_berikutnya").click().run()
    assert seen == titles
    assert button(app, "presentasi_berikutnya").disabled
    for number in range(len(titles) - 1, 0, -1):
        app = button(app, "presentasi_sebelumnya").click().run()
        assert counter(app) == f"**{number} / {len(titles)}**"
        assert app.title[0].value == titles[number - 1]
    assert button(app, "presentasi_sebelumnya").disabled
    assert not app.exception


def test_the_kabkota_filter_decides_which_region_slides_are_shown(demo_db):
    filters = Filters(kabkota=("36.02", "36.72"))
    titles = expected_titles(demo_db, filters)
    assert [t for t in titles if t in ("Kabupaten Lebak", "Kota Cilegon", "Kota Serang")] == [
        "Kabupaten Lebak", "Kota Cilegon"]
    app = open_page("presentasi")
    app.session_state["filter_kabkota"] = ["36.02", "36.72"]
    app = app.run()
    assert counter(app) == f"**1 / {len(titles)}**"
    assert not app.exception


def test_title_slide_names_the_meeting_and_the_sample_data(demo_db):
    app = open_page("presentasi")
    assert app.title[0].value == "Rapat Koordinasi Kerja Sama Luar Negeri Provinsi Banten"
    body = "\n".join(m.value for m in app.markdown)
    assert "Data contoh" in body
    assert "Tanggal acuan" in body or "tanggal acuan" in body
