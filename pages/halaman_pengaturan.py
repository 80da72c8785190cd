"""Pengaturan (admin): thresholds, weights and lists of the rules file, checked before saving and audited."""

from datetime import date, datetime

import pandas as pd
import streamlit as st

from ksln_metrics.access import ADMIN
from ksln_metrics.engine.rules import SETTINGS, WEIGHT_KEYS, RulesError, describe_value, rules_path, setting_label
from ksln_metrics.engine.rules_change import read_change_log, save_settings, save_settings_text
from ksln_metrics.reference import JENIS, JENIS_KEGIATAN, country_name, country_names_id
from ksln_metrics.store import StoreError
from ksln_ui.auth import require_role
from ksln_ui.state import get_rules, get_store, rules_version

LABELS = {s.key: s.label for s in SETTINGS}
MONTH_KEYS = ("ambang.seremonial_bulan", "ambang.mangkrak_bulan", "ambang.segera_berakhir_bulan")


def widget_key(setting: str) -> str:
    return "pengaturan_" + setting.replace(".", "_")


def dates_of(frame: pd.DataFrame) -> list[date]:
    days = []
    for value in frame["Tanggal"].dropna():
        days.append(value.date() if isinstance(value, datetime | pd.Timestamp) else value)
    return days


def date_frame(days) -> pd.DataFrame:
    return pd.DataFrame({"Tanggal": pd.Series(list(days), dtype="object")})


user = require_role(ADMIN)
store = get_store()
rules = get_rules()
path = rules_path()

# A save (here or by the admin's text) changes the file: the widgets start again from it.
version = rules_version()
if st.session_state.get("pengaturan_versi") != version:
    for key in [k for k in st.session_state if str(k).startswith("pengaturan_")]:
        if key != "pengaturan_pesan":
            del st.session_state[key]
    st.session_state["pengaturan_versi"] = version

st.title("Pengaturan")
st.caption(f"Ambang batas, bobot dan daftar yang dipakai perhitungan, dari berkas `{path.name}`. Setiap perubahan "
           "diperiksa dulu (mis. jumlah bobot harus 100), lalu dicatat di jejak audit atas nama Anda "
           f"(**{user.name}**); semua angka di dasbor langsung dihitung ulang.")
if message := st.session_state.pop("pengaturan_pesan", None):
    st.success(message, icon=":material/save:")

form_tab, text_tab, log_tab = st.tabs(["Formulir", "Lanjutan (TOML)", "Riwayat perubahan"])


def report(saved, what: str) -> None:
    if saved is None:
        st.info("Tidak ada perubahan; berkas tidak ditulis.", icon=":material/info:")
        return
    details = "; ".join(f"{setting_label(c.key)}: {describe_value(c.key, c.old)} → {describe_value(c.key, c.new)}"
                        for c in saved)
    st.session_state["pengaturan_pesan"] = f"{what} disimpan. {details or 'Hanya komentar yang berubah.'}"
    st.rerun()


