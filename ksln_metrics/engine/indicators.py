"""Success scores and flags per agreement and per kab/kota, for a reference date.

The figures are made by the SQL files in ``ksln_metrics/engine/sql/`` (read them to see how each
number is computed). Each file produces the temporary table of its own name and says in its
header which tables it reads; the order of the steps follows from that. This module only
runs them, passes the reference date, the settings and the reference lists as parameters,
and shapes the results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from ksln_metrics.clock import today
from ksln_metrics.engine.calendar import deadline_table, working_day_table
from ksln_metrics.engine.rules import FLAG_CODES, FLAGS, SIGNED_DOCUMENT_KINDS, Rules, load_rules, rule_text
from ksln_metrics.reference import (
    ACTIVE_STATUSES,
    FINISHED_STATUS,
    REGIONS,
    SIGNED_STATUSES,
    UNSIGNED_STATUSES,
    country_name,
    normalize_text,
    province_code,
    region_name,
)
from ksln_metrics.store import Store

SQL_DIR = Path(__file__).resolve().parent / "sql"

# Fiscal years further back than this from the reference date are not evaluated: a
# mistyped year (0219) must not make the engine walk twenty centuries of calendars.
MAX_YEARS_BACK = 50

# Tables a step may read besides the results of other steps: the store's own tables, and
# the two calendar tables computed in calendar.py and registered for the run.
# Tables of the store the SQL steps read (the data views, attachments, and the batch log).
STORE_TABLES = ("perjanjian", "kegiatan", "indikator", "laporan", "lampiran", "batch", "batch_count")
CALENDAR_TABLES = ("batas_laporan", "kalender_kerja")

# What one computation returns to the dashboard and the exports; the steps they need
# follow from the "reads:" lines of the SQL files.
RESULT_STEPS = ("perjanjian_skor", "bendera_daftar", "kabkota", "kabkota_bendera", "ringkasan", "perhatian",
                "peringkat_provinsi", "provinsi", "provinsi_bendera", "provinsi_perhatian")
# The agreement detail of the Perjanjian page.
DETAIL_STEPS = ("perjanjian_dokumen", "kegiatan_sifat", "indikator_capaian", "tahun_anggaran", "perjanjian_skor",
                "bendera_daftar")


@dataclass(frozen=True)
class Filters:
    """Restrict the computation to some regions, kinds of cooperation or partner countries."""

    kabkota: tuple[str, ...] | None = None
    jenis: tuple[str, ...] | None = None
    negara: tuple[str, ...] | None = None

    @classmethod
    def of(cls, kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
           negara: Iterable[str] | None = None) -> Filters:
        def tup(values):
            return None if values is None else tuple(values)

        return cls(tup(kabkota), tup(jenis), tup(negara))


@dataclass(frozen=True)
class Results:
    """The engine's figures for one reference date and filter: read by every page, slide and export."""

    agreements: pd.DataFrame  # perjanjian_skor.sql
    flags: pd.DataFrame  # bendera_daftar.sql
    regions: pd.DataFrame  # kabkota.sql with the counts of kabkota_bendera.sql, one column per flag
    summary: pd.DataFrame  # ringkasan.sql, one row
    attention: pd.DataFrame  # perhatian.sql
    # The national view: per province, the province government and its kab/kota together
    provinces: pd.DataFrame = field(default_factory=pd.DataFrame)  # provinsi.sql with provinsi_bendera.sql
    province_attention: pd.DataFrame = field(default_factory=pd.DataFrame)  # provinsi_perhatian.sql


@dataclass(frozen=True)
class Step:
    """One SQL file: the tables it reads and the table it produces (named after the file)."""

    name: str
    reads: tuple[str, ...]
    produces: str


@cache
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_HEADER = re.compile(r"^--\s*(reads|produces):\s*(.+)$", re.MULTILINE)


@cache
def _parameters_of(name: str) -> frozenset[str]:
    return frozenset(_PARAM.findall(_COMMENT.sub("", sql_text(name))))


