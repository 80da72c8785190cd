-- The follow-up activities of the chosen agreements per calendar year, counting only those
-- held on or before the reference date (as_of): how many were substantive and how many
-- ceremonial (macro kegiatan_seremonial in macros.sql), the last substantive one and the
-- last one. Activities older than the first year evaluated (tahun_pertama, 50 years before
-- as_of) count for that year.
--
-- A year before the reference year is over by as_of: its sums are kegiatan_ringkasan's,
-- kept per data version. The reference year is counted here from its activities up to
-- as_of (kegiatan_hari, cut to that year); a later year has nothing held by as_of.
--
-- reads: kegiatan_ringkasan, kegiatan_hari, perjanjian_pilihan
-- produces: kegiatan_tahun, one row per agreement and year with an activity
WITH per_tahun AS (
    SELECT id_perjanjian, tahun, kegiatan_substantif, kegiatan_seremonial, substantif_terakhir, kegiatan_terakhir
    FROM kegiatan_ringkasan
    WHERE tahun > $tahun_pertama AND tahun < year($as_of)

    UNION ALL
    -- Years up to the first one evaluated count as that year.
    SELECT
        id_perjanjian,
        CAST($tahun_pertama AS BIGINT),
        CAST(sum(kegiatan_substantif) AS BIGINT),
        CAST(sum(kegiatan_seremonial) AS BIGINT),
        max(substantif_terakhir),
        max(kegiatan_terakhir)
    FROM kegiatan_ringkasan
    WHERE tahun <= $tahun_pertama
    GROUP BY id_perjanjian

    UNION ALL
    -- The reference year, up to as_of.
    SELECT
        id_perjanjian,
        year($as_of),
        count(*) FILTER (WHERE NOT seremonial),
        count(*) FILTER (WHERE seremonial),
        max(tanggal) FILTER (WHERE NOT seremonial),
        max(tanggal)
    FROM kegiatan_hari
    GROUP BY id_perjanjian
)
-- The chosen agreements are kept after counting: matching the few rows per agreement and
-- year costs less than matching every activity.
SELECT * FROM per_tahun
-- The agreement detail asks for one agreement: its activities alone are counted.
WHERE ($filter_perjanjian IS NULL OR id_perjanjian = $filter_perjanjian)
  AND id_perjanjian IN (SELECT id_perjanjian FROM perjanjian_pilihan)
