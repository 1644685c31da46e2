/**
 * The invitees' side of a booking: the notices (会议通知) a township,
 * department or named account sees, "delivered" when a terminal showed them,
 * the receipt (回执) naming who attends, the materials they may download, and
 * afterwards the attendance against the invitation.
 *
 * A unit's account answers for its unit; any account answers for itself
 * when it is invited by name. A booking it is not invited to reads as
 * `not_found`, like anything else a unit may not see.
 */
import { randomUUID } from 'node:crypto';
import {
  BeaconError,
  type BookingAttendanceRow,
  type InviteeKind,
  type MaterialView,
  type MeetingNotice,
} from '@beacon/protocol';
import type { Actor, CommandBus } from '../command/CommandBus.ts';
import { isStaff, requireStaff, unitOf } from '../command/staff.ts';
import { createLogger } from '../logger.ts';
import type { MaterialRecord } from '../store/bookingTypes.ts';
import type { BookingDesk } from './BookingDesk.ts';
import { noticeFor } from './bookingViews.ts';
import type { MaterialFiles } from './MaterialFiles.ts';
import { checkMaterial, checkMaterialSize } from './materialCheck.ts';
import { attendanceOf } from './meetingAttendance.ts';

const logger = createLogger('NoticeDesk');
/** A terminal lists meetings that ended less than this long ago (the receipt and the absence stay visible). */
const RECENT_MS = 24 * 60 * 60_000;

type Invitee = { kind: InviteeKind; id: string };

/** Who the account answers for: its unit first, then itself by name. */
export function inviteesOf(actor: Actor): Invitee[] {
  const unit = unitOf(actor);
  return [...(unit ? [unit] : []), { kind: 'user', id: actor.userId }];
}

export class NoticeDesk {
  readonly #bus: CommandBus;
  readonly #bookings: BookingDesk;
  readonly #files: MaterialFiles;
  readonly #maxMaterialBytes: number;

  constructor(opts: { bus: CommandBus; bookings: BookingDesk; files: MaterialFiles; maxMaterialBytes: number }) {
    this.#bus = opts.bus;
    this.#bookings = opts.bookings;
    this.#files = opts.files;
    this.#maxMaterialBytes = opts.maxMaterialBytes;
  }

  get maxMaterialBytes(): number {
    return this.#maxMaterialBytes;
  }

