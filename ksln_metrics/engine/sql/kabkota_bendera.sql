-- Agreements per region and flag code (an agreement with several late reports counts once).
--
-- reads: bendera, perjanjian_skor
-- produces: kabkota_bendera, one row per region and raised flag code
SELECT h.kabkota_kode, b.code, count(DISTINCT b.id_perjanjian) AS jumlah
FROM bendera b
JOIN perjanjian_skor h USING (id_perjanjian)
GROUP BY h.kabkota_kode, b.code
