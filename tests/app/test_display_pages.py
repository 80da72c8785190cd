"""Status Data, the row-level upload preview, the reference date with its change, and filters per role/page."""

from datetime import date

import pytest

from ksln_metrics.engine.collection import collection_status, unit_statuses
from ksln_metrics.engine.indicators import Filters, compute
from ksln_metrics.engine.overview import headline
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.store import Store
from tests.app.pages_support import login, open_page, table_with
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_status_data_page_lists_every_unit_as_the_engine_computes_it(demo_db):
    with Store(demo_db) as store:
        units = unit_statuses(collection_status(store, date.today()))
    app = open_page("status_data")
    assert not app.exception
    shown = table_with(app, "Tidak dapat dinilai")
    assert len(shown) == 9
    lebak = shown.set_index("Daerah").loc["Kabupaten Lebak"]
    expected = next(u for u in units if u.kabkota == "36.02")
    assert lebak["Tidak dapat dinilai"] == ("; ".join(expected.unjudgeable) or "semua dapat dinilai")
    assert "Pengumpulan data" in app.info[0].value


def test_ringkasan_has_the_one_line_status_and_the_change_since_an_earlier_date(demo_db):
    app = login()
    assert not app.exception
    assert any(c.value.startswith("Pengumpulan data") for c in app.caption)
    app.toggle(key="ringkasan_banding").set_value(True).run()
    earlier = date(date.today().year - 3, 12, 31)
    app.date_input(key="ringkasan_banding_tanggal").set_value(earlier).run()
    assert not app.exception
    with Store(demo_db) as store:
        now = headline(compute(store, date.today(), load_rules(), Filters()))
        then = headline(compute(store, earlier, load_rules(), Filters()))
    metric = {m.label: m for m in app.metric}["Perjanjian aktif"]
    step = now.active - then.active
    mark = "▲" if step > 0 else ("▼" if step < 0 else "=")
    assert metric.proto.delta == f"{mark} {abs(step)} sejak 31 Desember {earlier.year}"


def test_any_reference_date_is_used_for_every_figure(demo_db):
    app = login()
    app.segmented_control(key="filter_acuan").set_value("Tanggal").run()
    app.date_input(key="filter_tanggal").set_value(date(2025, 6, 30)).run()
    assert not app.exception
    assert "30 Juni 2025" in " ".join(c.value for c in app.caption)
    with Store(demo_db) as store:
        then = headline(compute(store, date(2025, 6, 30), load_rules(), Filters()))
    assert {m.label: m.value for m in app.metric}["Perjanjian aktif"] == str(then.active)


def test_a_unit_analyst_starts_on_their_own_unit_and_admin_pages_have_no_filters(demo_db):
    analyst = login("analis.lebak")
    assert not analyst.exception
    assert analyst.session_state["filter_kabkota"] == ["36.02"]
    admin = login("admin")
    assert admin.multiselect(key="filter_kabkota").value == []
    admin.switch_page("pages/halaman_audit.py").run()
    assert not admin.exception
    assert not [w for w in admin.sidebar.multiselect if w.key == "filter_kabkota"]
    admin.switch_page("pages/halaman_peringatan.py").run()
    assert [w for w in admin.sidebar.multiselect if w.key == "filter_kabkota"]


@pytest.mark.parametrize("who", ["analis.lebak"])
def test_upload_preview_shows_new_rows_and_changed_cells_before_saving(demo_db, who):
    with Store(demo_db) as store:
        existing = store.query("SELECT * FROM perjanjian WHERE kabkota = '36.02' ORDER BY id_perjanjian LIMIT 1").iloc[0]
    rows = [
        agreement(**{"ID Perjanjian": existing["id_perjanjian"], "Judul Perjanjian": existing["judul"],
                     "Mitra": existing["mitra"], "Status": "selesai"}),
        agreement(**{"ID Perjanjian": "LBK-BARU-01", "Judul Perjanjian": "Kerja Sama Baru"}),
    ]
    app = open_page("unggah_data", who)
    app.file_uploader(key="unggah_berkas").upload("lebak.xlsx", simple_agreement_xlsx(rows), XLSX)
    app.run()
    app.button(key="unggah_periksa").click().run()
    assert not app.exception and not app.error
    assert [e.label for e in app.expander][0] == "lebak.xlsx · Perjanjian: 1 baris baru, 1 baris diubah"
    frames = [df.value for df in app.dataframe if "ID Perjanjian" in df.value.columns]
    changed = next(f for f in frames if f["ID Perjanjian"].tolist() == [existing["id_perjanjian"]])
    assert changed.iloc[0]["ID Perjanjian"] == existing["id_perjanjian"]
    assert changed.iloc[0]["Status"] == f"{existing['status']} → selesai"
    assert all("→" in cell for cell in changed.drop(columns=["ID Perjanjian"]).iloc[0] if cell)
    assert any(f["ID Perjanjian"].tolist() == ["LBK-BARU-01"] for f in frames)
    with Store(demo_db) as store:  # nothing was written by checking
        assert store.query("SELECT count(*) AS n FROM perjanjian WHERE id_perjanjian = 'LBK-BARU-01'")["n"].iloc[0] == 0
