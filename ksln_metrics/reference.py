"""Reference data: regions, countries, coded values and the canonical columns with synonyms.

Everything the importer, the template and the store agree on is defined here once.

Regions and the configured scope (the API other modules build on)
-----------------------------------------------------------------
The province is configuration (``KSLN_PROVINSI`` or ``data/ksln.toml``, see ``ksln_metrics.settings``);
codes and names come from ``data/wilayah/provinsi.csv`` and ``kabkota.csv`` (Kemendagri codes, 38
provinces, 514 kab/kota), local aliases from ``data/wilayah/alias.csv``. All are read once and cached.

``scope() -> Scope``: the configured scope. ``Scope`` fields:
    ``code``            ``"36"`` (a province) or ``"nasional"``
    ``is_national``     True for ``"nasional"``
    ``province_name``   ``"Banten"`` (``"Indonesia"`` nationally)
    ``title``           ``"Provinsi Banten"`` / ``"Nasional"``: page titles, headings
    ``area``            ``"Provinsi Banten"`` / ``"Indonesia"``: "di {area}", "... {area}"
    ``government``      ``"Pemerintah Provinsi Banten"`` / ``"Kementerian Dalam Negeri"``
    ``head``            ``"Gubernur Banten"`` / ``"Menteri Dalam Negeri"``
    ``secretary``       ``"Sekretaris Daerah Provinsi Banten"`` / ``"Sekretaris Jenderal Kementerian Dalam Negeri"``
    ``office``          the office that coordinates (letters are sent "melalui" it)
    ``units_label``     ``"Pemerintah Provinsi Banten dan kabupaten/kota"`` / national equivalent
    ``capital``         seat of the government, for letters: ``"Serang"`` / ``"Jakarta"``
    ``mail_domain``     the government's e-mail domain (``"bantenprov.go.id"``), ``""`` when not listed
                        (both from data/wilayah/pemerintah.csv)
    ``provinces``       province codes in scope (``("36",)``; all 38 nationally)
    ``regions``         code -> name of every unit in scope, province government(s) first:
                        ``{"36": "Provinsi Banten", "36.01": "Kabupaten Pandeglang", ...}``; nationally
                        the 38 province governments ("XX", "Provinsi X") and the 514 kab/kota, by code
    ``units_of(p)``     the units of province ``p`` in scope: its government first, then its kab/kota
``use_scope("32")``: context manager, another scope inside one process (tests, the national lane);
``settings.reload()`` re-reads ``KSLN_PROVINSI``/the config file (after a test changed the environment).

Scope-independent helpers (all of Indonesia): ``province_of("36.74") -> "36"``, ``units_of("36")`` (kab/kota
codes of a province), ``province_names()`` (``{"11": "Aceh", ...}``), ``area("36.74") -> Area`` (name, kind,
province, lat, lng), ``is_province_government(code)``, ``covers(unit, region)`` (an analyst of ``unit`` may
edit ``region``: the same unit, or the unit is a province government and the region lies in its province).

Live names kept for the existing code: ``REGIONS`` (a read-only mapping that always follows the current
scope), ``PROVINCE_CODE`` (module attribute, ``scope().code``; import ``province_code()`` instead where the
scope can change), ``AMBIGUOUS_REGION_NAMES`` (bare name -> the codes it could mean, derived from the
data), ``region_aliases()``, ``region_name(code)``, ``region_code_from_code(text)``.
"""

from __future__ import annotations

import csv
import gettext
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType

import pycountry

from ksln_metrics.paths import DATA_DIR

# --- Regions (Kemendagri codes) -------------------------------------------------

WILAYAH_DIR = DATA_DIR / "wilayah"
NATIONAL = "nasional"
DEFAULT_PROVINCE_CODE = "36"


