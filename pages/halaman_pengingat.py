"""Pengingat: what each unit must be reminded of, its reporting calendar (.ics), the reminder letters (.docx),
its e-mail recipients (admin and the unit's own analysts) and the notification log (admin)."""

import io
import zipfile
from datetime import date, datetime

import pandas as pd
import streamlit as st

from ksln_metrics.access import ADMIN, ANALIS
from ksln_metrics.formatting import format_date_id, names_listed
from ksln_metrics.reference import REGIONS, is_province_government, region_name
from ksln_metrics.reminders.agenda import Item, agenda, letter_items
from ksln_metrics.reminders.contacts import unit_recipients
from ksln_metrics.reminders.ical import calendar_file_name, calendar_ics
from ksln_metrics.reminders.letters import letter_docx, letter_file_name, unit_letters
from ksln_metrics.reminders.mail import MailSettingsError, SmtpSettings, notification_log, run_reminders, send_state
from ksln_metrics.reminders.windows import Reminder, window_of
from ksln_ui.auth import signed_in
from ksln_ui.followup import actions_version
from ksln_ui.state import current_view, data_version, get_rules, get_store, rules_version, sample_data_banner

user = signed_in()
store = get_store()
rules = get_rules()
view = current_view()
as_of = view.as_of


@st.cache_resource(show_spinner="Menyusun agenda pengingat…", max_entries=16, ttl=300)
def _agenda(db: str, version: int, rules_key: str, actions_key: str, as_of: date,
            unit: str | None) -> tuple[list[Item], list[Item], pd.DataFrame | None]:
    """The agenda, what needs a letter, and the table of that with the e-mail reminders due; one object for every session.

    A national store has about 100,000 dated items: copied out of a data cache and judged again on every rerun
    they cost seconds. The page only reads what it gets.
    """
    rules = get_rules()
    items = agenda(get_store(), as_of, rules, kabkota=[unit] if unit else None)
    attention = letter_items(items, as_of, rules)
    reminders = [Reminder(i, w) for i in items if (w := window_of(i, as_of, rules))]
    rows = {i.key: i for i in [*attention, *(r.item for r in reminders)]}
    windows = {r.item.key: r.label for r in reminders}
    if not rows:
        return items, attention, None
    chosen = sorted(rows.values(), key=lambda i: (i.tanggal, i.kabkota, i.key))
    return items, attention, pd.DataFrame({
        "Unit": [region_name(i.kabkota) for i in chosen],
        "Hal": [i.title() for i in chosen],
        "Tanggal": [format_date_id(i.tanggal) for i in chosen],
        "Keadaan": [i.state(as_of) for i in chosen],
        "Pengingat surel": [windows.get(i.key, "—") for i in chosen],
    })


# An analyst of a kab/kota sees only that unit; the province's analysts, the leaders and the admin see every unit.
own_unit_only = user.role == ANALIS and not (user.kabkota and is_province_government(user.kabkota))
st.title("Pengingat")
st.caption("Batas laporan tahunan setiap tahun anggaran, masa berlaku perjanjian dan tindak lanjut — sebelum "
           "terlambat. Kalender (.ics) dapat diimpor ke Thunderbird, Outlook atau Google Calendar; surat pengingat "
           f"(.docx) siap ditandatangani Kepala Biro Pemerintahan. Tanggal acuan: **{format_date_id(as_of)}**.")
sample_data_banner(store)

if own_unit_only:
    unit = user.kabkota
    st.caption(f"Unit: **{region_name(unit)}**")
else:
    # Starts from the sidebar's kab/kota filter when it names one unit.
    chosen_in_sidebar = view.filters.kabkota if view.filters.kabkota and len(view.filters.kabkota) == 1 else ("",)
    options = ["", *REGIONS]
    choice = st.selectbox("Unit", options, index=options.index(chosen_in_sidebar[0]),
                          format_func=lambda c: region_name(c) if c else "Semua unit", key="pengingat_unit")
    unit = choice or None

items, attention, due = _agenda(str(store.path), data_version(store), rules_version(), actions_version(), as_of,
                               unit)

st.subheader("Perlu perhatian")
if due is None:
    st.info("Tidak ada laporan yang terlambat atau segera jatuh tempo, perjanjian yang segera berakhir, atau "
            "tindak lanjut yang lewat batas.", icon=":material/task_alt:")
else:
    st.dataframe(due, hide_index=True, width="stretch", key="pengingat_daftar")