  /** The account's notices: meetings it is invited to that have not ended a day ago, by start. */
  async notices(actor: Actor, now = new Date()): Promise<MeetingNotice[]> {
    const after = new Date(now.getTime() - RECENT_MS).toISOString();
    const byId = new Map<string, MeetingNotice>();
    for (const invitee of inviteesOf(actor)) {
      for (const record of await this.#bus.store.bookings.forInvitee(invitee.kind, invitee.id, after)) {
        if (byId.has(record.id)) continue;
        const notice = noticeFor(await this.#bookings.view(record), invitee, 'new');
        if (notice) byId.set(record.id, notice);
      }
    }
    return [...byId.values()].sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  }

  /** Notices shown on the account's screen: their receipts say "delivered" (once; later calls change nothing). */
  async delivered(actor: Actor, bookingIds: readonly string[], now = new Date()): Promise<void> {
    const at = now.toISOString();
    for (const bookingId of new Set(bookingIds)) {
      const record = await this.#bus.store.bookings.get(bookingId);
      if (!record) continue;
      const before = await this.#bus.store.bookings.invitees(bookingId);
      let changed = false;
      for (const invitee of inviteesOf(actor)) {
        const own = before.find((i) => i.kind === invitee.kind && i.refId === invitee.id);
        if (!own || own.deliveredAt) continue;
        changed = (await this.#bus.store.bookings.delivered(bookingId, invitee.kind, invitee.id, at)) || changed;
      }
      if (changed) this.#bookings.announce(await this.#bookings.view(record), null);
    }
  }

  /** 回执: the unit (or invited account) confirms the notice and names who attends. */
  async receipt(actor: Actor, bookingId: string, attendees: string[], now = new Date()): Promise<MeetingNotice> {
    const record = await this.#bus.store.bookings.get(bookingId);
    const invitees = record ? await this.#bus.store.bookings.invitees(bookingId) : [];
    const invitee = inviteesOf(actor).find((a) => invitees.some((i) => i.kind === a.kind && i.refId === a.id));
    if (!record || !invitee) throw BeaconError.notFound('meeting');
    if (record.state === 'cancelled' || record.state === 'ended') {
      throw new BeaconError('invalid_state', '会议已取消或结束 / the meeting was cancelled or has ended');
    }
    const names = [...new Set(attendees)];
    await this.#bus.audited(
      actor,
      (tx) =>
        tx.bookings.confirm(bookingId, invitee.kind, invitee.id, {
          by: actor.userId,
          byName: actor.displayName,
          attendees: names,
          at: now.toISOString(),
        }),
      () => ({
        action: 'meeting.receipt',
        target: bookingId,
        detail: { invitee: `${invitee.kind}:${invitee.id}`, attendees: names },
      }),
    );
    const view = await this.#bookings.view(record);
    logger.info({ bookingId, invitee: `${invitee.kind}:${invitee.id}`, attendees: names.length }, 'receipt confirmed');
    this.#bookings.announce(view, null);
    return noticeFor(view, invitee, 'changed') as MeetingNotice;
  }

  /** The invitees against who joined the meeting's room while it ran. */
  async attendance(actor: Actor, bookingId: string, now = new Date()): Promise<BookingAttendanceRow[]> {
    requireStaff(actor);
    const booking = await this.#bookings.get(actor, bookingId);
    return attendanceOf(this.#bus.store, booking, now);
  }

  /** Refuses an upload by its declared length before reading it. */
  checkUploadSize(bytes: number): void {
    checkMaterialSize(bytes, this.#maxMaterialBytes);
  }

  /** A material for a booking to come: checked by content, stored; the booking refers to it by id. */
  async uploadMaterial(actor: Actor, name: string, bytes: Buffer, now = new Date()): Promise<MaterialView> {
    requireStaff(actor);
    if (bytes.length === 0) throw new BeaconError('material_refused', '没有收到文件 / no file in the request');
    const checked = await checkMaterial(bytes, name, this.#maxMaterialBytes);
    const material: MaterialRecord = {
      id: randomUUID(),
      bookingId: null,
      name: checked.name,
      mime: checked.mime,
      bytes: bytes.length,
      uploadedBy: actor.userId,
      uploadedAt: now.toISOString(),
    };
    await this.#files.write(material.id, bytes);
    await this.#bus.store.bookings.addMaterial(material);
    logger.debug({ materialId: material.id, bytes: bytes.length, mime: checked.mime }, 'meeting material stored');
    return { id: material.id, name: material.name, mime: material.mime, bytes: material.bytes };
  }

  /** A material's bytes, for staff and for the invitees of its booking. */
  async material(actor: Actor, id: string): Promise<{ material: MaterialRecord; bytes: Buffer }> {
    const material = await this.materialRecord(actor, id);
    return { material, bytes: await this.#files.read(id) };
  }

  /** A material's record, if the account may see it (staff, or an invitee of its booking); else `not_found`. */
  async materialRecord(actor: Actor, id: string): Promise<MaterialRecord> {
    const material = await this.#bus.store.bookings.material(id);
    if (!material) throw BeaconError.notFound('material');
    if (!isStaff(actor)) {
      const invitees = material.bookingId ? await this.#bus.store.bookings.invitees(material.bookingId) : [];
      const mine = inviteesOf(actor).some((a) => invitees.some((i) => i.kind === a.kind && i.refId === a.id));
      if (!mine) throw BeaconError.notFound('material');
    } else if (material.bookingId === null && material.uploadedBy !== actor.userId) {
      throw BeaconError.notFound('material');
    }
    return material;
  }

  /** Drops materials uploaded but never made part of a booking (files too). */
  async discardUnused(before: string): Promise<void> {
    for (const id of await this.#bus.store.bookings.discardUnusedMaterials(before)) await this.#files.remove(id);
  }
}
