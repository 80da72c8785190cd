"""KSLN Monitor engine: import, store, indicators and exports. Never imports streamlit."""
