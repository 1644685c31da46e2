/** Report chains on both backends: a chain with its photo, follow-ups to the final, questions, deadlines, handling. */
import { BeaconError } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import type { Store } from './index.ts';
import type { NewReportChain, NewReportEntry } from './reportTypes.ts';
import { describeStoreBackends } from './testing/storeBackends.ts';

const codeOf = (err: unknown) => (err instanceof BeaconError ? err.code : String(err));
const PHOTO_ID = '0b7e5a3c-5a1d-4c3e-9f7a-1d2c3b4a5e6f';

const chain = (id: string, over: Partial<NewReportChain> = {}): NewReportChain => ({
  id,
  unitKind: 'township',
  unitId: 'zixi',
  type: 'landslide',
  level: 'II',
  title: '紫溪镇山体滑坡',
  channel: 'terminal',
  caller: null,
  occurredAt: '2026-12-07T08:00:00.000Z',
  location: [25.01, 101.43],
  createdAt: '2026-12-07T08:20:00.000Z',
  createdBy: 'u-zixi',
  nextDueAt: '2026-12-07T10:20:00.000Z',
  ...over,
});
const entry = (id: string, over: Partial<NewReportEntry> = {}): NewReportEntry => ({
  id,
  kind: 'first',
  at: '2026-12-07T08:20:00.000Z',
  byId: 'u-zixi',
  byName: '紫溪镇',
  occurredAt: '2026-12-07T08:00:00.000Z',
  location: [25.01, 101.43],
  description: '公路边坡垮塌约 200 方',
  casualties: { deaths: 0, injured: 2, missing: 1, trapped: 3 },
  affected: 40,
  evacuated: 35,
  late: false,
  photoIds: [],
  ...over,
});

