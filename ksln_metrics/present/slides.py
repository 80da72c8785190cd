"""The slides of the coordination meeting (rakor), as data.

``build_slides`` turns one ``Results`` into the ordered list of slides. The Presentasi
page, the PowerPoint deck (``deck``) and the offline HTML report (``report``) all render
this one list, so they cannot disagree. Tables hold text already written the Indonesian
way; figures are the dashboard's own plotly figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go

from ksln_metrics.engine.agreement import agreement_name
from ksln_metrics.engine.calendar import reporting_deadline
from ksln_metrics.engine.indicators import Filters, Results
from ksln_metrics.engine.overview import (
    agreements_per_country,
    attention_ranking,
    flag_totals,
    headline,
    is_kabkota,
    join_id,
    province_attention_ranking,
    province_league,
    province_units,
)
from ksln_metrics.engine.rules import (
    COMPONENTS,
    FLAG_BY_CODE,
    FLAG_CODES,
    FLAG_FOLLOW_UPS,
    FLAGS,
    Rules,
    flag_labels,
    load_rules,
    rule_text,
)
from ksln_metrics.formatting import format_date_id, format_number_id, number_text
from ksln_metrics.present import charts
from ksln_metrics.present.tables import league_display, province_league_display
from ksln_metrics.reference import basis_document, country_name, region_name, scope

if TYPE_CHECKING:
    from ksln_metrics.followup.rakor import Since

def meeting_name() -> str:
    """"Rapat Koordinasi Kerja Sama Luar Negeri Provinsi Jawa Barat" (the configured scope)."""
    current = scope()
    return f"Rapat Koordinasi Kerja Sama Luar Negeri {'Nasional' if current.is_national else current.title}"


def __getattr__(name: str):
    # MEETING_NAME follows the scope (kept for existing imports; new code calls meeting_name()).
    if name == "MEETING_NAME":
        return meeting_name()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Slides that every deck has, whatever the filters; one slide per region comes on top of them.
FIXED_KINDS = ("judul", "ringkasan", "negara", "peringatan", "klasemen", "berakhir", "laporan", "metodologi")

# Longer tables are cut on a slide (the full lists are on the Peringatan page and in the Excel export).
MAX_TABLE_ROWS = 12



@dataclass(frozen=True)
class Bullet:
    text: str
    level: int = 0  # 0 = a point, 1 = an item under the point before it


@dataclass(frozen=True, eq=False)
class Slide:
    """One slide: what the page shows, the deck draws and the report prints."""

    kind: str  # one of FIXED_KINDS, "daerah" for a region's slide, "provinsi" for a province's (national deck)
    title: str
    subtitle: str = ""
    bullets: tuple[Bullet, ...] = ()
    table: pd.DataFrame | None = None
    figure: go.Figure | None = None
    notes: str = ""  # speaker notes: the reasons behind the flags and figures of the slide
    region: str | None = None  # kab/kota code of a "daerah" slide


def build_slides(results: Results, as_of: date, filters: Filters | None = None, rules: Rules | None = None, *,
                 meeting_date: date | None = None, sample_data: bool = False,
                 since: Since | None = None, stories: pd.DataFrame | None = None) -> list[Slide]:
    """Every slide of the rakor, in order: fixed slides (with "Sejak rakor …" after the flags when ``since`` is
    given), one slide per region shown, then the lists ("Praktik baik" before the methodology when published
    ``stories`` are given)."""
    rules = rules or load_rules()
    filters = filters or Filters()
    national = scope().is_national
    by_id = _agreements_by_id(results)
    slides = [
        title_slide(as_of, filters, meeting_date or as_of, sample_data),
        national_overview_slide(results, as_of, rules) if national else overview_slide(results, as_of, rules),
        partner_slide(results),
        flags_slide(results, rules),
        *([since_slide(since, results, by_id=by_id)] if since is not None else []),
        province_league_slide(results) if national else league_slide(results),
    ]
    if national:  # one slide per province, its government and kab/kota each on a row: 552 unit slides would be none
        slides += [province_slide(results, code) for code in province_order(results.provinces)]
    else:
        agreements_of, flags_of = _by_region(results.agreements), _by_region(results.flags)
        slides += [region_slide(results, code, as_of, by_id=by_id,
                                own=(agreements_of.get(code, results.agreements.iloc[:0]),
                                     flags_of.get(code, results.flags.iloc[:0])))
                   for code in region_order(results.regions)]
    slides += [expiring_slide(results, rules, by_id=by_id), reports_slide(results, as_of, rules, by_id=by_id)]
    if stories is not None and len(stories):
        slides.append(stories_slide(stories))
    slides.append(methodology_slide(rules))
    return slides


def _by_region(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Code -> the rows of ``frame`` of that kab/kota, in their order: one pass instead of a filter per region."""
    return dict(tuple(frame.groupby("kabkota_kode", sort=False))) if len(frame) else {}


