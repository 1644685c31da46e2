/**
 * The sign-in throttle as configured: counters in Redis when this node is
 * one of a cluster (the limit then holds whichever node a try reaches), in
 * memory otherwise; and the aggregated audit of failures.
 */
import type { ClusterNode } from '../../cluster/ClusterNode.ts';
import type { Config } from '../../config.ts';
import type { Store } from '../../store/index.ts';
import { ACCOUNT_POLICY, ADDRESS_POLICY } from './backoff.ts';
import { MemoryAttemptCounters } from './counters.ts';
import { FailureAudit } from './FailureAudit.ts';
import { RedisAttemptCounters } from './RedisAttemptCounters.ts';
import { SignInThrottle } from './SignInThrottle.ts';

export function signInLimits(
  config: Pick<Config, 'signIn'>,
  cluster: Pick<ClusterNode, 'redis'> | null,
  store: Pick<Store, 'audit'>,
): { throttle: SignInThrottle; failures: FailureAudit } {
  const counters = cluster ? new RedisAttemptCounters(cluster.redis) : new MemoryAttemptCounters();
  const { lockAfter, lockMs } = config.signIn;
  const throttle = new SignInThrottle({
    counters,
    account: { ...ACCOUNT_POLICY, lockAfter, lockMs },
    // The address's lock lasts as long; its threshold stays looser (see ADDRESS_POLICY).
    address: { ...ADDRESS_POLICY, lockAfter: Math.max(ADDRESS_POLICY.lockAfter, lockAfter), lockMs },
  });
  return { throttle, failures: new FailureAudit({ audit: store.audit }) };
}
