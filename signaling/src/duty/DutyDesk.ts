/**
 * Duty (值班值守) of one node: the roster, the duty log and shift handovers.
 * It reports changes as typed events that DutyEmitter turns into socket.io
 * emits to the command room's staff (this side does not know socket.io).
 */
import { TypedEmitter } from '@beacon/common';
import type { DutyLogEntry, DutyLogInput, DutyPerson, HandoverView } from '@beacon/protocol';
import { DUTY_OFFICER_ROLES } from '@beacon/protocol';
import type { Actor } from '../command/CommandBus.ts';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import { DEFAULT_DUTY_OPTIONS, type DutyOptions } from './DutyOptions.ts';
import { HandoverDesk } from './HandoverDesk.ts';
import { RosterDesk } from './RosterDesk.ts';

const logger = createLogger('DutyDesk');

export type DutyEvents = {
  /** A roster slot of this `YYYY-MM` month changed (set, cleared, imported). */
  roster: [{ month: string }];
  log: [DutyLogEntry];
  handover: [HandoverView];
};

export class DutyDesk extends TypedEmitter<DutyEvents> {
  readonly roster: RosterDesk;
  readonly handovers: HandoverDesk;
  readonly #store: Store;

  constructor(store: Store, opts: DutyOptions = DEFAULT_DUTY_OPTIONS) {
    super();
    this.#store = store;
    this.roster = new RosterDesk(store, opts, (month) => {
      logger.info({ month }, 'roster changed');
      this.safeEmit('roster', { month });
    });
    this.handovers = new HandoverDesk({
      store,
      currentSlot: (at) => this.roster.current(at),
      changed: (handover) => {
        logger.info({ handoverId: handover.id, status: handover.status }, 'handover changed');
        this.safeEmit('handover', handover);
      },
    });
  }

  /** Everyone who can be put on the roster, with their phones. */
  people(): Promise<DutyPerson[]> {
    return this.#store.duty.roster.people(DUTY_OFFICER_ROLES);
  }

  recentLog(limit: number): Promise<DutyLogEntry[]> {
    return this.#store.duty.log.recent(limit);
  }

  async writeLog(actor: Actor, input: DutyLogInput): Promise<DutyLogEntry> {
    const entry = await this.#store.duty.log.append({
      authorId: actor.userId,
      authorName: actor.displayName,
      category: input.category,
      text: input.text,
    });
    this.safeEmit('log', entry);
    return entry;
  }
}
