/**
 * The store's desk-phone side (issue 4): terminals with their SIP digest
 * hashes, and the dial numbers of rooms. Kept apart from SqliteStore.ts so
 * each file stays small.
 */
import type { Database } from 'better-sqlite3';
import { randomPin, sipHashes } from '../auth/sipDigest.ts';
import { BeaconError } from '../protocol/errors.ts';
import type { TerminalView } from '../protocol/rest.ts';
import type { TerminalRepository } from './StoreTypes.ts';
import { SEED_ROOMS } from './seedData.ts';

interface TerminalRow {
  id: string;
  township_id: string;
  kind: TerminalView['kind'];
  name: string;
  extension: string | null;
  sip_ha1: string | null;
  sip_ha1b: string | null;
}

const toTerminal = (r: TerminalRow): TerminalView => ({
  id: r.id,
  townshipId: r.township_id,
  kind: r.kind,
  name: r.name,
  extension: r.extension,
});

export function terminalRepository(db: Database): TerminalRepository {
  const all = db.prepare<[], TerminalRow>('SELECT * FROM terminals ORDER BY rowid');
  const byTownship = db.prepare<[string], TerminalRow>('SELECT * FROM terminals WHERE township_id = ? ORDER BY rowid');
  const byId = db.prepare<[string], TerminalRow>('SELECT * FROM terminals WHERE id = ?');
  const phoneByExtension = db.prepare<[string], TerminalRow>(
    "SELECT * FROM terminals WHERE kind = 'sip_phone' AND extension = ?",
  );
  const setHashes = db.prepare<[string, string, string, string]>(
    "UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ?, sip_updated_at = ? WHERE id = ? AND kind = 'sip_phone'",
  );
  const subscribers = db.prepare<[], TerminalRow & { extension: string; sip_ha1: string; sip_ha1b: string }>(
    `SELECT * FROM terminals WHERE kind = 'sip_phone' AND extension IS NOT NULL
       AND sip_ha1 IS NOT NULL AND sip_ha1b IS NOT NULL ORDER BY extension`,
  );
  return {
    list: () => all.all().map(toTerminal),
    listByTownship: (townshipId) => byTownship.all(townshipId).map(toTerminal),
    get: (id) => {
      const row = byId.get(id);
      return row && toTerminal(row);
    },
    findPhoneByExtension: (extension) => {
      const row = phoneByExtension.get(extension);
      return row && toTerminal(row);
    },
    setSipCredentials: (id, { ha1, ha1b }) => setHashes.run(ha1, ha1b, new Date().toISOString(), id).changes === 1,
    sipSubscribers: () => subscribers.all().map((r) => ({ username: r.extension, ha1: r.sip_ha1, ha1b: r.sip_ha1b })),
  };
}

const FIRST_DIAL_NUMBER = 6001;
const LAST_DIAL_NUMBER = 6999;

/** The lowest free 6xxx conference number; `bad_request` when all 999 are taken. */
export function nextDialNumber(db: Database): string {
  const taken = new Set(
    db
      .prepare<[], { dial_number: string }>("SELECT dial_number FROM rooms WHERE dial_number GLOB '6[0-9][0-9][0-9]'")
      .all()
      .map((r) => r.dial_number),
  );
  for (let n = FIRST_DIAL_NUMBER; n <= LAST_DIAL_NUMBER; n++) {
    if (!taken.has(String(n))) return String(n);
  }
  throw BeaconError.badRequest('no free conference number left (6001–6999)');
}

/** Demo phones are the seeded extensions 8001…8015 (one per township). */
const DEMO_PHONE_EXTENSIONS = "extension GLOB '80[0-9][0-9]' AND CAST(extension AS INTEGER) BETWEEN 8001 AND 8015";

/**
 * Runs on every open, after the migrations. Idempotent; fills in what
 * migration 3 cannot compute in SQL:
 *  - every room without a number gets one: the demo rooms their published
 *    numbers and PINs (city-weekly 6001/2026, emergency-drill 6002/1234),
 *    others the next free 6xxx and a random PIN;
 *  - with `demo`, demo phones without credentials get the demo password.
 */
export function phoneSetup(db: Database, demo?: { password: string; realm: string }): void {
  const unnumbered = db.prepare<[], { id: string }>('SELECT id FROM rooms WHERE dial_number IS NULL ORDER BY rowid');
  const number = db.prepare<[string, string | null, string]>('UPDATE rooms SET dial_number = ?, pin = ? WHERE id = ?');
  const numberInUse = db.prepare<[string], { id: string }>('SELECT id FROM rooms WHERE dial_number = ?');
  const phones = db.prepare<[], { id: string; extension: string }>(
    `SELECT id, extension FROM terminals WHERE kind = 'sip_phone' AND sip_ha1 IS NULL AND ${DEMO_PHONE_EXTENSIONS}`,
  );
  const setHashes = db.prepare<[string, string, string, string]>(
    'UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ?, sip_updated_at = ? WHERE id = ?',
  );
  db.transaction(() => {
    for (const { id } of unnumbered.all()) {
      const seeded = SEED_ROOMS.find((r) => r.id === id);
      if (seeded?.dialNumber && !numberInUse.get(seeded.dialNumber)) {
        number.run(seeded.dialNumber, seeded.pin, id);
      } else {
        number.run(nextDialNumber(db), randomPin(), id);
      }
    }
    if (!demo) return;
    const at = new Date().toISOString();
    for (const phone of phones.all()) {
      const { ha1, ha1b } = sipHashes(phone.extension, demo.realm, demo.password);
      setHashes.run(ha1, ha1b, at, phone.id);
    }
  }).immediate();
}
