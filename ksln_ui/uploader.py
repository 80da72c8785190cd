"""The file uploader of Unggah Data, in Bahasa Indonesia.

Streamlit draws the uploader's texts in its frontend, in English: the "Upload" button, the
"50MB per file • XLSX, …" hint, and the errors "File must be 50.0MB or smaller" and
"application/pdf files are not allowed". So:

- no ``type=`` is given: the browser refuses no file type; every file reaches the importer,
  which refuses what is not a spreadsheet with an Indonesian message naming the file;
- the size limit stays in the browser (a file above it is never sent) and is also the
  importer's (``KSLN_MAX_UPLOAD_MB``); with no type check, a chip marked invalid can only mean
  "too large", so the error tooltip's text is replaced by that sentence in Indonesian;
- the button label and the hint are replaced through constant CSS (``content:`` of a
  pseudo-element; no data in it), keyed on the widget's stable ``data-testid`` attributes.
"""

from __future__ import annotations

import streamlit as st

from ksln_metrics.importing.ingest import Limits

SUPPORTED = ".xlsx, .xlsm, .xls, .ods, .csv"


def _css(limit_mb: int) -> str:
    hint = f"Batas {limit_mb} MB per berkas • {SUPPORTED}"
    too_large = f"Berkas ini lebih besar dari batas {limit_mb} MB dan tidak dikirim. Pecah menjadi beberapa berkas."
    return f"""
<style>
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {{
  font-size: 0 !important; }}
[data-testid="stFileUploaderDropzone"] [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p::after {{
  content: "Pilih berkas"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0 !important; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{hint}"; font-size: 0.875rem; }}
[data-testid="stTooltipErrorContent"], [data-testid="stTooltipErrorContent"] * {{ font-size: 0 !important; }}
[data-testid="stTooltipErrorContent"]::after {{ content: "{too_large}"; font-size: 0.875rem; }}
</style>
"""


def upload_limit_mb() -> int:
    return max(1, int(Limits.from_env().max_bytes // (1024 * 1024)))


def spreadsheet_uploader(label: str, key: str) -> list:
    """Several files, any type; the texts around the widget in Bahasa Indonesia."""
    limit = upload_limit_mb()
    st.html(_css(limit))  # constant CSS (the limit is a setting, not data)
    files = st.file_uploader(label, accept_multiple_files=True, key=key, max_upload_size=limit)
    return files or []
