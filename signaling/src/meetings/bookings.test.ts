/**
 * Meetings on a schedule on a real store (both backends): booking with a material, weekly repeats, conflicts
 * warned; bad input refused with a code and nothing stored; notices, delivery and receipts; the scheduler's
 * reminders, start (terminals invited, the chair told) and end; attendance against the invitation.
 */
import os from 'node:os';
import path from 'node:path';
import { BeaconError, type NewBooking } from '@beacon/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Actor, CommandBus, type CommandEvents } from '../command/CommandBus.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { BookingDesk } from './BookingDesk.ts';
import { MaterialFiles } from './MaterialFiles.ts';
import { MeetingScheduler } from './MeetingScheduler.ts';
import { NoticeDesk } from './NoticeDesk.ts';

const actor = (userId: string, role: Actor['role'], unit: Partial<Actor> = {}): Actor => ({
  userId,
  username: userId,
  displayName: userId,
  role,
  townshipId: null,
  ...unit,
});
const admin = actor('u-admin', 'admin');
const zixi = actor('u-zixi', 'township', { townshipId: 'zixi', displayName: '紫溪镇' });
const lucheng = actor('u-lucheng', 'township', { townshipId: 'lucheng' });
const MIN = 60_000;
const T0 = new Date('2030-03-04T00:30:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN).toISOString();
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(BeaconError);
  return (error as BeaconError).code;
}

const booking = (over: Partial<NewBooking> = {}): NewBooking => ({
  title: '全市防汛工作会',
  kind: 'work',
  startsAt: at(60),
  endsAt: at(120),
  roomId: 'city-weekly',
  chairId: 'u-chair',
  invitees: [
    { kind: 'township', id: 'zixi' },
    { kind: 'township', id: 'lucheng' },
    { kind: 'department', id: 'dp-sw' },
  ],
  reminders: [30, 10],
  record: false,
  dialPhones: false,
  materialIds: [],
  repeat: null,
  ...over,
});

