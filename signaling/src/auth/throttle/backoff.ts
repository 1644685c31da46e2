/**
 * The back-off of failed sign-ins as a pure function of the failure count:
 * the first `freeFailures` cost nothing, then each failure blocks the key for
 * twice as long as the one before (capped), and at `lockAfter` failures the
 * key is locked for `lockMs`. Counts are forgotten `windowMs` after the last
 * failure.
 */
export interface BackoffPolicy {
  /** Failures allowed without any wait. */
  freeFailures: number;
  /** Wait after the first failure beyond the free ones; doubles per failure. */
  baseDelayMs: number;
  /** The longest back-off wait before the lock. */
  maxDelayMs: number;
  /** From this many failures, the key is locked. */
  lockAfter: number;
  /** How long a lock lasts. */
  lockMs: number;
  /** A key's count is forgotten this long after its last failure. */
  windowMs: number;
}

/** Per account: 5 free tries, 1 s, 2 s, 4 s … 60 s, locked 15 min at 15 failures. */
export const ACCOUNT_POLICY: BackoffPolicy = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 15,
  lockMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/**
 * Per source address: looser, since a whole township office may sit behind
 * one NAT address; it still stops one machine from walking through accounts.
 */
export const ADDRESS_POLICY: BackoffPolicy = {
  freeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  lockAfter: 50,
  lockMs: 15 * 60_000,
  windowMs: 15 * 60_000,
};

/** How long a key must wait after its `failures`-th failure: 0, a back-off, or the lock. */
export function waitAfter(failures: number, policy: BackoffPolicy): { waitMs: number; locked: boolean } {
  if (failures >= policy.lockAfter) return { waitMs: policy.lockMs, locked: true };
  if (failures < policy.freeFailures) return { waitMs: 0, locked: false };
  const doublings = failures - policy.freeFailures;
  // 2^31 ms is already beyond any sane cap; stop the exponent before it overflows.
  const waitMs = Math.min(policy.baseDelayMs * 2 ** Math.min(doublings, 31), policy.maxDelayMs);
  return { waitMs, locked: false };
}
