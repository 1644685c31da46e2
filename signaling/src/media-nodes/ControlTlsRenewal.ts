/**
 * Renews signaling's client certificate for the media nodes while it runs:
 * a city's signaling stays up for longer than the certificate lives (397
 * days), and one that expired would lock signaling out of every node at its
 * next reconnection. Checks once a day; past two thirds of the certificate's
 * life (renewalDue) a new one is issued and handed to the cascade, whose
 * later connections present it (open ones keep their session).
 */
import { createLogger } from '../logger.ts';
import { type ControlTls, signalingClientTls } from '../tls/mediaNodeCertificates.ts';

const logger = createLogger('ControlTlsRenewal');

export interface ControlTlsRenewalOptions {
  /** The CA's directory (<dataDir>/tls), where media-client.crt/.key live. */
  dir: string;
  /** The certificate signaling started with. */
  current: ControlTls;
  onRenewed(tls: ControlTls): void;
  /** Default 24 h. */
  intervalMs?: number;
  /** The new certificate's validity; default 397 days (tests: 1). */
  validityDays?: number;
}

export class ControlTlsRenewal {
  readonly #opts: ControlTlsRenewalOptions;
  readonly #timer: NodeJS.Timeout;
  #current: string;

  constructor(opts: ControlTlsRenewalOptions) {
    this.#opts = opts;
    this.#current = opts.current.cert;
    this.#timer = setInterval(() => void this.check(), opts.intervalMs ?? 24 * 3600_000);
    this.#timer.unref();
  }

  /** One check now; resolves true when a renewed certificate was handed over. */
  async check(now: Date = new Date()): Promise<boolean> {
    try {
      const tls = await signalingClientTls({
        dir: this.#opts.dir,
        now,
        ...(this.#opts.validityDays ? { validityDays: this.#opts.validityDays } : {}),
      });
      if (tls.cert === this.#current) return false;
      this.#current = tls.cert;
      this.#opts.onRenewed(tls);
      logger.info('media node client certificate renewed');
      return true;
    } catch (err) {
      // The current certificate has a third of its life left: the next check tries again.
      logger.error({ err }, 'media node client certificate renewal failed');
      return false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
