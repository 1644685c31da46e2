/**
 * The clock of booked meetings. Every tick: reminders that fell due go out
 * (one per booking and tick, however many passed while Beacon was down), a
 * meeting whose time has come starts — its invited terminals are told to
 * join (the same `invite` an emergency meeting sends: they join without a
 * click), its invited desk phones are dialled when the booking says so, and
 * the chair's console is told to open the room — and a meeting past its end
 * is marked ended. Each step is a compare-and-set in the store, so with
 * several signaling nodes each happens once.
 */
import { TypedEmitter } from '@beacon/common';
import type { BookingView } from '@beacon/protocol';
import { type CommandBus, SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { createLogger } from '../logger.ts';
import { dialRequestFor } from '../sip/dialRequest.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { BookingRecord } from '../store/bookingTypes.ts';
import type { BookingDesk } from './BookingDesk.ts';
import { remindersDue } from './bookingRules.ts';
import type { NoticeDesk } from './NoticeDesk.ts';

const logger = createLogger('MeetingScheduler');
/** Reminders reach at most a week ahead (the largest a booking accepts). */
const LOOKAHEAD_MS = 7 * 24 * 60 * 60_000;

export type MeetingSchedulerEvents = {
  /** A booked meeting started: its chair's console opens the room (and starts recording when asked). */
  open: [{ chairId: string; bookingId: string; roomId: string; title: string; record: boolean }];
};

export class MeetingScheduler extends TypedEmitter<MeetingSchedulerEvents> {
  readonly #bus: CommandBus;
  readonly #bookings: BookingDesk;
  readonly #notices: NoticeDesk;
  readonly #sip: SipBridge | null;
  readonly #unusedMaterialTtlMs: number;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;

  constructor(opts: {
    bus: CommandBus;
    bookings: BookingDesk;
    notices: NoticeDesk;
    sip: SipBridge | null;
    tickMs: number;
    unusedMaterialTtlMs: number;
  }) {
    super();
    this.#bus = opts.bus;
    this.#bookings = opts.bookings;
    this.#notices = opts.notices;
    this.#sip = opts.sip;
    this.#unusedMaterialTtlMs = opts.unusedMaterialTtlMs;
    this.#timer = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      this.tick()
        .catch((err: unknown) => logger.error({ err }, 'meeting tick failed'))
        .finally(() => {
          this.#ticking = false;
        });
    }, opts.tickMs);
    this.#timer.unref();
  }

  /** One pass at `now`; returns what it did, for tests. */
  async tick(now = new Date()): Promise<{ reminded: string[]; started: string[]; ended: string[] }> {
    const done = { reminded: [] as string[], started: [] as string[], ended: [] as string[] };
    const store = this.#bus.store;
    const until = new Date(now.getTime() + LOOKAHEAD_MS).toISOString();
    for (const record of await store.bookings.active(until, now.toISOString())) {
      if (record.state === 'started') {
        if (await store.bookings.transition(record.id, 'started', 'ended')) {
          done.ended.push(record.id);
          logger.info({ bookingId: record.id }, 'booked meeting ended');
          await this.#announce(record.id, null);
        }
      } else if (Date.parse(record.startsAt) <= now.getTime()) {
        if (await this.#start(record)) done.started.push(record.id);
      } else {
        const due = remindersDue(record.startsAt, record.reminders, now);
        if (due > record.remindersSent && (await this.#countReminder(record, due))) {
          done.reminded.push(record.id);
          logger.debug({ bookingId: record.id, reminder: due }, 'meeting reminder');
          await this.#announce(record.id, 'reminder');
        }
      }
    }
    await this.#notices.discardUnused(new Date(now.getTime() - this.#unusedMaterialTtlMs).toISOString());
    return done;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The reminder counted and its audit entry, in one transaction; false: another node counted it. */
  #countReminder(record: BookingRecord, due: number): Promise<boolean> {
    return this.#bus.audited(
      SYSTEM_ACTOR,
      (tx) => tx.bookings.countReminder(record.id, record.remindersSent, due),
      (counted) =>
        counted
          ? { action: 'meeting.remind', target: record.id, detail: { minutesBefore: record.reminders[due - 1] } }
          : null,
    );
  }

  async #start(record: BookingRecord): Promise<boolean> {
    // The start and its audit entry commit together; the invited units are read in the same transaction.
    const started = await this.#bus.audited(
      SYSTEM_ACTOR,
      async (tx) => {
        if (!(await tx.bookings.transition(record.id, 'scheduled', 'started'))) return null;
        const invitees = await tx.bookings.invitees(record.id);
        const of = (kind: string) => invitees.filter((i) => i.kind === kind).map((i) => i.refId);
        return { townshipIds: of('township'), departmentIds: of('department') };
      },
      (units) => units && { action: 'meeting.start', target: record.id, detail: { roomId: record.roomId, ...units } },
    );
    if (!started) return false;
    const view = await this.#announce(record.id, 'starting');
    if (!view) return false;
    const townshipIds = view.invitees.filter((i) => i.kind === 'township').map((i) => i.id);
    const departmentIds = view.invitees.filter((i) => i.kind === 'department').map((i) => i.id);
    // The invited terminals join by themselves, as for an emergency meeting (CommandEmitter → meeting:invite).
    this.#bus.emit('invite', {
      townshipIds,
      departmentIds,
      roomId: view.roomId,
      title: view.title,
      by: view.chairName,
    });
    this.safeEmit('open', {
      chairId: view.chairId,
      bookingId: view.id,
      roomId: view.roomId,
      title: view.title,
      record: view.record,
    });
    const dialled = view.dialPhones ? await this.#dialPhones(view) : [];
    // Dialling changes nothing in the store: its own entry, after the calls were placed.
    if (dialled.length > 0) await this.#bus.audit(SYSTEM_ACTOR, 'meeting.dial', view.id, { dialled });
    logger.info(
      { bookingId: view.id, roomId: view.roomId, townships: townshipIds.length, dialled: dialled.length },
      'booked meeting started',
    );
    return true;
  }

  /** Invited desk phones (by extension, and those of invited units) are called into the room; an invited video terminal with video. */
  async #dialPhones(view: BookingView): Promise<string[]> {
    const sip = this.#sip;
    // canCall: a gateway on this node or, scaled out, on another one (dial() relays to it).
    if (!sip?.canCall) return [];
    const { store } = this.#bus;
    const extensions = new Set(view.invitees.filter((i) => i.kind === 'phone').map((i) => i.id));
    for (const invitee of view.invitees) {
      const terminals =
        invitee.kind === 'township'
          ? await store.terminals.listByTownship(invitee.id)
          : invitee.kind === 'department'
            ? await store.terminals.listByDepartment(invitee.id)
            : [];
      for (const t of terminals) if (t.kind === 'sip_phone' && t.extension && t.enabled) extensions.add(t.extension);
    }
    const dialled: string[] = [];
    for (const extension of extensions) {
      const request = sip.dial(await dialRequestFor(store, view.roomId, extension), `booking:${view.id}`);
      if (request) dialled.push(extension);
    }
    return dialled;
  }

  async #announce(id: string, reason: 'reminder' | 'starting' | null): Promise<BookingView | null> {
    const record = await this.#bus.store.bookings.get(id);
    if (!record) return null;
    const view = await this.#bookings.view(record);
    this.#bookings.announce(view, reason);
    return view;
  }
}
