"""What every page shares: the store, the rules, the global filters and the cached results.

Results are cached under a key made of the store's data version (the newest batch), the
rules file's content and the filters, so a commit, a rollback or a settings change is
seen on the next rerun without any explicit invalidation.
"""

from __future__ import annotations

import hashlib
import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TypeVar

import pandas as pd
import streamlit as st

from ksln_metrics.clock import today as clock_today
from ksln_metrics.db import check_location, is_postgres
from ksln_metrics.engine.agreement import AgreementRecord, load_agreement
from ksln_metrics.engine.indicators import AgreementDetail, Filters, Results, agreement_detail, compute
from ksln_metrics.engine.rules import Rules, load_rules, rules_path
from ksln_metrics.reference import REGIONS, country_name, is_province_government, scope
from ksln_metrics.store import Store, StoreBusy, StoreError, default_db_path
from ksln_ui.literal import literal

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _open_store(path: str) -> Store:
    return Store(path)


BUSY_RETRY_SECONDS = 3


def get_store() -> Store:
    """The store of ``KSLN_DB`` (a DuckDB file, data/ksln.duckdb, or a PostgreSQL URL), opened once per server process.

    While another process holds the file (an import from the command line), or the PostgreSQL
    server cannot be reached or refuses the login, the page says so in Bahasa Indonesia and
    tries again every few seconds; nothing is cached until it opens. A PostgreSQL URL that
    carries a password (or is incomplete) will not mend by waiting: the page says why and stops.
    """
    location = str(default_db_path())
    if is_postgres(location):
        try:
            check_location(location)
        except StoreError as exc:  # the message never repeats the password
            st.error(literal(str(exc)), icon=":material/error:")
            st.stop()
    try:
        return _open_store(location)
    except StoreBusy as exc:
        st.info(str(exc), icon=":material/hourglass_top:")
        time.sleep(BUSY_RETRY_SECONDS)
        st.rerun()
    except StoreError as exc:  # e.g. the PostgreSQL server is restarting or refuses the login
        st.error(literal(str(exc)), icon=":material/error:")
        time.sleep(BUSY_RETRY_SECONDS)
        st.rerun()


def data_version(store: Store):
    """Changes whenever a batch is committed or rolled back (a rollback is a batch too) or a file is attached, on
    PostgreSQL also when another process changes the engine's tables; the store says (``Store.data_version``)."""
    return store.data_version()


def rules_version() -> str:
    path = rules_path()
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""


@st.cache_data(show_spinner=False, max_entries=8)
def _rules(version: str) -> Rules:
    return load_rules()


def get_rules() -> Rules:
    return _rules(rules_version())


R = TypeVar("R")


def _own_copy(value: R) -> R:
    """``value`` with every frame and series a shallow copy: pandas' copy-on-write makes any change the
    caller makes (a column added, a cell set, an in-place sort) land in its copy only, and copies no data."""
    return replace(value, **{f.name: getattr(value, f.name).copy(deep=False) for f in fields(value)
                             if isinstance(getattr(value, f.name), pd.DataFrame | pd.Series)})


# The engine's results are kept once per process and key, as objects (st.cache_resource): st.cache_data would
# unpickle a full copy of every frame on each call, i.e. per session and per page run (and 30 copies in memory
# while 30 sessions draw), for frames no page changes in place. Each caller gets _own_copy() of them instead.
@st.cache_resource(show_spinner="Menghitung indikator…", max_entries=32)
def _results(db: str, version: int, rules_key: str, as_of: date, filters: Filters) -> Results:
    return compute(get_store(), as_of, get_rules(), filters)


def get_results(as_of: date, filters: Filters | None = None) -> Results:
    """Scores and flags for ``as_of`` under ``filters``: the same engine call as the exports.

    Computed once per data version, rules and filters for every session of this server; what the caller
    changes in the frames it gets stays its own.
    """
    store = get_store()
    return _own_copy(_results(str(store.path), data_version(store), rules_version(), as_of, filters or Filters()))


@st.cache_resource(show_spinner=False, max_entries=32)
def _agreement_detail(db: str, version: int, rules_key: str, agreement_id: str, as_of: date) -> AgreementDetail | None:
    return agreement_detail(get_store(), agreement_id, as_of, get_rules())


def get_agreement_detail(agreement_id: str, as_of: date) -> AgreementDetail | None:
    """One agreement as the engine judges it (documents, activities, indicators, reports) for ``as_of``; shared
    as ``get_results``."""
    store = get_store()
    detail = _agreement_detail(str(store.path), data_version(store), rules_version(), agreement_id, as_of)
    return None if detail is None else _own_copy(detail)


@st.cache_resource(show_spinner=False, max_entries=64)
def _agreement_record(db: str, version: int, agreement_id: str) -> AgreementRecord | None:
    return load_agreement(get_store(), agreement_id)


def get_agreement_record(agreement_id: str) -> AgreementRecord | None:
    """The stored rows of one agreement (``agreement.load_agreement``), read once per data version for every session."""
    store = get_store()
    record = _agreement_record(str(store.path), data_version(store), agreement_id)
    return None if record is None else _own_copy(record)