def region_order(regions: pd.DataFrame) -> list[str]:
    """By Kemendagri code: a province government just before its kab/kota ("36" < "36.01")."""
    return sorted(regions["kabkota_kode"]) if len(regions) else []


# --- words and numbers ---------------------------------------------------------------------------------


def count(value) -> str:
    return format_number_id(int(value), 0)


def scope_text(filters: Filters) -> str:
    """The filters in words: ``Semua kab/kota, semua jenis, semua negara mitra``."""
    parts = [
        "Kab/Kota: " + ", ".join(region_name(c) for c in filters.kabkota) if filters.kabkota else "semua kab/kota",
        "jenis: " + ", ".join(filters.jenis) if filters.jenis else "semua jenis",
        "negara mitra: " + ", ".join(country_name(c) for c in filters.negara) if filters.negara else
        "semua negara mitra",
    ]
    text = "; ".join(parts)
    return text[0].upper() + text[1:]


def _text(value) -> str:
    return value if isinstance(value, str) else ""


# What the slides read of an agreement looked up by its ID (its name, its end date).
_BY_ID_COLUMNS = ("id_perjanjian", "mitra", "negara", "judul", "tanggal_berakhir")


def _agreements_by_id(results: Results) -> dict[str, dict]:
    """ID -> the agreement's name fields and end date. Built once per deck (``build_slides`` passes it on):
    at national scale one build takes a noticeable part of a second, once per region it took minutes."""
    frame = results.agreements
    return {row["id_perjanjian"]: row
            for row in frame[[c for c in _BY_ID_COLUMNS if c in frame.columns]].to_dict("records")}


def flag_item(agreement_id: str, years, by_id: dict[str, dict]) -> str:
    """One agreement as a follow-up sentence names it: its name, and the fiscal years of its report flags."""
    name = agreement_name(by_id.get(agreement_id, {"id_perjanjian": agreement_id}))
    shown = sorted({int(y) for y in years if pd.notna(y)})
    return f"{name} — TA {join_id([str(y) for y in shown])}" if shown else name


def follow_up(code: str, items: list[str]) -> str:
    """The follow-up sentence of flag ``code`` naming ``items`` (``flag_item``)."""
    return FLAG_FOLLOW_UPS[code].format(items="; ".join(items))


def _flag_items(flags: pd.DataFrame, by_id: dict[str, dict]) -> dict[str, list[str]]:
    """Per flag code, the agreements it is raised on (report years added), in the order of the flag list."""
    years: dict[tuple[str, str], list] = {}  # (code, agreement) in the order first raised
    for code, agreement_id, year in zip(flags["code"], flags["id_perjanjian"], flags["year"], strict=True):
        years.setdefault((code, agreement_id), []).append(year)
    items: dict[str, list[str]] = {}
    for (code, agreement_id), raised in years.items():
        items.setdefault(code, []).append(flag_item(agreement_id, raised, by_id))
    return {code: items[code] for code in FLAG_CODES if code in items}


def follow_ups(flags: pd.DataFrame, by_id: dict[str, dict]) -> list[str]:
    """What to follow up, one sentence per flag raised in ``flags``, naming the agreements."""
    return [follow_up(code, names) for code, names in _flag_items(flags, by_id).items()]


def flag_notes(flags: pd.DataFrame) -> str:
    """Speaker notes: every flag with its reason, then the rule it rests on."""
    if flags.empty:
        return "Tidak ada bendera peringatan."
    lines = [f"• {label} — {agreement_id}: {reason}"
             for label, agreement_id, reason in zip(flags["label"], flags["id_perjanjian"], flags["reason"], strict=True)]
    rules_seen: dict[str, str] = {}  # code -> the rule of its first flag, in the order first raised
    for code, rule in zip(flags["code"], flags["rule"], strict=True):
        rules_seen.setdefault(code, rule)
    lines.append("")
    lines.append("Aturan:")
    lines += [f"• {FLAG_BY_CODE[code].label}: {rule}" for code, rule in rules_seen.items()]
    return "\n".join(lines)


