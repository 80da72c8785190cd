"""The methodology page, generated from the same flag, component and ranking definitions the engine uses.

Every rule is told with Cardinal's template: the rule, an example, why it matters, what it
produces, its settings, what it leaves out and its assumptions. The examples are computed
from the current settings (dates from the working-day calendar, points from the weights),
so they change when an admin changes a threshold.
"""

from __future__ import annotations

from datetime import date, timedelta

from ksln_metrics.clock import today
from ksln_metrics.engine.calendar import is_working_day, reporting_deadline
from ksln_metrics.engine.rules import (
    ATTENTION,
    COMPONENTS,
    FLAGS,
    ComponentDefinition,
    FlagDefinition,
    RankingDefinition,
    Rules,
    rule_text,
    setting_label,
)
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.reference import basis_document, country_name, example_units, scope


def _months_later(day: date, months: int) -> date:
    """``day`` plus whole months, the last day of a shorter month when it has no such day (as the SQL's to_months)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _next_working_day(day: date, rules: Rules) -> date:
    day += timedelta(days=1)
    while not is_working_day(day, rules):
        day += timedelta(days=1)
    return day


def _points(share: float, weight: float) -> str:
    return format_number_id(round(share * weight, 2))


def _number(value: float) -> str:
    return format_number_id(value, 0 if float(value).is_integer() else 2)


def example_values(rules: Rules) -> dict[str, str]:
    """The dates and points of the examples, computed from the current settings."""
    deadline_2024, deadline_2025 = reporting_deadline(2024, rules), reporting_deadline(2025, rules)
    ends = date(2025, 6, 30)
    warned = _months_later(ends, -rules.expiring_months)
    head_jenis = rules.head_signatory_jenis
    delegate = next((t for t in rules.non_head_titles if t.isalpha()), None)
    kab, kota = example_units()
    if head_jenis and delegate:
        signatory = (f"{head_jenis[0]} {kab.name} ditandatangani \"{delegate.capitalize()} Bupati {kab.bare}\": "
                     f"jabatan memuat \"{delegate}\", jadi bukan kepala daerah sendiri.")
    elif head_jenis:
        signatory = f"{head_jenis[0]} {kab.name} ditandatangani \"Sekretaris DPRD\": bukan jabatan kepala daerah."
    else:
        signatory = "Tidak ada jenis kerja sama yang wajib ditandatangani kepala daerah: bendera ini tidak muncul."
    countries = rules.countries_without_relations
    country = (f"Usulan kerja sama {kota.name} dengan mitra di {country_name(countries[0])} ({countries[0]}) "
               "berstatus proses: bendera ini sudah muncul sebelum penandatanganan." if countries else
               "Daftar negara kosong: bendera ini tidak muncul.")
    per_flag = rules.attention_points_per_flag
    first, second = (100 - 62.5) + per_flag * 4, (100 - 90) + per_flag * 1
    upper, lower = ("A", "B") if first >= second else ("B", "A")
    attention = (f"Kab. A: skor rata-rata 62,5 dan 4 bendera → (100 − 62,5) + {_number(per_flag)} × 4 = "
                 f"{_number(first)} poin. Kab. B: skor 90 dan 1 bendera → (100 − 90) + {_number(per_flag)} × 1 = "
                 f"{_number(second)} poin. Kab. {upper} tampil di atas Kab. {lower}.")
    return {
        "contoh_seremonial_acuan": format_date_id(_months_later(date(2019, 3, 11), rules.ceremonial_months)),
        "contoh_mangkrak_batas": format_date_id(_months_later(date(2023, 2, 5), rules.stalled_months)),
        "contoh_mangkrak_acuan": format_date_id(_months_later(date(2023, 2, 5), rules.stalled_months)
                                                + timedelta(days=1)),
        "contoh_batas_2024": format_date_id(deadline_2024),
        "contoh_sesudah_batas_2024": format_date_id(deadline_2024 + timedelta(days=1)),
        "contoh_batas_2025": format_date_id(deadline_2025),
        "contoh_terlambat_2025": format_date_id(_next_working_day(deadline_2025, rules)),
        "contoh_berakhir_acuan": format_date_id(warned),
        "contoh_berakhir_hari": format_number_id((ends - warned).days, 0),
        "contoh_penandatangan": signatory,
        "contoh_negara": country,
        "contoh_kepatuhan": _points(3 / 4, rules.weight_compliance),
        "contoh_tindak_lanjut": _points(2 / 4, rules.weight_follow_up),
        "contoh_capaian": _points(0.9, rules.weight_achievement),
        "contoh_pelaporan": _points(2 / 3, rules.weight_reporting),
        "contoh_perhatian": attention,
        "baris_provinsi": _province_rows(),
    }


def _settings_lines(keys: tuple[str, ...], rules: Rules) -> list[str]:
    if not keys:
        return ["- Tidak ada; aturan ini tetap."]
    return [f"- {setting_label(key)}: **{rules.describe(key)}**" for key in keys]


def _output(definition) -> str:
    if isinstance(definition, FlagDefinition):
        unit = "perjanjian dan tahun anggaran" if definition.per_year else "perjanjian"
        return (f"Satu bendera per {unit}, dengan alasan yang menyebut tanggal dan angka pemicunya; tampil di "
                "Peringatan, rincian Perjanjian dan Kabupaten/Kota, salindia rakor, dan ekspor (kolom flags dan "
                f"jumlah per kab/kota, kode `{definition.code}`).")
    if isinstance(definition, ComponentDefinition):
        return (f"Poin 0 sampai bobotnya per perjanjian yang sudah ditandatangani (kolom {definition.column} di "
                "ekspor); rata-ratanya per kab/kota atas perjanjian aktif.")
    return ("Urutan kab/kota dengan poinnya dan alasan dalam kalimat; tampil di Ringkasan (tiga teratas) dan "
            "salindia rakor.")


def _section(definition: FlagDefinition | ComponentDefinition | RankingDefinition, title: str,
             rules: Rules, examples: dict[str, str]) -> list[str]:
    values = {**rules.template_values(), **examples}
    lines = [
        f"### {title}",
        "",
        f"**Aturan.** {rule_text(definition, rules)}",
        "",
        f"**Contoh.** {definition.example.format(**values)}",
        "",
        f"**Mengapa penting.** {definition.why.format(**values)}",
        "",
        f"**Keluaran.** {_output(definition)}",
        "",
        "**Pengaturan.**",
        "",
        *_settings_lines(definition.settings, rules),
        "",
    ]
    exclusions = getattr(definition, "exclusions", ())
    if exclusions:
        lines += ["**Pengecualian.**", "", *(f"- {e.format(**values)}" for e in exclusions), ""]
    lines += ["**Asumsi.**", "", *(f"- {a.format(**values)}" for a in definition.assumptions), ""]
    return lines


def _glossary(rules: Rules, year: int) -> list[str]:
    examples = ", ".join(
        f"TA {y} → {format_date_id(reporting_deadline(y, rules))}" for y in (year - 2, year - 1)
    )
    return [
        "## Istilah",
        "",
        "- **Tanggal acuan.** Semua angka dihitung per satu tanggal (bawaan: hari ini), sehingga hasilnya dapat "
        "diulang. Data bertanggal setelah tanggal acuan (kegiatan, laporan, persetujuan) belum dihitung.",
        "- **Ditandatangani.** Tanggal tanda tangan tidak setelah tanggal acuan; bila tanggalnya kosong, status "
        "ditandatangani, berjalan atau selesai. Hanya perjanjian yang ditandatangani mendapat skor.",
        "- **Aktif.** Status ditandatangani atau berjalan, ditandatangani paling lambat pada tanggal acuan, dan "
        "belum berakhir sebelum tanggal acuan (hari berakhir sendiri masih berlaku). Status berjalan tanpa tanggal "
        "tanda tangan dihitung aktif.",
        "- **Tanggal berakhir.** Kolom Tanggal Berakhir; bila kosong, tanggal tanda tangan ditambah Masa Berlaku "
        "(tahun); bila keduanya kosong, perjanjian dianggap belum berakhir.",
        "- **Aktif pada tahun anggaran Y.** Ditandatangani paling lambat 31 Desember Y, belum berakhir sebelum 1 "
        "Januari Y, dan status bukan usulan, proses atau batal. Untuk setiap tahun seperti itu wajib ada laporan "
        "tahunan. Tahun anggaran sama dengan tahun kalender.",
        f"- **Kegiatan seremonial.** Kegiatan berjenis {rules.describe('kegiatan.jenis_seremonial')}. Semua kegiatan "
        "lain, termasuk yang jenisnya kosong, adalah **kegiatan substantif**.",
        "- **Hari kerja.** Senin–Jumat, dikurangi libur nasional dan cuti bersama Indonesia (paket `holidays`), "
        f"ditambah libur tambahan dari pengaturan (sekarang: {rules.describe('kalender.libur_tambahan')}) dan dikurangi "
        f"libur yang dibatalkan (sekarang: {rules.describe('kalender.libur_dibatalkan')}).",
        f"- **Batas laporan.** Hari kerja ke-{rules.report_working_days} setelah 31 Desember tahun anggaran; laporan "
        f"yang masuk pada hari batas masih tepat waktu. Contoh: {examples}.",
        "- **Laporan wajib.** Laporan tahun anggaran yang batasnya sudah lewat sebelum tanggal acuan. Laporan yang "
        "sudah diterima sebelum batasnya lewat tampil sebagai \"Diterima, belum jatuh tempo\" dan baru dihitung dalam "
        "skor pelaporan setelah batasnya lewat (sebagai tepat waktu).",
        "",
    ]


def _score_intro(rules: Rules) -> list[str]:
    parts = " + ".join(f"{c.label.lower()} ({rules.describe(c.weight_key)})" for c in COMPONENTS)
    return [
        "## Skor keberhasilan",
        "",
        f"Skor 0–100 untuk setiap perjanjian yang sudah ditandatangani: {parts}. Setiap komponen adalah bagian "
        "(0 sampai 1) dikali bobotnya; skor adalah jumlahnya, dibulatkan dua desimal. Perjanjian yang belum "
        "pernah ditandatangani tidak punya skor. Bobot adalah asumsi yang perlu dikonfirmasi Pemerintah Provinsi.",
        "",
    ]


def _province_rows() -> str:
    current = scope()
    if current.is_national:
        return "Setiap provinsi (kode dua angka, mis. 32)"
    return f"{current.title} (kode {current.code})"


def _regions() -> list[str]:
    return [
        "## Angka per kabupaten/kota",
        "",
        f"{_province_rows()} tampil sebagai baris sendiri berisi kerja sama Pemerintah Provinsi; setiap "
        "kab/kota tampil walaupun belum punya perjanjian.",
        "",
        "- **Jumlah perjanjian** dan **jumlah aktif** (lihat Istilah).",
        "- **Skor rata-rata**: rata-rata skor perjanjian yang aktif; kosong bila tidak ada yang aktif.",
        "- **Tepat waktu (%)**: laporan yang masuk tepat waktu dibagi laporan yang wajib (batasnya sudah lewat), "
        "atas semua perjanjian daerah itu; kosong bila belum ada laporan yang wajib.",
        "- **Jumlah per bendera**: banyaknya perjanjian yang berbendera itu (perjanjian dengan beberapa laporan "
        "terlambat dihitung sekali).",
        "- **Peringkat**: urutan kab/kota menurut skor rata-rata, tertinggi pertama; nilai sama mendapat peringkat "
        "sama. Baris provinsi dan daerah tanpa perjanjian aktif tidak diberi peringkat.",
        "- **Perjanjian** di Ringkasan: perjanjian yang sudah ditandatangani per tanggal acuan; usulan yang belum "
        "ditandatangani dan perjanjian yang ditandatangani setelah tanggal acuan disebut terpisah.",
        "",
    ]


def methodology_markdown(rules: Rules, as_of: date | None = None) -> str:
    """The whole methodology in Markdown (Bahasa Indonesia), with the current settings; deadlines around ``as_of``."""
    year = (as_of or today()).year
    examples = example_values(rules)
    lines = [
        "# Metodologi indikator keberhasilan dan bendera peringatan",
        "",
        "Halaman ini menjelaskan setiap angka dan bendera KSLN Monitor dengan susunan yang sama: aturan, contoh, "
        "mengapa penting, keluaran, pengaturan yang memengaruhinya (dapat diubah admin di halaman Pengaturan), "
        "pengecualian dan asumsi. Contoh dihitung dari pengaturan yang berlaku. Dasar utamanya adalah "
        f"{basis_document()}.",
        "",
        *_glossary(rules, year),
        *_score_intro(rules),
    ]
    for component in COMPONENTS:
        lines += _section(component, f"{component.label} (bobot {rules.describe(component.weight_key)})", rules,
                          examples)
    lines += ["## Bendera peringatan", ""]
    for flag in FLAGS:
        lines += _section(flag, flag.label, rules, examples)
    lines += _regions()
    lines += ["## Urutan perhatian", ""]
    lines += _section(ATTENTION, ATTENTION.label, rules, examples)
    return "\n".join(lines)
