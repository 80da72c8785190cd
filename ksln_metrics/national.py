"""The national store: a province's full dump, and its ingestion into Kemendagri's store.

A dump (``python -m ksln_metrics dump --out jabar.zip``) is one zip file: ``manifest.json``
(format, version, province, time, whether it is sample data, rows and SHA-256 of each table)
and the current rows of the four data tables as Parquet, which keeps every type exactly
(dates, rupiah, yes/no). It is a transfer file between two installations, not a spreadsheet.

Ingesting a dump into the national store (``impor-nasional``) makes the store hold exactly
the province's rows, as one batch: new rows are added, changed rows updated, and rows the
province no longer has are closed (a rollback of the batch restores them). Agreement ids are
namespaced with the province code (``36:BTN-001``): two provinces may both number their
agreements ``P-001``. The same id always maps to the same national id, so ingesting the same
province again updates instead of duplicating.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pycountry

from ksln_metrics import reference as ref
from ksln_metrics.access import Actor
from ksln_metrics.db.migrations import LAST_BATCH_SQL
from ksln_metrics.formatting import CONTROL_CHARACTERS, format_number_id, strip_control_characters
from ksln_metrics.importing.ingest import (
    ERROR,
    NO_SHEET,
    PROBLEMS_PER_COLUMN,
    WARNING,
    Limits,
    Problem,
    clean_file_name,
)
from ksln_metrics.importing.ingest import _plausible_years as plausible_years
from ksln_metrics.reference import STORED_COLUMNS, TABLES
from ksln_metrics.store import BatchResult, Store, StoreError

DUMP_FORMAT = "ksln-dump"
DUMP_VERSION = 1
MANIFEST = "manifest.json"
ID_SEPARATOR = ":"
TABLE_ORDER = ("perjanjian", "kegiatan", "indikator", "laporan")


class DumpError(StoreError):
    """A dump cannot be made or ingested here (message in Bahasa Indonesia)."""


# --- ids -------------------------------------------------------------------------------------


def national_id(province: str, agreement_id: str) -> str:
    """``('36', 'BTN-001')`` -> ``'36:BTN-001'``: an agreement's id in the national store."""
    return f"{province}{ID_SEPARATOR}{agreement_id}"


def province_id(province: str, agreement_id: str) -> str:
    """The id a province gave an agreement, from its national id (unchanged when not namespaced by ``province``)."""
    return agreement_id.removeprefix(f"{province}{ID_SEPARATOR}")


def _province_name(code: str) -> str:
    """``Provinsi Jawa Barat`` whatever the configured scope (``region_name`` knows only the scope's units)."""
    found = ref.area(code) if code else None
    return found.name if found else code


# --- the dump ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dump:
    """A province's data as one zip file, with what it holds."""

    province: str
    data: bytes
    rows: dict[str, int]
    outside: int  # agreements in the store that belong to no unit of the province, left out


def _province_rows(store: Store, province: str) -> dict[str, pa.Table]:
    """The current rows of every data table whose agreement belongs to ``province`` (its government or kab/kota)."""
    where = "(p.kabkota = $p OR starts_with(p.kabkota, $p || '.'))"
    frames = {}
    for table in TABLE_ORDER:
        cols = ", ".join(f"t.{c}" for c in STORED_COLUMNS[table])
        key = ", ".join(f"t.{k}" for k in TABLES[table].key)
        source = ("FROM perjanjian t JOIN perjanjian p USING (id_perjanjian)" if table == "perjanjian"
                  else f"FROM {table} t JOIN perjanjian p USING (id_perjanjian)")
        frames[table] = store.cursor().sql(
            f"SELECT {cols} {source} WHERE {where} ORDER BY {key}", params={"p": province}
        ).to_arrow_table()
    return frames


