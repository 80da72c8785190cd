"""The rules of success indicators and flags: their one definition and their settings file.

``data/aturan.toml`` holds every threshold, weight and list the engine uses; ``load_rules``
reads and checks it. ``FLAGS`` and ``COMPONENTS`` define each flag and score component
once: the engine, the methodology page and the dashboard all read them from here.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from ksln_metrics.formatting import format_date_id, format_number_id
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


def _day_counts(key: str, value: Any) -> tuple[int, ...]:
    """A list of positive whole numbers of days, kept from the largest to the smallest."""
    items = _list(key, value)
    for item in items:
        _positive_int(key, item)
    return tuple(sorted(set(items), reverse=True))


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
    default: Any = None  # used when a settings file written before the setting existed lacks it


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
    Setting("perhatian.poin_per_bendera", "attention_points_per_flag", _number,
            "Poin perhatian untuk setiap bendera (urutan kab/kota yang perlu perhatian)", default=10),
    Setting("arsip.naskah_wajib", "signed_document_required", _bool,
            "Bendera Naskah belum diarsipkan dinyalakan", default=False),
    Setting("pengingat.laporan_hari_kerja", "reminder_report_days", _day_counts,
            "Pengingat batas laporan, hari kerja sebelum batas"),
    Setting("pengingat.setelah_batas", "reminder_after_deadline", _bool,
            "Pengingat sehari setelah batas bila laporan belum masuk"),
    Setting("pengingat.berakhir_hari", "reminder_expiry_days", _day_counts,
            "Pengingat masa berlaku, hari sebelum perjanjian berakhir"),
    Setting("impor.tahun_paling_awal", "import_year_min", _positive_int, "Tahun paling awal yang diterima saat impor",
            default=1945),
    Setting("impor.tahun_paling_akhir", "import_year_max", _positive_int, "Tahun paling akhir yang diterima saat impor",
            default=2100),
)
_BY_KEY = {s.key: s for s in SETTINGS}
WEIGHT_KEYS = ("bobot.kepatuhan", "bobot.tindak_lanjut", "bobot.capaian", "bobot.pelaporan")


def describe_value(key: str, value: Any) -> str:
    """A value of the setting ``key`` written for people: ``Israel (ISR)``, ``ya``, ``12``, ``12,5``."""
    if key == "negara.tanpa_hubungan_diplomatik":
        return ", ".join(f"{country_name(c)} ({c})" for c in value) or "tidak ada"
    if isinstance(value, tuple | list):
        return ", ".join(format_date_id(v) if isinstance(v, date) else str(v) for v in value) or "tidak ada"
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, int | float):
        return format_number_id(value, 0 if float(value).is_integer() else 2)
    return "" if value is None else str(value)


def setting_label(key: str) -> str:
    """The Indonesian name of a setting (``ambang.mangkrak_bulan`` -> its label); the key itself when unknown."""
    setting = _BY_KEY.get(key)
    return setting.label if setting else key


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
    reminder_report_days: tuple[int, ...]
    reminder_after_deadline: bool
    reminder_expiry_days: tuple[int, ...]
    attention_points_per_flag: float = 10
    signed_document_required: bool = False
    import_year_min: int = 1945
    import_year_max: int = 2100

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
        """A setting's current value written for people: lists joined, countries named, numbers the Indonesian way."""
        return describe_value(key, self.value(key))

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
        if name not in data.get(table, {}) and s.default is not None:
            values[s.field] = s.check(s.key, s.default)
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
    example: str  # with the same placeholders and those of methodology.example_values (dates computed from the rules)
    settings: tuple[str, ...]
    assumptions: tuple[str, ...]
    per_year: bool = False  # one flag per fiscal year (the reports)
    exclusions: tuple[str, ...] = ()  # what the flag deliberately does not catch


