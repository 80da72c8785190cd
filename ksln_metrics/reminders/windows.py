"""When a reminder is due: the windows of ``[pengingat]`` in the rules file, on working days.

A report deadline has windows of N working days before it (default 30, 14, 7, 1) and one
the day after it when the report is still missing. An expiry has windows of N calendar days
before the end of validity (default 90, 60, 30, 7); a window whose day is not a working day
opens on the working day before it, so that nobody is first told on a Saturday what is due
on Monday. An overdue action has one window. On a given day an item is in at most one
window: the latest one reached, so that a first run late in a window still reminds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from ksln_metrics.engine.calendar import is_working_day
from ksln_metrics.engine.rules import Rules
from ksln_metrics.reminders.agenda import ACTION, EXPIRY, LATE, MISSING, REPORT, UPCOMING, Item

AFTER_DEADLINE = "lewat"


@dataclass(frozen=True)
class Reminder:
    """An item in the window it has reached on ``as_of``."""

    item: Item
    window: str  # stable code, part of the de-duplication key: "30hk", "lewat", "90h"

    @property
    def label(self) -> str:
        """The window in Indonesian, e.g. ``7 hari kerja sebelum batas``."""
        if self.window == AFTER_DEADLINE:
            return "sesudah batas" if self.item.kind == REPORT else "melewati batas waktu"
        if self.window.endswith("hk"):
            return f"{self.window[:-2]} hari kerja sebelum batas"
        return f"{self.window[:-1]} hari sebelum berakhir"


def expiry_window_opens(end: date, days: int, rules: Rules) -> date:
    """The day the ``days``-before window of an expiry opens: ``end - days``, or the working day before it."""
    day = end - timedelta(days=days)
    while not is_working_day(day, rules):
        day -= timedelta(days=1)
    return day


def window_of(item: Item, as_of: date, rules: Rules) -> str | None:
    """The latest window ``item`` has reached on ``as_of``; None when no reminder is due for it."""
    if item.kind == REPORT:
        if item.status == MISSING:
            return AFTER_DEADLINE if rules.reminder_after_deadline else None
        if item.status != UPCOMING or item.hari_kerja is None:
            return None  # received already
        # hari_kerja: the engine's count of working days after as_of up to the deadline.
        reached = [n for n in rules.reminder_report_days if item.hari_kerja <= n]
        return f"{min(reached)}hk" if reached else None
    if item.kind == EXPIRY:
        if item.status != UPCOMING or item.tanggal < as_of:
            return None
        reached = [n for n in rules.reminder_expiry_days if as_of >= expiry_window_opens(item.tanggal, n, rules)]
        return f"{min(reached)}h" if reached else None
    if item.kind == ACTION and item.status == LATE:
        return AFTER_DEADLINE
    return None


def due_reminders(items: Iterable[Item], as_of: date, rules: Rules) -> list[Reminder]:
    """Every item that has reached a window on ``as_of``, with that window."""
    return [Reminder(item, window) for item in items if (window := window_of(item, as_of, rules))]
