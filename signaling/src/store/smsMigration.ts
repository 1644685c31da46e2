/**
 * The SMS channel's migration (both dialects), kept in its own module so the
 * migration lists and the runner's list of SQLite rebuilds name the same
 * text wherever it ends up in the order.
 *
 * - sms_recipients: who is texted for a warning (a village's contact, or a
 *   warned unit's own staff with a mobile number), one row per warning and
 *   number, with how far the last text got (SmsState in @beacon/protocol).
 * - alert_deliveries: `sms` (and `loudspeaker`, the next channel) become valid
 *   ack channels, and the desk phone's last alert call is kept per line
 *   (phone_state, answered at) for the board's phone column. SQLite cannot
 *   change a CHECK in place: the table is rebuilt (new table, copy with
 *   rowids, drop, rename) with foreign keys off, as migration 10 did.
 */

const SMS_RECIPIENTS_COLUMNS = `
    warning_id       TEXT NOT NULL REFERENCES warnings (id),
    township_id      TEXT REFERENCES townships (id),
    department_id    TEXT REFERENCES departments (id),
    village_id       TEXT REFERENCES villages (id),
    user_id          TEXT REFERENCES users (id),
    role             TEXT NOT NULL CHECK (role IN ('village', 'staff')),
    name             TEXT NOT NULL,
    mobile           TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('queued', 'submitted', 'delivered', 'failed', 'acked')),
    notify_count     INTEGER NOT NULL DEFAULT 1,
    last_notified_at TEXT NOT NULL,
    attempt          INTEGER NOT NULL DEFAULT 0,
    notify_attempts  INTEGER NOT NULL DEFAULT 0,
    parts            INTEGER NOT NULL DEFAULT 0,
    last_sent_at     TEXT,
    submitted_at     TEXT,
    delivered_at     TEXT,
    failed_at        TEXT,
    failure          TEXT,
    acked_at         TEXT,
    reply            TEXT,
    created_at       TEXT NOT NULL,
    CHECK ((township_id IS NULL) <> (department_id IS NULL)),
    UNIQUE (warning_id, mobile)
  );
  CREATE INDEX sms_recipients_by_warning ON sms_recipients (warning_id);
  CREATE INDEX sms_recipients_unacked_by_mobile ON sms_recipients (mobile) WHERE acked_at IS NULL;
`;

const CHANNELS = "('terminal', 'phone', 'console', 'sms', 'loudspeaker')";

export const SMS_MIGRATION = {
  sqlite: `
  CREATE TABLE alert_deliveries_sms (
    warning_id        TEXT NOT NULL REFERENCES warnings (id),
    township_id       TEXT REFERENCES townships (id),
    delivered_at      TEXT,
    acked_at          TEXT,
    acked_by          TEXT,
    acked_by_name     TEXT,
    channel           TEXT CHECK (channel IS NULL OR channel IN ${CHANNELS}),
    notify_count      INTEGER NOT NULL DEFAULT 1,
    last_notified_at  TEXT NOT NULL,
    covered_share     REAL CHECK (covered_share IS NULL OR (covered_share >= 0 AND covered_share <= 1)),
    department_id     TEXT REFERENCES departments (id),
    phone_state       TEXT,
    phone_state_at    TEXT,
    phone_answered_at TEXT,
    CHECK ((township_id IS NULL) <> (department_id IS NULL)),
    UNIQUE (warning_id, township_id),
    UNIQUE (warning_id, department_id)
  );
  INSERT INTO alert_deliveries_sms (rowid, warning_id, township_id, delivered_at, acked_at, acked_by, acked_by_name,
      channel, notify_count, last_notified_at, covered_share, department_id)
    SELECT rowid, warning_id, township_id, delivered_at, acked_at, acked_by, acked_by_name,
      channel, notify_count, last_notified_at, covered_share, department_id FROM alert_deliveries;
  DROP TABLE alert_deliveries;
  ALTER TABLE alert_deliveries_sms RENAME TO alert_deliveries;
  CREATE INDEX deliveries_pending ON alert_deliveries (township_id) WHERE acked_at IS NULL;
  CREATE INDEX deliveries_pending_department ON alert_deliveries (department_id) WHERE acked_at IS NULL;

  CREATE TABLE sms_recipients (
    id               TEXT PRIMARY KEY,${SMS_RECIPIENTS_COLUMNS}`,
  postgres: `
  ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_channel_check;
  ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_channel_check
    CHECK (channel IS NULL OR channel IN ${CHANNELS});
  ALTER TABLE alert_deliveries ADD COLUMN phone_state TEXT;
  ALTER TABLE alert_deliveries ADD COLUMN phone_state_at TEXT;
  ALTER TABLE alert_deliveries ADD COLUMN phone_answered_at TEXT;

  CREATE TABLE sms_recipients (
    rowid            BIGINT GENERATED ALWAYS AS IDENTITY,
    id               TEXT PRIMARY KEY,${SMS_RECIPIENTS_COLUMNS}`,
} as const;