@cache
def steps() -> dict[str, Step]:
    """Every SQL file but the macros, with what its header comment says it reads and produces."""
    found = {}
    for path in sorted(SQL_DIR.glob("*.sql")):
        if path.stem == "macros":
            continue
        header = dict(_HEADER.findall(sql_text(path.stem)))
        reads = tuple(t.strip() for t in header.get("reads", "").split(",") if t.strip())
        produces = header.get("produces", "").split(",")[0].strip()
        found[path.stem] = Step(path.stem, reads, produces)
    return found


def step_order(targets: Iterable[str]) -> list[str]:
    """The steps needed for ``targets``, each after the steps whose tables it reads."""
    known, order, seen = steps(), [], set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in seen:
            return
        if name in path:
            raise ValueError(f"SQL steps read each other in a cycle: {' -> '.join((*path, name))}")
        for table in known[name].reads:
            if table in known:
                visit(table, (*path, name))
        seen.add(name)
        order.append(name)

    for target in targets:
        visit(target, ())
    return order


def _execute(cur, name: str, params: dict, into: str | None = None):
    """Run one SQL file with the parameters it names, optionally into a temporary table."""
    sql = sql_text(name)
    used = {k: params[k] for k in _parameters_of(name)}
    if into:
        sql = f"CREATE OR REPLACE TEMP TABLE {into} AS\n{sql}"
    return cur.execute(sql, used)


def _parameters(as_of: date, rules: Rules, filters: Filters, agreement_id: str | None = None) -> dict:
    codes = list(filters.kabkota) if filters.kabkota is not None else list(REGIONS)
    return {
        "as_of": as_of,
        "filter_kabkota": list(filters.kabkota) if filters.kabkota is not None else None,
        "filter_jenis": list(filters.jenis) if filters.jenis is not None else None,
        "filter_negara": list(filters.negara) if filters.negara is not None else None,
        "filter_perjanjian": agreement_id,
        "tahun_pertama": as_of.year - MAX_YEARS_BACK,
        "status_ditandatangani": list(SIGNED_STATUSES),
        "status_aktif": list(ACTIVE_STATUSES),
        "status_tanpa_tahun_aktif": list(UNSIGNED_STATUSES),
        "status_selesai": FINISHED_STATUS,
        "kode_provinsi": province_code(),
        "daerah": codes,
        "urutan": list(FLAG_CODES),
        # An empty list has no type in a prepared statement; "" never matches a stored value.
        "jenis_seremonial": list(rules.ceremonial_activity_types) or [""],
        "seremonial_bulan": rules.ceremonial_months,
        "mangkrak_bulan": rules.stalled_months,
        "segera_berakhir_bulan": rules.expiring_months,
        "jenis_wajib_kepala_daerah": list(rules.head_signatory_jenis) or [""],
        "jabatan_kepala_daerah": [normalize_text(t) for t in rules.head_titles],
        "jabatan_bukan_kepala_daerah": [normalize_text(t) for t in rules.non_head_titles] or [""],
        "kosong_dianggap_tidak_sah": rules.empty_signatory_invalid,
        "negara_tanpa_hubungan": list(rules.countries_without_relations) or [""],
        "nama_negara_tanpa_hubungan": [country_name(c) for c in rules.countries_without_relations] or [""],
        "bobot_kepatuhan": rules.weight_compliance,
        "bobot_tindak_lanjut": rules.weight_follow_up,
        "bobot_capaian": rules.weight_achievement,
        "bobot_pelaporan": rules.weight_reporting,
        "poin_per_bendera": rules.attention_points_per_flag,
        "naskah_wajib": rules.signed_document_required,
        "jenis_naskah": list(SIGNED_DOCUMENT_KINDS),
    }


def _register_calendar(cur, as_of: date, rules: Rules) -> None:
    first = cur.execute("SELECT min(tahun_aktif_pertama) FROM perjanjian_fakta").fetchall()[0][0]
    first = min(first or as_of.year, as_of.year)
    # The deadline of the last fiscal year falls early in the next calendar year.
    cur.register("batas_laporan", deadline_table(first, as_of.year, rules))
    cur.register("kalender_kerja", working_day_table(first, as_of.year + 1, rules))


