/** The administered organisation on both backends: units, accounts, devices, rooms; search, paging, conflicts, disabling. */

import { BeaconError } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { sipHashes } from '../auth/sipDigest.ts';
import { migrate, migrations } from './migrations.ts';
import { seedAsOldRelease } from './testing/legacySeed.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

async function errorOf(fn: () => Promise<unknown>): Promise<BeaconError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof BeaconError) return err;
    throw err;
  }
  throw new Error('expected a BeaconError');
}

describeStoreBackends((env) => {
  describe('organisation', () => {
    it('seeds the demo departments with the demo only', async () => {
      const demo = await env.open({ seed: { demoPassword: 'pw' } });
      expect((await demo.departments.list()).map((d) => d.shortName)).toEqual([
        '应急管理局',
        '公安',
        '气象',
        '水务',
        '自然资源',
        '林草',
        '卫健',
        '交通',
      ]);
      await demo.close();
      const fresh = await env.open();
      expect(await fresh.departments.list()).toHaveLength(8);
    });

    it('starts without departments when not seeded', async () => {
      const store = await env.open();
      expect(await store.departments.list()).toEqual([]);
      expect(await store.area.get()).toBeUndefined();
    });

    it('keeps one area row and returns it before and after', async () => {
      const store = await env.open();
      const first = await store.area.set({ name: '楚雄市', code: '532301', lat: 25.03, lon: 101.55 });
      expect(first.before).toBeUndefined();
      const second = await store.area.set({ name: '楚雄市', code: '532301', lat: 25.04, lon: 101.56 });
      expect(second.before).toMatchObject({ lat: 25.03 });
      expect(await store.area.get()).toMatchObject({ name: '楚雄市', code: '532301', lat: 25.04, lon: 101.56 });
    });

    it('creates townships with codes and 街道, refuses a taken code naming the field, writes nothing', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const street = await store.townships.create({
        id: 'tw-1',
        name: '鹿城街道',
        nameEn: '',
        code: '532301001',
        kind: 'subdistrict',
        lat: 25.05,
        lon: 101.55,
      });
      expect(street).toMatchObject({ kind: 'subdistrict', code: '532301001', enabled: true, approximate: false });
      const err = await errorOf(() =>
        store.townships.create({ id: 'tw-2', name: 'x', nameEn: '', code: '532301001', kind: 'town', lat: 1, lon: 1 }),
      );
      expect(err.toBody()).toMatchObject({ code: 'conflict', field: 'code' });
      expect(await store.townships.get('tw-2')).toBeUndefined();
      expect((await store.townships.list()).at(-1)?.id).toBe('tw-1');
    });

    it('pages and searches with a total, in listing order', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const page = await store.townships.page({ page: 2, pageSize: 4 });
      expect(page.total).toBe(15);
      expect(page.items.map((t) => t.id)).toEqual(['donghua', 'ziwu', 'cangling', 'sanjie']);
      const search = await store.townships.page({ q: '乡', page: 1, pageSize: 50 });
      expect(search.items.map((t) => t.id)).toEqual(['shuju', 'daguokou', 'dadiji']);
      expect(search.total).toBe(3);
      // % and _ are literal in a search.
      expect((await store.townships.page({ q: '%', page: 1, pageSize: 50 })).total).toBe(0);
      expect((await store.users.page({ q: 'LU', page: 1, pageSize: 10 })).items.map((u) => u.username)).toEqual([
        'lucheng',
        'xishelu',
      ]);
    });

    it('disables and enables with before/after, and filters by enabled', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const change = await store.townships.setEnabled('dadiji', false);
      expect([change.before.enabled, change.after.enabled]).toEqual([true, false]);
      expect((await store.townships.page({ page: 1, pageSize: 50, enabled: false })).items.map((t) => t.id)).toEqual([
        'dadiji',
      ]);
      expect((await store.townships.page({ page: 1, pageSize: 50, enabled: true })).total).toBe(14);
      expect(await errorOf(() => store.townships.setEnabled('nowhere', false))).toMatchObject({ code: 'not_found' });
    });

    it('keeps village names unique per township and codes unique everywhere', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const base = {
        kind: 'village' as const,
        code: null,
        contactName: '李四',
        contactMobile: '13800138000',
        lat: null,
        lon: null,
      };
      await store.villages.create({ ...base, id: 'v1', townshipId: 'zixi', name: '新村' });
      // The same name in another township is a different village.
      await store.villages.create({ ...base, id: 'v2', townshipId: 'lvhe', name: '新村' });
      const dup = await errorOf(() => store.villages.create({ ...base, id: 'v3', townshipId: 'zixi', name: '新村' }));
      expect(dup.toBody()).toMatchObject({ code: 'conflict', field: 'name' });
      const moved = await errorOf(() => store.villages.update('v2', { townshipId: 'zixi' }));
      expect(moved.toBody()).toMatchObject({ code: 'conflict', field: 'name' });
      const { before, after } = await store.villages.update('v1', { contactMobile: '13900139000' });
      expect([before.contactMobile, after.contactMobile]).toEqual(['13800138000', '13900139000']);
      expect((await store.villages.listByTownship('zixi')).map((v) => v.id)).toEqual(['v1']);
      const unknown = await errorOf(() =>
        store.villages.create({ ...base, id: 'v4', townshipId: 'atlantis', name: 'x' }),
      );
      expect(unknown.code).toBe('bad_request');
    });
  });

  describe('accounts and devices', () => {
    it('creates department accounts bound to a department; the role needs one', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const user = await store.users.create({
        id: 'u-sw',
        username: 'shuiwu',
        displayName: '水务局值班',
        role: 'department',
        townshipId: null,
        departmentId: 'dp-sw',
        phone: '13700137000',
        passwordHash: 'h',
      });
      expect(user).toMatchObject({ role: 'department', departmentId: 'dp-sw', enabled: true, phone: '13700137000' });
      const without = await errorOf(() =>
        store.users.create({
          id: 'u-x',
          username: 'x1',
          displayName: 'x',
          role: 'department',
          townshipId: null,
          passwordHash: 'h',
        }),
      );
      expect(without.code).toBe('bad_request');
      const change = await store.users.setEnabled('u-sw', false);
      expect(change.after.enabled).toBe(false);
      expect((await store.users.findByUsername('shuiwu'))?.enabled).toBe(false);
    });

    it('owns terminals by a township or a department; a taken extension is a conflict naming the field', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw', sipRealm: 'beacon' } });
      const phone = await store.terminals.create({
        id: 'ph-sw',
        kind: 'sip_phone',
        name: '水务局电话',
        townshipId: null,
        departmentId: 'dp-sw',
        extension: '8101',
        sip: sipHashes('8101', 'beacon', 'secret-1'),
      });
      expect(phone).toMatchObject({ townshipId: null, departmentId: 'dp-sw', enabled: true });
      expect((await store.terminals.listByDepartment('dp-sw')).map((t) => t.id)).toEqual(['ph-sw']);
      const dup = await errorOf(() =>
        store.terminals.create({
          id: 'ph-dup',
          kind: 'sip_phone',
          name: 'dup',
          townshipId: 'zixi',
          departmentId: null,
          extension: '8001',
        }),
      );
      expect(dup.toBody()).toMatchObject({ code: 'conflict', field: 'extension' });
      expect(await store.terminals.get('ph-dup')).toBeUndefined();
      const renumber = await errorOf(() => store.terminals.update('ph-sw', { extension: '8002' }));
      expect(renumber.toBody()).toMatchObject({ code: 'conflict', field: 'extension' });
    });

    it('drops a disabled phone from the SIP subscribers and from extension look-ups', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      expect((await store.terminals.sipSubscribers()).map((s) => s.username)).toContain('8003');
      await store.terminals.setEnabled('ph-lvhe', false);
      expect((await store.terminals.sipSubscribers()).map((s) => s.username)).not.toContain('8003');
      expect(await store.terminals.findPhoneByExtension('8003')).toBeUndefined();
      await store.terminals.setEnabled('ph-lvhe', true);
      expect((await store.terminals.sipSubscribers()).map((s) => s.username)).toContain('8003');
    });

    it('changes rooms: a taken dial number is a conflict; a disabled room answers no dial number', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw' } });
      const taken = await errorOf(() => store.rooms.update('emergency-drill', { dialNumber: '6001' }));
      expect(taken.toBody()).toMatchObject({ code: 'conflict', field: 'dialNumber' });
      const { after } = await store.rooms.update('emergency-drill', { pin: '87654321', title: '演练' });
      expect(after).toMatchObject({ pin: '87654321', title: '演练', dialNumber: '6002' });
      await store.rooms.setEnabled('emergency-drill', false);
      expect(await store.rooms.findByDialNumber('6002')).toBeUndefined();
      expect((await store.rooms.page({ q: '600', page: 1, pageSize: 10 })).total).toBe(2);
    });
  });

  it('migrates a demo store from before the organisation, keeping rows, order and references', async () => {
    const db = await env.connect();
    await migrate(db, migrations.slice(0, 4));
    await seedAsOldRelease(db, 'pw');
    await db.run(
      "INSERT INTO rooms (id, title, kind, created_at, created_by) VALUES ('r', 'r', 'meeting', 'x', 'u-duty')",
    );
    await db.close();
    const store = await env.open({ seed: { demoPassword: 'pw' } });
    expect((await store.townships.list()).map((t) => t.id).slice(0, 3)).toEqual(['lucheng', 'donggua', 'lvhe']);
    expect((await store.terminals.list()).map((t) => t.id).slice(0, 2)).toEqual(['vt-lucheng', 'ph-lucheng']);
    expect(await store.users.findById('u-duty')).toMatchObject({ enabled: true, departmentId: null, phone: null });
    expect(await store.rooms.get('r')).toMatchObject({ createdBy: 'u-duty', enabled: true });
    // References still hold after the rebuild: an unknown township is refused.
    const err = await errorOf(() =>
      store.users.create({
        id: 'u-y',
        username: 'y1',
        displayName: 'y',
        role: 'township',
        townshipId: 'atlantis',
        passwordHash: 'h',
      }),
    );
    expect(err.code).toBe('bad_request');
  });
});
