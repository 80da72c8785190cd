"""Tables of the reminders: e-mail addresses of accounts, extra recipients per unit, the notification log.

Kept apart from the batch-versioned data tables (they are working records, not uploaded data);
the store creates them with the rest of the schema and ``ksln_metrics.reminders`` owns their meaning.
"""

REMINDER_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS account_email (
        user_name VARCHAR PRIMARY KEY,
        email VARCHAR NOT NULL,
        changed_at TIMESTAMP NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS unit_recipient (
        kabkota VARCHAR NOT NULL,
        email VARCHAR NOT NULL,
        added_by VARCHAR NOT NULL,
        added_at TIMESTAMP NOT NULL,
        PRIMARY KEY (kabkota, email)
    )""",
    # One row per message attempted (sent or failed); the items it carried are in notification_item.
    """CREATE TABLE IF NOT EXISTS notification (
        notification_id BIGINT PRIMARY KEY,
        created_at TIMESTAMP NOT NULL,
        as_of DATE NOT NULL,
        kabkota VARCHAR NOT NULL,
        recipients VARCHAR NOT NULL,
        subject VARCHAR NOT NULL,
        delivered BOOLEAN NOT NULL,
        error VARCHAR
    )""",
    """CREATE TABLE IF NOT EXISTS notification_item (
        notification_id BIGINT NOT NULL,
        item_key VARCHAR NOT NULL,
        reminder_window VARCHAR NOT NULL,
        description VARCHAR NOT NULL,
        PRIMARY KEY (notification_id, item_key)
    )""",
]