def _cut(frame: pd.DataFrame, bullets: list[Bullet], what: str) -> pd.DataFrame:
    if len(frame) > MAX_TABLE_ROWS:
        bullets.append(Bullet(f"Tabel menampilkan {MAX_TABLE_ROWS} dari {count(len(frame))} {what}; daftar lengkap "
                              "ada di halaman Peringatan dan ekspor Excel."))
        return frame.head(MAX_TABLE_ROWS)
    return frame


# --- the slides ------------------------------------------------------------------------------------------


def title_slide(as_of: date, filters: Filters, meeting_date: date, sample_data: bool) -> Slide:
    bullets = [
        Bullet(f"Tanggal rapat: {format_date_id(meeting_date)}"),
        Bullet(f"Data per tanggal acuan: {format_date_id(as_of)}"),
        Bullet(f"Cakupan: {scope_text(filters)}"),
    ]
    if sample_data:
        bullets.append(Bullet(f"Data contoh — bukan data resmi {scope().government}."))
    return Slide(
        "judul", meeting_name(), f"Pemantauan kerja sama luar negeri {scope().units_label}",
        tuple(bullets),
        notes=(f"Semua angka dihitung oleh KSLN Monitor per {format_date_id(as_of)}: kegiatan, laporan dan "
               f"persetujuan bertanggal setelahnya belum dihitung. Dasar: {basis_document()}."),
    )


def overview_slide(results: Results, as_of: date, rules: Rules) -> Slide:
    numbers = headline(results)
    flagged = results.flags["id_perjanjian"].nunique() if len(results.flags) else 0
    attention = attention_ranking(results, rules)
    bullets = [
        Bullet(f"{count(numbers.signed)} perjanjian ditandatangani per tanggal acuan, {count(numbers.active)} aktif"),
        Bullet(f"Skor rata-rata perjanjian aktif: {number_text(numbers.mean_score)} dari 100"),
        Bullet(f"Laporan tepat waktu: {number_text(numbers.on_time_rate)} % ({count(numbers.reports_on_time)} dari "
               f"{count(numbers.reports_due)} laporan wajib)" if numbers.on_time_rate is not None else
               "Laporan tepat waktu: – (belum ada laporan yang wajib)"),
        Bullet(f"{count(flagged)} perjanjian berbendera peringatan"),
    ]
    if len(attention):
        bullets.append(Bullet("Perlu perhatian: " + join_id(list(attention["kabkota_nama"]))))
    notes = [
        "Perjanjian aktif: status ditandatangani atau berjalan, sudah ditandatangani dan belum berakhir per "
        f"{format_date_id(as_of)}.",
        "Skor rata-rata: rata-rata skor keberhasilan (0–100) perjanjian aktif; peta mewarnai kab/kota menurut skor itu.",
        "Laporan tepat waktu: laporan tahunan yang masuk paling lambat batasnya dibagi laporan yang wajib.",
    ]
    notes += [f"Perhatian {row.urutan}. {row.kabkota_nama}: {row.alasan}; poin perhatian {row.poin_teks}." for row
              in attention.itertuples(index=False)]
    return Slide("ringkasan", "Gambaran umum", f"Per {format_date_id(as_of)}", tuple(bullets),
                 figure=charts.score_map(results.regions), notes="\n".join(notes))


def partner_slide(results: Results) -> Slide:
    counts = agreements_per_country(results.agreements)
    if counts.empty:
        bullets = [Bullet("Belum ada negara mitra yang tercatat.")]
    else:
        top = [f"{row.nama_negara} ({count(row.jumlah)})" for row in counts.head(5).itertuples(index=False)]
        bullets = [Bullet(f"{count(len(counts))} negara mitra"), Bullet("Terbanyak: " + join_id(top))]
    notes = "\n".join(f"• {row.nama_negara}: {count(row.jumlah)} perjanjian" for row in counts.itertuples(index=False))
    return Slide("negara", "Negara mitra", "Jumlah perjanjian per negara", tuple(bullets),
                 figure=charts.partner_country_map(counts), notes=notes or "Belum ada negara mitra.")


