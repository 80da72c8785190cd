-- Every follow-up activity of the chosen agreements, classed ceremonial or substantive.
-- An activity is ceremonial when its type is in the configured list
-- (kegiatan.jenis_seremonial); every other one, an empty type included, is substantive.
-- Only activities held on or before the reference date (as_of) count (dihitung).
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
    coalesce(list_contains($jenis_seremonial, k.jenis_kegiatan), false) AS seremonial,
    CASE WHEN coalesce(list_contains($jenis_seremonial, k.jenis_kegiatan), false)
         THEN 'seremonial' ELSE 'substantif' END AS sifat,
    k.tanggal <= $as_of AS dihitung
FROM kegiatan k
WHERE k.id_perjanjian IN (SELECT id_perjanjian FROM perjanjian_pilihan)
