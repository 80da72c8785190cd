"""Tables of the follow-up loop (issue 12): actions and their history, rakor meetings, attachments.

Kept apart from the batch-versioned data tables: actions and meetings are working records
with their own history table, attachments are content-addressed files. The store creates
them with the rest of the schema; ``ksln_metrics.followup`` owns their meaning.
"""

FOLLOWUP_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS tindak_lanjut (
        action_id BIGINT PRIMARY KEY,
        kabkota VARCHAR NOT NULL,
        id_perjanjian VARCHAR,
        flag_code VARCHAR,
        description VARCHAR NOT NULL,
        responsible VARCHAR,
        due_date DATE,
        status VARCHAR NOT NULL,
        evidence_note VARCHAR,
        created_at TIMESTAMP NOT NULL,
        created_by VARCHAR NOT NULL,
        changed_at TIMESTAMP NOT NULL,
        closed_at TIMESTAMP
    )""",
    """CREATE TABLE IF NOT EXISTS tindak_lanjut_riwayat (
        action_id BIGINT NOT NULL,
        seq INTEGER NOT NULL,
        changed_at TIMESTAMP NOT NULL,
        user_name VARCHAR NOT NULL,
        status VARCHAR NOT NULL,
        note VARCHAR,
        PRIMARY KEY (action_id, seq)
    )""",
    """CREATE TABLE IF NOT EXISTS rakor (
        rakor_id BIGINT PRIMARY KEY,
        nama VARCHAR NOT NULL,
        tanggal DATE NOT NULL,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS berkas (
        sha256 VARCHAR PRIMARY KEY,
        size_bytes BIGINT NOT NULL,
        mime VARCHAR NOT NULL,
        content BLOB NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS lampiran (
        lampiran_id BIGINT PRIMARY KEY,
        sha256 VARCHAR NOT NULL,
        kabkota VARCHAR NOT NULL,
        id_perjanjian VARCHAR,
        kegiatan_tanggal DATE,
        kegiatan_nama VARCHAR,
        action_id BIGINT,
        kind VARCHAR NOT NULL,
        title VARCHAR NOT NULL,
        doc_date DATE,
        file_name VARCHAR NOT NULL,
        uploaded_by VARCHAR NOT NULL,
        uploaded_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS cerita_sukses (
        story_id BIGINT PRIMARY KEY,
        id_perjanjian VARCHAR NOT NULL,
        kabkota VARCHAR NOT NULL,
        judul VARCHAR NOT NULL,
        capaian VARCHAR NOT NULL,
        penerima VARCHAR,
        angka VARCHAR,
        pelajaran VARCHAR,
        foto VARCHAR,
        terbit BOOLEAN NOT NULL DEFAULT FALSE,
        created_by VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL,
        changed_at TIMESTAMP NOT NULL,
        published_by VARCHAR,
        published_at TIMESTAMP
    )""",
]
