-- One row per region: the province (code 36) and every kab/kota, including those without
-- any agreement. The on-time reporting rate is on-time reports / reports due, over all the
-- region's agreements; the mean score is over its active agreements. The rank orders the
-- kab/kota (codes with a dot) by mean score, highest first; ties share a rank. The mean
-- points of each score component over the active agreements add up to the mean score.
--
-- reads: perjanjian_skor
-- produces: kabkota, one row per region
WITH daerah AS (
    SELECT unnest($daerah) AS kabkota_kode
    UNION
    SELECT DISTINCT kabkota_kode FROM perjanjian_skor WHERE kabkota_kode IS NOT NULL
),
per_daerah AS (
    SELECT
        kabkota_kode,
        count(*) AS jumlah_perjanjian,
        count(*) FILTER (WHERE aktif) AS jumlah_aktif,
        count(*) FILTER (WHERE ditandatangani) AS jumlah_ditandatangani,
        avg(skor ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_rata_rata,
        avg(skor_kepatuhan ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_kepatuhan,
        avg(skor_tindak_lanjut ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_tindak_lanjut,
        avg(skor_capaian ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_capaian,
        avg(skor_pelaporan ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_pelaporan,
        sum(laporan_wajib) AS laporan_wajib,
        sum(laporan_tepat_waktu) AS laporan_tepat_waktu
    FROM perjanjian_skor
    GROUP BY kabkota_kode
),
hasil AS (
    SELECT
        d.kabkota_kode,
        coalesce(p.jumlah_perjanjian, 0) AS jumlah_perjanjian,
        coalesce(p.jumlah_aktif, 0) AS jumlah_aktif,
        coalesce(p.jumlah_ditandatangani, 0) AS jumlah_ditandatangani,
        round(p.skor_rata_rata, 2) AS skor_rata_rata,
        round(p.skor_kepatuhan, 2) AS skor_kepatuhan,
        round(p.skor_tindak_lanjut, 2) AS skor_tindak_lanjut,
        round(p.skor_capaian, 2) AS skor_capaian,
        round(p.skor_pelaporan, 2) AS skor_pelaporan,
        coalesce(p.laporan_wajib, 0) AS laporan_wajib,
        coalesce(p.laporan_tepat_waktu, 0) AS laporan_tepat_waktu,
        round(100 * p.laporan_tepat_waktu / nullif(p.laporan_wajib, 0), 2) AS tepat_waktu_persen
    FROM daerah d
    LEFT JOIN per_daerah p USING (kabkota_kode)
)
SELECT
    *,
    CASE WHEN contains(kabkota_kode, '.') AND skor_rata_rata IS NOT NULL
         THEN rank() OVER (PARTITION BY contains(kabkota_kode, '.') AND skor_rata_rata IS NOT NULL
                           ORDER BY skor_rata_rata DESC) END AS peringkat
FROM hasil
ORDER BY kabkota_kode
