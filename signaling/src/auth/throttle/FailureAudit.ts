/**
 * Aggregates failed sign-ins for the audit: one `auth.sign_in_failed` row per
 * (username, address) per window with the number of tries, written when the
 * window ends — a flood of wrong passwords adds a row a minute, not a row a
 * try. Per node: a cluster writes one row per node that saw tries.
 */
import { createLogger } from '../../logger.ts';
import type { Store } from '../../store/index.ts';

type AuditRepository = Store['audit'];

const logger = createLogger('sign-in-audit');

interface Pending {
  username: string;
  address: string;
  /** The account's id when the username exists. */
  actorId: string | null;
  count: number;
  reasons: Set<string>;
  firstAt: string;
}

export interface FailureAuditOptions {
  audit: Pick<AuditRepository, 'append'>;
  /** How long failures of one username and address are gathered into one row. Default 60 000 ms. */
  windowMs?: number;
  /** The rows' action. Default 'auth.sign_in_failed' (refused socket handshakes: 'socket.handshake_refused'). */
  action?: string;
}

export class FailureAudit {
  readonly #audit: Pick<AuditRepository, 'append'>;
  readonly #windowMs: number;
  readonly #action: string;
  readonly #pending = new Map<string, Pending>();
  #timer: NodeJS.Timeout | null = null;

  constructor(opts: FailureAuditOptions) {
    this.#audit = opts.audit;
    this.#windowMs = opts.windowMs ?? 60_000;
    this.#action = opts.action ?? 'auth.sign_in_failed';
  }

  record(failure: { username: string; address: string; actorId: string | null; reason: string }): void {
    const key = `${failure.username}\u0000${failure.address}`;
    const entry = this.#pending.get(key);
    if (entry) {
      entry.count += 1;
      entry.reasons.add(failure.reason);
      entry.actorId ??= failure.actorId;
    } else {
      this.#pending.set(key, {
        username: failure.username,
        address: failure.address,
        actorId: failure.actorId,
        count: 1,
        reasons: new Set([failure.reason]),
        firstAt: new Date().toISOString(),
      });
    }
    if (!this.#timer) {
      this.#timer = setTimeout(() => void this.flush(), this.#windowMs);
      this.#timer.unref();
    }
  }

  /** Writes the gathered rows now (the window's end, and shutdown). */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    for (const e of entries) {
      try {
        await this.#audit.append({
          actorId: e.actorId,
          action: this.#action,
          detail: {
            username: e.username,
            address: e.address,
            count: e.count,
            reasons: [...e.reasons],
            firstAt: e.firstAt,
            lastAt: new Date().toISOString(),
          },
        });
      } catch (err) {
        logger.error({ err, username: e.username }, 'could not audit failed sign-ins');
      }
    }
  }
}
