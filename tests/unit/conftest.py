"""Shared fixtures of the unit tests: the demo store, its results and rakor slides, the deck drawn once.

Drawing charts with kaleido starts a browser (about 2 s, then 0,3 s a chart), so the deck is
built once per test session and every deck test reads that one file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ksln_metrics.engine.indicators import Results, compute
from ksln_metrics.engine.rules import DEFAULT_RULES, Rules, load_rules
from ksln_metrics.importing import sandbox
from ksln_metrics.present.slides import Slide, build_slides, footer_text
from ksln_metrics.sample.demo import load_demo
from ksln_metrics.store import Store

MEETING_AS_OF = date(2026, 11, 28)  # the demo's fixed "today": the same flags every day


@pytest.fixture(scope="session")
def meeting_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rakor") / "demo.duckdb"
    with Store(path) as store:
        load_demo(store, today=MEETING_AS_OF)
    return path


@pytest.fixture(scope="session")
def meeting_rules() -> Rules:
    return load_rules(DEFAULT_RULES)


@pytest.fixture(scope="session")
def meeting_results(meeting_db, meeting_rules) -> Results:
    with Store(meeting_db) as store:
        return compute(store, MEETING_AS_OF, meeting_rules)


@pytest.fixture(scope="session")
def meeting_slides(meeting_results, meeting_rules) -> list[Slide]:
    return build_slides(meeting_results, MEETING_AS_OF, rules=meeting_rules, sample_data=True)


@pytest.fixture(scope="session")
def meeting_deck(meeting_slides):
    """The deck of the demo store with its charts drawn by the machine's Chromium."""
    from ksln_metrics.present.deck import build_deck

    return build_deck(meeting_slides, footer_text(MEETING_AS_OF))


@pytest.fixture
def small_worker(monkeypatch):
    """The worker restarted with a 16 MB budget, and restarted again with the default afterwards."""
    sandbox.stop_worker()
    monkeypatch.setenv(sandbox.MEMORY_ENV, "16")
    yield
    sandbox.stop_worker()
