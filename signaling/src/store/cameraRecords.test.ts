/** GB/T 28181 devices and channels on both backends: HA1 only under the realm, catalog replacement, cascade. */
import { describe, expect, it } from 'vitest';
import { describeStoreBackends } from './testing/storeBackends.ts';

const DEVICE = '34020000001320000001';
const channel = (n: number, extra: Partial<{ lon: number | null; lat: number | null }> = {}) => ({
  channelId: `3402000000131000000${n}`,
  name: `通道${n}`,
  typeCode: '131',
  manufacturer: 'Sim',
  model: null,
  address: null,
  lon: 101.5,
  lat: 25.0,
  reportedOnline: true,
  ...extra,
});

describeStoreBackends((env) => {
  describe('GB/T 28181 devices', () => {
    it('keeps the digest HA1 per realm and only for enabled devices', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      const created = await store.cameras.createDevice({
        id: DEVICE,
        name: 'NVR',
        townshipId: 'lucheng',
        realm: '3402000000',
        ha1: 'a'.repeat(32),
      });
      expect(created).toMatchObject({ id: DEVICE, townshipId: 'lucheng', enabled: true });
      expect(await store.cameras.digestHa1(DEVICE, '3402000000')).toBe('a'.repeat(32));
      expect(await store.cameras.digestHa1(DEVICE, '1100000000')).toBeUndefined();
      await store.cameras.updateDevice(DEVICE, { enabled: false });
      expect(await store.cameras.digestHa1(DEVICE, '3402000000')).toBeUndefined();
      await expect(
        store.cameras.createDevice({ id: DEVICE, name: 'x', townshipId: null, realm: 'r', ha1: 'b' }),
      ).rejects.toMatchObject({ code: 'conflict' });
      await expect(
        store.cameras.createDevice({
          id: '34020000001320000002',
          name: 'x',
          townshipId: 'nowhere',
          realm: 'r',
          ha1: 'b',
        }),
      ).rejects.toMatchObject({ code: 'bad_request' });
    });

    it('replaces a device channels with its latest catalog and drops them with the device', async () => {
      const store = await env.open({ seed: { demoPassword: 'beacon2026' } });
      await store.cameras.createDevice({ id: DEVICE, name: 'NVR', townshipId: null, realm: 'r', ha1: 'h' });
      await store.cameras.replaceChannels(DEVICE, [channel(1), channel(2, { lon: null, lat: null })]);
      expect((await store.cameras.listChannels()).map((c) => c.channelId)).toEqual([
        '34020000001310000001',
        '34020000001310000002',
      ]);
      expect(await store.cameras.getChannel('34020000001310000002')).toMatchObject({ lon: null, lat: null });
      await store.cameras.replaceChannels(DEVICE, [channel(3)]);
      expect((await store.cameras.listChannels()).map((c) => c.channelId)).toEqual(['34020000001310000003']);
      expect(await store.cameras.deleteDevice(DEVICE)).toBe(true);
      expect(await store.cameras.listChannels()).toEqual([]);
      expect(await store.cameras.deleteDevice(DEVICE)).toBe(false);
    });
  });
});