def flags_slide(results: Results, rules: Rules) -> Slide:
    totals = flag_totals(results.regions)
    raised = totals[totals["jumlah"] > 0]
    attention = attention_ranking(results, rules)
    bullets = [Bullet(f"{count(raised['jumlah'].sum())} bendera pada "
                      f"{count(results.flags['id_perjanjian'].nunique() if len(results.flags) else 0)} perjanjian")]
    if len(attention):
        bullets.append(Bullet("Kab/kota yang perlu perhatian:"))
        bullets += [Bullet(f"{row.kabkota_nama}: {row.alasan}", 1) for row in attention.itertuples(index=False)]
    else:
        bullets.append(Bullet("Tidak ada kab/kota dengan peringatan atau skor di bawah 100."))
    notes = [f"• {row.label} ({count(row.jumlah)} perjanjian): {rule_text(FLAG_BY_CODE[row.code], rules)}"
             for row in raised.itertuples(index=False)]
    return Slide("peringatan", "Bendera peringatan", "Perjanjian per jenis peringatan", tuple(bullets),
                 figure=charts.flag_counts_chart(totals), notes="\n".join(notes) or "Tidak ada bendera peringatan.")


SINCE_COLUMNS = ("Daerah", "Bendera baru", "Selesai", "Tetap", "Skor rata-rata", "Perjanjian baru/berakhir",
                 "Tindak lanjut dibuka/ditutup")


def since_frame(since: Since) -> pd.DataFrame:
    """Per region with any change: flags new, resolved and still open, the mean score then and now, agreements, actions."""
    rows = [{
        "Daerah": row.kabkota_nama,
        "Bendera baru": count(row.baru),
        "Selesai": count(row.selesai),
        "Tetap": count(row.tetap),
        "Skor rata-rata": f"{number_text(row.skor_dari)} → {number_text(row.skor_ke)}",
        "Perjanjian baru/berakhir": f"{count(row.perjanjian_baru)} / {count(row.perjanjian_berakhir)}",
        "Tindak lanjut dibuka/ditutup": f"{count(row.tl_dibuka)} / {count(row.tl_ditutup)}",
    } for row in since.units.itertuples(index=False)]
    return pd.DataFrame(rows, columns=list(SINCE_COLUMNS))


def since_slide(since: Since, results: Results, *, by_id: dict[str, dict] | None = None) -> Slide:
    """What changed since the last meeting: flags that appeared, were resolved, are still open; agreements; actions."""
    by_id = _agreements_by_id(results) if by_id is None else by_id
    bullets = [
        Bullet(f"{count(since.count('baru'))} bendera baru, {count(since.count('selesai'))} selesai, "
               f"{count(since.count('tetap'))} masih terbuka"),
        Bullet(f"{count(len(since.new_agreements))} perjanjian mulai aktif, {count(len(since.ended_agreements))} "
               f"berakhir; skor {count(len(since.scores))} perjanjian berubah"),
        Bullet(f"Tindak lanjut: {count(len(since.actions_opened))} dibuka, {count(len(since.actions_closed))} "
               "ditutup"),
    ]
    table = _cut(since_frame(since), bullets, "kab/kota")
    subtitle = (f"{since.meeting}, {format_date_id(since.start)}" if since.meeting else format_date_id(since.start))
    subtitle += f" → {format_date_id(since.end)}"
    notes = []
    for change, heading in (("baru", "Bendera baru"), ("selesai", "Bendera selesai")):
        rows = since.flags[since.flags["perubahan"] == change]
        if len(rows):
            notes.append(f"{heading}:")
            notes += [f"• {r.label} — {agreement_name(by_id.get(r.id_perjanjian, {'id_perjanjian': r.id_perjanjian}))}"
                      for r in rows.itertuples(index=False)]
    return Slide("sejak_rakor", since.title, subtitle, tuple(bullets), table=table if len(table) else None,
                 notes="\n".join(notes) or "Tidak ada bendera yang berubah.")


def league_frame(results: Results) -> pd.DataFrame:
    """The league table as it is shown on a slide: the page's table with the flags as one total."""
    return league_display(results.regions, per_flag=False)


def league_slide(results: Results) -> Slide:
    frame = league_frame(results)
    ranked = results.regions["peringkat"].notna().sum() if len(results.regions) else 0
    bullets = (Bullet(f"{count(ranked)} kab/kota berperingkat menurut skor rata-rata perjanjian aktif; provinsi dan "
                      "daerah tanpa perjanjian aktif tidak diberi peringkat."),)
    weights = ", ".join(f"{c.label.lower()}" for c in COMPONENTS)
    return Slide(
        "klasemen", "Peringkat kabupaten/kota", "Skor rata-rata dan komponennya", bullets, table=frame,
        notes=(f"Kolom komponen ({weights}) adalah poin rata-rata perjanjian aktif; jumlahnya sama dengan skor "
               "rata-rata. Peringatan: banyaknya bendera per jenis, dijumlahkan (satu perjanjian dapat berbendera "
               "lebih dari satu)."),
    )


