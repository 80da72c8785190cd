-- Data-collection status per unit (DHIS2's "reporting rate", for the data itself): when the
-- unit last uploaded, which of the four tables it sent in the year of as_of, and for every
-- field a flag needs, on how many of the unit's agreements the flag applies to the field is
-- filled. An empty field means the flag cannot be judged with certainty for those rows: a
-- missing DPRD approval date may be a missing approval or a missing cell.
--
-- Parameters: $as_of (reference date), $status_ditandatangani (reference.SIGNED_STATUSES), $filter_kabkota (list of unit codes or NULL),
-- $units (every unit code to report on, so that a unit that never sent anything is listed).
-- One row per (unit, field); the unit's upload facts repeat on each of its rows.
--
-- reads: batch, batch_count, perjanjian
-- produces: status_pengumpulan, one row per (unit, field)
WITH units AS (
    SELECT unnest($units::VARCHAR[]) AS kabkota
),
shown AS (
    SELECT kabkota FROM units
    WHERE $filter_kabkota IS NULL OR list_contains($filter_kabkota, kabkota)
),
-- Batches that still count: uploads and sample loads up to the end of as_of, not rolled back.
-- A batch names the units its rows belong to as "36.02;36.74".
live_batch AS (
    SELECT b.batch_id, b.created_at, unnest(string_split(coalesce(b.kabkota, ''), ';')) AS kabkota
    FROM batch b
    WHERE b.kind <> 'pembatalan' AND b.rolled_back_by IS NULL
      AND CAST(b.created_at AS DATE) <= $as_of
),
last_upload AS (
    SELECT kabkota, max(created_at) AS terakhir_unggah, count(DISTINCT batch_id) AS jumlah_unggahan
    FROM live_batch GROUP BY kabkota
),
-- A table counts as sent this year when a batch of this year carried rows of it (new,
-- changed or unchanged: sending the same rows again is sending them).
sent AS (
    SELECT lb.kabkota,
        bool_or(c.table_name = 'perjanjian') AS kirim_perjanjian,
        bool_or(c.table_name = 'kegiatan') AS kirim_kegiatan,
        bool_or(c.table_name = 'indikator') AS kirim_indikator,
        bool_or(c.table_name = 'laporan') AS kirim_laporan
    FROM live_batch lb
    JOIN batch_count c ON c.batch_id = lb.batch_id
    WHERE year(lb.created_at) = year($as_of)
      AND c.new_rows + c.updated_rows + c.unchanged_rows > 0
    GROUP BY lb.kabkota
),
agreement AS (
    SELECT
        kabkota,
        -- signed as perjanjian_fakta.sql says it: signed by as_of, or a signed status without a date
        coalesce(tanggal_ttd <= $as_of, list_contains($status_ditandatangani, status), FALSE) AS signed,
        tanggal_ttd, tanggal_persetujuan_dprd, tanggal_persetujuan_pusat,
        nullif(trim(coalesce(penandatangan, '')), '') AS penandatangan, negara,
        tanggal_berakhir, masa_berlaku_tahun
    FROM perjanjian
),
-- The fields the flags read, each counted over the agreements its flags apply to.
field AS (
    SELECT kabkota, 'tanggal_ttd' AS kolom, count(*) FILTER (WHERE signed) AS berlaku,
           count(*) FILTER (WHERE signed AND tanggal_ttd IS NOT NULL) AS terisi FROM agreement GROUP BY kabkota
    UNION ALL
    SELECT kabkota, 'tanggal_persetujuan_dprd', count(*) FILTER (WHERE signed),
           count(*) FILTER (WHERE signed AND tanggal_persetujuan_dprd IS NOT NULL) FROM agreement GROUP BY kabkota
    UNION ALL
    SELECT kabkota, 'tanggal_persetujuan_pusat', count(*) FILTER (WHERE signed),
           count(*) FILTER (WHERE signed AND tanggal_persetujuan_pusat IS NOT NULL) FROM agreement GROUP BY kabkota
    UNION ALL
    SELECT kabkota, 'penandatangan', count(*) FILTER (WHERE signed),
           count(*) FILTER (WHERE signed AND penandatangan IS NOT NULL) FROM agreement GROUP BY kabkota
    UNION ALL
    SELECT kabkota, 'tanggal_berakhir', count(*) FILTER (WHERE signed),
           count(*) FILTER (WHERE signed AND (tanggal_berakhir IS NOT NULL OR masa_berlaku_tahun IS NOT NULL))
    FROM agreement GROUP BY kabkota
    UNION ALL
    SELECT kabkota, 'negara', count(*), count(*) FILTER (WHERE negara IS NOT NULL) FROM agreement GROUP BY kabkota
),
fields AS (
    SELECT unnest(['tanggal_ttd', 'tanggal_persetujuan_dprd', 'tanggal_persetujuan_pusat', 'penandatangan',
                   'tanggal_berakhir', 'negara']) AS kolom,
           unnest([1, 2, 3, 4, 5, 6]) AS urutan
)
SELECT
    s.kabkota,
    lu.terakhir_unggah,
    coalesce(lu.jumlah_unggahan, 0) AS jumlah_unggahan,
    coalesce(se.kirim_perjanjian, FALSE) AS kirim_perjanjian,
    coalesce(se.kirim_kegiatan, FALSE) AS kirim_kegiatan,
    coalesce(se.kirim_indikator, FALSE) AS kirim_indikator,
    coalesce(se.kirim_laporan, FALSE) AS kirim_laporan,
    f.kolom,
    coalesce(fd.berlaku, 0) AS berlaku,
    coalesce(fd.terisi, 0) AS terisi,
    coalesce(fd.berlaku, 0) - coalesce(fd.terisi, 0) AS kosong
FROM shown s
CROSS JOIN fields f
LEFT JOIN last_upload lu ON lu.kabkota = s.kabkota
LEFT JOIN sent se ON se.kabkota = s.kabkota
LEFT JOIN field fd ON fd.kabkota = s.kabkota AND fd.kolom = f.kolom
ORDER BY s.kabkota, f.urutan
