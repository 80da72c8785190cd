"""The store's meaning on both backends (DuckDB file, PostgreSQL): batches, history, rollback, state at a
batch, batch files, the access rule, migrations, StoreBusy, concurrent batches, the engine's copy."""

from __future__ import annotations

import gzip
import os
import threading
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from ksln_metrics.access import ANALIS, User
from ksln_metrics.db import PASSWORD_IN_URL, safe_location, to_pyformat
from ksln_metrics.db.engine_copy import ENGINE_TABLES
from ksln_metrics.db.migrations import DATA_WRITE_LOCK, latest_version
from ksln_metrics.engine.indicators import STORE_TABLES, compute
from ksln_metrics.store import AccessDenied, Store, StoreBusy, StoreError
from tests.unit.builders import frame, kegiatan, laporan, perjanjian

DATA = Path(__file__).resolve().parents[1] / "data"
AS_OF = date(2025, 3, 1)


def upload(store, rows, children=(), user="admin", regions=None, **kwargs):
    tables = {"perjanjian": frame("perjanjian", rows)}
    if children:
        tables["kegiatan"] = frame("kegiatan", list(children))
    return store.commit(tables, user=user, regions=regions or {r["kabkota"] for r in rows}, **kwargs)


def titles(store) -> dict[str, str]:
    return dict(store.table("perjanjian")[["id_perjanjian", "judul"]].itertuples(index=False))


def test_batches_history_rollback_state_at_and_files(store_location):
    with Store(store_location) as store:
        first = upload(store, [perjanjian("P1"), perjanjian("P2", kabkota="36.02")], [kegiatan("P1", "2024-05-01")],
                       file_name="awal.xlsx", content=b"\x00isi\xffberkas", sha256="abc")
        assert first.batch_id == 1 and first.changes["perjanjian"].new == 2
        second = upload(store, [perjanjian("P1", judul="Judul baru"), perjanjian("P3")], regions={"36.01"})
        assert (second.batch_id, second.changes["perjanjian"].updated, second.changes["perjanjian"].new) == (2, 1, 1)
        same = upload(store, [perjanjian("P1", judul="Judul baru")], regions={"36.01"})
        assert same.batch_id is None and same.changes["perjanjian"].unchanged == 1

        assert titles(store) == {"P1": "Judul baru", "P2": "Kerja sama P2", "P3": "Kerja sama P3"}
        assert set(store.state_at(1)["perjanjian"]["id_perjanjian"]) == {"P1", "P2"}
        assert store.state_at(1)["perjanjian"].set_index("id_perjanjian").loc["P1", "judul"] == "Kerja sama P1"
        assert store.batch_file(1) == ("awal.xlsx", b"\x00isi\xffberkas")
        assert store.batch_file(2) is None

        if store.dialect == "postgres":  # the staged rows do not stay in the pooled sessions
            temp = store.query("SELECT count(*) AS n FROM pg_class WHERE relpersistence = 't'")["n"].item()
            assert temp == 0
        undo = store.rollback(2, user="admin")
        assert undo.batch_id == 3 and undo.changes["perjanjian"].updated == 1 and undo.changes["perjanjian"].deleted == 1
        assert titles(store) == {"P1": "Kerja sama P1", "P2": "Kerja sama P2"}
        with pytest.raises(StoreError, match="sudah dibatalkan oleh batch #3"):
            store.rollback(2, user="admin")
        batches = store.batches()
        assert list(batches["batch_id"]) == [3, 2, 1]
        assert list(batches["kind"]) == ["pembatalan", "unggah", "unggah"]
        assert batches.loc[batches["batch_id"] == 2, "rolled_back_by"].item() == 3
        assert batches["new_rows"].dtype.kind == "i"
        # Nothing is deleted: P1 has three versions, one current.
        history = store.query("SELECT valid_from, valid_to FROM perjanjian_history WHERE id_perjanjian = ? "
                              "ORDER BY valid_from", ["P1"])
        assert [(int(f), None if pd.isna(t) else int(t)) for f, t in history.itertuples(index=False)] == \
            [(1, 2), (2, 3), (3, None)]


