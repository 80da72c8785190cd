"""The national store: two provinces' full dumps ingested into one national store.

Banten is the demo store; Jawa Barat is a small store built from a real workbook through the
importer. Both use the agreement id ``CONTOH-3601-01``: the national store keeps them apart.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ksln_metrics import reference as ref
from ksln_metrics.cli import main
from ksln_metrics.engine.indicators import Results, compute
from ksln_metrics.engine.overview import flag_totals
from ksln_metrics.engine.rules import DEFAULT_RULES, FLAG_CODES, load_rules
from ksln_metrics.formatting import format_number_id
from ksln_metrics.national import national_id, read_dump
from ksln_metrics.store import Store
from tests.unit.national_stores import AS_OF, SHARED_ID, dump, province_stores

RULES = load_rules(DEFAULT_RULES)

FIGURES = ["jumlah_perjanjian", "jumlah_aktif", "jumlah_ditandatangani", "skor_rata_rata", "laporan_wajib",
           "laporan_tepat_waktu", "tepat_waktu_persen"]
UNIT_FIGURES = FIGURES + ["skor_kepatuhan", "skor_tindak_lanjut", "skor_capaian", "skor_pelaporan",
                          *(f"jumlah_{c}" for c in FLAG_CODES)]


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    """A Banten store (demo data) and a Jawa Barat store (a real workbook through the importer)."""
    return province_stores(tmp_path_factory.mktemp("provinsi"))


@pytest.fixture(scope="module")
def dumps(stores, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dump")
    return {code: dump(db, code, folder / f"{code}.zip") for code, db in stores.items()}


@pytest.fixture(scope="module")
def national_db(dumps, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nasional") / "nasional.duckdb"
    with ref.use_scope("nasional"):
        assert main(["impor-nasional", str(dumps["36"]), str(dumps["32"]), "--db", str(path)]) == 0
    return path


def own_results(db: Path, province: str) -> Results:
    with ref.use_scope(province), Store(db) as store:
        return compute(store, AS_OF, RULES)


def national_results(db: Path) -> Results:
    with ref.use_scope("nasional"), Store(db) as store:
        return compute(store, AS_OF, RULES)


@pytest.mark.parametrize("province", ["36", "32"])
def test_per_province_figures_equal_each_provinces_own(stores, national_db, province):
    own = own_results(stores[province], province)
    nation = national_results(national_db)
    together = nation.provinces.set_index("provinsi_kode").loc[province]
    summary = own.summary.iloc[0]
    for column in FIGURES:
        assert together[column] == summary[column], column
    totals = flag_totals(own.regions).set_index("code")["jumlah"]
    assert {c: int(together[f"jumlah_{c}"]) for c in FLAG_CODES} == totals.to_dict()

    # Each unit on its own: the same figures, the rank among the province's own kab/kota.
    mine = own.regions.set_index("kabkota_kode")
    theirs = nation.regions.set_index("kabkota_kode").loc[mine.index]
    pd.testing.assert_frame_equal(theirs[UNIT_FIGURES], mine[UNIT_FIGURES], check_dtype=False)
    assert theirs["peringkat_provinsi"].tolist() == mine["peringkat"].tolist()

    # And each agreement, under its national id.
    scores = own.agreements.set_index("id_perjanjian")[["skor", "flags"]]
    national = nation.agreements.set_index("id_perjanjian").loc[[national_id(province, i) for i in scores.index]]
    assert national["skor"].tolist() == pytest.approx(scores["skor"].tolist(), nan_ok=True)
    assert national["flags"].tolist() == scores["flags"].tolist()


def test_the_league_of_provinces_ranks_by_mean_score_and_lists_every_province(national_db):
    provinces = national_results(national_db).provinces
    assert len(provinces) == len(ref.province_names()) == 38
    scored = provinces[provinces["skor_rata_rata"].notna()].sort_values("peringkat")
    assert set(scored["provinsi_kode"]) == {"36", "32"}
    assert scored["skor_rata_rata"].is_monotonic_decreasing and scored["peringkat"].tolist() == [1, 2]
    empty = provinces.set_index("provinsi_kode").loc["11"]
    assert empty["jumlah_perjanjian"] == 0 and pd.isna(empty["peringkat"]) and empty["jumlah_kabkota"] == 23
    jabar = provinces.set_index("provinsi_kode").loc["32"]
    assert (jabar["jumlah_perjanjian"], jabar["jumlah_perjanjian_pemprov"], jabar["jumlah_kabkota_berperjanjian"]) == (
        3, 1, 2)


def test_the_same_id_in_two_provinces_stays_two_agreements(national_db):
    with ref.use_scope("nasional"), Store(national_db) as store:
        rows = store.query("SELECT id_perjanjian, kabkota FROM perjanjian WHERE id_perjanjian LIKE ? ORDER BY 1",
                           [f"%{SHARED_ID}"])
    assert rows.values.tolist() == [[f"32:{SHARED_ID}", "32.75"], [f"36:{SHARED_ID}", "36.01"]]


def test_reingesting_updates_instead_of_duplicating(stores, dumps, tmp_path):
    national = tmp_path / "nasional.duckdb"
    with ref.use_scope("nasional"):
        assert main(["impor-nasional", str(dumps["36"]), "--db", str(national)]) == 0
        with Store(national) as store:
            before = {t: len(store.table(t)) for t in ("perjanjian", "kegiatan", "indikator", "laporan")}
        # The same dump again: nothing changes, no batch.
        assert main(["impor-nasional", str(dumps["36"]), "--db", str(national)]) == 0
        with Store(national) as store:
            assert {t: len(store.table(t)) for t in before} == before
            assert len(store.batches()) == 1

    # Banten changes one agreement and withdraws Pandeglang's data; its new dump updates the national store.
    banten = tmp_path / "banten.duckdb"
    banten.write_bytes(stores["36"].read_bytes())
    with ref.use_scope("36"), Store(banten) as store:
        row = store.table("perjanjian").query("id_perjanjian == 'CONTOH-3602-01'")
        store.commit({"perjanjian": row.assign(mitra="Mitra Baru")}, user="analis.banten")
        pandeglang = store.batches().query("file_name == 'data contoh Kabupaten Pandeglang'")["batch_id"].iloc[0]
        store.rollback(int(pandeglang), user="analis.banten")
        remaining = {t: len(store.table(t)) for t in before}
    second = dump(banten, "36", tmp_path / "banten-2.zip")
    with ref.use_scope("nasional"):
        assert main(["impor-nasional", str(second), "--db", str(national)]) == 0
        with Store(national) as store:
            assert {t: len(store.table(t)) for t in before} == remaining
            assert store.query("SELECT mitra FROM perjanjian WHERE id_perjanjian = '36:CONTOH-3602-01'")["mitra"].iloc[
                0] == "Mitra Baru"
            assert not (store.table("perjanjian")["kabkota"] == "36.01").any()
            last = store.batches().iloc[0]
            assert (last["updated_rows"], last["deleted_rows"]) == (1, before["perjanjian"] - remaining["perjanjian"]
                                                                    + sum(before[t] - remaining[t] for t in
                                                                          ("kegiatan", "indikator", "laporan")))
            # The national batch can be rolled back like any other: Pandeglang is back.
            store.rollback(int(last["batch_id"]), user="admin")
            assert {t: len(store.table(t)) for t in before} == before


def test_ingesting_leaves_other_provinces_alone(stores, dumps, national_db, tmp_path):
    national = tmp_path / "nasional.duckdb"
    national.write_bytes(national_db.read_bytes())
    with ref.use_scope("nasional"):
        with Store(national) as store:
            jabar_before = store.query("SELECT * FROM perjanjian WHERE starts_with(kabkota, '32') ORDER BY 1")
        assert main(["impor-nasional", str(dumps["36"]), "--db", str(national)]) == 0
        with Store(national) as store:
            jabar_after = store.query("SELECT * FROM perjanjian WHERE starts_with(kabkota, '32') ORDER BY 1")
    pd.testing.assert_frame_equal(jabar_after, jabar_before)


def test_a_dump_from_the_national_store_gives_the_provinces_own_ids(national_db, dumps, tmp_path):
    out = tmp_path / "jabar-dari-nasional.zip"
    with ref.use_scope("nasional"):
        assert main(["dump", "--db", str(national_db), "--provinsi", "32", "--out", str(out)]) == 0
        again = read_dump(out.name, out.read_bytes())
        original = read_dump(dumps["32"].name, dumps["32"].read_bytes())
    assert again.ok and again.province == "32"
    for table, frame in original.tables.items():
        pd.testing.assert_frame_equal(again.tables[table], frame, check_dtype=False)


# --- refusals ------------------------------------------------------------------------------------


def _rewritten(content: bytes, table: str, change) -> bytes:
    """The dump with one table changed by ``change(DataFrame)``, its manifest made consistent again."""
    source = zipfile.ZipFile(io.BytesIO(content))
    manifest = json.loads(source.read("manifest.json"))
    frame = pq.read_table(io.BytesIO(source.read(f"{table}.parquet"))).to_pandas()
    part = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(change(frame), preserve_index=False), part)
    manifest["tables"][table]["sha256"] = hashlib.sha256(part.getvalue()).hexdigest()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename == "manifest.json":
                target.writestr(info.filename, json.dumps(manifest))
            elif info.filename == f"{table}.parquet":
                target.writestr(info.filename, part.getvalue())
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def test_a_foreign_unit_and_an_unknown_status_are_refused_with_row_and_column(dumps):
    content = dumps["36"].read_bytes()

    def spoil(frame):
        frame.loc[2, "kabkota"] = "32.01"
        frame.loc[4, "status"] = "aktif sekali"
        return frame

    with ref.use_scope("nasional"):
        upload = read_dump("banten.zip", _rewritten(content, "perjanjian", spoil))
    lines = [p.line() for p in upload.errors]
    assert not upload.ok and not upload.tables
    assert ("banten.zip:perjanjian:3:kabkota: Kabupaten Bogor (32.01) bukan unit Provinsi Banten: berkas ekspor satu "
            "provinsi hanya memuat data provinsi itu") in lines
    assert any(line.startswith("banten.zip:perjanjian:5:status: nilai 'aktif sekali' tidak dikenal") for line in lines)


def test_a_child_row_of_an_agreement_not_in_the_dump_is_refused(dumps):
    def orphan(frame):
        frame.loc[0, "id_perjanjian"] = "TIDAK-ADA"
        return frame

    with ref.use_scope("nasional"):
        upload = read_dump("banten.zip", _rewritten(dumps["36"].read_bytes(), "kegiatan", orphan))
    assert [p.line() for p in upload.errors] == [
        "banten.zip:kegiatan:1:id_perjanjian: perjanjian 'TIDAK-ADA' tidak ada di tabel perjanjian berkas ini"]


def test_damaged_or_foreign_files_are_refused_and_nothing_is_written(dumps, tmp_path, capsys):
    content = dumps["36"].read_bytes()
    tampered = bytearray(content)
    start = content.index(b"perjanjian.parquet") + 40  # inside the stored table, past its local header
    tampered[start] ^= 0xFF
    cases = {
        "bukan.zip": (b"ID;Judul\n1;x\n", "bukan berkas zip"),
        "rusak.zip": (bytes(tampered), "rusak"),
        "kosong.zip": (_zip({"catatan.txt": b"halo"}), "manifest.json tidak ada"),
    }
    national = tmp_path / "nasional.duckdb"
    with ref.use_scope("nasional"):
        for name, (data, expected) in cases.items():
            path = tmp_path / name
            path.write_bytes(data)
            assert main(["impor-nasional", str(path), str(dumps["32"]), "--db", str(national)]) == 1
            err = capsys.readouterr().err
            assert f"{name}:" in err and expected in err and "Traceback" not in err
            assert "Tidak ada yang disimpan" in err
        with Store(national) as store:
            assert store.is_empty() and store.batches().empty  # the good Jawa Barat file waited for the bad one


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_impor_nasional_needs_the_national_scope(dumps, stores, national_db, tmp_path, capsys):
    with ref.use_scope("36"):
        assert main(["impor-nasional", str(dumps["32"]), "--db", str(tmp_path / "x.duckdb")]) == 2
    assert "KSLN_PROVINSI=nasional" in capsys.readouterr().err
    with ref.use_scope("nasional"):
        assert main(["dump", "--db", str(national_db), "--out", str(tmp_path / "x.zip")]) == 1
        assert "--provinsi" in capsys.readouterr().err
        # A province's own store belongs to that province: the national setting does not open it.
        assert main(["dump", "--db", str(stores["36"]), "--out", str(tmp_path / "y.zip")]) == 1
    assert "berisi data Provinsi Banten" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "y.zip").exists()


def test_an_analyst_of_another_province_may_not_ingest_it(dumps, tmp_path, capsys):
    from ksln_metrics.accounts.users import create_account

    national = tmp_path / "nasional.duckdb"
    with ref.use_scope("nasional"):
        with Store(national) as store:
            create_account(store, "analis.jabar", "analis", "sandi-jabar-panjang", kabkota="32", by="pengujian")
        assert main(["impor-nasional", str(dumps["36"]), "--user", "analis.jabar", "--db", str(national)]) == 1
        assert "hanya boleh mengubah data 32" in capsys.readouterr().err
        assert main(["impor-nasional", str(dumps["32"]), "--user", "analis.jabar", "--db", str(national)]) == 0
        with Store(national) as store:
            assert set(store.table("perjanjian")["kabkota"].map(ref.province_of)) == {"32"}


# --- the national figures in the exports and the rakor deck ---------------------------------------


def test_export_per_province_has_the_leagues_figures(national_db, capsys):
    with ref.use_scope("nasional"):
        assert main(["export", "--db", str(national_db), "--level", "provinsi", "--as-of", AS_OF.isoformat(),
                     "--format", "json"]) == 0
        provinces = national_results(national_db).provinces.set_index("provinsi_kode")
    rows = {row["provinsi_kode"]: row for row in json.loads(capsys.readouterr().out)}
    assert len(rows) == 38
    for code in ("36", "32"):
        assert rows[code]["skor_rata_rata"] == provinces.loc[code, "skor_rata_rata"]
        assert rows[code]["peringkat"] == provinces.loc[code, "peringkat"]
        assert rows[code]["jumlah_stalled"] == provinces.loc[code, "jumlah_stalled"]
    assert rows["11"]["jumlah_perjanjian"] == 0 and rows["11"]["peringkat"] is None


def test_the_national_deck_has_the_map_the_league_of_provinces_and_one_slide_per_province(national_db, tmp_path):
    from ksln_metrics.present.slides import build_slides

    with ref.use_scope("nasional"):
        results = national_results(national_db)
        slides = build_slides(results, AS_OF, rules=RULES, sample_data=True)
        out = tmp_path / "rakor-nasional.html"
        assert main(["report", "--db", str(national_db), "--as-of", AS_OF.isoformat(), "--out", str(out)]) == 0
    kinds = [s.kind for s in slides]
    assert kinds.count("provinsi") == 2 and "daerah" not in kinds
    overview = slides[kinds.index("ringkasan")]
    assert overview.title == "Gambaran nasional"
    assert {f"{t.locations[0]}" for t in overview.figure.data if t.locations} <= set(ref.province_names())
    league = slides[kinds.index("klasemen")].table
    ranked = results.provinces.dropna(subset=["peringkat"]).sort_values("peringkat")
    assert league["Provinsi"].tolist() == ranked["provinsi_nama"].tolist() and len(league) == 2
    assert league["Peringkat"].tolist() == ["1", "2"]
    jabar = next(s for s in slides if s.kind == "provinsi" and s.region == "32")
    assert jabar.title == "Provinsi Jawa Barat"
    assert set(jabar.table["Kab/Kota"]) == {"Provinsi Jawa Barat", "Kabupaten Bogor", "Kota Bekasi"}
    assert "Gambaran nasional" in out.read_text(encoding="utf-8")


def test_control_characters_in_a_dump_are_removed_with_a_warning(dumps):
    def hostile(frame):
        frame.loc[1, "judul"] = "Kerja sama \u202eatad\u202c dan \x01 lainnya"
        return frame

    with ref.use_scope("nasional"):
        upload = read_dump("banten.zip", _rewritten(dumps["36"].read_bytes(), "perjanjian", hostile))
    assert upload.ok
    assert [p.line() for p in upload.problems] == ["banten.zip:perjanjian:2:judul: peringatan: karakter kendali dihapus"]
    assert upload.tables["perjanjian"].loc[1, "judul"] == "Kerja sama atad dan  lainnya"


def test_the_methodology_explains_the_figures_per_province_in_the_national_view():
    from ksln_metrics.present.methodology import methodology_markdown

    with ref.use_scope("nasional"):
        national = methodology_markdown(RULES, AS_OF)
    with ref.use_scope("36"):
        banten = methodology_markdown(RULES, AS_OF)
    assert "## Angka per provinsi (tampilan nasional)" in national and "Peringkat provinsi" in national
    assert "Angka per provinsi" not in banten


def test_the_workbook_of_the_national_view_has_a_sheet_of_provinces(national_db):
    import openpyxl

    from ksln_metrics.present.export import indicators_xlsx

    with ref.use_scope("nasional"):
        results = national_results(national_db)
        book = openpyxl.load_workbook(io.BytesIO(indicators_xlsx(results, AS_OF)))
    sheet = book["Provinsi"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    best = results.provinces.sort_values("peringkat").iloc[0]
    assert (first["Peringkat"], first["Provinsi"], first["Skor rata-rata"]) == (1, best["provinsi_nama"],
                                                                                best["skor_rata_rata"])
    assert sheet.max_row == 1 + 38


def scored_scores(provinces: pd.DataFrame) -> dict:
    return provinces.dropna(subset=["skor_rata_rata"]).set_index("provinsi_kode")["skor_rata_rata"].to_dict()


def test_the_national_map_colours_every_province_and_writes_the_scores_on_it(national_db):
    from ksln_metrics.present.charts import national_score_map

    with ref.use_scope("nasional"):
        provinces = national_results(national_db).provinces
    fig = national_score_map(provinces)
    shapes = [t for t in fig.data if t.type == "choropleth"]
    assert sorted(c for t in shapes for c in t.locations) == sorted(ref.province_names())
    scored = next(t for t in shapes if t.name == "Skor rata-rata")
    assert dict(zip(scored.locations, scored.z, strict=True)) == provinces.dropna(subset=["skor_rata_rata"]).set_index(
        "provinsi_kode")["skor_rata_rata"].to_dict()
    labels = next(t for t in fig.data if t.type == "scattergeo")
    written = {code: text for code, text in zip(labels.customdata, labels.text, strict=True) if text}
    assert written == {c: f"<b>{format_number_id(v)}</b>" for c, v in scored_scores(provinces).items()}


def test_two_files_of_one_province_in_one_import_are_refused(dumps, tmp_path, capsys):
    national = tmp_path / "nasional.duckdb"
    copy = tmp_path / "banten-lagi.zip"
    copy.write_bytes(dumps["36"].read_bytes())
    with ref.use_scope("nasional"):
        assert main(["impor-nasional", str(dumps["36"]), str(copy), "--db", str(national)]) == 1
        with Store(national) as store:
            assert store.is_empty()
    assert "banten-lagi.zip:-::-: provinsi 36 ada di lebih dari satu berkas" in capsys.readouterr().err


def test_a_year_out_of_the_plausible_range_is_refused(dumps):
    def mistyped(frame):
        frame.loc[0, "tahun_anggaran"] = 219
        return frame

    with ref.use_scope("nasional"):
        upload = read_dump("banten.zip", _rewritten(dumps["36"].read_bytes(), "laporan", mistyped))
    assert [p.line() for p in upload.errors] == [
        "banten.zip:laporan:1:tahun_anggaran: tahun 219 di luar rentang wajar 1945–2100"]
