"""Changing the settings file from the Pengaturan page: keep its comments, check, write, and log who changed what.

The settings file documents where every value comes from in comments; a change made in a
form rewrites only the values that changed, so those comments survive. Every saved change
is appended to a JSON-lines log next to the file (``data/aturan.log.jsonl``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ksln_metrics.rules import SETTINGS, Rules, RulesError, parse_rules, rules_path, save_rules

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
    """``aturan.log.jsonl`` next to the settings file in use."""
    target = rules_path(path)
    return target.with_name(f"{target.stem}.log.jsonl")


def _json_value(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def record_change(changes: list[SettingChange], user: str, source: str, path: str | Path | None = None,
                  when: datetime | None = None) -> dict:
    """Append one entry (time, user, source, old and new values) to the change log; return it."""
    entry = {
        "waktu": (when or datetime.now(UTC)).isoformat(timespec="seconds"),
        "pengguna": user,
        "sumber": source,
        "berkas": rules_path(path).name,
        "perubahan": [{"kunci": c.key, "lama": _json_value(c.old), "baru": _json_value(c.new)} for c in changes],
    }
    log = change_log_path(path)
    with log.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return entry


def read_change_log(path: str | Path | None = None) -> pd.DataFrame:
    """One row per changed setting, newest first: waktu, pengguna, sumber, kunci, lama, baru."""
    columns = ["waktu", "pengguna", "sumber", "kunci", "lama", "baru"]
    log = change_log_path(path)
    if not log.exists():
        return pd.DataFrame(columns=columns)
    rows = []
    for line in log.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line must not hide the rest of the history
        changes = entry.get("perubahan") or [{"kunci": "", "lama": None, "baru": None}]
        for change in changes:
            rows.append({"waktu": entry.get("waktu"), "pengguna": entry.get("pengguna"), "sumber": entry.get("sumber"),
                         "kunci": change.get("kunci"), "lama": change.get("lama"), "baru": change.get("baru")})
    return pd.DataFrame(rows[::-1], columns=columns)


def _require_user(user: str) -> str:
    user = (user or "").strip()
    if not user:
        raise RulesError("Isi nama Anda lebih dulu; setiap perubahan pengaturan dicatat dengan nama pengubahnya.",
                         "pengguna")
    return user


def save_settings(values: Mapping[str, Any], user: str, path: str | Path | None = None) -> list[SettingChange] | None:
    """Check and save changed values (dotted keys) from the settings form, comments kept; log the change.

    Raises RulesError (message in Bahasa Indonesia naming the key) and writes nothing when a
    value is invalid. Returns the changes, or None when nothing changed and nothing was written.
    """
    user = _require_user(user)
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
    record_change(changes, user, "formulir", target)
    return changes


def save_settings_text(text: str, user: str, path: str | Path | None = None) -> list[SettingChange] | None:
    """Check and save the settings file as the admin wrote it; log the changed values.

    Raises RulesError and writes nothing when the text is not a valid settings file; returns
    None when the text is unchanged (nothing written), else the changed values (empty when
    only comments changed).
    """
    user = _require_user(user)
    target = rules_path(path)
    old_text = target.read_text(encoding="utf-8")
    new = parse_rules(text)
    if text == old_text:
        return None
    changes = changed_settings(parse_rules(old_text), new)
    save_rules(text, target)
    record_change(changes, user, "teks", target)
    return changes