# --- the national deck: provinces -------------------------------------------------------------------------


def province_order(provinces: pd.DataFrame) -> list[str]:
    """The provinces with agreements in view, by their Kemendagri code."""
    if provinces.empty:
        return []
    return sorted(provinces.loc[provinces["jumlah_perjanjian"] > 0, "provinsi_kode"])


def national_overview_slide(results: Results, as_of: date, rules: Rules) -> Slide:
    """The national picture: the headline figures, the map of provinces, the provinces that need attention."""
    numbers = headline(results)
    flagged = results.flags["id_perjanjian"].nunique() if len(results.flags) else 0
    attention = province_attention_ranking(results, rules)
    active_provinces = int((results.provinces["jumlah_perjanjian"] > 0).sum()) if len(results.provinces) else 0
    bullets = [
        Bullet(f"{count(numbers.signed)} perjanjian ditandatangani per tanggal acuan, {count(numbers.active)} aktif, "
               f"dari {count(active_provinces)} provinsi"),
        Bullet(f"Skor rata-rata perjanjian aktif: {number_text(numbers.mean_score)} dari 100"),
        Bullet(f"Laporan tepat waktu: {number_text(numbers.on_time_rate)} % ({count(numbers.reports_on_time)} dari "
               f"{count(numbers.reports_due)} laporan wajib)" if numbers.on_time_rate is not None else
               "Laporan tepat waktu: – (belum ada laporan yang wajib)"),
        Bullet(f"{count(flagged)} perjanjian berbendera peringatan"),
    ]
    if len(attention):
        bullets.append(Bullet("Provinsi yang perlu perhatian: " + join_id(list(attention["provinsi_nama"]))))
    notes = [
        "Setiap provinsi dihitung bersama kab/kota-nya (pemerintah provinsi dan seluruh kab/kotanya); peta mewarnai "
        "provinsi menurut skor rata-rata perjanjian aktifnya.",
        "Perjanjian aktif: status ditandatangani atau berjalan, sudah ditandatangani dan belum berakhir per "
        f"{format_date_id(as_of)}.",
    ]
    notes += [f"Perhatian {row.urutan}. {row.provinsi_nama}: {row.alasan}; poin perhatian {row.poin_teks}." for row
              in attention.itertuples(index=False)]
    return Slide("ringkasan", "Gambaran nasional", f"Per {format_date_id(as_of)}", tuple(bullets),
                 figure=charts.national_score_map(results.provinces), notes="\n".join(notes))


def province_league_slide(results: Results) -> Slide:
    frame = province_league_display(results.provinces)
    frame = frame[province_league(results.provinces)["jumlah_perjanjian"] > 0].reset_index(drop=True)
    ranked = results.provinces["peringkat"].notna().sum() if len(results.provinces) else 0
    bullets = [Bullet(f"{count(ranked)} provinsi berperingkat menurut skor rata-rata perjanjian aktif pemerintah "
                      "provinsi dan kab/kota-nya bersama; provinsi tanpa perjanjian tidak ditampilkan.")]
    frame = _cut(frame, bullets, "provinsi")
    return Slide("klasemen", "Peringkat provinsi", "Skor rata-rata dan komponennya, provinsi dan kab/kota bersama",
                 tuple(bullets), table=frame,
                 notes="Kolom komponen adalah poin rata-rata perjanjian aktif; jumlahnya sama dengan skor rata-rata. "
                       "Peringkat kab/kota setiap provinsi ada di salindia provinsi itu dan di halaman Provinsi.")


