/**
 * Schema migrations: an ordered, append-only list. Migration `i` has id `i + 1`
 * and is recorded in `schema_migrations`; reopening a store applies only the
 * new ones. Never edit a shipped migration — add another, to both dialects:
 * the SQLite text here and its PostgreSQL twin in postgresMigrations.ts.
 * schema.test.ts migrates both and compares them column by column.
 */
import { LOUDSPEAKER_MIGRATION } from './loudspeakerMigration.ts';
import { postgresMigrations } from './postgresMigrations.ts';
import { SMS_MIGRATION } from './smsMigration.ts';
import type { SqlQueries } from './sqlDb.ts';

/** One SQL text for both dialects, or one per dialect. */
export type Migration = string | { sqlite: string; postgres: string };

const sqliteMigrations: readonly string[] = [
  `
  CREATE TABLE townships (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('town', 'township')),
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
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
    id          TEXT PRIMARY KEY,
    township_id TEXT NOT NULL REFERENCES townships (id),
    kind        TEXT NOT NULL CHECK (kind IN ('video', 'sip_phone')),
    name        TEXT NOT NULL,
    extension   TEXT UNIQUE
  );
  CREATE INDEX terminals_by_township ON terminals (township_id);

  CREATE TABLE rooms (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('meeting', 'training', 'emergency')),
    created_at TEXT NOT NULL,
    created_by TEXT REFERENCES users (id)
  );

  CREATE TABLE meetings (
    id         INTEGER PRIMARY KEY,
    room_id    TEXT NOT NULL REFERENCES rooms (id),
    started_at TEXT NOT NULL,
    ended_at   TEXT
  );
  CREATE UNIQUE INDEX meetings_running ON meetings (room_id) WHERE ended_at IS NULL;

  CREATE TABLE audit (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    at       TEXT NOT NULL,
    actor_id TEXT,
    action   TEXT NOT NULL,
    target   TEXT,
    detail   TEXT CHECK (detail IS NULL OR json_valid(detail))
  );
  `,
  // 2 — meeting control: chat, attendance (签到), recordings, per meeting.
  `
  CREATE TABLE chat_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    room_id      TEXT NOT NULL REFERENCES rooms (id),
    meeting_id   INTEGER REFERENCES meetings (id),
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    text         TEXT NOT NULL,
    at           TEXT NOT NULL
  );
  CREATE INDEX chat_by_meeting ON chat_messages (meeting_id, id);
  CREATE INDEX chat_by_room ON chat_messages (room_id, id);
  CREATE TABLE attendance (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id   INTEGER NOT NULL REFERENCES meetings (id),
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
    meeting_id  INTEGER REFERENCES meetings (id),
    started_at  TEXT NOT NULL,
    ended_at    TEXT,
    duration_ms INTEGER,
    size        INTEGER,
    file        TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('recording', 'ready', 'failed'))
  );
  CREATE INDEX recordings_by_room ON recordings (room_id, started_at);
  `,
  // 3 — desk phones. Rooms get a number to dial and an optional PIN;
  // SIP phones get digest hashes (Kamailio's subscriber table is built from them).
  // Numbers of rooms that exist already are filled in by sipSetup.ts.
  `
  ALTER TABLE rooms ADD COLUMN dial_number TEXT
    CHECK (dial_number IS NULL OR (dial_number NOT GLOB '*[^0-9]*' AND length(dial_number) BETWEEN 2 AND 16));
  ALTER TABLE rooms ADD COLUMN pin TEXT
    CHECK (pin IS NULL OR (pin NOT GLOB '*[^0-9]*' AND length(pin) BETWEEN 1 AND 12));
  CREATE UNIQUE INDEX rooms_by_dial_number ON rooms (dial_number) WHERE dial_number IS NOT NULL;
  ALTER TABLE terminals ADD COLUMN sip_ha1 TEXT;
  ALTER TABLE terminals ADD COLUMN sip_ha1b TEXT;
  ALTER TABLE terminals ADD COLUMN sip_updated_at TEXT;
  `,
  // 4 — the command room. Incidents with their timeline (snapshots inline: a few
  // hundred KB each, few per incident), CAP warnings, one delivery row per warned township
  // (its ack board line), dispatch tasks; audit entries become append-only in the database itself.
  `
  CREATE TABLE incidents (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    level       TEXT NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    reporter    TEXT NOT NULL,
    township_id TEXT REFERENCES townships (id),
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('reported', 'verified', 'responding', 'resolved', 'closed')),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE INDEX incidents_by_created ON incidents (created_at);
  CREATE TABLE incident_timeline (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('created', 'status', 'note', 'snapshot', 'warning', 'task', 'meeting')),
    text        TEXT NOT NULL,
    data        TEXT CHECK (data IS NULL OR json_valid(data)),
    snapshot    BLOB
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
    area               TEXT NOT NULL CHECK (json_valid(area)),
    area_desc          TEXT NOT NULL,
    effective          TEXT NOT NULL,
    expires            TEXT NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('draft', 'issued', 'cancelled')),
    incident_id        TEXT REFERENCES incidents (id),
    affected_townships TEXT NOT NULL CHECK (json_valid(affected_townships)),
    escalation_minutes REAL NOT NULL CHECK (escalation_minutes >= 0),
    created_at         TEXT NOT NULL,
    created_by         TEXT NOT NULL,
    issued_at          TEXT,
    issued_by          TEXT
  );
  CREATE TABLE alert_deliveries (
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
  CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
  CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
  `,
  // 5 — the organisation, administered in the product: the deployment's area, township codes and
  // 街道, villages/communities with contacts, departments, department accounts, terminals owned by a
  // township or a department, and `enabled` on everything history refers to (disabled, never deleted).
  // SQLite cannot change a CHECK or a NOT NULL: users, terminals and townships are rebuilt (the
  // documented rebuild: new table, copy with rowids, drop, rename) with foreign keys off (REBUILDS).
  `
  CREATE TABLE area (
    id         TEXT PRIMARY KEY CHECK (id = 'area'),
    name       TEXT NOT NULL,
    code       TEXT NOT NULL,
    lat        REAL NOT NULL,
    lon        REAL NOT NULL,
    updated_at TEXT NOT NULL
  );

  CREATE TABLE departments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    short_name TEXT,
    duty_phone TEXT,
    enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at TEXT NOT NULL
  );

  CREATE TABLE townships_v5 (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('town', 'township', 'subdistrict')),
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
    approximate INTEGER NOT NULL DEFAULT 1 CHECK (approximate IN (0, 1)),
    code        TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1))
  );
  INSERT INTO townships_v5 (rowid, id, name, name_en, kind, lat, lon, approximate)
    SELECT rowid, id, name, name_en, kind, lat, lon, approximate FROM townships;
  DROP TABLE townships;
  ALTER TABLE townships_v5 RENAME TO townships;
  CREATE UNIQUE INDEX townships_by_code ON townships (code) WHERE code IS NOT NULL;

  CREATE TABLE villages (
    id             TEXT PRIMARY KEY,
    township_id    TEXT NOT NULL REFERENCES townships (id),
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('village', 'community')),
    code           TEXT,
    contact_name   TEXT,
    contact_mobile TEXT,
    lat            REAL,
    lon            REAL,
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at     TEXT NOT NULL,
    UNIQUE (township_id, name)
  );
  CREATE UNIQUE INDEX villages_by_code ON villages (code) WHERE code IS NOT NULL;

  CREATE TABLE users_v5 (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL
      CHECK (role IN ('admin', 'chair', 'duty_officer', 'township', 'department', 'service')),
    township_id   TEXT REFERENCES townships (id),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    phone         TEXT,
    department_id TEXT REFERENCES departments (id),
    enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    CHECK (role <> 'township' OR township_id IS NOT NULL),
    CHECK (role <> 'department' OR department_id IS NOT NULL)
  );
  INSERT INTO users_v5 (id, username, display_name, role, township_id, password_hash, created_at)
    SELECT id, username, display_name, role, township_id, password_hash, created_at FROM users;
  DROP TABLE users;
  ALTER TABLE users_v5 RENAME TO users;

  CREATE TABLE terminals_v5 (
    id             TEXT PRIMARY KEY,
    township_id    TEXT REFERENCES townships (id),
    kind           TEXT NOT NULL CHECK (kind IN ('video', 'sip_phone', 'sip_video')),
    name           TEXT NOT NULL,
    extension      TEXT UNIQUE,
    sip_ha1        TEXT,
    sip_ha1b       TEXT,
    sip_updated_at TEXT,
    department_id  TEXT REFERENCES departments (id),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    CHECK ((township_id IS NULL) <> (department_id IS NULL))
  );
  INSERT INTO terminals_v5 (rowid, id, township_id, kind, name, extension, sip_ha1, sip_ha1b, sip_updated_at)
    SELECT rowid, id, township_id, kind, name, extension, sip_ha1, sip_ha1b, sip_updated_at FROM terminals;
  DROP TABLE terminals;
  ALTER TABLE terminals_v5 RENAME TO terminals;
  CREATE INDEX terminals_by_township ON terminals (township_id);
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
  // 7 — real boundaries: one imported GeoJSON geometry per township ([lon, lat], RFC 7946) with its
  // geodesic area and bounding box (a cheap first test before clipping), and the share of each warned
  // township's boundary a warning covers, kept with the warning (drafts) and its delivery rows (the board).
  `
  CREATE TABLE township_boundaries (
    township_id TEXT PRIMARY KEY REFERENCES townships (id),
    geometry    TEXT NOT NULL CHECK (json_valid(geometry)),
    area_km2    REAL NOT NULL CHECK (area_km2 > 0),
    min_lon     REAL NOT NULL,
    min_lat     REAL NOT NULL,
    max_lon     REAL NOT NULL,
    max_lat     REAL NOT NULL,
    updated_at  TEXT NOT NULL
  );
  ALTER TABLE warnings ADD COLUMN covered_shares TEXT CHECK (covered_shares IS NULL OR json_valid(covered_shares));
  ALTER TABLE alert_deliveries ADD COLUMN covered_share REAL
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
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
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
  // 9 — room membership: a members-only room admits staff and its members only. Pull rooms admit their township,
  // emergency meetings the invited townships/departments; other rooms stay open. Existing pull rooms get their
  // township; emergency meetings the townships their creation's audit entry invited.
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
    SELECT DISTINCT a.target, 'township', j.value FROM audit a, json_each(a.detail, '$.townshipIds') j
    WHERE a.action = 'meeting.emergency' AND a.target IN (SELECT id FROM rooms)
    ON CONFLICT DO NOTHING;
  `,
  // 10 — departments in the command (部门联动): a task goes to a township or a department (exactly one, like a
  // terminal's owner); a warning is delivered to the townships its area reaches and to departments chosen by hand
  // (warnings.department_ids), each with its line on the ack board; an incident involves departments. tasks and
  // alert_deliveries are rebuilt (township_id loses NOT NULL; a delivery's key becomes one unique pair per kind).
  `
  CREATE TABLE tasks_v10 (
    id            TEXT PRIMARY KEY,
    batch_id      TEXT NOT NULL,
    township_id   TEXT REFERENCES townships (id),
    text          TEXT NOT NULL,
    deadline      TEXT NOT NULL,
    incident_id   TEXT REFERENCES incidents (id),
    status        TEXT NOT NULL CHECK (status IN ('sent', 'acknowledged', 'done')),
    note          TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    acked_at      TEXT,
    done_at       TEXT,
    department_id TEXT REFERENCES departments (id),
    CHECK ((township_id IS NULL) <> (department_id IS NULL))
  );
  INSERT INTO tasks_v10 (rowid, id, batch_id, township_id, text, deadline, incident_id, status, note, created_at,
      created_by, acked_at, done_at)
    SELECT rowid, id, batch_id, township_id, text, deadline, incident_id, status, note, created_at,
      created_by, acked_at, done_at FROM tasks;
  DROP TABLE tasks;
  ALTER TABLE tasks_v10 RENAME TO tasks;
  CREATE INDEX tasks_by_township ON tasks (township_id, created_at);
  CREATE INDEX tasks_by_incident ON tasks (incident_id, created_at);
  CREATE INDEX tasks_by_department ON tasks (department_id, created_at);

  CREATE TABLE alert_deliveries_v10 (
    warning_id       TEXT NOT NULL REFERENCES warnings (id),
    township_id      TEXT REFERENCES townships (id),
    delivered_at     TEXT,
    acked_at         TEXT,
    acked_by         TEXT,
    acked_by_name    TEXT,
    channel          TEXT CHECK (channel IS NULL OR channel IN ('terminal', 'phone', 'console')),
    notify_count     INTEGER NOT NULL DEFAULT 1,
    last_notified_at TEXT NOT NULL,
    covered_share    REAL CHECK (covered_share IS NULL OR (covered_share >= 0 AND covered_share <= 1)),
    department_id    TEXT REFERENCES departments (id),
    CHECK ((township_id IS NULL) <> (department_id IS NULL)),
    UNIQUE (warning_id, township_id),
    UNIQUE (warning_id, department_id)
  );
  INSERT INTO alert_deliveries_v10 (rowid, warning_id, township_id, delivered_at, acked_at, acked_by, acked_by_name,
      channel, notify_count, last_notified_at, covered_share)
    SELECT rowid, warning_id, township_id, delivered_at, acked_at, acked_by, acked_by_name,
      channel, notify_count, last_notified_at, covered_share FROM alert_deliveries;
  DROP TABLE alert_deliveries;
  ALTER TABLE alert_deliveries_v10 RENAME TO alert_deliveries;
  CREATE INDEX deliveries_pending ON alert_deliveries (township_id) WHERE acked_at IS NULL;
  CREATE INDEX deliveries_pending_department ON alert_deliveries (department_id) WHERE acked_at IS NULL;

  ALTER TABLE warnings ADD COLUMN department_ids TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(department_ids));

  CREATE TABLE incident_departments (
    incident_id   TEXT NOT NULL REFERENCES incidents (id),
    department_id TEXT NOT NULL REFERENCES departments (id),
    PRIMARY KEY (incident_id, department_id)
  );
  `,
  // 11 — information reporting (信息报送): report chains (首报 → 续报 → 终报) from townships and departments, their
  // entries, photos (files under <dataDir>/reports; a row with no entry is uploaded but not yet part of a report) and the
  // duty desk's questions with the unit's answers. A chain's next deadline is stored so the ticker finds overdue ones
  // with one indexed query.
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
    lat              REAL NOT NULL,
    lon              REAL NOT NULL,
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
    lat         REAL NOT NULL,
    lon         REAL NOT NULL,
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
    exif_lat      REAL,
    exif_lon      REAL,
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
  // 12 — a tamper-evident audit: each row chained to the one before by its hash (audit/auditChain.ts). Rows written
  // before keep no hashes; the first chained row's prev_hash seals them (see the genesis there). Still append-only.
  `
  ALTER TABLE audit ADD COLUMN prev_hash TEXT;
  ALTER TABLE audit ADD COLUMN hash TEXT;
  ALTER TABLE audit ADD COLUMN hash_alg TEXT
    CHECK (hash_alg IS NULL OR (hash_alg IN ('sm3', 'sha256') AND hash IS NOT NULL AND prev_hash IS NOT NULL));
  `,
  // 13 — emergency plans (应急预案): versions per incident type and level (content: steps, warning and task
  // templates, meeting invitees as JSON; a version is never changed), the responses started on incidents with
  // the version they used (one running per incident), and their checklists.
  `
  CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    incident_type   TEXT NOT NULL,
    level           TEXT NOT NULL CHECK (level IN ('I', 'II', 'III', 'IV')),
    version         INTEGER NOT NULL CHECK (version >= 1),
    title           TEXT NOT NULL,
    content         TEXT NOT NULL CHECK (json_valid(content)),
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
    alert       TEXT NOT NULL CHECK (json_valid(alert)),
    feed_id     TEXT REFERENCES cap_feeds (id),
    warning_id  TEXT REFERENCES warnings (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('drafted', 'updated', 'withdrawn', 'recorded')),
    received_at TEXT NOT NULL,
    UNIQUE (sender, identifier)
  );
  CREATE INDEX cap_messages_by_warning ON cap_messages (warning_id);
  ALTER TABLE warnings ADD COLUMN source TEXT CHECK (source IS NULL OR json_valid(source));
  `,
  // 15 — monitoring stations (监测站点): rain gauges, water level and displacement stations with thresholds per
  // colour; readings as a time series keyed by station and measuring time (ms since the epoch: range scans, and the
  // key makes a resent reading a no-op); hourly aggregates kept after raw readings age out; the state per station
  // (the level reached, the warning its thresholds raised, offline) so a restart neither forgets nor repeats a draft.
  `
  CREATE TABLE stations (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('rain', 'water_level', 'displacement')),
    lat                 REAL NOT NULL,
    lon                 REAL NOT NULL,
    township_id         TEXT NOT NULL REFERENCES townships (id),
    owner_township_id   TEXT REFERENCES townships (id),
    owner_department_id TEXT REFERENCES departments (id),
    thresholds          TEXT NOT NULL CHECK (json_valid(thresholds)),
    warning_level       REAL,
    guaranteed_level    REAL,
    interval_seconds    INTEGER NOT NULL CHECK (interval_seconds > 0),
    alert_radius_km     REAL NOT NULL CHECK (alert_radius_km > 0),
    token_hash          TEXT NOT NULL,
    mqtt_hash           TEXT NOT NULL,
    enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    created_at          TEXT NOT NULL,
    CHECK ((owner_township_id IS NULL) <> (owner_department_id IS NULL))
  );
  CREATE INDEX stations_by_township ON stations (township_id);
  CREATE TABLE station_readings (
    station_id  TEXT NOT NULL REFERENCES stations (id),
    at_ms       INTEGER NOT NULL,
    value       REAL NOT NULL,
    received_ms INTEGER NOT NULL,
    skewed      INTEGER NOT NULL DEFAULT 0 CHECK (skewed IN (0, 1)),
    PRIMARY KEY (station_id, at_ms)
  );
  CREATE TABLE station_hourly (
    station_id TEXT NOT NULL REFERENCES stations (id),
    hour_ms    INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    total      REAL NOT NULL,
    min_value  REAL NOT NULL,
    max_value  REAL NOT NULL,
    last_value REAL NOT NULL,
    PRIMARY KEY (station_id, hour_ms)
  );
  CREATE TABLE station_states (
    station_id     TEXT PRIMARY KEY REFERENCES stations (id),
    level          TEXT CHECK (level IS NULL OR level IN ('red', 'orange', 'yellow', 'blue')),
    warning_id     TEXT REFERENCES warnings (id),
    offline        INTEGER NOT NULL DEFAULT 0 CHECK (offline IN (0, 1)),
    last_at_ms     INTEGER,
    last_value     REAL,
    last_heard_ms  INTEGER,
    accumulated    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(accumulated)),
    changed_at     TEXT NOT NULL
  );
  `,
  // 16 — emergency resources (应急资源): rescue teams with their unit (a dispatch is a task to it), status and
  // current dispatch (task and incident, set exactly while deployed), every dispatch kept for history; depots with their items (JSON: read and written
  // with the depot as a whole), shelters with capacity and occupancy, experts. Names of teams, depots and
  // shelters are unique (an import matches rows by name); an expert is matched by phone.
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
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
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
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    items         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(items)),
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
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
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
  // 17 — meetings on a schedule (会议预约): bookings (one row per occurrence of a weekly meeting, sharing a series
  // id), their invitees (townships, departments, named accounts, desk phones), the receipts (回执: delivered,
  // confirmed with who attends) and uploaded materials (attached once the booking is saved). Reminders are minutes
  // before the start (JSON, largest first) with a count of those already sent, so each goes out once.
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
  // 18 — warnings by SMS (Kannel): recipients per warning and number, `sms` as an ack channel, the desk phone's
  // last alert call per board line (see smsMigration.ts). alert_deliveries is rebuilt (a CHECK changes).
  SMS_MIGRATION.sqlite,
  // 19 — duplicate reports: the duty desk merges a chain into the one kept as the event's main chain (one level
  // deep: a main chain is merged into nothing); un-merging clears the link. A merged chain has no deadlines of its own.
  `
  ALTER TABLE report_chains ADD COLUMN merged_into TEXT REFERENCES report_chains (id);
  ALTER TABLE report_chains ADD COLUMN merged_at TEXT;
  ALTER TABLE report_chains ADD COLUMN merged_by_name TEXT;
  CREATE INDEX report_chains_by_main ON report_chains (merged_into);
  `,
  // 20 — meeting minutes (会议纪要): one per booking, decisions and action items (owner unit, due time, the task
  // it became) as JSON saved whole; the version makes two secretaries' saves a compare-and-set.
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
  // 21 — emergency broadcast loudspeakers (应急广播): `loudspeaker` terminals assigned to a village, and one call row
  // per warning and loudspeaker (see loudspeakerMigration.ts). terminals is rebuilt (a CHECK changes).
  LOUDSPEAKER_MIGRATION.sqlite,
  // 22 — GB/T 28181 cameras (国标设备/通道): devices an admin registers (20-digit ID, digest HA1 under the platform's
  // realm, township) and the channels each device's catalog last listed (name, type, position, reported status).
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
    lon             REAL,
    lat             REAL,
    reported_online INTEGER NOT NULL CHECK (reported_online IN (0, 1)),
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (device_id, channel_id)
  );
  CREATE INDEX gb_channels_by_channel ON gb_channels (channel_id);
  `,
  // 23 — finalised minutes (纪要定稿签发): the DOCX and PDF rendered once from a minutes version and kept as the
  // meeting's files (bytes on disk under the data dir; here version, hash, size, who signed and when). Finalising
  // again after an edit adds the next version; earlier ones stay. UNIQUE makes two racing finalisations one.
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
  // 24 — the links up (上联) the chairs want: one row per room whose chair connected it, gone when they disconnect
  // (or it gave up). Read at start so a signaling restart redials them; `send_muted` keeps our side's mute.
  `
  CREATE TABLE upstream_links (
    room_id    TEXT PRIMARY KEY REFERENCES rooms (id) ON DELETE CASCADE,
    send_muted INTEGER NOT NULL CHECK (send_muted IN (0, 1)),
    updated_at TEXT NOT NULL
  );
  `,
];

