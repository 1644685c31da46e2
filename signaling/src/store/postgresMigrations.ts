/**
 * The PostgreSQL twins of migrations.ts, one per SQLite migration, with the
 * same ids. What differs: identity columns for AUTOINCREMENT, DOUBLE PRECISION
 * for REAL (PostgreSQL's REAL is 4 bytes), BYTEA for BLOB, `~` regexes for
 * GLOB, a `rowid` identity column where SQLite's implicit rowid gives the
 * listing order, and a plpgsql trigger function for the append-only audit.
 * Timestamps stay ISO-8601 TEXT on both, so rows read back identically.
 */
import { LOUDSPEAKER_MIGRATION } from './loudspeakerMigration.ts';
import { SMS_MIGRATION } from './smsMigration.ts';

export const postgresMigrations: readonly string[] = [
  `
  CREATE FUNCTION beacon_json_valid(value TEXT) RETURNS BOOLEAN LANGUAGE plpgsql IMMUTABLE AS $fn$
  BEGIN
    PERFORM value::jsonb;
    RETURN TRUE;
  EXCEPTION WHEN others THEN
    RETURN FALSE;
  END
  $fn$;

  CREATE TABLE townships (
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY,
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('town', 'township')),
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    approximate INTEGER NOT NULL DEFAULT 1 CHECK (approximate IN (0, 1))
  );

  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'chair', 'duty_officer', 'township', 'service')),
    township_id   TEXT REFERENCES townships (id),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    CHECK (role <> 'township' OR township_id IS NOT NULL)
  );

  CREATE TABLE terminals (
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY,
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships (id),
    kind        TEXT NOT NULL CHECK (kind IN ('video', 'sip_phone')),
    name        TEXT NOT NULL,
    extension   TEXT UNIQUE
  );
  CREATE INDEX terminals_by_township ON terminals (township_id);

  CREATE TABLE rooms (
    rowid      BIGINT GENERATED ALWAYS AS IDENTITY,
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('meeting', 'training', 'emergency')),
    created_at TEXT NOT NULL,
    created_by TEXT REFERENCES users (id)
  );

  CREATE TABLE meetings (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    started_at TEXT NOT NULL,
    ended_at   TEXT
  );
  CREATE UNIQUE INDEX meetings_running ON meetings (room_id) WHERE ended_at IS NULL;

  CREATE TABLE audit (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       TEXT NOT NULL,
    actor_id TEXT,
    action   TEXT NOT NULL,
    target   TEXT,
    detail   TEXT CHECK (detail IS NULL OR beacon_json_valid(detail))
  );
  `,
  // 2 — meeting control: chat, attendance (签到), recordings, per meeting.
  `
  CREATE TABLE chat_messages (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    room_id      TEXT NOT NULL REFERENCES rooms (id),
    meeting_id   BIGINT REFERENCES meetings (id),
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    text         TEXT NOT NULL,
    at           TEXT NOT NULL
  );
  CREATE INDEX chat_by_meeting ON chat_messages (meeting_id, id);
  CREATE INDEX chat_by_room ON chat_messages (room_id, id);
  CREATE TABLE attendance (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id   BIGINT NOT NULL REFERENCES meetings (id),
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    township_id  TEXT,
    joined_at    TEXT NOT NULL,
    left_at      TEXT
  );
  CREATE INDEX attendance_by_meeting ON attendance (meeting_id, joined_at);
  CREATE TABLE recordings (
    id          TEXT PRIMARY KEY,
    room_id     TEXT NOT NULL REFERENCES rooms (id),
    meeting_id  BIGINT REFERENCES meetings (id),
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    duration_ms BIGINT,
    size        BIGINT,
    file        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('recording', 'ready', 'failed'))
  );
  CREATE INDEX recordings_by_room ON recordings (room_id, started_at);
  `,
  // 3 — desk phones (dial numbers, PINs, SIP digest hashes).
  `
  ALTER TABLE rooms ADD COLUMN dial_number TEXT CHECK (dial_number IS NULL OR dial_number ~ '^[0-9]{2,16}$');
  ALTER TABLE rooms ADD COLUMN pin TEXT CHECK (pin IS NULL OR pin ~ '^[0-9]{1,12}$');
  CREATE UNIQUE INDEX rooms_by_dial_number ON rooms (dial_number) WHERE dial_number IS NOT NULL;
  ALTER TABLE terminals ADD COLUMN sip_ha1 TEXT;
  ALTER TABLE terminals ADD COLUMN sip_ha1b TEXT;
  ALTER TABLE terminals ADD COLUMN sip_updated_at TEXT;
  `,
  // 4 — the command room; audit entries become append-only in the database itself.
  `
  CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter    TEXT NOT NULL,
    township_id TEXT REFERENCES townships (id),
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('reported', 'verified', 'responding', 'resolved', 'closed')),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE INDEX incidents_by_created ON incidents (created_at);
  CREATE TABLE incident_timeline (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'status', 'note', 'snapshot', 'warning', 'task', 'meeting')),
    text        TEXT NOT NULL,
    data        TEXT CHECK (data IS NULL OR beacon_json_valid(data)),
    snapshot    BYTEA
  );
  CREATE INDEX timeline_by_incident ON incident_timeline (incident_id, id);
  CREATE TABLE warnings (
    id                 TEXT PRIMARY KEY,
    identifier         TEXT NOT NULL UNIQUE,
    sender             TEXT NOT NULL,
    event              TEXT NOT NULL,
    colour             TEXT NOT NULL CHECK (colour IN ('red', 'orange', 'yellow', 'blue')),
    urgency            TEXT NOT NULL,
    severity           TEXT NOT NULL,
    certainty          TEXT NOT NULL,
    headline           TEXT NOT NULL,
    description        TEXT NOT NULL,
    instruction        TEXT NOT NULL,
    area               TEXT NOT NULL CHECK (beacon_json_valid(area)),
    area_desc          TEXT NOT NULL,
    effective          TEXT NOT NULL,
    expires            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'cancelled')),
    incident_id        TEXT REFERENCES incidents (id),
    affected_townships TEXT NOT NULL CHECK (beacon_json_valid(affected_townships)),
    escalation_minutes DOUBLE PRECISION NOT NULL CHECK (escalation_minutes >= 0),
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    issued_at          TEXT,
    issued_by          TEXT
  );
  CREATE TABLE alert_deliveries (
    rowid            BIGINT GENERATED ALWAYS AS IDENTITY,
    warning_id       TEXT NOT NULL REFERENCES warnings (id),
    township_id      TEXT NOT NULL REFERENCES townships (id),
    delivered_at     TEXT,
    acked_at         TEXT,
    acked_by         TEXT,
    acked_by_name    TEXT,
    channel          TEXT CHECK (channel IS NULL OR channel IN ('terminal', 'phone', 'console')),
    notify_count     INTEGER NOT NULL DEFAULT 1,
    last_notified_at TEXT NOT NULL,
    PRIMARY KEY (warning_id, township_id)
  );
  CREATE INDEX deliveries_pending ON alert_deliveries (township_id) WHERE acked_at IS NULL;
  CREATE TABLE tasks (
    rowid       BIGINT GENERATED ALWAYS AS IDENTITY,
    id          TEXT PRIMARY KEY,
    batch_id    TEXT NOT NULL,
    township_id TEXT NOT NULL REFERENCES townships (id),
    text        TEXT NOT NULL,
    deadline    TEXT NOT NULL,
    incident_id TEXT REFERENCES incidents (id),
    status      TEXT NOT NULL CHECK (status IN ('sent', 'acknowledged', 'done')),
    note        TEXT,
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    acked_at    TEXT,
    done_at     TEXT
  );
  CREATE INDEX tasks_by_township ON tasks (township_id, created_at);
  CREATE INDEX tasks_by_incident ON tasks (incident_id, created_at);
  ALTER TABLE audit ADD COLUMN actor_role TEXT;
  CREATE FUNCTION beacon_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    RAISE EXCEPTION 'audit entries are append-only' USING ERRCODE = 'restrict_violation';
  END
  $fn$;
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION beacon_audit_append_only();
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION beacon_audit_append_only();
  CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION beacon_audit_append_only();
  `,
  // 5 — the organisation: area, departments, villages, township codes/街道, department accounts,
  // terminals owned by a township or a department, `enabled` everywhere history refers to.
  `
  CREATE TABLE area (
    id         TEXT PRIMARY KEY CHECK (id = 'area'),
    name       TEXT NOT NULL,
    code       TEXT NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE departments (
    rowid      BIGINT GENERATED ALWAYS AS IDENTITY,
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    short_name TEXT,
    duty_phone TEXT,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL
  );

  ALTER TABLE townships DROP CONSTRAINT townships_kind_check;
  ALTER TABLE townships ADD CONSTRAINT townships_kind_check CHECK (kind IN ('town', 'township', 'subdistrict'));
  ALTER TABLE townships ADD COLUMN code TEXT;
  ALTER TABLE townships ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
  CREATE UNIQUE INDEX townships_by_code ON townships (code) WHERE code IS NOT NULL;

  CREATE TABLE villages (
    rowid          BIGINT GENERATED ALWAYS AS IDENTITY,
    id             TEXT PRIMARY KEY,
    township_id    TEXT NOT NULL REFERENCES townships (id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('village', 'community')),
    code           TEXT,
    contact_name   TEXT,
    contact_mobile TEXT,
    lat            DOUBLE PRECISION,
    lon            DOUBLE PRECISION,
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at     TEXT NOT NULL,
    UNIQUE (township_id, name)
  );
  CREATE UNIQUE INDEX villages_by_code ON villages (code) WHERE code IS NOT NULL;

  ALTER TABLE users DROP CONSTRAINT users_role_check;
  ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'chair', 'duty_officer', 'township', 'department', 'service'));
  ALTER TABLE users ADD COLUMN phone TEXT;
  ALTER TABLE users ADD COLUMN department_id TEXT REFERENCES departments (id);
  ALTER TABLE users ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
  ALTER TABLE users ADD CONSTRAINT users_department_check CHECK (role <> 'department' OR department_id IS NOT NULL);

  ALTER TABLE terminals DROP CONSTRAINT terminals_kind_check;
  ALTER TABLE terminals ADD CONSTRAINT terminals_kind_check CHECK (kind IN ('video', 'sip_phone', 'sip_video'));
  ALTER TABLE terminals ALTER COLUMN township_id DROP NOT NULL;
  ALTER TABLE terminals ADD COLUMN department_id TEXT REFERENCES departments (id);
  ALTER TABLE terminals ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
  ALTER TABLE terminals ADD CONSTRAINT terminals_one_owner CHECK ((township_id IS NULL) <> (department_id IS NULL));
  CREATE INDEX terminals_by_department ON terminals (department_id);

  ALTER TABLE rooms ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
  `,
  // Safe sign-in: a forced password change, revoking a user's tokens at once, and signed-out tokens.
  `
  ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1));
  ALTER TABLE users ADD COLUMN tokens_valid_after TEXT;
  CREATE TABLE revoked_tokens (
    jti        TEXT PRIMARY KEY,
    expires_at TEXT NOT NULL
  );
  CREATE INDEX revoked_tokens_by_expiry ON revoked_tokens (expires_at);
  `,
  // 7 — real boundaries per township (GeoJSON, area, bounding box); covered shares of warnings and deliveries.
  `
  CREATE TABLE township_boundaries (
    township_id TEXT PRIMARY KEY REFERENCES townships (id),
    geometry    TEXT NOT NULL CHECK (beacon_json_valid(geometry)),
    area_km2    DOUBLE PRECISION NOT NULL CHECK (area_km2 > 0),
    min_lon     DOUBLE PRECISION NOT NULL,
    min_lat     DOUBLE PRECISION NOT NULL,
    max_lon     DOUBLE PRECISION NOT NULL,
    max_lat     DOUBLE PRECISION NOT NULL,
    updated_at  TEXT NOT NULL
  );
  ALTER TABLE warnings ADD COLUMN covered_shares TEXT
    CHECK (covered_shares IS NULL OR beacon_json_valid(covered_shares));
  ALTER TABLE alert_deliveries ADD COLUMN covered_share DOUBLE PRECISION
    CHECK (covered_share IS NULL OR (covered_share >= 0 AND covered_share <= 1));
  `,
  // 8 — duty (值班值守): the roster per day and shift (leader on duty, officers), the duty log, shift handovers.
  `
  CREATE TABLE duty_roster (
    day        TEXT NOT NULL,
    shift      TEXT NOT NULL,
    leader_id  TEXT REFERENCES users (id),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (day, shift)
  );
  CREATE TABLE duty_roster_officers (
    day      TEXT NOT NULL,
    shift    TEXT NOT NULL,
    position INTEGER NOT NULL,
    user_id  TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (day, shift, user_id),
    FOREIGN KEY (day, shift) REFERENCES duty_roster (day, shift) ON DELETE CASCADE
  );

  CREATE TABLE duty_log (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          TEXT NOT NULL,
    -- An account's id, or 'duty-number' for what the duty number writes itself (a call rang, was missed).
    author_id   TEXT NOT NULL,
    author_name TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('general', 'incident', 'call', 'warning', 'handover', 'other')),
    text        TEXT NOT NULL
  );
  CREATE INDEX duty_log_by_at ON duty_log (at);

  CREATE TABLE duty_handovers (
    id                  TEXT PRIMARY KEY,
    status              TEXT NOT NULL CHECK (status IN ('draft', 'handed_over', 'accepted')),
    day                 TEXT,
    shift               TEXT,
    contents            TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    created_by          TEXT NOT NULL REFERENCES users (id),
    created_by_name     TEXT NOT NULL,
    notes               TEXT NOT NULL DEFAULT '',
    handed_over_at      TEXT,
    handed_over_by      TEXT REFERENCES users (id),
    handed_over_by_name TEXT,
    accepted_at         TEXT,
    accepted_by         TEXT REFERENCES users (id),
    accepted_by_name    TEXT,
    accept_note         TEXT NOT NULL DEFAULT ''
  );
  -- At most one handover is open (draft or handed over) at a time: two officers starting one at once get one.
  CREATE UNIQUE INDEX duty_handovers_one_open ON duty_handovers ((1)) WHERE status <> 'accepted';
  CREATE INDEX duty_handovers_by_created ON duty_handovers (created_at);
  `,
  // 9 — room membership (see migrations.ts).
  `
  ALTER TABLE rooms ADD COLUMN members_only INTEGER NOT NULL DEFAULT 0 CHECK (members_only IN (0, 1));
  CREATE TABLE room_members (
    room_id   TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('township', 'department')),
    member_id TEXT NOT NULL,
    PRIMARY KEY (room_id, kind, member_id)
  );
  UPDATE rooms SET members_only = 1
    WHERE id LIKE 'pull-%' OR id IN (SELECT target FROM audit WHERE action = 'meeting.emergency');
  INSERT INTO room_members (room_id, kind, member_id)
    SELECT id, 'township', substr(id, 6) FROM rooms WHERE id LIKE 'pull-%'
    ON CONFLICT DO NOTHING;
  INSERT INTO room_members (room_id, kind, member_id)
    SELECT DISTINCT a.target, 'township', t.value
    FROM audit a CROSS JOIN LATERAL json_array_elements_text(a.detail::json -> 'townshipIds') AS t (value)
    WHERE a.action = 'meeting.emergency' AND a.target IN (SELECT id FROM rooms)
    ON CONFLICT DO NOTHING;
  `,
  // 10 — departments in the command (see migrations.ts): PostgreSQL alters in place what SQLite rebuilds.
  `
  ALTER TABLE tasks ALTER COLUMN township_id DROP NOT NULL;
  ALTER TABLE tasks ADD COLUMN department_id TEXT REFERENCES departments (id);
  ALTER TABLE tasks ADD CONSTRAINT tasks_one_addressee CHECK ((township_id IS NULL) <> (department_id IS NULL));
  CREATE INDEX tasks_by_department ON tasks (department_id, created_at);

  ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_pkey;
  ALTER TABLE alert_deliveries ALTER COLUMN township_id DROP NOT NULL;
  ALTER TABLE alert_deliveries ADD COLUMN department_id TEXT REFERENCES departments (id);
  ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_one_addressee
    CHECK ((township_id IS NULL) <> (department_id IS NULL));
  ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_township UNIQUE (warning_id, township_id);
  ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_department UNIQUE (warning_id, department_id);
  CREATE INDEX deliveries_pending_department ON alert_deliveries (department_id) WHERE acked_at IS NULL;

  ALTER TABLE warnings ADD COLUMN department_ids TEXT NOT NULL DEFAULT '[]' CHECK (beacon_json_valid(department_ids));

  CREATE TABLE incident_departments (
    rowid         BIGINT GENERATED ALWAYS AS IDENTITY,
    incident_id   TEXT NOT NULL REFERENCES incidents (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (incident_id, department_id)
  );
  `,
  // 11 — information reporting (see migrations.ts).
  `
  CREATE TABLE report_chains (
    id               TEXT PRIMARY KEY,
    unit_kind        TEXT NOT NULL CHECK (unit_kind IN ('township', 'department')),
    unit_id          TEXT NOT NULL,
    type             TEXT NOT NULL,
    level            TEXT CHECK (level IN ('I', 'II', 'III', 'IV')),
    title            TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('terminal', 'phone', 'other')),
    caller           TEXT,
    state            TEXT NOT NULL CHECK (state IN ('received', 'verified', 'linked')),
    final            INTEGER NOT NULL DEFAULT 0 CHECK (final IN (0, 1)),
    incident_id      TEXT REFERENCES incidents (id),
    occurred_at      TEXT NOT NULL,
    lat              DOUBLE PRECISION NOT NULL,
    lon              DOUBLE PRECISION NOT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL REFERENCES users (id),
    updated_at       TEXT NOT NULL,
    verified_at      TEXT,
    verified_by_name TEXT,
    next_due_at      TEXT,
    overdue          INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1))
  );
  CREATE INDEX report_chains_by_created ON report_chains (created_at);
  CREATE INDEX report_chains_by_unit ON report_chains (unit_kind, unit_id);
  CREATE INDEX report_chains_due ON report_chains (next_due_at) WHERE final = 0;
  CREATE TABLE report_entries (
    id          TEXT PRIMARY KEY,
    chain_id    TEXT NOT NULL REFERENCES report_chains (id),
    kind        TEXT NOT NULL CHECK (kind IN ('first', 'follow_up', 'final')),
    at          TEXT NOT NULL,
    by_id       TEXT NOT NULL REFERENCES users (id),
    by_name     TEXT NOT NULL,
    occurred_at TEXT NOT NULL,
    lat         DOUBLE PRECISION NOT NULL,
    lon         DOUBLE PRECISION NOT NULL,
    description TEXT NOT NULL,
    deaths      INTEGER NOT NULL DEFAULT 0,
    injured     INTEGER NOT NULL DEFAULT 0,
    missing     INTEGER NOT NULL DEFAULT 0,
    trapped     INTEGER NOT NULL DEFAULT 0,
    affected    INTEGER NOT NULL DEFAULT 0,
    evacuated   INTEGER NOT NULL DEFAULT 0,
    late        INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1))
  );
  CREATE INDEX report_entries_by_chain ON report_entries (chain_id, at);
  CREATE TABLE report_photos (
    id            TEXT PRIMARY KEY,
    uploaded_by   TEXT NOT NULL REFERENCES users (id),
    uploaded_at   TEXT NOT NULL,
    entry_id      TEXT REFERENCES report_entries (id),
    bytes         INTEGER NOT NULL,
    width         INTEGER NOT NULL,
    height        INTEGER NOT NULL,
    exif_lat      DOUBLE PRECISION,
    exif_lon      DOUBLE PRECISION,
    exif_taken_at TEXT
  );
  CREATE INDEX report_photos_by_entry ON report_photos (entry_id);
  CREATE TABLE report_questions (
    id                TEXT PRIMARY KEY,
    chain_id          TEXT NOT NULL REFERENCES report_chains (id),
    asked_at          TEXT NOT NULL,
    asked_by          TEXT NOT NULL REFERENCES users (id),
    asked_by_name     TEXT NOT NULL,
    text              TEXT NOT NULL,
    answered_at       TEXT,
    answered_by       TEXT REFERENCES users (id),
    answered_by_name  TEXT,
    answer            TEXT
  );
  CREATE INDEX report_questions_by_chain ON report_questions (chain_id, asked_at);
  `,
  // 12 — the audit hash chain (see migrations.ts).
  `
  ALTER TABLE audit ADD COLUMN prev_hash TEXT;
  ALTER TABLE audit ADD COLUMN hash TEXT;
  ALTER TABLE audit ADD COLUMN hash_alg TEXT;
  ALTER TABLE audit ADD CONSTRAINT audit_chain_complete
    CHECK (hash_alg IS NULL OR (hash_alg IN ('sm3', 'sha256') AND hash IS NOT NULL AND prev_hash IS NOT NULL));
  `,
  // 13 — emergency plans (see migrations.ts).
  `
  CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    incident_type   TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
    version         INTEGER NOT NULL CHECK (version >= 1),
    title           TEXT NOT NULL,
    content         TEXT NOT NULL CHECK (beacon_json_valid(content)),
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_by_name TEXT NOT NULL,
    UNIQUE (incident_type, level, version)
  );
  CREATE TABLE incident_responses (
    id              TEXT PRIMARY KEY,
    incident_id     TEXT NOT NULL REFERENCES incidents (id),
    plan_id         TEXT NOT NULL REFERENCES plans (id),
    level           TEXT NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
    started_at      TEXT NOT NULL,
    started_by      TEXT NOT NULL REFERENCES users (id),
    started_by_name TEXT NOT NULL,
    ended_at        TEXT,
    tasks_sent_at   TEXT
  );
  CREATE INDEX incident_responses_by_incident ON incident_responses (incident_id, started_at);
  CREATE UNIQUE INDEX incident_responses_running ON incident_responses (incident_id) WHERE ended_at IS NULL;
  CREATE TABLE checklist_items (
    id           TEXT PRIMARY KEY,
    response_id  TEXT NOT NULL REFERENCES incident_responses (id),
    position     INTEGER NOT NULL,
    text         TEXT NOT NULL,
    unit_kind    TEXT NOT NULL CHECK (unit_kind IN ('desk', 'township', 'department')),
    unit_id      TEXT,
    due_at       TEXT NOT NULL,
    done_at      TEXT,
    done_by      TEXT REFERENCES users (id),
    done_by_name TEXT,
    overdue      INTEGER NOT NULL DEFAULT 0 CHECK (overdue IN (0, 1))
  );
  CREATE INDEX checklist_items_by_response ON checklist_items (response_id, position);
  CREATE INDEX checklist_items_by_unit ON checklist_items (unit_kind, unit_id);
  CREATE INDEX checklist_items_due ON checklist_items (due_at) WHERE done_at IS NULL;
  `,
  // 14 — warnings from outside (预警信息接入): CAP feed subscriptions an admin configures, every CAP message
  // received (its original XML and its parsed structure as JSON, one row per sender + identifier, so a
  // message held already is recognised), and where a warning drafted from one came from (warnings.source).
  // A draft from outside may lack an end time or a drawable area until the duty officer supplies them:
  // stored as expires '' and area 'null' (JSON), because SQLite cannot drop NOT NULL without rebuilding
  // warnings, which alert_deliveries refers to; the repository maps both to null.
  `
  CREATE TABLE cap_feeds (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    url            TEXT NOT NULL UNIQUE,
    poll_seconds   INTEGER NOT NULL CHECK (poll_seconds >= 10),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at     TEXT NOT NULL,
    last_polled_at TEXT,
    last_ok_at     TEXT,
    last_error     TEXT
  );
  CREATE TABLE cap_messages (
    id          TEXT PRIMARY KEY,
    sender      TEXT NOT NULL,
    identifier  TEXT NOT NULL,
    sent        TEXT NOT NULL,
    status      TEXT NOT NULL,
    msg_type    TEXT NOT NULL,
    xml         TEXT NOT NULL,
    alert       TEXT NOT NULL CHECK (beacon_json_valid(alert)),
    feed_id     TEXT REFERENCES cap_feeds (id),
    warning_id  TEXT REFERENCES warnings (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('drafted', 'updated', 'withdrawn', 'recorded')),
    received_at TEXT NOT NULL,
    UNIQUE (sender, identifier)
  );
  CREATE INDEX cap_messages_by_warning ON cap_messages (warning_id);
  ALTER TABLE warnings ADD COLUMN source TEXT CHECK (source IS NULL OR beacon_json_valid(source));
  `,
  // 15 — monitoring stations (监测站点): rain gauges, water level and displacement stations with thresholds per
  // colour; readings as a time series keyed by station and measuring time (ms since the epoch: range scans, and the
  // key makes a resent reading a no-op); hourly aggregates kept after raw readings age out; the state per station
  // (the level reached, the warning its thresholds raised, offline) so a restart neither forgets nor repeats a draft.
  `
  CREATE TABLE stations (
    rowid               BIGINT GENERATED ALWAYS AS IDENTITY,
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('rain', 'water_level', 'displacement')),
    lat                 DOUBLE PRECISION NOT NULL,
    lon                 DOUBLE PRECISION NOT NULL,
    township_id         TEXT NOT NULL REFERENCES townships (id),
    owner_township_id   TEXT REFERENCES townships (id),
    owner_department_id TEXT REFERENCES departments (id),
    thresholds          TEXT NOT NULL CHECK (beacon_json_valid(thresholds)),
    warning_level       DOUBLE PRECISION,
    guaranteed_level    DOUBLE PRECISION,
    interval_seconds    INTEGER NOT NULL CHECK (interval_seconds > 0),
    alert_radius_km     DOUBLE PRECISION NOT NULL CHECK (alert_radius_km > 0),
    token_hash          TEXT NOT NULL,
    mqtt_hash           TEXT NOT NULL,
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at          TEXT NOT NULL,
    CHECK ((owner_township_id IS NULL) <> (owner_department_id IS NULL))
  );
  CREATE INDEX stations_by_township ON stations (township_id);
  CREATE TABLE station_readings (
    station_id  TEXT NOT NULL REFERENCES stations (id),
    at_ms       BIGINT NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    received_ms BIGINT NOT NULL,
    skewed      INTEGER NOT NULL DEFAULT 0 CHECK (skewed IN (0, 1)),
    PRIMARY KEY (station_id, at_ms)
  );
  CREATE TABLE station_hourly (
    station_id TEXT NOT NULL REFERENCES stations (id),
    hour_ms    BIGINT NOT NULL,
    count      INTEGER NOT NULL,
    total      DOUBLE PRECISION NOT NULL,
    min_value  DOUBLE PRECISION NOT NULL,
    max_value  DOUBLE PRECISION NOT NULL,
    last_value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (station_id, hour_ms)
  );
  CREATE TABLE station_states (
    station_id     TEXT PRIMARY KEY REFERENCES stations (id),
    level          TEXT CHECK (level IS NULL OR level IN ('red', 'orange', 'yellow', 'blue')),
    warning_id     TEXT REFERENCES warnings (id),
    offline        INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1)),
    last_at_ms     BIGINT,
    last_value     DOUBLE PRECISION,
    last_heard_ms  BIGINT,
    accumulated    TEXT NOT NULL DEFAULT '{}' CHECK (beacon_json_valid(accumulated)),
    changed_at     TEXT NOT NULL
  );
  `,
  // 16 — emergency resources (see migrations.ts).
  `
  CREATE TABLE rescue_teams (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL CHECK (kind IN ('fire_rescue', 'professional', 'medical', 'militia', 'volunteer', 'other')),
    headcount     INTEGER NOT NULL CHECK (headcount >= 0),
    leader_name   TEXT,
    leader_phone  TEXT,
    township_id   TEXT REFERENCES townships (id),
    department_id TEXT REFERENCES departments (id),
    lat           DOUBLE PRECISION NOT NULL,
    lon           DOUBLE PRECISION NOT NULL,
    status        TEXT NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'deployed', 'returned')),
    task_id       TEXT REFERENCES tasks (id),
    incident_id   TEXT REFERENCES incidents (id),
    dispatched_at TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at    TEXT NOT NULL,
    CHECK ((township_id IS NULL) <> (department_id IS NULL)),
    CHECK ((status = 'deployed') = (task_id IS NOT NULL))
  );
  CREATE TABLE team_dispatches (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL REFERENCES rescue_teams (id),
    incident_id   TEXT NOT NULL REFERENCES incidents (id),
    task_id       TEXT NOT NULL REFERENCES tasks (id),
    dispatched_at TEXT NOT NULL,
    dispatched_by TEXT NOT NULL REFERENCES users (id),
    returned_at   TEXT
  );
  CREATE INDEX team_dispatches_by_task ON team_dispatches (task_id);
  CREATE TABLE depots (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    township_id   TEXT REFERENCES townships (id),
    lat           DOUBLE PRECISION NOT NULL,
    lon           DOUBLE PRECISION NOT NULL,
    items         TEXT NOT NULL DEFAULT '[]' CHECK (beacon_json_valid(items)),
    contact_name  TEXT,
    contact_phone TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at    TEXT NOT NULL
  );
  CREATE TABLE shelters (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    township_id   TEXT REFERENCES townships (id),
    address       TEXT,
    lat           DOUBLE PRECISION NOT NULL,
    lon           DOUBLE PRECISION NOT NULL,
    capacity      INTEGER NOT NULL CHECK (capacity >= 0),
    occupancy     INTEGER NOT NULL DEFAULT 0 CHECK (occupancy >= 0),
    contact_name  TEXT,
    contact_phone TEXT,
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at    TEXT NOT NULL
  );
  CREATE TABLE experts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    field      TEXT NOT NULL,
    phone      TEXT NOT NULL UNIQUE,
    unit       TEXT,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL
  );
  `,
  // 17 — meetings on a schedule (see migrations.ts).
  `
  CREATE TABLE bookings (
    id             TEXT PRIMARY KEY,
    series_id      TEXT NOT NULL,
    title          TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('work', 'training', 'emergency_consultation')),
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    room_id        TEXT NOT NULL REFERENCES rooms (id),
    room_created   INTEGER NOT NULL DEFAULT 0 CHECK (room_created IN (0, 1)),
    chair_id       TEXT NOT NULL REFERENCES users (id),
    state          TEXT NOT NULL CHECK (state IN ('scheduled', 'started', 'ended', 'cancelled')),
    record         INTEGER NOT NULL DEFAULT 0 CHECK (record IN (0, 1)),
    dial_phones    INTEGER NOT NULL DEFAULT 0 CHECK (dial_phones IN (0, 1)),
    reminders      TEXT NOT NULL,
    reminders_sent INTEGER NOT NULL DEFAULT 0,
    repeat_until   TEXT,
    cancel_reason  TEXT,
    created_by     TEXT NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    CHECK (ends_at > starts_at)
  );
  CREATE INDEX bookings_by_start ON bookings (starts_at);
  CREATE INDEX bookings_by_series ON bookings (series_id);
  CREATE TABLE booking_invitees (
    booking_id TEXT NOT NULL REFERENCES bookings (id),
    kind       TEXT NOT NULL CHECK (kind IN ('township', 'department', 'user', 'phone')),
    ref_id     TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (booking_id, kind, ref_id)
  );
  CREATE INDEX booking_invitees_by_ref ON booking_invitees (kind, ref_id);
  CREATE TABLE booking_receipts (
    booking_id        TEXT NOT NULL,
    kind              TEXT NOT NULL,
    ref_id            TEXT NOT NULL,
    delivered_at      TEXT,
    confirmed_at      TEXT,
    confirmed_by      TEXT REFERENCES users (id),
    confirmed_by_name TEXT,
    attendees         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (booking_id, kind, ref_id),
    FOREIGN KEY (booking_id, kind, ref_id) REFERENCES booking_invitees (booking_id, kind, ref_id)
  );
  CREATE TABLE booking_materials (
    id          TEXT PRIMARY KEY,
    booking_id  TEXT REFERENCES bookings (id),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TEXT NOT NULL
  );
  CREATE INDEX booking_materials_by_booking ON booking_materials (booking_id);
  `,
  // 18 — warnings by SMS (see migrations.ts and smsMigration.ts): PostgreSQL alters in place what SQLite rebuilds.
  SMS_MIGRATION.postgres,
  // 19 — duplicate reports merged into a main chain (see migrations.ts).
  `
  ALTER TABLE report_chains ADD COLUMN merged_into TEXT REFERENCES report_chains (id);
  ALTER TABLE report_chains ADD COLUMN merged_at TEXT;
  ALTER TABLE report_chains ADD COLUMN merged_by_name TEXT;
  CREATE INDEX report_chains_by_main ON report_chains (merged_into);
  `,
  // 20 — meeting minutes (see migrations.ts).
  `
  CREATE TABLE booking_minutes (
    booking_id TEXT PRIMARY KEY REFERENCES bookings (id),
    decisions  TEXT NOT NULL,
    actions    TEXT NOT NULL,
    text       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    updated_by TEXT NOT NULL REFERENCES users (id),
    updated_at TEXT NOT NULL
  );
  `,
  // 21 — emergency broadcast loudspeakers (see migrations.ts and loudspeakerMigration.ts).
  LOUDSPEAKER_MIGRATION.postgres,
  // 22 — GB/T 28181 cameras (see migrations.ts).
  `
  CREATE TABLE gb_devices (
    id          TEXT PRIMARY KEY CHECK (length(id) = 20),
    name        TEXT NOT NULL,
    township_id TEXT REFERENCES townships(id),
    realm       TEXT NOT NULL,
    ha1         TEXT NOT NULL,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at  TEXT NOT NULL
  );

  CREATE TABLE gb_channels (
    device_id       TEXT NOT NULL REFERENCES gb_devices(id) ON DELETE CASCADE,
    channel_id      TEXT NOT NULL CHECK (length(channel_id) = 20),
    name            TEXT NOT NULL,
    type_code       TEXT NOT NULL,
    manufacturer    TEXT,
    model           TEXT,
    address         TEXT,
    lon             DOUBLE PRECISION,
    lat             DOUBLE PRECISION,
    reported_online INTEGER NOT NULL CHECK (reported_online IN (0, 1)),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (device_id, channel_id)
  );
  CREATE INDEX gb_channels_by_channel ON gb_channels (channel_id);
  `,
  // 23 — finalised minutes files (see migrations.ts).
  `
  CREATE TABLE booking_minutes_files (
    id              TEXT PRIMARY KEY,
    booking_id      TEXT NOT NULL REFERENCES bookings (id),
    version         INTEGER NOT NULL,
    minutes_version INTEGER NOT NULL,
    format          TEXT NOT NULL CHECK (format IN ('docx', 'pdf')),
    name            TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    issued_by       TEXT NOT NULL REFERENCES users (id),
    issued_at       TEXT NOT NULL,
    UNIQUE (booking_id, version, format)
  );
  `,
  // 24 — the links up the chairs want (see migrations.ts).
  `
  CREATE TABLE upstream_links (
    room_id    TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    send_muted INTEGER NOT NULL CHECK (send_muted IN (0, 1)),
    updated_at TEXT NOT NULL
  );
  `,
];
