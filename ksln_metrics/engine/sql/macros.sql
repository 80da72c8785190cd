-- Indonesian formats used in the reasons of flags; they mirror ksln_metrics/formatting.py
-- (format_date_id, and integers with a dot for thousands). A test keeps the two equal.
CREATE OR REPLACE TEMP MACRO tanggal_id(d) AS
    CASE WHEN d IS NULL THEN '' ELSE
        -- concat builds the text in one go (a chain of || copies it at every step); d is not
        -- empty here, so no part is.
        concat(day(d), ' ',
               ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
                'September', 'Oktober', 'November', 'Desember'][month(d)], ' ',
               year(d))
    END;
-- Below a thousand there is no separator to write: the number as it is.
CREATE OR REPLACE TEMP MACRO angka_id(n) AS
    CASE WHEN n > -1000 AND n < 1000 THEN CAST(n AS VARCHAR) ELSE replace(format('{:,}', n), ',', '.') END;

-- The one definition of a ceremonial activity: its type is in the configured list
-- (kegiatan.jenis_seremonial, passed as a parameter). Every other activity, an empty type
-- included, is substantive. Used by kegiatan_tahun.sql and kegiatan_sifat.sql.
CREATE OR REPLACE TEMP MACRO kegiatan_seremonial(jenis_kegiatan, jenis_seremonial) AS
    coalesce(list_contains(jenis_seremonial, jenis_kegiatan), false);

-- The one definition of an indicator row's achievement as of a reference year: realisation /
-- target, between 0 and 1 (an empty realisation counts 0); empty without a positive target
-- or for a year after the reference year (not due yet). Used by indikator_capaian.sql and
-- indikator_perjanjian.sql.
CREATE OR REPLACE TEMP MACRO capaian_indikator(tahun, target, realisasi, tahun_acuan) AS
    CASE WHEN target > 0 AND tahun <= tahun_acuan
         THEN greatest(0, least(coalesce(realisasi, 0) / target, 1)) END;

-- The one definition of the end of an agreement's validity: the end date written, else the
-- signing date plus its validity in years (rounded to whole months). Used by
-- perjanjian_pilihan.sql, and by the importer, which stores the end date a validity implies.
CREATE OR REPLACE TEMP MACRO akhir_berlaku(tanggal_berakhir, tanggal_ttd, masa_berlaku_tahun) AS
    coalesce(
        tanggal_berakhir,
        CAST(tanggal_ttd + to_months(CAST(round(masa_berlaku_tahun * 12) AS INTEGER)) AS DATE)
    );

-- The one definition of attention points (perhatian.poin_per_bendera): the points a mean score
-- misses out of 100 (none without a score), and the points for the flags carried. Used by
-- perhatian.sql (kab/kota) and provinsi_perhatian.sql (provinces).
CREATE OR REPLACE TEMP MACRO poin_skor_perhatian(skor) AS coalesce(greatest(100 - skor, 0), 0);
CREATE OR REPLACE TEMP MACRO poin_bendera_perhatian(jumlah_bendera, poin_per_bendera) AS
    poin_per_bendera * coalesce(jumlah_bendera, 0);
