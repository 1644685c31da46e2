/**
 * The two migration texts (migrations.ts for SQLite, postgresMigrations.ts)
 * must build the same schema: migrated on a real SQLite file and a real
 * throwaway PostgreSQL, the tables are compared column by column — name,
 * type family, nullability, defaults where comparable — and by primary key.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from './migrations.ts';
import { openPostgresDb } from './postgresDb.ts';
import type { SqlDb } from './sqlDb.ts';
import { openSqliteDb } from './sqliteDb.ts';
import { type PostgresServer, postgresUnavailableReason, startPostgres } from './testing/postgresServer.ts';

interface Column {
  name: string;
  family: 'integer' | 'real' | 'text' | 'blob' | 'other';
  notNull: boolean;
  /** Normalised literal default, 'generated' for identity/autoincrement, null for none. */
  default: string | null;
}
interface Table {
  columns: Column[];
  primaryKey: string[];
}
type Schema = Record<string, Table>;

/** `'x'::text` → `'x'`, `(1)` → `1`: what is left of a literal once each dialect's decoration is removed. */
function literal(value: string | null): string | null {
  if (value === null) return null;
  let v = value.trim();
  while (v.startsWith('(') && v.endsWith(')')) v = v.slice(1, -1).trim();
  return v.replace(/::[a-z ]+$/i, '');
}

function family(type: string): Column['family'] {
  const t = type.toLowerCase();
  if (t.includes('int')) return 'integer';
  if (t.includes('real') || t.includes('double') || t.includes('float')) return 'real';
  if (t.includes('text') || t.includes('char')) return 'text';
  if (t.includes('blob') || t === 'bytea') return 'blob';
  return 'other';
}

async function sqliteSchema(db: SqlDb): Promise<Schema> {
  const schema: Schema = {};
  const tables = await db.all<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
  );
  for (const { name } of tables) {
    const info = await db.all<{ name: string; type: string; notnull: number; dflt_value: string | null; pk: number }>(
      `SELECT * FROM pragma_table_info('${name}')`,
    );
    const primaryKey = info
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    // An INTEGER PRIMARY KEY is SQLite's rowid: generated when not given, like PostgreSQL's identity.
    const rowidKey = primaryKey.length === 1 && family(info.find((c) => c.pk > 0)?.type ?? '') === 'integer';
    schema[name] = {
      primaryKey,
      columns: info
        .map((c) => ({
          name: c.name,
          family: family(c.type),
          // PostgreSQL's primary keys are NOT NULL; SQLite's are in practice (Beacon never inserts a NULL key).
          notNull: c.notnull === 1 || c.pk > 0,
          default: rowidKey && c.pk > 0 ? 'generated' : literal(c.dflt_value),
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }
  return schema;
}

async function postgresSchema(db: SqlDb): Promise<Schema> {
  const schema: Schema = {};
  const columns = await db.all<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
    is_identity: string;
  }>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
  );
  const keys = await db.all<{ table_name: string; column_name: string }>(
    `SELECT k.table_name, k.column_name FROM information_schema.table_constraints c
     JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_schema = c.table_schema
     WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_schema = 'public' ORDER BY k.table_name, k.ordinal_position`,
  );
  for (const c of columns) {
    schema[c.table_name] ??= { columns: [], primaryKey: [] };
    const table = schema[c.table_name] as Table;
    const generated = c.is_identity === 'YES' || (c.column_default ?? '').startsWith('nextval(');
    table.columns.push({
      name: c.column_name,
      family: family(c.data_type),
      notNull: c.is_nullable === 'NO',
      default: generated ? 'generated' : literal(c.column_default),
    });
  }
  for (const k of keys) schema[k.table_name]?.primaryKey.push(k.column_name);
  return schema;
}

/**
 * PostgreSQL's `rowid` identity columns stand in for SQLite's implicit rowid (see postgresMigrations.ts):
 * they have no SQLite column to match, so they are compared as "present where ORDER BY rowid is used".
 */
function withoutRowid(schema: Schema): Schema {
  return Object.fromEntries(
    Object.entries(schema).map(([name, table]) => [
      name,
      { ...table, columns: table.columns.filter((c) => c.name !== 'rowid') },
    ]),
  );
}

const missing = postgresUnavailableReason();

describe.skipIf(missing)(`schemas of both dialects${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let server: PostgresServer;
  let dir: string;
  let sqlite: Schema;
  let postgres: Schema;

  beforeAll(async () => {
    server = await startPostgres();
    dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-schema-'));
    const lite = openSqliteDb(path.join(dir, 'beacon.db'));
    const pg = await openPostgresDb(await server.createDatabase('schema'));
    try {
      await migrate(lite);
      await migrate(pg);
      sqlite = await sqliteSchema(lite);
      postgres = await postgresSchema(pg);
    } finally {
      await lite.close();
      await pg.close();
    }
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has the same tables', () => {
    expect(Object.keys(postgres).sort()).toEqual(Object.keys(sqlite).sort());
  });

  it('has the same columns, type families, nullability, defaults and primary keys, table by table', () => {
    const pg = withoutRowid(postgres);
    // Known and harmless: SQLite makes any INTEGER PRIMARY KEY a rowid (generated when omitted); the
    // migration number is always given, so PostgreSQL's plain key is enough.
    const key = sqlite.schema_migrations?.columns.find((c) => c.name === 'id');
    if (key?.default === 'generated') key.default = null;
    for (const [name, table] of Object.entries(sqlite)) {
      expect({ table: name, ...pg[name] }).toEqual({ table: name, ...table });
    }
  });

  it('has a rowid column on PostgreSQL only where SQLite’s implicit rowid orders listings', () => {
    const withRowid = Object.entries(postgres)
      .filter(([, table]) => table.columns.some((c) => c.name === 'rowid'))
      .map(([name]) => name);
    // Every table the repositories list `ORDER BY rowid`; SQLite tables without ROWID would have none.
    expect(withRowid.sort()).toEqual([
      'alert_deliveries',
      'departments',
      'incident_departments',
      'rooms',
      'sms_recipients',
      'stations',
      'tasks',
      'terminals',
      'townships',
      'villages',
    ]);
    for (const name of withRowid)
      expect(postgres[name]?.columns.find((c) => c.name === 'rowid')?.default).toBe('generated');
  });
});
