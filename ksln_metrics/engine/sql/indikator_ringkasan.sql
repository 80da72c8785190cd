-- The indicator rows of every agreement summed once per data version (they do not depend
-- on the reference date or the filters): how many rows, and the mean achievement
-- (macro capaian_indikator in macros.sql) of the rows that can be measured (a positive
-- target and a year), with the last year among them. perjanjian_fakta.sql takes an
-- agreement's figures from here when that last year is not after the reference year,
-- i.e. when every such row counts by then (indikator_capaian.sql); the others it counts
-- from their rows.
--
-- reads: indikator
-- produces: indikator_ringkasan, one row per agreement with an indicator row
-- stored: data (once per data version)
SELECT
    id_perjanjian,
    count(*) AS jumlah_indikator,
    -- In order, as perjanjian_fakta.sql averages, so that the sum is the same to the last bit.
    avg(capaian ORDER BY capaian) AS capaian,
    max(tahun) FILTER (WHERE capaian IS NOT NULL) AS tahun_terukur_terakhir
FROM (
    SELECT
        id_perjanjian,
        tahun,
        CASE WHEN tahun IS NOT NULL THEN capaian_indikator(target, realisasi) END AS capaian
    FROM indikator
)
GROUP BY id_perjanjian
