/**
 * SMS for one Beacon node (BEACON_SMS=on): runs Kannel (bearerbox + smsbox)
 * with its config in `<dataDir>/kannel`, and the warnings' SMS channel
 * (SmsAlerts) on top. Kannel calls back into Beacon — delivery reports and
 * replies — over loopback HTTP; each delivery-report URL is signed for its
 * recipient and attempt (HMAC), the reply URL carries a key, both from
 * `<dataDir>/kannel/secrets.json`, so nobody else can fake a delivery or an
 * acknowledgement.
 *
 * When Kannel is missing or will not start, the node keeps running: texts
 * are still recorded and show as failed on the ack board, which is what the
 * duty officer must see.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import type { CommandRoom } from '../command/CommandRoom.ts';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/index.ts';
import { KannelClient } from './kannel/KannelClient.ts';
import type { SmscSpec } from './kannel/KannelConfig.ts';
import { KannelError } from './kannel/KannelError.ts';
import { KannelProcess } from './kannel/KannelProcess.ts';
import { type KannelSecrets, kannelSecrets } from './kannel/kannelSecrets.ts';
import { MeetingSms } from './MeetingSms.ts';
import { NumberRateLimiter } from './NumberRateLimiter.ts';
import { SmsAlerts } from './SmsAlerts.ts';
import type { SmsAlertsOptions } from './SmsAlertsOptions.ts';
import { SmsOutbox } from './SmsOutbox.ts';
import type { SmsGateway } from './SmsOutboxTypes.ts';

const logger = createLogger('SmsService');

/** Where Kannel calls back, under the API (before its bearer check: Kannel brings keys, not tokens). */
export const KANNEL_CALLBACK_PATH = '/api/v1/sms/kannel';

export interface SmsConfig extends Omit<SmsAlertsOptions, 'escalationTickMs'> {
  smsc: SmscSpec;
  /** Kannel's four loopback ports start here (admin, smsbox, sendsms, fake SMSC). */
  portBase: number;
  /** Sender number on the texts; null: the SMSC's own. */
  sender: string | null;
}

export interface SmsServiceOptions {
  dataDir: string;
  sms: SmsConfig;
  escalationTickMs: number;
  command: CommandRoom;
  store: Store;
  /** Instead of Kannel (tests of the channel without it). Default: Kannel, started by start(). */
  gateway?: SmsGateway;
}

export class SmsService {
  readonly #opts: SmsServiceOptions;
  readonly #secrets: KannelSecrets;
  readonly #outbox: SmsOutbox;
  #kannel: KannelProcess | null = null;
  #alerts: SmsAlerts | null = null;
  #meetings: MeetingSms | null = null;
  #failure: KannelError | null = null;
  /** `<this node's loopback URL>/api/v1/sms/kannel`, once started. */
  #callbackBase = '';

  constructor(opts: SmsServiceOptions) {
    this.#opts = opts;
    this.#secrets = kannelSecrets(this.#workDir);
    this.#outbox = new SmsOutbox({
      gateway:
        opts.gateway ?? new KannelClient({ sendsmsPort: opts.sms.portBase + 2, password: this.#secrets.sendsms }),
      limiter: new NumberRateLimiter(opts.sms.perNumber),
    });
  }

  get #workDir(): string {
    return path.resolve(this.#opts.dataDir, 'kannel');
  }

  /** The warnings' SMS channel, once started. */
  get alerts(): SmsAlerts | null {
    return this.#alerts;
  }

  /** Meeting notices by SMS (会议通知), once started. */
  get meetings(): MeetingSms | null {
    return this.#meetings;
  }

  get kannel(): KannelProcess | null {
    return this.#kannel;
  }

  /** Why Kannel is not running, when its start failed. */
  get failure(): KannelError | null {
    return this.#failure;
  }

  /** Texts submitted and waiting (in flight, held by a number's rate, waiting to retry). */
  get pending(): number {
    return this.#outbox.pending;
  }

  /**
   * Starts Kannel (unless a gateway was given) calling back to `baseUrl` (this node's loopback HTTP), then the
   * channel, and re-queues what a stopped node left queued. Never throws: Kannel's failure is logged and kept.
   */
  async start(baseUrl: string): Promise<void> {
    const { sms, command, store } = this.#opts;
    this.#callbackBase = `${baseUrl}${KANNEL_CALLBACK_PATH}`;
    if (!this.#opts.gateway) {
      const kannel = new KannelProcess({
        workDir: this.#workDir,
        portBase: sms.portBase,
        smsc: sms.smsc,
        secrets: this.#secrets,
        moUrl: `${this.#callbackBase}/mo?k=${this.#secrets.callback}&from=%p&charset=%C&hex=%e`,
        sender: sms.sender,
        maxParts: sms.maxParts,
      });
      try {
        await kannel.start();
        this.#kannel = kannel;
      } catch (err) {
        this.#failure = err instanceof KannelError ? err : new KannelError('sms_start_failed', String(err));
        logger.error(
          { code: this.#failure.code, err: this.#failure.message },
          'SMS unavailable: warnings are not texted (the ack board shows them failed)',
        );
      }
    }
    this.#alerts = new SmsAlerts({
      bus: command.bus,
      store,
      warnings: command.warnings,
      outbox: this.#outbox,
      reportUrl: (recipientId, attempt) =>
        `${this.#callbackBase}/dlr?r=${recipientId}&n=${attempt}&s=${this.#sign(recipientId, attempt)}&type=%d&smsc=%A`,
      options: { ...sms, escalationTickMs: this.#opts.escalationTickMs },
    });
    this.#meetings = new MeetingSms({
      store,
      desk: command.bookings,
      outbox: this.#outbox,
      signature: sms.signature,
    });
    await this.#alerts.resume();
  }

  /** True when `signature` is the one this node put into the recipient's attempt's report URL. */
  verifyReport(recipientId: string, attempt: number, signature: string): boolean {
    return sameSecret(signature, this.#sign(recipientId, attempt));
  }

  /** True when `key` is the reply URL's key. */
  verifyReplyKey(key: string): boolean {
    return sameSecret(key, this.#secrets.callback);
  }

  #sign(recipientId: string, attempt: number): string {
    return createHmac('sha256', this.#secrets.callback).update(`${recipientId}.${attempt}`).digest('hex').slice(0, 32);
  }

  async close(): Promise<void> {
    this.#alerts?.close();
    this.#meetings?.close();
    this.#outbox.close();
    await this.#kannel?.stop();
    this.#kannel = null;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
