"""Follow-up actions (tindak lanjut): what a unit must do about a flag, who does it, by when, and how it ended.

An action belongs to one kab/kota (and usually to one agreement and one of its flags). Its
status moves between ``terbuka``, ``dalam_proses``, ``selesai`` and ``dibatalkan``; every
change is a row of ``tindak_lanjut_riwayat`` (who, when, note). The functions here are the
only write path of actions: each checks the access rule first, writes the action, its
history and the audit entry in one transaction, and writes nothing but a refusal entry in
the audit trail when the user may not.

Access: province analysts (unit ``36``) and admins create and edit actions; an analyst of
a kab/kota only changes the status of its own unit's actions (the rule of uploads);
pimpinan only reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from ksln_metrics.access import ADMIN, ANALIS, Actor, User, actor_name
from ksln_metrics.engine.indicators import Results
from ksln_metrics.engine.rules import FLAG_BY_CODE, FLAG_CODES
from ksln_metrics.formatting import format_date_id
from ksln_metrics.reference import REGIONS, is_province_government, region_name
from ksln_metrics.store import AccessDenied, Store, StoreError

STATUSES: dict[str, str] = {
    "terbuka": "Terbuka",
    "dalam_proses": "Dalam proses",
    "selesai": "Selesai",
    "dibatalkan": "Dibatalkan",
}
OPEN_STATUSES = ("terbuka", "dalam_proses")
MAX_TEXT = 2000


class ActionError(StoreError):
    """An action that cannot be saved as given (message in Bahasa Indonesia); nothing was written."""


@dataclass(frozen=True)
class Proposal:
    """An action the flags suggest: the unit, the agreement, the flag and the default text."""

    kabkota: str
    id_perjanjian: str
    flag_code: str
    description: str

    @property
    def flag_label(self) -> str:
        return FLAG_BY_CODE[self.flag_code].label


# --- the access rule ------------------------------------------------------------------------------------


def manage_refusal(actor: Actor) -> str | None:
    """Why ``actor`` may not create or edit actions (only province analysts and admins may), or None."""
    if not isinstance(actor, User) or actor.role == ADMIN:
        return None
    if actor.role == ANALIS and actor.kabkota is not None and is_province_government(actor.kabkota):
        return None
    return (f"Hanya analis Provinsi dan admin yang dapat membuat atau mengubah tindak lanjut; akun {actor.name} "
            f"adalah {actor.describe()}. Tidak ada yang disimpan.")


def status_refusal(actor: Actor, region: str) -> str | None:
    """Why ``actor`` may not change the status of an action of ``region`` (same rule as uploads), or None."""
    if not isinstance(actor, User):
        return None
    if not actor.can_change_data:
        return f"Akun {actor.name} ({actor.describe()}) hanya dapat melihat tindak lanjut. Tidak ada yang disimpan."
    if actor.may_change(region):
        return None
    return (f"Tindak lanjut ini milik {region_name(region)} ({region}); akun {actor.describe()} hanya boleh mengubah "
            f"tindak lanjut {actor.kabkota}. Tidak ada yang disimpan.")


def _refuse(store: Store, user: Actor, message: str, target: str) -> None:
    store.audit(user, "tindak_lanjut_ditolak", target=target, detail=message)
    raise AccessDenied(message)


# --- checks of what is written ------------------------------------------------------------------------------


def _text(value: str | None, what: str, *, required: bool = False) -> str | None:
    text = (value or "").strip()
    if required and not text:
        raise ActionError(f"{what} wajib diisi. Tidak ada yang disimpan.")
    if len(text) > MAX_TEXT:
        raise ActionError(f"{what} terlalu panjang ({len(text)} karakter; paling banyak {MAX_TEXT}). "
                          "Tidak ada yang disimpan.")
    return text or None


def _agreement_region(store: Store, agreement_id: str) -> str:
    rows = store.cursor().execute("SELECT kabkota FROM perjanjian WHERE id_perjanjian = ?", [agreement_id]).fetchall()
    if not rows:
        raise ActionError(f"Perjanjian {agreement_id} tidak ada di basis data. Tidak ada yang disimpan.")
    return rows[0][0]


def _action_row(store: Store, action_id: int) -> dict:
    frame = store.query("SELECT * FROM tindak_lanjut WHERE action_id = ?", [action_id])
    if frame.empty:
        raise ActionError(f"Tindak lanjut #{action_id} tidak ada.")
    return frame.iloc[0].to_dict()


# --- writing ------------------------------------------------------------------------------------------------------


def create_action(store: Store, *, user: Actor, description: str, kabkota: str | None = None,
                  id_perjanjian: str | None = None, flag_code: str | None = None, responsible: str | None = None,
                  due_date: date | None = None, when: datetime | None = None) -> int:
    """A new action with status ``terbuka``; its unit is the agreement's when one is given. Returns its number."""
    target = id_perjanjian or kabkota or "-"
    refusal = manage_refusal(user)
    if refusal:
        _refuse(store, user, refusal, target)
    description = _text(description, "Uraian tindak lanjut", required=True)
    responsible = _text(responsible, "Penanggung jawab")
    if id_perjanjian:
        region = _agreement_region(store, id_perjanjian)
        if kabkota and kabkota != region:
            raise ActionError(f"Perjanjian {id_perjanjian} milik {region_name(region)}, bukan {region_name(kabkota)}. "
                              "Tidak ada yang disimpan.")
        kabkota = region
    if kabkota not in REGIONS:
        raise ActionError("Pilih kab/kota atau perjanjian tindak lanjut ini. Tidak ada yang disimpan.")
    if flag_code is not None and flag_code not in FLAG_CODES:
        raise ActionError(f"Kode bendera '{flag_code}' tidak dikenal. Tidak ada yang disimpan.")
    if flag_code and not id_perjanjian:
        raise ActionError("Tindak lanjut sebuah bendera harus menyebut perjanjiannya. Tidak ada yang disimpan.")
    when = when or datetime.now()
    with store.write() as cur:
        action_id = store.next_id(cur, "tindak_lanjut", "action_id")
        cur.execute(
            "INSERT INTO tindak_lanjut VALUES (?, ?, ?, ?, ?, ?, ?, 'terbuka', NULL, ?, ?, ?, NULL)",
            [action_id, kabkota, id_perjanjian, flag_code, description, responsible, due_date, when,
             actor_name(user), when],
        )
        cur.execute("INSERT INTO tindak_lanjut_riwayat VALUES (?, 1, ?, ?, 'terbuka', ?)",
                    [action_id, when, actor_name(user), "Dibuat"])
        store.audit_in(cur, user, "tindak_lanjut_dibuat", target=f"tindak lanjut #{action_id}",
                            detail=f"{region_name(kabkota)}; {id_perjanjian or '-'}; {description}",
                            data={"flag": flag_code, "batas": due_date}, when=when)
    return int(action_id)


