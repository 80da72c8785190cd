"""The audit trail read back: filters by user, action and date; exports escape what a spreadsheet would run."""

import io
from datetime import date, datetime

from openpyxl import load_workbook

from ksln_metrics.accounts.audit import audit_csv, audit_log, audit_xlsx
from ksln_metrics.store import Store


def test_filters_and_exports(store_location):
    with Store(store_location) as store:
        store.audit("budi", "masuk", target="budi", when=datetime(2026, 3, 1, 8, 0))
        store.audit("=HYPERLINK(\"http://x\")", "gagal_masuk", detail="akun tidak dikenal", when=datetime(2026, 3, 2, 9))
        store.audit("ani", "pengaturan", detail="@SUM(A1)", when=datetime(2026, 3, 3, 23, 59))
        every = audit_log(store)
        assert every["user_name"].tolist() == ["ani", "=HYPERLINK(\"http://x\")", "budi"]  # newest first
        assert audit_log(store, users=["budi"])["action"].tolist() == ["masuk"]
        assert audit_log(store, actions=["gagal_masuk", "pengaturan"])["aksi"].tolist() == [
            "Perubahan pengaturan", "Gagal masuk"]
        assert audit_log(store, start=date(2026, 3, 2), end=date(2026, 3, 3))["user_name"].tolist() == [
            "ani", "=HYPERLINK(\"http://x\")"]  # the end day is included whole
    text = audit_csv(every).decode("utf-8-sig")
    assert text.splitlines()[0] == "No.;Waktu;Pengguna;Aksi;Objek;Rincian;Batch"
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "03-03-2026 23:59:00" in text
    sheet = load_workbook(io.BytesIO(audit_xlsx(every)))["Audit"]
    assert sheet.freeze_panes == "A2" and sheet.max_row == 4
    assert sheet["C3"].value == "'=HYPERLINK(\"http://x\")" and sheet["C3"].data_type == "s"
