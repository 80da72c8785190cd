"""Tindak Lanjut: the follow-up actions of the flags, per kab/kota, from proposal to closure."""

from datetime import date

import pandas as pd
import streamlit as st

from ksln_metrics.clock import today as clock_today
from ksln_metrics.followup import actions as tl
from ksln_metrics.followup.attachments import list_attachments
from ksln_metrics.followup.rakor import meetings, record_meeting
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.reference import REGIONS, region_name, scope
from ksln_metrics.store import StoreError
from ksln_ui.attachments import attachment_form, attachment_list
from ksln_ui.auth import signed_in
from ksln_ui.followup import actions_version, get_since
from ksln_ui.literal import literal
from ksln_ui.pickers import capped, limit_caption
from ksln_ui.state import as_of_caption, current_view, get_results, get_store, results_key, sample_data_banner, shared
from ksln_ui.stories import publication_list
from ksln_ui.tables import paged_dataframe

store = get_store()
user = signed_in()
view = current_view()
results = get_results(view.as_of, view.filters)
actions = tl.with_state(tl.list_actions(store, kabkota=view.filters.kabkota), results, view.as_of)
may_manage = tl.manage_refusal(user) is None
version_of_actions = actions_version()  # what the shared proposals and comparison tables depend on

st.title("Tindak Lanjut")
sample_data_banner(store)
as_of_caption(view)
if message := st.session_state.pop("tl_pesan", None):  # the outcome of the last save
    st.success(message, icon=":material/task_alt:")


def region_names(codes: pd.Series) -> pd.Series:
    """``codes.map(region_name)``, one call per distinct unit (a national comparison lists 42,000 flags)."""
    return codes.map({code: region_name(code) for code in codes.unique()})


def done(text: str) -> None:
    st.session_state["tl_pesan"] = text
    st.rerun()


# --- per unit -----------------------------------------------------------------------------------------------
counts = tl.unit_counts(actions, view.as_of)
if counts.empty:
    st.info("Belum ada tindak lanjut yang dicatat.", icon=":material/info:")
else:
    st.subheader("Per kab/kota")
    st.dataframe(pd.DataFrame({
        "Kab/Kota": counts["kabkota_nama"], "Terbuka": counts["terbuka"], "Lewat batas": counts["terlambat"],
        "Selesai": counts["selesai"], "Selesai tepat waktu": counts["selesai_tepat_waktu"],
    }), hide_index=True, key="tl_per_unit")

