"""Sample data ("data contoh"): plausible agreements of a province and its kab/kota, clearly labelled.

The catalogue is written for Banten (``CATALOGUE_PROVINCE``); another configured province gets the same
scenarios moved onto its own units (``_catalogue``), so a Jawa Barat store never holds Banten's units.

Dates that a flag depends on are built relative to ``today``, so every flag of DESIGN §5
fires for some agreement whatever day the demo is loaded; the same ``today`` always gives
the same rows, so loading twice on one day writes nothing the second time.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from ksln_metrics.clock import today as clock_today
from ksln_metrics.reference import SEVEN_CRITERIA, STORED_COLUMNS, TABLES, area, region_name, scope, units_of
from ksln_metrics.store import BatchResult, Store

DEMO_NOTE = "Data contoh — bukan data resmi"
DEMO_USER = "data contoh"
SEED = 20190311  # the date of the 2019 rakor; any fixed value keeps the data reproducible

# Scenarios: "sehat" is a healthy agreement; the others each carry the defect a flag looks for.
HEALTHY = "sehat"
NEW = "baru"  # signed weeks ago: healthy, too young for most checks
CEREMONIAL = "seremonial"  # ceremonial_only
STALLED = "mangkrak"  # stalled
LATE = "terlambat"  # late_report for fiscal year today.year - 2
LATE_2019 = "terlambat_2019"  # late_report for fiscal year 2019 (the seed's complaint)
MISSING = "belum_lapor"  # missing_report for fiscal year today.year - 2
NO_DPRD = "tanpa_dprd"  # no_dprd_approval
NO_CENTRAL = "tanpa_pusat"  # no_central_approval
NO_APPROVALS = "tanpa_persetujuan"  # both approvals missing
DELEGATED = "wakil"  # delegated_signature: Wakil Bupati
SEKDA = "sekda"  # delegated_signature: Sekretaris Daerah
EXPIRING = "segera_berakhir"  # expiring_soon
EXPIRED = "kedaluwarsa"  # expired, status still berjalan
NO_INDICATORS = "tanpa_indikator"  # no_indicators
PROPOSED = "usulan"
IN_PROCESS = "proses"
CANCELLED = "batal"
NO_RELATIONS = "israel"  # no_diplomatic_relations, still at status usulan

_UNSIGNED = (PROPOSED, IN_PROCESS, CANCELLED, NO_RELATIONS)
_CEREMONIAL_KINDS = ("penandatanganan", "seremoni", "kunjungan kehormatan")  # DESIGN §3


@dataclass(frozen=True)
class _Plan:
    """One sample agreement as written in the catalogue below."""

    region: str
    scenario: str
    year: int | None  # signing year; None when the date is relative to today or there is none
    jenis: str
    bentuk: str
    mitra: str
    negara: str
    bidang: str
    opd: str


# What a field of cooperation does and measures: (topic, indicators as (name, unit, yearly target)).
_FIELDS: dict[str, tuple[str, tuple[tuple[str, str, int], ...]]] = {
    "pariwisata": ("pengelolaan destinasi wisata", (
        ("Jumlah pelaku wisata terlatih", "orang", 40),
        ("Jumlah wisatawan dari negara mitra", "orang", 1500),
    )),
    "kebudayaan": ("pertukaran seni dan budaya", (
        ("Jumlah misi kesenian yang dipertukarkan", "kegiatan", 3),
        ("Jumlah seniman yang terlibat", "orang", 60),
    )),
    "penanggulangan bencana": ("kesiapsiagaan bencana tsunami", (
        ("Jumlah desa tangguh bencana yang dibina", "desa", 8),
        ("Jumlah aparatur terlatih kebencanaan", "orang", 50),
    )),
    "perdagangan dan investasi": ("promosi perdagangan dan investasi", (
        ("Nilai komitmen investasi dari negara mitra", "miliar rupiah", 150),
        ("Jumlah UMKM yang mengikuti temu bisnis", "unit usaha", 40),
    )),
    "kelautan dan perikanan": ("pengelolaan wilayah pesisir", (
        ("Jumlah nelayan yang dilatih", "orang", 80),
        ("Panjang pesisir yang direhabilitasi", "km", 5),
    )),
    "pertanian": ("pertanian dan irigasi hemat air", (
        ("Luas lahan percontohan", "hektare", 25),
        ("Jumlah petani yang dilatih", "orang", 120),
    )),
    "pendidikan vokasi": ("pendidikan vokasi", (
        ("Jumlah siswa dan guru SMK yang mengikuti program", "orang", 60),
        ("Jumlah kurikulum bersama yang diterapkan", "dokumen", 2),
    )),
    "energi terbarukan": ("energi terbarukan", (
        ("Kapasitas PLTS percontohan terpasang", "kWp", 100),
        ("Jumlah teknisi daerah yang dilatih", "orang", 30),
    )),
    "lingkungan hidup": ("pengelolaan lingkungan dan sampah", (
        ("Jumlah bank sampah yang dibina", "unit", 12),
        ("Penurunan timbulan sampah ke TPA", "persen", 5),
    )),
    "industri": ("pengembangan industri dan keselamatan kerja", (
        ("Jumlah tenaga kerja lokal yang disertifikasi", "orang", 100),
        ("Jumlah IKM yang menjadi pemasok industri", "unit usaha", 15),
    )),
    "tata kelola pemerintahan": ("kota cerdas dan layanan publik digital", (
        ("Jumlah layanan publik yang didigitalkan", "layanan", 6),
        ("Jumlah aparatur yang mengikuti pelatihan", "orang", 45),
    )),
    "air minum dan sanitasi": ("layanan air minum", (
        ("Penurunan tingkat kehilangan air", "persen", 3),
        ("Jumlah sambungan rumah baru", "sambungan", 2000),
    )),
    "cagar budaya": ("pelestarian cagar budaya", (
        ("Jumlah situs cagar budaya yang didokumentasikan", "situs", 4),
        ("Jumlah tenaga pelestari yang dilatih", "orang", 25),
    )),
    "pendidikan": ("pendidikan dan beasiswa", (
        ("Jumlah penerima beasiswa", "orang", 20),
        ("Jumlah guru yang mengikuti pelatihan", "orang", 50),
    )),
    "kesehatan": ("layanan kesehatan primer", (
        ("Jumlah tenaga kesehatan yang dilatih", "orang", 60),
        ("Jumlah puskesmas percontohan", "puskesmas", 4),
    )),
    "riset dan inovasi": ("riset dan inovasi daerah", (
        ("Jumlah riset bersama yang diselesaikan", "judul", 3),
        ("Jumlah usaha rintisan yang dibina", "unit usaha", 10),
    )),
    "ekonomi kreatif": ("ekonomi kreatif", (
        ("Jumlah pelaku ekonomi kreatif yang dibina", "orang", 70),
        ("Jumlah produk yang dipasarkan ke negara mitra", "produk", 15),
    )),
    "UMKM": ("pengembangan UMKM satu desa satu produk", (
        ("Jumlah UMKM yang didampingi", "unit usaha", 50),
        ("Jumlah produk bersertifikat", "produk", 20),
    )),
    "transportasi": ("transportasi perkotaan", (
        ("Jumlah koridor angkutan yang dikaji", "koridor", 2),
        ("Jumlah aparatur perhubungan yang dilatih", "orang", 25),
    )),
    "kepelabuhanan": ("pengelolaan pelabuhan", (
        ("Jumlah petugas pelabuhan yang dilatih", "orang", 40),
        ("Jumlah prosedur pelabuhan yang diperbaiki", "prosedur", 3),
    )),
}

# (name pattern, jenis_kegiatan, output pattern): substantive follow-up activities.
_ACTIVITIES = (
    ("Pelatihan {topic}", "pelatihan", "Peserta terlatih dan modul pelatihan"),
    ("Kunjungan kerja tim teknis bidang {topic}", "kunjungan kerja", "Laporan kunjungan dan rencana aksi"),
    ("Lokakarya bersama tentang {topic}", "seminar/lokakarya", "Rekomendasi dan rencana kerja"),
    ("Pertukaran tenaga ahli {topic}", "pertukaran", "Tenaga ahli mengikuti pertukaran"),
    ("Bantuan teknis {topic}", "bantuan teknis", "Dokumen kajian teknis"),
    ("Proyek percontohan {topic}", "proyek bersama", "Lokasi percontohan berjalan"),
    ("Pameran dan promosi {topic}", "pameran/promosi", "Temu bisnis dan promosi"),
    ("Riset bersama {topic}", "riset", "Laporan riset"),
)
_FUNDING = ("APBD", "APBD", "APBN", "Hibah mitra", "APBD dan hibah mitra")

# The catalogue below is written for the units of this province; another province's sample data moves each
# block of agreements onto one of its own units (see ``_catalogue``).
CATALOGUE_PROVINCE = "36"


class DemoError(ValueError):
    """Sample data cannot be made for the configured scope; the message is Indonesian."""


def _head_of(code: str) -> str:
    """``Gubernur Banten``, ``Bupati Lebak``, ``Wali Kota Tangerang Selatan``."""
    found = area(code)
    title = {"provinsi": "Gubernur", "kabupaten": "Bupati", "kota": "Wali Kota"}[found.kind]
    return f"{title} {found.bare}"


_KSDPL, _KSDLL = "KSDPL", "KSDLL"
_SP, _SC, _KT, _HIBAH, _MODAL = (
    "sister province", "sister city", "kerja sama teknik", "penerusan pinjaman/hibah", "penyertaan modal",
)

# The catalogue: partners are plausible but fictional unless they are local governments.
_CATALOGUE: tuple[_Plan, ...] = (
    # Provinsi Banten
    _Plan("36", HEALTHY, 2015, _KSDPL, _SP, "Pemerintah Provinsi Jeollanam-do", "KOR", "kebudayaan",
          "Dinas Pariwisata Provinsi Banten"),
    _Plan("36", HEALTHY, 2016, _KSDLL, _KT, "Japan International Cooperation Agency (JICA)", "JPN",
          "penanggulangan bencana", "BPBD Provinsi Banten"),
    _Plan("36", LATE_2019, 2018, _KSDPL, _SP, "Pemerintah Daerah Otonom Guangxi Zhuang", "CHN",
          "perdagangan dan investasi", "DPMPTSP Provinsi Banten"),
    _Plan("36", HEALTHY, 2019, _KSDLL, _KT, "Delft Coastal Engineering Institute", "NLD",
          "kelautan dan perikanan", "Dinas Kelautan dan Perikanan Provinsi Banten"),
    _Plan("36", EXPIRING, None, _KSDLL, _KT, "Korea Agro-Rural Development Institute", "KOR", "pertanian",
          "Dinas Pertanian Provinsi Banten"),
    _Plan("36", NEW, None, _KSDPL, _SP, "Pemerintah Negara Bagian Queensland", "AUS", "pendidikan vokasi",
          "Dinas Pendidikan dan Kebudayaan Provinsi Banten"),
    _Plan("36", NO_RELATIONS, None, _KSDLL, _KT, "Negev Arid Agriculture Institute", "ISR", "pertanian",
          "Dinas Pertanian Provinsi Banten"),
    _Plan("36", HEALTHY, 2023, _KSDLL, _KT, "Niedersachsen Renewable Energy Agency", "DEU", "energi terbarukan",
          "Dinas Energi dan Sumber Daya Mineral Provinsi Banten"),
    # Kabupaten Pandeglang
    _Plan("36.01", HEALTHY, 2017, _KSDLL, _KT, "Tohoku Tsunami Resilience Center", "JPN",
          "penanggulangan bencana", "BPBD Kabupaten Pandeglang"),
    _Plan("36.01", CEREMONIAL, None, _KSDPL, _SC, "Pemerintah Kota Haikou", "CHN", "pariwisata",
          "Dinas Pariwisata Kabupaten Pandeglang"),
    _Plan("36.01", EXPIRED, None, _KSDLL, _KT, "Coral Triangle Conservation Foundation", "AUS",
          "lingkungan hidup", "Dinas Lingkungan Hidup Kabupaten Pandeglang"),
    _Plan("36.01", HEALTHY, 2021, _KSDLL, _KT, "Kagoshima Fisheries College", "JPN", "kelautan dan perikanan",
          "Dinas Perikanan Kabupaten Pandeglang"),
    _Plan("36.01", PROPOSED, None, _KSDLL, _KT, "Queensland Tourism Vocational Institute", "AUS", "pariwisata",
          "Dinas Pariwisata Kabupaten Pandeglang"),
    # Kabupaten Lebak
    _Plan("36.02", STALLED, None, _KSDPL, _SC, "Pemerintah Kabupaten Hwasun", "KOR", "pertanian",
          "Dinas Pertanian Kabupaten Lebak"),
    _Plan("36.02", HEALTHY, 2019, _KSDLL, _KT, "Wageningen Agro Partnership Foundation", "NLD", "pertanian",
          "Dinas Ketahanan Pangan Kabupaten Lebak"),
    _Plan("36.02", CANCELLED, None, _KSDLL, _MODAL, "Shandong Mineral Investment Co., Ltd.", "CHN", "industri",
          "Dinas Penanaman Modal Kabupaten Lebak"),
    _Plan("36.02", HEALTHY, 2024, _KSDLL, _KT, "Nordic Rainforest Trust", "NOR", "lingkungan hidup",
          "Dinas Lingkungan Hidup Kabupaten Lebak"),
    _Plan("36.02", NO_CENTRAL, 2022, _KSDLL, _KT, "Kanagawa Agricultural Technology Center", "JPN", "pertanian",
          "Dinas Pertanian Kabupaten Lebak"),
    # Kabupaten Tangerang
    _Plan("36.03", NO_DPRD, 2021, _KSDPL, _SC, "Pemerintah Kota Yongin", "KOR", "industri",
          "Dinas Perindustrian Kabupaten Tangerang"),
    _Plan("36.03", HEALTHY, 2016, _KSDLL, _KT, "Dutch Water Operators Partnership", "NLD", "air minum dan sanitasi",
          "Perumda Tirta Kerta Raharja"),
    _Plan("36.03", HEALTHY, 2020, _KSDLL, _KT, "Bremen Vocational Training Centre", "DEU", "pendidikan vokasi",
          "Dinas Pendidikan Kabupaten Tangerang"),
    _Plan("36.03", NO_INDICATORS, 2024, _KSDPL, _SC, "Pemerintah Kota Foshan", "CHN", "industri",
          "Dinas Perindustrian Kabupaten Tangerang"),
    _Plan("36.03", HEALTHY, 2025, _KSDLL, _KT, "Singapore Urban Planning Academy", "SGP", "tata kelola pemerintahan",
          "Bappeda Kabupaten Tangerang"),
    # Kabupaten Serang
    _Plan("36.04", DELEGATED, 2020, _KSDPL, _SC, "Pemerintah Kota Ulsan", "KOR", "industri",
          "Dinas Tenaga Kerja Kabupaten Serang"),
    _Plan("36.04", HEALTHY, 2018, _KSDLL, _HIBAH, "Al-Azhar Scholarship Foundation", "EGY", "pendidikan",
          "Bagian Kesejahteraan Rakyat Kabupaten Serang"),
    _Plan("36.04", LATE, None, _KSDLL, _KT, "Perth Regional TAFE", "AUS", "pendidikan vokasi",
          "Dinas Pendidikan Kabupaten Serang"),
    _Plan("36.04", HEALTHY, 2022, _KSDLL, _KT, "Hyogo Agricultural Extension Center", "JPN", "pertanian",
          "Dinas Pertanian Kabupaten Serang"),
    _Plan("36.04", IN_PROCESS, None, _KSDPL, _SC, "Pemerintah Kota Mersin", "TUR", "kepelabuhanan",
          "Dinas Perhubungan Kabupaten Serang"),
    # Kota Tangerang
    _Plan("36.71", HEALTHY, 2015, _KSDPL, _SC, "Pemerintah Kota Changwon", "KOR", "tata kelola pemerintahan",
          "Dinas Komunikasi dan Informatika Kota Tangerang"),
    _Plan("36.71", NO_APPROVALS, 2019, _KSDLL, _KT, "Shenzhen Smart City Research Institute", "CHN",
          "tata kelola pemerintahan", "Dinas Komunikasi dan Informatika Kota Tangerang"),
    _Plan("36.71", HEALTHY, 2021, _KSDLL, _KT, "Rotterdam Delta Resilience Foundation", "NLD",
          "penanggulangan bencana", "Dinas Pekerjaan Umum dan Penataan Ruang Kota Tangerang"),
    _Plan("36.71", HEALTHY, 2023, _KSDLL, _KT, "Johor Polytechnic Institute", "MYS", "pendidikan vokasi",
          "Dinas Pendidikan Kota Tangerang"),
    _Plan("36.71", HEALTHY, 2024, _KSDPL, _SC, "Pemerintah Kota Kitakyushu", "JPN", "lingkungan hidup",
          "Dinas Lingkungan Hidup Kota Tangerang"),
    # Kota Cilegon
    _Plan("36.72", HEALTHY, 2016, _KSDPL, _SC, "Pemerintah Kota Pohang", "KOR", "industri",
          "Dinas Perindustrian dan Perdagangan Kota Cilegon"),
    _Plan("36.72", LATE, None, _KSDLL, _KT, "Hamburg Port Academy", "DEU", "kepelabuhanan",
          "Dinas Perhubungan Kota Cilegon"),
    _Plan("36.72", HEALTHY, 2020, _KSDLL, _KT, "Osaka Bay Environmental Center", "JPN", "lingkungan hidup",
          "Dinas Lingkungan Hidup Kota Cilegon"),
    _Plan("36.72", HEALTHY, 2023, _KSDLL, _KT, "Korea Institute of Industrial Safety", "KOR", "industri",
          "Dinas Tenaga Kerja Kota Cilegon"),
    _Plan("36.72", IN_PROCESS, None, _KSDPL, _SC, "Pemerintah Kota Duisburg", "DEU", "kepelabuhanan",
          "Dinas Perhubungan Kota Cilegon"),
    # Kota Serang
    _Plan("36.73", MISSING, None, _KSDPL, _SC, "Pemerintah Kota Kairouan", "TUN", "cagar budaya",
          "Dinas Pendidikan dan Kebudayaan Kota Serang"),
    _Plan("36.73", HEALTHY, 2018, _KSDLL, _KT, "Leiden Heritage Foundation", "NLD", "cagar budaya",
          "Dinas Pariwisata Kota Serang"),
    _Plan("36.73", HEALTHY, 2022, _KSDLL, _HIBAH, "Doha Education Partnership", "QAT", "pendidikan",
          "Dinas Pendidikan dan Kebudayaan Kota Serang"),
    _Plan("36.73", PROPOSED, None, _KSDLL, _KT, "Tokyo Urban Transit Consultants", "JPN", "transportasi",
          "Dinas Perhubungan Kota Serang"),
    _Plan("36.73", HEALTHY, 2025, _KSDLL, _KT, "Thai Community Development Institute", "THA", "UMKM",
          "Dinas Koperasi dan UMKM Kota Serang"),
    # Kota Tangerang Selatan
    _Plan("36.74", SEKDA, 2023, _KSDLL, _KT, "Baden-Württemberg Innovation Agency", "DEU", "riset dan inovasi",
          "Badan Riset dan Inovasi Daerah Kota Tangerang Selatan"),
    _Plan("36.74", NO_INDICATORS, 2025, _KSDLL, _KT, "South Australian Institute of Health Sciences", "AUS",
          "kesehatan", "Dinas Kesehatan Kota Tangerang Selatan"),
    _Plan("36.74", HEALTHY, 2017, _KSDPL, _SC, "Pemerintah Metropolitan Daejeon", "KOR", "riset dan inovasi",
          "Bappeda Kota Tangerang Selatan"),
    _Plan("36.74", HEALTHY, 2021, _KSDLL, _KT, "Singapore Polytechnic Partnership", "SGP", "pendidikan vokasi",
          "Dinas Pendidikan dan Kebudayaan Kota Tangerang Selatan"),
    _Plan("36.74", STALLED, None, _KSDLL, _KT, "Hanoi Creative Economy Center", "VNM", "ekonomi kreatif",
          "Dinas Pariwisata Kota Tangerang Selatan"),
)

# Leaders who signed in person although the regular head had been replaced: "Plt." counts as the head.
# (catalogue unit, partner) -> the prefix of the head's title ("Plt. Bupati Lebak").
_ACTING_SIGNER = {("36.02", "Wageningen Agro Partnership Foundation"): "Plt."}
# Implementing agencies whose name does not carry the unit's name: the generic name for another unit.
_LOCAL_AGENCIES = {"Perumda Tirta Kerta Raharja": "Perumda Air Minum"}


# The flags of DESIGN §5 each scenario is built to raise, whatever day the demo is loaded.
_EXPECTED_FLAGS: dict[str, frozenset[str]] = {
    CEREMONIAL: frozenset({"ceremonial_only"}),
    STALLED: frozenset({"stalled"}),
    LATE: frozenset({"late_report"}),
    LATE_2019: frozenset({"late_report"}),
    MISSING: frozenset({"missing_report"}),
    NO_DPRD: frozenset({"no_dprd_approval"}),
    NO_CENTRAL: frozenset({"no_central_approval"}),
    NO_APPROVALS: frozenset({"no_dprd_approval", "no_central_approval"}),
    DELEGATED: frozenset({"delegated_signature"}),
    SEKDA: frozenset({"delegated_signature"}),
    EXPIRING: frozenset({"expiring_soon"}),
    EXPIRED: frozenset({"expired"}),
    NO_INDICATORS: frozenset({"no_indicators"}),
    NO_RELATIONS: frozenset({"no_diplomatic_relations"}),
}


def _catalogue() -> tuple[tuple[_Plan, str], ...]:
    """(plan, the catalogue unit it comes from) for the configured province.

    The catalogue's own province gets it as written. Another province gets the catalogue province's block
    for its government and, unit by unit in code order, the kab/kota blocks in turn (a province with more
    than eight kab/kota sees each block more than once, on different units); region names in agencies
    follow the unit. The national scope has no sample data: refused with a message.
    """
    current = scope()
    if current.is_national:
        raise DemoError("Data contoh hanya tersedia untuk satu provinsi (KSLN_PROVINSI=kode provinsi). Basis data "
                        "nasional diisi dengan data ekspor provinsi.")
    if current.code == CATALOGUE_PROVINCE:
        return tuple((plan, plan.region) for plan in _CATALOGUE)
    blocks: dict[str, list[_Plan]] = {}
    for plan in _CATALOGUE:
        blocks.setdefault(plan.region, []).append(plan)
    sources = list(units_of(CATALOGUE_PROVINCE))
    pairs = [(current.code, CATALOGUE_PROVINCE),
             *((unit, sources[i % len(sources)]) for i, unit in enumerate(units_of(current.code)))]
    moved = []
    for target, source in pairs:
        for plan in blocks[source]:
            opd = plan.opd.replace(region_name(source), region_name(target))
            if opd == plan.opd:
                opd = f"{_LOCAL_AGENCIES.get(opd, opd)} {region_name(target)}"
            moved.append((replace(plan, region=target, opd=opd), source))
    return tuple(moved)


def _plans() -> dict[str, _Plan]:
    """The catalogue keyed by agreement id: CONTOH-<region code without dot>-<nn>."""
    return {agreement_id: plan for agreement_id, (plan, _) in _numbered().items()}


def _numbered() -> dict[str, tuple[_Plan, str]]:
    plans: dict[str, tuple[_Plan, str]] = {}
    counters: dict[str, int] = {}
    for plan, source in _catalogue():
        counters[plan.region] = counters.get(plan.region, 0) + 1
        plans[f"CONTOH-{plan.region.replace('.', '')}-{counters[plan.region]:02d}"] = (plan, source)
    return plans


def expected_flags() -> dict[str, frozenset[str]]:
    """Flag codes each sample agreement should raise (empty for the healthy ones), by id."""
    return {agreement_id: _EXPECTED_FLAGS.get(plan.scenario, frozenset()) for agreement_id, plan in _plans().items()}


def load_demo(store: Store, today: date | None = None) -> list[BatchResult]:
    """Write the sample data, one batch per region; a second load on the same day changes nothing."""
    tables = demo_tables(today or clock_today())
    results = []
    for code in scope().regions:
        ids = set(tables["perjanjian"].loc[tables["perjanjian"]["kabkota"] == code, "id_perjanjian"])
        region_tables = {name: frame[frame["id_perjanjian"].isin(ids)].reset_index(drop=True)
                         for name, frame in tables.items()}
        results.append(store.commit(
            region_tables, user=DEMO_USER, kind="contoh",
            file_name=f"data contoh {region_name(code)}", regions={code},
        ))
    return results


def demo_tables(today: date) -> dict[str, pd.DataFrame]:
    """Every sample row as frames of the stored columns, for ``today``."""
    rows: dict[str, list[dict]] = {name: [] for name in STORED_COLUMNS}
    for agreement_id, (plan, source) in _numbered().items():
        built = _Agreement(plan, agreement_id, today, source).build()
        for name, table_rows in built.items():
            # Every column present in every row: a missing key would become NaN, not NULL.
            rows[name].extend({**dict.fromkeys(STORED_COLUMNS[name]), **r} for r in table_rows)
    frames = {}
    for name, columns in STORED_COLUMNS.items():
        frame = pd.DataFrame(rows[name], columns=list(columns))
        frames[name] = frame.drop_duplicates(subset=list(TABLES[name].key)).reset_index(drop=True)
    return frames


# --- one agreement ---------------------------------------------------------------------------------


def _title(words: str) -> str:
    return " ".join(w if w == "dan" else w[0].upper() + w[1:] for w in words.split())


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _add_years(day: date, years: int) -> date:
    return _years_before(day, -years)


def _report_day(rng: random.Random, fiscal_year: int) -> date:
    """A weekday in the first week of January: always before the 7-working-day deadline."""
    days = [date(fiscal_year + 1, 1, d) for d in range(2, 9)]
    return rng.choice([d for d in days if d.weekday() < 5])


class _Agreement:
    """Builds the rows of one agreement from its plan, for a given ``today``."""

    def __init__(self, plan: _Plan, agreement_id: str, today: date, source: str | None = None):
        self.plan = plan
        self.source = source or plan.region  # the catalogue unit the plan was written for
        self.id = agreement_id
        self.today = today
        self.rng = random.Random(f"{SEED}-{agreement_id}")
        self.topic, self.indicators = _FIELDS[plan.bidang]

    # dates -------------------------------------------------------------------------------------

    def _signing_date(self) -> date | None:
        s, t = self.plan.scenario, self.today
        if s in _UNSIGNED:
            return None
        if s == NEW:
            return t - timedelta(days=50)
        if s == CEREMONIAL:
            return t - timedelta(days=300)
        if s == STALLED:
            return _years_before(t, 4) - timedelta(days=60)
        if s == LATE:
            return _years_before(t, 3) - timedelta(days=100)
        if s == MISSING:
            return _years_before(t, 3) - timedelta(days=40)
        if s == EXPIRING:
            return _add_years(t + timedelta(days=95), -5) + timedelta(days=1)
        if s == EXPIRED:
            return _add_years(t - timedelta(days=130), -5) + timedelta(days=1)
        day = date(self.plan.year, self.rng.randint(1, 12), self.rng.randint(1, 28))
        return min(day, t - timedelta(days=60))

    def _term_years(self) -> int:
        if self.plan.scenario in (EXPIRING, EXPIRED, STALLED, LATE, MISSING):
            return 5
        return 10 if self.plan.bentuk in (_SP, _SC) else self.rng.choice((3, 5, 5, 10))

    def _end_date(self, signed: date, years: int) -> tuple[date, int]:
        end = _add_years(signed, years) - timedelta(days=1)
        if self.plan.scenario not in (EXPIRING, EXPIRED):
            # A healthy agreement is never left about to expire: it was extended (perpanjangan).
            while self.today - timedelta(days=7) <= end <= self.today + timedelta(days=200):
                years += 3
                end = _add_years(signed, years) - timedelta(days=1)
        return end, years

    # rows ---------------------------------------------------------------------------------------

    def build(self) -> dict[str, list[dict]]:
        p, rng, t = self.plan, self.rng, self.today
        signed = self._signing_date()
        head = _head_of(p.region)
        acting = _ACTING_SIGNER.get((self.source, p.mitra))
        row = {
            "id_perjanjian": self.id,
            "kabkota": p.region,
            "judul": f"Nota Kesepahaman antara {region_name(p.region)} dan {p.mitra} tentang Kerja Sama "
                     f"{_title(p.bidang)}",
            "jenis": p.jenis,
            "bentuk": p.bentuk,
            "mitra": p.mitra,
            "negara": p.negara,
            "bidang": p.bidang,
            "opd_pelaksana": p.opd,
            "anggaran": float(rng.randrange(100, 2000, 10) * 1_000_000),
            "ada_rik": False,
            "ada_awp": False,
            "keterangan": DEMO_NOTE,
        }
        for criterion in SEVEN_CRITERIA:
            row[criterion] = True
        if rng.random() < 0.25:
            row["kriteria_gender"] = False
        if p.scenario in _UNSIGNED:
            row["status"] = {NO_RELATIONS: "usulan", PROPOSED: "usulan", IN_PROCESS: "proses",
                             CANCELLED: "batal"}[p.scenario]
            if p.scenario == IN_PROCESS:
                row["tanggal_persetujuan_dprd"] = t - timedelta(days=rng.randint(20, 90))
            return {"perjanjian": [row]}

        end, years = self._end_date(signed, self._term_years())
        pks = signed + timedelta(days=rng.randint(45, 120))
        row.update({
            "nomor_mou": f"{rng.randint(100, 199)}/{rng.randint(1, 999):03d}/KSLN/{signed.year}",
            "tanggal_ttd": signed,
            "tanggal_berakhir": end,
            "masa_berlaku_tahun": float(years),
            "penandatangan": f"{acting} {head}" if acting else head,
            "tanggal_persetujuan_dprd": signed - timedelta(days=rng.randint(40, 90)),
            "tanggal_persetujuan_pusat": signed - timedelta(days=rng.randint(10, 35)),
            "tanggal_surat_kuasa": signed - timedelta(days=rng.randint(3, 9)),
            "tanggal_pks": pks if pks <= t else None,
            "ada_rik": True,
            "ada_awp": p.scenario != STALLED,
        })
        if p.scenario in (NO_DPRD, NO_APPROVALS):
            row["tanggal_persetujuan_dprd"] = None
        if p.scenario in (NO_CENTRAL, NO_APPROVALS):
            row["tanggal_persetujuan_pusat"] = None
        if p.scenario == DELEGATED:
            row["penandatangan"] = f"Wakil {head}"
        if p.scenario == SEKDA:
            row["penandatangan"] = f"Sekretaris Daerah {region_name(p.region)}"
        if p.scenario == CEREMONIAL:
            row.update({"tanggal_pks": None, "ada_rik": False, "ada_awp": False})

        activities = self._activities(signed, end)
        substantive = any(a["jenis_kegiatan"] not in _CEREMONIAL_KINDS for a in activities)
        if end < t and p.scenario != EXPIRED:
            row["status"] = "selesai"
        else:
            row["status"] = "berjalan" if substantive or row["tanggal_pks"] else "ditandatangani"
        return {
            "perjanjian": [row],
            "kegiatan": activities,
            "indikator": [] if p.scenario == NO_INDICATORS else self._indicators(signed, end),
            "laporan": self._reports(signed, end),
        }

    def _activity(self, day: date, name: str, kind: str, output: str, budget_millions: int) -> dict:
        budget = float(budget_millions * 1_000_000)
        spent = float(round(budget * self.rng.uniform(0.8, 1.0), -5)) if kind not in _CEREMONIAL_KINDS else budget
        return {
            "id_perjanjian": self.id,
            "tanggal": day,
            "nama_kegiatan": name,
            "jenis_kegiatan": kind,
            "output": output,
            "anggaran": budget,
            "realisasi_anggaran": spent,
            "sumber_dana": self.rng.choice(_FUNDING),
        }

    def _activities(self, signed: date, end: date) -> list[dict]:
        p, rng, t = self.plan, self.rng, self.today
        rows = [self._activity(signed, f"Penandatanganan nota kesepahaman dengan {p.mitra}", "penandatanganan",
                               "Nota kesepahaman ditandatangani", rng.randint(25, 75))]
        if p.scenario == CEREMONIAL:
            visit = signed + timedelta(days=45)
            if visit <= t:
                rows.append(self._activity(visit, f"Kunjungan kehormatan delegasi {p.mitra}", "kunjungan kehormatan",
                                           "Jamuan dan pertukaran cendera mata", rng.randint(30, 80)))
            return rows
        # Stalled agreements stopped 20 months ago; everyone else works until the agreement ends.
        last = min(end, t - timedelta(days=1))
        if p.scenario == STALLED:
            last = t - timedelta(days=600)
        for year in range(signed.year, last.year + 1):
            lo = max(signed + timedelta(days=30), date(year, 1, 15))
            hi = min(last, date(year, 12, 10))
            if lo > hi:
                continue
            for name, kind, output in rng.sample(_ACTIVITIES, rng.randint(1, 3)):
                day = lo + timedelta(days=rng.randint(0, (hi - lo).days))
                rows.append(self._activity(day, f"{name.format(topic=self.topic)} {year}", kind, output,
                                           rng.randint(50, 600)))
        active = end >= t and p.scenario != STALLED
        recent = [r for r in rows if r["jenis_kegiatan"] not in _CEREMONIAL_KINDS
                  and r["tanggal"] > t - timedelta(days=300)]
        if active and signed <= t - timedelta(days=300) and not recent:
            day = t - timedelta(days=rng.randint(10, 120))
            name, kind, output = rng.choice(_ACTIVITIES)
            rows.append(self._activity(day, f"{name.format(topic=self.topic)} {day.year} (lanjutan)", kind, output,
                                       rng.randint(50, 600)))
        return rows

    def _indicators(self, signed: date, end: date) -> list[dict]:
        rng, t = self.rng, self.today
        finished = list(range(signed.year, min(end.year, t.year - 1) + 1))
        years = finished or [t.year]
        rows = []
        for year in years:
            for name, unit, base in self.indicators:
                target = max(1, round(base * rng.uniform(0.8, 1.2)))
                if self.plan.scenario == CEREMONIAL:
                    achieved = 0.0
                elif self.plan.scenario == STALLED and year > t.year - 2:
                    achieved = float(round(target * rng.uniform(0.0, 0.2)))
                elif year == t.year:  # the year is not over: partial realisation
                    achieved = float(round(target * rng.uniform(0.3, 0.6)))
                else:
                    achieved = float(round(target * rng.uniform(0.85, 1.1)))
                rows.append({"id_perjanjian": self.id, "tahun": year, "indikator": name, "satuan": unit,
                             "target": float(target), "realisasi": achieved})
        return rows

    def _reports(self, signed: date, end: date) -> list[dict]:
        rows = []
        for year in range(signed.year, min(end.year, self.today.year - 1) + 1):
            day = _report_day(self.rng, year)
            if self.plan.scenario == LATE and year == self.today.year - 2:
                day = date(year + 1, 3, 4)
            if self.plan.scenario == LATE_2019 and year == 2019:
                day = date(2020, 2, 20)
            if self.plan.scenario == MISSING and year == self.today.year - 2:
                continue
            if day <= self.today:
                rows.append({"id_perjanjian": self.id, "tahun_anggaran": year, "tanggal_disampaikan": day})
        return rows