def results_key(view: View) -> tuple:
    """What a result of the engine for ``view`` depends on: the store, the province, its data version, the rules, the filters.

    Anything computed from ``get_results(view.as_of, view.filters)`` alone may be shared under it.
    """
    store = get_store()
    return str(store.path), scope().code, data_version(store), rules_version(), view.as_of, view.filters


SHARED_ENTRIES = 256
_shared_values: OrderedDict[tuple, object] = OrderedDict()  # (name, key) -> value, least recently used first
_shared_building: dict[tuple, threading.Lock] = {}  # (name, key) -> held while its value is built
_shared_lock = threading.Lock()


def shared(name: str, key: tuple, build: Callable[[], T]) -> T:
    """``build()`` computed once per ``(name, key)`` for every session of this server, and the same object returned.

    For what a page draws from cached results (a chart, a display table): ``key`` must hold
    everything ``build`` depends on (``results_key(view)`` and the page's own choices), and
    the caller must not change what it gets (st.plotly_chart and st.dataframe only read it).
    A plain dictionary (at most ``SHARED_ENTRIES``, the least recently used dropped first), not
    st.cache_resource: its hashing of the arguments on every call was a few per cent of a page's
    run, for a key Python hashes at once. Two sessions asking for a value not built yet wait
    for one build.
    """
    entry = (name, key)
    with _shared_lock:
        if entry in _shared_values:
            _shared_values.move_to_end(entry)
            return _shared_values[entry]
        building = _shared_building.setdefault(entry, threading.Lock())
    with building:
        with _shared_lock:
            if entry in _shared_values:
                return _shared_values[entry]
        try:
            value = build()
            with _shared_lock:
                _shared_values[entry] = value
                while len(_shared_values) > SHARED_ENTRIES:
                    _shared_values.popitem(last=False)
        finally:
            with _shared_lock:
                _shared_building.pop(entry, None)
    return value


_arrow_tables: dict[int, object] = {}  # id(frame) -> its Arrow table, while the frame lives
_arrow_lock = threading.Lock()


def as_arrow(frame: pd.DataFrame):
    """``frame`` as the Arrow table st.dataframe makes of it (``pa.Table.from_pandas``), made once per frame object.

    For a frame shared between sessions (``shared``): st.dataframe converts a pandas frame on every call, for
    every session and run (national Perjanjian list: tens of ms each); given this table it sends the same bytes.
    ``frame`` must not change afterwards.
    """
    import pyarrow as pa

    key = id(frame)
    with _arrow_lock:
        table = _arrow_tables.get(key)
    if table is None:
        try:
            made = pa.Table.from_pandas(frame)
        except (pa.ArrowException, ValueError, TypeError):
            return frame  # st.dataframe's own conversion adjusts such columns first
        with _arrow_lock:
            table = _arrow_tables.get(key)
            if table is None:
                table = _arrow_tables[key] = made
                weakref.finalize(frame, _arrow_tables.pop, key, None)  # gone with the frame, before its id is reused
    return table


@st.cache_data(show_spinner=False, max_entries=8)
def _options(db: str, version: int) -> tuple[list[str], list[int]]:
    store = get_store()
    countries = store.query("SELECT DISTINCT negara FROM perjanjian WHERE negara IS NOT NULL ORDER BY 1")["negara"]
    years = store.query(
        "SELECT DISTINCT EXTRACT(YEAR FROM tanggal_ttd) AS y FROM perjanjian WHERE tanggal_ttd IS NOT NULL ORDER BY 1"
    )["y"]
    return countries.tolist(), [int(y) for y in years]


@dataclass(frozen=True)
class View:
    """The global filters as the pages use them."""

    year: int
    as_of: date
    filters: Filters

    @property
    def regions(self) -> list[str]:
        return list(self.filters.kabkota) if self.filters.kabkota is not None else list(REGIONS)


FILTER_KEYS = ("filter_tahun", "filter_provinsi", "filter_kabkota", "filter_jenis", "filter_negara", "filter_acuan",
               "filter_tanggal")
REFERENCE_YEAR, REFERENCE_DATE = "Tahun", "Tanggal"
# Pages whose content no global filter changes: the sidebar shows no filter there.
PAGES_WITHOUT_FILTERS = frozenset({"akun", "audit", "pengaturan", "unggah", "metodologi"})
_KEPT = "_filter_tersimpan"  # the filter values, kept while a page without filters is open


def reference_date(year: int, today: date) -> date:
    """The year shortcut: the current year is counted per today, an earlier year per 31 December."""
    return today if year >= today.year else date(year, 12, 31)


def _keep_filters_across_pages() -> None:
    # Streamlit forgets the value of a widget that is not drawn in a run: the filters are copied
    # aside after every run that draws them and put back before they are drawn again.
    kept = st.session_state.get(_KEPT, {})
    for key, value in kept.items():
        if key not in st.session_state:
            st.session_state[key] = value


def _own_unit_first(user) -> None:
    # An analyst of one kab/kota starts on their own unit; they may widen the filter.
    unit = getattr(user, "kabkota", None)
    if unit is not None and not is_province_government(unit) and "filter_kabkota" not in st.session_state \
            and _KEPT not in st.session_state:
        st.session_state["filter_kabkota"] = [user.kabkota]


