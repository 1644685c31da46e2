/** Desk-phone records on both backends: conference numbers, PINs, SIP credentials. */

import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { sipHashes } from '../auth/sipDigest.ts';
import { migrate, migrations } from './migrations.ts';
import { seedAsOldRelease } from './testing/legacySeed.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  describe('conference numbers and PINs', () => {
    it('gives the demo rooms their published numbers and PINs', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      expect(await store.rooms.get('city-weekly')).toMatchObject({ dialNumber: '6001', pin: '2026' });
      expect(await store.rooms.get('emergency-drill')).toMatchObject({ dialNumber: '6002', pin: '1234' });
      expect((await store.rooms.findByDialNumber('6001'))?.id).toBe('city-weekly');
      expect(await store.rooms.findByDialNumber('6999')).toBeUndefined();
    });

    it('numbers new rooms with the next free 6xxx and a random 6-digit PIN', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      const a = await store.rooms.create({ id: 'flood', title: '防汛', kind: 'emergency', createdBy: null });
      const b = await store.rooms.create({ id: 'fire', title: '防火', kind: 'emergency', createdBy: null });
      expect([a.dialNumber, b.dialNumber]).toEqual(['6003', '6004']);
      expect(a.pin).toMatch(/^[0-9]{6}$/);
      expect(await store.rooms.get('flood')).toEqual(a);
      const open = await store.rooms.create({ id: 'open', title: '公开', kind: 'meeting', createdBy: null, pin: null });
      expect(open.pin).toBeNull();
      const chosen = await store.rooms.create({
        id: 'x',
        title: 'x',
        kind: 'meeting',
        createdBy: null,
        dialNumber: '7100',
      });
      expect(chosen.dialNumber).toBe('7100');
    });

    it('refuses a dial number already in use', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      let error: unknown;
      try {
        await store.rooms.create({ id: 'dup', title: 'dup', kind: 'meeting', createdBy: null, dialNumber: '6001' });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(BeaconError);
      expect((error as BeaconError).code).toBe('bad_request');
      expect(await store.rooms.get('dup')).toBeUndefined();
    });

    it('numbers rooms in a store made before migration 3, and retires the published demo SIP password', async () => {
      // A data dir from before desk phones: migrations 1–2, seeded, plus a room created by a user.
      const db = await env.connect();
      await migrate(db, migrations.slice(0, 2));
      await seedAsOldRelease(db, 'beacon2026');
      await db.run("INSERT INTO rooms (id, title, kind, created_at) VALUES ('old-room', '旧会议', 'meeting', 'x')");
      await db.close();
      // What releases before random phone passwords gave a demo phone: the published password.
      const raw = await env.connect();
      await migrate(raw);
      const published = sipHashes('8002', 'beacon', 'beacon2026');
      await raw.run("UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ? WHERE id = 'ph-donggua'", [
        published.ha1,
        published.ha1b,
      ]);
      await raw.close();

      const store = await env.open({ seed: { demoPassword: 'beacon2026', sipRealm: 'beacon' } });
      expect(await store.rooms.get('city-weekly')).toMatchObject({ dialNumber: '6001', pin: '2026' });
      expect(await store.rooms.get('emergency-drill')).toMatchObject({ dialNumber: '6002', pin: '1234' });
      expect(await store.rooms.get('old-room')).toMatchObject({
        dialNumber: '6003',
        pin: expect.stringMatching(/^\d{6}$/),
      });
      const subscribers = await store.terminals.sipSubscribers();
      expect(subscribers.map((s) => s.username)).toEqual(['8002']);
      expect(subscribers[0]?.ha1).not.toBe(published.ha1);
    });
  });

  describe('SIP phone credentials', () => {
    it('gives every demo phone (8001–8015) its own random password, never the demo password', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026', sipRealm: 'cx.example' } });
      const subscribers = await store.terminals.sipSubscribers();
      expect(subscribers.map((s) => s.username)).toEqual(Array.from({ length: 15 }, (_, i) => String(8001 + i)));
      for (const s of subscribers) {
        expect(s.ha1).not.toBe(sipHashes(s.username, 'cx.example', 'beacon2026').ha1);
        expect(s.ha1).toMatch(/^[0-9a-f]{32}$/);
      }
      expect(new Set(subscribers.map((s) => s.ha1)).size).toBe(15);
    });

    it('stores rotated hashes for SIP phones only, and keeps them across reopen', async () => {
      let store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      const phone = await store.terminals.findPhoneByExtension('8003');
      expect(phone).toMatchObject({ id: 'ph-lvhe', kind: 'sip_phone', townshipId: 'lvhe' });
      expect(await store.terminals.findPhoneByExtension('9999')).toBeUndefined();
      const hashes = sipHashes('8003', 'beacon', '123456789012');
      expect(await store.terminals.setSipCredentials('ph-lvhe', hashes)).toBe(true);
      expect(await store.terminals.setSipCredentials('vt-lvhe', hashes)).toBe(false);
      expect(await store.terminals.setSipCredentials('nope', hashes)).toBe(false);
      await store.close();
      // Reopening with seed must not replace a rotated password.
      store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      expect((await store.terminals.sipSubscribers()).find((s) => s.username === '8003')).toEqual({
        username: '8003',
        ...hashes,
      });
      expect((await store.terminals.get('ph-lvhe'))?.extension).toBe('8003');
    });

    it('treats a SIP video terminal like a desk phone: found by extension, credentials, a subscriber', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      const hashes = sipHashes('8101', 'beacon', 'video-terminal-1');
      await store.terminals.create({
        id: 'sv-lucheng',
        kind: 'sip_video',
        name: '鹿城镇会议室终端',
        townshipId: 'lucheng',
        departmentId: null,
        extension: '8101',
        sip: hashes,
      });
      expect(await store.terminals.findPhoneByExtension('8101')).toMatchObject({ id: 'sv-lucheng', kind: 'sip_video' });
      expect((await store.terminals.sipSubscribers()).find((s) => s.username === '8101')).toEqual({
        username: '8101',
        ...hashes,
      });
      const rotated = sipHashes('8101', 'beacon', 'video-terminal-2');
      expect(await store.terminals.setSipCredentials('sv-lucheng', rotated)).toBe(true);
    });

    it('has no credentials without demo seeding', async () => {
      const store = await env.open();
      expect(await store.terminals.sipSubscribers()).toEqual([]);
    });
  });
});
