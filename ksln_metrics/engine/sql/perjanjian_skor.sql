-- One row per agreement: the four checks of compliance, the four score components in
-- points, the success score (0-100, empty for an agreement never signed) and its flag
-- codes (sorted, joined by ';').
--
-- reads: perjanjian_fakta, tahun_anggaran, bendera
-- produces: perjanjian_skor, one row per agreement
WITH tahun AS (
    SELECT
        id_perjanjian,
        count(*) AS tahun_aktif,
        count(*) FILTER (WHERE ada_kegiatan_substantif) AS tahun_dengan_kegiatan,
        count(*) FILTER (WHERE wajib) AS laporan_wajib,
        count(*) FILTER (WHERE status = 'tepat_waktu') AS laporan_tepat_waktu,
        count(*) FILTER (WHERE terlambat) AS laporan_terlambat,
        count(*) FILTER (WHERE belum_masuk) AS laporan_belum_masuk
    FROM tahun_anggaran
    GROUP BY id_perjanjian
),
kode_bendera AS (
    -- Flag codes of the agreement, sorted, joined by ';'.
    SELECT id_perjanjian, array_to_string(list_sort(list(DISTINCT code)), ';') AS flags
    FROM bendera
    GROUP BY id_perjanjian
),
bagian AS (
    -- Each component as a share between 0 and 1.
    SELECT
        a.*,
        coalesce(t.tahun_aktif, 0) AS tahun_aktif,
        coalesce(t.tahun_dengan_kegiatan, 0) AS tahun_dengan_kegiatan,
        coalesce(t.laporan_wajib, 0) AS laporan_wajib,
        coalesce(t.laporan_tepat_waktu, 0) AS laporan_tepat_waktu,
        coalesce(t.laporan_terlambat, 0) AS laporan_terlambat,
        coalesce(t.laporan_belum_masuk, 0) AS laporan_belum_masuk,
        -- The four checks of compliance; the page lists the failed ones.
        a.ada_persetujuan_dprd AS lolos_persetujuan_dprd,
        a.ada_persetujuan_pusat AS lolos_persetujuan_pusat,
        a.penandatangan_sah AS lolos_penandatangan,
        NOT a.negara_tanpa_hubungan AS lolos_negara_mitra,
        (CAST(a.ada_persetujuan_dprd AS INTEGER) + CAST(a.ada_persetujuan_pusat AS INTEGER)
         + CAST(a.penandatangan_sah AS INTEGER) + CAST(NOT a.negara_tanpa_hubungan AS INTEGER)) / 4
            AS bagian_kepatuhan,
        CASE WHEN coalesce(t.tahun_aktif, 0) = 0 THEN CAST(a.kegiatan_substantif > 0 AS INTEGER)
             ELSE t.tahun_dengan_kegiatan / t.tahun_aktif END AS bagian_tindak_lanjut,
        a.capaian AS bagian_capaian,
        CASE WHEN coalesce(t.laporan_wajib, 0) = 0 THEN 1
             ELSE t.laporan_tepat_waktu / t.laporan_wajib END AS bagian_pelaporan,
        coalesce(b.flags, '') AS flags
    FROM perjanjian_fakta a
    LEFT JOIN tahun t USING (id_perjanjian)
    LEFT JOIN kode_bendera b USING (id_perjanjian)
),
poin AS (
    SELECT
        *,
        CASE WHEN ditandatangani THEN $bobot_kepatuhan * bagian_kepatuhan END AS poin_kepatuhan,
        CASE WHEN ditandatangani THEN $bobot_tindak_lanjut * bagian_tindak_lanjut END AS poin_tindak_lanjut,
        CASE WHEN ditandatangani THEN $bobot_capaian * bagian_capaian END AS poin_capaian,
        CASE WHEN ditandatangani THEN $bobot_pelaporan * bagian_pelaporan END AS poin_pelaporan
    FROM bagian
)
SELECT
    id_perjanjian,
    kabkota AS kabkota_kode,
    judul,
    mitra,
    negara,
    jenis,
    bentuk,
    status,
    tanggal_ttd,
    berakhir AS tanggal_berakhir,
    ditandatangani,
    aktif,
    round(poin_kepatuhan, 2) AS skor_kepatuhan,
    round(poin_tindak_lanjut, 2) AS skor_tindak_lanjut,
    round(poin_capaian, 2) AS skor_capaian,
    round(poin_pelaporan, 2) AS skor_pelaporan,
    round(poin_kepatuhan + poin_tindak_lanjut + poin_capaian + poin_pelaporan, 2) AS skor,
    tahun_aktif,
    tahun_dengan_kegiatan,
    jumlah_indikator,
    laporan_wajib,
    laporan_tepat_waktu,
    laporan_terlambat,
    laporan_belum_masuk,
    flags,
    lolos_persetujuan_dprd,
    lolos_persetujuan_pusat,
    lolos_penandatangan,
    lolos_negara_mitra,
    capaian
FROM poin
