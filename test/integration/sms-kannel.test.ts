/**
 * Warnings by SMS through a real Kannel (bearerbox + smsbox, started by
 * Beacon) and Kannel's fake SMS centre (`fakesmsc`): an issued warning reaches
 * the village's contact and the township's leader as UCS-2 texts split into
 * concatenated parts that reassemble to the warning; delivery reports move
 * the board's SMS column; a reply 收到 acknowledges the village, a reply 1
 * from the leader acknowledges the township's line (channel sms); forged
 * reports and replies change nothing.
 */

import { findExecutable } from '@beacon/common';
import type { AckBoardRow, SmsRecipientView, WarningView } from '@beacon/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSmsc, fakesmscAvailable } from '../src/fakesmsc.ts';
import { freePortBlock } from '../src/ports.ts';
import { waitFor } from '../src/waitFor.ts';
import { api, login, startTestNode, type TestNode } from './helpers.ts';

const missing = [
  ...(findExecutable('bearerbox') && findExecutable('smsbox') ? [] : ['kannel']),
  ...(fakesmscAvailable() ? [] : ['kannel-extras (fakesmsc)']),
];
if (missing.length > 0) console.warn(`sms-kannel tests skipped: ${missing.join(', ')} not installed`);

const VILLAGE_MOBILE = '13800000001';
const LEADER_MOBILE = '13900000002';
/** Around 鹿城镇's seat (25.04 N, 101.54 E); the village lies inside. */
const AREA = { type: 'circle', center: [25.04, 101.54], radiusKm: 3 } as const;
const DESCRIPTION =
  '预计未来3小时鹿城镇将出现100毫米以上强降雨，可能引发山洪、滑坡、泥石流等灾害，请各村（社区）立即组织危险区域群众转移避险，加强巡查值守。';