def dump_province(store: Store, province: str | None = None) -> Dump:
    """Every current row of ``province`` (default: the configured province) as a dump zip.

    From the national store the namespace is taken off the ids again, so that a province
    restored from the national store dumps the ids it gave.
    """
    scope = ref.scope()
    if province is None:
        if scope.is_national:
            raise DumpError("basis data nasional: sebutkan provinsi yang diekspor dengan --provinsi KODE, mis. 36.")
        province = scope.code
    if province not in ref.province_names():
        raise DumpError(f"kode provinsi '{province}' tidak dikenal; tulis dua angka Kemendagri, mis. 32 (Jawa Barat).")
    if not scope.is_national and province != scope.code:
        raise DumpError(f"basis data ini untuk {scope.title}; hanya data {scope.title} yang dapat diekspor.")
    tables = _province_rows(store, province)
    if scope.is_national:
        tables = {name: _strip_namespace(t, province) for name, t in tables.items()}
    total = int(store.cursor().execute("SELECT count(*) FROM perjanjian").fetchall()[0][0])
    buffer = io.BytesIO()
    manifest = {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "province": province,
        "province_name": _province_name(province),
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "data_version": int(store.cursor().execute(LAST_BATCH_SQL).fetchall()[0][0]),
        "sample_data": store.has_sample_data(),
        "tables": {},
    }
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, table in tables.items():
            part = io.BytesIO()
            pq.write_table(table, part, compression="zstd")
            content = part.getvalue()
            file_name = f"{name}.parquet"
            archive.writestr(file_name, content)
            manifest["tables"][name] = {"file": file_name, "rows": table.num_rows,
                                        "sha256": hashlib.sha256(content).hexdigest()}
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    rows = {name: t.num_rows for name, t in tables.items()}
    return Dump(province, buffer.getvalue(), rows, total - rows["perjanjian"])


def _strip_namespace(table: pa.Table, province: str) -> pa.Table:
    ids = [province_id(province, v) if v is not None else None for v in table.column("id_perjanjian").to_pylist()]
    index = table.schema.get_field_index("id_perjanjian")
    return table.set_column(index, "id_perjanjian", pa.array(ids, pa.string()))


# --- reading a dump -----------------------------------------------------------------------------


@dataclass
class DumpUpload:
    """One dump read: its province, its rows with national ids, and every problem found."""

    file_name: str
    content: bytes
    sha256: str
    province: str | None = None
    sample_data: bool = False
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self, result: BatchResult) -> str:
        from ksln_metrics.importing.ingest import describe_change

        where = _province_name(self.province or "")
        if result.batch_id is None:
            return f"{self.file_name}: {where} tidak berubah (isinya sama dengan data tersimpan)."
        parts = [f"{TABLES[t].sheet}: {describe_change(c)}" for t, c in result.changes.items()]
        return f"{self.file_name}: {where}, batch #{result.batch_id} disimpan — " + "; ".join(parts) + "."


class _Refused(Exception):
    """The dump as a whole cannot be read."""


def _expected_type(kind: str):
    """A test of an Arrow type against a column kind of the store (a column of nulls always passes)."""
    checks = {
        ref.DATE: pa.types.is_date,
        ref.MONEY: lambda t: pa.types.is_decimal(t) or pa.types.is_integer(t) or pa.types.is_floating(t),
        ref.NUMBER: lambda t: pa.types.is_decimal(t) or pa.types.is_integer(t) or pa.types.is_floating(t),
        ref.YEAR: pa.types.is_integer,
        ref.BOOL: pa.types.is_boolean,
    }
    check = checks.get(kind, lambda t: pa.types.is_string(t) or pa.types.is_large_string(t))
    return lambda t: pa.types.is_null(t) or check(t)


_KIND_NAMES = {ref.DATE: "tanggal", ref.MONEY: "angka rupiah", ref.NUMBER: "angka", ref.YEAR: "tahun (bilangan bulat)",
               ref.BOOL: "ya/tidak"}


