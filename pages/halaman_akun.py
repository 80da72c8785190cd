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
from ksln_metrics.reference import REGIONS, scope
from ksln_metrics.reminders.contacts import (
    ContactError,
    account_emails,
    add_unit_recipient,
    check_email,
    extra_recipients,
    remove_unit_recipient,
    set_account_email,
    unit_recipients,
)
from ksln_ui.auth import require_role
from ksln_ui.literal import literal
from ksln_ui.state import get_store

admin = require_role(ADMIN)
store = get_store()


def unit_label(code: str) -> str:
    return f"{code} — {REGIONS[code]}"


def _province_unit_help() -> str:
    current = scope()
    if current.is_national:
        return "Kode dua angka (mis. 32) = pemerintah provinsi: analisnya boleh mengubah data semua unit provinsi itu."
    return f"{current.code} — {current.title}: analis provinsi boleh mengubah data semua unit."


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
emails = account_emails(store)
st.dataframe(pd.DataFrame({
    "Nama pengguna": accounts["user_name"],
    "Surel": [emails.get(name, "") for name in accounts["user_name"]],
    "Peran": [describe_role(r, k if isinstance(k, str) else None) for r, k in zip(accounts["role"], accounts["kabkota"],
                                                                                   strict=True)],
    "Status": [account_status(a, u) for a, u in zip(accounts["active"], accounts["locked_until"], strict=True)],
    "Masuk terakhir": accounts["last_login"].dt.strftime("%d-%m-%Y %H:%M").fillna("belum pernah"),
    "Dibuat": accounts["created_at"].dt.strftime("%d-%m-%Y"),
}), hide_index=True, width="stretch", key="akun_daftar")

new_tab, change_tab, recipients_tab = st.tabs(["Tambah akun", "Ubah akun", "Penerima pengingat"])

with new_tab, st.form("akun_baru", clear_on_submit=False):
    left, right = st.columns(2)
    name = left.text_input("Nama pengguna", key="akun_baru_nama", max_chars=40, help="mis. budi.santoso")
    role = right.selectbox("Peran", list(ROLES), format_func=ROLES.get, key="akun_baru_peran")
    unit = left.selectbox("Kab/Kota (hanya untuk analis)", list(REGIONS), index=None, format_func=unit_label,
                          key="akun_baru_unit", placeholder="Pilih unit analis",
                          help=_province_unit_help())
    password = right.text_input(f"Kata sandi (minimal {MIN_PASSWORD_LENGTH} karakter)", type="password",
                                key="akun_baru_sandi")
    again = right.text_input("Ulangi kata sandi", type="password", key="akun_baru_ulang")
    address = left.text_input("Surel (opsional, untuk pengingat)", key="akun_baru_surel", max_chars=254,
                              help="Analis kab/kota menerima surel pengingat unitnya di alamat ini.")
    if st.form_submit_button("Buat akun", type="primary", icon=":material/person_add:", key="akun_baru_kirim"):
        try:
            if password != again:
                raise AccountError("Kedua kata sandi tidak sama.")
            if address.strip():
                check_email(address)  # before the account is made: nothing half-written
            created = create_account(store, name, role, password, kabkota=unit if role == ANALIS else None, by=admin)
            if address.strip():
                set_account_email(store, created.name, address, by=admin)
        except (AccountError, ContactError) as exc:
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
                    st.error(literal(str(exc)), icon=":material/error:")
                else:
                    done(f"Peran akun {chosen} disimpan: {describe_role(role, unit if role == ANALIS else None)}.")
        with st.form(f"akun_surel_{chosen}"):
            address = st.text_input("Surel (kosongkan untuk menghapus)", value=emails.get(chosen, ""), max_chars=254,
                                    key=f"akun_surel_isi_{chosen}")
            if st.form_submit_button("Simpan surel", key=f"akun_surel_kirim_{chosen}"):
                try:
                    stored = set_account_email(store, chosen, address, by=admin)
                except ContactError as exc:
                    st.error(literal(str(exc)), icon=":material/error:")
                else:
                    done(f"Surel akun {chosen} {'disimpan: ' + stored if stored else 'dihapus'}.")
        with st.form(f"akun_sandi_{chosen}", clear_on_submit=True):
            password = st.text_input("Kata sandi baru", type="password", key=f"akun_sandi_baru_{chosen}")
            again = st.text_input("Ulangi kata sandi baru", type="password", key=f"akun_sandi_ulang_{chosen}")
            if st.form_submit_button("Ganti kata sandi", key=f"akun_sandi_kirim_{chosen}"):
                try:
                    if password != again:
                        raise AccountError("Kedua kata sandi tidak sama.")
                    set_password(store, chosen, password, by=admin)
                except AccountError as exc:
                    st.error(literal(str(exc)), icon=":material/error:")
                else:
                    done(f"Kata sandi akun {chosen} diganti; kunci akun (bila ada) dibuka.")
        left, right = st.columns(2)
        active = bool(row["active"])
        if left.button("Nonaktifkan akun" if active else "Aktifkan akun", key=f"akun_aktif_{chosen}",
                       icon=":material/person_off:" if active else ":material/person:"):
            try:
                set_active(store, chosen, not active, by=admin)
            except AccountError as exc:
                st.error(literal(str(exc)), icon=":material/error:")
            else:
                done(f"Akun {chosen} {'dinonaktifkan' if active else 'diaktifkan'}.")
        if account_status(row["active"], row["locked_until"]).startswith("terkunci") and right.button(
                "Buka kunci", key=f"akun_buka_{chosen}", icon=":material/lock_open:"):
            unlock(store, chosen, by=admin)
            done(f"Kunci akun {chosen} dibuka.")

with recipients_tab:
    st.caption("Surel pengingat sebuah unit dikirim ke surel akun analis unit itu dan ke alamat tambahan di bawah. "
               "Alamat suatu unit tidak pernah ditampilkan kepada unit lain.")
    target = st.selectbox("Unit", list(REGIONS), format_func=unit_label, key="akun_penerima_unit")
    st.dataframe(unit_recipients(store, target).rename(columns={"email": "Surel", "sumber": "Sumber"}),
                 hide_index=True, key="akun_penerima_daftar")
    with st.form(f"akun_penerima_tambah_{target}", clear_on_submit=True):
        extra = st.text_input("Alamat tambahan", max_chars=254, key=f"akun_penerima_alamat_{target}",
                              placeholder="mis. kerjasama@namadaerah.go.id")
        if st.form_submit_button("Tambah penerima", icon=":material/add:", key=f"akun_penerima_kirim_{target}"):
            try:
                added = add_unit_recipient(store, target, extra, by=admin)
            except ContactError as exc:
                st.error(literal(str(exc)), icon=":material/error:")
            else:
                done(f"{added} ditambahkan sebagai penerima pengingat {REGIONS[target]}.")
    extras = extra_recipients(store, target)
    if extras:
        left, right = st.columns([3, 1])
        gone = left.selectbox("Hapus alamat tambahan", extras, key=f"akun_penerima_hapus_pilih_{target}")
        if right.button("Hapus", icon=":material/delete:", key=f"akun_penerima_hapus_{target}"):
            remove_unit_recipient(store, target, gone, by=admin)
            done(f"{gone} tidak lagi menerima pengingat {REGIONS[target]}.")