def edit_action(store: Store, action_id: int, *, user: Actor, description: str, responsible: str | None,
                due_date: date | None, when: datetime | None = None) -> None:
    """Change the text, the responsible unit/OPD or the due date of an action."""
    row = _action_row(store, action_id)
    refusal = manage_refusal(user)
    if refusal:
        _refuse(store, user, refusal, f"tindak lanjut #{action_id}")
    description = _text(description, "Uraian tindak lanjut", required=True)
    responsible = _text(responsible, "Penanggung jawab")
    old_due = row["due_date"].date() if pd.notna(row["due_date"]) else None
    if (description, responsible, due_date) == (row["description"], _none(row["responsible"]), old_due):
        return
    when = when or datetime.now()
    with store.write() as cur:
        cur.execute("UPDATE tindak_lanjut SET description = ?, responsible = ?, due_date = ?, changed_at = ? "
                    "WHERE action_id = ?", [description, responsible, due_date, when, action_id])
        store.audit_in(cur, user, "tindak_lanjut_diubah", target=f"tindak lanjut #{action_id}",
                            detail=description, data={"penanggung_jawab": responsible, "batas": due_date}, when=when)


def set_status(store: Store, action_id: int, status: str, *, user: Actor, note: str | None = None,
               when: datetime | None = None) -> None:
    """Move an action to ``status`` with a note; closing (``selesai``) needs a note saying what closed it."""
    row = _action_row(store, action_id)
    refusal = status_refusal(user, row["kabkota"])
    if refusal:
        _refuse(store, user, refusal, f"tindak lanjut #{action_id}")
    if status not in STATUSES:
        raise ActionError(f"Status '{status}' tidak dikenal; pilih {', '.join(STATUSES.values())}.")
    if status == row["status"]:
        raise ActionError(f"Tindak lanjut #{action_id} sudah berstatus {STATUSES[status].lower()}.")
    note = _text(note, "Catatan")
    if status == "selesai" and not note:
        raise ActionError("Tuliskan bukti penyelesaian (mis. nomor surat atau laporan yang masuk) sebelum menutup "
                          "tindak lanjut. Tidak ada yang disimpan.")
    when = when or datetime.now()
    closed = status == "selesai"
    with store.write() as cur:
        # The update names the status the user saw: on a shared store another user (or app process) may have
        # moved the action meanwhile; the row it locks also keeps the history numbers of one action in order.
        moved = cur.execute(
            "UPDATE tindak_lanjut SET status = ?, changed_at = ?, closed_at = ?, "
            "evidence_note = CASE WHEN ? THEN ? ELSE evidence_note END WHERE action_id = ? AND status = ? "
            "RETURNING action_id",
            [status, when, when if closed else None, closed, note, action_id, row["status"]],
        ).fetchall()
        if not moved:
            raise ActionError(f"Tindak lanjut #{action_id} baru saja diubah pengguna lain; muat ulang halaman lalu "
                              "ulangi. Tidak ada yang disimpan.")
        seq = cur.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM tindak_lanjut_riwayat WHERE action_id = ?",
                          [action_id]).fetchall()[0][0]
        cur.execute("INSERT INTO tindak_lanjut_riwayat VALUES (?, ?, ?, ?, ?, ?)",
                    [action_id, seq, when, actor_name(user), status, note])
        store.audit_in(cur, user, "tindak_lanjut_status", target=f"tindak lanjut #{action_id}",
                            detail=f"{STATUSES[row['status']]} → {STATUSES[status]}" + (f"; {note}" if note else ""),
                            when=when)


