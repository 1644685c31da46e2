/**
 * Finalised minutes (定稿签发) on a real store (both backends): the DOCX is rendered once and kept with its
 * hash, audited in the same transaction; an edit makes a new draft and finalising it adds version 2 while
 * version 1's bytes stay; an unknown meeting, one not started, a stale or already finalised draft are coded
 * errors that store nothing. Here LibreOffice is a program that is not installed (the real converter's
 * `conversion_unavailable`): the DOCX is finalised and the answer says why there is no PDF. The PDF path with
 * LibreOffice is in test/integration/meeting-documents.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BeaconError, type MinutesSave } from '@beacon/protocol';
import JSZip from 'jszip';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { TaskDesk } from '../command/TaskDesk.ts';
import { codeOf } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { BookingDesk } from './BookingDesk.ts';
import { DocumentConverter } from './DocumentConverter.ts';
import { MaterialFiles } from './MaterialFiles.ts';
import { MinutesDesk } from './MinutesDesk.ts';
import { MinutesFinaliser } from './MinutesFinaliser.ts';

const secretary: Actor = {
  userId: 'u-admin',
  username: 'admin',
  displayName: '办公室秘书',
  role: 'admin',
  townshipId: null,
};
const MIN = 60_000;

async function documentText(bytes: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(bytes);
  return (await zip.file('word/document.xml')?.async('string')) ?? '';
}

describeStoreBackends((env) => {
  let store: Store;
  let bookings: BookingDesk;
  let minutes: MinutesDesk;
  let finaliser: MinutesFinaliser;
  let dir: string;
  let bookingId: string;
  const body = (over: Partial<MinutesSave> = {}): MinutesSave => ({
    decisions: ['启动防汛Ⅳ级应急响应'],
    actions: [],
    text: '水务局汇报了雨情。',
    version: 0,
    ...over,
  });
  const audits = async () => (await store.audit.list()).filter((e) => e.action === 'meeting.minutes_finalised');

  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    dir = mkdtempSync(path.join(os.tmpdir(), 'beacon-minutes-files-'));
    const bus = new CommandBus(store);
    bookings = new BookingDesk({ bus });
    minutes = new MinutesDesk({ bus, bookings, tasks: new TaskDesk(bus) });
    finaliser = new MinutesFinaliser({
      bus,
      minutes,
      converter: new DocumentConverter({ workDir: path.join(dir, 'convert'), soffice: 'beacon-no-such-soffice' }),
      files: new MaterialFiles(path.join(dir, 'minutes')),
    });
    const start = new Date(Date.now() + MIN);
    const saved = await bookings.create(secretary, {
      title: '全市防汛工作会',
      kind: 'work',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 60 * MIN).toISOString(),
      roomId: 'city-weekly',
      chairId: 'u-chair',
      invitees: [{ kind: 'township', id: 'zixi' }],
      reminders: [],
      record: false,
      dialPhones: false,
      materialIds: [],
      repeat: null,
    });
    bookingId = saved.booking.id;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const stored = () => readdirSync(path.join(dir, 'minutes'), { withFileTypes: true }).filter((f) => f.isFile());

  it('refuses a meeting not started, an unknown meeting and a stale draft, storing nothing', async () => {
    const draft = await minutes.save(secretary, bookingId, body());
    expect(await codeOf(finaliser.finalise(secretary, bookingId, { version: draft.version }))).toBe('invalid_state');
    expect(await codeOf(finaliser.finalise(secretary, 'no-such-booking', { version: 1 }))).toBe('not_found');
    expect(await store.bookings.transition(bookingId, 'scheduled', 'started')).toBe(true);
    expect(await codeOf(finaliser.finalise(secretary, bookingId, { version: 2 }))).toBe('conflict');
    const township: Actor = { ...secretary, userId: 'u-zixi', role: 'township', townshipId: 'zixi' };
    expect(await codeOf(finaliser.finalise(township, bookingId, { version: 1 }))).toBe('forbidden');
    expect(await store.minutes.files(bookingId)).toEqual([]);
    expect(await audits()).toEqual([]);
  });

  it('keeps the signed DOCX with its hash, audited; an edit finalised again is version 2 and version 1 stays', async () => {
    await store.bookings.transition(bookingId, 'scheduled', 'started');
    const draft = await minutes.save(secretary, bookingId, body());
    const first = await finaliser.finalise(secretary, bookingId, { version: draft.version });
    expect(first).toMatchObject({ version: 1, pdfError: 'conversion_unavailable' });
    expect(first.files).toEqual([
      expect.objectContaining({
        version: 1,
        minutesVersion: 1,
        format: 'docx',
        name: '全市防汛工作会-会议纪要-第1版.docx',
        issuedByName: '办公室秘书',
      }),
    ]);
    const v1 = first.files[0]?.id as string;
    // The same draft signed twice is refused: nothing new to sign.
    expect(await codeOf(finaliser.finalise(secretary, bookingId, { version: draft.version }))).toBe('conflict');

    const edited = await minutes.save(secretary, bookingId, body({ version: 1, decisions: ['改为Ⅲ级应急响应'] }));
    const second = await finaliser.finalise(secretary, bookingId, { version: edited.version });
    expect(second).toMatchObject({ version: 2, files: [expect.objectContaining({ minutesVersion: 2 })] });

    const listed = await finaliser.list(secretary, bookingId);
    expect(listed.map((f) => [f.version, f.format])).toEqual([
      [2, 'docx'],
      [1, 'docx'],
    ]);
    const one = await finaliser.read(secretary, bookingId, v1);
    expect(createHash('sha256').update(one.bytes).digest('hex')).toBe(one.file.sha256);
    expect(one.bytes.length).toBe(one.file.bytes);
    expect(await documentText(one.bytes)).toContain('启动防汛Ⅳ级应急响应');
    const two = await finaliser.read(secretary, bookingId, second.files[0]?.id as string);
    expect(await documentText(two.bytes)).toContain('改为Ⅲ级应急响应');
    expect(await documentText(two.bytes)).not.toContain('启动防汛Ⅳ级应急响应');
    expect(await codeOf(finaliser.read(secretary, bookingId, '00000000-0000-4000-8000-000000000000'))).toBe(
      'not_found',
    );

    const audit = await audits();
    expect(audit).toHaveLength(2);
    expect(audit.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({
        version: 1,
        minutesVersion: 1,
        files: [{ format: 'docx', sha256: one.file.sha256, bytes: one.file.bytes }],
        pdfError: 'conversion_unavailable',
      }),
    );
    expect(stored()).toHaveLength(2);
  });

  it('stores nothing when the minutes change between the render and the transaction', async () => {
    await store.bookings.transition(bookingId, 'scheduled', 'started');
    const draft = await minutes.save(secretary, bookingId, body());
    // Another secretary saves while this one's document is being rendered (the converter runs in between).
    const racing = new MinutesFinaliser({
      bus: new CommandBus(store),
      minutes,
      converter: {
        toPdf: async () => {
          await minutes.save(secretary, bookingId, body({ version: 1, text: '另一位秘书的修改' }));
          throw new BeaconError('conversion_unavailable', 'no LibreOffice here');
        },
      },
      files: new MaterialFiles(path.join(dir, 'minutes')),
    });
    expect(await codeOf(racing.finalise(secretary, bookingId, { version: draft.version }))).toBe('conflict');
    expect(await store.minutes.files(bookingId)).toEqual([]);
    expect(await audits()).toEqual([]);
    expect(stored()).toEqual([]);
  });
});
