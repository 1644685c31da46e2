/** The store on both backends (SQLite file, PostgreSQL): migrations, seed, the people-and-rooms repositories. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BeaconError } from '@beacon/protocol';
import SqliteDatabase from 'better-sqlite3';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/passwords.ts';
import { openStore, type Store } from './index.ts';
import { migrate, migrations } from './migrations.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

/** What `fn`'s promise rejected with (undefined when it resolved). */
async function errorOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  return undefined;
}

describe('openStore on SQLite', () => {
  it('creates the parent directory and opens a migrated WAL database', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-store-'));
    const file = path.join(dir, 'nested', 'beacon.db');
    try {
      const store = await openStore({ file });
      expect(store.file).toBe(file);
      expect(await store.isReady()).toBe(true);
      await store.close();
      expect(await store.isReady()).toBe(false);
      await store.close(); // idempotent

      const db = new SqliteDatabase(file, { readonly: true });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => r.name);
      expect(tables).toEqual(
        expect.arrayContaining(['audit', 'meetings', 'rooms', 'schema_migrations', 'terminals', 'townships', 'users']),
      );
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeStoreBackends((env) => {
  describe('openStore', () => {
    it('opens ready and closes idempotently', async () => {
      const store = await env.open();
      expect(await store.isReady()).toBe(true);
      await store.close();
      expect(await store.isReady()).toBe(false);
      await store.close();
    });

    it('applies migrations once: reopening applies nothing new', async () => {
      await (await env.open()).close();
      const db = await env.connect();
      const recorded = () => db.all<{ id: number }>('SELECT id FROM schema_migrations ORDER BY id');
      expect((await recorded()).map((r) => r.id)).toEqual(migrations.map((_, i) => i + 1));
      expect(await migrate(db)).toEqual([]);
      expect(await recorded()).toHaveLength(migrations.length);

      // A new migration appended later is applied on its own, and only once.
      const next = [...migrations, 'CREATE TABLE later (id INTEGER PRIMARY KEY)'];
      expect(await migrate(db, next)).toEqual([migrations.length + 1]);
      expect(await migrate(db, next)).toEqual([]);
      // A file migrated by newer code is refused rather than silently used.
      await expect(migrate(db, migrations)).rejects.toThrow(/newer than this code/);
    });

    it('rolls back a failing migration as a whole', async () => {
      const db = await env.connect();
      await expect(migrate(db, ['CREATE TABLE a (id INTEGER); CREATE TABLE broken ('])).rejects.toThrow();
      await expect(db.get('SELECT COUNT(*) AS n FROM a')).rejects.toThrow();
      expect(await db.get('SELECT COUNT(*) AS n FROM schema_migrations')).toEqual({ n: 0 });
    });

    it('enforces foreign keys', async () => {
      const store = await env.open();
      const err = await errorOf(() =>
        store.users.create({
          id: 'u-x',
          username: 'x',
          displayName: 'X',
          role: 'township',
          townshipId: 'atlantis',
          passwordHash: 'h',
        }),
      );
      expect(err).toBeInstanceOf(BeaconError);
      expect((err as BeaconError).code).toBe('bad_request');
    });
  });

  describe('seed', () => {
    it('seeds 15 townships, 30 terminals, 18 users and 2 rooms', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw-demo' } });
      const townships = await store.townships.list();
      expect(townships).toHaveLength(15);
      expect(townships.every((t) => t.approximate)).toBe(true);
      expect(townships.filter((t) => t.kind === 'township').map((t) => t.id)).toEqual(['shuju', 'daguokou', 'dadiji']);
      expect(await store.townships.get('lucheng')).toEqual({
        id: 'lucheng',
        name: '鹿城镇',
        nameEn: 'Lucheng Town',
        kind: 'town',
        lat: expect.closeTo(25.03, 0),
        lon: expect.closeTo(101.55, 0),
        approximate: true,
        code: null,
        enabled: true,
      });
      expect(await store.townships.get('nowhere')).toBeUndefined();

      const terminals = await store.terminals.list();
      expect(terminals).toHaveLength(30);
      const phones = terminals.filter((t) => t.kind === 'sip_phone');
      expect(phones.map((t) => t.extension)).toEqual(Array.from({ length: 15 }, (_, i) => String(8001 + i)));
      expect(await store.terminals.listByTownship('dadiji')).toEqual([
        {
          id: 'vt-dadiji',
          townshipId: 'dadiji',
          departmentId: null,
          kind: 'video',
          name: '大地基乡视频终端',
          extension: null,
          enabled: true,
        },
        {
          id: 'ph-dadiji',
          townshipId: 'dadiji',
          departmentId: null,
          kind: 'sip_phone',
          name: '大地基乡电话',
          extension: '8015',
          enabled: true,
        },
      ]);

      const users = await store.users.list();
      expect(users).toHaveLength(18);
      expect(users.filter((u) => u.role === 'township')).toHaveLength(15);
      expect(await store.users.findByUsername('duty')).toMatchObject({ displayName: '值班员', role: 'duty_officer' });
      expect(await store.users.findByUsername('shuju')).toMatchObject({ displayName: '树苴乡', townshipId: 'shuju' });
      const chair = await store.users.findByUsername('chair');
      expect(chair).toMatchObject({ displayName: '市领导', role: 'chair', townshipId: null });
      expect(await verifyPassword('pw-demo', chair?.passwordHash ?? '')).toBe(true);
      expect(await verifyPassword('beacon2026', chair?.passwordHash ?? '')).toBe(false);

      expect((await store.rooms.list()).map((r) => [r.id, r.title, r.kind])).toEqual([
        ['city-weekly', '全市周例会', 'meeting'],
        ['emergency-drill', '应急演练', 'emergency'],
      ]);
    });

    it('does not seed again when users exist', async () => {
      const first = await env.open({ seed: { demoPassword: 'one' } });
      const hash = (await first.users.findByUsername('admin'))?.passwordHash;
      await first.close();
      const second = await env.open({ seed: { demoPassword: 'two' } });
      expect(await second.users.list()).toHaveLength(18);
      expect((await second.users.findByUsername('admin'))?.passwordHash).toBe(hash);
    });
  });

  describe('repositories', () => {
    let store: Store;
    beforeEach(async () => {
      store = await env.open({ seed: { demoPassword: 'pw' } });
    });

    it('keeps data across close and reopen', async () => {
      await store.users.create({
        id: 'u-gw',
        username: 'sip-gateway',
        displayName: 'SIP 网关',
        role: 'service',
        townshipId: null,
        passwordHash: 'scrypt$x',
      });
      await store.rooms.create({ id: 'flood-2026', title: '防汛会商', kind: 'emergency', createdBy: 'u-chair' });
      const meetingId = await store.meetings.start('flood-2026');
      await store.audit.append({
        actorId: 'u-chair',
        action: 'room.create',
        target: 'flood-2026',
        detail: { level: 'II' },
      });
      await store.close();

      const reopened = await env.open();
      expect(await reopened.users.findById('u-gw')).toMatchObject({ username: 'sip-gateway', role: 'service' });
      expect(await reopened.rooms.get('flood-2026')).toMatchObject({ title: '防汛会商', createdBy: 'u-chair' });
      expect(await reopened.meetings.current('flood-2026')).toBe(meetingId);
      expect((await reopened.audit.list())[0]).toMatchObject({ action: 'room.create', detail: { level: 'II' } });
    });

    it('refuses a duplicate username', async () => {
      const input = {
        username: 'admin',
        displayName: 'x',
        role: 'admin' as const,
        townshipId: null,
        passwordHash: 'h',
      };
      const err = await errorOf(() => store.users.create({ id: 'u-other', ...input }));
      expect(err).toBeInstanceOf(BeaconError);
      expect((err as BeaconError).toBody()).toMatchObject({ code: 'conflict', field: 'username' });
      expect(await store.users.list()).toHaveLength(18);
    });

    it('creates users and finds them by id and username', async () => {
      const created = await store.users.create({
        id: 'u-new',
        username: 'new',
        displayName: '新用户',
        role: 'duty_officer',
        townshipId: null,
        passwordHash: 'h',
      });
      expect(Date.parse(created.createdAt)).not.toBeNaN();
      expect(await store.users.findById('u-new')).toEqual(created);
      expect(await store.users.findByUsername('new')).toEqual(created);
      expect(await store.users.findByUsername('nobody')).toBeUndefined();
      const noTownship = await errorOf(() =>
        store.users.create({
          id: 'u-t',
          username: 't',
          displayName: 't',
          role: 'township',
          townshipId: null,
          passwordHash: 'h',
        }),
      );
      expect((noTownship as BeaconError).code).toBe('bad_request');
    });

    it("refuses a duplicate room id with 'room already exists'", async () => {
      const created = await store.rooms.create({ id: 'training-1', title: '培训', kind: 'training', createdBy: null });
      expect(await store.rooms.get('training-1')).toEqual(created);
      const err = await errorOf(() =>
        store.rooms.create({ id: 'city-weekly', title: 'again', kind: 'meeting', createdBy: null }),
      );
      expect(err).toBeInstanceOf(BeaconError);
      expect(err).toMatchObject({ code: 'bad_request', message: 'room already exists' });
      expect((await store.rooms.get('city-weekly'))?.title).toBe('全市周例会');
    });

    it('tracks at most one running meeting per room', async () => {
      expect(await store.meetings.current('city-weekly')).toBeUndefined();
      const first = await store.meetings.start('city-weekly');
      expect(await store.meetings.start('city-weekly')).toBe(first);
      expect(await store.meetings.current('city-weekly')).toBe(first);
      await store.meetings.end(first);
      await store.meetings.end(first);
      expect(await store.meetings.current('city-weekly')).toBeUndefined();
      const second = await store.meetings.start('city-weekly');
      expect(second).not.toBe(first);
      expect(await errorOf(() => store.meetings.start('no-such-room'))).toMatchObject({ code: 'room_not_found' });
      expect(await errorOf(() => store.meetings.end(9999))).toMatchObject({ code: 'not_found' });
    });

    it('round-trips audit entries, newest first, with a limit', async () => {
      await store.audit.append({ actorId: null, action: 'system.start' });
      await store.audit.append({
        actorId: 'u-duty',
        role: 'duty_officer',
        action: 'terminal.call',
        target: 'ph-lucheng',
        detail: { ext: '8001', ok: true },
      });
      await store.audit.append({ actorId: 'u-chair', action: 'rollcall', target: 'zixi', detail: ['a', 1, null] });
      const entries = await store.audit.list();
      expect(entries.map((e) => e.action)).toEqual(['rollcall', 'terminal.call', 'system.start']);
      expect(entries[1]).toEqual({
        id: expect.any(Number),
        at: expect.any(String),
        actorId: 'u-duty',
        role: 'duty_officer',
        action: 'terminal.call',
        target: 'ph-lucheng',
        detail: { ext: '8001', ok: true },
      });
      expect(entries[0]?.detail).toEqual(['a', 1, null]);
      expect(entries[2]).toMatchObject({ actorId: null, target: null, detail: null });
      expect((await store.audit.list({ limit: 1 })).map((e) => e.action)).toEqual(['rollcall']);
    });
  });
});
