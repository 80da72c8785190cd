"""Documents and evidence (lampiran): signed MoU/PKS, RIK/AWP, minutes, photos, reports per agreement,
activity or follow-up action.

Files are kept in the store, content-addressed by SHA-256 (``berkas``: one copy of each
content however often it is attached); ``lampiran`` says what a file is, for what, by whom.
Only PDF, JPEG, PNG and office documents are accepted, recognised by their content (magic
bytes), never by the name alone, and up to ``MAX_BYTES``. They are only ever offered for
download under their original name: never opened, executed or rendered by the app.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from ksln_metrics.access import Actor, User, actor_name
from ksln_metrics.engine.rules import SIGNED_DOCUMENT_KINDS
from ksln_metrics.followup.actions import ActionError
from ksln_metrics.formatting import format_number_id
from ksln_metrics.reference import region_name
from ksln_metrics.store import AccessDenied, Store

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a scanned signed MoU of some 30 pages, or a large photo

KINDS: dict[str, str] = {
    "naskah_mou": "Naskah MoU ditandatangani",
    "naskah_pks": "Naskah PKS ditandatangani",
    "rik": "Rencana Induk Kegiatan (RIK)",
    "awp": "Annual Work Plan (AWP)",
    "notulen": "Notulen",
    "foto": "Foto",
    "laporan": "Laporan",
    "bukti": "Bukti tindak lanjut",
    "lainnya": "Lainnya",
}
assert set(SIGNED_DOCUMENT_KINDS) <= set(KINDS)


@dataclass(frozen=True)
class FileType:
    mime: str
    description: str  # for messages: "PDF", "gambar PNG", ...
    extensions: tuple[str, ...]


PDF = FileType("application/pdf", "PDF", ("pdf",))
JPEG = FileType("image/jpeg", "gambar JPEG", ("jpg", "jpeg"))
PNG = FileType("image/png", "gambar PNG", ("png",))
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "dokumen Word", ("docx",))
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "lembar kerja Excel", ("xlsx",))
PPTX = FileType("application/vnd.openxmlformats-officedocument.presentationml.presentation", "presentasi PowerPoint",
                ("pptx",))
OLE = FileType("application/octet-stream", "dokumen Office lama", ("doc", "xls", "ppt"))
ODT = FileType("application/vnd.oasis.opendocument.text", "dokumen OpenDocument", ("odt",))
ODS = FileType("application/vnd.oasis.opendocument.spreadsheet", "lembar kerja OpenDocument", ("ods",))
ODP = FileType("application/vnd.oasis.opendocument.presentation", "presentasi OpenDocument", ("odp",))
ALLOWED_EXTENSIONS = tuple(e for t in (PDF, JPEG, PNG, DOCX, XLSX, PPTX, OLE, ODT, ODS, ODP) for e in t.extensions)
_OOXML = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF = {ODT.mime: ODT, ODS.mime: ODS, ODP.mime: ODP}


class AttachmentRefused(ActionError):
    """A file that is not accepted (message says which file and why); nothing was stored."""


def _extension(file_name: str) -> str:
    return file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""


def _zip_type(content: bytes) -> FileType | None:
    """OOXML or OpenDocument, recognised from the names inside the zip (nothing is decompressed but ``mimetype``)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size <= 100:
                    return _ODF.get(archive.read("mimetype").decode("ascii", "replace").strip())
                return None
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        return None  # macros: an office file that can run code is refused
    for prefix, kind in _OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def detect_type(content: bytes) -> FileType | None:
    """What the content is by its first bytes (and, for zips, their table of contents); None when not accepted."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if content.startswith(b"PK\x03\x04"):
        return _zip_type(content)
    return None


def check_file(file_name: str, content: bytes, max_bytes: int = MAX_BYTES) -> FileType:
    """The accepted type of a file, or AttachmentRefused saying in Indonesian what is wrong with it."""
    extension = _extension(file_name)
    if not content:
        raise AttachmentRefused(f"{file_name}: berkas kosong. Tidak ada yang disimpan.")
    if len(content) > max_bytes:
        raise AttachmentRefused(
            f"{file_name}: ukuran {format_number_id(len(content) / 1024 / 1024, 1)} MB melebihi batas "
            f"{format_number_id(max_bytes / 1024 / 1024, 0)} MB. Perkecil berkas (mis. pindai ulang dengan resolusi "
            "lebih rendah). Tidak ada yang disimpan.")
    if extension not in ALLOWED_EXTENSIONS:
        raise AttachmentRefused(
            f"{file_name}: jenis berkas .{extension or '(tanpa ekstensi)'} tidak diterima; yang diterima: PDF, JPEG, "
            "PNG dan dokumen Office (Word, Excel, PowerPoint, OpenDocument). Tidak ada yang disimpan.")
    found = detect_type(content)
    if found is None:
        raise AttachmentRefused(
            f"{file_name}: isi berkas bukan PDF, JPEG, PNG atau dokumen Office walaupun namanya .{extension} "
            "(mis. program, halaman web atau dokumen bermakro yang diganti namanya). Tidak ada yang disimpan.")
    if extension not in found.extensions:
        raise AttachmentRefused(
            f"{file_name}: isi berkas adalah {found.description}, tidak cocok dengan namanya .{extension}. "
            "Tidak ada yang disimpan.")
    return found


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\\/:*?\"<>|]+")


def safe_file_name(file_name: str) -> str:
    """The original name without folders or characters a file system refuses."""
    base = file_name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE_NAME.sub("_", base).strip(" .") or "lampiran"
    return cleaned[:200]


def attach(store: Store, *, user: Actor, file_name: str, content: bytes, kind: str, title: str | None = None,
           doc_date: date | None = None, id_perjanjian: str | None = None, action_id: int | None = None,
           kegiatan: tuple[date, str] | None = None, when: datetime | None = None,
           max_bytes: int = MAX_BYTES) -> int:
    """Store one file for an agreement (optionally one of its activities) or a follow-up action; returns its number.

    The unit rule of uploads applies: an analyst attaches only to its own unit's agreements and actions.
    """
    if kind not in KINDS:
        raise AttachmentRefused(f"Jenis lampiran '{kind}' tidak dikenal. Tidak ada yang disimpan.")
    if (id_perjanjian is None) == (action_id is None):
        raise AttachmentRefused("Lampiran harus untuk satu perjanjian atau satu tindak lanjut. Tidak ada yang disimpan.")
    region, id_perjanjian = _owner(store, id_perjanjian, action_id, kegiatan)
    refusal = attach_refusal(user, region, "Tindak lanjut ini" if action_id is not None else "Perjanjian ini")
    if refusal:
        store.audit(user, "lampiran_ditolak", target=file_name, detail=refusal)
        raise AccessDenied(refusal)
    found = check_file(file_name, content, max_bytes)
    name = safe_file_name(file_name)
    title = (title or "").strip() or name
    if len(title) > 300:
        raise AttachmentRefused("Judul lampiran terlalu panjang (paling banyak 300 karakter). Tidak ada yang disimpan.")
    digest = hashlib.sha256(content).hexdigest()
    when = when or datetime.now()
    with store.write() as cur:
        # Content-addressed: the same file attached twice (or by two writers at once) is stored once.
        cur.execute("INSERT INTO berkas VALUES (?, ?, ?, ?) ON CONFLICT (sha256) DO NOTHING",
                    [digest, len(content), found.mime, content])
        number = store.next_id(cur, "lampiran", "lampiran_id")
        cur.execute(
            "INSERT INTO lampiran VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [number, digest, region, id_perjanjian, kegiatan[0] if kegiatan else None,
             kegiatan[1] if kegiatan else None, action_id, kind, title, doc_date, name, actor_name(user), when],
        )
        target = f"tindak lanjut #{action_id}" if action_id is not None else id_perjanjian
        store.audit_in(cur, user, "lampiran_diunggah", target=target,
                            detail=f"{KINDS[kind]}: {name} ({len(content)} bita, SHA-256 {digest[:12]}…)", when=when)
    return int(number)


def _owner(store: Store, id_perjanjian, action_id, kegiatan) -> tuple[str, str | None]:
    cur = store.cursor()
    if action_id is not None:
        rows = cur.execute("SELECT kabkota, id_perjanjian FROM tindak_lanjut WHERE action_id = ?",
                           [action_id]).fetchall()
        if not rows:
            raise AttachmentRefused(f"Tindak lanjut #{action_id} tidak ada. Tidak ada yang disimpan.")
        if kegiatan:
            raise AttachmentRefused("Lampiran tindak lanjut tidak disertai kegiatan. Tidak ada yang disimpan.")
        return rows[0][0], None
    rows = cur.execute("SELECT kabkota FROM perjanjian WHERE id_perjanjian = ?", [id_perjanjian]).fetchall()
    if not rows:
        raise AttachmentRefused(f"Perjanjian {id_perjanjian} tidak ada di basis data. Tidak ada yang disimpan.")
    if kegiatan:
        found = cur.execute("SELECT count(*) FROM kegiatan WHERE id_perjanjian = ? AND tanggal = ? AND nama_kegiatan = ?",
                            [id_perjanjian, kegiatan[0], kegiatan[1]]).fetchall()[0][0]
        if not found:
            raise AttachmentRefused(f"Kegiatan '{kegiatan[1]}' tanggal {kegiatan[0]} tidak ada pada perjanjian "
                                    f"{id_perjanjian}. Tidak ada yang disimpan.")
    return rows[0][0], id_perjanjian


def list_attachments(store: Store, *, id_perjanjian: str | None = None, action_id: int | None = None) -> pd.DataFrame:
    """Attachments of one agreement (its activities' included) or one action, newest first."""
    if action_id is not None:
        where, params = "l.action_id = ?", [action_id]
    else:
        where, params = "l.id_perjanjian = ?", [id_perjanjian]
    frame = store.query(
        "SELECT l.lampiran_id, l.kind, l.title, l.doc_date, l.file_name, l.uploaded_by, l.uploaded_at, "
        "l.kegiatan_tanggal, l.kegiatan_nama, l.sha256, b.size_bytes, b.mime "
        f"FROM lampiran l JOIN berkas b USING (sha256) WHERE {where} ORDER BY l.lampiran_id DESC", params)
    frame["kind_label"] = frame["kind"].map(KINDS)
    return frame


def attachment_file(store: Store, lampiran_id: int) -> tuple[str, str, bytes]:
    """(original name, MIME type, content) of one attachment, for a download."""
    rows = store.cursor().execute(
        "SELECT l.file_name, b.mime, b.content FROM lampiran l JOIN berkas b USING (sha256) WHERE l.lampiran_id = ?",
        [lampiran_id]).fetchall()
    if not rows:
        raise AttachmentRefused(f"Lampiran #{lampiran_id} tidak ada.")
    return rows[0][0], rows[0][1], bytes(rows[0][2])


def signed_document(store: Store, id_perjanjian: str) -> pd.DataFrame:
    """The archived signed MoU/PKS files of one agreement (empty when none)."""
    files = list_attachments(store, id_perjanjian=id_perjanjian)
    return files[files["kind"].isin(SIGNED_DOCUMENT_KINDS)]


def attach_refusal(actor: Actor, region: str, what: str) -> str | None:
    """Why ``actor`` may not attach files to ``what`` of ``region`` (the unit rule of uploads), or None."""
    if not isinstance(actor, User):
        return None
    if not actor.can_change_data:
        return f"Akun {actor.name} ({actor.describe()}) hanya dapat melihat lampiran. Tidak ada yang disimpan."
    if actor.may_change(region):
        return None
    return (f"{what} milik {region_name(region)} ({region}); akun {actor.describe()} hanya boleh melampirkan berkas "
            f"untuk data {actor.kabkota}. Tidak ada yang disimpan.")


def archive_checklist_row(files: pd.DataFrame) -> dict:
    """The line of the Perjanjian page's document checklist saying whether the signed MoU/PKS is archived."""
    from ksln_metrics.engine.agreement import NO, YES
    from ksln_metrics.formatting import format_date_id

    signed = files[files["kind"].isin(SIGNED_DOCUMENT_KINDS)] if len(files) else files
    if signed.empty:
        return {"Dokumen/persetujuan": "Naskah bertanda tangan diarsipkan", "Ada": NO,
                "Keterangan": "Belum ada lampiran Naskah MoU/PKS ditandatangani"}
    latest = signed.iloc[0]
    return {"Dokumen/persetujuan": "Naskah bertanda tangan diarsipkan", "Ada": YES,
            "Keterangan": f"{KINDS[latest['kind']]}: {latest['file_name']}, diunggah "
                          f"{format_date_id(latest['uploaded_at'])} oleh {latest['uploaded_by']}"}
