"""Streamlit-side helpers shared by the pages: the cached store and common widgets."""
