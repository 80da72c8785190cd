-- The documents and approvals of each chosen agreement as the engine counts them: one row
-- per agreement and document, in the order of the checklist. A dated document counts
-- (ada) when its date is not after the reference date (as_of); keadaan says why not:
--   ada, tidak_tercatat, setelah_acuan (dated after as_of), tidak_diisi (Ya/Tidak left
--   empty), tidak_ada (answered Tidak), bernomor (an MoU number without a signing date).
--
-- reads: perjanjian_pilihan
-- produces: perjanjian_dokumen, one row per agreement and document
WITH dokumen AS (
    SELECT id_perjanjian, 1 AS urutan, 'mou' AS dokumen, tanggal_ttd AS tanggal, NULL::BOOLEAN AS isian, nomor_mou
    FROM perjanjian_pilihan
    UNION ALL SELECT id_perjanjian, 2, 'surat_kuasa', tanggal_surat_kuasa, NULL, NULL FROM perjanjian_pilihan
    UNION ALL SELECT id_perjanjian, 3, 'persetujuan_dprd', tanggal_persetujuan_dprd, NULL, NULL FROM perjanjian_pilihan
    UNION ALL SELECT id_perjanjian, 4, 'persetujuan_pusat', tanggal_persetujuan_pusat, NULL, NULL FROM perjanjian_pilihan
    UNION ALL SELECT id_perjanjian, 5, 'pks', tanggal_pks, NULL, NULL FROM perjanjian_pilihan
    UNION ALL SELECT id_perjanjian, 6, 'rik', NULL, ada_rik, NULL FROM perjanjian_pilihan
    UNION ALL SELECT id_perjanjian, 7, 'awp', NULL, ada_awp, NULL FROM perjanjian_pilihan
)
SELECT
    id_perjanjian,
    urutan,
    dokumen,
    tanggal,
    nullif(trim(nomor_mou), '') AS nomor,
    CASE WHEN urutan >= 6 THEN isian
         WHEN tanggal IS NOT NULL THEN tanggal <= $as_of
         ELSE nullif(trim(nomor_mou), '') IS NOT NULL END AS ada,
    CASE WHEN urutan >= 6 THEN CASE WHEN isian IS NULL THEN 'tidak_diisi' WHEN isian THEN 'ada' ELSE 'tidak_ada' END
         WHEN tanggal > $as_of THEN 'setelah_acuan'
         WHEN tanggal IS NOT NULL THEN 'ada'
         WHEN nullif(trim(nomor_mou), '') IS NOT NULL THEN 'bernomor'
         ELSE 'tidak_tercatat' END AS keadaan
FROM dokumen
ORDER BY id_perjanjian, urutan
