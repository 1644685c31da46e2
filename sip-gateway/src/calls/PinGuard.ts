/**
 * Lockout with back-off against guessing conference PINs. Three tries per
 * call alone stop nobody: a caller just calls again. Two keys count wrong
 * PINs within a window:
 *
 *  - the caller (its authenticated extension — Kamailio lets only phones with
 *    a password call the gateway — or, without one, the source address):
 *    one phone guessing; locked after `callerFailures`;
 *  - the conference number, from anyone: many phones guessing one room;
 *    locked after `numberFailures` (higher, since a locked number also keeps
 *    out the people who know its PIN).
 *
 * Each lockout of the same key lasts twice the one before (from `lockMs` up
 * to `maxLockMs`); a key that stays quiet for `forgetMs` starts over. A right
 * PIN clears the caller's count, not the number's. In memory, per gateway:
 * a restart forgives, which a guesser cannot trigger.
 */

export interface PinGuardOptions {
  /** Wrong PINs from one caller within `windowMs` that lock it out. Default 5 (fewer than two calls' worth of 3 tries). */
  callerFailures?: number;
  /** Wrong PINs to one conference number within `windowMs`, from anyone, that lock it. Default 20. */
  numberFailures?: number;
  /** How long a wrong PIN counts. Default 15 min. */
  windowMs?: number;
  /** The first lockout of a key. Default 60 s; each further one doubles it. */
  lockMs?: number;
  /** The longest lockout. Default 1 h. */
  maxLockMs?: number;
  /** A key without a wrong PIN or a lockout this long is forgotten (its back-off starts over). Default 24 h. */
  forgetMs?: number;
  /** Clock (tests). Default Date.now. */
  now?: () => number;
}

export type PinLockScope = 'caller' | 'number';

export interface PinLock {
  scope: PinLockScope;
  /** The caller (extension or address) or the conference number. */
  key: string;
  /** Wrong PINs counted when it was locked. */
  failures: number;
  /** How long this lockout lasts. */
  lockedForMs: number;
  /** Epoch ms when PIN entry opens again. */
  until: number;
}

interface KeyState {
  failures: number[];
  lockedUntil: number;
  /** Lockouts so far: the next one lasts lockMs × 2^strikes. */
  strikes: number;
  lastSeen: number;
}

/** Keys kept at most: a flood of made-up callers must not grow the gateway without bound. */
const MAX_KEYS = 50_000;

export class PinGuard {
  readonly #callerFailures: number;
  readonly #numberFailures: number;
  readonly #windowMs: number;
  readonly #lockMs: number;
  readonly #maxLockMs: number;
  readonly #forgetMs: number;
  readonly #now: () => number;
  readonly #keys = new Map<string, KeyState>();

  constructor(opts: PinGuardOptions = {}) {
    this.#callerFailures = opts.callerFailures ?? 5;
    this.#numberFailures = opts.numberFailures ?? 20;
    this.#windowMs = opts.windowMs ?? 15 * 60_000;
    this.#lockMs = opts.lockMs ?? 60_000;
    this.#maxLockMs = opts.maxLockMs ?? 60 * 60_000;
    this.#forgetMs = opts.forgetMs ?? 24 * 60 * 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** The lock that keeps this caller from entering a PIN for this number now, or null. */
  locked(number: string, caller: string): PinLock | null {
    const now = this.#now();
    for (const [scope, key] of this.#keysOf(number, caller)) {
      const state = this.#keys.get(`${scope}:${key}`);
      if (state && state.lockedUntil > now) {
        return {
          scope,
          key,
          failures: state.failures.length,
          lockedForMs: state.lockedUntil - now,
          until: state.lockedUntil,
        };
      }
    }
    return null;
  }

  /** Counts a wrong PIN; returns the lockouts it started (to audit), usually none. */
  fail(number: string, caller: string): PinLock[] {
    const now = this.#now();
    const started: PinLock[] = [];
    for (const [scope, key] of this.#keysOf(number, caller)) {
      const state = this.#state(`${scope}:${key}`, now);
      state.failures = state.failures.filter((at) => now - at < this.#windowMs);
      state.failures.push(now);
      const limit = scope === 'caller' ? this.#callerFailures : this.#numberFailures;
      if (state.lockedUntil > now || state.failures.length < limit) continue;
      const lockedForMs = Math.min(this.#maxLockMs, this.#lockMs * 2 ** state.strikes);
      state.strikes += 1;
      state.lockedUntil = now + lockedForMs;
      started.push({ scope, key, failures: state.failures.length, lockedForMs, until: state.lockedUntil });
      // The count starts again after the lock: the next lockout needs as many new failures.
      state.failures = [];
    }
    return started;
  }

  /** A right PIN: the caller's failures are forgiven (its back-off level stays until forgotten). */
  succeed(caller: string): void {
    const state = this.#keys.get(`caller:${caller}`);
    if (state) state.failures = [];
  }

  #keysOf(number: string, caller: string): [PinLockScope, string][] {
    return [
      ['caller', caller],
      ['number', number],
    ];
  }

  #state(id: string, now: number): KeyState {
    let state = this.#keys.get(id);
    if (state && now - state.lastSeen > this.#forgetMs && state.lockedUntil <= now) {
      this.#keys.delete(id);
      state = undefined;
    }
    if (!state) {
      if (this.#keys.size >= MAX_KEYS) this.#prune(now);
      state = { failures: [], lockedUntil: 0, strikes: 0, lastSeen: now };
      this.#keys.set(id, state);
    }
    state.lastSeen = now;
    return state;
  }

  /** Drops forgotten keys, then (still full) the oldest unlocked ones. */
  #prune(now: number): void {
    for (const [id, state] of this.#keys) {
      if (now - state.lastSeen > this.#forgetMs && state.lockedUntil <= now) this.#keys.delete(id);
    }
    for (const [id, state] of this.#keys) {
      if (this.#keys.size < MAX_KEYS) break;
      if (state.lockedUntil <= now) this.#keys.delete(id);
    }
  }
}
