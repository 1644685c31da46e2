/**
 * Meeting notices by phone: when a notice goes out (new, moved, reminder), the
 * registered desk phones of the invitees that have not confirmed are called
 * through the SIP gateway's alert call — the same flow as warnings: the text
 * is read out (espeak-ng) and "press 1" comes back as `sip:alertAck`, here
 * with a call id `meeting:<bookingId>` that the handler hands to `ack`. Phone
 * invitees are called by their extension; a township's or department's phone
 * answers for its unit. A confirmation by phone names no attendees and never
 * replaces one a terminal gave. No gateway or no registered phone: no call,
 * the terminals' notice still runs.
 */
import { BeaconError, type BookingView, type InviteeView, type NoticeReason } from '@beacon/protocol';
import { createLogger } from '../logger.ts';
import { phoneIdentity } from '../sip/phoneIdentity.ts';
import type { SipBridge } from '../sip/SipBridge.ts';
import type { Store } from '../store/index.ts';
import type { BookingDesk } from './BookingDesk.ts';

const logger = createLogger('NoticeCalls');
const CALL_PREFIX = 'meeting:';
const CALLED_FOR: ReadonlySet<NoticeReason> = new Set(['new', 'moved', 'reminder']);

export const isMeetingCall = (callId: string): boolean => callId.startsWith(CALL_PREFIX);

/** What the phone hears: the meeting, its time in the offices' zone (UTC+8), its room; then "press 1". */
export function noticeCallText(booking: BookingView, reason: NoticeReason): { textZh: string; textEn: string } {
  const when = new Date(Date.parse(booking.startsAt) + 8 * 3_600_000);
  const time = `${when.getUTCMonth() + 1}月${when.getUTCDate()}日${when.getUTCHours()}点${String(when.getUTCMinutes()).padStart(2, '0')}分`;
  const lead = reason === 'moved' ? '会议改期通知。' : reason === 'reminder' ? '会议提醒。' : '会议通知。';
  return {
    textZh: `${lead}${booking.title}，${time}，在${booking.roomTitle}召开，主持人${booking.chairName}。请按1确认收到。`,
    textEn: 'Beacon meeting notice. Please check your terminal. Press 1 to confirm receipt.',
  };
}

export class NoticeCalls {
  readonly #desk: BookingDesk;
  readonly #sip: SipBridge;
  readonly #store: Store;
  readonly #onNotice = (view: BookingView, reason: NoticeReason) => {
    if (CALLED_FOR.has(reason) && view.state === 'scheduled') {
      this.#call(view, reason).catch((err: unknown) =>
        logger.warn({ err, bookingId: view.id }, 'notice calls not placed'),
      );
    }
  };

  constructor(opts: { desk: BookingDesk; sip: SipBridge; store: Store }) {
    this.#desk = opts.desk;
    this.#sip = opts.sip;
    this.#store = opts.store;
    this.#desk.on('notice', this.#onNotice);
  }

  /** The phone pressed 1: the receipt of the invitee it answers for, unless one is confirmed already. */
  async ack(input: { warningId: string; townshipId: string | null; extension: string }) {
    const bookingId = input.warningId.slice(CALL_PREFIX.length);
    const record = await this.#store.bookings.get(bookingId);
    if (!record) throw BeaconError.notFound('meeting');
    const invitees = await this.#store.bookings.invitees(bookingId);
    const who = await phoneIdentity(this.#store, input.extension, null);
    const invitee =
      invitees.find((i) => i.kind === 'phone' && i.refId === input.extension) ??
      invitees.find((i) => i.kind === 'township' && i.refId === (input.townshipId ?? who.townshipId)) ??
      invitees.find((i) => i.kind === 'department' && i.refId === who.departmentId);
    if (!invitee) throw BeaconError.notFound('meeting');
    if (invitee.confirmedAt) return { ackedAt: invitee.confirmedAt, alreadyAcked: true };
    const at = new Date().toISOString();
    await this.#store.bookings.confirm(bookingId, invitee.kind, invitee.refId, {
      by: null,
      byName: `${who.displayName}（电话）`,
      attendees: [],
      at,
    });
    logger.info({ bookingId, invitee: `${invitee.kind}:${invitee.refId}` }, 'receipt confirmed by phone');
    const view = await this.#desk.view((await this.#store.bookings.get(bookingId)) ?? record);
    this.#desk.announce(view, null);
    return { ackedAt: at, alreadyAcked: false };
  }

  close(): void {
    this.#desk.off('notice', this.#onNotice);
  }

  async #call(view: BookingView, reason: NoticeReason): Promise<void> {
    if (!this.#sip.available) return;
    const registered = this.#sip.status().registrations.filter((r) => r.registered);
    const text = noticeCallText(view, reason);
    for (const invitee of view.invitees) {
      if (invitee.status === 'confirmed') continue;
      for (const extension of await this.#phonesOf(invitee, registered)) {
        const who = await phoneIdentity(this.#store, extension, null);
        this.#sip.alertCall({ warningId: `${CALL_PREFIX}${view.id}`, townshipId: who.townshipId, extension, ...text });
      }
    }
  }

  async #phonesOf(
    invitee: InviteeView,
    registered: readonly { extension: string; townshipId: string | null }[],
  ): Promise<string[]> {
    const isRegistered = (extension: string) => registered.some((r) => r.extension === extension);
    switch (invitee.kind) {
      case 'phone':
        return isRegistered(invitee.id) ? [invitee.id] : [];
      case 'township':
        return registered.filter((r) => r.townshipId === invitee.id).map((r) => r.extension);
      case 'department':
        return (await this.#store.terminals.listByDepartment(invitee.id))
          .filter((t) => t.kind === 'sip_phone' && t.enabled && t.extension !== null && isRegistered(t.extension))
          .map((t) => t.extension as string);
      case 'user':
        return [];
    }
  }
}
