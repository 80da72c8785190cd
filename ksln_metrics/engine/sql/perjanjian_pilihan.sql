-- The agreements the dashboard filters keep (kab/kota, jenis, partner country; one
-- agreement when the detail page asks for it), each with the end of its validity.
--
-- reads: perjanjian
-- produces: perjanjian_pilihan, one row per agreement
-- stored: inline (a filter of perjanjian, read again by each step rather than copied)
SELECT
    id_perjanjian, kabkota, judul, mitra, negara, jenis, bentuk, status, nomor_mou, penandatangan, tanggal_ttd,
    tanggal_surat_kuasa, tanggal_persetujuan_dprd, tanggal_persetujuan_pusat, tanggal_pks, ada_rik, ada_awp,
    akhir_berlaku(tanggal_berakhir, tanggal_ttd, masa_berlaku_tahun) AS berakhir  -- macros.sql
FROM perjanjian
WHERE ($filter_kabkota IS NULL OR list_contains($filter_kabkota, kabkota))
  AND ($filter_jenis IS NULL OR list_contains($filter_jenis, jenis))
  AND ($filter_negara IS NULL OR list_contains($filter_negara, negara))
  AND ($filter_perjanjian IS NULL OR id_perjanjian = $filter_perjanjian)
