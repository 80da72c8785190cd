-- Agreements per province and flag code, the province government and its kab/kota
-- together: the sum of kabkota_bendera.sql over the province's units. An agreement belongs
-- to exactly one unit, so the sum counts each agreement once per flag code (an agreement
-- with several late reports counts once), as the units do.
--
-- reads: kabkota_bendera
-- produces: provinsi_bendera, one row per province and raised flag code
SELECT split_part(kabkota_kode, '.', 1) AS provinsi_kode, code, sum(jumlah) AS jumlah
FROM kabkota_bendera
WHERE kabkota_kode IS NOT NULL
GROUP BY ALL
