-- Every raised flag: one row per agreement and flag (per fiscal year for the reports),
-- with the sentence that says which dates and numbers raised it. The rules are defined,
-- labelled and documented once in ksln_metrics/engine/rules.py (FLAGS); thresholds come
-- from data/aturan.toml as parameters.
--
-- The sentences of the most frequent flags are built with concat (one copy, where a chain
-- of || copies the text at every step). concat skips an empty part where || would empty the
-- whole sentence, so it is used only where the WHERE of the branch already rules every
-- empty part out (e.g. a late report has both a date received and a deadline).
--
-- reads: perjanjian_fakta, tahun_anggaran, lampiran
-- produces: bendera, one row per agreement, flag code and (report flags) fiscal year
WITH a AS (
    SELECT
        *,
        date_sub('month', tanggal_ttd, $as_of) AS bulan_sejak_ttd,
        -- No follow-up at all: no PKS, no RIK/AWP, no substantive activity.
        NOT ada_pks AND NOT ada_rik_awp AND kegiatan_substantif = 0 AS tanpa_tindak_lanjut,
        CASE WHEN tanggal_ttd IS NULL THEN 'Berstatus ' || status
             ELSE 'Ditandatangani ' || tanggal_id(tanggal_ttd) END AS ttd_teks
    FROM perjanjian_fakta
),
seremonial AS (
    SELECT * FROM a
    WHERE aktif AND tanggal_ttd <= CAST($as_of - to_months($seremonial_bulan) AS DATE) AND tanpa_tindak_lanjut
)
SELECT id_perjanjian, 'ceremonial_only' AS code, NULL::INTEGER AS tahun,
    ttd_teks || ', ' || bulan_sejak_ttd || ' bulan sebelum ' || tanggal_id($as_of)
    || ', tanpa PKS, RIK/AWP, maupun kegiatan substantif; yang tercatat hanya '
    || kegiatan_seremonial || ' kegiatan seremonial.' AS reason
FROM seremonial

UNION ALL
SELECT id_perjanjian, 'stalled', NULL,
    CASE WHEN substantif_terakhir IS NULL
         THEN ttd_teks || ' (' || bulan_sejak_ttd || ' bulan sebelum ' || tanggal_id($as_of)
              || ') dan belum pernah ada kegiatan substantif.'
         ELSE 'Kegiatan substantif terakhir ' || tanggal_id(substantif_terakhir) || ', '
              || date_sub('month', substantif_terakhir, $as_of) || ' bulan sebelum ' || tanggal_id($as_of)
              || '; tidak ada kegiatan substantif sejak '
              || tanggal_id(CAST($as_of - to_months($mangkrak_bulan) AS DATE)) || '.'
    END
FROM a
WHERE aktif
  AND tanggal_ttd <= CAST($as_of - to_months($mangkrak_bulan) AS DATE)
  AND id_perjanjian NOT IN (SELECT id_perjanjian FROM seremonial)
  AND coalesce(substantif_terakhir < CAST($as_of - to_months($mangkrak_bulan) AS DATE), true)

UNION ALL
SELECT id_perjanjian, 'late_report', tahun_anggaran,
    concat('Laporan TA ', tahun_anggaran, ' masuk ', tanggal_id(diterima), ', ',
           CASE WHEN hari_kerja_terlambat > 0 THEN concat(angka_id(hari_kerja_terlambat), ' hari kerja setelah batas ')
                ELSE 'hari libur sesudah batas ' END,
           tanggal_id(batas), '.')
FROM tahun_anggaran
WHERE terlambat

UNION ALL
SELECT id_perjanjian, 'missing_report', tahun_anggaran,
    'Laporan TA ' || tahun_anggaran || ' belum masuk per ' || tanggal_id($as_of) || ', padahal batasnya '
    || tanggal_id(batas) || ' (sudah lewat ' || angka_id(hari_kerja_lewat) || ' hari kerja).'
FROM tahun_anggaran
WHERE belum_masuk

UNION ALL
SELECT id_perjanjian, 'no_dprd_approval', NULL,
    concat(ttd_teks, ', tetapi tanggal persetujuan DPRD tidak tercatat',
           CASE WHEN tanggal_persetujuan_dprd > $as_of
                THEN concat(' sampai ', tanggal_id($as_of), ' (tercatat ', tanggal_id(tanggal_persetujuan_dprd), ')')
                ELSE '' END, '.')
FROM a
WHERE ditandatangani AND NOT ada_persetujuan_dprd

UNION ALL
SELECT id_perjanjian, 'no_central_approval', NULL,
    concat(ttd_teks, ', tetapi tanggal persetujuan Pemerintah Pusat tidak tercatat',
           CASE WHEN tanggal_persetujuan_pusat > $as_of
                THEN concat(' sampai ', tanggal_id($as_of), ' (tercatat ', tanggal_id(tanggal_persetujuan_pusat), ')')
                ELSE '' END, '.')
FROM a
WHERE ditandatangani AND NOT ada_persetujuan_pusat

UNION ALL
SELECT id_perjanjian, 'delegated_signature', NULL,
    CASE WHEN penandatangan_kosong
         THEN concat('Penandatangan ', jenis, ' ini tidak tercatat, padahal harus kepala daerah sendiri.')
         ELSE concat(jenis, ' ini ditandatangani oleh "', trim(penandatangan),
                     '", bukan Gubernur atau Bupati/Wali Kota sendiri.')
    END
FROM a
WHERE ditandatangani AND NOT penandatangan_sah

UNION ALL
SELECT id_perjanjian, 'no_diplomatic_relations', NULL,
    'Negara mitra ' || $nama_negara_tanpa_hubungan[list_position($negara_tanpa_hubungan, negara)]
    || ' (' || negara || ') tidak memiliki hubungan diplomatik dengan Indonesia; status perjanjian: '
    || status || '.'
FROM a
WHERE negara_tanpa_hubungan

UNION ALL
SELECT id_perjanjian, 'expiring_soon', NULL,
    'Masa berlaku berakhir ' || tanggal_id(berakhir) || ', ' || angka_id(berakhir - $as_of)
    || ' hari setelah ' || tanggal_id($as_of) || '.'
FROM a
WHERE aktif AND berakhir <= CAST($as_of + to_months($segera_berakhir_bulan) AS DATE)

UNION ALL
SELECT id_perjanjian, 'expired', NULL,
    concat('Masa berlaku berakhir ', tanggal_id(berakhir), ', tetapi per ', tanggal_id($as_of),
           ' statusnya masih ', status, '.')
FROM a
WHERE list_contains($status_aktif, status) AND berakhir < $as_of

UNION ALL
SELECT id_perjanjian, 'no_indicators', NULL,
    'Perjanjian aktif' || CASE WHEN tanggal_ttd IS NULL THEN '' ELSE ' sejak ' || tanggal_id(tanggal_ttd) END
    || ' tanpa satu pun indikator keberhasilan.'
FROM a
WHERE aktif AND jumlah_indikator = 0

UNION ALL
SELECT id_perjanjian, 'no_signed_document', NULL,
    ttd_teks || ', tetapi naskah MoU/PKS yang ditandatangani belum diarsipkan per ' || tanggal_id($as_of) || '.'
FROM a
WHERE $naskah_wajib AND ditandatangani
  AND id_perjanjian NOT IN (
      SELECT id_perjanjian FROM lampiran
      WHERE id_perjanjian IS NOT NULL AND list_contains($jenis_naskah, kind) AND CAST(uploaded_at AS DATE) <= $as_of)
