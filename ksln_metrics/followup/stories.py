"""Success stories (cerita sukses / praktik baik): what an agreement achieved, for whom, with which figures,
the lessons learned and photos from its evidence; published by the province for the deck and for Kemendagri.

The unit's analysts write their agreements' stories; only province analysts and admins
mark a story for publication (and a changed story goes back to unpublished). Every write
is audited and checks the access rule here, at the write path.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pandas as pd

from ksln_metrics.access import Actor, User, actor_name
from ksln_metrics.followup.actions import ActionError, manage_refusal
from ksln_metrics.formatting import format_date_id
from ksln_metrics.reference import country_name, region_name, scope
from ksln_metrics.store import AccessDenied, Store

FIELDS = {"judul": "Judul", "capaian": "Apa yang dicapai", "penerima": "Untuk siapa (penerima manfaat)",
          "angka": "Angka capaian", "pelajaran": "Pelajaran (lessons learned)"}
MAX_FIELD = 3000
PHOTO_MIMES = ("image/jpeg", "image/png")


def write_refusal(actor: Actor, region: str) -> str | None:
    if not isinstance(actor, User):
        return None
    if not actor.can_change_data:
        return f"Akun {actor.name} ({actor.describe()}) hanya dapat membaca cerita sukses. Tidak ada yang disimpan."
    if actor.may_change(region):
        return None
    return (f"Perjanjian ini milik {region_name(region)} ({region}); akun {actor.describe()} hanya boleh menulis "
            f"cerita sukses {actor.kabkota}. Tidak ada yang disimpan.")


def _refuse(store: Store, user: Actor, message: str, target: str):
    store.audit(user, "cerita_ditolak", target=target, detail=message)
    raise AccessDenied(message)


def save_story(store: Store, *, user: Actor, id_perjanjian: str, judul: str, capaian: str, penerima: str | None = None,
               angka: str | None = None, pelajaran: str | None = None, photos: list[int] | None = None,
               story_id: int | None = None, when: datetime | None = None) -> int:
    """Write a new story (``story_id`` None) or change one; a changed story is unpublished again. Returns its number."""
    rows = store.cursor().execute("SELECT kabkota FROM perjanjian WHERE id_perjanjian = ?", [id_perjanjian]).fetchall()
    if not rows:
        raise ActionError(f"Perjanjian {id_perjanjian} tidak ada di basis data. Tidak ada yang disimpan.")
    region = rows[0][0]
    if refusal := write_refusal(user, region):
        _refuse(store, user, refusal, id_perjanjian)
    values = {"judul": judul, "capaian": capaian, "penerima": penerima, "angka": angka, "pelajaran": pelajaran}
    for key, value in values.items():
        text = (value or "").strip()
        if key in ("judul", "capaian") and not text:
            raise ActionError(f"{FIELDS[key]} wajib diisi. Tidak ada yang disimpan.")
        if len(text) > MAX_FIELD:
            raise ActionError(f"{FIELDS[key]} terlalu panjang (paling banyak {MAX_FIELD} karakter). "
                              "Tidak ada yang disimpan.")
        values[key] = text or None
    photos = [int(p) for p in photos or []]
    if photos:
        found = store.query("SELECT l.lampiran_id FROM lampiran l JOIN berkas b USING (sha256) "
                            "WHERE l.id_perjanjian = ? AND b.mime = ANY(?) AND l.lampiran_id = ANY(?)",
                            [id_perjanjian, list(PHOTO_MIMES), photos])
        missing = sorted(set(photos) - set(found["lampiran_id"].astype(int)))
        if missing:
            raise ActionError(f"Foto lampiran #{', #'.join(map(str, missing))} bukan gambar JPEG/PNG perjanjian ini. "
                              "Tidak ada yang disimpan.")
    when = when or datetime.now()
    with store.write() as cur:
        if story_id is None:
            story_id = store.next_id(cur, "cerita_sukses", "story_id")
            cur.execute(
                "INSERT INTO cerita_sukses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, FALSE, ?, ?, ?, NULL, NULL)",
                [story_id, id_perjanjian, region, values["judul"], values["capaian"], values["penerima"],
                 values["angka"], values["pelajaran"], json.dumps(photos), actor_name(user), when, when])
            action = "cerita_dibuat"
        else:
            owner = cur.execute("SELECT id_perjanjian FROM cerita_sukses WHERE story_id = ?", [story_id]).fetchall()
            if not owner or owner[0][0] != id_perjanjian:
                raise ActionError(f"Cerita sukses #{story_id} tidak ada untuk perjanjian {id_perjanjian}.")
            cur.execute(
                "UPDATE cerita_sukses SET judul = ?, capaian = ?, penerima = ?, angka = ?, pelajaran = ?, foto = ?, "
                "terbit = FALSE, published_by = NULL, published_at = NULL, changed_at = ? WHERE story_id = ?",
                [values["judul"], values["capaian"], values["penerima"], values["angka"], values["pelajaran"],
                 json.dumps(photos), when, story_id])
            action = "cerita_diubah"
        store.audit_in(cur, user, action, target=f"cerita sukses #{story_id}",
                            detail=f"{id_perjanjian}: {values['judul']}", when=when)
    return int(story_id)


def set_published(store: Store, story_id: int, published: bool, *, user: Actor, when: datetime | None = None) -> None:
    """Mark a story for publication, or withdraw it (province analysts and admins)."""
    if refusal := manage_refusal(user):
        _refuse(store, user, refusal.replace("membuat atau mengubah tindak lanjut", "menerbitkan cerita sukses"),
                f"cerita sukses #{story_id}")
    if store.query("SELECT count(*) AS n FROM cerita_sukses WHERE story_id = ?", [story_id])["n"].iloc[0] == 0:
        raise ActionError(f"Cerita sukses #{story_id} tidak ada.")
    when = when or datetime.now()
    with store.write() as cur:
        cur.execute("UPDATE cerita_sukses SET terbit = ?, published_by = ?, published_at = ? WHERE story_id = ?",
                    [published, actor_name(user) if published else None, when if published else None, story_id])
        store.audit_in(cur, user, "cerita_diterbitkan" if published else "cerita_ditarik",
                            target=f"cerita sukses #{story_id}", when=when)


def list_stories(store: Store, *, id_perjanjian: str | None = None, published_only: bool = False,
                 kabkota: list[str] | None = None) -> pd.DataFrame:
    """Stories with their agreement's partner and country, newest first."""
    conditions, params = [], []
    if id_perjanjian:
        conditions.append("s.id_perjanjian = ?")
        params.append(id_perjanjian)
    if published_only:
        conditions.append("s.terbit")
    if kabkota:
        conditions.append("s.kabkota = ANY(?)")
        params.append(list(kabkota))
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    frame = store.query(
        "SELECT s.*, p.mitra, p.negara, p.judul AS judul_perjanjian FROM cerita_sukses s "
        f"LEFT JOIN perjanjian p USING (id_perjanjian) {where} ORDER BY s.story_id DESC", params)
    frame["kabkota_nama"] = frame["kabkota"].map(region_name)
    frame["foto"] = frame["foto"].map(lambda text: json.loads(text) if isinstance(text, str) else [])
    return frame


