-- One row per chosen agreement with every fact the flags and the score need, as of the
-- reference date (as_of): signed, active, which approvals and documents count, the
-- signatory check, its activities, indicators and reports, and the fiscal years it was
-- active in.
--
-- reads: perjanjian_pilihan, kegiatan_tahun, indikator_perjanjian, laporan
-- produces: perjanjian_fakta, one row per agreement
WITH penandatangan AS (
    -- Each distinct signatory title, classified once. The title is lower-cased, stripped
    -- of accents and punctuation and padded with spaces, so that the configured titles
    -- match as whole words ("plt bupati lebak" contains " bupati ").
    SELECT
        penandatangan,
        trim(jabatan) = '' AS penandatangan_kosong,
        len(list_filter($jabatan_kepala_daerah, lambda t: contains(jabatan, ' ' || t || ' '))) > 0
            AS jabatan_kepala,
        len(list_filter($jabatan_bukan_kepala_daerah, lambda t: contains(jabatan, ' ' || t || ' '))) > 0
            AS jabatan_bukan_kepala
    FROM (
        SELECT
            penandatangan,
            ' ' || trim(regexp_replace(lower(strip_accents(coalesce(penandatangan, ''))), '[^0-9a-z]+', ' ', 'g'))
                || ' ' AS jabatan
        FROM (SELECT DISTINCT penandatangan FROM perjanjian_pilihan)
    )
),
kegiatan_total AS (
    SELECT
        id_perjanjian,
        sum(kegiatan_substantif) AS kegiatan_substantif,
        sum(kegiatan_seremonial) AS kegiatan_seremonial,
        max(substantif_terakhir) AS substantif_terakhir,
        year(max(kegiatan_terakhir)) AS tahun_kegiatan_terakhir
    FROM kegiatan_tahun
    GROUP BY id_perjanjian
),
laporan_total AS (
    SELECT id_perjanjian, max(tahun_anggaran) AS tahun_laporan_terakhir
    FROM laporan
    WHERE tanggal_disampaikan <= $as_of
      -- The agreement detail asks for one agreement: its reports alone are read.
      AND ($filter_perjanjian IS NULL OR id_perjanjian = $filter_perjanjian)
    GROUP BY id_perjanjian
),
fakta AS (
    SELECT
        p.*,
        -- Signed by as_of: a signing date on or before as_of, or a signed status without a date.
        coalesce(p.tanggal_ttd <= $as_of, list_contains($status_ditandatangani, p.status)) AS ditandatangani,
        -- Active: an active status, signed by as_of, and not ended before as_of.
        list_contains($status_aktif, p.status)
            AND coalesce(p.tanggal_ttd <= $as_of, true)
            AND coalesce(p.berakhir >= $as_of, true) AS aktif,
        -- A document or approval dated after as_of does not count yet.
        coalesce(p.tanggal_persetujuan_dprd <= $as_of, false) AS ada_persetujuan_dprd,
        coalesce(p.tanggal_persetujuan_pusat <= $as_of, false) AS ada_persetujuan_pusat,
        coalesce(p.tanggal_pks <= $as_of, false) AS ada_pks,
        coalesce(p.ada_rik, false) OR coalesce(p.ada_awp, false) AS ada_rik_awp,
        coalesce(list_contains($jenis_wajib_kepala_daerah, p.jenis), false) AS wajib_kepala_daerah,
        t.penandatangan_kosong,
        t.jabatan_kepala,
        t.jabatan_bukan_kepala,
        coalesce(list_contains($negara_tanpa_hubungan, p.negara), false) AS negara_tanpa_hubungan,
        coalesce(k.kegiatan_substantif, 0) AS kegiatan_substantif,
        coalesce(k.kegiatan_seremonial, 0) AS kegiatan_seremonial,
        k.substantif_terakhir,
        coalesce(i.jumlah_indikator, 0) AS jumlah_indikator,
        coalesce(i.capaian, 0) AS capaian,
        k.tahun_kegiatan_terakhir,
        l.tahun_laporan_terakhir
    FROM perjanjian_pilihan p
    JOIN penandatangan t ON t.penandatangan IS NOT DISTINCT FROM p.penandatangan
    LEFT JOIN kegiatan_total k USING (id_perjanjian)
    LEFT JOIN indikator_perjanjian i USING (id_perjanjian)
    LEFT JOIN laporan_total l USING (id_perjanjian)
)
SELECT
    *,
    NOT wajib_kepala_daerah
        OR CASE WHEN penandatangan_kosong THEN NOT $kosong_dianggap_tidak_sah
                ELSE jabatan_kepala AND NOT jabatan_bukan_kepala END AS penandatangan_sah,
    -- Fiscal years the agreement was active in: signed on or before 31 December Y, not
    -- ended before 1 January Y, status not one of the unsigned ones (usulan, proses,
    -- batal); counted up to the year of as_of. A finished agreement without an end date is
    -- taken to have run until the last year with an activity or a report.
    CASE WHEN tanggal_ttd <= $as_of AND NOT list_contains($status_tanpa_tahun_aktif, status)
         THEN greatest(year(tanggal_ttd), $tahun_pertama) END AS tahun_aktif_pertama,
    CASE WHEN tanggal_ttd <= $as_of AND NOT list_contains($status_tanpa_tahun_aktif, status)
         THEN least(year($as_of), CASE
             WHEN berakhir IS NOT NULL THEN year(berakhir)
             WHEN status = $status_selesai THEN greatest(year(tanggal_ttd), coalesce(tahun_kegiatan_terakhir, 0),
                                                         coalesce(tahun_laporan_terakhir, 0))
             ELSE year($as_of) END) END AS tahun_aktif_terakhir
FROM fakta