describeStoreBackends((env) => {
  let store: Store;
  let bus: CommandBus;
  let desk: BookingDesk;
  let notices: NoticeDesk;
  let scheduler: MeetingScheduler;
  let noticesSent: { id: string; reason: string }[];
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    bus = new CommandBus(store);
    desk = new BookingDesk({ bus });
    const files = new MaterialFiles(path.join(os.tmpdir(), `beacon-meetings-test-${process.pid}-${Date.now()}`));
    notices = new NoticeDesk({ bus, bookings: desk, files, maxMaterialBytes: 1024 * 1024 });
    scheduler = new MeetingScheduler({
      bus,
      bookings: desk,
      notices,
      sip: null,
      tickMs: 3_600_000,
      unusedMaterialTtlMs: 3_600_000,
    });
    noticesSent = [];
    desk.on('notice', (view, reason) => noticesSent.push({ id: view.id, reason }));
  });
  afterEach(() => scheduler.stop());

  it('books a meeting with a PDF; the invitees see the notice, one confirms with attendees', async () => {
    const material = await notices.uploadMaterial(admin, '汛情通报.pdf', PDF, T0);
    expect(material).toMatchObject({ name: '汛情通报.pdf', mime: 'application/pdf' });
    const saved = await desk.create(admin, booking({ materialIds: [material.id] }), T0);
    expect(saved.occurrences).toBe(1);
    expect(saved.conflicts).toEqual([]);
    expect(saved.booking).toMatchObject({
      state: 'scheduled',
      roomTitle: '全市周例会',
      chairName: '市领导',
      materials: [{ id: material.id }],
    });
    expect(saved.booking.invitees.map((i) => [i.id, i.status])).toEqual(
      expect.arrayContaining([
        ['zixi', 'pending'],
        ['lucheng', 'pending'],
        ['dp-sw', 'pending'],
      ]),
    );
    expect(noticesSent).toEqual([{ id: saved.booking.id, reason: 'new' }]);

    const mine = await notices.notices(zixi, T0);
    expect(mine.map((n) => [n.bookingId, n.receipt.status])).toEqual([[saved.booking.id, 'pending']]);
    expect(await notices.notices(actor('u-bajiao', 'township', { townshipId: 'bajiao' }), T0)).toEqual([]);
    await notices.delivered(zixi, [saved.booking.id], T0);
    const receipt = await notices.receipt(zixi, saved.booking.id, ['张镇长', '李主任'], T0);
    expect(receipt.receipt).toMatchObject({ status: 'confirmed', attendees: ['张镇长', '李主任'] });
    const after = await desk.get(admin, saved.booking.id);
    expect(after.invitees.find((i) => i.id === 'zixi')).toMatchObject({
      status: 'confirmed',
      confirmedByName: '紫溪镇',
      attendees: ['张镇长', '李主任'],
    });
    // An invitee downloads the material; a township that is not invited cannot see it.
    expect((await notices.material(lucheng, material.id)).bytes.equals(PDF)).toBe(true);
    expect(await codeOf(notices.material(actor('u-bajiao', 'township', { townshipId: 'bajiao' }), material.id))).toBe(
      'not_found',
    );
    const audit = (await store.audit.list()).map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['meeting.book', 'meeting.receipt']));
  });

  it('refuses bad input with a code and stores nothing', async () => {
    const before = (await store.audit.list()).length;
    expect(await codeOf(desk.create(admin, booking({ endsAt: at(30) }), T0))).toBe('booking_invalid');
    await store.townships.setEnabled('bajiao', false);
    expect(await codeOf(desk.create(admin, booking({ invitees: [{ kind: 'township', id: 'bajiao' }] }), T0))).toBe(
      'invitee_unavailable',
    );
    expect(await codeOf(desk.create(admin, booking({ repeat: { every: 'week', until: '2030-03-01' } }), T0))).toBe(
      'booking_invalid',
    );
    expect(await codeOf(desk.create(admin, booking({ roomId: null, materialIds: ['nope'] }), T0))).toBe(
      'booking_invalid',
    );
    expect(await codeOf(desk.create(zixi, booking(), T0))).toBe('forbidden');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);
    expect(await codeOf(notices.uploadMaterial(admin, '通知.pdf', exe, T0))).toBe('material_refused');
    expect(await codeOf(notices.uploadMaterial(admin, 'big.pdf', Buffer.alloc(2 * 1024 * 1024, 1), T0))).toBe(
      'material_too_large',
    );
    expect(await store.bookings.inRange(at(-10_000), at(10_000))).toEqual([]);
    // The new room of the refused booking was rolled back with it.
    expect((await store.rooms.list()).filter((r) => r.id.startsWith('meeting-'))).toEqual([]);
    expect((await store.audit.list()).length).toBe(before);
  });

  it('stores a weekly meeting as occurrences and warns of a room and chair conflict', async () => {
    const weekly = await desk.create(admin, booking({ repeat: { every: 'week', until: '2030-03-25' } }), T0);
    expect(weekly.occurrences).toBe(4);
    const list = await desk.list(admin, at(0), at(40 * 24 * 60));
    expect(list.map((b) => b.startsAt)).toEqual([
      '2030-03-04T01:30:00.000Z',
      '2030-03-11T01:30:00.000Z',
      '2030-03-18T01:30:00.000Z',
      '2030-03-25T01:30:00.000Z',
    ]);
    expect(new Set(list.map((b) => b.seriesId))).toEqual(new Set([weekly.booking.id]));
    const clash = await desk.create(admin, booking({ title: '培训', startsAt: at(90), endsAt: at(150) }), T0);
    expect(clash.conflicts.map((c) => [c.reason, c.bookingId])).toEqual([
      ['room_busy', weekly.booking.id],
      ['chair_busy', weekly.booking.id],
    ]);
  });

  it('moves a meeting: receipts start over and the invitees are notified again; cancelling notifies too', async () => {
    const saved = await desk.create(admin, booking(), T0);
    await notices.receipt(zixi, saved.booking.id, ['张镇长'], T0);
    const moved = await desk.edit(admin, saved.booking.id, { startsAt: at(180), endsAt: at(240) }, T0);
    expect(moved.booking.invitees.find((i) => i.id === 'zixi')?.status).toBe('pending');
    const cancelled = await desk.cancel(admin, saved.booking.id, '改期另行通知');
    expect(cancelled).toMatchObject({ state: 'cancelled', cancelReason: '改期另行通知' });
    expect(noticesSent.map((n) => n.reason)).toEqual(['new', 'moved', 'cancelled']);
    expect(await codeOf(notices.receipt(zixi, saved.booking.id, ['张镇长'], T0))).toBe('invalid_state');
    const audit = (await store.audit.list()).filter((e) => e.action.startsWith('meeting.'));
    const move = audit.find((e) => e.action === 'meeting.move');
    expect(move?.detail).toMatchObject({ before: { startsAt: at(60) }, after: { startsAt: at(180) } });
  });

  it('changes the invitees: a 变更通知 to those invited, a 取消通知 to the unit taken off the list', async () => {
    const saved = await desk.create(admin, booking(), T0);
    const heard: { reason: string; invitees: string[] }[] = [];
    desk.on('notice', (view, reason) => heard.push({ reason, invitees: view.invitees.map((i) => i.id).sort() }));
    const changed = await desk.edit(
      admin,
      saved.booking.id,
      {
        title: '全市防汛工作会（调整）',
        invitees: [
          { kind: 'township', id: 'zixi' },
          { kind: 'township', id: 'bajiao' },
        ],
      },
      T0,
    );
    expect(changed.booking.invitees.map((i) => i.id).sort()).toEqual(['bajiao', 'zixi']);
    expect(heard).toEqual([
      { reason: 'changed', invitees: ['bajiao', 'zixi'] },
      { reason: 'cancelled', invitees: ['dp-sw', 'lucheng'] },
    ]);
    expect(await notices.notices(lucheng, T0)).toEqual([]);
    const audit = (await store.audit.list()).find((e) => e.action === 'meeting.edit');
    expect(audit?.detail).toMatchObject({ after: { title: '全市防汛工作会（调整）' } });
  });

  describe('the scheduler', () => {
    it('reminds once per due reminder, starts the meeting (terminals invited, chair told) and ends it', async () => {
      const saved = await desk.create(admin, booking(), T0);
      const invites: CommandEvents['invite'][0][] = [];
      bus.on('invite', (invite) => invites.push(invite));
      const opened: string[] = [];
      scheduler.on('open', (open) => opened.push(`${open.chairId}:${open.roomId}`));

      expect((await scheduler.tick(new Date(T0.getTime() + 20 * MIN))).reminded).toEqual([]);
      expect((await scheduler.tick(new Date(T0.getTime() + 31 * MIN))).reminded).toEqual([saved.booking.id]);
      expect((await scheduler.tick(new Date(T0.getTime() + 32 * MIN))).reminded).toEqual([]);
      // Beacon down past the second reminder and the start: one start, no flood of reminders.
      const started = await scheduler.tick(new Date(T0.getTime() + 61 * MIN));
      expect(started).toMatchObject({ reminded: [], started: [saved.booking.id] });
      expect(invites).toEqual([
        expect.objectContaining({
          roomId: 'city-weekly',
          townshipIds: expect.arrayContaining(['zixi', 'lucheng']),
          departmentIds: ['dp-sw'],
        }),
      ]);
      expect(opened).toEqual(['u-chair:city-weekly']);
      expect((await scheduler.tick(new Date(T0.getTime() + 62 * MIN))).started).toEqual([]);
      expect((await scheduler.tick(new Date(T0.getTime() + 121 * MIN))).ended).toEqual([saved.booking.id]);
      expect(noticesSent.map((n) => n.reason)).toEqual(['new', 'reminder', 'starting']);
      expect((await desk.get(admin, saved.booking.id)).state).toBe('ended');
      const audit = (await store.audit.list()).map((e) => e.action).filter((a) => a.startsWith('meeting.'));
      expect(audit.sort()).toEqual(['meeting.book', 'meeting.remind', 'meeting.start']);
    });

    it('lists who joined and who stayed away against the invitation', async () => {
      const start = new Date(Date.now() + MIN);
      const saved = await desk.create(
        admin,
        booking({ startsAt: start.toISOString(), endsAt: new Date(start.getTime() + 60 * MIN).toISOString() }),
      );
      await scheduler.tick(new Date(start.getTime() + 1000));
      const meetingId = await store.meetings.start('city-weekly');
      await store.attendance.open({
        meetingId,
        userId: 'u-zixi',
        displayName: '紫溪镇',
        townshipId: 'zixi',
        joinedAt: new Date().toISOString(),
      });
      const rows = await notices.attendance(admin, saved.booking.id, new Date(start.getTime() + 10 * MIN));
      expect(rows.map((r) => [r.id, r.present])).toEqual(
        expect.arrayContaining([
          ['zixi', true],
          ['lucheng', false],
          ['dp-sw', false],
        ]),
      );
    });
  });
});