FLAGS: tuple[FlagDefinition, ...] = (
    FlagDefinition(
        "ceremonial_only", "Seremonial saja",
        "Perjanjian aktif, ditandatangani sekurang-kurangnya {seremonial_bulan} bulan sebelum tanggal acuan, "
        "dan belum punya tindak lanjut apa pun: tidak ada PKS, tidak ada RIK atau AWP, dan tidak ada kegiatan "
        "substantif (kegiatan selain {jenis_seremonial}).",
        "Laporan rakor 2019 mencatat MoU yang penandatanganannya sebatas kegiatan seremonial tanpa tindak "
        "lanjut; kerja sama seperti ini memakan biaya perjalanan dan nama baik daerah tanpa manfaat.",
        "MoU sister city ditandatangani 11 Maret 2019; yang tercatat hanya kegiatan penandatanganan, tanpa PKS "
        "maupun RIK/AWP. Per {contoh_seremonial_acuan} ({seremonial_bulan} bulan kemudian) bendera ini muncul; "
        "sehari sebelumnya belum.",
        ("ambang.seremonial_bulan", "kegiatan.jenis_seremonial"),
        ("PKS dihitung bila tanggalnya tidak setelah tanggal acuan; RIK/AWP dihitung dari kolom Ada RIK/Ada AWP.",
         "Kegiatan dengan jenis kosong dihitung substantif."),
        exclusions=("Perjanjian tanpa tanggal tanda tangan tidak dinilai untuk bendera ini.",
                    "Perjanjian yang tidak aktif (usulan, proses, selesai, batal, atau sudah berakhir)."),
    ),
    FlagDefinition(
        "stalled", "Mangkrak",
        "Perjanjian aktif, ditandatangani sekurang-kurangnya {mangkrak_bulan} bulan sebelum tanggal acuan, tidak "
        "berbendera Seremonial saja, dan tidak punya kegiatan substantif dalam {mangkrak_bulan} bulan terakhir "
        "sampai tanggal acuan.",
        "Laporan rakor 2019 mencatat program yang tersendat karena perubahan struktur organisasi dan mutasi "
        "pejabat; kerja sama yang berhenti diam-diam perlu dihidupkan lagi atau diakhiri secara resmi.",
        "PKS ada, kegiatan substantif terakhir pelatihan 5 Februari 2023. Per {contoh_mangkrak_acuan} sudah lebih "
        "dari {mangkrak_bulan} bulan tanpa kegiatan substantif: bendera ini muncul; per {contoh_mangkrak_batas} "
        "belum.",
        ("ambang.mangkrak_bulan", "kegiatan.jenis_seremonial"),
        ("Kegiatan tepat {mangkrak_bulan} bulan sebelum tanggal acuan masih dihitung dalam periode.",),
        exclusions=("Perjanjian tanpa tanggal tanda tangan tidak dinilai untuk bendera ini.",
                    "Perjanjian yang sudah berbendera Seremonial saja (satu masalah, satu bendera)."),
    ),
    FlagDefinition(
        "late_report", "Laporan terlambat",
        "Laporan tahunan untuk tahun anggaran saat perjanjian aktif diterima setelah batasnya: hari kerja ke-"
        "{batas_hari_kerja} setelah 31 Desember tahun itu (hari batas sendiri masih tepat waktu).",
        "Laporan rakor 2019 (rekomendasi 2) mewajibkan laporan hasil kerja sama segera setelah tahun anggaran "
        "berakhir (batas di pengaturan: {batas_hari_kerja} hari kerja); laporan yang terlambat membuat Provinsi "
        "tidak bisa melapor ke Pusat tepat waktu.",
        "Batas laporan TA 2025 adalah {contoh_batas_2025}. Laporan yang masuk {contoh_terlambat_2025} terlambat 1 "
        "hari kerja; yang masuk pada hari batas masih tepat waktu.",
        ("pelaporan.batas_hari_kerja", "kalender.libur_tambahan", "kalender.libur_dibatalkan"),
        ("Hari kerja: Senin–Jumat dikurangi libur nasional dan cuti bersama (paket holidays, Indonesia) serta "
         "perubahan di pengaturan kalender.",
         "Laporan yang tanggal diterimanya setelah tanggal acuan dianggap belum masuk."),
        per_year=True,
        exclusions=("Tahun anggaran saat perjanjian tidak aktif (lihat Laporan belum masuk).",),
    ),
    FlagDefinition(
        "missing_report", "Laporan belum masuk",
        "Untuk tahun anggaran saat perjanjian aktif, batas laporan (hari kerja ke-{batas_hari_kerja} setelah 31 "
        "Desember) sudah lewat sebelum tanggal acuan dan laporannya belum ada.",
        "Tanpa laporan tahunan, Provinsi sebagai wakil Pemerintah Pusat tidak dapat mengawasi dan melaporkan "
        "hasil kerja sama (laporan rakor 2019, rekomendasi 2 dan 3).",
        "Perjanjian berjalan sepanjang 2024; batas laporan TA 2024 adalah {contoh_batas_2024}. Per "
        "{contoh_sesudah_batas_2024} laporannya belum masuk: bendera ini muncul. Sampai hari batas belum.",
        ("pelaporan.batas_hari_kerja", "kalender.libur_tambahan", "kalender.libur_dibatalkan"),
        ("Perjanjian aktif pada tahun anggaran Y bila ditandatangani paling lambat 31 Desember Y, belum berakhir "
         "sebelum 1 Januari Y, dan statusnya bukan usulan, proses atau batal.",
         "Perjanjian berstatus selesai tanpa tanggal berakhir dianggap aktif sampai tahun kegiatan atau laporan "
         "terakhirnya."),
        per_year=True,
        exclusions=("Tahun anggaran yang batasnya belum lewat: laporannya belum diminta (Belum jatuh tempo).",),
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
        "{contoh_penandatangan}",
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
        "{contoh_negara}",
        ("negara.tanpa_hubungan_diplomatik",),
        ("Daftar negara diisi admin; bawaan hanya Israel.",),
    ),
    FlagDefinition(
        "expiring_soon", "Segera berakhir",
        "Perjanjian aktif yang masa berlakunya berakhir dalam {segera_berakhir_bulan} bulan setelah tanggal acuan "
        "(tanggal berakhir dari kolom Tanggal Berakhir, atau tanggal tanda tangan ditambah Masa Berlaku).",
        "Perpanjangan memerlukan persetujuan DPRD dan Pusat lagi; bila tidak disiapkan jauh hari, kerja sama "
        "terputus.",
        "MoU berakhir 30 Juni 2025; per {contoh_berakhir_acuan} ({segera_berakhir_bulan} bulan sebelumnya, tinggal "
        "{contoh_berakhir_hari} hari) bendera ini muncul.",
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
FLAGS += (
    FlagDefinition(
        "no_signed_document", "Naskah belum diarsipkan",
        "Hanya bila pengaturan arsip.naskah_wajib dinyalakan (sekarang: {naskah_wajib}): perjanjian sudah ditandatangani "
        "tetapi sampai tanggal acuan belum ada berkas naskah MoU atau PKS bertanda tangan yang diarsipkan (lampiran "
        "berjenis Naskah MoU ditandatangani atau Naskah PKS ditandatangani).",
        "Laporan rakor 2019 (rekomendasi 1b) meminta naskah MoU dan PKS benar-benar ada; tanpa naskah yang "
        "diarsipkan, isi dan keabsahan kerja sama tidak dapat diperiksa.",
        "MoU ditandatangani 11 Maret 2019; di halaman Perjanjian belum ada lampiran Naskah MoU ditandatangani.",
        ("arsip.naskah_wajib",),
        ("Bawaan mati, agar angka lama tidak berubah sebelum arsip dipakai; admin menyalakannya di Pengaturan.",
         "Lampiran yang diunggah setelah tanggal acuan belum dihitung."),
    ),
)
FLAG_CODES: tuple[str, ...] = tuple(f.code for f in FLAGS)
# Attachment kinds that archive the signed agreement (see ksln_metrics.followup.attachments).
SIGNED_DOCUMENT_KINDS: tuple[str, ...] = ("naskah_mou", "naskah_pks")
FLAG_BY_CODE: dict[str, FlagDefinition] = {f.code: f for f in FLAGS}


def flag_labels(codes: str | Iterable[str] | None, empty: str = "") -> str:
    """The labels of flag codes (``"stalled;expired"`` or a list) in the order of FLAGS, joined by commas."""
    wanted = set((codes or "").split(";") if isinstance(codes, str) else (codes or ()))
    return ", ".join(f.label for f in FLAGS if f.code in wanted) or empty


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
        "skor 3/4 × {kepatuhan} = {contoh_kepatuhan}.",
        ("bobot.kepatuhan",),
        ("Pemeriksaan penandatangan hanya berlaku untuk jenis {jenis_wajib_kepala_daerah}; jenis lain lolos.",),
    ),
    ComponentDefinition(
        "tindak_lanjut", "skor_tindak_lanjut", "Tindak lanjut", "bobot.tindak_lanjut",
        "Bagian dari tahun anggaran saat perjanjian aktif, sampai tahun tanggal acuan (tahun berjalan ikut "
        "dihitung), yang memiliki sekurang-kurangnya satu kegiatan substantif; dikali bobot {tindak_lanjut}.",
        "Kerja sama yang bermanfaat terlihat dari kegiatan nyata setiap tahun, bukan hanya dari penandatanganan.",
        "Aktif 2022–2025, kegiatan substantif pada 2022 dan 2024: 2/4 × {tindak_lanjut} = {contoh_tindak_lanjut}.",
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
        "Dua indikator: 40 dari target 50 orang (0,8) dan 3 dari target 2 kegiatan (dibatasi 1): rata-rata 0,9 × "
        "{capaian} = {contoh_capaian}.",
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
        "Wajib 3 laporan (TA 2022–2024), 2 tepat waktu, 1 terlambat: 2/3 × {pelaporan} = {contoh_pelaporan}.",
        ("bobot.pelaporan", "pelaporan.batas_hari_kerja"),
        ("Laporan terlambat tetap dihitung masuk tetapi tidak tepat waktu.",),
    ),
)


