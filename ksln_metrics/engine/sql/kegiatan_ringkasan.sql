-- The follow-up activities of every agreement per calendar year, summed once per data
-- version (they do not depend on the reference date or the filters): how many were
-- substantive and how many ceremonial (macro kegiatan_seremonial in macros.sql), the last
-- substantive one and the last one. kegiatan_tahun.sql takes the years before the
-- reference year from here; the reference year itself it counts from kegiatan_hari.sql.
--
-- reads: kegiatan
-- produces: kegiatan_ringkasan, one row per agreement and year with a dated activity
-- stored: data (once per data version and list of ceremonial kinds)
SELECT
    id_perjanjian,
    year(tanggal) AS tahun,
    count(*) FILTER (WHERE NOT seremonial) AS kegiatan_substantif,
    count(*) FILTER (WHERE seremonial) AS kegiatan_seremonial,
    max(tanggal) FILTER (WHERE NOT seremonial) AS substantif_terakhir,
    max(tanggal) AS kegiatan_terakhir
FROM (
    SELECT id_perjanjian, tanggal, kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial) AS seremonial
    FROM kegiatan
    WHERE tanggal IS NOT NULL
)
GROUP BY id_perjanjian, year(tanggal)