def sidebar_filters(page=None, user=None, today: date | None = None) -> View:
    """Reference date (a year or any date), kab/kota, jenis and country in the sidebar, kept across pages.

    ``page`` is the page about to run (its ``url_path`` decides whether filters are shown);
    ``user`` the signed-in account, whose own kab/kota is preselected for a unit analyst.
    """
    store = get_store()
    countries, years = _options(str(store.path), data_version(store))
    today = today or clock_today()
    year_choices = sorted(set(years) | {today.year}, reverse=True)
    _keep_filters_across_pages()
    _own_unit_first(user)
    st.session_state.setdefault("filter_acuan", REFERENCE_YEAR)
    st.session_state.setdefault("filter_tanggal", today)
    if getattr(page, "url_path", None) in PAGES_WITHOUT_FILTERS:
        return _view_from_state(today, year_choices)
    with st.sidebar:
        st.header("Filter")
        mode = st.segmented_control("Acuan", [REFERENCE_YEAR, REFERENCE_DATE], key="filter_acuan",
                                    help="Tahun: tahun berjalan dihitung per hari ini, tahun lalu per 31 Desember. "
                                         "Tanggal: per tanggal mana pun, mis. 30 Juni untuk laporan semester.")
        if mode == REFERENCE_DATE:
            st.date_input("Tanggal acuan", format="DD-MM-YYYY", key="filter_tanggal")
        else:
            if st.session_state.get("filter_tahun") not in year_choices:
                st.session_state.pop("filter_tahun", None)
            st.selectbox(
                "Tahun acuan",
                year_choices,
                key="filter_tahun",
                help="Tahun berjalan: dihitung per hari ini. Tahun lalu: dihitung per 31 Desember tahun itu.",
            )
        st.multiselect("Kab/Kota", _province_filter(), format_func=REGIONS.get, key="filter_kabkota",
                       placeholder="Semua", select_all=False)
        st.multiselect("Jenis", ["KSDPL", "KSDLL"], key="filter_jenis", placeholder="Semua", select_all=False)
        st.multiselect("Negara mitra", countries, format_func=country_name, key="filter_negara",
                       placeholder="Semua", select_all=False)
    st.session_state[_KEPT] = {k: st.session_state[k] for k in FILTER_KEYS if k in st.session_state}
    return _view_from_state(today, year_choices)


def _province_filter() -> list[str]:
    """The national view's Provinsi filter (drawn here); the units the Kab/Kota filter then offers.

    A province chosen alone filters to its government and all its kab/kota; units of other
    provinces are taken off the Kab/Kota filter.
    """
    from ksln_metrics.reference import province_of, scope

    current = scope()
    if not current.is_national:
        st.session_state.pop("filter_provinsi", None)
        return list(REGIONS)
    st.multiselect("Provinsi", list(current.provinces), format_func=REGIONS.get, key="filter_provinsi",
                   placeholder="Semua", select_all=False)
    chosen = set(st.session_state.get("filter_provinsi") or ())
    units = [code for code in REGIONS if not chosen or province_of(code) in chosen]
    kept = [code for code in st.session_state.get("filter_kabkota") or () if code in set(units)]
    if kept != list(st.session_state.get("filter_kabkota") or ()):
        st.session_state["filter_kabkota"] = kept
    return units


def _chosen_units(state) -> list[str] | None:
    """The units the filters keep: the chosen kab/kota, else every unit of the chosen provinces, else all (None)."""
    from ksln_metrics.reference import scope

    if state.get("filter_kabkota"):
        return list(state["filter_kabkota"])
    provinces = state.get("filter_provinsi")
    if provinces and scope().is_national:
        return [unit for p in provinces for unit in scope().units_of(p)]
    return None


def _view_from_state(today: date, year_choices: list[int]) -> View:
    state = st.session_state
    chosen_day = state.get("filter_tanggal")
    if state.get("filter_acuan") == REFERENCE_DATE and isinstance(chosen_day, date):
        as_of, year = chosen_day, chosen_day.year
    else:
        year = state.get("filter_tahun")
        year = year if year in year_choices else year_choices[0]
        as_of = reference_date(year, today)
    filters = Filters.of(_chosen_units(state), state.get("filter_jenis") or None,
                         state.get("filter_negara") or None)
    view = View(year, as_of, filters)
    state["_view"] = view
    return view


def current_view() -> View:
    """The filters of this run: set by dashboard.py before the page runs."""
    view = st.session_state.get("_view")
    return view if isinstance(view, View) else sidebar_filters()


def sample_data_banner(store: Store) -> None:
    """Say it plainly whenever sample data is in the store."""
    if store.has_sample_data():
        st.warning(
            f"**Data contoh** — basis data ini memuat data contoh, bukan data resmi {scope().government}.",
            icon=":material/science:",
        )


def as_of_caption(view: View) -> None:
    from ksln_metrics.formatting import format_date_id

    st.caption(f"Tanggal acuan: **{format_date_id(view.as_of)}**")

