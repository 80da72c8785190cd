-- Agreements per province and flag code, the province government and its kab/kota
-- together (an agreement with several late reports counts once), as kabkota_bendera.sql
-- counts them per unit.
--
-- reads: bendera, perjanjian_skor
-- produces: provinsi_bendera, one row per province and raised flag code
SELECT split_part(h.kabkota_kode, '.', 1) AS provinsi_kode, b.code, count(DISTINCT b.id_perjanjian) AS jumlah
FROM bendera b
JOIN perjanjian_skor h USING (id_perjanjian)
WHERE h.kabkota_kode IS NOT NULL
GROUP BY ALL
