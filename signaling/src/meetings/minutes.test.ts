/**
 * Minutes (会议纪要) on a real store (both backends): saved whole with a version (a stale save is a conflict and
 * changes nothing), audited; action items get ids, keep their task, name an enabled owner; an action item becomes
 * a dispatch task to its owner once; attendance says present, late or absent against the invitation.
 */
import type { MinutesSave, NewBooking } from '@beacon/protocol';
import { beforeEach, expect, it } from 'vitest';
import { type Actor, CommandBus } from '../command/CommandBus.ts';
import { TaskDesk } from '../command/TaskDesk.ts';
import { codeOf } from '../command/testing/actors.ts';
import type { Store } from '../store/index.ts';
import { describeStoreBackends } from '../store/testing/storeBackends.ts';
import { BookingDesk } from './BookingDesk.ts';
import { MinutesDesk } from './MinutesDesk.ts';
import { attendanceOf } from './meetingAttendance.ts';

const admin: Actor = {
  userId: 'u-admin',
  username: 'admin',
  displayName: '办公室秘书',
  role: 'admin',
  townshipId: null,
};
const MIN = 60_000;

describeStoreBackends((env) => {
  let store: Store;
  let desk: BookingDesk;
  let minutes: MinutesDesk;
  let bookingId: string;
  let start: Date;
  beforeEach(async () => {
    store = await env.open({ seed: { demoPassword: 'pw' } });
    const bus = new CommandBus(store);
    desk = new BookingDesk({ bus });
    minutes = new MinutesDesk({ bus, bookings: desk, tasks: new TaskDesk(bus) });
    start = new Date(Date.now() + MIN);
    const input: NewBooking = {
      title: '全市防汛工作会',
      kind: 'work',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 60 * MIN).toISOString(),
      roomId: 'city-weekly',
      chairId: 'u-chair',
      invitees: [
        { kind: 'township', id: 'zixi' },
        { kind: 'township', id: 'lucheng' },
        { kind: 'department', id: 'dp-sw' },
      ],
      reminders: [],
      record: false,
      dialPhones: false,
      materialIds: [],
      repeat: null,
    };
    bookingId = (await desk.create(admin, input)).booking.id;
  });

  const ITEM = {
    text: '排查山塘水库',
    owner: { kind: 'township' as const, id: 'zixi' },
    due: '2030-03-05T10:00:00+08:00',
  };
  const body = (over: Partial<MinutesSave> = {}): MinutesSave => ({
    decisions: ['各乡镇即日起进入防汛Ⅳ级应急响应'],
    actions: [ITEM],
    text: '会议听取了水利局汇报。',
    version: 0,
    ...over,
  });

  it('saves the minutes whole with a version; a stale save is a conflict and changes nothing', async () => {
    expect(await minutes.get(admin, bookingId)).toMatchObject({ version: 0, decisions: [], actions: [] });
    const first = await minutes.save(admin, bookingId, body());
    expect(first).toMatchObject({
      version: 1,
      updatedByName: '办公室秘书',
      decisions: ['各乡镇即日起进入防汛Ⅳ级应急响应'],
    });
    expect(first.actions[0]).toMatchObject({
      owner: { kind: 'township', id: 'zixi', name: '紫溪镇' },
      due: '2030-03-05T02:00:00.000Z',
      taskId: null,
    });
    const actionId = first.actions[0]?.id as string;
    const second = await minutes.save(
      admin,
      bookingId,
      body({ version: 1, decisions: ['决定一', '决定二'], actions: [{ ...ITEM, id: actionId }] }),
    );
    expect(second.version).toBe(2);
    expect(second.actions[0]?.id).toBe(actionId);
    // Someone still holding version 1 saves: refused, the stored minutes stay.
    expect(await codeOf(minutes.save(admin, bookingId, body({ version: 1, decisions: ['旧的'] })))).toBe('conflict');
    expect(await codeOf(minutes.save(admin, bookingId, body({ version: 0 })))).toBe('conflict');
    expect((await minutes.get(admin, bookingId)).decisions).toEqual(['决定一', '决定二']);
    const audit = (await store.audit.list()).filter((e) => e.action === 'meeting.minutes');
    expect(audit).toHaveLength(2);
    expect(audit.map((e) => e.detail)).toContainEqual(
      expect.objectContaining({ before: expect.objectContaining({ decisions: ['各乡镇即日起进入防汛Ⅳ级应急响应'] }) }),
    );
  });

  it('refuses an unknown or disabled owner, an unknown item id and a township account, storing nothing', async () => {
    await store.townships.setEnabled('bajiao', false);
    const owner = (id: string) => [{ text: 'x', owner: { kind: 'township' as const, id }, due: start.toISOString() }];
    expect(await codeOf(minutes.save(admin, bookingId, body({ actions: owner('bajiao') })))).toBe('minutes_invalid');
    expect(await codeOf(minutes.save(admin, bookingId, body({ actions: owner('nowhere') })))).toBe('minutes_invalid');
    const unknownItem = [{ ...ITEM, id: '00000000-0000-4000-8000-000000000000' }];
    expect(await codeOf(minutes.save(admin, bookingId, body({ actions: unknownItem })))).toBe('minutes_invalid');
    const zixi: Actor = { ...admin, userId: 'u-zixi', role: 'township', townshipId: 'zixi' };
    expect(await codeOf(minutes.save(zixi, bookingId, body()))).toBe('forbidden');
    expect(await store.minutes.get(bookingId)).toBeUndefined();
    expect((await store.audit.list()).filter((e) => e.action === 'meeting.minutes')).toEqual([]);
  });

  it('turns an action item into a dispatch task to its owner, once', async () => {
    const saved = await minutes.save(admin, bookingId, body());
    const actionId = saved.actions[0]?.id as string;
    const dispatched = await minutes.dispatch(admin, bookingId, actionId);
    const taskId = dispatched.actions[0]?.taskId;
    expect(taskId).toBeTruthy();
    const tasks = await store.tasks.list({ townshipId: 'zixi' });
    expect(tasks).toEqual([
      expect.objectContaining({ id: taskId, text: '【会议纪要】全市防汛工作会：排查山塘水库', status: 'sent' }),
    ]);
    await minutes.dispatch(admin, bookingId, actionId);
    expect(await store.tasks.list({ townshipId: 'zixi' })).toHaveLength(1);
    // A later save that keeps the item keeps its task.
    const again = await minutes.save(
      admin,
      bookingId,
      body({ version: dispatched.version, actions: [{ ...ITEM, id: actionId }] }),
    );
    expect(again.actions[0]?.taskId).toBe(taskId);
  });

  it('lists present, late and absent against the invitation', async () => {
    const meetingId = await store.meetings.start('city-weekly');
    const join = (userId: string, townshipId: string, at: number) =>
      store.attendance.open({
        meetingId,
        userId,
        displayName: userId,
        townshipId,
        joinedAt: new Date(start.getTime() + at * MIN).toISOString(),
      });
    await join('u-zixi', 'zixi', 1);
    await join('u-lucheng', 'lucheng', 20);
    const booking = await desk.get(admin, bookingId);
    const rows = await attendanceOf(store, booking, new Date(start.getTime() + 30 * MIN));
    expect(rows.map((r) => [r.id, r.status])).toEqual(
      expect.arrayContaining([
        ['zixi', 'present'],
        ['lucheng', 'late'],
        ['dp-sw', 'absent'],
      ]),
    );
  });
});
