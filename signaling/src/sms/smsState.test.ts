import { SMS_STATES } from '@beacon/protocol';
import { describe, expect, it } from 'vitest';
import { smsFromList, smsMove } from './smsState.ts';

describe('SMS recipient states', () => {
  it('never moves an acknowledged recipient', () => {
    for (const event of ['attempt', 'submitted', 'delivered', 'failed', 'acked'] as const) {
      expect(smsMove('acked', event)).toBeNull();
    }
  });

  it('takes a delivery report before Kannel’s answer, and never goes back from delivered to submitted', () => {
    expect(smsMove('queued', 'delivered')).toBe('delivered');
    expect(smsMove('delivered', 'submitted')).toBeNull();
    expect(smsMove('failed', 'delivered')).toBeNull();
    expect(smsMove('delivered', 'failed')).toBe('failed');
    expect(smsMove('failed', 'attempt')).toBe('queued');
  });

  it('lets every state but acked be acknowledged, and names only known states in SQL', () => {
    for (const state of SMS_STATES) expect(smsMove(state, 'acked')).toBe(state === 'acked' ? null : 'acked');
    expect(smsFromList('submitted')).toBe("('queued')");
  });
});
