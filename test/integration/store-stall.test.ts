/**
 * A stalled PostgreSQL statement delays only its own caller: with Beacon on
 * PostgreSQL, one terminal's ack waits behind a row lock held by another
 * connection while another terminal's ack is answered — the node's event
 * loop is not blocked by the store.
 */
import type { WarningView } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDb } from '../../signaling/src/store/postgresDb.ts';
import type { SqlDb } from '../../signaling/src/store/sqlDb.ts';
import {
  type PostgresServer,
  postgresUnavailableReason,
  startPostgres,
} from '../../signaling/src/store/testing/postgresServer.ts';
import { api, connect, login, ok, request, startTestNode, type TestClient, type TestNode } from './helpers.ts';

const missing = postgresUnavailableReason();

describe.skipIf(missing)(`a stalled PostgreSQL statement${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let postgres: PostgresServer;
  let beacon: TestNode;
  let other: SqlDb;
  const sockets: TestClient[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    const databaseUrl = await postgres.createDatabase('beacon');
    beacon = await startTestNode({ env: { DATABASE_URL: databaseUrl } });
    // What another process (an operator's psql, a batch job) does to the same database.
    other = await openPostgresDb(databaseUrl);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await other?.close();
    await beacon?.stop();
    await postgres?.stop();
  });

  const terminal = async (username: string) => {
    const socket = await connect(beacon.node.url, await login(beacon.node.url, username));
    sockets.push(socket);
    return socket;
  };

  it('answers another terminal’s ack while one ack waits for a row lock', async () => {
    const url = beacon.node.url;
    const duty = await login(url, 'duty');
    const created = await api(url, duty, '/api/v1/warnings', {
      method: 'POST',
      body: JSON.stringify({
        event: '暴雨',
        colour: 'red',
        headline: '暴雨红色预警',
        area: { type: 'circle', center: [25.03, 101.57], radiusKm: 8 },
        expires: new Date(Date.now() + 3_600_000).toISOString(),
        escalationMinutes: 0,
      }),
    });
    const warning = (await created.json()) as WarningView;
    expect(warning.affectedTownshipIds).toEqual(expect.arrayContaining(['lucheng', 'donggua']));
    expect((await api(url, duty, `/api/v1/warnings/${warning.id}/issue`, { method: 'POST' })).status).toBe(200);
    const [lucheng, donggua] = [await terminal('lucheng'), await terminal('donggua')];

    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const locked = new Promise<void>((resolve, reject) => {
      other
        .transaction(async (tx) => {
          await tx.get('SELECT * FROM alert_deliveries WHERE warning_id = ? AND township_id = ? FOR UPDATE', [
            warning.id,
            'lucheng',
          ]);
          resolve();
          await released;
        })
        .catch(reject);
    });
    await locked;

    const answered: string[] = [];
    const stuck = request(lucheng, 'alert:ack', { warningId: warning.id }).then((res) => {
      answered.push('lucheng');
      return res;
    });
    // The node's UPDATE of lucheng's row is waiting for the lock.
    await expect
      .poll(async () =>
        other.get<{ n: number }>(
          "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()",
        ),
      )
      .toEqual({ n: 1 });

    expect(await ok(donggua, 'alert:ack', { warningId: warning.id })).toMatchObject({
      townshipId: 'donggua',
      ackedAt: expect.any(String),
    });
    answered.push('donggua');
    expect(answered).toEqual(['donggua']);

    release();
    expect(await stuck).toMatchObject({ ok: true, data: { townshipId: 'lucheng', ackedAt: expect.any(String) } });
    expect(answered).toEqual(['donggua', 'lucheng']);
  });
});
