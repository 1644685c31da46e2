/** Migration 10 (departments in the command) on an install with warnings, acks and tasks already in it. */
import { describe, expect, it } from 'vitest';
import { migrate, migrations } from './migrations.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

describeStoreBackends((env) => {
  describe('migration 10: departments as addressees', () => {
    it('keeps every delivery, ack and task, then takes department lines beside township ones', async () => {
      const db = await env.connect();
      const before = migrations.findIndex((m) => typeof m !== 'string' && m.sqlite.includes('CREATE TABLE tasks_v10'));
      expect(before).toBeGreaterThan(0);
      await migrate(db, migrations.slice(0, before));
      const at = '2026-12-01T08:00:00.000Z';
      const expires = '2026-12-01T20:00:00.000Z';
      await db.run(
        `INSERT INTO townships (id, name, name_en, kind, lat, lon, approximate) VALUES (?, ?, ?, 'town', 25, 101.5, 1)`,
        ['lucheng', '鹿城镇', 'Lucheng'],
      );
      await db.run(
        `INSERT INTO departments (id, name, short_name, duty_phone, enabled, created_at) VALUES (?, ?, ?, NULL, 1, ?)`,
        ['dp-sw', '楚雄市水务局', '水务', at],
      );
      await db.run(
        `INSERT INTO warnings (id, identifier, sender, event, colour, urgency, severity, certainty, headline,
           description, instruction, area, area_desc, effective, expires, status, incident_id, affected_townships,
           escalation_minutes, created_at, created_by, issued_at, issued_by)
         VALUES ('w1', 'beacon-w1', 's', '暴雨', 'orange', 'Expected', 'Severe', 'Likely', '暴雨橙色预警', '', '',
           '{"type":"circle","center":[25,101.5],"radiusKm":5}', '', ?, ?, 'issued', NULL, '["lucheng"]', 10, ?,
           'u-duty', ?, 'u-duty')`,
        [at, expires, at, at],
      );
      await db.run(
        `INSERT INTO alert_deliveries (warning_id, township_id, delivered_at, acked_at, acked_by, acked_by_name, channel,
           notify_count, last_notified_at, covered_share)
         VALUES ('w1', 'lucheng', ?, ?, 'u-lucheng', '鹿城镇', 'phone', 2, ?, 0.5)`,
        [at, at, at],
      );
      await db.run(
        `INSERT INTO tasks (id, batch_id, township_id, text, deadline, incident_id, status, note, created_at, created_by,
           acked_at, done_at)
         VALUES ('t1', 'b1', 'lucheng', '巡查', ?, NULL, 'acknowledged', NULL, ?, 'u-duty', ?, NULL)`,
        [expires, at, at],
      );

      expect((await migrate(db))[0]).toBe(before + 1);

      expect(await db.all('SELECT * FROM alert_deliveries')).toEqual([
        expect.objectContaining({
          warning_id: 'w1',
          township_id: 'lucheng',
          department_id: null,
          acked_by: 'u-lucheng',
          channel: 'phone',
          notify_count: 2,
          covered_share: 0.5,
        }),
      ]);
      expect(await db.get('SELECT id, township_id, department_id, status, acked_at FROM tasks')).toEqual({
        id: 't1',
        township_id: 'lucheng',
        department_id: null,
        status: 'acknowledged',
        acked_at: at,
      });
      expect(await db.get('SELECT department_ids FROM warnings')).toEqual({ department_ids: '[]' });

      // The new shape: a department's line beside the township's, once; a task to exactly one addressee.
      const deliver = (departmentId: string) =>
        db.run(
          `INSERT INTO alert_deliveries (warning_id, department_id, notify_count, last_notified_at)
           VALUES ('w1', ?, 1, ?) ON CONFLICT DO NOTHING`,
          [departmentId, at],
        );
      expect((await deliver('dp-sw')).changes).toBe(1);
      expect((await deliver('dp-sw')).changes).toBe(0);
      await expect(deliver('dp-nope')).rejects.toThrow();
      await expect(
        db.run(
          `INSERT INTO tasks (id, batch_id, township_id, department_id, text, deadline, status, created_at, created_by)
           VALUES ('t2', 'b2', 'lucheng', 'dp-sw', 'x', ?, 'sent', ?, 'u-duty')`,
          [expires, at],
        ),
      ).rejects.toThrow();
      await expect(
        db.run(
          `INSERT INTO tasks (id, batch_id, text, deadline, status, created_at, created_by)
           VALUES ('t3', 'b3', 'x', ?, 'sent', ?, 'u-duty')`,
          [expires, at],
        ),
      ).rejects.toThrow();
      expect(await db.all('SELECT id FROM tasks')).toEqual([{ id: 't1' }]);
    });
  });
});