left, right = st.columns(2)
with left:
    st.subheader("Kalender pelaporan")
    st.caption(f"{len(items)} acara: batas laporan setiap tahun anggaran perjanjian berlaku (sampai tahun "
               f"{as_of.year}), tanggal berakhir, dan batas tindak lanjut.")
    # Built when clicked (the callable runs then), not on every rerun of the page.
    st.download_button("Unduh kalender (.ics)", lambda: calendar_ics(items, as_of, unit),
                       file_name=calendar_file_name(unit, as_of), mime="text/calendar",
                       icon=":material/calendar_month:", on_click="ignore", key="pengingat_kalender")
with right:
    st.subheader("Surat pengingat")
    letter_units = sorted({i.kabkota for i in attention})
    if not letter_units:
        st.caption("Tidak ada unit yang perlu diberi surat per tanggal acuan.")
    elif len(letter_units) == 1:
        [letter_unit] = letter_units
        st.download_button(f"Unduh surat {region_name(letter_unit)} (.docx)",
                           lambda: letter_docx(letter_unit, attention, as_of, rules),
                           file_name=letter_file_name(letter_unit, as_of),
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           icon=":material/description:", on_click="ignore", key="pengingat_surat")
    else:
        st.caption(f"Satu surat untuk setiap unit: {names_listed([region_name(u) for u in letter_units], 'unit')}.")

        def letters_zip() -> bytes:
            bundle = io.BytesIO()
            with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
                for letter_unit, data in unit_letters(items, as_of, rules).items():
                    archive.writestr(letter_file_name(letter_unit, as_of), data)
            return bundle.getvalue()

        st.download_button(f"Unduh {len(letter_units)} surat (.zip)", letters_zip,
                           file_name=f"surat_pengingat_{as_of.isoformat()}.zip", mime="application/zip",
                           icon=":material/folder_zip:", on_click="ignore", key="pengingat_surat_semua")

# Recipients are never shown to other units: only to the admin and to the unit's own analysts.
if unit and (user.role == ADMIN or (user.role == ANALIS and user.kabkota == unit)):
    st.subheader("Penerima surel pengingat")
    recipients = unit_recipients(store, unit)
    if recipients.empty:
        st.warning("Unit ini belum punya alamat penerima: pengingat surel tidak dapat dikirim. Admin mengisinya di "
                   "halaman Akun (surel akun analis, atau penerima tambahan).", icon=":material/mail:")
    else:
        st.dataframe(recipients.rename(columns={"email": "Surel", "sumber": "Sumber"}), hide_index=True,
                     key="pengingat_penerima")

if user.role == ADMIN:
    st.subheader("Log notifikasi")
    # The command line cannot open the store while the app runs (DuckDB has one writer): the admin can
    # send the day's reminders from here too, through the same function and the same log.
    if st.button(f"Kirim pengingat sekarang (per {format_date_id(date.today())})", icon=":material/send:",
                 key="pengingat_kirim"):
        try:
            settings = SmtpSettings.from_env()
        except MailSettingsError as exc:
            st.error(f"Pengaturan SMTP salah: {exc}", icon=":material/error:")
        else:
            with st.spinner("Mengirim surel pengingat…"):
                outcomes = run_reminders(store, date.today(), rules, settings)
            failed = [o for o in outcomes if not o.delivered]
            if not outcomes:
                st.info("Tidak ada pengingat baru untuk dikirim.", icon=":material/info:")
            elif failed:
                st.error(f"{len(failed)} dari {len(outcomes)} pesan gagal dikirim; dicatat dan dicoba lagi pada "
                         "pengiriman berikutnya. " + "; ".join(f"{region_name(o.kabkota)}: {o.error}" for o in failed),
                         icon=":material/error:")
            else:
                st.success(f"{len(outcomes)} pesan terkirim.", icon=":material/task_alt:")
    log, now = notification_log(store), datetime.now()
    if log.empty:
        st.caption("Belum ada surel pengingat yang dikirim (perintah `python -m ksln_metrics remind`).")
    else:
        st.dataframe(pd.DataFrame({
            "Waktu": log["created_at"].dt.strftime("%d-%m-%Y %H:%M"),
            "Tanggal acuan": [format_date_id(d) for d in log["as_of"]],
            "Unit": log["kabkota"].map(region_name),
            "Penerima": log["recipients"],
            "Hasil": [send_state(ok, until, now) for ok, until in
                      zip(log["delivered"], log["sending_until"], strict=True)],
            "Keterangan": log["error"].fillna(""),
            "Hal": log["items"].fillna(""),
        }), hide_index=True, width="stretch", key="pengingat_log")
