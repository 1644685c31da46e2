/**
 * Keeps the auto certificate fresh while Beacon runs: a city's servers stay up
 * for months, longer than the 30 days before expiry at which
 * CertificateAuthority issues a new server certificate. Checks twice a day;
 * a new certificate goes into the running HTTPS server (new handshakes use
 * it, open connections keep theirs).
 */
import type { Config } from '../config.ts';
import { createLogger } from '../logger.ts';
import { prepareTls, type TlsMaterial } from './serverTls.ts';

const logger = createLogger('CertificateRenewal');

export interface CertificateRenewalOptions {
  config: Pick<Config, 'tls' | 'dataDir'>;
  names: readonly string[];
  /** The certificate the server started with. */
  current: string;
  onRenewed(material: TlsMaterial): void;
  /** Default 12 h. */
  intervalMs?: number;
}

export class CertificateRenewal {
  readonly #opts: CertificateRenewalOptions;
  readonly #timer: NodeJS.Timeout;
  #current: string;

  constructor(opts: CertificateRenewalOptions) {
    this.#opts = opts;
    this.#current = opts.current;
    this.#timer = setInterval(() => void this.check(), opts.intervalMs ?? 12 * 3600_000);
    this.#timer.unref();
  }

  /** Runs one check now; resolves true when a new certificate was installed. */
  async check(now: Date = new Date()): Promise<boolean> {
    try {
      const material = await prepareTls(this.#opts.config, this.#opts.names, now);
      if (!material) return false;
      const changed = this.#current !== material.cert;
      this.#current = material.cert;
      if (!changed) return false;
      this.#opts.onRenewed(material);
      logger.info({ notAfter: material.notAfter }, 'renewed TLS certificate installed');
      return true;
    } catch (err) {
      // Keep serving the current certificate; the next check tries again.
      logger.error({ err }, 'TLS certificate renewal failed');
      return false;
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
