/**
 * The far side of postgresDb.ts: owns one `pg` Client and runs one request at
 * a time for the main thread, which blocks on `signal` until the answer is on
 * `port`. Plain CommonJS, loaded by path with no execArgv, so the worker needs
 * neither the TypeScript loader nor anything of the main thread's event loop.
 *
 * workerData: { url, pgPath, signal: SharedArrayBuffer, port: MessagePort,
 *   statementTimeoutMs, connectTimeoutMs }
 * Requests (parentPort): { op: 'query', sql, params, reconnect } |
 *   { op: 'exec', sql, reconnect } | { op: 'close' }
 * Answers (port), then signal[0] = 1: { ok: true, rows, changes } |
 *   { ok: false, error: { message, sqlState, constraint, unavailable } }
 */
'use strict';
const { parentPort, workerData } = require('node:worker_threads');

const signal = new Int32Array(workerData.signal);
const reply = workerData.port;

/** @type {import('pg') | undefined} */
let pg;
let loadError;
try {
  pg = require(workerData.pgPath);
} catch (err) {
  loadError = err;
}

/** int8 (COUNT(*), BIGINT ids) as numbers, like SQLite gives them; ids stay far below 2^53. */
const types = {
  getTypeParser: (oid, format) => (oid === 20 && format !== 'binary' ? Number : pg.types.getTypeParser(oid, format)),
};

/** @type {import('pg').Client | undefined} */
let client;
/** SQL text → { name, text }: each statement is parsed once per connection (a named prepared statement). */
const statements = new Map();
let statementCount = 0;

function answer(message) {
  reply.postMessage(message);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

/** `?` → `$1, $2, …`, leaving quoted strings, quoted identifiers and comments alone. */
function numberPlaceholders(sql) {
  let out = '';
  let n = 0;
  let quote = null;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (quote) {
      out += c;
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '-' && sql[i + 1] === '-') quote = '\n';
    if (c === '?') out += `$${++n}`;
    else out += c;
  }
  return out;
}

function statement(sql) {
  let s = statements.get(sql);
  if (!s) {
    s = { name: `beacon_${++statementCount}`, text: numberPlaceholders(sql) };
    statements.set(sql, s);
  }
  return s;
}

async function connect() {
  if (loadError) throw loadError;
  const next = new pg.Client({
    connectionString: workerData.url,
    application_name: 'beacon-signaling',
    statement_timeout: workerData.statementTimeoutMs,
    connectionTimeoutMillis: workerData.connectTimeoutMs,
    types,
  });
  // A connection that dies between requests: the next request reconnects (or fails as unavailable).
  const lost = () => {
    if (client === next) client = undefined;
  };
  next.on('error', lost);
  next.on('end', lost);
  await next.connect();
  client = next;
}

function dropClient() {
  const old = client;
  client = undefined;
  old?.end().catch(() => {});
}

/** Buffers arrive as plain Uint8Arrays after postMessage. */
const toParam = (v) =>
  v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;

async function run(request) {
  if (!client) {
    // Never inside a transaction: its earlier statements died with the old connection.
    if (!request.reconnect) throw Object.assign(new Error('the connection to PostgreSQL was lost'), { lost: true });
    await connect();
  }
  if (request.op === 'exec') {
    await client.query(request.sql);
    return { ok: true, rows: [], changes: 0 };
  }
  const values = request.params.map(toParam);
  const s = statement(request.sql);
  try {
    const result = await client.query({ name: s.name, text: s.text, values });
    return { ok: true, rows: result.rows, changes: result.rowCount ?? 0 };
  } catch (err) {
    // "cached plan must not change result type": a newer node migrated a table under a prepared
    // `SELECT *`. Prepare it again under a new name; retried only outside a transaction (reconnect
    // is allowed exactly then), inside one the error aborted it anyway.
    if (err?.code !== '0A000') throw err;
    statements.delete(request.sql);
    if (!request.reconnect) throw err;
    const again = statement(request.sql);
    const result = await client.query({ name: again.name, text: again.text, values });
    return { ok: true, rows: result.rows, changes: result.rowCount ?? 0 };
  }
}

/** SQLSTATE classes 08 (connection), 57P0x (server shutting down), or no SQLSTATE at all (sockets, timeouts). */
function isUnavailable(sqlState) {
  return sqlState === undefined || sqlState.startsWith('08') || /^57P0[1-3]$/.test(sqlState);
}

async function handle(request) {
  if (request.op === 'close') {
    const old = client;
    client = undefined;
    await old?.end().catch(() => {});
    answer({ ok: true, rows: [], changes: 0 });
    return;
  }
  try {
    answer(await run(request));
  } catch (err) {
    const sqlState = typeof err?.code === 'string' && /^[0-9A-Z]{5}$/.test(err.code) ? err.code : undefined;
    const unavailable = isUnavailable(sqlState);
    if (unavailable) dropClient();
    answer({
      ok: false,
      error: { message: String(err?.message ?? err), sqlState, constraint: err?.constraint, unavailable },
    });
  }
}

// One request at a time: the main thread is blocked until it has its answer.
parentPort.on('message', (request) => {
  void handle(request);
});
