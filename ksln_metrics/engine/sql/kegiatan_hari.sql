-- Every dated follow-up activity, ceremonial or not (macro kegiatan_seremonial in
-- macros.sql), kept once per data version in date order. Each computation reads only the
-- activities from 1 January of the reference year up to the reference date (as_of): the
-- one year kegiatan_ringkasan.sql cannot give whole (see "cut:").
--
-- reads: kegiatan
-- produces: kegiatan_hari, one row per dated activity
-- stored: data (once per data version and list of ceremonial kinds)
-- cut: tanggal
SELECT id_perjanjian, tanggal, kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial) AS seremonial
FROM kegiatan
WHERE tanggal IS NOT NULL