def close_resolved(store: Store, action_id: int, as_of: date, *, user: Actor, when: datetime | None = None) -> None:
    """The one-click close of an action whose flag is no longer raised at ``as_of``."""
    row = _action_row(store, action_id)
    label = FLAG_BY_CODE[row["flag_code"]].label if row["flag_code"] in FLAG_BY_CODE else "Bendera"
    set_status(store, action_id, "selesai", user=user, when=when,
               note=f"Bendera {label} sudah hilang per {format_date_id(as_of)}.")


def _none(value):
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


# --- reading ----------------------------------------------------------------------------------------------------------


def list_actions(store: Store, *, kabkota: list[str] | None = None) -> pd.DataFrame:
    """Every action, newest first, with the labels of its unit, flag and status."""
    where, params = "", []
    if kabkota:
        where, params = "WHERE kabkota = ANY(?)", [list(kabkota)]
    frame = store.query(f"SELECT * FROM tindak_lanjut {where} ORDER BY action_id DESC", params)
    frame["kabkota_nama"] = frame["kabkota"].map(region_name)
    frame["status_label"] = frame["status"].map(STATUSES)
    frame["flag_label"] = frame["flag_code"].map(lambda c: FLAG_BY_CODE[c].label if c in FLAG_BY_CODE else "")
    frame["due_date"] = pd.to_datetime(frame["due_date"]).dt.date
    return frame


def action_history(store: Store, action_id: int) -> pd.DataFrame:
    history = store.query("SELECT seq, changed_at, user_name, status, note FROM tindak_lanjut_riwayat "
                          "WHERE action_id = ? ORDER BY seq", [action_id])
    history["status_label"] = history["status"].map(STATUSES)
    return history


def raised_pairs(results: Results) -> set[tuple[str, str]]:
    """(agreement, flag code) of every flag raised in ``results``."""
    if results.flags.empty:
        return set()
    return set(zip(results.flags["id_perjanjian"], results.flags["code"], strict=True))


