"""Ringkasan through AppTest on the demo store: the engine's numbers, following the global filters."""

from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ksln_metrics.clock import today
from ksln_metrics.engine.indicators import Filters, compute
from ksln_metrics.engine.overview import attention_ranking
from ksln_metrics.engine.rules import load_rules
from ksln_metrics.formatting import format_number_id
from ksln_metrics.store import Store
from tests.app.pages_support import login

ROOT = Path(__file__).resolve().parents[2]


def expected(db: Path, filters: Filters | None = None) -> dict:
    """The headline numbers straight from the engine, computed before the app opens the file."""
    with Store(db) as store:
        results = compute(store, today(), load_rules(), filters)
    agreements = results.agreements
    active = agreements[agreements["aktif"]]
    due, on_time = agreements["laporan_wajib"].sum(), agreements["laporan_tepat_waktu"].sum()
    return {
        # Signed by the reference date: an agreement signed later, or not at all, is not counted.
        "Perjanjian": format_number_id(int(agreements["ditandatangani"].sum()), 0),
        "Perjanjian aktif": format_number_id(len(active), 0),
        "Skor rata-rata": format_number_id(round(active["skor"].mean(), 2)),
        "Laporan tepat waktu": f"{format_number_id(round(100 * on_time / due, 2))} %",
        "attention": attention_ranking(results, load_rules())["kabkota_nama"].tolist(),
        "points": attention_ranking(results, load_rules())["poin_teks"].tolist(),
        "reasons": attention_ranking(results, load_rules())["alasan"].tolist(),
        "flags": {code: int(results.regions[f"jumlah_{code}"].sum()) for code in results.flags["code"].unique()},
    }


def metrics(app: AppTest) -> dict:
    return {m.label: m.value for m in app.metric}


def start() -> AppTest:
    return login(timeout=120)


def test_ringkasan_is_the_default_page_and_shows_the_engine_numbers(demo_db):
    want = expected(demo_db)
    app = start()
    assert not app.exception
    assert app.title[0].value == "Ringkasan"
    assert "Data contoh" in app.warning[0].value
    assert metrics(app) == {k: want[k] for k in ("Perjanjian", "Perjanjian aktif", "Skor rata-rata",
                                                  "Laporan tepat waktu")}
    headings = [m.value for m in app.markdown if m.value.startswith("#### ")]
    assert headings == [f"#### {i}. {name}" for i, name in enumerate(want["attention"], start=1)]
    assert len(headings) == 3
    captions = [c.value for c in app.caption]
    assert [f"Poin perhatian: {p}" for p in want["points"]] == [c for c in captions if c.startswith("Poin perhatian")]
    assert any(c.startswith("Diurutkan menurut poin perhatian: (100 − skor rata-rata perjanjian aktif) + 10 poin")
               for c in captions)
    flag_buttons = {b.key.removeprefix("ringkasan_bendera_"): b.label for b in app.button
                    if b.key and b.key.startswith("ringkasan_bendera_")}
    assert {code: int(label.split(": ")[1].split()[0]) for code, label in flag_buttons.items()} == want["flags"]
    assert len(app.get("plotly_chart")) == 4


def test_the_kabkota_filter_changes_every_number(demo_db):
    want = expected(demo_db, Filters(kabkota=("36.02",)))
    app = start()
    everything = metrics(app)
    app.multiselect(key="filter_kabkota").select("36.02").run()
    assert not app.exception
    shown = metrics(app)
    assert shown == {k: want[k] for k in ("Perjanjian", "Perjanjian aktif", "Skor rata-rata", "Laporan tepat waktu")}
    assert shown["Perjanjian"] != everything["Perjanjian"]


def test_a_flag_button_opens_peringatan_filtered_on_that_flag(demo_db):
    app = start()
    app.button(key="ringkasan_bendera_stalled").click().run()
    assert not app.exception
    assert app.title[0].value == "Peringatan"
    assert app.multiselect(key="peringatan_filter_kode").value == ["stalled"]


def test_lihat_rincian_opens_the_unit_on_the_kabupaten_kota_page(demo_db):
    want = expected(demo_db)
    app = start()
    first = next(b for b in app.button if b.key and b.key.startswith("ringkasan_rinci_"))
    code = first.key.removeprefix("ringkasan_rinci_")
    first.click().run()
    assert not app.exception
    assert app.title[0].value == "Kabupaten/Kota"
    assert app.selectbox(key="kabkota_pilih").value == code
    assert want["attention"][0] in app.selectbox(key="kabkota_pilih").format_func(code)


def test_an_empty_store_says_so_without_an_error(tmp_path, monkeypatch):
    path = tmp_path / "kosong.duckdb"
    Store(path).close()
    monkeypatch.setenv("KSLN_DB", str(path))
    app = start()
    assert not app.exception
    assert "Belum ada perjanjian" in app.info[0].value
    assert not app.metric


def test_the_headline_follows_the_reference_year(demo_db):
    # Tahun acuan 2024: agreements signed in 2025-2026 are not counted, and the help says how many.
    app = start()
    app.selectbox(key="filter_tahun").set_value(2024).run()
    assert not app.exception
    with Store(demo_db) as store:
        results = compute(store, date(2024, 12, 31), load_rules())
    agreements = results.agreements
    signed = agreements["ditandatangani"].sum()
    later = (agreements["tanggal_ttd"] > "2024-12-31").sum()
    assert later > 0 and signed + later < len(agreements) + 1
    headline = next(m for m in app.metric if m.label == "Perjanjian")
    assert headline.value == format_number_id(int(signed), 0)
    assert f"{later} yang ditandatangani setelah tanggal acuan" in headline.help


def test_lowest_is_not_claimed_when_one_unit_is_in_view(demo_db):
    app = start()
    app.multiselect(key="filter_kabkota").select("36.02").run()
    assert not app.exception
    reasons = [m.value for m in app.markdown if m.value.startswith("Skor rata-rata")]
    assert reasons and not any("terendah" in r for r in reasons)
    everything = expected(demo_db)
    assert sum("(terendah)" in r for r in everything["reasons"]) <= 1
