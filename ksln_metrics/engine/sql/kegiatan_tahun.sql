-- The follow-up activities of the chosen agreements per calendar year, counting only those
-- held on or before the reference date (as_of): how many were substantive and how many
-- ceremonial (macro kegiatan_seremonial in macros.sql), the last substantive one and the
-- last one. Activities older than the first year evaluated (tahun_pertama, 50 years before
-- as_of) count for that year.
--
-- reads: kegiatan, perjanjian_pilihan
-- produces: kegiatan_tahun, one row per agreement and year with an activity
WITH k AS (
    SELECT
        id_perjanjian,
        tanggal,
        greatest(year(tanggal), $tahun_pertama) AS tahun,
        kegiatan_seremonial(jenis_kegiatan, $jenis_seremonial) AS seremonial
    FROM kegiatan
    WHERE tanggal <= $as_of
      -- The agreement detail asks for one agreement: its activities alone are counted.
      AND ($filter_perjanjian IS NULL OR id_perjanjian = $filter_perjanjian)
),
per_tahun AS (
    SELECT
        id_perjanjian,
        tahun,
        count(*) FILTER (WHERE NOT seremonial) AS kegiatan_substantif,
        count(*) FILTER (WHERE seremonial) AS kegiatan_seremonial,
        max(tanggal) FILTER (WHERE NOT seremonial) AS substantif_terakhir,
        max(tanggal) AS kegiatan_terakhir
    FROM k
    GROUP BY id_perjanjian, tahun
)
-- The chosen agreements are kept after counting: matching the few rows per agreement and
-- year costs less than matching every activity.
SELECT * FROM per_tahun
WHERE id_perjanjian IN (SELECT id_perjanjian FROM perjanjian_pilihan)
