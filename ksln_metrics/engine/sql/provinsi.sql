-- One row per province: the province government (code XX) and its kab/kota (XX.YY)
-- together, from the same per-agreement results as the kab/kota figures (kabkota.sql).
-- Every province the view covers is listed, also those without any agreement. The mean
-- score and its components are over the active agreements; the on-time rate is on-time
-- reports / reports due. The rank orders the provinces with a score, highest first; ties
-- share a rank. In a province's own store this is one row, equal to ringkasan.sql.
--
-- reads: perjanjian_skor
-- produces: provinsi, one row per province
WITH daftar AS (
    SELECT DISTINCT split_part(kode, '.', 1) AS provinsi_kode FROM (SELECT unnest($daerah) AS kode)
    UNION
    SELECT DISTINCT split_part(kabkota_kode, '.', 1) FROM perjanjian_skor WHERE kabkota_kode IS NOT NULL
),
unit AS (
    SELECT split_part(kode, '.', 1) AS provinsi_kode, count(*) FILTER (WHERE contains(kode, '.')) AS jumlah_kabkota
    FROM (SELECT DISTINCT unnest($daerah) AS kode)
    GROUP BY ALL
),
per_provinsi AS (
    SELECT
        split_part(kabkota_kode, '.', 1) AS provinsi_kode,
        count(*) AS jumlah_perjanjian,
        count(*) FILTER (WHERE aktif) AS jumlah_aktif,
        count(*) FILTER (WHERE ditandatangani) AS jumlah_ditandatangani,
        count(*) FILTER (WHERE NOT contains(kabkota_kode, '.')) AS jumlah_perjanjian_pemprov,
        count(DISTINCT kabkota_kode) FILTER (WHERE contains(kabkota_kode, '.')) AS jumlah_kabkota_berperjanjian,
        avg(skor ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_rata_rata,
        avg(skor_kepatuhan ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_kepatuhan,
        avg(skor_tindak_lanjut ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_tindak_lanjut,
        avg(skor_capaian ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_capaian,
        avg(skor_pelaporan ORDER BY id_perjanjian) FILTER (WHERE aktif) AS skor_pelaporan,
        sum(laporan_wajib) AS laporan_wajib,
        sum(laporan_tepat_waktu) AS laporan_tepat_waktu
    FROM perjanjian_skor
    WHERE kabkota_kode IS NOT NULL
    GROUP BY ALL
),
hasil AS (
    SELECT
        d.provinsi_kode,
        coalesce(u.jumlah_kabkota, 0) AS jumlah_kabkota,
        coalesce(p.jumlah_kabkota_berperjanjian, 0) AS jumlah_kabkota_berperjanjian,
        coalesce(p.jumlah_perjanjian, 0) AS jumlah_perjanjian,
        coalesce(p.jumlah_perjanjian_pemprov, 0) AS jumlah_perjanjian_pemprov,
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
    FROM daftar d
    LEFT JOIN unit u USING (provinsi_kode)
    LEFT JOIN per_provinsi p USING (provinsi_kode)
)
SELECT
    *,
    CASE WHEN skor_rata_rata IS NOT NULL
         THEN rank() OVER (PARTITION BY skor_rata_rata IS NOT NULL ORDER BY skor_rata_rata DESC) END AS peringkat
FROM hasil
ORDER BY provinsi_kode
