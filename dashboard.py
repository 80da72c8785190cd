"""KSLN Monitor — entry point: page configuration, login, global filters and navigation over pages/."""

from pathlib import Path

import streamlit as st

from ksln_metrics.reference import scope
from ksln_metrics.settings import SettingsError
from ksln_ui.auth import account_sidebar, current_user, login_form, pages_for, send_session_cookie
from ksln_ui.state import sidebar_filters

ICON = str(Path(__file__).parent / "static" / "favicon.png")
try:
    TITLE = f"KSLN Monitor — {scope().title}"
except SettingsError as error:  # KSLN_PROVINSI or data/ksln.toml names no province: say so, run nothing
    st.set_page_config(page_title="KSLN Monitor", page_icon=ICON, layout="wide")
    st.error(f"Pengaturan wilayah tidak dapat dipakai. {error}", icon=":material/error:")
    st.stop()
st.set_page_config(page_title=TITLE, page_icon=ICON, layout="wide")

pages = [
        st.Page("pages/halaman_ringkasan.py", title="Ringkasan", icon=":material/dashboard:", url_path="ringkasan", default=True),
        st.Page("pages/halaman_kabupaten_kota.py", title="Kabupaten/Kota", icon=":material/map:", url_path="kabupaten-kota"),
        st.Page("pages/halaman_perjanjian.py", title="Perjanjian", icon=":material/handshake:", url_path="perjanjian"),
        st.Page("pages/halaman_peringatan.py", title="Peringatan", icon=":material/flag:", url_path="peringatan"),
        st.Page("pages/halaman_tindak_lanjut.py", title="Tindak Lanjut", icon=":material/assignment_turned_in:", url_path="tindak-lanjut"),
        st.Page("pages/halaman_status_data.py", title="Status Data", icon=":material/fact_check:", url_path="status-data"),
        st.Page("pages/halaman_unggah_data.py", title="Unggah Data", icon=":material/upload_file:", url_path="unggah"),
        st.Page("pages/halaman_metodologi.py", title="Metodologi", icon=":material/menu_book:", url_path="metodologi"),
        st.Page("pages/halaman_pengingat.py", title="Pengingat", icon=":material/notifications:", url_path="pengingat"),
        st.Page("pages/halaman_presentasi.py", title="Presentasi", icon=":material/slideshow:", url_path="presentasi"),
        st.Page("pages/halaman_pengaturan.py", title="Pengaturan", icon=":material/settings:", url_path="pengaturan"),
        st.Page("pages/halaman_akun.py", title="Akun", icon=":material/group:", url_path="akun"),
        st.Page("pages/halaman_audit.py", title="Audit", icon=":material/policy:", url_path="audit"),
]
if scope().is_national:  # Kemendagri's view: the provinces and their drill-down take the place of one province's units
    pages[1] = st.Page("pages/halaman_provinsi.py", title="Provinsi", icon=":material/map:", url_path="provinsi")
# Each role sees only its pages (ksln_ui.auth.PAGE_ROLES); the store checks every write again.
user = current_user()
if user is None:
    # Every page registered but hidden: a deep link survives the login, and no page runs before it.
    login_form(st.navigation(pages, position="hidden").url_path)
    st.stop()
# expanded: with more than twelve pages Streamlit would hide some behind an English "View more" button.
navigation = st.navigation(pages_for(user, pages), expanded=True)
account_sidebar(user)
send_session_cookie()
sidebar_filters(navigation, user)
navigation.run()
