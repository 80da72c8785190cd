-- The rank of each kab/kota among the kab/kota of its own province (kabkota.sql ranks
-- every kab/kota in view, which in the national view is all of Indonesia's), by mean
-- score, highest first; ties share a rank; units without a score have none.
--
-- reads: kabkota
-- produces: peringkat_provinsi, one row per kab/kota with a score
SELECT
    kabkota_kode,
    rank() OVER (PARTITION BY split_part(kabkota_kode, '.', 1) ORDER BY skor_rata_rata DESC) AS peringkat_provinsi
FROM kabkota
WHERE contains(kabkota_kode, '.') AND skor_rata_rata IS NOT NULL