describe.skipIf(missing.length > 0)('warnings by SMS through Kannel and its fake SMSC', () => {
  let beacon: TestNode;
  let smsc: FakeSmsc;
  let duty: string;
  let portBase: number;

  beforeAll(async () => {
    portBase = await freePortBlock(4);
    beacon = await startTestNode({
      env: {
        BEACON_SMS: 'on',
        BEACON_SMSC: 'fake',
        BEACON_SMS_PORT_BASE: String(portBase),
        BEACON_SMS_SENDER: '12379',
        // Escalation looks every 200 ms (the second test's warning re-notifies after 0.05 min = 3 s).
        BEACON_ESCALATION_TICK_MS: '200',
      },
    });
    const { store } = beacon.node;
    await store.villages.create({
      id: 'v-sms-1',
      townshipId: 'lucheng',
      name: '龙泉村',
      kind: 'village',
      code: null,
      contactName: '李村长',
      contactMobile: VILLAGE_MOBILE,
      lat: 25.05,
      lon: 101.55,
    });
    await store.users.update('u-lucheng', { phone: LEADER_MOBILE });
    smsc = new FakeSmsc(portBase + 3);
    // The fake SMSC counts as online once fakesmsc connected: texts go out from then on.
    await waitFor(
      'fakesmsc connected',
      () => beacon.node.sms?.kannel?.status(),
      (s) => /FAKE:\d+ \(online/.test(s ?? ''),
    );
    duty = await login(beacon.node.url, 'duty');
  }, 60_000);

  afterAll(async () => {
    await smsc?.stop();
    await beacon?.stop();
  });

  const get = async <T>(path: string): Promise<T> => (await (await api(beacon.node.url, duty, path)).json()) as T;
  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const res = await api(beacon.node.url, duty, path, { method: 'POST', body: JSON.stringify(body) });
    expect(res.status).toBeLessThan(300);
    return (await res.json()) as T;
  };

  it('texts the warning as UCS-2 parts, reports delivery, and takes 收到 and 1 as acknowledgements', async () => {
    const draft = await post<WarningView>('/api/v1/warnings', {
      event: '暴雨',
      colour: 'red',
      headline: '鹿城镇暴雨红色预警',
      description: DESCRIPTION,
      instruction: '请立即转移',
      area: AREA,
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      escalationMinutes: 0,
    });
    expect(draft.affectedTownshipIds).toContain('lucheng');
    await post(`/api/v1/warnings/${draft.id}/issue`, {});

    const texts = await waitFor(
      'both texts at the fake SMSC',
      () => smsc.texts(),
      (t) => t.filter((x) => [VILLAGE_MOBILE, LEADER_MOBILE].includes(x.to)).length === 2,
    );
    const villageText = texts.find((x) => x.to === VILLAGE_MOBILE);
    expect(villageText?.text).toBe(
      `【应急预警】暴雨红色预警：鹿城镇暴雨红色预警。${DESCRIPTION}请立即转移。回复1或“收到”签收。`,
    );
    // Longer than one UCS-2 SMS (70): concatenated parts of 67 characters each.
    expect(villageText?.parts).toBe(Math.ceil((villageText?.text.length ?? 0) / 67));
    expect(villageText?.parts).toBeGreaterThan(1);
    expect(smsc.received.every((p) => p.from === '12379')).toBe(true);

    const recipients = (): Promise<SmsRecipientView[]> => get(`/api/v1/warnings/${draft.id}/sms`);
    const byMobile = (rows: SmsRecipientView[], mobile: string) => rows.find((r) => r.mobile === mobile);
    const delivered = await waitFor(
      'delivery reports',
      recipients,
      (rows) => rows.length === 2 && rows.every((r) => r.state === 'delivered'),
    );
    expect(byMobile(delivered, VILLAGE_MOBILE)).toMatchObject({
      role: 'village',
      villageId: 'v-sms-1',
      parts: villageText?.parts,
    });
    expect(byMobile(delivered, LEADER_MOBILE)).toMatchObject({ role: 'staff', userId: 'u-lucheng' });

    // The village head replies 收到: the village is acknowledged, the township's line not yet.
    smsc.send(VILLAGE_MOBILE, '12379', '收到');
    await waitFor('village acknowledged', recipients, (rows) => byMobile(rows, VILLAGE_MOBILE)?.state === 'acked');
    const line = async () =>
      (await get<AckBoardRow[]>(`/api/v1/warnings/${draft.id}/acks`)).find((r) => r.townshipId === 'lucheng');
    expect((await line())?.ackedAt).toBeNull();

    // The township leader replies 1: the township's line is acknowledged, channel sms.
    smsc.send(`+86${LEADER_MOBILE}`, '12379', '１');
    const acked = await waitFor('line acknowledged by sms', line, (row) => row?.ackedAt != null);
    expect(acked).toMatchObject({ channel: 'sms', ackedBy: 'u-lucheng' });

    const audit = await beacon.node.store.audit.list({ limit: 200 });
    const sends = audit.filter((e) => e.action === 'sms.send' && e.target === draft.id);
    expect(sends.map((e) => (e.detail as { mobile: string }).mobile).sort()).toEqual(
      [VILLAGE_MOBILE, LEADER_MOBILE].sort(),
    );
  }, 60_000);

  it('texts again whoever has not replied, and nobody who has', async () => {
    const draft = await post<WarningView>('/api/v1/warnings', {
      event: '山洪',
      colour: 'orange',
      headline: '鹿城镇山洪橙色预警',
      area: AREA,
      expires: new Date(Date.now() + 3_600_000).toISOString(),
      escalationMinutes: 0.05,
    });
    const before = smsc.received.length;
    await post(`/api/v1/warnings/${draft.id}/issue`, {});
    const texted = (mobile: string) =>
      smsc
        .texts()
        .filter((x) => x.to === mobile && x.text.includes('鹿城镇山洪橙色预警'))
        .map((x) => x.text);
    await waitFor(
      'first texts',
      () => smsc.received.length - before,
      (n) => n >= 2,
    );
    smsc.send(LEADER_MOBILE, '12379', '收到');
    const again = await waitFor(
      'the village texted again',
      () => texted(VILLAGE_MOBILE),
      (texts) => texts.length >= 2,
    );
    expect(again[1]).toMatch(/^【应急预警】再次通知：山洪橙色预警/);
    const rows = await get<SmsRecipientView[]>(`/api/v1/warnings/${draft.id}/sms`);
    expect(rows.find((r) => r.mobile === VILLAGE_MOBILE)?.notifyCount).toBeGreaterThanOrEqual(2);
    expect(rows.find((r) => r.mobile === LEADER_MOBILE)).toMatchObject({ state: 'acked', notifyCount: 1 });
    expect(texted(LEADER_MOBILE)).toHaveLength(1);
  }, 60_000);

  it('refuses forged delivery reports and replies, and changes nothing', async () => {
    const base = `${beacon.node.internalUrl}/api/v1/sms/kannel`;
    const forgedReport = await fetch(
      `${base}/dlr?r=00000000-0000-4000-8000-000000000000&n=1&s=${'0'.repeat(32)}&type=2&smsc=x`,
    );
    expect(forgedReport.status).toBe(403);
    const forgedReply = await fetch(`${base}/mo?k=wrong&from=${VILLAGE_MOBILE}&charset=UTF-8&hex=31`);
    expect(forgedReply.status).toBe(403);
    const garbage = await fetch(`${base}/dlr?r=not-a-uuid`);
    expect(garbage.status).toBe(400);
  });
});
