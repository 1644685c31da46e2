/**
 * Loads a media node's control certificate again while it runs, so a renewed
 * certificate (`npm run media-node-cert -- --renew`, copied over the old
 * files) takes effect without a restart that would drop every room: on
 * SIGHUP (`systemctl reload`), and when the files change (polled with
 * fs.watchFile: a copy or a rename over the file is seen as well as an
 * in-place write, which fs.watch on a replaced file is not).
 *
 * New material is checked before it is served (tls.createSecureContext): a
 * key that does not match the certificate — seen for a moment while the two
 * files are replaced one after the other — is logged and skipped, and the
 * next change or signal tries again; the old certificate stays meanwhile.
 */
import { X509Certificate } from 'node:crypto';
import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { createLogger } from '../logger.ts';

const logger = createLogger('tlsFileReload');

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

export interface TlsMaterial {
  cert: string;
  key: string;
  ca: string;
}

export interface TlsFileReloadOptions {
  files: TlsFiles;
  /** Installs material that passed the check (ControlServer.reloadTls). */
  apply(material: TlsMaterial): void;
  /** How often the files' mtimes are polled. Default 30000 ms. */
  watchIntervalMs?: number;
  /** Reload on this signal too; null: none. Default 'SIGHUP'. */
  signal?: NodeJS.Signals | null;
}

export class TlsFileReload {
  readonly #opts: TlsFileReloadOptions;
  readonly #signal: NodeJS.Signals | null;
  #current: string;
  /** Reloads in a row share one read, and a change seen during one reads again after it. */
  #running: Promise<boolean> | null = null;
  #again = false;
  readonly #onChange = () => void this.reload('the files changed');
  readonly #onSignal = () => void this.reload('SIGHUP');

  constructor(opts: TlsFileReloadOptions, current: TlsMaterial) {
    this.#opts = opts;
    this.#current = current.cert;
    const interval = opts.watchIntervalMs ?? 30_000;
    for (const file of this.#paths()) watchFile(file, { interval, persistent: false }, this.#onChange);
    this.#signal = opts.signal === undefined ? 'SIGHUP' : opts.signal;
    if (this.#signal) process.on(this.#signal, this.#onSignal);
  }

  /** Reads the files and installs them when they hold a new, usable certificate; true when installed. */
  reload(why: string): Promise<boolean> {
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#reloadOnce(why).finally(() => {
      this.#running = null;
      if (this.#again) {
        this.#again = false;
        void this.reload(why);
      }
    });
    return this.#running;
  }

  async #reloadOnce(why: string): Promise<boolean> {
    const { certFile, keyFile, caFile } = this.#opts.files;
    try {
      const [cert, key, ca] = await Promise.all([certFile, keyFile, caFile].map((file) => readFile(file, 'utf8')));
      const material = { cert: cert as string, key: key as string, ca: ca as string };
      if (material.cert === this.#current) return false;
      // Throws on garbage or a key that is not the certificate's.
      createSecureContext(material);
      this.#opts.apply(material);
      this.#current = material.cert;
      const parsed = new X509Certificate(material.cert);
      logger.info({ why, serial: parsed.serialNumber, notAfter: parsed.validTo }, 'control certificate reloaded');
      return true;
    } catch (err) {
      logger.error({ err, why }, 'control certificate not reloaded; the current one stays');
      return false;
    }
  }

  #paths(): string[] {
    const { certFile, keyFile, caFile } = this.#opts.files;
    return [certFile, keyFile, caFile];
  }

  stop(): void {
    for (const file of this.#paths()) unwatchFile(file, this.#onChange);
    if (this.#signal) process.off(this.#signal, this.#onSignal);
  }
}