def with_state(actions: pd.DataFrame, results: Results, as_of: date) -> pd.DataFrame:
    """Add ``terlambat`` (open and past its due date at ``as_of``), ``bendera_hilang`` and the sentence saying so."""
    frame = actions.copy()
    is_open = frame["status"].isin(OPEN_STATUSES)
    frame["terlambat"] = is_open & frame["due_date"].map(lambda d: d is not None and pd.notna(d) and d < as_of)
    # Judged only for agreements the results cover: one outside the filters is not "resolved". Only the flags of
    # the actions' own agreements are looked at: a set of every raised pair of a national store, built on every
    # run of Tindak Lanjut, was half of the page's script time.
    ids = results.agreements["id_perjanjian"]
    computed = set(ids[ids.isin(frame["id_perjanjian"])]) if len(frame) else set()
    flags = results.flags
    mine = flags[flags["id_perjanjian"].isin(frame["id_perjanjian"])] if not flags.empty else flags
    raised = set(zip(mine["id_perjanjian"], mine["code"], strict=True)) if not mine.empty else set()
    gone = [
        isinstance(code, str) and agreement in computed and (agreement, code) not in raised
        for agreement, code in zip(frame["id_perjanjian"], frame["flag_code"], strict=True)
    ]
    frame["bendera_hilang"] = is_open & pd.Series(gone, index=frame.index, dtype=bool)
    frame["keadaan_bendera"] = [
        f"bendera sudah hilang per {format_date_id(as_of)}" if hilang else ""
        for hilang in frame["bendera_hilang"]
    ]
    return frame


def proposals(results: Results, actions: pd.DataFrame) -> list[Proposal]:
    """One proposal per raised (agreement, flag) without an open action; the text is the slides' follow-up sentence."""
    from ksln_metrics.present.slides import _agreements_by_id, flag_item, follow_up

    if results.flags.empty:
        return []
    open_actions = actions[actions["status"].isin(OPEN_STATUSES)] if len(actions) else actions
    taken = set(zip(open_actions.get("id_perjanjian", []), open_actions.get("flag_code", []), strict=True))
    by_id = _agreements_by_id(results)
    # One pass over the flags (a pandas group per pair took minutes for the 50,000 flags of a national store).
    raised: dict[tuple[str, str], tuple[str, list]] = {}  # (agreement, code) -> (its kab/kota, the flags' years)
    flags = results.flags
    for agreement, code, unit, year in zip(flags["id_perjanjian"], flags["code"], flags["kabkota_kode"],
                                           flags["year"], strict=True):
        if (agreement, code) not in taken:
            raised.setdefault((agreement, code), (unit, []))[1].append(year)
    found = [Proposal(unit, agreement, code, follow_up(code, [flag_item(agreement, years, by_id)]))
             for (agreement, code), (unit, years) in raised.items()]
    order = {c: i for i, c in enumerate(FLAG_CODES)}
    return sorted(found, key=lambda p: (p.kabkota, order[p.flag_code], p.id_perjanjian))


UNIT_COUNT_COLUMNS = ("kabkota_kode", "kabkota_nama", "terbuka", "terlambat", "selesai", "selesai_tepat_waktu")


def unit_counts(actions: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Per region: open actions, open and overdue, closed, and closed by their due date (or without one)."""
    frame = actions if "terlambat" in actions.columns else actions.assign(
        terlambat=actions["status"].isin(OPEN_STATUSES)
        & actions["due_date"].map(lambda d: d is not None and pd.notna(d) and d < as_of))
    rows = []
    for code in REGIONS:
        mine = frame[frame["kabkota"] == code]
        if mine.empty:
            continue
        closed = mine[mine["status"] == "selesai"]
        on_time = sum(1 for closed_at, due in zip(closed["closed_at"], closed["due_date"], strict=True)
                      if due is None or pd.isna(due) or pd.Timestamp(closed_at).date() <= due)
        rows.append({"kabkota_kode": code, "kabkota_nama": region_name(code),
                     "terbuka": int(mine["status"].isin(OPEN_STATUSES).sum()), "terlambat": int(mine["terlambat"].sum()),
                     "selesai": len(closed), "selesai_tepat_waktu": on_time})
    return pd.DataFrame(rows, columns=list(UNIT_COUNT_COLUMNS))


def reminder_actions(store: Store, as_of: date, kabkota: tuple[str, ...] | None) -> pd.DataFrame:
    """Open actions with a due date, in the columns the reminders read (calendar, letters, e-mails)."""
    frame = list_actions(store, kabkota=list(kabkota) if kabkota else None)
    frame = frame[frame["status"].isin(OPEN_STATUSES) & frame["due_date"].notna()]
    return pd.DataFrame({
        "action_id": frame["action_id"].astype(str),
        "kabkota": frame["kabkota"],
        "id_perjanjian": frame["id_perjanjian"].fillna(""),
        "uraian": frame["description"],
        "batas": frame["due_date"],
        "terlambat": frame["due_date"].map(lambda d: d < as_of).astype(bool),
    })
