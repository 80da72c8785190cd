"""Follow-up actions (tindak lanjut) in the reminders: a hook for the follow-up module.

The reminders do not know how actions are stored or when one counts as overdue: that is
the follow-up module's (issue 12) judgement. It registers a source once, e.g. at import of
its module::

    from ksln_metrics.reminders.actions import register_action_source
    register_action_source(open_actions)   # (store, as_of, kabkota) -> DataFrame

A source returns one row per open action with the columns of ``ACTION_COLUMNS``:
``action_id`` (stable), ``kabkota`` (unit code), ``id_perjanjian`` (or empty), ``uraian``
(what is to be done), ``batas`` (due date) and ``terlambat`` (overdue as of ``as_of``).
The follow-up module's open actions with a due date (``followup.actions.reminder_actions``)
are registered from the start.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

import pandas as pd

from ksln_metrics.followup.actions import reminder_actions
from ksln_metrics.store import Store

ACTION_COLUMNS = ("action_id", "kabkota", "id_perjanjian", "uraian", "batas", "terlambat")

ActionSource = Callable[[Store, date, tuple[str, ...] | None], pd.DataFrame]
# The follow-up module's open actions are always a source; tests may register more.
_SOURCES: list[ActionSource] = [reminder_actions]


def register_action_source(source: ActionSource) -> None:
    """Make the actions of ``source`` part of every calendar, letter and reminder (once per source)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def unregister_action_source(source: ActionSource) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


def follow_up_actions(store: Store, as_of: date, kabkota: Iterable[str] | None = None) -> pd.DataFrame:
    """Open actions of every registered source for ``kabkota`` (None: every unit), with ``ACTION_COLUMNS``."""
    units = None if kabkota is None else tuple(kabkota)
    frames = []
    for source in _SOURCES:
        frame = source(store, as_of, units)
        missing = [c for c in ACTION_COLUMNS if c not in frame.columns]
        if missing:
            raise ValueError(f"action source {source!r} lacks the columns {missing}")
        frames.append(frame[list(ACTION_COLUMNS)])
    if not frames:
        return pd.DataFrame(columns=list(ACTION_COLUMNS))
    actions = pd.concat(frames, ignore_index=True)
    if units is not None:
        actions = actions[actions["kabkota"].isin(units)]
    return actions.reset_index(drop=True)