def province_slide(results: Results, code: str) -> Slide:
    """One province: its figures together, then its government and each kab/kota on a row, with what to follow up."""
    province = results.provinces[results.provinces["provinsi_kode"] == code].iloc[0]
    ranked = int(results.provinces["peringkat"].notna().sum())
    rank = f"peringkat {int(province['peringkat'])} dari {ranked}" if pd.notna(province["peringkat"]) else (
        "tanpa peringkat")
    subtitle = f"Skor rata-rata {number_text(province['skor_rata_rata'])} · {rank}"
    units = province_units(results.regions, code)
    flags = (results.flags[results.flags["kabkota_kode"].isin(units["kabkota_kode"])] if len(results.flags)
             else results.flags)
    on_time = (f"laporan tepat waktu {number_text(province['tepat_waktu_persen'])} %"
               if pd.notna(province["tepat_waktu_persen"]) else "belum ada laporan yang wajib")
    bullets = [
        Bullet(f"{count(province['jumlah_perjanjian'])} perjanjian, {count(province['jumlah_aktif'])} aktif; {on_time}"),
        Bullet(f"{count(province['jumlah_kabkota_berperjanjian'])} dari {count(province['jumlah_kabkota'])} kab/kota "
               f"berperjanjian; {count(province['jumlah_perjanjian_pemprov'])} perjanjian pemerintah provinsi"),
        Bullet("Komponen skor: " + " · ".join(f"{c.label} {number_text(province[c.column])}" for c in COMPONENTS)),
    ]
    raised = flags.drop_duplicates("id_perjanjian") if len(flags) else flags
    bullets.append(Bullet(f"Peringatan pada {count(len(raised))} perjanjian" if len(raised)
                          else "Tidak ada bendera peringatan."))
    shown = units[units["jumlah_perjanjian"] > 0]
    table = league_display(shown.assign(peringkat=shown["peringkat_provinsi"]), per_flag=False)
    table = _cut(table, bullets, "daerah")
    return Slide("provinsi", region_name(code), subtitle, tuple(bullets), table=table, notes=flag_notes(flags),
                 region=code)


AGREEMENT_COLUMNS = ("ID", "Mitra", "Jenis", "Status", "Berakhir", "Skor", "Peringatan")
_AGREEMENT_FIELDS = ("id_perjanjian", "mitra", "negara", "judul", "jenis", "status", "tanggal_berakhir", "skor", "flags")


def region_agreements_frame(agreements: pd.DataFrame) -> pd.DataFrame:
    """A region's agreements for its slide: partner, status, end date, score and flag labels."""
    rows = []
    for row in agreements[[c for c in _AGREEMENT_FIELDS if c in agreements.columns]].to_dict("records"):
        partner = ", ".join(p for p in (_text(row.get("mitra")), country_name(_text(row.get("negara")))) if p)
        rows.append({
            "ID": row["id_perjanjian"],
            "Mitra": partner or _text(row.get("judul")),
            "Jenis": _text(row.get("jenis")),
            "Status": _text(row.get("status")),
            "Berakhir": format_date_id(row.get("tanggal_berakhir")) or "–",
            "Skor": number_text(row.get("skor")),
            "Peringatan": flag_labels(row.get("flags"), empty="–"),
        })
    return pd.DataFrame(rows, columns=list(AGREEMENT_COLUMNS))


