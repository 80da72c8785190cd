"""Akun (admin): every account, a new account, and changes to one account — each one audited."""

import pandas as pd
import streamlit as st

from ksln_metrics.access import ADMIN, ANALIS, ROLES
from ksln_metrics.accounts.users import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    account_status,
    create_account,
    describe_role,
    list_accounts,
    set_active,
    set_password,
    set_role,
    unlock,
)
from ksln_metrics.reference import REGIONS
from ksln_ui.auth import require_role
from ksln_ui.state import get_store

admin = require_role(ADMIN)
store = get_store()


def unit_label(code: str) -> str:
    return f"{code} — {REGIONS[code]}"


def done(message: str) -> None:
    st.session_state["akun_pesan"] = message
    st.rerun()


st.title("Akun")
st.caption("Pimpinan melihat semua halaman tanpa mengubah data; analis mengunggah dan membatalkan data unitnya sendiri "
           "(analis provinsi, kode 36, untuk semua unit); admin mengelola akun dan pengaturan. Setiap perubahan "
           "dicatat di jejak audit.")
if message := st.session_state.pop("akun_pesan", None):
    st.success(message, icon=":material/task_alt:")

accounts = list_accounts(store)
st.dataframe(pd.DataFrame({
    "Nama pengguna": accounts["user_name"],
    "Peran": [describe_role(r, k if isinstance(k, str) else None) for r, k in zip(accounts["role"], accounts["kabkota"],
                                                                                   strict=True)],
    "Status": [account_status(a, u) for a, u in zip(accounts["active"], accounts["locked_until"], strict=True)],
    "Masuk terakhir": accounts["last_login"].dt.strftime("%d-%m-%Y %H:%M").fillna("belum pernah"),
    "Dibuat": accounts["created_at"].dt.strftime("%d-%m-%Y"),
}), hide_index=True, width="stretch", key="akun_daftar")

new_tab, change_tab = st.tabs(["Tambah akun", "Ubah akun"])

with new_tab, st.form("akun_baru", clear_on_submit=False):
    left, right = st.columns(2)
    name = left.text_input("Nama pengguna", key="akun_baru_nama", max_chars=40, help="mis. budi.lebak")
    role = right.selectbox("Peran", list(ROLES), format_func=ROLES.get, key="akun_baru_peran")
    unit = left.selectbox("Kab/Kota (hanya untuk analis)", list(REGIONS), index=None, format_func=unit_label,
                          key="akun_baru_unit", placeholder="Pilih unit analis",
                          help="36 — Provinsi Banten: analis provinsi boleh mengubah data semua unit.")
    password = right.text_input(f"Kata sandi (minimal {MIN_PASSWORD_LENGTH} karakter)", type="password",
                                key="akun_baru_sandi")
    again = right.text_input("Ulangi kata sandi", type="password", key="akun_baru_ulang")
    if st.form_submit_button("Buat akun", type="primary", icon=":material/person_add:", key="akun_baru_kirim"):
        try:
            if password != again:
                raise AccountError("Kedua kata sandi tidak sama.")
            created = create_account(store, name, role, password, kabkota=unit if role == ANALIS else None, by=admin)
        except AccountError as exc:
            st.error(f"Akun tidak dibuat. {exc}", icon=":material/error:")
        else:
            done(f"Akun {created.name} dibuat: {describe_role(created.role, created.kabkota)}.")

with change_tab:
    if accounts.empty:
        st.info("Belum ada akun.")
    else:
        chosen = st.selectbox("Akun", accounts["user_name"].tolist(), key="akun_pilih")
        row = accounts.set_index("user_name").loc[chosen]
        current_unit = row["kabkota"] if isinstance(row["kabkota"], str) else None
        st.caption(f"{describe_role(row['role'], row['kabkota'] if isinstance(row['kabkota'], str) else None)} — "
                   f"{account_status(row['active'], row['locked_until'])}")
        with st.form(f"akun_peran_{chosen}"):
            left, right = st.columns(2)
            role = left.selectbox("Peran", list(ROLES), index=list(ROLES).index(row["role"]), format_func=ROLES.get,
                                  key=f"akun_peran_pilih_{chosen}")
            unit = right.selectbox("Kab/Kota (hanya untuk analis)", list(REGIONS),
                                   index=list(REGIONS).index(current_unit) if current_unit else None,
                                   format_func=unit_label, key=f"akun_unit_pilih_{chosen}", placeholder="Pilih unit analis")
            if st.form_submit_button("Simpan peran", key=f"akun_peran_kirim_{chosen}"):
                try:
                    set_role(store, chosen, role, kabkota=unit if role == ANALIS else None, by=admin)
                except AccountError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    done(f"Peran akun {chosen} disimpan: {describe_role(role, unit if role == ANALIS else None)}.")
        with st.form(f"akun_sandi_{chosen}", clear_on_submit=True):
            password = st.text_input("Kata sandi baru", type="password", key=f"akun_sandi_baru_{chosen}")
            again = st.text_input("Ulangi kata sandi baru", type="password", key=f"akun_sandi_ulang_{chosen}")
            if st.form_submit_button("Ganti kata sandi", key=f"akun_sandi_kirim_{chosen}"):
                try:
                    if password != again:
                        raise AccountError("Kedua kata sandi tidak sama.")
                    set_password(store, chosen, password, by=admin)
                except AccountError as exc:
                    st.error(str(exc), icon=":material/error:")
                else:
                    done(f"Kata sandi akun {chosen} diganti; kunci akun (bila ada) dibuka.")
        left, right = st.columns(2)
        active = bool(row["active"])
        if left.button("Nonaktifkan akun" if active else "Aktifkan akun", key=f"akun_aktif_{chosen}",
                       icon=":material/person_off:" if active else ":material/person:"):
            try:
                set_active(store, chosen, not active, by=admin)
            except AccountError as exc:
                st.error(str(exc), icon=":material/error:")
            else:
                done(f"Akun {chosen} {'dinonaktifkan' if active else 'diaktifkan'}.")
        if account_status(row["active"], row["locked_until"]).startswith("terkunci") and right.button(
                "Buka kunci", key=f"akun_buka_{chosen}", icon=":material/lock_open:"):
            unlock(store, chosen, by=admin)
            done(f"Kunci akun {chosen} dibuka.")
