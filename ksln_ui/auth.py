"""Login, logout, the idle timeout and which pages each role sees: the Streamlit side of ``ksln_metrics.accounts.users``.

A login lasts for one browser session (one tab; reloading the page asks again) and ends
after ``KSLN_SESSION_IDLE_MINUTES`` without any interaction. The account is re-read from the
store on every run, so disabling it or changing its role takes effect on the next click.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import streamlit as st

from ksln_metrics.access import ADMIN, ANALIS, ROLES, User
from ksln_metrics.accounts.users import (
    AccountError,
    LoginFailed,
    LoginPolicy,
    active_user,
    authenticate,
    change_own_password,
    describe_role,
    has_accounts,
    logout,
    session_expired,
)
from ksln_ui.state import get_store

SESSION_USER = "auth_pengguna"
SESSION_ACTIVE = "auth_terakhir_aktif"  # time of the last run of this session (the idle clock)
NOTICE = "auth_pesan"

# url_path -> the roles that see the page; every page not listed is seen by every role.
PAGE_ROLES: dict[str, tuple[str, ...]] = {
    "unggah": (ANALIS, ADMIN),
    "pengaturan": (ADMIN,),
    "akun": (ADMIN,),
    "audit": (ADMIN,),
}


def pages_for(user: User, pages: Sequence) -> list:
    """The pages ``user``'s role may open, in the given order."""
    return [p for p in pages if user.role in PAGE_ROLES.get(p.url_path, tuple(ROLES))]


def _end_session(reason: str | None, notice: str) -> None:
    user = st.session_state.get(SESSION_USER)
    if isinstance(user, User):
        logout(get_store(), user, reason=reason)
    for key in list(st.session_state):
        del st.session_state[key]  # filters, uploads and forms of the old session go too
    st.session_state[NOTICE] = notice


def current_user() -> User | None:
    """The logged-in user as the store knows it now; None before login, after logout, a timeout or a disabled account."""
    user = st.session_state.get(SESSION_USER)
    if not isinstance(user, User):
        return None
    policy = LoginPolicy.from_env()
    now = datetime.now()
    last = st.session_state.get(SESSION_ACTIVE)
    if not isinstance(last, datetime) or session_expired(last, now, policy):
        _end_session(f"sesi berakhir: tidak aktif lebih dari {policy.idle_minutes} menit",
                     f"Sesi Anda berakhir karena tidak aktif lebih dari {policy.idle_minutes} menit. Silakan masuk lagi.")
        return None
    fresh = active_user(get_store(), user.name)
    if fresh is None:
        _end_session("akun dinonaktifkan atau dihapus", "Akun Anda dinonaktifkan; hubungi admin.")
        return None
    st.session_state[SESSION_USER] = fresh
    st.session_state[SESSION_ACTIVE] = now
    return fresh


def signed_in() -> User:
    """The user dashboard.py let through (for pages)."""
    user = st.session_state.get(SESSION_USER)
    if not isinstance(user, User):
        st.error("Silakan masuk lebih dulu.", icon=":material/lock:")
        st.stop()
    return user


def require_role(*roles: str) -> User:
    """The signed-in user when their role is one of ``roles``; otherwise a refusal and the page stops."""
    user = signed_in()
    if user.role not in roles:
        allowed = ", ".join(ROLES[r].lower() for r in roles)
        st.error(f"Halaman ini hanya untuk {allowed}; Anda masuk sebagai {user.describe()}.", icon=":material/block:")
        st.stop()
    return user


def login_form() -> None:
    """The login page: name and password; a wrong password counts towards the lockout."""
    store = get_store()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Masuk")
        st.caption("KSLN Monitor — pemantauan Kerja Sama Luar Negeri Pemerintah Provinsi Banten dan kabupaten/kota.")
        if notice := st.session_state.pop(NOTICE, None):
            st.info(notice, icon=":material/info:")
        if not has_accounts(store):
            st.warning(
                "Belum ada akun. Di server, jalankan `python -m ksln_metrics users ensure-admin` (atau `make run`): "
                "akun admin pertama dibuat dan kata sandinya dicetak sekali di terminal.",
                icon=":material/key:",
            )
        with st.form("masuk_formulir"):
            name = st.text_input("Nama pengguna", key="masuk_nama", autocomplete="username", max_chars=40)
            password = st.text_input("Kata sandi", type="password", key="masuk_sandi", autocomplete="current-password",
                                     max_chars=200)
            submitted = st.form_submit_button("Masuk", type="primary", icon=":material/login:", key="masuk_kirim")
        if submitted:
            try:
                user = authenticate(store, name, password)
            except LoginFailed as exc:
                st.error(str(exc), icon=":material/lock:")
                return
            st.session_state[SESSION_USER] = user
            st.session_state[SESSION_ACTIVE] = datetime.now()
            st.rerun()


def account_sidebar(user: User) -> None:
    """Who is logged in, changing one's own password, and logging out."""
    with st.sidebar:
        st.caption(f"Masuk sebagai **{user.name}** — {describe_role(user.role, user.kabkota)}")
        with st.popover("Ganti kata sandi", icon=":material/key:", width="stretch"):
            with st.form("akun_sandi_sendiri", clear_on_submit=True):
                current = st.text_input("Kata sandi saat ini", type="password", key="akun_sandi_lama")
                new = st.text_input("Kata sandi baru", type="password", key="akun_sandi_baru")
                again = st.text_input("Ulangi kata sandi baru", type="password", key="akun_sandi_ulang")
                changed = st.form_submit_button("Ganti kata sandi", key="akun_sandi_kirim")
            if changed:
                try:
                    if new != again:
                        raise AccountError("Kedua kata sandi baru tidak sama; kata sandi tidak diganti.")
                    change_own_password(get_store(), user, current, new)
                except AccountError as exc:
                    st.error(str(exc))
                else:
                    st.success("Kata sandi diganti.")
        if st.button("Keluar", icon=":material/logout:", key="auth_keluar", width="stretch"):
            _end_session(None, "Anda telah keluar.")
            st.rerun()
