/**
 * A booking's change and its audit entry commit together (both backends): with the entry refused (a trigger
 * aborts its insert), booking, moving and cancelling a meeting, a unit's receipt, and the scheduler's reminder
 * and start store nothing and tell nobody; the next tick, with entries written again, does what the refused one
 * did not.
 */
import type { NewBooking } from '@beacon/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CommandBus } from '../command/CommandBus.ts';
import { actor } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { refuseAudit } from '../store/testing/refuseAudit.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { BookingDesk } from './BookingDesk.ts';
import { MaterialFiles } from './MaterialFiles.ts';
import { MeetingScheduler } from './MeetingScheduler.ts';
import { NoticeDesk } from './NoticeDesk.ts';

const admin = actor('u-admin', 'admin');
const zixi = actor('u-zixi', 'township', { townshipId: 'zixi' });
const MIN = 60_000;
const T0 = new Date('2030-03-04T00:30:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);

const booking = (over: Partial<NewBooking> = {}): NewBooking => ({
  title: '全市防汛工作会',
  kind: 'work',
  startsAt: at(60).toISOString(),
  endsAt: at(120).toISOString(),
  roomId: null,
  chairId: 'u-chair',
  invitees: [{ kind: 'township', id: 'zixi' }],
  reminders: [30],
  record: false,
  dialPhones: false,
  materialIds: [],
  repeat: null,
  ...over,
});

describeStoreBackends((env) => {
  let store: Store;
  let desk: BookingDesk;
  let notices: NoticeDesk;
  let scheduler: MeetingScheduler;
  let told: string[];
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    desk = new BookingDesk({ bus });
    const files = new MaterialFiles(env.location().file.replace(/beacon\.db$/, 'materials'));
    notices = new NoticeDesk({ bus, bookings: desk, files, maxMaterialBytes: 1024 * 1024 });
    scheduler = new MeetingScheduler({
      bus,
      bookings: desk,
      notices,
      sip: null,
      tickMs: 3_600_000,
      unusedMaterialTtlMs: 3_600_000,
    });
    told = [];
    desk.on('notice', (_view, reason) => told.push(reason));
  });
  afterEach(() => scheduler.stop());
  const actions = async () => (await store.audit.list({ limit: 1000 })).map((e) => e.action).sort();

  it('keeps no booking, move, cancel or receipt whose entry was refused', async () => {
    const booked = await refuseAudit(env, ['meeting.book']);
    await expect(desk.create(admin, booking(), T0)).rejects.toThrow(/audit refused/);
    expect(await store.bookings.inRange(at(-60).toISOString(), at(600).toISOString())).toEqual([]);
    // Its own room went with it.
    expect((await store.rooms.list()).filter((r) => r.id.startsWith('meeting-'))).toEqual([]);
    await booked.allow();

    const { booking: saved } = await desk.create(admin, booking(), T0);
    const refused = await refuseAudit(env, ['meeting.move', 'meeting.cancel', 'meeting.receipt']);
    await expect(
      desk.edit(admin, saved.id, { startsAt: at(180).toISOString(), endsAt: at(240).toISOString() }, T0),
    ).rejects.toThrow(/audit refused/);
    await expect(desk.cancel(admin, saved.id, '改期')).rejects.toThrow(/audit refused/);
    await expect(notices.receipt(zixi, saved.id, ['张镇长'], T0)).rejects.toThrow(/audit refused/);
    const unchanged = await desk.get(admin, saved.id);
    expect(unchanged).toMatchObject({ state: 'scheduled', startsAt: saved.startsAt });
    expect(unchanged.invitees.find((i) => i.id === 'zixi')?.status).toBe('pending');
    expect(told).toEqual(['new']);
    expect(await actions()).toEqual(['meeting.book']);

    await refused.allow();
    await desk.cancel(admin, saved.id, '改期');
    expect((await desk.get(admin, saved.id)).state).toBe('cancelled');
    expect(await actions()).toEqual(['meeting.book', 'meeting.cancel']);
  });

  it("keeps no reminder or start whose entry was refused: the next tick sends and starts what this one didn't", async () => {
    const { booking: saved } = await desk.create(admin, booking(), T0);
    const refused = await refuseAudit(env, ['meeting.remind', 'meeting.start']);
    await expect(scheduler.tick(at(31))).rejects.toThrow(/audit refused/);
    expect(await store.bookings.get(saved.id)).toMatchObject({ remindersSent: 0 });
    await expect(scheduler.tick(at(61))).rejects.toThrow(/audit refused/);
    expect(await store.bookings.get(saved.id)).toMatchObject({ state: 'scheduled' });
    expect(told).toEqual(['new']);

    await refused.allow();
    expect(await scheduler.tick(at(62))).toMatchObject({ started: [saved.id] });
    expect(await store.bookings.get(saved.id)).toMatchObject({ state: 'started' });
    expect(told).toEqual(['new', 'starting']);
    expect(await actions()).toEqual(['meeting.book', 'meeting.start']);
  });
});
