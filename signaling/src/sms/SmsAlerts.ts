/**
 * Warnings by SMS. When a warning reaches a township or department (issue),
 * its villages' contacts and its staff are texted (smsRecipients.ts); each
 * recipient is a store row that moves queued → submitted → delivered (or
 * failed, retried) → acked (smsState.ts). Kannel's answers, its delivery
 * reports and the phones' replies come in through `deliveryReport` and
 * `reply`. A reply 1 / 收到 acknowledges the recipient; from a unit's staff it
 * also acknowledges the unit's line on the ack board (channel `sms`).
 * Recipients who have not replied are texted again every escalationMinutes of
 * the warning, up to `maxNotify` texts (their own escalation: a township that
 * acknowledged on its terminal still wants every village head to confirm).
 * Every submission is audited (`sms.send`).
 */
import type { SmsRecipientView, WarningView } from '@beacon/protocol';
import type { Actor, CommandBus, CommandEvents } from '../command/CommandBus.ts';
import { SYSTEM_ACTOR } from '../command/CommandBus.ts';
import type { WarningDesk } from '../command/WarningDesk.ts';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import type { SmsAlertsOptions } from './SmsAlertsOptions.ts';
import type { SmsOutbox } from './SmsOutbox.ts';
import type { SmsJob, SubmitResult } from './SmsOutboxTypes.ts';
import { smsRecipientsFor } from './smsRecipients.ts';
import { isAckReply } from './smsReply.ts';
import { allClearSmsText, maskMobile, normaliseMobile, ucs2Parts, warningSmsText } from './smsText.ts';

const logger = createLogger('SmsAlerts');

/** Kannel's delivery report types (%d): 1 delivered, 2 not delivered, 4 buffered, 8 taken by the SMSC, 16 refused. */
export type DeliveryReportType = 1 | 2 | 4 | 8 | 16;

