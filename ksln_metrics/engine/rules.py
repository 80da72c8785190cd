"""The rules of success indicators and flags: their one definition and their settings file.

``data/aturan.toml`` holds every threshold, weight and list the engine uses; ``load_rules``
reads and checks it. ``FLAGS`` and ``COMPONENTS`` define each flag and score component
once: the engine, the methodology page and the dashboard all read them from here.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from ksln_metrics.paths import DATA_DIR
from ksln_metrics.reference import (
    JENIS,
    JENIS_KEGIATAN,
    JENIS_KEGIATAN_ALIASES,
    country_aliases,
    country_name,
    normalize_text,
)

DEFAULT_RULES = DATA_DIR / "aturan.toml"


class RulesError(ValueError):
    """An invalid settings file; the message (Bahasa Indonesia) names the offending key."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


# --- validators: TOML value -> checked Python value, or RulesError naming the key ----------


def _number(key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < 0:
        raise RulesError(f"Pengaturan '{key}' harus berupa angka 0 atau lebih, bukan {value!r}.", key)
    return int(value) if float(value).is_integer() else float(value)


def _positive_int(key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RulesError(f"Pengaturan '{key}' harus berupa bilangan bulat positif, bukan {value!r}.", key)
    return value


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise RulesError(f"Pengaturan '{key}' harus true atau false, bukan {value!r}.", key)
    return value


def _list(key: str, value: Any) -> list:
    if not isinstance(value, list):
        raise RulesError(f"Pengaturan '{key}' harus berupa daftar, mis. [\"a\", \"b\"].", key)
    return value


def _texts(key: str, value: Any) -> tuple[str, ...]:
    items = _list(key, value)
    for item in items:
        if not isinstance(item, str) or not normalize_text(item):
            raise RulesError(f"Pengaturan '{key}' hanya boleh berisi teks yang tidak kosong, bukan {item!r}.", key)
    return tuple(items)


def _activity_types(key: str, value: Any) -> tuple[str, ...]:
    result = []
    for item in _texts(key, value):
        canonical = JENIS_KEGIATAN_ALIASES.get(normalize_text(item))
        if canonical is None:
            raise RulesError(
                f"Pengaturan '{key}': jenis kegiatan '{item}' tidak dikenal. Pilihan: {', '.join(JENIS_KEGIATAN)}.",
                key,
            )
        result.append(canonical)
    return tuple(dict.fromkeys(result))


def _jenis(key: str, value: Any) -> tuple[str, ...]:
    result = []
    for item in _texts(key, value):
        if item.strip().upper() not in JENIS:
            raise RulesError(f"Pengaturan '{key}': jenis '{item}' tidak dikenal. Pilihan: {', '.join(JENIS)}.", key)
        result.append(item.strip().upper())
    return tuple(dict.fromkeys(result))


def _countries(key: str, value: Any) -> tuple[str, ...]:
    result = []
    for item in _texts(key, value):
        code = country_aliases().get(normalize_text(item))
        if code is None:
            raise RulesError(f"Pengaturan '{key}': negara '{item}' tidak dikenal; tulis kode ISO, mis. ISR.", key)
        result.append(code)
    return tuple(dict.fromkeys(result))


def _dates(key: str, value: Any) -> tuple[date, ...]:
    result = []
    for item in _list(key, value):
        if isinstance(item, date):
            result.append(item)
            continue
        try:
            result.append(date.fromisoformat(str(item)))
        except ValueError:
            raise RulesError(
                f"Pengaturan '{key}': '{item}' bukan tanggal yang sah; tulis TTTT-BB-HH, mis. 2026-01-02.", key
            ) from None
    return tuple(sorted(set(result)))


@dataclass(frozen=True)
class Setting:
    key: str  # dotted TOML key, e.g. "ambang.seremonial_bulan"
    field: str  # attribute of Rules
    check: Callable[[str, Any], Any]
    label: str  # what it is, in Bahasa Indonesia, for the methodology and settings pages


SETTINGS: tuple[Setting, ...] = (
    Setting("bobot.kepatuhan", "weight_compliance", _number, "Bobot komponen kepatuhan"),
    Setting("bobot.tindak_lanjut", "weight_follow_up", _number, "Bobot komponen tindak lanjut"),
    Setting("bobot.capaian", "weight_achievement", _number, "Bobot komponen capaian indikator"),
    Setting("bobot.pelaporan", "weight_reporting", _number, "Bobot komponen pelaporan"),
    Setting("ambang.seremonial_bulan", "ceremonial_months", _positive_int,
            "Bulan sejak tanda tangan sebelum ditandai Seremonial saja"),
    Setting("ambang.mangkrak_bulan", "stalled_months", _positive_int, "Bulan tanpa kegiatan substantif (Mangkrak)"),
    Setting("ambang.segera_berakhir_bulan", "expiring_months", _positive_int,
            "Bulan sebelum berakhir (Segera berakhir)"),
    Setting("pelaporan.batas_hari_kerja", "report_working_days", _positive_int,
            "Batas laporan tahunan, hari kerja setelah 31 Desember"),
    Setting("kegiatan.jenis_seremonial", "ceremonial_activity_types", _activity_types,
            "Jenis kegiatan yang dihitung seremonial"),
    Setting("penandatangan.jenis_wajib_kepala_daerah", "head_signatory_jenis", _jenis,
            "Jenis kerja sama yang wajib ditandatangani kepala daerah sendiri"),
    Setting("penandatangan.jabatan_kepala_daerah", "head_titles", _texts, "Jabatan kepala daerah"),
    Setting("penandatangan.jabatan_bukan_kepala_daerah", "non_head_titles", _texts,
            "Kata yang menandakan bukan kepala daerah sendiri"),
    Setting("penandatangan.kosong_dianggap_tidak_sah", "empty_signatory_invalid", _bool,
            "Penandatangan kosong dianggap tidak sah"),
    Setting("negara.tanpa_hubungan_diplomatik", "countries_without_relations", _countries,
            "Negara tanpa hubungan diplomatik dengan Indonesia"),
    Setting("kalender.libur_tambahan", "extra_holidays", _dates, "Libur tambahan"),
    Setting("kalender.libur_dibatalkan", "cancelled_holidays", _dates, "Libur yang dibatalkan"),
    Setting("impor.tahun_paling_awal", "import_year_min", _positive_int, "Tahun paling awal yang diterima saat impor"),
    Setting("impor.tahun_paling_akhir", "import_year_max", _positive_int, "Tahun paling akhir yang diterima saat impor"),
)
_BY_KEY = {s.key: s for s in SETTINGS}
# Settings added later: a rules file written before them keeps working with these values.
OPTIONAL_DEFAULTS = {"impor.tahun_paling_awal": 1945, "impor.tahun_paling_akhir": 2100}
WEIGHT_KEYS = ("bobot.kepatuhan", "bobot.tindak_lanjut", "bobot.capaian", "bobot.pelaporan")


@dataclass(frozen=True)
class Rules:
    """Every threshold, weight and list of ``data/aturan.toml``, checked."""

    weight_compliance: float
    weight_follow_up: float
    weight_achievement: float
    weight_reporting: float
    ceremonial_months: int
    stalled_months: int
    expiring_months: int
    report_working_days: int
    ceremonial_activity_types: tuple[str, ...]
    head_signatory_jenis: tuple[str, ...]
    head_titles: tuple[str, ...]
    non_head_titles: tuple[str, ...]
    empty_signatory_invalid: bool
    countries_without_relations: tuple[str, ...]
    extra_holidays: tuple[date, ...]
    cancelled_holidays: tuple[date, ...]
    import_year_min: int
    import_year_max: int

    def value(self, key: str) -> Any:
        """Current value of a dotted settings key, e.g. ``rules.value("ambang.mangkrak_bulan")``."""
        return getattr(self, _BY_KEY[key].field)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The settings as the nested dict of the TOML file."""
        tables: dict[str, dict[str, Any]] = {}
        for s in SETTINGS:
            table, name = s.key.split(".")
            value = self.value(s.key)
            tables.setdefault(table, {})[name] = list(value) if isinstance(value, tuple) else value
        return tables

    def replace(self, **changes: Any) -> Rules:
        """A copy with some settings changed by dotted key, checked like a file: ``replace(**{"ambang.x": 3})``."""
        data = self.to_dict()
        for key, value in changes.items():
            table, name = key.split(".")
            data.setdefault(table, {})[name] = value
        return rules_from_dict(data)

    def describe(self, key: str) -> str:
        """A setting's current value written for people: lists joined, countries named."""
        value = self.value(key)
        if key == "negara.tanpa_hubungan_diplomatik":
            return ", ".join(f"{country_name(c)} ({c})" for c in value) or "tidak ada"
        if isinstance(value, tuple):
            return ", ".join(str(v) for v in value) or "tidak ada"
        if isinstance(value, bool):
            return "ya" if value else "tidak"
        return str(value)

    def template_values(self) -> dict[str, str]:
        """Values for the ``{name}`` placeholders of the rule texts below."""
        return {key.split(".")[1]: self.describe(key) for key in _BY_KEY}


def rules_from_dict(data: Mapping[str, Any]) -> Rules:
    """Check a parsed settings file; raise RulesError naming the first offending key."""
    values: dict[str, Any] = {}
    for table, content in data.items():
        if not isinstance(content, Mapping):
            raise RulesError(f"Bagian '[{table}]' tidak dikenal atau bukan tabel.", table)
        for name in content:
            if f"{table}.{name}" not in _BY_KEY:
                raise RulesError(f"Pengaturan '{table}.{name}' tidak dikenal.", f"{table}.{name}")
    for s in SETTINGS:
        table, name = s.key.split(".")
        if name not in data.get(table, {}) and s.key in OPTIONAL_DEFAULTS:
            values[s.field] = OPTIONAL_DEFAULTS[s.key]
            continue
        if name not in data.get(table, {}):
            raise RulesError(f"Pengaturan '{s.key}' tidak ada; tambahkan di bagian [{table}].", s.key)
        values[s.field] = s.check(s.key, data[table][name])
    total = sum(values[_BY_KEY[k].field] for k in WEIGHT_KEYS)
    if not math.isclose(total, 100):
        raise RulesError(
            f"Jumlah bobot ({', '.join(WEIGHT_KEYS)}) harus 100, sekarang {total:g}.", "bobot"
        )
    if not 1000 <= values["import_year_min"] < values["import_year_max"] <= 9999:
        raise RulesError("Pengaturan 'impor.tahun_paling_awal' harus lebih kecil daripada 'impor.tahun_paling_akhir', "
                         "keduanya tahun empat angka.", "impor.tahun_paling_awal")
    if not values["head_titles"]:
        raise RulesError("Pengaturan 'penandatangan.jabatan_kepala_daerah' tidak boleh kosong.",
                         "penandatangan.jabatan_kepala_daerah")
    return Rules(**values)


def parse_rules(text: str) -> Rules:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"Berkas aturan bukan TOML yang sah: {exc}.") from None
    return rules_from_dict(data)


def rules_path(path: str | Path | None = None) -> Path:
    """``path``, else ``$KSLN_RULES``, else ``data/aturan.toml`` of the project."""
    return Path(path or os.environ.get("KSLN_RULES") or DEFAULT_RULES)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and check the settings file."""
    target = rules_path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"Berkas aturan {target} tidak dapat dibaca: {exc.strerror}.") from None
    return parse_rules(text)


def save_rules(rules: str | Mapping[str, Any] | Rules, path: str | Path | None = None) -> Rules:
    """Check then write the settings: TOML text as the admin edited it (comments kept), or a dict."""
    if isinstance(rules, str):
        checked, text = parse_rules(rules), rules
    else:
        import tomli_w

        data = rules.to_dict() if isinstance(rules, Rules) else rules
        checked = rules_from_dict(data)
        text = tomli_w.dumps(checked.to_dict())
    target = rules_path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)
    return checked


# --- the single definition of every flag and score component --------------------------------


@dataclass(frozen=True)
class FlagDefinition:
    code: str  # stable, used in exports and URLs
    label: str
    rule: str  # with {placeholders} from Rules.template_values()
    why: str
    example: str
    settings: tuple[str, ...]
    assumptions: tuple[str, ...]
    per_year: bool = False  # one flag per fiscal year (the reports)


FLAGS: tuple[FlagDefinition, ...] = (
    FlagDefinition(
        "ceremonial_only", "Seremonial saja",
        "Perjanjian aktif, ditandatangani sekurang-kurangnya {seremonial_bulan} bulan sebelum tanggal acuan, "
        "dan belum punya tindak lanjut apa pun: tidak ada PKS, tidak ada RIK atau AWP, dan tidak ada kegiatan "
        "substantif (kegiatan selain {jenis_seremonial}).",
        "Laporan rakor 2019 mencatat MoU yang penandatanganannya sebatas kegiatan seremonial tanpa tindak "
        "lanjut; kerja sama seperti ini memakan biaya perjalanan dan nama baik daerah tanpa manfaat.",
        "MoU sister city ditandatangani 11 Maret 2019; per 1 Oktober 2019 (6 bulan kemudian) yang tercatat hanya "
        "kegiatan penandatanganan, tanpa PKS maupun RIK/AWP.",
        ("ambang.seremonial_bulan", "kegiatan.jenis_seremonial"),
        ("PKS dihitung bila tanggalnya tidak setelah tanggal acuan; RIK/AWP dihitung dari kolom Ada RIK/Ada AWP.",
         "Kegiatan dengan jenis kosong dihitung substantif.",
         "Perjanjian tanpa tanggal tanda tangan tidak dinilai untuk bendera ini."),
    ),
    FlagDefinition(
        "stalled", "Mangkrak",
        "Perjanjian aktif, ditandatangani sekurang-kurangnya {mangkrak_bulan} bulan sebelum tanggal acuan, tidak "
        "berbendera Seremonial saja, dan tidak punya kegiatan substantif dalam {mangkrak_bulan} bulan terakhir "
        "sampai tanggal acuan.",
        "Laporan rakor 2019 mencatat program yang tersendat karena perubahan struktur organisasi dan mutasi "
        "pejabat; kerja sama yang berhenti diam-diam perlu dihidupkan lagi atau diakhiri secara resmi.",
        "PKS ada, kegiatan substantif terakhir pelatihan 5 Februari 2023; per 1 April 2024 sudah 13 bulan tanpa "
        "kegiatan substantif.",
        ("ambang.mangkrak_bulan", "kegiatan.jenis_seremonial"),
        ("Kegiatan tepat {mangkrak_bulan} bulan sebelum tanggal acuan masih dihitung dalam periode.",
         "Perjanjian tanpa tanggal tanda tangan tidak dinilai untuk bendera ini."),
    ),
    FlagDefinition(
        "late_report", "Laporan terlambat",
        "Laporan tahunan untuk tahun anggaran saat perjanjian aktif diterima setelah batasnya: hari kerja ke-"
        "{batas_hari_kerja} setelah 31 Desember tahun itu (hari batas sendiri masih tepat waktu).",
        "Laporan rakor 2019 (rekomendasi 2) mewajibkan laporan hasil kerja sama paling lambat 7 hari kerja setelah "
        "tahun anggaran berakhir; laporan yang terlambat membuat Provinsi tidak bisa melapor ke Pusat tepat waktu.",
        "Laporan TA 2025 masuk 13 Januari 2026, 1 hari kerja setelah batas 12 Januari 2026.",
        ("pelaporan.batas_hari_kerja", "kalender.libur_tambahan", "kalender.libur_dibatalkan"),
        ("Hari kerja: Senin–Jumat dikurangi libur nasional dan cuti bersama (paket holidays, Indonesia) serta "
         "perubahan di pengaturan kalender.",
         "Laporan yang tanggal diterimanya setelah tanggal acuan dianggap belum masuk."),
        per_year=True,
    ),
    FlagDefinition(
        "missing_report", "Laporan belum masuk",
        "Untuk tahun anggaran saat perjanjian aktif, batas laporan (hari kerja ke-{batas_hari_kerja} setelah 31 "
        "Desember) sudah lewat sebelum tanggal acuan dan laporannya belum ada.",
        "Tanpa laporan tahunan, Provinsi sebagai wakil Pemerintah Pusat tidak dapat mengawasi dan melaporkan "
        "hasil kerja sama (laporan rakor 2019, rekomendasi 2 dan 3).",
        "Perjanjian berjalan sepanjang 2024; per 1 April 2025 laporan TA 2024 belum masuk, padahal batasnya "
        "10 Januari 2025.",
        ("pelaporan.batas_hari_kerja", "kalender.libur_tambahan", "kalender.libur_dibatalkan"),
        ("Perjanjian aktif pada tahun anggaran Y bila ditandatangani paling lambat 31 Desember Y, belum berakhir "
         "sebelum 1 Januari Y, dan statusnya bukan usulan, proses atau batal.",
         "Perjanjian berstatus selesai tanpa tanggal berakhir dianggap aktif sampai tahun kegiatan atau laporan "
         "terakhirnya."),
        per_year=True,
    ),
    FlagDefinition(
        "no_dprd_approval", "Tanpa persetujuan DPRD",
        "Perjanjian sudah ditandatangani (status ditandatangani, berjalan atau selesai, atau ada tanggal tanda "
        "tangan) tetapi tanggal persetujuan DPRD tidak tercatat sampai tanggal acuan.",
        "Laporan rakor 2019 menyebut banyak kerja sama luar negeri belum memenuhi ketentuan karena belum mendapat "
        "persetujuan DPRD.",
        "MoU ditandatangani 11 Maret 2019, kolom Tanggal Persetujuan DPRD kosong.",
        (),
        ("Persetujuan bertanggal setelah tanggal acuan dianggap belum ada.",),
    ),
    FlagDefinition(
        "no_central_approval", "Tanpa persetujuan Pusat",
        "Perjanjian sudah ditandatangani tetapi tanggal persetujuan Pemerintah Pusat tidak tercatat sampai "
        "tanggal acuan.",
        "UU 23/2014 Pasal 367 ayat (2): kerja sama daerah dengan pihak luar negeri dilaksanakan setelah mendapat "
        "persetujuan Pemerintah Pusat.",
        "PKS ditandatangani 2 Mei 2022, kolom Tanggal Persetujuan Pusat kosong.",
        (),
        ("Persetujuan bertanggal setelah tanggal acuan dianggap belum ada.",),
    ),
    FlagDefinition(
        "delegated_signature", "Penandatangan tidak sah",
        "Kerja sama berjenis {jenis_wajib_kepala_daerah} ditandatangani oleh selain kepala daerah sendiri: jabatan "
        "penandatangan tidak memuat {jabatan_kepala_daerah}, atau memuat {jabatan_bukan_kepala_daerah}. Plt. dan "
        "Pj. kepala daerah terhitung kepala daerah.",
        "Laporan rakor 2019 (butir m): perjanjian KSDPL dan KSDLL hanya boleh ditandatangani Gubernur atau "
        "Bupati/Wali Kota, tidak boleh diwakilkan.",
        "KSDPL Kabupaten Lebak ditandatangani \"Wakil Bupati Lebak\".",
        ("penandatangan.jenis_wajib_kepala_daerah", "penandatangan.jabatan_kepala_daerah",
         "penandatangan.jabatan_bukan_kepala_daerah", "penandatangan.kosong_dianggap_tidak_sah"),
        ("Jabatan dicocokkan sebagai kata utuh setelah huruf kecil dan tanda baca dibuang.",
         "Penandatangan kosong ditandai hanya bila pengaturan kosong_dianggap_tidak_sah = true "
         "(sekarang: {kosong_dianggap_tidak_sah})."),
    ),
    FlagDefinition(
        "no_diplomatic_relations", "Negara tanpa hubungan diplomatik",
        "Negara mitra termasuk daftar negara tanpa hubungan diplomatik dengan Indonesia ({tanpa_hubungan_diplomatik}),"
        " pada status apa pun, agar tertangkap sebelum ditandatangani.",
        "Syarat kerja sama sister dalam laporan rakor 2019: kedua negara harus memiliki hubungan diplomatik.",
        "Usulan kerja sama Kota Tangerang dengan mitra di Israel (ISR) berstatus proses.",
        ("negara.tanpa_hubungan_diplomatik",),
        ("Daftar negara diisi admin; bawaan hanya Israel.",),
    ),
    FlagDefinition(
        "expiring_soon", "Segera berakhir",
        "Perjanjian aktif yang masa berlakunya berakhir dalam {segera_berakhir_bulan} bulan setelah tanggal acuan "
        "(tanggal berakhir dari kolom Tanggal Berakhir, atau tanggal tanda tangan ditambah Masa Berlaku).",
        "Perpanjangan memerlukan persetujuan DPRD dan Pusat lagi; bila tidak disiapkan jauh hari, kerja sama "
        "terputus.",
        "MoU berakhir 30 Juni 2025; per 1 April 2025 tinggal 90 hari.",
        ("ambang.segera_berakhir_bulan",),
        ("Hari berakhir sendiri masih masa berlaku.",),
    ),
    FlagDefinition(
        "expired", "Masa berlaku habis",
        "Status masih ditandatangani atau berjalan, tetapi masa berlakunya sudah berakhir sebelum tanggal acuan.",
        "Kegiatan di bawah perjanjian yang sudah habis masa berlakunya tidak punya dasar hukum; statusnya perlu "
        "diperbarui menjadi selesai atau perjanjiannya diperpanjang.",
        "MoU berakhir 31 Desember 2024, status per 1 April 2025 masih berjalan.",
        (),
        ("Tanggal berakhir dari kolom Tanggal Berakhir, atau tanggal tanda tangan ditambah Masa Berlaku (tahun).",),
    ),
    FlagDefinition(
        "no_indicators", "Tanpa indikator",
        "Perjanjian aktif tanpa satu pun indikator keberhasilan (lembar Indikator).",
        "Laporan rakor 2019 (rekomendasi 5): perlu disusun indikator keberhasilan sebagai acuan pelaksanaan "
        "kerja sama; tanpa indikator hasilnya tidak bisa dinilai.",
        "Kerja sama teknik berjalan sejak 2021, belum ada baris di lembar Indikator.",
        (),
        ("Indikator tahun mana pun dihitung.",),
    ),
)
FLAG_CODES: tuple[str, ...] = tuple(f.code for f in FLAGS)
FLAG_BY_CODE: dict[str, FlagDefinition] = {f.code: f for f in FLAGS}


@dataclass(frozen=True)
class ComponentDefinition:
    code: str
    column: str  # column of agreement_results, in points
    label: str
    weight_key: str
    rule: str
    why: str
    example: str
    settings: tuple[str, ...]
    assumptions: tuple[str, ...]


COMPONENTS: tuple[ComponentDefinition, ...] = (
    ComponentDefinition(
        "kepatuhan", "skor_kepatuhan", "Kepatuhan", "bobot.kepatuhan",
        "Bagian dari empat pemeriksaan yang lolos: ada persetujuan DPRD, ada persetujuan Pusat, penandatangan sah "
        "(lihat Penandatangan tidak sah), negara mitra memiliki hubungan diplomatik; dikali bobot {kepatuhan}.",
        "Kerja sama yang tidak memenuhi prosedur dapat dibatalkan dan merugikan daerah (laporan rakor 2019).",
        "Ada persetujuan DPRD dan Pusat, penandatangan Wakil Bupati, negara Jepang: 3 dari 4 lolos, "
        "skor 3/4 × 25 = 18,75.",
        ("bobot.kepatuhan",),
        ("Pemeriksaan penandatangan hanya berlaku untuk jenis {jenis_wajib_kepala_daerah}; jenis lain lolos.",),
    ),
    ComponentDefinition(
        "tindak_lanjut", "skor_tindak_lanjut", "Tindak lanjut", "bobot.tindak_lanjut",
        "Bagian dari tahun anggaran saat perjanjian aktif, sampai tahun tanggal acuan (tahun berjalan ikut "
        "dihitung), yang memiliki sekurang-kurangnya satu kegiatan substantif; dikali bobot {tindak_lanjut}.",
        "Kerja sama yang bermanfaat terlihat dari kegiatan nyata setiap tahun, bukan hanya dari penandatanganan.",
        "Aktif 2022–2025, kegiatan substantif pada 2022 dan 2024: 2/4 × 25 = 12,5.",
        ("bobot.tindak_lanjut", "kegiatan.jenis_seremonial"),
        ("Perjanjian tanpa tahun aktif yang dapat dihitung (mis. tanpa tanggal tanda tangan) mendapat nilai penuh "
         "bila pernah ada kegiatan substantif, nol bila tidak.",
         "Kegiatan setelah tanggal acuan tidak dihitung."),
    ),
    ComponentDefinition(
        "capaian", "skor_capaian", "Capaian indikator", "bobot.capaian",
        "Rata-rata min(realisasi / target, 1) atas baris indikator sampai tahun tanggal acuan; tanpa indikator "
        "nilainya 0; dikali bobot {capaian}.",
        "Laporan rakor 2019 meminta indikator keberhasilan sebagai acuan; capaian target menunjukkan manfaat "
        "kerja sama.",
        "Dua indikator: 40 dari target 50 orang (0,8) dan 3 dari target 2 kegiatan (dibatasi 1): rata-rata 0,9 × 30 "
        "= 27.",
        ("bobot.capaian",),
        ("Baris dengan target kosong atau 0 tidak dihitung; realisasi kosong dihitung 0.",
         "Indikator untuk tahun setelah tahun tanggal acuan belum dihitung."),
    ),
    ComponentDefinition(
        "pelaporan", "skor_pelaporan", "Pelaporan", "bobot.pelaporan",
        "Bagian dari laporan tahunan yang wajib (batasnya sudah lewat sebelum tanggal acuan) yang masuk tepat "
        "waktu; bila belum ada laporan yang wajib, nilai penuh; dikali bobot {pelaporan}.",
        "Laporan rakor 2019 (rekomendasi 2): laporan paling lambat {batas_hari_kerja} hari kerja setelah tahun "
        "anggaran berakhir.",
        "Wajib 3 laporan (TA 2022–2024), 2 tepat waktu, 1 terlambat: 2/3 × 20 = 13,33.",
        ("bobot.pelaporan", "pelaporan.batas_hari_kerja"),
        ("Laporan terlambat tetap dihitung masuk tetapi tidak tepat waktu.",),
    ),
)


def rule_text(definition: FlagDefinition | ComponentDefinition, rules: Rules) -> str:
    """The rule of a flag or component with the current settings filled in."""
    return definition.rule.format(**rules.template_values())


# How a flag is said in a sentence about a kab/kota; ``{n}`` agreements, ``{years}`` fiscal years.
FLAG_PHRASES: dict[str, str] = {
    "ceremonial_only": "{n} perjanjian seremonial saja",
    "stalled": "{n} perjanjian mangkrak",
    "late_report": "laporan TA {years} terlambat",
    "missing_report": "laporan TA {years} belum masuk",
    "no_dprd_approval": "{n} perjanjian tanpa persetujuan DPRD",
    "no_central_approval": "{n} perjanjian tanpa persetujuan Pusat",
    "delegated_signature": "{n} perjanjian ditandatangani bukan oleh kepala daerah",
    "no_diplomatic_relations": "{n} perjanjian dengan negara tanpa hubungan diplomatik",
    "expiring_soon": "{n} perjanjian segera berakhir",
    "expired": "{n} perjanjian masa berlakunya habis",
    "no_indicators": "{n} perjanjian tanpa indikator",
}

# What the meeting asks of a unit for each flag; ``{items}`` are the agreements concerned.
FLAG_FOLLOW_UPS: dict[str, str] = {
    "ceremonial_only": "Susun PKS atau RIK/AWP dan jadwalkan kegiatan substantif untuk {items}",
    "stalled": "Hidupkan kembali kegiatan, atau akhiri secara resmi: {items}",
    "late_report": "Sampaikan laporan tahunan berikutnya paling lambat batasnya (sebelumnya terlambat): {items}",
    "missing_report": "Segera sampaikan laporan tahunan yang belum masuk: {items}",
    "no_dprd_approval": "Ajukan persetujuan DPRD untuk {items}",
    "no_central_approval": "Ajukan persetujuan Pemerintah Pusat untuk {items}",
    "delegated_signature": "Tinjau keabsahan penandatanganan oleh selain kepala daerah: {items}",
    "no_diplomatic_relations": "Hentikan proses kerja sama dengan negara tanpa hubungan diplomatik: {items}",
    "expiring_soon": "Putuskan perpanjangan (perlu persetujuan DPRD dan Pusat lagi) atau pengakhiran: {items}",
    "expired": "Perbarui status menjadi selesai, atau proses perpanjangan: {items}",
    "no_indicators": "Tetapkan indikator keberhasilan beserta targetnya untuk {items}",
}


def _check_definitions() -> None:
    # A flag naming a setting that does not exist would silently document nothing.
    names = {f.name for f in fields(Rules)}
    # Every flag is said in a sentence and followed up; a new flag must say how.
    assert set(FLAG_PHRASES) == set(FLAG_CODES) == set(FLAG_FOLLOW_UPS)
    for definition in (*FLAGS, *COMPONENTS):
        for key in definition.settings:
            assert _BY_KEY[key].field in names, key


_check_definitions()
