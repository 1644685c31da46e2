/**
 * The minutes (会议纪要) of a booked meeting, kept by the city side's
 * secretary during and after it: decisions, action items (an owner unit —
 * township or department, checked enabled — and a due time), free text.
 * Saved whole with the version read (`conflict` when someone saved in
 * between); each save is audited with the minutes before and after, in the
 * same transaction. An action item becomes a dispatch task to its owner unit
 * on request (TaskDesk, audited there); the item keeps the task's id so it is
 * sent once. The export (DOCX, PDF) takes the minutes together with the
 * attendance against the invitation.
 */
import { randomUUID } from 'node:crypto';
import {
  BeaconError,
  type BookingAttendanceRow,
  type BookingView,
  type MinutesAction,
  type MinutesSave,
  type MinutesView,
} from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { requireStaff } from '../command/staff.ts';
import type { TaskDesk } from '../command/TaskDesk.ts';
import { createLogger } from '../logger.ts';
import type { MinutesRecord } from '../store/minutesTypes.ts';
import type { BookingDesk } from './BookingDesk.ts';
import { attendanceOf } from './meetingAttendance.ts';

const logger = createLogger('MinutesDesk');

function minutesInvalid(field: string, message: string): BeaconError {
  const err = new BeaconError('minutes_invalid', message);
  err.field = field;
  return err;
}

const EMPTY = (bookingId: string): MinutesView => ({
  bookingId,
  decisions: [],
  actions: [],
  text: '',
  version: 0,
  updatedByName: null,
  updatedAt: null,
});

const toView = (m: MinutesRecord): MinutesView => ({
  bookingId: m.bookingId,
  decisions: m.decisions,
  actions: m.actions,
  text: m.text,
  version: m.version,
  updatedByName: m.updatedByName,
  updatedAt: m.updatedAt,
});

/** What an export needs: the booking, its minutes and who attended. */
export interface MinutesDocument {
  booking: BookingView;
  minutes: MinutesView;
  attendance: BookingAttendanceRow[];
}

export class MinutesDesk {
  readonly #bus: CommandBus;
  readonly #bookings: BookingDesk;
  readonly #tasks: TaskDesk;

  constructor(opts: { bus: CommandBus; bookings: BookingDesk; tasks: TaskDesk }) {
    this.#bus = opts.bus;
    this.#bookings = opts.bookings;
    this.#tasks = opts.tasks;
  }

  async get(actor: Actor, bookingId: string): Promise<MinutesView> {
    await this.#bookings.get(actor, bookingId);
    const stored = await this.#bus.store.minutes.get(bookingId);
    return stored ? toView(stored) : EMPTY(bookingId);
  }

  save(actor: Actor, bookingId: string, input: MinutesSave, now = new Date()): Promise<MinutesView> {
    return this.#write(actor, bookingId, input, new Map(), now);
  }

  async #write(
    actor: Actor,
    bookingId: string,
    input: MinutesSave,
    /** Tasks just made of items (id → task id). */
    dispatched: ReadonlyMap<string, string>,
    now: Date,
  ): Promise<MinutesView> {
    const booking = await this.#bookings.get(actor, bookingId);
    if (booking.state === 'cancelled') {
      throw new BeaconError('invalid_state', '会议已取消，没有纪要 / a cancelled meeting has no minutes');
    }
    const before = await this.get(actor, bookingId);
    const actions = (await this.#actions(before, input.actions)).map((a) => ({
      ...a,
      taskId: dispatched.get(a.id) ?? a.taskId,
    }));
    const write = {
      bookingId,
      decisions: input.decisions,
      actions,
      text: input.text,
      updatedBy: actor.userId,
      updatedAt: now.toISOString(),
    };
    const version = await this.#bus.audited(
      actor,
      async (tx) => {
        const saved = await tx.minutes.save(write, input.version);
        if (saved === null) {
          throw BeaconError.conflict('version', '纪要已被他人修改，请刷新后再保存 / the minutes changed meanwhile');
        }
        return saved;
      },
      (saved) => ({
        action: 'meeting.minutes',
        target: bookingId,
        detail: { version: saved, before: summary(before), after: summary({ ...write, version: saved }) },
      }),
    );
    logger.info({ bookingId, version, decisions: write.decisions.length, actions: actions.length }, 'minutes saved');
    return { ...write, version, updatedByName: actor.displayName, updatedAt: write.updatedAt };
  }

  /** The action item becomes a dispatch task to its owner unit (once; a second call returns the same). */
  async dispatch(actor: Actor, bookingId: string, actionId: string, now = new Date()): Promise<MinutesView> {
    requireStaff(actor);
    const minutes = await this.get(actor, bookingId);
    const action = minutes.actions.find((a) => a.id === actionId);
    if (!action) throw BeaconError.notFound('action item');
    if (action.taskId !== null) return minutes;
    const booking = await this.#bookings.get(actor, bookingId);
    const [task] = await this.#tasks.create(actor, {
      townshipIds: action.owner.kind === 'township' ? [action.owner.id] : [],
      departmentIds: action.owner.kind === 'department' ? [action.owner.id] : [],
      text: `【会议纪要】${booking.title}：${action.text}`,
      deadline: action.due,
      incidentId: null,
    });
    if (!task) throw new BeaconError('internal', 'no task was made');
    const actions = minutes.actions.map(({ id, text, owner, due }) => ({ id, text, owner, due }));
    return this.#write(actor, bookingId, { ...minutes, actions }, new Map([[actionId, task.id]]), now);
  }

  async document(actor: Actor, bookingId: string, now = new Date()): Promise<MinutesDocument> {
    const booking = await this.#bookings.get(actor, bookingId);
    const minutes = await this.get(actor, bookingId);
    return { booking, minutes, attendance: await attendanceOf(this.#bus.store, booking, now) };
  }

  /** New items get an id; kept ones keep their task; every owner is an enabled township or department. */
  async #actions(before: MinutesView, input: MinutesSave['actions']): Promise<MinutesAction[]> {
    const { store } = this.#bus;
    const actions: MinutesAction[] = [];
    for (const [index, item] of input.entries()) {
      const unit =
        item.owner.kind === 'township'
          ? await store.townships.get(item.owner.id)
          : await store.departments.get(item.owner.id);
      const kept = item.id ? before.actions.find((a) => a.id === item.id) : undefined;
      if (item.id && !kept) throw minutesInvalid(`actions.${index}.id`, '没有这条待办 / no such action item');
      // A unit disabled since the item was written stays named; a new owner must be enabled.
      const sameOwner = kept?.owner.kind === item.owner.kind && kept.owner.id === item.owner.id;
      if (!unit || (!unit.enabled && !sameOwner)) {
        throw minutesInvalid(
          `actions.${index}.owner`,
          `责任单位 ${item.owner.kind}:${item.owner.id} 不存在或已停用 / the owner unit is unknown or disabled`,
        );
      }
      actions.push({
        id: kept?.id ?? randomUUID(),
        text: item.text,
        owner: { kind: item.owner.kind, id: item.owner.id, name: unit.name },
        due: new Date(item.due).toISOString(),
        taskId: kept?.taskId ?? null,
      });
    }
    return actions;
  }
}

/** What the audit keeps of minutes: enough to see what changed. */
function summary(m: Pick<MinutesView, 'decisions' | 'actions' | 'text' | 'version'>): Record<string, unknown> {
  return {
    version: m.version,
    decisions: m.decisions,
    actions: m.actions.map((a) => ({
      text: a.text,
      owner: `${a.owner.kind}:${a.owner.id}`,
      due: a.due,
      task: a.taskId,
    })),
    textLength: m.text.length,
  };
}