/**
 * Migrations (by id) that rebuild SQLite tables others refer to: run with
 * SQLite's foreign keys off (the pragma is ignored inside a transaction), then
 * checked with `PRAGMA foreign_key_check` before they commit.
 */
const SQLITE_REBUILDS: ReadonlySet<number> = new Set([
  5,
  10,
  sqliteMigrations.indexOf(SMS_MIGRATION.sqlite) + 1,
  sqliteMigrations.indexOf(LOUDSPEAKER_MIGRATION.sqlite) + 1,
]);

if (sqliteMigrations.length !== postgresMigrations.length) {
  throw new Error('migrations.ts and postgresMigrations.ts must list the same migrations');
}

export const migrations: readonly Migration[] = sqliteMigrations.map((sqlite, index) => ({
  sqlite,
  postgres: postgresMigrations[index] as string,
}));

/**
 * Applies pending migrations, each in its own transaction (PostgreSQL's DDL
 * is transactional too). Returns the ids applied.
 */
export async function migrate(db: SqlQueries, list: readonly Migration[] = migrations): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    id         INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL
  )`);
  const latest =
    (await db.get<{ latest: number | null }>('SELECT MAX(id) AS latest FROM schema_migrations'))?.latest ?? 0;
  if (latest > list.length) {
    throw new Error(`database schema is at migration ${latest}, newer than this code (${list.length})`);
  }
  const applied: number[] = [];
  for (const [index, migration] of list.entries()) {
    const id = index + 1;
    if (id <= latest) continue;
    const rebuild = db.dialect === 'sqlite' && SQLITE_REBUILDS.has(id);
    if (rebuild) await db.exec('PRAGMA foreign_keys = OFF');
    try {
      await db.transaction(async (tx) => {
        await tx.exec(typeof migration === 'string' ? migration : migration[db.dialect]);
        if (rebuild) {
          const broken = await tx.all<{ table: string }>('PRAGMA foreign_key_check');
          if (broken.length > 0) throw new Error(`migration ${id} broke foreign keys in ${broken[0]?.table}`);
        }
        await tx.run('INSERT INTO schema_migrations (id, applied_at) VALUES (?, ?)', [id, new Date().toISOString()]);
      });
    } finally {
      if (rebuild) await db.exec('PRAGMA foreign_keys = ON');
    }
    applied.push(id);
  }
  return applied;
}
