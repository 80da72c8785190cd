-- The attention ranking of provinces in the national view ("Provinsi yang perlu
-- perhatian"), by the rule of perhatian.sql applied to the province and its kab/kota
-- together: the points its mean score misses out of 100 (none without active agreements)
-- + perhatian.poin_per_bendera for every agreement and flag it carries. Provinces with no
-- points are left out. terendah marks the lowest mean score when more than one province
-- with a score is in view.
--
-- reads: provinsi, provinsi_bendera
-- produces: provinsi_perhatian, one row per province that needs attention
WITH bendera_provinsi AS (
    SELECT provinsi_kode, sum(jumlah) AS jumlah_bendera
    FROM provinsi_bendera
    GROUP BY provinsi_kode
),
unit AS (
    SELECT
        p.provinsi_kode,
        p.skor_rata_rata,
        CAST(coalesce(b.jumlah_bendera, 0) AS BIGINT) AS jumlah_bendera,
        poin_skor_perhatian(p.skor_rata_rata) AS poin_skor,
        poin_bendera_perhatian(b.jumlah_bendera, $poin_per_bendera) AS poin_bendera,
        p.skor_rata_rata IS NOT NULL
            AND count(p.skor_rata_rata) OVER () > 1
            AND p.skor_rata_rata = min(p.skor_rata_rata) OVER () AS terendah
    FROM provinsi p
    LEFT JOIN bendera_provinsi b USING (provinsi_kode)
)
SELECT
    row_number() OVER (ORDER BY round(poin_skor + poin_bendera, 2) DESC, provinsi_kode) AS urutan,
    provinsi_kode,
    skor_rata_rata,
    jumlah_bendera,
    round(poin_skor, 2) AS poin_skor,
    round(poin_bendera, 2) AS poin_bendera,
    round(poin_skor + poin_bendera, 2) AS poin,
    terendah
FROM unit
WHERE round(poin_skor + poin_bendera, 2) > 0
ORDER BY urutan
