-- One row per agreement and fiscal year it was active in (see perjanjian_fakta.sql), with
-- that year's reporting deadline (registered table batas_laporan, computed from the
-- working-day calendar), the report received by as_of, and whether the year had a
-- substantive activity (bit tahun - tahun_pertama of tahun_substantif, see
-- kegiatan_ringkas.sql). kalender_kerja numbers the working days so that the difference
-- of two numbers is the working days between two dates.
WITH tahun AS (
    SELECT
        id_perjanjian,
        tahun_substantif,
        unnest(generate_series(tahun_aktif_pertama, tahun_aktif_terakhir)) AS tahun_anggaran
    FROM ind_perjanjian
    WHERE tahun_aktif_pertama IS NOT NULL
)
SELECT
    t.id_perjanjian,
    t.tahun_anggaran,
    b.batas,
    b.batas < $as_of AS wajib,
    l.tanggal_disampaikan AS diterima,
    l.tanggal_disampaikan <= b.batas AS tepat_waktu,
    l.tanggal_disampaikan > b.batas AS terlambat,
    l.tanggal_disampaikan IS NULL AND b.batas < $as_of AS belum_masuk,
    kd.hari_kerja_ke - kb.hari_kerja_ke AS hari_kerja_terlambat,
    ka.hari_kerja_ke - kb.hari_kerja_ke AS hari_kerja_lewat,
    coalesce((t.tahun_substantif >> (t.tahun_anggaran - $tahun_pertama)) & 1 = 1, false) AS ada_kegiatan_substantif
FROM tahun t
JOIN batas_laporan b ON b.tahun_anggaran = t.tahun_anggaran
LEFT JOIN laporan l
    ON l.id_perjanjian = t.id_perjanjian AND l.tahun_anggaran = t.tahun_anggaran
   AND l.tanggal_disampaikan <= $as_of
LEFT JOIN kalender_kerja kb ON kb.tanggal = b.batas
LEFT JOIN kalender_kerja kd ON kd.tanggal = l.tanggal_disampaikan
LEFT JOIN kalender_kerja ka ON ka.tanggal = $as_of