class _Run:
    """One computation in progress: the steps other steps read are temporary tables; the last ones are read once."""

    def __init__(self, cur, params: dict, leaves: set[str]):
        self.cur, self.params, self.leaves = cur, params, leaves

    def frame(self, name: str) -> pd.DataFrame:
        """The result of step ``name`` (a final step runs here, straight into the frame)."""
        if name in self.leaves:
            return _execute(self.cur, name, self.params).df()
        return self.cur.execute(f"SELECT * FROM {name}").df()


@contextmanager
def _pipeline(store: Store, as_of: date, rules: Rules, filters: Filters, targets: Iterable[str],
              agreement_id: str | None = None) -> Iterator[_Run]:
    """Run the SQL steps ``targets`` need into this thread's temporary tables; yield the run; drop them after.

    Each thread has its own cursor and so its own temporary tables: two computations never
    share them. A target no other step reads is not stored: it runs when its frame is read.
    """
    params = _parameters(as_of, rules, filters, agreement_id)
    order = step_order(targets)
    read_by_others = {table for name in order for table in steps()[name].reads}
    stored = [name for name in order if name in read_by_others]
    cur = store.cursor()
    cur.execute(sql_text("macros"))
    registered = False
    try:
        for name in order:
            if not registered and set(steps()[name].reads) & set(CALENDAR_TABLES):
                _register_calendar(cur, as_of, rules)
                registered = True
            if name in read_by_others:
                _execute(cur, name, params, into=name)
        yield _Run(cur, params, set(order) - read_by_others)
    finally:
        if registered:
            for name in CALENDAR_TABLES:
                cur.unregister(name)
        for name in stored:
            cur.execute(f"DROP TABLE IF EXISTS {name}")


def compute(
    store: Store,
    as_of: date | None = None,
    rules: Rules | None = None,
    filters: Filters | None = None,
) -> Results:
    """Every score and flag, per agreement and per region, as of ``as_of`` (default today)."""
    as_of = as_of or today()
    rules = rules or load_rules()
    filters = filters or Filters()
    with _pipeline(store, as_of, rules, filters, RESULT_STEPS) as run:
        agreements = run.cur.execute("SELECT * FROM perjanjian_skor ORDER BY kabkota_kode, id_perjanjian").df()
        flags = run.frame("bendera_daftar")
        regions = _region_frame(run)
        summary = run.frame("ringkasan")
        attention = run.frame("perhatian")
        provinces = _province_frame(run)
        province_attention = run.frame("provinsi_perhatian")
    attention.insert(2, "kabkota_nama", attention["kabkota_kode"].map(region_name))
    province_attention.insert(2, "provinsi_nama", province_attention["provinsi_kode"].map(region_name))
    return Results(_shape_agreements(agreements), _shape_flags(flags, rules), regions, summary, attention,
                   provinces, province_attention)


@dataclass(frozen=True)
class AgreementDetail:
    """One agreement as the engine judges it, for the Perjanjian page."""

    agreement: pd.Series  # its row of perjanjian_skor.sql
    documents: pd.DataFrame  # perjanjian_dokumen.sql
    activities: pd.DataFrame  # kegiatan_sifat.sql
    indicators: pd.DataFrame  # indikator_capaian.sql
    fiscal_years: pd.DataFrame  # tahun_anggaran.sql
    flags: pd.DataFrame  # bendera_daftar.sql


def agreement_detail(store: Store, agreement_id: str, as_of: date, rules: Rules) -> AgreementDetail | None:
    """The rows of every SQL step about one agreement, exactly as the score and the flags see them."""
    with _pipeline(store, as_of, rules, Filters(), DETAIL_STEPS, agreement_id=agreement_id) as run:
        agreements = run.frame("perjanjian_skor")
        if agreements.empty:
            return None

        def rows(name: str, order: list[str]) -> pd.DataFrame:
            return run.frame(name).sort_values(order, kind="stable").drop(columns="id_perjanjian").reset_index(drop=True)

        return AgreementDetail(
            _shape_agreements(agreements).iloc[0],
            rows("perjanjian_dokumen", ["urutan"]),
            rows("kegiatan_sifat", ["tanggal", "nama_kegiatan"]),
            rows("indikator_capaian", ["tahun", "indikator"]),
            rows("tahun_anggaran", ["tahun_anggaran"]),
            _shape_flags(run.frame("bendera_daftar"), rules),
        )


