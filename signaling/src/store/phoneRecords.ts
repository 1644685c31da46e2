/**
 * The store's desk-phone side: terminals with their SIP digest
 * hashes, and the dial numbers of rooms. Kept apart from SqlStore.ts so
 * each file stays small.
 */

import type { TerminalAdminView } from '@beacon/protocol';
import { BeaconError, isSipTerminalKind, SIP_TERMINAL_KINDS } from '@beacon/protocol';
import { randomPin, randomSipPassword, sipHashes } from '../auth/sipDigest.ts';
import { createLogger } from '../logger.ts';
import { assertFree, columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import type { TerminalRepository } from './StoreTypes.ts';
import { SEED_ROOMS } from './seedData.ts';
import type { SqlQueries } from './sqlDb.ts';

const log = createLogger('store');
/** Desk phones and SIP video terminals both register with an extension and digest credentials. */
const SIP_KINDS_SQL = SIP_TERMINAL_KINDS.map((kind) => `'${kind}'`).join(', ');

interface TerminalRow {
  id: string;
  township_id: string | null;
  department_id: string | null;
  kind: TerminalAdminView['kind'];
  name: string;
  extension: string | null;
  sip_ha1: string | null;
  sip_ha1b: string | null;
  enabled: number;
  village_id?: string | null;
}

const toTerminal = (r: TerminalRow): TerminalAdminView => ({
  id: r.id,
  townshipId: r.township_id,
  departmentId: r.department_id,
  kind: r.kind,
  name: r.name,
  extension: r.extension,
  // Only a loudspeaker has a village: other terminals' views stay as they were.
  ...(r.village_id ? { villageId: r.village_id } : {}),
  enabled: r.enabled === 1,
});

const EXTENSION = { table: 'terminals', column: 'extension', field: 'extension', label: '分机号' };
const TERMINAL_COLUMNS = {
  name: 'name',
  townshipId: 'township_id',
  departmentId: 'department_id',
  extension: 'extension',
  villageId: 'village_id',
};

/** Terminals with SIP credentials: desk phones and loudspeakers (both register with Kamailio). */

export function terminalRepository(db: SqlQueries): TerminalRepository {
  const spec = { table: 'terminals', what: 'terminal', toView: toTerminal };
  const get = async (id: string) => {
    const row = await db.get<TerminalRow>('SELECT * FROM terminals WHERE id = ?', [id]);
    return row && toTerminal(row);
  };
  return {
    list: async () => (await db.all<TerminalRow>('SELECT * FROM terminals ORDER BY rowid')).map(toTerminal),
    listByTownship: async (townshipId) =>
      (await db.all<TerminalRow>('SELECT * FROM terminals WHERE township_id = ? ORDER BY rowid', [townshipId])).map(
        toTerminal,
      ),
    listByDepartment: async (departmentId) =>
      (await db.all<TerminalRow>('SELECT * FROM terminals WHERE department_id = ? ORDER BY rowid', [departmentId])).map(
        toTerminal,
      ),
    get,
    page: async (query) => {
      const page = await pageRows<TerminalRow>(
        db,
        { from: 'terminals', search: ['name', 'extension', 'id'], orderBy: 'rowid' },
        query,
      );
      return { total: page.total, items: page.items.map(toTerminal) };
    },
    create: async (input) => {
      try {
        await db.transaction(async (tx) => {
          await assertFree(tx, EXTENSION, input.extension);
          await tx.run(
            `INSERT INTO terminals (id, township_id, department_id, kind, name, extension, sip_ha1, sip_ha1b,
               sip_updated_at, enabled, village_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
            [
              input.id,
              input.townshipId,
              input.departmentId,
              input.kind,
              input.name,
              input.extension,
              input.sip?.ha1 ?? null,
              input.sip?.ha1b ?? null,
              input.sip ? new Date().toISOString() : null,
              input.villageId ?? null,
            ],
          );
        });
      } catch (err) {
        rethrowConstraint(err, 'extension', 'terminal');
      }
      return (await get(input.id)) as TerminalAdminView;
    },
    update: (id, patch) =>
      updateRow(db, spec, id, columnsOf(patch, TERMINAL_COLUMNS), async (tx, before) => {
        await assertFree(tx, EXTENSION, patch.extension, id);
        if (patch.extension !== undefined && !isSipTerminalKind(before.kind)) {
          throw BeaconError.badRequest(
            '只有电话、SIP 视频终端和广播有分机号 / only a sip_phone, sip_video or loudspeaker has an extension',
          );
        }
        if (patch.villageId !== undefined && before.kind !== 'loudspeaker') {
          throw BeaconError.badRequest('只有广播属于村 / only a loudspeaker belongs to a village');
        }
      }).catch((err: unknown) => rethrowConstraint(err, 'extension', 'terminal')),
    setEnabled: (id, enabled) => updateRow(db, spec, id, { enabled: enabled ? 1 : 0 }),
    findPhoneByExtension: async (extension) => {
      const row = await db.get<TerminalRow>(
        `SELECT * FROM terminals WHERE kind IN (${SIP_KINDS_SQL}) AND extension = ? AND enabled = 1`,
        [extension],
      );
      return row && toTerminal(row);
    },
    setSipCredentials: async (id, { ha1, ha1b }) =>
      (
        await db.run(
          `UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ?, sip_updated_at = ? WHERE id = ? AND kind IN (${SIP_KINDS_SQL})`,
          [ha1, ha1b, new Date().toISOString(), id],
        )
      ).changes === 1,
    // A disabled phone or loudspeaker leaves Kamailio's subscriber table: its next REGISTER is refused.
    sipSubscribers: async () =>
      (
        await db.all<TerminalRow & { extension: string; sip_ha1: string; sip_ha1b: string }>(
          `SELECT * FROM terminals WHERE kind IN (${SIP_KINDS_SQL}) AND extension IS NOT NULL AND enabled = 1
             AND sip_ha1 IS NOT NULL AND sip_ha1b IS NOT NULL ORDER BY extension`,
        )
      ).map((r) => ({ username: r.extension, ha1: r.sip_ha1, ha1b: r.sip_ha1b })),
  };
}

const FIRST_DIAL_NUMBER = 6001;
const LAST_DIAL_NUMBER = 6999;

/** The lowest free 6xxx conference number; `bad_request` when all 999 are taken. */
export async function nextDialNumber(db: SqlQueries): Promise<string> {
  // Filtered here rather than with GLOB, which PostgreSQL lacks: a few thousand short strings at most.
  const taken = new Set(
    (await db.all<{ dial_number: string }>('SELECT dial_number FROM rooms WHERE dial_number IS NOT NULL'))
      .map((r) => r.dial_number)
      .filter((n) => /^6[0-9]{3}$/.test(n)),
  );
  for (let n = FIRST_DIAL_NUMBER; n <= LAST_DIAL_NUMBER; n++) {
    if (!taken.has(String(n))) return String(n);
  }
  throw BeaconError.badRequest('no free conference number left (6001–6999)');
}

/**
 * Runs on every open, after the migrations. Idempotent; fills in what
 * migration 3 cannot compute in SQL:
 *  - every room without a number gets one: the demo rooms their published
 *    numbers and PINs (city-weekly 6001/2026, emergency-drill 6002/1234),
 *    others the next free 6xxx and a random PIN;
 *  - with `demo`, a phone whose SIP password is still the published demo
 *    password (stores seeded before phones got random ones) gets a random
 *    one: an admin sets a new one to configure the phone.
 * Returns how many phones that were.
 */
export async function phoneSetup(db: SqlQueries, demo?: { password: string; realm: string }): Promise<number> {
  return db.transaction(async (tx) => {
    const numberInUse = async (dialNumber: string) =>
      (await tx.get<{ id: string }>('SELECT id FROM rooms WHERE dial_number = ?', [dialNumber])) !== undefined;
    const number = (id: string, dialNumber: string, pin: string | null) =>
      tx.run('UPDATE rooms SET dial_number = ?, pin = ? WHERE id = ?', [dialNumber, pin, id]);
    const unnumbered = await tx.all<{ id: string }>('SELECT id FROM rooms WHERE dial_number IS NULL ORDER BY rowid');
    for (const { id } of unnumbered) {
      const seeded = SEED_ROOMS.find((r) => r.id === id);
      if (seeded?.dialNumber && !(await numberInUse(seeded.dialNumber))) {
        await number(id, seeded.dialNumber, seeded.pin);
      } else {
        await number(id, await nextDialNumber(tx), randomPin());
      }
    }
    if (!demo) return 0;
    const phones = await tx.all<{ id: string; extension: string; sip_ha1: string }>(
      "SELECT id, extension, sip_ha1 FROM terminals WHERE kind = 'sip_phone' AND sip_ha1 IS NOT NULL AND extension IS NOT NULL",
    );
    const published = phones.filter((p) => p.sip_ha1 === sipHashes(p.extension, demo.realm, demo.password).ha1);
    const at = new Date().toISOString();
    for (const phone of published) {
      const { ha1, ha1b } = sipHashes(phone.extension, demo.realm, randomSipPassword());
      await tx.run('UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ?, sip_updated_at = ? WHERE id = ?', [
        ha1,
        ha1b,
        at,
        phone.id,
      ]);
    }
    if (published.length > 0)
      log.warn({ phones: published.length }, 'phones on the published demo SIP password got random ones');
    return published.length;
  });
}
