"""The leadership overview: headline figures, flag totals, trends and which kab/kota need attention.

Everything here reads the frames of ``indicators.compute`` (``Results``): the judgements are
the SQL's (``ringkasan.sql``, ``kabkota.sql``, ``perhatian.sql``); this module only words
and lays them out, so the dashboard shows the same numbers as the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ksln_metrics.engine.indicators import Results
from ksln_metrics.engine.rules import COMPONENTS, FLAG_BY_CODE, FLAG_CODES, FLAG_PHRASES, Rules
from ksln_metrics.formatting import format_number_id, number_text
from ksln_metrics.reference import country_name, is_province_government, region_name


@dataclass(frozen=True)
class Headline:
    """The numbers at the top of the overview, from ``ringkasan.sql``."""

    agreements: int  # every agreement in view, whatever its date
    signed: int  # signed by the reference date
    unsigned: int  # usulan/proses/batal without a signing date
    signed_later: int  # signed after the reference date
    active: int
    mean_score: float | None  # over active agreements, like the per-region mean
    reports_due: int
    reports_on_time: int
    on_time_rate: float | None  # on-time reports as a percentage of reports due; None when none was due yet


def headline(results: Results) -> Headline:
    """Agreements signed by the reference date and not, active agreements, mean score, on-time reporting."""
    row = results.summary.iloc[0] if len(results.summary) else pd.Series(dtype="object")

    def whole(column: str) -> int:
        value = row.get(column)
        return 0 if value is None or pd.isna(value) else int(value)

    def share(column: str) -> float | None:
        value = row.get(column)
        return None if value is None or pd.isna(value) else float(value)

    return Headline(
        agreements=whole("jumlah_perjanjian"),
        signed=whole("jumlah_ditandatangani"),
        unsigned=whole("jumlah_belum_ditandatangani"),
        signed_later=whole("jumlah_ttd_setelah_acuan"),
        active=whole("jumlah_aktif"),
        mean_score=share("skor_rata_rata"),
        reports_due=whole("laporan_wajib"),
        reports_on_time=whole("laporan_tepat_waktu"),
        on_time_rate=share("tepat_waktu_persen"),
    )


def signed_help(numbers: Headline) -> str:
    """What the "Perjanjian" headline counts, and what it leaves out at this reference date."""
    left_out = []
    if numbers.unsigned:
        left_out.append(f"{format_number_id(numbers.unsigned, 0)} usulan, proses atau batal tanpa tanggal tanda tangan")
    if numbers.signed_later:
        left_out.append(f"{format_number_id(numbers.signed_later, 0)} yang ditandatangani setelah tanggal acuan")
    text = "Perjanjian yang sudah ditandatangani per tanggal acuan."
    if left_out:
        text += " Tidak termasuk " + join_id(left_out) + "."
    return text


def flag_totals(regions: pd.DataFrame) -> pd.DataFrame:
    """Agreements carrying each flag (codes in their defined order, zeros included)."""
    rows = [
        {"code": code, "label": FLAG_BY_CODE[code].label,
         "jumlah": int(regions[f"jumlah_{code}"].sum()) if len(regions) else 0}
        for code in FLAG_CODES
    ]
    return pd.DataFrame(rows, columns=["code", "label", "jumlah"])


def signed_per_year(agreements: pd.DataFrame, as_of: date, by: str = "jenis") -> pd.DataFrame:
    """Agreements signed per calendar year up to ``as_of``, split by ``jenis`` or ``status``."""
    columns = ["tahun", by, "jumlah"]
    if agreements.empty:
        return pd.DataFrame(columns=columns)
    signed = agreements[agreements["tanggal_ttd"].notna() & (agreements["tanggal_ttd"] <= pd.Timestamp(as_of))]
    if signed.empty:
        return pd.DataFrame(columns=columns)
    counts = (
        signed.assign(tahun=signed["tanggal_ttd"].dt.year.astype("int64"), **{by: signed[by].fillna("(kosong)")})
        .groupby(["tahun", by])
        .size()
        .rename("jumlah")
        .reset_index()
    )
    return counts[columns].sort_values(["tahun", by], ignore_index=True)


def agreements_per_country(agreements: pd.DataFrame) -> pd.DataFrame:
    """Agreements per partner country (ISO 3166 alpha-3), most first."""
    columns = ["negara", "nama_negara", "jumlah"]
    known = agreements[agreements["negara"].notna()] if len(agreements) else agreements
    if known.empty:
        return pd.DataFrame(columns=columns)
    counts = known.groupby("negara").size().rename("jumlah").reset_index()
    counts["nama_negara"] = counts["negara"].map(country_name)
    return counts[columns].sort_values(["jumlah", "nama_negara"], ascending=[False, True], ignore_index=True)


def region_components(regions: pd.DataFrame) -> pd.DataFrame:
    """Mean points of each score component over each region's active agreements (``kabkota.sql``).

    The components add up to the region's mean score (``skor_rata_rata``).
    """
    columns = ["kabkota_kode", "kabkota_nama", "skor_rata_rata", "peringkat", *(c.column for c in COMPONENTS)]
    return regions.loc[:, columns].reset_index(drop=True)


def league_table(regions: pd.DataFrame) -> pd.DataFrame:
    """Every region with its component means, by rank; unranked kab/kota after, the province last."""
    frame = regions.assign(jumlah_bendera=regions[[f"jumlah_{c}" for c in FLAG_CODES]].sum(axis=1).astype("int64"))
    order = pd.DataFrame({
        "province": ~frame["kabkota_kode"].map(is_kabkota),
        "unranked": frame["peringkat"].isna(),
        "rank": frame["peringkat"].fillna(0).astype("int64"),
        "code": frame["kabkota_kode"],
    })
    return frame.loc[order.sort_values(["province", "unranked", "rank", "code"]).index].reset_index(drop=True)


def is_kabkota(code: str) -> bool:
    """A kab/kota code (``36.01``), as opposed to the province itself (``36``)."""
    return not is_province_government(code)


def attention_ranking(results: Results, rules: Rules, limit: int | None = 3) -> pd.DataFrame:
    """The kab/kota that need attention most (``perhatian.sql``), with the reason and the points in words.

    ``alasan`` names the score and each flag; ``poin_teks`` shows how the points add up, so a
    reader sees why a unit stands above another.
    """
    columns = ["urutan", "kabkota_kode", "kabkota_nama", "skor_rata_rata", "jumlah_bendera", "poin_skor",
               "poin_bendera", "poin", "terendah", "alasan", "poin_teks"]
    units = results.attention
    if limit is not None:
        units = units.head(limit)
    if units.empty:
        return pd.DataFrame(columns=columns)
    flags = results.flags
    # Reasons only for the units shown, each from its own flags: a national store has ~500 units.
    own = flags[flags["kabkota_kode"].isin(units["kabkota_kode"])] if len(flags) else flags
    by_unit = {code: rows for code, rows in own.groupby("kabkota_kode")} if len(own) else {}
    units = units.assign(
        alasan=[attention_reason(row, by_unit.get(row.kabkota_kode, own.iloc[0:0]))
                for row in units.itertuples(index=False)],
        poin_teks=[attention_points_text(row, rules) for row in units.itertuples(index=False)],
    )
    return units[columns].reset_index(drop=True)


def attention_points_text(unit, rules: Rules) -> str:
    """``(100 − 62,50) + 10 × 4 bendera = 77,50 poin``: how the attention points of a unit add up."""
    per_flag = number_text(rules.attention_points_per_flag, 0 if float(rules.attention_points_per_flag).is_integer()
                           else 2)
    score = (f"(100 − {number_text(unit.skor_rata_rata)})" if pd.notna(unit.skor_rata_rata)
             else "0 (tanpa perjanjian aktif)")
    return (f"{score} + {per_flag} × {number_text(unit.jumlah_bendera, 0)} bendera = {number_text(unit.poin)} poin")


def attention_reason(region, flags: pd.DataFrame) -> str:
    """One sentence on why a kab/kota needs attention: its score (lowest in view, if so), then each of its flags."""
    parts = []
    score = region.skor_rata_rata
    if pd.notna(score):
        text = f"skor rata-rata {format_number_id(score)}"
        if bool(region.terendah):
            text += " (terendah)"
        parts.append(text)
    own = flags[flags["kabkota_kode"] == region.kabkota_kode] if len(flags) else flags
    phrases = [flag_phrase(code, own[own["code"] == code]) for code in FLAG_CODES]
    parts.extend(p for p in phrases if p)
    if not parts:
        return ""
    sentence = "; ".join([parts[0], ", ".join(parts[1:])]) if len(parts) > 1 and pd.notna(score) else ", ".join(parts)
    return sentence[0].upper() + sentence[1:]


def flag_phrase(code: str, rows: pd.DataFrame) -> str:
    """``'2 perjanjian mangkrak'`` or ``'laporan TA 2024 dan 2025 belum masuk'``; '' without rows."""
    if rows.empty:
        return ""
    agreements = rows["id_perjanjian"].nunique()
    years = sorted({int(y) for y in rows["year"].dropna()})
    text = FLAG_PHRASES[code].format(n=agreements, years=join_id([str(y) for y in years]))
    if "{years}" in FLAG_PHRASES[code] and agreements > 1:
        text += f" ({agreements} perjanjian)"
    return text


def join_id(items: list[str]) -> str:
    """``['a', 'b', 'c']`` -> ``'a, b dan c'``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} dan {items[-1]}"


def region_label(code: str) -> str:
    """Short name for charts: ``Kab. Lebak``, ``Kota Serang``, ``Provinsi Jawa Barat``."""
    return region_name(code).replace("Kabupaten ", "Kab. ").replace(" Administrasi ", " ")  # Kota Jakarta Barat
