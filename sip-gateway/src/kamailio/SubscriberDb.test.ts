import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { digestHa1, SubscriberDb } from './SubscriberDb.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('SubscriberDb', () => {
  it("keeps the gateway's own row when the phones are replaced, and never lists it as a phone", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'beacon-subscribers-'));
    dirs.push(dir);
    const db = new SubscriberDb(path.join(dir, 's.sqlite'), 'beacon');
    db.setServiceUser('gateway', 'a-long-random-password-0123');
    db.replaceAll([{ username: '8001', password: 'pw-8001' }]);
    db.replaceAll([{ username: '8002', password: 'pw-8002' }]);
    expect(db.usernames()).toEqual(['8002']);
    const raw = new Database(path.join(dir, 's.sqlite'), { readonly: true });
    const row = raw.prepare("SELECT ha1 FROM subscriber WHERE username = 'gateway'").get() as { ha1: string };
    raw.close();
    expect(row.ha1).toBe(digestHa1('gateway', 'beacon', 'a-long-random-password-0123'));
    // Signaling can never hand out the gateway's name, nor a weak service password be set.
    expect(() => db.replaceAll([{ username: 'gateway', password: 'x' }])).toThrow(/reserved/);
    expect(() => db.setServiceUser('gateway', 'short')).toThrow(TypeError);
    expect(() => db.setServiceUser('8001', 'a-long-random-password-0123')).toThrow(TypeError);
    db.close();
  });
});