# --- the list -------------------------------------------------------------------------------------------------
if len(actions):
    st.subheader("Daftar tindak lanjut")
    statuses = st.multiselect("Status", list(tl.STATUSES), default=list(tl.OPEN_STATUSES),
                              format_func=tl.STATUSES.get, select_all=False, key="tl_filter_status",
                              placeholder="Semua status")
    shown = actions[actions["status"].isin(statuses)] if statuses else actions

    def state_text(late, flag_state) -> str:
        return "; ".join(part for part in ("lewat batas" if late else "", flag_state) if part)

    paged_dataframe(pd.DataFrame({
        "No.": shown["action_id"], "Kab/Kota": shown["kabkota_nama"], "Perjanjian": shown["id_perjanjian"],
        "Bendera": shown["flag_label"], "Uraian": shown["description"], "Penanggung jawab": shown["responsible"],
        "Batas": shown["due_date"].map(format_date_id), "Status": shown["status_label"],
        "Keadaan": [state_text(late, state) for late, state in zip(shown["terlambat"], shown["keadaan_bendera"], strict=True)],
    }), hide_index=True, width="stretch", key="tl_tabel",
        column_config={"Uraian": st.column_config.TextColumn(width="large")})

    # --- one action ---------------------------------------------------------------------------------------------
    st.subheader("Rincian dan status")
    titles = {int(r.action_id): f"#{r.action_id} · {r.kabkota_nama} · {r.description[:80]}"
              for r in actions.itertuples(index=False)}
    picked = st.selectbox("Tindak lanjut", list(titles), format_func=titles.get, key="tl_pilih")
    row = actions.set_index("action_id").loc[picked]
    with st.container(border=True):
        st.markdown(f"**{literal(row['description'])}**")
        st.caption(f"{row['kabkota_nama']} · perjanjian {literal(row['id_perjanjian']) or '–'} · bendera "
                   f"{row['flag_label'] or '–'} · penanggung jawab {literal(row['responsible']) or '–'} · batas "
                   f"{format_date_id(row['due_date']) or '–'} · status **{row['status_label']}**")
        if row["terlambat"]:
            st.warning(f"Lewat batas {format_date_id(row['due_date'])} dan belum selesai.", icon=":material/schedule:")
        if row["evidence_note"] and row["status"] == "selesai":
            st.caption(f"Bukti penyelesaian: {literal(row['evidence_note'])}")
        may_status = tl.status_refusal(user, row["kabkota"]) is None
        if row["bendera_hilang"]:
            st.info(f"Bendera {row['flag_label']}: {row['keadaan_bendera']}.", icon=":material/flag_circle:")
            if may_status and st.button("Tutup: bendera sudah hilang", key="tl_tutup_hilang", type="primary",
                                        icon=":material/task_alt:"):
                try:
                    tl.close_resolved(store, picked, view.as_of, user=user)
                except StoreError as exc:
                    st.error(literal(str(exc)))
                else:
                    done(f"Tindak lanjut #{picked} ditutup: bendera sudah hilang per {format_date_id(view.as_of)}.")
        history = tl.action_history(store, picked)
        st.dataframe(pd.DataFrame({
            "Waktu": history["changed_at"].dt.strftime("%d-%m-%Y %H:%M"), "Oleh": history["user_name"],
            "Status": history["status_label"], "Catatan": history["note"],
        }), hide_index=True, width="stretch", key="tl_riwayat")
        st.markdown("**Bukti (lampiran)**")
        attachment_list(store, list_attachments(store, action_id=picked), key="tl_lampiran")
        if attachment_form(store, user, row["kabkota"], key="tl_lampiran", action_id=picked, default_kind="bukti"):
            done(f"Lampiran disimpan untuk tindak lanjut #{picked}.")
        if may_status:
            with st.form("tl_status_formulir", clear_on_submit=True):
                choices = [s for s in tl.STATUSES if s != row["status"]]
                new_status = st.selectbox("Status baru", choices, format_func=tl.STATUSES.get, key="tl_status_baru")
                note = st.text_area("Catatan / bukti penyelesaian", key="tl_status_catatan", max_chars=tl.MAX_TEXT,
                                    help="Wajib saat menutup (Selesai): mis. nomor surat atau laporan yang masuk.")
                if st.form_submit_button("Simpan status", key="tl_status_simpan"):
                    try:
                        tl.set_status(store, picked, new_status, user=user, note=note)
                    except StoreError as exc:
                        st.error(literal(str(exc)))
                    else:
                        done(f"Status tindak lanjut #{picked} menjadi {tl.STATUSES[new_status].lower()}.")
        else:
            st.caption(tl.status_refusal(user, row["kabkota"]).replace(" Tidak ada yang disimpan.", ""))
        if may_manage:
            with st.expander("Ubah uraian, penanggung jawab atau batas"), st.form("tl_ubah_formulir"):
                text = st.text_area("Uraian", value=row["description"], key=f"tl_ubah_uraian_{picked}")
                owner = st.text_input("Penanggung jawab (unit/OPD)", value=row["responsible"] or "",
                                      key=f"tl_ubah_pj_{picked}")
                due = st.date_input("Batas", value=row["due_date"] if pd.notna(row["due_date"]) else None, key=f"tl_ubah_batas_{picked}",
                                    format="DD/MM/YYYY")
                if st.form_submit_button("Simpan perubahan", key="tl_ubah_simpan"):
                    try:
                        tl.edit_action(store, picked, user=user, description=text, responsible=owner, due_date=due)
                    except StoreError as exc:
                        st.error(literal(str(exc)))
                    else:
                        done(f"Tindak lanjut #{picked} diubah.")

# --- new actions ------------------------------------------------------------------------------------------------
st.subheader("Buat tindak lanjut")
if not may_manage:
    st.caption("Tindak lanjut dibuat oleh analis Provinsi atau admin; analis kab/kota memperbarui statusnya.")
