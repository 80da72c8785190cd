"""Login, logout, the session timeouts and which pages each role sees: the Streamlit side of ``ksln_metrics.accounts.users``.

A login is a session in the store, checked on every run of the script: it ends on logout,
after ``KSLN_SESSION_IDLE_MINUTES`` without any interaction, ``KSLN_SESSION_MAX_HOURS``
after the login, and when the account is disabled or its password changed. Served through
app.py the browser keeps the session id in an HttpOnly cookie (ksln_ui.session_cookie), so
a reload or another tab stays logged in; otherwise (AppTest, ``streamlit run dashboard.py``)
the session lives in its browser tab only. The account is re-read from the store on every
run, so a change of role takes effect on the next click.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import streamlit as st

from ksln_metrics.access import ADMIN, ANALIS, ROLES, User
from ksln_metrics.accounts.users import (
    ENDED_DISABLED,
    ENDED_IDLE,
    ENDED_LOGOUT,
    ENDED_MAX_AGE,
    ENDED_PASSWORD,
    AccountError,
    LoginFailed,
    LoginPolicy,
    authenticate,
    change_own_password,
    check_session,
    describe_role,
    has_accounts,
    logout,
    start_session,
)
from ksln_metrics.reference import scope
from ksln_ui import session_cookie
from ksln_ui.charts import warm_up
from ksln_ui.literal import literal
from ksln_ui.state import get_store

SESSION_USER = "auth_pengguna"
SESSION_TOKEN = "auth_sesi"  # this tab's session id (the same one as the cookie's when served through app.py)
NOTICE = "auth_pesan"
MAIN_PAGE = "pages/halaman_ringkasan.py"  # where a login goes when the role may not open the page asked for

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


def _ended_notice(reason: str | None, policy: LoginPolicy) -> str | None:
    return {
        ENDED_LOGOUT: "Anda telah keluar.",
        ENDED_IDLE: f"Sesi Anda berakhir karena tidak aktif lebih dari {policy.idle_minutes} menit. Silakan masuk lagi.",
        ENDED_MAX_AGE: f"Sesi Anda berakhir karena sudah lebih dari {policy.max_hours} jam sejak masuk. "
                       "Silakan masuk lagi.",
        ENDED_DISABLED: "Akun Anda dinonaktifkan; hubungi admin.",
        ENDED_PASSWORD: "Kata sandi akun Anda diganti; silakan masuk dengan kata sandi yang baru.",
    }.get(reason)


def _forget(notice: str | None) -> None:
    for key in list(st.session_state):
        del st.session_state[key]  # filters, uploads and forms of the old session go too
    if notice:
        st.session_state[NOTICE] = notice


def current_user() -> User | None:
    """The logged-in user as the store knows it now; None before login, after logout, a timeout or a disabled account.

    The session is this tab's, or else the one the browser's cookie names (after a reload,
    or in a new tab). A session that ends while this tab uses it is explained on the login form.
    """
    token = st.session_state.get(SESSION_TOKEN)
    from_tab = isinstance(token, str)
    if not from_tab:
        token = st.context.cookies.get(session_cookie.COOKIE)
    if not isinstance(token, str) or not token:
        return None
    policy = LoginPolicy.from_env()
    check = check_session(get_store(), token, now=datetime.now(), policy=policy)
    if check.user is None:
        if from_tab:  # a dead cookie alone (after a logout, say) is silently ignored
            _forget(_ended_notice(check.ended, policy))
        return None
    st.session_state[SESSION_USER] = check.user
    st.session_state[SESSION_TOKEN] = token
    return check.user


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


COOKIE_HANDOFF = "auth_kuki"  # the one-time address that gives this browser its cookie, until sent to it

# Fetched by the page itself, without leaving it: the browser keeps the cookie of the answer
# (the redirect is not followed), and the page already shows the app, so the login costs no
# reload of the frontend and its chart library. The address is the app's own (handoff_url):
# a fixed route, a random code of URL-safe characters and a url_path checked by its pattern.
_COOKIE_FETCH = """<script>fetch({url}, {{credentials: "same-origin", redirect: "manual", cache: "no-store"}});</script>"""


def send_session_cookie() -> None:
    """After a login through app.py: let the browser fetch its session cookie once, from the page now shown."""
    url = st.session_state.pop(COOKIE_HANDOFF, None)
    if isinstance(url, str):
        with st.sidebar:
            literal_url = json.dumps(url).replace("<", "\\u003c")  # never closes the script element
            st.html(_COOKIE_FETCH.format(url=literal_url), unsafe_allow_javascript=True, width="content")


def login_form(page: str = "") -> None:
    """The login page: name and password; a wrong password counts towards the lockout.

    ``page`` is the url_path the browser asked for: it opens after the login when the role may see it.
    """
    store = get_store()
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        st.title("Masuk")
        st.caption(f"KSLN Monitor — pemantauan Kerja Sama Luar Negeri {scope().units_label}.")
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
        warm_up()  # the first page after the login draws its charts without waiting for plotly.js
        if submitted:
            try:
                user = authenticate(store, name, password)
            except LoginFailed as exc:
                st.error(literal(str(exc)), icon=":material/lock:")
                return
            policy = LoginPolicy.from_env()
            now = datetime.now()
            token = start_session(store, user, now=now, policy=policy)
            st.session_state[SESSION_USER] = user
            st.session_state[SESSION_TOKEN] = token
            if session_cookie.served():  # the cookie follows in the next run (send_session_cookie)
                st.session_state[COOKIE_HANDOFF] = session_cookie.handoff_url(token, page, policy.max_hours * 3600)
            if user.role not in PAGE_ROLES.get(page, tuple(ROLES)):  # the main page, not "Page not found"
                st.switch_page(MAIN_PAGE)
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
                    change_own_password(get_store(), user, current, new,
                                        keep_session=st.session_state.get(SESSION_TOKEN))
                except AccountError as exc:
                    st.error(literal(str(exc)))
                else:
                    st.success("Kata sandi diganti.")
        if st.button("Keluar", icon=":material/logout:", key="auth_keluar", width="stretch"):
            logout(get_store(), user, token=st.session_state.get(SESSION_TOKEN))
            _forget("Anda telah keluar.")
            st.rerun()
