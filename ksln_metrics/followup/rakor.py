"""Named rakor meetings and what changed between two reference dates ("Sejak rakor 11 Maret 2026").

Every judgement comes from the engine: the flags and scores at each date are
``compute(store, as_of)`` on the same store, so the flag comparison equals the difference
of two ``export --level perjanjian`` runs. Actions opened and closed come from the
follow-up tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from ksln_metrics.access import Actor, actor_name
from ksln_metrics.engine.indicators import Filters, Results, compute
from ksln_metrics.engine.rules import FLAG_BY_CODE, FLAG_CODES, Rules
from ksln_metrics.followup.actions import ActionError, manage_refusal
from ksln_metrics.formatting import format_date_id
from ksln_metrics.reference import REGIONS, region_name
from ksln_metrics.store import AccessDenied, Store

CHANGES = ("baru", "selesai", "tetap")
DIFF_COLUMNS = ("id_perjanjian", "kabkota_kode", "flag", "label", "perubahan")


# --- meetings -------------------------------------------------------------------------------------------------


def record_meeting(store: Store, name: str, day: date, *, user: Actor, when: datetime | None = None) -> int:
    """Store a rakor by name and date (province analysts and admins); returns its number."""
    refusal = manage_refusal(user)
    if refusal:
        message = refusal.replace("membuat atau mengubah tindak lanjut", "mencatat rakor")
        store.audit(user, "tindak_lanjut_ditolak", target=f"rakor {name}", detail=message)
        raise AccessDenied(message)
    name = (name or "").strip()
    if not name:
        raise ActionError("Nama rakor wajib diisi. Tidak ada yang disimpan.")
    if len(name) > 200:
        raise ActionError("Nama rakor terlalu panjang (paling banyak 200 karakter). Tidak ada yang disimpan.")
    if not isinstance(day, date):
        raise ActionError("Tanggal rakor wajib diisi. Tidak ada yang disimpan.")
    when = when or datetime.now()
    with store.write() as cur:
        number = store.next_id(cur, "rakor", "rakor_id")
        cur.execute("INSERT INTO rakor VALUES (?, ?, ?, ?, ?)", [number, name, day, actor_name(user), when])
        store.audit_in(cur, user, "rakor_dicatat", target=f"rakor #{number}",
                            detail=f"{name}, {format_date_id(day)}", when=when)
    return int(number)


def meetings(store: Store) -> pd.DataFrame:
    """Every stored rakor, latest date first."""
    frame = store.query("SELECT rakor_id, nama, tanggal FROM rakor ORDER BY tanggal DESC, rakor_id DESC")
    frame["tanggal"] = pd.to_datetime(frame["tanggal"]).dt.date
    return frame


def last_meeting(store: Store, before: date) -> tuple[str, date] | None:
    """The latest rakor held before ``before`` (name, date), or None."""
    rows = store.cursor().execute(
        "SELECT nama, tanggal FROM rakor WHERE tanggal < ? ORDER BY tanggal DESC, rakor_id DESC LIMIT 1", [before]
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


# --- the comparison ---------------------------------------------------------------------------------------------


def _flag_pairs(results: Results) -> dict[tuple[str, str], str]:
    """(agreement, flag code) -> kab/kota, read from the ``flags`` column the export writes."""
    pairs = {}
    for agreement, region, codes in zip(results.agreements["id_perjanjian"], results.agreements["kabkota_kode"],
                                        results.agreements["flags"], strict=True):
        for code in (codes or "").split(";"):
            if code:
                pairs[(agreement, code)] = region
    return pairs


def flag_changes(before: Results, after: Results) -> pd.DataFrame:
    """One row per agreement and flag raised at either date: ``baru``, ``selesai`` or ``tetap``."""
    old, new = _flag_pairs(before), _flag_pairs(after)
    order = {c: i for i, c in enumerate(FLAG_CODES)}
    rows = []
    for key in sorted(old.keys() | new.keys(), key=lambda k: ((new.get(k) or old.get(k)), k[0], order.get(k[1], 99))):
        agreement, code = key
        change = "tetap" if key in old and key in new else ("baru" if key in new else "selesai")
        rows.append({"id_perjanjian": agreement, "kabkota_kode": new.get(key) or old[key], "flag": code,
                     "label": FLAG_BY_CODE[code].label if code in FLAG_BY_CODE else code, "perubahan": change})
    return pd.DataFrame(rows, columns=list(DIFF_COLUMNS))


@dataclass(frozen=True)
class Since:
    """What changed from ``start`` to ``end``: flags, scores, agreements and actions, per agreement and per unit."""

    start: date
    end: date
    meeting: str | None  # the rakor held on ``start``, when there was one
    flags: pd.DataFrame  # flag_changes
    scores: pd.DataFrame  # agreements whose score changed: id_perjanjian, kabkota_kode, skor_dari, skor_ke
    new_agreements: pd.DataFrame  # active at ``end`` and not at ``start``
    ended_agreements: pd.DataFrame  # active at ``start`` and not at ``end``
    actions_opened: pd.DataFrame
    actions_closed: pd.DataFrame
    units: pd.DataFrame  # one row per region with any change

    @property
    def title(self) -> str:
        return f"Sejak rakor {format_date_id(self.start)}"

    def count(self, change: str) -> int:
        return int((self.flags["perubahan"] == change).sum())


def since(store: Store, start: date, end: date, rules: Rules | None = None, filters: Filters | None = None,
          *, meeting: str | None = None, after: Results | None = None) -> Since:
    """Compare the engine's results at ``start`` and at ``end`` on the current data (``after``: those of ``end``
    when the caller has them already)."""
    filters = filters or Filters()
    before = compute(store, start, rules, filters)
    after = after if after is not None else compute(store, end, rules, filters)
    changes = flag_changes(before, after)
    a = before.agreements.set_index("id_perjanjian")
    b = after.agreements.set_index("id_perjanjian")
    both = a.index.intersection(b.index)
    scores = pd.DataFrame({"id_perjanjian": both, "kabkota_kode": b.loc[both, "kabkota_kode"].values,
                           "skor_dari": a.loc[both, "skor"].values, "skor_ke": b.loc[both, "skor"].values})
    moved = ~((scores["skor_dari"] == scores["skor_ke"]) | (scores["skor_dari"].isna() & scores["skor_ke"].isna()))
    scores = scores[moved].reset_index(drop=True)
    was_active = set(a.index[a["aktif"].astype(bool)])
    is_active = set(b.index[b["aktif"].astype(bool)])
    columns = ["id_perjanjian", "kabkota_kode", "judul", "mitra"]
    new_agreements = after.agreements[after.agreements["id_perjanjian"].isin(is_active - was_active)][columns]
    ended = before.agreements[before.agreements["id_perjanjian"].isin(was_active - is_active)][columns]
    opened, closed = _actions_between(store, start, end, filters)
    units = _per_unit(before, after, changes, new_agreements, ended, opened, closed)
    return Since(start, end, meeting, changes, scores, new_agreements.reset_index(drop=True),
                 ended.reset_index(drop=True), opened, closed, units)


def _actions_between(store: Store, start: date, end: date, filters: Filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Actions created, and actions closed (now selesai), after ``start`` up to and including ``end``."""
    low = datetime.combine(start + timedelta(days=1), datetime.min.time())
    high = datetime.combine(end + timedelta(days=1), datetime.min.time())
    regions = list(filters.kabkota) if filters.kabkota is not None else list(REGIONS)
    common = "SELECT action_id, kabkota, id_perjanjian, flag_code, description, status FROM tindak_lanjut "
    opened = store.query(common + "WHERE created_at >= ? AND created_at < ? AND kabkota = ANY(?) "
                         "ORDER BY action_id", [low, high, regions])
    closed = store.query(common + "WHERE status = 'selesai' AND closed_at >= ? AND closed_at < ? "
                         "AND kabkota = ANY(?) ORDER BY action_id", [low, high, regions])
    return opened, closed


