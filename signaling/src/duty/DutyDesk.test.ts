/**
 * DutyDesk on both backends: the roster with its audit and events, a month
 * imported from a real XLSX file (good, and refused row by row with nothing
 * written), and the handover assembled from open incidents, unacknowledged
 * warnings, overdue tasks and the log, through draft → handed_over → accepted.
 */
import type { BeaconError, HandoverView, IncidentView, WarningView } from '@beacon/protocol';
import ExcelJS from 'exceljs';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '../command/CommandBus.ts';
import type { Store } from '../store/index.ts';
import { sampleWarning } from '../store/testing/sampleWarnings.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { DutyDesk } from './DutyDesk.ts';
import { RosterImportError } from './RosterDesk.ts';

const officer: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: '值班员',
  role: 'duty_officer',
  townshipId: null,
};
const leader: Actor = { userId: 'u-chair', username: 'chair', displayName: '市领导', role: 'chair', townshipId: null };

async function workbook(rows: (string | Date)[][], header = ['日期', '班次', '带班领导', '值班员']): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('排班');
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );

describeStoreBackends((env) => {
  let store: Store;
  let duty: DutyDesk;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    duty = new DutyDesk(store);
  });

  describe('roster', () => {
    it('sets a slot, audits it before/after, tells staff, and shows who is on duty now and next', async () => {
      const months: string[] = [];
      duty.on('roster', ({ month }) => months.push(month));
      const { now } = await duty.roster.now();
      if (!now) throw new Error('the default shifts leave no gap');
      await duty.roster.set(officer, now.day, now.shift, { leaderId: 'u-chair', officerIds: ['u-duty'] });
      await duty.roster.set(officer, now.day, now.shift, { leaderId: 'u-chair', officerIds: ['u-duty', 'u-admin'] });
      expect(months).toEqual([now.day.slice(0, 7), now.day.slice(0, 7)]);

      const view = await duty.roster.now();
      expect(view.timeZone).toBe('Asia/Shanghai');
      expect(view.now?.entry?.leader?.displayName).toBe('市领导');
      expect(view.now?.entry?.officers.map((o) => o.username)).toEqual(['duty', 'admin']);
      expect(view.next.entry).toBeNull();
      expect(Date.parse(view.next.startsAt)).toBe(Date.parse(view.now?.endsAt ?? ''));

      const [latest] = await store.audit.list({ limit: 1 });
      expect(latest).toMatchObject({ action: 'duty.roster.set', actorId: 'u-duty', target: `${now.day}/${now.shift}` });
      const detail = latest?.detail as { before: { officers: unknown[] }; after: { officers: unknown[] } };
      expect(detail.before.officers).toHaveLength(1);
      expect(detail.after.officers).toHaveLength(2);
    });

    it('refuses an unknown shift, a day that does not exist, a township account as officer — changing nothing', async () => {
      const refused = [
        await failure(duty.roster.set(officer, '2026-12-07', 'evening', { leaderId: null, officerIds: ['u-duty'] })),
        await failure(duty.roster.set(officer, '2026-02-30', 'day', { leaderId: null, officerIds: ['u-duty'] })),
        await failure(duty.roster.set(officer, '2026-12-07', 'day', { leaderId: null, officerIds: ['u-lucheng'] })),
        await failure(duty.roster.set(officer, '2026-12-07', 'day', { leaderId: 'u-ghost', officerIds: [] })),
      ];
      expect(refused.map((err) => (err as BeaconError).code)).toEqual([
        'bad_request',
        'bad_request',
        'bad_request',
        'bad_request',
      ]);
      expect(refused.map((err) => (err as BeaconError).field)).toEqual(['shift', 'day', 'officerIds', 'leaderId']);
      expect(await store.duty.roster.month('2026-12')).toEqual([]);
      expect((await store.audit.list()).filter((e) => e.action.startsWith('duty.'))).toEqual([]);
    });
  });

  describe('XLSX month import', () => {
    it('imports a month by usernames or names, date cells or text, shift names or keys, replacing the month', async () => {
      await duty.roster.set(officer, '2026-12-20', 'day', { leaderId: 'u-chair', officerIds: [] });
      const file = await workbook([
        ['2026-12-01', '白班', 'chair', 'duty、admin'],
        [new Date(Date.UTC(2026, 11, 1)), 'night', '市领导', '值班员'],
        [],
        ['2026/12/2', '白班', '', 'duty'],
      ]);
      const dry = await duty.roster.importMonth(officer, '2026-12', file, true);
      expect(dry).toEqual({ month: '2026-12', dryRun: true, slots: 3, replaced: 1 });
      expect(await store.duty.roster.get('2026-12-01', 'day')).toBeUndefined();

      const result = await duty.roster.importMonth(officer, '2026-12', file, false);
      expect(result).toEqual({ month: '2026-12', dryRun: false, slots: 3, replaced: 1 });
      const month = await store.duty.roster.month('2026-12');
      expect(month.map((e) => [e.day, e.shift, e.leader?.userId ?? null, e.officers.map((o) => o.userId)])).toEqual([
        ['2026-12-01', 'day', 'u-chair', ['u-duty', 'u-admin']],
        ['2026-12-01', 'night', 'u-chair', ['u-duty']],
        ['2026-12-02', 'day', null, ['u-duty']],
      ]);
      const [latest] = await store.audit.list({ limit: 1 });
      expect(latest).toMatchObject({ action: 'duty.roster.import', target: '2026-12' });
    });

    it('refuses the file row by row with codes, and writes nothing when one row is bad', async () => {
      await duty.roster.set(officer, '2026-12-20', 'day', { leaderId: 'u-chair', officerIds: [] });
      const file = await workbook([
        ['2026-12-01', '白班', 'chair', 'duty'],
        ['2026-12-01', '白班', 'chair', 'admin'],
        ['2026-13-01', '早班', 'nobody', 'lucheng'],
        ['2027-01-01', '夜班', '', ''],
      ]);
      const err = await failure(duty.roster.importMonth(officer, '2026-12', file, false));
      expect(err).toBeInstanceOf(RosterImportError);
      expect((err as RosterImportError).code).toBe('bad_request');
      expect((err as RosterImportError).rowErrors.map((e) => [e.row, e.column, e.code])).toEqual([
        [3, '日期', 'duplicate_entry'],
        [4, '日期', 'bad_date'],
        [4, '班次', 'unknown_shift'],
        [4, '带班领导', 'unknown_person'],
        [4, '值班员', 'not_eligible'],
        [5, '日期', 'outside_month'],
        [5, '值班员', 'missing_value'],
      ]);
      expect((await store.duty.roster.month('2026-12')).map((e) => e.day)).toEqual(['2026-12-20']);
    });

    it('refuses a file that is not XLSX, or lacks a column', async () => {
      const notXlsx = await failure(duty.roster.importMonth(officer, '2026-12', Buffer.from('日期,班次\n'), false));
      expect((notXlsx as RosterImportError).rowErrors.map((e) => e.code)).toEqual(['not_xlsx']);
      const noColumn = await failure(
        duty.roster.importMonth(
          officer,
          '2026-12',
          await workbook([['2026-12-01', 'day']], ['日期', '带班领导']),
          false,
        ),
      );
      expect((noColumn as RosterImportError).rowErrors.map((e) => [e.column, e.code])).toEqual([
        ['班次', 'missing_column'],
        ['值班员', 'missing_column'],
      ]);
    });
  });

  describe('handover', () => {
    const now = () => new Date().toISOString();
    const incident = (id: string, status: IncidentView['status']): IncidentView => ({
      id,
      type: 'landslide',
      level: 'III',
      title: `滑坡 ${id}`,
      description: '',
      reporter: '',
      townshipId: 'donggua',
      location: [25.02, 101.6],
      status,
      createdAt: now(),
      createdBy: 'u-duty',
      updatedAt: now(),
      departmentIds: [],
    });
    const warning = (id: string): WarningView =>
      sampleWarning(id, { sender: 'test', affectedTownshipIds: ['lucheng', 'donggua'] });

    it('assembles what is open, is handed over with notes and accepted by another officer, audited and told', async () => {
      await store.incidents.create(incident('i-open', 'responding'));
      await store.incidents.create(incident('i-closed', 'closed'));
      await store.warnings.create(warning('w1'));
      await store.warnings.issue('w1', 'u-duty', now());
      await store.warnings.ack(
        'w1',
        { kind: 'township', id: 'lucheng' },
        { by: 'u-lucheng', byName: '鹿城镇', channel: 'terminal', at: now() },
      );
      await store.tasks.createBatch([
        {
          id: 't-late',
          batchId: 'b1',
          townshipId: 'zixi',
          departmentId: null,
          text: '巡查河堤',
          deadline: new Date(Date.now() - 60_000).toISOString(),
          incidentId: null,
          status: 'sent',
          note: null,
          createdAt: now(),
          createdBy: 'u-duty',
          ackedAt: null,
          doneAt: null,
        },
      ]);
      await duty.writeLog(officer, { category: 'incident', text: '东瓜镇报告山体滑坡' });
      const told: HandoverView[] = [];
      duty.on('handover', (h) => told.push(h));

      const draft = await duty.handovers.start(officer);
      expect(draft.status).toBe('draft');
      expect(draft.contents.openIncidents.map((i) => i.id)).toEqual(['i-open']);
      expect(draft.contents.unackedWarnings).toEqual([
        expect.objectContaining({ warningId: 'w1', unackedTownshipIds: ['donggua'] }),
      ]);
      expect(draft.contents.overdueTasks.map((t) => t.id)).toEqual(['t-late']);
      expect(draft.contents.log.map((e) => e.text)).toEqual(['东瓜镇报告山体滑坡']);
      expect(((await failure(duty.handovers.start(leader))) as BeaconError).code).toBe('invalid_state');

      // Written after the draft: the handover is assembled again when it is handed over.
      await duty.writeLog(officer, { category: 'call', text: '气象局来电' });
      const handed = await duty.handovers.handOver(officer, draft.id, '滑坡现场夜间有人值守');
      expect(handed).toMatchObject({ status: 'handed_over', notes: '滑坡现场夜间有人值守', handedOverBy: 'u-duty' });
      expect(handed.contents.log.map((e) => e.text)).toEqual(['东瓜镇报告山体滑坡', '气象局来电']);

      expect(((await failure(duty.handovers.accept(officer, draft.id, ''))) as BeaconError).code).toBe('forbidden');
      const accepted = await duty.handovers.accept(leader, draft.id, '已接班');
      expect(accepted).toMatchObject({ status: 'accepted', acceptedBy: 'u-chair', acceptNote: '已接班' });
      expect(told.map((h) => h.status)).toEqual(['draft', 'handed_over', 'accepted']);

      const actions = (await store.audit.list({ limit: 10 })).map((e) => e.action).filter((a) => a.startsWith('duty.'));
      expect(actions).toEqual(['duty.handover.accept', 'duty.handover.hand_over', 'duty.handover.start']);

      // The next handover's log starts where this one was handed over.
      await duty.writeLog(leader, { category: 'general', text: '夜班平稳' });
      const nextDraft = await duty.handovers.start(leader);
      expect(nextDraft.contents.since).toBe(handed.handedOverAt);
      expect(nextDraft.contents.log.map((e) => e.text)).toEqual(['夜班平稳']);
    });
  });
});
