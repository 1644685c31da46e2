/**
 * CAP messages from outside on a real store (SQLite and PostgreSQL): each is
 * handled by what it means — an alert drafts, the same message again is
 * recognised, an Update rewrites its draft, a Cancel withdraws (never a new
 * red draft), Ack and Test are recorded only — and a draft that lacks an end
 * time or an area is completed by the duty officer, not refused. A feed
 * keeps nothing of alerts for somewhere else.
 */
import { BeaconError, warningMissing } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import type { Store } from '../../store/index.ts';
import { describeStoreBackends } from '../../store/testing/storeBackends.ts';
import { type Actor, CommandBus, SYSTEM_ACTOR } from '../CommandBus.ts';
import { WarningDesk } from '../WarningDesk.ts';
import { CapIntake } from './CapIntake.ts';
import { warningToCap } from './capExport.ts';
import { foreignMessage } from './capFixtures.ts';
import { parseCap } from './capParse.ts';
import { OutsideWarnings } from './OutsideWarnings.ts';

const duty: Actor = {
  userId: 'u-duty',
  username: 'duty',
  displayName: 'duty',
  role: 'duty_officer',
  townshipId: null,
};
const file = { kind: 'file' as const, feedId: null, feedName: null };
const HOUR = 3_600_000;

/** A CAP message of our own making, dated now so that it has not ended. */
function alert(opts: {
  id: string;
  msgType?: string;
  status?: string;
  references?: string;
  headline?: string;
}): string {
  const at = (offsetMs: number) => `${new Date(Date.now() + offsetMs).toISOString().slice(0, 19)}+00:00`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${opts.id}</identifier>
  <sender>yn@12379.cn</sender>
  <sent>${at(0)}</sent>
  <status>${opts.status ?? 'Actual'}</status>
  <msgType>${opts.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>
  ${opts.references ? `<references>${opts.references}</references>` : ''}
  <info>
    <language>zh-CN</language>
    <category>Met</category>
    <event>暴雨</event>
    <urgency>Expected</urgency>
    <severity>Severe</severity>
    <certainty>Likely</certainty>
    <expires>${at(6 * HOUR)}</expires>
    <headline>${opts.headline ?? '暴雨橙色预警'}</headline>
    <area><areaDesc>鹿城镇</areaDesc><circle>25.04,101.54 3</circle></area>
  </info>
</alert>`;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  return (error as BeaconError).code;
}

describeStoreBackends((env) => {
  let store: Store;
  let desk: WarningDesk;
  let intake: CapIntake;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    desk = new WarningDesk(bus);
    intake = new CapIntake(store, new OutsideWarnings(bus, desk));
  });

  it('drafts an alert, recognises it the second time, updates the draft, and a Cancel withdraws it', async () => {
    const first = await intake.receive(duty, alert({ id: 'a-1' }), file);
    expect(first.outcome).toBe('drafted');
    expect(first.warning).toMatchObject({
      status: 'draft',
      colour: 'orange',
      headline: '暴雨橙色预警',
      area: { type: 'circle', radiusKm: 3 },
      source: { kind: 'file', sender: 'yn@12379.cn', identifier: 'a-1', msgType: 'Alert', language: 'zh-CN' },
    });
    expect(first.warning?.affectedTownshipIds).toContain('lucheng');

    const again = await intake.receive(duty, alert({ id: 'a-1' }), file);
    expect(again).toMatchObject({ outcome: 'held', warning: { id: first.warning?.id } });

    const sent = parseCap(alert({ id: 'a-1' })).sent;
    const update = await intake.receive(
      duty,
      alert({ id: 'a-2', msgType: 'Update', references: `yn@12379.cn,a-1,${sent}`, headline: '暴雨红色预警' }),
      file,
    );
    expect(update.outcome).toBe('updated');
    expect(update.warning).toMatchObject({
      id: first.warning?.id,
      status: 'draft',
      colour: 'red',
      headline: '暴雨红色预警',
    });
    expect(update.warning?.source).toMatchObject({ identifier: 'a-2', msgType: 'Update' });

    const cancel = await intake.receive(
      duty,
      alert({ id: 'a-3', msgType: 'Cancel', references: `yn@12379.cn,a-2,${sent}` }),
      file,
    );
    expect(cancel.outcome).toBe('withdrawn');
    expect(cancel.warning).toMatchObject({
      id: first.warning?.id,
      status: 'cancelled',
      source: { cancelledBy: 'a-3' },
    });
    // One warning in all: neither the Update nor the Cancel drafted another.
    expect((await store.warnings.list()).map((w) => w.id)).toEqual([first.warning?.id]);
    expect((await store.capMessages.listByWarning(first.warning?.id as string)).map((m) => m.outcome)).toEqual(
      expect.arrayContaining(['drafted', 'updated', 'withdrawn']),
    );
  });

  it('records Ack, Error, Test and a Cancel of nothing held without drafting', async () => {
    for (const [xml, reason] of [
      [alert({ id: 'x-ack', msgType: 'Ack' }), 'ack'],
      [alert({ id: 'x-err', msgType: 'Error' }), 'error'],
      [alert({ id: 'x-test', status: 'Test' }), 'test'],
      [alert({ id: 'x-sys', status: 'System' }), 'system'],
      [
        alert({ id: 'x-cancel', msgType: 'Cancel', references: 'yn@12379.cn,nothing,2026-01-01T00:00:00+08:00' }),
        'nothing_referenced',
      ],
    ] as const) {
      expect(await intake.receive(duty, xml, file)).toMatchObject({ outcome: 'recorded', warning: null, reason });
    }
    expect(await store.warnings.list()).toEqual([]);
    expect(await store.capMessages.find('yn@12379.cn', 'x-test')).toMatchObject({ outcome: 'recorded' });
  });

  it('drafts an Exercise as one, shown by its source', async () => {
    const { warning } = await intake.receive(duty, alert({ id: 'drill', status: 'Exercise' }), file);
    expect(warning?.source?.status).toBe('Exercise');
  });

  it('drafts the spec’s A.1 without end time or area, refuses to issue it until the officer supplies both', async () => {
    const { outcome, warning } = await intake.receive(duty, foreignMessage('oasis-a1-homeland-security'), file);
    expect(outcome).toBe('drafted');
    expect(warning).toMatchObject({ expires: null, area: null, affectedTownshipIds: [] });
    const id = warning?.id as string;
    expect(warningMissing(warning as NonNullable<typeof warning>)).toEqual(['expires', 'area']);
    expect(await codeOf(desk.issue(duty, id))).toBe('warning_incomplete');
    expect((await store.warnings.get(id))?.status).toBe('draft');

    const completed = await desk.update(duty, id, {
      expires: new Date(Date.now() + 2 * HOUR).toISOString(),
      area: { type: 'circle', center: [25.04, 101.54], radiusKm: 3 },
    });
    expect(warningMissing(completed)).toEqual([]);
    expect(completed.affectedTownshipIds).toContain('lucheng');
    const { warning: issued } = await desk.issue(duty, id);
    expect(issued.status).toBe('issued');

    // The export is the spec's message plus what Beacon added, as parameters.
    const latest = (await store.capMessages.listByWarning(id))[0];
    const back = parseCap(warningToCap(issued, {}, parseCap(latest?.xml as string)));
    expect(back.identifier).toBe('43b080713727');
    expect(back.info[0]?.expires).toBeUndefined();
    expect(back.info[0]?.parameter.map((p) => p.valueName)).toEqual(
      expect.arrayContaining(['HSAS', 'beacon:expires', 'beacon:circle', 'beacon:township']),
    );
  });

  it('reaches townships by division code (the Chinese message names the county)', async () => {
    await store.area.set({ name: '楚雄市', code: '532301', lat: 25.03, lon: 101.55 });
    const { warning } = await intake.receive(SYSTEM_ACTOR, foreignMessage('cn-rainstorm-chuxiong'), {
      kind: 'feed',
      feedId: null,
      feedName: '云南省预警信息发布中心',
    });
    const enabled = (await store.townships.list()).filter((t) => t.enabled).map((t) => t.id);
    expect(warning?.area).toBeNull();
    expect(warning?.affectedTownshipIds).toEqual([...enabled].sort());
    expect(warningMissing(warning as NonNullable<typeof warning>)).toEqual([]);
    expect(warning?.source).toMatchObject({
      kind: 'feed',
      feedName: '云南省预警信息发布中心',
      senderName: '楚雄州气象台',
    });
  });

  it('keeps nothing of a feed’s alert for somewhere else', async () => {
    const handled = await intake.receive(SYSTEM_ACTOR, foreignMessage('oasis-a2-thunderstorm'), file, true);
    expect(handled).toMatchObject({ outcome: 'recorded', reason: 'elsewhere', warning: null });
    expect(await store.capMessages.find('KSTO@NWS.NOAA.GOV', 'KSTO1055887203')).toBeUndefined();
  });

  it('recognises its own export instead of refusing it as a duplicate', async () => {
    const own = await desk.create(duty, {
      event: '暴雨',
      colour: 'orange',
      urgency: 'Expected',
      severity: 'Severe',
      certainty: 'Likely',
      headline: '暴雨橙色预警',
      description: '',
      instruction: '',
      area: { type: 'circle', center: [25.04, 101.54], radiusKm: 3 },
      areaDesc: '',
      expires: new Date(Date.now() + HOUR).toISOString(),
      incidentId: null,
      escalationMinutes: 10,
      departmentIds: [],
    });
    expect(await intake.receive(duty, warningToCap(own), file)).toMatchObject({
      outcome: 'held',
      warning: { id: own.id },
    });
  });
});
