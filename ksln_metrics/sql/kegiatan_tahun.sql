-- Follow-up activities per agreement and calendar year, counting only those held on or
-- before the reference date (as_of). An activity is ceremonial when its type is in the
-- configured list (kegiatan.jenis_seremonial); every other one, an empty type included,
-- is substantive.
WITH k AS (
    SELECT
        id_perjanjian,
        tanggal,
        coalesce(list_contains($jenis_seremonial, jenis_kegiatan), false) AS seremonial
    FROM kegiatan
    WHERE tanggal <= $as_of
)
SELECT
    id_perjanjian,
    year(tanggal) AS tahun,
    count(*) FILTER (WHERE NOT seremonial) AS substantif,
    count(*) FILTER (WHERE seremonial) AS seremonial,
    max(tanggal) FILTER (WHERE NOT seremonial) AS substantif_terakhir
FROM k
GROUP BY id_perjanjian, year(tanggal)
