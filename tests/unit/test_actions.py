"""Follow-up actions: lifecycle with status history, proposals from the flags, the flag-gone state, overdue
and per-unit counts, and the access rule at the write path (an analyst of Lebak cannot touch Tangsel's actions)."""

from datetime import date, datetime

import pytest

from ksln_metrics.access import User
from ksln_metrics.engine.indicators import Filters, compute
from ksln_metrics.engine.rules import DEFAULT_RULES, load_rules
from ksln_metrics.followup.actions import (
    ActionError,
    action_history,
    close_resolved,
    create_action,
    edit_action,
    list_actions,
    proposals,
    set_status,
    unit_counts,
    with_state,
)
from ksln_metrics.present.slides import _agreements_by_id, follow_ups
from ksln_metrics.store import AccessDenied
from tests.unit.builders import build_store, frame, laporan, perjanjian

LEBAK = User("budi.lebak", "analis", "36.02")
TANGSEL = User("sari.tangsel", "analis", "36.74")
PROVINSI = User("dewi.prov", "analis", "36")
PIMPINAN = User("kepala.biro", "pimpinan")
ADMIN = User("admin", "admin")
AS_OF = date(2026, 3, 1)
T0 = datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def store(store_location):
    rows = [
        perjanjian("LBK-1", kabkota="36.02", penandatangan="Bupati Lebak", tanggal_ttd=date(2023, 3, 1)),
        perjanjian("TGS-1", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan",
                   tanggal_persetujuan_dprd=None),
    ]
    reports = [laporan(i, y, f"{y + 1}-01-05") for i in ("LBK-1", "TGS-1") for y in (2023, 2024)]
    with build_store(store_location, rows, laporan_rows=reports) as store:
        yield store


@pytest.fixture
def rules():
    return load_rules(DEFAULT_RULES)


def audit(store):
    return store.query("SELECT user_name, action, target, detail FROM audit WHERE action LIKE 'tindak_lanjut%' "
                       "ORDER BY audit_id")


def test_lifecycle_keeps_every_status_change_with_who_when_and_note(store):
    number = create_action(store, user=PROVINSI, id_perjanjian="LBK-1", description="Ajukan persetujuan Pusat",
                           responsible="Bagian Kerja Sama", due_date=date(2026, 4, 30), when=T0)
    set_status(store, number, "dalam_proses", user=LEBAK, note="Surat sedang disiapkan", when=datetime(2026, 3, 5))
    set_status(store, number, "selesai", user=LEBAK, note="Surat B/123 terkirim", when=datetime(2026, 4, 2, 10))
    history = action_history(store, number)
    assert list(history["status"]) == ["terbuka", "dalam_proses", "selesai"]
    assert list(history["user_name"]) == ["dewi.prov", "budi.lebak", "budi.lebak"]
    assert list(history["note"]) == ["Dibuat", "Surat sedang disiapkan", "Surat B/123 terkirim"]
    action = list_actions(store).iloc[0]
    assert action["kabkota"] == "36.02"  # the agreement's unit
    assert action["status_label"] == "Selesai"
    assert action["evidence_note"] == "Surat B/123 terkirim"
    assert action["closed_at"] == datetime(2026, 4, 2, 10)
    # Reopening clears the closing time; the history keeps it.
    set_status(store, number, "terbuka", user=PROVINSI, note="Ternyata belum ditandatangani", when=datetime(2026, 4, 3))
    assert list_actions(store)["closed_at"].isna().all()
    assert len(action_history(store, number)) == 4
    assert list(audit(store)["action"]) == ["tindak_lanjut_dibuat"] + ["tindak_lanjut_status"] * 3


def test_closing_needs_a_note_and_bad_input_writes_nothing(store):
    number = create_action(store, user=ADMIN, kabkota="36.02", description="Rapat evaluasi", when=T0)
    before = (len(action_history(store, number)), len(audit(store)))
    with pytest.raises(ActionError, match="bukti penyelesaian"):
        set_status(store, number, "selesai", user=ADMIN, note="  ")
    with pytest.raises(ActionError, match="sudah berstatus terbuka"):
        set_status(store, number, "terbuka", user=ADMIN)
    with pytest.raises(ActionError, match="wajib diisi"):
        create_action(store, user=ADMIN, kabkota="36.02", description=" ")
    with pytest.raises(ActionError, match="tidak ada di basis data"):
        create_action(store, user=ADMIN, id_perjanjian="TIDAK-ADA", description="x")
    with pytest.raises(ActionError, match="milik Kabupaten Lebak"):
        create_action(store, user=ADMIN, id_perjanjian="LBK-1", kabkota="36.74", description="x")
    assert (len(action_history(store, number)), len(audit(store))) == before
    assert len(list_actions(store)) == 1


def test_an_analyst_of_lebak_cannot_touch_tangsel_actions(store):
    tangsel = create_action(store, user=PROVINSI, id_perjanjian="TGS-1", description="Ajukan persetujuan DPRD",
                            when=T0)
    lebak = create_action(store, user=PROVINSI, id_perjanjian="LBK-1", description="Susun indikator", when=T0)
    with pytest.raises(AccessDenied, match="milik Kota Tangerang Selatan"):
        set_status(store, tangsel, "dalam_proses", user=LEBAK, note="coba")
    with pytest.raises(AccessDenied, match="Hanya analis Provinsi dan admin"):
        create_action(store, user=LEBAK, id_perjanjian="LBK-1", description="Buat sendiri")
    with pytest.raises(AccessDenied, match="Hanya analis Provinsi dan admin"):
        edit_action(store, lebak, user=LEBAK, description="Ubah", responsible=None, due_date=None)
    with pytest.raises(AccessDenied, match="hanya dapat melihat"):
        set_status(store, lebak, "dalam_proses", user=PIMPINAN)
    assert list_actions(store).set_index("action_id").loc[tangsel, "status"] == "terbuka"
    assert len(action_history(store, tangsel)) == 1
    refusals = audit(store).query("action == 'tindak_lanjut_ditolak'")
    assert list(refusals["user_name"]) == ["budi.lebak", "budi.lebak", "budi.lebak", "kepala.biro"]
    # Its own unit's status it may change; Tangsel's analyst may change Tangsel's.
    set_status(store, lebak, "dalam_proses", user=LEBAK, note="Mulai")
    set_status(store, tangsel, "dalam_proses", user=TANGSEL, note="Mulai")