def normalize_text(value: str) -> str:
    """Lower-case, strip accents and punctuation, collapse spaces: the key for all lookups."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"[^0-9a-z]+", " ", text.lower())
    return " ".join(text.split())


@dataclass(frozen=True)
class Area:
    """One province government or kab/kota of Indonesia, as in data/wilayah."""

    code: str  # "36" or "36.74"
    name: str  # "Provinsi Banten", "Kabupaten Lebak", "Kota Tangerang Selatan"
    kind: str  # "provinsi" | "kabupaten" | "kota"
    province: str  # "36"
    lat: float
    lng: float

    @property
    def bare(self) -> str:
        """The name without its Provinsi/Kabupaten/Kota prefix: "Banten", "Lebak", "Tangerang Selatan"."""
        return self.name.split(" ", 1)[1]

    @property
    def short(self) -> str:
        """"Provinsi Banten", "Kab. Lebak", "Kota Serang": how a person writes it unambiguously."""
        return f"Kab. {self.bare}" if self.kind == "kabupaten" else self.name


@lru_cache(maxsize=1)
def _areas() -> dict[str, Area]:
    """Every province and kab/kota, ordered by code (a province just before its kab/kota)."""
    areas: dict[str, Area] = {}
    with (WILAYAH_DIR / "provinsi.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            areas[row["kode"]] = Area(row["kode"], f"Provinsi {row['nama']}", "provinsi", row["kode"],
                                      float(row["lat"]), float(row["lng"]))
    with (WILAYAH_DIR / "kabkota.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            areas[row["kode"]] = Area(row["kode"], row["nama"], row["jenis"], row["provinsi_kode"],
                                      float(row["lat"]), float(row["lng"]))
    return dict(sorted(areas.items()))


@lru_cache(maxsize=1)
def province_names() -> dict[str, str]:
    """Province code -> official name without prefix: {"11": "Aceh", ..., "36": "Banten", ...}."""
    return {code: a.bare for code, a in _areas().items() if a.kind == "provinsi"}


@lru_cache(maxsize=1)
def _governments() -> dict[str, tuple[str, str]]:
    """Scope code -> (seat of the government, e-mail domain or ""), from data/wilayah/pemerintah.csv."""
    with (WILAYAH_DIR / "pemerintah.csv").open(encoding="utf-8", newline="") as handle:
        return {row["kode"]: (row["ibukota"].strip(), row["domain_surel"].strip()) for row in csv.DictReader(handle)}


@lru_cache(maxsize=1)
def _units_by_province() -> dict[str, tuple[str, ...]]:
    units: dict[str, list[str]] = defaultdict(list)
    for code, a in _areas().items():
        if a.kind != "provinsi":
            units[a.province].append(code)
    return {p: tuple(codes) for p, codes in units.items()}


def area(code: str) -> Area | None:
    """The province or kab/kota with this canonical code anywhere in Indonesia, else None."""
    return _areas().get(code)


def province_of(code: str) -> str:
    """"36.74" -> "36", "36" -> "36" (the province a code belongs to; no check that it exists)."""
    return str(code).split(".", 1)[0]


def units_of(province: str) -> tuple[str, ...]:
    """The kab/kota codes of a province (all of Indonesia's data, whatever the scope)."""
    return _units_by_province().get(province, ())


def is_province_government(code: str) -> bool:
    """A province government ("36") rather than a kab/kota ("36.74")."""
    return "." not in str(code)


def covers(unit: str | None, region: str) -> bool:
    """An analyst of ``unit`` may edit ``region``: the same unit, or a province government over its kab/kota."""
    if unit is None:
        return False
    return unit == region or (is_province_government(unit) and province_of(region) == unit)


@dataclass(frozen=True)
class Scope:
    """The province (or the whole country) this installation serves; see the module docstring."""

    code: str
    province_name: str
    title: str
    area: str
    government: str
    head: str
    secretary: str
    office: str
    units_label: str
    capital: str
    mail_domain: str
    provinces: tuple[str, ...]
    regions: Mapping[str, str]

    @property
    def is_national(self) -> bool:
        return self.code == NATIONAL

    def units_of(self, province: str) -> tuple[str, ...]:
        """Province ``province``'s government and kab/kota in this scope (empty when outside it)."""
        if province not in self.provinces:
            return ()
        return (province, *units_of(province))


@cache
def _build_scope(code: str) -> Scope:
    areas = _areas()
    if code == NATIONAL:
        regions = {c: a.name for c, a in areas.items()}
        return Scope(
            code=NATIONAL, province_name="Indonesia", title="Nasional", area="Indonesia",
            government="Kementerian Dalam Negeri", head="Menteri Dalam Negeri",
            secretary="Sekretaris Jenderal Kementerian Dalam Negeri",
            office="Pusat Fasilitasi Kerja Sama Sekretariat Jenderal Kementerian Dalam Negeri",
            units_label="pemerintah provinsi dan kabupaten/kota seluruh Indonesia",
            capital=_governments()[NATIONAL][0], mail_domain=_governments()[NATIONAL][1],
            provinces=tuple(province_names()), regions=MappingProxyType(regions),
        )
    name = province_names()[code]
    regions = {c: areas[c].name for c in (code, *units_of(code))}
    return Scope(
        code=code, province_name=name, title=f"Provinsi {name}", area=f"Provinsi {name}",
        government=f"Pemerintah Provinsi {name}", head=f"Gubernur {name}",
        secretary=f"Sekretaris Daerah Provinsi {name}",
        office=f"Biro Pemerintahan Sekretariat Daerah Provinsi {name}",
        units_label=f"Pemerintah Provinsi {name} dan kabupaten/kota",
        capital=_governments()[code][0], mail_domain=_governments()[code][1],
        provinces=(code,), regions=MappingProxyType(regions),
    )


_active: Scope | None = None
_overrides: list[str] = []


def scope() -> Scope:
    """The configured scope (``KSLN_PROVINSI`` / data/ksln.toml / default 36), or the one ``use_scope`` set."""
    current = _active
    return current if current is not None else _activate()


def _activate() -> Scope:
    global _active
    from ksln_metrics import settings

    code = _overrides[-1] if _overrides else settings.configured_scope_code()
    _active = _build_scope(code)
    return _active


def reset_scope() -> None:
    """Forget the active scope; the next ``scope()`` reads the settings again."""
    global _active
    _active = None


@contextmanager
def use_scope(code: str) -> Iterator[Scope]:
    """Serve ``code`` ("32", "nasional", ...) inside the block, whatever the settings say."""
    from ksln_metrics import settings

    _overrides.append(settings.validated_scope_code(code, "use_scope"))
    reset_scope()
    try:
        yield scope()
    finally:
        _overrides.pop()
        reset_scope()


def province_code() -> str:
    """The configured province's code ("36"), or "nasional" in the national scope."""
    return scope().code


def __getattr__(name: str):
    # PROVINCE_CODE follows the scope; `from reference import PROVINCE_CODE` binds the value of that moment.
    if name == "PROVINCE_CODE":
        return scope().code
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _LiveRegions(Mapping):
    """``REGIONS``: code -> name of the units of the current scope (follows ``use_scope``)."""

    def __getitem__(self, code: str) -> str:
        return scope().regions[code]

    def get(self, code, default=None):
        return scope().regions.get(code, default)

    def __contains__(self, code) -> bool:
        return code in scope().regions

    def __iter__(self):
        return iter(scope().regions)

    def __len__(self) -> int:
        return len(scope().regions)

    def __repr__(self) -> str:
        return f"REGIONS({dict(scope().regions)!r})"


REGIONS: Mapping[str, str] = _LiveRegions()


def region_name(code: str) -> str:
    """Name of a unit: of the scope, else of Indonesia (a code of another province), else the code itself."""
    name = scope().regions.get(code)
    if name is not None:
        return name
    found = _areas().get(code)
    return found.name if found is not None else code


def region_short_name(code: str) -> str:
    """"Kab. Lebak", "Kota Serang", "Provinsi Banten" (charts, tight tables)."""
    found = _areas().get(code)
    return found.short if found is not None else region_name(code)


# Ways of writing a unit: a prefix (normalised) in front of its bare name.
_PREFIXES = {
    "provinsi": ("provinsi", "prov", "propinsi", "pemprov", "pem prov", "pemerintah provinsi"),
    "kabupaten": ("kabupaten", "kab", "pemerintah kabupaten", "pemkab", "pem kab"),
    "kota": ("kota", "kot", "pemerintah kota", "pemkot", "pem kot", "kotamadya"),
}
# In a province's store these words alone mean its own government.
_OWN_PROVINCE_WORDS = ("provinsi", "propinsi", "prov", "pemprov", "pemerintah provinsi")


@lru_cache(maxsize=1)
def local_aliases() -> dict[str, tuple[str, ...]]:
    """Code -> local names from data/wilayah/alias.csv (Tangsel, Jabar, DKI Jakarta, ...)."""
    aliases: dict[str, list[str]] = defaultdict(list)
    path = WILAYAH_DIR / "alias.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            aliases[row["kode"].strip()].append(row["alias"].strip())
    return {code: tuple(names) for code, names in aliases.items()}


@dataclass(frozen=True)
class _RegionTables:
    aliases: dict[str, str]  # normalised text -> code, unambiguous
    ambiguous: dict[str, tuple[str, ...]]  # normalised text -> the codes it could mean


def _bare_names(found: Area) -> set[str]:
    bare = normalize_text(found.bare)
    names = {bare, *(normalize_text(a) for a in local_aliases().get(found.code, ()))}
    if bare.startswith("administrasi "):  # Kota Administrasi Jakarta Pusat -> Jakarta Pusat
        names.add(bare.removeprefix("administrasi "))
    return names


@cache
def _tables(scope_code: str) -> _RegionTables:
    """Aliases of the scope's units in three tiers; a text claimed by two units of one tier is ambiguous.

    Tier 1: official names and prefixed forms (Kota Bekasi, Kab. Bekasi, Pemkot Bekasi, Prov. Jawa Barat).
    Tier 2: bare names and local aliases (Lebak, Tangsel, Jawa Barat; Bekasi is claimed twice: ambiguous).
    Tier 3: the same written without spaces (Tanjungpinang for Tanjung Pinang). A higher tier wins.
    """
    tiers: list[dict[str, set[str]]] = [defaultdict(set), defaultdict(set), defaultdict(set)]
    for code in _build_scope(scope_code).regions:
        found = _areas()[code]
        prefixes = _PREFIXES[found.kind]
        tiers[0][normalize_text(found.name)].add(code)
        for name in _bare_names(found):
            squeezed = name.replace(" ", "")
            for prefix in prefixes:
                tiers[0][f"{prefix} {name}"].add(code)
                if squeezed != name:
                    tiers[2][f"{prefix} {squeezed}"].add(code)
            tiers[1][name].add(code)
            if squeezed != name:
                tiers[2][squeezed].add(code)
    if scope_code != NATIONAL:
        for word in _OWN_PROVINCE_WORDS:
            tiers[1][word].add(scope_code)
    aliases: dict[str, str] = {}
    ambiguous: dict[str, tuple[str, ...]] = {}
    for tier in tiers:
        for text, codes in tier.items():
            if text in aliases or text in ambiguous:
                continue
            if len(codes) == 1:
                aliases[text] = next(iter(codes))
            else:
                ambiguous[text] = tuple(sorted(codes))
    return _RegionTables(aliases, ambiguous)


def region_aliases() -> dict[str, str]:
    """Every unambiguous way of writing a unit of the scope (normalised) -> its code."""
    return _tables(scope().code).aliases


def ambiguous_region_names() -> dict[str, tuple[str, ...]]:
    """Bare names the scope's units share (Tangerang, Bekasi, Gorontalo...) -> the codes they could mean."""
    return _tables(scope().code).ambiguous


def national_region_aliases() -> dict[str, str]:
    """Like ``region_aliases`` for all of Indonesia: to say which province a foreign name belongs to."""
    return _tables(NATIONAL).aliases


class _LiveAmbiguous(Mapping):
    """``AMBIGUOUS_REGION_NAMES``: follows the scope, like ``REGIONS``."""

    def __getitem__(self, name: str) -> tuple[str, ...]:
        return ambiguous_region_names()[name]

    def get(self, name, default=None):
        return ambiguous_region_names().get(name, default)

    def __contains__(self, name) -> bool:
        return name in ambiguous_region_names()

    def __iter__(self):
        return iter(ambiguous_region_names())

    def __len__(self) -> int:
        return len(ambiguous_region_names())


AMBIGUOUS_REGION_NAMES: Mapping[str, tuple[str, ...]] = _LiveAmbiguous()

_CODE_RE = re.compile(r"^\s*(\d{2})(?:[.\s]?(\d{2}))?(?:\.0+)?\s*$")


def region_code_from_code(text: str) -> str | None:
    """'36.74', '3674', '36 74', '36' -> canonical code of Indonesia's data (any province); None otherwise."""
    m = _CODE_RE.match(str(text))
    if not m:
        return None
    code = f"{m.group(1)}.{m.group(2)}" if m.group(2) else m.group(1)
    return code if code in _areas() else None


def outside_scope(code: str) -> str | None:
    """Why a known code cannot be used in this scope ("... Provinsi Banten, bukan Provinsi Jawa Barat"), or None."""
    current = scope()
    if code in current.regions:
        return None
    found = _areas().get(code)
    if found is None:
        return f"kode {code} tidak ada dalam daftar kode Kemendagri"
    if found.kind == "provinsi":
        return f"kode {code} adalah {found.name}, bukan {current.title}"
    province = _areas()[found.province].name
    return f"kode {code} adalah {found.name}, {province}, bukan {current.title}"


def basis_document() -> str:
    """The source of the indicators and flags, whatever the scope: the rakor report they were derived from."""
    return f"laporan Rapat Koordinasi Kerja Sama Luar Negeri {_areas()[DEFAULT_PROVINCE_CODE].name} 11 Maret 2019"


def example_units() -> tuple[Area, Area]:
    """A kabupaten and a kota of the scope for examples in texts (the first of each; a kabupaten twice when
    the province has no kota, as in Sulawesi Barat)."""
    units = [_areas()[c] for c in scope().regions if not is_province_government(c)]
    kab = next(a for a in units if a.kind == "kabupaten")
    kota = next((a for a in reversed(units) if a.kind == "kota"), units[-1])
    return kab, kota


def region_examples() -> str:
    """"'Kab. Pandeglang', 'Kota Tangerang Selatan' atau 36.74": examples from the scope, for messages."""
    kab, kota = example_units()
    return f"'{kab.short}', '{kota.short}' atau {kota.code}"


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
               "Nama atau kode Kemendagri kab/kota; nama provinsi untuk kerja sama Pemerintah Provinsi.",
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
