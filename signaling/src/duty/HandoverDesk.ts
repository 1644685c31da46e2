/**
 * The shift handover (交接班). The outgoing officer starts one (Beacon
 * assembles what is open), adds notes and hands over; another officer, the
 * incoming one, accepts. Both steps are stored with who and when, and
 * audited with the handover before and after.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError, type HandoverView } from '@beacon/protocol';
import type { Actor } from '../command/CommandBus.ts';
import type { Store } from '../store/index.ts';
import { assembleHandover } from './assembleHandover.ts';

export class HandoverDesk {
  readonly #store: Store;
  readonly #currentSlot: (at: Date) => { day: string; shift: string } | null;
  readonly #changed: (handover: HandoverView) => void;

  constructor(opts: {
    store: Store;
    currentSlot: (at: Date) => { day: string; shift: string } | null;
    changed: (handover: HandoverView) => void;
  }) {
    this.#store = opts.store;
    this.#currentSlot = opts.currentSlot;
    this.#changed = opts.changed;
  }

  list(limit: number): Promise<HandoverView[]> {
    return this.#store.duty.handovers.list(limit);
  }

  async get(id: string): Promise<HandoverView> {
    const handover = await this.#store.duty.handovers.get(id);
    if (!handover) throw BeaconError.notFound('handover');
    return handover;
  }

  /** The open handover (draft or handed over), or null. */
  async open(): Promise<HandoverView | null> {
    return (await this.#store.duty.handovers.open()) ?? null;
  }

  /** A new draft with what is open now; `invalid_state` while another handover is open. */
  async start(actor: Actor): Promise<HandoverView> {
    const at = new Date();
    const slot = this.#currentSlot(at);
    const created = await this.#store.duty.handovers.create({
      id: `ho-${randomUUID().replaceAll('-', '').slice(0, 12)}`,
      day: slot?.day ?? null,
      shift: slot?.shift ?? null,
      contents: await assembleHandover(this.#store, at),
      createdBy: actor.userId,
      createdByName: actor.displayName,
    });
    await this.#audit(actor, 'duty.handover.start', created.id, { after: created });
    this.#changed(created);
    return created;
  }

  /** draft → handed_over: assembled again now, with the outgoing officer's notes. */
  async handOver(actor: Actor, id: string, notes: string): Promise<HandoverView> {
    const at = new Date();
    const change = await this.#store.duty.handovers.handOver(id, {
      contents: await assembleHandover(this.#store, at),
      notes,
      by: actor.userId,
      byName: actor.displayName,
      at: at.toISOString(),
    });
    await this.#audit(actor, 'duty.handover.hand_over', id, { ...change });
    this.#changed(change.after);
    return change.after;
  }

  /** handed_over → accepted, by someone other than the officer who handed over. */
  async accept(actor: Actor, id: string, note: string): Promise<HandoverView> {
    const current = await this.get(id);
    if (current.handedOverBy === actor.userId) {
      throw BeaconError.forbidden('交班人不能自己接班 / the officer who handed over cannot also accept');
    }
    const change = await this.#store.duty.handovers.accept(id, {
      note,
      by: actor.userId,
      byName: actor.displayName,
      at: new Date().toISOString(),
    });
    await this.#audit(actor, 'duty.handover.accept', id, { ...change });
    this.#changed(change.after);
    return change.after;
  }

  #audit(actor: Actor, action: string, target: string, detail: Record<string, unknown>): Promise<void> {
    return this.#store.audit.append({ actorId: actor.userId, role: actor.role, action, target, detail });
  }
}
