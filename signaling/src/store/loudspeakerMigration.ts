/**
 * The loudspeaker channel's migration (both dialects), in its own module so
 * both migration lists and the runner's list of SQLite rebuilds name the same
 * text wherever the lead puts it in the order.
 *
 * - terminals: `loudspeaker` (应急广播, a SIP endpoint with auto-answer) becomes
 *   a kind, and `village_id` says which village one serves. Its owner stays a
 *   township (the village's), so everything that lists a township's terminals
 *   keeps working; the village is an assignment on top. SQLite cannot change a
 *   CHECK in place: the table is rebuilt (new table, copy with rowids, drop,
 *   rename) with foreign keys off, as migration 5 did.
 * - loudspeaker_calls: one row per warning and loudspeaker, how far its last
 *   call got (played / failed and why) and how many calls were placed.
 */

const CALLS_TABLE = `
  CREATE TABLE loudspeaker_calls (
    id           TEXT PRIMARY KEY,
    warning_id   TEXT NOT NULL REFERENCES warnings (id),
    terminal_id  TEXT NOT NULL,
    township_id  TEXT NOT NULL REFERENCES townships (id),
    village_id   TEXT NOT NULL REFERENCES villages (id),
    name         TEXT NOT NULL,
    extension    TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('calling', 'playing', 'played', 'failed')),
    failure      TEXT CHECK (failure IS NULL OR failure IN ('busy', 'no_answer', 'not_registered', 'error')),
    reason       TEXT,
    attempt      INTEGER NOT NULL DEFAULT 1,
    started_at   TEXT NOT NULL,
    played_at    TEXT,
    failed_at    TEXT,
    updated_at   TEXT NOT NULL,
    UNIQUE (warning_id, terminal_id)
  );
  CREATE INDEX loudspeaker_calls_by_warning ON loudspeaker_calls (warning_id);
`;

export const LOUDSPEAKER_MIGRATION = {
  sqlite: `
  CREATE TABLE terminals_v19 (
    id             TEXT PRIMARY KEY,
    township_id    TEXT REFERENCES townships (id),
    kind           TEXT NOT NULL CHECK (kind IN ('video', 'sip_phone', 'sip_video', 'loudspeaker')),
    name           TEXT NOT NULL,
    extension      TEXT UNIQUE,
    sip_ha1        TEXT,
    sip_ha1b       TEXT,
    sip_updated_at TEXT,
    department_id  TEXT REFERENCES departments (id),
    enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
    village_id     TEXT REFERENCES villages (id),
    CHECK ((township_id IS NULL) <> (department_id IS NULL)),
    CHECK ((kind = 'loudspeaker') = (village_id IS NOT NULL))
  );
  INSERT INTO terminals_v19 (rowid, id, township_id, kind, name, extension, sip_ha1, sip_ha1b, sip_updated_at,
      department_id, enabled)
    SELECT rowid, id, township_id, kind, name, extension, sip_ha1, sip_ha1b, sip_updated_at, department_id, enabled
    FROM terminals;
  DROP TABLE terminals;
  ALTER TABLE terminals_v19 RENAME TO terminals;
  CREATE INDEX terminals_by_township ON terminals (township_id);
  CREATE INDEX terminals_by_department ON terminals (department_id);
  CREATE INDEX terminals_by_village ON terminals (village_id);
${CALLS_TABLE}`,
  postgres: `
  ALTER TABLE terminals DROP CONSTRAINT terminals_kind_check;
  ALTER TABLE terminals ADD CONSTRAINT terminals_kind_check
    CHECK (kind IN ('video', 'sip_phone', 'sip_video', 'loudspeaker'));
  ALTER TABLE terminals ADD COLUMN village_id TEXT REFERENCES villages (id);
  ALTER TABLE terminals ADD CONSTRAINT terminals_village_check CHECK ((kind = 'loudspeaker') = (village_id IS NOT NULL));
  CREATE INDEX terminals_by_village ON terminals (village_id);
${CALLS_TABLE}`,
} as const;