describeStoreBackends((env) => {
  let store: Store;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
  });

  it('stores a first report with its photo and the camera position, and reads it back with the unit name', async () => {
    await store.reports.addPhoto({
      id: PHOTO_ID,
      uploadedBy: 'u-zixi',
      uploadedAt: '2026-12-07T08:19:00.000Z',
      bytes: 1234,
      width: 640,
      height: 480,
      exifLocation: [25.04, 101.53],
      exifTakenAt: '2026-12-07T08:10:00.000Z',
    });
    const created = await store.reports.create(chain('c1'), entry('e1', { photoIds: [PHOTO_ID] }));
    expect(created).toMatchObject({
      id: 'c1',
      unitName: '紫溪镇',
      state: 'received',
      final: false,
      overdue: false,
      location: [25.01, 101.43],
      entries: [
        {
          kind: 'first',
          casualties: { injured: 2, missing: 1, trapped: 3 },
          evacuated: 35,
          photos: [{ id: PHOTO_ID, exifLocation: [25.04, 101.53] }],
        },
      ],
    });
    expect(await store.reports.photo(PHOTO_ID)).toMatchObject({ chainId: 'c1', unitKind: 'township', unitId: 'zixi' });
    // The photo is part of c1 now: another report may not take it, and nothing of that report is stored.
    const err = await store.reports.create(chain('c2'), entry('e2', { photoIds: [PHOTO_ID] })).catch(codeOf);
    expect(err).toBe('report_invalid');
    expect(await store.reports.get('c2')).toBeUndefined();
  });

  it('refuses a photo uploaded by someone else', async () => {
    await store.reports.addPhoto({
      id: PHOTO_ID,
      uploadedBy: 'u-duty',
      uploadedAt: '2026-12-07T08:19:00.000Z',
      bytes: 1,
      width: 1,
      height: 1,
      exifLocation: null,
      exifTakenAt: null,
    });
    const err = await store.reports.create(chain('c1'), entry('e1', { photoIds: [PHOTO_ID] })).catch(codeOf);
    expect(err).toBe('report_invalid');
    expect(await store.reports.list({ limit: 10 })).toEqual([]);
  });

  it('adds follow-ups until the final report, which ends the deadlines; nothing after it', async () => {
    await store.reports.create(chain('c1'), entry('e1'));
    const followed = await store.reports.addEntry(
      'c1',
      entry('e2', { kind: 'follow_up', at: '2026-12-07T10:00:00Z' }),
      {
        nextDueAt: '2026-12-07T12:00:00.000Z',
        final: false,
      },
    );
    expect(followed.entries.map((e) => e.kind)).toEqual(['first', 'follow_up']);
    expect(followed.nextDueAt).toBe('2026-12-07T12:00:00.000Z');
    const ended = await store.reports.addEntry('c1', entry('e3', { kind: 'final', at: '2026-12-07T11:00:00Z' }), {
      nextDueAt: null,
      final: true,
    });
    expect(ended).toMatchObject({ final: true, nextDueAt: null });
    const err = await store.reports
      .addEntry('c1', entry('e4', { kind: 'follow_up' }), { nextDueAt: null, final: false })
      .catch(codeOf);
    expect(err).toBe('invalid_state');
    expect((await store.reports.get('c1'))?.entries).toHaveLength(3);
  });

  it('finds chains past due once, and flags each only once', async () => {
    await store.reports.create(chain('c1'), entry('e1'));
    await store.reports.create(chain('c2', { nextDueAt: '2026-12-07T23:00:00.000Z' }), entry('e2'));
    expect(await store.reports.dueBy('2026-12-07T10:20:00.000Z')).toEqual(['c1']);
    expect((await store.reports.setOverdue('c1', true, '2026-12-07T10:21:00.000Z'))?.overdue).toBe(true);
    expect(await store.reports.setOverdue('c1', true, '2026-12-07T10:21:01.000Z')).toBeUndefined();
    expect(await store.reports.dueBy('2026-12-07T10:30:00.000Z')).toEqual([]);
  });

  it('keeps the desk’s questions and the unit’s one answer to each', async () => {
    await store.reports.create(chain('c1'), entry('e1'));
    const q = { id: 'q1', chainId: 'c1', at: '2026-12-07T08:30:00.000Z', byId: 'u-duty', byName: '值班员' };
    await store.reports.ask({ ...q, text: '被困人员位置？' });
    const answer = {
      questionId: 'q1',
      chainId: 'c1',
      at: '2026-12-07T08:40:00.000Z',
      byId: 'u-zixi',
      byName: '紫溪镇',
    };
    expect(await store.reports.answer({ ...answer, text: '3 人在垮塌点下方民房内' })).toBe(true);
    expect(await store.reports.answer({ ...answer, text: 'again' })).toBe(false);
    expect((await store.reports.get('c1'))?.questions).toMatchObject([
      { text: '被困人员位置？', answer: '3 人在垮塌点下方民房内', answeredByName: '紫溪镇' },
    ]);
  });

  it('records verification and the incident, and lists by state, unit and incident', async () => {
    await store.reports.create(chain('c1'), entry('e1'));
    await store.reports.create(
      chain('c2', { unitKind: 'department', unitId: 'dp-sw', createdAt: '2026-12-07T09:00:00.000Z' }),
      entry('e2'),
    );
    const verified = await store.reports.setHandling(
      'c1',
      { state: 'verified', verifiedAt: '2026-12-07T08:25:00.000Z', verifiedByName: '值班员' },
      '2026-12-07T08:25:00.000Z',
    );
    expect(verified).toMatchObject({ state: 'verified', verifiedByName: '值班员' });
    expect((await store.reports.list({ limit: 10 })).map((c) => c.id)).toEqual(['c2', 'c1']);
    expect((await store.reports.list({ state: 'verified', limit: 10 })).map((c) => c.id)).toEqual(['c1']);
    const water = await store.reports.list({ unit: { kind: 'department', id: 'dp-sw' }, limit: 10 });
    expect(water.map((c) => [c.id, c.unitName])).toEqual([['c2', '楚雄市水务局']]);
  });

  it('discards photos never made part of a report', async () => {
    const photo = { uploadedBy: 'u-zixi', bytes: 1, width: 1, height: 1, exifLocation: null, exifTakenAt: null };
    await store.reports.addPhoto({ ...photo, id: PHOTO_ID, uploadedAt: '2026-12-06T08:00:00.000Z' });
    await store.reports.addPhoto({ ...photo, id: 'p-new', uploadedAt: '2026-12-07T08:00:00.000Z' });
    expect(await store.reports.discardUnused('2026-12-07T00:00:00.000Z')).toEqual([PHOTO_ID]);
    expect(await store.reports.photo(PHOTO_ID)).toBeUndefined();
    expect(await store.reports.photo('p-new')).toBeDefined();
  });
});
