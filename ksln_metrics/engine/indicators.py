"""Success scores and flags per agreement and per kab/kota, for a reference date.

The figures are made by the SQL files in ``ksln_metrics/engine/sql/`` (read them to see how each
number is computed); this module only loads them, passes the reference date and the
settings as parameters, and shapes the results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import pandas as pd

from ksln_metrics.engine.calendar import deadline_table, working_day_table
from ksln_metrics.engine.rules import (
    FLAG_BY_CODE,
    FLAG_CODES,
    FLAGS,
    SIGNED_DOCUMENT_KINDS,
    Rules,
    load_rules,
    rule_text,
)
from ksln_metrics.reference import REGIONS, country_name, normalize_text, region_name
from ksln_metrics.store import Store

SQL_DIR = Path(__file__).resolve().parent / "sql"

# Fiscal years further back than this from the reference date are not evaluated: a
# mistyped year (0219) must not make the engine walk twenty centuries of calendars.
MAX_YEARS_BACK = 50

# Temporary tables of one computation, in order; each is built by the SQL file of its name.
_STEPS = (
    ("ind_kegiatan", "kegiatan_ringkas"),
    ("ind_perjanjian", "perjanjian_fakta"),
    ("ind_tahun_anggaran", "tahun_anggaran"),
    ("ind_bendera", "bendera"),
    ("ind_hasil", "perjanjian_skor"),
)


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
    agreements: pd.DataFrame
    flags: pd.DataFrame
    regions: pd.DataFrame


@cache
def sql_text(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")


@cache
def _parameters_of(name: str) -> frozenset[str]:
    return frozenset(_PARAM.findall(_COMMENT.sub("", sql_text(name))))


def _execute(cur, name: str, params: dict, into: str | None = None):
    """Run one SQL file with the parameters it names, optionally into a temporary table."""
    sql = sql_text(name)
    used = {k: params[k] for k in _parameters_of(name)}
    if into:
        sql = f"CREATE OR REPLACE TEMP TABLE {into} AS\n{sql}"
    return cur.execute(sql, used)


def _parameters(as_of: date, rules: Rules, filters: Filters) -> dict:
    return {
        "as_of": as_of,
        "filter_kabkota": list(filters.kabkota) if filters.kabkota is not None else None,
        "filter_jenis": list(filters.jenis) if filters.jenis is not None else None,
        "filter_negara": list(filters.negara) if filters.negara is not None else None,
        "tahun_pertama": as_of.year - MAX_YEARS_BACK,
        "jenis_seremonial": list(rules.ceremonial_activity_types),
        "seremonial_bulan": rules.ceremonial_months,
        "mangkrak_bulan": rules.stalled_months,
        "segera_berakhir_bulan": rules.expiring_months,
        "jenis_wajib_kepala_daerah": list(rules.head_signatory_jenis),
        "jabatan_kepala_daerah": [normalize_text(t) for t in rules.head_titles],
        "jabatan_bukan_kepala_daerah": [normalize_text(t) for t in rules.non_head_titles],
        "kosong_dianggap_tidak_sah": rules.empty_signatory_invalid,
        "negara_tanpa_hubungan": list(rules.countries_without_relations) or [""],
        "nama_negara_tanpa_hubungan": [country_name(c) for c in rules.countries_without_relations] or [""],
        "bobot_kepatuhan": rules.weight_compliance,
        "bobot_tindak_lanjut": rules.weight_follow_up,
        "bobot_capaian": rules.weight_achievement,
        "bobot_pelaporan": rules.weight_reporting,
        "naskah_wajib": rules.signed_document_required,
        "jenis_naskah": list(SIGNED_DOCUMENT_KINDS),
    }


@contextmanager
def _pipeline(store: Store, as_of: date, rules: Rules, filters: Filters, steps=_STEPS) -> Iterator:
    """Run the SQL steps into this thread's temporary tables; yield the cursor; drop them after.

    Each thread has its own cursor and so its own temporary tables: two computations never
    share them.
    """
    params = _parameters(as_of, rules, filters)
    cur = store.cursor()
    cur.execute(sql_text("macros"))
    try:
        for table, name in steps[:2]:
            _execute(cur, name, params, into=table)
        first = cur.execute("SELECT min(tahun_aktif_pertama) FROM ind_perjanjian").fetchall()[0][0]
        first = min(first or as_of.year, as_of.year)
        # The deadline of the last fiscal year falls early in the next calendar year.
        cur.register("batas_laporan", deadline_table(first, as_of.year, rules))
        cur.register("kalender_kerja", working_day_table(first, as_of.year + 1, rules))
        for table, name in steps[2:]:
            _execute(cur, name, params, into=table)
        yield cur
    finally:
        for name in ("batas_laporan", "kalender_kerja"):
            try:
                cur.unregister(name)
            except Exception:  # noqa: BLE001 - never registered when a step failed early
                pass
        for table, _ in steps:
            cur.execute(f"DROP TABLE IF EXISTS {table}")


def compute(
    store: Store,
    as_of: date | None = None,
    rules: Rules | None = None,
    filters: Filters | None = None,
) -> Results:
    """Every score and flag, per agreement and per region, as of ``as_of`` (default today)."""
    as_of = as_of or date.today()
    rules = rules or load_rules()
    filters = filters or Filters()
    with _pipeline(store, as_of, rules, filters) as cur:
        agreements = cur.execute("SELECT * FROM ind_hasil ORDER BY kabkota_kode, id_perjanjian").df()
        flags = _execute(cur, "bendera_daftar", {"urutan": list(FLAG_CODES)}).df()
        regions = _region_frame(cur, filters)
    return Results(_shape_agreements(agreements), _shape_flags(flags, rules), regions)


def fiscal_years(store: Store, agreement_id: str, as_of: date, rules: Rules) -> pd.DataFrame:
    """The rows of ``tahun_anggaran.sql`` for one agreement: one per fiscal year it was active in,
    with its deadline and report, exactly as the score and the report flags see them."""
    region = store.query("SELECT kabkota FROM perjanjian WHERE id_perjanjian = ?", [agreement_id])
    if region.empty:
        return pd.DataFrame()
    upto_years = _STEPS[:3]  # activities, agreements, fiscal years
    with _pipeline(store, as_of, rules, Filters.of(kabkota=[region["kabkota"].iloc[0]]), upto_years) as cur:
        years = cur.execute(
            "SELECT * FROM ind_tahun_anggaran WHERE id_perjanjian = ? ORDER BY tahun_anggaran", [agreement_id]
        ).df()
    return years.drop(columns=["id_perjanjian"])


def fiscal_year_table(store: Store, as_of: date, rules: Rules, *,
                      kabkota: Iterable[str] | None = None) -> pd.DataFrame:
    """The rows of ``tahun_anggaran.sql`` for every agreement (of some regions): one per agreement and
    fiscal year it was active in, with the deadline, the report and its status, as the flags see them."""
    upto_years = _STEPS[:3]  # activities, agreements, fiscal years
    with _pipeline(store, as_of, rules, Filters.of(kabkota=kabkota), upto_years) as cur:
        return cur.execute("SELECT * FROM ind_tahun_anggaran ORDER BY id_perjanjian, tahun_anggaran").df()


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


def _region_frame(cur, filters: Filters) -> pd.DataFrame:
    codes = list(filters.kabkota) if filters.kabkota is not None else list(REGIONS)
    regions = _execute(cur, "kabkota", {"daerah": codes}).df()
    counts = _execute(cur, "kabkota_bendera", {}).df()
    wide = (
        counts.pivot(index="kabkota_kode", columns="code", values="jumlah")
        .reindex(columns=list(FLAG_CODES))
        .reindex(regions["kabkota_kode"])
        .fillna(0)
        .astype("int64")
        .add_prefix("jumlah_")
        .reset_index(drop=True)
    )
    regions.insert(1, "kabkota_nama", regions["kabkota_kode"].map(region_name))
    peringkat = regions.pop("peringkat").astype("Int64")
    regions = pd.concat([regions, wide], axis=1)
    regions["peringkat"] = peringkat
    for column in ("jumlah_perjanjian", "jumlah_aktif", "jumlah_ditandatangani", "laporan_wajib",
                   "laporan_tepat_waktu"):
        regions[column] = regions[column].astype("int64")
    return regions


def agreement_results(store: Store, as_of: date | None = None, rules: Rules | None = None, *,
                      kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
                      negara: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per agreement: region, identity, status, ``aktif``, the four components, ``skor``, ``flags``."""
    return compute(store, as_of, rules, Filters.of(kabkota, jenis, negara)).agreements


def flags_for(store: Store, as_of: date | None = None, rules: Rules | None = None, *,
              kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
              negara: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per raised flag: agreement, ``code``, ``label``, ``reason``, ``rule``, ``year``."""
    return compute(store, as_of, rules, Filters.of(kabkota, jenis, negara)).flags


def region_results(store: Store, as_of: date | None = None, rules: Rules | None = None, *,
                   kabkota: Iterable[str] | None = None, jenis: Iterable[str] | None = None,
                   negara: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per region (province ``36`` and every kab/kota, also without agreements)."""
    return compute(store, as_of, rules, Filters.of(kabkota, jenis, negara)).regions


def flag_label(code: str) -> str:
    return FLAG_BY_CODE[code].label
