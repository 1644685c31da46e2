/** The station registry (监测站点): administered like the other kinds (paged, updated with before/after, enabled). */
import type { StationKind, StationThresholds, StationView } from '@beacon/protocol';
import { BeaconError } from '@beacon/protocol';
import { columnsOf, pageRows, rethrowConstraint, updateRow } from './adminQueries.ts';
import { constraintOf, type SqlQueries, type SqlValue } from './sqlDb.ts';
import type { StationRepository } from './stationTypes.ts';

interface StationRow {
  id: string;
  name: string;
  kind: StationKind;
  lat: number;
  lon: number;
  township_id: string;
  owner_township_id: string | null;
  owner_department_id: string | null;
  thresholds: string;
  warning_level: number | null;
  guaranteed_level: number | null;
  interval_seconds: number;
  alert_radius_km: number;
  token_hash: string;
  mqtt_hash: string;
  enabled: number;
  created_at: string;
}

const toStation = (r: StationRow): StationView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  lat: r.lat,
  lon: r.lon,
  townshipId: r.township_id,
  ownerTownshipId: r.owner_township_id,
  ownerDepartmentId: r.owner_department_id,
  thresholds: JSON.parse(r.thresholds) as StationThresholds,
  warningLevel: r.warning_level,
  guaranteedLevel: r.guaranteed_level,
  intervalSeconds: r.interval_seconds,
  alertRadiusKm: r.alert_radius_km,
  enabled: r.enabled === 1,
  createdAt: r.created_at,
});

const STATION_COLUMNS = {
  name: 'name',
  kind: 'kind',
  lat: 'lat',
  lon: 'lon',
  townshipId: 'township_id',
  ownerTownshipId: 'owner_township_id',
  ownerDepartmentId: 'owner_department_id',
  thresholds: 'thresholds',
  warningLevel: 'warning_level',
  guaranteedLevel: 'guaranteed_level',
  intervalSeconds: 'interval_seconds',
  alertRadiusKm: 'alert_radius_km',
  enabled: 'enabled',
};

export function stationRepository(db: SqlQueries): StationRepository {
  const spec = { table: 'stations', what: 'station', toView: toStation };
  const get = async (id: string) => {
    const row = await db.get<StationRow>('SELECT * FROM stations WHERE id = ?', [id]);
    return row && toStation(row);
  };
  return {
    get,
    list: async () => (await db.all<StationRow>('SELECT * FROM stations ORDER BY rowid')).map(toStation),
    page: async (query) => {
      const page = await pageRows<StationRow>(
        db,
        { from: 'stations', search: ['id', 'name', 'township_id'], orderBy: 'rowid' },
        query,
      );
      return { total: page.total, items: page.items.map(toStation) };
    },
    create: async (input) => {
      try {
        await db.run(
          `INSERT INTO stations (id, name, kind, lat, lon, township_id, owner_township_id, owner_department_id,
             thresholds, warning_level, guaranteed_level, interval_seconds, alert_radius_km, token_hash, mqtt_hash,
             enabled, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`,
          [
            input.id,
            input.name,
            input.kind,
            input.lat,
            input.lon,
            input.townshipId,
            input.ownerTownshipId,
            input.ownerDepartmentId,
            JSON.stringify(input.thresholds),
            input.warningLevel,
            input.guaranteedLevel,
            input.intervalSeconds,
            input.alertRadiusKm,
            input.tokenHash,
            input.mqttHash,
            new Date().toISOString(),
          ],
        );
      } catch (err) {
        if (constraintOf(err) === 'primary_key' || constraintOf(err) === 'unique') {
          throw BeaconError.conflict('id', `站点编号“${input.id}”已被使用 / station id "${input.id}" is taken`);
        }
        rethrowConstraint(err, 'id', 'station');
      }
      return (await get(input.id)) as StationView;
    },
    update: (id, patch) => {
      const set: Record<string, SqlValue> = columnsOf(
        {
          ...patch,
          thresholds: patch.thresholds === undefined ? undefined : JSON.stringify(patch.thresholds),
          enabled: patch.enabled === undefined ? undefined : patch.enabled ? 1 : 0,
        },
        STATION_COLUMNS,
      );
      return updateRow(db, spec, id, set).catch((err: unknown) => rethrowConstraint(err, 'id', 'station'));
    },
    setEnabled: (id, enabled) => updateRow(db, spec, id, { enabled: enabled ? 1 : 0 }),
    setSecrets: async (id, { tokenHash, mqttHash }) => {
      const { changes } = await db.run('UPDATE stations SET token_hash = ?, mqtt_hash = ? WHERE id = ?', [
        tokenHash,
        mqttHash,
        id,
      ]);
      if (changes === 0) throw BeaconError.notFound('station');
    },
    tokenHash: async (id) =>
      (await db.get<{ token_hash: string }>('SELECT token_hash FROM stations WHERE id = ? AND enabled = 1', [id]))
        ?.token_hash,
    mqttCredentials: async () =>
      (
        await db.all<{ id: string; mqtt_hash: string }>(
          'SELECT id, mqtt_hash FROM stations WHERE enabled = 1 ORDER BY rowid',
        )
      ).map((r) => ({ id: r.id, mqttHash: r.mqtt_hash })),
    raiseDraft: async (warningId, p) =>
      (
        await db.run(
          `UPDATE warnings SET colour = ?, severity = ?, headline = ?, description = ? WHERE id = ? AND status = 'draft'`,
          [p.colour, p.severity, p.headline, p.description, warningId],
        )
      ).changes === 1,
  };
}
