"""KSLN Monitor — entry point: page configuration, global filters and navigation over pages/."""

from pathlib import Path

import streamlit as st

from ksln_ui.state import sidebar_filters

st.set_page_config(page_title="KSLN Monitor — Provinsi Banten", page_icon=str(Path(__file__).parent / "static" / "favicon.png"), layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/halaman_ringkasan.py", title="Ringkasan", icon=":material/dashboard:", url_path="ringkasan", default=True),
        st.Page("pages/halaman_kabupaten_kota.py", title="Kabupaten/Kota", icon=":material/map:", url_path="kabupaten-kota"),
        st.Page("pages/halaman_perjanjian.py", title="Perjanjian", icon=":material/handshake:", url_path="perjanjian"),
        st.Page("pages/halaman_peringatan.py", title="Peringatan", icon=":material/flag:", url_path="peringatan"),
        st.Page("pages/halaman_unggah_data.py", title="Unggah Data", icon=":material/upload_file:", url_path="unggah"),
        st.Page("pages/halaman_metodologi.py", title="Metodologi", icon=":material/menu_book:", url_path="metodologi"),
        st.Page("pages/halaman_presentasi.py", title="Presentasi", icon=":material/slideshow:", url_path="presentasi"),
        st.Page("pages/halaman_pengaturan.py", title="Pengaturan", icon=":material/settings:", url_path="pengaturan"),
    ]
)
sidebar_filters()
navigation.run()
