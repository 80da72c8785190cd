"""The methodology page, generated from the same flag and component definitions the engine uses."""

from __future__ import annotations

from datetime import date

from ksln_metrics.engine.calendar import reporting_deadline
from ksln_metrics.engine.rules import (
    COMPONENTS,
    FLAGS,
    SETTINGS,
    ComponentDefinition,
    FlagDefinition,
    Rules,
    rule_text,
)
from ksln_metrics.formatting import format_date_id

_SETTING_LABELS = {s.key: s.label for s in SETTINGS}


def _settings_lines(keys: tuple[str, ...], rules: Rules) -> list[str]:
    if not keys:
        return ["- Tidak ada; aturan ini tetap."]
    return [f"- `{key}` = {rules.describe(key)} — {_SETTING_LABELS[key]}" for key in keys]


def _section(definition: FlagDefinition | ComponentDefinition, title: str, rules: Rules) -> list[str]:
    values = rules.template_values()
    lines = [
        f"### {title}",
        "",
        f"**Aturan.** {rule_text(definition, rules)}",
        "",
        f"**Contoh.** {definition.example}",
        "",
        f"**Mengapa penting.** {definition.why.format(**values)}",
        "",
        "**Konfigurasi.**",
        "",
        *_settings_lines(definition.settings, rules),
        "",
        "**Asumsi.**",
        "",
        *(f"- {a.format(**values)}" for a in definition.assumptions),
        "",
    ]
    return lines


def _glossary(rules: Rules) -> list[str]:
    this_year = date.today().year
    examples = ", ".join(
        f"TA {y} → {format_date_id(reporting_deadline(y, rules))}" for y in (this_year - 2, this_year - 1)
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


def _regions() -> list[str]:
    return [
        "## Angka per kabupaten/kota",
        "",
        "Provinsi Banten (kode 36) tampil sebagai baris sendiri berisi kerja sama Pemerintah Provinsi; setiap "
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
        "",
    ]


def methodology_markdown(rules: Rules) -> str:
    """The whole methodology in Markdown (Bahasa Indonesia), with the current settings."""
    lines = [
        "# Metodologi indikator keberhasilan dan bendera peringatan",
        "",
        "Halaman ini menjelaskan setiap angka dan bendera KSLN Monitor: aturannya, contoh, mengapa penting, "
        "pengaturan yang memengaruhinya (berkas `data/aturan.toml`, dapat diubah admin) dan asumsinya. Dasar "
        "utamanya adalah laporan Rapat Koordinasi Kerja Sama Luar Negeri Provinsi Banten 11 Maret 2019.",
        "",
        *_glossary(rules),
        *_score_intro(rules),
    ]
    for component in COMPONENTS:
        lines += _section(component, f"{component.label} (bobot {rules.describe(component.weight_key)})", rules)
    lines += ["## Bendera peringatan", ""]
    for flag in FLAGS:
        lines += _section(flag, f"{flag.label} (`{flag.code}`)", rules)
    lines += _regions()
    return "\n".join(lines)