class _Reader:
    def __init__(self, file_name: str, limits: Limits):
        self.file_name, self.limits = file_name, limits
        self.years = limits.years or plausible_years()
        self.problems: list[Problem] = []

    def problem(self, table: str, row: int | None, column: str, message: str, severity: str = ERROR) -> None:
        self.problems.append(Problem(self.file_name, table, row, column, message, severity))

    def manifest(self, archive: zipfile.ZipFile) -> dict:
        try:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
        except KeyError:
            raise _Refused(f"bukan berkas ekspor penuh KSLN Monitor: {MANIFEST} tidak ada di dalam zip. Buat berkasnya "
                           "dengan perintah dump di basis data provinsi") from None
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _Refused(f"{MANIFEST} rusak (bukan JSON UTF-8)") from None
        if not isinstance(manifest, dict) or manifest.get("format") != DUMP_FORMAT:
            raise _Refused(f"bukan berkas ekspor penuh KSLN Monitor ({MANIFEST} tidak bertanda format {DUMP_FORMAT})")
        if manifest.get("version") != DUMP_VERSION:
            raise _Refused(f"versi berkas ekspor {manifest.get('version')!r} tidak didukung (didukung: {DUMP_VERSION}); "
                           "buat ulang dengan KSLN Monitor versi yang sama")
        province = manifest.get("province")
        if not isinstance(province, str) or province not in ref.province_names():
            raise _Refused(f"kode provinsi {province!r} di {MANIFEST} tidak dikenal")
        if not isinstance(manifest.get("tables"), dict) or set(manifest["tables"]) != set(TABLE_ORDER):
            raise _Refused(f"{MANIFEST} harus menyebut keempat tabel: {', '.join(TABLE_ORDER)}")
        return manifest

    def table(self, archive: zipfile.ZipFile, name: str, entry: dict) -> pd.DataFrame | None:
        file_name = entry.get("file") if isinstance(entry, dict) else None
        try:
            content = archive.read(file_name) if isinstance(file_name, str) else None
        except KeyError:
            content = None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
            self.problem(name, None, "-", f"{file_name} rusak di dalam zip (tidak dapat dibuka)")
            return None
        if content is None:
            self.problem(name, None, "-", f"berkas tabel {file_name!r} tidak ada di dalam zip")
            return None
        if hashlib.sha256(content).hexdigest() != entry.get("sha256"):
            self.problem(name, None, "-", f"isi {file_name} tidak sesuai SHA-256 di {MANIFEST}: berkas rusak atau "
                         "diubah setelah diekspor")
            return None
        try:
            parquet = pq.ParquetFile(pa.BufferReader(content))
            meta = parquet.metadata
            unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
            if unpacked > self.limits.max_unpacked_bytes or meta.num_rows > self.limits.max_cells:
                self.problem(name, None, "-", f"tabel terlalu besar ({format_number_id(meta.num_rows, 0)} baris, "
                             f"{format_number_id(unpacked / 2**20, 0)} MB setelah dibuka)")
                return None
            table = parquet.read()
        except (pa.ArrowException, OSError, ValueError):
            self.problem(name, None, "-", f"{file_name} bukan berkas Parquet yang dapat dibaca (rusak)")
            return None
        if table.num_rows != entry.get("rows"):
            self.problem(name, None, "-", f"{file_name} berisi {table.num_rows} baris, {MANIFEST} menyebut "
                         f"{entry.get('rows')}")
        return self._typed(name, table)

    def _typed(self, name: str, table: pa.Table) -> pd.DataFrame | None:
        expected = STORED_COLUMNS[name]
        missing = [c for c in expected if c not in table.column_names]
        extra = [c for c in table.column_names if c not in expected]
        for column in missing:
            self.problem(name, None, column, "kolom tidak ada")
        for column in extra:
            self.problem(name, None, column, "kolom tidak dikenal", WARNING)
        wrong = False
        for column in expected:
            if column in missing:
                continue
            kind = ref.column_kind(name, column)
            actual = table.schema.field(column).type
            if not _expected_type(kind)(actual):
                self.problem(name, None, column, f"bertipe {actual}, seharusnya {_KIND_NAMES.get(kind, 'teks')}")
                wrong = True
        if missing or wrong:
            return None
        return table.select(list(expected)).to_pandas()

    def check(self, name: str, frame: pd.DataFrame, province: str, agreements: set[str]) -> pd.DataFrame:
        """Every value the store and the engine rely on; control characters removed with a warning."""
        spec = TABLES[name]
        rows = pd.Series(range(1, len(frame) + 1), index=frame.index)  # the row of the table, as a person counts

        def report(mask: pd.Series, column: str, message) -> None:
            for index in frame.index[mask.to_numpy(dtype=bool)][:PROBLEMS_PER_COLUMN]:
                text = message(frame.at[index, column]) if callable(message) else message
                self.problem(name, int(rows[index]), column, text)

        for column in STORED_COLUMNS[name]:
            spec_column = spec.column(column)
            values = frame[column]
            if spec_column.required or column in spec.key:
                report(values.isna(), column, "wajib diisi")
            present = values.notna()
            dirty = present & _control_characters(values) if spec_column.kind == ref.TEXT else None
            if dirty is not None and dirty.any():
                for index in frame.index[dirty.to_numpy(dtype=bool)][:PROBLEMS_PER_COLUMN]:
                    self.problem(name, int(rows[index]), column, "karakter kendali dihapus", WARNING)
                frame[column] = values.map(lambda v: strip_control_characters(v) if isinstance(v, str) else v)
                values = frame[column]
            if spec_column.kind == ref.CODED and not spec_column.open_choices:
                choices = ", ".join(spec_column.choices)
                report(present & ~values.isin(spec_column.choices), column,
                       lambda v, choices=choices: f"nilai {v!r} tidak dikenal; pilihan: {choices}")
            elif spec_column.kind == ref.COUNTRY:
                report(present & ~values.isin(_country_codes()), column,
                       lambda v: f"{v!r} bukan kode negara ISO 3166 alfa-3")
            elif spec_column.kind == ref.REGION:
                known = {v for v in values.dropna().unique() if _in_province(v, province)}
                report(present & ~values.isin(known), column, lambda v: _region_problem(v, province))
            elif spec_column.kind in (ref.YEAR, ref.DATE):
                # The importer's plausible years ([impor] of the rules file): a mistyped 0219 stays out here too.
                first, last = self.years
                year = values.map(lambda v: v.year if hasattr(v, "year") else v).astype("Float64")
                report(present & ((year < first) | (year > last)).fillna(False), column,
                       lambda v, first=first, last=last: f"tahun {v!s} di luar rentang wajar {first}–{last}")
        if name != "perjanjian":
            report(frame["id_perjanjian"].notna() & ~frame["id_perjanjian"].isin(agreements), "id_perjanjian",
                   lambda v: f"perjanjian {v!r} tidak ada di tabel perjanjian berkas ini")
        key = list(spec.key)
        doubled = frame.duplicated(key, keep="first") & frame[key].notna().all(axis=1)
        report(doubled, key[-1], "baris ganda: kuncinya sudah ada di baris sebelumnya")
        return frame


