-- The dated follow-up activities of the reference year (tahun_acuan, the year of as_of),
-- ceremonial or not (macro kegiatan_seremonial in macros.sql), kept once per data version
-- and year in date order. Each computation reads only those up to the reference date (see
-- "cut:"): the one year kegiatan_ringkasan.sql cannot give whole.
--
-- reads: kegiatan
-- produces: kegiatan_hari, one row per activity of the reference year
-- stored: data (once per data version, reference year and list of ceremonial kinds)
-- cut: tanggal
SELECT id_perjanjian, tanggal, kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial) AS seremonial
FROM kegiatan
WHERE tanggal >= make_date($tahun_acuan, 1, 1) AND tanggal < make_date($tahun_acuan + 1, 1, 1)
