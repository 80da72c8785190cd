"""Metodologi through AppTest: the generated methodology with its table of contents, following the rules file."""

from ksln_metrics.engine.rules import FLAGS
from ksln_metrics.engine.rules_change import save_settings
from ksln_metrics.store import Store
from tests.app.pages_support import open_page


def test_methodology_shows_every_flag_with_the_current_settings(demo_db):
    app = open_page("metodologi")
    assert not app.exception
    assert app.title[0].value.startswith("Metodologi")
    subheaders = [s.value for s in app.subheader]
    # Components, flags and the attention ranking, named in Indonesian only (codes stay in exports).
    assert "Mangkrak" in subheaders and len(subheaders) == 4 + len(FLAGS) + 1
    assert "Kab/kota yang perlu perhatian" in subheaders
    assert not any("`" in s or "_" in s for s in subheaders)
    assert any("- [Istilah](#istilah)" in m.value for m in app.markdown)
    assert any("12 bulan" in m.value for m in app.markdown)
    with Store(demo_db) as store:
        save_settings({"ambang.mangkrak_bulan": 18}, "Budi", store=store)
    app.run()
    assert any("sekurang-kurangnya 18 bulan" in m.value for m in app.markdown)
