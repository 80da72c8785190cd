"""Today's date for the whole application, which an operator or a test can fix.

``KSLN_HARI_INI=2026-11-28`` makes the dashboard, the command line and the defaults of the
engine compute as if it were that day: for a rakor rehearsal on prepared data, and so that
the page and browser tests give the same figures in any year.
"""

from __future__ import annotations

import os
from datetime import date

ENV = "KSLN_HARI_INI"


def today() -> date:
    """``KSLN_HARI_INI`` (YYYY-MM-DD) when set, else the system date."""
    fixed = os.environ.get(ENV, "").strip()
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise ValueError(f"{ENV}={fixed!r} bukan tanggal yang sah; tulis TTTT-BB-HH, mis. 2026-11-28.") from None