def test_edit_changes_text_owner_and_due_date(store):
    number = create_action(store, user=PROVINSI, kabkota="36.02", description="Awal", when=T0)
    edit_action(store, number, user=ADMIN, description="Rapat dengan OPD", responsible="Dinas Pendidikan",
                due_date=date(2026, 5, 1), when=datetime(2026, 3, 3))
    row = list_actions(store).iloc[0]
    assert (row["description"], row["responsible"], row["due_date"]) == ("Rapat dengan OPD", "Dinas Pendidikan",
                                                                          date(2026, 5, 1))
    assert audit(store)["action"].iloc[-1] == "tindak_lanjut_diubah"


def test_proposals_use_the_slides_follow_up_sentence_and_skip_flags_with_an_open_action(store, rules):
    results = compute(store, AS_OF, rules)
    found = proposals(results, list_actions(store))
    pairs = {(p.id_perjanjian, p.flag_code) for p in found}
    assert ("TGS-1", "no_dprd_approval") in pairs
    proposal = next(p for p in found if (p.id_perjanjian, p.flag_code) == ("TGS-1", "no_dprd_approval"))
    rows = results.flags[(results.flags["id_perjanjian"] == "TGS-1") & (results.flags["code"] == "no_dprd_approval")]
    assert proposal.description == follow_ups(rows, _agreements_by_id(results))[0]
    assert proposal.description.startswith("Ajukan persetujuan DPRD untuk ")
    assert proposal.kabkota == "36.74"
    create_action(store, user=PROVINSI, id_perjanjian="TGS-1", flag_code="no_dprd_approval",
                  description=proposal.description, when=T0)
    again = {(p.id_perjanjian, p.flag_code) for p in proposals(results, list_actions(store))}
    assert again == pairs - {("TGS-1", "no_dprd_approval")}


def test_flag_gone_is_shown_and_closes_in_one_click(store, rules):
    number = create_action(store, user=PROVINSI, id_perjanjian="TGS-1", flag_code="no_dprd_approval",
                           description="Ajukan persetujuan DPRD", due_date=date(2026, 2, 1), when=T0)
    before = with_state(list_actions(store), compute(store, AS_OF, rules), AS_OF).iloc[0]
    assert not before["bendera_hilang"] and before["keadaan_bendera"] == ""
    assert before["terlambat"]  # open and past its due date
    fixed = perjanjian("TGS-1", kabkota="36.74", penandatangan="Wali Kota Tangerang Selatan",
                       tanggal_persetujuan_dprd=date(2026, 1, 12))
    store.commit({"perjanjian": frame("perjanjian", [fixed])}, user="test", regions={"36.74"})
    other_unit = compute(store, AS_OF, rules, Filters.of(kabkota=["36.02"]))
    assert not with_state(list_actions(store), other_unit, AS_OF).iloc[0]["bendera_hilang"]  # not computed: unknown
    after = with_state(list_actions(store), compute(store, AS_OF, rules), AS_OF).iloc[0]
    assert after["bendera_hilang"]
    assert after["keadaan_bendera"] == "bendera sudah hilang per 1 Maret 2026"
    close_resolved(store, number, AS_OF, user=TANGSEL, when=datetime(2026, 3, 4))
    closed = with_state(list_actions(store), compute(store, AS_OF, rules), AS_OF).iloc[0]
    assert closed["status"] == "selesai" and not closed["bendera_hilang"] and not closed["terlambat"]
    assert closed["evidence_note"] == "Bendera Tanpa persetujuan DPRD sudah hilang per 1 Maret 2026."


def test_unit_counts_open_overdue_and_closed_on_time(store, rules):
    late = create_action(store, user=PROVINSI, kabkota="36.02", description="a", due_date=date(2026, 2, 1), when=T0)
    create_action(store, user=PROVINSI, kabkota="36.02", description="b", due_date=date(2026, 6, 1), when=T0)
    on_time = create_action(store, user=PROVINSI, kabkota="36.74", description="c", due_date=date(2026, 3, 10),
                            when=T0)
    too_late = create_action(store, user=PROVINSI, kabkota="36.74", description="d", due_date=date(2026, 3, 1),
                             when=T0)
    set_status(store, on_time, "selesai", user=TANGSEL, note="ok", when=datetime(2026, 3, 10, 16))
    set_status(store, too_late, "selesai", user=TANGSEL, note="ok", when=datetime(2026, 3, 2, 8))
    set_status(store, late, "dalam_proses", user=LEBAK, note="mulai", when=datetime(2026, 3, 3))
    counts = unit_counts(with_state(list_actions(store), compute(store, AS_OF, rules), date(2026, 3, 5)),
                         date(2026, 3, 5)).set_index("kabkota_kode")
    assert counts.loc["36.02", ["terbuka", "terlambat", "selesai", "selesai_tepat_waktu"]].tolist() == [2, 1, 0, 0]
    assert counts.loc["36.74", ["terbuka", "terlambat", "selesai", "selesai_tepat_waktu"]].tolist() == [0, 0, 2, 1]
