"""A small store for the reminder tests: two kab/kota with reports on time, late, missing and due soon.

On AS_OF (Monday 5 January 2026) the FY2025 deadline (12 January 2026) is 5 working days away:
- Pandeglang (36.01) P1: FY2024 report arrived late (20 January 2025), FY2025 due; ends 16 March 2026,
  so its 90-day expiry window (from 16 December 2025) is open.
- Lebak (36.02) P2: signed 2025, FY2025 due. P3: FY2023 report never arrived (deadline 10 January
  2024), FY2024 on time, FY2025 due.
- Kabupaten Tangerang (36.03) P4: signed 2025-11-01, ends 2030; nothing to remind yet except the FY2025 deadline.
"""

from __future__ import annotations

from datetime import date

from ksln_metrics.accounts.users import create_account
from ksln_metrics.reminders.contacts import add_unit_recipient, set_account_email
from tests.unit.builders import build_store, d, laporan, perjanjian

AS_OF = date(2026, 1, 5)

AGREEMENTS = [
    perjanjian("P1", kabkota="36.01", judul="MoU Pendidikan Pandeglang–Kota Contoh", mitra="Kota Contoh",
               tanggal_ttd=d("2024-02-01"), tanggal_berakhir=d("2026-03-16")),
    perjanjian("P2", kabkota="36.02", judul="MoU Pertanian Lebak–Hwasun", mitra="Kabupaten Hwasun",
               tanggal_ttd=d("2025-06-01"), tanggal_berakhir=d("2030-06-01"), penandatangan="Bupati Lebak"),
    perjanjian("P3", kabkota="36.02", judul="MoU Kehutanan Lebak–Nordic Trust", mitra="Nordic Rainforest Trust",
               jenis="KSDLL", tanggal_ttd=d("2023-01-15"), tanggal_berakhir=d("2029-01-15"),
               penandatangan="Bupati Lebak"),
    perjanjian("P4", kabkota="36.03", judul="MoU Industri Tangerang–Yongin", mitra="Kota Yongin",
               tanggal_ttd=d("2025-11-01"), tanggal_berakhir=d("2030-11-01"), penandatangan="Bupati Tangerang"),
]
REPORTS = [
    laporan("P1", 2024, "2025-01-20"),
    laporan("P3", 2024, "2025-01-08"),
]

RECIPIENTS = {
    "36.01": ["analis.pandeglang@pandeglangkab.go.id"],
    "36.02": ["analis.lebak@lebakkab.go.id", "kerjasama@lebakkab.go.id"],
    "36.03": ["kerjasama@tangerangkab.go.id"],
}


def reminder_store(path, *, with_contacts: bool = True):
    """The store above; with contacts: an analyst e-mail per unit and one extra address for Lebak."""
    store = build_store(path, AGREEMENTS, laporan_rows=REPORTS)
    if with_contacts:
        create_account(store, "analis.pandeglang", "analis", "sandi-pandeglang-uji", kabkota="36.01", by="pengujian")
        set_account_email(store, "analis.pandeglang", RECIPIENTS["36.01"][0], by="pengujian")
        create_account(store, "analis.lebak", "analis", "sandi-lebak-uji1", kabkota="36.02", by="pengujian")
        set_account_email(store, "analis.lebak", RECIPIENTS["36.02"][0], by="pengujian")
        add_unit_recipient(store, "36.02", RECIPIENTS["36.02"][1], by="pengujian")
        add_unit_recipient(store, "36.03", RECIPIENTS["36.03"][0], by="pengujian")
    return store
