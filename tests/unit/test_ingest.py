"""Importing real-looking files: what is read, what is refused, and where problems are located."""

from datetime import date

import pytest

from ksln_metrics.importing.ingest import commit_upload, derive_agreement_id, preview_upload, read_upload, read_uploads
from ksln_metrics.store import Store
from tests.unit.realistic_files import agreement, agreements_workbook, kegiatan_csv_cp1252, simple_agreement_xlsx


@pytest.fixture
def store(store_location):  # every test runs on DuckDB and on PostgreSQL
    with Store(store_location) as s:
        yield s


def lines(upload):
    return [p.line() for p in upload.problems]


def test_office_workbook_with_title_block_merged_header_and_total_row(store):
    upload = read_upload("lebak_2024.xlsx", agreements_workbook(), store=store)
    assert upload.ok, lines(upload)
    rows = upload.tables["perjanjian"].set_index("judul")
    assert len(rows) == 3  # the blank row and the JUMLAH row are not agreements
    agro = rows.loc["Kerja Sama Pengembangan Agrowisata"]
    assert agro["kabkota"] == "36.02"
    assert agro["negara"] == "KOR" and agro["jenis"] == "KSDPL" and agro["bentuk"] == "sister province"
    assert agro["status"] == "berjalan"
    assert agro["tanggal_ttd"].date() == date(2019, 3, 11)
    assert agro["tanggal_berakhir"].date() == date(2024, 3, 11)
    assert agro["tanggal_persetujuan_dprd"].date() == date(2019, 1, 11)  # merged "PERSETUJUAN" over "DPRD"
    assert agro["tanggal_persetujuan_pusat"].date() == date(2019, 2, 20)
    assert agro["anggaran"] == 150_000_000 and bool(agro["ada_rik"]) and not bool(agro["ada_awp"])
    jica = rows.loc["Peningkatan Kapasitas Pengelolaan Air Bersih"]
    assert jica["negara"] == "JPN" and bool(jica["ada_rik"]) and bool(jica["ada_awp"])
    assert jica["penandatangan"] == "Wakil Bupati Lebak"
    assert upload.regions == {"36.02"}


def test_ids_are_derived_deterministically_so_a_second_upload_updates(store):
    first = read_upload("lebak.xlsx", agreements_workbook(), store=store)
    ids = sorted(first.tables["perjanjian"]["id_perjanjian"])
    assert ids == sorted(read_upload("lebak.xlsx", agreements_workbook()).tables["perjanjian"]["id_perjanjian"])
    assert derive_agreement_id("36.02", "Gyeonggi-do Provincial Government", date(2019, 3, 11)) in ids
    result = commit_upload(store, first, user="analis")
    assert result.batch_id == 1 and result.changes["perjanjian"].new == 3
    again = commit_upload(store, read_upload("lebak.xlsx", agreements_workbook(), store=store), user="analis")
    assert again.batch_id is None and again.changes["perjanjian"].unchanged == 3
    assert len(store.table("perjanjian")) == 3 and len(store.batches()) == 1


