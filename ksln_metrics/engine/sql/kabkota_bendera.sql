-- Agreements per region and flag code (an agreement with several late reports counts once).
SELECT h.kabkota_kode, b.code, count(DISTINCT b.id_perjanjian) AS jumlah
FROM ind_bendera b
JOIN ind_hasil h USING (id_perjanjian)
GROUP BY h.kabkota_kode, b.code
