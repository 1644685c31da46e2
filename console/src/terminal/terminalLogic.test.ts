import type { AlertForTerminal, TaskView } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { currentAlert, enqueueAlert, needsAlarm, type QueuedAlert, removeAlert } from './alertQueue.ts';
import { homeRoute, redirectFor, rememberReturnToTerminal, takeReturnToTerminal } from './landing.ts';
import { isOverdue, orderTasks, upsertTask } from './taskBoard.ts';

const alert = (warningId: string, notifyCount = 1): AlertForTerminal => ({
  warningId,
  event: '暴雨',
  colour: 'red',
  headline: '暴雨红色预警',
  description: '',
  instruction: '转移',
  expires: '2026-07-01T12:00:00+08:00',
  issuedAt: '2026-07-01T08:00:00+08:00',
  notifyCount,
});

const task = (id: string, over: Partial<TaskView> = {}): TaskView => ({
  id,
  batchId: 'b1',
  townshipId: 'lucheng',
  departmentId: null,
  text: `task ${id}`,
  deadline: '2026-07-01T12:00:00Z',
  incidentId: null,
  status: 'sent',
  note: null,
  createdAt: '2026-07-01T08:00:00Z',
  createdBy: 'u-duty',
  ackedAt: null,
  doneAt: null,
  overdue: false,
  ...over,
});

describe('alert queue', () => {
  it('shows the oldest first and folds a re-notification into the queued banner', () => {
    const queue: QueuedAlert[] = [];
    expect(enqueueAlert(queue, alert('w1'))).toBe('added');
    expect(enqueueAlert(queue, alert('w2'))).toBe('added');
    queue[0] = { ...(queue[0] as QueuedAlert), reported: true, phase: 'failed', error: 'timeout' };
    expect(enqueueAlert(queue, alert('w1', 2))).toBe('updated');
    expect(queue).toHaveLength(2);
    expect(currentAlert(queue)).toMatchObject({
      alert: { warningId: 'w1', notifyCount: 2 },
      phase: 'shown',
      reported: false,
      error: null,
    });
  });

  it('keeps the alarm on until every banner is acknowledged', () => {
    const queue: QueuedAlert[] = [];
    enqueueAlert(queue, alert('w1'));
    enqueueAlert(queue, alert('w2'));
    (queue[0] as QueuedAlert).phase = 'acked';
    expect(needsAlarm(queue)).toBe(true);
    removeAlert(queue, 'w2');
    expect(needsAlarm(queue)).toBe(false);
    expect(currentAlert(queue)?.alert.warningId).toBe('w1');
  });
});

describe('task board', () => {
  it('replaces by id and ignores other townships', () => {
    const lucheng = { kind: 'township', id: 'lucheng' } as const;
    const tasks = [task('t1')];
    expect(upsertTask(tasks, task('t1', { status: 'acknowledged' }), lucheng)).toBe(true);
    expect(upsertTask(tasks, task('t2', { townshipId: 'donggua' }), lucheng)).toBe(false);
    expect(upsertTask(tasks, task('t3', { townshipId: null, departmentId: 'dp-sw' }), lucheng)).toBe(false);
    expect(tasks.map((t) => [t.id, t.status])).toEqual([['t1', 'acknowledged']]);
  });

  it('keeps a department’s own tasks only', () => {
    const water = { kind: 'department', id: 'dp-sw' } as const;
    const tasks: TaskView[] = [];
    expect(upsertTask(tasks, task('t1', { townshipId: null, departmentId: 'dp-sw' }), water)).toBe(true);
    expect(upsertTask(tasks, task('t2', { townshipId: null, departmentId: 'dp-ga' }), water)).toBe(false);
    expect(upsertTask(tasks, task('t3'), water)).toBe(false);
    expect(tasks.map((t) => t.id)).toEqual(['t1']);
  });

  it('counts a passed deadline as overdue until done, and lists overdue tasks first, done ones last', () => {
    const now = Date.parse('2026-07-01T13:00:00Z');
    const late = task('late', { deadline: '2026-07-01T12:00:00Z' });
    const soon = task('soon', { deadline: '2026-07-01T14:00:00Z' });
    const later = task('later', { deadline: '2026-07-01T18:00:00Z' });
    const done = task('done', { deadline: '2026-07-01T10:00:00Z', status: 'done', doneAt: '2026-07-01T09:00:00Z' });
    expect(isOverdue(late, now)).toBe(true);
    expect(isOverdue(done, now)).toBe(false);
    expect(orderTasks([done, later, soon, late], now).map((t) => t.id)).toEqual(['late', 'soon', 'later', 'done']);
  });
});

describe('landing', () => {
  const storage = () => {
    const items = new Map<string, string>();
    return {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    };
  };

  it('sends township accounts to the terminal page and others to the rooms', () => {
    expect(homeRoute({ role: 'township' })).toEqual({ name: 'terminal' });
    expect(homeRoute({ role: 'department' })).toEqual({ name: 'terminal' });
    expect(homeRoute({ role: 'duty_officer' })).toEqual({ name: 'rooms' });
  });

  it('returns to the terminal once after an auto-joined meeting', () => {
    const flags = storage();
    expect(takeReturnToTerminal(flags)).toBe(false);
    rememberReturnToTerminal(flags);
    expect(takeReturnToTerminal(flags)).toBe(true);
    expect(takeReturnToTerminal(flags)).toBe(false);
  });

  it('the router guard: signed in, #/login and a plain start land by role; deep links pass', () => {
    const flags = storage();
    const township = { role: 'township' } as const;
    const duty = { role: 'duty_officer' } as const;
    expect(redirectFor('login', township, flags)).toEqual({ name: 'terminal' });
    expect(redirectFor('start', township, flags)).toEqual({ name: 'terminal' });
    expect(redirectFor('start', duty, flags)).toEqual({ name: 'rooms' });
    expect(redirectFor('login', duty, flags)).toEqual({ name: 'rooms' });
    for (const deep of ['rooms', 'room', 'records', 'command', 'terminal']) {
      expect(redirectFor(deep, township, flags)).toBeNull();
      expect(redirectFor(deep, duty, flags)).toBeNull();
    }
    // Signed out: no redirect, the page shows the login form and keeps the URL.
    expect(redirectFor('room', null, flags)).toBeNull();
    expect(redirectFor('login', null, flags)).toBeNull();
  });

  it('the router guard sends the room list back to the terminal once after an auto-joined meeting', () => {
    const flags = storage();
    rememberReturnToTerminal(flags);
    expect(redirectFor('rooms', { role: 'township' }, flags)).toEqual({ name: 'terminal' });
    expect(redirectFor('rooms', { role: 'township' }, flags)).toBeNull();
  });
});
