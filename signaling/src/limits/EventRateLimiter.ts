/**
 * The event rate of every socket on this node, and of every user across its
 * sockets here: a token bucket per (socket, class) and per (user, class).
 * An event needs a token from both; an empty one answers how long to wait.
 *
 * Per node, not per cluster: a user's sockets on two nodes each get the
 * user's budget. Sharing it through Redis would put a round trip on every
 * client event; the per-node bound already caps what one account costs a
 * node, which is what flooding attacks.
 */
import type { ClientEventName } from '@beacon/protocol';
import { eventClass } from './eventClass.ts';
import type { EventClass, LimitsOptions, RateSpec } from './LimitsOptions.ts';
import { TokenBucket } from './TokenBucket.ts';

type Buckets = Partial<Record<EventClass, TokenBucket>>;

/** What a refused event learns: its class and when to retry. */
export interface RateRefusal {
  eventClass: EventClass;
  retryAfterMs: number;
}

export class EventRateLimiter {
  readonly #rates: LimitsOptions['rates'];
  readonly #userFactor: number;
  readonly #now: () => number;
  /** userId → its buckets and how many sockets share them (dropped with the last socket). */
  readonly #users = new Map<string, { sockets: number; buckets: Buckets }>();

  constructor(opts: Pick<LimitsOptions, 'rates' | 'userFactor'>, now: () => number = Date.now) {
    this.#rates = opts.rates;
    this.#userFactor = opts.userFactor;
    this.#now = now;
  }

  /** Users with a socket here (for tests and leak checks). */
  get users(): number {
    return this.#users.size;
  }

  /** The rate of one socket of `userId`; `release()` it when the socket goes. */
  open(userId: string): SocketRate {
    let user = this.#users.get(userId);
    if (!user) {
      user = { sockets: 0, buckets: {} };
      this.#users.set(userId, user);
    }
    user.sockets += 1;
    const shared = user;
    let released = false;
    return new SocketRate(this.#rates, this.#userFactor, shared.buckets, this.#now, () => {
      if (released) return;
      released = true;
      shared.sockets -= 1;
      if (shared.sockets === 0) this.#users.delete(userId);
    });
  }
}

export class SocketRate {
  readonly #rates: LimitsOptions['rates'];
  readonly #userFactor: number;
  readonly #own: Buckets = {};
  readonly #user: Buckets;
  readonly #now: () => number;
  readonly release: () => void;

  constructor(
    rates: LimitsOptions['rates'],
    userFactor: number,
    user: Buckets,
    now: () => number,
    release: () => void,
  ) {
    this.#rates = rates;
    this.#userFactor = userFactor;
    this.#user = user;
    this.#now = now;
    this.release = release;
  }

  /** Takes a token for `event` from the socket's and the user's bucket; null when both had one. */
  take(event: ClientEventName): RateRefusal | null {
    const cls = eventClass(event);
    const spec = this.#rates[cls];
    if (!spec) return null;
    const now = this.#now();
    const own = bucket(this.#own, cls, spec, now);
    const ownWait = own.take(now);
    if (ownWait > 0) return { eventClass: cls, retryAfterMs: ownWait };
    const user = bucket(this.#user, cls, scaled(spec, this.#userFactor), now);
    const userWait = user.take(now);
    if (userWait > 0) {
      // Not sent after all: the socket's own budget is not spent on it.
      own.giveBack();
      return { eventClass: cls, retryAfterMs: userWait };
    }
    return null;
  }
}

function scaled(spec: RateSpec, factor: number): RateSpec {
  return { perSecond: spec.perSecond * factor, burst: spec.burst * factor };
}

function bucket(buckets: Buckets, cls: EventClass, spec: RateSpec, now: number): TokenBucket {
  let found = buckets[cls];
  if (!found) {
    found = new TokenBucket(spec.perSecond, spec.burst, now);
    buckets[cls] = found;
  }
  return found;
}