def test_removing_rows_by_key_and_the_small_readers(store_location):
    with Store(store_location) as store:
        assert store.is_empty() and not store.has_sample_data()
        upload(store, [perjanjian("P1"), perjanjian("P2")], [kegiatan("P1", "2024-05-01"), kegiatan("P1", "2024-06-01")],
               kind="contoh")
        assert not store.is_empty() and store.has_sample_data()
        assert sorted(store.known_agreements()["id_perjanjian"]) == ["P1", "P2"]
        keys = pd.DataFrame([{"id_perjanjian": "P1", "tanggal": date(2024, 5, 1), "nama_kegiatan": "pelatihan 2024-05-01"}])
        edit = store.commit({"kegiatan": frame("kegiatan", [kegiatan("P1", "2024-05-02")])}, user="admin",
                            kind="perubahan_manual", regions={"36.01"}, remove={"kegiatan": keys})
        assert edit.changes["kegiatan"].new == 1 and edit.changes["kegiatan"].deleted == 1
        assert sorted(store.snapshot()["kegiatan"]["tanggal"].dt.date) == [date(2024, 5, 2), date(2024, 6, 1)]
        assert store.batch_regions(edit.batch_id) == {"36.01"}
        store.rollback(edit.batch_id, user="admin")
        assert sorted(store.table("kegiatan")["tanggal"].dt.date) == [date(2024, 5, 1), date(2024, 6, 1)]
        preview = store.preview({"perjanjian": frame("perjanjian", [perjanjian("P1", judul="Lain"), perjanjian("P9")])},
                                {"36.01"})
        assert (preview["perjanjian"].new, preview["perjanjian"].updated) == (1, 1)
        assert len(store.batches()) == 3  # the preview wrote nothing


def test_replace_mode_and_cascade_of_children(store_location):
    with Store(store_location) as store:
        upload(store, [perjanjian("P1"), perjanjian("P2")], [kegiatan("P1", "2024-05-01"), kegiatan("P2", "2024-06-01")])
        result = store.commit({"perjanjian": frame("perjanjian", [perjanjian("P1")])}, user="admin",
                              regions={"36.01"}, replace=True)
        assert result.changes["perjanjian"].deleted == 1 and result.changes["kegiatan"].deleted == 1
        assert list(store.table("kegiatan")["id_perjanjian"]) == ["P1"]
        store.rollback(result.batch_id, user="admin")
        assert sorted(store.table("kegiatan")["id_perjanjian"]) == ["P1", "P2"]


def test_unit_access_rule_is_the_same(store_location):
    with Store(store_location) as store:
        upload(store, [perjanjian("P1"), perjanjian("P2", kabkota="36.02")])
        lebak = User("budi", "analis", "36.02")
        with pytest.raises(AccessDenied):  # P1 belongs to Pandeglang: reusing its id does not move it
            upload(store, [perjanjian("P1", kabkota="36.02")], user=lebak, regions={"36.02"})
        assert upload(store, [perjanjian("P2", kabkota="36.02", judul="Milik Lebak")], user=lebak).batch_id == 2
        with pytest.raises(AccessDenied):
            store.rollback(1, user=lebak)
        actions = store.query("SELECT action FROM audit ORDER BY audit_id")["action"].tolist()
        assert actions == ["unggah", "unggah_ditolak", "unggah", "pembatalan_ditolak"]


def test_write_api_rowcount_returning_on_conflict_and_insert_frame(store_location):
    with Store(store_location) as store:
        with store.write() as cur:
            cur.execute("CREATE TABLE uji (k VARCHAR PRIMARY KEY, n BIGINT, t TIMESTAMP, b BLOB)")
            added = cur.insert_frame("uji", pd.DataFrame({"k": ["a", "b"], "n": [1, 2]}), columns=["k", "n"])
            assert added == 2
            cur.execute("INSERT INTO uji (k, n) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET n = excluded.n "
                        "RETURNING n", ["a", 10])
            assert cur.fetchone() == (10,)
            assert cur.execute("UPDATE uji SET b = ? WHERE n >= ?", [b"\x01\x02", 2]).rowcount == 2
            assert store.next_id(cur, "uji", "n") == 11
        rows = store.cursor().execute("SELECT k, n, b FROM uji WHERE k LIKE '%' || $p ORDER BY k", {"p": "a"}).fetchall()
        assert [(k, n, bytes(b)) for k, n, b in rows] == [("a", 10, b"\x01\x02")]
        with pytest.raises(Exception), store.write() as cur:  # noqa: B017 - any error rolls back
            cur.execute("INSERT INTO uji (k, n) VALUES (?, ?)", ["c", 3])
            cur.execute("INSERT INTO uji (k, n) VALUES (?, ?)", ["c", 3])
        assert store.query("SELECT count(*) AS n FROM uji")["n"].item() == 2