@dataclass(frozen=True)
class RankingDefinition:
    """A rule that orders units rather than flagging agreements: the attention ranking."""

    label: str
    rule: str
    why: str
    example: str
    settings: tuple[str, ...]
    assumptions: tuple[str, ...]
    exclusions: tuple[str, ...] = ()


ATTENTION = RankingDefinition(
    "Kab/kota yang perlu perhatian",
    "Setiap kab/kota mendapat poin perhatian: poin yang hilang dari skor rata-rata perjanjian aktifnya (100 − skor "
    "rata-rata; 0 bila tidak punya perjanjian aktif) ditambah {poin_per_bendera} poin untuk setiap bendera. Bendera "
    "dihitung per perjanjian dan jenis bendera: perjanjian dengan dua laporan terlambat dihitung satu bendera "
    "Laporan terlambat. Urutan dari poin tertinggi; poin sama diurutkan menurut kode wilayah. Ringkasan menampilkan "
    "tiga teratas.",
    "Pimpinan membaca daftar ini lebih dulu. Skor rata-rata saja menyembunyikan daerah yang skornya baik tetapi "
    "punya beberapa masalah serius (mis. tanpa persetujuan DPRD); bendera saja mengabaikan daerah yang kerja "
    "samanya berjalan lemah tanpa melanggar aturan.",
    "{contoh_perhatian}",
    ("perhatian.poin_per_bendera",),
    ("Satu bendera seberat {poin_per_bendera} poin skor; bobot ini asumsi yang perlu dikonfirmasi.",
     "Tanda (terendah) pada alasan hanya muncul bila lebih dari satu kab/kota dengan skor sedang ditampilkan."),
    ("{baris_provinsi} tidak ikut diurutkan.",
     "Kab/kota tanpa poin (skor 100 dan tanpa bendera, atau tanpa perjanjian) tidak ditampilkan."),
)


def rule_text(definition: FlagDefinition | ComponentDefinition | RankingDefinition, rules: Rules) -> str:
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
    "no_signed_document": "{n} perjanjian tanpa naskah yang diarsipkan",
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
    "no_signed_document": "Unggah naskah MoU/PKS yang ditandatangani ke arsip untuk {items}",
}


def _check_definitions() -> None:
    # A flag naming a setting that does not exist would silently document nothing.
    names = {f.name for f in fields(Rules)}
    # Every flag is said in a sentence and followed up; a new flag must say how.
    assert set(FLAG_PHRASES) == set(FLAG_CODES) == set(FLAG_FOLLOW_UPS)
    for definition in (*FLAGS, *COMPONENTS, ATTENTION):
        for key in definition.settings:
            assert _BY_KEY[key].field in names, key


_check_definitions()
