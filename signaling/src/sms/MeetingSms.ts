/**
 * Meeting notices (会议通知) by SMS: when a booked meeting's invitees are
 * notified (new, changed, moved, cancelled, reminded), the enabled accounts
 * of each invited township and department that have a mobile number — the
 * unit's leaders and office staff — and named invitees with a number are
 * texted, once per number and notice. A reply 1 / 收到 from such a number
 * confirms the receipt (回执) of that account's unit (or of the account when
 * it was invited by name), for its soonest scheduled meeting not confirmed
 * yet — the same words that acknowledge a warning. A warning open for the
 * number takes the reply first (SmsAlerts): it is the emergency, and its text
 * asks for the same "1". No delivery tracking or retry of its own: the
 * booking page's receipts show who has not confirmed (and the reminders text
 * again); the outbox's rate per number applies as for warnings. Every notice
 * texted is audited (`meeting.sms`, the numbers masked).
 */
import type { BookingView, NoticeReason } from '@beacon/protocol';
import { SYSTEM_ACTOR } from '../command/CommandBus.ts';
import { createLogger } from '../logger.ts';
import type { BookingDesk } from '../meetings/BookingDesk.ts';
import { chinaTime } from '../meetings/minutesDocx.ts';
import type { Store } from '../store/index.ts';
import type { UserRecord } from '../store/StoreTypes.ts';
import type { SmsOutbox } from './SmsOutbox.ts';
import { isAckReply } from './smsReply.ts';
import { maskMobile, normaliseMobile, REPLY_HINT } from './smsText.ts';

const logger = createLogger('MeetingSms');
/** Job ids of meeting texts: the outbox's results for them are not warning recipients'. */
export const MEETING_SMS_PREFIX = 'meeting-sms:';
const TEXTED: ReadonlySet<NoticeReason> = new Set(['new', 'changed', 'moved', 'cancelled', 'reminder']);
const LEAD: Record<string, string> = {
  new: '会议通知',
  changed: '会议变更通知',
  moved: '会议改期通知',
  cancelled: '会议取消通知',
  reminder: '会议提醒',
};

/** 【signature】会议通知：title，time，会场room，主持人chair。回复1或“收到”签收。 (cancelled: no reply asked) */
export function meetingSmsText(booking: BookingView, reason: NoticeReason, signature: string): string {
  const head = `【${signature}】${LEAD[reason] ?? '会议通知'}：${booking.title}，${chinaTime(booking.startsAt)}`;
  if (reason === 'cancelled') return `${head}的会议已取消，请相互转告。`;
  return `${head}，会场${booking.roomTitle}，主持人${booking.chairName}。${REPLY_HINT}`;
}

export class MeetingSms {
  readonly #store: Store;
  readonly #desk: BookingDesk;
  readonly #outbox: SmsOutbox;
  readonly #signature: string;
  readonly #onNotice = (view: BookingView, reason: NoticeReason) => {
    if (!TEXTED.has(reason)) return;
    this.#text(view, reason).catch((err: unknown) =>
      logger.warn({ err, bookingId: view.id }, 'meeting texts not sent'),
    );
  };

  constructor(opts: { store: Store; desk: BookingDesk; outbox: SmsOutbox; signature: string }) {
    this.#store = opts.store;
    this.#desk = opts.desk;
    this.#outbox = opts.outbox;
    this.#signature = opts.signature;
    this.#desk.on('notice', this.#onNotice);
  }

  close(): void {
    this.#desk.off('notice', this.#onNotice);
  }

  /** The numbers a notice goes to: the invited units' accounts and the invited accounts that have one. */
  async recipients(view: BookingView): Promise<{ mobile: string; user: UserRecord }[]> {
    const units = new Set(view.invitees.map((i) => `${i.kind}:${i.id}`));
    const out = new Map<string, UserRecord>();
    for (const user of await this.#store.users.list()) {
      const mobile = normaliseMobile(user.phone);
      if (!user.enabled || !mobile || out.has(mobile)) continue;
      const invited =
        units.has(`user:${user.id}`) ||
        (user.role === 'township' && units.has(`township:${user.townshipId}`)) ||
        (user.role === 'department' && units.has(`department:${user.departmentId}`));
      if (invited) out.set(mobile, user);
    }
    return [...out].map(([mobile, user]) => ({ mobile, user }));
  }

  /**
   * A reply from a phone: 1 / 收到 confirms the receipt of the account's unit (or the account) for its soonest
   * scheduled meeting not yet confirmed. Returns the booking confirmed, or null.
   */
  async reply(input: { from: string; text: string }, now = new Date()): Promise<string | null> {
    const mobile = normaliseMobile(input.from);
    if (!mobile || !isAckReply(input.text)) return null;
    const user = (await this.#store.users.list()).find((u) => u.enabled && normaliseMobile(u.phone) === mobile);
    if (!user) return null;
    const unit =
      user.role === 'township' && user.townshipId
        ? { kind: 'township' as const, id: user.townshipId }
        : user.role === 'department' && user.departmentId
          ? { kind: 'department' as const, id: user.departmentId }
          : null;
    const mine = [...(unit ? [unit] : []), { kind: 'user' as const, id: user.id }];
    for (const invitee of mine) {
      const open = (await this.#store.bookings.forInvitee(invitee.kind, invitee.id, now.toISOString())).filter(
        (b) => b.state === 'scheduled',
      );
      for (const record of open) {
        const own = (await this.#store.bookings.invitees(record.id)).find(
          (i) => i.kind === invitee.kind && i.refId === invitee.id,
        );
        if (!own || own.confirmedAt) continue;
        await this.#store.bookings.confirm(record.id, invitee.kind, invitee.id, {
          by: user.id,
          byName: `${user.displayName}（短信）`,
          attendees: own.attendees,
          at: now.toISOString(),
        });
        await this.#store.audit.append({
          actorId: user.id,
          role: user.role,
          action: 'meeting.receipt',
          target: record.id,
          detail: { invitee: `${invitee.kind}:${invitee.id}`, channel: 'sms', reply: input.text.slice(0, 50) },
        });
        logger.info({ bookingId: record.id, invitee: `${invitee.kind}:${invitee.id}` }, 'receipt confirmed by sms');
        this.#desk.announce(await this.#desk.view((await this.#store.bookings.get(record.id)) ?? record), null);
        return record.id;
      }
    }
    logger.debug({ from: maskMobile(mobile) }, 'sms reply with no meeting to confirm');
    return null;
  }

  async #text(view: BookingView, reason: NoticeReason): Promise<void> {
    const text = meetingSmsText(view, reason, this.#signature);
    const recipients = await this.recipients(view);
    if (recipients.length === 0) return;
    await this.#store.audit.append({
      actorId: SYSTEM_ACTOR.userId,
      role: SYSTEM_ACTOR.role,
      action: 'meeting.sms',
      target: view.id,
      detail: { reason, numbers: recipients.map((r) => maskMobile(r.mobile)) },
    });
    for (const { mobile } of recipients) {
      this.#outbox.enqueue({
        recipientId: `${MEETING_SMS_PREFIX}${view.id}:${mobile}`,
        attempt: 1,
        // No delivery report: a meeting text's answer is the receipt.
        submission: { to: mobile, text, reportUrl: '' },
      });
    }
    logger.info({ bookingId: view.id, reason, texts: recipients.length }, 'meeting notice texted');
  }
}