def test_every_engine_function_gives_the_same_on_both_backends(pg_url, tmp_path):
    """The demo store (every flag occurs in it) in a DuckDB file and in PostgreSQL: the same frames, dtypes
    included, from compute, agreement_detail, fiscal_year_table, collection_status, load_agreement and
    row_changes (the engine functions that read the store)."""
    from ksln_metrics.engine.agreement import load_agreement
    from ksln_metrics.engine.collection import collection_status
    from ksln_metrics.engine.indicators import agreement_detail, fiscal_year_table
    from ksln_metrics.engine.row_changes import row_changes
    from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
    from ksln_metrics.sample.demo import load_demo

    today = date(2026, 11, 28)
    rules = load_rules(DEFAULT_RULES)

    def everything(location):
        with Store(location) as store:
            load_demo(store, today=today)
            results = compute(store, today, rules)
            some = results.agreements["id_perjanjian"].iloc[len(results.agreements) // 2]
            detail = agreement_detail(store, some, today, rules)
            record = load_agreement(store, some)
            edited = store.table("perjanjian").head(3).assign(judul="Judul diubah")
            changes = row_changes(store, {"perjanjian": edited})
            return {
                **{name: getattr(results, name) for name in ("agreements", "flags", "regions", "summary", "attention")},
                "detail_documents": detail.documents, "detail_activities": detail.activities,
                "detail_indicators": detail.indicators, "detail_years": detail.fiscal_years,
                "detail_flags": detail.flags, "detail_row": detail.agreement.to_frame(),
                "fiscal_years": fiscal_year_table(store, today, rules),
                "collection": collection_status(store, today),
                "record_row": record.perjanjian.to_frame(), "record_activities": record.kegiatan,
                "record_indicators": record.indikator, "record_reports": record.laporan,
                "row_changes_new": changes[0].new, "row_changes_cells": changes[0].cells,
            }

    reference = everything(tmp_path / "acuan.duckdb")
    got = everything(pg_url)
    assert len(reference["flags"]) >= 10 and len(set(reference["flags"]["code"])) >= 5  # a real variety of flags
    for name, expected in reference.items():
        pd.testing.assert_frame_equal(got[name], expected, check_dtype=True, obj=name)


def test_engine_tables_are_the_engine_store_tables():
    assert set(ENGINE_TABLES) == set(STORE_TABLES)


def test_placeholders_translate_for_psycopg():
    assert to_pyformat("SELECT ? , '?', \"a?\" -- x?\n WHERE a LIKE '%x' AND b = $name") == \
        "SELECT %s , '?', \"a?\" -- x?\n WHERE a LIKE '%%x' AND b = %(name)s"
    assert to_pyformat("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', %s"


# --- DuckDB: a file made before schema versioning ------------------------------------------------


def test_duckdb_file_made_before_versioning_upgrades_in_place(tmp_path):
    path = tmp_path / "lama.duckdb"
    path.write_bytes(gzip.decompress((DATA / "store_before_versioning.duckdb.gz").read_bytes()))
    with Store(path) as store:
        versions = store.query("SELECT version FROM schema_version ORDER BY version")["version"].tolist()
        assert versions == list(range(1, latest_version() + 1))
        assert titles(store) == {"P1": "Kerja sama P1", "P2": "Kerja sama P2"}
        assert list(store.batches()["kind"]) == ["pembatalan", "unggah", "unggah"]
        assert store.batch_file(1) == ("awal.xlsx", b"isi berkas")
        assert store.state_at(2)["perjanjian"].set_index("id_perjanjian").loc["P1", "judul"] == "Judul baru"
        assert upload(store, [perjanjian("P4")]).batch_id == 4
    with Store(path) as store:  # opening again applies nothing twice
        assert len(store.query("SELECT * FROM schema_version")) == latest_version()


def test_newer_schema_is_refused(store_location):
    with Store(store_location) as store, store.write() as cur:
        cur.execute("INSERT INTO schema_version VALUES (?, ?, ?)", [999, "dari masa depan", pd.Timestamp.now()])
    with pytest.raises(StoreError, match="skema versi 999"):
        Store(store_location)


def test_a_store_belongs_to_the_scope_its_first_batch_was_written_in(store_location):
    from ksln_metrics import reference as ref

    with ref.use_scope("32"), Store(store_location) as store:
        assert upload(store, [perjanjian("J1", kabkota="32.75")]).batch_id == 1
    with ref.use_scope("32"), Store(store_location) as store:  # the same province: opens as before
        assert set(titles(store)) == {"J1"}
    for other, named in (("36", "Provinsi Banten"), ("nasional", "tampilan nasional")):
        with ref.use_scope(other), pytest.raises(StoreError) as refused:
            Store(store_location)
        assert "berisi data Provinsi Jawa Barat" in str(refused.value) and named in str(refused.value)
        assert "KSLN_PROVINSI=32" in str(refused.value)


def test_an_empty_store_is_bound_only_by_its_first_batch(store_location):
    from ksln_metrics import reference as ref

    Store(store_location).close()  # opened in the default scope, nothing written
    with ref.use_scope("32"), Store(store_location) as store:
        upload(store, [perjanjian("J1", kabkota="32.01")])
    with pytest.raises(StoreError, match="Provinsi Jawa Barat"):
        Store(store_location)


def test_a_file_made_before_the_binding_belongs_to_the_province_of_its_units(tmp_path):
    from ksln_metrics import reference as ref

    path = tmp_path / "lama.duckdb"
    path.write_bytes(gzip.decompress((DATA / "store_before_versioning.duckdb.gz").read_bytes()))
    with ref.use_scope("32"), pytest.raises(StoreError, match="berisi data Provinsi Banten"):
        Store(path, read_only=True)
    Store(path).close()  # Banten's units: bound to 36 and opened
    with ref.use_scope("32"), pytest.raises(StoreError, match="berisi data Provinsi Banten"):
        Store(path)


# --- PostgreSQL only -------------------------------------------------------------------------------


def test_postgres_empty_database_is_migrated(pg_server):
    from tests.pg_server import EMPTY_DB

    url = pg_server.url(pg_server.create_database(template=EMPTY_DB))
    with Store(url) as store:
        assert store.dialect == "postgres"
        assert store.query("SELECT version FROM schema_version ORDER BY version")["version"].tolist() == \
            list(range(1, latest_version() + 1))
        assert store.is_empty() and store.batches().empty


def test_url_with_password_is_refused_without_showing_it(pg_server):
    secret = "rahasia-sekali-123"
    url = f"postgresql://ksln_test:{secret}@127.0.0.1:{pg_server.port}/postgres"
    with pytest.raises(StoreError) as refused:
        Store(url)
    assert str(refused.value) == PASSWORD_IN_URL and secret not in str(refused.value)
    assert "PGPASSWORD" in str(refused.value) and secret not in safe_location(url)
    with pytest.raises(StoreError) as refused:
        Store(f"postgresql://ksln_test@127.0.0.1:{pg_server.port}/postgres?password={secret}")
    assert secret not in str(refused.value)


def test_wrong_password_gives_a_clear_message(pg_server, monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "Zq9-sandi-keliru")
    monkeypatch.setenv("PGPASSFILE", os.devnull)
    with pytest.raises(StoreError, match="tidak dapat dihubungi atau menolak koneksi") as refused:
        Store(pg_server.url("postgres"))  # not the template: a copy needs it unused
    assert "password authentication failed" in str(refused.value) and "PGPASSWORD" in str(refused.value)
    assert "Zq9-sandi-keliru" not in str(refused.value)


def test_a_batch_waiting_too_long_for_another_is_busy(pg_url, monkeypatch):
    import psycopg

    with Store(pg_url) as store:
        holder = psycopg.connect(pg_url)
        try:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", [DATA_WRITE_LOCK])  # another process's batch
            monkeypatch.setenv("KSLN_PG_LOCK_TIMEOUT", "200ms")
            with pytest.raises(StoreBusy):
                upload(store, [perjanjian("P1")])
        finally:
            holder.rollback()
            holder.close()
        assert upload(store, [perjanjian("P1")]).batch_id == 1  # lock released: the upload lands


def test_concurrent_uploads_of_the_same_rows_apply_one_after_the_other(pg_url):
    """Two stores (as two app processes) commit edits of P1 at the same moment: both land as batches, in
    order; P1 has exactly one current version (the later batch's), and every version is in the history."""
    with Store(pg_url) as store:
        upload(store, [perjanjian("P1")])
    stores = [Store(pg_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def edit(i):
        try:
            barrier.wait()
            results[i] = upload(stores[i], [perjanjian("P1", judul=f"Versi {i}"), perjanjian(f"N{i}")],
                                regions={"36.01"})
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert not errors
    assert sorted(r.batch_id for r in results.values()) == [2, 3]
    later = max(results, key=lambda i: results[i].batch_id)
    earlier = 1 - later
    assert results[later].changes["perjanjian"].updated == 1  # it saw the earlier one's P1
    with Store(pg_url) as store:
        assert titles(store) == {"P1": f"Versi {later}", f"N{earlier}": f"Kerja sama N{earlier}",
                                 f"N{later}": f"Kerja sama N{later}"}
        assert store.query("SELECT count(*) AS n FROM perjanjian_history WHERE id_perjanjian = 'P1'")["n"].item() == 3
        assert store.state_at(results[earlier].batch_id)["perjanjian"].set_index("id_perjanjian").loc[
            "P1", "judul"] == f"Versi {earlier}"


def test_engine_copy_is_cached_per_data_version_and_refreshed_after_writes(pg_url):
    with Store(pg_url) as store:
        upload(store, [perjanjian("P1")])
        copy = store._engine_copy
        first = compute(store, AS_OF)
        compute(store, AS_OF)
        assert copy.refreshes == 1  # a rerun without a write does not pull the tables again
        with Store(pg_url) as other:  # another process writes a batch
            upload(other, [perjanjian("P2", kabkota="36.02")])
        after = compute(store, AS_OF)
        assert copy.refreshes == 2
        assert set(after.agreements["id_perjanjian"]) == {"P1", "P2"} and len(first.agreements) == 1
        with store.write() as cur:  # an attachment counts (the engine reads lampiran)
            cur.execute("INSERT INTO lampiran (lampiran_id, sha256, kabkota, kind, title, file_name, uploaded_by, "
                        "uploaded_at) VALUES (1, 'x', '36.01', 'pks', 'PKS', 'pks.pdf', 'admin', ?)",
                        [pd.Timestamp("2025-01-01").to_pydatetime()])
        compute(store, AS_OF)
        assert copy.refreshes == 3
        with store.write() as cur:  # an account change does not
            cur.execute("INSERT INTO account_email VALUES ('admin', 'a@contoh.go.id', ?)",
                        [pd.Timestamp("2025-01-01").to_pydatetime()])
        compute(store, AS_OF)
        assert copy.refreshes == 3


def test_tables_kept_per_data_version_follow_a_batch_of_another_process(pg_url):
    """The engine keeps some tables per data version (activities per year, indicators): a batch written by
    another process reaches the copy, and the next computation counts it, as one made from scratch does."""
    from ksln_metrics.engine.indicators import forget_kept_tables

    signed = perjanjian("P1", tanggal_pks=None, ada_rik=False, ada_awp=False)
    with Store(pg_url) as store:
        upload(store, [signed], [kegiatan("P1", "2023-05-01", "seremoni")])
        assert "ceremonial_only" in set(compute(store, AS_OF).flags["code"])
        with Store(pg_url) as other:
            upload(other, [signed], [kegiatan("P1", "2024-02-01"), kegiatan("P1", "2025-02-01")])
        after = compute(store, AS_OF)
        assert "ceremonial_only" not in set(after.flags["code"])
        assert after.agreements["tahun_dengan_kegiatan"].item() == 2  # 2024 and 2025, up to as_of
        forget_kept_tables(store)
        pd.testing.assert_frame_equal(compute(store, AS_OF).agreements, after.agreements)


def test_engine_copy_serves_threads_at_once(pg_url):
    with Store(pg_url) as store:
        upload(store, [perjanjian(f"P{i}") for i in range(20)])
        expected = compute(store, AS_OF).agreements
        store._engine_copy.close()  # the threads race to make the first copy
        outcomes, errors = [], []

        def run():
            try:
                outcomes.append(compute(store, AS_OF).agreements)
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=run) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors and len(outcomes) == 4
        for got in outcomes:
            pd.testing.assert_frame_equal(got, expected)


def test_engine_copy_follows_every_kind_of_batch_by_its_rows_only(pg_url):
    """After each batch (new, changed, replaced, removed by key, rolled back) the copy brought up to date by
    the batch's rows equals the store's current rows; only the first copy reads whole tables."""
    from ksln_metrics.reference import STORED_COLUMNS, TABLES

    def same_as_store(store):
        cur = store.engine_cursor()
        for table in ("perjanjian", "kegiatan", "indikator", "laporan"):
            cols, key = ", ".join(STORED_COLUMNS[table]), ", ".join(TABLES[table].key)
            copied = cur.execute(f"SELECT {cols} FROM {table} ORDER BY {key}").df()
            in_postgres = store.query(f"SELECT {cols} FROM {table} ORDER BY {key}")  # straight from the server
            pd.testing.assert_frame_equal(copied, in_postgres, check_dtype=True)
        assert cur.execute("SELECT count(*) FROM batch").fetchall()[0][0] == len(store.batches())

    with Store(pg_url) as store:
        upload(store, [perjanjian("P1"), perjanjian("P2"), perjanjian("P3", kabkota="36.02")],
               [kegiatan("P1", "2024-05-01"), kegiatan("P2", "2024-05-01")])
        same_as_store(store)
        changed = upload(store, [perjanjian("P1", judul="Baru"), perjanjian("P4")], regions={"36.01"})
        same_as_store(store)
        store.commit({"perjanjian": frame("perjanjian", [perjanjian("P1", judul="Baru")])}, user="admin",
                     regions={"36.01"}, replace=True)  # removes P2, P4 and P2's activity
        same_as_store(store)
        keys = pd.DataFrame([{"id_perjanjian": "P1", "tanggal": date(2024, 5, 1), "nama_kegiatan": "pelatihan 2024-05-01"}])
        store.commit({"laporan": frame("laporan", [laporan("P1", 2024, "2025-01-05")])}, user="admin",
                     regions={"36.01"}, remove={"kegiatan": keys})
        same_as_store(store)
        store.rollback(4, user="admin")
        store.rollback(3, user="admin")
        same_as_store(store)
        store.rollback(changed.batch_id, user="admin")  # the later batches are undone: allowed
        same_as_store(store)
        assert titles(store) == {"P1": "Kerja sama P1", "P2": "Kerja sama P2", "P3": "Kerja sama P3"}
    assert store._engine_copy.full_copies == 1


def test_reads_survive_the_server_closing_idle_connections(pg_url):
    import psycopg

    with Store(pg_url) as store:
        upload(store, [perjanjian("P1")])
        with store.write() as one, store.write() as two:  # two connections now idle in the pool
            one.execute("SELECT 1").fetchall()
            two.execute("SELECT 1").fetchall()
        assert not store.is_empty()
        with psycopg.connect(pg_url, autocommit=True) as admin:  # as a server restart would
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = current_database() AND pid <> pg_backend_pid()")
        assert titles(store) == {"P1": "Kerja sama P1"}
        assert upload(store, [perjanjian("P2")]).batch_id == 2  # writes get a working connection too


def test_a_duckdb_batch_is_written_on_one_thread_and_the_setting_restored(tmp_path, monkeypatch):
    with Store(tmp_path / "threads.duckdb") as store:
        store.cursor().execute("SET threads = 2")
        seen = []
        apply = Store._apply

        def watching(self, cur, *args, **kwargs):
            seen.append(self.cursor().execute("SELECT current_setting('threads')").fetchall()[0][0])
            return apply(self, cur, *args, **kwargs)

        monkeypatch.setattr(Store, "_apply", watching)
        upload(store, [perjanjian("P1")])
        assert seen == [1]
        assert store.cursor().execute("SELECT current_setting('threads')").fetchall()[0][0] == 2
        # A refused batch (an analyst of another unit) and a failing one restore it as well.
        with pytest.raises(AccessDenied):
            upload(store, [perjanjian("P2")], user=User("analis", ANALIS, "36.02"))
        monkeypatch.setattr(Store, "_apply", lambda self, cur, *a, **k: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            upload(store, [perjanjian("P3")])
        assert store.cursor().execute("SELECT current_setting('threads')").fetchall()[0][0] == 2
        assert set(titles(store)) == {"P1"}