else:
    def proposal_choices() -> tuple[list[tl.Proposal], dict[int, str], dict[int, str]]:
        found = tl.proposals(results, actions)
        labels = {i: f"{region_name(p.kabkota)} · {p.flag_label} · {p.id_perjanjian}" for i, p in enumerate(found)}
        return found, labels, {i: label.casefold() for i, label in labels.items()}

    # Once per data version, filters and state of the actions for every session: a national store has 50,000 flags.
    found, labels, folded = shared("usulan_tindak_lanjut", (*results_key(view), version_of_actions), proposal_choices)
    tab_flag, tab_free = st.tabs(["Dari bendera", "Lainnya"])
    def pick_proposal() -> int | None:
        """Search first: the picker offers the first PICKER_LIMIT proposals that match the search box (and the one
        picked). A national store offered all its 41,000 proposals, 2 MB sent to the browser on every visit."""
        search = st.text_input("Cari usulan", key="tl_usulan_cari",
                               placeholder="Nama kab/kota, bendera, atau ID perjanjian")
        words = search.casefold().split()

        def fits(i: int) -> bool:
            return all(w in folded[i] for w in words)

        matching = [i for i in folded if fits(i)] if words else list(labels)
        picked = st.session_state.get("tl_usulan_pilih")
        options = capped(matching, picked)  # the one picked stays while it matches the search
        if picked not in options:
            st.session_state.pop("tl_usulan_pilih", None)
        if not options:
            st.info("Tidak ada usulan yang cocok dengan pencarian.", icon=":material/search_off:")
            return None
        index = st.selectbox(f"Usulan dari bendera ({format_number_id(len(found), 0)})", options,
                             format_func=labels.get, key="tl_usulan_pilih")
        limit_caption(len(matching), "usulan", "yang cocok", "ketik di kotak Cari usulan untuk mempersempitnya.")
        return index

    with tab_flag:
        if not found:
            st.info("Setiap bendera sudah punya tindak lanjut yang terbuka.", icon=":material/check_circle:")
        elif (index := pick_proposal()) is not None:
            proposal = found[index]
            with st.form("tl_usulan_formulir"):
                text = st.text_area("Uraian", value=proposal.description, key=f"tl_usulan_uraian_{index}")
                owner = st.text_input("Penanggung jawab (unit/OPD)", key="tl_usulan_pj")
                due = st.date_input("Batas", value=None, key="tl_usulan_batas", format="DD/MM/YYYY")
                if st.form_submit_button("Buat tindak lanjut", type="primary", key="tl_usulan_buat"):
                    try:
                        number = tl.create_action(store, user=user, id_perjanjian=proposal.id_perjanjian,
                                                  flag_code=proposal.flag_code, description=text,
                                                  responsible=owner, due_date=due)
                    except StoreError as exc:
                        st.error(literal(str(exc)))
                    else:
                        done(f"Tindak lanjut #{number} dibuat untuk {literal(proposal.id_perjanjian)}.")
    with tab_free:
        with st.form("tl_bebas_formulir"):
            unit = st.selectbox("Kab/Kota", list(REGIONS), format_func=REGIONS.get, key="tl_bebas_unit")
            agreement = st.text_input("ID perjanjian (boleh kosong)", key="tl_bebas_perjanjian")
            text = st.text_area("Uraian", key="tl_bebas_uraian")
            owner = st.text_input("Penanggung jawab (unit/OPD)", key="tl_bebas_pj")
            due: date | None = st.date_input("Batas", value=None, key="tl_bebas_batas", format="DD/MM/YYYY")
            if st.form_submit_button("Buat tindak lanjut", key="tl_bebas_buat"):
                try:
                    number = tl.create_action(store, user=user, kabkota=unit, id_perjanjian=agreement.strip() or None,
                                              description=text, responsible=owner, due_date=due)
                except StoreError as exc:
                    st.error(literal(str(exc)))
                else:
                    done(f"Tindak lanjut #{number} dibuat.")

# --- since the last rakor ------------------------------------------------------------------------------------------
st.divider()
st.subheader("Sejak rakor")
held = meetings(store)
held = held[held["tanggal"] < view.as_of]
OTHER = -1
choices = {int(r.rakor_id): f"{r.nama} — {format_date_id(r.tanggal)}" for r in held.itertuples(index=False)}
choices[OTHER] = "Tanggal lain"
if (recorded := st.session_state.pop("tl_rakor_baru", None)) in choices:
    st.session_state["tl_rakor_pilih"] = recorded
left, right = st.columns(2)
chosen = left.selectbox("Dibandingkan dengan", list(choices), format_func=choices.get, key="tl_rakor_pilih",
                        help="Rakor yang dicatat di bawah, atau tanggal acuan lain.")
if chosen == OTHER:
    start = left.date_input("Tanggal awal", value=date(view.as_of.year, 1, 1), max_value=view.as_of,
                            key="tl_rakor_awal", format="DD/MM/YYYY")
    meeting_name = None
else:
    meeting = held.set_index("rakor_id").loc[chosen]
    start, meeting_name = meeting["tanggal"], meeting["nama"]
end = right.date_input("Sampai tanggal acuan", value=view.as_of, key="tl_rakor_akhir", format="DD/MM/YYYY")
if start is None or end is None or start > end:
    st.warning("Tanggal awal harus sebelum tanggal akhir.", icon=":material/warning:")
