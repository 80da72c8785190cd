"""Reference data: regions, countries, coded values and the canonical columns with synonyms.

Everything the importer, the template and the store agree on is defined here once.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

# --- Regions (Kemendagri codes) -------------------------------------------------

PROVINCE_CODE = "36"

REGIONS: dict[str, str] = {
    "36": "Provinsi Banten",
    "36.01": "Kabupaten Pandeglang",
    "36.02": "Kabupaten Lebak",
    "36.03": "Kabupaten Tangerang",
    "36.04": "Kabupaten Serang",
    "36.71": "Kota Tangerang",
    "36.72": "Kota Cilegon",
    "36.73": "Kota Serang",
    "36.74": "Kota Tangerang Selatan",
}

# Bare names that belong to both a kabupaten and a kota: never guessed.
AMBIGUOUS_REGION_NAMES: dict[str, tuple[str, str]] = {
    "tangerang": ("36.03", "36.71"),
    "serang": ("36.04", "36.73"),
}

_KAB_NAMES = {"pandeglang": "36.01", "lebak": "36.02", "tangerang": "36.03", "serang": "36.04"}
_KOTA_NAMES = {
    "tangerang": "36.71",
    "cilegon": "36.72",
    "serang": "36.73",
    "tangerang selatan": "36.74",
    "tangsel": "36.74",
}
_KAB_PREFIXES = ("kabupaten", "kab", "pemerintah kabupaten", "pemkab", "pem kab")
_KOTA_PREFIXES = ("kota", "pemerintah kota", "pemkot", "pem kot", "kotamadya")
_PROVINCE_NAMES = {
    "banten",
    "provinsi banten",
    "prov banten",
    "propinsi banten",
    "pemprov banten",
    "pemerintah provinsi banten",
    "pemerintah provinsi",
    "provinsi",
}


def normalize_text(value: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: the key for all lookups."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text.lower())
    return " ".join(text.split())


def region_name(code: str) -> str:
    return REGIONS.get(code, code)


@lru_cache(maxsize=1)
def region_aliases() -> dict[str, str]:
    """Every unambiguous way of writing a region (normalised) -> its code."""
    aliases: dict[str, str] = {name: PROVINCE_CODE for name in _PROVINCE_NAMES}
    for names, prefixes in ((_KAB_NAMES, _KAB_PREFIXES), (_KOTA_NAMES, _KOTA_PREFIXES)):
        for name, code in names.items():
            for prefix in prefixes:
                aliases[f"{prefix} {name}"] = code
            if name not in AMBIGUOUS_REGION_NAMES:
                aliases[name] = code
    for code, name in REGIONS.items():
        aliases[normalize_text(name)] = code
    return aliases


_CODE_RE = re.compile(r"^\s*36(?:[.\s]?(0[1-4]|7[1-4]))?(?:\.0+)?\s*$")


def region_code_from_code(text: str) -> str | None:
    """'36.74', '3674', '36 74', '36' -> canonical code; None when not a code."""
    m = _CODE_RE.match(text)
    if not m:
        return None
    return f"36.{m.group(1)}" if m.group(1) else PROVINCE_CODE


# --- Countries --------------------------------------------------------------------

# Names Indonesian staff write that pycountry does not carry.
COUNTRY_ALIASES: dict[str, str] = {
    "tiongkok": "CHN",
    "rrt": "CHN",
    "rrc": "CHN",
    "china": "CHN",
    "cina": "CHN",
    "republik rakyat tiongkok": "CHN",
    "korsel": "KOR",
    "korea selatan": "KOR",
    "korea": "KOR",
    "south korea": "KOR",
    "republik korea": "KOR",
    "korut": "PRK",
    "korea utara": "PRK",
    "north korea": "PRK",
    "as": "USA",
    "amerika": "USA",
    "amerika serikat": "USA",
    "usa": "USA",
    "us": "USA",
    "inggris": "GBR",
    "inggris raya": "GBR",
    "uk": "GBR",
    "england": "GBR",
    "britania raya": "GBR",
    "perancis": "FRA",
    "prancis": "FRA",
    "uea": "ARE",
    "uni emirat arab": "ARE",
    "uae": "ARE",
    "swiss": "CHE",
    "selandia baru": "NZL",
    "rusia": "RUS",
    "russia": "RUS",
    "palestina": "PSE",
    "palestine": "PSE",
    "taiwan": "TWN",
    "vietnam": "VNM",
    "viet nam": "VNM",
    "iran": "IRN",
    "turki": "TUR",
    "turkey": "TUR",
    "belanda": "NLD",
    "netherlands": "NLD",
    "holland": "NLD",
    "ceko": "CZE",
    "republik ceko": "CZE",
    "timor leste": "TLS",
    "brunei": "BRN",
    "brunei darussalam": "BRN",
    "laos": "LAO",
    "suriah": "SYR",
    "tanzania": "TZA",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "moldova": "MDA",
    "hongkong": "HKG",
    "hong kong": "HKG",
}


def _country_names(country) -> list[str]:
    names = [country.name, getattr(country, "common_name", None), getattr(country, "official_name", None)]
    return [n for n in names if n]


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, str]:
    """Every known country name (English, Indonesian, codes, aliases), normalised -> alpha-3."""
    indonesian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"], fallback=True)
    aliases: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_3
        for name in _country_names(country):
            for variant in (name, indonesian.gettext(name)):
                aliases.setdefault(normalize_text(variant), code)
                # "Korea, Republic of" -> also "Korea Republic of" and "Republic of Korea"
                if "," in variant:
                    head, tail = (part.strip() for part in variant.split(",", 1))
                    aliases.setdefault(normalize_text(f"{tail} {head}"), code)
        aliases.setdefault(country.alpha_3.lower(), code)
        aliases.setdefault(country.alpha_2.lower(), code)
    aliases.update(COUNTRY_ALIASES)
    return aliases


@lru_cache(maxsize=1)
def country_names_id() -> dict[str, str]:
    """alpha-3 -> name in Indonesian, for display."""
    indonesian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["id"], fallback=True)
    names = {c.alpha_3: indonesian.gettext(c.name) for c in pycountry.countries}
    names.update({"CHN": "Tiongkok", "KOR": "Korea Selatan", "PRK": "Korea Utara", "TWN": "Taiwan",
                  "PSE": "Palestina", "GBR": "Inggris", "VNM": "Vietnam"})
    return names


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return country_names_id().get(code, code)


# --- Coded values -------------------------------------------------------------------

JENIS = ("KSDPL", "KSDLL")
JENIS_ALIASES = {
    "ksdpl": "KSDPL",
    "kerja sama daerah dengan pemerintah daerah di luar negeri": "KSDPL",
    "ksdll": "KSDLL",
    "kerja sama daerah dengan lembaga di luar negeri": "KSDLL",
}

STATUS = ("usulan", "proses", "ditandatangani", "berjalan", "selesai", "batal")
STATUS_ALIASES = {
    "usulan": "usulan",
    "diusulkan": "usulan",
    "rencana": "usulan",
    "draft": "usulan",
    "proses": "proses",
    "dalam proses": "proses",
    "penjajakan": "proses",
    "negosiasi": "proses",
    "ditandatangani": "ditandatangani",
    "sudah ditandatangani": "ditandatangani",
    "telah ditandatangani": "ditandatangani",
    "ttd": "ditandatangani",
    "berjalan": "berjalan",
    "sedang berjalan": "berjalan",
    "aktif": "berjalan",
    "selesai": "selesai",
    "berakhir": "selesai",
    "sudah berakhir": "selesai",
    "batal": "batal",
    "dibatalkan": "batal",
}
# Statuses as the engine reads them (passed to the SQL as parameters, never typed into it).
SIGNED_STATUSES = ("ditandatangani", "berjalan", "selesai")  # signed, also without a signing date
ACTIVE_STATUSES = ("ditandatangani", "berjalan")  # can be active on a date
UNSIGNED_STATUSES = ("usulan", "proses", "batal")  # never active in a fiscal year
FINISHED_STATUS = "selesai"

BENTUK = (
    "sister province",
    "sister city",
    "kerja sama teknik",
    "penerusan pinjaman/hibah",
    "penyertaan modal",
    "lainnya",
)
BENTUK_ALIASES = {
    "sister province": "sister province",
    "provinsi kembar": "sister province",
    "sister city": "sister city",
    "kota kembar": "sister city",
    "kerja sama teknik": "kerja sama teknik",
    "kerjasama teknik": "kerja sama teknik",
    "kerja sama teknis": "kerja sama teknik",
    "bantuan teknik": "kerja sama teknik",
    "bantuan kemanusiaan": "kerja sama teknik",
    "penerusan pinjaman hibah": "penerusan pinjaman/hibah",
    "penerusan pinjaman": "penerusan pinjaman/hibah",
    "penerusan hibah": "penerusan pinjaman/hibah",
    "hibah": "penerusan pinjaman/hibah",
    "pinjaman": "penerusan pinjaman/hibah",
    "penyertaan modal": "penyertaan modal",
    "lainnya": "lainnya",
    "lain lain": "lainnya",
}

JENIS_KEGIATAN = (
    "penandatanganan",
    "seremoni",
    "kunjungan kehormatan",
    "kunjungan kerja",
    "pelatihan",
    "pertukaran",
    "bantuan teknis",
    "proyek bersama",
    "seminar/lokakarya",
    "pameran/promosi",
    "riset",
    "lainnya",
)
JENIS_KEGIATAN_ALIASES = {
    "penandatanganan": "penandatanganan",
    "penandatanganan mou": "penandatanganan",
    "penandatanganan nota kesepahaman": "penandatanganan",
    "signing": "penandatanganan",
    "seremoni": "seremoni",
    "seremonial": "seremoni",
    "upacara": "seremoni",
    "ceremony": "seremoni",
    "kunjungan kehormatan": "kunjungan kehormatan",
    "courtesy call": "kunjungan kehormatan",
    "courtesy visit": "kunjungan kehormatan",
    "kunjungan kerja": "kunjungan kerja",
    "kunker": "kunjungan kerja",
    "pelatihan": "pelatihan",
    "training": "pelatihan",
    "bimtek": "pelatihan",
    "pertukaran": "pertukaran",
    "pertukaran pelajar": "pertukaran",
    "pertukaran pegawai": "pertukaran",
    "bantuan teknis": "bantuan teknis",
    "bantuan teknik": "bantuan teknis",
    "proyek bersama": "proyek bersama",
    "proyek": "proyek bersama",
    "seminar lokakarya": "seminar/lokakarya",
    "seminar": "seminar/lokakarya",
    "lokakarya": "seminar/lokakarya",
    "workshop": "seminar/lokakarya",
    "pameran promosi": "pameran/promosi",
    "pameran": "pameran/promosi",
    "promosi": "pameran/promosi",
    "riset": "riset",
    "penelitian": "riset",
    "lainnya": "lainnya",
}

SEVEN_CRITERIA: dict[str, str] = {
    "kriteria_persamaan_kedudukan": "Persamaan kedudukan",
    "kriteria_saling_menguntungkan": "Memberikan manfaat dan saling menguntungkan",
    "kriteria_stabilitas": "Tidak mengganggu stabilitas politik dan keamanan dalam negeri",
    "kriteria_kedaulatan": "Menghormati kedaulatan NKRI",
    "kriteria_lingkungan": "Memperhatikan keberlanjutan lingkungan",
    "kriteria_gender": "Mendukung pengarusutamaan gender",
    "kriteria_peraturan": "Sesuai peraturan perundang-undangan",
}


# --- Canonical columns ---------------------------------------------------------------

# Column kinds: how a cell is parsed and how the store types it.
TEXT, DATE, MONEY, NUMBER, YEAR, BOOL, REGION, COUNTRY, CODED = (
    "text", "date", "money", "number", "year", "bool", "region", "country", "coded",
)

SQL_TYPES = {
    TEXT: "VARCHAR",
    DATE: "DATE",
    MONEY: "DECIMAL(18,2)",
    NUMBER: "DOUBLE",
    YEAR: "INTEGER",
    BOOL: "BOOLEAN",
    REGION: "VARCHAR",
    COUNTRY: "VARCHAR",
    CODED: "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    label: str  # header as written in the template (Bahasa Indonesia)
    help: str  # one line for the template's header comment
    synonyms: tuple[str, ...] = ()
    required: bool = False
    choices: tuple[str, ...] = ()  # for CODED columns
    aliases: dict[str, str] = field(default_factory=dict)  # normalised text -> choice
    open_choices: bool = False  # CODED: other values are kept, with a warning


@dataclass(frozen=True)
class Table:
    name: str  # store table, also the key of sheet recognition
    sheet: str  # sheet name in the template
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    sheet_synonyms: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


_ID = Column(
    "id_perjanjian", TEXT, "ID Perjanjian",
    "Kode unik perjanjian. Boleh kosong: sistem membuatnya dari kab/kota, mitra dan tanggal tanda tangan.",
    ("id", "id perjanjian", "kode perjanjian", "id kerja sama", "kode kerja sama", "id ksln", "kode ksln"),
)

_CRITERIA_COLUMNS = tuple(
    Column(name, BOOL, label, f"Kriteria: {label}. Isi Ya atau Tidak.",
           (normalize_text(label), normalize_text(name.removeprefix("kriteria_")), normalize_text(name)))
    for name, label in SEVEN_CRITERIA.items()
)

PERJANJIAN = Table(
    "perjanjian",
    "Perjanjian",
    ("id_perjanjian",),
    (
        _ID,
        Column("kabkota", REGION, "Kab/Kota",
               "Nama atau kode Kemendagri: mis. Kab. Lebak, Kota Tangerang Selatan, 36.74, Provinsi Banten.",
               ("kab kota", "kabupaten kota", "kabupaten", "kota", "daerah", "pemerintah daerah", "pemda",
                "nama daerah", "nama kab kota", "wilayah", "asal daerah"), required=True),
        Column("kabkota_kode", REGION, "Kode Kab/Kota",
               "Kode Kemendagri (boleh kosong bila kolom Kab/Kota diisi).",
               ("kode kab kota", "kode daerah", "kode wilayah", "kode kemendagri", "kode kabupaten kota")),
        Column("judul", TEXT, "Judul Perjanjian", "Judul atau perihal naskah kerja sama.",
               ("judul", "judul perjanjian", "judul kerja sama", "nama kerja sama", "perihal", "nama perjanjian",
                "tentang", "judul naskah", "uraian kerja sama"), required=True),
        Column("jenis", CODED, "Jenis", "KSDPL (dengan pemerintah daerah di luar negeri) atau KSDLL (dengan lembaga di luar negeri).",
               ("jenis", "jenis kerja sama", "jenis ksln", "kategori", "tipe"), required=True,
               choices=JENIS, aliases=JENIS_ALIASES),
        Column("bentuk", CODED, "Bentuk Kerja Sama", "Sister province/city, kerja sama teknik, penerusan pinjaman/hibah, penyertaan modal, lainnya.",
               ("bentuk", "bentuk kerja sama", "bentuk kerjasama", "model kerja sama"),
               choices=BENTUK, aliases=BENTUK_ALIASES),
        Column("mitra", TEXT, "Mitra", "Nama pemerintah daerah atau lembaga mitra di luar negeri.",
               ("mitra", "nama mitra", "mitra luar negeri", "pihak luar negeri", "partner", "mitra kerja sama",
                "nama mitra luar negeri", "lembaga mitra"), required=True),
        Column("negara", COUNTRY, "Negara Mitra", "Nama negara (Indonesia atau Inggris) atau kode ISO, mis. Jepang, Korsel, Tiongkok.",
               ("negara", "negara mitra", "negara asal mitra", "negara asal", "country"), required=True),
        Column("bidang", TEXT, "Bidang", "Bidang kerja sama, mis. pendidikan, kesehatan, pariwisata.",
               ("bidang", "bidang kerja sama", "sektor", "ruang lingkup", "lingkup kerja sama")),
        Column("opd_pelaksana", TEXT, "OPD Pelaksana", "Perangkat daerah yang melaksanakan.",
               ("opd pelaksana", "opd", "perangkat daerah", "pelaksana", "unit pelaksana", "skpd", "skpd pelaksana",
                "perangkat daerah pelaksana")),
        Column("status", CODED, "Status", "usulan, proses, ditandatangani, berjalan, selesai atau batal.",
               ("status", "status perjanjian", "status kerja sama", "tahapan"), required=True,
               choices=STATUS, aliases=STATUS_ALIASES),
        Column("nomor_mou", TEXT, "Nomor MoU", "Nomor naskah Nota Kesepahaman (MoU).",
               ("nomor mou", "no mou", "nomor perjanjian", "no perjanjian", "nomor naskah", "nomor nota kesepahaman",
                "no nota kesepahaman", "nomor")),
        Column("tanggal_ttd", DATE, "Tanggal Penandatanganan", "Tanggal MoU ditandatangani, mis. 11 Maret 2019 atau 11/03/2019.",
               ("tanggal ttd", "tgl ttd", "tanggal penandatanganan", "tgl penandatanganan", "tanggal ditandatangani",
                "tanggal mou", "tgl mou", "tanggal tanda tangan", "tgl tanda tangan", "tanggal penandatanganan mou")),
        Column("tanggal_berakhir", DATE, "Tanggal Berakhir", "Tanggal berakhirnya masa berlaku.",
               ("tanggal berakhir", "tgl berakhir", "berlaku sampai", "masa berlaku sampai", "berakhir",
                "tanggal selesai", "tgl selesai", "berlaku hingga", "tanggal akhir")),
        Column("masa_berlaku_tahun", NUMBER, "Masa Berlaku (Tahun)",
               "Jangka waktu dalam tahun; dipakai bila Tanggal Berakhir kosong.",
               ("masa berlaku tahun", "masa berlaku", "jangka waktu", "jangka waktu tahun", "durasi tahun", "durasi")),
        Column("penandatangan", TEXT, "Penandatangan", "Jabatan yang menandatangani, mis. Gubernur, Bupati, Wali Kota, Plt. Bupati.",
               ("penandatangan", "ditandatangani oleh", "pejabat penandatangan", "penanda tangan", "yang menandatangani",
                "jabatan penandatangan")),
        Column("tanggal_persetujuan_dprd", DATE, "Tanggal Persetujuan DPRD", "Tanggal persetujuan DPRD; kosong bila belum ada.",
               ("tanggal persetujuan dprd", "tgl persetujuan dprd", "persetujuan dprd", "dprd", "tanggal dprd")),
        Column("tanggal_persetujuan_pusat", DATE, "Tanggal Persetujuan Pusat",
               "Tanggal persetujuan Pemerintah Pusat (UU 23/2014 Pasal 367 ayat 2); kosong bila belum ada.",
               ("tanggal persetujuan pusat", "tgl persetujuan pusat", "persetujuan pusat", "persetujuan pemerintah pusat",
                "tanggal persetujuan pemerintah pusat", "persetujuan kemendagri", "pusat", "persetujuan kemenlu")),
        Column("tanggal_surat_kuasa", DATE, "Tanggal Surat Kuasa", "Tanggal Full Powers (Surat Kuasa) diterbitkan.",
               ("tanggal surat kuasa", "tgl surat kuasa", "surat kuasa", "full powers", "tanggal full powers")),
        Column("tanggal_pks", DATE, "Tanggal PKS", "Tanggal Perjanjian Kerja Sama (PKS) pelaksana; kosong bila belum ada.",
               ("tanggal pks", "tgl pks", "pks", "tanggal perjanjian kerja sama", "tgl perjanjian kerja sama")),
        Column("ada_rik", BOOL, "Ada RIK", "Rencana Induk Kegiatan sudah ada? Ya/Tidak.",
               ("ada rik", "rik", "rencana induk kegiatan", "ada rencana induk kegiatan")),
        Column("ada_awp", BOOL, "Ada AWP", "Annual Work Plan sudah ada? Ya/Tidak.",
               ("ada awp", "awp", "annual work plan", "rencana kerja tahunan", "ada annual work plan")),
        Column("anggaran", MONEY, "Anggaran (Rp)", "Nilai anggaran dalam rupiah, mis. Rp 150.000.000,00 atau 150000000.",
               ("anggaran", "anggaran rp", "nilai", "nilai kerja sama", "nilai rp", "pagu", "pagu anggaran", "nilai anggaran")),
        *_CRITERIA_COLUMNS,
        Column("keterangan", TEXT, "Keterangan", "Catatan tambahan.",
               ("keterangan", "catatan", "ket", "keterangan lain")),
    ),
    ("perjanjian", "daftar perjanjian", "data perjanjian", "kerja sama", "daftar kerja sama", "data kerja sama",
     "ksln", "data ksln", "mou"),
)

# Child rows may name their agreement by id, or by the three fields the id is derived from.
_PARENT_COLUMNS = (
    _ID,
    Column("kabkota", REGION, "Kab/Kota", "Dipakai bersama Mitra dan Tanggal Penandatanganan bila ID Perjanjian kosong.",
           PERJANJIAN.column("kabkota").synonyms),
    Column("mitra", TEXT, "Mitra", "Dipakai bersama Kab/Kota dan Tanggal Penandatanganan bila ID Perjanjian kosong.",
           PERJANJIAN.column("mitra").synonyms),
    Column("tanggal_ttd", DATE, "Tanggal Penandatanganan", "Dipakai bersama Kab/Kota dan Mitra bila ID Perjanjian kosong.",
           PERJANJIAN.column("tanggal_ttd").synonyms),
)
PARENT_LOOKUP_COLUMNS = ("kabkota", "mitra", "tanggal_ttd")

KEGIATAN = Table(
    "kegiatan",
    "Kegiatan",
    ("id_perjanjian", "tanggal", "nama_kegiatan"),
    (
        *_PARENT_COLUMNS,
        Column("tanggal", DATE, "Tanggal Kegiatan", "Tanggal pelaksanaan kegiatan.",
               ("tanggal", "tanggal kegiatan", "tgl kegiatan", "tgl", "waktu", "waktu pelaksanaan",
                "tanggal pelaksanaan", "tgl pelaksanaan"), required=True),
        Column("nama_kegiatan", TEXT, "Nama Kegiatan", "Nama atau uraian kegiatan tindak lanjut.",
               ("nama kegiatan", "kegiatan", "uraian kegiatan", "judul kegiatan", "uraian"), required=True),
        Column("jenis_kegiatan", CODED, "Jenis Kegiatan",
               "Penandatanganan, seremoni dan kunjungan kehormatan dihitung seremonial; selain itu substantif.",
               ("jenis kegiatan", "tipe kegiatan", "kategori kegiatan", "bentuk kegiatan", "jenis"),
               choices=JENIS_KEGIATAN, aliases=JENIS_KEGIATAN_ALIASES, open_choices=True),
        Column("output", TEXT, "Output", "Keluaran atau hasil kegiatan.",
               ("output", "keluaran", "hasil", "hasil kegiatan", "output kegiatan")),
        Column("anggaran", MONEY, "Anggaran (Rp)", "Anggaran kegiatan dalam rupiah.",
               ("anggaran", "anggaran rp", "pagu", "pagu anggaran", "nilai", "anggaran kegiatan")),
        Column("realisasi_anggaran", MONEY, "Realisasi Anggaran (Rp)", "Realisasi anggaran dalam rupiah.",
               ("realisasi anggaran", "realisasi", "realisasi rp", "realisasi anggaran rp", "serapan anggaran")),
        Column("sumber_dana", TEXT, "Sumber Dana", "Mis. APBD, APBN, hibah mitra.",
               ("sumber dana", "sumber anggaran", "sumber pendanaan", "sumber pembiayaan")),
    ),
    ("kegiatan", "daftar kegiatan", "tindak lanjut", "kegiatan tindak lanjut", "realisasi kegiatan"),
)

INDIKATOR = Table(
    "indikator",
    "Indikator",
    ("id_perjanjian", "tahun", "indikator"),
    (
        *_PARENT_COLUMNS,
        Column("tahun", YEAR, "Tahun", "Tahun indikator, mis. 2024.",
               ("tahun", "tahun anggaran", "ta", "periode"), required=True),
        Column("indikator", TEXT, "Indikator", "Nama indikator keberhasilan.",
               ("indikator", "indikator keberhasilan", "nama indikator", "indikator kinerja", "uraian indikator"),
               required=True),
        Column("satuan", TEXT, "Satuan", "Satuan ukur, mis. orang, kegiatan, persen.", ("satuan", "satuan ukur", "unit")),
        Column("target", NUMBER, "Target", "Nilai target (angka).", ("target", "target kinerja", "nilai target")),
        Column("realisasi", NUMBER, "Realisasi", "Nilai realisasi (angka).",
               ("realisasi", "capaian", "realisasi kinerja", "nilai realisasi")),
    ),
    ("indikator", "indikator keberhasilan", "daftar indikator", "capaian"),
)

LAPORAN = Table(
    "laporan",
    "Laporan",
    ("id_perjanjian", "tahun_anggaran"),
    (
        *_PARENT_COLUMNS,
        Column("tahun_anggaran", YEAR, "Tahun Anggaran", "Tahun anggaran yang dilaporkan.",
               ("tahun anggaran", "ta", "tahun", "tahun laporan", "periode laporan"), required=True),
        Column("tanggal_disampaikan", DATE, "Tanggal Disampaikan", "Tanggal laporan diterima Pemerintah Provinsi.",
               ("tanggal disampaikan", "tgl disampaikan", "tanggal laporan", "tanggal penyampaian", "tanggal diterima",
                "tgl diterima", "tanggal kirim", "tgl laporan"), required=True),
    ),
    ("laporan", "laporan tahunan", "daftar laporan", "pelaporan"),
)

TABLES: dict[str, Table] = {t.name: t for t in (PERJANJIAN, KEGIATAN, INDIKATOR, LAPORAN)}
CHILD_TABLES = ("kegiatan", "indikator", "laporan")

# Columns the store keeps for each table: the parent lookup columns are import-only.
STORED_COLUMNS: dict[str, tuple[str, ...]] = {
    "perjanjian": tuple(c for c in PERJANJIAN.names if c != "kabkota_kode"),
    **{
        name: tuple(c for c in TABLES[name].names if c not in PARENT_LOOKUP_COLUMNS)
        for name in CHILD_TABLES
    },
}


def column_kind(table: str, column: str) -> str:
    return TABLES[table].column(column).kind
