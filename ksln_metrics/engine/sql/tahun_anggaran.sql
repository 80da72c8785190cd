-- One row per chosen agreement and fiscal year it was active in (see perjanjian_fakta.sql),
-- with that year's reporting deadline, the report received by the reference date (as_of),
-- the report's status and whether the year had a substantive activity.
--
-- A report is due (wajib) once its deadline is before as_of; the deadline day itself is
-- still on time. Status, one of:
--   tepat_waktu      due, received on or before the deadline
--   terlambat        received after the deadline
--   belum_masuk      due, not received
--   belum_jatuh_tempo_diterima  received, but the deadline has not passed yet: not counted
--                    in the score until it has (a report received early stays on time)
--   belum_jatuh_tempo           not received, deadline not passed: nothing is asked yet
-- batas_laporan (fiscal year -> deadline) and kalender_kerja (each day with the running
-- count of working days, so that the difference of two numbers is the working days
-- between two dates) are computed from the working-day calendar in calendar.py.
--
-- reads: perjanjian_fakta, kegiatan_tahun, laporan, batas_laporan, kalender_kerja
-- produces: tahun_anggaran, one row per agreement and fiscal year
WITH tahun AS (
    SELECT
        id_perjanjian,
        unnest(generate_series(tahun_aktif_pertama, tahun_aktif_terakhir)) AS tahun_anggaran
    FROM perjanjian_fakta
    WHERE tahun_aktif_pertama IS NOT NULL
),
tahun_substantif AS (
    -- Years with a substantive activity (see kegiatan_tahun.sql).
    SELECT id_perjanjian, tahun AS tahun_anggaran
    FROM kegiatan_tahun
    WHERE kegiatan_substantif > 0
),
laporan_tahun AS (
    SELECT
        t.id_perjanjian,
        t.tahun_anggaran,
        b.batas,
        b.batas < $as_of AS wajib,
        l.tanggal_disampaikan AS diterima,
        s.id_perjanjian IS NOT NULL AS ada_kegiatan_substantif
    FROM tahun t
    JOIN batas_laporan b ON b.tahun_anggaran = t.tahun_anggaran
    LEFT JOIN laporan l
        ON l.id_perjanjian = t.id_perjanjian AND l.tahun_anggaran = t.tahun_anggaran
       AND l.tanggal_disampaikan <= $as_of
    LEFT JOIN tahun_substantif s
        ON s.id_perjanjian = t.id_perjanjian AND s.tahun_anggaran = t.tahun_anggaran
)
SELECT
    y.id_perjanjian,
    y.tahun_anggaran,
    y.batas,
    y.wajib,
    y.diterima,
    CASE WHEN y.diterima > y.batas THEN 'terlambat'
         WHEN y.diterima IS NOT NULL AND y.wajib THEN 'tepat_waktu'
         WHEN y.diterima IS NOT NULL THEN 'belum_jatuh_tempo_diterima'
         WHEN y.wajib THEN 'belum_masuk'
         ELSE 'belum_jatuh_tempo' END AS status,
    y.diterima <= y.batas AS tepat_waktu,  -- received by the deadline (counted once due)
    y.diterima > y.batas AS terlambat,
    y.diterima IS NULL AND y.wajib AS belum_masuk,
    kd.hari_kerja_ke - kb.hari_kerja_ke AS hari_kerja_terlambat,
    ka.hari_kerja_ke - kb.hari_kerja_ke AS hari_kerja_lewat,
    y.ada_kegiatan_substantif
FROM laporan_tahun y
LEFT JOIN kalender_kerja kb ON kb.tanggal = y.batas
LEFT JOIN kalender_kerja kd ON kd.tanggal = y.diterima
LEFT JOIN kalender_kerja ka ON ka.tanggal = $as_of
