-- Every follow-up activity of the chosen agreements, classed ceremonial or substantive
-- (macro kegiatan_seremonial in macros.sql, the same one kegiatan_tahun.sql counts with).
-- Only activities held on or before the reference date (as_of) count (dihitung). The
-- Perjanjian page shows these rows for one agreement.
--
-- reads: kegiatan, perjanjian_pilihan
-- produces: kegiatan_sifat, one row per activity
SELECT
    k.id_perjanjian,
    k.tanggal,
    k.nama_kegiatan,
    k.jenis_kegiatan,
    k.output,
    k.anggaran,
    k.realisasi_anggaran,
    k.sumber_dana,
    kegiatan_seremonial(k.jenis_kegiatan, $jenis_seremonial) AS seremonial,
    k.tanggal <= $as_of AS dihitung
FROM kegiatan k
WHERE k.id_perjanjian IN (SELECT id_perjanjian FROM perjanjian_pilihan)
