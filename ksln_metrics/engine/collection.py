"""Data-collection status per kab/kota: last upload, tables sent this year, completeness of the
fields the flags need, and so which flags cannot be judged (``sql/status_pengumpulan.sql``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from ksln_metrics.engine.indicators import sql_text
from ksln_metrics.engine.rules import FLAG_BY_CODE
from ksln_metrics.formatting import format_number_id
from ksln_metrics.reference import REGIONS, SIGNED_STATUSES, TABLES, region_name
from ksln_metrics.store import Store

# Each field the SQL counts: how it is named on screen, and the flags that read it.
FIELD_FLAGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "tanggal_ttd": ("tanggal penandatanganan",
                    ("ceremonial_only", "stalled", "late_report", "missing_report", "expiring_soon", "expired")),
    "tanggal_persetujuan_dprd": ("tanggal persetujuan DPRD", ("no_dprd_approval",)),
    "tanggal_persetujuan_pusat": ("tanggal persetujuan Pusat", ("no_central_approval",)),
    "penandatangan": ("penandatangan", ("delegated_signature",)),
    "tanggal_berakhir": ("tanggal berakhir atau masa berlaku", ("expiring_soon", "expired")),
    "negara": ("negara mitra", ("no_diplomatic_relations",)),
}
TABLE_ORDER = ("perjanjian", "kegiatan", "indikator", "laporan")


def collection_status(store: Store, as_of: date, kabkota: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per (unit, field) with the unit's last upload and tables sent in the year of ``as_of``."""
    params = {"as_of": as_of, "units": list(REGIONS), "status_ditandatangani": list(SIGNED_STATUSES),
              "filter_kabkota": list(kabkota) if kabkota is not None else None}
    frame = store.engine_cursor().execute(sql_text("status_pengumpulan"), params).df()
    frame.insert(1, "kabkota_nama", frame["kabkota"].map(region_name))
    frame["kolom_label"] = frame["kolom"].map(lambda c: FIELD_FLAGS[c][0])
    return frame


@dataclass(frozen=True)
class UnitStatus:
    """One unit's data-collection status, in the words the page shows."""

    kabkota: str
    last_upload: pd.Timestamp | None
    tables_sent: tuple[str, ...]  # table keys sent in the year of as_of, in TABLE_ORDER
    applicable: int  # field cells the flags need, over the unit's agreements
    filled: int
    unjudgeable: tuple[str, ...]  # one sentence per flag that cannot be judged with certainty

    @property
    def completeness(self) -> float | None:
        """Filled cells as a percentage of the cells the flags need; None without agreements."""
        return round(100 * self.filled / self.applicable, 2) if self.applicable else None

    @property
    def tables_missing(self) -> tuple[str, ...]:
        return tuple(t for t in TABLE_ORDER if t not in self.tables_sent)


def unjudgeable_flags(rows: pd.DataFrame) -> tuple[str, ...]:
    """"Tanpa persetujuan DPRD: tanggal persetujuan DPRD kosong pada 4 dari 6 perjanjian", one per flag."""
    reasons: dict[str, list[str]] = {}
    for row in rows.itertuples():
        if row.kosong <= 0:
            continue
        label, flags = FIELD_FLAGS[row.kolom]
        for code in flags:
            reasons.setdefault(code, []).append(
                f"{label} kosong pada {format_number_id(row.kosong, 0)} dari {format_number_id(row.berlaku, 0)} "
                "perjanjian")
    return tuple(f"{FLAG_BY_CODE[code].label}: {'; '.join(parts)}"
                 for code, parts in sorted(reasons.items(), key=lambda item: list(FLAG_BY_CODE).index(item[0])))


def unit_statuses(status: pd.DataFrame) -> list[UnitStatus]:
    """``collection_status`` folded to one ``UnitStatus`` per unit, in the order of the rows."""
    units = []
    for code, rows in status.groupby("kabkota", sort=False):
        first = rows.iloc[0]
        units.append(UnitStatus(
            kabkota=str(code),
            last_upload=first["terakhir_unggah"] if pd.notna(first["terakhir_unggah"]) else None,
            tables_sent=tuple(t for t in TABLE_ORDER if bool(first[f"kirim_{t}"])),
            applicable=int(rows["berlaku"].sum()),
            filled=int(rows["terisi"].sum()),
            unjudgeable=unjudgeable_flags(rows),
        ))
    return units


def table_names(tables: Iterable[str]) -> str:
    """``("perjanjian", "laporan")`` -> ``"Perjanjian, Laporan"`` (sheet names of the template)."""
    return ", ".join(TABLES[t].sheet for t in tables) or "–"


def status_line(units: list[UnitStatus], as_of: date) -> str:
    """The one-line summary on Ringkasan."""
    total = len(units)
    uploaded = sum(1 for u in units if u.tables_sent)
    applicable = sum(u.applicable for u in units)
    filled = sum(u.filled for u in units)
    doubtful = sum(1 for u in units if u.unjudgeable)
    completeness = f"{format_number_id(100 * filled / applicable)} %" if applicable else "–"
    return (f"Pengumpulan data {as_of.year}: {uploaded} dari {total} daerah sudah mengirim data tahun ini; "
            f"kolom yang diperlukan peringatan terisi {completeness}; {doubtful} daerah punya peringatan yang "
            "tidak dapat dinilai sepenuhnya.")
