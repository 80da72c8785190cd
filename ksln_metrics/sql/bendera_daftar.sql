-- The raised flags with the agreement they belong to, ordered by region, agreement, the
-- order of the flag definitions and year. Labels and rule texts come from the flag
-- definitions (ksln_metrics/rules.py), passed in the same order as $urutan.
SELECT
    b.id_perjanjian,
    a.kabkota AS kabkota_kode,
    a.judul,
    a.status,
    b.code,
    $label[list_position($urutan, b.code)] AS label,
    b.reason,
    b.tahun AS year,
    $aturan[list_position($urutan, b.code)] AS rule
FROM ind_bendera b
JOIN ind_perjanjian a USING (id_perjanjian)
ORDER BY a.kabkota, b.id_perjanjian, list_position($urutan, b.code), b.tahun
