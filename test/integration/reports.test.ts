/**
 * Information reporting (信息报送) against a real node: a township reports
 * with a photo → the duty desk's socket hears it → verified → an incident is
 * created and the chain is on its timeline; the desk asks and the township
 * answers; a missed deadline turns the chain red on both sides; refusals
 * (another unit, a department without a location, bad bodies and photos)
 * come with codes and store nothing.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { IncidentView, ReportChainView, ReportPhotoView, TimelineEntry } from '@beacon/protocol';
import exifr from 'exifr';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, connect, login, nextEvent, useTestNode } from './helpers.ts';

// A follow-up is due one minute after each report, so the deadline test can move the clock instead of waiting.
const t = useTestNode({ env: { BEACON_REPORT_DEADLINES: 'IV=60/1,II=30/1', BEACON_REPORT_TICK_MS: '200' } });
const tokens: Record<string, string> = {};

async function call(user: string, pathname: string, init: RequestInit = {}) {
  const res = await api(t.url, tokens[user], `/api/v1${pathname}`, init);
  const body = (await res.json().catch(() => null)) as unknown;
  return { status: res.status, body };
}
const post = (user: string, pathname: string, body: unknown = {}) =>
  call(user, pathname, { method: 'POST', body: JSON.stringify(body) });
const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;

const uploadPhoto = (user: string, bytes: Buffer, type = 'image/jpeg') =>
  fetch(`${t.url}/api/v1/reports/photos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': type },
    body: new Uint8Array(bytes),
  });

const cameraJpeg = () =>
  sharp({ create: { width: 800, height: 600, channels: 3, background: '#795' } })
    .jpeg()
    .withExif({
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '25/1 0/1 36/1',
        GPSLongitudeRef: 'E',
        GPSLongitude: '101/1 25/1 12/1',
      },
    })
    .toBuffer();

const landslide = (over: Record<string, unknown> = {}) => ({
  type: 'landslide',
  title: '紫溪镇大村公路边山体滑坡',
  occurredAt: new Date(Date.now() - 10 * 60_000).toISOString(),
  location: [25.01, 101.43],
  description: '公路边坡垮塌约 200 方，3 人被困',
  casualties: { deaths: 0, injured: 1, missing: 0, trapped: 3 },
  affected: 40,
  evacuated: 35,
  ...over,
});

describe('information reporting over REST and sockets', () => {
  beforeAll(async () => {
    for (const user of ['admin', 'duty', 'zixi', 'lucheng']) tokens[user] = await login(t.url, user);
    const created = await post('admin', '/admin/users', {
      username: 'sw-duty',
      password: 'initial-pass-1',
      displayName: '水务局值班',
      role: 'department',
      departmentId: 'dp-sw',
    });
    expect(created.status).toBe(201);
    const changed = await api(t.url, await login(t.url, 'sw-duty', 'initial-pass-1'), '/api/v1/auth/password', {
      method: 'POST',
      body: JSON.stringify({ currentPassword: 'initial-pass-1', newPassword: 'Water-bureau-desk-27' }),
    });
    tokens['sw-duty'] = ((await changed.json()) as { token: string }).token;
  });

  it('carries a report with a photo to the inbox, through verification, into an incident and its timeline', async () => {
    const desk = await connect(t.url, tokens.duty);
    const terminal = await connect(t.url, tokens.zixi);
    try {
      const uploaded = await uploadPhoto('zixi', await cameraJpeg());
      expect(uploaded.status).toBe(201);
      const photo = (await uploaded.json()) as ReportPhotoView;
      expect(photo.exifLocation?.[0]).toBeCloseTo(25.01, 2);
      // Kept under the data dir for Beacon's account only.
      const dir = path.join(t.beacon.dataDir, 'reports');
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      for (const name of [`${photo.id}.jpg`, `${photo.id}.thumb.jpg`]) {
        expect((await stat(path.join(dir, name))).mode & 0o777).toBe(0o600);
      }

      const arrived = nextEvent(desk, 'report:updated');
      const created = await post('zixi', '/reports', landslide({ photoIds: [photo.id] }));
      expect(created.status).toBe(201);
      const inbox = await arrived;
      expect(inbox).toMatchObject({ unitName: '紫溪镇', state: 'received', channel: 'terminal', overdue: false });
      expect(inbox.entries[0]?.photos.map((p) => p.id)).toEqual([photo.id]);

      // The served image and its thumbnail are JPEGs with no EXIF left; another township cannot read them.
      for (const query of ['', '?size=thumb']) {
        const res = await api(t.url, tokens.duty, `/api/v1/reports/photos/${photo.id}${query}`);
        expect(res.headers.get('content-type')).toBe('image/jpeg');
        const bytes = Buffer.from(await res.arrayBuffer());
        expect(await exifr.parse(bytes, { gps: true })).toBeUndefined();
      }
      expect((await api(t.url, tokens.lucheng, `/api/v1/reports/photos/${photo.id}`)).status).toBe(404);
      expect((await call('lucheng', `/reports/${inbox.id}`)).status).toBe(404);

      expect((await post('zixi', `/reports/${inbox.id}/verify`)).status).toBe(403);
      const verifiedOnTerminal = nextEvent(terminal, 'report:updated');
      expect((await post('duty', `/reports/${inbox.id}/verify`)).body).toMatchObject({ state: 'verified' });
      expect((await verifiedOnTerminal).verifiedByName).toBe('值班员');

      // The desk asks; the township sees the question and answers in the chain.
      const asked = nextEvent(terminal, 'report:updated');
      await post('duty', `/reports/${inbox.id}/questions`, { text: '被困人员的具体位置？' });
      const question = (await asked).questions[0];
      expect(question?.text).toBe('被困人员的具体位置？');
      const answered = nextEvent(desk, 'report:updated');
      await post('zixi', `/reports/${inbox.id}/questions/${question?.id}/answer`, { text: '垮塌点下方两户民房内' });
      expect((await answered).questions[0]?.answer).toBe('垮塌点下方两户民房内');

      const linked = await post('duty', `/reports/${inbox.id}/incident`, { level: 'III' });
      expect(linked.status).toBe(201);
      const chain = linked.body as ReportChainView;
      expect(chain).toMatchObject({ state: 'linked', level: 'III' });
      // Raised to level III, the chain follows III's clock (default 4 h; this file shortens only II and IV) from its last report.
      expect(Date.parse(chain.nextDueAt ?? '') - Date.parse(chain.entries[0]?.at ?? '')).toBe(240 * 60_000);
      const incident = (await call('duty', `/incidents/${chain.incidentId}`)).body as IncidentView & {
        timeline: TimelineEntry[];
      };
      expect(incident).toMatchObject({ type: 'landslide', level: 'III', townshipId: 'zixi', title: chain.title });
      expect(incident.timeline.some((e) => e.text.includes('首报') && e.text.includes('紫溪镇'))).toBe(true);

      // A follow-up on the linked chain joins the incident's timeline too.
      await post('zixi', `/reports/${inbox.id}/entries`, {
        kind: 'final',
        occurredAt: chain.occurredAt,
        description: '被困 3 人全部救出，道路抢通',
      });
      const after = (await call('duty', `/incidents/${chain.incidentId}`)).body as { timeline: TimelineEntry[] };
      expect(after.timeline.some((e) => e.text.includes('终报'))).toBe(true);

      const audit = (await call('admin', '/audit?limit=50')).body as { action: string; target: string }[];
      const actions = audit.filter((a) => a.target === inbox.id).map((a) => a.action);
      expect(actions).toEqual(
        expect.arrayContaining(['report.create', 'report.verify', 'report.ask', 'report.answer', 'report.incident']),
      );
    } finally {
      desk.close();
      terminal.close();
    }
  });

  it('turns a chain red on both sides when its follow-up is missed', async () => {
    const desk = await connect(t.url, tokens.duty);
    const terminal = await connect(t.url, tokens.zixi);
    try {
      const created = (await post('zixi', '/reports', landslide({ title: '续报超时测试' }))).body as ReportChainView;
      const waitRed = (socket: typeof desk) =>
        new Promise<ReportChainView>((resolve) => {
          const onUpdate = (chain: ReportChainView) => {
            if (chain.id !== created.id || !chain.overdue) return;
            socket.off('report:updated', onUpdate);
            resolve(chain);
          };
          socket.on('report:updated', onUpdate);
        });
      // Due one minute after the report (BEACON_REPORT_DEADLINES above): the watch is ticked at a later clock.
      const [onDesk, onTerminal] = [waitRed(desk), waitRed(terminal)];
      await t.beacon.node.command.reportDeadlines.tick(new Date(Date.now() + 2 * 60_000));
      expect((await onDesk).overdue).toBe(true);
      expect((await onTerminal).overdue).toBe(true);
      // A follow-up clears it, marked late.
      const followed = (
        await post('zixi', `/reports/${created.id}/entries`, {
          kind: 'follow_up',
          occurredAt: created.occurredAt,
          description: '现场持续监测',
        })
      ).body as ReportChainView;
      expect(followed.overdue).toBe(false);
    } finally {
      desk.close();
      terminal.close();
    }
  });

  it('refuses reports for another unit, without a location, with bad bodies or bad photos, and stores nothing', async () => {
    const before = ((await call('duty', '/reports?limit=2000')).body as unknown[]).length;
    expect(codeOf((await post('zixi', '/reports', landslide({ townshipId: 'lucheng' }))).body)).toBe('forbidden');
    expect(codeOf((await post('sw-duty', '/reports', landslide({ departmentId: 'dp-ga' }))).body)).toBe('forbidden');
    expect(codeOf((await post('sw-duty', '/reports', landslide({ location: null }))).body)).toBe('location_required');
    expect(codeOf((await post('zixi', '/reports', landslide({ type: 'alien_invasion' }))).body)).toBe('report_invalid');
    expect(codeOf((await post('zixi', '/reports', landslide({ description: '' }))).body)).toBe('report_invalid');
    // A staff member types in a phone report only with its channel and unit.
    expect(codeOf((await post('duty', '/reports', landslide())).body)).toBe('report_invalid');
    const byPhone = await post(
      'duty',
      '/reports',
      landslide({ channel: 'phone', caller: '大村村委会 李主任', townshipId: 'zixi', title: '电话报告' }),
    );
    expect(byPhone.body).toMatchObject({ channel: 'phone', caller: '大村村委会 李主任', unitId: 'zixi' });
    const water = await post('sw-duty', '/reports', landslide({ type: 'flood', title: '河道水位超警' }));
    expect(water.body).toMatchObject({ unitKind: 'department', unitId: 'dp-sw', unitName: '楚雄市水务局' });
    // The department reads its own chain, not the township's.
    const own = (await call('sw-duty', '/reports')).body as ReportChainView[];
    expect(own.map((c) => c.unitId)).toEqual(['dp-sw']);

    const executable = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(8192, 0x90)]);
    const exe = await uploadPhoto('zixi', executable);
    expect([exe.status, codeOf(await exe.json())]).toEqual([415, 'photo_not_image']);
    const huge = await uploadPhoto('zixi', Buffer.alloc(50 * 1024 * 1024, 0xff));
    expect([huge.status, codeOf(await huge.json())]).toEqual([413, 'photo_too_large']);
    const after = ((await call('duty', '/reports?limit=2000')).body as unknown[]).length;
    expect(after).toBe(before + 2);
  });
});
