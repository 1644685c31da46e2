/**
 * Which phones are registered, from Kamailio's in-memory location table
 * (`ul.dump` over JSON-RPC). Polling is enough: registrations change on the
 * scale of minutes, and a 2 s lag in the console's phone list is invisible.
 */
import { TypedEmitter } from '@beacon/common';
import { z } from 'zod';
import { createLogger } from '../logger.ts';

const logger = createLogger('RegistrationMonitor');

export interface RegistrationInfo {
  extension: string;
  /** Where the phone can be reached, e.g. `sip:8001@192.168.1.20:5060`. */
  contact: string;
  /** ISO time the registration lapses unless refreshed. */
  expiresAt: string;
}

/** KamailioProcess, or `{ rpc: (method, params) => kamailio.rpc(method, params) }`. */
export interface RpcClient {
  rpc(method: string, params?: unknown[]): Promise<unknown>;
}

export interface RegistrationMonitorOptions {
  /** Poll period. Default 2000 ms. */
  intervalMs?: number;
  /** The gateway's own registration is not a phone. Default `gateway`. */
  gatewayUser?: string;
}

const contactSchema = z.object({
  Contact: z.object({
    Address: z.string(),
    Expires: z.union([z.number(), z.string()]),
    'Last-Modified': z.number().optional(),
  }),
});
const ulDumpSchema = z.object({
  Domains: z.array(
    z.object({
      Domain: z.object({
        AoRs: z
          .array(z.object({ Info: z.object({ AoR: z.string(), Contacts: z.array(contactSchema).optional() }) }))
          .optional(),
      }),
    }),
  ),
});

export type RegistrationMonitorEvents = { change: [RegistrationInfo[]] };

export class RegistrationMonitor extends TypedEmitter<RegistrationMonitorEvents> {
  readonly #client: RpcClient;
  readonly #intervalMs: number;
  readonly #gatewayUser: string;
  #timer: NodeJS.Timeout | undefined;
  #snapshot: RegistrationInfo[] = [];
  /** Identity of the last set: extension, contact and last refresh (Expires alone drifts each poll). */
  #key = '';
  #polling: Promise<void> | null = null;

  constructor(client: RpcClient, options: RegistrationMonitorOptions = {}) {
    super();
    this.#client = client;
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#gatewayUser = options.gatewayUser ?? 'gateway';
  }

  /** Last known registrations, sorted by extension. */
  snapshot(): RegistrationInfo[] {
    return [...this.#snapshot];
  }

  start(): void {
    if (this.#timer) return;
    void this.poll();
    this.#timer = setInterval(() => void this.poll(), this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Removes the registrations of extensions that are no longer subscribers
   * (a phone disabled or deleted by an admin) from Kamailio's location table
   * (`ul.rm`), so calls stop reaching them at once rather than when the
   * registration lapses; the phone's next REGISTER is refused by auth_db.
   * Returns the extensions dropped.
   */
  async dropAllBut(subscribers: ReadonlySet<string>): Promise<string[]> {
    await this.poll();
    const stale = [...new Set(this.#snapshot.map((r) => r.extension))].filter((e) => !subscribers.has(e));
    for (const extension of stale) {
      try {
        await this.#client.rpc('ul.rm', ['location', extension]);
      } catch (error) {
        logger.warn({ err: error, extension }, 'could not drop a registration');
      }
    }
    if (stale.length > 0) await this.#pollOnce();
    return stale;
  }

  /** Polls now (coalesced with a poll in flight); errors are logged, the snapshot kept. */
  poll(): Promise<void> {
    this.#polling ??= this.#pollOnce().finally(() => {
      this.#polling = null;
    });
    return this.#polling;
  }

  async #pollOnce(): Promise<void> {
    let raw: unknown;
    try {
      raw = await this.#client.rpc('ul.dump');
    } catch (error) {
      logger.debug({ err: error }, 'ul.dump failed');
      return;
    }
    const parsed = ulDumpSchema.safeParse(raw);
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'unexpected ul.dump shape');
      return;
    }
    const now = Date.now();
    const rows: { info: RegistrationInfo; modified: number }[] = [];
    for (const domain of parsed.data.Domains) {
      for (const { Info: aor } of domain.Domain.AoRs ?? []) {
        if (aor.AoR === this.#gatewayUser) continue;
        for (const { Contact: contact } of aor.Contacts ?? []) {
          const expires = Number(contact.Expires);
          if (!Number.isFinite(expires) || expires <= 0) continue; // "permanent" or already expired
          rows.push({
            info: {
              extension: aor.AoR,
              contact: contact.Address,
              expiresAt: new Date(now + expires * 1000).toISOString(),
            },
            modified: contact['Last-Modified'] ?? 0,
          });
        }
      }
    }
    rows.sort(
      (a, b) => a.info.extension.localeCompare(b.info.extension) || a.info.contact.localeCompare(b.info.contact),
    );
    const key = rows.map((row) => `${row.info.extension} ${row.info.contact} ${row.modified}`).join('\n');
    if (key === this.#key) return;
    this.#key = key;
    this.#snapshot = rows.map((row) => row.info);
    logger.debug({ count: rows.length }, 'registrations changed');
    this.safeEmit('change', this.snapshot());
  }
}
