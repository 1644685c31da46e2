/**
 * Limits failed sign-ins per account (the username as typed, so unknown
 * usernames are limited exactly like real ones and reveal nothing) and per
 * source address. Asked BEFORE the password is verified: a blocked try costs
 * no scrypt run, so a flood cannot exhaust the pool.
 */
import { BeaconError } from '@beacon/protocol';
import { ACCOUNT_POLICY, ADDRESS_POLICY, type BackoffPolicy, waitAfter } from './backoff.ts';
import type { AttemptCounters } from './counters.ts';

export interface SignInAttempt {
  username: string;
  /** The client's address (req.ip). */
  address: string;
}

export interface SignInThrottleOptions {
  counters: AttemptCounters;
  /** Default ACCOUNT_POLICY. */
  account?: BackoffPolicy;
  /** Default ADDRESS_POLICY. */
  address?: BackoffPolicy;
}

export class SignInThrottle {
  readonly #counters: AttemptCounters;
  readonly #account: BackoffPolicy;
  readonly #address: BackoffPolicy;

  constructor(opts: SignInThrottleOptions) {
    this.#counters = opts.counters;
    this.#account = opts.account ?? ACCOUNT_POLICY;
    this.#address = opts.address ?? ADDRESS_POLICY;
  }

  /** Throws `rate_limited` with `retryAfterSeconds` while the account or the address waits. */
  async assertAllowed(attempt: SignInAttempt): Promise<void> {
    const [account, address] = await Promise.all([
      this.#counters.blockedFor(accountKey(attempt)),
      this.#counters.blockedFor(addressKey(attempt)),
    ]);
    const waitMs = Math.max(account, address);
    if (waitMs > 0) {
      throw BeaconError.rateLimited(
        `登录失败次数过多，请 ${Math.ceil(waitMs / 1000)} 秒后再试 / too many failed sign-ins: retry later`,
        waitMs / 1000,
      );
    }
  }

  /** Counts a failed try against the account and the address; returns whether either is now locked. */
  async failed(attempt: SignInAttempt): Promise<{ locked: boolean }> {
    const results = await Promise.all([
      this.#count(accountKey(attempt), this.#account),
      this.#count(addressKey(attempt), this.#address),
    ]);
    return { locked: results.some((locked) => locked) };
  }

  /** The account's count starts again; the address's does not (one good account must not clear a guessing host). */
  async succeeded(attempt: SignInAttempt): Promise<void> {
    await this.#counters.reset(accountKey(attempt));
  }

  async #count(key: string, policy: BackoffPolicy): Promise<boolean> {
    const failures = await this.#counters.increment(key, policy.windowMs);
    const { waitMs, locked } = waitAfter(failures, policy);
    if (waitMs > 0) await this.#counters.block(key, waitMs);
    return locked;
  }
}

// Case-folded: `Admin` and `admin` are one account to an attacker.
const accountKey = (a: SignInAttempt): string => `account:${a.username.normalize('NFC').toLowerCase()}`;
const addressKey = (a: SignInAttempt): string => `address:${a.address}`;
