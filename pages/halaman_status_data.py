"""Status Data: per kab/kota, when it last uploaded, which tables it sent this year, how complete
the fields are that the flags need, and which flags therefore cannot be judged."""

import pandas as pd
import streamlit as st

from ksln_metrics.engine.collection import TABLE_ORDER, collection_status, status_line, table_names, unit_statuses
from ksln_metrics.formatting import format_date_id, format_number_id
from ksln_metrics.reference import TABLES, region_name
from ksln_ui.state import as_of_caption, current_view, get_store, sample_data_banner
from ksln_ui.tables import readable_table

view = current_view()
store = get_store()
st.title("Status Data")
sample_data_banner(store)
as_of_caption(view)
st.caption("Seperti *reporting rate* DHIS2, tetapi untuk datanya sendiri: apakah setiap daerah sudah mengirim data tahun "
           "ini, dan apakah kolom yang dibaca peringatan sudah terisi. Kolom yang kosong membuat peringatannya tidak "
           "dapat dinilai dengan pasti (mis. tanggal persetujuan DPRD kosong: belum disetujui, atau belum diisi?).")

status = collection_status(store, view.as_of, view.filters.kabkota)
units = unit_statuses(status)
st.info(status_line(units, view.as_of), icon=":material/fact_check:")

# --- one row per unit ------------------------------------------------------------------------------------
st.subheader(f"Per daerah, tahun {view.as_of.year}")
readable_table(pd.DataFrame({
    "Daerah": [region_name(u.kabkota) for u in units],
    "Unggahan terakhir": [format_date_id(u.last_upload) if u.last_upload is not None else "belum pernah"
                          for u in units],
    "Tabel terkirim tahun ini": [table_names(u.tables_sent) for u in units],
    "Belum terkirim": [table_names(u.tables_missing) for u in units],
    "Kelengkapan kolom": [f"{format_number_id(u.completeness)} %" if u.completeness is not None else None
                          for u in units],
    "Tidak dapat dinilai": ["; ".join(u.unjudgeable) or "semua dapat dinilai" for u in units],
}), key="status_daerah")

# --- the fields in detail ----------------------------------------------------------------------------------
st.subheader("Kelengkapan kolom yang dibaca peringatan")
st.caption("Dihitung atas perjanjian tempat kolom itu berlaku: kolom persetujuan, penandatangan dan masa berlaku atas "
           "perjanjian yang sudah ditandatangani; negara mitra atas semua perjanjian.")
fields = status.pivot_table(index="kabkota", columns="kolom_label", values=["terisi", "berlaku"], aggfunc="sum",
                            sort=False)
order = list(dict.fromkeys(status["kolom_label"]))
readable_table(pd.DataFrame({
    "Daerah": [region_name(c) for c in fields.index],
    **{label: [f"{format_number_id(fields.loc[c, ('terisi', label)], 0)} dari "
               f"{format_number_id(fields.loc[c, ('berlaku', label)], 0)}" if fields.loc[c, ("berlaku", label)] else None
               for c in fields.index] for label in order},
}), key="status_kolom")
st.caption(f"Tabel: {', '.join(TABLES[t].sheet for t in TABLE_ORDER)}. Sebuah tabel terhitung terkirim bila unggahan "
           f"tahun {view.as_of.year} (yang belum dibatalkan) memuat barisnya, juga baris yang sama dengan sebelumnya.")
