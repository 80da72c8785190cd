-- The raised flags with the agreement they belong to, ordered by region, agreement, the
-- order of the flag definitions (urutan) and year.
--
-- reads: bendera, perjanjian_fakta
-- produces: bendera_daftar, one row per raised flag
SELECT
    b.id_perjanjian,
    a.kabkota AS kabkota_kode,
    a.judul,
    a.status,
    b.code,
    b.reason,
    b.tahun AS year
FROM bendera b
JOIN perjanjian_fakta a USING (id_perjanjian)
ORDER BY a.kabkota, b.id_perjanjian, list_position($urutan, b.code), b.tahun
