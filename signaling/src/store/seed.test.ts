/** What a fresh store is given: the demo city (its published password must change) or only the admin. */
import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { sipHashes } from '../auth/sipDigest.ts';
import { migrate } from './migrations.ts';
import { seedAsOldRelease } from './testing/legacySeed.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  describe('demo seed', () => {
    it('makes every demo account change the published password at first sign-in', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw-demo' } });
      const users = await store.users.list();
      expect(users).toHaveLength(18);
      expect(users.filter((u) => !u.mustChangePassword).map((u) => u.username)).toEqual([]);
      expect((await store.departments.list()).length).toBeGreaterThan(0);
    });

    it('leaves the demo password chosen only when a test fixture says so', async () => {
      const store = await env.open({ seed: { demoPassword: 'pw-demo', demoPasswordChosen: true } });
      const users = await store.users.list();
      expect(users.filter((u) => u.mustChangePassword)).toEqual([]);
      expect(await verifyPassword('pw-demo', users[0]?.passwordHash ?? '')).toBe(true);
    });
  });

  describe('a demo store an older release seeded', () => {
    it('flags the demo accounts still on the published password, not those that changed it', async () => {
      const db = await env.connect();
      await migrate(db);
      await seedAsOldRelease(db, 'beacon2026');
      // Older releases gave the demo phones the published password too: that is how such a store is recognised.
      const phone = sipHashes('8001', 'beacon', 'beacon2026');
      await db.run("UPDATE terminals SET sip_ha1 = ?, sip_ha1b = ? WHERE id = 'ph-lucheng'", [phone.ha1, phone.ha1b]);
      await db.run("UPDATE users SET password_hash = ? WHERE id = 'u-chair'", [await hashPassword('chosen-by-chair')]);
      await db.close();

      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      const users = await store.users.list();
      expect(users.filter((u) => !u.mustChangePassword).map((u) => u.username)).toEqual(['chair']);
      const [subscriber] = await store.terminals.sipSubscribers();
      expect(subscriber?.username).toBe('8001');
      expect(subscriber?.ha1).not.toBe(phone.ha1);
    });

    it('leaves a store this release seeded as it is on reopening', async () => {
      const first = await env.open({ seed: { demoPassword: 'beacon2026', demoPasswordChosen: true } });
      await first.close();
      const again = await env.open({ seed: { demoPassword: 'beacon2026' } });
      expect((await again.users.list()).filter((u) => u.mustChangePassword)).toEqual([]);
    });
  });

  describe('initial admin (no demo)', () => {
    it('seeds only the admin, flagged, and says so once the row is written', async () => {
      const seeded: string[] = [];
      const store = await env.open({
        initialAdmin: { password: 'abcd-efgh-jkmn-pqrs', onSeeded: () => void seeded.push('admin') },
      });
      const users = await store.users.list();
      expect(users.map((u) => [u.id, u.username, u.role, u.mustChangePassword])).toEqual([
        ['u-admin', 'admin', 'admin', true],
      ]);
      expect(await verifyPassword('abcd-efgh-jkmn-pqrs', users[0]?.passwordHash ?? '')).toBe(true);
      expect(seeded).toEqual(['admin']);
      // No demo city: no townships, terminals, rooms or departments.
      expect(await store.townships.list()).toEqual([]);
      expect(await store.terminals.list()).toEqual([]);
      expect(await store.rooms.list()).toEqual([]);
      expect(await store.departments.list()).toEqual([]);
    });

    it('never makes a second one: not on a restart, nor once the admin was renamed or disabled', async () => {
      const first = await env.open({ initialAdmin: { password: 'first-pass-word-1', onSeeded: () => undefined } });
      await first.users.setEnabled('u-admin', false);
      await first.close();
      let called = false;
      const again = await env.open({
        initialAdmin: {
          password: 'second-pass-word-2',
          onSeeded: () => {
            called = true;
          },
        },
      });
      expect(called).toBe(false);
      const users = await again.users.list();
      expect(users).toHaveLength(1);
      expect(await verifyPassword('first-pass-word-1', users[0]?.passwordHash ?? '')).toBe(true);
    });

    it('does not put the demo departments into a store the demo did not seed', async () => {
      const first = await env.open({ initialAdmin: { password: 'first-pass-word-1', onSeeded: () => undefined } });
      await first.close();
      const withDemoOn = await env.open({ seed: { demoPassword: 'pw-demo' } });
      expect(await withDemoOn.departments.list()).toEqual([]);
      expect(await withDemoOn.users.list()).toHaveLength(1);
    });
  });
});
