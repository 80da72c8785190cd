"""Changing the settings file from the Pengaturan page: keep its comments, check, write, and audit who changed what.

The settings file documents where every value comes from in comments; a change made in a
form rewrites only the values that changed, so those comments survive. Only an admin may
save; every saved change is one entry (action ``pengaturan``) in the store's audit trail.
The JSON-lines log used before the audit trail (``data/aturan.log.jsonl``) is imported
into it once by ``import_change_log``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ksln_metrics.access import Actor, actor_name, admin_refusal
from ksln_metrics.engine.rules import SETTINGS, Rules, RulesError, parse_rules, rules_path, save_rules
from ksln_metrics.store import AccessDenied, Store

ACTION = "pengaturan"

_SECTION = re.compile(r"^\s*\[([A-Za-z0-9_-]+)\]\s*(?:#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*")


@dataclass(frozen=True)
class SettingChange:
    key: str
    old: Any
    new: Any


def toml_value(value: Any) -> str:
    """One settings value as TOML: numbers, booleans, text, dates and lists of them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        items = [toml_value(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 100:
            return one_line
        lines, line = [], ""
        for item in items:  # wrapped like the hand-written file: several items a line
            if line and len(line) + len(item) + 2 > 90:
                lines.append(line)
                line = ""
            line += ("" if not line else " ") + item + ","
        return "[\n" + "".join(f"  {text}\n" for text in [*lines, line]) + "]"
    raise TypeError(f"cannot write {value!r} as a settings value")


def rules_toml(rules: Rules) -> str:
    """The whole settings file without comments (used only when a rewrite in place is not possible)."""
    lines = []
    for table, values in rules.to_dict().items():
        lines += [f"[{table}]", *(f"{name} = {toml_value(value)}" for name, value in values.items()), ""]
    return "\n".join(lines)


def _value_end(text: str, start: int) -> int:
    """Where the TOML value starting at ``start`` ends (before a trailing comment or the newline)."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            if text.startswith(c * 3, i):
                i = text.find(c * 3, i + 3)
                i = n if i < 0 else i + 3
                continue
            i += 1
            while i < n and text[i] not in (c, "\n"):
                i += 2 if c == '"' and text[i] == "\\" else 1
            i += 1
            continue
        if c == "#":
            if depth == 0:
                return i
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == "\n" and depth == 0:
            return i
        i += 1
    return n


def _locate_values(text: str) -> dict[str, tuple[int, int]]:
    """Dotted key -> (start, end) of its value in ``text``, for keys written as ``name = value`` under ``[table]``."""
    spans: dict[str, tuple[int, int]] = {}
    section, pos = None, 0
    while pos < len(text):
        newline = text.find("\n", pos)
        line_end = len(text) if newline < 0 else newline
        line = text[pos:line_end]
        if match := _SECTION.match(line):
            section = match.group(1)
        elif section and (match := _KEY.match(line)):
            start = pos + match.end()
            end = _value_end(text, start)
            spans[f"{section}.{match.group(1)}"] = (start, start + len(text[start:end].rstrip()))
            newline = text.find("\n", end)
            line_end = len(text) if newline < 0 else newline
        pos = line_end + 1
    return spans


def update_rules_text(text: str, values: Mapping[str, Any]) -> str:
    """``text`` with the values of the dotted ``values`` keys replaced in place, every comment kept.

    Raises KeyError when a key is not written as ``name = value`` under its table.
    """
    spans = _locate_values(text)
    missing = [key for key in values if key not in spans]
    if missing:
        raise KeyError(", ".join(missing))
    for key in sorted(values, key=lambda k: spans[k][0], reverse=True):
        start, end = spans[key]
        text = text[:start] + toml_value(values[key]) + text[end:]
    return text


def changed_settings(old: Rules, new: Rules) -> list[SettingChange]:
    """The settings whose value differs, in the order of the settings file."""
    return [SettingChange(s.key, old.value(s.key), new.value(s.key)) for s in SETTINGS
            if old.value(s.key) != new.value(s.key)]


def change_log_path(path: str | Path | None = None) -> Path:
    """``aturan.log.jsonl`` next to the settings file: the log kept before the audit trail."""
    target = rules_path(path)
    return target.with_name(f"{target.stem}.log.jsonl")


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _describe(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "(kosong)"
    return "" if value is None else str(value)


def record_change(store: Store, changes: list[SettingChange], user: Actor, source: str,
                  path: str | Path | None = None, when: datetime | None = None) -> int:
    """One audit entry for one save: who, when, through which form, and every old and new value."""
    data = {
        "sumber": source,
        "berkas": rules_path(path).name,
        "perubahan": [{"kunci": c.key, "lama": _json_value(c.old), "baru": _json_value(c.new)} for c in changes],
    }
    detail = "; ".join(f"{c.key}: {_describe(c.old)} → {_describe(c.new)}" for c in changes) or "hanya komentar"
    return store.audit(user, ACTION, target=data["berkas"], detail=detail, data=data, when=when)


def read_change_log(store: Store) -> pd.DataFrame:
    """One row per changed setting, newest first: waktu, pengguna, sumber, kunci, lama, baru."""
    columns = ["waktu", "pengguna", "sumber", "kunci", "lama", "baru"]
    entries = store.query(
        "SELECT created_at, user_name, data_json FROM audit WHERE action = ? ORDER BY audit_id DESC", [ACTION]
    )
    rows = []
    for entry in entries.itertuples(index=False):
        data = json.loads(entry.data_json) if isinstance(entry.data_json, str) else {}
        for change in data.get("perubahan") or [{"kunci": "", "lama": None, "baru": None}]:
            rows.append({"waktu": entry.created_at, "pengguna": entry.user_name, "sumber": data.get("sumber"),
                         "kunci": change.get("kunci"), "lama": change.get("lama"), "baru": change.get("baru")})
    return pd.DataFrame(rows, columns=columns)


def import_change_log(store: Store, path: str | Path | None = None) -> int:
    """Move the entries of the old JSON-lines log into the audit trail, then rename the log; return how many."""
    log = change_log_path(path)
    if not log.exists():
        return 0
    imported = 0
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line must not hide the rest of the history
        when = datetime.fromisoformat(entry["waktu"])
        if when.tzinfo is not None:  # the log wrote UTC; the audit trail keeps the server's local time
            when = when.astimezone().replace(tzinfo=None)
        changes = [SettingChange(c.get("kunci", ""), c.get("lama"), c.get("baru")) for c in entry.get("perubahan", [])]
        record_change(store, changes, entry.get("pengguna") or "?", entry.get("sumber") or "?", path, when)
        imported += 1
    log.rename(log.with_name(log.name + ".diimpor"))
    return imported


def _require_admin(user: Actor) -> Actor:
    if refusal := admin_refusal(user, "mengubah pengaturan"):
        raise AccessDenied(refusal)
    if not actor_name(user).strip():
        raise RulesError("Setiap perubahan pengaturan dicatat dengan nama pengubahnya; nama pengguna kosong.",
                         "pengguna")
    return user


def save_settings(values: Mapping[str, Any], user: Actor, path: str | Path | None = None, *,
                  store: Store) -> list[SettingChange] | None:
    """Check and save changed values (dotted keys) from the settings form, comments kept; audit the change.

    Raises AccessDenied unless ``user`` is an admin, and RulesError (message in Bahasa
    Indonesia naming the key) when a value is invalid; then nothing is written. Returns the
    changes, or None when nothing changed and nothing was written.
    """
    user = _require_admin(user)
    target = rules_path(path)
    text = target.read_text(encoding="utf-8")
    old = parse_rules(text)
    new = old.replace(**values)  # checks every value and the sum of the weights
    changes = changed_settings(old, new)
    if not changes:
        return None
    try:
        new_text = update_rules_text(text, {c.key: c.new for c in changes})
        if parse_rules(new_text) != new:
            raise ValueError("rewrite in place changed another value")
    except (KeyError, ValueError):
        new_text = rules_toml(new)
    save_rules(new_text, target)
    record_change(store, changes, user, "formulir", target)
    return changes


def save_settings_text(text: str, user: Actor, path: str | Path | None = None, *,
                       store: Store) -> list[SettingChange] | None:
    """Check and save the settings file as the admin wrote it; audit the changed values.

    Raises RulesError and writes nothing when the text is not a valid settings file; returns
    None when the text is unchanged (nothing written), else the changed values (empty when
    only comments changed).
    """
    user = _require_admin(user)
    target = rules_path(path)
    old_text = target.read_text(encoding="utf-8")
    new = parse_rules(text)
    if text == old_text:
        return None
    changes = changed_settings(parse_rules(old_text), new)
    save_rules(text, target)
    record_change(store, changes, user, "teks", target)
    return changes
