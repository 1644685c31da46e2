/**
 * The shift handover (交接班). The outgoing officer starts one (Beacon
 * assembles what is open), adds notes and hands over; another officer, the
 * incoming one, accepts. Both steps are stored with who and when, and
 * audited with the handover before and after.
 */
import { randomUUID } from 'node:crypto';
import { BeaconError, type HandoverView } from '@beacon/protocol';
import { type AuditLine, auditedChange } from '../audit/auditedChange.ts';
import type { Actor } from '../command/CommandBus.ts';
import type { Store, StoreRepositories } from '../store/index.ts';
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
    const contents = await assembleHandover(this.#store, at);
    const created = await this.#audited(
      actor,
      (tx) =>
        tx.duty.handovers.create({
          id: `ho-${randomUUID().replaceAll('-', '').slice(0, 12)}`,
          day: slot?.day ?? null,
          shift: slot?.shift ?? null,
          contents,
          createdBy: actor.userId,
          createdByName: actor.displayName,
        }),
      (after) => ({ action: 'duty.handover.start', target: after.id, detail: { after } }),
    );
    this.#changed(created);
    return created;
  }

  /** draft → handed_over: assembled again now, with the outgoing officer's notes. */
  async handOver(actor: Actor, id: string, notes: string): Promise<HandoverView> {
    const at = new Date();
    const contents = await assembleHandover(this.#store, at);
    const change = await this.#audited(
      actor,
      (tx) =>
        tx.duty.handovers.handOver(id, {
          contents,
          notes,
          by: actor.userId,
          byName: actor.displayName,
          at: at.toISOString(),
        }),
      (c) => ({ action: 'duty.handover.hand_over', target: id, detail: { ...c } }),
    );
    this.#changed(change.after);
    return change.after;
  }

  /** handed_over → accepted, by someone other than the officer who handed over. */
  async accept(actor: Actor, id: string, note: string): Promise<HandoverView> {
    const current = await this.get(id);
    if (current.handedOverBy === actor.userId) {
      throw BeaconError.forbidden('交班人不能自己接班 / the officer who handed over cannot also accept');
    }
    const change = await this.#audited(
      actor,
      (tx) =>
        tx.duty.handovers.accept(id, {
          note,
          by: actor.userId,
          byName: actor.displayName,
          at: new Date().toISOString(),
        }),
      (c) => ({ action: 'duty.handover.accept', target: id, detail: { ...c } }),
    );
    this.#changed(change.after);
    return change.after;
  }

  /** The change and its audit entry in one transaction (audit/auditedChange.ts). */
  #audited<T>(
    actor: Actor,
    change: (tx: StoreRepositories) => Promise<T>,
    entry: (result: T) => AuditLine,
  ): Promise<T> {
    return auditedChange(this.#store, { actorId: actor.userId, role: actor.role }, change, entry);
  }
}
