"""Switching the configured province inside one test process, through the real setting (KSLN_PROVINSI).

The rest of the suite runs in the default scope (36, Banten); a block or fixture that serves another
province puts the environment back and makes the settings be read again when it ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from ksln_metrics import reference, settings


@contextmanager
def configured_province(code: str) -> Iterator[reference.Scope]:
    """``KSLN_PROVINSI=code`` for the block, read through ``ksln_metrics.settings`` like the app reads it."""
    before = os.environ.get(settings.PROVINSI_ENV)
    os.environ[settings.PROVINSI_ENV] = code
    settings.reload()
    try:
        yield reference.scope()
    finally:
        if before is None:
            os.environ.pop(settings.PROVINSI_ENV, None)
        else:
            os.environ[settings.PROVINSI_ENV] = before
        settings.reload()