def region_slide(results: Results, code: str, as_of: date, *, by_id: dict[str, dict] | None = None,
                 own: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> Slide:
    """One region: score and rank, the four components, its agreements, flags with reasons, what to follow up.

    A deck has one per region, so ``build_slides`` passes what it computed once: ``by_id``
    (``_agreements_by_id(results)``) and ``own``, the region's rows of ``results.agreements`` and ``results.flags``.
    """
    region = results.regions[results.regions["kabkota_kode"] == code].iloc[0]
    if own is None:
        own = (results.agreements[results.agreements["kabkota_kode"] == code],
               results.flags[results.flags["kabkota_kode"] == code] if len(results.flags) else results.flags)
    agreements, flags = own
    by_id = _agreements_by_id(results) if by_id is None else by_id
    ranked = int(results.regions["peringkat"].notna().sum())
    rank = f"peringkat {int(region['peringkat'])} dari {ranked}" if pd.notna(region["peringkat"]) else (
        "tanpa peringkat (provinsi)" if not is_kabkota(code) else "tanpa peringkat")
    subtitle = f"Skor rata-rata {number_text(region['skor_rata_rata'])} · {rank}"
    if agreements.empty:
        bullets = [Bullet("Belum ada perjanjian yang tercatat untuk daerah ini (dengan filter yang dipilih).")]
        return Slide("daerah", region_name(code), subtitle, tuple(bullets), notes="Tidak ada perjanjian.", region=code)
    parts = region  # its component means (``overview.region_components`` reads the same columns)
    on_time = (f"laporan tepat waktu {number_text(region['tepat_waktu_persen'])} %" if pd.notna(region["tepat_waktu_persen"])
               else "belum ada laporan yang wajib")
    bullets = [
        Bullet(f"{count(region['jumlah_perjanjian'])} perjanjian, {count(region['jumlah_aktif'])} aktif; {on_time}"),
        Bullet("Komponen skor: " + " · ".join(f"{c.label} {number_text(parts[c.column])}" for c in COMPONENTS)),
    ]
    # The flags stand in the table (their reasons in the notes); the bullets say what to do about them.
    if len(flags):
        raised = flags.drop_duplicates("id_perjanjian")
        bullets.append(Bullet(f"Peringatan pada {count(len(raised))} perjanjian; tindak lanjut:"))
        bullets += [Bullet(text, 1) for text in follow_ups(flags, by_id)]
    else:
        bullets.append(Bullet("Tidak ada bendera peringatan."))
    table = region_agreements_frame(agreements)
    if len(table) > MAX_TABLE_ROWS:
        # Cut, the flagged agreements are the ones the meeting has to see.
        flagged = table["Peringatan"] != "–"
        table = pd.concat([table[flagged], table[~flagged]], ignore_index=True)
        table = _cut(table, bullets, "perjanjian")
    return Slide("daerah", region_name(code), subtitle, tuple(bullets), table=table, notes=flag_notes(flags),
                 region=code)


def expiring_slide(results: Results, rules: Rules, *, by_id: dict[str, dict] | None = None) -> Slide:
    flags = results.flags[results.flags["code"].isin(["expiring_soon", "expired"])] if len(results.flags) else (
        results.flags)
    by_id = _agreements_by_id(results) if by_id is None else by_id
    rows = []
    for row in flags.itertuples(index=False):
        agreement = by_id.get(row.id_perjanjian, {})
        rows.append({
            "Daerah": region_name(row.kabkota_kode),
            "Perjanjian": agreement_name(agreement or {"id_perjanjian": row.id_perjanjian}),
            "Berakhir": format_date_id(agreement.get("tanggal_berakhir")) or "–",
            "Keadaan": row.label,
        })
    frame = pd.DataFrame(rows, columns=["Daerah", "Perjanjian", "Berakhir", "Keadaan"])
    if not frame.empty:
        order = [by_id[i].get("tanggal_berakhir") for i in flags["id_perjanjian"]]
        frame = frame.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")
        frame = frame.reset_index(drop=True)
    soon = int((flags["code"] == "expiring_soon").sum()) if len(flags) else 0
    ended = int((flags["code"] == "expired").sum()) if len(flags) else 0
    bullets = [
        Bullet(f"{count(soon)} perjanjian berakhir dalam {rules.expiring_months} bulan; "
               f"{count(ended)} sudah berakhir tetapi statusnya masih berjalan/ditandatangani"),
    ]
    if not frame.empty:
        bullets.append(Bullet("Tindak lanjut: putuskan perpanjangan (perlu persetujuan DPRD dan Pusat lagi) atau "
                              "akhiri secara resmi dan perbarui statusnya."))
    frame = _cut(frame, bullets, "perjanjian")
    return Slide("berakhir", "Perjanjian segera berakhir", "Masa berlaku yang perlu diputuskan", tuple(bullets),
                 table=frame if not frame.empty else None, notes=flag_notes(flags))


def reports_slide(results: Results, as_of: date, rules: Rules, *, by_id: dict[str, dict] | None = None) -> Slide:
    numbers = headline(results)
    flags = results.flags[results.flags["code"].isin(["missing_report", "late_report"])] if len(results.flags) else (
        results.flags)
    by_id = _agreements_by_id(results) if by_id is None else by_id
    rows = [{
        "Daerah": region_name(row.kabkota_kode),
        "Perjanjian": agreement_name(by_id.get(row.id_perjanjian, {"id_perjanjian": row.id_perjanjian})),
        "TA": str(int(row.year)) if pd.notna(row.year) else "–",
        "Keadaan": row.label,
    } for row in flags.itertuples(index=False)]
    frame = pd.DataFrame(rows, columns=["Daerah", "Perjanjian", "TA", "Keadaan"])
    if not frame.empty:
        # Missing reports first (they can still be asked for), then by fiscal year.
        late_first = frame["Keadaan"] != FLAG_BY_CODE["missing_report"].label
        frame = (frame.assign(_late=late_first).sort_values(["_late", "TA"], kind="stable")
                 .drop(columns="_late").reset_index(drop=True))
    missing = int((flags["code"] == "missing_report").sum()) if len(flags) else 0
    late = int((flags["code"] == "late_report").sum()) if len(flags) else 0
    last_year = as_of.year - 1
    bullets = [
        Bullet(f"{count(numbers.reports_due)} laporan wajib, {count(numbers.reports_on_time)} tepat waktu"
               + (f" ({number_text(numbers.on_time_rate)} %)" if numbers.on_time_rate is not None else "")),
        Bullet(f"{count(missing)} laporan belum masuk, {count(late)} laporan terlambat"),
        Bullet(f"Batas laporan: hari kerja ke-{rules.report_working_days} setelah tahun anggaran berakhir; TA "
               f"{last_year} → {format_date_id(reporting_deadline(last_year, rules))}"),
    ]
    frame = _cut(frame, bullets, "laporan")
    return Slide("laporan", "Laporan tahunan", "Laporan yang belum masuk atau terlambat", tuple(bullets),
                 table=frame if not frame.empty else None, notes=flag_notes(flags))


MAX_STORIES = 4  # on one slide; the document export has them all


def _short(text, limit: int = 180) -> str:
    text = " ".join(_text(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def stories_slide(stories: pd.DataFrame) -> Slide:
    """The published success stories: what was achieved, for whom, with which figures; lessons in the notes."""
    bullets: list[Bullet] = []
    rows = []
    for story in stories.head(MAX_STORIES).to_dict("records"):
        bullets.append(Bullet(f"{_short(story['judul'], 100)} — {story['kabkota_nama']}"))
        bullets.append(Bullet(_short(story["capaian"]), 1))
        if _text(story.get("angka")):
            bullets.append(Bullet(f"Angka: {_short(story['angka'], 120)}", 1))
        rows.append({"Daerah": story["kabkota_nama"], "Perjanjian": agreement_name(story),
                     "Penerima manfaat": _short(story.get("penerima"), 80) or "–"})
    if len(stories) > MAX_STORIES:
        bullets.append(Bullet(f"{count(len(stories) - MAX_STORIES)} cerita lain ada di dokumen Praktik Baik "
                              "(halaman Tindak Lanjut)."))
    notes = [f"• {story['judul']} ({story['id_perjanjian']}): pelajaran — {_text(story.get('pelajaran')) or '–'}"
             for story in stories.to_dict("records")]
    return Slide("praktik_baik", "Praktik baik", "Cerita sukses yang diterbitkan Provinsi", tuple(bullets),
                 table=pd.DataFrame(rows, columns=["Daerah", "Perjanjian", "Penerima manfaat"]), notes="\n".join(notes))


def methodology_slide(rules: Rules) -> Slide:
    weights = " + ".join(f"{c.label} ({rules.describe(c.weight_key)})" for c in COMPONENTS)
    bullets = (
        Bullet(f"Skor 0–100 untuk setiap perjanjian yang sudah ditandatangani: {weights}."),
        Bullet("Aktif: status ditandatangani atau berjalan, sudah ditandatangani dan belum berakhir per tanggal acuan."),
        Bullet(f"Laporan tahunan paling lambat hari kerja ke-{rules.report_working_days} setelah 31 Desember "
               "(libur nasional dan cuti bersama tidak dihitung)."),
        Bullet(f"{len(FLAGS)} bendera peringatan, antara lain {FLAG_BY_CODE['ceremonial_only'].label} "
               f"({rules.ceremonial_months} bulan tanpa tindak lanjut), {FLAG_BY_CODE['stalled'].label} "
               f"({rules.stalled_months} bulan tanpa kegiatan substantif), "
               f"{join_id([FLAG_BY_CODE[c].label for c in ('no_dprd_approval', 'no_central_approval', 'delegated_signature')])}."),
        Bullet("Ambang dan bobot dapat diubah admin (halaman Pengaturan); rincian di halaman Metodologi."),
    )
    notes = "\n".join(f"• {c.label}: {rule_text(c, rules)}" for c in COMPONENTS)
    return Slide("metodologi", "Metodologi ringkas", "Dari mana angka-angka ini", bullets, notes=notes)


SAMPLE_DATA_MARK = "Data contoh — bukan data resmi"


def footer_text(as_of: date, sample_data: bool = False) -> str:
    """The line at the foot of every slide and report page; it says "Data contoh" on each when the store holds it."""
    text = f"KSLN Monitor · data per {format_date_id(as_of)}"
    return f"{SAMPLE_DATA_MARK} · {text}" if sample_data else text


def file_stem(as_of: date) -> str:
    """``rakor-ksln-2026-11-28``: the name of the deck, the report and the workbook."""
    return f"rakor-ksln-{as_of.isoformat()}"