export class SmsAlerts {
  readonly #bus: CommandBus;
  readonly #store: Store;
  readonly #warnings: WarningDesk;
  readonly #outbox: SmsOutbox;
  readonly #reportUrl: (recipientId: string, attempt: number) => string;
  readonly #opts: SmsAlertsOptions;
  readonly #timer: NodeJS.Timeout;
  #ticking = false;
  readonly #onAlert = (event: CommandEvents['alert'][0]) => {
    // Escalations of a line are the terminal's and the phone's; recipients escalate on their own (tick).
    if (event.alert.notifyCount !== 1) return;
    this.#textUnits(event).catch((err: unknown) =>
      logger.error({ err, warningId: event.alert.warningId }, 'warning not texted'),
    );
  };
  readonly #onWarning = (warning: WarningView) => {
    if (warning.status !== 'cancelled') return;
    this.#allClear(warning).catch((err: unknown) =>
      logger.error({ err, warningId: warning.id }, 'all-clear not texted'),
    );
  };
  readonly #onResult = (job: SmsJob, result: SubmitResult) => {
    this.#submitted(job, result).catch((err: unknown) =>
      logger.error({ err, recipientId: job.recipientId }, 'sms result not stored'),
    );
  };

  constructor(opts: {
    bus: CommandBus;
    store: Store;
    warnings: WarningDesk;
    outbox: SmsOutbox;
    /** The signed delivery-report URL of one attempt (with Kannel's %d for the report type). */
    reportUrl: (recipientId: string, attempt: number) => string;
    options: SmsAlertsOptions;
  }) {
    this.#bus = opts.bus;
    this.#store = opts.store;
    this.#warnings = opts.warnings;
    this.#outbox = opts.outbox;
    this.#reportUrl = opts.reportUrl;
    this.#opts = opts.options;
    this.#bus.on('alert', this.#onAlert);
    this.#bus.on('warning', this.#onWarning);
    this.#outbox.on('result', this.#onResult);
    this.#timer = setInterval(() => {
      if (this.#ticking) return;
      this.#ticking = true;
      this.tick()
        .catch((err: unknown) => logger.error({ err }, 'sms escalation tick failed'))
        .finally(() => {
          this.#ticking = false;
        });
    }, this.#opts.escalationTickMs);
    this.#timer.unref();
  }

  /** Texts a stopped node left queued (issued, unexpired warnings only). */
  async resume(): Promise<number> {
    const queued = await this.#store.sms.queued(new Date().toISOString());
    for (const { recipient, warning } of queued) await this.#send(recipient, warning);
    if (queued.length > 0) logger.info({ count: queued.length }, 'queued texts resumed');
    return queued.length;
  }

  /** A delivery report for one attempt; reports of an older attempt, or out of order, change nothing. */
  async deliveryReport(input: { recipientId: string; attempt: number; type: number; smsc: string }): Promise<void> {
    const at = new Date().toISOString();
    const { recipientId, attempt } = input;
    let row: SmsRecipientView | undefined;
    if (input.type === 1) row = await this.#store.sms.delivered(recipientId, attempt, at);
    else if (input.type === 2 || input.type === 16) {
      row = await this.#store.sms.failed(recipientId, attempt, `delivery report ${input.type} ${input.smsc}`, at);
      if (row) await this.#retry(row);
    }
    if (row) this.#bus.emit('sms', row);
  }

  /** A text from a phone. 1 / 收到 acknowledges the newest open warning texted to that number. */
  async reply(input: { from: string; text: string }): Promise<{ acked: boolean }> {
    const mobile = normaliseMobile(input.from);
    const at = new Date().toISOString();
    const open = mobile ? await this.#store.sms.openFor(mobile, at) : [];
    const target = open[0];
    if (!target) {
      logger.debug({ from: mobile ? maskMobile(mobile) : 'unknown' }, 'reply from a number with no open warning');
      return { acked: false };
    }
    const { recipient, warning } = target;
    if (!isAckReply(input.text)) {
      const row = await this.#store.sms.replied(recipient.id, input.text);
      if (row) this.#bus.emit('sms', row);
      return { acked: false };
    }
    // The ack and its audit entry commit together.
    const row = await this.#bus.audited(
      this.#actorOf(recipient),
      (tx) => tx.sms.acked(recipient.id, input.text, at),
      (acked) =>
        acked
          ? {
              action: 'sms.ack',
              target: warning.id,
              detail: {
                recipientId: acked.id,
                mobile: acked.mobile,
                townshipId: acked.townshipId,
                departmentId: acked.departmentId,
                villageId: acked.villageId,
                reply: input.text.slice(0, 50),
              },
            }
          : null,
    );
    if (!row) return { acked: false };
    this.#bus.emit('sms', row);
    // A unit's own staff answers for the unit: its board line is acknowledged, by SMS.
    if (row.role === 'staff' && row.userId) {
      const user = await this.#store.users.findById(row.userId);
      if (user) {
        await this.#warnings.ack(
          {
            userId: user.id,
            username: user.username,
            displayName: `${user.displayName}·短信`,
            role: user.role,
            townshipId: user.townshipId,
            departmentId: user.departmentId,
          },
          warning.id,
          'sms',
        );
      }
    }
    logger.info({ warningId: warning.id, recipientId: row.id, role: row.role }, 'warning acknowledged by sms');
    return { acked: true };
  }

  /** Texts again whoever has not replied within the warning's escalationMinutes; returns how many. */
  async tick(now = new Date()): Promise<number> {
    const at = now.toISOString();
    let count = 0;
    for (const { recipient, warning } of await this.#store.sms.unackedEscalating(at)) {
      if (recipient.notifyCount >= this.#opts.maxNotify) continue;
      const due = Date.parse(recipient.lastNotifiedAt) + warning.escalationMinutes * 60_000;
      if (due > now.getTime()) continue;
      const renotified = await this.#store.sms.renotify(recipient.id, at, recipient.lastNotifiedAt);
      // Another node got there first, or the reply came meanwhile.
      if (!renotified) continue;
      count++;
      await this.#send(renotified, warning);
    }
    if (count > 0) logger.info({ count }, 'texted again (not acknowledged)');
    return count;
  }

  close(): void {
    clearInterval(this.#timer);
    this.#bus.off('alert', this.#onAlert);
    this.#bus.off('warning', this.#onWarning);
    this.#outbox.off('result', this.#onResult);
  }

  async #textUnits(event: CommandEvents['alert'][0]): Promise<void> {
    const warning = await this.#store.warnings.get(event.alert.warningId);
    if (!warning) return;
    const wanted = await smsRecipientsFor(this.#store, warning, event);
    if (wanted.length === 0) return;
    const all = await this.#store.sms.add(warning.id, wanted, new Date().toISOString());
    const added = new Set(wanted.map((r) => r.id));
    // Only those added now (queued as attempt 1): a number already texted (another line of the same issue) is not
    // texted twice.
    for (const row of all) if (added.has(row.id)) this.#enqueue(row, warning);
  }

  /**
   * 预警解除: everyone a text of the warning reached (submitted, delivered or acked) gets the all-clear.
   * It rides the outbox as attempt 0, which no recipient row has: its answer and delivery report leave the
   * recipient's line on the board as it was. Audited once per number as the system's.
   */
  async #allClear(warning: WarningView): Promise<void> {
    const reached = (await this.#store.sms.list(warning.id)).filter((r) =>
      ['submitted', 'delivered', 'acked'].includes(r.state),
    );
    const text = allClearSmsText(warning, this.#opts);
    for (const row of reached) {
      this.#outbox.enqueue({
        recipientId: row.id,
        attempt: 0,
        submission: { to: row.mobile, text, reportUrl: this.#reportUrl(row.id, 0) },
      });
      await this.#bus.audit(SYSTEM_ACTOR, 'sms.allClear', warning.id, {
        recipientId: row.id,
        mobile: row.mobile,
        townshipId: row.townshipId,
        departmentId: row.departmentId,
        villageId: row.villageId,
      });
    }
    if (reached.length > 0) logger.info({ warningId: warning.id, count: reached.length }, 'all-clear texted');
  }

  /** A new attempt of the recipient's current notification, into the outbox. */
  async #send(recipient: SmsRecipientView, warning: WarningView, delayMs = 0): Promise<void> {
    const row = await this.#store.sms.beginAttempt(recipient.id, new Date().toISOString());
    if (row) this.#enqueue(row, warning, delayMs);
  }

  #enqueue(row: SmsRecipientView, warning: WarningView, delayMs = 0): void {
    this.#bus.emit('sms', row);
    const text = warningSmsText(warning, row.notifyCount, this.#opts);
    this.#outbox.enqueue(
      {
        recipientId: row.id,
        attempt: row.attempt,
        submission: { to: row.mobile, text, reportUrl: this.#reportUrl(row.id, row.attempt) },
      },
      delayMs,
    );
  }

  async #submitted(job: SmsJob, result: SubmitResult): Promise<void> {
    const at = new Date().toISOString();
    const parts = ucs2Parts(job.submission.text);
    // The attempt's outcome and its audit entry commit together.
    const row = await this.#bus.audited(
      SYSTEM_ACTOR,
      (tx) =>
        result.ok
          ? tx.sms.submitted(job.recipientId, job.attempt, parts, at)
          : tx.sms.failed(job.recipientId, job.attempt, result.reason, at),
      (sent) =>
        sent
          ? {
              action: 'sms.send',
              target: sent.warningId,
              detail: {
                recipientId: sent.id,
                mobile: sent.mobile,
                townshipId: sent.townshipId,
                departmentId: sent.departmentId,
                villageId: sent.villageId,
                notifyCount: sent.notifyCount,
                attempt: sent.attempt,
                parts,
                result: result.ok ? (result.queued ? 'queued' : 'accepted') : 'refused',
                ...(result.ok ? {} : { reason: result.reason }),
              },
            }
          : null,
    );
    if (!row) return;
    this.#bus.emit('sms', row);
    if (!result.ok) {
      logger.warn({ recipientId: row.id, to: maskMobile(row.mobile), reason: result.reason }, 'sms not submitted');
      if (!result.permanent) await this.#retry(row);
    }
  }

  /** Another attempt after a back-off, while this notification has retries left. */
  async #retry(row: SmsRecipientView): Promise<void> {
    // notifyAttempts counts the first try too: retries left while it is at most `retries`.
    const attemptsThisNotify = row.notifyAttempts;
    if (attemptsThisNotify > this.#opts.retries) return;
    const warning = await this.#store.warnings.get(row.warningId);
    if (warning?.status !== 'issued' || (warning.expires !== null && Date.parse(warning.expires) <= Date.now())) return;
    await this.#send(row, warning, this.#opts.retryDelayMs * 2 ** (attemptsThisNotify - 1));
  }

  #actorOf(row: SmsRecipientView): Actor {
    return {
      userId: row.userId ?? `sms:${row.mobile}`,
      username: `sms:${row.mobile}`,
      displayName: row.name,
      role: 'service',
      townshipId: row.townshipId,
    };
  }
}
