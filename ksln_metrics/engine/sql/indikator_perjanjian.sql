-- The indicator rows of every agreement as of the reference year (tahun_acuan, the year of
-- as_of): how many rows, and the mean achievement of the rows that count by then (macro
-- capaian_indikator in macros.sql, as indikator_capaian.sql shows them row by row). It
-- depends on the data and the reference year only, so it is made once per data version and
-- year; perjanjian_fakta.sql takes its two figures from here.
--
-- reads: indikator
-- produces: indikator_perjanjian, one row per agreement with an indicator row
-- stored: data (once per data version and reference year)
SELECT
    id_perjanjian,
    count(*) AS jumlah_indikator,
    -- In a fixed order: summed in parallel, the last bit of the mean would vary from run to run.
    avg(capaian ORDER BY capaian) AS capaian
FROM (
    SELECT id_perjanjian, capaian_indikator(tahun, target, realisasi, $tahun_acuan) AS capaian
    FROM indikator
)
GROUP BY id_perjanjian