else:
    change = get_since(start, end, view.filters, meeting_name)
    st.markdown(f"**{change.title}**" + (f" ({literal(meeting_name)})" if meeting_name else "")
                + f" sampai {format_date_id(end)}")
    one, two, three, four = st.columns(4)
    one.metric("Bendera baru", change.count("baru"))
    two.metric("Bendera selesai", change.count("selesai"))
    three.metric("Masih terbuka", change.count("tetap"))
    four.metric("Tindak lanjut dibuka / ditutup", f"{len(change.actions_opened)} / {len(change.actions_closed)}")
    if change.units.empty:
        st.info("Tidak ada perubahan antara kedua tanggal.", icon=":material/info:")
    else:
        def since_tables() -> dict[str, pd.DataFrame]:
            """The comparison's tables as shown (a national one lists 42,000 flags), each rebuilt once per data
            version, actions and dates for every session, not on every run."""
            units, flags, scores, closed = change.units, change.flags, change.scores, change.actions_closed
            labels = {"baru": "Baru", "selesai": "Selesai", "tetap": "Tetap"}
            agreements = pd.concat([change.new_agreements.assign(keadaan="Mulai aktif"),
                                    change.ended_agreements.assign(keadaan="Berakhir")], ignore_index=True)
            return {
                "tl_sejak_unit": pd.DataFrame({
                    "Kab/Kota": units["kabkota_nama"], "Bendera baru": units["baru"], "Selesai": units["selesai"],
                    "Tetap": units["tetap"], "Skor awal": units["skor_dari"].round(2),
                    "Skor akhir": units["skor_ke"].round(2), "Perjanjian baru": units["perjanjian_baru"],
                    "Perjanjian berakhir": units["perjanjian_berakhir"], "TL dibuka": units["tl_dibuka"],
                    "TL ditutup": units["tl_ditutup"]}),
                "tl_sejak_bendera": pd.DataFrame({
                    "Perubahan": flags["perubahan"].map(labels), "Kab/Kota": region_names(flags["kabkota_kode"]),
                    "Perjanjian": flags["id_perjanjian"], "Bendera": flags["label"]}),
                "tl_sejak_skor": pd.DataFrame({
                    "Kab/Kota": region_names(scores["kabkota_kode"]), "Perjanjian": scores["id_perjanjian"],
                    "Skor awal": scores["skor_dari"].round(2), "Skor akhir": scores["skor_ke"].round(2)}),
                "tl_sejak_perjanjian": pd.DataFrame({
                    "Keadaan": agreements["keadaan"], "Kab/Kota": region_names(agreements["kabkota_kode"]),
                    "Perjanjian": agreements["id_perjanjian"], "Judul": agreements["judul"]}),
                "tl_sejak_ditutup": pd.DataFrame({
                    "No.": closed["action_id"], "Kab/Kota": region_names(closed["kabkota"]),
                    "Perjanjian": closed["id_perjanjian"], "Uraian": closed["description"]}),
            }

        tables = shared("tl_sejak_tabel", (*results_key(view), version_of_actions, start, end, meeting_name),
                        since_tables)
        st.dataframe(tables["tl_sejak_unit"], hide_index=True, width="stretch", key="tl_sejak_unit")
        paged_dataframe(tables["tl_sejak_bendera"], hide_index=True, width="stretch", key="tl_sejak_bendera")
        captions = {"tl_sejak_skor": "Perjanjian yang skornya berubah",
                    "tl_sejak_perjanjian": "Perjanjian yang mulai aktif atau berakhir",
                    "tl_sejak_ditutup": "Tindak lanjut yang ditutup"}
        for table, caption in captions.items():
            if len(tables[table]):
                st.caption(caption)
                paged_dataframe(tables[table], hide_index=True, width="stretch", key=table)

if may_manage:
    with st.expander("Catat rakor"), st.form("tl_rakor_formulir", clear_on_submit=True):
        name = st.text_input("Nama rakor", key="tl_rakor_nama", max_chars=200,
                             placeholder=f"Rapat Koordinasi KSLN {scope().title} {clock_today().year}")
        day = st.date_input("Tanggal rakor", value=None, key="tl_rakor_tanggal", format="DD/MM/YYYY")
        if st.form_submit_button("Simpan rakor", key="tl_rakor_simpan"):
            try:
                number = record_meeting(store, name, day, user=user)
            except StoreError as exc:
                st.error(literal(str(exc)))
            else:
                if day < view.as_of:
                    st.session_state["tl_rakor_baru"] = number  # compare with the rakor just recorded
                done(f"Rakor {literal(name.strip())} ({format_date_id(day)}) dicatat.")

# --- success stories ---------------------------------------------------------------------------------------------
st.divider()
st.subheader("Praktik baik")
publication_list(store, user, view.filters.kabkota, view.as_of)