def fiscal_year_table(store: Store, as_of: date, rules: Rules, *,
                      kabkota: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows of ``tahun_anggaran.sql`` for every agreement (of some regions): one per agreement and
    fiscal year it was active in, with the deadline, the report and its status, as the flags see them."""
    with _pipeline(store, as_of, rules, Filters.of(kabkota=kabkota), ("tahun_anggaran",)) as run:
        years = run.frame("tahun_anggaran")
    return years.sort_values(["id_perjanjian", "tahun_anggaran"], ignore_index=True)


def _shape_agreements(frame: pd.DataFrame) -> pd.DataFrame:
    frame.insert(2, "kabkota_nama", frame["kabkota_kode"].map(region_name))
    return frame


def _shape_flags(frame: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    # Label and rule text are the same for every row of a code: mapped here from the one
    # definition rather than carried through SQL as thousands of copies.
    labels = {f.code: f.label for f in FLAGS}
    rule_texts = {f.code: rule_text(f, rules) for f in FLAGS}
    frame.insert(2, "kabkota_nama", frame["kabkota_kode"].map(region_name))
    frame.insert(frame.columns.get_loc("code") + 1, "label", frame["code"].map(labels))
    frame["year"] = frame["year"].astype("Int64")
    frame["rule"] = frame["code"].map(rule_texts)
    return frame


def _flag_columns(counts: pd.DataFrame, key: str, codes: pd.Series) -> pd.DataFrame:
    """One ``jumlah_<flag>`` column per flag code (zeros included) for the units ``codes``, from long counts."""
    return (
        counts.pivot(index=key, columns="code", values="jumlah")
        .reindex(columns=list(FLAG_CODES))
        .reindex(codes)
        .fillna(0)
        .astype("int64")
        .add_prefix("jumlah_")
        .reset_index(drop=True)
    )


def _region_frame(run: _Run) -> pd.DataFrame:
    regions = run.frame("kabkota")
    wide = _flag_columns(run.frame("kabkota_bendera"), "kabkota_kode", regions["kabkota_kode"])
    regions.insert(1, "kabkota_nama", regions["kabkota_kode"].map(region_name))
    peringkat = regions.pop("peringkat").astype("Int64")
    within = run.frame("peringkat_provinsi").set_index("kabkota_kode")["peringkat_provinsi"]
    regions = pd.concat([regions, wide], axis=1)
    regions["peringkat"] = peringkat
    regions["peringkat_provinsi"] = regions["kabkota_kode"].map(within).astype("Int64")
    for column in ("jumlah_perjanjian", "jumlah_aktif", "jumlah_ditandatangani", "laporan_wajib",
                   "laporan_tepat_waktu"):
        regions[column] = regions[column].astype("int64")
    return regions


def _province_frame(run: _Run) -> pd.DataFrame:
    provinces = run.frame("provinsi")
    wide = _flag_columns(run.frame("provinsi_bendera"), "provinsi_kode", provinces["provinsi_kode"])
    provinces.insert(1, "provinsi_nama", provinces["provinsi_kode"].map(region_name))
    peringkat = provinces.pop("peringkat").astype("Int64")
    provinces = pd.concat([provinces, wide], axis=1)
    provinces["peringkat"] = peringkat
    for column in ("jumlah_kabkota", "jumlah_kabkota_berperjanjian", "jumlah_perjanjian", "jumlah_perjanjian_pemprov",
                   "jumlah_aktif", "jumlah_ditandatangani", "laporan_wajib", "laporan_tepat_waktu"):
        provinces[column] = provinces[column].astype("int64")
    return provinces


def flags_for(store: Store, as_of: date | None = None, rules: Rules | None = None, *,
              kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
              negara: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per raised flag: agreement, ``code``, ``label``, ``reason``, ``rule``, ``year``."""
    return compute(store, as_of, rules, Filters.of(kabkota, jenis, negara)).flags
