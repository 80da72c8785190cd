-- Achievement of every indicator row of the chosen agreements: realisation / target,
-- between 0 and 1 (an empty realisation counts 0). A row with no positive target cannot
-- be measured, and a row of a year after the reference date (as_of) is not due yet:
-- neither counts (capaian empty, the reason in tidak_dihitung).
--
-- reads: indikator, perjanjian_pilihan
-- produces: indikator_capaian, one row per indicator row
SELECT
    i.id_perjanjian,
    i.tahun,
    i.indikator,
    i.satuan,
    i.target,
    i.realisasi,
    capaian_indikator(i.tahun, i.target, i.realisasi, year($as_of)) AS capaian,  -- macros.sql
    CASE WHEN coalesce(i.target, 0) <= 0 THEN 'target_kosong'
         WHEN i.tahun > year($as_of) THEN 'tahun_setelah_acuan' END AS tidak_dihitung
FROM indikator i
WHERE i.id_perjanjian IN (SELECT id_perjanjian FROM perjanjian_pilihan)