def test_windows_csv_with_rupiah_and_day_first_dates(store):
    commit_upload(store, read_upload("p.xlsx", simple_agreement_xlsx([agreement()])), user="analis")
    upload = read_upload("kegiatan_lebak.csv", kegiatan_csv_cp1252(), store=store)
    assert upload.ok, lines(upload)
    rows = upload.tables["kegiatan"]
    assert len(rows) == 3
    assert rows["tanggal"].dt.date.tolist() == [date(2019, 3, 11), date(2019, 9, 2), date(2020, 1, 15)]
    assert rows["anggaran"].tolist() == [25_000_000, 80_000_000, 12_500_000]
    assert rows["realisasi_anggaran"].tolist()[1] == 75_250_000.5
    assert "Café Ültje" in rows["nama_kegiatan"].iloc[1] and "Köln" in rows["nama_kegiatan"].iloc[2]
    assert rows["jenis_kegiatan"].tolist() == ["penandatanganan", "pelatihan", "pameran/promosi"]
    assert upload.regions == {"36.02"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_dialects(store, encoding, delimiter):
    commit_upload(store, read_upload("p.xlsx", simple_agreement_xlsx([agreement()])), user="analis")
    text = "\n".join(
        [
            delimiter.join(["ID Perjanjian", "Tanggal", "Nama Kegiatan", "Output"]),
            delimiter.join(["LBK-001", "11 Maret 2019", "Pelatihan pemandu", '"Modul, sertifikat"']),
        ]
    )
    upload = read_upload("k.csv", text.encode(encoding), store=store)
    assert upload.ok, lines(upload)
    assert upload.tables["kegiatan"]["output"].tolist() == ["Modul, sertifikat"]


def test_every_problem_is_reported_at_once_with_location(store):
    rows = [
        agreement(**{"ID Perjanjian": "A1", "Kab/Kota": "Tangerang"}),
        agreement(**{"ID Perjanjian": "A2", "Kab/Kota": "36.74 Kota Cilegon"}),
        agreement(**{"ID Perjanjian": "A3", "Tanggal Penandatanganan": "31/02/2019"}),
        agreement(**{"ID Perjanjian": "A4", "Negara Mitra": "Wakanda"}),
        agreement(**{"ID Perjanjian": "A5", "Status": "macet", "Judul Perjanjian": None}),
        agreement(**{"ID Perjanjian": "A5"}),
    ]
    upload = read_upload("kab_tangerang.xlsx", simple_agreement_xlsx(rows), store=store)
    assert not upload.ok and upload.tables == {}
    found = lines(upload)
    assert any(line.startswith("kab_tangerang.xlsx:Perjanjian:2:Kab/Kota: ") and "ambigu" in line for line in found)
    assert any(line.startswith("kab_tangerang.xlsx:Perjanjian:3:Kab/Kota: ") and "bertentangan" in line for line in found)
    assert any(
        line.startswith("kab_tangerang.xlsx:Perjanjian:4:Tanggal Penandatanganan: ") and "'31/02/2019'" in line
        for line in found
    )
    assert any(line.startswith("kab_tangerang.xlsx:Perjanjian:5:Negara Mitra: ") and "Wakanda" in line for line in found)
    assert any(line.startswith("kab_tangerang.xlsx:Perjanjian:6:Status: ") and "macet" in line for line in found)
    assert any(line.startswith("kab_tangerang.xlsx:Perjanjian:6:Judul Perjanjian: wajib diisi") for line in found)
    assert any(line.startswith("kab_tangerang.xlsx:Perjanjian:7:ID Perjanjian: baris ganda") for line in found)
    assert len(upload.errors) == 7


def test_missing_required_column(store):
    row = agreement()
    del row["Negara Mitra"]
    upload = read_upload("x.xlsx", simple_agreement_xlsx([row]), store=store)
    assert [p.line() for p in upload.errors] == [
        "x.xlsx:Perjanjian:1:Negara Mitra: kolom wajib 'Negara Mitra' tidak ditemukan; tambahkan kolom ini (lihat templat)"
    ]


def test_unknown_column_is_a_warning_only(store):
    upload = read_upload("x.xlsx", simple_agreement_xlsx([agreement(**{"Kolom Rahasia": "abc"})]), store=store)
    assert upload.ok
    assert [p.line() for p in upload.warnings] == ["x.xlsx:Perjanjian:1:Kolom Rahasia: peringatan: kolom tidak dikenal, diabaikan"]


def test_activity_of_unknown_agreement_is_refused(store):
    content = simple_agreement_xlsx(
        [{"ID Perjanjian": "TIDAK-ADA", "Tanggal Kegiatan": "11/03/2019", "Nama Kegiatan": "Rapat"}], sheet="Kegiatan"
    )
    upload = read_upload("k.xlsx", content, store=store)
    assert [p.line() for p in upload.errors] == [
        "k.xlsx:Kegiatan:2:ID Perjanjian: perjanjian 'TIDAK-ADA' tidak ditemukan, baik di berkas ini maupun di "
        "basis data; unggah lembar Perjanjian-nya lebih dulu atau periksa ID-nya"
    ]


def test_children_may_name_their_agreement_by_region_partner_and_date(store):
    parent = agreement(**{"ID Perjanjian": None})
    child = {"Kab/Kota": "Lebak", "Mitra": "GYEONGGI-DO", "Tanggal Penandatanganan": "11-03-2019",
             "Tahun": 2024, "Indikator": "Pegawai dilatih", "Target": 20, "Realisasi": 18}
    upload = read_upload("x.xlsx", simple_agreement_xlsx([parent], extra_sheets={"Indikator": [child]}), store=store)
    assert upload.ok, lines(upload)
    assert upload.tables["indikator"]["id_perjanjian"].tolist() == upload.tables["perjanjian"]["id_perjanjian"].tolist()


def test_unknown_jenis_kegiatan_is_kept_with_a_warning(store):
    content = simple_agreement_xlsx(
        [agreement()],
        extra_sheets={"Kegiatan": [{"ID Perjanjian": "LBK-001", "Tanggal": "2020-01-05", "Nama Kegiatan": "Festival",
                                    "Jenis Kegiatan": "Festival budaya"}]},
    )
    upload = read_upload("x.xlsx", content, store=store)
    assert upload.ok
    assert upload.tables["kegiatan"]["jenis_kegiatan"].tolist() == ["festival budaya"]
    assert "dihitung sebagai kegiatan substantif" in upload.warnings[0].line()


def test_end_date_from_validity_years(store):
    upload = read_upload("x.xlsx", simple_agreement_xlsx([agreement(**{"Masa Berlaku (Tahun)": 5})]), store=store)
    assert upload.tables["perjanjian"]["tanggal_berakhir"].iloc[0].date() == date(2024, 3, 11)


def test_end_before_signing_is_an_error(store):
    upload = read_upload("x.xlsx", simple_agreement_xlsx([agreement(**{"Tanggal Berakhir": "01/01/2018"})]), store=store)
    assert "lebih awal daripada tanggal penandatanganan" in upload.errors[0].line()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("data.pdf", b"%PDF-1.4", "tidak didukung"),
        ("data.xlsx", b"ID Perjanjian;Judul\n1;x\n", "bukan .xlsx yang sah"),
        ("data.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "kata sandi"),
        ("data.xls", b"PK\x03\x04garbage", "bukan .xls yang sah"),
        ("data.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "bukan teks CSV"),
        ("data.csv", b"", "berkas kosong"),
        ("data.csv", b"Nama;Alamat\nBudi;Jl. Mawar\n", "tidak ada lembar data yang dikenali"),
    ],
)
def test_files_that_are_not_what_they_claim(store, name, content, message):
    upload = read_upload(name, content, store=store)
    assert not upload.ok
    assert message in upload.errors[0].message
    assert upload.errors[0].line().startswith(f"{name}:-::-: ")


def test_size_limit(store):
    from ksln_metrics.importing.ingest import Limits

    upload = read_upload("big.csv", b"a;b\n" * 1000, limits=Limits(max_bytes=1000, max_unpacked_bytes=10_000))
    assert "melebihi batas" in upload.errors[0].message


def test_preview_then_commit_then_replace(store):
    two = [agreement(), agreement(**{"ID Perjanjian": "LBK-002", "Mitra": "KOICA"})]
    commit_upload(store, read_upload("a.xlsx", simple_agreement_xlsx(two), store=store), user="analis")
    changed = [agreement(**{"Judul Perjanjian": "Judul baru"})]
    upload = read_upload("b.xlsx", simple_agreement_xlsx(changed), store=store)
    preview = preview_upload(store, upload)
    assert (preview["perjanjian"].updated, preview["perjanjian"].deleted) == (1, 0)
    assert preview_upload(store, upload, replace=True)["perjanjian"].deleted == 1
    assert len(store.table("perjanjian")) == 2  # a preview writes nothing
    result = commit_upload(store, upload, user="analis", replace=True)
    assert store.table("perjanjian")["judul"].tolist() == ["Judul baru"]
    store.rollback(result.batch_id, user="analis")
    assert sorted(store.table("perjanjian")["id_perjanjian"]) == ["LBK-001", "LBK-002"]


def test_later_files_may_refer_to_agreements_of_earlier_ones(store):
    parents = simple_agreement_xlsx([agreement()])
    children = simple_agreement_xlsx([{"ID Perjanjian": "LBK-001", "Tahun Anggaran": 2023,
                                       "Tanggal Disampaikan": "10 Januari 2024"}], sheet="Laporan")
    first, second = read_uploads([("p.xlsx", parents), ("l.xlsx", children)], store=store)
    assert first.ok and second.ok, lines(second)
    assert second.regions == {"36.02"}


def test_raw_file_is_kept_with_its_batch(store):
    content = agreements_workbook()
    upload = read_upload("lebak.xlsx", content, store=store)
    result = commit_upload(store, upload, user="analis")
    assert store.batch_file(result.batch_id) == ("lebak.xlsx", content)
    batch = store.batches().iloc[0]
    assert batch["sha256"] == upload.sha256 and batch["user_name"] == "analis" and batch["new_rows"] == 3


def test_libreoffice_ods(store):
    from tests.unit.realistic_files import ods_workbook

    content = ods_workbook("Perjanjian", [
        ["Data KSLN Kota Cilegon"],
        [],
        ["ID", "Kabupaten/Kota", "Judul", "Mitra", "Negara", "Jenis", "Status", "Tanggal TTD"],
        ["CLG-01", "Kota Cilegon", "Pelabuhan hijau", "Port of Rotterdam", "Belanda", "KSDLL", "berjalan", date(2022, 5, 3)],
    ])
    upload = read_upload("cilegon.ods", content, store=store)
    assert upload.ok, lines(upload)
    row = upload.tables["perjanjian"].iloc[0]
    assert (row["kabkota"], row["negara"], row["tanggal_ttd"].date()) == ("36.72", "NLD", date(2022, 5, 3))
