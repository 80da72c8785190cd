"""Edit one row in the app: an agreement, activity, indicator or report, as a batch of kind ``perubahan_manual``.

The form's values are written as a one-row CSV with the template's headers and read by
the importer itself, so a manual edit passes exactly the checks of an upload (dates,
money, codes, regions, the parent agreement, required columns). The batch keeps that CSV
as its raw file; history, rollback, the unit rule and the audit trail are the upload's.
An activity, indicator or report whose key (date and name, year) is corrected closes its
old row in the same batch.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from ksln_metrics.access import Actor
from ksln_metrics.formatting import format_number_id
from ksln_metrics.importing.ingest import Problem, Upload, read_upload
from ksln_metrics.reference import BOOL, DATE, MONEY, NUMBER, STORED_COLUMNS, TABLES, Column
from ksln_metrics.store import BatchResult, Store, StoreError

TABLE_LABELS = {"perjanjian": "Perjanjian", "kegiatan": "Kegiatan", "indikator": "Indikator", "laporan": "Laporan"}


class EditRefused(StoreError):
    """A manual edit that cannot be saved; ``problems`` lists what the importer found. Nothing was written."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.problems = problems or []


def editable_columns(table: str) -> list[Column]:
    """The stored columns of ``table`` in template order (children name their agreement by id only)."""
    stored = set(STORED_COLUMNS[table])
    seen, columns = set(), []
    for column in TABLES[table].columns:
        if column.name in stored and column.name not in seen:
            seen.add(column.name)
            columns.append(column)
    return columns


def cell_text(column: Column, value) -> str:
    """A stored value written the way the import reads it: ``11-03-2019``, ``Ya``, ``1.234,50``."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if column.kind == DATE:
        day = value.date() if isinstance(value, datetime | pd.Timestamp) else value
        return day.strftime("%d-%m-%Y") if isinstance(day, date) else str(value)
    if column.kind == BOOL:
        return "Ya" if bool(value) else "Tidak"
    if column.kind in (NUMBER, MONEY) or isinstance(value, int | float):
        number = float(value)
        return str(int(number)) if number.is_integer() else format_number_id(number, 2)
    return str(value)


def form_values(store: Store, table: str, key: dict) -> dict[str, str]:
    """The current row named by ``key`` as form texts per column name."""
    where = " AND ".join(f"{k} = ?" for k in TABLES[table].key)
    frame = store.query(f"SELECT * FROM {table} WHERE {where}", [key[k] for k in TABLES[table].key])
    if frame.empty:
        raise EditRefused(f"Baris {TABLE_LABELS[table]} yang dipilih tidak ada lagi (mungkin baru diubah orang lain).")
    row = frame.iloc[0]
    return {c.name: cell_text(c, row[c.name]) for c in editable_columns(table)}


def edit_csv(table: str, values: dict[str, str]) -> bytes:
    """The one-row CSV the importer reads: template headers, ``;``-separated, UTF-8."""
    columns = editable_columns(table)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([c.label for c in columns])
    writer.writerow([(values.get(c.name) or "").strip() for c in columns])
    return buffer.getvalue().encode("utf-8")


@dataclass
class ManualEdit:
    table: str
    key: dict  # the row as it was
    upload: Upload

    @property
    def new_key(self) -> dict:
        row = self.upload.tables[self.table].iloc[0]
        return {k: _plain(row[k]) for k in TABLES[self.table].key}


def _plain(value):
    """Key values compared alike whatever their source: dates as ``date``, whole numbers as ``int``."""
    if isinstance(value, datetime | pd.Timestamp):
        return value.date()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _same_key(a: dict, b: dict) -> bool:
    return all(_plain(a[k]) == _plain(b[k]) for k in a)


def check_edit(store: Store, table: str, key: dict, values: dict[str, str]) -> ManualEdit:
    """Read the form through the importer; EditRefused lists every problem, as an upload would."""
    if table not in TABLE_LABELS:
        raise EditRefused(f"Tabel '{table}' tidak dapat diubah.")
    name = f"perubahan-manual-{table}-{key['id_perjanjian']}.csv"
    upload = read_upload(name, edit_csv(table, values), store=store)
    if not upload.ok:
        raise EditRefused("Perubahan tidak disimpan: " + "; ".join(
            f"{p.column}: {p.message}" for p in upload.errors), upload.errors)
    rows = upload.tables.get(table)
    if rows is None or len(rows) != 1:
        raise EditRefused("Perubahan tidak disimpan: isian tidak terbaca sebagai satu baris "
                          f"{TABLE_LABELS[table].lower()}.")
    edit = ManualEdit(table, key, upload)
    if edit.new_key["id_perjanjian"] != key["id_perjanjian"]:
        raise EditRefused("Perubahan tidak disimpan: ID Perjanjian tidak dapat diubah lewat formulir ini "
                          f"(tetap {key['id_perjanjian']}).")
    if not _same_key(edit.new_key, key):
        where = " AND ".join(f"{k} = ?" for k in TABLES[table].key)
        taken = store.query(f"SELECT count(*) AS n FROM {table} WHERE {where}",
                            [edit.new_key[k] for k in TABLES[table].key])["n"].iloc[0]
        if taken:
            raise EditRefused(f"Perubahan tidak disimpan: sudah ada baris {TABLE_LABELS[table].lower()} lain dengan "
                              "kunci yang sama (" + ", ".join(str(v) for v in edit.new_key.values()) + ").")
    return edit


def commit_edit(store: Store, edit: ManualEdit, *, user: Actor) -> BatchResult:
    """Write the checked edit as one batch ``perubahan_manual``; the store checks the unit rule and audits it."""
    remove = None
    if not _same_key(edit.new_key, edit.key):
        remove = {edit.table: pd.DataFrame([{k: edit.key[k] for k in TABLES[edit.table].key}])}
    upload = edit.upload
    return store.commit(upload.tables, user=user, kind="perubahan_manual", file_name=upload.file_name,
                        content=upload.content, sha256=upload.sha256, regions=upload.regions, remove=remove)


def save_edit(store: Store, table: str, key: dict, values: dict[str, str], *, user: Actor) -> BatchResult:
    """Check and write one row's edit; nothing is written when a check fails."""
    return commit_edit(store, check_edit(store, table, key, values), user=user)
