/**
 * The command desks with departments as addressees (部门联动), on a real store: a department reads and
 * acknowledges what is addressed to it, never another department's or a township's (coded, nothing changed);
 * unknown and disabled departments are refused before anything is stored.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import { sampleWarningForm } from '../store/testing/sampleWarnings.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { CommandBus, type CommandEvents } from './CommandBus.ts';
import { EmergencyMeeting } from './EmergencyMeeting.ts';
import { Escalation } from './Escalation.ts';
import { IncidentDesk } from './IncidentDesk.ts';
import { TaskDesk } from './TaskDesk.ts';
import { actor, codeOf } from './testing/actors.ts';
import { WarningDesk } from './WarningDesk.ts';

const duty = actor('u-duty', 'duty_officer');
const water = actor('u-sw', 'department', { departmentId: 'dp-sw' });
const police = actor('u-ga', 'department', { departmentId: 'dp-ga' });
const lucheng = actor('u-lucheng', 'township', { townshipId: 'lucheng' });
const HOUR = 3_600_000;

describeStoreBackends((env) => {
  let store: Store;
  let bus: CommandBus;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    bus = new CommandBus(store);
  });

  describe('tasks to departments', () => {
    it('keeps a department’s task private: listed, acked and done by that department only', async () => {
      const tasks = new TaskDesk(bus);
      const created = await tasks.create(duty, {
        townshipIds: ['lucheng'],
        departmentIds: ['dp-sw'],
        text: '核查水库水位',
        deadline: new Date(Date.now() + HOUR).toISOString(),
        incidentId: null,
      });
      const task = created.find((t) => t.departmentId === 'dp-sw');
      expect(task).toMatchObject({ townshipId: null, status: 'sent' });
      const id = task?.id as string;

      expect((await tasks.list(water, {})).map((t) => t.id)).toEqual([id]);
      expect(await tasks.list(police, {})).toEqual([]);
      expect((await tasks.list(lucheng, {})).map((t) => t.departmentId)).toEqual([null]);
      expect(await codeOf(tasks.list(police, { departmentId: 'dp-sw' }))).toBe('forbidden');
      expect(await codeOf(tasks.list(water, { townshipId: 'lucheng' }))).toBe('forbidden');
      for (const other of [police, lucheng, duty]) expect(await codeOf(tasks.ack(other, id))).toBe('forbidden');
      expect(await codeOf(tasks.done(police, id, 'x'))).toBe('forbidden');
      expect((await store.tasks.get(id))?.status).toBe('sent');

      expect(await tasks.ack(water, id)).toMatchObject({ status: 'acknowledged' });
      expect(await tasks.done(water, id, '正常')).toMatchObject({ status: 'done', note: '正常' });
    });

    it('refuses an unknown or disabled department, and no addressee at all, storing nothing', async () => {
      const tasks = new TaskDesk(bus);
      await store.departments.setEnabled('dp-jt', false);
      const draft = { text: 'x', deadline: new Date(Date.now() + HOUR).toISOString(), incidentId: null };
      expect(await codeOf(tasks.create(duty, { ...draft, townshipIds: ['lucheng'], departmentIds: ['dp-jt'] }))).toBe(
        'bad_request',
      );
      expect(await codeOf(tasks.create(duty, { ...draft, townshipIds: [], departmentIds: ['dp-nope'] }))).toBe(
        'bad_request',
      );
      expect(await codeOf(tasks.create(duty, { ...draft, townshipIds: [], departmentIds: [] }))).toBe('bad_request');
      expect(await codeOf(tasks.create(water, { ...draft, townshipIds: [], departmentIds: ['dp-sw'] }))).toBe(
        'forbidden',
      );
      expect(await store.tasks.list()).toEqual([]);
    });
  });

  describe('warnings to departments', () => {
    it('alerts the departments chosen by hand beside the townships; each acks its own line only', async () => {
      const warnings = new WarningDesk(bus);
      const alerts: CommandEvents['alert'][0][] = [];
      bus.on('alert', (event) => alerts.push(event));
      const draft = await warnings.create(duty, sampleWarningForm({ departmentIds: ['dp-sw'] }));
      await warnings.issue(duty, draft.id);
      expect(alerts.flatMap((a) => a.departmentIds)).toEqual(['dp-sw']);
      expect(alerts.flatMap((a) => a.townshipIds).sort()).toEqual(['donggua', 'lucheng']);
      expect((await warnings.pendingAlerts({ kind: 'department', id: 'dp-sw' })).map((a) => a.warningId)).toEqual([
        draft.id,
      ]);

      expect(await codeOf(warnings.ack(police, draft.id))).toBe('not_found');
      expect(await codeOf(warnings.ack(duty, draft.id))).toBe('forbidden');
      expect(await warnings.board(police, draft.id)).toEqual([]);
      const row = await warnings.ack(water, draft.id);
      expect(row).toMatchObject({ departmentId: 'dp-sw', townshipId: null, ackedBy: 'u-sw' });
      expect(await warnings.board(water, draft.id)).toEqual([row]);
      const board = await warnings.board(duty, draft.id);
      expect(board.filter((r) => r.ackedAt !== null)).toEqual([row]);
    });

    it('escalates to a department that has not acknowledged, like a township', async () => {
      const warnings = new WarningDesk(bus);
      const draft = await warnings.create(
        duty,
        sampleWarningForm({ escalationMinutes: 1, departmentIds: ['dp-sw', 'dp-ga'] }),
      );
      await warnings.issue(duty, draft.id);
      await warnings.ack(police, draft.id);
      const alerts: CommandEvents['alert'][0][] = [];
      bus.on('alert', (event) => alerts.push(event));
      const escalation = new Escalation(bus, { tickMs: HOUR });
      try {
        await escalation.tick(new Date(Date.now() + 2 * 60_000));
      } finally {
        escalation.stop();
      }
      expect(alerts.flatMap((a) => a.departmentIds)).toEqual(['dp-sw']);
      const lines = await warnings.board(duty, draft.id);
      expect(lines.find((r) => r.departmentId === 'dp-sw')?.notifyCount).toBe(2);
      expect(lines.find((r) => r.departmentId === 'dp-ga')?.notifyCount).toBe(1);
    });
  });

  describe('incidents and meetings with departments', () => {
    it('involves departments (staff only, enabled ones) and invites them to the emergency meeting', async () => {
      const incidents = new IncidentDesk(bus);
      const incident = await incidents.create(duty, {
        type: 'flood',
        level: 'III',
        title: '龙川江水位超警',
        description: '',
        reporter: '',
        townshipId: 'lucheng',
        location: [25.04, 101.54],
        departmentIds: ['dp-sw'],
      });
      expect(incident.departmentIds).toEqual(['dp-sw']);
      expect(await codeOf(incidents.setDepartments(water, incident.id, ['dp-ga']))).toBe('forbidden');
      await store.departments.setEnabled('dp-jt', false);
      expect(await codeOf(incidents.setDepartments(duty, incident.id, ['dp-jt']))).toBe('bad_request');
      expect((await incidents.get(incident.id)).departmentIds).toEqual(['dp-sw']);
      expect((await incidents.setDepartments(duty, incident.id, ['dp-sw', 'dp-ga'])).departmentIds).toEqual([
        'dp-sw',
        'dp-ga',
      ]);

      const invites: CommandEvents['invite'][0][] = [];
      bus.on('invite', (event) => invites.push(event));
      const meetings = new EmergencyMeeting({ bus, sip: new SipBridge({ store, realm: 'beacon' }) });
      expect(
        await codeOf(
          meetings.start(duty, {
            title: 'x',
            townshipIds: [],
            departmentIds: ['dp-jt'],
            incidentId: null,
            source: {},
          }),
        ),
      ).toBe('bad_request');
      const result = await meetings.start(duty, {
        title: '会商',
        townshipIds: ['lucheng'],
        departmentIds: ['dp-sw'],
        incidentId: incident.id,
        source: { incidentId: incident.id },
      });
      expect(result.invitedDepartmentIds).toEqual(['dp-sw']);
      expect(invites).toEqual([expect.objectContaining({ townshipIds: ['lucheng'], departmentIds: ['dp-sw'] })]);
      expect((await store.roomMembers.get(result.roomId)).members).toEqual(
        expect.arrayContaining([
          { kind: 'township', id: 'lucheng' },
          { kind: 'department', id: 'dp-sw' },
        ]),
      );
    });
  });
});
