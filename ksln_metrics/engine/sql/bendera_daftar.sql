-- The raised flags with the agreement they belong to. The engine gives them ordered by
-- region, agreement, the order of the flag definitions (rules.FLAG_CODES) and year (an empty
-- year last): it sorts them in Arrow along with the agreements (indicators._flag_order),
-- since sorting the sentences here again costs twice what building them did.
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