def story_count(store: Store, id_perjanjian: str) -> int:
    """How many stories one agreement has (what ``list_stories`` would list for it), without reading them."""
    return int(store.cursor().execute("SELECT count(*) FROM cerita_sukses WHERE id_perjanjian = ?",
                                      [id_perjanjian]).fetchall()[0][0])


def story_photos(store: Store, photo_ids: list[int]) -> list[tuple[str, bytes]]:
    """(file name, content) of a story's photos, in the order chosen."""
    if not photo_ids:
        return []
    rows = store.query("SELECT l.lampiran_id, l.file_name, b.content FROM lampiran l JOIN berkas b USING (sha256) "
                       "WHERE l.lampiran_id = ANY(?)", [list(photo_ids)])
    by_id = {int(r.lampiran_id): (r.file_name, bytes(r.content)) for r in rows.itertuples(index=False)}
    return [by_id[i] for i in photo_ids if i in by_id]


def stories_docx(store: Store, stories: pd.DataFrame, as_of: date) -> bytes:
    """The published stories as a Word document the province can send to Kemendagri."""
    from docx import Document
    from docx.shared import Cm

    document = Document()
    document.add_heading("Praktik Baik Kerja Sama Luar Negeri", 0)
    document.add_paragraph(f"{scope().units_label[0].upper()}{scope().units_label[1:]} · per {format_date_id(as_of)}")
    if stories.empty:
        document.add_paragraph("Belum ada cerita sukses yang diterbitkan.")
    for row in stories.to_dict("records"):
        document.add_heading(row["judul"], 1)
        partner = ", ".join(p for p in (row.get("mitra"), country_name(row.get("negara") or "")) if p)
        document.add_paragraph(f"{row['kabkota_nama']} · {partner or row['judul_perjanjian'] or ''} "
                               f"({row['id_perjanjian']})")
        for key in ("capaian", "penerima", "angka", "pelajaran"):
            if row.get(key):
                document.add_heading(FIELDS[key], 2)
                document.add_paragraph(row[key])
        for name, content in story_photos(store, row["foto"]):
            try:
                document.add_picture(io.BytesIO(content), width=Cm(12))
                document.add_paragraph(name).italic = True
            except Exception:  # noqa: BLE001 - a picture python-docx cannot read is named, not embedded
                document.add_paragraph(f"(Foto {name} tidak dapat disisipkan.)")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
