"""KSLN Monitor's server: dashboard.py served by Streamlit's Starlette app, plus the login-cookie route.

Start it with ``streamlit run app.py`` (``make run`` does); the options of ``streamlit run``
and ``.streamlit/config.toml`` apply as usual. See ksln_ui/session_cookie.py for the route.
"""

from streamlit.runtime.pages_manager import PagesManager
from streamlit.starlette import App

from ksln_ui import collector, session_cookie

# The pages live in pages/ next to dashboard.py, so Streamlit would take the app for an old-style
# (v1) multipage app until dashboard.py's first st.navigation() call: the first deep link a fresh
# server serves would be resolved against pages/ file names and answered with a "Page not found"
# dialog (streamlit#9992, #8860). The app uses st.navigation() only; say so before any run.
PagesManager.uses_pages_directory = False

session_cookie.enable()
# A full garbage collection once a minute instead of after every script run (runner.postScriptGC = false
# in .streamlit/config.toml): with many sessions those per-run collections were most of the server's time.
collector.start()
app = App("dashboard.py", routes=session_cookie.routes())
