-- The attention ranking ("Kab/kota yang perlu perhatian"): every kab/kota with attention
-- points, most first. Points = the points its mean score misses out of 100 (none without
-- active agreements) + perhatian.poin_per_bendera for every agreement and flag it carries
-- (an agreement counts once per flag, however many of its reports are late). Units with
-- no points are left out. terendah marks the lowest mean score, only when more than one
-- kab/kota with a score is in view.
--
-- reads: kabkota, kabkota_bendera
-- produces: perhatian, one row per kab/kota that needs attention
WITH bendera_unit AS (
    SELECT kabkota_kode, sum(jumlah) AS jumlah_bendera
    FROM kabkota_bendera
    GROUP BY kabkota_kode
),
unit AS (
    SELECT
        k.kabkota_kode,
        k.skor_rata_rata,
        CAST(coalesce(b.jumlah_bendera, 0) AS BIGINT) AS jumlah_bendera,
        poin_skor_perhatian(k.skor_rata_rata) AS poin_skor,
        poin_bendera_perhatian(b.jumlah_bendera, $poin_per_bendera) AS poin_bendera,
        k.skor_rata_rata IS NOT NULL
            AND count(k.skor_rata_rata) OVER () > 1
            AND k.skor_rata_rata = min(k.skor_rata_rata) OVER () AS terendah
    FROM kabkota k
    LEFT JOIN bendera_unit b USING (kabkota_kode)
    WHERE k.kabkota_kode <> $kode_provinsi AND contains(k.kabkota_kode, '.')
)
SELECT
    row_number() OVER (ORDER BY round(poin_skor + poin_bendera, 2) DESC, kabkota_kode) AS urutan,
    kabkota_kode,
    skor_rata_rata,
    jumlah_bendera,
    round(poin_skor, 2) AS poin_skor,
    round(poin_bendera, 2) AS poin_bendera,
    round(poin_skor + poin_bendera, 2) AS poin,
    terendah
FROM unit
WHERE round(poin_skor + poin_bendera, 2) > 0
ORDER BY urutan