with form_tab, st.form("pengaturan_formulir"):
    st.subheader("Bobot skor keberhasilan")
    st.caption("Jumlah keempat bobot harus tepat 100.")
    values = {}
    for column, key in zip(st.columns(4), WEIGHT_KEYS, strict=True):
        values[key] = column.number_input(LABELS[key], min_value=0.0, max_value=100.0, step=1.0,
                                          value=float(rules.value(key)), key=widget_key(key))

    st.subheader("Ambang batas")
    columns = st.columns(4)
    for column, key in zip(columns, MONTH_KEYS, strict=False):
        values[key] = column.number_input(LABELS[key], min_value=1, step=1, value=int(rules.value(key)),
                                          key=widget_key(key))
    key = "pelaporan.batas_hari_kerja"
    values[key] = columns[3].number_input(LABELS[key], min_value=1, step=1, value=int(rules.value(key)),
                                          key=widget_key(key))

    st.subheader("Kegiatan dan penandatangan")
    key = "kegiatan.jenis_seremonial"
    values[key] = st.multiselect(LABELS[key], list(JENIS_KEGIATAN), default=list(rules.value(key)),
                                 key=widget_key(key), help="Jenis lain, termasuk yang kosong, dihitung substantif.")
    key = "penandatangan.jenis_wajib_kepala_daerah"
    values[key] = st.multiselect("Jenis kerja sama yang wajib ditandatangani kepala daerah sendiri", list(JENIS),
                                 default=list(rules.value(key)), key=widget_key(key))
    for key, label in (("penandatangan.jabatan_kepala_daerah", "Jabatan kepala daerah"),
                       ("penandatangan.jabatan_bukan_kepala_daerah", "Kata yang menandakan bukan kepala daerah")):
        current = list(rules.value(key))
        values[key] = st.multiselect(label, current, default=current, key=widget_key(key), accept_new_options=True,
                                     help="Ketik untuk menambah. Dicocokkan sebagai kata utuh, huruf besar/kecil "
                                          "dan tanda baca diabaikan.")
    key = "penandatangan.kosong_dianggap_tidak_sah"
    values[key] = st.checkbox("Penandatangan kosong dianggap tidak sah", value=bool(rules.value(key)),
                              key=widget_key(key))

    st.subheader("Negara dan kalender")
    key = "negara.tanpa_hubungan_diplomatik"
    countries = sorted(country_names_id(), key=country_name)
    values[key] = st.multiselect(LABELS[key], countries, default=list(rules.value(key)), key=widget_key(key),
                                 format_func=lambda code: f"{country_name(code)} ({code})")
    left, right = st.columns(2)
    for column, key, hint in ((left, "kalender.libur_tambahan", "Libur atau cuti bersama yang belum ada di paket."),
                              (right, "kalender.libur_dibatalkan", "Libur dari paket yang dibatalkan pemerintah.")):
        with column:
            st.markdown(f"**{LABELS[key]}** — {hint}")
            edited = st.data_editor(
                date_frame(rules.value(key)), num_rows="dynamic", hide_index=True, key=widget_key(key),
                width="stretch", column_config={"Tanggal": st.column_config.DateColumn("Tanggal", format="DD-MM-YYYY")},
            )
            values[key] = dates_of(edited)

    st.subheader("Urutan perhatian")
    key = "perhatian.poin_per_bendera"
    values[key] = st.number_input(LABELS[key], min_value=0.0, step=1.0, value=float(rules.value(key)),
                                  key=widget_key(key),
                                  help="Poin perhatian kab/kota = (100 − skor rata-rata) + nilai ini × jumlah bendera. "
                                       "Menentukan urutan Kab/kota yang perlu perhatian di Ringkasan; lihat Metodologi.")
    st.subheader("Arsip naskah")
    key = "arsip.naskah_wajib"
    values[key] = st.checkbox("Nyalakan bendera Naskah belum diarsipkan", value=bool(rules.value(key)),
                              key=widget_key(key),
                              help="Perjanjian yang sudah ditandatangani tanpa lampiran naskah MoU/PKS bertanda tangan "
                                   "ditandai. Nyalakan setelah arsip naskah dipakai; angka yang ada akan berubah.")
    st.subheader("Pengingat")
    st.caption("Kapan surel pengingat dikirim. Tulis angka dipisah koma, mis. 30, 14, 7, 1.")
    left, middle, right = st.columns(3)
    for column, key in ((left, "pengingat.laporan_hari_kerja"), (middle, "pengingat.berakhir_hari")):
        typed = column.text_input(LABELS[key], value=", ".join(str(n) for n in rules.value(key)), key=widget_key(key))
        # Numbers as numbers; anything else is passed on as typed, so that the check names the wrong item.
        values[key] = [int(part) if part.strip().isdigit() else part.strip() for part in typed.split(",")
                       if part.strip()]
    key = "pengingat.setelah_batas"
    values[key] = right.checkbox(LABELS[key], value=bool(rules.value(key)), key=widget_key(key))

    submitted = st.form_submit_button("Simpan pengaturan", type="primary", icon=":material/save:")

if submitted:
    try:
        saved = save_settings(values, user, store=store)
    except (RulesError, StoreError) as exc:
        form_tab.error(f"Pengaturan tidak disimpan. {exc}", icon=":material/error:")
    else:
        with form_tab:
            report(saved, "Pengaturan")

with text_tab:
    st.caption("Berkas aturan apa adanya, dengan komentar asal setiap nilai. Diperiksa sebelum disimpan; bila ada "
               "kesalahan, tidak ada yang ditulis.")
    text = st.text_area("Isi berkas aturan (TOML)", value=path.read_text(encoding="utf-8"), height=520,
                        key="pengaturan_toml")
    if st.button("Simpan teks", key="pengaturan_simpan_teks", icon=":material/save:"):
        try:
            saved = save_settings_text(text, user, store=store)
        except (RulesError, StoreError) as exc:
            st.error(f"Pengaturan tidak disimpan. {exc}", icon=":material/error:")
        else:
            report(saved, "Berkas aturan")

with log_tab:
    log = read_change_log(store)
    if log.empty:
        st.info("Belum ada perubahan tercatat.")
    else:
        st.dataframe(pd.DataFrame({
            "Waktu": pd.to_datetime(log["waktu"]).dt.strftime("%d-%m-%Y %H:%M"),
            "Pengguna": log["pengguna"],
            "Lewat": log["sumber"].map({"formulir": "Formulir", "teks": "Teks TOML"}),
            "Pengaturan": log["kunci"].map(setting_label),
            "Lama": [describe_value(k, v) for k, v in zip(log["kunci"], log["lama"], strict=True)],
            "Baru": [describe_value(k, v) for k, v in zip(log["kunci"], log["baru"], strict=True)],
        }), hide_index=True, width="stretch", key="pengaturan_riwayat")
