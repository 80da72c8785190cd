-- The raised flags with the agreement they belong to, ordered by region, agreement, the
-- order of the flag definitions and year.
SELECT
    b.id_perjanjian,
    a.kabkota AS kabkota_kode,
    a.judul,
    a.status,
    b.code,
    b.reason,
    b.tahun AS year
FROM ind_bendera b
JOIN ind_perjanjian a USING (id_perjanjian)
ORDER BY a.kabkota, b.id_perjanjian, list_position($urutan, b.code), b.tahun
