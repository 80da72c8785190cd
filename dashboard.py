"""KSLN Monitor — entry point: page configuration and navigation over pages/."""

import streamlit as st

st.set_page_config(page_title="KSLN Monitor — Provinsi Banten", page_icon=":material/public:", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/data_tersimpan.py", title="Data Tersimpan", icon=":material/database:", default=True),
    ]
)
navigation.run()
