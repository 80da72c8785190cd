-- Follow-up activities per agreement, counting only those held on or before the
-- reference date (as_of). An activity is ceremonial when its type is in the configured
-- list (kegiatan.jenis_seremonial); every other one, an empty type included, is
-- substantive.
--
-- tahun_substantif records the calendar years with a substantive activity as bits:
-- bit n is set when there was one in year tahun_pertama + n (one 64-bit number per
-- agreement is much cheaper than one row per agreement and year). tahun_pertama is 50
-- years before as_of; older activities count for that year.
WITH k AS (
    SELECT
        id_perjanjian,
        tanggal,
        coalesce(jenis_kegiatan IN (SELECT unnest($jenis_seremonial)), false) AS seremonial
    FROM kegiatan
    WHERE tanggal <= $as_of
)
SELECT
    id_perjanjian,
    count(*) - sum(CAST(seremonial AS INTEGER)) AS kegiatan_substantif,
    sum(CAST(seremonial AS INTEGER)) AS kegiatan_seremonial,
    max(tanggal) FILTER (WHERE NOT seremonial) AS substantif_terakhir,
    year(max(tanggal)) AS tahun_kegiatan_terakhir,
    bit_or(CAST(1 AS BIGINT) << greatest(year(tanggal) - $tahun_pertama, 0))
        FILTER (WHERE NOT seremonial) AS tahun_substantif
FROM k
GROUP BY id_perjanjian
