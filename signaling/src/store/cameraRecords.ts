/** GB/T 28181 devices and channels (migration `// 21`): the admin's registry and each device's last catalog. */
import { BeaconError } from '@beacon/protocol';
import { rethrowConstraint } from './adminQueries.ts';
import type { CameraChannelRecord, CameraDeviceView, CameraRepository } from './cameraTypes.ts';
import type { SqlQueries, SqlValue } from './sqlDb.ts';

interface DeviceRow {
  id: string;
  name: string;
  township_id: string | null;
  enabled: number;
  created_at: string;
}

interface ChannelRow {
  device_id: string;
  channel_id: string;
  name: string;
  type_code: string;
  manufacturer: string | null;
  model: string | null;
  address: string | null;
  lon: number | null;
  lat: number | null;
  reported_online: number;
  updated_at: string;
}

const DEVICE_COLUMNS = 'id, name, township_id, enabled, created_at';

const toDevice = (r: DeviceRow): CameraDeviceView => ({
  id: r.id,
  name: r.name,
  townshipId: r.township_id,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
});

const toChannel = (r: ChannelRow): CameraChannelRecord => ({
  deviceId: r.device_id,
  channelId: r.channel_id,
  name: r.name,
  typeCode: r.type_code,
  manufacturer: r.manufacturer,
  model: r.model,
  address: r.address,
  lon: r.lon,
  lat: r.lat,
  reportedOnline: r.reported_online === 1,
  updatedAt: r.updated_at,
});

export function cameraRepository(db: SqlQueries): CameraRepository {
  const getDevice = async (id: string) => {
    const row = await db.get<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM gb_devices WHERE id = ?`, [id]);
    return row ? toDevice(row) : undefined;
  };
  return {
    async listDevices() {
      return (await db.all<DeviceRow>(`SELECT ${DEVICE_COLUMNS} FROM gb_devices ORDER BY created_at, id`)).map(
        toDevice,
      );
    },
    getDevice,
    async createDevice(input) {
      if (await getDevice(input.id)) throw BeaconError.conflict('id', `device ${input.id} already exists`);
      try {
        await db.run(
          'INSERT INTO gb_devices (id, name, township_id, realm, ha1, enabled, created_at) VALUES (?, ?, ?, ?, ?, 1, ?)',
          [input.id, input.name, input.townshipId, input.realm, input.ha1, new Date().toISOString()],
        );
      } catch (err) {
        rethrowConstraint(err, 'id', 'GB/T 28181 device');
      }
      return (await getDevice(input.id)) as CameraDeviceView;
    },
    async updateDevice(id, patch) {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      const put = (column: string, value: SqlValue) => {
        sets.push(`${column} = ?`);
        params.push(value);
      };
      if (patch.name !== undefined) put('name', patch.name);
      if (patch.townshipId !== undefined) put('township_id', patch.townshipId);
      if (patch.enabled !== undefined) put('enabled', patch.enabled ? 1 : 0);
      if (patch.realm !== undefined) put('realm', patch.realm);
      if (patch.ha1 !== undefined) put('ha1', patch.ha1);
      if (sets.length > 0) {
        try {
          await db.run(`UPDATE gb_devices SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
        } catch (err) {
          rethrowConstraint(err, 'id', 'GB/T 28181 device');
        }
      }
      return getDevice(id);
    },
    async deleteDevice(id) {
      await db.run('DELETE FROM gb_channels WHERE device_id = ?', [id]);
      return (await db.run('DELETE FROM gb_devices WHERE id = ?', [id])).changes > 0;
    },
    async digestHa1(id, realm) {
      const row = await db.get<{ ha1: string }>(
        'SELECT ha1 FROM gb_devices WHERE id = ? AND realm = ? AND enabled = 1',
        [id, realm],
      );
      return row?.ha1;
    },
    async replaceChannels(deviceId, channels) {
      const now = new Date().toISOString();
      await db.transaction(async (tx) => {
        await tx.run('DELETE FROM gb_channels WHERE device_id = ?', [deviceId]);
        for (const c of channels) {
          await tx.run(
            `INSERT INTO gb_channels (device_id, channel_id, name, type_code, manufacturer, model, address, lon, lat,
               reported_online, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            [
              deviceId,
              c.channelId,
              c.name,
              c.typeCode,
              c.manufacturer,
              c.model,
              c.address,
              c.lon,
              c.lat,
              c.reportedOnline ? 1 : 0,
              now,
            ],
          );
        }
      });
    },
    async listChannels() {
      return (await db.all<ChannelRow>('SELECT * FROM gb_channels ORDER BY device_id, channel_id')).map(toChannel);
    },
    async getChannel(channelId) {
      const row = await db.get<ChannelRow>(
        'SELECT * FROM gb_channels WHERE channel_id = ? ORDER BY device_id LIMIT 1',
        [channelId],
      );
      return row ? toChannel(row) : undefined;
    },
  };
}
