"""Roles at the store's write path: an analyst changes only their own unit's rows; every action is audited once."""

import pytest

from ksln_metrics.access import User
from ksln_metrics.importing.ingest import commit_upload, read_upload
from ksln_metrics.store import AccessDenied, Store
from tests.unit.realistic_files import agreement, simple_agreement_xlsx

LEBAK = User("budi.lebak", "analis", "36.02")
TANGSEL = User("sari.tangsel", "analis", "36.74")
PROVINSI = User("dewi.prov", "analis", "36")
PIMPINAN = User("kepala.biro", "pimpinan")
ADMIN = User("admin", "admin")

LEBAK_ROW = agreement()
TANGSEL_ROW = agreement(**{"ID Perjanjian": "TGS-001", "Kab/Kota": "Kota Tangerang Selatan", "Mitra": "Kota Suwon"})
REFUSED = ("Berkas berisi data Kota Tangerang Selatan (36.74); akun analis Kabupaten Lebak hanya boleh mengubah "
           "data 36.02. Tidak ada yang disimpan.")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "peran.duckdb") as store:
        yield store


def upload(store, rows, name="berkas.xlsx"):
    result = read_upload(name, simple_agreement_xlsx(rows), store=store)
    assert result.ok, [p.line() for p in result.problems]
    return result


def state(store):
    return {name: frame.to_csv(index=False) for name, frame in store.snapshot().items()}, len(store.batches())


def audit(store):
    return store.query("SELECT user_name, action, target, detail, batch_id FROM audit ORDER BY audit_id")


def test_an_analyst_file_with_another_units_row_is_refused_whole(store):
    before = state(store)
    with pytest.raises(AccessDenied) as refused:
        commit_upload(store, upload(store, [LEBAK_ROW, TANGSEL_ROW], "lebak.xlsx"), user=LEBAK)
    assert str(refused.value) == REFUSED
    assert state(store) == before  # not even the Lebak row
    assert audit(store)[["user_name", "action", "target", "detail"]].values.tolist() == [
        ["budi.lebak", "unggah_ditolak", "lebak.xlsx", REFUSED]]


def test_own_unit_is_written_and_the_province_analyst_and_admin_write_any_unit(store):
    result = commit_upload(store, upload(store, [LEBAK_ROW]), user=LEBAK)
    assert result.batch_id == 1
    assert commit_upload(store, upload(store, [TANGSEL_ROW]), user=PROVINSI).batch_id == 2
    both = [agreement(**{"Judul Perjanjian": "Baru"}), agreement(**{**TANGSEL_ROW, "Judul Perjanjian": "Baru"})]
    assert commit_upload(store, upload(store, both), user=ADMIN).batch_id == 3
    assert store.batches()["user_name"].tolist() == ["admin", "dewi.prov", "budi.lebak"]


def test_a_leader_changes_nothing(store):
    with pytest.raises(AccessDenied, match="hanya dapat melihat data. Tidak ada yang disimpan"):
        commit_upload(store, upload(store, [LEBAK_ROW]), user=PIMPINAN)
    assert store.is_empty()


def test_an_analyst_cannot_take_over_another_units_agreement_by_its_id(store):
    commit_upload(store, upload(store, [TANGSEL_ROW]), user=TANGSEL)
    moved = agreement(**{**TANGSEL_ROW, "Kab/Kota": "Kabupaten Lebak"})  # Lebak in the file, Tangsel's id
    with pytest.raises(AccessDenied, match=r"Kota Tangerang Selatan \(36.74\)"):
        commit_upload(store, upload(store, [moved]), user=LEBAK)
    assert store.table("perjanjian")["kabkota"].tolist() == ["36.74"]


def test_an_analyst_rolls_back_only_batches_of_their_own_unit(store):
    commit_upload(store, upload(store, [LEBAK_ROW]), user=LEBAK)
    commit_upload(store, upload(store, [TANGSEL_ROW]), user=TANGSEL)
    mixed = commit_upload(store, upload(store, [agreement(**{"Judul Perjanjian": "B"}),
                                                agreement(**{**TANGSEL_ROW, "Judul Perjanjian": "B"})]), user=PROVINSI)
    with pytest.raises(AccessDenied, match=r"Batch #3 berisi data Kota Tangerang Selatan \(36.74\); akun analis "
                                           r"Kabupaten Lebak hanya boleh membatalkan"):
        store.rollback(mixed.batch_id, user=LEBAK)
    with pytest.raises(AccessDenied, match="Batch #2 berisi data Kota Tangerang Selatan"):
        store.rollback(2, user=LEBAK)
    with pytest.raises(AccessDenied, match="hanya dapat melihat data"):
        store.rollback(2, user=PIMPINAN)
    assert len(store.batches()) == 3
    store.rollback(mixed.batch_id, user=PROVINSI)
    undo = store.rollback(1, user=LEBAK)
    assert undo.batch_id == 5
    assert store.table("perjanjian")["kabkota"].tolist() == ["36.74"]


def test_one_audit_entry_per_action_with_the_right_user(store):
    commit_upload(store, upload(store, [LEBAK_ROW], "a.xlsx"), user=LEBAK)
    commit_upload(store, upload(store, [LEBAK_ROW], "a.xlsx"), user=LEBAK)  # same again: no batch, still an upload
    store.rollback(1, user=ADMIN)
    with pytest.raises(AccessDenied):
        store.rollback(2, user=TANGSEL)
    log = audit(store)
    assert log[["user_name", "action", "target"]].values.tolist() == [
        ["budi.lebak", "unggah", "a.xlsx"],
        ["budi.lebak", "unggah", "a.xlsx"],
        ["admin", "pembatalan", "batch #1"],
        ["sari.tangsel", "pembatalan_ditolak", "batch #2"],
    ]
    assert log["batch_id"].isna().tolist() == [False, True, False, True]
    assert log["batch_id"].iloc[[0, 2]].tolist() == [1, 2]
    assert log["detail"].tolist()[:3] == ["kab/kota 36.02; perjanjian: 1 baru, 0 diubah", "tidak ada perubahan",
                                          "kab/kota 36.02; perjanjian: 0 baru, 0 diubah, 1 dihapus"]
