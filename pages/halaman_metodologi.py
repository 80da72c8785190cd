"""Metodologi: how every figure and flag is computed, generated from the definitions the engine uses."""

import streamlit as st

from ksln_metrics.present.methodology import methodology_markdown
from ksln_metrics.present.outline import sections, table_of_contents
from ksln_ui.state import get_rules

parts = sections(methodology_markdown(get_rules()))

for part in parts:
    if part.level == 1:
        st.title(part.title, anchor=part.anchor)
        st.markdown(part.body)
        with st.expander("Daftar isi", expanded=True, icon=":material/toc:"):
            st.markdown(table_of_contents(parts))
    elif part.level == 2:
        st.header(part.title, anchor=part.anchor, divider="gray")
        st.markdown(part.body)
    elif part.level == 3:
        st.subheader(part.title, anchor=part.anchor)
        st.markdown(part.body)
    else:
        st.markdown(part.body)