# CONTROL_CHARACTERS written for RE2 (pyarrow's regular expressions): the same characters, as \x{...}.
_RE2_CONTROL_CHARACTERS = "".join(c if c in "[]-" else f"\\x{{{ord(c):x}}}" for c in CONTROL_CHARACTERS.pattern)


def _control_characters(values: pd.Series) -> pd.Series:
    """True for each text holding a control or direction-override character (``formatting.CONTROL_CHARACTERS``)."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        return values.str.contains(_RE2_CONTROL_CHARACTERS, regex=True).fillna(False).astype(bool)
    return values.map(lambda v: isinstance(v, str) and CONTROL_CHARACTERS.search(v) is not None).astype(bool)


def _in_province(code, province: str) -> bool:
    return isinstance(code, str) and ref.area(code) is not None and ref.province_of(code) == province


def _region_problem(code, province: str) -> str:
    if not isinstance(code, str) or ref.area(code) is None:
        return f"kode wilayah {code!r} tidak dikenal"
    return (f"{ref.area(code).name} ({code}) bukan unit {_province_name(province)}: berkas ekspor satu provinsi "
            "hanya memuat data provinsi itu")


def _country_codes() -> set[str]:
    return {c.alpha_3 for c in pycountry.countries}


def read_dump(file_name: str, content: bytes, *, limits: Limits | None = None) -> DumpUpload:
    """Read one dump into rows with national ids; never raises on bad input, reports problems instead."""
    limits = limits or Limits.from_env()
    file_name = clean_file_name(file_name)
    upload = DumpUpload(file_name, content, hashlib.sha256(content).hexdigest())
    reader = _Reader(file_name, limits)
    try:
        upload.province, upload.sample_data, upload.tables = _read(reader, content, limits)
    except _Refused as exc:
        reader.problem(NO_SHEET, None, "-", str(exc))
    upload.problems = reader.problems
    if not upload.ok:
        upload.tables = {}
    return upload


def _read(reader: _Reader, content: bytes, limits: Limits) -> tuple[str, bool, dict[str, pd.DataFrame]]:
    if len(content) > limits.max_bytes:
        raise _Refused(f"berkas {format_number_id(len(content) / 2**20, 1)} MB, lebih besar dari batas "
                       f"{format_number_id(limits.max_bytes / 2**20, 0)} MB (KSLN_MAX_UPLOAD_MB)")
    if not content.startswith(b"PK\x03\x04"):
        raise _Refused("bukan berkas zip; berkas ekspor penuh dibuat dengan perintah dump (mis. jabar.zip)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _Refused("berkas zip rusak") from None
    if sum(i.file_size for i in infos) > limits.max_unpacked_bytes:
        raise _Refused(f"isi zip lebih besar dari batas {format_number_id(limits.max_unpacked_bytes / 2**20, 0)} MB "
                       "setelah dibuka")
    with archive:
        try:
            manifest = reader.manifest(archive)
            province = manifest["province"]
            frames = {name: reader.table(archive, name, manifest["tables"][name]) for name in TABLE_ORDER}
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError, EOFError):
            raise _Refused("berkas zip rusak atau terkunci") from None
    if any(frame is None for frame in frames.values()):
        return province, False, {}
    agreements = set(frames["perjanjian"]["id_perjanjian"].dropna())
    checked = {name: reader.check(name, frame, province, agreements) for name, frame in frames.items()}
    for frame in checked.values():
        frame["id_perjanjian"] = national_id(province, "") + frame["id_perjanjian"]  # missing ids were refused
    return province, bool(manifest.get("sample_data")), checked


# --- ingesting ----------------------------------------------------------------------------------


def replaced_units(store: Store, upload: DumpUpload) -> set[str]:
    """The units whose rows a dump replaces: all of its province's, and any of the province the store holds."""
    province = upload.province
    stored = store.cursor().execute(
        "SELECT DISTINCT kabkota FROM perjanjian WHERE kabkota = $p OR starts_with(kabkota, $p || '.')",
        {"p": province},
    ).fetchall()
    units = {province, *ref.units_of(province), *(r[0] for r in stored)}
    return units | set(upload.tables["perjanjian"]["kabkota"].dropna())


def national_refusal() -> str | None:
    """Why dumps cannot be ingested with the configured scope, or None in the national scope."""
    scope = ref.scope()
    if scope.is_national:
        return None
    return (f"impor nasional hanya untuk basis data nasional (KSLN_PROVINSI={ref.NATIONAL}); basis data ini untuk "
            f"{scope.title}. Untuk data satu provinsi gunakan perintah ingest.")


def commit_dump(store: Store, upload: DumpUpload, *, user: Actor) -> BatchResult:
    """Make the national store hold exactly the dump's rows for its province, as one batch with the dump file."""
    refusal = national_refusal()
    if refusal:
        raise DumpError(refusal)
    if not upload.ok:
        raise DumpError(f"{upload.file_name} memiliki {len(upload.errors)} kesalahan; tidak ada yang disimpan.")
    return store.commit(
        upload.tables,
        user=user,
        kind="contoh" if upload.sample_data else "unggah",
        file_name=upload.file_name,
        content=upload.content,
        sha256=upload.sha256,
        regions=replaced_units(store, upload),
        replace=True,
    )
