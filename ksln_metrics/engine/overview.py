"""The leadership overview: headline figures, flag totals, trends and which kab/kota need attention.

Everything here reads the frames of ``indicators.compute`` (``Results``); nothing is
recomputed from the store, so the dashboard shows the same numbers as the exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from ksln_metrics.engine.rules import COMPONENTS, FLAG_BY_CODE, FLAG_CODES, FLAG_PHRASES
from ksln_metrics.formatting import format_number_id
from ksln_metrics.reference import PROVINCE_CODE, country_name, region_name

# Attention points of a kab/kota: the points its mean score misses out of 100, plus this
# many for every flagged agreement. One flag weighs as much as ten score points, so a unit
# with a good score but several red flags still comes up (an assumption, to be confirmed).
POINTS_PER_FLAG = 10



@dataclass(frozen=True)
class Headline:
    """The four numbers at the top of the overview."""

    agreements: int
    active: int
    mean_score: float | None  # over active agreements, like the per-region mean
    reports_due: int
    reports_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        """On-time reports as a percentage of reports due; None when none was due yet."""
        return None if not self.reports_due else round(100 * self.reports_on_time / self.reports_due, 2)


def headline(agreements: pd.DataFrame) -> Headline:
    """Agreements, active agreements, mean score of the active ones, on-time reporting."""
    active = agreements[agreements["aktif"].astype(bool)] if len(agreements) else agreements
    scores = active["skor"].dropna() if len(active) else pd.Series(dtype="float64")
    return Headline(
        agreements=len(agreements),
        active=len(active),
        mean_score=round(float(scores.mean()), 2) if len(scores) else None,
        reports_due=int(agreements["laporan_wajib"].sum()) if len(agreements) else 0,
        reports_on_time=int(agreements["laporan_tepat_waktu"].sum()) if len(agreements) else 0,
    )


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


def region_components(agreements: pd.DataFrame, regions: pd.DataFrame) -> pd.DataFrame:
    """Mean points of each score component over each region's active agreements.

    The components add up to the region's mean score (``skor_rata_rata``).
    """
    columns = [c.column for c in COMPONENTS]
    active = agreements[agreements["aktif"].astype(bool)] if len(agreements) else agreements
    means = active.groupby("kabkota_kode")[columns].mean() if len(active) else pd.DataFrame(columns=columns)
    frame = regions[["kabkota_kode", "kabkota_nama", "skor_rata_rata", "peringkat"]].merge(
        means.round(2), left_on="kabkota_kode", right_index=True, how="left"
    )
    return frame.reset_index(drop=True)


def league_table(regions: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """Every region with its component means, by rank; unranked kab/kota after, the province last."""
    components = region_components(agreements, regions).drop(columns=["kabkota_nama", "skor_rata_rata", "peringkat"])
    frame = regions.merge(components, on="kabkota_kode", how="left")
    order = pd.DataFrame({
        "province": ~frame["kabkota_kode"].map(is_kabkota),
        "unranked": frame["peringkat"].isna(),
        "rank": frame["peringkat"].fillna(0).astype("int64"),
        "code": frame["kabkota_kode"],
    })
    return frame.loc[order.sort_values(["province", "unranked", "rank", "code"]).index].reset_index(drop=True)


def is_kabkota(code: str) -> bool:
    """A kab/kota code (``36.01``), as opposed to the province itself (``36``)."""
    return code != PROVINCE_CODE and "." in code


def attention_ranking(regions: pd.DataFrame, flags: pd.DataFrame, limit: int | None = 3) -> pd.DataFrame:
    """The kab/kota that need attention most, with the reason in words.

    Points = (100 − mean score) + ``POINTS_PER_FLAG`` × flagged agreements; a unit without
    active agreements loses no score points. Units with no points at all are left out.
    """
    columns = ["kabkota_kode", "kabkota_nama", "skor_rata_rata", "jumlah_bendera", "poin", "alasan"]
    units = regions[regions["kabkota_kode"].map(is_kabkota)] if len(regions) else regions
    if units.empty:
        return pd.DataFrame(columns=columns)
    flag_columns = [f"jumlah_{code}" for code in FLAG_CODES]
    units = units.assign(jumlah_bendera=units[flag_columns].sum(axis=1).astype("int64"))
    missing = (100 - units["skor_rata_rata"]).fillna(0).clip(lower=0)
    units = units.assign(poin=(missing + POINTS_PER_FLAG * units["jumlah_bendera"]).round(2))
    units = units[units["poin"] > 0]
    lowest = units["skor_rata_rata"].min()
    units = units.sort_values(["poin", "kabkota_kode"], ascending=[False, True], ignore_index=True)
    if limit is not None:
        units = units.head(limit)
    # Reasons only for the units shown, each from its own flags: a national store has ~500 units.
    own = flags[flags["kabkota_kode"].isin(units["kabkota_kode"])] if len(flags) else flags
    by_unit = {code: rows for code, rows in own.groupby("kabkota_kode")} if len(own) else {}
    units = units.assign(
        alasan=[attention_reason(row, by_unit.get(row.kabkota_kode, own.iloc[0:0]), lowest)
                for row in units.itertuples(index=False)]
    )
    return units[columns]


def attention_reason(region, flags: pd.DataFrame, lowest_score: float | None = None) -> str:
    """One sentence on why a kab/kota needs attention: its score, then each of its flags."""
    parts = []
    score = region.skor_rata_rata
    if pd.notna(score):
        text = f"skor rata-rata {format_number_id(score)}"
        if lowest_score is not None and pd.notna(lowest_score) and score == lowest_score:
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
    """Short name for charts: ``Kab. Lebak``, ``Kota Serang``, ``Provinsi Banten``."""
    return region_name(code).replace("Kabupaten ", "Kab. ")
