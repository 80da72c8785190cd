"""What a unit must be reminded of, read from the engine: report deadlines, expiries, follow-up actions.

Every date and status here comes from the engine's own computation (``compute`` and
``fiscal_year_table`` of ``engine/indicators.py``, i.e. the SQL of ``engine/sql/``): the
deadline of each fiscal year an agreement was active in, whether its report arrived on
time, late or not at all, the end of validity and the ``expired`` flag. Nothing is judged
again here; this module only turns those rows into items a calendar, a letter or an e-mail
can name.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from ksln_metrics.engine.indicators import agreements_and_years
from ksln_metrics.engine.rules import Rules
from ksln_metrics.formatting import format_date_id
from ksln_metrics.reminders.actions import follow_up_actions
from ksln_metrics.store import Store

REPORT, EXPIRY, ACTION = "laporan", "berakhir", "tindak_lanjut"

# Statuses of an item.
UPCOMING = "akan_datang"  # a report or an action not due yet / an agreement still valid
MISSING = "belum_masuk"  # report deadline passed, no report (engine: belum_masuk)
LATE = "terlambat"  # report arrived after its deadline (engine: terlambat) / action overdue
ON_TIME = "tepat_waktu"  # report arrived by its deadline
ENDED = "berakhir"  # validity ended but the status still says it runs (engine flag ``expired``)


class Item(NamedTuple):
    """One dated thing of one unit: a report deadline, an expiry, or an action's due date.

    Immutable, as a frozen dataclass would be, but made in about 0.6 µs instead of 1.6 µs: a national agenda
    has about 100,000 items.
    """

    key: str  # stable across runs: the de-duplication of reminders rests on it
    kind: str
    kabkota: str
    id_perjanjian: str | None
    judul: str
    mitra: str
    tanggal: date  # the deadline, the end of validity, or the due date
    status: str
    tahun_anggaran: int | None = None
    diterima: date | None = None
    hari_kerja: int | None = None  # working days: until the deadline, past it, or late (per status)
    uraian: str | None = None  # what an action asks for

    @property
    def agreement(self) -> str:
        return f"{self.judul} ({self.mitra})" if self.mitra else self.judul

    def title(self) -> str:
        """What the item is, e.g. ``Laporan tahunan TA 2025 — MoU ... (Kota Kitakyushu)``."""
        if self.kind == REPORT:
            return f"Laporan tahunan TA {self.tahun_anggaran} — {self.agreement}"
        if self.kind == EXPIRY:
            return f"Masa berlaku berakhir — {self.agreement}"
        return f"Tindak lanjut: {self.uraian}" + (f" — {self.agreement}" if self.judul else "")

    def state(self, as_of: date) -> str:
        """Where the item stands on ``as_of``, in Indonesian, with its dates."""
        when = format_date_id(self.tanggal)
        if self.kind == REPORT:
            if self.status == MISSING:
                return f"batas {when}; belum masuk (lewat {self.hari_kerja} hari kerja)"
            if self.status == LATE:
                return (f"batas {when}; masuk {format_date_id(self.diterima)}, "
                        f"terlambat {self.hari_kerja} hari kerja")
            if self.status == ON_TIME:
                return f"batas {when}; masuk tepat waktu {format_date_id(self.diterima)}"
            return f"batas {when}; {self.hari_kerja} hari kerja lagi"
        if self.kind == EXPIRY:
            if self.status == ENDED:
                return f"berakhir {when}; status masih berjalan"
            return f"berakhir {when}; {(self.tanggal - as_of).days} hari lagi"
        if self.status == LATE:
            return f"batas {when}; melewati batas waktu"
        return f"batas {when}"

    def line(self, as_of: date) -> str:
        return f"{self.title()}: {self.state(as_of)}"


def _true(value) -> bool:
    """A SQL boolean that may be NULL (no report: neither on time nor late)."""
    return False if value is None or pd.isna(value) else bool(value)


def _agreement_names(agreements: pd.DataFrame) -> pd.DataFrame:
    names = agreements[["id_perjanjian", "kabkota_kode", "judul", "mitra"]].copy()
    names["mitra"] = names["mitra"].where(names["mitra"].notna(), "")
    return names


def _flag(column: pd.Series) -> pd.Series:
    return column.astype("boolean").fillna(False).astype(bool)


def _dates(column: pd.Series) -> list:
    """Each value as a ``date``, None when empty (numpy's days give ``date`` objects and None for NaT)."""
    return pd.to_datetime(column).to_numpy(dtype="datetime64[D]").tolist()


def _ints(column: pd.Series) -> list:
    """Each value as an ``int`` (truncated, as ``int()`` does), None when empty."""
    values = column.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    missing = np.isnan(values)
    whole = np.trunc(np.where(missing, 0, values)).astype(np.int64).tolist()
    return [None if empty else number for number, empty in zip(whole, missing.tolist(), strict=True)]


def _report_items(years: pd.DataFrame, agreements: pd.DataFrame) -> list[Item]:
    # Column-wise: a national store has about 100.000 agreement-years.
    rows = years.merge(_agreement_names(agreements), on="id_perjanjian", how="inner")
    missing, late, on_time = _flag(rows["belum_masuk"]), _flag(rows["terlambat"]), _flag(rows["tepat_waktu"])
    status = np.select([missing, late, on_time], [MISSING, LATE, ON_TIME], UPCOMING)
    past = rows["hari_kerja_lewat"].astype("Float64")
    working_days = np.select([missing, late, status == UPCOMING],
                             [past, rows["hari_kerja_terlambat"].astype("Float64"), -past], np.nan)
    return [
        Item(key=f"{REPORT}:{agreement}:{year}", kind=REPORT, kabkota=unit, id_perjanjian=agreement, judul=title,
             mitra=partner, tanggal=deadline, status=state, tahun_anggaran=year, diterima=received,
             hari_kerja=days)
        for agreement, year, unit, title, partner, deadline, state, received, days in zip(
            rows["id_perjanjian"].tolist(), _ints(rows["tahun_anggaran"]), rows["kabkota_kode"].tolist(),
            rows["judul"].tolist(), rows["mitra"].tolist(), _dates(rows["batas"]), status.tolist(),
            _dates(rows["diterima"]), _ints(pd.Series(working_days)), strict=True)
    ]


def _expiry_items(agreements: pd.DataFrame, as_of: date) -> list[Item]:
    # Column-wise, as _report_items: a national store has 20,000 agreements.
    names = _agreement_names(agreements)
    items = []
    for agreement, unit, title, partner, end, active, flags in zip(
            names["id_perjanjian"].tolist(), names["kabkota_kode"].tolist(), names["judul"].tolist(),
            names["mitra"].tolist(), _dates(agreements["tanggal_berakhir"]), agreements["aktif"].tolist(),
            agreements["flags"].tolist(), strict=True):
        ended = "expired" in str(flags or "").split(";")
        if end is None or not (_true(active) or ended):
            continue
        items.append(Item(key=f"{EXPIRY}:{agreement}", kind=EXPIRY, kabkota=unit, id_perjanjian=agreement,
                          judul=title, mitra=partner, tanggal=end, status=ENDED if ended else UPCOMING))
    return items


def _action_items(actions: pd.DataFrame, agreements: pd.DataFrame) -> list[Item]:
    names = _agreement_names(agreements).drop(columns="kabkota_kode").set_index("id_perjanjian")
    items = []
    for action_id, unit, agreement, due, late, text in zip(
            actions["action_id"].tolist(), actions["kabkota"].tolist(), actions["id_perjanjian"].tolist(),
            _dates(actions["batas"]), actions["terlambat"].tolist(), actions["uraian"].tolist(), strict=True):
        if due is None:
            continue
        known = isinstance(agreement, str) and agreement in names.index
        items.append(Item(
            key=f"{ACTION}:{action_id}",
            kind=ACTION,
            kabkota=unit,
            id_perjanjian=agreement if known else None,
            judul=names.at[agreement, "judul"] if known else "",
            mitra=names.at[agreement, "mitra"] if known else "",
            tanggal=due,
            status=LATE if _true(late) else UPCOMING,
            uraian=str(text),
        ))
    return items


def agenda(store: Store, as_of: date, rules: Rules, kabkota: Iterable[str] | None = None) -> list[Item]:
    """Every report deadline, expiry and action due date of ``kabkota`` (None: all units), by unit and date."""
    units = None if kabkota is None else list(kabkota)
    agreements, years = agreements_and_years(store, as_of, rules, kabkota=units)
    actions = follow_up_actions(store, as_of, units)
    with _cycle_collector_paused():
        items = _report_items(years, agreements) + _expiry_items(agreements, as_of) + _action_items(actions, agreements)
        return sorted(items, key=lambda i: (i.kabkota, i.tanggal, i.key))


_pause_lock = threading.Lock()
_pauses = 0  # agendas being made now, in any thread
_resume = False  # whether the first of them found the collector on


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while the items are made.

    A national agenda makes about 100,000 items (and as many sort keys), none of them part of a
    cycle; each few hundred of them set the collector off, and every few tens of thousands it
    walks every object of the process: a third of the agenda's time (bench/bench_reminders.py).
    The pause is process-wide and sessions make agendas in threads of their own: it is counted
    under a lock, the first pause remembers whether the collector was on, and the last one to end
    (however its block ends) turns it back on only then.
    """
    global _pauses, _resume
    with _pause_lock:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def letter_items(items: Iterable[Item], as_of: date, rules: Rules) -> list[Item]:
    """What a reminder letter lists: late or missing reports, agreements ending within the longest
    expiry window (or ended while still marked running), and overdue actions."""
    horizon = max(rules.reminder_expiry_days, default=0)
    chosen = []
    for item in items:
        if item.kind == REPORT and item.status in (MISSING, LATE):
            chosen.append(item)
        elif item.kind == EXPIRY and (item.status == ENDED or 0 <= (item.tanggal - as_of).days <= horizon):
            chosen.append(item)
        elif item.kind == ACTION and item.status == LATE:
            chosen.append(item)
    return chosen
