-- The headline figures of the whole view (all chosen agreements), as the regions count
-- them: agreements signed by the reference date (as_of) and those that are not, active
-- agreements, their mean score, and reports due and on time.
--
-- reads: perjanjian_skor
-- produces: ringkasan, one row
SELECT
    count(*) AS jumlah_perjanjian,
    count(*) FILTER (WHERE ditandatangani) AS jumlah_ditandatangani,
    count(*) FILTER (WHERE NOT ditandatangani AND tanggal_ttd IS NULL) AS jumlah_belum_ditandatangani,
    count(*) FILTER (WHERE tanggal_ttd > $as_of) AS jumlah_ttd_setelah_acuan,
    count(*) FILTER (WHERE aktif) AS jumlah_aktif,
    round(avg(skor ORDER BY id_perjanjian) FILTER (WHERE aktif), 2) AS skor_rata_rata,
    coalesce(sum(laporan_wajib), 0) AS laporan_wajib,
    coalesce(sum(laporan_tepat_waktu), 0) AS laporan_tepat_waktu,
    round(100 * sum(laporan_tepat_waktu) / nullif(sum(laporan_wajib), 0), 2) AS tepat_waktu_persen
FROM perjanjian_skor