UNIT_COLUMNS = ("kabkota_kode", "kabkota_nama", "baru", "selesai", "tetap", "skor_dari", "skor_ke",
                "perjanjian_baru", "perjanjian_berakhir", "tl_dibuka", "tl_ditutup")


def _per_unit(before, after, changes, new_agreements, ended, opened, closed) -> pd.DataFrame:
    score_from = dict(zip(before.regions["kabkota_kode"], before.regions["skor_rata_rata"], strict=True))
    score_to = dict(zip(after.regions["kabkota_kode"], after.regions["skor_rata_rata"], strict=True))
    rows = []
    for code in REGIONS:
        mine = changes[changes["kabkota_kode"] == code]
        row = {
            "kabkota_kode": code, "kabkota_nama": region_name(code),
            **{c: int((mine["perubahan"] == c).sum()) for c in CHANGES},
            "skor_dari": score_from.get(code), "skor_ke": score_to.get(code),
            "perjanjian_baru": int((new_agreements["kabkota_kode"] == code).sum()),
            "perjanjian_berakhir": int((ended["kabkota_kode"] == code).sum()),
            "tl_dibuka": int((opened["kabkota"] == code).sum()), "tl_ditutup": int((closed["kabkota"] == code).sum()),
        }
        counted = [row[k] for k in (*CHANGES, "perjanjian_baru", "perjanjian_berakhir", "tl_dibuka", "tl_ditutup")]
        if any(counted) or not _same(row["skor_dari"], row["skor_ke"]):
            rows.append(row)
    return pd.DataFrame(rows, columns=list(UNIT_COLUMNS))


def _same(x, y) -> bool:
    return (pd.isna(x) and pd.isna(y)) or x == y


def since_last_meeting(store: Store, end: date, rules: Rules | None = None, filters: Filters | None = None,
                       *, after: Results | None = None) -> Since | None:
    """The comparison from the last rakor held before ``end`` to ``end``; None when no rakor is stored."""
    found = last_meeting(store, end)
    if found is None:
        return None
    name, day = found
    return since(store, day, end, rules, filters, meeting=name, after=after)


def diff_table(store: Store, start: date, end: date, rules: Rules | None = None) -> pd.DataFrame:
    """The rows of ``python -m ksln_metrics diff``: flag changes with the agreement's score at both dates."""
    before, after = compute(store, start, rules), compute(store, end, rules)
    table = flag_changes(before, after)
    score_from = dict(zip(before.agreements["id_perjanjian"], before.agreements["skor"], strict=True))
    score_to = dict(zip(after.agreements["id_perjanjian"], after.agreements["skor"], strict=True))
    table["skor_dari"] = table["id_perjanjian"].map(score_from)
    table["skor_ke"] = table["id_perjanjian"].map(score_to)
    return table
