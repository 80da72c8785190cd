-- Indonesian formats used in the reasons of flags; they mirror ksln_metrics/formatting.py
-- (format_date_id, and integers with a dot for thousands). A test keeps the two equal.
CREATE OR REPLACE TEMP MACRO tanggal_id(d) AS
    CASE WHEN d IS NULL THEN '' ELSE
        CAST(day(d) AS VARCHAR) || ' ' ||
        ['Januari', 'Februari', 'Maret', 'April', 'Mei', 'Juni', 'Juli', 'Agustus',
         'September', 'Oktober', 'November', 'Desember'][month(d)] || ' ' ||
        CAST(year(d) AS VARCHAR)
    END;
CREATE OR REPLACE TEMP MACRO angka_id(n) AS replace(format('{:,}', n), ',', '.');
